/* fuzz_dissect.h - what the fuzz targets of TCP application protocols
 * share: the input as the payload of one TCP segment from src:sport to
 * 10.0.0.1:dport, through the dissector in both of its modes (the full tree
 * and the summary alone), which must agree, with every field inside the
 * frame. */
#ifndef NETSTEP_FUZZ_DISSECT_H
#define NETSTEP_FUZZ_DISSECT_H

#include "fuzz.h"
#include "protocols/dissect.h"
#include "protocols/eth_wire.h"
#include "protocols/ip4_wire.h"
#include "protocols/tcp_wire.h"

#include <string.h>

static inline void fuzz_tcp_dissector(const uint8_t *data, size_t size, uint32_t src,
                                      uint16_t sport, uint16_t dport)
{
    size_t len = ETH_HDR_LEN + IP4_HDR_LEN + 20 + size;
    if (len > 0xffff) return;
    uint8_t *fr = calloc(1, len);
    FUZZ_ASSERT(fr);
    struct eth_hdr e = {.type = ETH_TYPE_IPV4};
    eth_emit(&e, fr);
    struct ip4_hdr ip = {.ihl = 20,
                         .total_len = (uint16_t)(len - ETH_HDR_LEN),
                         .ttl = 64,
                         .proto = IP4_PROTO_TCP,
                         .src = src,
                         .dst = 0x0a000001u};
    ip4_emit(&ip, fr + ETH_HDR_LEN);
    uint8_t *seg = fr + ETH_HDR_LEN + IP4_HDR_LEN;
    if (size) memcpy(seg + 20, data, size);
    struct tcp_hdr t = {.sport = sport,
                        .dport = dport,
                        .seq = 1,
                        .ack = 1,
                        .hlen = 20,
                        .flags = TCP_ACK | TCP_PSH,
                        .window = 512};
    tcp_emit(seg, &t);
    tcp_checksum_fill(seg, 20 + size, ip.src, ip.dst);
    struct dissection d, s;
    dissect_frame(fr, len, &d);
    dissect_summary(fr, len, &s);
    FUZZ_ASSERT(strcmp(d.info, s.info) == 0 && strcmp(d.protocol, s.protocol) == 0);
    FUZZ_ASSERT(d.malformed == s.malformed);
    for (uint32_t k = 0; k < d.n_fields; k++)
        FUZZ_ASSERT(d.fields[k].off <= len && d.fields[k].len <= len - d.fields[k].off);
    dissect_free(&d);
    free(fr);
}

#endif
