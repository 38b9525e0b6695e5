/* test_build.c - model -> sim (scenarios/build.h): a scenario builds with
 * its nodes, switch ports, interfaces, addresses, MACs (given and
 * generated), links with their parameters (and one that starts down),
 * stacks, gateways and static routes; and the errors only the builder can
 * find name file and line (in a model changed after
 * loading, as the Lua loader or the GUI could produce) a next hop or
 * gateway on no connected subnet, an unknown route device, an unknown link
 * endpoint, and two cables into one interface. "ip": "dhcp" builds an
 * interface with no address. */
#include "check.h"
#include "fixture.h"

/* Every object on its own line, so lines are easy to name. */
static const char good_json[] =
    "{\"netstep\": 1, \"seed\": 3, \"nodes\": [\n"                                          /* 1 */
    " {\"name\": \"h1\", \"type\": \"host\", \"gateway\": \"10.0.0.254\",\n"                /* 2 */
    "  \"interfaces\": [\n"                                                                 /* 3 */
    "   {\"name\": \"eth0\", \"ip\": \"10.0.0.1/24\"}]},\n"                                 /* 4 */
    " {\"name\": \"r1\", \"type\": \"router\", \"interfaces\": [\n"                         /* 5 */
    "   {\"name\": \"eth0\", \"ip\": \"10.0.0.254/24\", \"mac\": \"02:aa:bb:cc:dd:ee\"},\n" /* 6 */
    "   {\"name\": \"eth1\", \"ip\": [\"10.1.0.1/24\", \"10.2.0.1/24\"]}],\n"               /* 7 */
    "  \"routes\": [\n"                                                                     /* 8 */
    "   {\"to\": \"10.9.0.0/16\", \"via\": \"10.1.0.2\"},\n"                                /* 9 */
    "   {\"to\": \"10.8.0.0/16\", \"dev\": \"eth1\"}]},\n"                                  /* 10 */
    " {\"name\": \"sw\", \"type\": \"switch\", \"ports\": 3},\n"                            /* 11 */
    " {\"name\": \"srv\", \"type\": \"server\", \"interfaces\": [\n"                        /* 12 */
    "   {\"name\": \"eth0\", \"ip\": \"10.1.0.2/24\"}]}],\n"                                /* 13 */
    " \"links\": [\n"                                                                       /* 14 */
    "  {\"a\": \"h1:eth0\", \"b\": \"sw:1\"},\n"                                            /* 15 */
    "  {\"a\": \"sw:3\", \"b\": \"r1:eth0\", \"bandwidth\": \"1Gbps\", \"delay\": \"2ms\", "
    "\"mtu\": 1400, \"loss\": 0.25, \"queue\": 7},\n"                 /* 16 */
    "  {\"a\": \"r1:eth1\", \"b\": \"srv:eth0\", \"up\": false}]}\n"; /* 17 */

static struct model *load(const char *json)
{
    struct model_error err = {{0}};
    struct model *m = model_load_json_text("t.json", json, strlen(json), &err);
    if (!m) fprintf(stderr, "load: %s\n", err.text);
    return m;
}

static void test_good(void)
{
    struct model *m = load(good_json);
    CHECK(m != NULL);
    if (!m) return;
    struct model_error err = {{0}};
    struct sim *sim = scenario_build(m, 99, &err);
    CHECK(sim != NULL);
    if (!sim) {
        fprintf(stderr, "build: %s\n", err.text);
        model_free(m);
        return;
    }
    CHECK_EQ(sim_seed(sim), 99); /* the caller's seed, not the file's */
    CHECK_EQ(sim_node_count(sim), 4);
    struct node *h1 = sim_find_node(sim, "h1"), *r1 = sim_find_node(sim, "r1");
    struct node *sw = sim_find_node(sim, "sw"), *srv = sim_find_node(sim, "srv");
    CHECK(h1 && r1 && sw && srv);
    if (!h1 || !r1 || !sw || !srv) goto out;
    CHECK_EQ(h1->kind, NODE_HOST);
    CHECK_EQ(r1->kind, NODE_ROUTER);
    CHECK_EQ(sw->kind, NODE_SWITCH);
    CHECK_EQ(srv->kind, NODE_SERVER);
    CHECK_EQ(sim_node(sim, 2), sw); /* file order */
    /* switch ports "1".."3" */
    CHECK_EQ(sw->n_ifaces, 3);
    CHECK_STR(sw->ifaces[0]->name, "1");
    CHECK_STR(sw->ifaces[2]->name, "3");
    CHECK(node_stack(sw) && node_stack(sw)->mac.aging == 300 * SIM_S);
    /* interfaces, addresses, MACs */
    struct iface *r0 = node_find_iface(r1, "eth0"), *r1e1 = node_find_iface(r1, "eth1");
    CHECK(r0 && r1e1);
    if (!r0 || !r1e1) goto out;
    static const uint8_t given[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
    static const uint8_t gen[6] = {0x02, 0x00, 0x00, 0x00, 0x02, 0x02};
    CHECK_MEM(r0->mac, given, 6);
    CHECK_MEM(r1e1->mac, gen, 6);
    CHECK_EQ(r1e1->n_addr, 2);
    CHECK_EQ(r1e1->addr[1], IP(10, 2, 0, 1));
    CHECK_EQ(r1e1->plen[1], 24);
    /* stacks and routes */
    struct netstack *hs = node_stack(h1), *rs = node_stack(r1);
    CHECK(!hs->forwarding);
    CHECK(rs->forwarding);
    const struct route *rt = route_lookup(&hs->rt, IP(8, 8, 8, 8));
    CHECK(rt && rt->plen == 0 && rt->gw == IP(10, 0, 0, 254));
    rt = route_lookup(&rs->rt, IP(10, 9, 1, 1));
    CHECK(rt && rt->gw == IP(10, 1, 0, 2) && rt->ifc == r1e1 && rt->kind == ROUTE_STATIC);
    rt = route_lookup(&rs->rt, IP(10, 8, 1, 1));
    CHECK(rt && rt->gw == 0 && rt->ifc == r1e1 && rt->plen == 16);
    rt = route_lookup(&rs->rt, IP(10, 2, 0, 9));
    CHECK(rt && rt->kind == ROUTE_CONNECTED && rt->ifc == r1e1);
    CHECK(route_lookup(&rs->rt, IP(8, 8, 8, 8)) == NULL);
    CHECK_EQ(rs->rt.n, 5);
    /* links */
    CHECK_EQ(sim_link_count(sim), 3);
    struct link *l0 = sim_link(sim, 0), *l1 = sim_link(sim, 1), *l2 = sim_link(sim, 2);
    CHECK(l0->dir[0].from == node_find_iface(h1, "eth0"));
    CHECK(l0->dir[0].to == sw->ifaces[0]);
    CHECK_EQ(l0->p.bandwidth_bps, 100000000); /* defaults */
    CHECK_EQ(l0->p.delay, 10 * SIM_US);
    CHECK_EQ(l0->p.mtu, 1500);
    CHECK(l0->up);
    CHECK_EQ(l1->p.bandwidth_bps, 1000000000);
    CHECK_EQ(l1->p.delay, 2 * SIM_MS);
    CHECK_EQ(l1->p.mtu, 1400);
    CHECK(l1->p.loss == 0.25);
    CHECK_EQ(l1->p.queue_limit, 7);
    CHECK(r0->link == l1);
    CHECK_EQ(iface_mtu(r0), 1400);
    CHECK(!l2->up);
    CHECK(sw->ifaces[1]->link == NULL); /* port 2 is free */
out:
    sim_free(sim);
    model_free(m);
}

/* Builds m and checks the error text exactly. */
static void expect_error(const struct model *m, const char *want)
{
    struct model_error err = {{0}};
    struct sim *sim = scenario_build(m, 1, &err);
    CHECK(sim == NULL);
    CHECK_STR(err.text, want);
    sim_free(sim);
}

static void test_errors(void)
{
    /* "dhcp" builds an interface without an address (dhclient gets one) */
    static const char dhcp_json[] = "{\"netstep\": 1, \"nodes\": [\n"
                                    " {\"name\": \"pc\", \"type\": \"host\", \"interfaces\": [\n"
                                    "   {\"name\": \"eth0\", \"ip\": \"10.0.0.1/24\"},\n"
                                    "   {\"name\": \"eth1\", \"ip\": \"dhcp\"}]}]}\n";
    struct model *m = load(dhcp_json);
    CHECK(m != NULL);
    if (m) {
        CHECK(m->nodes[0].ifaces[1].dhcp);
        struct model_error err = {{0}};
        struct sim *sim = scenario_build(m, 1, &err);
        CHECK(sim != NULL);
        struct iface *e1 = sim ? fx_iface(sim, "pc", "eth1") : NULL;
        CHECK(e1 && e1->n_addr == 0);
        sim_free(sim);
        /* a gateway cannot be reached before the lease: the builder says so */
        m->nodes[0].gateway = IP(10, 5, 0, 1);
        m->nodes[0].line = 2;
        expect_error(m, "t.json:2: nodes[0].gateway: the gateway is not on any of pc's subnets");
        model_free(m);
    }

    /* the rest: a good model, changed after loading */
    m = load(good_json);
    CHECK(m != NULL);
    if (!m) return;
    struct model_node *h1 = &m->nodes[0], *r1 = &m->nodes[1];
    CHECK_EQ(r1->routes[0].line, 9);
    uint32_t via = r1->routes[0].via;
    r1->routes[0].via = IP(10, 77, 0, 1);
    expect_error(m, "t.json:9: nodes[1].routes[0].via: 10.77.0.1 is not on any subnet of r1, so "
                    "it cannot be a next hop");
    /* a next hop reachable only through another static route is not on-link */
    r1->routes[0].via = IP(10, 8, 0, 1);
    struct model_route keep = r1->routes[0];
    r1->routes[0] = r1->routes[1];
    r1->routes[1] = keep;
    r1->routes[1].line = 10;
    expect_error(m, "t.json:10: nodes[1].routes[1].via: 10.8.0.1 is not on any subnet of r1, so "
                    "it cannot be a next hop");
    r1->routes[1].via = via;
    uint32_t gw = h1->gateway;
    h1->gateway = IP(10, 0, 1, 1);
    expect_error(m, "t.json:2: nodes[0].gateway: the gateway is not on any of h1's subnets");
    h1->gateway = gw;
    /* an unknown device for a route */
    char *dev = r1->routes[0].dev;
    r1->routes[0].dev = "eth9";
    expect_error(m, "t.json:10: nodes[1].routes[0].dev: r1 has no interface \"eth9\"");
    r1->routes[0].dev = dev;
    /* links: an unknown endpoint, then two cables into r1:eth0 */
    char *ifn = m->links[0].b_iface;
    m->links[0].b_iface = "9";
    expect_error(m, "t.json:15: links[0]: unknown endpoint");
    m->links[0].b_iface = ifn;
    char *bn = m->links[2].b_node, *bi = m->links[2].b_iface;
    m->links[2].b_node = "r1";
    m->links[2].b_iface = "eth0";
    expect_error(m, "t.json:17: links[2]: an interface can take only one cable");
    m->links[2].b_node = bn;
    m->links[2].b_iface = bi;
    /* put right, it builds again */
    struct model_error err = {{0}};
    struct sim *sim = scenario_build(m, 1, &err);
    CHECK(sim != NULL);
    CHECK_STR(err.text, "");
    sim_free(sim);
    model_free(m);
}

int main(void)
{
    test_good();
    test_errors();
    return check_done();
}
