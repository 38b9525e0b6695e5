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
 * lands in each recipient's INBOX.
 *
 * TLS (RFC 3207, RFC 6409): whoever runs the session says whether it may
 * start TLS (starttls_ok: EHLO lists STARTTLS), whether it must first
 * (tls_required: the submission port 587, Postfix's
 * smtpd_tls_security_level=encrypt: only EHLO, HELO, STARTTLS, NOOP and
 * QUIT are taken before, the rest get "530 5.7.0 Must issue a STARTTLS
 * command first"), and whether it already runs over TLS (tls: SMTPS on
 * 465). STARTTLS answers "220 2.0.0 Ready to start TLS", forgets the
 * session (the client must EHLO again, RFC 3207 4.2) and sets start_tls:
 * the runner switches the connection to TLS once that reply has gone and
 * clears it. A second STARTTLS gets Postfix's "554 5.5.1 Error: TLS
 * already active". */
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
    bool starttls_ok;   /* in: TLS can be started here (EHLO offers STARTTLS) */
    bool tls_required;  /* in: port 587, nothing but EHLO/HELO/NOOP/QUIT before TLS */
    bool tls;           /* in/out: the session runs over TLS */
    bool start_tls;     /* out: switch to TLS after the replies in out */
};

/* A new session: its 220 greeting is in s->out. */
struct smtp_session *smtp_session_new(const struct mail_env *env, uint32_t peer);
/* One input line without its CRLF (overlong: it was cut). */
void smtp_session_line(struct smtp_session *s, const char *line, size_t len, bool overlong);
void smtp_session_free(struct smtp_session *s);

#endif
