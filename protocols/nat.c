/* nat.c - NAPT on a router (RFC 3022): the translation table, the
 * rewriting of packets on their way out and back in, ICMP errors about
 * translated packets, static port forwards and timeouts. See nat.h.
 *
 * The table is an array of entries (indices stay valid when it grows) with
 * two chained hash indexes: by (protocol, global port) for packets from the
 * outside, and by (protocol, inside address, inside port) for packets from
 * the inside. A teaching topology has a handful of flows; the indexes keep a
 * big one (thousands of hosts behind one router) from scanning the table
 * per packet. */
#include "nat.h"
#include "icmp_wire.h"
#include "tcp_wire.h"
#include "udp_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAT_BUCKETS 1024 /* per index; a power of two */

void nat_default_timeouts(struct nat_timeouts *to)
{
    to->tcp = NAT_TCP_TIMEOUT;
    to->tcp_transitory = NAT_TCP_TRANSITORY;
    to->udp = NAT_UDP_TIMEOUT;
    to->icmp = NAT_ICMP_TIMEOUT;
}

struct nat_state *nat_start(struct netstack *st, struct iface *outside, struct iface *const *inside,
                            int n_inside, const struct nat_timeouts *to)
{
    if (st->nat || !outside || outside->node != st->node) return NULL;
    for (int i = 0; i < n_inside; i++)
        if (!inside[i] || inside[i]->node != st->node || inside[i] == outside) return NULL;
    struct nat_state *n = calloc(1, sizeof *n);
    uint8_t *role = calloc(st->node->n_ifaces ? st->node->n_ifaces : 1, 1);
    uint32_t *b_in = calloc(NAT_BUCKETS, sizeof *b_in), *b_out = calloc(NAT_BUCKETS, sizeof *b_out);
    if (!n || !role || !b_in || !b_out) abort();
    n->st = st;
    n->outside = outside;
    n->role = role;
    n->n_role = st->node->n_ifaces;
    n->role[outside->index] = NAT_OUTSIDE;
    for (int i = 0; i < n_inside; i++)
        n->role[inside[i]->index] = NAT_INSIDE;
    if (to)
        n->to = *to;
    else
        nat_default_timeouts(&n->to);
    n->b_in = b_in;
    n->b_out = b_out;
    st->nat = n;
    return n;
}

int nat_add_forward(struct netstack *st, const struct nat_forward *f)
{
    struct nat_state *n = st->nat;
    if (!n || n->n_fwd == NAT_MAX_FORWARDS) return -1;
    if (f->proto != IP4_PROTO_TCP && f->proto != IP4_PROTO_UDP) return -1;
    for (int i = 0; i < n->n_fwd; i++)
        if (n->fwd[i].proto == f->proto && n->fwd[i].port == f->port) return -1;
    n->fwd[n->n_fwd++] = *f;
    return 0;
}

void nat_free(struct netstack *st)
{
    struct nat_state *n = st->nat;
    if (!n) return;
    /* Pending entry timers die with the sim, which frees its stacks last. */
    free(n->e);
    free(n->b_in);
    free(n->b_out);
    free(n->role);
    free(n);
    st->nat = NULL;
}

uint32_t nat_global_addr(const struct nat_state *n)
{
    return iface_addr(n->outside);
}

static int role_of(const struct nat_state *n, const struct iface *ifc)
{
    return ifc && ifc->node == n->st->node && ifc->index < n->n_role ? n->role[ifc->index] : 0;
}

/* ---- the table ---- */

static uint32_t hash_in(uint8_t proto, uint16_t g)
{
    return (((uint32_t)g << 8 | proto) * 2654435761u) >> 22;
}

static uint32_t hash_out(uint8_t proto, uint32_t addr, uint16_t port)
{
    uint32_t h = (addr ^ ((uint32_t)port << 16 | port) ^ proto) * 2654435761u;
    return (h ^ (h >> 15)) & (NAT_BUCKETS - 1);
}

static bool live(const struct nat_entry *e, sim_time now)
{
    return e->used && e->expires > now;
}

static const char *proto_word(uint8_t proto)
{
    return proto == IP4_PROTO_TCP ? "tcp" : proto == IP4_PROTO_UDP ? "udp" : "icmp";
}

/* What a port is called in sentences: ICMP echo has identifiers. */
static const char *port_word(uint8_t proto)
{
    return proto == IP4_PROTO_ICMP ? "echo identifier" : "port";
}

static sim_time entry_timeout(const struct nat_state *n, const struct nat_entry *e)
{
    if (e->proto == IP4_PROTO_UDP) return n->to.udp;
    if (e->proto == IP4_PROTO_ICMP) return n->to.icmp;
    bool closing =
        (e->tcp & NAT_TCP_RST) || ((e->tcp & NAT_TCP_FIN_OUT) && (e->tcp & NAT_TCP_FIN_IN));
    return (e->tcp & NAT_TCP_EST) && !closing ? n->to.tcp : n->to.tcp_transitory;
}

/* Unlinks entry i (index) from the chain starting at *head: the inbound
 * index's chain (next_in) or the outbound one's (next_out). */
static void chain_unlink(struct nat_state *n, uint32_t *head, uint32_t i, bool in_chain)
{
    uint32_t *at = head;
    while (*at) {
        struct nat_entry *c = &n->e[*at - 1];
        if (*at - 1 == i) {
            *at = in_chain ? c->next_in : c->next_out;
            return;
        }
        at = in_chain ? &c->next_in : &c->next_out;
    }
}

static void entry_remove(struct nat_state *n, uint32_t i)
{
    struct nat_entry *e = &n->e[i];
    chain_unlink(n, &n->b_in[hash_in(e->proto, e->g_port)], i, true);
    chain_unlink(n, &n->b_out[hash_out(e->proto, e->in_addr, e->in_port)], i, false);
    sim_cancel(n->st->sim, &e->timer);
    memset(e, 0, sizeof *e);
    e->next_in = n->free_list;
    n->free_list = i + 1;
    n->n_live--;
}

static void entry_timer(struct sim *sim, void *ctx, uint64_t arg)
{
    struct nat_state *n = ctx;
    uint32_t i = (uint32_t)arg;
    struct nat_entry *e = &n->e[i];
    e->timer = (struct sim_timer){0, 0};
    if (!e->used) return;
    if (e->expires > sim_now(sim)) {
        /* used since the timer was set: sleep until the new expiry */
        e->timer = sim_schedule_at(sim, e->expires, entry_timer, n, i);
        return;
    }
    n->expired++;
    if (trace_on(sim, TRACE_LAYERS)) {
        char a[16], b[16], c[16], idle[32];
        snprintf(idle, sizeof idle, "%lld s", (long long)(entry_timeout(n, e) / SIM_S));
        stack_step(sim, TRACE_LAYERS, n->st->node, n->outside, 3, TK_STATE, NULL, "NAT",
                   "translation expired %s %s:%u %s:%u %s:%u\nNo packet has used the "
                   "translation of %s:%u to %s:%u for %s (the %s timeout), so %s forgets it: "
                   "a late reply to that port will not find its way in, and the port is free "
                   "for another flow.",
                   proto_word(e->proto), ip4_str(nat_global_addr(n), a), e->g_port,
                   ip4_str(e->in_addr, b), e->in_port, ip4_str(e->out_addr, c),
                   e->proto == IP4_PROTO_ICMP ? e->g_port : e->out_port, b, e->in_port, a,
                   e->g_port, idle,
                   e->proto == IP4_PROTO_TCP
                       ? (entry_timeout(n, e) == n->to.tcp ? "TCP established" : "TCP transitory")
                   : e->proto == IP4_PROTO_UDP ? "UDP"
                                               : "ICMP",
                   n->st->node->name);
    }
    entry_remove(n, i);
}

/* A new entry, linked into both indexes, with its timer set: its index, or
 * UINT32_MAX when the table is full. The table may move: take pointers
 * into it after the call. */
static uint32_t entry_new(struct nat_state *n, uint8_t proto, uint32_t in_addr, uint16_t in_port,
                          uint16_t g_port, uint32_t out_addr, uint16_t out_port)
{
    if (n->n_live >= NAT_MAX_ENTRIES) return UINT32_MAX;
    uint32_t i;
    if (n->free_list) {
        i = n->free_list - 1;
        n->free_list = n->e[i].next_in;
    } else {
        if (n->n == n->cap) {
            n->cap = n->cap ? n->cap * 2 : 16;
            struct nat_entry *ne = realloc(n->e, n->cap * sizeof *ne);
            if (!ne) abort();
            n->e = ne;
        }
        i = n->n++;
    }
    struct sim *sim = n->st->sim;
    struct nat_entry *e = &n->e[i];
    memset(e, 0, sizeof *e);
    e->used = true;
    e->proto = proto;
    e->in_addr = in_addr;
    e->in_port = in_port;
    e->g_port = g_port;
    e->out_addr = out_addr;
    e->out_port = proto == IP4_PROTO_ICMP ? 0 : out_port;
    e->created = sim_now(sim);
    e->expires = e->created + entry_timeout(n, e);
    e->seq = n->next_seq++;
    uint32_t *bi = &n->b_in[hash_in(proto, g_port)];
    uint32_t *bo = &n->b_out[hash_out(proto, in_addr, in_port)];
    e->next_in = *bi;
    *bi = i + 1;
    e->next_out = *bo;
    *bo = i + 1;
    e->timer = sim_schedule_at(sim, e->expires, entry_timer, n, i);
    n->n_live++;
    return i;
}

/* The flow from inside in_addr:in_port to out_addr:out_port (ICMP: the
 * port is the identifier and out_port is ignored). */
static struct nat_entry *find_out(const struct nat_state *n, uint8_t proto, uint32_t in_addr,
                                  uint16_t in_port, uint32_t out_addr, uint16_t out_port)
{
    sim_time now = sim_now(n->st->sim);
    for (uint32_t k = n->b_out[hash_out(proto, in_addr, in_port)]; k; k = n->e[k - 1].next_out) {
        struct nat_entry *e = &n->e[k - 1];
        if (live(e, now) && e->proto == proto && e->in_addr == in_addr && e->in_port == in_port &&
            e->out_addr == out_addr && (proto == IP4_PROTO_ICMP || e->out_port == out_port))
            return e;
    }
    return NULL;
}

/* The flow that global port g has with out_addr:out_port. */
static struct nat_entry *find_in(const struct nat_state *n, uint8_t proto, uint16_t g,
                                 uint32_t out_addr, uint16_t out_port)
{
    sim_time now = sim_now(n->st->sim);
    for (uint32_t k = n->b_in[hash_in(proto, g)]; k; k = n->e[k - 1].next_in) {
        struct nat_entry *e = &n->e[k - 1];
        if (live(e, now) && e->proto == proto && e->g_port == g && e->out_addr == out_addr &&
            (proto == IP4_PROTO_ICMP || e->out_port == out_port))
            return e;
    }
    return NULL;
}

static const struct nat_forward *find_forward(const struct nat_state *n, uint8_t proto,
                                              uint16_t port)
{
    for (int i = 0; i < n->n_fwd; i++)
        if (n->fwd[i].proto == proto && n->fwd[i].port == port) return &n->fwd[i];
    return NULL;
}

/* Who holds global port g, if not the inside endpoint in_addr:in_port:
 * another endpoint's flow (*holder filled) or a static forward. */
static bool gport_taken(const struct nat_state *n, uint8_t proto, uint16_t g, uint32_t in_addr,
                        uint16_t in_port, uint32_t *holder_addr, uint16_t *holder_port)
{
    const struct nat_forward *f = find_forward(n, proto, g);
    if (f && (f->to_addr != in_addr || f->to_port != in_port)) {
        *holder_addr = f->to_addr;
        *holder_port = f->to_port;
        return true;
    }
    sim_time now = sim_now(n->st->sim);
    for (uint32_t k = n->b_in[hash_in(proto, g)]; k; k = n->e[k - 1].next_in) {
        const struct nat_entry *e = &n->e[k - 1];
        if (live(e, now) && e->proto == proto && e->g_port == g &&
            (e->in_addr != in_addr || e->in_port != in_port)) {
            *holder_addr = e->in_addr;
            *holder_port = e->in_port;
            return true;
        }
    }
    return false;
}

/* The global port for a new flow of inside endpoint in_addr:in_port: the
 * one its other flows use (endpoint-independent mapping), else its own
 * port when free, else the next free one above it in its range. */
static bool pick_gport(const struct nat_state *n, uint8_t proto, uint32_t in_addr, uint16_t in_port,
                       uint16_t *g, uint32_t *holder_addr, uint16_t *holder_port)
{
    sim_time now = sim_now(n->st->sim);
    for (uint32_t k = n->b_out[hash_out(proto, in_addr, in_port)]; k; k = n->e[k - 1].next_out) {
        const struct nat_entry *e = &n->e[k - 1];
        if (live(e, now) && e->proto == proto && e->in_addr == in_addr && e->in_port == in_port) {
            *g = e->g_port;
            return true;
        }
    }
    /* Linux's ranges (nf_nat_l4proto_unique_tuple): privileged ports stay
     * privileged; ICMP identifiers use all 65536. */
    uint32_t lo = 1024, hi = 65535;
    if (proto == IP4_PROTO_ICMP)
        lo = 0;
    else if (in_port < 512)
        lo = 1, hi = 511;
    else if (in_port < 1024)
        lo = 512, hi = 1023;
    uint32_t span = hi - lo + 1;
    uint32_t start = in_port >= lo && in_port <= hi ? in_port - lo : 0;
    for (uint32_t k = 0; k < span; k++) {
        uint16_t cand = (uint16_t)(lo + (start + k) % span);
        uint32_t ha;
        uint16_t hp;
        if (!gport_taken(n, proto, cand, in_addr, in_port, &ha, &hp)) {
            *g = cand;
            return true;
        }
        if (k == 0) {
            *holder_addr = ha;
            *holder_port = hp;
        }
    }
    return false;
}

static void tcp_track(struct nat_entry *e, uint16_t flags, bool out)
{
    if ((flags & TCP_SYN) && !(flags & TCP_ACK) &&
        (e->tcp & (NAT_TCP_RST | NAT_TCP_FIN_OUT | NAT_TCP_FIN_IN)))
        e->tcp = 0; /* a new connection on the same ports after a close */
    if (flags & TCP_RST) e->tcp |= NAT_TCP_RST;
    if (flags & TCP_SYN)
        e->tcp |= out ? NAT_TCP_SYN_OUT : NAT_TCP_SYN_IN;
    else if ((flags & TCP_ACK) && (e->tcp & NAT_TCP_SYN_OUT) && (e->tcp & NAT_TCP_SYN_IN))
        e->tcp |= NAT_TCP_EST;
    if (flags & TCP_FIN) e->tcp |= out ? NAT_TCP_FIN_OUT : NAT_TCP_FIN_IN;
}

/* ---- rewriting bytes ---- */

/* A checksum field to keep right: where it is, and whether it is UDP's
 * (0 = none computed: left alone; a result of 0 is sent as 0xffff). */
struct csum_ref {
    uint8_t *at;
    bool udp;
};

static void csum_fix(struct csum_ref c, uint16_t old, uint16_t nv)
{
    if (!c.at) return;
    uint16_t v = get_be16(c.at);
    if (c.udp && v == 0) return;
    v = inet_csum_update16(v, old, nv);
    if (c.udp && v == 0) v = 0xffff;
    put_be16(c.at, v);
}

/* Writes a 16-bit field and updates the n checksums that cover it. */
static void patch16(uint8_t *at, uint16_t nv, const struct csum_ref *c, int n)
{
    uint16_t old = get_be16(at);
    put_be16(at, nv);
    for (int i = 0; i < n; i++)
        csum_fix(c[i], old, nv);
}

static void patch32(uint8_t *at, uint32_t nv, const struct csum_ref *c, int n)
{
    patch16(at, (uint16_t)(nv >> 16), c, n);
    patch16(at + 2, (uint16_t)nv, c, n);
}

static const struct csum_ref NO_CSUM = {NULL, false};

/* The transport header of an IPv4 packet as NAT sees it. */
struct l4 {
    uint8_t proto;
    uint8_t *h;     /* transport header */
    size_t len;     /* bytes there */
    uint16_t sport; /* ICMP echo: the identifier, in sport and dport */
    uint16_t dport;
    uint8_t icmp_type;
    uint16_t tcp_flags;
    struct csum_ref csum; /* NULL at when not there (a short quote) */
    size_t sport_off, dport_off;
};

/* Reads the transport header at ip (ihl bytes of IPv4 header, len bytes in
 * all). `quoted`: a packet quoted in an ICMP error, of which only the first
 * 8 bytes need be there. False when NAT cannot translate it. */
static bool l4_read(uint8_t *ip, size_t len, uint8_t ihl, uint8_t proto, bool quoted, struct l4 *l)
{
    memset(l, 0, sizeof *l);
    if (len < ihl) return false;
    l->proto = proto;
    l->h = ip + ihl;
    l->len = len - ihl;
    switch (proto) {
    case IP4_PROTO_TCP:
        if (l->len < (quoted ? 8u : TCP_HDR_LEN)) return false;
        l->tcp_flags = (uint16_t)(get_be16(l->h + TCP_OFF_DOFF) & 0x1ff);
        if (l->len >= TCP_OFF_CSUM + 2) l->csum.at = l->h + TCP_OFF_CSUM;
        l->sport_off = TCP_OFF_SPORT;
        l->dport_off = TCP_OFF_DPORT;
        break;
    case IP4_PROTO_UDP:
        if (l->len < UDP_HDR_LEN) return false;
        l->csum.at = l->h + UDP_OFF_CHECKSUM;
        l->csum.udp = true;
        l->sport_off = UDP_OFF_SPORT;
        l->dport_off = UDP_OFF_DPORT;
        break;
    case IP4_PROTO_ICMP:
        if (l->len < ICMP_HDR_LEN) return false;
        l->icmp_type = l->h[ICMP_OFF_TYPE];
        l->csum.at = l->h + ICMP_OFF_CHECKSUM;
        l->sport_off = l->dport_off = ICMP_OFF_ID;
        break;
    default:
        return false;
    }
    l->sport = get_be16(l->h + l->sport_off);
    l->dport = get_be16(l->h + l->dport_off);
    return true;
}

/* The checksum that covers the IPv4 addresses too: TCP's and UDP's
 * pseudo-header; ICMP's covers only the message. */
static struct csum_ref pseudo_csum(const struct l4 *l)
{
    return l->proto == IP4_PROTO_ICMP ? NO_CSUM : l->csum;
}

/* Rewrites one side of the packet quoted in an ICMP error (q, parsed into
 * *ql): its address at addr_off (IP4_OFF_SRC or IP4_OFF_DST) and its port
 * or identifier at port_off in the quoted transport header, keeping the
 * quoted IPv4 and transport checksums right, and the ICMP checksum icmp_csum
 * that covers all of them. */
static void quote_rewrite(uint8_t *q, const struct l4 *ql, size_t addr_off, size_t port_off,
                          uint32_t addr, uint16_t port, struct csum_ref icmp_csum)
{
    struct csum_ref qip = {q + IP4_OFF_CHECKSUM, false};
    uint16_t qip_old = get_be16(qip.at);
    uint16_t ql4_old = ql->csum.at ? get_be16(ql->csum.at) : 0;
    const struct csum_ref for_addr[] = {qip, icmp_csum, pseudo_csum(ql)};
    patch32(q + addr_off, addr, for_addr, 3);
    const struct csum_ref for_port[] = {icmp_csum, ql->csum};
    patch16(ql->h + port_off, port, for_port, 2);
    /* the quoted checksums are bytes of the ICMP message too */
    csum_fix(icmp_csum, qip_old, get_be16(qip.at));
    if (ql->csum.at) csum_fix(icmp_csum, ql4_old, get_be16(ql->csum.at));
}

/* ---- trace sentences ---- */

static const char *csum_words(const struct l4 *l)
{
    if (l->proto == IP4_PROTO_ICMP)
        return "the IPv4 header checksum and the ICMP checksum (which covers the identifier) are "
               "patched";
    if (l->proto == IP4_PROTO_UDP && l->csum.at && get_be16(l->csum.at) == 0)
        return "the IPv4 header checksum is patched (the UDP checksum is 0, meaning none, and "
               "stays 0)";
    return l->proto == IP4_PROTO_TCP
               ? "the IPv4 header checksum and the TCP checksum (its pseudo-header covers the "
                 "address) are patched"
               : "the IPv4 header checksum and the UDP checksum (its pseudo-header covers the "
                 "address) are patched";
}

/* ---- packets from the inside ---- */

static bool out_drop(struct nat_state *n, const struct iface *out, struct pkt *p, const char *what,
                     const char *why)
{
    struct sim *sim = n->st->sim;
    DROP_STEP(sim, n->st->node, out, 3, TK_DROP, p, "NAT", "%s\n%s", what, why);
    n->drops++;
    pkt_free(sim, p);
    return false;
}

/* An ICMP error about a packet that came in through NAT (so it quotes the
 * inside local address as destination), leaving by the outside interface:
 * sent by an inside host, or (own) by the router itself. An error that is
 * not related to a translation is dropped when an inside host sent it, and
 * left alone when it is the router's own. */
static bool out_error(struct nat_state *n, const struct iface *out, struct pkt *p, struct l4 *l,
                      uint32_t g, bool own)
{
    struct sim *sim = n->st->sim;
    uint8_t *ip = pkt_data(p);
    uint8_t *q = l->h + ICMP_HDR_LEN;
    size_t qlen = l->len - ICMP_HDR_LEN;
    struct ip4_hdr qh;
    struct l4 ql;
    struct nat_entry *e = NULL;
    uint32_t from = get_be32(ip + IP4_OFF_SRC);
    char a[16], b[16], c[16], d[16];
    if (inet_sum(l->h, l->len, 0) == 0xffff && ip4_read_header(q, qlen, &qh) == IP4_OK &&
        !(qh.frag & IP4_FRAG_MASK) && l4_read(q, qlen, qh.ihl, qh.proto, true, &ql))
        e = find_out(n, qh.proto, qh.dst, ql.dport, qh.src, ql.sport);
    if (!e && own) return true;
    if (!e) {
        char why[300];
        why[0] = 0;
        if (trace_on(sim, TRACE_FRAMES | TRACE_LAYERS))
            snprintf(why, sizeof why,
                     "This ICMP error from %s is not about a packet that came in through NAT, so "
                     "there is no public address to put in place of the private one: %s drops "
                     "it rather than leak %s to the outside.",
                     ip4_str(from, a), n->st->node->name, a);
        return out_drop(n, out, p, "ICMP error not related to a translation", why);
    }
    const struct csum_ref ipc = {ip + IP4_OFF_CHECKSUM, false};
    if (from != g) patch32(ip + IP4_OFF_SRC, g, &ipc, 1);
    quote_rewrite(q, &ql, IP4_OFF_DST, ql.dport_off, g, e->g_port, l->csum);
    e->packets++;
    n->out_pkts++;
    STEP(sim, n->st->node, out, 3, TK_FORWARD, p, "NAT",
         "ICMP error from %s:%u -> %s:%u (inside local -> inside global)\nThe ICMP error \"%s\" "
         "from %s is about a packet that came in through NAT and was sent on to %s:%u, so the "
         "packet it quotes gets the public %s:%u back as its destination%s, with the quoted and "
         "ICMP checksums patched: %s will recognise its own packet.",
         ip4_str(e->in_addr, a), e->in_port, ip4_str(g, b), e->g_port,
         icmp_type_name(l->icmp_type, l->h[ICMP_OFF_CODE]), ip4_str(from, d), a, e->in_port, b,
         e->g_port, from != g ? ", and so does the outer source" : "", ip4_str(e->out_addr, c));
    return true;
}

void nat_local_output(struct netstack *st, const struct iface *out, struct pkt *p)
{
    struct nat_state *n = st->nat;
    if (!n || out != n->outside) return;
    uint8_t *ip = pkt_data(p);
    struct ip4_hdr h;
    struct l4 l;
    uint32_t g = nat_global_addr(n);
    if (!g || ip4_read_header(ip, p->len, &h) != IP4_OK || h.proto != IP4_PROTO_ICMP ||
        (h.frag & (IP4_FLAG_MF | IP4_FRAG_MASK)) ||
        !l4_read(ip, p->len, h.ihl, h.proto, false, &l) || !icmp_type_is_error(l.icmp_type))
        return;
    out_error(n, out, p, &l, g, true);
}

bool nat_outbound(struct netstack *st, const struct iface *in, const struct iface *out,
                  struct pkt *p)
{
    struct nat_state *n = st->nat;
    if (!n || role_of(n, in) != NAT_INSIDE || out != n->outside) return true;
    struct sim *sim = st->sim;
    uint8_t *ip = pkt_data(p);
    struct ip4_hdr h;
    if (ip4_read_header(ip, p->len, &h) != IP4_OK) return true; /* ip4_input checked it */
    uint32_t g = nat_global_addr(n);
    char a[16], b[16], c[16], why[400];
    why[0] = 0; /* written only when a sink listens: the batch path pays nothing */
    bool tr = trace_on(sim, TRACE_FRAMES | TRACE_LAYERS);
    if (!g) {
        if (tr)
            snprintf(why, sizeof why,
                     "The outside interface %s has no address yet, so NAT has nothing to put in "
                     "the source address and drops the packet.",
                     n->outside->label);
        return out_drop(n, out, p, "no outside address", why);
    }
    struct l4 l;
    bool ports =
        !(h.frag & (IP4_FLAG_MF | IP4_FRAG_MASK)) && l4_read(ip, p->len, h.ihl, h.proto, false, &l);
    if (ports && h.proto == IP4_PROTO_ICMP && icmp_type_is_error(l.icmp_type))
        return out_error(n, out, p, &l, g, false);
    if (!ports || (h.proto == IP4_PROTO_ICMP && l.icmp_type != ICMP_ECHO_REQUEST)) {
        if (tr)
            snprintf(why, sizeof why,
                     "Port address translation tells flows apart by their TCP or UDP port or "
                     "their ICMP echo identifier; this %s packet has none NAT can use%s, so %s "
                     "drops it rather than leak the private source %s.",
                     ip4_proto_name(h.proto),
                     h.frag & (IP4_FLAG_MF | IP4_FRAG_MASK) ? " (it is a fragment)"
                     : h.proto == IP4_PROTO_TCP || h.proto == IP4_PROTO_UDP ||
                             h.proto == IP4_PROTO_ICMP
                         ? " (its header is cut short, or it is not an echo request)"
                         : "",
                     st->node->name, ip4_str(h.src, a));
        return out_drop(n, out, p, "cannot translate this packet", why);
    }
    struct nat_entry *e = find_out(n, h.proto, h.src, l.sport, h.dst, l.dport);
    bool created = false;
    uint32_t holder_a = 0;
    uint16_t holder_p = 0;
    if (!e) {
        uint16_t gp;
        if (n->n_live >= NAT_MAX_ENTRIES) {
            if (tr)
                snprintf(why, sizeof why,
                         "The translation table already holds %u flows, its limit, so this new "
                         "flow from %s cannot get a public port and is dropped until entries "
                         "expire.",
                         NAT_MAX_ENTRIES, ip4_str(h.src, a));
            return out_drop(n, out, p, "translation table full", why);
        }
        if (!pick_gport(n, h.proto, h.src, l.sport, &gp, &holder_a, &holder_p)) {
            if (tr)
                snprintf(why, sizeof why,
                         "Every %s %s in the range of %u is held by another inside host, so "
                         "this new flow from %s cannot get one and is dropped.",
                         proto_word(h.proto), port_word(h.proto), l.sport, ip4_str(h.src, a));
            return out_drop(n, out, p, "no free port", why);
        }
        uint32_t i = entry_new(n, h.proto, h.src, l.sport, gp, h.dst, l.dport);
        e = &n->e[i]; /* after the call: it may move the table */
        created = true;
    }
    const struct csum_ref for_addr[] = {{ip + IP4_OFF_CHECKSUM, false}, pseudo_csum(&l)};
    patch32(ip + IP4_OFF_SRC, g, for_addr, 2);
    patch16(l.h + l.sport_off, e->g_port, &l.csum, 1);
    if (h.proto == IP4_PROTO_TCP) tcp_track(e, l.tcp_flags, true);
    e->expires = sim_now(sim) + entry_timeout(n, e);
    e->packets++;
    n->out_pkts++;
    if (trace_on(sim, TRACE_LAYERS)) {
        const char *pw = port_word(h.proto);
        char port_why[200];
        if (!created)
            snprintf(port_why, sizeof port_why,
                     "the translation table already has this flow, so it gets the same %s %u "
                     "as before",
                     pw, e->g_port);
        else if (e->g_port == l.sport)
            snprintf(port_why, sizeof port_why,
                     "the %s %u is kept, as no other inside host holds it", pw, l.sport);
        else if (holder_a)
            snprintf(port_why, sizeof port_why,
                     "%s %u is already held by %s:%u, so this flow gets the next free one, %u", pw,
                     l.sport, ip4_str(holder_a, c), holder_p, e->g_port);
        else
            snprintf(port_why, sizeof port_why,
                     "its other flows from that %s use %u, so this one does too", pw, e->g_port);
        stack_step(sim, TRACE_LAYERS, st->node, out, 3, TK_FORWARD, p, "NAT",
                   "%s:%u -> %s:%u (inside local -> inside global)\nThe packet leaves by "
                   "the outside interface %s, so NAT hides the private source: the address "
                   "becomes %s's public %s, and %s.%s Replies to %s:%u will be rewritten back; "
                   "%s (RFC 1624).",
                   ip4_str(h.src, a), l.sport, ip4_str(g, b), e->g_port, out->label, st->node->name,
                   b, port_why,
                   created ? " A new entry in the translation table remembers the pair." : "", b,
                   e->g_port, csum_words(&l));
    }
    return true;
}

/* ---- packets from the outside ---- */

/* An ICMP error to the outside address about a packet NAT translated on
 * its way out (it quotes the global address and port as its source). */
static bool in_error(struct nat_state *n, struct iface *in, struct pkt *p, struct l4 *l, uint32_t g)
{
    struct sim *sim = n->st->sim;
    uint8_t *ip = pkt_data(p);
    uint8_t *q = l->h + ICMP_HDR_LEN;
    size_t qlen = l->len - ICMP_HDR_LEN;
    struct ip4_hdr qh;
    struct l4 ql;
    if (inet_sum(l->h, l->len, 0) != 0xffff || ip4_read_header(q, qlen, &qh) != IP4_OK ||
        (qh.frag & IP4_FRAG_MASK) || qh.src != g ||
        !l4_read(q, qlen, qh.ihl, qh.proto, true, &ql) ||
        (qh.proto == IP4_PROTO_ICMP && ql.icmp_type != ICMP_ECHO_REQUEST))
        return false;
    struct nat_entry *e = find_in(n, qh.proto, ql.sport, qh.dst, ql.dport);
    if (!e) return false;
    const struct csum_ref ipc = {ip + IP4_OFF_CHECKSUM, false};
    patch32(ip + IP4_OFF_DST, e->in_addr, &ipc, 1);
    quote_rewrite(q, &ql, IP4_OFF_SRC, ql.sport_off, e->in_addr, e->in_port, l->csum);
    e->packets++;
    n->in_pkts++;
    char a[16], b[16], c[16];
    STEP(sim, n->st->node, in, 3, TK_FORWARD, p, "NAT",
         "ICMP error for %s:%u -> %s:%u (inside global -> inside local)\nThe ICMP error \"%s\" "
         "from %s quotes a packet NAT sent out as %s:%u; the translation table says that was "
         "%s:%u, so NAT rewrites the outer destination and the quoted source (address and %s) "
         "back, patching the quoted and the ICMP checksums, and the inside host can tell which "
         "of its packets failed.",
         ip4_str(g, a), e->g_port, ip4_str(e->in_addr, b), e->in_port,
         icmp_type_name(l->icmp_type, l->h[ICMP_OFF_CODE]), ip4_str(get_be32(ip + IP4_OFF_SRC), c),
         a, e->g_port, b, e->in_port, port_word(e->proto));
    return true;
}

void nat_inbound(struct netstack *st, struct iface *in, struct pkt *p, struct ip4_hdr *h)
{
    struct nat_state *n = st->nat;
    if (!n || in != n->outside) return;
    uint32_t g = nat_global_addr(n);
    if (!g || h->dst != g || (h->frag & (IP4_FLAG_MF | IP4_FRAG_MASK))) return;
    struct sim *sim = st->sim;
    uint8_t *ip = pkt_data(p);
    struct l4 l;
    if (!l4_read(ip, p->len, h->ihl, h->proto, false, &l)) return;
    if (h->proto == IP4_PROTO_ICMP && icmp_type_is_error(l.icmp_type)) {
        if (in_error(n, in, p, &l, g)) ip4_read_header(ip, p->len, h);
        return;
    }
    if (h->proto == IP4_PROTO_ICMP && l.icmp_type != ICMP_ECHO_REPLY) return;
    struct nat_entry *e = find_in(n, h->proto, l.dport, h->src, l.sport);
    const struct nat_forward *f = NULL;
    if (!e && h->proto != IP4_PROTO_ICMP && (f = find_forward(n, h->proto, l.dport))) {
        uint32_t i = entry_new(n, h->proto, f->to_addr, f->to_port, l.dport, h->src, l.sport);
        if (i == UINT32_MAX) return; /* full: the router answers for itself */
        e = &n->e[i];
        e->forwarded = true;
    }
    if (!e) return;
    const struct csum_ref for_addr[] = {{ip + IP4_OFF_CHECKSUM, false}, pseudo_csum(&l)};
    patch32(ip + IP4_OFF_DST, e->in_addr, for_addr, 2);
    patch16(l.h + l.dport_off, e->in_port, &l.csum, 1);
    if (h->proto == IP4_PROTO_TCP) tcp_track(e, l.tcp_flags, false);
    e->expires = sim_now(sim) + entry_timeout(n, e);
    e->packets++;
    n->in_pkts++;
    if (trace_on(sim, TRACE_LAYERS)) {
        char a[16], b[16], c[16], how[240];
        const char *pw = port_word(h->proto);
        if (f)
            snprintf(how, sizeof how,
                     "no flow uses it yet, but %s forwards %s %s %u to %s:%u (a static port "
                     "forward), so a new entry is made for this flow from %s:%u",
                     st->node->name, proto_word(h->proto), pw, l.dport, ip4_str(e->in_addr, b),
                     e->in_port, ip4_str(h->src, c), l.sport);
        else
            snprintf(how, sizeof how,
                     "the translation table pairs it with %s:%u inside, for this flow with %s",
                     ip4_str(e->in_addr, b), e->in_port, ip4_str(h->src, c));
        stack_step(sim, TRACE_LAYERS, st->node, in, 3, TK_FORWARD, p, "NAT",
                   "%s:%u -> %s:%u (inside global -> inside local)\nThe packet is for %s's "
                   "public address %s, %s %u, and %s: NAT rewrites the destination back to the "
                   "inside local address before routing, so it is forwarded inside; %s.",
                   ip4_str(g, a), l.dport, ip4_str(e->in_addr, b), e->in_port, st->node->name, a,
                   pw, l.dport, how, csum_words(&l));
    }
    ip4_read_header(ip, p->len, h);
}

bool nat_wants_whole(const struct netstack *st, const struct iface *in, const struct ip4_hdr *h)
{
    const struct nat_state *n = st->nat;
    if (!n || !(h->frag & (IP4_FLAG_MF | IP4_FRAG_MASK))) return false;
    int role = role_of(n, in);
    if (role == NAT_OUTSIDE) return h->dst == nat_global_addr(n) && h->dst != 0;
    if (role != NAT_INSIDE || stack_is_local(st, h->dst)) return false;
    const struct route *r = route_lookup(&st->rt, h->dst);
    return r && r->ifc == n->outside;
}

/* ---- inspection ---- */

static int by_seq(const void *x, const void *y)
{
    const struct nat_entry *a = *(const struct nat_entry *const *)x;
    const struct nat_entry *b = *(const struct nat_entry *const *)y;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

uint32_t nat_entries(const struct netstack *st, const struct nat_entry **out, uint32_t cap)
{
    const struct nat_state *n = st->nat;
    if (!n) return 0;
    sim_time now = sim_now(st->sim);
    const struct nat_entry **all = malloc((n->n ? n->n : 1) * sizeof *all);
    if (!all) abort();
    uint32_t k = 0;
    for (uint32_t i = 0; i < n->n; i++)
        if (live(&n->e[i], now)) all[k++] = &n->e[i];
    qsort(all, k, sizeof *all, by_seq);
    for (uint32_t i = 0; i < k && i < cap; i++)
        out[i] = all[i];
    free(all);
    return k;
}
