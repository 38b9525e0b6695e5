/* sim_priv.h - the simulator's insides, shared by the engine's own files
 * only (sim.c, pkt.c, net.c, trace.c). Nothing outside engine/ includes it. */
#ifndef NETSTEP_SIM_PRIV_H
#define NETSTEP_SIM_PRIV_H

#include "trace.h"

struct ev_rec {
    sim_event_fn fn; /* NULL once cancelled */
    void *ctx;
    uint64_t arg;
    uint32_t gen;
    uint32_t next_free;
};

/* Heap entry: one 128-bit key, the time (high 64 bits; times are never
 * negative) then the insertion sequence (36 bits) and the record's slot (28
 * bits). Comparing keys orders by time and, for equal times, FIFO - in one
 * branch-free compare. */
typedef unsigned __int128 heap_key;
struct heap_ent {
    heap_key k;
};
#define EV_SLOT_BITS 28u
#define EV_SLOT_MASK ((1ull << EV_SLOT_BITS) - 1)
#define EV_NONE      UINT32_MAX

#define TRACE_MAX_SINKS 16
struct trace_sink {
    unsigned mask;
    trace_sink_fn fn;
    void *ctx;
};

struct sim {
    sim_time now;
    uint64_t seed;
    struct rng rng;
    bool stopped;
    uint64_t events_run;
    uint64_t event_budget;
    bool budget_exhausted;

    struct heap_ent *heap;
    uint32_t heap_len, heap_cap;
    uint64_t next_seq;
    struct ev_rec *recs;
    uint32_t recs_len, recs_cap, free_head;

    struct pkt *pkt_free_tiny;  /* recycled packets with PKT_TINY_CAP buffers */
    struct pkt *pkt_free_small; /* recycled packets with PKT_SMALL_CAP buffers */
    struct pkt *pkt_live;       /* every packet handed out and not yet freed */
    uint64_t pkts_live;
    uint64_t next_pkt_id;

    struct node **nodes;
    uint32_t n_nodes, cap_nodes;
    uint32_t *node_index; /* open-addressing hash of names -> node slot + 1 */
    uint32_t node_index_cap;
    struct iface **ifaces;
    uint32_t n_ifaces, cap_ifaces;
    struct link **links;
    uint32_t n_links, cap_links;

    unsigned trace_mask;
    uint64_t trace_seq;
    struct trace_sink sinks[TRACE_MAX_SINKS];
    int n_sinks;
};

/* Two size classes: tiny for the frames a simulation is full of (ARP,
 * pings, small datagrams, ACKs: 128 bytes of headroom + up to 128 of data),
 * small for anything up to a full Ethernet frame with room to spare. A
 * broadcast flooded to 4,096 ports is 4,096 copies, so this matters. */
#define PKT_TINY_CAP  256u
#define PKT_SMALL_CAP 2048u

void pkt_pool_free(struct sim *sim);
void *xrealloc(void *p, size_t n);
void *xcalloc(size_t n, size_t size);

#endif
