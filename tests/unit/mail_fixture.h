/* mail_fixture.h - what the mail tests share (not a test itself): a store
 * with two accounts, the environment a session runs in (no network), and
 * feeding a session text as TCP would bring it through textconn: cut into
 * lines at LF with the CR before it dropped, or handed over as raw bytes
 * while an IMAP session waits for a literal. */
#ifndef NETSTEP_TEST_MAIL_FIXTURE_H
#define NETSTEP_TEST_MAIL_FIXTURE_H

#include "protocols/dissect.h"
#include "protocols/eth_wire.h"
#include "protocols/imap.h"
#include "protocols/ip4_wire.h"
#include "protocols/tcp_wire.h"
#include "protocols/pop3.h"
#include "protocols/smtp.h"
#include "protocols/textconn.h"

#include <stdlib.h>
#include <string.h>

struct mfx {
    struct mail_store *store;
    struct mail_env env;
    int notes; /* notes seen (env.trace on) */
    char last_why[1024];
};

static inline void mfx_note(void *ctx, const char *proto, const char *summary, const char *why)
{
    struct mfx *f = ctx;
    (void)proto;
    (void)summary;
    f->notes++;
    snprintf(f->last_why, sizeof f->last_why, "%s", why);
}

static inline void mfx_init(struct mfx *f)
{
    memset(f, 0, sizeof *f);
    f->store = mail_store_new();
    mail_account_add(f->store, "nadia", "pw");
    mail_account_add(f->store, "omar", "s3cret");
    f->env.store = f->store;
    f->env.hostname = "mail.harbor.test";
    f->env.domain = "harbor.test";
    f->env.now = 5 * SIM_S;
    f->env.trace = true;
    f->env.note = mfx_note;
    f->env.ctx = f;
}

static inline void mfx_free(struct mfx *f)
{
    mail_store_free(f->store);
}

/* Takes what a session wrote (NUL-terminated; the caller frees). */
static inline char *mfx_take(struct mail_buf *b)
{
    char *s = malloc(b->len + 1);
    if (!s) abort();
    if (b->len) memcpy(s, b->p, b->len);
    s[b->len] = 0;
    b->len = 0;
    return s;
}

/* The stream framing of textconn, for one kind of session. */
enum mfx_kind { MFX_SMTP, MFX_POP3, MFX_IMAP };

static inline void mfx_feed(void *session, enum mfx_kind kind, const char *text, size_t n)
{
    char *line = malloc(TEXT_LINE_MAX + 1);
    if (!line) abort();
    size_t ll = 0, i = 0;
    bool cut = false;
    while (i < n) {
        if (kind == MFX_IMAP) {
            struct imap_session *s = session;
            if (s->literal_left) {
                size_t k = n - i < s->literal_left ? n - i : s->literal_left;
                s->want_bytes = 0;
                imap_session_bytes(s, (const uint8_t *)text + i, k);
                i += k;
                continue;
            }
        }
        char c = text[i++];
        if (c != '\n') {
            if (ll < TEXT_LINE_MAX)
                line[ll++] = c;
            else
                cut = true;
            continue;
        }
        if (ll && line[ll - 1] == '\r') ll--;
        line[ll] = 0;
        if (kind == MFX_SMTP) smtp_session_line(session, line, ll, cut);
        if (kind == MFX_POP3) pop3_session_line(session, line, ll, cut);
        if (kind == MFX_IMAP) imap_session_line(session, line, ll, cut);
        ll = 0;
        cut = false;
    }
    free(line);
}

static inline void mfx_feeds(void *session, enum mfx_kind kind, const char *text)
{
    mfx_feed(session, kind, text, strlen(text));
}

/* Feeds text to a session (of the kind given), returns what it answered;
 * the caller frees it. MFX_EXPECT checks the answer is exactly want (a
 * test file includes check.h before this header). */
#define MFX_SAY(s, kind, text) (mfx_feeds((s), (kind), (text)), mfx_take(&(s)->out))
#define MFX_EXPECT(s, kind, in, want)                                                              \
    do {                                                                                           \
        char *got_ = MFX_SAY((s), (kind), (in));                                                   \
        CHECK_STR(got_, (want));                                                                   \
        free(got_);                                                                                \
    } while (0)

/* Dissects an Ethernet/IPv4/TCP frame carrying payload from sport to
 * dport (10.0.0.25 -> 10.0.0.1); the caller dissect_free()s d. */
static inline void mfx_dissect(const char *payload, uint16_t sport, uint16_t dport,
                               struct dissection *d)
{
    size_t n = strlen(payload), len = ETH_HDR_LEN + IP4_HDR_LEN + 20 + n;
    uint8_t *fr = calloc(1, len);
    if (!fr) abort();
    struct eth_hdr e = {.type = ETH_TYPE_IPV4};
    eth_emit(&e, fr);
    struct ip4_hdr ip = {.ihl = 20,
                         .total_len = (uint16_t)(len - ETH_HDR_LEN),
                         .ttl = 64,
                         .proto = IP4_PROTO_TCP,
                         .src = 0x0a000019,
                         .dst = 0x0a000001};
    ip4_emit(&ip, fr + ETH_HDR_LEN);
    uint8_t *seg = fr + ETH_HDR_LEN + IP4_HDR_LEN;
    memcpy(seg + 20, payload, n);
    struct tcp_hdr t = {.sport = sport,
                        .dport = dport,
                        .seq = 1,
                        .ack = 1,
                        .hlen = 20,
                        .flags = TCP_ACK | TCP_PSH,
                        .window = 512};
    tcp_emit(seg, &t);
    tcp_checksum_fill(seg, 20 + n, ip.src, ip.dst);
    dissect_frame(fr, len, d);
    free(fr);
}

/* The value of the first field called name, or NULL. */
static inline const char *mfx_field(const struct dissection *d, const char *name)
{
    for (uint32_t i = 0; i < d->n_fields; i++)
        if (!strcmp(d->fields[i].name, name)) return d->fields[i].value;
    return NULL;
}

#endif
