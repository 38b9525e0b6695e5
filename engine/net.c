/* net.c - nodes, interfaces and full-duplex links.
 *
 * Transmission model per link direction: a frame handed to link_transmit()
 * starts leaving when the transmitter is free (busy_until), takes
 * (bytes + 24) * 8 / bandwidth to serialize - the 24 bytes are the preamble
 * and start delimiter (8), the FCS (4) and the inter-frame gap (12) a real
 * Ethernet spends per frame - and arrives `delay` after its last bit left.
 * Frames that must wait form a drop-tail queue of queue_limit frames.
 * Loss is decided when the frame leaves (so the capture on the sender still
 * shows it) and reported at the receiver when it would have arrived. */
#include "sim_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- nodes ---- */

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void index_insert(struct sim *sim, uint32_t slot)
{
    uint32_t mask = sim->node_index_cap - 1;
    uint32_t i = name_hash(sim->nodes[slot]->name) & mask;
    while (sim->node_index[i])
        i = (i + 1) & mask;
    sim->node_index[i] = slot + 1;
}

static void index_grow(struct sim *sim)
{
    free(sim->node_index);
    sim->node_index_cap = sim->node_index_cap ? sim->node_index_cap * 2 : 64;
    sim->node_index = xcalloc(sim->node_index_cap, sizeof *sim->node_index);
    for (uint32_t k = 0; k < sim->n_nodes; k++)
        index_insert(sim, k);
}

struct node *sim_find_node(const struct sim *sim, const char *name)
{
    if (!sim->node_index_cap) return NULL;
    uint32_t mask = sim->node_index_cap - 1;
    for (uint32_t i = name_hash(name) & mask; sim->node_index[i]; i = (i + 1) & mask) {
        struct node *n = sim->nodes[sim->node_index[i] - 1];
        if (strcmp(n->name, name) == 0) return n;
    }
    return NULL;
}

const char *node_kind_name(enum node_kind k)
{
    switch (k) {
    case NODE_HOST:
        return "host";
    case NODE_SERVER:
        return "server";
    case NODE_SWITCH:
        return "switch";
    case NODE_HUB:
        return "hub";
    case NODE_ROUTER:
        return "router";
    }
    return "node";
}

struct node *node_new(struct sim *sim, const char *name, enum node_kind kind)
{
    struct node *n = xcalloc(1, sizeof *n);
    snprintf(n->name, sizeof n->name, "%s", name);
    n->kind = kind;
    n->sim = sim;
    n->index = sim->n_nodes;
    rng_derive(&n->rng, sim->seed, n->name);
    if (sim->n_nodes == sim->cap_nodes) {
        sim->cap_nodes = sim->cap_nodes ? sim->cap_nodes * 2 : 16;
        sim->nodes = xrealloc(sim->nodes, sim->cap_nodes * sizeof *sim->nodes);
    }
    sim->nodes[sim->n_nodes++] = n;
    if (sim->n_nodes * 2 > sim->node_index_cap)
        index_grow(sim);
    else
        index_insert(sim, n->index);
    return n;
}

uint32_t sim_node_count(const struct sim *sim)
{
    return sim->n_nodes;
}
struct node *sim_node(const struct sim *sim, uint32_t i)
{
    return i < sim->n_nodes ? sim->nodes[i] : NULL;
}

/* ---- interfaces ---- */

struct iface *iface_new(struct node *node, const char *name, const uint8_t *mac)
{
    struct sim *sim = node->sim;
    struct iface *ifc = xcalloc(1, sizeof *ifc);
    snprintf(ifc->name, sizeof ifc->name, "%s", name);
    snprintf(ifc->label, sizeof ifc->label, "%s:%s", node->name, ifc->name);
    ifc->node = node;
    ifc->index = node->n_ifaces;
    ifc->id = sim->n_ifaces;
    ifc->up = true;
    if (mac) {
        memcpy(ifc->mac, mac, 6);
    } else {
        /* Locally administered and readable: 02:PP:00:NN:NN:II, with the
         * node's number in the scenario and the interface's number on it
         * (PP carries the high bits of switch port numbers). */
        uint32_t nn = node->index + 1, ii = ifc->index + 1;
        uint8_t m[6] = {0x02,        (uint8_t)(ii >> 8), 0x00, (uint8_t)(nn >> 8),
                        (uint8_t)nn, (uint8_t)ii};
        memcpy(ifc->mac, m, 6);
    }
    node->ifaces = xrealloc(node->ifaces, (node->n_ifaces + 1) * sizeof *node->ifaces);
    node->ifaces[node->n_ifaces++] = ifc;
    if (sim->n_ifaces == sim->cap_ifaces) {
        sim->cap_ifaces = sim->cap_ifaces ? sim->cap_ifaces * 2 : 16;
        sim->ifaces = xrealloc(sim->ifaces, sim->cap_ifaces * sizeof *sim->ifaces);
    }
    sim->ifaces[sim->n_ifaces++] = ifc;
    return ifc;
}

struct iface *node_find_iface(const struct node *node, const char *name)
{
    for (uint32_t i = 0; i < node->n_ifaces; i++)
        if (strcmp(node->ifaces[i]->name, name) == 0) return node->ifaces[i];
    return NULL;
}

uint32_t sim_iface_count(const struct sim *sim)
{
    return sim->n_ifaces;
}
struct iface *sim_iface(const struct sim *sim, uint32_t id)
{
    return id < sim->n_ifaces ? sim->ifaces[id] : NULL;
}

int iface_add_addr(struct iface *ifc, uint32_t addr, uint8_t plen)
{
    if (ifc->n_addr >= IFACE_MAX_ADDR || plen > 32) return -1;
    ifc->addr[ifc->n_addr] = addr;
    ifc->plen[ifc->n_addr] = plen;
    ifc->n_addr++;
    return 0;
}

uint32_t iface_mtu(const struct iface *ifc)
{
    return ifc->link ? ifc->link->p.mtu : 1500;
}

/* ---- links ---- */

void link_params_default(struct link_params *lp)
{
    lp->bandwidth_bps = 100000000ull;
    lp->delay = 10 * SIM_US;
    lp->loss = 0;
    lp->mtu = 1500;
    lp->queue_limit = 1000;
}

struct link *link_connect(struct sim *sim, struct iface *a, struct iface *b,
                          const struct link_params *lp)
{
    if (a->link || b->link || a == b) return NULL;
    struct link *l = xcalloc(1, sizeof *l);
    if (lp)
        l->p = *lp;
    else
        link_params_default(&l->p);
    if (l->p.bandwidth_bps == 0) l->p.bandwidth_bps = 1;
    if (l->p.queue_limit == 0) l->p.queue_limit = 1;
    l->up = true;
    l->index = sim->n_links;
    l->dir[0].from = a;
    l->dir[0].to = b;
    l->dir[1].from = b;
    l->dir[1].to = a;
    a->link = l;
    a->side = 0;
    b->link = l;
    b->side = 1;
    char name[2 * sizeof a->label + 2];
    snprintf(name, sizeof name, "%s-%s", a->label, b->label);
    rng_derive(&l->rng, sim->seed, name);
    if (sim->n_links == sim->cap_links) {
        sim->cap_links = sim->cap_links ? sim->cap_links * 2 : 16;
        sim->links = xrealloc(sim->links, sim->cap_links * sizeof *sim->links);
    }
    sim->links[sim->n_links++] = l;
    return l;
}

uint32_t sim_link_count(const struct sim *sim)
{
    return sim->n_links;
}
struct link *sim_link(const struct sim *sim, uint32_t i)
{
    return i < sim->n_links ? sim->links[i] : NULL;
}

const char *link_drop_why(enum link_drop d)
{
    switch (d) {
    case LINK_DROP_LOSS:
        return "The cable is lossy: this frame was corrupted on the way and the receiver's "
               "network card discarded it (bad FCS).";
    case LINK_DROP_QUEUE_FULL:
        return "The interface's transmit queue is full (drop-tail): frames arrive faster "
               "than the link can send them, so the newest one is dropped.";
    case LINK_DROP_DOWN:
        return "The link is down, so nothing can cross it.";
    case LINK_DROP_UNPLUGGED:
        return "No cable is plugged into this interface, so the frame goes nowhere.";
    }
    return "";
}

static const char *link_drop_summary(enum link_drop d)
{
    switch (d) {
    case LINK_DROP_LOSS:
        return "frame lost on the wire";
    case LINK_DROP_QUEUE_FULL:
        return "transmit queue full";
    case LINK_DROP_DOWN:
        return "link down";
    case LINK_DROP_UNPLUGGED:
        return "interface not connected";
    }
    return "";
}

void link_set_up(struct sim *sim, struct link *l, bool up)
{
    l->up = up;
    if (trace_on(sim, TRACE_OUTPUT))
        trace_note(sim, TRACE_OUTPUT, TK_STATE, l->dir[0].from->node, l->dir[0].from, 1, 0, "",
                   up ? "link up" : "link down", "The cable between %s and %s is now %s.",
                   l->dir[0].from->label, l->dir[0].to->label, up ? "up" : "down");
}

static void link_drop(struct sim *sim, struct iface *at, struct pkt *p, enum link_drop why)
{
    at->cnt.drops++;
    if (trace_on(sim, TRACE_FRAMES | TRACE_LAYERS)) {
        struct trace_step st = {
            .node = at->node,
            .iface = at,
            .layer = 1,
            .kind = TK_DROP,
            .level = TRACE_FRAMES,
            .pkt_id = p->id,
            .proto = "",
            .summary = link_drop_summary(why),
            .why = link_drop_why(why),
            .frame = pkt_data(p),
            .frame_len = p->len,
        };
        trace_emit(sim, &st);
    }
    pkt_free(sim, p);
}

#define LOST_TAG 1u

static void link_arrive(struct sim *sim, void *ctx, uint64_t arg)
{
    struct link_dir *d = ctx;
    struct pkt *p = (struct pkt *)(uintptr_t)(arg & ~(uint64_t)LOST_TAG);
    struct iface *to = d->to;
    if (arg & LOST_TAG) {
        link_drop(sim, to, p, LINK_DROP_LOSS);
        return;
    }
    if (!to->link->up || !to->up) {
        link_drop(sim, to, p, LINK_DROP_DOWN);
        return;
    }
    to->cnt.rx_frames++;
    to->cnt.rx_bytes += p->len;
    if (trace_on(sim, TRACE_FRAMES)) {
        struct trace_step st = {
            .node = to->node,
            .iface = to,
            .peer = d->from,
            .layer = 1,
            .kind = TK_RECEIVE,
            .level = TRACE_FRAMES,
            .pkt_id = p->id,
            .proto = "",
            .summary = "",
            .why = "",
            .frame = pkt_data(p),
            .frame_len = p->len,
        };
        char why[160];
        if (trace_on(sim, TRACE_LAYERS)) {
            snprintf(why, sizeof why,
                     "The last bit of the %u-byte frame arrives at %s; its network card "
                     "hands the frame up to the data link layer.",
                     p->len, to->label);
            st.why = why;
        }
        trace_emit(sim, &st);
    }
    p->in_iface = to;
    p->l2 = p->head;
    to->node->input(to->node, to, p);
}

static void ring_push(struct link_dir *d, uint32_t limit, sim_time start, uint32_t *cap)
{
    if (d->q_count == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 8;
        if (ncap > limit) ncap = limit;
        sim_time *ns = xrealloc(NULL, ncap * sizeof *ns);
        for (uint32_t i = 0; i < d->q_count; i++)
            ns[i] = d->starts[(d->q_head + i) % *cap];
        free(d->starts);
        d->starts = ns;
        d->q_head = 0;
        *cap = ncap;
    }
    d->starts[(d->q_head + d->q_count) % *cap] = start;
    d->q_count++;
}

void link_transmit(struct sim *sim, struct iface *out, struct pkt *p)
{
    struct link *l = out->link;
    if (!l) {
        link_drop(sim, out, p, LINK_DROP_UNPLUGGED);
        return;
    }
    if (!l->up || !out->up) {
        link_drop(sim, out, p, LINK_DROP_DOWN);
        return;
    }
    struct link_dir *d = &l->dir[out->side];
    sim_time now = sim->now;
    uint32_t *cap = &d->q_cap;
    while (d->q_count && d->starts[d->q_head] <= now) {
        d->q_head = (d->q_head + 1) % *cap;
        d->q_count--;
    }
    sim_time start = d->busy_until > now ? d->busy_until : now;
    if (start > now) {
        if (d->q_count >= l->p.queue_limit) {
            d->drops++;
            link_drop(sim, out, p, LINK_DROP_QUEUE_FULL);
            return;
        }
        ring_push(d, l->p.queue_limit, start, cap);
    }
    uint64_t bits = (uint64_t)(p->len + 24) * 8;
    sim_time ser = (sim_time)((bits * 1000000000ull + l->p.bandwidth_bps - 1) / l->p.bandwidth_bps);
    d->busy_until = start + ser;
    sim_time arrive = d->busy_until + l->p.delay;
    out->cnt.tx_frames++;
    out->cnt.tx_bytes += p->len;
    if (trace_on(sim, TRACE_FRAMES)) {
        struct trace_step st = {
            .wire_time = start,
            .arrive_time = arrive,
            .node = out->node,
            .iface = out,
            .peer = d->to,
            .layer = 1,
            .kind = TK_TRANSMIT,
            .level = TRACE_FRAMES,
            .pkt_id = p->id,
            .proto = "",
            .summary = "",
            .why = "",
            .frame = pkt_data(p),
            .frame_len = p->len,
        };
        char why[256];
        if (trace_on(sim, TRACE_LAYERS)) {
            snprintf(why, sizeof why,
                     "%s puts the %u-byte frame on the cable as bits%s: %.2f us to serialize "
                     "at %.0f Mbit/s, then %.2f us to propagate to %s.",
                     out->label, p->len, start > now ? " after waiting in the queue" : "",
                     (double)ser / 1e3, (double)l->p.bandwidth_bps / 1e6, (double)l->p.delay / 1e3,
                     d->to->label);
            st.why = why;
        }
        trace_emit(sim, &st);
    }
    uint64_t arg = (uint64_t)(uintptr_t)p;
    if (l->p.loss > 0 && rng_double(&l->rng) < l->p.loss) arg |= LOST_TAG;
    sim_schedule_at(sim, arrive, link_arrive, d, arg);
}
