/* fuzz_http.c - libFuzzer target for HTTP and WHOIS: the input as a request
 * stream read as a connection hands it over (lines, raw body runs), every
 * answer the server writes parsed back by the client's response parser
 * (it must be valid HTTP); the input as a chunked body decoded whole, byte
 * by byte and in two halves (same data, same outcome); the input as a
 * response, whole and byte by byte (same head, body and end); the request
 * line, status line and field parsers on its first line; the dissector on
 * port 80 and 43 both ways (tree and summary agree, every field inside the
 * frame); the WHOIS answer for it as a query; and a live server on a node
 * receiving it over TCP. */
#include "fuzz.h"
#include "fuzz_dissect.h"
#include "../unit/fixture.h"
#include "protocols/dissect.h"
#include "protocols/http.h"
#include "protocols/tcp.h"
#include "protocols/tcp_wire.h"
#include "protocols/whois.h"

static void site_fill(struct http_site *s)
{
    memset(s, 0, sizeof *s);
    http_site_add(s, "/index.html", "<h1>hi</h1>", 11, NULL, false);
    http_site_add(s, "/docs/a.txt", "A", 1, NULL, false);
    http_site_add(s, "/c.txt", "0123456789", 10, "text/plain", true);
    http_site_add_sized(s, "/big.bin", 9000, NULL, false);
    http_site_finish(s);
}

/* ---- the server's reader and writer, answers parsed back ---- */

struct out {
    uint8_t *buf;
    size_t len, cap;
};

static void out_put(void *ctx, const uint8_t *d, size_t n)
{
    struct out *o = ctx;
    if (o->len + n > o->cap) {
        o->cap = (o->len + n) * 2 + 256;
        o->buf = realloc(o->buf, o->cap);
        FUZZ_ASSERT(o->buf);
    }
    memcpy(o->buf + o->len, d, n);
    o->len += n;
}

struct parsed {
    int heads, dones;
    uint64_t body;
};

static void p_head(void *ctx, const struct http_resp_head *h)
{
    (void)h;
    ((struct parsed *)ctx)->heads++;
}
static void p_body(void *ctx, const uint8_t *d, size_t n)
{
    (void)d;
    ((struct parsed *)ctx)->body += n;
}
static void p_done(void *ctx)
{
    ((struct parsed *)ctx)->dones++;
}
static const struct http_resp_cb p_cb = {p_head, p_body, p_done};

static void check_reply(const struct http_site *site, const struct http_req *r)
{
    struct http_verdict *v = malloc(sizeof *v);
    FUZZ_ASSERT(v);
    http_decide(site, r, v);
    FUZZ_ASSERT(v->status >= 200 && v->status <= 505);
    FUZZ_ASSERT(strcmp(http_reason(v->status), "Unknown") != 0);
    FUZZ_ASSERT(strlen(v->why) > 0 && strlen(v->why) < sizeof v->why);
    struct out o = {0};
    http_reply_write(site, v, HTTP_EPOCH, out_put, &o);
    if (!v->http09) {
        struct http_resp_parser *p = malloc(sizeof *p);
        FUZZ_ASSERT(p);
        struct parsed pr = {0};
        http_resp_init(p, v->head ? "HEAD" : "GET");
        size_t used;
        FUZZ_ASSERT(http_resp_feed(p, o.buf, o.len, &used, &p_cb, &pr) == HTTP_OK);
        FUZZ_ASSERT(used == o.len && pr.dones == 1 && p->status.code == v->status);
        if (v->file && !v->head) FUZZ_ASSERT(pr.body == v->file->len);
        free(p);
    }
    free(o.buf);
    free(v);
}

static void fuzz_requests(const struct http_site *site, const uint8_t *data, size_t size)
{
    struct http_req *r = malloc(sizeof *r);
    char *line = malloc(8193);
    FUZZ_ASSERT(r && line);
    http_req_init(r);
    size_t ll = 0;
    uint64_t raw = 0;
    bool closed = false, overlong = false;
    for (size_t i = 0; i < size && !closed;) {
        enum http_next nx;
        if (raw) {
            size_t k = size - i < raw ? size - i : (size_t)raw;
            raw -= k;
            i += k;
            nx = http_req_bytes(r, k);
        } else if (data[i] == '\n') {
            size_t n = ll;
            if (n && line[n - 1] == '\r') n--;
            line[n] = 0;
            ll = 0;
            i++;
            nx = http_req_line(r, line, n, overlong);
            overlong = false;
        } else {
            if (ll < 8192)
                line[ll++] = (char)data[i];
            else
                overlong = true;
            i++;
            continue;
        }
        if (nx == HTTP_NEXT_BYTES) {
            FUZZ_ASSERT(r->want > 0 && r->want <= HTTP_BODY_MAX);
            raw = r->want;
        }
        if (nx == HTTP_NEXT_REPLY) {
            check_reply(site, r);
            struct http_verdict *v = malloc(sizeof *v);
            FUZZ_ASSERT(v);
            http_decide(site, r, v);
            closed = !v->keep_alive;
            free(v);
            http_req_init(r);
        }
    }
    free(line);
    free(r);
}

/* ---- chunked ---- */

struct dec {
    struct out o;
    int rc;
    size_t used;
    bool done;
};

static void decode(const uint8_t *data, size_t size, size_t step, struct dec *d)
{
    struct http_chunked ch;
    http_chunked_init(&ch);
    memset(d, 0, sizeof *d);
    size_t at = 0;
    while (at < size) {
        size_t k = step && step < size - at ? step : size - at;
        size_t used;
        d->rc = http_chunked_feed(&ch, data + at, k, &used, out_put, &d->o);
        FUZZ_ASSERT(used <= k);
        at += used;
        if (d->rc || used < k) break;
    }
    d->used = at;
    d->done = http_chunked_done(&ch);
    FUZZ_ASSERT(!d->done || ch.total == d->o.len);
}

static void fuzz_chunked(const uint8_t *data, size_t size)
{
    struct dec a, b, c;
    decode(data, size, 0, &a);
    decode(data, size, 1, &b);
    decode(data, size, size / 2 + 1, &c);
    FUZZ_ASSERT((a.rc == HTTP_OK) == (b.rc == HTTP_OK) && (a.rc == HTTP_OK) == (c.rc == HTTP_OK));
    FUZZ_ASSERT(a.done == b.done && a.done == c.done);
    if (a.rc == HTTP_OK) {
        FUZZ_ASSERT(a.used == b.used && a.used == c.used);
        FUZZ_ASSERT(a.o.len == b.o.len && a.o.len == c.o.len);
        FUZZ_ASSERT(!a.o.len || (memcmp(a.o.buf, b.o.buf, a.o.len) == 0 &&
                                 memcmp(a.o.buf, c.o.buf, a.o.len) == 0));
    }
    /* what the encoder makes decodes back */
    if (a.done && a.o.len) {
        size_t need = http_chunked_encode(a.o.buf, a.o.len, 7, NULL, 0);
        uint8_t *enc = malloc(need);
        FUZZ_ASSERT(enc);
        http_chunked_encode(a.o.buf, a.o.len, 7, enc, need);
        struct dec e;
        decode(enc, need, 0, &e);
        FUZZ_ASSERT(e.rc == HTTP_OK && e.done && e.used == need && e.o.len == a.o.len);
        FUZZ_ASSERT(memcmp(e.o.buf, a.o.buf, a.o.len) == 0);
        free(e.o.buf);
        free(enc);
    }
    free(a.o.buf);
    free(b.o.buf);
    free(c.o.buf);
}

/* ---- responses ---- */

static void resp_run(const uint8_t *data, size_t size, size_t step, struct parsed *pr, int *rc,
                     size_t *used_total)
{
    struct http_resp_parser *p = malloc(sizeof *p);
    FUZZ_ASSERT(p);
    memset(pr, 0, sizeof *pr);
    http_resp_init(p, "GET");
    size_t at = 0;
    *rc = HTTP_OK;
    while (at < size) {
        size_t k = step && step < size - at ? step : size - at, used;
        *rc = http_resp_feed(p, data + at, k, &used, &p_cb, pr);
        FUZZ_ASSERT(used <= k);
        at += used;
        if (*rc || used < k || pr->dones) break;
    }
    if (!*rc && !pr->dones) *rc = http_resp_eof(p, &p_cb, pr);
    *used_total = at;
    free(p);
}

static void fuzz_response(const uint8_t *data, size_t size)
{
    struct parsed a, b;
    int ra, rb;
    size_t ua, ub;
    resp_run(data, size, 0, &a, &ra, &ua);
    resp_run(data, size, 1, &b, &rb, &ub);
    FUZZ_ASSERT(ra == rb && a.heads == b.heads && a.dones == b.dones && a.body == b.body);
    if (ra == HTTP_OK && a.dones) FUZZ_ASSERT(ua == ub);
}

/* ---- line parsers on the first line ---- */

static void fuzz_lines(const uint8_t *data, size_t size)
{
    size_t n = 0;
    while (n < size && n < HTTP_LINE_MAX && data[n] != '\n')
        n++;
    char *line = malloc(n + 1);
    FUZZ_ASSERT(line);
    struct http_reqline rl;
    memcpy(line, data, n);
    line[n] = 0;
    if (http_reqline_parse(line, n, &rl) == HTTP_OK) {
        FUZZ_ASSERT(rl.method && rl.target && strlen(rl.method) <= HTTP_METHOD_MAX);
        FUZZ_ASSERT(rl.http09 || rl.major == 1);
    }
    struct http_statusline sl;
    memcpy(line, data, n);
    line[n] = 0;
    if (http_statusline_parse(line, n, &sl) == HTTP_OK)
        FUZZ_ASSERT(sl.code >= 100 && sl.code <= 999 && sl.reason);
    struct http_field f;
    memcpy(line, data, n);
    line[n] = 0;
    if (http_field_parse(line, n, &f) == HTTP_OK) {
        FUZZ_ASSERT(f.name[0] && strlen(f.name) + strlen(f.value) < n + 1);
        uint64_t v;
        http_content_length_parse(f.value, &v);
        http_chunk_size_parse(f.value, strlen(f.value), &v);
    }
    free(line);
}

/* ---- a live server ---- */

static const char *live_scenario =
    "{\"netstep\": 1, \"nodes\": [\n"
    " {\"name\": \"pc\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.10/24\"}]},\n"
    " {\"name\": \"web\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.80/24\"}],\n"
    "  \"services\": {\"http\": {\"files\": {\"/index.html\": \"hi\", \"/d/x\": \"x\"}},\n"
    "                \"whois\": {\"records\": {\"galaxy.test\": \"Domain Name: X\"}}}}],\n"
    " \"links\": [{\"a\": \"pc:eth0\", \"b\": \"web:eth0\"}]}\n";

static void fuzz_live(const uint8_t *data, size_t size)
{
    if (size > 4096) return;
    struct sim *sim = fx_build(live_scenario, 1);
    FUZZ_ASSERT(sim);
    struct netstack *pc = node_stack(sim_find_node(sim, "pc"));
    static const struct tcp_callbacks none = {0};
    struct tcp_conn *a = tcp_connect(pc, IP(10, 0, 0, 80), 80, &none, NULL);
    struct tcp_conn *b = tcp_connect(pc, IP(10, 0, 0, 80), 43, &none, NULL);
    FUZZ_ASSERT(a && b);
    tcp_send(a, data, size);
    tcp_send(b, data, size);
    sim_run_until(sim, SIM_S);
    tcp_close(a);
    sim_run_until(sim, 2 * SIM_S);
    sim_free(sim);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_site site;
    site_fill(&site);
    fuzz_requests(&site, data, size);
    http_site_free(&site);
    fuzz_chunked(data, size);
    fuzz_response(data, size);
    fuzz_lines(data, size);
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 80), 40000, 80);
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 80), 80, 40000);
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 80), 40000, 43);
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 80), 43, 40000);
    struct whois_db db = {0};
    whois_db_add(&db, "galaxy.test", "Domain Name: GALAXY.TEST");
    size_t n;
    bool found;
    char *ans = whois_answer(&db, (const char *)data, size, WHOIS_EPOCH, &n, &found);
    FUZZ_ASSERT(n == strlen(ans) && n > 0);
    free(ans);
    whois_db_free(&db);
    fuzz_live(data, size);
    return 0;
}
