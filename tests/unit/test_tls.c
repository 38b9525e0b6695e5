/* test_tls.c - the TLS stand-in's session (protocols/tls.h), two sides
 * wired back to back without a network: the handshake completes and data
 * goes both ways (one record and many); the client's verdicts on a good
 * chain, a self-signed certificate, a wrong name, an unknown CA and an
 * expired certificate, each refused with the alert OpenSSL sends, and
 * accepted with verification off (curl -k); a changed byte fails the tag;
 * the key log holds what decrypts each record; and over TCP in a sim, the
 * key log decrypts a captured segment that carries no plaintext. */
#include "check.h"
#include "fixture.h"
#include "protocols/tls.h"
#include "scenarios/shell.h"

#include <stdlib.h>

#define SEED 42

/* ---- one side ---- */

struct side {
    struct tls_session *s;
    uint8_t *wire; /* what it sent, not yet delivered */
    size_t wlen, wcap;
    uint8_t *got; /* application data received */
    size_t glen, gcap;
    int ready, failed, close_notify;
    struct tls_error err;
    int ev_hs_out, ev_hs_in, ev_records_out;
};

static void append(uint8_t **b, size_t *len, size_t *cap, const uint8_t *p, size_t n)
{
    if (*len + n > *cap) {
        *cap = (*len + n) * 2;
        *b = realloc(*b, *cap);
    }
    memcpy(*b + *len, p, n);
    *len += n;
}

static void sd_send(void *ctx, const uint8_t *d, size_t n)
{
    struct side *s = ctx;
    append(&s->wire, &s->wlen, &s->wcap, d, n);
}
static void sd_ready(void *ctx)
{
    ((struct side *)ctx)->ready++;
}
static void sd_data(void *ctx, const uint8_t *d, size_t n)
{
    struct side *s = ctx;
    append(&s->got, &s->glen, &s->gcap, d, n);
}
static void sd_close(void *ctx)
{
    ((struct side *)ctx)->close_notify++;
}
static void sd_failed(void *ctx, const struct tls_error *e)
{
    struct side *s = ctx;
    s->failed++;
    s->err = *e;
}
static void sd_event(void *ctx, const struct tls_event *ev)
{
    struct side *s = ctx;
    if (ev->kind == TLS_EV_HANDSHAKE && ev->out) s->ev_hs_out++;
    if (ev->kind == TLS_EV_HANDSHAKE && !ev->out) s->ev_hs_in++;
    if (ev->kind == TLS_EV_RECORD && ev->out) s->ev_records_out++;
}

static const struct tls_session_io sd_io = {sd_send,  sd_ready,  sd_data,
                                            sd_close, sd_failed, sd_event};

/* Delivers what each side sent to the other until both are quiet, in
 * pieces of `chunk` bytes (record boundaries do not matter). */
static void pump(struct side *c, struct side *s, size_t chunk)
{
    for (int round = 0; round < 100 && (c->wlen || s->wlen); round++) {
        struct side *from[2] = {c, s}, *to[2] = {s, c};
        for (int k = 0; k < 2; k++) {
            uint8_t *w = from[k]->wire;
            size_t n = from[k]->wlen;
            from[k]->wire = NULL;
            from[k]->wlen = from[k]->wcap = 0;
            for (size_t at = 0; at < n; at += chunk)
                tls_session_input(to[k]->s, w + at, n - at < chunk ? n - at : chunk);
            free(w);
        }
    }
}

static void side_free(struct side *x)
{
    tls_session_free(x->s);
    free(x->wire);
    free(x->got);
}

/* ---- identities ---- */

static struct tls_identity ca, other_ca, web, self, old;

static void make_ids(void)
{
    CHECK(tls_ca_make(&ca, SEED, "Harbor Root CA", 3650));
    CHECK(tls_ca_make(&other_ca, SEED, "Elsewhere CA", 3650));
    const char *names[] = {"www.harbor.test"};
    CHECK(tls_identity_make(&web, SEED, "web", names, 1, &ca, 397));
    CHECK(tls_identity_make(&self, SEED, "lab", NULL, 0, NULL, 397));
    CHECK(tls_identity_make(&old, SEED, "old", NULL, 0, &ca, 1)); /* ended 29 days before time 0 */
    struct tls_identity bad;
    CHECK(!tls_ca_make(&bad, SEED, "bad,name", 10));
}

struct pair {
    struct side c, s;
    struct tls_client_conf ccf;
    struct tls_server_conf scf;
    struct rng rc, rs;
};

/* A client asking for `host`, trusting `trust` (NULL: nothing), talking to
 * a server with identity id. */
static void pair_start(struct pair *p, const char *host, const struct tls_identity *id,
                       const struct tls_identity *trust, bool verify)
{
    memset(p, 0, sizeof *p);
    rng_seed(&p->rc, 1);
    rng_seed(&p->rs, 2);
    p->ccf = (struct tls_client_conf){
        host, "http/1.1", verify, trust ? &trust->cert : NULL, trust ? 1 : 0, TLS_EPOCH};
    p->scf = (struct tls_server_conf){id, "http/1.1"};
    p->c.s = tls_session_client(&p->ccf, &p->rc, &sd_io, &p->c);
    p->s.s = tls_session_server(&p->scf, &p->rs, &sd_io, &p->s);
    tls_session_start(p->c.s);
    pump(&p->c, &p->s, 7);
}

static void pair_free(struct pair *p)
{
    side_free(&p->c);
    side_free(&p->s);
}

static void test_good_chain(void)
{
    struct pair p;
    pair_start(&p, "www.harbor.test", &web, &ca, true);
    CHECK_EQ(p.c.ready, 1);
    CHECK_EQ(p.s.ready, 1);
    CHECK_EQ(p.c.failed + p.s.failed, 0);
    CHECK_EQ(tls_session_verify_result(p.c.s), TLS_V_OK);
    CHECK_STR(tls_session_matched_name(p.c.s), "www.harbor.test");
    CHECK_STR(tls_session_alpn(p.c.s), "http/1.1");
    CHECK_STR(tls_session_sni(p.s.s), "www.harbor.test");
    CHECK_STR(tls_session_peer_cert(p.c.s)->issuer, "Harbor Root CA");
    /* client: ClientHello, Finished; server: SH, EE, Certificate, CV, Finished */
    CHECK_EQ(p.c.ev_hs_out, 2);
    CHECK_EQ(p.s.ev_hs_out, 5);
    CHECK_EQ(p.c.ev_hs_in, 5);
    CHECK_EQ(p.s.ev_hs_in, 2);
    /* SH, CCS, EE, Cert, CV, Fin: six records */
    CHECK_EQ(p.s.ev_records_out, 6);

    /* data both ways: one record, then 40000 bytes (three records) */
    size_t before = (size_t)p.s.ev_records_out;
    tls_session_write(p.c.s, "GET / HTTP/1.1\r\n", 16);
    uint8_t *big = malloc(40000);
    for (size_t i = 0; i < 40000; i++)
        big[i] = (uint8_t)(i * 7);
    tls_session_write(p.s.s, big, 40000);
    pump(&p.c, &p.s, 1000);
    CHECK_EQ(p.s.ev_records_out - before, 3);
    CHECK_EQ(p.s.glen, 16);
    CHECK(p.s.glen == 16 && memcmp(p.s.got, "GET / HTTP/1.1\r\n", 16) == 0);
    CHECK_EQ(p.c.glen, 40000);
    CHECK(p.c.glen == 40000 && memcmp(p.c.got, big, 40000) == 0);
    free(big);

    tls_session_close(p.c.s);
    pump(&p.c, &p.s, 1000);
    CHECK_EQ(p.s.close_notify, 1);
    pair_free(&p);
}

static void test_data_before_ready(void)
{
    /* the server's greeting, written before the handshake, leaves after
     * its Finished (0.5-RTT data) */
    struct pair p;
    memset(&p, 0, sizeof p);
    rng_seed(&p.rc, 1);
    rng_seed(&p.rs, 2);
    p.ccf = (struct tls_client_conf){"web", NULL, true, &ca.cert, 1, TLS_EPOCH};
    p.scf = (struct tls_server_conf){&web, NULL};
    p.c.s = tls_session_client(&p.ccf, &p.rc, &sd_io, &p.c);
    p.s.s = tls_session_server(&p.scf, &p.rs, &sd_io, &p.s);
    tls_session_write(p.s.s, "220 mail ESMTP\r\n", 16);
    CHECK_EQ(tls_session_pending(p.s.s), 16);
    CHECK_EQ(p.s.wlen, 0);
    tls_session_start(p.c.s);
    pump(&p.c, &p.s, 100);
    CHECK_EQ(p.c.ready, 1);
    CHECK_STR(tls_session_alpn(p.c.s), "");
    CHECK(p.c.glen == 16 && memcmp(p.c.got, "220 mail ESMTP\r\n", 16) == 0);
    pair_free(&p);
}

static void check_refused(const char *host, const struct tls_identity *id,
                          const struct tls_identity *trust, int verify, uint8_t alert)
{
    struct pair p;
    pair_start(&p, host, id, trust, true);
    CHECK_EQ(p.c.ready, 0);
    CHECK_EQ(p.c.failed, 1);
    CHECK_EQ(p.c.err.verify, verify);
    CHECK_EQ(p.c.err.alert, alert);
    CHECK(p.c.err.sent);
    CHECK(p.c.err.why[0]);
    /* the server hears the alert */
    CHECK_EQ(p.s.failed, 1);
    CHECK_EQ(p.s.err.alert, alert);
    CHECK(!p.s.err.sent);
    CHECK_EQ(p.s.ready, 0);
    pair_free(&p);

    /* curl -k: the same certificate goes through, the verdict is kept */
    pair_start(&p, host, id, trust, false);
    CHECK_EQ(p.c.ready, 1);
    CHECK_EQ(p.s.ready, 1);
    if (verify != TLS_V_HOSTNAME) CHECK_EQ(tls_session_verify_result(p.c.s), verify);
    pair_free(&p);
}

static void test_refusals(void)
{
    check_refused("lab", &self, &ca, TLS_V_SELF_SIGNED, TLS_AD_UNKNOWN_CA);
    check_refused("lab", &self, NULL, TLS_V_SELF_SIGNED, TLS_AD_UNKNOWN_CA);
    check_refused("mail.harbor.test", &web, &ca, TLS_V_HOSTNAME, TLS_AD_BAD_CERTIFICATE);
    check_refused("10.0.0.2", &web, &ca, TLS_V_HOSTNAME, TLS_AD_BAD_CERTIFICATE);
    check_refused("web", &web, &other_ca, TLS_V_NO_LOCAL_ISSUER, TLS_AD_UNKNOWN_CA);
    check_refused("old", &old, &ca, TLS_V_EXPIRED, TLS_AD_CERTIFICATE_EXPIRED);

    /* a self-signed certificate the client trusts as such is fine */
    struct pair p;
    pair_start(&p, "lab", &self, &self, true);
    CHECK_EQ(p.c.ready, 1);
    pair_free(&p);

    /* no SNI for an address, as RFC 6066 asks; the server sees none */
    pair_start(&p, "10.0.0.2", &web, &ca, false);
    CHECK_STR(tls_session_sni(p.s.s), "");
    pair_free(&p);
}

static void test_tamper(void)
{
    struct pair p;
    pair_start(&p, "web", &web, &ca, true);
    tls_session_write(p.s.s, "secret", 6);
    CHECK(p.s.wlen == 5 + 6 + 1 + 16);
    p.s.wire[8] ^= 1;
    pump(&p.c, &p.s, 100);
    CHECK_EQ(p.c.glen, 0);
    CHECK_EQ(p.c.failed, 1);
    CHECK_EQ(p.c.err.alert, TLS_AD_BAD_RECORD_MAC);
    pair_free(&p);

    /* garbage instead of a ClientHello */
    pair_start(&p, "web", &web, &ca, true);
    struct side s = {0};
    struct rng r;
    rng_seed(&r, 3);
    struct tls_server_conf scf = {&web, NULL};
    s.s = tls_session_server(&scf, &r, &sd_io, &s);
    tls_session_input(s.s, (const uint8_t *)"GET / HTTP/1.1\r\n", 16);
    CHECK_EQ(s.failed, 1);
    CHECK_EQ(s.err.alert, TLS_AD_DECODE_ERROR);
    /* the alert went out in the clear: 15 03 01 00 02 02 32 */
    CHECK(s.wlen == 7 && s.wire[0] == TLS_CT_ALERT && s.wire[5] == 2 && s.wire[6] == 50);
    side_free(&s);
    pair_free(&p);
}

static void test_keylog_records(void)
{
    struct pair p;
    memset(&p, 0, sizeof p);
    rng_seed(&p.rc, 1);
    rng_seed(&p.rs, 2);
    p.ccf = (struct tls_client_conf){"web", NULL, true, &ca.cert, 1, TLS_EPOCH};
    p.scf = (struct tls_server_conf){&web, NULL};
    struct tls_keylog_dir lc = {0}, ls = {0};
    p.c.s = tls_session_client(&p.ccf, &p.rc, &sd_io, &p.c);
    p.s.s = tls_session_server(&p.scf, &p.rs, &sd_io, &p.s);
    tls_session_set_log(p.c.s, &lc);
    tls_session_set_log(p.s.s, &ls);
    tls_session_start(p.c.s);
    pump(&p.c, &p.s, 50);
    CHECK(ls.has_hs && ls.has_ap && lc.has_hs && lc.has_ap);
    CHECK(memcmp(lc.client_random, ls.client_random, TLS_RANDOM_LEN) == 0);
    CHECK(ls.server && !lc.server);
    /* the server's flight: SH and CCS in the clear, then four protected */
    CHECK_EQ(ls.n, 6);
    CHECK(ls.recs[0].epoch == 0 && ls.recs[0].type == TLS_CT_HANDSHAKE);
    CHECK(ls.recs[1].type == TLS_CT_CCS);
    CHECK(ls.recs[3].epoch == 1 && ls.recs[3].inner == TLS_CT_HANDSHAKE && ls.recs[3].seq == 1);
    /* a record of application data decrypts with the logged key */
    tls_session_write(p.s.s, "FLAG{toy}", 9);
    const struct tls_log_rec *r = &ls.recs[ls.n - 1];
    CHECK(r->epoch == 2 && r->inner == TLS_CT_APPDATA && r->len == 9 + 1 + 16);
    CHECK_EQ(r->off + 5 + r->len, ls.bytes);
    uint8_t buf[9];
    memcpy(buf, p.s.wire + 5, 9);
    CHECK(memcmp(buf, "FLAG{toy}", 9) != 0);
    toy_xor(&ls.ap_key, r->seq, 0, buf, 9);
    CHECK(memcmp(buf, "FLAG{toy}", 9) == 0);
    pump(&p.c, &p.s, 50);
    free(lc.recs);
    free(ls.recs);
    pair_free(&p);
}

/* ---- over TCP, in a sim ---- */

struct echo_srv {
    struct tls_server_conf cf;
};

static void es_recv(void *ctx, struct tls_conn *tc, const uint8_t *d, size_t n)
{
    (void)ctx;
    tls_conn_send(tc, d, n); /* echo */
}
static void es_peer_closed(void *ctx, struct tls_conn *tc)
{
    (void)ctx;
    tls_conn_close(tc);
}
static const struct tls_conn_callbacks es_cb = {.recv = es_recv, .peer_closed = es_peer_closed};

static void es_accept(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    struct echo_srv *e = ctx;
    tls_conn_server(c, &e->cf, &es_cb, NULL);
}

struct cli {
    struct tls_client_conf cf;
    struct tls_conn *tc;
    uint8_t got[256];
    size_t n;
    int ready, closed;
};

static void cl_ready(void *ctx, struct tls_conn *tc)
{
    struct cli *k = ctx;
    k->ready++;
    tls_conn_send(tc, "FLAG{KEYLOG-SEES-THIS}", 22);
}
static void cl_recv(void *ctx, struct tls_conn *tc, const uint8_t *d, size_t n)
{
    struct cli *k = ctx;
    if (k->n + n <= sizeof k->got) memcpy(k->got + k->n, d, n);
    k->n += n;
    if (k->n >= 22) tls_conn_close(tc);
}
static void cl_closed(void *ctx, struct tls_conn *tc, enum tcp_reason why)
{
    (void)tc;
    (void)why;
    struct cli *k = ctx;
    k->closed++;
    k->tc = NULL;
}
static const struct tls_conn_callbacks cl_cb = {
    .ready = cl_ready, .recv = cl_recv, .closed = cl_closed};

static void cl_connected(void *ctx, struct tcp_conn *c)
{
    struct cli *k = ctx;
    k->tc = tls_conn_client(c, &k->cf, &cl_cb, k);
}
static const struct tcp_callbacks cl_tcp = {.connected = cl_connected};

static bool contains(const uint8_t *h, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(h + i, needle, k) == 0) return true;
    return false;
}

static void test_over_tcp(void)
{
    struct fx_net3 t;
    CHECK(fx_net3_init(&t, 0, 0, -1));
    tls_node_set_identity(t.h2, &web);
    tls_node_trust(t.h1, &ca.cert);
    struct echo_srv e;
    e.cf = *tls_node_server_conf(t.h2, NULL);
    CHECK(tcp_listen(t.h2, 0, 4433, es_accept, &e) != NULL);
    struct cli k;
    memset(&k, 0, sizeof k);
    int n_trusted;
    k.cf = (struct tls_client_conf){"web", NULL,     true, tls_node_trusted(t.h1, &n_trusted),
                                    0,     TLS_EPOCH};
    k.cf.n_trusted = n_trusted;
    CHECK(tcp_connect(t.h1, IP(10, 2, 0, 20), 4433, &cl_tcp, &k) != NULL);
    sim_run_until(t.sim, 2 * SIM_S);
    CHECK_EQ(k.ready, 1);
    CHECK(k.n == 22 && memcmp(k.got, "FLAG{KEYLOG-SEES-THIS}", 22) == 0);
    CHECK_EQ(k.closed, 1);

    /* no frame carries the flag; the key log finds it in some */
    int seen = 0, keyed = 0;
    for (size_t i = 0; i < t.log.n; i++) {
        const struct fx_step *s = &t.log.s[i];
        if (s->kind != TK_TRANSMIT || !s->frame || s->len < 14 + 20 + 20) continue;
        CHECK(!contains(s->frame, s->len, "FLAG{KEYLOG"));
        const uint8_t *ip = s->frame + 14, *tcp = ip + 20;
        size_t hl = (size_t)(tcp[12] >> 4) * 4, tot = get_be16(ip + 2);
        if (tot < 20 + hl || 14 + tot > s->len) continue;
        size_t plen = tot - 20 - hl;
        if (!plen) continue;
        uint8_t seg[1600];
        memcpy(seg, tcp + hl, plen);
        struct tls_piece pc[8];
        int np = tls_keylog_decrypt(t.sim, get_be32(tcp + 4), get_be32(tcp + 8), seg, plen, pc, 8);
        if (np > 0) keyed++;
        if (contains(seg, plen, "FLAG{KEYLOG-SEES-THIS}")) seen++;
    }
    CHECK(keyed >= 4); /* hello, flight, finished, data both ways */
    CHECK_EQ(seen, 4); /* the request and its echo, on both links */
    char text[2048];
    size_t len = tls_keylog_text(t.sim, text, sizeof text);
    CHECK(len < sizeof text && strstr(text, "CLIENT_TRAFFIC_SECRET_0 ") &&
          strstr(text, "SERVER_HANDSHAKE_TRAFFIC_SECRET "));
    fx_net3_free(&t);
}

/* ---- curl https on a small network ---- */

static const char curl_net[] =
    "{\"netstep\": 1, \"seed\": 9, \"nodes\": [\n"
    " {\"name\": \"pc\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.1/24\"}]},\n"
    " {\"name\": \"web\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.80/24\"}],\n"
    "  \"services\": {\"http\": {\"tls\": true, \"files\": {\"/s.html\": "
    "\"FLAG{CURL-TLS}\\n\"}}}},\n"
    " {\"name\": \"lab\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.81/24\"}],\n"
    "  \"services\": {\"http\": {\"tls\": true, \"plain\": false, \"files\": {\"/index.html\": "
    "\"lab\\n\"}}}},\n"
    " {\"name\": \"sw\", \"type\": \"switch\", \"ports\": 4}],\n"
    " \"links\": [{\"a\": \"pc:eth0\", \"b\": \"sw:1\"}, {\"a\": \"web:eth0\", \"b\": \"sw:2\"},\n"
    "   {\"a\": \"lab:eth0\", \"b\": \"sw:3\"}],\n"
    " \"pki\": {\"ca\": {\"name\": \"Test CA\"}, \"signs\": [\"web\"]}}";

static const char *curl_out(struct sim *sim, const char *cmd, int *code)
{
    static char buf[16384];
    struct shell_proc *p = shell_run(sim, sim_find_node(sim, "pc"), cmd, NULL, NULL);
    sim_run_until(sim, sim_now(sim) + 5 * SIM_S);
    if (!p->done) shell_interrupt(p);
    snprintf(buf, sizeof buf, "%s", p->out ? p->out : "");
    *code = p->exit_code;
    shell_proc_free(p);
    return buf;
}

static bool has(const char *out, const char *s)
{
    bool ok = strstr(out, s) != NULL;
    if (!ok) fprintf(stderr, "--- output lacks \"%s\":\n%s---\n", s, out);
    return ok;
}

static void test_curl(void)
{
    struct sim *sim = fx_build(curl_net, 9);
    CHECK(sim != NULL);
    if (!sim) return;
    int code;
    const char *o = curl_out(sim, "curl -v https://web/s.html", &code);
    CHECK_EQ(code, 0);
    CHECK(has(o, "* Connected to web (10.0.0.80) port 443 (#0)\n* ALPN, offering http/1.1\n"));
    CHECK(has(o, "* TLSv1.0 (OUT), TLS header, Certificate Status (22):\n"
                 "* TLSv1.3 (OUT), TLS handshake, Client hello (1):\n"
                 "* TLSv1.2 (IN), TLS header, Certificate Status (22):\n"
                 "* TLSv1.3 (IN), TLS handshake, Server hello (2):\n"
                 "* TLSv1.2 (IN), TLS header, Finished (20):\n"
                 "* TLSv1.2 (IN), TLS header, Supplemental data (23):\n"
                 "* TLSv1.3 (IN), TLS handshake, Encrypted Extensions (8):\n"));
    CHECK(has(o, "* TLSv1.3 (IN), TLS handshake, CERT verify (15):\n"));
    CHECK(has(o, "* TLSv1.2 (OUT), TLS header, Finished (20):\n"
                 "* TLSv1.3 (OUT), TLS change cipher, Change cipher spec (1):\n"
                 "* TLSv1.2 (OUT), TLS header, Supplemental data (23):\n"
                 "* TLSv1.3 (OUT), TLS handshake, Finished (20):\n"
                 "* SSL connection using TLSv1.3 / TLS_AES_128_GCM_SHA256\n"));
    CHECK(has(o, "* ALPN, server accepted to use http/1.1\n* Server certificate:\n"
                 "*  subject: CN=web\n*  start date: Dec  2 00:00:00 2025 GMT\n"));
    CHECK(has(o, "*  subjectAltName: host \"web\" matched cert's \"web\"\n"
                 "*  issuer: CN=Test CA\n*  SSL certificate verify ok.\n> GET /s.html HTTP/1.1\n"));
    CHECK(has(o, "FLAG{CURL-TLS}"));

    o = curl_out(sim, "curl -v https://lab/", &code);
    CHECK_EQ(code, 60);
    CHECK(has(o, "* TLSv1.3 (OUT), TLS alert, unknown CA (560):\n"
                 "* SSL certificate problem: self-signed certificate\n* Closing connection 0\n"
                 "curl: (60) SSL certificate problem: self-signed certificate\n"
                 "More details here: https://curl.se/docs/sslcerts.html\n\n"
                 "curl failed to verify the legitimacy of the server and therefore could not\n"
                 "establish a secure connection to it. To learn more about this situation and\n"
                 "how to fix it, please visit the web page mentioned above.\n"));
    o = curl_out(sim, "curl -vk https://lab/", &code);
    CHECK_EQ(code, 0);
    CHECK(has(o, "*  issuer: CN=lab\n"
                 "*  SSL certificate verify result: self-signed certificate (18), continuing "
                 "anyway.\n"));
    CHECK(has(o, "lab\n"));
    o = curl_out(sim, "curl https://10.0.0.80/s.html", &code);
    CHECK_EQ(code, 60);
    CHECK(has(o, "curl: (60) SSL: no alternative certificate subject name matches target host "
                 "name '10.0.0.80'\n"));
    o = curl_out(sim, "curl -k https://10.0.0.80/s.html", &code);
    CHECK_EQ(code, 0);
    CHECK(has(o, "FLAG{CURL-TLS}"));
    /* two URLs: one TLS connection, reused */
    o = curl_out(sim, "curl -v https://web/s.html https://web/s.html", &code);
    CHECK_EQ(code, 0);
    CHECK(has(o, "Re-using existing connection! (#0) with host web"));
    o = curl_out(sim, "curl -w %{url_effective} https://web:443/s.html", &code);
    CHECK(has(o, "https://web/s.html"));
    o = curl_out(sim, "curl http://lab/", &code);
    CHECK_EQ(code, 7);
    sim_free(sim);
}

/* ---- mail over TLS, typed with openssl s_client ---- */

static const char mail_net[] =
    "{\"netstep\": 1, \"seed\": 5, \"nodes\": [\n"
    " {\"name\": \"pc\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.1/24\"}], \"dns\": [\"10.0.0.53\"]},\n"
    " {\"name\": \"mail\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", "
    "\"ip\": \"10.0.0.25/24\"}],\n"
    "  \"services\": {\"smtp\": {\"domain\": \"harbor.test\", \"accounts\": {\"nadia\": \"pw\"}, "
    "\"tls\": true},\n"
    "   \"pop3\": {\"tls\": true, \"plain\": false}, \"imap\": {\"tls\": true}}},\n"
    " {\"name\": \"ns\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.53/24\"}],\n"
    "  \"services\": {\"dns\": {\"records\": [{\"name\": \"mx.harbor.test\", \"type\": \"A\", "
    "\"value\": \"10.0.0.25\"}]}}},\n"
    " {\"name\": \"sw\", \"type\": \"switch\", \"ports\": 4}],\n"
    " \"links\": [{\"a\": \"pc:eth0\", \"b\": \"sw:1\"}, {\"a\": \"mail:eth0\", \"b\": \"sw:2\"},\n"
    "   {\"a\": \"ns:eth0\", \"b\": \"sw:3\"}]}";

static const char *typed(struct sim *sim, const char *cmd, const char *const *input, int *code)
{
    static char buf[16384];
    struct shell_proc *p = shell_run(sim, sim_find_node(sim, "pc"), cmd, NULL, NULL);
    for (int i = 0; input && input[i]; i++)
        shell_input(p, input[i]);
    sim_run_until(sim, sim_now(sim) + 10 * SIM_S);
    if (!p->done) shell_interrupt(p);
    snprintf(buf, sizeof buf, "%s", p->out ? p->out : "");
    *code = p->exit_code;
    shell_proc_free(p);
    return buf;
}

static void test_mail(void)
{
    struct sim *sim = fx_build(mail_net, 5);
    CHECK(sim != NULL);
    if (!sim) return;
    /* the certificate, self-signed, names the node and its DNS name */
    const struct tls_identity *id = tls_node_identity(node_stack(sim_find_node(sim, "mail")));
    CHECK(id && id->cert.n_san == 2 && !strcmp(id->cert.san[1], "mx.harbor.test"));
    CHECK(id && tls_cert_self_issued(&id->cert));
    int code;
    static const char *const send[] = {"EHLO pc",
                                       "MAIL FROM:<ann@harbor.test>",
                                       "RCPT TO:<nadia@harbor.test>",
                                       "DATA",
                                       "Subject: over TLS",
                                       "",
                                       "FLAG{SMTPS-BY-HAND}",
                                       ".",
                                       "QUIT",
                                       NULL};
    const char *o = typed(sim, "openssl s_client -connect mail:465 -crlf -quiet", send, &code);
    CHECK_EQ(code, 0);
    CHECK(has(o, "CONNECTED(00000003)\ndepth=0 CN = mail\n"
                 "verify error:num=18:self-signed certificate\nverify return:1\n"));
    CHECK(has(o, "220 mail.harbor.test ESMTP Postfix\n"));
    CHECK(has(o, "250 2.0.0 Ok: queued as"));
    CHECK(has(o, "221 2.0.0 Bye\nclosed\n"));

    /* POP3S: without -quiet, a line starting with R is s_client's command */
    static const char *const pop[] = {"USER nadia", "PASS pw", "RETR 1", "retr 1", "quit", NULL};
    o = typed(sim, "openssl s_client -connect mail:995", pop, &code);
    CHECK_EQ(code, 0);
    CHECK(has(o, "Certificate chain\n 0 s:CN = mail\n   i:CN = mail\n"));
    CHECK(has(o, "New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256\n"));
    CHECK(has(o, "Verify return code: 18 (self-signed certificate)\n---\n+OK Dovecot ready.\n"));
    CHECK(has(o, "RENEGOTIATING\n"));
    CHECK(has(o, "FLAG{SMTPS-BY-HAND}"));
    o = typed(sim, "openssl s_client -connect mail:110", NULL, &code);
    CHECK_EQ(code, 1);
    CHECK(has(o, "Connection refused"));

    static const char *const imap[] = {"a LOGIN nadia pw", "b SELECT INBOX", "c FETCH 1 BODY[]",
                                       "d LOGOUT", NULL};
    o = typed(sim, "openssl s_client -connect mx.harbor.test:993 -crlf -quiet", imap, &code);
    CHECK_EQ(code, 0);
    CHECK(has(o, "FLAG{SMTPS-BY-HAND}"));
    /* refusing the self-signed certificate */
    o = typed(sim, "openssl s_client -connect mail:993 -verify_return_error", NULL, &code);
    CHECK_EQ(code, 1);
    CHECK(has(o, "certificate verify failed"));
    o = typed(sim, "openssl s_client -connect mail", NULL, &code);
    CHECK_EQ(code, 1);
    o = typed(sim, "openssl version", NULL, &code);
    CHECK_EQ(code, 1);
    sim_free(sim);
}

int main(void)
{
    make_ids();
    test_good_chain();
    test_data_before_ready();
    test_refusals();
    test_tamper();
    test_keylog_records();
    test_over_tcp();
    test_curl();
    test_mail();
    return check_done();
}
