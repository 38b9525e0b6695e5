/* test_http.c - the HTTP server (protocols/http.h). Its decisions without
 * a simulation: request lines and fields read as a connection would hand
 * them over (lines, then raw body bytes when asked), the verdicts (200,
 * 301, 404, 400, 405, 501, 505, 413, 414, 431, OPTIONS, HTTP/0.9), HEAD,
 * keep-alive with two requests on one connection, Connection: close,
 * HTTP/1.0, a missing Host, chunked request bodies split anywhere, paths
 * decoded and resolved, the listing sent chunked, Date from the clock.
 * Then the server on a node: pipelined requests over TCP, the idle
 * timeout, the trace's why, and the students' lab: telnet to port 80 and
 * curl (-i, -I, -v, -L, -w, several URLs over one connection, errors). */
#include "check.h"
#include "fixture.h"
#include "protocols/dissect.h"
#include "protocols/http.h"
#include "protocols/tcp.h"
#include "scenarios/shell.h"

/* ---- the server's logic, fed by hand ---- */

struct conn {
    struct http_site site;
    struct http_req rq;
    char out[65536];
    size_t out_len;
    int replies;
    bool closed;
    int statuses[8];
    struct http_verdict v; /* the last one */
    char line[8193];       /* what textconn would gather */
    size_t ll;
    uint64_t raw;
};

static void conn_send(void *ctx, const uint8_t *d, size_t n)
{
    struct conn *c = ctx;
    if (c->out_len + n < sizeof c->out) memcpy(c->out + c->out_len, d, n);
    c->out_len += n;
    c->out[c->out_len < sizeof c->out ? c->out_len : sizeof c->out - 1] = 0;
}

static void conn_init(struct conn *c)
{
    memset(c, 0, sizeof *c);
    http_site_add(&c->site, "/index.html", "<h1>hi</h1>", 11, NULL, false);
    http_site_add(&c->site, "/flag.html", "<div>FLAG{T}</div>", 18, NULL, false);
    http_site_add(&c->site, "/docs/a.txt", "A", 1, NULL, false);
    http_site_add(&c->site, "/docs/sub/b.txt", "B", 1, NULL, false);
    http_site_add(&c->site, "/site/index.html", "site", 4, NULL, false);
    http_site_add(&c->site, "/chunky.txt", "0123456789", 10, NULL, true);
    http_site_add_sized(&c->site, "/big.bin", 10000, NULL, false);
    http_site_add(&c->site, "/logo", "PNG", 3, "image/png", false);
    http_site_finish(&c->site);
    http_req_init(&c->rq);
}

/* Feeds raw bytes the way textconn hands them over: lines (CRLF or LF),
 * or raw runs when the reader asks for them. */
static void conn_feed(struct conn *c, const char *data, size_t len)
{
    char *line = c->line;
    for (size_t i = 0; i < len && !c->closed;) {
        enum http_next nx = HTTP_NEXT_WAIT;
        if (c->raw) {
            size_t k = len - i < c->raw ? len - i : (size_t)c->raw;
            c->raw -= k;
            i += k;
            nx = http_req_bytes(&c->rq, k);
        } else if (data[i] == '\n') {
            size_t n = c->ll;
            if (n && line[n - 1] == '\r') n--;
            line[n] = 0;
            c->ll = 0;
            i++;
            nx = http_req_line(&c->rq, line, n, false);
        } else {
            if (c->ll < sizeof c->line - 1) line[c->ll++] = data[i];
            i++;
            continue;
        }
        if (nx == HTTP_NEXT_BYTES) c->raw = c->rq.want;
        if (nx == HTTP_NEXT_REPLY) {
            http_decide(&c->site, &c->rq, &c->v);
            http_reply_write(&c->site, &c->v, HTTP_EPOCH + 5, conn_send, c);
            if (c->replies < 8) c->statuses[c->replies] = c->v.status;
            c->replies++;
            if (!c->v.keep_alive)
                c->closed = true;
            else
                http_req_init(&c->rq);
        }
    }
}

static void conn_str(struct conn *c, const char *s)
{
    conn_feed(c, s, strlen(s));
}

static void conn_free(struct conn *c)
{
    http_site_free(&c->site);
}

static bool has(const struct conn *c, const char *s)
{
    return strstr(c->out, s) != NULL;
}

/* One request on a fresh connection: the status, output in c. */
static int one(struct conn *c, const char *req)
{
    conn_free(c);
    conn_init(c);
    conn_str(c, req);
    return c->replies ? c->statuses[0] : -1;
}

static void test_get_and_head(void)
{
    struct conn *c = malloc(sizeof *c);
    conn_init(c);
    CHECK_EQ(one(c, "GET /index.html HTTP/1.1\r\nHost: web\r\n\r\n"), 200);
    CHECK(has(c, "HTTP/1.1 200 OK\r\nServer: netstep-httpd\r\n"));
    CHECK(has(c, "Date: Thu, 01 Jan 2026 00:00:05 GMT\r\n"));
    CHECK(has(c, "Content-Type: text/html\r\nContent-Length: 11\r\n"));
    CHECK(has(c, "Last-Modified: Thu, 01 Jan 2026 00:00:00 GMT\r\n"));
    CHECK(has(c, "Connection: keep-alive\r\n\r\n<h1>hi</h1>"));
    CHECK(!c->closed);
    CHECK(strstr(c->v.why, "keep-alive") != NULL);
    /* HEAD: the same head, no body */
    CHECK_EQ(one(c, "HEAD /index.html HTTP/1.1\r\nHost: web\r\n\r\n"), 200);
    CHECK(has(c, "Content-Length: 11\r\n"));
    CHECK(!has(c, "<h1>"));
    CHECK(c->out_len >= 4 && memcmp(c->out + c->out_len - 4, "\r\n\r\n", 4) == 0);
    /* "/" serves /index.html; types from the extension or the scenario */
    CHECK_EQ(one(c, "GET / HTTP/1.1\r\nHost: web\r\n\r\n"), 200);
    CHECK(has(c, "<h1>hi</h1>"));
    CHECK_EQ(one(c, "GET /big.bin HTTP/1.1\r\nHost: web\r\n\r\n"), 200);
    CHECK(has(c, "Content-Type: application/octet-stream\r\nContent-Length: 10000\r\n"));
    CHECK(has(c, "\r\n\r\n0000001 ABCDEFG"));
    CHECK_EQ(one(c, "GET /logo HTTP/1.1\r\nHost: web\r\n\r\n"), 200);
    CHECK(has(c, "Content-Type: image/png\r\n"));
    /* paths are decoded and resolved */
    CHECK_EQ(one(c, "GET /%66lag.html HTTP/1.1\r\nHost: web\r\n\r\n"), 200);
    CHECK(has(c, "FLAG{T}"));
    CHECK_EQ(one(c, "GET /docs/../flag.html?x=1#frag HTTP/1.1\r\nHost: web\r\n\r\n"), 200);
    CHECK_EQ(one(c, "GET //flag.html HTTP/1.1\r\nHost: web\r\n\r\n"), 200);
    CHECK_EQ(one(c, "GET http://web/flag.html HTTP/1.1\r\nHost: web\r\n\r\n"), 200);
    CHECK_EQ(one(c, "GET /../etc/passwd HTTP/1.1\r\nHost: web\r\n\r\n"), 400);
    CHECK(c->closed);
    CHECK_EQ(one(c, "GET /%2e%2e/x HTTP/1.1\r\nHost: web\r\n\r\n"), 400);
    CHECK_EQ(one(c, "GET /a%00b HTTP/1.1\r\nHost: web\r\n\r\n"), 400);
    CHECK_EQ(one(c, "GET /a%zz HTTP/1.1\r\nHost: web\r\n\r\n"), 400);
    CHECK_EQ(one(c, "GET index.html HTTP/1.1\r\nHost: web\r\n\r\n"), 400);
    /* leading empty lines are skipped (RFC 9112 2.2) */
    CHECK_EQ(one(c, "\r\n\r\nGET /flag.html HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    /* bare LF line ends, as typed by some clients */
    CHECK_EQ(one(c, "GET /flag.html HTTP/1.1\nHost: x\n\n"), 200);
    conn_free(c);
    free(c);
}

static void test_statuses(void)
{
    struct conn *c = malloc(sizeof *c);
    conn_init(c);
    CHECK_EQ(one(c, "GET /nope.html HTTP/1.1\r\nHost: web\r\n\r\n"), 404);
    CHECK(has(c, "<title>404 Not Found</title>"));
    CHECK(has(c, "Content-Type: text/html\r\n"));
    CHECK(!c->closed); /* a 404 keeps the connection */
    CHECK_EQ(one(c, "GET /docs HTTP/1.1\r\nHost: web\r\n\r\n"), 301);
    CHECK(has(c, "Location: /docs/\r\n"));
    CHECK_EQ(one(c, "GET /docs?q=1 HTTP/1.1\r\nHost: web\r\n\r\n"), 301);
    CHECK(has(c, "Location: /docs/?q=1\r\n"));
    CHECK_EQ(one(c, "GET /site HTTP/1.1\r\nHost: web\r\n\r\n"), 301);
    CHECK_EQ(one(c, "GET /site/ HTTP/1.1\r\nHost: web\r\n\r\n"), 200);
    CHECK(has(c, "\r\n\r\nsite"));
    CHECK_EQ(one(c, "GET /index.html/ HTTP/1.1\r\nHost: web\r\n\r\n"), 404);
    CHECK_EQ(one(c, "GET /nowhere/ HTTP/1.1\r\nHost: web\r\n\r\n"), 404);
    /* methods */
    CHECK_EQ(one(c, "POST /index.html HTTP/1.1\r\nHost: web\r\nContent-Length: 5\r\n\r\nhello"
                    "GET /flag.html HTTP/1.1\r\nHost: web\r\n\r\n"),
             405);
    CHECK(has(c, "Allow: GET, HEAD, OPTIONS\r\n"));
    CHECK_EQ(c->replies, 2); /* the body was read past: the next request is whole */
    CHECK_EQ(c->statuses[1], 200);
    CHECK_EQ(one(c, "DELETE /index.html HTTP/1.1\r\nHost: web\r\n\r\n"), 405);
    CHECK_EQ(one(c, "BREW /pot HTTP/1.1\r\nHost: web\r\n\r\n"), 501);
    CHECK(!c->closed);
    CHECK_EQ(one(c, "get / HTTP/1.1\r\nHost: web\r\n\r\n"), 501); /* methods are case-sensitive */
    CHECK_EQ(one(c, "OPTIONS * HTTP/1.1\r\nHost: web\r\n\r\n"), 200);
    CHECK(has(c, "Allow: GET, HEAD, OPTIONS\r\nConnection: keep-alive\r\n\r\n"));
    CHECK(has(c, "Content-Length: 0\r\n"));
    CHECK_EQ(one(c, "GET * HTTP/1.1\r\nHost: web\r\n\r\n"), 400);
    /* versions */
    CHECK_EQ(one(c, "GET / HTTP/2.0\r\n"), 505); /* answered at the request line */
    CHECK(c->closed);
    CHECK(has(c, "HTTP/1.1 505 HTTP Version Not Supported\r\n"));
    CHECK(has(c, "Connection: close\r\n"));
    CHECK_EQ(one(c, "GET / HTTP/1.2\r\nHost: web\r\n\r\n"), 200); /* a later 1.x is 1.1 */
    CHECK_EQ(one(c, "GET / http/1.1\r\n"), 400);
    CHECK_EQ(one(c, "GET /flag.html\r\n"), 200); /* HTTP/0.9: the body alone */
    CHECK_STR(c->out, "<div>FLAG{T}</div>");
    CHECK(c->closed);
    CHECK_EQ(one(c, "GET /nope\r\n"), 404);
    CHECK(strncmp(c->out, "<html>", 6) == 0);
    conn_free(c);
    free(c);
}

static void test_bad_requests(void)
{
    struct conn *c = malloc(sizeof *c);
    conn_init(c);
    /* RFC 9112 3.2: Host is required in HTTP/1.1, once */
    CHECK_EQ(one(c, "GET / HTTP/1.1\r\n\r\n"), 400);
    CHECK(c->closed);
    CHECK(strstr(c->v.why, "Host") != NULL);
    CHECK_EQ(one(c, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
    CHECK_EQ(one(c, "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), 400);
    CHECK_EQ(one(c, "GET / HTTP/1.1\r\nHost:\r\n\r\n"), 200); /* empty is allowed */
    CHECK_EQ(one(c, "GET / HTTP/1.0\r\n\r\n"), 200);          /* HTTP/1.0 needs none */
    CHECK(c->closed);
    CHECK(has(c, "Connection: close\r\n"));
    /* malformed field lines */
    CHECK_EQ(one(c, "GET / HTTP/1.1\r\nHost: web\r\n folded\r\n\r\n"), 400);
    CHECK(strstr(c->v.why, "folding") != NULL);
    CHECK_EQ(one(c, "GET / HTTP/1.1\r\nHost : web\r\n\r\n"), 400);
    CHECK_EQ(one(c, "GET / HTTP/1.1\r\nnonsense\r\n\r\n"), 400);
    CHECK_EQ(one(c, "GARBAGE\r\n"), 400);
    /* bodies */
    CHECK_EQ(one(c, "POST / HTTP/1.1\r\nHost: w\r\nContent-Length: 3\r\nTransfer-Encoding: "
                    "chunked\r\n\r\n"),
             400);
    CHECK_EQ(one(c, "POST / HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: gzip\r\n\r\n"), 501);
    CHECK(c->closed);
    CHECK_EQ(one(c, "POST / HTTP/1.1\r\nHost: w\r\nContent-Length: 2000000\r\n\r\n"), 413);
    CHECK_EQ(one(c, "POST / HTTP/1.1\r\nHost: w\r\nContent-Length: abc\r\n\r\n"), 400);
    /* too many fields */
    conn_free(c);
    conn_init(c);
    conn_str(c, "GET / HTTP/1.1\r\n");
    for (int i = 0; i < 101; i++)
        conn_str(c, "X-A: b\r\n");
    CHECK_EQ(c->replies, 1);
    CHECK_EQ(c->statuses[0], 431);
    /* trailers are counted with the fields */
    conn_free(c);
    conn_init(c);
    conn_str(c, "POST / HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
    for (int i = 0; i < 99; i++)
        conn_str(c, "T: x\r\n");
    CHECK_EQ(c->replies, 1);
    CHECK_EQ(c->statuses[0], 431);
    /* a request line of 8191 bytes: longer than the server reads */
    char *lng = malloc(8300);
    memcpy(lng, "GET /", 5);
    memset(lng + 5, 'a', 8186);
    memcpy(lng + 8191, "\r\nHost: w\r\n\r\n", 14);

    CHECK_EQ(one(c, lng), 414);
    free(lng);
    /* lines cut by the connection (longer than it reads) */
    struct http_req *r = malloc(sizeof *r);
    http_req_init(r);
    char l[16] = "GET /aaaa";
    CHECK_EQ(http_req_line(r, l, strlen(l), true), HTTP_NEXT_REPLY);
    CHECK_EQ(r->error, 414);
    http_req_init(r);
    snprintf(l, sizeof l, "GET / HTTP/1.1");
    CHECK_EQ(http_req_line(r, l, strlen(l), false), HTTP_NEXT_WAIT);
    snprintf(l, sizeof l, "X: aaaa");
    CHECK_EQ(http_req_line(r, l, strlen(l), true), HTTP_NEXT_REPLY);
    CHECK_EQ(r->error, 431);
    free(r);
    conn_free(c);
    free(c);
}

static void test_keep_alive(void)
{
    struct conn *c = malloc(sizeof *c);
    conn_init(c);
    /* two requests on one connection, the second in pieces */
    conn_str(c, "GET /index.html HTTP/1.1\r\nHost: web\r\n\r\nGET /fl");
    CHECK_EQ(c->replies, 1);
    conn_str(c, "ag.html HTTP/1.1\r\nHo");
    conn_str(c, "st: web\r\n\r\n");
    CHECK_EQ(c->replies, 2);
    CHECK(!c->closed);
    CHECK(has(c, "<h1>hi</h1>HTTP/1.1 200 OK"));
    CHECK(has(c, "FLAG{T}"));
    /* Connection: close ends it after the answer; what follows is ignored */
    conn_str(c, "GET / HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n");
    CHECK_EQ(c->replies, 3);
    CHECK(c->closed);
    CHECK(strstr(c->v.why, "Connection: close") != NULL);
    /* HTTP/1.0 with keep-alive stays */
    CHECK_EQ(one(c, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), 200);
    CHECK(!c->closed);
    CHECK(has(c, "Connection: keep-alive\r\n"));
    conn_free(c);
    free(c);
}

static void test_chunked(void)
{
    struct conn *c = malloc(sizeof *c);
    conn_init(c);
    /* a chunked request body, split at every byte: read past, then the
     * next request */
    const char *req = "POST /x HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5;ext=1\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: x\r\n\r\n"
                      "GET /flag.html HTTP/1.1\r\nHost: w\r\n\r\n";
    int good = 0;
    for (size_t cut = 0; cut <= strlen(req); cut++) {
        conn_free(c);
        conn_init(c);
        conn_feed(c, req, cut);
        conn_feed(c, req + cut, strlen(req) - cut);
        good += c->replies == 2 && c->statuses[0] == 405 && c->statuses[1] == 200;
    }
    CHECK_EQ(good, (int)strlen(req) + 1);
    CHECK_EQ(one(c, "POST / HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), 400);
    CHECK_EQ(one(c, "POST / HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n"),
             400);
    CHECK_EQ(one(c, "POST / HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n"),
             413);
    /* a file marked chunked goes out chunked to HTTP/1.1, not to 1.0 */
    CHECK_EQ(one(c, "GET /chunky.txt HTTP/1.1\r\nHost: w\r\n\r\n"), 200);
    CHECK(has(c, "Transfer-Encoding: chunked\r\n"));
    CHECK(!has(c, "Content-Length"));
    CHECK(has(c, "\r\n\r\na\r\n0123456789\r\n0\r\n\r\n"));
    CHECK_EQ(one(c, "GET /chunky.txt HTTP/1.0\r\n\r\n"), 200);
    CHECK(has(c, "Content-Length: 10\r\n"));
    /* the listing of a directory without index.html */
    CHECK_EQ(one(c, "GET /docs/ HTTP/1.1\r\nHost: w\r\n\r\n"), 200);
    CHECK(c->v.listing);
    CHECK(has(c, "Transfer-Encoding: chunked\r\n"));
    CHECK(has(c, "<title>Index of /docs/</title>"));
    CHECK(has(c, "<a href=\"sub/\">sub/</a>"));
    CHECK(has(c, "<a href=\"a.txt\">a.txt</a>"));
    CHECK(strstr(c->out, "sub/") < strstr(c->out, "a.txt")); /* directories first */
    CHECK(has(c, "\r\n0\r\n\r\n"));
    /* decoded back, it is the page */
    const char *body = strstr(c->out, "\r\n\r\n") + 4;
    struct http_chunked d;
    http_chunked_init(&d);
    size_t used;
    CHECK_EQ(http_chunked_feed(&d, (const uint8_t *)body, strlen(body), &used, NULL, NULL),
             HTTP_OK);
    CHECK(http_chunked_done(&d));
    CHECK_EQ(used, strlen(body));
    conn_free(c);
    free(c);
}

static void test_site(void)
{
    CHECK(http_path_check("/index.html") == NULL);
    CHECK(http_path_check("/a/b-c_d~e.txt") == NULL);
    CHECK(http_path_check("index.html") != NULL);
    CHECK(http_path_check("/") != NULL);
    CHECK(http_path_check("/docs/") != NULL);
    CHECK(http_path_check("/a//b") != NULL);
    CHECK(http_path_check("/a/../b") != NULL);
    CHECK(http_path_check("/a b") != NULL);
    CHECK(http_path_check("/a?b") != NULL);
    CHECK_STR(http_content_type("/a/b.HTML"), "text/html");
    CHECK_STR(http_content_type("/x.txt"), "text/plain");
    CHECK_STR(http_content_type("/x.tar"), "application/octet-stream");
    CHECK_STR(http_content_type("/dir.d/noext"), "application/octet-stream");
    uint8_t b[130];
    http_fill_text(b, sizeof b);
    CHECK_MEM(b, "0000001 ABCDEFGHIJ", 18);
    CHECK_EQ(b[63], '\n');
    CHECK_MEM(b + 64, "0000002 BCDEFGHIJK", 18);
}

/* ---- the dissector ---- */

/* An Ethernet/IPv4/TCP frame carrying payload between the ports. */
static size_t tcp_frame(uint8_t *f, uint16_t sport, uint16_t dport, const char *payload)
{
    size_t n = strlen(payload), len = ETH_HDR_LEN + IP4_HDR_LEN + 20 + n;
    memset(f, 0, len);
    struct eth_hdr e = {.type = ETH_TYPE_IPV4};
    eth_emit(&e, f);
    struct ip4_hdr ip = {.ihl = 20,
                         .total_len = (uint16_t)(len - ETH_HDR_LEN),
                         .ttl = 64,
                         .proto = IP4_PROTO_TCP,
                         .src = IP(10, 0, 0, 10),
                         .dst = IP(10, 0, 0, 80)};
    ip4_emit(&ip, f + ETH_HDR_LEN);
    uint8_t *seg = f + ETH_HDR_LEN + IP4_HDR_LEN;
    struct tcp_hdr t = {.sport = sport,
                        .dport = dport,
                        .seq = 1,
                        .ack = 1,
                        .hlen = 20,
                        .flags = TCP_ACK | TCP_PSH,
                        .window = 512};
    tcp_emit(seg, &t);
    memcpy(seg + 20, payload, n);
    tcp_checksum_fill(seg, 20 + n, ip.src, ip.dst);
    return len;
}

static const struct dis_field *field(const struct dissection *d, const char *name)
{
    for (uint32_t i = 0; i < d->n_fields; i++)
        if (strcmp(d->fields[i].name, name) == 0) return &d->fields[i];
    return NULL;
}

static void test_dissector(void)
{
    static uint8_t f[2048];
    struct dissection d;
    size_t n = tcp_frame(f, 40000, 80, "GET /index.html HTTP/1.1\r\nHost: web\r\n\r\n");
    dissect_frame(f, n, &d);
    CHECK_STR(d.protocol, "HTTP");
    CHECK_STR(d.info, "GET /index.html HTTP/1.1");
    CHECK(!d.malformed);
    CHECK(field(&d, "Request Method") && !strcmp(field(&d, "Request Method")->value, "GET"));
    CHECK(field(&d, "Request URI") && !strcmp(field(&d, "Request URI")->value, "/index.html"));
    CHECK(field(&d, "Request Version") && !strcmp(field(&d, "Request Version")->value, "HTTP/1.1"));
    CHECK(field(&d, "Host") && !strcmp(field(&d, "Host")->value, "web"));
    CHECK_STR(d.layers[d.n_layers - 1].name, "Hypertext Transfer Protocol");
    dissect_free(&d);
    n = tcp_frame(f, 80, 40000,
                  "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                  "Content-Length: 11\r\n\r\n<h1>hi</h1>");
    dissect_frame(f, n, &d);
    CHECK_STR(d.info, "HTTP/1.1 200 OK  (text/html)");
    CHECK(field(&d, "Status Code") && !strcmp(field(&d, "Status Code")->value, "200"));
    CHECK(field(&d, "Response Phrase") && !strcmp(field(&d, "Response Phrase")->value, "OK"));
    CHECK(field(&d, "File Data") && field(&d, "File Data")->len == 11);
    dissect_free(&d);
    n = tcp_frame(f, 80, 40000,
                  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n0\r\n"
                  "\r\n");
    dissect_frame(f, n, &d);
    CHECK(field(&d, "HTTP chunked response") != NULL);
    CHECK(field(&d, "Chunk size") && !strcmp(field(&d, "Chunk size")->value, "4 octets"));
    CHECK(field(&d, "End of chunked encoding") != NULL);
    dissect_free(&d);
    n = tcp_frame(f, 80, 40000, "0000002 BCDEFGHIJKL\n");
    dissect_summary(f, n, &d);
    CHECK_STR(d.info, "Continuation");
    CHECK_STR(d.protocol, "HTTP");
    /* tshark's Info for WHOIS */
    n = tcp_frame(f, 40000, 43, "galaxy.test\r\n");
    dissect_summary(f, n, &d);
    CHECK_STR(d.protocol, "WHOIS");
    CHECK_STR(d.info, "Query: galaxy.test");
    n = tcp_frame(f, 43, 40000, "Domain Name: GALAXY.TEST\r\n");
    dissect_frame(f, n, &d);
    CHECK_STR(d.info, "Answer");
    CHECK(field(&d, "Answer") && !strcmp(field(&d, "Answer")->value, "Domain Name: GALAXY.TEST"));
    dissect_free(&d);
}

/* ---- the server on a node ---- */

static const char *scenario =
    "{\"netstep\": 1, \"nodes\": [\n"
    " {\"name\": \"pc\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.10/24\"}]},\n"
    " {\"name\": \"web\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.80/24\"}],\n"
    "  \"services\": {\"http\": {\"files\": {\"/index.html\": \"<h1>hi</h1>\", \"/flag.html\": "
    "\"<div>FLAG{LAB}</div>\", \"/docs/index.html\": \"docs\", \"/big.bin\": {\"size\": 300000}, "
    "\"/list/a.txt\": \"a\"}}}}],\n"
    " \"links\": [{\"a\": \"pc:eth0\", \"b\": \"web:eth0\"}]}\n";

struct cli {
    char rx[8192];
    size_t len;
    int closed, peer_closed;
};

static void cli_recv(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    (void)c;
    struct cli *k = ctx;
    size_t n = len < sizeof k->rx - 1 - k->len ? len : sizeof k->rx - 1 - k->len;
    memcpy(k->rx + k->len, data, n);
    k->len += n;
    k->rx[k->len] = 0;
}

static void cli_peer_closed(void *ctx, struct tcp_conn *c)
{
    ((struct cli *)ctx)->peer_closed++;
    tcp_close(c);
}

static void cli_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    (void)why;
    ((struct cli *)ctx)->closed++;
}

static const struct tcp_callbacks cli_cb = {
    .recv = cli_recv, .peer_closed = cli_peer_closed, .closed = cli_closed};

static void test_server_on_node(void)
{
    struct sim *sim = fx_build(scenario, 1);
    CHECK(sim != NULL);
    if (!sim) return;
    struct fx_log log = {0};
    trace_subscribe(sim, TRACE_ALL, fx_log_sink, &log);
    struct netstack *pc = node_stack(sim_find_node(sim, "pc"));
    const struct http_site *site = http_server_site(node_stack(sim_find_node(sim, "web")));
    CHECK(site && site->n_files == 5);
    /* two pipelined requests in one segment */
    struct cli k = {0};
    struct tcp_conn *c = tcp_connect(pc, IP(10, 0, 0, 80), 80, &cli_cb, &k);
    const char *two = "GET /flag.html HTTP/1.1\r\nHost: web\r\n\r\nHEAD /index.html "
                      "HTTP/1.1\r\nHost: web\r\n\r\n";
    tcp_send(c, two, strlen(two));
    sim_run_until(sim, SIM_S);
    CHECK(strstr(k.rx, "HTTP/1.1 200 OK") != NULL);
    CHECK(strstr(k.rx, "<div>FLAG{LAB}</div>HTTP/1.1 200 OK") != NULL);
    CHECK(strstr(k.rx, "Date: Thu, 01 Jan 2026 00:00:00 GMT") != NULL);
    CHECK_EQ(k.peer_closed, 0); /* kept alive */
    CHECK(fx_count(&log, TK_DELIVER, "web", "GET /flag.html HTTP/1.1 \xe2\x86\x92 200 OK") == 1);
    CHECK(fx_count(&log, TK_DELIVER, "web", "HEAD /index.html HTTP/1.1 \xe2\x86\x92 200 OK") == 1);
    /* the idle timeout closes it: 60 s after the last request */
    sim_run_until(sim, 60 * SIM_S);
    CHECK_EQ(k.peer_closed, 0);
    sim_run_until(sim, 62 * SIM_S);
    CHECK_EQ(k.peer_closed, 1);
    CHECK_EQ(k.closed, 1);
    CHECK(fx_count(&log, TK_STATE, "web", "Idle connection closed") == 1);
    /* a connection open when the simulation ends is freed with it */
    struct cli k2 = {0};
    c = tcp_connect(pc, IP(10, 0, 0, 80), 80, &cli_cb, &k2);
    tcp_send(c, "GET / HTTP/1.1\r\nHost: web\r\n", 27);
    sim_run_until(sim, 63 * SIM_S);
    sim_free(sim);
    fx_log_free(&log);
}

/* ---- the lab: telnet and curl on the host shell ---- */

struct run {
    struct sim *sim;
    struct shell_proc *p;
};

static const char *out_of(const struct shell_proc *p)
{
    return p->out ? p->out : "";
}

static struct shell_proc *run_cmd(struct sim *sim, const char *cmd, const char *const *input,
                                  sim_time dur)
{
    struct shell_proc *p = shell_run(sim, sim_find_node(sim, "pc"), cmd, NULL, NULL);
    for (int i = 0; input && input[i]; i++)
        shell_input(p, input[i]);
    sim_run_until(sim, sim_now(sim) + dur);
    if (!p->done) shell_interrupt(p);
    return p;
}

static bool out_has(const struct shell_proc *p, const char *s)
{
    bool ok = strstr(out_of(p), s) != NULL;
    if (!ok)
        fprintf(stderr, "--- output of \"%s\" lacks \"%s\":\n%s---\n", p->cmdline, s, out_of(p));
    return ok;
}

/* SYNs pc sent: connections it opened. */
static size_t syns(const struct fx_log *log)
{
    size_t n = 0;
    for (size_t i = 0; i < log->n; i++) {
        const struct fx_step *st = &log->s[i];
        const uint8_t *ip = fx_ip(st);
        if (st->kind != TK_TRANSMIT || strcmp(st->where, "pc:eth0") != 0 || !ip ||
            ip[9] != IP4_PROTO_TCP)
            continue;
        const uint8_t *tcp = ip + (ip[0] & 0x0f) * 4;
        n += (tcp[13] & 0x12) == 0x02;
    }
    return n;
}

static void test_lab(void)
{
    struct sim *sim = fx_build(scenario, 1);
    CHECK(sim != NULL);
    if (!sim) return;
    struct fx_log log = {0};
    trace_subscribe(sim, TRACE_FRAMES, fx_log_sink, &log);
    /* telnet by hand, as in the lab notes */
    static const char *const lab[] = {"GET /flag.html HTTP/1.1", "Host: anything", "", NULL};
    struct shell_proc *p = run_cmd(sim, "telnet web 80", lab, 10 * SIM_S);
    CHECK(out_has(p, "Connected to web.\n"));
    CHECK(out_has(p, "HTTP/1.1 200 OK\nServer: netstep-httpd\n"));
    CHECK(out_has(p, "Connection: keep-alive\n\n<div>FLAG{LAB}</div>"));
    CHECK(out_has(p, "Connection closed.")); /* telnet closed: the server kept it open */
    CHECK_EQ(p->exit_code, 0);
    shell_proc_free(p);
    static const char *const close_it[] = {"GET / HTTP/1.1", "Host: web", "Connection: close", "",
                                           NULL};
    p = run_cmd(sim, "telnet web 80", close_it, 10 * SIM_S);
    CHECK(out_has(p, "<h1>hi</h1>\nConnection closed by foreign host."));
    CHECK_EQ(p->exit_code, 1);
    shell_proc_free(p);

    /* curl */
    p = run_cmd(sim, "curl http://web/flag.html", NULL, 5 * SIM_S);
    CHECK_STR(out_of(p), "<div>FLAG{LAB}</div>");
    CHECK_EQ(p->exit_code, 0);
    shell_proc_free(p);
    p = run_cmd(sim, "curl -i web/nope", NULL, 5 * SIM_S);
    CHECK(out_has(p, "HTTP/1.1 404 Not Found\nServer: netstep-httpd\n"));
    CHECK(out_has(p, "Connection: keep-alive\n\n<html>"));
    CHECK_EQ(p->exit_code, 0);
    shell_proc_free(p);
    p = run_cmd(sim, "curl -sf http://web/nope", NULL, 5 * SIM_S);
    CHECK_STR(out_of(p), "");
    CHECK_EQ(p->exit_code, 22);
    shell_proc_free(p);
    p = run_cmd(sim, "curl -I http://10.0.0.80/big.bin", NULL, 5 * SIM_S);
    CHECK(out_has(p, "Content-Length: 300000\n"));
    CHECK(strstr(out_of(p), "0000001") == NULL);
    shell_proc_free(p);
    p = run_cmd(sim, "curl -v http://web/docs", NULL, 5 * SIM_S);
    CHECK(out_has(p, "*   Trying 10.0.0.80:80...\n* Connected to web (10.0.0.80) port 80 (#0)\n"
                     "> GET /docs HTTP/1.1\n> Host: web\n> User-Agent: curl/7.81.0\n"
                     "> Accept: */*\n> \n< HTTP/1.1 301 Moved Permanently\n"));
    CHECK(out_has(p, "< Location: /docs/\n"));
    CHECK(out_has(p, "</html>\r\n* Connection #0 to host web left intact\n"));
    shell_proc_free(p);
    /* -L follows over the same connection: one SYN for both requests */
    size_t syn0 = syns(&log);
    p = run_cmd(sim,
                "curl -sL -w \"\\n%{http_code} %{num_redirects} %{url_effective}\\n\" "
                "http://web/docs",
                NULL, 5 * SIM_S);
    CHECK_STR(out_of(p), "docs\n200 1 http://web/docs/\n");
    CHECK_EQ(syns(&log) - syn0, 1);
    shell_proc_free(p);
    p = run_cmd(sim, "curl -v http://web/ http://web/flag.html", NULL, 5 * SIM_S);
    CHECK(out_has(p, "* Re-using existing connection! (#0) with host web\n> GET /flag.html"));
    CHECK(out_has(p, "<h1>hi</h1>"));
    CHECK(out_has(p, "FLAG{LAB}"));
    shell_proc_free(p);
    p = run_cmd(sim, "curl -s -o /dev/null -w %{http_code}:%{size_download} http://web/big.bin",
                NULL, 10 * SIM_S);
    CHECK_STR(out_of(p), "200:300000");
    shell_proc_free(p);
    p = run_cmd(sim, "curl http://web/list/", NULL, 5 * SIM_S); /* chunked listing, decoded */
    CHECK(out_has(p, "<h1>Index of /list/</h1>"));
    CHECK(strstr(out_of(p), "\r\n0\r\n") == NULL);
    shell_proc_free(p);
    p = run_cmd(sim, "curl -X POST -d x=1 http://web/", NULL, 5 * SIM_S);
    CHECK(out_has(p, "405 Method Not Allowed"));
    shell_proc_free(p);
    p = run_cmd(sim, "curl -0 -i http://web/", NULL, 5 * SIM_S);
    CHECK(out_has(p, "Connection: close\n"));
    shell_proc_free(p);

    /* errors, in curl's words */
    p = run_cmd(sim, "curl http://web:81/", NULL, 5 * SIM_S);
    CHECK_STR(out_of(p), "curl: (7) Failed to connect to web port 81 after 0 ms: Connection "
                         "refused\n");
    CHECK_EQ(p->exit_code, 7);
    shell_proc_free(p);
    p = run_cmd(sim, "curl http://nosuchhost/", NULL, 30 * SIM_S);
    CHECK(out_has(p, "curl: (6) Could not resolve host: nosuchhost\n"));
    CHECK_EQ(p->exit_code, 6);
    shell_proc_free(p);
    /* https goes to 443 (test_tls.c has the TLS): web serves no HTTPS */
    p = run_cmd(sim, "curl -k https://web/", NULL, 5 * SIM_S);
    CHECK_STR(out_of(p), "curl: (7) Failed to connect to web port 443 after 0 ms: Connection "
                         "refused\n");
    CHECK_EQ(p->exit_code, 7);
    shell_proc_free(p);
    p = run_cmd(sim, "curl ftp://web/", NULL, 5 * SIM_S);
    CHECK_STR(out_of(p), "curl: (1) Protocol \"ftp\" not supported or disabled in libcurl\n");
    CHECK_EQ(p->exit_code, 1);
    shell_proc_free(p);
    p = run_cmd(sim, "curl http://web:99999/", NULL, 5 * SIM_S);
    CHECK_EQ(p->exit_code, 3);
    shell_proc_free(p);
    p = run_cmd(sim, "curl --frobnicate http://web/", NULL, 5 * SIM_S);
    CHECK(out_has(p, "curl: option --frobnicate: is unknown\n"));
    CHECK_EQ(p->exit_code, 2);
    shell_proc_free(p);
    p = run_cmd(sim, "curl", NULL, 5 * SIM_S);
    CHECK(out_has(p, "curl: no URL specified!"));
    CHECK_EQ(p->exit_code, 2);
    shell_proc_free(p);
    p = run_cmd(sim, "curl -o page.html http://web/", NULL, 5 * SIM_S);
    CHECK_EQ(p->exit_code, 2);
    shell_proc_free(p);
    /* an address with nothing behind it: SYNs time out after -m */
    p = run_cmd(sim, "curl -m 1 http://10.0.0.99/", NULL, 10 * SIM_S);
    CHECK(out_has(p, "curl: (28) "));
    CHECK_EQ(p->exit_code, 28);
    shell_proc_free(p);
    sim_free(sim);
    fx_log_free(&log);
}

int main(void)
{
    test_get_and_head();
    test_statuses();
    test_bad_requests();
    test_keep_alive();
    test_chunked();
    test_site();
    test_dissector();
    test_server_on_node();
    test_lab();
    return check_done();
}
