/* test_stack.c - the per-node protocol stack (protocols/stack.h):
 * stack_install for each node kind (input handler, forwarding, tables,
 * connected routes for every address), stack_add_route choosing the
 * interface of an on-link gateway and refusing an off-link one,
 * stack_add_addr, stack_is_local, iface_addr, the trace-step helpers
 * (summary and why split at the newline; STEP only for per-layer sinks,
 * DROP_STEP for the wire log too), and the IP id drawn from the node's own
 * RNG stream. */
#include "check.h"
#include "fixture.h"
#include "protocols/eth.h"
#include "protocols/l2switch.h"

static void test_install_kinds(void)
{
    struct sim *sim = sim_new(5);
    struct node *h = node_new(sim, "h", NODE_HOST);
    struct iface *e0 = iface_new(h, "eth0", NULL), *e1 = iface_new(h, "eth1", NULL);
    iface_add_addr(e0, IP(10, 0, 0, 5), 24);
    iface_add_addr(e0, IP(192, 168, 7, 7), 16);
    iface_add_addr(e1, IP(172, 16, 0, 1), 30);
    struct netstack *st = stack_install(h);
    CHECK(node_stack(h) == st);
    CHECK(h->stack == st);
    CHECK(h->stack_free != NULL);
    CHECK(h->input == eth_input);
    CHECK(st->node == h && st->sim == sim);
    CHECK(!st->forwarding);
    CHECK_EQ(st->default_ttl, 64);
    CHECK_EQ(st->arp.timeout, 60 * SIM_S);
    /* a connected route per address, masked, longest first */
    CHECK_EQ(st->rt.n, 3);
    if (st->rt.n == 3) {
        CHECK_EQ(st->rt.r[0].dst, IP(172, 16, 0, 0));
        CHECK_EQ(st->rt.r[0].plen, 30);
        CHECK(st->rt.r[0].ifc == e1);
        CHECK_EQ(st->rt.r[1].dst, IP(10, 0, 0, 0));
        CHECK_EQ(st->rt.r[2].dst, IP(192, 168, 0, 0));
        CHECK(st->rt.r[2].ifc == e0);
        CHECK_EQ(st->rt.r[2].kind, ROUTE_CONNECTED);
        CHECK_EQ(st->rt.r[2].gw, 0);
    }

    struct node *r = node_new(sim, "r", NODE_ROUTER);
    iface_add_addr(iface_new(r, "eth0", NULL), IP(10, 0, 0, 1), 24);
    struct netstack *rs = stack_install(r);
    CHECK(rs->forwarding);
    CHECK(r->input == eth_input);
    CHECK_EQ(rs->rt.n, 1);

    struct node *sv = node_new(sim, "srv", NODE_SERVER);
    iface_new(sv, "eth0", NULL);
    struct netstack *ss = stack_install(sv);
    CHECK(!ss->forwarding);
    CHECK(sv->input == eth_input);
    CHECK_EQ(ss->rt.n, 0); /* no address, no route */

    struct node *sw = node_new(sim, "sw", NODE_SWITCH);
    iface_new(sw, "1", NULL);
    struct netstack *ws = stack_install(sw);
    CHECK(sw->input == switch_input);
    CHECK(!ws->forwarding);
    CHECK_EQ(ws->mac.aging, 300 * SIM_S);
    CHECK_EQ(ws->mac.storm_limit, SWITCH_STORM_LIMIT);
    CHECK_EQ(ws->arp.timeout, 0); /* no ARP on a switch */

    struct node *hb = node_new(sim, "hub", NODE_HUB);
    iface_new(hb, "1", NULL);
    stack_install(hb);
    CHECK(hb->input == hub_input);
    sim_free(sim); /* frees every stack (ASan checks) */
}

static void test_routes_and_addresses(void)
{
    struct sim *sim = sim_new(5);
    struct node *h = node_new(sim, "h", NODE_HOST);
    struct iface *e0 = iface_new(h, "eth0", NULL), *e1 = iface_new(h, "eth1", NULL);
    iface_add_addr(e0, IP(10, 0, 0, 5), 24);
    iface_add_addr(e1, IP(172, 16, 0, 1), 30);
    struct netstack *st = stack_install(h);

    /* an off-link gateway is refused and adds nothing */
    CHECK_EQ(stack_add_route(st, 0, 0, IP(10, 0, 1, 1), NULL), -1);
    CHECK_EQ(st->rt.n, 2);
    /* an on-link one picks the interface of its subnet */
    CHECK_EQ(stack_add_route(st, IP(10, 50, 0, 0), 16, IP(172, 16, 0, 2), NULL), 0);
    const struct route *r = route_lookup(&st->rt, IP(10, 50, 3, 4));
    CHECK(r && r->ifc == e1 && r->gw == IP(172, 16, 0, 2) && r->kind == ROUTE_STATIC);
    CHECK_EQ(stack_add_route(st, 0, 0, IP(10, 0, 0, 1), NULL), 0);
    r = route_lookup(&st->rt, IP(8, 8, 8, 8));
    CHECK(r && r->ifc == e0 && r->plen == 0);
    /* a gateway reachable only through another static route is not on-link */
    CHECK_EQ(stack_add_route(st, IP(10, 60, 0, 0), 16, IP(10, 50, 0, 1), NULL), -1);
    /* with an interface given, no check is made (a route "dev eth1") */
    CHECK_EQ(stack_add_route(st, IP(10, 70, 0, 0), 16, 0, e1), 0);
    r = route_lookup(&st->rt, IP(10, 70, 0, 9));
    CHECK(r && r->ifc == e1 && r->gw == 0);
    CHECK_EQ(st->rt.n, 5);

    /* addresses */
    CHECK(stack_is_local(st, IP(10, 0, 0, 5)));
    CHECK(stack_is_local(st, IP(172, 16, 0, 1)));
    CHECK(!stack_is_local(st, IP(10, 0, 0, 6)));
    CHECK(!stack_is_local(st, IP(10, 0, 0, 255)));
    CHECK(!stack_is_local(st, IP(10, 0, 0, 0)));
    CHECK(!stack_is_local(st, 0));
    CHECK_EQ(stack_add_addr(st, e1, IP(192, 168, 50, 1), 24), 0);
    CHECK(stack_is_local(st, IP(192, 168, 50, 1)));
    r = route_lookup(&st->rt, IP(192, 168, 50, 77));
    CHECK(r && r->ifc == e1 && r->kind == ROUTE_CONNECTED && r->dst == IP(192, 168, 50, 0));
    CHECK_EQ(stack_add_route(st, IP(10, 80, 0, 0), 16, IP(192, 168, 50, 254), NULL), 0);
    CHECK_EQ(stack_add_addr(st, e1, IP(192, 168, 51, 1), 24), 0);
    CHECK_EQ(stack_add_addr(st, e1, IP(192, 168, 52, 1), 24), 0);
    size_t before = st->rt.n;
    CHECK_EQ(stack_add_addr(st, e1, IP(192, 168, 53, 1), 24), -1); /* the fifth */
    CHECK_EQ(st->rt.n, before);
    CHECK(!stack_is_local(st, IP(192, 168, 53, 1)));
    CHECK_EQ(iface_addr(e1), IP(172, 16, 0, 1));
    CHECK_EQ(iface_addr(iface_new(h, "eth2", NULL)), 0);
    sim_free(sim);
}

static void test_steps(void)
{
    struct sim *sim = sim_new(5);
    struct node *h = node_new(sim, "h", NODE_HOST);
    struct iface *e = iface_new(h, "eth0", NULL);
    stack_install(h);
    struct fx_log frames = {0}, layers = {0};
    struct pkt *p = pkt_new(sim, PKT_HEADROOM, 20);
    pkt_data(p)[0] = 0x45;
    /* nobody listens: nothing is emitted */
    STEP(sim, h, e, 3, TK_ENCAP, p, "IPv4", "s %d\nw %d", 1, 2);
    DROP_STEP(sim, h, e, 3, TK_DROP, p, "IPv4", "d\nwhy");
    trace_subscribe(sim, TRACE_FRAMES, fx_log_sink, &frames);
    STEP(sim, h, e, 3, TK_ENCAP, p, "IPv4", "s %d\nw %d", 1, 2);
    CHECK_EQ(frames.n, 0); /* per-layer steps are not for the wire log */
    DROP_STEP(sim, h, e, 3, TK_DROP, p, "IPv4", "dropped %s\nbecause %s.", "x", "y");
    CHECK_EQ(frames.n, 1);
    trace_subscribe(sim, TRACE_LAYERS, fx_log_sink, &layers);
    STEP(sim, h, e, 3, TK_ENCAP, p, "IPv4", "s %d\nw %d", 1, 2);
    stack_step(sim, TRACE_LAYERS, h, NULL, 4, TK_STATE, NULL, "X", "no why here");
    CHECK_EQ(layers.n, 2);
    CHECK_EQ(frames.n, 1);
    if (frames.n == 1) {
        const struct fx_step *s = &frames.s[0];
        CHECK_STR(s->summary, "dropped x");
        CHECK_STR(s->why, "because y.");
        CHECK_EQ(s->level, TRACE_FRAMES | TRACE_LAYERS);
        CHECK_EQ(s->pkt_id, p->id);
        CHECK_EQ(s->len, 20);
        CHECK(s->frame && s->frame[0] == 0x45);
        CHECK_STR(s->where, "h:eth0");
        CHECK_STR(s->proto, "IPv4");
    }
    if (layers.n == 2) {
        CHECK_STR(layers.s[0].summary, "s 1");
        CHECK_STR(layers.s[0].why, "w 2");
        CHECK_EQ(layers.s[0].kind, TK_ENCAP);
        CHECK_EQ(layers.s[0].layer, 3);
        CHECK_STR(layers.s[1].summary, "no why here");
        CHECK_STR(layers.s[1].why, "");
        CHECK_EQ(layers.s[1].pkt_id, 0);
        CHECK(layers.s[1].frame == NULL);
        CHECK_STR(layers.s[1].where, "h");
    }
    pkt_free(sim, p);
    fx_log_free(&frames);
    fx_log_free(&layers);
    sim_free(sim);
}

static void test_ip_id_stream(void)
{
    /* the first IP id comes from the node's stream: the same for the same
     * seed and name, whatever else the scenario holds */
    struct sim *a = sim_new(9), *b = sim_new(9), *c = sim_new(10);
    node_new(b, "other", NODE_HOST);
    struct netstack *sa = stack_install(node_new(a, "pc", NODE_HOST));
    struct netstack *sb = stack_install(node_new(b, "pc", NODE_HOST));
    struct netstack *sc = stack_install(node_new(c, "pc", NODE_HOST));
    struct netstack *sd = stack_install(node_new(c, "pc2", NODE_HOST));
    CHECK_EQ(sa->ip_id, sb->ip_id);
    CHECK(sa->ip_id != sc->ip_id || sa->ip_id != sd->ip_id);
    sim_free(a);
    sim_free(b);
    sim_free(c);
}

int main(void)
{
    test_install_kinds();
    test_routes_and_addresses();
    test_steps();
    test_ip_id_stream();
    return check_done();
}
