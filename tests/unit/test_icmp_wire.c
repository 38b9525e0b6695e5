/* test_icmp_wire.c - real ICMP messages (an echo request as Linux ping
 * sends it, a time-exceeded and a fragmentation-needed error quoting it,
 * checksums as tshark verifies them): parse, emit, round trip, in-place
 * emit, errors, and tshark's names for types and codes. */
#include "protocols/icmp_wire.h"

#include "check.h"

/* Echo request id 1 seq 1, 56 bytes of data 0x10..0x47, checksum 0x3f29. */
static const uint8_t echo_req[64] = {
    0x08, 0x00, 0x3f, 0x29, 0x00, 0x01, 0x00, 0x01, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
    0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
    0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
    0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
};

/* Time exceeded in transit, quoting the IPv4 header (TTL 1, to 10.0.2.2)
 * and the first 8 bytes of that echo request; checksum 0xadd4. */
static const uint8_t ttl_exceeded[36] = {
    0x0b, 0x00, 0xad, 0xd4, 0x00, 0x00, 0x00, 0x00, /* type 11 code 0, unused */
    0x45, 0x00, 0x00, 0x54, 0x00, 0x01, 0x40, 0x00, 0x01, 0x01, 0x63, 0xa6, 0x0a, 0x00,
    0x00, 0x01, 0x0a, 0x00, 0x02, 0x02, 0x08, 0x00, 0x3f, 0x29, 0x00, 0x01, 0x00, 0x01,
};

/* Fragmentation needed, next-hop MTU 1400 (RFC 1191), same quote; 0xb058. */
static const uint8_t frag_needed[36] = {
    0x03, 0x04, 0xb0, 0x58, 0x00, 0x00, 0x05, 0x78, 0x45, 0x00, 0x00, 0x54,
    0x00, 0x01, 0x40, 0x00, 0x01, 0x01, 0x63, 0xa6, 0x0a, 0x00, 0x00, 0x01,
    0x0a, 0x00, 0x02, 0x02, 0x08, 0x00, 0x3f, 0x29, 0x00, 0x01, 0x00, 0x01,
};

static void test_parse(void)
{
    struct icmp_msg m;
    CHECK_EQ(icmp_parse(echo_req, sizeof echo_req, &m), 0);
    CHECK_EQ(m.type, ICMP_ECHO_REQUEST);
    CHECK_EQ(m.code, 0);
    CHECK_EQ(m.checksum, 0x3f29);
    CHECK_EQ(m.id, 1);
    CHECK_EQ(m.seq, 1);
    CHECK_EQ(m.rest, 0x00010001);
    CHECK(m.body == echo_req + 8);
    CHECK_EQ(m.body_len, 56);

    CHECK_EQ(icmp_parse(ttl_exceeded, sizeof ttl_exceeded, &m), 0);
    CHECK_EQ(m.type, ICMP_TIME_EXCEEDED);
    CHECK_EQ(m.code, ICMP_EXC_TTL);
    CHECK_EQ(m.rest, 0);
    CHECK_EQ(m.body_len, 28);
    CHECK_EQ(m.body[0], 0x45);

    CHECK_EQ(icmp_parse(frag_needed, sizeof frag_needed, &m), 0);
    CHECK_EQ(m.type, ICMP_DEST_UNREACH);
    CHECK_EQ(m.code, ICMP_FRAG_NEEDED);
    CHECK_EQ(m.rest, 1400);
    CHECK_EQ(m.seq, 1400);

    /* A header alone is a valid message. */
    uint8_t bare[8] = {8, 0, 0, 0, 0x12, 0x34, 0, 7};
    put_be16(bare + 2, icmp_checksum_compute(bare, 8));
    CHECK_EQ(icmp_parse(bare, 8, &m), 0);
    CHECK_EQ(m.body_len, 0);
    CHECK_EQ(m.id, 0x1234);
}

static void test_errors(void)
{
    struct icmp_msg m;
    memset(&m, 0, sizeof m);
    m.type = 99;
    CHECK_EQ(icmp_parse(echo_req, 7, &m), -1);
    CHECK_EQ(icmp_parse(echo_req, 0, &m), -1);
    CHECK_EQ(m.type, 99); /* untouched */

    /* One flipped bit anywhere breaks the checksum; the fields are still
     * filled (the dissector shows them). */
    uint8_t buf[sizeof echo_req];
    for (size_t i = 0; i < sizeof buf; i++) {
        memcpy(buf, echo_req, sizeof buf);
        buf[i] ^= 0x04;
        CHECK_EQ(icmp_parse(buf, sizeof buf, &m), -2);
    }
    memcpy(buf, echo_req, sizeof buf);
    buf[6] = 0x10; /* seq 0x1001 */
    CHECK_EQ(icmp_parse(buf, sizeof buf, &m), -2);
    CHECK_EQ(m.seq, 0x1001);
    CHECK_EQ(m.checksum, 0x3f29);
    CHECK_EQ(icmp_checksum_compute(buf, sizeof buf), 0x2f29);
    /* A cut message fails its checksum too. */
    CHECK_EQ(icmp_parse(echo_req, 40, &m), -2);
    CHECK_EQ(m.body_len, 32);
}

static void test_emit(void)
{
    uint8_t buf[80];
    struct icmp_msg m = {.type = ICMP_ECHO_REQUEST,
                         .id = 1,
                         .seq = 1,
                         .rest = 0xdeadbeef,
                         .body = echo_req + 8,
                         .body_len = 56,
                         .checksum = 0xffff};
    memset(buf, 0xee, sizeof buf);
    CHECK_EQ(icmp_emit(&m, buf), 64);
    CHECK_MEM(buf, echo_req, 64);
    CHECK_EQ(buf[64], 0xee);

    /* In place: the body already sits at buf + 8 (how the stack builds a
     * reply from the request it received). */
    memcpy(buf, echo_req, sizeof echo_req);
    struct icmp_msg in;
    CHECK_EQ(icmp_parse(buf, sizeof echo_req, &in), 0);
    in.type = ICMP_ECHO_REPLY;
    CHECK_EQ(icmp_emit(&in, buf), 64);
    CHECK_EQ(buf[0], 0);
    CHECK_EQ(get_be16(buf + 2), 0x4729); /* type 8 -> 0: checksum + 0x0800 */
    CHECK_MEM(buf + 8, echo_req + 8, 56);
    CHECK_EQ(icmp_parse(buf, 64, &in), 0);

    /* Errors carry `rest`, not id/seq. */
    struct icmp_msg te = {.type = ICMP_TIME_EXCEEDED,
                          .code = ICMP_EXC_TTL,
                          .rest = 0,
                          .id = 0x5555,
                          .seq = 0x5555,
                          .body = ttl_exceeded + 8,
                          .body_len = 28};
    CHECK_EQ(icmp_emit(&te, buf), 36);
    CHECK_MEM(buf, ttl_exceeded, 36);
    struct icmp_msg fn = {.type = ICMP_DEST_UNREACH,
                          .code = ICMP_FRAG_NEEDED,
                          .rest = 1400,
                          .body = frag_needed + 8,
                          .body_len = 28};
    CHECK_EQ(icmp_emit(&fn, buf), 36);
    CHECK_MEM(buf, frag_needed, 36);

    /* Empty body, NULL pointer. */
    struct icmp_msg e = {.type = ICMP_ECHO_REPLY, .id = 7, .seq = 9};
    CHECK_EQ(icmp_emit(&e, buf), 8);
    CHECK_EQ(icmp_parse(buf, 8, &in), 0);
    CHECK_EQ(in.id, 7);
    CHECK_EQ(in.seq, 9);
}

static void test_names(void)
{
    CHECK_STR(icmp_type_name(8, 0), "Echo (ping) request");
    CHECK_STR(icmp_type_name(0, 0), "Echo (ping) reply");
    CHECK_STR(icmp_type_name(3, 0), "Destination unreachable (Network unreachable)");
    CHECK_STR(icmp_type_name(3, 1), "Destination unreachable (Host unreachable)");
    CHECK_STR(icmp_type_name(3, 2), "Destination unreachable (Protocol unreachable)");
    CHECK_STR(icmp_type_name(3, 3), "Destination unreachable (Port unreachable)");
    CHECK_STR(icmp_type_name(3, 4), "Destination unreachable (Fragmentation needed)");
    CHECK_STR(icmp_type_name(11, 0), "Time-to-live exceeded (Time to live exceeded in transit)");
    CHECK_STR(icmp_type_name(11, 1), "Time-to-live exceeded (Fragment reassembly time exceeded)");
    CHECK_STR(icmp_type_name(3, 200), "Destination unreachable (Unknown code)");
    CHECK_STR(icmp_type_name(200, 0), "Unknown ICMP (obsolete or malformed?)");

    CHECK_STR(icmp_type_label(3), "Destination unreachable");
    CHECK_STR(icmp_type_label(11), "Time-to-live exceeded");
    CHECK_STR(icmp_type_label(8), "Echo (ping) request");
    CHECK_STR(icmp_code_name(3, 3), "Port unreachable");
    CHECK_STR(icmp_code_name(11, 0), "Time to live exceeded in transit");
    CHECK(icmp_code_name(8, 0) == NULL);
    CHECK(icmp_code_name(0, 5) == NULL);

    CHECK(icmp_type_is_error(3));
    CHECK(icmp_type_is_error(11));
    CHECK(!icmp_type_is_error(0));
    CHECK(!icmp_type_is_error(8));
}

int main(void)
{
    test_parse();
    test_errors();
    test_emit();
    test_names();
    return check_done();
}
