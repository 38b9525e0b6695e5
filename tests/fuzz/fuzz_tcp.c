/* fuzz_tcp.c - libFuzzer target for TCP's input path on a live stack and for
 * its dissector. The input is a TCP segment (header and data) sent to a
 * host that listens on port 80 and has one established connection (from
 * 10.9.0.2:4000): once as it is, once aimed at the listener, and once at
 * the connection with the sequence and acknowledgement numbers it expects,
 * the checksum made right each time, so the bytes reach the state machine
 * instead of dying at the checksum. The established connection's app
 * sends and closes when it hears from it, so the output path runs too.
 * Every step is formatted (a trace sink listens), so the why sentences run
 * too. Properties: what tcp_parse accepts lies inside the input, and the
 * dissector keeps every field inside the frame. */
#include "fuzz.h"
#include "../unit/fixture.h"
#include "protocols/arp_wire.h"
#include "protocols/dissect.h"
#include "protocols/tcp_priv.h"

#define H    IP(10, 9, 0, 1)
#define PEER IP(10, 9, 0, 2)

static struct tcp_conn *accepted;

static void on_recv(void *ctx, struct tcp_conn *c, const uint8_t *d, size_t n)
{
    (void)ctx;
    tcp_send(c, d, n); /* echo, so data goes out */
    if (n > 3 && d[0] == 'X') tcp_close(c);
    if (n > 3 && d[0] == 'Z') tcp_abort(c);
}
static void on_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)ctx;
    (void)why;
    if (c == accepted) accepted = NULL;
}
static void on_accept(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)ctx;
    (void)l;
    static const struct tcp_callbacks cb = {.recv = on_recv, .closed = on_closed};
    if (!accepted) accepted = c;
    tcp_set_callbacks(c, &cb, NULL);
}

static void send_seg(struct fx_raw *r, uint8_t *seg, size_t n)
{
    if (n >= TCP_HDR_LEN) tcp_checksum_fill(seg, n, PEER, H);
    fx_raw_send(r, fx_raw_ip(r, r->e->mac, H, IP4_PROTO_TCP, 1, seg, (uint32_t)n));
}

static void dissect_as_frame(const uint8_t *data, size_t size)
{
    static const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
    uint8_t frame[ETH_HDR_LEN + IP4_HDR_LEN + 1500];
    size_t n = ETH_HDR_LEN + IP4_HDR_LEN + size;
    struct eth_hdr e = {.type = ETH_TYPE_IPV4};
    memcpy(e.dst, mac, 6);
    memcpy(e.src, mac, 6);
    eth_emit(&e, frame);
    struct ip4_hdr h = {.ihl = 20,
                        .total_len = (uint16_t)(IP4_HDR_LEN + size),
                        .ttl = 64,
                        .proto = IP4_PROTO_TCP,
                        .src = PEER,
                        .dst = H};
    ip4_emit(&h, frame + ETH_HDR_LEN);
    memcpy(frame + ETH_HDR_LEN + IP4_HDR_LEN, data, size);
    struct dissection d;
    dissect_frame(frame, n, &d);
    for (uint32_t i = 0; i < d.n_fields; i++)
        FUZZ_ASSERT(d.fields[i].off + d.fields[i].len <= n);
    dissect_free(&d);
    dissect_summary(frame, n, &d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tcp_hdr th;
    if (tcp_parse(data, size, &th) == TCP_OK)
        FUZZ_ASSERT(th.hlen >= TCP_HDR_LEN && th.hlen <= size);
    if (size > 1400) return 0; /* one frame's worth */
    dissect_as_frame(data, size);

    struct fx_raw r;
    fx_raw_init(&r);
    static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    struct pkt *p = fx_frame(r.sim, bc, r.inj->ifaces[0]->mac, ETH_TYPE_ARP, ARP_LEN, 0);
    struct arp_msg m = {.op = ARP_OP_REQUEST, .spa = PEER, .tpa = H};
    memcpy(m.sha, r.inj->ifaces[0]->mac, 6);
    arp_emit(&m, pkt_data(p) + ETH_HDR_LEN);
    fx_raw_send(&r, p);
    accepted = NULL;
    tcp_listen(r.st, 0, 80, on_accept, NULL);
    /* establish 10.9.0.2:4000 -> 80 by hand */
    uint8_t seg[TCP_HDR_MAX + 1500];
    struct tcp_hdr h = {.sport = 4000, .dport = 80, .seq = 1000, .flags = TCP_SYN, .window = 8000};
    send_seg(&r, seg, tcp_emit(seg, &h));
    struct tcp_conn *c = tcp_lookup(tcp_state_of(r.st), H, 80, PEER, 4000);
    FUZZ_ASSERT(c != NULL);
    h = (struct tcp_hdr){.sport = 4000,
                         .dport = 80,
                         .seq = 1001,
                         .ack = c->iss + 1,
                         .flags = TCP_ACK,
                         .window = 8000};
    send_seg(&r, seg, tcp_emit(seg, &h));
    FUZZ_ASSERT(accepted == c);
    tcp_send(c, "hello", 5);
    sim_run_until(r.sim, sim_now(r.sim) + SIM_MS);

    /* 1: as it is */
    memcpy(seg, data, size);
    fx_raw_send(&r, fx_raw_ip(&r, r.e->mac, H, IP4_PROTO_TCP, 2, seg, (uint32_t)size));
    if (size >= TCP_HDR_LEN) {
        /* 2: to the listener, from a new port */
        memcpy(seg, data, size);
        put_be16(seg + TCP_OFF_SPORT, 4001);
        put_be16(seg + TCP_OFF_DPORT, 80);
        send_seg(&r, seg, size);
        /* 3: to the connection, at the numbers it expects */
        c = tcp_lookup(tcp_state_of(r.st), H, 80, PEER, 4000);
        if (c) {
            memcpy(seg, data, size);
            put_be16(seg + TCP_OFF_SPORT, 4000);
            put_be16(seg + TCP_OFF_DPORT, 80);
            put_be32(seg + TCP_OFF_SEQ, c->rcv_nxt + (data[4] & 3u) * 100u);
            put_be32(seg + TCP_OFF_ACK, c->snd_una + (data[8] & 7u));
            send_seg(&r, seg, size);
        }
    }
    /* timers: retransmissions, delayed ACKs, TIME-WAIT */
    sim_run_until(r.sim, sim_now(r.sim) + 130 * SIM_S);
    fx_raw_free(&r);
    return 0;
}
