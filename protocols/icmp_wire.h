/* icmp_wire.h - ICMP messages (RFC 792): type, code, checksum over the whole
 * message, then 4 bytes that depend on the type (id + seq for echo, unused
 * for errors, next-hop MTU for "fragmentation needed") and a body (echo
 * data, or the offending IP header + first 8 bytes for errors). */
#ifndef NETSTEP_ICMP_WIRE_H
#define NETSTEP_ICMP_WIRE_H

#include "wire.h"
#include <stdbool.h>

#define ICMP_HDR_LEN 8
/* Field offsets (the dissector shows each field at its place). */
#define ICMP_OFF_TYPE     0
#define ICMP_OFF_CODE     1
#define ICMP_OFF_CHECKSUM 2
#define ICMP_OFF_ID       4 /* echo: identifier; errors: unused / next-hop MTU */
#define ICMP_OFF_SEQ      6
enum icmp_type {
    ICMP_ECHO_REPLY = 0,
    ICMP_DEST_UNREACH = 3,
    ICMP_ECHO_REQUEST = 8,
    ICMP_TIME_EXCEEDED = 11,
};
enum icmp_unreach_code {
    ICMP_NET_UNREACH = 0,
    ICMP_HOST_UNREACH = 1,
    ICMP_PROTO_UNREACH = 2,
    ICMP_PORT_UNREACH = 3,
    ICMP_FRAG_NEEDED = 4,
};
#define ICMP_EXC_TTL  0
#define ICMP_EXC_FRAG 1

struct icmp_msg {
    uint8_t type, code;
    uint16_t checksum;   /* as found */
    uint16_t id, seq;    /* echo */
    uint32_t rest;       /* bytes 4..7 as one word */
    const uint8_t *body; /* points into the parsed buffer */
    size_t body_len;
};

/* 0 ok; -1 short; -2 bad checksum. On -2, *out is filled all the same, so
 * that a dissector can show the message (and the 8 bytes an ICMP error
 * quotes, whose checksum covers bytes that were not quoted). */
int icmp_parse(const uint8_t *buf, size_t len, struct icmp_msg *out);
/* The checksum a message of len bytes should carry: the Internet checksum
 * with bytes 2..3 counted as zero, whatever they hold. */
uint16_t icmp_checksum_compute(const uint8_t *buf, size_t len);
/* Writes the 8-byte header followed by body_len bytes of body (body may
 * alias buf + 8) and the checksum. Returns bytes written (8 + body_len).
 * For echo (and timestamp, types 13/14), id/seq are used; otherwise `rest`. */
size_t icmp_emit(const struct icmp_msg *m, uint8_t *buf);
/* "Echo (ping) request", "Destination unreachable (Port unreachable)" ...
 * as tshark names them. */
const char *icmp_type_name(uint8_t type, uint8_t code);
/* The two halves of that name, for the dissector's Type and Code fields:
 * "Destination unreachable" and "Port unreachable". icmp_code_name returns
 * NULL for types whose codes carry no name (echo), and "Unknown code" for a
 * code its type does not define. */
const char *icmp_type_label(uint8_t type);
const char *icmp_code_name(uint8_t type, uint8_t code);
/* True for the error messages that quote the offending datagram (3, 4, 5,
 * 11, 12). */
bool icmp_type_is_error(uint8_t type);

#endif
