/* fuzz_udp.c - libFuzzer target for UDP's input path on a live stack: the
 * input becomes the payload of an IPv4 packet (protocol 17) sent to a host
 * that has a UDP socket on port 9 answering every datagram, and once more
 * as a broadcast. Also the wire parser's properties: what udp_parse accepts
 * has a length inside the input, and udp_emit of it verifies. Every step is
 * formatted (a trace sink listens), so the why sentences run too. */
#include "fuzz.h"
#include "../unit/fixture.h"
#include "protocols/udp.h"

static void echo(void *ctx, struct udp_sock *s, const struct udp_meta *m, const uint8_t *d,
                 size_t len)
{
    (void)ctx;
    FUZZ_ASSERT(len <= 0xffff);
    udp_sendto(s, m->src, m->sport, d, len, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct udp_hdr h;
    if (udp_parse(data, size, &h) == UDP_OK) {
        FUZZ_ASSERT(h.len >= UDP_HDR_LEN && h.len <= size);
        uint8_t *copy = malloc(h.len);
        if (!copy) return 0;
        memcpy(copy, data, h.len);
        udp_emit(copy, h.sport, h.dport, h.len, 1, 2, true);
        FUZZ_ASSERT(udp_checksum_ok(copy, h.len, 1, 2));
        free(copy);
    }
    if (size > 1400) return 0; /* one frame's worth */
    static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    struct fx_raw r;
    fx_raw_init(&r);
    udp_open(r.st, 0, 9, echo, NULL);
    fx_raw_send(&r,
                fx_raw_ip(&r, r.e->mac, IP(10, 9, 0, 1), IP4_PROTO_UDP, 1, data, (uint32_t)size));
    fx_raw_send(&r, fx_raw_ip(&r, bc, IP(10, 9, 0, 255), IP4_PROTO_UDP, 2, data, (uint32_t)size));
    fx_raw_free(&r);
    return 0;
}
