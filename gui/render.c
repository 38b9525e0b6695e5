/* render.c - draws one frame of the GUI: lays out the panels (toolbar,
 * topology canvas, event list, inspector) and draws them, then the
 * overlays (device view and console, scenario browser, help, jump-to-time).
 * Everything drawn is also written to the UI dump when one was asked for.
 * The panels themselves live in canvas.c, events.c, inspector.c,
 * console.c and browser.c. */
#include "gui.h"
#include "engine/net.h"

#include <stdlib.h>
#include <string.h>

static const SDL_Color C_BG = {236, 239, 243, 255}, C_TEXT = {28, 32, 40, 255},
                       C_HEAD = {52, 73, 102, 255}, C_WHITE = {255, 255, 255, 255},
                       C_ERR = {200, 40, 40, 255};

const char *gui_node_name(const struct gui *g, int i)
{
    const struct model *m = g->s.model;
    return m && i >= 0 && i < m->n_nodes ? m->nodes[i].name : "-";
}

const char *gui_iface_name(const struct gui *g, int node, int iface)
{
    struct sim *sim = session_sim(&g->s);
    if (!sim || node < 0 || iface < 0 || (uint32_t)node >= sim_node_count(sim)) return "";
    const struct node *n = sim_node(sim, (uint32_t)node);
    return (uint32_t)iface < n->n_ifaces ? n->ifaces[iface]->name : "";
}

/* ---- toolbar and overlays ---- */

static void toolbar_draw(struct gui *g)
{
    SDL_Rect t = g->toolbar;
    draw_fill(g, t, C_HEAD);
    const struct model *m = g->s.model;
    char now[32], until[32];
    sim_time_format(g->s.now, now, sizeof now);
    sim_time_format(session_until(&g->s), until, sizeof until);
    char speed[48];
    if (g->speed >= 1e6)
        snprintf(speed, sizeof speed, "%.3g ms/s", g->speed / 1e6);
    else
        snprintf(speed, sizeof speed, "%.3g us/s", g->speed / 1e3);
    char txt[512];
    snprintf(txt, sizeof txt,
             "%s   |   t = %s s of %s   |   step %ld of %zu%s   |   %s %s   |   F1 help",
             m && m->name ? m->name : "netstep-gui", now, until, g->cur + 1, g->s.n_steps,
             g->s.ended ? " (end)" : "", g->playing ? "playing" : "paused", speed);
    draw_text(g, g->bold, t.x + 10, t.y + (t.h - g->line_h) / 2, t.w - 20, C_WHITE, txt);
    dump_printf(g, "toolbar %s\n", txt);
    /* A Lua error that stopped the run stays up (over a status line such
     * as "End of the scenario") until another error replaces it or a step
     * back replays to before it. */
    const char *text = g->message;
    bool error = g->message_is_error;
    char lua_err[700];
    const char *stopped = session_error(&g->s);
    if (stopped[0] && !(text[0] && error)) {
        snprintf(lua_err, sizeof lua_err, "The Lua script stopped the run: %s", stopped);
        text = lua_err;
        error = true;
    }
    if (text[0]) {
        SDL_Rect b = {g->canvas.x, g->canvas.y, g->canvas.w, g->line_h * 2 + 8};
        draw_fill(g, b, error ? (SDL_Color){255, 225, 225, 255} : (SDL_Color){225, 240, 255, 255});
        draw_wrapped(g, g->font, b.x + 8, b.y + 4, b.w - 16, 2, error ? C_ERR : C_TEXT, text);
        dump_printf(g, "message %s%s\n", error ? "[error] " : "", text);
    }
}

void overlay_box(struct gui *g, SDL_Rect r, const char *title)
{
    draw_fill(g, r, (SDL_Color){255, 255, 255, 245});
    draw_frame(g, r, C_HEAD);
    draw_fill(g, (SDL_Rect){r.x, r.y, r.w, g->line_h + 6}, C_HEAD);
    draw_text(g, g->bold, r.x + 8, r.y + 3, r.w - 16, C_WHITE, title);
}

/* Every control, keyboard first: a teacher at a projector never needs the
 * mouse. Listed by the F1 overlay and in docs/gui.md. */
static const char *const HELP[][2] = {
    {"Space", "play / pause"},
    {"Right / Left", "one trace step forward / back (back replays from 0)"},
    {"N / Shift+Right", "to the next frame event (sent or dropped)"},
    {"P / Shift+Left", "back to the previous frame event"},
    {"Home / End", "back to time 0 / run to the end"},
    {"J", "jump to a time: type it (1.5ms, 2s), Enter"},
    {"+ / -", "play faster / slower"},
    {"1 ... 9", "event filter: ARP ICMP UDP TCP DHCP DNS HTTP TLS other"},
    {"0", "show every protocol again"},
    {"PgUp / PgDn", "scroll the event list"},
    {"Tab", "inspector: PDU details / OSI layers in and out"},
    {"Up / Down", "previous / next field (hex bytes highlighted)"},
    {"wheel or ] / [", "zoom the canvas in / out"},
    {"Ctrl+arrows", "pan the canvas (or drag its background)"},
    {"V", "reset zoom and pan"},
    {"Drag a node", "move it;  Ctrl+S saves positions to the file"},
    {"Click a node", "its interfaces, tables and console"},
    {"C", "type a command on the open device's console"},
    {"Ctrl+C", "interrupt the command running on that console"},
    {"Click an event", "go to that moment"},
    {"Click a chip", "toggle that protocol in the event list"},
    {"Click a field", "highlight its bytes in the hex dump"},
    {"Hover a red X", "why the frame was dropped (click: go there)"},
    {"O / Ctrl+O", "browse the bundled scenarios"},
    {"F5", "reload the scenario from its file"},
    {"Drop a file", "open it"},
    {"F11 / Ctrl+=", "presentation mode (everything larger)"},
    {"Esc", "close an overlay or leave the console"},
    {"F1", "this help"},
    {"Q / Ctrl+Q", "quit"},
};

static void help_draw(struct gui *g)
{
    if (!g->help) return;
    int n = (int)(sizeof HELP / sizeof HELP[0]);
    int w = g->w * 9 / 10;
    int cols = (n + 2) * g->line_h + 20 > g->h * 9 / 10 ? 2 : 1;
    if (cols == 1) w = g->w * 2 / 3;
    int per = (n + cols - 1) / cols;
    int h = (per + 2) * g->line_h + 20;
    SDL_Rect r = {(g->w - w) / 2, (g->h - h) / 2, w, h};
    overlay_box(g, r, "Keyboard and mouse (F1 or Esc closes)");
    int cw = w / cols;
    int kw = 0;
    for (int i = 0; i < n; i++) {
        int tw = draw_text_width(g, g->bold, HELP[i][0]);
        if (tw > kw) kw = tw;
    }
    if (kw > cw / 2) kw = cw / 2;
    for (int i = 0; i < n; i++) {
        int x = r.x + 16 + (i / per) * cw, y = r.y + g->line_h + 12 + (i % per) * g->line_h;
        draw_text(g, g->bold, x, y, kw, C_TEXT, HELP[i][0]);
        draw_text(g, g->font, x + kw + 12, y, cw - kw - 36, C_TEXT, HELP[i][1]);
        dump_printf(g, "help %s: %s\n", HELP[i][0], HELP[i][1]);
    }
}

static void jump_draw(struct gui *g)
{
    if (!g->typing) return;
    int w = g->w / 3, h = g->line_h * 2 + 20;
    SDL_Rect r = {(g->w - w) / 2, g->h / 3, w, h};
    overlay_box(g, r, "Jump to time (e.g. 1.5ms, 2s), Enter");
    draw_textf(g, g->font, r.x + 10, r.y + g->line_h + 10, w - 20, C_TEXT, "%s_", g->input);
}

void render_frame(struct gui *g)
{
    int tb = g->line_h + 12;
    g->toolbar = (SDL_Rect){0, 0, g->w, tb};
    int iw = g->w * 40 / 100;
    g->inspector = (SDL_Rect){g->w - iw, tb, iw, g->h - tb};
    int ch = (g->h - tb) * 64 / 100;
    SDL_Rect old = g->canvas;
    g->canvas = (SDL_Rect){0, tb, g->w - iw, ch};
    g->events = (SDL_Rect){0, tb + ch, g->w - iw, g->h - tb - ch};
    text_cache_frame(g);
    if (g->relayout || (!SDL_RectEquals(&old, &g->canvas) && !g->user_moved)) {
        layout_nodes(g);
        g->relayout = false;
    } else {
        layout_apply_view(g);
    }
    draw_fill(g, (SDL_Rect){0, 0, g->w, g->h}, C_BG);
    dump_printf(g, "size %d %d scale %.1f line_h %d\n", g->w, g->h, g->scale, g->line_h);
    canvas_draw(g);
    events_draw(g);
    inspector_draw(g);
    toolbar_draw(g);
    device_draw(g);
    browser_draw(g);
    help_draw(g);
    jump_draw(g);
}
