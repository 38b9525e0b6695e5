/* inspector.c - the inspector panel, with two tabs:
 *
 *   PDU details  the selected frame's layers with their fields (Ethernet ->
 *                IPv4 -> ICMP -> data), the *why* sentence of the current
 *                step, and a hex dump that highlights the selected field.
 *   OSI layers   Packet Tracer's "OSI Model" view of the current device:
 *                what came in (decapsulation, L1 up) on the left and what
 *                went out (encapsulation, down to L1) on the right, each
 *                step with its why sentence.
 *
 * The in/out view is built from the history alone: a device handles one
 * event at a time, so the steps it produced for one received frame (or one
 * command) are the run of steps at that node and that time, starting at
 * the receive. */
#include "gui.h"

#include <stdlib.h>
#include <string.h>

static const SDL_Color C_PANEL = {250, 250, 252, 255}, C_TEXT = {28, 32, 40, 255},
                       C_DIM = {96, 104, 118, 255}, C_BORDER = {200, 205, 214, 255},
                       C_SEL = {255, 236, 150, 255}, C_HEAD = {52, 73, 102, 255},
                       C_WHITE = {255, 255, 255, 255}, C_ERR = {200, 40, 40, 255},
                       C_WHY = {70, 55, 10, 255}, C_LAYER = {225, 232, 242, 255};

long render_inspected_step(const struct gui *g)
{
    const struct gui_session *s = &g->s;
    long i = g->cur >= 0 ? g->cur : (long)s->n_steps - 1;
    if (i >= (long)s->n_steps) i = (long)s->n_steps - 1;
    if (i < 0 || s->steps[i].start >= 0) return i;
    /* Above IP a step holds only its payload: show the same packet as it
     * was at its last step with a header the dissector starts from (a UDP
     * drop shows the datagram it came in), else the latest packet. */
    uint64_t id = s->steps[i].pkt_id;
    long any = -1;
    for (long k = i - 1, n = 0; k >= 0 && n < 100000; k--, n++) {
        const struct gui_step *st = &s->steps[k];
        if (st->start < 0) continue;
        if (!id || st->pkt_id == id) return k;
        if (any < 0) any = k;
        if (n > 2000) break; /* the packet is not in the recent history */
    }
    return any;
}

static const char *start_name(int start, bool capital)
{
    if (start == DIS_START_IPV4) return "IPv4 datagram";
    if (start == DIS_START_ARP) return "ARP message";
    return capital ? "Frame" : "frame";
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
    int cw = draw_text_width(g, g->mono, "0");
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

/* The step's header line and its why sentence; returns the y below. */
static int step_head_draw(struct gui *g, int x, int y, int w, long cur)
{
    const struct gui_step *now = &g->s.steps[cur];
    char t[32];
    sim_time_format(now->time, t, sizeof t);
    const char *ifn = gui_iface_name(g, now->node, now->iface);
    char head[256];
    snprintf(head, sizeof head, "Step %ld  t=%s s  L%u %s at %s%s%s", cur + 1, t, now->layer,
             trace_kind_name(now->kind), gui_node_name(g, now->node), ifn[0] ? ":" : "", ifn);
    draw_text(g, g->bold, x, y, w, now->kind == TK_DROP ? C_ERR : C_TEXT, head);
    dump_printf(g, "inspector %s\n", head);
    y += g->line_h;
    draw_text(g, g->font, x, y, w, C_DIM, now->summary);
    dump_printf(g, "inspector summary %s\n", now->summary);
    y += g->line_h + 2;
    if (now->why[0]) {
        SDL_Rect box = {x - 4, y - 2, w + 8, 0};
        int yy = draw_wrapped(g, g->font, x + 4, y, w - 8, 5, C_WHY, now->why);
        box.h = yy - y + 4;
        draw_frame(g, box, (SDL_Color){220, 190, 90, 255});
        y = yy + 6;
    }
    return y;
}

static void details_draw(struct gui *g, int x, int y, int w, long cur, long i)
{
    SDL_Rect p = g->inspector;
    const struct gui_session *s = &g->s;
    const struct gui_step *st = &s->steps[i];
    y = step_head_draw(g, x, y, w, cur);
    struct dissection d;
    /* with the TLS key log: the "Decrypted TLS (toy cipher)" layer */
    dissect_packet_keys(st->frame, st->frame_len, (enum dis_start)st->start,
                        s->runner ? runner_sim(s->runner) : NULL, &d, true);
    int sel = g->sel_field;
    if (sel < 0 || (uint32_t)sel >= d.n_fields) sel = default_field(&d);
    int hex_lines = (int)((st->frame_len + 15) / 16);
    if (hex_lines > 12) hex_lines = 12;
    int hex_top = p.y + p.h - hex_lines * g->mono_h - 10;
    if (hex_top < y + 4 * g->line_h) hex_top = y + 4 * g->line_h;
    if (i != cur || st->start != DIS_START_ETH) {
        /* Say whose bytes these are, and that no Ethernet header is among
         * them when the step is inside the device. */
        char fr[160];
        if (i != cur)
            snprintf(fr, sizeof fr, "%s of step %ld (%u bytes)%s:", start_name(st->start, true),
                     i + 1, st->frame_len,
                     st->start != DIS_START_ETH ? ", without an Ethernet header" : "");
        else
            snprintf(fr, sizeof fr, "The %s at this step (%u bytes, no Ethernet header):",
                     start_name(st->start, false), st->frame_len);
        draw_text(g, g->small, x, y, w, C_DIM, fr);
        dump_printf(g, "inspector bytes %s\n", fr);
        y += g->small_h;
    }
    int lh = g->small_h;
    for (int l = 0; l < d.n_layers; l++) {
        const struct dis_layer *L = &d.layers[l];
        if (y + lh > hex_top - 4) break;
        char txt[160];
        snprintf(txt, sizeof txt, "L%u  %s", L->osi, L->name);
        draw_fill(g, (SDL_Rect){x - 4, y, w + 8, lh}, C_LAYER);
        draw_text(g, g->bold, x, y, w, C_HEAD, txt);
        dump_printf(g, "inspector layer %s\n", txt);
        y += lh;
        for (uint32_t f = L->first_field; f < L->first_field + L->n_fields; f++) {
            const struct dis_field *F = &d.fields[f];
            if (y + lh > hex_top - 4) break;
            SDL_Rect row = {x - 4, y, w + 8, lh};
            if ((int)f == sel) draw_fill(g, row, C_SEL);
            snprintf(txt, sizeof txt, "%s: %s", F->name, F->value);
            int ind = gui_px(g, 16);
            draw_text(g, g->small, x + ind + F->depth * ind, y, w - ind - F->depth * ind, C_TEXT,
                      txt);
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

/* ---- OSI layers: in and out at the device ---- */

static bool is_out(enum trace_kind k)
{
    return k == TK_ENCAP || k == TK_TRANSMIT;
}

static bool shown_in_layers(enum trace_kind k)
{
    return k != TK_OUTPUT && k != TK_WARN;
}

/* The run of steps [*from, *to) at cur's node and time that handled one
 * event: it starts at a receive (or where the node's run starts) and ends
 * before the next receive. */
static void device_group(const struct gui_session *s, long cur, long *from, long *to)
{
    const struct gui_step *c = &s->steps[cur];
    long a = cur, b = cur + 1;
    while (c->kind != TK_RECEIVE && a > 0 && s->steps[a - 1].node == c->node &&
           s->steps[a - 1].time == c->time && cur - a < 400) {
        a--;
        if (s->steps[a].kind == TK_RECEIVE) break;
    }
    while (b < (long)s->n_steps && s->steps[b].node == c->node && s->steps[b].time == c->time &&
           s->steps[b].kind != TK_RECEIVE && b - cur < 400)
        b++;
    *from = a;
    *to = b;
}

/* One column: title, then a box per step (layer, kind, summary, why). */
static void layer_column(struct gui *g, SDL_Rect col, const char *title, const char *tag,
                         const long *idx, int n, long cur, int why_lines)
{
    const struct gui_session *s = &g->s;
    draw_fill(g, (SDL_Rect){col.x, col.y, col.w, g->line_h + 4}, C_HEAD);
    draw_text(g, g->bold, col.x + 6, col.y + 2, col.w - 12, C_WHITE, title);
    int y = col.y + g->line_h + 8;
    if (n == 0) {
        draw_wrapped_tag(g, g->small, col.x + 6, y, col.w - 12, 3, C_DIM, tag,
                         strcmp(tag, "in") == 0
                             ? "Nothing came in: this device started the packet itself."
                             : "Nothing went out: the packet stops here.");
        return;
    }
    for (int k = 0; k < n; k++) {
        const struct gui_step *st = &s->steps[idx[k]];
        if (y + g->small_h * 2 > col.y + col.h) {
            draw_text(g, g->small, col.x + 6, y, col.w - 12, C_DIM, "...");
            break;
        }
        char head[200];
        snprintf(head, sizeof head, "Layer %u: %s %s", st->layer, trace_kind_name(st->kind),
                 st->proto[0] ? st->proto : "");
        int lines = draw_wrapped_lines(g, g->small, col.w - 16, why_lines, st->why);
        SDL_Rect box = {col.x + 2, y, col.w - 4, g->small_h * (2 + lines) + 6};
        if (box.y + box.h > col.y + col.h) box.h = col.y + col.h - box.y;
        draw_fill(g, box, idx[k] == cur ? C_SEL : C_LAYER);
        draw_text(g, g->bold, box.x + 4, y + 2, box.w - 8, st->kind == TK_DROP ? C_ERR : C_HEAD,
                  head);
        draw_text(g, g->small, box.x + 4, y + 2 + g->small_h, box.w - 8, C_TEXT, st->summary);
        dump_printf(g, "%s %s | %s%s\n", tag, head, st->summary, idx[k] == cur ? " [current]" : "");
        char why_tag[16];
        snprintf(why_tag, sizeof why_tag, "%s_why", tag);
        int space = (col.y + col.h - (y + 2 + 2 * g->small_h)) / g->small_h;
        draw_wrapped_tag(g, g->small, box.x + 8, y + 2 + 2 * g->small_h, box.w - 12,
                         lines < space ? lines : space, C_WHY, why_tag, st->why);
        y += box.h + 4;
    }
}

static void layers_draw(struct gui *g, int x, int y, int w, long cur)
{
    const struct gui_session *s = &g->s;
    SDL_Rect p = g->inspector;
    long from, to;
    device_group(s, cur, &from, &to);
    long *in = malloc(sizeof(long) * (size_t)(to - from + 1));
    long *out = malloc(sizeof(long) * (size_t)(to - from + 1));
    if (!in || !out) abort();
    int n_in = 0, n_out = 0;
    bool going_out = false;
    for (long i = from; i < to; i++) {
        const struct gui_step *st = &s->steps[i];
        if (!shown_in_layers(st->kind)) continue;
        going_out |= is_out(st->kind);
        if (going_out)
            out[n_out++] = i;
        else
            in[n_in++] = i;
    }
    const struct gui_step *c = &s->steps[cur];
    char t[32], head[200];
    sim_time_format(c->time, t, sizeof t);
    snprintf(head, sizeof head, "At device: %s   t=%s s   (step %ld)", gui_node_name(g, c->node), t,
             cur + 1);
    draw_text(g, g->bold, x, y, w, C_TEXT, head);
    dump_printf(g, "layers %s in=%d out=%d\n", head, n_in, n_out);
    y += g->line_h + 4;
    int colw = (w - 8) / 2;
    int total = n_in > n_out ? n_in : n_out;
    int avail = p.y + p.h - y - g->line_h - 12;
    /* Lines of why per step so that every step of the longer column fits. */
    int per = total ? avail / total / g->small_h - 2 : 6;
    if (per < 1) per = 1;
    if (per > 8) per = 8;
    layer_column(g, (SDL_Rect){x - 4, y, colw, p.y + p.h - y - 6}, "In layers (decapsulation)",
                 "in", in, n_in, cur, per);
    layer_column(g, (SDL_Rect){x - 4 + colw + 8, y, colw, p.y + p.h - y - 6},
                 "Out layers (encapsulation)", "out", out, n_out, cur, per);
    free(in);
    free(out);
}

static void tabs_draw(struct gui *g, int x, int y)
{
    static const char *const names[2] = {"PDU details", "OSI layers"};
    for (int t = 0; t < 2; t++) {
        int tw = draw_text_width(g, g->font, names[t]);
        SDL_Rect r = {x, y, tw + 16, g->line_h + 4};
        bool on = (int)g->tab == t;
        draw_fill(g, r, on ? C_HEAD : (SDL_Color){225, 229, 236, 255});
        draw_text(g, g->font, r.x + 8, r.y + 2, 0, on ? C_WHITE : C_TEXT, names[t]);
        g->tab_rect[t] = r;
        x += r.w + 4;
    }
    draw_text(g, g->small, x + 6, y + 3, 0, C_DIM, "(Tab switches)");
    dump_printf(g, "tab %s\n", names[g->tab]);
}

void inspector_draw(struct gui *g)
{
    SDL_Rect p = g->inspector;
    draw_fill(g, p, C_PANEL);
    draw_frame(g, p, C_BORDER);
    int x = p.x + 10, w = p.w - 20, y = p.y + 6;
    draw_text(g, g->bold, x, y, w, C_HEAD, "Inspector");
    tabs_draw(g, x + draw_text_width(g, g->bold, "Inspector") + 16, y - 2);
    y += g->line_h + 6;
    g->n_field_rows = 0;
    const struct gui_session *s = &g->s;
    long cur = g->cur >= 0 ? g->cur : (long)s->n_steps - 1;
    if (cur >= (long)s->n_steps) cur = (long)s->n_steps - 1;
    long i = render_inspected_step(g);
    if (cur < 0 || (g->tab == TAB_DETAILS && i < 0)) {
        draw_text(g, g->font, x, y, w, C_DIM, "No frame yet.");
        return;
    }
    if (g->tab == TAB_LAYERS)
        layers_draw(g, x, y, w, cur);
    else
        details_draw(g, x, y, w, cur, i);
}
