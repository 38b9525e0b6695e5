/* textconn.h - a TCP connection that speaks a text protocol: what arrives is
 * cut into lines (ended by CRLF, or a bare LF as lenient servers accept), or
 * handed over as a counted run of raw bytes when the protocol says one
 * follows (an IMAP literal, an HTTP body); what is sent is queued without
 * limit and fed to TCP as its send buffer drains, so a server can answer a
 * RETR of any size in one call. Shared by the servers and clients of SMTP,
 * POP3, IMAP, FTP (control), HTTP, telnet and WHOIS; text_conn_new_tls runs
 * the same over the TLS stand-in (tls.h), which is how HTTPS, SMTPS, POP3S
 * and IMAPS are served, and text_start_tls switches a plain connection to
 * it midway (SMTP's STARTTLS on port 587).
 *
 * Lifetime: text_conn_new takes over the TCP connection's callbacks. The
 * text_conn is freed right after its `closed` handler returns (the TCP
 * connection ended for the app, or text_abort); handlers may call any
 * function here, text_close and text_abort included, on the connection
 * they are serving. */
#ifndef NETSTEP_TEXTCONN_H
#define NETSTEP_TEXTCONN_H

#include "tcp.h"

#include <stdarg.h>

#define TEXT_LINE_MAX 8192 /* longer lines are cut here (text_line_overlong says so) */

struct text_conn;

struct text_handler {
    /* One line without its end (CRLF or LF), NUL-terminated; the buffer is
     * the handler's to modify until it returns. */
    void (*line)(void *ctx, struct text_conn *t, char *line, size_t len);
    /* Raw bytes asked for with text_expect_bytes, in as many calls as they
     * take to arrive; lines resume after the last one. */
    void (*bytes)(void *ctx, struct text_conn *t, const uint8_t *data, size_t len);
    /* The peer sent FIN: nothing more will arrive (a line without its end
     * is delivered first). */
    void (*peer_closed)(void *ctx, struct text_conn *t);
    /* The connection is over; t is freed when this returns. */
    void (*closed)(void *ctx, struct text_conn *t, enum tcp_reason why);
    /* Over TLS only, may be NULL: the handshake completed (the server
     * hears it when the client's Finished arrives). */
    void (*tls_ready)(void *ctx, struct text_conn *t);
};

/* Takes over c (its callbacks now lead here). */
struct text_conn *text_conn_new(struct tcp_conn *c, const struct text_handler *h, void *ctx);
/* The same over TLS, as a server with conf cf (tls.h): lines and bytes
 * are the decrypted ones, what is sent is encrypted; text_close sends
 * close_notify before FIN. */
struct tls_server_conf;
struct text_conn *text_conn_new_tls(struct tcp_conn *c, const struct tls_server_conf *cf,
                                    const struct text_handler *h, void *ctx);
/* STARTTLS (RFC 3207 and its kin): from here on a plain connection runs
 * over TLS as a server with conf cf, on the same TCP connection. What was
 * queued goes out in the clear first; input already read and not yet
 * delivered is dropped, as Postfix drops it (text pipelined after STARTTLS
 * would otherwise pass as sent under TLS: CVE-2011-0411's command
 * injection). Call it from a line handler, right
 * after sending the reply that says TLS may start; until TLS runs, text
 * sent is dropped. */
void text_start_tls(struct text_conn *t, const struct tls_server_conf *cf);
/* True once the connection runs over TLS (text_conn_new_tls, or after
 * text_start_tls). */
bool text_is_tls(const struct text_conn *t);
/* True once the TLS handshake of t has completed. */
bool text_tls_ready(const struct text_conn *t);
void text_set_handler(struct text_conn *t, const struct text_handler *h, void *ctx);

/* Sends bytes / one line with CRLF appended / printf-formatted text as is. */
void text_send(struct text_conn *t, const void *data, size_t len);
void text_line(struct text_conn *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void text_printf(struct text_conn *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void text_vprintf(struct text_conn *t, const char *fmt, va_list ap);

/* The next n bytes that arrive go to the bytes handler, not into lines. */
void text_expect_bytes(struct text_conn *t, size_t n);
/* True when the line just delivered was longer than TEXT_LINE_MAX. */
bool text_line_overlong(const struct text_conn *t);

/* Graceful close once everything queued has gone to TCP. */
void text_close(struct text_conn *t);
/* RST now; the closed handler runs (with TCP_REASON_RESET) and t is freed. */
void text_abort(struct text_conn *t);

/* Frees t without a word to TCP, for a stack being torn down: only right
 * before tcp_free, which frees the TCP connection without callbacks. */
void text_conn_release(struct text_conn *t);

/* Bytes queued here, not yet taken by TCP. */
size_t text_pending(const struct text_conn *t);
struct tcp_conn *text_tcp(const struct text_conn *t);

#endif
