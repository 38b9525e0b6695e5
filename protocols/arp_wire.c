/* arp_wire.c - parse and emit ARP messages for IPv4 over Ethernet, the only
 * kind netstep speaks (RFC 826 allows others; they are refused here, not
 * misread). */
#include "arp_wire.h"

#include "eth_wire.h"

int arp_parse(const uint8_t *buf, size_t len, struct arp_msg *out)
{
    if (len < ARP_LEN) return -1;
    /* RFC 826 "Packet Reception": "?Do I have the hardware type in ar$hrd?
     * ... ?Do I speak the protocol in ar$pro?" - and the lengths must be
     * the ones that go with them, or the addresses below are not where we
     * read them. */
    if (get_be16(buf + ARP_OFF_HTYPE) != ARP_HTYPE_ETHERNET ||
        get_be16(buf + ARP_OFF_PTYPE) != ETH_TYPE_IPV4 || buf[ARP_OFF_HLEN] != 6 ||
        buf[ARP_OFF_PLEN] != 4)
        return -2;
    out->op = get_be16(buf + ARP_OFF_OP);
    for (int i = 0; i < 6; i++) {
        out->sha[i] = buf[ARP_OFF_SHA + i];
        out->tha[i] = buf[ARP_OFF_THA + i];
    }
    out->spa = get_be32(buf + ARP_OFF_SPA);
    out->tpa = get_be32(buf + ARP_OFF_TPA);
    return 0;
}

void arp_emit(const struct arp_msg *m, uint8_t *buf)
{
    put_be16(buf + ARP_OFF_HTYPE, ARP_HTYPE_ETHERNET);
    put_be16(buf + ARP_OFF_PTYPE, ETH_TYPE_IPV4);
    buf[ARP_OFF_HLEN] = 6;
    buf[ARP_OFF_PLEN] = 4;
    put_be16(buf + ARP_OFF_OP, m->op);
    for (int i = 0; i < 6; i++) {
        buf[ARP_OFF_SHA + i] = m->sha[i];
        buf[ARP_OFF_THA + i] = m->tha[i];
    }
    put_be32(buf + ARP_OFF_SPA, m->spa);
    put_be32(buf + ARP_OFF_TPA, m->tpa);
}
