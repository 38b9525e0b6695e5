/* events.c - the event list, as in Packet Tracer's simulation panel: one
 * row per frame put on a wire (and per drop), with filter chips per
 * protocol above it.
 *
 * It must stay fast with a long history: the session keeps the indices of
 * the event steps in order, the filtered list is built incrementally (only
 * new events are looked at, everything again only when a filter changes or
 * the history restarts), the current moment is found by binary search and
 * only the rows that fit are drawn. */
#include "gui.h"

#include <stdlib.h>
#include <string.h>

static const SDL_Color C_PANEL = {250, 250, 252, 255}, C_TEXT = {28, 32, 40, 255},
                       C_DIM = {96, 104, 118, 255}, C_BORDER = {200, 205, 214, 255},
                       C_HEAD = {52, 73, 102, 255}, C_WHITE = {255, 255, 255, 255},
                       C_ERR = {200, 40, 40, 255}, C_ROWSEL = {210, 228, 255, 255};

bool events_pass(const struct gui *g, const struct gui_step *st)
{
    return !(g->filter_off & (1u << proto_filter(st->gp)));
}

void events_refresh(struct gui *g)
{
    const struct gui_session *s = &g->s;
    if (!g->fev_valid || g->fev_gen != s->generation || g->fev_mask != g->filter_off ||
        g->fev_upto > s->n_events) {
        g->n_fev = 0;
        g->fev_upto = 0;
        g->fev_gen = s->generation;
        g->fev_mask = g->filter_off;
        g->fev_valid = true;
    }
    for (; g->fev_upto < s->n_events; g->fev_upto++) {
        long idx = s->events[g->fev_upto];
        if (!events_pass(g, &s->steps[idx])) continue;
        if (g->n_fev == g->cap_fev) {
            g->cap_fev = g->cap_fev ? g->cap_fev * 2 : 1024;
            g->fev = realloc(g->fev, g->cap_fev * sizeof *g->fev);
            if (!g->fev) abort();
        }
        g->fev[g->n_fev++] = idx;
    }
}

/* Number of filtered events at or before step index i. */
static size_t fev_upto_step(const struct gui *g, long i)
{
    size_t lo = 0, hi = g->n_fev;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->fev[mid] <= i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void chips_draw(struct gui *g, SDL_Rect bar)
{
    int x = bar.x + 8, y = bar.y + 3, h = g->small_h + 4;
    x += draw_text(g, g->small, x, y + 2, 0, C_DIM, "Show:") + 8;
    char dump[256];
    size_t dl = 0;
    for (int f = 0; f < GF_COUNT; f++) {
        const char *name = filter_name(f);
        bool on = !(g->filter_off & (1u << f));
        int tw = draw_text_width(g, g->small, name);
        char key[4];
        snprintf(key, sizeof key, "%d", f + 1);
        int kw = draw_text_width(g, g->small, key);
        SDL_Rect r = {x, y, tw + kw + 20, h};
        /* Colour of the chip: its protocol's, or a neutral one for "other". */
        SDL_Color c = f == GF_OTHER ? proto_color_at(GP_OTHER) : proto_color(name);
        if (on) {
            draw_fill(g, r, c);
            draw_text(g, g->small, r.x + 6, r.y + 2, 0, C_WHITE, name);
        } else {
            draw_fill(g, r, (SDL_Color){232, 234, 238, 255});
            draw_frame(g, r, C_BORDER);
            draw_text(g, g->small, r.x + 6, r.y + 2, 0, C_DIM, name);
            draw_line(g, r.x + 4, r.y + r.h / 2, r.x + 8 + tw, r.y + r.h / 2, C_DIM);
        }
        draw_text(g, g->small, r.x + tw + 12, r.y + 2, 0, on ? C_WHITE : C_DIM, key);
        g->chip_rect[f] = r;
        dump_printf(g, "chip %s %s rect=%d,%d,%d,%d\n", name, on ? "on" : "off", r.x, r.y, r.w,
                    r.h);
        x += r.w + 6;
        dl += (size_t)snprintf(dump + dl, sizeof dump - dl, " %s=%s", name, on ? "on" : "off");
        if (dl >= sizeof dump) dl = sizeof dump - 1;
    }
    dump_printf(g, "filters%s\n", dump);
}

void events_draw(struct gui *g)
{
    SDL_Rect e = g->events;
    draw_fill(g, e, C_PANEL);
    draw_frame(g, e, C_BORDER);
    int lh = g->line_h;
    g->chips_bar = (SDL_Rect){e.x, e.y, e.w, g->small_h + 10};
    chips_draw(g, g->chips_bar);
    SDL_Rect head = {e.x, e.y + g->chips_bar.h, e.w, lh + 6};
    draw_fill(g, head, C_HEAD);
    int cols[5];
    int cw = draw_text_width(g, g->bold, "Last device") + 14;
    cols[0] = e.x + 8;
    cols[1] = cols[0] + cw;
    cols[2] = cols[1] + cw;
    cols[3] = cols[2] + cw;
    cols[4] = cols[3] + draw_text_width(g, g->font, "TELNET") + 20;
    const char *titles[5] = {"Time (s)", "Last device", "At device", "Type", "Info"};
    for (int i = 0; i < 5; i++)
        draw_text(g, g->bold, cols[i], head.y + 3, i < 4 ? cols[i + 1] - cols[i] - 4 : 0, C_WHITE,
                  titles[i]);
    int rows = (e.y + e.h - head.y - head.h - 4) / lh;
    if (rows < 1) rows = 1;
    if (rows > GUI_MAX_ROWS) rows = GUI_MAX_ROWS;
    const struct gui_session *s = &g->s;
    events_refresh(g);
    /* The most recent events up to the current step that fit, oldest
     * first, moved back by the scroll. */
    long last = g->cur >= 0 ? g->cur : (long)s->n_steps - 1;
    long here = (long)fev_upto_step(g, last);
    long max_scroll = here - rows > 0 ? here - rows : 0;
    if (g->ev_scroll > max_scroll) g->ev_scroll = max_scroll;
    if (g->ev_scroll < 0) g->ev_scroll = 0;
    long end = here - g->ev_scroll, start = end - rows > 0 ? end - rows : 0;
    long sel = here > 0 ? g->fev[here - 1] : -1;
    g->n_event_rows = 0;
    int y = head.y + head.h + 2;
    for (long k = start; k < end; k++) {
        long idx = g->fev[k];
        const struct gui_step *st = &s->steps[idx];
        SDL_Rect row = {e.x + 1, y, e.w - 2, lh};
        if (idx == sel) draw_fill(g, row, C_ROWSEL);
        char t[32];
        sim_time_format(st->time, t, sizeof t);
        bool drop = st->kind == TK_DROP;
        const char *at = drop ? "(dropped)" : gui_node_name(g, st->peer_node);
        draw_fill(g, (SDL_Rect){cols[3] - 6, y + 3, 4, lh - 6}, proto_color_at(st->gp));
        draw_text(g, g->font, cols[0], y, cols[1] - cols[0] - 4, C_TEXT, t);
        draw_text(g, g->font, cols[1], y, cols[2] - cols[1] - 4, C_TEXT,
                  gui_node_name(g, st->node));
        draw_text(g, g->font, cols[2], y, cols[3] - cols[2] - 4, drop ? C_ERR : C_TEXT, at);
        draw_text(g, g->font, cols[3], y, cols[4] - cols[3] - 4, C_TEXT,
                  st->proto[0] ? st->proto : "-");
        draw_text(g, g->font, cols[4], y, e.x + e.w - cols[4] - 6, drop ? C_ERR : C_TEXT,
                  st->summary);
        dump_printf(g, "event time=%s last=%s at=%s proto=%s info=%s%s\n", t,
                    gui_node_name(g, st->node), at, st->proto, st->summary,
                    idx == sel ? " [selected]" : "");
        if (g->n_event_rows < GUI_MAX_ROWS)
            g->event_rows[g->n_event_rows++] = (struct gui_row){row, idx};
        dump_printf(g, "event_row rect=%d,%d,%d,%d\n", row.x, row.y, row.w, row.h);
        y += lh;
    }
    if (end <= start)
        draw_text(g, g->font, cols[0], y, 0, C_DIM,
                  s->n_events ? "No event passes the filters yet: press 1-9 to toggle them."
                              : "No frame has been sent yet: press Right or Space.");
    dump_printf(g, "events_shown %ld of %zu (all protocols: %zu) scroll %ld\n", end - start,
                (size_t)here, s->n_events, g->ev_scroll);
}
