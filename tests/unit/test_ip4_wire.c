/* test_ip4_wire.c - a real IPv4 datagram (ICMP echo request 10.0.0.1 ->
 * 10.0.0.2, TTL 64, id 1, DF, header checksum 0x26a6 as tshark computes it):
 * parse, emit, round trip, every error path, the lower-level header read the
 * dissector uses, and the RFC 1624 TTL update against full recomputation. */
#include "protocols/ip4_wire.h"

#include "check.h"

static const uint8_t echo_dgram[84] = {
    0x45, 0x00, 0x00, 0x54, 0x00, 0x01, 0x40, 0x00, 0x40, 0x01, 0x26, 0xa6, 0x0a, 0x00, 0x00, 0x01,
    0x0a, 0x00, 0x00, 0x02, /* end of IPv4 header */
    0x08, 0x00, 0x3f, 0x29, 0x00, 0x01, 0x00, 0x01, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
    0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
    0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
    0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
};

/* A copy of the datagram with one byte changed and, if fix, the header
 * checksum recomputed, so the error seen is the field's and not the sum's. */
static void mutate(uint8_t *buf, size_t off, uint8_t val, int fix)
{
    memcpy(buf, echo_dgram, sizeof echo_dgram);
    buf[off] = val;
    if (fix) {
        size_t ihl = (size_t)(buf[0] & 15) * 4;
        if (ihl < IP4_HDR_LEN) ihl = IP4_HDR_LEN;
        put_be16(buf + IP4_OFF_CHECKSUM, ip4_header_checksum(buf, ihl));
    }
}

static void test_parse(void)
{
    struct ip4_hdr h;
    CHECK_EQ(ip4_parse(echo_dgram, sizeof echo_dgram, &h), IP4_OK);
    CHECK_EQ(h.ihl, 20);
    CHECK_EQ(h.tos, 0);
    CHECK_EQ(h.total_len, 84);
    CHECK_EQ(h.id, 1);
    CHECK_EQ(h.frag, IP4_FLAG_DF);
    CHECK_EQ(h.ttl, 64);
    CHECK_EQ(h.proto, IP4_PROTO_ICMP);
    CHECK_EQ(h.checksum, 0x26a6);
    CHECK_EQ(h.src, 0x0a000001);
    CHECK_EQ(h.dst, 0x0a000002);
    CHECK_EQ(ip4_get_version(echo_dgram), 4);

    /* Ethernet padding after total_len is fine. */
    uint8_t padded[100] = {0};
    memcpy(padded, echo_dgram, sizeof echo_dgram);
    CHECK_EQ(ip4_parse(padded, sizeof padded, &h), IP4_OK);
    CHECK_EQ(h.total_len, 84);
}

static void test_errors(void)
{
    struct ip4_hdr h;
    uint8_t buf[sizeof echo_dgram];

    /* Short: less than a header, and less than total_len. */
    memset(&h, 0, sizeof h);
    h.ttl = 99;
    CHECK_EQ(ip4_parse(echo_dgram, IP4_HDR_LEN - 1, &h), IP4_ERR_SHORT);
    CHECK_EQ(h.ttl, 99); /* too short to read: untouched */
    CHECK_EQ(ip4_parse(echo_dgram, 0, &h), IP4_ERR_SHORT);
    CHECK_EQ(ip4_parse(echo_dgram, sizeof echo_dgram - 1, &h), IP4_ERR_SHORT);
    CHECK_EQ(ip4_parse(echo_dgram, IP4_HDR_LEN, &h), IP4_ERR_SHORT);

    /* Version 6 in an IPv4 EtherType. */
    mutate(buf, 0, 0x65, 1);
    CHECK_EQ(ip4_parse(buf, sizeof buf, &h), IP4_ERR_VERSION);
    mutate(buf, 0, 0x05, 1);
    CHECK_EQ(ip4_parse(buf, sizeof buf, &h), IP4_ERR_VERSION);

    /* ihl 4 (16 bytes) and 0. */
    mutate(buf, 0, 0x44, 1);
    CHECK_EQ(ip4_parse(buf, sizeof buf, &h), IP4_ERR_IHL);
    mutate(buf, 0, 0x40, 1);
    CHECK_EQ(ip4_parse(buf, sizeof buf, &h), IP4_ERR_IHL);

    /* ihl 15 (60 bytes) but only 30 bytes in the buffer: short. */
    mutate(buf, 0, 0x4f, 0);
    CHECK_EQ(ip4_parse(buf, 30, &h), IP4_ERR_SHORT);

    /* total_len 19 < ihl 20. */
    mutate(buf, 3, 19, 1);
    CHECK_EQ(ip4_parse(buf, sizeof buf, &h), IP4_ERR_TOTAL_LEN);
    /* total_len 85 > the 84 bytes we have. */
    mutate(buf, 3, 85, 1);
    CHECK_EQ(ip4_parse(buf, sizeof buf, &h), IP4_ERR_SHORT);
    /* total_len exactly the header: a valid empty datagram. */
    mutate(buf, 3, 20, 1);
    CHECK_EQ(ip4_parse(buf, sizeof buf, &h), IP4_OK);
    CHECK_EQ(h.total_len, 20);

    /* Bad checksum: a changed TTL without the checksum update, and a
     * flipped checksum bit. The fields are filled all the same. */
    mutate(buf, 8, 63, 0);
    memset(&h, 0, sizeof h);
    CHECK_EQ(ip4_parse(buf, sizeof buf, &h), IP4_ERR_CHECKSUM);
    CHECK_EQ(h.ttl, 63);
    CHECK_EQ(h.checksum, 0x26a6);
    CHECK_EQ(h.src, 0x0a000001);
    mutate(buf, 11, 0xa7, 0);
    CHECK_EQ(ip4_parse(buf, sizeof buf, &h), IP4_ERR_CHECKSUM);
    /* A flipped bit in the payload is not the header's business. */
    mutate(buf, 40, 0xff, 0);
    CHECK_EQ(ip4_parse(buf, sizeof buf, &h), IP4_OK);
}

static void test_read_header(void)
{
    struct ip4_hdr h;
    /* What an ICMP error quotes: the header and 8 bytes, total_len 84. */
    CHECK_EQ(ip4_read_header(echo_dgram, 28, &h), IP4_OK);
    CHECK_EQ(h.total_len, 84);
    CHECK_EQ(ip4_parse(echo_dgram, 28, &h), IP4_ERR_SHORT);

    /* A wrong checksum does not stop the read. */
    uint8_t buf[sizeof echo_dgram];
    mutate(buf, 11, 0x00, 0);
    CHECK_EQ(ip4_read_header(buf, sizeof buf, &h), IP4_OK);
    CHECK_EQ(h.checksum, 0x2600);
    CHECK_EQ(ip4_header_checksum(buf, IP4_HDR_LEN), 0x26a6);

    /* Errors still fill the fields, for the dissector. */
    mutate(buf, 0, 0x65, 0);
    memset(&h, 0, sizeof h);
    CHECK_EQ(ip4_read_header(buf, sizeof buf, &h), IP4_ERR_VERSION);
    CHECK_EQ(h.ttl, 64);
    CHECK_EQ(h.dst, 0x0a000002);
    CHECK_EQ(ip4_get_version(buf), 6);
    CHECK_EQ(ip4_read_header(buf, 19, &h), IP4_ERR_SHORT);
}

static void test_options(void)
{
    /* ihl 6: four option bytes (three NOPs and End of Options List). */
    uint8_t buf[24 + 4];
    memcpy(buf, echo_dgram, IP4_HDR_LEN);
    buf[0] = 0x46;
    put_be16(buf + IP4_OFF_TOTAL, sizeof buf);
    buf[20] = buf[21] = buf[22] = 1;
    buf[23] = 0;
    memcpy(buf + 24, "abcd", 4);
    put_be16(buf + IP4_OFF_CHECKSUM, ip4_header_checksum(buf, 24));
    struct ip4_hdr h;
    CHECK_EQ(ip4_parse(buf, sizeof buf, &h), IP4_OK);
    CHECK_EQ(h.ihl, 24);
    CHECK_EQ(h.total_len, 28);
    /* The options are under the checksum. */
    buf[22] = 7;
    CHECK_EQ(ip4_parse(buf, sizeof buf, &h), IP4_ERR_CHECKSUM);
    /* Options cut off by the end of the buffer. */
    CHECK_EQ(ip4_parse(buf, 22, &h), IP4_ERR_SHORT);
}

static void test_emit(void)
{
    struct ip4_hdr h = {.ihl = 0, /* forced to 20 */
                        .tos = 0,
                        .total_len = 84,
                        .id = 1,
                        .frag = IP4_FLAG_DF,
                        .ttl = 64,
                        .proto = IP4_PROTO_ICMP,
                        .checksum = 0xdead, /* ignored: computed */
                        .src = 0x0a000001,
                        .dst = 0x0a000002};
    uint8_t buf[IP4_HDR_LEN + 1];
    memset(buf, 0xee, sizeof buf);
    ip4_emit(&h, buf);
    CHECK_MEM(buf, echo_dgram, IP4_HDR_LEN);
    CHECK_EQ(buf[IP4_HDR_LEN], 0xee);

    /* Round trip of a fragment with every field set. */
    struct ip4_hdr a = {.ihl = 60,
                        .tos = 0xb8,
                        .total_len = 20,
                        .id = 0xbeef,
                        .frag = IP4_FLAG_MF | 185,
                        .ttl = 1,
                        .proto = IP4_PROTO_UDP,
                        .src = 0xc0a86401,
                        .dst = 0xffffffff},
                   b;
    ip4_emit(&a, buf);
    CHECK_EQ(ip4_parse(buf, IP4_HDR_LEN, &b), IP4_OK);
    CHECK_EQ(b.ihl, 20);
    CHECK_EQ(b.tos, 0xb8);
    CHECK_EQ(b.id, 0xbeef);
    CHECK_EQ(b.frag, IP4_FLAG_MF | 185);
    CHECK_EQ(b.ttl, 1);
    CHECK_EQ(b.proto, IP4_PROTO_UDP);
    CHECK_EQ(b.src, 0xc0a86401);
    CHECK_EQ(b.dst, 0xffffffffu);
    CHECK_EQ(b.checksum, ip4_header_checksum(buf, IP4_HDR_LEN));
}

static void test_decrement_ttl(void)
{
    uint8_t buf[IP4_HDR_LEN];
    memcpy(buf, echo_dgram, IP4_HDR_LEN);
    ip4_decrement_ttl(buf);
    CHECK_EQ(buf[IP4_OFF_TTL], 63);
    /* TTL is the high byte of its word: the word drops by 0x100, the
     * checksum rises by 0x100. */
    CHECK_EQ(get_be16(buf + IP4_OFF_CHECKSUM), 0x27a6);
    CHECK_EQ(inet_sum(buf, IP4_HDR_LEN, 0), 0xffff);

    /* Against a full recomputation, over many headers and every TTL. */
    uint32_t x = 12345;
    int mismatches = 0, bad_sums = 0;
    for (int round = 0; round < 200; round++) {
        struct ip4_hdr h = {.total_len = 20 + (uint16_t)(round * 7), .proto = (uint8_t)round};
        x = x * 1103515245u + 12345u;
        h.id = (uint16_t)(x >> 8);
        h.tos = (uint8_t)(x >> 24);
        x = x * 1103515245u + 12345u;
        h.src = x;
        x = x * 1103515245u + 12345u;
        h.dst = x;
        h.frag = (uint16_t)(x >> 3) & (IP4_FLAG_DF | IP4_FRAG_MASK);
        h.ttl = 255;
        ip4_emit(&h, buf);
        while (buf[IP4_OFF_TTL] > 0) {
            ip4_decrement_ttl(buf);
            if (get_be16(buf + IP4_OFF_CHECKSUM) != ip4_header_checksum(buf, IP4_HDR_LEN))
                mismatches++;
            if (inet_sum(buf, IP4_HDR_LEN, 0) != 0xffff) bad_sums++;
        }
    }
    CHECK_EQ(mismatches, 0);
    CHECK_EQ(bad_sums, 0);

    /* TTL 0 stays 0 (and the checksum stays right). */
    uint8_t before[IP4_HDR_LEN];
    memcpy(before, buf, IP4_HDR_LEN);
    ip4_decrement_ttl(buf);
    CHECK_MEM(buf, before, IP4_HDR_LEN);
}

static void test_proto_name(void)
{
    CHECK_STR(ip4_proto_name(IP4_PROTO_ICMP), "ICMP");
    CHECK_STR(ip4_proto_name(IP4_PROTO_TCP), "TCP");
    CHECK_STR(ip4_proto_name(IP4_PROTO_UDP), "UDP");
    CHECK_STR(ip4_proto_name(253), "Unknown");
}

int main(void)
{
    test_parse();
    test_errors();
    test_read_header();
    test_options();
    test_emit();
    test_decrement_ttl();
    test_proto_name();
    return check_done();
}
