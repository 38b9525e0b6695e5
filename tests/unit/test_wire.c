/* test_wire.c - the Internet checksum (RFC 1071's own example), address
 * formatting, and the strict text parsers for addresses, prefixes and MACs. */
#include "protocols/wire.h"

#include "check.h"

static void test_checksum(void)
{
    /* RFC 1071 section 3 example: the sum of these words is ddf2. */
    static const uint8_t rfc[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    CHECK_EQ(inet_sum(rfc, sizeof rfc, 0), 0xddf2);
    CHECK_EQ(inet_checksum(rfc, sizeof rfc), 0x220d);
    /* Chaining: two even halves give the same sum as the whole. */
    CHECK_EQ(inet_sum(rfc + 4, 4, inet_sum(rfc, 4, 0)), 0xddf2);
    /* An odd trailing byte is padded on the right. */
    static const uint8_t odd[] = {0x01};
    CHECK_EQ(inet_sum(odd, 1, 0), 0x0100);
    static const uint8_t odd3[] = {0x12, 0x34, 0x56};
    CHECK_EQ(inet_sum(odd3, 3, 0), 0x1234 + 0x5600);
    /* Carries fold back in: ffff + ffff + 0002 = 0x20000 -> 0x0002. */
    static const uint8_t carry[] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x02};
    CHECK_EQ(inet_sum(carry, sizeof carry, 0), 0x0002);
    CHECK_EQ(inet_sum(NULL, 0, 0x1234), 0x1234);
    CHECK_EQ(inet_checksum(NULL, 0), 0xffff);

    /* A real IPv4 header (ICMP echo 10.0.0.1 -> 10.0.0.2, checked with
     * tshark): checksum 0x26a6, and summing it with the checksum in place
     * gives all ones. */
    uint8_t ip[] = {0x45, 0x00, 0x00, 0x54, 0x00, 0x01, 0x40, 0x00, 0x40, 0x01,
                    0x26, 0xa6, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02};
    CHECK_EQ(inet_sum(ip, sizeof ip, 0), 0xffff);
    ip[10] = ip[11] = 0;
    CHECK_EQ(inet_checksum(ip, sizeof ip), 0x26a6);
}

static void test_byte_order(void)
{
    uint8_t b[4] = {0};
    put_be16(b, 0x1234);
    CHECK_EQ(b[0], 0x12);
    CHECK_EQ(b[1], 0x34);
    CHECK_EQ(get_be16(b), 0x1234);
    put_be32(b, 0xc0a80a01);
    CHECK_EQ(b[0], 0xc0);
    CHECK_EQ(b[3], 0x01);
    CHECK_EQ(get_be32(b), 0xc0a80a01);
}

static void test_format(void)
{
    char buf[18];
    CHECK_STR(ip4_str(0x0a000001, buf), "10.0.0.1");
    CHECK_STR(ip4_str(0, buf), "0.0.0.0");
    CHECK_STR(ip4_str(0xffffffff, buf), "255.255.255.255");
    CHECK_STR(ip4_str(0xc0a864c8, buf), "192.168.100.200");
    CHECK_STR(ip4_str(0x0a63090a, buf), "10.99.9.10");
    CHECK(ip4_str(1, buf) == buf);

    static const uint8_t mac[6] = {0x02, 0x00, 0x5e, 0xab, 0xcd, 0xef};
    CHECK_STR(mac_str(mac, buf), "02:00:5e:ab:cd:ef");
    static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    CHECK_STR(mac_str(bc, buf), "ff:ff:ff:ff:ff:ff");
}

static void test_parse_addr(void)
{
    uint32_t a = 0;
    CHECK(ip4_parse_addr("10.0.0.1", &a));
    CHECK_EQ(a, 0x0a000001);
    CHECK(ip4_parse_addr("0.0.0.0", &a));
    CHECK_EQ(a, 0);
    CHECK(ip4_parse_addr("255.255.255.255", &a));
    CHECK_EQ(a, 0xffffffffu);
    CHECK(ip4_parse_addr("192.168.100.200", &a));
    CHECK_EQ(a, 0xc0a864c8);

    static const char *const bad[] = {
        "",          "1.2.3",    "1.2.3.4.5",  "256.1.1.1", "1.2.3.256",  "1.2.3.4 ",
        " 1.2.3.4",  "1..2.3",   ".1.2.3",     "1.2.3.",    "01.2.3.4",   "1.2.3.00",
        "1.2.3.-4",  "1.2.3.+4", "1.2.3.4/24", "a.b.c.d",   "1.2.3.1000", "1.2.3.4\n",
        "0x1.2.3.4", "1.2.3.4.", "1,2,3,4",    "1.2.3.4x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        a = 0x12345678;
        int ok = ip4_parse_addr(bad[i], &a);
        if (ok) fprintf(stderr, "accepted \"%s\"\n", bad[i]);
        CHECK(!ok);
        CHECK_EQ(a, 0x12345678); /* untouched on failure */
    }
    CHECK(!ip4_parse_addr(NULL, &a));
    CHECK(ip4_parse_addr("10.1.2.3", &a));
    CHECK_EQ(a, 0x0a010203);
    CHECK(!ip4_parse_addr("10.1.2", &a));
}

static void test_parse_prefix(void)
{
    uint32_t a = 0;
    uint8_t len = 99;
    CHECK(ip4_parse_prefix("192.168.1.1/24", &a, &len));
    CHECK_EQ(a, 0xc0a80101);
    CHECK_EQ(len, 24);
    CHECK(ip4_parse_prefix("0.0.0.0/0", &a, &len));
    CHECK_EQ(a, 0);
    CHECK_EQ(len, 0);
    CHECK(ip4_parse_prefix("10.0.0.1/32", &a, &len));
    CHECK_EQ(len, 32);
    CHECK(ip4_parse_prefix("10.0.0.0/8", &a, &len));
    CHECK_EQ(len, 8);

    static const char *const bad[] = {
        "10.0.0.1",     "10.0.0.1/",    "10.0.0.1/33",  "10.0.0.1/-1", "10.0.0.1/24x",
        "10.0.0.1/ 24", "10.0.0.1/024", "10.0.0/24",    "/24",         "10.0.0.1//24",
        "10.0.0.1/24/", "10.0.0.1/100", "10.0.0.256/8", "10.0.0.1 /8",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        a = 7;
        len = 7;
        int ok = ip4_parse_prefix(bad[i], &a, &len);
        if (ok) fprintf(stderr, "accepted \"%s\"\n", bad[i]);
        CHECK(!ok);
        CHECK_EQ(a, 7);
        CHECK_EQ(len, 7);
    }
    CHECK(!ip4_parse_prefix(NULL, &a, &len));
}

static void test_mask(void)
{
    CHECK_EQ(ip4_mask(0), 0);
    CHECK_EQ(ip4_mask(8), 0xff000000u);
    CHECK_EQ(ip4_mask(24), 0xffffff00u);
    CHECK_EQ(ip4_mask(31), 0xfffffffeu);
    CHECK_EQ(ip4_mask(32), 0xffffffffu);
}

static void test_mac_parse(void)
{
    uint8_t m[6] = {0};
    static const uint8_t want[6] = {0x02, 0x00, 0x5e, 0xab, 0xcd, 0xef};
    CHECK(mac_parse("02:00:5e:ab:cd:ef", m));
    CHECK_MEM(m, want, 6);
    memset(m, 0, 6);
    CHECK(mac_parse("02:00:5E:AB:CD:EF", m));
    CHECK_MEM(m, want, 6);
    memset(m, 0, 6);
    CHECK(mac_parse("02:00:5e:Ab:cD:eF", m));
    CHECK_MEM(m, want, 6);
    CHECK(mac_parse("ff:ff:ff:ff:ff:ff", m));
    CHECK_EQ(m[5], 0xff);

    static const char *const bad[] = {
        "",
        "02:00:5e:ab:cd",
        "02:00:5e:ab:cd:ef:01",
        "02-00-5e-ab-cd-ef",
        "02:00:5e:ab:cd:e",
        "2:00:5e:ab:cd:ef",
        "02:00:5e:ab:cd:eg",
        "02:00:5e:ab:cd:ef ",
        " 02:00:5e:ab:cd:ef",
        "0200.5eab.cdef",
        "02:00:5e:ab:cd:",
        "02::5e:ab:cd:ef",
        "020:0:5e:ab:cd:ef",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(m, 0x77, 6);
        int ok = mac_parse(bad[i], m);
        if (ok) fprintf(stderr, "accepted \"%s\"\n", bad[i]);
        CHECK(!ok);
        CHECK_EQ(m[0], 0x77); /* untouched on failure */
    }
    CHECK(!mac_parse(NULL, m));
}

/* RFC 1624 incremental updates give what a full recomputation gives, for
 * 16-bit words and 32-bit fields, including words that sum to 0xffff. */
static void test_checksum_update(void)
{
    uint8_t buf[20];
    uint32_t x = 12345;
    for (int round = 0; round < 2000; round++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            x = x * 1103515245u + 12345u;
            buf[i] = (uint8_t)(round < 20 ? (round & 1 ? 0xff : 0) : x >> 16);
        }
        put_be16(buf + 10, 0);
        put_be16(buf + 10, inet_checksum(buf, sizeof buf));
        x = x * 1103515245u + 12345u;
        size_t at = (x >> 16) % 4 * 2 + 12; /* a word of bytes 12..19 */
        uint16_t old16 = get_be16(buf + at), new16 = (uint16_t)(x >> 3);
        uint16_t c = inet_csum_update16(get_be16(buf + 10), old16, new16);
        put_be16(buf + at, new16);
        put_be16(buf + 10, 0);
        CHECK_EQ(c, inet_checksum(buf, sizeof buf));
        put_be16(buf + 10, c);
        uint32_t old32 = get_be32(buf + 12), new32 = x * 2654435761u;
        c = inet_csum_update32(c, old32, new32);
        put_be32(buf + 12, new32);
        put_be16(buf + 10, 0);
        CHECK_EQ(c, inet_checksum(buf, sizeof buf));
    }
}

int main(void)
{
    test_checksum();
    test_checksum_update();
    test_byte_order();
    test_format();
    test_parse_addr();
    test_parse_prefix();
    test_mask();
    test_mac_parse();
    return check_done();
}
