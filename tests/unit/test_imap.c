/* test_imap.c - IMAP (protocols/imap_wire.h, imap.h): the tokens (tag,
 * atom, quoted string, literal, sequence set) and string output; a session
 * through its states as Dovecot words it (greeting, CAPABILITY, LOGIN with
 * atoms, quoted strings and literals, "+ Ready for literal data" and
 * LITERAL+, LIST, SELECT/EXAMINE, FETCH items and sequence sets, STORE,
 * SEARCH, COPY, MOVE, EXPUNGE, CLOSE, LOGOUT); tagged OK/NO/BAD per state;
 * and two sessions seeing each other's changes. */
#include "check.h"
#include "mail_fixture.h"

/* ---- wire ---- */

static void test_tokens(void)
{
    struct imap_parser ps;
    char b[64];
    const char *s;
    size_t n;
    const char *cmd = "a1 LOGIN \"na\\\"dia\" {2}\r\npw rest";
    imap_parser_init(&ps, cmd, strlen(cmd));
    CHECK(imap_read_tag(&ps, b, sizeof b));
    CHECK_STR(b, "a1");
    CHECK(imap_sp(&ps));
    CHECK(imap_read_atom(&ps, b, sizeof b, false));
    CHECK_STR(b, "LOGIN");
    CHECK(imap_sp(&ps));
    CHECK(imap_read_astring(&ps, b, sizeof b));
    CHECK_STR(b, "na\"dia");
    CHECK(imap_sp(&ps));
    CHECK(imap_read_string(&ps, b, sizeof b, &s, &n));
    CHECK(n == 2 && !memcmp(s, "pw", 2));
    CHECK(imap_sp(&ps));
    CHECK(imap_read_astring(&ps, b, sizeof b) && !strcmp(b, "rest") && imap_at_end(&ps));
    /* failures leave the position alone */
    imap_parser_init(&ps, "{5}\r\nab", 7);
    CHECK(!imap_read_string(&ps, b, sizeof b, &s, &n) && ps.pos == 0);
    imap_parser_init(&ps, "\"open", 5);
    CHECK(!imap_read_astring(&ps, b, sizeof b) && ps.pos == 0);
    imap_parser_init(&ps, "+tag", 4);
    CHECK(!imap_read_tag(&ps, b, sizeof b));
    imap_parser_init(&ps, "x]y", 3);
    CHECK(imap_read_atom(&ps, b, sizeof b, false) && !strcmp(b, "x"));
    imap_parser_init(&ps, "x]y", 3);
    CHECK(imap_read_astring(&ps, b, sizeof b) && !strcmp(b, "x]y"));
    uint64_t lit;
    bool ns;
    CHECK(imap_line_literal("a LOGIN {12}", 12, &lit, &ns) && lit == 12 && !ns);
    CHECK(imap_line_literal("a LOGIN {7+}", 12, &lit, &ns) && lit == 7 && ns);
    CHECK(!imap_line_literal("a LOGIN {}", 10, &lit, &ns));
    CHECK(!imap_line_literal("a LOGIN 12}", 11, &lit, &ns));
    CHECK(!imap_line_literal("}", 1, &lit, &ns));
}

static void test_seqset(void)
{
    struct imap_parser ps;
    struct imap_seqset set;
    imap_parser_init(&ps, "1,3:4,7:*", 9);
    CHECK(imap_read_seqset(&ps, &set) && set.n == 3 && imap_at_end(&ps));
    imap_seq_resolve(&set, 9);
    CHECK(imap_seq_contains(&set, 1) && !imap_seq_contains(&set, 2));
    CHECK(imap_seq_contains(&set, 4) && imap_seq_contains(&set, 9) && !imap_seq_contains(&set, 10));
    CHECK_EQ(imap_seq_max(&set), 9);
    imap_parser_init(&ps, "5:2", 3);
    CHECK(imap_read_seqset(&ps, &set));
    imap_seq_resolve(&set, 9);
    CHECK(set.r[0].lo == 2 && set.r[0].hi == 5);
    imap_parser_init(&ps, "0", 1);
    CHECK(!imap_read_seqset(&ps, &set) && ps.pos == 0);
    imap_parser_init(&ps, "1,", 2);
    CHECK(!imap_read_seqset(&ps, &set) && ps.pos == 0);
    imap_parser_init(&ps, "1:", 2);
    CHECK(!imap_read_seqset(&ps, &set));
    imap_parser_init(&ps, "99999999999", 11);
    CHECK(!imap_read_seqset(&ps, &set));
}

static void test_output(void)
{
    struct mail_buf b = {0};
    imap_put_astring(&b, "INBOX", 5);
    mbuf_puts(&b, "|");
    imap_put_astring(&b, "My Mail", 7);
    mbuf_puts(&b, "|");
    imap_put_astring(&b, "NIL", 3);
    mbuf_puts(&b, "|");
    imap_put_astring(&b, "", 0);
    mbuf_puts(&b, "|");
    imap_put_nstring(&b, NULL, 0);
    mbuf_puts(&b, "|");
    imap_put_nstring(&b, "a\"b", 3);
    mbuf_puts(&b, "|");
    imap_put_nstring(&b, "x\r\ny", 4);
    CHECK_STR(b.p, "INBOX|\"My Mail\"|\"NIL\"|\"\"|NIL|\"a\\\"b\"|{4}\r\nx\r\ny");
    mbuf_free(&b);
    char tag[16], st[16];
    CHECK(imap_resp_parse("a1 OK done", 10, tag, sizeof tag, st, sizeof st));
    CHECK_STR(tag, "a1");
    CHECK_STR(st, "OK");
    CHECK(imap_resp_parse("* 3 EXISTS", 10, tag, sizeof tag, st, sizeof st));
    CHECK_STR(tag, "*");
    CHECK_STR(st, "");
    CHECK(imap_resp_parse("+ Ready", 7, tag, sizeof tag, st, sizeof st) && !strcmp(tag, "+"));
    CHECK(!imap_resp_parse("(x", 2, tag, sizeof tag, st, sizeof st));
}

/* ---- sessions ---- */

#define say(s, text)        MFX_SAY((s), MFX_IMAP, (text))
#define EXPECT(s, in, want) MFX_EXPECT((s), MFX_IMAP, (in), (want))

#define EXPECT_HAS(s, in, want)                                                                    \
    do {                                                                                           \
        char *got_ = say((s), (in));                                                               \
        if (!strstr(got_, (want))) fprintf(stderr, "got: %s\n", got_);                             \
        CHECK(strstr(got_, (want)) != NULL);                                                       \
        free(got_);                                                                                \
    } while (0)

static const char msg1[] = "From: Ann Smith <ann@example.test>\r\nTo: nadia@harbor.test\r\n"
                           "Subject: Lunch\r\nMessage-ID: <1@example.test>\r\n\r\n"
                           "Meet at noon.\r\n";
static const char msg2[] = "From: omar@harbor.test\r\nSubject: Report\r\n\r\nThe FLAG is here.\r\n";
static const char msg3[] = "From: ann@example.test\r\nSubject: Again\r\n\r\nbody\r\n";

static void fill(struct mfx *f)
{
    struct mail_folder *in = mail_inbox(mail_user_find(f->store, "nadia"));
    mail_append(in, msg1, strlen(msg1), MAIL_SEEN, 0);
    mail_append(in, msg2, strlen(msg2), MAIL_RECENT, 3600 * SIM_S);
    mail_append(in, msg3, strlen(msg3), MAIL_RECENT, 86400 * SIM_S);
}

static struct imap_session *new_session(struct mfx *f)
{
    struct imap_session *s = imap_session_new(&f->env);
    free(mfx_take(&s->out));
    return s;
}

static void test_not_authenticated(void)
{
    struct mfx f;
    mfx_init(&f);
    struct imap_session *s = imap_session_new(&f.env);
    char *g = mfx_take(&s->out);
    CHECK_STR(g, "* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN UNSELECT MOVE] Dovecot "
                 "ready.\r\n");
    free(g);
    EXPECT(s, "a0 CAPABILITY\r\n",
           "* CAPABILITY IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN UNSELECT MOVE\r\n"
           "a0 OK Capability completed.\r\n");
    EXPECT(s, "a1 SELECT INBOX\r\n", "a1 BAD Error in IMAP command SELECT: Log in first.\r\n");
    EXPECT(s, "a2 FETCH 1 FLAGS\r\n", "a2 BAD Error in IMAP command FETCH: Log in first.\r\n");
    EXPECT(s, "a3 FROB\r\n", "a3 BAD Error in IMAP command FROB: Unknown command.\r\n");
    EXPECT(s, "a4 LOGIN nadia\r\n", "a4 BAD Error in IMAP command LOGIN: Invalid arguments.\r\n");
    EXPECT(s, "a5 LOGIN nadia nope\r\n", "a5 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    EXPECT(s, "+x NOOP\r\n", "* BAD Error in IMAP command received by server.\r\n");
    EXPECT(s, "\r\n", ""); /* a blank line is ignored */
    EXPECT(s, "a6 NOOP\r\n", "a6 OK NOOP completed.\r\n");
    /* a literal: the server asks for it, then the command goes on */
    EXPECT(s, "a7 LOGIN {5}\r\n", "+ Ready for literal data\r\n");
    CHECK_EQ(s->want_bytes, 5);
    EXPECT(s, "nadia \"pw\"\r\n",
           "a7 OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ UNSELECT MOVE] Logged in\r\n");
    CHECK_EQ(s->state, IMAP_AUTHENTICATED);
    EXPECT(s, "a8 LOGIN nadia pw\r\n",
           "a8 BAD Error in IMAP command LOGIN: Already logged in.\r\n");
    EXPECT(s, "a9 FETCH 1 FLAGS\r\n", "a9 BAD No mailbox selected.\r\n");
    EXPECT(s, "b1 LOGOUT\r\n", "* BYE Logging out\r\nb1 OK Logout completed.\r\n");
    CHECK(s->close);
    imap_session_free(s);

    /* LITERAL+: no continuation; AUTHENTICATE PLAIN both ways */
    s = new_session(&f);
    EXPECT(s, "c1 LOGIN {5+}\r\nnadia {2+}\r\npw\r\n",
           "c1 OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ UNSELECT MOVE] Logged in\r\n");
    imap_session_free(s);
    s = new_session(&f);
    EXPECT(s, "d1 AUTHENTICATE PLAIN\r\n", "+ \r\n");
    EXPECT(s, "AG5hZGlhAHB3\r\n",
           "d1 OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ UNSELECT MOVE] Logged in\r\n");
    imap_session_free(s);
    s = new_session(&f);
    EXPECT(s, "d2 AUTHENTICATE PLAIN AG5hZGlhAHd4\r\n",
           "d2 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    EXPECT(s, "d3 AUTHENTICATE PLAIN\r\n*\r\n",
           "+ \r\nd3 BAD Authentication aborted by client.\r\n");
    EXPECT(s, "d4 AUTHENTICATE GSSAPI\r\n", "d4 NO Unsupported authentication mechanism.\r\n");
    /* a literal too large: refused before it is sent */
    EXPECT(s, "d5 LOGIN {99999999}\r\n", "d5 BAD Error in IMAP command: Literal too large.\r\n");
    CHECK_EQ(s->want_bytes, 0);
    EXPECT(s, "d6 LOGIN {2000000+}\r\n", ""); /* non-synchronizing: its bytes are dropped */
    CHECK_EQ(s->literal_left, 2000000);
    char *junk = calloc(1, 2000000);
    mfx_feed(s, MFX_IMAP, junk, 2000000);
    free(junk);
    EXPECT(s, " pw\r\n", "d6 BAD Error in IMAP command: Literal too large.\r\n");
    EXPECT(s, "d7 NOOP\r\n", "d7 OK NOOP completed.\r\n");
    imap_session_free(s);
    mfx_free(&f);
}

static struct imap_session *selected(struct mfx *f, const char *how)
{
    struct imap_session *s = new_session(f);
    free(say(s, "a1 LOGIN nadia pw\r\n"));
    free(say(s, how));
    return s;
}

static void test_select_list(void)
{
    struct mfx f;
    mfx_init(&f);
    fill(&f);
    struct imap_session *s = new_session(&f);
    free(say(s, "a1 LOGIN \"nadia\" \"pw\"\r\n"));
    mail_folder_create(f.store, mail_user_find(f.store, "nadia"), "Work/Reports");
    mail_folder_create(f.store, mail_user_find(f.store, "nadia"), "Work");
    EXPECT(s, "a2 LIST \"\" \"*\"\r\n",
           "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
           "* LIST (\\HasNoChildren) \"/\" Work/Reports\r\n"
           "* LIST (\\HasChildren) \"/\" Work\r\n"
           "a2 OK List completed.\r\n");
    EXPECT(s, "a3 LIST \"\" %\r\n",
           "* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\HasChildren) \"/\" Work\r\n"
           "a3 OK List completed.\r\n");
    EXPECT(s, "a4 list \"\" \"\"\r\n",
           "* LIST (\\Noselect) \"/\" \"\"\r\na4 OK List completed.\r\n");
    EXPECT(s, "a5 LIST \"\" inbox\r\n",
           "* LIST (\\HasNoChildren) \"/\" INBOX\r\na5 OK List completed.\r\n");
    EXPECT(s, "a6 STATUS INBOX (MESSAGES UNSEEN UIDNEXT)\r\n",
           "* STATUS INBOX (MESSAGES 3 UNSEEN 2 UIDNEXT 4)\r\na6 OK Status completed.\r\n");
    EXPECT(s, "a7 SELECT Nowhere\r\n", "a7 NO Mailbox doesn't exist: Nowhere\r\n");
    EXPECT(s, "a8 select inbox\r\n",
           "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
           "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)] Flags "
           "permitted.\r\n"
           "* 3 EXISTS\r\n* 2 RECENT\r\n* OK [UNSEEN 2] First unseen.\r\n"
           "* OK [UIDVALIDITY 1767225600] UIDs valid\r\n* OK [UIDNEXT 4] Predicted next UID\r\n"
           "a8 OK [READ-WRITE] Select completed.\r\n");
    /* \Recent went to this session: another one sees none */
    struct imap_session *t = selected(&f, "b1 EXAMINE INBOX\r\n");
    EXPECT(t, "b2 FETCH 2 FLAGS\r\n", "* 2 FETCH (FLAGS ())\r\nb2 OK Fetch completed.\r\n");
    EXPECT(t, "b3 STORE 2 +FLAGS (\\Seen)\r\n", "b3 NO Mailbox is read-only.\r\n");
    EXPECT(t, "b4 EXPUNGE\r\n", "b4 NO Mailbox is read-only.\r\n");
    imap_session_free(t);
    EXPECT(s, "a9 FETCH 2 FLAGS\r\n", "* 2 FETCH (FLAGS (\\Recent))\r\na9 OK Fetch completed.\r\n");
    EXPECT(s, "c1 CREATE Archive\r\n", "c1 OK Create completed.\r\n");
    EXPECT(s, "c2 CREATE archive/\r\n", "c2 OK Create completed.\r\n");
    EXPECT(s, "c3 CREATE Archive\r\n", "c3 NO [ALREADYEXISTS] Mailbox already exists\r\n");
    EXPECT(s, "c4 CREATE \"bad*name\"\r\n", "c4 NO [CANNOT] Invalid mailbox name\r\n");
    EXPECT(s, "c5 DELETE INBOX\r\n", "c5 NO INBOX can't be deleted.\r\n");
    EXPECT(s, "c6 RENAME archive Old\r\nc7 DELETE Old\r\n",
           "c6 OK Rename completed.\r\nc7 OK Delete completed.\r\n");
    EXPECT(s, "c8 DELETE Old\r\n", "c8 NO Mailbox doesn't exist: Old\r\n");
    EXPECT(s, "c9 UNSUBSCRIBE Work\r\nd1 LSUB \"\" W*\r\n",
           "c9 OK Unsubscribe completed.\r\n* LSUB () \"/\" Work/Reports\r\nd1 OK Lsub "
           "completed.\r\n");
    imap_session_free(s);
    mfx_free(&f);
}

static void test_fetch(void)
{
    struct mfx f;
    mfx_init(&f);
    fill(&f);
    struct imap_session *s = selected(&f, "a2 SELECT INBOX\r\n");
    char want[512];
    snprintf(want, sizeof want, "* 1 FETCH (BODY[] {%zu}\r\n%s)\r\na3 OK Fetch completed.\r\n",
             strlen(msg1), msg1);
    EXPECT(s, "a3 FETCH 1 BODY[]\r\n", want);
    /* BODY[] sets \Seen and says so; BODY.PEEK[] does not */
    snprintf(want, sizeof want,
             "* 2 FETCH (BODY[TEXT] {19}\r\nThe FLAG is here.\r\n FLAGS "
             "(\\Seen \\Recent))\r\na4 OK Fetch completed.\r\n");
    EXPECT(s, "a4 fetch 2 body[text]\r\n", want);
    EXPECT(s, "a5 FETCH 3 (BODY.PEEK[HEADER] FLAGS)\r\n",
           "* 3 FETCH (BODY[HEADER] {42}\r\nFrom: ann@example.test\r\nSubject: Again\r\n\r\n "
           "FLAGS (\\Recent))\r\na5 OK Fetch completed.\r\n");
    EXPECT(s, "a6 FETCH 1:* (UID RFC822.SIZE FLAGS)\r\n",
           "* 1 FETCH (UID 1 RFC822.SIZE 122 FLAGS (\\Seen))\r\n"
           "* 2 FETCH (UID 2 RFC822.SIZE 62 FLAGS (\\Seen \\Recent))\r\n"
           "* 3 FETCH (UID 3 RFC822.SIZE 48 FLAGS (\\Recent))\r\n"
           "a6 OK Fetch completed.\r\n");
    EXPECT(s, "a7 FETCH 1,3 UID\r\n",
           "* 1 FETCH (UID 1)\r\n* 3 FETCH (UID 3)\r\na7 OK Fetch completed.\r\n");
    EXPECT(s, "a8 UID FETCH 2:3 FLAGS\r\n",
           "* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent))\r\n* 3 FETCH (UID 3 FLAGS (\\Recent))\r\n"
           "a8 OK Fetch completed.\r\n");
    EXPECT(s, "a9 UID FETCH 7:9 FLAGS\r\n", "a9 OK Fetch completed.\r\n");
    EXPECT(s, "b1 FETCH 4 FLAGS\r\n", "b1 BAD Error in IMAP command FETCH: Invalid messageset\r\n");
    EXPECT(s, "b2 FETCH 0 FLAGS\r\n", "b2 BAD Error in IMAP command FETCH: Invalid messageset\r\n");
    EXPECT(s, "b3 FETCH 1 BOGUS\r\n", "b3 BAD Error in IMAP command FETCH: Invalid arguments.\r\n");
    EXPECT(s, "b4 FETCH 1 (FLAGS\r\n",
           "b4 BAD Error in IMAP command FETCH: Invalid arguments.\r\n");
    EXPECT(s, "b5 FETCH 1 BODY[]<0.4>\r\n",
           "* 1 FETCH (BODY[]<0> {4}\r\nFrom)\r\nb5 OK Fetch completed.\r\n");
    EXPECT(s, "b6 FETCH 1 BODY.PEEK[]<500.10>\r\n",
           "* 1 FETCH (BODY[]<500> {0}\r\n)\r\nb6 OK Fetch completed.\r\n");
    EXPECT(s, "b7 FETCH 1 BODY.PEEK[HEADER.FIELDS (subject FROM)]\r\n",
           "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)] {54}\r\nFrom: Ann Smith "
           "<ann@example.test>\r\nSubject: Lunch\r\n\r\n)\r\nb7 OK Fetch completed.\r\n");
    EXPECT(s, "b8 FETCH 2 BODY.PEEK[HEADER.FIELDS.NOT (From)]\r\n",
           "* 2 FETCH (BODY[HEADER.FIELDS.NOT (FROM)] {19}\r\nSubject: Report\r\n\r\n)\r\n"
           "b8 OK Fetch completed.\r\n");
    EXPECT(s, "b9 FETCH 1 ENVELOPE\r\n",
           "* 1 FETCH (ENVELOPE (NIL \"Lunch\" ((\"Ann Smith\" NIL \"ann\" \"example.test\")) "
           "((\"Ann Smith\" NIL \"ann\" \"example.test\")) ((\"Ann Smith\" NIL \"ann\" "
           "\"example.test\")) ((NIL NIL \"nadia\" \"harbor.test\")) NIL NIL NIL "
           "\"<1@example.test>\"))\r\nb9 OK Fetch completed.\r\n");
    EXPECT(s, "c1 FETCH 3 (INTERNALDATE BODYSTRUCTURE)\r\n",
           "* 3 FETCH (INTERNALDATE \"02-Jan-2026 00:00:00 +0000\" BODYSTRUCTURE (\"text\" "
           "\"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 6 1 NIL NIL NIL NIL))\r\n"
           "c1 OK Fetch completed.\r\n");
    EXPECT_HAS(s, "c2 FETCH 3 FAST\r\n",
               "* 3 FETCH (FLAGS (\\Recent) INTERNALDATE \"02-Jan-2026 00:00:00 +0000\" "
               "RFC822.SIZE 48)\r\n");
    EXPECT_HAS(s, "c3 FETCH 3 RFC822.HEADER\r\n", "* 3 FETCH (RFC822.HEADER {42}\r\n");
    EXPECT(s, "c4 FETCH 3 RFC822.TEXT\r\n",
           "* 3 FETCH (RFC822.TEXT {6}\r\nbody\r\n FLAGS (\\Seen \\Recent))\r\nc4 OK Fetch "
           "completed.\r\n");
    imap_session_free(s);
    mfx_free(&f);
}

static void test_store_search(void)
{
    struct mfx f;
    mfx_init(&f);
    fill(&f);
    struct imap_session *s = selected(&f, "a2 SELECT INBOX\r\n");
    EXPECT(s, "a3 STORE 1 +FLAGS (\\Flagged \\Answered)\r\n",
           "* 1 FETCH (FLAGS (\\Answered \\Flagged \\Seen))\r\na3 OK Store completed.\r\n");
    EXPECT(s, "a4 STORE 1 -FLAGS \\Answered\r\n",
           "* 1 FETCH (FLAGS (\\Flagged \\Seen))\r\na4 OK Store completed.\r\n");
    EXPECT(s, "a5 STORE 1 FLAGS.SILENT (\\Deleted)\r\n", "a5 OK Store completed.\r\n");
    EXPECT(s, "a6 UID STORE 1 FLAGS (\\Seen)\r\n",
           "* 1 FETCH (UID 1 FLAGS (\\Seen))\r\na6 OK Store completed.\r\n");
    EXPECT(s, "a7 STORE 1 +FLAGS (\\Bogus)\r\n",
           "a7 BAD Error in IMAP command STORE: Invalid system flag \\Bogus\r\n");
    EXPECT(s, "a8 STORE 1 +FLAGS (Important)\r\n",
           "a8 NO [CANNOT] Keywords are not supported here.\r\n");
    EXPECT(s, "a9 STORE 1 +FLAGZ (\\Seen)\r\n",
           "a9 BAD Error in IMAP command STORE: Invalid arguments.\r\n");
    EXPECT(s, "b1 SEARCH ALL\r\n", "* SEARCH 1 2 3\r\nb1 OK Search completed.\r\n");
    EXPECT(s, "b2 SEARCH UNSEEN\r\n", "* SEARCH 2 3\r\nb2 OK Search completed.\r\n");
    EXPECT(s, "b3 SEARCH SEEN\r\n", "* SEARCH 1\r\nb3 OK Search completed.\r\n");
    EXPECT(s, "b4 SEARCH FROM ann\r\n", "* SEARCH 1 3\r\nb4 OK Search completed.\r\n");
    EXPECT(s, "b5 SEARCH SUBJECT \"report\"\r\n", "* SEARCH 2\r\nb5 OK Search completed.\r\n");
    EXPECT(s, "b6 SEARCH BODY flag\r\n", "* SEARCH 2\r\nb6 OK Search completed.\r\n");
    EXPECT(s, "b7 SEARCH NOT FROM ann\r\n", "* SEARCH 2\r\nb7 OK Search completed.\r\n");
    EXPECT(s, "b8 SEARCH OR SUBJECT lunch SUBJECT again\r\n",
           "* SEARCH 1 3\r\nb8 OK Search completed.\r\n");
    EXPECT(s, "b9 UID SEARCH FROM ann UNSEEN\r\n", "* SEARCH 3\r\nb9 OK Search completed.\r\n");
    EXPECT(s, "c1 SEARCH 2:* TEXT noon\r\n", "* SEARCH\r\nc1 OK Search completed.\r\n");
    EXPECT(s, "c2 SEARCH SINCE 2-Jan-2026\r\n", "* SEARCH 3\r\nc2 OK Search completed.\r\n");
    EXPECT(s, "c3 SEARCH CHARSET UTF-8 (RECENT LARGER 50)\r\n",
           "* SEARCH 2\r\nc3 OK Search completed.\r\n");
    EXPECT(s, "c4 SEARCH HEADER Message-ID example\r\n",
           "* SEARCH 1\r\nc4 OK Search completed.\r\n");
    EXPECT(s, "c5 SEARCH CHARSET KOI8-R ALL\r\n",
           "c5 NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset\r\n");
    EXPECT(s, "c6 SEARCH WHATEVER\r\n",
           "c6 BAD Error in IMAP command SEARCH: Invalid search arguments.\r\n");
    EXPECT(s, "c7 SEARCH\r\n", "c7 BAD Error in IMAP command SEARCH: Invalid arguments.\r\n");
    EXPECT(s, "c8 SEARCH DELETED\r\n", "* SEARCH\r\nc8 OK Search completed.\r\n");
    imap_session_free(s);
    mfx_free(&f);
}

static void test_copy_move_expunge(void)
{
    struct mfx f;
    mfx_init(&f);
    fill(&f);
    struct imap_session *s = selected(&f, "a2 SELECT INBOX\r\n");
    EXPECT(s, "a3 COPY 1 Archive\r\n", "a3 NO [TRYCREATE] Mailbox doesn't exist: Archive\r\n");
    EXPECT(s, "a4 CREATE Archive\r\na5 COPY 1:2 Archive\r\n",
           "a4 OK Create completed.\r\na5 OK Copy completed.\r\n");
    struct mail_folder *ar = mail_folder_find(mail_user_find(f.store, "nadia"), "Archive");
    CHECK_EQ(ar->n, 2);
    CHECK(ar->msgs[0].flags & MAIL_SEEN); /* flags go along */
    EXPECT(s, "a6 MOVE 2:3 Archive\r\n", "* 2 EXPUNGE\r\n* 2 EXPUNGE\r\na6 OK Move completed.\r\n");
    CHECK_EQ(ar->n, 4);
    EXPECT(s, "a7 FETCH 1:* UID\r\n", "* 1 FETCH (UID 1)\r\na7 OK Fetch completed.\r\n");
    EXPECT(s, "a8 MOVE 1 INBOX\r\n",
           "a8 NO [CANNOT] Source and destination mailbox are the same.\r\n");
    EXPECT(s, "a9 SELECT Archive\r\n",
           "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
           "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)] Flags "
           "permitted.\r\n"
           "* 4 EXISTS\r\n* 4 RECENT\r\n* OK [UNSEEN 2] First unseen.\r\n"
           "* OK [UIDVALIDITY 1767225602] UIDs valid\r\n* OK [UIDNEXT 5] Predicted next UID\r\n"
           "a9 OK [READ-WRITE] Select completed.\r\n");
    EXPECT(s, "b1 STORE 2,4 +FLAGS.SILENT (\\Deleted)\r\nb2 EXPUNGE\r\n",
           "b1 OK Store completed.\r\n* 2 EXPUNGE\r\n* 3 EXPUNGE\r\nb2 OK Expunge completed.\r\n");
    CHECK_EQ(ar->n, 2);
    EXPECT(s, "b3 STORE 1 +FLAGS.SILENT (\\Deleted)\r\nb4 UNSELECT\r\n",
           "b3 OK Store completed.\r\nb4 OK Unselect completed.\r\n");
    CHECK_EQ(ar->n, 2);
    CHECK_EQ(ar->open, 0);
    EXPECT(s, "b5 FETCH 1 FLAGS\r\n", "b5 BAD No mailbox selected.\r\n");
    free(say(s, "b6 SELECT Archive\r\n"));
    EXPECT(s, "b7 CLOSE\r\n", "b7 OK Close completed.\r\n"); /* expunges silently */
    CHECK_EQ(ar->n, 1);
    CHECK_EQ(s->state, IMAP_AUTHENTICATED);
    EXPECT(s, "b8 APPEND Archive (\\Seen) {6}\r\n", "+ Ready for literal data\r\n");
    EXPECT(s, "hi\r\n\r\n\r\n", "b8 OK Append completed.\r\n");
    CHECK_EQ(ar->n, 2);
    CHECK(ar->msgs[1].len == 6 && !memcmp(ar->msgs[1].data, "hi\r\n\r\n", 6));
    CHECK(ar->msgs[1].flags & MAIL_SEEN);
    EXPECT(s, "b9 APPEND Nowhere {1+}\r\nx\r\n",
           "b9 NO [TRYCREATE] Mailbox doesn't exist: Nowhere\r\n");
    imap_session_free(s);
    mfx_free(&f);
}

/* Two sessions on one INBOX: new mail shows as EXISTS, an expunge as
 * EXPUNGE, but never in the middle of a FETCH. */
static void test_two_sessions(void)
{
    struct mfx f;
    mfx_init(&f);
    fill(&f);
    struct imap_session *a = selected(&f, "a2 SELECT INBOX\r\n");
    struct imap_session *b = selected(&f, "b2 SELECT INBOX\r\n");
    struct mail_folder *in = mail_inbox(mail_user_find(f.store, "nadia"));
    mail_append(in, "Subject: new\r\n\r\n", 16, MAIL_RECENT, 0);
    EXPECT(a, "a3 NOOP\r\n", "* 4 EXISTS\r\n* 3 RECENT\r\na3 OK NOOP completed.\r\n");
    EXPECT(b, "b3 NOOP\r\n", "* 4 EXISTS\r\n* 0 RECENT\r\nb3 OK NOOP completed.\r\n");
    EXPECT(a, "a4 STORE 1 +FLAGS.SILENT (\\Deleted)\r\na5 EXPUNGE\r\n",
           "a4 OK Store completed.\r\n* 1 EXPUNGE\r\na5 OK Expunge completed.\r\n");
    /* b still numbers the messages as before until told */
    EXPECT(b, "b4 FETCH 1:2 UID\r\n", "* 2 FETCH (UID 2)\r\nb4 OK Fetch completed.\r\n");
    EXPECT(b, "b5 NOOP\r\n", "* 1 EXPUNGE\r\nb5 OK NOOP completed.\r\n");
    EXPECT(b, "b6 FETCH 1 UID\r\n", "* 1 FETCH (UID 2)\r\nb6 OK Fetch completed.\r\n");
    /* a folder selected elsewhere cannot be deleted */
    free(say(a, "a6 CREATE Tmp\r\na7 SELECT Tmp\r\n"));
    EXPECT(b, "b7 DELETE Tmp\r\n", "b7 NO [INUSE] Mailbox is in use.\r\n");
    imap_session_free(a);
    EXPECT(b, "b8 DELETE Tmp\r\n", "b8 OK Delete completed.\r\n");
    imap_session_free(b);
    mfx_free(&f);
}

static void test_dissect(void)
{
    struct dissection d;
    mfx_dissect("a1 LOGIN nadia pw\r\n", 40000, 143, &d);
    CHECK_STR(d.protocol, "IMAP");
    CHECK_STR(d.info, "Request: a1 LOGIN nadia pw");
    CHECK_STR(mfx_field(&d, "Request Tag"), "a1");
    CHECK_STR(mfx_field(&d, "Request Command"), "LOGIN");
    dissect_free(&d);
    mfx_dissect("* 1 FETCH (BODY[] {9}\r\na1 OK x\r\n)\r\na3 OK Fetch completed.\r\n", 143, 40000,
                &d);
    CHECK_STR(d.info, "Response: * 1 FETCH (BODY[] {9}");
    CHECK_STR(mfx_field(&d, "Response Tag"), "*");
    /* the literal's bytes are not taken for a response; the next line is */
    uint32_t statuses = 0;
    for (uint32_t i = 0; i < d.n_fields; i++)
        if (!strcmp(d.fields[i].name, "Response Status")) {
            statuses++;
            CHECK_STR(d.fields[i].value, "OK");
        }
    CHECK_EQ(statuses, 1);
    CHECK(!d.malformed);
    dissect_free(&d);
}

int main(void)
{
    test_tokens();
    test_seqset();
    test_output();
    test_not_authenticated();
    test_select_list();
    test_fetch();
    test_store_search();
    test_copy_move_expunge();
    test_two_sessions();
    test_dissect();
    return check_done();
}
