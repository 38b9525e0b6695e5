/* dns_wire.h - the DNS message format (RFC 1035 section 4): header,
 * questions and resource records, parsed and emitted over a bounded byte
 * view. Names are read with pointer-following (RFC 1035 4.1.4) and written
 * with compression.
 *
 * Names cross this interface as text: labels joined by dots, no trailing
 * dot, the root as "". Bytes that are not plain in a label are escaped as
 * dig and BIND do: "\." "\\" "\"" ... for the special characters and
 * "\DDD" (decimal) for anything outside printable ASCII, so the text form
 * is exact and round-trips.
 *
 * Every read checks its length against the message. A compression pointer
 * must point strictly before the name's own earlier labels (a backward
 * jump), which rules out loops; names are limited to 255 bytes on the wire
 * and labels to 63 (RFC 1035 2.3.4); labels of types 01 and 10 (RFC 6891's
 * extended label types) are rejected. */
#ifndef NETSTEP_DNS_WIRE_H
#define NETSTEP_DNS_WIRE_H

#include "wire.h"

#include <stdbool.h>

#define DNS_PORT          53
#define DNS_HDR_LEN       12
#define DNS_UDP_MAX       512 /* RFC 1035 4.2.1: UDP messages are limited to 512 bytes */
#define DNS_TCP_MAX       65535
#define DNS_LABEL_MAX     63
#define DNS_NAME_WIRE_MAX 255
/* Text of the longest name with every byte escaped as \DDD, plus the NUL. */
#define DNS_NAME_TEXT_MAX 1024

enum dns_type {
    DNS_T_A = 1,
    DNS_T_NS = 2,
    DNS_T_CNAME = 5,
    DNS_T_SOA = 6,
    DNS_T_PTR = 12,
    DNS_T_MX = 15,
    DNS_T_TXT = 16,
    DNS_T_AAAA = 28,
    DNS_T_OPT = 41,
    DNS_T_ANY = 255,
};
#define DNS_CLASS_IN 1

enum dns_rcode {
    DNS_R_NOERROR = 0,
    DNS_R_FORMERR = 1,
    DNS_R_SERVFAIL = 2,
    DNS_R_NXDOMAIN = 3,
    DNS_R_NOTIMP = 4,
    DNS_R_REFUSED = 5,
};

/* Header flag bits (RFC 1035 4.1.1; AD and CD from RFC 4035). */
#define DNS_F_QR          0x8000
#define DNS_F_OPCODE_MASK 0x7800
#define DNS_F_AA          0x0400
#define DNS_F_TC          0x0200
#define DNS_F_RD          0x0100
#define DNS_F_RA          0x0080
#define DNS_F_Z           0x0040
#define DNS_F_AD          0x0020
#define DNS_F_CD          0x0010
#define DNS_F_RCODE_MASK  0x000f
static inline unsigned dns_opcode(uint16_t flags)
{
    return (flags & DNS_F_OPCODE_MASK) >> 11;
}

enum dns_err {
    DNS_OK = 0,
    DNS_E_SHORT = -1,   /* a field runs past the end of the message */
    DNS_E_LABEL = -2,   /* a label longer than 63, or of a reserved type */
    DNS_E_NAMELEN = -3, /* a name longer than 255 bytes */
    DNS_E_PTR = -4,     /* a compression pointer that does not point backward */
    DNS_E_RDATA = -5,   /* record data that does not fit its type or length */
    DNS_E_SPACE = -6,   /* no room left (emit), or a text buffer too small */
    DNS_E_TEXT = -7,    /* a text name that is not valid (empty label, bad escape) */
};
/* A sentence fragment for an error: "a compression pointer points forward". */
const char *dns_err_str(int err);

struct dns_hdr {
    uint16_t id, flags;
    uint16_t qd, an, ns, ar; /* section counts */
};
int dns_hdr_parse(const uint8_t *m, size_t len, struct dns_hdr *h);
void dns_hdr_emit(const struct dns_hdr *h, uint8_t *m);

/* Reads the name at *off (following pointers) into text (cap bytes) and
 * moves *off past the name's bytes in place. wire_len (optional) gets the
 * name's uncompressed length in bytes, labels (optional) its label count. */
int dns_name_read(const uint8_t *m, size_t len, size_t *off, char *text, size_t cap,
                  size_t *wire_len, int *labels);
/* Text to uncompressed wire form (out needs DNS_NAME_WIRE_MAX bytes); a
 * trailing dot is allowed. Returns the length or a negative dns_err. */
int dns_name_to_wire(const char *text, uint8_t *out, size_t cap);
/* Case-insensitive (ASCII only, RFC 4343) comparison of two text names. */
bool dns_name_eq(const char *a, const char *b);
/* True when name is zone itself or a name below it. */
bool dns_name_under(const char *name, const char *zone);

struct dns_question {
    char name[DNS_NAME_TEXT_MAX];
    uint16_t type, qclass;
};
int dns_question_read(const uint8_t *m, size_t len, size_t *off, struct dns_question *q);

/* A resource record. The rdata of A, AAAA, NS, CNAME, PTR, MX and SOA is
 * decoded (names inside it decompressed); any other type keeps only where
 * its rdata lies. */
struct dns_rr {
    char name[DNS_NAME_TEXT_MAX];
    uint16_t type, rclass;
    uint32_t ttl;
    uint16_t rdlen;
    size_t rdata; /* offset of the rdata in the message */
    uint32_t a;   /* A, host byte order */
    uint8_t aaaa[16];
    uint16_t pref;                  /* MX */
    char target[DNS_NAME_TEXT_MAX]; /* NS, CNAME, PTR, MX exchange, SOA mname */
    char rname[DNS_NAME_TEXT_MAX];  /* SOA */
    uint32_t soa[5];                /* serial, refresh, retry, expire, minimum */
};
int dns_rr_read(const uint8_t *m, size_t len, size_t *off, struct dns_rr *rr);
/* TXT rdata as dig prints it: "\"v=spf1 -all\" \"second\"". Characters
 * outside printable ASCII are escaped \DDD. Returns DNS_OK or an error
 * when the character-strings do not fill rdlen exactly. */
int dns_txt_text(const uint8_t *m, size_t len, const struct dns_rr *rr, char *out, size_t cap);

/* An IPv6 address in RFC 5952 text ("2001:db8::1"); cap >= 46. */
char *dns_aaaa_str(const uint8_t a[16], char *buf, size_t cap);
/* "A", "MX", ... or "TYPE65" (RFC 3597) into buf. */
const char *dns_type_str(uint16_t type, char *buf, size_t cap);
/* "A" -> 1 (case-insensitive); 0 when unknown. Knows the types above and
 * "TYPEnnn". */
uint16_t dns_type_parse(const char *s);
/* "NOERROR", "NXDOMAIN", ... as dig prints them. */
const char *dns_rcode_str(unsigned rcode);

/* tshark 4.0's Info column for a DNS message: "Standard query 0x1a2b A
 * web.galaxy.test", "Standard query response 0x1a2b A web.galaxy.test A
 * 10.61.0.20", "Standard query response 0x1a2b No such name A
 * nope.galaxy.test". Returns DNS_OK, or the error that stopped the walk
 * (out then holds what was read before it). */
int dns_info(const uint8_t *m, size_t len, char *out, size_t cap);
/* tshark's words for an opcode and a reply code ("Standard query", "No
 * such name"); NULL when it has none. */
const char *dns_opcode_text(unsigned opcode);
const char *dns_rcode_text(unsigned rcode);

/* ---- emitting ----
 * A writer fills buf: the header space first, then what the put functions
 * add. The first failure (no room, a bad name) is kept in err and makes
 * every later put a no-op, so a caller checks once at the end. */
#define DNS_COMP_MAX 128
struct dns_writer {
    uint8_t *buf;
    size_t cap, len;
    int err;
    uint16_t comp[DNS_COMP_MAX]; /* offsets of labels already written, for compression */
    int n_comp;
    bool compress; /* default true */
};
void dns_writer_init(struct dns_writer *w, uint8_t *buf, size_t cap);
void dns_put_u16(struct dns_writer *w, uint16_t v);
void dns_put_u32(struct dns_writer *w, uint32_t v);
void dns_put_bytes(struct dns_writer *w, const void *p, size_t n);
/* A name from text, compressed against the names written before. */
void dns_put_name(struct dns_writer *w, const char *text);
void dns_put_question(struct dns_writer *w, const char *name, uint16_t type, uint16_t qclass);
/* Starts a record; returns the mark dns_rr_end needs to fill in RDLENGTH. */
size_t dns_rr_begin(struct dns_writer *w, const char *name, uint16_t type, uint16_t rclass,
                    uint32_t ttl);
void dns_rr_end(struct dns_writer *w, size_t mark);

/* A whole query: one question, RD as given. Returns its length, or a
 * negative dns_err (a bad name). */
int dns_query_build(uint8_t *buf, size_t cap, uint16_t id, bool rd, const char *name,
                    uint16_t type);

#endif
