/* dissect_http.c - the HTTP layer of the dissector (RFC 9112 messages on
 * TCP port 80) and the WHOIS layer (RFC 3912, TCP port 43), in tshark
 * 4.0's words.
 *
 * HTTP: a segment that opens with a request line shows it as Info ("GET
 * /index.html HTTP/1.1"), one that opens with a status line shows that
 * ("HTTP/1.1 200 OK", with "  (text/html)" after it when body bytes of
 * that type follow in the same segment, as tshark prints it). The tree
 * holds the start line with its parts (Request Method / URI / Version,
 * Response Version / Status Code / Response Phrase), one field per header
 * line, the chunks of a chunked body as far as the segment holds them, and
 * the body's size. tshark reassembles a message over segments; a
 * frame-by-frame dissector cannot, so a segment that does not start a
 * message is "Continuation", as tshark shows it with reassembly off.
 *
 * WHOIS: what goes to port 43 is the query ("Query: galaxy.test"), what
 * comes from it the answer, one field per line. tshark names the query in
 * the answer's Info too, which takes state across frames: here it says
 * "Answer". */
#include "dissect_priv.h"
#include "http_wire.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool is_request_line(const uint8_t *p, size_t n)
{
    /* METHOD SP target SP HTTP/x.y, with a target of at least one byte */
    if (n < 12 || memcmp(p + n - 9, " HTTP/", 6) != 0 || p[n - 3] < '0' || p[n - 3] > '9' ||
        p[n - 2] != '.' || p[n - 1] < '0' || p[n - 1] > '9')
        return false;
    size_t i = 0;
    while (i < n && i <= HTTP_METHOD_MAX && http_is_tchar(p[i]))
        i++;
    return i > 0 && i + 1 < n - 9 && p[i] == ' ';
}

static bool is_status_line(const uint8_t *p, size_t n)
{
    return n >= 12 && memcmp(p, "HTTP/", 5) == 0 && p[6] == '.' && p[8] == ' ' && p[9] >= '0' &&
           p[9] <= '9' && p[10] >= '0' && p[10] <= '9' && p[11] >= '0' && p[11] <= '9';
}

/* The chunks of a chunked body within the segment. */
static void dis_http_chunks(struct dis_ctx *c, size_t off, size_t n)
{
    const uint8_t *p = c->frame + off;
    size_t at = 0;
    dis_field_add(c, 0, off, n, "HTTP chunked response", "%s", "");
    while (at < n) {
        size_t next, k = dis_line_at(p + at, n - at, &next);
        uint64_t size;
        if (next == n - at && p[at + next - 1] != '\n') return; /* the size line goes on */
        if (http_chunk_size_parse((const char *)p + at, k, &size)) return;
        if (size == 0) {
            dis_field_add(c, 1, off + at, n - at, "End of chunked encoding", "%s", "");
            dis_field_add(c, 2, off + at, k, "Chunk size", "0 octets");
            return;
        }
        size_t data = at + next;
        size_t have = data < n ? n - data : 0;
        bool whole = have >= size;
        size_t shown = whole ? (size_t)size : have;
        dis_field_add(c, 1, off + at, next + shown, "Data chunk", "(%llu octets)",
                      (unsigned long long)size);
        dis_field_add(c, 2, off + at, k, "Chunk size", "%llu octets", (unsigned long long)size);
        if (shown) dis_field_add(c, 2, off + data, shown, "Chunk data", "(%zu bytes)", shown);
        if (!whole) return;
        at = data + (size_t)size;
        size_t crlf = n - at >= 2 && p[at] == '\r' && p[at + 1] == '\n' ? 2
                      : n - at >= 1 && p[at] == '\n'                    ? 1
                                                                        : 0;
        if (!crlf) return;
        dis_field_add(c, 2, off + at, crlf, "Chunk boundary", "\\r\\n");
        at += crlf;
    }
}

void dis_http(struct dis_ctx *c, size_t off, size_t n)
{
    struct dissection *d = c->d;
    const uint8_t *p = c->frame + off;
    dis_set_protocol(d, "HTTP");
    dis_layer_begin(c, "http", 7, off, n, "Hypertext Transfer Protocol");
    size_t next, k = dis_line_at(p, n, &next);
    bool req = is_request_line(p, k), resp = !req && is_status_line(p, k);
    if (!req && !resp) {
        dis_info(d, "Continuation");
        dis_field_add(c, 0, off, n, "Data", "(%zu bytes)", n);
        return;
    }
    char line[192];
    dis_text_copy(line, sizeof line, p, k);
    dis_info(d, "%s", line);
    if (c->tree) {
        dis_field_add(c, 0, off, next, req ? "Request Line" : "Status Line", "%s\\r\\n", line);
        const uint8_t *sp1 = memchr(p, ' ', k);
        size_t a = (size_t)(sp1 - p);
        if (req) {
            const uint8_t *sp2 = p + k - 9;
            char uri[112];
            dis_text_copy(uri, sizeof uri, p + a + 1, (size_t)(sp2 - p) - a - 1);
            dis_field_add(c, 1, off, a, "Request Method", "%.*s", (int)a, (const char *)p);
            dis_field_add(c, 1, off + a + 1, (size_t)(sp2 - p) - a - 1, "Request URI", "%s", uri);
            dis_field_add(c, 1, off + k - 8, 8, "Request Version", "%.8s", (const char *)p + k - 8);
        } else {
            char phrase[112];
            dis_text_copy(phrase, sizeof phrase, p + 13, k > 13 ? k - 13 : 0);
            int code = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
            dis_field_add(c, 1, off, 8, "Response Version", "%.8s", (const char *)p);
            dis_field_add(c, 1, off + 9, 3, "Status Code", "%d", code);
            dis_field_add(c, 1, off + 9, 3, "[Status Code Description]", "%s", http_reason(code));
            dis_field_add(c, 1, off + 13 < off + k ? off + 13 : off + k, k > 13 ? k - 13 : 0,
                          "Response Phrase", "%s", phrase);
        }
    }
    /* the header lines, and what they say about the body */
    size_t at = next;
    char ctype[64] = "";
    bool chunked = false, ended = false;
    while (at < n) {
        size_t nx, lk = dis_line_at(p + at, n - at, &nx);
        if (lk == 0 && nx > 0) {
            dis_field_add(c, 0, off + at, nx, "\\r\\n", "%s", "");
            at += nx;
            ended = true;
            break;
        }
        const uint8_t *colon = memchr(p + at, ':', lk);
        char name[40], value[112];
        if (colon) {
            size_t nl = (size_t)(colon - (p + at));
            const uint8_t *v = colon + 1;
            size_t vl = lk - nl - 1;
            while (vl && (*v == ' ' || *v == '\t')) {
                v++;
                vl--;
            }
            dis_text_copy(name, sizeof name, p + at, nl);
            dis_text_copy(value, sizeof value, v, vl);
            if (strcasecmp(name, "Content-Type") == 0) {
                size_t t = strcspn(value, "; ");
                snprintf(ctype, sizeof ctype, "%.*s", (int)t, value);
            }
            if (strcasecmp(name, "Transfer-Encoding") == 0) {
                size_t vl2 = strlen(value);
                chunked = vl2 >= 7 && strcasecmp(value + vl2 - 7, "chunked") == 0;
            }
            dis_field_add(c, 0, off + at, nx, name, "%s", value);
        } else {
            dis_text_copy(value, sizeof value, p + at, lk);
            dis_field_add(c, 0, off + at, nx, "Header line", "%s", value);
        }
        at += nx;
    }
    if (!ended || at >= n) return;
    if (resp && ctype[0]) {
        dis_info_append(d, "  (");
        dis_info_append(d, ctype);
        dis_info_append(d, ")");
    }
    if (chunked)
        dis_http_chunks(c, off + at, n - at);
    else
        dis_field_add(c, 0, off + at, n - at, "File Data", "%zu bytes", n - at);
}

void dis_whois(struct dis_ctx *c, size_t off, size_t n, bool query)
{
    struct dissection *d = c->d;
    const uint8_t *p = c->frame + off;
    dis_set_protocol(d, "WHOIS");
    dis_layer_begin(c, "whois", 7, off, n, "WHOIS: %s", query ? "Query" : "Answer");
    size_t next, k = dis_line_at(p, n, &next);
    char line[112];
    if (query) {
        dis_text_copy(line, sizeof line, p, k);
        dis_info(d, "Query: %s", line);
        dis_field_add(c, 0, off, n, "Query", "%s", line);
        return;
    }
    dis_info(d, "Answer");
    for (size_t at = 0; at < n && c->tree;) {
        k = dis_line_at(p + at, n - at, &next);
        dis_text_copy(line, sizeof line, p + at, k);
        dis_field_add(c, 0, off + at, next, "Answer", "%s", line);
        at += next;
    }
}
