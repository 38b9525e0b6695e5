/* http.h - the HTTP/1.1 server (RFC 9110, RFC 9112) a node runs on TCP
 * port 80 from its scenario's "services": {"http": {"files": ...}}.
 *
 * The site is a set of static files keyed by path. A request for a file
 * gets it (200), with Content-Type from the extension or the scenario,
 * Content-Length, Last-Modified and, for HTTP/1.1 clients, the chunked
 * coding instead of Content-Length when the file asks for it. A path
 * ending in "/" serves its index.html, or else a generated listing of
 * what is under it, sent chunked (as nginx's autoindex does). A path that
 * names a directory without its final "/" is redirected there (301,
 * "Location: /docs/"), as Apache and nginx do. Anything else is 404.
 *
 * GET and HEAD are served; OPTIONS answers 200 with Allow; the other
 * methods of RFC 9110 get 405 with Allow, unknown methods 501. Requests
 * are checked as RFC 9112 asks: an HTTP/1.1 request without exactly one
 * valid Host is 400, as are malformed request or field lines, obsolete
 * line folding and both Content-Length and Transfer-Encoding; a version
 * other than 1.x is 505; a transfer coding other than chunked is 501; a
 * request line longer than 8190 bytes is 414, fields too large 431, a body
 * over 1 MiB 413. A body (Content-Length or chunked) is read and thrown
 * away. "GET /path" without a version is HTTP/0.9: the body alone, then
 * close (nginx answers it so too).
 *
 * Connections: HTTP/1.1 keeps the connection open unless the client sends
 * "Connection: close"; HTTP/1.0 closes unless it sends "Connection:
 * keep-alive". Every error found while reading a request closes it after
 * the answer. A connection on which nothing arrives for the idle timeout
 * (60 s by default, nginx's client_header_timeout) is closed. Requests sent
 * back to back (pipelined) are answered in order.
 *
 * Date and Last-Modified come from simulated time: time 0 is 2026-01-01
 * 00:00:00 GMT, so captures are the same on every run.
 *
 * The request reader (http_req_*) and the decision (http_decide,
 * http_reply_write) need no simulation: tests drive them directly. */
#ifndef NETSTEP_HTTP_H
#define NETSTEP_HTTP_H

#include "http_wire.h"
#include "stack.h"

#define HTTP_IDLE_TIMEOUT (60 * SIM_S)
#define HTTP_BODY_MAX     (1u << 20) /* request bodies read and discarded (nginx: 1m) */
#define HTTP_CHUNK_SIZE   4096       /* data bytes per chunk of a chunked response */
#define HTTP_EPOCH        SIM_EPOCH_UNIX
#define HTTP_SERVER_NAME  "netstep-httpd"
#define HTTP_PATH_MAX     1024        /* a file's path */
#define HTTP_FILE_MAX     (64u << 20) /* bytes of one file */

/* ---- the site ---- */

struct http_file {
    char *path; /* "/docs/index.html" */
    uint8_t *data;
    size_t len;
    char *type;   /* Content-Type; NULL = from the extension */
    bool chunked; /* sent in the chunked coding to HTTP/1.1 clients */
};

struct http_site {
    struct http_file *files; /* sorted by path once finished */
    int n_files, cap;
    sim_time idle_timeout; /* 0 = HTTP_IDLE_TIMEOUT */
};

/* Adds a copy of a file (path checked by the caller). type may be NULL. */
void http_site_add(struct http_site *s, const char *path, const void *data, size_t len,
                   const char *type, bool chunked);
/* Adds a file of n bytes of deterministic text ({"size": N}). */
void http_site_add_sized(struct http_site *s, const char *path, size_t n, const char *type,
                         bool chunked);
/* Sorts the files; call after the last add. */
void http_site_finish(struct http_site *s);
void http_site_free(struct http_site *s);
const struct http_file *http_site_find(const struct http_site *s, const char *path);
/* True when some file lies under dir ("/docs/", with its final slash). */
bool http_site_has_dir(const struct http_site *s, const char *dir);
/* n bytes of the text {"size": N} files hold: numbered 64-byte lines. */
void http_fill_text(uint8_t *buf, size_t n);
/* Content-Type for a path's extension ("text/html"; default
 * "application/octet-stream", as nginx's default_type). */
const char *http_content_type(const char *path);
/* Checks a path of the scenario: "/" then segments of letters, digits,
 * '-', '.', '_' and '~', no empty, "." or ".." segment, no final "/".
 * Returns NULL, or what is wrong. */
const char *http_path_check(const char *path);

/* ---- reading a request ---- */

enum http_next {
    HTTP_NEXT_WAIT,  /* keep reading as before */
    HTTP_NEXT_BYTES, /* the next req->want bytes are body: read them raw */
    HTTP_NEXT_REPLY, /* the request is complete (or failed): answer it */
};

struct http_req {
    int state;
    char method[HTTP_METHOD_MAX + 1];
    char target[HTTP_LINE_MAX + 1];
    int major, minor;
    bool http09;
    struct http_fields fields;
    int error;           /* a status that ends reading (400, 413, ...), else 0 */
    char error_why[160]; /* what was wrong, for the trace */
    bool chunked;        /* the body comes chunked */
    uint64_t left;       /* body bytes still to read (current chunk, or all) */
    uint64_t body;       /* body bytes read */
    uint64_t want;       /* HTTP_NEXT_BYTES: how many */
    int trailers;        /* trailer field lines read (not kept) */
};

void http_req_init(struct http_req *r);
/* One line as received, without its end; overlong = it was cut. */
enum http_next http_req_line(struct http_req *r, char *line, size_t len, bool overlong);
/* n body bytes were read (and thrown away). */
enum http_next http_req_bytes(struct http_req *r, size_t n);
/* True when nothing of a request has arrived since init. */
bool http_req_idle(const struct http_req *r);

/* ---- deciding and answering ---- */

struct http_verdict {
    int status;
    bool head;       /* HEAD: the head only */
    bool keep_alive; /* the connection stays open */
    bool http09;     /* the body alone */
    bool chunked;    /* Transfer-Encoding: chunked */
    bool allow;      /* an Allow field (405, OPTIONS) */
    bool listing;    /* 200 with a generated listing of `path` */
    const struct http_file *file;
    char path[HTTP_PATH_MAX + 2];       /* the path looked up, decoded */
    char location[HTTP_PATH_MAX + 256]; /* the query goes along when it fits */
    char why[400];                      /* one sentence for the trace */
};

void http_decide(const struct http_site *site, const struct http_req *r, struct http_verdict *v);
/* Writes the response v decided into send, with Date = unix_now. */
void http_reply_write(const struct http_site *site, const struct http_verdict *v, int64_t unix_now,
                      http_data_fn send, void *ctx);

/* ---- the server on a node ---- */

/* Listens on TCP 80; takes ownership of site (*site is left empty).
 * Returns 0, or -1 when the port is taken. */
int http_server_start(struct netstack *st, struct http_site *site);
/* Adds HTTPS: the same site on TCP 443 over TLS with conf cf (tls.h);
 * plain = false stops serving port 80. Returns 0, or -1 when there is no
 * server or 443 is taken. */
struct tls_server_conf;
int http_server_tls(struct netstack *st, const struct tls_server_conf *cf, bool plain);
const struct http_site *http_server_site(const struct netstack *st);
/* Frees the node's server and its connections' state (from stack_free). */
void http_free(struct netstack *st);

#endif
