/* dissect_udp.c - the UDP layer of the dissector (RFC 768 header, the
 * checksum checked over the pseudo-header) and the hand-off of its payload
 * to the application dissectors by port, as tshark does. Words follow
 * tshark 4.0: "User Datagram Protocol, Src Port: 33434, Dst Port: 53", Info
 * "49152 → 7 Len=64" for a payload nobody here dissects. */
#include "dissect_priv.h"
#include "udp_wire.h"

/* RFC 862 echo: tshark names it ECHO and says which way it goes. */
static void dis_echo(struct dis_ctx *c, size_t off, size_t n, bool request)
{
    dis_set_protocol(c->d, "ECHO");
    dis_info(c->d, "%s", request ? "Request" : "Response");
    dis_layer_begin(c, "echo", 7, off, n, "Echo");
    if (c->tree) {
        char hex[sizeof c->d->fields[0].value];
        dis_hex(hex, sizeof hex, c->frame + off, n);
        dis_field_add(c, 0, off, n, request ? "Echo data" : "Echo data", "%s", hex);
        dis_field_add(c, 0, off, 0, request ? "[Request]" : "[Response]", "True");
    }
}

/* The application dissector for a datagram between these ports, or false
 * when none applies (the payload is then shown as Data). */
static bool dis_udp_app(struct dis_ctx *c, size_t off, size_t n, uint16_t sport, uint16_t dport)
{
    if (n == 0) return false;
    if (sport == 67 || sport == 68 || dport == 67 || dport == 68) {
        dis_dhcp(c, off, n);
        return true;
    }
    if (dport == 53 || sport == 53) {
        dis_dns(c, off, n, false);
        return true;
    }
    if (dport == 7 || sport == 7) {
        dis_echo(c, off, n, dport == 7);
        return true;
    }
    return false;
}

void dis_udp(struct dis_ctx *c, size_t off, size_t n, const struct ip4_hdr *ip, bool cut)
{
    struct dissection *d = c->d;
    const uint8_t *p = c->frame + off;
    struct udp_hdr h;
    int err = udp_parse(p, n, &h);
    dis_set_protocol(d, "UDP");
    if (err == UDP_ERR_SHORT) {
        dis_layer_begin(c, "udp", 4, off, n, "User Datagram Protocol");
        dis_field_add(c, 0, off, n, "Data", "(%zu bytes, a UDP header needs %d)", n, UDP_HDR_LEN);
        dis_info(d, "UDP header cut short");
        dis_malformed(d);
        return;
    }
    dis_layer_begin(c, "udp", 4, off, UDP_HDR_LEN,
                    "User Datagram Protocol, Src Port: %u, Dst Port: %u", h.sport, h.dport);
    dis_field_add(c, 0, off + UDP_OFF_SPORT, 2, "Source Port", "%u", h.sport);
    dis_field_add(c, 0, off + UDP_OFF_DPORT, 2, "Destination Port", "%u", h.dport);
    dis_field_add(c, 0, off + UDP_OFF_LEN, 2, "Length", "%u", h.len);
    if (c->tree) {
        const char *status;
        if (h.checksum == 0)
            status = "[zero-value ignored]";
        else if (err != UDP_OK || cut)
            status = "[unverified]";
        else if (udp_checksum_ok(p, h.len, ip->src, ip->dst))
            status = "[correct]";
        else
            status = "[incorrect]";
        dis_field_add(c, 0, off + UDP_OFF_CHECKSUM, 2, "Checksum", "0x%04x %s", h.checksum, status);
    }
    if (err == UDP_ERR_LEN) {
        dis_info(d, "Bogus UDP length (%u, the IP payload holds %zu)", h.len, n);
        dis_malformed(d);
        return;
    }
    size_t pn = h.len - UDP_HDR_LEN;
    dis_field_add(c, 0, off + UDP_HDR_LEN, pn, "UDP payload", "(%zu bytes)", pn);
    if (dis_udp_app(c, off + UDP_HDR_LEN, pn, h.sport, h.dport)) return;
    struct dis_str s = {d->info, sizeof d->info, 0};
    d->info[0] = '\0';
    dis_str_dec(&s, h.sport);
    dis_str_put(&s, " \xe2\x86\x92 ");
    dis_str_dec(&s, h.dport);
    dis_str_put(&s, " Len=");
    dis_str_dec(&s, (unsigned)pn);
    dis_data(c, off + UDP_HDR_LEN, pn, 7);
}
