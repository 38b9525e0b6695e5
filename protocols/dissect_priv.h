/* dissect_priv.h - what the dissector's per-protocol files share: the walk
 * context and the helpers that add layers, fields and Info text. dissect.c
 * walks Ethernet, ARP, IPv4 and ICMP and hands UDP and TCP payloads to
 * dissect_udp.c and dissect_tcp.c, which hand application payloads on by
 * port (dissect_dhcp.c, dissect_dns.c, ...). */
#ifndef NETSTEP_DISSECT_PRIV_H
#define NETSTEP_DISSECT_PRIV_H

#include "dissect.h"
#include "ip4_wire.h"

#if defined(__GNUC__)
#define DIS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define DIS_PRINTF(fmt, args)
#endif

#define DIS_MALFORMED " [Malformed Packet]"

struct dis_ctx {
    struct dissection *d;
    const uint8_t *frame;
    size_t len;
    bool tree;                 /* build the field tree, not only the columns */
    int layer;                 /* layer the next field belongs to; -1 if none */
    const struct sim *keys;    /* TLS key log to decrypt with (tls.h), or NULL */
    uint32_t tcp_seq, tcp_ack; /* of the segment whose payload is being dissected */
};

/* Copies a string into a fixed buffer, cut to fit. */
void dis_copy(char *dst, size_t cap, const char *src);
/* Clamps [off, off + len) to the frame. */
void dis_clamp(const struct dis_ctx *c, size_t *off, size_t *len);
/* Starts a layer (abbrev "udp", OSI layer, byte range, title). */
DIS_PRINTF(6, 7)
void dis_layer_begin(struct dis_ctx *c, const char *abbrev, uint8_t osi, size_t off, size_t len,
                     const char *fmt, ...);
/* Adds a field to the current layer (formats nothing unless c->tree):
 * depth 0 = a field of the layer, 1 = a sub-field (a flag bit). */
DIS_PRINTF(6, 7)
void dis_field_add(struct dis_ctx *c, uint8_t depth, size_t off, size_t len, const char *name,
                   const char *fmt, ...);
/* The Protocol column: the highest protocol found so far. */
void dis_set_protocol(struct dissection *d, const char *proto);
DIS_PRINTF(2, 3)
void dis_info(struct dissection *d, const char *fmt, ...);
void dis_info_append(struct dissection *d, const char *s);
/* Marks the frame malformed and says so in the Info column, once. */
void dis_malformed(struct dissection *d);
/* Hex of up to what fits in out, "..." when cut. */
void dis_hex(char *out, size_t cap, const uint8_t *p, size_t n);
/* Text protocols (HTTP, SMTP, POP, IMAP): the length of the line at p (n
 * bytes) without its CRLF or LF; *next is where the following line starts
 * (n when the line has no end here). */
size_t dis_line_at(const uint8_t *p, size_t n, size_t *next);
/* A line copied into buf as printable text, '.' for other bytes (cut to
 * fit). */
void dis_text_copy(char *buf, size_t cap, const uint8_t *p, size_t n);
const char *dis_set(bool set); /* "Set" / "Not set" */
/* A payload nobody dissects: one "Data" layer. */
void dis_data(struct dis_ctx *c, size_t off, size_t n, uint8_t osi);

/* A small appender for Info lines built without printf. */
struct dis_str {
    char *buf;
    size_t cap, len; /* len < cap always; buf stays terminated */
};
void dis_str_put(struct dis_str *s, const char *t);
void dis_str_pad(struct dis_str *s, size_t width);
void dis_str_dec(struct dis_str *s, unsigned v);
void dis_str_hex4(struct dis_str *s, unsigned v);

/* L4: the n bytes at frame offset off are the IPv4 payload; ip is its
 * header; cut = the frame ended before the datagram did. */
void dis_udp(struct dis_ctx *c, size_t off, size_t n, const struct ip4_hdr *ip, bool cut);
void dis_tcp(struct dis_ctx *c, size_t off, size_t n, const struct ip4_hdr *ip, bool cut);

/* L7, by port: the n bytes at off are the UDP payload. */
void dis_dhcp(struct dis_ctx *c, size_t off, size_t n);
/* DNS on port 53; over TCP the message follows its 2-byte length. */
void dis_dns(struct dis_ctx *c, size_t off, size_t n, bool tcp);
/* FTP control on port 21 (from_server: the server's replies), FTP data
 * from port 20, Telnet on port 23 (the n bytes at off are the TCP payload). */
void dis_ftp(struct dis_ctx *c, size_t off, size_t n, bool from_server);
void dis_ftp_data(struct dis_ctx *c, size_t off, size_t n);
void dis_telnet(struct dis_ctx *c, size_t off, size_t n);
/* HTTP on port 80; WHOIS on port 43 (query: sent to the port). */
void dis_http(struct dis_ctx *c, size_t off, size_t n);
void dis_whois(struct dis_ctx *c, size_t off, size_t n, bool query);

/* TLS on 443, 465, 990, 993, 995, or 25 and 587 after STARTTLS (port: the service's): records,
 * handshake messages, and with c->keys the decrypted records and the protocol inside. */
void dis_tls(struct dis_ctx *c, size_t off, size_t n, uint16_t port, bool from_server);
/* Whether the n bytes at off are TLS: they start with a record header (a
 * content type 20-23, version 3.x, a length that may be one), or the key
 * log knows the segment. For STARTTLS and FTPS data connections, which
 * no port names. */
bool dis_tls_segment(const struct dis_ctx *c, size_t off, size_t n);

/* Mail on TCP 25, 110, 143: from_server = the segment comes from the port. */
void dis_smtp(struct dis_ctx *c, size_t off, size_t n, bool from_server);
/* SMTP on 25 or 587 (port), where STARTTLS may have turned the stream into
 * TLS: a segment the key log knows, or one that starts with a TLS record
 * header, goes to dis_tls (and the SMTP inside it); the rest to dis_smtp. */
void dis_smtp_starttls(struct dis_ctx *c, size_t off, size_t n, uint16_t port, bool from_server);
void dis_pop(struct dis_ctx *c, size_t off, size_t n, bool from_server);
void dis_imap(struct dis_ctx *c, size_t off, size_t n, bool from_server);

#endif
