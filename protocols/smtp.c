/* smtp.c - the SMTP server session: the command state machine, recipient
 * checks, message reception and delivery into the store. See smtp.h.
 *
 * Replies are Postfix 3.7's (smtpd.c): "220 HOST ESMTP Postfix", EHLO's
 * keyword list, "250 2.1.0 Ok", "354 End data with <CR><LF>.<CR><LF>",
 * "250 2.0.0 Ok: queued as ID", "503 5.5.1 Error: need MAIL command",
 * "502 5.5.2 Error: command not recognized", "221 2.0.0 Bye". Queue ids
 * have Postfix's short shape (ten hex digits) but are made from simulated
 * time and a counter, so a run repeats byte for byte. */
#include "smtp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Appends one reply line; with a why, the note that explains it (the
 * summary pairs the command with the reply's first line). */
static void reply(struct smtp_session *s, const char *why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void reply(struct smtp_session *s, const char *why, const char *fmt, ...)
{
    size_t start = s->out.len;
    va_list ap;
    va_start(ap, fmt);
    mbuf_vprintf(&s->out, fmt, ap);
    va_end(ap);
    mail_reply_note(s->env, "SMTP", s->line ? s->line : "", s->out.p + start, why);
    mbuf_put(&s->out, "\r\n", 2);
}

struct smtp_session *smtp_session_new(const struct mail_env *env, uint32_t peer)
{
    struct smtp_session *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->env = env;
    s->peer = peer;
    reply(s,
          "A mail server greets every client first with code 220 and its name; the client may "
          "then say HELO or EHLO.",
          "220 %s ESMTP Postfix", env->hostname);
    return s;
}

void smtp_session_free(struct smtp_session *s)
{
    if (!s) return;
    mbuf_free(&s->out);
    mbuf_free(&s->msg);
    free(s->rcpt);
    free(s);
}

/* Forgets the mail transaction (RSET, a new HELO, after a delivery). */
static void reset_mail(struct smtp_session *s)
{
    s->in_mail = false;
    s->from[0] = 0;
    s->n_rcpt = 0;
    s->too_big = false;
    s->msg.len = 0;
}

/* ---- recipients ---- */

static bool local_domain(const struct smtp_session *s, const char *dom)
{
    return !strcasecmp(dom, s->env->domain) || !strcasecmp(dom, s->env->hostname) ||
           !strcasecmp(dom, "localhost");
}

/* Splits addr at its '@': the local part into user (cut to fit), the
 * domain returned ("" when there is none). */
static const char *split_addr(const char *addr, char *user, size_t cap)
{
    const char *at = strrchr(addr, '@');
    size_t n = at ? (size_t)(at - addr) : strlen(addr);
    if (n >= cap) n = cap - 1;
    memcpy(user, addr, n);
    user[n] = 0;
    return at ? at + 1 : "";
}

/* ---- commands ---- */

static void cmd_helo(struct smtp_session *s, const struct smtp_cmd *c)
{
    bool ehlo = c->verb == SMTP_EHLO;
    if (!c->arg_len) {
        reply(s, "HELO and EHLO need the client's own name, as in \"EHLO client.example\".",
              "501 Syntax: %s hostname", ehlo ? "EHLO" : "HELO");
        return;
    }
    reset_mail(s);
    s->greeted = true;
    s->esmtp = ehlo;
    size_t n = c->arg_len < sizeof s->helo ? c->arg_len : sizeof s->helo - 1;
    memcpy(s->helo, c->arg, n);
    s->helo[n] = 0;
    if (!ehlo) {
        reply(s,
              "HELO starts a plain SMTP session (RFC 821): the server answers with its name and "
              "the client may now give MAIL FROM.",
              "250 %s", s->env->hostname);
        return;
    }
    /* EHLO: one line per extension, "250-" on all but the last; STARTTLS
     * where Postfix puts it, and only while the session is in the clear */
    bool tls_offer = s->starttls_ok && !s->tls;
    mbuf_printf(&s->out,
                "250-%s\r\n250-PIPELINING\r\n250-SIZE %d\r\n250-VRFY\r\n%s"
                "250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n",
                s->env->hostname, SMTP_SIZE_MAX, tls_offer ? "250-STARTTLS\r\n" : "");
    if (s->env->trace) {
        char sum[300];
        snprintf(sum, sizeof sum,
                 "C: %.80s \xe2\x86\x92 S: 250-%s (and %d lines: PIPELINING, SIZE, VRFY, "
                 "%sENHANCEDSTATUSCODES, 8BITMIME)",
                 s->line, s->env->hostname, tls_offer ? 6 : 5, tls_offer ? "STARTTLS, " : "");
        mail_note(s->env, "SMTP", sum,
                  "EHLO starts an extended SMTP session: the 250 reply lists the extensions this "
                  "server offers, one per line, \"250-\" on every line but the last.%s",
                  tls_offer ? " STARTTLS says the client may switch this very connection to "
                              "TLS before it sends anything private."
                  : s->tls  ? " The session already runs over TLS, so STARTTLS is no longer "
                              "offered."
                            : "");
    }
}

/* Checks the ESMTP parameters of MAIL FROM (SIZE, BODY); false when a
 * reply was sent. */
static bool mail_params(struct smtp_session *s, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && p[e] != ' ' && p[e] != '\t')
            e++;
        const char *kw = p + i;
        size_t kl = e - i;
        if (kl > 5 && !strncasecmp(kw, "SIZE=", 5)) {
            unsigned long long v = 0;
            bool num = true;
            for (size_t k = 5; k < kl; k++) {
                if (!isdigit((unsigned char)kw[k]) || v > 1000000000000ull) num = false;
                v = v * 10 + (unsigned)(kw[k] - '0');
            }
            if (!num) {
                reply(s, "SIZE= takes the message size in bytes, a number.",
                      "501 5.5.4 Bad message size syntax");
                return false;
            }
            if (v > SMTP_SIZE_MAX) {
                reply(s,
                      "The client announced a message larger than this server accepts (the SIZE "
                      "its EHLO reply gave), so it is refused before any data is sent.",
                      "552 5.3.4 Message size exceeds fixed limit");
                return false;
            }
        } else if (!(kl >= 5 && !strncasecmp(kw, "BODY=", 5) &&
                     (!strcasecmp(kw + 5, "7BIT") || !strncasecmp(kw + 5, "8BITMIME", kl - 5)))) {
            if (s->env->trace) {
                char why[200];
                snprintf(why, sizeof why,
                         "%.*s is not an extension this server announced in its EHLO reply.",
                         (int)(kl > 60 ? 60 : kl), kw);
                reply(s, why, "555 5.5.4 Unsupported option: %.*s", (int)(kl > 200 ? 200 : kl), kw);
            } else {
                reply(s, NULL, "555 5.5.4 Unsupported option: %.*s", (int)(kl > 200 ? 200 : kl),
                      kw);
            }
            return false;
        }
        i = e;
        while (i < n && (p[i] == ' ' || p[i] == '\t'))
            i++;
    }
    return true;
}

static void cmd_mail(struct smtp_session *s, const struct smtp_cmd *c)
{
    if (!s->greeted) {
        reply(s,
              "SMTP's order is HELO/EHLO, then MAIL FROM: the client must introduce itself "
              "before it starts a message.",
              "503 5.5.1 Error: send HELO/EHLO first");
        return;
    }
    if (s->in_mail) {
        reply(s,
              "A message is already under way (MAIL FROM was given); finish it with DATA or "
              "cancel it with RSET first.",
              "503 5.5.1 Error: nested MAIL command");
        return;
    }
    char addr[SMTP_PATH_MAX];
    const char *params;
    size_t pl;
    int rc = smtp_path_parse(c->arg, c->arg_len, "FROM:", addr, sizeof addr, &params, &pl);
    if (rc == SMTP_PATH_SYNTAX) {
        reply(s, "MAIL needs the sender after \"FROM:\", as in MAIL FROM:<ann@example.test>.",
              "501 5.5.4 Syntax: MAIL FROM:<address>");
        return;
    }
    if (rc != SMTP_PATH_OK) {
        reply(s, "The sender's address is not a valid mailbox (local-part@domain).",
              "501 5.1.7 Bad sender address syntax");
        return;
    }
    if (!mail_params(s, params, pl)) return;
    s->in_mail = true;
    snprintf(s->from, sizeof s->from, "%s", addr);
    reply(s,
          "The sender (the envelope's return address, where bounces would go) is noted; any "
          "address is taken, since SMTP itself checks nothing about who is sending.",
          "250 2.1.0 Ok");
}

static void cmd_rcpt(struct smtp_session *s, const struct smtp_cmd *c)
{
    if (!s->in_mail) {
        reply(s,
              "RCPT TO comes after MAIL FROM: the server needs a sender before it takes "
              "recipients.",
              "503 5.5.1 Error: need MAIL command");
        return;
    }
    char addr[SMTP_PATH_MAX], user[MAIL_NAME_MAX + 1];
    const char *params;
    size_t pl;
    int rc = smtp_path_parse(c->arg, c->arg_len, "TO:", addr, sizeof addr, &params, &pl);
    if (rc == SMTP_PATH_SYNTAX) {
        reply(s, "RCPT needs the recipient after \"TO:\", as in RCPT TO:<nadia@example.test>.",
              "501 5.5.4 Syntax: RCPT TO:<address>");
        return;
    }
    if (rc != SMTP_PATH_OK || !addr[0]) {
        reply(s, "The recipient's address is not a valid mailbox (local-part@domain).",
              "501 5.1.3 Bad recipient address syntax");
        return;
    }
    if (pl) {
        reply(s, "RCPT TO takes no parameters on this server.",
              "555 5.5.4 Unsupported option: %.*s", (int)(pl > 200 ? 200 : pl), params);
        return;
    }
    const char *dom = split_addr(addr, user, sizeof user);
    if (*dom && !local_domain(s, dom)) {
        if (s->env->trace) {
            char why[512];
            snprintf(why, sizeof why,
                     "This server delivers only mail for its own domain (%s). %s belongs to "
                     "someone else: passing it on for any client that asks would make this an "
                     "open relay, which spammers abuse, so it is refused.",
                     s->env->domain, dom);
            reply(s, why, "554 5.7.1 <%s>: Relay access denied", addr);
        } else {
            reply(s, NULL, "554 5.7.1 <%s>: Relay access denied", addr);
        }
        return;
    }
    struct mail_user *u = mail_user_find(s->env->store, user);
    if (!u) {
        if (s->env->trace) {
            char why[512];
            snprintf(why, sizeof why,
                     "The address is in this server's domain, but there is no mailbox called "
                     "\"%s\" here, so the server refuses it now rather than accept mail it "
                     "cannot deliver.",
                     user);
            reply(s, why,
                  "550 5.1.1 <%s>: Recipient address rejected: User unknown in local recipient "
                  "table",
                  addr);
        } else {
            reply(s, NULL,
                  "550 5.1.1 <%s>: Recipient address rejected: User unknown in local recipient "
                  "table",
                  addr);
        }
        return;
    }
    if (s->n_rcpt >= SMTP_RCPT_MAX) {
        reply(s, "One message may have at most 1000 recipients here.",
              "452 4.5.3 Error: too many recipients");
        return;
    }
    struct smtp_rcpt *r = realloc(s->rcpt, (s->n_rcpt + 1) * sizeof *r);
    if (!r) abort();
    s->rcpt = r;
    r = &s->rcpt[s->n_rcpt++];
    snprintf(r->addr, sizeof r->addr, "%s", addr);
    snprintf(r->user, sizeof r->user, "%s", u->name);
    if (s->env->trace) {
        char why[600];
        snprintf(why, sizeof why,
                 "%s is a local mailbox of this server (user %s), so the message will be "
                 "delivered here.",
                 addr, u->name);
        reply(s, why, "250 2.1.5 Ok");
    } else {
        reply(s, NULL, "250 2.1.5 Ok");
    }
}

static void cmd_data(struct smtp_session *s, const struct smtp_cmd *c)
{
    if (!s->in_mail || s->n_rcpt == 0) {
        reply(s,
              "DATA comes after at least one accepted RCPT TO: the server must know where the "
              "message goes before it takes the text.",
              "503 5.5.1 Error: need RCPT command");
        return;
    }
    if (c->arg_len) {
        reply(s, "DATA takes no argument; the message follows on the next lines.",
              "501 5.5.4 Syntax: DATA");
        return;
    }
    s->in_data = true;
    s->msg.len = 0;
    reply(s,
          "The server is ready for the message text: headers, a blank line, the body, and a "
          "line with a single \".\" to end it.",
          "354 End data with <CR><LF>.<CR><LF>");
}

static void cmd_vrfy(struct smtp_session *s, const struct smtp_cmd *c)
{
    if (!c->arg_len) {
        reply(s, "VRFY needs the name or address to check.", "501 5.5.4 Syntax: VRFY address");
        return;
    }
    char addr[SMTP_PATH_MAX], user[MAIL_NAME_MAX + 1];
    size_t n = c->arg_len;
    const char *a = c->arg;
    if (n >= 2 && a[0] == '<' && a[n - 1] == '>') {
        a++;
        n -= 2;
    }
    if (n >= sizeof addr) n = sizeof addr - 1;
    memcpy(addr, a, n);
    addr[n] = 0;
    const char *dom = split_addr(addr, user, sizeof user);
    if ((*dom && !local_domain(s, dom)) || !mail_user_find(s->env->store, user)) {
        reply(s,
              "VRFY asks whether a mailbox exists; this one is not a local account. (Real "
              "servers often disable VRFY, since it lets anyone list valid addresses.)",
              "550 5.1.1 <%s>: Recipient address rejected: User unknown in local recipient table",
              addr);
        return;
    }
    reply(s,
          "The mailbox exists. 252 means \"cannot verify, but will accept mail for it\", the "
          "answer Postfix gives to VRFY.",
          "252 2.0.0 %s", addr);
}

/* Postfix's short queue id: five hex digits of microseconds, five more
 * from a counter (an inode number on a real server). */
static void make_queue_id(struct smtp_session *s)
{
    unsigned us = (unsigned)((s->env->now / SIM_US) % 1000000);
    unsigned serial = (0x1C0D5u + 0x2Bu * s->env->store->serial++) & 0xFFFFFu;
    snprintf(s->queue_id, sizeof s->queue_id, "%05X%05X", us, serial);
}

/* True when the message starts with a header field ("Name: value"). */
static bool starts_with_header(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] > ' ' && p[i] < 0x7f && p[i] != ':')
        i++;
    return i > 0 && i < n && p[i] == ':';
}

static void deliver(struct smtp_session *s)
{
    make_queue_id(s);
    char date[64], ip[16];
    mail_date_rfc5322(s->env->now, date, sizeof date);
    snprintf(ip, sizeof ip, "%u.%u.%u.%u", s->peer >> 24, s->peer >> 16 & 255, s->peer >> 8 & 255,
             s->peer & 255);
    bool hdr = starts_with_header(s->msg.p ? s->msg.p : "", s->msg.len);
    uint32_t done = 0;
    for (uint32_t i = 0; i < s->n_rcpt; i++) {
        bool dup = false;
        for (uint32_t k = 0; k < i; k++)
            dup |= !strcasecmp(s->rcpt[k].user, s->rcpt[i].user);
        if (dup) continue;
        struct mail_user *u = mail_user_find(s->env->store, s->rcpt[i].user);
        if (!u) continue;
        struct mail_buf m = {0};
        mbuf_printf(&m, "Return-Path: <%s>\r\n", s->from);
        mbuf_printf(&m, "X-Original-To: %s\r\n", s->rcpt[i].addr);
        mbuf_printf(&m, "Delivered-To: %s@%s\r\n", u->name, s->env->domain);
        mbuf_printf(&m,
                    "Received: from %s (unknown [%s])\r\n\tby %s (Postfix) with %s id %s\r\n"
                    "\tfor <%s>; %s (UTC)\r\n",
                    s->helo, ip, s->env->hostname,
                    s->esmtp ? (s->tls ? "ESMTPS" : "ESMTP") : "SMTP", s->queue_id, s->rcpt[i].addr,
                    date);
        if (!hdr) mbuf_put(&m, "\r\n", 2); /* no header of its own: the text is the body */
        if (s->msg.len) mbuf_put(&m, s->msg.p, s->msg.len);
        struct mail_msg *msg = mail_append(mail_inbox(u), m.p, m.len, MAIL_RECENT, s->env->now);
        if (msg) {
            done++;
            if (s->env->trace) {
                char sum[200];
                snprintf(sum, sizeof sum, "Delivered %s to %s's INBOX (UID %u, %zu bytes)",
                         s->queue_id, u->name, msg->uid, m.len);
                mail_note(s->env, "SMTP", sum,
                          "The server stores the message in the recipient's mailbox, adding "
                          "Return-Path (the envelope sender) and a Received header that records "
                          "who handed it over and when; POP3 and IMAP read it from there.");
            }
        }
        mbuf_free(&m);
    }
    s->delivered += done;
}

static void data_line(struct smtp_session *s, const char *line, size_t len)
{
    if (smtp_dot_unstuff(&line, &len)) {
        s->in_data = false;
        s->line = ".";
        if (s->too_big) {
            reply(s,
                  "The message was larger than the limit this server announced (SIZE), so it "
                  "is refused as a whole.",
                  "552 5.3.4 Message size exceeds fixed limit");
        } else {
            deliver(s);
            if (s->env->trace) {
                char why[200];
                snprintf(why, sizeof why,
                         "The lone \".\" ends the message; the server has taken responsibility "
                         "for it and names it by its queue id %s.",
                         s->queue_id);
                reply(s, why, "250 2.0.0 Ok: queued as %s", s->queue_id);
            } else {
                reply(s, NULL, "250 2.0.0 Ok: queued as %s", s->queue_id);
            }
        }
        reset_mail(s);
        s->line = NULL;
        return;
    }
    if (s->too_big || s->msg.len + len + 2 > SMTP_SIZE_MAX) {
        s->too_big = true;
        return;
    }
    mbuf_put(&s->msg, line, len);
    mbuf_put(&s->msg, "\r\n", 2);
}

/* RFC 3207 4: STARTTLS, then the TLS handshake on the same connection. */
static void cmd_starttls(struct smtp_session *s, const struct smtp_cmd *c)
{
    if (c->arg_len) {
        reply(s, "STARTTLS takes no argument.", "501 5.5.4 Syntax: STARTTLS");
        return;
    }
    if (s->tls) {
        reply(s,
              "The session already runs over TLS; a second STARTTLS is a protocol error (RFC "
              "3207 4.2: the client must not start TLS twice).",
              "554 5.5.1 Error: TLS already active");
        return;
    }
    if (s->starttls_ok && s->in_mail) {
        reply(s,
              "A mail transaction is open (MAIL FROM was given): TLS must start before it, "
              "so the envelope is protected too; finish it or RSET first.",
              "503 5.5.1 Error: MAIL transaction in progress");
        return;
    }
    if (!s->starttls_ok) {
        reply(s,
              "This server does not offer STARTTLS (no TLS here): the session stays in "
              "clear text, readable by anyone on the path.",
              "502 5.5.1 Error: command not implemented");
        return;
    }
    reply(s,
          "The server agrees to switch to TLS: the client's next bytes on this same TCP "
          "connection are a TLS ClientHello. Afterwards SMTP starts over (RFC 3207 4.2): both "
          "sides forget the EHLO and the client must greet again, now encrypted.",
          "220 2.0.0 Ready to start TLS");
    /* RFC 3207 4.2: "the server MUST discard any knowledge obtained from
     * the client, such as the argument to the EHLO command" */
    reset_mail(s);
    s->greeted = false;
    s->esmtp = false;
    s->helo[0] = 0;
    s->tls = true;
    s->start_tls = true;
}

/* Postfix's smtpd_tls_security_level=encrypt: commands taken before TLS. */
static bool allowed_before_tls(enum smtp_verb v)
{
    return v == SMTP_HELO || v == SMTP_EHLO || v == SMTP_STARTTLS || v == SMTP_NOOP ||
           v == SMTP_QUIT || v == SMTP_UNKNOWN;
}

void smtp_session_line(struct smtp_session *s, const char *line, size_t len, bool overlong)
{
    if (s->close) return; /* after QUIT nothing more is read */
    if (s->in_data) {
        data_line(s, line, len);
        return;
    }
    s->line = line;
    struct smtp_cmd c;
    if (overlong) {
        reply(s,
              "The command line is far longer than SMTP allows (512 characters, RFC 5321 "
              "4.5.3.1.4), so "
              "it is refused.",
              "500 5.5.2 Error: line too long");
    } else if (!smtp_cmd_parse(line, len, &c)) {
        reply(s, "An empty line is not a command.", "500 5.5.2 Error: bad syntax");
    } else if (s->tls_required && !s->tls && !allowed_before_tls(c.verb)) {
        reply(s,
              "This is the submission port (587, RFC 6409), where the server insists on "
              "encryption: before STARTTLS it takes only EHLO, HELO, NOOP and QUIT, so that no "
              "address or message crosses the network in clear text.",
              "530 5.7.0 Must issue a STARTTLS command first");
    } else {
        switch (c.verb) {
        case SMTP_HELO:
        case SMTP_EHLO:
            cmd_helo(s, &c);
            break;
        case SMTP_MAIL:
            cmd_mail(s, &c);
            break;
        case SMTP_RCPT:
            cmd_rcpt(s, &c);
            break;
        case SMTP_DATA:
            cmd_data(s, &c);
            break;
        case SMTP_RSET:
            if (c.arg_len) {
                reply(s, "RSET takes no argument.", "501 5.5.4 Syntax: RSET");
                break;
            }
            reset_mail(s);
            reply(s,
                  "RSET cancels the message under way (sender and recipients); the session "
                  "stays open.",
                  "250 2.0.0 Ok");
            break;
        case SMTP_NOOP:
            reply(s, "NOOP does nothing but get a 250 reply: a way to check the server is there.",
                  "250 2.0.0 Ok");
            break;
        case SMTP_VRFY:
            cmd_vrfy(s, &c);
            break;
        case SMTP_QUIT:
            reply(s, "QUIT ends the session: the server says goodbye and closes the connection.",
                  "221 2.0.0 Bye");
            s->close = true;
            break;
        case SMTP_AUTH:
            reply(s,
                  "This server offers no AUTH extension in its EHLO reply: it takes mail for its "
                  "own users without a login.",
                  "503 5.5.1 Error: authentication not enabled");
            break;
        case SMTP_STARTTLS:
            cmd_starttls(s, &c);
            break;
        case SMTP_UNKNOWN:
            if (s->env->trace) {
                char why[160];
                snprintf(why, sizeof why,
                         "%s is not an SMTP command this server knows (HELO, EHLO, MAIL, RCPT, "
                         "DATA, RSET, NOOP, VRFY, QUIT).",
                         c.name);
                reply(s, why, "502 5.5.2 Error: command not recognized");
            } else {
                reply(s, NULL, "502 5.5.2 Error: command not recognized");
            }
            break;
        }
    }
    s->line = NULL;
}
