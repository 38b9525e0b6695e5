/* echo.c - the echo service (RFC 862). TCP: "Once a connection is
 * established any data received is sent back. This continues until the
 * calling user terminates the connection." UDP: each datagram is answered
 * with one carrying the same data.
 *
 * No state of its own: what cannot be sent back yet stays in TCP. When the
 * send buffer is low, the service stops reading (TCP then holds what
 * arrives and shrinks the window it advertises, down to zero) and reads
 * again once the buffer has drained, so no byte is ever dropped and a
 * client that never reads is slowed by flow control, not by loss. */
#include "echo.h"
#include "tcp.h"
#include "udp.h"

#define ECHO_PORT 7
#define ECHO_ROOM 65536

static void echo_recv(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    (void)ctx;
    tcp_send(c, data, len);
    /* One delivery is at most one segment (< 64 KiB) while reading; keep
     * that much room, else stop reading until everything went out. */
    if (tcp_send_space(c) < ECHO_ROOM) {
        tcp_recv_pause(c, true);
        tcp_want_writable(c);
    }
}

static void echo_writable(void *ctx, struct tcp_conn *c, size_t space)
{
    (void)ctx;
    (void)space;
    /* held data (at most one receive buffer) now fits whole */
    if (tcp_send_queued(c) == 0)
        tcp_recv_pause(c, false);
    else
        tcp_want_writable(c);
}

static void echo_peer_closed(void *ctx, struct tcp_conn *c)
{
    (void)ctx;
    tcp_close(c); /* the client is done: so are we, after the echoes */
}

static void echo_accept(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    static const struct tcp_callbacks cb = {
        .recv = echo_recv, .writable = echo_writable, .peer_closed = echo_peer_closed};
    tcp_set_callbacks(c, &cb, ctx);
}

int echo_tcp_start(struct netstack *st)
{
    return tcp_listen(st, 0, ECHO_PORT, echo_accept, NULL) ? 0 : -1;
}

static void echo_datagram(void *ctx, struct udp_sock *s, const struct udp_meta *m,
                          const uint8_t *data, size_t len)
{
    (void)ctx;
    udp_sendto(s, m->src, m->sport, data, len, NULL);
}

int echo_udp_start(struct netstack *st)
{
    return udp_open(st, 0, ECHO_PORT, echo_datagram, NULL) ? 0 : -1;
}

int echo_start(struct netstack *st)
{
    return echo_tcp_start(st) < 0 || echo_udp_start(st) < 0 ? -1 : 0;
}
