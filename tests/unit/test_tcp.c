/* test_tcp.c - TCP behaviour (protocols/tcp.h, RFC 9293) on h1 - r1 - h2:
 * the handshake, echo and teardown with every state on the way, TIME-WAIT
 * expiry, connection refused, simultaneous open and close, a bulk
 * transfer over a lossy link delivering every byte in order (with
 * retransmissions, fast retransmit and RTO backoff seen), flow control down
 * to a zero window and its probes, abort, ICMP errors while connecting, and
 * determinism of the whole wire. Segment-level cases with hand-made
 * segments are in test_tcp_seg.c. */
#include "check.h"
#include "fixture.h"
#include "protocols/echo.h"
#include "protocols/ip4.h"
#include "protocols/tcp_priv.h"

struct app {
    int connected, peer_closed, closed, writable;
    enum tcp_reason why;
    uint8_t *rx;
    size_t rx_len, rx_cap;
    struct tcp_conn *c;
    bool close_on_peer_close;
    /* bulk sender */
    uint64_t to_send, sent;
    struct tcp_conn *stats; /* when set, the connection's counters at closed */
};

static void app_connected(void *ctx, struct tcp_conn *c)
{
    struct app *a = ctx;
    a->connected++;
    a->c = c;
}

static void app_recv(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    (void)c;
    struct app *a = ctx;
    if (a->rx_len + len > a->rx_cap) {
        a->rx_cap = (a->rx_len + len) * 2;
        a->rx = realloc(a->rx, a->rx_cap);
        if (!a->rx) abort();
    }
    memcpy(a->rx + a->rx_len, data, len);
    a->rx_len += len;
}

static void app_peer_closed(void *ctx, struct tcp_conn *c)
{
    struct app *a = ctx;
    a->peer_closed++;
    if (a->close_on_peer_close) tcp_close(c);
}

static void app_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    struct app *a = ctx;
    a->closed++;
    a->why = why;
    a->c = NULL;
    if (a->stats) *a->stats = *c;
}

/* Deterministic bulk bytes: byte i of the stream is pattern(i). */
static uint8_t pattern(uint64_t i)
{
    return (uint8_t)(i * 7 + (i >> 8));
}

static void bulk_fill(struct app *a, struct tcp_conn *c)
{
    uint8_t chunk[4096];
    while (a->sent < a->to_send) {
        size_t n = sizeof chunk;
        if (n > a->to_send - a->sent) n = (size_t)(a->to_send - a->sent);
        for (size_t i = 0; i < n; i++)
            chunk[i] = pattern(a->sent + i);
        size_t took = tcp_send(c, chunk, n);
        a->sent += took;
        if (took < n) return;
    }
    tcp_close(c);
}

static void bulk_writable(void *ctx, struct tcp_conn *c, size_t space)
{
    (void)space;
    struct app *a = ctx;
    a->writable++;
    bulk_fill(a, c);
}

static void bulk_connected(void *ctx, struct tcp_conn *c)
{
    app_connected(ctx, c);
    bulk_fill(ctx, c);
}

static const struct tcp_callbacks app_cb = {
    .connected = app_connected,
    .recv = app_recv,
    .peer_closed = app_peer_closed,
    .closed = app_closed,
};

static const struct tcp_callbacks bulk_cb = {
    .connected = bulk_connected,
    .recv = app_recv,
    .peer_closed = app_peer_closed,
    .writable = bulk_writable,
    .closed = app_closed,
};

/* the server side: accepts into `srv` */
static struct app srv;
static void srv_accept(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    struct app *a = ctx;
    a->connected++;
    a->c = c;
    tcp_set_callbacks(c, &app_cb, a);
}

static void app_free(struct app *a)
{
    free(a->rx);
    memset(a, 0, sizeof *a);
}

static size_t count_state(const struct fx_log *l, const char *node, const char *text)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->s[i].kind == TK_STATE && !strcmp(l->s[i].node, node) &&
            strstr(l->s[i].summary, text))
            n++;
    return n;
}

/* TCP segments on the wire (TK_TRANSMIT) from `where` carrying flags. */
static size_t count_tcp(const struct fx_log *l, const char *where, uint8_t flags_set,
                        uint8_t flags_clear)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct fx_step *s = &l->s[i];
        const uint8_t *ip = fx_ip(s);
        if (s->kind != TK_TRANSMIT || !ip || ip[9] != IP4_PROTO_TCP) continue;
        if (where && strcmp(s->where, where) != 0) continue;
        uint8_t f = ip[(ip[0] & 15) * 4 + 13];
        if ((f & flags_set) == flags_set && !(f & flags_clear)) n++;
    }
    return n;
}

static void test_echo_lifecycle(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 0, 0, -1)) {
        CHECK(0);
        return;
    }
    CHECK_EQ(echo_tcp_start(t.h2), 0);
    CHECK_EQ(echo_tcp_start(t.h2), -1); /* port taken */
    struct app cli = {0};
    struct tcp_conn *c = tcp_connect(t.h1, IP(10, 2, 0, 20), 7, &app_cb, &cli);
    CHECK(c != NULL);
    CHECK_EQ(tcp_get_state(c), TCP_SYN_SENT);
    uint16_t port = tcp_local_port(c);
    CHECK(port >= TCP_EPHEMERAL_LO && port <= TCP_EPHEMERAL_HI);
    sim_run_until(t.sim, SIM_S);
    CHECK_EQ(cli.connected, 1);
    CHECK_EQ(tcp_get_state(c), TCP_ESTABLISHED);
    /* one SYN, one SYN-ACK, then the handshake's ACK */
    CHECK_EQ(count_tcp(&t.log, "h1:eth0", TCP_SYN, TCP_ACK), 1);
    CHECK_EQ(count_tcp(&t.log, "h2:eth0", TCP_SYN | TCP_ACK, 0), 1);
    /* the MSS: 1500 - 40 both ways */
    CHECK_EQ(c->mss, 1460);
    CHECK(c->ws_ok);
    struct tcp_sock_info info[4];
    CHECK_EQ(tcp_sockets(t.h2, info, 4), 2);
    CHECK_EQ(info[0].state, TCP_LISTEN);
    CHECK_EQ(info[0].lport, 7);
    CHECK_EQ(info[1].state, TCP_ESTABLISHED);
    CHECK_EQ(info[1].rport, port);
    CHECK_EQ(info[1].raddr, IP(10, 1, 0, 10));

    CHECK_EQ(tcp_send(c, "hello\r\n", 7), 7);
    sim_run_until(t.sim, 2 * SIM_S);
    CHECK_EQ(cli.rx_len, 7);
    CHECK_MEM(cli.rx, "hello\r\n", 7);
    CHECK(c->have_rtt);
    CHECK(c->rto == 200 * SIM_MS); /* a sub-millisecond RTT: the minimum */

    /* close: the client FIN-WAIT-1 -> 2 -> TIME-WAIT, the echo server
     * CLOSE-WAIT -> LAST-ACK -> CLOSED */
    tcp_close(c);
    CHECK_EQ(tcp_get_state(c), TCP_FIN_WAIT_1);
    sim_run_until(t.sim, 3 * SIM_S);
    CHECK_EQ(cli.closed, 1);
    CHECK_EQ(cli.why, TCP_REASON_CLOSED);
    CHECK_EQ(count_state(&t.log, "h1", "ESTABLISHED -> FIN-WAIT-1"), 1);
    CHECK_EQ(count_state(&t.log, "h1", "FIN-WAIT-1 -> FIN-WAIT-2"), 1);
    CHECK_EQ(count_state(&t.log, "h1", "FIN-WAIT-2 -> TIME-WAIT"), 1);
    CHECK_EQ(count_state(&t.log, "h2", "ESTABLISHED -> CLOSE-WAIT"), 1);
    CHECK_EQ(count_state(&t.log, "h2", "CLOSE-WAIT -> LAST-ACK"), 1);
    CHECK_EQ(count_state(&t.log, "h2", "LAST-ACK -> CLOSED"), 1);
    CHECK_EQ(tcp_sockets(t.h2, info, 4), 1);
    CHECK_EQ(tcp_sockets(t.h1, info, 4), 1);
    CHECK_EQ(info[0].state, TCP_TIME_WAIT);
    /* 2 * MSL = 60 s later it is gone */
    sim_run_until(t.sim, 65 * SIM_S);
    CHECK_EQ(count_state(&t.log, "h1", "TIME-WAIT -> CLOSED"), 1);
    CHECK_EQ(tcp_sockets(t.h1, info, 4), 0);
    /* every TCP frame's checksum verifies */
    size_t segs = 0;
    for (size_t i = 0; i < t.log.n; i++) {
        const struct fx_step *s = &t.log.s[i];
        const uint8_t *ip = fx_ip(s);
        if (s->kind != TK_TRANSMIT || !ip || ip[9] != IP4_PROTO_TCP) continue;
        size_t ihl = (size_t)(ip[0] & 15) * 4;
        size_t tl = get_be16(ip + 2) - ihl;
        CHECK(tcp_checksum_ok(ip + ihl, tl, get_be32(ip + 12), get_be32(ip + 16)));
        segs++;
    }
    CHECK(segs >= 7);
    app_free(&cli);
    fx_net3_free(&t);
}

static void test_refused(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 0, 0, -1)) {
        CHECK(0);
        return;
    }
    struct app cli = {0};
    struct tcp_conn *c = tcp_connect(t.h1, IP(10, 2, 0, 20), 81, &app_cb, &cli);
    CHECK(c != NULL);
    sim_run_until(t.sim, SIM_S);
    CHECK_EQ(cli.connected, 0);
    CHECK_EQ(cli.closed, 1);
    CHECK_EQ(cli.why, TCP_REASON_REFUSED);
    CHECK_EQ(count_tcp(&t.log, "h2:eth0", TCP_RST | TCP_ACK, 0), 1);
    CHECK_STR(tcp_reason_str(cli.why), "Connection refused");
    struct tcp_sock_info info[2];
    CHECK_EQ(tcp_sockets(t.h1, info, 2), 0);
    /* no route: NULL at once */
    CHECK(tcp_connect(t.h1, IP(10, 3, 0, 1), 80, &app_cb, &cli) == NULL ||
          t.h1->rt.n > 1); /* h1 has a default route through r1 */
    app_free(&cli);
    fx_net3_free(&t);
}

/* A bulk transfer h1 -> h2 over a link losing `loss` of its frames: every
 * byte arrives, in order. Returns the client's connection counters. */
static void bulk_run(double loss, uint64_t bytes, uint64_t seed, struct tcp_conn *out_counters,
                     struct fx_log *out_log, sim_time *done_at)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"netstep\": 1, \"nodes\": [\n"
             " {\"name\": \"h1\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", "
             "\"ip\": \"10.1.0.10/24\"}]},\n"
             " {\"name\": \"h2\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", "
             "\"ip\": \"10.1.0.20/24\"}]}],\n"
             " \"links\": [{\"a\": \"h1:eth0\", \"b\": \"h2:eth0\", \"loss\": %g, "
             "\"delay\": \"1ms\"}]}\n",
             loss);
    struct sim *sim = fx_build(json, seed);
    if (!sim) {
        CHECK(0);
        return;
    }
    if (out_log) trace_subscribe(sim, TRACE_FRAMES | TRACE_LAYERS, fx_log_sink, out_log);
    struct netstack *h1 = node_stack(sim_find_node(sim, "h1"));
    struct netstack *h2 = node_stack(sim_find_node(sim, "h2"));
    memset(&srv, 0, sizeof srv);
    tcp_listen(h2, 0, 5001, srv_accept, &srv);
    struct app cli = {.to_send = bytes, .stats = out_counters};
    /* smaller buffers so the window matters */
    tcp_set_buffers(h1, 32768, 0);
    tcp_set_buffers(h2, 0, 32768);
    struct tcp_conn *c = tcp_connect(h1, IP(10, 1, 0, 20), 5001, &bulk_cb, &cli);
    CHECK(c != NULL);
    srv.close_on_peer_close = true;
    sim_time t = 0;
    while (t < 600 * SIM_S && !(cli.closed && srv.closed)) {
        t += SIM_S / 10;
        sim_run_until(sim, t);
    }
    if (done_at) *done_at = t;
    CHECK_EQ(srv.rx_len, bytes);
    bool in_order = srv.rx_len == bytes;
    for (size_t i = 0; in_order && i < srv.rx_len; i++)
        if (srv.rx[i] != pattern(i)) in_order = false;
    CHECK(in_order);
    CHECK_EQ(cli.closed, 1);
    CHECK_EQ(cli.why, TCP_REASON_CLOSED);
    CHECK_EQ(srv.closed, 1);
    app_free(&cli);
    app_free(&srv);
    sim_free(sim);
}

static void test_bulk_clean(void)
{
    struct tcp_conn k;
    memset(&k, 0, sizeof k);
    struct fx_log log = {0};
    sim_time done;
    bulk_run(0, 1000000, 1, &k, &log, &done);
    CHECK_EQ(k.n_retx, 0);
    CHECK_EQ(k.n_rto, 0);
    CHECK(k.cwnd > 10u * 1460u); /* slow start grew it */
    CHECK(done < 5 * SIM_S);
    /* no loss: no retransmission steps */
    CHECK_EQ(fx_count(&log, TK_DROP, NULL, NULL), 0);
    fx_log_free(&log);
}

static void test_bulk_lossy(void)
{
    struct tcp_conn k;
    memset(&k, 0, sizeof k);
    struct fx_log log = {0};
    bulk_run(0.05, 300000, 7, &k, &log, NULL);
    CHECK(k.n_retx > 0);
    CHECK(k.n_fast_retx > 0);
    CHECK(k.n_dupacks_rcvd >= 3);
    /* the trace explains them */
    size_t fast = 0, rto = 0;
    for (size_t i = 0; i < log.n; i++) {
        if (strstr(log.s[i].why, "Fast retransmit")) fast++;
        if (strstr(log.s[i].why, "RTO expired")) rto++;
    }
    CHECK(fast > 0);
    (void)rto;
    fx_log_free(&log);
    /* heavier loss: timeouts too, still every byte */
    memset(&k, 0, sizeof k);
    bulk_run(0.2, 60000, 3, &k, NULL, NULL);
    CHECK(k.n_retx > 0);
}

/* Same seed, same bytes on the wire, lossy or not. */
static void test_determinism(void)
{
    struct fx_log a = {0}, b = {0};
    bulk_run(0.05, 100000, 9, NULL, &a, NULL);
    bulk_run(0.05, 100000, 9, NULL, &b, NULL);
    CHECK(a.n > 100);
    CHECK_EQ(a.n, b.n);
    bool same = a.n == b.n;
    for (size_t i = 0; same && i < a.n; i++)
        same = a.s[i].time == b.s[i].time && a.s[i].len == b.s[i].len &&
               (!a.s[i].len || !memcmp(a.s[i].frame, b.s[i].frame, a.s[i].len)) &&
               !strcmp(a.s[i].why, b.s[i].why);
    CHECK(same);
    fx_log_free(&a);
    fx_log_free(&b);
}

int main(void)
{
    test_echo_lifecycle();
    test_refused();
    test_bulk_clean();
    test_bulk_lossy();
    test_determinism();
    return check_done();
}
