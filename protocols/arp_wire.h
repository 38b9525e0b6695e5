/* arp_wire.h - ARP for IPv4 over Ethernet (RFC 826): htype 1, ptype 0x0800,
 * hlen 6, plen 4, op, sha, spa, tha, tpa: 28 bytes. */
#ifndef NETSTEP_ARP_WIRE_H
#define NETSTEP_ARP_WIRE_H

#include "wire.h"

#define ARP_LEN            28
#define ARP_OP_REQUEST     1
#define ARP_OP_REPLY       2
#define ARP_HTYPE_ETHERNET 1
/* Field offsets (RFC 826 order), for the dissector and for anyone who needs
 * a single field of a message that arp_parse refused. */
#define ARP_OFF_HTYPE 0
#define ARP_OFF_PTYPE 2
#define ARP_OFF_HLEN  4
#define ARP_OFF_PLEN  5
#define ARP_OFF_OP    6
#define ARP_OFF_SHA   8
#define ARP_OFF_SPA   14
#define ARP_OFF_THA   18
#define ARP_OFF_TPA   24

struct arp_msg {
    uint16_t op;
    uint8_t sha[6];
    uint32_t spa; /* host order */
    uint8_t tha[6];
    uint32_t tpa;
};

/* 0 ok; -1 short; -2 not Ethernet/IPv4 (htype, ptype, hlen, plen). */
int arp_parse(const uint8_t *buf, size_t len, struct arp_msg *out);
void arp_emit(const struct arp_msg *m, uint8_t *buf); /* writes ARP_LEN bytes */

#endif
