/* nat.h - NAT on a router: RFC 3022 NAPT, what Cisco calls PAT ("overload")
 * and Linux calls masquerading. Packets from the inside interfaces that
 * leave by the outside interface get the outside interface's address as
 * their source, and a source port (TCP, UDP) or echo identifier (ICMP) that
 * tells the flows apart; replies to that address and port are rewritten
 * back. ICMP errors about translated packets (time exceeded, destination
 * unreachable) are translated too, outer header and quoted packet, so ping
 * and traceroute work through it. Static port forwarding sends new flows
 * to an outside port on to an inside address and port.
 *
 * Where it runs (ip4.c calls it): nat_inbound() on every packet that arrives
 * on the outside interface, before IPv4 decides between local delivery and
 * forwarding; nat_outbound() after the route lookup of a forwarded packet,
 * when it came in by an inside interface and leaves by the outside one;
 * nat_local_output() on the router's own ICMP messages to the outside.
 * Fragments of packets NAT must see whole are reassembled first
 * (nat_wants_whole), as Linux's conntrack does.
 *
 * The table: one entry per flow (protocol, inside local address and port,
 * outside address and port), the "extended" entries `show ip nat
 * translations` lists. The global port is chosen per inside endpoint, not
 * per flow (endpoint-independent mapping, RFC 4787 REQ-1): a second flow
 * from the same inside address and port gets the same global port. An
 * inside endpoint keeps its own port when no other endpoint holds it (as
 * Linux does), else it gets the next free one above it, in the same range
 * (1-511, 512-1023, 1024-65535; ICMP identifiers 0-65535). Inbound packets
 * must match a flow exactly, address and port of the outside end included
 * (address-and-port-dependent filtering, as Linux's conntrack), or a static
 * forward; anything else is left to the router (its own services, ICMP port
 * unreachable, ...).
 *
 * Timeouts (defaults in NAT_*_TIMEOUT, from the RFCs' behavioural
 * requirements): an entry lives while packets use it and expires its
 * protocol's timeout after the last one. One timer per entry, re-armed
 * lazily: packets only move `expires`, and the timer, when it fires early,
 * sleeps again until then. TCP entries use the short transitory timeout
 * until the handshake is complete and again after a RST or a FIN from each
 * side.
 *
 * Checksums are updated incrementally (RFC 1624, inet_csum_update16/32):
 * the IPv4 header checksum, the TCP/UDP checksum (its pseudo-header covers
 * the address; a UDP checksum of 0 means none and stays 0), the ICMP
 * checksum, and inside an ICMP error the quoted header's and quoted
 * transport checksums as far as they were quoted.
 *
 * Not done: other protocols than TCP, UDP and ICMP echo/errors (dropped
 * outbound, with a reason); ALGs (FTP's PORT/PASV, SIP); hairpinning (an
 * inside host reaching another through the outside address); a pool of
 * outside addresses (one address, the outside interface's first); the
 * router's own packets (they already carry its own addresses). */
#ifndef NETSTEP_NAT_H
#define NETSTEP_NAT_H

#include "ip4_wire.h"
#include "stack.h"

#define NAT_TCP_TIMEOUT    (7440 * SIM_S) /* RFC 5382 REQ-5: at least 2 h 4 min */
#define NAT_TCP_TRANSITORY (240 * SIM_S)  /* RFC 5382 REQ-5: at least 4 min */
#define NAT_UDP_TIMEOUT    (300 * SIM_S)  /* RFC 4787 REQ-5: 5 min recommended */
#define NAT_ICMP_TIMEOUT   (60 * SIM_S)   /* RFC 5508 REQ-1: 60 s */
#define NAT_MAX_ENTRIES    16384          /* flows; new ones are dropped beyond */
#define NAT_MAX_FORWARDS   256

struct nat_timeouts {
    sim_time tcp;            /* established connections */
    sim_time tcp_transitory; /* handshake not complete, or closing */
    sim_time udp, icmp;
};

/* A static port forward: new flows to the outside address and `port` go to
 * to_addr:to_port inside. ICMP has no forwards. */
struct nat_forward {
    uint8_t proto; /* IP4_PROTO_TCP or IP4_PROTO_UDP */
    uint16_t port;
    uint32_t to_addr;
    uint16_t to_port;
};

/* TCP flags seen on an entry's flow. */
enum {
    NAT_TCP_SYN_OUT = 1u << 0, /* SYN from the inside */
    NAT_TCP_SYN_IN = 1u << 1,  /* SYN from the outside */
    NAT_TCP_EST = 1u << 2,     /* handshake complete */
    NAT_TCP_FIN_OUT = 1u << 3,
    NAT_TCP_FIN_IN = 1u << 4,
    NAT_TCP_RST = 1u << 5,
};

/* One flow. The inside global address is the outside interface's address
 * at the time of use; outside local = outside global (no outside NAT). For
 * ICMP the ports are echo identifiers and out_port is unused (0). */
struct nat_entry {
    bool used;
    bool forwarded; /* created by a static forward, from the outside */
    uint8_t proto;
    uint8_t tcp; /* NAT_TCP_* */
    uint32_t in_addr;
    uint16_t in_port;
    uint16_t g_port;
    uint32_t out_addr;
    uint16_t out_port;
    sim_time created, expires;
    uint64_t seq;               /* creation order */
    uint64_t packets;           /* translated, both ways */
    uint32_t next_in, next_out; /* hash chains: entry index + 1, 0 = end */
    struct sim_timer timer;
};

struct nat_state {
    struct netstack *st;
    struct iface *outside;
    uint8_t *role; /* by interface index: 0, NAT_INSIDE or NAT_OUTSIDE */
    uint32_t n_role;
    struct nat_timeouts to;
    struct nat_forward fwd[NAT_MAX_FORWARDS];
    int n_fwd;
    struct nat_entry *e;
    uint32_t n, cap; /* slots in use up to n; free ones are on free_list */
    uint32_t n_live;
    uint32_t free_list; /* index + 1, chained through next_in */
    uint32_t *b_in;     /* by (proto, global port) */
    uint32_t *b_out;    /* by (proto, inside address, inside port) */
    uint64_t next_seq;
    uint64_t out_pkts, in_pkts, drops, expired;
};

enum { NAT_INSIDE = 1, NAT_OUTSIDE = 2 };

/* Turns NAT on for st (a router): `outside` and the n_inside interfaces of
 * `inside`; timeouts NULL = the defaults. Returns the state (also
 * st->nat), or NULL when NAT is on already or an interface is not st's or
 * is both inside and outside. */
struct nat_state *nat_start(struct netstack *st, struct iface *outside, struct iface *const *inside,
                            int n_inside, const struct nat_timeouts *to);
/* Adds a static forward. 0, or -1 when the same protocol and port are
 * forwarded already or there are too many. */
int nat_add_forward(struct netstack *st, const struct nat_forward *f);
void nat_free(struct netstack *st);
/* The defaults of struct nat_timeouts. */
void nat_default_timeouts(struct nat_timeouts *to);

/* ---- the hooks in ip4.c ---- */

/* True when h, arriving on `in`, is a fragment NAT needs whole: to the
 * outside address from the outside, or from the inside to leave by the
 * outside interface. */
bool nat_wants_whole(const struct netstack *st, const struct iface *in, const struct ip4_hdr *h);
/* A packet (p at its IPv4 header, parsed into *h) that arrived on `in`: if
 * in is the outside interface and the packet belongs to a flow or a static
 * forward, its destination is rewritten to the inside local address and
 * port, and *h is updated. Never takes p. */
void nat_inbound(struct netstack *st, struct iface *in, struct pkt *p, struct ip4_hdr *h);
/* A forwarded packet about to leave by `out` after coming in by `in`
 * (TTL already lowered): if in is inside and out is outside, its source is
 * rewritten to the outside address and a global port. Returns false when
 * it cannot be translated: then it was dropped (with a step) and freed. */
bool nat_outbound(struct netstack *st, const struct iface *in, const struct iface *out,
                  struct pkt *p);

/* An ICMP error the router itself sends by `out` (p at its IPv4 header):
 * if it quotes a packet NAT translated on its way in (a TTL that ran out on
 * the way to the inside host, an unreachable inside host), the quoted
 * destination gets the outside address and port back, so the outside never
 * sees an inside address. Anything else is left alone. Never takes p. */
void nat_local_output(struct netstack *st, const struct iface *out, struct pkt *p);

/* ---- inspection (show ip nat translations, tests) ---- */

/* The live entries in creation order: fills up to cap pointers, returns
 * how many there are (which may be more than cap). */
uint32_t nat_entries(const struct netstack *st, const struct nat_entry **out, uint32_t cap);
/* The address the inside global side of every entry has now (the outside
 * interface's first address; 0 while it has none). */
uint32_t nat_global_addr(const struct nat_state *nat);

#endif
