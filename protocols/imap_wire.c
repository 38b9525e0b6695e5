/* imap_wire.c - IMAP tokens, sequence sets and string output. See
 * imap_wire.h. */
#include "imap_wire.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void imap_parser_init(struct imap_parser *ps, const char *p, size_t len)
{
    ps->p = p;
    ps->len = len;
    ps->pos = 0;
}

bool imap_at_end(const struct imap_parser *ps)
{
    return ps->pos >= ps->len;
}

char imap_peek(const struct imap_parser *ps)
{
    return ps->pos < ps->len ? ps->p[ps->pos] : 0;
}

bool imap_accept(struct imap_parser *ps, char c)
{
    if (ps->pos < ps->len && ps->p[ps->pos] == c) {
        ps->pos++;
        return true;
    }
    return false;
}

bool imap_sp(struct imap_parser *ps)
{
    return imap_accept(ps, ' ');
}

bool imap_is_atom_char(char c)
{
    unsigned char u = (unsigned char)c;
    /* atom-specials: "(" ")" "{" SP CTL list-wildcards quoted-specials "]" */
    return u > 0x20 && u < 0x7f && !strchr("(){%*\"\\]", c);
}

bool imap_read_tag(struct imap_parser *ps, char *out, size_t cap)
{
    size_t i = ps->pos, k = 0;
    while (i < ps->len && (imap_is_atom_char(ps->p[i]) || ps->p[i] == ']') && ps->p[i] != '+') {
        if (k + 1 >= cap) return false;
        out[k++] = ps->p[i++];
    }
    if (k == 0) return false;
    out[k] = 0;
    ps->pos = i;
    return true;
}

bool imap_read_atom(struct imap_parser *ps, char *out, size_t cap, bool astring)
{
    size_t i = ps->pos, k = 0;
    while (i < ps->len && (imap_is_atom_char(ps->p[i]) || (astring && ps->p[i] == ']'))) {
        if (k + 1 >= cap) return false;
        out[k++] = ps->p[i++];
    }
    if (k == 0) return false;
    out[k] = 0;
    ps->pos = i;
    return true;
}

bool imap_line_literal(const char *line, size_t len, uint64_t *n, bool *nonsync)
{
    if (len < 3 || line[len - 1] != '}') return false;
    size_t e = len - 1;
    *nonsync = e > 0 && line[e - 1] == '+';
    if (*nonsync) e--;
    size_t b = e;
    while (b > 0 && isdigit((unsigned char)line[b - 1]))
        b--;
    if (b == e || b == 0 || line[b - 1] != '{' || e - b > 10) return false;
    uint64_t v = 0;
    for (size_t i = b; i < e; i++)
        v = v * 10 + (uint64_t)(line[i] - '0');
    *n = v;
    return true;
}

/* "{n}" or "{n+}" CRLF then n bytes, at pos. */
static bool read_literal(struct imap_parser *ps, const char **out, size_t *n)
{
    size_t i = ps->pos;
    if (i >= ps->len || ps->p[i] != '{') return false;
    i++;
    uint64_t v = 0;
    size_t d = 0;
    while (i < ps->len && isdigit((unsigned char)ps->p[i]) && d < 10) {
        v = v * 10 + (uint64_t)(ps->p[i++] - '0');
        d++;
    }
    if (d == 0) return false;
    if (i < ps->len && ps->p[i] == '+') i++;
    if (i >= ps->len || ps->p[i] != '}') return false;
    i++;
    if (i + 2 > ps->len || ps->p[i] != '\r' || ps->p[i + 1] != '\n') return false;
    i += 2;
    if (v > ps->len - i) return false;
    *out = ps->p + i;
    *n = (size_t)v;
    ps->pos = i + (size_t)v;
    return true;
}

bool imap_read_string(struct imap_parser *ps, char *buf, size_t cap, const char **out, size_t *n)
{
    if (imap_peek(ps) == '{') return read_literal(ps, out, n);
    if (imap_peek(ps) != '"') return false;
    size_t i = ps->pos + 1, k = 0;
    while (i < ps->len && ps->p[i] != '"') {
        char c = ps->p[i];
        if (c == '\r' || c == '\n') return false;
        if (c == '\\') {
            if (i + 1 >= ps->len || (ps->p[i + 1] != '"' && ps->p[i + 1] != '\\')) return false;
            c = ps->p[++i];
        }
        if (k + 1 >= cap) return false;
        buf[k++] = c;
        i++;
    }
    if (i >= ps->len) return false;
    buf[k] = 0;
    *out = buf;
    *n = k;
    ps->pos = i + 1;
    return true;
}

bool imap_read_astring(struct imap_parser *ps, char *buf, size_t cap)
{
    char c = imap_peek(ps);
    if (c != '"' && c != '{') return imap_read_atom(ps, buf, cap, true);
    size_t start = ps->pos;
    const char *s;
    size_t n;
    if (!imap_read_string(ps, buf, cap, &s, &n)) return false;
    if (n >= cap || memchr(s, 0, n)) {
        ps->pos = start;
        return false;
    }
    if (s != buf) memcpy(buf, s, n);
    buf[n] = 0;
    return true;
}

bool imap_read_number(struct imap_parser *ps, uint32_t *out)
{
    size_t i = ps->pos;
    uint64_t v = 0;
    while (i < ps->len && isdigit((unsigned char)ps->p[i])) {
        v = v * 10 + (uint64_t)(ps->p[i++] - '0');
        if (v > UINT32_MAX) return false;
    }
    if (i == ps->pos) return false;
    *out = (uint32_t)v;
    ps->pos = i;
    return true;
}

/* seq-number: nz-number or '*' (kept as 0). */
static bool read_seq_number(struct imap_parser *ps, uint32_t *out)
{
    if (imap_accept(ps, '*')) {
        *out = 0;
        return true;
    }
    size_t at = ps->pos;
    if (!imap_read_number(ps, out)) return false;
    if (*out == 0) {
        ps->pos = at;
        return false;
    }
    return true;
}

bool imap_read_seqset(struct imap_parser *ps, struct imap_seqset *out)
{
    size_t start = ps->pos;
    out->n = 0;
    do {
        struct imap_range r;
        if (out->n == IMAP_SEQ_MAX || !read_seq_number(ps, &r.lo)) {
            ps->pos = start;
            return false;
        }
        r.hi = r.lo;
        if (imap_accept(ps, ':') && !read_seq_number(ps, &r.hi)) {
            ps->pos = start;
            return false;
        }
        out->r[out->n++] = r;
    } while (imap_accept(ps, ','));
    return true;
}

void imap_seq_resolve(struct imap_seqset *s, uint32_t star)
{
    for (uint32_t i = 0; i < s->n; i++) {
        struct imap_range *r = &s->r[i];
        if (r->lo == 0) r->lo = star;
        if (r->hi == 0) r->hi = star;
        if (r->lo > r->hi) {
            uint32_t t = r->lo;
            r->lo = r->hi;
            r->hi = t;
        }
    }
}

bool imap_seq_contains(const struct imap_seqset *s, uint32_t v)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (v >= s->r[i].lo && v <= s->r[i].hi) return true;
    return false;
}

uint32_t imap_seq_max(const struct imap_seqset *s)
{
    uint32_t m = 0;
    for (uint32_t i = 0; i < s->n; i++)
        if (s->r[i].hi > m) m = s->r[i].hi;
    return m;
}

/* ---- output ---- */

void imap_put_literal(struct mail_buf *b, const char *s, size_t n)
{
    mbuf_printf(b, "{%zu}\r\n", n);
    mbuf_put(b, s, n);
}

static bool quotable(const char *s, size_t n)
{
    if (n > 1024) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n' || c == 0 || c >= 0x80) return false;
    }
    return true;
}

static void put_quoted(struct mail_buf *b, const char *s, size_t n)
{
    mbuf_put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\') mbuf_put(b, "\\", 1);
        mbuf_put(b, s + i, 1);
    }
    mbuf_put(b, "\"", 1);
}

void imap_put_astring(struct mail_buf *b, const char *s, size_t n)
{
    bool atom = n > 0 && !(n == 3 && !strncasecmp(s, "NIL", 3));
    for (size_t i = 0; i < n && atom; i++)
        atom = imap_is_atom_char(s[i]) || s[i] == ']';
    if (atom)
        mbuf_put(b, s, n);
    else if (quotable(s, n))
        put_quoted(b, s, n);
    else
        imap_put_literal(b, s, n);
}

void imap_put_nstring(struct mail_buf *b, const char *s, size_t n)
{
    if (!s)
        mbuf_puts(b, "NIL");
    else if (quotable(s, n))
        put_quoted(b, s, n);
    else
        imap_put_literal(b, s, n);
}

bool imap_resp_parse(const char *line, size_t len, char *tag, size_t tcap, char *status,
                     size_t scap)
{
    struct imap_parser ps;
    imap_parser_init(&ps, line, len);
    if (tcap) tag[0] = 0;
    if (scap) status[0] = 0;
    if (imap_accept(&ps, '*') || imap_accept(&ps, '+')) {
        if (tcap > 1) {
            tag[0] = line[0];
            tag[1] = 0;
        }
        if (line[0] == '+') return true;
    } else if (!imap_read_tag(&ps, tag, tcap)) {
        return false;
    }
    if (!imap_sp(&ps)) return line[0] == '+';
    char word[16];
    if (imap_read_atom(&ps, word, sizeof word, false)) {
        static const char *const st[] = {"OK", "NO", "BAD", "PREAUTH", "BYE"};
        for (size_t i = 0; i < sizeof st / sizeof st[0]; i++)
            if (!strcasecmp(word, st[i]) && scap) snprintf(status, scap, "%s", st[i]);
    }
    return true;
}
