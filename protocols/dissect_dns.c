/* dissect_dns.c - the DNS layer of the dissector (RFC 1035 messages over
 * UDP 53, and over TCP 53 behind their 2-byte length), in tshark 4.0's
 * words: "Domain Name System (response)", the flags bit by bit, Queries
 * and Answers as "web.galaxy.test: type A, class IN, addr 10.61.0.20",
 * and the Info column "Standard query response 0x1a2b A web.galaxy.test A
 * 10.61.0.20" (built by dns_info, which the trace steps share). */
#include "dissect_priv.h"
#include "dns_wire.h"

#include <stdio.h>
#include <stdlib.h>

static const char *type_long(uint16_t t)
{
    switch (t) {
    case DNS_T_A:
        return "A (Host Address)";
    case DNS_T_NS:
        return "NS (authoritative Name Server)";
    case DNS_T_CNAME:
        return "CNAME (Canonical NAME for an alias)";
    case DNS_T_SOA:
        return "SOA (Start Of a zone of Authority)";
    case DNS_T_PTR:
        return "PTR (domain name PoinTeR)";
    case DNS_T_MX:
        return "MX (Mail eXchange)";
    case DNS_T_TXT:
        return "TXT (Text strings)";
    case DNS_T_AAAA:
        return "AAAA (IPv6 Address)";
    case DNS_T_OPT:
        return "OPT";
    case DNS_T_ANY:
        return "* (A request for all records the server/cache has available)";
    }
    return "Unknown";
}

static const char *class_str(uint16_t c)
{
    return c == DNS_CLASS_IN ? "IN" : c == 255 ? "ANY" : "Unknown";
}

/* "3600 (1 hour)" as tshark prints times in seconds. */
static void secs_str(char *buf, size_t cap, uint32_t s)
{
    static const struct {
        uint32_t n;
        const char *unit;
    } u[] = {{86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}};
    int o = snprintf(buf, cap, "%u (", s);
    if (s == 0) o += snprintf(buf + o, cap - (size_t)o, "0 seconds");
    bool first = true;
    for (size_t i = 0; i < 4 && o > 0 && (size_t)o < cap; i++) {
        uint32_t k = s / u[i].n;
        if (!k) continue;
        s %= u[i].n;
        o += snprintf(buf + o, cap - (size_t)o, "%s%u %s%s", first ? "" : ", ", k, u[i].unit,
                      k == 1 ? "" : "s");
        first = false;
    }
    if (o > 0 && (size_t)o < cap) snprintf(buf + o, cap - (size_t)o, ")");
}

static void dns_flags(struct dis_ctx *c, size_t off, uint16_t f)
{
    bool resp = f & DNS_F_QR;
    unsigned op = dns_opcode(f), rc = f & DNS_F_RCODE_MASK;
    const char *opt = dns_opcode_text(op), *rct = dns_rcode_text(rc);
    if (resp)
        dis_field_add(c, 0, off, 2, "Flags", "0x%04x %s response, %s", f, opt ? opt : "Unknown",
                      rct ? rct : "Unknown error");
    else
        dis_field_add(c, 0, off, 2, "Flags", "0x%04x %s", f, opt ? opt : "Unknown operation");
    dis_field_add(c, 1, off, 2, "Response", "Message is a %s", resp ? "response" : "query");
    dis_field_add(c, 1, off, 2, "Opcode", "%s (%u)", opt ? opt : "Unknown", op);
    if (resp)
        dis_field_add(c, 1, off, 2, "Authoritative", "Server is %san authority for domain",
                      f & DNS_F_AA ? "" : "not ");
    dis_field_add(c, 1, off, 2, "Truncated", "Message is %struncated", f & DNS_F_TC ? "" : "not ");
    dis_field_add(c, 1, off, 2, "Recursion desired", "%s query recursively",
                  f & DNS_F_RD ? "Do" : "Don't do");
    if (resp)
        dis_field_add(c, 1, off, 2, "Recursion available", "Server %s do recursive queries",
                      f & DNS_F_RA ? "can" : "can't");
    dis_field_add(c, 1, off, 2, "Z", "reserved (%u)", (f & DNS_F_Z) ? 1u : 0u);
    if (resp)
        dis_field_add(c, 1, off, 2, "Answer authenticated",
                      "Answer/authority portion was %sauthenticated by the server",
                      f & DNS_F_AD ? "" : "not ");
    dis_field_add(c, 1, off, 2, "Non-authenticated data", "%s",
                  f & DNS_F_CD ? "Acceptable" : "Unacceptable");
    if (resp) dis_field_add(c, 1, off, 2, "Reply code", "%s (%u)", rct ? rct : "Unknown", rc);
}

static const char *shown(const char *name)
{
    return name[0] ? name : "<Root>";
}

/* One record's fields; returns false when it does not parse. */
static bool dns_record_fields(struct dis_ctx *c, const uint8_t *m, size_t len, size_t base,
                              size_t *off, struct dns_rr *rr)
{
    size_t start = *off, p = *off;
    char tmp[DNS_NAME_TEXT_MAX];
    if (dns_name_read(m, len, &p, tmp, sizeof tmp, NULL, NULL)) return false;
    size_t name_len = p - start;
    if (dns_rr_read(m, len, off, rr)) return false;
    char tb[24], summary[112], a[64];
    const char *ty = dns_type_str(rr->type, tb, sizeof tb);
    const char *cl = class_str(rr->rclass);
    switch (rr->type) {
    case DNS_T_A:
        snprintf(summary, sizeof summary, "type %s, class %s, addr %s", ty, cl, ip4_str(rr->a, a));
        break;
    case DNS_T_AAAA:
        snprintf(summary, sizeof summary, "type %s, class %s, addr %s", ty, cl,
                 dns_aaaa_str(rr->aaaa, a, sizeof a));
        break;
    case DNS_T_CNAME:
        snprintf(summary, sizeof summary, "type %s, class %s, cname %.60s", ty, cl, rr->target);
        break;
    case DNS_T_NS:
        snprintf(summary, sizeof summary, "type %s, class %s, ns %.60s", ty, cl, rr->target);
        break;
    case DNS_T_PTR:
        snprintf(summary, sizeof summary, "type %s, class %s, %.60s", ty, cl, rr->target);
        break;
    case DNS_T_MX:
        snprintf(summary, sizeof summary, "type %s, class %s, preference %u, mx %.50s", ty, cl,
                 rr->pref, rr->target);
        break;
    case DNS_T_SOA:
        snprintf(summary, sizeof summary, "type %s, class %s, mname %.60s", ty, cl, rr->target);
        break;
    default:
        snprintf(summary, sizeof summary, "type %s, class %s", ty, cl);
        break;
    }
    size_t abs = base + start, rd = base + rr->rdata;
    dis_field_add(c, 1, abs, *off - start, shown(rr->name), "%s", summary);
    dis_field_add(c, 2, abs, name_len, "Name", "%s", shown(rr->name));
    size_t t = abs + name_len;
    dis_field_add(c, 2, t, 2, "Type", "%s (%u)", type_long(rr->type), rr->type);
    dis_field_add(c, 2, t + 2, 2, "Class", "%s (0x%04x)", cl, rr->rclass);
    secs_str(a, sizeof a, rr->ttl);
    dis_field_add(c, 2, t + 4, 4, "Time to live", "%s", a);
    dis_field_add(c, 2, t + 8, 2, "Data length", "%u", rr->rdlen);
    switch (rr->type) {
    case DNS_T_A:
        dis_field_add(c, 2, rd, 4, "Address", "%s", ip4_str(rr->a, a));
        break;
    case DNS_T_AAAA:
        dis_field_add(c, 2, rd, 16, "AAAA Address", "%s", dns_aaaa_str(rr->aaaa, a, sizeof a));
        break;
    case DNS_T_CNAME:
        dis_field_add(c, 2, rd, rr->rdlen, "CNAME", "%s", shown(rr->target));
        break;
    case DNS_T_NS:
        dis_field_add(c, 2, rd, rr->rdlen, "Name Server", "%s", shown(rr->target));
        break;
    case DNS_T_PTR:
        dis_field_add(c, 2, rd, rr->rdlen, "Domain Name", "%s", shown(rr->target));
        break;
    case DNS_T_MX:
        dis_field_add(c, 2, rd, 2, "Preference", "%u", rr->pref);
        dis_field_add(c, 2, rd + 2, rr->rdlen - 2u, "Mail Exchange", "%s", shown(rr->target));
        break;
    case DNS_T_SOA: {
        static const char *const names[] = {"Serial Number", "Refresh Interval", "Retry Interval",
                                            "Expire limit", "Minimum TTL"};
        dis_field_add(c, 2, rd, 0, "Primary name server", "%s", shown(rr->target));
        dis_field_add(c, 2, rd, 0, "Responsible authority's mailbox", "%s", shown(rr->rname));
        size_t s = rd + rr->rdlen - 20;
        dis_field_add(c, 2, s, 4, names[0], "%u", rr->soa[0]);
        for (int i = 1; i < 5; i++) {
            secs_str(a, sizeof a, rr->soa[i]);
            dis_field_add(c, 2, s + 4 * (size_t)i, 4, names[i], "%s", a);
        }
        break;
    }
    case DNS_T_TXT:
        for (size_t q = rr->rdata; q < rr->rdata + rr->rdlen;) {
            size_t k = m[q];
            dis_field_add(c, 2, base + q, 1, "TXT Length", "%zu", k);
            dis_field_add(c, 2, base + q + 1, k, "TXT", "%.*s", (int)(k < 100 ? k : 100),
                          (const char *)m + q + 1);
            q += 1 + k;
        }
        break;
    default:
        break;
    }
    return true;
}

void dis_dns(struct dis_ctx *c, size_t off, size_t n, bool tcp)
{
    struct dissection *d = c->d;
    const uint8_t *m = c->frame + off;
    size_t len = n, base = off;
    dis_set_protocol(d, "DNS");
    bool resp = n >= 4 + (tcp ? 2u : 0u) && (m[(tcp ? 2 : 0) + 2] & 0x80);
    dis_layer_begin(c, "dns", 7, off, n, "Domain Name System (%s)", resp ? "response" : "query");
    if (tcp) {
        if (n < 2) {
            dis_info(d, "DNS length cut short");
            dis_malformed(d);
            return;
        }
        dis_field_add(c, 0, off, 2, "Length", "%u", get_be16(m));
        m += 2;
        base += 2;
        len = get_be16(c->frame + off);
        if (len > n - 2) {
            /* the message goes on in later segments; tshark reassembles
             * them, a frame-by-frame dissector cannot */
            dis_info(d, "DNS message of %zu bytes, the first %zu in this segment", len, n - 2);
            return;
        }
    }
    int rc = dns_info(m, len, d->info, sizeof d->info);
    if (c->tree && rc == DNS_OK) {
        struct dns_hdr h;
        dns_hdr_parse(m, len, &h);
        dis_field_add(c, 0, base, 2, "Transaction ID", "0x%04x", h.id);
        dns_flags(c, base + 2, h.flags);
        dis_field_add(c, 0, base + 4, 2, "Questions", "%u", h.qd);
        dis_field_add(c, 0, base + 6, 2, "Answer RRs", "%u", h.an);
        dis_field_add(c, 0, base + 8, 2, "Authority RRs", "%u", h.ns);
        dis_field_add(c, 0, base + 10, 2, "Additional RRs", "%u", h.ar);
        size_t p = DNS_HDR_LEN;
        if (h.qd) dis_field_add(c, 0, base + p, 0, "Queries", "%s", "");
        for (unsigned i = 0; i < h.qd; i++) {
            size_t start = p, nl = 0;
            int labels = 0;
            char name[DNS_NAME_TEXT_MAX], tb[24];
            dns_name_read(m, len, &p, name, sizeof name, &nl, &labels);
            size_t name_bytes = p - start;
            uint16_t type = get_be16(m + p), qclass = get_be16(m + p + 2);
            p += 4;
            dis_field_add(c, 1, base + start, p - start, shown(name), "type %s, class %s",
                          dns_type_str(type, tb, sizeof tb), class_str(qclass));
            dis_field_add(c, 2, base + start, name_bytes, "Name", "%s", shown(name));
            dis_field_add(c, 2, base + start, 0, "[Name Length]", "%zu", nl > 1 ? nl - 2 : 0);
            dis_field_add(c, 2, base + start, 0, "[Label Count]", "%d", labels);
            dis_field_add(c, 2, base + p - 4, 2, "Type", "%s (%u)", type_long(type), type);
            dis_field_add(c, 2, base + p - 2, 2, "Class", "%s (0x%04x)", class_str(qclass), qclass);
        }
        static const char *const sections[] = {"Answers", "Authoritative nameservers",
                                               "Additional records"};
        unsigned counts[3] = {h.an, h.ns, h.ar};
        struct dns_rr *rr = malloc(sizeof *rr);
        for (int s = 0; rr && s < 3; s++) {
            if (counts[s]) dis_field_add(c, 0, base + p, 0, sections[s], "%s", "");
            for (unsigned i = 0; i < counts[s]; i++)
                if (!dns_record_fields(c, m, len, base, &p, rr)) {
                    rc = DNS_E_RDATA;
                    break;
                }
        }
        free(rr);
    }
    if (rc != DNS_OK) dis_malformed(d);
}
