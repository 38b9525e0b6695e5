/* test_tls_wire.c - the TLS stand-in's wire format (protocols/tls_wire.h),
 * toy certificates (tls_cert.h) and toy cryptography (tls_toy.h): record
 * and handshake headers from fixed bytes, ClientHello/ServerHello and the
 * protected handshake messages emitted and parsed back, every truncation
 * of a message refused, certificates encoded, parsed, tampered with and
 * verified, host names matched, and the toy primitives' algebra (DH
 * agreement, Schnorr signatures, counter-mode keystream). */
#include "check.h"
#include "protocols/tls_cert.h"
#include "protocols/tls_toy.h"
#include "protocols/tls_wire.h"

#include <stdlib.h>

static void test_records(void)
{
    static const uint8_t rec[] = {0x16, 0x03, 0x01, 0x00, 0x02, 0xaa, 0xbb, 0xcc};
    struct tls_record r;
    CHECK_EQ(tls_record_parse(rec, sizeof rec, &r), TLS_WIRE_OK);
    CHECK_EQ(r.type, TLS_CT_HANDSHAKE);
    CHECK_EQ(r.version, TLS_V10);
    CHECK_EQ(r.len, 2);
    CHECK(r.frag == rec + 5);
    CHECK_EQ(tls_record_parse(rec, 6, &r), TLS_WIRE_SHORT);
    CHECK_EQ(tls_record_parse(rec, 4, &r), TLS_WIRE_SHORT);
    static const uint8_t bad_type[] = {0x18, 0x03, 0x03, 0x00, 0x00};
    CHECK_EQ(tls_record_parse(bad_type, 5, &r), TLS_WIRE_TYPE);
    static const uint8_t bad_ver[] = {0x17, 0x04, 0x03, 0x00, 0x00};
    CHECK_EQ(tls_record_parse(bad_ver, 5, &r), TLS_WIRE_VERSION);
    /* RFC 8446 5.2: 2^14 + 256 at most */
    static const uint8_t too_long[] = {0x17, 0x03, 0x03, 0x41, 0x01};
    CHECK_EQ(tls_record_parse(too_long, 5, &r), TLS_WIRE_LONG);
    static const uint8_t longest[] = {0x17, 0x03, 0x03, 0x41, 0x00};
    CHECK_EQ(tls_record_parse(longest, 5, &r), TLS_WIRE_SHORT);
    uint8_t hdr[5];
    tls_record_header(hdr, TLS_CT_APPDATA, TLS_V12, 300);
    static const uint8_t want[] = {0x17, 0x03, 0x03, 0x01, 0x2c};
    CHECK_MEM(hdr, want, 5);

    static const uint8_t hs[] = {0x14, 0x00, 0x00, 0x02, 0x01, 0x02};
    uint8_t type;
    uint32_t bl;
    CHECK_EQ(tls_hs_parse(hs, sizeof hs, &type, &bl), TLS_WIRE_OK);
    CHECK(type == TLS_HS_FINISHED && bl == 2);
    CHECK_EQ(tls_hs_parse(hs, 5, &type, &bl), TLS_WIRE_SHORT);
    uint8_t h4[4];
    tls_hs_header(h4, TLS_HS_CERTIFICATE, 0x012345);
    static const uint8_t want4[] = {0x0b, 0x01, 0x23, 0x45};
    CHECK_MEM(h4, want4, 4);
}

static void test_client_hello(void)
{
    struct tls_client_hello ch, back;
    memset(&ch, 0, sizeof ch);
    ch.legacy_version = TLS_V12;
    for (int i = 0; i < 32; i++) {
        ch.random[i] = (uint8_t)i;
        ch.session_id[i] = (uint8_t)(0xa0 + i);
    }
    ch.sid_len = 32;
    ch.n_suites = 1;
    ch.suites[0] = TLS_AES_128_GCM;
    snprintf(ch.sni, sizeof ch.sni, "www.harbor.test");
    ch.tls13 = true;
    ch.has_share = true;
    ch.share = 0x0123456789abcdefULL;
    ch.sig_toy = true;
    snprintf(ch.alpn, sizeof ch.alpn, "http/1.1");
    uint8_t buf[512];
    size_t n = tls_client_hello_emit(&ch, buf, sizeof buf);
    CHECK(n > 100);
    /* handshake header, legacy_version, random */
    CHECK(buf[0] == TLS_HS_CLIENT_HELLO && buf[1] == 0 && (size_t)(buf[2] << 8 | buf[3]) == n - 4);
    CHECK(buf[4] == 0x03 && buf[5] == 0x03 && buf[6] == 0 && buf[37] == 31);
    /* session id, one suite, null compression, then extensions */
    CHECK(buf[38] == 32 && buf[71] == 0 && buf[72] == 2 && buf[73] == 0x13 && buf[74] == 0x01);
    CHECK(buf[75] == 1 && buf[76] == 0);
    CHECK_EQ(get_be16(buf + 77), n - 79);
    /* server_name first: type 0, len 20, list 18, host_name, 15 */
    static const uint8_t sni[] = {0, 0, 0, 20, 0, 18, 0, 0, 15, 'w', 'w', 'w', '.'};
    CHECK_MEM(buf + 79, sni, sizeof sni);
    CHECK_EQ(tls_client_hello_parse(buf + 4, n - 4, &back), TLS_WIRE_OK);
    CHECK_EQ(back.legacy_version, TLS_V12);
    CHECK_MEM(back.random, ch.random, 32);
    CHECK(back.sid_len == 32 && memcmp(back.session_id, ch.session_id, 32) == 0);
    CHECK(back.n_suites == 1 && back.suites[0] == TLS_AES_128_GCM);
    CHECK_STR(back.sni, "www.harbor.test");
    CHECK(back.tls13 && back.has_share && back.share == ch.share && back.sig_toy);
    CHECK_STR(back.alpn, "http/1.1");
    /* every truncation fails cleanly, but the one that ends right after the
     * compression methods: that is a ClientHello without extensions */
    int ok = 0;
    for (size_t k = 0; k < n - 4; k++)
        if (tls_client_hello_parse(buf + 4, k, &back) == TLS_WIRE_OK) ok += k == 73 ? 1 : 100;
    CHECK_EQ(ok, 1);
    CHECK_EQ(tls_client_hello_emit(&ch, buf, 50), 0);
    /* without SNI or ALPN: no such extension */
    ch.sni[0] = ch.alpn[0] = 0;
    n = tls_client_hello_emit(&ch, buf, sizeof buf);
    CHECK_EQ(tls_client_hello_parse(buf + 4, n - 4, &back), TLS_WIRE_OK);
    CHECK(!back.sni[0] && !back.alpn[0]);
    /* an unknown extension is skipped (RFC 8446 4.2) */
    uint8_t ext[600];
    memcpy(ext, buf, n);
    static const uint8_t extra[] = {0xff, 0x01, 0x00, 0x01, 0x00};
    memcpy(ext + n, extra, 5);
    put_be16(ext + 77, (uint16_t)(get_be16(ext + 77) + 5));
    CHECK_EQ(tls_client_hello_parse(ext + 4, n + 1, &back), TLS_WIRE_OK);
    CHECK(back.tls13);
}

static void test_server_messages(void)
{
    struct tls_server_hello sh, back;
    memset(&sh, 0, sizeof sh);
    sh.legacy_version = TLS_V12;
    sh.random[0] = 0x42;
    sh.sid_len = 32;
    sh.session_id[31] = 7;
    sh.suite = TLS_AES_128_GCM;
    sh.version = TLS_V13;
    sh.has_share = true;
    sh.share_group = TLS_GROUP_TOY;
    sh.share = 99;
    uint8_t buf[256];
    size_t n = tls_server_hello_emit(&sh, buf, sizeof buf);
    CHECK_EQ(n, 4 + 2 + 32 + 1 + 32 + 2 + 1 + 2 + 6 + 16);
    CHECK_EQ(tls_server_hello_parse(buf + 4, n - 4, &back), TLS_WIRE_OK);
    CHECK(back.version == TLS_V13 && back.has_share && back.share == 99 &&
          back.share_group == TLS_GROUP_TOY && back.suite == TLS_AES_128_GCM);
    CHECK(back.random[0] == 0x42 && back.session_id[31] == 7);
    int ok = 0;
    for (size_t k = 0; k < n - 4; k++)
        if (tls_server_hello_parse(buf + 4, k, &back) == TLS_WIRE_OK && back.has_share) ok++;
    CHECK_EQ(ok, 0);

    char alpn[TLS_ALPN_MAX + 1];
    n = tls_encrypted_extensions_emit("http/1.1", buf, sizeof buf);
    CHECK_EQ(n, 4 + 2 + 4 + 2 + 1 + 8);
    CHECK_EQ(tls_encrypted_extensions_parse(buf + 4, n - 4, alpn), TLS_WIRE_OK);
    CHECK_STR(alpn, "http/1.1");
    n = tls_encrypted_extensions_emit(NULL, buf, sizeof buf);
    static const uint8_t empty_ee[] = {0x08, 0, 0, 2, 0, 0};
    CHECK(n == 6 && memcmp(buf, empty_ee, 6) == 0);
    CHECK_EQ(tls_encrypted_extensions_parse(buf + 4, 2, alpn), TLS_WIRE_OK);
    CHECK_STR(alpn, "");

    const uint8_t *certs[2] = {(const uint8_t *)"first", (const uint8_t *)"second!"};
    size_t lens[2] = {5, 7};
    n = tls_certificate_emit(certs, lens, 2, buf, sizeof buf);
    CHECK_EQ(n, 4 + 1 + 3 + (3 + 5 + 2) + (3 + 7 + 2));
    const uint8_t *got[TLS_CHAIN_MAX];
    size_t gl[TLS_CHAIN_MAX];
    int k;
    CHECK_EQ(tls_certificate_parse(buf + 4, n - 4, got, gl, &k), TLS_WIRE_OK);
    CHECK(k == 2 && gl[0] == 5 && gl[1] == 7 && memcmp(got[1], "second!", 7) == 0);
    CHECK(tls_certificate_parse(buf + 4, n - 5, got, gl, &k) != TLS_WIRE_OK);

    uint16_t scheme;
    uint64_t e, s;
    n = tls_certificate_verify_emit(1, 2, buf, sizeof buf);
    CHECK_EQ(n, 4 + 2 + 2 + 16);
    CHECK_EQ(tls_certificate_verify_parse(buf + 4, n - 4, &scheme, &e, &s), TLS_WIRE_OK);
    CHECK(scheme == TLS_SIG_TOY && e == 1 && s == 2);
    CHECK(tls_certificate_verify_parse(buf + 4, n - 5, &scheme, &e, &s) != TLS_WIRE_OK);

    uint8_t vd[TLS_FINISHED_LEN];
    memset(vd, 0x5a, sizeof vd);
    n = tls_finished_emit(vd, buf, sizeof buf);
    CHECK(n == 36 && buf[0] == 20 && buf[3] == 32 && buf[4] == 0x5a);

    /* the extension walker stops at a body that does not fit */
    static const uint8_t exts[] = {0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x09, 1};
    size_t off = 0;
    uint16_t t, l;
    const uint8_t *b;
    bool bad;
    CHECK(tls_ext_next(exts, sizeof exts, &off, &t, &b, &l, &bad) && t == 43 && l == 2);
    CHECK(!tls_ext_next(exts, sizeof exts, &off, &t, &b, &l, &bad) && bad);
}

static void test_names(void)
{
    CHECK_STR(tls_ct_name(TLS_CT_APPDATA), "Application Data");
    CHECK_STR(tls_ct_name(TLS_CT_CCS), "Change Cipher Spec");
    CHECK(tls_ct_name(24) == NULL);
    CHECK_STR(tls_hs_name(TLS_HS_CLIENT_HELLO), "Client Hello");
    CHECK_STR(tls_hs_name(TLS_HS_CERTIFICATE_VERIFY), "Certificate Verify");
    CHECK_STR(tls_hs_name(TLS_HS_ENCRYPTED_EXTENSIONS), "Encrypted Extensions");
    CHECK_STR(tls_alert_name(TLS_AD_UNKNOWN_CA), "Unknown CA");
    CHECK_STR(tls_alert_openssl(TLS_AD_UNKNOWN_CA), "unknown CA");
    CHECK_STR(tls_alert_openssl(TLS_AD_CLOSE_NOTIFY), "close notify");
    CHECK_STR(tls_version_name(TLS_V13), "TLS 1.3");
}

/* ---- certificates ---- */

static void test_certs(void)
{
    uint64_t ca_priv = toy_private(12345), web_priv = toy_private(777);
    struct tls_cert *ca = malloc(sizeof *ca), *web = malloc(sizeof *web),
                    *back = malloc(sizeof *back);
    CHECK(tls_cert_make(ca, "Harbor Root CA", "Harbor Root CA", 1, 0, 1000, NULL, 0, true,
                        toy_public(ca_priv), ca_priv));
    const char *san[] = {"web", "*.harbor.test"};
    CHECK(tls_cert_make(web, "web", "Harbor Root CA", 0x2a, 100, 900, san, 2, false,
                        toy_public(web_priv), ca_priv));
    CHECK(strstr(web->text, "Subject: CN=web\nIssuer: CN=Harbor Root CA\n") != NULL);
    CHECK(strstr(web->text, "Serial Number: 0x0000002a\n") != NULL);
    CHECK(strstr(web->text, "Subject Alternative Name: web, *.harbor.test\n") != NULL);
    CHECK(tls_cert_parse((const uint8_t *)web->text, web->len, back) == NULL);
    CHECK_STR(back->subject, "web");
    CHECK(back->n_san == 2 && back->not_before == 100 && back->not_after == 900 && !back->ca);
    CHECK(back->pubkey == web->pubkey && back->sig.e == web->sig.e &&
          back->tbs_len == web->tbs_len);
    CHECK(tls_cert_signed_by(back, ca->pubkey));
    CHECK(!tls_cert_signed_by(back, back->pubkey));
    CHECK(tls_cert_self_issued(ca) && !tls_cert_self_issued(web));

    /* verification, in OpenSSL's terms */
    CHECK_EQ(tls_cert_verify(web, 1, ca, 1, 500), TLS_V_OK);
    CHECK_EQ(tls_cert_verify(web, 1, ca, 1, 50), TLS_V_NOT_YET_VALID);
    CHECK_EQ(tls_cert_verify(web, 1, ca, 1, 950), TLS_V_EXPIRED);
    CHECK_EQ(tls_cert_verify(web, 1, NULL, 0, 500), TLS_V_NO_LOCAL_ISSUER);
    CHECK_EQ(tls_cert_verify(ca, 1, NULL, 0, 500), TLS_V_SELF_SIGNED);
    CHECK_EQ(tls_cert_verify(ca, 1, ca, 1, 500), TLS_V_OK);
    /* the CA sent along but not trusted: a self-signed one in the chain */
    struct tls_cert chain[2];
    chain[0] = *web;
    chain[1] = *ca;
    CHECK_EQ(tls_cert_verify(chain, 2, NULL, 0, 500), TLS_V_SELF_SIGNED_IN_CHAIN);
    CHECK_STR(tls_verify_str(TLS_V_SELF_SIGNED), "self-signed certificate");
    CHECK_STR(tls_verify_str(TLS_V_NO_LOCAL_ISSUER), "unable to get local issuer certificate");

    /* one changed byte breaks the signature */
    char *t = malloc(web->len);
    memcpy(t, web->text, web->len);
    char *cn = strstr(t, "CN=web");
    cn[3] = 'x';
    CHECK(tls_cert_parse((const uint8_t *)t, web->len, back) == NULL);
    CHECK(!tls_cert_signed_by(back, ca->pubkey));
    CHECK_EQ(tls_cert_verify(back, 1, ca, 1, 500), TLS_V_SIGNATURE);
    /* truncations and garbage are refused */
    int ok = 0;
    for (size_t k = 0; k < web->len; k++)
        if (!tls_cert_parse((const uint8_t *)web->text, k, back)) ok++;
    CHECK_EQ(ok, 0);
    CHECK(tls_cert_parse((const uint8_t *)"hello\n", 6, back) != NULL);
    free(t);

    /* names */
    CHECK_STR(tls_cert_host_match(web, "web"), "web");
    CHECK_STR(tls_cert_host_match(web, "WWW.Harbor.test"), "*.harbor.test");
    CHECK(tls_cert_host_match(web, "a.b.harbor.test") == NULL);
    CHECK(tls_cert_host_match(web, "harbor.test") == NULL);
    CHECK(tls_cert_host_match(web, "10.0.0.80") == NULL);
    CHECK_STR(tls_cert_host_match(ca, "Harbor Root CA"), "Harbor Root CA"); /* CN, no SAN */
    CHECK(tls_name_ok("Harbor Root CA") && !tls_name_ok("a,b") && !tls_name_ok(" x") &&
          !tls_name_ok("") && !tls_name_ok("tab\there"));
    CHECK(!tls_cert_make(back, "a,b", "x", 1, 0, 1, NULL, 0, false, 5, 5));

    char d[40];
    CHECK_STR(tls_time_str(INT64_C(1767225600), d, sizeof d), "Jan  1 00:00:00 2026 GMT");
    CHECK_STR(tls_time_str(INT64_C(1764633600), d, sizeof d), "Dec  2 00:00:00 2025 GMT");
    CHECK_STR(tls_time_str(INT64_C(951782400), d, sizeof d), "Feb 29 00:00:00 2000 GMT");
    free(ca);
    free(web);
    free(back);
}

/* ---- the toy primitives ---- */

static void test_toy(void)
{
    uint8_t a[32], b[32];
    toy_hash("abc", 3, a);
    toy_hash("abc", 3, b);
    CHECK_MEM(a, b, 32);
    toy_hash("abd", 3, b);
    CHECK(memcmp(a, b, 32) != 0);
    /* incremental = one shot; final leaves the state as it was */
    struct toy_hash t;
    toy_hash_init(&t);
    toy_hash_update(&t, "a", 1);
    toy_hash_final(&t, b);
    toy_hash_update(&t, "bc", 2);
    toy_hash_final(&t, b);
    CHECK_MEM(a, b, 32);
    /* pinned: captures stay the same from build to build */
    CHECK_EQ(toy_hash64("", 0) != 0, 1);
    uint8_t prf1[40], prf2[40];
    toy_prf(a, "key", NULL, 0, prf1, 40);
    toy_prf(a, "mac", NULL, 0, prf2, 40);
    CHECK(memcmp(prf1, prf2, 40) != 0);

    /* arithmetic modulo 2^61 - 1 */
    CHECK_EQ(toy_mulmod(7, 9, 10), 3);
    CHECK_EQ(toy_mulmod(TOY_P - 1, TOY_P - 1, TOY_P), 1);
    CHECK_EQ(toy_powmod(TOY_G, TOY_P - 1, TOY_P), 1); /* Fermat */
    uint64_t x = toy_private(1), y = toy_private(2);
    CHECK(x >= 2 && x <= TOY_P - 2);
    CHECK_EQ(toy_dh(x, toy_public(y)), toy_dh(y, toy_public(x)));
    struct toy_sig sig;
    toy_sign(x, (const uint8_t *)"msg", 3, &sig);
    CHECK(toy_verify(toy_public(x), (const uint8_t *)"msg", 3, &sig));
    CHECK(!toy_verify(toy_public(x), (const uint8_t *)"msh", 3, &sig));
    CHECK(!toy_verify(toy_public(y), (const uint8_t *)"msg", 3, &sig));
    sig.s ^= 1;
    CHECK(!toy_verify(toy_public(x), (const uint8_t *)"msg", 3, &sig));

    /* the keystream: XOR twice gives back the data; any byte alone */
    struct toy_key k;
    toy_key_derive(&k, a);
    uint8_t data[100], orig[100];
    for (int i = 0; i < 100; i++)
        data[i] = orig[i] = (uint8_t)i;
    toy_xor(&k, 5, 0, data, 100);
    CHECK(memcmp(data, orig, 100) != 0);
    uint8_t part[30];
    memcpy(part, orig + 37, 30);
    toy_xor(&k, 5, 37, part, 30);
    CHECK_MEM(part, data + 37, 30);
    toy_xor(&k, 5, 0, data, 100);
    CHECK_MEM(data, orig, 100);
    /* another record number, another keystream */
    toy_xor(&k, 6, 0, data, 100);
    memcpy(part, orig + 37, 30);
    toy_xor(&k, 5, 37, part, 30);
    CHECK(memcmp(part, data + 37, 30) != 0);
    uint8_t hdr[5] = {23, 3, 3, 0, 100}, tag1[16], tag2[16];
    toy_tag(&k, 5, hdr, orig, 100, tag1);
    toy_tag(&k, 6, hdr, orig, 100, tag2);
    CHECK(memcmp(tag1, tag2, 16) != 0);
}

int main(void)
{
    test_records();
    test_client_hello();
    test_server_messages();
    test_names();
    test_certs();
    test_toy();
    return check_done();
}
