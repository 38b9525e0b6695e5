/* shell_http.c - `curl`, the HTTP/1.1 client of the host shell, imitating
 * curl 7.81 (Ubuntu 22.04's).
 *
 * curl [options] URL...   with the options students meet:
 *   -i/--include      the status line and header fields before the body
 *   -I/--head         HEAD: the status line and fields only
 *   -v/--verbose      "*   Trying 10.0.0.2:80...", "* Connected to web
 *                     (10.0.0.2) port 80 (#0)", the request as "> " lines,
 *                     the response head as "< " lines, "* Connection #0 to
 *                     host web left intact"
 *   -L/--location     follows redirects (at most 50)
 *   -X/--request M    another method; -d/--data D sends D with POST
 *   -H/--header "N: v" an extra field ("N:" removes a default one)
 *   -A/--user-agent, -0/--http1.0, -f/--fail, -s/--silent, -S/--show-error,
 *   -m/--max-time S, -w/--write-out FMT (%{http_code}, %{size_download},
 *   %{content_type}, %{num_redirects}, %{url_effective}, %{remote_ip},
 *   %{remote_port}, %{time_total}), -o /dev/null (there are no files on a
 *   simulated host, so no other -o), -k/--insecure (https: go on whatever
 *   the certificate).
 *
 * URLs are http[s]://host[:port][/path]; without a scheme http is
 * assumed; ftps:// (FTP over TLS) goes to shell_curl_ftps.c; other schemes
 * answer `curl: (1) Protocol "ftp" not supported or disabled in libcurl`. https runs the TLS
 * stand-in (protocols/tls.h) over the connection: the server's certificate is checked against the
 * CAs the node trusts and the host name, and refused with curl's (60) unless -k; -v narrates the
 * handshake as curl does (shell_tls.c). Host names go through the shell's resolver (node names,
 * then DNS). Several URLs are fetched in turn over one connection when the server keeps it open, as
 * curl does ("* Re-using existing connection! (#0) with host web"), so keep-alive shows on the
 * wire.
 *
 * Errors and exit codes are curl's: (6) Could not resolve host, (7) Failed
 * to connect ... Connection refused, (28) timeouts, (52) Empty reply from
 * server, (18) transfer closed with bytes remaining, (56) Recv failure,
 * (22) with -f for a status of 400 or more, (47) too many redirects, (1)
 * an HTTP/0.9 answer, (8) a malformed one; a bad command line exits 2.
 * Since the shell has one output stream where curl has stdout and
 * stderr, a "* " line after a body that does not end in a newline starts
 * on a line of its own. */
#include "shell_curl_ftps.h"
#include "shell_priv.h"
#include "protocols/http_wire.h"
#include "protocols/tcp.h"
#include "shell_tls.h"

#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CURL_UA        "curl/7.81.0"
#define CURL_MAX_REDIR 50
#define CURL_MAX_URLS  16
#define CURL_MAX_HDRS  16
#define CURL_HOST_MAX  253
#define CURL_PATH_MAX  2048

struct curl_url {
    char host[CURL_HOST_MAX + 1];
    uint16_t port;
    bool https;
    char path[CURL_PATH_MAX]; /* path and query, as sent */
};

struct curl {
    struct shell_proc *p;
    /* options */
    bool include, head, verbose, silent, show_error, follow, fail, discard, http10, insecure;
    char *method, *data, *wfmt, *ua;
    char *hdr[CURL_MAX_HDRS];
    int n_hdr;
    sim_time max_time;
    char *urls[CURL_MAX_URLS];
    int n_urls, next_url;
    /* the transfer */
    struct curl_url u;
    const char *req_method;
    struct shell_lookup *lookup;
    struct tcp_conn *c;
    struct tls_conn *tls; /* https: the TLS layer on c */
    bool tls_ready;
    bool connected;
    struct curl_url cu; /* where c leads */
    uint32_t addr;
    int conn_no, conns;
    bool keep;        /* the last response lets the connection be reused */
    bool in_response; /* a request is out, its response not complete */
    bool resp_done, resp_fail, skip_body;
    sim_time t0, conn_t0;
    struct sim_timer deadline;
    struct http_resp_parser *rp;
    /* results, for -w and the messages */
    int http_code, redirects;
    uint64_t size_download, received;
    char content_type[128];
    char location[CURL_PATH_MAX];
    bool last_nl;
};

static const char *const try_help = "curl: try 'curl --help' or 'curl --manual' for more "
                                    "information\n";

/* ---- output ---- */

static void cu_write(struct curl *cu, const char *s, size_t n)
{
    if (!n) return;
    proc_write(cu->p, s, n);
    cu->last_nl = s[n - 1] == '\n';
}

static void cu_printf(struct curl *cu, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cu_printf(struct curl *cu, const char *fmt, ...)
{
    char buf[CURL_PATH_MAX + 512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    cu_write(cu, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* A "* " or "> " line of -v, on a line of its own. */
static void cu_info(struct curl *cu, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cu_info(struct curl *cu, const char *fmt, ...)
{
    if (!cu->verbose) return;
    char buf[CURL_PATH_MAX + 512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (!cu->last_nl) cu_write(cu, "\n", 1);
    cu_write(cu, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    cu_write(cu, "\n", 1);
}

static long long cu_ms(const struct curl *cu, sim_time since)
{
    return (long long)((sim_now(cu->p->sim) - since) / SIM_MS);
}

static void cu_drop_conn(struct curl *cu)
{
    if (cu->tls) { /* close_notify, then FIN: the TLS layer sees to it */
        tls_conn_forget(cu->tls);
        cu->tls = NULL;
        cu->c = NULL;
        cu->connected = false;
        return;
    }
    if (!cu->c) return;
    struct tcp_conn *c = cu->c;
    tcp_set_callbacks(c, NULL, NULL);
    cu->c = NULL;
    cu->connected = false;
    tcp_close(c);
}

static uint16_t url_default_port(const struct curl_url *u);

/* -w: the variables curl scripts use most. */
static void cu_write_out(struct curl *cu)
{
    const char *f = cu->wfmt;
    char a[16];
    while (*f) {
        if (f[0] == '\\' && f[1]) {
            char c = f[1] == 'n' ? '\n' : f[1] == 't' ? '\t' : f[1] == 'r' ? '\r' : f[1];
            cu_write(cu, &c, 1);
            f += 2;
        } else if (f[0] == '%' && f[1] == '%') {
            cu_write(cu, "%", 1);
            f += 2;
        } else if (f[0] == '%' && f[1] == '{' && strchr(f, '}')) {
            const char *name = f + 2, *end = strchr(f, '}');
            size_t k = (size_t)(end - name);
#define VAR(s) (k == strlen(s) && strncmp(name, s, k) == 0)
            if (VAR("http_code") || VAR("response_code"))
                cu_printf(cu, "%03d", cu->http_code);
            else if (VAR("size_download"))
                cu_printf(cu, "%llu", (unsigned long long)cu->size_download);
            else if (VAR("content_type"))
                cu_printf(cu, "%s", cu->content_type);
            else if (VAR("num_redirects"))
                cu_printf(cu, "%d", cu->redirects);
            else if (VAR("url_effective"))
                cu_printf(cu, "%s://%s%s%s%s", cu->u.https ? "https" : "http", cu->u.host,
                          cu->u.port != url_default_port(&cu->u) ? ":" : "",
                          cu->u.port != url_default_port(&cu->u)
                              ? (snprintf(a, sizeof a, "%u", cu->u.port), a)
                              : "",
                          cu->u.path);
            else if (VAR("remote_ip"))
                cu_printf(cu, "%s", cu->addr ? ip4_str(cu->addr, a) : "");
            else if (VAR("remote_port"))
                cu_printf(cu, "%u", cu->addr ? cu->cu.port : 0);
            else if (VAR("time_total"))
                cu_printf(cu, "%.6f", (double)(sim_now(cu->p->sim) - cu->t0) / (double)SIM_S);
#undef VAR
            f = end + 1;
        } else {
            cu_write(cu, f, 1);
            f++;
        }
    }
}

static void cu_exit(struct curl *cu, int code)
{
    if (cu->p->done) return;
    sim_cancel(cu->p->sim, &cu->deadline);
    shell_lookup_cancel(cu->lookup);
    cu->lookup = NULL;
    if (cu->wfmt) cu_write_out(cu);
    cu_drop_conn(cu); /* a connection left intact closes as curl exits */
    proc_exit(cu->p, code);
}

static void cu_fail(struct curl *cu, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cu_fail(struct curl *cu, int code, const char *fmt, ...)
{
    if (cu->p->done) return;
    if (cu->wfmt) {
        cu_write_out(cu);
        cu->wfmt = NULL;
    }
    if (!cu->silent || cu->show_error) {
        char buf[CURL_PATH_MAX + 256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        if (!cu->last_nl) cu_write(cu, "\n", 1);
        cu_printf(cu, "curl: (%d) %s\n", code, buf);
    }
    cu_exit(cu, code);
}

/* ---- URLs ---- */

static uint16_t url_default_port(const struct curl_url *u)
{
    return u->https ? HTTPS_PORT : 80;
}

static bool all_digits(const char *s, size_t n)
{
    if (!n) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

/* Parses a URL as curl does; returns 0, or curl's exit code with its
 * message in err. */
static int url_parse(const char *text, struct curl_url *u, char *err, size_t errlen)
{
    static const char bad[] = "URL using bad/illegal format or missing URL";
    memset(u, 0, sizeof *u);
    u->port = 80;
    for (const char *c = text; *c; c++)
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f) {
            snprintf(err, errlen, "%s", bad);
            return 3;
        }
    const char *rest = text, *sep = strstr(text, "://");
    if (sep && sep < text + strcspn(text, "/?#")) {
        size_t k = (size_t)(sep - text);
        if (k == 5 && strncasecmp(text, "https", 5) == 0) {
            u->https = true;
            u->port = HTTPS_PORT;
        } else if (k != 4 || strncasecmp(text, "http", 4) != 0) {
            bool word = k > 0 && k < 20;
            for (size_t i = 0; word && i < k; i++)
                word = (text[i] >= 'a' && text[i] <= 'z') || (text[i] >= 'A' && text[i] <= 'Z') ||
                       (i && text[i] >= '0' && text[i] <= '9') || (i && strchr("+-.", text[i]));
            if (!word) {
                snprintf(err, errlen, "%s", bad);
                return 3;
            }
            snprintf(err, errlen, "Protocol \"%.*s\" not supported or disabled in libcurl", (int)k,
                     text);
            return 1;
        }
        rest = sep + 3;
    }
    size_t alen = strcspn(rest, "/?#");
    const char *auth = rest, *at = NULL;
    for (size_t i = 0; i < alen; i++)
        if (auth[i] == '@') at = auth + i;
    if (at) { /* user:password@ - not used */
        alen -= (size_t)(at + 1 - auth);
        auth = at + 1;
    }
    size_t hlen = alen;
    const char *colon = memchr(auth, ':', alen);
    if (colon) {
        hlen = (size_t)(colon - auth);
        size_t plen = alen - hlen - 1;
        unsigned long port = 0;
        if (!all_digits(colon + 1, plen) || plen > 5 ||
            (port = strtoul(colon + 1, NULL, 10)) == 0 || port > 65535) {
            snprintf(err, errlen, "Port number was not a decimal number between 0 and 65535");
            return 3;
        }
        u->port = (uint16_t)port;
    }
    if (hlen == 0 || hlen > CURL_HOST_MAX || auth[0] == '[') {
        snprintf(err, errlen, "%s", bad);
        return 3;
    }
    memcpy(u->host, auth, hlen);
    u->host[hlen] = 0;
    const char *path = rest + (size_t)(auth - rest) + alen;
    size_t plen = strcspn(path, "#");
    if (plen + 2 > sizeof u->path) {
        snprintf(err, errlen, "%s", bad);
        return 3;
    }
    snprintf(u->path, sizeof u->path, "%s%.*s", path[0] == '/' ? "" : "/", (int)plen, path);
    return 0;
}

/* A Location against the URL it came from (RFC 3986 5.2, without dot
 * segment removal: the server does that). */
static int url_resolve(const struct curl_url *base, const char *loc, struct curl_url *out,
                       char *err, size_t errlen)
{
    size_t scheme_end = strcspn(loc, "/?#");
    if (strstr(loc, "://") && strstr(loc, "://") < loc + scheme_end + 1)
        return url_parse(loc, out, err, errlen);
    if (loc[0] == '/' && loc[1] == '/') {
        char buf[CURL_PATH_MAX + 8];
        snprintf(buf, sizeof buf, "%s:%s", base->https ? "https" : "http", loc);
        return url_parse(buf, out, err, errlen);
    }
    *out = *base;
    size_t ll = strcspn(loc, "#");
    if (loc[0] == '/') {
        if (ll + 1 > sizeof out->path) return url_parse("", out, err, errlen);
        snprintf(out->path, sizeof out->path, "%.*s", (int)ll, loc);
        return 0;
    }
    size_t dir = strcspn(base->path, "?");
    while (dir > 0 && base->path[dir - 1] != '/')
        dir--;
    if (dir + ll + 1 > sizeof out->path) return url_parse("", out, err, errlen);
    snprintf(out->path, sizeof out->path, "%.*s%.*s", (int)dir, base->path, (int)ll, loc);
    return 0;
}

/* ---- the exchange ---- */

static void cu_start(struct curl *cu);
static void cu_next_url(struct curl *cu);

/* The value of -H name, when given: NULL = not given, "" = removed. */
static const char *hdr_override(const struct curl *cu, const char *name, bool *given)
{
    size_t nl = strlen(name);
    *given = false;
    for (int i = cu->n_hdr - 1; i >= 0; i--) {
        const char *h = cu->hdr[i];
        if (strncasecmp(h, name, nl) != 0 || h[nl] != ':') continue;
        *given = true;
        const char *v = h + nl + 1;
        while (*v == ' ')
            v++;
        return v;
    }
    return NULL;
}

static void req_add(struct curl *cu, char **buf, size_t *len, size_t *cap, const char *line)
{
    size_t n = strlen(line);
    if (*len + n + 2 > *cap) {
        *cap = (*len + n + 2) * 2;
        char *b = realloc(*buf, *cap);
        if (!b) abort();
        *buf = b;
    }
    memcpy(*buf + *len, line, n);
    memcpy(*buf + *len + n, "\r\n", 2);
    *len += n + 2;
    cu_info(cu, "> %s", line);
}

/* To the server: through TLS for https. */
static void cu_xmit(struct curl *cu, const void *data, size_t len)
{
    if (cu->tls)
        tls_conn_send(cu->tls, data, len);
    else
        tcp_send(cu->c, data, len);
}

static void cu_send_request(struct curl *cu)
{
    char line[CURL_PATH_MAX + 64], *req = NULL;
    size_t len = 0, cap = 0;
    bool given;
    const char *v;
    snprintf(line, sizeof line, "%s %s HTTP/1.%d", cu->req_method, cu->u.path, cu->http10 ? 0 : 1);
    req_add(cu, &req, &len, &cap, line);
    if (!(v = hdr_override(cu, "Host", &given))) {
        if (cu->u.port != url_default_port(&cu->u))
            snprintf(line, sizeof line, "Host: %s:%u", cu->u.host, cu->u.port);
        else
            snprintf(line, sizeof line, "Host: %s", cu->u.host);
        req_add(cu, &req, &len, &cap, line);
    }
    if (!(v = hdr_override(cu, "User-Agent", &given))) {
        snprintf(line, sizeof line, "User-Agent: %s", cu->ua ? cu->ua : CURL_UA);
        req_add(cu, &req, &len, &cap, line);
    }
    if (!(v = hdr_override(cu, "Accept", &given))) req_add(cu, &req, &len, &cap, "Accept: */*");
    for (int i = 0; i < cu->n_hdr; i++) {
        const char *h = cu->hdr[i], *colon = strchr(h, ':');
        const char *val = colon ? colon + 1 : "";
        while (*val == ' ')
            val++;
        if (colon && *val) req_add(cu, &req, &len, &cap, h);
    }
    if (cu->data && strcmp(cu->req_method, "GET") != 0 && strcmp(cu->req_method, "HEAD") != 0) {
        snprintf(line, sizeof line, "Content-Length: %zu", strlen(cu->data));
        req_add(cu, &req, &len, &cap, line);
        if (!(v = hdr_override(cu, "Content-Type", &given)))
            req_add(cu, &req, &len, &cap, "Content-Type: application/x-www-form-urlencoded");
    }
    req_add(cu, &req, &len, &cap, "");
    cu_xmit(cu, req, len);
    if (cu->data && strcmp(cu->req_method, "GET") != 0 && strcmp(cu->req_method, "HEAD") != 0)
        cu_xmit(cu, cu->data, strlen(cu->data));
    free(req);
    http_resp_init(cu->rp, cu->req_method);
    cu->in_response = true;
    cu->resp_done = cu->resp_fail = cu->skip_body = false;
    cu->keep = false;
    cu->http_code = 0;
    cu->content_type[0] = cu->location[0] = 0;
}

static void resp_head(void *ctx, const struct http_resp_head *h)
{
    struct curl *cu = ctx;
    const struct http_fields *f = h->fields;
    if (cu->verbose) {
        cu_info(cu, "< %s", h->status_line);
        for (int i = 0; i < f->n; i++)
            cu_info(cu, "< %s: %s", http_fields_name(f, i), http_fields_value(f, i));
        cu_info(cu, "< ");
    }
    if (cu->include || cu->head) {
        cu_printf(cu, "%s\n", h->status_line);
        for (int i = 0; i < f->n; i++)
            cu_printf(cu, "%s: %s\n", http_fields_name(f, i), http_fields_value(f, i));
        cu_write(cu, "\n", 1);
    }
    if (h->status->code < 200) return;
    cu->http_code = h->status->code;
    const char *ct = http_fields_get(f, "Content-Type", NULL);
    snprintf(cu->content_type, sizeof cu->content_type, "%s", ct ? ct : "");
    const char *loc = http_fields_get(f, "Location", NULL);
    snprintf(cu->location, sizeof cu->location, "%s", loc ? loc : "");
    if (h->status->minor >= 1)
        cu->keep = !http_fields_has_token(f, "Connection", "close");
    else
        cu->keep = http_fields_has_token(f, "Connection", "keep-alive");
    if (h->until_close) cu->keep = false;
    if (cu->fail && cu->http_code >= 400) cu->resp_fail = true;
    /* with -L, a redirect's own body is not shown: the next one is */
    int code = cu->http_code;
    cu->skip_body = cu->follow && loc &&
                    (code == 301 || code == 302 || code == 303 || code == 307 || code == 308);
}

static void resp_body(void *ctx, const uint8_t *data, size_t len)
{
    struct curl *cu = ctx;
    cu->size_download += len;
    if (cu->discard || cu->resp_fail || cu->skip_body) return;
    cu_write(cu, (const char *)data, len);
}

static void resp_done(void *ctx)
{
    ((struct curl *)ctx)->resp_done = true;
}

static const struct http_resp_cb resp_cb = {resp_head, resp_body, resp_done};

/* A response is complete: the next request, a redirect, or the end. */
static void cu_after_response(struct curl *cu)
{
    cu->in_response = false;
    if (cu->resp_fail) {
        cu_fail(cu, 22, "The requested URL returned error: %d", cu->http_code);
        return;
    }
    if (cu->c && !cu->keep) {
        cu_info(cu, "* Closing connection %d", cu->conn_no);
        cu_drop_conn(cu);
    } else if (cu->c) {
        cu_info(cu, "* Connection #%d to host %s left intact", cu->conn_no, cu->cu.host);
    }
    int code = cu->http_code;
    bool redirect = code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
    if (cu->follow && redirect && cu->location[0]) {
        if (cu->redirects == CURL_MAX_REDIR) {
            cu_fail(cu, 47, "Maximum (%d) redirects followed", CURL_MAX_REDIR);
            return;
        }
        struct curl_url next;
        char err[128];
        int rc = url_resolve(&cu->u, cu->location, &next, err, sizeof err);
        if (rc) {
            cu_fail(cu, rc, "%s", err);
            return;
        }
        cu->redirects++;
        cu->u = next;
        if (code == 303 && !cu->method) cu->req_method = "GET";
        if (cu->verbose) {
            char port[8] = "";
            if (next.port != url_default_port(&next)) snprintf(port, sizeof port, ":%u", next.port);
            cu_info(cu, "* Issue another request to this URL: '%s://%s%s%s'",
                    next.https ? "https" : "http", next.host, port, next.path);
        }
        cu_start(cu);
        return;
    }
    cu_next_url(cu);
}

static void cu_feed(struct curl *cu, const uint8_t *data, size_t len)
{
    size_t used;
    int rc = http_resp_feed(cu->rp, data, len, &used, &resp_cb, cu);
    if (cu->p->done) return;
    if (rc == HTTP_E_SYNTAX && !cu->http_code && cu->rp->status_raw[0] == 0) {
        cu_fail(cu, 1, "Received HTTP/0.9 when not allowed");
    } else if (rc && cu->http_code && cu->rp->head.chunked) {
        cu_fail(cu, 56, "Illegal or missing hexadecimal sequence in chunked-encoding");
    } else if (rc) {
        cu_fail(cu, 8, "Weird server reply");
    } else if (cu->resp_done || cu->resp_fail) {
        /* bytes after the response are not for us: curl drops them too */
        cu_after_response(cu);
    }
}

static void cu_recv(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    (void)c;
    struct curl *cu = ctx;
    cu->received += len;
    if (!cu->in_response || cu->p->done) return;
    cu_feed(cu, data, len);
}

static void cu_eof(struct curl *cu)
{
    struct http_resp_parser *rp = cu->rp;
    bool idle = http_resp_idle(rp);
    int rc = http_resp_eof(rp, &resp_cb, cu);
    if (!rc && cu->resp_done) {
        cu_after_response(cu);
    } else if (idle) {
        cu_fail(cu, 52, "Empty reply from server");
    } else if (rp->head.has_length && rp->left) {
        cu_fail(cu, 18, "transfer closed with %llu bytes remaining to read",
                (unsigned long long)rp->left);
    } else {
        cu_fail(cu, 18, "transfer closed with outstanding read data remaining");
    }
}

static void cu_peer_closed(void *ctx, struct tcp_conn *c)
{
    (void)c;
    struct curl *cu = ctx;
    /* the server is done: so are we, on this connection */
    cu->keep = false;
    cu_drop_conn(cu);
    if (cu->in_response && !cu->p->done) cu_eof(cu);
}

static void cu_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    struct curl *cu = ctx;
    bool connected = cu->connected;
    bool handshaking = cu->tls && !cu->tls_ready;
    cu->c = NULL;
    cu->tls = NULL;
    cu->connected = false;
    if (cu->p->done) return;
    if (handshaking) {
        char msg[300];
        curl_tls_eof(cu->u.host, cu->u.port, msg, sizeof msg);
        cu_fail(cu, 35, "%s", msg);
        return;
    }
    if (!connected) {
        cu_fail(cu, why == TCP_REASON_TIMEOUT ? 28 : 7,
                "Failed to connect to %s port %u after %lld ms: %s", cu->u.host, cu->u.port,
                cu_ms(cu, cu->conn_t0), tcp_reason_str(why));
    } else if (cu->in_response) {
        if (why == TCP_REASON_CLOSED)
            cu_eof(cu);
        else
            cu_fail(cu, 56, "Recv failure: %s", tcp_reason_str(why));
    }
}

/* ---- https: the same exchange over the TLS stand-in ---- */

static void cu_tls_put(void *ctx, const char *line)
{
    cu_info(ctx, "%s", line);
}

static void cu_tls_ready(void *ctx, struct tls_conn *tc)
{
    struct curl *cu = ctx;
    cu->tls_ready = true;
    if (cu->verbose)
        curl_tls_report(tls_conn_session(tc), cu->u.host, cu->insecure, cu_tls_put, cu);
    cu_send_request(cu);
}

static void cu_tls_recv(void *ctx, struct tls_conn *tc, const uint8_t *data, size_t len)
{
    (void)tc;
    cu_recv(ctx, NULL, data, len);
}

static void cu_tls_peer_closed(void *ctx, struct tls_conn *tc)
{
    (void)tc;
    struct curl *cu = ctx;
    if (cu->tls && !cu->tls_ready && !cu->p->done) {
        char msg[300];
        curl_tls_eof(cu->u.host, cu->u.port, msg, sizeof msg);
        cu_fail(cu, 35, "%s", msg);
        return;
    }
    cu_peer_closed(ctx, NULL);
}

static void cu_tls_closed(void *ctx, struct tls_conn *tc, enum tcp_reason why)
{
    (void)tc;
    cu_closed(ctx, NULL, why);
}

static void cu_tls_failed(void *ctx, struct tls_conn *tc, const struct tls_error *e)
{
    (void)tc;
    struct curl *cu = ctx;
    char msg[1024], vline[300];
    int code = curl_tls_failure(e, cu->u.host, cu->u.port, msg, sizeof msg, vline, sizeof vline);
    cu_info(cu, "%s", vline);
    cu_info(cu, "* Closing connection %d", cu->conn_no);
    cu_fail(cu, code, "%s", msg);
}

static void cu_tls_event(void *ctx, struct tls_conn *tc, const struct tls_event *ev)
{
    (void)tc;
    struct curl *cu = ctx;
    if (!cu->verbose) return;
    char line[160];
    curl_tls_event_line(ev, line, sizeof line);
    if (line[0]) cu_info(cu, "%s", line);
}

static const struct tls_conn_callbacks cu_tls = {
    .ready = cu_tls_ready,
    .recv = cu_tls_recv,
    .peer_closed = cu_tls_peer_closed,
    .closed = cu_tls_closed,
    .failed = cu_tls_failed,
    .event = cu_tls_event,
};

static void cu_connected(void *ctx, struct tcp_conn *c)
{
    struct curl *cu = ctx;
    char a[16];
    cu->connected = true;
    cu_info(cu, "* Connected to %s (%s) port %u (#%d)", cu->u.host, ip4_str(cu->addr, a),
            cu->u.port, cu->conn_no);
    if (!cu->u.https) {
        cu_send_request(cu);
        return;
    }
    struct tls_client_conf cf;
    curl_tls_conf(node_stack(cu->p->node), cu->u.host, cu->insecure, &cf);
    cu_info(cu, "* ALPN, offering %s", cf.alpn);
    cu_info(cu, "*  CAfile: /etc/ssl/certs/ca-certificates.crt");
    cu_info(cu, "*  CApath: /etc/ssl/certs");
    cu->tls_ready = false;
    cu->tls = tls_conn_client(c, &cf, &cu_tls, cu);
}

static const struct tcp_callbacks cu_tcp = {
    .connected = cu_connected,
    .recv = cu_recv,
    .peer_closed = cu_peer_closed,
    .closed = cu_closed,
};

static void cu_resolved(struct shell_proc *p, enum shell_res how, uint32_t addr)
{
    struct curl *cu = p->state;
    cu->lookup = NULL;
    if (p->done) return;
    if (how >= SHELL_RES_NOTFOUND) {
        cu_fail(cu, 6, "Could not resolve host: %s", cu->u.host);
        return;
    }
    char a[16];
    cu->addr = addr;
    cu->cu = cu->u;
    cu->conn_no = cu->conns++;
    cu->conn_t0 = sim_now(p->sim);
    cu_info(cu, "*   Trying %s:%u...", ip4_str(addr, a), cu->u.port);
    cu->connected = false;
    cu->c = tcp_connect(node_stack(p->node), addr, cu->u.port, &cu_tcp, cu);
    if (!cu->c)
        cu_fail(cu, 7, "Failed to connect to %s port %u after 0 ms: %s", cu->u.host, cu->u.port,
                tcp_reason_str(TCP_REASON_NO_ROUTE));
}

/* Fetches cu->u: over the open connection when it leads there. */
static void cu_start(struct curl *cu)
{
    if (cu->c && cu->connected && cu->keep && strcasecmp(cu->cu.host, cu->u.host) == 0 &&
        cu->cu.port == cu->u.port && cu->cu.https == cu->u.https) {
        cu_info(cu, "* Re-using existing connection! (#%d) with host %s", cu->conn_no, cu->u.host);
        cu_send_request(cu);
        return;
    }
    if (cu->c) {
        cu_info(cu, "* Closing connection %d", cu->conn_no);
        cu_drop_conn(cu);
    }
    cu->lookup = shell_resolve_async(cu->p, cu->u.host, cu_resolved);
}

static void cu_next_url(struct curl *cu)
{
    if (cu->next_url == cu->n_urls) {
        cu_exit(cu, 0);
        return;
    }
    char err[160];
    int rc = url_parse(cu->urls[cu->next_url++], &cu->u, err, sizeof err);
    if (rc) {
        cu_fail(cu, rc, "%s", err);
        return;
    }
    cu->req_method = cu->method ? cu->method : cu->head ? "HEAD" : cu->data ? "POST" : "GET";
    cu_start(cu);
}

static void cu_deadline(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct curl *cu = ctx;
    cu->deadline = (struct sim_timer){0, 0};
    long long ms = cu_ms(cu, cu->t0);
    if (!cu->connected && !cu->in_response)
        cu_fail(cu, 28, "Connection timed out after %lld milliseconds", ms);
    else
        cu_fail(cu, 28, "Operation timed out after %lld milliseconds with %llu bytes received", ms,
                (unsigned long long)cu->received);
}

/* ---- the process ---- */

static void curl_free(void *s)
{
    struct curl *cu = s;
    if (!cu) return;
    sim_cancel(cu->p->sim, &cu->deadline);
    shell_lookup_cancel(cu->lookup);
    cu_drop_conn(cu);
    free(cu->rp);
    free(cu->method);
    free(cu->data);
    free(cu->wfmt);
    free(cu->ua);
    for (int i = 0; i < cu->n_hdr; i++)
        free(cu->hdr[i]);
    for (int i = 0; i < cu->n_urls; i++)
        free(cu->urls[i]);
    free(cu);
}

static void curl_finish(struct shell_proc *p)
{
    /* interrupted: the kernel closes the socket of a killed curl */
    struct curl *cu = p->state;
    sim_cancel(p->sim, &cu->deadline);
    cu_drop_conn(cu);
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) abort();
    return d;
}

/* Options: a flag sets a bool of struct curl to `on`; a string option
 * (arg 1) keeps its value in a char * of struct curl (the last one wins);
 * the others (CO_OTHER) are handled one by one in curl_option. */
enum curl_opt_kind { CO_FLAG, CO_STRING, CO_OTHER };
#define CU_FLAG(f, on) CO_FLAG, offsetof(struct curl, f), on
#define CU_STRING(f)   CO_STRING, offsetof(struct curl, f), false
#define CU_OTHER       CO_OTHER, 0, false
static const struct {
    char short_name;
    const char *long_name;
    int arg;
    enum curl_opt_kind kind;
    size_t field;
    bool on;
} curl_opts[] = {
    {'i', "include", 0, CU_FLAG(include, true)},
    {'I', "head", 0, CU_FLAG(head, true)},
    {'v', "verbose", 0, CU_FLAG(verbose, true)},
    {'s', "silent", 0, CU_FLAG(silent, true)},
    {'S', "show-error", 0, CU_FLAG(show_error, true)},
    {'L', "location", 0, CU_FLAG(follow, true)},
    {'f', "fail", 0, CU_FLAG(fail, true)},
    {'k', "insecure", 0, CU_FLAG(insecure, true)},
    {'0', "http1.0", 0, CU_FLAG(http10, true)},
    {0, "http1.1", 0, CU_FLAG(http10, false)},
    {'X', "request", 1, CU_STRING(method)},
    {'H', "header", 1, CU_OTHER},
    {'d', "data", 1, CU_STRING(data)},
    {'A', "user-agent", 1, CU_STRING(ua)},
    {'o', "output", 1, CU_OTHER},
    {'w', "write-out", 1, CU_STRING(wfmt)},
    {'m', "max-time", 1, CU_OTHER},
};
#define N_CURL_OPTS (sizeof curl_opts / sizeof curl_opts[0])

/* Applies one option; false (with the message printed) ends curl. */
static bool curl_option(struct curl *cu, int k, const char *val, const char *shown)
{
    struct shell_proc *p = cu->p;
    double secs;
    char *at = (char *)cu + curl_opts[k].field;
    if (curl_opts[k].kind == CO_FLAG) {
        *(bool *)at = curl_opts[k].on;
        return true;
    }
    if (curl_opts[k].kind == CO_STRING) {
        free(*(char **)at);
        *(char **)at = xstrdup(val);
        return true;
    }
    switch (curl_opts[k].short_name) {
    case 'H':
        if (!strchr(val, ':')) break; /* curl ignores a header without a colon */
        if (cu->n_hdr == CURL_MAX_HDRS) {
            proc_printf(p, "curl: too many -H options\n");
            return false;
        }
        cu->hdr[cu->n_hdr++] = xstrdup(val);
        break;
    case 'o':
        if (strcmp(val, "/dev/null") != 0) {
            proc_printf(p, "curl: netstep hosts have no files: only -o /dev/null (which throws "
                           "the body away) is supported\n");
            return false;
        }
        cu->discard = true;
        break;
    case 'm':
        if (!shell_parse_num(val, 0.001, 86400, &secs)) {
            proc_printf(p, "curl: option %s: expected a proper numerical parameter\n%s", shown,
                        try_help);
            return false;
        }
        cu->max_time = (sim_time)(secs * (double)SIM_S);
        break;
    }
    return true;
}

void cmd_curl(struct shell_proc *p, int argc, char **argv)
{
    if (curl_ftps_wanted(argc, argv)) { /* FTPS: shell_curl_ftps.c */
        cmd_curl_ftps(p, argc, argv);
        return;
    }
    struct curl *cu = calloc(1, sizeof *cu);
    if (!cu) abort();
    cu->p = p;
    cu->last_nl = true;
    cu->t0 = sim_now(p->sim);
    p->state = cu;
    p->free_state = curl_free;
    p->finish = curl_finish;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] == '-' && a[2]) {
            size_t k = 0;
            while (k < N_CURL_OPTS && strcmp(curl_opts[k].long_name, a + 2) != 0)
                k++;
            if (k == N_CURL_OPTS) {
                proc_printf(p, "curl: option %s: is unknown\n%s", a, try_help);
                proc_exit(p, 2);
                return;
            }
            const char *val = NULL;
            if (curl_opts[k].arg) {
                if (i + 1 == argc) {
                    proc_printf(p, "curl: option %s: requires parameter\n%s", a, try_help);
                    proc_exit(p, 2);
                    return;
                }
                val = argv[++i];
            }
            if (!curl_option(cu, (int)k, val, a)) {
                proc_exit(p, 2);
                return;
            }
        } else if (a[0] == '-' && a[1]) {
            for (const char *o = a + 1; *o; o++) {
                size_t k = 0;
                while (k < N_CURL_OPTS && curl_opts[k].short_name != *o)
                    k++;
                char shown[4] = {'-', *o, 0, 0};
                if (k == N_CURL_OPTS || !*o) {
                    proc_printf(p, "curl: option %s: is unknown\n%s", shown, try_help);
                    proc_exit(p, 2);
                    return;
                }
                const char *val = NULL;
                if (curl_opts[k].arg) {
                    if (o[1]) {
                        val = o + 1;
                    } else if (i + 1 < argc) {
                        val = argv[++i];
                    } else {
                        proc_printf(p, "curl: option %s: requires parameter\n%s", shown, try_help);
                        proc_exit(p, 2);
                        return;
                    }
                }
                if (!curl_option(cu, (int)k, val, shown)) {
                    proc_exit(p, 2);
                    return;
                }
                if (val) break;
            }
        } else {
            if (cu->n_urls == CURL_MAX_URLS) {
                proc_printf(p, "curl: at most %d URLs here\n", CURL_MAX_URLS);
                proc_exit(p, 2);
                return;
            }
            cu->urls[cu->n_urls++] = xstrdup(a);
        }
    }
    if (!cu->n_urls) {
        proc_printf(p, "curl: no URL specified!\n%s", try_help);
        proc_exit(p, 2);
        return;
    }
    if (cu->head && cu->data) {
        proc_printf(p, "Warning: You can only select one HTTP request method! You asked for both "
                       "POST \nWarning: (-d, --data) and HEAD (-I, --head).\n");
        proc_exit(p, 2);
        return;
    }
    cu->rp = malloc(sizeof *cu->rp);
    if (!cu->rp) abort();
    http_resp_init(cu->rp, "GET");
    if (cu->max_time) cu->deadline = sim_schedule(p->sim, cu->max_time, cu_deadline, cu, 0);
    cu_next_url(cu);
}
