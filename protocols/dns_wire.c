/* dns_wire.c - the DNS message format (RFC 1035 section 4): bounded
 * parsing with pointer-following, emitting with name compression. See
 * dns_wire.h for the text form of names and the limits enforced. */
#include "dns_wire.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *dns_err_str(int err)
{
    switch (err) {
    case DNS_OK:
        return "no error";
    case DNS_E_SHORT:
        return "a field runs past the end of the message";
    case DNS_E_LABEL:
        return "a label is longer than 63 bytes or of a reserved type";
    case DNS_E_NAMELEN:
        return "a name is longer than 255 bytes";
    case DNS_E_PTR:
        return "a compression pointer does not point back to an earlier name";
    case DNS_E_RDATA:
        return "a record's data does not match its type and length";
    case DNS_E_SPACE:
        return "the message does not fit";
    case DNS_E_TEXT:
        return "the name is not valid (an empty label or a bad escape)";
    }
    return "unknown error";
}

int dns_hdr_parse(const uint8_t *m, size_t len, struct dns_hdr *h)
{
    if (len < DNS_HDR_LEN) return DNS_E_SHORT;
    h->id = get_be16(m);
    h->flags = get_be16(m + 2);
    h->qd = get_be16(m + 4);
    h->an = get_be16(m + 6);
    h->ns = get_be16(m + 8);
    h->ar = get_be16(m + 10);
    return DNS_OK;
}

void dns_hdr_emit(const struct dns_hdr *h, uint8_t *m)
{
    put_be16(m, h->id);
    put_be16(m + 2, h->flags);
    put_be16(m + 4, h->qd);
    put_be16(m + 6, h->an);
    put_be16(m + 8, h->ns);
    put_be16(m + 10, h->ar);
}

/* ---- names ---- */

/* Appends one label byte in text form; false when cap is too small. */
static bool text_put_byte(char *text, size_t cap, size_t *t, uint8_t c)
{
    char esc[5];
    size_t n;
    if (strchr(".\\\"();@$", c) && c) {
        esc[0] = '\\';
        esc[1] = (char)c;
        n = 2;
    } else if (c < 0x21 || c > 0x7e) {
        snprintf(esc, sizeof esc, "\\%03u", c);
        n = 4;
    } else {
        esc[0] = (char)c;
        n = 1;
    }
    if (*t + n + 1 > cap) return false;
    memcpy(text + *t, esc, n);
    *t += n;
    text[*t] = 0;
    return true;
}

int dns_name_read(const uint8_t *m, size_t len, size_t *off, char *text, size_t cap,
                  size_t *wire_len, int *labels)
{
    if (cap == 0) return DNS_E_SPACE;
    text[0] = 0;
    size_t p = *off, end = 0, t = 0, wl = 1;
    size_t floor = p; /* a pointer must land before this: the labels read so far start here */
    bool jumped = false;
    int nl = 0;
    for (;;) {
        if (p >= len) return DNS_E_SHORT;
        uint8_t b = m[p];
        if ((b & 0xc0) == 0xc0) {
            /* RFC 1035 4.1.4: a pointer to a prior occurrence of the same
             * name. Requiring it to go strictly backward each time makes
             * loops impossible: every jump lands lower than the last. */
            if (p + 1 >= len) return DNS_E_SHORT;
            size_t target = (size_t)(b & 0x3f) << 8 | m[p + 1];
            if (!jumped) end = p + 2;
            jumped = true;
            if (target >= floor) return DNS_E_PTR;
            floor = p = target;
            continue;
        }
        if (b & 0xc0) return DNS_E_LABEL; /* 01 and 10: extended label types */
        if (b == 0) {
            if (!jumped) end = p + 1;
            break;
        }
        if (p + 1 + b > len) return DNS_E_SHORT;
        wl += (size_t)b + 1;
        if (wl > DNS_NAME_WIRE_MAX) return DNS_E_NAMELEN;
        if (nl) {
            if (t + 2 > cap) return DNS_E_SPACE;
            text[t++] = '.';
            text[t] = 0;
        }
        for (size_t i = 0; i < b; i++)
            if (!text_put_byte(text, cap, &t, m[p + 1 + i])) return DNS_E_SPACE;
        nl++;
        p += 1 + (size_t)b;
    }
    *off = end;
    if (wire_len) *wire_len = wl;
    if (labels) *labels = nl;
    return DNS_OK;
}

int dns_name_to_wire(const char *text, uint8_t *out, size_t cap)
{
    if (cap < 1) return DNS_E_SPACE;
    if (strcmp(text, ".") == 0 || text[0] == 0) {
        out[0] = 0;
        return 1;
    }
    size_t o = 0; /* where the current label's length byte goes */
    size_t n = 0; /* bytes in the current label */
    const char *s = text;
    while (*s) {
        if (*s == '.') {
            if (n == 0) return DNS_E_TEXT; /* a leading dot, or ".." */
            out[o] = (uint8_t)n;
            o += n + 1;
            n = 0;
            s++;
            continue;
        }
        uint8_t byte;
        if (*s == '\\') {
            s++;
            if (isdigit((unsigned char)s[0])) {
                if (!isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]))
                    return DNS_E_TEXT;
                int v = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
                if (v > 255) return DNS_E_TEXT;
                byte = (uint8_t)v;
                s += 3;
            } else {
                if (*s == 0) return DNS_E_TEXT;
                byte = (uint8_t)*s++;
            }
        } else {
            byte = (uint8_t)*s++;
        }
        if (n + 1 > DNS_LABEL_MAX) return DNS_E_LABEL;
        /* this label with the byte, then the root byte */
        if (o + n + 3 > DNS_NAME_WIRE_MAX) return DNS_E_NAMELEN;
        if (o + n + 3 > cap) return DNS_E_SPACE;
        out[o + 1 + n] = byte;
        n++;
    }
    if (n) {
        out[o] = (uint8_t)n;
        o += n + 1;
    }
    out[o++] = 0; /* a trailing dot closed the last label already */
    return (int)o;
}

static bool wire_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (tolower(a[i]) != tolower(b[i])) return false;
    return true;
}

bool dns_name_eq(const char *a, const char *b)
{
    uint8_t wa[DNS_NAME_WIRE_MAX], wb[DNS_NAME_WIRE_MAX];
    int la = dns_name_to_wire(a, wa, sizeof wa), lb = dns_name_to_wire(b, wb, sizeof wb);
    if (la < 0 || lb < 0) return strcasecmp(a, b) == 0;
    return la == lb && wire_eq(wa, wb, (size_t)la);
}

bool dns_name_under(const char *name, const char *zone)
{
    uint8_t wn[DNS_NAME_WIRE_MAX], wz[DNS_NAME_WIRE_MAX];
    int ln = dns_name_to_wire(name, wn, sizeof wn), lz = dns_name_to_wire(zone, wz, sizeof wz);
    if (ln < 0 || lz < 0) return false;
    for (int i = 0; i < ln; i += wn[i] + 1) {
        if (ln - i == lz && wire_eq(wn + i, wz, (size_t)lz)) return true;
        if (wn[i] == 0) break;
    }
    return false;
}

/* ---- questions and records ---- */

int dns_question_read(const uint8_t *m, size_t len, size_t *off, struct dns_question *q)
{
    size_t p = *off;
    int rc = dns_name_read(m, len, &p, q->name, sizeof q->name, NULL, NULL);
    if (rc) return rc;
    if (p + 4 > len) return DNS_E_SHORT;
    q->type = get_be16(m + p);
    q->qclass = get_be16(m + p + 2);
    *off = p + 4;
    return DNS_OK;
}

/* A name that lies inside [*off, end): its in-place bytes must not run past
 * the record's data. */
static int rdata_name(const uint8_t *m, size_t *off, size_t end, char *text, size_t cap)
{
    int rc = dns_name_read(m, end, off, text, cap, NULL, NULL);
    if (rc == DNS_E_SHORT) return DNS_E_RDATA;
    return rc;
}

int dns_rr_read(const uint8_t *m, size_t len, size_t *off, struct dns_rr *rr)
{
    size_t p = *off;
    int rc = dns_name_read(m, len, &p, rr->name, sizeof rr->name, NULL, NULL);
    if (rc) return rc;
    if (p + 10 > len) return DNS_E_SHORT;
    rr->type = get_be16(m + p);
    rr->rclass = get_be16(m + p + 2);
    rr->ttl = get_be32(m + p + 4);
    rr->rdlen = get_be16(m + p + 8);
    p += 10;
    if (p + rr->rdlen > len) return DNS_E_SHORT;
    rr->rdata = p;
    rr->target[0] = rr->rname[0] = 0;
    size_t end = p + rr->rdlen, q = p;
    switch (rr->type) {
    case DNS_T_A:
        if (rr->rdlen != 4) return DNS_E_RDATA;
        rr->a = get_be32(m + p);
        break;
    case DNS_T_AAAA:
        if (rr->rdlen != 16) return DNS_E_RDATA;
        memcpy(rr->aaaa, m + p, 16);
        break;
    case DNS_T_NS:
    case DNS_T_CNAME:
    case DNS_T_PTR:
        if ((rc = rdata_name(m, &q, end, rr->target, sizeof rr->target))) return rc;
        if (q != end) return DNS_E_RDATA;
        break;
    case DNS_T_MX:
        if (rr->rdlen < 3) return DNS_E_RDATA;
        rr->pref = get_be16(m + p);
        q += 2;
        if ((rc = rdata_name(m, &q, end, rr->target, sizeof rr->target))) return rc;
        if (q != end) return DNS_E_RDATA;
        break;
    case DNS_T_SOA:
        if ((rc = rdata_name(m, &q, end, rr->target, sizeof rr->target))) return rc;
        if ((rc = rdata_name(m, &q, end, rr->rname, sizeof rr->rname))) return rc;
        if (end - q != 20) return DNS_E_RDATA;
        for (int i = 0; i < 5; i++)
            rr->soa[i] = get_be32(m + q + 4 * (size_t)i);
        break;
    case DNS_T_TXT:
        /* RFC 1035 3.3.14: one or more <character-string>s */
        if (rr->rdlen == 0) return DNS_E_RDATA;
        while (q < end)
            q += 1 + (size_t)m[q];
        if (q != end) return DNS_E_RDATA;
        break;
    default:
        break;
    }
    *off = end;
    return DNS_OK;
}

int dns_txt_text(const uint8_t *m, size_t len, const struct dns_rr *rr, char *out, size_t cap)
{
    if (cap == 0) return DNS_E_SPACE;
    out[0] = 0;
    size_t q = rr->rdata, end = rr->rdata + rr->rdlen, t = 0;
    if (end > len) return DNS_E_SHORT;
    while (q < end) {
        size_t n = m[q++];
        if (q + n > end) return DNS_E_RDATA;
        char buf[5];
        int w = snprintf(out + t, cap - t, "%s\"", t ? " " : "");
        if (w < 0 || (size_t)w >= cap - t) return DNS_E_SPACE;
        t += (size_t)w;
        for (size_t i = 0; i < n; i++) {
            uint8_t c = m[q + i];
            size_t k;
            if (c == '"' || c == '\\') {
                buf[0] = '\\';
                buf[1] = (char)c;
                k = 2;
            } else if (c < 0x20 || c > 0x7e) {
                snprintf(buf, sizeof buf, "\\%03u", c);
                k = 4;
            } else {
                buf[0] = (char)c;
                k = 1;
            }
            if (t + k + 2 > cap) return DNS_E_SPACE;
            memcpy(out + t, buf, k);
            t += k;
        }
        if (t + 2 > cap) return DNS_E_SPACE;
        out[t++] = '"';
        out[t] = 0;
        q += n;
    }
    return DNS_OK;
}

static const struct {
    uint16_t type;
    const char *name;
} dns_types[] = {
    {DNS_T_A, "A"},     {DNS_T_NS, "NS"},   {DNS_T_CNAME, "CNAME"}, {DNS_T_SOA, "SOA"},
    {DNS_T_PTR, "PTR"}, {DNS_T_MX, "MX"},   {DNS_T_TXT, "TXT"},     {DNS_T_AAAA, "AAAA"},
    {DNS_T_OPT, "OPT"}, {DNS_T_ANY, "ANY"},
};

const char *dns_type_str(uint16_t type, char *buf, size_t cap)
{
    for (size_t i = 0; i < sizeof dns_types / sizeof dns_types[0]; i++)
        if (dns_types[i].type == type) return dns_types[i].name;
    snprintf(buf, cap, "TYPE%u", type);
    return buf;
}

uint16_t dns_type_parse(const char *s)
{
    for (size_t i = 0; i < sizeof dns_types / sizeof dns_types[0]; i++)
        if (strcasecmp(dns_types[i].name, s) == 0) return dns_types[i].type;
    if (strncasecmp(s, "TYPE", 4) == 0 && isdigit((unsigned char)s[4])) {
        unsigned long v = 0;
        for (const char *p = s + 4; *p; p++) {
            if (!isdigit((unsigned char)*p)) return 0;
            v = v * 10 + (unsigned long)(*p - '0');
            if (v > 65535) return 0;
        }
        return (uint16_t)v;
    }
    return 0;
}

const char *dns_rcode_str(unsigned rcode)
{
    static const char *const names[] = {"NOERROR",    "FORMERR",    "SERVFAIL",   "NXDOMAIN",
                                        "NOTIMP",     "REFUSED",    "YXDOMAIN",   "YXRRSET",
                                        "NXRRSET",    "NOTAUTH",    "NOTZONE",    "RESERVED11",
                                        "RESERVED12", "RESERVED13", "RESERVED14", "RESERVED15"};
    return names[rcode & 15];
}

/* ---- emitting ---- */

void dns_writer_init(struct dns_writer *w, uint8_t *buf, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->cap = cap;
    w->compress = true;
    if (cap < DNS_HDR_LEN) {
        w->err = DNS_E_SPACE;
        return;
    }
    memset(buf, 0, DNS_HDR_LEN);
    w->len = DNS_HDR_LEN;
}

static bool room(struct dns_writer *w, size_t n)
{
    if (w->err) return false;
    if (w->len + n > w->cap) {
        w->err = DNS_E_SPACE;
        return false;
    }
    return true;
}

void dns_put_u16(struct dns_writer *w, uint16_t v)
{
    if (!room(w, 2)) return;
    put_be16(w->buf + w->len, v);
    w->len += 2;
}

void dns_put_u32(struct dns_writer *w, uint32_t v)
{
    if (!room(w, 4)) return;
    put_be32(w->buf + w->len, v);
    w->len += 4;
}

void dns_put_bytes(struct dns_writer *w, const void *p, size_t n)
{
    if (!room(w, n)) return;
    if (n) memcpy(w->buf + w->len, p, n);
    w->len += n;
}

/* True when the name written at message offset o equals the uncompressed
 * wire name s. The message was written by us, but the walk is bounded all
 * the same. */
static bool comp_match(const struct dns_writer *w, size_t o, const uint8_t *s)
{
    for (int hops = 0; hops < DNS_NAME_WIRE_MAX; hops++) {
        if (o >= w->len) return false;
        uint8_t b = w->buf[o];
        if ((b & 0xc0) == 0xc0) {
            if (o + 1 >= w->len) return false;
            o = (size_t)(b & 0x3f) << 8 | w->buf[o + 1];
            continue;
        }
        if (b != *s) return false;
        if (b == 0) return true;
        if (o + 1 + b > w->len || !wire_eq(w->buf + o + 1, s + 1, b)) return false;
        o += 1 + (size_t)b;
        s += 1 + (size_t)b;
    }
    return false;
}

void dns_put_name(struct dns_writer *w, const char *text)
{
    if (w->err) return;
    uint8_t wire[DNS_NAME_WIRE_MAX];
    int n = dns_name_to_wire(text, wire, sizeof wire);
    if (n < 0) {
        w->err = n;
        return;
    }
    /* The longest suffix already in the message (RFC 1035 4.1.4): write
     * the labels in front of it, then a pointer to it. */
    int cut = n - 1; /* no match: everything but the root byte, then the root */
    int ptr = -1;
    for (int i = 0; w->compress && wire[i]; i += wire[i] + 1) {
        for (int k = 0; k < w->n_comp && ptr < 0; k++)
            if (comp_match(w, w->comp[k], wire + i)) ptr = w->comp[k];
        if (ptr >= 0) {
            cut = i;
            break;
        }
    }
    if (!room(w, (size_t)cut + (ptr >= 0 ? 2 : 1))) return;
    for (int i = 0; i < cut; i += wire[i] + 1)
        if (w->len + (size_t)i < 0x4000 && w->n_comp < DNS_COMP_MAX)
            w->comp[w->n_comp++] = (uint16_t)(w->len + (size_t)i);
    memcpy(w->buf + w->len, wire, (size_t)cut);
    w->len += (size_t)cut;
    if (ptr >= 0) {
        put_be16(w->buf + w->len, (uint16_t)(0xc000 | ptr));
        w->len += 2;
    } else {
        w->buf[w->len++] = 0;
    }
}

void dns_put_question(struct dns_writer *w, const char *name, uint16_t type, uint16_t qclass)
{
    dns_put_name(w, name);
    dns_put_u16(w, type);
    dns_put_u16(w, qclass);
}

size_t dns_rr_begin(struct dns_writer *w, const char *name, uint16_t type, uint16_t rclass,
                    uint32_t ttl)
{
    dns_put_name(w, name);
    dns_put_u16(w, type);
    dns_put_u16(w, rclass);
    dns_put_u32(w, ttl);
    size_t mark = w->len;
    dns_put_u16(w, 0);
    return mark;
}

void dns_rr_end(struct dns_writer *w, size_t mark)
{
    if (w->err || mark + 2 > w->len) return;
    put_be16(w->buf + mark, (uint16_t)(w->len - mark - 2));
}

int dns_query_build(uint8_t *buf, size_t cap, uint16_t id, bool rd, const char *name, uint16_t type)
{
    struct dns_writer w;
    dns_writer_init(&w, buf, cap);
    dns_put_question(&w, name, type, DNS_CLASS_IN);
    if (w.err) return w.err;
    struct dns_hdr h = {.id = id, .flags = rd ? DNS_F_RD : 0, .qd = 1};
    dns_hdr_emit(&h, buf);
    return (int)w.len;
}

char *dns_aaaa_str(const uint8_t a[16], char *buf, size_t cap)
{
    if (!inet_ntop(AF_INET6, a, buf, (socklen_t)cap)) snprintf(buf, cap, "?");
    return buf;
}

/* ---- tshark's Info column ---- */

const char *dns_opcode_text(unsigned opcode)
{
    switch (opcode) {
    case 0:
        return "Standard query";
    case 1:
        return "Inverse query";
    case 2:
        return "Server status request";
    case 4:
        return "Zone change notification";
    case 5:
        return "Dynamic update";
    }
    return NULL;
}

const char *dns_rcode_text(unsigned rcode)
{
    static const char *const t[] = {"No error",          "Format error",    "Server failure",
                                    "No such name",      "Not implemented", "Refused",
                                    "Name exists",       "RRset exists",    "RRset does not exist",
                                    "Not authoritative", "Name out of zone"};
    return rcode < sizeof t / sizeof t[0] ? t[rcode] : NULL;
}

struct info_buf {
    char *s;
    size_t cap, len;
};

static void info_put(struct info_buf *b, const char *fmt, const char *a, const char *c)
{
    if (b->len + 1 >= b->cap) return;
    int n = snprintf(b->s + b->len, b->cap - b->len, fmt, a, c);
    if (n < 0) return;
    b->len += (size_t)n < b->cap - b->len ? (size_t)n : b->cap - b->len - 1;
}

static const char *info_name(const char *n)
{
    return n[0] ? n : "<Root>";
}

/* tshark's type names where they differ from dig's mnemonics: none for
 * the common types; unknown ones are "Unknown (N)". */
static const char *info_type(uint16_t type, char *buf, size_t cap)
{
    for (size_t i = 0; i < sizeof dns_types / sizeof dns_types[0]; i++)
        if (dns_types[i].type == type) return dns_types[i].name;
    snprintf(buf, cap, "Unknown (%u)", type);
    return buf;
}

int dns_info(const uint8_t *m, size_t len, char *out, size_t cap)
{
    struct info_buf b = {out, cap, 0};
    if (cap == 0) return DNS_E_SPACE;
    out[0] = 0;
    struct dns_hdr h;
    int rc = dns_hdr_parse(m, len, &h);
    if (rc) return rc;
    char num[32], tb[24];
    const char *op = dns_opcode_text(dns_opcode(h.flags));
    if (!op) {
        snprintf(num, sizeof num, "Unknown operation (%u)", dns_opcode(h.flags));
        op = num;
    }
    char id[8];
    snprintf(id, sizeof id, "0x%04x", h.id);
    info_put(&b, "%s%s", op, h.flags & DNS_F_QR ? " response" : "");
    info_put(&b, " %s%s", id, "");
    unsigned rcode = h.flags & DNS_F_RCODE_MASK;
    if ((h.flags & DNS_F_QR) && rcode) {
        const char *rt = dns_rcode_text(rcode);
        snprintf(num, sizeof num, "Unknown error (%u)", rcode);
        info_put(&b, " %s%s", rt ? rt : num, "");
    }
    size_t off = DNS_HDR_LEN;
    struct dns_question q;
    for (unsigned i = 0; i < h.qd; i++) {
        if ((rc = dns_question_read(m, len, &off, &q))) return rc;
        info_put(&b, " %s %s", info_type(q.type, tb, sizeof tb), info_name(q.name));
    }
    /* tshark 4.0 lists the records of all three sections */
    unsigned n_rr = (unsigned)h.an + h.ns + h.ar;
    for (unsigned i = 0; i < n_rr; i++) {
        struct dns_rr rr;
        if ((rc = dns_rr_read(m, len, &off, &rr))) return rc;
        info_put(&b, " %s%s", info_type(rr.type, tb, sizeof tb), "");
        char a[64];
        switch (rr.type) {
        case DNS_T_A:
            info_put(&b, " %s%s", ip4_str(rr.a, a), "");
            break;
        case DNS_T_AAAA:
            dns_aaaa_str(rr.aaaa, a, sizeof a);
            info_put(&b, " %s%s", a, "");
            break;
        case DNS_T_NS:
        case DNS_T_CNAME:
        case DNS_T_PTR:
        case DNS_T_SOA:
            info_put(&b, " %s%s", info_name(rr.target), "");
            break;
        case DNS_T_MX:
            snprintf(a, sizeof a, "%u", rr.pref);
            info_put(&b, " %s %s", a, info_name(rr.target));
            break;
        default:
            break;
        }
    }
    return DNS_OK;
}
