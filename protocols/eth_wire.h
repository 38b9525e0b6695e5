/* eth_wire.h - Ethernet II frame header (IEEE 802.3 with an EtherType).
 * dst(6) src(6) type(2); frames shorter than 60 bytes (without FCS) are
 * padded with zeros by the sender. We do not carry the FCS, as captures on
 * Linux do not. */
#ifndef NETSTEP_ETH_WIRE_H
#define NETSTEP_ETH_WIRE_H

#include "wire.h"
#include <stdbool.h>

#define ETH_HDR_LEN   14
#define ETH_MIN_FRAME 60
#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_ARP  0x0806
#define ETH_OFF_DST   0
#define ETH_OFF_SRC   6
#define ETH_OFF_TYPE  12

struct eth_hdr {
    uint8_t dst[6], src[6];
    uint16_t type;
};

extern const uint8_t ETH_BROADCAST[6];

/* 0 on success, -1 if len < ETH_HDR_LEN. */
int eth_parse(const uint8_t *buf, size_t len, struct eth_hdr *out);
void eth_emit(const struct eth_hdr *h, uint8_t *buf); /* writes 14 bytes */
static inline bool eth_is_broadcast(const uint8_t *mac)
{
    return (mac[0] & mac[1] & mac[2] & mac[3] & mac[4] & mac[5]) == 0xff;
}
static inline bool eth_is_multicast(const uint8_t *mac)
{
    return (mac[0] & 1) != 0;
}

#endif
