/* net.h - nodes, interfaces and links: the physical topology.
 *
 * A node has a name, a kind, a GUI position, interfaces, and an opaque
 * protocol stack that the protocols/ library hangs on it (the engine never
 * looks inside). A link is a full-duplex cable between two interfaces: each
 * direction has a drop-tail queue, serialization time (bytes * 8 /
 * bandwidth) and a propagation delay. One event per frame per hop: when a
 * frame is queued we already know when its first bit leaves (the
 * transmitter is busy until then) and when its last bit arrives, so only the
 * arrival is scheduled; the queue is the list of frames that have not yet
 * started to leave.
 *
 * Ownership: link_transmit() takes the packet; at arrival the receiving
 * node's input handler takes it.
 */
#ifndef NETSTEP_NET_H
#define NETSTEP_NET_H

#include "pkt.h"

enum node_kind { NODE_HOST, NODE_SERVER, NODE_SWITCH, NODE_HUB, NODE_ROUTER };

#define NODE_NAME_MAX  32
#define IFACE_NAME_MAX 16
#define IFACE_MAX_ADDR 4

struct iface_counters {
    uint64_t tx_frames, tx_bytes, rx_frames, rx_bytes, drops;
};

struct iface {
    char name[IFACE_NAME_MAX];
    char label[NODE_NAME_MAX + IFACE_NAME_MAX + 2]; /* "node:iface" */
    uint8_t mac[6];
    struct node *node;
    uint32_t index; /* within the node */
    uint32_t id;    /* within the sim, creation order (capture interface id) */
    struct link *link;
    int side; /* which end of the link (0 or 1) */
    bool up;
    int n_addr;
    uint32_t addr[IFACE_MAX_ADDR]; /* IPv4, host byte order */
    uint8_t plen[IFACE_MAX_ADDR];
    struct iface_counters cnt;
};

typedef void (*node_input_fn)(struct node *node, struct iface *in, struct pkt *p);

struct node {
    char name[NODE_NAME_MAX];
    enum node_kind kind;
    uint32_t index;
    double x, y;
    bool has_pos;
    struct sim *sim;
    struct iface **ifaces;
    uint32_t n_ifaces;
    struct rng rng;
    node_input_fn input; /* frame arrival; takes ownership of p */
    void *stack;         /* protocol state, owned through stack_free */
    void (*stack_free)(void *stack);
};

struct link_params {
    uint64_t bandwidth_bps; /* default 100 Mbit/s */
    sim_time delay;         /* default 10 us */
    double loss;            /* probability 0..1 */
    uint32_t mtu;           /* default 1500 */
    uint32_t queue_limit;   /* frames waiting per direction, default 1000 */
};
void link_params_default(struct link_params *lp);

/* Why the link layer dropped a frame (reported on the trace bus). */
enum link_drop { LINK_DROP_LOSS, LINK_DROP_QUEUE_FULL, LINK_DROP_DOWN, LINK_DROP_UNPLUGGED };

struct link_dir {
    struct iface *from, *to;
    sim_time busy_until; /* transmitter busy until (last bit leaves) */
    sim_time *starts;    /* ring: start times of frames not yet started */
    uint32_t q_head, q_count, q_cap;
    uint64_t drops;
};

struct link {
    uint32_t index;
    struct link_params p;
    bool up;
    struct link_dir dir[2];
    struct rng rng;
};

struct node *node_new(struct sim *sim, const char *name, enum node_kind kind);
/* The scenario word for a kind: "host", "server", "switch", "hub", "router". */
const char *node_kind_name(enum node_kind k);
struct node *sim_find_node(const struct sim *sim, const char *name);
uint32_t sim_node_count(const struct sim *sim);
struct node *sim_node(const struct sim *sim, uint32_t i);
/* A new interface; mac NULL = derived from the node and interface names. */
struct iface *iface_new(struct node *node, const char *name, const uint8_t *mac);
struct iface *node_find_iface(const struct node *node, const char *name);
uint32_t sim_iface_count(const struct sim *sim);
struct iface *sim_iface(const struct sim *sim, uint32_t id);
int iface_add_addr(struct iface *ifc, uint32_t addr, uint8_t plen);

struct link *link_connect(struct sim *sim, struct iface *a, struct iface *b,
                          const struct link_params *lp);
uint32_t sim_link_count(const struct sim *sim);
struct link *sim_link(const struct sim *sim, uint32_t i);
void link_set_up(struct sim *sim, struct link *l, bool up);
/* Puts a frame on the wire out of `out`. Takes ownership of p. Frames on an
 * unplugged interface are dropped with a trace step. */
void link_transmit(struct sim *sim, struct iface *out, struct pkt *p);
/* MTU of the link an interface is plugged into (1500 when unplugged). */
uint32_t iface_mtu(const struct iface *ifc);
const char *link_drop_why(enum link_drop d);

#endif
