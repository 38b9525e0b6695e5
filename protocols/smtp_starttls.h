/* smtp_starttls.h - the client's side of SMTP's STARTTLS (RFC 3207) up to
 * the handshake, as `openssl s_client -starttls smtp` runs it: read the
 * server's greeting (all its lines), send "EHLO name", read the reply and
 * note whether it lists STARTTLS, send "STARTTLS", read one reply; then
 * the caller starts TLS on the same connection. Like OpenSSL it tries
 * TLS even when STARTTLS was not offered or refused (the handshake then
 * fails), so it never gives up on its own.
 *
 * A state machine over bytes with no network: feed what arrives, send
 * what it writes. */
#ifndef NETSTEP_SMTP_STARTTLS_H
#define NETSTEP_SMTP_STARTTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMTP_STARTTLS_LINE_MAX 1024 /* longer reply lines are cut */

enum smtp_starttls_phase {
    STLS_GREETING, /* waiting for 220 */
    STLS_EHLO,     /* EHLO sent, reading its reply */
    STLS_STARTTLS, /* STARTTLS sent, reading its reply */
    STLS_DONE,     /* TLS may start */
};

struct smtp_starttls {
    enum smtp_starttls_phase phase;
    bool offered;   /* the EHLO reply listed STARTTLS */
    int code;       /* the reply to STARTTLS (220 when accepted), 0 before */
    char name[256]; /* given in EHLO */
    char line[SMTP_STARTTLS_LINE_MAX + 1];
    size_t llen;
};

/* name: what EHLO says (NULL: OpenSSL's default "mail.example.com"). */
void smtp_starttls_init(struct smtp_starttls *x, const char *name);
/* Reads bytes from the server. What to send goes to out (at most cap
 * bytes; 300 always suffice), its length to *out_len. Returns how many of
 * the bytes were read: fewer than len only when the phase became
 * STLS_DONE, the rest being what the server sent after its reply. */
size_t smtp_starttls_input(struct smtp_starttls *x, const uint8_t *data, size_t len, char *out,
                           size_t cap, size_t *out_len);

#endif
