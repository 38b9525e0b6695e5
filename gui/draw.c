/* draw.c - drawing helpers over SDL_Renderer (the same code draws into a
 * window or, headless, into a software surface): filled shapes built from
 * triangles with SDL_RenderGeometry, text with SDL_ttf through a cache of
 * rendered strings (rasterising every label every frame is what made large
 * scenarios slow), and the UI dump that records what was drawn so tests can
 * check it without reading pixels. */
#include "gui.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Sets the colour, and blending only for translucent colours: the
 * software renderer blends per pixel, an opaque colour needs no blend. */
void draw_color(struct gui *g, SDL_Color c)
{
    SDL_SetRenderDrawColor(g->ren, c.r, c.g, c.b, c.a);
    SDL_SetRenderDrawBlendMode(g->ren, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
}

void draw_fill(struct gui *g, SDL_Rect r, SDL_Color c)
{
    draw_color(g, c);
    SDL_RenderFillRect(g->ren, &r);
}

void draw_frame(struct gui *g, SDL_Rect r, SDL_Color c)
{
    draw_color(g, c);
    SDL_RenderDrawRect(g->ren, &r);
}

void draw_line(struct gui *g, int x1, int y1, int x2, int y2, SDL_Color c)
{
    draw_color(g, c);
    SDL_RenderDrawLine(g->ren, x1, y1, x2, y2);
}

void draw_triangle(struct gui *g, float x1, float y1, float x2, float y2, float x3, float y3,
                   SDL_Color c)
{
    SDL_Vertex v[3] = {
        {{x1, y1}, c, {0, 0}},
        {{x2, y2}, c, {0, 0}},
        {{x3, y3}, c, {0, 0}},
    };
    SDL_RenderGeometry(g->ren, NULL, v, 3, NULL, 0);
}

/* Lines and circles are drawn as runs of plain lines and rectangles, not
 * triangles: SDL's software renderer rasterises geometry through a
 * temporary surface the size of the triangle's bounding box, which made a
 * canvas with hundreds of long cables slow. */
void draw_thick_line(struct gui *g, float x1, float y1, float x2, float y2, float w, SDL_Color c)
{
    float dx = x2 - x1, dy = y2 - y1;
    if (fabsf(dx) < 0.5f && fabsf(dy) < 0.5f) return;
    int n = (int)(w + 0.5f);
    if (n < 1) n = 1;
    if (n > 64) n = 64;
    SDL_FPoint pts[128];
    /* Parallel one-pixel lines, offset across the main direction. */
    bool flat = fabsf(dx) >= fabsf(dy);
    for (int i = 0; i < n; i++) {
        float o = (float)i - (float)(n - 1) / 2;
        pts[2 * i] = flat ? (SDL_FPoint){x1, y1 + o} : (SDL_FPoint){x1 + o, y1};
        pts[2 * i + 1] = flat ? (SDL_FPoint){x2, y2 + o} : (SDL_FPoint){x2 + o, y2};
    }
    draw_color(g, c);
    for (int i = 0; i < n; i++)
        SDL_RenderDrawLineF(g->ren, pts[2 * i].x, pts[2 * i].y, pts[2 * i + 1].x, pts[2 * i + 1].y);
}

void draw_circle(struct gui *g, float cx, float cy, float rad, SDL_Color c)
{
    /* One horizontal span per pixel row. */
    SDL_FRect rows[256];
    int n = 0;
    int r = (int)ceilf(rad);
    if (r > 127) r = 127;
    for (int y = -r; y <= r && n < 256; y++) {
        float yc = (float)y + 0.5f;
        float h = rad * rad - yc * yc;
        if (h <= 0) continue;
        float half = sqrtf(h);
        rows[n++] = (SDL_FRect){cx - half, cy + (float)y, 2 * half, 1};
    }
    draw_color(g, c);
    SDL_RenderFillRectsF(g->ren, rows, n);
}

/* ---- text cache ---- */

static uint64_t text_hash(TTF_Font *f, SDL_Color c, int max_w, const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    uintptr_t fp = (uintptr_t)f;
    uint64_t mix[3] = {(uint64_t)fp, (uint64_t)c.r << 24 | (uint64_t)c.g << 16 | c.b << 8 | c.a,
                       (uint64_t)(uint32_t)max_w};
    for (int i = 0; i < 3; i++)
        for (int b = 0; b < 8; b++) {
            h ^= (mix[i] >> (b * 8)) & 255;
            h *= 1099511628211ull;
        }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return h;
}

static void entry_free(struct text_entry *e)
{
    if (e->tex) SDL_DestroyTexture(e->tex);
    free(e->text);
    memset(e, 0, sizeof *e);
}

void text_cache_clear(struct gui *g)
{
    for (size_t i = 0; i < g->tc.cap; i++)
        if (g->tc.e[i].text) entry_free(&g->tc.e[i]);
    free(g->tc.e);
    g->tc.e = NULL;
    g->tc.cap = g->tc.used = 0;
}

static void cache_insert(struct text_cache *tc, const struct text_entry *e)
{
    size_t mask = tc->cap - 1, i = e->hash & mask;
    while (tc->e[i].text)
        i = (i + 1) & mask;
    tc->e[i] = *e;
    tc->used++;
}

/* Keeps entries used in the last few frames, in a table twice their number:
 * a string that stays on screen is rasterised once. */
static void cache_rebuild(struct gui *g, size_t min_cap)
{
    struct text_cache *tc = &g->tc;
    struct text_entry *old = tc->e;
    size_t old_cap = tc->cap;
    size_t keep = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].text && tc->frame - old[i].last_used <= 2) keep++;
    size_t cap = 1024;
    while (cap < keep * 2 || cap < min_cap)
        cap *= 2;
    tc->e = calloc(cap, sizeof *tc->e);
    if (!tc->e) abort();
    tc->cap = cap;
    tc->used = 0;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].text) continue;
        if (tc->frame - old[i].last_used <= 2)
            cache_insert(tc, &old[i]);
        else
            entry_free(&old[i]);
    }
    free(old);
}

void text_cache_frame(struct gui *g)
{
    g->tc.frame++;
    if (g->tc.used * 4 > g->tc.cap * 3) cache_rebuild(g, 0);
}

static struct text_entry *cache_find(struct gui *g, TTF_Font *f, SDL_Color c, int max_w,
                                     const char *s, uint64_t h)
{
    struct text_cache *tc = &g->tc;
    if (!tc->cap) return NULL;
    size_t mask = tc->cap - 1;
    for (size_t i = h & mask; tc->e[i].text; i = (i + 1) & mask) {
        struct text_entry *e = &tc->e[i];
        if (e->hash == h && e->font == f && e->max_w == max_w && e->color.r == c.r &&
            e->color.g == c.g && e->color.b == c.b && e->color.a == c.a &&
            strcmp(e->text, s) == 0) {
            e->last_used = tc->frame;
            tc->hits++;
            return e;
        }
    }
    return NULL;
}

static struct text_entry *cache_add(struct gui *g, const struct text_entry *e)
{
    struct text_cache *tc = &g->tc;
    if ((tc->used + 1) * 4 > tc->cap * 3) cache_rebuild(g, tc->cap * 2);
    size_t mask = tc->cap - 1, i = e->hash & mask;
    while (tc->e[i].text)
        i = (i + 1) & mask;
    tc->e[i] = *e;
    tc->e[i].text = strdup(e->text);
    if (!tc->e[i].text) abort();
    tc->e[i].last_used = tc->frame;
    tc->used++;
    tc->misses++;
    return &tc->e[i];
}

int draw_text_width(struct gui *g, TTF_Font *f, const char *s)
{
    if (!s[0]) return 0;
    static const SDL_Color none = {0, 0, 0, 0};
    uint64_t h = text_hash(f, none, -1, s);
    struct text_entry *e = cache_find(g, f, none, -1, s, h);
    if (e) return e->w;
    int w = 0, hh = 0;
    if (TTF_SizeUTF8(f, s, &w, &hh) != 0) w = 0;
    struct text_entry n = {h, f, none, -1, (char *)s, NULL, w, hh, 0};
    cache_add(g, &n);
    return w;
}

/* The texture for s clipped to max_w, rendered once. */
static struct text_entry *text_texture(struct gui *g, TTF_Font *f, int max_w, SDL_Color c,
                                       const char *s)
{
    uint64_t h = text_hash(f, c, max_w, s);
    struct text_entry *e = cache_find(g, f, c, max_w, s, h);
    if (e) return e;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", s);
    /* Tabs and newlines do not render in SDL_ttf; show them as spaces. */
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\t' || *p == '\r') *p = ' ';
    if (max_w > 0 && draw_text_width(g, f, buf) > max_w) {
        int extent = 0, count = 0;
        int ell = draw_text_width(g, f, "...");
        if (TTF_MeasureUTF8(f, buf, max_w - ell > 0 ? max_w - ell : 0, &extent, &count) == 0) {
            /* count is in characters; find its byte offset in UTF-8. */
            size_t b = 0;
            for (int i = 0; i < count && buf[b]; i++) {
                b++;
                while (buf[b] && ((unsigned char)buf[b] & 0xc0) == 0x80)
                    b++;
            }
            if (b + 4 < sizeof buf) memcpy(buf + b, "...", 4);
        }
    }
    struct text_entry n = {h, f, c, max_w, (char *)s, NULL, 0, 0, 0};
    SDL_Surface *surf = buf[0] ? TTF_RenderUTF8_Blended(f, buf, c) : NULL;
    if (surf) {
        n.tex = SDL_CreateTextureFromSurface(g->ren, surf);
        n.w = surf->w;
        n.h = surf->h;
        SDL_FreeSurface(surf);
    }
    return cache_add(g, &n);
}

int draw_text(struct gui *g, TTF_Font *f, int x, int y, int max_w, SDL_Color c, const char *s)
{
    if (!s || !s[0]) return 0;
    struct text_entry *e = text_texture(g, f, max_w, c, s);
    if (!e->tex) return e->w;
    SDL_Rect dst = {x, y, e->w, e->h};
    SDL_RenderCopy(g->ren, e->tex, NULL, &dst);
    return e->w;
}

int draw_textf(struct gui *g, TTF_Font *f, int x, int y, int max_w, SDL_Color c, const char *fmt,
               ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return draw_text(g, f, x, y, max_w, c, buf);
}

/* Splits s into lines of at most w pixels; calls fn per line (draw=NULL
 * just counts). */
static int wrap_lines(struct gui *g, TTF_Font *f, int x, int y, int w, int max_lines, SDL_Color c,
                      const char *tag, const char *s, bool draw)
{
    int lh = TTF_FontLineSkip(f);
    char line[1024];
    size_t len = 0;
    int lines = 0;
    const char *p = s;
    while (*p && lines < max_lines) {
        /* Next word, including the spaces before it. */
        const char *q = p;
        while (*q == ' ')
            q++;
        while (*q && *q != ' ' && *q != '\n')
            q++;
        size_t wl = (size_t)(q - p);
        if (len + wl >= sizeof line) wl = sizeof line - len - 1;
        char trial[1024];
        memcpy(trial, line, len);
        memcpy(trial + len, p, wl);
        trial[len + wl] = 0;
        bool fits = draw_text_width(g, f, trial) <= w;
        if (fits || len == 0) {
            memcpy(line, trial, len + wl + 1);
            len += wl;
            p = q;
        }
        if (!fits || *p == '\n' || !*p) {
            line[len] = 0;
            const char *start = line;
            while (*start == ' ')
                start++;
            if (draw) {
                draw_text(g, f, x, y, w, c, start);
                dump_printf(g, "%s %s\n", tag, start);
            }
            y += lh;
            lines++;
            len = 0;
            if (*p == '\n') p++;
        }
    }
    return draw ? y : lines;
}

int draw_wrapped_tag(struct gui *g, TTF_Font *f, int x, int y, int w, int max_lines, SDL_Color c,
                     const char *tag, const char *s)
{
    return wrap_lines(g, f, x, y, w, max_lines, c, tag, s, true);
}

int draw_wrapped(struct gui *g, TTF_Font *f, int x, int y, int w, int max_lines, SDL_Color c,
                 const char *s)
{
    return wrap_lines(g, f, x, y, w, max_lines, c, "why", s, true);
}

int draw_wrapped_lines(struct gui *g, TTF_Font *f, int w, int max_lines, const char *s)
{
    SDL_Color none = {0, 0, 0, 0};
    return wrap_lines(g, f, 0, 0, w, max_lines, none, "", s, false);
}

int gui_px(const struct gui *g, int px)
{
    return (int)(px * g->scale + 0.5);
}

void draw_ring(struct gui *g, float cx, float cy, float rad, float w, SDL_Color c)
{
    enum { N = 32 };
    SDL_FPoint pts[N + 1];
    draw_color(g, c);
    for (float r = rad - w / 2; r <= rad + w / 2 + 0.01f; r += 1) {
        for (int i = 0; i <= N; i++) {
            float a = (float)i * 6.2831853f / N;
            pts[i] = (SDL_FPoint){cx + r * cosf(a), cy + r * sinf(a)};
        }
        SDL_RenderDrawLinesF(g->ren, pts, N + 1);
    }
}

void dump_printf(struct gui *g, const char *fmt, ...)
{
    if (!g->dump.on) return;
    va_list ap;
    va_start(ap, fmt);
    char tmp[2048];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    size_t add = (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1;
    if (g->dump.len + add + 1 > g->dump.cap) {
        g->dump.cap = (g->dump.len + add + 1) * 2;
        g->dump.buf = realloc(g->dump.buf, g->dump.cap);
        if (!g->dump.buf) abort();
    }
    memcpy(g->dump.buf + g->dump.len, tmp, add);
    g->dump.len += add;
    g->dump.buf[g->dump.len] = 0;
}
