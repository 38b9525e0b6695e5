/* dhcp_priv.h - what DHCP's server and client files share: the per-node
 * state (sockets, servers, clients) and the helper that emits a message,
 * explains it and hands it to UDP. */
#ifndef NETSTEP_DHCP_PRIV_H
#define NETSTEP_DHCP_PRIV_H

#include "dhcp.h"
#include "udp.h"

struct dhcp_state {
    struct udp_sock *srv_sock, *cli_sock; /* ports 67 and 68, any address */
    struct dhcp_server **srv;
    uint32_t n_srv;
    struct dhcp_client **cli;
    uint32_t n_cli;
};

/* The node's DHCP state, created on first use. */
struct dhcp_state *dhcp_state_of(struct netstack *st);

/* Emits m, records a layer-7 step ("DHCP Offer - Transaction ID 0x...")
 * with `why` on ifc, and sends it from sport to dst:dport. ifc forces the
 * outgoing interface (broadcasts); src 0 = the interface's address (none
 * for an unconfigured client). Returns udp_sendto's result. */
int dhcp_send(struct netstack *st, struct udp_sock *s, struct iface *ifc, const struct dhcp_msg *m,
              uint32_t src, uint32_t dst, uint16_t dport, const char *why);

/* A prefix length from a contiguous mask, or -1. */
int dhcp_mask_plen(uint32_t mask);
/* "pc1" (the host name a client sent) or its MAC, for why sentences. */
const char *dhcp_who(const struct dhcp_msg *m, char *buf, size_t len);

#endif
