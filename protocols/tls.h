/* tls.h - netstep's TLS stand-in: a TLS 1.3 handshake and record layer
 * with real framing (tls_wire.h), toy certificates (tls_cert.h) and a TOY
 * cipher (tls_toy.h) - "TOY cipher - not secure, for teaching". It makes
 * HTTPS, SMTPS, POP3S and IMAPS look and behave like the real thing on the
 * wire (tshark dissects the handshake, the page turns into Application
 * Data) and lets clients refuse a certificate as curl does.
 *
 * Three layers, each usable alone:
 *
 * 1. The session (tls_session_*): the handshake state machine and record
 *    protection for one side of one connection, with no network: bytes in
 *    (tls_session_input), bytes out (io->send), plaintext both ways. The
 *    flight is RFC 8446's 1-RTT handshake:
 *      client: ClientHello                      (record 22, version 0x0301)
 *      server: ServerHello                      (record 22)
 *              ChangeCipherSpec                 (record 20, middlebox compat)
 *              {EncryptedExtensions} {Certificate} {CertificateVerify}
 *              {Finished}                       (each its own record 23)
 *      client: ChangeCipherSpec {Finished}
 *      both:   [application data]               (records 23)
 *    where {} is protected with handshake keys and [] with application
 *    keys, as in real TLS 1.3: everything after ServerHello is
 *    application_data on the wire. The server may send data right after
 *    its Finished (0.5-RTT data, RFC 8446 2), so a mail server's greeting
 *    leaves at once.
 *
 * 2. The connection (tls_conn_*): a session run over a TCP connection,
 *    with an unbounded send queue and callbacks shaped like tcp.h's.
 *    textconn.h runs over it transparently (text_conn_new_tls), which is
 *    how the HTTP and mail servers get their TLS ports; curl uses it
 *    directly.
 *
 * 3. The node's TLS state (tls_node_*): its server identity (certificate
 *    and key), the CAs it trusts, and the key log. Owned by the stack
 *    (st->tls), freed by tls_free.
 *
 * The key log: like SSLKEYLOGFILE, every session's traffic secrets, plus
 * where each record it sent lies in the TCP stream, so that a dissector
 * holding one segment can decrypt it (tls_keylog_decrypt): the
 * "Decrypted TLS (toy cipher)" layer of the GUI inspector and --layers.
 * Sessions log only when someone looks (TRACE_LAYERS is on when the
 * connection starts): batch runs pay nothing. */
#ifndef NETSTEP_TLS_H
#define NETSTEP_TLS_H

#include "tcp.h"
#include "tls_cert.h"
#include "tls_wire.h"

#define TLS_EPOCH      SIM_EPOCH_UNIX
#define HTTPS_PORT     443
#define SMTPS_PORT     465
#define IMAPS_PORT     993
#define POP3S_PORT     995
#define TLS_SUITE_NAME "TLS_AES_128_GCM_SHA256"
#define TLS_TOY_NOTE   "TOY cipher - not secure, for teaching"

/* ---- identities and trust ---- */

/* A certificate and the private key that goes with it. */
struct tls_identity {
    struct tls_cert cert;
    uint64_t priv;
};

/* A CA: a self-signed CA certificate named `name`, its key derived from
 * the scenario's seed and the name. Valid from 30 days before time 0 for
 * valid_days days. False when the name is no good (tls_name_ok). */
bool tls_ca_make(struct tls_identity *ca, uint64_t seed, const char *name, int valid_days);
/* A server's identity for node `node`: CN = the node's name, subject
 * alternative names = the node's name then `names`; signed by ca, or
 * self-signed when ca is NULL. Its key comes from the seed and the node's
 * name. */
bool tls_identity_make(struct tls_identity *id, uint64_t seed, const char *node,
                       const char *const *names, int n_names, const struct tls_identity *ca,
                       int valid_days);

/* ---- the session ---- */

struct tls_session;

/* One thing a session sent or received, for clients that narrate it
 * (curl -v) and for the trace. */
enum tls_ev_kind {
    TLS_EV_RECORD,    /* a record header: type = content type, version */
    TLS_EV_HANDSHAKE, /* a handshake message: type = its type */
    TLS_EV_CCS,       /* a change_cipher_spec record */
    TLS_EV_ALERT,     /* type = description, level */
    TLS_EV_DATA,      /* application data: len plaintext bytes in one record */
};
struct tls_event {
    enum tls_ev_kind kind;
    bool out; /* sent (else received) */
    uint8_t type, level;
    uint16_t version;
    size_t len;
};

/* What ended a session badly. */
struct tls_error {
    uint8_t alert; /* the fatal alert's description */
    bool sent;     /* this side sent it (else the peer did) */
    int verify;    /* a TLS_V_* code when the peer's certificate was refused, else 0 */
    char why[240]; /* one sentence */
};

struct tls_session_io {
    void (*send)(void *ctx, const uint8_t *data, size_t len); /* bytes for the wire */
    void (*ready)(void *ctx);                                 /* the handshake completed */
    void (*data)(void *ctx, const uint8_t *data, size_t len); /* decrypted application data */
    void (*close_notify)(void *ctx);                          /* the peer's close_notify */
    void (*failed)(void *ctx, const struct tls_error *e);     /* a fatal alert, sent or received */
    void (*event)(void *ctx, const struct tls_event *ev);     /* may be NULL */
};

struct tls_client_conf {
    const char *sni;  /* server_name, and the name checked; NULL or an address: no SNI */
    const char *alpn; /* offered ("http/1.1"), NULL = none */
    bool verify;      /* check the chain and the name (curl without -k) */
    const struct tls_cert *trusted; /* the CAs the client trusts */
    int n_trusted;
    int64_t now; /* Unix seconds, for validity */
};

struct tls_server_conf {
    const struct tls_identity *id;
    const char *alpn; /* the one protocol served ("http/1.1"), NULL = no ALPN */
};

struct tls_keylog_dir; /* below */

/* A session draws its random values from rng at once. The conf (and
 * what it points to) must outlive the session. */
struct tls_session *tls_session_client(const struct tls_client_conf *cf, struct rng *rng,
                                       const struct tls_session_io *io, void *ctx);
struct tls_session *tls_session_server(const struct tls_server_conf *cf, struct rng *rng,
                                       const struct tls_session_io *io, void *ctx);
/* Client: sends ClientHello. */
void tls_session_start(struct tls_session *s);
/* Bytes from the wire. */
void tls_session_input(struct tls_session *s, const uint8_t *data, size_t len);
/* Plaintext to protect and send; kept until the session may send. */
void tls_session_write(struct tls_session *s, const void *data, size_t len);
/* Sends close_notify (once). */
void tls_session_close(struct tls_session *s);
/* Stops all processing and callbacks (the owner is going away). */
void tls_session_halt(struct tls_session *s);
void tls_session_free(struct tls_session *s);
/* Records what this session sends, and its secrets, into log. */
void tls_session_set_log(struct tls_session *s, struct tls_keylog_dir *log);

bool tls_session_ready(const struct tls_session *s);
bool tls_session_failed(const struct tls_session *s);
const struct tls_error *tls_session_error(const struct tls_session *s);
/* The server's certificate as the client received it (NULL before). */
const struct tls_cert *tls_session_peer_cert(const struct tls_session *s);
/* Client: what the chain check found (TLS_V_*), also with verify off. */
int tls_session_verify_result(const struct tls_session *s);
/* The name of the certificate that matched the SNI, NULL when none. */
const char *tls_session_matched_name(const struct tls_session *s);
const char *tls_session_alpn(const struct tls_session *s); /* "" = none */
const char *tls_session_sni(const struct tls_session *s);  /* server: what the client asked */
const uint8_t *tls_session_client_random(const struct tls_session *s);
size_t tls_session_pending(const struct tls_session *s); /* plaintext not yet sendable */

/* ---- the connection: a session over TCP ---- */

struct tls_conn;

struct tls_conn_callbacks {
    void (*ready)(void *ctx, struct tls_conn *tc);
    void (*recv)(void *ctx, struct tls_conn *tc, const uint8_t *data, size_t len);
    void (*peer_closed)(void *ctx, struct tls_conn *tc); /* TCP FIN */
    void (*closed)(void *ctx, struct tls_conn *tc, enum tcp_reason why);
    /* A fatal alert: the TCP connection closes after it (closed follows). */
    void (*failed)(void *ctx, struct tls_conn *tc, const struct tls_error *e);
    void (*event)(void *ctx, struct tls_conn *tc, const struct tls_event *ev);
};

/* Takes over c's callbacks (c must be established). The client sends its
 * ClientHello at once. The tls_conn is freed right after its closed
 * callback returns; the TCP connection's closing is its business. */
struct tls_conn *tls_conn_client(struct tcp_conn *c, const struct tls_client_conf *cf,
                                 const struct tls_conn_callbacks *cb, void *ctx);
struct tls_conn *tls_conn_server(struct tcp_conn *c, const struct tls_server_conf *cf,
                                 const struct tls_conn_callbacks *cb, void *ctx);
/* The same on a connection that already carried `sent` bytes out and
 * `rcvd` bytes in as plaintext (STARTTLS, RFC 3207 and friends): the
 * key log places the session's records after them in the stream. */
struct tls_conn *tls_conn_client_at(struct tcp_conn *c, uint64_t sent, uint64_t rcvd,
                                    const struct tls_client_conf *cf,
                                    const struct tls_conn_callbacks *cb, void *ctx);
struct tls_conn *tls_conn_server_at(struct tcp_conn *c, uint64_t sent, uint64_t rcvd,
                                    const struct tls_server_conf *cf,
                                    const struct tls_conn_callbacks *cb, void *ctx);
void tls_conn_set_callbacks(struct tls_conn *tc, const struct tls_conn_callbacks *cb, void *ctx);
/* Queues plaintext (no limit). */
void tls_conn_send(struct tls_conn *tc, const void *data, size_t len);
/* close_notify, then FIN once everything queued has gone to TCP. */
void tls_conn_close(struct tls_conn *tc);
/* RST now; closed runs (TCP_REASON_RESET) and tc is freed. */
void tls_conn_abort(struct tls_conn *tc);
/* The app is done with tc: no callback any more; it closes gracefully
 * (close_notify, FIN) and frees itself. */
void tls_conn_forget(struct tls_conn *tc);
/* Frees tc without a word, for a stack being torn down (see
 * text_conn_release). */
void tls_conn_release(struct tls_conn *tc);
size_t tls_conn_pending(const struct tls_conn *tc);
struct tcp_conn *tls_conn_tcp(const struct tls_conn *tc);
const struct tls_session *tls_conn_session(const struct tls_conn *tc);

/* ---- the node's TLS state ---- */

struct tls_node;
/* Sets the identity the node's TLS servers present (a copy). */
void tls_node_set_identity(struct netstack *st, const struct tls_identity *id);
const struct tls_identity *tls_node_identity(const struct netstack *st);
/* Adds a CA the node trusts (a copy). */
void tls_node_trust(struct netstack *st, const struct tls_cert *ca);
/* The CAs the node trusts. */
const struct tls_cert *tls_node_trusted(const struct netstack *st, int *n);
/* The server conf for the node's TLS services (identity + ALPN), owned
 * by the node; NULL when the node has no identity. */
const struct tls_server_conf *tls_node_server_conf(struct netstack *st, const char *alpn);
/* Frees the node's TLS state and any connection still open (stack_free,
 * after the apps released theirs, before tcp_free). */
void tls_free(struct netstack *st);

/* ---- the key log ---- */

/* One record a session sent. */
struct tls_log_rec {
    uint32_t off;  /* where its header starts, in the session's byte stream */
    uint16_t len;  /* fragment length */
    uint8_t type;  /* outer content type */
    uint8_t inner; /* the real content type of a protected record */
    uint8_t epoch; /* 0 plaintext, 1 handshake keys, 2 application keys */
    uint64_t seq;  /* record number under its keys */
};

/* One direction of one session, logged by its sender. */
struct tls_keylog_dir {
    uint32_t seq0;      /* TCP sequence number of the session's first byte this way */
    uint32_t peer_seq0; /* ... and the other way */
    bool server;        /* the sender is the server */
    uint8_t client_random[TLS_RANDOM_LEN];
    uint8_t hs_secret[TOY_HASH_LEN], ap_secret[TOY_HASH_LEN];
    struct toy_key hs_key, ap_key;
    bool has_hs, has_ap;
    struct tls_log_rec *recs;
    size_t n, cap;
    uint64_t bytes; /* logged so far */
};

/* A piece of one record inside a segment. */
struct tls_piece {
    size_t off, len;             /* the record's bytes in the segment */
    size_t rec_at;               /* where off lies in the record (0 = its header starts here) */
    uint16_t rec_len;            /* the record's fragment length */
    uint8_t type;                /* outer content type */
    uint8_t inner;               /* protected: the real content type */
    uint8_t epoch;               /* 0 plaintext, 1 handshake keys, 2 application keys */
    size_t plain_off, plain_len; /* protected: decrypted content bytes in the segment */
    bool plain_first;            /* plain_off is the content's first byte */
    bool plain_last;             /* the content ends inside the segment */
};

/* The TCP payload seg (n bytes) starts at sequence number seq and carries
 * ack: when a key log of sim's nodes covers it, decrypts its protected
 * content in place and describes its records; returns how many pieces (at
 * most max), or -1 when no key log knows the segment. */
int tls_keylog_decrypt(const struct sim *sim, uint32_t seq, uint32_t ack, uint8_t *seg, size_t n,
                       struct tls_piece *pieces, int max);
/* SSLKEYLOGFILE lines for sim's sessions ("CLIENT_TRAFFIC_SECRET_0
 * <client random> <secret>"), in the order logged; returns the length
 * (snprintf-style, out may be NULL). */
size_t tls_keylog_text(const struct sim *sim, char *out, size_t cap);

#endif
