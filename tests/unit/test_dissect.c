/* test_dissect.c - the dissector on real frames: tshark's columns (every
 * expected Info string below was read off tshark 4.0 for the same bytes),
 * layer titles, field values, offsets and lengths, padding, bad checksums,
 * malformed and truncated frames (every length from 0 to the full frame),
 * the allocation-free summary, and the printed tree. */
#include "protocols/dissect.h"
#include "protocols/wire.h"

#include "check.h"
#include "frames.h"

#include <stdlib.h>

/* ARP reply: 10.0.0.2 is at 02:00:00:00:00:02 (60 bytes). */
static const uint8_t arp_rep[60] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x06,
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x0a, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x01,
};

/* 10.0.0.2 to 10.0.0.1: port unreachable, quoting UDP 40000 -> 53 (70 bytes). */
static const uint8_t port_unr[70] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x38, 0x00, 0x09, 0x00, 0x00, 0x40, 0x01, 0x66, 0xba, 0x0a, 0x00,
    0x00, 0x02, 0x0a, 0x00, 0x00, 0x01, 0x03, 0x03, 0x60, 0x7b, 0x00, 0x00, 0x00, 0x00,
    0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x40, 0x00, 0x40, 0x11, 0x26, 0xca, 0x0a, 0x00,
    0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00,
};

/* First fragment (MF, offset 0, id 0xabcd) of an echo request (66 bytes). */
static const uint8_t frag_first[66] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x34, 0xab, 0xcd, 0x20, 0x00, 0x40, 0x01, 0x9a, 0xf9, 0x0a, 0x00,
    0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x08, 0x00, 0x3f, 0x29, 0x00, 0x01, 0x00, 0x01,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
    0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
};

/* Its second and last fragment (offset 4 units = 32 bytes). */
static const uint8_t frag_second[66] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x34, 0xab, 0xcd, 0x00, 0x04, 0x40, 0x01, 0xba, 0xf5, 0x0a, 0x00,
    0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d,
    0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
};

/* An EtherType nobody here knows (0x88b5, local experimental), "hello". */
static const uint8_t unknown_eth[60] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x88, 0xb5, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/* IPv4 protocol 253 (experimental) with 3 bytes, padded to 60. */
static const uint8_t proto253[60] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08,
    0x00, 0x45, 0x00, 0x00, 0x17, 0x00, 0x01, 0x40, 0x00, 0x40, 0xfd, 0x25, 0xe7,
    0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x78, 0x79, 0x7a,
};

struct frame_case {
    const char *what;
    const uint8_t *bytes;
    size_t len;
    size_t need; /* shorter than this is malformed */
    const char *protocol, *src, *dst, *info;
};

static const struct frame_case cases[] = {
    {"arp request", arp_req, sizeof arp_req, 42, "ARP", "02:00:00:00:00:01", "Broadcast",
     "Who has 10.0.0.2? Tell 10.0.0.1"},
    {"arp reply", arp_rep, sizeof arp_rep, 42, "ARP", "02:00:00:00:00:02", "02:00:00:00:00:01",
     "10.0.0.2 is at 02:00:00:00:00:02"},
    {"echo request", echo_req, sizeof echo_req, 98, "ICMP", "10.0.0.1", "10.0.0.2",
     "Echo (ping) request  id=0x0001, seq=1/256, ttl=64"},
    {"ttl exceeded", ttl_exc, sizeof ttl_exc, 70, "ICMP", "10.0.0.254", "10.0.0.1",
     "Time-to-live exceeded (Time to live exceeded in transit)"},
    {"port unreachable", port_unr, sizeof port_unr, 70, "ICMP", "10.0.0.2", "10.0.0.1",
     "Destination unreachable (Port unreachable)"},
    {"first fragment", frag_first, sizeof frag_first, 66, "IPv4", "10.0.0.1", "10.0.0.2",
     "Fragmented IP protocol (proto=ICMP 1, off=0, ID=abcd)"},
    {"last fragment", frag_second, sizeof frag_second, 66, "IPv4", "10.0.0.1", "10.0.0.2",
     "Fragmented IP protocol (proto=ICMP 1, off=32, ID=abcd)"},
    {"unknown ethertype", unknown_eth, sizeof unknown_eth, 14, "ETH", "02:00:00:00:00:01",
     "02:00:00:00:00:02", "EtherType 0x88b5 (Unknown), 46 bytes"},
    {"ip proto 253", proto253, sizeof proto253, 37, "IPv4", "10.0.0.1", "10.0.0.2",
     "Unknown (253)"},
};
#define N_CASES (sizeof cases / sizeof cases[0])

/* The nth field called name in the layer with that abbrev, or NULL. */
static const struct dis_field *field(const struct dissection *d, const char *abbrev,
                                     const char *name, int nth)
{
    for (int i = 0; i < d->n_layers; i++) {
        const struct dis_layer *l = &d->layers[i];
        if (strcmp(l->abbrev, abbrev) != 0) continue;
        for (uint32_t k = 0; k < l->n_fields; k++) {
            const struct dis_field *f = &d->fields[l->first_field + k];
            if (strcmp(f->name, name) == 0 && nth-- == 0) return f;
        }
    }
    return NULL;
}

static const char *value(const struct dissection *d, const char *abbrev, const char *name)
{
    const struct dis_field *f = field(d, abbrev, name, 0);
    return f ? f->value : "(no such field)";
}

/* The field is there, where we say, with that value. */
#define CHECK_FIELD(d, abbrev, name, off_, len_, val)                                              \
    do {                                                                                           \
        const struct dis_field *f_ = field(d, abbrev, name, 0);                                    \
        CHECK(f_ != NULL);                                                                         \
        if (f_) {                                                                                  \
            CHECK_EQ(f_->off, off_);                                                               \
            CHECK_EQ(f_->len, len_);                                                               \
            CHECK_STR(f_->value, val);                                                             \
        }                                                                                          \
    } while (0)

/* Every layer and field inside [0, len); fields of a layer contiguous and
 * pointing back at it. Returns the number of violations. */
static int check_bounds(const struct dissection *d, size_t len)
{
    int bad = 0;
    uint32_t next = 0;
    for (int i = 0; i < d->n_layers; i++) {
        const struct dis_layer *l = &d->layers[i];
        if (l->off > len || l->len > len - l->off) bad++;
        if (l->first_field != next) bad++;
        next = l->first_field + l->n_fields;
        for (uint32_t k = 0; k < l->n_fields; k++) {
            const struct dis_field *f = &d->fields[l->first_field + k];
            if (f->off > len || f->len > len - f->off || f->layer != i || f->depth > 1) bad++;
        }
    }
    if (next != d->n_fields) bad++;
    return bad;
}

static void test_columns(void)
{
    for (size_t i = 0; i < N_CASES; i++) {
        const struct frame_case *fc = &cases[i];
        struct dissection d, s;
        dissect_frame(fc->bytes, fc->len, &d);
        if (strcmp(d.info, fc->info) != 0) fprintf(stderr, "case: %s\n", fc->what);
        CHECK_STR(d.protocol, fc->protocol);
        CHECK_STR(d.src, fc->src);
        CHECK_STR(d.dst, fc->dst);
        CHECK_STR(d.info, fc->info);
        CHECK(!d.malformed);
        CHECK_EQ(check_bounds(&d, fc->len), 0);
        CHECK(d.n_fields > 0);

        /* The summary says the same and allocates nothing. */
        dissect_summary(fc->bytes, fc->len, &s);
        CHECK_STR(s.protocol, d.protocol);
        CHECK_STR(s.src, d.src);
        CHECK_STR(s.dst, d.dst);
        CHECK_STR(s.info, d.info);
        CHECK(s.fields == NULL);
        CHECK_EQ(s.n_fields, 0);
        CHECK(!s.malformed);
        dissect_free(&d);
        CHECK(d.fields == NULL);
    }
}

static void test_arp_variants(void)
{
    struct dissection d;
    uint8_t f[60];

    /* Gratuitous request (spa == tpa) with a broadcast target MAC. */
    memcpy(f, arp_req, sizeof f);
    f[41] = 0x01; /* tpa 10.0.0.1 = spa */
    memset(f + 32, 0xff, 6);
    dissect_frame(f, sizeof f, &d);
    CHECK_STR(d.info, "Gratuitous ARP for 10.0.0.1 (Request)");
    CHECK_STR(d.layers[1].name, "Address Resolution Protocol (request/gratuitous ARP)");
    CHECK_STR(value(&d, "arp", "Target MAC address"), "Broadcast (ff:ff:ff:ff:ff:ff)");
    dissect_free(&d);

    /* The same with a zero target MAC is an RFC 5227 announcement. */
    memset(f + 32, 0, 6);
    dissect_frame(f, sizeof f, &d);
    CHECK_STR(d.info, "ARP Announcement for 10.0.0.1");
    CHECK_STR(d.layers[1].name, "Address Resolution Protocol (ARP Announcement)");
    dissect_free(&d);

    /* Gratuitous reply. */
    memcpy(f, arp_req, sizeof f);
    f[21] = 2;
    f[41] = 0x01;
    memset(f + 32, 0xff, 6);
    dissect_frame(f, sizeof f, &d);
    CHECK_STR(d.info, "Gratuitous ARP for 10.0.0.1 (Reply)");
    CHECK_STR(d.layers[1].name, "Address Resolution Protocol (reply/gratuitous ARP)");
    dissect_free(&d);

    /* Probe: from 0.0.0.0, zero target MAC. */
    memcpy(f, arp_req, sizeof f);
    memset(f + 28, 0, 4);
    f[41] = 0x01;
    dissect_frame(f, sizeof f, &d);
    CHECK_STR(d.info, "Who has 10.0.0.1? (ARP Probe)");
    dissect_free(&d);

    /* Not Ethernet/IPv4: shown, not misread, not malformed. */
    memcpy(f, arp_req, sizeof f);
    f[15] = 6;
    dissect_frame(f, sizeof f, &d);
    CHECK_STR(d.protocol, "ARP");
    CHECK_STR(d.info, "ARP for hardware type 6, protocol type 0x0800 (not Ethernet/IPv4)");
    CHECK_STR(value(&d, "arp", "Hardware type"), "Unknown (6)");
    CHECK(!d.malformed);
    dissect_free(&d);
}

static void test_arp_fields(void)
{
    struct dissection d;
    dissect_frame(arp_req, sizeof arp_req, &d);
    CHECK_EQ(d.n_layers, 2);
    CHECK_STR(d.layers[0].name, "Ethernet II, Src: 02:00:00:00:00:01, Dst: ff:ff:ff:ff:ff:ff");
    CHECK_STR(d.layers[0].abbrev, "eth");
    CHECK_EQ(d.layers[0].osi, 2);
    CHECK_STR(d.layers[1].name, "Address Resolution Protocol (request)");
    CHECK_STR(d.layers[1].abbrev, "arp");
    CHECK_EQ(d.layers[1].off, 14);
    CHECK_EQ(d.layers[1].len, 28);

    CHECK_FIELD(&d, "eth", "Destination", 0, 6, "Broadcast (ff:ff:ff:ff:ff:ff)");
    CHECK_FIELD(&d, "eth", "Source", 6, 6, "02:00:00:00:00:01");
    CHECK_FIELD(&d, "eth", "Type", 12, 2, "ARP (0x0806)");
    CHECK_FIELD(&d, "eth", "Padding", 42, 18, "000000000000000000000000000000000000");
    CHECK(field(&d, "eth", "Trailer", 0) == NULL);

    CHECK_FIELD(&d, "arp", "Hardware type", 14, 2, "Ethernet (1)");
    CHECK_FIELD(&d, "arp", "Protocol type", 16, 2, "IPv4 (0x0800)");
    CHECK_FIELD(&d, "arp", "Hardware size", 18, 1, "6");
    CHECK_FIELD(&d, "arp", "Protocol size", 19, 1, "4");
    CHECK_FIELD(&d, "arp", "Opcode", 20, 2, "request (1)");
    CHECK_FIELD(&d, "arp", "Sender MAC address", 22, 6, "02:00:00:00:00:01");
    CHECK_FIELD(&d, "arp", "Sender IP address", 28, 4, "10.0.0.1");
    CHECK_FIELD(&d, "arp", "Target MAC address", 32, 6, "00:00:00:00:00:00");
    CHECK_FIELD(&d, "arp", "Target IP address", 38, 4, "10.0.0.2");
    dissect_free(&d);

    dissect_frame(arp_rep, sizeof arp_rep, &d);
    CHECK_STR(d.layers[1].name, "Address Resolution Protocol (reply)");
    CHECK_FIELD(&d, "arp", "Opcode", 20, 2, "reply (2)");
    dissect_free(&d);
}

static void test_ip4_fields(void)
{
    struct dissection d;
    dissect_frame(echo_req, sizeof echo_req, &d);
    CHECK_EQ(d.n_layers, 3);
    CHECK_STR(d.layers[1].name, "Internet Protocol Version 4, Src: 10.0.0.1, Dst: 10.0.0.2");
    CHECK_STR(d.layers[1].abbrev, "ip");
    CHECK_EQ(d.layers[1].off, 14);
    CHECK_EQ(d.layers[1].len, 20);
    CHECK_STR(d.layers[2].name, "Internet Control Message Protocol");
    CHECK_EQ(d.layers[2].off, 34);
    CHECK_EQ(d.layers[2].len, 64);
    CHECK_FIELD(&d, "eth", "Type", 12, 2, "IPv4 (0x0800)");
    CHECK(field(&d, "eth", "Padding", 0) == NULL);

    CHECK_FIELD(&d, "ip", "Version", 14, 1, "4");
    CHECK_FIELD(&d, "ip", "Header Length", 14, 1, "20 bytes (5)");
    CHECK_FIELD(&d, "ip", "Differentiated Services Field", 15, 1, "0x00 (DSCP: CS0, ECN: Not-ECT)");
    CHECK_FIELD(&d, "ip", "Differentiated Services Codepoint", 15, 1, "Default (0)");
    CHECK_FIELD(&d, "ip", "Total Length", 16, 2, "84");
    CHECK_FIELD(&d, "ip", "Identification", 18, 2, "0x0001 (1)");
    CHECK_FIELD(&d, "ip", "Flags", 20, 1, "0x2, Don't fragment");
    CHECK_FIELD(&d, "ip", "Reserved bit", 20, 1, "Not set");
    CHECK_FIELD(&d, "ip", "Don't fragment", 20, 1, "Set");
    CHECK_FIELD(&d, "ip", "More fragments", 20, 1, "Not set");
    CHECK_FIELD(&d, "ip", "Fragment Offset", 20, 2, "0");
    CHECK_FIELD(&d, "ip", "Time to Live", 22, 1, "64");
    CHECK_FIELD(&d, "ip", "Protocol", 23, 1, "ICMP (1)");
    CHECK_FIELD(&d, "ip", "Header Checksum", 24, 2, "0x26a6 [correct]");
    CHECK_FIELD(&d, "ip", "Source Address", 26, 4, "10.0.0.1");
    CHECK_FIELD(&d, "ip", "Destination Address", 30, 4, "10.0.0.2");
    const struct dis_field *f = field(&d, "ip", "Don't fragment", 0);
    CHECK(f && f->depth == 1);
    f = field(&d, "ip", "Flags", 0);
    CHECK(f && f->depth == 0);

    CHECK_FIELD(&d, "icmp", "Type", 34, 1, "8 (Echo (ping) request)");
    CHECK_FIELD(&d, "icmp", "Code", 35, 1, "0");
    CHECK_FIELD(&d, "icmp", "Checksum", 36, 2, "0x3f29 [correct]");
    CHECK_FIELD(&d, "icmp", "Identifier (BE)", 38, 2, "1 (0x0001)");
    CHECK_FIELD(&d, "icmp", "Identifier (LE)", 38, 2, "256 (0x0100)");
    CHECK_FIELD(&d, "icmp", "Sequence Number (BE)", 40, 2, "1 (0x0001)");
    CHECK_FIELD(&d, "icmp", "Sequence Number (LE)", 40, 2, "256 (0x0100)");
    CHECK_FIELD(&d, "icmp", "Data", 42, 56, "(56 bytes)");
    dissect_free(&d);

    /* Fragment flags and offset in bytes, as tshark shows them. */
    dissect_frame(frag_first, sizeof frag_first, &d);
    CHECK_FIELD(&d, "ip", "Flags", 20, 1, "0x1, More fragments");
    CHECK_FIELD(&d, "ip", "More fragments", 20, 1, "Set");
    CHECK_FIELD(&d, "ip", "Identification", 18, 2, "0xabcd (43981)");
    CHECK_EQ(d.n_layers, 3);
    CHECK_STR(d.layers[2].abbrev, "data");
    CHECK_STR(d.layers[2].name, "Data (32 bytes)");
    dissect_free(&d);
    dissect_frame(frag_second, sizeof frag_second, &d);
    CHECK_FIELD(&d, "ip", "Flags", 20, 1, "0x0");
    CHECK_FIELD(&d, "ip", "Fragment Offset", 20, 2, "32");
    dissect_free(&d);

    /* Padding after an IPv4 datagram shorter than the minimum frame. */
    dissect_frame(proto253, sizeof proto253, &d);
    CHECK_FIELD(&d, "eth", "Padding", 37, 23, "0000000000000000000000000000000000000000000000");
    CHECK_FIELD(&d, "ip", "Protocol", 23, 1, "Unknown (253)");
    CHECK_STR(d.layers[2].name, "Data (3 bytes)");
    CHECK_FIELD(&d, "data", "Data", 34, 3, "78797a");
    dissect_free(&d);
}

static void test_tos_and_long_title(void)
{
    struct dissection d;
    uint8_t f[sizeof echo_req];
    memcpy(f, echo_req, sizeof f);
    /* EF with ECN CE, addresses as long as they get. The header checksum
     * is now wrong, which the field says. */
    f[15] = 0xbb;
    memcpy(f + 26, (const uint8_t[]){192, 168, 100, 200, 255, 255, 255, 255}, 8);
    dissect_frame(f, sizeof f, &d);
    CHECK_STR(d.layers[1].name,
              "Internet Protocol Version 4, Src: 192.168.100.200, Dst: 255.255.255.255");
    CHECK_STR(value(&d, "ip", "Differentiated Services Field"), "0xbb (DSCP: EF PHB, ECN: CE)");
    CHECK_STR(value(&d, "ip", "Differentiated Services Codepoint"), "Expedited Forwarding (46)");
    CHECK_STR(value(&d, "ip", "Explicit Congestion Notification"), "Congestion Experienced (3)");
    CHECK(strncmp(value(&d, "ip", "Header Checksum"), "0x26a6 [incorrect, should be 0x", 31) == 0);
    CHECK_STR(d.src, "192.168.100.200");
    CHECK_STR(d.dst, "255.255.255.255");
    dissect_free(&d);
}

static void test_bad_checksums(void)
{
    struct dissection d;
    uint8_t f[sizeof echo_req];

    /* Wrong IP checksum: the field says so and says what it should be; the
     * rest of the frame is still shown (tshark checked: "should be 0x26a6"). */
    memcpy(f, echo_req, sizeof f);
    f[24] = 0x37;
    f[25] = 0xb7;
    dissect_frame(f, sizeof f, &d);
    CHECK_FIELD(&d, "ip", "Header Checksum", 24, 2, "0x37b7 [incorrect, should be 0x26a6]");
    CHECK_STR(d.protocol, "ICMP");
    CHECK_STR(d.info, "Echo (ping) request  id=0x0001, seq=1/256, ttl=64");
    CHECK_EQ(d.n_layers, 3);
    dissect_free(&d);

    /* Wrong ICMP checksum (zero). */
    memcpy(f, echo_req, sizeof f);
    f[36] = f[37] = 0;
    dissect_frame(f, sizeof f, &d);
    CHECK_FIELD(&d, "icmp", "Checksum", 36, 2, "0x0000 [incorrect, should be 0x3f29]");
    CHECK_STR(d.info, "Echo (ping) request  id=0x0001, seq=1/256, ttl=64");
    dissect_free(&d);
}

static void test_icmp_errors(void)
{
    struct dissection d;
    dissect_frame(ttl_exc, sizeof ttl_exc, &d);
    CHECK_EQ(d.n_layers, 3);
    CHECK_FIELD(&d, "icmp", "Type", 34, 1, "11 (Time-to-live exceeded)");
    CHECK_FIELD(&d, "icmp", "Code", 35, 1, "0 (Time to live exceeded in transit)");
    CHECK_FIELD(&d, "icmp", "Checksum", 36, 2, "0xadd4 [correct]");
    CHECK_FIELD(&d, "icmp", "Unused", 38, 4, "00000000");
    /* The quoted header, its fields one level down. */
    CHECK_FIELD(&d, "icmp", "Internet Protocol Version 4", 42, 20, "Src: 10.0.0.1, Dst: 10.0.2.2");
    const struct dis_field *q = field(&d, "icmp", "Time to Live", 0);
    CHECK(q != NULL);
    if (q) {
        CHECK_EQ(q->off, 50);
        CHECK_EQ(q->depth, 1);
        CHECK_STR(q->value, "1");
    }
    CHECK_FIELD(&d, "icmp", "Total Length", 44, 2, "84");
    CHECK_FIELD(&d, "icmp", "Header Checksum", 52, 2, "0x63a6 [correct]");
    CHECK_FIELD(&d, "icmp", "Destination Address", 58, 4, "10.0.2.2");
    /* ...and the quoted ICMP header. */
    CHECK_FIELD(&d, "icmp", "Internet Control Message Protocol", 62, 8, "Echo (ping) request");
    CHECK_FIELD(&d, "icmp", "Identifier (BE)", 66, 2, "1 (0x0001)");
    const struct dis_field *t = field(&d, "icmp", "Type", 1);
    CHECK(t && t->off == 62 && t->depth == 1 && strcmp(t->value, "8 (Echo (ping) request)") == 0);
    dissect_free(&d);

    dissect_frame(port_unr, sizeof port_unr, &d);
    CHECK_FIELD(&d, "icmp", "Code", 35, 1, "3 (Port unreachable)");
    CHECK_FIELD(&d, "icmp", "User Datagram Protocol", 62, 8, "Src Port: 40000, Dst Port: 53");
    CHECK_FIELD(&d, "icmp", "Destination Port", 64, 2, "53");
    CHECK_FIELD(&d, "icmp", "Protocol", 51, 1, "UDP (17)");
    dissect_free(&d);

    /* Fragmentation needed: the next-hop MTU (RFC 1191). */
    uint8_t f[sizeof ttl_exc];
    memcpy(f, ttl_exc, sizeof f);
    f[34] = 3;
    f[35] = 4;
    f[40] = 0x05;
    f[41] = 0x78;
    put_be16(f + 36, 0);
    put_be16(f + 36, inet_checksum(f + 34, 36));
    dissect_frame(f, sizeof f, &d);
    CHECK_STR(d.info, "Destination unreachable (Fragmentation needed)");
    CHECK_FIELD(&d, "icmp", "MTU of next hop", 40, 2, "1400");
    CHECK_FIELD(&d, "icmp", "Checksum", 36, 2, "0xb058 [correct]");
    dissect_free(&d);

    /* Every unreachable code and reassembly time exceeded. */
    static const struct {
        uint8_t type, code;
        const char *info;
    } names[] = {
        {3, 0, "Destination unreachable (Network unreachable)"},
        {3, 1, "Destination unreachable (Host unreachable)"},
        {3, 2, "Destination unreachable (Protocol unreachable)"},
        {11, 1, "Time-to-live exceeded (Fragment reassembly time exceeded)"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        memcpy(f, ttl_exc, sizeof f);
        f[34] = names[i].type;
        f[35] = names[i].code;
        put_be16(f + 36, 0);
        put_be16(f + 36, inet_checksum(f + 34, 36));
        dissect_summary(f, sizeof f, &d);
        CHECK_STR(d.info, names[i].info);
    }
}

static void test_echo_info(void)
{
    struct dissection d;
    uint8_t f[sizeof echo_req];
    /* Reply: tshark pads the type to 20 columns. */
    memcpy(f, echo_req, sizeof f);
    f[34] = 0;
    put_be16(f + 36, 0x4729);
    dissect_summary(f, sizeof f, &d);
    CHECK_STR(d.info, "Echo (ping) reply    id=0x0001, seq=1/256, ttl=64");
    /* id 0x1234, seq 300 (LE 11265), TTL 5: tshark's own output. */
    memcpy(f, echo_req, sizeof f);
    f[22] = 5;
    put_be16(f + 24, 0);
    put_be16(f + 24, inet_checksum(f + 14, 20));
    f[38] = 0x12;
    f[39] = 0x34;
    f[40] = 0x01;
    f[41] = 0x2c;
    put_be16(f + 36, 0);
    put_be16(f + 36, inet_checksum(f + 34, 64));
    dissect_frame(f, sizeof f, &d);
    CHECK_STR(d.info, "Echo (ping) request  id=0x1234, seq=300/11265, ttl=5");
    CHECK_FIELD(&d, "ip", "Header Checksum", 24, 2, "0x61a6 [correct]");
    CHECK_FIELD(&d, "icmp", "Checksum", 36, 2, "0x2bcb [correct]");
    dissect_free(&d);
}

static void test_unknown_ethertype(void)
{
    struct dissection d;
    dissect_frame(unknown_eth, sizeof unknown_eth, &d);
    CHECK_EQ(d.n_layers, 2);
    CHECK_STR(d.layers[1].abbrev, "data");
    CHECK_STR(d.layers[1].name, "Data (46 bytes)");
    CHECK_FIELD(&d, "eth", "Type", 12, 2, "Unknown (0x88b5)");
    CHECK_FIELD(&d, "data", "Length", 14, 46, "46");
    dissect_free(&d);
}

static void test_malformed(void)
{
    struct dissection d;
    uint8_t f[sizeof echo_req];

    /* Version 6 under the IPv4 EtherType. */
    memcpy(f, echo_req, sizeof f);
    f[14] = 0x65;
    dissect_frame(f, sizeof f, &d);
    CHECK(d.malformed);
    CHECK_STR(d.info, "Bogus IP version (6) [Malformed Packet]");
    CHECK_STR(value(&d, "ip", "Version"), "6");
    CHECK_EQ(d.n_layers, 2);
    dissect_free(&d);

    /* Header length 16. */
    memcpy(f, echo_req, sizeof f);
    f[14] = 0x44;
    dissect_frame(f, sizeof f, &d);
    CHECK(d.malformed);
    CHECK_STR(d.info, "Bogus IP header length (16, must be at least 20) [Malformed Packet]");
    dissect_free(&d);

    /* Total length below the header length. */
    memcpy(f, echo_req, sizeof f);
    f[17] = 10;
    dissect_summary(f, sizeof f, &d);
    CHECK(d.malformed);
    CHECK_STR(d.info, "Bogus IP length (10, less than header length 20) [Malformed Packet]");

    /* Total length beyond the frame: cut short, shown as far as it goes. */
    memcpy(f, echo_req, sizeof f);
    f[17] = 0x64;
    dissect_frame(f, sizeof f, &d);
    CHECK(d.malformed);
    CHECK_STR(d.protocol, "ICMP");
    CHECK_STR(d.info, "Echo (ping) request  id=0x0001, seq=1/256, ttl=64 [Malformed Packet]");
    CHECK_STR(value(&d, "icmp", "Checksum"), "0x3f29 [unverified]");
    CHECK_EQ(check_bounds(&d, sizeof f), 0);
    dissect_free(&d);

    /* A truncated frame: malformed, no crash, what was parsed is kept. */
    dissect_frame(echo_req, 40, &d);
    CHECK(d.malformed);
    CHECK_STR(d.protocol, "ICMP");
    CHECK_STR(d.src, "10.0.0.1");
    CHECK_STR(value(&d, "ip", "Time to Live"), "64");
    CHECK_STR(d.info, "[Malformed Packet]");
    dissect_free(&d);

    dissect_frame(echo_req, 5, &d);
    CHECK(d.malformed);
    CHECK_STR(d.protocol, "ETH");
    CHECK_EQ(d.n_layers, 1);
    dissect_free(&d);

    dissect_frame(NULL, 0, &d);
    CHECK(d.malformed);
    dissect_free(&d);
}

/* Every truncation 0..N of every frame: no crash, nothing out of bounds,
 * malformed exactly when the frame lost bytes it needs, and the summary
 * agrees with the tree. */
static void test_truncations(void)
{
    int bounds = 0, wrong_malformed = 0, disagree = 0;
    for (size_t i = 0; i < N_CASES; i++) {
        const struct frame_case *fc = &cases[i];
        for (size_t n = 0; n <= fc->len; n++) {
            /* A heap copy of exactly n bytes, so ASan sees any over-read. */
            uint8_t *buf = malloc(n ? n : 1);
            memcpy(buf, fc->bytes, n);
            struct dissection d, s;
            dissect_frame(buf, n, &d);
            dissect_summary(buf, n, &s);
            bounds += check_bounds(&d, n);
            if (d.malformed != (n < fc->need)) {
                fprintf(stderr, "%s cut to %zu: malformed=%d\n", fc->what, n, d.malformed);
                wrong_malformed++;
            }
            if (strcmp(d.info, s.info) || strcmp(d.protocol, s.protocol) || strcmp(d.src, s.src) ||
                strcmp(d.dst, s.dst) || d.malformed != s.malformed)
                disagree++;
            dissect_free(&d);
            free(buf);
        }
    }
    CHECK_EQ(bounds, 0);
    CHECK_EQ(wrong_malformed, 0);
    CHECK_EQ(disagree, 0);
}

static void test_print(void)
{
    struct dissection d;
    dissect_frame(echo_req, sizeof echo_req, &d);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    CHECK(out != NULL);
    if (!out) return;
    dissect_print(&d, out);
    fclose(out);
    CHECK(strstr(text, "Ethernet II, Src: 02:00:00:00:00:01, Dst: 02:00:00:00:00:02 [0, 14]\n") ==
          text);
    CHECK(strstr(text, "\n    Time to Live: 64 [22, 1]\n") != NULL);
    CHECK(strstr(text, "\n        Don't fragment: Set [20, 1]\n") != NULL);
    CHECK(strstr(text, "\nInternet Control Message Protocol [34, 64]\n") != NULL);
    CHECK(strstr(text, "Malformed") == NULL);
    free(text);
    dissect_free(&d);

    dissect_frame(echo_req, 30, &d);
    out = open_memstream(&text, &size);
    dissect_print(&d, out);
    fclose(out);
    CHECK(strstr(text, "[Malformed Packet]\n") != NULL);
    free(text);
    dissect_free(&d);
}

/* A step's bytes inside a device: an IPv4 datagram or an ARP message with no
 * Ethernet header in front; offsets count from the datagram's first byte. */
static void test_from_l3(void)
{
    struct dissection d;
    dissect_packet(echo_req + 14, sizeof echo_req - 14, DIS_START_IPV4, &d, true);
    CHECK_EQ(d.n_layers, 2);
    CHECK_STR(d.layers[0].abbrev, "ip");
    CHECK_EQ(d.layers[0].off, 0);
    CHECK(field(&d, "eth", "Type", 0) == NULL);
    CHECK_FIELD(&d, "ip", "Time to Live", 8, 1, "64");
    CHECK_FIELD(&d, "icmp", "Type", 20, 1, "8 (Echo (ping) request)");
    CHECK_STR(d.protocol, "ICMP");
    CHECK(!d.malformed);
    dissect_free(&d);

    dissect_packet(arp_req + 14, 28, DIS_START_ARP, &d, false);
    CHECK_STR(d.protocol, "ARP");
    CHECK_STR(d.info, "Who has 10.0.0.2? Tell 10.0.0.1");
    CHECK_EQ(d.n_fields, 0);
    dissect_free(&d);
    dissect_packet(arp_req + 14, 28, DIS_START_ARP, &d, true);
    CHECK_FIELD(&d, "arp", "Target IP address", 24, 4, "10.0.0.2");
    dissect_free(&d);

    /* The same datagram read as Ethernet is what the GUI used to show. */
    dissect_frame(echo_req + 14, sizeof echo_req - 14, &d);
    CHECK(field(&d, "ip", "Time to Live", 0) == NULL);
    dissect_free(&d);
}

int main(void)
{
    test_columns();
    test_arp_variants();
    test_arp_fields();
    test_ip4_fields();
    test_tos_and_long_title();
    test_bad_checksums();
    test_icmp_errors();
    test_echo_info();
    test_unknown_ethertype();
    test_malformed();
    test_truncations();
    test_print();
    test_from_l3();
    return check_done();
}
