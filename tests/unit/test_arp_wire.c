/* test_arp_wire.c - a real ARP request and reply (the bytes tshark reads as
 * "Who has 10.0.0.2? Tell 10.0.0.1" and "10.0.0.2 is at 02:00:00:00:00:02"):
 * parse, emit, round trip, and every refusal. */
#include "protocols/arp_wire.h"

#include "check.h"

static const uint8_t arp_request[ARP_LEN] = {
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,             /* Ethernet, IPv4, 6, 4, op 1 */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x01, /* sha, spa 10.0.0.1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x02, /* tha 0, tpa 10.0.0.2 */
};

static const uint8_t arp_reply[ARP_LEN] = {
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02,             /* op 2 */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x02, /* sha, spa 10.0.0.2 */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x01, /* tha, tpa 10.0.0.1 */
};

static const uint8_t mac1[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t mac2[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t zero6[6] = {0};

static void test_parse(void)
{
    struct arp_msg m;
    CHECK_EQ(arp_parse(arp_request, sizeof arp_request, &m), 0);
    CHECK_EQ(m.op, ARP_OP_REQUEST);
    CHECK_MEM(m.sha, mac1, 6);
    CHECK_EQ(m.spa, 0x0a000001);
    CHECK_MEM(m.tha, zero6, 6);
    CHECK_EQ(m.tpa, 0x0a000002);

    CHECK_EQ(arp_parse(arp_reply, sizeof arp_reply, &m), 0);
    CHECK_EQ(m.op, ARP_OP_REPLY);
    CHECK_MEM(m.sha, mac2, 6);
    CHECK_EQ(m.spa, 0x0a000002);
    CHECK_MEM(m.tha, mac1, 6);
    CHECK_EQ(m.tpa, 0x0a000001);

    /* Padding after the message is not ARP's business. */
    uint8_t padded[46] = {0};
    memcpy(padded, arp_request, ARP_LEN);
    CHECK_EQ(arp_parse(padded, sizeof padded, &m), 0);
    CHECK_EQ(m.tpa, 0x0a000002);
}

static void test_errors(void)
{
    struct arp_msg m;
    memset(&m, 0, sizeof m);
    m.op = 77;
    CHECK_EQ(arp_parse(arp_request, ARP_LEN - 1, &m), -1);
    CHECK_EQ(arp_parse(arp_request, 0, &m), -1);
    CHECK_EQ(m.op, 77); /* untouched */

    /* Each of the four "is this Ethernet/IPv4?" fields, one at a time. */
    static const struct {
        size_t off;
        uint8_t val;
    } bad[] = {
        {1, 0x06}, /* hardware type 6 (IEEE 802) */
        {0, 0x01}, /* hardware type 0x0101 */
        {2, 0x86}, /* protocol type 0x8600 */
        {3, 0x06}, /* protocol type 0x0806 */
        {4, 0x08}, /* hardware size 8 */
        {5, 0x10}, /* protocol size 16 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t buf[ARP_LEN];
        memcpy(buf, arp_request, ARP_LEN);
        buf[bad[i].off] = bad[i].val;
        CHECK_EQ(arp_parse(buf, sizeof buf, &m), -2);
        /* ...and a short buffer is reported as short first. */
        CHECK_EQ(arp_parse(buf, ARP_LEN - 1, &m), -1);
    }
    /* An unknown opcode is still a well-formed message: the behaviour
     * decides what to do with it. */
    uint8_t op9[ARP_LEN];
    memcpy(op9, arp_request, ARP_LEN);
    op9[7] = 9;
    CHECK_EQ(arp_parse(op9, sizeof op9, &m), 0);
    CHECK_EQ(m.op, 9);
}

static void test_emit(void)
{
    struct arp_msg req = {.op = ARP_OP_REQUEST, .spa = 0x0a000001, .tpa = 0x0a000002};
    memcpy(req.sha, mac1, 6);
    uint8_t buf[ARP_LEN + 1];
    memset(buf, 0xee, sizeof buf);
    arp_emit(&req, buf);
    CHECK_MEM(buf, arp_request, ARP_LEN);
    CHECK_EQ(buf[ARP_LEN], 0xee); /* exactly ARP_LEN bytes */

    struct arp_msg rep = {.op = ARP_OP_REPLY, .spa = 0x0a000002, .tpa = 0x0a000001};
    memcpy(rep.sha, mac2, 6);
    memcpy(rep.tha, mac1, 6);
    arp_emit(&rep, buf);
    CHECK_MEM(buf, arp_reply, ARP_LEN);

    /* Round trip of something with every byte distinct. */
    struct arp_msg a = {.op = 0x1234,
                        .sha = {1, 2, 3, 4, 5, 6},
                        .spa = 0xc0a80a0b,
                        .tha = {7, 8, 9, 10, 11, 12},
                        .tpa = 0xac100001},
                   b;
    arp_emit(&a, buf);
    CHECK_EQ(arp_parse(buf, ARP_LEN, &b), 0);
    CHECK_EQ(b.op, a.op);
    CHECK_MEM(b.sha, a.sha, 6);
    CHECK_MEM(b.tha, a.tha, 6);
    CHECK_EQ(b.spa, a.spa);
    CHECK_EQ(b.tpa, a.tpa);
    CHECK_EQ(buf[ARP_OFF_SPA], 0xc0);
    CHECK_EQ(buf[ARP_OFF_TPA + 3], 0x01);
}

int main(void)
{
    test_parse();
    test_errors();
    test_emit();
    return check_done();
}
