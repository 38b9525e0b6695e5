/* tls_wire.c - TLS 1.3 records, handshake messages, extensions and alerts
 * on the wire (RFC 8446). See tls_wire.h for what is real and what is the
 * toy's. */
#include "tls_wire.h"

#include <string.h>

/* ---- a bounded writer and reader ---- */

struct wr {
    uint8_t *p;
    size_t cap, len;
    bool over;
};

static void w_bytes(struct wr *w, const void *b, size_t n)
{
    if (w->over || n > w->cap - w->len) {
        w->over = true;
        return;
    }
    if (n) memcpy(w->p + w->len, b, n);
    w->len += n;
}

static void w_u8(struct wr *w, unsigned v)
{
    uint8_t b = (uint8_t)v;
    w_bytes(w, &b, 1);
}

static void w_u16(struct wr *w, unsigned v)
{
    uint8_t b[2];
    put_be16(b, (uint16_t)v);
    w_bytes(w, b, 2);
}

static void w_u24(struct wr *w, size_t v)
{
    uint8_t b[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    w_bytes(w, b, 3);
}

static void w_u64(struct wr *w, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (56 - 8 * i));
    w_bytes(w, b, 8);
}

/* A length field of `width` bytes, filled in by w_close. */
static size_t w_open(struct wr *w, int width)
{
    size_t at = w->len;
    uint8_t z[3] = {0};
    w_bytes(w, z, (size_t)width);
    return at;
}

static void w_close(struct wr *w, size_t at, int width)
{
    if (w->over) return;
    size_t n = w->len - at - (size_t)width;
    uint64_t limit = width == 1 ? 0xff : width == 2 ? 0xffff : 0xffffff;
    if (n > limit) {
        w->over = true;
        return;
    }
    for (int i = 0; i < width; i++)
        w->p[at + (size_t)i] = (uint8_t)(n >> (8 * (width - 1 - i)));
}

static size_t w_done(const struct wr *w)
{
    return w->over ? 0 : w->len;
}

struct rd {
    const uint8_t *p;
    size_t n, off;
    bool bad;
};

static bool r_need(struct rd *r, size_t k)
{
    if (r->bad || k > r->n - r->off) r->bad = true;
    return !r->bad;
}

static unsigned r_u8(struct rd *r)
{
    return r_need(r, 1) ? r->p[r->off++] : 0;
}

static unsigned r_u16(struct rd *r)
{
    if (!r_need(r, 2)) return 0;
    unsigned v = get_be16(r->p + r->off);
    r->off += 2;
    return v;
}

static size_t r_u24(struct rd *r)
{
    if (!r_need(r, 3)) return 0;
    const uint8_t *b = r->p + r->off;
    r->off += 3;
    return (size_t)b[0] << 16 | (size_t)b[1] << 8 | b[2];
}

static uint64_t r_u64(struct rd *r)
{
    if (!r_need(r, 8)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | r->p[r->off + (size_t)i];
    r->off += 8;
    return v;
}

static const uint8_t *r_bytes(struct rd *r, size_t k)
{
    if (!r_need(r, k)) return NULL;
    const uint8_t *b = r->p + r->off;
    r->off += k;
    return b;
}

/* A sub-reader over the next vector with a `width`-byte length. */
static struct rd r_vec(struct rd *r, int width)
{
    size_t k = width == 1 ? r_u8(r) : width == 2 ? r_u16(r) : r_u24(r);
    const uint8_t *b = r_bytes(r, k);
    struct rd sub = {b, b ? k : 0, 0, r->bad};
    return sub;
}

static bool r_end(const struct rd *r)
{
    return !r->bad && r->off == r->n;
}

/* ---- records ---- */

int tls_record_parse(const uint8_t *buf, size_t n, struct tls_record *r)
{
    if (n < TLS_RECORD_HDR) return TLS_WIRE_SHORT;
    uint8_t type = buf[0];
    if (type < TLS_CT_CCS || type > TLS_CT_APPDATA) return TLS_WIRE_TYPE;
    uint16_t v = get_be16(buf + 1);
    if ((v >> 8) != 3) return TLS_WIRE_VERSION;
    uint16_t len = get_be16(buf + 3);
    /* RFC 8446 5.1/5.2: at most 2^14 bytes, 2^14 + 256 protected */
    if (len > TLS_CIPHER_MAX) return TLS_WIRE_LONG;
    if (n < TLS_RECORD_HDR + (size_t)len) return TLS_WIRE_SHORT;
    r->type = type;
    r->version = v;
    r->len = len;
    r->frag = buf + TLS_RECORD_HDR;
    return TLS_WIRE_OK;
}

void tls_record_header(uint8_t hdr[TLS_RECORD_HDR], uint8_t type, uint16_t version, size_t len)
{
    hdr[0] = type;
    put_be16(hdr + 1, version);
    put_be16(hdr + 3, (uint16_t)len);
}

/* ---- handshake headers ---- */

int tls_hs_parse(const uint8_t *buf, size_t n, uint8_t *type, uint32_t *body_len)
{
    if (n < TLS_HS_HDR) return TLS_WIRE_SHORT;
    *type = buf[0];
    *body_len = (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
    if (n - TLS_HS_HDR < *body_len) return TLS_WIRE_SHORT;
    return TLS_WIRE_OK;
}

void tls_hs_header(uint8_t hdr[TLS_HS_HDR], uint8_t type, size_t body_len)
{
    hdr[0] = type;
    hdr[1] = (uint8_t)(body_len >> 16);
    hdr[2] = (uint8_t)(body_len >> 8);
    hdr[3] = (uint8_t)body_len;
}

/* ---- extensions ---- */

bool tls_ext_next(const uint8_t *buf, size_t n, size_t *off, uint16_t *type, const uint8_t **body,
                  uint16_t *len, bool *bad)
{
    *bad = false;
    if (*off >= n) return false;
    if (n - *off < 4) {
        *bad = true;
        return false;
    }
    *type = get_be16(buf + *off);
    *len = get_be16(buf + *off + 2);
    if (n - *off - 4 < *len) {
        *bad = true;
        return false;
    }
    *body = buf + *off + 4;
    *off += 4 + (size_t)*len;
    return true;
}

/* ---- ClientHello (RFC 8446 4.1.2) ---- */

size_t tls_client_hello_emit(const struct tls_client_hello *ch, uint8_t *buf, size_t cap)
{
    struct wr w = {buf, cap, 0, false};
    w_u8(&w, TLS_HS_CLIENT_HELLO);
    size_t body = w_open(&w, 3);
    w_u16(&w, ch->legacy_version);
    w_bytes(&w, ch->random, TLS_RANDOM_LEN);
    w_u8(&w, ch->sid_len);
    w_bytes(&w, ch->session_id, ch->sid_len);
    size_t v = w_open(&w, 2);
    for (int i = 0; i < ch->n_suites; i++)
        w_u16(&w, ch->suites[i]);
    w_close(&w, v, 2);
    w_u8(&w, 1); /* legacy_compression_methods: null only */
    w_u8(&w, 0);
    size_t exts = w_open(&w, 2);
    if (ch->sni[0]) {
        size_t sn = strlen(ch->sni);
        w_u16(&w, TLS_EXT_SERVER_NAME);
        w_u16(&w, sn + 5);
        w_u16(&w, sn + 3); /* server_name_list */
        w_u8(&w, 0);       /* host_name */
        w_u16(&w, sn);
        w_bytes(&w, ch->sni, sn);
    }
    w_u16(&w, TLS_EXT_SUPPORTED_GROUPS);
    w_u16(&w, 4);
    w_u16(&w, 2);
    w_u16(&w, TLS_GROUP_TOY);
    if (ch->alpn[0]) {
        size_t an = strlen(ch->alpn);
        w_u16(&w, TLS_EXT_ALPN);
        w_u16(&w, an + 3);
        w_u16(&w, an + 1);
        w_u8(&w, an);
        w_bytes(&w, ch->alpn, an);
    }
    w_u16(&w, TLS_EXT_SIGNATURE_ALGORITHMS);
    w_u16(&w, 4);
    w_u16(&w, 2);
    w_u16(&w, TLS_SIG_TOY);
    if (ch->tls13) {
        w_u16(&w, TLS_EXT_SUPPORTED_VERSIONS);
        w_u16(&w, 3);
        w_u8(&w, 2);
        w_u16(&w, TLS_V13);
    }
    if (ch->has_share) {
        w_u16(&w, TLS_EXT_KEY_SHARE);
        w_u16(&w, 2 + 4 + 8);
        w_u16(&w, 4 + 8); /* client_shares */
        w_u16(&w, TLS_GROUP_TOY);
        w_u16(&w, 8);
        w_u64(&w, ch->share);
    }
    w_close(&w, exts, 2);
    w_close(&w, body, 3);
    return w_done(&w);
}

static void parse_ch_ext(struct tls_client_hello *ch, uint16_t type, struct rd *e)
{
    switch (type) {
    case TLS_EXT_SERVER_NAME: {
        struct rd list = r_vec(e, 2);
        while (!list.bad && list.off < list.n) {
            unsigned kind = r_u8(&list);
            struct rd name = r_vec(&list, 2);
            if (name.bad || name.n == 0 || name.n > TLS_SNI_MAX) {
                e->bad = true;
                return;
            }
            if (kind == 0 && !ch->sni[0]) {
                memcpy(ch->sni, name.p, name.n);
                ch->sni[name.n] = 0;
                if (memchr(ch->sni, 0, name.n)) e->bad = true;
            }
        }
        e->bad |= list.bad || list.n == 0;
        break;
    }
    case TLS_EXT_SUPPORTED_VERSIONS: {
        struct rd list = r_vec(e, 1);
        while (!list.bad && list.off < list.n)
            if (r_u16(&list) == TLS_V13) ch->tls13 = true;
        e->bad |= list.bad || list.n == 0 || list.n % 2;
        break;
    }
    case TLS_EXT_KEY_SHARE: {
        struct rd list = r_vec(e, 2);
        while (!list.bad && list.off < list.n) {
            unsigned g = r_u16(&list);
            struct rd kx = r_vec(&list, 2);
            if (kx.bad || kx.n == 0) {
                e->bad = true;
                return;
            }
            if (g == TLS_GROUP_TOY && kx.n == 8 && !ch->has_share) {
                ch->has_share = true;
                ch->share = r_u64(&kx);
            }
        }
        e->bad |= list.bad;
        break;
    }
    case TLS_EXT_SIGNATURE_ALGORITHMS: {
        struct rd list = r_vec(e, 2);
        while (!list.bad && list.off < list.n)
            if (r_u16(&list) == TLS_SIG_TOY) ch->sig_toy = true;
        e->bad |= list.bad || list.n % 2;
        break;
    }
    case TLS_EXT_ALPN: {
        struct rd list = r_vec(e, 2);
        while (!list.bad && list.off < list.n) {
            struct rd name = r_vec(&list, 1);
            if (name.bad || name.n == 0) {
                e->bad = true;
                return;
            }
            if (!ch->alpn[0] && name.n <= TLS_ALPN_MAX) {
                memcpy(ch->alpn, name.p, name.n);
                ch->alpn[name.n] = 0;
            }
        }
        e->bad |= list.bad || list.n == 0;
        break;
    }
    default:
        e->off = e->n; /* not ours: skipped, as RFC 8446 4.2 asks */
        return;
    }
}

/* What both hellos start with: legacy_version, random and the legacy
 * session id (at most 32 bytes; false when longer). */
static bool hello_head(struct rd *r, uint16_t *version, uint8_t *random, uint8_t *session_id,
                       uint8_t *sid_len)
{
    *version = (uint16_t)r_u16(r);
    const uint8_t *rnd = r_bytes(r, TLS_RANDOM_LEN);
    if (rnd) memcpy(random, rnd, TLS_RANDOM_LEN);
    struct rd sid = r_vec(r, 1);
    if (sid.n > 32) return false;
    *sid_len = (uint8_t)sid.n;
    if (sid.n) memcpy(session_id, sid.p, sid.n);
    return true;
}

int tls_client_hello_parse(const uint8_t *body, size_t len, struct tls_client_hello *out)
{
    memset(out, 0, sizeof *out);
    struct rd r = {body, len, 0, false};
    if (!hello_head(&r, &out->legacy_version, out->random, out->session_id, &out->sid_len))
        return TLS_WIRE_SYNTAX;
    struct rd suites = r_vec(&r, 2);
    if (suites.n < 2 || suites.n % 2) return TLS_WIRE_SYNTAX;
    while (!suites.bad && suites.off < suites.n) {
        unsigned s = r_u16(&suites);
        if (out->n_suites < TLS_SUITES_MAX) out->suites[out->n_suites++] = (uint16_t)s;
    }
    struct rd comp = r_vec(&r, 1);
    if (comp.n < 1) return TLS_WIRE_SYNTAX;
    if (r.off == r.n && !r.bad) return TLS_WIRE_OK; /* no extensions: TLS 1.2 or older */
    struct rd exts = r_vec(&r, 2);
    if (!r_end(&r)) return TLS_WIRE_SYNTAX;
    size_t off = 0;
    uint16_t type, elen;
    const uint8_t *eb;
    bool bad;
    while (tls_ext_next(exts.p, exts.n, &off, &type, &eb, &elen, &bad)) {
        struct rd e = {eb, elen, 0, false};
        parse_ch_ext(out, type, &e);
        if (!r_end(&e)) return TLS_WIRE_SYNTAX;
    }
    return bad ? TLS_WIRE_SYNTAX : TLS_WIRE_OK;
}

/* ---- ServerHello (RFC 8446 4.1.3) ---- */

size_t tls_server_hello_emit(const struct tls_server_hello *sh, uint8_t *buf, size_t cap)
{
    struct wr w = {buf, cap, 0, false};
    w_u8(&w, TLS_HS_SERVER_HELLO);
    size_t body = w_open(&w, 3);
    w_u16(&w, sh->legacy_version);
    w_bytes(&w, sh->random, TLS_RANDOM_LEN);
    w_u8(&w, sh->sid_len);
    w_bytes(&w, sh->session_id, sh->sid_len);
    w_u16(&w, sh->suite);
    w_u8(&w, 0);
    size_t exts = w_open(&w, 2);
    if (sh->version) {
        w_u16(&w, TLS_EXT_SUPPORTED_VERSIONS);
        w_u16(&w, 2);
        w_u16(&w, sh->version);
    }
    if (sh->has_share) {
        w_u16(&w, TLS_EXT_KEY_SHARE);
        w_u16(&w, 4 + 8);
        w_u16(&w, sh->share_group);
        w_u16(&w, 8);
        w_u64(&w, sh->share);
    }
    w_close(&w, exts, 2);
    w_close(&w, body, 3);
    return w_done(&w);
}

int tls_server_hello_parse(const uint8_t *body, size_t len, struct tls_server_hello *out)
{
    memset(out, 0, sizeof *out);
    struct rd r = {body, len, 0, false};
    if (!hello_head(&r, &out->legacy_version, out->random, out->session_id, &out->sid_len))
        return TLS_WIRE_SYNTAX;
    out->suite = (uint16_t)r_u16(&r);
    if (r_u8(&r) != 0) return TLS_WIRE_SYNTAX;
    if (r.bad) return TLS_WIRE_SYNTAX;
    if (r.off == r.n) return TLS_WIRE_OK;
    struct rd exts = r_vec(&r, 2);
    if (!r_end(&r)) return TLS_WIRE_SYNTAX;
    size_t off = 0;
    uint16_t type, elen;
    const uint8_t *eb;
    bool bad;
    while (tls_ext_next(exts.p, exts.n, &off, &type, &eb, &elen, &bad)) {
        struct rd e = {eb, elen, 0, false};
        if (type == TLS_EXT_SUPPORTED_VERSIONS) {
            out->version = (uint16_t)r_u16(&e);
        } else if (type == TLS_EXT_KEY_SHARE) {
            out->share_group = (uint16_t)r_u16(&e);
            struct rd kx = r_vec(&e, 2);
            if (kx.n == 8) {
                out->has_share = true;
                out->share = r_u64(&kx);
            } else {
                e.bad |= kx.n == 0;
            }
        } else {
            e.off = e.n;
        }
        if (!r_end(&e)) return TLS_WIRE_SYNTAX;
    }
    return bad ? TLS_WIRE_SYNTAX : TLS_WIRE_OK;
}

/* ---- EncryptedExtensions, Certificate, CertificateVerify, Finished ---- */

size_t tls_encrypted_extensions_emit(const char *alpn, uint8_t *buf, size_t cap)
{
    struct wr w = {buf, cap, 0, false};
    w_u8(&w, TLS_HS_ENCRYPTED_EXTENSIONS);
    size_t body = w_open(&w, 3);
    size_t exts = w_open(&w, 2);
    if (alpn && alpn[0]) {
        size_t an = strlen(alpn);
        w_u16(&w, TLS_EXT_ALPN);
        w_u16(&w, an + 3);
        w_u16(&w, an + 1);
        w_u8(&w, an);
        w_bytes(&w, alpn, an);
    }
    w_close(&w, exts, 2);
    w_close(&w, body, 3);
    return w_done(&w);
}

int tls_encrypted_extensions_parse(const uint8_t *body, size_t len, char alpn[TLS_ALPN_MAX + 1])
{
    alpn[0] = 0;
    struct rd r = {body, len, 0, false};
    struct rd exts = r_vec(&r, 2);
    if (!r_end(&r)) return TLS_WIRE_SYNTAX;
    size_t off = 0;
    uint16_t type, elen;
    const uint8_t *eb;
    bool bad;
    while (tls_ext_next(exts.p, exts.n, &off, &type, &eb, &elen, &bad)) {
        if (type != TLS_EXT_ALPN) continue;
        struct rd e = {eb, elen, 0, false};
        struct rd list = r_vec(&e, 2);
        struct rd name = r_vec(&list, 1);
        /* RFC 7301 3.1: the server's list holds exactly one name */
        if (!r_end(&e) || !r_end(&list) || name.n == 0 || name.n > TLS_ALPN_MAX)
            return TLS_WIRE_SYNTAX;
        memcpy(alpn, name.p, name.n);
        alpn[name.n] = 0;
    }
    return bad ? TLS_WIRE_SYNTAX : TLS_WIRE_OK;
}

size_t tls_certificate_emit(const uint8_t *const *certs, const size_t *lens, int n, uint8_t *buf,
                            size_t cap)
{
    struct wr w = {buf, cap, 0, false};
    w_u8(&w, TLS_HS_CERTIFICATE);
    size_t body = w_open(&w, 3);
    w_u8(&w, 0); /* certificate_request_context: empty for a server */
    size_t list = w_open(&w, 3);
    for (int i = 0; i < n; i++) {
        w_u24(&w, lens[i]);
        w_bytes(&w, certs[i], lens[i]);
        w_u16(&w, 0); /* no extensions */
    }
    w_close(&w, list, 3);
    w_close(&w, body, 3);
    return w_done(&w);
}

int tls_certificate_parse(const uint8_t *body, size_t len, const uint8_t **certs, size_t *lens,
                          int *n)
{
    *n = 0;
    struct rd r = {body, len, 0, false};
    struct rd ctx = r_vec(&r, 1);
    struct rd list = r_vec(&r, 3);
    if (!r_end(&r) || ctx.n) return TLS_WIRE_SYNTAX;
    while (!list.bad && list.off < list.n) {
        struct rd data = r_vec(&list, 3);
        struct rd ext = r_vec(&list, 2);
        (void)ext;
        if (list.bad || data.n == 0 || *n == TLS_CHAIN_MAX) return TLS_WIRE_SYNTAX;
        certs[*n] = data.p;
        lens[*n] = data.n;
        (*n)++;
    }
    return list.bad ? TLS_WIRE_SYNTAX : TLS_WIRE_OK;
}

size_t tls_certificate_verify_emit(uint64_t e, uint64_t s, uint8_t *buf, size_t cap)
{
    struct wr w = {buf, cap, 0, false};
    w_u8(&w, TLS_HS_CERTIFICATE_VERIFY);
    size_t body = w_open(&w, 3);
    w_u16(&w, TLS_SIG_TOY);
    w_u16(&w, 16);
    w_u64(&w, e);
    w_u64(&w, s);
    w_close(&w, body, 3);
    return w_done(&w);
}

int tls_certificate_verify_parse(const uint8_t *body, size_t len, uint16_t *scheme, uint64_t *e,
                                 uint64_t *s)
{
    struct rd r = {body, len, 0, false};
    *scheme = (uint16_t)r_u16(&r);
    struct rd sig = r_vec(&r, 2);
    if (!r_end(&r) || sig.n != 16) return TLS_WIRE_SYNTAX;
    *e = r_u64(&sig);
    *s = r_u64(&sig);
    return TLS_WIRE_OK;
}

size_t tls_finished_emit(const uint8_t verify[TLS_FINISHED_LEN], uint8_t *buf, size_t cap)
{
    struct wr w = {buf, cap, 0, false};
    w_u8(&w, TLS_HS_FINISHED);
    w_u24(&w, TLS_FINISHED_LEN);
    w_bytes(&w, verify, TLS_FINISHED_LEN);
    return w_done(&w);
}

/* ---- names ---- */

const char *tls_ct_name(uint8_t type)
{
    switch (type) {
    case TLS_CT_CCS:
        return "Change Cipher Spec";
    case TLS_CT_ALERT:
        return "Alert";
    case TLS_CT_HANDSHAKE:
        return "Handshake";
    case TLS_CT_APPDATA:
        return "Application Data";
    default:
        return NULL;
    }
}

const char *tls_hs_name(uint8_t type)
{
    switch (type) {
    case 0:
        return "Hello Request";
    case TLS_HS_CLIENT_HELLO:
        return "Client Hello";
    case TLS_HS_SERVER_HELLO:
        return "Server Hello";
    case TLS_HS_NEW_SESSION_TICKET:
        return "New Session Ticket";
    case 5:
        return "End of Early Data";
    case TLS_HS_ENCRYPTED_EXTENSIONS:
        return "Encrypted Extensions";
    case TLS_HS_CERTIFICATE:
        return "Certificate";
    case 12:
        return "Server Key Exchange";
    case 13:
        return "Certificate Request";
    case 14:
        return "Server Hello Done";
    case TLS_HS_CERTIFICATE_VERIFY:
        return "Certificate Verify";
    case 16:
        return "Client Key Exchange";
    case TLS_HS_FINISHED:
        return "Finished";
    case 24:
        return "Key Update";
    default:
        return NULL;
    }
}

static const struct {
    uint8_t code;
    const char *tshark, *openssl;
} alerts[] = {
    {TLS_AD_CLOSE_NOTIFY, "Close Notify", "close notify"},
    {TLS_AD_UNEXPECTED_MESSAGE, "Unexpected Message", "unexpected_message"},
    {TLS_AD_BAD_RECORD_MAC, "Bad Record MAC", "bad record mac"},
    {TLS_AD_RECORD_OVERFLOW, "Record Overflow", "record overflow"},
    {TLS_AD_HANDSHAKE_FAILURE, "Handshake Failure", "handshake failure"},
    {TLS_AD_BAD_CERTIFICATE, "Bad Certificate", "bad certificate"},
    {TLS_AD_CERTIFICATE_EXPIRED, "Certificate Expired", "certificate expired"},
    {TLS_AD_CERTIFICATE_UNKNOWN, "Certificate Unknown", "certificate unknown"},
    {TLS_AD_ILLEGAL_PARAMETER, "Illegal Parameter", "illegal parameter"},
    {TLS_AD_UNKNOWN_CA, "Unknown CA", "unknown CA"},
    {TLS_AD_DECODE_ERROR, "Decode Error", "decode error"},
    {TLS_AD_DECRYPT_ERROR, "Decrypt Error", "decrypt error"},
    {TLS_AD_PROTOCOL_VERSION, "Protocol Version", "protocol version"},
    {TLS_AD_INTERNAL_ERROR, "Internal Error", "internal error"},
    {TLS_AD_MISSING_EXTENSION, "Missing Extension", "missing extension"},
    {TLS_AD_UNRECOGNIZED_NAME, "Unrecognized Name", "unrecognized name"},
    {TLS_AD_NO_APPLICATION_PROTOCOL, "No Application Protocol", "no application protocol"},
};

const char *tls_alert_name(uint8_t desc)
{
    for (size_t i = 0; i < sizeof alerts / sizeof alerts[0]; i++)
        if (alerts[i].code == desc) return alerts[i].tshark;
    return NULL;
}

const char *tls_alert_openssl(uint8_t desc)
{
    for (size_t i = 0; i < sizeof alerts / sizeof alerts[0]; i++)
        if (alerts[i].code == desc) return alerts[i].openssl;
    return "unknown";
}

const char *tls_version_name(uint16_t v)
{
    switch (v) {
    case 0x0300:
        return "SSL 3.0";
    case TLS_V10:
        return "TLS 1.0";
    case 0x0302:
        return "TLS 1.1";
    case TLS_V12:
        return "TLS 1.2";
    case TLS_V13:
        return "TLS 1.3";
    default:
        return "Unknown";
    }
}
