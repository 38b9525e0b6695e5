/* ftp_wire.h - FTP's wire format (RFC 959): command lines ("USER ann"),
 * reply lines ("230 Login successful.", multi-line "211-..." up to "211
 * End"), the host-port of PORT and of the 227 reply ("10,0,0,2,195,80"),
 * the `ls -l` lines of a LIST, and the ASCII (NVT) transfer type's line
 * ends. Pure functions over bounded text: the server (ftp.c), the client
 * (scenarios/shell_ftp.c) and the dissector (dissect_ftp.c) share them.
 *
 * Lines here never hold their CRLF: the caller's framing (textconn) took it
 * off, or the emitter adds it. Every function checks the lengths it is
 * given and writes at most `cap` bytes, NUL included. */
#ifndef NETSTEP_FTP_WIRE_H
#define NETSTEP_FTP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FTP_PORT      21
#define FTP_DATA_PORT 20 /* RFC 959 3.2: the server's L-1, where active data comes from */
#define FTP_REPLY_MAX 4096
/* The date every LIST line shows: files in netstep have no clock of their
 * own, and a fixed date keeps captures byte-identical between runs. */
#define FTP_LIST_DATE "Mar 14  2025"

enum ftp_err {
    FTP_OK = 0,
    FTP_ERR_EMPTY = -1,  /* nothing on the line */
    FTP_ERR_VERB = -2,   /* the command code is not 1..4 letters */
    FTP_ERR_CODE = -3,   /* a reply line without a three-digit code */
    FTP_ERR_SYNTAX = -4, /* an argument that does not parse */
};

/* ---- commands (RFC 959 5.3) ---- */

struct ftp_cmd {
    char verb[5];    /* upper-cased: "USER" (commands are case-blind, 5.3) */
    const char *arg; /* after the space, into the line; "" when none */
    size_t arg_len;
};
/* Splits "VERB[ SP arg]". A verb of 1..4 letters is accepted here (which of
 * them the server knows is its own business); anything else is
 * FTP_ERR_VERB, with verb holding up to 4 characters of what was there. */
int ftp_cmd_parse(const char *line, size_t len, struct ftp_cmd *c);
/* Whether verb is a command of RFC 959 or of the extensions servers answer
 * (RFC 2389 FEAT, 3659 SIZE/MDTM, 2428 EPSV/EPRT, the X* aliases of RFC
 * 775): a server answers 502 to one it does not do and 500 to the rest. */
bool ftp_cmd_known(const char *verb);

/* ---- replies (RFC 959 4.2) ---- */

struct ftp_reply_line {
    int code;         /* 100..599 */
    bool more;        /* "NNN-": the first line of a multi-line reply */
    const char *text; /* after "NNN " or "NNN-", into the line */
    size_t text_len;
};
/* Parses a line that starts a reply (or ends a multi-line one). */
int ftp_reply_line_parse(const char *line, size_t len, struct ftp_reply_line *r);

/* Gathers the lines of one reply as they arrive. RFC 959 4.2: a multi-line
 * reply starts "NNN-" and ends with the first line that starts with the
 * same code and a space; the lines between may hold anything. */
struct ftp_reply_reader {
    int code; /* the code of the reply being read */
    bool multi;
};
/* Feeds one line: 1 = the reply is complete (its code in *code), 0 = more
 * lines belong to it, FTP_ERR_CODE = a line that cannot start a reply. */
int ftp_reply_feed(struct ftp_reply_reader *rd, const char *line, size_t len, int *code);

/* Writes a reply with its CRLFs into buf. text may hold '\n's: then it is a
 * multi-line reply, "NNN-first", the middle lines as they are (one that
 * could be taken for the end gets a space in front), "NNN last". Returns
 * the length, or 0 when code is not 100..599 or the reply does not fit. */
size_t ftp_reply_emit(char *buf, size_t cap, int code, const char *text);

/* ---- host-port (RFC 959 4.1.2: "h1,h2,h3,h4,p1,p2") ---- */

/* Exactly six decimal numbers 0..255 separated by commas (spaces around
 * them allowed); the address is host order. */
int ftp_hostport_parse(const char *s, size_t len, uint32_t *addr, uint16_t *port);
/* "10,0,0,2,195,80" into buf (>= 24 bytes); returns the length. */
size_t ftp_hostport_fmt(char *buf, size_t cap, uint32_t addr, uint16_t port);
/* The host-port in the text of a 227 reply: RFC 1123 4.1.2.6 says to scan
 * for the first digit rather than trust the parentheses, as clients do. */
int ftp_pasv_parse(const char *text, size_t len, uint32_t *addr, uint16_t *port);

/* ---- LIST (the `ls -l` lines vsftpd sends) ---- */

struct ftp_stat {
    bool dir;
    uint64_t size;
    unsigned nlink;
    unsigned uid; /* shown as owner and group, numerically as vsftpd does */
    const char *name;
};
/* "-rw-r--r--    1 0        0            1480 Mar 14  2025 notes.txt",
 * without CRLF. Returns the length (cut to cap - 1 if longer). */
size_t ftp_list_line(char *buf, size_t cap, const struct ftp_stat *s);

/* ---- the ASCII type (RFC 959 3.1.1.1: NVT-ASCII, lines end in CRLF) ---- */

/* What a file's bytes become on the data connection in ASCII mode: every
 * LF not already after a CR gets one. out must hold 2 * n bytes; returns
 * the length. */
size_t ftp_ascii_encode(const uint8_t *in, size_t n, uint8_t *out);
/* Back again, a piece at a time: CRLF becomes LF. *cr carries a CR that
 * ended the previous piece (start with false; a CR still pending at the end
 * is the caller's to write: it was not part of a CRLF). out must hold
 * n + 1 bytes; returns the length. */
size_t ftp_ascii_decode(const uint8_t *in, size_t n, uint8_t *out, bool *cr);
/* LFs not preceded by a CR: what the ftp client warns about as "bare
 * linefeeds received in ASCII mode". *cr as above. */
size_t ftp_bare_lfs(const uint8_t *in, size_t n, bool *cr);

/* ---- a file's contents when the scenario gives only a size ---- */

/* N bytes of deterministic text: numbered lines of 64 bytes, the same for
 * every run, so a transfer can be checked by its size and its first line. */
void ftp_fill_text(uint8_t *buf, size_t n);

#endif
