/* tcp_wire.c - parse and emit the TCP header and its options; see
 * tcp_wire.h. */
#include "tcp_wire.h"
#include "ip4_wire.h"

#include <stdio.h>
#include <string.h>

int tcp_parse_options(const uint8_t *p, size_t len, struct tcp_opts *o)
{
    memset(o, 0, sizeof *o);
    size_t i = 0;
    while (i < len) {
        uint8_t kind = p[i];
        if (kind == TCP_OPT_EOL) break;
        if (kind == TCP_OPT_NOP) {
            i++;
            continue;
        }
        /* every other option has a length byte counting kind and length */
        if (i + 1 >= len) return TCP_ERR_OPTIONS;
        uint8_t olen = p[i + 1];
        if (olen < 2 || olen > len - i) return TCP_ERR_OPTIONS;
        const uint8_t *v = p + i + 2;
        switch (kind) {
        case TCP_OPT_MSS:
            if (olen != 4) return TCP_ERR_OPTIONS;
            o->has_mss = true;
            o->mss = get_be16(v);
            break;
        case TCP_OPT_WSCALE:
            if (olen != 3) return TCP_ERR_OPTIONS;
            o->has_wscale = true;
            /* RFC 7323 2.3: a shift above 14 is used as 14 */
            o->wscale = v[0] > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : v[0];
            break;
        case TCP_OPT_SACK_PERM:
            if (olen != 2) return TCP_ERR_OPTIONS;
            o->sack_perm = true;
            break;
        case TCP_OPT_TS:
            if (olen != 10) return TCP_ERR_OPTIONS;
            o->has_ts = true;
            o->ts_val = get_be32(v);
            o->ts_ecr = get_be32(v + 4);
            break;
        default: /* unknown: skipped by its length (RFC 9293 3.2) */
            break;
        }
        i += olen;
    }
    return TCP_OK;
}

int tcp_parse(const uint8_t *buf, size_t n, struct tcp_hdr *out)
{
    memset(out, 0, sizeof *out);
    if (n < TCP_HDR_LEN) return TCP_ERR_SHORT;
    out->sport = get_be16(buf + TCP_OFF_SPORT);
    out->dport = get_be16(buf + TCP_OFF_DPORT);
    out->seq = get_be32(buf + TCP_OFF_SEQ);
    out->ack = get_be32(buf + TCP_OFF_ACK);
    out->hlen = (uint8_t)((buf[TCP_OFF_DOFF] >> 4) * 4);
    out->flags = (uint16_t)((buf[TCP_OFF_DOFF] & 1) << 8 | buf[TCP_OFF_FLAGS]);
    out->window = get_be16(buf + TCP_OFF_WINDOW);
    out->checksum = get_be16(buf + TCP_OFF_CSUM);
    out->urg = get_be16(buf + TCP_OFF_URG);
    if (out->hlen < TCP_HDR_LEN || out->hlen > n) return TCP_ERR_HLEN;
    return tcp_parse_options(buf + TCP_HDR_LEN, out->hlen - TCP_HDR_LEN, &out->opt);
}

size_t tcp_options_len(const struct tcp_opts *o)
{
    size_t n = 0;
    if (o->has_mss) n += 4;
    if (o->has_wscale) n += 4; /* NOP + 3 */
    if (o->sack_perm) n += 4;  /* NOP NOP + 2 */
    return n;
}

size_t tcp_emit(uint8_t *buf, const struct tcp_hdr *h)
{
    size_t hlen = TCP_HDR_LEN + tcp_options_len(&h->opt);
    put_be16(buf + TCP_OFF_SPORT, h->sport);
    put_be16(buf + TCP_OFF_DPORT, h->dport);
    put_be32(buf + TCP_OFF_SEQ, h->seq);
    put_be32(buf + TCP_OFF_ACK, h->ack);
    buf[TCP_OFF_DOFF] = (uint8_t)((hlen / 4) << 4 | ((h->flags >> 8) & 1));
    buf[TCP_OFF_FLAGS] = (uint8_t)h->flags;
    put_be16(buf + TCP_OFF_WINDOW, h->window);
    put_be16(buf + TCP_OFF_CSUM, 0);
    put_be16(buf + TCP_OFF_URG, h->urg);
    /* Linux's order without timestamps: MSS, NOP NOP SACK-permitted, NOP
     * Window Scale; NOPs keep each option on a 4-byte boundary. */
    uint8_t *o = buf + TCP_OFF_OPTIONS;
    if (h->opt.has_mss) {
        o[0] = TCP_OPT_MSS;
        o[1] = 4;
        put_be16(o + 2, h->opt.mss);
        o += 4;
    }
    if (h->opt.sack_perm) {
        o[0] = TCP_OPT_NOP;
        o[1] = TCP_OPT_NOP;
        o[2] = TCP_OPT_SACK_PERM;
        o[3] = 2;
        o += 4;
    }
    if (h->opt.has_wscale) {
        o[0] = TCP_OPT_NOP;
        o[1] = TCP_OPT_WSCALE;
        o[2] = 3;
        o[3] = h->opt.wscale;
    }
    return hlen;
}

uint16_t tcp_checksum_compute(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
    uint32_t acc = ip4_pseudo_sum(src, dst, IP4_PROTO_TCP, (uint16_t)len);
    acc = inet_sum(seg, TCP_OFF_CSUM, acc); /* up to the checksum, which counts as zero */
    acc = inet_sum(seg + TCP_OFF_URG, len - TCP_OFF_URG, acc);
    return (uint16_t)~acc;
}

bool tcp_checksum_ok(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
    return len >= TCP_HDR_LEN &&
           get_be16(seg + TCP_OFF_CSUM) == tcp_checksum_compute(seg, len, src, dst);
}

void tcp_checksum_fill(uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
    put_be16(seg + TCP_OFF_CSUM, tcp_checksum_compute(seg, len, src, dst));
}

char *tcp_flags_str(uint16_t flags, char *buf, size_t cap)
{
    static const char *const names[] = {"FIN", "SYN", "RST", "PSH", "ACK",
                                        "URG", "ECE", "CWR", "AE"};
    size_t n = 0;
    buf[0] = '\0';
#define ADD(...)                                                                                   \
    if (n < cap) n += (size_t)snprintf(buf + n, cap - n, __VA_ARGS__)
    ADD("[");
    bool any = false;
    for (int i = 0; i < 9; i++) {
        if (!(flags & (1u << i))) continue;
        ADD("%s%s", any ? ", " : "", names[i]);
        any = true;
    }
    ADD("%s]", any ? "" : "<None>");
    return buf;
}

char *tcp_info_str(const struct tcp_hdr *h, size_t payload_len, char *buf, size_t cap)
{
    char fl[64];
    size_t n = (size_t)snprintf(buf, cap, "%u \xe2\x86\x92 %u %s Seq=%lu", h->sport, h->dport,
                                tcp_flags_str(h->flags, fl, sizeof fl), (unsigned long)h->seq);
    if (h->flags & TCP_ACK) ADD(" Ack=%lu", (unsigned long)h->ack);
    ADD(" Win=%u Len=%zu", h->window, payload_len);
    if (h->flags & TCP_URG) ADD(" Urg=%u", h->urg);
    if (h->opt.has_mss) ADD(" MSS=%u", h->opt.mss);
    if (h->opt.sack_perm) ADD(" SACK_PERM");
    if (h->opt.has_ts)
        ADD(" TSval=%lu TSecr=%lu", (unsigned long)h->opt.ts_val, (unsigned long)h->opt.ts_ecr);
    if (h->opt.has_wscale) ADD(" WS=%u", 1u << h->opt.wscale);
#undef ADD
    return buf;
}
