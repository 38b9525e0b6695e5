/* http_wire.h - HTTP/1.1 message syntax (RFC 9112, RFC 9110): request and
 * status lines, field lines, the fields of one message, Content-Length and
 * Transfer-Encoding values, chunked transfer coding (encode and an
 * incremental decoder), and an incremental response parser for clients.
 * Syntax only: what a server or client does with a message is in http.c
 * and the curl client.
 *
 * Every parser works on a bounded view and checks each length: lines are
 * at most HTTP_LINE_MAX bytes, a message has at most HTTP_FIELDS_MAX field
 * lines holding HTTP_FIELD_BYTES bytes in all, chunk sizes are at most 15
 * hex digits. Line parsers take a modifiable, NUL-terminated line (without
 * its CRLF) and cut it in place; a NUL byte inside a line is an error
 * (RFC 9110 5.5). */
#ifndef NETSTEP_HTTP_WIRE_H
#define NETSTEP_HTTP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_PORT         80
#define HTTP_LINE_MAX     8190  /* request, status or field line (Apache's limit) */
#define HTTP_FIELDS_MAX   100   /* field lines per message (Apache's LimitRequestFields) */
#define HTTP_FIELD_BYTES  16384 /* names and values of one message together */
#define HTTP_METHOD_MAX   32
#define HTTP_CHUNK_DIGITS 15 /* hex digits of a chunk size: below 2^60 */
#define HTTP_TRAILER_MAX  8192

enum http_err {
    HTTP_OK = 0,
    HTTP_E_SYNTAX = -1,   /* malformed: a server answers 400 */
    HTTP_E_VERSION = -2,  /* a well-formed version other than 1.x: 505 */
    HTTP_E_LONG = -3,     /* a line or the fields are too long: 414 / 431 */
    HTTP_E_MANY = -4,     /* too many field lines: 431 */
    HTTP_E_FOLD = -5,     /* obsolete line folding (RFC 9112 5.2): 400 */
    HTTP_E_NUL = -6,      /* a NUL byte in a line: 400 */
    HTTP_E_LENGTH = -7,   /* a bad Content-Length: 400 */
    HTTP_E_CODING = -8,   /* a transfer coding other than chunked: 501 */
    HTTP_E_TRUNCATED = -9 /* the connection ended inside a message */
};
/* A short English description of an http_err. */
const char *http_err_str(int err);

/* ---- request line: method SP request-target SP HTTP-version ---- */

struct http_reqline {
    char *method; /* a token, case-sensitive ("GET") */
    char *target; /* as sent ("/index.html?x=1") */
    int major, minor;
    bool http09; /* "GET /path" with no version: HTTP/0.9's simple request */
};
/* Splits the line at runs of spaces or tabs, as RFC 9112 3 lets a
 * recipient do. HTTP_E_VERSION for a version like "HTTP/2.0";
 * HTTP_E_SYNTAX for anything else wrong, including a version in lower
 * case (HTTP-name is case-sensitive). */
int http_reqline_parse(char *line, size_t len, struct http_reqline *rl);

/* ---- status line: HTTP-version SP status-code SP [reason-phrase] ---- */

struct http_statusline {
    int major, minor;
    int code;     /* 100..999 */
    char *reason; /* may be "" */
};
int http_statusline_parse(char *line, size_t len, struct http_statusline *sl);
/* The reason phrase RFC 9110 gives a status code, or "Unknown". */
const char *http_reason(int code);

/* ---- field lines: field-name ":" OWS field-value OWS ---- */

struct http_field {
    char *name, *value; /* value without its surrounding whitespace */
};
/* HTTP_E_FOLD for a line starting with a space or tab (obs-fold),
 * HTTP_E_SYNTAX for a name that is not a token or a space before the
 * colon (RFC 9112 5.1 says to reject that with 400). */
int http_field_parse(char *line, size_t len, struct http_field *f);

/* The fields of one message, copied (the lines they came from are gone). */
struct http_fields {
    int n;
    size_t used;
    uint16_t name[HTTP_FIELDS_MAX], value[HTTP_FIELDS_MAX]; /* offsets into buf */
    char buf[HTTP_FIELD_BYTES];
};
void http_fields_clear(struct http_fields *h);
/* HTTP_E_MANY or HTTP_E_LONG when it does not fit. */
int http_fields_add(struct http_fields *h, const char *name, const char *value);
const char *http_fields_name(const struct http_fields *h, int i);
const char *http_fields_value(const struct http_fields *h, int i);
/* The first value of a field (names compare case-insensitively), or NULL;
 * *count (may be NULL) is how many lines the field has. */
const char *http_fields_get(const struct http_fields *h, const char *name, int *count);
/* True when a field's comma-separated values hold token (any case):
 * "Connection: keep-alive, close" has "close". Looks at every line of
 * the field. */
bool http_fields_has_token(const struct http_fields *h, const char *name, const char *token);

/* Content-Length (RFC 9112 6.3): digits; a list of identical values
 * ("5, 5") counts as one. HTTP_E_LENGTH otherwise, or above 2^53. */
int http_content_length_parse(const char *v, uint64_t *out);
/* Transfer-Encoding: HTTP_OK with *chunked set when the last coding is
 * chunked; HTTP_E_CODING for any coding but chunked (this implementation
 * knows no other); HTTP_E_SYNTAX when chunked is not last or repeated. */
int http_transfer_encoding_parse(const struct http_fields *h, bool *chunked);

/* ---- chunked transfer coding (RFC 9112 7.1) ---- */

/* A chunk-size line: hex digits, then optional ";ext" (ignored). */
int http_chunk_size_parse(const char *line, size_t len, uint64_t *size);
/* Writes the chunk-size line for n bytes ("1f4\r\n") into buf (>= 20
 * bytes); returns its length. */
size_t http_chunk_head(char *buf, uint64_t n);
#define HTTP_CHUNK_LAST "0\r\n\r\n"
/* The chunked coding of data in chunks of at most chunk bytes, last chunk
 * included. Returns the encoded length; writes only when it fits cap. */
size_t http_chunked_encode(const uint8_t *data, size_t len, size_t chunk, uint8_t *out, size_t cap);

/* Where decoded body bytes go. */
typedef void (*http_data_fn)(void *ctx, const uint8_t *data, size_t len);

/* An incremental decoder: any split of the input gives the same output. */
struct http_chunked {
    int state;
    uint64_t left;   /* data bytes left in the current chunk */
    size_t line_len; /* the size line or trailer line gathered so far */
    char line[64];
    size_t ext_len;     /* chunk extension bytes skipped on this line */
    size_t trailer_len; /* trailer section bytes so far */
    uint64_t total;     /* data bytes decoded */
};
void http_chunked_init(struct http_chunked *d);
/* Decodes what it can of in[0..len). Returns HTTP_OK with *used bytes
 * taken (fewer than len only when the body ended: the rest belongs to the
 * next message), or HTTP_E_SYNTAX / HTTP_E_LONG, after which the decoder
 * stays failed. */
int http_chunked_feed(struct http_chunked *d, const uint8_t *in, size_t len, size_t *used,
                      http_data_fn out, void *ctx);
bool http_chunked_done(const struct http_chunked *d);

/* ---- responses, for a client ---- */

/* What the parser hands over when a response's head is complete. */
struct http_resp_head {
    const struct http_statusline *status;
    const char *status_line; /* as received, without CRLF */
    const struct http_fields *fields;
    bool chunked;    /* body in chunked coding */
    bool has_length; /* body of content_length bytes */
    uint64_t content_length;
    bool until_close; /* body runs until the server closes */
    bool no_body;     /* HEAD, 1xx, 204, 304 */
};

struct http_resp_cb {
    /* Also for each 1xx interim response (its body-less head). */
    void (*head)(void *ctx, const struct http_resp_head *h);
    void (*body)(void *ctx, const uint8_t *data, size_t len);
    /* The response is complete; the parser is ready for the next one. */
    void (*done)(void *ctx);
};

struct http_resp_parser {
    int state;
    bool head_request; /* the request was HEAD: no body follows */
    int err;           /* HTTP_OK, or the error that stopped it */
    char line[HTTP_LINE_MAX + 1];
    size_t line_len;
    char status_raw[HTTP_LINE_MAX + 1];
    struct http_statusline status;
    struct http_fields fields;
    struct http_resp_head head;
    uint64_t left;
    struct http_chunked chunk;
    uint64_t body_bytes; /* of the current response, decoded */
};
/* Ready for a response to a request with this method ("HEAD" = no body). */
void http_resp_init(struct http_resp_parser *p, const char *method);
/* Parses in[0..len); calls back as parts complete. Returns HTTP_OK with
 * *used bytes taken (stops after a complete response, so the caller can
 * re-init for the next request and feed the rest), or an error. Bytes that
 * do not start with "HTTP/" are HTTP_E_SYNTAX (an HTTP/0.9 answer). */
int http_resp_feed(struct http_resp_parser *p, const uint8_t *in, size_t len, size_t *used,
                   const struct http_resp_cb *cb, void *ctx);
/* The server closed: completes a body that runs until close (done is
 * called), else HTTP_E_TRUNCATED when inside a response (HTTP_OK when
 * nothing of a response had arrived). */
int http_resp_eof(struct http_resp_parser *p, const struct http_resp_cb *cb, void *ctx);
/* True when no byte of a response has arrived since init. */
bool http_resp_idle(const struct http_resp_parser *p);

/* ---- small helpers ---- */

/* tchar of RFC 9110 5.6.2. */
bool http_is_tchar(int c);
/* An IMF-fixdate (RFC 9110 5.6.7) for seconds since 1970-01-01 UTC:
 * "Thu, 01 Jan 2026 00:00:05 GMT" into buf (>= 30 bytes). */
char *http_date(int64_t unix_seconds, char *buf);

#endif
