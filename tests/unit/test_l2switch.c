/* test_l2switch.c - the learning switch and the hub (protocols/l2switch.h),
 * built by hand: a switch with ports "1".."4" (or a hub) and fake hosts
 * that count the frames they get. Covers learning on the ingress port,
 * flooding of unknown unicast and broadcast to every other (plugged) port,
 * forwarding a known destination out of one port, filtering a frame whose
 * destination is on its ingress port, aging after 300 s, a station that
 * moves ports, storm control (floods beyond SWITCH_STORM_LIMIT in one
 * second are suppressed, with a single warning), and the hub repeating
 * everything to every other port without learning. */
#include "check.h"
#include "fixture.h"
#include "protocols/l2switch.h"

struct lan {
    struct sim *sim;
    struct node *sw;
    struct netstack *st;
    struct node *h[4];
    struct fx_counter c[4];
    struct fx_log log;
};

static const uint8_t stranger[6] = {0x02, 0x99, 0x99, 0x99, 0x99, 0x99};

/* hosts h1..h<nhosts> on ports 1..nhosts of a 4-port switch (or hub) */
static void lan_init(struct lan *l, enum node_kind kind, int nhosts, uint32_t queue_limit)
{
    memset(l, 0, sizeof *l);
    l->sim = sim_new(1);
    l->sw = node_new(l->sim, kind == NODE_HUB ? "hub" : "sw", kind);
    for (int p = 1; p <= 4; p++) {
        char nm[16];
        snprintf(nm, sizeof nm, "%d", p);
        iface_new(l->sw, nm, NULL);
    }
    l->st = stack_install(l->sw);
    struct link_params lp;
    link_params_default(&lp);
    if (queue_limit) lp.queue_limit = queue_limit;
    for (int i = 0; i < nhosts; i++) {
        char nm[16];
        snprintf(nm, sizeof nm, "h%d", i + 1);
        l->h[i] = fx_fake(l->sim, nm, "eth0", &l->c[i]);
        link_connect(l->sim, l->h[i]->ifaces[0], l->sw->ifaces[i], &lp);
    }
    trace_subscribe(l->sim, TRACE_ALL, fx_log_sink, &l->log);
}

static void lan_free(struct lan *l)
{
    sim_free(l->sim);
    fx_log_free(&l->log);
}

static const uint8_t *mac_of(struct lan *l, int i)
{
    return l->h[i]->ifaces[0]->mac;
}

/* host i sends a frame to dst (with its own source MAC unless src given) */
static void lan_send(struct lan *l, int i, const uint8_t *dst, const uint8_t *src)
{
    struct pkt *p = fx_frame(l->sim, dst, src ? src : mac_of(l, i), 0x88b5, 46, (uint8_t)i);
    link_transmit(l->sim, l->h[i]->ifaces[0], p);
    sim_run_until(l->sim, sim_now(l->sim) + SIM_MS);
}

static void counts(struct lan *l, uint64_t out[4])
{
    for (int i = 0; i < 4; i++)
        out[i] = l->c[i].frames;
}

static void test_learn_flood_forward(void)
{
    struct lan l;
    lan_init(&l, NODE_SWITCH, 4, 0);
    CHECK(l.sw->input == switch_input);
    uint64_t n[4];

    /* unknown unicast: flooded to all but the ingress port; h1 learned */
    lan_send(&l, 0, stranger, NULL);
    counts(&l, n);
    CHECK_EQ(n[0], 0);
    CHECK_EQ(n[1], 1);
    CHECK_EQ(n[2], 1);
    CHECK_EQ(n[3], 1);
    const struct mac_entry *e = mac_table_lookup(l.st, mac_of(&l, 0));
    CHECK(e != NULL);
    if (e) {
        CHECK_EQ(e->port, 0);          /* interface index of port "1" */
        CHECK_EQ(e->last_seen, 16720); /* when the frame arrived: 6.72 + 10 us */
    }
    CHECK(mac_table_lookup(l.st, stranger) == NULL); /* destinations are not learned */
    CHECK_EQ(l.st->mac.n, 1);
    CHECK_EQ(fx_count(&l.log, TK_STATE, "sw:1", "learn 02:00:00:00:02:01 on port 1"), 1);
    CHECK_EQ(fx_count(&l.log, TK_FORWARD, "sw:1", "flood: Dst 02:99:99:99:99:99"), 1);
    /* the flooded copies are the same frame: one packet id on every port */
    const struct fx_step *t2 = fx_nth(&l.log, TK_TRANSMIT, "sw:2", 0);
    const struct fx_step *t4 = fx_nth(&l.log, TK_TRANSMIT, "sw:4", 0);
    const struct fx_step *t1 = fx_nth(&l.log, TK_TRANSMIT, "h1:eth0", 0);
    CHECK(t1 && t2 && t4);
    if (t1 && t2 && t4) {
        CHECK_EQ(t2->pkt_id, t1->pkt_id);
        CHECK_EQ(t4->pkt_id, t1->pkt_id);
        CHECK_EQ(t2->len, 60);
        CHECK_MEM(t2->frame, t1->frame, 60); /* a switch does not touch the bytes */
    }
    CHECK_EQ(fx_count(&l.log, TK_TRANSMIT, "sw:1", NULL), 0);

    /* known unicast: h2 -> h1 goes out of port 1 only; h2 learned on 2 */
    lan_send(&l, 1, mac_of(&l, 0), NULL);
    counts(&l, n);
    CHECK_EQ(n[0], 1);
    CHECK_EQ(n[1], 1);
    CHECK_EQ(n[2], 1);
    CHECK_EQ(n[3], 1);
    CHECK_EQ(fx_count(&l.log, TK_FORWARD, "sw:1", "forward to port 1"), 1);
    e = mac_table_lookup(l.st, mac_of(&l, 1));
    CHECK(e && e->port == 1);
    CHECK_EQ(l.c[0].last[6 + 5], mac_of(&l, 1)[5]); /* source MAC as sent */

    /* broadcast: every port but the ingress, even with everyone known */
    static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    lan_send(&l, 2, bc, NULL);
    counts(&l, n);
    CHECK_EQ(n[0], 2);
    CHECK_EQ(n[1], 2);
    CHECK_EQ(n[2], 1);
    CHECK_EQ(n[3], 2);
    CHECK_EQ(fx_count(&l.log, TK_FORWARD, "sw:3", "flood: Dst ff:ff:ff:ff:ff:ff"), 1);
    /* a multicast source is never learned */
    static const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
    lan_send(&l, 3, mac_of(&l, 0), mcast);
    CHECK(mac_table_lookup(l.st, mcast) == NULL);
    CHECK_EQ(l.st->mac.n, 3); /* h1, h2, h3 */

    /* filter: h1's MAC sent from port 1 to itself is not sent back */
    uint64_t before = l.c[0].frames;
    lan_send(&l, 0, mac_of(&l, 0), stranger);
    CHECK_EQ(l.c[0].frames, before);
    CHECK_EQ(fx_count(&l.log, TK_DROP, "sw:1", "filter: Dst 02:00:00:00:02:01 is on port 1"), 1);
    lan_free(&l);
}

static void test_unplugged_ports(void)
{
    /* two hosts on a 4-port switch: a flood goes only where a cable is */
    struct lan l;
    lan_init(&l, NODE_SWITCH, 2, 0);
    lan_send(&l, 0, stranger, NULL);
    CHECK_EQ(l.c[1].frames, 1);
    CHECK_EQ(fx_count(&l.log, TK_DROP, NULL, NULL), 0); /* nothing sent into the void */
    CHECK_EQ(fx_count(&l.log, TK_TRANSMIT, "sw", NULL), 1);
    lan_free(&l);
}

static void test_aging_and_move(void)
{
    struct lan l;
    lan_init(&l, NODE_SWITCH, 4, 0);
    lan_send(&l, 0, stranger, NULL);
    const sim_time learned = 16720; /* h1 learned when its frame arrived */
    sim_run_until(l.sim, learned + SWITCH_AGING - 1);
    CHECK(mac_table_lookup(l.st, mac_of(&l, 0)) != NULL);
    sim_run_until(l.sim, learned + SWITCH_AGING);
    CHECK(mac_table_lookup(l.st, mac_of(&l, 0)) == NULL); /* aged out */
    CHECK_EQ(SWITCH_AGING, 300 * SIM_S);
    /* with the entry gone, a frame to h1 floods again */
    uint64_t n[4];
    lan_send(&l, 1, mac_of(&l, 0), NULL);
    counts(&l, n);
    CHECK_EQ(n[0], 1);
    CHECK_EQ(n[2], 2);
    CHECK_EQ(n[3], 2);
    /* relearning refreshes the same entry */
    lan_send(&l, 0, stranger, NULL);
    const struct mac_entry *e = mac_table_lookup(l.st, mac_of(&l, 0));
    CHECK(e && e->last_seen == learned + SWITCH_AGING + SIM_MS + learned);
    CHECK_EQ(l.st->mac.n, 2);
    CHECK_EQ(fx_count(&l.log, TK_STATE, "sw:1", "learn 02:00:00:00:02:01"), 2);

    /* h1's MAC now shows up on port 3: the entry moves */
    lan_send(&l, 2, stranger, mac_of(&l, 0));
    e = mac_table_lookup(l.st, mac_of(&l, 0));
    CHECK(e && e->port == 2);
    CHECK_EQ(fx_count(&l.log, TK_STATE, "sw:3", "learn 02:00:00:00:02:01 on port 3"), 1);
    size_t moved = 0;
    for (size_t i = 0; i < l.log.n; i++)
        moved += strstr(l.log.s[i].why, "The address moved from another port.") != NULL;
    CHECK_EQ(moved, 1);
    counts(&l, n);
    lan_send(&l, 1, mac_of(&l, 0), NULL); /* goes to port 3 only */
    CHECK_EQ(l.c[2].frames, n[2] + 1);
    CHECK_EQ(l.c[0].frames, n[0]);
    CHECK_EQ(l.c[3].frames, n[3]);
    lan_free(&l);
}

static void test_storm_control(void)
{
    /* SWITCH_STORM_LIMIT + 50 broadcasts within one second, injected
     * straight into the switch: the excess is suppressed, one warning. */
    struct lan l;
    lan_init(&l, NODE_SWITCH, 2, 100000);
    trace_unsubscribe(l.sim, fx_log_sink, &l.log);
    struct fx_log warn = {0};
    trace_subscribe(l.sim, TRACE_WARN, fx_log_sink, &warn);
    static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    struct iface *in = l.sw->ifaces[0];
    for (int i = 0; i < SWITCH_STORM_LIMIT + 50; i++)
        switch_input(l.sw, in, fx_frame(l.sim, bc, mac_of(&l, 0), 0x88b5, 46, 0));
    sim_run_until(l.sim, 900 * SIM_MS);
    CHECK_EQ(l.c[1].frames, SWITCH_STORM_LIMIT);
    CHECK_EQ(l.c[0].frames, 0);
    CHECK_EQ(l.st->mac.suppressed, 50);
    CHECK_EQ(warn.n, 1);
    if (warn.n == 1) {
        CHECK_EQ(warn.s[0].kind, TK_WARN);
        CHECK_STR(warn.s[0].summary, "broadcast storm detected");
        CHECK_STR(warn.s[0].where, "sw");
        CHECK(strstr(warn.s[0].why, "more than 20000 frames within one second") != NULL);
    }
    /* known unicast is not a flood: still forwarded */
    switch_input(l.sw, l.sw->ifaces[1],
                 fx_frame(l.sim, mac_of(&l, 0), mac_of(&l, 1), 0x88b5, 46, 0));
    sim_run_until(l.sim, 950 * SIM_MS);
    CHECK_EQ(l.c[0].frames, 1);
    /* a new second: floods go through again, and no second warning */
    sim_run_until(l.sim, SIM_S);
    for (int i = 0; i < 10; i++)
        switch_input(l.sw, in, fx_frame(l.sim, bc, mac_of(&l, 0), 0x88b5, 46, 0));
    sim_run_until(l.sim, 2 * SIM_S);
    CHECK_EQ(l.c[1].frames, SWITCH_STORM_LIMIT + 10);
    CHECK_EQ(l.st->mac.suppressed, 50);
    CHECK_EQ(warn.n, 1);
    fx_log_free(&warn);
    lan_free(&l);
}

static void test_hub(void)
{
    struct lan l;
    lan_init(&l, NODE_HUB, 4, 0);
    CHECK(l.sw->input == hub_input);
    lan_send(&l, 0, mac_of(&l, 1), NULL); /* addressed to h2, but a hub does not read it */
    uint64_t n[4];
    counts(&l, n);
    CHECK_EQ(n[0], 0);
    CHECK_EQ(n[1], 1);
    CHECK_EQ(n[2], 1);
    CHECK_EQ(n[3], 1);
    lan_send(&l, 1, mac_of(&l, 0), NULL); /* and again: nothing was learned */
    counts(&l, n);
    CHECK_EQ(n[0], 1);
    CHECK_EQ(n[1], 1);
    CHECK_EQ(n[2], 2);
    CHECK_EQ(n[3], 2);
    CHECK_EQ(l.st->mac.n, 0);
    CHECK(mac_table_lookup(l.st, mac_of(&l, 0)) == NULL);
    CHECK_EQ(fx_count(&l.log, TK_FORWARD, "hub:2", "repeat out of every other port"), 1);
    const struct fx_step *f = fx_nth(&l.log, TK_FORWARD, "hub:2", 0);
    CHECK(f && f->layer == 1); /* a physical-layer device */
    /* even a runt is repeated: a hub does not parse */
    struct pkt *runt = pkt_new(l.sim, PKT_HEADROOM, 10);
    link_transmit(l.sim, l.h[3]->ifaces[0], runt);
    sim_run_until(l.sim, sim_now(l.sim) + SIM_MS);
    CHECK_EQ(l.c[0].frames, 2);
    CHECK_EQ(l.c[0].lens[1], 10);
    lan_free(&l);
}

static void test_runt_into_switch(void)
{
    struct lan l;
    lan_init(&l, NODE_SWITCH, 2, 0);
    link_transmit(l.sim, l.h[0]->ifaces[0], pkt_new(l.sim, PKT_HEADROOM, 13));
    sim_run_until(l.sim, SIM_MS);
    CHECK_EQ(l.c[1].frames, 0);
    CHECK_EQ(fx_count(&l.log, TK_DROP, "sw:1", "runt frame (13 bytes)"), 1);
    CHECK_EQ(l.st->mac.n, 0);
    lan_free(&l);
}

int main(void)
{
    test_learn_flood_forward();
    test_unplugged_ports();
    test_aging_and_move();
    test_storm_control();
    test_hub();
    test_runt_into_switch();
    return check_done();
}
