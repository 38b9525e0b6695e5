/* dhcp_wire.c - parse and emit DHCP messages (RFC 2131, options RFC 2132)
 * over bounded buffers. See dhcp_wire.h. */
#include "dhcp_wire.h"

#include <string.h>

const char *dhcp_type_name(uint8_t type)
{
    static const char *const names[] = {"Unknown", "Discover", "Offer",   "Request", "Decline",
                                        "ACK",     "NAK",      "Release", "Inform"};
    return type >= 1 && type <= 8 ? names[type] : names[0];
}

const char *dhcp_type_word(uint8_t type)
{
    static const char *const words[] = {"DHCPUNKNOWN", "DHCPDISCOVER", "DHCPOFFER",
                                        "DHCPREQUEST", "DHCPDECLINE",  "DHCPACK",
                                        "DHCPNAK",     "DHCPRELEASE",  "DHCPINFORM"};
    return type >= 1 && type <= 8 ? words[type] : words[0];
}

const char *dhcp_opt_name(uint8_t code)
{
    switch (code) {
    case 0:
        return "Padding";
    case 1:
        return "Subnet Mask";
    case 2:
        return "Time Offset";
    case 3:
        return "Router";
    case 6:
        return "Domain Name Server";
    case 12:
        return "Host Name";
    case 15:
        return "Domain Name";
    case 26:
        return "Interface MTU";
    case 28:
        return "Broadcast Address";
    case 42:
        return "Network Time Protocol Servers";
    case 50:
        return "Requested IP Address";
    case 51:
        return "IP Address Lease Time";
    case 53:
        return "DHCP Message Type";
    case 54:
        return "DHCP Server Identifier";
    case 55:
        return "Parameter Request List";
    case 56:
        return "Message";
    case 58:
        return "Renewal Time Value";
    case 59:
        return "Rebinding Time Value";
    case 61:
        return "Client identifier";
    case 119:
        return "Domain Search";
    case 121:
        return "Classless Static Route";
    case 255:
        return "End";
    }
    return NULL;
}

const char *dhcp_parse_err_str(int err)
{
    switch (err) {
    case DHCP_ERR_SHORT:
        return "the message is shorter than the 240 bytes of a BOOTP header and magic cookie";
    case DHCP_ERR_COOKIE:
        return "the magic cookie 99.130.83.99 that marks DHCP options is missing";
    case DHCP_ERR_OPT_LEN:
        return "an option's length runs past the end of the message";
    case DHCP_ERR_OPT_SIZE:
        return "an option has the wrong length for its kind";
    case DHCP_ERR_NO_TYPE:
        return "the DHCP Message Type option (53) is missing";
    case DHCP_ERR_BAD_TYPE:
        return "the DHCP Message Type is not one of 1 to 8";
    case DHCP_ERR_HW:
        return "the hardware address length is over 16";
    }
    return "the message is invalid";
}

int dhcp_opt_next(const uint8_t *buf, size_t len, size_t *off, uint8_t *code, uint8_t *olen,
                  const uint8_t **val)
{
    size_t o = *off;
    if (o >= len) return 0;
    *code = buf[o];
    if (*code == DHCP_OPT_PAD || *code == DHCP_OPT_END) {
        *olen = 0;
        *val = NULL;
        /* after End nothing more is read */
        *off = *code == DHCP_OPT_END ? len : o + 1;
        return 1;
    }
    if (o + 2 > len) return -1;
    *olen = buf[o + 1];
    if (o + 2 + *olen > len) return -1;
    *val = buf + o + 2;
    *off = o + 2 + *olen;
    return 1;
}

static void copy_str(char *dst, size_t cap, const uint8_t *src, size_t n)
{
    if (n > cap - 1) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0; /* a NUL inside the value ends the string early */
}

static void copy_addrs(uint32_t *dst, uint8_t *n, const uint8_t *v, uint8_t olen)
{
    *n = 0;
    for (uint8_t i = 0; i + 4 <= olen && *n < DHCP_MAX_ADDRS; i += 4)
        dst[(*n)++] = get_be32(v + i);
}

/* One option into m; false when its size is wrong for its kind. */
static bool parse_opt(struct dhcp_msg *m, uint8_t code, uint8_t olen, const uint8_t *v)
{
    switch (code) {
    case DHCP_OPT_MSG_TYPE:
        if (olen != 1) return false;
        m->type = v[0];
        return true;
    case DHCP_OPT_SUBNET_MASK:
        if (olen != 4) return false;
        m->has_mask = true;
        m->mask = get_be32(v);
        return true;
    case DHCP_OPT_ROUTER:
    case DHCP_OPT_DNS:
        if (olen < 4 || olen % 4) return false;
        if (code == DHCP_OPT_ROUTER)
            copy_addrs(m->routers, &m->n_routers, v, olen);
        else
            copy_addrs(m->dns, &m->n_dns, v, olen);
        return true;
    case DHCP_OPT_REQUESTED_ADDR:
    case DHCP_OPT_SERVER_ID:
        if (olen != 4) return false;
        if (code == DHCP_OPT_REQUESTED_ADDR) {
            m->has_req_addr = true;
            m->req_addr = get_be32(v);
        } else {
            m->has_server_id = true;
            m->server_id = get_be32(v);
        }
        return true;
    case DHCP_OPT_LEASE_TIME:
    case DHCP_OPT_RENEWAL_T1:
    case DHCP_OPT_REBINDING_T2:
        if (olen != 4) return false;
        if (code == DHCP_OPT_LEASE_TIME) {
            m->has_lease = true;
            m->lease = get_be32(v);
        } else if (code == DHCP_OPT_RENEWAL_T1) {
            m->has_t1 = true;
            m->t1 = get_be32(v);
        } else {
            m->has_t2 = true;
            m->t2 = get_be32(v);
        }
        return true;
    case DHCP_OPT_HOSTNAME:
    case DHCP_OPT_MESSAGE:
        if (olen < 1) return false;
        if (code == DHCP_OPT_HOSTNAME)
            copy_str(m->hostname, sizeof m->hostname, v, olen);
        else
            copy_str(m->message, sizeof m->message, v, olen);
        return true;
    case DHCP_OPT_PARAM_LIST:
        if (olen < 1) return false;
        m->n_prl = olen < DHCP_MAX_PRL ? olen : DHCP_MAX_PRL;
        memcpy(m->prl, v, m->n_prl);
        return true;
    case DHCP_OPT_CLIENT_ID:
        if (olen < 2) return false;
        m->client_id_len = olen < DHCP_MAX_PRL ? olen : DHCP_MAX_PRL;
        memcpy(m->client_id, v, m->client_id_len);
        return true;
    }
    return true; /* options we do not use are skipped */
}

int dhcp_parse(const uint8_t *buf, size_t len, struct dhcp_msg *out)
{
    memset(out, 0, sizeof *out);
    if (len < DHCP_OPT_START) return DHCP_ERR_SHORT;
    if (get_be32(buf + DHCP_OFF_COOKIE) != DHCP_MAGIC) return DHCP_ERR_COOKIE;
    out->op = buf[DHCP_OFF_OP];
    out->htype = buf[DHCP_OFF_HTYPE];
    out->hlen = buf[DHCP_OFF_HLEN];
    out->hops = buf[DHCP_OFF_HOPS];
    if (out->hlen > 16) return DHCP_ERR_HW;
    out->xid = get_be32(buf + DHCP_OFF_XID);
    out->secs = get_be16(buf + DHCP_OFF_SECS);
    out->flags = get_be16(buf + DHCP_OFF_FLAGS);
    out->ciaddr = get_be32(buf + DHCP_OFF_CIADDR);
    out->yiaddr = get_be32(buf + DHCP_OFF_YIADDR);
    out->siaddr = get_be32(buf + DHCP_OFF_SIADDR);
    out->giaddr = get_be32(buf + DHCP_OFF_GIADDR);
    memcpy(out->chaddr, buf + DHCP_OFF_CHADDR, 16);
    copy_str(out->sname, sizeof out->sname, buf + DHCP_OFF_SNAME, 64);
    copy_str(out->file, sizeof out->file, buf + DHCP_OFF_FILE, 128);
    size_t off = DHCP_OPT_START;
    uint8_t code, olen;
    const uint8_t *v;
    int rc;
    while ((rc = dhcp_opt_next(buf, len, &off, &code, &olen, &v)) > 0) {
        if (code == DHCP_OPT_PAD || code == DHCP_OPT_END) continue;
        if (!parse_opt(out, code, olen, v)) return DHCP_ERR_OPT_SIZE;
    }
    if (rc < 0) return DHCP_ERR_OPT_LEN;
    if (out->type == 0) return DHCP_ERR_NO_TYPE;
    if (out->type > DHCPINFORM) return DHCP_ERR_BAD_TYPE;
    return DHCP_OK;
}

/* ---- emit ---- */

struct opt_writer {
    uint8_t *buf;
    size_t cap, off;
    bool overflow;
};

static void put_opt(struct opt_writer *w, uint8_t code, const void *val, size_t n)
{
    if (n > 255 || w->off + 2 + n > w->cap) {
        w->overflow = true;
        return;
    }
    w->buf[w->off] = code;
    w->buf[w->off + 1] = (uint8_t)n;
    if (n) memcpy(w->buf + w->off + 2, val, n);
    w->off += 2 + n;
}

static void put_opt32(struct opt_writer *w, uint8_t code, uint32_t v)
{
    uint8_t b[4];
    put_be32(b, v);
    put_opt(w, code, b, 4);
}

static void put_opt_addrs(struct opt_writer *w, uint8_t code, const uint32_t *a, uint8_t n)
{
    uint8_t b[4 * DHCP_MAX_ADDRS];
    if (n > DHCP_MAX_ADDRS) n = DHCP_MAX_ADDRS;
    for (uint8_t i = 0; i < n; i++)
        put_be32(b + 4 * i, a[i]);
    if (n) put_opt(w, code, b, 4u * n);
}

size_t dhcp_emit(const struct dhcp_msg *m, uint8_t *buf, size_t cap)
{
    if (cap < DHCP_MIN_LEN) return 0;
    memset(buf, 0, DHCP_OPT_START);
    buf[DHCP_OFF_OP] = m->op;
    buf[DHCP_OFF_HTYPE] = m->htype;
    buf[DHCP_OFF_HLEN] = m->hlen;
    buf[DHCP_OFF_HOPS] = m->hops;
    put_be32(buf + DHCP_OFF_XID, m->xid);
    put_be16(buf + DHCP_OFF_SECS, m->secs);
    put_be16(buf + DHCP_OFF_FLAGS, m->flags);
    put_be32(buf + DHCP_OFF_CIADDR, m->ciaddr);
    put_be32(buf + DHCP_OFF_YIADDR, m->yiaddr);
    put_be32(buf + DHCP_OFF_SIADDR, m->siaddr);
    put_be32(buf + DHCP_OFF_GIADDR, m->giaddr);
    memcpy(buf + DHCP_OFF_CHADDR, m->chaddr, 16);
    memcpy(buf + DHCP_OFF_SNAME, m->sname, strnlen(m->sname, 64));
    memcpy(buf + DHCP_OFF_FILE, m->file, strnlen(m->file, 128));
    put_be32(buf + DHCP_OFF_COOKIE, DHCP_MAGIC);
    struct opt_writer w = {buf, cap - 1, DHCP_OPT_START, false}; /* keep a byte for End */
    put_opt(&w, DHCP_OPT_MSG_TYPE, &m->type, 1);
    if (m->has_server_id) put_opt32(&w, DHCP_OPT_SERVER_ID, m->server_id);
    if (m->has_lease) put_opt32(&w, DHCP_OPT_LEASE_TIME, m->lease);
    if (m->has_t1) put_opt32(&w, DHCP_OPT_RENEWAL_T1, m->t1);
    if (m->has_t2) put_opt32(&w, DHCP_OPT_REBINDING_T2, m->t2);
    if (m->has_mask) put_opt32(&w, DHCP_OPT_SUBNET_MASK, m->mask);
    put_opt_addrs(&w, DHCP_OPT_ROUTER, m->routers, m->n_routers);
    put_opt_addrs(&w, DHCP_OPT_DNS, m->dns, m->n_dns);
    if (m->hostname[0]) put_opt(&w, DHCP_OPT_HOSTNAME, m->hostname, strlen(m->hostname));
    if (m->has_req_addr) put_opt32(&w, DHCP_OPT_REQUESTED_ADDR, m->req_addr);
    if (m->n_prl)
        put_opt(&w, DHCP_OPT_PARAM_LIST, m->prl, m->n_prl > DHCP_MAX_PRL ? DHCP_MAX_PRL : m->n_prl);
    if (m->message[0]) put_opt(&w, DHCP_OPT_MESSAGE, m->message, strlen(m->message));
    if (m->client_id_len)
        put_opt(&w, DHCP_OPT_CLIENT_ID, m->client_id,
                m->client_id_len > DHCP_MAX_PRL ? DHCP_MAX_PRL : m->client_id_len);
    if (w.overflow) return 0;
    buf[w.off++] = DHCP_OPT_END;
    size_t n = w.off < DHCP_MIN_LEN ? DHCP_MIN_LEN : w.off;
    memset(buf + w.off, 0, n - w.off);
    return n;
}
