/* render.c - draws one frame of the GUI: the toolbar, the topology canvas
 * with packets in flight, the event list (Packet Tracer's simulation panel),
 * the inspector (layers, fields, the *why* sentence, hex dump), and the
 * overlays (device view, help, jump-to-time). Everything drawn is also
 * written to the UI dump when one was asked for. */
#include "gui.h"
#include "engine/net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const SDL_Color C_BG = {236, 239, 243, 255}, C_PANEL = {250, 250, 252, 255},
                       C_CANVAS = {255, 255, 255, 255}, C_TEXT = {28, 32, 40, 255},
                       C_DIM = {96, 104, 118, 255}, C_LINE = {150, 158, 170, 255},
                       C_BORDER = {200, 205, 214, 255}, C_SEL = {255, 236, 150, 255},
                       C_HEAD = {52, 73, 102, 255}, C_WHITE = {255, 255, 255, 255},
                       C_ERR = {200, 40, 40, 255}, C_ROWSEL = {210, 228, 255, 255};

static const char *const LEGEND[] = {"ARP", "ICMP", "IPv4", "other"};

SDL_Color proto_color(const char *proto)
{
    if (strcmp(proto, "ARP") == 0) return (SDL_Color){235, 150, 20, 255};
    if (strcmp(proto, "ICMP") == 0) return (SDL_Color){40, 120, 220, 255};
    if (strcmp(proto, "IPv4") == 0) return (SDL_Color){40, 160, 80, 255};
    return (SDL_Color){150, 90, 180, 255};
}

static const char *node_name(const struct gui *g, int i)
{
    const struct model *m = g->s.model;
    return m && i >= 0 && i < m->n_nodes ? m->nodes[i].name : "-";
}

static SDL_Point node_center(const struct gui *g, int i)
{
    SDL_Rect r = g->node_rect[i];
    return (SDL_Point){r.x + r.w / 2, r.y + r.h / 2};
}

static int model_node_index(const struct model *m, const char *name)
{
    for (int i = 0; i < m->n_nodes; i++)
        if (strcmp(m->nodes[i].name, name) == 0) return i;
    return -1;
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

static void envelope_draw(struct gui *g, float cx, float cy, SDL_Color c)
{
    int w = 24, h = 16;
    SDL_Rect r = {(int)cx - w / 2, (int)cy - h / 2, w, h};
    draw_fill(g, r, c);
    draw_frame(g, r, (SDL_Color){30, 30, 30, 255});
    draw_line(g, r.x, r.y, r.x + w / 2, r.y + h / 2, (SDL_Color){30, 30, 30, 255});
    draw_line(g, r.x + w - 1, r.y, r.x + w / 2, r.y + h / 2, (SDL_Color){30, 30, 30, 255});
}

/* ---- canvas ---- */

static void canvas_draw_links(struct gui *g)
{
    const struct model *m = g->s.model;
    for (int l = 0; l < m->n_links; l++) {
        const struct model_link *ml = &m->links[l];
        int a = model_node_index(m, ml->a_node), b = model_node_index(m, ml->b_node);
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
    for (int l = 0; l < m->n_links; l++) {
        const struct model_link *ml = &m->links[l];
        int a = model_node_index(m, ml->a_node), b = model_node_index(m, ml->b_node);
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
            float tw0 = (float)draw_text_width(g->small, name);
            /* A tag on the cable just outside the icon, and below the node's
             * own labels when the cable leaves downwards. */
            float ax = fabsf(ux) > fabsf(uy) ? fabsf(ux) : fabsf(uy);
            float d = (float)g->node_rect[node].w * 0.5f / ax + fabsf(ux) * tw0 / 2 +
                      fabsf(uy) * (float)g->small_h / 2 + 4;
            if (uy > 0.3f) d += (float)node_label_h(g, node) / uy;
            if (d > len * 0.45f) d = len * 0.45f;
            int tw = draw_text_width(g->small, name);
            int tx = (int)((float)p.x + ux * d) - tw / 2;
            int ty = (int)((float)p.y + uy * d) - g->small_h / 2;
            SDL_Rect bg = {tx - 3, ty, tw + 6, g->small_h};
            draw_fill(g, bg, (SDL_Color){255, 255, 255, 255});
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
        int tw = draw_text_width(g->bold, mn->name);
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
                    int w = draw_text_width(g->small, txt);
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

static void canvas_draw_packets(struct gui *g)
{
    const struct gui_session *s = &g->s;
    int drawn = 0;
    for (size_t i = 0; i < s->n_steps; i++) {
        const struct gui_step *st = &s->steps[i];
        if (st->kind != TK_TRANSMIT || st->peer_node < 0 || st->node < 0) continue;
        if (st->node >= g->n_node_rect || st->peer_node >= g->n_node_rect) continue;
        if (st->time > s->now || st->wire_time > s->now || st->arrive_time <= s->now) continue;
        double frac = (double)(s->now - st->wire_time) / (double)(st->arrive_time - st->wire_time);
        SDL_Point a = node_center(g, st->node), b = node_center(g, st->peer_node);
        float x = (float)(a.x + (b.x - a.x) * frac), y = (float)(a.y + (b.y - a.y) * frac);
        envelope_draw(g, x, y, proto_color(st->proto));
        drawn++;
        struct sim *sim = session_sim(s);
        const char *fi = "", *ti = "";
        if (sim) {
            const struct node *fn = sim_node(sim, (uint32_t)st->node);
            const struct node *tn = sim_node(sim, (uint32_t)st->peer_node);
            if (st->iface >= 0 && (uint32_t)st->iface < fn->n_ifaces)
                fi = fn->ifaces[st->iface]->name;
            if (st->peer_iface >= 0 && (uint32_t)st->peer_iface < tn->n_ifaces)
                ti = tn->ifaces[st->peer_iface]->name;
        }
        dump_printf(g, "packet proto=%s from=%s:%s to=%s:%s frac=%.3f pos=%d,%d pkt=%llu\n",
                    st->proto, node_name(g, st->node), fi, node_name(g, st->peer_node), ti, frac,
                    (int)x, (int)y, (unsigned long long)st->pkt_id);
    }
    dump_printf(g, "packets_drawn %d\n", drawn);
}

static void canvas_draw_legend(struct gui *g)
{
    SDL_Rect c = g->canvas;
    int x = c.x + 10, y = c.y + c.h - g->small_h - 10;
    x += draw_text(g, g->small, x, y, 0, C_DIM, "Packets:") + 8;
    for (size_t i = 0; i < sizeof LEGEND / sizeof LEGEND[0]; i++) {
        envelope_draw(g, (float)x + 12, (float)y + (float)g->small_h / 2, proto_color(LEGEND[i]));
        x += 28;
        x += draw_text(g, g->small, x, y, 0, C_TEXT, LEGEND[i]) + 14;
    }
    dump_printf(g, "legend ARP ICMP IPv4 other\n");
}

static void canvas_draw(struct gui *g)
{
    draw_fill(g, g->canvas, C_CANVAS);
    draw_frame(g, g->canvas, C_BORDER);
    if (!g->s.model) {
        draw_text(g, g->font, g->canvas.x + 20, g->canvas.y + 20, 0, C_DIM,
                  "No scenario open: drop a .json file here.");
        return;
    }
    SDL_RenderSetClipRect(g->ren, &g->canvas);
    canvas_draw_links(g);
    canvas_draw_iface_names(g);
    canvas_draw_nodes(g);
    canvas_draw_packets(g);
    canvas_draw_legend(g);
    SDL_RenderSetClipRect(g->ren, NULL);
}

/* ---- event list ---- */

static bool step_is_event(const struct gui_step *st)
{
    return (st->kind == TK_TRANSMIT && st->frame) || st->kind == TK_DROP;
}

static void events_draw(struct gui *g)
{
    SDL_Rect e = g->events;
    draw_fill(g, e, C_PANEL);
    draw_frame(g, e, C_BORDER);
    int lh = g->line_h;
    SDL_Rect head = {e.x, e.y, e.w, lh + 6};
    draw_fill(g, head, C_HEAD);
    int cols[5] = {e.x + 8, e.x + 110, e.x + 210, e.x + 310, e.x + 380};
    int cw = draw_text_width(g->font, "00.000000") + 14;
    cols[1] = cols[0] + cw;
    cols[2] = cols[1] + cw;
    cols[3] = cols[2] + cw;
    cols[4] = cols[3] + draw_text_width(g->font, "IPv4") + 20;
    const char *titles[5] = {"Time (s)", "Last device", "At device", "Type", "Info"};
    for (int i = 0; i < 5; i++)
        draw_text(g, g->bold, cols[i], e.y + 3, i < 4 ? cols[i + 1] - cols[i] - 4 : 0, C_WHITE,
                  titles[i]);
    int rows = (e.h - head.h - 4) / lh;
    if (rows < 1) rows = 1;
    if (rows > GUI_MAX_ROWS) rows = GUI_MAX_ROWS;
    /* The most recent events that fit, oldest first. */
    const struct gui_session *s = &g->s;
    long last = g->cur >= 0 ? g->cur : (long)s->n_steps - 1;
    long *idx = malloc(sizeof(long) * (size_t)rows);
    if (!idx) abort();
    int n = 0;
    for (long i = last; i >= 0 && n < rows; i--)
        if (step_is_event(&s->steps[i])) idx[n++] = i;
    long insp = render_inspected_step(g);
    g->n_event_rows = 0;
    int y = e.y + head.h + 2;
    for (int k = n - 1; k >= 0; k--) {
        const struct gui_step *st = &s->steps[idx[k]];
        SDL_Rect row = {e.x + 1, y, e.w - 2, lh};
        if (idx[k] == insp) draw_fill(g, row, C_ROWSEL);
        char t[32];
        sim_time_format(st->time, t, sizeof t);
        const char *at = st->kind == TK_DROP ? "(dropped)" : node_name(g, st->peer_node);
        SDL_Color pc = proto_color(st->proto);
        draw_fill(g, (SDL_Rect){cols[3] - 6, y + 3, 4, lh - 6}, pc);
        draw_text(g, g->font, cols[0], y, cols[1] - cols[0] - 4, C_TEXT, t);
        draw_text(g, g->font, cols[1], y, cols[2] - cols[1] - 4, C_TEXT, node_name(g, st->node));
        draw_text(g, g->font, cols[2], y, cols[3] - cols[2] - 4,
                  st->kind == TK_DROP ? C_ERR : C_TEXT, at);
        draw_text(g, g->font, cols[3], y, cols[4] - cols[3] - 4, C_TEXT,
                  st->proto[0] ? st->proto : "-");
        draw_text(g, g->font, cols[4], y, e.x + e.w - cols[4] - 6, C_TEXT, st->summary);
        dump_printf(g, "event time=%s last=%s at=%s proto=%s info=%s%s\n", t,
                    node_name(g, st->node), at, st->proto, st->summary,
                    idx[k] == insp ? " [selected]" : "");
        if (g->n_event_rows < GUI_MAX_ROWS)
            g->event_rows[g->n_event_rows++] = (struct gui_row){row, idx[k]};
        y += lh;
    }
    if (n == 0)
        draw_text(g, g->font, cols[0], y, 0, C_DIM,
                  "No frame has been sent yet: press Right or Space.");
    dump_printf(g, "events_shown %d\n", n);
    free(idx);
}

/* ---- inspector ---- */

long render_inspected_step(const struct gui *g)
{
    const struct gui_session *s = &g->s;
    long i = g->cur >= 0 ? g->cur : (long)s->n_steps - 1;
    if (i >= (long)s->n_steps) i = (long)s->n_steps - 1;
    for (; i >= 0; i--)
        if (s->steps[i].frame && s->steps[i].kind != TK_DROP) return i;
    return -1;
}

static int default_field(const struct dissection *d)
{
    for (uint32_t i = 0; i < d->n_fields; i++)
        if (strcmp(d->fields[i].name, "Time to Live") == 0) return (int)i;
    if (d->n_layers > 0 && d->layers[d->n_layers - 1].n_fields > 0)
        return (int)d->layers[d->n_layers - 1].first_field;
    return d->n_fields ? 0 : -1;
}

static void hex_draw(struct gui *g, const struct gui_step *st, const struct dis_field *sel, int x,
                     int y, int bottom)
{
    int cw = draw_text_width(g->mono, "0");
    uint32_t from = sel ? sel->off : 0, to = sel ? sel->off + sel->len : 0;
    for (uint32_t off = 0; off < st->frame_len && y + g->mono_h <= bottom; off += 16) {
        char line[128];
        int n = snprintf(line, sizeof line, "%04x ", off);
        for (uint32_t j = off; j < off + 16 && j < st->frame_len; j++) {
            /* "%04x " then " %02x" per byte, one more space after the 8th. */
            int col = 6 + (int)(j - off) * 3 + (j - off >= 8 ? 1 : 0);
            if (j >= from && j < to) {
                bool joined = j + 1 < to && j + 1 < off + 16 && j - off != 7;
                draw_fill(g, (SDL_Rect){x + col * cw - 1, y, cw * (joined ? 3 : 2) + 2, g->mono_h},
                          C_SEL);
            }
            n += snprintf(line + n, sizeof line - (size_t)n, "%s%02x", j - off == 8 ? "  " : " ",
                          st->frame[j]);
        }
        draw_text(g, g->mono, x, y, 0, C_TEXT, line);
        dump_printf(g, "hex %s\n", line);
        y += g->mono_h;
    }
    if (sel) dump_printf(g, "highlight off=%u len=%u field=%s\n", sel->off, sel->len, sel->name);
}

static void inspector_draw(struct gui *g)
{
    SDL_Rect p = g->inspector;
    draw_fill(g, p, C_PANEL);
    draw_frame(g, p, C_BORDER);
    int x = p.x + 10, w = p.w - 20, y = p.y + 6;
    draw_text(g, g->bold, x, y, w, C_HEAD, "Inspector");
    y += g->line_h + 2;
    g->n_field_rows = 0;
    const struct gui_session *s = &g->s;
    long cur = g->cur >= 0 ? g->cur : (long)s->n_steps - 1;
    long i = render_inspected_step(g);
    if (cur < 0 || i < 0) {
        draw_text(g, g->font, x, y, w, C_DIM, "No frame yet.");
        return;
    }
    const struct gui_step *st = &s->steps[i];
    const struct gui_step *now = &s->steps[cur];
    char t[32];
    sim_time_format(now->time, t, sizeof t);
    struct sim *sim = session_sim(s);
    const char *ifn = "";
    if (sim && now->node >= 0 && now->iface >= 0) {
        const struct node *nd = sim_node(sim, (uint32_t)now->node);
        if ((uint32_t)now->iface < nd->n_ifaces) ifn = nd->ifaces[now->iface]->name;
    }
    char head[256];
    snprintf(head, sizeof head, "Step %ld  t=%s s  L%u %s at %s%s%s", cur + 1, t, now->layer,
             trace_kind_name(now->kind), node_name(g, now->node), ifn[0] ? ":" : "", ifn);
    draw_text(g, g->bold, x, y, w, C_TEXT, head);
    dump_printf(g, "inspector %s\n", head);
    y += g->line_h;
    draw_text(g, g->font, x, y, w, C_DIM, now->summary);
    dump_printf(g, "inspector summary %s\n", now->summary);
    y += g->line_h + 2;
    if (now->why[0]) {
        SDL_Rect box = {x - 4, y - 2, w + 8, 0};
        int yy =
            draw_wrapped(g, g->font, x + 4, y, w - 8, 5, (SDL_Color){70, 55, 10, 255}, now->why);
        box.h = yy - y + 4;
        draw_frame(g, box, (SDL_Color){220, 190, 90, 255});
        y = yy + 6;
    }
    struct dissection d;
    dissect_frame(st->frame, st->frame_len, &d);
    int sel = g->sel_field;
    if (sel < 0 || (uint32_t)sel >= d.n_fields) sel = default_field(&d);
    int hex_lines = (int)((st->frame_len + 15) / 16);
    if (hex_lines > 12) hex_lines = 12;
    int hex_top = p.y + p.h - hex_lines * g->mono_h - 10;
    if (hex_top < y + 4 * g->line_h) hex_top = y + 4 * g->line_h;
    if (i != cur) {
        char fr[96];
        snprintf(fr, sizeof fr, "Frame of step %ld (%u bytes):", i + 1, st->frame_len);
        draw_text(g, g->small, x, y, w, C_DIM, fr);
        y += g->small_h;
    }
    int lh = g->small_h;
    for (int l = 0; l < d.n_layers; l++) {
        const struct dis_layer *L = &d.layers[l];
        if (y + lh > hex_top - 4) break;
        char txt[160];
        snprintf(txt, sizeof txt, "L%u  %s", L->osi, L->name);
        draw_fill(g, (SDL_Rect){x - 4, y, w + 8, lh}, (SDL_Color){225, 232, 242, 255});
        draw_text(g, g->bold, x, y, w, C_HEAD, txt);
        dump_printf(g, "inspector layer %s\n", txt);
        y += lh;
        for (uint32_t f = L->first_field; f < L->first_field + L->n_fields; f++) {
            const struct dis_field *F = &d.fields[f];
            if (y + lh > hex_top - 4) break;
            SDL_Rect row = {x - 4, y, w + 8, lh};
            if ((int)f == sel) draw_fill(g, row, C_SEL);
            snprintf(txt, sizeof txt, "%s: %s", F->name, F->value);
            draw_text(g, g->small, x + 16 + F->depth * 16, y, w - 16 - F->depth * 16, C_TEXT, txt);
            dump_printf(g, "inspector field %s%s\n", txt, (int)f == sel ? " [selected]" : "");
            if (g->n_field_rows < GUI_MAX_ROWS)
                g->field_rows[g->n_field_rows++] = (struct gui_row){row, (long)f};
            y += lh;
        }
    }
    if (d.malformed) {
        draw_text(g, g->bold, x, y, w, C_ERR, "Malformed frame");
        dump_printf(g, "inspector malformed\n");
    }
    draw_line(g, p.x, hex_top - 5, p.x + p.w, hex_top - 5, C_BORDER);
    hex_draw(g, st, sel >= 0 ? &d.fields[sel] : NULL, x, hex_top, p.y + p.h - 2);
    dissect_free(&d);
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
    if (g->message[0]) {
        SDL_Rect b = {g->canvas.x, g->canvas.y, g->canvas.w, g->line_h * 2 + 8};
        draw_fill(g, b,
                  g->message_is_error ? (SDL_Color){255, 225, 225, 255}
                                      : (SDL_Color){225, 240, 255, 255});
        draw_wrapped(g, g->font, b.x + 8, b.y + 4, b.w - 16, 2,
                     g->message_is_error ? C_ERR : C_TEXT, g->message);
        dump_printf(g, "message %s\n", g->message);
    }
}

static void overlay_box(struct gui *g, SDL_Rect r, const char *title)
{
    draw_fill(g, r, (SDL_Color){255, 255, 255, 245});
    draw_frame(g, r, C_HEAD);
    draw_fill(g, (SDL_Rect){r.x, r.y, r.w, g->line_h + 6}, C_HEAD);
    draw_text(g, g->bold, r.x + 8, r.y + 3, r.w - 16, C_WHITE, title);
}

static void device_draw(struct gui *g)
{
    if (g->sel_node < 0 || !g->node_text || !g->s.model) return;
    SDL_Rect c = g->canvas;
    int top = g->message[0] ? g->line_h * 2 + 8 : 0; /* below the message banner */
    SDL_Rect r = {c.x + c.w / 2, c.y + 8 + top, c.w / 2 - 8, c.h - 16 - top};
    char title[96];
    snprintf(title, sizeof title, "%s (Esc closes)", node_name(g, g->sel_node));
    overlay_box(g, r, title);
    int y = r.y + g->line_h + 10;
    const char *p = g->node_text;
    while (*p && y + g->mono_h < r.y + r.h) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)(n < 255 ? n : 255), p);
        draw_text(g, g->mono, r.x + 8, y, r.w - 16, C_TEXT, line);
        dump_printf(g, "device %s\n", line);
        y += g->mono_h;
        p += n + (e ? 1 : 0);
    }
}

static const char *const HELP[][2] = {
    {"Space", "play / pause"},
    {"Right", "step one trace step forward"},
    {"Left", "step one trace step back (replay from time 0)"},
    {"+ / -", "faster / slower"},
    {"J", "jump to a time (type it, then Enter)"},
    {"Home", "back to time 0"},
    {"Up / Down", "select the previous / next field in the inspector"},
    {"Click a node", "show its interfaces and tables"},
    {"Click an event", "go to that moment"},
    {"Click a field", "highlight its bytes in the hex dump"},
    {"F5", "reload the scenario from its file"},
    {"Drop a file", "open it"},
    {"F11 / Ctrl +", "presentation mode (large fonts)"},
    {"Esc", "close an overlay"},
    {"F1", "this help"},
    {"Q / Ctrl Q", "quit"},
};

static void help_draw(struct gui *g)
{
    if (!g->help) return;
    int n = (int)(sizeof HELP / sizeof HELP[0]);
    int w = g->w * 2 / 3, h = (n + 2) * g->line_h + 20;
    SDL_Rect r = {(g->w - w) / 2, (g->h - h) / 2, w, h};
    overlay_box(g, r, "Keyboard and mouse");
    int y = r.y + g->line_h + 12;
    for (int i = 0; i < n; i++) {
        draw_text(g, g->bold, r.x + 16, y, 0, C_TEXT, HELP[i][0]);
        draw_text(g, g->font, r.x + 16 + w / 4, y, w * 3 / 4 - 24, C_TEXT, HELP[i][1]);
        dump_printf(g, "help %s: %s\n", HELP[i][0], HELP[i][1]);
        y += g->line_h;
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
    if (g->relayout || !SDL_RectEquals(&old, &g->canvas)) {
        layout_nodes(g);
        g->relayout = false;
    }
    draw_fill(g, (SDL_Rect){0, 0, g->w, g->h}, C_BG);
    dump_printf(g, "size %d %d\n", g->w, g->h);
    canvas_draw(g);
    events_draw(g);
    inspector_draw(g);
    toolbar_draw(g);
    device_draw(g);
    help_draw(g);
    jump_draw(g);
}
