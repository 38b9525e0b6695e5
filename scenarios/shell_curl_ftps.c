/* shell_curl_ftps.c - `curl ftps://host/path`: FTP over implicit TLS
 * (FTPS, RFC 4217, port 990), as curl 7.81 does it, so that a student can
 * fetch a file from an FTPS server and see that the capture holds only
 * TLS records, on the control connection and on the data connection.
 *
 *   curl [-k] [-v] [-s] [-S] [-l] [-u user:password] [--ssl-reqd]
 *        ftps://[user[:password]@]host[:port]/path
 *
 * The exchange is curl's: TLS on the control connection (the certificate
 * checked as for https, refused with curl's (60) unless -k), the 220
 * greeting, USER and PASS (anonymous / ftp@example.com by default), PBSZ
 * 0 and PROT P (so the data connection is TLS too), PWD, a CWD per
 * directory of the path, EPSV (PASV when the server refuses it), TYPE I
 * and SIZE then RETR for a file, TYPE A and LIST (NLST with -l) for a
 * path ending in '/'; after 150 the TLS handshake on the data connection
 * (curl is the TLS client there too, RFC 4217 7), the data, 226, and
 * QUIT as curl sends it when it cleans up. The file or listing is
 * printed as it came (CR before LF dropped, as a terminal shows it); -v
 * prints the commands ("> USER anonymous") and replies ("< 230 Login
 * successful.") and the TLS lines. Errors are curl's: (6) unknown host,
 * (7) refused, (60) certificate, (67) "Access denied: 530", (9) a CWD
 * refused, (78) "RETR response: 550" for a missing file, (19) for other
 * refusals. One URL per command; plain ftp:// stays unsupported, as in
 * the HTTP curl. */
#include "shell_curl_ftps.h"
#include "shell_priv.h"
#include "shell_tls.h"
#include "protocols/tcp.h"
#include "protocols/tls.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CF_FTPS_PORT 990
#define CF_LINE_MAX  1024
#define CF_COMPS_MAX 16
#define CF_NAME_MAX  256

enum cf_state {
    CF_GREET,
    CF_USER,
    CF_PASS,
    CF_PBSZ,
    CF_PROT,
    CF_PWD,
    CF_CWD,
    CF_EPSV,
    CF_PASV,
    CF_TYPE,
    CF_SIZE,
    CF_XFER, /* RETR/LIST sent: waiting for 150 */
    CF_DATA, /* 150 came: data flows, waiting for 226 */
    CF_QUIT,
    CF_FINISH, /* done */
};

struct curl_ftps {
    struct shell_proc *p;
    bool verbose, silent, show_error, insecure, list_only;
    char user[128], pass[128];
    char host[256];
    uint16_t port;
    char comps[CF_COMPS_MAX][CF_NAME_MAX]; /* directories, then the file */
    int n_comps, cwd_next;
    bool is_dir; /* the path ends with '/': a listing */
    struct shell_lookup *lookup;
    uint32_t addr;
    /* the control connection */
    struct tcp_conn *c;
    struct tls_conn *tls;
    struct tls_client_conf cf;
    bool connected, tls_ready;
    char line[CF_LINE_MAX + 1];
    size_t llen;
    int multi; /* code of a multi-line reply under way, else 0 */
    enum cf_state st;
    /* the data connection */
    struct tcp_conn *dc;
    struct tls_conn *dtls;
    struct tls_client_conf dcf;
    uint16_t dport;
    bool d_connected, got_150, data_done, got_226;
    bool last_nl;
};

/* ---- output ---- */

static void cf_write(struct curl_ftps *f, const char *s, size_t n)
{
    if (!n) return;
    proc_write(f->p, s, n);
    f->last_nl = s[n - 1] == '\n';
}

static void cf_info(struct curl_ftps *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void cf_info(struct curl_ftps *f, const char *fmt, ...)
{
    if (!f->verbose || f->p->done) return;
    char buf[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (!f->last_nl) cf_write(f, "\n", 1);
    proc_printf(f->p, "%s\n", buf);
    f->last_nl = true;
}

/* Lets go of one connection: its TLS session, or the bare TCP one. */
static void cf_drop(struct tls_conn **tls, struct tcp_conn **c)
{
    if (*tls)
        tls_conn_forget(*tls);
    else if (*c) {
        tcp_set_callbacks(*c, NULL, NULL);
        tcp_abort(*c);
    }
    *tls = NULL;
    *c = NULL;
}

static void cf_detach(struct curl_ftps *f)
{
    cf_drop(&f->dtls, &f->dc);
    cf_drop(&f->tls, &f->c);
}

static void cf_exit(struct curl_ftps *f, int code)
{
    if (f->p->done) return;
    cf_detach(f);
    proc_exit(f->p, code);
}

static void cf_fail(struct curl_ftps *f, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cf_fail(struct curl_ftps *f, int code, const char *fmt, ...)
{
    if (f->p->done) return;
    if (!f->silent || f->show_error) {
        char buf[1200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        if (!f->last_nl) cf_write(f, "\n", 1);
        proc_printf(f->p, "curl: (%d) %s\n", code, buf);
    }
    cf_exit(f, code);
}

/* ---- the control connection ---- */

static void cf_send(struct curl_ftps *f, enum cf_state next, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cf_send(struct curl_ftps *f, enum cf_state next, const char *fmt, ...)
{
    char cmd[CF_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd - 2, fmt, ap);
    va_end(ap);
    cf_info(f, "> %s", cmd);
    size_t n = strlen(cmd);
    memcpy(cmd + n, "\r\n", 2);
    f->st = next;
    if (f->tls) tls_conn_send(f->tls, cmd, n + 2);
}

static void cf_next_dir(struct curl_ftps *f);

/* QUIT once both the 226 and the data connection's end are in. */
static void cf_maybe_quit(struct curl_ftps *f)
{
    if (f->st != CF_DATA || !f->got_226 || !f->data_done) return;
    cf_info(f, "* Connection #0 to host %s left intact", f->host);
    cf_send(f, CF_QUIT, "QUIT");
}

/* ---- the data connection ---- */

static void d_tls_recv(void *ctx, struct tls_conn *tc, const uint8_t *data, size_t len)
{
    (void)tc;
    struct curl_ftps *f = ctx;
    char *out = malloc(len ? len : 1);
    if (!out) abort();
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n') continue;
        out[k++] = (char)data[i];
    }
    cf_write(f, out, k);
    free(out);
}

static void d_tls_peer_closed(void *ctx, struct tls_conn *tc)
{
    struct curl_ftps *f = ctx;
    f->data_done = true;
    tls_conn_close(tc);
    cf_maybe_quit(f);
}

static void d_tls_closed(void *ctx, struct tls_conn *tc, enum tcp_reason why)
{
    (void)tc;
    struct curl_ftps *f = ctx;
    f->dtls = NULL;
    f->dc = NULL;
    if (why != TCP_REASON_CLOSED && !f->data_done) {
        cf_fail(f, 56, "Recv failure: %s", tcp_reason_str(why));
        return;
    }
    f->data_done = true;
    cf_maybe_quit(f);
}

static void d_tls_failed(void *ctx, struct tls_conn *tc, const struct tls_error *e)
{
    (void)tc;
    struct curl_ftps *f = ctx;
    char msg[1024], vline[300];
    int code = curl_tls_failure(e, f->host, f->dport, msg, sizeof msg, vline, sizeof vline);
    cf_info(f, "%s", vline);
    cf_fail(f, code, "%s", msg);
}

static void cf_tls_event(void *ctx, struct tls_conn *tc, const struct tls_event *ev)
{
    (void)tc;
    struct curl_ftps *f = ctx;
    if (!f->verbose) return;
    char line[160];
    curl_tls_event_line(ev, line, sizeof line);
    if (line[0]) cf_info(f, "%s", line);
}

static const struct tls_conn_callbacks d_tls_cb = {
    .recv = d_tls_recv,
    .peer_closed = d_tls_peer_closed,
    .closed = d_tls_closed,
    .failed = d_tls_failed,
    .event = cf_tls_event,
};

/* RFC 4217 7: the FTP client is the TLS client of the data connection. */
static void d_start_tls(struct curl_ftps *f)
{
    if (!f->d_connected || !f->got_150 || f->dtls || !f->dc) return;
    cf_info(f, "* Doing the SSL/TLS handshake on the data stream");
    curl_tls_conf(node_stack(f->p->node), f->host, f->insecure, &f->dcf);
    f->dcf.alpn = NULL; /* curl offers ALPN for HTTP only */
    f->dtls = tls_conn_client(f->dc, &f->dcf, &d_tls_cb, f);
}

static void d_connected(void *ctx, struct tcp_conn *c)
{
    (void)c;
    struct curl_ftps *f = ctx;
    char a[16];
    f->d_connected = true;
    cf_info(f, "* Connected to %s (%s) port %u (#0)", f->host, ip4_str(f->addr, a), f->dport);
    d_start_tls(f);
}

static void d_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    struct curl_ftps *f = ctx;
    f->dc = NULL;
    cf_fail(f, 7, "Failed to connect to %s port %u after 0 ms: %s", f->host, f->dport,
            tcp_reason_str(why));
}

static const struct tcp_callbacks d_tcp_cb = {.connected = d_connected, .closed = d_closed};

static void d_open(struct curl_ftps *f, uint16_t port)
{
    char a[16];
    f->dport = port;
    cf_info(f, "*   Trying %s:%u...", ip4_str(f->addr, a), port);
    f->dc = tcp_connect(node_stack(f->p->node), f->addr, port, &d_tcp_cb, f);
    if (!f->dc) {
        cf_fail(f, 7, "Failed to connect to %s port %u after 0 ms: %s", f->host, port,
                tcp_reason_str(TCP_REASON_NO_ROUTE));
        return;
    }
    cf_send(f, CF_TYPE, "TYPE %c", f->is_dir ? 'A' : 'I');
}

/* "229 Entering Extended Passive Mode (|||41234|)" */
static bool parse_epsv(const char *text, uint16_t *port)
{
    const char *o = strchr(text, '(');
    unsigned p;
    char d1, d2, d3, d4;
    if (!o || sscanf(o + 1, "%c%c%c%u%c", &d1, &d2, &d3, &p, &d4) != 5) return false;
    if (d1 != d2 || d2 != d3 || d3 != d4 || !p || p > 65535) return false;
    *port = (uint16_t)p;
    return true;
}

/* "227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)." - curl connects to the
 * control connection's address whatever h1-h4 say (--ftp-skip-pasv-ip). */
static bool parse_pasv(const char *text, uint16_t *port)
{
    const char *o = strchr(text, '(');
    unsigned h[4], p1, p2;
    if (!o || sscanf(o + 1, "%u,%u,%u,%u,%u,%u", &h[0], &h[1], &h[2], &h[3], &p1, &p2) != 6)
        return false;
    if (p1 > 255 || p2 > 255 || !(p1 | p2)) return false;
    *port = (uint16_t)(p1 * 256 + p2);
    return true;
}

/* ---- replies ---- */

static const char *cf_file(const struct curl_ftps *f)
{
    return f->comps[f->n_comps - 1];
}

static void cf_next_dir(struct curl_ftps *f)
{
    int dirs = f->is_dir ? f->n_comps : f->n_comps - 1;
    if (f->cwd_next < dirs) {
        cf_send(f, CF_CWD, "CWD %s", f->comps[f->cwd_next++]);
        return;
    }
    cf_send(f, CF_EPSV, "EPSV");
    cf_info(f, "* Connect data stream passively");
}

static void cf_reply(struct curl_ftps *f, int code, const char *text)
{
    switch (f->st) {
    case CF_GREET:
        if (code != 220) {
            cf_fail(f, 8, "Got a %03d ftp-server response when 220 was expected", code);
            return;
        }
        cf_send(f, CF_USER, "USER %s", f->user);
        break;
    case CF_USER:
    case CF_PASS:
        if (code == 331 && f->st == CF_USER) {
            cf_send(f, CF_PASS, "PASS %s", f->pass);
        } else if (code == 230) {
            cf_send(f, CF_PBSZ, "PBSZ 0");
        } else {
            cf_fail(f, 67, "Access denied: %03d", code);
        }
        break;
    case CF_PBSZ:
        cf_send(f, CF_PROT, "PROT P");
        break;
    case CF_PROT:
        if (code / 100 != 2) {
            cf_fail(f, 64, "PROT P failed: %03d", code);
            return;
        }
        cf_send(f, CF_PWD, "PWD");
        break;
    case CF_PWD: {
        const char *q = strchr(text, '"'), *e = q ? strchr(q + 1, '"') : NULL;
        if (code == 257 && q && e) cf_info(f, "* Entry path is '%.*s'", (int)(e - q - 1), q + 1);
        cf_next_dir(f);
        break;
    }
    case CF_CWD:
        if (code / 100 != 2) {
            cf_fail(f, 9, "Server denied you to change to the given directory");
            return;
        }
        cf_next_dir(f);
        break;
    case CF_EPSV: {
        uint16_t port;
        if (code == 229 && parse_epsv(text, &port)) {
            d_open(f, port);
        } else {
            cf_info(f, "* disabling EPSV usage");
            cf_send(f, CF_PASV, "PASV");
        }
        break;
    }
    case CF_PASV: {
        uint16_t port;
        if (code != 227 || !parse_pasv(text, &port)) {
            cf_fail(f, 13, "Bad PASV/EPSV response: %03d", code);
            return;
        }
        d_open(f, port);
        break;
    }
    case CF_TYPE:
        if (code / 100 != 2) {
            cf_fail(f, 17, "Couldn't set desired mode");
            return;
        }
        if (f->is_dir)
            cf_send(f, CF_XFER, "%s", f->list_only ? "NLST" : "LIST");
        else
            cf_send(f, CF_SIZE, "SIZE %s", cf_file(f));
        break;
    case CF_SIZE:
        cf_send(f, CF_XFER, "RETR %s", cf_file(f));
        break;
    case CF_XFER:
        if (code == 150 || code == 125) {
            f->got_150 = true;
            f->st = CF_DATA;
            d_start_tls(f);
            break;
        }
        cf_fail(f, !f->is_dir && code == 550 ? 78 : 19, "RETR response: %03d", code);
        break;
    case CF_DATA:
        if (code / 100 != 2) {
            cf_fail(f, 18, "server did not report OK, got %03d", code);
            return;
        }
        f->got_226 = true;
        cf_maybe_quit(f);
        break;
    case CF_QUIT:
        cf_info(f, "* Closing connection 0");
        f->st = CF_FINISH;
        cf_exit(f, 0);
        break;
    case CF_FINISH:
        break;
    }
}

static void cf_line(struct curl_ftps *f, const char *l, size_t n)
{
    cf_info(f, "< %.*s", (int)n, l);
    bool digits = n >= 3 && isdigit((unsigned char)l[0]) && isdigit((unsigned char)l[1]) &&
                  isdigit((unsigned char)l[2]);
    int code = digits ? (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0') : 0;
    if (f->multi) { /* RFC 959 4.2: ends at "code " */
        if (code == f->multi && (n == 3 || l[3] == ' ')) {
            f->multi = 0;
            cf_reply(f, code, l);
        }
        return;
    }
    if (!digits) return;
    if (n > 3 && l[3] == '-') {
        f->multi = code;
        return;
    }
    cf_reply(f, code, l);
}

static void c_tls_recv(void *ctx, struct tls_conn *tc, const uint8_t *data, size_t len)
{
    (void)tc;
    struct curl_ftps *f = ctx;
    for (size_t i = 0; i < len && !f->p->done; i++) {
        if (data[i] != '\n') {
            if (f->llen < CF_LINE_MAX) f->line[f->llen++] = (char)data[i];
            continue;
        }
        size_t n = f->llen;
        if (n && f->line[n - 1] == '\r') n--;
        f->line[n] = 0;
        f->llen = 0;
        cf_line(f, f->line, n);
    }
}

static void c_tls_ready(void *ctx, struct tls_conn *tc)
{
    struct curl_ftps *f = ctx;
    f->tls_ready = true;
    if (f->verbose) {
        const struct tls_session *s = tls_conn_session(tc);
        char line[400];
        snprintf(line, sizeof line, "* SSL connection using TLSv1.3 / %s", TLS_SUITE_NAME);
        cf_info(f, "%s", line);
        cf_info(f, "*  (netstep: " TLS_TOY_NOTE "; the suite named is not what runs)");
        const struct tls_cert *c = tls_session_peer_cert(s);
        if (c) {
            cf_info(f, "* Server certificate:");
            cf_info(f, "*  subject: CN=%s", c->subject);
            cf_info(f, "*  issuer: CN=%s", c->issuer);
            int v = tls_session_verify_result(s);
            if (v == TLS_V_OK)
                cf_info(f, "*  SSL certificate verify ok.");
            else
                cf_info(f, "*  SSL certificate verify result: %s (%d), continuing anyway.",
                        tls_verify_str(v), v);
        }
    }
}

static void c_tls_peer_closed(void *ctx, struct tls_conn *tc)
{
    (void)tc;
    struct curl_ftps *f = ctx;
    if (f->st == CF_QUIT || f->st == CF_FINISH) {
        cf_exit(f, 0);
        return;
    }
    if (!f->tls_ready) {
        char msg[300];
        curl_tls_eof(f->host, f->port, msg, sizeof msg);
        cf_fail(f, 35, "%s", msg);
        return;
    }
    cf_fail(f, 8, "Weird server reply: the server closed the control connection");
}

static void c_tls_closed(void *ctx, struct tls_conn *tc, enum tcp_reason why)
{
    (void)tc;
    struct curl_ftps *f = ctx;
    f->tls = NULL;
    f->c = NULL;
    if (f->p->done) return;
    if (f->st == CF_QUIT || f->st == CF_FINISH) {
        cf_exit(f, 0);
        return;
    }
    cf_fail(f, 56, "Recv failure: %s", tcp_reason_str(why));
}

static void c_tls_failed(void *ctx, struct tls_conn *tc, const struct tls_error *e)
{
    (void)tc;
    struct curl_ftps *f = ctx;
    char msg[1024], vline[300];
    int code = curl_tls_failure(e, f->host, f->port, msg, sizeof msg, vline, sizeof vline);
    cf_info(f, "%s", vline);
    cf_info(f, "* Closing connection 0");
    cf_fail(f, code, "%s", msg);
}

static const struct tls_conn_callbacks c_tls_cb = {
    .ready = c_tls_ready,
    .recv = c_tls_recv,
    .peer_closed = c_tls_peer_closed,
    .closed = c_tls_closed,
    .failed = c_tls_failed,
    .event = cf_tls_event,
};

static void c_connected(void *ctx, struct tcp_conn *c)
{
    struct curl_ftps *f = ctx;
    char a[16];
    f->connected = true;
    cf_info(f, "* Connected to %s (%s) port %u (#0)", f->host, ip4_str(f->addr, a), f->port);
    curl_tls_conf(node_stack(f->p->node), f->host, f->insecure, &f->cf);
    f->cf.alpn = NULL;
    cf_info(f, "*  CAfile: /etc/ssl/certs/ca-certificates.crt");
    cf_info(f, "*  CApath: /etc/ssl/certs");
    f->tls = tls_conn_client(c, &f->cf, &c_tls_cb, f);
}

static void c_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    struct curl_ftps *f = ctx;
    f->c = NULL;
    cf_fail(f, why == TCP_REASON_TIMEOUT ? 28 : 7, "Failed to connect to %s port %u after 0 ms: %s",
            f->host, f->port, tcp_reason_str(why));
}

static const struct tcp_callbacks c_tcp_cb = {.connected = c_connected, .closed = c_closed};

static void cf_resolved(struct shell_proc *p, enum shell_res how, uint32_t addr)
{
    struct curl_ftps *f = p->state;
    f->lookup = NULL;
    if (p->done) return;
    if (how >= SHELL_RES_NOTFOUND) {
        cf_fail(f, 6, "Could not resolve host: %s", f->host);
        return;
    }
    char a[16];
    f->addr = addr;
    cf_info(f, "*   Trying %s:%u...", ip4_str(addr, a), f->port);
    f->c = tcp_connect(node_stack(p->node), addr, f->port, &c_tcp_cb, f);
    if (!f->c)
        cf_fail(f, 7, "Failed to connect to %s port %u after 0 ms: %s", f->host, f->port,
                tcp_reason_str(TCP_REASON_NO_ROUTE));
}

/* ---- the command line ---- */

static void cf_free(void *st)
{
    struct curl_ftps *f = st;
    if (!f) return;
    shell_lookup_cancel(f->lookup);
    cf_detach(f);
    free(f);
}

static void cf_finish(struct shell_proc *p)
{
    struct curl_ftps *f = p->state;
    shell_lookup_cancel(f->lookup);
    f->lookup = NULL;
    cf_detach(f);
}

static int hexval(char c)
{
    return isdigit((unsigned char)c)    ? c - '0'
           : isxdigit((unsigned char)c) ? (tolower(c) - 'a' + 10)
                                        : -1;
}

/* Copies n bytes of a URL part, %XX decoded; false when it does not fit
 * or decodes to a control character or a slash. */
static bool url_part(char *out, size_t cap, const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
            i += 2;
        }
        if (c < 0x20 || c == 0x7f || c == '/' || k + 1 >= cap) return false;
        out[k++] = (char)c;
    }
    out[k] = 0;
    return true;
}

static bool is_ftps_url(const char *a)
{
    return strncasecmp(a, "ftps://", 7) == 0;
}

/* ftps://[user[:password]@]host[:port]/path; false when malformed. */
static bool cf_url(struct curl_ftps *f, const char *url)
{
    const char *rest = url + 7;
    size_t alen = strcspn(rest, "/?#");
    const char *auth = rest, *at = NULL;
    for (size_t i = 0; i < alen; i++)
        if (auth[i] == '@') at = auth + i;
    if (at) {
        const char *colon = memchr(auth, ':', (size_t)(at - auth));
        size_t ul = colon ? (size_t)(colon - auth) : (size_t)(at - auth);
        if (!url_part(f->user, sizeof f->user, auth, ul)) return false;
        if (colon && !url_part(f->pass, sizeof f->pass, colon + 1, (size_t)(at - colon - 1)))
            return false;
        alen -= (size_t)(at + 1 - auth);
        auth = at + 1;
    }
    const char *colon = memchr(auth, ':', alen);
    size_t hlen = colon ? (size_t)(colon - auth) : alen;
    if (!hlen || hlen >= sizeof f->host) return false;
    memcpy(f->host, auth, hlen);
    f->host[hlen] = 0;
    f->port = CF_FTPS_PORT;
    if (colon) {
        char num[8];
        size_t pl = alen - hlen - 1;
        double v;
        if (!pl || pl >= sizeof num) return false;
        memcpy(num, colon + 1, pl);
        num[pl] = 0;
        if (!shell_parse_num(num, 1, 65535, &v)) return false;
        f->port = (uint16_t)v;
    }
    const char *path = auth + alen;
    if (*path == '/') path++;
    size_t plen = strcspn(path, "?#");
    f->is_dir = plen == 0 || path[plen - 1] == '/';
    size_t i = 0;
    while (i < plen) {
        size_t e = i;
        while (e < plen && path[e] != '/')
            e++;
        if (e > i) { /* empty parts (//) are skipped */
            if (f->n_comps == CF_COMPS_MAX) return false;
            if (!url_part(f->comps[f->n_comps], CF_NAME_MAX, path + i, e - i)) return false;
            f->n_comps++;
        }
        i = e + 1;
    }
    if (!f->is_dir && !f->n_comps) f->is_dir = true;
    return true;
}

bool curl_ftps_wanted(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (is_ftps_url(argv[i])) return true;
    return false;
}

static const char try_help[] = "curl: try 'curl --help' or 'curl --manual' for more information\n";

void cmd_curl_ftps(struct shell_proc *p, int argc, char **argv)
{
    struct curl_ftps *f = calloc(1, sizeof *f);
    if (!f) abort();
    f->p = p;
    f->last_nl = true;
    p->state = f;
    p->free_state = cf_free;
    p->finish = cf_finish;
    snprintf(f->user, sizeof f->user, "anonymous");
    snprintf(f->pass, sizeof f->pass, "ftp@example.com");
    const char *url = NULL, *userpass = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-k") || !strcmp(a, "--insecure"))
            f->insecure = true;
        else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
            f->verbose = true;
        else if (!strcmp(a, "-s") || !strcmp(a, "--silent"))
            f->silent = true;
        else if (!strcmp(a, "-S") || !strcmp(a, "--show-error"))
            f->show_error = true;
        else if (!strcmp(a, "-l") || !strcmp(a, "--list-only"))
            f->list_only = true;
        else if (!strcmp(a, "--ssl-reqd") || !strcmp(a, "--ftp-ssl") || !strcmp(a, "--ssl") ||
                 !strcmp(a, "--ftp-pasv"))
            ; /* ftps:// is TLS already, and passive is the default */
        else if ((!strcmp(a, "-u") || !strcmp(a, "--user")) && i + 1 < argc)
            userpass = argv[++i];
        else if (a[0] == '-' && a[1]) {
            proc_printf(p,
                        "curl: option %s: is unknown (netstep's curl takes -k -v -s -S -l -u "
                        "with ftps://)\n%s",
                        a, try_help);
            proc_exit(p, 2);
            return;
        } else if (url) {
            proc_printf(p, "curl: netstep's curl takes one ftps:// URL at a time\n");
            proc_exit(p, 2);
            return;
        } else {
            url = a;
        }
    }
    if (!url || !is_ftps_url(url) || !cf_url(f, url)) {
        if (url && !is_ftps_url(url))
            proc_printf(p, "curl: netstep's curl takes one ftps:// URL at a time\n");
        else
            proc_printf(p, "curl: (3) URL using bad/illegal format or missing URL\n");
        proc_exit(p, url && !is_ftps_url(url) ? 2 : 3);
        return;
    }
    if (userpass) {
        const char *colon = strchr(userpass, ':');
        size_t ul = colon ? (size_t)(colon - userpass) : strlen(userpass);
        snprintf(f->user, sizeof f->user, "%.*s", (int)ul, userpass);
        snprintf(f->pass, sizeof f->pass, "%s", colon ? colon + 1 : "");
    }
    f->lookup = shell_resolve_async(p, f->host, cf_resolved);
}
