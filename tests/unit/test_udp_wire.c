/* test_udp_wire.c - the UDP header (protocols/udp_wire.h, RFC 768) over
 * fixed byte arrays: parse, length checks, the pseudo-header checksum
 * (checked against a datagram whose checksum tshark verified), zero meaning
 * "none", and a computed zero sent as 0xffff. */
#include "check.h"
#include "protocols/udp_wire.h"

#define IP(a, b, c, d)                                                                             \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* 10.0.0.1:49152 -> 10.0.0.2:7, payload "hello", checksum as tshark verifies it. */
static const uint8_t dgram[13] = {0xc0, 0x00, 0x00, 0x07, 0x00, 0x0d, 0xe7,
                                  0xf7, 'h',  'e',  'l',  'l',  'o'};

static void test_parse(void)
{
    struct udp_hdr h;
    CHECK_EQ(udp_parse(dgram, sizeof dgram, &h), UDP_OK);
    CHECK_EQ(h.sport, 49152);
    CHECK_EQ(h.dport, 7);
    CHECK_EQ(h.len, 13);
    CHECK_EQ(h.checksum, 0xe7f7);
    CHECK_EQ(udp_parse(dgram, 7, &h), UDP_ERR_SHORT);
    CHECK_EQ(udp_parse(dgram, 12, &h), UDP_ERR_LEN); /* says 13, holds 12 */
    uint8_t small[8] = {0, 1, 0, 2, 0, 7, 0, 0};     /* length 7 < header */
    CHECK_EQ(udp_parse(small, 8, &h), UDP_ERR_LEN);
    /* extra bytes after the datagram (Ethernet padding) are fine */
    uint8_t padded[20] = {0};
    memcpy(padded, dgram, sizeof dgram);
    CHECK_EQ(udp_parse(padded, sizeof padded, &h), UDP_OK);
    CHECK_EQ(h.len, 13);
}

static void test_checksum(void)
{
    uint32_t a = IP(10, 0, 0, 1), b = IP(10, 0, 0, 2);
    CHECK_EQ(udp_checksum_compute(dgram, sizeof dgram, a, b), 0xe7f7);
    CHECK(udp_checksum_ok(dgram, sizeof dgram, a, b));
    /* the pseudo-header counts: another destination breaks it */
    CHECK(!udp_checksum_ok(dgram, sizeof dgram, a, IP(10, 0, 0, 3)));
    uint8_t d[13];
    memcpy(d, dgram, sizeof d);
    d[8] ^= 1;
    CHECK(!udp_checksum_ok(d, sizeof d, a, b));
    /* zero = the sender computed none: accepted whatever the data */
    put_be16(d + UDP_OFF_CHECKSUM, 0);
    CHECK(udp_checksum_ok(d, sizeof d, a, b));
}

static void test_emit(void)
{
    uint8_t d[13] = {0};
    memcpy(d + 8, "hello", 5);
    udp_emit(d, 49152, 7, sizeof d, IP(10, 0, 0, 1), IP(10, 0, 0, 2), true);
    CHECK_MEM(d, dgram, sizeof dgram);
    udp_emit(d, 49152, 7, sizeof d, IP(10, 0, 0, 1), IP(10, 0, 0, 2), false);
    CHECK_EQ(get_be16(d + UDP_OFF_CHECKSUM), 0);
    /* RFC 768: a computed checksum of zero is transmitted as all ones.
     * Find a source port that makes the sum come out at 0xffff. */
    uint8_t z[8];
    int found = 0;
    for (unsigned sp = 1; sp < 65536 && !found; sp++) {
        udp_emit(z, (uint16_t)sp, 9, sizeof z, IP(1, 2, 3, 4), IP(5, 6, 7, 8), false);
        put_be16(z + UDP_OFF_CHECKSUM, 0);
        if (udp_checksum_compute(z, 8, IP(1, 2, 3, 4), IP(5, 6, 7, 8)) == 0xffff) {
            udp_emit(z, (uint16_t)sp, 9, sizeof z, IP(1, 2, 3, 4), IP(5, 6, 7, 8), true);
            found = get_be16(z + UDP_OFF_CHECKSUM) == 0xffff;
        }
    }
    CHECK(found);
}

int main(void)
{
    test_parse();
    test_checksum();
    test_emit();
    return check_done();
}
