/* test_eth_wire.c - the Ethernet II header of a real ARP request frame:
 * parse, emit, round trip, and the short-buffer error. */
#include "protocols/eth_wire.h"

#include "check.h"
#include "frames.h"

static void test_parse(void)
{
    struct eth_hdr h;
    static const uint8_t src[6] = {0x02, 0, 0, 0, 0, 0x01};
    CHECK_EQ(eth_parse(arp_req, sizeof arp_req, &h), 0);
    CHECK_MEM(h.dst, ETH_BROADCAST, 6);
    CHECK_MEM(h.src, src, 6);
    CHECK_EQ(h.type, ETH_TYPE_ARP);
    CHECK(eth_is_broadcast(h.dst));
    CHECK(!eth_is_broadcast(h.src));

    /* Exactly a header is enough; one byte less is not. */
    CHECK_EQ(eth_parse(arp_req, ETH_HDR_LEN, &h), 0);
    struct eth_hdr untouched = {.type = 0x1234};
    CHECK_EQ(eth_parse(arp_req, ETH_HDR_LEN - 1, &untouched), -1);
    CHECK_EQ(untouched.type, 0x1234);
    CHECK_EQ(eth_parse(arp_req, 0, &untouched), -1);
}

static void test_emit(void)
{
    struct eth_hdr h = {.type = ETH_TYPE_ARP};
    memcpy(h.dst, ETH_BROADCAST, 6);
    h.src[0] = 0x02;
    h.src[5] = 0x01;
    uint8_t buf[ETH_HDR_LEN + 2];
    memset(buf, 0xee, sizeof buf);
    eth_emit(&h, buf);
    CHECK_MEM(buf, arp_req, ETH_HDR_LEN);
    CHECK_EQ(buf[ETH_HDR_LEN], 0xee); /* writes 14 bytes, no more */
    CHECK_EQ(buf[ETH_HDR_LEN + 1], 0xee);

    /* Round trip with an IPv4 type and unicast addresses. */
    struct eth_hdr a = {.dst = {0x02, 0, 0, 0, 0, 0x02},
                        .src = {0x0a, 0xbb, 0, 0, 0, 1},
                        .type = ETH_TYPE_IPV4},
                   b;
    eth_emit(&a, buf);
    CHECK_EQ(buf[12], 0x08);
    CHECK_EQ(buf[13], 0x00);
    CHECK_EQ(eth_parse(buf, ETH_HDR_LEN, &b), 0);
    CHECK_MEM(b.dst, a.dst, 6);
    CHECK_MEM(b.src, a.src, 6);
    CHECK_EQ(b.type, ETH_TYPE_IPV4);
}

static void test_addresses(void)
{
    static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t mc[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
    static const uint8_t uc[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    static const uint8_t almost[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xfe};
    CHECK_MEM(ETH_BROADCAST, bc, 6);
    CHECK(eth_is_broadcast(bc));
    CHECK(!eth_is_broadcast(almost));
    CHECK(eth_is_multicast(bc));
    CHECK(eth_is_multicast(mc));
    CHECK(!eth_is_multicast(uc));
    CHECK(!eth_is_broadcast(mc));
}

int main(void)
{
    test_parse();
    test_emit();
    test_addresses();
    return check_done();
}
