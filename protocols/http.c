/* http.c - the HTTP/1.1 server: the site's files, reading a request line
 * by line, deciding the answer, writing it, and the front end on TCP port
 * 80 (one textconn per connection, an idle timer, a trace step with a why
 * for every answer). See http.h for the rules it follows. */
#include "http.h"
#include "tcp.h"
#include "textconn.h"
#include "tls.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void *xalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) abort();
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xalloc(n);
    memcpy(d, s, n);
    return d;
}

/* ---- the site ---- */

static struct http_file *site_grow(struct http_site *s)
{
    if (s->n_files == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        struct http_file *f = realloc(s->files, (size_t)s->cap * sizeof *f);
        if (!f) abort();
        s->files = f;
    }
    struct http_file *f = &s->files[s->n_files++];
    memset(f, 0, sizeof *f);
    return f;
}

void http_site_add(struct http_site *s, const char *path, const void *data, size_t len,
                   const char *type, bool chunked)
{
    struct http_file *f = site_grow(s);
    f->path = xstrdup(path);
    f->data = xalloc(len);
    if (len) memcpy(f->data, data, len);
    f->len = len;
    f->type = type ? xstrdup(type) : NULL;
    f->chunked = chunked;
}

void http_fill_text(uint8_t *buf, size_t n)
{
    /* 64-byte lines: a 7-digit line number, a space, 55 letters starting
     * one further along the alphabet on each line, a newline */
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    char line[65];
    for (size_t at = 0; at < n; at += 64) {
        size_t k = at / 64;
        snprintf(line, sizeof line, "%07zu ", (k + 1) % 10000000);
        for (size_t i = 0; i < 55; i++)
            line[8 + i] = abc[(k + i) % 62];
        line[63] = '\n';
        size_t m = n - at < 64 ? n - at : 64;
        memcpy(buf + at, line, m);
    }
}

void http_site_add_sized(struct http_site *s, const char *path, size_t n, const char *type,
                         bool chunked)
{
    struct http_file *f = site_grow(s);
    f->path = xstrdup(path);
    f->data = xalloc(n);
    http_fill_text(f->data, n);
    f->len = n;
    f->type = type ? xstrdup(type) : NULL;
    f->chunked = chunked;
}

static int file_cmp(const void *a, const void *b)
{
    return strcmp(((const struct http_file *)a)->path, ((const struct http_file *)b)->path);
}

void http_site_finish(struct http_site *s)
{
    if (s->n_files > 1) qsort(s->files, (size_t)s->n_files, sizeof *s->files, file_cmp);
}

void http_site_free(struct http_site *s)
{
    for (int i = 0; i < s->n_files; i++) {
        free(s->files[i].path);
        free(s->files[i].data);
        free(s->files[i].type);
    }
    free(s->files);
    memset(s, 0, sizeof *s);
}

/* The first file whose path is >= key. */
static int site_lower(const struct http_site *s, const char *key)
{
    int lo = 0, hi = s->n_files;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (strcmp(s->files[mid].path, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct http_file *http_site_find(const struct http_site *s, const char *path)
{
    int i = site_lower(s, path);
    return i < s->n_files && strcmp(s->files[i].path, path) == 0 ? &s->files[i] : NULL;
}

bool http_site_has_dir(const struct http_site *s, const char *dir)
{
    int i = site_lower(s, dir);
    return i < s->n_files && strncmp(s->files[i].path, dir, strlen(dir)) == 0;
}

const char *http_content_type(const char *path)
{
    /* nginx's mime.types for the common ones */
    static const struct {
        const char *ext, *type;
    } t[] = {
        {"html", "text/html"},
        {"htm", "text/html"},
        {"txt", "text/plain"},
        {"css", "text/css"},
        {"js", "application/javascript"},
        {"json", "application/json"},
        {"xml", "text/xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"svg", "image/svg+xml"},
        {"ico", "image/x-icon"},
        {"pdf", "application/pdf"},
        {"zip", "application/zip"},
        {"gz", "application/gzip"},
        {"bin", "application/octet-stream"},
    };
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
            if (strcasecmp(dot + 1, t[i].ext) == 0) return t[i].type;
    return "application/octet-stream";
}

static bool path_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

const char *http_path_check(const char *path)
{
    size_t n = strlen(path);
    if (path[0] != '/') return "a path starts with \"/\"";
    if (n > HTTP_PATH_MAX) return "a path is at most 1024 characters";
    if (n == 1 || path[n - 1] == '/')
        return "a file's path cannot end with \"/\" (that is a directory: \"/docs/index.html\" "
               "is what \"/docs/\" serves)";
    for (const char *seg = path + 1; *seg;) {
        const char *end = strchr(seg, '/');
        size_t k = end ? (size_t)(end - seg) : strlen(seg);
        if (k == 0) return "a path has no empty segment (\"//\")";
        if ((k == 1 && seg[0] == '.') || (k == 2 && seg[0] == '.' && seg[1] == '.'))
            return "a path has no \".\" or \"..\" segment";
        for (size_t i = 0; i < k; i++)
            if (!path_char(seg[i]))
                return "a path holds letters, digits, '-', '.', '_' and '~' between its "
                       "slashes";
        seg += k + (end ? 1 : 0);
    }
    return NULL;
}

/* ---- reading a request ---- */

enum {
    RQ_START,      /* before the request line (empty lines are skipped) */
    RQ_FIELDS,     /* field lines, until an empty one */
    RQ_BODY,       /* Content-Length bytes */
    RQ_CHUNK_SIZE, /* a chunk-size line */
    RQ_CHUNK_DATA, /* its bytes */
    RQ_CHUNK_END,  /* the CRLF after them */
    RQ_TRAILER,    /* trailer lines, until an empty one */
    RQ_DONE,       /* complete, or failed: answer */
};

void http_req_init(struct http_req *r)
{
    r->state = RQ_START;
    r->method[0] = r->target[0] = 0;
    r->major = r->minor = 0;
    r->http09 = false;
    http_fields_clear(&r->fields);
    r->error = 0;
    r->error_why[0] = 0;
    r->chunked = false;
    r->left = r->body = r->want = 0;
    r->trailers = 0;
}

bool http_req_idle(const struct http_req *r)
{
    return r->state == RQ_START;
}

static enum http_next req_fail(struct http_req *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum http_next req_fail(struct http_req *r, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error_why, sizeof r->error_why, fmt, ap);
    va_end(ap);
    r->error = status;
    r->state = RQ_DONE;
    return HTTP_NEXT_REPLY;
}

static enum http_next req_done(struct http_req *r)
{
    r->state = RQ_DONE;
    return HTTP_NEXT_REPLY;
}

static bool host_value_ok(const char *v)
{
    /* uri-host [ ":" port ]: reg-name, IPv4 or [IPv6] characters only */
    for (; *v; v++)
        if (!path_char(*v) && !strchr("!$&'()*+,;=:%[]", *v)) return false;
    return true;
}

/* The empty line after the fields: is there a body, and how long? */
static enum http_next req_head_end(struct http_req *r)
{
    int hosts;
    const char *host = http_fields_get(&r->fields, "Host", &hosts);
    /* RFC 9112 3.2: "A server MUST respond with a 400 (Bad Request) status
     * code to any HTTP/1.1 request message that lacks a Host header field
     * and to any request message that contains more than one Host header
     * field line or a Host header field with an invalid field value." */
    if (hosts > 1)
        return req_fail(r, 400, "the request has %d Host fields, where one is allowed", hosts);
    if (!hosts && r->minor >= 1)
        return req_fail(r, 400,
                        "an HTTP/1.1 request must name the server it is for in a Host field, "
                        "and this one has none");
    if (host && !host_value_ok(host))
        return req_fail(r, 400, "the Host field is not a host name with an optional port");
    int te_lines;
    http_fields_get(&r->fields, "Transfer-Encoding", &te_lines);
    const char *cl = http_fields_get(&r->fields, "Content-Length", NULL);
    if (te_lines && cl)
        /* RFC 9112 6.1: such a message "ought to be handled as an error",
         * since two readers may disagree on where it ends (smuggling) */
        return req_fail(r, 400,
                        "the request has both Content-Length and Transfer-Encoding, so "
                        "where its body ends is ambiguous");
    if (te_lines) {
        int rc = http_transfer_encoding_parse(&r->fields, &r->chunked);
        if (rc == HTTP_E_CODING)
            return req_fail(r, 501,
                            "the request body uses a transfer coding other than chunked, "
                            "which this server cannot decode");
        if (rc)
            return req_fail(r, 400, "the Transfer-Encoding field applies chunked more than once");
        r->state = RQ_CHUNK_SIZE;
        return HTTP_NEXT_WAIT;
    }
    if (cl) {
        uint64_t n;
        if (http_content_length_parse(cl, &n))
            return req_fail(r, 400, "Content-Length \"%.40s\" is not a number of bytes", cl);
        if (n > HTTP_BODY_MAX)
            return req_fail(r, 413,
                            "the body would be %llu bytes, more than the 1 MiB this "
                            "server reads",
                            (unsigned long long)n);
        if (n) {
            r->left = r->want = n;
            r->state = RQ_BODY;
            return HTTP_NEXT_BYTES;
        }
    }
    return req_done(r);
}

enum http_next http_req_line(struct http_req *r, char *line, size_t len, bool overlong)
{
    struct http_reqline rl;
    struct http_field f;
    uint64_t size;
    int rc;
    switch (r->state) {
    case RQ_START:
        /* RFC 9112 2.2: a server "SHOULD ignore at least one empty line
         * (CRLF) received prior to the request-line" */
        if (len == 0 && !overlong) return HTTP_NEXT_WAIT;
        if (overlong)
            return req_fail(r, 414,
                            "the request line is longer than the %d bytes this server "
                            "reads",
                            HTTP_LINE_MAX);
        rc = http_reqline_parse(line, len, &rl);
        if (rl.method) snprintf(r->method, sizeof r->method, "%s", rl.method);
        if (rl.target) snprintf(r->target, sizeof r->target, "%s", rl.target);
        r->major = rl.major;
        r->minor = rl.minor;
        r->http09 = rl.http09;
        if (rc == HTTP_E_LONG)
            return req_fail(r, 414,
                            "the request line is longer than the %d bytes this server "
                            "reads",
                            HTTP_LINE_MAX);
        if (rc == HTTP_E_VERSION)
            return req_fail(r, 505,
                            "the request is in HTTP/%d.%d, and this server speaks "
                            "HTTP/1.0 and HTTP/1.1",
                            rl.major, rl.minor);
        if (rc)
            return req_fail(r, 400,
                            "the request line is not METHOD TARGET HTTP/1.1 (three "
                            "words, the version in capitals)");
        if (r->http09) return req_done(r);
        r->state = RQ_FIELDS;
        return HTTP_NEXT_WAIT;
    case RQ_FIELDS:
        if (overlong)
            return req_fail(r, 431,
                            "a header field line is longer than the %d bytes this "
                            "server reads",
                            HTTP_LINE_MAX);
        if (len == 0) return req_head_end(r);
        rc = http_field_parse(line, len, &f);
        if (rc == HTTP_E_LONG)
            return req_fail(r, 431,
                            "a header field line is longer than the %d bytes this "
                            "server reads",
                            HTTP_LINE_MAX);
        if (rc == HTTP_E_FOLD)
            return req_fail(r, 400,
                            "a field line starts with whitespace (obsolete line folding, "
                            "which RFC 9112 5.2 lets servers reject)");
        if (rc)
            return req_fail(r, 400,
                            "a field line is not \"Name: value\" (a token, then a colon "
                            "with no space before it)");
        rc = http_fields_add(&r->fields, f.name, f.value);
        if (rc == HTTP_E_MANY)
            return req_fail(r, 431, "the request has more than %d header fields", HTTP_FIELDS_MAX);
        if (rc)
            return req_fail(r, 431,
                            "the header fields are larger than the %d bytes this server "
                            "keeps",
                            HTTP_FIELD_BYTES);
        return HTTP_NEXT_WAIT;
    case RQ_CHUNK_SIZE:
        if (overlong || http_chunk_size_parse(line, len, &size))
            return req_fail(r, 400, "a chunk of the body does not start with its size in hex");
        if (size == 0) {
            r->state = RQ_TRAILER;
            return HTTP_NEXT_WAIT;
        }
        if (size > HTTP_BODY_MAX - r->body)
            return req_fail(r, 413, "the chunked body grows past the 1 MiB this server reads");
        r->left = r->want = size;
        r->state = RQ_CHUNK_DATA;
        return HTTP_NEXT_BYTES;
    case RQ_CHUNK_END:
        if (len != 0 || overlong)
            return req_fail(r, 400, "a chunk holds more data than its size says");
        r->state = RQ_CHUNK_SIZE;
        return HTTP_NEXT_WAIT;
    case RQ_TRAILER:
        if (len == 0 && !overlong) return req_done(r);
        if (++r->trailers + r->fields.n > HTTP_FIELDS_MAX) /* counted, not kept */
            return req_fail(r, 431, "the request has more than %d header and trailer fields",
                            HTTP_FIELDS_MAX);
        return HTTP_NEXT_WAIT;
    }
    return HTTP_NEXT_WAIT; /* RQ_BODY, RQ_CHUNK_DATA (read raw), RQ_DONE */
}

enum http_next http_req_bytes(struct http_req *r, size_t n)
{
    if (r->state != RQ_BODY && r->state != RQ_CHUNK_DATA) return HTTP_NEXT_WAIT;
    if (n > r->left) n = (size_t)r->left;
    r->left -= n;
    r->body += n;
    if (r->left) return HTTP_NEXT_WAIT;
    if (r->state == RQ_BODY) return req_done(r);
    r->state = RQ_CHUNK_END;
    return HTTP_NEXT_WAIT;
}

/* ---- deciding ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

enum { PATH_OK, PATH_BAD, PATH_LONG };

/* The path of a request-target, percent-decoded, with "//", "." and ".."
 * resolved (RFC 3986 5.2.4): "/a/./b/../c%2Ehtml?x" -> "/a/c.html", query
 * "x". PATH_BAD when it is not a path, climbs above the root or decodes to
 * a NUL; PATH_LONG when longer than any file's path can be. */
static int target_path(const char *target, char *out, size_t cap, const char **query)
{
    const char *p = target;
    *query = NULL;
    if (strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "https://", 8) == 0) {
        /* absolute-form (RFC 9112 3.2.2): the path after the authority */
        p = strstr(p, "//") + 2;
        while (*p && *p != '/' && *p != '?')
            p++;
        if (*p != '/') {
            if (*p == '?') *query = p + 1;
            snprintf(out, cap, "/");
            return PATH_OK;
        }
    }
    if (*p != '/') return PATH_BAD;
    size_t end = strcspn(p, "?#");
    if (p[end] == '?') *query = p + end + 1;
    /* decode first: "%2e%2e" is ".." and is resolved like it */
    char dec[HTTP_LINE_MAX + 1];
    size_t n = 0;
    for (size_t i = 0; i < end && n < sizeof dec - 1; i++) {
        char c = p[i];
        if (c == '%') {
            if (i + 2 >= end) return PATH_BAD;
            int hi = hexval(p[i + 1]), lo = hexval(p[i + 2]);
            if (hi < 0 || lo < 0) return PATH_BAD;
            c = (char)(hi << 4 | lo);
            if (c == 0) return PATH_BAD;
            i += 2;
        }
        dec[n++] = c;
    }
    dec[n] = 0;
    /* resolve segments into out */
    size_t o = 0;
    bool dir = false;
    for (const char *seg = dec; *seg;) {
        while (*seg == '/')
            seg++;
        const char *e = strchr(seg, '/');
        size_t k = e ? (size_t)(e - seg) : strlen(seg);
        dir = e != NULL || k == 0;
        if (k == 0) break;
        if (k == 1 && seg[0] == '.') {
            dir = true;
        } else if (k == 2 && seg[0] == '.' && seg[1] == '.') {
            if (o == 0) return PATH_BAD;
            while (o > 0 && out[o - 1] != '/')
                o--;
            o--; /* the slash */
            dir = true;
        } else {
            if (o + 1 + k + 2 > cap) return PATH_LONG;
            out[o++] = '/';
            memcpy(out + o, seg, k);
            o += k;
        }
        seg += k;
    }
    if (o == 0 || dir) out[o++] = '/';
    out[o] = 0;
    return PATH_OK;
}

static bool method_known(const char *m)
{
    /* RFC 9110 9.3 (and PATCH, RFC 5789) */
    static const char *const known[] = {"POST",    "PUT",   "DELETE", "CONNECT",
                                        "OPTIONS", "TRACE", "PATCH"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(m, known[i]) == 0) return true;
    return false;
}

/* " The connection stays open ..." for the why. */
static const char *conn_why(const struct http_req *r, const struct http_verdict *v)
{
    if (v->keep_alive)
        return r->minor >= 1 ? " The connection stays open for another request (HTTP/1.1 "
                               "keep-alive)."
                             : " The HTTP/1.0 client asked for keep-alive, so the connection "
                               "stays open.";
    if (r->minor >= 1) return " The client sent Connection: close, so the server closes after it.";
    return " An HTTP/1.0 client without Connection: keep-alive gets one answer per "
           "connection: the server closes after it.";
}

static void why(struct http_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void why(struct http_verdict *v, const char *fmt, ...)
{
    size_t n = strlen(v->why);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->why + n, sizeof v->why - n, fmt, ap);
    va_end(ap);
}

void http_decide(const struct http_site *site, const struct http_req *r, struct http_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->head = strcmp(r->method, "HEAD") == 0;
    v->http09 = r->http09;
    if (r->error) {
        v->status = r->error;
        why(v, "Because %s, the server answers %d %s and closes the connection.", r->error_why,
            r->error, http_reason(r->error));
        return;
    }
    if (r->http09) {
        v->keep_alive = false;
    } else if (r->minor >= 1) {
        v->keep_alive = !http_fields_has_token(&r->fields, "Connection", "close");
    } else {
        v->keep_alive = http_fields_has_token(&r->fields, "Connection", "keep-alive") &&
                        !http_fields_has_token(&r->fields, "Connection", "close");
    }
    bool get = strcmp(r->method, "GET") == 0;
    if (strcmp(r->target, "*") == 0 && strcmp(r->method, "OPTIONS") != 0) {
        v->status = 400;
        v->keep_alive = false;
        why(v, "The target \"*\" is only for OPTIONS, so the server answers 400 Bad Request.");
        return;
    }
    if (strcmp(r->method, "OPTIONS") == 0) {
        v->status = 200;
        v->allow = true;
        why(v,
            "OPTIONS asks what the server supports: 200 with Allow: GET, HEAD, OPTIONS and "
            "no body.%s",
            conn_why(r, v));
        return;
    }
    if (!get && !v->head) {
        v->allow = method_known(r->method);
        v->status = v->allow ? 405 : 501;
        if (v->allow)
            why(v,
                "%s is an HTTP method, but this server only serves static files, so it "
                "answers 405 Method Not Allowed with an Allow field listing what it does "
                "support.%s",
                r->method, conn_why(r, v));
        else
            why(v,
                "%s is not a method this server knows (methods are case-sensitive), so it "
                "answers 501 Not Implemented.%s",
                r->method, conn_why(r, v));
        return;
    }
    const char *query;
    int pr = target_path(r->target, v->path, sizeof v->path, &query);
    if (pr == PATH_BAD) {
        v->status = 400;
        v->keep_alive = false;
        snprintf(v->path, sizeof v->path, "%.100s", r->target);
        why(v,
            "The target %.100s is not a path under the server's root (it must start with / "
            "and not climb above it with ..), so the server answers 400 Bad Request and "
            "closes the connection.",
            r->target);
        return;
    }
    if (pr == PATH_LONG) {
        v->status = 404;
        snprintf(v->path, sizeof v->path, "%.100s...", r->target);
        why(v, "The path is longer than any file's on this server, so: 404 Not Found.%s",
            conn_why(r, v));
        return;
    }
    const char *verb = v->head ? "sends the head GET would get, without the body" : "sends it";
    size_t pl = strlen(v->path);
    if (v->path[pl - 1] == '/') {
        char idx[HTTP_PATH_MAX + 16];
        snprintf(idx, sizeof idx, "%sindex.html", v->path);
        v->file = http_site_find(site, idx);
        if (v->file) {
            v->status = 200;
            v->chunked = v->file->chunked && r->minor >= 1 && !r->http09;
            why(v, "%s is a directory with an index.html, so the server %s: %zu bytes of %s.%s",
                v->path, verb, v->file->len,
                v->file->type ? v->file->type : http_content_type(v->file->path), conn_why(r, v));
            return;
        }
        if (http_site_has_dir(site, v->path)) {
            v->status = 200;
            v->listing = true;
            v->chunked = r->minor >= 1 && !r->http09;
            why(v, "%s has no index.html, so the server generates a listing of its files%s.%s",
                v->path,
                v->chunked ? " and sends it chunked (Transfer-Encoding: chunked), as its length "
                             "is not known before it is made"
                           : " (HTTP/1.0 knows no chunked coding, so it says Content-Length)",
                conn_why(r, v));
            return;
        }
        v->status = 404;
        why(v, "Nothing on this server lies under %s, so: 404 Not Found.%s", v->path,
            conn_why(r, v));
        return;
    }
    v->file = http_site_find(site, v->path);
    if (v->file) {
        v->status = 200;
        v->chunked = v->file->chunked && r->minor >= 1 && !r->http09;
        const char *type = v->file->type ? v->file->type : http_content_type(v->file->path);
        if (v->chunked)
            why(v,
                "The file %s exists, so the server %s in the chunked coding: each chunk "
                "starts with its size in hex, and a chunk of size 0 ends the body (%zu bytes "
                "of %s).%s",
                v->path, verb, v->file->len, type, conn_why(r, v));
        else
            why(v,
                "The file %s exists, so the server %s: %zu bytes of %s, with Content-Length "
                "telling the client where the body ends.%s",
                v->path, verb, v->file->len, type, conn_why(r, v));
        return;
    }
    char dir[HTTP_PATH_MAX + 4];
    snprintf(dir, sizeof dir, "%s/", v->path);
    if (http_site_has_dir(site, dir)) {
        v->status = 301;
        /* the query goes along when it fits (Apache's mod_dir keeps it) */
        size_t dl = strlen(dir), ql = query ? strlen(query) : 0;
        if (dl + 1 > sizeof v->location) dl = sizeof v->location - 1; /* cannot happen */
        memcpy(v->location, dir, dl);
        v->location[dl] = 0;
        if (query && dl + 1 + ql < sizeof v->location) {
            v->location[dl] = '?';
            memcpy(v->location + dl + 1, query, ql + 1);
        }
        why(v,
            "%s is a directory, so the server redirects to %s (301 with Location): links in "
            "its index resolve against the path with its final slash.%s",
            v->path, dir, conn_why(r, v));
        return;
    }
    v->status = 404;
    why(v, "There is no file %s on this server, so: 404 Not Found.%s", v->path, conn_why(r, v));
}

/* ---- answering ---- */

/* A growing buffer for generated bodies. */
struct gbuf {
    char *p;
    size_t len, cap;
};

static void gb_printf(struct gbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void gb_printf(struct gbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if (b->p && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) abort();
        b->p = q;
        b->cap = cap;
    }
}

/* nginx's autoindex layout: directories first, then files, each with a
 * date and a size. */
static void listing_build(const struct http_site *s, const char *dir, struct gbuf *b)
{
    size_t dl = strlen(dir);
    gb_printf(b,
              "<html>\r\n<head><title>Index of %s</title></head>\r\n<body>\r\n<h1>Index of "
              "%s</h1><hr><pre>",
              dir, dir);
    if (strcmp(dir, "/") != 0) gb_printf(b, "<a href=\"../\">../</a>\r\n");
    for (int pass = 0; pass < 2; pass++) {
        const char *last = NULL;
        size_t last_len = 0;
        for (int i = site_lower(s, dir); i < s->n_files; i++) {
            const struct http_file *f = &s->files[i];
            if (strncmp(f->path, dir, dl) != 0) break;
            const char *rest = f->path + dl;
            const char *slash = strchr(rest, '/');
            if ((pass == 0) != (slash != NULL)) continue;
            size_t k = slash ? (size_t)(slash - rest) + 1 : strlen(rest);
            if (last && k == last_len && strncmp(rest, last, k) == 0) continue;
            last = rest;
            last_len = k;
            char size[24];
            if (slash)
                snprintf(size, sizeof size, "-");
            else
                snprintf(size, sizeof size, "%zu", f->len);
            int pad = 50 - (int)k;
            gb_printf(b, "<a href=\"%.*s\">%.*s</a>%*s 01-Jan-2026 00:00 %19s\r\n", (int)k, rest,
                      (int)k, rest, pad > 0 ? pad : 0, "", size);
        }
    }
    gb_printf(b, "</pre><hr></body>\r\n</html>\r\n");
}

static void error_page(int status, struct gbuf *b)
{
    gb_printf(b,
              "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d "
              "%s</h1></center>\r\n<hr><center>%s</center>\r\n</body>\r\n</html>\r\n",
              status, http_reason(status), status, http_reason(status), HTTP_SERVER_NAME);
}

void http_reply_write(const struct http_site *site, const struct http_verdict *v, int64_t unix_now,
                      http_data_fn send, void *ctx)
{
    struct gbuf gen = {0};
    const uint8_t *body = NULL;
    size_t len = 0;
    const char *type = "text/html";
    if (v->file) {
        body = v->file->data;
        len = v->file->len;
        type = v->file->type ? v->file->type : http_content_type(v->file->path);
    } else if (v->listing) {
        listing_build(site, v->path, &gen);
    } else if (v->status != 200) {
        error_page(v->status, &gen);
    } else {
        type = NULL; /* OPTIONS */
    }
    if (!v->file) {
        body = (const uint8_t *)gen.p;
        len = gen.len;
    }
    if (!v->http09) {
        struct gbuf h = {0};
        char date[32];
        gb_printf(&h, "HTTP/1.1 %d %s\r\nServer: %s\r\nDate: %s\r\n", v->status,
                  http_reason(v->status), HTTP_SERVER_NAME, http_date(unix_now, date));
        if (type) gb_printf(&h, "Content-Type: %s\r\n", type);
        if (v->chunked)
            gb_printf(&h, "Transfer-Encoding: chunked\r\n");
        else
            gb_printf(&h, "Content-Length: %zu\r\n", len);
        if (v->file) gb_printf(&h, "Last-Modified: %s\r\n", http_date(HTTP_EPOCH, date));
        if (v->location[0]) gb_printf(&h, "Location: %s\r\n", v->location);
        if (v->allow) gb_printf(&h, "Allow: GET, HEAD, OPTIONS\r\n");
        gb_printf(&h, "Connection: %s\r\n\r\n", v->keep_alive ? "keep-alive" : "close");
        send(ctx, (const uint8_t *)h.p, h.len);
        free(h.p);
    }
    if (!v->head && v->chunked) {
        char head[20];
        for (size_t at = 0; at < len; at += HTTP_CHUNK_SIZE) {
            size_t k = len - at < HTTP_CHUNK_SIZE ? len - at : HTTP_CHUNK_SIZE;
            send(ctx, (const uint8_t *)head, http_chunk_head(head, k));
            send(ctx, body + at, k);
            send(ctx, (const uint8_t *)"\r\n", 2);
        }
        send(ctx, (const uint8_t *)HTTP_CHUNK_LAST, 5);
    } else if (!v->head && len) {
        send(ctx, body, len);
    }
    free(gen.p);
}

/* ---- the server on TCP 80 ---- */

struct http_sess;

struct http_server {
    struct netstack *st;
    struct http_site site;
    struct tcp_listener *ls;
    struct tcp_listener *ls_tls;       /* HTTPS on 443, or NULL */
    const struct tls_server_conf *tls; /* its TLS identity (the node's) */
    struct http_sess *sess;            /* open connections */
};

struct http_sess {
    struct http_sess *next, *prev;
    struct http_server *srv;
    struct text_conn *t;
    struct sim_timer idle;
    bool closing;
    int served; /* requests answered on this connection */
    struct http_req rq;
};

static sim_time idle_timeout(const struct http_server *srv)
{
    return srv->site.idle_timeout ? srv->site.idle_timeout : HTTP_IDLE_TIMEOUT;
}

static void sess_idle(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct http_sess *s = ctx;
    s->idle = (struct sim_timer){0, 0};
    if (s->closing) return;
    if (trace_on(sim, TRACE_LAYERS)) {
        char t[32];
        stack_step(sim, TRACE_LAYERS, s->srv->st->node, NULL, 7, TK_STATE, NULL, "HTTP",
                   "Idle connection closed\nNothing arrived on this connection for %s (the "
                   "server's idle timeout)%s, so the server closes it.",
                   sim_time_format(idle_timeout(s->srv), t, sizeof t),
                   http_req_idle(&s->rq) ? "" : ", in the middle of a request");
    }
    s->closing = true;
    text_close(s->t);
}

static void sess_arm(struct http_sess *s)
{
    struct sim *sim = s->srv->st->sim;
    sim_cancel(sim, &s->idle);
    s->idle = sim_schedule(sim, idle_timeout(s->srv), sess_idle, s, 0);
}

static void sess_send(void *ctx, const uint8_t *data, size_t len)
{
    text_send(ctx, data, len);
}

static void sess_reply(struct http_sess *s)
{
    struct http_server *srv = s->srv;
    struct sim *sim = srv->st->sim;
    struct http_verdict *v = xalloc(sizeof *v);
    http_decide(&srv->site, &s->rq, v);
    if (trace_on(sim, TRACE_LAYERS)) {
        char req[160];
        const struct http_req *r = &s->rq;
        if (r->http09)
            snprintf(req, sizeof req, "%s %.100s", r->method, r->target);
        else if (r->method[0] && r->major)
            snprintf(req, sizeof req, "%s %.100s HTTP/%d.%d", r->method, r->target, r->major,
                     r->minor);
        else
            snprintf(req, sizeof req, "Bad request");
        stack_step(sim, TRACE_LAYERS, srv->st->node, NULL, 7, TK_DELIVER, NULL, "HTTP",
                   "%s \xe2\x86\x92 %d %s\n%s", req, v->status, http_reason(v->status), v->why);
    }
    http_reply_write(&srv->site, v, HTTP_EPOCH + sim_now(sim) / SIM_S, sess_send, s->t);
    s->served++;
    bool keep = v->keep_alive;
    free(v);
    if (!keep) {
        s->closing = true;
        sim_cancel(sim, &s->idle);
        text_close(s->t);
        return;
    }
    http_req_init(&s->rq);
}

static void sess_next(struct http_sess *s, enum http_next n)
{
    if (n == HTTP_NEXT_BYTES)
        text_expect_bytes(s->t, (size_t)s->rq.want);
    else if (n == HTTP_NEXT_REPLY)
        sess_reply(s);
}

static void sess_line(void *ctx, struct text_conn *t, char *line, size_t len)
{
    (void)t;
    struct http_sess *s = ctx;
    if (s->closing) return;
    sess_arm(s);
    sess_next(s, http_req_line(&s->rq, line, len, text_line_overlong(s->t)));
}

static void sess_bytes(void *ctx, struct text_conn *t, const uint8_t *data, size_t len)
{
    (void)t;
    (void)data;
    struct http_sess *s = ctx;
    if (s->closing) return;
    sess_arm(s);
    sess_next(s, http_req_bytes(&s->rq, len));
}

static void sess_peer_closed(void *ctx, struct text_conn *t)
{
    struct http_sess *s = ctx;
    /* the client sends nothing more: whatever is queued goes, then FIN */
    s->closing = true;
    sim_cancel(s->srv->st->sim, &s->idle);
    text_close(t);
}

static void sess_unlink(struct http_sess *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        s->srv->sess = s->next;
    if (s->next) s->next->prev = s->prev;
}

static void sess_closed(void *ctx, struct text_conn *t, enum tcp_reason why)
{
    (void)t;
    (void)why;
    struct http_sess *s = ctx;
    sim_cancel(s->srv->st->sim, &s->idle);
    sess_unlink(s);
    free(s);
}

static const struct text_handler sess_handler = {
    .line = sess_line,
    .bytes = sess_bytes,
    .peer_closed = sess_peer_closed,
    .closed = sess_closed,
};

static void server_accept(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    struct http_server *srv = ctx;
    struct http_sess *s = xalloc(sizeof *s);
    s->srv = srv;
    http_req_init(&s->rq);
    s->next = srv->sess;
    if (srv->sess) srv->sess->prev = s;
    srv->sess = s;
    if (l && l == srv->ls_tls)
        s->t = text_conn_new_tls(c, srv->tls, &sess_handler, s);
    else
        s->t = text_conn_new(c, &sess_handler, s);
    sess_arm(s);
}

int http_server_start(struct netstack *st, struct http_site *site)
{
    if (st->http) return -1;
    struct http_server *srv = xalloc(sizeof *srv);
    srv->st = st;
    srv->ls = tcp_listen(st, 0, HTTP_PORT, server_accept, srv);
    if (!srv->ls) {
        free(srv);
        return -1;
    }
    srv->site = *site;
    memset(site, 0, sizeof *site);
    st->http = srv;
    return 0;
}

int http_server_tls(struct netstack *st, const struct tls_server_conf *cf, bool plain)
{
    struct http_server *srv = st->http;
    if (!srv || !cf || srv->ls_tls) return -1;
    srv->ls_tls = tcp_listen(st, 0, HTTPS_PORT, server_accept, srv);
    if (!srv->ls_tls) return -1;
    srv->tls = cf;
    if (!plain && srv->ls) {
        tcp_unlisten(srv->ls);
        srv->ls = NULL;
    }
    return 0;
}

const struct http_site *http_server_site(const struct netstack *st)
{
    return st->http ? &st->http->site : NULL;
}

void http_free(struct netstack *st)
{
    struct http_server *srv = st->http;
    if (!srv) return;
    /* The stack is going away and TCP frees its own connections: the
     * sessions are only forgotten here. */
    while (srv->sess) {
        struct http_sess *s = srv->sess;
        srv->sess = s->next;
        sim_cancel(st->sim, &s->idle);
        text_conn_release(s->t);
        free(s);
    }
    http_site_free(&srv->site);
    free(srv);
    st->http = NULL;
}
