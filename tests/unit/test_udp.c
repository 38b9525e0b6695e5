/* test_udp.c - UDP sockets (protocols/udp.h, RFC 768) on h1 - r1 - h2 and on
 * a host with a fake neighbour: a datagram and its echo across a router,
 * binding rules (a taken port, deterministic ephemeral ports), ICMP port
 * unreachable reaching the sender's error callback, TTL-exceeded errors
 * for probes (traceroute), checksum 0 accepted and a bad checksum
 * dropped, short and lying length fields dropped, broadcasts delivered to
 * a wildcard socket, and close. */
#include "check.h"
#include "fixture.h"
#include "protocols/ip4.h"
#include "protocols/udp.h"

struct rx {
    int n;
    uint8_t data[256];
    size_t len;
    struct udp_meta m;
    struct udp_sock *reply_from; /* when set, echo back through it */
    int errors;
    uint8_t err_type, err_code;
    uint32_t err_from, err_dst;
    uint16_t err_dport;
};

static void rx_fn(void *ctx, struct udp_sock *s, const struct udp_meta *m, const uint8_t *data,
                  size_t len)
{
    struct rx *r = ctx;
    r->n++;
    r->m = *m;
    r->len = len < sizeof r->data ? len : sizeof r->data;
    memcpy(r->data, data, r->len);
    if (r->reply_from) udp_sendto(s, m->src, m->sport, data, len, NULL);
}

static void err_fn(void *ctx, struct udp_sock *s, uint32_t from, uint8_t type, uint8_t code,
                   uint32_t dst, uint16_t dport, const struct pkt *icmp_pkt)
{
    (void)s;
    (void)icmp_pkt;
    struct rx *r = ctx;
    r->errors++;
    r->err_type = type;
    r->err_code = code;
    r->err_from = from;
    r->err_dst = dst;
    r->err_dport = dport;
}

static void test_echo_across_router(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 0, 0, -1)) {
        CHECK(0);
        return;
    }
    struct rx srv = {0}, cli = {0};
    struct udp_sock *s = udp_open(t.h2, 0, 7, rx_fn, &srv);
    srv.reply_from = s;
    struct udp_sock *c = udp_open(t.h1, 0, 0, rx_fn, &cli);
    CHECK(s && c);
    uint16_t cport = udp_local_port(c);
    CHECK(cport >= UDP_EPHEMERAL_LO && cport <= UDP_EPHEMERAL_HI);
    CHECK_EQ(udp_sendto(c, IP(10, 2, 0, 20), 7, "ping!", 5, NULL), IP4_SENT);
    sim_run_until(t.sim, SIM_S);
    CHECK_EQ(srv.n, 1);
    CHECK_EQ(srv.len, 5);
    CHECK_MEM(srv.data, "ping!", 5);
    CHECK_EQ(srv.m.src, IP(10, 1, 0, 10));
    CHECK_EQ(srv.m.sport, cport);
    CHECK_EQ(srv.m.ttl, 63); /* one router on the way */
    CHECK_EQ(cli.n, 1);
    CHECK_MEM(cli.data, "ping!", 5);
    CHECK_EQ(cli.m.sport, 7);
    /* every UDP frame on the wire carries a checksum that verifies */
    size_t udp_frames = 0;
    for (size_t i = 0; i < t.log.n; i++) {
        const struct fx_step *st = &t.log.s[i];
        const uint8_t *ip = fx_ip(st);
        if (st->kind != TK_TRANSMIT || !ip || ip[9] != IP4_PROTO_UDP) continue;
        size_t ulen = get_be16(ip + 2) - 20u;
        CHECK(get_be16(ip + 20 + 6) != 0);
        CHECK(udp_checksum_ok(ip + 20, ulen, get_be32(ip + 12), get_be32(ip + 16)));
        udp_frames++;
    }
    CHECK_EQ(udp_frames, 4); /* request and reply, each on two cables */
    CHECK(fx_count(&t.log, TK_DELIVER, "h2", "Dst Port: 7") >= 1);
    udp_close(c);
    udp_close(s);
    fx_net3_free(&t);
}

static void test_binding(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 0, 0, -1)) {
        CHECK(0);
        return;
    }
    struct rx r = {0};
    struct udp_sock *a = udp_open(t.h1, 0, 5000, rx_fn, &r);
    CHECK(a != NULL);
    CHECK(udp_open(t.h1, 0, 5000, rx_fn, &r) == NULL);                /* taken */
    CHECK(udp_open(t.h1, IP(10, 1, 0, 10), 5000, rx_fn, &r) == NULL); /* covered by any */
    udp_close(a);
    a = udp_open(t.h1, 0, 5000, rx_fn, &r);
    CHECK(a != NULL); /* free again after close */
    /* ephemeral ports differ from each other */
    struct udp_sock *e1 = udp_open(t.h1, 0, 0, rx_fn, &r), *e2 = udp_open(t.h1, 0, 0, rx_fn, &r);
    CHECK(e1 && e2 && udp_local_port(e1) != udp_local_port(e2));
    uint16_t p1 = udp_local_port(e1);
    fx_net3_free(&t); /* frees the sockets with the stack */
    /* the same scenario picks the same ephemeral ports */
    if (!fx_net3_init(&t, 0, 0, -1)) {
        CHECK(0);
        return;
    }
    udp_open(t.h1, 0, 5000, rx_fn, &r);
    CHECK_EQ(udp_local_port(udp_open(t.h1, 0, 0, rx_fn, &r)), p1);
    fx_net3_free(&t);
}

static void test_port_unreachable_and_ttl(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 0, 0, -1)) {
        CHECK(0);
        return;
    }
    struct rx cli = {0};
    struct udp_sock *c = udp_open(t.h1, 0, 0, rx_fn, &cli);
    udp_set_error_cb(c, err_fn);
    udp_sendto(c, IP(10, 2, 0, 20), 33434, "x", 1, NULL);
    sim_run_until(t.sim, SIM_S);
    CHECK_EQ(cli.errors, 1);
    CHECK_EQ(cli.err_type, ICMP_DEST_UNREACH);
    CHECK_EQ(cli.err_code, ICMP_PORT_UNREACH);
    CHECK_EQ(cli.err_from, IP(10, 2, 0, 20));
    CHECK_EQ(cli.err_dst, IP(10, 2, 0, 20));
    CHECK_EQ(cli.err_dport, 33434);
    CHECK_EQ(fx_count(&t.log, TK_DROP, "h2", "port 33434 unreachable"), 1);
    /* TTL 1: the router answers time exceeded, and UDP finds the socket */
    struct udp_send_opts o = {.ttl = 1};
    udp_sendto(c, IP(10, 2, 0, 20), 33435, "x", 1, &o);
    sim_run_until(t.sim, 2 * SIM_S);
    CHECK_EQ(cli.errors, 2);
    CHECK_EQ(cli.err_type, ICMP_TIME_EXCEEDED);
    CHECK_EQ(cli.err_from, IP(10, 1, 0, 1));
    CHECK_EQ(cli.err_dport, 33435);
    /* without an error callback the error is only noted */
    udp_set_error_cb(c, NULL);
    udp_sendto(c, IP(10, 2, 0, 20), 33436, "x", 1, NULL);
    sim_run_until(t.sim, 3 * SIM_S);
    CHECK_EQ(cli.errors, 2);
    fx_net3_free(&t);
}

/* A UDP datagram from the fake neighbour to h (10.9.0.1). */
static struct pkt *raw_udp(struct fx_raw *r, const uint8_t *mac, uint32_t dst, uint16_t dport,
                           const char *payload, bool checksum, int len_delta)
{
    uint8_t u[64];
    size_t n = strlen(payload);
    memcpy(u + UDP_HDR_LEN, payload, n);
    udp_emit(u, 4444, dport, UDP_HDR_LEN + n, IP(10, 9, 0, 2), dst, checksum);
    if (len_delta) put_be16(u + UDP_OFF_LEN, (uint16_t)(UDP_HDR_LEN + n + len_delta));
    return fx_raw_ip(r, mac, dst, IP4_PROTO_UDP, 9, u, (uint32_t)(UDP_HDR_LEN + n));
}

static void test_input_checks(void)
{
    struct fx_raw r;
    fx_raw_init(&r);
    static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    const uint8_t *hmac = r.e->mac;
    struct rx srv = {0};
    udp_open(r.st, 0, 9, rx_fn, &srv);
    fx_raw_send(&r, raw_udp(&r, hmac, IP(10, 9, 0, 1), 9, "abc", true, 0));
    CHECK_EQ(srv.n, 1);
    fx_raw_send(&r, raw_udp(&r, hmac, IP(10, 9, 0, 1), 9, "abc", false, 0)); /* no checksum */
    CHECK_EQ(srv.n, 2);
    struct pkt *p = raw_udp(&r, hmac, IP(10, 9, 0, 1), 9, "abc", true, 0);
    pkt_data(p)[ETH_HDR_LEN + 20 + 8] ^= 0x20; /* "Abc" */
    fx_raw_send(&r, p);
    CHECK_EQ(srv.n, 2);
    CHECK_EQ(fx_count(&r.log, TK_DROP, "h:eth0", "bad UDP checksum"), 1);
    fx_raw_send(&r, raw_udp(&r, hmac, IP(10, 9, 0, 1), 9, "abc", false, 5)); /* length lies */
    CHECK_EQ(fx_count(&r.log, TK_DROP, "h:eth0", "invalid UDP datagram"), 1);
    fx_raw_send(&r, raw_udp(&r, hmac, IP(10, 9, 0, 1), 9, "abc", false, -1)); /* shorter: ok */
    CHECK_EQ(srv.n, 3);
    CHECK_EQ(srv.len, 2);
    /* a broadcast reaches the wildcard socket; to a closed port, no error */
    fx_raw_send(&r, raw_udp(&r, bc, IP(10, 9, 0, 255), 9, "all", true, 0));
    CHECK_EQ(srv.n, 4);
    CHECK_EQ(srv.m.dst, IP(10, 9, 0, 255));
    uint64_t frames = r.c.frames;
    fx_raw_send(&r, raw_udp(&r, bc, IP(10, 9, 0, 255), 10, "all", true, 0));
    CHECK_EQ(fx_count(&r.log, TK_DROP, "h:eth0", "no program on port 10"), 1);
    CHECK_EQ(r.c.frames, frames);
    fx_raw_free(&r);
}

int main(void)
{
    test_echo_across_router();
    test_binding();
    test_port_unreachable_and_ttl();
    test_input_checks();
    return check_done();
}
