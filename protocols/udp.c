/* udp.c - UDP (RFC 768): sockets, port demultiplexing, checksums over the
 * pseudo-header, ICMP port unreachable, and ICMP errors handed back to the
 * socket that sent the datagram. See udp.h.
 *
 * A node has few sockets (a client or two, a server or two), so they live in
 * a small array searched linearly, in the order they were opened: that order
 * is deterministic, and a hash table per node would cost more memory than a
 * 4,096-host scenario should pay. */
#include "udp.h"
#include "icmp.h"
#include "ip4.h"

#include <stdlib.h>
#include <string.h>

struct udp_sock {
    struct netstack *st;
    uint32_t addr; /* 0 = any */
    uint16_t port;
    udp_recv_fn recv;
    udp_err_fn err;
    void *ctx;
};

struct udp_state {
    struct udp_sock **s;
    uint32_t n, cap;
};

static struct udp_state *udp_state(struct netstack *st)
{
    if (!st->udp) {
        st->udp = calloc(1, sizeof *st->udp);
        if (!st->udp) abort();
    }
    return st->udp;
}

static struct udp_sock *udp_find(const struct netstack *st, uint32_t addr, uint16_t port)
{
    const struct udp_state *u = st->udp;
    if (!u) return NULL;
    struct udp_sock *any = NULL;
    for (uint32_t i = 0; i < u->n; i++) {
        struct udp_sock *s = u->s[i];
        if (s->port != port) continue;
        if (s->addr == addr) return s;
        if (s->addr == 0 && !any) any = s;
    }
    return any;
}

static bool udp_port_used(const struct netstack *st, uint16_t port)
{
    const struct udp_state *u = st->udp;
    for (uint32_t i = 0; u && i < u->n; i++)
        if (u->s[i]->port == port) return true;
    return false;
}

struct udp_sock *udp_open(struct netstack *st, uint32_t addr, uint16_t port, udp_recv_fn fn,
                          void *ctx)
{
    if (port == 0) {
        /* Linux picks a random port in ip_local_port_range and walks on
         * from there; the node's own RNG keeps it deterministic. */
        uint32_t span = UDP_EPHEMERAL_HI - UDP_EPHEMERAL_LO + 1;
        uint32_t start = (uint32_t)rng_below(&st->node->rng, span);
        for (uint32_t i = 0; i < span && !port; i++) {
            uint16_t cand = (uint16_t)(UDP_EPHEMERAL_LO + (start + i) % span);
            if (!udp_port_used(st, cand)) port = cand;
        }
        if (!port) return NULL;
    } else {
        const struct udp_state *u = st->udp;
        for (uint32_t i = 0; u && i < u->n; i++)
            if (u->s[i]->port == port && (u->s[i]->addr == addr || !addr || !u->s[i]->addr))
                return NULL;
    }
    struct udp_state *u = udp_state(st);
    if (u->n == u->cap) {
        uint32_t cap = u->cap ? u->cap * 2 : 4;
        struct udp_sock **a = realloc(u->s, cap * sizeof *a);
        if (!a) abort();
        u->s = a;
        u->cap = cap;
    }
    struct udp_sock *s = calloc(1, sizeof *s);
    if (!s) abort();
    *s = (struct udp_sock){.st = st, .addr = addr, .port = port, .recv = fn, .ctx = ctx};
    u->s[u->n++] = s;
    return s;
}

void udp_set_error_cb(struct udp_sock *s, udp_err_fn fn)
{
    s->err = fn;
}

uint16_t udp_local_port(const struct udp_sock *s)
{
    return s->port;
}

void udp_close(struct udp_sock *s)
{
    if (!s) return;
    struct udp_state *u = s->st->udp;
    for (uint32_t i = 0; i < u->n; i++)
        if (u->s[i] == s) {
            memmove(&u->s[i], &u->s[i + 1], (u->n - i - 1) * sizeof u->s[0]);
            u->n--;
            break;
        }
    free(s);
}

/* The source address a datagram to dst will carry (stack_source_addr),
 * or the given interface's; a limited broadcast with no route goes out of
 * the first interface. */
static uint32_t udp_source_for(struct netstack *st, uint32_t dst, struct iface *ifc)
{
    if (ifc) return iface_addr(ifc);
    uint32_t src = stack_source_addr(st, dst);
    if (!src && dst == 0xffffffffu && st->node->n_ifaces) return iface_addr(st->node->ifaces[0]);
    return src;
}

int udp_sendto(struct udp_sock *s, uint32_t dst, uint16_t dport, const void *data, size_t len,
               const struct udp_send_opts *o)
{
    struct netstack *st = s->st;
    struct sim *sim = st->sim;
    static const struct udp_send_opts none;
    if (!o) o = &none;
    if (len > 0xffff - UDP_HDR_LEN - IP4_HDR_LEN) return IP4_TOO_BIG;
    uint32_t src = o->src ? o->src : s->addr ? s->addr : udp_source_for(st, dst, o->ifc);
    struct pkt *p = pkt_new(sim, PKT_HEADROOM, (uint32_t)(UDP_HDR_LEN + len));
    uint8_t *d = pkt_data(p);
    if (len) memcpy(d + UDP_HDR_LEN, data, len);
    udp_emit(d, s->port, dport, UDP_HDR_LEN + len, src, dst, !o->no_checksum);
    p->l4 = p->head;
    p->l7 = p->head + UDP_HDR_LEN;
    char a[16];
    STEP(sim, st->node, o->ifc, 4, TK_ENCAP, p, "UDP",
         "User Datagram Protocol, Src Port: %u, Dst Port: %u\nUDP puts an 8-byte header in "
         "front of the %zu bytes: the ports say which program sent it and which should get it "
         "at %s, and %s. There is no connection and no retransmission: if the datagram is "
         "lost, only the program can notice.",
         s->port, dport, len, ip4_str(dst, a),
         o->no_checksum ? "the checksum is left 0 (\"none\", which RFC 768 allows)"
                        : "the checksum covers the header, the data and the IP addresses");
    struct ip4_out io = {
        .src = src, .dst = dst, .proto = IP4_PROTO_UDP, .ttl = o->ttl, .ifc = o->ifc};
    return ip4_output(st, p, &io);
}

void udp_input(struct netstack *st, struct iface *in, struct pkt *p)
{
    struct sim *sim = st->sim;
    const uint8_t *ip = p->buf + p->l3;
    uint32_t src = get_be32(ip + 12), dst = get_be32(ip + 16);
    struct udp_hdr h;
    int rc = udp_parse(pkt_data(p), p->len, &h);
    if (rc != UDP_OK) {
        DROP_STEP(sim, st->node, in, 4, TK_DROP, p, "UDP",
                  "invalid UDP datagram\n%s, so it is discarded.",
                  rc == UDP_ERR_SHORT ? "The datagram is shorter than a UDP header"
                                      : "The UDP length field does not fit the IP packet");
        pkt_free(sim, p);
        return;
    }
    if (!udp_checksum_ok(pkt_data(p), h.len, src, dst)) {
        DROP_STEP(sim, st->node, in, 4, TK_DROP, p, "UDP",
                  "bad UDP checksum\nThe checksum over the header, data and IP addresses does "
                  "not match (0x%04x), so the datagram was damaged on the way and is dropped "
                  "without any error message.",
                  h.checksum);
        pkt_free(sim, p);
        return;
    }
    pkt_trim(p, h.len);
    bool bcast = !stack_is_local(st, dst);
    struct udp_sock *s = udp_find(st, bcast ? 0 : dst, h.dport);
    char a[16];
    if (!s) {
        if (bcast) {
            STEP(sim, st->node, in, 4, TK_DROP, p, "UDP",
                 "no program on port %u\nThe broadcast datagram from %s is for port %u, where "
                 "nothing listens on this node, so it is dropped quietly (errors are never "
                 "sent about broadcasts).",
                 h.dport, ip4_str(src, a), h.dport);
        } else {
            DROP_STEP(sim, st->node, in, 4, TK_DROP, p, "UDP",
                      "port %u unreachable\nNo program listens on UDP port %u here, so the "
                      "datagram is dropped and %s gets an ICMP port unreachable.",
                      h.dport, h.dport, ip4_str(src, a));
            icmp_send_error(st, p, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
        }
        pkt_free(sim, p);
        return;
    }
    STEP(sim, st->node, in, 4, TK_DELIVER, p, "UDP",
         "User Datagram Protocol, Src Port: %u, Dst Port: %u\nThe destination port %u belongs "
         "to a program on this node, so UDP strips its header and hands it the %u bytes.",
         h.sport, h.dport, h.dport, (unsigned)(h.len - UDP_HDR_LEN));
    struct udp_meta m = {
        .src = src, .dst = dst, .sport = h.sport, .dport = h.dport, .in = in, .ttl = ip[8], .p = p};
    p->l4 = p->head;
    p->l7 = p->head + UDP_HDR_LEN;
    if (s->recv) s->recv(s->ctx, s, &m, pkt_data(p) + UDP_HDR_LEN, h.len - UDP_HDR_LEN);
    pkt_free(sim, p);
}

bool udp_icmp_error(struct netstack *st, uint32_t from, uint8_t type, uint8_t code,
                    const uint8_t *quoted, size_t len, const struct pkt *icmp_pkt)
{
    struct ip4_hdr h;
    if (ip4_read_header(quoted, len, &h) != IP4_OK || len < (size_t)h.ihl + 4u ||
        h.proto != IP4_PROTO_UDP)
        return false;
    const uint8_t *u = quoted + h.ihl;
    struct udp_sock *s = udp_find(st, h.src, get_be16(u + UDP_OFF_SPORT));
    if (!s || !s->err) return false;
    s->err(s->ctx, s, from, type, code, h.dst, get_be16(u + UDP_OFF_DPORT), icmp_pkt);
    return true;
}

void udp_free(struct netstack *st)
{
    struct udp_state *u = st->udp;
    if (!u) return;
    for (uint32_t i = 0; i < u->n; i++)
        free(u->s[i]);
    free(u->s);
    free(u);
    st->udp = NULL;
}
