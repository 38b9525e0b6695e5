/* draw.c - drawing helpers over SDL_Renderer (the same code draws into a
 * window or, headless, into a software surface): filled shapes built from
 * triangles with SDL_RenderGeometry, text with SDL_ttf, and the UI dump
 * that records what was drawn so tests can check it without reading
 * pixels. */
#include "gui.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void draw_color(struct gui *g, SDL_Color c)
{
    SDL_SetRenderDrawColor(g->ren, c.r, c.g, c.b, c.a);
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

void draw_thick_line(struct gui *g, float x1, float y1, float x2, float y2, float w, SDL_Color c)
{
    float dx = x2 - x1, dy = y2 - y1;
    float len = sqrtf(dx * dx + dy * dy);
    if (len < 0.5f) return;
    float nx = -dy / len * w / 2, ny = dx / len * w / 2;
    draw_triangle(g, x1 + nx, y1 + ny, x2 + nx, y2 + ny, x2 - nx, y2 - ny, c);
    draw_triangle(g, x1 + nx, y1 + ny, x2 - nx, y2 - ny, x1 - nx, y1 - ny, c);
}

void draw_circle(struct gui *g, float cx, float cy, float rad, SDL_Color c)
{
    enum { N = 32 };
    SDL_Vertex v[N + 1];
    int idx[N * 3];
    v[0] = (SDL_Vertex){{cx, cy}, c, {0, 0}};
    for (int i = 0; i < N; i++) {
        float a = (float)i * 6.2831853f / N;
        v[i + 1] = (SDL_Vertex){{cx + rad * cosf(a), cy + rad * sinf(a)}, c, {0, 0}};
        idx[i * 3] = 0;
        idx[i * 3 + 1] = i + 1;
        idx[i * 3 + 2] = (i + 1) % N + 1;
    }
    SDL_RenderGeometry(g->ren, NULL, v, N + 1, idx, N * 3);
}

int draw_text_width(TTF_Font *f, const char *s)
{
    int w = 0, h = 0;
    if (!s[0] || TTF_SizeUTF8(f, s, &w, &h) != 0) return 0;
    return w;
}

int draw_text(struct gui *g, TTF_Font *f, int x, int y, int max_w, SDL_Color c, const char *s)
{
    if (!s || !s[0]) return 0;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", s);
    /* Tabs and newlines do not render in SDL_ttf; show them as spaces. */
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\t' || *p == '\r') *p = ' ';
    if (max_w > 0 && draw_text_width(f, buf) > max_w) {
        int extent = 0, count = 0;
        int ell = draw_text_width(f, "...");
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
    if (!buf[0]) return 0;
    SDL_Surface *surf = TTF_RenderUTF8_Blended(f, buf, c);
    if (!surf) return 0;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(g->ren, surf);
    int w = surf->w;
    if (tex) {
        SDL_Rect dst = {x, y, surf->w, surf->h};
        SDL_RenderCopy(g->ren, tex, NULL, &dst);
        SDL_DestroyTexture(tex);
    }
    SDL_FreeSurface(surf);
    return w;
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

int draw_wrapped(struct gui *g, TTF_Font *f, int x, int y, int w, int max_lines, SDL_Color c,
                 const char *s)
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
        bool fits = draw_text_width(f, trial) <= w;
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
            draw_text(g, f, x, y, w, c, start);
            dump_printf(g, "why %s\n", start);
            y += lh;
            lines++;
            len = 0;
            if (*p == '\n') p++;
        }
    }
    return y;
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
