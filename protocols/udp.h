/* udp.h - UDP (RFC 768): datagram sockets for the applications on a node
 * (DHCP, DNS, echo, traceroute's probes), port demultiplexing, checksums over
 * the pseudo-header (a zero checksum means "none", as the RFC allows), and
 * ICMP port unreachable for datagrams no socket wants.
 *
 * Sockets are event driven: a datagram arrives through the socket's receive
 * callback, inside the simulation, with where it came from. ICMP errors
 * about datagrams a socket sent (time exceeded, unreachable) come back
 * through its error callback, matched by the ports quoted in the error. */
#ifndef NETSTEP_UDP_H
#define NETSTEP_UDP_H

#include "stack.h"
#include "udp_wire.h"

#define UDP_EPHEMERAL_LO 32768 /* Linux's ip_local_port_range */
#define UDP_EPHEMERAL_HI 60999

struct udp_sock;

/* Where a datagram came from and how it arrived. */
struct udp_meta {
    uint32_t src, dst; /* host byte order */
    uint16_t sport, dport;
    struct iface *in; /* the interface it arrived on */
    uint8_t ttl;
    const struct pkt *p; /* the whole packet (l3/l4 offsets set) */
};

typedef void (*udp_recv_fn)(void *ctx, struct udp_sock *s, const struct udp_meta *m,
                            const uint8_t *data, size_t len);
/* An ICMP error about a datagram this socket sent to dst:dport. `from` is
 * the router or host that reported it. */
typedef void (*udp_err_fn)(void *ctx, struct udp_sock *s, uint32_t from, uint8_t type, uint8_t code,
                           uint32_t dst, uint16_t dport, const struct pkt *icmp_pkt);

/* Options for one datagram; NULL = defaults. */
struct udp_send_opts {
    uint32_t src;      /* 0 = the socket's address, else the outgoing interface's */
    struct iface *ifc; /* force the outgoing interface (broadcast from 0.0.0.0) */
    uint8_t ttl;       /* 0 = the node's default */
    bool no_checksum;  /* send checksum 0 ("none") */
};

/* Binds addr:port (addr 0 = any address of the node; port 0 = an ephemeral
 * port chosen deterministically). Returns NULL when the port is taken. */
struct udp_sock *udp_open(struct netstack *st, uint32_t addr, uint16_t port, udp_recv_fn fn,
                          void *ctx);
void udp_set_error_cb(struct udp_sock *s, udp_err_fn fn);
/* Sends len bytes to dst:dport. Returns 0, or a negative ip4_out_err. */
int udp_sendto(struct udp_sock *s, uint32_t dst, uint16_t dport, const void *data, size_t len,
               const struct udp_send_opts *o);
uint16_t udp_local_port(const struct udp_sock *s);
void udp_close(struct udp_sock *s);

/* From IPv4 (p starts at the UDP header, p->l3 set). Takes ownership. */
void udp_input(struct netstack *st, struct iface *in, struct pkt *p);
/* From ICMP: an error quoting a UDP datagram this node sent (`quoted`
 * starts at the quoted IP header). Returns true when a socket took it. */
bool udp_icmp_error(struct netstack *st, uint32_t from, uint8_t type, uint8_t code,
                    const uint8_t *quoted, size_t len, const struct pkt *icmp_pkt);
void udp_free(struct netstack *st);

#endif
