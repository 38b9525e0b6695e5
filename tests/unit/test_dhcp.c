/* test_dhcp.c - DHCP behaviour (protocols/dhcp.h, RFC 2131) with the sim
 * clock: the server's decisions driven directly (lowest free address,
 * offers held 30 s, ACK, NAK for a wrong network or a taken address,
 * silence without a record, renewal by unicast, DECLINE, RELEASE and the
 * old address coming back, expiry, exhaustion, INFORM, relays and replies
 * ignored); and the client over a switch to a router serving a pool:
 * DORA, the configured address, route and DNS servers, renewal at T1,
 * rebinding at T2 while the server is unreachable, expiry, NAK on renewal
 * and a new address, release, giving up with no server (retransmission
 * times and ISC's messages), the shell commands and the dissector. */
#include "check.h"
#include "fixture.h"
#include "protocols/arp.h"
#include "protocols/dhcp.h"
#include "protocols/dissect.h"
#include "scenarios/shell.h"

static const uint8_t mac_a[6] = {2, 0, 0, 0, 0xaa, 1}, mac_b[6] = {2, 0, 0, 0, 0xbb, 1},
                     mac_c[6] = {2, 0, 0, 0, 0xcc, 1};

static struct dhcp_msg req(uint8_t type, const uint8_t *mac, uint32_t xid)
{
    struct dhcp_msg m = {.op = DHCP_BOOTREQUEST, .htype = 1, .hlen = 6, .xid = xid, .type = type};
    memcpy(m.chaddr, mac, 6);
    m.flags = DHCP_FLAG_BROADCAST;
    return m;
}

/* ---- the server's decisions ---- */

static void test_server(void)
{
    struct fx_raw r;
    fx_raw_init(&r);
    struct dhcp_server_conf conf = {.pool_lo = IP(10, 9, 0, 100),
                                    .pool_hi = IP(10, 9, 0, 102),
                                    .gateway = IP(10, 9, 0, 1),
                                    .dns = {IP(10, 9, 0, 53)},
                                    .n_dns = 1,
                                    .lease_s = 600};
    char err[200] = "";
    struct dhcp_server *s = dhcp_server_start(r.st, r.e, &conf, err, sizeof err);
    CHECK(s != NULL);
    if (!s) {
        fx_raw_free(&r);
        return;
    }
    CHECK_EQ(dhcp_server_count(r.st), 1);
    CHECK(dhcp_server_start(r.st, r.e, &conf, err, sizeof err) == NULL); /* one per iface */
    struct dhcp_msg in, out;
    uint32_t dst;
    char why[600];
    sim_time t = 0;

    /* DISCOVER from A: the lowest free address, broadcast, with the options */
    in = req(DHCPDISCOVER, mac_a, 1);
    CHECK(dhcp_server_process(s, &in, t, &out, &dst, why, sizeof why));
    CHECK_EQ(out.type, DHCPOFFER);
    CHECK_EQ(out.op, DHCP_BOOTREPLY);
    CHECK_EQ(out.xid, 1);
    CHECK_EQ(out.yiaddr, IP(10, 9, 0, 100));
    CHECK_EQ(dst, 0xffffffffu);
    CHECK_EQ(out.server_id, IP(10, 9, 0, 1));
    CHECK_EQ(out.lease, 600);
    CHECK_EQ(out.t1, 300);
    CHECK_EQ(out.t2, 525);
    CHECK_EQ(out.mask, 0xffffff00);
    CHECK_EQ(out.routers[0], IP(10, 9, 0, 1));
    CHECK_EQ(out.dns[0], IP(10, 9, 0, 53));
    CHECK(strstr(why, "lowest free address"));
    CHECK_EQ(dhcp_server_lease(s, IP(10, 9, 0, 100), t)->state, DL_OFFERED);
    /* the same client asking again gets the same offer */
    CHECK(dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK_EQ(out.yiaddr, IP(10, 9, 0, 100));

    /* DISCOVER from B: .100 is held, so .101 */
    in = req(DHCPDISCOVER, mac_b, 2);
    CHECK(dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK_EQ(out.yiaddr, IP(10, 9, 0, 101));

    /* REQUEST from A for its offer: ACK, bound for the lease time */
    in = req(DHCPREQUEST, mac_a, 1);
    in.has_server_id = in.has_req_addr = true;
    in.server_id = IP(10, 9, 0, 1);
    in.req_addr = IP(10, 9, 0, 100);
    t = SIM_S;
    CHECK(dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK_EQ(out.type, DHCPACK);
    CHECK_EQ(out.yiaddr, IP(10, 9, 0, 100));
    CHECK_EQ(dst, 0xffffffffu);
    const struct dhcp_lease *l = dhcp_server_lease(s, IP(10, 9, 0, 100), t);
    CHECK_EQ(l->state, DL_BOUND);
    CHECK_EQ(l->expires, t + 600 * SIM_S);
    CHECK_MEM(l->chaddr, mac_a, 6);

    /* B chose another server: its offer is taken back, no reply */
    in = req(DHCPREQUEST, mac_b, 2);
    in.has_server_id = in.has_req_addr = true;
    in.server_id = IP(10, 9, 0, 2);
    in.req_addr = IP(10, 9, 0, 101);
    CHECK(!dhcp_server_process(s, &in, t, &out, &dst, why, sizeof why));
    CHECK(strstr(why, "another server"));
    CHECK_EQ(dhcp_server_lease(s, IP(10, 9, 0, 101), t)->state, DL_RELEASED);

    /* C asks this server for A's address: NAK, broadcast, with a message */
    in = req(DHCPREQUEST, mac_c, 3);
    in.has_server_id = in.has_req_addr = true;
    in.server_id = IP(10, 9, 0, 1);
    in.req_addr = IP(10, 9, 0, 100);
    CHECK(dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK_EQ(out.type, DHCPNAK);
    CHECK_EQ(out.yiaddr, 0);
    CHECK_EQ(dst, 0xffffffffu);
    CHECK(out.message[0] != 0);
    /* INIT-REBOOT: another network, a taken address, no record */
    in.has_server_id = false;
    in.req_addr = IP(10, 5, 0, 7);
    CHECK(dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK_EQ(out.type, DHCPNAK);
    CHECK_STR(out.message, "wrong network");
    in.req_addr = IP(10, 9, 0, 100);
    CHECK(dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK_EQ(out.type, DHCPNAK);
    in.req_addr = IP(10, 9, 0, 102);
    CHECK(!dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK_EQ(s->naks, 3);

    /* A renews by unicast: ACK by unicast, lease extended from now */
    in = req(DHCPREQUEST, mac_a, 4);
    in.flags = 0;
    in.ciaddr = IP(10, 9, 0, 100);
    t = 300 * SIM_S;
    CHECK(dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK_EQ(out.type, DHCPACK);
    CHECK_EQ(dst, IP(10, 9, 0, 100));
    CHECK_EQ(out.ciaddr, IP(10, 9, 0, 100));
    CHECK_EQ(dhcp_server_lease(s, IP(10, 9, 0, 100), t)->expires, t + 600 * SIM_S);
    /* B renewing A's address: NAK */
    in = req(DHCPREQUEST, mac_b, 5);
    in.ciaddr = IP(10, 9, 0, 100);
    CHECK(dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK_EQ(out.type, DHCPNAK);

    /* an offer is held only 30 s: C's offer of .101 lapses */
    in = req(DHCPDISCOVER, mac_c, 6);
    CHECK(dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK_EQ(out.yiaddr, IP(10, 9, 0, 102)); /* never-used addresses first */
    in = req(DHCPDISCOVER, mac_b, 7);
    CHECK(dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK_EQ(out.yiaddr, IP(10, 9, 0, 101)); /* B's previous address */
    /* the pool is now full: D gets nothing */
    static const uint8_t mac_d[6] = {2, 0, 0, 0, 0xdd, 1};
    in = req(DHCPDISCOVER, mac_d, 8);
    CHECK(!dhcp_server_process(s, &in, t, &out, &dst, why, sizeof why));
    CHECK(strstr(why, "every address of the pool"));
    t += DHCP_OFFER_HOLD + SIM_S;
    CHECK(dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK_EQ(out.yiaddr, IP(10, 9, 0, 101)); /* the lowest lapsed offer */

    /* DECLINE: A found .100 in use; it is set aside for a lease time */
    in = req(DHCPDECLINE, mac_a, 9);
    in.has_req_addr = true;
    in.req_addr = IP(10, 9, 0, 100);
    CHECK(!dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK_EQ(dhcp_server_lease(s, IP(10, 9, 0, 100), t)->state, DL_DECLINED);
    in = req(DHCPDISCOVER, mac_a, 10);
    CHECK(dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK(out.yiaddr != IP(10, 9, 0, 100));
    CHECK_EQ(dhcp_server_lease(s, IP(10, 9, 0, 100), t + 601 * SIM_S)->state, DL_FREE);

    /* RELEASE, then the same client comes back to its old address */
    in = req(DHCPREQUEST, mac_a, 10);
    in.has_server_id = in.has_req_addr = true;
    in.server_id = IP(10, 9, 0, 1);
    in.req_addr = out.yiaddr;
    uint32_t got = out.yiaddr;
    CHECK(dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK_EQ(out.type, DHCPACK);
    in = req(DHCPRELEASE, mac_a, 11);
    in.ciaddr = got;
    CHECK(!dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK_EQ(dhcp_server_lease(s, got, t)->state, DL_RELEASED);
    in = req(DHCPDISCOVER, mac_a, 12);
    CHECK(dhcp_server_process(s, &in, t, &out, &dst, why, sizeof why));
    CHECK_EQ(out.yiaddr, got);
    CHECK(strstr(why, "had before"));

    /* a lease runs out: the slot is free again (remembering A) */
    in = req(DHCPREQUEST, mac_a, 12);
    in.has_server_id = in.has_req_addr = true;
    in.server_id = IP(10, 9, 0, 1);
    in.req_addr = got;
    CHECK(dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK_EQ(dhcp_server_lease(s, got, t + 599 * SIM_S)->state, DL_BOUND);
    CHECK_EQ(dhcp_server_lease(s, got, t + 600 * SIM_S)->state, DL_RELEASED);

    /* INFORM: options, no lease, unicast */
    in = req(DHCPINFORM, mac_c, 13);
    in.ciaddr = IP(10, 9, 0, 77);
    CHECK(dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    CHECK_EQ(out.type, DHCPACK);
    CHECK(!out.has_lease);
    CHECK_EQ(out.yiaddr, 0);
    CHECK_EQ(dst, IP(10, 9, 0, 77));
    /* relayed, replies, odd hardware: ignored */
    in = req(DHCPDISCOVER, mac_c, 14);
    in.giaddr = IP(10, 1, 1, 1);
    CHECK(!dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    in = req(DHCPOFFER, mac_c, 15);
    in.op = DHCP_BOOTREPLY;
    CHECK(!dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));
    in = req(DHCPDISCOVER, mac_c, 16);
    in.hlen = 8;
    CHECK(!dhcp_server_process(s, &in, t, &out, &dst, NULL, 0));

    /* a DISCOVER asking for a free address gets it */
    static const uint8_t mac_e[6] = {2, 0, 0, 0, 0xee, 1};
    in = req(DHCPDISCOVER, mac_e, 17);
    in.has_req_addr = true;
    in.req_addr = IP(10, 9, 0, 100);
    CHECK(dhcp_server_process(s, &in, t + 700 * SIM_S, &out, &dst, NULL, 0));
    CHECK_EQ(out.yiaddr, IP(10, 9, 0, 100));

    /* pools that cannot work */
    struct dhcp_server_conf bad = conf;
    bad.pool_lo = IP(10, 8, 0, 1);
    CHECK(dhcp_server_start(r.st, r.e, &bad, err, sizeof err) == NULL);
    fx_raw_free(&r);
}

/* ---- the client, on a LAN with a router serving a pool ---- */

static const char lan_json[] =
    "{\"netstep\": 1, \"nodes\": [\n"
    " {\"name\": \"pc1\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"dhcp\"}]},\n"
    " {\"name\": \"sw1\", \"type\": \"switch\", \"ports\": 4},\n"
    " {\"name\": \"r1\", \"type\": \"router\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"192.168.1.1/24\"}],\n"
    "  \"dhcp_server\": {\"interface\": \"eth0\", \"pool\": \"192.168.1.100-192.168.1.199\", "
    "\"dns\": [\"10.10.10.53\"], \"lease\": \"1h\"}}],\n"
    " \"links\": [{\"a\": \"pc1:eth0\", \"b\": \"sw1:1\"}, {\"a\": \"r1:eth0\", \"b\": "
    "\"sw1:4\"}]}\n";

struct ui_rec {
    char out[4096];
    size_t len;
    int code; /* -1 while running */
};

static void ui_line(void *ctx, const char *text)
{
    struct ui_rec *u = ctx;
    int n = snprintf(u->out + u->len, sizeof u->out - u->len, "%s\n", text);
    if (n > 0 && u->len + (size_t)n < sizeof u->out) u->len += (size_t)n;
}

static void ui_done(void *ctx, int code)
{
    ((struct ui_rec *)ctx)->code = code;
}

struct lan {
    struct sim *sim;
    struct netstack *pc, *r1;
    struct iface *e;
    struct link *uplink; /* r1 - sw1 */
    struct fx_log log;
    struct ui_rec ui;
};

static bool lan_init(struct lan *t, const char *json)
{
    memset(t, 0, sizeof *t);
    t->sim = fx_build(json, 5);
    if (!t->sim) return false;
    t->pc = node_stack(sim_find_node(t->sim, "pc1"));
    t->e = fx_iface(t->sim, "pc1", "eth0");
    struct node *r1 = sim_find_node(t->sim, "r1");
    t->r1 = r1 ? node_stack(r1) : NULL;
    t->uplink = r1 ? r1->ifaces[0]->link : NULL;
    t->ui.code = -1;
    trace_subscribe(t->sim, TRACE_ALL, fx_log_sink, &t->log);
    return true;
}

static void lan_free(struct lan *t)
{
    sim_free(t->sim);
    fx_log_free(&t->log);
}

static int lan_dhclient(struct lan *t)
{
    struct dhcp_client_ui ui = {ui_line, ui_done, &t->ui};
    return dhcp_client_start(t->pc, t->e, &ui);
}

/* DHCP messages pc1 sent (its IPv4 layer wrapped them, whether or not ARP
 * then found the next hop): their type, destination, ciaddr. */
struct sent {
    int n;
    uint8_t type[64];
    uint32_t dst[64], ciaddr[64];
    sim_time t[64];
};

static void sent_by(const struct lan *t, const char *where, struct sent *s)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < t->log.n && s->n < 64; i++) {
        const struct fx_step *st = &t->log.s[i];
        const uint8_t *ip = st->frame;
        if (st->kind != TK_ENCAP || st->layer != 3 || strcmp(st->where, where) != 0 || !ip ||
            st->len < 28 || ip[9] != 17)
            continue;
        const uint8_t *udp = ip + 20;
        struct dhcp_msg m;
        size_t len = st->len - (size_t)(udp + 8 - st->frame);
        if (dhcp_parse(udp + 8, len, &m) != DHCP_OK) continue;
        s->type[s->n] = m.type;
        s->dst[s->n] = get_be32(ip + 16);
        s->ciaddr[s->n] = m.ciaddr;
        s->t[s->n] = st->time;
        s->n++;
    }
}

static void test_dora_and_renew(void)
{
    struct lan t;
    if (!lan_init(&t, lan_json)) {
        CHECK(0);
        return;
    }
    CHECK_EQ(t.e->n_addr, 0);
    CHECK_EQ(lan_dhclient(&t), 0);
    CHECK_EQ(lan_dhclient(&t), DHCP_CLIENT_BUSY);
    sim_run_until(t.sim, 2 * SIM_S);
    CHECK_EQ(t.ui.code, 0);
    CHECK(strstr(t.ui.out, "DHCPDISCOVER on eth0 to 255.255.255.255 port 67 interval "));
    CHECK(strstr(t.ui.out, "DHCPOFFER of 192.168.1.100 from 192.168.1.1\n"));
    CHECK(strstr(t.ui.out, "DHCPREQUEST for 192.168.1.100 on eth0 to 255.255.255.255 port 67"));
    CHECK(strstr(t.ui.out, "DHCPACK of 192.168.1.100 from 192.168.1.1"));
    CHECK(strstr(t.ui.out, "bound to 192.168.1.100 -- renewal in 1800 seconds.\n"));
    CHECK_EQ(t.e->n_addr, 1);
    CHECK_EQ(t.e->addr[0], IP(192, 168, 1, 100));
    CHECK_EQ(t.e->plen[0], 24);
    const struct route *dflt = route_lookup(&t.pc->rt, IP(8, 8, 8, 8));
    CHECK(dflt && dflt->gw == IP(192, 168, 1, 1));
    CHECK_EQ(t.pc->n_dns, 1);
    CHECK_EQ(t.pc->dns[0], IP(10, 10, 10, 53));
    const struct dhcp_client *c = dhcp_client_of(t.pc, t.e);
    CHECK(c && c->state == DC_BOUND);
    struct sent s;
    sent_by(&t, "pc1:eth0", &s);
    CHECK_EQ(s.n, 2);
    CHECK_EQ(s.type[0], DHCPDISCOVER);
    CHECK_EQ(s.type[1], DHCPREQUEST);
    CHECK_EQ(s.dst[1], 0xffffffffu);
    /* the why sentences are there */
    CHECK(fx_count(&t.log, TK_ENCAP, "pc1:eth0", "DHCP Discover - Transaction ID") == 1);
    bool why_ok = false;
    for (size_t i = 0; i < t.log.n; i++)
        if (strstr(t.log.s[i].why, "has no address on eth0 yet, so it broadcasts from 0.0.0.0"))
            why_ok = true;
    CHECK(why_ok);

    /* T1 = 1800 s: a unicast REQUEST to the server, ACK, bound again */
    fx_log_clear(&t.log);
    sim_run_until(t.sim, 1802 * SIM_S);
    sent_by(&t, "pc1:eth0", &s);
    CHECK_EQ(s.n, 1);
    CHECK_EQ(s.type[0], DHCPREQUEST);
    CHECK_EQ(s.dst[0], IP(192, 168, 1, 1));
    CHECK_EQ(s.ciaddr[0], IP(192, 168, 1, 100));
    CHECK(s.t[0] >= 1800 * SIM_S);
    c = dhcp_client_of(t.pc, t.e);
    CHECK(c->state == DC_BOUND);
    CHECK(c->bound_at >= 1800 * SIM_S);
    /* the background client logs as the node's output */
    CHECK(fx_count(&t.log, TK_OUTPUT, "pc1",
                   "DHCPREQUEST for 192.168.1.100 on eth0 to "
                   "192.168.1.1 port 67") == 1);
    CHECK_EQ(
        dhcp_server_lease(dhcp_server_at(t.r1, 0), IP(192, 168, 1, 100), sim_now(t.sim))->expires /
            SIM_S,
        1801 + 3600);

    /* dhclient -r: RELEASE to the server, the address goes */
    fx_log_clear(&t.log);
    struct ui_rec u2 = {.code = -1};
    struct dhcp_client_ui ui = {ui_line, ui_done, &u2};
    CHECK(dhcp_client_release(t.pc, t.e, &ui));
    CHECK(strstr(u2.out, "DHCPRELEASE of 192.168.1.100 on eth0 to 192.168.1.1 port 67"));
    sim_run_until(t.sim, 1803 * SIM_S);
    sent_by(&t, "pc1:eth0", &s);
    CHECK_EQ(s.n, 1);
    CHECK_EQ(s.type[0], DHCPRELEASE);
    CHECK_EQ(t.e->n_addr, 0);
    CHECK(route_lookup(&t.pc->rt, IP(8, 8, 8, 8)) == NULL);
    CHECK_EQ(t.pc->n_dns, 0);
    CHECK_EQ(
        dhcp_server_lease(dhcp_server_at(t.r1, 0), IP(192, 168, 1, 100), sim_now(t.sim))->state,
        DL_RELEASED);
    CHECK(dhcp_client_of(t.pc, t.e)->state == DC_STOPPED);
    CHECK(!dhcp_client_release(t.pc, t.e, NULL)); /* nothing left */
    lan_free(&t);
}

static void test_rebind_and_expire(void)
{
    for (int expire = 0; expire < 2; expire++) {
        struct lan t;
        if (!lan_init(&t, lan_json)) {
            CHECK(0);
            return;
        }
        lan_dhclient(&t);
        sim_run_until(t.sim, 1700 * SIM_S);
        CHECK_EQ(t.ui.code, 0);
        link_set_up(t.sim, t.uplink, false); /* the server is out of reach */
        fx_log_clear(&t.log);
        sim_run_until(t.sim, 3100 * SIM_S);
        const struct dhcp_client *c = dhcp_client_of(t.pc, t.e);
        CHECK(c->state == DC_RENEWING);
        struct sent s;
        sent_by(&t, "pc1:eth0", &s);
        /* unicast renewals at T1, then half the time left to T2 each */
        CHECK(s.n >= 3);
        for (int i = 0; i < s.n; i++)
            CHECK(s.dst[i] == IP(192, 168, 1, 1) && s.ciaddr[i] == IP(192, 168, 1, 100));
        CHECK(s.n >= 2 && s.t[1] - s.t[0] >= 600 * SIM_S); /* (3150 - 1800) / 2 */
        sim_run_until(t.sim, 3141 * SIM_S);                /* past the last renewal before T2 */
        if (!expire) {
            link_set_up(t.sim, t.uplink, true);
            fx_log_clear(&t.log);
            sim_run_until(t.sim, 3152 * SIM_S);
            sent_by(&t, "pc1:eth0", &s);
            /* T2: a broadcast REQUEST that still carries ciaddr */
            CHECK(s.n >= 1);
            CHECK_EQ(s.dst[s.n - 1], 0xffffffffu);
            CHECK_EQ(s.ciaddr[s.n - 1], IP(192, 168, 1, 100));
            CHECK(s.t[s.n - 1] >= 3150 * SIM_S);
            CHECK(c->state == DC_BOUND);
            CHECK_EQ(t.e->n_addr, 1);
        } else {
            sim_run_until(t.sim, 3600 * SIM_S);
            CHECK(c->state == DC_REBINDING);
            CHECK_EQ(t.e->n_addr, 1);
            fx_log_clear(&t.log);
            sim_run_until(t.sim, 3602 * SIM_S);
            /* expiry: address, route and DNS gone; back to discovering */
            CHECK_EQ(t.e->n_addr, 0);
            CHECK(route_lookup(&t.pc->rt, IP(8, 8, 8, 8)) == NULL);
            CHECK_EQ(t.pc->n_dns, 0);
            CHECK(c->state == DC_SELECTING);
            CHECK(fx_count(&t.log, TK_OUTPUT, "pc1", "DHCPEXPIRE") == 1);
            sent_by(&t, "pc1:eth0", &s);
            CHECK(s.n >= 1 && s.type[s.n - 1] == DHCPDISCOVER);
            /* nobody answers: the background client sleeps, then retries */
            sim_run_until(t.sim, 3700 * SIM_S);
            CHECK(c->state == DC_STOPPED);
            CHECK(fx_count(&t.log, TK_OUTPUT, "pc1", "No working leases") == 1);
            link_set_up(t.sim, t.uplink, true);
            sim_run_until(t.sim, 4000 * SIM_S);
            CHECK(c->state == DC_BOUND);
            CHECK_EQ(t.e->n_addr, 1);
        }
        lan_free(&t);
    }
}

static void test_nak_on_renewal(void)
{
    struct lan t;
    if (!lan_init(&t, lan_json)) {
        CHECK(0);
        return;
    }
    lan_dhclient(&t);
    sim_run_until(t.sim, 10 * SIM_S);
    /* the server forgets the lease and gives the address to someone else */
    struct dhcp_server *s = dhcp_server_at(t.r1, 0);
    s->lease[0].chaddr[5] ^= 0xff;
    sim_run_until(t.sim, 1803 * SIM_S);
    const struct dhcp_client *c = dhcp_client_of(t.pc, t.e);
    CHECK(fx_count(&t.log, TK_OUTPUT, "pc1", "DHCPNAK from 192.168.1.1") == 1);
    CHECK(c->state == DC_BOUND);
    CHECK_EQ(t.e->n_addr, 1);
    CHECK_EQ(t.e->addr[0], IP(192, 168, 1, 101));
    lan_free(&t);
}

/* A printer already sits on the pool's first address, configured by hand:
 * the client's ARP probe finds it, the client declines, the server sets
 * the address aside and the next DORA gives .101. */
static const char clash_json[] =
    "{\"netstep\": 1, \"nodes\": [\n"
    " {\"name\": \"pc1\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"dhcp\"}]},\n"
    " {\"name\": \"printer\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"192.168.1.100/24\", \"mac\": \"02:00:00:00:0e:01\"}]},\n"
    " {\"name\": \"sw1\", \"type\": \"switch\", \"ports\": 4},\n"
    " {\"name\": \"r1\", \"type\": \"router\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"192.168.1.1/24\"}],\n"
    "  \"dhcp_server\": {\"interface\": \"eth0\", \"pool\": \"192.168.1.100-192.168.1.199\", "
    "\"lease\": \"1h\"}}],\n"
    " \"links\": [{\"a\": \"pc1:eth0\", \"b\": \"sw1:1\"}, {\"a\": \"printer:eth0\", \"b\": "
    "\"sw1:2\"}, {\"a\": \"r1:eth0\", \"b\": \"sw1:4\"}]}\n";

static void test_decline(void)
{
    struct lan t;
    if (!lan_init(&t, clash_json)) {
        CHECK(0);
        return;
    }
    CHECK_EQ(lan_dhclient(&t), 0);
    sim_run_until(t.sim, SIM_S / 2);
    const struct dhcp_client *c = dhcp_client_of(t.pc, t.e);
    CHECK(c->state == DC_STOPPED); /* declined, waiting to start over */
    CHECK(strstr(t.ui.out, "DHCPACK of 192.168.1.100 from 192.168.1.1"));
    CHECK(strstr(t.ui.out, "DHCPDECLINE of 192.168.1.100 on eth0 to 255.255.255.255 port 67"));
    CHECK_EQ(t.e->n_addr, 0);
    CHECK(fx_count(&t.log, TK_STATE, "pc1:eth0",
                   "address conflict: 192.168.1.100 is in use by "
                   "02:00:00:00:0e:01") == 1 ||
          fx_count(&t.log, TK_STATE, "pc1:eth0", "address conflict: 192.168.1.100") == 1);
    CHECK(fx_count(&t.log, TK_DELIVER, "printer:eth0", "Who has 192.168.1.100? (ARP Probe)") == 1);
    CHECK_EQ(
        dhcp_server_lease(dhcp_server_at(t.r1, 0), IP(192, 168, 1, 100), sim_now(t.sim))->state,
        DL_DECLINED);
    /* nobody learnt 0.0.0.0 or the printer's address from the probe */
    CHECK(arp_lookup(t.r1, 0) == NULL);
    struct sent s;
    sent_by(&t, "pc1:eth0", &s);
    CHECK_EQ(s.n, 3);
    CHECK_EQ(s.type[2], DHCPDECLINE);
    CHECK_EQ(s.dst[2], 0xffffffffu);
    /* 10 s later: DORA again, .101 this time, and no conflict */
    sim_run_until(t.sim, 13 * SIM_S);
    CHECK(c->state == DC_BOUND);
    CHECK_EQ(t.e->n_addr, 1);
    CHECK_EQ(t.e->addr[0], IP(192, 168, 1, 101));
    CHECK_EQ(t.ui.code, 0);
    CHECK(strstr(t.ui.out, "bound to 192.168.1.101 -- renewal in 1800 seconds.\n"));
    sent_by(&t, "pc1:eth0", &s);
    CHECK(s.n == 5 && s.t[3] >= 10 * SIM_S);
    lan_free(&t);
}

static const char alone_json[] =
    "{\"netstep\": 1, \"nodes\": [\n"
    " {\"name\": \"pc1\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"dhcp\"}]},\n"
    " {\"name\": \"sw1\", \"type\": \"switch\", \"ports\": 4}],\n"
    " \"links\": [{\"a\": \"pc1:eth0\", \"b\": \"sw1:1\"}]}\n";

static void test_no_server(void)
{
    struct lan t;
    if (!lan_init(&t, alone_json)) {
        CHECK(0);
        return;
    }
    lan_dhclient(&t);
    sim_run_until(t.sim, 59 * SIM_S);
    CHECK_EQ(t.ui.code, -1);
    sim_run_until(t.sim, 61 * SIM_S);
    CHECK_EQ(t.ui.code, 2);
    CHECK(strstr(t.ui.out, "No DHCPOFFERS received.\nUnable to obtain a lease on first try.  "
                           "Exiting.\n"));
    struct sent s;
    sent_by(&t, "pc1:eth0", &s);
    /* RFC 2131 4.1: 4, 8, 16, 32 s apart, each +-1 s; the last would
     * come after the 60 s timeout */
    CHECK_EQ(s.n, 4);
    sim_time lo[] = {3, 7, 15}, hi[] = {5, 9, 17};
    for (int i = 1; i < s.n && i < 4; i++) {
        sim_time gap = s.t[i] - s.t[i - 1];
        CHECK(gap >= lo[i - 1] * SIM_S && gap <= hi[i - 1] * SIM_S);
    }
    for (int i = 0; i < s.n; i++)
        CHECK(s.type[i] == DHCPDISCOVER && s.dst[i] == 0xffffffffu);
    CHECK(dhcp_client_of(t.pc, t.e)->state == DC_STOPPED);
    /* it can be started again */
    t.ui.code = -1;
    CHECK_EQ(lan_dhclient(&t), 0);
    lan_free(&t);
}

/* ---- the shell and the dissector ---- */

static void test_shell_and_dissector(void)
{
    struct lan t;
    if (!lan_init(&t, lan_json)) {
        CHECK(0);
        return;
    }
    struct node *pc = sim_find_node(t.sim, "pc1"), *r1 = sim_find_node(t.sim, "r1");
    struct shell_proc *p = shell_run(t.sim, pc, "dhclient eth0", NULL, NULL);
    CHECK(!p->done);
    sim_run_until(t.sim, 2 * SIM_S);
    CHECK(p->done && p->exit_code == 0);
    CHECK(strstr(p->out, "bound to 192.168.1.100 -- renewal in 1800 seconds."));
    shell_proc_free(p);
    p = shell_run(t.sim, r1, "show dhcp leases", NULL, NULL);
    CHECK(p->done && p->exit_code == 0);
    CHECK(strstr(p->out, "192.168.1.100    02:00:00:00:01:01  3600.000"));
    CHECK(strstr(p->out, "active     pc1"));
    CHECK(strstr(p->out, "1 active, 0 offered"));
    shell_proc_free(p);
    p = shell_run(t.sim, r1, "show ip dhcp binding", NULL, NULL);
    CHECK(p->exit_code == 0 && strstr(p->out, "192.168.1.100"));
    shell_proc_free(p);
    p = shell_run(t.sim, r1, "dhcp-lease-list", NULL, NULL);
    CHECK(p->exit_code == 0 && strstr(p->out, "192.168.1.100"));
    shell_proc_free(p);
    p = shell_run(t.sim, pc, "dhcp-lease-list", NULL, NULL);
    CHECK_EQ(p->exit_code, 1);
    shell_proc_free(p);
    p = shell_run(t.sim, pc, "dhclient eth9", NULL, NULL);
    CHECK_EQ(p->exit_code, 1);
    CHECK_STR(p->out, "Error getting hardware address for \"eth9\": No such device\n");
    shell_proc_free(p);
    /* interrupted before it is bound: the client goes on alone */
    p = shell_run(t.sim, pc, "dhclient -r eth0", NULL, NULL);
    CHECK(p->done && p->exit_code == 0);
    CHECK(strstr(p->out, "DHCPRELEASE of 192.168.1.100"));
    shell_proc_free(p);
    p = shell_run(t.sim, pc, "dhclient eth0", NULL, NULL);
    shell_interrupt(p);
    shell_proc_free(p);
    sim_run_until(t.sim, 4 * SIM_S);
    CHECK_EQ(t.e->n_addr, 1);
    CHECK(fx_count(&t.log, TK_OUTPUT, "pc1", "bound to 192.168.1.100") >= 1);

    /* the dissector on the server's first OFFER, in tshark's words */
    const struct fx_step *offer = NULL;
    for (size_t i = 0; i < t.log.n && !offer; i++)
        if (t.log.s[i].kind == TK_TRANSMIT && strcmp(t.log.s[i].where, "r1:eth0") == 0)
            offer = &t.log.s[i];
    CHECK(offer != NULL);
    if (offer) {
        struct dissection d;
        dissect_frame(offer->frame, offer->len, &d);
        CHECK_STR(d.protocol, "DHCP");
        CHECK(!d.malformed);
        CHECK(strncmp(d.info, "DHCP Offer    - Transaction ID 0x", 33) == 0);
        const struct dis_layer *l = &d.layers[d.n_layers - 1];
        CHECK_STR(l->name, "Dynamic Host Configuration Protocol (Offer)");
        static const char *const want[][2] = {
            {"Message type", "Boot Reply (2)"},
            {"Bootp flags", "0x8000, Broadcast flag (Broadcast)"},
            {"Your (client) IP address", "192.168.1.100"},
            {"Client MAC address", "02:00:00:00:01:01 (02:00:00:00:01:01)"},
            {"Magic cookie", "DHCP"},
            {"Option", "(53) DHCP Message Type (Offer)"},
            {"DHCP", "Offer (2)"},
            {"Option", "(54) DHCP Server Identifier (192.168.1.1)"},
            {"IP Address Lease Time", "(3600s) 1 hour"},
            {"Rebinding Time Value", "(3150s) 52 minutes, 30 seconds"},
            {"Option", "(1) Subnet Mask (255.255.255.0)"},
            {"Domain Name Server", "10.10.10.53"},
            {"Option", "(255) End"},
        };
        for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
            bool found = false;
            for (uint32_t f = l->first_field; f < l->first_field + l->n_fields; f++)
                if (!strcmp(d.fields[f].name, want[k][0]) && !strcmp(d.fields[f].value, want[k][1]))
                    found = true;
            if (!found) fprintf(stderr, "missing field %s: %s\n", want[k][0], want[k][1]);
            CHECK(found);
        }
        dissect_free(&d);
        /* a cut message is malformed, never read past */
        struct dissection d2;
        dissect_frame(offer->frame, offer->len - 200, &d2);
        CHECK(d2.malformed);
        dissect_free(&d2);
    }
    lan_free(&t);
}

int main(void)
{
    test_server();
    test_dora_and_renew();
    test_rebind_and_expire();
    test_nak_on_renewal();
    test_decline();
    test_no_server();
    test_shell_and_dissector();
    return check_done();
}
