/* imap.h - an IMAP server session (RFC 9051 / RFC 3501 subset) over the
 * mail store, with responses worded as Dovecot words them ("* OK
 * [CAPABILITY ...] Dovecot ready.", "a1 OK [READ-WRITE] Select completed.",
 * "a1 BAD Error in IMAP command FOO: Unknown command.").
 *
 * States (RFC 9051 3): Not Authenticated (LOGIN, AUTHENTICATE PLAIN),
 * Authenticated (LIST, LSUB, STATUS, SELECT, EXAMINE, CREATE, DELETE,
 * RENAME, SUBSCRIBE, UNSUBSCRIBE, APPEND), Selected (FETCH, STORE, SEARCH,
 * COPY, MOVE, EXPUNGE, CLOSE, UNSELECT, CHECK and their UID forms), and
 * Logout; CAPABILITY, NOOP and LOGOUT in any state. Wrong state or bad
 * arguments: tagged BAD; a command that is understood but cannot be
 * carried out (wrong password, no such mailbox): tagged NO.
 *
 * A command may carry literals ("{n}" at the end of a line, n bytes
 * follow): the session answers "+ Ready for literal data" and sets
 * want_bytes, and whoever runs it hands the next n bytes to
 * imap_session_bytes (textconn's text_expect_bytes); "{n+}" (LITERAL+,
 * RFC 7888) needs no "+". The command runs once its last line is in.
 *
 * A selected session keeps its own view of the folder (the UIDs it has
 * been told about, by sequence number) and reports what other sessions
 * changed as untagged EXISTS, RECENT and EXPUNGE responses, EXPUNGE never
 * during FETCH, STORE or SEARCH (RFC 9051 7.5.1).
 *
 * Like smtp.h: input in, responses in s->out, close once s->close is set. */
#ifndef NETSTEP_IMAP_H
#define NETSTEP_IMAP_H

#include "imap_wire.h"
#include "mail.h"

enum imap_state {
    IMAP_NOT_AUTHENTICATED,
    IMAP_AUTHENTICATED,
    IMAP_SELECTED,
    IMAP_LOGOUT,
};

struct imap_session {
    const struct mail_env *env;
    struct mail_buf out;
    bool close;
    size_t want_bytes; /* a literal of this many bytes comes next (the runner clears it) */
    enum imap_state state;
    struct mail_user *u;
    struct mail_folder *sel; /* selected folder */
    bool readonly;           /* EXAMINE */
    uint32_t *view;          /* UIDs by sequence number - 1 */
    uint32_t n_view, cap_view;
    uint32_t *recent; /* UIDs that are \Recent for this session */
    uint32_t n_recent, cap_recent;
    struct mail_buf cmd; /* the command gathered so far (lines and literals) */
    size_t literal_left; /* literal bytes still to come */
    bool discarding;     /* a literal too large: dropping the rest of its command */
    char discard_tag[IMAP_TAG_MAX];
    bool sasl_wait; /* AUTHENTICATE PLAIN sent "+ ": the next line answers it */
    char sasl_tag[IMAP_TAG_MAX];
    char cmdname[32];   /* of the command being run */
    bool allow_expunge; /* it may report expunges */
};

/* A new session: its "* OK [CAPABILITY ...]" greeting is in s->out. */
struct imap_session *imap_session_new(const struct mail_env *env);
/* One input line without its CRLF (overlong: it was cut). */
void imap_session_line(struct imap_session *s, const char *line, size_t len, bool overlong);
/* Literal bytes asked for through want_bytes (any split). */
void imap_session_bytes(struct imap_session *s, const uint8_t *data, size_t len);
void imap_session_free(struct imap_session *s);

/* The capability list (after login when authenticated). */
const char *imap_capabilities(bool authenticated);

#endif
