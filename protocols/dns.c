/* dns.c - DNS behaviour: the authoritative server's records, zones and
 * answers, and its front end on UDP port 53. The stub resolver is in
 * dns_resolver.c. See dns.h for the rules. */
#include "dns_priv.h"
#include "tcp.h"
#include "udp.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *dns_xalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) abort();
    return p;
}

static char *dns_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = dns_xalloc(n);
    memcpy(d, s, n);
    return d;
}

/* ---- records ---- */

/* A domain name of the scenario, stored without a trailing dot. */
static bool name_ok(const char *text, char *err, size_t errlen, const char *what)
{
    uint8_t w[DNS_NAME_WIRE_MAX];
    int rc = dns_name_to_wire(text, w, sizeof w);
    if (rc < 0) {
        snprintf(err, errlen, "%s\"%s\" is not a domain name: %s", what, text, dns_err_str(rc));
        return false;
    }
    return true;
}

static char *name_dup(const char *text)
{
    char *d = dns_strdup(text);
    size_t n = strlen(d);
    if (n > 1 && d[n - 1] == '.' && d[n - 2] != '\\') d[n - 1] = 0;
    return d;
}

/* Splits s at spaces into at most max words (in buf); returns the count. */
static int split_words(const char *s, char *buf, size_t cap, char **w, int max)
{
    snprintf(buf, cap, "%s", s);
    int n = 0;
    for (char *p = buf; *p;) {
        while (*p == ' ' || *p == '\t')
            *p++ = 0;
        if (!*p) break;
        if (n == max) return max + 1;
        w[n++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
    }
    return n;
}

static bool parse_u32(const char *s, uint32_t *out)
{
    if (!isdigit((unsigned char)*s)) return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > 0xffffffffull) return false;
    *out = (uint32_t)v;
    return true;
}

bool dns_record_parse(const char *name, const char *type, const char *value, uint32_t ttl,
                      struct dns_record *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    if (!name_ok(name, err, errlen, "name: ")) return false;
    uint16_t t = dns_type_parse(type);
    static const uint16_t known[] = {DNS_T_A,  DNS_T_AAAA, DNS_T_CNAME, DNS_T_MX,
                                     DNS_T_NS, DNS_T_TXT,  DNS_T_PTR,   DNS_T_SOA};
    bool ok = false;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        ok |= known[i] == t;
    if (!ok) {
        snprintf(err, errlen,
                 "type: \"%s\" is not a record type this server serves; use A, AAAA, CNAME, MX, "
                 "NS, TXT, PTR or SOA",
                 type);
        return false;
    }
    r->type = t;
    r->ttl = ttl;
    char buf[512], *w[8];
    int n;
    switch (t) {
    case DNS_T_A:
        if (!ip4_parse_addr(value, &r->a)) {
            snprintf(err, errlen,
                     "value: an A record needs an address like \"10.0.0.1\", got \"%s\"", value);
            return false;
        }
        break;
    case DNS_T_AAAA:
        if (inet_pton(AF_INET6, value, r->aaaa) != 1) {
            snprintf(err, errlen,
                     "value: an AAAA record needs an IPv6 address like \"2001:db8::1\", got \"%s\"",
                     value);
            return false;
        }
        break;
    case DNS_T_CNAME:
    case DNS_T_NS:
    case DNS_T_PTR:
        if (!name_ok(value, err, errlen, "value: ")) return false;
        r->target = name_dup(value);
        break;
    case DNS_T_MX:
        n = split_words(value, buf, sizeof buf, w, 2);
        if (n != 2 || !parse_u32(w[0], &r->soa[0]) || r->soa[0] > 65535) {
            snprintf(err, errlen,
                     "value: an MX record is \"PREFERENCE HOST\" like \"10 mx1.galaxy.test\", got "
                     "\"%s\"",
                     value);
            return false;
        }
        if (!name_ok(w[1], err, errlen, "value: ")) return false;
        r->pref = (uint16_t)r->soa[0];
        r->soa[0] = 0;
        r->target = name_dup(w[1]);
        break;
    case DNS_T_SOA:
        n = split_words(value, buf, sizeof buf, w, 7);
        ok = n == 7;
        for (int i = 0; ok && i < 5; i++)
            ok = parse_u32(w[2 + i], &r->soa[i]);
        if (!ok) {
            snprintf(err, errlen,
                     "value: an SOA record is \"MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM\" "
                     "like \"ns1.galaxy.test hostmaster.galaxy.test 1 3600 600 86400 300\"");
            return false;
        }
        if (!name_ok(w[0], err, errlen, "value: ") || !name_ok(w[1], err, errlen, "value: "))
            return false;
        r->target = name_dup(w[0]);
        r->rname = name_dup(w[1]);
        break;
    case DNS_T_TXT: {
        /* RFC 1035 3.3.14: character-strings of at most 255 bytes each */
        size_t len = strlen(value);
        if (len > 4000) {
            snprintf(err, errlen, "value: a TXT record here holds at most 4000 characters");
            return false;
        }
        size_t chunks = len ? (len + 254) / 255 : 1;
        r->txt = dns_xalloc(len + chunks);
        for (size_t i = 0, o = 0; i < chunks; i++) {
            size_t k = len - i * 255 < 255 ? len - i * 255 : 255;
            r->txt[o++] = (uint8_t)k;
            memcpy(r->txt + o, value + i * 255, k);
            o += k;
        }
        r->txt_len = len + chunks;
        break;
    }
    }
    r->name = name_dup(name);
    return true;
}

void dns_record_clear(struct dns_record *r)
{
    free(r->name);
    free(r->target);
    free(r->rname);
    free(r->txt);
    memset(r, 0, sizeof *r);
}

/* ---- the database ---- */

void dns_db_add(struct dns_db *db, struct dns_record *r)
{
    if (db->n == db->cap) {
        db->cap = db->cap ? db->cap * 2 : 8;
        struct dns_record *a = realloc(db->rec, (size_t)db->cap * sizeof *a);
        if (!a) abort();
        db->rec = a;
    }
    db->rec[db->n++] = *r;
    memset(r, 0, sizeof *r);
}

static void zone_add(struct dns_db *db, const char *apex)
{
    for (int i = 0; i < db->n_zones; i++)
        if (dns_name_eq(db->zones[i], apex)) return;
    char **z = realloc(db->zones, (size_t)(db->n_zones + 1) * sizeof *z);
    if (!z) abort();
    db->zones = z;
    db->zones[db->n_zones++] = dns_strdup(apex);
}

/* The parent of a name ("web.galaxy.test" -> "galaxy.test"), or the name
 * itself when it has two labels or fewer. */
static const char *zone_guess(const char *name)
{
    const char *dot = NULL;
    for (const char *p = name; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            continue;
        }
        if (*p == '.') {
            dot = p;
            break;
        }
    }
    if (!dot || !strchr(dot + 1, '.')) return name;
    return dot + 1;
}

void dns_db_finish(struct dns_db *db)
{
    for (int pass = 0; pass < 2 && !db->n_zones; pass++)
        for (int i = 0; i < db->n; i++)
            if (db->rec[i].type == (pass == 0 ? DNS_T_SOA : DNS_T_NS))
                zone_add(db, db->rec[i].name);
    if (!db->n_zones)
        for (int i = 0; i < db->n; i++)
            zone_add(db, zone_guess(db->rec[i].name));
    /* a zone inside another one is part of it */
    for (int i = 0; i < db->n_zones;) {
        bool inner = false;
        for (int k = 0; k < db->n_zones && !inner; k++)
            inner = k != i && dns_name_under(db->zones[i], db->zones[k]);
        if (inner) {
            free(db->zones[i]);
            memmove(&db->zones[i], &db->zones[i + 1],
                    (size_t)(db->n_zones - i - 1) * sizeof(char *));
            db->n_zones--;
        } else {
            i++;
        }
    }
}

void dns_db_free(struct dns_db *db)
{
    for (int i = 0; i < db->n; i++)
        dns_record_clear(&db->rec[i]);
    free(db->rec);
    for (int i = 0; i < db->n_zones; i++)
        free(db->zones[i]);
    free(db->zones);
    memset(db, 0, sizeof *db);
}

static int zone_of(const struct dns_db *db, const char *name)
{
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; i < db->n_zones; i++)
        if (dns_name_under(name, db->zones[i]) && (best < 0 || strlen(db->zones[i]) > best_len)) {
            best = i;
            best_len = strlen(db->zones[i]);
        }
    return best;
}

static bool name_exists(const struct dns_db *db, const char *name)
{
    for (int i = 0; i < db->n; i++)
        if (dns_name_under(db->rec[i].name, name))
            return true; /* itself, or an empty non-terminal */
    return false;
}

static void put_record(struct dns_writer *w, const struct dns_record *r)
{
    size_t mark = dns_rr_begin(w, r->name, r->type, DNS_CLASS_IN, r->ttl);
    uint8_t a[4];
    switch (r->type) {
    case DNS_T_A:
        put_be32(a, r->a);
        dns_put_bytes(w, a, 4);
        break;
    case DNS_T_AAAA:
        dns_put_bytes(w, r->aaaa, 16);
        break;
    case DNS_T_MX:
        dns_put_u16(w, r->pref);
        dns_put_name(w, r->target);
        break;
    case DNS_T_SOA:
        dns_put_name(w, r->target);
        dns_put_name(w, r->rname);
        for (int i = 0; i < 5; i++)
            dns_put_u32(w, r->soa[i]);
        break;
    case DNS_T_TXT:
        dns_put_bytes(w, r->txt, r->txt_len);
        break;
    default: /* NS, CNAME, PTR */
        dns_put_name(w, r->target);
        break;
    }
    dns_rr_end(w, mark);
}

/* Records of the additional section: addresses of MX and NS targets. */
static int put_additional(struct dns_writer *w, const struct dns_db *db, const int *ans, int n_ans)
{
    int n = 0;
    for (int i = 0; i < n_ans; i++) {
        const struct dns_record *r = &db->rec[ans[i]];
        if (r->type != DNS_T_MX && r->type != DNS_T_NS) continue;
        bool seen = false;
        for (int k = 0; k < i && !seen; k++) {
            const struct dns_record *o = &db->rec[ans[k]];
            seen =
                (o->type == DNS_T_MX || o->type == DNS_T_NS) && dns_name_eq(o->target, r->target);
        }
        if (seen) continue;
        for (int k = 0; k < db->n; k++) {
            const struct dns_record *t = &db->rec[k];
            if ((t->type == DNS_T_A || t->type == DNS_T_AAAA) && dns_name_eq(t->name, r->target)) {
                put_record(w, t);
                n++;
            }
        }
    }
    return n;
}

/* Header and question only: errors, and answers cut for UDP. */
static size_t respond_bare(const struct dns_hdr *qh, const struct dns_question *q, uint16_t flags,
                           uint8_t *out, size_t cap)
{
    struct dns_writer w;
    dns_writer_init(&w, out, cap);
    if (q) dns_put_question(&w, q->name, q->type, q->qclass);
    if (w.err) return 0;
    struct dns_hdr h = {.id = qh->id, .flags = flags, .qd = q ? 1 : 0};
    dns_hdr_emit(&h, out);
    return w.len;
}

size_t dns_db_respond(const struct dns_db *db, const uint8_t *qm, size_t qlen, size_t max_len,
                      uint8_t *out, size_t cap, struct dns_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->zone = -1;
    struct dns_hdr qh;
    if (dns_hdr_parse(qm, qlen, &qh) || (qh.flags & DNS_F_QR)) return 0;
    if (max_len > cap) max_len = cap;
    v->answered = true;
    /* RFC 1035 4.1.1: the response copies the id, the opcode and RD */
    uint16_t base = DNS_F_QR | (qh.flags & (DNS_F_OPCODE_MASK | DNS_F_RD));
    if (dns_opcode(qh.flags) != 0) {
        v->rcode = DNS_R_NOTIMP;
        return respond_bare(&qh, NULL, base | DNS_R_NOTIMP, out, max_len);
    }
    size_t off = DNS_HDR_LEN;
    if (qh.qd != 1 || dns_question_read(qm, qlen, &off, &v->q)) {
        v->rcode = DNS_R_FORMERR;
        return respond_bare(&qh, NULL, base | DNS_R_FORMERR, out, max_len);
    }
    const struct dns_question *q = &v->q;
    v->zone = zone_of(db, q->name);
    if (v->zone < 0 || (q->qclass != DNS_CLASS_IN && q->qclass != 255)) {
        v->rcode = DNS_R_REFUSED;
        return respond_bare(&qh, q, base | DNS_R_REFUSED, out, max_len);
    }
    v->aa = true;
    /* RFC 1034 4.3.2 step 3, inside our zones: follow CNAMEs, then take
     * the records of the asked type. */
    int ans[256], n_ans = 0;
    const char *name = q->name;
    uint8_t rcode = DNS_R_NOERROR;
    for (int hop = 0;; hop++) {
        int cname = -1, found = 0;
        for (int i = 0; i < db->n; i++) {
            const struct dns_record *r = &db->rec[i];
            if (!dns_name_eq(r->name, name)) continue;
            if (r->type == DNS_T_CNAME && cname < 0) cname = i;
            if ((q->type == r->type || q->type == DNS_T_ANY) && n_ans < 256) {
                ans[n_ans++] = i;
                found++;
            }
        }
        if (found) break;
        if (cname >= 0 && q->type != DNS_T_CNAME) {
            if (n_ans < 256) ans[n_ans++] = cname;
            v->cnames++;
            name = db->rec[cname].target;
            if (zone_of(db, name) < 0) {
                v->cname_out = true;
                break;
            }
            if (hop + 1 >= DNS_CNAME_MAX) break;
            continue;
        }
        if (!name_exists(db, name))
            rcode = DNS_R_NXDOMAIN; /* RFC 6604: the last name of the chain decides */
        else
            v->nodata = true;
        break;
    }
    v->rcode = rcode;
    v->nodata = v->nodata || (rcode == DNS_R_NOERROR && n_ans == v->cnames && v->cnames == 0);
    struct dns_writer w;
    dns_writer_init(&w, out, cap);
    dns_put_question(&w, q->name, q->type, q->qclass);
    for (int i = 0; i < n_ans; i++)
        put_record(&w, &db->rec[ans[i]]);
    int ns = 0;
    if (rcode == DNS_R_NXDOMAIN || v->nodata) {
        int z = zone_of(db, name);
        for (int i = 0; z >= 0 && i < db->n; i++)
            if (db->rec[i].type == DNS_T_SOA && dns_name_eq(db->rec[i].name, db->zones[z])) {
                put_record(&w, &db->rec[i]);
                ns++;
                break;
            }
    }
    int ar = put_additional(&w, db, ans, n_ans);
    uint16_t flags = base | DNS_F_AA | rcode;
    v->full_len = w.err ? cap + 1 : w.len;
    if (w.err || w.len > max_len) {
        /* RFC 2181 9: set TC when the records needed do not fit; the
         * client asks again over TCP for the whole answer. */
        v->tc = true;
        return respond_bare(&qh, q, flags | DNS_F_TC, out, max_len);
    }
    v->an = n_ans;
    v->ns = ns;
    v->ar = ar;
    struct dns_hdr h = {.id = qh.id,
                        .flags = flags,
                        .qd = 1,
                        .an = (uint16_t)n_ans,
                        .ns = (uint16_t)ns,
                        .ar = (uint16_t)ar};
    dns_hdr_emit(&h, out);
    return w.len;
}

/* ---- the server on a node ---- */

/* A TCP connection to the server. Messages come with a 2-byte length in
 * front (RFC 1035 4.2.2) and may span segments, so they are gathered here;
 * the connection stays open for more queries until the client closes it
 * (RFC 7766 6.2.1). */
struct dns_tcp_sess {
    struct dns_tcp_sess *next;
    struct dns_server *srv;
    struct tcp_conn *c;
    size_t have;
    uint8_t buf[2 + DNS_TCP_MAX];
};

struct dns_server {
    struct netstack *st;
    struct dns_db db;
    struct udp_sock *udp;
    struct tcp_listener *tcp;
    struct dns_tcp_sess *sess;
};

const struct dns_db *dns_server_db(const struct netstack *st)
{
    return st->dns_srv ? &st->dns_srv->db : NULL;
}

/* The why sentence for the server's decision. */
static void server_why(const struct dns_server *srv, const struct dns_verdict *v, char *buf,
                       size_t cap)
{
    const struct dns_db *db = &srv->db;
    char tb[16];
    const char *type = dns_type_str(v->q.type, tb, sizeof tb);
    if (v->rcode == DNS_R_NOTIMP) {
        snprintf(buf, cap,
                 "The server only does standard queries (opcode 0), so it answers NOTIMP.");
        return;
    }
    if (v->rcode == DNS_R_FORMERR) {
        snprintf(buf, cap,
                 "The query does not hold exactly one readable question, so the server answers "
                 "FORMERR (format error).");
        return;
    }
    if (v->zone < 0) {
        snprintf(buf, cap,
                 "The server is authoritative only for %s%s and does no recursion, so for %s it "
                 "answers REFUSED: the client must ask another server.",
                 db->n_zones ? db->zones[0] : "no zone", db->n_zones > 1 ? " and others" : "",
                 v->q.name);
        return;
    }
    const char *zone = db->zones[v->zone];
    int n = snprintf(
        buf, cap, "The server is authoritative for %s and answers from its zone (AA set): ", zone);
    if (n < 0 || (size_t)n >= cap) return;
    buf += n;
    cap -= (size_t)n;
    if (v->tc) {
        snprintf(buf, cap,
                 "the answer takes %zu bytes, more than the 512 a DNS message over UDP may carry "
                 "(RFC 1035 4.2.1), so it sends only the question with TC (truncated) set, and "
                 "the client asks again over TCP.",
                 v->full_len);
    } else if (v->rcode == DNS_R_NXDOMAIN) {
        snprintf(buf, cap, "no name %s exists there, so the answer is NXDOMAIN%s.", v->q.name,
                 v->cnames ? " (at the end of the CNAME chain)" : "");
    } else if (v->nodata) {
        snprintf(buf, cap,
                 "%s exists but has no %s record, so the answer is NOERROR with an empty answer "
                 "section (NODATA).",
                 v->q.name, type);
    } else if (v->cname_out) {
        snprintf(buf, cap,
                 "%s is an alias (CNAME) for a name outside its zones, so it gives only the "
                 "CNAME; the client follows it elsewhere.",
                 v->q.name);
    } else {
        snprintf(buf, cap, "%d record%s for %s%s%s.", v->an, v->an == 1 ? "" : "s", v->q.name,
                 v->cnames ? ", following the CNAME alias to its canonical name" : "",
                 v->ar ? ", with the addresses of the named hosts as additional records" : "");
    }
}

/* Answers one query (over UDP: max 512 bytes) into out; 0 = no answer. */
static size_t server_answer(struct dns_server *srv, const uint8_t *data, size_t len, bool tcp,
                            const struct iface *in, const struct pkt *p, uint8_t *out)
{
    struct sim *sim = srv->st->sim;
    struct dns_verdict v;
    size_t n =
        dns_db_respond(&srv->db, data, len, tcp ? DNS_TCP_MAX : DNS_UDP_MAX, out, DNS_TCP_MAX, &v);
    if (trace_on(sim, TRACE_LAYERS)) {
        char info[192], why[3 * DNS_NAME_TEXT_MAX + 512];
        dns_info(data, len, info, sizeof info);
        if (!n)
            snprintf(why, sizeof why,
                     "This is not a DNS query the server can answer (it is a "
                     "response, or shorter than a DNS header), so it is ignored.");
        else
            server_why(srv, &v, why, sizeof why);
        stack_step(sim, TRACE_LAYERS, srv->st->node, in, 7, n ? TK_DELIVER : TK_DROP, p, "DNS",
                   "%s%s\n%s", info, tcp ? " (over TCP)" : "", why);
    }
    return n;
}

static void server_udp_input(void *ctx, struct udp_sock *s, const struct udp_meta *m,
                             const uint8_t *data, size_t len)
{
    struct dns_server *srv = ctx;
    uint8_t *out = dns_xalloc(DNS_TCP_MAX);
    size_t n = server_answer(srv, data, len, false, m->in, m->p, out);
    if (n) udp_sendto(s, m->src, m->sport, out, n, NULL);
    free(out);
}

static void sess_recv(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    struct dns_tcp_sess *s = ctx;
    while (len) {
        size_t k = sizeof s->buf - s->have < len ? sizeof s->buf - s->have : len;
        memcpy(s->buf + s->have, data, k);
        s->have += k;
        data += k;
        len -= k;
        /* every whole message gathered so far; the buffer holds the
         * largest one, so each pass frees room */
        while (s->have >= 2 && s->have >= 2 + (size_t)get_be16(s->buf)) {
            size_t mlen = get_be16(s->buf);
            uint8_t *out = dns_xalloc(2 + DNS_TCP_MAX);
            size_t n = server_answer(s->srv, s->buf + 2, mlen, true, NULL, NULL, out + 2);
            if (n) {
                put_be16(out, (uint16_t)n);
                tcp_send(c, out, n + 2); /* fits: the send buffer is 256 KiB */
            }
            free(out);
            s->have -= 2 + mlen;
            memmove(s->buf, s->buf + 2 + mlen, s->have);
        }
    }
}

static void sess_peer_closed(void *ctx, struct tcp_conn *c)
{
    (void)ctx;
    tcp_close(c);
}

static void sess_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    (void)why;
    struct dns_tcp_sess *s = ctx;
    for (struct dns_tcp_sess **pp = &s->srv->sess; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    free(s);
}

static void server_tcp_accept(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    static const struct tcp_callbacks cb = {
        .recv = sess_recv, .peer_closed = sess_peer_closed, .closed = sess_closed};
    struct dns_server *srv = ctx;
    struct dns_tcp_sess *s = dns_xalloc(sizeof *s);
    s->srv = srv;
    s->c = c;
    s->next = srv->sess;
    srv->sess = s;
    tcp_set_callbacks(c, &cb, s);
}

int dns_server_start(struct netstack *st, struct dns_db *db)
{
    if (st->dns_srv) return -1;
    struct dns_server *srv = dns_xalloc(sizeof *srv);
    srv->st = st;
    srv->udp = udp_open(st, 0, DNS_PORT, server_udp_input, srv);
    if (!srv->udp) {
        free(srv);
        return -1;
    }
    srv->tcp = tcp_listen(st, 0, DNS_PORT, server_tcp_accept, srv);
    srv->db = *db;
    memset(db, 0, sizeof *db);
    st->dns_srv = srv;
    return 0;
}

void dns_free(struct netstack *st)
{
    dns_client_free(st);
    if (st->dns_srv) {
        /* The stack is going away: TCP frees its own connections and
         * listeners, so the sessions are only forgotten here. */
        while (st->dns_srv->sess) {
            struct dns_tcp_sess *s = st->dns_srv->sess;
            st->dns_srv->sess = s->next;
            free(s);
        }
        udp_close(st->dns_srv->udp);
        dns_db_free(&st->dns_srv->db);
        free(st->dns_srv);
        st->dns_srv = NULL;
    }
}
