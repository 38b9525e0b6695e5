/* dissect_dhcp.c - DHCP (RFC 2131, options RFC 2132) in the dissector:
 * the BOOTP header and every option, in tshark 4.0's words ("Dynamic Host
 * Configuration Protocol (Discover)", "Option: (53) DHCP Message Type
 * (Discover)", Info "DHCP Discover - Transaction ID 0x3903f326", the type
 * padded to 8 characters as tshark does). Walks the options with the same
 * dhcp_opt_next the protocol uses, so what is shown is what it reads. */
#include "dhcp_wire.h"
#include "dissect_priv.h"

#include <stdio.h>
#include <string.h>

/* tshark's time_secs_to_str: "(3150s) 52 minutes, 30 seconds". */
static void fmt_secs(char *buf, size_t cap, uint32_t v)
{
    if (v == 0xffffffffu) {
        snprintf(buf, cap, "(%us) infinity", v);
        return;
    }
    static const struct {
        uint32_t s;
        const char *unit;
    } units[] = {{86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}};
    int n = snprintf(buf, cap, "(%us) ", v);
    bool first = true;
    uint32_t left = v;
    for (size_t i = 0; i < 4 && n > 0 && (size_t)n < cap; i++) {
        uint32_t q = left / units[i].s;
        left %= units[i].s;
        if (!q) continue;
        n += snprintf(buf + n, cap - (size_t)n, "%s%u %s%s", first ? "" : ", ", q, units[i].unit,
                      q == 1 ? "" : "s");
        first = false;
    }
    if (first && n > 0 && (size_t)n < cap) snprintf(buf + n, cap - (size_t)n, "0 seconds");
}

static void dis_opt_addrs(struct dis_ctx *c, size_t off, const uint8_t *v, uint8_t len,
                          const char *name)
{
    char a[16];
    for (uint8_t i = 0; i + 4 <= len; i += 4)
        dis_field_add(c, 1, off + i, 4, name, "%s", ip4_str(get_be32(v + i), a));
}

static void dis_opt_str(struct dis_ctx *c, size_t off, const uint8_t *v, uint8_t len,
                        const char *name)
{
    char s[DHCP_STR_MAX * 2];
    size_t n = len < sizeof s - 1 ? len : sizeof s - 1;
    for (size_t i = 0; i < n; i++)
        s[i] = v[i] >= 0x20 && v[i] < 0x7f ? (char)v[i] : '.';
    s[n] = 0;
    dis_field_add(c, 1, off, len, name, "%s", s);
}

/* One option: its title line and its value lines (only with a tree). */
static void dis_opt(struct dis_ctx *c, size_t off, uint8_t code, uint8_t len, const uint8_t *v)
{
    const char *name = dhcp_opt_name(code);
    if (!name) name = "Unknown";
    char a[16], t[64], title[96];
    size_t voff = off + 2;
    if (code == DHCP_OPT_END || code == DHCP_OPT_PAD) {
        dis_field_add(c, 0, off, 1, "Option", "(%u) %s", code, name);
        if (code == DHCP_OPT_END) dis_field_add(c, 1, off, 1, "Option End", "255");
        return;
    }
    snprintf(title, sizeof title, "(%u) %s", code, name);
    if ((code == DHCP_OPT_SUBNET_MASK || code == DHCP_OPT_REQUESTED_ADDR ||
         code == DHCP_OPT_SERVER_ID) &&
        len == 4)
        snprintf(title, sizeof title, "(%u) %s (%s)", code, name, ip4_str(get_be32(v), a));
    if (code == DHCP_OPT_MSG_TYPE && len == 1)
        snprintf(title, sizeof title, "(%u) %s (%s)", code, name, dhcp_type_name(v[0]));
    dis_field_add(c, 0, off, 2u + len, "Option", "%s", title);
    dis_field_add(c, 1, off + 1, 1, "Length", "%u", len);
    switch (code) {
    case DHCP_OPT_MSG_TYPE:
        if (len == 1) {
            dis_field_add(c, 1, voff, 1, "DHCP", "%s (%u)", dhcp_type_name(v[0]), v[0]);
            return;
        }
        break;
    case DHCP_OPT_SUBNET_MASK:
    case DHCP_OPT_REQUESTED_ADDR:
    case DHCP_OPT_SERVER_ID:
    case DHCP_OPT_ROUTER:
    case DHCP_OPT_DNS:
        if (len >= 4 && len % 4 == 0) {
            dis_opt_addrs(c, voff, v, len, name);
            return;
        }
        break;
    case DHCP_OPT_LEASE_TIME:
    case DHCP_OPT_RENEWAL_T1:
    case DHCP_OPT_REBINDING_T2:
        if (len == 4) {
            fmt_secs(t, sizeof t, get_be32(v));
            dis_field_add(c, 1, voff, 4, name, "%s", t);
            return;
        }
        break;
    case DHCP_OPT_HOSTNAME:
    case DHCP_OPT_MESSAGE:
        dis_opt_str(c, voff, v, len, name);
        return;
    case DHCP_OPT_PARAM_LIST:
        for (uint8_t i = 0; i < len; i++) {
            const char *item = dhcp_opt_name(v[i]);
            dis_field_add(c, 1, voff + i, 1, "Parameter Request List Item", "(%u) %s", v[i],
                          item ? item : "Unknown");
        }
        return;
    case DHCP_OPT_CLIENT_ID:
        if (len == 7 && v[0] == DHCP_HTYPE_ETHER) {
            char m[18];
            dis_field_add(c, 1, voff, 1, "Hardware type", "Ethernet (0x01)");
            dis_field_add(c, 1, voff + 1, 6, "Client MAC address", "%s (%s)", mac_str(v + 1, m), m);
            return;
        }
        break;
    }
    char hex[sizeof c->d->fields[0].value];
    dis_hex(hex, sizeof hex, v, len);
    dis_field_add(c, 1, voff, len, "Value", "%s", hex);
}

static void dis_dhcp_header(struct dis_ctx *c, size_t off, const uint8_t *p)
{
    char a[16], m[18];
    uint8_t op = p[DHCP_OFF_OP], htype = p[DHCP_OFF_HTYPE], hlen = p[DHCP_OFF_HLEN];
    dis_field_add(c, 0, off + DHCP_OFF_OP, 1, "Message type", "%s (%u)",
                  op == 1   ? "Boot Request"
                  : op == 2 ? "Boot Reply"
                            : "Unknown",
                  op);
    dis_field_add(c, 0, off + DHCP_OFF_HTYPE, 1, "Hardware type", "%s (0x%02x)",
                  htype == 1 ? "Ethernet" : "Unknown", htype);
    dis_field_add(c, 0, off + DHCP_OFF_HLEN, 1, "Hardware address length", "%u", hlen);
    dis_field_add(c, 0, off + DHCP_OFF_HOPS, 1, "Hops", "%u", p[DHCP_OFF_HOPS]);
    dis_field_add(c, 0, off + DHCP_OFF_XID, 4, "Transaction ID", "0x%08x",
                  get_be32(p + DHCP_OFF_XID));
    dis_field_add(c, 0, off + DHCP_OFF_SECS, 2, "Seconds elapsed", "%u",
                  get_be16(p + DHCP_OFF_SECS));
    uint16_t flags = get_be16(p + DHCP_OFF_FLAGS);
    bool bc = flags & DHCP_FLAG_BROADCAST;
    dis_field_add(c, 0, off + DHCP_OFF_FLAGS, 2, "Bootp flags", "0x%04x%s", flags,
                  bc ? ", Broadcast flag (Broadcast)" : " (Unicast)");
    dis_field_add(c, 1, off + DHCP_OFF_FLAGS, 2, "Broadcast flag", "%s",
                  bc ? "Broadcast" : "Unicast");
    dis_field_add(c, 1, off + DHCP_OFF_FLAGS, 2, "Reserved flags", "0x%04x", flags & 0x7fff);
    static const struct {
        size_t off;
        const char *name;
    } addrs[] = {{DHCP_OFF_CIADDR, "Client IP address"},
                 {DHCP_OFF_YIADDR, "Your (client) IP address"},
                 {DHCP_OFF_SIADDR, "Next server IP address"},
                 {DHCP_OFF_GIADDR, "Relay agent IP address"}};
    for (size_t i = 0; i < 4; i++)
        dis_field_add(c, 0, off + addrs[i].off, 4, addrs[i].name, "%s",
                      ip4_str(get_be32(p + addrs[i].off), a));
    if (htype == 1 && hlen == 6) {
        mac_str(p + DHCP_OFF_CHADDR, m);
        dis_field_add(c, 0, off + DHCP_OFF_CHADDR, 6, "Client MAC address", "%s (%s)", m, m);
        char hex[24];
        dis_hex(hex, sizeof hex, p + DHCP_OFF_CHADDR + 6, 10);
        dis_field_add(c, 0, off + DHCP_OFF_CHADDR + 6, 10, "Client hardware address padding", "%s",
                      hex);
    } else {
        char hex[40];
        dis_hex(hex, sizeof hex, p + DHCP_OFF_CHADDR, 16);
        dis_field_add(c, 0, off + DHCP_OFF_CHADDR, 16, "Client hardware address", "%s", hex);
    }
    if (p[DHCP_OFF_SNAME])
        dis_field_add(c, 0, off + DHCP_OFF_SNAME, 64, "Server host name", "%.64s",
                      (const char *)p + DHCP_OFF_SNAME);
    else
        dis_field_add(c, 0, off + DHCP_OFF_SNAME, 64, "Server host name not given", "%s", "");
    if (p[DHCP_OFF_FILE])
        dis_field_add(c, 0, off + DHCP_OFF_FILE, 128, "Boot file name", "%.100s",
                      (const char *)p + DHCP_OFF_FILE);
    else
        dis_field_add(c, 0, off + DHCP_OFF_FILE, 128, "Boot file name not given", "%s", "");
}

void dis_dhcp(struct dis_ctx *c, size_t off, size_t n)
{
    struct dissection *d = c->d;
    const uint8_t *p = c->frame + off;
    dis_set_protocol(d, "DHCP");
    if (n < DHCP_FIXED_LEN) {
        dis_layer_begin(c, "dhcp", 7, off, n, "Dynamic Host Configuration Protocol");
        dis_field_add(c, 0, off, n, "Data", "(%zu bytes, a BOOTP header needs %d)", n,
                      DHCP_FIXED_LEN);
        dis_info(d, "DHCP header cut short");
        dis_malformed(d);
        return;
    }
    bool cookie = n >= DHCP_OPT_START && get_be32(p + DHCP_OFF_COOKIE) == DHCP_MAGIC;
    /* the message type, for the title and the Info column */
    uint8_t type = 0, code = 0, olen;
    const uint8_t *v;
    size_t o = DHCP_OPT_START;
    int rc = 0;
    while (cookie && (rc = dhcp_opt_next(p, n, &o, &code, &olen, &v)) > 0)
        if (code == DHCP_OPT_MSG_TYPE && olen == 1) type = v[0];
    uint32_t xid = get_be32(p + DHCP_OFF_XID);
    if (!cookie) {
        dis_set_protocol(d, "BOOTP");
        dis_layer_begin(c, "dhcp", 7, off, n, "Bootstrap Protocol");
        dis_info(d, "%s", p[DHCP_OFF_OP] == DHCP_BOOTREPLY ? "Boot Reply" : "Boot Request");
    } else {
        dis_layer_begin(c, "dhcp", 7, off, n, "Dynamic Host Configuration Protocol (%s)",
                        dhcp_type_name(type));
        dis_info(d, "DHCP %-8s - Transaction ID 0x%08x", dhcp_type_name(type), xid);
    }
    if (c->tree) dis_dhcp_header(c, off, p);
    if (!cookie) return;
    dis_field_add(c, 0, off + DHCP_OFF_COOKIE, 4, "Magic cookie", "DHCP");
    o = DHCP_OPT_START;
    size_t last = o;
    while (c->tree && (rc = dhcp_opt_next(p, n, &o, &code, &olen, &v)) > 0) {
        dis_opt(c, off + last, code, olen, v);
        if (code == DHCP_OPT_END) break;
        last = o;
    }
    if (rc < 0) {
        dis_field_add(c, 0, off + last, n - last, "Option", "(%u) %s [length runs past the end]",
                      p[last], dhcp_opt_name(p[last]) ? dhcp_opt_name(p[last]) : "Unknown");
        dis_malformed(d);
        return;
    }
    if (c->tree && code == DHCP_OPT_END && last + 1 < n) {
        char hex[sizeof d->fields[0].value];
        dis_hex(hex, sizeof hex, p + last + 1, n - last - 1);
        dis_field_add(c, 0, off + last + 1, n - last - 1, "Padding", "%s", hex);
    }
}
