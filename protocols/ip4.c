/* ip4.c - IPv4 (RFC 791, RFC 1812) for hosts and routers.
 *
 * Input validates the header (the wire parser checks version, lengths and
 * checksum), strips Ethernet padding, and either delivers locally (with
 * reassembly), forwards (routers: TTL, longest prefix match, fragmentation)
 * or drops with a reason a student can read. Packets a node sends to itself
 * go through a loopback event, never a recursive call. */
#include "ip4.h"
#include "arp.h"
#include "eth.h"
#include "eth_wire.h"
#include "icmp.h"
#include "nat.h"
#include "tcp.h"
#include "udp.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define REASM_SLOTS  16
#define REASM_MAX    65535
#define REASM_BLOCKS (REASM_MAX / 8 + 1)

struct reasm {
    bool used;
    uint32_t src, dst;
    uint16_t id;
    uint8_t proto;
    uint8_t hdr[60];
    uint32_t hdr_len;
    uint32_t total; /* payload bytes, 0 until the last fragment is seen */
    bool have_first;
    uint64_t pkt_id;
    uint8_t *data; /* REASM_MAX bytes */
    uint8_t bits[(REASM_BLOCKS + 7) / 8];
    struct sim_timer timer;
    struct netstack *st;
};

void ip4_free(struct netstack *st)
{
    if (!st->reasm) return;
    for (int i = 0; i < REASM_SLOTS; i++)
        free(st->reasm[i].data);
    free(st->reasm);
    st->reasm = NULL;
}

static const char *ip4_err_why(int rc)
{
    switch (rc) {
    case IP4_ERR_SHORT:
        return "The packet is shorter than its IPv4 header or its Total Length field says";
    case IP4_ERR_VERSION:
        return "The version field is not 4";
    case IP4_ERR_IHL:
        return "The header length field is below the minimum of 5 words (20 bytes)";
    case IP4_ERR_TOTAL_LEN:
        return "The Total Length is smaller than the header itself";
    case IP4_ERR_CHECKSUM:
        return "The header checksum does not match the header: it was damaged on the way";
    }
    return "The header is invalid";
}

static bool is_broadcast_for(const struct iface *in, uint32_t dst)
{
    if (dst == 0xffffffffu) return true;
    if (!in) return false;
    for (int k = 0; k < in->n_addr; k++) {
        uint32_t m = ip4_mask(in->plen[k]);
        if (in->plen[k] < 31 && (dst & m) == (in->addr[k] & m) && (dst | m) == 0xffffffffu)
            return true;
    }
    return false;
}

static struct iface *iface_of_addr(const struct netstack *st, uint32_t a)
{
    for (uint32_t i = 0; i < st->node->n_ifaces; i++) {
        struct iface *ifc = st->node->ifaces[i];
        for (int k = 0; k < ifc->n_addr; k++)
            if (ifc->addr[k] == a) return ifc;
    }
    return st->node->n_ifaces ? st->node->ifaces[0] : NULL;
}

/* ---- output towards a next hop, fragmenting at the MTU ---- */

static void ip4_to_link(struct netstack *st, struct iface *out, uint32_t next_hop, struct pkt *p)
{
    if (next_hop == 0xffffffffu || is_broadcast_for(out, next_hop)) {
        eth_output(st, out, ETH_BROADCAST, ETH_TYPE_IPV4, p);
        return;
    }
    arp_output(st, out, next_hop, p);
}

/* Sends p (starting at a complete IP header) out of `out`. Returns false
 * (and keeps p) if it is too big and may not be fragmented. */
static bool ip4_send_frags(struct netstack *st, struct iface *out, uint32_t next_hop, struct pkt *p)
{
    struct sim *sim = st->sim;
    uint32_t mtu = iface_mtu(out);
    if (p->len <= mtu) {
        ip4_to_link(st, out, next_hop, p);
        return true;
    }
    uint8_t *h = pkt_data(p);
    uint16_t frag = get_be16(h + 6);
    if (frag & IP4_FLAG_DF) return false;
    uint32_t ihl = (uint32_t)(h[0] & 0x0f) * 4;
    uint32_t payload = p->len - ihl;
    uint32_t chunk = (mtu - ihl) & ~7u;
    uint32_t base = (uint32_t)(frag & IP4_FRAG_MASK) * 8;
    bool more_after = (frag & IP4_FLAG_MF) != 0;
    uint32_t n = (payload + chunk - 1) / chunk;
    STEP(sim, st->node, out, 3, TK_ENCAP, p, "IPv4",
         "fragment into %u pieces (MTU %u)\nThe %u-byte packet is larger than the %u-byte MTU "
         "of %s, and its Don't Fragment bit is clear, so IPv4 cuts the data into pieces of at "
         "most %u bytes (a multiple of 8), each with a copy of the header, its offset and the "
         "More Fragments bit.",
         n, mtu, p->len, mtu, out->label, chunk);
    for (uint32_t off = 0; off < payload; off += chunk) {
        uint32_t len = payload - off < chunk ? payload - off : chunk;
        struct pkt *f = pkt_new(sim, PKT_HEADROOM, ihl + len);
        f->id = p->id;
        uint8_t *fh = pkt_data(f);
        memcpy(fh, h, ihl);
        memcpy(fh + ihl, h + ihl + off, len);
        bool mf = more_after || off + len < payload;
        put_be16(fh + 2, (uint16_t)(ihl + len));
        put_be16(fh + 6, (uint16_t)((mf ? IP4_FLAG_MF : 0) | ((base + off) / 8)));
        put_be16(fh + 10, 0);
        put_be16(fh + 10, inet_checksum(fh, ihl));
        f->l3 = f->head;
        ip4_to_link(st, out, next_hop, f);
    }
    pkt_free(sim, p);
    return true;
}

/* ---- local delivery ---- */

static void ip4_deliver(struct netstack *st, struct iface *in, struct pkt *p,
                        const struct ip4_hdr *h, bool bcast)
{
    struct sim *sim = st->sim;
    if (h->proto == IP4_PROTO_ICMP) {
        pkt_pull(p, h->ihl);
        p->l4 = p->head;
        icmp_input(st, in, p);
        return;
    }
    if (h->proto == IP4_PROTO_UDP) {
        pkt_pull(p, h->ihl);
        p->l4 = p->head;
        udp_input(st, in, p);
        return;
    }
    if (h->proto == IP4_PROTO_TCP && !bcast) {
        pkt_pull(p, h->ihl);
        p->l4 = p->head;
        tcp_input(st, in, p);
        return;
    }
    /* RFC 1122 3.2.2.1: a host SHOULD say "protocol unreachable". */
    DROP_STEP(sim, st->node, in, 3, TK_DROP, p, "IPv4",
              "protocol %u unreachable\nThe packet is for %s, but no protocol %u (%s) runs "
              "here, so it is dropped%s.",
              h->proto, st->node->name, h->proto, ip4_proto_name(h->proto),
              bcast ? "" : " and the sender gets an ICMP protocol unreachable");
    if (!bcast) icmp_send_error(st, p, ICMP_DEST_UNREACH, ICMP_PROTO_UNREACH, 0);
    pkt_free(sim, p);
}

static void reasm_expire(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct reasm *r = ctx;
    struct netstack *st = r->st;
    r->timer = (struct sim_timer){0, 0};
    if (!r->used) return;
    char a[16];
    if (r->have_first) {
        /* RFC 792: time exceeded, code 1, quoting the first fragment. */
        struct pkt *q = pkt_new(sim, PKT_HEADROOM, r->hdr_len + 8);
        q->id = r->pkt_id;
        memcpy(pkt_data(q), r->hdr, r->hdr_len);
        memcpy(pkt_data(q) + r->hdr_len, r->data, 8);
        q->l3 = q->head;
        DROP_STEP(sim, st->node, NULL, 3, TK_DROP, q, "IPv4",
                  "reassembly time exceeded\nNot every fragment of the packet from %s arrived "
                  "within %lld s, so the pieces that did are thrown away and the sender is told.",
                  ip4_str(r->src, a), (long long)(IP4_REASM_TIMEOUT / SIM_S));
        icmp_send_error(st, q, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAG, 0);
        pkt_free(sim, q);
    }
    r->used = false;
}

/* Takes p (a fragment). Returns the whole datagram once complete, else NULL. */
static struct pkt *ip4_reassemble(struct netstack *st, struct iface *in, struct pkt *p,
                                  const struct ip4_hdr *h)
{
    struct sim *sim = st->sim;
    if (!st->reasm) {
        st->reasm = calloc(REASM_SLOTS, sizeof *st->reasm);
        if (!st->reasm) abort();
    }
    struct reasm *r = NULL, *free_slot = NULL;
    for (int i = 0; i < REASM_SLOTS; i++) {
        struct reasm *c = &st->reasm[i];
        if (c->used && c->src == h->src && c->dst == h->dst && c->id == h->id &&
            c->proto == h->proto) {
            r = c;
            break;
        }
        if (!c->used && !free_slot) free_slot = c;
    }
    uint32_t off = (uint32_t)(h->frag & IP4_FRAG_MASK) * 8;
    uint32_t len = h->total_len - h->ihl;
    bool more = (h->frag & IP4_FLAG_MF) != 0;
    const char *bad = NULL;
    if (off + len > (uint32_t)REASM_MAX - h->ihl)
        bad = "The fragment would end past the largest possible IPv4 packet";
    else if (more && len % 8)
        bad = "A fragment that is not the last must carry a multiple of 8 bytes";
    else if (!r && !free_slot)
        bad = "Too many packets are being reassembled at once";
    if (bad) {
        DROP_STEP(sim, st->node, in, 3, TK_DROP, p, "IPv4", "bad fragment\n%s, so it is dropped.",
                  bad);
        pkt_free(sim, p);
        return NULL;
    }
    if (!r) {
        r = free_slot;
        uint8_t *data = r->data;
        memset(r, 0, sizeof *r);
        r->data = data ? data : malloc(REASM_MAX);
        if (!r->data) abort();
        r->used = true;
        r->src = h->src;
        r->dst = h->dst;
        r->id = h->id;
        r->proto = h->proto;
        r->st = st;
        r->pkt_id = p->id;
        r->timer = sim_schedule(sim, IP4_REASM_TIMEOUT, reasm_expire, r, 0);
    }
    const uint8_t *b = pkt_data(p);
    if (off == 0) {
        memcpy(r->hdr, b, h->ihl);
        r->hdr_len = h->ihl;
        r->have_first = true;
    }
    if (!more) r->total = off + len;
    memcpy(r->data + off, b + h->ihl, len);
    for (uint32_t blk = off / 8; blk < (off + len + 7) / 8; blk++)
        r->bits[blk / 8] |= (uint8_t)(1u << (blk % 8));
    bool done = r->total && r->have_first;
    for (uint32_t blk = 0; done && blk < (r->total + 7) / 8; blk++)
        if (!(r->bits[blk / 8] & (1u << (blk % 8)))) done = false;
    char a[16];
    STEP(sim, st->node, in, 3, TK_DECAP, p, "IPv4",
         "fragment offset %u, %u bytes%s\nThis is a piece of a larger packet from %s (ID "
         "0x%04x); IPv4 keeps it until every piece has arrived%s.",
         off, len, more ? ", more follow" : ", last", ip4_str(h->src, a), h->id,
         done ? ": now they all have, so the packet is put back together" : "");
    pkt_free(sim, p);
    if (!done) return NULL;
    struct pkt *w = pkt_new(sim, PKT_HEADROOM, r->hdr_len + r->total);
    w->id = r->pkt_id;
    uint8_t *wh = pkt_data(w);
    memcpy(wh, r->hdr, r->hdr_len);
    memcpy(wh + r->hdr_len, r->data, r->total);
    put_be16(wh + 2, (uint16_t)(r->hdr_len + r->total));
    put_be16(wh + 6, 0);
    put_be16(wh + 10, 0);
    put_be16(wh + 10, inet_checksum(wh, r->hdr_len));
    w->l3 = w->head;
    w->in_iface = in;
    sim_cancel(sim, &r->timer);
    r->used = false;
    return w;
}

/* ---- forwarding (routers) ---- */

static void ip4_forward(struct netstack *st, struct iface *in, struct pkt *p,
                        const struct ip4_hdr *h)
{
    struct sim *sim = st->sim;
    char a[16], b[16], c[16];
    if (h->ttl <= 1) {
        /* RFC 1812 5.3.1: a packet whose TTL would reach zero is not
         * forwarded; the router sends time exceeded (this is what
         * traceroute relies on). */
        DROP_STEP(sim, st->node, in, 3, TK_DROP, p, "IPv4",
                  "TTL expired in transit (TTL %u)\nThe packet's Time to Live is %u; forwarding "
                  "would bring it to 0, so %s discards it and sends ICMP time exceeded back to "
                  "%s.",
                  h->ttl, h->ttl, st->node->name, ip4_str(h->src, a));
        icmp_send_error(st, p, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
        pkt_free(sim, p);
        return;
    }
    const struct route *r = route_lookup(&st->rt, h->dst);
    if (!r) {
        DROP_STEP(sim, st->node, in, 3, TK_DROP, p, "IPv4",
                  "no route to %s\n%s's routing table has no entry that matches %s (and no "
                  "default route), so it drops the packet and tells %s: ICMP network "
                  "unreachable.",
                  ip4_str(h->dst, a), st->node->name, a, ip4_str(h->src, b));
        icmp_send_error(st, p, ICMP_DEST_UNREACH, ICMP_NET_UNREACH, 0);
        pkt_free(sim, p);
        return;
    }
    ip4_decrement_ttl(pkt_data(p));
    uint32_t nh = r->gw ? r->gw : h->dst;
    if (trace_on(sim, TRACE_LAYERS)) {
        char via[64];
        if (r->gw)
            snprintf(via, sizeof via, "next hop %s", ip4_str(r->gw, c));
        else
            snprintf(via, sizeof via, "directly connected");
        stack_step(sim, TRACE_LAYERS, st->node, r->ifc, 3, TK_FORWARD, p, "IPv4",
                   "forward to %s via %s, TTL %u -> %u\n%s is a router and %s is not its own "
                   "address, so it forwards: the longest matching route is %s/%u (%s) out of "
                   "%s; it lowers the TTL by one and updates the header checksum.",
                   ip4_str(h->dst, a), r->ifc->name, h->ttl, h->ttl - 1, st->node->name, a,
                   ip4_str(r->dst, b), r->plen, via, r->ifc->label);
    }
    if (st->nat && !nat_outbound(st, in, r->ifc, p)) return;
    if (!ip4_send_frags(st, r->ifc, nh, p)) {
        DROP_STEP(sim, st->node, r->ifc, 3, TK_DROP, p, "IPv4",
                  "fragmentation needed (MTU %u)\nThe packet is bigger than the MTU of %s and "
                  "its Don't Fragment bit is set, so %s drops it and sends ICMP fragmentation "
                  "needed with the MTU.",
                  iface_mtu(r->ifc), r->ifc->label, st->node->name);
        icmp_send_error(st, p, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, iface_mtu(r->ifc));
        pkt_free(sim, p);
    }
}

void ip4_input(struct netstack *st, struct iface *in, struct pkt *p)
{
    struct sim *sim = st->sim;
    struct ip4_hdr h;
    int rc = ip4_parse(pkt_data(p), p->len, &h);
    if (rc != IP4_OK) {
        DROP_STEP(sim, st->node, in, 3, TK_DROP, p, "IPv4",
                  "invalid IPv4 header\n%s, so the packet is discarded.", ip4_err_why(rc));
        st->drops++;
        pkt_free(sim, p);
        return;
    }
    pkt_trim(p, h.total_len); /* Ethernet padding is not part of the packet */
    p->l3 = p->head;
    if (st->nat) {
        /* NAT rewrites before the routing decision, and sees whole packets. */
        if (nat_wants_whole(st, in, &h)) {
            p = ip4_reassemble(st, in, p, &h);
            if (!p) return;
            ip4_parse(pkt_data(p), p->len, &h);
        }
        nat_inbound(st, in, p, &h);
    }
    bool bcast = is_broadcast_for(in, h.dst);
    char a[16], b[16];
    if (bcast || stack_is_local(st, h.dst)) {
        if (h.frag & (IP4_FLAG_MF | IP4_FRAG_MASK)) {
            p = ip4_reassemble(st, in, p, &h);
            if (!p) return;
            ip4_parse(pkt_data(p), p->len, &h);
        }
        STEP(sim, st->node, in, 3, TK_DECAP, p, "IPv4",
             "Internet Protocol Version 4, Src: %s, Dst: %s\nThe destination %s is %s, so the "
             "packet is for this node: the IPv4 header comes off and the payload goes to %s "
             "(protocol %u).",
             ip4_str(h.src, a), ip4_str(h.dst, b), b,
             bcast ? "a broadcast address" : "one of this node's own addresses",
             ip4_proto_name(h.proto), h.proto);
        ip4_deliver(st, in, p, &h, bcast);
        return;
    }
    if (!st->forwarding) {
        STEP(sim, st->node, in, 3, TK_DROP, p, "IPv4",
             "not for me: Dst %s\n%s is not an address of this host, and hosts do not "
             "forward packets (only routers do), so it is dropped.",
             ip4_str(h.dst, a), a);
        pkt_free(sim, p);
        return;
    }
    ip4_forward(st, in, p, &h);
}

static void ip4_loopback(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    struct netstack *st = ctx;
    struct pkt *p = (struct pkt *)(uintptr_t)arg;
    struct ip4_hdr h;
    ip4_parse(pkt_data(p), p->len, &h);
    ip4_input(st, iface_of_addr(st, h.dst), p);
}

int ip4_output(struct netstack *st, struct pkt *p, const struct ip4_out *o)
{
    struct sim *sim = st->sim;
    bool local = !o->ifc && stack_is_local(st, o->dst);
    const struct route *r = local || o->ifc ? NULL : route_lookup(&st->rt, o->dst);
    struct iface *out = o->ifc ? o->ifc : local ? iface_of_addr(st, o->dst) : r ? r->ifc : NULL;
    if (o->dst == 0xffffffffu && !out && st->node->n_ifaces) out = st->node->ifaces[0];
    if (!out) {
        pkt_free(sim, p);
        return IP4_NO_ROUTE;
    }
    struct ip4_hdr h = {
        .ihl = IP4_HDR_LEN,
        .tos = o->tos,
        .total_len = (uint16_t)(p->len + IP4_HDR_LEN),
        .id = st->ip_id++,
        .frag = o->df ? IP4_FLAG_DF : 0,
        .ttl = o->ttl ? o->ttl : st->default_ttl,
        .proto = o->proto,
        .src = o->src ? o->src : (local ? o->dst : iface_addr(out)),
        .dst = o->dst,
    };
    uint8_t *hdr = pkt_push(sim, p, IP4_HDR_LEN);
    ip4_emit(&h, hdr);
    p->l3 = p->head;
    char a[16], b[16], c[16];
    if (local) {
        STEP(sim, st->node, out, 3, TK_ENCAP, p, "IPv4",
             "Internet Protocol Version 4, Src: %s, Dst: %s\nThe destination is this node's "
             "own address, so the packet never reaches a cable: it loops back inside the node.",
             ip4_str(h.src, a), ip4_str(h.dst, b));
        sim_schedule(sim, 0, ip4_loopback, st, (uint64_t)(uintptr_t)p);
        return IP4_SENT;
    }
    /* The router's own ICMP errors about packets NAT let in quote them as
     * translated: NAT turns the quote back to the outside address. */
    if (st->nat && h.proto == IP4_PROTO_ICMP) nat_local_output(st, out, p);
    /* RFC 1122 3.3.6: the limited broadcast goes out as a link-layer
     * broadcast, never to a gateway (the default route matches it too). */
    uint32_t nh = r && r->gw && o->dst != 0xffffffffu ? r->gw : o->dst;
    if (trace_on(sim, TRACE_LAYERS)) {
        char via[80];
        if (nh != o->dst)
            snprintf(via, sizeof via, "through the gateway %s", ip4_str(nh, c));
        else
            snprintf(via, sizeof via, "directly (same subnet)");
        stack_step(sim, TRACE_LAYERS, st->node, out, 3, TK_ENCAP, p, "IPv4",
                   "Internet Protocol Version 4, Src: %s, Dst: %s\nIPv4 puts a 20-byte header in "
                   "front (TTL %u, protocol %s, ID 0x%04x, header checksum); the routing table "
                   "says to reach %s %s, out of %s.",
                   ip4_str(h.src, a), ip4_str(h.dst, b), h.ttl, ip4_proto_name(h.proto), h.id, b,
                   via, out->label);
    }
    if (!ip4_send_frags(st, out, nh, p)) {
        pkt_free(sim, p);
        return IP4_TOO_BIG;
    }
    return IP4_SENT;
}
