/* test_tcp_seg.c - TCP driven segment by segment: a host h (10.9.0.1) whose
 * peer is a fake neighbour (10.9.0.2) that sends hand-made segments, so
 * each RFC 9293 rule can be tested alone: RST for closed ports, options
 * taken from the SYN, RST (and RFC 5961's challenge ACK) in every state,
 * out-of-order segments reassembled, the peer's window respected, a zero
 * window probed with backoff, fast retransmit after three duplicate ACKs,
 * RTO computation and exponential backoff up to giving up. Also, between
 * two real stacks: simultaneous open and close, abort, and an ICMP host
 * unreachable ending a connection attempt. */
#include "check.h"
#include "fixture.h"
#include "protocols/arp_wire.h"
#include "protocols/ip4.h"
#include "protocols/tcp_priv.h"

#define H    IP(10, 9, 0, 1)
#define PEER IP(10, 9, 0, 2)

struct app {
    int accepted, connected, peer_closed, closed;
    enum tcp_reason why;
    char rx[8192];
    size_t rx_len;
    struct tcp_conn *c;
};

static void a_recv(void *ctx, struct tcp_conn *c, const uint8_t *d, size_t n)
{
    (void)c;
    struct app *a = ctx;
    if (a->rx_len + n <= sizeof a->rx) memcpy(a->rx + a->rx_len, d, n);
    a->rx_len += n;
}
static void a_connected(void *ctx, struct tcp_conn *c)
{
    struct app *a = ctx;
    a->connected++;
    a->c = c;
}
static void a_peer_closed(void *ctx, struct tcp_conn *c)
{
    (void)c;
    ((struct app *)ctx)->peer_closed++;
}
static void a_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    struct app *a = ctx;
    a->closed++;
    a->why = why;
    a->c = NULL;
}
static const struct tcp_callbacks a_cb = {
    .connected = a_connected, .recv = a_recv, .peer_closed = a_peer_closed, .closed = a_closed};

static void a_accept(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    struct app *a = ctx;
    a->accepted++;
    a->c = c;
    tcp_set_callbacks(c, &a_cb, a);
}

/* ---- the fake peer ---- */

static void raw_init(struct fx_raw *r)
{
    fx_raw_init(r);
    /* an ARP request from the fake teaches h its MAC (RFC 826 merge) */
    static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    struct pkt *p = fx_frame(r->sim, bc, r->inj->ifaces[0]->mac, ETH_TYPE_ARP, ARP_LEN, 0);
    struct arp_msg m = {.op = ARP_OP_REQUEST, .spa = PEER, .tpa = H};
    memcpy(m.sha, r->inj->ifaces[0]->mac, 6);
    arp_emit(&m, pkt_data(p) + ETH_HDR_LEN);
    fx_raw_send(r, p);
}

static void peer_send(struct fx_raw *r, uint16_t sport, uint16_t dport, uint16_t flags,
                      uint32_t seq, uint32_t ack, uint16_t win, const char *data, bool mss)
{
    uint8_t seg[TCP_HDR_MAX + 1500];
    struct tcp_hdr h = {
        .sport = sport, .dport = dport, .seq = seq, .ack = ack, .flags = flags, .window = win};
    if (mss) {
        h.opt.has_mss = true;
        h.opt.mss = 1000;
    }
    size_t hl = tcp_emit(seg, &h);
    size_t n = data ? strlen(data) : 0;
    memcpy(seg + hl, data ? data : "", n);
    tcp_checksum_fill(seg, hl + n, PEER, H);
    fx_raw_send(r, fx_raw_ip(r, r->e->mac, H, IP4_PROTO_TCP, 1, seg, (uint32_t)(hl + n)));
}

/* The k-th (from 0) TCP segment h put on the wire, or false. */
static bool h_seg(const struct fx_raw *r, size_t k, struct tcp_hdr *out, uint32_t *plen)
{
    for (size_t i = 0; i < r->log.n; i++) {
        const struct fx_step *s = &r->log.s[i];
        const uint8_t *ip = fx_ip(s);
        if (s->kind != TK_TRANSMIT || !ip || ip[9] != IP4_PROTO_TCP || strcmp(s->where, "h:eth0"))
            continue;
        if (k--) continue;
        size_t ihl = (size_t)(ip[0] & 15) * 4, tl = get_be16(ip + 2) - ihl;
        if (tcp_parse(ip + ihl, tl, out) != TCP_OK) return false;
        if (plen) *plen = (uint32_t)(tl - out->hlen);
        return true;
    }
    return false;
}

static size_t h_nsegs(const struct fx_raw *r)
{
    struct tcp_hdr h;
    size_t n = 0;
    while (h_seg(r, n, &h, NULL))
        n++;
    return n;
}

static bool h_last(const struct fx_raw *r, struct tcp_hdr *out, uint32_t *plen)
{
    size_t n = h_nsegs(r);
    return n && h_seg(r, n - 1, out, plen);
}

/* h listens on 80; the peer (port 4000, ISN 1000) connects. Returns h's
 * ISN + 1. */
static uint32_t passive_open(struct fx_raw *r, struct app *a)
{
    tcp_listen(r->st, 0, 80, a_accept, a);
    peer_send(r, 4000, 80, TCP_SYN, 1000, 0, 8000, NULL, true);
    struct tcp_hdr h;
    if (!h_last(r, &h, NULL)) return 0;
    CHECK_EQ(h.flags, TCP_SYN | TCP_ACK);
    CHECK_EQ(h.ack, 1001);
    peer_send(r, 4000, 80, TCP_ACK, 1001, h.seq + 1, 8000, NULL, false);
    CHECK_EQ(a->accepted, 1);
    return h.seq + 1;
}

/* ---- tests ---- */

static void test_closed_port(void)
{
    struct fx_raw r;
    raw_init(&r);
    peer_send(&r, 4000, 81, TCP_SYN, 5000, 0, 8000, NULL, true);
    struct tcp_hdr h;
    CHECK(h_last(&r, &h, NULL));
    /* RFC 9293 3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
    CHECK_EQ(h.flags, TCP_RST | TCP_ACK);
    CHECK_EQ(h.seq, 0);
    CHECK_EQ(h.ack, 5001);
    CHECK_EQ(h.sport, 81);
    CHECK_EQ(h.dport, 4000);
    /* with ACK: <SEQ=SEG.ACK><CTL=RST> */
    peer_send(&r, 4000, 81, TCP_ACK, 5001, 777, 8000, "xy", false);
    CHECK(h_last(&r, &h, NULL));
    CHECK_EQ(h.flags, TCP_RST);
    CHECK_EQ(h.seq, 777);
    /* a RST is never answered */
    size_t n = h_nsegs(&r);
    peer_send(&r, 4000, 81, TCP_RST, 5001, 0, 0, NULL, false);
    CHECK_EQ(h_nsegs(&r), n);
    fx_raw_free(&r);
}

static void test_passive_and_rst(void)
{
    struct fx_raw r;
    raw_init(&r);
    struct app a = {0};
    uint32_t hs = passive_open(&r, &a);
    struct tcp_conn *c = a.c;
    CHECK(c && tcp_get_state(c) == TCP_ESTABLISHED);
    CHECK_EQ(c->mss, 1000); /* the peer's MSS option */
    CHECK(!c->ws_ok);       /* it offered no window scale */
    struct tcp_hdr h;
    h_seg(&r, 0, &h, NULL);
    CHECK(!h.opt.has_wscale); /* so the SYN-ACK has none either */
    CHECK_EQ(h.opt.mss, 1460);
    CHECK_EQ(c->snd_wnd, 8000);
    /* data in order reaches the app, and is ACKed (delayed) */
    peer_send(&r, 4000, 80, TCP_ACK | TCP_PSH, 1001, hs, 8000, "hello", false);
    CHECK_EQ(a.rx_len, 5);
    sim_run_until(r.sim, sim_now(r.sim) + 100 * SIM_MS);
    CHECK(h_last(&r, &h, NULL));
    CHECK_EQ(h.ack, 1006);
    /* RFC 5961: a RST in the window but not exact: challenge ACK */
    size_t n = h_nsegs(&r);
    peer_send(&r, 4000, 80, TCP_RST, 1100, 0, 0, NULL, false);
    CHECK_EQ(tcp_get_state(c), TCP_ESTABLISHED);
    CHECK_EQ(h_nsegs(&r), n + 1);
    CHECK(h_last(&r, &h, NULL) && h.flags == TCP_ACK && h.ack == 1006);
    /* a SYN on the established connection: challenge ACK too */
    peer_send(&r, 4000, 80, TCP_SYN, 3000, 0, 8000, NULL, false);
    CHECK_EQ(tcp_get_state(c), TCP_ESTABLISHED);
    CHECK_EQ(h_nsegs(&r), n + 2);
    /* the exact sequence number resets */
    peer_send(&r, 4000, 80, TCP_RST, 1006, 0, 0, NULL, false);
    CHECK_EQ(a.closed, 1);
    CHECK_EQ(a.why, TCP_REASON_RESET);
    struct tcp_sock_info info[2];
    CHECK_EQ(tcp_sockets(r.st, info, 2), 1); /* only the listener */
    fx_raw_free(&r);
}

static void test_rst_syn_received(void)
{
    struct fx_raw r;
    raw_init(&r);
    struct app a = {0};
    tcp_listen(r.st, 0, 80, a_accept, &a);
    peer_send(&r, 4000, 80, TCP_SYN, 1000, 0, 8000, NULL, true);
    struct tcp_sock_info info[3];
    CHECK_EQ(tcp_sockets(r.st, info, 3), 2);
    CHECK_EQ(info[1].state, TCP_SYN_RECEIVED);
    peer_send(&r, 4000, 80, TCP_RST, 1001, 0, 0, NULL, false);
    CHECK_EQ(tcp_sockets(r.st, info, 3), 1);
    CHECK_EQ(a.accepted, 0);
    CHECK_EQ(a.closed, 0);
    /* the SYN-ACK is retried when the ACK never comes, then given up */
    peer_send(&r, 4001, 80, TCP_SYN, 2000, 0, 8000, NULL, true);
    sim_run_until(r.sim, sim_now(r.sim) + 100 * SIM_S);
    CHECK_EQ(tcp_sockets(r.st, info, 3), 1);
    size_t synacks = 0;
    struct tcp_hdr h;
    for (size_t k = 0; h_seg(&r, k, &h, NULL); k++)
        if (h.flags == (TCP_SYN | TCP_ACK) && h.dport == 4001) synacks++;
    CHECK_EQ(synacks, 1 + 5); /* Linux's tcp_synack_retries */
    fx_raw_free(&r);
}

/* Establishes, then walks to `target` and resets there. */
static void rst_in(enum tcp_state_id target, enum tcp_reason want)
{
    struct fx_raw r;
    raw_init(&r);
    struct app a = {0};
    uint32_t hs = passive_open(&r, &a);
    struct tcp_conn *c = a.c;
    uint32_t pseq = 1001;
    if (target == TCP_FIN_WAIT_1 || target == TCP_FIN_WAIT_2 || target == TCP_TIME_WAIT) {
        tcp_close(c);
        sim_run_until(r.sim, sim_now(r.sim) + SIM_MS);
        CHECK_EQ(tcp_get_state(c), TCP_FIN_WAIT_1);
        if (target != TCP_FIN_WAIT_1) {
            peer_send(&r, 4000, 80, TCP_ACK, pseq, hs + 1, 8000, NULL, false);
            CHECK_EQ(tcp_get_state(c), TCP_FIN_WAIT_2);
        }
        if (target == TCP_TIME_WAIT) {
            peer_send(&r, 4000, 80, TCP_FIN | TCP_ACK, pseq, hs + 1, 8000, NULL, false);
            pseq++;
            CHECK_EQ(a.closed, 1); /* the app is told at TIME-WAIT */
            struct tcp_sock_info info[3];
            CHECK_EQ(tcp_sockets(r.st, info, 3), 2);
            CHECK_EQ(info[1].state, TCP_TIME_WAIT);
        }
    } else if (target == TCP_CLOSE_WAIT || target == TCP_LAST_ACK) {
        peer_send(&r, 4000, 80, TCP_FIN | TCP_ACK, pseq, hs, 8000, NULL, false);
        pseq++;
        CHECK_EQ(a.peer_closed, 1);
        CHECK_EQ(tcp_get_state(c), TCP_CLOSE_WAIT);
        if (target == TCP_LAST_ACK) {
            tcp_close(c);
            sim_run_until(r.sim, sim_now(r.sim) + SIM_MS);
            CHECK_EQ(tcp_get_state(c), TCP_LAST_ACK);
        }
    }
    peer_send(&r, 4000, 80, TCP_RST, pseq, 0, 0, NULL, false);
    struct tcp_sock_info info[3];
    CHECK_EQ(tcp_sockets(r.st, info, 3), 1);
    CHECK_EQ(a.closed, 1);
    CHECK_EQ(a.why, want);
    fx_raw_free(&r);
}

static void test_rst_each_state(void)
{
    rst_in(TCP_ESTABLISHED, TCP_REASON_RESET);
    rst_in(TCP_FIN_WAIT_1, TCP_REASON_RESET);
    rst_in(TCP_FIN_WAIT_2, TCP_REASON_RESET);
    rst_in(TCP_CLOSE_WAIT, TCP_REASON_RESET);
    rst_in(TCP_LAST_ACK, TCP_REASON_CLOSED);
    rst_in(TCP_TIME_WAIT, TCP_REASON_CLOSED);
}

static void test_reassembly(void)
{
    struct fx_raw r;
    raw_init(&r);
    struct app a = {0};
    uint32_t hs = passive_open(&r, &a);
    size_t n0 = h_nsegs(&r);
    /* three segments, the last first, then the middle, then the first */
    peer_send(&r, 4000, 80, TCP_ACK, 1007, hs, 8000, "CCC", false);
    peer_send(&r, 4000, 80, TCP_ACK, 1004, hs, 8000, "BBB", false);
    CHECK_EQ(a.rx_len, 0);
    /* each out-of-order segment got a duplicate ACK at once */
    CHECK_EQ(h_nsegs(&r), n0 + 2);
    struct tcp_hdr h;
    CHECK(h_last(&r, &h, NULL) && h.ack == 1001);
    /* a duplicate of a kept one changes nothing */
    peer_send(&r, 4000, 80, TCP_ACK, 1004, hs, 8000, "BBB", false);
    peer_send(&r, 4000, 80, TCP_ACK, 1001, hs, 8000, "AAA", false);
    CHECK_EQ(a.rx_len, 9);
    CHECK_MEM(a.rx, "AAABBBCCC", 9);
    CHECK(h_last(&r, &h, NULL) && h.ack == 1010); /* the filled hole: ACK at once */
    /* overlapping retransmission: only the new part is delivered */
    peer_send(&r, 4000, 80, TCP_ACK, 1008, hs, 8000, "CCDD", false);
    CHECK_EQ(a.rx_len, 11);
    CHECK_MEM(a.rx + 9, "DD", 2);
    /* an out-of-order FIN waits for the data before it */
    peer_send(&r, 4000, 80, TCP_ACK | TCP_FIN, 1014, hs, 8000, "FF", false);
    CHECK_EQ(a.peer_closed, 0);
    peer_send(&r, 4000, 80, TCP_ACK, 1012, hs, 8000, "EE", false);
    CHECK_EQ(a.peer_closed, 1);
    CHECK_MEM(a.rx + 11, "EEFF", 4);
    CHECK_EQ(tcp_get_state(a.c), TCP_CLOSE_WAIT);
    CHECK(h_last(&r, &h, NULL) && h.ack == 1017);
    fx_raw_free(&r);
}

static void test_window_and_probe(void)
{
    struct fx_raw r;
    raw_init(&r);
    struct app a = {0};
    uint32_t hs = passive_open(&r, &a);
    struct tcp_conn *c = a.c;
    /* the peer offers 2000 bytes of window */
    peer_send(&r, 4000, 80, TCP_ACK, 1001, hs, 2000, NULL, false);
    static char big[10000];
    memset(big, 'x', sizeof big);
    CHECK_EQ(tcp_send(c, big, sizeof big), sizeof big);
    sim_run_until(r.sim, sim_now(r.sim) + SIM_MS);
    uint32_t sent = 0, plen;
    struct tcp_hdr h;
    for (size_t k = 0; h_seg(&r, k, &h, &plen); k++)
        sent += plen;
    CHECK_EQ(sent, 2000); /* exactly the window, no more */
    CHECK_EQ(tcp_send_queued(c), 10000);
    /* the peer takes it all but closes its window */
    peer_send(&r, 4000, 80, TCP_ACK, 1001, hs + 2000, 0, NULL, false);
    CHECK_EQ(tcp_send_queued(c), 8000);
    size_t n0 = h_nsegs(&r);
    /* nothing may go now; the persist timer probes with one byte, backing
     * off */
    sim_run_until(r.sim, sim_now(r.sim) + 2 * SIM_S);
    size_t probes = h_nsegs(&r) - n0;
    CHECK(probes >= 2 && probes <= 4);
    CHECK_EQ(c->n_probes, probes);
    CHECK(h_last(&r, &h, &plen));
    CHECK_EQ(plen, 1);
    CHECK_EQ(h.seq, hs + 2000);
    CHECK(c->persist_iv > c->rto); /* doubled */
    /* the window opens: data flows again */
    peer_send(&r, 4000, 80, TCP_ACK, 1001, hs + 2000, 3000, NULL, false);
    sent = 0;
    for (size_t k = h_nsegs(&r) - 3; h_seg(&r, k, &h, &plen); k++)
        sent += plen;
    CHECK(sent >= 2000);
    CHECK(h_last(&r, &h, &plen) && h.seq + plen <= hs + 5000);
    fx_raw_free(&r);
}

static void test_fast_retransmit_and_rto(void)
{
    struct fx_raw r;
    raw_init(&r);
    struct app a = {0};
    uint32_t hs = passive_open(&r, &a);
    struct tcp_conn *c = a.c;
    tcp_state_of(r.st)->cfg.retries = 3;
    static char big[6000];
    memset(big, 'y', sizeof big);
    tcp_send(c, big, sizeof big);
    sim_run_until(r.sim, sim_now(r.sim) + SIM_MS);
    size_t n0 = h_nsegs(&r); /* 6 segments of 1000 */
    CHECK_EQ(c->snd_max - c->snd_una, 6000);
    /* the first arrived, the second was lost: three duplicate ACKs */
    peer_send(&r, 4000, 80, TCP_ACK, 1001, hs + 1000, 8000, NULL, false);
    for (int i = 0; i < 3; i++)
        peer_send(&r, 4000, 80, TCP_ACK, 1001, hs + 1000, 8000, NULL, false);
    CHECK_EQ(c->n_fast_retx, 1);
    CHECK(c->in_recovery);
    CHECK_EQ(c->ssthresh, 2500); /* half of the 5000 in flight */
    struct tcp_hdr h;
    CHECK(h_seg(&r, n0, &h, NULL) && h.seq == hs + 1000);
    /* a partial ACK (the third is missing too): retransmitted at once */
    peer_send(&r, 4000, 80, TCP_ACK, 1001, hs + 2000, 8000, NULL, false);
    CHECK(h_last(&r, &h, NULL) && h.seq == hs + 2000);
    CHECK(c->in_recovery);
    /* the full ACK ends recovery */
    peer_send(&r, 4000, 80, TCP_ACK, 1001, hs + 6000, 8000, NULL, false);
    CHECK(!c->in_recovery);
    CHECK(c->cwnd <= c->ssthresh);
    /* now silence: the RTO doubles on every expiry until the connection
     * is given up */
    tcp_send(c, "z", 1);
    sim_run_until(r.sim, sim_now(r.sim) + SIM_MS);
    size_t k0 = h_nsegs(&r) - 1;
    sim_time t0 = 0;
    for (size_t i = 0; i < r.log.n; i++)
        if (r.log.s[i].kind == TK_TRANSMIT && !strcmp(r.log.s[i].where, "h:eth0"))
            t0 = r.log.s[i].time;
    sim_run_until(r.sim, sim_now(r.sim) + 60 * SIM_S);
    CHECK_EQ(a.closed, 1);
    CHECK_EQ(a.why, TCP_REASON_TIMEOUT);
    /* intervals between the retransmissions: each twice the one before */
    sim_time times[8];
    size_t nt = 0;
    for (size_t i = 0; i < r.log.n && nt < 8; i++)
        if (r.log.s[i].kind == TK_TRANSMIT && !strcmp(r.log.s[i].where, "h:eth0") &&
            r.log.s[i].time >= t0)
            times[nt++] = r.log.s[i].time;
    CHECK_EQ(nt, 4); /* the original and 3 retries */
    CHECK_EQ(h_nsegs(&r) - k0, 4);
    if (nt == 4) {
        sim_time d1 = times[1] - times[0], d2 = times[2] - times[1], d3 = times[3] - times[2];
        CHECK(d1 >= 200 * SIM_MS);
        CHECK_EQ(d2, 2 * d1);
        CHECK_EQ(d3, 2 * d2);
    }
    fx_raw_free(&r);
}

static void test_rtt_estimate(void)
{
    /* h connects to the fake, which answers the SYN 100 ms later */
    struct fx_raw r;
    raw_init(&r);
    struct app a = {0};
    struct tcp_conn *c = tcp_connect(r.st, PEER, 80, &a_cb, &a);
    CHECK(c != NULL);
    sim_time t0 = sim_now(r.sim);
    sim_run_until(r.sim, t0 + 100 * SIM_MS);
    struct tcp_hdr h;
    CHECK(h_last(&r, &h, NULL) && h.flags == TCP_SYN);
    CHECK(h.opt.has_mss && h.opt.has_wscale);
    peer_send(&r, 80, tcp_local_port(c), TCP_SYN | TCP_ACK, 9000, h.seq + 1, 8000, NULL, true);
    CHECK_EQ(a.connected, 1);
    /* RFC 6298 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR */
    CHECK(c->srtt > 100 * SIM_MS && c->srtt < 102 * SIM_MS);
    CHECK_EQ(c->rttvar, c->srtt / 2);
    CHECK_EQ(c->rto, c->srtt + 4 * c->rttvar);
    CHECK(!c->ws_ok); /* the SYN-ACK had no window scale */
    CHECK_EQ(c->rcv_shift, 0);
    fx_raw_free(&r);
}

static void test_syn_retries(void)
{
    struct fx_raw r;
    raw_init(&r);
    struct app a = {0};
    tcp_state_of(r.st)->cfg.syn_retries = 2;
    struct tcp_conn *c = tcp_connect(r.st, PEER, 80, &a_cb, &a);
    CHECK(c != NULL);
    sim_run_until(r.sim, 10 * SIM_S);
    CHECK_EQ(h_nsegs(&r), 3); /* 1 s, then 2 s, then 4 s: given up at 7 s */
    CHECK_EQ(a.closed, 1);
    CHECK_EQ(a.why, TCP_REASON_TIMEOUT);
    fx_raw_free(&r);
}

/* ---- two real stacks ---- */

static void test_simultaneous(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 0, 0, -1)) {
        CHECK(0);
        return;
    }
    struct app a = {0}, b = {0};
    /* both sides open at once, each to the other's port */
    struct tcp_conn *ca = tcp_connect_from(t.h1, 5000, IP(10, 2, 0, 20), 6000, &a_cb, &a);
    struct tcp_conn *cb = tcp_connect_from(t.h2, 6000, IP(10, 1, 0, 10), 5000, &a_cb, &b);
    CHECK(ca && cb);
    sim_run_until(t.sim, SIM_S);
    CHECK_EQ(a.connected, 1);
    CHECK_EQ(b.connected, 1);
    CHECK_EQ(tcp_get_state(ca), TCP_ESTABLISHED);
    CHECK_EQ(tcp_get_state(cb), TCP_ESTABLISHED);
    size_t via_synrecv = 0;
    for (size_t i = 0; i < t.log.n; i++)
        if (t.log.s[i].kind == TK_STATE && strstr(t.log.s[i].summary, "SYN-SENT -> SYN-RECEIVED"))
            via_synrecv++;
    CHECK_EQ(via_synrecv, 2);
    tcp_send(ca, "ping", 4);
    sim_run_until(t.sim, 2 * SIM_S);
    CHECK_EQ(b.rx_len, 4);
    /* both close at once: FIN-WAIT-1 -> CLOSING -> TIME-WAIT on each */
    tcp_close(ca);
    tcp_close(cb);
    sim_run_until(t.sim, 3 * SIM_S);
    CHECK_EQ(a.closed, 1);
    CHECK_EQ(b.closed, 1);
    CHECK_EQ(a.why, TCP_REASON_CLOSED);
    size_t closing = 0, tw = 0;
    for (size_t i = 0; i < t.log.n; i++) {
        if (t.log.s[i].kind != TK_STATE) continue;
        if (strstr(t.log.s[i].summary, "FIN-WAIT-1 -> CLOSING")) closing++;
        if (strstr(t.log.s[i].summary, "CLOSING -> TIME-WAIT")) tw++;
    }
    CHECK_EQ(closing, 2);
    CHECK_EQ(tw, 2);
    fx_net3_free(&t);
}

static void test_abort_and_unreachable(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 0, 0, -1)) {
        CHECK(0);
        return;
    }
    struct app srv = {0}, cli = {0};
    tcp_listen(t.h2, 0, 80, a_accept, &srv);
    struct tcp_conn *c = tcp_connect(t.h1, IP(10, 2, 0, 20), 80, &a_cb, &cli);
    sim_run_until(t.sim, SIM_S);
    CHECK_EQ(srv.accepted, 1);
    tcp_abort(c); /* RST; no callback for the one who aborts */
    sim_run_until(t.sim, 2 * SIM_S);
    CHECK_EQ(cli.closed, 0);
    CHECK_EQ(srv.closed, 1);
    CHECK_EQ(srv.why, TCP_REASON_RESET);
    /* a host that does not exist behind r1: ARP fails there, r1 answers
     * host unreachable, and the attempt ends at once */
    struct app u = {0};
    CHECK(tcp_connect(t.h1, IP(10, 2, 0, 99), 80, &a_cb, &u) != NULL);
    sim_run_until(t.sim, 10 * SIM_S);
    CHECK_EQ(u.closed, 1);
    CHECK_EQ(u.why, TCP_REASON_UNREACHABLE);
    CHECK_STR(tcp_reason_str(u.why), "No route to host");
    fx_net3_free(&t);
}

int main(void)
{
    test_closed_port();
    test_passive_and_rst();
    test_rst_syn_received();
    test_rst_each_state();
    test_reassembly();
    test_window_and_probe();
    test_fast_retransmit_and_rto();
    test_rtt_estimate();
    test_syn_retries();
    test_simultaneous();
    test_abort_and_unreachable();
    return check_done();
}
