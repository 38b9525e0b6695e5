/* browser.c - the scenario browser: every bundled scenario (the .json and
 * .lua files of scenarios/bundled, then of scenarios/labs when there is
 * such a folder) with its name and description, opened with O (or Ctrl+O) and
 * shown at an empty start. Enter or a click opens the selected one; a
 * scenario that fails to load is listed with its error instead of its
 * description. */
#include "gui.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const SDL_Color C_TEXT = {28, 32, 40, 255}, C_DIM = {96, 104, 118, 255},
                       C_ERR = {200, 40, 40, 255}, C_ROWSEL = {210, 228, 255, 255};

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

bool browser_dir(char *out, size_t len)
{
    char probe[1024];
    const char *env = getenv("NETSTEP_SCENARIOS");
    if (env && env[0]) {
        snprintf(probe, sizeof probe, "%s/bundled", env);
        if (is_dir(probe)) {
            snprintf(out, len, "%s", env);
            return true;
        }
    }
    char *base = SDL_GetBasePath();
    static const char *const rel[] = {"../scenarios", "../../scenarios", "scenarios"};
    for (int i = 0; i < 3; i++) {
        char dir[900];
        snprintf(dir, sizeof dir, "%s%s", i < 2 && base ? base : "", rel[i]);
        snprintf(probe, sizeof probe, "%s/bundled", dir);
        if (is_dir(probe)) {
            snprintf(out, len, "%s", dir);
            SDL_free(base);
            return true;
        }
    }
    SDL_free(base);
    return false;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The scenario files (.json, .lua) of dir/sub, sorted, appended to *paths. */
static void list_json(const char *dir, const char *sub, char ***paths, int *n, int *cap)
{
    char d[1024];
    snprintf(d, sizeof d, "%s/%s", dir, sub);
    DIR *dp = opendir(d);
    if (!dp) return;
    int first = *n;
    struct dirent *de;
    while ((de = readdir(dp))) {
        size_t l = strlen(de->d_name);
        bool json = l > 5 && strcmp(de->d_name + l - 5, ".json") == 0;
        bool lua = l > 4 && strcmp(de->d_name + l - 4, ".lua") == 0;
        if (!json && !lua) continue;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 32;
            *paths = realloc(*paths, sizeof(char *) * (size_t)*cap);
            if (!*paths) abort();
        }
        size_t pl = strlen(d) + l + 2;
        char *p = malloc(pl);
        if (!p) abort();
        snprintf(p, pl, "%s/%s", d, de->d_name);
        (*paths)[(*n)++] = p;
    }
    closedir(dp);
    /* readdir order is the file system's: sort for a stable list. */
    qsort(*paths + first, (size_t)(*n - first), sizeof(char *), cmp_str);
}

void browser_close(struct gui *g)
{
    for (int i = 0; i < g->n_browse; i++) {
        free(g->browse_path[i]);
        free(g->browse_name[i]);
        free(g->browse_desc[i]);
    }
    free(g->browse_path);
    free(g->browse_name);
    free(g->browse_desc);
    g->browse_path = g->browse_name = g->browse_desc = NULL;
    g->n_browse = 0;
    g->browser = false;
}

static char *dup_or(const char *s, const char *def)
{
    char *d = strdup(s && s[0] ? s : def);
    if (!d) abort();
    return d;
}

void browser_open(struct gui *g)
{
    browser_close(g);
    g->browser = true;
    g->browse_sel = 0;
    char dir[1024];
    if (!browser_dir(dir, sizeof dir)) return;
    int cap = 0;
    list_json(dir, "bundled", &g->browse_path, &g->n_browse, &cap);
    list_json(dir, "labs", &g->browse_path, &g->n_browse, &cap);
    g->browse_name = calloc((size_t)g->n_browse + 1, sizeof(char *));
    g->browse_desc = calloc((size_t)g->n_browse + 1, sizeof(char *));
    if (!g->browse_name || !g->browse_desc) abort();
    for (int i = 0; i < g->n_browse; i++) {
        struct model_error me;
        struct model *m = model_load(g->browse_path[i], &me);
        const char *slash = strrchr(g->browse_path[i], '/');
        const char *file = slash ? slash + 1 : g->browse_path[i];
        if (m) {
            g->browse_name[i] = dup_or(m->name, file);
            g->browse_desc[i] = dup_or(m->description, "(no description)");
            model_free(m);
        } else {
            g->browse_name[i] = dup_or(file, file);
            size_t l = strlen(me.text) + 16;
            g->browse_desc[i] = malloc(l);
            if (!g->browse_desc[i]) abort();
            snprintf(g->browse_desc[i], l, "Error: %s", me.text);
        }
        /* Open at the scenario already open, if it is one of these. */
        if (g->s.path && strcmp(g->s.path, g->browse_path[i]) == 0) g->browse_sel = i;
    }
}

static void browser_pick(struct gui *g, int i)
{
    if (i < 0 || i >= g->n_browse) return;
    char *p = strdup(g->browse_path[i]);
    if (!p) abort();
    browser_close(g);
    gui_open_file(g, p);
    free(p);
}

void browser_key(struct gui *g, SDL_Keycode k)
{
    switch (k) {
    case SDLK_UP:
        if (g->browse_sel > 0) g->browse_sel--;
        break;
    case SDLK_DOWN:
        if (g->browse_sel + 1 < g->n_browse) g->browse_sel++;
        break;
    case SDLK_PAGEUP:
        g->browse_sel = g->browse_sel > 5 ? g->browse_sel - 5 : 0;
        break;
    case SDLK_PAGEDOWN:
        g->browse_sel = g->browse_sel + 5 < g->n_browse ? g->browse_sel + 5 : g->n_browse - 1;
        break;
    case SDLK_HOME:
        g->browse_sel = 0;
        break;
    case SDLK_END:
        g->browse_sel = g->n_browse - 1;
        break;
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
        browser_pick(g, g->browse_sel);
        break;
    case SDLK_ESCAPE:
    case SDLK_o:
        browser_close(g);
        break;
    default:
        break;
    }
    if (g->browse_sel < 0) g->browse_sel = 0;
}

bool browser_click(struct gui *g, int x, int y)
{
    SDL_Point p = {x, y};
    for (int i = 0; i < g->n_browse_rows; i++)
        if (SDL_PointInRect(&p, &g->browse_rows[i].r)) {
            browser_pick(g, (int)g->browse_rows[i].index);
            return true;
        }
    return false;
}

void browser_draw(struct gui *g)
{
    g->n_browse_rows = 0;
    if (!g->browser) return;
    int w = g->w * 3 / 4, h = g->h * 4 / 5;
    SDL_Rect r = {(g->w - w) / 2, (g->h - h) / 2, w, h};
    overlay_box(g, r, "Open a bundled scenario (Up/Down, Enter opens, Esc closes)");
    int y = r.y + g->line_h + 12, x = r.x + 14, tw = w - 28;
    if (g->n_browse == 0) {
        draw_wrapped_tag(g, g->font, x, y, tw, 3, C_ERR, "browse",
                         "No bundled scenarios found: set NETSTEP_SCENARIOS to the scenarios "
                         "folder of a netstep checkout, or drop a .json file on the window.");
        return;
    }
    int row_h = g->line_h + 2 * g->small_h + 10;
    int rows = (r.y + r.h - y - 6) / row_h;
    if (rows < 1) rows = 1;
    int first = g->browse_sel - rows + 1 > 0 ? g->browse_sel - rows + 1 : 0;
    for (int i = first; i < g->n_browse && i < first + rows; i++) {
        SDL_Rect row = {r.x + 4, y, w - 8, row_h - 2};
        bool sel = i == g->browse_sel;
        if (sel) draw_fill(g, row, C_ROWSEL);
        bool err = strncmp(g->browse_desc[i], "Error: ", 7) == 0;
        const char *slash = strrchr(g->browse_path[i], '/');
        char head[300];
        snprintf(head, sizeof head, "%s   (%s)", g->browse_name[i],
                 slash ? slash + 1 : g->browse_path[i]);
        draw_text(g, g->bold, x, y + 3, tw, C_TEXT, head);
        SDL_Color dc = err ? C_ERR : C_DIM;
        /* Two lines of the description; the rest is in the scenario. */
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", g->browse_desc[i]);
        for (char *q = buf; *q; q++)
            if (*q == '\n') *q = ' ';
        draw_wrapped_tag(g, g->small, x + 10, y + 3 + g->line_h, tw - 10, 2, dc, "browse_desc",
                         buf);
        dump_printf(g, "browse %s | %s | %s%s\n", g->browse_path[i], g->browse_name[i],
                    err ? g->browse_desc[i] : "ok", sel ? " [selected]" : "");
        if (g->n_browse_rows < GUI_MAX_ROWS)
            g->browse_rows[g->n_browse_rows++] = (struct gui_row){row, i};
        y += row_h;
    }
}
