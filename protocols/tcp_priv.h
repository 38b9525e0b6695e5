/* tcp_priv.h - what tcp.c (sockets, timers, life cycle), tcp_in.c (segment
 * arrival) and tcp_out.c (segment departure) share: the connection record,
 * the per-node TCP state and the tunables. Tests include it to shorten
 * timers and look at counters; applications use tcp.h only. */
#ifndef NETSTEP_TCP_PRIV_H
#define NETSTEP_TCP_PRIV_H

#include "tcp.h"

/* Tunables, per node; tcp_state_of fills the defaults (see tcp.c). */
struct tcp_config {
    sim_time rto_init, rto_min, rto_max;
    sim_time delack;      /* delayed-ACK timer */
    sim_time msl;         /* TIME-WAIT lasts 2 * msl */
    sim_time fin_timeout; /* an orphaned FIN-WAIT-2 gives up after this */
    sim_time persist_max; /* zero-window probe interval cap */
    int syn_retries, synack_retries, retries;
    uint32_t iw_segments; /* initial congestion window, in segments */
    uint32_t backlog;     /* half-open connections per listener */
};

/* A segment that arrived ahead of a gap, kept (with its packet) until the
 * gap is filled. */
struct tcp_ooo {
    struct tcp_ooo *next;
    uint32_t seq, len;
    bool fin;
    const uint8_t *data;
    struct pkt *p;
};

/* What a segment leaving says about itself (the *why* of its trace step). */
enum tcp_out_why {
    TOW_SYN,
    TOW_SYNACK,
    TOW_ACK,       /* pure ACK of received data */
    TOW_ACK_NOW,   /* an ACK that cannot wait: out of order, FIN, hole filled */
    TOW_DELACK,    /* the delayed-ACK timer fired */
    TOW_DUP_ACK,   /* a segment out of order: repeat what we expect */
    TOW_HANDSHAKE, /* the third segment of the handshake */
    TOW_DATA,
    TOW_FIN,
    TOW_RTO,         /* retransmission after a timeout */
    TOW_RESEND,      /* go-back-N after a timeout: the rest, again */
    TOW_FAST_RETX,   /* after three duplicate ACKs */
    TOW_PARTIAL_ACK, /* NewReno: the next hole after a partial ACK */
    TOW_PROBE,       /* zero-window probe */
    TOW_WINDOW_UPDATE,
    TOW_CHALLENGE, /* RFC 5961 challenge ACK */
    TOW_OUT_OF_WINDOW,
    TOW_RST_ABORT,
};

struct tcp_state;

struct tcp_listener {
    struct tcp_state *ts;
    uint32_t addr;
    uint16_t port;
    tcp_accept_fn accept;
    void *ctx;
    uint32_t n_half_open;
};

struct tcp_conn {
    struct tcp_state *ts;
    struct netstack *st;
    struct tcp_conn *hnext;       /* hash chain */
    struct tcp_conn *prev, *next; /* every connection, in creation order */
    struct tcp_conn *pnext;       /* pending-output list */
    bool on_pending;
    bool dead;                     /* killed: in the graveyard */
    struct tcp_listener *listener; /* passive opens, until accepted */
    enum tcp_state_id state;
    uint32_t laddr, raddr;
    uint16_t lport, rport;
    bool active; /* we sent the first SYN */

    /* the application's side */
    struct tcp_callbacks cb;
    void *ctx;
    bool app_known;  /* accepted or connected through the API */
    bool detached;   /* closed callback ran, or tcp_abort */
    bool app_closed; /* tcp_close: FIN queued */
    bool want_writable;

    /* send side (RFC 9293 3.3.1) */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
    uint8_t snd_shift, rcv_shift; /* window scale, 0 unless both sent it */
    bool ws_ok;
    uint16_t mss;     /* the most we send per segment */
    uint16_t adv_mss; /* what we told the peer */
    uint8_t *sbuf;    /* ring; byte at sequence number s is at
                         sbuf[(shead + (s - sbuf_seq)) & smask] */
    uint32_t scap, smask, shead, slen;
    uint32_t sbuf_seq; /* sequence number of sbuf[shead] */
    bool fin_sent;     /* FIN has been sent at least once (at fin_seq) */
    bool probing;      /* a zero-window probe byte (at snd_max) is out */
    uint32_t fin_seq;

    /* receive side */
    uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: right edge last advertised */
    uint32_t rcvbuf;
    uint8_t *rbuf; /* ring of rcvbuf bytes, for data held while paused */
    uint32_t rhead, rlen;
    bool paused, fin_rcvd;
    struct tcp_ooo *ooo, *ooo_tail;
    uint32_t ooo_n;

    /* acknowledgements */
    uint32_t unacked; /* bytes received since our last ACK */
    bool ack_now, ack_delayed;

    /* timers */
    struct sim_timer rtx, persist, delack, wait; /* wait: TIME-WAIT, FIN-WAIT-2 */
    int retries;
    sim_time persist_iv;

    /* round-trip time (RFC 6298) */
    sim_time srtt, rttvar, rto;
    sim_time rto_expired; /* the RTO that just ran out (for the why) */
    bool have_rtt, timing;
    uint32_t rtt_seq;
    sim_time rtt_t0;

    /* congestion control (RFC 5681, RFC 6582) */
    uint32_t cwnd, ssthresh, dupacks, recover, bytes_acked;
    bool in_recovery;

    enum tcp_reason soft_err; /* an ICMP error seen while retrying */
    bool has_soft_err;

    /* counters for tests and `ss -i`-style curiosity */
    uint32_t n_retx, n_fast_retx, n_rto, n_probes, n_dupacks_rcvd;
};

struct tcp_state {
    struct netstack *st;
    struct tcp_config cfg;
    struct tcp_listener **ls;
    uint32_t n_ls, cap_ls;
    struct tcp_conn *head, *tail; /* creation order */
    uint32_t n_conns;
    struct tcp_conn **hash;
    uint32_t hash_cap;      /* power of two */
    struct tcp_conn *grave; /* dead, freed when the outermost call ends */
    struct tcp_conn *pending;
    struct sim_timer flush;
    int depth;
    uint32_t sndbuf, rcvbuf;
};

/* The node's TCP state, created on first use. */
struct tcp_state *tcp_state_of(struct netstack *st);

/* tcp.c: life cycle */
void tcp_enter(struct tcp_state *ts);
void tcp_leave(struct tcp_state *ts);
struct tcp_conn *tcp_lookup(const struct tcp_state *ts, uint32_t laddr, uint16_t lport,
                            uint32_t raddr, uint16_t rport);
struct tcp_listener *tcp_find_listener(const struct tcp_state *ts, uint32_t addr, uint16_t port);
struct tcp_conn *tcp_conn_new(struct tcp_state *ts, uint32_t laddr, uint16_t lport, uint32_t raddr,
                              uint16_t rport);
void tcp_set_state(struct tcp_conn *c, enum tcp_state_id s, const char *why);
/* Tells the app (once) and detaches it. */
void tcp_notify_closed(struct tcp_conn *c, enum tcp_reason r);
/* CLOSED: timers off, out of the tables, freed when the call ends. */
void tcp_kill(struct tcp_conn *c);
void tcp_want_output(struct tcp_conn *c);
void tcp_start_wait(struct tcp_conn *c, sim_time t);
/* Our MSS towards dst: the outgoing interface's MTU - 40. */
uint16_t tcp_mss_for(struct netstack *st, uint32_t dst);
uint32_t tcp_rcv_window(const struct tcp_conn *c);

/* tcp_out.c */
/* Sends one segment: seq, len bytes of buffered data from seq, flags (ACK
 * is added once synchronized). Returns 0 or a negative ip4_out_err. */
int tcp_xmit(struct tcp_conn *c, uint32_t seq, uint32_t len, uint16_t flags, enum tcp_out_why w);
/* Sends whatever the windows allow. */
void tcp_output(struct tcp_conn *c);
/* Resends the first unacknowledged segment (RTO, fast retransmit). */
void tcp_retransmit_head(struct tcp_conn *c, enum tcp_out_why w);
void tcp_send_ack(struct tcp_conn *c, enum tcp_out_why w);
/* A reset for a segment nobody wants (RFC 9293 3.10.7.1). */
void tcp_send_reset_for(struct netstack *st, uint32_t src, uint32_t dst, const struct tcp_hdr *h,
                        size_t plen, const struct pkt *p);
void tcp_rto_restart(struct tcp_conn *c);
void tcp_rtx_timer(struct sim *sim, void *ctx, uint64_t arg);
void tcp_persist_timer(struct sim *sim, void *ctx, uint64_t arg);
void tcp_delack_timer(struct sim *sim, void *ctx, uint64_t arg);
static inline uint32_t tcp_data_end(const struct tcp_conn *c)
{
    return c->sbuf_seq + c->slen;
}

/* tcp_in.c */
void tcp_conn_input(struct tcp_conn *c, struct iface *in, const struct tcp_hdr *h,
                    const uint8_t *data, uint32_t plen, struct pkt *p, bool *kept);

#endif
