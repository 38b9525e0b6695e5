/* tcp_wire.h - the TCP header (RFC 9293 3.1) and the options netstep reads
 * and writes: End of Option List, No-Operation, Maximum Segment Size
 * (RFC 9293 3.7.1), Window Scale (RFC 7323 2), SACK-permitted (RFC 2018, read
 * only) and Timestamps (RFC 7323 3, read only). Other options are skipped by
 * their length byte.
 *
 * The parse is bounded: the data offset must lie inside the segment, and an
 * option whose length byte is missing, below 2 or runs past the header, or
 * a known option with the wrong length, makes the whole segment malformed
 * (RFC 9293 3.1: "a TCP implementation MUST be robust against malformed
 * options"). The checksum covers the IPv4 pseudo-header, the header and the
 * data. */
#ifndef NETSTEP_TCP_WIRE_H
#define NETSTEP_TCP_WIRE_H

#include "wire.h"
#include <stdbool.h>

#define TCP_HDR_LEN     20
#define TCP_HDR_MAX     60
#define TCP_OFF_SPORT   0
#define TCP_OFF_DPORT   2
#define TCP_OFF_SEQ     4
#define TCP_OFF_ACK     8
#define TCP_OFF_DOFF    12 /* data offset (4 bits), reserved, AE */
#define TCP_OFF_FLAGS   13
#define TCP_OFF_WINDOW  14
#define TCP_OFF_CSUM    16
#define TCP_OFF_URG     18
#define TCP_OFF_OPTIONS 20

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80
#define TCP_AE  0x100 /* RFC 3540's nonce bit, now "AE" (accurate ECN) */

#define TCP_OPT_EOL       0
#define TCP_OPT_NOP       1
#define TCP_OPT_MSS       2
#define TCP_OPT_WSCALE    3
#define TCP_OPT_SACK_PERM 4
#define TCP_OPT_SACK      5
#define TCP_OPT_TS        8
#define TCP_WSCALE_MAX    14  /* RFC 7323 2.3 */
#define TCP_DEFAULT_MSS   536 /* RFC 9293 3.7.1: without the option */

struct tcp_opts {
    bool has_mss, has_wscale, sack_perm, has_ts;
    uint16_t mss;
    uint8_t wscale;
    uint32_t ts_val, ts_ecr;
};

struct tcp_hdr {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t hlen;   /* header length in bytes (data offset * 4) */
    uint16_t flags; /* TCP_FIN ... TCP_AE, as found */
    uint16_t window;
    uint16_t checksum; /* as found */
    uint16_t urg;
    struct tcp_opts opt;
};

enum tcp_parse_err {
    TCP_OK = 0,
    TCP_ERR_SHORT = -1,   /* fewer than 20 bytes */
    TCP_ERR_HLEN = -2,    /* data offset below 5 words or past the segment */
    TCP_ERR_OPTIONS = -3, /* an option is cut short or has a wrong length */
};

/* Parses the header of the n-byte segment at buf (the whole IPv4 payload).
 * *out is filled as far as the checks got (the fixed fields whenever
 * n >= 20, so a dissector can show them). */
int tcp_parse(const uint8_t *buf, size_t n, struct tcp_hdr *out);
/* Parses len bytes of options. TCP_OK or TCP_ERR_OPTIONS. */
int tcp_parse_options(const uint8_t *p, size_t len, struct tcp_opts *o);
/* Bytes the options in o take on the wire, padded to a multiple of 4 (only
 * MSS, Window Scale and SACK-permitted are emitted). */
size_t tcp_options_len(const struct tcp_opts *o);
/* Writes the header with its options at buf (h->hlen is ignored: the
 * options decide it) and returns its length. The checksum is left zero:
 * fill it once the data is in place with tcp_checksum_fill. */
size_t tcp_emit(uint8_t *buf, const struct tcp_hdr *h);
/* The checksum a segment of len bytes (header + data) between src and dst
 * should carry, counting its checksum field as zero. */
uint16_t tcp_checksum_compute(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst);
bool tcp_checksum_ok(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst);
void tcp_checksum_fill(uint8_t *seg, size_t len, uint32_t src, uint32_t dst);

/* "[SYN, ACK]" style flag list, as tshark's Info column writes it. */
char *tcp_flags_str(uint16_t flags, char *buf, size_t cap);
/* tshark's Info column for a segment, with raw sequence numbers (as
 * `-o tcp.relative_sequence_numbers:FALSE` shows them):
 * "49152 → 7 [SYN] Seq=2916123 Win=65535 Len=0 MSS=1460 WS=4". */
char *tcp_info_str(const struct tcp_hdr *h, size_t payload_len, char *buf, size_t cap);

/* Sequence-number comparisons modulo 2^32 (RFC 9293 3.4). */
static inline bool seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}
static inline bool seq_le(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}
static inline bool seq_gt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}
static inline bool seq_ge(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) >= 0;
}

#endif
