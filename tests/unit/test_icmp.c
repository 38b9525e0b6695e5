/* test_icmp.c - ICMP (protocols/icmp.h, RFC 792) on real stacks, h1 - r1 -
 * h2 from scenario JSON and a host with a fake neighbour for raw frames.
 * Covers the echo request's iputils payload, the echo reply mirroring id,
 * seq and data with a fresh checksum, delivery by echo identifier (two
 * apps, a late reply nobody waits for, the subscriber limit), the RFC 1122
 * / 1812 rules on errors (none about an ICMP error, none about a non-first
 * fragment), no reply to broadcast pings (subnet and limited broadcast, the
 * latter sent as a link broadcast even with a default gateway), and bad
 * checksums and unknown types. */
#include "check.h"
#include "fixture.h"
#include "protocols/icmp.h"
#include "protocols/ip4.h"

/* ICMP messages of `type` sent out of `where` */
static size_t icmp_out(const struct fx_log *log, const char *where, int type,
                       const struct fx_step **first)
{
    size_t n = 0;
    for (size_t i = 0; i < log->n; i++) {
        const struct fx_step *s = &log->s[i];
        if (s->kind != TK_TRANSMIT || strcmp(s->where, where) != 0) continue;
        const uint8_t *m = fx_icmp(s);
        if (!m || (type >= 0 && m[0] != type)) continue;
        if (n == 0 && first) *first = s;
        n++;
    }
    return n;
}

static void test_echo_mirror(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 1500, 0, -1)) {
        CHECK(0);
        return;
    }
    icmp_subscribe(t.h1, 0xbeef, fx_app_fn, &t.app);
    sim_run_until(t.sim, 1500 * SIM_MS);
    CHECK_EQ(icmp_send_echo(t.h1, IP(10, 2, 0, 20), 0xbeef, 7, 0, 100), IP4_SENT);
    sim_run_until(t.sim, 2 * SIM_S);
    const struct fx_step *rq = NULL, *rp = NULL;
    CHECK_EQ(icmp_out(&t.log, "h1:eth0", ICMP_ECHO_REQUEST, &rq), 1);
    CHECK_EQ(icmp_out(&t.log, "h2:eth0", ICMP_ECHO_REPLY, &rp), 1);
    if (rq && rp) {
        const uint8_t *q = fx_icmp(rq), *r = fx_icmp(rp);
        CHECK_EQ(get_be16(fx_ip(rq) + 2), 20 + 8 + 100);
        CHECK_EQ(get_be16(fx_ip(rp) + 2), 20 + 8 + 100);
        struct icmp_msg mq, mr;
        CHECK_EQ(icmp_parse(q, 108, &mq), 0);
        CHECK_EQ(icmp_parse(r, 108, &mr), 0); /* the reply's checksum is right */
        CHECK_EQ(mq.id, 0xbeef);
        CHECK_EQ(mq.seq, 7);
        CHECK_EQ(mr.type, ICMP_ECHO_REPLY);
        CHECK_EQ(mr.code, 0);
        CHECK_EQ(mr.id, 0xbeef);
        CHECK_EQ(mr.seq, 7);
        CHECK_MEM(r + 8, q + 8, 100);
        CHECK(mq.checksum != mr.checksum);
        /* iputils payload: struct timeval (1 s, 500000 us, little endian),
         * then bytes 0x10, 0x11, ... */
        static const uint8_t tv[16] = {1, 0, 0, 0, 0, 0, 0, 0, 0x20, 0xa1, 0x07, 0, 0, 0, 0, 0};
        CHECK_MEM(q + 8, tv, 16);
        CHECK_EQ(q[8 + 16], 0x10);
        CHECK_EQ(q[8 + 99], 99);
        /* the reply is addressed back, from the address asked */
        CHECK_EQ(get_be32(fx_ip(rp) + 12), IP(10, 2, 0, 20));
        CHECK_EQ(get_be32(fx_ip(rp) + 16), IP(10, 1, 0, 10));
        CHECK_EQ(fx_ip(rp)[8], 64);
    }
    CHECK_EQ(t.app.n, 1);
    CHECK_EQ(t.app.len[0], 108);
    CHECK_EQ(t.app.seq[0], 7);
    CHECK_EQ(fx_count(&t.log, TK_DELIVER, "h2:eth0", "Echo (ping) request  id=0xbeef, seq=7"), 1);
    CHECK_EQ(fx_count(&t.log, TK_DELIVER, "h1:eth0", "Echo (ping) reply  id=0xbeef, seq=7"), 1);

    /* a short payload has no room for the time: just 0, 1, 2, ... */
    fx_log_clear(&t.log);
    icmp_send_echo(t.h1, IP(10, 2, 0, 20), 0xbeef, 8, 0, 5);
    sim_run_until(t.sim, 3 * SIM_S);
    CHECK_EQ(icmp_out(&t.log, "h1:eth0", ICMP_ECHO_REQUEST, &rq), 1);
    static const uint8_t small[5] = {0, 1, 2, 3, 4};
    CHECK_MEM(fx_icmp(rq) + 8, small, 5);
    CHECK_EQ(t.app.n, 2);
    CHECK_EQ(t.app.len[1], 13);
    fx_net3_free(&t);
}

static void test_subscriptions(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 1500, 0, -1)) {
        CHECK(0);
        return;
    }
    struct fx_app other = {0};
    CHECK_EQ(icmp_subscribe(t.h1, 1, fx_app_fn, &t.app), 0);
    CHECK_EQ(icmp_subscribe(t.h1, 2, fx_app_fn, &other), 0);
    icmp_send_echo(t.h1, IP(10, 2, 0, 20), 1, 1, 0, 56);
    icmp_send_echo(t.h1, IP(10, 2, 0, 20), 2, 1, 0, 56);
    icmp_send_echo(t.h1, IP(10, 2, 0, 20), 2, 2, 0, 56);
    sim_run_until(t.sim, SIM_S);
    CHECK_EQ(t.app.n, 1);
    CHECK_EQ(other.n, 2);
    CHECK_EQ(other.seq[1], 2);
    /* an error about app 2's probe reaches app 2 only */
    icmp_send_echo(t.h1, IP(10, 2, 0, 20), 2, 3, 1, 56);
    sim_run_until(t.sim, 2 * SIM_S);
    CHECK_EQ(other.n, 3);
    CHECK_EQ(other.type[2], ICMP_TIME_EXCEEDED);
    CHECK_EQ(t.app.n, 1);
    /* once unsubscribed, the reply is only noted */
    icmp_send_echo(t.h1, IP(10, 2, 0, 20), 2, 4, 0, 56);
    icmp_unsubscribe(t.h1, 2);
    sim_run_until(t.sim, 3 * SIM_S);
    CHECK_EQ(other.n, 3);
    CHECK_EQ(fx_count(&t.log, TK_DROP, "h1:eth0", "Echo (ping) reply  id=0x0002, seq=4"), 1);
    /* same for an error */
    icmp_send_echo(t.h1, IP(10, 2, 0, 20), 2, 5, 1, 56);
    sim_run_until(t.sim, 4 * SIM_S);
    CHECK_EQ(other.n, 3);
    CHECK_EQ(fx_count(&t.log, TK_DROP, "h1:eth0", "Time-to-live exceeded"), 1);
    /* the table has room for STACK_MAX_SUBS */
    int ok = 0;
    for (int i = 0; i < STACK_MAX_SUBS + 1; i++)
        ok += icmp_subscribe(t.h2, (uint16_t)(100 + i), fx_app_fn, &other) == 0;
    CHECK_EQ(ok, STACK_MAX_SUBS);
    CHECK_EQ(t.h2->n_subs, STACK_MAX_SUBS);
    icmp_unsubscribe(t.h2, 110);
    icmp_unsubscribe(t.h2, 999); /* not there: nothing happens */
    CHECK_EQ(t.h2->n_subs, STACK_MAX_SUBS - 1);
    CHECK_EQ(icmp_subscribe(t.h2, 500, fx_app_fn, &other), 0);
    fx_net3_free(&t);
}

static void test_no_error_about_errors(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 1500, 0, -1)) {
        CHECK(0);
        return;
    }
    icmp_subscribe(t.h1, 0x55, fx_app_fn, &t.app);
    /* warm up ARP both ways */
    icmp_send_echo(t.h1, IP(10, 2, 0, 20), 0x55, 1, 0, 56);
    sim_run_until(t.sim, SIM_S);
    CHECK_EQ(t.app.n, 1);
    fx_log_clear(&t.log);
    /* an echo request with TTL 1: r1 answers time exceeded */
    icmp_send_echo(t.h1, IP(10, 2, 0, 20), 0x55, 2, 1, 56);
    sim_run_until(t.sim, 2 * SIM_S);
    CHECK_EQ(icmp_out(&t.log, "r1:eth0", ICMP_TIME_EXCEEDED, NULL), 1);
    /* an ICMP error (port unreachable) with TTL 1: dropped in silence */
    fx_log_clear(&t.log);
    struct pkt *p = pkt_new(t.sim, PKT_HEADROOM, 8 + 28);
    uint8_t *m = pkt_data(p);
    m[0] = ICMP_DEST_UNREACH;
    m[1] = ICMP_PORT_UNREACH;
    m[8] = 0x45; /* a quoted header, enough to look real */
    put_be16(m + 2, inet_checksum(m, 36));
    struct ip4_out o = {.dst = IP(10, 2, 0, 20), .proto = IP4_PROTO_ICMP, .ttl = 1};
    CHECK_EQ(ip4_output(t.h1, p, &o), IP4_SENT);
    sim_run_until(t.sim, 3 * SIM_S);
    CHECK_EQ(fx_count(&t.log, TK_DROP, "r1:eth0", "TTL expired in transit"), 1);
    CHECK_EQ(icmp_out(&t.log, "r1:eth0", -1, NULL), 0);
    CHECK_EQ(icmp_out(&t.log, "r1:eth1", -1, NULL), 0);
    fx_net3_free(&t);
}

static void test_no_error_about_fragments(void)
{
    /* a 1400-byte ping with TTL 1 over an MTU 576 first link: three
     * fragments reach r1 with TTL 1; only the first earns an error */
    struct fx_net3 t;
    if (!fx_net3_init(&t, 576, 0, -1)) {
        CHECK(0);
        return;
    }
    icmp_subscribe(t.h1, 0x56, fx_app_fn, &t.app);
    icmp_send_echo(t.h1, IP(10, 2, 0, 20), 0x56, 1, 1, 1400);
    sim_run_until(t.sim, SIM_S);
    CHECK_EQ(fx_count(&t.log, TK_DROP, "r1:eth0", "TTL expired in transit (TTL 1)"), 3);
    CHECK_EQ(icmp_out(&t.log, "r1:eth0", ICMP_TIME_EXCEEDED, NULL), 1);
    CHECK_EQ(t.app.n, 1);
    CHECK_EQ(t.app.type[0], ICMP_TIME_EXCEEDED);
    CHECK_EQ(t.app.seq[0], 1);
    fx_net3_free(&t);
}

static void test_broadcast_ping(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 1500, 0, -1)) {
        CHECK(0);
        return;
    }
    icmp_subscribe(t.h1, 0x57, fx_app_fn, &t.app);
    /* the subnet's broadcast address */
    icmp_send_echo(t.h1, IP(10, 1, 0, 255), 0x57, 1, 0, 56);
    sim_run_until(t.sim, SIM_S);
    const struct fx_step *s = NULL;
    static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    CHECK_EQ(icmp_out(&t.log, "h1:eth0", ICMP_ECHO_REQUEST, &s), 1);
    CHECK(s && memcmp(s->frame, bc, 6) == 0);
    CHECK_EQ(fx_count(&t.log, TK_DROP, "r1:eth0", "Echo (ping) request to a broadcast address"), 1);
    CHECK_EQ(icmp_out(&t.log, "r1:eth0", -1, NULL), 0);
    CHECK_EQ(fx_count(&t.log, TK_ENCAP, "h1:eth0", "Who has"), 0); /* no ARP for a broadcast */
    /* the limited broadcast: a link broadcast, not sent to the gateway */
    fx_log_clear(&t.log);
    icmp_send_echo(t.h1, 0xffffffffu, 0x57, 2, 0, 56);
    sim_run_until(t.sim, 2 * SIM_S);
    s = NULL;
    CHECK_EQ(icmp_out(&t.log, "h1:eth0", ICMP_ECHO_REQUEST, &s), 1);
    CHECK(s && memcmp(s->frame, bc, 6) == 0);
    CHECK(s && get_be32(fx_ip(s) + 12) == IP(10, 1, 0, 10));
    CHECK_EQ(fx_count(&t.log, TK_ENCAP, "h1:eth0", "Who has"), 0);
    CHECK_EQ(fx_count(&t.log, TK_DROP, "r1:eth0", "Echo (ping) request to a broadcast address"), 1);
    CHECK_EQ(icmp_out(&t.log, "r1:eth1", -1, NULL), 0); /* and never forwarded */
    CHECK_EQ(t.app.n, 0);
    fx_net3_free(&t);
}

/* a host and a fake neighbour for raw frames (fx_raw) */
static void test_bad_messages(void)
{
    struct fx_raw r;
    fx_raw_init(&r);
    static const uint8_t tmpl[3][8] = {
        {ICMP_ECHO_REQUEST, 0, 0, 0, 0, 1, 0, 1}, /* checksum spoiled below */
        {13, 0, 0, 0, 0, 1, 0, 1},                /* timestamp request: not handled */
        {ICMP_ECHO_REQUEST, 0, 0, 0, 0, 1, 0, 2}, /* a good one */
    };
    for (int k = 0; k < 3; k++) {
        uint8_t msg[8];
        memcpy(msg, tmpl[k], 8);
        put_be16(msg + 2, inet_checksum(msg, 8));
        if (k == 0) msg[3] ^= 0xff;
        fx_raw_send(&r, fx_raw_ip(&r, r.e->mac, IP(10, 9, 0, 1), IP4_PROTO_ICMP, 0, msg, 8));
    }
    CHECK_EQ(fx_count(&r.log, TK_DROP, "h:eth0", "invalid ICMP message"), 1);
    const struct fx_step *d = fx_nth(&r.log, TK_DROP, "h:eth0", 0);
    CHECK(d && strstr(d->why, "checksum does not match") != NULL);
    CHECK_EQ(fx_count(&r.log, TK_DROP, "h:eth0", "ICMP type 13"), 1);
    /* only the good one is answered (after ARP for the asker) */
    CHECK_EQ(fx_count(&r.log, TK_DELIVER, "h:eth0", "Echo (ping) request"), 1);
    CHECK_EQ(fx_count(&r.log, TK_ENCAP, "h:eth0", "Who has 10.9.0.2? Tell 10.9.0.1"), 1);
    CHECK_EQ(r.c.frames, 1); /* the ARP request; inj never answers */
    fx_raw_free(&r);
}

int main(void)
{
    test_echo_mirror();
    test_subscriptions();
    test_no_error_about_errors();
    test_no_error_about_fragments();
    test_broadcast_ping();
    test_bad_messages();
    return check_done();
}
