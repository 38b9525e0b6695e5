/* shell_tls.c - the TLS side of the shell's clients: curl's -v narration
 * of TLS 1.3 (the lines OpenSSL's message callback gives curl 7.81), its
 * "Server certificate" report and its certificate errors with the real
 * hint text (see shell_tls.h); and `openssl s_client`, the tool for
 * talking to a TLS server by hand - the telnet of SMTPS, POP3S and IMAPS:
 *
 *   openssl s_client -connect HOST:PORT [-crlf] [-quiet] [-servername NAME]
 *                    [-verify_return_error] [-brief] [-starttls smtp [-name NAME]]
 *
 * It prints what OpenSSL 3.0's prints: "CONNECTED(00000003)", the
 * verification of each certificate ("depth=0 CN = web", "verify
 * error:num=18:self-signed certificate", "verify return:1"), the chain and
 * the session ("New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", "Verify
 * return code: 0 (ok)"), then what the server sends, decrypted. Typed
 * lines (`input`) are sent once the handshake is done, paced as a person
 * types them (shell_typist.h), ended by LF, or CRLF with -crlf. As in the real tool, unless -quiet
 * is given a line starting with 'Q' ends the session and one starting with 'R' asks for a
 * renegotiation instead of being sent ("RENEGOTIATING") - type commands in
 * lower case, or use -quiet. Like telnet, input ends after the last line:
 * when nothing has arrived for 2 s, s_client closes ("DONE"). An
 * unverifiable certificate is reported and the session goes on, unless
 * -verify_return_error.
 *
 * -starttls smtp talks SMTP in the clear first (smtp_starttls.h: greeting,
 * "EHLO mail.example.com" or -name, STARTTLS, the 220 reply), printing
 * none of it, as OpenSSL does, then runs the handshake on the same TCP
 * connection; the typed lines go over TLS, so the session starts with the
 * client's second EHLO (RFC 3207 4.2). */
#include "shell_tls.h"
#include "shell_priv.h"
#include "shell_typist.h"
#include "protocols/smtp_starttls.h"
#include "protocols/stack.h"
#include "protocols/tcp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* curl's ssl_msg_type(): handshake message names, also used (as curl
 * does) for a record header's content type. */
static const char *curl_msg_name(unsigned t)
{
    switch (t) {
    case 0:
        return "Hello request";
    case 1:
        return "Client hello";
    case 2:
        return "Server hello";
    case 4:
        return "Newsession Ticket";
    case 5:
        return "End of early data";
    case 8:
        return "Encrypted Extensions";
    case 11:
        return "Certificate";
    case 12:
        return "Server key exchange";
    case 13:
        return "Request CERT";
    case 14:
        return "Server finished";
    case 15:
        return "CERT verify";
    case 16:
        return "Client key exchange";
    case 20:
        return "Finished";
    case 22:
        return "Certificate Status";
    case 23:
        return "Supplemental data";
    case 24:
        return "Key update";
    default:
        return "Unknown";
    }
}

void curl_tls_event_line(const struct tls_event *ev, char *buf, size_t n)
{
    const char *dir = ev->out ? "OUT" : "IN";
    buf[0] = 0;
    switch (ev->kind) {
    case TLS_EV_RECORD:
        snprintf(buf, n,
                 "* %s (%s), TLS header, %s (%u):", ev->version == TLS_V10 ? "TLSv1.0" : "TLSv1.2",
                 dir, curl_msg_name(ev->type), ev->type);
        break;
    case TLS_EV_HANDSHAKE:
        snprintf(buf, n, "* TLSv1.3 (%s), TLS handshake, %s (%u):", dir, curl_msg_name(ev->type),
                 ev->type);
        break;
    case TLS_EV_CCS:
        if (ev->out)
            snprintf(buf, n, "* TLSv1.3 (OUT), TLS change cipher, Change cipher spec (1):");
        break;
    case TLS_EV_ALERT:
        snprintf(buf, n, "* TLSv1.3 (%s), TLS alert, %s (%u):", dir, tls_alert_openssl(ev->type),
                 (unsigned)ev->level << 8 | ev->type);
        break;
    default:
        break;
    }
}

void curl_tls_conf(struct netstack *st, const char *host, bool insecure, struct tls_client_conf *cf)
{
    memset(cf, 0, sizeof *cf);
    cf->sni = host;
    cf->alpn = "http/1.1";
    cf->verify = !insecure;
    cf->trusted = tls_node_trusted(st, &cf->n_trusted);
    cf->now = TLS_EPOCH + sim_now(st->sim) / SIM_S;
}

void curl_tls_report(const struct tls_session *s, const char *host, bool insecure,
                     void (*put)(void *ctx, const char *line), void *ctx)
{
    char line[400], t[40];
    const struct tls_cert *c = tls_session_peer_cert(s);
    snprintf(line, sizeof line, "* SSL connection using TLSv1.3 / %s", TLS_SUITE_NAME);
    put(ctx, line);
    put(ctx, "*  (netstep: " TLS_TOY_NOTE "; the suite named is not what runs)");
    const char *alpn = tls_session_alpn(s);
    if (alpn[0]) {
        snprintf(line, sizeof line, "* ALPN, server accepted to use %s", alpn);
        put(ctx, line);
    } else {
        put(ctx, "* ALPN, server did not agree to a protocol");
    }
    if (!c) return;
    put(ctx, "* Server certificate:");
    snprintf(line, sizeof line, "*  subject: CN=%s", c->subject);
    put(ctx, line);
    snprintf(line, sizeof line, "*  start date: %s", tls_time_str(c->not_before, t, sizeof t));
    put(ctx, line);
    snprintf(line, sizeof line, "*  expire date: %s", tls_time_str(c->not_after, t, sizeof t));
    put(ctx, line);
    const char *m = tls_session_matched_name(s);
    if (!insecure && m) {
        snprintf(line, sizeof line, "*  subjectAltName: host \"%s\" matched cert's \"%s\"", host,
                 m);
        put(ctx, line);
    }
    snprintf(line, sizeof line, "*  issuer: CN=%s", c->issuer);
    put(ctx, line);
    int v = tls_session_verify_result(s);
    if (v == TLS_V_OK) {
        put(ctx, "*  SSL certificate verify ok.");
    } else {
        snprintf(line, sizeof line, "*  SSL certificate verify result: %s (%d), continuing anyway.",
                 tls_verify_str(v), v);
        put(ctx, line);
    }
}

static const char hint[] = "\nMore details here: https://curl.se/docs/sslcerts.html\n\n"
                           "curl failed to verify the legitimacy of the server and therefore "
                           "could not\nestablish a secure connection to it. To learn more about "
                           "this situation and\nhow to fix it, please visit the web page "
                           "mentioned above.";

int curl_tls_failure(const struct tls_error *e, const char *host, unsigned port, char *msg,
                     size_t n, char *vline, size_t vn)
{
    if (e->verify == TLS_V_HOSTNAME) {
        snprintf(vline, vn, "*  subjectAltName does not match %s", host);
        snprintf(msg, n,
                 "SSL: no alternative certificate subject name matches target host name "
                 "'%s'%s",
                 host, hint);
        return 60;
    }
    if (e->verify) {
        snprintf(vline, vn, "* SSL certificate problem: %s", tls_verify_str(e->verify));
        snprintf(msg, n, "SSL certificate problem: %s%s", tls_verify_str(e->verify), hint);
        return 60;
    }
    if (!e->sent) {
        snprintf(vline, vn, "* OpenSSL SSL_connect: tlsv1 alert %s in connection to %s:%u ",
                 tls_alert_openssl(e->alert), host, port);
        snprintf(msg, n, "OpenSSL SSL_connect: tlsv1 alert %s in connection to %s:%u ",
                 tls_alert_openssl(e->alert), host, port);
        return 35;
    }
    snprintf(vline, vn, "* OpenSSL SSL_connect: %s in connection to %s:%u ",
             tls_alert_openssl(e->alert), host, port);
    snprintf(msg, n, "OpenSSL SSL_connect: %s in connection to %s:%u ", tls_alert_openssl(e->alert),
             host, port);
    return 35;
}

void curl_tls_eof(const char *host, unsigned port, char *msg, size_t n)
{
    snprintf(msg, n, "OpenSSL SSL_connect: Connection reset by peer in connection to %s:%u ", host,
             port);
}

/* ---- openssl s_client ---- */

#define SCLIENT_QUIET (2 * SIM_S)

struct sclient {
    struct shell_proc *p;
    struct shell_lookup *lookup;
    struct tcp_conn *c;
    struct tls_conn *tls;
    struct tls_client_conf cf;
    char host[256], sni[256];
    uint16_t port;
    bool crlf, quiet, brief, verify_error;
    bool starttls;                /* -starttls smtp: SMTP in the clear first */
    struct smtp_starttls stls;    /* ... its dialogue */
    char stls_name[256];          /* -name */
    uint64_t plain_in, plain_out; /* bytes of it each way */
    bool ready, closing, done;
    struct typist ty; /* the lines typed */
    struct sim_timer idle;
    uint64_t read, written;
    bool last_nl;
};

static void sc_idle(struct sim *sim, void *ctx, uint64_t arg);

static void sc_arm(struct sclient *sc)
{
    sim_cancel(sc->p->sim, &sc->idle);
    sc->idle = sim_schedule(sc->p->sim, SCLIENT_QUIET, sc_idle, sc, 0);
}

static void sc_detach(struct sclient *sc)
{
    if (sc->tls) {
        tls_conn_forget(sc->tls);
    } else if (sc->c) {
        tcp_set_callbacks(sc->c, NULL, NULL);
        tcp_close(sc->c);
    }
    sc->tls = NULL;
    sc->c = NULL;
}

static void sc_end(struct sclient *sc, const char *msg, int code)
{
    if (sc->p->done) return;
    sim_cancel(sc->p->sim, &sc->idle);
    typist_close(&sc->ty);
    if (msg) proc_printf(sc->p, "%s%s\n", sc->last_nl ? "" : "\n", msg);
    sc_detach(sc);
    proc_exit(sc->p, code);
}

static void sc_free(void *st)
{
    struct sclient *sc = st;
    if (!sc) return;
    sim_cancel(sc->p->sim, &sc->idle);
    typist_free(&sc->ty);
    shell_lookup_cancel(sc->lookup);
    sc_detach(sc);
    free(sc);
}

static void sc_finish(struct shell_proc *p)
{
    struct sclient *sc = p->state;
    sim_cancel(p->sim, &sc->idle);
    typist_close(&sc->ty);
    sc_detach(sc);
}

static void sc_send_line(void *ctx, const char *line)
{
    struct sclient *sc = ctx;
    sc_arm(sc);
    if (!sc->quiet && line[0] == 'Q') {
        sc->closing = true;
        typist_close(&sc->ty);
        proc_printf(sc->p, "%sDONE\n", sc->last_nl ? "" : "\n");
        sc->last_nl = true;
        tls_conn_close(sc->tls);
        return;
    }
    if (!sc->quiet && line[0] == 'R') {
        /* s_client's command: the line is not sent */
        proc_printf(sc->p, "%sRENEGOTIATING\n", sc->last_nl ? "" : "\n");
        sc->last_nl = true;
        return;
    }
    size_t n = strlen(line);
    tls_conn_send(sc->tls, line, n);
    tls_conn_send(sc->tls, sc->crlf ? "\r\n" : "\n", sc->crlf ? 2 : 1);
}

static void sc_verify_lines(struct sclient *sc, const struct tls_session *s)
{
    const struct tls_cert *c = tls_session_peer_cert(s);
    if (!c) return;
    int v = tls_session_verify_result(s);
    struct shell_proc *p = sc->p;
    if (v == TLS_V_OK && strcmp(c->subject, c->issuer) != 0)
        proc_printf(p, "depth=1 CN = %s\nverify return:1\n", c->issuer);
    proc_printf(p, "depth=0 CN = %s\n", c->subject);
    if (v) {
        proc_printf(p, "verify error:num=%d:%s\nverify return:1\n", v, tls_verify_str(v));
        if (v == TLS_V_NO_LOCAL_ISSUER)
            proc_printf(p,
                        "depth=0 CN = %s\nverify error:num=21:unable to verify the first "
                        "certificate\nverify return:1\n",
                        c->subject);
        proc_printf(p, "depth=0 CN = %s\n", c->subject);
    }
    proc_printf(p, "verify return:1\n");
}

static void sc_ready(void *ctx, struct tls_conn *tc)
{
    struct sclient *sc = ctx;
    const struct tls_session *s = tls_conn_session(tc);
    const struct tls_cert *c = tls_session_peer_cert(s);
    int v = tls_session_verify_result(s);
    struct shell_proc *p = sc->p;
    sc->ready = true;
    sc_verify_lines(sc, s);
    if (sc->verify_error && v) {
        proc_printf(p, "%s\n", tls_verify_str(v));
        sc_end(sc, NULL, 1);
        return;
    }
    char t1[40], t2[40];
    if (sc->brief) {
        proc_printf(p, "CONNECTION ESTABLISHED\nProtocol version: TLSv1.3\nCiphersuite: %s\n",
                    TLS_SUITE_NAME);
        if (c) proc_printf(p, "Peer certificate: CN = %s\n", c->subject);
        proc_printf(p, "Verification: %s\n", v ? tls_verify_str(v) : "OK");
    } else if (!sc->quiet && c) {
        proc_printf(p,
                    "---\nCertificate chain\n 0 s:CN = %s\n   i:CN = %s\n   a:PKEY: toy-group-61, "
                    "61 (bit); sigalg: toy-schnorr-61\n   v:NotBefore: %s; NotAfter: %s\n---\n"
                    "Server certificate\n%.*s---\nsubject=CN = %s\n\nissuer=CN = %s\n\n---\n"
                    "No client certificate CA names sent\n---\n"
                    "SSL handshake has read %llu bytes and written %llu bytes\n"
                    "Verification%s%s\n---\n"
                    "New, TLSv1.3, Cipher is %s\n(netstep: " TLS_TOY_NOTE ")\n"
                    "Protocol  : TLSv1.3\n",
                    c->subject, c->issuer, tls_time_str(c->not_before, t1, sizeof t1),
                    tls_time_str(c->not_after, t2, sizeof t2), (int)c->len, c->text, c->subject,
                    c->issuer, (unsigned long long)sc->read, (unsigned long long)sc->written,
                    v ? " error: " : ": ", v ? tls_verify_str(v) : "OK", TLS_SUITE_NAME);
        const char *alpn = tls_session_alpn(s);
        proc_printf(p, "ALPN protocol: %s\nVerify return code: %d (%s)\n---\n",
                    alpn[0] ? alpn : "None", v, v ? tls_verify_str(v) : "ok");
    }
    sc->last_nl = true;
    sc_arm(sc);
    /* the first typed line waits for a greeting, if the server sends one */
    typist_open(&sc->ty);
}

static void sc_recv(void *ctx, struct tls_conn *tc, const uint8_t *data, size_t len)
{
    (void)tc;
    struct sclient *sc = ctx;
    /* as a terminal shows it: CR before LF dropped */
    char *out = malloc(len ? len : 1);
    if (!out) abort();
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n') continue;
        if (data[i] == 0) continue;
        out[k++] = (char)data[i];
    }
    if (k) {
        proc_write(sc->p, out, k);
        sc->last_nl = out[k - 1] == '\n';
    }
    free(out);
    if (!sc->closing) sc_arm(sc);
    typist_heard(&sc->ty);
}

static void sc_peer_closed(void *ctx, struct tls_conn *tc)
{
    (void)tc;
    struct sclient *sc = ctx;
    sc_end(sc, sc->closing ? NULL : "closed", 0);
}

static void sc_closed(void *ctx, struct tls_conn *tc, enum tcp_reason why)
{
    (void)tc;
    struct sclient *sc = ctx;
    sc->tls = NULL;
    sc->c = NULL;
    if (sc->closing || why == TCP_REASON_CLOSED)
        sc_end(sc, sc->closing ? NULL : "closed", 0);
    else
        sc_end(sc, "write:errno=104", 1);
}

static void sc_failed(void *ctx, struct tls_conn *tc, const struct tls_error *e)
{
    (void)tc;
    struct sclient *sc = ctx;
    const char *reason = e->sent ? tls_alert_openssl(e->alert) : NULL;
    if (e->verify) {
        proc_printf(sc->p, "depth=0 CN = %s\nverify error:num=%d:%s\n",
                    sc->tls ? tls_session_peer_cert(tls_conn_session(sc->tls))->subject : "?",
                    e->verify, tls_verify_str(e->verify));
        sc_end(sc, "error:0A000086:SSL routines::certificate verify failed", 1);
    } else if (reason) {
        char msg[160];
        snprintf(msg, sizeof msg, "error:0A000000:SSL routines::%s", reason);
        sc_end(sc, msg, 1);
    } else {
        char msg[160];
        snprintf(msg, sizeof msg, "error:0A000000:SSL routines::tlsv1 alert %s",
                 tls_alert_openssl(e->alert));
        sc_end(sc, msg, 1);
    }
}

static void sc_event(void *ctx, struct tls_conn *tc, const struct tls_event *ev)
{
    (void)tc;
    struct sclient *sc = ctx;
    if (ev->kind != TLS_EV_RECORD) return;
    if (ev->out)
        sc->written += TLS_RECORD_HDR + ev->len;
    else
        sc->read += TLS_RECORD_HDR + ev->len;
}

static const struct tls_conn_callbacks sc_tls = {
    .ready = sc_ready,
    .recv = sc_recv,
    .peer_closed = sc_peer_closed,
    .closed = sc_closed,
    .failed = sc_failed,
    .event = sc_event,
};

static void sc_start_tls(struct sclient *sc, struct tcp_conn *c)
{
    struct netstack *st = node_stack(sc->p->node);
    memset(&sc->cf, 0, sizeof sc->cf);
    sc->cf.sni = sc->sni;
    sc->cf.verify = sc->verify_error; /* else: report and go on, as s_client does */
    sc->cf.trusted = tls_node_trusted(st, &sc->cf.n_trusted);
    sc->cf.now = TLS_EPOCH + sim_now(st->sim) / SIM_S;
    sc->tls = tls_conn_client_at(c, sc->plain_out, sc->plain_in, &sc->cf, &sc_tls, sc);
}

/* ---- -starttls smtp: the SMTP dialogue before the handshake ---- */

static void sc_plain_recv(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    struct sclient *sc = ctx;
    char out[300];
    size_t n;
    bool offered_before = sc->stls.phase > STLS_EHLO;
    smtp_starttls_input(&sc->stls, data, len, out, sizeof out, &n);
    sc->plain_in += len;
    if (sc->stls.phase >= STLS_STARTTLS && !offered_before && !sc->stls.offered) {
        proc_printf(sc->p, "Didn't find STARTTLS in server response, trying anyway...\n");
        sc->last_nl = true;
    }
    if (n) {
        tcp_send(c, out, n);
        sc->plain_out += n;
    }
    if (sc->stls.phase == STLS_DONE) sc_start_tls(sc, c);
}

static void sc_plain_peer_closed(void *ctx, struct tcp_conn *c)
{
    (void)c;
    struct sclient *sc = ctx;
    sc_end(sc, "closed", 0);
}

static void sc_tcp_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why);

static const struct tcp_callbacks sc_plain = {
    .recv = sc_plain_recv,
    .peer_closed = sc_plain_peer_closed,
    .closed = sc_tcp_closed,
};

static void sc_connected(void *ctx, struct tcp_conn *c)
{
    struct sclient *sc = ctx;
    proc_printf(sc->p, "CONNECTED(00000003)\n");
    sc->last_nl = true;
    if (sc->starttls) {
        smtp_starttls_init(&sc->stls, sc->stls_name);
        tcp_set_callbacks(c, &sc_plain, sc);
        return;
    }
    sc_start_tls(sc, c);
}

static void sc_tcp_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    struct sclient *sc = ctx;
    sc->c = NULL;
    char msg[400];
    snprintf(msg, sizeof msg, "connect:errno=%d\n%s:%u: %s",
             why == TCP_REASON_REFUSED   ? 111
             : why == TCP_REASON_TIMEOUT ? 110
                                         : 113,
             sc->host, sc->port, tcp_reason_str(why));
    sc_end(sc, msg, 1);
}

static const struct tcp_callbacks sc_tcp = {.connected = sc_connected, .closed = sc_tcp_closed};

static void sc_idle(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct sclient *sc = ctx;
    sc->idle = (struct sim_timer){0, 0};
    if (!sc->tls || sc->closing || typist_pending(&sc->ty)) return;
    /* input is over (stdin at its end) and the server is silent */
    sc->closing = true;
    typist_close(&sc->ty);
    proc_printf(sc->p, "%sDONE\n", sc->last_nl ? "" : "\n");
    sc->last_nl = true;
    tls_conn_close(sc->tls);
}

static void sc_input(struct shell_proc *p, const char *line)
{
    struct sclient *sc = p->state;
    if (sc->closing) return;
    typist_push(&sc->ty, line);
}

static void sc_resolved(struct shell_proc *p, enum shell_res how, uint32_t addr)
{
    struct sclient *sc = p->state;
    sc->lookup = NULL;
    if (how >= SHELL_RES_NOTFOUND) {
        proc_printf(p, "getaddrinfo: %s\nconnect:errno=0\n", shell_res_error(how));
        proc_exit(p, 1);
        return;
    }
    sc->c = tcp_connect(node_stack(p->node), addr, sc->port, &sc_tcp, sc);
    if (!sc->c) {
        proc_printf(p, "connect:errno=101\n");
        proc_exit(p, 1);
    }
}

static void sc_usage(struct shell_proc *p, const char *why)
{
    proc_printf(p,
                "%s\nusage: openssl s_client -connect host:port [-crlf] [-quiet] [-brief] "
                "[-servername name] [-verify_return_error] [-starttls smtp [-name host]]\n",
                why);
    proc_exit(p, 1);
}

void cmd_openssl(struct shell_proc *p, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "s_client") != 0) {
        proc_printf(p,
                    "%s%s%s\nnetstep's openssl knows one command: s_client -connect "
                    "host:port\n",
                    argc < 2 ? "" : "Invalid command '", argc < 2 ? "" : argv[1],
                    argc < 2 ? "" : "'; type \"help\" for a list.");
        proc_exit(p, 1);
        return;
    }
    struct sclient *sc = calloc(1, sizeof *sc);
    if (!sc) abort();
    sc->p = p;
    p->state = sc;
    p->free_state = sc_free;
    p->finish = sc_finish;
    p->input = sc_input;
    typist_init(&sc->ty, p, sc_send_line, sc);
    const char *connect = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-connect") && i + 1 < argc)
            connect = argv[++i];
        else if (!strcmp(a, "-servername") && i + 1 < argc)
            snprintf(sc->sni, sizeof sc->sni, "%s", argv[++i]);
        else if (!strcmp(a, "-crlf"))
            sc->crlf = true;
        else if (!strcmp(a, "-quiet") || !strcmp(a, "-ign_eof"))
            sc->quiet = true;
        else if (!strcmp(a, "-brief"))
            sc->brief = true;
        else if (!strcmp(a, "-verify_return_error"))
            sc->verify_error = true;
        else if (!strcmp(a, "-name") && i + 1 < argc)
            snprintf(sc->stls_name, sizeof sc->stls_name, "%s", argv[++i]);
        else if (!strcmp(a, "-starttls") && i + 1 < argc) {
            const char *proto = argv[++i];
            if (strcmp(proto, "smtp") != 0) {
                char why[300];
                snprintf(why, sizeof why,
                         "s_client: netstep's s_client knows -starttls smtp only, not %.60s",
                         proto);
                sc_usage(p, why);
                return;
            }
            sc->starttls = true;
        } else {
            char why[300];
            snprintf(why, sizeof why, "s_client: Unknown option: %s", a);
            sc_usage(p, why);
            return;
        }
    }
    const char *colon = connect ? strrchr(connect, ':') : NULL;
    double port;
    if (!connect || !colon || colon == connect || (size_t)(colon - connect) >= sizeof sc->host ||
        !shell_parse_num(colon + 1, 1, 65535, &port)) {
        sc_usage(p, "s_client: -connect host:port is needed");
        return;
    }
    memcpy(sc->host, connect, (size_t)(colon - connect));
    sc->host[colon - connect] = 0;
    sc->port = (uint16_t)port;
    if (!sc->sni[0]) snprintf(sc->sni, sizeof sc->sni, "%s", sc->host);
    sc->lookup = shell_resolve_async(p, sc->host, sc_resolved);
}
