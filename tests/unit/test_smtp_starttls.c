/* test_smtp_starttls.c - SMTP with STARTTLS (RFC 3207) and the submission
 * port 587 (RFC 6409): the session's replies (STARTTLS offered in EHLO
 * only while in clear, "220 2.0.0 Ready to start TLS" and the reset that
 * follows, "554 5.5.1 Error: TLS already active" for a second one, "530
 * 5.7.0 Must issue a STARTTLS command first" on 587, 502 where no TLS is
 * offered, 501 with an argument); the client's dialogue before the
 * handshake (protocols/smtp_starttls.h); the dissector's hand-over from
 * SMTP to TLS on 25 and 587; and over a simulated network, a message sent
 * after STARTTLS on 587 (with ESMTPS in its Received header), text
 * pipelined after STARTTLS dropped as Postfix drops it, and the port-587
 * listener opened only with "tls": true. */
#include "check.h"
#include "fixture.h"
#include "mail_fixture.h"
#include "protocols/mail.h"
#include "protocols/smtp_starttls.h"
#include "protocols/tcp.h"
#include "protocols/tls.h"

/* ---- the session ---- */

#define say(s, text)        MFX_SAY((s), MFX_SMTP, (text))
#define EXPECT(s, in, want) MFX_EXPECT((s), MFX_SMTP, (in), (want))

#define EHLO_TLS                                                                                   \
    "250-mail.harbor.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-STARTTLS\r\n"  \
    "250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n"
#define EHLO_PLAIN                                                                                 \
    "250-mail.harbor.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"                  \
    "250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n"

/* Port 25 with STARTTLS offered: mail may come either way. */
static void test_starttls_on_25(void)
{
    struct mfx f;
    mfx_init(&f);
    struct smtp_session *s = smtp_session_new(&f.env, IP(10, 0, 0, 5));
    s->starttls_ok = true;
    free(mfx_take(&s->out));
    EXPECT(s, "EHLO client.test\r\n", EHLO_TLS);
    CHECK(strstr(f.last_why, "STARTTLS says") != NULL);
    EXPECT(s, "MAIL FROM:<ann@example.test>\r\n", "250 2.1.0 Ok\r\n");
    EXPECT(s, "STARTTLS now\r\n", "501 5.5.4 Syntax: STARTTLS\r\n");
    CHECK(!s->start_tls && !s->tls);
    /* Postfix: not in the middle of a transaction */
    EXPECT(s, "STARTTLS\r\n", "503 5.5.1 Error: MAIL transaction in progress\r\n");
    CHECK(!s->start_tls && !s->tls);
    EXPECT(s, "RSET\r\n", "250 2.0.0 Ok\r\n");
    EXPECT(s, "starttls\r\n", "220 2.0.0 Ready to start TLS\r\n");
    CHECK(s->start_tls && s->tls);
    CHECK(strstr(f.last_why, "EHLO") != NULL);
    /* RFC 3207 4.2: the session starts over: no EHLO */
    CHECK(!s->greeted && !s->in_mail && s->helo[0] == 0);
    s->start_tls = false; /* the runner switched to TLS */
    EXPECT(s, "MAIL FROM:<ann@example.test>\r\n", "503 5.5.1 Error: send HELO/EHLO first\r\n");
    /* over TLS STARTTLS is no longer offered, and a second one is refused */
    EXPECT(s, "EHLO client.test\r\n", EHLO_PLAIN);
    EXPECT(s, "STARTTLS\r\n", "554 5.5.1 Error: TLS already active\r\n");
    CHECK(!s->start_tls);
    EXPECT(s, "MAIL FROM:<ann@example.test>\r\n", "250 2.1.0 Ok\r\n");
    EXPECT(s, "RCPT TO:<nadia@harbor.test>\r\n", "250 2.1.5 Ok\r\n");
    EXPECT(s, "DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
    free(say(s, "Subject: sealed\r\n\r\nhi\r\n.\r\n"));
    const struct mail_msg *m = &mail_inbox(mail_user_find(f.store, "nadia"))->msgs[0];
    CHECK(strstr(m->data, "\tby mail.harbor.test (Postfix) with ESMTPS id ") != NULL);
    smtp_session_free(s);
    mfx_free(&f);
}

/* Port 587: nothing but EHLO, HELO, NOOP, STARTTLS and QUIT before TLS. */
static void test_submission_requires_tls(void)
{
    struct mfx f;
    mfx_init(&f);
    struct smtp_session *s = smtp_session_new(&f.env, IP(10, 0, 0, 5));
    s->starttls_ok = s->tls_required = true;
    free(mfx_take(&s->out));
    const char *must = "530 5.7.0 Must issue a STARTTLS command first\r\n";
    EXPECT(s, "MAIL FROM:<ann@example.test>\r\n", must);
    CHECK(strstr(f.last_why, "587") != NULL);
    EXPECT(s, "EHLO client.test\r\n", EHLO_TLS);
    EXPECT(s, "MAIL FROM:<ann@example.test>\r\n", must);
    EXPECT(s, "RCPT TO:<nadia@harbor.test>\r\n", must);
    EXPECT(s, "DATA\r\n", must);
    EXPECT(s, "RSET\r\n", must);
    EXPECT(s, "VRFY nadia\r\n", must);
    EXPECT(s, "AUTH PLAIN\r\n", must);
    EXPECT(s, "NOOP\r\n", "250 2.0.0 Ok\r\n");
    EXPECT(s, "FROB\r\n", "502 5.5.2 Error: command not recognized\r\n");
    EXPECT(s, "HELO client.test\r\n", "250 mail.harbor.test\r\n");
    EXPECT(s, "STARTTLS\r\n", "220 2.0.0 Ready to start TLS\r\n");
    CHECK(s->start_tls);
    s->start_tls = false;
    /* over TLS the submission port takes mail like any other */
    EXPECT(s, "EHLO client.test\r\n", EHLO_PLAIN);
    EXPECT(s, "MAIL FROM:<ann@example.test>\r\n", "250 2.1.0 Ok\r\n");
    EXPECT(s, "RSET\r\n", "250 2.0.0 Ok\r\n");
    EXPECT(s, "STARTTLS\r\n", "554 5.5.1 Error: TLS already active\r\n");
    EXPECT(s, "QUIT\r\n", "221 2.0.0 Bye\r\n");
    CHECK(s->close);
    smtp_session_free(s);

    /* QUIT is taken before TLS too */
    s = smtp_session_new(&f.env, IP(10, 0, 0, 5));
    s->starttls_ok = s->tls_required = true;
    free(mfx_take(&s->out));
    EXPECT(s, "QUIT\r\n", "221 2.0.0 Bye\r\n");
    smtp_session_free(s);
    mfx_free(&f);
}

/* No TLS on this server: not offered, 502 as before; SMTPS: not offered. */
static void test_no_starttls(void)
{
    struct mfx f;
    mfx_init(&f);
    struct smtp_session *s = smtp_session_new(&f.env, IP(10, 0, 0, 5));
    free(mfx_take(&s->out));
    EXPECT(s, "EHLO client.test\r\n", EHLO_PLAIN);
    EXPECT(s, "STARTTLS\r\n", "502 5.5.1 Error: command not implemented\r\n");
    CHECK(!s->start_tls && !s->tls);
    smtp_session_free(s);
    s = smtp_session_new(&f.env, IP(10, 0, 0, 5));
    s->starttls_ok = s->tls = true; /* port 465 */
    free(mfx_take(&s->out));
    EXPECT(s, "EHLO client.test\r\n", EHLO_PLAIN);
    EXPECT(s, "STARTTLS\r\n", "554 5.5.1 Error: TLS already active\r\n");
    smtp_session_free(s);
    mfx_free(&f);
}

/* ---- the client's dialogue (openssl s_client -starttls smtp) ---- */

static size_t feed(struct smtp_starttls *x, const char *text, char *out, size_t *n)
{
    return smtp_starttls_input(x, (const uint8_t *)text, strlen(text), out, 300, n);
}

static void test_client_dialogue(void)
{
    struct smtp_starttls x;
    char out[300];
    size_t n;
    smtp_starttls_init(&x, NULL);
    CHECK_STR(x.name, "mail.example.com");
    /* a greeting in two pieces, the first line of a multi-line one */
    feed(&x, "220-mail.harbor.test ESMTP\r\n220 ", out, &n);
    CHECK_EQ(n, 0);
    CHECK_EQ(x.phase, STLS_GREETING);
    feed(&x, "welcome\r\n", out, &n);
    CHECK_EQ(x.phase, STLS_EHLO);
    out[n] = 0;
    CHECK_STR(out, "EHLO mail.example.com\r\n");
    feed(&x, EHLO_TLS, out, &n);
    out[n] = 0;
    CHECK_STR(out, "STARTTLS\r\n");
    CHECK(x.offered);
    CHECK_EQ(x.phase, STLS_STARTTLS);
    const char *reply = "220 2.0.0 Ready to start TLS\r\n\x16\x03\x03";
    CHECK_EQ(feed(&x, reply, out, &n), strlen(reply) - 3); /* stops where TLS starts */
    CHECK_EQ(n, 0);
    CHECK_EQ(x.phase, STLS_DONE);
    CHECK_EQ(x.code, 220);

    /* not offered, refused: OpenSSL tries anyway */
    smtp_starttls_init(&x, "pc1.student.test");
    feed(&x, "220 mail ESMTP\r\n", out, &n);
    out[n] = 0;
    CHECK_STR(out, "EHLO pc1.student.test\r\n");
    feed(&x, EHLO_PLAIN, out, &n);
    CHECK(!x.offered);
    feed(&x, "502 5.5.1 Error: command not implemented\n", out, &n); /* a bare LF too */
    CHECK_EQ(x.phase, STLS_DONE);
    CHECK_EQ(x.code, 502);
}

/* ---- the dissector: SMTP, then TLS on the same port ---- */

static void test_dissect_handover(void)
{
    struct dissection d;
    mfx_dissect("STARTTLS\r\n", 40000, 587, &d);
    CHECK_STR(d.protocol, "SMTP");
    CHECK_STR(d.info, "C: STARTTLS");
    dissect_free(&d);
    mfx_dissect("220 2.0.0 Ready to start TLS\r\n", 587, 40000, &d);
    CHECK_STR(d.info, "S: 220 2.0.0 Ready to start TLS");
    dissect_free(&d);
    /* an Application Data record (no NUL in it, for mfx_dissect) */
    char rec[5 + 257 + 1];
    memcpy(rec, "\x17\x03\x03\x01\x01", 5);
    memset(rec + 5, 'x', 257);
    rec[sizeof rec - 1] = 0;
    mfx_dissect(rec, 587, 40000, &d);
    CHECK_STR(d.protocol, "TLSv1.3");
    CHECK_STR(d.info, "Application Data");
    CHECK(!d.malformed);
    dissect_free(&d);
    mfx_dissect(rec, 40000, 25, &d);
    CHECK_STR(d.protocol, "TLSv1.3");
    dissect_free(&d);
    /* the same bytes on POP3's port are not TLS */
    mfx_dissect(rec, 40000, 110, &d);
    CHECK_STR(d.protocol, "POP");
    dissect_free(&d);
}

/* ---- over a network ---- */

struct cli {
    struct tcp_conn *c;
    struct tls_conn *tls;
    struct tls_client_conf cf;
    struct smtp_starttls stls;
    bool use_stls;     /* run the client's dialogue (else: send `first` and wait for 220) */
    const char *after; /* sent over TLS once ready */
    char rx[8192];     /* plaintext before TLS */
    char trx[8192];    /* decrypted after */
    size_t len, tlen;
    uint64_t sent, rcvd;
    bool ready, closed;
};

static void append(char *buf, size_t *len, size_t cap, const uint8_t *data, size_t n)
{
    if (n > cap - 1 - *len) n = cap - 1 - *len;
    memcpy(buf + *len, data, n);
    *len += n;
    buf[*len] = 0;
}

static void t_ready(void *ctx, struct tls_conn *tc)
{
    struct cli *k = ctx;
    k->ready = true;
    tls_conn_send(tc, k->after, strlen(k->after));
}

static void t_recv(void *ctx, struct tls_conn *tc, const uint8_t *data, size_t len)
{
    (void)tc;
    struct cli *k = ctx;
    append(k->trx, &k->tlen, sizeof k->trx, data, len);
}

static void t_closed(void *ctx, struct tls_conn *tc, enum tcp_reason why)
{
    (void)tc;
    (void)why;
    struct cli *k = ctx;
    k->closed = true;
    k->tls = NULL;
}

static void t_peer_closed(void *ctx, struct tls_conn *tc)
{
    (void)ctx;
    tls_conn_close(tc);
}

static const struct tls_conn_callbacks t_cb = {
    .ready = t_ready, .recv = t_recv, .peer_closed = t_peer_closed, .closed = t_closed};

static void c_recv(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    struct cli *k = ctx;
    append(k->rx, &k->len, sizeof k->rx, data, len);
    k->rcvd += len;
    bool go;
    if (k->use_stls) {
        char out[300];
        size_t n;
        smtp_starttls_input(&k->stls, data, len, out, sizeof out, &n);
        if (n) {
            tcp_send(c, out, n);
            k->sent += n;
        }
        go = k->stls.phase == STLS_DONE;
    } else {
        go = strstr(k->rx, "220 2.0.0 Ready to start TLS\r\n") != NULL;
    }
    if (go) {
        k->cf = (struct tls_client_conf){"mail", NULL, false, NULL, 0, TLS_EPOCH};
        k->tls = tls_conn_client_at(c, k->sent, k->rcvd, &k->cf, &t_cb, k);
    }
}

static void c_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    (void)why;
    ((struct cli *)ctx)->closed = true;
}

static void c_peer_closed(void *ctx, struct tcp_conn *c)
{
    (void)ctx;
    tcp_close(c);
}

static const struct tcp_callbacks c_cb = {
    .recv = c_recv, .peer_closed = c_peer_closed, .closed = c_closed};

static const char net_json[] =
    "{\"netstep\": 1, \"name\": \"mail\", \"nodes\": ["
    "{\"name\": \"pc1\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.5/24\"}]},"
    "{\"name\": \"mail\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.25/24\"}], \"services\": {"
    "\"smtp\": {\"domain\": \"harbor.test\", \"accounts\": {\"nadia\": \"pw\"}, \"tls\": "
    "%s}}}],"
    "\"links\": [{\"a\": \"pc1:eth0\", \"b\": \"mail:eth0\"}]}";

static struct sim *build(bool tls)
{
    char json[sizeof net_json + 8];
    snprintf(json, sizeof json, net_json, tls ? "true" : "false");
    return fx_build(json, 7);
}

static void connect_to(struct sim *sim, uint16_t port, struct cli *k, const char *first)
{
    struct netstack *st = node_stack(sim_find_node(sim, "pc1"));
    k->c = tcp_connect(st, IP(10, 0, 0, 25), port, &c_cb, k);
    CHECK(k->c != NULL);
    if (first) {
        tcp_send(k->c, first, strlen(first));
        k->sent += strlen(first);
    }
    sim_run_until(sim, sim_now(sim) + SIM_S);
}

static void test_net_submission(void)
{
    struct sim *sim = build(true);
    CHECK(sim != NULL);
    if (!sim) return;
    struct fx_log log = {0};
    trace_subscribe(sim, TRACE_LAYERS, fx_log_sink, &log);
    static struct cli k;
    memset(&k, 0, sizeof k);
    k.use_stls = true;
    smtp_starttls_init(&k.stls, "pc1");
    k.after = "EHLO pc1\r\nMAIL FROM:<ann@example.test>\r\nRCPT TO:<nadia@harbor.test>\r\n"
              "DATA\r\nSubject: sealed\r\n\r\nunder TLS\r\n.\r\nQUIT\r\n";
    connect_to(sim, SUBMISSION_PORT, &k, NULL);
    CHECK_STR(k.rx,
              "220 mail.harbor.test ESMTP Postfix\r\n" EHLO_TLS "220 2.0.0 Ready to start TLS\r\n");
    CHECK(k.ready);
    const char *want = EHLO_PLAIN "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 ";
    CHECK(!strncmp(k.trx, want, strlen(want)));
    CHECK(strstr(k.trx, "250 2.0.0 Ok: queued as ") != NULL);
    CHECK(strstr(k.trx, "221 2.0.0 Bye\r\n") != NULL);
    CHECK(k.closed);
    struct mail_store *store = mail_server_store(node_stack(sim_find_node(sim, "mail")));
    const struct mail_folder *in = mail_inbox(mail_user_find(store, "nadia"));
    CHECK_EQ(in->n, 1);
    if (in->n) CHECK(strstr(in->msgs[0].data, "with ESMTPS id") != NULL);
    /* the switch is a layer-7 step that says why */
    bool found = false;
    for (size_t i = 0; i < log.n; i++)
        found |= log.s[i].layer == 7 && strstr(log.s[i].summary, "Ready to start TLS") &&
                 strstr(log.s[i].why, "ClientHello");
    CHECK(found);
    sim_free(sim);
    fx_log_free(&log);
}

/* Commands pipelined after STARTTLS are dropped, not taken as sent over
 * TLS (CVE-2011-0411): the MAIL FROM injected in clear does not count. */
static void test_net_pipelined_after_starttls(void)
{
    struct sim *sim = build(true);
    CHECK(sim != NULL);
    if (!sim) return;
    static struct cli k;
    memset(&k, 0, sizeof k);
    k.after = "EHLO pc1\r\nMAIL FROM:<ann@example.test>\r\nQUIT\r\n";
    connect_to(sim, SMTP_PORT, &k, "EHLO evil\r\nSTARTTLS\r\nMAIL FROM:<evil@example.test>\r\n");
    CHECK(strstr(k.rx, "220 2.0.0 Ready to start TLS\r\n") != NULL);
    CHECK(strstr(k.rx, "250 2.1.0") == NULL);
    CHECK(k.ready);
    CHECK(strstr(k.trx, "250 2.1.0 Ok\r\n") != NULL);
    CHECK(strstr(k.trx, "nested MAIL") == NULL);
    CHECK(k.closed);
    sim_free(sim);
}

/* Without "tls": true there is no port 587, and 25 offers no STARTTLS. */
static void test_net_no_tls(void)
{
    struct sim *sim = build(false);
    CHECK(sim != NULL);
    if (!sim) return;
    static struct cli k;
    memset(&k, 0, sizeof k);
    connect_to(sim, SUBMISSION_PORT, &k, NULL);
    CHECK(k.closed);
    CHECK_EQ(k.len, 0);
    memset(&k, 0, sizeof k);
    connect_to(sim, SMTP_PORT, &k, "EHLO pc1\r\nSTARTTLS\r\nQUIT\r\n");
    CHECK(strstr(k.rx, "250-STARTTLS") == NULL);
    CHECK(strstr(k.rx, "502 5.5.1 Error: command not implemented\r\n") != NULL);
    sim_free(sim);
}

/* A session left waiting for the handshake is freed with the simulation. */
static void test_net_teardown_mid_upgrade(void)
{
    struct sim *sim = build(true);
    CHECK(sim != NULL);
    if (!sim) return;
    struct netstack *st = node_stack(sim_find_node(sim, "pc1"));
    static struct cli k;
    memset(&k, 0, sizeof k);
    k.c = tcp_connect(st, IP(10, 0, 0, 25), SUBMISSION_PORT, &c_cb, NULL);
    CHECK(k.c != NULL);
    tcp_set_callbacks(k.c, NULL, NULL);
    tcp_send(k.c, "STARTTLS\r\n", 10);
    sim_run_until(sim, sim_now(sim) + SIM_S);
    sim_free(sim); /* no leak, no callback into freed sessions (ASan) */
}

int main(void)
{
    test_starttls_on_25();
    test_submission_requires_tls();
    test_no_starttls();
    test_client_dialogue();
    test_dissect_handover();
    test_net_submission();
    test_net_pipelined_after_starttls();
    test_net_no_tls();
    test_net_teardown_mid_upgrade();
    return check_done();
}
