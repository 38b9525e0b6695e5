/* input.c - what the keyboard and the mouse do: stepping and playing
 * through the history, jumps, the event filters, the inspector's tabs and
 * fields, panning, zooming and dragging on the canvas, the device console,
 * the scenario browser, saving positions. The same handler serves the
 * window and the headless renderer, which replays a --keys script through
 * it (keys_parse), so tests drive exactly what a user drives. The full list
 * of controls is the F1 overlay (render.c) and docs/gui.md. */
#include "gui.h"

#include <stdlib.h>
#include <string.h>

#define PAN_STEP 60

void gui_message(struct gui *g, bool error, const char *text)
{
    size_t n = strlen(text);
    if (n >= sizeof g->message) n = sizeof g->message - 1; /* long paths: cut */
    memcpy(g->message, text, n);
    g->message[n] = 0;
    g->message_is_error = error;
}

void gui_open_file(struct gui *g, const char *path)
{
    char err[600];
    char *copy = strdup(path);
    if (!copy) abort();
    if (!session_open(&g->s, copy, err, sizeof err)) {
        /* The previous scenario stays open. */
        gui_message(g, true, err);
    } else {
        g->message[0] = 0;
        g->cur = -1;
        g->sel_field = -1;
        g->sel_node = -1;
        g->playing = false;
        g->relayout = true;
        g->console_on = false;
        g->ev_scroll = 0;
        free(g->node_text);
        g->node_text = NULL;
    }
    free(copy);
}

static void time_changed(struct gui *g)
{
    g->sel_field = -1;
    g->ev_scroll = 0;
    if (g->sel_node >= 0) device_refresh(g);
}

static void step_forward(struct gui *g)
{
    g->playing = false;
    if (!session_fill_steps(&g->s, (size_t)(g->cur + 2))) {
        gui_message(g, false, "End of the scenario.");
        return;
    }
    g->cur++;
    g->s.now = g->s.steps[g->cur].time;
    time_changed(g);
}

static void go_to_step(struct gui *g, long idx)
{
    g->playing = false;
    session_replay_steps(&g->s, (size_t)idx + 1);
    g->cur = idx < (long)g->s.n_steps ? idx : (long)g->s.n_steps - 1;
    g->message[0] = 0;
    time_changed(g);
}

static void step_back(struct gui *g)
{
    g->playing = false;
    if (g->cur < 0) return;
    session_replay_steps(&g->s, (size_t)g->cur);
    g->cur--;
    g->message[0] = 0;
    time_changed(g);
}

/* To the next row of the (filtered) event list: a frame put on a wire, or
 * a drop, rather than one layer step. */
static void next_event(struct gui *g)
{
    g->playing = false;
    const struct gui_session *s = &g->s;
    for (long n = 0; n < 10000000; n++) {
        if (!session_fill_steps(&g->s, (size_t)(g->cur + 2))) {
            gui_message(g, false, "End of the scenario: no more events.");
            break;
        }
        g->cur++;
        const struct gui_step *st = &s->steps[g->cur];
        if (step_is_event(st) && events_pass(g, st)) break;
    }
    if (g->cur >= 0) g->s.now = s->steps[g->cur].time;
    time_changed(g);
}

static void prev_event(struct gui *g)
{
    const struct gui_session *s = &g->s;
    size_t lo = 0, hi = s->n_events;
    while (lo < hi) { /* events strictly before cur */
        size_t mid = lo + (hi - lo) / 2;
        if (s->events[mid] < g->cur)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo > 0 && !events_pass(g, &s->steps[s->events[lo - 1]]))
        lo--;
    if (lo == 0) {
        gui_message(g, false, "No earlier event.");
        return;
    }
    go_to_step(g, s->events[lo - 1]);
}

static void jump_to(struct gui *g, sim_time t)
{
    session_run_to_time(&g->s, t);
    g->cur = (long)session_steps_upto(&g->s, g->s.now) - 1;
    time_changed(g);
}

void gui_play_tick(struct gui *g, double real_s)
{
    if (!g->playing || !g->s.runner) return;
    sim_time t = g->s.now + (sim_time)(g->speed * real_s);
    sim_time next = session_next_time(&g->s);
    /* Skip the quiet stretches between events: slow motion only where
     * something is on a wire. */
    if (!session_in_flight(&g->s) && next > t && next != SIM_TIME_MAX) t = next;
    if (t >= session_until(&g->s)) {
        t = session_until(&g->s);
        g->playing = false;
    }
    jump_to(g, t);
}

static void field_move(struct gui *g, int dir)
{
    int n = g->n_field_rows;
    if (n == 0) return;
    int at = -1;
    for (int i = 0; i < n; i++)
        if (g->field_rows[i].index == g->sel_field) at = i;
    if (at < 0) {
        at = 0;
    } else {
        at += dir;
        if (at < 0) at = 0;
        if (at >= n) at = n - 1;
    }
    g->sel_field = (int)g->field_rows[at].index;
}

static bool in_rect(SDL_Rect r, int x, int y)
{
    SDL_Point p = {x, y};
    return SDL_PointInRect(&p, &r);
}

static void toggle_filter(struct gui *g, int f)
{
    g->filter_off ^= 1u << f;
    g->ev_scroll = 0;
}

static int node_at(const struct gui *g, int x, int y)
{
    for (int i = g->n_node_rect; i-- > 0;) {
        SDL_Rect r = g->node_rect[i];
        SDL_Rect hit = {r.x - 6, r.y - 6, r.w + 12, r.h + 12 + g->line_h};
        if (in_rect(hit, x, y)) return i;
    }
    return -1;
}

static void select_node(struct gui *g, int i)
{
    if (g->sel_node != i) g->console_on = false;
    g->sel_node = i;
    device_refresh(g);
}

static void open_console(struct gui *g)
{
    if (g->sel_node < 0 || !g->node_text) return;
    g->console_on = true;
    g->playing = false;
    if (g->win) SDL_StartTextInput();
}

static void close_console(struct gui *g)
{
    g->console_on = false;
    if (g->win) SDL_StopTextInput();
}

static void on_button_down(struct gui *g, int x, int y)
{
    g->mouse_x = x;
    g->mouse_y = y;
    if (g->help) {
        g->help = false;
        return;
    }
    if (g->browser) {
        if (!browser_click(g, x, y)) browser_close(g);
        return;
    }
    for (int f = 0; f < GF_COUNT; f++)
        if (in_rect(g->chip_rect[f], x, y)) {
            toggle_filter(g, f);
            return;
        }
    for (int t = 0; t < 2; t++)
        if (in_rect(g->tab_rect[t], x, y)) {
            g->tab = (enum gui_tab)t;
            return;
        }
    for (int i = 0; i < g->n_event_rows; i++)
        if (in_rect(g->event_rows[i].r, x, y)) {
            go_to_step(g, g->event_rows[i].index);
            return;
        }
    for (int i = 0; i < g->n_field_rows; i++)
        if (in_rect(g->field_rows[i].r, x, y)) {
            g->sel_field = (int)g->field_rows[i].index;
            return;
        }
    if (g->console_rect.w && in_rect(g->console_rect, x, y)) {
        open_console(g);
        return;
    }
    if (g->device_rect.w && in_rect(g->device_rect, x, y)) return;
    if (!in_rect(g->canvas, x, y)) return;
    long drop = canvas_drop_at(g, x, y);
    if (drop >= 0) {
        go_to_step(g, drop);
        return;
    }
    /* A press on a node may become a drag (move it) or a click (open
     * it); on the background a drag pans. Decided when the mouse moves. */
    g->mouse_down = true;
    g->dragging = false;
    g->down_x = x;
    g->down_y = y;
    g->drag_node = node_at(g, x, y);
    g->pan0_x = g->pan_x;
    g->pan0_y = g->pan_y;
}

static void on_motion(struct gui *g, int x, int y)
{
    g->mouse_x = x;
    g->mouse_y = y;
    if (!g->mouse_down) return;
    int dx = x - g->down_x, dy = y - g->down_y;
    if (!g->dragging && dx * dx + dy * dy < 16) return;
    g->dragging = true;
    if (g->drag_node >= 0 && g->drag_node < g->n_node_rect) {
        double wx, wy;
        view_to_world(g, x, y, &wx, &wy);
        g->node_x[g->drag_node] = wx;
        g->node_y[g->drag_node] = wy;
        g->user_moved = true;
    } else {
        g->pan_x = g->pan0_x + dx;
        g->pan_y = g->pan0_y + dy;
    }
    layout_apply_view(g);
}

static void on_button_up(struct gui *g, int x, int y)
{
    g->mouse_x = x;
    g->mouse_y = y;
    if (!g->mouse_down) return;
    g->mouse_down = false;
    if (g->dragging) {
        if (g->drag_node >= 0) {
            char m[160];
            snprintf(m, sizeof m, "Moved %s. Ctrl+S saves the positions into the scenario file.",
                     gui_node_name(g, g->drag_node));
            gui_message(g, false, m);
        }
        return;
    }
    if (g->drag_node >= 0)
        select_node(g, g->drag_node);
    else {
        g->sel_node = -1;
        close_console(g);
    }
}

static void on_wheel(struct gui *g, int dy)
{
    if (g->browser) {
        browser_key(g, dy > 0 ? SDLK_UP : SDLK_DOWN);
        return;
    }
    if (in_rect(g->events, g->mouse_x, g->mouse_y)) {
        g->ev_scroll += dy * 3;
        return;
    }
    if (in_rect(g->canvas, g->mouse_x, g->mouse_y))
        view_zoom_at(g, dy > 0 ? 1.2 : 1 / 1.2, g->mouse_x, g->mouse_y);
}

static void canvas_center(const struct gui *g, int *x, int *y)
{
    *x = g->canvas.x + g->canvas.w / 2;
    *y = g->canvas.y + g->canvas.h / 2;
}

static void do_save(struct gui *g)
{
    char err[600];
    if (save_positions(g, err, sizeof err)) {
        char m[700];
        snprintf(m, sizeof m, "Saved the node positions into %s.", g->s.path);
        gui_message(g, false, m);
    } else {
        gui_message(g, true, err);
    }
}

static void prompt_key(struct gui *g, SDL_Keysym k)
{
    if (k.sym == SDLK_ESCAPE) {
        g->typing = false;
        if (g->win) SDL_StopTextInput();
    } else if (k.sym == SDLK_BACKSPACE && g->input[0]) {
        g->input[strlen(g->input) - 1] = 0;
    } else if (k.sym == SDLK_RETURN || k.sym == SDLK_KP_ENTER) {
        sim_time t;
        g->typing = false;
        if (g->win) SDL_StopTextInput();
        if (sim_time_parse(g->input, &t)) {
            g->playing = false;
            jump_to(g, t);
            g->message[0] = 0;
        } else {
            char m[128];
            snprintf(m, sizeof m, "Not a time: \"%s\" (try 1.5ms or 2s).", g->input);
            gui_message(g, true, m);
        }
    }
}

static void console_key(struct gui *g, SDL_Keysym k)
{
    size_t n = strlen(g->console_in);
    if (k.sym == SDLK_ESCAPE) {
        close_console(g);
    } else if (k.sym == SDLK_c && (k.mod & KMOD_CTRL)) {
        console_interrupt(g);
    } else if (k.sym == SDLK_BACKSPACE && n) {
        g->console_in[n - 1] = 0;
    } else if (k.sym == SDLK_RETURN || k.sym == SDLK_KP_ENTER) {
        console_submit(g);
    }
}

static void on_key(struct gui *g, SDL_Keysym k)
{
    bool ctrl = (k.mod & KMOD_CTRL) != 0, shift = (k.mod & KMOD_SHIFT) != 0;
    if (g->typing) {
        prompt_key(g, k);
        return;
    }
    if (g->console_on) {
        console_key(g, k);
        return;
    }
    if (g->browser && k.sym != SDLK_F1 && k.sym != SDLK_F11) {
        browser_key(g, k.sym);
        return;
    }
    int cx, cy;
    canvas_center(g, &cx, &cy);
    switch (k.sym) {
    case SDLK_SPACE:
        g->playing = !g->playing;
        if (g->playing) g->message[0] = 0;
        break;
    case SDLK_RIGHT:
        if (ctrl)
            g->pan_x -= PAN_STEP;
        else if (shift)
            next_event(g);
        else
            step_forward(g);
        break;
    case SDLK_LEFT:
        if (ctrl)
            g->pan_x += PAN_STEP;
        else if (shift)
            prev_event(g);
        else
            step_back(g);
        break;
    case SDLK_n:
        next_event(g);
        break;
    case SDLK_p:
        prev_event(g);
        break;
    case SDLK_HOME:
        g->playing = false;
        session_replay_steps(&g->s, 0);
        g->cur = -1;
        time_changed(g);
        break;
    case SDLK_END:
        g->playing = false;
        jump_to(g, session_until(&g->s));
        break;
    case SDLK_PLUS:
    case SDLK_EQUALS:
    case SDLK_KP_PLUS:
        if (ctrl)
            gui_set_big(g, !g->big);
        else if (g->speed < 1e10)
            g->speed *= 2;
        break;
    case SDLK_MINUS:
    case SDLK_KP_MINUS:
        if (g->speed > 1) g->speed /= 2;
        break;
    case SDLK_j:
        g->typing = true;
        g->input[0] = 0;
        g->swallow = 'j';
        if (g->win) SDL_StartTextInput();
        break;
    case SDLK_c:
        if (g->sel_node >= 0 && ctrl) {
            console_interrupt(g);
        } else if (g->sel_node >= 0) {
            open_console(g);
            g->swallow = 'c';
        }
        break;
    case SDLK_UP:
        if (ctrl)
            g->pan_y += PAN_STEP;
        else
            field_move(g, -1);
        break;
    case SDLK_DOWN:
        if (ctrl)
            g->pan_y -= PAN_STEP;
        else
            field_move(g, 1);
        break;
    case SDLK_1:
    case SDLK_2:
    case SDLK_3:
    case SDLK_4:
    case SDLK_5:
    case SDLK_6:
    case SDLK_7:
    case SDLK_8:
    case SDLK_9:
        toggle_filter(g, (int)(k.sym - SDLK_1));
        break;
    case SDLK_0:
        g->filter_off = 0;
        break;
    case SDLK_PAGEUP:
        g->ev_scroll += 10;
        break;
    case SDLK_PAGEDOWN:
        g->ev_scroll -= 10;
        break;
    case SDLK_TAB:
        g->tab = g->tab == TAB_DETAILS ? TAB_LAYERS : TAB_DETAILS;
        break;
    case SDLK_RIGHTBRACKET:
        view_zoom_at(g, 1.25, cx, cy);
        break;
    case SDLK_LEFTBRACKET:
        view_zoom_at(g, 1 / 1.25, cx, cy);
        break;
    case SDLK_v:
        g->zoom = 1;
        g->pan_x = g->pan_y = 0;
        break;
    case SDLK_s:
        if (ctrl) do_save(g);
        break;
    case SDLK_o:
        browser_open(g);
        break;
    case SDLK_F1:
        g->help = !g->help;
        break;
    case SDLK_F5:
        if (g->s.path) {
            char *p = strdup(g->s.path);
            if (!p) abort();
            gui_open_file(g, p);
            free(p);
        }
        break;
    case SDLK_F11:
        gui_set_big(g, !g->big);
        break;
    case SDLK_ESCAPE:
        if (g->help) {
            g->help = false;
        } else {
            g->sel_node = -1;
            close_console(g);
        }
        break;
    case SDLK_q:
        g->quit = true;
        break;
    default:
        break;
    }
    layout_apply_view(g);
}

static void on_text(struct gui *g, const char *text)
{
    char *buf = g->typing ? g->input : g->console_on ? g->console_in : NULL;
    size_t cap = g->typing ? sizeof g->input : sizeof g->console_in;
    if (!buf) return;
    if (strlen(buf) + strlen(text) < cap - 1) strcat(buf, text);
}

void gui_handle_event(struct gui *g, const SDL_Event *ev)
{
    /* The key that opened a prompt may also arrive as text right after. */
    char swallow = g->swallow;
    g->swallow = 0;
    switch (ev->type) {
    case SDL_QUIT:
        g->quit = true;
        break;
    case SDL_KEYDOWN:
        on_key(g, ev->key.keysym);
        break;
    case SDL_TEXTINPUT:
        if (swallow && (ev->text.text[0] | 0x20) == swallow && !ev->text.text[1]) break;
        on_text(g, ev->text.text);
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (ev->button.button == SDL_BUTTON_LEFT) on_button_down(g, ev->button.x, ev->button.y);
        break;
    case SDL_MOUSEBUTTONUP:
        if (ev->button.button == SDL_BUTTON_LEFT) on_button_up(g, ev->button.x, ev->button.y);
        break;
    case SDL_MOUSEMOTION:
        on_motion(g, ev->motion.x, ev->motion.y);
        break;
    case SDL_MOUSEWHEEL:
        if (ev->wheel.y) on_wheel(g, ev->wheel.y > 0 ? 1 : -1);
        break;
    case SDL_DROPFILE:
        gui_open_file(g, ev->drop.file);
        break;
    default:
        break;
    }
}

/* ---- --keys scripts ---- */

static SDL_Event *push(SDL_Event **evs, int *n, int *cap)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *evs = realloc(*evs, sizeof **evs * (size_t)*cap);
        if (!*evs) abort();
    }
    SDL_Event *e = &(*evs)[(*n)++];
    memset(e, 0, sizeof *e);
    return e;
}

static void push_button(SDL_Event **evs, int *n, int *cap, Uint32 type, int x, int y)
{
    SDL_Event *e = push(evs, n, cap);
    e->type = type;
    e->button.button = SDL_BUTTON_LEFT;
    e->button.x = x;
    e->button.y = y;
}

static void push_motion(SDL_Event **evs, int *n, int *cap, int x, int y)
{
    SDL_Event *e = push(evs, n, cap);
    e->type = SDL_MOUSEMOTION;
    e->motion.x = x;
    e->motion.y = y;
}

/* Test hook (--keys): input as if the user typed it. Comma-separated: SDL
 * key names ("Right", "Left", "Space", "F5", "Q"; "Ctrl+S", "Shift+Right"
 * hold a modifier), "text:STRING", "click:X:Y", "move:X:Y",
 * "drag:X1:Y1:X2:Y2", "wheel:X:Y:N", "drop:PATH", and "wait:MS", that many
 * milliseconds of real time passing while playing (headless: a play tick
 * of exactly that length, an SDL_USEREVENT with code GUI_EV_WAIT and the
 * milliseconds in data1; a window just draws a frame). The drop path is
 * allocated with SDL_strdup; the caller frees it after use. */
int keys_parse(const char *script, SDL_Event **out)
{
    SDL_Event *evs = NULL;
    int n = 0, cap = 0;
    char *copy = strdup(script);
    if (!copy) abort();
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int x, y, x2, y2, k;
        if (strncmp(tok, "text:", 5) == 0) {
            /* SDL's text events hold 31 bytes: longer text comes in parts. */
            const char *t = tok + 5;
            do {
                SDL_Event *e = push(&evs, &n, &cap);
                e->type = SDL_TEXTINPUT;
                size_t part = strlen(t) < 31 ? strlen(t) : 31;
                memcpy(e->text.text, t, part);
                e->text.text[part] = 0;
                t += part;
            } while (*t);
        } else if (sscanf(tok, "drag:%d:%d:%d:%d", &x, &y, &x2, &y2) == 4) {
            push_button(&evs, &n, &cap, SDL_MOUSEBUTTONDOWN, x, y);
            push_motion(&evs, &n, &cap, (x + x2) / 2, (y + y2) / 2);
            push_motion(&evs, &n, &cap, x2, y2);
            push_button(&evs, &n, &cap, SDL_MOUSEBUTTONUP, x2, y2);
        } else if (sscanf(tok, "click:%d:%d", &x, &y) == 2) {
            push_button(&evs, &n, &cap, SDL_MOUSEBUTTONDOWN, x, y);
            push_button(&evs, &n, &cap, SDL_MOUSEBUTTONUP, x, y);
        } else if (sscanf(tok, "move:%d:%d", &x, &y) == 2) {
            push_motion(&evs, &n, &cap, x, y);
        } else if (sscanf(tok, "wheel:%d:%d:%d", &x, &y, &k) == 3) {
            push_motion(&evs, &n, &cap, x, y);
            for (int i = 0; i < (k < 0 ? -k : k) && i < 50; i++) {
                SDL_Event *e = push(&evs, &n, &cap);
                e->type = SDL_MOUSEWHEEL;
                e->wheel.y = k < 0 ? -1 : 1;
            }
        } else if (sscanf(tok, "wait:%d", &k) == 1 && k >= 0) {
            SDL_Event *e = push(&evs, &n, &cap);
            e->type = SDL_USEREVENT;
            e->user.code = GUI_EV_WAIT;
            e->user.data1 = (void *)(intptr_t)k;
        } else if (strncmp(tok, "drop:", 5) == 0) {
            SDL_Event *e = push(&evs, &n, &cap);
            e->type = SDL_DROPFILE;
            e->drop.file = SDL_strdup(tok + 5);
        } else {
            SDL_Event *e = push(&evs, &n, &cap);
            e->type = SDL_KEYDOWN;
            for (;;) {
                if (strncmp(tok, "Ctrl+", 5) == 0 && tok[5]) {
                    e->key.keysym.mod |= KMOD_LCTRL;
                    tok += 5;
                } else if (strncmp(tok, "Shift+", 6) == 0 && tok[6]) {
                    e->key.keysym.mod |= KMOD_LSHIFT;
                    tok += 6;
                } else {
                    break;
                }
            }
            e->key.keysym.sym = SDL_GetKeyFromName(tok);
        }
    }
    free(copy);
    *out = evs;
    return n;
}
