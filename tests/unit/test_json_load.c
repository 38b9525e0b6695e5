/* test_json_load.c - the JSON scenario loader: a full scenario loads with
 * every field right, defaults apply, each file of tests/bad fails with the
 * error its .expect sidecar names (file, line, path and message), and the
 * line scanner finds paths in tricky text.
 *
 * The bad corpus directory comes from argv[1], else from NETSTEP_BAD_DIR
 * (set by tests/CMakeLists.txt). */
#include "check.h"
#include "scenarios/model.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#ifndef NETSTEP_BAD_DIR
#define NETSTEP_BAD_DIR "tests/bad"
#endif

#define IP(a, b, c, d)                                                                             \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static struct model *load_text(const char *text, struct model_error *err)
{
    return model_load_json_text("t.json", text, strlen(text), err);
}

static const char full_scenario[] =
    "{\n"
    "  \"netstep\": 1,\n"
    "  \"name\": \"Two LANs and a router\",\n"
    "  \"description\": \"Watch ARP, then the ping cross r1.\",\n"
    "  \"seed\": 42,\n"
    "  \"nodes\": [\n"
    "    {\"name\": \"pc1\", \"type\": \"host\",\n"
    "     \"interfaces\": [{\"name\": \"eth0\", \"ip\": \"192.168.1.10/24\",\n"
    "                     \"mac\": \"02:00:00:00:01:0a\"}],\n"
    "     \"gateway\": \"192.168.1.1\", \"dns\": [\"192.168.1.53\", \"8.8.8.8\"],\n"
    "     \"position\": {\"x\": 100, \"y\": -20.5}},\n"
    "    {\"name\": \"srv\", \"type\": \"server\",\n"
    "     \"interfaces\": [{\"name\": \"eth0\", \"ip\": [\"10.0.2.20/24\", \"10.0.3.20/24\"]}],\n"
    "     \"routes\": [{\"to\": \"default\", \"via\": \"10.0.2.1\"}]},\n"
    "    {\"name\": \"sw1\", \"type\": \"switch\"},\n"
    "    {\"name\": \"hub1\", \"type\": \"hub\", \"ports\": 4},\n"
    "    {\"name\": \"r1\", \"type\": \"router\",\n"
    "     \"interfaces\": [{\"name\": \"eth0\", \"ip\": \"192.168.1.1/24\"},\n"
    "                    {\"name\": \"eth1\", \"ip\": \"10.0.2.1/24\"},\n"
    "                    {\"name\": \"eth2\", \"ip\": \"dhcp\"},\n"
    "                    {\"name\": \"p2p\", \"ip\": \"172.16.0.0/31\"}],\n"
    "     \"routes\": [{\"to\": \"10.9.0.0/16\", \"via\": \"10.0.2.254\", \"dev\": \"eth1\"},\n"
    "                {\"to\": \"172.20.0.0/16\", \"dev\": \"eth0\"}]}\n"
    "  ],\n"
    "  \"links\": [\n"
    "    {\"a\": \"pc1:eth0\", \"b\": \"sw1:1\"},\n"
    "    {\"a\": \"sw1:8\", \"b\": \"r1:eth0\", \"bandwidth\": \"1Gbps\", \"delay\": \"50us\",\n"
    "     \"loss\": 0.01, \"mtu\": 9000, \"queue\": 64, \"up\": false},\n"
    "    {\"a\": \"r1:eth1\", \"b\": \"hub1:4\", \"bandwidth\": 2500000},\n"
    "    {\"a\": \"hub1:1\", \"b\": \"srv:eth0\", \"bandwidth\": \"10 kbps\", \"delay\": "
    "\"1.5ms\"},\n"
    "    {\"a\": \"r1:p2p\", \"b\": \"r1:eth2\", \"bandwidth\": \"512BPS\"}\n"
    "  ],\n"
    "  \"timeline\": [\n"
    "    {\"at\": \"1s\", \"node\": \"pc1\", \"run\": \"ping -c 3 10.0.2.20\",\n"
    "     \"expect\": {\"contains\": \"3 received\", \"not_contains\": \"Unreachable\",\n"
    "                \"matches\": \"rtt min/avg/max/mdev = [0-9.]+/\", \"exit\": 0}},\n"
    "    {\"at\": 2.5, \"node\": \"sw1\", \"run\": \"show mac address-table\"},\n"
    "    {\"at\": \"0s\", \"node\": \"srv\", \"run\": \"telnet 10.0.2.1 80\",\n"
    "     \"input\": [\"GET / HTTP/1.1\", \"\"]}\n"
    "  ],\n"
    "  \"expect_packets\": [\n"
    "    {\"summary\": \"Echo (ping) reply\", \"on\": \"pc1:eth0\", \"protocol\": \"ICMP\",\n"
    "     \"min\": 3, \"max\": 3},\n"
    "    {\"summary\": \"Who has\", \"on\": \"r1\", \"min\": 1},\n"
    "    {\"summary\": \"\"}\n"
    "  ],\n"
    "  \"until\": \"30s\"\n"
    "}\n";

static void test_full(void)
{
    struct model_error err = {{0}};
    struct model *m = load_text(full_scenario, &err);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "  error: %s\n", err.text);
        return;
    }
    CHECK_STR(m->file, "t.json");
    CHECK_STR(m->name, "Two LANs and a router");
    CHECK_STR(m->description, "Watch ARP, then the ping cross r1.");
    CHECK_EQ(m->seed, 42);
    CHECK_EQ(m->until, 30 * SIM_S);
    CHECK_EQ(m->n_nodes, 5);

    struct model_node *pc1 = model_find_node(m, "pc1");
    CHECK(pc1 == &m->nodes[0]);
    CHECK_EQ(pc1->kind, NODE_HOST);
    CHECK_EQ(pc1->line, 7);
    CHECK_EQ(pc1->n_ifaces, 1);
    CHECK_STR(pc1->ifaces[0].name, "eth0");
    CHECK_EQ(pc1->ifaces[0].line, 8);
    CHECK_EQ(pc1->ifaces[0].n_addr, 1);
    CHECK_EQ(pc1->ifaces[0].addr[0], IP(192, 168, 1, 10));
    CHECK_EQ(pc1->ifaces[0].plen[0], 24);
    CHECK(!pc1->ifaces[0].dhcp);
    CHECK(pc1->ifaces[0].has_mac);
    CHECK_MEM(pc1->ifaces[0].mac, "\x02\x00\x00\x00\x01\x0a", 6);
    CHECK_EQ(pc1->gateway, IP(192, 168, 1, 1));
    CHECK_EQ(pc1->n_dns, 2);
    CHECK_EQ(pc1->dns[0], IP(192, 168, 1, 53));
    CHECK_EQ(pc1->dns[1], IP(8, 8, 8, 8));
    CHECK(pc1->has_pos);
    CHECK(pc1->x == 100.0 && pc1->y == -20.5);
    CHECK_EQ(pc1->n_routes, 0);

    struct model_node *srv = model_find_node(m, "srv");
    CHECK(srv != NULL);
    CHECK_EQ(srv->kind, NODE_SERVER);
    CHECK(!srv->has_pos);
    CHECK_EQ(srv->gateway, 0);
    CHECK_EQ(srv->ifaces[0].n_addr, 2);
    CHECK_EQ(srv->ifaces[0].addr[1], IP(10, 0, 3, 20));
    CHECK(!srv->ifaces[0].has_mac);
    CHECK_EQ(srv->n_routes, 1);
    CHECK_EQ(srv->routes[0].dst, 0);
    CHECK_EQ(srv->routes[0].plen, 0);
    CHECK_EQ(srv->routes[0].via, IP(10, 0, 2, 1));
    CHECK(srv->routes[0].dev == NULL);

    struct model_node *sw1 = model_find_node(m, "sw1");
    CHECK_EQ(sw1->kind, NODE_SWITCH);
    CHECK_EQ(sw1->ports, 8); /* default */
    CHECK_EQ(sw1->n_ifaces, 0);
    CHECK_EQ(model_find_node(m, "hub1")->kind, NODE_HUB);
    CHECK_EQ(model_find_node(m, "hub1")->ports, 4);
    CHECK(model_find_node(m, "nobody") == NULL);

    struct model_node *r1 = model_find_node(m, "r1");
    CHECK_EQ(r1->kind, NODE_ROUTER);
    CHECK_EQ(r1->n_ifaces, 4);
    CHECK(r1->ifaces[2].dhcp);
    CHECK_EQ(r1->ifaces[2].n_addr, 0);
    CHECK_EQ(r1->ifaces[3].addr[0], IP(172, 16, 0, 0)); /* /31: both addresses usable */
    CHECK_EQ(r1->n_routes, 2);
    CHECK_EQ(r1->routes[0].dst, IP(10, 9, 0, 0));
    CHECK_EQ(r1->routes[0].plen, 16);
    CHECK_EQ(r1->routes[0].via, IP(10, 0, 2, 254));
    CHECK_STR(r1->routes[0].dev, "eth1");
    CHECK_EQ(r1->routes[0].line, 22);
    CHECK_EQ(r1->routes[1].via, 0);
    CHECK_STR(r1->routes[1].dev, "eth0");

    struct link_params def;
    link_params_default(&def);
    CHECK_EQ(m->n_links, 5);
    struct model_link *l = &m->links[0];
    CHECK_STR(l->a_node, "pc1");
    CHECK_STR(l->a_iface, "eth0");
    CHECK_STR(l->b_node, "sw1");
    CHECK_STR(l->b_iface, "1");
    CHECK_EQ(l->p.bandwidth_bps, def.bandwidth_bps);
    CHECK_EQ(l->p.bandwidth_bps, 100000000);
    CHECK_EQ(l->p.delay, def.delay);
    CHECK(l->p.loss == 0);
    CHECK_EQ(l->p.mtu, 1500);
    CHECK_EQ(l->p.queue_limit, def.queue_limit);
    CHECK(!l->down);
    CHECK_EQ(l->line, 26);
    l = &m->links[1];
    CHECK_STR(l->a_node, "sw1");
    CHECK_STR(l->a_iface, "8");
    CHECK_EQ(l->p.bandwidth_bps, 1000000000);
    CHECK_EQ(l->p.delay, 50 * SIM_US);
    CHECK(l->p.loss == 0.01);
    CHECK_EQ(l->p.mtu, 9000);
    CHECK_EQ(l->p.queue_limit, 64);
    CHECK(l->down);
    CHECK_EQ(m->links[2].p.bandwidth_bps, 2500000);
    CHECK_EQ(m->links[3].p.bandwidth_bps, 10000);
    CHECK_EQ(m->links[3].p.delay, 1500 * SIM_US);
    CHECK_EQ(m->links[4].p.bandwidth_bps, 512);

    CHECK_EQ(m->n_events, 3);
    struct model_event *ev = &m->events[0];
    CHECK_EQ(ev->at, SIM_S);
    CHECK_STR(ev->node, "pc1");
    CHECK_STR(ev->run, "ping -c 3 10.0.2.20");
    CHECK_EQ(ev->line, 34);
    CHECK(ev->has_expect);
    CHECK(ev->expect.has_contains && ev->expect.has_not_contains && ev->expect.has_matches);
    CHECK_STR(ev->expect.contains, "3 received");
    CHECK_STR(ev->expect.not_contains, "Unreachable");
    CHECK_STR(ev->expect.matches, "rtt min/avg/max/mdev = [0-9.]+/");
    CHECK(ev->expect.has_exit);
    CHECK_EQ(ev->expect.exit_code, 0);
    CHECK_EQ(ev->n_input, 0);
    ev = &m->events[1];
    CHECK_EQ(ev->at, 2500 * SIM_MS);
    CHECK(!ev->has_expect);
    CHECK(!ev->expect.has_exit);
    ev = &m->events[2];
    CHECK_EQ(ev->at, 0);
    CHECK_EQ(ev->n_input, 2);
    CHECK_STR(ev->input[0], "GET / HTTP/1.1");
    CHECK_STR(ev->input[1], "");

    CHECK_EQ(m->n_pexpects, 3);
    struct model_pexpect *pe = &m->pexpects[0];
    CHECK_STR(pe->summary, "Echo (ping) reply");
    CHECK_STR(pe->on, "pc1:eth0");
    CHECK_STR(pe->protocol, "ICMP");
    CHECK(pe->has_min && pe->has_max);
    CHECK_EQ(pe->min, 3);
    CHECK_EQ(pe->max, 3);
    CHECK_EQ(pe->line, 42);
    CHECK_STR(m->pexpects[1].on, "r1");
    CHECK(m->pexpects[1].protocol == NULL);
    CHECK(m->pexpects[1].has_min && !m->pexpects[1].has_max);
    CHECK_STR(m->pexpects[2].summary, "");
    CHECK(m->pexpects[2].on == NULL);
    model_free(m);
}

/* The lines the loader records (from its syntax pass) agree with the path
 * scanner's, entry by entry. */
static void test_lines_agree(void)
{
    struct model_error err = {{0}};
    struct model *m = load_text(full_scenario, &err);
    CHECK(m != NULL);
    if (!m) return;
    size_t n = strlen(full_scenario);
    char path[64];
    for (int i = 0; i < m->n_nodes; i++) {
        snprintf(path, sizeof path, "nodes[%d]", i);
        CHECK_EQ(m->nodes[i].line, model_json_line(full_scenario, n, path));
        for (int k = 0; k < m->nodes[i].n_ifaces; k++) {
            snprintf(path, sizeof path, "nodes[%d].interfaces[%d]", i, k);
            CHECK_EQ(m->nodes[i].ifaces[k].line, model_json_line(full_scenario, n, path));
        }
        for (int k = 0; k < m->nodes[i].n_routes; k++) {
            snprintf(path, sizeof path, "nodes[%d].routes[%d]", i, k);
            CHECK_EQ(m->nodes[i].routes[k].line, model_json_line(full_scenario, n, path));
        }
    }
    for (int i = 0; i < m->n_links; i++) {
        snprintf(path, sizeof path, "links[%d]", i);
        CHECK_EQ(m->links[i].line, model_json_line(full_scenario, n, path));
    }
    for (int i = 0; i < m->n_events; i++) {
        snprintf(path, sizeof path, "timeline[%d]", i);
        CHECK_EQ(m->events[i].line, model_json_line(full_scenario, n, path));
    }
    for (int i = 0; i < m->n_pexpects; i++) {
        snprintf(path, sizeof path, "expect_packets[%d]", i);
        CHECK_EQ(m->pexpects[i].line, model_json_line(full_scenario, n, path));
    }
    model_free(m);
}

/* A big topology (one line per entry): every name, endpoint and line right,
 * and a duplicate interface use found at the far end. */
static void test_big(void)
{
    enum { N = 3000 };
    size_t cap = (size_t)N * 200 + 1000, o = 0;
    char *t = malloc(cap);
    o += (size_t)snprintf(t + o, cap - o,
                          "{\"netstep\": 1,\n\"nodes\": [\n"
                          "{\"name\": \"sw\", \"type\": \"switch\", \"ports\": %d}",
                          N);
    for (int i = 0; i < N; i++)
        o += (size_t)snprintf(t + o, cap - o,
                              ",\n{\"name\": \"h%d\", \"type\": \"host\", \"interfaces\": "
                              "[{\"name\": \"eth0\", \"ip\": \"10.%d.%d.1/24\"}]}",
                              i, i / 256, i % 256);
    o += (size_t)snprintf(t + o, cap - o, "],\n\"links\": [");
    for (int i = 0; i < N; i++)
        o += (size_t)snprintf(t + o, cap - o, "%s\n{\"a\": \"h%d:eth0\", \"b\": \"sw:%d\"}",
                              i ? "," : "", i, i + 1);
    size_t tail = o;
    o += (size_t)snprintf(t + o, cap - o, "]}\n");
    struct model_error err = {{0}};
    struct model *m = model_load_json_text("big.json", t, o, &err);
    CHECK(m != NULL);
    if (m) {
        CHECK_EQ(m->n_nodes, N + 1);
        CHECK_EQ(m->n_links, N);
        CHECK_STR(m->nodes[N].name, "h2999");
        CHECK_EQ(m->nodes[N].line, N + 3);
        CHECK_EQ(m->links[N - 1].line, 2 * N + 4);
        CHECK_STR(m->links[N - 1].b_iface, "3000");
        CHECK(model_find_node(m, "h1234") == &m->nodes[1235]);
        model_free(m);
    }
    /* one more link, reusing the first host's interface */
    snprintf(t + tail, cap - tail, ",\n{\"a\": \"sw:3000\", \"b\": \"h0:eth0\"}]}\n");
    m = model_load_json_text("big.json", t, strlen(t), &err);
    CHECK(m == NULL);
    char want[160];
    snprintf(want, sizeof want,
             "big.json:%d: links[%d].a: sw:3000 is already connected by links[%d] (line %d)",
             2 * N + 5, N, N - 1, 2 * N + 4);
    CHECK(strstr(err.text, want) != NULL);
    free(t);
}

static void test_defaults(void)
{
    struct model_error err = {{0}};
    const char *text = "\xef\xbb\xbf{\"netstep\": 1, \"nodes\": [{\"name\": \"a\", \"type\": "
                       "\"host\", \"interfaces\": [{\"name\": \"e\"}]}]}";
    struct model *m = load_text(text, &err);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "  error: %s\n", err.text);
        return;
    }
    CHECK(m->name == NULL && m->description == NULL);
    CHECK_EQ(m->seed, 1);
    CHECK_EQ(m->until, 60 * SIM_S);
    CHECK_EQ(m->n_links, 0);
    CHECK_EQ(m->n_events, 0);
    CHECK_EQ(m->n_pexpects, 0);
    CHECK_EQ(m->nodes[0].ifaces[0].n_addr, 0);
    CHECK(!m->nodes[0].ifaces[0].dhcp);
    CHECK_EQ(m->nodes[0].line, 1);
    model_free(m);
    model_free(NULL);
}

/* A text that is not NUL-terminated must be read within its length only. */
static void test_unterminated_buffer(void)
{
    const char *ok = "{\"netstep\": 1, \"nodes\": [{\"name\": \"s\", \"type\": \"hub\"}]}";
    size_t n = strlen(ok);
    char *buf = malloc(n);
    memcpy(buf, ok, n);
    struct model_error err = {{0}};
    struct model *m = model_load_json_text("buf", buf, n, &err);
    CHECK(m != NULL);
    model_free(m);
    m = model_load_json_text("buf", buf, n - 1, &err);
    CHECK(m == NULL);
    CHECK(strstr(err.text, "buf:1:1: JSON syntax error: this '{' is never closed") != NULL);
    free(buf);
}

static int expect_error(const char *text, const char *want)
{
    struct model_error err = {{0}};
    struct model *m = load_text(text, &err);
    int ok = m == NULL && strstr(err.text, want) != NULL;
    if (!ok) fprintf(stderr, "  want \"%s\"\n  got  \"%s\"\n", want, m ? "(loaded)" : err.text);
    model_free(m);
    return ok;
}

static void test_errors_inline(void)
{
    /* the file label, line and path prefix */
    CHECK(expect_error("{\"netstep\": 1,\n \"nodes\": [{\"name\": \"x\", \"type\": \"hosst\"}]}",
                       "t.json:2: nodes[0].type: unknown node type \"hosst\""));
    CHECK(expect_error("42", "t.json:1: a scenario is a JSON object"));
    CHECK(expect_error("", "t.json: empty file"));
    CHECK(expect_error("{\"netstep\": 1, \"nodes\": [{\"name\": \"x\", \"type\": \"hub\"}], "
                       "\"until\": 0}",
                       "t.json:1: until: must be longer than 0s"));
    /* durations: numbers are seconds except for link delays */
    CHECK(expect_error("{\"netstep\": 1, \"nodes\": [{\"name\": \"x\", \"type\": \"hub\"}], "
                       "\"until\": -2}",
                       "until: negative duration -2"));
    CHECK(expect_error("{\"netstep\": 1, \"nodes\": [{\"name\": \"x\", \"type\": \"hub\"}], "
                       "\"until\": true}",
                       "until: expected a duration like \"2ms\", got true"));
    /* error text stays on one line even when a key holds a newline */
    struct model_error err = {{0}};
    CHECK(load_text("{\"netstep\": 1, \"a\\nb\": 1}", &err) == NULL);
    CHECK(strchr(err.text, '\n') == NULL);
    CHECK(strstr(err.text, "unknown key \"a b\"") != NULL);
    /* syntax: nesting bound, long numbers, surrogates */
    char deep[300];
    memset(deep, '[', 100);
    deep[100] = '\0';
    CHECK(expect_error(deep, "t.json:1:66: JSON syntax error: nesting is too deep"));
    CHECK(
        expect_error("{\"netstep\": 1.00000000000000000000000000000000000000000000000000000000001}",
                     "this number is too long"));
    CHECK(expect_error("{\"netstep\": 1, \"name\": \"\\udc00\"}", "half of a surrogate pair"));
    CHECK(expect_error("{\"netstep\": 1, \"name\": \"\\ud800x\"}", "second half"));
    CHECK(expect_error("{\"netstep\": 1, \"name\": \"a\tb\"}", "raw control character 0x09"));
    CHECK(expect_error("{\"netstep\": 1, \"name\": \"\\u12\"}", "4 hex digits"));
    CHECK(expect_error("{\"netstep\": 01}", "numbers cannot start with 0"));
    CHECK(expect_error("{\"netstep\": .5}", "numbers start with a digit"));
    CHECK(expect_error("{netstep: 1}", "t.json:1:2: JSON syntax error: unexpected word netstep"));
    CHECK(expect_error("{\"netstep\" 1}", "expected ':' after the key \"netstep\""));
    CHECK(expect_error("[1 2]", "after element [0] of the list"));
    CHECK(expect_error("{\"netstep\": 1,,}", "unexpected ','"));
    /* escaped keys are the same keys */
    CHECK(expect_error("{\"netstep\": 1, \"nodes\": [{\"na\\u006de\": \"x\", \"type\": \"hub\"}],\n"
                       "\"nod\\u00e9s\": 1}",
                       "t.json:2: nodés: unknown key"));
    /* a second top-level key with the same name */
    CHECK(expect_error("{\"netstep\": 1,\n \"netstep\": 1}",
                       "t.json:2: netstep: \"netstep\" appears "
                       "twice"));
    /* regular expressions: valid ones load, ones that would take regcomp
     * seconds and gigabytes are refused before compiling */
    const char *re_head = "{\"netstep\": 1, \"nodes\": [{\"name\": \"x\", \"type\": \"hub\"}],"
                          "\"timeline\": [{\"at\": 1, \"node\": \"x\", \"run\": \"help\", "
                          "\"expect\": {\"matches\": \"";
    static const char *const re_ok[] = {"rtt min/avg/max/mdev = [0-9.]+/",
                                        "^[0-9]{1,3}(\\\\.[0-9]{1,3}){3}$", "a{1,255}",
                                        "[]{(]+(x|y){2,}", "(((a)))"};
    for (size_t i = 0; i < sizeof re_ok / sizeof re_ok[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "%s%s\"}}]}", re_head, re_ok[i]);
        struct model *m = load_text(text, &err);
        CHECK(m != NULL);
        if (!m) fprintf(stderr, "  %s\n", err.text);
        model_free(m);
    }
    char text[512];
    snprintf(text, sizeof text, "%s%s\"}}]}", re_head, "((a{1,255}){1,255}){1,10}");
    CHECK(expect_error(text, "timeline[0].expect.matches: this regular expression is too complex"));
    snprintf(text, sizeof text, "%s%s\"}}]}", re_head, "(a|b");
    CHECK(expect_error(text, "timeline[0].expect.matches: not a valid regular expression"));
    /* Lua and unreadable files */
    /* a .lua file goes to the Lua loader (tests/unit/test_lua.c) */
    CHECK(model_load("/nonexistent/lab.lua", &err) == NULL);
    CHECK_STR(err.text, "/nonexistent/lab.lua: cannot read: No such file or directory");
    CHECK(model_load("/nonexistent/lab.json", &err) == NULL);
    CHECK_STR(err.text, "/nonexistent/lab.json: cannot read: No such file or directory");
    CHECK(model_load_json("/", &err) == NULL);
    CHECK_STR(err.text, "/: cannot read: Is a directory");
}

/* The structural scanner, on text built to mislead a naive one. */
static void test_line_scanner(void)
{
    const char *t = "{\n"
                    "  \"a\": \"} ] { [ \\\" , :\",\n"                  /* 2 */
                    "  \"b\\\"c\": [\"x\\\\\", {\"k\": \"]\"},\n"       /* 3 */
                    "    [[1, 2],\n"                                    /* 4 */
                    "     [3]],\n"                                      /* 5 */
                    "    {\"deep\":\n"                                  /* 6 */
                    "      {\"er\": [\n"                                /* 7 */
                    "         null, \"\\u005d\", true]}}],\n"           /* 8 */
                    "  \"nodes\": [\n"                                  /* 9 */
                    "    {\"name\": \"pc1\"},\n"                        /* 10 */
                    "    {\"name\": \"pc2\",\n"                         /* 11 */
                    "     \"interfaces\": [{\"name\": \"eth0\"},\n"     /* 12 */
                    "                    {\"name\": \"eth1\",\n"        /* 13 */
                    "                     \"ip\": \"10.0.0.1/24\"}]}\n" /* 14 */
                    "  ],\n"
                    "  \"a\": 2\n" /* 16 */
                    "}\n";
    size_t n = strlen(t);
    CHECK_EQ(model_json_line(t, n, ""), 1);
    CHECK_EQ(model_json_line(t, n, "a"), 2);
    CHECK_EQ(model_json_line(t, n, "b\"c"), 3);
    CHECK_EQ(model_json_line(t, n, "b\"c[0]"), 3);
    CHECK_EQ(model_json_line(t, n, "b\"c[1].k"), 3);
    CHECK_EQ(model_json_line(t, n, "b\"c[2]"), 4);
    CHECK_EQ(model_json_line(t, n, "b\"c[2][1]"), 5);
    CHECK_EQ(model_json_line(t, n, "b\"c[2][1][0]"), 5);
    CHECK_EQ(model_json_line(t, n, "b\"c[3].deep"), 6);
    CHECK_EQ(model_json_line(t, n, "b\"c[3].deep.er"), 7);
    CHECK_EQ(model_json_line(t, n, "b\"c[3].deep.er[0]"), 8);
    CHECK_EQ(model_json_line(t, n, "b\"c[3].deep.er[2]"), 8);
    CHECK_EQ(model_json_line(t, n, "nodes"), 9);
    CHECK_EQ(model_json_line(t, n, "nodes[1]"), 11);
    CHECK_EQ(model_json_line(t, n, "nodes[1].interfaces[1].ip"), 14);
    CHECK_EQ(model_json_line(t, n, "nodes[1].interfaces[1].name"), 13);
    /* absent parts fall back to the nearest parent */
    CHECK_EQ(model_json_line(t, n, "nodes[1].interfaces[1].mac"), 13);
    CHECK_EQ(model_json_line(t, n, "nodes[1].interfaces[7]"), 12);
    CHECK_EQ(model_json_line(t, n, "nodes[5].name"), 9);
    CHECK_EQ(model_json_line(t, n, "nodes[0].name.deeper"), 10);
    CHECK_EQ(model_json_line(t, n, "missing"), 1);
    CHECK_EQ(model_json_line(t, n, "a[0]"), 2); /* a is a string, not a list */
    /* broken text never crashes, and still gives a sensible line */
    const char *bad = "{\n \"a\": [1,\n \"b\": \"unterminated \\";
    CHECK_EQ(model_json_line(bad, strlen(bad), "a"), 2);
    CHECK_EQ(model_json_line(bad, strlen(bad), "a[1]"), 3);
    CHECK_EQ(model_json_line(bad, strlen(bad), "a[9].x"), 2);
    CHECK_EQ(model_json_line("", 0, "a.b[3]"), 1);
    CHECK_EQ(model_json_line(NULL, 0, "a"), 1);
    CHECK_EQ(model_json_line("[", 1, "[99999999999999999999]"), 1);
    CHECK_EQ(model_json_line("{\"a\"", 4, "a.b"), 1);
    CHECK_EQ(model_json_line("\n\n{\"a\":1}", 9, ""), 3);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *read_line_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char buf[512];
    char *r = NULL;
    if (fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\r\n")] = '\0';
        r = malloc(strlen(buf) + 1);
        strcpy(r, buf);
    }
    fclose(f);
    return r;
}

static void test_bad_corpus(const char *dir)
{
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d) {
        fprintf(stderr, "  cannot open %s\n", dir);
        return;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
            names = realloc(names, (n + 1) * sizeof *names);
            names[n] = malloc(len + 1);
            strcpy(names[n++], e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    CHECK(n >= 30);
    for (size_t i = 0; i < n; i++) {
        char path[1024], side[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(side, sizeof side, "%s/%.*s.expect", dir, (int)(strlen(names[i]) - 5), names[i]);
        char *want = read_line_file(side);
        CHECK(want != NULL && want[0] != '\0');
        struct model_error err = {{0}};
        struct model *m = model_load_json(path, &err);
        int ok = m == NULL && want && strstr(err.text, want) != NULL &&
                 strncmp(err.text, path, strlen(path)) == 0 && strchr(err.text, '\n') == NULL;
        CHECK(ok);
        if (!ok)
            fprintf(stderr, "  %s\n    want \"%s\"\n    got  \"%s\"\n", names[i],
                    want ? want : "(no .expect)", m ? "(loaded)" : err.text);
        model_free(m);
        free(want);
        free(names[i]);
    }
    free(names);
    printf("bad corpus: %zu files\n", n);
}

int main(int argc, char **argv)
{
    test_full();
    test_lines_agree();
    test_big();
    test_defaults();
    test_unterminated_buffer();
    test_errors_inline();
    test_line_scanner();
    test_bad_corpus(argc > 1 ? argv[1] : NETSTEP_BAD_DIR);
    return check_done();
}
