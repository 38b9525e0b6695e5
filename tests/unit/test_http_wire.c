/* test_http_wire.c - HTTP/1.1 syntax (protocols/http_wire.h): request and
 * status lines, field lines and their limits, Content-Length and
 * Transfer-Encoding values, chunk sizes, chunked encoding and the
 * incremental decoder fed in every split, the response parser (lengths,
 * chunked, HEAD, until close, interim 1xx, HTTP/0.9, truncation, two
 * responses back to back) and IMF-fixdates. */
#include "check.h"
#include "protocols/http_wire.h"

#include <stdlib.h>

/* A line parser works on a modifiable copy. */
static char lbuf[HTTP_LINE_MAX + 16];
static char *L(const char *s)
{
    snprintf(lbuf, sizeof lbuf, "%s", s);
    return lbuf;
}

static void test_request_line(void)
{
    struct http_reqline rl;
    CHECK_EQ(http_reqline_parse(L("GET /index.html HTTP/1.1"), 24, &rl), HTTP_OK);
    CHECK_STR(rl.method, "GET");
    CHECK_STR(rl.target, "/index.html");
    CHECK_EQ(rl.major, 1);
    CHECK_EQ(rl.minor, 1);
    CHECK(!rl.http09);
    /* RFC 9112 3: whitespace runs may separate the words */
    CHECK_EQ(http_reqline_parse(L("HEAD  /x?y=1 \tHTTP/1.0"), 22, &rl), HTTP_OK);
    CHECK_STR(rl.method, "HEAD");
    CHECK_STR(rl.target, "/x?y=1");
    CHECK_EQ(rl.minor, 0);
    CHECK_EQ(http_reqline_parse(L("GET /"), 5, &rl), HTTP_OK);
    CHECK(rl.http09);
    CHECK_EQ(http_reqline_parse(L("POST /"), 6, &rl), HTTP_E_SYNTAX);
    CHECK_EQ(http_reqline_parse(L("GET / HTTP/2.0"), 14, &rl), HTTP_E_VERSION);
    CHECK_STR(rl.method, "GET"); /* known even when the version is not */
    CHECK_EQ(rl.major, 2);
    CHECK_EQ(http_reqline_parse(L("GET / HTTP/0.9"), 14, &rl), HTTP_E_VERSION);
    CHECK_EQ(http_reqline_parse(L("GET / http/1.1"), 14, &rl), HTTP_E_SYNTAX);
    CHECK_EQ(http_reqline_parse(L("GET / HTTP/1"), 12, &rl), HTTP_E_SYNTAX);
    CHECK_EQ(http_reqline_parse(L("GET / HTTP/11.1"), 15, &rl), HTTP_E_SYNTAX);
    CHECK_EQ(http_reqline_parse(L("G(T / HTTP/1.1"), 14, &rl), HTTP_E_SYNTAX);
    CHECK_EQ(http_reqline_parse(L("GET /a b HTTP/1.1"), 17, &rl), HTTP_E_SYNTAX);
    CHECK_EQ(http_reqline_parse(L(""), 0, &rl), HTTP_E_SYNTAX);
    CHECK_EQ(http_reqline_parse(L("GET"), 3, &rl), HTTP_E_SYNTAX);
    char nul[] = "GET /\0x HTTP/1.1";
    CHECK_EQ(http_reqline_parse(nul, sizeof nul - 1, &rl), HTTP_E_NUL);
    CHECK_EQ(http_reqline_parse(L("GET /\x7f HTTP/1.1"), 15, &rl), HTTP_E_SYNTAX);
    CHECK_EQ(http_reqline_parse(L("GET /\xc3\xa9 HTTP/1.1"), 16, &rl), HTTP_E_SYNTAX);
    CHECK_EQ(http_reqline_parse(L("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG / HTTP/1.1"), 44, &rl),
             HTTP_E_SYNTAX); /* a 33-byte method */
}

static void test_status_line(void)
{
    struct http_statusline sl;
    CHECK_EQ(http_statusline_parse(L("HTTP/1.1 200 OK"), 15, &sl), HTTP_OK);
    CHECK_EQ(sl.code, 200);
    CHECK_STR(sl.reason, "OK");
    CHECK_EQ(http_statusline_parse(L("HTTP/1.0 404 Not Found"), 22, &sl), HTTP_OK);
    CHECK_EQ(sl.minor, 0);
    CHECK_STR(sl.reason, "Not Found");
    CHECK_EQ(http_statusline_parse(L("HTTP/1.1 204"), 12, &sl), HTTP_OK);
    CHECK_STR(sl.reason, "");
    CHECK_EQ(http_statusline_parse(L("HTTP/1.1 20 OK"), 14, &sl), HTTP_E_SYNTAX);
    CHECK_EQ(http_statusline_parse(L("HTTP/1.1 099 X"), 14, &sl), HTTP_E_SYNTAX);
    CHECK_EQ(http_statusline_parse(L("ICY 200 OK"), 10, &sl), HTTP_E_SYNTAX);
    CHECK_EQ(http_statusline_parse(L("HTTP/1.1"), 8, &sl), HTTP_E_SYNTAX);
    CHECK_STR(http_reason(200), "OK");
    CHECK_STR(http_reason(301), "Moved Permanently");
    CHECK_STR(http_reason(505), "HTTP Version Not Supported");
    CHECK_STR(http_reason(999), "Unknown");
}

static void test_fields(void)
{
    struct http_field f;
    CHECK_EQ(http_field_parse(L("Host: web"), 9, &f), HTTP_OK);
    CHECK_STR(f.name, "Host");
    CHECK_STR(f.value, "web");
    CHECK_EQ(http_field_parse(L("Host:   web \t"), 13, &f), HTTP_OK);
    CHECK_STR(f.value, "web");
    CHECK_EQ(http_field_parse(L("X-Empty:"), 8, &f), HTTP_OK);
    CHECK_STR(f.value, "");
    CHECK_EQ(http_field_parse(L(" folded"), 7, &f), HTTP_E_FOLD);
    CHECK_EQ(http_field_parse(L("\tfolded"), 7, &f), HTTP_E_FOLD);
    CHECK_EQ(http_field_parse(L("Host : web"), 10, &f), HTTP_E_SYNTAX);
    CHECK_EQ(http_field_parse(L(": web"), 5, &f), HTTP_E_SYNTAX);
    CHECK_EQ(http_field_parse(L("NoColon"), 7, &f), HTTP_E_SYNTAX);
    CHECK_EQ(http_field_parse(L("X: a\rb"), 6, &f), HTTP_E_SYNTAX);

    struct http_fields *h = malloc(sizeof *h);
    http_fields_clear(h);
    CHECK_EQ(http_fields_add(h, "Host", "web"), HTTP_OK);
    CHECK_EQ(http_fields_add(h, "Connection", "keep-alive, Close"), HTTP_OK);
    CHECK_EQ(http_fields_add(h, "connection", "Upgrade"), HTTP_OK);
    int n;
    CHECK_STR(http_fields_get(h, "HOST", &n), "web");
    CHECK_EQ(n, 1);
    CHECK_STR(http_fields_get(h, "Connection", &n), "keep-alive, Close");
    CHECK_EQ(n, 2);
    CHECK(http_fields_get(h, "Accept", &n) == NULL);
    CHECK_EQ(n, 0);
    CHECK(http_fields_has_token(h, "Connection", "close"));
    CHECK(http_fields_has_token(h, "Connection", "upgrade"));
    CHECK(!http_fields_has_token(h, "Connection", "keep"));
    CHECK_STR(http_fields_name(h, 1), "Connection");
    CHECK_STR(http_fields_value(h, 0), "web");
    /* bounded: 100 lines, 16384 bytes */
    http_fields_clear(h);
    int rc = HTTP_OK, i;
    for (i = 0; i < 200 && rc == HTTP_OK; i++)
        rc = http_fields_add(h, "X", "y");
    CHECK_EQ(rc, HTTP_E_MANY);
    CHECK_EQ(h->n, HTTP_FIELDS_MAX);
    http_fields_clear(h);
    char big[5000];
    memset(big, 'v', sizeof big - 1);
    big[sizeof big - 1] = 0;
    for (i = 0, rc = HTTP_OK; i < 10 && rc == HTTP_OK; i++)
        rc = http_fields_add(h, "Cookie", big);
    CHECK_EQ(rc, HTTP_E_LONG);
    CHECK_EQ(h->n, 3);
    free(h);
}

static void test_lengths_and_codings(void)
{
    uint64_t v = 0;
    CHECK_EQ(http_content_length_parse("42", &v), HTTP_OK);
    CHECK_EQ(v, 42);
    CHECK_EQ(http_content_length_parse(" 7 ", &v), HTTP_OK);
    CHECK_EQ(v, 7);
    CHECK_EQ(http_content_length_parse("42, 42", &v), HTTP_OK); /* RFC 9112 6.3 */
    CHECK_EQ(http_content_length_parse("42, 43", &v), HTTP_E_LENGTH);
    CHECK_EQ(http_content_length_parse("-1", &v), HTTP_E_LENGTH);
    CHECK_EQ(http_content_length_parse("", &v), HTTP_E_LENGTH);
    CHECK_EQ(http_content_length_parse("0x10", &v), HTTP_E_LENGTH);
    CHECK_EQ(http_content_length_parse("9007199254740993", &v), HTTP_E_LENGTH);
    CHECK_EQ(http_content_length_parse("99999999999999999999999", &v), HTTP_E_LENGTH);

    struct http_fields *h = malloc(sizeof *h);
    bool ch;
    http_fields_clear(h);
    CHECK_EQ(http_transfer_encoding_parse(h, &ch), HTTP_OK);
    CHECK(!ch);
    http_fields_add(h, "Transfer-Encoding", "Chunked");
    CHECK_EQ(http_transfer_encoding_parse(h, &ch), HTTP_OK);
    CHECK(ch);
    http_fields_clear(h);
    http_fields_add(h, "Transfer-Encoding", "gzip, chunked");
    CHECK_EQ(http_transfer_encoding_parse(h, &ch), HTTP_E_CODING);
    http_fields_clear(h);
    http_fields_add(h, "Transfer-Encoding", "chunked");
    http_fields_add(h, "Transfer-Encoding", "chunked");
    CHECK_EQ(http_transfer_encoding_parse(h, &ch), HTTP_E_SYNTAX);
    free(h);

    CHECK_EQ(http_chunk_size_parse("1f4", 3, &v), HTTP_OK);
    CHECK_EQ(v, 500);
    CHECK_EQ(http_chunk_size_parse("1F4;name=val", 12, &v), HTTP_OK);
    CHECK_EQ(v, 500);
    CHECK_EQ(http_chunk_size_parse("a ;x", 4, &v), HTTP_OK);
    CHECK_EQ(v, 10);
    CHECK_EQ(http_chunk_size_parse("0", 1, &v), HTTP_OK);
    CHECK_EQ(v, 0);
    CHECK_EQ(http_chunk_size_parse("", 0, &v), HTTP_E_SYNTAX);
    CHECK_EQ(http_chunk_size_parse("zz", 2, &v), HTTP_E_SYNTAX);
    CHECK_EQ(http_chunk_size_parse("10 x", 4, &v), HTTP_E_SYNTAX);
    CHECK_EQ(http_chunk_size_parse("ffffffffffffffff", 16, &v), HTTP_E_LONG);
    char head[20];
    CHECK_EQ(http_chunk_head(head, 500), 5);
    CHECK_STR(head, "1f4\r\n");
}

/* ---- chunked, fed in pieces ---- */

struct sink {
    uint8_t *buf;
    size_t len, cap;
};

static void sink_put(void *ctx, const uint8_t *d, size_t n)
{
    struct sink *s = ctx;
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2 + 64;
        s->buf = realloc(s->buf, s->cap);
    }
    memcpy(s->buf + s->len, d, n);
    s->len += n;
}

/* Decodes enc fed as pieces of `step` bytes (0 = two pieces split at
 * `cut`); returns the bytes used, -1 on error. */
static long decode_split(const uint8_t *enc, size_t len, size_t step, size_t cut, struct sink *out)
{
    struct http_chunked d;
    http_chunked_init(&d);
    out->len = 0;
    size_t at = 0;
    while (at < len && !http_chunked_done(&d)) {
        size_t k = step ? step : (at < cut ? cut - at : len - at);
        if (k > len - at) k = len - at;
        size_t used;
        if (http_chunked_feed(&d, enc + at, k, &used, sink_put, out) != HTTP_OK) return -1;
        at += used;
        if (used < k) break;
    }
    return http_chunked_done(&d) ? (long)at : -2;
}

static void test_chunked(void)
{
    size_t n = 10000;
    uint8_t *data = malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    size_t need = http_chunked_encode(data, n, 4096, NULL, 0);
    uint8_t *enc = malloc(need + 8);
    CHECK_EQ(http_chunked_encode(data, n, 4096, enc, need), need);
    /* "1000\r\n" + 4096 + CRLF, twice; "710\r\n" + 1808 + CRLF; "0\r\n\r\n" */
    CHECK_EQ(need, 2 * (6 + 4096 + 2) + (5 + 1808 + 2) + 5);
    CHECK_MEM(enc, "1000\r\n", 6);
    CHECK_MEM(enc + need - 5, "0\r\n\r\n", 5);
    struct sink s = {0};
    CHECK_EQ(decode_split(enc, need, 1, 0, &s), (long)need);
    CHECK(s.len == n && memcmp(s.buf, data, n) == 0);
    CHECK_EQ(decode_split(enc, need, 4097, 0, &s), (long)need);
    CHECK(s.len == n && memcmp(s.buf, data, n) == 0);
    /* bytes after the body are the next message's: not taken */
    memcpy(enc + need, "HTTP/1.1", 8);
    CHECK_EQ(decode_split(enc, need + 8, 0, need + 8, &s), (long)need);
    free(data);
    free(enc);

    /* a small body split at every point, with extensions and a trailer */
    const char *m = "5;name=x\r\nhello\r\n1\r\n!\r\n0\r\nExpires: never\r\n\r\n";
    size_t ml = strlen(m);
    int good = 0;
    for (size_t cut = 0; cut <= ml; cut++)
        if (decode_split((const uint8_t *)m, ml, 0, cut, &s) == (long)ml && s.len == 6 &&
            memcmp(s.buf, "hello!", 6) == 0)
            good++;
    CHECK_EQ(good, (int)ml + 1);
    /* bare LFs are accepted, as for every line here */
    CHECK_EQ(decode_split((const uint8_t *)"3\nabc\n0\n\n", 9, 1, 0, &s), 9);
    CHECK(s.len == 3 && memcmp(s.buf, "abc", 3) == 0);
    /* errors */
    CHECK_EQ(decode_split((const uint8_t *)"g\r\n", 3, 1, 0, &s), -1);
    CHECK_EQ(decode_split((const uint8_t *)"3\r\nabcd\r\n", 9, 1, 0, &s), -1);
    CHECK_EQ(decode_split((const uint8_t *)"3\r\nabc", 6, 1, 0, &s), -2); /* not finished */
    /* a long extension is read past, bounded */
    char *ext = malloc(6000);
    memcpy(ext, "1;", 2);
    memset(ext + 2, 'e', 200);
    memcpy(ext + 202, "\r\nZ\r\n0\r\n\r\n", 10);
    CHECK_EQ(decode_split((const uint8_t *)ext, 212, 7, 0, &s), 212);
    CHECK(s.len == 1 && s.buf[0] == 'Z');
    memset(ext + 2, 'e', 5000);
    memcpy(ext + 5002, "\r\n", 2);
    CHECK_EQ(decode_split((const uint8_t *)ext, 5004, 1, 0, &s), -1);
    free(ext);
    free(s.buf);
}

/* ---- responses ---- */

struct resp_log {
    int heads, dones, codes[4];
    bool no_body, chunked;
    struct sink body;
};

static void rl_head(void *ctx, const struct http_resp_head *h)
{
    struct resp_log *r = ctx;
    if (r->heads < 4) r->codes[r->heads] = h->status->code;
    r->heads++;
    r->no_body = h->no_body;
    r->chunked = h->chunked;
}

static void rl_body(void *ctx, const uint8_t *d, size_t n)
{
    sink_put(&((struct resp_log *)ctx)->body, d, n);
}

static void rl_done(void *ctx)
{
    ((struct resp_log *)ctx)->dones++;
}

static const struct http_resp_cb rl_cb = {rl_head, rl_body, rl_done};

/* Feeds a response in two pieces split at cut; returns the feed status
 * and the bytes used in *used_total. */
static int feed_split(struct http_resp_parser *p, const char *method, const char *msg, size_t cut,
                      struct resp_log *r, size_t *used_total)
{
    size_t len = strlen(msg), used, total = 0;
    memset(r, 0, sizeof *r);
    http_resp_init(p, method);
    int rc = http_resp_feed(p, (const uint8_t *)msg, cut, &used, &rl_cb, r);
    total += used;
    if (rc == HTTP_OK && used == cut && !r->dones) {
        rc = http_resp_feed(p, (const uint8_t *)msg + cut, len - cut, &used, &rl_cb, r);
        total += used;
    }
    *used_total = total;
    return rc;
}

static void test_responses(void)
{
    struct http_resp_parser *p = malloc(sizeof *p);
    struct resp_log r;
    size_t used;
    const char *ok = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 11\r\n\r\n"
                     "<h1>hi</h1>";
    int good = 0;
    for (size_t cut = 0; cut <= strlen(ok); cut++) {
        int rc = feed_split(p, "GET", ok, cut, &r, &used);
        good += rc == HTTP_OK && r.heads == 1 && r.dones == 1 && r.body.len == 11 &&
                memcmp(r.body.buf, "<h1>hi</h1>", 11) == 0 && used == strlen(ok);
        free(r.body.buf);
    }
    CHECK_EQ(good, (int)strlen(ok) + 1);
    CHECK_STR(p->status_raw, "HTTP/1.1 200 OK");
    CHECK_STR(http_fields_get(&p->fields, "content-type", NULL), "text/html");

    const char *ch = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia"
                     "\r\n0\r\n\r\n";
    good = 0;
    for (size_t cut = 0; cut <= strlen(ch); cut++) {
        int rc = feed_split(p, "GET", ch, cut, &r, &used);
        good += rc == HTTP_OK && r.chunked && r.dones == 1 && r.body.len == 9 &&
                memcmp(r.body.buf, "Wikipedia", 9) == 0;
        free(r.body.buf);
    }
    CHECK_EQ(good, (int)strlen(ch) + 1);

    /* HEAD: the Content-Length is the GET body's, no body follows */
    CHECK_EQ(feed_split(p, "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 478\r\n\r\n", 5, &r, &used),
             HTTP_OK);
    CHECK(r.no_body && r.dones == 1 && r.body.len == 0);
    /* 204, and 100 Continue before the final answer */
    CHECK_EQ(feed_split(p, "GET", "HTTP/1.1 204 No Content\r\n\r\n", 3, &r, &used), HTTP_OK);
    CHECK_EQ(r.dones, 1);
    CHECK_EQ(feed_split(p, "GET",
                        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: "
                        "1\r\n\r\nx",
                        30, &r, &used),
             HTTP_OK);
    CHECK_EQ(r.heads, 2);
    CHECK_EQ(r.codes[0], 100);
    CHECK_EQ(r.codes[1], 200);
    CHECK_EQ(r.dones, 1);
    free(r.body.buf);
    /* until close */
    CHECK_EQ(feed_split(p, "GET", "HTTP/1.0 200 OK\r\n\r\nabc", 10, &r, &used), HTTP_OK);
    CHECK_EQ(r.dones, 0);
    CHECK_EQ(http_resp_eof(p, &rl_cb, &r), HTTP_OK);
    CHECK_EQ(r.dones, 1);
    CHECK(r.body.len == 3);
    free(r.body.buf);
    /* truncated */
    CHECK_EQ(
        feed_split(p, "GET", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 10, &r, &used),
        HTTP_OK);
    CHECK_EQ(http_resp_eof(p, &rl_cb, &r), HTTP_E_TRUNCATED);
    CHECK_EQ(p->left, 7);
    free(r.body.buf);
    http_resp_init(p, "GET");
    CHECK(http_resp_idle(p));
    CHECK_EQ(http_resp_eof(p, &rl_cb, &r), HTTP_OK); /* nothing had arrived */
    /* HTTP/0.9 or not HTTP at all */
    CHECK_EQ(feed_split(p, "GET", "<html>hi</html>", 3, &r, &used), HTTP_E_SYNTAX);
    CHECK_EQ(feed_split(p, "GET", "HTTP/1.1 2x0 OK\r\n\r\n", 3, &r, &used), HTTP_E_SYNTAX);
    CHECK_EQ(feed_split(p, "GET", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", 3, &r, &used),
             HTTP_E_LENGTH);
    /* two responses in one read: the parser stops after the first */
    const char *two = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 404 Not Found\r\n"
                      "Content-Length: 0\r\n\r\n";
    memset(&r, 0, sizeof r);
    http_resp_init(p, "GET");
    CHECK_EQ(http_resp_feed(p, (const uint8_t *)two, strlen(two), &used, &rl_cb, &r), HTTP_OK);
    CHECK_EQ(used, 39);
    http_resp_init(p, "GET");
    size_t used2;
    CHECK_EQ(http_resp_feed(p, (const uint8_t *)two + used, strlen(two) - used, &used2, &rl_cb, &r),
             HTTP_OK);
    CHECK_EQ(used + used2, strlen(two));
    CHECK_EQ(r.codes[1], 404);
    CHECK_EQ(r.dones, 2);
    free(r.body.buf);
    /* a line longer than the limit */
    char *lng = malloc(HTTP_LINE_MAX + 100);
    memcpy(lng, "HTTP/1.1 200 ", 13);
    memset(lng + 13, 'x', HTTP_LINE_MAX + 50);
    lng[HTTP_LINE_MAX + 63] = 0;
    CHECK_EQ(feed_split(p, "GET", lng, 13, &r, &used), HTTP_E_LONG);
    free(lng);
    free(p);
}

static void test_dates(void)
{
    char b[32];
    CHECK_STR(http_date(0, b), "Thu, 01 Jan 1970 00:00:00 GMT");
    CHECK_STR(http_date(1767225600, b), "Thu, 01 Jan 2026 00:00:00 GMT");
    CHECK_STR(http_date(1767225600 + 86400 * 31 + 3661, b), "Sun, 01 Feb 2026 01:01:01 GMT");
    CHECK_STR(http_date(951782400, b), "Tue, 29 Feb 2000 00:00:00 GMT");
    CHECK_STR(http_date(784111777, b), "Sun, 06 Nov 1994 08:49:37 GMT"); /* RFC 9110's example */
}

int main(void)
{
    test_request_line();
    test_status_line();
    test_fields();
    test_lengths_and_codings();
    test_chunked();
    test_responses();
    test_dates();
    return check_done();
}
