/* tls_wire.h - TLS 1.3 on the wire (RFC 8446): the record layer (5.1),
 * handshake message headers (4), ClientHello and ServerHello with the
 * extensions the stand-in uses (server_name, supported_groups,
 * signature_algorithms, ALPN, supported_versions, key_share),
 * EncryptedExtensions, Certificate, CertificateVerify, Finished and alerts,
 * byte-exact, so tshark dissects what netstep sends.
 *
 * What is real here: every header, length, type code and extension layout.
 * What is not: the key share and the signature carry the TOY group's
 * numbers (tls_toy.h) under private-use code points (RFC 8446 4.2.7 and
 * 4.2.3 reserve 0xFE00..0xFEFF), named "toy-group-61" and
 * "toy-schnorr-61"; the cipher suite says TLS_AES_128_GCM_SHA256 (0x1301)
 * but records are protected by the toy cipher, NOT AES.
 *
 * Parsers take a bounded view, check every length and return TLS_WIRE_OK
 * or a negative error; emitters write into a buffer of known size and
 * return the bytes written, 0 when it does not fit. */
#ifndef NETSTEP_TLS_WIRE_H
#define NETSTEP_TLS_WIRE_H

#include "wire.h"

#include <stdbool.h>

/* ---- record layer (RFC 8446 5.1) ---- */

#define TLS_RECORD_HDR   5
#define TLS_PLAIN_MAX    16384         /* 2^14: a record's plaintext */
#define TLS_CIPHER_MAX   (16384 + 256) /* 2^14 + 256: a protected record's fragment */
#define TLS_CT_CCS       20
#define TLS_CT_ALERT     21
#define TLS_CT_HANDSHAKE 22
#define TLS_CT_APPDATA   23
#define TLS_V10          0x0301 /* legacy_record_version of the first ClientHello */
#define TLS_V12          0x0303 /* legacy_version / legacy_record_version */
#define TLS_V13          0x0304 /* in supported_versions */
#define TLS_AES_128_GCM  0x1301 /* the suite named; the toy cipher is what runs */
#define TLS_GROUP_TOY    0xfe61 /* private use: the toy Diffie-Hellman group */
#define TLS_SIG_TOY      0xfe61 /* private use: toy Schnorr signatures */
#define TLS_RANDOM_LEN   32
#define TLS_FINISHED_LEN 32
#define TLS_TAG_LEN      16 /* the toy tag, where AES-GCM has its 16 bytes */

enum tls_wire_err {
    TLS_WIRE_OK = 0,
    TLS_WIRE_SHORT = -1,   /* fewer bytes than the header or a length says */
    TLS_WIRE_TYPE = -2,    /* an unknown content type */
    TLS_WIRE_VERSION = -3, /* a record version other than 0x03xx */
    TLS_WIRE_LONG = -4,    /* a length over the limit (record_overflow) */
    TLS_WIRE_SYNTAX = -5,  /* a body that does not parse (decode_error) */
};

struct tls_record {
    uint8_t type;
    uint16_t version;
    uint16_t len;        /* of the fragment */
    const uint8_t *frag; /* len bytes */
};
/* Parses the record at buf: TLS_WIRE_OK with r filled when all of it is
 * there, TLS_WIRE_SHORT when more bytes are needed, or an error for a
 * header no TLS peer would send. */
int tls_record_parse(const uint8_t *buf, size_t n, struct tls_record *r);
void tls_record_header(uint8_t hdr[TLS_RECORD_HDR], uint8_t type, uint16_t version, size_t len);

/* ---- handshake messages (RFC 8446 4) ---- */

#define TLS_HS_HDR                  4
#define TLS_HS_CLIENT_HELLO         1
#define TLS_HS_SERVER_HELLO         2
#define TLS_HS_NEW_SESSION_TICKET   4
#define TLS_HS_ENCRYPTED_EXTENSIONS 8
#define TLS_HS_CERTIFICATE          11
#define TLS_HS_CERTIFICATE_VERIFY   15
#define TLS_HS_FINISHED             20
#define TLS_HS_MAX                  (1u << 16) /* bodies this side accepts */

/* Splits the handshake message at buf: type, body length (24 bits). Returns
 * TLS_WIRE_OK when the whole message is there, TLS_WIRE_SHORT when not. */
int tls_hs_parse(const uint8_t *buf, size_t n, uint8_t *type, uint32_t *body_len);
void tls_hs_header(uint8_t hdr[TLS_HS_HDR], uint8_t type, size_t body_len);

/* ---- extensions ---- */

#define TLS_EXT_SERVER_NAME          0
#define TLS_EXT_SUPPORTED_GROUPS     10
#define TLS_EXT_SIGNATURE_ALGORITHMS 13
#define TLS_EXT_ALPN                 16
#define TLS_EXT_SUPPORTED_VERSIONS   43
#define TLS_EXT_KEY_SHARE            51

/* Walks an extensions block: at *off, a type and a body; false at the end
 * or when the next one does not fit (*bad set then). */
bool tls_ext_next(const uint8_t *buf, size_t n, size_t *off, uint16_t *type, const uint8_t **body,
                  uint16_t *len, bool *bad);

#define TLS_SNI_MAX    255
#define TLS_ALPN_MAX   32 /* one protocol name */
#define TLS_SUITES_MAX 32

struct tls_client_hello {
    uint16_t legacy_version;
    uint8_t random[TLS_RANDOM_LEN];
    uint8_t sid_len;
    uint8_t session_id[32];
    int n_suites;
    uint16_t suites[TLS_SUITES_MAX]; /* the first ones offered */
    char sni[TLS_SNI_MAX + 1];       /* "" = no server_name */
    bool tls13;                      /* supported_versions offers 0x0304 */
    bool has_share;                  /* a key_share for the toy group */
    uint64_t share;
    bool sig_toy;                /* signature_algorithms offers toy-schnorr-61 */
    char alpn[TLS_ALPN_MAX + 1]; /* the first protocol offered, "" = none */
};
/* The whole message, header included. */
size_t tls_client_hello_emit(const struct tls_client_hello *ch, uint8_t *buf, size_t cap);
/* body: the message without its 4-byte header. */
int tls_client_hello_parse(const uint8_t *body, size_t len, struct tls_client_hello *out);

struct tls_server_hello {
    uint16_t legacy_version;
    uint8_t random[TLS_RANDOM_LEN];
    uint8_t sid_len;
    uint8_t session_id[32];
    uint16_t suite;
    uint16_t version; /* from supported_versions; 0 = absent (TLS 1.2 or older) */
    bool has_share;
    uint16_t share_group;
    uint64_t share;
};
size_t tls_server_hello_emit(const struct tls_server_hello *sh, uint8_t *buf, size_t cap);
int tls_server_hello_parse(const uint8_t *body, size_t len, struct tls_server_hello *out);

/* EncryptedExtensions: the ALPN protocol chosen, "" for none. */
size_t tls_encrypted_extensions_emit(const char *alpn, uint8_t *buf, size_t cap);
int tls_encrypted_extensions_parse(const uint8_t *body, size_t len, char alpn[TLS_ALPN_MAX + 1]);

/* Certificate: n entries of cert_data (each with empty extensions),
 * an empty certificate_request_context. */
#define TLS_CHAIN_MAX 4
size_t tls_certificate_emit(const uint8_t *const *certs, const size_t *lens, int n, uint8_t *buf,
                            size_t cap);
/* The entries, pointing into body; at most TLS_CHAIN_MAX. */
int tls_certificate_parse(const uint8_t *body, size_t len, const uint8_t **certs, size_t *lens,
                          int *n);

/* CertificateVerify: a toy Schnorr signature (e, s as 2 x 8 bytes). */
size_t tls_certificate_verify_emit(uint64_t e, uint64_t s, uint8_t *buf, size_t cap);
int tls_certificate_verify_parse(const uint8_t *body, size_t len, uint16_t *scheme, uint64_t *e,
                                 uint64_t *s);

size_t tls_finished_emit(const uint8_t verify[TLS_FINISHED_LEN], uint8_t *buf, size_t cap);

/* ---- alerts (RFC 8446 6) ---- */

#define TLS_ALERT_WARNING 1
#define TLS_ALERT_FATAL   2
enum tls_alert_desc {
    TLS_AD_CLOSE_NOTIFY = 0,
    TLS_AD_UNEXPECTED_MESSAGE = 10,
    TLS_AD_BAD_RECORD_MAC = 20,
    TLS_AD_RECORD_OVERFLOW = 22,
    TLS_AD_HANDSHAKE_FAILURE = 40,
    TLS_AD_BAD_CERTIFICATE = 42,
    TLS_AD_CERTIFICATE_EXPIRED = 45,
    TLS_AD_CERTIFICATE_UNKNOWN = 46,
    TLS_AD_ILLEGAL_PARAMETER = 47,
    TLS_AD_UNKNOWN_CA = 48,
    TLS_AD_DECODE_ERROR = 50,
    TLS_AD_DECRYPT_ERROR = 51,
    TLS_AD_PROTOCOL_VERSION = 70,
    TLS_AD_INTERNAL_ERROR = 80,
    TLS_AD_MISSING_EXTENSION = 109,
    TLS_AD_UNRECOGNIZED_NAME = 112,
    TLS_AD_NO_APPLICATION_PROTOCOL = 120,
};

/* ---- names ---- */

/* tshark's: "Handshake", "Application Data", ... NULL when unknown. */
const char *tls_ct_name(uint8_t type);
/* tshark's: "Client Hello", "Certificate Verify", ... NULL when unknown. */
const char *tls_hs_name(uint8_t type);
/* tshark's: "Close Notify", "Unknown CA", ... NULL when unknown. */
const char *tls_alert_name(uint8_t desc);
/* OpenSSL's (what curl -v prints): "close notify", "unknown CA", ... */
const char *tls_alert_openssl(uint8_t desc);
/* "TLS 1.2", "TLS 1.0", "TLS 1.3" for a version field. */
const char *tls_version_name(uint16_t v);

#endif
