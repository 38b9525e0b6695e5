/* fuzz_tls.c - libFuzzer target for the TLS stand-in: the input as the
 * bytes a client sends, fed to a server session, and as the bytes a server
 * sends, fed to a client session (both built exactly as the seed corpus
 * was recorded, so a seed runs the whole handshake and its mutations reach
 * every state); the record, handshake message and certificate parsers on
 * it, a parsed ClientHello emitted and parsed back unchanged; and the
 * dissector on port 443 both ways (tree and summary agree, every field
 * inside the frame). The seeds in corpus/tls/ come from tls_fuzz_pair()
 * below (build a replay binary with -DTLS_FUZZ_WRITE_SEEDS and run it in
 * that folder to rewrite them). */
#include "fuzz.h"
#include "fuzz_dissect.h"
#include "../unit/fixture.h"
#include "protocols/dissect.h"
#include "protocols/tcp_wire.h"
#include "protocols/tls.h"

/* ---- the two sides, always the same ---- */

struct ids {
    bool made;
    struct tls_identity ca, web;
};
static struct ids ids; /* built once: signing costs a few group operations */

static void ids_make(void)
{
    if (ids.made) return;
    const char *names[] = {"www.harbor.test"};
    FUZZ_ASSERT(tls_ca_make(&ids.ca, 7, "Fuzz CA", 3650));
    FUZZ_ASSERT(tls_identity_make(&ids.web, 7, "web", names, 1, &ids.ca, 397));
    ids.made = true;
}

struct side {
    uint8_t *out;
    size_t len, cap;
    size_t got;
    int ready, failed;
};

static void sd_send(void *ctx, const uint8_t *d, size_t n)
{
    struct side *s = ctx;
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2;
        s->out = realloc(s->out, s->cap);
        FUZZ_ASSERT(s->out);
    }
    memcpy(s->out + s->len, d, n);
    s->len += n;
}
static void sd_ready(void *ctx)
{
    ((struct side *)ctx)->ready++;
}
static void sd_data(void *ctx, const uint8_t *d, size_t n)
{
    (void)d;
    ((struct side *)ctx)->got += n;
}
static void sd_failed(void *ctx, const struct tls_error *e)
{
    struct side *s = ctx;
    FUZZ_ASSERT(e->why[0]);
    s->failed++;
}
static const struct tls_session_io sd_io = {sd_send, sd_ready, sd_data, NULL, sd_failed, NULL};

static const struct tls_client_conf client_conf = {"www.harbor.test", "http/1.1", true, NULL, 0,
                                                   TLS_EPOCH};

static struct tls_session *client_new(struct side *s, struct tls_client_conf *cf)
{
    struct rng r;
    rng_seed(&r, 1);
    *cf = client_conf;
    cf->trusted = &ids.ca.cert;
    cf->n_trusted = 1;
    return tls_session_client(cf, &r, &sd_io, s);
}

static struct tls_session *server_new(struct side *s, struct tls_server_conf *cf)
{
    struct rng r;
    rng_seed(&r, 2);
    cf->id = &ids.web;
    cf->alpn = "http/1.1";
    return tls_session_server(cf, &r, &sd_io, s);
}

static void fuzz_sessions(const uint8_t *data, size_t size)
{
    ids_make();
    struct side a = {0}, b = {0};
    struct tls_server_conf scf;
    struct tls_session *s = server_new(&a, &scf);
    /* in one piece, then byte by byte: the same outcome */
    tls_session_input(s, data, size);
    int ready = a.ready, failed = a.failed;
    size_t got = a.got;
    FUZZ_ASSERT(ready <= 1 && failed <= 1);
    tls_session_free(s);
    free(a.out);
    memset(&a, 0, sizeof a);
    s = server_new(&a, &scf);
    for (size_t i = 0; i < size; i++)
        tls_session_input(s, data + i, 1);
    FUZZ_ASSERT(a.ready == ready && a.failed == failed && a.got == got);
    tls_session_write(s, "x", 1);
    tls_session_close(s);
    tls_session_free(s);
    free(a.out);

    struct tls_client_conf ccf;
    struct tls_session *c = client_new(&b, &ccf);
    tls_session_start(c);
    tls_session_input(c, data, size);
    FUZZ_ASSERT(b.ready <= 1 && b.failed <= 1);
    tls_session_write(c, "y", 1);
    tls_session_close(c);
    tls_session_free(c);
    free(b.out);
}

/* ---- the parsers ---- */

static void fuzz_parsers(const uint8_t *data, size_t size)
{
    struct tls_record r;
    if (tls_record_parse(data, size, &r) == TLS_WIRE_OK)
        FUZZ_ASSERT(r.frag + r.len <= data + size && r.len <= TLS_CIPHER_MAX);
    uint8_t type;
    uint32_t bl;
    if (tls_hs_parse(data, size, &type, &bl) == TLS_WIRE_OK) FUZZ_ASSERT(bl <= size - 4);
    struct tls_client_hello ch, back;
    if (tls_client_hello_parse(data, size, &ch) == TLS_WIRE_OK) {
        uint8_t buf[600];
        size_t n = tls_client_hello_emit(&ch, buf, sizeof buf);
        if (n) {
            FUZZ_ASSERT(tls_client_hello_parse(buf + 4, n - 4, &back) == TLS_WIRE_OK);
            FUZZ_ASSERT(strcmp(back.sni, ch.sni) == 0 && back.tls13 == ch.tls13 &&
                        back.share == ch.share && strcmp(back.alpn, ch.alpn) == 0 &&
                        memcmp(back.random, ch.random, 32) == 0);
        }
    }
    struct tls_server_hello sh;
    tls_server_hello_parse(data, size, &sh);
    char alpn[TLS_ALPN_MAX + 1];
    if (tls_encrypted_extensions_parse(data, size, alpn) == TLS_WIRE_OK)
        FUZZ_ASSERT(strlen(alpn) <= TLS_ALPN_MAX);
    const uint8_t *certs[TLS_CHAIN_MAX];
    size_t lens[TLS_CHAIN_MAX];
    int n;
    if (tls_certificate_parse(data, size, certs, lens, &n) == TLS_WIRE_OK)
        for (int i = 0; i < n; i++)
            FUZZ_ASSERT(certs[i] >= data && certs[i] + lens[i] <= data + size);
    struct tls_cert *cert = malloc(sizeof *cert);
    FUZZ_ASSERT(cert);
    if (!tls_cert_parse(data, size, cert)) {
        FUZZ_ASSERT(cert->tbs_len < cert->len && tls_name_ok(cert->subject));
        char host[TLS_NAME_MAX + 1];
        snprintf(host, sizeof host, "%s", cert->subject);
        tls_cert_host_match(cert, host);
        tls_cert_verify(cert, 1, cert, 1, TLS_EPOCH);
    }
    free(cert);
    uint16_t scheme;
    uint64_t e, s;
    tls_certificate_verify_parse(data, size, &scheme, &e, &s);
}

#ifdef TLS_FUZZ_WRITE_SEEDS
/* The seeds: what each side sends in a whole session (hello, finished, a
 * request and its answer, close_notify). */
static void tls_fuzz_pair(struct side *c, struct side *s)
{
    struct tls_client_conf ccf;
    struct tls_server_conf scf;
    struct tls_session *cs = client_new(c, &ccf), *ss = server_new(s, &scf);
    tls_session_write(ss, "220 ready\r\n", 11);
    tls_session_start(cs);
    size_t cd = 0, sd = 0;
    for (int round = 0; round < 8; round++) {
        if (round == 4) tls_session_write(cs, "GET / HTTP/1.1\r\nHost: web\r\n\r\n", 29);
        if (round == 5) tls_session_write(ss, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", 40);
        if (round == 6) tls_session_close(cs);
        size_t cl = c->len, sl = s->len;
        if (cl > cd) tls_session_input(ss, c->out + cd, cl - cd);
        if (sl > sd) tls_session_input(cs, s->out + sd, sl - sd);
        cd = cl;
        sd = sl;
    }
    FUZZ_ASSERT(c->ready == 1 && s->ready == 1 && !c->failed && !s->failed);
    tls_session_free(cs);
    tls_session_free(ss);
}

/* Rewrites the seeds: run the replay binary built with this defined,
 * from tests/fuzz/corpus/tls/. */
static void write_seeds(void)
{
    ids_make();
    struct side c = {0}, s = {0};
    tls_fuzz_pair(&c, &s);
    FILE *f = fopen("certificate.txt", "wb");
    fwrite(ids.web.cert.text, 1, ids.web.cert.len, f);
    fclose(f);
    f = fopen("client_stream.bin", "wb");
    fwrite(c.out, 1, c.len, f);
    fclose(f);
    f = fopen("server_stream.bin", "wb");
    fwrite(s.out, 1, s.len, f);
    fclose(f);
    free(c.out);
    free(s.out);
    exit(0);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifdef TLS_FUZZ_WRITE_SEEDS
    write_seeds();
#endif
    if (size > 1 << 16) return 0;
    fuzz_parsers(data, size);
    if (size > 5) {
        fuzz_parsers(data + 5, size - 5);                /* a record's fragment */
        fuzz_parsers(data + 9, size > 9 ? size - 9 : 0); /* a handshake message's body */
    }
    fuzz_sessions(data, size);
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 80), 40000, 443);
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 80), 443, 40000);
    return 0;
}
