/* save.c - "save positions" (Ctrl+S): writes where the nodes are on the
 * canvas back into the scenario's JSON file.
 *
 * Only the "position" members change: the text is scanned (not re-printed
 * from a parse tree), each node's existing position value is replaced and a
 * node without one gets a member appended, so comments-free formatting,
 * key order and everything else a teacher wrote stay as they were. The new
 * text must load before it is written; it goes to a temporary file in the
 * same directory, which is then renamed over the original, so a crash never
 * leaves half a file. */
#include "gui.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct scan {
    const char *t;
    size_t len, i;
    bool bad;
};

static void ws(struct scan *s)
{
    while (s->i < s->len && isspace((unsigned char)s->t[s->i]))
        s->i++;
}

static bool expect(struct scan *s, char c)
{
    ws(s);
    if (s->i < s->len && s->t[s->i] == c) {
        s->i++;
        return true;
    }
    s->bad = true;
    return false;
}

/* A string: [*from, *to) is its contents without the quotes. */
static bool string_at(struct scan *s, size_t *from, size_t *to)
{
    ws(s);
    if (s->i >= s->len || s->t[s->i] != '"') return !(s->bad = true);
    s->i++;
    *from = s->i;
    while (s->i < s->len && s->t[s->i] != '"') {
        if (s->t[s->i] == '\\') s->i++;
        s->i++;
    }
    if (s->i >= s->len) return !(s->bad = true);
    *to = s->i++;
    return true;
}

static void skip_value(struct scan *s, int depth)
{
    ws(s);
    if (s->i >= s->len || depth > 200) {
        s->bad = true;
        return;
    }
    char c = s->t[s->i];
    if (c == '"') {
        size_t a, b;
        string_at(s, &a, &b);
    } else if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        s->i++;
        ws(s);
        if (s->i < s->len && s->t[s->i] == close) {
            s->i++;
            return;
        }
        while (!s->bad) {
            if (c == '{') {
                size_t a, b;
                if (!string_at(s, &a, &b) || !expect(s, ':')) return;
            }
            skip_value(s, depth + 1);
            ws(s);
            if (s->i < s->len && s->t[s->i] == ',') {
                s->i++;
                continue;
            }
            expect(s, close);
            return;
        }
    } else {
        while (s->i < s->len && (isalnum((unsigned char)s->t[s->i]) || strchr("+-.", s->t[s->i])))
            s->i++;
    }
}

static bool key_is(const struct scan *s, size_t a, size_t b, const char *k)
{
    return b - a == strlen(k) && memcmp(s->t + a, k, b - a) == 0;
}

struct edit {
    size_t at, cut; /* replace [at, at + cut) */
    char text[96];
};

static int edit_cmp(const void *a, const void *b)
{
    const struct edit *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at;
}

char *save_rewrite(const char *text, size_t len, const struct model *m, const double *x,
                   const double *y, char *err, size_t errlen)
{
    struct scan s = {text, len, 0, false};
    struct edit *ed = calloc((size_t)m->n_nodes + 1, sizeof *ed);
    if (!ed) abort();
    int n_ed = 0;
    bool found_nodes = false;
    if (!expect(&s, '{')) goto bad;
    ws(&s);
    if (s.i < len && text[s.i] == '}') goto bad;
    while (!s.bad) {
        size_t ka, kb;
        if (!string_at(&s, &ka, &kb) || !expect(&s, ':')) goto bad;
        ws(&s);
        if (key_is(&s, ka, kb, "nodes") && s.i < len && text[s.i] == '[') {
            found_nodes = true;
            s.i++;
            ws(&s);
            while (!s.bad && s.i < len && text[s.i] != ']') {
                /* One node object: its name, its position's value, and the
                 * end of its last member. */
                if (!expect(&s, '{')) goto bad;
                size_t na = 0, nb = 0, pa = 0, pb = 0, last_end = s.i;
                bool has_name = false, has_pos = false;
                ws(&s);
                while (!s.bad && s.i < len && text[s.i] != '}') {
                    size_t a, b;
                    if (!string_at(&s, &a, &b) || !expect(&s, ':')) goto bad;
                    ws(&s);
                    size_t vs = s.i;
                    if (key_is(&s, a, b, "name") && text[s.i] == '"') {
                        string_at(&s, &na, &nb);
                        has_name = true;
                    } else {
                        skip_value(&s, 1);
                    }
                    if (key_is(&s, a, b, "position")) {
                        pa = vs;
                        pb = s.i;
                        has_pos = true;
                    }
                    last_end = s.i;
                    ws(&s);
                    if (s.i < len && text[s.i] == ',') s.i++;
                    ws(&s);
                }
                if (!expect(&s, '}')) goto bad;
                if (has_name) {
                    int idx = -1;
                    for (int i = 0; i < m->n_nodes && idx < 0; i++)
                        if (strlen(m->nodes[i].name) == nb - na &&
                            memcmp(m->nodes[i].name, text + na, nb - na) == 0)
                            idx = i;
                    if (idx >= 0 && n_ed < m->n_nodes) {
                        struct edit *e = &ed[n_ed++];
                        char pos[64];
                        snprintf(pos, sizeof pos, "{\"x\": %.0f, \"y\": %.0f}", x[idx], y[idx]);
                        if (has_pos) {
                            e->at = pa;
                            e->cut = pb - pa;
                            snprintf(e->text, sizeof e->text, "%s", pos);
                        } else {
                            e->at = last_end;
                            e->cut = 0;
                            snprintf(e->text, sizeof e->text, ", \"position\": %s", pos);
                        }
                    }
                }
                ws(&s);
                if (s.i < len && text[s.i] == ',') s.i++;
                ws(&s);
            }
            if (!expect(&s, ']')) goto bad;
        } else {
            skip_value(&s, 1);
        }
        ws(&s);
        if (s.i < len && text[s.i] == ',') {
            s.i++;
            continue;
        }
        if (!expect(&s, '}')) goto bad;
        break;
    }
    if (s.bad || !found_nodes) goto bad;
    qsort(ed, (size_t)n_ed, sizeof *ed, edit_cmp);
    size_t out_len = len + 1;
    for (int i = 0; i < n_ed; i++)
        out_len += strlen(ed[i].text);
    char *out = malloc(out_len);
    if (!out) abort();
    size_t o = 0, at = 0;
    for (int i = 0; i < n_ed; i++) {
        memcpy(out + o, text + at, ed[i].at - at);
        o += ed[i].at - at;
        size_t tl = strlen(ed[i].text);
        memcpy(out + o, ed[i].text, tl);
        o += tl;
        at = ed[i].at + ed[i].cut;
    }
    memcpy(out + o, text + at, len - at);
    o += len - at;
    out[o] = 0;
    free(ed);
    return out;
bad:
    free(ed);
    snprintf(err, errlen, "cannot find the nodes in the JSON text (near byte %zu)", s.i);
    return NULL;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    if (!buf) abort();
    size_t r;
    while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (n + 1 == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf) abort();
        }
    }
    bool ok = !ferror(f);
    fclose(f);
    if (!ok) {
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

bool save_positions(struct gui *g, char *err, size_t errlen)
{
    struct gui_session *s = &g->s;
    if (!s->model || !s->path || g->n_node_rect != s->model->n_nodes) {
        snprintf(err, errlen, "no scenario open");
        return false;
    }
    size_t pl = strlen(s->path);
    if (pl >= 4 && strcmp(s->path + pl - 4, ".lua") == 0) {
        snprintf(err, errlen, "%s: positions can be saved into JSON scenarios only", s->path);
        return false;
    }
    size_t len;
    char *text = read_all(s->path, &len);
    if (!text) {
        snprintf(err, errlen, "%s: cannot read: %s", s->path, strerror(errno));
        return false;
    }
    int n = s->model->n_nodes;
    double *x = malloc(sizeof(double) * (size_t)n), *y = malloc(sizeof(double) * (size_t)n);
    if (!x || !y) abort();
    for (int i = 0; i < n; i++) {
        x[i] = g->node_x[i] - g->canvas.x;
        y[i] = g->node_y[i] - g->canvas.y;
    }
    char e2[256];
    char *out = save_rewrite(text, len, s->model, x, y, e2, sizeof e2);
    free(text);
    bool ok = false;
    if (!out) {
        snprintf(err, errlen, "%s: %s", s->path, e2);
        goto done;
    }
    /* Never write a file that would not load again. */
    struct model_error me;
    struct model *check = model_load_json_text(s->path, out, strlen(out), &me);
    if (!check) {
        snprintf(err, errlen, "not saved: %s", me.text);
        goto done;
    }
    model_free(check);
    size_t tl = pl + 16;
    char *tmp = malloc(tl);
    if (!tmp) abort();
    snprintf(tmp, tl, "%s.tmpXXXXXX", s->path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create a temporary file: %s", tmp, strerror(errno));
        free(tmp);
        goto done;
    }
    /* mkstemp makes the file private; keep the original's permissions. */
    struct stat st;
    if (stat(s->path, &st) == 0) fchmod(fd, st.st_mode & 07777);
    size_t ol = strlen(out), w = 0;
    while (w < ol) {
        ssize_t r = write(fd, out + w, ol - w);
        if (r <= 0) break;
        w += (size_t)r;
    }
    bool wrote = w == ol && fsync(fd) == 0;
    wrote = close(fd) == 0 && wrote;
    if (!wrote || rename(tmp, s->path) != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", s->path, strerror(errno));
        unlink(tmp);
        free(tmp);
        goto done;
    }
    free(tmp);
    for (int i = 0; i < n; i++) {
        s->model->nodes[i].has_pos = true;
        s->model->nodes[i].x = x[i];
        s->model->nodes[i].y = y[i];
    }
    ok = true;
done:
    free(out);
    free(x);
    free(y);
    return ok;
}
