/* canvas.c - the topology canvas: icons per node kind, cables with their
 * interface names, address labels, frames in flight as envelopes coloured
 * by protocol (broadcasts with a ring and a trail, so a flood visibly fans
 * out), drops as a red burst where they happened with the reason on hover or
 * when selected, and a legend of the protocols present.
 *
 * Only the steps that can matter at the shown time are visited: the history
 * is ordered by time, so a binary search finds the moment and frames older
 * than the longest flight time cannot still be on a wire. */
#include "gui.h"
#include "engine/net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const SDL_Color C_CANVAS = {255, 255, 255, 255}, C_TEXT = {28, 32, 40, 255},
                       C_DIM = {96, 104, 118, 255}, C_LINE = {150, 158, 170, 255},
                       C_BORDER = {200, 205, 214, 255}, C_SEL = {255, 236, 150, 255},
                       C_WHITE = {255, 255, 255, 255}, C_ERR = {200, 40, 40, 255};

static SDL_Point node_center(const struct gui *g, int i)
{
    SDL_Rect r = g->node_rect[i];
    return (SDL_Point){r.x + r.w / 2, r.y + r.h / 2};
}

/* ---- icons, drawn with primitives; one shape and colour per kind ---- */

static void icon_draw(struct gui *g, enum node_kind k, SDL_Rect r)
{
    float x = (float)r.x, y = (float)r.y, s = (float)r.w;
    SDL_Color dark = {40, 48, 60, 255};
    switch (k) {
    case NODE_HOST: { /* a monitor on a stand */
        SDL_Rect scr = {r.x + (int)(s * 0.08f), r.y + (int)(s * 0.1f), (int)(s * 0.84f),
                        (int)(s * 0.56f)};
        draw_fill(g, scr, dark);
        SDL_Rect in = {scr.x + 3, scr.y + 3, scr.w - 6, scr.h - 6};
        draw_fill(g, in, (SDL_Color){120, 190, 240, 255});
        draw_fill(g,
                  (SDL_Rect){r.x + (int)(s * 0.44f), scr.y + scr.h, (int)(s * 0.12f) + 1,
                             (int)(s * 0.14f)},
                  dark);
        draw_fill(g,
                  (SDL_Rect){r.x + (int)(s * 0.26f), r.y + (int)(s * 0.8f), (int)(s * 0.48f),
                             (int)(s * 0.08f) + 1},
                  dark);
        break;
    }
    case NODE_SERVER: { /* a tower with drive bays and a LED */
        SDL_Rect t = {r.x + (int)(s * 0.25f), r.y + (int)(s * 0.04f), (int)(s * 0.5f),
                      (int)(s * 0.92f)};
        draw_fill(g, t, (SDL_Color){70, 80, 96, 255});
        for (int i = 0; i < 3; i++)
            draw_fill(
                g,
                (SDL_Rect){t.x + 4, t.y + 5 + i * (int)(s * 0.14f), t.w - 8, (int)(s * 0.07f) + 1},
                (SDL_Color){180, 190, 205, 255});
        draw_circle(g, (float)t.x + t.w / 2.0f, (float)(t.y + t.h) - s * 0.12f, s * 0.05f,
                    (SDL_Color){80, 220, 110, 255});
        break;
    }
    case NODE_SWITCH:
    case NODE_HUB: { /* a flat box; a switch shows arrows, a hub port dots */
        bool sw = k == NODE_SWITCH;
        SDL_Rect b = {r.x, r.y + (int)(s * 0.28f), r.w, (int)(s * 0.44f)};
        draw_fill(g, b, sw ? (SDL_Color){30, 140, 150, 255} : (SDL_Color){170, 150, 60, 255});
        draw_frame(g, b, dark);
        float cy = (float)b.y + b.h / 2.0f;
        if (sw) {
            float a = s * 0.1f;
            draw_thick_line(g, x + s * 0.15f, cy - a, x + s * 0.85f, cy - a, 2, C_WHITE);
            draw_triangle(g, x + s * 0.9f, cy - a, x + s * 0.78f, cy - a - 5, x + s * 0.78f,
                          cy - a + 5, C_WHITE);
            draw_thick_line(g, x + s * 0.15f, cy + a, x + s * 0.85f, cy + a, 2, C_WHITE);
            draw_triangle(g, x + s * 0.1f, cy + a, x + s * 0.22f, cy + a - 5, x + s * 0.22f,
                          cy + a + 5, C_WHITE);
        } else {
            for (int i = 0; i < 5; i++)
                draw_circle(g, x + s * (0.14f + 0.18f * (float)i), cy, s * 0.05f, C_WHITE);
        }
        break;
    }
    case NODE_ROUTER: { /* the classic round router with four arrows */
        float cx = x + s / 2, cy = y + s / 2, rad = s * 0.46f;
        draw_circle(g, cx, cy, rad, dark);
        draw_circle(g, cx, cy, rad - 2.5f, (SDL_Color){40, 90, 170, 255});
        float a = rad * 0.62f;
        draw_thick_line(g, cx - a, cy - a, cx + a, cy + a, 2.5f, C_WHITE);
        draw_thick_line(g, cx - a, cy + a, cx + a, cy - a, 2.5f, C_WHITE);
        float h = rad * 0.28f;
        draw_triangle(g, cx + a, cy + a, cx + a - h, cy + a, cx + a, cy + a - h, C_WHITE);
        draw_triangle(g, cx - a, cy - a, cx - a + h, cy - a, cx - a, cy - a + h, C_WHITE);
        draw_triangle(g, cx + a, cy - a, cx + a - h, cy - a, cx + a, cy - a + h, C_WHITE);
        draw_triangle(g, cx - a, cy + a, cx - a + h, cy + a, cx - a, cy + a - h, C_WHITE);
        break;
    }
    }
}

static float envelope_scale(const struct gui *g)
{
    double z = g->zoom < 0.5 ? 0.5 : g->zoom > 1.5 ? 1.5 : g->zoom;
    return (float)(g->scale * z);
}

static void envelope_draw(struct gui *g, float cx, float cy, SDL_Color c, float k)
{
    int w = (int)(24 * k), h = (int)(16 * k);
    SDL_Rect r = {(int)cx - w / 2, (int)cy - h / 2, w, h};
    SDL_Color ink = {30, 30, 30, 255};
    draw_fill(g, r, c);
    draw_frame(g, r, ink);
    draw_line(g, r.x, r.y, r.x + w / 2, r.y + h / 2, ink);
    draw_line(g, r.x + w - 1, r.y, r.x + w / 2, r.y + h / 2, ink);
}

/* A red burst with an X: something was dropped here. */
static void drop_mark_draw(struct gui *g, float cx, float cy, float k, bool selected)
{
    float r = 11 * k;
    if (selected) draw_circle(g, cx, cy, r + 6 * k, C_SEL);
    for (int i = 0; i < 8; i++) {
        float a = (float)i * 0.785398f;
        draw_thick_line(g, cx + cosf(a) * r * 0.6f, cy + sinf(a) * r * 0.6f,
                        cx + cosf(a) * r * 1.3f, cy + sinf(a) * r * 1.3f, 2 * k,
                        (SDL_Color){230, 70, 50, 200});
    }
    draw_circle(g, cx, cy, r, (SDL_Color){200, 30, 30, 255});
    float a = r * 0.5f;
    draw_thick_line(g, cx - a, cy - a, cx + a, cy + a, 3 * k, C_WHITE);
    draw_thick_line(g, cx - a, cy + a, cx + a, cy - a, 3 * k, C_WHITE);
}

/* ---- canvas ---- */

static void canvas_draw_links(struct gui *g)
{
    const struct model *m = g->s.model;
    for (int l = 0; l < m->n_links && l < g->n_links; l++) {
        const struct model_link *ml = &m->links[l];
        int a = g->link_a[l], b = g->link_b[l];
        if (a < 0 || b < 0) continue;
        SDL_Point pa = node_center(g, a), pb = node_center(g, b);
        draw_thick_line(g, (float)pa.x, (float)pa.y, (float)pb.x, (float)pb.y, 2.5f,
                        ml->down ? C_ERR : C_LINE);
        dump_printf(g, "link %s:%s %s:%s%s\n", ml->a_node, ml->a_iface, ml->b_node, ml->b_iface,
                    ml->down ? " down" : "");
    }
}

/* Height of the name and address lines drawn under a node's icon. */
static int node_label_h(const struct gui *g, int i)
{
    const struct model_node *mn = &g->s.model->nodes[i];
    int lines = 0;
    for (int k = 0; k < mn->n_ifaces; k++)
        lines += mn->ifaces[k].n_addr ? mn->ifaces[k].n_addr : mn->ifaces[k].dhcp;
    if (g->compact) lines = 0;
    return g->line_h + (lines > 3 ? 3 : lines) * g->small_h + 2;
}

static void canvas_draw_iface_names(struct gui *g)
{
    const struct model *m = g->s.model;
    if (g->compact) return;
    for (int l = 0; l < m->n_links && l < g->n_links; l++) {
        const struct model_link *ml = &m->links[l];
        int a = g->link_a[l], b = g->link_b[l];
        if (a < 0 || b < 0) continue;
        SDL_Point pa = node_center(g, a), pb = node_center(g, b);
        float dx = (float)(pb.x - pa.x), dy = (float)(pb.y - pa.y);
        float len = sqrtf(dx * dx + dy * dy);
        if (len < 1) continue;
        for (int end = 0; end < 2; end++) {
            SDL_Point p = end ? pb : pa;
            float ux = (end ? -dx : dx) / len, uy = (end ? -dy : dy) / len;
            const char *name = end ? ml->b_iface : ml->a_iface;
            int node = end ? b : a;
            int tw = draw_text_width(g, g->small, name);
            /* A tag on the cable just outside the icon, and below the node's
             * own labels when the cable leaves downwards. */
            float ax = fabsf(ux) > fabsf(uy) ? fabsf(ux) : fabsf(uy);
            float d = (float)g->node_rect[node].w * 0.5f / ax + fabsf(ux) * (float)tw / 2 +
                      fabsf(uy) * (float)g->small_h / 2 + 4;
            if (uy > 0.3f) d += (float)node_label_h(g, node) / uy;
            if (d > len * 0.45f) d = len * 0.45f;
            int tx = (int)((float)p.x + ux * d) - tw / 2;
            int ty = (int)((float)p.y + uy * d) - g->small_h / 2;
            SDL_Rect bg = {tx - 3, ty, tw + 6, g->small_h};
            draw_fill(g, bg, C_WHITE);
            draw_frame(g, bg, C_BORDER);
            draw_text(g, g->small, tx, ty, 0, C_DIM, name);
        }
    }
}

static void canvas_draw_nodes(struct gui *g)
{
    const struct model *m = g->s.model;
    for (int i = 0; i < m->n_nodes; i++) {
        const struct model_node *mn = &m->nodes[i];
        SDL_Rect r = g->node_rect[i];
        if (i == g->sel_node) {
            SDL_Rect h = {r.x - 5, r.y - 5, r.w + 10, r.h + 10};
            draw_fill(g, h, C_SEL);
        }
        icon_draw(g, mn->kind, r);
        int cx = r.x + r.w / 2, y = r.y + r.h + 2;
        int tw = draw_text_width(g, g->bold, mn->name);
        draw_text(g, g->bold, cx - tw / 2, y, 0, C_TEXT, mn->name);
        y += g->line_h;
        dump_printf(g, "node %s kind=%s rect=%d,%d,%d,%d\n", mn->name, node_kind_name(mn->kind),
                    r.x, r.y, r.w, r.h);
        int shown = 0;
        for (int k = 0; k < mn->n_ifaces; k++) {
            const struct model_iface *mi = &mn->ifaces[k];
            for (int a = 0; a < mi->n_addr || (mi->dhcp && a == 0); a++) {
                char txt[64];
                if (mi->dhcp && mi->n_addr == 0) {
                    snprintf(txt, sizeof txt, "%s dhcp", mi->name);
                } else {
                    uint32_t ad = mi->addr[a];
                    snprintf(txt, sizeof txt, "%s %u.%u.%u.%u/%u", mi->name, ad >> 24,
                             (ad >> 16) & 255, (ad >> 8) & 255, ad & 255, mi->plen[a]);
                }
                if (g->compact) {
                    /* names only: the device view lists the addresses */
                } else if (shown < 2) {
                    int w = draw_text_width(g, g->small, txt);
                    draw_text(g, g->small, cx - w / 2, y, 0, C_DIM, txt);
                    y += g->small_h;
                } else if (shown == 2) {
                    draw_text(g, g->small, cx - 6, y, 0, C_DIM, "...");
                }
                dump_printf(g, "label %s %s\n", mn->name, txt);
                shown++;
            }
        }
    }
}

/* The last step index on screen: the current one, else the latest. */
static long shown_last(const struct gui *g)
{
    return g->cur >= 0 ? g->cur : (long)g->s.n_steps - 1;
}

/* First step that can still matter at time now (sent within the longest
 * flight time). */
static size_t window_start(const struct gui_session *s, size_t end, sim_time span)
{
    size_t i = end;
    while (i > 0 && s->steps[i - 1].time + span >= s->now)
        i--;
    return i;
}

static void canvas_draw_packets(struct gui *g)
{
    const struct gui_session *s = &g->s;
    struct sim *sim = session_sim(s);
    size_t end = session_steps_upto(s, s->now);
    size_t start = window_start(s, end, s->max_flight);
    float k = envelope_scale(g);
    int drawn = 0, bcast = 0;
    for (size_t i = start; i < end; i++) {
        const struct gui_step *st = &s->steps[i];
        if (st->kind != TK_TRANSMIT || st->peer_node < 0 || st->node < 0) continue;
        if (st->node >= g->n_node_rect || st->peer_node >= g->n_node_rect) continue;
        if (st->wire_time > s->now || st->arrive_time <= s->now) continue;
        double frac = (double)(s->now - st->wire_time) / (double)(st->arrive_time - st->wire_time);
        SDL_Point a = node_center(g, st->node), b = node_center(g, st->peer_node);
        float x = (float)(a.x + (b.x - a.x) * frac), y = (float)(a.y + (b.y - a.y) * frac);
        SDL_Color c = proto_color_at(st->gp);
        if (st->broadcast) {
            /* A trail from the sender and a ring: every copy of a flood
             * shows where it fans out from. */
            SDL_Color trail = {c.r, c.g, c.b, 90};
            draw_thick_line(g, (float)a.x, (float)a.y, x, y, 7 * k, trail);
            draw_ring(g, x, y, 17 * k, 2 * k, c);
            bcast++;
        }
        envelope_draw(g, x, y, c, k);
        drawn++;
        if (!g->dump.on) continue;
        const char *fi = "", *ti = "";
        if (sim) {
            fi = gui_iface_name(g, st->node, st->iface);
            ti = gui_iface_name(g, st->peer_node, st->peer_iface);
        }
        dump_printf(g, "packet proto=%s from=%s:%s to=%s:%s frac=%.3f pos=%d,%d pkt=%llu%s\n",
                    st->proto, gui_node_name(g, st->node), fi, gui_node_name(g, st->peer_node), ti,
                    frac, (int)x, (int)y, (unsigned long long)st->pkt_id,
                    st->broadcast ? " broadcast" : "");
    }
    dump_printf(g, "packets_drawn %d broadcast %d\n", drawn, bcast);
}

/* Where a drop at node (on iface) is drawn: on the cable, just outside the
 * icon, when the interface is cabled; else on the node. */
static SDL_FPoint drop_point(const struct gui *g, const struct gui_step *st)
{
    SDL_Point c = node_center(g, st->node);
    SDL_FPoint p = {(float)c.x, (float)c.y};
    struct sim *sim = session_sim(&g->s);
    if (!sim || st->iface < 0) return p;
    const struct node *n = sim_node(sim, (uint32_t)st->node);
    if ((uint32_t)st->iface >= n->n_ifaces) return p;
    const struct iface *f = n->ifaces[st->iface];
    if (!f->link) return p;
    const struct iface *peer = f->link->dir[0].from == f ? f->link->dir[0].to : f->link->dir[1].to;
    if (!peer || (int)peer->node->index >= g->n_node_rect) return p;
    SDL_Point q = node_center(g, (int)peer->node->index);
    float dx = (float)(q.x - c.x), dy = (float)(q.y - c.y);
    float len = sqrtf(dx * dx + dy * dy);
    if (len < 1) return p;
    float d = (float)g->node_rect[st->node].w * 0.9f;
    if (d > len * 0.35f) d = len * 0.35f;
    return (SDL_FPoint){p.x + dx / len * d, p.y + dy / len * d};
}

static void canvas_draw_drops(struct gui *g)
{
    const struct gui_session *s = &g->s;
    g->n_drop_marks = 0;
    long last = shown_last(g);
    if (last < 0 || g->n_node_rect == 0) return;
    /* A drop stays on screen for 1.5 s of playback at the current speed,
     * and while it is among the last 30 steps. */
    sim_time span = (sim_time)(g->speed * 1.5);
    long from = last;
    while (from > 0 && last - from < 2000 &&
           (s->steps[from - 1].time + span >= s->now || last - (from - 1) < 30))
        from--;
    float k = envelope_scale(g);
    for (long i = from; i <= last && i < (long)s->n_steps; i++) {
        const struct gui_step *st = &s->steps[i];
        if (st->kind != TK_DROP || st->node < 0 || st->node >= g->n_node_rect) continue;
        SDL_FPoint p = drop_point(g, st);
        bool sel = i == g->cur;
        drop_mark_draw(g, p.x, p.y, k, sel);
        int r = (int)(14 * k);
        if (g->n_drop_marks < GUI_MAX_ROWS)
            g->drop_marks[g->n_drop_marks++] =
                (struct gui_row){{(int)p.x - r, (int)p.y - r, 2 * r, 2 * r}, i};
        dump_printf(g, "drop at=%s:%s pos=%d,%d reason=%s%s\n", gui_node_name(g, st->node),
                    gui_iface_name(g, st->node, st->iface), (int)p.x, (int)p.y, st->summary,
                    sel ? " [selected]" : "");
        if (sel) {
            int tw = draw_text_width(g, g->bold, st->summary);
            SDL_Rect bg = {(int)p.x + r + 2, (int)p.y - g->line_h / 2, tw + 8, g->line_h};
            draw_fill(g, bg, (SDL_Color){255, 235, 235, 240});
            draw_frame(g, bg, C_ERR);
            draw_text(g, g->bold, bg.x + 4, bg.y, 0, C_ERR, st->summary);
        }
    }
}

long canvas_drop_at(const struct gui *g, int x, int y)
{
    SDL_Point p = {x, y};
    for (int i = g->n_drop_marks; i-- > 0;)
        if (SDL_PointInRect(&p, &g->drop_marks[i].r)) return g->drop_marks[i].index;
    return -1;
}

/* The reason of the drop under the mouse, with its why sentence. */
static void canvas_draw_drop_tip(struct gui *g)
{
    long i = canvas_drop_at(g, g->mouse_x, g->mouse_y);
    if (i < 0) return;
    const struct gui_step *st = &g->s.steps[i];
    int w = gui_px(g, 340);
    int lines = draw_wrapped_lines(g, g->small, w - 12, 6, st->why);
    SDL_Rect r = {g->mouse_x + 14, g->mouse_y + 14, w, g->line_h + lines * g->small_h + 10};
    SDL_Rect c = g->canvas;
    if (r.x + r.w > c.x + c.w) r.x = c.x + c.w - r.w - 2;
    if (r.y + r.h > c.y + c.h) r.y = c.y + c.h - r.h - 2;
    draw_fill(g, r, (SDL_Color){255, 248, 235, 250});
    draw_frame(g, r, C_ERR);
    char head[160];
    snprintf(head, sizeof head, "Dropped at %s: %s", gui_node_name(g, st->node), st->summary);
    draw_text(g, g->bold, r.x + 6, r.y + 4, r.w - 12, C_ERR, head);
    dump_printf(g, "drop_tip %s\n", head);
    draw_wrapped_tag(g, g->small, r.x + 6, r.y + 4 + g->line_h, r.w - 12, 6, C_TEXT, "drop_why",
                     st->why);
}

static void canvas_draw_legend(struct gui *g)
{
    SDL_Rect c = g->canvas;
    int x = c.x + 10, y = c.y + c.h - g->small_h - 10;
    float k = (float)g->scale;
    char names[256] = "";
    size_t nl = 0;
    x += draw_text(g, g->small, x, y, 0, C_DIM, "Packets:") + 8;
    uint32_t seen = g->s.protos_seen;
    for (int i = 0; i < GP_COUNT; i++) {
        if (!(seen & (1u << i))) continue;
        int tw = draw_text_width(g, g->small, proto_name(i));
        if (x + (int)(28 * k) + tw > c.x + c.w - 10) break;
        envelope_draw(g, (float)x + 12 * k, (float)y + (float)g->small_h / 2, proto_color_at(i), k);
        x += (int)(28 * k);
        x += draw_text(g, g->small, x, y, 0, C_TEXT, proto_name(i)) + 14;
        nl += (size_t)snprintf(names + nl, sizeof names - nl, " %s", proto_name(i));
        if (nl >= sizeof names) nl = sizeof names - 1;
    }
    if (!seen) x += draw_text(g, g->small, x, y, 0, C_DIM, "none yet") + 14;
    /* What the other marks mean. */
    if (x + (int)(160 * k) < c.x + c.w) {
        float cy = (float)y + (float)g->small_h / 2;
        draw_ring(g, (float)x + 10 * k, cy, 8 * k, 1.5f * k, C_DIM);
        x += (int)(22 * k);
        x += draw_text(g, g->small, x, y, 0, C_TEXT, "broadcast") + 14;
        drop_mark_draw(g, (float)x + 8 * k, cy, 0.6f * k, false);
        x += (int)(20 * k);
        draw_text(g, g->small, x, y, 0, C_TEXT, "drop");
    }
    dump_printf(g, "legend%s\n", nl ? names : " none");
}

void canvas_draw(struct gui *g)
{
    draw_fill(g, g->canvas, C_CANVAS);
    draw_frame(g, g->canvas, C_BORDER);
    if (!g->s.model) {
        draw_text(g, g->font, g->canvas.x + 20, g->canvas.y + 20, 0, C_DIM,
                  "No scenario open: press O to browse the bundled scenarios, or drop a .json "
                  "file here.");
        return;
    }
    SDL_RenderSetClipRect(g->ren, &g->canvas);
    canvas_draw_links(g);
    canvas_draw_iface_names(g);
    canvas_draw_nodes(g);
    canvas_draw_packets(g);
    canvas_draw_drops(g);
    canvas_draw_legend(g);
    dump_printf(g, "view zoom=%.2f pan=%d,%d\n", g->zoom, (int)g->pan_x, (int)g->pan_y);
    canvas_draw_drop_tip(g);
    SDL_RenderSetClipRect(g->ren, NULL);
}
