/* imap_wire.h - IMAP's text format (RFC 9051 / RFC 3501 section 9): the
 * tokens of a command (tag, atom, quoted string, literal, astring, flag,
 * sequence set), the literal marker that ends a line when a literal
 * follows ("{12}" or the non-synchronizing "{12+}", RFC 7888), the output
 * forms of strings, and the first line of a response for the dissector.
 *
 * A command is parsed once it is whole: its lines and literals joined as
 * they came ("a1 LOGIN {5}\r\nnadia pw"), so a literal is read where it
 * stands. Every reader is bounded by len and leaves pos unchanged when it
 * fails. */
#ifndef NETSTEP_IMAP_WIRE_H
#define NETSTEP_IMAP_WIRE_H

#include "mailstore.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMAP_PORT    143
#define IMAP_TAG_MAX 64
#define IMAP_CMD_MAX (1u << 20) /* a whole command, literals included */
#define IMAP_SEQ_MAX 256        /* ranges in one sequence set */

struct imap_parser {
    const char *p;
    size_t len, pos;
};

void imap_parser_init(struct imap_parser *ps, const char *p, size_t len);
bool imap_at_end(const struct imap_parser *ps);
/* Exactly one space. */
bool imap_sp(struct imap_parser *ps);
/* The next character, or 0 at the end. */
char imap_peek(const struct imap_parser *ps);
/* Consumes c if it is next. */
bool imap_accept(struct imap_parser *ps, char c);

/* RFC 9051 9: ATOM-CHAR is any CHAR except atom-specials; ASTRING-CHAR
 * adds ']'; a tag is ASTRING-CHARs except '+'. */
bool imap_is_atom_char(char c);
/* Reads a tag into out (NUL-terminated). */
bool imap_read_tag(struct imap_parser *ps, char *out, size_t cap);
/* Reads 1*ATOM-CHAR; with astring, ']' too. */
bool imap_read_atom(struct imap_parser *ps, char *out, size_t cap, bool astring);
/* A quoted string or a literal. *out points into the parsed text (a
 * quoted string's escapes are removed into buf first, so *out is buf
 * then); *n is its length. */
bool imap_read_string(struct imap_parser *ps, char *buf, size_t cap, const char **out, size_t *n);
/* An astring: an atom (with ']') or a string, into buf (NUL-terminated;
 * false when it does not fit or holds a NUL). */
bool imap_read_astring(struct imap_parser *ps, char *buf, size_t cap);
/* A number (a 32-bit value). */
bool imap_read_number(struct imap_parser *ps, uint32_t *out);

/* The literal marker at the end of a line: "{n}" or "{n+}". */
bool imap_line_literal(const char *line, size_t len, uint64_t *n, bool *nonsync);

/* A sequence set ("1", "2:4", "1:*", "1,3:5,*"); '*' is kept as 0 and
 * resolved by imap_seq_resolve. */
struct imap_range {
    uint32_t lo, hi;
};
struct imap_seqset {
    struct imap_range r[IMAP_SEQ_MAX];
    uint32_t n;
};
bool imap_read_seqset(struct imap_parser *ps, struct imap_seqset *out);
/* Replaces '*' by star and orders each range low to high. */
void imap_seq_resolve(struct imap_seqset *s, uint32_t star);
bool imap_seq_contains(const struct imap_seqset *s, uint32_t v);
/* The largest number named (after resolving). */
uint32_t imap_seq_max(const struct imap_seqset *s);

/* Output: an astring (atom when it can be, else quoted, else a literal),
 * an nstring (NIL for NULL) and a literal. */
void imap_put_astring(struct mail_buf *b, const char *s, size_t n);
void imap_put_nstring(struct mail_buf *b, const char *s, size_t n);
void imap_put_literal(struct mail_buf *b, const char *s, size_t n);

/* The first line of a response: "*" (untagged), "+" (continuation) or a
 * tag, then for tagged and untagged status responses the status word
 * (OK, NO, BAD, PREAUTH, BYE). tag and status are NUL-terminated, cut to
 * fit; status is "" when the response carries data instead. */
bool imap_resp_parse(const char *line, size_t len, char *tag, size_t tcap, char *status,
                     size_t scap);

#endif
