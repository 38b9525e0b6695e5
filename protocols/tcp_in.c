/* tcp_in.c - a segment arrives for a connection: RFC 9293 3.10.7's "SEGMENT
 * ARRIVES" in its order (sequence check, RST, SYN, ACK, text, FIN), with
 * RFC 5961's RST/SYN sanity, RFC 6298's RTT samples, RFC 5681's congestion
 * control and RFC 6582's NewReno recovery on the ACK path, and the
 * out-of-order queue on the text path. One function per concern, in the
 * spirit of ns-3's tcp-socket-base. */
#include "tcp_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TCP_OOO_MAX 1024 /* out-of-order segments kept per connection */

/* ---- the why of an arriving segment ---- */

static void rcv_why(const struct tcp_conn *c, const struct tcp_hdr *h, uint32_t plen, char *buf,
                    size_t cap)
{
    char a[16];
    uint16_t f = h->flags;
    if (c->state == TCP_CLOSED && c->listener) {
        snprintf(buf, cap,
                 "SYN: %s asks to open a connection to port %u, where a program listens; TCP "
                 "creates a connection in SYN-RECEIVED, notes the client's initial sequence "
                 "number %lu and answers SYN-ACK.",
                 ip4_str(c->raddr, a), c->lport, (unsigned long)h->seq);
    } else if (f & TCP_RST) {
        snprintf(buf, cap,
                 "RST: the peer resets the connection (%s), if the sequence number is the one "
                 "expected.",
                 c->state == TCP_SYN_SENT ? "nothing listens on that port: connection refused"
                                          : "it aborted or does not know the connection");
    } else if (c->state == TCP_SYN_SENT && (f & TCP_SYN)) {
        snprintf(buf, cap,
                 (f & TCP_ACK) ? "SYN-ACK: the server accepts; TCP notes its initial sequence "
                                 "number %lu and answers with the ACK that completes the "
                                 "three-way handshake."
                               : "SYN while our own SYN is out: both sides opened at once (a "
                                 "simultaneous open); TCP notes the peer's sequence number %lu "
                                 "and answers SYN-ACK.",
                 (unsigned long)h->seq);
    } else if (c->state == TCP_SYN_RECEIVED && (f & TCP_ACK) && !plen && !(f & TCP_FIN)) {
        snprintf(buf, cap,
                 "ACK: the client acknowledges our SYN (Ack=%lu), completing the three-way "
                 "handshake: the connection is established.",
                 (unsigned long)h->ack);
    } else if (plen) {
        if (h->seq == c->rcv_nxt)
            snprintf(buf, cap,
                     "%u bytes in order (from byte %lu, the next one expected): TCP hands them "
                     "to the program%s.",
                     plen, (unsigned long)h->seq,
                     (f & TCP_FIN) ? "; the FIN after them says the peer has finished" : "");
        else if (seq_gt(h->seq, c->rcv_nxt))
            snprintf(buf, cap,
                     "%u bytes from byte %lu, but TCP expects byte %lu: a segment before this "
                     "one is missing, so it waits in the out-of-order queue and a duplicate "
                     "ACK tells the sender what is missing.",
                     plen, (unsigned long)h->seq, (unsigned long)c->rcv_nxt);
        else
            snprintf(buf, cap,
                     "%u bytes from byte %lu, at least partly received already (a "
                     "retransmission): only what is new is kept.",
                     plen, (unsigned long)h->seq);
    } else if (f & TCP_FIN) {
        snprintf(buf, cap,
                 "FIN: the peer has no more data to send; TCP acknowledges it (the FIN counts "
                 "as one byte) and tells the program the stream has ended.");
    } else if ((f & TCP_ACK) && c->fin_sent && h->ack == c->fin_seq + 1 &&
               h->ack - c->snd_una == 1) {
        snprintf(buf, cap, "ACK of our FIN: the peer knows this side has finished sending.");
    } else if ((f & TCP_ACK) && seq_gt(h->ack, c->snd_una)) {
        snprintf(buf, cap,
                 "ACK for %lu bytes: they arrived, so they leave the send buffer and the "
                 "window moves on; the peer's window is %u%s.",
                 (unsigned long)(h->ack - c->snd_una), h->window,
                 c->snd_shift ? " (scaled)" : " bytes");
    } else if ((f & TCP_ACK) && h->ack == c->snd_una && c->snd_una != c->snd_max) {
        snprintf(buf, cap,
                 "Duplicate ACK: the peer still waits for byte %lu although later data is out; "
                 "the third one in a row means that byte was lost.",
                 (unsigned long)h->ack);
    } else {
        snprintf(buf, cap, "ACK with nothing new: TCP only notes the window (%u).", h->window);
    }
}

/* ---- small helpers ---- */

static bool killed(const struct tcp_conn *c)
{
    return c->dead;
}

static void take_options(struct tcp_conn *c, const struct tcp_hdr *h)
{
    uint16_t peer = h->opt.has_mss ? h->opt.mss : TCP_DEFAULT_MSS;
    c->mss = peer < c->adv_mss ? peer : c->adv_mss;
    if (c->mss < 64) c->mss = 64;
    /* RFC 7323 2.2: scaling is on only when both SYNs carry the option */
    if (h->opt.has_wscale) {
        c->ws_ok = true;
        c->snd_shift = h->opt.wscale;
    } else {
        c->ws_ok = false;
        c->snd_shift = 0;
        c->rcv_shift = 0;
    }
    /* RFC 6928: up to 10 segments before the first ACK */
    c->cwnd = c->ts->cfg.iw_segments * c->mss;
}

static void rtt_sample(struct tcp_conn *c, sim_time r)
{
    const struct tcp_config *cfg = &c->ts->cfg;
    /* RFC 6298 2.2 and 2.3 */
    if (!c->have_rtt) {
        c->srtt = r;
        c->rttvar = r / 2;
        c->have_rtt = true;
    } else {
        sim_time d = c->srtt > r ? c->srtt - r : r - c->srtt;
        c->rttvar = (3 * c->rttvar + d) / 4;
        c->srtt = (7 * c->srtt + r) / 8;
    }
    sim_time rto = c->srtt + 4 * c->rttvar;
    if (rto < cfg->rto_min) rto = cfg->rto_min; /* 2.4, Linux's 200 ms */
    if (rto > cfg->rto_max) rto = cfg->rto_max;
    c->rto = rto;
}

static void deliver(struct tcp_conn *c, const uint8_t *data, uint32_t len)
{
    if (!len) return;
    if (c->paused || c->rlen) {
        if (!c->rbuf) {
            c->rbuf = malloc(c->rcvbuf);
            if (!c->rbuf) abort();
        }
        uint32_t room = c->rcvbuf - c->rlen;
        if (len > room) len = room; /* cannot happen: the window said so */
        for (uint32_t done = 0; done < len;) {
            uint32_t pos = (c->rhead + c->rlen) % c->rcvbuf;
            uint32_t n = c->rcvbuf - pos;
            if (n > len - done) n = len - done;
            memcpy(c->rbuf + pos, data + done, n);
            c->rlen += n;
            done += n;
        }
        return;
    }
    if (c->cb.recv) c->cb.recv(c->ctx, c, data, len);
}

static void enter_time_wait(struct tcp_conn *c, const char *why)
{
    sim_cancel(c->st->sim, &c->rtx);
    tcp_set_state(c, TCP_TIME_WAIT, why);
    tcp_start_wait(c, 2 * c->ts->cfg.msl);
    tcp_notify_closed(c, TCP_REASON_CLOSED);
}

/* The FIN at rcv_nxt (RFC 9293 3.10.7.4, eighth). */
static void rcv_fin(struct tcp_conn *c)
{
    c->rcv_nxt++;
    c->fin_rcvd = true;
    c->ack_now = true;
    bool our_fin_acked = c->fin_sent && seq_gt(c->snd_una, c->fin_seq);
    switch (c->state) {
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
        tcp_set_state(c, TCP_CLOSE_WAIT,
                      "The peer sent FIN: it will send nothing more. This side may still send; "
                      "it waits for its program to close too.");
        if (c->cb.peer_closed && !c->rlen) c->cb.peer_closed(c->ctx, c);
        break;
    case TCP_FIN_WAIT_1:
        if (our_fin_acked)
            enter_time_wait(c, "The peer's FIN arrived with the ACK of ours: both directions "
                               "are closed. TIME-WAIT lingers 2 * MSL so that a lost last ACK "
                               "can be sent again and old segments die out.");
        else
            tcp_set_state(c, TCP_CLOSING,
                          "The peer's FIN crossed ours (a simultaneous close): TCP "
                          "acknowledges it and waits for the ACK of its own FIN.");
        break;
    case TCP_FIN_WAIT_2:
        sim_cancel(c->st->sim, &c->wait);
        enter_time_wait(c, "The peer's FIN closes the second direction: TIME-WAIT lingers 2 * "
                           "MSL so that a lost last ACK can be sent again and old segments "
                           "of this connection die out.");
        break;
    default:
        break;
    }
}

/* ---- out-of-order queue ---- */

/* Keeps a segment that lies beyond a gap. Returns true when it holds p. */
static bool ooo_insert(struct tcp_conn *c, uint32_t seq, const uint8_t *data, uint32_t len,
                       bool fin, struct pkt *p)
{
    if (c->ooo_n >= TCP_OOO_MAX) return false;
    struct tcp_ooo **at = &c->ooo;
    if (c->ooo_tail && seq_ge(seq, c->ooo_tail->seq + c->ooo_tail->len)) {
        at = &c->ooo_tail->next; /* the usual case: the next one after a loss */
    } else {
        for (; *at; at = &(*at)->next) {
            struct tcp_ooo *o = *at;
            if (seq_le(o->seq, seq) && seq_ge(o->seq + o->len, seq + len) && (o->fin || !fin))
                return false; /* nothing new */
            if (seq_gt(o->seq, seq)) break;
        }
    }
    struct tcp_ooo *o = malloc(sizeof *o);
    if (!o) abort();
    *o = (struct tcp_ooo){.next = *at, .seq = seq, .len = len, .fin = fin, .data = data, .p = p};
    *at = o;
    if (!o->next) c->ooo_tail = o;
    c->ooo_n++;
    return true;
}

/* Delivers what the queue holds from rcv_nxt on, after a gap was filled. */
static void ooo_drain(struct tcp_conn *c)
{
    struct sim *sim = c->st->sim;
    while (c->ooo && seq_le(c->ooo->seq, c->rcv_nxt) && !killed(c)) {
        struct tcp_ooo *o = c->ooo;
        c->ooo = o->next;
        if (!c->ooo) c->ooo_tail = NULL;
        c->ooo_n--;
        uint32_t end = o->seq + o->len;
        bool fin = false;
        if (seq_gt(end, c->rcv_nxt)) {
            uint32_t skip = c->rcv_nxt - o->seq;
            c->rcv_nxt = end;
            deliver(c, o->data + skip, o->len - skip);
        }
        if (o->fin && end == c->rcv_nxt && !killed(c)) fin = true;
        pkt_free(sim, o->p);
        free(o);
        if (fin) {
            rcv_fin(c);
            break;
        }
    }
}

/* ---- text (RFC 9293 3.10.7.4, seventh) ---- */

static void rcv_text(struct tcp_conn *c, uint32_t seq, const uint8_t *data, uint32_t plen, bool fin,
                     struct pkt *p, bool *kept)
{
    /* cut what was received already */
    if (seq_lt(seq, c->rcv_nxt)) {
        uint32_t skip = c->rcv_nxt - seq;
        if (skip > plen) {
            /* even the FIN is old: a retransmission; repeat our ACK */
            c->ack_now = true;
            return;
        }
        data += skip;
        plen -= skip;
        seq = c->rcv_nxt;
    }
    /* and what lies beyond the window we advertised */
    uint32_t edge = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv : c->rcv_nxt;
    if (seq_gt(seq + plen, edge)) {
        plen = seq_gt(edge, seq) ? edge - seq : 0;
        fin = false;
    }
    if (seq != c->rcv_nxt) {
        if (plen || fin) *kept = ooo_insert(c, seq, data, plen, fin, p);
        c->ack_now = true; /* RFC 5681 4.2: a duplicate ACK at once */
        return;
    }
    bool had_ooo = c->ooo != NULL;
    c->rcv_nxt += plen;
    deliver(c, data, plen);
    if (killed(c)) return;
    if (fin) {
        rcv_fin(c);
    } else if (had_ooo) {
        ooo_drain(c);
        c->ack_now = true; /* RFC 5681 4.2: a filled hole is ACKed at once */
    } else if (plen) {
        /* RFC 5681 4.2: at least every second full-sized segment */
        c->unacked += plen;
        if (c->unacked >= 2u * c->mss)
            c->ack_now = true;
        else
            c->ack_delayed = true;
    }
}

/* ---- ACK (RFC 9293 3.10.7.4, fifth) ---- */

static void dup_ack(struct tcp_conn *c, uint32_t ack)
{
    c->dupacks++;
    c->n_dupacks_rcvd++;
    if (c->in_recovery) {
        c->cwnd += c->mss; /* RFC 6582 3.2 step 4: each dup ACK = a segment left */
        return;
    }
    /* RFC 6582 3.2 step 2: not for the duplicates of an earlier recovery */
    if (c->dupacks != 3 || !seq_gt(ack, c->recover)) return;
    uint32_t flight = c->snd_max - c->snd_una;
    c->ssthresh = flight / 2 > 2u * c->mss ? flight / 2 : 2u * c->mss;
    c->recover = c->snd_max;
    c->in_recovery = true;
    c->n_fast_retx++;
    tcp_retransmit_head(c, TOW_FAST_RETX);
    c->cwnd = c->ssthresh + 3u * c->mss;
}

/* Returns false when the segment is to be dropped. */
static bool rcv_ack(struct tcp_conn *c, const struct tcp_hdr *h, uint32_t seq, uint32_t plen)
{
    struct sim *sim = c->st->sim;
    uint32_t ack = h->ack;
    uint32_t ack_max = c->snd_max + (c->probing ? 1 : 0);
    if (seq_gt(ack, ack_max)) {
        c->ack_now = true; /* it acknowledges what we never sent */
        return false;
    }
    if (seq_lt(ack, c->snd_una)) return true; /* an old ACK: ignored */
    uint32_t wnd = (uint32_t)h->window << c->snd_shift;
    bool win_changed = wnd != c->snd_wnd;
    if (seq_lt(c->snd_wl1, seq) || (c->snd_wl1 == seq && seq_le(c->snd_wl2, ack))) {
        c->snd_wnd = wnd;
        c->snd_wl1 = seq;
        c->snd_wl2 = ack;
        if (wnd) {
            sim_cancel(sim, &c->persist);
            c->persist_iv = 0;
        }
    }
    uint32_t acked = ack - c->snd_una;
    if (acked == 0) {
        /* RFC 5681 2: a duplicate carries no data, no SYN/FIN, the same
         * window, while data is outstanding */
        if (plen == 0 && !(h->flags & (TCP_SYN | TCP_FIN)) && c->snd_una != c->snd_max &&
            !win_changed)
            dup_ack(c, ack);
        return true;
    }
    c->probing = false;
    uint32_t drop = ack - c->sbuf_seq;
    if (seq_lt(ack, c->sbuf_seq)) drop = 0;
    if (drop > c->slen) drop = c->slen;
    c->shead = (c->shead + drop) & c->smask;
    c->slen -= drop;
    c->sbuf_seq += drop;
    c->snd_una = ack;
    if (seq_lt(c->snd_nxt, ack)) c->snd_nxt = ack;
    if (seq_gt(ack, c->snd_max)) c->snd_max = ack;
    if (c->timing && seq_ge(ack, c->rtt_seq)) {
        c->timing = false;
        rtt_sample(c, sim_now(sim) - c->rtt_t0);
    } else if (c->have_rtt && c->retries) {
        rtt_sample(c, c->srtt); /* undo the backoff (as Linux does on new ACKs) */
    }
    c->retries = 0;
    uint32_t flight = c->snd_max - c->snd_una;
    if (c->in_recovery) {
        if (seq_ge(ack, c->recover)) {
            /* RFC 6582 3.2 step 3: full ACK, leave recovery */
            uint32_t f = flight > c->mss ? flight : c->mss;
            c->cwnd = c->ssthresh < f + c->mss ? c->ssthresh : f + c->mss;
            c->in_recovery = false;
            c->dupacks = 0;
        } else {
            /* step 5: partial ACK, the next hole */
            tcp_retransmit_head(c, TOW_PARTIAL_ACK);
            c->cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
            if (acked >= c->mss) c->cwnd += c->mss;
            if (c->cwnd < c->mss) c->cwnd = c->mss;
        }
    } else {
        c->dupacks = 0;
        if (c->cwnd < c->ssthresh) {
            c->cwnd += acked < 2u * c->mss ? acked : 2u * c->mss; /* RFC 3465, L = 2 */
        } else {
            c->bytes_acked += acked;
            if (c->bytes_acked >= c->cwnd) {
                c->bytes_acked -= c->cwnd;
                c->cwnd += c->mss;
            }
        }
        if (c->cwnd > (1u << 30)) c->cwnd = 1u << 30;
    }
    /* RFC 6298 5.2, 5.3 */
    if (c->snd_una == c->snd_max)
        sim_cancel(sim, &c->rtx);
    else
        tcp_rto_restart(c);
    if (c->want_writable && c->slen < c->scap && drop) {
        c->want_writable = false;
        if (c->cb.writable) c->cb.writable(c->ctx, c, c->scap - c->slen);
    }
    return !killed(c);
}

/* Our FIN is acknowledged: the states that waited for it move on. */
static void fin_acked(struct tcp_conn *c)
{
    switch (c->state) {
    case TCP_FIN_WAIT_1:
        tcp_set_state(c, TCP_FIN_WAIT_2,
                      "Our FIN is acknowledged: this direction is closed. The peer may still "
                      "send until it closes too.");
        tcp_start_wait(c, c->ts->cfg.fin_timeout);
        break;
    case TCP_CLOSING:
        enter_time_wait(c, "The ACK of our FIN completes the simultaneous close: TIME-WAIT "
                           "lingers 2 * MSL so old segments of this connection die out.");
        break;
    case TCP_LAST_ACK:
        tcp_set_state(c, TCP_CLOSED,
                      "The last ACK arrived: both directions are closed and acknowledged, so "
                      "the connection is gone (the side that closed first keeps TIME-WAIT).");
        tcp_notify_closed(c, TCP_REASON_CLOSED);
        tcp_kill(c);
        break;
    default:
        break;
    }
}

/* ---- the states before synchronization ---- */

static void rcv_listen(struct tcp_conn *c, struct iface *in, const struct tcp_hdr *h)
{
    c->irs = h->seq;
    c->rcv_nxt = h->seq + 1;
    c->rcv_adv = c->rcv_nxt;
    c->adv_mss = (uint16_t)(iface_mtu(in) - 40);
    take_options(c, h);
    c->snd_wnd = h->window; /* never scaled in a SYN */
    c->snd_wl1 = h->seq;
    c->recover = c->iss;
    char why[160], a[16];
    snprintf(why, sizeof why,
             "A SYN from %s:%u reached the listener on port %u: a new connection is half "
             "open.",
             ip4_str(c->raddr, a), c->rport, c->lport);
    tcp_set_state(c, TCP_SYN_RECEIVED, why);
    tcp_xmit(c, c->iss, 0, TCP_SYN, TOW_SYNACK);
    c->snd_nxt = c->snd_max = c->iss + 1;
    c->timing = true;
    c->rtt_seq = c->iss + 1;
    c->rtt_t0 = sim_now(c->st->sim);
    tcp_rto_restart(c);
}

static void rcv_syn_sent(struct tcp_conn *c, const struct tcp_hdr *h)
{
    struct netstack *st = c->st;
    bool has_ack = h->flags & TCP_ACK;
    if (has_ack && (seq_le(h->ack, c->iss) || seq_gt(h->ack, c->snd_max))) {
        if (!(h->flags & TCP_RST)) tcp_send_reset_for(st, c->laddr, c->raddr, h, 0, NULL);
        return;
    }
    if (h->flags & TCP_RST) {
        if (!has_ack) return;
        tcp_set_state(c, TCP_CLOSED,
                      "The SYN was answered with RST: nothing listens on that port (connection "
                      "refused).");
        tcp_notify_closed(c, TCP_REASON_REFUSED);
        tcp_kill(c);
        return;
    }
    if (!(h->flags & TCP_SYN)) return;
    c->irs = h->seq;
    c->rcv_nxt = h->seq + 1;
    c->rcv_adv = c->rcv_nxt;
    take_options(c, h);
    c->recover = c->iss;
    if (has_ack) {
        c->snd_una = h->ack;
        c->snd_wnd = h->window; /* RFC 7323 2.2: not scaled in a SYN */
        c->snd_wl1 = h->seq;
        c->snd_wl2 = h->ack;
        if (c->timing)
            rtt_sample(c, sim_now(st->sim) - c->rtt_t0);
        else
            c->rto = c->ts->cfg.rto_init;
        c->timing = false;
        c->retries = 0;
        sim_cancel(st->sim, &c->rtx);
        tcp_set_state(c, TCP_ESTABLISHED,
                      "The SYN-ACK acknowledges our SYN: the connection is open both ways.");
        tcp_send_ack(c, TOW_HANDSHAKE);
        if (c->cb.connected) c->cb.connected(c->ctx, c);
        return;
    }
    /* RFC 9293 3.10.7.3: a simultaneous open */
    c->snd_wnd = h->window;
    c->snd_wl1 = h->seq;
    c->timing = false;
    tcp_set_state(c, TCP_SYN_RECEIVED,
                  "A SYN arrived while ours was unanswered: a simultaneous open. TCP answers "
                  "with SYN-ACK, repeating its own sequence number.");
    tcp_xmit(c, c->iss, 0, TCP_SYN, TOW_SYNACK);
}

/* SYN-RECEIVED -> ESTABLISHED on an ACK of our SYN. Returns false when the
 * segment goes no further. */
static bool rcv_synrecv_ack(struct tcp_conn *c, const struct tcp_hdr *h, uint32_t seq)
{
    if (!seq_gt(h->ack, c->snd_una) || seq_gt(h->ack, c->snd_max)) {
        tcp_send_reset_for(c->st, c->laddr, c->raddr, h, 0, NULL);
        return false;
    }
    c->snd_una = h->ack;
    c->snd_wnd = (uint32_t)h->window << c->snd_shift;
    c->snd_wl1 = seq;
    c->snd_wl2 = h->ack;
    if (c->timing)
        rtt_sample(c, sim_now(c->st->sim) - c->rtt_t0);
    else if (!c->have_rtt)
        c->rto = c->ts->cfg.rto_init;
    c->timing = false;
    c->retries = 0;
    sim_cancel(c->st->sim, &c->rtx);
    tcp_set_state(c, TCP_ESTABLISHED,
                  "The ACK completes the three-way handshake: both sides know each other's "
                  "sequence numbers, and data may flow both ways.");
    struct tcp_listener *l = c->listener;
    if (l) {
        if (l->n_half_open) l->n_half_open--;
        c->listener = NULL;
        if (l->accept) l->accept(l->ctx, l, c);
    } else if (c->active) {
        if (c->cb.connected) c->cb.connected(c->ctx, c);
    } else {
        tcp_abort(c); /* the listener went away meanwhile */
    }
    return !killed(c);
}

/* ---- RST ---- */

static void rcv_rst(struct tcp_conn *c, uint32_t seq)
{
    /* RFC 5961 3.2: only the exact next sequence number resets */
    if (seq != c->rcv_nxt) {
        tcp_send_ack(c, TOW_CHALLENGE);
        return;
    }
    switch (c->state) {
    case TCP_SYN_RECEIVED:
        if (!c->active) {
            tcp_set_state(c, TCP_CLOSED,
                          "The client reset the half-open connection: it is "
                          "forgotten, and the listener goes on listening.");
            tcp_kill(c);
            return;
        }
        tcp_set_state(c, TCP_CLOSED, "The peer refused the simultaneous open with a RST.");
        tcp_notify_closed(c, TCP_REASON_REFUSED);
        break;
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSE_WAIT:
        tcp_set_state(c, TCP_CLOSED,
                      "The peer reset the connection: everything in flight is thrown away and "
                      "the program is told \"connection reset by peer\".");
        tcp_notify_closed(c, TCP_REASON_RESET);
        break;
    default: /* CLOSING, LAST-ACK, TIME-WAIT */
        tcp_set_state(c, TCP_CLOSED, "A RST ends the closing connection at once.");
        tcp_notify_closed(c, TCP_REASON_CLOSED);
        break;
    }
    tcp_kill(c);
}

/* ---- segment arrives ---- */

static bool seq_acceptable(const struct tcp_conn *c, uint32_t seq, uint32_t seglen)
{
    uint32_t wnd = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    uint32_t nxt = c->rcv_nxt;
    /* RFC 9293 3.10.7.4's four cases; a zero-length segment may sit right
     * at the window's edge (as Linux allows) */
    if (seglen == 0) return seq_ge(seq, nxt) && seq_le(seq, nxt + wnd);
    if (wnd == 0) return false;
    uint32_t last = seq + seglen - 1;
    return (seq_ge(seq, nxt) && seq_lt(seq, nxt + wnd)) ||
           (seq_ge(last, nxt) && seq_lt(last, nxt + wnd));
}

static void finish(struct tcp_conn *c)
{
    if (killed(c)) return;
    tcp_output(c);
    if (c->ack_now) {
        tcp_send_ack(c, c->ooo ? TOW_DUP_ACK : TOW_ACK_NOW);
    } else if (c->ack_delayed && !sim_timer_pending(c->st->sim, c->delack)) {
        c->delack = sim_schedule(c->st->sim, c->ts->cfg.delack, tcp_delack_timer, c, 0);
    }
}

void tcp_conn_input(struct tcp_conn *c, struct iface *in, const struct tcp_hdr *h,
                    const uint8_t *data, uint32_t plen, struct pkt *p, bool *kept)
{
    struct sim *sim = c->st->sim;
    if (trace_on(sim, TRACE_LAYERS)) {
        char info[160], why[600];
        rcv_why(c, h, plen, why, sizeof why);
        stack_step(sim, TRACE_LAYERS, c->st->node, in, 4, TK_DELIVER, p, "TCP", "%s\n%s",
                   tcp_info_str(h, plen, info, sizeof info), why);
    }
    uint16_t f = h->flags;
    if (c->state == TCP_CLOSED) {
        if (c->listener) rcv_listen(c, in, h);
        return;
    }
    if (c->state == TCP_SYN_SENT) {
        rcv_syn_sent(c, h);
        finish(c);
        return;
    }
    uint32_t seq = h->seq;
    if (c->state == TCP_SYN_RECEIVED && (f & TCP_SYN) && seq == c->irs && !(f & TCP_RST)) {
        if (!(f & TCP_ACK)) {
            /* the client's SYN again: our SYN-ACK was lost */
            tcp_xmit(c, c->iss, 0, TCP_SYN, TOW_SYNACK);
            return;
        }
        /* the peer's SYN-ACK in a simultaneous open: its ACK is what counts */
        seq++;
        f &= (uint16_t)~TCP_SYN;
    }
    uint32_t seglen = plen + (f & TCP_SYN ? 1 : 0) + (f & TCP_FIN ? 1 : 0);
    /* first: the sequence number */
    if (!seq_acceptable(c, seq, seglen)) {
        uint32_t wnd = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
        /* RFC 9293 3.10.7.4: with a zero window, still take valid ACKs */
        bool ack_only = wnd == 0 && seq == c->rcv_nxt && (f & TCP_ACK) && !(f & TCP_RST);
        if (!ack_only) {
            if (f & TCP_RST) return;
            if (c->state == TCP_TIME_WAIT && (f & TCP_FIN))
                tcp_start_wait(c, 2 * c->ts->cfg.msl); /* the peer lost our last ACK */
            tcp_send_ack(c, TOW_OUT_OF_WINDOW);
            return;
        }
        if (c->state != TCP_SYN_RECEIVED && rcv_ack(c, h, seq, 0)) {
            if (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT) {
                /* a probe: answered with the (still zero) window */
                if (plen) c->ack_now = true;
            }
        }
        finish(c);
        return;
    }
    /* second: RST */
    if (f & TCP_RST) {
        rcv_rst(c, seq);
        return;
    }
    /* fourth: a SYN on a synchronized connection (RFC 5961 4) */
    if (f & TCP_SYN) {
        tcp_send_ack(c, TOW_CHALLENGE);
        return;
    }
    /* fifth: the ACK */
    if (!(f & TCP_ACK)) return;
    if (c->state == TCP_SYN_RECEIVED && !rcv_synrecv_ack(c, h, seq)) return;
    bool fin_was_acked = c->fin_sent && seq_gt(c->snd_una, c->fin_seq);
    if (!rcv_ack(c, h, seq, plen)) {
        finish(c);
        return;
    }
    if (!fin_was_acked && c->fin_sent && seq_gt(c->snd_una, c->fin_seq)) {
        fin_acked(c);
        if (killed(c)) return;
    }
    /* seventh and eighth: text and FIN */
    switch (c->state) {
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
        if (plen || (f & TCP_FIN)) rcv_text(c, seq, data, plen, f & TCP_FIN, p, kept);
        break;
    case TCP_TIME_WAIT:
        if (f & TCP_FIN) {
            c->ack_now = true;
            tcp_start_wait(c, 2 * c->ts->cfg.msl);
        }
        break;
    default: /* CLOSE-WAIT, CLOSING, LAST-ACK: the peer's FIN came already */
        break;
    }
    finish(c);
}
