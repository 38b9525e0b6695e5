/* tcp.h - TCP (RFC 9293): reliable byte streams for the applications on a
 * node, through an event-driven socket API.
 *
 * What runs underneath: the whole state machine (LISTEN ... TIME-WAIT,
 * simultaneous open and close), random initial sequence numbers from the
 * node's seeded RNG, MSS and Window Scale options, a sliding window that
 * honours the peer's advertised window, retransmission per RFC 6298,
 * fast retransmit and NewReno fast recovery (RFC 5681, RFC 6582), buffering
 * and reassembly of out-of-order segments, delayed ACKs, zero-window probes,
 * RSTs for segments no socket wants. Every decision is a trace step that
 * says why. The choices the RFCs leave open are listed
 * in tcp.c's opening comment.
 *
 * The API, for servers (HTTP, FTP, SMTP, echo...) and clients (telnet,
 * curl...):
 *
 *   tcp_listen(st, addr, port, accept_cb, ctx) opens a listener; accept_cb
 *   runs for every connection once its handshake completes, and sets that
 *   connection's callbacks with tcp_set_callbacks.
 *   tcp_connect(st, dst, dport, &callbacks, ctx) starts an active open.
 *
 *   Callbacks (any may be NULL), all with the ctx given:
 *     connected  the handshake completed (active opens only; accepted
 *                connections are handed to accept_cb instead);
 *     recv       in-order data (the bytes are valid only during the call);
 *     peer_closed the peer sent FIN: no more data will come (it may still
 *                read what we send, until we tcp_close);
 *     writable   acknowledged data freed send-buffer space (called after
 *                every ACK that frees some while the app has asked for it
 *                by filling the buffer, i.e. tcp_send accepted less than
 *                offered, or through tcp_want_writable);
 *     closed     the connection is over for the app, with a reason: both
 *                sides closed (TIME-WAIT or CLOSED follows inside the
 *                stack, visible in `ss`), or a reset, refusal, timeout or
 *                ICMP error. Called exactly once per connection the app
 *                knows, except after tcp_abort; afterwards the conn pointer
 *                is no longer the app's.
 *
 *   tcp_send copies into the send buffer (a ring: the only per-byte work
 *   besides the copy into each segment) and returns how many bytes it took;
 *   segments leave once the current event ends, so several tcp_send calls
 *   in one callback make full-sized segments. tcp_close sends FIN after the
 *   buffered data (a half-close: recv still delivers what the peer sends);
 *   tcp_abort sends RST and forgets the connection at once.
 *
 * Callbacks run inside the simulation; they may call any of these
 * functions, including tcp_close and tcp_abort on the connection being
 * served. */
#ifndef NETSTEP_TCP_H
#define NETSTEP_TCP_H

#include "stack.h"
#include "tcp_wire.h"

#define TCP_EPHEMERAL_LO 32768 /* Linux's ip_local_port_range */
#define TCP_EPHEMERAL_HI 60999

enum tcp_state_id {
    TCP_CLOSED,
    TCP_LISTEN,
    TCP_SYN_SENT,
    TCP_SYN_RECEIVED,
    TCP_ESTABLISHED,
    TCP_FIN_WAIT_1,
    TCP_FIN_WAIT_2,
    TCP_CLOSE_WAIT,
    TCP_CLOSING,
    TCP_LAST_ACK,
    TCP_TIME_WAIT,
};

/* Why a connection ended for the app. */
enum tcp_reason {
    TCP_REASON_CLOSED,      /* both sides sent FIN: the normal end */
    TCP_REASON_RESET,       /* the peer sent RST: "Connection reset by peer" */
    TCP_REASON_REFUSED,     /* RST in answer to our SYN: "Connection refused" */
    TCP_REASON_TIMEOUT,     /* retransmissions exhausted: "Connection timed out" */
    TCP_REASON_UNREACHABLE, /* ICMP host/net unreachable: "No route to host" */
    TCP_REASON_NO_ROUTE,    /* no route when connecting: "Network is unreachable" */
};

struct tcp_conn;
struct tcp_listener;

struct tcp_callbacks {
    void (*connected)(void *ctx, struct tcp_conn *c);
    void (*recv)(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len);
    void (*peer_closed)(void *ctx, struct tcp_conn *c);
    void (*writable)(void *ctx, struct tcp_conn *c, size_t space);
    void (*closed)(void *ctx, struct tcp_conn *c, enum tcp_reason why);
};

/* A new connection on a listener, established. Set its callbacks with
 * tcp_set_callbacks (else its data is dropped and it is not told anything),
 * or tcp_abort / tcp_close it. */
typedef void (*tcp_accept_fn)(void *ctx, struct tcp_listener *l, struct tcp_conn *c);

/* Listens on addr:port (addr 0 = every address of the node). NULL when the
 * port is taken by another listener. */
struct tcp_listener *tcp_listen(struct netstack *st, uint32_t addr, uint16_t port,
                                tcp_accept_fn accept, void *ctx);
/* Stops listening; established connections live on. */
void tcp_unlisten(struct tcp_listener *l);
uint16_t tcp_listener_port(const struct tcp_listener *l);

/* Starts connecting to dst:dport from an ephemeral port (chosen from the
 * node's RNG, deterministic). Returns NULL when no route leads to dst or
 * no port is free; otherwise the SYN leaves at once and the outcome comes
 * through cb->connected or cb->closed. */
struct tcp_conn *tcp_connect(struct netstack *st, uint32_t dst, uint16_t dport,
                             const struct tcp_callbacks *cb, void *ctx);
/* The same from a given local port (FTP's active mode connects from port
 * 20). NULL when that port pair is in use. */
struct tcp_conn *tcp_connect_from(struct netstack *st, uint16_t sport, uint32_t dst, uint16_t dport,
                                  const struct tcp_callbacks *cb, void *ctx);
void tcp_set_callbacks(struct tcp_conn *c, const struct tcp_callbacks *cb, void *ctx);

/* Queues up to len bytes; returns how many fit in the send buffer (0 when
 * full, or when the connection no longer sends: after tcp_close, or not
 * yet/no longer synchronized... data given during SYN-SENT is kept and sent
 * once established). */
size_t tcp_send(struct tcp_conn *c, const void *data, size_t len);
/* Free space in the send buffer. */
size_t tcp_send_space(const struct tcp_conn *c);
/* Asks for a writable callback on the next ACK that frees space. */
void tcp_want_writable(struct tcp_conn *c);
/* Graceful close: FIN after the buffered data. */
void tcp_close(struct tcp_conn *c);
/* Abortive close: RST (unless not yet synchronized), the connection is
 * freed at once and no callback follows. */
void tcp_abort(struct tcp_conn *c);
/* The app stops reading: arriving data is kept in the receive buffer and
 * the advertised window shrinks, down to zero. Resuming delivers what was
 * kept and opens the window again (a window update is sent). */
void tcp_recv_pause(struct tcp_conn *c, bool paused);

/* Sizes for connections opened from now on (bytes; 0 = leave). The send
 * buffer is rounded up to a power of two. Defaults: 256 KiB each. */
void tcp_set_buffers(struct netstack *st, uint32_t sndbuf, uint32_t rcvbuf);

enum tcp_state_id tcp_get_state(const struct tcp_conn *c);
uint32_t tcp_local_addr(const struct tcp_conn *c);
uint32_t tcp_remote_addr(const struct tcp_conn *c);
uint16_t tcp_local_port(const struct tcp_conn *c);
uint16_t tcp_remote_port(const struct tcp_conn *c);
/* Sequence numbers of the first data byte each way (ISS + 1, IRS + 1),
 * once synchronized: where a stream offset lies on the wire (the TLS key
 * log maps its records to segments with them). */
uint32_t tcp_send_seq0(const struct tcp_conn *c);
uint32_t tcp_recv_seq0(const struct tcp_conn *c);
/* The node's stack the connection belongs to. */
struct netstack *tcp_conn_stack(const struct tcp_conn *c);
/* Bytes sent but not yet acknowledged, plus bytes not yet sent. */
size_t tcp_send_queued(const struct tcp_conn *c);
/* Bytes received but held while the app paused reading. */
size_t tcp_recv_queued(const struct tcp_conn *c);

/* RFC 9293 names: "ESTABLISHED", "TIME-WAIT", ... */
const char *tcp_state_name(enum tcp_state_id s);
/* Linux's `ss` names: "ESTAB", "SYN-RECV", "TIME-WAIT", ... */
const char *tcp_state_ss_name(enum tcp_state_id s);
/* strerror's words: "Connection refused", ... */
const char *tcp_reason_str(enum tcp_reason r);

/* One socket as `ss` shows it. */
struct tcp_sock_info {
    enum tcp_state_id state;
    uint32_t laddr, raddr;
    uint16_t lport, rport;
    uint32_t recv_q, send_q;
};
/* Listeners first (in the order opened), then connections (in the order
 * created). Returns how many there are; fills up to max of them. */
size_t tcp_sockets(const struct netstack *st, struct tcp_sock_info *out, size_t max);

/* From IPv4 (p starts at the TCP header, p->l3 set). Takes ownership. */
void tcp_input(struct netstack *st, struct iface *in, struct pkt *p);
/* From ICMP: an error quoting a TCP segment this node sent (`quoted` starts
 * at the quoted IP header). Returns true when a connection took it. */
bool tcp_icmp_error(struct netstack *st, uint32_t from, uint8_t type, uint8_t code,
                    const uint8_t *quoted, size_t len, const struct pkt *icmp_pkt);
void tcp_free(struct netstack *st);

#endif
