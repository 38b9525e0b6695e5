/* fuzz_imap.c - libFuzzer target for IMAP: the token readers over the
 * input (tag, atom, astring, string, number, sequence set, the literal
 * marker, the response line); live sessions (fresh, and logged in with a
 * mailbox selected) fed the input as TCP would bring it, literals
 * included; and the dissector on port 143, both ways. */
#include "fuzz.h"
#include "fuzz_dissect.h"
#include "../unit/fixture.h"
#include "../unit/mail_fixture.h"
#include "protocols/dissect.h"
#include "protocols/tcp_wire.h"

static void fuzz_tokens(const uint8_t *data, size_t size)
{
    struct imap_parser ps;
    char buf[256];
    const char *s;
    size_t n;
    uint32_t v;
    struct imap_seqset *set = malloc(sizeof *set);
    if (!set) return;
    imap_parser_init(&ps, (const char *)data, size);
    /* a walk that tries every reader at each position */
    while (!imap_at_end(&ps)) {
        size_t at = ps.pos;
        if (imap_read_tag(&ps, buf, sizeof buf)) FUZZ_ASSERT(strlen(buf) < sizeof buf);
        if (imap_read_atom(&ps, buf, sizeof buf, true)) FUZZ_ASSERT(strlen(buf) < sizeof buf);
        if (imap_read_string(&ps, buf, sizeof buf, &s, &n))
            FUZZ_ASSERT(s == buf ? n < sizeof buf
                                 : s >= (const char *)data && s + n <= (const char *)data + size);
        if (imap_read_astring(&ps, buf, sizeof buf)) FUZZ_ASSERT(strlen(buf) < sizeof buf);
        imap_read_number(&ps, &v);
        if (imap_read_seqset(&ps, set)) {
            FUZZ_ASSERT(set->n >= 1 && set->n <= IMAP_SEQ_MAX);
            imap_seq_resolve(set, 7);
            for (uint32_t k = 0; k < set->n; k++)
                FUZZ_ASSERT(set->r[k].lo <= set->r[k].hi);
        }
        FUZZ_ASSERT(ps.pos <= size);
        if (ps.pos == at) ps.pos++;
    }
    free(set);
    uint64_t lit;
    bool ns;
    if (imap_line_literal((const char *)data, size, &lit, &ns)) FUZZ_ASSERT(lit < 100000000000ull);
    char tag[IMAP_TAG_MAX], st[16];
    if (imap_resp_parse((const char *)data, size, tag, sizeof tag, st, sizeof st))
        FUZZ_ASSERT(strlen(tag) < sizeof tag && strlen(st) < sizeof st);
}

/* Whatever the server wrote ends with CRLF (a response never stops
 * half-way). */
static void check_out(struct imap_session *s)
{
    struct mail_buf *b = &s->out;
    FUZZ_ASSERT(b->len == 0 || (b->len >= 2 && !memcmp(b->p + b->len - 2, "\r\n", 2)));
    b->len = 0;
}

static void fuzz_session(const uint8_t *data, size_t size, const char *prefix)
{
    struct mfx f;
    mfx_init(&f);
    f.env.trace = size & 1;
    struct mail_user *u = mail_user_find(f.store, "nadia");
    struct mail_folder *in = mail_inbox(u);
    static const char m1[] = "From: Ann <ann@example.test>, bob@x.test\r\nTo: nadia@harbor.test\r\n"
                             "Subject: hi\r\nContent-Type: text/plain; charset=\"utf-8\"\r\n\r\n"
                             ".body\r\nline\r\n";
    mail_append(in, m1, strlen(m1), MAIL_RECENT, 0);
    mail_append(in, "no header at all", 16, MAIL_SEEN | MAIL_DELETED, SIM_S);
    mail_append(in, "Subject: x\r\n\r\n", 14, 0, 86400 * SIM_S);
    mail_folder_create(f.store, u, "Archive");
    struct imap_session *s = imap_session_new(&f.env);
    mfx_feeds(s, MFX_IMAP, prefix);
    check_out(s);
    mfx_feed(s, MFX_IMAP, (const char *)data, size);
    check_out(s);
    FUZZ_ASSERT(s->n_view <= 100);
    FUZZ_ASSERT(s->state != IMAP_SELECTED || s->sel != NULL);
    /* the store still holds together: ascending UIDs everywhere */
    for (uint32_t k = 0; k < u->n_folders; k++) {
        const struct mail_folder *fo = u->folders[k];
        for (uint32_t i = 1; i < fo->n; i++)
            FUZZ_ASSERT(fo->msgs[i - 1].uid < fo->msgs[i].uid);
        FUZZ_ASSERT(fo->n == 0 || fo->msgs[fo->n - 1].uid < fo->uidnext);
    }
    imap_session_free(s);
    for (uint32_t k = 0; k < u->n_folders; k++)
        FUZZ_ASSERT(u->folders[k]->open == 0);
    mfx_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_tokens(data, size);
    fuzz_session(data, size, "");
    fuzz_session(data, size, "a1 LOGIN nadia pw\r\na2 SELECT INBOX\r\n");
    fuzz_session(data, size, "a1 LOGIN nadia pw\r\na2 EXAMINE INBOX\r\n");
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 25), 143, 40000);
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 25), 40000, 143);
    return 0;
}
