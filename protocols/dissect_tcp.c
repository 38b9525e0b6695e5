/* dissect_tcp.c - the TCP layer of the dissector (RFC 9293 header, flags,
 * options, the checksum checked over the pseudo-header) and the hand-off
 * of its payload to the application dissectors by port.
 *
 * Words follow tshark 4.0 ("Transmission Control Protocol, Src Port: ...",
 * "Sequence Number (raw)", "Flags: 0x012 (SYN, ACK)", Info "49152 → 80
 * [SYN] Seq=... Win=65535 Len=0 MSS=1460 WS=4"). tshark shows sequence
 * numbers relative to each stream's first by default, which takes state
 * across frames; the dissector sees one frame alone, so it shows the raw
 * numbers, as `tshark -o tcp.relative_sequence_numbers:FALSE` does. The
 * window is the raw field too (tshark scales it once it has seen the
 * handshake). */
#include "dissect_priv.h"
#include "tcp_wire.h"

#include <string.h>

/* The application dissector for a segment's payload, or false when none
 * applies (shown as Data). The hook where HTTP, FTP, SMTP... plug in. */
static bool dis_tcp_app(struct dis_ctx *c, size_t off, size_t n, uint16_t sport, uint16_t dport)
{
    if (n == 0) return false;
    if (sport == 53 || dport == 53) {
        dis_dns(c, off, n, true);
        return true;
    }
    if (sport == 25 || dport == 25 || sport == 587 || dport == 587) {
        uint16_t port = sport == 25 || sport == 587 ? sport : dport;
        dis_smtp_starttls(c, off, n, port, sport == port); /* SMTP, or TLS after STARTTLS */
        return true;
    }
    if (sport == 110 || dport == 110 || sport == 143 || dport == 143) {
        uint16_t port = sport == 110 || sport == 143 ? sport : dport;
        void (*fn)(struct dis_ctx *, size_t, size_t, bool) = port == 110 ? dis_pop : dis_imap;
        fn(c, off, n, sport == port);
        return true;
    }
    if (sport == 21 || dport == 21) {
        dis_ftp(c, off, n, sport == 21);
        return true;
    }
    if (sport == 20 || dport == 20) {
        dis_ftp_data(c, off, n);
        return true;
    }
    if (sport == 23 || dport == 23) {
        dis_telnet(c, off, n);
        return true;
    }
    if (sport == 80 || dport == 80) {
        dis_http(c, off, n);
        return true;
    }
    if (sport == 43 || dport == 43) {
        dis_whois(c, off, n, dport == 43);
        return true;
    }
    static const uint16_t tls_ports[] = {443, 465, 993, 995, 990};
    for (size_t i = 0; i < sizeof tls_ports / sizeof tls_ports[0]; i++)
        if (sport == tls_ports[i] || dport == tls_ports[i]) {
            dis_tls(c, off, n, tls_ports[i], sport == tls_ports[i]);
            return true;
        }
    /* TLS on a port of its own (FTPS data connections), as tshark's
     * heuristic finds it; port 0: no protocol inside to name */
    if (dis_tls_segment(c, off, n)) {
        dis_tls(c, off, n, 0, false);
        return true;
    }
    return false;
}

/* One field per option, as tshark lists them. Stops at the first option
 * that does not fit (the parser has said the header is malformed then). */
static void dis_tcp_options(struct dis_ctx *c, const uint8_t *o, size_t len, size_t off)
{
    if (!c->tree || len == 0) return;
    dis_field_add(c, 0, off, len, "Options", "(%zu bytes)", len);
    size_t i = 0;
    while (i < len) {
        uint8_t kind = o[i];
        if (kind == TCP_OPT_EOL) {
            dis_field_add(c, 1, off + i, len - i, "TCP Option - End of Option List (EOL)", "%s",
                          "");
            return;
        }
        if (kind == TCP_OPT_NOP) {
            dis_field_add(c, 1, off + i, 1, "TCP Option - No-Operation (NOP)", "%s", "");
            i++;
            continue;
        }
        if (i + 1 >= len || o[i + 1] < 2 || o[i + 1] > len - i) {
            dis_field_add(c, 1, off + i, len - i, "TCP Option", "kind %u, length cut short", kind);
            return;
        }
        uint8_t ol = o[i + 1];
        const uint8_t *v = o + i + 2;
        if (kind == TCP_OPT_MSS && ol == 4)
            dis_field_add(c, 1, off + i, ol, "TCP Option - Maximum segment size", "%u bytes",
                          get_be16(v));
        else if (kind == TCP_OPT_WSCALE && ol == 3)
            dis_field_add(c, 1, off + i, ol, "TCP Option - Window scale", "%u (multiply by %u)",
                          v[0], 1u << (v[0] > 14 ? 14 : v[0]));
        else if (kind == TCP_OPT_SACK_PERM && ol == 2)
            dis_field_add(c, 1, off + i, ol, "TCP Option - SACK permitted", "%s", "");
        else if (kind == TCP_OPT_TS && ol == 10)
            dis_field_add(c, 1, off + i, ol, "TCP Option - Timestamps", "TSval %lu, TSecr %lu",
                          (unsigned long)get_be32(v), (unsigned long)get_be32(v + 4));
        else if (kind == TCP_OPT_SACK)
            dis_field_add(c, 1, off + i, ol, "TCP Option - SACK", "(%u bytes)", ol);
        else
            dis_field_add(c, 1, off + i, ol, "TCP Option - Unknown", "kind %u, %u bytes", kind, ol);
        i += ol;
    }
}

static void dis_tcp_flags(struct dis_ctx *c, size_t off, uint16_t f)
{
    if (!c->tree) return;
    char names[64];
    tcp_flags_str(f, names, sizeof names);
    /* "[SYN, ACK]" -> "(SYN, ACK)" */
    size_t k = strlen(names);
    names[0] = '(';
    if (k) names[k - 1] = ')';
    dis_field_add(c, 0, off + TCP_OFF_DOFF, 2, "Flags", "0x%03x %s", f, names);
    static const struct {
        uint16_t bit;
        const char *name;
    } bits[] = {
        {TCP_AE, "Accurate ECN"},
        {TCP_CWR, "Congestion Window Reduced"},
        {TCP_ECE, "ECN-Echo"},
        {TCP_URG, "Urgent"},
        {TCP_ACK, "Acknowledgment"},
        {TCP_PSH, "Push"},
        {TCP_RST, "Reset"},
        {TCP_SYN, "Syn"},
        {TCP_FIN, "Fin"},
    };
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        dis_field_add(c, 1, off + (bits[i].bit == TCP_AE ? TCP_OFF_DOFF : TCP_OFF_FLAGS), 1,
                      bits[i].name, "%s", dis_set(f & bits[i].bit));
}

void dis_tcp(struct dis_ctx *c, size_t off, size_t n, const struct ip4_hdr *ip, bool cut)
{
    struct dissection *d = c->d;
    const uint8_t *p = c->frame + off;
    struct tcp_hdr h;
    int err = tcp_parse(p, n, &h);
    dis_set_protocol(d, "TCP");
    if (err == TCP_ERR_SHORT) {
        dis_layer_begin(c, "tcp", 4, off, n, "Transmission Control Protocol");
        dis_field_add(c, 0, off, n, "Data", "(%zu bytes, a TCP header needs %d)", n, TCP_HDR_LEN);
        dis_info(d, "TCP header cut short");
        dis_malformed(d);
        return;
    }
    bool hl_ok = err != TCP_ERR_HLEN;
    size_t hl = hl_ok ? h.hlen : TCP_HDR_LEN;
    size_t plen = hl_ok ? n - h.hlen : 0;
    if (h.flags & TCP_ACK)
        dis_layer_begin(c, "tcp", 4, off, hl,
                        "Transmission Control Protocol, Src Port: %u, Dst Port: %u, Seq: %lu, "
                        "Ack: %lu, Len: %zu",
                        h.sport, h.dport, (unsigned long)h.seq, (unsigned long)h.ack, plen);
    else
        dis_layer_begin(c, "tcp", 4, off, hl,
                        "Transmission Control Protocol, Src Port: %u, Dst Port: %u, Seq: %lu, "
                        "Len: %zu",
                        h.sport, h.dport, (unsigned long)h.seq, plen);
    dis_field_add(c, 0, off + TCP_OFF_SPORT, 2, "Source Port", "%u", h.sport);
    dis_field_add(c, 0, off + TCP_OFF_DPORT, 2, "Destination Port", "%u", h.dport);
    dis_field_add(c, 0, off, 0, "[TCP Segment Len]", "%zu", plen);
    dis_field_add(c, 0, off + TCP_OFF_SEQ, 4, "Sequence Number (raw)", "%lu", (unsigned long)h.seq);
    dis_field_add(c, 0, off + TCP_OFF_ACK, 4, "Acknowledgment Number (raw)", "%lu",
                  (unsigned long)h.ack);
    dis_field_add(c, 0, off + TCP_OFF_DOFF, 1, "Header Length", "%u bytes (%u)", h.hlen,
                  h.hlen / 4u);
    dis_tcp_flags(c, off, h.flags);
    dis_field_add(c, 0, off + TCP_OFF_WINDOW, 2, "Window", "%u", h.window);
    if (c->tree) {
        if (!hl_ok || cut) {
            dis_field_add(c, 0, off + TCP_OFF_CSUM, 2, "Checksum", "0x%04x [unverified]",
                          h.checksum);
        } else {
            uint16_t should = tcp_checksum_compute(p, n, ip->src, ip->dst);
            if (should == h.checksum)
                dis_field_add(c, 0, off + TCP_OFF_CSUM, 2, "Checksum", "0x%04x [correct]",
                              h.checksum);
            else
                dis_field_add(c, 0, off + TCP_OFF_CSUM, 2, "Checksum",
                              "0x%04x [incorrect, should be 0x%04x]", h.checksum, should);
        }
    }
    dis_field_add(c, 0, off + TCP_OFF_URG, 2, "Urgent Pointer", "%u", h.urg);
    if (!hl_ok) {
        dis_info(d, "%u \xe2\x86\x92 %u Bogus TCP header length (%u, must be at least %d)", h.sport,
                 h.dport, h.hlen, TCP_HDR_LEN);
        dis_malformed(d);
        return;
    }
    dis_tcp_options(c, p + TCP_HDR_LEN, h.hlen - TCP_HDR_LEN, off + TCP_HDR_LEN);
    tcp_info_str(&h, plen, d->info, sizeof d->info);
    if (err == TCP_ERR_OPTIONS) {
        dis_malformed(d);
        return;
    }
    if (plen) dis_field_add(c, 0, off + hl, plen, "TCP payload", "(%zu bytes)", plen);
    c->tcp_seq = h.seq;
    c->tcp_ack = h.ack;
    if (dis_tcp_app(c, off + hl, plen, h.sport, h.dport)) return;
    dis_data(c, off + hl, plen, 7);
}
