/* fuzz_dns.c - libFuzzer target for DNS: the input as a DNS message for
 * the wire parser (dns_info, every name at every offset), the server's
 * answer (which must itself parse, and fit 512 bytes over UDP), the
 * dissector (the message inside Ethernet/IPv4/UDP and Ethernet/IPv4/TCP
 * frames on port 53: tree and summary agree, every field inside the
 * frame), a live server on a stack receiving it, and the input as a text
 * name (what dns_name_to_wire accepts reads back as the same name). */
#include "fuzz.h"
#include "../unit/fixture.h"
#include "protocols/dissect.h"
#include "protocols/dns.h"
#include "protocols/tcp_wire.h"
#include "protocols/udp.h"

static void add(struct dns_db *db, const char *name, const char *type, const char *value)
{
    struct dns_record r;
    char err[256];
    FUZZ_ASSERT(dns_record_parse(name, type, value, 60, &r, err, sizeof err));
    dns_db_add(db, &r);
}

static void zone(struct dns_db *db)
{
    memset(db, 0, sizeof *db);
    add(db, "galaxy.test", "SOA", "ns1.galaxy.test hostmaster.galaxy.test 1 2 3 4 5");
    add(db, "galaxy.test", "MX", "10 mx1.galaxy.test");
    add(db, "galaxy.test", "NS", "ns1.galaxy.test");
    add(db, "galaxy.test", "TXT", "hello");
    add(db, "mx1.galaxy.test", "A", "10.0.0.25");
    add(db, "ns1.galaxy.test", "AAAA", "2001:db8::53");
    add(db, "web.galaxy.test", "A", "10.0.0.20");
    add(db, "www.galaxy.test", "CNAME", "web.galaxy.test");
    add(db, "loop1.galaxy.test", "CNAME", "loop2.galaxy.test");
    add(db, "loop2.galaxy.test", "CNAME", "loop1.galaxy.test");
    for (int i = 0; i < 40; i++) {
        char ip[16];
        snprintf(ip, sizeof ip, "10.1.0.%d", i);
        add(db, "big.galaxy.test", "A", ip);
    }
    dns_db_finish(db);
}

static void fuzz_parser(const uint8_t *data, size_t size)
{
    char info[192];
    int rc = dns_info(data, size, info, sizeof info);
    FUZZ_ASSERT(strlen(info) < sizeof info);
    if (rc == DNS_OK) {
        struct dns_hdr h;
        FUZZ_ASSERT(dns_hdr_parse(data, size, &h) == DNS_OK);
    }
    char text[DNS_NAME_TEXT_MAX];
    for (size_t at = 0; at < size && at < 64; at++) {
        size_t off = at, wl = 0;
        int labels = 0;
        if (dns_name_read(data, size, &off, text, sizeof text, &wl, &labels) == DNS_OK) {
            FUZZ_ASSERT(off > at && off <= size);
            FUZZ_ASSERT(wl <= DNS_NAME_WIRE_MAX && labels <= 127);
            uint8_t wire[DNS_NAME_WIRE_MAX];
            FUZZ_ASSERT(dns_name_to_wire(text, wire, sizeof wire) == (int)wl);
        }
    }
}

static void fuzz_server(const struct dns_db *db, const uint8_t *data, size_t size)
{
    static const size_t limits[] = {DNS_UDP_MAX, DNS_TCP_MAX};
    uint8_t *out = malloc(DNS_TCP_MAX);
    if (!out) return;
    for (int i = 0; i < 2; i++) {
        struct dns_verdict v;
        size_t n = dns_db_respond(db, data, size, limits[i], out, DNS_TCP_MAX, &v);
        FUZZ_ASSERT(n <= limits[i]);
        if (!n) continue;
        char info[192];
        FUZZ_ASSERT(dns_info(out, n, info, sizeof info) == DNS_OK);
        struct dns_hdr h;
        dns_hdr_parse(out, n, &h);
        FUZZ_ASSERT(h.flags & DNS_F_QR);
        FUZZ_ASSERT(h.id == get_be16(data));
    }
    free(out);
}

/* data behind Ethernet, IPv4 and a UDP header (port 53), or a TCP header
 * (port 53, with the data as the segment's payload: length prefix first) */
static void fuzz_dissector(const uint8_t *data, size_t size, bool tcp)
{
    size_t l4 = tcp ? 20 : UDP_HDR_LEN;
    size_t len = ETH_HDR_LEN + IP4_HDR_LEN + l4 + size;
    uint8_t *f = calloc(1, len);
    if (!f || len > 0xffff) {
        free(f);
        return;
    }
    struct eth_hdr e = {.type = ETH_TYPE_IPV4};
    eth_emit(&e, f);
    struct ip4_hdr ip = {.ihl = 20,
                         .total_len = (uint16_t)(len - ETH_HDR_LEN),
                         .ttl = 64,
                         .proto = tcp ? IP4_PROTO_TCP : IP4_PROTO_UDP,
                         .src = IP(10, 0, 0, 53),
                         .dst = IP(10, 0, 0, 1)};
    ip4_emit(&ip, f + ETH_HDR_LEN);
    uint8_t *seg = f + ETH_HDR_LEN + IP4_HDR_LEN;
    memcpy(seg + l4, data, size);
    if (tcp) {
        struct tcp_hdr t = {.sport = 53,
                            .dport = 40000,
                            .seq = 1,
                            .ack = 1,
                            .hlen = 20,
                            .flags = TCP_ACK | TCP_PSH,
                            .window = 512};
        tcp_emit(seg, &t);
        tcp_checksum_fill(seg, l4 + size, ip.src, ip.dst);
    } else {
        udp_emit(seg, 53, 40000, UDP_HDR_LEN + size, ip.src, ip.dst, true);
    }
    struct dissection d, s;
    dissect_frame(f, len, &d);
    dissect_summary(f, len, &s);
    FUZZ_ASSERT(strcmp(d.info, s.info) == 0 && strcmp(d.protocol, s.protocol) == 0);
    FUZZ_ASSERT(d.malformed == s.malformed);
    for (uint32_t k = 0; k < d.n_fields; k++)
        FUZZ_ASSERT(d.fields[k].off <= len && d.fields[k].len <= len - d.fields[k].off);
    dissect_free(&d);
    free(f);
}

static void fuzz_live(const uint8_t *data, size_t size)
{
    if (size > 1400) return;
    struct fx_raw r;
    fx_raw_init(&r);
    struct dns_db db;
    zone(&db);
    dns_server_start(r.st, &db);
    uint8_t *u = malloc(UDP_HDR_LEN + size);
    if (!u) return;
    memcpy(u + UDP_HDR_LEN, data, size);
    udp_emit(u, 40000, 53, UDP_HDR_LEN + size, IP(10, 9, 0, 2), IP(10, 9, 0, 1), true);
    fx_raw_send(&r, fx_raw_ip(&r, r.e->mac, IP(10, 9, 0, 1), IP4_PROTO_UDP, 1, u,
                              (uint32_t)(UDP_HDR_LEN + size)));
    free(u);
    fx_raw_free(&r);
}

static void fuzz_text(const uint8_t *data, size_t size)
{
    char text[600];
    size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy(text, data, n);
    text[n] = 0;
    uint8_t wire[DNS_NAME_WIRE_MAX + 2 + DNS_HDR_LEN];
    int wl = dns_name_to_wire(text, wire + DNS_HDR_LEN, DNS_NAME_WIRE_MAX);
    if (wl < 0) return;
    FUZZ_ASSERT(wl <= DNS_NAME_WIRE_MAX);
    char back[DNS_NAME_TEXT_MAX];
    size_t off = DNS_HDR_LEN;
    memset(wire, 0, DNS_HDR_LEN);
    FUZZ_ASSERT(dns_name_read(wire, DNS_HDR_LEN + (size_t)wl, &off, back, sizeof back, NULL,
                              NULL) == DNS_OK);
    FUZZ_ASSERT(dns_name_eq(back, text));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_parser(data, size);
    struct dns_db db;
    zone(&db);
    fuzz_server(&db, data, size);
    dns_db_free(&db);
    fuzz_dissector(data, size, false);
    fuzz_dissector(data, size, true);
    fuzz_live(data, size);
    fuzz_text(data, size);
    return 0;
}
