/* json_load.c - the JSON scenario loader, format v1 (docs/scenario-format.md).
 *
 * Three passes over the text. A strict RFC 8259 syntax check comes first: it
 * finds the first mistake with its line and column and says it in a
 * teacher's words (a trailing comma, single quotes, a comment, 5ms without
 * quotes), which cJSON cannot do. cJSON then builds the tree, and the loader
 * walks it, checking every key and value against the contract and filling
 * the model. cJSON keeps no positions, so the syntax pass also records the
 * line of every value in document order, and a pre-order walk of cJSON's
 * tree (same order) pairs them with the items: that gives each model entry
 * its `line` in O(1). An error names a path, not an item (the value may be
 * missing), so a small structural scanner walks the original text along
 * that path (nodes[1].interfaces[0].ip) to find its line; a value that does
 * not exist gets its nearest parent's line.
 *
 * The first error stops the load: one precise message beats a page of
 * consequences. Everything allocated so far is freed on that path
 * (model_free copes with a half-filled model). The loader keeps all its
 * state in a struct loader on the stack: no globals.
 */
#include "model.h"
#include "../protocols/dns.h"
#include "../protocols/ftp.h"
#include "../protocols/http.h"
#include "../protocols/mailstore.h"
#include "../protocols/nat.h"
#include "../protocols/tls_cert.h"
#include "../protocols/whois.h"
#include "../protocols/wire.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#define PATH_MAX_DEPTH   16
#define SYNTAX_MAX_DEPTH 64          /* a scenario needs about 6 levels */
#define FILE_MAX_BYTES   (64u << 20) /* larger files are not scenarios */
#define NODE_MAX_IFACES  256
#define PORTS_MAX        8192
#define MAX_SEED         9007199254740991.0 /* 2^53 - 1: exact in a JSON number */

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* ---- small allocation helpers: out of memory is fatal, as in the engine ---- */

static void *zalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "netstep: out of memory\n");
        abort();
    }
    return p;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = zalloc(n, 1);
    memcpy(d, s, n);
    return d;
}

static char *dupmem(const char *s, size_t n)
{
    char *d = zalloc(n + 1, 1);
    memcpy(d, s, n);
    return d;
}

/* ======================================================================
 * Positions: line of an offset, and the structural scanner that finds the
 * offset of a path in the text. The scanner trusts nothing: it is also
 * called on text that is not JSON, and then returns the best it found.
 * ====================================================================== */

/* One step of a path: a key (with which occurrence, for duplicate keys) or
 * an array index. */
struct seg {
    const char *key; /* NULL: an array index */
    int index;
    int nth;
};

static int line_of(const char *s, size_t len, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off && i < len; i++)
        if (s[i] == '\n') line++;
    return line;
}

/* Column in characters (UTF-8 continuation bytes do not count), 1-based. */
static int column_of(const char *s, size_t len, size_t off)
{
    size_t start = off < len ? off : len;
    while (start > 0 && s[start - 1] != '\n')
        start--;
    int col = 1;
    for (size_t i = start; i < off && i < len; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80) col++;
    return col;
}

static size_t skip_bom(const char *s, size_t len)
{
    return len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

/* cJSON skips every byte <= ' ' between tokens; so do we. */
static size_t scan_ws(const char *s, size_t len, size_t p)
{
    while (p < len && (unsigned char)s[p] <= ' ')
        p++;
    return p;
}

/* p is at an opening quote; returns the offset just after the closing one. */
static size_t scan_string_end(const char *s, size_t len, size_t p)
{
    p++;
    while (p < len) {
        if (s[p] == '\\') {
            p += 2;
            continue;
        }
        if (s[p] == '"') return p + 1;
        p++;
    }
    return len;
}

static size_t scan_value_end(const char *s, size_t len, size_t p)
{
    if (p >= len) return len;
    if (s[p] == '"') return scan_string_end(s, len, p);
    if (s[p] == '{' || s[p] == '[') {
        size_t depth = 0;
        while (p < len) {
            char c = s[p];
            if (c == '"') {
                p = scan_string_end(s, len, p);
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) return p + 1;
            }
            p++;
        }
        return len;
    }
    while (p < len && s[p] != ',' && s[p] != ']' && s[p] != '}' && (unsigned char)s[p] > ' ')
        p++;
    return p;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool hex4(const char *s, size_t len, size_t p, unsigned *out)
{
    unsigned v = 0;
    if (p + 4 > len) return false;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(s[p + (size_t)i]);
        if (d < 0) return false;
        v = v << 4 | (unsigned)d;
    }
    *out = v;
    return true;
}

static size_t utf8_encode(unsigned cp, unsigned char *b)
{
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (unsigned char)(0xc0 | cp >> 6);
        b[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (unsigned char)(0xe0 | cp >> 12);
        b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        b[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    b[0] = (unsigned char)(0xf0 | cp >> 18);
    b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
    b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    b[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Does the JSON string at s[p] (its opening quote) decode to key? Escapes
 * are decoded as cJSON does, so "na\u006de" matches "name". */
static bool scan_key_equals(const char *s, size_t len, size_t p, const char *key)
{
    size_t k = 0;
    p++;
    while (p < len && s[p] != '"') {
        unsigned char b[4];
        size_t n = 0;
        if (s[p] == '\\') {
            if (p + 1 >= len) return false;
            char e = s[p + 1];
            p += 2;
            if (e == 'u') {
                unsigned cp, lo;
                if (!hex4(s, len, p, &cp)) return false;
                p += 4;
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    if (p + 6 > len || s[p] != '\\' || s[p + 1] != 'u' ||
                        !hex4(s, len, p + 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
                        return false;
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    p += 6;
                }
                n = utf8_encode(cp, b);
            } else {
                const char *from = "bfnrt", *to = "\b\f\n\r\t";
                const char *hit = e ? strchr(from, e) : NULL;
                b[n++] = (unsigned char)(hit ? to[hit - from] : e);
            }
        } else {
            b[n++] = (unsigned char)s[p++];
        }
        for (size_t i = 0; i < n; i++) {
            if (key[k] == '\0' || (unsigned char)key[k] != b[i]) return false;
            k++;
        }
    }
    return p < len && key[k] == '\0';
}

/* Offset of the value named by path (for a key: of the key itself), or of
 * the nearest enclosing value that exists. */
static size_t json_locate(const char *s, size_t len, const struct seg *path, int depth)
{
    size_t p = scan_ws(s, len, skip_bom(s, len));
    size_t best = p;
    for (int d = 0; d < depth && p < len; d++) {
        const struct seg *g = &path[d];
        bool found = false;
        if (g->key) {
            if (s[p] != '{') break;
            int seen = 0;
            p = scan_ws(s, len, p + 1);
            while (p < len && s[p] == '"') {
                size_t key_at = p;
                bool eq = scan_key_equals(s, len, p, g->key);
                p = scan_ws(s, len, scan_string_end(s, len, p));
                if (p >= len || s[p] != ':') break;
                p = scan_ws(s, len, p + 1);
                if (eq && seen++ == g->nth) {
                    best = key_at;
                    found = true;
                    break;
                }
                p = scan_ws(s, len, scan_value_end(s, len, p));
                if (p >= len || s[p] != ',') break;
                p = scan_ws(s, len, p + 1);
            }
        } else {
            if (s[p] != '[') break;
            p = scan_ws(s, len, p + 1);
            for (int i = 0; p < len && s[p] != ']'; i++) {
                if (i == g->index) {
                    best = p;
                    found = true;
                    break;
                }
                p = scan_ws(s, len, scan_value_end(s, len, p));
                if (p >= len || s[p] != ',') break;
                p = scan_ws(s, len, p + 1);
            }
        }
        if (!found) break;
    }
    return best;
}

int model_json_line(const char *text, size_t len, const char *path)
{
    struct seg segs[PATH_MAX_DEPTH];
    char keys[256];
    size_t kn = 0;
    int depth = 0;
    const char *p = path ? path : "";
    while (*p && depth < PATH_MAX_DEPTH) {
        if (*p == '.') {
            p++;
        } else if (*p == '[') {
            long idx = 0;
            p++;
            while (isdigit((unsigned char)*p)) {
                idx = idx * 10 + (*p++ - '0');
                if (idx > INT_MAX / 10) idx = INT_MAX / 10;
            }
            if (*p == ']') p++;
            segs[depth++] = (struct seg){NULL, (int)idx, 0};
        } else {
            size_t start = kn;
            while (*p && *p != '.' && *p != '[' && kn + 1 < sizeof keys)
                keys[kn++] = *p++;
            while (*p && *p != '.' && *p != '[') /* key longer than the buffer */
                p++;
            if (kn >= sizeof keys) break;
            keys[kn++] = '\0';
            segs[depth++] = (struct seg){keys + start, 0, 0};
        }
    }
    if (!text) return 1;
    return line_of(text, len, json_locate(text, len, segs, depth));
}

/* ======================================================================
 * Strict syntax check (RFC 8259), with messages for the usual mistakes.
 * ====================================================================== */

struct syn {
    const char *s;
    size_t len, pos;
    size_t err_pos;
    char msg[256];
    /* The line of every value, in document order (for a member: of its
     * key). Newlines can only be in whitespace, since a string may not
     * hold a raw one, so syn_ws keeps `line` current for free. */
    int line;
    int *lines;
    size_t n_lines, cap_lines;
};

static void syn_record(struct syn *y, int line)
{
    if (y->n_lines == y->cap_lines) {
        size_t cap = y->cap_lines ? 2 * y->cap_lines : 256;
        int *l = realloc(y->lines, cap * sizeof *l);
        if (!l) {
            fprintf(stderr, "netstep: out of memory\n");
            abort();
        }
        y->lines = l;
        y->cap_lines = cap;
    }
    y->lines[y->n_lines++] = line;
}

static bool syn_fail(struct syn *y, size_t at, const char *fmt, ...) PRINTF_LIKE(3, 4);
static bool syn_fail(struct syn *y, size_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(y->msg, sizeof y->msg, fmt, ap);
    va_end(ap);
    y->err_pos = at;
    return false;
}

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Copies the identifier-like word at p (for messages). */
static void syn_word(const struct syn *y, size_t p, char *buf, size_t n)
{
    size_t i = 0;
    while (p < y->len && is_word_char(y->s[p]) && i + 1 < n)
        buf[i++] = y->s[p++];
    buf[i] = '\0';
}

static void syn_ws(struct syn *y)
{
    while (y->pos < y->len) {
        char c = y->s[y->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        if (c == '\n') y->line++;
        y->pos++;
    }
}

/* Explains a character that cannot start a value or a key. */
static bool syn_unexpected(struct syn *y, const char *where)
{
    size_t p = y->pos;
    unsigned char c = (unsigned char)y->s[p];
    char word[24];
    if (c == '\'')
        return syn_fail(y, p, "strings and keys need double quotes (\"), not single quotes");
    if (c == '/' || c == '#')
        return syn_fail(y, p, "JSON has no comments; put notes in \"description\"");
    if (is_word_char((char)c)) {
        syn_word(y, p, word, sizeof word);
        if (!strcasecmp(word, "true") || !strcasecmp(word, "false") || !strcasecmp(word, "null"))
            return syn_fail(y, p, "JSON writes true, false and null in lower case, not \"%s\"",
                            word);
        return syn_fail(y, p, "unexpected word %s %s; text needs double quotes, like \"%s\"", word,
                        where, word);
    }
    if (c == '}' || c == ']' || c == ',' || c == ':')
        return syn_fail(y, p, "unexpected '%c' %s", c, where);
    if (c >= 0x21 && c < 0x7f) return syn_fail(y, p, "unexpected character '%c' %s", c, where);
    return syn_fail(y, p, "unexpected byte 0x%02x %s", c, where);
}

static bool syn_value(struct syn *y, int depth, int key_line);

static bool syn_string(struct syn *y)
{
    size_t start = y->pos;
    const char *s = y->s;
    y->pos++;
    while (y->pos < y->len) {
        size_t p = y->pos;
        unsigned char c = (unsigned char)s[p];
        if (c == '"') {
            y->pos++;
            return true;
        }
        if (c == '\\') {
            if (p + 1 >= y->len) break;
            char e = s[p + 1];
            if (e && strchr("\"\\/bfnrt", e)) {
                y->pos += 2;
                continue;
            }
            if (e != 'u') {
                if ((unsigned char)e >= 0x21 && (unsigned char)e < 0x7f)
                    return syn_fail(y, p,
                                    "invalid escape \"\\%c\" in a string (a backslash is "
                                    "written \\\\)",
                                    e);
                return syn_fail(y, p, "invalid escape in a string (a backslash is written \\\\)");
            }
            unsigned cp, lo;
            if (!hex4(s, y->len, p + 2, &cp))
                return syn_fail(y, p, "\\u must be followed by 4 hex digits, like \\u00e9");
            if (cp >= 0xdc00 && cp <= 0xdfff)
                return syn_fail(y, p, "\\u%04X is half of a surrogate pair without its first half",
                                cp);
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (p + 12 > y->len || s[p + 6] != '\\' || s[p + 7] != 'u' ||
                    !hex4(s, y->len, p + 8, &lo) || lo < 0xdc00 || lo > 0xdfff)
                    return syn_fail(y, p,
                                    "\\u%04X must be followed by the second half of its "
                                    "surrogate pair (\\uDC00 to \\uDFFF)",
                                    cp);
                y->pos += 12;
            } else {
                y->pos += 6;
            }
            continue;
        }
        if (c == '\n' || c == '\r')
            return syn_fail(y, start,
                            "this string is not closed on its line: is a closing \" missing? "
                            "(a line break inside a string is written \\n)");
        if (c < 0x20)
            return syn_fail(y, p, "raw control character 0x%02x in a string (a tab is written \\t)",
                            c);
        y->pos++;
    }
    return syn_fail(y, start, "this string is never closed (a \" is missing)");
}

static bool syn_number(struct syn *y)
{
    const char *s = y->s;
    size_t start = y->pos, p = y->pos;
    if (p < y->len && s[p] == '-') p++;
    if (p >= y->len || !isdigit((unsigned char)s[p]))
        return syn_fail(y, start, "'-' must be followed by digits");
    if (s[p] == '0') {
        p++;
        if (p < y->len && isdigit((unsigned char)s[p]))
            return syn_fail(y, start, "numbers cannot start with 0 (write 8, not 08)");
    } else {
        while (p < y->len && isdigit((unsigned char)s[p]))
            p++;
    }
    if (p < y->len && s[p] == '.') {
        p++;
        if (p >= y->len || !isdigit((unsigned char)s[p]))
            return syn_fail(y, start, "a digit must follow the '.' of a number (write 1.0 or 1)");
        while (p < y->len && isdigit((unsigned char)s[p]))
            p++;
    }
    if (p < y->len && (s[p] == 'e' || s[p] == 'E')) {
        size_t e = p++;
        if (p < y->len && (s[p] == '+' || s[p] == '-')) p++;
        if (p >= y->len || !isdigit((unsigned char)s[p])) {
            /* "5e" or "2ms": more likely a value with a unit than an exponent. */
            p = e;
        } else {
            while (p < y->len && isdigit((unsigned char)s[p]))
                p++;
        }
    }
    if (p < y->len && (isalpha((unsigned char)s[p]) || s[p] == '_' || s[p] == '/')) {
        size_t q = p;
        while (q < y->len && q - start < 24 &&
               (isalnum((unsigned char)s[q]) || s[q] == '_' || s[q] == '/' || s[q] == '.'))
            q++;
        return syn_fail(y, start,
                        "a value with a unit needs double quotes, like \"%.*s\" (a bare number "
                        "cannot have a unit)",
                        (int)(q - start), s + start);
    }
    if (p - start > 60) /* cJSON 1.7.15 cannot read longer ones */
        return syn_fail(y, start, "this number is too long (more than 60 characters)");
    y->pos = p;
    return true;
}

static bool syn_literal(struct syn *y)
{
    static const char *const lits[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(lits[i]);
        if (y->pos + n <= y->len && memcmp(y->s + y->pos, lits[i], n) == 0 &&
            (y->pos + n == y->len || !is_word_char(y->s[y->pos + n]))) {
            y->pos += n;
            return true;
        }
    }
    return syn_unexpected(y, "where a value should be");
}

static void syn_key_text(const struct syn *y, size_t p, char *buf, size_t n)
{
    size_t i = 0;
    p++;
    while (p < y->len && y->s[p] != '"' && i + 1 < n) {
        unsigned char c = (unsigned char)y->s[p++];
        buf[i++] = c < 0x20 ? '?' : (char)c;
    }
    buf[i] = '\0';
}

static bool syn_container(struct syn *y, int depth)
{
    size_t open = y->pos;
    bool object = y->s[open] == '{';
    char close = object ? '}' : ']';
    char key[48] = "";
    if (depth > SYNTAX_MAX_DEPTH)
        return syn_fail(y, open, "nesting is too deep (more than %d levels)", SYNTAX_MAX_DEPTH);
    y->pos++;
    syn_ws(y);
    if (y->pos < y->len && y->s[y->pos] == close) {
        y->pos++;
        return true;
    }
    for (int i = 0;; i++) {
        syn_ws(y);
        if (y->pos >= y->len)
            return syn_fail(y, open, "this '%c' is never closed (the file ends first)", y->s[open]);
        int key_line = object ? y->line : 0;
        if (object) {
            if (y->s[y->pos] != '"')
                return syn_unexpected(y, "where a key in double quotes should be");
            syn_key_text(y, y->pos, key, sizeof key);
            if (!syn_string(y)) return false;
            syn_ws(y);
            if (y->pos >= y->len)
                return syn_fail(y, open, "this '{' is never closed (the file ends first)");
            if (y->s[y->pos] != ':')
                return syn_fail(y, y->pos, "expected ':' after the key \"%s\"", key);
            y->pos++;
        }
        if (!syn_value(y, depth + 1, key_line)) return false;
        syn_ws(y);
        if (y->pos >= y->len)
            return syn_fail(y, open, "this '%c' is never closed (the file ends first)", y->s[open]);
        char c = y->s[y->pos];
        if (c == close) {
            y->pos++;
            return true;
        }
        if (c != ',') {
            if (object)
                return syn_fail(y, y->pos,
                                "expected ',' or '}' after the value of \"%s\" (is a comma "
                                "missing?)",
                                key);
            return syn_fail(y, y->pos,
                            "expected ',' or ']' after element [%d] of the list (is a comma "
                            "missing?)",
                            i);
        }
        size_t comma = y->pos++;
        syn_ws(y);
        if (y->pos < y->len && (y->s[y->pos] == '}' || y->s[y->pos] == ']'))
            return syn_fail(y, comma,
                            "a comma before '%c' is not allowed in JSON (remove the comma after "
                            "the last %s)",
                            y->s[y->pos], object ? "member" : "element");
    }
}

/* key_line: the line of the member's key, 0 for an array element. */
static bool syn_value(struct syn *y, int depth, int key_line)
{
    syn_ws(y);
    if (y->pos >= y->len) return syn_fail(y, y->pos, "the file ends where a value should be");
    syn_record(y, key_line ? key_line : y->line);
    char c = y->s[y->pos];
    if (c == '{' || c == '[') return syn_container(y, depth);
    if (c == '"') return syn_string(y);
    if (c == '-' || isdigit((unsigned char)c)) return syn_number(y);
    if (c == 't' || c == 'f' || c == 'n') return syn_literal(y);
    if (c == '.' || c == '+')
        return syn_fail(y, y->pos, "numbers start with a digit or '-' (write 0.5, not .5 or +5)");
    return syn_unexpected(y, "where a value should be");
}

/* ======================================================================
 * The loader proper.
 * ====================================================================== */

/* Node names -> node index, open addressing (nodes can number thousands). */
struct name_tab {
    int *slot; /* node index + 1; 0 = empty */
    size_t mask;
};

/* (node, interface) -> the link end using it, so one cable per interface. */
struct end_tab {
    uint64_t *key; /* (node << 32 | iface) + 1; 0 = empty */
    int *val;      /* link index * 2 + side */
    size_t mask;
};

/* cJSON item -> its line, filled from the syntax pass: cJSON builds its
 * tree in document order, so a pre-order walk meets the items in the order
 * syn_record saw them. This keeps the `line` of thousands of entries O(1)
 * each instead of a scan from the top of the file. */
struct line_map {
    const cJSON **item;
    int *line;
    size_t mask;
};

struct loader {
    const char *file;
    const char *text;
    size_t len;
    struct model_error *err;
    struct model *m;
    struct seg path[PATH_MAX_DEPTH];
    int depth;
    struct name_tab names;
    struct end_tab ends;
    struct line_map lines;
    /* Text generated from another source (a Lua script): JSON line k came
     * from source line line_map[k - 1]. NULL for a JSON file. */
    const int *line_map;
    int n_line_map;
};

static size_t ptr_hash(const void *p)
{
    return (size_t)(((uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull) >> 16);
}

static void lines_fill(struct line_map *mp, const cJSON *item, const int *lines, size_t n,
                       size_t *k)
{
    if (*k < n) {
        size_t i = ptr_hash(item) & mp->mask;
        while (mp->item[i])
            i = (i + 1) & mp->mask;
        mp->item[i] = item;
        mp->line[i] = lines[*k];
    }
    (*k)++;
    for (const cJSON *c = item->child; c; c = c->next)
        lines_fill(mp, c, lines, n, k);
}

/* The line of the current value `item` (at ld->path). */
static int source_line(const struct loader *ld, int line)
{
    if (ld->line_map && line >= 1 && line <= ld->n_line_map) return ld->line_map[line - 1];
    return line;
}

static int item_line(const struct loader *ld, const cJSON *item)
{
    if (ld->lines.item) {
        for (size_t i = ptr_hash(item) & ld->lines.mask; ld->lines.item[i];
             i = (i + 1) & ld->lines.mask)
            if (ld->lines.item[i] == item) return source_line(ld, ld->lines.line[i]);
    }
    int depth = ld->depth < PATH_MAX_DEPTH ? ld->depth : PATH_MAX_DEPTH;
    return source_line(ld,
                       line_of(ld->text, ld->len, json_locate(ld->text, ld->len, ld->path, depth)));
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

static size_t tab_size(size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n + 2)
        cap *= 2;
    return cap;
}

static int names_find(const struct loader *ld, const char *name)
{
    if (!ld->names.slot) return -1;
    for (size_t i = hash_str(name) & ld->names.mask;; i = (i + 1) & ld->names.mask) {
        int v = ld->names.slot[i];
        if (v == 0) return -1;
        if (strcmp(ld->m->nodes[v - 1].name, name) == 0) return v - 1;
    }
}

static void names_add(struct loader *ld, const char *name, int idx)
{
    size_t i = hash_str(name) & ld->names.mask;
    while (ld->names.slot[i])
        i = (i + 1) & ld->names.mask;
    ld->names.slot[i] = idx + 1;
}

/* Returns the link end already using the key, or -1 after recording val. */
static int ends_claim(struct loader *ld, uint64_t key, int val)
{
    uint64_t k = key + 1;
    uint64_t h = k * 0x9e3779b97f4a7c15ull;
    for (size_t i = (size_t)(h >> 20) & ld->ends.mask;; i = (i + 1) & ld->ends.mask) {
        if (ld->ends.key[i] == 0) {
            ld->ends.key[i] = k;
            ld->ends.val[i] = val;
            return -1;
        }
        if (ld->ends.key[i] == k) return ld->ends.val[i];
    }
}

/* ---- paths and errors ---- */

static void push_seg(struct loader *ld, struct seg g)
{
    if (ld->depth < PATH_MAX_DEPTH) ld->path[ld->depth] = g;
    ld->depth++;
}
static void push_key(struct loader *ld, const char *key)
{
    push_seg(ld, (struct seg){key, 0, 0});
}
static void push_index(struct loader *ld, int i)
{
    push_seg(ld, (struct seg){NULL, i, 0});
}
static void pop(struct loader *ld)
{
    ld->depth--;
}

static void path_format(const struct seg *path, int depth, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int d = 0; d < depth && len < n; d++) {
        int w;
        if (path[d].key)
            w = snprintf(buf + len, n - len, "%s%s", d ? "." : "", path[d].key);
        else
            w = snprintf(buf + len, n - len, "[%d]", path[d].index);
        if (w < 0) break;
        len += (size_t)w;
    }
}

/* The error is one line, whatever keys and values it quotes. */
static void one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = ' ';
}

static bool ld_vfail(struct loader *ld, const char *fmt, va_list ap)
{
    int depth = ld->depth < PATH_MAX_DEPTH ? ld->depth : PATH_MAX_DEPTH;
    size_t off = json_locate(ld->text, ld->len, ld->path, depth);
    int line = source_line(ld, line_of(ld->text, ld->len, off));
    char path[200];
    char *t = ld->err->text;
    size_t n = sizeof ld->err->text;
    int w;
    path_format(ld->path, depth, path, sizeof path);
    if (depth > 0)
        w = snprintf(t, n, "%s:%d: %s: ", ld->file, line, path);
    else
        w = snprintf(t, n, "%s:%d: ", ld->file, line);
    if (w >= 0 && (size_t)w < n) vsnprintf(t + w, n - (size_t)w, fmt, ap);
    one_line(t);
    return false;
}

/* Reports an error about the value at the current path; returns false. */
static bool ld_fail(struct loader *ld, const char *fmt, ...) PRINTF_LIKE(2, 3);
static bool ld_fail(struct loader *ld, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ld_vfail(ld, fmt, ap);
    va_end(ap);
    return false;
}

/* Reports an error about member `key` of the current object. */
static bool ld_fail_at(struct loader *ld, const char *key, const char *fmt, ...) PRINTF_LIKE(3, 4);
static bool ld_fail_at(struct loader *ld, const char *key, const char *fmt, ...)
{
    va_list ap;
    push_key(ld, key);
    va_start(ap, fmt);
    ld_vfail(ld, fmt, ap);
    va_end(ap);
    pop(ld);
    return false;
}

/* A short rendering of a value for "got ..." (one line, bounded). */
static const char *brief(const cJSON *v, char *buf, size_t n)
{
    if (!v) {
        snprintf(buf, n, "nothing");
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (isfinite(d) && d == floor(d) && fabs(d) < 1e15)
            snprintf(buf, n, "%.0f", d);
        else
            snprintf(buf, n, "%g", d);
    } else if (cJSON_IsString(v)) {
        size_t o = 0;
        const char *s = v->valuestring;
        buf[o++] = '"';
        for (size_t i = 0; s[i] && o + 6 < n; i++) {
            if (i >= 40) {
                memcpy(buf + o, "...", 3);
                o += 3;
                break;
            }
            if (s[i] == '\n') {
                buf[o++] = '\\';
                buf[o++] = 'n';
            } else {
                buf[o++] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
            }
        }
        buf[o++] = '"';
        buf[o] = '\0';
    } else if (cJSON_IsTrue(v)) {
        snprintf(buf, n, "true");
    } else if (cJSON_IsFalse(v)) {
        snprintf(buf, n, "false");
    } else if (cJSON_IsNull(v)) {
        snprintf(buf, n, "null");
    } else if (cJSON_IsArray(v)) {
        snprintf(buf, n, "a list [...]");
    } else {
        snprintf(buf, n, "an object {...}");
    }
    return buf;
}

static bool fail_type(struct loader *ld, const cJSON *v, const char *expected)
{
    char b[64];
    return ld_fail(ld, "expected %s, got %s", expected, brief(v, b, sizeof b));
}

/* Levenshtein distance for "did you mean" hints, on short words only. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[33];
    if (la > 32 || lb > 32) return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Gives a better message for a key that is known but wrong here; writes it
 * into buf and returns true, or returns false for a plain unknown key. */
typedef bool (*key_hint_fn)(const char *key, const void *ctx, char *buf, size_t n);

/* Checks obj's keys: each must be in allowed (NULL-terminated, at most 32)
 * and appear once. */
static bool check_keys(struct loader *ld, const cJSON *obj, const char *const *allowed,
                       key_hint_fn hint, const void *ctx)
{
    uint32_t seen = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, obj)
    {
        const char *key = c->string ? c->string : "";
        int k = 0;
        while (allowed[k] && strcmp(allowed[k], key) != 0)
            k++;
        if (allowed[k]) {
            if (seen & (1u << k)) {
                push_seg(ld, (struct seg){key, 0, 1});
                ld_fail(ld, "\"%s\" appears twice in the same object; keep one", key);
                pop(ld);
                return false;
            }
            seen |= 1u << k;
            continue;
        }
        char msg[400];
        if (hint && hint(key, ctx, msg, sizeof msg)) return ld_fail_at(ld, key, "%s", msg);
        char list[300] = "";
        size_t o = 0;
        const char *near = NULL;
        size_t near_d = 3;
        for (int i = 0; allowed[i]; i++) {
            int w = snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", allowed[i]);
            if (w > 0 && (size_t)w < sizeof list - o) o += (size_t)w;
            size_t d = strcasecmp(allowed[i], key) == 0 ? 0 : edit_distance(allowed[i], key);
            if (d < near_d) {
                near_d = d;
                near = allowed[i];
            }
        }
        if (near && near_d == 0)
            return ld_fail_at(ld, key,
                              "unknown key \"%s\": keys are case-sensitive, did you mean \"%s\"?",
                              key, near);
        if (near)
            return ld_fail_at(ld, key,
                              "unknown key \"%s\" (did you mean \"%s\"?); allowed here: %s", key,
                              near, list);
        return ld_fail_at(ld, key, "unknown key \"%s\"; allowed here: %s", key, list);
    }
    return true;
}

/* ---- typed getters: each reports its own errors, with the key in the path ---- */

/* A required member; `missing` completes "missing: ..." */
static const cJSON *need(struct loader *ld, const cJSON *obj, const char *key, const char *missing)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) ld_fail_at(ld, key, "missing: %s", missing);
    return v;
}

/* String member; *out NULL when absent. missing != NULL makes it required. */
static bool get_str(struct loader *ld, const cJSON *obj, const char *key, const char *missing,
                    const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!v) {
        if (missing) return ld_fail_at(ld, key, "missing: %s", missing);
        return true;
    }
    if (!cJSON_IsString(v)) {
        push_key(ld, key);
        fail_type(ld, v, "a string");
        pop(ld);
        return false;
    }
    *out = v->valuestring;
    return true;
}

/* Number at the current path within [lo, hi]; integral if integer. */
static bool want_number(struct loader *ld, const cJSON *v, bool integer, double lo, double hi,
                        double *out)
{
    char b[64];
    if (!cJSON_IsNumber(v)) return fail_type(ld, v, integer ? "a whole number" : "a number");
    double d = v->valuedouble;
    if (!isfinite(d)) return ld_fail(ld, "this number is out of range");
    if (integer && d != floor(d))
        return ld_fail(ld, "expected a whole number, got %s", brief(v, b, sizeof b));
    /* Limits of 1e15 and more are only there to keep numbers exact. */
    if (d < lo && hi >= 1e15)
        return ld_fail(ld, "must be %g or more, got %s", lo, brief(v, b, sizeof b));
    if (d > hi && hi >= 1e15)
        return ld_fail(ld, "must be at most %.0f, got %s", hi, brief(v, b, sizeof b));
    if (d < lo || d > hi)
        return ld_fail(ld, "must be from %g to %g, got %s", lo, hi, brief(v, b, sizeof b));
    *out = d;
    return true;
}

static bool get_number(struct loader *ld, const cJSON *obj, const char *key, bool integer,
                       double lo, double hi, bool *present, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *present = v != NULL;
    if (!v) return true;
    push_key(ld, key);
    bool ok = want_number(ld, v, integer, lo, hi, out);
    pop(ld);
    return ok;
}

/* "20s", "1500ms", "50us": exact, in the largest unit that divides it. */
static char *dur_str(sim_time t, char *buf, size_t n)
{
    static const struct {
        sim_time scale;
        const char *unit;
    } units[] = {{3600 * SIM_S, "h"}, {SIM_S, "s"}, {SIM_MS, "ms"}, {SIM_US, "us"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (t != 0 && t % units[i].scale == 0) {
            snprintf(buf, n, "%lld%s", (long long)(t / units[i].scale), units[i].unit);
            return buf;
        }
    }
    snprintf(buf, n, "%lld%s", (long long)t, t ? "ns" : "s");
    return buf;
}

/* A duration at the current path. A bare number means seconds where
 * numbers_ok; a link delay needs a unit, because "delay": 5 is far more
 * likely a forgotten "ms" than five seconds. */
static bool want_duration(struct loader *ld, const cJSON *v, bool numbers_ok, sim_time *out)
{
    char b[64];
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (!numbers_ok)
            return ld_fail(ld,
                           "expected a duration like \"2ms\", got %s (a link delay needs a unit: "
                           "\"%sms\", \"%sus\" or \"%ss\")",
                           brief(v, b, sizeof b), b, b, b);
        if (d < 0) return ld_fail(ld, "negative duration %s", brief(v, b, sizeof b));
        if (!isfinite(d) || d > 9.2e9)
            return ld_fail(ld, "duration %s is too long", brief(v, b, sizeof b));
        *out = (sim_time)llround(d * 1e9);
        return true;
    }
    if (!cJSON_IsString(v)) return fail_type(ld, v, "a duration like \"2ms\"");
    const char *s = v->valuestring;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '-') return ld_fail(ld, "negative duration %s", brief(v, b, sizeof b));
    if (!sim_time_parse(v->valuestring, out))
        return ld_fail(ld,
                       "%s is not a duration like \"2ms\", \"1.5s\" or \"10us\" (units: ns, us, "
                       "ms, s, m, h)",
                       brief(v, b, sizeof b));
    return true;
}

static bool get_duration(struct loader *ld, const cJSON *obj, const char *key, bool numbers_ok,
                         bool *present, sim_time *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *present = v != NULL;
    if (!v) return true;
    push_key(ld, key);
    bool ok = want_duration(ld, v, numbers_ok, out);
    pop(ld);
    return ok;
}

/* Array member (absent is fine unless missing != NULL). */
static bool get_array(struct loader *ld, const cJSON *obj, const char *key, const char *missing,
                      const char *like, const cJSON **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!v) {
        if (missing) return ld_fail_at(ld, key, "missing: %s", missing);
        return true;
    }
    if (!cJSON_IsArray(v)) {
        push_key(ld, key);
        fail_type(ld, v, like);
        pop(ld);
        return false;
    }
    *out = v;
    return true;
}

/* An optional true/false: *value keeps what it had when key is absent. */
static bool get_bool(struct loader *ld, const cJSON *obj, const char *key, bool *value)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return true;
    if (!cJSON_IsBool(v)) {
        push_key(ld, key);
        fail_type(ld, v, "true or false");
        pop(ld);
        return false;
    }
    *value = cJSON_IsTrue(v);
    return true;
}

static bool want_object(struct loader *ld, const cJSON *v, const char *like)
{
    if (cJSON_IsObject(v)) return true;
    return fail_type(ld, v, like);
}

/* ---- names and addresses ---- */

static bool valid_name(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!isalnum((unsigned char)c) && c != '_' && c != '.' && c != '-') return false;
    }
    return true;
}

/* A single dotted-quad address at the current path (gateway, via, dns). */
static bool want_addr(struct loader *ld, const cJSON *v, uint32_t *out)
{
    char b[64];
    if (!cJSON_IsString(v)) return fail_type(ld, v, "an address like \"10.0.0.1\"");
    if (!ip4_parse_addr(v->valuestring, out)) {
        uint32_t a;
        uint8_t plen;
        if (ip4_parse_prefix(v->valuestring, &a, &plen))
            return ld_fail(ld, "%s: write the address without a prefix length, like \"10.0.0.1\"",
                           brief(v, b, sizeof b));
        return ld_fail(ld, "%s is not an address like \"10.0.0.1\"", brief(v, b, sizeof b));
    }
    return true;
}

static bool addr_on_subnet(uint32_t a, uint32_t net_addr, uint8_t plen)
{
    return ((a ^ net_addr) & ip4_mask(plen)) == 0;
}

/* Is a on one of n's subnets (only iface `dev` if given)? Interfaces on DHCP
 * count as "maybe": their subnet is unknown until the lease. */
static bool node_on_link(const struct model_node *n, uint32_t a, const char *dev)
{
    for (int i = 0; i < n->n_ifaces; i++) {
        const struct model_iface *f = &n->ifaces[i];
        if (dev && strcmp(f->name, dev) != 0) continue;
        if (f->dhcp) return true;
        for (int k = 0; k < f->n_addr; k++)
            if (addr_on_subnet(a, f->addr[k], f->plen[k])) return true;
    }
    return false;
}

/* "10.0.0.0/24, 192.168.1.0/24" or "it has no address". */
static void node_subnets(const struct model_node *n, const char *dev, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < n->n_ifaces; i++) {
        const struct model_iface *f = &n->ifaces[i];
        if (dev && strcmp(f->name, dev) != 0) continue;
        for (int k = 0; k < f->n_addr && o < size; k++) {
            char a[16];
            int w = snprintf(buf + o, size - o, "%s%s/%u", o ? ", " : "",
                             ip4_str(f->addr[k] & ip4_mask(f->plen[k]), a), f->plen[k]);
            if (w < 0) break;
            o += (size_t)w;
        }
    }
    if (o == 0) snprintf(buf, size, "it has no address");
}

static bool node_has_addr(const struct model_node *n, uint32_t a)
{
    for (int i = 0; i < n->n_ifaces; i++)
        for (int k = 0; k < n->ifaces[i].n_addr; k++)
            if (n->ifaces[i].addr[k] == a) return true;
    return false;
}

static bool has_ports(enum node_kind k)
{
    return k == NODE_SWITCH || k == NODE_HUB;
}

/* ---- nodes ---- */

static const char *const host_keys[] = {"name",   "type",     "interfaces",  "gateway",  "dns",
                                        "routes", "position", "dhcp_server", "services", NULL};
static const char *const router_keys[] = {
    "name", "type", "interfaces", "routes", "position", "dhcp_server", "services", "nat", NULL};
static const char *const switch_keys[] = {"name", "type", "ports", "position", NULL};

static bool node_key_hint(const char *key, const void *ctx, char *buf, size_t n)
{
    const struct model_node *nd = ctx;
    const char *kind = node_kind_name(nd->kind);
    if (has_ports(nd->kind)) {
        if (strcmp(key, "interfaces") == 0) {
            snprintf(buf, n,
                     "a %s has ports, not interfaces: write \"ports\": N and link to \"%s:1\" .. "
                     "\"%s:N\"",
                     kind, nd->name, nd->name);
            return true;
        }
        if (!strcmp(key, "gateway") || !strcmp(key, "dns") || !strcmp(key, "routes") ||
            !strcmp(key, "dhcp_server") || !strcmp(key, "services") || !strcmp(key, "nat")) {
            snprintf(buf, n, "a %s works at layer 2 and has no \"%s\"", kind, key);
            return true;
        }
        return false;
    }
    if (strcmp(key, "ports") == 0) {
        snprintf(buf, n, "only switches and hubs have \"ports\"; a %s has \"interfaces\"", kind);
        return true;
    }
    if (nd->kind == NODE_ROUTER && strcmp(key, "gateway") == 0) {
        snprintf(buf, n,
                 "a router has no \"gateway\"; give it a default route: \"routes\": [{\"to\": "
                 "\"0.0.0.0/0\", \"via\": \"...\"}]");
        return true;
    }
    if (nd->kind != NODE_ROUTER && strcmp(key, "nat") == 0) {
        snprintf(buf, n,
                 "only a router does NAT (it translates between its inside and outside "
                 "interfaces); make %s a \"router\" or move \"nat\" to one",
                 nd->name);
        return true;
    }
    if (nd->kind == NODE_ROUTER && strcmp(key, "dns") == 0) {
        snprintf(buf, n, "\"dns\" is for hosts and servers, not routers");
        return true;
    }
    return false;
}

/* One address of an interface's "ip" at the current path. */
static bool load_iface_addr(struct loader *ld, const cJSON *v, struct model_iface *f, bool alone)
{
    char b[64], s1[16], s2[16];
    uint32_t a;
    uint8_t plen;
    if (!cJSON_IsString(v)) return fail_type(ld, v, "an address like \"10.0.0.1/24\" or \"dhcp\"");
    const char *s = v->valuestring;
    if (strcmp(s, "dhcp") == 0) {
        if (!alone) return ld_fail(ld, "\"dhcp\" must be the interface's only address");
        f->dhcp = true;
        return true;
    }
    if (!ip4_parse_prefix(s, &a, &plen)) {
        if (ip4_parse_addr(s, &a))
            return ld_fail(ld, "%s has no prefix length; write it like \"%s/24\"",
                           brief(v, b, sizeof b), s);
        return ld_fail(ld, "%s is not an address like \"10.0.0.1/24\" or \"dhcp\"",
                       brief(v, b, sizeof b));
    }
    unsigned first = a >> 24;
    if (first == 0)
        return ld_fail(ld, "%s: addresses 0.x.x.x mean \"this network\" and cannot be assigned",
                       brief(v, b, sizeof b));
    if (first == 127)
        return ld_fail(ld, "%s is a loopback address (127.x.x.x); pick another network",
                       brief(v, b, sizeof b));
    if (first >= 224)
        return ld_fail(ld, "%s is a multicast or reserved address; pick a unicast address",
                       brief(v, b, sizeof b));
    /* RFC 1122 3.2.1.3: host parts of all zeros and all ones are not host
     * addresses; /31 (RFC 3021) and /32 have no such parts. */
    if (plen <= 30) {
        uint32_t mask = ip4_mask(plen), net = a & mask, bcast = net | ~mask;
        if (a == net)
            return ld_fail(ld,
                           "%s is the network address of its subnet; pick a host address "
                           "like %s/%u",
                           brief(v, b, sizeof b), ip4_str(net + 1, s1), plen);
        if (a == bcast)
            return ld_fail(ld,
                           "%s is the broadcast address of its subnet; pick a host address "
                           "like %s/%u",
                           brief(v, b, sizeof b), ip4_str(bcast - 1, s2), plen);
    }
    f->addr[f->n_addr] = a;
    f->plen[f->n_addr] = plen;
    f->n_addr++;
    return true;
}

static bool load_iface(struct loader *ld, const cJSON *j, struct model_node *nd, int idx)
{
    static const char *const keys[] = {"name", "ip", "mac", NULL};
    struct model_iface *f = &nd->ifaces[idx];
    const char *name, *mac;
    char b[64];
    f->line = item_line(ld, j);
    if (!want_object(ld, j, "an interface like {\"name\": \"eth0\", \"ip\": \"10.0.0.1/24\"}"))
        return false;
    if (!check_keys(ld, j, keys, NULL, NULL)) return false;
    if (!get_str(ld, j, "name", "every interface needs a \"name\", like \"eth0\"", &name))
        return false;
    if (!valid_name(name, IFACE_NAME_MAX - 1))
        return ld_fail_at(ld, "name",
                          "%s is not a valid interface name: use 1 to %d letters, digits, '_', "
                          "'.' or '-'",
                          brief(cJSON_GetObjectItemCaseSensitive(j, "name"), b, sizeof b),
                          IFACE_NAME_MAX - 1);
    for (int i = 0; i < idx; i++)
        if (strcmp(nd->ifaces[i].name, name) == 0)
            return ld_fail_at(ld, "name", "%s already has an interface named \"%s\"", nd->name,
                              name);
    f->name = dupstr(name);

    const cJSON *ip = cJSON_GetObjectItemCaseSensitive(j, "ip");
    if (ip) {
        push_key(ld, "ip");
        bool ok = true;
        if (cJSON_IsArray(ip)) {
            int n = cJSON_GetArraySize(ip), k = 0;
            const cJSON *e;
            if (n == 0)
                ok = ld_fail(ld, "an empty list; leave \"ip\" out for an interface without "
                                 "an address");
            else if (n > IFACE_MAX_ADDR)
                ok = ld_fail(ld, "at most %d addresses per interface, got %d", IFACE_MAX_ADDR, n);
            cJSON_ArrayForEach(e, ip)
            {
                if (!ok) break;
                push_index(ld, k++);
                ok = load_iface_addr(ld, e, f, n == 1);
                pop(ld);
            }
        } else {
            ok = load_iface_addr(ld, ip, f, true);
        }
        pop(ld);
        if (!ok) return false;
    }

    if (!get_str(ld, j, "mac", NULL, &mac)) return false;
    if (mac) {
        push_key(ld, "mac");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "mac");
        bool ok = true;
        if (!mac_parse(mac, f->mac))
            ok = ld_fail(ld, "%s is not a MAC address like \"02:00:00:00:00:01\"",
                         brief(v, b, sizeof b));
        else if (f->mac[0] & 1)
            ok = ld_fail(ld,
                         "%s is a multicast MAC address (its first byte is odd); an interface "
                         "needs a unicast one, like \"02:00:00:00:00:01\"",
                         brief(v, b, sizeof b));
        else if (!(f->mac[0] | f->mac[1] | f->mac[2] | f->mac[3] | f->mac[4] | f->mac[5]))
            ok = ld_fail(ld, "00:00:00:00:00:00 is not a usable MAC address");
        pop(ld);
        if (!ok) return false;
        f->has_mac = true;
    }
    return true;
}

static int find_iface(const struct model_node *nd, const char *name)
{
    for (int i = 0; i < nd->n_ifaces; i++)
        if (strcmp(nd->ifaces[i].name, name) == 0) return i;
    return -1;
}

static bool load_route(struct loader *ld, const cJSON *j, struct model_node *nd, int idx)
{
    static const char *const keys[] = {"to", "via", "dev", NULL};
    struct model_route *r = &nd->routes[idx];
    const char *to, *dev;
    char b[64], s1[16], sub[200];
    uint32_t a;
    uint8_t plen;
    r->line = item_line(ld, j);
    if (!want_object(ld, j, "a route like {\"to\": \"10.1.0.0/16\", \"via\": \"10.0.0.254\"}"))
        return false;
    if (!check_keys(ld, j, keys, NULL, NULL)) return false;
    if (!get_str(ld, j, "to", "a route needs a destination, like \"to\": \"10.1.0.0/16\"", &to))
        return false;
    const cJSON *tov = cJSON_GetObjectItemCaseSensitive(j, "to");
    if (strcmp(to, "default") == 0) {
        a = 0;
        plen = 0;
    } else if (!ip4_parse_prefix(to, &a, &plen)) {
        if (ip4_parse_addr(to, &a))
            return ld_fail_at(ld, "to",
                              "%s needs a prefix length, like \"%s/24\" (or \"%s/32\" for "
                              "one host)",
                              brief(tov, b, sizeof b), to, to);
        return ld_fail_at(ld, "to", "%s is not a network like \"10.1.0.0/16\" or \"default\"",
                          brief(tov, b, sizeof b));
    } else if (a & ~ip4_mask(plen)) {
        return ld_fail_at(ld, "to", "%s has host bits set; the network is \"%s/%u\"",
                          brief(tov, b, sizeof b), ip4_str(a & ip4_mask(plen), s1), plen);
    }
    r->dst = a;
    r->plen = plen;

    if (!get_str(ld, j, "dev", NULL, &dev)) return false;
    if (dev) {
        if (find_iface(nd, dev) < 0)
            return ld_fail_at(ld, "dev", "%s has no interface named \"%s\"", nd->name, dev);
        r->dev = dupstr(dev);
    }
    const cJSON *via = cJSON_GetObjectItemCaseSensitive(j, "via");
    if (via) {
        push_key(ld, "via");
        bool ok = want_addr(ld, via, &r->via);
        if (ok && r->via == 0)
            ok = ld_fail(ld, "0.0.0.0 is not a next hop; leave \"via\" out for a route "
                             "through \"dev\" only");
        if (ok && !node_on_link(nd, r->via, dev)) {
            node_subnets(nd, dev, sub, sizeof sub);
            ok = ld_fail(ld, "next hop %s is not on any of %s's subnets%s%s (%s)",
                         ip4_str(r->via, s1), nd->name, dev ? " on " : "", dev ? dev : "", sub);
        }
        pop(ld);
        if (!ok) return false;
    }
    if (!via && !dev)
        return ld_fail(ld, "a route needs \"via\" (the next-hop address), \"dev\" (an "
                           "interface), or both");
    return true;
}

static bool load_position(struct loader *ld, const cJSON *j, struct model_node *nd)
{
    static const char *const keys[] = {"x", "y", NULL};
    bool px, py;
    if (!want_object(ld, j, "a position like {\"x\": 100, \"y\": 200}")) return false;
    if (!check_keys(ld, j, keys, NULL, NULL)) return false;
    if (!get_number(ld, j, "x", false, -1e9, 1e9, &px, &nd->x) ||
        !get_number(ld, j, "y", false, -1e9, 1e9, &py, &nd->y))
        return false;
    if (!px || !py)
        return ld_fail_at(ld, px ? "y" : "x", "missing: a position needs both \"x\" and \"y\"");
    nd->has_pos = true;
    return true;
}

/* "dns": a list of at most 4 resolver addresses (a host's, or what a DHCP
 * server hands out). */
static bool load_dns_list(struct loader *ld, const cJSON *arr, uint32_t *dns, int *n_out)
{
    const cJSON *e;
    int n = cJSON_GetArraySize(arr), i = 0;
    push_key(ld, "dns");
    bool ok = true;
    if (n > 4) ok = ld_fail(ld, "at most 4 DNS servers, got %d", n);
    cJSON_ArrayForEach(e, arr)
    {
        if (!ok) break;
        push_index(ld, i);
        ok = want_addr(ld, e, &dns[i]);
        pop(ld);
        i++;
    }
    pop(ld);
    if (ok) *n_out = n;
    return ok;
}

/* "pool": "192.168.1.100-192.168.1.199", inside the subnet of the server's
 * interface f and clear of its own, network and broadcast addresses. */
static bool load_dhcp_pool(struct loader *ld, const cJSON *v, const struct model_iface *f,
                           struct model_dhcp_server *ds)
{
    char b[96], lo[20], hi[20], s1[16];
    const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
    const char *dash = s ? strchr(s, '-') : NULL;
    if (!s) return fail_type(ld, v, "a range like \"192.168.1.100-192.168.1.199\"");
    if (!dash || dash - s >= (long)sizeof lo || strlen(dash + 1) >= sizeof hi)
        return ld_fail(ld, "%s is not a range like \"192.168.1.100-192.168.1.199\"",
                       brief(v, b, sizeof b));
    memcpy(lo, s, (size_t)(dash - s));
    lo[dash - s] = 0;
    snprintf(hi, sizeof hi, "%s", dash + 1);
    if (!ip4_parse_addr(lo, &ds->pool_lo) || !ip4_parse_addr(hi, &ds->pool_hi))
        return ld_fail(ld, "%s is not a range like \"192.168.1.100-192.168.1.199\"",
                       brief(v, b, sizeof b));
    if (ds->pool_lo > ds->pool_hi)
        return ld_fail(ld, "the pool %s starts above where it ends", brief(v, b, sizeof b));
    if (ds->pool_hi - ds->pool_lo >= 65536)
        return ld_fail(ld, "the pool %s is too big: at most 65536 addresses",
                       brief(v, b, sizeof b));
    for (int k = 0; k < f->n_addr; k++) {
        uint32_t mask = ip4_mask(f->plen[k]), net = f->addr[k] & mask;
        if (!addr_on_subnet(ds->pool_lo, net, f->plen[k]) ||
            !addr_on_subnet(ds->pool_hi, net, f->plen[k]))
            continue;
        if (f->addr[k] >= ds->pool_lo && f->addr[k] <= ds->pool_hi)
            return ld_fail(ld, "the pool %s holds the server's own address %s",
                           brief(v, b, sizeof b), ip4_str(f->addr[k], s1));
        if (f->plen[k] <= 30 && (ds->pool_lo == net || ds->pool_hi == (net | ~mask)))
            return ld_fail(ld,
                           "the pool %s holds the network or broadcast address of %s/%u, "
                           "which cannot be given to a host",
                           brief(v, b, sizeof b), ip4_str(net, s1), f->plen[k]);
        return true;
    }
    char sub[200];
    snprintf(sub, sizeof sub, "%s", "");
    for (int k = 0, o = 0; k < f->n_addr && o < (int)sizeof sub; k++)
        o += snprintf(sub + o, sizeof sub - (size_t)o, "%s%s/%u", k ? ", " : "",
                      ip4_str(f->addr[k] & ip4_mask(f->plen[k]), s1), f->plen[k]);
    return ld_fail(ld, "the pool %s is not inside the subnet of %s (%s)", brief(v, b, sizeof b),
                   f->name, sub);
}

/* "dhcp_server": {"interface", "pool", "gateway", "dns", "lease"}. */
static bool load_dhcp_server(struct loader *ld, const cJSON *j, struct model_node *nd)
{
    static const char *const keys[] = {"interface", "pool", "gateway", "dns", "lease", NULL};
    const char *ifname;
    const cJSON *arr;
    char s1[16], t[32];
    bool present;
    struct model_dhcp_server *ds = zalloc(1, sizeof *ds);
    nd->dhcp_server = ds;
    ds->line = item_line(ld, j);
    if (!want_object(ld, j,
                     "a DHCP server like {\"interface\": \"eth0\", \"pool\": "
                     "\"192.168.1.100-192.168.1.199\"}"))
        return false;
    if (!check_keys(ld, j, keys, NULL, NULL)) return false;
    if (!get_str(ld, j, "interface", "which interface serves, like \"interface\": \"eth0\"",
                 &ifname))
        return false;
    int fi = find_iface(nd, ifname);
    if (fi < 0)
        return ld_fail_at(ld, "interface", "%s has no interface named \"%s\"", nd->name, ifname);
    const struct model_iface *f = &nd->ifaces[fi];
    if (f->dhcp || f->n_addr == 0)
        return ld_fail_at(ld, "interface",
                          "%s:%s has no fixed address; a DHCP server needs one on the subnet it "
                          "serves",
                          nd->name, ifname);
    ds->iface = dupstr(ifname);
    const cJSON *pool = need(
        ld, j, "pool", "the addresses to lend, like \"pool\": \"192.168.1.100-192.168.1.199\"");
    if (!pool) return false;
    push_key(ld, "pool");
    bool ok = load_dhcp_pool(ld, pool, f, ds);
    pop(ld);
    if (!ok) return false;
    const cJSON *gw = cJSON_GetObjectItemCaseSensitive(j, "gateway");
    if (gw) {
        push_key(ld, "gateway");
        ok = want_addr(ld, gw, &ds->gateway);
        if (ok && !node_on_link(nd, ds->gateway, ifname))
            ok = ld_fail(ld,
                         "gateway %s is not on the subnet of %s:%s, so clients could not "
                         "reach it",
                         ip4_str(ds->gateway, s1), nd->name, ifname);
        if (ok && ds->gateway >= ds->pool_lo && ds->gateway <= ds->pool_hi)
            ok = ld_fail(ld, "gateway %s is inside the pool, so it could be lent to a client",
                         ip4_str(ds->gateway, s1));
        pop(ld);
        if (!ok) return false;
    } else if (nd->kind == NODE_ROUTER) {
        ds->gateway = f->addr[0]; /* a router serves itself as the gateway */
    }
    if (!get_array(ld, j, "dns", NULL, "a list of addresses like [\"10.0.0.53\"]", &arr))
        return false;
    if (arr && !load_dns_list(ld, arr, ds->dns, &ds->n_dns)) return false;
    ds->lease = 3600 * SIM_S;
    if (!get_duration(ld, j, "lease", true, &present, &ds->lease)) return false;
    if (present && (ds->lease < 10 * SIM_S || ds->lease > 4294967294LL * SIM_S))
        return ld_fail_at(ld, "lease", "a lease of %s is out of range: from 10s to 136 years",
                          dur_str(ds->lease, t, sizeof t));
    return true;
}

/* ---- NAT ----
 * "nat": {"inside": ["eth0"], "outside": "eth1",
 *         "forward": [{"protocol": "tcp", "port": 8080, "to": "192.168.1.10:80"}],
 *         "timeouts": {"tcp": "2h", "tcp_transitory": "4m", "udp": "5m", "icmp": "60s"}} */

static bool nat_forward_hint(const char *key, const void *ctx, char *buf, size_t n)
{
    (void)ctx;
    if (strcmp(key, "proto") && strcmp(key, "to_port") && strcmp(key, "dport")) return false;
    snprintf(buf, n,
             "a forward is {\"protocol\": \"tcp\", \"port\": 8080, \"to\": "
             "\"192.168.1.10:80\"}: write \"protocol\", and the inside port after the address "
             "in \"to\"");
    return true;
}

/* One interface name of "inside" or "outside" at the current path. */
static bool want_nat_iface(struct loader *ld, const cJSON *v, const struct model_node *nd)
{
    char b[64];
    if (!cJSON_IsString(v)) return fail_type(ld, v, "an interface name like \"eth0\"");
    if (find_iface(nd, v->valuestring) < 0)
        return ld_fail(ld, "%s has no interface named %s", nd->name, brief(v, b, sizeof b));
    return true;
}

static bool load_nat_forward(struct loader *ld, const cJSON *j, struct model_node *nd,
                             struct model_nat *nt, int idx)
{
    static const char *const keys[] = {"protocol", "port", "to", NULL};
    struct model_nat_forward *f = &nt->forwards[idx];
    const char *proto, *to;
    char b[64], s1[16], addr[20];
    bool present;
    double port;
    f->line = item_line(ld, j);
    if (!want_object(ld, j,
                     "a forward like {\"protocol\": \"tcp\", \"port\": 8080, \"to\": "
                     "\"192.168.1.10:80\"}"))
        return false;
    if (!check_keys(ld, j, keys, nat_forward_hint, NULL)) return false;
    if (!get_str(ld, j, "protocol", "\"tcp\" or \"udp\"", &proto)) return false;
    if (strcmp(proto, "tcp") && strcmp(proto, "udp"))
        return ld_fail_at(ld, "protocol", "%s: only \"tcp\" and \"udp\" can be forwarded",
                          brief(cJSON_GetObjectItemCaseSensitive(j, "protocol"), b, sizeof b));
    f->proto = proto[0] == 't' ? 6 : 17;
    if (!get_number(ld, j, "port", true, 1, 65535, &present, &port)) return false;
    if (!present) return ld_fail_at(ld, "port", "missing: the outside port, like \"port\": 8080");
    f->port = (uint16_t)port;
    if (!get_str(ld, j, "to", "the inside address and port, like \"to\": \"192.168.1.10:80\"", &to))
        return false;
    const char *colon = strchr(to, ':');
    size_t alen = colon ? (size_t)(colon - to) : strlen(to);
    double tp = f->port;
    bool ok = alen < sizeof addr;
    if (ok) {
        memcpy(addr, to, alen);
        addr[alen] = 0;
        ok = ip4_parse_addr(addr, &f->to_addr);
    }
    if (ok && colon) {
        char *end;
        long v = strtol(colon + 1, &end, 10);
        ok = isdigit((unsigned char)colon[1]) && !*end && v >= 1 && v <= 65535;
        tp = (double)v;
    }
    if (!ok)
        return ld_fail_at(ld, "to",
                          "%s is not an inside address and port like \"192.168.1.10:80\" (the "
                          "port may be left out when it is the same)",
                          brief(cJSON_GetObjectItemCaseSensitive(j, "to"), b, sizeof b));
    f->to_port = (uint16_t)tp;
    bool inside = false;
    for (int k = 0; k < nt->n_inside; k++)
        inside |= node_on_link(nd, f->to_addr, nt->inside[k]);
    if (!inside || node_has_addr(nd, f->to_addr))
        return ld_fail_at(ld, "to",
                          "%s is not a host on the subnet of an inside interface of %s, so "
                          "there is nowhere inside to forward to",
                          ip4_str(f->to_addr, s1), nd->name);
    for (int k = 0; k < idx; k++)
        if (nt->forwards[k].proto == f->proto && nt->forwards[k].port == f->port)
            return ld_fail_at(ld, "port", "%s port %u is forwarded already (forward[%d], line %d)",
                              proto, f->port, k, nt->forwards[k].line);
    return true;
}

static bool load_nat_timeouts(struct loader *ld, const cJSON *j, struct model_nat *nt)
{
    static const char *const keys[] = {"tcp", "tcp_transitory", "udp", "icmp", NULL};
    sim_time *slot[] = {&nt->tcp, &nt->tcp_transitory, &nt->udp, &nt->icmp};
    char t[32];
    bool present;
    if (!want_object(ld, j, "an object like {\"tcp\": \"2h\", \"udp\": \"5m\", \"icmp\": \"60s\"}"))
        return false;
    if (!check_keys(ld, j, keys, NULL, NULL)) return false;
    for (int k = 0; keys[k]; k++) {
        if (!get_duration(ld, j, keys[k], true, &present, slot[k])) return false;
        if (present && (*slot[k] < SIM_S || *slot[k] > 7 * 24 * 3600 * SIM_S))
            return ld_fail_at(ld, keys[k], "a timeout of %s is out of range: from 1s to 7 days",
                              dur_str(*slot[k], t, sizeof t));
    }
    return true;
}

static bool load_nat(struct loader *ld, const cJSON *j, struct model_node *nd)
{
    static const char *const keys[] = {"inside", "outside", "forward", "timeouts", NULL};
    const cJSON *arr, *e;
    struct model_nat *nt = zalloc(1, sizeof *nt);
    nd->nat = nt;
    nt->line = item_line(ld, j);
    if (!want_object(ld, j, "an object like {\"inside\": [\"eth0\"], \"outside\": \"eth1\"}"))
        return false;
    if (!check_keys(ld, j, keys, NULL, NULL)) return false;
    const cJSON *out =
        need(ld, j, "outside", "the interface towards the Internet, like \"outside\": \"eth1\"");
    if (!out) return false;
    push_key(ld, "outside");
    bool ok = want_nat_iface(ld, out, nd);
    pop(ld);
    if (!ok) return false;
    nt->outside = dupstr(out->valuestring);
    if (!get_array(ld, j, "inside", "the private side, like \"inside\": [\"eth0\"]",
                   "a list of interface names like [\"eth0\"]", &arr))
        return false;
    int n = cJSON_GetArraySize(arr), i = 0;
    if (n == 0) return ld_fail_at(ld, "inside", "NAT needs at least one inside interface");
    nt->inside = zalloc((size_t)n, sizeof *nt->inside);
    push_key(ld, "inside");
    cJSON_ArrayForEach(e, arr)
    {
        push_index(ld, i);
        ok = want_nat_iface(ld, e, nd);
        if (ok && !strcmp(e->valuestring, nt->outside))
            ok =
                ld_fail(ld, "%s is the outside interface; it cannot be inside too", e->valuestring);
        for (int k = 0; ok && k < i; k++)
            if (!strcmp(nt->inside[k], e->valuestring))
                ok = ld_fail(ld, "%s is listed twice", e->valuestring);
        pop(ld);
        if (!ok) {
            pop(ld);
            return false;
        }
        nt->inside[i] = dupstr(e->valuestring);
        nt->n_inside = ++i;
    }
    pop(ld);
    if (!get_array(ld, j, "forward", NULL,
                   "a list like [{\"protocol\": \"tcp\", \"port\": 8080, \"to\": "
                   "\"192.168.1.10:80\"}]",
                   &arr))
        return false;
    if (arr) {
        n = cJSON_GetArraySize(arr);
        i = 0;
        if (n > NAT_MAX_FORWARDS)
            return ld_fail_at(ld, "forward", "at most %d forwards, got %d", NAT_MAX_FORWARDS, n);
        nt->forwards = zalloc((size_t)n, sizeof *nt->forwards);
        nt->n_forwards = n;
        push_key(ld, "forward");
        cJSON_ArrayForEach(e, arr)
        {
            push_index(ld, i);
            ok = load_nat_forward(ld, e, nd, nt, i);
            pop(ld);
            if (!ok) {
                pop(ld);
                return false;
            }
            i++;
        }
        pop(ld);
    }
    const cJSON *to = cJSON_GetObjectItemCaseSensitive(j, "timeouts");
    if (to) {
        push_key(ld, "timeouts");
        ok = load_nat_timeouts(ld, to, nt);
        pop(ld);
        if (!ok) return false;
    }
    return true;
}

/* ---- services ----
 * One loader per service key, in services_table; a key whose loader is NULL
 * is known but not built yet. A new service adds its row and its loader. */

/* "tls" and "plain" belong to services with a secure variant. */
static bool svc_flags_hint(const char *key, const void *ctx, char *buf, size_t n)
{
    if (strcmp(key, "tls") && strcmp(key, "plain")) return false;
    snprintf(buf, n,
             "%s has no TLS variant in netstep, so it takes no \"%s\" (that is for http, "
             "smtp, pop3, imap and ftp)",
             (const char *)ctx, key);
    return true;
}

static bool echo_hint(const char *key, const void *ctx, char *buf, size_t n)
{
    if (svc_flags_hint(key, ctx, buf, n)) return true;
    snprintf(buf, n, "the echo service (RFC 862) takes no options: write \"echo\": {}");
    return true;
}

static bool load_dns_record(struct loader *ld, const cJSON *j, struct model_dns_record *r)
{
    static const char *const keys[] = {"name", "type", "value", "ttl", NULL};
    const char *name, *type, *value;
    double ttl = DNS_TTL_DEFAULT;
    bool has_ttl;
    r->line = item_line(ld, j);
    if (!want_object(ld, j,
                     "a record like {\"name\": \"web.galaxy.test\", \"type\": \"A\", "
                     "\"value\": \"10.61.0.20\"}"))
        return false;
    if (!check_keys(ld, j, keys, NULL, NULL)) return false;
    if (!get_str(ld, j, "name", "a record needs the \"name\" it is for, like \"web.galaxy.test\"",
                 &name) ||
        !get_str(ld, j, "type",
                 "a record needs a \"type\": A, AAAA, CNAME, MX, NS, TXT, PTR or SOA", &type) ||
        !get_str(ld, j, "value", "a record needs a \"value\", like \"10.61.0.20\" for an A record",
                 &value) ||
        !get_number(ld, j, "ttl", true, 0, 604800, &has_ttl, &ttl))
        return false;
    struct dns_record rec;
    char err[400];
    if (!dns_record_parse(name, type, value, (uint32_t)ttl, &rec, err, sizeof err)) {
        /* the message starts with the key at fault: "value: ..." */
        char *colon = strchr(err, ':');
        if (!colon) return ld_fail(ld, "%s", err);
        *colon = 0;
        return ld_fail_at(ld, err, "%s", colon + 2);
    }
    dns_record_clear(&rec);
    r->name = dupstr(name);
    r->type = dupstr(type);
    r->value = dupstr(value);
    r->ttl = (uint32_t)ttl;
    return true;
}

static bool load_svc_dns(struct loader *ld, const cJSON *j, struct model_services *s)
{
    static const char *const keys[] = {"records", NULL};
    const cJSON *arr, *e;
    if (!want_object(ld, j, "an object like {\"records\": [...]}")) return false;
    if (!check_keys(ld, j, keys, svc_flags_hint, "dns")) return false;
    if (!get_array(ld, j, "records",
                   "a DNS server needs \"records\", like [{\"name\": \"web.galaxy.test\", "
                   "\"type\": \"A\", \"value\": \"10.61.0.20\"}]",
                   "a list of records like [{\"name\": \"web.galaxy.test\", \"type\": \"A\", "
                   "\"value\": \"10.61.0.20\"}]",
                   &arr))
        return false;
    int n = cJSON_GetArraySize(arr), i = 0;
    if (n > 1000) return ld_fail_at(ld, "records", "at most 1000 records per server, got %d", n);
    struct model_svc_dns *d = &s->dns;
    d->records = zalloc((size_t)n, sizeof *d->records);
    d->n_records = n;
    s->has_dns = true;
    push_key(ld, "records");
    cJSON_ArrayForEach(e, arr)
    {
        push_index(ld, i);
        bool ok = load_dns_record(ld, e, &d->records[i]);
        pop(ld);
        if (!ok) {
            pop(ld);
            return false;
        }
        i++;
    }
    /* RFC 1034 3.6.2: a name with a CNAME has no other data */
    for (i = 0; i < n; i++) {
        if (strcasecmp(d->records[i].type, "CNAME") != 0) continue;
        for (int k = 0; k < n; k++) {
            if (k == i || !dns_name_eq(d->records[k].name, d->records[i].name)) continue;
            push_index(ld, k);
            ld_fail(ld,
                    "%s already has a CNAME (records[%d], line %d), and a name with a CNAME can "
                    "have no other records (RFC 1034 3.6.2)",
                    d->records[k].name, i, d->records[i].line);
            pop(ld);
            pop(ld);
            return false;
        }
    }
    pop(ld);
    return true;
}

static bool load_svc_echo(struct loader *ld, const cJSON *j, struct model_services *s)
{
    static const char *const keys[] = {NULL};
    if (!want_object(ld, j, "an empty object: \"echo\": {}")) return false;
    if (!check_keys(ld, j, keys, echo_hint, "echo")) return false;
    s->has_echo = true;
    s->echo.line = item_line(ld, j);
    return true;
}

/* "tls": true adds the secure variant of a service on its own port;
 * "plain": false closes the plain port (only with "tls": true, else the
 * service would have no port at all). */
static bool load_tls_flags(struct loader *ld, const cJSON *j, const char *svc, unsigned plain_port,
                           unsigned tls_port, bool *tls, bool *no_plain)
{
    static const char *const names[] = {"tls", "plain"};
    const cJSON *v[2];
    for (int i = 0; i < 2; i++) {
        v[i] = cJSON_GetObjectItemCaseSensitive(j, names[i]);
        if (v[i] && !cJSON_IsBool(v[i])) {
            push_key(ld, names[i]);
            fail_type(ld, v[i], "true or false");
            pop(ld);
            return false;
        }
    }
    *tls = v[0] && cJSON_IsTrue(v[0]);
    *no_plain = v[1] && cJSON_IsFalse(v[1]);
    if (*no_plain && !*tls)
        return ld_fail_at(ld, "plain",
                          "\"plain\": false closes %s's port %u, and without \"tls\": true (port "
                          "%u) it would have no port left: add \"tls\": true, or drop \"plain\"",
                          svc, plain_port, tls_port);
    return true;
}

/* ---- http ---- */

/* One member of "files": the key is the path, the value the text or
 * {"size": N} / {"content": "..."} with "type" and "chunked". */
/* An object of named entries under key (files, accounts, records): absent
 * is fine (NULL, *ok true); not an object or more than max entries is an
 * error (NULL, *ok false). Otherwise key is pushed on the path (the caller
 * pops it) and *n is the number of entries. */
static const cJSON *entries_begin(struct loader *ld, const cJSON *j, const char *key,
                                  const char *like, int max, const char *what, int *n, bool *ok)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, key);
    *ok = true;
    if (!o) return NULL;
    push_key(ld, key);
    *n = cJSON_GetArraySize(o);
    if (!want_object(ld, o, like))
        *ok = false;
    else if (*n > max)
        *ok = ld_fail(ld, "at most %d %s per server, got %d", max, what, *n);
    if (*ok) return o;
    pop(ld);
    return NULL;
}

/* Files of a server, as paths: none may be a file and a directory holding
 * another (paths and lines are read at base + i * stride + the offsets). */
static bool paths_not_nested(struct loader *ld, const void *base, int n, size_t stride,
                             size_t path_off, size_t line_off)
{
    const char *b = base;
    for (int i = 0; i < n; i++) {
        const char *p = *(char *const *)(b + (size_t)i * stride + path_off);
        size_t pl = strlen(p);
        for (int k = 0; k < n; k++) {
            const char *q = *(char *const *)(b + (size_t)k * stride + path_off);
            if (strncmp(q, p, pl) != 0 || q[pl] != '/') continue;
            push_key(ld, q);
            ld_fail(ld, "%s is a file (line %d), so it cannot also be a directory holding %s", p,
                    *(const int *)(b + (size_t)i * stride + line_off), q);
            pop(ld);
            return false;
        }
    }
    return true;
}

static bool load_http_file(struct loader *ld, const cJSON *v, struct model_http_file *f)
{
    static const char *const keys[] = {"size", "content", "type", "chunked", NULL};
    f->line = item_line(ld, v);
    const char *bad = http_path_check(v->string);
    if (bad) return ld_fail(ld, "\"%.60s\" is not a file path here: %s", v->string, bad);
    f->path = dupstr(v->string);
    if (cJSON_IsString(v)) {
        f->size = strlen(v->valuestring);
        f->content = dupmem(v->valuestring, f->size);
        return true;
    }
    if (!cJSON_IsObject(v))
        return fail_type(ld, v, "the file's text, or an object like {\"size\": 300000}");
    if (!check_keys(ld, v, keys, NULL, NULL)) return false;
    bool has_size;
    double size = 0;
    const char *content, *type;
    if (!get_number(ld, v, "size", true, 0, 1e15, &has_size, &size) ||
        !get_str(ld, v, "content", NULL, &content) || !get_str(ld, v, "type", NULL, &type))
        return false;
    if (size > HTTP_FILE_MAX)
        return ld_fail_at(ld, "size", "a file holds at most %u bytes (64 MiB), got %.0f",
                          HTTP_FILE_MAX, size);
    if (has_size && content)
        return ld_fail(ld, "give the file either \"size\" (generated text) or \"content\", not "
                           "both");
    if (!has_size && !content)
        return ld_fail(ld, "missing: a file object needs \"size\" (that many bytes of generated "
                           "text) or \"content\"");
    if (content) {
        f->size = strlen(content);
        f->content = dupmem(content, f->size);
    } else {
        f->size = (size_t)size;
    }
    if (type) {
        bool ok = *type && strlen(type) < 128 && strchr(type, '/');
        for (const char *c = type; ok && *c; c++)
            ok = (unsigned char)*c >= 0x20 && *c != 0x7f;
        if (!ok)
            return ld_fail_at(ld, "type",
                              "expected a media type like \"text/html\" or \"image/png\", got "
                              "\"%.60s\"",
                              type);
        f->type = dupstr(type);
    }
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(v, "chunked");
    if (ch) {
        if (!cJSON_IsBool(ch)) {
            push_key(ld, "chunked");
            fail_type(ld, ch, "true or false");
            pop(ld);
            return false;
        }
        f->chunked = cJSON_IsTrue(ch);
    }
    return true;
}

static bool load_svc_http(struct loader *ld, const cJSON *j, struct model_services *s)
{
    static const char *const keys[] = {"files", "idle_timeout", "tls", "plain", NULL};
    if (!want_object(ld, j, "an object like {\"files\": {\"/index.html\": \"<h1>hi</h1>\"}}"))
        return false;
    if (!check_keys(ld, j, keys, NULL, NULL)) return false;
    struct model_svc_http *h = &s->http;
    s->has_http = true;
    h->line = item_line(ld, j);
    if (!load_tls_flags(ld, j, "http", 80, 443, &h->tls, &h->no_plain)) return false;
    bool present;
    if (!get_duration(ld, j, "idle_timeout", true, &present, &h->idle_timeout)) return false;
    if (present && h->idle_timeout < SIM_MS)
        return ld_fail_at(ld, "idle_timeout", "an idle timeout is at least \"1ms\"");
    const cJSON *e;
    int n = 0, i = 0;
    bool fine;
    const cJSON *files =
        entries_begin(ld, j, "files", "an object of files like {\"/index.html\": \"<h1>hi</h1>\"}",
                      1000, "files", &n, &fine);
    if (!files) return fine;
    h->files = zalloc((size_t)n, sizeof *h->files);
    h->n_files = n;
    cJSON_ArrayForEach(e, files)
    {
        push_key(ld, e->string);
        bool ok = load_http_file(ld, e, &h->files[i]);
        pop(ld);
        if (!ok) {
            pop(ld);
            return false;
        }
        i++;
    }
    /* a path is a file or a directory, not both */
    bool ok =
        paths_not_nested(ld, h->files, n, sizeof *h->files, offsetof(struct model_http_file, path),
                         offsetof(struct model_http_file, line));
    pop(ld);
    return ok;
}

/* ---- whois ---- */

static bool load_svc_whois(struct loader *ld, const cJSON *j, struct model_services *s)
{
    static const char *const keys[] = {"records", NULL};
    const cJSON *recs, *e;
    if (!want_object(ld, j,
                     "an object like {\"records\": {\"galaxy.test\": \"Domain Name: "
                     "GALAXY.TEST\"}}"))
        return false;
    if (!check_keys(ld, j, keys, svc_flags_hint, "whois")) return false;
    recs = need(ld, j, "records",
                "a WHOIS server needs \"records\", like {\"galaxy.test\": \"Domain Name: "
                "GALAXY.TEST\\nCreation Date: 1993-04-02\"}");
    if (!recs) return false;
    int n = 0, i = 0;
    bool fine;
    recs =
        entries_begin(ld, j, "records",
                      "an object of records like {\"galaxy.test\": \"Domain Name: GALAXY.TEST\"}",
                      1000, "records", &n, &fine);
    if (!recs) return false;
    struct model_svc_whois *w = &s->whois;
    s->has_whois = true;
    w->line = item_line(ld, j);
    w->records = zalloc((size_t)n, sizeof *w->records);
    w->n_records = n;
    cJSON_ArrayForEach(e, recs)
    {
        push_key(ld, e->string);
        char q[WHOIS_QUERY_MAX + 1];
        bool ok = whois_query_parse(e->string, strlen(e->string), q, sizeof q) && q[0] &&
                  strcasecmp(q, e->string) == 0;
        for (const char *c = e->string; ok && *c; c++)
            ok = isalnum((unsigned char)*c) || strchr(".-_:/", *c);
        if (!ok)
            ld_fail(ld,
                    "\"%.60s\" is not a name to look up: use a domain like \"galaxy.test\" or an "
                    "address, without spaces or a final dot",
                    e->string);
        for (int k = 0; ok && k < i; k++) {
            if (strcmp(w->records[k].name, q) != 0) continue;
            ld_fail(ld,
                    "\"%s\" is the same name as records.%s (line %d): WHOIS names are "
                    "case-insensitive, keep one",
                    e->string, w->records[k].name, w->records[k].line);
            ok = false;
        }
        if (!ok) {
            pop(ld);
            pop(ld);
            return false;
        }
        if (!cJSON_IsString(e)) {
            fail_type(ld, e,
                      "the record's text, like \"Domain Name: GALAXY.TEST\\nCreation Date: "
                      "1993-04-02\"");
            pop(ld);
            pop(ld);
            return false;
        }
        if (strlen(e->valuestring) > 65536) {
            ld_fail(ld, "a record's text is at most 65536 characters");
            pop(ld);
            pop(ld);
            return false;
        }
        w->records[i].name = dupstr(q);
        w->records[i].text = dupstr(e->valuestring);
        w->records[i].line = item_line(ld, e);
        pop(ld);
        i++;
    }
    pop(ld);
    return true;
}

/* ---- ftp and telnet ----
 * Both take "accounts" ({"user": "password"}) and "files" (a file's text,
 * or {"size": N} for N bytes of generated text): FTP by absolute path
 * ("/pub/readme.txt", directories implied), telnet by name in the home
 * directory ("flag.txt"). */

/* Why a file key is not a path (ftp) or a name (telnet), or NULL. */
static const char *svc_file_key_check(const char *k, bool ftp)
{
    size_t n = strlen(k);
    for (const char *c = k; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) return "it holds a control character";
    if (!ftp) {
        if (!n || n > 255) return "a file name has 1 to 255 characters";
        if (strchr(k, '/'))
            return "telnet files are names in the user's home directory, like \"flag.txt\", "
                   "without \"/\"";
        if (!strcmp(k, ".") || !strcmp(k, "..")) return "\".\" and \"..\" are not file names";
        return NULL;
    }
    if (k[0] != '/') return "an FTP path starts with \"/\", like \"/pub/readme.txt\"";
    if (n >= FTP_PATH_MAX) return "a path has at most 255 characters";
    if (!ftp_path_ok(k) || !strcmp(k, "/"))
        return "use names between single slashes, without \".\", \"..\" or a final \"/\"";
    return NULL;
}

static bool load_svc_file(struct loader *ld, const cJSON *v, struct model_svc_file *f, bool ftp)
{
    static const char *const keys[] = {"size", NULL};
    f->line = item_line(ld, v);
    const char *bad = svc_file_key_check(v->string, ftp);
    if (bad)
        return ld_fail(ld, "\"%.60s\" is not a file %s here: %s", v->string, ftp ? "path" : "name",
                       bad);
    f->path = dupstr(v->string);
    if (cJSON_IsString(v)) {
        f->size = strlen(v->valuestring);
        if (f->size > FTP_FILE_MAX)
            return ld_fail(ld, "a file holds at most %u bytes", FTP_FILE_MAX);
        f->content = dupmem(v->valuestring, f->size);
        return true;
    }
    if (!cJSON_IsObject(v))
        return fail_type(ld, v, "the file's text, or an object like {\"size\": 100000}");
    if (!check_keys(ld, v, keys, NULL, NULL)) return false;
    bool has_size;
    double size = 0;
    if (!get_number(ld, v, "size", true, 0, 1e15, &has_size, &size)) return false;
    if (!has_size)
        return ld_fail(ld, "missing: a file object needs \"size\" (that many bytes of generated "
                           "text)");
    if (size > FTP_FILE_MAX)
        return ld_fail_at(ld, "size", "a file holds at most %u bytes (16 MiB), got %.0f",
                          FTP_FILE_MAX, size);
    f->size = (size_t)size;
    return true;
}

static bool load_svc_files(struct loader *ld, const cJSON *j, bool ftp, struct model_svc_file **out,
                           int *n_out)
{
    const cJSON *e;
    int n = 0, i = 0;
    bool fine;
    const cJSON *files =
        entries_begin(ld, j, "files",
                      ftp ? "an object of files like {\"/pub/readme.txt\": \"hello\"}"
                          : "an object of files like {\"flag.txt\": \"FLAG{...}\"}",
                      1000, "files", &n, &fine);
    if (!files) return fine;
    struct model_svc_file *f = zalloc((size_t)n, sizeof *f);
    *out = f;
    *n_out = n;
    cJSON_ArrayForEach(e, files)
    {
        push_key(ld, e->string);
        bool ok = load_svc_file(ld, e, &f[i], ftp);
        pop(ld);
        if (!ok) {
            pop(ld);
            return false;
        }
        i++;
    }
    /* a path is a file or a directory, not both */
    bool ok = !ftp || paths_not_nested(ld, f, n, sizeof *f, offsetof(struct model_svc_file, path),
                                       offsetof(struct model_svc_file, line));
    pop(ld);
    return ok;
}

static bool load_svc_accounts(struct loader *ld, const cJSON *j, bool ftp,
                              struct model_svc_account **out, int *n_out)
{
    const cJSON *e;
    int n = 0, i = 0;
    bool fine;
    const cJSON *acc =
        entries_begin(ld, j, "accounts", "an object of users and passwords like {\"ann\": \"pw\"}",
                      100, "accounts", &n, &fine);
    if (!acc) return fine;
    struct model_svc_account *a = zalloc((size_t)n, sizeof *a);
    *out = a;
    *n_out = n;
    cJSON_ArrayForEach(e, acc)
    {
        push_key(ld, e->string);
        const char *u = e->string;
        bool ok = *u && strlen(u) <= 32 && *u != '-';
        for (const char *c = u; ok && *c; c++)
            ok = isalnum((unsigned char)*c) || strchr("._-", *c);
        if (!ok)
            ld_fail(ld,
                    "\"%.60s\" is not a user name: use 1 to 32 letters, digits, '.', '_' or '-', "
                    "not starting with '-'",
                    u);
        else if (ftp && (!strcasecmp(u, "anonymous") || !strcasecmp(u, "ftp")))
            ok = ld_fail(ld,
                         "\"%s\" is the anonymous login, which takes any password: write "
                         "\"anonymous\": true instead of an account",
                         u);
        else if (!cJSON_IsString(e))
            ok = fail_type(ld, e, "the password, like \"pw\"");
        else if (strlen(e->valuestring) > 128 || strpbrk(e->valuestring, "\r\n"))
            ok = ld_fail(ld, "a password is one line of at most 128 characters");
        if (!ok) {
            pop(ld);
            pop(ld);
            return false;
        }
        a[i].user = dupstr(u);
        a[i].password = dupstr(e->valuestring);
        a[i].line = item_line(ld, e);
        pop(ld);
        i++;
    }
    pop(ld);
    return true;
}

static bool load_svc_ftp(struct loader *ld, const cJSON *j, struct model_services *s)
{
    static const char *const keys[] = {"anonymous", "accounts", "files", "tls", "plain", NULL};
    if (!want_object(ld, j,
                     "an object like {\"anonymous\": true, \"files\": {\"/pub/readme.txt\": "
                     "\"hello\"}}"))
        return false;
    if (!check_keys(ld, j, keys, NULL, NULL)) return false;
    struct model_svc_ftp *f = &s->ftp;
    s->has_ftp = true;
    f->line = item_line(ld, j);
    /* "tls": FTPS, implicit, on 990 (protocols/ftp.h) */
    if (!load_tls_flags(ld, j, "ftp", 21, 990, &f->tls, &f->no_plain)) return false;
    f->anonymous = false;
    if (!get_bool(ld, j, "anonymous", &f->anonymous)) return false;
    if (!load_svc_accounts(ld, j, true, &f->accounts, &f->n_accounts) ||
        !load_svc_files(ld, j, true, &f->files, &f->n_files))
        return false;
    if (!f->anonymous && !f->n_accounts)
        return ld_fail(ld, "nobody could log in: give \"anonymous\": true or \"accounts\", like "
                           "{\"ann\": \"pw\"}");
    return true;
}

static bool load_svc_telnet(struct loader *ld, const cJSON *j, struct model_services *s)
{
    static const char *const keys[] = {"accounts", "banner", "files", NULL};
    if (!want_object(ld, j,
                     "an object like {\"accounts\": {\"root\": \"toor\"}, \"banner\": \"Ubuntu "
                     "22.04 LTS\"}"))
        return false;
    if (!check_keys(ld, j, keys, svc_flags_hint, "telnet")) return false;
    struct model_svc_telnet *t = &s->telnet;
    s->has_telnet = true;
    t->line = item_line(ld, j);
    const char *banner;
    if (!get_str(ld, j, "banner", NULL, &banner)) return false;
    if (banner && strlen(banner) > 1024)
        return ld_fail_at(ld, "banner", "a banner has at most 1024 characters");
    if (banner) t->banner = dupstr(banner);
    if (!load_svc_accounts(ld, j, false, &t->accounts, &t->n_accounts) ||
        !load_svc_files(ld, j, false, &t->files, &t->n_files))
        return false;
    if (!t->n_accounts)
        return ld_fail(ld, "missing: a telnet server needs \"accounts\" to log in with, like "
                           "{\"root\": \"toor\"}");
    return true;
}

/* ---- mail: smtp, pop3 and imap share one store per node ---- */

static bool mail_hint(const char *key, const void *ctx, char *buf, size_t n)
{
    if (!strcmp(key, "domain") && strcmp((const char *)ctx, "smtp") != 0) {
        snprintf(buf, n,
                 "\"domain\" belongs to \"smtp\" (it says which addresses the server takes mail "
                 "for); %s shares the node's one mail store and has no domain of its own",
                 (const char *)ctx);
        return true;
    }
    return false;
}

/* "accounts": {"nadia": "pw"}, merged into the node's one set. */
static bool load_mail_accounts(struct loader *ld, const cJSON *j, const char *svc,
                               struct model_svc_mail *ml)
{
    char b[64];
    if (!want_object(ld, j, "an object of user names and passwords, like {\"nadia\": \"pw\"}"))
        return false;
    const cJSON *e;
    cJSON_ArrayForEach(e, j)
    {
        const char *user = e->string ? e->string : "";
        push_key(ld, user);
        if (!mail_user_name_ok(user)) {
            ld_fail(ld,
                    "\"%.40s\" is not a user name here: use 1 to %d letters, digits, '.', '_' or "
                    "'-'",
                    user, MAIL_NAME_MAX);
            pop(ld);
            return false;
        }
        if (!cJSON_IsString(e)) {
            ld_fail(ld, "expected the password as a string, got %s", brief(e, b, sizeof b));
            pop(ld);
            return false;
        }
        if (strlen(e->valuestring) > 256) {
            ld_fail(ld, "a password may be at most 256 characters");
            pop(ld);
            return false;
        }
        int k = 0;
        while (k < ml->n_accounts && strcasecmp(ml->accounts[k].user, user) != 0)
            k++;
        if (k < ml->n_accounts) {
            const struct model_mail_account *a = &ml->accounts[k];
            if (strcmp(a->password, e->valuestring) != 0) {
                ld_fail(ld,
                        "%s already has another password (services.%s.accounts, line %d): SMTP, "
                        "POP3 and IMAP on one node share one set of accounts, so a user has one "
                        "password",
                        a->user, a->svc, a->line);
                pop(ld);
                return false;
            }
            pop(ld);
            continue;
        }
        struct model_mail_account *na =
            realloc(ml->accounts, (size_t)(ml->n_accounts + 1) * sizeof *na);
        if (!na) abort();
        ml->accounts = na;
        na = &ml->accounts[ml->n_accounts++];
        memset(na, 0, sizeof *na);
        na->user = dupstr(user);
        na->password = dupstr(e->valuestring);
        na->svc = svc;
        na->line = item_line(ld, e);
        pop(ld);
    }
    return true;
}

static bool load_mail_msg(struct loader *ld, const cJSON *j, const char *svc, const char *user,
                          struct model_mail_msg *mm)
{
    static const char *const keys[] = {"from", "to", "subject", "body", "folder", "seen", NULL};
    const char *from, *to, *subject, *body, *folder;
    mm->line = item_line(ld, j);
    mm->svc = svc;
    mm->user = dupstr(user);
    if (!want_object(ld, j,
                     "a message like {\"from\": \"ann@example.test\", \"subject\": \"hi\", "
                     "\"body\": \"...\"}"))
        return false;
    if (!check_keys(ld, j, keys, NULL, NULL)) return false;
    if (!get_str(ld, j, "from", "who the message is from, like \"ann@example.test\"", &from) ||
        !get_str(ld, j, "to", NULL, &to) || !get_str(ld, j, "subject", NULL, &subject) ||
        !get_str(ld, j, "body", NULL, &body) || !get_str(ld, j, "folder", NULL, &folder))
        return false;
    if (body && strlen(body) > 1000000)
        return ld_fail_at(ld, "body", "a message body may be at most 1000000 characters");
    if (folder && !mail_folder_name_ok(folder))
        return ld_fail_at(ld, "folder",
                          "\"%.40s\" is not a folder name: 1 to 64 characters, without control "
                          "characters, quotes, backslashes, '*' or '%%', and no '/' at either "
                          "end",
                          folder);
    mm->seen = false;
    if (!get_bool(ld, j, "seen", &mm->seen)) return false;
    mm->from = dupstr(from);
    mm->to = to ? dupstr(to) : NULL;
    mm->subject = dupstr(subject ? subject : "");
    mm->body = dupstr(body ? body : "");
    mm->folder = folder && strcasecmp(folder, "INBOX") ? dupstr(folder) : NULL;
    return true;
}

/* "mailboxes": {"nadia": [message, ...]}: mail already there at time 0. */
static bool load_mail_mailboxes(struct loader *ld, const cJSON *j, const char *svc,
                                struct model_svc_mail *ml)
{
    if (!want_object(ld, j,
                     "an object of user names and their messages, like {\"nadia\": [{\"from\": "
                     "\"ann@example.test\", \"subject\": \"hi\", \"body\": \"...\"}]}"))
        return false;
    const cJSON *e;
    cJSON_ArrayForEach(e, j)
    {
        const char *user = e->string ? e->string : "";
        push_key(ld, user);
        if (!cJSON_IsArray(e)) {
            fail_type(ld, e,
                      "a list of messages like [{\"from\": ..., \"subject\": ..., "
                      "\"body\": ...}]");
            pop(ld);
            return false;
        }
        int n = cJSON_GetArraySize(e), i = 0;
        if (n > 1000 || ml->n_msgs + n > 10000) {
            ld_fail(ld, "at most 1000 messages per mailbox and 10000 per node, got %d", n);
            pop(ld);
            return false;
        }
        struct model_mail_msg *nm = realloc(ml->msgs, (size_t)(ml->n_msgs + n + 1) * sizeof *nm);
        if (!nm) abort();
        ml->msgs = nm;
        const cJSON *m;
        cJSON_ArrayForEach(m, e)
        {
            struct model_mail_msg *mm = &ml->msgs[ml->n_msgs++];
            memset(mm, 0, sizeof *mm);
            push_index(ld, i++);
            bool ok = load_mail_msg(ld, m, svc, user, mm);
            pop(ld);
            if (!ok) {
                pop(ld);
                return false;
            }
        }
        pop(ld);
    }
    return true;
}

static bool load_svc_mail(struct loader *ld, const cJSON *j, struct model_services *s,
                          const char *svc)
{
    static const char *const smtp_keys[] = {"domain", "accounts", "mailboxes",
                                            "tls",    "plain",    NULL};
    static const char *const box_keys[] = {"accounts", "mailboxes", "tls", "plain", NULL};
    struct model_svc_mail *ml = &s->mail;
    bool smtp = !strcmp(svc, "smtp");
    if (!want_object(ld, j,
                     smtp ? "an object like {\"domain\": \"harbor.test\", \"accounts\": "
                            "{\"nadia\": \"pw\"}}"
                          : "an object like {\"accounts\": {\"nadia\": \"pw\"}}"))
        return false;
    if (!check_keys(ld, j, smtp ? smtp_keys : box_keys, mail_hint, svc)) return false;
    int line = item_line(ld, j);
    bool ok_flags = smtp ? load_tls_flags(ld, j, svc, 25, 465, &ml->smtp_tls, &ml->smtp_no_plain)
                    : !strcmp(svc, "pop3")
                        ? load_tls_flags(ld, j, svc, 110, 995, &ml->pop3_tls, &ml->pop3_no_plain)
                        : load_tls_flags(ld, j, svc, 143, 993, &ml->imap_tls, &ml->imap_no_plain);
    if (!ok_flags) return false;
    if (smtp) {
        const char *dom;
        ml->smtp = true;
        ml->smtp_line = line;
        if (!get_str(ld, j, "domain", NULL, &dom)) return false;
        if (dom) {
            size_t n = strlen(dom);
            bool ok = n > 0 && n <= 253 && dom[0] != '.' && dom[0] != '-' && dom[n - 1] != '.';
            for (size_t i = 0; ok && i < n; i++)
                ok = isalnum((unsigned char)dom[i]) || dom[i] == '-' ||
                     (dom[i] == '.' && dom[i + 1] != '.');
            if (!ok)
                return ld_fail_at(ld, "domain",
                                  "expected a domain name like \"harbor.test\", got \"%.60s\"",
                                  dom);
            ml->domain = dupstr(dom);
        }
    } else if (!strcmp(svc, "pop3")) {
        ml->pop3 = true;
        ml->pop3_line = line;
    } else {
        ml->imap = true;
        ml->imap_line = line;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "accounts");
    if (v) {
        push_key(ld, "accounts");
        bool ok = load_mail_accounts(ld, v, svc, ml);
        pop(ld);
        if (!ok) return false;
    }
    v = cJSON_GetObjectItemCaseSensitive(j, "mailboxes");
    if (v) {
        push_key(ld, "mailboxes");
        bool ok = load_mail_mailboxes(ld, v, svc, ml);
        pop(ld);
        if (!ok) return false;
    }
    return true;
}

static bool load_svc_smtp(struct loader *ld, const cJSON *j, struct model_services *s)
{
    return load_svc_mail(ld, j, s, "smtp");
}

static bool load_svc_pop3(struct loader *ld, const cJSON *j, struct model_services *s)
{
    return load_svc_mail(ld, j, s, "pop3");
}

static bool load_svc_imap(struct loader *ld, const cJSON *j, struct model_services *s)
{
    return load_svc_mail(ld, j, s, "imap");
}

/* Once every entry is in: each mailbox belongs to an account. */
static bool check_mail_users(struct loader *ld, const struct model_services *s)
{
    const struct model_svc_mail *ml = &s->mail;
    for (int i = 0; i < ml->n_msgs; i++) {
        const struct model_mail_msg *mm = &ml->msgs[i];
        int k = 0;
        while (k < ml->n_accounts && strcasecmp(ml->accounts[k].user, mm->user) != 0)
            k++;
        if (k < ml->n_accounts) continue;
        push_key(ld, mm->svc);
        push_key(ld, "mailboxes");
        push_key(ld, mm->user);
        ld_fail(ld,
                "there is no account \"%s\" on this node: add it to \"accounts\" (of smtp, pop3 "
                "or imap: they share one set), like \"accounts\": {\"%s\": \"pw\"}",
                mm->user, mm->user);
        pop(ld);
        pop(ld);
        pop(ld);
        return false;
    }
    return true;
}

static const struct {
    const char *key;
    bool (*load)(struct loader *ld, const cJSON *j, struct model_services *s);
} services_table[] = {
    {"dns", load_svc_dns},   {"echo", load_svc_echo},     {"http", load_svc_http},
    {"ftp", load_svc_ftp},   {"smtp", load_svc_smtp},     {"pop3", load_svc_pop3},
    {"imap", load_svc_imap}, {"telnet", load_svc_telnet}, {"whois", load_svc_whois},
};
#define N_SERVICES (sizeof services_table / sizeof services_table[0])

static bool load_services(struct loader *ld, const cJSON *j, struct model_node *nd)
{
    const char *keys[N_SERVICES + 1];
    for (size_t i = 0; i < N_SERVICES; i++)
        keys[i] = services_table[i].key;
    keys[N_SERVICES] = NULL;
    if (!want_object(ld, j, "an object like {\"dns\": {\"records\": [...]}}")) return false;
    if (!check_keys(ld, j, keys, NULL, NULL)) return false;
    nd->services = zalloc(1, sizeof *nd->services);
    nd->services->line = item_line(ld, j);
    const cJSON *e;
    cJSON_ArrayForEach(e, j)
    {
        size_t i = 0;
        while (strcmp(services_table[i].key, e->string) != 0)
            i++;
        if (!services_table[i].load)
            return ld_fail_at(ld, e->string,
                              "`%s` is not supported yet by this netstep (it arrives with the "
                              "application-protocol release)",
                              e->string);
        push_key(ld, e->string);
        bool ok = services_table[i].load(ld, e, nd->services);
        pop(ld);
        if (!ok) return false;
    }
    return check_mail_users(ld, nd->services);
}

static bool load_node(struct loader *ld, const cJSON *j, int idx)
{
    struct model_node *nd = &ld->m->nodes[idx];
    const char *name, *type;
    const cJSON *arr, *e;
    char b[64], s1[16], sub[200];
    bool present;
    nd->line = item_line(ld, j);
    if (!want_object(ld, j, "a node like {\"name\": \"pc1\", \"type\": \"host\", ...}"))
        return false;
    if (!get_str(ld, j, "name", "every node needs a unique \"name\", like \"pc1\"", &name))
        return false;
    if (!valid_name(name, NODE_NAME_MAX - 1))
        return ld_fail_at(ld, "name",
                          "%s is not a valid node name: use 1 to %d letters, digits, '_', '.' "
                          "or '-'",
                          brief(cJSON_GetObjectItemCaseSensitive(j, "name"), b, sizeof b),
                          NODE_NAME_MAX - 1);
    int other = names_find(ld, name);
    if (other >= 0)
        return ld_fail_at(ld, "name", "there is already a node named \"%s\" (nodes[%d], line %d)",
                          name, other, ld->m->nodes[other].line);
    nd->name = dupstr(name);
    names_add(ld, name, idx);

    if (!get_str(ld, j, "type", "one of host, server, switch, hub, router", &type)) return false;
    static const char *const types[] = {"host", "server", "switch", "hub", "router"};
    static const enum node_kind kinds[] = {NODE_HOST, NODE_SERVER, NODE_SWITCH, NODE_HUB,
                                           NODE_ROUTER};
    int t = 0;
    while (t < 5 && strcmp(types[t], type) != 0)
        t++;
    if (t == 5)
        return ld_fail_at(ld, "type",
                          "unknown node type %s; use host, server, switch, hub or "
                          "router",
                          brief(cJSON_GetObjectItemCaseSensitive(j, "type"), b, sizeof b));
    nd->kind = kinds[t];
    const char *const *keys = has_ports(nd->kind)       ? switch_keys
                              : nd->kind == NODE_ROUTER ? router_keys
                                                        : host_keys;
    if (!check_keys(ld, j, keys, node_key_hint, nd)) return false;

    if (has_ports(nd->kind)) {
        double ports = 8;
        if (!get_number(ld, j, "ports", true, 1, PORTS_MAX, &present, &ports)) return false;
        nd->ports = (int)ports;
    } else {
        char missing[64];
        snprintf(missing, sizeof missing, "a %s needs \"interfaces\"", node_kind_name(nd->kind));
        if (!get_array(ld, j, "interfaces", missing,
                       "a list of interfaces like [{\"name\": \"eth0\", \"ip\": "
                       "\"10.0.0.1/24\"}]",
                       &arr))
            return false;
        int n = cJSON_GetArraySize(arr), i = 0;
        if (n == 0) return ld_fail_at(ld, "interfaces", "%s needs at least one interface", name);
        if (n > NODE_MAX_IFACES)
            return ld_fail_at(ld, "interfaces", "at most %d interfaces per node, got %d",
                              NODE_MAX_IFACES, n);
        nd->ifaces = zalloc((size_t)n, sizeof *nd->ifaces);
        nd->n_ifaces = n;
        push_key(ld, "interfaces");
        cJSON_ArrayForEach(e, arr)
        {
            push_index(ld, i);
            bool ok = load_iface(ld, e, nd, i);
            pop(ld);
            if (!ok) {
                pop(ld);
                return false;
            }
            i++;
        }
        pop(ld);
    }

    const cJSON *gw = cJSON_GetObjectItemCaseSensitive(j, "gateway");
    if (gw) {
        push_key(ld, "gateway");
        bool ok = want_addr(ld, gw, &nd->gateway);
        if (ok && node_has_addr(nd, nd->gateway))
            ok = ld_fail(ld,
                         "gateway %s is %s's own address; the gateway is the router's "
                         "address on this subnet",
                         ip4_str(nd->gateway, s1), name);
        if (ok && !node_on_link(nd, nd->gateway, NULL)) {
            node_subnets(nd, NULL, sub, sizeof sub);
            ok = ld_fail(ld, "gateway %s is not on any of %s's subnets (%s)",
                         ip4_str(nd->gateway, s1), name, sub);
        }
        pop(ld);
        if (!ok) return false;
    }

    if (!get_array(ld, j, "dns", NULL, "a list of addresses like [\"10.0.0.53\"]", &arr))
        return false;
    if (arr && !load_dns_list(ld, arr, nd->dns, &nd->n_dns)) return false;

    if (!get_array(ld, j, "routes", NULL,
                   "a list of routes like [{\"to\": \"10.1.0.0/16\", \"via\": \"10.0.0.254\"}]",
                   &arr))
        return false;
    if (arr) {
        int n = cJSON_GetArraySize(arr), i = 0;
        nd->routes = zalloc((size_t)n, sizeof *nd->routes);
        nd->n_routes = n;
        push_key(ld, "routes");
        cJSON_ArrayForEach(e, arr)
        {
            push_index(ld, i);
            bool ok = load_route(ld, e, nd, i);
            pop(ld);
            if (!ok) {
                pop(ld);
                return false;
            }
            i++;
        }
        pop(ld);
    }

    const cJSON *dhcp = cJSON_GetObjectItemCaseSensitive(j, "dhcp_server");
    if (dhcp) {
        push_key(ld, "dhcp_server");
        bool ok = load_dhcp_server(ld, dhcp, nd);
        pop(ld);
        if (!ok) return false;
    }

    const cJSON *nat = cJSON_GetObjectItemCaseSensitive(j, "nat");
    if (nat) {
        push_key(ld, "nat");
        bool ok = load_nat(ld, nat, nd);
        pop(ld);
        if (!ok) return false;
    }

    const cJSON *svc = cJSON_GetObjectItemCaseSensitive(j, "services");
    if (svc) {
        push_key(ld, "services");
        bool ok = load_services(ld, svc, nd);
        pop(ld);
        if (!ok) return false;
    }

    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(j, "position");
    if (pos) {
        push_key(ld, "position");
        bool ok = load_position(ld, pos, nd);
        pop(ld);
        if (!ok) return false;
    }
    return true;
}

/* ---- links ---- */

/* Resolves "node" or "node:iface" at the current path. iface_out is the
 * interface index (for a switch or hub: port - 1), or -1 for a bare node
 * when that is allowed. */
static bool resolve_endpoint(struct loader *ld, const cJSON *v, bool node_alone_ok, int *node_out,
                             int *iface_out)
{
    char b[64];
    const char *like = node_alone_ok ? "a node like \"pc1\" or an interface like \"pc1:eth0\""
                                     : "an endpoint like \"pc1:eth0\"";
    if (!cJSON_IsString(v)) return fail_type(ld, v, like);
    const char *s = v->valuestring;
    const char *colon = strchr(s, ':');
    char node[NODE_NAME_MAX + 1];
    size_t nlen = colon ? (size_t)(colon - s) : strlen(s);
    *iface_out = -1;
    if ((!colon && !node_alone_ok) || (colon && (strchr(colon + 1, ':') || colon[1] == '\0')) ||
        nlen == 0)
        return ld_fail(ld, "%s is not %s (node name, colon, interface name)", brief(v, b, sizeof b),
                       like);
    if (nlen > NODE_NAME_MAX - 1)
        return ld_fail(ld, "there is no node named \"%.*s...\"", NODE_NAME_MAX - 1, s);
    memcpy(node, s, nlen);
    node[nlen] = '\0';
    int ni = names_find(ld, node);
    if (ni < 0) return ld_fail(ld, "there is no node named \"%s\"", node);
    *node_out = ni;
    if (!colon) return true;
    const struct model_node *nd = &ld->m->nodes[ni];
    const char *ifn = colon + 1;
    if (has_ports(nd->kind)) {
        long port = 0;
        const char *p = ifn;
        if (*p == '0') port = -1;
        for (; port >= 0 && *p; p++) {
            if (!isdigit((unsigned char)*p) || port > PORTS_MAX) {
                port = -1;
                break;
            }
            port = port * 10 + (*p - '0');
        }
        if (port < 0)
            return ld_fail(ld, "%s ports are numbered 1 to %d: write \"%s:1\", not %s", nd->name,
                           nd->ports, nd->name, brief(v, b, sizeof b));
        if (port < 1 || port > nd->ports)
            return ld_fail(ld, "%s has ports 1 to %d; there is no port %ld", nd->name, nd->ports,
                           port);
        *iface_out = (int)port - 1;
        return true;
    }
    int fi = find_iface(nd, ifn);
    if (fi < 0) {
        char list[160] = "";
        size_t o = 0;
        for (int i = 0; i < nd->n_ifaces && o < sizeof list; i++) {
            int w = snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", nd->ifaces[i].name);
            if (w < 0) break;
            o += (size_t)w;
        }
        return ld_fail(ld, "%s has no interface \"%.20s\" (its interfaces: %s)", nd->name, ifn,
                       list);
    }
    *iface_out = fi;
    return true;
}

static bool load_endpoint(struct loader *ld, const cJSON *j, const char *key, int link, int side,
                          int *node_i, int *iface_i)
{
    const cJSON *v = need(ld, j, key, "a link joins two endpoints like \"pc1:eth0\"");
    if (!v) return false;
    struct model_link *l = &ld->m->links[link];
    push_key(ld, key);
    bool ok = resolve_endpoint(ld, v, false, node_i, iface_i);
    if (ok) {
        const char *colon = strchr(v->valuestring, ':');
        char **nodep = side ? &l->b_node : &l->a_node, **ifp = side ? &l->b_iface : &l->a_iface;
        *nodep = dupmem(v->valuestring, (size_t)(colon - v->valuestring));
        *ifp = dupstr(colon + 1);
    }
    pop(ld);
    return ok;
}

/* "100Mbps", "1.5 Gbps", "512bps" (unit case-insensitive) or bits/s. */
static bool parse_bandwidth(const char *s, uint64_t *out)
{
    static const struct {
        const char *unit;
        double scale;
    } units[] = {{"bps", 1}, {"kbps", 1e3}, {"mbps", 1e6}, {"gbps", 1e9}};
    char *end;
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s)) return false;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !isfinite(v)) return false;
    for (const char *c = s; c < end; c++) /* plain decimals only: no "0x10", no "1e9" */
        if (!isdigit((unsigned char)*c) && *c != '.') return false;
    while (isspace((unsigned char)*end))
        end++;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(end, units[i].unit) == 0) {
            double bps = v * units[i].scale;
            if (bps < 1 || bps > 1e12) return false;
            *out = (uint64_t)llround(bps);
            return true;
        }
    }
    return false;
}

static bool load_link(struct loader *ld, const cJSON *j, int idx)
{
    static const char *const keys[] = {"a",   "b",     "bandwidth", "delay", "loss",
                                       "mtu", "queue", "up",        NULL};
    struct model_link *l = &ld->m->links[idx];
    char b[64];
    int na, fa, nb, fb;
    bool present;
    double d;
    link_params_default(&l->p);
    l->line = item_line(ld, j);
    if (!want_object(ld, j, "a link like {\"a\": \"pc1:eth0\", \"b\": \"sw1:1\"}")) return false;
    if (!check_keys(ld, j, keys, NULL, NULL)) return false;
    if (!load_endpoint(ld, j, "a", idx, 0, &na, &fa) ||
        !load_endpoint(ld, j, "b", idx, 1, &nb, &fb))
        return false;
    if (na == nb && fa == fb)
        return ld_fail_at(ld, "b", "a link cannot connect %s:%s to itself", l->a_node, l->a_iface);
    for (int side = 0; side < 2; side++) {
        int n = side ? nb : na, f = side ? fb : fa;
        int prev = ends_claim(ld, (uint64_t)n << 32 | (uint32_t)f, idx * 2 + side);
        if (prev >= 0) {
            const struct model_link *o = &ld->m->links[prev / 2];
            return ld_fail_at(ld, side ? "b" : "a",
                              "%s:%s is already connected by links[%d] (line %d); an interface "
                              "takes one cable",
                              side ? l->b_node : l->a_node, side ? l->b_iface : l->a_iface,
                              prev / 2, o->line);
        }
    }

    const cJSON *bw = cJSON_GetObjectItemCaseSensitive(j, "bandwidth");
    if (bw) {
        push_key(ld, "bandwidth");
        bool ok = true;
        if (cJSON_IsNumber(bw)) {
            d = bw->valuedouble;
            if (!isfinite(d) || d < 1 || d > 1e12)
                ok = ld_fail(ld,
                             "a bandwidth must be from 1 bit/s to 1000Gbps, got %s (a number "
                             "is in bits per second; or write \"100Mbps\")",
                             brief(bw, b, sizeof b));
            else
                l->p.bandwidth_bps = (uint64_t)llround(d);
        } else if (!cJSON_IsString(bw)) {
            ok = fail_type(ld, bw, "a bandwidth like \"100Mbps\"");
        } else if (!parse_bandwidth(bw->valuestring, &l->p.bandwidth_bps)) {
            ok = ld_fail(ld,
                         "%s is not a bandwidth like \"100Mbps\", \"1Gbps\", \"10kbps\" or "
                         "\"512bps\" (from 1bps to 1000Gbps)",
                         brief(bw, b, sizeof b));
        }
        pop(ld);
        if (!ok) return false;
    }
    if (!get_duration(ld, j, "delay", false, &present, &l->p.delay)) return false;
    if (!get_number(ld, j, "loss", false, 0, 1, &present, &d)) return false;
    if (present) l->p.loss = d;
    if (!get_number(ld, j, "mtu", true, 68, 9000, &present, &d)) return false;
    if (present) l->p.mtu = (uint32_t)d;
    if (!get_number(ld, j, "queue", true, 1, 100000, &present, &d)) return false;
    if (present) l->p.queue_limit = (uint32_t)d;
    bool up = true;
    if (!get_bool(ld, j, "up", &up)) return false;
    l->down = !up;
    return true;
}

/* ---- timeline ---- */

/* A rough size of the automaton glibc's regcomp builds. It expands a
 * counted repeat by copying its operand, so nested repeats multiply:
 * "((a{1,255}){1,255}){1,10}" is 26 characters and takes seconds and
 * hundreds of MB to compile. Scenario files come from other people, so
 * the loader refuses patterns that would be that large before compiling. */
static double regex_cost(const char *re)
{
    double group[33] = {0}, last = 0;
    int top = 0;
    for (const char *p = re; *p; p++) {
        if (*p == '(') {
            if (top == 32) return 1e18;
            group[++top] = 0;
            last = 0;
            continue;
        }
        if (*p == ')' && top > 0) {
            last = group[top--] + 1;
            group[top] += last;
            continue;
        }
        if (*p == '{') {
            char *end;
            double lo = strtod(p + 1, &end), hi = lo;
            if (*end == ',') hi = isdigit((unsigned char)end[1]) ? strtod(end + 1, &end) : lo + 1;
            if (!isfinite(hi) || hi > 1e6) hi = 1e6;
            group[top] += last * (hi > 1 ? hi - 1 : 0);
            last *= hi > 1 ? hi : 1;
            continue;
        }
        if (*p == '[') { /* a bracket expression is one atom; ']' first is literal */
            const char *q = p + 1;
            if (*q == '^') q++;
            if (*q == ']') q++;
            while (*q && *q != ']')
                q++;
            p = *q ? q : q - 1;
        } else if (*p == '\\' && p[1]) {
            p++;
        }
        last = 1;
        group[top] += 1;
    }
    for (; top > 0; top--) /* unclosed groups: regcomp will say so */
        group[top - 1] += group[top];
    return group[0];
}

static bool load_expect(struct loader *ld, const cJSON *j, struct model_expect *x)
{
    static const char *const keys[] = {"contains", "not_contains", "matches", "exit", NULL};
    const char *s;
    bool present;
    double d;
    if (!want_object(ld, j, "checks like {\"contains\": \"3 received\"}")) return false;
    if (!check_keys(ld, j, keys, NULL, NULL)) return false;
    if (!get_str(ld, j, "contains", NULL, &s)) return false;
    if (s) {
        x->has_contains = true;
        x->contains = dupstr(s);
    }
    if (!get_str(ld, j, "not_contains", NULL, &s)) return false;
    if (s) {
        x->has_not_contains = true;
        x->not_contains = dupstr(s);
    }
    if (!get_str(ld, j, "matches", NULL, &s)) return false;
    if (s) {
        regex_t re;
        if (strlen(s) > 1000 || regex_cost(s) > 10000)
            return ld_fail_at(ld, "matches",
                              "this regular expression is too complex for netstep (nested "
                              "counted repeats like {1,255} multiply its size); simplify it");
        int rc = regcomp(&re, s, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char why[128];
            regerror(rc, &re, why, sizeof why);
            return ld_fail_at(ld, "matches", "not a valid regular expression (POSIX extended): %s",
                              why);
        }
        regfree(&re);
        x->has_matches = true;
        x->matches = dupstr(s);
    }
    if (!get_number(ld, j, "exit", true, 0, 255, &present, &d)) return false;
    if (present) {
        x->has_exit = true;
        x->exit_code = (int)d;
    }
    if (!x->has_contains && !x->has_not_contains && !x->has_matches && !x->has_exit)
        return ld_fail(ld, "empty: give at least one of contains, not_contains, matches, exit");
    return true;
}

static bool load_event(struct loader *ld, const cJSON *j, int idx)
{
    static const char *const keys[] = {"at", "node", "run", "input", "paste", "expect", NULL};
    struct model_event *ev = &ld->m->events[idx];
    const char *s;
    const cJSON *arr, *e;
    char t1[32], t2[32];
    bool present;
    int ni, fi;
    ev->line = item_line(ld, j);
    if (!want_object(ld, j, "an entry like {\"at\": \"1s\", \"node\": \"pc1\", \"run\": \"...\"}"))
        return false;
    if (!check_keys(ld, j, keys, NULL, NULL)) return false;
    if (!need(ld, j, "at", "when to run, like \"at\": \"1s\"")) return false;
    if (!get_duration(ld, j, "at", true, &present, &ev->at)) return false;
    if (ev->at > ld->m->until)
        return ld_fail_at(ld, "at",
                          "%s is after the end of the scenario (\"until\": \"%s\"), so it "
                          "would never run",
                          dur_str(ev->at, t1, sizeof t1), dur_str(ld->m->until, t2, sizeof t2));
    const cJSON *nv = need(ld, j, "node", "which node runs the command, like \"node\": \"pc1\"");
    if (!nv) return false;
    push_key(ld, "node");
    bool ok = cJSON_IsString(nv) && !strchr(nv->valuestring, ':')
                  ? resolve_endpoint(ld, nv, true, &ni, &fi)
                  : fail_type(ld, nv, "a node name like \"pc1\"");
    pop(ld);
    if (!ok) return false;
    ev->node = dupstr(nv->valuestring);
    if (!get_str(ld, j, "run", "the command to run, like \"run\": \"ping -c 3 10.0.0.2\"", &s))
        return false;
    const char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '\0') return ld_fail_at(ld, "run", "the command is empty");
    ev->run = dupstr(s);

    if (!get_array(ld, j, "input", NULL, "a list of lines like [\"USER ann\", \"PASS pw\"]", &arr))
        return false;
    if (arr) {
        int n = cJSON_GetArraySize(arr), i = 0;
        ev->input = zalloc((size_t)n, sizeof *ev->input);
        ev->n_input = n;
        push_key(ld, "input");
        cJSON_ArrayForEach(e, arr)
        {
            if (!cJSON_IsString(e)) {
                push_index(ld, i);
                fail_type(ld, e, "a line of text (a string)");
                pop(ld);
                pop(ld);
                return false;
            }
            ev->input[i++] = dupstr(e->valuestring);
        }
        pop(ld);
    }
    if (!get_bool(ld, j, "paste", &ev->paste)) return false;
    if (ev->paste && !ev->n_input)
        return ld_fail_at(ld, "paste", "\"paste\": true needs \"input\" lines to paste");
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, "expect");
    if (x) {
        push_key(ld, "expect");
        ok = load_expect(ld, x, &ev->expect);
        pop(ld);
        if (!ok) return false;
        ev->has_expect = true;
    }
    return true;
}

static bool load_pexpect(struct loader *ld, const cJSON *j, int idx)
{
    static const char *const keys[] = {"summary", "on", "protocol", "min", "max", NULL};
    struct model_pexpect *pe = &ld->m->pexpects[idx];
    const char *s;
    double d;
    int ni, fi;
    pe->line = item_line(ld, j);
    if (!want_object(ld, j, "a check like {\"summary\": \"Echo (ping) reply\", \"min\": 1}"))
        return false;
    if (!check_keys(ld, j, keys, NULL, NULL)) return false;
    if (!get_str(ld, j, "summary",
                 "the text to look for in frame summaries, like \"summary\": \"Echo (ping) "
                 "reply\"",
                 &s))
        return false;
    pe->summary = dupstr(s);
    const cJSON *on = cJSON_GetObjectItemCaseSensitive(j, "on");
    if (on) {
        push_key(ld, "on");
        bool ok = resolve_endpoint(ld, on, true, &ni, &fi);
        pop(ld);
        if (!ok) return false;
        pe->on = dupstr(on->valuestring);
    }
    if (!get_str(ld, j, "protocol", NULL, &s)) return false;
    if (s) pe->protocol = dupstr(s);
    if (!get_number(ld, j, "min", true, 0, 1e15, &pe->has_min, &d)) return false;
    if (pe->has_min) pe->min = (long)d;
    if (!get_number(ld, j, "max", true, 0, 1e15, &pe->has_max, &d)) return false;
    if (pe->has_max) pe->max = (long)d;
    if (pe->has_min && pe->has_max && pe->min > pe->max)
        return ld_fail_at(ld, "max", "max %ld is smaller than min %ld", pe->max, pe->min);
    return true;
}

/* ---- pki: the scenario's certificate authority ----
 * "pki": {"ca": {"name": "Harbor Root CA", "valid_days": 3650},
 *         "signs": ["web", {"node": "mail", "names": ["mail.harbor.test"]}],
 *         "trusted_by": ["pc1", "pc2"]}
 * Loaded after the nodes, so names can be checked. */

static bool node_runs_tls(const struct model_node *nd)
{
    const struct model_services *sv = nd->services;
    return sv && ((sv->has_http && sv->http.tls) || sv->mail.smtp_tls || sv->mail.pop3_tls ||
                  sv->mail.imap_tls || (sv->has_ftp && sv->ftp.tls));
}

/* A host name for a certificate: letters, digits, '-', '.', a leading
 * "*." for a wildcard. */
static bool cert_name_ok(const char *s)
{
    if (!tls_name_ok(s)) return false;
    const char *c = s[0] == '*' && s[1] == '.' ? s + 2 : s;
    if (!*c || *c == '.') return false;
    for (; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '-' && *c != '.') return false;
    return true;
}

static bool load_pki_days(struct loader *ld, const cJSON *j, int def, int *out)
{
    bool present;
    double d;
    if (!get_number(ld, j, "valid_days", true, 0, 36500, &present, &d)) return false;
    *out = present ? (int)d : def;
    return true;
}

static bool load_pki_sign(struct loader *ld, const cJSON *j, struct model_pki_sign *sg)
{
    static const char *const keys[] = {"node", "names", "valid_days", NULL};
    const char *node;
    const cJSON *names = NULL;
    sg->line = item_line(ld, j);
    sg->valid_days = 397;
    if (cJSON_IsString(j)) {
        node = j->valuestring;
    } else if (cJSON_IsObject(j)) {
        if (!check_keys(ld, j, keys, NULL, NULL) ||
            !get_str(ld, j, "node", "the server this CA signs, like \"web\"", &node) ||
            !load_pki_days(ld, j, 397, &sg->valid_days) ||
            !get_array(ld, j, "names", NULL, "a list of names like [\"www.harbor.test\"]", &names))
            return false;
    } else {
        return fail_type(ld, j,
                         "a node name like \"web\", or {\"node\": \"web\", \"names\": "
                         "[\"www.harbor.test\"]}");
    }
    int idx = names_find(ld, node);
    if (idx < 0)
        return ld_fail(ld, "there is no node \"%.60s\" in \"nodes\" to sign a certificate for",
                       node);
    if (!node_runs_tls(&ld->m->nodes[idx]))
        return ld_fail(ld,
                       "%s runs no service with \"tls\": true, so no server would present this "
                       "certificate",
                       node);
    sg->node = dupstr(node);
    if (!names) return true;
    int n = cJSON_GetArraySize(names), i = 0;
    if (n > TLS_CERT_SAN_MAX - 1)
        return ld_fail_at(ld, "names", "a certificate holds at most %d extra names, got %d",
                          TLS_CERT_SAN_MAX - 1, n);
    sg->names = zalloc((size_t)n, sizeof *sg->names);
    push_key(ld, "names");
    const cJSON *e;
    cJSON_ArrayForEach(e, names)
    {
        push_index(ld, i);
        bool ok = cJSON_IsString(e) ? cert_name_ok(e->valuestring)
                                    : fail_type(ld, e, "a host name like \"www.harbor.test\"");
        if (cJSON_IsString(e) && !ok)
            ld_fail(ld,
                    "\"%.60s\" is not a host name for a certificate: letters, digits, '-' and "
                    "'.', at most 64 characters, \"*.\" in front for a wildcard",
                    e->valuestring);
        pop(ld);
        if (!ok) {
            pop(ld);
            return false;
        }
        sg->names[sg->n_names++] = dupstr(e->valuestring);
        i++;
    }
    pop(ld);
    return true;
}

static bool load_pki(struct loader *ld, const cJSON *j)
{
    static const char *const keys[] = {"ca", "signs", "trusted_by", NULL};
    static const char *const ca_keys[] = {"name", "valid_days", NULL};
    if (!want_object(ld, j,
                     "an object like {\"ca\": {\"name\": \"Harbor Root CA\"}, \"signs\": "
                     "[\"web\"]}"))
        return false;
    if (!check_keys(ld, j, keys, NULL, NULL)) return false;
    struct model_pki *p = zalloc(1, sizeof *p);
    ld->m->pki = p;
    p->line = item_line(ld, j);
    const cJSON *ca = need(ld, j, "ca",
                           "the certificate authority, like \"ca\": {\"name\": \"Harbor Root "
                           "CA\"}");
    if (!ca) return false;
    push_key(ld, "ca");
    const char *name = NULL;
    bool ok = want_object(ld, ca, "an object like {\"name\": \"Harbor Root CA\"}") &&
              check_keys(ld, ca, ca_keys, NULL, NULL) &&
              get_str(ld, ca, "name", "the CA's name, like \"Harbor Root CA\"", &name) &&
              load_pki_days(ld, ca, 3650, &p->ca_valid_days);
    if (ok && !tls_name_ok(name))
        ok = ld_fail_at(ld, "name",
                        "a CA's name has 1 to 64 printable characters, without ',' and without "
                        "spaces at either end");
    pop(ld);
    if (!ok) return false;
    p->ca_name = dupstr(name);
    const cJSON *arr;
    if (!get_array(ld, j, "signs", NULL, "a list of servers like [\"web\", \"mail\"]", &arr))
        return false;
    if (arr) {
        int n = cJSON_GetArraySize(arr), i = 0;
        p->signs = zalloc((size_t)n, sizeof *p->signs);
        push_key(ld, "signs");
        const cJSON *e;
        cJSON_ArrayForEach(e, arr)
        {
            push_index(ld, i);
            p->n_signs++; /* counted first: a half-filled entry is freed too */
            ok = load_pki_sign(ld, e, &p->signs[i]);
            for (int k = 0; ok && k < i; k++)
                if (strcmp(p->signs[k].node, p->signs[i].node) == 0)
                    ok = ld_fail(ld, "%s is already signed by signs[%d] (line %d): keep one",
                                 p->signs[i].node, k, p->signs[k].line);
            pop(ld);
            if (!ok) {
                pop(ld);
                return false;
            }
            i++;
        }
        pop(ld);
    }
    if (!get_array(ld, j, "trusted_by", NULL, "a list of node names like [\"pc1\"]", &arr))
        return false;
    if (arr) {
        int n = cJSON_GetArraySize(arr), i = 0;
        p->has_trusted_by = true;
        p->trusted_by = zalloc((size_t)n, sizeof *p->trusted_by);
        push_key(ld, "trusted_by");
        const cJSON *e;
        cJSON_ArrayForEach(e, arr)
        {
            push_index(ld, i);
            ok = cJSON_IsString(e) ? names_find(ld, e->valuestring) >= 0
                                   : fail_type(ld, e, "a node name like \"pc1\"");
            if (cJSON_IsString(e) && !ok)
                ld_fail(ld, "there is no node \"%.60s\" in \"nodes\"", e->valuestring);
            pop(ld);
            if (!ok) {
                pop(ld);
                return false;
            }
            p->trusted_by[p->n_trusted_by++] = dupstr(e->valuestring);
            i++;
        }
        pop(ld);
    }
    return true;
}

/* ---- top level ---- */

static bool top_key_hint(const char *key, const void *ctx, char *buf, size_t n)
{
    (void)ctx;
    if (!strcmp(key, "dhcp_server")) {
        snprintf(buf, n, "\"dhcp_server\" belongs inside a router or host node");
        return true;
    }
    if (!strcmp(key, "services")) {
        snprintf(buf, n, "\"services\" belongs inside a node: give each node its own");
        return true;
    }
    if (!strcmp(key, "nat")) {
        snprintf(buf, n, "\"nat\" belongs inside a router node");
        return true;
    }
    return false;
}

/* Runs `load` on each element of the array member `key`, with the path set. */
typedef bool (*load_elem_fn)(struct loader *ld, const cJSON *j, int idx);

static bool load_each(struct loader *ld, const char *key, const cJSON *arr, load_elem_fn load)
{
    const cJSON *e;
    int i = 0;
    push_key(ld, key);
    cJSON_ArrayForEach(e, arr)
    {
        push_index(ld, i);
        bool ok = load(ld, e, i);
        pop(ld);
        if (!ok) {
            pop(ld);
            return false;
        }
        i++;
    }
    pop(ld);
    return true;
}

static bool load_top(struct loader *ld, const cJSON *root)
{
    static const char *const keys[] = {"netstep", "name",  "description", "seed",
                                       "nodes",   "links", "timeline",    "expect_packets",
                                       "until",   "pki",   NULL};
    struct model *m = ld->m;
    const cJSON *arr;
    const char *s;
    char b[64];
    bool present;
    double d;
    if (!cJSON_IsObject(root))
        return ld_fail(ld,
                       "a scenario is a JSON object {\"netstep\": 1, \"nodes\": [...], ...}, "
                       "got %s",
                       brief(root, b, sizeof b));
    const cJSON *ver = need(ld, root, "netstep",
                            "a scenario starts with \"netstep\": 1 (the format "
                            "version)");
    if (!ver) return false;
    if (!cJSON_IsNumber(ver)) {
        push_key(ld, "netstep");
        fail_type(ld, ver, "the format version as a number, \"netstep\": 1");
        pop(ld);
        return false;
    }
    if (ver->valuedouble != 1)
        return ld_fail_at(ld, "netstep",
                          "unsupported format version %s, this netstep reads "
                          "version 1",
                          brief(ver, b, sizeof b));
    if (!check_keys(ld, root, keys, top_key_hint, NULL)) return false;

    if (!get_str(ld, root, "name", NULL, &s)) return false;
    if (s) m->name = dupstr(s);
    if (!get_str(ld, root, "description", NULL, &s)) return false;
    if (s) m->description = dupstr(s);
    m->seed = 1;
    if (!get_number(ld, root, "seed", true, 0, MAX_SEED, &present, &d)) return false;
    if (present) m->seed = (uint64_t)d;
    m->until = 60 * SIM_S;
    if (!get_duration(ld, root, "until", true, &present, &m->until)) return false;
    if (m->until <= 0) return ld_fail_at(ld, "until", "must be longer than 0s");

    if (!get_array(ld, root, "nodes", "a scenario needs \"nodes\": [...]",
                   "a list of nodes like [{\"name\": \"pc1\", \"type\": \"host\", ...}]", &arr))
        return false;
    int n = cJSON_GetArraySize(arr);
    if (n == 0) return ld_fail_at(ld, "nodes", "a scenario needs at least one node");
    m->nodes = zalloc((size_t)n, sizeof *m->nodes);
    m->n_nodes = n;
    size_t cap = tab_size((size_t)n);
    ld->names.slot = zalloc(cap, sizeof *ld->names.slot);
    ld->names.mask = cap - 1;
    if (!load_each(ld, "nodes", arr, load_node)) return false;

    const cJSON *pki = cJSON_GetObjectItemCaseSensitive(root, "pki");
    if (pki) {
        push_key(ld, "pki");
        bool ok = load_pki(ld, pki);
        pop(ld);
        if (!ok) return false;
    }

    if (!get_array(ld, root, "links", NULL,
                   "a list of links like [{\"a\": \"pc1:eth0\", \"b\": \"sw1:1\"}]", &arr))
        return false;
    if (arr) {
        n = cJSON_GetArraySize(arr);
        m->links = zalloc((size_t)n, sizeof *m->links);
        m->n_links = n;
        cap = tab_size(2 * (size_t)n);
        ld->ends.key = zalloc(cap, sizeof *ld->ends.key);
        ld->ends.val = zalloc(cap, sizeof *ld->ends.val);
        ld->ends.mask = cap - 1;
        if (!load_each(ld, "links", arr, load_link)) return false;
    }

    if (!get_array(ld, root, "timeline", NULL,
                   "a list of entries like [{\"at\": \"1s\", \"node\": \"pc1\", \"run\": "
                   "\"...\"}]",
                   &arr))
        return false;
    if (arr) {
        n = cJSON_GetArraySize(arr);
        m->events = zalloc((size_t)n, sizeof *m->events);
        m->n_events = n;
        if (!load_each(ld, "timeline", arr, load_event)) return false;
    }

    if (!get_array(ld, root, "expect_packets", NULL,
                   "a list of checks like [{\"summary\": \"Echo (ping) reply\", \"min\": 1}]",
                   &arr))
        return false;
    if (arr) {
        n = cJSON_GetArraySize(arr);
        m->pexpects = zalloc((size_t)n, sizeof *m->pexpects);
        m->n_pexpects = n;
        if (!load_each(ld, "expect_packets", arr, load_pexpect)) return false;
    }
    return true;
}

static bool only_space(const char *s, size_t len)
{
    for (size_t i = skip_bom(s, len); i < len; i++)
        if (!isspace((unsigned char)s[i])) return false;
    return true;
}

static struct model *load_text(const char *file_label, const char *text, size_t len,
                               const int *line_map, int n_line_map, struct model_error *err)
{
    const char *file = file_label ? file_label : "(scenario)";
    err->text[0] = '\0';
    if (!text || only_space(text, len)) {
        snprintf(err->text, sizeof err->text,
                 "%s: empty file; a scenario starts with {\"netstep\": 1, ...}", file);
        one_line(err->text);
        return NULL;
    }

    struct syn y = {.s = text, .len = len, .pos = skip_bom(text, len), .line = 1};
    bool ok = syn_value(&y, 0, 0);
    if (ok) {
        syn_ws(&y);
        if (y.pos < len) {
            ok = false;
            y.err_pos = y.pos;
            /* the last non-space byte before the extra text closed the scenario */
            size_t q = y.pos;
            while (q > 0 && isspace((unsigned char)text[q - 1]))
                q--;
            snprintf(y.msg, sizeof y.msg,
                     "extra text after the end of the scenario, which closed on line %d",
                     line_of(text, len, q ? q - 1 : 0));
        }
    }
    if (!ok) {
        snprintf(err->text, sizeof err->text, "%s:%d:%d: JSON syntax error: %s", file,
                 line_of(text, len, y.err_pos), column_of(text, len, y.err_pos), y.msg);
        one_line(err->text);
        free(y.lines);
        return NULL;
    }

    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!root) {
        /* Our check is stricter than cJSON's, so this should not happen. */
        size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        snprintf(err->text, sizeof err->text, "%s:%d:%d: JSON syntax error", file,
                 line_of(text, len, off), column_of(text, len, off));
        free(y.lines);
        return NULL;
    }

    struct loader ld = {.file = file,
                        .text = text,
                        .len = len,
                        .err = err,
                        .line_map = line_map,
                        .n_line_map = n_line_map};
    size_t cap = tab_size(y.n_lines), k = 0;
    ld.lines.item = zalloc(cap, sizeof *ld.lines.item);
    ld.lines.line = zalloc(cap, sizeof *ld.lines.line);
    ld.lines.mask = cap - 1;
    lines_fill(&ld.lines, root, y.lines, y.n_lines, &k);
    free(y.lines);
    if (k != y.n_lines) { /* cannot happen; fall back to scanning by path */
        free(ld.lines.item);
        free(ld.lines.line);
        ld.lines.item = NULL;
        ld.lines.line = NULL;
    }
    ld.m = zalloc(1, sizeof *ld.m);
    ld.m->file = dupstr(file);
    ok = load_top(&ld, root);
    cJSON_Delete(root);
    free(ld.names.slot);
    free(ld.ends.key);
    free(ld.ends.val);
    free(ld.lines.item);
    free(ld.lines.line);
    if (!ok) {
        model_free(ld.m);
        return NULL;
    }
    return ld.m;
}

struct model *model_load_json_text(const char *file_label, const char *text, size_t len,
                                   struct model_error *err)
{
    return load_text(file_label, text, len, NULL, 0, err);
}

struct model *model_load_json_text_mapped(const char *file_label, const char *text, size_t len,
                                          const int *line_map, int n_lines, struct model_error *err)
{
    return load_text(file_label, text, len, line_map, n_lines, err);
}

struct model *model_load_json(const char *path, struct model_error *err)
{
    err->text[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err->text, sizeof err->text, "%s: cannot read: %s", path, strerror(errno));
        one_line(err->text);
        return NULL;
    }
    size_t cap = 65536, len = 0;
    char *buf = zalloc(cap, 1);
    for (;;) {
        if (len == cap) {
            if (cap >= FILE_MAX_BYTES) {
                snprintf(err->text, sizeof err->text,
                         "%s: cannot read: too large for a scenario (more than %u MiB)", path,
                         FILE_MAX_BYTES >> 20);
                one_line(err->text);
                free(buf);
                fclose(f);
                return NULL;
            }
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                fprintf(stderr, "netstep: out of memory\n");
                abort();
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        int e = errno;
        snprintf(err->text, sizeof err->text, "%s: cannot read: %s", path, strerror(e ? e : EIO));
        one_line(err->text);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    struct model *m = model_load_json_text(path, buf, len, err);
    free(buf);
    return m;
}
