/* test_net.c - nodes, interfaces and links (engine/net.h): creation, the
 * generated MACs (02:PP:00:NN:NN:II), lookup by name among many nodes (the
 * hash index), the link timing model (serialization of frame + 24 bytes of
 * preamble, FCS and gap, then propagation), back-to-back frames, full
 * duplex, the drop-tail queue, loss (all, none, a seeded half), links and
 * interfaces that are down or unplugged, the TRANSMIT/RECEIVE/DROP steps and
 * the counters. The nodes are fakes that only count what arrives. */
#include "check.h"
#include "fixture.h"

static void test_nodes_ifaces(void)
{
    struct sim *sim = sim_new(1);
    CHECK(sim_find_node(sim, "x") == NULL); /* empty index */
    CHECK_EQ(sim_node_count(sim), 0);
    struct node *a = node_new(sim, "alpha", NODE_HOST);
    struct node *r = node_new(sim, "r1", NODE_ROUTER);
    CHECK_STR(a->name, "alpha");
    CHECK_EQ(a->kind, NODE_HOST);
    CHECK_EQ(r->kind, NODE_ROUTER);
    CHECK_EQ(a->index, 0);
    CHECK_EQ(r->index, 1);
    CHECK(a->sim == sim);
    struct iface *e0 = iface_new(a, "eth0", NULL);
    struct iface *e1 = iface_new(a, "eth1", NULL);
    static const uint8_t given[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
    struct iface *r0 = iface_new(r, "eth0", given);
    CHECK_STR(e0->label, "alpha:eth0");
    CHECK_STR(r0->label, "r1:eth0");
    CHECK_EQ(e0->index, 0);
    CHECK_EQ(e1->index, 1);
    CHECK_EQ(r0->index, 0);
    CHECK_EQ(r0->id, 2); /* creation order in the sim */
    CHECK(e0->up);
    CHECK(e0->link == NULL);
    CHECK(e0->node == a);
    CHECK_EQ(a->n_ifaces, 2);
    CHECK_EQ(sim_iface_count(sim), 3);
    CHECK(sim_iface(sim, 1) == e1);
    CHECK(sim_iface(sim, 3) == NULL);
    CHECK(node_find_iface(a, "eth1") == e1);
    CHECK(node_find_iface(a, "eth2") == NULL);

    /* generated: 02:00:00:00:<node number>:<iface number>, both from 1 */
    static const uint8_t m_e0[6] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x01};
    static const uint8_t m_e1[6] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x02};
    CHECK_MEM(e0->mac, m_e0, 6);
    CHECK_MEM(e1->mac, m_e1, 6);
    CHECK_MEM(r0->mac, given, 6);

    /* a switch with 300 ports: the port number's high bits go in byte 1 */
    struct node *sw = node_new(sim, "sw", NODE_SWITCH);
    struct iface *last = NULL;
    for (int i = 1; i <= 300; i++) {
        char nm[8];
        snprintf(nm, sizeof nm, "%d", i);
        last = iface_new(sw, nm, NULL);
    }
    static const uint8_t m_p300[6] = {0x02, 0x01, 0x00, 0x00, 0x03, 0x2c};
    CHECK_MEM(last->mac, m_p300, 6);
    CHECK_STR(last->label, "sw:300");

    /* addresses: at most IFACE_MAX_ADDR, prefix <= 32 */
    CHECK_EQ(iface_add_addr(e0, IP(10, 0, 0, 1), 24), 0);
    CHECK_EQ(iface_add_addr(e0, IP(10, 0, 1, 1), 24), 0);
    CHECK_EQ(iface_add_addr(e0, IP(10, 0, 2, 1), 33), -1);
    CHECK_EQ(iface_add_addr(e0, IP(10, 0, 2, 1), 32), 0);
    CHECK_EQ(iface_add_addr(e0, IP(10, 0, 3, 1), 0), 0);
    CHECK_EQ(iface_add_addr(e0, IP(10, 0, 4, 1), 24), -1);
    CHECK_EQ(e0->n_addr, 4);
    CHECK_EQ(e0->addr[1], IP(10, 0, 1, 1));
    CHECK_EQ(e0->plen[2], 32);

    /* names are cut to fit */
    struct node *lng = node_new(sim, "a-very-long-node-name-that-does-not-fit", NODE_HUB);
    CHECK_EQ(strlen(lng->name), NODE_NAME_MAX - 1);
    CHECK(sim_find_node(sim, lng->name) == lng);
    sim_free(sim);
}

static void test_many_nodes(void)
{
    struct sim *sim = sim_new(1);
    struct node *nodes[1000];
    for (int i = 0; i < 1000; i++) {
        char nm[16];
        snprintf(nm, sizeof nm, "n%d", i);
        nodes[i] = node_new(sim, nm, NODE_HOST);
        iface_new(nodes[i], "eth0", NULL);
    }
    CHECK_EQ(sim_node_count(sim), 1000);
    int found = 0, by_index = 0;
    for (int i = 0; i < 1000; i++) {
        char nm[16];
        snprintf(nm, sizeof nm, "n%d", i);
        found += sim_find_node(sim, nm) == nodes[i];
        by_index += sim_node(sim, (uint32_t)i) == nodes[i];
    }
    CHECK_EQ(found, 1000);
    CHECK_EQ(by_index, 1000);
    CHECK(sim_find_node(sim, "n1000") == NULL);
    CHECK(sim_find_node(sim, "") == NULL);
    CHECK(sim_find_node(sim, "N1") == NULL);
    CHECK(sim_node(sim, 1000) == NULL);
    /* node 258 (index 257): 02:00:00:01:02:01 */
    static const uint8_t m257[6] = {0x02, 0x00, 0x00, 0x01, 0x02, 0x01};
    CHECK_MEM(nodes[257]->ifaces[0]->mac, m257, 6);
    sim_free(sim);
}

/* Two fake nodes a and b, one cable. */
struct pair {
    struct sim *sim;
    struct node *a, *b;
    struct iface *ia, *ib;
    struct link *l;
    struct fx_counter ca, cb;
    struct fx_log log;
};

static void pair_init(struct pair *pr, uint64_t seed, const struct link_params *lp)
{
    memset(pr, 0, sizeof *pr);
    pr->sim = sim_new(seed);
    pr->a = fx_fake(pr->sim, "a", "eth0", &pr->ca);
    pr->b = fx_fake(pr->sim, "b", "eth0", &pr->cb);
    pr->ia = pr->a->ifaces[0];
    pr->ib = pr->b->ifaces[0];
    pr->l = link_connect(pr->sim, pr->ia, pr->ib, lp);
    trace_subscribe(pr->sim, TRACE_ALL, fx_log_sink, &pr->log);
}

static void pair_free(struct pair *pr)
{
    sim_free(pr->sim);
    fx_log_free(&pr->log);
}

static struct pkt *frame_of(struct sim *sim, uint32_t len, uint8_t fill)
{
    struct pkt *p = pkt_new(sim, PKT_HEADROOM, len);
    memset(pkt_data(p), fill, len);
    return p;
}

static void test_link_connect(void)
{
    struct sim *sim = sim_new(1);
    struct fx_counter c1, c2, c3;
    struct node *a = fx_fake(sim, "a", "eth0", &c1);
    struct node *b = fx_fake(sim, "b", "eth0", &c2);
    struct node *c = fx_fake(sim, "c", "eth0", &c3);
    struct link_params lp;
    link_params_default(&lp);
    CHECK_EQ(lp.bandwidth_bps, 100000000);
    CHECK_EQ(lp.delay, 10 * SIM_US);
    CHECK_EQ(lp.mtu, 1500);
    CHECK_EQ(lp.queue_limit, 1000);
    CHECK(lp.loss == 0);
    CHECK_EQ(iface_mtu(a->ifaces[0]), 1500); /* unplugged */
    CHECK(link_connect(sim, a->ifaces[0], a->ifaces[0], NULL) == NULL);
    lp.mtu = 576;
    lp.bandwidth_bps = 0;
    lp.queue_limit = 0;
    struct link *l = link_connect(sim, a->ifaces[0], b->ifaces[0], &lp);
    CHECK(l != NULL);
    CHECK(link_connect(sim, a->ifaces[0], c->ifaces[0], NULL) == NULL); /* one cable each */
    CHECK(link_connect(sim, c->ifaces[0], b->ifaces[0], NULL) == NULL);
    CHECK_EQ(iface_mtu(a->ifaces[0]), 576);
    CHECK_EQ(iface_mtu(b->ifaces[0]), 576);
    CHECK_EQ(l->p.bandwidth_bps, 1); /* never divide by zero */
    CHECK_EQ(l->p.queue_limit, 1);
    CHECK(l->up);
    CHECK(a->ifaces[0]->link == l);
    CHECK_EQ(a->ifaces[0]->side, 0);
    CHECK_EQ(b->ifaces[0]->side, 1);
    CHECK(l->dir[0].to == b->ifaces[0]);
    CHECK(l->dir[1].to == a->ifaces[0]);
    struct link *l2 = link_connect(sim, c->ifaces[0], iface_new(b, "eth1", NULL), NULL);
    CHECK_EQ(l2->p.bandwidth_bps, 100000000); /* NULL params = defaults */
    CHECK_EQ(l2->index, 1);
    CHECK_EQ(sim_link_count(sim), 2);
    CHECK(sim_link(sim, 0) == l);
    CHECK(sim_link(sim, 2) == NULL);
    sim_free(sim);
}

static void test_timing(void)
{
    struct link_params lp;
    link_params_default(&lp);
    lp.bandwidth_bps = 10000000;
    lp.delay = SIM_MS;
    struct pair pr;
    pair_init(&pr, 1, &lp);
    /* (100 + 24) bytes * 8 / 10 Mbit/s = 99.2 us, then 1 ms on the cable */
    const sim_time ser = 99200, arrive1 = ser + SIM_MS;
    struct pkt *p1 = frame_of(pr.sim, 100, 0x11);
    uint64_t id1 = p1->id;
    link_transmit(pr.sim, pr.ia, p1);
    link_transmit(pr.sim, pr.ia, frame_of(pr.sim, 100, 0x22)); /* back to back */
    link_transmit(pr.sim, pr.ib, frame_of(pr.sim, 100, 0x33)); /* other direction */
    sim_run_until(pr.sim, SIM_S);
    CHECK_EQ(pr.cb.frames, 2);
    CHECK_EQ(pr.cb.times[0], arrive1);
    CHECK_EQ(pr.cb.times[1], arrive1 + ser); /* waited one serialization */
    CHECK_EQ(pr.ca.frames, 1);
    CHECK_EQ(pr.ca.times[0], arrive1); /* full duplex: not delayed by a's frames */
    CHECK_EQ(pr.cb.lens[0], 100);
    CHECK(pr.cb.last_in == pr.ib);
    CHECK_EQ(pr.cb.last[0], 0x22);

    const struct fx_step *t0 = fx_nth(&pr.log, TK_TRANSMIT, "a:eth0", 0);
    const struct fx_step *t1 = fx_nth(&pr.log, TK_TRANSMIT, "a:eth0", 1);
    const struct fx_step *r0 = fx_nth(&pr.log, TK_RECEIVE, "b:eth0", 0);
    CHECK(t0 && t1 && r0);
    if (t0 && t1 && r0) {
        CHECK_EQ(t0->time, 0);
        CHECK_EQ(t0->wire_time, 0);
        CHECK_EQ(t0->arrive_time, arrive1);
        CHECK_EQ(t0->layer, 1);
        CHECK_EQ(t0->level, TRACE_FRAMES);
        CHECK_EQ(t0->pkt_id, id1);
        CHECK_STR(t0->peer, "b:eth0");
        CHECK_EQ(t0->len, 100);
        CHECK_EQ(t0->frame[99], 0x11);
        CHECK(strstr(t0->why, "99.20 us to serialize at 10 Mbit/s") != NULL);
        CHECK(strstr(t0->why, "after waiting in the queue") == NULL);
        CHECK_EQ(t1->time, 0);        /* announced when queued ... */
        CHECK_EQ(t1->wire_time, ser); /* ... leaves when the first is out */
        CHECK_EQ(t1->arrive_time, arrive1 + ser);
        CHECK(strstr(t1->why, "after waiting in the queue") != NULL);
        CHECK_EQ(r0->time, arrive1);
        CHECK_EQ(r0->pkt_id, id1);
        CHECK_STR(r0->peer, "a:eth0");
        CHECK_EQ(r0->len, 100);
    }
    CHECK_EQ(pr.ia->cnt.tx_frames, 2);
    CHECK_EQ(pr.ia->cnt.tx_bytes, 200);
    CHECK_EQ(pr.ib->cnt.rx_frames, 2);
    CHECK_EQ(pr.ib->cnt.rx_bytes, 200);
    CHECK_EQ(pr.ia->cnt.rx_frames, 1);

    /* an idle transmitter starts at once; a frame sent while busy waits */
    sim_time t = sim_now(pr.sim);
    link_transmit(pr.sim, pr.ia, frame_of(pr.sim, 100, 0x44));
    sim_run_until(pr.sim, t + 50 * SIM_US);
    link_transmit(pr.sim, pr.ia, frame_of(pr.sim, 1500, 0x55));
    sim_run_until(pr.sim, t + SIM_S);
    CHECK_EQ(pr.cb.frames, 4);
    CHECK_EQ(pr.cb.times[2], t + arrive1);
    /* 1524 bytes at 10 Mbit/s = 1219.2 us, starting when the first is out */
    CHECK_EQ(pr.cb.times[3], t + ser + 1219200 + SIM_MS);
    pair_free(&pr);
}

static void test_rounding(void)
{
    /* serialization rounds up to the next nanosecond: at 7 Mbit/s a
     * 60-byte frame (672 bits with the 24 extra bytes) takes 96000 ns
     * exactly, a 61-byte one (680 bits) 97142.857 -> 97143 ns. */
    struct link_params lp;
    link_params_default(&lp);
    lp.bandwidth_bps = 7000000;
    lp.delay = 0;
    struct pair pr;
    pair_init(&pr, 1, &lp);
    link_transmit(pr.sim, pr.ia, frame_of(pr.sim, 60, 1));
    link_transmit(pr.sim, pr.ia, frame_of(pr.sim, 61, 1));
    sim_run_until(pr.sim, SIM_S);
    CHECK_EQ(pr.cb.times[0], 96000);
    CHECK_EQ(pr.cb.times[1], 96000 + 97143);
    pair_free(&pr);
}

static void test_queue_drop(void)
{
    struct link_params lp;
    link_params_default(&lp);
    lp.queue_limit = 2;
    struct pair pr;
    pair_init(&pr, 1, &lp);
    uint64_t ids[5];
    for (int i = 0; i < 5; i++) {
        struct pkt *p = frame_of(pr.sim, 1000, (uint8_t)i);
        ids[i] = p->id;
        link_transmit(pr.sim, pr.ia, p);
    }
    /* one on the wire, two waiting, the last two dropped (drop-tail) */
    CHECK_EQ(fx_count(&pr.log, TK_DROP, "a:eth0", "transmit queue full"), 2);
    const struct fx_step *d = fx_nth(&pr.log, TK_DROP, NULL, 0);
    CHECK(d != NULL);
    if (d) {
        CHECK_EQ(d->pkt_id, ids[3]);
        CHECK_EQ(d->layer, 1);
        CHECK_EQ(d->level, TRACE_FRAMES);
        CHECK(strstr(d->why, "drop-tail") != NULL);
    }
    CHECK_EQ(pr.l->dir[0].drops, 2);
    CHECK_EQ(pr.ia->cnt.drops, 2);
    CHECK_EQ(pr.ia->cnt.tx_frames, 3);
    sim_run_until(pr.sim, SIM_S);
    CHECK_EQ(pr.cb.frames, 3);
    CHECK_EQ(pr.cb.last[0], 2);
    /* once drained, the queue takes frames again */
    for (int i = 0; i < 3; i++)
        link_transmit(pr.sim, pr.ia, frame_of(pr.sim, 1000, 9));
    sim_run_until(pr.sim, 2 * SIM_S);
    CHECK_EQ(pr.cb.frames, 6);
    CHECK_EQ(pr.ia->cnt.drops, 2);
    /* frames that started leaving no longer count: after one serialization
     * (81.92 us for 1024 bytes at 100 Mbit/s) two may wait again */
    for (int i = 0; i < 3; i++)
        link_transmit(pr.sim, pr.ia, frame_of(pr.sim, 1000, 9));
    sim_run_until(pr.sim, sim_now(pr.sim) + 81920);
    link_transmit(pr.sim, pr.ia, frame_of(pr.sim, 1000, 9));
    CHECK_EQ(pr.ia->cnt.drops, 2);
    link_transmit(pr.sim, pr.ia, frame_of(pr.sim, 1000, 9));
    CHECK_EQ(pr.ia->cnt.drops, 3);
    pair_free(&pr);
}

static void test_loss(void)
{
    struct link_params lp;
    link_params_default(&lp);
    lp.loss = 1.0;
    struct pair pr;
    pair_init(&pr, 1, &lp);
    for (int i = 0; i < 10; i++)
        link_transmit(pr.sim, pr.ia, frame_of(pr.sim, 60, 0));
    sim_run_until(pr.sim, SIM_S);
    CHECK_EQ(pr.cb.frames, 0);
    CHECK_EQ(fx_count(&pr.log, TK_TRANSMIT, "a:eth0", NULL), 10); /* capture still sees them */
    CHECK_EQ(fx_count(&pr.log, TK_DROP, "b:eth0", "frame lost on the wire"), 10);
    CHECK_EQ(fx_count(&pr.log, TK_RECEIVE, NULL, NULL), 0);
    const struct fx_step *d = fx_nth(&pr.log, TK_DROP, "b:eth0", 0);
    const struct fx_step *t = fx_nth(&pr.log, TK_TRANSMIT, "a:eth0", 0);
    CHECK(d && t);
    if (d && t) {
        CHECK_EQ(d->time, t->arrive_time); /* reported where and when it would arrive */
        CHECK_EQ(d->pkt_id, t->pkt_id);
        CHECK(strstr(d->why, "bad FCS") != NULL);
    }
    CHECK_EQ(pr.ib->cnt.drops, 10);
    CHECK_EQ(pr.ib->cnt.rx_frames, 0);
    pair_free(&pr);
}

/* Which of 200 frames survive a 50% lossy link, as a bitmap. */
static void lossy_run(uint64_t seed, uint8_t got[200], int *n)
{
    struct link_params lp;
    link_params_default(&lp);
    lp.loss = 0.5;
    struct pair pr;
    pair_init(&pr, seed, &lp);
    uint64_t first = 0;
    memset(got, 0, 200);
    *n = 0;
    for (int i = 0; i < 200; i++) {
        struct pkt *p = frame_of(pr.sim, 60, 0);
        if (i == 0) first = p->id;
        link_transmit(pr.sim, pr.ia, p);
        sim_run_until(pr.sim, sim_now(pr.sim) + SIM_MS);
        if (pr.cb.frames > (uint64_t)*n) {
            got[pr.cb.last_id - first] = 1;
            (*n)++;
        }
    }
    pair_free(&pr);
}

static void test_loss_seeded(void)
{
    uint8_t a[200], b[200], c[200];
    int na, nb, nc;
    lossy_run(7, a, &na);
    lossy_run(7, b, &nb);
    lossy_run(8, c, &nc);
    CHECK(na > 70 && na < 130);
    CHECK_EQ(na, nb);
    CHECK_MEM(a, b, 200); /* same seed, same frames lost */
    CHECK(memcmp(a, c, 200) != 0);
    CHECK(nc > 70 && nc < 130);
}

static void test_down_unplugged(void)
{
    struct pair pr;
    pair_init(&pr, 1, NULL);
    /* a frame in flight when the link goes down is lost at arrival */
    link_transmit(pr.sim, pr.ia, frame_of(pr.sim, 60, 0));
    link_set_up(pr.sim, pr.l, false);
    CHECK(!pr.l->up);
    CHECK_EQ(fx_count(&pr.log, TK_STATE, "a:eth0", "link down"), 1);
    link_transmit(pr.sim, pr.ia, frame_of(pr.sim, 60, 0)); /* refused at once */
    CHECK_EQ(fx_count(&pr.log, TK_DROP, "a:eth0", "link down"), 1);
    sim_run_until(pr.sim, SIM_S);
    CHECK_EQ(pr.cb.frames, 0);
    CHECK_EQ(fx_count(&pr.log, TK_DROP, "b:eth0", "link down"), 1);
    link_set_up(pr.sim, pr.l, true);
    CHECK_EQ(fx_count(&pr.log, TK_STATE, "a:eth0", "link up"), 1);
    link_transmit(pr.sim, pr.ia, frame_of(pr.sim, 60, 0));
    sim_run_until(pr.sim, 2 * SIM_S);
    CHECK_EQ(pr.cb.frames, 1);
    /* an interface that is down neither sends nor receives */
    pr.ia->up = false;
    link_transmit(pr.sim, pr.ia, frame_of(pr.sim, 60, 0));
    CHECK_EQ(fx_count(&pr.log, TK_DROP, "a:eth0", "link down"), 2);
    link_transmit(pr.sim, pr.ib, frame_of(pr.sim, 60, 0));
    sim_run_until(pr.sim, 3 * SIM_S);
    CHECK_EQ(pr.ca.frames, 0);
    CHECK_EQ(fx_count(&pr.log, TK_DROP, "a:eth0", "link down"), 3);
    CHECK_EQ(pr.ia->cnt.drops, 3);
    /* no cable at all */
    struct iface *loose = iface_new(pr.a, "eth1", NULL);
    link_transmit(pr.sim, loose, frame_of(pr.sim, 60, 0));
    CHECK_EQ(fx_count(&pr.log, TK_DROP, "a:eth1", "interface not connected"), 1);
    CHECK_EQ(loose->cnt.drops, 1);
    CHECK_STR(link_drop_why(LINK_DROP_UNPLUGGED),
              "No cable is plugged into this interface, so the frame goes nowhere.");
    /* frames still in flight at sim_free are reclaimed (ASan checks) */
    link_transmit(pr.sim, pr.ib, frame_of(pr.sim, 60, 0));
    pr.ia->up = true;
    link_transmit(pr.sim, pr.ia, frame_of(pr.sim, 60, 0));
    pair_free(&pr);
}

static void test_no_trace_when_unsubscribed(void)
{
    /* without sinks, frames still flow (and nothing is formatted) */
    struct sim *sim = sim_new(1);
    struct fx_counter ca, cb;
    struct node *a = fx_fake(sim, "a", "eth0", &ca);
    struct node *b = fx_fake(sim, "b", "eth0", &cb);
    link_connect(sim, a->ifaces[0], b->ifaces[0], NULL);
    link_transmit(sim, a->ifaces[0], frame_of(sim, 60, 0));
    sim_run_until(sim, SIM_S);
    CHECK_EQ(cb.frames, 1);
    CHECK_EQ(cb.times[0], 6720 + 10 * SIM_US);
    sim_free(sim);
}

int main(void)
{
    test_nodes_ifaces();
    test_many_nodes();
    test_link_connect();
    test_timing();
    test_rounding();
    test_queue_drop();
    test_loss();
    test_loss_seeded();
    test_down_unplugged();
    test_no_trace_when_unsubscribed();
    return check_done();
}
