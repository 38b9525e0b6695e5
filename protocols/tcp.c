/* tcp.c - TCP (RFC 9293) sockets: listeners, connections and their tables,
 * the application API, the life cycle of a connection, segments for no
 * connection, and ICMP errors. Segment arrival is in tcp_in.c, departure
 * and the timers that send in tcp_out.c. See tcp.h.
 *
 * Choices the RFCs leave open:
 * - RTO (RFC 6298): initial 1 s; minimum 200 ms as Linux (TCP_RTO_MIN), not
 *   the RFC's 1 s, so a lost segment in a classroom scenario costs what it
 *   costs on a real host; maximum 120 s; doubled on every expiry; SRTT and
 *   RTTVAR with the RFC's 1/8 and 1/4 gains; one segment timed at a time
 *   and never a retransmitted one (Karn). A new acknowledgement undoes the
 *   backoff. SYNs are retried 6 times, SYN-ACKs 5, data 15 (Linux's
 *   tcp_syn_retries, tcp_synack_retries, tcp_retries2), then the
 *   connection is given up ("Connection timed out").
 * - Delayed ACKs (RFC 1122 4.2.3.2, RFC 5681 4.2): every second full-sized
 *   segment is acknowledged at once, a lone one after 40 ms (Linux's
 *   minimum delayed-ACK time); out-of-order data, a filled hole and a FIN
 *   are acknowledged at once.
 * - Congestion control: initial window 10 segments (RFC 6928), slow start
 *   counting acknowledged bytes (at most 2 segments per ACK, RFC 3465),
 *   congestion avoidance by byte counting, fast retransmit on the third
 *   duplicate ACK and NewReno recovery (RFC 6582).
 * - MSS: the outgoing interface's MTU - 40; Window Scale offered in every
 *   SYN with the smallest shift that fits the receive buffer; no SACK, no
 *   timestamps. Send and receive buffers 256 KiB.
 * - TIME-WAIT lasts 2 * MSL = 60 s (Linux's TCP_TIMEWAIT_LEN; MSL 30 s).
 *   An orphaned FIN-WAIT-2 ends after 60 s (Linux's tcp_fin_timeout).
 * - ISNs come from the node's seeded RNG; ephemeral ports start at a
 *   random point in 32768-60999 and walk up to a free one.
 * - Segments are not sent with DF: IPv4 fragments them if a link on the way
 *   has a smaller MTU (no path-MTU discovery).
 * - RST sanity per RFC 5961: a RST must carry exactly the expected sequence
 *   number; an in-window one earns a challenge ACK, as does a SYN on a
 *   synchronized connection.
 *
 * Connections are found by a hash of the 4-tuple (a chain per bucket, in
 * insertion order) and listed in creation order for `ss`: nothing
 * observable depends on pointer values. A connection that reaches CLOSED
 * inside a callback or while a segment is being processed is freed only
 * when the outermost TCP call returns (tcp_enter/tcp_leave), so no caller
 * up the stack is left holding a dangling pointer. */
#include "tcp_priv.h"
#include "icmp.h"
#include "ip4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TCP_DEFAULT_BUF (256u * 1024u)

/* ---- names ---- */

const char *tcp_state_name(enum tcp_state_id s)
{
    static const char *const names[] = {
        "CLOSED",     "LISTEN",     "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
        "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING",  "LAST-ACK",     "TIME-WAIT",
    };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

const char *tcp_state_ss_name(enum tcp_state_id s)
{
    static const char *const names[] = {
        "CLOSED",     "LISTEN",     "SYN-SENT", "SYN-RECV", "ESTAB",     "FIN-WAIT-1",
        "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING",  "LAST-ACK", "TIME-WAIT",
    };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "UNKNOWN";
}

const char *tcp_reason_str(enum tcp_reason r)
{
    switch (r) {
    case TCP_REASON_CLOSED:
        return "Connection closed";
    case TCP_REASON_RESET:
        return "Connection reset by peer";
    case TCP_REASON_REFUSED:
        return "Connection refused";
    case TCP_REASON_TIMEOUT:
        return "Connection timed out";
    case TCP_REASON_UNREACHABLE:
        return "No route to host";
    case TCP_REASON_NO_ROUTE:
        return "Network is unreachable";
    }
    return "?";
}

/* ---- per-node state ---- */

struct tcp_state *tcp_state_of(struct netstack *st)
{
    if (st->tcp) return st->tcp;
    struct tcp_state *ts = calloc(1, sizeof *ts);
    if (!ts) abort();
    ts->st = st;
    ts->cfg = (struct tcp_config){
        .rto_init = SIM_S,
        .rto_min = 200 * SIM_MS,
        .rto_max = 120 * SIM_S,
        .delack = 40 * SIM_MS,
        .msl = 30 * SIM_S,
        .fin_timeout = 60 * SIM_S,
        .persist_max = 60 * SIM_S,
        .syn_retries = 6,
        .synack_retries = 5,
        .retries = 15,
        .iw_segments = 10,
        .backlog = 128,
    };
    ts->sndbuf = TCP_DEFAULT_BUF;
    ts->rcvbuf = TCP_DEFAULT_BUF;
    ts->hash_cap = 64;
    ts->hash = calloc(ts->hash_cap, sizeof *ts->hash);
    if (!ts->hash) abort();
    st->tcp = ts;
    return ts;
}

void tcp_set_buffers(struct netstack *st, uint32_t sndbuf, uint32_t rcvbuf)
{
    struct tcp_state *ts = tcp_state_of(st);
    if (sndbuf) ts->sndbuf = sndbuf < 1024 ? 1024 : sndbuf;
    if (rcvbuf) ts->rcvbuf = rcvbuf < 1024 ? 1024 : rcvbuf;
}

static void conn_free(struct tcp_conn *c)
{
    struct sim *sim = c->st->sim;
    for (struct tcp_ooo *o = c->ooo, *n; o; o = n) {
        n = o->next;
        pkt_free(sim, o->p);
        free(o);
    }
    free(c->sbuf);
    free(c->rbuf);
    free(c);
}

static void tcp_flush_pending(struct tcp_state *ts)
{
    while (ts->pending) {
        struct tcp_conn *c = ts->pending;
        ts->pending = c->pnext;
        c->pnext = NULL;
        c->on_pending = false;
        if (c->state != TCP_CLOSED) tcp_output(c);
    }
}

void tcp_enter(struct tcp_state *ts)
{
    ts->depth++;
}

void tcp_leave(struct tcp_state *ts)
{
    if (ts->depth > 1) {
        ts->depth--;
        return;
    }
    /* Outermost: send what the callbacks queued, then free the dead. */
    tcp_flush_pending(ts);
    ts->depth--;
    while (ts->grave) {
        struct tcp_conn *c = ts->grave;
        ts->grave = c->next;
        conn_free(c);
    }
}

static void tcp_flush_event(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct tcp_state *ts = ctx;
    ts->flush = (struct sim_timer){0, 0};
    tcp_enter(ts);
    tcp_leave(ts);
}

void tcp_want_output(struct tcp_conn *c)
{
    struct tcp_state *ts = c->ts;
    if (!c->on_pending) {
        c->on_pending = true;
        c->pnext = ts->pending;
        ts->pending = c;
    }
    /* Outside any TCP call (a shell timer, a UDP callback), the segments
     * leave at the end of the current event, so that several tcp_send
     * calls make full segments. */
    if (ts->depth == 0 && !sim_timer_pending(ts->st->sim, ts->flush))
        ts->flush = sim_schedule(ts->st->sim, 0, tcp_flush_event, ts, 0);
}

/* ---- tables ---- */

static uint32_t tuple_hash(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
    uint64_t k = (uint64_t)laddr * 0x9e3779b97f4a7c15ull ^ (uint64_t)raddr * 0xc2b2ae3d27d4eb4full ^
                 ((uint64_t)lport << 16 | rport) * 0x165667b19e3779f9ull;
    k ^= k >> 29;
    return (uint32_t)(k ^ k >> 32);
}

static struct tcp_conn **bucket(const struct tcp_state *ts, uint32_t laddr, uint16_t lport,
                                uint32_t raddr, uint16_t rport)
{
    return &ts->hash[tuple_hash(laddr, lport, raddr, rport) & (ts->hash_cap - 1)];
}

struct tcp_conn *tcp_lookup(const struct tcp_state *ts, uint32_t laddr, uint16_t lport,
                            uint32_t raddr, uint16_t rport)
{
    for (struct tcp_conn *c = *bucket(ts, laddr, lport, raddr, rport); c; c = c->hnext)
        if (c->lport == lport && c->rport == rport && c->laddr == laddr && c->raddr == raddr)
            return c;
    return NULL;
}

static void hash_insert(struct tcp_state *ts, struct tcp_conn *c)
{
    /* appended, so a chain keeps insertion order */
    struct tcp_conn **b = bucket(ts, c->laddr, c->lport, c->raddr, c->rport);
    while (*b)
        b = &(*b)->hnext;
    *b = c;
    c->hnext = NULL;
}

static void hash_grow(struct tcp_state *ts)
{
    uint32_t cap = ts->hash_cap * 2;
    struct tcp_conn **h = calloc(cap, sizeof *h);
    if (!h) abort();
    free(ts->hash);
    ts->hash = h;
    ts->hash_cap = cap;
    for (struct tcp_conn *c = ts->head; c; c = c->next)
        hash_insert(ts, c);
}

static void hash_remove(struct tcp_state *ts, struct tcp_conn *c)
{
    for (struct tcp_conn **b = bucket(ts, c->laddr, c->lport, c->raddr, c->rport); *b;
         b = &(*b)->hnext)
        if (*b == c) {
            *b = c->hnext;
            return;
        }
}

struct tcp_listener *tcp_find_listener(const struct tcp_state *ts, uint32_t addr, uint16_t port)
{
    struct tcp_listener *any = NULL;
    for (uint32_t i = 0; i < ts->n_ls; i++) {
        struct tcp_listener *l = ts->ls[i];
        if (l->port != port) continue;
        if (l->addr == addr) return l;
        if (l->addr == 0 && !any) any = l;
    }
    return any;
}

static bool port_used(const struct tcp_state *ts, uint16_t port)
{
    for (uint32_t i = 0; i < ts->n_ls; i++)
        if (ts->ls[i]->port == port) return true;
    for (const struct tcp_conn *c = ts->head; c; c = c->next)
        if (c->lport == port) return true;
    return false;
}

static uint32_t pow2_at_least(uint32_t n)
{
    uint32_t p = 1024;
    while (p < n)
        p <<= 1;
    return p;
}

struct tcp_conn *tcp_conn_new(struct tcp_state *ts, uint32_t laddr, uint16_t lport, uint32_t raddr,
                              uint16_t rport)
{
    struct tcp_conn *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->ts = ts;
    c->st = ts->st;
    c->laddr = laddr;
    c->lport = lport;
    c->raddr = raddr;
    c->rport = rport;
    c->scap = pow2_at_least(ts->sndbuf);
    c->smask = c->scap - 1;
    c->sbuf = malloc(c->scap);
    c->rcvbuf = ts->rcvbuf;
    if (!c->sbuf) abort();
    c->rto = ts->cfg.rto_init;
    c->ssthresh = UINT32_MAX / 2;
    /* RFC 7323 2.3: the smallest shift that lets the field say the whole
     * buffer */
    while (c->rcv_shift < TCP_WSCALE_MAX && (c->rcvbuf >> c->rcv_shift) > 0xffff)
        c->rcv_shift++;
    /* RFC 9293 3.4.1: a new connection's first sequence number should not
     * be predictable; the node's seeded RNG keeps runs reproducible. */
    c->iss = (uint32_t)rng_next(&ts->st->node->rng);
    c->snd_una = c->snd_nxt = c->snd_max = c->iss;
    c->sbuf_seq = c->iss + 1;
    if (ts->n_conns + 1 > ts->hash_cap) hash_grow(ts);
    hash_insert(ts, c);
    c->prev = ts->tail;
    if (ts->tail)
        ts->tail->next = c;
    else
        ts->head = c;
    ts->tail = c;
    ts->n_conns++;
    return c;
}

uint16_t tcp_mss_for(struct netstack *st, uint32_t dst)
{
    const struct route *r = route_lookup(&st->rt, dst);
    uint32_t mtu = r ? iface_mtu(r->ifc) : 1500;
    if (stack_is_local(st, dst)) mtu = 1500;
    if (mtu < 40 + 8) mtu = 48;
    uint32_t mss = mtu - 40;
    return (uint16_t)(mss > 0xffff ? 0xffff : mss);
}

uint32_t tcp_rcv_window(const struct tcp_conn *c)
{
    uint32_t w = c->rcvbuf - c->rlen;
    uint32_t cap = (uint32_t)0xffff << c->rcv_shift;
    return w > cap ? cap : w;
}

/* ---- life cycle ---- */

void tcp_set_state(struct tcp_conn *c, enum tcp_state_id s, const char *why)
{
    struct sim *sim = c->st->sim;
    enum tcp_state_id old = c->state;
    c->state = s;
    if (trace_on(sim, TRACE_LAYERS)) {
        char a[16], b[16];
        stack_step(sim, TRACE_LAYERS, c->st->node, NULL, 4, TK_STATE, NULL, "TCP",
                   "%s:%u %s:%u %s -> %s\n%s", ip4_str(c->laddr, a), c->lport, ip4_str(c->raddr, b),
                   c->rport, tcp_state_name(old), tcp_state_name(s), why);
    }
}

void tcp_notify_closed(struct tcp_conn *c, enum tcp_reason r)
{
    if (c->detached) return;
    c->detached = true;
    if (c->app_known && c->cb.closed) c->cb.closed(c->ctx, c, r);
}

void tcp_kill(struct tcp_conn *c)
{
    struct tcp_state *ts = c->ts;
    struct sim *sim = c->st->sim;
    if (c->dead) return;
    c->dead = true;
    sim_cancel(sim, &c->rtx);
    sim_cancel(sim, &c->persist);
    sim_cancel(sim, &c->delack);
    sim_cancel(sim, &c->wait);
    if (c->listener && c->listener->n_half_open) c->listener->n_half_open--;
    c->listener = NULL;
    c->state = TCP_CLOSED;
    c->detached = true;
    hash_remove(ts, c);
    if (c->prev)
        c->prev->next = c->next;
    else
        ts->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        ts->tail = c->prev;
    ts->n_conns--;
    c->prev = NULL;
    c->next = ts->grave;
    ts->grave = c;
    /* freed in tcp_leave: make sure one runs */
    if (ts->depth == 0) {
        tcp_enter(ts);
        tcp_leave(ts);
    }
}

static void tcp_wait_timer(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct tcp_conn *c = ctx;
    c->wait = (struct sim_timer){0, 0};
    tcp_enter(c->ts);
    if (c->state == TCP_TIME_WAIT) {
        tcp_set_state(c, TCP_CLOSED,
                      "TIME-WAIT is over: for 2 * MSL no old segment of this connection can "
                      "still be in the network, so the connection is forgotten and its port pair "
                      "may be used again.");
    } else {
        (void)sim;
        tcp_set_state(c, TCP_CLOSED,
                      "The peer never sent its FIN: an orphaned FIN-WAIT-2 connection is given "
                      "up after 60 s, as Linux does (tcp_fin_timeout).");
        tcp_notify_closed(c, TCP_REASON_CLOSED);
    }
    tcp_kill(c);
    tcp_leave(c->ts);
}

void tcp_start_wait(struct tcp_conn *c, sim_time t)
{
    struct sim *sim = c->st->sim;
    sim_cancel(sim, &c->wait);
    c->wait = sim_schedule(sim, t, tcp_wait_timer, c, 0);
}

/* ---- the API ---- */

struct tcp_listener *tcp_listen(struct netstack *st, uint32_t addr, uint16_t port,
                                tcp_accept_fn accept, void *ctx)
{
    struct tcp_state *ts = tcp_state_of(st);
    if (port == 0) return NULL;
    for (uint32_t i = 0; i < ts->n_ls; i++)
        if (ts->ls[i]->port == port && (ts->ls[i]->addr == addr || !addr || !ts->ls[i]->addr))
            return NULL;
    if (ts->n_ls == ts->cap_ls) {
        ts->cap_ls = ts->cap_ls ? ts->cap_ls * 2 : 4;
        struct tcp_listener **a = realloc(ts->ls, ts->cap_ls * sizeof *a);
        if (!a) abort();
        ts->ls = a;
    }
    struct tcp_listener *l = calloc(1, sizeof *l);
    if (!l) abort();
    *l = (struct tcp_listener){.ts = ts, .addr = addr, .port = port, .accept = accept, .ctx = ctx};
    ts->ls[ts->n_ls++] = l;
    if (trace_on(st->sim, TRACE_LAYERS)) {
        char a[16];
        stack_step(st->sim, TRACE_LAYERS, st->node, NULL, 4, TK_STATE, NULL, "TCP",
                   "%s:%u CLOSED -> LISTEN\nA server program opened TCP port %u: from now on a "
                   "SYN to this port is answered with SYN-ACK instead of RST.",
                   ip4_str(addr, a), port, port);
    }
    return l;
}

void tcp_unlisten(struct tcp_listener *l)
{
    if (!l) return;
    struct tcp_state *ts = l->ts;
    for (struct tcp_conn *c = ts->head; c; c = c->next)
        if (c->listener == l) c->listener = NULL;
    for (uint32_t i = 0; i < ts->n_ls; i++)
        if (ts->ls[i] == l) {
            memmove(&ts->ls[i], &ts->ls[i + 1], (ts->n_ls - i - 1) * sizeof ts->ls[0]);
            ts->n_ls--;
            break;
        }
    free(l);
}

uint16_t tcp_listener_port(const struct tcp_listener *l)
{
    return l->port;
}

struct tcp_conn *tcp_connect_from(struct netstack *st, uint16_t port, uint32_t dst, uint16_t dport,
                                  const struct tcp_callbacks *cb, void *ctx)
{
    struct tcp_state *ts = tcp_state_of(st);
    uint32_t src = stack_source_addr(st, dst);
    if (!src || dport == 0) return NULL;
    if (port == 0) {
        /* Linux picks a random port in ip_local_port_range and walks on
         * from there; the node's own RNG keeps it deterministic. */
        uint32_t span = TCP_EPHEMERAL_HI - TCP_EPHEMERAL_LO + 1;
        uint32_t start = (uint32_t)rng_below(&st->node->rng, span);
        for (uint32_t i = 0; i < span && !port; i++) {
            uint16_t cand = (uint16_t)(TCP_EPHEMERAL_LO + (start + i) % span);
            if (!port_used(ts, cand)) port = cand;
        }
        if (!port) return NULL;
    } else if (tcp_lookup(ts, src, port, dst, dport)) {
        return NULL;
    }
    tcp_enter(ts);
    struct tcp_conn *c = tcp_conn_new(ts, src, port, dst, dport);
    c->active = true;
    c->app_known = true;
    if (cb) c->cb = *cb;
    c->ctx = ctx;
    c->adv_mss = tcp_mss_for(st, dst);
    c->mss = c->adv_mss;
    char a[16], why[200];
    snprintf(why, sizeof why,
             "A program asked to connect to %s:%u: TCP picks the free local port %u, sends a SYN "
             "and waits for the answer.",
             ip4_str(dst, a), dport, port);
    tcp_set_state(c, TCP_SYN_SENT, why);
    c->recover = c->iss;
    tcp_xmit(c, c->iss, 0, TCP_SYN, TOW_SYN);
    c->snd_nxt = c->snd_max = c->iss + 1;
    c->timing = true; /* the handshake gives the first RTT sample */
    c->rtt_seq = c->iss + 1;
    c->rtt_t0 = sim_now(st->sim);
    tcp_rto_restart(c);
    tcp_leave(ts);
    return c;
}

struct tcp_conn *tcp_connect(struct netstack *st, uint32_t dst, uint16_t dport,
                             const struct tcp_callbacks *cb, void *ctx)
{
    return tcp_connect_from(st, 0, dst, dport, cb, ctx);
}

void tcp_set_callbacks(struct tcp_conn *c, const struct tcp_callbacks *cb, void *ctx)
{
    c->cb = cb ? *cb : (struct tcp_callbacks){0};
    c->ctx = ctx;
    c->app_known = true;
}

size_t tcp_send_space(const struct tcp_conn *c)
{
    return c->scap - c->slen;
}

size_t tcp_send(struct tcp_conn *c, const void *data, size_t len)
{
    switch (c->state) {
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
        break;
    default:
        return 0;
    }
    if (c->app_closed) return 0;
    size_t space = c->scap - c->slen;
    if (len > space) {
        len = space;
        c->want_writable = true;
    }
    if (len == 0) return 0;
    uint32_t tail = (c->shead + c->slen) & c->smask;
    size_t first = c->scap - tail;
    if (first > len) first = len;
    memcpy(c->sbuf + tail, data, first);
    if (len > first) memcpy(c->sbuf, (const uint8_t *)data + first, len - first);
    c->slen += (uint32_t)len;
    tcp_want_output(c);
    return len;
}

void tcp_want_writable(struct tcp_conn *c)
{
    c->want_writable = true;
}

void tcp_close(struct tcp_conn *c)
{
    if (c->app_closed) return;
    struct tcp_state *ts = c->ts;
    tcp_enter(ts);
    c->app_closed = true;
    switch (c->state) {
    case TCP_SYN_SENT:
        /* RFC 9293 3.10.4: nothing was sent the peer needs to hear about */
        tcp_set_state(c, TCP_CLOSED,
                      "The program closed the connection before the handshake "
                      "finished, so TCP simply forgets it.");
        tcp_kill(c);
        break;
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
        tcp_set_state(c, TCP_FIN_WAIT_1,
                      "The program closed its side: TCP sends a FIN after the data still "
                      "queued, and waits for it to be acknowledged.");
        tcp_want_output(c);
        break;
    case TCP_CLOSE_WAIT:
        tcp_set_state(c, TCP_LAST_ACK,
                      "The peer had already finished, and now the program closed its side "
                      "too: TCP sends its own FIN and waits for the last ACK.");
        tcp_want_output(c);
        break;
    default:
        break;
    }
    tcp_leave(ts);
}

void tcp_abort(struct tcp_conn *c)
{
    struct tcp_state *ts = c->ts;
    if (c->state == TCP_CLOSED) return;
    tcp_enter(ts);
    switch (c->state) {
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSE_WAIT:
        /* RFC 9293 3.10.5: ABORT sends a reset */
        tcp_xmit(c, c->snd_max, 0, TCP_RST | TCP_ACK, TOW_RST_ABORT);
        break;
    default:
        break;
    }
    c->detached = true;
    tcp_set_state(c, TCP_CLOSED,
                  "The program aborted the connection: TCP sends a RST (if the peer knows of "
                  "it) and drops everything it held, sent or not.");
    tcp_kill(c);
    tcp_leave(ts);
}

void tcp_recv_pause(struct tcp_conn *c, bool paused)
{
    if (c->paused == paused) return;
    struct tcp_state *ts = c->ts;
    tcp_enter(ts);
    c->paused = paused;
    if (!paused) {
        uint32_t old_wnd = tcp_rcv_window(c);
        while (c->rlen && !c->paused && c->state != TCP_CLOSED) {
            uint32_t n = c->rcvbuf - c->rhead;
            if (n > c->rlen) n = c->rlen;
            /* copy out first: the callback may pause again or abort */
            uint8_t *chunk = malloc(n);
            if (!chunk) abort();
            memcpy(chunk, c->rbuf + c->rhead, n);
            c->rhead = (c->rhead + n) % c->rcvbuf;
            c->rlen -= n;
            if (c->cb.recv) c->cb.recv(c->ctx, c, chunk, n);
            free(chunk);
        }
        if (c->state != TCP_CLOSED && c->fin_rcvd && !c->rlen && c->cb.peer_closed &&
            c->state == TCP_CLOSE_WAIT)
            c->cb.peer_closed(c->ctx, c);
        /* RFC 9293 3.8.6.2.2: tell the sender the window opened, when it
         * opened by a useful amount */
        if (c->state != TCP_CLOSED && c->state >= TCP_ESTABLISHED &&
            tcp_rcv_window(c) >= old_wnd + c->mss)
            tcp_send_ack(c, TOW_WINDOW_UPDATE);
    }
    tcp_leave(ts);
}

enum tcp_state_id tcp_get_state(const struct tcp_conn *c)
{
    return c->state;
}
uint32_t tcp_local_addr(const struct tcp_conn *c)
{
    return c->laddr;
}
uint32_t tcp_remote_addr(const struct tcp_conn *c)
{
    return c->raddr;
}
uint16_t tcp_local_port(const struct tcp_conn *c)
{
    return c->lport;
}
uint16_t tcp_remote_port(const struct tcp_conn *c)
{
    return c->rport;
}
uint32_t tcp_send_seq0(const struct tcp_conn *c)
{
    return c->iss + 1;
}
uint32_t tcp_recv_seq0(const struct tcp_conn *c)
{
    return c->irs + 1;
}
struct netstack *tcp_conn_stack(const struct tcp_conn *c)
{
    return c->st;
}
size_t tcp_send_queued(const struct tcp_conn *c)
{
    return c->slen;
}
size_t tcp_recv_queued(const struct tcp_conn *c)
{
    return c->rlen;
}

size_t tcp_sockets(const struct netstack *st, struct tcp_sock_info *out, size_t max)
{
    const struct tcp_state *ts = st->tcp;
    if (!ts) return 0;
    size_t n = 0;
    for (uint32_t i = 0; i < ts->n_ls; i++, n++)
        if (n < max)
            out[n] = (struct tcp_sock_info){.state = TCP_LISTEN,
                                            .laddr = ts->ls[i]->addr,
                                            .lport = ts->ls[i]->port,
                                            .recv_q = 0,
                                            .send_q = ts->cfg.backlog};
    for (const struct tcp_conn *c = ts->head; c; c = c->next, n++)
        if (n < max)
            out[n] = (struct tcp_sock_info){.state = c->state,
                                            .laddr = c->laddr,
                                            .raddr = c->raddr,
                                            .lport = c->lport,
                                            .rport = c->rport,
                                            .recv_q = c->rlen,
                                            .send_q = c->slen};
    return n;
}

/* ---- segments from IPv4 ---- */

void tcp_input(struct netstack *st, struct iface *in, struct pkt *p)
{
    struct sim *sim = st->sim;
    const uint8_t *ip = p->buf + p->l3;
    uint32_t src = get_be32(ip + IP4_OFF_SRC), dst = get_be32(ip + IP4_OFF_DST);
    const uint8_t *seg = pkt_data(p);
    struct tcp_hdr h;
    int rc = tcp_parse(seg, p->len, &h);
    if (rc != TCP_OK) {
        DROP_STEP(sim, st->node, in, 4, TK_DROP, p, "TCP",
                  "invalid TCP segment\n%s, so it is "
                  "discarded without an answer.",
                  rc == TCP_ERR_SHORT  ? "The segment is shorter than a TCP header"
                  : rc == TCP_ERR_HLEN ? "The data offset points outside the segment"
                                       : "An option is cut short or has a wrong length");
        pkt_free(sim, p);
        return;
    }
    if (!tcp_checksum_ok(seg, p->len, src, dst)) {
        DROP_STEP(sim, st->node, in, 4, TK_DROP, p, "TCP",
                  "bad TCP checksum\nThe checksum over the segment and the IP addresses does not "
                  "match (0x%04x), so the segment was damaged on the way and is dropped; the "
                  "sender will retransmit it.",
                  h.checksum);
        pkt_free(sim, p);
        return;
    }
    p->l4 = p->head;
    p->l7 = p->head + h.hlen;
    uint32_t plen = p->len - h.hlen;
    const uint8_t *data = seg + h.hlen;
    struct tcp_state *ts = tcp_state_of(st);
    bool kept = false;
    tcp_enter(ts);
    struct tcp_conn *c = tcp_lookup(ts, dst, h.dport, src, h.sport);
    char a[16], info[160];
    if (c) {
        tcp_conn_input(c, in, &h, data, plen, p, &kept);
        goto out;
    }
    struct tcp_listener *l = tcp_find_listener(ts, dst, h.dport);
    if (l && (h.flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN && stack_is_local(st, dst)) {
        if (l->n_half_open >= ts->cfg.backlog) {
            DROP_STEP(sim, st->node, in, 4, TK_DROP, p, "TCP",
                      "SYN queue full\nPort %u already has %u connections half open, its "
                      "backlog: the SYN is dropped, and the client will try again.",
                      h.dport, l->n_half_open);
            goto out;
        }
        c = tcp_conn_new(ts, dst, h.dport, src, h.sport);
        c->listener = l;
        l->n_half_open++;
        tcp_conn_input(c, in, &h, data, plen, p, &kept);
        goto out;
    }
    /* RFC 9293 3.10.7.1: CLOSED. A reset answers anything but a reset. */
    if (h.flags & TCP_RST) {
        STEP(sim, st->node, in, 4, TK_DROP, p, "TCP",
             "%s\nA reset for a connection this node does not have is ignored (a reset is "
             "never answered).",
             tcp_info_str(&h, plen, info, sizeof info));
        goto out;
    }
    DROP_STEP(sim, st->node, in, 4, TK_DROP, p, "TCP",
              "port %u closed\nNo program listens on TCP port %u here and no connection "
              "matches, so TCP answers %s with a reset (RST): \"connection refused\".",
              h.dport, h.dport, ip4_str(src, a));
    tcp_send_reset_for(st, dst, src, &h, plen, p);
out:
    tcp_leave(ts);
    if (!kept) pkt_free(sim, p);
}

bool tcp_icmp_error(struct netstack *st, uint32_t from, uint8_t type, uint8_t code,
                    const uint8_t *quoted, size_t len, const struct pkt *icmp_pkt)
{
    (void)from;
    (void)icmp_pkt;
    struct ip4_hdr h;
    if (!st->tcp || ip4_read_header(quoted, len, &h) != IP4_OK || len < (size_t)h.ihl + 8u ||
        h.proto != IP4_PROTO_TCP)
        return false;
    const uint8_t *t = quoted + h.ihl;
    struct tcp_state *ts = st->tcp;
    struct tcp_conn *c =
        tcp_lookup(ts, h.src, get_be16(t + TCP_OFF_SPORT), h.dst, get_be16(t + TCP_OFF_DPORT));
    if (!c) return false;
    /* RFC 5927 4.1: believe only an error quoting a sequence number in
     * flight */
    uint32_t seq = get_be32(t + TCP_OFF_SEQ);
    if (seq_lt(seq, c->snd_una) || seq_ge(seq, c->snd_max)) return false;
    enum tcp_reason r = TCP_REASON_UNREACHABLE;
    if (type == ICMP_DEST_UNREACH && (code == ICMP_PORT_UNREACH || code == ICMP_PROTO_UNREACH))
        r = TCP_REASON_REFUSED;
    tcp_enter(ts);
    if (type == ICMP_DEST_UNREACH && (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED)) {
        /* Linux gives up a connection in progress at the first
         * unreachable (RFC 1122 4.2.3.9 allows either) */
        tcp_set_state(c, TCP_CLOSED,
                      "An ICMP destination unreachable answered our SYN: the host cannot be "
                      "reached, so the connection attempt ends now rather than after every "
                      "retry.");
        tcp_notify_closed(c, r);
        tcp_kill(c);
    } else {
        /* RFC 1122 4.2.3.9: a soft error, remembered for if we give up */
        c->soft_err = r;
        c->has_soft_err = true;
    }
    tcp_leave(ts);
    return true;
}

void tcp_free(struct netstack *st)
{
    struct tcp_state *ts = st->tcp;
    if (!ts) return;
    struct sim *sim = st->sim;
    sim_cancel(sim, &ts->flush);
    for (struct tcp_conn *c = ts->head, *n; c; c = n) {
        n = c->next;
        sim_cancel(sim, &c->rtx);
        sim_cancel(sim, &c->persist);
        sim_cancel(sim, &c->delack);
        sim_cancel(sim, &c->wait);
        conn_free(c);
    }
    for (struct tcp_conn *c = ts->grave, *n; c; c = n) {
        n = c->next;
        conn_free(c);
    }
    for (uint32_t i = 0; i < ts->n_ls; i++)
        free(ts->ls[i]);
    free(ts->ls);
    free(ts->hash);
    free(ts);
    st->tcp = NULL;
}
