/* arp.c - ARP (RFC 826) for hosts and routers: the neighbour cache, the
 * packet reception algorithm, resolution with a queue of waiting packets,
 * retries, and gratuitous announcements. */
#include "arp.h"
#include "arp_wire.h"
#include "eth.h"
#include "eth_wire.h"
#include "icmp.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define ARP_RETRY_INTERVAL SIM_S
#define ARP_MAX_TRIES      3

void arp_init(struct arp_cache *c)
{
    memset(c, 0, sizeof *c);
    c->timeout = 60 * SIM_S;
}

void arp_free(struct arp_cache *c, struct sim *sim)
{
    (void)sim; /* waiting packets are reclaimed by the sim's packet pool */
    for (uint32_t i = 0; i < c->n; i++)
        free(c->e[i]);
    free(c->e);
    free(c->index);
    memset(c, 0, sizeof *c);
}

static inline uint32_t ip_hash(uint32_t ip)
{
    return (ip * 2654435761u) ^ (ip >> 16);
}

static struct arp_entry *arp_find(const struct arp_cache *c, uint32_t ip)
{
    if (!c->index_cap) return NULL;
    uint32_t mask = c->index_cap - 1;
    for (uint32_t i = ip_hash(ip) & mask; c->index[i]; i = (i + 1) & mask) {
        struct arp_entry *e = c->e[c->index[i] - 1];
        if (e->ip == ip) return e;
    }
    return NULL;
}

static void arp_index_put(struct arp_cache *c, uint32_t k)
{
    uint32_t mask = c->index_cap - 1;
    uint32_t i = ip_hash(c->e[k]->ip) & mask;
    while (c->index[i])
        i = (i + 1) & mask;
    c->index[i] = k + 1;
}

static struct arp_entry *arp_create(struct netstack *st, uint32_t ip, struct iface *ifc)
{
    struct arp_cache *c = &st->arp;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->e = realloc(c->e, c->cap * sizeof *c->e);
        if (!c->e) abort();
    }
    struct arp_entry *e = calloc(1, sizeof *e);
    if (!e) abort();
    e->ip = ip;
    e->ifc = ifc;
    e->st = st;
    c->e[c->n++] = e;
    if (c->n * 2 > c->index_cap) {
        free(c->index);
        c->index_cap = c->index_cap ? c->index_cap * 2 : 16;
        c->index = calloc(c->index_cap, sizeof *c->index);
        if (!c->index) abort();
        for (uint32_t k = 0; k < c->n; k++)
            arp_index_put(c, k);
    } else {
        arp_index_put(c, c->n - 1);
    }
    return e;
}

const struct arp_entry *arp_lookup(const struct netstack *st, uint32_t ip)
{
    const struct arp_entry *e = arp_find(&st->arp, ip);
    if (e && e->state == ARP_REACHABLE && e->expires > sim_now(st->sim)) return e;
    return NULL;
}

/* Free entries (failed resolutions) stay in the table for reuse; arp.h
 * promises they are skipped here. O(n) per call, fine for a cache of
 * teaching size. */
uint32_t arp_count(const struct netstack *st)
{
    uint32_t n = 0;
    for (uint32_t k = 0; k < st->arp.n; k++)
        n += st->arp.e[k]->state != ARP_FREE;
    return n;
}
const struct arp_entry *arp_entry_at(const struct netstack *st, uint32_t i)
{
    for (uint32_t k = 0; k < st->arp.n; k++)
        if (st->arp.e[k]->state != ARP_FREE && i-- == 0) return st->arp.e[k];
    return NULL;
}

static void arp_send(struct netstack *st, struct iface *ifc, uint16_t op, const uint8_t *tha,
                     uint32_t spa, uint32_t tpa, const uint8_t *eth_dst, const char *summary,
                     const char *why)
{
    struct sim *sim = st->sim;
    struct arp_msg m = {.op = op, .spa = spa, .tpa = tpa};
    memcpy(m.sha, ifc->mac, 6);
    memcpy(m.tha, tha, 6);
    struct pkt *p = pkt_new(sim, PKT_HEADROOM, ARP_LEN);
    arp_emit(&m, pkt_data(p));
    p->l3 = p->head;
    STEP(sim, st->node, ifc, 3, TK_ENCAP, p, "ARP", "%s\n%s", summary, why);
    eth_output(st, ifc, eth_dst, ETH_TYPE_ARP, p);
}

static void arp_request(struct netstack *st, struct arp_entry *e)
{
    static const uint8_t zero[6];
    char a[16], b[16], sum[64], why[320] = "";
    ip4_str(e->ip, a);
    ip4_str(iface_addr(e->ifc), b);
    snprintf(sum, sizeof sum, "Who has %s? Tell %s", a, b);
    if (trace_on(st->sim, TRACE_LAYERS))
        snprintf(why, sizeof why,
                 "%s must send to %s but does not know its MAC address, so it broadcasts an ARP "
                 "request (try %u of %u) that every host on the link will see; packets for %s "
                 "wait until the answer comes.",
                 st->node->name, a, e->tries, ARP_MAX_TRIES, a);
    arp_send(st, e->ifc, ARP_OP_REQUEST, zero, iface_addr(e->ifc), e->ip, ETH_BROADCAST, sum, why);
}

static void arp_flush(struct netstack *st, struct arp_entry *e)
{
    struct pkt *p = e->pend_head;
    e->pend_head = e->pend_tail = NULL;
    e->n_pend = 0;
    while (p) {
        struct pkt *nx = p->next;
        p->next = NULL;
        eth_output(st, e->ifc, e->mac, ETH_TYPE_IPV4, p);
        p = nx;
    }
}

static void arp_retry(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct arp_entry *e = ctx;
    struct netstack *st = e->st;
    e->retry = (struct sim_timer){0, 0};
    if (e->state != ARP_INCOMPLETE) return;
    if (e->tries < ARP_MAX_TRIES) {
        e->tries++;
        arp_request(st, e);
        e->retry = sim_schedule(sim, ARP_RETRY_INTERVAL, arp_retry, e, 0);
        return;
    }
    /* RFC 1122 2.3.2.1: give up, and tell the senders of the waiting
     * packets (ICMP host unreachable; for our own packets that is us). */
    char a[16];
    ip4_str(e->ip, a);
    e->state = ARP_FREE;
    struct pkt *p = e->pend_head;
    e->pend_head = e->pend_tail = NULL;
    e->n_pend = 0;
    while (p) {
        struct pkt *nx = p->next;
        p->next = NULL;
        DROP_STEP(sim, st->node, e->ifc, 3, TK_DROP, p, "ARP",
                  "no ARP reply from %s\nNobody answered %u ARP requests for %s, so the "
                  "packet waiting for it is dropped and its sender is told: ICMP destination "
                  "host unreachable.",
                  a, ARP_MAX_TRIES, a);
        icmp_send_error(st, p, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
        pkt_free(sim, p);
        p = nx;
    }
}

void arp_output(struct netstack *st, struct iface *ifc, uint32_t next_hop, struct pkt *p)
{
    struct sim *sim = st->sim;
    struct arp_entry *e = arp_find(&st->arp, next_hop);
    if (e && e->state == ARP_REACHABLE && e->expires > sim_now(sim) && e->ifc == ifc) {
        eth_output(st, ifc, e->mac, ETH_TYPE_IPV4, p);
        return;
    }
    if (!e) e = arp_create(st, next_hop, ifc);
    if (e->state != ARP_INCOMPLETE) {
        e->state = ARP_INCOMPLETE;
        e->ifc = ifc;
        e->tries = 0;
    }
    if (e->n_pend >= ARP_PENDING_MAX) {
        struct pkt *old = e->pend_head;
        e->pend_head = old->next;
        e->n_pend--;
        DROP_STEP(sim, st->node, ifc, 3, TK_DROP, old, "ARP",
                  "ARP queue full\nMore than %d packets are waiting for the same ARP answer, so "
                  "the oldest is dropped.",
                  ARP_PENDING_MAX);
        pkt_free(sim, old);
    }
    p->next = NULL;
    if (e->pend_tail && e->n_pend)
        e->pend_tail->next = p;
    else
        e->pend_head = p;
    e->pend_tail = p;
    e->n_pend++;
    if (!sim_timer_pending(sim, e->retry)) {
        e->tries = 1;
        arp_request(st, e);
        e->retry = sim_schedule(sim, ARP_RETRY_INTERVAL, arp_retry, e, 0);
    }
}

void arp_announce(struct netstack *st, struct iface *ifc, uint32_t addr)
{
    static const uint8_t zero[6];
    char a[16], sum[64], why[256] = "";
    ip4_str(addr, a);
    snprintf(sum, sizeof sum, "Gratuitous ARP for %s (Request)", a);
    if (trace_on(st->sim, TRACE_LAYERS))
        snprintf(why, sizeof why,
                 "%s announces that %s is at %s: a request for its own address, so that every "
                 "neighbour updates its ARP cache (and anyone else using %s would notice).",
                 st->node->name, a, ifc->label, a);
    arp_send(st, ifc, ARP_OP_REQUEST, zero, addr, addr, ETH_BROADCAST, sum, why);
}

int arp_probe(struct netstack *st, struct iface *ifc, uint32_t addr, arp_conflict_fn fn, void *ctx)
{
    struct arp_cache *c = &st->arp;
    if (c->n_watch == ARP_WATCH_MAX) return -1;
    c->watch[c->n_watch++] = (struct arp_watch){ifc, addr, fn, ctx};
    static const uint8_t zero[6];
    char a[16], sum[64], why[320] = "";
    ip4_str(addr, a);
    snprintf(sum, sizeof sum, "Who has %s? (ARP Probe)", a);
    if (trace_on(st->sim, TRACE_LAYERS))
        snprintf(why, sizeof why,
                 "Before using %s, %s asks whether anyone already has it (RFC 5227): a request "
                 "from 0.0.0.0, so that no neighbour's cache learns an address that may not "
                 "be %s's to take. An answer means the address is in use.",
                 a, st->node->name, st->node->name);
    arp_send(st, ifc, ARP_OP_REQUEST, zero, 0, addr, ETH_BROADCAST, sum, why);
    return 0;
}

void arp_probe_stop(struct netstack *st, struct iface *ifc, uint32_t addr)
{
    struct arp_cache *c = &st->arp;
    for (int i = 0; i < c->n_watch; i++)
        if (c->watch[i].ifc == ifc && c->watch[i].addr == addr) {
            memmove(&c->watch[i], &c->watch[i + 1],
                    (size_t)(c->n_watch - i - 1) * sizeof c->watch[0]);
            c->n_watch--;
            return;
        }
}

/* RFC 5227 2.1.1: during a probe, an ARP message whose sender is the
 * address, or another probe for it, means someone else has or wants it. */
static void arp_check_watch(struct netstack *st, struct iface *in, const struct arp_msg *m,
                            const struct pkt *p)
{
    struct arp_cache *c = &st->arp;
    for (int i = 0; i < c->n_watch; i++) {
        struct arp_watch w = c->watch[i];
        if (w.ifc != in || memcmp(m->sha, in->mac, 6) == 0) continue;
        if (m->spa != w.addr && !(m->spa == 0 && m->tpa == w.addr && m->op == ARP_OP_REQUEST))
            continue;
        arp_probe_stop(st, in, w.addr);
        char a[16], mac[18];
        STEP(st->sim, st->node, in, 3, TK_STATE, p, "ARP",
             "address conflict: %s is in use by %s\n%s checked %s before taking it, and %s "
             "%s, so the address must not be used here.",
             ip4_str(w.addr, a), mac_str(m->sha, mac), st->node->name, a, mac,
             m->spa == w.addr ? "answered for it" : "is probing for it too");
        w.fn(w.ctx, in, w.addr, m->sha);
        return;
    }
}

static bool iface_has_addr(const struct iface *ifc, uint32_t a)
{
    for (int k = 0; k < ifc->n_addr; k++)
        if (ifc->addr[k] == a) return true;
    return false;
}

void arp_input(struct netstack *st, struct iface *in, struct pkt *p)
{
    struct sim *sim = st->sim;
    struct arp_msg m;
    char a[16], b[16], c[18];
    int rc = arp_parse(pkt_data(p), p->len, &m);
    if (rc < 0) {
        DROP_STEP(sim, st->node, in, 3, TK_DROP, p, "ARP", "malformed ARP\n%s, so ARP discards it.",
                  rc == -1 ? "The message is shorter than the 28 bytes of an IPv4-over-Ethernet "
                             "ARP message"
                           : "The message is not ARP for IPv4 over Ethernet");
        pkt_free(sim, p);
        return;
    }
    if (st->arp.n_watch) arp_check_watch(st, in, &m, p);
    ip4_str(m.spa, a);
    ip4_str(m.tpa, b);
    mac_str(m.sha, c);
    /* RFC 826 "Packet Reception": if the sender is already in the table,
     * update its hardware address (merge_flag), then check whether we are
     * the target; only then add a new entry. */
    struct arp_entry *e = arp_find(&st->arp, m.spa);
    bool merge = false;
    if (e && e->state != ARP_FREE && m.spa) {
        memcpy(e->mac, m.sha, 6);
        e->state = ARP_REACHABLE;
        e->expires = sim_now(sim) + st->arp.timeout;
        e->ifc = in;
        merge = true;
    }
    bool for_me = iface_has_addr(in, m.tpa);
    if (!for_me) {
        STEP(sim, st->node, in, 3, TK_DROP, p, "ARP",
             "%s: not for me\nThe ARP message asks about %s, which is not an address of %s, "
             "so it is ignored%s.",
             m.op == ARP_OP_REQUEST ? "Who has" : "ARP reply", b, in->label,
             merge ? " (but the cache entry for the sender was refreshed)" : "");
        /* The merge may have answered a resolution in progress (say, a
         * gratuitous ARP from the very neighbour being asked for): what
         * waits for it can go now, or it would wait forever. */
        if (merge && e->n_pend) {
            sim_cancel(sim, &e->retry);
            arp_flush(st, e);
        }
        pkt_free(sim, p);
        return;
    }
    if (!merge && m.spa) {
        if (!e) e = arp_create(st, m.spa, in);
        memcpy(e->mac, m.sha, 6);
        e->state = ARP_REACHABLE;
        e->expires = sim_now(sim) + st->arp.timeout;
        e->ifc = in;
    }
    if (m.op == ARP_OP_REQUEST && !m.spa)
        STEP(sim, st->node, in, 3, TK_DELIVER, p, "ARP",
             "Who has %s? (ARP Probe)\nA host about to take %s asks from 0.0.0.0 whether "
             "anyone has it; it is an address of %s, so %s answers, and the other host will "
             "know not to use it.",
             b, b, in->label, st->node->name);
    else if (m.op == ARP_OP_REQUEST)
        STEP(sim, st->node, in, 3, TK_DELIVER, p, "ARP",
             "Who has %s? Tell %s\nThe request asks for %s, an address of %s. On the way %s "
             "learns that %s is at %s and keeps it in its ARP cache for %lld s.",
             b, a, b, in->label, st->node->name, a, c, (long long)(st->arp.timeout / SIM_S));
    else
        STEP(sim, st->node, in, 3, TK_DELIVER, p, "ARP",
             "%s is at %s\nThe answer %s was waiting for: it stores %s -> %s in its ARP "
             "cache for %lld s and sends the packets that were waiting.",
             a, c, st->node->name, a, c, (long long)(st->arp.timeout / SIM_S));
    if (e && e->retry.gen) sim_cancel(sim, &e->retry);
    if (e && e->n_pend) arp_flush(st, e);
    if (m.op == ARP_OP_REQUEST) {
        char sum[64], why[256] = "";
        snprintf(sum, sizeof sum, "%s is at %s", b, mac_str(in->mac, c));
        if (trace_on(sim, TRACE_LAYERS))
            snprintf(why, sizeof why,
                     "%s is the address asked for, so %s answers with its MAC address in a "
                     "reply sent straight (unicast) to the asker, %s.",
                     b, st->node->name, a);
        arp_send(st, in, ARP_OP_REPLY, m.sha, m.tpa, m.spa, m.sha, sum, why);
    }
    pkt_free(sim, p);
}
