/* fixture.h - helpers the behaviour tests share (not a test itself): a trace
 * sink that records every step with a copy of its frame, fake nodes whose
 * input only counts frames (as lwIP's unit tests drive a module through a
 * fake interface), a sim built from JSON scenario text, and two small
 * networks built from those: h1 - r1 - h2 and a host facing a fake
 * neighbour that sends raw frames. */
#ifndef NETSTEP_TEST_FIXTURE_H
#define NETSTEP_TEST_FIXTURE_H

#include "engine/trace.h"
#include "protocols/eth_wire.h"
#include "protocols/icmp.h"
#include "protocols/stack.h"
#include "protocols/ip4_wire.h"
#include "scenarios/build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IP(a, b, c, d)                                                                             \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* ---- recording the trace bus ---- */

struct fx_step {
    enum trace_kind kind;
    unsigned level;
    uint8_t layer;
    uint64_t seq, pkt_id;
    sim_time time, wire_time, arrive_time;
    char where[64]; /* "node:iface", or the node name for steps without one */
    char node[32];
    char peer[64];
    char proto[16];
    char summary[200];
    char why[1024];
    uint8_t *frame; /* a copy, or NULL */
    uint32_t len;
};

struct fx_log {
    struct fx_step *s;
    size_t n, cap;
};

static inline void fx_log_sink(void *ctx, const struct trace_step *st)
{
    struct fx_log *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->s = realloc(l->s, l->cap * sizeof *l->s);
        if (!l->s) abort();
    }
    struct fx_step *s = &l->s[l->n++];
    memset(s, 0, sizeof *s);
    s->kind = st->kind;
    s->level = st->level;
    s->layer = st->layer;
    s->seq = st->seq;
    s->pkt_id = st->pkt_id;
    s->time = st->time;
    s->wire_time = st->wire_time;
    s->arrive_time = st->arrive_time;
    if (st->iface)
        snprintf(s->where, sizeof s->where, "%s", st->iface->label);
    else if (st->node)
        snprintf(s->where, sizeof s->where, "%s", st->node->name);
    if (st->node) snprintf(s->node, sizeof s->node, "%s", st->node->name);
    if (st->peer) snprintf(s->peer, sizeof s->peer, "%s", st->peer->label);
    snprintf(s->proto, sizeof s->proto, "%s", st->proto);
    snprintf(s->summary, sizeof s->summary, "%s", st->summary);
    snprintf(s->why, sizeof s->why, "%s", st->why);
    if (st->frame && st->frame_len) {
        s->frame = malloc(st->frame_len);
        if (!s->frame) abort();
        memcpy(s->frame, st->frame, st->frame_len);
        s->len = st->frame_len;
    }
}

static inline void fx_log_clear(struct fx_log *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->s[i].frame);
    l->n = 0;
}

static inline void fx_log_free(struct fx_log *l)
{
    fx_log_clear(l);
    free(l->s);
    l->s = NULL;
    l->cap = 0;
}

/* Steps of `kind` at `where` (an interface label or node name; NULL = any)
 * whose summary contains `text` (NULL = any). */
static inline size_t fx_count(const struct fx_log *l, enum trace_kind kind, const char *where,
                              const char *text)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct fx_step *s = &l->s[i];
        if (s->kind != kind) continue;
        if (where && strcmp(s->where, where) != 0 && strcmp(s->node, where) != 0) continue;
        if (text && !strstr(s->summary, text)) continue;
        n++;
    }
    return n;
}

/* The k-th (from 0) step of `kind` at `where`, or NULL. */
static inline const struct fx_step *fx_nth(const struct fx_log *l, enum trace_kind kind,
                                           const char *where, size_t k)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct fx_step *s = &l->s[i];
        if (s->kind != kind) continue;
        if (where && strcmp(s->where, where) != 0 && strcmp(s->node, where) != 0) continue;
        if (k-- == 0) return s;
    }
    return NULL;
}

/* ---- frames on the wire ---- */

/* The EtherType of a recorded frame, or 0. */
static inline uint16_t fx_ethertype(const struct fx_step *s)
{
    return s && s->frame && s->len >= ETH_HDR_LEN ? get_be16(s->frame + 12) : 0;
}

/* The IPv4 header inside a recorded Ethernet frame; returns the IPv4
 * start, or NULL when the frame does not carry IPv4. */
static inline const uint8_t *fx_ip(const struct fx_step *s)
{
    if (fx_ethertype(s) != ETH_TYPE_IPV4 || s->len < ETH_HDR_LEN + IP4_HDR_LEN) return NULL;
    return s->frame + ETH_HDR_LEN;
}

/* The ICMP message inside a recorded frame (type at [0]), or NULL. */
static inline const uint8_t *fx_icmp(const struct fx_step *s)
{
    const uint8_t *ip = fx_ip(s);
    if (!ip || ip[9] != IP4_PROTO_ICMP) return NULL;
    if (get_be16(ip + 6) & IP4_FRAG_MASK) return NULL; /* not the first fragment */
    size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
    if (s->len < ETH_HDR_LEN + ihl + 8) return NULL;
    return ip + ihl;
}

/* ---- fake nodes: count what arrives, free it ---- */

struct fx_counter {
    uint64_t frames, bytes;
    sim_time last_time;
    uint64_t last_id;
    struct iface *last_in;
    uint8_t last[2048];
    uint32_t last_len;
    sim_time times[64]; /* arrival times of the first 64 frames */
    uint32_t lens[64];
};

static inline void fx_count_input(struct node *node, struct iface *in, struct pkt *p)
{
    struct fx_counter *c = node->stack;
    if (c->frames < 64) {
        c->times[c->frames] = sim_now(node->sim);
        c->lens[c->frames] = p->len;
    }
    c->frames++;
    c->bytes += p->len;
    c->last_time = sim_now(node->sim);
    c->last_id = p->id;
    c->last_in = in;
    c->last_len = p->len < sizeof c->last ? p->len : (uint32_t)sizeof c->last;
    memcpy(c->last, pkt_data(p), c->last_len);
    pkt_free(node->sim, p);
}

/* A node of `kind` with one interface `ifname`; arrivals are counted in c
 * (the node's stack pointer, which the sim does not free). */
static inline struct node *fx_fake(struct sim *sim, const char *name, const char *ifname,
                                   struct fx_counter *c)
{
    struct node *n = node_new(sim, name, NODE_HOST);
    iface_new(n, ifname, NULL);
    memset(c, 0, sizeof *c);
    n->stack = c;
    n->input = fx_count_input;
    return n;
}

/* A frame: Ethernet header + `payload_len` bytes of `fill`, at least 60. */
static inline struct pkt *fx_frame(struct sim *sim, const uint8_t *dst, const uint8_t *src,
                                   uint16_t type, uint32_t payload_len, uint8_t fill)
{
    uint32_t len = ETH_HDR_LEN + payload_len;
    if (len < ETH_MIN_FRAME) len = ETH_MIN_FRAME;
    struct pkt *p = pkt_new(sim, PKT_HEADROOM, len);
    struct eth_hdr h;
    memcpy(h.dst, dst, 6);
    memcpy(h.src, src, 6);
    h.type = type;
    eth_emit(&h, pkt_data(p));
    memset(pkt_data(p) + ETH_HDR_LEN, fill, payload_len);
    return p;
}

/* ---- an app subscribed to ICMP (what ping would see) ---- */

#define FX_APP_MAX 256
struct fx_app {
    int n;
    uint8_t type[FX_APP_MAX], code[FX_APP_MAX], ttl[FX_APP_MAX];
    int seq[FX_APP_MAX]; /* echo reply: its seq; error: the quoted request's seq */
    uint32_t src[FX_APP_MAX], rest[FX_APP_MAX];
    sim_time t[FX_APP_MAX];
    size_t len[FX_APP_MAX];
    uint8_t last[2048]; /* the last message */
};

static inline void fx_app_fn(void *ctx, struct netstack *st, const struct pkt *p, uint32_t src,
                             uint8_t ttl, const uint8_t *icmp, size_t len)
{
    (void)p;
    struct fx_app *a = ctx;
    memcpy(a->last, icmp, len < sizeof a->last ? len : sizeof a->last);
    if (a->n == FX_APP_MAX) return;
    int i = a->n++;
    a->type[i] = icmp[0];
    a->code[i] = icmp[1];
    a->ttl[i] = ttl;
    a->src[i] = src;
    a->rest[i] = get_be32(icmp + 4);
    a->t[i] = sim_now(st->sim);
    a->len[i] = len;
    a->seq[i] = -1;
    if (icmp[0] == 0) {
        a->seq[i] = get_be16(icmp + 6);
    } else if (len >= 8 + 28) {
        size_t ihl = (size_t)(icmp[8] & 0x0f) * 4;
        if (len >= 8 + ihl + 8) a->seq[i] = get_be16(icmp + 8 + ihl + 6);
    }
}

/* ---- a sim from scenario JSON ---- */

static inline struct sim *fx_build(const char *json, uint64_t seed)
{
    struct model_error err = {{0}};
    struct model *m = model_load_json_text("t.json", json, strlen(json), &err);
    if (!m) {
        fprintf(stderr, "fixture: %s\n", err.text);
        return NULL;
    }
    struct sim *sim = scenario_build(m, seed, &err);
    if (!sim) fprintf(stderr, "fixture: %s\n", err.text);
    model_free(m);
    return sim;
}

static inline struct iface *fx_iface(struct sim *sim, const char *node, const char *ifname)
{
    struct node *n = sim_find_node(sim, node);
    return n ? node_find_iface(n, ifname) : NULL;
}

/* ---- h1 - r1 - h2: two subnets and a router, from scenario JSON ---- */

struct fx_net3 {
    struct sim *sim;
    struct netstack *h1, *r1, *h2;
    struct fx_log log; /* every step, from the start */
    struct fx_app app; /* h1's ICMP, when app_id >= 0 */
};

/* h1 10.1.0.10/24 - r1 10.1.0.1/24 | 10.2.0.1/24 - h2 10.2.0.20/24, hosts
 * with r1 as gateway. mtu1 is the MTU of the h1 - r1 link, mtu2 of the
 * r1 - h2 link (0: no "mtu" key, the default). With app_id >= 0, t->app
 * is subscribed on h1 to ICMP with that echo identifier. */
static inline bool fx_net3_init(struct fx_net3 *t, unsigned mtu1, unsigned mtu2, int app_id)
{
    char m1[32] = "", m2[32] = "", json[2048];
    if (mtu1) snprintf(m1, sizeof m1, ", \"mtu\": %u", mtu1);
    if (mtu2) snprintf(m2, sizeof m2, ", \"mtu\": %u", mtu2);
    snprintf(json, sizeof json,
             "{\"netstep\": 1, \"nodes\": [\n"
             " {\"name\": \"h1\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", "
             "\"ip\": \"10.1.0.10/24\"}], \"gateway\": \"10.1.0.1\"},\n"
             " {\"name\": \"r1\", \"type\": \"router\", \"interfaces\": [\n"
             "   {\"name\": \"eth0\", \"ip\": \"10.1.0.1/24\"}, {\"name\": \"eth1\", \"ip\": "
             "\"10.2.0.1/24\"}]},\n"
             " {\"name\": \"h2\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", "
             "\"ip\": \"10.2.0.20/24\"}], \"gateway\": \"10.2.0.1\"}],\n"
             " \"links\": [{\"a\": \"h1:eth0\", \"b\": \"r1:eth0\"%s},\n"
             "             {\"a\": \"r1:eth1\", \"b\": \"h2:eth0\"%s}]}\n",
             m1, m2);
    memset(t, 0, sizeof *t);
    t->sim = fx_build(json, 1);
    if (!t->sim) return false;
    t->h1 = node_stack(sim_find_node(t->sim, "h1"));
    t->r1 = node_stack(sim_find_node(t->sim, "r1"));
    t->h2 = node_stack(sim_find_node(t->sim, "h2"));
    trace_subscribe(t->sim, TRACE_ALL, fx_log_sink, &t->log);
    if (app_id >= 0) icmp_subscribe(t->h1, (uint16_t)app_id, fx_app_fn, &t->app);
    return true;
}

static inline void fx_net3_free(struct fx_net3 *t)
{
    sim_free(t->sim);
    fx_log_free(&t->log);
}

/* ---- a host h (10.9.0.1/24 on eth0) and a fake neighbour inj ---- */

struct fx_raw {
    struct sim *sim;
    struct node *h;
    struct iface *e; /* h's eth0 */
    struct netstack *st;
    struct node *inj; /* 10.9.0.2 when it speaks IPv4; counts into c */
    struct fx_counter c;
    struct fx_log log; /* every step, from the start */
};

static inline void fx_raw_init(struct fx_raw *r)
{
    memset(r, 0, sizeof *r);
    r->sim = sim_new(1);
    r->h = node_new(r->sim, "h", NODE_HOST);
    r->e = iface_new(r->h, "eth0", NULL);
    iface_add_addr(r->e, IP(10, 9, 0, 1), 24);
    r->st = stack_install(r->h);
    r->inj = fx_fake(r->sim, "inj", "eth0", &r->c);
    link_connect(r->sim, r->inj->ifaces[0], r->e, NULL);
    trace_subscribe(r->sim, TRACE_ALL, fx_log_sink, &r->log);
}

static inline void fx_raw_free(struct fx_raw *r)
{
    sim_free(r->sim);
    fx_log_free(&r->log);
}

/* Sends p from inj and runs the sim 1 ms on. */
static inline void fx_raw_send(struct fx_raw *r, struct pkt *p)
{
    link_transmit(r->sim, r->inj->ifaces[0], p);
    sim_run_until(r->sim, sim_now(r->sim) + SIM_MS);
}

/* An Ethernet + IPv4 frame from inj (10.9.0.2) to dst_mac / dst: a 20-byte
 * header with TTL 64 and identification `id`, then `data_len` bytes of
 * data (zeros when data is NULL). */
static inline struct pkt *fx_raw_ip(struct fx_raw *r, const uint8_t *dst_mac, uint32_t dst,
                                    uint8_t proto, uint16_t id, const uint8_t *data,
                                    uint32_t data_len)
{
    struct pkt *p =
        fx_frame(r->sim, dst_mac, r->inj->ifaces[0]->mac, ETH_TYPE_IPV4, IP4_HDR_LEN + data_len, 0);
    struct ip4_hdr h = {.ihl = 20,
                        .total_len = (uint16_t)(20 + data_len),
                        .id = id,
                        .ttl = 64,
                        .proto = proto,
                        .src = IP(10, 9, 0, 2),
                        .dst = dst};
    ip4_emit(&h, pkt_data(p) + ETH_HDR_LEN);
    if (data) memcpy(pkt_data(p) + ETH_HDR_LEN + 20, data, data_len);
    return p;
}

#endif
