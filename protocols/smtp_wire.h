/* smtp_wire.h - SMTP's text format (RFC 5321): command lines, envelope
 * paths with their parameters, reply lines, and the dot-stuffing of
 * message data (4.5.2), shared with POP3's multi-line responses (RFC 1939
 * 3). Every parser reads one line without its CRLF and never past len. */
#ifndef NETSTEP_SMTP_WIRE_H
#define NETSTEP_SMTP_WIRE_H

#include "mailstore.h"

#include <stdbool.h>
#include <stddef.h>

#define SMTP_PORT       25
#define SUBMISSION_PORT 587      /* RFC 6409, with STARTTLS (RFC 3207) */
#define SMTP_PATH_MAX   256      /* RFC 5321 4.5.3.1.3 */
#define SMTP_SIZE_MAX   10240000 /* Postfix's message_size_limit */
#define SMTP_RCPT_MAX   1000     /* Postfix's smtpd_recipient_limit */

enum smtp_verb {
    SMTP_UNKNOWN,
    SMTP_HELO,
    SMTP_EHLO,
    SMTP_MAIL,
    SMTP_RCPT,
    SMTP_DATA,
    SMTP_RSET,
    SMTP_NOOP,
    SMTP_QUIT,
    SMTP_VRFY,
    SMTP_AUTH,
    SMTP_STARTTLS,
};

/* A command line: the verb (case-insensitive) and what follows it. */
struct smtp_cmd {
    enum smtp_verb verb;
    char name[16];   /* the verb as typed, upper-cased, cut to fit */
    const char *arg; /* after the verb and the spaces that follow; "" if none */
    size_t arg_len;  /* trailing spaces not counted */
};

/* False for an empty (or all-blank) line. */
bool smtp_cmd_parse(const char *line, size_t len, struct smtp_cmd *out);

enum smtp_path_err {
    SMTP_PATH_OK = 0,
    SMTP_PATH_SYNTAX = -1,  /* no "FROM:"/"TO:" (reply 501 5.5.4 Syntax: ...) */
    SMTP_PATH_ADDRESS = -2, /* the address is malformed (501 5.1.7 / 5.1.3) */
};
/* Parses the argument of MAIL ("FROM:<a@b> SIZE=10") or RCPT ("TO:<a@b>"),
 * keyword given in `key`, as leniently as Postfix does: spaces after the
 * colon, no angle brackets, a source route (<@relay:a@b>) dropped. The
 * address goes to addr (may be "" for the null path <>); *params points at
 * the parameters (ESMTP keywords), "" if none. */
int smtp_path_parse(const char *arg, size_t len, const char *key, char *addr, size_t cap,
                    const char **params, size_t *params_len);

/* A reply line: "250-..." (more lines follow) or "250 ...". */
struct smtp_reply {
    int code;
    bool more;
    const char *text; /* after the separator */
    size_t text_len;
};
/* False when the line does not start with three digits and then a space,
 * a dash or the end. */
bool smtp_reply_parse(const char *line, size_t len, struct smtp_reply *out);
/* RFC 5321 4.2.1's meaning of a reply code, in tshark's words
 * ("Requested mail action okay, completed"), or NULL. */
const char *smtp_reply_meaning(int code);

/* Dot-stuffing (RFC 5321 4.5.2, RFC 1939 3): appends data to out with a
 * '.' put before every line that starts with one, then the ".\r\n" end
 * line (after a CRLF when data does not end with one). */
void smtp_dot_stuff(struct mail_buf *out, const char *data, size_t len);
/* One received data line: true when it is the lone "." that ends the data;
 * otherwise strips one leading '.' from it (the sender's stuffing). */
bool smtp_dot_unstuff(const char **line, size_t *len);

#endif
