/* smtp.h - an SMTP server session (RFC 5321) that delivers into the mail
 * store, with replies worded as Postfix words them ("250 2.1.5 Ok",
 * "554 5.7.1 <x@other.test>: Relay access denied").
 *
 * The session reads command lines and message lines and writes replies
 * into s->out; whoever runs it sends those bytes and closes the connection
 * once s->close is set (after QUIT). Commands may be pipelined: each line
 * is answered in order.
 *
 * Order (RFC 5321 4.1.4): HELO or EHLO, then per message MAIL FROM, one or
 * more RCPT TO, DATA and the text ended by a lone "."; RSET, NOOP, VRFY
 * and QUIT at any time. Only local recipients are taken: user@domain (or
 * @hostname, or localhost, or no domain at all) for an account of the
 * store; any other domain is refused, as a server that is not an open
 * relay does. A delivered message gets Return-Path, X-Original-To,
 * Delivered-To and a Received header (times from simulated time) and
 * lands in each recipient's INBOX. */
#ifndef NETSTEP_SMTP_H
#define NETSTEP_SMTP_H

#include "mail.h"
#include "smtp_wire.h"

struct smtp_rcpt {
    char addr[SMTP_PATH_MAX];
    char user[MAIL_NAME_MAX + 1];
};

struct smtp_session {
    const struct mail_env *env;
    uint32_t peer;       /* client address, host order (Received) */
    struct mail_buf out; /* replies to send */
    bool close;          /* QUIT answered: close after out */
    bool greeted, esmtp; /* HELO/EHLO seen; it was EHLO */
    char helo[256];      /* the name the client gave */
    bool in_mail;        /* MAIL FROM taken */
    char from[SMTP_PATH_MAX];
    struct smtp_rcpt *rcpt; /* accepted recipients */
    uint32_t n_rcpt;
    bool in_data; /* reading the message text */
    bool too_big; /* ... and it passed SMTP_SIZE_MAX */
    struct mail_buf msg;
    uint32_t delivered; /* messages queued in this session */
    char queue_id[16];  /* of the last one */
    const char *line;   /* the input being answered (for notes) */
};

/* A new session: its 220 greeting is in s->out. */
struct smtp_session *smtp_session_new(const struct mail_env *env, uint32_t peer);
/* One input line without its CRLF (overlong: it was cut). */
void smtp_session_line(struct smtp_session *s, const char *line, size_t len, bool overlong);
void smtp_session_free(struct smtp_session *s);

#endif
