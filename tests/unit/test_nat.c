/* test_nat.c - NAT (protocols/nat.h, RFC 3022 NAPT) on a router built from
 * scenario JSON: h1, h2 and web inside (192.168.1.0/24), r1 doing NAT to
 * 198.51.100.2, isp, and srv outside.
 *
 * The rewrite tests hand packets straight to nat_outbound()/nat_inbound()
 * and check the bytes: addresses and ports, and every checksum recomputed
 * from scratch (IPv4 header, TCP, UDP with and without a checksum, ICMP, and
 * inside ICMP errors the quoted header and transport checksums, which must
 * come back exactly as the inside host sent them). Then: two inside hosts on
 * the same source port or echo identifier, endpoint-independent mapping,
 * the privileged port range, expiry and refresh by timer, TCP's transitory
 * and established timeouts, static forwards (and an ICMP error about a
 * forwarded flow going back out), filtering of unknown inbound packets, and
 * drops of what cannot be translated. End to end: ping, traceroute (UDP and
 * ICMP probes), a fragmented datagram and `show ip nat translations`. */
#include "check.h"
#include "fixture.h"
#include "protocols/icmp_wire.h"
#include "protocols/ip4.h"
#include "protocols/nat.h"
#include "protocols/tcp_wire.h"
#include "protocols/udp.h"
#include "scenarios/shell.h"

#define G   IP(198, 51, 100, 2)
#define H1  IP(192, 168, 1, 10)
#define H2  IP(192, 168, 1, 11)
#define WEB IP(192, 168, 1, 20)
#define SRV IP(203, 0, 113, 5)
#define ISP IP(198, 51, 100, 1)

static const char *const NET =
    "{\"netstep\": 1, \"nodes\": [\n"
    " {\"name\": \"h1\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"192.168.1.10/24\"}], \"gateway\": \"192.168.1.1\"},\n"
    " {\"name\": \"h2\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"192.168.1.11/24\"}], \"gateway\": \"192.168.1.1\"},\n"
    " {\"name\": \"web\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"192.168.1.20/24\"}], \"gateway\": \"192.168.1.1\", \"services\": {\"echo\": {}}},\n"
    " {\"name\": \"sw\", \"type\": \"switch\", \"ports\": 4},\n"
    " {\"name\": \"r1\", \"type\": \"router\", \"interfaces\": [\n"
    "   {\"name\": \"eth0\", \"ip\": \"192.168.1.1/24\"}, {\"name\": \"eth1\", \"ip\": "
    "\"198.51.100.2/24\"}],\n"
    "  \"routes\": [{\"to\": \"0.0.0.0/0\", \"via\": \"198.51.100.1\"}],\n"
    "  \"nat\": {\"inside\": [\"eth0\"], \"outside\": \"eth1\",\n"
    "   \"forward\": [{\"protocol\": \"tcp\", \"port\": 8080, \"to\": \"192.168.1.20:80\"},\n"
    "               {\"protocol\": \"udp\", \"port\": 5300, \"to\": \"192.168.1.20:53\"},\n"
    "               {\"protocol\": \"tcp\", \"port\": 8007, \"to\": \"192.168.1.20:7\"}],\n"
    "   \"timeouts\": {\"tcp\": \"1h\", \"tcp_transitory\": \"20s\", \"udp\": \"30s\", "
    "\"icmp\": \"10s\"}}},\n"
    " {\"name\": \"isp\", \"type\": \"router\", \"interfaces\": [\n"
    "   {\"name\": \"eth0\", \"ip\": \"198.51.100.1/24\"}, {\"name\": \"eth1\", \"ip\": "
    "\"203.0.113.1/24\"}]},\n"
    " {\"name\": \"srv\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"203.0.113.5/24\"}], \"gateway\": \"203.0.113.1\", \"services\": {\"echo\": {}}}],\n"
    " \"links\": [{\"a\": \"h1:eth0\", \"b\": \"sw:1\"}, {\"a\": \"h2:eth0\", \"b\": \"sw:2\"},\n"
    "   {\"a\": \"web:eth0\", \"b\": \"sw:3\"}, {\"a\": \"sw:4\", \"b\": \"r1:eth0\"},\n"
    "   {\"a\": \"r1:eth1\", \"b\": \"isp:eth0\"}, {\"a\": \"isp:eth1\", \"b\": \"srv:eth0\"}]}\n";

struct t {
    struct sim *sim;
    struct netstack *r1;
    struct iface *in, *out;
    struct fx_log log;
};

static bool t_init(struct t *t)
{
    memset(t, 0, sizeof *t);
    t->sim = fx_build(NET, 1);
    if (!t->sim) return false;
    t->r1 = node_stack(sim_find_node(t->sim, "r1"));
    t->in = fx_iface(t->sim, "r1", "eth0");
    t->out = fx_iface(t->sim, "r1", "eth1");
    trace_subscribe(t->sim, TRACE_ALL, fx_log_sink, &t->log);
    return t->r1 && t->r1->nat && t->in && t->out;
}

static void t_free(struct t *t)
{
    sim_free(t->sim);
    fx_log_free(&t->log);
}

/* ---- packets ---- */

static struct pkt *mk_ip(struct sim *sim, uint32_t src, uint32_t dst, uint8_t proto,
                         const uint8_t *l4, size_t len)
{
    struct pkt *p = pkt_new(sim, PKT_HEADROOM, (uint32_t)(IP4_HDR_LEN + len));
    struct ip4_hdr h = {.ihl = 20,
                        .total_len = (uint16_t)(IP4_HDR_LEN + len),
                        .id = 0x4242,
                        .ttl = 63,
                        .proto = proto,
                        .src = src,
                        .dst = dst};
    ip4_emit(&h, pkt_data(p));
    memcpy(pkt_data(p) + IP4_HDR_LEN, l4, len);
    p->l3 = p->head;
    return p;
}

static struct pkt *mk_udp(struct sim *sim, uint32_t src, uint16_t sport, uint32_t dst,
                          uint16_t dport, bool csum)
{
    uint8_t u[UDP_HDR_LEN + 11];
    memcpy(u + UDP_HDR_LEN, "hello there", 11);
    udp_emit(u, sport, dport, sizeof u, src, dst, csum);
    return mk_ip(sim, src, dst, IP4_PROTO_UDP, u, sizeof u);
}

static struct pkt *mk_tcp(struct sim *sim, uint32_t src, uint16_t sport, uint32_t dst,
                          uint16_t dport, uint16_t flags)
{
    uint8_t seg[TCP_HDR_LEN + 4];
    struct tcp_hdr h = {
        .sport = sport, .dport = dport, .seq = 1000, .ack = 77, .flags = flags, .window = 65535};
    size_t n = tcp_emit(seg, &h);
    memcpy(seg + n, "data", 4);
    tcp_checksum_fill(seg, n + 4, src, dst);
    return mk_ip(sim, src, dst, IP4_PROTO_TCP, seg, n + 4);
}

static struct pkt *mk_echo(struct sim *sim, uint32_t src, uint32_t dst, uint8_t type, uint16_t id)
{
    uint8_t m[ICMP_HDR_LEN + 16], body[16];
    for (int i = 0; i < 16; i++)
        body[i] = (uint8_t)(0x30 + i);
    struct icmp_msg msg = {.type = type, .id = id, .seq = 1, .body = body, .body_len = 16};
    icmp_emit(&msg, m);
    return mk_ip(sim, src, dst, IP4_PROTO_ICMP, m, sizeof m);
}

/* An ICMP error from `from` to `to` quoting the first `quote` bytes of q. */
static struct pkt *mk_error(struct sim *sim, uint32_t from, uint32_t to, uint8_t type, uint8_t code,
                            const uint8_t *q, size_t quote)
{
    uint8_t m[ICMP_HDR_LEN + 128];
    struct icmp_msg msg = {.type = type, .code = code, .body = q, .body_len = quote};
    size_t n = icmp_emit(&msg, m);
    return mk_ip(sim, from, to, IP4_PROTO_ICMP, m, n);
}

static uint8_t *ipb(struct pkt *p)
{
    return pkt_data(p);
}
static uint32_t src_of(struct pkt *p)
{
    return get_be32(ipb(p) + IP4_OFF_SRC);
}
static uint32_t dst_of(struct pkt *p)
{
    return get_be32(ipb(p) + IP4_OFF_DST);
}
static uint16_t sport_of(struct pkt *p)
{
    return get_be16(ipb(p) + 20);
}
static uint16_t dport_of(struct pkt *p)
{
    return get_be16(ipb(p) + 22);
}
static uint16_t echo_id(struct pkt *p)
{
    return get_be16(ipb(p) + 20 + ICMP_OFF_ID);
}

/* Every checksum of the packet, recomputed from scratch: the IPv4 header,
 * then TCP, UDP (unless 0) or ICMP over the whole payload. */
static void check_sums(struct pkt *p)
{
    const uint8_t *ip = ipb(p);
    CHECK_EQ(get_be16(ip + IP4_OFF_CHECKSUM), ip4_header_checksum(ip, 20));
    const uint8_t *l4 = ip + 20;
    size_t n = p->len - 20;
    uint32_t s = get_be32(ip + IP4_OFF_SRC), d = get_be32(ip + IP4_OFF_DST);
    switch (ip[IP4_OFF_PROTO]) {
    case IP4_PROTO_TCP:
        CHECK_EQ(get_be16(l4 + TCP_OFF_CSUM), tcp_checksum_compute(l4, n, s, d));
        break;
    case IP4_PROTO_UDP:
        if (get_be16(l4 + UDP_OFF_CHECKSUM))
            CHECK_EQ(get_be16(l4 + UDP_OFF_CHECKSUM), udp_checksum_compute(l4, n, s, d));
        break;
    case IP4_PROTO_ICMP:
        CHECK_EQ(get_be16(l4 + ICMP_OFF_CHECKSUM), icmp_checksum_compute(l4, n));
        break;
    }
}

/* nat_inbound as ip4_input calls it; checks that *h follows the bytes. */
static void inbound(struct t *t, struct pkt *p)
{
    struct ip4_hdr h;
    CHECK_EQ(ip4_parse(ipb(p), p->len, &h), IP4_OK);
    nat_inbound(t->r1, t->out, p, &h);
    CHECK_EQ(h.dst, dst_of(p));
    CHECK_EQ(ip4_parse(ipb(p), p->len, &h), IP4_OK);
}

static uint32_t n_entries(struct t *t)
{
    return nat_entries(t->r1, NULL, 0);
}

/* ---- the tests ---- */

static void test_udp(void)
{
    struct t t;
    if (!t_init(&t)) {
        CHECK(0);
        return;
    }
    struct pkt *p = mk_udp(t.sim, H1, 51000, SRV, 53, true);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    CHECK_EQ(src_of(p), G);
    CHECK_EQ(sport_of(p), 51000); /* kept: nobody else holds it */
    CHECK_EQ(dst_of(p), SRV);
    CHECK_EQ(dport_of(p), 53);
    check_sums(p);
    pkt_free(t.sim, p);
    CHECK_EQ(fx_count(&t.log, TK_FORWARD, "r1",
                      "192.168.1.10:51000 -> 198.51.100.2:51000 (inside local -> inside global)"),
             1);
    const struct fx_step *s = fx_nth(&t.log, TK_FORWARD, "r1:eth1", 0);
    CHECK(s && !strcmp(s->proto, "NAT") && s->layer == 3 && strstr(s->why, "is kept"));
    /* the reply comes back to the inside host */
    p = mk_udp(t.sim, SRV, 53, G, 51000, true);
    inbound(&t, p);
    CHECK_EQ(dst_of(p), H1);
    CHECK_EQ(dport_of(p), 51000);
    CHECK_EQ(src_of(p), SRV);
    check_sums(p);
    pkt_free(t.sim, p);
    CHECK_EQ(fx_count(&t.log, TK_FORWARD, "r1:eth1",
                      "198.51.100.2:51000 -> 192.168.1.10:51000 (inside global -> inside local)"),
             1);
    /* a UDP checksum of 0 (none) stays 0 both ways */
    p = mk_udp(t.sim, H1, 51001, SRV, 53, false);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    CHECK_EQ(get_be16(ipb(p) + 20 + UDP_OFF_CHECKSUM), 0);
    check_sums(p);
    pkt_free(t.sim, p);
    p = mk_udp(t.sim, SRV, 53, G, 51001, false);
    inbound(&t, p);
    CHECK_EQ(dst_of(p), H1);
    CHECK_EQ(get_be16(ipb(p) + 20 + UDP_OFF_CHECKSUM), 0);
    check_sums(p);
    pkt_free(t.sim, p);
    /* many ports: every incremental update agrees with a recomputation */
    for (uint16_t port = 40000; port < 40200; port++) {
        p = mk_udp(t.sim, (port & 1) ? H1 : H2, port, SRV + port, (uint16_t)(port * 7), true);
        CHECK(nat_outbound(t.r1, t.in, t.out, p));
        check_sums(p);
        pkt_free(t.sim, p);
    }
    t_free(&t);
}

static void test_tcp(void)
{
    struct t t;
    if (!t_init(&t)) {
        CHECK(0);
        return;
    }
    struct pkt *p = mk_tcp(t.sim, H1, 40000, SRV, 80, TCP_SYN);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    CHECK_EQ(src_of(p), G);
    CHECK_EQ(sport_of(p), 40000);
    check_sums(p);
    pkt_free(t.sim, p);
    const struct nat_entry *e;
    CHECK_EQ(nat_entries(t.r1, &e, 1), 1);
    sim_time now = sim_now(t.sim);
    CHECK_EQ(e->expires - now, 20 * SIM_S); /* transitory: handshake not done */
    p = mk_tcp(t.sim, SRV, 80, G, 40000, TCP_SYN | TCP_ACK);
    inbound(&t, p);
    CHECK_EQ(dst_of(p), H1);
    CHECK_EQ(dport_of(p), 40000);
    check_sums(p);
    pkt_free(t.sim, p);
    p = mk_tcp(t.sim, H1, 40000, SRV, 80, TCP_ACK);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    pkt_free(t.sim, p);
    CHECK_EQ(e->expires - now, 3600 * SIM_S); /* established */
    /* FIN both ways: transitory again */
    p = mk_tcp(t.sim, H1, 40000, SRV, 80, TCP_FIN | TCP_ACK);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    pkt_free(t.sim, p);
    CHECK_EQ(e->expires - now, 3600 * SIM_S);
    p = mk_tcp(t.sim, SRV, 80, G, 40000, TCP_FIN | TCP_ACK);
    inbound(&t, p);
    check_sums(p);
    pkt_free(t.sim, p);
    CHECK_EQ(e->expires - now, 20 * SIM_S);
    CHECK(e->tcp & NAT_TCP_FIN_IN);
    sim_run_until(t.sim, now + 21 * SIM_S);
    CHECK_EQ(n_entries(&t), 0);
    CHECK_EQ(fx_count(&t.log, TK_STATE, "r1", "translation expired tcp"), 1);
    t_free(&t);
}

static void test_icmp_echo(void)
{
    struct t t;
    if (!t_init(&t)) {
        CHECK(0);
        return;
    }
    struct pkt *p = mk_echo(t.sim, H1, SRV, ICMP_ECHO_REQUEST, 0x1234);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    CHECK_EQ(src_of(p), G);
    CHECK_EQ(echo_id(p), 0x1234);
    check_sums(p);
    pkt_free(t.sim, p);
    /* h2 uses the same identifier: it gets the next one */
    p = mk_echo(t.sim, H2, SRV, ICMP_ECHO_REQUEST, 0x1234);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    CHECK_EQ(echo_id(p), 0x1235);
    check_sums(p);
    pkt_free(t.sim, p);
    const struct fx_step *s = fx_nth(&t.log, TK_FORWARD, "r1:eth1", 1);
    CHECK(s && strstr(s->why, "already held by 192.168.1.10:4660"));
    /* replies go to the right host, with the identifier it used */
    p = mk_echo(t.sim, SRV, G, ICMP_ECHO_REPLY, 0x1235);
    inbound(&t, p);
    CHECK_EQ(dst_of(p), H2);
    CHECK_EQ(echo_id(p), 0x1234);
    check_sums(p);
    pkt_free(t.sim, p);
    p = mk_echo(t.sim, SRV, G, ICMP_ECHO_REPLY, 0x1234);
    inbound(&t, p);
    CHECK_EQ(dst_of(p), H1);
    CHECK_EQ(echo_id(p), 0x1234);
    check_sums(p);
    pkt_free(t.sim, p);
    /* an echo request to the outside address is the router's own business */
    p = mk_echo(t.sim, SRV, G, ICMP_ECHO_REQUEST, 0x1234);
    inbound(&t, p);
    CHECK_EQ(dst_of(p), G);
    pkt_free(t.sim, p);
    /* a reply from another address matches no flow */
    p = mk_echo(t.sim, SRV + 1, G, ICMP_ECHO_REPLY, 0x1234);
    inbound(&t, p);
    CHECK_EQ(dst_of(p), G);
    pkt_free(t.sim, p);
    t_free(&t);
}

static void test_ports(void)
{
    struct t t;
    if (!t_init(&t)) {
        CHECK(0);
        return;
    }
    struct {
        uint32_t src;
        uint16_t sport;
        uint32_t dst;
        uint16_t want;
    } cases[] = {
        {H1, 51000, SRV, 51000},     {H2, 51000, SRV, 51001},     /* collision */
        {H1, 51000, SRV + 1, 51000}, {H2, 51000, SRV + 1, 51001}, /* same mapping per endpoint */
        {H2, 51001, SRV, 51002},                                  /* 51001 is h2:51000's */
        {H1, 500, SRV, 500},         {H2, 500, SRV, 501},         /* privileged stays privileged */
        {H1, 511, SRV, 511},         {H2, 511, SRV, 1},           /* and wraps inside its range */
        {H1, 8080, SRV, 8081},                                    /* 8080 is forwarded to web:80 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pkt *p = mk_tcp(t.sim, cases[i].src, cases[i].sport, cases[i].dst, 80, TCP_SYN);
        CHECK(nat_outbound(t.r1, t.in, t.out, p));
        CHECK_EQ(sport_of(p), cases[i].want);
        check_sums(p);
        pkt_free(t.sim, p);
    }
    /* web:80, the forward's own target, keeps its forwarded port */
    struct pkt *p = mk_tcp(t.sim, WEB, 80, SRV, 80, TCP_SYN);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    CHECK_EQ(sport_of(p), 80);
    pkt_free(t.sim, p);
    /* replies keep the two flows on 51000 apart */
    p = mk_tcp(t.sim, SRV, 80, G, 51001, TCP_SYN | TCP_ACK);
    inbound(&t, p);
    CHECK_EQ(dst_of(p), H2);
    CHECK_EQ(dport_of(p), 51000);
    pkt_free(t.sim, p);
    p = mk_tcp(t.sim, SRV + 1, 80, G, 51000, TCP_SYN | TCP_ACK);
    inbound(&t, p);
    CHECK_EQ(dst_of(p), H1);
    pkt_free(t.sim, p);
    /* shown in creation order */
    const struct nat_entry *e[16];
    CHECK_EQ(nat_entries(t.r1, e, 16), 11);
    CHECK_EQ(e[0]->in_addr, H1);
    CHECK_EQ(e[1]->g_port, 51001);
    CHECK_EQ(e[10]->in_addr, WEB);
    t_free(&t);
}

static void test_expiry(void)
{
    struct t t;
    if (!t_init(&t)) {
        CHECK(0);
        return;
    }
    sim_time t0 = sim_now(t.sim);
    struct pkt *p = mk_udp(t.sim, H1, 51000, SRV, 53, true);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    pkt_free(t.sim, p);
    p = mk_echo(t.sim, H1, SRV, ICMP_ECHO_REQUEST, 9);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    pkt_free(t.sim, p);
    CHECK_EQ(n_entries(&t), 2);
    /* ICMP goes after 10 s; UDP is used at 20 s, so it lives until 50 s */
    sim_run_until(t.sim, t0 + 20 * SIM_S);
    CHECK_EQ(n_entries(&t), 1);
    CHECK_EQ(fx_count(&t.log, TK_STATE, "r1", "translation expired icmp"), 1);
    p = mk_udp(t.sim, SRV, 53, G, 51000, true);
    inbound(&t, p);
    CHECK_EQ(dst_of(p), H1);
    pkt_free(t.sim, p);
    sim_run_until(t.sim, t0 + 49 * SIM_S);
    CHECK_EQ(n_entries(&t), 1);
    sim_run_until(t.sim, t0 + 50 * SIM_S);
    CHECK_EQ(n_entries(&t), 0);
    const struct fx_step *s = NULL;
    for (size_t i = 0; i < t.log.n; i++)
        if (t.log.s[i].kind == TK_STATE && strstr(t.log.s[i].summary, "expired udp"))
            s = &t.log.s[i];
    CHECK(s && s->time == t0 + 50 * SIM_S);
    CHECK(s && strstr(s->why, "for 30 s (the UDP timeout)"));
    /* a late reply is not translated: the router handles it itself */
    p = mk_udp(t.sim, SRV, 53, G, 51000, true);
    inbound(&t, p);
    CHECK_EQ(dst_of(p), G);
    pkt_free(t.sim, p);
    /* the port is free again, for the other host */
    p = mk_udp(t.sim, H2, 51000, SRV, 53, true);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    CHECK_EQ(sport_of(p), 51000);
    pkt_free(t.sim, p);
    t_free(&t);
}

static void test_forward(void)
{
    struct t t;
    if (!t_init(&t)) {
        CHECK(0);
        return;
    }
    struct pkt *p = mk_tcp(t.sim, SRV, 33000, G, 8080, TCP_SYN);
    inbound(&t, p);
    CHECK_EQ(dst_of(p), WEB);
    CHECK_EQ(dport_of(p), 80);
    CHECK_EQ(src_of(p), SRV);
    check_sums(p);
    pkt_free(t.sim, p);
    CHECK_EQ(fx_count(&t.log, TK_FORWARD, "r1:eth1", "198.51.100.2:8080 -> 192.168.1.20:80"), 1);
    const struct fx_step *s = fx_nth(&t.log, TK_FORWARD, "r1:eth1", 0);
    CHECK(s && strstr(s->why, "static port forward"));
    /* web's answer goes out from the forwarded port */
    p = mk_tcp(t.sim, WEB, 80, SRV, 33000, TCP_SYN | TCP_ACK);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    CHECK_EQ(src_of(p), G);
    CHECK_EQ(sport_of(p), 8080);
    check_sums(p);
    pkt_free(t.sim, p);
    const struct nat_entry *e;
    CHECK_EQ(nat_entries(t.r1, &e, 1), 1);
    CHECK(e->forwarded);
    /* a port nobody forwards, with no flow: left to the router */
    p = mk_tcp(t.sim, SRV, 33000, G, 8081, TCP_SYN);
    uint8_t before[64];
    memcpy(before, ipb(p), p->len);
    inbound(&t, p);
    CHECK_MEM(ipb(p), before, p->len);
    pkt_free(t.sim, p);
    /* a flow's reply from another port of the same host is filtered out */
    p = mk_tcp(t.sim, SRV, 33001, G, 8080, TCP_ACK);
    inbound(&t, p);
    CHECK_EQ(dst_of(p), WEB); /* ... but 8080 is forwarded: a new flow */
    pkt_free(t.sim, p);
    CHECK_EQ(n_entries(&t), 2);
    t_free(&t);
}

/* An ICMP error about a translated packet comes back in: outer destination
 * and the quoted source are rewritten back, and the quoted bytes are
 * exactly what the inside host sent (checksums included). */
static void test_icmp_errors(void)
{
    struct t t;
    if (!t_init(&t)) {
        CHECK(0);
        return;
    }
    /* time exceeded about a UDP probe (traceroute), 8 bytes quoted */
    uint8_t orig[128], sent[128];
    struct pkt *p = mk_udp(t.sim, H2, 51000, SRV, 1, true); /* takes 51000 first */
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    pkt_free(t.sim, p);
    p = mk_udp(t.sim, H1, 51000, SRV, 33434, true);
    memcpy(orig, ipb(p), p->len);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    CHECK_EQ(sport_of(p), 51001);
    memcpy(sent, ipb(p), p->len);
    pkt_free(t.sim, p);
    p = mk_error(t.sim, ISP, G, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, sent, 28);
    inbound(&t, p);
    CHECK_EQ(dst_of(p), H1);
    CHECK_EQ(src_of(p), ISP);
    check_sums(p);
    CHECK_MEM(ipb(p) + 28, orig, 28);
    pkt_free(t.sim, p);
    CHECK_EQ(fx_count(&t.log, TK_FORWARD, "r1:eth1",
                      "ICMP error for 198.51.100.2:51001 -> 192.168.1.10:51000"),
             1);
    /* a whole TCP segment quoted (as Linux quotes up to 576 bytes): the TCP
     * checksum is in the quote, and comes back too */
    p = mk_tcp(t.sim, H2, 51000, SRV, 80, TCP_SYN);
    size_t tlen = p->len;
    memcpy(orig, ipb(p), tlen);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    memcpy(sent, ipb(p), tlen);
    pkt_free(t.sim, p);
    CHECK(memcmp(orig, sent, tlen) != 0);
    p = mk_error(t.sim, SRV, G, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, sent, tlen);
    inbound(&t, p);
    CHECK_EQ(dst_of(p), H2);
    check_sums(p);
    CHECK_MEM(ipb(p) + 28, orig, tlen);
    pkt_free(t.sim, p);
    /* an echo request quoted (ping -t, traceroute -I): id and its checksum */
    p = mk_echo(t.sim, H1, SRV, ICMP_ECHO_REQUEST, 77);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    pkt_free(t.sim, p);
    p = mk_echo(t.sim, H2, SRV, ICMP_ECHO_REQUEST, 77);
    memcpy(orig, ipb(p), p->len);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    CHECK_EQ(echo_id(p), 78);
    memcpy(sent, ipb(p), 28);
    pkt_free(t.sim, p);
    p = mk_error(t.sim, ISP, G, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, sent, 28);
    inbound(&t, p);
    CHECK_EQ(dst_of(p), H2);
    check_sums(p);
    CHECK_MEM(ipb(p) + 28, orig, 28);
    pkt_free(t.sim, p);
    /* an error about a packet NAT never sent is left alone */
    p = mk_udp(t.sim, G, 40000, SRV, 33434, true);
    memcpy(sent, ipb(p), 28);
    pkt_free(t.sim, p);
    p = mk_error(t.sim, ISP, G, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, sent, 28);
    memcpy(orig, ipb(p), p->len);
    inbound(&t, p);
    CHECK_MEM(ipb(p), orig, p->len);
    pkt_free(t.sim, p);
    /* so is one with a bad ICMP checksum */
    p = mk_udp(t.sim, H1, 51000, SRV, 33435, true);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    memcpy(sent, ipb(p), 28);
    pkt_free(t.sim, p);
    p = mk_error(t.sim, ISP, G, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, sent, 28);
    ipb(p)[20 + ICMP_OFF_CHECKSUM] ^= 1;
    inbound(&t, p);
    CHECK_EQ(dst_of(p), G);
    pkt_free(t.sim, p);

    /* going out: web answers a forwarded datagram with port unreachable */
    p = mk_udp(t.sim, SRV, 40000, G, 5300, true);
    memcpy(orig, ipb(p), p->len);
    inbound(&t, p);
    CHECK_EQ(dst_of(p), WEB);
    CHECK_EQ(dport_of(p), 53);
    memcpy(sent, ipb(p), 28);
    pkt_free(t.sim, p);
    p = mk_error(t.sim, WEB, SRV, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, sent, 28);
    CHECK(nat_outbound(t.r1, t.in, t.out, p));
    CHECK_EQ(src_of(p), G);
    CHECK_EQ(dst_of(p), SRV);
    check_sums(p);
    CHECK_MEM(ipb(p) + 28, orig, 28);
    pkt_free(t.sim, p);
    /* an inside host's error about a packet that did not come through NAT
     * is dropped rather than leak its private address */
    p = mk_udp(t.sim, SRV, 40001, WEB, 9, true);
    memcpy(sent, ipb(p), 28);
    pkt_free(t.sim, p);
    p = mk_error(t.sim, WEB, SRV, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, sent, 28);
    CHECK(!nat_outbound(t.r1, t.in, t.out, p));
    CHECK_EQ(fx_count(&t.log, TK_DROP, "r1:eth1", "ICMP error not related to a translation"), 1);
    t_free(&t);
}

static void test_untranslatable(void)
{
    struct t t;
    if (!t_init(&t)) {
        CHECK(0);
        return;
    }
    uint8_t gre[8] = {0};
    struct pkt *p = mk_ip(t.sim, H1, SRV, 47, gre, sizeof gre);
    CHECK(!nat_outbound(t.r1, t.in, t.out, p)); /* dropped and freed */
    CHECK_EQ(fx_count(&t.log, TK_DROP, "r1:eth1", "cannot translate"), 1);
    p = mk_echo(t.sim, H1, SRV, 13, 1); /* timestamp request */
    CHECK(!nat_outbound(t.r1, t.in, t.out, p));
    uint8_t shorttcp[10] = {0};
    p = mk_ip(t.sim, H1, SRV, IP4_PROTO_TCP, shorttcp, sizeof shorttcp);
    CHECK(!nat_outbound(t.r1, t.in, t.out, p));
    CHECK_EQ(n_entries(&t), 0);
    CHECK_EQ(t.r1->nat->drops, 3);
    /* not inside -> outside: untouched */
    p = mk_udp(t.sim, SRV, 1, H1, 2, true);
    uint8_t before[64];
    memcpy(before, ipb(p), p->len);
    CHECK(nat_outbound(t.r1, t.out, t.in, p));
    CHECK(nat_outbound(t.r1, t.in, t.in, p));
    CHECK_MEM(ipb(p), before, p->len);
    /* inbound on the inside interface: untouched */
    struct ip4_hdr h;
    ip4_parse(ipb(p), p->len, &h);
    nat_inbound(t.r1, t.in, p, &h);
    CHECK_MEM(ipb(p), before, p->len);
    pkt_free(t.sim, p);
    t_free(&t);
}

/* ---- end to end, through the real stacks ---- */

static struct shell_proc *run(struct sim *sim, const char *node, const char *cmd, sim_time for_)
{
    struct shell_proc *p = shell_run(sim, sim_find_node(sim, node), cmd, NULL, NULL);
    sim_run_until(sim, sim_now(sim) + for_);
    return p;
}

struct rx {
    int n;
    size_t len;
    uint16_t sport;
};

static void rx_fn(void *ctx, struct udp_sock *s, const struct udp_meta *m, const uint8_t *data,
                  size_t len)
{
    (void)s;
    (void)data;
    struct rx *r = ctx;
    r->n++;
    r->len = len;
    r->sport = m->sport;
}

static void test_end_to_end(void)
{
    struct t t;
    if (!t_init(&t)) {
        CHECK(0);
        return;
    }
    struct shell_proc *a =
        shell_run(t.sim, sim_find_node(t.sim, "h1"), "ping -c 2 -e 7 203.0.113.5", NULL, NULL);
    struct shell_proc *b =
        shell_run(t.sim, sim_find_node(t.sim, "h2"), "ping -c 2 -e 7 203.0.113.5", NULL, NULL);
    sim_run_until(t.sim, 3 * SIM_S);
    CHECK(a->done && a->exit_code == 0 && strstr(a->out, "2 received"));
    CHECK(b->done && b->exit_code == 0 && strstr(b->out, "2 received"));
    shell_proc_free(a);
    shell_proc_free(b);
    struct shell_proc *p = run(t.sim, "r1", "show ip nat translations", 0);
    CHECK(p->done && p->exit_code == 0);
    CHECK(strstr(p->out, "Pro  Inside global         Inside local          Outside local  "));
    CHECK(strstr(p->out, "tcp  198.51.100.2:8080     192.168.1.20:80       ---"));
    CHECK(strstr(p->out, "icmp 198.51.100.2:7        192.168.1.10:7        203.0.113.5:7"));
    CHECK(strstr(p->out, "icmp 198.51.100.2:8        192.168.1.11:7        203.0.113.5:8"));
    CHECK(strstr(p->out, "Total number of translations: 5"));
    shell_proc_free(p);
    p = run(t.sim, "r1", "show ip nat tr verbose", 0);
    CHECK(strstr(p->out, "packets"));
    shell_proc_free(p);
    p = run(t.sim, "r1", "show ip nat statistics", 0);
    CHECK(strstr(p->out, "Total active translations: 5 (3 static, 2 dynamic"));
    shell_proc_free(p);
    p = run(t.sim, "isp", "show ip nat translations", 0); /* no NAT: nothing, as IOS */
    CHECK(p->exit_code == 0 && p->out_len == 0);
    shell_proc_free(p);
    p = run(t.sim, "h1", "show ip nat translations", 0);
    CHECK_EQ(p->exit_code, 127);
    shell_proc_free(p);
    /* traceroute: the second hop's time exceeded and the last hop's port
     * unreachable come through NAT; then with ICMP echo probes */
    p = run(t.sim, "h1", "traceroute 203.0.113.5", 20 * SIM_S);
    CHECK(p->done && p->exit_code == 0);
    CHECK(strstr(p->out, " 1  192.168.1.1 "));
    CHECK(strstr(p->out, " 2  198.51.100.1 "));
    CHECK(strstr(p->out, " 3  203.0.113.5 "));
    CHECK(!strstr(p->out, "*"));
    shell_proc_free(p);
    p = run(t.sim, "h2", "traceroute -I 203.0.113.5", 20 * SIM_S);
    CHECK(p->done && strstr(p->out, " 2  198.51.100.1 ") && strstr(p->out, " 3  203.0.113.5 "));
    shell_proc_free(p);
    /* the outside never saw a private address */
    size_t leaks = 0, seen = 0;
    for (size_t i = 0; i < t.log.n; i++) {
        const struct fx_step *s = &t.log.s[i];
        const uint8_t *ip = fx_ip(s);
        if (s->kind != TK_TRANSMIT || !ip ||
            (strncmp(s->where, "isp", 3) && strcmp(s->where, "r1:eth1") && strcmp(s->node, "srv")))
            continue;
        seen++;
        for (int off = IP4_OFF_SRC; off <= IP4_OFF_DST; off += 4)
            if ((get_be32(ip + off) >> 16) == (192u << 8 | 168)) leaks++;
        if (ip[9] == IP4_PROTO_ICMP && s->len >= ETH_HDR_LEN + 56 && icmp_type_is_error(ip[20]))
            for (int off = 28 + IP4_OFF_SRC; off <= 28 + IP4_OFF_DST; off += 4)
                if ((get_be32(ip + off) >> 16) == (192u << 8 | 168)) leaks++;
    }
    CHECK(seen > 20);
    CHECK_EQ(leaks, 0);
    /* a datagram bigger than the MTU: fragments are reassembled at the NAT,
     * translated whole and fragmented again, both ways (srv echoes it) */
    struct rx rx = {0};
    struct udp_sock *s = udp_open(node_stack(sim_find_node(t.sim, "h1")), 0, 45000, rx_fn, &rx);
    static uint8_t big[3000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)i;
    CHECK_EQ(udp_sendto(s, SRV, 7, big, sizeof big, NULL), IP4_SENT);
    sim_run_until(t.sim, sim_now(t.sim) + SIM_S);
    CHECK_EQ(rx.n, 1);
    CHECK_EQ(rx.len, sizeof big);
    CHECK_EQ(rx.sport, 7);
    /* a TCP connection to a forwarded port reaches web's echo service */
    p = shell_run(t.sim, sim_find_node(t.sim, "srv"), "telnet 198.51.100.2 8007", NULL, NULL);
    p->input(p, "through the forward");
    sim_run_until(t.sim, sim_now(t.sim) + 5 * SIM_S);
    CHECK(strstr(p->out, "Connected to 198.51.100.2.") && strstr(p->out, "through the forward"));
    shell_proc_free(p);
    t_free(&t);
}

struct err_rx {
    int n;
    uint8_t type, code;
    uint32_t from, dst;
    uint16_t dport;
};

static void rx_none(void *ctx, struct udp_sock *s, const struct udp_meta *m, const uint8_t *data,
                    size_t len)
{
    (void)ctx;
    (void)s;
    (void)m;
    (void)data;
    (void)len;
}

static void err_fn(void *ctx, struct udp_sock *s, uint32_t from, uint8_t type, uint8_t code,
                   uint32_t dst, uint16_t dport, const struct pkt *icmp_pkt)
{
    (void)s;
    (void)icmp_pkt;
    struct err_rx *r = ctx;
    r->n++;
    r->type = type;
    r->code = code;
    r->from = from;
    r->dst = dst;
    r->dport = dport;
}

/* The NAT router's own ICMP error about a packet it has translated (too
 * big for the outside link, Don't Fragment set) quotes the translated
 * packet; it loops back through NAT's inbound side and reaches the inside
 * host in the form it sent. */
static void test_own_error(void)
{
    char json[4096];
    const char *cut = strstr(NET, "{\"a\": \"r1:eth1\", \"b\": \"isp:eth0\"}");
    if (!cut) {
        CHECK(0);
        return;
    }
    snprintf(json, sizeof json, "%.*s{\"a\": \"r1:eth1\", \"b\": \"isp:eth0\", \"mtu\": 1000}%s",
             (int)(cut - NET), NET, cut + strlen("{\"a\": \"r1:eth1\", \"b\": \"isp:eth0\"}"));
    struct sim *sim = fx_build(json, 1);
    if (!sim) {
        CHECK(0);
        return;
    }
    struct netstack *h1 = node_stack(sim_find_node(sim, "h1"));
    struct err_rx er = {0};
    struct udp_sock *s = udp_open(h1, 0, 46000, rx_none, &er);
    udp_set_error_cb(s, err_fn);
    struct pkt *p = pkt_new(sim, PKT_HEADROOM, 1200);
    memset(pkt_data(p), 0x55, 1200);
    udp_emit(pkt_data(p), 46000, 9, 1200, H1, SRV, true);
    struct ip4_out o = {.dst = SRV, .proto = IP4_PROTO_UDP, .df = true};
    CHECK_EQ(ip4_output(h1, p, &o), IP4_SENT);
    sim_run_until(sim, SIM_S);
    CHECK_EQ(er.n, 1);
    CHECK_EQ(er.type, ICMP_DEST_UNREACH);
    CHECK_EQ(er.code, ICMP_FRAG_NEEDED);
    CHECK_EQ(er.dst, SRV);
    CHECK_EQ(er.dport, 9);
    CHECK_EQ(er.from, G); /* the router, by its outside address */
    sim_free(sim);
}

/* The router's own error about a packet NAT let in (its TTL runs out at
 * the router, after the translation to web) quotes the outside address
 * and port the sender used, never web's. */
static void test_own_error_in(void)
{
    struct t t;
    if (!t_init(&t)) {
        CHECK(0);
        return;
    }
    struct netstack *srv = node_stack(sim_find_node(t.sim, "srv"));
    struct err_rx er = {0};
    struct udp_sock *s = udp_open(srv, 0, 47000, rx_none, &er);
    udp_set_error_cb(s, err_fn);
    struct udp_send_opts o = {.ttl = 2}; /* 1 when it reaches r1 */
    CHECK_EQ(udp_sendto(s, G, 5300, "x", 1, &o), IP4_SENT);
    sim_run_until(t.sim, SIM_S);
    CHECK_EQ(er.n, 1);
    CHECK_EQ(er.type, ICMP_TIME_EXCEEDED);
    CHECK_EQ(er.from, G);
    CHECK_EQ(er.dst, G);
    CHECK_EQ(er.dport, 5300);
    CHECK_EQ(fx_count(&t.log, TK_FORWARD, "r1:eth1",
                      "ICMP error from 192.168.1.20:53 -> 198.51.100.2:5300"),
             1);
    /* the router's other errors are left alone: a port nobody forwards */
    CHECK_EQ(udp_sendto(s, G, 5301, "x", 1, NULL), IP4_SENT);
    sim_run_until(t.sim, 2 * SIM_S);
    CHECK_EQ(er.n, 2);
    CHECK_EQ(er.type, ICMP_DEST_UNREACH);
    CHECK_EQ(er.dport, 5301);
    t_free(&t);
}

/* NAT from a DHCP-less scenario whose outside interface has no address yet
 * drops with a reason; nat_start refuses bad interface sets. */
static void test_start(void)
{
    struct sim *sim = sim_new(1);
    struct node *r = node_new(sim, "r", NODE_ROUTER);
    struct iface *a = iface_new(r, "eth0", NULL), *b = iface_new(r, "eth1", NULL);
    iface_add_addr(a, H1 - 9, 24);
    struct netstack *st = stack_install(r);
    struct node *o = node_new(sim, "o", NODE_ROUTER);
    struct iface *oi = iface_new(o, "eth0", NULL);
    stack_install(o);
    CHECK(nat_start(st, a, &a, 1, NULL) == NULL);  /* both inside and outside */
    CHECK(nat_start(st, b, &oi, 1, NULL) == NULL); /* not its interface */
    struct nat_state *n = nat_start(st, b, &a, 1, NULL);
    CHECK(n != NULL);
    CHECK(nat_start(st, b, &a, 1, NULL) == NULL); /* once */
    CHECK_EQ(n->to.udp, NAT_UDP_TIMEOUT);
    CHECK_EQ(n->to.tcp, 7440 * SIM_S);
    struct nat_forward f = {IP4_PROTO_TCP, 80, H1, 80};
    CHECK_EQ(nat_add_forward(st, &f), 0);
    CHECK_EQ(nat_add_forward(st, &f), -1);
    f.proto = IP4_PROTO_ICMP;
    CHECK_EQ(nat_add_forward(st, &f), -1);
    struct fx_log log = {0};
    trace_subscribe(sim, TRACE_ALL, fx_log_sink, &log);
    struct pkt *p = mk_udp(sim, H1, 1000, SRV, 53, true);
    CHECK(!nat_outbound(st, a, b, p));
    CHECK_EQ(fx_count(&log, TK_DROP, "r:eth1", "no outside address"), 1);
    sim_free(sim);
    fx_log_free(&log);
}

int main(void)
{
    test_udp();
    test_tcp();
    test_icmp_echo();
    test_ports();
    test_expiry();
    test_forward();
    test_icmp_errors();
    test_untranslatable();
    test_end_to_end();
    test_own_error();
    test_own_error_in();
    test_start();
    return check_done();
}
