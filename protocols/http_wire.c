/* http_wire.c - HTTP/1.1 message syntax. See http_wire.h. */
#include "http_wire.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *http_err_str(int err)
{
    switch (err) {
    case HTTP_OK:
        return "no error";
    case HTTP_E_SYNTAX:
        return "malformed message";
    case HTTP_E_VERSION:
        return "unsupported HTTP version";
    case HTTP_E_LONG:
        return "line or header section too long";
    case HTTP_E_MANY:
        return "too many header fields";
    case HTTP_E_FOLD:
        return "obsolete line folding";
    case HTTP_E_NUL:
        return "NUL byte in a line";
    case HTTP_E_LENGTH:
        return "bad Content-Length";
    case HTTP_E_CODING:
        return "unknown transfer coding";
    case HTTP_E_TRUNCATED:
        return "connection closed inside a message";
    }
    return "unknown error";
}

bool http_is_tchar(int c)
{
    /* RFC 9110 5.6.2: "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" /
     * "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "HTTP/" DIGIT "." DIGIT (RFC 9112 2.3). HTTP_E_SYNTAX when it is not
 * one; the version otherwise (the caller decides what it supports). */
static int version_parse(const char *s, int *major, int *minor)
{
    if (strncmp(s, "HTTP/", 5) != 0) return HTTP_E_SYNTAX;
    if (!is_digit(s[5]) || s[6] != '.' || !is_digit(s[7]) || s[8] != 0) return HTTP_E_SYNTAX;
    *major = s[5] - '0';
    *minor = s[7] - '0';
    return HTTP_OK;
}

/* Splits at runs of spaces and tabs into at most max words; returns the
 * count, or max + 1 when there are more. */
static int split_ws(char *s, char **w, int max)
{
    int n = 0;
    for (;;) {
        while (is_ows(*s))
            *s++ = 0;
        if (!*s) return n;
        if (n == max) return max + 1;
        w[n++] = s;
        while (*s && !is_ows(*s))
            s++;
    }
}

int http_reqline_parse(char *line, size_t len, struct http_reqline *rl)
{
    memset(rl, 0, sizeof *rl);
    if (memchr(line, 0, len)) return HTTP_E_NUL;
    if (len > HTTP_LINE_MAX) return HTTP_E_LONG;
    char *w[3];
    int n = split_ws(line, w, 3);
    if (n < 2 || n > 3) return HTTP_E_SYNTAX;
    size_t ml = strlen(w[0]);
    if (ml > HTTP_METHOD_MAX) return HTTP_E_SYNTAX;
    for (size_t i = 0; i < ml; i++)
        if (!http_is_tchar((unsigned char)w[0][i])) return HTTP_E_SYNTAX;
    /* request-target: URI characters only, no controls, spaces or raw
     * non-ASCII bytes (they must be percent-encoded, RFC 3986 2.1) */
    for (const char *t = w[1]; *t; t++)
        if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f) return HTTP_E_SYNTAX;
    rl->method = w[0];
    rl->target = w[1];
    if (n == 2) {
        /* HTTP/0.9 had GET only, with no version and no header fields */
        if (strcmp(w[0], "GET") != 0) return HTTP_E_SYNTAX;
        rl->http09 = true;
        rl->major = 0;
        rl->minor = 9;
        return HTTP_OK;
    }
    int rc = version_parse(w[2], &rl->major, &rl->minor);
    if (rc) return rc;
    return rl->major == 1 ? HTTP_OK : HTTP_E_VERSION;
}

int http_statusline_parse(char *line, size_t len, struct http_statusline *sl)
{
    memset(sl, 0, sizeof *sl);
    if (memchr(line, 0, len)) return HTTP_E_NUL;
    if (len > HTTP_LINE_MAX) return HTTP_E_LONG;
    char *sp = strchr(line, ' ');
    if (!sp) return HTTP_E_SYNTAX;
    *sp = 0;
    int rc = version_parse(line, &sl->major, &sl->minor);
    if (rc) return rc;
    char *c = sp + 1;
    if (!is_digit(c[0]) || !is_digit(c[1]) || !is_digit(c[2]) || (c[3] != 0 && c[3] != ' '))
        return HTTP_E_SYNTAX;
    sl->code = (c[0] - '0') * 100 + (c[1] - '0') * 10 + (c[2] - '0');
    if (sl->code < 100) return HTTP_E_SYNTAX;
    /* "HTTP/1.1 200" without the SP before an empty reason: accepted, as
     * RFC 9112 4 asks clients to be lenient here */
    sl->reason = c[3] ? c + 4 : c + 3;
    for (const char *r = sl->reason; *r; r++)
        if ((unsigned char)*r < 0x20 && *r != '\t') return HTTP_E_SYNTAX;
    return HTTP_OK;
}

const char *http_reason(int code)
{
    static const struct {
        int code;
        const char *text;
    } t[] = {
        {100, "Continue"},
        {101, "Switching Protocols"},
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {204, "No Content"},
        {206, "Partial Content"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {303, "See Other"},
        {304, "Not Modified"},
        {307, "Temporary Redirect"},
        {308, "Permanent Redirect"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {406, "Not Acceptable"},
        {408, "Request Timeout"},
        {411, "Length Required"},
        {413, "Content Too Large"},
        {414, "URI Too Long"},
        {415, "Unsupported Media Type"},
        {417, "Expectation Failed"},
        {426, "Upgrade Required"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
        {505, "HTTP Version Not Supported"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].code == code) return t[i].text;
    return "Unknown";
}

int http_field_parse(char *line, size_t len, struct http_field *f)
{
    memset(f, 0, sizeof *f);
    if (memchr(line, 0, len)) return HTTP_E_NUL;
    if (len > HTTP_LINE_MAX) return HTTP_E_LONG;
    if (len && is_ows(line[0])) return HTTP_E_FOLD;
    char *colon = memchr(line, ':', len);
    if (!colon || colon == line) return HTTP_E_SYNTAX;
    for (char *p = line; p < colon; p++)
        if (!http_is_tchar((unsigned char)*p)) return HTTP_E_SYNTAX;
    *colon = 0;
    char *v = colon + 1, *end = line + len;
    while (v < end && is_ows(*v))
        v++;
    while (end > v && is_ows(end[-1]))
        end--;
    *end = 0;
    for (const char *p = v; p < end; p++)
        if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f) return HTTP_E_SYNTAX;
    f->name = line;
    f->value = v;
    return HTTP_OK;
}

void http_fields_clear(struct http_fields *h)
{
    h->n = 0;
    h->used = 0;
}

int http_fields_add(struct http_fields *h, const char *name, const char *value)
{
    if (h->n >= HTTP_FIELDS_MAX) return HTTP_E_MANY;
    size_t nl = strlen(name) + 1, vl = strlen(value) + 1;
    if (nl + vl > sizeof h->buf - h->used) return HTTP_E_LONG;
    h->name[h->n] = (uint16_t)h->used;
    memcpy(h->buf + h->used, name, nl);
    h->used += nl;
    h->value[h->n] = (uint16_t)h->used;
    memcpy(h->buf + h->used, value, vl);
    h->used += vl;
    h->n++;
    return HTTP_OK;
}

const char *http_fields_name(const struct http_fields *h, int i)
{
    return h->buf + h->name[i];
}

const char *http_fields_value(const struct http_fields *h, int i)
{
    return h->buf + h->value[i];
}

const char *http_fields_get(const struct http_fields *h, const char *name, int *count)
{
    const char *first = NULL;
    int n = 0;
    for (int i = 0; i < h->n; i++) {
        if (strcasecmp(h->buf + h->name[i], name) != 0) continue;
        if (!n++) first = h->buf + h->value[i];
    }
    if (count) *count = n;
    return first;
}

/* Calls fn on each element of a comma-separated list, trimmed (empty
 * elements skipped, as RFC 9110 5.6.1 asks). Stops when fn returns false;
 * returns false then. */
static bool list_each(const char *v, bool (*fn)(void *ctx, const char *e, size_t n), void *ctx)
{
    while (*v) {
        const char *comma = strchr(v, ',');
        const char *end = comma ? comma : v + strlen(v);
        const char *s = v;
        while (s < end && is_ows(*s))
            s++;
        const char *e = end;
        while (e > s && is_ows(e[-1]))
            e--;
        if (e > s && !fn(ctx, s, (size_t)(e - s))) return false;
        if (!comma) break;
        v = comma + 1;
    }
    return true;
}

struct token_find {
    const char *token;
    bool found;
};

static bool token_eq(void *ctx, const char *e, size_t n)
{
    struct token_find *t = ctx;
    if (strlen(t->token) == n && strncasecmp(e, t->token, n) == 0) {
        t->found = true;
        return false;
    }
    return true;
}

bool http_fields_has_token(const struct http_fields *h, const char *name, const char *token)
{
    struct token_find t = {token, false};
    for (int i = 0; i < h->n && !t.found; i++)
        if (strcasecmp(h->buf + h->name[i], name) == 0)
            list_each(h->buf + h->value[i], token_eq, &t);
    return t.found;
}

struct cl_state {
    bool seen, bad;
    uint64_t v;
};

static bool cl_elem(void *ctx, const char *e, size_t n)
{
    struct cl_state *s = ctx;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(e[i]) || v > (UINT64_C(1) << 53) / 10) {
            s->bad = true;
            return false;
        }
        v = v * 10 + (uint64_t)(e[i] - '0');
    }
    if (v > (UINT64_C(1) << 53) || (s->seen && v != s->v)) {
        s->bad = true;
        return false;
    }
    s->seen = true;
    s->v = v;
    return true;
}

int http_content_length_parse(const char *v, uint64_t *out)
{
    struct cl_state s = {0};
    list_each(v, cl_elem, &s);
    if (s.bad || !s.seen) return HTTP_E_LENGTH;
    *out = s.v;
    return HTTP_OK;
}

struct te_state {
    int n;        /* codings seen */
    bool chunked; /* the last one seen is chunked */
    int err;
};

static bool te_elem(void *ctx, const char *e, size_t n)
{
    struct te_state *s = ctx;
    /* a coding may carry parameters: "chunked;x=y" is still chunked */
    size_t k = 0;
    while (k < n && e[k] != ';' && !is_ows(e[k]))
        k++;
    bool is_chunked = k == 7 && strncasecmp(e, "chunked", 7) == 0;
    if (s->chunked) {
        /* RFC 9112 6.1: chunked is applied once, and last */
        s->err = is_chunked ? HTTP_E_SYNTAX : HTTP_E_CODING;
        return false;
    }
    if (!is_chunked) {
        s->err = HTTP_E_CODING;
        return false;
    }
    s->chunked = true;
    s->n++;
    return true;
}

int http_transfer_encoding_parse(const struct http_fields *h, bool *chunked)
{
    struct te_state s = {0};
    *chunked = false;
    for (int i = 0; i < h->n && !s.err; i++)
        if (strcasecmp(h->buf + h->name[i], "Transfer-Encoding") == 0)
            list_each(h->buf + h->value[i], te_elem, &s);
    if (s.err) return s.err;
    *chunked = s.chunked;
    return HTTP_OK;
}

/* ---- chunked ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int http_chunk_size_parse(const char *line, size_t len, uint64_t *size)
{
    size_t i = 0;
    uint64_t v = 0;
    while (i < len && hexval(line[i]) >= 0) {
        if (i == HTTP_CHUNK_DIGITS) return HTTP_E_LONG;
        v = v << 4 | (uint64_t)hexval(line[i]);
        i++;
    }
    if (i == 0) return HTTP_E_SYNTAX;
    while (i < len && is_ows(line[i]))
        i++;
    /* chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ):
     * read past, never used */
    if (i < len && line[i] != ';') return HTTP_E_SYNTAX;
    for (; i < len; i++)
        if (((unsigned char)line[i] < 0x20 && line[i] != '\t') || line[i] == 0x7f)
            return HTTP_E_SYNTAX;
    *size = v;
    return HTTP_OK;
}

size_t http_chunk_head(char *buf, uint64_t n)
{
    int w = snprintf(buf, 20, "%llx\r\n", (unsigned long long)n);
    return w > 0 ? (size_t)w : 0;
}

size_t http_chunked_encode(const uint8_t *data, size_t len, size_t chunk, uint8_t *out, size_t cap)
{
    size_t o = 0;
    char head[20];
    if (!chunk) chunk = len ? len : 1;
    for (size_t at = 0; at < len; at += chunk) {
        size_t k = len - at < chunk ? len - at : chunk;
        size_t hl = http_chunk_head(head, k);
        if (o + hl + k + 2 <= cap) {
            memcpy(out + o, head, hl);
            memcpy(out + o + hl, data + at, k);
            memcpy(out + o + hl + k, "\r\n", 2);
        }
        o += hl + k + 2;
    }
    if (o + 5 <= cap) memcpy(out + o, HTTP_CHUNK_LAST, 5);
    return o + 5;
}

enum {
    CH_SIZE,    /* gathering a chunk-size line */
    CH_DATA,    /* chunk data */
    CH_DATA_CR, /* the CRLF after chunk data */
    CH_DATA_LF,
    CH_TRAILER, /* trailer field lines, until an empty one */
    CH_DONE,
    CH_FAILED,
};

#define CH_EXT_MAX 4096 /* chunk-extension bytes read past per line */

void http_chunked_init(struct http_chunked *d)
{
    memset(d, 0, sizeof *d);
    d->state = CH_SIZE;
}

bool http_chunked_done(const struct http_chunked *d)
{
    return d->state == CH_DONE;
}

static int ch_fail(struct http_chunked *d, int err)
{
    d->state = CH_FAILED;
    return err;
}

int http_chunked_feed(struct http_chunked *d, const uint8_t *in, size_t len, size_t *used,
                      http_data_fn out, void *ctx)
{
    size_t i = 0;
    *used = 0;
    if (d->state == CH_FAILED) return HTTP_E_SYNTAX;
    while (i < len && d->state != CH_DONE) {
        uint8_t c = in[i];
        switch (d->state) {
        case CH_SIZE:
            i++;
            if (c == '\n') {
                size_t n = d->line_len;
                if (n && d->line[n - 1] == '\r') n--;
                uint64_t size;
                int rc = http_chunk_size_parse(d->line, n, &size);
                if (rc) return ch_fail(d, rc);
                d->line_len = d->ext_len = 0;
                d->left = size;
                d->state = size ? CH_DATA : CH_TRAILER;
            } else if (d->line_len < sizeof d->line - 1) {
                d->line[d->line_len++] = (char)c;
            } else if (memchr(d->line, ';', d->line_len)) {
                /* a long extension: kept to its first bytes, the rest read
                 * past (its last byte stays, so a CR before LF is seen) */
                if (++d->ext_len > CH_EXT_MAX) return ch_fail(d, HTTP_E_LONG);
                if (c < 0x20 && c != '\t' && c != '\r') return ch_fail(d, HTTP_E_SYNTAX);
                d->line[d->line_len - 1] = (char)c;
            } else {
                return ch_fail(d, HTTP_E_LONG);
            }
            break;
        case CH_DATA: {
            size_t k = len - i;
            if (k > d->left) k = (size_t)d->left;
            if (out) out(ctx, in + i, k);
            d->left -= k;
            d->total += k;
            i += k;
            if (!d->left) d->state = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR:
            i++;
            if (c == '\r')
                d->state = CH_DATA_LF;
            else if (c == '\n') /* a bare LF: accepted, as for every line here */
                d->state = CH_SIZE;
            else
                return ch_fail(d, HTTP_E_SYNTAX);
            break;
        case CH_DATA_LF:
            i++;
            if (c != '\n') return ch_fail(d, HTTP_E_SYNTAX);
            d->state = CH_SIZE;
            break;
        case CH_TRAILER:
            i++;
            if (c == '\n') {
                bool empty = d->line_len == 0 || (d->line_len == 1 && d->line[0] == '\r');
                d->line_len = 0;
                if (empty) d->state = CH_DONE;
            } else {
                if (++d->trailer_len > HTTP_TRAILER_MAX) return ch_fail(d, HTTP_E_LONG);
                if (d->line_len < sizeof d->line - 1) d->line[d->line_len] = (char)c;
                d->line_len++;
            }
            break;
        }
    }
    *used = i;
    return HTTP_OK;
}

/* ---- responses ---- */

enum {
    RS_STATUS,
    RS_FIELDS,
    RS_BODY_LEN,
    RS_BODY_CHUNKED,
    RS_BODY_CLOSE,
    RS_DONE,
    RS_FAILED,
};

void http_resp_init(struct http_resp_parser *p, const char *method)
{
    p->state = RS_STATUS;
    p->head_request = method && strcmp(method, "HEAD") == 0;
    p->err = HTTP_OK;
    p->line_len = 0;
    p->status_raw[0] = 0;
    http_fields_clear(&p->fields);
    p->left = 0;
    p->body_bytes = 0;
}

bool http_resp_idle(const struct http_resp_parser *p)
{
    return p->state == RS_STATUS && p->line_len == 0 && p->status_raw[0] == 0;
}

static int rs_fail(struct http_resp_parser *p, int err)
{
    p->state = RS_FAILED;
    p->err = err;
    return err;
}

struct rs_sink {
    struct http_resp_parser *p;
    const struct http_resp_cb *cb;
    void *ctx;
};

static void rs_body(void *ctx, const uint8_t *data, size_t len)
{
    struct rs_sink *s = ctx;
    s->p->body_bytes += len;
    if (s->cb->body && len) s->cb->body(s->ctx, data, len);
}

static void rs_done(struct http_resp_parser *p, const struct http_resp_cb *cb, void *ctx)
{
    p->state = RS_DONE;
    if (cb->done) cb->done(ctx);
}

/* The head is complete: how long is the body (RFC 9112 6.3)? */
static int rs_head_end(struct http_resp_parser *p, const struct http_resp_cb *cb, void *ctx)
{
    struct http_resp_head *h = &p->head;
    memset(h, 0, sizeof *h);
    h->status = &p->status;
    h->status_line = p->status_raw;
    h->fields = &p->fields;
    int code = p->status.code;
    if (code < 200) {
        /* an interim response: the final one follows (101 ends HTTP) */
        h->no_body = true;
        if (cb->head) cb->head(ctx, h);
        if (code == 101) {
            rs_done(p, cb, ctx);
            return HTTP_OK;
        }
        p->state = RS_STATUS;
        http_fields_clear(&p->fields);
        return HTTP_OK;
    }
    bool chunked = false;
    int te_lines = 0;
    http_fields_get(&p->fields, "Transfer-Encoding", &te_lines);
    int rc = http_transfer_encoding_parse(&p->fields, &chunked);
    const char *cl = http_fields_get(&p->fields, "Content-Length", NULL);
    if (p->head_request || code == 204 || code == 304) {
        h->no_body = true;
    } else if (te_lines) {
        if (rc == HTTP_E_SYNTAX) return rs_fail(p, rc);
        /* a coding this client cannot undo: read to the close, undecoded */
        h->chunked = chunked;
        h->until_close = !chunked;
    } else if (cl) {
        if (http_content_length_parse(cl, &h->content_length)) return rs_fail(p, HTTP_E_LENGTH);
        h->has_length = true;
    } else {
        h->until_close = true;
    }
    if (cb->head) cb->head(ctx, h);
    if (p->state == RS_FAILED) return p->err;
    if (h->no_body || (h->has_length && h->content_length == 0)) {
        rs_done(p, cb, ctx);
    } else if (h->chunked) {
        http_chunked_init(&p->chunk);
        p->state = RS_BODY_CHUNKED;
    } else if (h->has_length) {
        p->left = h->content_length;
        p->state = RS_BODY_LEN;
    } else {
        p->state = RS_BODY_CLOSE;
    }
    return HTTP_OK;
}

static int rs_line(struct http_resp_parser *p, const struct http_resp_cb *cb, void *ctx)
{
    size_t n = p->line_len;
    if (n && p->line[n - 1] == '\r') n--;
    p->line[n] = 0;
    p->line_len = 0;
    if (p->state == RS_STATUS) {
        memcpy(p->status_raw, p->line, n + 1);
        int rc = http_statusline_parse(p->line, n, &p->status);
        if (rc) return rs_fail(p, rc);
        /* the reason points into line, which the next line overwrites */
        p->status.reason = p->status_raw + (p->status.reason - p->line);
        p->state = RS_FIELDS;
        return HTTP_OK;
    }
    if (n == 0) return rs_head_end(p, cb, ctx);
    struct http_field f;
    int rc = http_field_parse(p->line, n, &f);
    if (rc) return rs_fail(p, rc);
    rc = http_fields_add(&p->fields, f.name, f.value);
    return rc ? rs_fail(p, rc) : HTTP_OK;
}

int http_resp_feed(struct http_resp_parser *p, const uint8_t *in, size_t len, size_t *used,
                   const struct http_resp_cb *cb, void *ctx)
{
    size_t i = 0;
    *used = 0;
    if (p->state == RS_FAILED) return p->err;
    while (i < len && p->state != RS_DONE && p->state != RS_FAILED) {
        switch (p->state) {
        case RS_STATUS:
        case RS_FIELDS: {
            uint8_t c = in[i++];
            if (c == '\n') {
                int rc = rs_line(p, cb, ctx);
                if (rc) return rc;
                break;
            }
            if (p->line_len == HTTP_LINE_MAX) return rs_fail(p, HTTP_E_LONG);
            p->line[p->line_len++] = (char)c;
            /* an answer that does not open with "HTTP/" has no status line:
             * HTTP/0.9 or not HTTP at all */
            if (p->state == RS_STATUS && p->line_len <= 5 &&
                p->line[p->line_len - 1] != "HTTP/"[p->line_len - 1])
                return rs_fail(p, HTTP_E_SYNTAX);
            break;
        }
        case RS_BODY_LEN: {
            size_t k = len - i;
            if (k > p->left) k = (size_t)p->left;
            struct rs_sink s = {p, cb, ctx};
            rs_body(&s, in + i, k);
            i += k;
            p->left -= k;
            if (!p->left) rs_done(p, cb, ctx);
            break;
        }
        case RS_BODY_CHUNKED: {
            struct rs_sink s = {p, cb, ctx};
            size_t k;
            int rc = http_chunked_feed(&p->chunk, in + i, len - i, &k, rs_body, &s);
            if (rc) return rs_fail(p, rc);
            i += k;
            if (http_chunked_done(&p->chunk)) rs_done(p, cb, ctx);
            break;
        }
        case RS_BODY_CLOSE: {
            struct rs_sink s = {p, cb, ctx};
            rs_body(&s, in + i, len - i);
            i = len;
            break;
        }
        }
    }
    *used = i;
    return p->state == RS_FAILED ? p->err : HTTP_OK;
}

int http_resp_eof(struct http_resp_parser *p, const struct http_resp_cb *cb, void *ctx)
{
    switch (p->state) {
    case RS_BODY_CLOSE:
        rs_done(p, cb, ctx);
        return HTTP_OK;
    case RS_DONE:
        return HTTP_OK;
    case RS_FAILED:
        return p->err;
    case RS_STATUS:
        if (http_resp_idle(p)) return HTTP_OK;
        break;
    }
    return rs_fail(p, HTTP_E_TRUNCATED);
}

/* ---- dates ---- */

char *http_date(int64_t t, char *buf)
{
    static const char *const wday[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (t < 0) t = 0;
    int64_t days = t / 86400, secs = t % 86400;
    /* civil from days (H. Hinnant's algorithm), for days >= 0 */
    int64_t z = days + 719468;
    int64_t era = z / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) y++;
    snprintf(buf, 30, "%s, %02d %s %04d %02d:%02d:%02d GMT", wday[(days + 4) % 7], (int)d,
             mon[m - 1], (int)(y % 10000), (int)(secs / 3600), (int)(secs / 60 % 60),
             (int)(secs % 60));
    return buf;
}
