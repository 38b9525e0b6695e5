/* dissect_tls.c - the TLS layer of the dissector (RFC 8446 records and
 * handshake messages on TCP 443, 465, 993, 995), in tshark 4.0's words:
 * Info lists each record ("Client Hello", "Server Hello, Change Cipher
 * Spec, Application Data, ..."), the tree holds "TLSv1.3 Record Layer:
 * Handshake Protocol: Client Hello" with Content Type, Version, Length and
 * the ClientHello's and ServerHello's fields (the SNI among them).
 *
 * tshark reassembles records over segments; a frame-by-frame dissector
 * cannot, so a segment that does not start with a record header is
 * "Continuation Data", as tshark shows it with reassembly off, and a
 * record cut by the segment's end is shown as far as it goes. netstep only
 * speaks TLS 1.3, so a record that does not say otherwise is "TLSv1.3".
 *
 * With a key log (c->keys, see tls.h) the log says where each record of
 * the stream lies, its protected bytes are decrypted, and a "Decrypted TLS
 * (toy cipher)" layer shows what they hold - EncryptedExtensions, the
 * certificate, Finished, or the application's data, which the protocol's
 * own dissector then reads (HTTP on 443, SMTP on 465, IMAP on 993, POP on
 * 995), as Wireshark does when given SSLKEYLOGFILE. */
#include "dissect_priv.h"
#include "tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PIECES 32

static const char *vname(uint16_t v)
{
    return tls_version_name(v);
}

/* tshark's column name for a record version ("TLSv1" for 0x0301). A
 * ClientHello is named by its record's version, as tshark does before a
 * ServerHello has settled the session's; everything else here is 1.3. */
static const char *col_name(uint16_t v)
{
    switch (v) {
    case 0x0300:
        return "SSLv3";
    case TLS_V10:
        return "TLSv1";
    case 0x0302:
        return "TLSv1.1";
    case TLS_V12:
        return "TLSv1.2";
    default:
        return "TLSv1.3";
    }
}

static const char *suite_name(uint16_t s)
{
    switch (s) {
    case 0x1301:
        return "TLS_AES_128_GCM_SHA256";
    case 0x1302:
        return "TLS_AES_256_GCM_SHA384";
    case 0x1303:
        return "TLS_CHACHA20_POLY1305_SHA256";
    default:
        return "Unknown";
    }
}

static const char *ext_name(uint16_t t)
{
    switch (t) {
    case TLS_EXT_SERVER_NAME:
        return "server_name";
    case TLS_EXT_SUPPORTED_GROUPS:
        return "supported_groups";
    case TLS_EXT_SIGNATURE_ALGORITHMS:
        return "signature_algorithms";
    case TLS_EXT_ALPN:
        return "application_layer_protocol_negotiation";
    case TLS_EXT_SUPPORTED_VERSIONS:
        return "supported_versions";
    case TLS_EXT_KEY_SHARE:
        return "key_share";
    default:
        return "Unknown type";
    }
}

static const char *group_name(uint16_t g)
{
    return g == TLS_GROUP_TOY ? "toy-group-61, private use" : g == 0x001d ? "x25519" : "Unknown";
}

/* ---- hello messages: their fields, walked with offsets ---- */

struct walk {
    const uint8_t *p; /* the message body */
    size_t n, at;
    size_t base; /* frame offset of p */
    bool bad;
};

static bool w_has(struct walk *w, size_t k)
{
    if (w->bad || k > w->n - w->at) w->bad = true;
    return !w->bad;
}

static void hello_extensions(struct dis_ctx *c, struct walk *w, bool client)
{
    if (w->at == w->n) return;
    if (!w_has(w, 2)) return;
    size_t el = get_be16(w->p + w->at);
    dis_field_add(c, 1, w->base + w->at, 2, "Extensions Length", "%zu", el);
    w->at += 2;
    if (!w_has(w, el)) return;
    const uint8_t *e = w->p + w->at;
    size_t eoff = w->base + w->at, at = 0;
    uint16_t type, len;
    const uint8_t *body;
    bool bad;
    while (tls_ext_next(e, el, &at, &type, &body, &len, &bad)) {
        size_t bo = eoff + (size_t)(body - e);
        dis_field_add(c, 1, bo - 4, 4 + (size_t)len, "Extension", "%s (len=%u)", ext_name(type),
                      len);
        if (type == TLS_EXT_SERVER_NAME && client && len >= 5) {
            size_t nl = get_be16(body + 3);
            if (nl <= (size_t)len - 5) {
                char name[TLS_SNI_MAX + 1];
                size_t k = nl < TLS_SNI_MAX ? nl : TLS_SNI_MAX;
                for (size_t i = 0; i < k; i++)
                    name[i] = body[5 + i] >= 0x20 && body[5 + i] < 0x7f ? (char)body[5 + i] : '.';
                name[k] = 0;
                dis_field_add(c, 1, bo + 5, nl, "Server Name", "%s", name);
            }
        } else if (type == TLS_EXT_SUPPORTED_VERSIONS) {
            size_t i = client ? 1 : 0;
            for (; i + 2 <= len; i += 2)
                dis_field_add(c, 1, bo + i, 2, "Supported Version", "%s (0x%04x)",
                              vname(get_be16(body + i)), get_be16(body + i));
        } else if (type == TLS_EXT_KEY_SHARE && len >= 4) {
            size_t i = client ? 2 : 0;
            if (i + 4 <= len)
                dis_field_add(c, 1, bo + i, len - i, "Key Share Entry",
                              "Group: %s (0x%04x), Key Exchange length: %u",
                              group_name(get_be16(body + i)), get_be16(body + i),
                              get_be16(body + i + 2));
        } else if (type == TLS_EXT_ALPN && len >= 3 && body[2] <= len - 3) {
            char proto[64];
            size_t k = body[2] < sizeof proto - 1 ? body[2] : sizeof proto - 1;
            for (size_t i = 0; i < k; i++)
                proto[i] = body[3 + i] >= 0x20 && body[3 + i] < 0x7f ? (char)body[3 + i] : '.';
            proto[k] = 0;
            dis_field_add(c, 1, bo + 3, body[2], "ALPN Next Protocol", "%s", proto);
        } else if (type == TLS_EXT_SUPPORTED_GROUPS || type == TLS_EXT_SIGNATURE_ALGORITHMS) {
            for (size_t i = 2; i + 2 <= len; i += 2) {
                uint16_t v = get_be16(body + i);
                if (type == TLS_EXT_SUPPORTED_GROUPS)
                    dis_field_add(c, 1, bo + i, 2, "Supported Group", "%s (0x%04x)", group_name(v),
                                  v);
                else
                    dis_field_add(c, 1, bo + i, 2, "Signature Algorithm", "%s (0x%04x)",
                                  v == TLS_SIG_TOY ? "toy-schnorr-61, private use" : "Unknown", v);
            }
        }
    }
    if (bad) w->bad = true;
    w->at += el;
}

/* ClientHello or ServerHello body. Returns false when it does not parse. */
static bool hello_fields(struct dis_ctx *c, const uint8_t *p, size_t n, size_t base, bool client)
{
    struct walk w = {p, n, 0, base, false};
    char hex[80];
    if (!w_has(&w, 2 + TLS_RANDOM_LEN + 1)) return false;
    dis_field_add(c, 1, base, 2, "Version", "%s (0x%04x)", vname(get_be16(p)), get_be16(p));
    dis_hex(hex, sizeof hex, p + 2, TLS_RANDOM_LEN);
    dis_field_add(c, 1, base + 2, TLS_RANDOM_LEN, "Random", "%s", hex);
    w.at = 2 + TLS_RANDOM_LEN;
    size_t sl = p[w.at];
    dis_field_add(c, 1, base + w.at, 1, "Session ID Length", "%zu", sl);
    w.at++;
    if (!w_has(&w, sl) || sl > 32) return false;
    if (sl) {
        dis_hex(hex, sizeof hex, p + w.at, sl);
        dis_field_add(c, 1, base + w.at, sl, "Session ID", "%s", hex);
    }
    w.at += sl;
    if (client) {
        if (!w_has(&w, 2)) return false;
        size_t cl = get_be16(p + w.at);
        dis_field_add(c, 1, base + w.at, 2, "Cipher Suites Length", "%zu", cl);
        w.at += 2;
        if (!w_has(&w, cl) || cl % 2 || !cl) return false;
        for (size_t i = 0; i < cl; i += 2)
            dis_field_add(c, 1, base + w.at + i, 2, "Cipher Suite", "%s (0x%04x)",
                          suite_name(get_be16(p + w.at + i)), get_be16(p + w.at + i));
        w.at += cl;
        if (!w_has(&w, 1)) return false;
        size_t ml = p[w.at];
        dis_field_add(c, 1, base + w.at, 1, "Compression Methods Length", "%zu", ml);
        if (!w_has(&w, 1 + ml) || !ml) return false;
        w.at += 1 + ml;
    } else {
        if (!w_has(&w, 3)) return false;
        uint16_t s = get_be16(p + w.at);
        dis_field_add(c, 1, base + w.at, 2, "Cipher Suite", "%s (0x%04x)", suite_name(s), s);
        dis_field_add(c, 1, base + w.at + 2, 1, "Compression Method", "null (%u)", p[w.at + 2]);
        w.at += 3;
    }
    hello_extensions(c, &w, client);
    return !w.bad && w.at == w.n;
}

/* ---- records ---- */

/* The name Info gives a record of this type. */
static void info_add(struct dissection *d, bool *first, const char *name)
{
    if (!*first) dis_info_append(d, ", ");
    dis_info_append(d, name);
    *first = false;
}

/* The handshake messages of a plaintext record's fragment. */
static void handshake_msgs(struct dis_ctx *c, const uint8_t *f, size_t n, size_t base, bool *first,
                           bool *tls13)
{
    size_t at = 0;
    while (at < n) {
        uint8_t type;
        uint32_t bl;
        int rc = tls_hs_parse(f + at, n - at, &type, &bl);
        const char *name = tls_hs_name(type);
        if (n - at < TLS_HS_HDR) {
            dis_field_add(c, 1, base + at, n - at, "Handshake Protocol", "(cut short)");
            return;
        }
        info_add(c->d, first, name ? name : "Unknown Handshake Message");
        dis_field_add(c, 1, base + at, n - at, "Handshake Protocol", "%s", name ? name : "Unknown");
        dis_field_add(c, 1, base + at, 1, "Handshake Type", "%s (%u)", name ? name : "Unknown",
                      type);
        dis_field_add(c, 1, base + at + 1, 3, "Length", "%lu", (unsigned long)bl);
        if (rc != TLS_WIRE_OK) return; /* the rest is in the next segment */
        const uint8_t *b = f + at + TLS_HS_HDR;
        if (type == TLS_HS_CLIENT_HELLO || type == TLS_HS_SERVER_HELLO) {
            bool client = type == TLS_HS_CLIENT_HELLO;
            if (!hello_fields(c, b, bl, base + at + TLS_HS_HDR, client)) dis_malformed(c->d);
            if (client) {
                struct tls_client_hello ch;
                if (tls_client_hello_parse(b, bl, &ch) == TLS_WIRE_OK && ch.tls13) *tls13 = true;
            } else {
                struct tls_server_hello sh;
                if (tls_server_hello_parse(b, bl, &sh) == TLS_WIRE_OK && sh.version == TLS_V13)
                    *tls13 = true;
            }
        }
        at += TLS_HS_HDR + bl;
    }
}

/* One record at frame offset off, of which `have` bytes are in the segment. */
static void record(struct dis_ctx *c, size_t off, size_t have, const struct tls_record *r,
                   bool *first, bool *tls13)
{
    const uint8_t *p = c->frame + off;
    const char *ct = tls_ct_name(r->type);
    const char *what = r->type == TLS_CT_HANDSHAKE ? "Handshake Protocol"
                       : r->type == TLS_CT_APPDATA ? "Application Data Protocol"
                       : r->type == TLS_CT_ALERT   ? "Alert Protocol"
                                                   : "Change Cipher Spec Protocol";
    bool whole = have >= TLS_RECORD_HDR + (size_t)r->len;
    size_t fl = whole ? r->len : have - TLS_RECORD_HDR;
    const uint8_t *f = p + TLS_RECORD_HDR;
    bool ch = r->type == TLS_CT_HANDSHAKE && fl >= 1 && f[0] == TLS_HS_CLIENT_HELLO;
    char label[40];
    snprintf(label, sizeof label, "%s Record Layer", ch ? col_name(r->version) : "TLSv1.3");
    if (*first) dis_set_protocol(c->d, ch ? col_name(r->version) : "TLSv1.3");
    if (r->type == TLS_CT_HANDSHAKE && fl >= 1) {
        const char *hn = tls_hs_name(f[0]);
        dis_field_add(c, 0, off, have, label, "Handshake Protocol: %s%s", hn ? hn : "Unknown",
                      whole ? "" : " [continued in the next segment]");
    } else {
        dis_field_add(c, 0, off, have, label, "%s%s", what,
                      whole ? "" : " [continued in the next segment]");
    }
    dis_field_add(c, 1, off, 1, "Content Type", "%s (%u)", ct, r->type);
    dis_field_add(c, 1, off + 1, 2, "Version", "%s (0x%04x)", vname(r->version), r->version);
    dis_field_add(c, 1, off + 3, 2, "Length", "%u", r->len);
    switch (r->type) {
    case TLS_CT_HANDSHAKE:
        handshake_msgs(c, f, fl, off + TLS_RECORD_HDR, first, tls13);
        break;
    case TLS_CT_CCS:
        info_add(c->d, first, "Change Cipher Spec");
        if (fl)
            dis_field_add(c, 1, off + TLS_RECORD_HDR, 1, "Change Cipher Spec Message", "%u", f[0]);
        break;
    case TLS_CT_ALERT:
        if (fl >= 2) {
            const char *an = tls_alert_name(f[1]);
            char buf[96];
            snprintf(buf, sizeof buf, "Alert (Level: %s, Description: %s)",
                     f[0] == TLS_ALERT_FATAL ? "Fatal" : "Warning", an ? an : "Unknown");
            info_add(c->d, first, buf);
            dis_field_add(c, 1, off + TLS_RECORD_HDR, 1, "Level", "%s (%u)",
                          f[0] == TLS_ALERT_FATAL ? "Fatal" : "Warning", f[0]);
            dis_field_add(c, 1, off + TLS_RECORD_HDR + 1, 1, "Description", "%s (%u)",
                          an ? an : "Unknown", f[1]);
        } else {
            info_add(c->d, first, "Encrypted Alert");
        }
        break;
    default: {
        info_add(c->d, first, "Application Data");
        char hex[80];
        dis_hex(hex, sizeof hex, f, fl);
        dis_field_add(c, 1, off + TLS_RECORD_HDR, fl, "Encrypted Application Data", "%s", hex);
        break;
    }
    }
}

/* ---- with the key log: what the protected records hold ---- */

static void cert_fields(struct dis_ctx *c, const uint8_t *b, size_t n, size_t base)
{
    const uint8_t *certs[TLS_CHAIN_MAX];
    size_t lens[TLS_CHAIN_MAX];
    int k;
    if (tls_certificate_parse(b, n, certs, lens, &k) != TLS_WIRE_OK) return;
    for (int i = 0; i < k; i++) {
        struct tls_cert *cert = malloc(sizeof *cert);
        if (!cert) return;
        size_t co = base + (size_t)(certs[i] - b);
        if (tls_cert_parse(certs[i], lens[i], cert)) {
            dis_field_add(c, 1, co, lens[i], "Certificate", "(not a netstep toy certificate)");
            free(cert);
            continue;
        }
        char t[40], sans[112] = "";
        dis_field_add(c, 0, co, lens[i], "Certificate", "CN=%s (toy certificate, %zu bytes)",
                      cert->subject, lens[i]);
        dis_field_add(c, 1, co, lens[i], "Subject", "CN=%s", cert->subject);
        dis_field_add(c, 1, co, lens[i], "Issuer", "CN=%s%s", cert->issuer,
                      tls_cert_self_issued(cert) ? " (self-signed)" : "");
        dis_field_add(c, 1, co, lens[i], "Not Before", "%s",
                      tls_time_str(cert->not_before, t, sizeof t));
        dis_field_add(c, 1, co, lens[i], "Not After", "%s",
                      tls_time_str(cert->not_after, t, sizeof t));
        for (int s = 0; s < cert->n_san; s++) {
            size_t used = strlen(sans);
            snprintf(sans + used, sizeof sans - used, "%s%s", s ? ", " : "", cert->san[s]);
        }
        if (cert->n_san) dis_field_add(c, 1, co, lens[i], "Subject Alternative Name", "%s", sans);
        dis_field_add(c, 1, co, lens[i], "Public Key", "toy-group-61 0x%016llx",
                      (unsigned long long)cert->pubkey);
        dis_field_add(c, 1, co, lens[i], "Signature", "toy-schnorr-61 by CN=%s", cert->issuer);
        free(cert);
    }
}

/* The decrypted content of one piece (plaintext at frame offsets of c->frame). */
static void piece_fields(struct dis_ctx *c, const struct tls_piece *pc, size_t off, bool *first)
{
    const uint8_t *p = c->frame + off + pc->plain_off;
    size_t n = pc->plain_len, po = off + pc->plain_off;
    const char *inner = tls_ct_name(pc->inner);
    dis_field_add(c, 0, po, n, "Decrypted record", "%s, %zu bytes here%s (%s keys)",
                  inner ? inner : "Unknown", n, pc->plain_first ? "" : ", continued",
                  pc->epoch == 1 ? "handshake" : "application");
    if (pc->inner == TLS_CT_HANDSHAKE && pc->plain_first && n >= TLS_HS_HDR) {
        size_t at = 0;
        while (at + TLS_HS_HDR <= n) {
            uint8_t type;
            uint32_t bl;
            int rc = tls_hs_parse(p + at, n - at, &type, &bl);
            const char *name = tls_hs_name(type);
            info_add(c->d, first, name ? name : "Encrypted Handshake Message");
            dis_field_add(c, 1, po + at, rc == TLS_WIRE_OK ? TLS_HS_HDR + bl : n - at,
                          "Handshake Type", "%s (%u), length %lu", name ? name : "Unknown", type,
                          (unsigned long)bl);
            if (rc != TLS_WIRE_OK) break;
            const uint8_t *b = p + at + TLS_HS_HDR;
            if (type == TLS_HS_CERTIFICATE) {
                cert_fields(c, b, bl, po + at + TLS_HS_HDR);
            } else if (type == TLS_HS_ENCRYPTED_EXTENSIONS) {
                char alpn[TLS_ALPN_MAX + 1];
                if (tls_encrypted_extensions_parse(b, bl, alpn) == TLS_WIRE_OK && alpn[0])
                    dis_field_add(c, 1, po + at + TLS_HS_HDR, bl, "ALPN Protocol", "%s", alpn);
            } else if (type == TLS_HS_FINISHED || type == TLS_HS_CERTIFICATE_VERIFY) {
                char hex[80];
                dis_hex(hex, sizeof hex, b, bl);
                dis_field_add(c, 1, po + at + TLS_HS_HDR, bl,
                              type == TLS_HS_FINISHED ? "Verify Data" : "Signature", "%s", hex);
            }
            at += TLS_HS_HDR + bl;
        }
    } else if (pc->inner == TLS_CT_ALERT && n == 2) {
        const char *an = tls_alert_name(p[1]);
        char buf[96];
        snprintf(buf, sizeof buf, "Alert (Level: %s, Description: %s)",
                 p[0] == TLS_ALERT_FATAL ? "Fatal" : "Warning", an ? an : "Unknown");
        info_add(c->d, first, buf);
        dis_field_add(c, 1, po, 2, "Alert", "%s", buf + 6);
    } else if (pc->inner == TLS_CT_APPDATA) {
        char text[100];
        size_t k = 0;
        for (size_t i = 0; i < n && k + 1 < sizeof text; i++)
            text[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
        text[k] = 0;
        dis_field_add(c, 1, po, n, "Decrypted data", "%s", text);
    }
}

static void dis_inner(struct dis_ctx *c, size_t off, size_t n, uint16_t port, bool from_server)
{
    switch (port) {
    case 25:
    case 465:
    case 587:
        dis_smtp(c, off, n, from_server);
        break;
    case 993:
        dis_imap(c, off, n, from_server);
        break;
    case 995:
        dis_pop(c, off, n, from_server);
        break;
    case 990:
        dis_ftp(c, off, n, from_server);
        break;
    case 0: /* a port of its own: FTPS data */
        dis_data(c, off, n, 7);
        break;
    default:
        dis_http(c, off, n);
        break;
    }
}

/* Returns false when the key log does not know the segment. */
static bool keyed(struct dis_ctx *c, size_t off, size_t n, uint16_t port, bool from_server)
{
    uint8_t *copy = malloc(c->len ? c->len : 1);
    struct tls_piece *pcs = malloc(MAX_PIECES * sizeof *pcs);
    if (!copy || !pcs) {
        free(copy);
        free(pcs);
        return false;
    }
    memcpy(copy, c->frame, c->len);
    int np = tls_keylog_decrypt(c->keys, c->tcp_seq, c->tcp_ack, copy + off, n, pcs, MAX_PIECES);
    if (np < 0) {
        free(copy);
        free(pcs);
        return false;
    }
    struct dissection *d = c->d;
    bool first = true, tls13 = true;
    d->info[0] = 0;
    dis_set_protocol(d, "TLSv1.3");
    dis_layer_begin(c, "tls", 7, off, n, "Transport Layer Security");
    for (int i = 0; i < np; i++) {
        const struct tls_piece *pc = &pcs[i];
        size_t po = off + pc->off;
        if (pc->rec_at >= TLS_RECORD_HDR || pc->len < TLS_RECORD_HDR) {
            dis_field_add(c, 0, po, pc->len, "TLS segment data", "%zu bytes of a %s record",
                          pc->len, tls_ct_name(pc->type) ? tls_ct_name(pc->type) : "TLS");
            if (i == 0 && !pc->plain_len) info_add(d, &first, "Continuation Data");
            continue;
        }
        struct tls_record r = {pc->type, get_be16(c->frame + po + 1), pc->rec_len, NULL};
        if (pc->epoch == 0) {
            record(c, po, pc->len, &r, &first, &tls13);
        } else {
            /* Info names what is inside instead */
            char keep[sizeof d->info];
            memcpy(keep, d->info, sizeof keep);
            bool f2 = true;
            record(c, po, pc->len, &r, &f2, &tls13);
            memcpy(d->info, keep, sizeof keep);
        }
    }
    /* the plaintext, then the protocol inside */
    bool any = false;
    for (int i = 0; i < np; i++)
        any |= pcs[i].plain_len > 0;
    int inner = -1;
    if (any) {
        dis_layer_begin(c, "tls.plain", 7, off, n, "Decrypted TLS (toy cipher)");
        dis_field_add(c, 0, off, n, "Cipher",
                      "%s; keys from netstep's key log (like SSLKEYLOGFILE)", TLS_TOY_NOTE);
        const uint8_t *orig = c->frame;
        c->frame = copy;
        for (int i = 0; i < np; i++) {
            if (!pcs[i].plain_len) continue;
            piece_fields(c, &pcs[i], off, &first);
            if (pcs[i].inner == TLS_CT_APPDATA && inner < 0) inner = i;
        }
        c->frame = orig;
    }
    if (inner >= 0) {
        /* the application's bytes, as the protocol's own dissector reads them */
        const uint8_t *orig = c->frame;
        c->frame = copy;
        dis_inner(c, off + pcs[inner].plain_off, pcs[inner].plain_len, port, from_server);
        c->frame = orig;
        dis_info_append(d, " [decrypted TLS]");
    } else if (first) {
        dis_info(d, "Continuation Data");
    }
    free(copy);
    free(pcs);
    return true;
}

static bool starts_tls_record(const uint8_t *p, size_t n)
{
    return n >= TLS_RECORD_HDR && p[0] >= TLS_CT_CCS && p[0] <= TLS_CT_APPDATA && p[1] == 3 &&
           p[2] <= 4 && get_be16(p + 3) <= TLS_PLAIN_MAX + 256;
}

/* True when a session of the key log sent the segment. */
static bool keylog_knows(const struct dis_ctx *c, size_t off, size_t n)
{
    if (!c->keys) return false;
    uint8_t *copy = malloc(n);
    if (!copy) return false;
    memcpy(copy, c->frame + off, n);
    struct tls_piece pc;
    int np = tls_keylog_decrypt(c->keys, c->tcp_seq, c->tcp_ack, copy, n, &pc, 1);
    free(copy);
    return np >= 0;
}

bool dis_tls_segment(const struct dis_ctx *c, size_t off, size_t n)
{
    return starts_tls_record(c->frame + off, n) || keylog_knows(c, off, n);
}

void dis_tls(struct dis_ctx *c, size_t off, size_t n, uint16_t port, bool from_server)
{
    if (c->keys && keyed(c, off, n, port, from_server)) return;
    struct dissection *d = c->d;
    bool first = true, tls13 = false;
    dis_layer_begin(c, "tls", 7, off, n, "Transport Layer Security");
    d->info[0] = 0;
    dis_set_protocol(d, "TLSv1.3");
    size_t at = 0;
    while (at < n) {
        struct tls_record r;
        int rc = tls_record_parse(c->frame + off + at, n - at, &r);
        if (rc == TLS_WIRE_SHORT && n - at >= TLS_RECORD_HDR) {
            r.type = c->frame[off + at];
            r.version = get_be16(c->frame + off + at + 1);
            r.len = get_be16(c->frame + off + at + 3);
            record(c, off + at, n - at, &r, &first, &tls13);
            break;
        }
        if (rc != TLS_WIRE_OK) {
            /* not a record header: the middle of a record begun earlier */
            dis_field_add(c, 0, off + at, n - at, "TLS segment data", "%zu bytes", n - at);
            if (at == 0) info_add(d, &first, "Continuation Data");
            if (at && rc != TLS_WIRE_SHORT) dis_malformed(d);
            break;
        }
        record(c, off + at, TLS_RECORD_HDR + r.len, &r, &first, &tls13);
        at += TLS_RECORD_HDR + r.len;
    }
    (void)tls13;
}
