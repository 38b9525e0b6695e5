/* ip4_wire.c - parse and emit the IPv4 header (RFC 791), and the
 * incremental checksum update a router does when it decrements the TTL
 * (RFC 1624).
 *
 * Parsing comes in two layers: ip4_read_header reads the fields and checks
 * what the header says about itself; ip4_parse adds the checks that make
 * a datagram acceptable to the stack (whole datagram present, checksum
 * right). The dissector uses the first, so it can show what the stack would
 * drop, with the reason, from the same code that reads the fields. */
#include "ip4_wire.h"

int ip4_read_header(const uint8_t *buf, size_t len, struct ip4_hdr *out)
{
    if (len < IP4_HDR_LEN) return IP4_ERR_SHORT;
    out->ihl = (uint8_t)((buf[IP4_OFF_VER_IHL] & 0x0f) * 4);
    out->tos = buf[IP4_OFF_TOS];
    out->total_len = get_be16(buf + IP4_OFF_TOTAL);
    out->id = get_be16(buf + IP4_OFF_ID);
    out->frag = get_be16(buf + IP4_OFF_FRAG);
    out->ttl = buf[IP4_OFF_TTL];
    out->proto = buf[IP4_OFF_PROTO];
    out->checksum = get_be16(buf + IP4_OFF_CHECKSUM);
    out->src = get_be32(buf + IP4_OFF_SRC);
    out->dst = get_be32(buf + IP4_OFF_DST);

    if (ip4_get_version(buf) != 4) return IP4_ERR_VERSION;
    if (out->ihl < IP4_HDR_LEN) return IP4_ERR_IHL;
    if (len < out->ihl) return IP4_ERR_SHORT;
    if (out->total_len < out->ihl) return IP4_ERR_TOTAL_LEN;
    return IP4_OK;
}

int ip4_parse(const uint8_t *buf, size_t len, struct ip4_hdr *out)
{
    int err = ip4_read_header(buf, len, out);
    if (err != IP4_OK) return err;
    /* Anything past total_len is link-layer padding; anything missing
     * means the datagram was cut short. */
    if (len < out->total_len) return IP4_ERR_SHORT;
    /* RFC 1071: summing the header including its checksum gives all ones. */
    if (inet_sum(buf, out->ihl, 0) != 0xffff) return IP4_ERR_CHECKSUM;
    return IP4_OK;
}

uint16_t ip4_header_checksum(const uint8_t *hdr, size_t ihl)
{
    uint32_t sum = inet_sum(hdr, IP4_OFF_CHECKSUM, 0);
    if (ihl > IP4_OFF_CHECKSUM + 2)
        sum = inet_sum(hdr + IP4_OFF_CHECKSUM + 2, ihl - IP4_OFF_CHECKSUM - 2, sum);
    return (uint16_t)~sum;
}

void ip4_emit(const struct ip4_hdr *h, uint8_t *buf)
{
    buf[IP4_OFF_VER_IHL] = 0x45;
    buf[IP4_OFF_TOS] = h->tos;
    put_be16(buf + IP4_OFF_TOTAL, h->total_len);
    put_be16(buf + IP4_OFF_ID, h->id);
    put_be16(buf + IP4_OFF_FRAG, h->frag);
    buf[IP4_OFF_TTL] = h->ttl;
    buf[IP4_OFF_PROTO] = h->proto;
    put_be32(buf + IP4_OFF_SRC, h->src);
    put_be32(buf + IP4_OFF_DST, h->dst);
    put_be16(buf + IP4_OFF_CHECKSUM, ip4_header_checksum(buf, IP4_HDR_LEN));
}

void ip4_decrement_ttl(uint8_t *hdr)
{
    if (hdr[IP4_OFF_TTL] == 0) return;
    /* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), where m is the 16-bit word
     * holding the TTL (TTL and protocol) before the change and m' after.
     * Unlike RFC 1141's HC' = HC + m + ~m', it gives what a full
     * recomputation would, never the -0 form (test_ip4_wire checks). */
    uint16_t m = get_be16(hdr + IP4_OFF_TTL);
    hdr[IP4_OFF_TTL]--;
    uint16_t m2 = get_be16(hdr + IP4_OFF_TTL);
    uint32_t sum = (uint16_t)~get_be16(hdr + IP4_OFF_CHECKSUM);
    sum += (uint16_t)~m;
    sum += m2;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    put_be16(hdr + IP4_OFF_CHECKSUM, (uint16_t)~sum);
}

uint32_t ip4_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4_len)
{
    uint8_t ph[12];
    put_be32(ph, src);
    put_be32(ph + 4, dst);
    ph[8] = 0;
    ph[9] = proto;
    put_be16(ph + 10, l4_len);
    return inet_sum(ph, sizeof ph, 0);
}

const char *ip4_proto_name(uint8_t proto)
{
    switch (proto) {
    case IP4_PROTO_ICMP:
        return "ICMP";
    case 2:
        return "IGMP";
    case 4:
        return "IPIP";
    case IP4_PROTO_TCP:
        return "TCP";
    case IP4_PROTO_UDP:
        return "UDP";
    case 41:
        return "IPv6";
    case 47:
        return "GRE";
    case 50:
        return "ESP";
    case 51:
        return "AH";
    case 58:
        return "ICMPv6";
    case 89:
        return "OSPF";
    case 132:
        return "SCTP";
    default:
        return "Unknown";
    }
}
