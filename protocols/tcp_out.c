/* tcp_out.c - segments leaving: building a segment from the send buffer,
 * deciding how much the windows allow (RFC 9293 3.8.6, RFC 5681), the
 * retransmission timer (RFC 6298), zero-window probes (RFC 9293 3.8.6.1),
 * delayed ACKs and resets for segments no connection wants. See tcp.c for
 * the choices made. */
#include "tcp_priv.h"
#include "ip4.h"

#include <stdio.h>
#include <string.h>

/* "1.0 s", "200 ms", "0.65 ms": a duration for a why sentence. */
static const char *fmt_dur(sim_time t, char *buf, size_t cap)
{
    if (t >= SIM_S)
        snprintf(buf, cap, "%.1f s", (double)t / SIM_S);
    else
        snprintf(buf, cap, "%.3g ms", (double)t / SIM_MS);
    return buf;
}

static void xmit_why(const struct tcp_conn *c, const struct tcp_hdr *h, uint32_t len,
                     enum tcp_out_why w, char *buf, size_t cap)
{
    char d1[24], d2[24];
    switch (w) {
    case TOW_SYN:
        snprintf(buf, cap,
                 "SYN: the client asks to open a connection, choosing its own random initial "
                 "sequence number %lu; it offers MSS %u (its link's MTU minus 40 bytes of IP and "
                 "TCP headers) and a window scale of %u.",
                 (unsigned long)h->seq, h->opt.mss, 1u << h->opt.wscale);
        break;
    case TOW_SYNACK:
        snprintf(buf, cap,
                 "SYN-ACK: the %s accepts, choosing its own initial sequence number %lu and "
                 "acknowledging the SYN with Ack=%lu (its sequence number + 1: a SYN counts as "
                 "one byte); it announces MSS %u.",
                 c->active ? "other side (a simultaneous open)" : "server", (unsigned long)h->seq,
                 (unsigned long)h->ack, h->opt.mss);
        break;
    case TOW_HANDSHAKE:
        snprintf(buf, cap,
                 "ACK: the third segment of the three-way handshake acknowledges the server's "
                 "SYN (Ack=%lu); both sides now know each other's sequence numbers and the "
                 "connection is ESTABLISHED.",
                 (unsigned long)h->ack);
        break;
    case TOW_ACK:
        snprintf(buf, cap,
                 "ACK: everything up to byte %lu arrived; the window says %u more bytes may "
                 "come.",
                 (unsigned long)h->ack, tcp_rcv_window(c));
        break;
    case TOW_ACK_NOW:
        snprintf(buf, cap,
                 "ACK at once: data out of order, a hole just filled or a FIN must not wait for "
                 "the delayed-ACK timer; everything up to byte %lu is here.",
                 (unsigned long)h->ack);
        break;
    case TOW_DELACK:
        snprintf(buf, cap,
                 "Delayed ACK: nothing went back for %s after data arrived, so TCP sends a "
                 "pure ACK (it waits in case a reply could carry the ACK for free).",
                 fmt_dur(c->ts->cfg.delack, d1, sizeof d1));
        break;
    case TOW_DUP_ACK:
        snprintf(buf, cap,
                 "Duplicate ACK: the segment that arrived is beyond a gap, so TCP keeps it and "
                 "says again that it still waits for byte %lu; three such duplicates tell the "
                 "sender to retransmit at once.",
                 (unsigned long)h->ack);
        break;
    case TOW_DATA:
        snprintf(buf, cap,
                 "%u bytes of data, numbered from %lu; the receiver's window and the congestion "
                 "window (%u bytes) allow them to leave now%s.",
                 len, (unsigned long)h->seq, c->cwnd,
                 h->flags & TCP_FIN ? ", and FIN says there will be no more" : "");
        break;
    case TOW_FIN:
        snprintf(buf, cap,
                 "FIN: this side has no more data to send; the FIN takes one sequence number "
                 "(%lu) and must be acknowledged like data.",
                 (unsigned long)h->seq);
        break;
    case TOW_RTO:
        if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED)
            snprintf(buf, cap,
                     "No answer for %s: the retransmission timer expired, so the %s is sent "
                     "again and the timer doubled to %s.",
                     fmt_dur(c->rto_expired, d1, sizeof d1),
                     c->state == TCP_SYN_SENT ? "SYN" : "SYN-ACK", fmt_dur(c->rto, d2, sizeof d2));
        else
            snprintf(buf, cap,
                     "No ACK for %s: RTO expired, sending byte %lu again and doubling the timer "
                     "to %s (RFC 6298); the congestion window falls back to one segment (RFC "
                     "5681), as a timeout suggests heavy loss.",
                     fmt_dur(c->rto_expired, d1, sizeof d1), (unsigned long)h->seq,
                     fmt_dur(c->rto, d2, sizeof d2));
        break;
    case TOW_RESEND:
        snprintf(buf, cap,
                 "Sent again: after the timeout TCP goes back to the first unacknowledged byte "
                 "and resends in order as the congestion window grows (%u bytes now).",
                 c->cwnd);
        break;
    case TOW_FAST_RETX:
        snprintf(buf, cap,
                 "Fast retransmit: three duplicate ACKs say byte %lu was lost while later "
                 "segments arrived, so it is sent again without waiting for the timer; the "
                 "congestion window is halved (NewReno fast recovery, RFC 6582).",
                 (unsigned long)h->seq);
        break;
    case TOW_PARTIAL_ACK:
        snprintf(buf, cap,
                 "Partial ACK during fast recovery: the retransmission arrived, but byte %lu is "
                 "missing too, so it is sent again at once (NewReno, RFC 6582).",
                 (unsigned long)h->seq);
        break;
    case TOW_PROBE:
        snprintf(buf, cap,
                 "Zero-window probe: the receiver's window is 0, so one byte is sent to learn "
                 "when it opens again (its ACK will carry the new window); the next probe waits "
                 "%s.",
                 fmt_dur(c->persist_iv, d1, sizeof d1));
        break;
    case TOW_WINDOW_UPDATE:
        snprintf(buf, cap,
                 "Window update: the program read the data it had left waiting, so %u bytes of "
                 "buffer are free again and the sender may go on.",
                 tcp_rcv_window(c));
        break;
    case TOW_CHALLENGE:
        snprintf(buf, cap,
                 "Challenge ACK (RFC 5961): a RST or SYN arrived that does not carry exactly the "
                 "expected sequence number; a real peer that meant it will answer this ACK with "
                 "a RST that does, a blind attacker cannot.");
        break;
    case TOW_OUT_OF_WINDOW:
        snprintf(buf, cap,
                 "The segment that arrived lies outside the receive window (old or duplicate), "
                 "so it is dropped and an ACK says what TCP expects next: byte %lu.",
                 (unsigned long)h->ack);
        break;
    case TOW_RST_ABORT:
        snprintf(buf, cap,
                 "RST: the program aborted the connection; the reset tells the peer to forget "
                 "it at once, whatever data was in flight.");
        break;
    }
}

int tcp_xmit(struct tcp_conn *c, uint32_t seq, uint32_t len, uint16_t flags, enum tcp_out_why w)
{
    struct netstack *st = c->st;
    struct sim *sim = st->sim;
    struct tcp_hdr h = {.sport = c->lport, .dport = c->rport, .seq = seq, .flags = flags};
    if (c->state != TCP_SYN_SENT) {
        h.flags |= TCP_ACK;
        h.ack = c->rcv_nxt;
    }
    uint32_t wnd = tcp_rcv_window(c);
    if (flags & TCP_SYN) {
        /* RFC 7323 2.2: the window of a SYN is never scaled */
        h.window = (uint16_t)(wnd > 0xffff ? 0xffff : wnd);
        h.opt.has_mss = true;
        h.opt.mss = c->adv_mss;
        if (c->state == TCP_SYN_SENT || c->ws_ok) {
            h.opt.has_wscale = true;
            h.opt.wscale = c->rcv_shift;
        }
    } else {
        h.window = (uint16_t)(wnd >> c->rcv_shift);
    }
    size_t hlen = TCP_HDR_LEN + tcp_options_len(&h.opt);
    struct pkt *p = pkt_new(sim, PKT_HEADROOM, (uint32_t)(hlen + len));
    uint8_t *seg = pkt_data(p);
    tcp_emit(seg, &h);
    h.hlen = (uint8_t)hlen;
    if (len) {
        uint32_t pos = (c->shead + (seq - c->sbuf_seq)) & c->smask;
        uint32_t first = c->scap - pos;
        if (first > len) first = len;
        memcpy(seg + hlen, c->sbuf + pos, first);
        if (len > first) memcpy(seg + hlen + first, c->sbuf, len - first);
    }
    tcp_checksum_fill(seg, hlen + len, c->laddr, c->raddr);
    p->l4 = p->head;
    p->l7 = p->head + (uint32_t)hlen;
    if (trace_on(sim, TRACE_LAYERS)) {
        char info[160], why[600];
        xmit_why(c, &h, len, w, why, sizeof why);
        stack_step(sim, TRACE_LAYERS, st->node, NULL, 4, TK_ENCAP, p, "TCP", "%s\n%s",
                   tcp_info_str(&h, len, info, sizeof info), why);
    }
    if (h.flags & TCP_ACK) {
        c->unacked = 0;
        c->ack_now = false;
        c->ack_delayed = false;
        sim_cancel(sim, &c->delack);
        uint32_t edge = c->rcv_nxt + ((uint32_t)h.window << c->rcv_shift);
        if (flags & TCP_SYN) edge = c->rcv_nxt + h.window;
        if (seq_gt(edge, c->rcv_adv)) c->rcv_adv = edge;
    }
    struct ip4_out io = {.src = c->laddr, .dst = c->raddr, .proto = IP4_PROTO_TCP};
    return ip4_output(st, p, &io);
}

void tcp_send_ack(struct tcp_conn *c, enum tcp_out_why w)
{
    /* snd_max, not snd_nxt: after a timeout snd_nxt goes back, but the
     * peer may already hold everything up to snd_max (Linux's
     * tcp_acceptable_seq) */
    tcp_xmit(c, c->snd_max, 0, 0, w);
}

void tcp_rto_restart(struct tcp_conn *c)
{
    struct sim *sim = c->st->sim;
    sim_cancel(sim, &c->rtx);
    c->rtx = sim_schedule(sim, c->rto, tcp_rtx_timer, c, 0);
}

static bool can_send_data(enum tcp_state_id s)
{
    return s == TCP_ESTABLISHED || s == TCP_CLOSE_WAIT || s == TCP_FIN_WAIT_1 ||
           s == TCP_LAST_ACK || s == TCP_CLOSING;
}

void tcp_output(struct tcp_conn *c)
{
    if (!can_send_data(c->state)) return;
    struct sim *sim = c->st->sim;
    uint32_t end = tcp_data_end(c);
    uint32_t wnd = c->snd_wnd < c->cwnd ? c->snd_wnd : c->cwnd;
    for (;;) {
        uint32_t seq = c->snd_nxt;
        uint32_t limit = c->snd_una + wnd;
        uint32_t avail = seq_lt(seq, end) ? end - seq : 0;
        uint32_t room = seq_lt(seq, limit) ? limit - seq : 0;
        uint32_t len = avail < c->mss ? avail : c->mss;
        if (len > room) len = room;
        bool fin = c->app_closed && seq + len == end && seq_le(seq, end) &&
                   !(c->fin_sent && seq_gt(c->snd_nxt, c->fin_seq));
        if (len == 0 && !fin) break;
        /* RFC 9293 3.8.6.2.1 (sender's silly window avoidance): while data
         * is in flight, a segment the window cuts short waits for ACKs. */
        if (len < c->mss && len < avail && c->snd_una != c->snd_max) break;
        uint16_t flags = fin ? TCP_FIN : 0;
        if (len && seq + len == end) flags |= TCP_PSH;
        enum tcp_out_why w = seq_lt(seq, c->snd_max) ? TOW_RESEND : len ? TOW_DATA : TOW_FIN;
        if (seq_lt(seq, c->snd_max)) c->n_retx++;
        if (tcp_xmit(c, seq, len, flags, w) != IP4_SENT) break;
        if (fin) {
            c->fin_sent = true;
            c->fin_seq = end;
        }
        /* Karn: time only new data, one segment at a time */
        if (!c->timing && len && seq == c->snd_max) {
            c->timing = true;
            c->rtt_seq = seq + len;
            c->rtt_t0 = sim_now(sim);
        }
        c->snd_nxt = seq + len + (fin ? 1 : 0);
        if (seq_gt(c->snd_nxt, c->snd_max)) c->snd_max = c->snd_nxt;
        if (!sim_timer_pending(sim, c->rtx)) tcp_rto_restart(c);
        if (fin) break;
    }
    /* RFC 9293 3.8.6.1: data waits behind a zero window and nothing is in
     * flight to bring an ACK: probe it */
    if (c->snd_wnd == 0 && seq_lt(c->snd_nxt, end) && c->snd_una == c->snd_max &&
        !sim_timer_pending(sim, c->persist)) {
        sim_cancel(sim, &c->rtx);
        if (c->persist_iv == 0) c->persist_iv = c->rto;
        c->persist = sim_schedule(sim, c->persist_iv, tcp_persist_timer, c, 0);
    }
}

void tcp_retransmit_head(struct tcp_conn *c, enum tcp_out_why w)
{
    uint32_t end = tcp_data_end(c);
    uint32_t seq = c->snd_una;
    uint32_t avail = seq_lt(seq, end) ? end - seq : 0;
    uint32_t len = avail < c->mss ? avail : c->mss;
    bool fin = c->fin_sent && seq + len == c->fin_seq;
    if (len == 0 && !fin) return;
    uint16_t flags = fin ? TCP_FIN : 0;
    if (len && seq + len == end) flags |= TCP_PSH;
    c->n_retx++;
    if (c->timing && seq_lt(seq, c->rtt_seq)) c->timing = false; /* Karn */
    tcp_xmit(c, seq, len, flags, w);
    uint32_t nxt = seq + len + (fin ? 1 : 0);
    if (seq_gt(nxt, c->snd_nxt)) c->snd_nxt = nxt;
}

/* Gives up after too many retries: the app hears why (the last ICMP error
 * if one came, else a timeout). */
static void tcp_give_up(struct tcp_conn *c, const char *why)
{
    tcp_set_state(c, TCP_CLOSED, why);
    tcp_notify_closed(c, c->has_soft_err ? c->soft_err : TCP_REASON_TIMEOUT);
    tcp_kill(c);
}

void tcp_rtx_timer(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct tcp_conn *c = ctx;
    struct tcp_config *cfg = &c->ts->cfg;
    c->rtx = (struct sim_timer){0, 0};
    tcp_enter(c->ts);
    c->rto_expired = c->rto;
    c->rto = c->rto * 2 > cfg->rto_max ? cfg->rto_max : c->rto * 2;
    c->timing = false;
    c->n_rto++;
    switch (c->state) {
    case TCP_SYN_SENT:
        if (++c->retries > cfg->syn_retries) {
            tcp_give_up(c, "Every SYN went unanswered: after the last retry TCP gives up "
                           "(\"Connection timed out\").");
            break;
        }
        tcp_xmit(c, c->iss, 0, TCP_SYN, TOW_RTO);
        tcp_rto_restart(c);
        break;
    case TCP_SYN_RECEIVED:
        if (++c->retries > cfg->synack_retries) {
            if (c->active) {
                tcp_give_up(c, "The simultaneous open never completed.");
            } else {
                tcp_set_state(c, TCP_CLOSED,
                              "The client never completed the handshake: after the last "
                              "SYN-ACK retry the half-open connection is dropped.");
                tcp_kill(c);
            }
            break;
        }
        tcp_xmit(c, c->iss, 0, TCP_SYN, TOW_RTO);
        tcp_rto_restart(c);
        break;
    default:
        if (c->snd_una == c->snd_max) break; /* everything was acknowledged */
        if (++c->retries > cfg->retries) {
            tcp_give_up(c, "Nothing was acknowledged through every retransmission: TCP "
                           "gives the connection up.");
            break;
        }
        {
            /* RFC 5681 3.1, eq. 4: half the flight, at least two segments;
             * the window restarts from one segment (loss window) */
            uint32_t flight = c->snd_max - c->snd_una;
            c->ssthresh = flight / 2 > 2u * c->mss ? flight / 2 : 2u * c->mss;
            c->cwnd = c->mss;
            c->bytes_acked = 0;
            c->in_recovery = false;
            c->dupacks = 0;
            c->recover = c->snd_max; /* RFC 6582 4.1 */
            c->snd_nxt = c->snd_una;
            tcp_retransmit_head(c, TOW_RTO);
            tcp_rto_restart(c);
        }
        break;
    }
    (void)sim;
    tcp_leave(c->ts);
}

void tcp_persist_timer(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct tcp_conn *c = ctx;
    c->persist = (struct sim_timer){0, 0};
    tcp_enter(c->ts);
    uint32_t end = tcp_data_end(c);
    if (c->snd_wnd == 0 && seq_lt(c->snd_nxt, end) && can_send_data(c->state)) {
        sim_time next = c->persist_iv * 2;
        if (next > c->ts->cfg.persist_max) next = c->ts->cfg.persist_max;
        c->persist_iv = next;
        c->n_probes++;
        /* one byte of new data beyond the window (RFC 9293 3.8.6.1); it
         * is not counted as sent, so it goes again with the rest */
        tcp_xmit(c, c->snd_nxt, 1, 0, TOW_PROBE);
        c->probing = true; /* an ACK may cover it: snd_max + 1 */
        c->persist = sim_schedule(sim, c->persist_iv, tcp_persist_timer, c, 0);
    }
    tcp_leave(c->ts);
}

void tcp_delack_timer(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct tcp_conn *c = ctx;
    c->delack = (struct sim_timer){0, 0};
    tcp_enter(c->ts);
    if (c->ack_delayed && c->state != TCP_CLOSED) tcp_send_ack(c, TOW_DELACK);
    tcp_leave(c->ts);
}

void tcp_send_reset_for(struct netstack *st, uint32_t src, uint32_t dst, const struct tcp_hdr *h,
                        size_t plen, const struct pkt *orig)
{
    struct sim *sim = st->sim;
    struct tcp_hdr r = {.sport = h->dport, .dport = h->sport};
    /* RFC 9293 3.10.7.1: take the sequence number from the ACK if there is
     * one, else acknowledge everything the segment occupied */
    if (h->flags & TCP_ACK) {
        r.seq = h->ack;
        r.flags = TCP_RST;
    } else {
        r.ack =
            h->seq + (uint32_t)plen + (h->flags & TCP_SYN ? 1 : 0) + (h->flags & TCP_FIN ? 1 : 0);
        r.flags = TCP_RST | TCP_ACK;
    }
    struct pkt *p = pkt_new(sim, PKT_HEADROOM, TCP_HDR_LEN);
    uint8_t *seg = pkt_data(p);
    tcp_emit(seg, &r);
    tcp_checksum_fill(seg, TCP_HDR_LEN, src, dst);
    p->l4 = p->head;
    (void)orig;
    if (trace_on(sim, TRACE_LAYERS)) {
        char info[160], a[16];
        r.hlen = TCP_HDR_LEN;
        stack_step(sim, TRACE_LAYERS, st->node, NULL, 4, TK_ENCAP, p, "TCP",
                   "%s\nRST: nothing here wants this segment (no listener on port %u, no such "
                   "connection), so TCP tells %s to give up; to a SYN this means \"connection "
                   "refused\".",
                   tcp_info_str(&r, 0, info, sizeof info), h->dport, ip4_str(dst, a));
    }
    struct ip4_out io = {.src = src, .dst = dst, .proto = IP4_PROTO_TCP};
    ip4_output(st, p, &io);
}
