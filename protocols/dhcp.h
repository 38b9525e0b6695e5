/* dhcp.h - DHCP (RFC 2131) on a node: servers that lend addresses from a
 * pool on one of the node's interfaces, and clients (dhclient) that get an
 * address, a default route and DNS servers for an interface and keep the
 * lease alive (renewal at T1, rebinding at T2, expiry).
 *
 * Both live in node->stack->dhcp and share one UDP socket each (server port
 * 67, client port 68) bound to the wildcard address, so that broadcasts
 * reach them on any interface. Every step a server or client takes is a
 * layer-7 trace step with a why sentence.
 *
 * Server (dhcp_server.c): one lease slot per pool address, indexed by
 * address. Addresses are handed out deterministically: the client's
 * current or previous address if it is still free, else the address it
 * asks for if free, else the lowest free one. An offer holds its address
 * for DHCP_OFFER_HOLD. Expiry is checked when a slot is looked at, so a
 * lease costs no timer. Clients are known by their hardware address
 * (chaddr). Replies to clients without an address are broadcast (the
 * clients here set the BROADCAST flag; RFC 2131 4.1 lets a server broadcast
 * when it cannot unicast to an unconfigured client), NAKs always are.
 * Relay agents (giaddr) are not supported: such requests are ignored.
 *
 * Client (dhcp_client.c): INIT -> SELECTING -> REQUESTING -> BOUND ->
 * RENEWING (T1, unicast to the server) -> REBINDING (T2, broadcast) ->
 * expiry (address, routes and DNS servers removed, back to INIT).
 * Retransmissions follow RFC 2131 4.1: 4 s, 8 s, 16 s, ... each randomised
 * by -1..+1 s from the node's RNG; an acquisition that has no lease after
 * DHCP_CLIENT_TIMEOUT gives up, as ISC dhclient -1 does. Before it takes
 * a new address the client checks it (RFC 2131 3.1.5, RFC 5227): one ARP
 * probe and DHCP_PROBE_WAIT of listening; an answer means another host has
 * it, so the client sends DHCPDECLINE and starts over after 10 s. */
#ifndef NETSTEP_DHCP_H
#define NETSTEP_DHCP_H

#include "dhcp_wire.h"
#include "stack.h"

#define DHCP_OFFER_HOLD     (30 * SIM_S) /* an offered address is kept this long */
#define DHCP_CLIENT_TIMEOUT (60 * SIM_S) /* ISC dhclient's default "timeout" */
#define DHCP_POOL_MAX       65536
#define DHCP_PROBE_WAIT     (1 * SIM_S)  /* listening after the ARP probe */
#define DHCP_DECLINE_WAIT   (10 * SIM_S) /* RFC 2131 3.1.5: at least ten seconds */

/* ---- server ---- */

struct dhcp_server_conf {
    uint32_t pool_lo, pool_hi; /* inclusive, host order */
    uint32_t gateway;          /* option 3; 0 = none */
    uint32_t dns[DHCP_MAX_ADDRS];
    int n_dns;
    uint32_t lease_s; /* option 51 */
};

enum dhcp_lease_state {
    DL_FREE,     /* never given out */
    DL_OFFERED,  /* reserved for a client until `expires` */
    DL_BOUND,    /* leased until `expires` */
    DL_RELEASED, /* free again; remembers its last client */
    DL_DECLINED, /* a client found it in use: not offered until `expires` */
};

struct dhcp_lease {
    uint32_t addr;
    enum dhcp_lease_state state;
    bool has_client;
    uint8_t chaddr[6];
    sim_time expires;
    char hostname[33];
};

struct dhcp_server {
    struct netstack *st;
    struct iface *ifc;
    struct dhcp_server_conf conf;
    uint32_t addr; /* the server identifier: ifc's address on the pool's subnet */
    uint8_t plen;
    uint32_t n; /* pool size */
    struct dhcp_lease *lease;
    uint64_t rx, tx, naks;
};

/* Starts a server on ifc. Returns NULL (and says why in err) when ifc has
 * no address on the pool's subnet or the pool is unusable. */
struct dhcp_server *dhcp_server_start(struct netstack *st, struct iface *ifc,
                                      const struct dhcp_server_conf *conf, char *err,
                                      size_t err_len);
/* Decides the answer to one client message that arrived on the server's
 * interface (RFC 2131 4.3), updating the lease table. Returns true when
 * *out holds a reply, to be sent to *dst (255.255.255.255 = broadcast).
 * why (may be NULL) gets a sentence for the student either way. */
bool dhcp_server_process(struct dhcp_server *s, const struct dhcp_msg *in, sim_time now,
                         struct dhcp_msg *out, uint32_t *dst, char *why, size_t why_len);
/* The lease slot of addr in s's pool, or NULL. States past their time are
 * reported as what they have become (an expired lease is RELEASED). */
const struct dhcp_lease *dhcp_server_lease(struct dhcp_server *s, uint32_t addr, sim_time now);
uint32_t dhcp_server_count(const struct netstack *st);
struct dhcp_server *dhcp_server_at(const struct netstack *st, uint32_t i);

/* ---- client ---- */

enum dhcp_client_state {
    DC_STOPPED,
    DC_SELECTING, /* DISCOVER sent, waiting for offers */
    DC_REQUESTING,
    DC_CHECKING, /* ACK received: an ARP probe for the address, then 1 s of listening */
    DC_BOUND,
    DC_RENEWING,
    DC_REBINDING,
};

/* How a running dhclient command hears from its client: each output line,
 * and the end (exit status). Without one (the command has ended, or the
 * lease is running in the background) lines go to the trace bus as the
 * node's output, as a daemon's go to syslog. */
struct dhcp_client_ui {
    void (*line)(void *ctx, const char *text);
    void (*done)(void *ctx, int code);
    void *ctx;
};

struct dhcp_client {
    struct netstack *st;
    struct iface *ifc;
    enum dhcp_client_state state;
    struct dhcp_client_ui ui; /* .line NULL = detached */
    uint32_t xid;
    sim_time started;  /* of this exchange (the secs field) */
    sim_time deadline; /* acquisition gives up then */
    sim_time interval; /* current retransmission base: 4 s, 8 s, ... 64 s */
    uint32_t offered, server_id;
    /* the lease, once bound */
    uint32_t addr, router;
    uint8_t plen;
    uint32_t dns[DHCP_MAX_ADDRS];
    int n_dns;
    uint32_t lease_s, t1_s, t2_s;
    sim_time bound_at;
    struct sim_timer retx, t1, t2, expiry;
    struct dhcp_msg ack; /* while CHECKING: the ACK to bind with */
};

enum dhcp_client_err { DHCP_CLIENT_BUSY = -1, DHCP_CLIENT_NO_LINK = -2 };
/* Starts acquiring a lease on ifc (broadcasts a DISCOVER now). ui may be
 * NULL. Returns 0, or DHCP_CLIENT_BUSY when a client already runs there. */
int dhcp_client_start(struct netstack *st, struct iface *ifc, const struct dhcp_client_ui *ui);
/* The command whose ui.ctx is ctx ended (or was interrupted): the client
 * goes on in the background, logging to the trace bus. */
void dhcp_client_detach(struct netstack *st, struct iface *ifc, void *ctx);
/* dhclient -r: releases the lease (DHCPRELEASE to the server), removes the
 * address, routes and DNS servers, and stops the client. Returns true when
 * there was a lease to release. Lines go through ui (may be NULL). */
bool dhcp_client_release(struct netstack *st, struct iface *ifc, const struct dhcp_client_ui *ui);
/* The client on ifc, or NULL. */
const struct dhcp_client *dhcp_client_of(const struct netstack *st, const struct iface *ifc);
const char *dhcp_client_state_name(enum dhcp_client_state s);

/* Frees servers and clients (stack teardown). */
void dhcp_free(struct netstack *st);

#endif
