/* tls_cert.h - the TOY certificates of the TLS stand-in: who a server is,
 * who vouches for it, for how long, and a toy Schnorr signature
 * (tls_toy.h) by the issuer. NOT SECURE, for teaching.
 *
 * A real certificate is X.509 in DER; this one is text, so that the
 * decrypted Certificate message reads like `openssl x509 -text`:
 *
 *   netstep toy certificate (NOT SECURE, for teaching)
 *   Serial Number: 0x3f2a91c0
 *   Subject: CN=web
 *   Issuer: CN=Harbor Root CA
 *   Not Before: 1764633600
 *   Not After: 1796169600
 *   Subject Alternative Name: web, www.harbor.test
 *   CA: FALSE
 *   Public Key: toy-group-61 0x0f3b...
 *   Signature: toy-schnorr-61 e=0x... s=0x...
 *
 * Lines end in LF; times are Unix seconds; the signature covers every byte
 * before "Signature:". Verification follows OpenSSL's order and error
 * codes (18 "self-signed certificate", 20 "unable to get local issuer
 * certificate", ...) so clients can word failures as curl does. */
#ifndef NETSTEP_TLS_CERT_H
#define NETSTEP_TLS_CERT_H

#include "tls_toy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLS_NAME_MAX      64 /* a CN or a subject alternative name */
#define TLS_CERT_SAN_MAX  8
#define TLS_CERT_TEXT_MAX 1536

struct tls_cert {
    uint64_t serial;
    char subject[TLS_NAME_MAX + 1]; /* the CN */
    char issuer[TLS_NAME_MAX + 1];  /* the issuer's CN */
    int64_t not_before, not_after;  /* Unix seconds */
    char san[TLS_CERT_SAN_MAX][TLS_NAME_MAX + 1];
    int n_san;
    bool ca;
    uint64_t pubkey;
    struct toy_sig sig;
    /* the encoded form, as sent */
    char text[TLS_CERT_TEXT_MAX];
    size_t len, tbs_len; /* all of it; the part the signature covers */
};

/* True when s can be a CN or a name: 1 to 64 printable characters
 * without ',' (names are listed with ", "). */
bool tls_name_ok(const char *s);

/* Fills, encodes and signs a certificate with issuer_priv (the subject's
 * own key for a self-signed one). False when a name is not tls_name_ok. */
bool tls_cert_make(struct tls_cert *c, const char *subject, const char *issuer, uint64_t serial,
                   int64_t not_before, int64_t not_after, const char *const *san, int n_san,
                   bool ca, uint64_t pubkey, uint64_t issuer_priv);

/* Parses an encoded certificate. Returns NULL, or what is wrong. */
const char *tls_cert_parse(const uint8_t *buf, size_t len, struct tls_cert *out);

/* True when the signature verifies with the issuer's public key. */
bool tls_cert_signed_by(const struct tls_cert *c, uint64_t issuer_pub);
bool tls_cert_self_issued(const struct tls_cert *c);

/* OpenSSL's X509_V_* codes for what verification found. */
enum tls_verify {
    TLS_V_OK = 0,
    TLS_V_SIGNATURE = 7,     /* "certificate signature failure" */
    TLS_V_NOT_YET_VALID = 9, /* "certificate is not yet valid" */
    TLS_V_EXPIRED = 10,      /* "certificate has expired" */
    TLS_V_SELF_SIGNED = 18,  /* "self-signed certificate" */
    TLS_V_SELF_SIGNED_IN_CHAIN = 19,
    TLS_V_NO_LOCAL_ISSUER = 20, /* "unable to get local issuer certificate" */
    TLS_V_NOT_CA = 24,          /* "invalid CA certificate" */
    TLS_V_HOSTNAME = 62,        /* "hostname mismatch" */
};
/* OpenSSL 3's words for a code ("self-signed certificate"). */
const char *tls_verify_str(int v);

/* Verifies chain[0] (the server's) up to one of the trusted certificates
 * at time now (Unix seconds): TLS_V_OK or the first problem found. The
 * host name is checked apart (tls_cert_host_match), as curl does. */
int tls_cert_verify(const struct tls_cert *chain, int n, const struct tls_cert *trusted,
                    int n_trusted, int64_t now);

/* The name that matched host: a subject alternative name (or the CN when
 * there are none), "*.example.test" matching one label; NULL when none. */
const char *tls_cert_host_match(const struct tls_cert *c, const char *host);

/* "Dec  2 00:00:00 2025 GMT", as curl prints start and expire dates. */
char *tls_time_str(int64_t unix_s, char *buf, size_t n);

#endif
