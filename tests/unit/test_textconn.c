/* test_textconn.c - the text-protocol connection (protocols/textconn.h) on
 * h1 - r1 - h2: lines cut at CRLF and at a bare LF whatever the segment
 * boundaries, a counted run of raw bytes between lines, an overlong line
 * cut and flagged, a reply far larger than TCP's send buffer delivered
 * whole and in order, a close that waits for the queue, a line without its
 * end delivered at FIN, and an abort from inside a handler. */
#include "check.h"
#include "fixture.h"
#include "protocols/textconn.h"

#define BIG (3u * 1024u * 1024u) /* > the 256 KiB send buffer */

/* ---- the server: commands on port 2525 ---- */

struct srv {
    char lines[16][64];
    size_t lens[16];
    int n_lines, overlong, peer_closed, closed;
    uint8_t raw[16];
    size_t raw_len;
};

static void srv_line(void *ctx, struct text_conn *t, char *line, size_t len)
{
    struct srv *s = ctx;
    if (s->n_lines < 16) {
        snprintf(s->lines[s->n_lines], sizeof s->lines[0], "%s", line);
        s->lens[s->n_lines++] = len;
    }
    if (text_line_overlong(t)) {
        s->overlong++;
        text_line(t, "500 line too long");
    } else if (!strcmp(line, "BIG")) {
        char *buf = malloc(BIG);
        for (size_t i = 0; i < BIG; i++)
            buf[i] = (char)('a' + i % 26);
        text_send(t, buf, BIG);
        free(buf);
        text_line(t, "%s", "");
    } else if (!strncmp(line, "LIT ", 4)) {
        text_expect_bytes(t, (size_t)atoi(line + 4));
        text_line(t, "+ go ahead");
    } else if (!strcmp(line, "QUIT")) {
        text_line(t, "221 bye");
        text_close(t);
    } else if (!strcmp(line, "KILL")) {
        text_abort(t);
        CHECK(1); /* t is gone here; nothing may touch it */
    } else {
        text_line(t, "250 %s", line);
    }
}

static void srv_bytes(void *ctx, struct text_conn *t, const uint8_t *data, size_t len)
{
    (void)t;
    struct srv *s = ctx;
    if (s->raw_len + len <= sizeof s->raw) memcpy(s->raw + s->raw_len, data, len);
    s->raw_len += len;
}

static void srv_peer_closed(void *ctx, struct text_conn *t)
{
    ((struct srv *)ctx)->peer_closed++;
    text_close(t);
}

static void srv_closed(void *ctx, struct text_conn *t, enum tcp_reason why)
{
    (void)t;
    (void)why;
    ((struct srv *)ctx)->closed++;
}

static const struct text_handler srv_h = {
    .line = srv_line, .bytes = srv_bytes, .peer_closed = srv_peer_closed, .closed = srv_closed};

static void srv_accept(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    text_conn_new(c, &srv_h, ctx);
}

/* ---- the client: raw TCP, collecting what comes back ---- */

struct cli {
    uint8_t *rx;
    size_t len, cap;
    int closed;
    enum tcp_reason why;
};

static void cli_recv(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    (void)c;
    struct cli *k = ctx;
    if (k->len + len > k->cap) {
        k->cap = (k->len + len) * 2;
        k->rx = realloc(k->rx, k->cap);
    }
    memcpy(k->rx + k->len, data, len);
    k->len += len;
}

static void cli_peer_closed(void *ctx, struct tcp_conn *c)
{
    (void)ctx;
    tcp_close(c);
}

static void cli_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    struct cli *k = ctx;
    k->closed++;
    k->why = why;
}

static const struct tcp_callbacks cli_cb = {
    .recv = cli_recv, .peer_closed = cli_peer_closed, .closed = cli_closed};

static bool rx_has(const struct cli *k, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= k->len; i++)
        if (!memcmp(k->rx + i, s, n)) return true;
    return false;
}

static void send_str(struct tcp_conn *c, const char *s)
{
    tcp_send(c, s, strlen(s));
}

static void test_lines_and_bytes(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 0, 0, -1)) {
        CHECK(0);
        return;
    }
    struct srv s = {0};
    struct cli k = {0};
    CHECK(tcp_listen(t.h2, 0, 2525, srv_accept, &s) != NULL);
    struct tcp_conn *c = tcp_connect(t.h1, IP(10, 2, 0, 20), 2525, &cli_cb, &k);
    sim_run_until(t.sim, SIM_S);
    /* one command split over two segments, one ended by a bare LF */
    send_str(c, "HEL");
    sim_run_until(t.sim, 2 * SIM_S);
    CHECK_EQ(s.n_lines, 0);
    send_str(c, "LO there\r\nNOOP\n");
    sim_run_until(t.sim, 3 * SIM_S);
    CHECK_EQ(s.n_lines, 2);
    CHECK_STR(s.lines[0], "HELLO there");
    CHECK_EQ(s.lens[0], 11);
    CHECK_STR(s.lines[1], "NOOP");
    CHECK(rx_has(&k, "250 HELLO there\r\n250 NOOP\r\n"));
    /* a literal: 5 raw bytes holding a CRLF, then lines again */
    send_str(c, "LIT 5\r\nab\r\ncNEXT\r\n");
    sim_run_until(t.sim, 4 * SIM_S);
    CHECK_EQ(s.raw_len, 5);
    CHECK_MEM(s.raw, "ab\r\nc", 5);
    CHECK_STR(s.lines[3], "NEXT");
    /* an overlong line is cut and flagged, the next one is whole */
    size_t long_len = TEXT_LINE_MAX + 100;
    char *longl = malloc(long_len + 2);
    memset(longl, 'x', long_len);
    memcpy(longl + long_len, "\r\n", 2);
    tcp_send(c, longl, long_len + 2);
    free(longl);
    send_str(c, "AFTER\r\n");
    sim_run_until(t.sim, 5 * SIM_S);
    CHECK_EQ(s.overlong, 1);
    CHECK_EQ(s.lens[4], TEXT_LINE_MAX);
    CHECK_STR(s.lines[5], "AFTER");
    CHECK(rx_has(&k, "500 line too long\r\n250 AFTER\r\n"));
    /* 3 MiB in one text_send, then QUIT: all of it, in order, then 221, then FIN */
    size_t before = k.len;
    send_str(c, "BIG\r\nQUIT\r\n");
    sim_run_until(t.sim, 20 * SIM_S);
    CHECK_EQ(k.len - before, BIG + 2 + 9);
    bool in_order = true;
    for (size_t i = 0; i < BIG && in_order; i++)
        in_order = k.rx[before + i] == (uint8_t)('a' + i % 26);
    CHECK(in_order);
    CHECK(!memcmp(k.rx + before + BIG, "\r\n221 bye\r\n", 11));
    CHECK_EQ(k.closed, 1);
    CHECK_EQ(k.why, TCP_REASON_CLOSED);
    CHECK_EQ(s.closed, 1);
    free(k.rx);
    fx_net3_free(&t);
}

static void test_fin_and_abort(void)
{
    struct fx_net3 t;
    if (!fx_net3_init(&t, 0, 0, -1)) {
        CHECK(0);
        return;
    }
    struct srv s = {0};
    struct cli k = {0};
    CHECK(tcp_listen(t.h2, 0, 2525, srv_accept, &s) != NULL);
    /* a last line without its end arrives with the FIN */
    struct tcp_conn *c = tcp_connect(t.h1, IP(10, 2, 0, 20), 2525, &cli_cb, &k);
    sim_run_until(t.sim, SIM_S);
    send_str(c, "no end");
    tcp_close(c);
    sim_run_until(t.sim, 3 * SIM_S);
    CHECK_EQ(s.n_lines, 1);
    CHECK_STR(s.lines[0], "no end");
    CHECK_EQ(s.peer_closed, 1);
    CHECK_EQ(s.closed, 1);
    /* KILL: the handler aborts its own connection; the client sees a reset */
    struct srv s2 = {0};
    struct cli k2 = {0};
    CHECK(tcp_listen(t.h2, 0, 2526, srv_accept, &s2) != NULL);
    c = tcp_connect(t.h1, IP(10, 2, 0, 20), 2526, &cli_cb, &k2);
    sim_run_until(t.sim, 4 * SIM_S);
    send_str(c, "KILL\r\nNEVER\r\n");
    sim_run_until(t.sim, 5 * SIM_S);
    CHECK_EQ(s2.n_lines, 1); /* NEVER came in the same segment, after the abort */
    CHECK_EQ(s2.closed, 1);
    CHECK_EQ(k2.closed, 1);
    CHECK_EQ(k2.why, TCP_REASON_RESET);
    free(k.rx);
    free(k2.rx);
    fx_net3_free(&t);
}

int main(void)
{
    test_lines_and_bytes();
    test_fin_and_abort();
    return check_done();
}
