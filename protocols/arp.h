/* arp.h - ARP (RFC 826): the neighbour cache of a host or router.
 *
 * Entries expire after arp.timeout (60 s by default; checked when used, so
 * there is no timer per entry). While a neighbour is being resolved, packets
 * for it wait in its entry (up to ARP_PENDING_MAX, oldest dropped first);
 * the request is retried every second, three times, and then the waiting
 * packets are answered with ICMP host unreachable. */
#ifndef NETSTEP_ARP_H
#define NETSTEP_ARP_H

#include "stack.h"

void arp_init(struct arp_cache *c);
void arp_free(struct arp_cache *c, struct sim *sim);
/* An ARP packet (p starts at the ARP header). Takes ownership. */
void arp_input(struct netstack *st, struct iface *in, struct pkt *p);
/* Sends an IPv4 packet (p starts at the IP header) to next_hop out of ifc,
 * resolving its MAC first if needed. Takes ownership. */
void arp_output(struct netstack *st, struct iface *ifc, uint32_t next_hop, struct pkt *p);
/* Broadcasts a gratuitous ARP request announcing addr on ifc. */
void arp_announce(struct netstack *st, struct iface *ifc, uint32_t addr);
/* RFC 5227 ARP probe: broadcasts "Who has addr?" from 0.0.0.0 on ifc and,
 * until arp_probe_stop, calls fn once if another host answers for addr or
 * probes for it too. Returns 0, or -1 when too many probes are running. */
int arp_probe(struct netstack *st, struct iface *ifc, uint32_t addr, arp_conflict_fn fn, void *ctx);
void arp_probe_stop(struct netstack *st, struct iface *ifc, uint32_t addr);
/* A REACHABLE, unexpired entry for ip, or NULL. */
const struct arp_entry *arp_lookup(const struct netstack *st, uint32_t ip);
/* Entries in insertion order (for `arp -a`, the GUI); skips free ones. */
uint32_t arp_count(const struct netstack *st);
const struct arp_entry *arp_entry_at(const struct netstack *st, uint32_t i);

#endif
