/* tls.c - the TLS stand-in's session: the TLS 1.3 handshake state machine
 * of RFC 8446 (1-RTT, one cipher suite, one group, no resumption, no
 * HelloRetryRequest, no client certificates), record protection with the
 * TOY cipher, alerts; and the identities (certificates and keys) servers
 * present. See tls.h. NOT SECURE, for teaching.
 *
 * Key schedule: HKDF's shape over the toy PRF (tls_toy.h):
 *   handshake = PRF(early, "handshake", DH shared secret)
 *   {c,s} hs traffic = PRF(handshake, "{c,s} hs traffic", H(ClientHello..ServerHello))
 *   master = PRF(handshake, "derived")
 *   {c,s} ap traffic = PRF(master, "{c,s} ap traffic", H(ClientHello..server Finished))
 *   Finished = MAC(PRF(traffic secret, "finished"), H(transcript so far))
 * The choices RFC 8446 leaves open: each handshake message of the server's
 * flight goes in its own record (as OpenSSL does); both sides send a
 * middlebox-compatibility ChangeCipherSpec; a record carries at most 2^14
 * plaintext bytes and no padding; the client checks the server's name
 * against the certificate during the handshake (curl checks it right
 * after), refusing with a bad_certificate alert. */
#include "tls.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    ST_C_START,
    ST_C_WAIT_SH,
    ST_C_WAIT_EE,
    ST_C_WAIT_CERT,
    ST_C_WAIT_CV,
    ST_C_WAIT_FIN,
    ST_S_WAIT_CH,
    ST_S_WAIT_FIN,
    ST_CONNECTED,
    ST_FAILED,
};

struct tls_session {
    bool server;
    int state;
    bool halt;
    const struct tls_client_conf *ccf;
    const struct tls_server_conf *scf;
    const struct tls_session_io *io;
    void *ctx;
    char sni[TLS_SNI_MAX + 1];
    char alpn[TLS_ALPN_MAX + 1];
    uint8_t client_random[TLS_RANDOM_LEN], server_random[TLS_RANDOM_LEN];
    uint8_t sid[32];
    uint8_t sid_len;
    uint64_t dh_priv, dh_pub;
    struct toy_hash transcript;
    uint8_t c_hs[TOY_HASH_LEN], s_hs[TOY_HASH_LEN], master[TOY_HASH_LEN];
    uint8_t c_ap[TOY_HASH_LEN], s_ap[TOY_HASH_LEN];
    struct toy_key rkey, wkey;
    int repoch, wepoch; /* 0 none, 1 handshake, 2 application */
    uint64_t rseq, wseq;
    bool sent_first; /* the first record went out (0x0301 before) */
    bool can_write;  /* application data may be sent */
    bool closed_sent, closed_got;
    /* input: bytes not yet a whole record; handshake bytes not yet a whole message */
    uint8_t *in;
    size_t in_len, in_cap;
    uint8_t *hs;
    size_t hs_len, hs_cap;
    uint8_t *pend; /* plaintext written before can_write */
    size_t pend_len, pend_cap;
    /* the server's certificates, as received */
    struct tls_cert peer[TLS_CHAIN_MAX];
    int n_peer;
    int verify;
    const char *matched;
    struct tls_error err;
    uint64_t tx; /* bytes sent so far */
    struct tls_keylog_dir *log;
    uint8_t rec[TLS_RECORD_HDR + TLS_CIPHER_MAX];
};

static void grow(uint8_t **buf, size_t *cap, size_t need)
{
    if (need <= *cap) return;
    size_t c = *cap ? *cap : 1024;
    while (c < need)
        c *= 2;
    uint8_t *b = realloc(*buf, c);
    if (!b) abort();
    *buf = b;
    *cap = c;
}

/* ---- identities ---- */

static uint64_t derive_bits(uint64_t seed, const char *what, const char *name)
{
    char label[200];
    snprintf(label, sizeof label, "tls-%s:%s", what, name);
    struct rng r;
    rng_derive(&r, seed, label);
    return rng_next(&r);
}

bool tls_ca_make(struct tls_identity *ca, uint64_t seed, const char *name, int valid_days)
{
    memset(ca, 0, sizeof *ca);
    if (!tls_name_ok(name)) return false;
    ca->priv = toy_private(derive_bits(seed, "key", name));
    int64_t nb = TLS_EPOCH - 30 * INT64_C(86400);
    uint64_t serial = derive_bits(seed, "serial", name) & 0xffffffffu;
    return tls_cert_make(&ca->cert, name, name, serial, nb, nb + valid_days * INT64_C(86400), NULL,
                         0, true, toy_public(ca->priv), ca->priv);
}

bool tls_identity_make(struct tls_identity *id, uint64_t seed, const char *node,
                       const char *const *names, int n_names, const struct tls_identity *ca,
                       int valid_days)
{
    memset(id, 0, sizeof *id);
    if (!tls_name_ok(node)) return false;
    const char *san[TLS_CERT_SAN_MAX];
    int n = 0;
    san[n++] = node;
    for (int i = 0; i < n_names && n < TLS_CERT_SAN_MAX; i++) {
        bool dup = false;
        for (int k = 0; k < n; k++)
            dup |= strcasecmp(san[k], names[i]) == 0;
        if (!dup) san[n++] = names[i];
    }
    id->priv = toy_private(derive_bits(seed, "key", node));
    int64_t nb = TLS_EPOCH - 30 * INT64_C(86400);
    uint64_t serial = derive_bits(seed, "serial", node) & 0xffffffffu;
    return tls_cert_make(&id->cert, node, ca ? ca->cert.subject : node, serial, nb,
                         nb + valid_days * INT64_C(86400), san, n, false, toy_public(id->priv),
                         ca ? ca->priv : id->priv);
}

/* ---- the key schedule ---- */

static void transcript_add(struct tls_session *s, const uint8_t *msg, size_t len)
{
    toy_hash_update(&s->transcript, msg, len);
}

static void transcript_hash(const struct tls_session *s, uint8_t out[TOY_HASH_LEN])
{
    toy_hash_final(&s->transcript, out);
}

static void keys_handshake(struct tls_session *s, uint64_t shared)
{
    uint8_t early[TOY_HASH_LEN], hs[TOY_HASH_LEN], th[TOY_HASH_LEN], sh[8];
    toy_hash("netstep toy early secret", 24, early);
    for (int i = 0; i < 8; i++)
        sh[i] = (uint8_t)(shared >> (56 - 8 * i));
    toy_prf(early, "handshake", sh, 8, hs, sizeof hs);
    transcript_hash(s, th);
    toy_prf(hs, "c hs traffic", th, sizeof th, s->c_hs, TOY_HASH_LEN);
    toy_prf(hs, "s hs traffic", th, sizeof th, s->s_hs, TOY_HASH_LEN);
    toy_prf(hs, "derived", NULL, 0, s->master, TOY_HASH_LEN);
}

static void keys_application(struct tls_session *s)
{
    uint8_t th[TOY_HASH_LEN];
    transcript_hash(s, th);
    toy_prf(s->master, "c ap traffic", th, sizeof th, s->c_ap, TOY_HASH_LEN);
    toy_prf(s->master, "s ap traffic", th, sizeof th, s->s_ap, TOY_HASH_LEN);
}

static void finished_data(const struct tls_session *s, const uint8_t secret[TOY_HASH_LEN],
                          uint8_t out[TLS_FINISHED_LEN])
{
    uint8_t fk[TOY_HASH_LEN], th[TOY_HASH_LEN];
    toy_prf(secret, "finished", NULL, 0, fk, sizeof fk);
    transcript_hash(s, th);
    toy_mac(fk, th, sizeof th, out);
}

/* RFC 8446 4.4.3: 64 spaces, the context string, a zero byte, the hash. */
static size_t cv_content(const struct tls_session *s, uint8_t *out)
{
    static const char label[] = "TLS 1.3, server CertificateVerify";
    memset(out, 0x20, 64);
    memcpy(out + 64, label, sizeof label); /* with its NUL: the separator */
    transcript_hash(s, out + 64 + sizeof label);
    return 64 + sizeof label + TOY_HASH_LEN;
}

static void set_write(struct tls_session *s, const uint8_t secret[TOY_HASH_LEN], int epoch)
{
    toy_key_derive(&s->wkey, secret);
    s->wepoch = epoch;
    s->wseq = 0;
    if (!s->log) return;
    if (epoch == 1) {
        memcpy(s->log->hs_secret, secret, TOY_HASH_LEN);
        s->log->hs_key = s->wkey;
        s->log->has_hs = true;
    } else {
        memcpy(s->log->ap_secret, secret, TOY_HASH_LEN);
        s->log->ap_key = s->wkey;
        s->log->has_ap = true;
    }
}

static void set_read(struct tls_session *s, const uint8_t secret[TOY_HASH_LEN], int epoch)
{
    toy_key_derive(&s->rkey, secret);
    s->repoch = epoch;
    s->rseq = 0;
}

/* ---- sending ---- */

static void event(struct tls_session *s, enum tls_ev_kind kind, bool out, uint8_t type,
                  uint8_t level, uint16_t version, size_t len)
{
    if (!s->io->event || s->halt) return;
    struct tls_event ev = {kind, out, type, level, version, len};
    s->io->event(s->ctx, &ev);
}

static void log_record(struct tls_session *s, uint8_t type, uint8_t inner, size_t frag)
{
    struct tls_keylog_dir *l = s->log;
    if (!l) return;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        struct tls_log_rec *r = realloc(l->recs, l->cap * sizeof *r);
        if (!r) abort();
        l->recs = r;
    }
    l->recs[l->n++] = (struct tls_log_rec){(uint32_t)s->tx, (uint16_t)frag,     type,
                                           inner,           (uint8_t)s->wepoch, s->wseq};
    l->bytes = s->tx + TLS_RECORD_HDR + frag;
}

/* One record of content type `type` (the inner type when protected). */
static void send_record(struct tls_session *s, uint8_t type, const uint8_t *data, size_t len)
{
    uint8_t *r = s->rec;
    size_t frag;
    uint16_t version = s->sent_first ? TLS_V12 : TLS_V10;
    if (s->wepoch == 0 || type == TLS_CT_CCS) {
        frag = len;
        tls_record_header(r, type, version, frag);
        memcpy(r + TLS_RECORD_HDR, data, len);
        log_record(s, type, type, frag);
    } else {
        /* RFC 8446 5.2: TLSInnerPlaintext = content || type, then the tag */
        frag = len + 1 + TLS_TAG_LEN;
        tls_record_header(r, TLS_CT_APPDATA, version, frag);
        memcpy(r + TLS_RECORD_HDR, data, len);
        r[TLS_RECORD_HDR + len] = type;
        toy_xor(&s->wkey, s->wseq, 0, r + TLS_RECORD_HDR, len + 1);
        toy_tag(&s->wkey, s->wseq, r, r + TLS_RECORD_HDR, len + 1, r + TLS_RECORD_HDR + len + 1);
        log_record(s, TLS_CT_APPDATA, type, frag);
        s->wseq++;
    }
    s->sent_first = true;
    event(s, TLS_EV_RECORD, true, r[0], 0, version, frag);
    s->io->send(s->ctx, r, TLS_RECORD_HDR + frag);
    s->tx += TLS_RECORD_HDR + frag;
}

static void send_handshake(struct tls_session *s, const uint8_t *msg, size_t len)
{
    transcript_add(s, msg, len);
    send_record(s, TLS_CT_HANDSHAKE, msg, len);
    event(s, TLS_EV_HANDSHAKE, true, msg[0], 0, TLS_V13, len);
}

static void send_ccs(struct tls_session *s)
{
    static const uint8_t one = 1;
    send_record(s, TLS_CT_CCS, &one, 1);
    event(s, TLS_EV_CCS, true, 1, 0, TLS_V13, 1);
}

static void send_alert(struct tls_session *s, uint8_t level, uint8_t desc)
{
    uint8_t a[2] = {level, desc};
    send_record(s, TLS_CT_ALERT, a, 2);
    event(s, TLS_EV_ALERT, true, desc, level, TLS_V13, 2);
}

static void send_data(struct tls_session *s, const uint8_t *p, size_t len)
{
    while (len && !s->halt) {
        size_t k = len < TLS_PLAIN_MAX ? len : TLS_PLAIN_MAX;
        send_record(s, TLS_CT_APPDATA, p, k);
        event(s, TLS_EV_DATA, true, TLS_CT_APPDATA, 0, TLS_V13, k);
        p += k;
        len -= k;
    }
}

static void flush_pending(struct tls_session *s)
{
    if (!s->pend_len) return;
    uint8_t *p = s->pend;
    size_t n = s->pend_len;
    s->pend = NULL;
    s->pend_len = s->pend_cap = 0;
    send_data(s, p, n);
    free(p);
}

/* A fatal error found here: the alert goes out, the session is over. */
static void fail(struct tls_session *s, uint8_t desc, int verify, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(struct tls_session *s, uint8_t desc, int verify, const char *fmt, ...)
{
    if (s->state == ST_FAILED) return;
    s->state = ST_FAILED;
    s->err.alert = desc;
    s->err.sent = true;
    s->err.verify = verify;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err.why, sizeof s->err.why, fmt, ap);
    va_end(ap);
    send_alert(s, TLS_ALERT_FATAL, desc);
    if (!s->halt && s->io->failed) s->io->failed(s->ctx, &s->err);
}

/* ---- the client ---- */

static bool is_ipv4(const char *s)
{
    uint32_t a;
    return ip4_parse_addr(s, &a) != 0;
}

void tls_session_start(struct tls_session *s)
{
    if (s->server || s->state != ST_C_START) return;
    struct tls_client_hello ch;
    memset(&ch, 0, sizeof ch);
    ch.legacy_version = TLS_V12;
    memcpy(ch.random, s->client_random, TLS_RANDOM_LEN);
    ch.sid_len = s->sid_len;
    memcpy(ch.session_id, s->sid, s->sid_len);
    ch.n_suites = 1;
    ch.suites[0] = TLS_AES_128_GCM;
    /* RFC 6066 3: literal addresses are not sent as server_name */
    if (s->sni[0] && !is_ipv4(s->sni)) snprintf(ch.sni, sizeof ch.sni, "%s", s->sni);
    ch.tls13 = true;
    ch.has_share = true;
    ch.share = s->dh_pub;
    ch.sig_toy = true;
    snprintf(ch.alpn, sizeof ch.alpn, "%s", s->alpn);
    uint8_t msg[512];
    size_t n = tls_client_hello_emit(&ch, msg, sizeof msg);
    if (!n) abort(); /* the fields are bounded to fit */
    s->state = ST_C_WAIT_SH;
    send_handshake(s, msg, n);
}

static void client_server_hello(struct tls_session *s, const uint8_t *body, size_t len)
{
    struct tls_server_hello sh;
    if (tls_server_hello_parse(body, len, &sh) != TLS_WIRE_OK) {
        fail(s, TLS_AD_DECODE_ERROR, 0, "The ServerHello does not parse.");
        return;
    }
    if (sh.version != TLS_V13) {
        fail(s, TLS_AD_PROTOCOL_VERSION, 0,
             "The server did not choose TLS 1.3 (no supported_versions 0x0304 in its "
             "ServerHello), the only version this client speaks.");
        return;
    }
    if (sh.suite != TLS_AES_128_GCM || sh.sid_len != s->sid_len ||
        memcmp(sh.session_id, s->sid, s->sid_len) != 0) {
        fail(s, TLS_AD_ILLEGAL_PARAMETER, 0,
             "The ServerHello names a cipher suite or session id the client did not offer.");
        return;
    }
    if (!sh.has_share || sh.share_group != TLS_GROUP_TOY || sh.share < 2 || sh.share >= TOY_P) {
        fail(s, TLS_AD_ILLEGAL_PARAMETER, 0, "The ServerHello has no usable key share.");
        return;
    }
    memcpy(s->server_random, sh.random, TLS_RANDOM_LEN);
    keys_handshake(s, toy_dh(s->dh_priv, sh.share));
    set_read(s, s->s_hs, 1);
    set_write(s, s->c_hs, 1);
    s->state = ST_C_WAIT_EE;
}

static uint8_t verify_alert(int v)
{
    switch (v) {
    case TLS_V_EXPIRED:
        return TLS_AD_CERTIFICATE_EXPIRED;
    case TLS_V_SELF_SIGNED:
    case TLS_V_SELF_SIGNED_IN_CHAIN:
    case TLS_V_NO_LOCAL_ISSUER:
        return TLS_AD_UNKNOWN_CA; /* OpenSSL's choice for these */
    case TLS_V_SIGNATURE:
        return TLS_AD_DECRYPT_ERROR;
    default:
        return TLS_AD_BAD_CERTIFICATE;
    }
}

static void client_certificate(struct tls_session *s, const uint8_t *body, size_t len)
{
    const uint8_t *certs[TLS_CHAIN_MAX];
    size_t lens[TLS_CHAIN_MAX];
    int n;
    if (tls_certificate_parse(body, len, certs, lens, &n) != TLS_WIRE_OK || n == 0) {
        fail(s, TLS_AD_DECODE_ERROR, 0, "The Certificate message does not parse.");
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *bad = tls_cert_parse(certs[i], lens[i], &s->peer[i]);
        if (bad) {
            fail(s, TLS_AD_BAD_CERTIFICATE, 0, "Certificate %d is unreadable: %s.", i, bad);
            return;
        }
    }
    s->n_peer = n;
    const struct tls_client_conf *cf = s->ccf;
    s->verify = tls_cert_verify(s->peer, n, cf->trusted, cf->n_trusted, cf->now);
    s->matched = s->sni[0] ? tls_cert_host_match(&s->peer[0], s->sni) : NULL;
    s->state = ST_C_WAIT_CV;
    if (!cf->verify) return;
    const struct tls_cert *c = &s->peer[0];
    if (s->verify == TLS_V_SELF_SIGNED) {
        fail(s, verify_alert(s->verify), s->verify,
             "The certificate of %s is self-signed (its issuer is itself) and this client does "
             "not trust it, so anyone could have made it: the client refuses to go on.",
             c->subject);
    } else if (s->verify == TLS_V_NO_LOCAL_ISSUER) {
        fail(s, verify_alert(s->verify), s->verify,
             "The certificate of %s is signed by \"%s\", which is not among the CAs this client "
             "trusts, so nothing vouches for it: the client refuses to go on.",
             c->subject, c->issuer);
    } else if (s->verify) {
        fail(s, verify_alert(s->verify), s->verify,
             "The certificate of %s fails verification (%s): the client refuses to go on.",
             c->subject, tls_verify_str(s->verify));
    } else if (s->sni[0] && !s->matched) {
        fail(s, TLS_AD_BAD_CERTIFICATE, TLS_V_HOSTNAME,
             "The certificate is valid, but for other names than \"%s\" (the name the client "
             "asked for), so it may belong to another server: the client refuses to go on.",
             s->sni);
    }
}

static void client_cert_verify(struct tls_session *s, const uint8_t *body, size_t len,
                               const uint8_t *content, size_t clen)
{
    uint16_t scheme;
    struct toy_sig sig;
    if (tls_certificate_verify_parse(body, len, &scheme, &sig.e, &sig.s) != TLS_WIRE_OK) {
        fail(s, TLS_AD_DECODE_ERROR, 0, "The CertificateVerify does not parse.");
        return;
    }
    if (scheme != TLS_SIG_TOY || !toy_verify(s->peer[0].pubkey, content, clen, &sig)) {
        fail(s, TLS_AD_DECRYPT_ERROR, 0,
             "The server's CertificateVerify signature does not check out with the public key "
             "of its certificate: it does not hold the certificate's private key.");
        return;
    }
    s->state = ST_C_WAIT_FIN;
}

static bool finished_ok(const uint8_t *body, size_t len, const uint8_t want[TLS_FINISHED_LEN])
{
    return len == TLS_FINISHED_LEN && memcmp(body, want, TLS_FINISHED_LEN) == 0;
}

static void client_finished(struct tls_session *s, const uint8_t *body, size_t len,
                            const uint8_t want[TLS_FINISHED_LEN], const uint8_t *msg,
                            size_t msg_len)
{
    if (!finished_ok(body, len, want)) {
        fail(s, TLS_AD_DECRYPT_ERROR, 0,
             "The server's Finished does not match the handshake this client saw.");
        return;
    }
    transcript_add(s, msg, msg_len);
    keys_application(s);
    send_ccs(s);
    uint8_t fin[TLS_FINISHED_LEN], m[TLS_HS_HDR + TLS_FINISHED_LEN];
    finished_data(s, s->c_hs, fin);
    tls_finished_emit(fin, m, sizeof m);
    send_handshake(s, m, sizeof m);
    set_write(s, s->c_ap, 2);
    set_read(s, s->s_ap, 2);
    s->state = ST_CONNECTED;
    s->can_write = true;
    if (!s->halt && s->io->ready) s->io->ready(s->ctx);
    if (!s->halt) flush_pending(s);
}

/* ---- the server ---- */

static void server_client_hello(struct tls_session *s, const uint8_t *body, size_t len)
{
    struct tls_client_hello ch;
    if (tls_client_hello_parse(body, len, &ch) != TLS_WIRE_OK) {
        fail(s, TLS_AD_DECODE_ERROR, 0, "The ClientHello does not parse.");
        return;
    }
    snprintf(s->sni, sizeof s->sni, "%s", ch.sni);
    memcpy(s->client_random, ch.random, TLS_RANDOM_LEN);
    if (s->log) memcpy(s->log->client_random, ch.random, TLS_RANDOM_LEN);
    if (!ch.tls13) {
        fail(s, TLS_AD_PROTOCOL_VERSION, 0,
             "The client does not offer TLS 1.3 (supported_versions), the only version this "
             "server speaks.");
        return;
    }
    bool suite = false;
    for (int i = 0; i < ch.n_suites; i++)
        suite |= ch.suites[i] == TLS_AES_128_GCM;
    if (!suite || !ch.has_share || !ch.sig_toy) {
        fail(s, TLS_AD_HANDSHAKE_FAILURE, 0,
             "The client offers nothing this server can use: it needs %s, a key share in the "
             "toy group and toy signatures.",
             TLS_SUITE_NAME);
        return;
    }
    if (ch.share < 2 || ch.share >= TOY_P) {
        fail(s, TLS_AD_ILLEGAL_PARAMETER, 0, "The client's key share is out of range.");
        return;
    }
    const struct tls_server_conf *cf = s->scf;
    if (cf->alpn && ch.alpn[0] && strcmp(cf->alpn, ch.alpn) == 0)
        snprintf(s->alpn, sizeof s->alpn, "%s", cf->alpn);
    s->sid_len = ch.sid_len;
    memcpy(s->sid, ch.session_id, ch.sid_len);
    transcript_add(s, body - TLS_HS_HDR, len + TLS_HS_HDR);

    struct tls_server_hello sh;
    memset(&sh, 0, sizeof sh);
    sh.legacy_version = TLS_V12;
    memcpy(sh.random, s->server_random, TLS_RANDOM_LEN);
    sh.sid_len = s->sid_len;
    memcpy(sh.session_id, s->sid, s->sid_len);
    sh.suite = TLS_AES_128_GCM;
    sh.version = TLS_V13;
    sh.has_share = true;
    sh.share_group = TLS_GROUP_TOY;
    sh.share = s->dh_pub;
    uint8_t msg[TLS_CERT_TEXT_MAX + 64];
    size_t n = tls_server_hello_emit(&sh, msg, sizeof msg);
    s->sent_first = true;
    send_handshake(s, msg, n);
    keys_handshake(s, toy_dh(s->dh_priv, ch.share));
    set_read(s, s->c_hs, 1);
    send_ccs(s);
    set_write(s, s->s_hs, 1);

    n = tls_encrypted_extensions_emit(s->alpn, msg, sizeof msg);
    send_handshake(s, msg, n);
    const uint8_t *certs[1] = {(const uint8_t *)cf->id->cert.text};
    size_t lens[1] = {cf->id->cert.len};
    n = tls_certificate_emit(certs, lens, 1, msg, sizeof msg);
    send_handshake(s, msg, n);
    uint8_t content[200];
    size_t cl = cv_content(s, content);
    struct toy_sig sig;
    toy_sign(cf->id->priv, content, cl, &sig);
    n = tls_certificate_verify_emit(sig.e, sig.s, msg, sizeof msg);
    send_handshake(s, msg, n);
    uint8_t fin[TLS_FINISHED_LEN];
    finished_data(s, s->s_hs, fin);
    n = tls_finished_emit(fin, msg, sizeof msg);
    send_handshake(s, msg, n);
    keys_application(s);
    set_write(s, s->s_ap, 2);
    s->state = ST_S_WAIT_FIN;
    s->can_write = true; /* 0.5-RTT data (RFC 8446 2) */
    flush_pending(s);
}

/* ---- receiving ---- */

/* One whole handshake message (msg = header + body). */
static void handle_handshake(struct tls_session *s, const uint8_t *msg, size_t len)
{
    uint8_t type = msg[0];
    const uint8_t *body = msg + TLS_HS_HDR;
    size_t blen = len - TLS_HS_HDR;
    event(s, TLS_EV_HANDSHAKE, false, type, 0, TLS_V13, len);
    if (s->halt) return;
    int st = s->state;
    static const int wants[ST_FAILED + 1] = {
        [ST_C_WAIT_SH] = TLS_HS_SERVER_HELLO,  [ST_C_WAIT_EE] = TLS_HS_ENCRYPTED_EXTENSIONS,
        [ST_C_WAIT_CERT] = TLS_HS_CERTIFICATE, [ST_C_WAIT_CV] = TLS_HS_CERTIFICATE_VERIFY,
        [ST_C_WAIT_FIN] = TLS_HS_FINISHED,     [ST_S_WAIT_CH] = TLS_HS_CLIENT_HELLO,
        [ST_S_WAIT_FIN] = TLS_HS_FINISHED,
    };
    if (st == ST_CONNECTED && !s->server && type == TLS_HS_NEW_SESSION_TICKET) return;
    if (st == ST_CONNECTED || st == ST_C_START || type != wants[st]) {
        const char *name = tls_hs_name(type);
        fail(s, TLS_AD_UNEXPECTED_MESSAGE, 0,
             "A %s (handshake type %u) arrived where the handshake does not allow it.",
             name ? name : "message", type);
        return;
    }
    switch (st) {
    case ST_C_WAIT_SH:
        transcript_add(s, msg, len);
        client_server_hello(s, body, blen);
        break;
    case ST_C_WAIT_EE:
        transcript_add(s, msg, len);
        if (tls_encrypted_extensions_parse(body, blen, s->alpn) != TLS_WIRE_OK)
            fail(s, TLS_AD_DECODE_ERROR, 0, "The EncryptedExtensions do not parse.");
        else
            s->state = ST_C_WAIT_CERT;
        break;
    case ST_C_WAIT_CERT:
        transcript_add(s, msg, len);
        client_certificate(s, body, blen);
        break;
    case ST_C_WAIT_CV: {
        uint8_t content[200];
        size_t cl = cv_content(s, content); /* the transcript up to Certificate */
        transcript_add(s, msg, len);
        client_cert_verify(s, body, blen, content, cl);
        break;
    }
    case ST_C_WAIT_FIN: {
        uint8_t want[TLS_FINISHED_LEN];
        finished_data(s, s->s_hs, want);
        client_finished(s, body, blen, want, msg, len);
        break;
    }
    case ST_S_WAIT_CH:
        server_client_hello(s, body, blen);
        break;
    case ST_S_WAIT_FIN: {
        uint8_t want[TLS_FINISHED_LEN];
        finished_data(s, s->c_hs, want);
        if (!finished_ok(body, blen, want)) {
            fail(s, TLS_AD_DECRYPT_ERROR, 0,
                 "The client's Finished does not match the handshake this server saw.");
            break;
        }
        transcript_add(s, msg, len);
        set_read(s, s->c_ap, 2);
        s->state = ST_CONNECTED;
        if (s->io->ready) s->io->ready(s->ctx);
        break;
    }
    }
}

static void handshake_bytes(struct tls_session *s, const uint8_t *p, size_t len)
{
    if (s->hs_len + len > TLS_HS_MAX + TLS_HS_HDR) {
        fail(s, TLS_AD_DECODE_ERROR, 0, "A handshake message is longer than 64 KiB.");
        return;
    }
    grow(&s->hs, &s->hs_cap, s->hs_len + len);
    memcpy(s->hs + s->hs_len, p, len);
    s->hs_len += len;
    size_t at = 0;
    while (!s->halt && s->state != ST_FAILED) {
        uint8_t type;
        uint32_t blen;
        if (tls_hs_parse(s->hs + at, s->hs_len - at, &type, &blen) != TLS_WIRE_OK) {
            if (s->hs_len - at >= TLS_HS_HDR && blen > TLS_HS_MAX)
                fail(s, TLS_AD_DECODE_ERROR, 0, "A handshake message is longer than 64 KiB.");
            break;
        }
        int epoch = s->repoch;
        /* the message may be handled after the buffer moves: copy it out */
        size_t ml = TLS_HS_HDR + blen;
        uint8_t *m = malloc(ml);
        if (!m) abort();
        memcpy(m, s->hs + at, ml);
        at += ml;
        handle_handshake(s, m, ml);
        free(m);
        /* RFC 8446 5.1: handshake messages must not span a key change */
        if (s->repoch != epoch && at < s->hs_len && s->state != ST_FAILED && !s->halt) {
            fail(s, TLS_AD_UNEXPECTED_MESSAGE, 0,
                 "Handshake data followed a key change in the same record.");
        }
    }
    if (s->halt) return;
    memmove(s->hs, s->hs + at, s->hs_len - at);
    s->hs_len -= at;
}

static void handle_alert(struct tls_session *s, const uint8_t *p, size_t len)
{
    if (len != 2) {
        fail(s, TLS_AD_DECODE_ERROR, 0, "An alert is two bytes.");
        return;
    }
    event(s, TLS_EV_ALERT, false, p[1], p[0], TLS_V13, 2);
    if (s->halt) return;
    if (p[1] == TLS_AD_CLOSE_NOTIFY) {
        s->closed_got = true;
        if (s->io->close_notify) s->io->close_notify(s->ctx);
        return;
    }
    /* RFC 8446 6.2: every other alert ends the connection */
    s->state = ST_FAILED;
    s->err.alert = p[1];
    s->err.sent = false;
    s->err.verify = 0;
    const char *name = tls_alert_name(p[1]);
    snprintf(s->err.why, sizeof s->err.why,
             "The peer sent a fatal alert (%s, %u): it refuses to go on with this connection.",
             name ? name : "unknown", p[1]);
    if (s->io->failed) s->io->failed(s->ctx, &s->err);
}

/* One whole record at s->in + at (modified in place: decrypted). */
static void handle_record(struct tls_session *s, uint8_t *rec, const struct tls_record *r)
{
    event(s, TLS_EV_RECORD, false, r->type, 0, r->version, r->len);
    if (s->halt) return;
    if (s->closed_got) return; /* nothing counts after close_notify */
    if (r->type == TLS_CT_CCS) {
        /* RFC 8446 5: one byte 0x01, only during the handshake */
        if (r->len != 1 || r->frag[0] != 1 || s->state == ST_CONNECTED ||
            s->state == ST_S_WAIT_CH || s->state == ST_C_WAIT_SH)
            fail(s, TLS_AD_UNEXPECTED_MESSAGE, 0,
                 "A ChangeCipherSpec record is allowed only once, during the handshake.");
        else
            event(s, TLS_EV_CCS, false, 1, 0, TLS_V13, 1);
        return;
    }
    if (r->type != TLS_CT_APPDATA) {
        if (s->repoch) {
            fail(s, TLS_AD_UNEXPECTED_MESSAGE, 0,
                 "A plaintext record arrived after the keys changed: everything is protected "
                 "from here on.");
            return;
        }
        if (r->len == 0) {
            fail(s, TLS_AD_UNEXPECTED_MESSAGE, 0, "An empty record.");
            return;
        }
        if (r->type == TLS_CT_ALERT)
            handle_alert(s, r->frag, r->len);
        else
            handshake_bytes(s, r->frag, r->len);
        return;
    }
    if (!s->repoch) {
        fail(s, TLS_AD_UNEXPECTED_MESSAGE, 0,
             "An application_data record arrived before any key was agreed.");
        return;
    }
    if (r->len < 1 + TLS_TAG_LEN || r->len > TLS_PLAIN_MAX + 1 + TLS_TAG_LEN) {
        fail(s, r->len < 1 + TLS_TAG_LEN ? TLS_AD_DECODE_ERROR : TLS_AD_RECORD_OVERFLOW, 0,
             "A protected record of %u bytes cannot hold a content type and a tag.", r->len);
        return;
    }
    uint8_t *ct = rec + TLS_RECORD_HDR;
    size_t clen = r->len - TLS_TAG_LEN;
    uint8_t tag[TLS_TAG_LEN];
    toy_tag(&s->rkey, s->rseq, rec, ct, clen, tag);
    if (memcmp(tag, ct + clen, TLS_TAG_LEN) != 0) {
        fail(s, TLS_AD_BAD_RECORD_MAC, 0,
             "A record's tag does not match: it was changed on the way, or made with other "
             "keys.");
        return;
    }
    toy_xor(&s->rkey, s->rseq, 0, ct, clen);
    s->rseq++;
    /* strip zero padding; the last non-zero byte is the real type */
    while (clen && ct[clen - 1] == 0)
        clen--;
    if (!clen) {
        fail(s, TLS_AD_UNEXPECTED_MESSAGE, 0, "A protected record holds no content type.");
        return;
    }
    uint8_t inner = ct[--clen];
    if (inner == TLS_CT_HANDSHAKE && clen) {
        handshake_bytes(s, ct, clen);
    } else if (inner == TLS_CT_ALERT) {
        handle_alert(s, ct, clen);
    } else if (inner == TLS_CT_APPDATA && s->repoch == 2) {
        event(s, TLS_EV_DATA, false, inner, 0, TLS_V13, clen);
        if (!s->halt && clen && s->io->data) s->io->data(s->ctx, ct, clen);
    } else {
        fail(s, TLS_AD_UNEXPECTED_MESSAGE, 0,
             "A protected record of type %u arrived where it is not allowed.", inner);
    }
}

void tls_session_input(struct tls_session *s, const uint8_t *data, size_t len)
{
    if (s->halt || s->state == ST_FAILED || !len) return;
    grow(&s->in, &s->in_cap, s->in_len + len);
    memcpy(s->in + s->in_len, data, len);
    s->in_len += len;
    size_t at = 0;
    while (!s->halt && s->state != ST_FAILED) {
        struct tls_record r;
        int rc = tls_record_parse(s->in + at, s->in_len - at, &r);
        if (rc == TLS_WIRE_SHORT) break;
        if (rc != TLS_WIRE_OK) {
            fail(s, rc == TLS_WIRE_LONG ? TLS_AD_RECORD_OVERFLOW : TLS_AD_DECODE_ERROR, 0, "%s",
                 rc == TLS_WIRE_LONG ? "A record is longer than 2^14 + 256 bytes."
                                     : "Bytes arrived that are not a TLS record.");
            break;
        }
        uint8_t *rec = s->in + at;
        at += TLS_RECORD_HDR + r.len;
        handle_record(s, rec, &r);
    }
    if (s->halt) return;
    if (s->state == ST_FAILED) {
        s->in_len = 0;
        return;
    }
    memmove(s->in, s->in + at, s->in_len - at);
    s->in_len -= at;
}

/* ---- the public surface ---- */

/* Bytes from the RNG in a fixed order, so captures match on any machine. */
static void fill_random(struct rng *rng, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = rng_next(rng);
        for (size_t k = 0; k < 8 && i + k < n; k++)
            out[i + k] = (uint8_t)(v >> (56 - 8 * k));
    }
}

static struct tls_session *session_new(struct rng *rng, const struct tls_session_io *io, void *ctx)
{
    struct tls_session *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->io = io;
    s->ctx = ctx;
    fill_random(rng, s->server_random, TLS_RANDOM_LEN);
    s->dh_priv = toy_private(rng_next(rng));
    s->dh_pub = toy_public(s->dh_priv);
    toy_hash_init(&s->transcript);
    return s;
}

struct tls_session *tls_session_client(const struct tls_client_conf *cf, struct rng *rng,
                                       const struct tls_session_io *io, void *ctx)
{
    struct tls_session *s = session_new(rng, io, ctx);
    memcpy(s->client_random, s->server_random, TLS_RANDOM_LEN);
    memset(s->server_random, 0, TLS_RANDOM_LEN);
    /* RFC 8446 D.4: a 32-byte legacy_session_id for middlebox compatibility */
    s->sid_len = 32;
    fill_random(rng, s->sid, 32);
    s->ccf = cf;
    s->state = ST_C_START;
    if (cf->sni) snprintf(s->sni, sizeof s->sni, "%s", cf->sni);
    if (cf->alpn) snprintf(s->alpn, sizeof s->alpn, "%s", cf->alpn);
    return s;
}

struct tls_session *tls_session_server(const struct tls_server_conf *cf, struct rng *rng,
                                       const struct tls_session_io *io, void *ctx)
{
    struct tls_session *s = session_new(rng, io, ctx);
    s->server = true;
    s->scf = cf;
    s->state = ST_S_WAIT_CH;
    return s;
}

void tls_session_write(struct tls_session *s, const void *data, size_t len)
{
    if (s->halt || s->state == ST_FAILED || s->closed_sent || !len) return;
    if (!s->can_write) {
        grow(&s->pend, &s->pend_cap, s->pend_len + len);
        memcpy(s->pend + s->pend_len, data, len);
        s->pend_len += len;
        return;
    }
    send_data(s, data, len);
}

void tls_session_close(struct tls_session *s)
{
    if (s->halt || s->state == ST_FAILED || s->closed_sent) return;
    if (s->can_write) flush_pending(s);
    s->closed_sent = true;
    send_alert(s, TLS_ALERT_WARNING, TLS_AD_CLOSE_NOTIFY);
}

void tls_session_halt(struct tls_session *s)
{
    s->halt = true;
}

void tls_session_free(struct tls_session *s)
{
    if (!s) return;
    free(s->in);
    free(s->hs);
    free(s->pend);
    free(s);
}

void tls_session_set_log(struct tls_session *s, struct tls_keylog_dir *log)
{
    s->log = log;
    if (!log) return;
    log->server = s->server;
    memcpy(log->client_random, s->client_random, TLS_RANDOM_LEN);
}

bool tls_session_ready(const struct tls_session *s)
{
    return s->state == ST_CONNECTED;
}

bool tls_session_failed(const struct tls_session *s)
{
    return s->state == ST_FAILED;
}

const struct tls_error *tls_session_error(const struct tls_session *s)
{
    return s->state == ST_FAILED ? &s->err : NULL;
}

const struct tls_cert *tls_session_peer_cert(const struct tls_session *s)
{
    return s->n_peer ? &s->peer[0] : NULL;
}

int tls_session_verify_result(const struct tls_session *s)
{
    return s->verify;
}

const char *tls_session_matched_name(const struct tls_session *s)
{
    return s->matched;
}

const char *tls_session_alpn(const struct tls_session *s)
{
    return s->alpn;
}

const char *tls_session_sni(const struct tls_session *s)
{
    return s->sni;
}

const uint8_t *tls_session_client_random(const struct tls_session *s)
{
    return s->client_random;
}

size_t tls_session_pending(const struct tls_session *s)
{
    return s->pend_len;
}
