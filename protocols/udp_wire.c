/* udp_wire.c - parse and emit the UDP header; see udp_wire.h. */
#include "udp_wire.h"
#include "ip4_wire.h"

int udp_parse(const uint8_t *buf, size_t n, struct udp_hdr *out)
{
    if (n < UDP_HDR_LEN) return UDP_ERR_SHORT;
    out->sport = get_be16(buf + UDP_OFF_SPORT);
    out->dport = get_be16(buf + UDP_OFF_DPORT);
    out->len = get_be16(buf + UDP_OFF_LEN);
    out->checksum = get_be16(buf + UDP_OFF_CHECKSUM);
    if (out->len < UDP_HDR_LEN || out->len > n) return UDP_ERR_LEN;
    return UDP_OK;
}

uint16_t udp_checksum_compute(const uint8_t *buf, size_t len, uint32_t src, uint32_t dst)
{
    uint32_t acc = ip4_pseudo_sum(src, dst, IP4_PROTO_UDP, (uint16_t)len);
    acc = inet_sum(buf, UDP_OFF_CHECKSUM, acc); /* ports and length; the checksum is skipped */
    acc = inet_sum(buf + UDP_HDR_LEN, len - UDP_HDR_LEN, acc);
    uint16_t c = (uint16_t)~acc;
    return c ? c : 0xffff;
}

bool udp_checksum_ok(const uint8_t *buf, size_t len, uint32_t src, uint32_t dst)
{
    uint16_t stored = get_be16(buf + UDP_OFF_CHECKSUM);
    return stored == 0 || stored == udp_checksum_compute(buf, len, src, dst);
}

void udp_emit(uint8_t *buf, uint16_t sport, uint16_t dport, size_t len, uint32_t src, uint32_t dst,
              bool checksum)
{
    put_be16(buf + UDP_OFF_SPORT, sport);
    put_be16(buf + UDP_OFF_DPORT, dport);
    put_be16(buf + UDP_OFF_LEN, (uint16_t)len);
    put_be16(buf + UDP_OFF_CHECKSUM, 0);
    if (checksum) put_be16(buf + UDP_OFF_CHECKSUM, udp_checksum_compute(buf, len, src, dst));
}
