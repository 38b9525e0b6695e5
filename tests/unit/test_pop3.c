/* test_pop3.c - POP3 (protocols/pop3_wire.h, pop3.h): command and status
 * line parsing; a session from greeting to QUIT as Dovecot words it
 * (USER/PASS, STAT, LIST, RETR dot-stuffed, TOP, UIDL, DELE, RSET, NOOP,
 * CAPA, AUTH PLAIN); commands in the wrong state and bad arguments with
 * the right -ERR; deletions applied at QUIT only, never when the
 * connection drops; and the session's snapshot of INBOX. */
#include "check.h"
#include "mail_fixture.h"

static void test_wire(void)
{
    struct pop3_cmd c;
    CHECK(pop3_cmd_parse("retr 3", 6, &c));
    CHECK_EQ(c.verb, POP3_RETR);
    CHECK_STR(c.name, "RETR");
    CHECK_EQ(c.argc, 1);
    CHECK(!strncmp(c.argv[0], "3", c.argl[0]));
    CHECK(pop3_cmd_parse("TOP 1  10", 9, &c) && c.argc == 2 && c.argl[1] == 2);
    CHECK(pop3_cmd_parse("PASS  two words ", 16, &c));
    CHECK_EQ(c.rest_len, 11); /* PASS takes the rest as is, after one space */
    CHECK(!strncmp(c.rest, " two words ", c.rest_len));
    CHECK(pop3_cmd_parse("XYZZY", 5, &c) && c.verb == POP3_UNKNOWN && c.argc == 0);
    CHECK(!pop3_cmd_parse("", 0, &c));
    bool ok;
    const char *t;
    size_t tl;
    CHECK(pop3_resp_parse("+OK Logged in.", 14, &ok, &t, &tl) && ok && tl == 10);
    CHECK(pop3_resp_parse("-ERR", 4, &ok, &t, &tl) && !ok && tl == 0);
    CHECK(!pop3_resp_parse("+OKAY", 5, &ok, &t, &tl));
    CHECK(!pop3_resp_parse("1 407", 5, &ok, &t, &tl));
}

#define say(s, text)        MFX_SAY((s), MFX_POP3, (text))
#define EXPECT(s, in, want) MFX_EXPECT((s), MFX_POP3, (in), (want))

static void fill(struct mfx *f)
{
    struct mail_folder *in = mail_inbox(mail_user_find(f->store, "nadia"));
    const char *a = "Subject: one\r\n\r\nfirst\r\n";
    const char *b = "Subject: two\r\nFrom: omar@harbor.test\r\n\r\n.dotted\r\nline 2\r\nline 3\r\n";
    mail_append(in, a, strlen(a), MAIL_RECENT, 0);
    mail_append(in, b, strlen(b), MAIL_RECENT, 0);
}

static struct pop3_session *logged_in(struct mfx *f)
{
    struct pop3_session *s = pop3_session_new(&f->env);
    free(mfx_take(&s->out));
    free(say(s, "USER nadia\r\nPASS pw\r\n"));
    return s;
}

static void test_auth_state(void)
{
    struct mfx f;
    mfx_init(&f);
    fill(&f);
    struct pop3_session *s = pop3_session_new(&f.env);
    char *g = mfx_take(&s->out);
    CHECK_STR(g, "+OK Dovecot ready.\r\n");
    free(g);
    EXPECT(s, "STAT\r\n",
           "-ERR Unknown command in AUTHORIZATION state: log in first (USER and PASS).\r\n");
    EXPECT(s, "PASS pw\r\n", "-ERR No username given.\r\n");
    EXPECT(s, "USER\r\n", "-ERR No username given.\r\n");
    EXPECT(s, "USER nadia\r\nPASS wrong\r\n", "+OK\r\n-ERR [AUTH] Authentication failed.\r\n");
    EXPECT(s, "PASS pw\r\n", "-ERR No username given.\r\n"); /* USER again after a failure */
    EXPECT(s, "USER nobody\r\nPASS pw\r\n", "+OK\r\n-ERR [AUTH] Authentication failed.\r\n");
    EXPECT(s, "STLS\r\n", "-ERR TLS support isn't enabled.\r\n");
    EXPECT(s, "FOO\r\n", "-ERR Unknown command: FOO\r\n");
    EXPECT(s, "AUTH\r\n", "+OK\r\nPLAIN\r\n.\r\n");
    EXPECT(s, "AUTH CRAM-MD5\r\n", "-ERR Unsupported authentication mechanism.\r\n");
    EXPECT(s, "CAPA\r\n",
           "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nUSER\r\nSASL PLAIN\r\n.\r\n");
    EXPECT(s, "USER NADIA\r\nPASS pw\r\n", "+OK\r\n+OK Logged in.\r\n");
    CHECK_EQ(s->state, POP3_TRANSACTION);
    EXPECT(s, "USER nadia\r\n",
           "-ERR Unknown command in TRANSACTION state: already logged in.\r\n");
    pop3_session_free(s);

    /* AUTH PLAIN, with the credentials on the line or after "+ " */
    s = pop3_session_new(&f.env);
    free(mfx_take(&s->out));
    EXPECT(s, "AUTH PLAIN AG5hZGlhAHB3\r\n", "+OK Logged in.\r\n"); /* "\0nadia\0pw" */
    pop3_session_free(s);
    s = pop3_session_new(&f.env);
    free(mfx_take(&s->out));
    EXPECT(s, "AUTH PLAIN\r\n", "+ \r\n");
    EXPECT(s, "AG5hZGlhAHd4\r\n", "-ERR [AUTH] Authentication failed.\r\n"); /* password "wx" */
    EXPECT(s, "AUTH PLAIN\r\n*\r\n", "+ \r\n-ERR Authentication aborted by client.\r\n");
    EXPECT(s, "AUTH PLAIN !!!!\r\n", "-ERR Invalid base64 data in continued response\r\n");
    EXPECT(s, "QUIT\r\n", "+OK Logging out.\r\n");
    CHECK(s->close);
    pop3_session_free(s);
    mfx_free(&f);
}

static void test_transaction(void)
{
    struct mfx f;
    mfx_init(&f);
    fill(&f);
    struct pop3_session *s = logged_in(&f);
    EXPECT(s, "STAT\r\n", "+OK 2 88\r\n");
    EXPECT(s, "LIST\r\n", "+OK 2 messages:\r\n1 23\r\n2 65\r\n.\r\n");
    EXPECT(s, "LIST 2\r\n", "+OK 2 65\r\n");
    EXPECT(s, "LIST 3\r\n", "-ERR There's no message 3.\r\n");
    EXPECT(s, "LIST 0\r\n", "-ERR There's no message 0.\r\n");
    EXPECT(s, "LIST x\r\n", "-ERR Invalid message number: x\r\n");
    EXPECT(s, "RETR\r\n", "-ERR Message number missing.\r\n");
    /* RETR: byte-stuffed, ended by a lone dot */
    EXPECT(s, "RETR 2\r\n",
           "+OK 65 octets\r\nSubject: two\r\nFrom: omar@harbor.test\r\n\r\n..dotted\r\nline "
           "2\r\nline 3\r\n.\r\n");
    EXPECT(s, "TOP 2 1\r\n",
           "+OK\r\nSubject: two\r\nFrom: omar@harbor.test\r\n\r\n..dotted\r\n.\r\n");
    EXPECT(s, "TOP 1 0\r\n", "+OK\r\nSubject: one\r\n\r\n.\r\n");
    EXPECT(s, "TOP 1\r\n", "-ERR Invalid number of lines: \r\n");
    EXPECT(s, "UIDL\r\n", "+OK\r\n1 000000016955B900\r\n2 000000026955B900\r\n.\r\n");
    EXPECT(s, "UIDL 2\r\n", "+OK 2 000000026955B900\r\n");
    EXPECT(s, "NOOP\r\n", "+OK\r\n");
    EXPECT(s, "DELE 1\r\n", "+OK Marked to be deleted.\r\n");
    EXPECT(s, "DELE 1\r\n", "-ERR Message is deleted.\r\n");
    EXPECT(s, "RETR 1\r\n", "-ERR Message is deleted.\r\n");
    EXPECT(s, "STAT\r\nLIST\r\n", "+OK 1 65\r\n+OK 1 messages:\r\n2 65\r\n.\r\n");
    EXPECT(s, "RSET\r\nSTAT\r\n", "+OK\r\n+OK 2 88\r\n");
    EXPECT(s, "DELE 1\r\nDELE 2\r\n", "+OK Marked to be deleted.\r\n+OK Marked to be deleted.\r\n");
    EXPECT(s, "FOO\r\n", "-ERR Unknown command: FOO\r\n");
    /* nothing is removed before QUIT */
    struct mail_folder *in = mail_inbox(mail_user_find(f.store, "nadia"));
    CHECK_EQ(in->n, 2);
    EXPECT(s, "QUIT\r\n", "+OK Logging out, messages deleted.\r\n");
    CHECK_EQ(in->n, 0);
    CHECK(s->close);
    CHECK_EQ(s->state, POP3_UPDATE);
    pop3_session_free(s);
    mfx_free(&f);
}

/* A connection that drops (the session freed without QUIT) deletes nothing
 * and marks nothing \Seen; a QUIT without DELE marks what RETR fetched. */
static void test_update_only_at_quit(void)
{
    struct mfx f;
    mfx_init(&f);
    fill(&f);
    struct mail_folder *in = mail_inbox(mail_user_find(f.store, "nadia"));
    struct pop3_session *s = logged_in(&f);
    free(say(s, "RETR 1\r\nDELE 1\r\nDELE 2\r\n"));
    pop3_session_free(s);
    CHECK_EQ(in->n, 2);
    CHECK(!(in->msgs[0].flags & MAIL_SEEN));
    s = logged_in(&f);
    EXPECT(s, "RETR 1\r\n", "+OK 23 octets\r\nSubject: one\r\n\r\nfirst\r\n.\r\n");
    EXPECT(s, "QUIT\r\n", "+OK Logging out.\r\n");
    pop3_session_free(s);
    CHECK_EQ(in->n, 2);
    CHECK(in->msgs[0].flags & MAIL_SEEN);
    CHECK(!(in->msgs[1].flags & MAIL_SEEN));
    mfx_free(&f);
}

/* The session works on INBOX as it was at login: later mail waits for the
 * next session; a message another session removed is reported. */
static void test_snapshot(void)
{
    struct mfx f;
    mfx_init(&f);
    fill(&f);
    struct mail_folder *in = mail_inbox(mail_user_find(f.store, "nadia"));
    struct pop3_session *s = logged_in(&f);
    mail_append(in, "Subject: late\r\n\r\n", 17, MAIL_RECENT, 0);
    EXPECT(s, "STAT\r\n", "+OK 2 88\r\n");
    mail_remove(in, 0);
    EXPECT(s, "RETR 1\r\n", "-ERR Message 1 was expunged by another session.\r\n");
    EXPECT(s, "DELE 2\r\nQUIT\r\n",
           "+OK Marked to be deleted.\r\n+OK Logging out, messages deleted.\r\n");
    CHECK_EQ(in->n, 1);
    CHECK_EQ(in->msgs[0].uid, 3);
    pop3_session_free(s);
    s = logged_in(&f);
    EXPECT(s, "STAT\r\n", "+OK 1 17\r\n");
    pop3_session_free(s);
    mfx_free(&f);
}

static void test_overlong(void)
{
    struct mfx f;
    mfx_init(&f);
    struct pop3_session *s = pop3_session_new(&f.env);
    free(mfx_take(&s->out));
    size_t n = TEXT_LINE_MAX + 100;
    char *big = malloc(n + 3);
    memset(big, 'A', n);
    memcpy(big + n, "\r\n", 3);
    EXPECT(s, big, "-ERR Input line too long.\r\n");
    free(big);
    EXPECT(s, "\r\n", "-ERR Unknown command.\r\n");
    pop3_session_free(s);
    mfx_free(&f);
}

static void test_dissect(void)
{
    struct dissection d;
    mfx_dissect("USER nadia\r\n", 40000, 110, &d);
    CHECK_STR(d.protocol, "POP");
    CHECK_STR(d.info, "C: USER nadia");
    CHECK_STR(mfx_field(&d, "Request command"), "USER");
    CHECK_STR(mfx_field(&d, "Request parameter"), "nadia");
    dissect_free(&d);
    mfx_dissect("+OK 2 messages:\r\n1 23\r\n2 65\r\n.\r\n", 110, 40000, &d);
    CHECK_STR(d.info, "S: +OK 2 messages:");
    CHECK_STR(mfx_field(&d, "Response indicator"), "+OK");
    CHECK_STR(mfx_field(&d, "Response description"), "2 messages:");
    CHECK_STR(mfx_field(&d, "Response line"), "1 23");
    dissect_free(&d);
    mfx_dissect("Subject: x\r\n\r\nbody\r\n.\r\n", 110, 40000, &d);
    CHECK_STR(d.info, "S: DATA fragment, 23 bytes");
    CHECK(!d.malformed);
    dissect_free(&d);
}

int main(void)
{
    test_wire();
    test_auth_state();
    test_transaction();
    test_update_only_at_quit();
    test_snapshot();
    test_overlong();
    test_dissect();
    return check_done();
}
