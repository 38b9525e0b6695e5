/* ip4_wire.h - the IPv4 header (RFC 791). Options are carried but not
 * interpreted (ihl > 5 is accepted and skipped). */
#ifndef NETSTEP_IP4_WIRE_H
#define NETSTEP_IP4_WIRE_H

#include "wire.h"
#include <stdbool.h>

#define IP4_HDR_LEN       20
#define IP4_PROTO_ICMP    1
#define IP4_PROTO_TCP     6
#define IP4_PROTO_UDP     17
#define IP4_FLAG_DF       0x4000
#define IP4_FLAG_MF       0x2000
#define IP4_FRAG_MASK     0x1fff
#define IP4_FLAG_RESERVED 0x8000
/* Field offsets (RFC 791 order). */
#define IP4_OFF_VER_IHL  0
#define IP4_OFF_TOS      1
#define IP4_OFF_TOTAL    2
#define IP4_OFF_ID       4
#define IP4_OFF_FRAG     6
#define IP4_OFF_TTL      8
#define IP4_OFF_PROTO    9
#define IP4_OFF_CHECKSUM 10
#define IP4_OFF_SRC      12
#define IP4_OFF_DST      16

struct ip4_hdr {
    uint8_t ihl; /* header length in bytes */
    uint8_t tos;
    uint16_t total_len;
    uint16_t id;
    uint16_t frag; /* flags (DF, MF) | offset in 8-byte units */
    uint8_t ttl;
    uint8_t proto;
    uint16_t checksum; /* as found on the wire */
    uint32_t src, dst; /* host order */
};

enum ip4_parse_err {
    IP4_OK = 0,
    IP4_ERR_SHORT = -1,     /* buffer shorter than header or total length */
    IP4_ERR_VERSION = -2,   /* version != 4 */
    IP4_ERR_IHL = -3,       /* ihl < 5 */
    IP4_ERR_TOTAL_LEN = -4, /* total length < header length */
    IP4_ERR_CHECKSUM = -5,  /* header checksum does not verify */
};

/* Validates version, ihl, lengths and the header checksum. As with ip4_read_header, *out is filled
 * whenever len >= IP4_HDR_LEN, even when an error is returned. */
int ip4_parse(const uint8_t *buf, size_t len, struct ip4_hdr *out);

/* The lower half of ip4_parse, shared with the dissector: fills *out
 * from the fixed 20 bytes whenever len >= IP4_HDR_LEN, then checks only what
 * the header says about itself (version, ihl >= 5, len >= ihl, total length
 * >= ihl). It checks neither the checksum nor len >= total length, so a
 * dissector can still show a header whose checksum is wrong, and the header
 * an ICMP error quotes (which stops 8 bytes after it). */
int ip4_read_header(const uint8_t *buf, size_t len, struct ip4_hdr *out);
/* The checksum a header of ihl bytes should carry: the Internet checksum
 * with the checksum field counted as zero, whatever it holds. */
uint16_t ip4_header_checksum(const uint8_t *hdr, size_t ihl);
/* The version nibble, which struct ip4_hdr does not keep (always 4 after a
 * successful parse). hdr must hold at least one byte. */
static inline uint8_t ip4_get_version(const uint8_t *hdr)
{
    return (uint8_t)(hdr[0] >> 4);
}
/* Writes a 20-byte header (ihl forced to 20) with a freshly computed checksum. */
void ip4_emit(const struct ip4_hdr *h, uint8_t *buf);
/* RFC 1624 incremental update after decrementing the TTL in place. hdr
 * must hold at least IP4_HDR_LEN bytes; a TTL of 0 is left alone (the caller
 * drops such a datagram rather than forwarding it). */
void ip4_decrement_ttl(uint8_t *hdr);
/* The one's-complement sum of the pseudo-header UDP and TCP checksums
 * cover (RFC 768, RFC 9293 3.1): source, destination, protocol and the
 * L4 length. Chain it into inet_sum over the L4 header and data. */
uint32_t ip4_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4_len);
/* "ICMP", "TCP", "UDP", ... as tshark names them; "Unknown" otherwise. */
const char *ip4_proto_name(uint8_t proto);

#endif
