/* ip4.h - IPv4 (RFC 791, RFC 1812): input validation, local delivery with
 * fragment reassembly, forwarding on routers (TTL, longest prefix match,
 * fragmentation at the outgoing MTU) and output for locally made packets. */
#ifndef NETSTEP_IP4_H
#define NETSTEP_IP4_H

#include "ip4_wire.h"
#include "stack.h"

#define IP4_REASM_TIMEOUT (30 * SIM_S)
#define IP4_DEFAULT_TTL   64

/* An IPv4 packet from the link layer (p starts at the IP header). */
void ip4_input(struct netstack *st, struct iface *in, struct pkt *p);

struct ip4_out {
    uint32_t src; /* 0 = the outgoing interface's address */
    uint32_t dst;
    uint8_t proto;
    uint8_t ttl; /* 0 = default */
    uint8_t tos;
    bool df;
    struct iface *ifc; /* force the outgoing interface (DHCP's broadcasts from
                          0.0.0.0); NULL = the routing table decides */
};
enum ip4_out_err { IP4_SENT = 0, IP4_NO_ROUTE = -1, IP4_TOO_BIG = -2 };
/* Wraps p (which starts at the L4 header) in an IPv4 header and sends it.
 * Takes ownership in every case. */
int ip4_output(struct netstack *st, struct pkt *p, const struct ip4_out *o);
void ip4_free(struct netstack *st);

#endif
