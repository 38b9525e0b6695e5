/* test_dns.c - DNS behaviour (protocols/dns.h): scenario records parsed
 * and refused; zones worked out from SOA, NS or the names; the server's
 * answer for each type (A, AAAA, CNAME chains, MX and NS with additional
 * addresses, TXT, SOA), NODATA, NXDOMAIN with the SOA, REFUSED outside its
 * zones, FORMERR, NOTIMP, silence for responses, TC past 512 bytes; and
 * the stub resolver on a small network: an answer, a silent server (5 s
 * timeout, then the next server), retries, port unreachable, no server,
 * cancel; a truncated answer asked again over TCP, and TCP from the start
 * (dig +tcp); the services model the loader fills. */
#include "check.h"
#include "fixture.h"
#include "protocols/dns.h"
#include "protocols/udp.h"

static void add(struct dns_db *db, const char *name, const char *type, const char *value)
{
    struct dns_record r;
    char err[256];
    bool ok = dns_record_parse(name, type, value, 3600, &r, err, sizeof err);
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    dns_db_add(db, &r);
}

static void galaxy(struct dns_db *db)
{
    memset(db, 0, sizeof *db);
    add(db, "galaxy.test", "SOA", "ns1.galaxy.test hostmaster.galaxy.test 7 3600 600 86400 300");
    add(db, "galaxy.test", "NS", "ns1.galaxy.test");
    add(db, "galaxy.test", "MX", "10 mx1.galaxy.test");
    add(db, "galaxy.test", "MX", "20 mx2.galaxy.test");
    add(db, "galaxy.test", "TXT", "v=spf1 mx -all");
    add(db, "ns1.galaxy.test", "A", "10.10.10.53");
    add(db, "web.galaxy.test", "A", "10.61.0.20");
    add(db, "web.galaxy.test", "AAAA", "2001:db8::20");
    add(db, "www.galaxy.test", "CNAME", "web.galaxy.test");
    add(db, "w3.galaxy.test", "CNAME", "www.galaxy.test");
    add(db, "out.galaxy.test", "CNAME", "www.example.com");
    add(db, "dangling.galaxy.test", "CNAME", "gone.galaxy.test");
    add(db, "mx1.galaxy.test", "A", "10.61.0.25");
    add(db, "host.deep.sub.galaxy.test", "A", "10.61.0.30");
    dns_db_finish(db);
}

struct answer {
    uint8_t buf[DNS_TCP_MAX];
    size_t len;
    struct dns_verdict v;
    struct dns_hdr h;
    int n;
    uint16_t types[64];
    char names[64][64];
    char data[64][64]; /* A address, or target name */
};

/* Asks db for name/type and parses the whole answer. */
static void ask(const struct dns_db *db, const char *name, uint16_t type, size_t max,
                struct answer *a)
{
    uint8_t q[512];
    int n = dns_query_build(q, sizeof q, 0x1a2b, true, name, type);
    CHECK(n > 0);
    memset(&a->h, 0, sizeof a->h);
    a->n = 0;
    a->len = dns_db_respond(db, q, (size_t)n, max, a->buf, sizeof a->buf, &a->v);
    if (!a->len) return;
    CHECK_EQ(dns_hdr_parse(a->buf, a->len, &a->h), DNS_OK);
    CHECK_EQ(a->h.id, 0x1a2b);
    CHECK(a->h.flags & DNS_F_QR);
    CHECK(a->h.flags & DNS_F_RD); /* copied from the query */
    size_t off = DNS_HDR_LEN;
    struct dns_question qq;
    for (unsigned i = 0; i < a->h.qd; i++)
        CHECK_EQ(dns_question_read(a->buf, a->len, &off, &qq), DNS_OK);
    struct dns_rr *rr = malloc(sizeof *rr);
    unsigned total = (unsigned)a->h.an + a->h.ns + a->h.ar;
    for (unsigned i = 0; i < total && i < 64; i++) {
        int rc = dns_rr_read(a->buf, a->len, &off, rr);
        CHECK_EQ(rc, DNS_OK);
        if (rc) break;
        a->types[a->n] = rr->type;
        snprintf(a->names[a->n], sizeof a->names[0], "%.63s", rr->name);
        if (rr->type == DNS_T_A)
            ip4_str(rr->a, a->data[a->n]);
        else
            snprintf(a->data[a->n], sizeof a->data[0], "%.63s", rr->target);
        a->n++;
    }
    CHECK_EQ(off, a->len); /* nothing left over */
    free(rr);
}

static unsigned rcode(const struct answer *a)
{
    return a->h.flags & DNS_F_RCODE_MASK;
}

static void test_records_parse(void)
{
    struct dns_record r;
    char err[256];
    CHECK(!dns_record_parse("web.test", "A", "10.0.0", 60, &r, err, sizeof err));
    CHECK(strncmp(err, "value: ", 7) == 0);
    CHECK(!dns_record_parse("web.test", "AAAA", "10.0.0.1", 60, &r, err, sizeof err));
    CHECK(!dns_record_parse("web.test", "HINFO", "x", 60, &r, err, sizeof err));
    CHECK(strncmp(err, "type: ", 6) == 0);
    CHECK(!dns_record_parse("a..b", "A", "10.0.0.1", 60, &r, err, sizeof err));
    CHECK(strncmp(err, "name: ", 6) == 0);
    CHECK(!dns_record_parse("x.test", "MX", "mx1.x.test", 60, &r, err, sizeof err));
    CHECK(!dns_record_parse("x.test", "MX", "70000 mx1.x.test", 60, &r, err, sizeof err));
    CHECK(!dns_record_parse("x.test", "SOA", "a b 1 2 3 4", 60, &r, err, sizeof err));
    CHECK(!dns_record_parse("x.test", "CNAME", "a..b", 60, &r, err, sizeof err));
    CHECK(dns_record_parse("x.test.", "mx", "5 mx.x.test.", 60, &r, err, sizeof err));
    CHECK_STR(r.name, "x.test");
    CHECK_STR(r.target, "mx.x.test");
    CHECK_EQ(r.pref, 5);
    dns_record_clear(&r);
    /* a long TXT is cut into character-strings of 255 */
    char big[600];
    memset(big, 'z', 599);
    big[599] = 0;
    CHECK(dns_record_parse("x.test", "TXT", big, 60, &r, err, sizeof err));
    CHECK_EQ(r.txt_len, 602);
    CHECK_EQ(r.txt[0], 255);
    CHECK_EQ(r.txt[256], 255);
    CHECK_EQ(r.txt[512], 89);
    dns_record_clear(&r);
}

static void test_zones(void)
{
    struct dns_db db;
    galaxy(&db);
    CHECK_EQ(db.n_zones, 1);
    CHECK_STR(db.zones[0], "galaxy.test");
    dns_db_free(&db);
    /* without SOA or NS: each name's parent, nested ones merged */
    memset(&db, 0, sizeof db);
    add(&db, "web.galaxy.test", "A", "10.0.0.1");
    add(&db, "a.b.galaxy.test", "A", "10.0.0.2");
    add(&db, "other.test", "A", "10.0.0.3");
    dns_db_finish(&db);
    CHECK_EQ(db.n_zones, 2);
    CHECK_STR(db.zones[0], "galaxy.test");
    CHECK_STR(db.zones[1], "other.test");
    dns_db_free(&db);
}

static void test_answers(void)
{
    struct dns_db db;
    galaxy(&db);
    struct answer *a = malloc(sizeof *a);

    ask(&db, "web.galaxy.test", DNS_T_A, DNS_UDP_MAX, a);
    CHECK_EQ(rcode(a), DNS_R_NOERROR);
    CHECK(a->h.flags & DNS_F_AA);
    CHECK(!(a->h.flags & (DNS_F_TC | DNS_F_RA)));
    CHECK_EQ(a->h.an, 1);
    CHECK_STR(a->data[0], "10.61.0.20");
    CHECK_STR(db.zones[a->v.zone], "galaxy.test");

    ask(&db, "WEB.Galaxy.Test", DNS_T_AAAA, DNS_UDP_MAX, a);
    CHECK_EQ(a->h.an, 1);
    CHECK_EQ(a->types[0], DNS_T_AAAA);

    /* a chain of two CNAMEs, then the address */
    ask(&db, "w3.galaxy.test", DNS_T_A, DNS_UDP_MAX, a);
    CHECK_EQ(rcode(a), DNS_R_NOERROR);
    CHECK_EQ(a->h.an, 3);
    CHECK_EQ(a->types[0], DNS_T_CNAME);
    CHECK_STR(a->data[0], "www.galaxy.test");
    CHECK_EQ(a->types[1], DNS_T_CNAME);
    CHECK_EQ(a->types[2], DNS_T_A);
    CHECK_STR(a->names[2], "web.galaxy.test");
    CHECK_EQ(a->v.cnames, 2);
    /* asking for the CNAME itself gives only the CNAME */
    ask(&db, "www.galaxy.test", DNS_T_CNAME, DNS_UDP_MAX, a);
    CHECK_EQ(a->h.an, 1);
    CHECK_EQ(a->types[0], DNS_T_CNAME);
    /* a CNAME leaving the zone: only the CNAME */
    ask(&db, "out.galaxy.test", DNS_T_A, DNS_UDP_MAX, a);
    CHECK_EQ(rcode(a), DNS_R_NOERROR);
    CHECK_EQ(a->h.an, 1);
    CHECK(a->v.cname_out);
    /* a CNAME to nothing: NXDOMAIN (RFC 6604), the CNAME kept */
    ask(&db, "dangling.galaxy.test", DNS_T_A, DNS_UDP_MAX, a);
    CHECK_EQ(rcode(a), DNS_R_NXDOMAIN);
    CHECK_EQ(a->h.an, 1);

    /* MX with the exchange's address as additional record */
    ask(&db, "galaxy.test", DNS_T_MX, DNS_UDP_MAX, a);
    CHECK_EQ(a->h.an, 2);
    CHECK_EQ(a->h.ar, 1); /* mx2 has no address here */
    CHECK_STR(a->data[0], "mx1.galaxy.test");
    CHECK_STR(a->names[2], "mx1.galaxy.test");
    CHECK_STR(a->data[2], "10.61.0.25");
    ask(&db, "galaxy.test", DNS_T_NS, DNS_UDP_MAX, a);
    CHECK_EQ(a->h.an, 1);
    CHECK_EQ(a->h.ar, 1);
    CHECK_STR(a->data[1], "10.10.10.53");
    ask(&db, "galaxy.test", DNS_T_TXT, DNS_UDP_MAX, a);
    CHECK_EQ(a->h.an, 1);
    CHECK_EQ(a->types[0], DNS_T_TXT);
    ask(&db, "galaxy.test", DNS_T_SOA, DNS_UDP_MAX, a);
    CHECK_EQ(a->h.an, 1);
    CHECK_STR(a->data[0], "ns1.galaxy.test");
    ask(&db, "galaxy.test", DNS_T_ANY, DNS_UDP_MAX, a);
    CHECK_EQ(a->h.an, 5); /* SOA, NS, two MX, TXT */

    /* NODATA: the name exists, the type does not; SOA in authority */
    ask(&db, "web.galaxy.test", DNS_T_MX, DNS_UDP_MAX, a);
    CHECK_EQ(rcode(a), DNS_R_NOERROR);
    CHECK_EQ(a->h.an, 0);
    CHECK_EQ(a->h.ns, 1);
    CHECK_EQ(a->types[0], DNS_T_SOA);
    CHECK(a->v.nodata);
    /* an empty non-terminal exists too */
    ask(&db, "sub.galaxy.test", DNS_T_A, DNS_UDP_MAX, a);
    CHECK_EQ(rcode(a), DNS_R_NOERROR);
    CHECK_EQ(a->h.an, 0);
    /* NXDOMAIN, authoritative, with the SOA */
    ask(&db, "nope.galaxy.test", DNS_T_A, DNS_UDP_MAX, a);
    CHECK_EQ(rcode(a), DNS_R_NXDOMAIN);
    CHECK(a->h.flags & DNS_F_AA);
    CHECK_EQ(a->h.ns, 1);
    CHECK_EQ(a->types[0], DNS_T_SOA);
    /* outside the zones: REFUSED, not authoritative */
    ask(&db, "www.example.com", DNS_T_A, DNS_UDP_MAX, a);
    CHECK_EQ(rcode(a), DNS_R_REFUSED);
    CHECK(!(a->h.flags & DNS_F_AA));
    CHECK_EQ(a->h.qd, 1);
    CHECK_EQ(a->h.an + a->h.ns + a->h.ar, 0);
    ask(&db, "test", DNS_T_A, DNS_UDP_MAX, a);
    CHECK_EQ(rcode(a), DNS_R_REFUSED);

    /* malformed queries */
    uint8_t q[512], out[512];
    struct dns_verdict v;
    int n = dns_query_build(q, sizeof q, 9, false, "web.galaxy.test", DNS_T_A);
    q[5] = 2; /* two questions, one present */
    size_t len = dns_db_respond(&db, q, (size_t)n, 512, out, sizeof out, &v);
    CHECK_EQ(len, DNS_HDR_LEN);
    CHECK_EQ(out[3] & 15, DNS_R_FORMERR);
    q[5] = 1;
    q[2] |= 0x08; /* opcode 1: inverse query */
    len = dns_db_respond(&db, q, (size_t)n, 512, out, sizeof out, &v);
    CHECK_EQ(out[3] & 15, DNS_R_NOTIMP);
    CHECK_EQ((out[2] >> 3) & 15, 1);
    q[2] = 0x80; /* a response: never answered */
    CHECK_EQ(dns_db_respond(&db, q, (size_t)n, 512, out, sizeof out, &v), 0);
    CHECK_EQ(dns_db_respond(&db, q, 11, 512, out, sizeof out, &v), 0);
    dns_db_free(&db);

    /* 40 addresses do not fit in 512 bytes: TC over UDP, all over TCP */
    memset(&db, 0, sizeof db);
    for (int i = 0; i < 40; i++) {
        char ip[16];
        snprintf(ip, sizeof ip, "10.0.0.%d", i + 1);
        add(&db, "big.galaxy.test", "A", ip);
    }
    dns_db_finish(&db);
    ask(&db, "big.galaxy.test", DNS_T_A, DNS_UDP_MAX, a);
    CHECK(a->h.flags & DNS_F_TC);
    CHECK_EQ(a->h.an, 0);
    CHECK_EQ(a->h.qd, 1);
    CHECK(a->len <= DNS_UDP_MAX);
    CHECK(a->v.tc);
    CHECK(a->v.full_len > DNS_UDP_MAX);
    ask(&db, "big.galaxy.test", DNS_T_A, DNS_TCP_MAX, a);
    CHECK(!(a->h.flags & DNS_F_TC));
    CHECK_EQ(a->h.an, 40);
    CHECK_EQ(a->len, 12 + 21 + 40 * 16);
    dns_db_free(&db);
    free(a);
}

/* ---- the resolver on a network ----
 * pc 10.0.0.1, silent 10.0.0.53 (swallows DNS), ns 10.0.0.54 (the zone),
 * mute 10.0.0.60 (no DNS: port unreachable), all on one switch. */
static const char *net_json =
    "{\"netstep\": 1, \"nodes\": [\n"
    " {\"name\": \"pc\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.1/24\"}], \"dns\": [\"10.0.0.53\", \"10.0.0.54\"]},\n"
    " {\"name\": \"silent\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.53/24\"}]},\n"
    " {\"name\": \"ns\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.54/24\"}], \"services\": {\"dns\": {\"records\": [\n"
    "   {\"name\": \"web.galaxy.test\", \"type\": \"A\", \"value\": \"10.61.0.20\"},\n"
    "   {\"name\": \"www.galaxy.test\", \"type\": \"CNAME\", \"value\": \"web.galaxy.test\"}]}}},\n"
    " {\"name\": \"mute\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.60/24\"}]},\n"
    " {\"name\": \"sw\", \"type\": \"switch\", \"ports\": 4}],\n"
    " \"links\": [{\"a\": \"pc:eth0\", \"b\": \"sw:1\"}, {\"a\": \"silent:eth0\", \"b\": "
    "\"sw:2\"},\n"
    "   {\"a\": \"ns:eth0\", \"b\": \"sw:3\"}, {\"a\": \"mute:eth0\", \"b\": \"sw:4\"}]}\n";

struct got {
    int calls;
    enum dns_status status;
    int n_addr;
    uint32_t addr;
    uint32_t server;
    sim_time at;
    char canon[64];
    int timeouts, refused, truncated;
    bool tcp;
};

static void got_fn(void *ctx, const struct dns_result *r)
{
    struct got *g = ctx;
    g->calls++;
    g->status = r->status;
    g->n_addr = r->n_addr;
    g->addr = r->n_addr ? r->addr[0] : 0;
    g->server = r->server;
    g->tcp = r->tcp;
    snprintf(g->canon, sizeof g->canon, "%.63s", r->canon);
}

static void got_progress(void *ctx, enum dns_progress what, uint32_t server)
{
    (void)server;
    struct got *g = ctx;
    if (what == DNS_PR_TIMEOUT) g->timeouts++;
    if (what == DNS_PR_REFUSED) g->refused++;
    if (what == DNS_PR_TRUNCATED) g->truncated++;
}

static void swallow(void *ctx, struct udp_sock *s, const struct udp_meta *m, const uint8_t *d,
                    size_t len)
{
    (void)s;
    (void)m;
    (void)d;
    (void)len;
    (*(int *)ctx)++;
}

static void test_resolver(void)
{
    struct sim *sim = fx_build(net_json, 1);
    CHECK(sim != NULL);
    if (!sim) return;
    struct fx_log log = {0};
    trace_subscribe(sim, TRACE_ALL, fx_log_sink, &log);
    struct netstack *pc = node_stack(sim_find_node(sim, "pc"));
    struct netstack *silent = node_stack(sim_find_node(sim, "silent"));
    int swallowed = 0;
    udp_open(silent, 0, 53, swallow, &swallowed);
    CHECK_EQ(pc->n_dns, 2);
    CHECK(dns_server_db(node_stack(sim_find_node(sim, "ns"))) != NULL);

    /* the first server is silent: 5 s, then the second answers */
    struct got g = {0};
    struct dns_query_opts o = {.progress = got_progress};
    dns_query_start(pc, "www.galaxy.test", DNS_T_A, &o, got_fn, &g);
    CHECK_EQ(g.calls, 0); /* never inside the call */
    sim_run_until(sim, 4 * SIM_S);
    CHECK_EQ(g.calls, 0);
    CHECK_EQ(swallowed, 1);
    sim_run_until(sim, 6 * SIM_S);
    CHECK_EQ(g.calls, 1);
    CHECK_EQ(g.status, DNS_ST_OK);
    CHECK_EQ(g.addr, IP(10, 61, 0, 20));
    CHECK_STR(g.canon, "web.galaxy.test");
    CHECK_EQ(g.server, IP(10, 0, 0, 54));
    CHECK_EQ(g.timeouts, 1);
    CHECK(fx_count(&log, TK_ENCAP, "pc",
                   "DNS query: pc asks 10.0.0.53 for the A record of "
                   "www.galaxy.test") == 1);
    CHECK(fx_count(&log, TK_DELIVER, "ns", "Standard query") == 1);

    /* NXDOMAIN and NODATA */
    pc->dns[0] = IP(10, 0, 0, 54);
    pc->n_dns = 1;
    memset(&g, 0, sizeof g);
    dns_query_start(pc, "nope.galaxy.test", DNS_T_A, NULL, got_fn, &g);
    sim_run_until(sim, 7 * SIM_S);
    CHECK_EQ(g.calls, 1);
    CHECK_EQ(g.status, DNS_ST_NXDOMAIN);
    memset(&g, 0, sizeof g);
    dns_query_start(pc, "web.galaxy.test", DNS_T_MX, NULL, got_fn, &g);
    sim_run_until(sim, 8 * SIM_S);
    CHECK_EQ(g.status, DNS_ST_NODATA);
    /* REFUSED from the server: the resolver moves on and fails; dig takes it */
    memset(&g, 0, sizeof g);
    dns_query_start(pc, "example.com", DNS_T_A, NULL, got_fn, &g);
    sim_run_until(sim, 9 * SIM_S);
    CHECK_EQ(g.status, DNS_ST_SERVFAIL);
    memset(&g, 0, sizeof g);
    struct dns_query_opts any = {.any_rcode = true};
    dns_query_start(pc, "example.com", DNS_T_A, &any, got_fn, &g);
    sim_run_until(sim, 10 * SIM_S);
    CHECK_EQ(g.status, DNS_ST_SERVFAIL);

    /* only the silent server: two tries of 5 s each, then TIMEOUT */
    pc->dns[0] = IP(10, 0, 0, 53);
    memset(&g, 0, sizeof g);
    swallowed = 0;
    sim_time t0 = sim_now(sim);
    dns_query_start(pc, "web.galaxy.test", DNS_T_A, &o, got_fn, &g);
    sim_run_until(sim, t0 + 9 * SIM_S);
    CHECK_EQ(g.calls, 0);
    sim_run_until(sim, t0 + 11 * SIM_S);
    CHECK_EQ(g.calls, 1);
    CHECK_EQ(g.status, DNS_ST_TIMEOUT);
    CHECK_EQ(swallowed, 2);
    CHECK_EQ(g.timeouts, 2);
    /* dig's three tries */
    memset(&g, 0, sizeof g);
    swallowed = 0;
    struct dns_query_opts three = {.tries = 3, .timeout = SIM_S, .progress = got_progress};
    dns_query_start(pc, "web.galaxy.test", DNS_T_A, &three, got_fn, &g);
    sim_run_until(sim, sim_now(sim) + 4 * SIM_S);
    CHECK_EQ(swallowed, 3);
    CHECK_EQ(g.status, DNS_ST_TIMEOUT);

    /* nothing on port 53: ICMP port unreachable, no waiting */
    memset(&g, 0, sizeof g);
    t0 = sim_now(sim);
    struct dns_query_opts mute = {.server = IP(10, 0, 0, 60), .progress = got_progress};
    dns_query_start(pc, "web.galaxy.test", DNS_T_A, &mute, got_fn, &g);
    sim_run_until(sim, t0 + SIM_S);
    CHECK_EQ(g.calls, 1);
    CHECK_EQ(g.status, DNS_ST_REFUSED);
    CHECK_EQ(g.refused, 2);

    /* no server configured, a bad name */
    pc->n_dns = 0;
    memset(&g, 0, sizeof g);
    dns_query_start(pc, "web.galaxy.test", DNS_T_A, NULL, got_fn, &g);
    CHECK_EQ(g.calls, 0);
    sim_run_until(sim, sim_now(sim) + SIM_MS);
    CHECK_EQ(g.status, DNS_ST_NO_SERVER);
    pc->n_dns = 1;
    memset(&g, 0, sizeof g);
    dns_query_start(pc, "a..b", DNS_T_A, NULL, got_fn, &g);
    sim_run_until(sim, sim_now(sim) + SIM_MS);
    CHECK_EQ(g.status, DNS_ST_BAD_NAME);

    /* cancelled: the callback never runs */
    memset(&g, 0, sizeof g);
    struct dns_query *q = dns_query_start(pc, "web.galaxy.test", DNS_T_A, NULL, got_fn, &g);
    sim_run_until(sim, sim_now(sim) + SIM_S);
    dns_query_cancel(q);
    sim_run_until(sim, sim_now(sim) + 20 * SIM_S);
    CHECK_EQ(g.calls, 0);
    /* pending at the end: freed with the sim */
    dns_query_start(pc, "web.galaxy.test", DNS_T_A, NULL, got_fn, &g);
    sim_free(sim);
    fx_log_free(&log);
}

/* 30 addresses make a 517-byte answer: TC over UDP, then the same query
 * over TCP gets all of them. */
static void test_tc_fallback(void)
{
    char json[8192];
    int o = snprintf(json, sizeof json,
                     "{\"netstep\": 1, \"nodes\": [\n"
                     " {\"name\": \"pc\", \"type\": \"host\", \"interfaces\": [{\"name\": "
                     "\"eth0\", \"ip\": \"10.0.0.1/24\"}], \"dns\": [\"10.0.0.54\"]},\n"
                     " {\"name\": \"ns\", \"type\": \"server\", \"interfaces\": [{\"name\": "
                     "\"eth0\", \"ip\": \"10.0.0.54/24\"}], \"services\": {\"dns\": "
                     "{\"records\": [");
    for (int i = 1; i <= 30; i++)
        o += snprintf(json + o, sizeof json - (size_t)o,
                      "%s{\"name\": \"mirrors.galaxy.test\", \"type\": \"A\", \"value\": "
                      "\"10.61.1.%d\"}",
                      i > 1 ? ", " : "", i);
    snprintf(json + o, sizeof json - (size_t)o,
             "]}}}],\n \"links\": [{\"a\": \"pc:eth0\", \"b\": \"ns:eth0\"}]}\n");
    struct sim *sim = fx_build(json, 1);
    CHECK(sim != NULL);
    if (!sim) return;
    struct fx_log log = {0};
    trace_subscribe(sim, TRACE_ALL, fx_log_sink, &log);
    struct netstack *pc = node_stack(sim_find_node(sim, "pc"));
    struct got g = {0};
    struct dns_query_opts o2 = {.progress = got_progress};
    dns_query_start(pc, "mirrors.galaxy.test", DNS_T_A, &o2, got_fn, &g);
    sim_run_until(sim, SIM_S);
    CHECK_EQ(g.calls, 1);
    CHECK_EQ(g.status, DNS_ST_OK);
    CHECK(g.tcp);
    CHECK_EQ(g.n_addr, DNS_RESULT_ADDRS); /* the result keeps the first 16 */
    CHECK_EQ(g.addr, IP(10, 61, 1, 1));
    CHECK_EQ(g.truncated, 1);
    CHECK_EQ(fx_count(&log, TK_DELIVER, "ns", "(over TCP)"), 1);
    CHECK_EQ(fx_count(&log, TK_ENCAP, "pc", "DNS query over TCP"), 1);
    /* dig +tcp asks over TCP from the start: one query, no UDP */
    memset(&g, 0, sizeof g);
    struct dns_query_opts t = {.tcp = true};
    size_t udp_before = fx_count(&log, TK_DELIVER, "ns", "Standard query 0x");
    dns_query_start(pc, "mirrors.galaxy.test", DNS_T_A, &t, got_fn, &g);
    sim_run_until(sim, 2 * SIM_S);
    CHECK_EQ(g.status, DNS_ST_OK);
    CHECK(g.tcp);
    CHECK_EQ(fx_count(&log, TK_DELIVER, "ns", "(over TCP)"), 2);
    CHECK_EQ(fx_count(&log, TK_DELIVER, "ns", "Standard query 0x"), udp_before + 1);
    /* a query over TCP to a host without the server: refused, next try */
    memset(&g, 0, sizeof g);
    struct dns_query_opts t2 = {
        .tcp = true, .server = IP(10, 0, 0, 1), .tries = 1, .progress = got_progress};
    dns_query_start(pc, "mirrors.galaxy.test", DNS_T_A, &t2, got_fn, &g);
    sim_run_until(sim, 3 * SIM_S);
    CHECK_EQ(g.calls, 1);
    CHECK_EQ(g.status, DNS_ST_REFUSED);
    CHECK_EQ(g.refused, 1);
    sim_free(sim);
    fx_log_free(&log);
}

/* The services model the loader fills (scenarios/model.h). */
static void test_model(void)
{
    struct model_error err = {{0}};
    struct model *m = model_load_json_text("t.json", net_json, strlen(net_json), &err);
    CHECK(m != NULL);
    if (!m) return;
    const struct model_node *ns = model_find_node(m, "ns"), *pc = model_find_node(m, "pc");
    CHECK(pc->services == NULL);
    CHECK(ns->services && ns->services->has_dns && !ns->services->has_echo);
    CHECK_EQ(ns->services->dns.n_records, 2);
    CHECK_STR(ns->services->dns.records[1].type, "CNAME");
    CHECK_STR(ns->services->dns.records[1].value, "web.galaxy.test");
    CHECK_EQ(ns->services->dns.records[0].ttl, DNS_TTL_DEFAULT);
    CHECK_EQ(pc->n_dns, 2);
    model_free(m);
    static const char *echo = "{\"netstep\": 1, \"nodes\": [{\"name\": \"e\", \"type\": "
                              "\"server\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
                              "\"10.0.0.7/24\"}], \"services\": {\"echo\": {}}}]}";
    m = model_load_json_text("t.json", echo, strlen(echo), &err);
    CHECK(m && m->nodes[0].services && m->nodes[0].services->has_echo);
    CHECK(m && !m->nodes[0].services->has_dns);
    model_free(m);
}

int main(void)
{
    test_model();
    test_records_parse();
    test_zones();
    test_answers();
    test_resolver();
    test_tc_fallback();
    return check_done();
}
