/* pop3.h - a POP3 server session (RFC 1939) over the mail store, with
 * replies worded as Dovecot words them ("+OK Dovecot ready.", "+OK Logged
 * in.", "-ERR [AUTH] Authentication failed.").
 *
 * States (RFC 1939 3): AUTHORIZATION (USER/PASS, or AUTH PLAIN; CAPA and
 * QUIT), TRANSACTION once logged in (STAT, LIST, RETR, TOP, UIDL, DELE,
 * RSET, NOOP, QUIT), and UPDATE on QUIT, where the messages marked with
 * DELE are removed and those retrieved are marked \Seen. A connection that
 * drops before QUIT changes nothing. The session sees INBOX as it was at
 * login (its messages numbered from 1); mail arriving later shows in the
 * next session.
 *
 * Like smtp.h: lines in, replies in s->out, close once s->close is set. */
#ifndef NETSTEP_POP3_H
#define NETSTEP_POP3_H

#include "mail.h"
#include "pop3_wire.h"

enum pop3_state { POP3_AUTHORIZATION, POP3_TRANSACTION, POP3_UPDATE };

struct pop3_session {
    const struct mail_env *env;
    struct mail_buf out;
    bool close;
    enum pop3_state state;
    char user[MAIL_NAME_MAX + 1]; /* from USER */
    bool have_user;
    bool sasl_wait; /* AUTH PLAIN sent "+ ": the next line is the response */
    struct mail_user *u;
    /* INBOX at login: UID, size, DELE mark, retrieved */
    uint32_t n;
    uint32_t *uids;
    size_t *sizes;
    bool *del, *retr;
    const char *line; /* the input being answered (for notes) */
};

/* A new session: its +OK greeting is in s->out. */
struct pop3_session *pop3_session_new(const struct mail_env *env);
void pop3_session_line(struct pop3_session *s, const char *line, size_t len, bool overlong);
void pop3_session_free(struct pop3_session *s);

#endif
