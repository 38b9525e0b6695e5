/* test_smtp.c - SMTP (protocols/smtp_wire.h, smtp.h): command, path and
 * reply parsing; a session's replies code by code as Postfix words them
 * (greeting, HELO/EHLO, MAIL, RCPT local/unknown/relay, DATA with
 * dot-stuffing removed, RSET, NOOP, VRFY, QUIT); commands out of order
 * (503), unknown (502) and malformed (501); the delivered message with its
 * Return-Path and Received headers; and, over a simulated network, a
 * message sent to port 25 read back over POP3 and IMAP on the same
 * server. */
#include "check.h"
#include "fixture.h"
#include "mail_fixture.h"
#include "protocols/mail.h"
#include "protocols/tcp.h"

/* ---- wire ---- */

static void test_cmd_parse(void)
{
    struct smtp_cmd c;
    CHECK(smtp_cmd_parse("ehlo client.test", 16, &c));
    CHECK_EQ(c.verb, SMTP_EHLO);
    CHECK_STR(c.name, "EHLO");
    CHECK_EQ(c.arg_len, 11);
    CHECK(!strncmp(c.arg, "client.test", c.arg_len));
    CHECK(smtp_cmd_parse("  QUIT  ", 8, &c));
    CHECK_EQ(c.verb, SMTP_QUIT);
    CHECK_EQ(c.arg_len, 0);
    CHECK(smtp_cmd_parse("FROB x", 6, &c));
    CHECK_EQ(c.verb, SMTP_UNKNOWN);
    CHECK_STR(c.name, "FROB");
    CHECK(!smtp_cmd_parse("   ", 3, &c));
    CHECK(!smtp_cmd_parse("", 0, &c));
    CHECK(smtp_cmd_parse("STARTTLS", 8, &c) && c.verb == SMTP_STARTTLS);
}

static int path(const char *arg, const char *key, char *addr, const char **params)
{
    size_t pl;
    return smtp_path_parse(arg, strlen(arg), key, addr, SMTP_PATH_MAX, params, &pl);
}

static void test_path_parse(void)
{
    char a[SMTP_PATH_MAX];
    const char *p;
    CHECK_EQ(path("FROM:<ann@example.test>", "FROM:", a, &p), SMTP_PATH_OK);
    CHECK_STR(a, "ann@example.test");
    CHECK_STR(p, "");
    CHECK_EQ(path("from: <ann@example.test> SIZE=100 BODY=8BITMIME", "FROM:", a, &p), 0);
    CHECK_STR(a, "ann@example.test");
    CHECK_STR(p, "SIZE=100 BODY=8BITMIME");
    CHECK_EQ(path("FROM:ann@example.test", "FROM:", a, &p), 0);
    CHECK_STR(a, "ann@example.test");
    CHECK_EQ(path("FROM:<>", "FROM:", a, &p), 0);
    CHECK_STR(a, "");
    CHECK_EQ(path("TO:<@relay.test:nadia@harbor.test>", "TO:", a, &p), 0);
    CHECK_STR(a, "nadia@harbor.test");
    CHECK_EQ(path("TO:<nadia>", "TO:", a, &p), 0);
    CHECK_STR(a, "nadia");
    CHECK_EQ(path("TO <nadia@harbor.test>", "TO:", a, &p), SMTP_PATH_SYNTAX);
    CHECK_EQ(path("FROM:", "FROM:", a, &p), SMTP_PATH_SYNTAX);
    CHECK_EQ(path("FROM:<ann@example.test", "FROM:", a, &p), SMTP_PATH_ADDRESS);
    CHECK_EQ(path("FROM:<a b@c>", "FROM:", a, &p), SMTP_PATH_ADDRESS);
    CHECK_EQ(path("FROM:<a@b@c>", "FROM:", a, &p), SMTP_PATH_ADDRESS);
    CHECK_EQ(path("FROM:<@b>", "FROM:", a, &p), SMTP_PATH_ADDRESS);
    CHECK_EQ(path("FROM:<a@>", "FROM:", a, &p), SMTP_PATH_ADDRESS);
    CHECK_EQ(path("FROM:<a@b>x", "FROM:", a, &p), SMTP_PATH_ADDRESS);
}

static void test_reply_parse(void)
{
    struct smtp_reply r;
    CHECK(smtp_reply_parse("250-PIPELINING", 14, &r));
    CHECK_EQ(r.code, 250);
    CHECK(r.more);
    CHECK(!strncmp(r.text, "PIPELINING", r.text_len));
    CHECK(smtp_reply_parse("221 2.0.0 Bye", 13, &r) && !r.more && r.code == 221);
    CHECK(smtp_reply_parse("354", 3, &r) && r.code == 354 && r.text_len == 0);
    CHECK(!smtp_reply_parse("25x ok", 6, &r));
    CHECK(!smtp_reply_parse("2500", 4, &r));
    CHECK(!smtp_reply_parse("MAIL FROM:<a@b>", 15, &r));
    CHECK_STR(smtp_reply_meaning(250), "Requested mail action okay, completed");
    CHECK(smtp_reply_meaning(299) == NULL);
}

/* ---- the session ---- */

#define say(s, text)        MFX_SAY((s), MFX_SMTP, (text))
#define EXPECT(s, in, want) MFX_EXPECT((s), MFX_SMTP, (in), (want))

static void test_session_flow(void)
{
    struct mfx f;
    mfx_init(&f);
    struct smtp_session *s = smtp_session_new(&f.env, IP(10, 0, 0, 5));
    char *g = mfx_take(&s->out);
    CHECK_STR(g, "220 mail.harbor.test ESMTP Postfix\r\n");
    free(g);
    EXPECT(s, "MAIL FROM:<ann@example.test>\r\n", "503 5.5.1 Error: send HELO/EHLO first\r\n");
    EXPECT(s, "EHLO client.test\r\n",
           "250-mail.harbor.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"
           "250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n");
    EXPECT(s, "RCPT TO:<nadia@harbor.test>\r\n", "503 5.5.1 Error: need MAIL command\r\n");
    EXPECT(s, "DATA\r\n", "503 5.5.1 Error: need RCPT command\r\n");
    EXPECT(s, "MAIL FROM: <ann@example.test>\r\n", "250 2.1.0 Ok\r\n");
    EXPECT(s, "MAIL FROM:<ann@example.test>\r\n", "503 5.5.1 Error: nested MAIL command\r\n");
    EXPECT(s, "DATA\r\n", "503 5.5.1 Error: need RCPT command\r\n");
    EXPECT(s, "RCPT TO:<bob@harbor.test>\r\n",
           "550 5.1.1 <bob@harbor.test>: Recipient address rejected: User unknown in local "
           "recipient table\r\n");
    EXPECT(s, "RCPT TO:<x@other.test>\r\n", "554 5.7.1 <x@other.test>: Relay access denied\r\n");
    CHECK(strstr(f.last_why, "open relay") != NULL);
    EXPECT(s, "RCPT TO:<Nadia@HARBOR.test>\r\n", "250 2.1.5 Ok\r\n");
    EXPECT(s, "rcpt to:<omar@mail.harbor.test>\r\n", "250 2.1.5 Ok\r\n");
    EXPECT(s, "RCPT TO:nadia\r\n", "250 2.1.5 Ok\r\n"); /* no domain: local */
    EXPECT(s, "DATA now\r\n", "501 5.5.4 Syntax: DATA\r\n");
    EXPECT(s, "DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
    /* inside DATA, commands are text; a leading dot was doubled by the client */
    EXPECT(s,
           "From: ann@example.test\r\nSubject: Telnet mail\r\n\r\nHello Nadia.\r\nQUIT\r\n"
           "..hidden dot\r\n",
           "");
    EXPECT(s, ".\r\n", "250 2.0.0 Ok: queued as 000001C0D5\r\n");
    CHECK_STR(s->queue_id, "000001C0D5");
    CHECK_EQ(s->delivered, 2); /* nadia once (named twice), omar once */
    struct mail_folder *in = mail_inbox(mail_user_find(f.store, "nadia"));
    CHECK_EQ(in->n, 1);
    const struct mail_msg *m = &in->msgs[0];
    CHECK(m->flags & MAIL_RECENT);
    CHECK_EQ(m->date, 5 * SIM_S);
    CHECK_STR(m->data,
              "Return-Path: <ann@example.test>\r\n"
              "X-Original-To: Nadia@HARBOR.test\r\n"
              "Delivered-To: nadia@harbor.test\r\n"
              "Received: from client.test (unknown [10.0.0.5])\r\n"
              "\tby mail.harbor.test (Postfix) with ESMTP id 000001C0D5\r\n"
              "\tfor <Nadia@HARBOR.test>; Thu, 1 Jan 2026 00:00:05 +0000 (UTC)\r\n"
              "From: ann@example.test\r\nSubject: Telnet mail\r\n\r\nHello Nadia.\r\nQUIT\r\n"
              ".hidden dot\r\n");
    CHECK_EQ(mail_inbox(mail_user_find(f.store, "omar"))->n, 1);
    /* the transaction is over: a new one starts with MAIL */
    EXPECT(s, "RCPT TO:<nadia@harbor.test>\r\n", "503 5.5.1 Error: need MAIL command\r\n");
    EXPECT(s, "MAIL FROM:<>\r\nRSET\r\nRCPT TO:<nadia@harbor.test>\r\n",
           "250 2.1.0 Ok\r\n250 2.0.0 Ok\r\n503 5.5.1 Error: need MAIL command\r\n");
    EXPECT(s, "NOOP\r\nVRFY nadia\r\nVRFY <bob@harbor.test>\r\n",
           "250 2.0.0 Ok\r\n252 2.0.0 nadia\r\n550 5.1.1 <bob@harbor.test>: Recipient address "
           "rejected: User unknown in local recipient table\r\n");
    EXPECT(s, "HELP\r\n", "502 5.5.2 Error: command not recognized\r\n");
    EXPECT(s, "\r\n", "500 5.5.2 Error: bad syntax\r\n");
    EXPECT(s, "STARTTLS\r\n", "502 5.5.1 Error: command not implemented\r\n");
    EXPECT(s, "AUTH PLAIN\r\n", "503 5.5.1 Error: authentication not enabled\r\n");
    CHECK(!s->close);
    EXPECT(s, "QUIT\r\n", "221 2.0.0 Bye\r\n");
    CHECK(s->close);
    EXPECT(s, "NOOP\r\n", ""); /* nothing is read after QUIT */
    CHECK(f.notes > 20);
    smtp_session_free(s);
    mfx_free(&f);
}

static void test_session_syntax(void)
{
    struct mfx f;
    mfx_init(&f);
    f.env.trace = false; /* replies are the same without notes */
    struct smtp_session *s = smtp_session_new(&f.env, 0);
    free(mfx_take(&s->out));
    EXPECT(s, "HELO\r\n", "501 Syntax: HELO hostname\r\n");
    EXPECT(s, "EHLO\r\n", "501 Syntax: EHLO hostname\r\n");
    EXPECT(s, "HELO pc1\r\n", "250 mail.harbor.test\r\n");
    EXPECT(s, "MAIL TO:<a@b>\r\n", "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
    EXPECT(s, "MAIL FROM:<a b>\r\n", "501 5.1.7 Bad sender address syntax\r\n");
    EXPECT(s, "MAIL FROM:<a@b> SIZE=99999999\r\n",
           "552 5.3.4 Message size exceeds fixed limit\r\n");
    EXPECT(s, "MAIL FROM:<a@b> SIZE=x\r\n", "501 5.5.4 Bad message size syntax\r\n");
    EXPECT(s, "MAIL FROM:<a@b> FOO=1\r\n", "555 5.5.4 Unsupported option: FOO=1\r\n");
    EXPECT(s, "MAIL FROM:<a@b> SIZE=100 BODY=8BITMIME\r\n", "250 2.1.0 Ok\r\n");
    EXPECT(s, "RCPT <nadia@harbor.test>\r\n", "501 5.5.4 Syntax: RCPT TO:<address>\r\n");
    EXPECT(s, "RCPT TO:<>\r\n", "501 5.1.3 Bad recipient address syntax\r\n");
    EXPECT(s, "RCPT TO:<nadia@harbor.test> NOTIFY=NEVER\r\n",
           "555 5.5.4 Unsupported option: NOTIFY=NEVER\r\n");
    EXPECT(s, "RSET x\r\n", "501 5.5.4 Syntax: RSET\r\n");
    EXPECT(s, "VRFY\r\n", "501 5.5.4 Syntax: VRFY address\r\n");
    /* a message with no header of its own gets a blank line after ours; the
     * HELO name shows in Received, "with SMTP" after HELO */
    EXPECT(s, "RCPT TO:<omar@harbor.test>\r\nDATA\r\njust text\r\n.\r\n",
           "250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
           "250 2.0.0 Ok: queued as 000001C0D5\r\n");
    const struct mail_msg *m = &mail_inbox(mail_user_find(f.store, "omar"))->msgs[0];
    CHECK(strstr(m->data, "Received: from pc1 (unknown [0.0.0.0])\r\n") != NULL);
    CHECK(strstr(m->data, " with SMTP id ") != NULL);
    CHECK(strstr(m->data, "(UTC)\r\n\r\njust text\r\n") != NULL);
    CHECK_EQ(f.notes, 0);
    /* a second message gets another queue id */
    EXPECT(s, "MAIL FROM:<a@b>\r\nRCPT TO:<omar@harbor.test>\r\nDATA\r\n.\r\n",
           "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
           "250 2.0.0 Ok: queued as 000001C100\r\n");
    smtp_session_free(s);
    mfx_free(&f);
}

/* A connection that ends inside DATA delivers nothing. */
static void test_session_dropped(void)
{
    struct mfx f;
    mfx_init(&f);
    struct smtp_session *s = smtp_session_new(&f.env, 0);
    mfx_feeds(s, MFX_SMTP,
              "EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<nadia@harbor.test>\r\nDATA\r\nSubject: "
              "half\r\n");
    smtp_session_free(s);
    CHECK_EQ(mail_inbox(mail_user_find(f.store, "nadia"))->n, 0);
    mfx_free(&f);
}

/* ---- the dissector on port 25 ---- */

static void test_dissect(void)
{
    struct dissection d;
    mfx_dissect("MAIL FROM:<ann@example.test>\r\n", 40000, 25, &d);
    CHECK_STR(d.protocol, "SMTP");
    CHECK_STR(d.info, "C: MAIL FROM:<ann@example.test>");
    CHECK_STR(mfx_field(&d, "Command"), "MAIL");
    CHECK_STR(mfx_field(&d, "Request parameter"), "FROM:<ann@example.test>");
    CHECK(!d.malformed);
    dissect_free(&d);
    mfx_dissect("250-mail.harbor.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n", 25, 40000, &d);
    CHECK_STR(d.info, "S: 250-mail.harbor.test | PIPELINING | 8BITMIME");
    CHECK_STR(mfx_field(&d, "Response code"), "Requested mail action okay, completed (250)");
    dissect_free(&d);
    /* pipelined: commands, then the message after DATA, then its end */
    mfx_dissect("DATA\r\nSubject: hi\r\n\r\nbody\r\n.\r\nQUIT\r\n", 40000, 25, &d);
    CHECK_STR(d.info, "C: DATA | DATA fragment, 21 bytes | . | QUIT");
    dissect_free(&d);
    /* a segment of message text alone */
    mfx_dissect("Hello there\r\nsecond line\r\n", 40000, 25, &d);
    CHECK_STR(d.info, "C: DATA fragment, 26 bytes");
    dissect_free(&d);
}

/* ---- over a network: SMTP in, POP3 and IMAP out, on one server ---- */

struct cli {
    char rx[16384];
    size_t len;
    bool closed;
};

static void cli_recv(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    (void)c;
    struct cli *k = ctx;
    size_t room = sizeof k->rx - 1 - k->len;
    if (len > room) len = room;
    memcpy(k->rx + k->len, data, len);
    k->len += len;
    k->rx[k->len] = 0;
}

static void cli_peer_closed(void *ctx, struct tcp_conn *c)
{
    (void)ctx;
    tcp_close(c);
}

static void cli_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    (void)why;
    ((struct cli *)ctx)->closed = true;
}

static const struct tcp_callbacks cli_cb = {
    .recv = cli_recv, .peer_closed = cli_peer_closed, .closed = cli_closed};

static const char net_json[] =
    "{\"netstep\": 1, \"name\": \"mail\", \"nodes\": ["
    "{\"name\": \"pc1\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.5/24\"}]},"
    "{\"name\": \"mail\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.25/24\"}], \"services\": {"
    "\"smtp\": {\"domain\": \"harbor.test\", \"accounts\": {\"nadia\": \"pw\"}},"
    "\"pop3\": {\"accounts\": {\"nadia\": \"pw\"}, \"mailboxes\": {\"nadia\": [{\"from\": "
    "\"omar@harbor.test\", \"subject\": \"first\", \"body\": \"Welcome.\"}]}},"
    "\"imap\": {}}}],"
    "\"links\": [{\"a\": \"pc1:eth0\", \"b\": \"mail:eth0\"}]}";

/* Connects pc1 to port, sends text, runs a second. */
static void session(struct sim *sim, uint16_t port, const char *text, struct cli *k)
{
    memset(k, 0, sizeof *k);
    struct netstack *st = node_stack(sim_find_node(sim, "pc1"));
    struct tcp_conn *c = tcp_connect(st, IP(10, 0, 0, 25), port, &cli_cb, k);
    CHECK(c != NULL);
    tcp_send(c, text, strlen(text));
    sim_run_until(sim, sim_now(sim) + SIM_S);
}

static void test_end_to_end(void)
{
    struct sim *sim = fx_build(net_json, 3);
    CHECK(sim != NULL);
    if (!sim) return;
    struct fx_log log = {0};
    trace_subscribe(sim, TRACE_LAYERS, fx_log_sink, &log);
    struct cli k;
    session(
        sim, 25,
        "HELO pc1\r\nMAIL FROM:<ann@example.test>\r\nRCPT TO:<nadia@harbor.test>\r\n"
        "RCPT TO:<x@elsewhere.test>\r\nDATA\r\nSubject: over the wire\r\n\r\n.dot\r\n" /* unstuffed:
                                                                                          "dot" */
        "..line\r\n.\r\nQUIT\r\n",
        &k);
    CHECK(!strncmp(k.rx, "220 mail.harbor.test ESMTP Postfix\r\n250 mail.harbor.test\r\n", 57));
    CHECK(strstr(k.rx, "554 5.7.1 <x@elsewhere.test>: Relay access denied\r\n") != NULL);
    CHECK(strstr(k.rx, "250 2.0.0 Ok: queued as ") != NULL);
    CHECK(strstr(k.rx, "221 2.0.0 Bye\r\n") != NULL);
    CHECK(k.closed);
    /* the relay refusal is a layer-7 step with its reason */
    bool found = false;
    for (size_t i = 0; i < log.n; i++)
        found |= log.s[i].layer == 7 && !strcmp(log.s[i].proto, "SMTP") &&
                 strstr(log.s[i].summary, "Relay access denied") &&
                 strstr(log.s[i].why, "open relay");
    CHECK(found);

    session(sim, 110, "USER nadia\r\nPASS pw\r\nSTAT\r\nLIST\r\nRETR 2\r\nQUIT\r\n", &k);
    CHECK(!strncmp(k.rx, "+OK Dovecot ready.\r\n+OK\r\n+OK Logged in.\r\n+OK 2 ", 44));
    CHECK(strstr(k.rx, "+OK 2 messages:\r\n1 ") != NULL);
    CHECK(strstr(k.rx, "Received: from pc1 (unknown [10.0.0.5])\r\n") != NULL);
    CHECK(strstr(k.rx, "Subject: over the wire\r\n\r\ndot\r\n..line\r\n.\r\n+OK Logging "
                       "out.\r\n") != NULL);
    CHECK(k.closed);

    session(sim, 143,
            "a1 LOGIN nadia {2}\r\npw\r\na2 SELECT INBOX\r\na3 FETCH 2 BODY[]\r\na4 LOGOUT\r\n",
            &k);
    CHECK(strstr(k.rx, "* OK [CAPABILITY IMAP4rev1 ") == k.rx);
    CHECK(strstr(k.rx, "+ Ready for literal data\r\na1 OK [CAPABILITY ") != NULL);
    CHECK(strstr(k.rx, "* 2 EXISTS\r\n") != NULL);
    CHECK(strstr(k.rx, "\r\n\r\ndot\r\n.line\r\n)\r\na3 OK Fetch completed.\r\n") != NULL);
    CHECK(strstr(k.rx, "* 2 FETCH (BODY[] {") != NULL);
    CHECK(strstr(k.rx, "* BYE Logging out\r\na4 OK Logout completed.\r\n") != NULL);
    CHECK(k.closed);
    /* POP3 marked message 2 \Seen at QUIT (it was retrieved) */
    struct mail_store *store = mail_server_store(node_stack(sim_find_node(sim, "mail")));
    CHECK(mail_inbox(mail_user_find(store, "nadia"))->msgs[1].flags & MAIL_SEEN);
    sim_free(sim);
    fx_log_free(&log);
}

/* A connection left open when the simulation ends is freed with it. */
static void test_teardown_open(void)
{
    struct sim *sim = fx_build(net_json, 3);
    CHECK(sim != NULL);
    if (!sim) return;
    struct cli k;
    session(sim, 25, "EHLO pc1\r\nMAIL FROM:<a@b>\r\n", &k);
    CHECK(strstr(k.rx, "250 2.1.0 Ok\r\n") != NULL);
    session(sim, 143, "a1 LOGIN nadia pw\r\na2 SELECT INBOX\r\na3 APPEND INBOX {10}\r\n", &k);
    CHECK(strstr(k.rx, "+ Ready for literal data\r\n") != NULL);
    CHECK(!k.closed);
    sim_free(sim); /* no leak, no callback into freed sessions (ASan) */
}

int main(void)
{
    test_cmd_parse();
    test_path_parse();
    test_reply_parse();
    test_session_flow();
    test_session_syntax();
    test_session_dropped();
    test_dissect();
    test_end_to_end();
    test_teardown_open();
    return check_done();
}
