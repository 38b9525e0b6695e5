/* udp_wire.h - the UDP header (RFC 768): source port, destination port,
 * length (header + data) and a checksum over the IPv4 pseudo-header, the
 * header and the data. A checksum of zero means the sender computed none;
 * a computed checksum of zero is sent as 0xffff. */
#ifndef NETSTEP_UDP_WIRE_H
#define NETSTEP_UDP_WIRE_H

#include "wire.h"
#include <stdbool.h>

#define UDP_HDR_LEN      8
#define UDP_OFF_SPORT    0
#define UDP_OFF_DPORT    2
#define UDP_OFF_LEN      4
#define UDP_OFF_CHECKSUM 6

struct udp_hdr {
    uint16_t sport, dport;
    uint16_t len;      /* header + data, as found */
    uint16_t checksum; /* as found */
};

enum udp_parse_err {
    UDP_OK = 0,
    UDP_ERR_SHORT = -1, /* fewer than 8 bytes */
    UDP_ERR_LEN = -2,   /* length field < 8 or > the bytes there */
};
/* Parses the header of the n bytes at buf (the IPv4 payload). */
int udp_parse(const uint8_t *buf, size_t n, struct udp_hdr *out);
/* The checksum the datagram at buf (len bytes, header included) should
 * carry between src and dst, with the checksum field counted as zero; never
 * 0 (0xffff instead). */
uint16_t udp_checksum_compute(const uint8_t *buf, size_t len, uint32_t src, uint32_t dst);
/* True when the stored checksum is 0 (none) or right. */
bool udp_checksum_ok(const uint8_t *buf, size_t len, uint32_t src, uint32_t dst);
/* Writes the 8-byte header in front of len - 8 bytes of data already at
 * buf + 8, with the checksum (or 0 when !checksum). */
void udp_emit(uint8_t *buf, uint16_t sport, uint16_t dport, size_t len, uint32_t src, uint32_t dst,
              bool checksum);

#endif
