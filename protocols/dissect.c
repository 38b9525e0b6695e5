/* dissect.c - the field tree and the tshark-style summary of a frame:
 * Ethernet II -> ARP | IPv4 -> ICMP (with the datagram an ICMP error
 * quotes) | anything else as Data.
 *
 * Every value shown comes from the wire parsers (eth_parse, arp_parse,
 * ip4_read_header, icmp_parse); this file only decides how to show it. The
 * offsets come from the same *_OFF_* tables the parsers use.
 *
 * One walker serves both entry points: dissect_frame builds the tree,
 * dissect_summary only fills the columns. Fields and titles are formatted
 * only when the tree is wanted (dis_field_add returns before its
 * vsnprintf), and the Info lines of echo and ARP, the bulk of any
 * simulation, are assembled without printf, so the wire log of a batch run
 * pays a few hundred nanoseconds a frame and no malloc.
 *
 * Words follow tshark 4.0 (Info column, field names, "[correct]"), checked
 * against it on the frames in tests/unit/test_dissect.c. Where tshark needs
 * state across frames ("(reply in 2)", reassembly) we show the frame alone,
 * as tshark does for a capture holding only that frame. */
#include "dissect_priv.h"

#include "arp_wire.h"
#include "eth_wire.h"
#include "icmp_wire.h"
#include "ip4_wire.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* --- building the result ----------------------------------------------- */

/* Copies a string into a fixed buffer, cut to fit. Cheaper than snprintf
 * with "%s", which matters in the per-frame summary. */
void dis_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Clamps [off, off + len) to the frame, so that no field or layer ever
 * points past what was captured (the GUI highlights these bytes). */
void dis_clamp(const struct dis_ctx *c, size_t *off, size_t *len)
{
    if (*off > c->len) *off = c->len;
    if (*len > c->len - *off) *len = c->len - *off;
}

DIS_PRINTF(6, 7)
void dis_layer_begin(struct dis_ctx *c, const char *abbrev, uint8_t osi, size_t off, size_t len,
                     const char *fmt, ...)
{
    struct dissection *d = c->d;
    if (d->n_layers >= DIS_MAX_LAYERS) {
        c->layer = -1;
        return;
    }
    c->layer = d->n_layers++;
    struct dis_layer *l = &d->layers[c->layer];
    dis_clamp(c, &off, &len);
    dis_copy(l->abbrev, sizeof l->abbrev, abbrev);
    l->osi = osi;
    l->off = (uint32_t)off;
    l->len = (uint32_t)len;
    l->first_field = d->n_fields;
    l->n_fields = 0;
    if (c->tree) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(l->name, sizeof l->name, fmt, ap);
        va_end(ap);
    }
}

static bool dis_fields_grow(struct dissection *d)
{
    uint32_t cap = d->cap_fields ? d->cap_fields * 2 : 64;
    struct dis_field *f = realloc(d->fields, cap * sizeof *f);
    if (!f) return false;
    d->fields = f;
    d->cap_fields = cap;
    return true;
}

/* Adds a field to the current layer; does nothing (and formats nothing)
 * when only the summary is wanted. A field that cannot be stored for lack
 * of memory is left out; the tree is for people, the columns are kept. */
DIS_PRINTF(6, 7)
void dis_field_add(struct dis_ctx *c, uint8_t depth, size_t off, size_t len, const char *name,
                   const char *fmt, ...)
{
    struct dissection *d = c->d;
    if (!c->tree || c->layer < 0) return;
    if (d->n_fields == d->cap_fields && !dis_fields_grow(d)) return;
    struct dis_field *f = &d->fields[d->n_fields++];
    dis_clamp(c, &off, &len);
    dis_copy(f->name, sizeof f->name, name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->value, sizeof f->value, fmt, ap);
    va_end(ap);
    f->off = (uint32_t)off;
    f->len = (uint32_t)len;
    f->layer = (uint8_t)c->layer;
    f->depth = depth;
    d->layers[c->layer].n_fields++;
}

void dis_set_protocol(struct dissection *d, const char *proto)
{
    dis_copy(d->protocol, sizeof d->protocol, proto);
}

DIS_PRINTF(2, 3)
void dis_info(struct dissection *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->info, sizeof d->info, fmt, ap);
    va_end(ap);
}

void dis_info_append(struct dissection *d, const char *s)
{
    size_t used = strlen(d->info);
    dis_copy(d->info + used, sizeof d->info - used, s);
}

void dis_str_put(struct dis_str *s, const char *t)
{
    while (*t && s->len + 1 < s->cap)
        s->buf[s->len++] = *t++;
    s->buf[s->len] = '\0';
}

/* Spaces up to column `width`, as printf's "%-20s" would. */
void dis_str_pad(struct dis_str *s, size_t width)
{
    while (s->len < width && s->len + 1 < s->cap)
        s->buf[s->len++] = ' ';
    s->buf[s->len] = '\0';
}

void dis_str_dec(struct dis_str *s, unsigned v)
{
    char tmp[12];
    int i = (int)sizeof tmp - 1;
    tmp[i] = '\0';
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    dis_str_put(s, tmp + i);
}

void dis_str_hex4(struct dis_str *s, unsigned v)
{
    static const char hex[] = "0123456789abcdef";
    char tmp[5] = {hex[v >> 12 & 15], hex[v >> 8 & 15], hex[v >> 4 & 15], hex[v & 15], '\0'};
    dis_str_put(s, tmp);
}

/* Marks the frame malformed and says so at the end of the Info column, once. */
void dis_malformed(struct dissection *d)
{
    if (d->malformed) return;
    d->malformed = true;
    if (d->info[0] == '\0')
        dis_copy(d->info, sizeof d->info, &DIS_MALFORMED[1]);
    else
        dis_info_append(d, DIS_MALFORMED);
}

/* --- value formatting -------------------------------------------------- */

size_t dis_line_at(const uint8_t *p, size_t n, size_t *next)
{
    const uint8_t *nl = memchr(p, '\n', n);
    if (!nl) {
        *next = n;
        return n;
    }
    size_t k = (size_t)(nl - p);
    *next = k + 1;
    return k && p[k - 1] == '\r' ? k - 1 : k;
}

void dis_text_copy(char *buf, size_t cap, const uint8_t *p, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        buf[o++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
    buf[o] = 0;
}

/* Hex dump of up to what fits in out (cap bytes), "..." when cut. */
void dis_hex(char *out, size_t cap, const uint8_t *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t fit = (cap - 4) / 2; /* room for "...\0" */
    size_t show = n <= (cap - 1) / 2 ? n : fit;
    size_t o = 0;
    for (size_t i = 0; i < show; i++) {
        out[o++] = hex[p[i] >> 4];
        out[o++] = hex[p[i] & 15];
    }
    if (show < n) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

/* "ff:ff:ff:ff:ff:ff" is "Broadcast" in tshark's columns and fields. */
static const char *dis_mac_column(const uint8_t *mac, char buf[18])
{
    return eth_is_broadcast(mac) ? "Broadcast" : mac_str(mac, buf);
}

/* A MAC field value: "02:00:00:00:00:01", or "Broadcast (ff:ff:...)".
 * No printf: it is evaluated as an argument even in summary mode. */
static const char *dis_mac_value(const uint8_t *mac, char buf[18])
{
    return eth_is_broadcast(mac) ? "Broadcast (ff:ff:ff:ff:ff:ff)" : mac_str(mac, buf);
}

static const char *dis_ethertype_name(uint16_t type)
{
    switch (type) {
    case ETH_TYPE_IPV4:
        return "IPv4";
    case ETH_TYPE_ARP:
        return "ARP";
    case 0x86dd:
        return "IPv6";
    case 0x8100:
        return "802.1Q Virtual LAN";
    default:
        return "Unknown";
    }
}

struct dis_dscp {
    uint8_t code;
    const char *abbrev, *name;
};

/* tshark's DSCP names (RFC 2474, 2597, 3246, 5865, 8622). */
static const struct dis_dscp dis_dscps[] = {
    {0, "CS0", "Default"},
    {1, "LE", "Lower Effort"},
    {8, "CS1", "Class Selector 1"},
    {10, "AF11", "Assured Forwarding 11"},
    {12, "AF12", "Assured Forwarding 12"},
    {14, "AF13", "Assured Forwarding 13"},
    {16, "CS2", "Class Selector 2"},
    {18, "AF21", "Assured Forwarding 21"},
    {20, "AF22", "Assured Forwarding 22"},
    {22, "AF23", "Assured Forwarding 23"},
    {24, "CS3", "Class Selector 3"},
    {26, "AF31", "Assured Forwarding 31"},
    {28, "AF32", "Assured Forwarding 32"},
    {30, "AF33", "Assured Forwarding 33"},
    {32, "CS4", "Class Selector 4"},
    {34, "AF41", "Assured Forwarding 41"},
    {36, "AF42", "Assured Forwarding 42"},
    {38, "AF43", "Assured Forwarding 43"},
    {40, "CS5", "Class Selector 5"},
    {44, "VOICE-ADMIT", "Voice Admit"},
    {46, "EF PHB", "Expedited Forwarding"},
    {48, "CS6", "Class Selector 6"},
    {56, "CS7", "Class Selector 7"},
};

static const struct dis_dscp *dis_dscp_find(uint8_t code)
{
    static const struct dis_dscp unknown = {0, "Unknown", "Unknown"};
    for (size_t i = 0; i < sizeof dis_dscps / sizeof dis_dscps[0]; i++)
        if (dis_dscps[i].code == code) return &dis_dscps[i];
    return &unknown;
}

static const char *const dis_ecn_abbrev[4] = {"Not-ECT", "ECT(1)", "ECT(0)", "CE"};
static const char *const dis_ecn_name[4] = {
    "Not ECN-Capable Transport", "ECN-Capable Transport codepoint '01'",
    "ECN-Capable Transport codepoint '10'", "Congestion Experienced"};

const char *dis_set(bool set)
{
    return set ? "Set" : "Not set";
}

/* --- layers ------------------------------------------------------------ */

/* A payload nobody here dissects: one "Data" layer with its bytes. */
void dis_data(struct dis_ctx *c, size_t off, size_t n, uint8_t osi)
{
    if (n == 0) return;
    dis_layer_begin(c, "data", osi, off, n, "Data (%zu bytes)", n);
    if (c->tree) {
        char hex[sizeof c->d->fields[0].value];
        dis_hex(hex, sizeof hex, c->frame + off, n);
        dis_field_add(c, 0, off, n, "Data", "%s", hex);
        dis_field_add(c, 0, off, n, "Length", "%zu", n);
    }
}

/* The IPv4 header fields, for the datagram itself (depth 0, with the flag
 * and DSCP/ECN bits as sub-fields) or for the one an ICMP error quotes
 * (depth 1, bits folded into their byte). p holds n bytes at frame offset
 * off; h comes from ip4_read_header over those bytes. */
static void dis_ip4_fields(struct dis_ctx *c, const uint8_t *p, size_t n, size_t off,
                           const struct ip4_hdr *h, uint8_t depth)
{
    if (!c->tree) return;
    char src[16], dst[16];
    const struct dis_dscp *dscp = dis_dscp_find((uint8_t)(h->tos >> 2));
    unsigned ecn = h->tos & 3;
    unsigned flags = h->frag >> 13;
    bool rb = h->frag & IP4_FLAG_RESERVED, df = h->frag & IP4_FLAG_DF, mf = h->frag & IP4_FLAG_MF;

    dis_field_add(c, depth, off + IP4_OFF_VER_IHL, 1, "Version", "%u", ip4_get_version(p));
    dis_field_add(c, depth, off + IP4_OFF_VER_IHL, 1, "Header Length", "%u bytes (%u)", h->ihl,
                  h->ihl / 4u);
    dis_field_add(c, depth, off + IP4_OFF_TOS, 1, "Differentiated Services Field",
                  "0x%02x (DSCP: %s, ECN: %s)", h->tos, dscp->abbrev, dis_ecn_abbrev[ecn]);
    if (depth == 0) {
        dis_field_add(c, 1, off + IP4_OFF_TOS, 1, "Differentiated Services Codepoint", "%s (%u)",
                      dscp->name, h->tos >> 2);
        dis_field_add(c, 1, off + IP4_OFF_TOS, 1, "Explicit Congestion Notification", "%s (%u)",
                      dis_ecn_name[ecn], ecn);
    }
    dis_field_add(c, depth, off + IP4_OFF_TOTAL, 2, "Total Length", "%u", h->total_len);
    dis_field_add(c, depth, off + IP4_OFF_ID, 2, "Identification", "0x%04x (%u)", h->id, h->id);
    dis_field_add(c, depth, off + IP4_OFF_FRAG, 1, "Flags", "0x%x%s%s%s", flags,
                  rb ? ", Reserved bit" : "", df ? ", Don't fragment" : "",
                  mf ? ", More fragments" : "");
    if (depth == 0) {
        dis_field_add(c, 1, off + IP4_OFF_FRAG, 1, "Reserved bit", "%s", dis_set(rb));
        dis_field_add(c, 1, off + IP4_OFF_FRAG, 1, "Don't fragment", "%s", dis_set(df));
        dis_field_add(c, 1, off + IP4_OFF_FRAG, 1, "More fragments", "%s", dis_set(mf));
    }
    /* tshark shows the offset in bytes, as a student computes it. */
    dis_field_add(c, depth, off + IP4_OFF_FRAG, 2, "Fragment Offset", "%u",
                  (h->frag & IP4_FRAG_MASK) * 8u);
    dis_field_add(c, depth, off + IP4_OFF_TTL, 1, "Time to Live", "%u", h->ttl);
    dis_field_add(c, depth, off + IP4_OFF_PROTO, 1, "Protocol", "%s (%u)", ip4_proto_name(h->proto),
                  h->proto);
    if (h->ihl >= IP4_HDR_LEN && n >= h->ihl) {
        uint16_t should = ip4_header_checksum(p, h->ihl);
        if (inet_sum(p, h->ihl, 0) == 0xffff)
            dis_field_add(c, depth, off + IP4_OFF_CHECKSUM, 2, "Header Checksum",
                          "0x%04x [correct]", h->checksum);
        else
            dis_field_add(c, depth, off + IP4_OFF_CHECKSUM, 2, "Header Checksum",
                          "0x%04x [incorrect, should be 0x%04x]", h->checksum, should);
    } else {
        dis_field_add(c, depth, off + IP4_OFF_CHECKSUM, 2, "Header Checksum", "0x%04x [unverified]",
                      h->checksum);
    }
    dis_field_add(c, depth, off + IP4_OFF_SRC, 4, "Source Address", "%s", ip4_str(h->src, src));
    dis_field_add(c, depth, off + IP4_OFF_DST, 4, "Destination Address", "%s",
                  ip4_str(h->dst, dst));
    if (h->ihl > IP4_HDR_LEN)
        dis_field_add(c, depth, off + IP4_HDR_LEN, h->ihl - IP4_HDR_LEN, "Options", "(%u bytes)%s",
                      h->ihl - IP4_HDR_LEN, n < h->ihl ? " [truncated]" : "");
}

/* Echo and timestamp messages carry an identifier and a sequence number
 * (RFC 792), and tshark gives them the same Info line. */
static bool dis_icmp_is_echo(uint8_t type)
{
    return type == ICMP_ECHO_REQUEST || type == ICMP_ECHO_REPLY || type == 13 || type == 14;
}

/* tshark's Info for an ICMP message: the type padded to 20 columns
 * ("%-20s"), then the code in parentheses when the type names its codes. */
static void dis_icmp_info(struct dissection *d, uint8_t type, uint8_t code)
{
    const char *code_name = icmp_code_name(type, code);
    if (!code_name)
        dis_info(d, "%-20s", icmp_type_label(type));
    else if (strcmp(code_name, "Unknown code") == 0)
        dis_info(d, "%-20s (Unknown code: %u)", icmp_type_label(type), code);
    else
        dis_info(d, "%-20s (%s)", icmp_type_label(type), code_name);
}

static uint16_t dis_swap16(uint16_t v)
{
    return (uint16_t)(v >> 8 | v << 8);
}

/* The 8 bytes after the header an ICMP error quotes (RFC 792: "Internet
 * Header + 64 bits of Original Data Datagram"): enough for the ports, which
 * is what a student looks for. p holds n bytes at frame offset off. */
static void dis_quoted_l4(struct dis_ctx *c, const uint8_t *p, size_t n, size_t off, uint8_t proto)
{
    struct icmp_msg m;
    if (proto == IP4_PROTO_ICMP && icmp_parse(p, n, &m) != -1) {
        /* Its checksum covers bytes that were not quoted: not checkable. */
        dis_field_add(c, 0, off, n, "Internet Control Message Protocol", "%s",
                      icmp_type_name(m.type, m.code));
        dis_field_add(c, 1, off + ICMP_OFF_TYPE, 1, "Type", "%u (%s)", m.type,
                      icmp_type_label(m.type));
        dis_field_add(c, 1, off + ICMP_OFF_CODE, 1, "Code", "%u", m.code);
        dis_field_add(c, 1, off + ICMP_OFF_CHECKSUM, 2, "Checksum",
                      "0x%04x [unverified] [in ICMP error packet]", m.checksum);
        if (dis_icmp_is_echo(m.type)) {
            dis_field_add(c, 1, off + ICMP_OFF_ID, 2, "Identifier (BE)", "%u (0x%04x)", m.id, m.id);
            dis_field_add(c, 1, off + ICMP_OFF_SEQ, 2, "Sequence Number (BE)", "%u (0x%04x)", m.seq,
                          m.seq);
        }
        return;
    }
    /* No udp_wire/tcp_wire parser exists yet; the ports are the first two
     * 16-bit words of both. Replace with their parsers when they come. */
    if ((proto == IP4_PROTO_UDP || proto == IP4_PROTO_TCP) && n >= 8) {
        bool udp = proto == IP4_PROTO_UDP;
        uint16_t sport = get_be16(p), dport = get_be16(p + 2);
        dis_field_add(c, 0, off, 8,
                      udp ? "User Datagram Protocol" : "Transmission Control Protocol",
                      "Src Port: %u, Dst Port: %u", sport, dport);
        dis_field_add(c, 1, off, 2, "Source Port", "%u", sport);
        dis_field_add(c, 1, off + 2, 2, "Destination Port", "%u", dport);
        if (udp) {
            dis_field_add(c, 1, off + 4, 2, "Length", "%u", get_be16(p + 4));
            dis_field_add(c, 1, off + 6, 2, "Checksum", "0x%04x", get_be16(p + 6));
        } else {
            dis_field_add(c, 1, off + 4, 4, "Sequence Number (raw)", "%lu",
                          (unsigned long)get_be32(p + 4));
        }
        return;
    }
    dis_field_add(c, 0, off, n, "Data", "(%zu bytes)", n);
}

/* The datagram an ICMP error quotes, as sub-fields of the ICMP layer. */
static void dis_icmp_quote(struct dis_ctx *c, size_t off, size_t n)
{
    if (!c->tree || n == 0) return;
    const uint8_t *p = c->frame + off;
    struct ip4_hdr h;
    int err = ip4_read_header(p, n, &h);
    if (n < IP4_HDR_LEN || err == IP4_ERR_VERSION || err == IP4_ERR_IHL) {
        dis_field_add(c, 0, off, n, "Data", "(%zu bytes)", n);
        return;
    }
    char src[16], dst[16];
    dis_field_add(c, 0, off, h.ihl < n ? h.ihl : n, "Internet Protocol Version 4",
                  "Src: %s, Dst: %s", ip4_str(h.src, src), ip4_str(h.dst, dst));
    dis_ip4_fields(c, p, n, off, &h, 1);
    /* The quote stops 8 bytes after the header whatever its Total Length
     * says, so ip4_read_header (no total-length check) is the right test. */
    if (err != IP4_OK || n == h.ihl) return;
    dis_quoted_l4(c, p + h.ihl, n - h.ihl, off + h.ihl, h.proto);
}

/* ICMP in p = frame + off, n bytes. ttl is the carrying header's (tshark
 * prints it in the echo Info); cut says the datagram was truncated, so the
 * checksum cannot be checked. */
static void dis_icmp(struct dis_ctx *c, size_t off, size_t n, uint8_t ttl, bool cut)
{
    struct dissection *d = c->d;
    const uint8_t *p = c->frame + off;
    struct icmp_msg m;
    int err = icmp_parse(p, n, &m);

    dis_set_protocol(d, "ICMP");
    dis_layer_begin(c, "icmp", 3, off, n, "Internet Control Message Protocol");
    if (err == -1) {
        dis_field_add(c, 0, off, n, "Data", "(%zu bytes, an ICMP header needs %d)", n,
                      ICMP_HDR_LEN);
        dis_info(d, "%s", "");
        dis_malformed(d);
        return;
    }

    const char *code_name = icmp_code_name(m.type, m.code);
    dis_field_add(c, 0, off + ICMP_OFF_TYPE, 1, "Type", "%u (%s)", m.type, icmp_type_label(m.type));
    if (code_name && strcmp(code_name, "Unknown code") == 0)
        dis_field_add(c, 0, off + ICMP_OFF_CODE, 1, "Code", "%u (Unknown code: %u)", m.code,
                      m.code);
    else if (code_name)
        dis_field_add(c, 0, off + ICMP_OFF_CODE, 1, "Code", "%u (%s)", m.code, code_name);
    else
        dis_field_add(c, 0, off + ICMP_OFF_CODE, 1, "Code", "%u", m.code);
    if (cut)
        dis_field_add(c, 0, off + ICMP_OFF_CHECKSUM, 2, "Checksum", "0x%04x [unverified]",
                      m.checksum);
    else if (err == 0)
        dis_field_add(c, 0, off + ICMP_OFF_CHECKSUM, 2, "Checksum", "0x%04x [correct]", m.checksum);
    else
        dis_field_add(c, 0, off + ICMP_OFF_CHECKSUM, 2, "Checksum",
                      "0x%04x [incorrect, should be 0x%04x]", m.checksum,
                      icmp_checksum_compute(p, n));

    if (dis_icmp_is_echo(m.type)) {
        dis_field_add(c, 0, off + ICMP_OFF_ID, 2, "Identifier (BE)", "%u (0x%04x)", m.id, m.id);
        dis_field_add(c, 0, off + ICMP_OFF_ID, 2, "Identifier (LE)", "%u (0x%04x)",
                      dis_swap16(m.id), dis_swap16(m.id));
        dis_field_add(c, 0, off + ICMP_OFF_SEQ, 2, "Sequence Number (BE)", "%u (0x%04x)", m.seq,
                      m.seq);
        dis_field_add(c, 0, off + ICMP_OFF_SEQ, 2, "Sequence Number (LE)", "%u (0x%04x)",
                      dis_swap16(m.seq), dis_swap16(m.seq));
        if (m.body_len)
            dis_field_add(c, 0, off + ICMP_HDR_LEN, m.body_len, "Data", "(%zu bytes)", m.body_len);
        /* packet-icmp.c: "%-20s" then " id=0x%04x, seq=%u/%u, ttl=%u" */
        struct dis_str info = {d->info, sizeof d->info, 0};
        dis_str_put(&info, icmp_type_label(m.type));
        dis_str_pad(&info, 20);
        dis_str_put(&info, " id=0x");
        dis_str_hex4(&info, m.id);
        dis_str_put(&info, ", seq=");
        dis_str_dec(&info, m.seq);
        dis_str_put(&info, "/");
        dis_str_dec(&info, dis_swap16(m.seq));
        dis_str_put(&info, ", ttl=");
        dis_str_dec(&info, ttl);
        return;
    }

    dis_icmp_info(d, m.type, m.code);
    if (icmp_type_is_error(m.type)) {
        char gw[16];
        if (m.type == ICMP_DEST_UNREACH && m.code == ICMP_FRAG_NEEDED) {
            /* RFC 1191: the next-hop MTU lives in the low half. */
            dis_field_add(c, 0, off + ICMP_OFF_ID, 2, "Unused", "%04x", m.id);
            dis_field_add(c, 0, off + ICMP_OFF_SEQ, 2, "MTU of next hop", "%u", m.seq);
        } else if (m.type == 5) {
            dis_field_add(c, 0, off + ICMP_OFF_ID, 4, "Gateway Address", "%s", ip4_str(m.rest, gw));
        } else if (m.type == 12) {
            dis_field_add(c, 0, off + ICMP_OFF_ID, 1, "Pointer", "%u", (unsigned)(m.rest >> 24));
            dis_field_add(c, 0, off + ICMP_OFF_ID + 1, 3, "Unused", "%06lx",
                          (unsigned long)(m.rest & 0xffffff));
        } else {
            dis_field_add(c, 0, off + ICMP_OFF_ID, 4, "Unused", "%08lx", (unsigned long)m.rest);
        }
        dis_icmp_quote(c, off + ICMP_HDR_LEN, m.body_len);
        return;
    }
    dis_field_add(c, 0, off + ICMP_OFF_ID, 4, "Rest of Header", "%08lx", (unsigned long)m.rest);
    if (m.body_len)
        dis_field_add(c, 0, off + ICMP_HDR_LEN, m.body_len, "Data", "(%zu bytes)", m.body_len);
}

/* IPv4 in frame + off, n bytes (padding included: the header says where
 * the datagram ends). */
static void dis_ip4(struct dis_ctx *c, size_t off, size_t n)
{
    struct dissection *d = c->d;
    const uint8_t *p = c->frame + off;
    struct ip4_hdr h;
    int err = ip4_read_header(p, n, &h);

    dis_set_protocol(d, "IPv4");
    if (n < IP4_HDR_LEN) {
        dis_layer_begin(c, "ip", 3, off, n, "Internet Protocol Version 4");
        dis_field_add(c, 0, off, n, "Data", "(%zu bytes, an IPv4 header needs %d)", n, IP4_HDR_LEN);
        dis_malformed(d);
        return;
    }
    ip4_str(h.src, d->src);
    ip4_str(h.dst, d->dst);
    size_t hlen = h.ihl >= IP4_HDR_LEN ? h.ihl : IP4_HDR_LEN;
    dis_layer_begin(c, "ip", 3, off, hlen, "Internet Protocol Version 4, Src: %s, Dst: %s", d->src,
                    d->dst);
    dis_ip4_fields(c, p, n, off, &h, 0);

    switch (err) {
    case IP4_OK:
        break;
    case IP4_ERR_VERSION:
        dis_info(d, "Bogus IP version (%u)", ip4_get_version(p));
        dis_malformed(d);
        return;
    case IP4_ERR_IHL:
        dis_info(d, "Bogus IP header length (%u, must be at least %d)", h.ihl, IP4_HDR_LEN);
        dis_malformed(d);
        return;
    case IP4_ERR_TOTAL_LEN:
        dis_info(d, "Bogus IP length (%u, less than header length %u)", h.total_len, h.ihl);
        dis_malformed(d);
        return;
    default: /* options cut short */
        dis_malformed(d);
        return;
    }

    /* Bytes past Total Length are the Ethernet layer's padding; fewer than
     * it says means the frame was cut. A wrong header checksum is shown on
     * its field and does not stop us: seeing it is the lesson. */
    bool cut = n < h.total_len;
    size_t pn = (cut ? n : h.total_len) - h.ihl;
    size_t poff = off + h.ihl;
    if (h.frag & (IP4_FLAG_MF | IP4_FRAG_MASK)) {
        dis_info(d, "Fragmented IP protocol (proto=%s %u, off=%u, ID=%04x)",
                 ip4_proto_name(h.proto), h.proto, (h.frag & IP4_FRAG_MASK) * 8u, h.id);
        dis_data(c, poff, pn, 4);
    } else if (h.proto == IP4_PROTO_ICMP) {
        dis_icmp(c, poff, pn, h.ttl, cut);
    } else if (h.proto == IP4_PROTO_UDP) {
        dis_udp(c, poff, pn, &h, cut);
    } else if (h.proto == IP4_PROTO_TCP) {
        dis_tcp(c, poff, pn, &h, cut);
    } else {
        dis_info(d, "%s (%u)", ip4_proto_name(h.proto), h.proto);
        dis_data(c, poff, pn, 4);
    }
    if (cut) dis_malformed(d);
}

static const char *dis_arp_op_name(uint16_t op)
{
    switch (op) {
    case ARP_OP_REQUEST:
        return "request";
    case ARP_OP_REPLY:
        return "reply";
    default:
        return "Unknown";
    }
}

/* The fixed part every ARP message has, whatever its address types. */
static void dis_arp_fixed_fields(struct dis_ctx *c, const uint8_t *p, size_t off)
{
    uint16_t htype = get_be16(p + ARP_OFF_HTYPE), ptype = get_be16(p + ARP_OFF_PTYPE);
    uint16_t op = get_be16(p + ARP_OFF_OP);
    dis_field_add(c, 0, off + ARP_OFF_HTYPE, 2, "Hardware type", "%s (%u)",
                  htype == ARP_HTYPE_ETHERNET ? "Ethernet" : "Unknown", htype);
    dis_field_add(c, 0, off + ARP_OFF_PTYPE, 2, "Protocol type", "%s (0x%04x)",
                  dis_ethertype_name(ptype), ptype);
    dis_field_add(c, 0, off + ARP_OFF_HLEN, 1, "Hardware size", "%u", p[ARP_OFF_HLEN]);
    dis_field_add(c, 0, off + ARP_OFF_PLEN, 1, "Protocol size", "%u", p[ARP_OFF_PLEN]);
    dis_field_add(c, 0, off + ARP_OFF_OP, 2, "Opcode", "%s (%u)", dis_arp_op_name(op), op);
}

static void dis_arp(struct dis_ctx *c, size_t off, size_t n)
{
    struct dissection *d = c->d;
    const uint8_t *p = c->frame + off;
    struct arp_msg m;
    int err = arp_parse(p, n, &m);

    dis_set_protocol(d, "ARP");
    if (err == -1) {
        dis_layer_begin(c, "arp", 3, off, n, "Address Resolution Protocol");
        dis_field_add(c, 0, off, n, "Data", "(%zu bytes, an ARP message needs %d)", n, ARP_LEN);
        dis_malformed(d);
        return;
    }
    if (err == -2) {
        /* Another hardware or protocol type: RFC 826 allows it, netstep
         * does not speak it. Not malformed, just not ours. */
        dis_layer_begin(c, "arp", 3, off, ARP_LEN, "Address Resolution Protocol");
        dis_arp_fixed_fields(c, p, off);
        dis_info(d, "ARP for hardware type %u, protocol type 0x%04x (not Ethernet/IPv4)",
                 get_be16(p + ARP_OFF_HTYPE), get_be16(p + ARP_OFF_PTYPE));
        return;
    }

    /* packet-arp.c: spa == tpa is gratuitous; a gratuitous request with a
     * zero target MAC is an announcement (RFC 5227), a request from 0.0.0.0
     * with a zero target MAC a probe. */
    static const uint8_t zero_mac[6] = {0};
    bool req = m.op == ARP_OP_REQUEST, rep = m.op == ARP_OP_REPLY;
    bool tha_zero = memcmp(m.tha, zero_mac, 6) == 0;
    bool gratuitous = (req || rep) && m.spa == m.tpa;
    bool announce = gratuitous && req && tha_zero;
    bool probe = !gratuitous && req && tha_zero && m.spa == 0;
    char spa[16], tpa[16], sha[18];
    struct dis_str info = {d->info, sizeof d->info, 0};
    ip4_str(m.spa, spa);
    ip4_str(m.tpa, tpa);

    if (announce) {
        dis_info(d, "ARP Announcement for %s", tpa);
    } else if (gratuitous) {
        dis_info(d, "Gratuitous ARP for %s (%s)", req ? tpa : spa, req ? "Request" : "Reply");
    } else if (probe) {
        dis_info(d, "Who has %s? (ARP Probe)", tpa);
    } else if (req) {
        dis_str_put(&info, "Who has ");
        dis_str_put(&info, tpa);
        dis_str_put(&info, "? Tell ");
        dis_str_put(&info, spa);
    } else if (rep) {
        dis_str_put(&info, spa);
        dis_str_put(&info, " is at ");
        dis_str_put(&info, mac_str(m.sha, sha));
    } else {
        dis_info(d, "Unknown ARP opcode 0x%04x", m.op);
    }

    if (!c->tree) return;
    if (announce)
        dis_layer_begin(c, "arp", 3, off, ARP_LEN,
                        "Address Resolution Protocol (ARP Announcement)");
    else if (probe)
        dis_layer_begin(c, "arp", 3, off, ARP_LEN, "Address Resolution Protocol (ARP Probe)");
    else if (req || rep)
        dis_layer_begin(c, "arp", 3, off, ARP_LEN, "Address Resolution Protocol (%s%s)",
                        dis_arp_op_name(m.op), gratuitous ? "/gratuitous ARP" : "");
    else
        dis_layer_begin(c, "arp", 3, off, ARP_LEN, "Address Resolution Protocol (opcode %u)", m.op);
    char mac[18];
    dis_arp_fixed_fields(c, p, off);
    dis_field_add(c, 0, off + ARP_OFF_SHA, 6, "Sender MAC address", "%s",
                  dis_mac_value(m.sha, mac));
    dis_field_add(c, 0, off + ARP_OFF_SPA, 4, "Sender IP address", "%s", spa);
    dis_field_add(c, 0, off + ARP_OFF_THA, 6, "Target MAC address", "%s",
                  dis_mac_value(m.tha, mac));
    dis_field_add(c, 0, off + ARP_OFF_TPA, 4, "Target IP address", "%s", tpa);
}

/* How many bytes after the Ethernet header the next layer says it uses;
 * the rest is padding. Unknown types use everything. */
static size_t dis_eth_payload_used(uint16_t type, const uint8_t *p, size_t n)
{
    struct ip4_hdr h;
    if (type == ETH_TYPE_ARP) return n < ARP_LEN ? n : ARP_LEN;
    if (type == ETH_TYPE_IPV4 && ip4_read_header(p, n, &h) == IP4_OK && h.total_len < n)
        return h.total_len;
    return n;
}

/* Bytes after the payload: "Padding" up to the 60-byte minimum frame (the
 * sender's zeros), "Trailer" past it (tshark's split). */
static void dis_eth_padding(struct dis_ctx *c, size_t from)
{
    if (!c->tree || from >= c->len) return;
    char hex[sizeof c->d->fields[0].value];
    size_t pad_end = c->len < ETH_MIN_FRAME ? c->len : ETH_MIN_FRAME;
    if (from < pad_end) {
        dis_hex(hex, sizeof hex, c->frame + from, pad_end - from);
        dis_field_add(c, 0, from, pad_end - from, "Padding", "%s", hex);
        from = pad_end;
    }
    if (from < c->len) {
        dis_hex(hex, sizeof hex, c->frame + from, c->len - from);
        dis_field_add(c, 0, from, c->len - from, "Trailer", "%s", hex);
    }
}

static void dis_eth(struct dis_ctx *c)
{
    struct dissection *d = c->d;
    struct eth_hdr eh;

    dis_set_protocol(d, "ETH");
    if (eth_parse(c->frame, c->len, &eh) != 0) {
        dis_layer_begin(c, "eth", 2, 0, c->len, "Ethernet II");
        dis_field_add(c, 0, 0, c->len, "Data", "(%zu bytes, an Ethernet header needs %d)", c->len,
                      ETH_HDR_LEN);
        dis_malformed(d);
        return;
    }
    char src[18], dst[18], v[18];
    dis_copy(d->src, sizeof d->src, dis_mac_column(eh.src, src));
    dis_copy(d->dst, sizeof d->dst, dis_mac_column(eh.dst, dst));
    dis_layer_begin(c, "eth", 2, 0, ETH_HDR_LEN, "Ethernet II, Src: %s, Dst: %s",
                    mac_str(eh.src, src), mac_str(eh.dst, dst));
    dis_field_add(c, 0, ETH_OFF_DST, 6, "Destination", "%s", dis_mac_value(eh.dst, v));
    dis_field_add(c, 0, ETH_OFF_SRC, 6, "Source", "%s", dis_mac_value(eh.src, v));
    dis_field_add(c, 0, ETH_OFF_TYPE, 2, "Type", "%s (0x%04x)", dis_ethertype_name(eh.type),
                  eh.type);

    const uint8_t *p = c->frame + ETH_HDR_LEN;
    size_t n = c->len - ETH_HDR_LEN;
    size_t used = dis_eth_payload_used(eh.type, p, n);
    dis_eth_padding(c, ETH_HDR_LEN + used);
    switch (eh.type) {
    case ETH_TYPE_ARP:
        dis_arp(c, ETH_HDR_LEN, used);
        break;
    case ETH_TYPE_IPV4:
        dis_ip4(c, ETH_HDR_LEN, used);
        break;
    default:
        dis_info(d, "EtherType 0x%04x (%s), %zu bytes", eh.type, dis_ethertype_name(eh.type), n);
        dis_data(c, ETH_HDR_LEN, n, 3);
        break;
    }
}

/* --- public entry points ----------------------------------------------- */

void dissect_packet(const uint8_t *buf, size_t len, enum dis_start start, struct dissection *d,
                    bool tree)
{
    dissect_packet_keys(buf, len, start, NULL, d, tree);
}

void dissect_packet_keys(const uint8_t *buf, size_t len, enum dis_start start,
                         const struct sim *keys, struct dissection *d, bool tree)
{
    memset(d, 0, sizeof *d);
    struct dis_ctx c = {
        .d = d, .frame = buf, .len = buf ? len : 0, .tree = tree, .layer = -1, .keys = keys};
    switch (start) {
    case DIS_START_IPV4:
        dis_ip4(&c, 0, c.len);
        break;
    case DIS_START_ARP:
        dis_arp(&c, 0, c.len);
        break;
    default:
        dis_eth(&c);
        break;
    }
}

void dissect_frame(const uint8_t *frame, size_t len, struct dissection *d)
{
    dissect_packet(frame, len, DIS_START_ETH, d, true);
}

void dissect_summary(const uint8_t *frame, size_t len, struct dissection *d)
{
    dissect_packet(frame, len, DIS_START_ETH, d, false);
}

void dissect_free(struct dissection *d)
{
    free(d->fields);
    d->fields = NULL;
    d->n_fields = d->cap_fields = 0;
}

void dissect_print(const struct dissection *d, FILE *out)
{
    for (int i = 0; i < d->n_layers; i++) {
        const struct dis_layer *l = &d->layers[i];
        fprintf(out, "%s [%u, %u]\n", l->name[0] ? l->name : l->abbrev, (unsigned)l->off,
                (unsigned)l->len);
        for (uint32_t k = 0; d->fields && k < l->n_fields; k++) {
            const struct dis_field *f = &d->fields[l->first_field + k];
            fprintf(out, "%*s%s%s%s [%u, %u]\n", 4 * (f->depth + 1), "", f->name,
                    f->value[0] ? ": " : "", f->value, (unsigned)f->off, (unsigned)f->len);
        }
    }
    if (d->malformed) fprintf(out, "[Malformed Packet]\n");
}
