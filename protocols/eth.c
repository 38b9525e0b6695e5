/* eth.c - Ethernet II for hosts and routers: the card's address filter,
 * EtherType dispatch on the way up, framing and padding on the way down. */
#include "eth.h"
#include "arp.h"
#include "eth_wire.h"
#include "ip4.h"

#include <stdio.h>
#include <string.h>

void eth_input(struct node *node, struct iface *in, struct pkt *p)
{
    struct netstack *st = node->stack;
    struct sim *sim = node->sim;
    struct eth_hdr h;
    char a[18], b[18];
    if (eth_parse(pkt_data(p), p->len, &h) < 0) {
        DROP_STEP(sim, node, in, 2, TK_DROP, p, "ETH",
                  "malformed Ethernet frame (%u bytes)\nThe frame is shorter than an Ethernet "
                  "header (14 bytes), so the network card discards it.",
                  p->len);
        in->cnt.drops++;
        pkt_free(sim, p);
        return;
    }
    bool bcast = eth_is_broadcast(h.dst);
    if (!bcast && memcmp(h.dst, in->mac, 6) != 0) {
        /* Only a hub (or a switch flooding an unknown destination) brings
         * us frames for someone else. */
        STEP(sim, node, in, 2, TK_DROP, p, "ETH",
             "not for me: Dst %s\nThe destination MAC %s is neither this card's own address "
             "(%s) nor broadcast, so the network card ignores the frame.",
             mac_str(h.dst, a), a, mac_str(in->mac, b));
        pkt_free(sim, p);
        return;
    }
    p->l2 = p->head;
    pkt_pull(p, ETH_HDR_LEN);
    p->l3 = p->head;
    switch (h.type) {
    case ETH_TYPE_ARP:
        STEP(sim, node, in, 2, TK_DECAP, p, "ARP",
             "Ethernet II, Src: %s, Dst: %s, Type: ARP\nThe frame is addressed to %s; its "
             "EtherType 0x0806 says it carries ARP, so the Ethernet header comes off and the "
             "ARP message goes up to ARP.",
             mac_str(h.src, a), mac_str(h.dst, b), bcast ? "everyone (broadcast)" : "this card");
        arp_input(st, in, p);
        return;
    case ETH_TYPE_IPV4:
        STEP(sim, node, in, 2, TK_DECAP, p, "IPv4",
             "Ethernet II, Src: %s, Dst: %s, Type: IPv4\nThe frame is addressed to %s; its "
             "EtherType 0x0800 says it carries IPv4, so the Ethernet header comes off and the "
             "packet goes up to the network layer.",
             mac_str(h.src, a), mac_str(h.dst, b), bcast ? "everyone (broadcast)" : "this card");
        ip4_input(st, in, p);
        return;
    default:
        DROP_STEP(sim, node, in, 2, TK_DROP, p, "ETH",
                  "unknown EtherType 0x%04x\nThis node speaks only ARP and IPv4, so it has no "
                  "protocol to hand this frame to and discards it.",
                  h.type);
        in->cnt.drops++;
        pkt_free(sim, p);
        return;
    }
}

void eth_output(struct netstack *st, struct iface *out, const uint8_t *dst_mac, uint16_t type,
                struct pkt *p)
{
    struct sim *sim = st->sim;
    struct eth_hdr h;
    memcpy(h.dst, dst_mac, 6);
    memcpy(h.src, out->mac, 6);
    h.type = type;
    uint8_t *hdr = pkt_push(sim, p, ETH_HDR_LEN);
    eth_emit(&h, hdr);
    p->l2 = p->head;
    uint32_t pad = 0;
    if (p->len < ETH_MIN_FRAME) {
        pad = ETH_MIN_FRAME - p->len;
        pkt_put(sim, p, pad);
    }
    if (trace_on(sim, TRACE_LAYERS)) {
        char a[18], b[18], padtxt[96] = "";
        if (pad)
            snprintf(padtxt, sizeof padtxt,
                     " and %u zero bytes of padding, because an Ethernet frame must be at least "
                     "60 bytes long",
                     pad);
        stack_step(sim, TRACE_LAYERS, st->node, out, 2, TK_ENCAP, p,
                   type == ETH_TYPE_ARP ? "ARP" : "IPv4",
                   "Ethernet II, Src: %s, Dst: %s\nThe data link layer wraps the packet in an "
                   "Ethernet header: destination %s, source %s (this card), EtherType 0x%04x%s.",
                   mac_str(h.src, a), mac_str(h.dst, b), b, a, type, padtxt);
    }
    link_transmit(sim, out, p);
}
