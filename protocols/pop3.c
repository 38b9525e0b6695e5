/* pop3.c - the POP3 server session: login, the numbered view of INBOX,
 * multi-line responses and the UPDATE state. See pop3.h.
 *
 * UIDL strings have Dovecot's default shape (pop3_uidl_format
 * "%08Xu%08Xv": the IMAP UID and UIDVALIDITY in hex), so POP3 and IMAP
 * name a message alike. Sizes are the stored octets with CRLF line ends
 * (RFC 1939's "exact size"); RETR sends them dot-stuffed. */
#include "pop3.h"
#include "smtp_wire.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void reply(struct pop3_session *s, const char *why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void reply(struct pop3_session *s, const char *why, const char *fmt, ...)
{
    size_t start = s->out.len;
    va_list ap;
    va_start(ap, fmt);
    mbuf_vprintf(&s->out, fmt, ap);
    va_end(ap);
    mail_reply_note(s->env, "POP", s->line ? s->line : "", s->out.p + start, why);
    mbuf_put(&s->out, "\r\n", 2);
}

struct pop3_session *pop3_session_new(const struct mail_env *env)
{
    struct pop3_session *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->env = env;
    reply(s,
          "A POP3 server greets with +OK; the client logs in next (USER and PASS), in the "
          "AUTHORIZATION state.",
          "+OK Dovecot ready.");
    return s;
}

void pop3_session_free(struct pop3_session *s)
{
    if (!s) return;
    mbuf_free(&s->out);
    free(s->uids);
    free(s->sizes);
    free(s->del);
    free(s->retr);
    free(s);
}

/* ---- AUTHORIZATION ---- */

/* Takes the snapshot of INBOX the session works on. */
static void login(struct pop3_session *s, struct mail_user *u)
{
    struct mail_folder *f = mail_inbox(u);
    s->u = u;
    s->state = POP3_TRANSACTION;
    s->n = f->n;
    s->uids = calloc(f->n ? f->n : 1, sizeof *s->uids);
    s->sizes = calloc(f->n ? f->n : 1, sizeof *s->sizes);
    s->del = calloc(f->n ? f->n : 1, sizeof *s->del);
    s->retr = calloc(f->n ? f->n : 1, sizeof *s->retr);
    if (!s->uids || !s->sizes || !s->del || !s->retr) abort();
    for (uint32_t i = 0; i < f->n; i++) {
        s->uids[i] = f->msgs[i].uid;
        s->sizes[i] = f->msgs[i].len;
    }
    if (s->env->trace) {
        char why[300];
        snprintf(why, sizeof why,
                 "The password matches %s's account: the session enters the TRANSACTION state "
                 "and sees the %u message%s in INBOX right now, numbered from 1.",
                 u->name, f->n, f->n == 1 ? "" : "s");
        reply(s, why, "+OK Logged in.");
    } else {
        reply(s, NULL, "+OK Logged in.");
    }
}

static void auth_failed(struct pop3_session *s)
{
    s->have_user = false;
    reply(s,
          "No account has this user name and password. The server does not say which of the "
          "two was wrong, so guessing names is no easier than guessing passwords.",
          "-ERR [AUTH] Authentication failed.");
}

static void cmd_user(struct pop3_session *s, const struct pop3_cmd *c)
{
    if (c->argc != 1 || c->argl[0] > MAIL_NAME_MAX) {
        reply(s, "USER takes one argument, the user name.", "-ERR No username given.");
        return;
    }
    memcpy(s->user, c->argv[0], c->argl[0]);
    s->user[c->argl[0]] = 0;
    s->have_user = true;
    reply(s,
          "The server takes the user name and waits for PASS; it does not yet say whether the "
          "name exists.",
          "+OK");
}

static void cmd_pass(struct pop3_session *s, const struct pop3_cmd *c)
{
    if (!s->have_user) {
        reply(s, "PASS comes after USER: the server needs to know whose password it is.",
              "-ERR No username given.");
        return;
    }
    char pw[300];
    size_t n = c->rest_len < sizeof pw ? c->rest_len : sizeof pw - 1;
    memcpy(pw, c->rest, n);
    pw[n] = 0;
    struct mail_user *u = mail_login(s->env->store, s->user, pw);
    if (!u)
        auth_failed(s);
    else
        login(s, u);
}

/* SASL PLAIN (RFC 4616): base64 of "authzid NUL authcid NUL password". */
static void sasl_plain(struct pop3_session *s, const char *b64, size_t n)
{
    uint8_t raw[600];
    long k = mail_b64_decode(b64, n, raw, sizeof raw - 1);
    if (k < 0) {
        reply(s, "The AUTH PLAIN response must be base64 of \"\\0user\\0password\".",
              "-ERR Invalid base64 data in continued response");
        return;
    }
    raw[k] = 0;
    const char *authz = (const char *)raw;
    size_t al = strlen(authz);
    if ((long)al + 1 >= k) {
        auth_failed(s);
        return;
    }
    const char *user = authz + al + 1;
    size_t ul = strlen(user);
    if ((long)(al + ul + 2) > k) {
        auth_failed(s);
        return;
    }
    const char *pw = user + ul + 1;
    if ((al && strcmp(authz, user) != 0) || (long)(al + ul + 2 + strlen(pw)) != k) {
        auth_failed(s);
        return;
    }
    struct mail_user *u = mail_login(s->env->store, user, pw);
    if (!u)
        auth_failed(s);
    else
        login(s, u);
}

static void cmd_auth(struct pop3_session *s, const struct pop3_cmd *c)
{
    if (c->argc == 0) {
        reply(s, "AUTH without a mechanism lists the SASL mechanisms the server accepts.", "+OK");
        mbuf_puts(&s->out, "PLAIN\r\n.\r\n");
        return;
    }
    if (c->argl[0] != 5 || strncasecmp(c->argv[0], "PLAIN", 5) != 0) {
        reply(s, "This server accepts only the PLAIN mechanism (and USER/PASS).",
              "-ERR Unsupported authentication mechanism.");
        return;
    }
    if (c->argc >= 2) {
        sasl_plain(s, c->argv[1], c->argl[1]);
        return;
    }
    s->sasl_wait = true;
    reply(s, "The server asks for the PLAIN credentials with an empty \"+ \" challenge.", "+ ");
}

/* ---- TRANSACTION ---- */

/* The message number argument k of c: its index, or -1 after an error
 * reply. Deleted messages are refused unless allow_deleted. */
static long msg_arg(struct pop3_session *s, const struct pop3_cmd *c, int k)
{
    if (c->argc <= k) {
        reply(s, "This command needs a message number (as LIST shows them).",
              "-ERR Message number missing.");
        return -1;
    }
    const char *a = c->argv[k];
    size_t l = c->argl[k];
    unsigned long v = 0;
    bool num = l > 0 && l <= 9;
    for (size_t i = 0; i < l && num; i++) {
        if (!isdigit((unsigned char)a[i])) num = false;
        v = v * 10 + (unsigned long)(a[i] - '0');
    }
    if (!num) {
        reply(s, "Messages are named by their number: 1, 2, ...",
              "-ERR Invalid message number: %.*s", (int)(l > 40 ? 40 : l), a);
        return -1;
    }
    if (v == 0 || v > s->n) {
        if (s->env->trace) {
            char why[160];
            snprintf(why, sizeof why, "The mailbox holds messages 1 to %u in this session.", s->n);
            reply(s, why, "-ERR There's no message %lu.", v);
        } else {
            reply(s, NULL, "-ERR There's no message %lu.", v);
        }
        return -1;
    }
    if (s->del[v - 1]) {
        reply(s, "This message was marked with DELE earlier in the session; RSET would unmark it.",
              "-ERR Message is deleted.");
        return -1;
    }
    return (long)(v - 1);
}

/* The stored message behind index i, or NULL (and a reply) when an IMAP
 * session expunged it since login. */
static const struct mail_msg *msg_get(struct pop3_session *s, long i)
{
    struct mail_folder *f = mail_inbox(s->u);
    long k = mail_folder_index(f, s->uids[i]);
    if (k < 0) {
        reply(s, "Another session (IMAP) removed this message after this one logged in.",
              "-ERR Message %ld was expunged by another session.", i + 1);
        return NULL;
    }
    return &f->msgs[k];
}

static void cmd_stat(struct pop3_session *s)
{
    uint32_t n = 0;
    size_t total = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        if (s->del[i]) continue;
        n++;
        total += s->sizes[i];
    }
    reply(s,
          "STAT gives the number of messages and their total size in octets (messages marked "
          "with DELE are not counted).",
          "+OK %u %zu", n, total);
}

static void cmd_list(struct pop3_session *s, const struct pop3_cmd *c)
{
    if (c->argc) {
        long i = msg_arg(s, c, 0);
        if (i < 0) return;
        reply(s, "LIST with a number gives that message's size in octets.", "+OK %ld %zu", i + 1,
              s->sizes[i]);
        return;
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->n; i++)
        n += !s->del[i];
    reply(s,
          "LIST gives each message's number and size, one per line, and a line with \".\" at "
          "the end.",
          "+OK %u messages:", n);
    for (uint32_t i = 0; i < s->n; i++)
        if (!s->del[i]) mbuf_printf(&s->out, "%u %zu\r\n", i + 1, s->sizes[i]);
    mbuf_puts(&s->out, ".\r\n");
}

static void cmd_uidl(struct pop3_session *s, const struct pop3_cmd *c)
{
    uint32_t v = mail_inbox(s->u)->uidvalidity;
    if (c->argc) {
        long i = msg_arg(s, c, 0);
        if (i < 0) return;
        reply(s, "UIDL gives a message's unique id, which stays the same across sessions.",
              "+OK %ld %08X%08X", i + 1, s->uids[i], v);
        return;
    }
    reply(s,
          "UIDL lists each message's unique id, which stays the same across sessions, so a "
          "client can tell which messages it already downloaded.",
          "+OK");
    for (uint32_t i = 0; i < s->n; i++)
        if (!s->del[i]) mbuf_printf(&s->out, "%u %08X%08X\r\n", i + 1, s->uids[i], v);
    mbuf_puts(&s->out, ".\r\n");
}

static void cmd_retr(struct pop3_session *s, const struct pop3_cmd *c)
{
    long i = msg_arg(s, c, 0);
    if (i < 0) return;
    const struct mail_msg *m = msg_get(s, i);
    if (!m) return;
    s->retr[i] = true;
    reply(s,
          "RETR sends the whole message, headers and body; a line that starts with \".\" gets "
          "another \".\" in front (dot-stuffing), and a lone \".\" ends it.",
          "+OK %zu octets", m->len);
    smtp_dot_stuff(&s->out, m->data, m->len);
}

static void cmd_top(struct pop3_session *s, const struct pop3_cmd *c)
{
    long i = msg_arg(s, c, 0);
    if (i < 0) return;
    unsigned long lines = 0;
    bool num = c->argc >= 2 && c->argl[1] <= 9;
    for (size_t k = 0; num && k < c->argl[1]; k++) {
        if (!isdigit((unsigned char)c->argv[1][k])) num = false;
        lines = lines * 10 + (unsigned long)(c->argv[1][k] - '0');
    }
    if (!num) {
        reply(s, "TOP takes a message number and how many lines of the body to send.",
              "-ERR Invalid number of lines: %.*s",
              c->argc >= 2 ? (int)(c->argl[1] > 40 ? 40 : c->argl[1]) : 0,
              c->argc >= 2 ? c->argv[1] : "");
        return;
    }
    const struct mail_msg *m = msg_get(s, i);
    if (!m) return;
    size_t end = mail_header_len(m->data, m->len);
    while (end < m->len && lines > 0) {
        const char *nl = memchr(m->data + end, '\n', m->len - end);
        end = nl ? (size_t)(nl - m->data) + 1 : m->len;
        lines--;
    }
    reply(s, "TOP sends the headers, the blank line and the first lines of the body.", "+OK");
    smtp_dot_stuff(&s->out, m->data, end);
}

static void cmd_dele(struct pop3_session *s, const struct pop3_cmd *c)
{
    long i = msg_arg(s, c, 0);
    if (i < 0) return;
    s->del[i] = true;
    reply(s,
          "DELE only marks the message: it is removed when the session ends with QUIT (the "
          "UPDATE state). If the connection drops instead, nothing is deleted.",
          "+OK Marked to be deleted.");
}

static void cmd_rset(struct pop3_session *s)
{
    for (uint32_t i = 0; i < s->n; i++)
        s->del[i] = false;
    reply(s, "RSET unmarks every message marked with DELE in this session.", "+OK");
}

/* UPDATE (RFC 1939 6): apply the session's marks to the store. */
static void update(struct pop3_session *s)
{
    struct mail_folder *f = mail_inbox(s->u);
    uint32_t gone = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        long k = mail_folder_index(f, s->uids[i]);
        if (k < 0) continue;
        if (s->del[i]) {
            mail_remove(f, (uint32_t)k);
            gone++;
        } else if (s->retr[i]) {
            f->msgs[k].flags |= MAIL_SEEN;
        }
    }
    s->state = POP3_UPDATE;
    if (gone) {
        if (s->env->trace) {
            char why[300];
            snprintf(why, sizeof why,
                     "QUIT moves the session to the UPDATE state: now, and only now, the %u "
                     "message%s marked with DELE %s removed from the mailbox.",
                     gone, gone == 1 ? "" : "s", gone == 1 ? "is" : "are");
            reply(s, why, "+OK Logging out, messages deleted.");
        } else {
            reply(s, NULL, "+OK Logging out, messages deleted.");
        }
    } else {
        reply(s,
              "QUIT ends the session (the UPDATE state); no message was marked for deletion, "
              "so the mailbox keeps them all.",
              "+OK Logging out.");
    }
}

/* ---- dispatch ---- */

static void unknown(struct pop3_session *s, const struct pop3_cmd *c)
{
    if (s->env->trace) {
        char why[200];
        snprintf(why, sizeof why, "%s is not a POP3 command this server knows.", c->name);
        reply(s, why, "-ERR Unknown command: %s", c->name);
    } else {
        reply(s, NULL, "-ERR Unknown command: %s", c->name);
    }
}

static void cmd_capa(struct pop3_session *s)
{
    reply(s, "CAPA lists the optional commands and extensions this server supports.", "+OK");
    mbuf_puts(&s->out, "CAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nUSER\r\nSASL PLAIN\r\n"
                       ".\r\n");
}

static void authorization(struct pop3_session *s, const struct pop3_cmd *c)
{
    switch (c->verb) {
    case POP3_USER:
        cmd_user(s, c);
        break;
    case POP3_PASS:
        cmd_pass(s, c);
        break;
    case POP3_AUTH:
        cmd_auth(s, c);
        break;
    case POP3_CAPA:
        cmd_capa(s);
        break;
    case POP3_QUIT:
        reply(s, "QUIT before logging in ends the session; nothing changes.", "+OK Logging out.");
        s->close = true;
        break;
    case POP3_STLS:
        reply(s, "There is no TLS here: the session, passwords included, stays in clear text.",
              "-ERR TLS support isn't enabled.");
        break;
    case POP3_UNKNOWN:
        unknown(s, c);
        break;
    default:
        reply(s,
              "This command works only in the TRANSACTION state, after logging in with USER and "
              "PASS.",
              "-ERR Unknown command in AUTHORIZATION state: log in first (USER and PASS).");
        break;
    }
}

static void transaction(struct pop3_session *s, const struct pop3_cmd *c)
{
    switch (c->verb) {
    case POP3_STAT:
        cmd_stat(s);
        break;
    case POP3_LIST:
        cmd_list(s, c);
        break;
    case POP3_UIDL:
        cmd_uidl(s, c);
        break;
    case POP3_RETR:
        cmd_retr(s, c);
        break;
    case POP3_TOP:
        cmd_top(s, c);
        break;
    case POP3_DELE:
        cmd_dele(s, c);
        break;
    case POP3_RSET:
        cmd_rset(s);
        break;
    case POP3_NOOP:
        reply(s, "NOOP does nothing but get +OK: a way to keep the session alive.", "+OK");
        break;
    case POP3_CAPA:
        cmd_capa(s);
        break;
    case POP3_QUIT:
        update(s);
        s->close = true;
        break;
    case POP3_USER:
    case POP3_PASS:
    case POP3_AUTH:
        reply(s, "The session is already logged in (TRANSACTION state).",
              "-ERR Unknown command in TRANSACTION state: already logged in.");
        break;
    default:
        unknown(s, c);
        break;
    }
}

void pop3_session_line(struct pop3_session *s, const char *line, size_t len, bool overlong)
{
    if (s->close) return;
    s->line = line;
    if (s->sasl_wait) {
        s->sasl_wait = false;
        if (len == 1 && line[0] == '*')
            reply(s, "The client cancelled the authentication with \"*\".",
                  "-ERR Authentication aborted by client.");
        else
            sasl_plain(s, line, len);
        s->line = NULL;
        return;
    }
    struct pop3_cmd c;
    if (overlong)
        reply(s, "A POP3 command line may be at most 255 characters (RFC 2449).",
              "-ERR Input line too long.");
    else if (!pop3_cmd_parse(line, len, &c))
        reply(s, "An empty line is not a command.", "-ERR Unknown command.");
    else if (s->state == POP3_AUTHORIZATION)
        authorization(s, &c);
    else
        transaction(s, &c);
    s->line = NULL;
}
