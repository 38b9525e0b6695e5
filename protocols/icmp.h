/* icmp.h - ICMP (RFC 792): answers echo requests, reports errors for the
 * IPv4 layer (time exceeded, destination unreachable) following RFC 1812's
 * rules on when not to, and hands replies and errors to the apps that
 * subscribed by echo identifier (ping, traceroute). */
#ifndef NETSTEP_ICMP_H
#define NETSTEP_ICMP_H

#include "icmp_wire.h"
#include "stack.h"

/* An ICMP message delivered to this node (p starts at the ICMP header; the
 * IP header is at p->l3). Takes ownership. */
void icmp_input(struct netstack *st, struct iface *in, struct pkt *p);
/* Sends an ICMP error about `orig` (which starts at its IP header) back to
 * its source. Does not take orig. orig->l3 marks the IP header; the data
 * may start there or at a later header (UDP, TCP) of the same buffer. */
void icmp_send_error(struct netstack *st, const struct pkt *orig, uint8_t type, uint8_t code,
                     uint32_t rest);
/* Sends an echo request; payload_len bytes of iputils-style data. */
int icmp_send_echo(struct netstack *st, uint32_t dst, uint16_t id, uint16_t seq, uint8_t ttl,
                   uint32_t payload_len);
int icmp_subscribe(struct netstack *st, uint16_t id, icmp_sub_fn fn, void *ctx);
void icmp_unsubscribe(struct netstack *st, uint16_t id);

#endif
