/* stack.h - the protocol stack hung on a node, and the helpers its modules
 * share: the routing table, the trace-step helper, and drop reasons.
 *
 * One struct netstack per node, reached through node->stack. Hosts, servers
 * and routers get Ethernet + ARP + IPv4 + ICMP (routers forward); switches
 * get a MAC table; hubs get nothing but a repeater. Modules keep their own
 * state here; apps (the host shell) subscribe to ICMP through icmp.h. */
#ifndef NETSTEP_STACK_H
#define NETSTEP_STACK_H

#include "engine/trace.h"
#include "wire.h"

#define ARP_PENDING_MAX 101 /* packets queued per unresolved neighbour (Linux unres_qlen) */

enum arp_state { ARP_FREE, ARP_INCOMPLETE, ARP_REACHABLE };

struct arp_entry {
    uint32_t ip;
    uint8_t mac[6];
    uint8_t state;
    uint8_t tries;
    struct iface *ifc;
    sim_time expires; /* REACHABLE: valid until */
    struct pkt *pend_head, *pend_tail;
    uint32_t n_pend;
    struct sim_timer retry;
    struct netstack *st; /* back pointer for timer callbacks */
};

/* An address being checked before use (RFC 5227 probe): whoever answers
 * for it, or probes for it too, is reported through fn. */
typedef void (*arp_conflict_fn)(void *ctx, struct iface *ifc, uint32_t addr, const uint8_t *mac);
struct arp_watch {
    struct iface *ifc;
    uint32_t addr;
    arp_conflict_fn fn;
    void *ctx;
};
#define ARP_WATCH_MAX 8

struct arp_cache {
    struct arp_watch watch[ARP_WATCH_MAX];
    int n_watch;
    struct arp_entry **e; /* stable pointers: timers refer to entries */
    uint32_t n, cap;
    uint32_t *index; /* open addressing: ip -> entry number + 1 */
    uint32_t index_cap;
    sim_time timeout; /* default 60 s */
};

enum route_kind { ROUTE_CONNECTED, ROUTE_STATIC };

struct route {
    uint32_t dst;
    uint8_t plen;
    uint32_t gw; /* 0 = directly connected */
    struct iface *ifc;
    enum route_kind kind;
};

struct route_table {
    struct route *r; /* sorted by plen, longest first; ties keep insertion order */
    uint32_t n, cap;
};

struct mac_entry {
    uint8_t mac[6];
    uint32_t port; /* interface index */
    sim_time last_seen;
};

struct mac_table {
    struct mac_entry *e;
    uint32_t n, cap;
    uint32_t *index; /* mac -> entry number + 1 */
    uint32_t index_cap;
    sim_time aging; /* default 300 s (802.1D) */
    /* broadcast storm control: floods counted per 1 s window */
    sim_time window_start;
    uint64_t window_floods;
    uint64_t storm_limit; /* floods per second before suppression */
    bool storm_warned;
    uint64_t suppressed;
};

struct reasm;        /* ip4.c */
struct udp_state;    /* udp.c */
struct dns_server;   /* dns.c */
struct dns_client;   /* dns.c */
struct dhcp_state;   /* dhcp_client.c, dhcp_server.c */
struct tcp_state;    /* tcp.c */
struct nat_state;    /* nat.c */
struct http_server;  /* http.c */
struct whois_server; /* whois.c */
struct ftp_state;    /* ftp.c */
struct telnetd;      /* telnetd.c */
struct mail_server;  /* mail.c */
struct tls_node;     /* tls_conn.c */

typedef void (*icmp_sub_fn)(void *ctx, struct netstack *st, const struct pkt *p, uint32_t src,
                            uint8_t ttl, const uint8_t *icmp, size_t len);
struct icmp_sub {
    uint16_t id; /* echo identifier the app uses */
    icmp_sub_fn fn;
    void *ctx;
};

#define STACK_MAX_SUBS 32

struct netstack {
    struct node *node;
    struct sim *sim;
    bool forwarding; /* a router */
    struct arp_cache arp;
    struct route_table rt;
    struct mac_table mac;
    struct reasm *reasm;
    uint32_t n_reasm;
    uint16_t ip_id;
    uint8_t default_ttl;
    struct icmp_sub subs[STACK_MAX_SUBS];
    int n_subs;
    uint64_t drops;
    struct udp_state *udp;
    /* DNS: the resolvers this node asks (the scenario's "dns", or DHCP's
     * option 6), in order; the authoritative server it runs, if any; the
     * stub resolver's pending queries. */
    uint32_t dns[4];
    int n_dns;
    struct dns_server *dns_srv;
    struct dns_client *dns_cli;
    struct dhcp_state *dhcp;    /* DHCP clients and servers on this node (dhcp.h) */
    struct tcp_state *tcp;      /* TCP listeners and connections (tcp.h) */
    struct nat_state *nat;      /* NAT on a router (nat.h); NULL = none */
    struct http_server *http;   /* the HTTP server (http.h); NULL = none */
    struct whois_server *whois; /* the WHOIS server (whois.h); NULL = none */
    struct ftp_state *ftp;      /* FTP server, ftp client's files (ftp.h); NULL = none */
    struct telnetd *telnetd;    /* the telnet server (telnetd.h); NULL = none */
    struct mail_server *mail;   /* SMTP/POP3/IMAP and their store (mail.h); NULL = none */
    struct tls_node *tls;       /* TLS identity, trusted CAs, key log (tls.h); NULL = none */
};

static inline struct netstack *node_stack(const struct node *n)
{
    return n->stack;
}

/* Installs the stack a node's kind calls for (after its interfaces exist):
 * sets node->input and node->stack. Connected routes are added for every
 * address already on the interfaces. */
struct netstack *stack_install(struct node *node);

/* ---- routing table (longest prefix match) ---- */
int route_add(struct route_table *rt, uint32_t dst, uint8_t plen, uint32_t gw, struct iface *ifc,
              enum route_kind kind);
const struct route *route_lookup(const struct route_table *rt, uint32_t dst);
/* Adds a static route, choosing the interface through which gw is
 * reachable when ifc is NULL. Returns 0, or -1 if gw is on no connected
 * subnet. */
int stack_add_route(struct netstack *st, uint32_t dst, uint8_t plen, uint32_t gw,
                    struct iface *ifc);
/* Adds an address to an interface and its connected route. */
int stack_add_addr(struct netstack *st, struct iface *ifc, uint32_t addr, uint8_t plen);
/* Removes an address from an interface, and its connected route when no
 * other address there is on that subnet (DHCP's lease expiry). */
int stack_del_addr(struct netstack *st, struct iface *ifc, uint32_t addr);
/* Removes the route with exactly these fields. Returns 0, or -1 if none. */
int route_del(struct route_table *rt, uint32_t dst, uint8_t plen, uint32_t gw,
              const struct iface *ifc);

/* True when addr is one of this node's addresses. */
bool stack_is_local(const struct netstack *st, uint32_t addr);
/* The source address a packet to dst will carry, as ip4_output chooses it
 * (dst itself when local, else the address of the route's interface), needed
 * before it runs when a transport checksum covers it. 0 when no route. */
uint32_t stack_source_addr(const struct netstack *st, uint32_t dst);
/* The first address of ifc, or 0. */
uint32_t iface_addr(const struct iface *ifc);

/* ---- trace steps ----
 * fmt holds the summary, a newline, then the why sentence; formatted only
 * when a sink listens at `level`. */
void stack_step(struct sim *sim, unsigned level, const struct node *node, const struct iface *ifc,
                uint8_t layer, enum trace_kind kind, const struct pkt *p, const char *proto,
                const char *fmt, ...) __attribute__((format(printf, 9, 10)));
#define STEP(sim, ...)                                                                             \
    do {                                                                                           \
        if (trace_on((sim), TRACE_LAYERS)) stack_step((sim), TRACE_LAYERS, __VA_ARGS__);           \
    } while (0)
/* Drops are shown in the wire log too (TRACE_FRAMES). Frees nothing. */
#define DROP_STEP(sim, ...)                                                                        \
    do {                                                                                           \
        if (trace_on((sim), TRACE_FRAMES | TRACE_LAYERS))                                          \
            stack_step((sim), TRACE_FRAMES | TRACE_LAYERS, __VA_ARGS__);                           \
    } while (0)

#endif
