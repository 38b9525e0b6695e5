/* eth.h - the Ethernet layer of hosts and routers: the network card's
 * address filter on the way in, EtherType dispatch to ARP and IPv4, and
 * framing (with padding to the 60-byte minimum) on the way out. */
#ifndef NETSTEP_ETH_H
#define NETSTEP_ETH_H

#include "stack.h"

/* node->input for hosts and routers. Takes ownership of p. */
void eth_input(struct node *node, struct iface *in, struct pkt *p);
/* Prepends an Ethernet header to p (which starts at the L3 header), pads it
 * and transmits it. Takes ownership of p. */
void eth_output(struct netstack *st, struct iface *out, const uint8_t *dst_mac, uint16_t type,
                struct pkt *p);

#endif
