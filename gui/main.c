/* main.c - netstep-gui: the SDL2 visualizer.
 *
 *   netstep-gui [--size WxH] FILE
 *   netstep-gui --headless [--screenshot OUT.png] [--dump-ui OUT.txt] [--at T] [--size WxH] FILE
 *
 * Headless mode draws with SDL's software renderer into a surface (no
 * display needed) the scenario as it is at simulated time T (default: the
 * middle of the first ICMP frame's flight, else of the first frame), writes
 * it as a PNG and, with --dump-ui, a text listing of what was drawn, which is
 * how the tests check the GUI. Without --headless it opens a window; F1
 * lists the shortcuts. */
#include "gui.h"

#include <SDL_image.h>
#include <stdlib.h>
#include <string.h>

#define FONT_SANS "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define FONT_MONO "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"

struct gui_args {
    bool headless;
    const char *screenshot, *dump, *at, *file;
    const char *keys; /* test hook: scripted input for the window */
    int w, h;
};

static int usage(const char *msg)
{
    if (msg) fprintf(stderr, "netstep-gui: %s\n", msg);
    fprintf(stderr, "usage: netstep-gui [--size WxH] FILE\n"
                    "       netstep-gui --headless [--screenshot OUT.png] [--dump-ui OUT.txt] "
                    "[--at T] [--size WxH] FILE\n");
    return 2;
}

static int args_parse(int argc, char **argv, struct gui_args *a)
{
    memset(a, 0, sizeof *a);
    a->w = 1280;
    a->h = 800;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(s, "--headless") == 0) {
            a->headless = true;
        } else if (strcmp(s, "--screenshot") == 0 && has) {
            a->screenshot = argv[++i];
        } else if (strcmp(s, "--dump-ui") == 0 && has) {
            a->dump = argv[++i];
        } else if (strcmp(s, "--keys") == 0 && has) {
            a->keys = argv[++i];
        } else if (strcmp(s, "--at") == 0 && has) {
            a->at = argv[++i];
        } else if (strcmp(s, "--size") == 0 && has) {
            if (sscanf(argv[++i], "%dx%d", &a->w, &a->h) != 2 || a->w < 320 || a->h < 240 ||
                a->w > 8192 || a->h > 8192)
                return usage("--size wants WxH, at least 320x240");
        } else if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            usage(NULL);
            exit(0);
        } else if (s[0] == '-' && s[1]) {
            return usage("unknown option");
        } else if (!a->file) {
            a->file = s;
        } else {
            return usage("more than one file");
        }
    }
    if (a->headless && !a->file) return usage("--headless needs a FILE");
    if (a->headless && !a->screenshot && !a->dump)
        return usage("--headless needs --screenshot or --dump-ui");
    return 0;
}

static void fonts_close(struct gui *g)
{
    TTF_Font **f[4] = {&g->font, &g->bold, &g->mono, &g->small};
    for (int i = 0; i < 4; i++) {
        if (*f[i]) TTF_CloseFont(*f[i]);
        *f[i] = NULL;
    }
}

static bool fonts_open(struct gui *g)
{
    fonts_close(g);
    double k = g->big ? 1.6 : 1.0;
    g->font = TTF_OpenFont(FONT_SANS, (int)(14 * k));
    g->bold = TTF_OpenFont(FONT_BOLD, (int)(14 * k));
    if (!g->bold) g->bold = TTF_OpenFont(FONT_SANS, (int)(14 * k));
    g->mono = TTF_OpenFont(FONT_MONO, (int)(13 * k));
    g->small = TTF_OpenFont(FONT_SANS, (int)(12 * k));
    if (!g->font || !g->bold || !g->mono || !g->small) {
        fprintf(stderr, "netstep-gui: cannot open the DejaVu fonts (%s): %s\n", FONT_SANS,
                TTF_GetError());
        return false;
    }
    g->line_h = TTF_FontLineSkip(g->font);
    g->mono_h = TTF_FontLineSkip(g->mono);
    g->small_h = TTF_FontLineSkip(g->small);
    g->relayout = true;
    return true;
}

static void gui_free(struct gui *g)
{
    fonts_close(g);
    session_close(&g->s);
    free(g->node_rect);
    free(g->node_text);
    free(g->dump.buf);
    if (g->ren) SDL_DestroyRenderer(g->ren);
    if (g->surface) SDL_FreeSurface(g->surface);
    if (g->win) SDL_DestroyWindow(g->win);
}

static bool write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "w");
    if (!f) return false;
    bool ok = fwrite(text, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

static int run_headless(struct gui *g, const struct gui_args *a)
{
    char err[600];
    if (!session_open(&g->s, a->file, err, sizeof err)) {
        fprintf(stderr, "netstep-gui: %s\n", err);
        return 2;
    }
    sim_time t;
    if (a->at) {
        if (!sim_time_parse(a->at, &t)) {
            fprintf(stderr, "netstep-gui: --at: not a time: %s\n", a->at);
            return 2;
        }
    } else {
        t = session_auto_time(&g->s);
    }
    session_run_to_time(&g->s, t);
    g->cur = (long)g->s.n_steps - 1;
    g->surface = SDL_CreateRGBSurfaceWithFormat(0, g->w, g->h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!g->surface) {
        fprintf(stderr, "netstep-gui: %s\n", SDL_GetError());
        return 1;
    }
    g->ren = SDL_CreateSoftwareRenderer(g->surface);
    if (!g->ren) {
        fprintf(stderr, "netstep-gui: %s\n", SDL_GetError());
        return 1;
    }
    SDL_SetRenderDrawBlendMode(g->ren, SDL_BLENDMODE_BLEND);
    g->dump.on = a->dump != NULL;
    char ts[32];
    dump_printf(g, "file %s\ntime %s\n", a->file, sim_time_format(g->s.now, ts, sizeof ts));
    render_frame(g);
    SDL_RenderPresent(g->ren);
    if (a->screenshot && IMG_SavePNG(g->surface, a->screenshot) != 0) {
        fprintf(stderr, "netstep-gui: %s: %s\n", a->screenshot, IMG_GetError());
        return 1;
    }
    if (a->dump && !write_file(a->dump, g->dump.buf ? g->dump.buf : "", g->dump.len)) {
        fprintf(stderr, "netstep-gui: %s: cannot write\n", a->dump);
        return 1;
    }
    return 0;
}

/* ---- interactive ---- */

static void gui_message(struct gui *g, bool error, const char *text)
{
    snprintf(g->message, sizeof g->message, "%s", text);
    g->message_is_error = error;
}

static void device_refresh(struct gui *g)
{
    free(g->node_text);
    g->node_text = NULL;
    struct sim *sim = session_sim(&g->s);
    if (g->sel_node < 0 || !sim || (uint32_t)g->sel_node >= sim_node_count(sim)) return;
    struct node *n = sim_node(sim, (uint32_t)g->sel_node);
    size_t cap = 8192, len = 0;
    char *t = malloc(cap);
    if (!t) abort();
    t[0] = 0;
    len += (size_t)snprintf(t + len, cap - len, "Interfaces:\n");
    for (uint32_t i = 0; i < n->n_ifaces && len < cap - 200; i++) {
        const struct iface *f = n->ifaces[i];
        len += (size_t)snprintf(
            t + len, cap - len,
            " %-6s %02x:%02x:%02x:%02x:%02x:%02x %s tx %llu rx %llu drop %llu\n", f->name,
            f->mac[0], f->mac[1], f->mac[2], f->mac[3], f->mac[4], f->mac[5], f->up ? "up" : "down",
            (unsigned long long)f->cnt.tx_frames, (unsigned long long)f->cnt.rx_frames,
            (unsigned long long)f->cnt.drops);
        for (int k = 0; k < f->n_addr && len < cap - 100; k++) {
            uint32_t a = f->addr[k];
            len += (size_t)snprintf(t + len, cap - len, "        inet %u.%u.%u.%u/%u\n", a >> 24,
                                    (a >> 16) & 255, (a >> 8) & 255, a & 255, f->plen[k]);
        }
    }
    const char *cmds[3] = {NULL, NULL, NULL};
    if (n->kind == NODE_HOST || n->kind == NODE_SERVER) {
        cmds[0] = "arp -a";
        cmds[1] = "ip route";
    } else if (n->kind == NODE_ROUTER) {
        cmds[0] = "show arp";
        cmds[1] = "show ip route";
    } else if (n->kind == NODE_SWITCH) {
        cmds[0] = "show mac address-table";
    }
    for (int c = 0; c < 3 && cmds[c]; c++) {
        char *out = session_node_command(&g->s, g->sel_node, cmds[c]);
        size_t need = len + strlen(cmds[c]) + strlen(out) + 16;
        if (need > cap) {
            cap = need * 2;
            t = realloc(t, cap);
            if (!t) abort();
        }
        len += (size_t)snprintf(t + len, cap - len, "\n%s$ %s\n%s", n->name, cmds[c], out);
        free(out);
    }
    g->node_text = t;
}

static void open_file(struct gui *g, const char *path)
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
        free(g->node_text);
        g->node_text = NULL;
    }
    free(copy);
}

static void time_changed(struct gui *g)
{
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
    g->sel_field = -1;
    time_changed(g);
}

static void step_back(struct gui *g)
{
    g->playing = false;
    if (g->cur < 0) return;
    session_replay_steps(&g->s, (size_t)g->cur);
    g->cur--;
    g->sel_field = -1;
    g->message[0] = 0;
    time_changed(g);
}

static void jump_to(struct gui *g, sim_time t)
{
    session_run_to_time(&g->s, t);
    g->cur = (long)g->s.n_steps - 1;
    g->sel_field = -1;
    time_changed(g);
}

static bool packets_in_flight(const struct gui_session *s)
{
    for (size_t i = s->n_steps; i-- > 0;) {
        const struct gui_step *st = &s->steps[i];
        if (st->kind == TK_TRANSMIT && st->arrive_time > s->now) return true;
        /* Frames are short: anything sent a second ago has arrived. */
        if (st->time + SIM_S < s->now) break;
    }
    return false;
}

static void play_tick(struct gui *g, double real_s)
{
    if (!g->playing || !g->s.runner) return;
    sim_time t = g->s.now + (sim_time)(g->speed * real_s);
    sim_time next = session_next_time(&g->s);
    /* Skip the quiet stretches between events: slow motion only where
     * something is on a wire. */
    if (!packets_in_flight(&g->s) && next > t && next != SIM_TIME_MAX) t = next;
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

static void on_click(struct gui *g, int x, int y)
{
    if (g->help) {
        g->help = false;
        return;
    }
    for (int i = 0; i < g->n_event_rows; i++)
        if (in_rect(g->event_rows[i].r, x, y)) {
            long idx = g->event_rows[i].index;
            g->playing = false;
            session_replay_steps(&g->s, (size_t)idx + 1);
            g->cur = idx;
            g->sel_field = -1;
            time_changed(g);
            return;
        }
    for (int i = 0; i < g->n_field_rows; i++)
        if (in_rect(g->field_rows[i].r, x, y)) {
            g->sel_field = (int)g->field_rows[i].index;
            return;
        }
    if (!in_rect(g->canvas, x, y)) return;
    for (int i = 0; i < g->n_node_rect; i++) {
        SDL_Rect r = g->node_rect[i];
        SDL_Rect hit = {r.x - 6, r.y - 6, r.w + 12, r.h + 12 + g->line_h};
        if (in_rect(hit, x, y)) {
            g->sel_node = i;
            device_refresh(g);
            return;
        }
    }
    g->sel_node = -1;
}

static void on_key(struct gui *g, SDL_Keysym k)
{
    bool ctrl = (k.mod & KMOD_CTRL) != 0;
    if (g->typing) {
        if (k.sym == SDLK_ESCAPE) {
            g->typing = false;
            SDL_StopTextInput();
        } else if (k.sym == SDLK_BACKSPACE && g->input[0]) {
            g->input[strlen(g->input) - 1] = 0;
        } else if (k.sym == SDLK_RETURN || k.sym == SDLK_KP_ENTER) {
            sim_time t;
            g->typing = false;
            SDL_StopTextInput();
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
        return;
    }
    switch (k.sym) {
    case SDLK_SPACE:
        g->playing = !g->playing;
        if (g->playing) g->message[0] = 0;
        break;
    case SDLK_RIGHT:
        step_forward(g);
        break;
    case SDLK_LEFT:
        step_back(g);
        break;
    case SDLK_HOME:
        g->playing = false;
        session_replay_steps(&g->s, 0);
        g->cur = -1;
        time_changed(g);
        break;
    case SDLK_PLUS:
    case SDLK_EQUALS:
    case SDLK_KP_PLUS:
        if (ctrl) {
            g->big = !g->big;
            fonts_open(g);
        } else if (g->speed < 1e10) {
            g->speed *= 2;
        }
        break;
    case SDLK_MINUS:
    case SDLK_KP_MINUS:
        if (g->speed > 1) g->speed /= 2;
        break;
    case SDLK_j:
        g->typing = true;
        g->input[0] = 0;
        SDL_StartTextInput();
        break;
    case SDLK_UP:
        field_move(g, -1);
        break;
    case SDLK_DOWN:
        field_move(g, 1);
        break;
    case SDLK_F1:
        g->help = !g->help;
        break;
    case SDLK_F5:
        if (g->s.path) {
            char *p = strdup(g->s.path);
            if (!p) abort();
            open_file(g, p);
            free(p);
        }
        break;
    case SDLK_F11:
        g->big = !g->big;
        fonts_open(g);
        break;
    case SDLK_ESCAPE:
        if (g->help)
            g->help = false;
        else
            g->sel_node = -1;
        break;
    case SDLK_q:
        g->quit = true;
        break;
    default:
        break;
    }
}

/* Test hook (--keys): queues input as if the user typed it, so tests can
 * drive the window under SDL's dummy video driver. Comma-separated: SDL key
 * names ("Right", "Left", "Space", "F5", "Q"; "Ctrl+=" holds Ctrl),
 * "text:STRING", "click:X:Y", "drop:PATH". */
static void keys_push(const char *script)
{
    char *copy = strdup(script);
    if (!copy) abort();
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        SDL_Event ev;
        memset(&ev, 0, sizeof ev);
        int x, y;
        if (strncmp(tok, "text:", 5) == 0) {
            ev.type = SDL_TEXTINPUT;
            snprintf(ev.text.text, sizeof ev.text.text, "%s", tok + 5);
        } else if (sscanf(tok, "click:%d:%d", &x, &y) == 2) {
            ev.type = SDL_MOUSEBUTTONDOWN;
            ev.button.button = SDL_BUTTON_LEFT;
            ev.button.x = x;
            ev.button.y = y;
        } else if (strncmp(tok, "drop:", 5) == 0) {
            ev.type = SDL_DROPFILE;
            ev.drop.file = SDL_strdup(tok + 5);
        } else {
            ev.type = SDL_KEYDOWN;
            if (strncmp(tok, "Ctrl+", 5) == 0) {
                ev.key.keysym.mod = KMOD_LCTRL;
                tok += 5;
            }
            ev.key.keysym.sym = SDL_GetKeyFromName(tok);
        }
        /* One frame between events, as a user would see. */
        SDL_Event frame;
        memset(&frame, 0, sizeof frame);
        frame.type = SDL_USEREVENT;
        SDL_PushEvent(&ev);
        SDL_PushEvent(&frame);
    }
    free(copy);
}

static int run_window(struct gui *g, const struct gui_args *a)
{
    g->win = SDL_CreateWindow("netstep-gui", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, g->w,
                              g->h, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!g->win) {
        fprintf(stderr, "netstep-gui: cannot open a window: %s\n", SDL_GetError());
        return 1;
    }
    g->ren = SDL_CreateRenderer(g->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!g->ren) g->ren = SDL_CreateRenderer(g->win, -1, SDL_RENDERER_SOFTWARE);
    if (!g->ren) {
        fprintf(stderr, "netstep-gui: %s\n", SDL_GetError());
        return 1;
    }
    SDL_SetRenderDrawBlendMode(g->ren, SDL_BLENDMODE_BLEND);
    SDL_StopTextInput(); /* text events only while the jump prompt is open */
    if (a->file) open_file(g, a->file);
    if (a->keys) keys_push(a->keys);
    g->dump.on = a->dump != NULL;
    Uint64 last = SDL_GetPerformanceCounter();
    while (!g->quit) {
        SDL_Event ev;
        bool got = g->playing ? SDL_PollEvent(&ev) : SDL_WaitEventTimeout(&ev, 100);
        while (got) {
            switch (ev.type) {
            case SDL_QUIT:
                g->quit = true;
                break;
            case SDL_KEYDOWN:
                on_key(g, ev.key.keysym);
                break;
            case SDL_TEXTINPUT:
                /* The J that opened the prompt also arrives as text. */
                if (g->typing && strcmp(ev.text.text, "j") && strcmp(ev.text.text, "J") &&
                    strlen(g->input) + strlen(ev.text.text) < sizeof g->input - 1)
                    strcat(g->input, ev.text.text);
                break;
            case SDL_MOUSEBUTTONDOWN:
                if (ev.button.button == SDL_BUTTON_LEFT) {
                    /* Mouse is in window points; the renderer may be in pixels. */
                    int ww, wh;
                    SDL_GetWindowSize(g->win, &ww, &wh);
                    on_click(g, ev.button.x * g->w / (ww ? ww : 1),
                             ev.button.y * g->h / (wh ? wh : 1));
                }
                break;
            case SDL_DROPFILE:
                open_file(g, ev.drop.file);
                SDL_free(ev.drop.file);
                break;
            case SDL_USEREVENT:
                got = false; /* draw a frame before the next queued event */
                continue;
            default:
                break;
            }
            got = SDL_PollEvent(&ev);
        }
        Uint64 nowc = SDL_GetPerformanceCounter();
        double dt = (double)(nowc - last) / (double)SDL_GetPerformanceFrequency();
        last = nowc;
        if (dt > 0.1) dt = 0.1;
        play_tick(g, dt);
        SDL_GetRendererOutputSize(g->ren, &g->w, &g->h);
        g->dump.len = 0; /* the dump shows the last frame drawn */
        render_frame(g);
        SDL_RenderPresent(g->ren);
    }
    if (a->dump && !write_file(a->dump, g->dump.buf ? g->dump.buf : "", g->dump.len)) {
        fprintf(stderr, "netstep-gui: %s: cannot write\n", a->dump);
        return 1;
    }
    if (a->screenshot) { /* the last frame, as the user saw it */
        SDL_Surface *shot =
            SDL_CreateRGBSurfaceWithFormat(0, g->w, g->h, 32, SDL_PIXELFORMAT_ARGB8888);
        bool ok = shot &&
                  SDL_RenderReadPixels(g->ren, NULL, SDL_PIXELFORMAT_ARGB8888, shot->pixels,
                                       shot->pitch) == 0 &&
                  IMG_SavePNG(shot, a->screenshot) == 0;
        if (shot) SDL_FreeSurface(shot);
        if (!ok) {
            fprintf(stderr, "netstep-gui: %s: %s\n", a->screenshot, SDL_GetError());
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct gui_args a;
    int rc = args_parse(argc, argv, &a);
    if (rc) return rc;
    if (a.headless) {
        /* No display needed: nothing here opens a window. */
        SDL_setenv("SDL_VIDEODRIVER", "dummy", 1);
        SDL_setenv("SDL_AUDIODRIVER", "dummy", 1);
    }
    if (SDL_Init(a.headless ? 0 : SDL_INIT_VIDEO) != 0 || TTF_Init() != 0) {
        fprintf(stderr, "netstep-gui: SDL: %s\n", SDL_GetError());
        return 1;
    }
    struct gui g;
    memset(&g, 0, sizeof g);
    g.w = a.w;
    g.h = a.h;
    g.cur = -1;
    g.sel_field = -1;
    g.sel_node = -1;
    g.speed = 20e3; /* 20 us of simulated time per second: a short hop takes about a second */
    g.headless = a.headless;
    if (!fonts_open(&g)) {
        gui_free(&g);
        TTF_Quit();
        SDL_Quit();
        return 1;
    }
    rc = a.headless ? run_headless(&g, &a) : run_window(&g, &a);
    gui_free(&g);
    TTF_Quit();
    IMG_Quit();
    SDL_Quit();
    return rc;
}
