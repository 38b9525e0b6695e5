/* shell_tls.h - what the shell's TLS clients share (shell_tls.c): curl's
 * -v lines for TLS records and messages, its certificate report and its
 * error messages, worded as curl 7.81 with OpenSSL 3 prints them. */
#ifndef NETSTEP_SHELL_TLS_H
#define NETSTEP_SHELL_TLS_H

#include "protocols/tls.h"

#include <stddef.h>

/* The "* TLSv1.3 (OUT), TLS handshake, Client hello (1):" line curl -v
 * prints for ev (without "\n"); "" when it prints none. */
void curl_tls_event_line(const struct tls_event *ev, char *buf, size_t n);

/* The client conf curl uses on node st: SNI and name check = host, ALPN
 * http/1.1, the node's trusted CAs, verification unless insecure. */
void curl_tls_conf(struct netstack *st, const char *host, bool insecure,
                   struct tls_client_conf *cf);

/* The "* Server certificate:" block of -v, one line per call of put
 * (without "\n"), after "* SSL connection using ...". */
void curl_tls_report(const struct tls_session *s, const char *host, bool insecure,
                     void (*put)(void *ctx, const char *line), void *ctx);

/* After a handshake failed: curl's exit code and its message (what follows
 * "curl: (N) "), and the "* ..." line -v prints before it. */
int curl_tls_failure(const struct tls_error *e, const char *host, unsigned port, char *msg,
                     size_t n, char *vline, size_t vn);

/* When the connection ends during the handshake: curl's (35) message. */
void curl_tls_eof(const char *host, unsigned port, char *msg, size_t n);

/* `openssl s_client -connect host:port`: a TLS session typed by hand. */
struct shell_proc;
void cmd_openssl(struct shell_proc *p, int argc, char **argv);

#endif
