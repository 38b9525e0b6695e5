/* test_eth.c - the Ethernet layer of hosts and routers (protocols/eth.h):
 * eth_output's framing (source MAC, destination, EtherType) and padding to
 * 60 bytes, and eth_input's address filter (frames for another MAC are
 * ignored, broadcast accepted), EtherType dispatch to ARP and IPv4, and
 * drops of unknown EtherTypes and runts. A real host stack faces a fake
 * neighbour that sends raw frames and counts what comes back. */
#include "check.h"
#include "fixture.h"
#include "protocols/arp.h"
#include "protocols/arp_wire.h"
#include "protocols/eth.h"

/* The bench: struct fx_raw (fixture.h), host h and the fake neighbour inj. */

/* an ARP request from inj (10.9.0.2) for 10.9.0.1, to eth_dst */
static struct pkt *arp_request(struct fx_raw *b, const uint8_t *eth_dst)
{
    struct pkt *p = fx_frame(b->sim, eth_dst, b->inj->ifaces[0]->mac, ETH_TYPE_ARP, ARP_LEN, 0);
    struct arp_msg m = {.op = ARP_OP_REQUEST, .spa = IP(10, 9, 0, 2), .tpa = IP(10, 9, 0, 1)};
    memcpy(m.sha, b->inj->ifaces[0]->mac, 6);
    arp_emit(&m, pkt_data(p) + ETH_HDR_LEN);
    return p;
}

static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void test_output(void)
{
    struct fx_raw b;
    fx_raw_init(&b);
    static const uint8_t dst[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    /* 30 bytes of L3: padded with 16 zero bytes to 60 */
    struct pkt *p = pkt_new(b.sim, PKT_HEADROOM, 30);
    memset(pkt_data(p), 0xab, 30);
    pkt_data(p)[30] = 0xee; /* stale byte where the padding goes */
    eth_output(b.st, b.e, dst, ETH_TYPE_IPV4, p);
    sim_run_until(b.sim, SIM_MS);
    CHECK_EQ(b.c.frames, 1);
    CHECK_EQ(b.c.last_len, 60);
    CHECK_MEM(b.c.last, dst, 6);
    CHECK_MEM(b.c.last + 6, b.e->mac, 6);
    CHECK_EQ(get_be16(b.c.last + 12), ETH_TYPE_IPV4);
    CHECK_EQ(b.c.last[14], 0xab);
    CHECK_EQ(b.c.last[43], 0xab);
    int zeros = 0;
    for (int i = 44; i < 60; i++)
        zeros += b.c.last[i] == 0;
    CHECK_EQ(zeros, 16);
    const struct fx_step *s = fx_nth(&b.log, TK_ENCAP, "h:eth0", 0);
    CHECK(s &&
          strcmp(s->summary, "Ethernet II, Src: 02:00:00:00:01:01, Dst: 02:11:22:33:44:55") == 0);
    CHECK(s && strstr(s->why, "16 zero bytes of padding") != NULL);
    CHECK(s && s->layer == 2);
    /* 45 bytes of L3: one byte short, one byte of padding */
    p = pkt_new(b.sim, PKT_HEADROOM, 45);
    eth_output(b.st, b.e, dst, ETH_TYPE_IPV4, p);
    sim_run_until(b.sim, 2 * SIM_MS);
    CHECK_EQ(b.c.frames, 2);
    CHECK_EQ(b.c.lens[1], 60);
    s = fx_nth(&b.log, TK_ENCAP, "h:eth0", 1);
    CHECK(s && strstr(s->why, " and 1 zero bytes of padding") != NULL);
    /* 46 bytes of L3 make exactly 60: no padding */
    p = pkt_new(b.sim, PKT_HEADROOM, 46);
    eth_output(b.st, b.e, dst, ETH_TYPE_ARP, p);
    /* 100 bytes: 114, untouched */
    p = pkt_new(b.sim, PKT_HEADROOM, 100);
    memset(pkt_data(p), 0x5a, 100);
    eth_output(b.st, b.e, dst, ETH_TYPE_IPV4, p);
    sim_run_until(b.sim, 3 * SIM_MS);
    CHECK_EQ(b.c.frames, 4);
    CHECK_EQ(b.c.lens[2], 60);
    CHECK_EQ(b.c.lens[3], 114);
    CHECK_EQ(b.c.last[113], 0x5a);
    s = fx_nth(&b.log, TK_ENCAP, "h:eth0", 2);
    CHECK(s && strstr(s->why, "padding") == NULL);
    CHECK_EQ(b.e->cnt.tx_frames, 4);
    CHECK_EQ(b.e->cnt.tx_bytes, 60 + 60 + 60 + 114);
    fx_raw_free(&b);
}

static void test_filter_and_dispatch(void)
{
    struct fx_raw b;
    fx_raw_init(&b);
    /* for another MAC: ignored, not even learned from */
    static const uint8_t other[6] = {0x02, 0x42, 0x42, 0x42, 0x42, 0x42};
    fx_raw_send(&b, arp_request(&b, other));
    CHECK_EQ(fx_count(&b.log, TK_DROP, "h:eth0", "not for me: Dst 02:42:42:42:42:42"), 1);
    CHECK_EQ(b.c.frames, 0);
    CHECK_EQ(arp_count(b.st), 0);
    CHECK_EQ(b.e->cnt.drops, 0); /* filtering is not an error */
    /* broadcast: taken, handed to ARP, answered */
    fx_raw_send(&b, arp_request(&b, bc));
    CHECK_EQ(fx_count(&b.log, TK_DECAP, "h:eth0", "Type: ARP"), 1);
    CHECK_EQ(b.c.frames, 1);
    CHECK_EQ(get_be16(b.c.last + 12), ETH_TYPE_ARP);
    CHECK_EQ(b.c.last_len, 60); /* the 42-byte reply, padded */
    CHECK(arp_lookup(b.st, IP(10, 9, 0, 2)) != NULL);
    /* unicast to h's own MAC: taken too */
    fx_raw_send(&b, arp_request(&b, b.e->mac));
    CHECK_EQ(b.c.frames, 2);
    const struct fx_step *s = fx_nth(&b.log, TK_DECAP, "h:eth0", 1);
    CHECK(s && strstr(s->why, "addressed to this card") != NULL);
    /* IPv4 goes to IPv4: an echo request gets its reply */
    uint8_t echo[8] = {8, 0, 0, 0, 0, 0, 0, 0}; /* type 8, id 0, seq 0 */
    put_be16(echo + 2, inet_checksum(echo, 8));
    fx_raw_send(&b, fx_raw_ip(&b, b.e->mac, IP(10, 9, 0, 1), IP4_PROTO_ICMP, 0, echo, 8));
    CHECK_EQ(fx_count(&b.log, TK_DECAP, "h:eth0", "Type: IPv4"), 1);
    CHECK_EQ(b.c.frames, 3);
    CHECK_EQ(get_be16(b.c.last + 12), ETH_TYPE_IPV4);
    CHECK_EQ(b.c.last[14 + 20], 0); /* echo reply */
    CHECK_EQ(b.e->cnt.drops, 0);
    fx_raw_free(&b);
}

static void test_drops(void)
{
    struct fx_raw b;
    fx_raw_init(&b);
    /* IPv6: no protocol to hand it to */
    fx_raw_send(&b, fx_frame(b.sim, b.e->mac, b.inj->ifaces[0]->mac, 0x86dd, 46, 0x60));
    CHECK_EQ(fx_count(&b.log, TK_DROP, "h:eth0", "unknown EtherType 0x86dd"), 1);
    const struct fx_step *s = fx_nth(&b.log, TK_DROP, "h:eth0", 0);
    CHECK(s && s->level == (TRACE_FRAMES | TRACE_LAYERS) && s->layer == 2);
    CHECK_EQ(b.e->cnt.drops, 1);
    /* a broadcast of an unknown type as well */
    fx_raw_send(&b, fx_frame(b.sim, bc, b.inj->ifaces[0]->mac, 0x88cc, 46, 0));
    CHECK_EQ(fx_count(&b.log, TK_DROP, "h:eth0", "unknown EtherType 0x88cc"), 1);
    CHECK_EQ(b.e->cnt.drops, 2);
    /* a runt: shorter than the header */
    struct pkt *p = pkt_new(b.sim, PKT_HEADROOM, 10);
    memset(pkt_data(p), 0xff, 10);
    fx_raw_send(&b, p);
    CHECK_EQ(fx_count(&b.log, TK_DROP, "h:eth0", "malformed Ethernet frame (10 bytes)"), 1);
    CHECK_EQ(b.e->cnt.drops, 3);
    CHECK_EQ(b.c.frames, 0);
    fx_raw_free(&b);
}

int main(void)
{
    test_output();
    test_filter_and_dispatch();
    test_drops();
    return check_done();
}
