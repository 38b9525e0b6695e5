/* test_arp.c - ARP (protocols/arp.h, RFC 826) on real host stacks: three
 * hosts on a switch. Covers request and reply on the wire (broadcast
 * request, unicast reply, byte layout), the caches on both ends but not on
 * a bystander, packets queued while resolving and flushed in order, the
 * ARP_PENDING_MAX overflow dropping the oldest, three requests a second
 * apart and then ICMP host unreachable to the app, expiry after 60 s and a
 * fresh resolution, gratuitous ARP (arp_announce) updating an existing
 * entry but creating none (RFC 826's merge rule), an announcement that
 * answers a resolution in progress, and malformed messages. */
#include "check.h"
#include "fixture.h"
#include "protocols/arp.h"
#include "protocols/arp_wire.h"
#include "protocols/icmp.h"

static const char lan_json[] =
    "{\"netstep\": 1, \"nodes\": [\n"
    " {\"name\": \"h1\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.1/24\"}]},\n"
    " {\"name\": \"h2\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.2/24\"}]},\n"
    " {\"name\": \"h3\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.3/24\"}]},\n"
    " {\"name\": \"sw\", \"type\": \"switch\", \"ports\": 4}],\n"
    " \"links\": [{\"a\": \"h1:eth0\", \"b\": \"sw:1\"}, {\"a\": \"h2:eth0\", \"b\": \"sw:2\"},\n"
    "             {\"a\": \"h3:eth0\", \"b\": \"sw:3\"}]}\n";

struct lan {
    struct sim *sim;
    struct netstack *h1, *h2, *h3;
    struct fx_log log;
    struct fx_app app;
};

static bool lan_init(struct lan *l)
{
    memset(l, 0, sizeof *l);
    l->sim = fx_build(lan_json, 1);
    if (!l->sim) return false;
    l->h1 = node_stack(sim_find_node(l->sim, "h1"));
    l->h2 = node_stack(sim_find_node(l->sim, "h2"));
    l->h3 = node_stack(sim_find_node(l->sim, "h3"));
    trace_subscribe(l->sim, TRACE_ALL, fx_log_sink, &l->log);
    icmp_subscribe(l->h1, 0x4242, fx_app_fn, &l->app);
    return true;
}

static void lan_free(struct lan *l)
{
    sim_free(l->sim);
    fx_log_free(&l->log);
}

static const uint8_t *mac_of(struct netstack *st)
{
    return st->node->ifaces[0]->mac;
}

/* A fake station `name` on the switch's spare port 4, counting into c. */
static struct node *lan_station(struct lan *l, const char *name, struct fx_counter *c)
{
    struct node *n = fx_fake(l->sim, name, "eth0", c);
    link_connect(l->sim, n->ifaces[0], fx_iface(l->sim, "sw", "4"), NULL);
    return n;
}

/* An ARP frame from station st to eth_dst, `payload_len` bytes after the
 * Ethernet header, carrying m with st's MAC filled in as the sender's. */
static struct pkt *station_arp(struct lan *l, struct node *st, const uint8_t *eth_dst,
                               uint32_t payload_len, struct arp_msg *m)
{
    struct pkt *p = fx_frame(l->sim, eth_dst, st->ifaces[0]->mac, ETH_TYPE_ARP, payload_len, 0);
    memcpy(m->sha, st->ifaces[0]->mac, 6);
    arp_emit(m, pkt_data(p) + ETH_HDR_LEN);
    return p;
}

/* ARP frames sent out of `where`, in order: their parsed messages */
static int arp_frames(const struct fx_log *log, const char *where, struct arp_msg *out, int max,
                      const uint8_t **eth_dst)
{
    int n = 0;
    for (size_t i = 0; i < log->n && n < max; i++) {
        const struct fx_step *s = &log->s[i];
        if (s->kind != TK_TRANSMIT || strcmp(s->where, where) != 0) continue;
        if (fx_ethertype(s) != ETH_TYPE_ARP) continue;
        if (arp_parse(s->frame + ETH_HDR_LEN, s->len - ETH_HDR_LEN, &out[n]) != 0) continue;
        if (eth_dst) eth_dst[n] = s->frame;
        n++;
    }
    return n;
}

static void test_request_reply(void)
{
    struct lan l;
    if (!lan_init(&l)) {
        CHECK(0);
        return;
    }
    CHECK(arp_lookup(l.h1, IP(10, 0, 0, 2)) == NULL);
    CHECK_EQ(icmp_send_echo(l.h1, IP(10, 0, 0, 2), 0x4242, 1, 0, 56), 0);
    /* the request went out at once; the echo waits */
    CHECK_EQ(fx_count(&l.log, TK_ENCAP, "h1:eth0", "Who has 10.0.0.2? Tell 10.0.0.1"), 1);
    CHECK_EQ(arp_count(l.h1), 1);
    const struct arp_entry *pend = arp_entry_at(l.h1, 0);
    CHECK(pend && pend->state == ARP_INCOMPLETE && pend->n_pend == 1);
    sim_run_until(l.sim, SIM_S);

    struct arp_msg m[4];
    const uint8_t *dst[4];
    CHECK_EQ(arp_frames(&l.log, "h1:eth0", m, 4, dst), 1);
    static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, zero[6] = {0};
    CHECK_EQ(m[0].op, ARP_OP_REQUEST);
    CHECK_MEM(dst[0], bc, 6);
    CHECK_MEM(dst[0] + 6, mac_of(l.h1), 6);
    CHECK_MEM(m[0].sha, mac_of(l.h1), 6);
    CHECK_EQ(m[0].spa, IP(10, 0, 0, 1));
    CHECK_MEM(m[0].tha, zero, 6);
    CHECK_EQ(m[0].tpa, IP(10, 0, 0, 2));
    /* the reply: unicast to the asker, sender = h2 */
    CHECK_EQ(arp_frames(&l.log, "h2:eth0", m, 4, dst), 1);
    CHECK_EQ(m[0].op, ARP_OP_REPLY);
    CHECK_MEM(dst[0], mac_of(l.h1), 6);
    CHECK_MEM(m[0].sha, mac_of(l.h2), 6);
    CHECK_EQ(m[0].spa, IP(10, 0, 0, 2));
    CHECK_MEM(m[0].tha, mac_of(l.h1), 6);
    CHECK_EQ(m[0].tpa, IP(10, 0, 0, 1));
    /* the bystander stays silent */
    CHECK_EQ(arp_frames(&l.log, "h3:eth0", m, 4, NULL), 0);
    CHECK_EQ(fx_count(&l.log, TK_DROP, "h3:eth0", "Who has: not for me"), 1);

    /* caches: h1 learned h2 from the reply; h2 learned h1 from the request
     * (it was the target); h3 learned nothing (RFC 826: a stranger's
     * request only refreshes an entry that already exists) */
    const struct arp_entry *e = arp_lookup(l.h1, IP(10, 0, 0, 2));
    CHECK(e != NULL);
    if (e) {
        CHECK_MEM(e->mac, mac_of(l.h2), 6);
        CHECK_EQ(e->state, ARP_REACHABLE);
        CHECK(e->ifc == l.h1->node->ifaces[0]);
        /* reply arrived after two hops each way of 16.72 us */
        CHECK_EQ(e->expires, 4 * 16720 + 60 * SIM_S);
        CHECK_EQ(e->n_pend, 0);
    }
    e = arp_lookup(l.h2, IP(10, 0, 0, 1));
    CHECK(e && memcmp(e->mac, mac_of(l.h1), 6) == 0);
    CHECK(arp_lookup(l.h3, IP(10, 0, 0, 1)) == NULL);
    CHECK_EQ(arp_count(l.h3), 0);
    CHECK_EQ(l.h1->arp.timeout, 60 * SIM_S);
    /* the echo went once the answer was in, and came back */
    CHECK_EQ(l.app.n, 1);
    CHECK_EQ(l.app.type[0], ICMP_ECHO_REPLY);
    CHECK_EQ(l.app.seq[0], 1);
    /* h2 answers from its cache: no ARP of its own */
    CHECK_EQ(fx_count(&l.log, TK_ENCAP, "h2:eth0", "Who has"), 0);
    lan_free(&l);
}

static void test_queue_flush_order(void)
{
    struct lan l;
    if (!lan_init(&l)) {
        CHECK(0);
        return;
    }
    for (int s = 1; s <= 5; s++)
        icmp_send_echo(l.h1, IP(10, 0, 0, 2), 0x4242, (uint16_t)s, 0, 56);
    CHECK_EQ(fx_count(&l.log, TK_ENCAP, "h1:eth0", "Who has"), 1); /* one request for all */
    const struct arp_entry *e = arp_entry_at(l.h1, 0);
    CHECK(e && e->n_pend == 5);
    sim_run_until(l.sim, SIM_S);
    int order = 0, n = 0;
    for (size_t i = 0; i < l.log.n; i++) {
        const struct fx_step *s = &l.log.s[i];
        if (s->kind != TK_TRANSMIT || strcmp(s->where, "h1:eth0") != 0) continue;
        const uint8_t *icmp = fx_icmp(s);
        if (!icmp) continue;
        n++;
        order += get_be16(icmp + 6) == n;
    }
    CHECK_EQ(n, 5);
    CHECK_EQ(order, 5);
    CHECK_EQ(l.app.n, 5);
    int in_order = 0;
    for (int i = 0; i < l.app.n; i++)
        in_order += l.app.seq[i] == i + 1;
    CHECK_EQ(in_order, 5);
    lan_free(&l);
}

static void test_pending_overflow(void)
{
    struct lan l;
    if (!lan_init(&l)) {
        CHECK(0);
        return;
    }
    for (int s = 1; s <= ARP_PENDING_MAX + 4; s++)
        icmp_send_echo(l.h1, IP(10, 0, 0, 2), 0x4242, (uint16_t)s, 0, 56);
    const struct arp_entry *e = arp_entry_at(l.h1, 0);
    CHECK(e && e->n_pend == ARP_PENDING_MAX);
    CHECK_EQ(fx_count(&l.log, TK_DROP, "h1:eth0", "ARP queue full"), 4);
    sim_run_until(l.sim, SIM_S);
    CHECK_EQ(l.app.n, ARP_PENDING_MAX);
    CHECK_EQ(l.app.seq[0], 5); /* the four oldest were dropped */
    CHECK_EQ(l.app.seq[ARP_PENDING_MAX - 1], ARP_PENDING_MAX + 4);
    lan_free(&l);
}

static void test_retries_unreachable(void)
{
    struct lan l;
    if (!lan_init(&l)) {
        CHECK(0);
        return;
    }
    sim_run_until(l.sim, 10 * SIM_S);
    icmp_send_echo(l.h1, IP(10, 0, 0, 99), 0x4242, 1, 0, 56);
    icmp_send_echo(l.h1, IP(10, 0, 0, 99), 0x4242, 2, 0, 56);
    const struct arp_entry *e = arp_entry_at(l.h1, 0);
    CHECK(e && e->ip == IP(10, 0, 0, 99) && e->state == ARP_INCOMPLETE && e->n_pend == 2);
    CHECK_EQ(arp_count(l.h1), 1);
    sim_run_until(l.sim, 12500 * SIM_MS);
    CHECK_EQ(fx_count(&l.log, TK_ENCAP, "h1:eth0", "Who has 10.0.0.99? Tell 10.0.0.1"), 3);
    CHECK_EQ(l.app.n, 0); /* still hoping */
    sim_run_until(l.sim, 20 * SIM_S);
    /* three requests, one a second */
    int when_ok = 0;
    for (size_t k = 0; k < 3; k++) {
        const struct fx_step *s = fx_nth(&l.log, TK_TRANSMIT, "h1:eth0", k);
        when_ok += s && s->wire_time == 10 * SIM_S + (sim_time)k * SIM_S;
    }
    CHECK_EQ(when_ok, 3);
    CHECK_EQ(fx_count(&l.log, TK_ENCAP, "h1:eth0", "Who has 10.0.0.99"), 3);
    CHECK_EQ(fx_count(&l.log, TK_DROP, "h1:eth0", "no ARP reply from 10.0.0.99"), 2);
    /* then each waiting packet's sender (us) hears host unreachable */
    CHECK_EQ(l.app.n, 2);
    for (int i = 0; i < 2 && i < l.app.n; i++) {
        CHECK_EQ(l.app.type[i], ICMP_DEST_UNREACH);
        CHECK_EQ(l.app.code[i], ICMP_HOST_UNREACH);
        CHECK_EQ(l.app.src[i], IP(10, 0, 0, 1));
        CHECK_EQ(l.app.seq[i], i + 1);
        CHECK_EQ(l.app.t[i], 13 * SIM_S);
    }
    CHECK(arp_lookup(l.h1, IP(10, 0, 0, 99)) == NULL);
    CHECK(e && e->state == ARP_FREE && e->n_pend == 0);
    /* a failed entry is not listed (arp -a, the GUI) */
    CHECK_EQ(arp_count(l.h1), 0);
    CHECK(arp_entry_at(l.h1, 0) == NULL);
    /* trying again starts over with a fresh first request */
    icmp_send_echo(l.h1, IP(10, 0, 0, 99), 0x4242, 3, 0, 56);
    CHECK_EQ(fx_count(&l.log, TK_ENCAP, "h1:eth0", "Who has 10.0.0.99"), 4);
    CHECK(e && e->state == ARP_INCOMPLETE && e->tries == 1);
    CHECK_EQ(arp_count(l.h1), 1); /* the same entry again */
    CHECK(arp_entry_at(l.h1, 0) == e);
    lan_free(&l);
}

static void test_expiry(void)
{
    struct lan l;
    if (!lan_init(&l)) {
        CHECK(0);
        return;
    }
    icmp_send_echo(l.h1, IP(10, 0, 0, 2), 0x4242, 1, 0, 56);
    sim_run_until(l.sim, SIM_S);
    const struct arp_entry *e = arp_lookup(l.h1, IP(10, 0, 0, 2));
    CHECK(e != NULL);
    sim_time exp = e ? e->expires : 0;
    sim_run_until(l.sim, exp - 1);
    CHECK(arp_lookup(l.h1, IP(10, 0, 0, 2)) != NULL);
    sim_run_until(l.sim, exp);
    CHECK(arp_lookup(l.h1, IP(10, 0, 0, 2)) == NULL); /* 60 s are up */
    /* the next packet resolves again */
    icmp_send_echo(l.h1, IP(10, 0, 0, 2), 0x4242, 2, 0, 56);
    CHECK_EQ(fx_count(&l.log, TK_ENCAP, "h1:eth0", "Who has 10.0.0.2"), 2);
    sim_run_until(l.sim, exp + SIM_S);
    CHECK_EQ(l.app.n, 2);
    e = arp_lookup(l.h1, IP(10, 0, 0, 2));
    CHECK(e && e->expires == exp + 4 * 16720 + 60 * SIM_S);
    CHECK_EQ(arp_count(l.h1), 1);
    lan_free(&l);
}

static void test_gratuitous(void)
{
    struct lan l;
    if (!lan_init(&l)) {
        CHECK(0);
        return;
    }
    /* h1 knows h2; h3 knows nobody */
    icmp_send_echo(l.h1, IP(10, 0, 0, 2), 0x4242, 1, 0, 56);
    sim_run_until(l.sim, SIM_S);
    CHECK_EQ(arp_count(l.h3), 0);
    /* h2's card is swapped: a new MAC, announced */
    static const uint8_t fresh[6] = {0x02, 0xab, 0xcd, 0x00, 0x00, 0x02};
    memcpy(l.h2->node->ifaces[0]->mac, fresh, 6);
    fx_log_clear(&l.log);
    arp_announce(l.h2, l.h2->node->ifaces[0], IP(10, 0, 0, 2));
    struct arp_msg m[2];
    const uint8_t *dst[2];
    CHECK_EQ(arp_frames(&l.log, "h2:eth0", m, 2, dst), 1);
    static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    CHECK_EQ(m[0].op, ARP_OP_REQUEST);
    CHECK_EQ(m[0].spa, IP(10, 0, 0, 2));
    CHECK_EQ(m[0].tpa, IP(10, 0, 0, 2)); /* asks for its own address */
    CHECK_MEM(m[0].sha, fresh, 6);
    CHECK_MEM(dst[0], bc, 6);
    CHECK_EQ(fx_count(&l.log, TK_ENCAP, "h2:eth0", "Gratuitous ARP for 10.0.0.2 (Request)"), 1);
    sim_run_until(l.sim, 2 * SIM_S);
    const struct arp_entry *e = arp_lookup(l.h1, IP(10, 0, 0, 2));
    CHECK(e && memcmp(e->mac, fresh, 6) == 0); /* updated (merge) */
    CHECK(e && e->expires == SIM_S + 2 * 16720 + 60 * SIM_S);
    CHECK_EQ(arp_count(l.h3), 0); /* not created: h3 is not the target */
    CHECK_EQ(arp_count(l.h1), 1);
    /* nobody answers a gratuitous request */
    CHECK_EQ(arp_frames(&l.log, "h1:eth0", m, 2, NULL), 0);
    CHECK_EQ(arp_frames(&l.log, "h3:eth0", m, 2, NULL), 0);
    size_t refreshed = 0;
    for (size_t i = 0; i < l.log.n; i++)
        refreshed +=
            strstr(l.log.s[i].why, "(but the cache entry for the sender was refreshed)") != NULL;
    CHECK_EQ(refreshed, 1); /* h1 only */
    /* and the next echo goes to the new MAC */
    icmp_send_echo(l.h1, IP(10, 0, 0, 2), 0x4242, 2, 0, 56);
    sim_run_until(l.sim, 3 * SIM_S);
    const struct fx_step *t = fx_nth(&l.log, TK_TRANSMIT, "h1:eth0", 0);
    CHECK(t && fx_ip(t) && memcmp(t->frame, fresh, 6) == 0);
    CHECK_EQ(l.app.n, 2);
    lan_free(&l);
}

static void test_announce_while_resolving(void)
{
    /* h1 is asking for 10.0.0.9 when a new station announces that very
     * address: the waiting packets go to it at once (and no more
     * requests are sent), rather than waiting for a reply that will not
     * come because nobody asked the newcomer directly. */
    struct lan l;
    if (!lan_init(&l)) {
        CHECK(0);
        return;
    }
    struct fx_counter c;
    struct node *inj = lan_station(&l, "new", &c);
    icmp_send_echo(l.h1, IP(10, 0, 0, 9), 0x4242, 1, 0, 56);
    icmp_send_echo(l.h1, IP(10, 0, 0, 9), 0x4242, 2, 0, 56);
    sim_run_until(l.sim, 500 * SIM_MS);
    CHECK_EQ(c.frames, 1); /* the broadcast request, before it was there */
    static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    struct arp_msg m = {.op = ARP_OP_REQUEST, .spa = IP(10, 0, 0, 9), .tpa = IP(10, 0, 0, 9)};
    struct pkt *p = station_arp(&l, inj, bc, ARP_LEN, &m);
    link_transmit(l.sim, inj->ifaces[0], p);
    sim_run_until(l.sim, 5 * SIM_S);
    const struct arp_entry *e = arp_lookup(l.h1, IP(10, 0, 0, 9));
    CHECK(e && memcmp(e->mac, inj->ifaces[0]->mac, 6) == 0 && e->n_pend == 0);
    CHECK_EQ(c.frames, 3); /* the two echo requests */
    CHECK_EQ(get_be16(c.last + 12), ETH_TYPE_IPV4);
    CHECK_MEM(c.last, inj->ifaces[0]->mac, 6);
    CHECK_EQ(get_be16(c.last + ETH_HDR_LEN + 20 + 6), 2); /* in order: seq 2 last */
    CHECK_EQ(fx_count(&l.log, TK_ENCAP, "h1:eth0", "Who has 10.0.0.9"), 1);
    CHECK_EQ(l.app.n, 0); /* no host unreachable either */
    lan_free(&l);
}

static void test_malformed(void)
{
    struct lan l;
    if (!lan_init(&l)) {
        CHECK(0);
        return;
    }
    struct fx_counter c;
    struct node *inj = lan_station(&l, "inj", &c);
    /* an ARP frame for IPv6-sized addresses (plen 16): refused */
    struct arp_msg m = {.op = ARP_OP_REQUEST, .spa = IP(10, 0, 0, 7), .tpa = IP(10, 0, 0, 1)};
    struct pkt *p = station_arp(&l, inj, mac_of(l.h1), 46, &m);
    pkt_data(p)[ETH_HDR_LEN + ARP_OFF_PLEN] = 16;
    link_transmit(l.sim, inj->ifaces[0], p);
    sim_run_until(l.sim, SIM_S);
    CHECK_EQ(fx_count(&l.log, TK_DROP, "h1:eth0", "malformed ARP"), 1);
    CHECK_EQ(arp_count(l.h1), 0);
    CHECK_EQ(c.frames, 0);
    /* the same, well formed: h1 answers and learns inj */
    p = station_arp(&l, inj, mac_of(l.h1), 46, &m);
    link_transmit(l.sim, inj->ifaces[0], p);
    sim_run_until(l.sim, 2 * SIM_S);
    CHECK_EQ(c.frames, 1);
    struct arp_msg r;
    CHECK_EQ(arp_parse(c.last + ETH_HDR_LEN, c.last_len - ETH_HDR_LEN, &r), 0);
    CHECK_EQ(r.op, ARP_OP_REPLY);
    CHECK_EQ(r.spa, IP(10, 0, 0, 1));
    CHECK_EQ(r.tpa, IP(10, 0, 0, 7));
    const struct arp_entry *e = arp_lookup(l.h1, IP(10, 0, 0, 7));
    CHECK(e && memcmp(e->mac, inj->ifaces[0]->mac, 6) == 0);
    lan_free(&l);
}

int main(void)
{
    test_request_reply();
    test_queue_flush_order();
    test_pending_overflow();
    test_retries_unreachable();
    test_expiry();
    test_gratuitous();
    test_announce_while_resolving();
    test_malformed();
    return check_done();
}
