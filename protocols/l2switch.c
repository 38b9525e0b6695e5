/* l2switch.c - the learning switch and the hub. */
#include "l2switch.h"
#include "eth_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mac_table_init(struct mac_table *t)
{
    memset(t, 0, sizeof *t);
    t->aging = SWITCH_AGING;
    t->storm_limit = SWITCH_STORM_LIMIT;
}

void mac_table_free(struct mac_table *t)
{
    free(t->e);
    free(t->index);
    memset(t, 0, sizeof *t);
}

static inline uint32_t mac_hash(const uint8_t *m)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 6; i++)
        h = (h ^ m[i]) * 16777619u;
    return h;
}

static struct mac_entry *mac_find(const struct mac_table *t, const uint8_t *mac)
{
    if (!t->index_cap) return NULL;
    uint32_t mask = t->index_cap - 1;
    for (uint32_t i = mac_hash(mac) & mask; t->index[i]; i = (i + 1) & mask) {
        struct mac_entry *e = &t->e[t->index[i] - 1];
        if (memcmp(e->mac, mac, 6) == 0) return e;
    }
    return NULL;
}

static void mac_index_put(struct mac_table *t, uint32_t k)
{
    uint32_t mask = t->index_cap - 1;
    uint32_t i = mac_hash(t->e[k].mac) & mask;
    while (t->index[i])
        i = (i + 1) & mask;
    t->index[i] = k + 1;
}

const struct mac_entry *mac_table_lookup(const struct netstack *st, const uint8_t *mac)
{
    const struct mac_entry *e = mac_find(&st->mac, mac);
    if (e && e->last_seen + st->mac.aging > sim_now(st->sim)) return e;
    return NULL;
}

/* Learns (or refreshes) src on port. Returns the previous port + 1 if the
 * address moved, 0 if new, UINT32_MAX if unchanged. */
static uint32_t mac_learn(struct netstack *st, const uint8_t *src, uint32_t port)
{
    struct mac_table *t = &st->mac;
    sim_time now = sim_now(st->sim);
    struct mac_entry *e = mac_find(t, src);
    if (e) {
        bool live = e->last_seen + t->aging > now;
        uint32_t old = e->port;
        e->port = port;
        e->last_seen = now;
        return live && old == port ? UINT32_MAX : (live ? old + 1 : 0);
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->e = realloc(t->e, t->cap * sizeof *t->e);
        if (!t->e) abort();
    }
    e = &t->e[t->n++];
    memcpy(e->mac, src, 6);
    e->port = port;
    e->last_seen = now;
    if (t->n * 2 > t->index_cap) {
        free(t->index);
        t->index_cap = t->index_cap ? t->index_cap * 2 : 32;
        t->index = calloc(t->index_cap, sizeof *t->index);
        if (!t->index) abort();
        for (uint32_t k = 0; k < t->n; k++)
            mac_index_put(t, k);
    } else {
        mac_index_put(t, t->n - 1);
    }
    return 0;
}

/* Storm control: true if this flood may go ahead. */
static bool storm_allow(struct netstack *st)
{
    struct mac_table *t = &st->mac;
    struct sim *sim = st->sim;
    sim_time now = sim_now(sim);
    if (now - t->window_start >= SIM_S) {
        t->window_start = now - (now - t->window_start) % SIM_S;
        t->window_floods = 0;
    }
    if (++t->window_floods <= t->storm_limit) return true;
    t->suppressed++;
    if (!t->storm_warned) {
        t->storm_warned = true;
        if (trace_on(sim, TRACE_WARN))
            trace_note(sim, TRACE_WARN, TK_WARN, st->node, NULL, 2, 0, "ETH",
                       "broadcast storm detected",
                       "%s has sent more than %llu frames within one second: there is "
                       "almost certainly a loop between switches. Without the Spanning Tree "
                       "Protocol a broadcast circles the loop forever and multiplies, so storm "
                       "control now drops floods beyond the limit each second.",
                       st->node->name, (unsigned long long)t->storm_limit);
    }
    return false;
}

static void flood(struct sim *sim, struct node *node, struct iface *in, struct pkt *p)
{
    struct pkt *last = NULL;
    struct iface *last_port = NULL;
    for (uint32_t i = 0; i < node->n_ifaces; i++) {
        struct iface *o = node->ifaces[i];
        if (o == in || !o->link) continue;
        if (last_port) link_transmit(sim, last_port, pkt_clone(sim, last));
        last = p;
        last_port = o;
    }
    if (last_port)
        link_transmit(sim, last_port, p);
    else
        pkt_free(sim, p);
}

void switch_input(struct node *node, struct iface *in, struct pkt *p)
{
    struct netstack *st = node->stack;
    struct sim *sim = node->sim;
    struct eth_hdr h;
    char a[18];
    if (eth_parse(pkt_data(p), p->len, &h) < 0) {
        DROP_STEP(sim, node, in, 2, TK_DROP, p, "ETH",
                  "runt frame (%u bytes)\nThe frame is too short to hold an Ethernet header, "
                  "so the switch discards it.",
                  p->len);
        pkt_free(sim, p);
        return;
    }
    if (!eth_is_multicast(h.src)) {
        uint32_t moved = mac_learn(st, h.src, in->index);
        if (moved != UINT32_MAX)
            STEP(sim, node, in, 2, TK_STATE, p, "ETH",
                 "learn %s on port %s\n%s\nThe switch records that %s can be reached through "
                 "port %s (the frame came in there); it will remember for %lld s.",
                 mac_str(h.src, a), in->name,
                 moved ? "The address moved from another port." : "A new MAC address.", a, in->name,
                 (long long)(st->mac.aging / SIM_S));
    }
    const struct mac_entry *e = NULL;
    bool bcast = eth_is_multicast(h.dst);
    if (!bcast) e = mac_table_lookup(st, h.dst);
    if (e) {
        struct iface *out = node->ifaces[e->port];
        if (out == in) {
            STEP(sim, node, in, 2, TK_DROP, p, "ETH",
                 "filter: Dst %s is on port %s\nThe destination lives on the same port the "
                 "frame came in on, so the switch does not send it back out.",
                 mac_str(h.dst, a), in->name);
            pkt_free(sim, p);
            return;
        }
        STEP(sim, node, out, 2, TK_FORWARD, p, "ETH",
             "forward to port %s\nThe MAC address table says %s is on port %s, so the switch "
             "sends the frame out of that port only.",
             out->name, mac_str(h.dst, a), out->name);
        link_transmit(sim, out, p);
        return;
    }
    if (!storm_allow(st)) {
        pkt_free(sim, p);
        return;
    }
    STEP(sim, node, in, 2, TK_FORWARD, p, "ETH",
         "flood: Dst %s\n%s, so the switch floods the frame out of every port except port "
         "%s, where it came in.",
         mac_str(h.dst, a),
         bcast ? "The destination MAC is broadcast"
               : "The destination MAC is not in the MAC address table yet",
         in->name);
    flood(sim, node, in, p);
}

void hub_input(struct node *node, struct iface *in, struct pkt *p)
{
    struct sim *sim = node->sim;
    if (!storm_allow(node->stack)) {
        pkt_free(sim, p);
        return;
    }
    STEP(sim, node, in, 1, TK_FORWARD, p, "ETH",
         "repeat out of every other port\nA hub works at the physical layer: it does not read "
         "addresses, it copies the bits it receives on port %s out of every other port.",
         in->name);
    flood(sim, node, in, p);
}
