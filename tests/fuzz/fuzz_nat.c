/* fuzz_nat.c - libFuzzer target for NAT (protocols/nat.c) on a live router:
 * r (inside eth0 192.168.1.1/24, outside eth1 198.51.100.2/24, default
 * route via 198.51.100.1, forwards tcp 8080 -> 192.168.1.10:80 and udp 5300
 * -> 192.168.1.10:53, short timeouts) between two fake neighbours that
 * inject raw frames and count what comes out. A UDP flow and a ping from
 * 192.168.1.10 are set up first, so that inbound packets have something to
 * match.
 *
 * The input is up to 16 records: [flags][len][len bytes of IPv4 packet].
 * flags bit 0: 0 = from the inside neighbour, 1 = from the outside one;
 * bit 1: make the IPv4 header's total length and checksum right; bit 2: aim
 * it (inside: source 192.168.1.10 + (flags >> 4), destination 203.0.113.5;
 * outside: destination the router's outside address); bit 3: make the
 * TCP/UDP/ICMP checksum right. After the records the sim runs on until
 * every entry has expired. Every step is formatted (a trace sink listens).
 *
 * Properties: every IPv4 frame the router sends has a valid header
 * checksum, and no packet that came in from the inside leaves by the
 * outside interface with any source but the outside address. */
#include "fuzz.h"
#include "../unit/fixture.h"
#include "protocols/arp_wire.h"
#include "protocols/icmp_wire.h"
#include "protocols/nat.h"
#include "protocols/tcp_wire.h"
#include "protocols/udp_wire.h"

#define G      IP(198, 51, 100, 2)
#define GW     IP(198, 51, 100, 1)
#define INSIDE IP(192, 168, 1, 10)
#define REMOTE IP(203, 0, 113, 5)

struct world {
    struct sim *sim;
    struct node *r;
    struct iface *in, *out;
    struct node *inj_in, *inj_out;
    struct fx_counter c_in, c_out;
    uint64_t from_inside[64]; /* packet ids received on r:eth0 */
    int n_inside;
};

static void sink(void *ctx, const struct trace_step *s)
{
    struct world *w = ctx;
    if (s->node != w->r || !s->frame || s->frame_len < ETH_HDR_LEN + IP4_HDR_LEN ||
        get_be16(s->frame + 12) != ETH_TYPE_IPV4)
        return;
    const uint8_t *ip = s->frame + ETH_HDR_LEN;
    if (s->kind == TK_RECEIVE && s->iface == w->in && w->n_inside < 64)
        w->from_inside[w->n_inside++] = s->pkt_id;
    if (s->kind != TK_TRANSMIT) return;
    size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
    FUZZ_ASSERT(ihl >= IP4_HDR_LEN && ETH_HDR_LEN + ihl <= s->frame_len);
    FUZZ_ASSERT(inet_sum(ip, ihl, 0) == 0xffff);
    if (s->iface != w->out) return;
    for (int i = 0; i < w->n_inside; i++)
        if (w->from_inside[i] == s->pkt_id) FUZZ_ASSERT(get_be32(ip + IP4_OFF_SRC) == G);
}

/* An ARP request from a neighbour for the router's address, so the router
 * learns the neighbour's MAC and sends to it without asking. */
static void introduce(struct world *w, struct node *inj, struct iface *to, uint32_t ip)
{
    struct pkt *p = fx_frame(w->sim, to->mac, inj->ifaces[0]->mac, ETH_TYPE_ARP, ARP_LEN, 0);
    struct arp_msg m = {.op = ARP_OP_REQUEST, .spa = ip, .tpa = iface_addr(to)};
    memcpy(m.sha, inj->ifaces[0]->mac, 6);
    arp_emit(&m, pkt_data(p) + ETH_HDR_LEN);
    link_transmit(w->sim, inj->ifaces[0], p);
}

static void send_ip(struct world *w, bool outside, const uint8_t *ip, size_t len)
{
    struct node *inj = outside ? w->inj_out : w->inj_in;
    struct iface *to = outside ? w->out : w->in;
    struct pkt *p = fx_frame(w->sim, to->mac, inj->ifaces[0]->mac, ETH_TYPE_IPV4, (uint32_t)len, 0);
    memcpy(pkt_data(p) + ETH_HDR_LEN, ip, len);
    link_transmit(w->sim, inj->ifaces[0], p);
    sim_run_until(w->sim, sim_now(w->sim) + SIM_MS);
}

/* Fixes up a record's packet as its flags ask. */
static void shape(uint8_t *ip, size_t len, uint8_t flags)
{
    if (len < IP4_HDR_LEN) return;
    size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
    if (flags & 4) {
        if (flags & 1) {
            put_be32(ip + IP4_OFF_DST, G);
        } else {
            put_be32(ip + IP4_OFF_SRC, INSIDE + (flags >> 4));
            put_be32(ip + IP4_OFF_DST, REMOTE);
        }
    }
    if ((flags & 8) && ihl >= IP4_HDR_LEN && ihl < len) {
        uint8_t *l4 = ip + ihl;
        size_t n = len - ihl;
        uint32_t s = get_be32(ip + IP4_OFF_SRC), d = get_be32(ip + IP4_OFF_DST);
        if (ip[IP4_OFF_PROTO] == IP4_PROTO_TCP && n >= TCP_HDR_LEN)
            tcp_checksum_fill(l4, n, s, d);
        else if (ip[IP4_OFF_PROTO] == IP4_PROTO_UDP && n >= UDP_HDR_LEN)
            put_be16(l4 + UDP_OFF_CHECKSUM, udp_checksum_compute(l4, n, s, d));
        else if (ip[IP4_OFF_PROTO] == IP4_PROTO_ICMP && n >= ICMP_HDR_LEN)
            put_be16(l4 + ICMP_OFF_CHECKSUM, icmp_checksum_compute(l4, n));
    }
    if (flags & 2) {
        ip[0] = (uint8_t)(0x40 | (ihl >= IP4_HDR_LEN && ihl <= len ? ihl / 4 : 5));
        ihl = (size_t)(ip[0] & 0x0f) * 4;
        put_be16(ip + IP4_OFF_TOTAL, (uint16_t)len);
        put_be16(ip + IP4_OFF_CHECKSUM, ip4_header_checksum(ip, ihl));
    }
}

/* The flows set up before the input: UDP 192.168.1.10:5000 -> 53 and an
 * echo request with identifier 7. */
static void seed_flows(struct world *w)
{
    uint8_t b[64];
    struct ip4_hdr h = {.ihl = 20, .ttl = 64, .src = INSIDE, .dst = REMOTE};
    h.proto = IP4_PROTO_UDP;
    h.total_len = 20 + 12;
    memcpy(b + 28, "abcd", 4);
    udp_emit(b + 20, 5000, 53, 12, INSIDE, REMOTE, true);
    ip4_emit(&h, b);
    send_ip(w, false, b, h.total_len);
    h.proto = IP4_PROTO_ICMP;
    h.total_len = 20 + 8;
    struct icmp_msg m = {.type = ICMP_ECHO_REQUEST, .id = 7, .seq = 1};
    icmp_emit(&m, b + 20);
    ip4_emit(&h, b);
    send_ip(w, false, b, h.total_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct world w;
    memset(&w, 0, sizeof w);
    w.sim = sim_new(1);
    w.r = node_new(w.sim, "r", NODE_ROUTER);
    w.in = iface_new(w.r, "eth0", NULL);
    w.out = iface_new(w.r, "eth1", NULL);
    iface_add_addr(w.in, IP(192, 168, 1, 1), 24);
    iface_add_addr(w.out, G, 24);
    struct netstack *st = stack_install(w.r);
    stack_add_route(st, 0, 0, GW, NULL);
    struct nat_timeouts to = {100 * SIM_S, 10 * SIM_S, 30 * SIM_S, 10 * SIM_S};
    nat_start(st, w.out, &w.in, 1, &to);
    struct nat_forward f1 = {IP4_PROTO_TCP, 8080, INSIDE, 80},
                       f2 = {IP4_PROTO_UDP, 5300, INSIDE, 53};
    nat_add_forward(st, &f1);
    nat_add_forward(st, &f2);
    w.inj_in = fx_fake(w.sim, "inside", "eth0", &w.c_in);
    w.inj_out = fx_fake(w.sim, "outside", "eth0", &w.c_out);
    link_connect(w.sim, w.inj_in->ifaces[0], w.in, NULL);
    link_connect(w.sim, w.inj_out->ifaces[0], w.out, NULL);
    trace_subscribe(w.sim, TRACE_ALL, sink, &w);
    introduce(&w, w.inj_in, w.in, INSIDE);
    introduce(&w, w.inj_out, w.out, GW);
    sim_run_until(w.sim, SIM_MS);
    seed_flows(&w);

    size_t off = 0;
    for (int rec = 0; rec < 16 && off + 2 <= size; rec++) {
        uint8_t flags = data[off], len = data[off + 1];
        off += 2;
        if (len > size - off) len = (uint8_t)(size - off);
        uint8_t ip[256];
        memcpy(ip, data + off, len);
        off += len;
        shape(ip, len, flags);
        send_ip(&w, flags & 1, ip, len);
    }
    const struct nat_entry *e[4];
    uint32_t n = nat_entries(st, e, 4);
    for (uint32_t i = 0; i < n && i < 4; i++)
        FUZZ_ASSERT(e[i]->used && e[i]->expires > sim_now(w.sim));
    sim_run_until(w.sim, sim_now(w.sim) + 300 * SIM_S);
    FUZZ_ASSERT(nat_entries(st, NULL, 0) == 0);
    sim_free(w.sim);
    return 0;
}
