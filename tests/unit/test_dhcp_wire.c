/* test_dhcp_wire.c - DHCP messages (protocols/dhcp_wire.h, RFC 2131/2132)
 * over byte arrays: a Discover parsed field by field and emitted back byte
 * for byte, an Offer with every option the server sends, the 300-byte
 * minimum, pad options, what follows End, and each way a message can be
 * malformed (too short, no magic cookie, an option running past the end,
 * options of the wrong size, no or an unknown message type, hlen > 16). */
#include "check.h"
#include "protocols/dhcp_wire.h"

#define IP(a, b, c, d)                                                                             \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static const uint8_t mac[6] = {0x02, 0, 0, 0, 0x01, 0x01};

/* A Discover as pc1 sends it: BOOTP header, cookie, options 53, 12, 55,
 * 61, End, zeros up to 300 bytes. */
static size_t make_discover(uint8_t *b)
{
    memset(b, 0, 300);
    b[0] = 1; /* BOOTREQUEST */
    b[1] = 1; /* Ethernet */
    b[2] = 6;
    put_be32(b + 4, 0x3903f326);
    put_be16(b + 8, 3);       /* secs */
    put_be16(b + 10, 0x8000); /* BROADCAST */
    memcpy(b + 28, mac, 6);
    put_be32(b + 236, 0x63825363);
    static const uint8_t opts[] = {53, 1,  1, 12, 3, 'p', 'c', '1', 55, 3, 1,  3,
                                   6,  61, 7, 1,  2, 0,   0,   0,   1,  1, 255};
    memcpy(b + 240, opts, sizeof opts);
    return 300;
}

static void test_discover(void)
{
    uint8_t b[300], out[DHCP_MAX_LEN];
    size_t n = make_discover(b);
    struct dhcp_msg m;
    CHECK_EQ(dhcp_parse(b, n, &m), DHCP_OK);
    CHECK_EQ(m.op, DHCP_BOOTREQUEST);
    CHECK_EQ(m.htype, 1);
    CHECK_EQ(m.hlen, 6);
    CHECK_EQ(m.xid, 0x3903f326);
    CHECK_EQ(m.secs, 3);
    CHECK_EQ(m.flags, DHCP_FLAG_BROADCAST);
    CHECK_EQ(m.ciaddr, 0);
    CHECK_MEM(m.chaddr, mac, 6);
    CHECK_EQ(m.type, DHCPDISCOVER);
    CHECK_STR(m.hostname, "pc1");
    CHECK_EQ(m.n_prl, 3);
    CHECK_EQ(m.prl[2], 6);
    CHECK_EQ(m.client_id_len, 7);
    CHECK_MEM(m.client_id + 1, mac, 6);
    CHECK(!m.has_req_addr && !m.has_server_id && !m.has_lease);
    /* emit gives the same bytes back */
    size_t k = dhcp_emit(&m, out, sizeof out);
    CHECK_EQ(k, 300);
    CHECK_MEM(out, b, 300);
}

static void test_offer(void)
{
    struct dhcp_msg m = {.op = DHCP_BOOTREPLY, .htype = 1, .hlen = 6, .xid = 0xdeadbeef};
    memcpy(m.chaddr, mac, 6);
    m.yiaddr = IP(192, 168, 1, 100);
    m.type = DHCPOFFER;
    m.has_server_id = m.has_lease = m.has_t1 = m.has_t2 = m.has_mask = true;
    m.server_id = IP(192, 168, 1, 1);
    m.lease = 3600;
    m.t1 = 1800;
    m.t2 = 3150;
    m.mask = 0xffffff00;
    m.n_routers = 1;
    m.routers[0] = IP(192, 168, 1, 1);
    m.n_dns = 2;
    m.dns[0] = IP(10, 0, 0, 53);
    m.dns[1] = IP(10, 0, 0, 54);
    snprintf(m.message, sizeof m.message, "hello");
    uint8_t b[DHCP_MAX_LEN];
    size_t n = dhcp_emit(&m, b, sizeof b);
    CHECK_EQ(n, 300);
    CHECK_EQ(get_be32(b + DHCP_OFF_YIADDR), IP(192, 168, 1, 100));
    CHECK_EQ(get_be32(b + DHCP_OFF_COOKIE), DHCP_MAGIC);
    /* options in the order servers send them: 53, 54, 51, 58, 59, 1, 3, 6, 56 */
    static const uint8_t want[] = {
        53, 1, 2,  54, 4, 192, 168,  1,    1, 51, 4,   0,   0,   0x0e, 0x10, 58,  4,   0,   0,
        7,  8, 59, 4,  0, 0,   0x0c, 0x4e, 1, 4,  255, 255, 255, 0,    3,    4,   192, 168, 1,
        1,  6, 8,  10, 0, 0,   53,   10,   0, 0,  54,  56,  5,   'h',  'e',  'l', 'l', 'o', 255};
    CHECK_MEM(b + DHCP_OPT_START, want, sizeof want);
    CHECK_EQ(b[DHCP_OPT_START + sizeof want], 0); /* padding */
    struct dhcp_msg p;
    CHECK_EQ(dhcp_parse(b, n, &p), DHCP_OK);
    CHECK_EQ(p.type, DHCPOFFER);
    CHECK_EQ(p.server_id, IP(192, 168, 1, 1));
    CHECK_EQ(p.lease, 3600);
    CHECK_EQ(p.t1, 1800);
    CHECK_EQ(p.t2, 3150);
    CHECK_EQ(p.mask, 0xffffff00);
    CHECK_EQ(p.n_routers, 1);
    CHECK_EQ(p.n_dns, 2);
    CHECK_EQ(p.dns[1], IP(10, 0, 0, 54));
    CHECK_STR(p.message, "hello");
    /* too small a buffer */
    CHECK_EQ(dhcp_emit(&m, b, 299), 0);
}

static void test_pad_and_after_end(void)
{
    uint8_t b[320];
    make_discover(b);
    /* pads before the first option are skipped */
    static const uint8_t opts[] = {0, 0, 53, 1, 3, 50, 4, 10, 0, 0, 7, 255, 53, 99, 1};
    memcpy(b + 240, opts, sizeof opts);
    struct dhcp_msg m;
    CHECK_EQ(dhcp_parse(b, 300, &m), DHCP_OK);
    CHECK_EQ(m.type, DHCPREQUEST); /* the broken option after End is never read */
    CHECK(m.has_req_addr);
    CHECK_EQ(m.req_addr, IP(10, 0, 0, 7));
    /* the walker: pad, pad, 53, 50, End, then nothing */
    size_t off = DHCP_OPT_START;
    uint8_t code, len;
    const uint8_t *v;
    int seen = 0;
    while (dhcp_opt_next(b, 300, &off, &code, &len, &v) > 0)
        seen++;
    CHECK_EQ(seen, 5);
    /* no End at all: the options stop with the buffer */
    CHECK_EQ(dhcp_parse(b, 240 + 11, &m), DHCP_OK);
}

static void test_malformed(void)
{
    uint8_t b[300];
    struct dhcp_msg m;
    make_discover(b);
    CHECK_EQ(dhcp_parse(b, 239, &m), DHCP_ERR_SHORT);
    CHECK_EQ(dhcp_parse(b, 0, &m), DHCP_ERR_SHORT);
    /* option 12 says 3 bytes but the message ends after 1 */
    CHECK_EQ(dhcp_parse(b, 240 + 3 + 3, &m), DHCP_ERR_OPT_LEN);
    /* a code with no length byte */
    CHECK_EQ(dhcp_parse(b, 240 + 3 + 1, &m), DHCP_ERR_OPT_LEN);
    /* missing cookie: plain BOOTP */
    b[236] = 0;
    CHECK_EQ(dhcp_parse(b, 300, &m), DHCP_ERR_COOKIE);
    make_discover(b);
    /* missing message type: option 53 replaced by a pad */
    b[240] = 0, b[241] = 0, b[242] = 0;
    CHECK_EQ(dhcp_parse(b, 300, &m), DHCP_ERR_NO_TYPE);
    make_discover(b);
    b[242] = 9; /* type 9 does not exist */
    CHECK_EQ(dhcp_parse(b, 300, &m), DHCP_ERR_BAD_TYPE);
    make_discover(b);
    b[241] = 2; /* type with length 2 */
    CHECK_EQ(dhcp_parse(b, 300, &m), DHCP_ERR_OPT_SIZE);
    make_discover(b);
    b[2] = 17; /* hlen */
    CHECK_EQ(dhcp_parse(b, 300, &m), DHCP_ERR_HW);
    /* wrong sizes for options we read */
    static const uint8_t bad[][8] = {
        {1, 3, 255, 255, 255},    /* mask of 3 bytes */
        {3, 6, 1, 2, 3, 4, 5, 6}, /* router list not a multiple of 4 */
        {51, 2, 0, 1},            /* lease of 2 bytes */
        {54, 0},                  /* empty server id */
        {12, 0},                  /* empty host name */
        {61, 1, 1},               /* client id of 1 byte */
        {55, 0},                  /* empty request list */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        make_discover(b);
        memset(b + 240, 0, 60);
        b[240] = 53, b[241] = 1, b[242] = 1;
        memcpy(b + 243, bad[i], 8);
        b[243 + 2 + bad[i][1]] = 255;
        CHECK_EQ(dhcp_parse(b, 300, &m), DHCP_ERR_OPT_SIZE);
    }
    CHECK(strstr(dhcp_parse_err_str(DHCP_ERR_COOKIE), "magic cookie"));
}

static void test_names(void)
{
    CHECK_STR(dhcp_type_name(DHCPDISCOVER), "Discover");
    CHECK_STR(dhcp_type_name(DHCPACK), "ACK");
    CHECK_STR(dhcp_type_name(DHCPNAK), "NAK");
    CHECK_STR(dhcp_type_name(9), "Unknown");
    CHECK_STR(dhcp_type_word(DHCPOFFER), "DHCPOFFER");
    CHECK_STR(dhcp_opt_name(54), "DHCP Server Identifier");
    CHECK(dhcp_opt_name(200) == NULL);
}

int main(void)
{
    test_discover();
    test_offer();
    test_pad_and_after_end();
    test_malformed();
    test_names();
    return check_done();
}
