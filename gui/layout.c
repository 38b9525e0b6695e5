/* layout.c - where nodes go on the canvas.
 *
 * Scenario positions are used when every node has one and, scaled to the
 * canvas, no two icons collide. Otherwise an auto-layout: layers by BFS
 * distance from the routers (from the switches and hubs when there is no
 * router, from the first node when there is neither), ordered within a layer
 * by the mean position of their neighbours in the layer above, so cables
 * mostly run downwards without crossing. Each node gets its own grid cell,
 * and icons are sized to fit inside a cell, so nodes never overlap. Only
 * model order is used, so the layout is deterministic.
 *
 * Positions live in "world" coordinates (canvas pixels at zoom 1); the view
 * (zoom about the canvas centre, then a pan) maps them to the screen, so
 * panning, zooming and dragging nodes never re-run the layout.
 */
#include "gui.h"

#include <stdlib.h>
#include <string.h>

/* A wider layer wraps onto extra rows; large networks get more columns so
 * the grid stays about as wide as the canvas. */
#define LAYOUT_MAX_COLS 8

static int layout_cols(int n)
{
    int c = LAYOUT_MAX_COLS;
    while (c * c < n * 2)
        c++;
    return c;
}

static int node_index(const struct model *m, const char *name)
{
    for (int i = 0; i < m->n_nodes; i++)
        if (strcmp(m->nodes[i].name, name) == 0) return i;
    return -1;
}

struct layout_item {
    int node;
    double key;
};

static int item_cmp(const void *a, const void *b)
{
    const struct layout_item *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->node - y->node;
}

void layout_auto(const struct model *m, double *out_x, double *out_y)
{
    int n = m->n_nodes;
    if (n == 0) return;
    /* Link ends as node indices, found once (not by name per visit). */
    int *la = malloc(sizeof(int) * ((size_t)m->n_links + 1));
    int *lb = malloc(sizeof(int) * ((size_t)m->n_links + 1));
    if (!la || !lb) abort();
    for (int l = 0; l < m->n_links; l++) {
        la[l] = node_index(m, m->links[l].a_node);
        lb[l] = node_index(m, m->links[l].b_node);
    }
    int *depth = malloc(sizeof(int) * (size_t)n);
    int *queue = malloc(sizeof(int) * (size_t)n);
    double *order = malloc(sizeof(double) * (size_t)n);
    struct layout_item *items = malloc(sizeof *items * (size_t)n);
    if (!depth || !queue || !order || !items) abort();
    for (int i = 0; i < n; i++) {
        depth[i] = -1;
        order[i] = 0;
    }
    int qh = 0, qt = 0;
    bool any_router = false, any_l2 = false;
    for (int i = 0; i < n; i++) {
        any_router |= m->nodes[i].kind == NODE_ROUTER;
        any_l2 |= m->nodes[i].kind == NODE_SWITCH || m->nodes[i].kind == NODE_HUB;
    }
    for (int i = 0; i < n; i++) {
        enum node_kind k = m->nodes[i].kind;
        bool root = any_router ? k == NODE_ROUTER
                    : any_l2   ? (k == NODE_SWITCH || k == NODE_HUB)
                               : i == 0;
        if (root) {
            depth[i] = 0;
            queue[qt++] = i;
        }
    }
    int max_depth = 0;
    for (;;) {
        while (qh < qt) {
            int u = queue[qh++];
            for (int l = 0; l < m->n_links; l++) {
                int a = la[l], b = lb[l];
                int v = a == u ? b : b == u ? a : -1;
                if (v < 0 || depth[v] >= 0) continue;
                depth[v] = depth[u] + 1;
                if (depth[v] > max_depth) max_depth = depth[v];
                queue[qt++] = v;
            }
        }
        /* Nodes in another component start their own tree at the top. */
        int rest = -1;
        for (int i = 0; i < n && rest < 0; i++)
            if (depth[i] < 0) rest = i;
        if (rest < 0) break;
        depth[rest] = 0;
        queue[qt++] = rest;
    }
    int row = 0, max_cols = layout_cols(n);
    for (int d = 0; d <= max_depth; d++) {
        int cnt = 0;
        for (int i = 0; i < n; i++) {
            if (depth[i] != d) continue;
            /* Barycentre of neighbours already placed in the layer above. */
            double sum = 0;
            int k = 0;
            for (int l = 0; l < m->n_links; l++) {
                int a = la[l], b = lb[l];
                int v = a == i ? b : b == i ? a : -1;
                if (v >= 0 && depth[v] == d - 1) {
                    sum += order[v];
                    k++;
                }
            }
            items[cnt].node = i;
            items[cnt].key = k ? sum / k : (double)i;
            cnt++;
        }
        if (cnt == 0) continue;
        if (d > 0) qsort(items, (size_t)cnt, sizeof *items, item_cmp);
        for (int start = 0; start < cnt; start += max_cols) {
            int in_row = cnt - start < max_cols ? cnt - start : max_cols;
            for (int j = 0; j < in_row; j++) {
                int v = items[start + j].node;
                out_x[v] = j - (in_row - 1) / 2.0;
                out_y[v] = row;
                order[v] = out_x[v];
            }
            row++;
        }
    }
    free(la);
    free(lb);
    free(depth);
    free(queue);
    free(order);
    free(items);
}

static bool rects_overlap(SDL_Rect a, SDL_Rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/* Maps abstract coordinates onto the canvas. unit_grid: the coordinates
 * are grid cells (auto-layout), so icons are sized to fit one cell. */
static void layout_map(struct gui *g, const double *x, const double *y, bool unit_grid)
{
    int n = g->n_node_rect;
    double minx = x[0], maxx = x[0], miny = y[0], maxy = y[0];
    for (int i = 1; i < n; i++) {
        if (x[i] < minx) minx = x[i];
        if (x[i] > maxx) maxx = x[i];
        if (y[i] < miny) miny = y[i];
        if (y[i] > maxy) maxy = y[i];
    }
    /* Leave room for the labels under each icon and the legend. */
    int label_h = g->line_h * 3;
    SDL_Rect c = g->canvas;
    int mx = unit_grid ? 70 : 120, mtop = 40, mbot = label_h + g->small_h + 30;
    double uw = c.w - 2 * mx, uh = c.h - mtop - mbot;
    double ex = maxx - minx, ey = maxy - miny;
    double sx, sy;
    if (unit_grid) {
        sx = ex > 0 ? uw / ex : 0;
        sy = ey > 0 ? uh / ey : 0;
        /* Cap the spacing so small networks do not spread to the corners. */
        if (sx > 260) sx = 260;
        if (sy > 190) sy = 190;
    } else {
        double s = 1e9;
        if (ex > 0 && uw / ex < s) s = uw / ex;
        if (ey > 0 && uh / ey < s) s = uh / ey;
        if (s == 1e9) s = 1;
        sx = sy = s;
    }
    int icon = gui_px(g, 52);
    if (unit_grid) {
        double cell_w = ex > 0 ? sx : uw, cell_h = ey > 0 ? sy : uh;
        if (cell_w * 0.55 < icon) icon = (int)(cell_w * 0.55);
        if (cell_h - label_h < icon) icon = (int)(cell_h - label_h);
        if (icon < 12) icon = 12;
        g->compact = cell_w < 150;
    } else {
        g->compact = false;
    }
    g->icon = icon;
    double cx = c.x + c.w / 2.0, cy = c.y + mtop + uh / 2.0;
    for (int i = 0; i < n; i++) {
        g->node_x[i] = cx + (x[i] - (minx + maxx) / 2) * sx;
        g->node_y[i] = cy + (y[i] - (miny + maxy) / 2) * sy;
    }
    layout_apply_view(g);
}

void view_to_world(const struct gui *g, double sx, double sy, double *wx, double *wy)
{
    double cx = g->canvas.x + g->canvas.w / 2.0, cy = g->canvas.y + g->canvas.h / 2.0;
    *wx = cx + (sx - g->pan_x - cx) / g->zoom;
    *wy = cy + (sy - g->pan_y - cy) / g->zoom;
}

void view_zoom_at(struct gui *g, double factor, int sx, int sy)
{
    double z = g->zoom * factor;
    if (z < 0.2) z = 0.2;
    if (z > 5) z = 5;
    double wx, wy;
    view_to_world(g, sx, sy, &wx, &wy);
    g->zoom = z;
    /* Keep the world point under (sx, sy) where it was. */
    double cx = g->canvas.x + g->canvas.w / 2.0, cy = g->canvas.y + g->canvas.h / 2.0;
    g->pan_x = sx - cx - (wx - cx) * z;
    g->pan_y = sy - cy - (wy - cy) * z;
    layout_apply_view(g);
}

void layout_apply_view(struct gui *g)
{
    double cx = g->canvas.x + g->canvas.w / 2.0, cy = g->canvas.y + g->canvas.h / 2.0;
    int icon = (int)(g->icon * g->zoom + 0.5);
    if (icon < 6) icon = 6;
    for (int i = 0; i < g->n_node_rect; i++) {
        double px = cx + (g->node_x[i] - cx) * g->zoom + g->pan_x;
        double py = cy + (g->node_y[i] - cy) * g->zoom + g->pan_y;
        g->node_rect[i] = (SDL_Rect){(int)(px - icon / 2.0), (int)(py - icon / 2.0), icon, icon};
    }
}

void layout_nodes(struct gui *g)
{
    const struct model *m = g->s.model;
    free(g->node_rect);
    free(g->node_x);
    free(g->node_y);
    g->node_rect = NULL;
    g->node_x = g->node_y = NULL;
    g->n_node_rect = 0;
    free(g->link_a);
    free(g->link_b);
    g->link_a = g->link_b = NULL;
    g->n_links = 0;
    g->user_moved = false;
    g->zoom = 1;
    g->pan_x = g->pan_y = 0;
    if (!m || m->n_nodes == 0) return;
    int n = m->n_nodes;
    g->node_rect = calloc((size_t)n, sizeof *g->node_rect);
    g->node_x = calloc((size_t)n, sizeof *g->node_x);
    g->node_y = calloc((size_t)n, sizeof *g->node_y);
    double *x = calloc((size_t)n, sizeof *x), *y = calloc((size_t)n, sizeof *y);
    if (!g->node_rect || !g->node_x || !g->node_y || !x || !y) abort();
    g->n_node_rect = n;
    g->link_a = calloc((size_t)m->n_links + 1, sizeof(int));
    g->link_b = calloc((size_t)m->n_links + 1, sizeof(int));
    if (!g->link_a || !g->link_b) abort();
    for (int l = 0; l < m->n_links; l++) {
        g->link_a[l] = node_index(m, m->links[l].a_node);
        g->link_b[l] = node_index(m, m->links[l].b_node);
    }
    g->n_links = m->n_links;
    bool all_pos = true;
    for (int i = 0; i < n; i++) {
        all_pos &= m->nodes[i].has_pos;
        x[i] = m->nodes[i].x;
        y[i] = m->nodes[i].y;
    }
    bool ok = false;
    if (all_pos) {
        layout_map(g, x, y, false);
        ok = true;
        for (int i = 0; i < n && ok; i++)
            for (int j = i + 1; j < n && ok; j++) {
                /* Labels sit under the icons: keep a label's width apart. */
                SDL_Rect a = g->node_rect[i], b = g->node_rect[j];
                a.x -= 40;
                a.w += 80;
                a.h += g->line_h * 2;
                ok = !rects_overlap(a, b);
            }
    }
    if (!ok) {
        layout_auto(m, x, y);
        layout_map(g, x, y, true);
    }
    free(x);
    free(y);
}
