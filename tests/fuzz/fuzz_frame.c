/* fuzz_frame.c - libFuzzer target for everything that reads a frame off
 * the wire: the dissector (tree, summary and printout) and each wire parser
 * on its own, plus the text parsers for addresses. Beyond "no crash, no
 * over-read", it checks what must hold for any input: every field lies
 * inside the frame, the summary agrees with the tree, what a parser accepts
 * survives an emit/parse round trip, and a TTL update keeps a good header
 * checksum good. A broken property aborts, which the fuzzer reports. */
#include "fuzz.h"
#include "protocols/arp_wire.h"
#include "protocols/dissect.h"
#include "protocols/eth_wire.h"
#include "protocols/icmp_wire.h"
#include "protocols/ip4_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_dissector(const uint8_t *data, size_t size)
{
    struct dissection d, s;
    dissect_frame(data, size, &d);
    dissect_summary(data, size, &s);
    FUZZ_ASSERT(strcmp(d.info, s.info) == 0 && strcmp(d.protocol, s.protocol) == 0);
    FUZZ_ASSERT(strcmp(d.src, s.src) == 0 && strcmp(d.dst, s.dst) == 0);
    FUZZ_ASSERT(d.malformed == s.malformed && s.fields == NULL);
    FUZZ_ASSERT(d.n_layers >= 1 && d.n_layers <= DIS_MAX_LAYERS);
    uint32_t next = 0;
    for (int i = 0; i < d.n_layers; i++) {
        const struct dis_layer *l = &d.layers[i];
        FUZZ_ASSERT(l->off <= size && l->len <= size - l->off);
        FUZZ_ASSERT(l->first_field == next);
        next += l->n_fields;
        for (uint32_t k = 0; k < l->n_fields; k++) {
            const struct dis_field *f = &d.fields[l->first_field + k];
            FUZZ_ASSERT(f->off <= size && f->len <= size - f->off);
            FUZZ_ASSERT(f->layer == i);
        }
    }
    FUZZ_ASSERT(next == d.n_fields);

    char *text = NULL;
    size_t text_len = 0;
    FILE *out = open_memstream(&text, &text_len);
    if (out) {
        dissect_print(&d, out);
        fclose(out);
        free(text);
    }
    dissect_free(&d);
}

static void fuzz_parsers(const uint8_t *data, size_t size)
{
    struct eth_hdr eh;
    uint8_t buf[1600];
    if (eth_parse(data, size, &eh) == 0) {
        struct eth_hdr back;
        eth_emit(&eh, buf);
        FUZZ_ASSERT(memcmp(buf, data, ETH_HDR_LEN) == 0);
        FUZZ_ASSERT(eth_parse(buf, ETH_HDR_LEN, &back) == 0 && back.type == eh.type);
    }

    struct arp_msg am;
    if (arp_parse(data, size, &am) == 0) {
        arp_emit(&am, buf);
        FUZZ_ASSERT(memcmp(buf, data, ARP_LEN) == 0);
    }

    struct ip4_hdr ih;
    int ip_err = ip4_parse(data, size, &ih);
    int read_err = ip4_read_header(data, size, &ih);
    /* The full parse only adds checks to the header read. */
    FUZZ_ASSERT(read_err == IP4_OK || ip_err == read_err);
    if (ip_err == IP4_OK) {
        struct ip4_hdr back;
        FUZZ_ASSERT(ih.ihl >= IP4_HDR_LEN && ih.ihl <= size && ih.total_len <= size);
        /* Emit writes a plain 20-byte header: same fields, fresh checksum. */
        uint8_t hdr[IP4_HDR_LEN];
        ip4_emit(&ih, hdr);
        FUZZ_ASSERT(ip4_read_header(hdr, sizeof hdr, &back) == IP4_OK);
        FUZZ_ASSERT(back.id == ih.id && back.ttl == ih.ttl && back.src == ih.src &&
                    back.dst == ih.dst && back.frag == ih.frag);
        FUZZ_ASSERT(inet_sum(hdr, sizeof hdr, 0) == 0xffff);
        /* RFC 1624 keeps a good checksum good. */
        size_t n = ih.ihl;
        memcpy(buf, data, n);
        ip4_decrement_ttl(buf);
        FUZZ_ASSERT(inet_sum(buf, n, 0) == 0xffff);
        FUZZ_ASSERT(buf[IP4_OFF_TTL] == (ih.ttl ? ih.ttl - 1 : 0));
    }

    struct icmp_msg im;
    if (icmp_parse(data, size, &im) == 0 && size <= sizeof buf) {
        struct icmp_msg back;
        FUZZ_ASSERT(im.body_len == size - ICMP_HDR_LEN);
        size_t n = icmp_emit(&im, buf);
        FUZZ_ASSERT(n == size);
        FUZZ_ASSERT(icmp_parse(buf, n, &back) == 0);
        FUZZ_ASSERT(back.type == im.type && back.code == im.code);
        FUZZ_ASSERT(icmp_type_name(im.type, im.code) != NULL);
    }
}

static void fuzz_text(const uint8_t *data, size_t size)
{
    char s[64];
    char back[20];
    size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
    memcpy(s, data, n);
    s[n] = '\0';
    uint32_t addr;
    uint8_t plen, mac[6];
    if (ip4_parse_addr(s, &addr)) /* canonical text round-trips exactly */
        FUZZ_ASSERT(strcmp(ip4_str(addr, back), s) == 0);
    if (ip4_parse_prefix(s, &addr, &plen)) FUZZ_ASSERT(plen <= 32);
    if (mac_parse(s, mac)) {
        uint8_t again[6];
        FUZZ_ASSERT(mac_parse(mac_str(mac, back), again) && memcmp(mac, again, 6) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_dissector(data, size);
    fuzz_parsers(data, size);
    /* The same bytes as an IP datagram or ARP message without the Ethernet
     * header in front, so the parsers see the inputs they are built for. */
    if (size > ETH_HDR_LEN) fuzz_parsers(data + ETH_HDR_LEN, size - ETH_HDR_LEN);
    fuzz_text(data, size);
    return 0;
}
