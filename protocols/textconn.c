/* textconn.c - line framing and an unbounded send queue over a TCP
 * connection, for the text protocols. See textconn.h.
 *
 * Handlers may end the connection while one of them runs, so every entry
 * from TCP counts its depth and a finished text_conn is freed only when the
 * outermost entry returns.
 *
 * Over TLS (text_conn_new_tls) the same framing runs on the plaintext of a
 * tls_conn: text_send hands bytes to TLS, which encrypts and queues them
 * without limit, so this file's own queue stays empty. */
#include "textconn.h"
#include "tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct text_conn {
    struct tcp_conn *c;   /* NULL once TCP is done with it */
    struct tls_conn *tls; /* the TLS layer in between, or NULL */
    const struct text_handler *h;
    void *ctx;
    char line[TEXT_LINE_MAX + 1];
    size_t llen;
    bool cutting;  /* the current line passed TEXT_LINE_MAX */
    bool overlong; /* ... and the one delivered last did */
    size_t expect; /* raw bytes still wanted */
    uint8_t *out;  /* queued for TCP: out[off..len) */
    size_t off, len, cap;
    bool closing; /* text_close: FIN once out is empty */
    /* STARTTLS: the conf to switch to once out is empty; purge = drop the
     * rest of the plaintext being read */
    const struct tls_server_conf *starttls;
    bool purge;
    bool tls_up;         /* the TLS handshake completed */
    uint64_t sent, rcvd; /* plaintext bytes given to / taken from TCP */
    bool dead;           /* closed handler ran: free at depth 0 */
    int depth;
};

static void tc_enter(struct text_conn *t)
{
    t->depth++;
}

/* Returns false when t is gone. */
static bool tc_leave(struct text_conn *t)
{
    if (--t->depth > 0 || !t->dead) return !t->dead;
    free(t->out);
    free(t);
    return false;
}

static void tc_upgrade(struct text_conn *t);

static void tc_flush(struct text_conn *t)
{
    if (!t->c || t->dead) return;
    if (t->tls) {
        if (t->closing) {
            t->closing = false;
            tls_conn_close(t->tls);
        }
        return;
    }
    while (t->off < t->len) {
        size_t n = tcp_send(t->c, t->out + t->off, t->len - t->off);
        t->off += n;
        if (t->off < t->len) {
            tcp_want_writable(t->c);
            return;
        }
    }
    t->off = t->len = 0;
    if (t->closing) {
        t->closing = false;
        t->starttls = NULL; /* closed before TLS began */
        tcp_close(t->c);
    } else if (t->starttls) {
        tc_upgrade(t);
    }
}

static void tc_deliver_line(struct text_conn *t)
{
    size_t n = t->llen;
    if (n && t->line[n - 1] == '\r') n--;
    t->line[n] = 0;
    t->overlong = t->cutting;
    t->llen = 0;
    t->cutting = false;
    if (t->h->line) t->h->line(t->ctx, t, t->line, n);
}

static void tc_recv(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    struct text_conn *t = ctx;
    if (c) t->rcvd += len;
    if (c && t->starttls) return; /* plaintext after STARTTLS: dropped */
    /* purge stops only the call in which STARTTLS was accepted (what the
     * client pipelined after it); a STARTTLS started elsewhere (a timer)
     * must not drop the first data of the TLS session */
    t->purge = false;
    tc_enter(t);
    while (len && !t->dead && !t->purge) {
        if (t->expect) {
            size_t n = len < t->expect ? len : t->expect;
            t->expect -= n;
            if (t->h->bytes) t->h->bytes(t->ctx, t, data, n);
            data += n;
            len -= n;
            continue;
        }
        const uint8_t *nl = memchr(data, '\n', len);
        size_t n = nl ? (size_t)(nl - data) : len;
        size_t room = TEXT_LINE_MAX - t->llen;
        if (n > room) t->cutting = true;
        memcpy(t->line + t->llen, data, n < room ? n : room);
        t->llen += n < room ? n : room;
        data += n;
        len -= n;
        if (nl) {
            data++;
            len--;
            tc_deliver_line(t);
        }
    }
    t->purge = false;
    tc_leave(t);
}

static void tc_peer_closed(void *ctx, struct tcp_conn *c)
{
    (void)c;
    struct text_conn *t = ctx;
    tc_enter(t);
    if (t->llen && !t->expect) tc_deliver_line(t);
    if (!t->dead && t->h->peer_closed) t->h->peer_closed(t->ctx, t);
    tc_leave(t);
}

static void tc_writable(void *ctx, struct tcp_conn *c, size_t space)
{
    (void)c;
    (void)space;
    struct text_conn *t = ctx;
    tc_enter(t);
    tc_flush(t);
    tc_leave(t);
}

static void tc_end(struct text_conn *t, enum tcp_reason why)
{
    t->c = NULL;
    if (t->dead) return;
    t->dead = true;
    if (t->h->closed) t->h->closed(t->ctx, t, why);
}

static void tc_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    struct text_conn *t = ctx;
    tc_enter(t);
    tc_end(t, why);
    tc_leave(t);
}

static const struct tcp_callbacks tc_callbacks = {
    .recv = tc_recv,
    .peer_closed = tc_peer_closed,
    .writable = tc_writable,
    .closed = tc_closed,
};

/* ---- over TLS: the same entries, fed with plaintext ---- */

static void tc_tls_recv(void *ctx, struct tls_conn *tc, const uint8_t *data, size_t len)
{
    (void)tc;
    tc_recv(ctx, NULL, data, len);
}

static void tc_tls_peer_closed(void *ctx, struct tls_conn *tc)
{
    (void)tc;
    tc_peer_closed(ctx, NULL);
}

static void tc_tls_closed(void *ctx, struct tls_conn *tc, enum tcp_reason why)
{
    (void)tc;
    struct text_conn *t = ctx;
    t->tls = NULL; /* freed when this returns */
    tc_closed(ctx, NULL, why);
}

static void tc_tls_ready(void *ctx, struct tls_conn *tc)
{
    (void)tc;
    struct text_conn *t = ctx;
    t->tls_up = true;
    tc_enter(t);
    if (t->h->tls_ready) t->h->tls_ready(t->ctx, t);
    tc_leave(t);
}

static const struct tls_conn_callbacks tc_tls_callbacks = {
    .ready = tc_tls_ready,
    .recv = tc_tls_recv,
    .peer_closed = tc_tls_peer_closed,
    .closed = tc_tls_closed,
};

struct text_conn *text_conn_new_tls(struct tcp_conn *c, const struct tls_server_conf *cf,
                                    const struct text_handler *h, void *ctx)
{
    struct text_conn *t = calloc(1, sizeof *t);
    if (!t) abort();
    t->c = c;
    t->h = h;
    t->ctx = ctx;
    t->tls = tls_conn_server(c, cf, &tc_tls_callbacks, t);
    return t;
}

struct text_conn *text_conn_new(struct tcp_conn *c, const struct text_handler *h, void *ctx)
{
    struct text_conn *t = calloc(1, sizeof *t);
    if (!t) abort();
    t->c = c;
    t->h = h;
    t->ctx = ctx;
    tcp_set_callbacks(c, &tc_callbacks, t);
    return t;
}

static void tc_upgrade(struct text_conn *t)
{
    const struct tls_server_conf *cf = t->starttls;
    t->starttls = NULL;
    t->tls = tls_conn_server_at(t->c, t->sent, t->rcvd, cf, &tc_tls_callbacks, t);
}

void text_start_tls(struct text_conn *t, const struct tls_server_conf *cf)
{
    if (!t->c || t->dead || t->tls || t->starttls || t->closing || !cf) return;
    t->starttls = cf;
    t->purge = true;
    t->llen = 0;
    t->cutting = false;
    t->expect = 0;
    if (t->off == t->len) tc_upgrade(t);
}

bool text_is_tls(const struct text_conn *t)
{
    return t->tls != NULL || t->starttls != NULL;
}

bool text_tls_ready(const struct text_conn *t)
{
    return t->tls_up;
}

void text_set_handler(struct text_conn *t, const struct text_handler *h, void *ctx)
{
    t->h = h;
    t->ctx = ctx;
}

void text_send(struct text_conn *t, const void *data, size_t len)
{
    if (!t->c || t->dead || t->closing || !len) return;
    if (t->tls) {
        tls_conn_send(t->tls, data, len);
        return;
    }
    if (t->starttls) return; /* between STARTTLS and TLS nothing may be sent */
    t->sent += len;          /* all of it reaches TCP before any STARTTLS switch */
    if (t->off == t->len) {  /* nothing waits: straight to TCP */
        size_t n = tcp_send(t->c, data, len);
        data = (const uint8_t *)data + n;
        len -= n;
        if (!len) return;
        t->off = t->len = 0;
        tcp_want_writable(t->c);
    }
    if (t->len + len > t->cap) {
        if (t->off) { /* slide what is left to the front first */
            memmove(t->out, t->out + t->off, t->len - t->off);
            t->len -= t->off;
            t->off = 0;
        }
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + len)
            cap *= 2;
        uint8_t *o = realloc(t->out, cap);
        if (!o) abort();
        t->out = o;
        t->cap = cap;
    }
    memcpy(t->out + t->len, data, len);
    t->len += len;
}

void text_vprintf(struct text_conn *t, const char *fmt, va_list ap)
{
    char small[512];
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        text_send(t, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) abort();
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    text_send(t, big, (size_t)n);
    free(big);
}

void text_printf(struct text_conn *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    text_vprintf(t, fmt, ap);
    va_end(ap);
}

void text_line(struct text_conn *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    text_vprintf(t, fmt, ap);
    va_end(ap);
    text_send(t, "\r\n", 2);
}

void text_expect_bytes(struct text_conn *t, size_t n)
{
    t->expect = n;
}

bool text_line_overlong(const struct text_conn *t)
{
    return t->overlong;
}

void text_close(struct text_conn *t)
{
    if (!t->c || t->dead) return;
    tc_enter(t);
    t->closing = true;
    if (t->off == t->len) tc_flush(t);
    tc_leave(t);
}

void text_abort(struct text_conn *t)
{
    if (t->dead) return;
    tc_enter(t);
    if (t->tls)
        tls_conn_abort(t->tls); /* its closed callback ends t */
    else if (t->c)
        tcp_abort(t->c);
    tc_end(t, TCP_REASON_RESET);
    tc_leave(t);
}

void text_conn_release(struct text_conn *t)
{
    if (!t) return;
    if (t->tls)
        tls_conn_release(t->tls);
    else if (t->c)
        tcp_set_callbacks(t->c, NULL, NULL);
    free(t->out);
    free(t);
}

size_t text_pending(const struct text_conn *t)
{
    if (t->tls) return tls_conn_pending(t->tls);
    return t->len - t->off;
}

struct tcp_conn *text_tcp(const struct text_conn *t)
{
    return t->c;
}
