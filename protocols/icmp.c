/* icmp.c - ICMP (RFC 792) for hosts and routers: echo replies, error
 * reports for the IPv4 layer, and delivery of replies and errors to the
 * apps that wait for them (ping, traceroute), matched by echo identifier. */
#include "icmp.h"
#include "tcp.h"
#include "udp.h"
#include "ip4.h"

#include <stdio.h>
#include <string.h>

int icmp_subscribe(struct netstack *st, uint16_t id, icmp_sub_fn fn, void *ctx)
{
    if (st->n_subs == STACK_MAX_SUBS) return -1;
    st->subs[st->n_subs++] = (struct icmp_sub){id, fn, ctx};
    return 0;
}

void icmp_unsubscribe(struct netstack *st, uint16_t id)
{
    for (int i = 0; i < st->n_subs; i++) {
        if (st->subs[i].id == id) {
            st->subs[i] = st->subs[--st->n_subs];
            return;
        }
    }
}

static const struct icmp_sub *icmp_find_sub(const struct netstack *st, uint16_t id)
{
    for (int i = 0; i < st->n_subs; i++)
        if (st->subs[i].id == id) return &st->subs[i];
    return NULL;
}

static bool icmp_is_error(uint8_t type)
{
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

void icmp_send_error(struct netstack *st, const struct pkt *orig, uint8_t type, uint8_t code,
                     uint32_t rest)
{
    struct sim *sim = st->sim;
    if (orig->l3 == PKT_NO_OFF || orig->l3 > orig->head + orig->len) return;
    const uint8_t *ip = orig->buf + orig->l3;
    size_t len = orig->head + orig->len - orig->l3;
    struct ip4_hdr h;
    /* Only the header must be whole: the offending datagram may be just its
     * start (a reassembly timeout quotes the first fragment's header and 8
     * data bytes), so its Total Length can be more than we hold. */
    if (ip4_read_header(ip, len, &h) != IP4_OK || inet_sum(ip, h.ihl, 0) != 0xffff) return;
    /* RFC 1122 3.2.2 / RFC 1812 4.3.2.7: never about an ICMP error, a
     * non-first fragment, or a packet from or to a broadcast address. */
    if ((h.frag & IP4_FRAG_MASK) || h.src == 0 || h.src == 0xffffffffu || h.dst == 0xffffffffu ||
        (h.dst >> 28) == 0xe)
        return;
    if (h.proto == IP4_PROTO_ICMP && h.total_len > h.ihl && len > h.ihl && icmp_is_error(ip[h.ihl]))
        return;
    /* RFC 792: the original IP header plus the first 64 bits of its data. */
    size_t quote = h.ihl + 8u;
    if (quote > h.total_len) quote = h.total_len;
    if (quote > len) quote = len;
    struct pkt *p = pkt_new(sim, PKT_HEADROOM, (uint32_t)(ICMP_HDR_LEN + quote));
    p->id = orig->id;
    struct icmp_msg m = {.type = type, .code = code, .rest = rest};
    memcpy(pkt_data(p) + ICMP_HDR_LEN, ip, quote);
    m.body = pkt_data(p) + ICMP_HDR_LEN;
    m.body_len = quote;
    icmp_emit(&m, pkt_data(p));
    p->l4 = p->head;
    char a[16];
    STEP(sim, st->node, NULL, 3, TK_ENCAP, p, "ICMP",
         "%s\nICMP builds the error message and quotes the offending packet's IP header and "
         "first 8 data bytes, so that %s can tell which of its packets failed.",
         icmp_type_name(type, code), ip4_str(h.src, a));
    struct ip4_out o = {.dst = h.src, .proto = IP4_PROTO_ICMP};
    ip4_output(st, p, &o);
}

int icmp_send_echo(struct netstack *st, uint32_t dst, uint16_t id, uint16_t seq, uint8_t ttl,
                   uint32_t payload_len)
{
    struct sim *sim = st->sim;
    struct pkt *p = pkt_new(sim, PKT_HEADROOM, ICMP_HDR_LEN + payload_len);
    uint8_t *d = pkt_data(p);
    uint8_t *body = d + ICMP_HDR_LEN;
    /* iputils ping: a struct timeval (16 bytes on 64-bit Linux, little
     * endian) when there is room, then the byte pattern 0x10, 0x11, ... */
    sim_time now = sim_now(sim);
    for (uint32_t i = 0; i < payload_len; i++)
        body[i] = (uint8_t)i;
    if (payload_len >= 16) {
        uint64_t sec = (uint64_t)(now / SIM_S), usec = (uint64_t)(now % SIM_S / 1000);
        for (int i = 0; i < 8; i++) {
            body[i] = (uint8_t)(sec >> (8 * i));
            body[8 + i] = (uint8_t)(usec >> (8 * i));
        }
    }
    struct icmp_msg m = {.type = ICMP_ECHO_REQUEST, .id = id, .seq = seq};
    m.body = body;
    m.body_len = payload_len;
    icmp_emit(&m, d);
    p->l4 = p->head;
    char a[16];
    STEP(sim, st->node, NULL, 3, TK_ENCAP, p, "ICMP",
         "Echo (ping) request  id=0x%04x, seq=%u\nping asks ICMP for an echo request to %s: "
         "type 8, identifier 0x%04x (which ping this is), sequence number %u (which request), "
         "%u bytes of data, and a checksum over the whole message.",
         id, seq, ip4_str(dst, a), id, seq, payload_len);
    struct ip4_out o = {.dst = dst, .proto = IP4_PROTO_ICMP, .ttl = ttl};
    return ip4_output(st, p, &o);
}

void icmp_input(struct netstack *st, struct iface *in, struct pkt *p)
{
    struct sim *sim = st->sim;
    const uint8_t *ip = p->buf + p->l3;
    uint32_t src = get_be32(ip + 12), dst = get_be32(ip + 16);
    uint8_t ttl = ip[8];
    struct icmp_msg m;
    int rc = icmp_parse(pkt_data(p), p->len, &m);
    char a[16];
    ip4_str(src, a);
    if (rc < 0) {
        DROP_STEP(sim, st->node, in, 3, TK_DROP, p, "ICMP",
                  "invalid ICMP message\n%s, so it is "
                  "discarded.",
                  rc == -1 ? "The message is shorter than an ICMP header"
                           : "The ICMP checksum does not match the message");
        pkt_free(sim, p);
        return;
    }
    switch (m.type) {
    case ICMP_ECHO_REQUEST: {
        if (!stack_is_local(st, dst)) {
            STEP(sim, st->node, in, 3, TK_DROP, p, "ICMP",
                 "Echo (ping) request to a broadcast address\nLike Linux, this node does not "
                 "answer pings sent to a broadcast address.");
            pkt_free(sim, p);
            return;
        }
        STEP(sim, st->node, in, 3, TK_DELIVER, p, "ICMP",
             "Echo (ping) request  id=0x%04x, seq=%u\nSomeone (%s) asks whether this node is "
             "alive: ICMP answers with an echo reply carrying the same identifier, sequence "
             "number and data.",
             m.id, m.seq, a);
        /* The reply reuses the request's bytes: only type and checksum change. */
        uint8_t *d = pkt_data(p);
        d[0] = ICMP_ECHO_REPLY;
        put_be16(d + 2, 0);
        put_be16(d + 2, inet_checksum(d, p->len));
        struct ip4_out o = {.src = dst, .dst = src, .proto = IP4_PROTO_ICMP};
        p->l3 = p->l4 = PKT_NO_OFF;
        ip4_output(st, p, &o);
        return;
    }
    case ICMP_ECHO_REPLY: {
        const struct icmp_sub *s = icmp_find_sub(st, m.id);
        if (!s) {
            STEP(sim, st->node, in, 3, TK_DROP, p, "ICMP",
                 "Echo (ping) reply  id=0x%04x, seq=%u\nNo ping with identifier 0x%04x is "
                 "running here any more, so the late reply is ignored.",
                 m.id, m.seq, m.id);
            pkt_free(sim, p);
            return;
        }
        STEP(sim, st->node, in, 3, TK_DELIVER, p, "ICMP",
             "Echo (ping) reply  id=0x%04x, seq=%u\nThe reply from %s carries identifier "
             "0x%04x, so ICMP hands it to the ping that sent request %u.",
             m.id, m.seq, a, m.id, m.seq);
        s->fn(s->ctx, st, p, src, ttl, pkt_data(p), p->len);
        pkt_free(sim, p);
        return;
    }
    case ICMP_DEST_UNREACH:
    case ICMP_TIME_EXCEEDED: {
        /* Find whose packet this was: the quoted IP header + 8 bytes hold
         * the echo identifier of a ping or traceroute probe. */
        const struct icmp_sub *s = NULL;
        const uint8_t *q = m.body;
        if (m.body_len >= 28 && (q[0] >> 4) == 4) {
            size_t ihl = (size_t)(q[0] & 0x0f) * 4;
            if (ihl >= IP4_HDR_LEN && m.body_len >= ihl + 8 && q[9] == IP4_PROTO_ICMP &&
                q[ihl] == ICMP_ECHO_REQUEST)
                s = icmp_find_sub(st, get_be16(q + ihl + 4));
            if (q[9] == IP4_PROTO_UDP) {
                /* The trace step comes first: the socket may answer at once. */
                STEP(sim, st->node, in, 3, TK_DELIVER, p, "ICMP",
                     "%s\nThe error from %s quotes a UDP datagram; ICMP hands it to UDP, "
                     "which finds the socket by the quoted ports.",
                     icmp_type_name(m.type, m.code), a);
                if (udp_icmp_error(st, src, m.type, m.code, q, m.body_len, p)) {
                    pkt_free(sim, p);
                    return;
                }
            }
            if (q[9] == IP4_PROTO_TCP) {
                STEP(sim, st->node, in, 3, TK_DELIVER, p, "ICMP",
                     "%s\nThe error from %s quotes a TCP segment; ICMP hands it to TCP, "
                     "which finds the connection by the quoted addresses and ports.",
                     icmp_type_name(m.type, m.code), a);
                if (tcp_icmp_error(st, src, m.type, m.code, q, m.body_len, p)) {
                    pkt_free(sim, p);
                    return;
                }
            }
        }
        if (!s) {
            STEP(sim, st->node, in, 3, TK_DROP, p, "ICMP",
                 "%s\nThe error from %s is about a packet no running program is waiting "
                 "for, so it is only noted.",
                 icmp_type_name(m.type, m.code), a);
            pkt_free(sim, p);
            return;
        }
        STEP(sim, st->node, in, 3, TK_DELIVER, p, "ICMP",
             "%s\nThe error from %s quotes one of our own echo requests, so ICMP hands it to "
             "the program that sent it.",
             icmp_type_name(m.type, m.code), a);
        s->fn(s->ctx, st, p, src, ttl, pkt_data(p), p->len);
        pkt_free(sim, p);
        return;
    }
    default:
        STEP(sim, st->node, in, 3, TK_DROP, p, "ICMP",
             "ICMP type %u\nThis node does not handle ICMP type %u, so it is ignored.", m.type,
             m.type);
        pkt_free(sim, p);
        return;
    }
}
