/* test_ip4.c - IPv4 (protocols/ip4.h, RFC 791/1812) on real stacks:
 * h1 - r1 - h2 from scenario JSON, plus hand-built setups with a "tap"
 * node that passes frames between two cables and can drop or reorder
 * fragments. Covers longest prefix match (route_add/route_lookup), TTL
 * decrement with a still-valid checksum after forwarding, time exceeded
 * from the router for TTL 1, net unreachable without a route,
 * fragmentation at a 576-byte MTU of a 1400-byte ping and reassembly at
 * both ends (in order and reversed), DF + too big (frag needed with the
 * MTU, IP4_TOO_BIG at the source), reassembly timeout (time exceeded code
 * 1), loopback, and input checks (bad checksum, not for me, padding,
 * protocol unreachable, broadcast). */
#include "check.h"
#include "fixture.h"
#include "protocols/arp.h"
#include "protocols/icmp.h"
#include "protocols/ip4.h"

/* ---- routing table ---- */

static void test_lpm(void)
{
    struct sim *sim = sim_new(1);
    struct node *n = node_new(sim, "r", NODE_ROUTER);
    struct iface *a = iface_new(n, "eth0", NULL), *b = iface_new(n, "eth1", NULL);
    struct iface *c = iface_new(n, "eth2", NULL);
    struct route_table rt = {0};
    CHECK(route_lookup(&rt, IP(1, 2, 3, 4)) == NULL); /* empty */
    CHECK_EQ(route_add(&rt, 0, 0, IP(9, 9, 9, 9), a, ROUTE_STATIC), 0);
    CHECK_EQ(route_add(&rt, IP(10, 1, 2, 3), 24, 0, b, ROUTE_CONNECTED), 0); /* host bits */
    CHECK_EQ(route_add(&rt, IP(10, 0, 0, 0), 8, IP(9, 9, 9, 8), a, ROUTE_STATIC), 0);
    CHECK_EQ(route_add(&rt, IP(10, 1, 2, 128), 25, IP(9, 9, 9, 7), c, ROUTE_STATIC), 0);
    CHECK_EQ(route_add(&rt, IP(10, 1, 0, 0), 16, IP(9, 9, 9, 6), c, ROUTE_STATIC), 0);
    CHECK_EQ(route_add(&rt, IP(10, 1, 2, 200), 32, 0, a, ROUTE_STATIC), 0);
    CHECK_EQ(route_add(&rt, IP(10, 1, 0, 0), 16, IP(9, 9, 9, 5), a, ROUTE_STATIC), 0); /* tie */
    CHECK_EQ(route_add(&rt, 0, 33, 0, a, ROUTE_STATIC), -1);
    CHECK_EQ(route_add(&rt, 0, 8, 0, NULL, ROUTE_STATIC), -1);
    CHECK_EQ(rt.n, 7);
    /* kept longest first; ties in insertion order */
    static const uint8_t plens[] = {32, 25, 24, 16, 16, 8, 0};
    int sorted = 0;
    for (uint32_t i = 0; i < rt.n && i < 7; i++)
        sorted += rt.r[i].plen == plens[i];
    CHECK_EQ(sorted, 7);
    CHECK_EQ(rt.r[2].dst, IP(10, 1, 2, 0)); /* stored masked */
    CHECK_EQ(rt.r[3].gw, IP(9, 9, 9, 6));

    const struct route *r;
    r = route_lookup(&rt, IP(10, 1, 2, 200));
    CHECK(r && r->plen == 32);
    r = route_lookup(&rt, IP(10, 1, 2, 201));
    CHECK(r && r->plen == 25 && r->gw == IP(9, 9, 9, 7) && r->ifc == c);
    r = route_lookup(&rt, IP(10, 1, 2, 127));
    CHECK(r && r->plen == 24 && r->gw == 0 && r->ifc == b && r->kind == ROUTE_CONNECTED);
    r = route_lookup(&rt, IP(10, 1, 3, 1));
    CHECK(r && r->plen == 16 && r->gw == IP(9, 9, 9, 6)); /* the first of a tie */
    r = route_lookup(&rt, IP(10, 200, 0, 1));
    CHECK(r && r->plen == 8);
    r = route_lookup(&rt, IP(11, 0, 0, 1));
    CHECK(r && r->plen == 0 && r->gw == IP(9, 9, 9, 9));
    r = route_lookup(&rt, IP(255, 255, 255, 255));
    CHECK(r && r->plen == 0);
    /* a route out of a downed interface is skipped: the next longest wins */
    c->up = false;
    r = route_lookup(&rt, IP(10, 1, 2, 201));
    CHECK(r && r->plen == 24);
    r = route_lookup(&rt, IP(10, 1, 3, 1));
    CHECK(r && r->plen == 16 && r->gw == IP(9, 9, 9, 5));
    a->up = false;
    r = route_lookup(&rt, IP(11, 0, 0, 1));
    CHECK(r == NULL);
    free(rt.r);
    sim_free(sim);
}

/* ---- h1 - r1 - h2 (fx_net3) ---- */

/* IPv4 frames sent out of `where` whose source is src (0 = any) */
static size_t ip_frames(const struct fx_log *log, const char *where, uint32_t src,
                        const struct fx_step **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < log->n; i++) {
        const struct fx_step *s = &log->s[i];
        if (s->kind != TK_TRANSMIT || strcmp(s->where, where) != 0) continue;
        const uint8_t *ip = fx_ip(s);
        if (!ip || (src && get_be32(ip + 12) != src)) continue;
        if (n < max) out[n] = s;
        n++;
    }
    return n;
}

static void test_forward_ttl_checksum(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 0, 1500, 0x77)) {
        CHECK(0);
        return;
    }
    CHECK(t.r1->forwarding);
    CHECK(!t.h1->forwarding);
    icmp_send_echo(t.h1, IP(10, 2, 0, 20), 0x77, 1, 0, 56);
    sim_run_until(t.sim, SIM_S);
    const struct fx_step *in[4], *out[4];
    CHECK_EQ(ip_frames(&t.log, "h1:eth0", 0, in, 4), 1);
    CHECK_EQ(ip_frames(&t.log, "r1:eth1", IP(10, 1, 0, 10), out, 4), 1);
    if (ip_frames(&t.log, "r1:eth1", IP(10, 1, 0, 10), out, 4) == 1 &&
        ip_frames(&t.log, "h1:eth0", 0, in, 4) == 1) {
        const uint8_t *a = fx_ip(in[0]), *b = fx_ip(out[0]);
        struct ip4_hdr ha, hb;
        CHECK_EQ(ip4_parse(a, in[0]->len - ETH_HDR_LEN, &ha), IP4_OK);
        CHECK_EQ(ip4_parse(b, out[0]->len - ETH_HDR_LEN, &hb), IP4_OK); /* checksum holds */
        CHECK_EQ(ha.ttl, 64);
        CHECK_EQ(hb.ttl, 63);
        CHECK(ha.checksum != hb.checksum);
        CHECK_EQ(hb.checksum, ip4_header_checksum(b, 20));
        CHECK_EQ(hb.src, IP(10, 1, 0, 10));
        CHECK_EQ(hb.dst, IP(10, 2, 0, 20));
        CHECK_EQ(hb.id, ha.id);
        CHECK_EQ(hb.total_len, 84);
        CHECK_MEM(a + 20, b + 20, 64);           /* the payload is untouched */
        CHECK_EQ(out[0]->pkt_id, in[0]->pkt_id); /* the same datagram, hop to hop */
        /* re-framed: r1's eth1 MAC to h2's MAC */
        CHECK_MEM(out[0]->frame + 6, fx_iface(t.sim, "r1", "eth1")->mac, 6);
        CHECK_MEM(out[0]->frame, fx_iface(t.sim, "h2", "eth0")->mac, 6);
    }
    CHECK_EQ(fx_count(&t.log, TK_FORWARD, "r1:eth1", "forward to 10.2.0.20 via eth1, TTL 64 -> 63"),
             1);
    CHECK_EQ(t.app.n, 1);
    CHECK_EQ(t.app.type[0], ICMP_ECHO_REPLY);
    CHECK_EQ(t.app.ttl[0], 63); /* h2's 64, less one hop */
    CHECK_EQ(t.app.src[0], IP(10, 2, 0, 20));
    /* the router's far address answers itself, no forwarding */
    icmp_send_echo(t.h1, IP(10, 2, 0, 1), 0x77, 2, 0, 56);
    sim_run_until(t.sim, 2 * SIM_S);
    CHECK_EQ(t.app.n, 2);
    CHECK_EQ(t.app.src[1], IP(10, 2, 0, 1));
    CHECK_EQ(t.app.ttl[1], 64);
    fx_net3_free(&t);
}

static void test_ttl_exceeded_and_no_route(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 0, 1500, 0x77)) {
        CHECK(0);
        return;
    }
    icmp_send_echo(t.h1, IP(10, 2, 0, 20), 0x77, 1, 1, 56); /* TTL 1 */
    sim_run_until(t.sim, SIM_S);
    CHECK_EQ(t.app.n, 1);
    CHECK_EQ(t.app.type[0], ICMP_TIME_EXCEEDED);
    CHECK_EQ(t.app.code[0], ICMP_EXC_TTL);
    CHECK_EQ(t.app.src[0], IP(10, 1, 0, 1)); /* from the router's near side */
    CHECK_EQ(t.app.seq[0], 1);
    CHECK_EQ(t.app.len[0], 8 + 20 + 8);                    /* header + quoted IP header + 8 bytes */
    CHECK_EQ(ip_frames(&t.log, "r1:eth1", 0, NULL, 0), 0); /* never forwarded */
    CHECK_EQ(fx_count(&t.log, TK_DROP, "r1:eth0", "TTL expired in transit (TTL 1)"), 1);
    /* the quote is the packet as it arrived (TTL 1) */
    CHECK_EQ(t.app.last[8 + 8], 1);
    CHECK_EQ(get_be32(t.app.last + 8 + 16), IP(10, 2, 0, 20));

    /* TTL 2 is enough for one router */
    icmp_send_echo(t.h1, IP(10, 2, 0, 20), 0x77, 2, 2, 56);
    sim_run_until(t.sim, 2 * SIM_S);
    CHECK_EQ(t.app.n, 2);
    CHECK_EQ(t.app.type[1], ICMP_ECHO_REPLY);

    /* no route at r1 */
    icmp_send_echo(t.h1, IP(192, 168, 9, 9), 0x77, 3, 0, 56);
    sim_run_until(t.sim, 3 * SIM_S);
    CHECK_EQ(t.app.n, 3);
    CHECK_EQ(t.app.type[2], ICMP_DEST_UNREACH);
    CHECK_EQ(t.app.code[2], ICMP_NET_UNREACH);
    CHECK_EQ(t.app.src[2], IP(10, 1, 0, 1));
    CHECK_EQ(t.app.seq[2], 3);
    CHECK_EQ(fx_count(&t.log, TK_DROP, "r1:eth0", "no route to 192.168.9.9"), 1);
    /* and at a source with no route at all */
    struct pkt *p = pkt_new(t.sim, PKT_HEADROOM, 8);
    struct ip4_out o = {.dst = IP(192, 168, 9, 9), .proto = IP4_PROTO_UDP};
    CHECK_EQ(ip4_output(t.r1, p, &o), IP4_NO_ROUTE);
    fx_net3_free(&t);
}

/* frames out of `where` that are fragments (MF or an offset) */
static size_t frag_frames(const struct fx_log *log, const char *where, uint32_t src,
                          const struct fx_step **out, size_t max)
{
    const struct fx_step *all[64];
    size_t n = ip_frames(log, where, src, all, 64), k = 0;
    for (size_t i = 0; i < n && i < 64; i++) {
        uint16_t frag = get_be16(fx_ip(all[i]) + 6);
        if (frag & (IP4_FLAG_MF | IP4_FRAG_MASK)) {
            if (k < max) out[k] = all[i];
            k++;
        }
    }
    return k;
}

static void test_fragmentation(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 0, 576, 0x77)) {
        CHECK(0);
        return;
    }
    CHECK_EQ(iface_mtu(fx_iface(t.sim, "r1", "eth1")), 576);
    icmp_send_echo(t.h1, IP(10, 2, 0, 20), 0x77, 1, 0, 1400);
    sim_run_until(t.sim, SIM_S);
    /* 1428 bytes leave h1 whole (MTU 1500) ... */
    const struct fx_step *in[4];
    CHECK_EQ(ip_frames(&t.log, "h1:eth0", 0, in, 4), 1);
    CHECK_EQ(in[0]->len, 14 + 1428);
    /* ... and r1 cuts them into 552 + 552 + 304 bytes of data */
    const struct fx_step *f[8];
    size_t nf = frag_frames(&t.log, "r1:eth1", IP(10, 1, 0, 10), f, 8);
    CHECK_EQ(nf, 3);
    static const uint16_t want_len[3] = {572, 572, 324};
    static const uint16_t want_frag[3] = {IP4_FLAG_MF | 0, IP4_FLAG_MF | 69, 138};
    uint16_t id0 = nf ? get_be16(fx_ip(f[0]) + 4) : 0;
    for (size_t i = 0; i < 3 && i < nf; i++) {
        const uint8_t *ip = fx_ip(f[i]);
        struct ip4_hdr h;
        CHECK_EQ(ip4_parse(ip, f[i]->len - ETH_HDR_LEN, &h), IP4_OK);
        CHECK_EQ(h.total_len, want_len[i]);
        CHECK_EQ(h.frag, want_frag[i]);
        CHECK_EQ(h.id, id0);
        CHECK_EQ(h.ttl, 63);
        CHECK(h.total_len <= 576);
        CHECK_EQ(f[i]->pkt_id, in[0]->pkt_id);
        /* the data is the original's, at its offset */
        CHECK_MEM(ip + 20, fx_ip(in[0]) + 20 + (h.frag & IP4_FRAG_MASK) * 8, h.total_len - 20u);
    }
    CHECK_EQ(fx_count(&t.log, TK_ENCAP, "r1:eth1", "fragment into 3 pieces (MTU 576)"), 1);
    /* h2 reassembled and answered; its 1428-byte reply is fragmented by h2
     * itself (its link has MTU 576), crosses r1 in pieces, and h1 puts it
     * back together */
    CHECK_EQ(frag_frames(&t.log, "h2:eth0", 0, f, 8), 3);
    CHECK_EQ(frag_frames(&t.log, "r1:eth0", 0, f, 8), 3);
    CHECK_EQ(t.app.n, 1);
    CHECK_EQ(t.app.type[0], ICMP_ECHO_REPLY);
    CHECK_EQ(t.app.len[0], 1408);
    CHECK_EQ(t.app.seq[0], 1);
    /* the reply mirrors the request byte for byte after the type/checksum */
    const uint8_t *req = fx_ip(in[0]) + 20;
    CHECK_MEM(t.app.last + 4, req + 4, 1404);
    CHECK_EQ(icmp_checksum_compute(t.app.last, 1408), get_be16(t.app.last + 2));
    CHECK_EQ(fx_count(&t.log, TK_DECAP, "h2:eth0", "fragment offset 1104, 304 bytes, last"), 1);
    fx_net3_free(&t);
}

static void test_df(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 0, 576, 0x77)) {
        CHECK(0);
        return;
    }
    /* a 1400-byte echo request with Don't Fragment */
    struct pkt *p = pkt_new(t.sim, PKT_HEADROOM, 8 + 1400);
    struct icmp_msg m = {.type = ICMP_ECHO_REQUEST, .id = 0x77, .seq = 9};
    m.body = pkt_data(p) + 8;
    m.body_len = 1400;
    icmp_emit(&m, pkt_data(p));
    struct ip4_out o = {.dst = IP(10, 2, 0, 20), .proto = IP4_PROTO_ICMP, .df = true};
    CHECK_EQ(ip4_output(t.h1, p, &o), IP4_SENT); /* fits h1's own link */
    sim_run_until(t.sim, SIM_S);
    CHECK_EQ(ip_frames(&t.log, "r1:eth1", IP(10, 1, 0, 10), NULL, 0), 0);
    CHECK_EQ(fx_count(&t.log, TK_DROP, "r1:eth1", "fragmentation needed (MTU 576)"), 1);
    CHECK_EQ(t.app.n, 1);
    CHECK_EQ(t.app.type[0], ICMP_DEST_UNREACH);
    CHECK_EQ(t.app.code[0], ICMP_FRAG_NEEDED);
    CHECK_EQ(t.app.rest[0], 576); /* next-hop MTU (RFC 1191) */
    CHECK_EQ(t.app.seq[0], 9);
    CHECK_EQ(t.app.src[0], IP(10, 1, 0, 1));
    /* DF and too big for the source's own link: refused at once */
    p = pkt_new(t.sim, PKT_HEADROOM, 1000);
    struct ip4_out o2 = {.dst = IP(10, 1, 0, 10), .proto = IP4_PROTO_UDP, .df = true};
    size_t before = t.log.n;
    CHECK_EQ(ip4_output(t.h2, p, &o2), IP4_TOO_BIG);
    CHECK_EQ(t.log.n, before + 1); /* just the encapsulation step, nothing sent */
    /* without DF the same is fragmented at the source: 552 + 448 bytes */
    p = pkt_new(t.sim, PKT_HEADROOM, 1000);
    o2.df = false;
    CHECK_EQ(ip4_output(t.h2, p, &o2), IP4_SENT);
    sim_run_until(t.sim, 2 * SIM_S);
    const struct fx_step *f[4];
    CHECK_EQ(frag_frames(&t.log, "h2:eth0", IP(10, 2, 0, 20), f, 4), 2);
    fx_net3_free(&t);
}

/* ---- the tap: h1 = tap = h2, passing frames between its two cables ---- */

struct tap {
    struct node *node;
    int mode;       /* 0 pass, 1 drop the 2nd fragment once, 2 reverse the fragments once */
    int frags_seen; /* of the first fragmented datagram */
    struct pkt *held[8];
    int n_held;
    uint64_t dropped;
};

static struct tap the_tap;

static bool is_fragment(const struct pkt *p)
{
    const uint8_t *d = pkt_data(p);
    if (p->len < ETH_HDR_LEN + IP4_HDR_LEN || get_be16(d + 12) != ETH_TYPE_IPV4) return false;
    return (get_be16(d + ETH_HDR_LEN + 6) & (IP4_FLAG_MF | IP4_FRAG_MASK)) != 0;
}

static void tap_input(struct node *node, struct iface *in, struct pkt *p)
{
    struct tap *tp = &the_tap;
    struct iface *out = node->ifaces[in->index ^ 1];
    if (tp->mode && in->index == 0 && is_fragment(p) && tp->frags_seen < 3) {
        tp->frags_seen++;
        if (tp->mode == 1 && tp->frags_seen == 2) {
            tp->dropped++;
            pkt_free(node->sim, p);
            return;
        }
        if (tp->mode == 2) {
            tp->held[tp->n_held++] = p;
            if (tp->n_held == 3)
                while (tp->n_held)
                    link_transmit(node->sim, out, tp->held[--tp->n_held]);
            return;
        }
    }
    link_transmit(node->sim, out, p);
}

/* h1 = tap = h2 with the tap in `mode` and a 576-byte MTU on h1's cable:
 * every step in log, and h1's ICMP for echo identifier 0x99 in app. */
static struct sim *tap_net(int mode, struct netstack **h1, struct fx_log *log, struct fx_app *app)
{
    memset(log, 0, sizeof *log);
    memset(app, 0, sizeof *app);
    static const char json[] =
        "{\"netstep\": 1, \"nodes\": [\n"
        " {\"name\": \"h1\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", "
        "\"ip\": \"10.0.0.1/24\"}]},\n"
        " {\"name\": \"h2\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", "
        "\"ip\": \"10.0.0.2/24\"}]}]}\n";
    struct sim *sim = fx_build(json, 1);
    if (!sim) return NULL;
    memset(&the_tap, 0, sizeof the_tap);
    the_tap.mode = mode;
    struct node *tn = node_new(sim, "tap", NODE_HUB);
    iface_new(tn, "a", NULL);
    iface_new(tn, "b", NULL);
    tn->input = tap_input;
    the_tap.node = tn;
    struct link_params lp;
    link_params_default(&lp);
    lp.mtu = 576;
    link_connect(sim, fx_iface(sim, "h1", "eth0"), tn->ifaces[0], &lp);
    link_connect(sim, fx_iface(sim, "h2", "eth0"), tn->ifaces[1], NULL);
    *h1 = node_stack(sim_find_node(sim, "h1"));
    trace_subscribe(sim, TRACE_ALL, fx_log_sink, log);
    icmp_subscribe(*h1, 0x99, fx_app_fn, app);
    return sim;
}

/* The first step of `kind` at interface `where` whose summary contains
 * `text`, or NULL. */
static const struct fx_step *first_step(const struct fx_log *log, enum trace_kind kind,
                                        const char *where, const char *text)
{
    for (size_t i = 0; i < log->n; i++)
        if (log->s[i].kind == kind && strcmp(log->s[i].where, where) == 0 &&
            strstr(log->s[i].summary, text))
            return &log->s[i];
    return NULL;
}

static void test_reassembly_timeout(void)
{
    struct netstack *h1;
    struct fx_log log;
    struct fx_app app;
    struct sim *sim = tap_net(1, &h1, &log, &app);
    if (!sim) {
        CHECK(0);
        return;
    }
    icmp_send_echo(h1, IP(10, 0, 0, 2), 0x99, 1, 0, 1400);
    sim_run_until(sim, 29 * SIM_S);
    CHECK_EQ(the_tap.dropped, 1);
    CHECK_EQ(app.n, 0); /* h2 still waits for the missing piece */
    CHECK_EQ(frag_frames(&log, "h1:eth0", 0, NULL, 0), 3);
    const struct fx_step *first = first_step(&log, TK_DECAP, "h2:eth0", "fragment offset 0,");
    CHECK(first != NULL);
    sim_run_until(sim, 40 * SIM_S);
    CHECK_EQ(fx_count(&log, TK_DROP, "h2", "reassembly time exceeded"), 1);
    /* RFC 792: time exceeded, code 1, quoting the first fragment */
    CHECK_EQ(app.n, 1);
    CHECK_EQ(app.type[0], ICMP_TIME_EXCEEDED);
    CHECK_EQ(app.code[0], ICMP_EXC_FRAG);
    CHECK_EQ(app.src[0], IP(10, 0, 0, 2));
    CHECK_EQ(app.seq[0], 1);
    /* the 70-byte error takes 17.52 us per cable, two cables back */
    if (first) CHECK_EQ(app.t[0], first->time + IP4_REASM_TIMEOUT + 2 * 17520);
    CHECK_EQ(get_be16(app.last + 8 + 6), IP4_FLAG_MF); /* the quoted header: first, MF */
    CHECK_EQ(app.last[8 + 20], ICMP_ECHO_REQUEST);
    /* nothing is left over: a second ping goes through whole */
    icmp_send_echo(h1, IP(10, 0, 0, 2), 0x99, 2, 0, 1400);
    sim_run_until(sim, 41 * SIM_S);
    CHECK_EQ(app.n, 2);
    CHECK_EQ(app.type[1], ICMP_ECHO_REPLY);
    CHECK_EQ(app.len[1], 1408);
    fx_log_free(&log);
    sim_free(sim);
}

static void test_reassembly_reversed(void)
{
    struct netstack *h1;
    struct fx_log log;
    struct fx_app app;
    struct sim *sim = tap_net(2, &h1, &log, &app);
    if (!sim) {
        CHECK(0);
        return;
    }
    icmp_send_echo(h1, IP(10, 0, 0, 2), 0x99, 1, 0, 1400);
    sim_run_until(sim, SIM_S);
    CHECK_EQ(the_tap.frags_seen, 3);
    /* h2 got the last piece first */
    const struct fx_step *d = first_step(&log, TK_DECAP, "h2:eth0", "fragment offset");
    CHECK(d && strcmp(d->summary, "fragment offset 1104, 304 bytes, last") == 0);
    CHECK_EQ(app.n, 1);
    CHECK_EQ(app.type[0], ICMP_ECHO_REPLY);
    CHECK_EQ(app.len[0], 1408);
    fx_log_free(&log);
    sim_free(sim);
}

/* ---- loopback ---- */

static void test_loopback(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 0, 1500, 0x77)) {
        CHECK(0);
        return;
    }
    icmp_send_echo(t.h1, IP(10, 1, 0, 10), 0x77, 1, 0, 56);
    CHECK_EQ(t.app.n, 0); /* through an event, never a recursive call */
    sim_run_until(t.sim, SIM_S);
    CHECK_EQ(t.app.n, 1);
    CHECK_EQ(t.app.type[0], ICMP_ECHO_REPLY);
    CHECK_EQ(t.app.src[0], IP(10, 1, 0, 10));
    CHECK_EQ(t.app.t[0], 0);
    CHECK_EQ(fx_count(&t.log, TK_TRANSMIT, NULL, NULL), 0);
    fx_net3_free(&t);
}

/* ---- input checks, with a fake neighbour that sends raw frames (fx_raw) ---- */

static void test_input_checks(void)
{
    struct fx_raw r;
    fx_raw_init(&r);
    const uint8_t *hmac = r.h->ifaces[0]->mac;
    static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    /* bad header checksum */
    struct pkt *p = fx_raw_ip(&r, hmac, IP(10, 9, 0, 1), IP4_PROTO_UDP, 1, NULL, 8);
    pkt_data(p)[ETH_HDR_LEN + 10] ^= 0x01;
    fx_raw_send(&r, p);
    CHECK_EQ(fx_count(&r.log, TK_DROP, "h:eth0", "invalid IPv4 header"), 1);
    CHECK_EQ(r.st->drops, 1);
    const struct fx_step *d = fx_nth(&r.log, TK_DROP, "h:eth0", 0);
    CHECK(d && strstr(d->why, "checksum does not match") != NULL);
    /* version 6 in an IPv4 EtherType */
    p = fx_raw_ip(&r, hmac, IP(10, 9, 0, 1), IP4_PROTO_UDP, 1, NULL, 8);
    pkt_data(p)[ETH_HDR_LEN] = 0x65;
    fx_raw_send(&r, p);
    CHECK_EQ(r.st->drops, 2);
    d = fx_nth(&r.log, TK_DROP, "h:eth0", 1);
    CHECK(d && strstr(d->why, "The version field is not 4") != NULL);
    /* for someone else: a host does not forward */
    fx_raw_send(&r, fx_raw_ip(&r, hmac, IP(10, 9, 0, 77), IP4_PROTO_UDP, 1, NULL, 8));
    CHECK_EQ(fx_count(&r.log, TK_DROP, "h:eth0", "not for me: Dst 10.9.0.77"), 1);
    CHECK_EQ(r.c.frames, 0);

    /* teach h where inj is (an ARP request for h), then talk */
    struct pkt *a = fx_frame(r.sim, bc, r.inj->ifaces[0]->mac, ETH_TYPE_ARP, 28, 0);
    uint8_t *m = pkt_data(a) + ETH_HDR_LEN;
    static const uint8_t arp_hdr[8] = {0, 1, 8, 0, 6, 4, 0, 1};
    memcpy(m, arp_hdr, 8);
    memcpy(m + 8, r.inj->ifaces[0]->mac, 6);
    put_be32(m + 14, IP(10, 9, 0, 2));
    put_be32(m + 24, IP(10, 9, 0, 1));
    fx_raw_send(&r, a);
    CHECK_EQ(r.c.frames, 1); /* the ARP reply */

    /* an echo request with no data: 28 bytes of IP in a padded 60-byte
     * frame; the padding is not part of the packet, so the reply is 28 */
    uint8_t echo[8] = {ICMP_ECHO_REQUEST, 0, 0, 0, 0x12, 0x34, 0, 5};
    put_be16(echo + 2, inet_checksum(echo, 8));
    fx_raw_send(&r, fx_raw_ip(&r, hmac, IP(10, 9, 0, 1), IP4_PROTO_ICMP, 1, echo, 8));
    CHECK_EQ(r.c.frames, 2);
    CHECK_EQ(r.c.last_len, 60);
    struct ip4_hdr h;
    CHECK_EQ(ip4_parse(r.c.last + ETH_HDR_LEN, r.c.last_len - ETH_HDR_LEN, &h), IP4_OK);
    CHECK_EQ(h.total_len, 28);
    CHECK_EQ(h.src, IP(10, 9, 0, 1));
    CHECK_EQ(h.dst, IP(10, 9, 0, 2));
    CHECK_EQ(r.c.last[ETH_HDR_LEN + 20], ICMP_ECHO_REPLY);
    CHECK_EQ(inet_checksum(r.c.last + ETH_HDR_LEN + 20, 8), 0);

    /* UDP to a port nobody listens on: port unreachable goes back */
    uint8_t udp[8] = {0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00};
    fx_raw_send(&r, fx_raw_ip(&r, hmac, IP(10, 9, 0, 1), IP4_PROTO_UDP, 1, udp, 8));
    CHECK_EQ(r.c.frames, 3);
    CHECK_EQ(r.c.last[ETH_HDR_LEN + 20], ICMP_DEST_UNREACH);
    CHECK_EQ(r.c.last[ETH_HDR_LEN + 21], ICMP_PORT_UNREACH);
    CHECK_MEM(r.c.last + ETH_HDR_LEN + 28 + 20, udp, 8); /* the first 8 data bytes quoted */
    CHECK_EQ(fx_count(&r.log, TK_DROP, "h:eth0", "port 53 unreachable"), 1);
    /* the same to the subnet's broadcast address: dropped quietly, no error */
    fx_raw_send(&r, fx_raw_ip(&r, bc, IP(10, 9, 0, 255), IP4_PROTO_UDP, 1, udp, 8));
    CHECK_EQ(fx_count(&r.log, TK_DROP, "h:eth0", "no program on port 53"), 1);
    CHECK_EQ(r.c.frames, 3);
    fx_raw_free(&r);
}

int main(void)
{
    test_lpm();
    test_forward_ttl_checksum();
    test_ttl_exceeded_and_no_route();
    test_fragmentation();
    test_df();
    test_reassembly_timeout();
    test_reassembly_reversed();
    test_loopback();
    test_input_checks();
    return check_done();
}
