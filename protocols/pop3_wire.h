/* pop3_wire.h - POP3's text format (RFC 1939): command lines (a keyword
 * and up to two arguments, RFC 1939 3) and the status line of a response
 * ("+OK ..." or "-ERR ..."). Multi-line responses are dot-stuffed with
 * smtp_dot_stuff. Every parser reads one line without its CRLF. */
#ifndef NETSTEP_POP3_WIRE_H
#define NETSTEP_POP3_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#define POP3_PORT 110

enum pop3_verb {
    POP3_UNKNOWN,
    POP3_USER,
    POP3_PASS,
    POP3_AUTH,
    POP3_CAPA,
    POP3_STAT,
    POP3_LIST,
    POP3_RETR,
    POP3_DELE,
    POP3_NOOP,
    POP3_RSET,
    POP3_TOP,
    POP3_UIDL,
    POP3_QUIT,
    POP3_STLS,
};

struct pop3_cmd {
    enum pop3_verb verb;
    char name[8]; /* the keyword upper-cased, cut to fit */
    int argc;     /* arguments found (at most 2 kept) */
    const char *argv[2];
    size_t argl[2];
    const char *rest; /* everything after the keyword and its spaces (PASS takes it whole) */
    size_t rest_len;
};

/* False for an empty line. */
bool pop3_cmd_parse(const char *line, size_t len, struct pop3_cmd *out);

/* A status line: +OK or -ERR and the text after it. False when the line is
 * neither (a line of a multi-line response). */
bool pop3_resp_parse(const char *line, size_t len, bool *ok, const char **text, size_t *text_len);

#endif
