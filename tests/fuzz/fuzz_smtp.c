/* fuzz_smtp.c - libFuzzer target for the line-based mail protocols, SMTP
 * and POP3: every line of the input through the command, path and reply
 * parsers; dot-stuffing there and back; live sessions (fresh, and in the
 * middle of a message or logged in) fed the input as TCP would bring it,
 * SMTP also as the submission port 587 with STARTTLS; the client's
 * STARTTLS dialogue (smtp_starttls.h); and the dissector on ports 25, 587
 * and 110, both ways. */
#include "fuzz.h"
#include "fuzz_dissect.h"
#include "../unit/fixture.h"
#include "../unit/mail_fixture.h"
#include "protocols/dissect.h"
#include "protocols/smtp_starttls.h"
#include "protocols/tcp_wire.h"

/* The next CRLF in p[0..n) (the text may hold NULs), or NULL. */
static const char *find_crlf(const char *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (p[i] == '\r' && p[i + 1] == '\n') return p + i;
    return NULL;
}

static void fuzz_lines(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    size_t i = 0;
    while (i < size) {
        const char *nl = memchr(p + i, '\n', size - i);
        size_t n = nl ? (size_t)(nl - (p + i)) : size - i;
        const char *line = p + i;
        struct smtp_cmd c;
        if (smtp_cmd_parse(line, n, &c)) {
            FUZZ_ASSERT(c.arg >= line && c.arg + c.arg_len <= line + n);
            FUZZ_ASSERT(strlen(c.name) < sizeof c.name);
            char addr[SMTP_PATH_MAX];
            const char *params;
            size_t pl;
            static const char *const keys[] = {"FROM:", "TO:"};
            for (int k = 0; k < 2; k++) {
                if (smtp_path_parse(c.arg, c.arg_len, keys[k], addr, sizeof addr, &params, &pl) ==
                    SMTP_PATH_OK) {
                    FUZZ_ASSERT(strlen(addr) < SMTP_PATH_MAX - 1);
                    FUZZ_ASSERT(!strchr(addr, ' ') && !strchr(addr, '<'));
                    FUZZ_ASSERT(params >= c.arg && params + pl <= c.arg + c.arg_len);
                }
            }
        }
        struct smtp_reply r;
        if (smtp_reply_parse(line, n, &r)) {
            FUZZ_ASSERT(r.code >= 0 && r.code <= 999);
            FUZZ_ASSERT(r.text + r.text_len <= line + n);
        }
        struct pop3_cmd pc;
        if (pop3_cmd_parse(line, n, &pc)) {
            FUZZ_ASSERT(pc.rest + pc.rest_len == line + n);
            for (int k = 0; k < pc.argc && k < 2; k++)
                FUZZ_ASSERT(pc.argv[k] >= line && pc.argv[k] + pc.argl[k] <= line + n);
        }
        bool ok;
        const char *t;
        size_t tl;
        if (pop3_resp_parse(line, n, &ok, &t, &tl)) FUZZ_ASSERT(t + tl <= line + n);
        i += n + 1;
    }
}

/* The input as message text with CRLF line ends: stuffed, then read back
 * line by line as an SMTP server reads DATA, it is the same text. */
static void fuzz_dot_stuffing(const uint8_t *data, size_t size)
{
    struct mail_buf msg = {0}, wire = {0}, back = {0};
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\r') continue;
        if (data[i] == '\n')
            mbuf_put(&msg, "\r\n", 2);
        else
            mbuf_put(&msg, data + i, 1);
    }
    if (msg.len && (msg.len < 2 || memcmp(msg.p + msg.len - 2, "\r\n", 2) != 0))
        mbuf_put(&msg, "\r\n", 2);
    smtp_dot_stuff(&wire, msg.p ? msg.p : "", msg.len);
    size_t i = 0;
    bool ended = false;
    while (i < wire.len) {
        const char *crlf = find_crlf(wire.p + i, wire.len - i);
        FUZZ_ASSERT(crlf != NULL);
        const char *line = wire.p + i;
        size_t n = (size_t)(crlf - line);
        i += n + 2;
        if (smtp_dot_unstuff(&line, &n)) {
            ended = true;
            break;
        }
        mbuf_put(&back, line, n);
        mbuf_put(&back, "\r\n", 2);
    }
    FUZZ_ASSERT(ended && i == wire.len);
    FUZZ_ASSERT(back.len == msg.len && (!msg.len || !memcmp(back.p, msg.p, msg.len)));
    mbuf_free(&msg);
    mbuf_free(&wire);
    mbuf_free(&back);
}

/* Every SMTP reply line is a reply: three digits, then ' ' or '-'. */
static void check_smtp_out(struct smtp_session *s)
{
    struct mail_buf *b = &s->out;
    FUZZ_ASSERT(b->len == 0 || (b->len >= 2 && !memcmp(b->p + b->len - 2, "\r\n", 2)));
    size_t i = 0;
    while (i < b->len) {
        const char *crlf = find_crlf(b->p + i, b->len - i);
        FUZZ_ASSERT(crlf);
        struct smtp_reply r;
        FUZZ_ASSERT(smtp_reply_parse(b->p + i, (size_t)(crlf - (b->p + i)), &r));
        i = (size_t)(crlf - b->p) + 2;
    }
    b->len = 0;
}

static void fuzz_smtp_session(const uint8_t *data, size_t size, const char *prefix, bool submission)
{
    struct mfx f;
    mfx_init(&f);
    f.env.trace = size & 1; /* both with and without notes */
    struct smtp_session *s = smtp_session_new(&f.env, IP(10, 0, 0, 5));
    s->starttls_ok = s->tls_required = submission;
    mfx_feeds(s, MFX_SMTP, prefix);
    check_smtp_out(s);
    mfx_feed(s, MFX_SMTP, (const char *)data, size);
    check_smtp_out(s);
    mfx_feeds(s, MFX_SMTP, "\r\n.\r\nQUIT\r\n");
    check_smtp_out(s);
    FUZZ_ASSERT(s->close);
    FUZZ_ASSERT(!s->start_tls || s->tls); /* TLS starts only once */
    smtp_session_free(s);
    mfx_free(&f);
}

static void fuzz_pop3_session(const uint8_t *data, size_t size, const char *prefix)
{
    struct mfx f;
    mfx_init(&f);
    f.env.trace = size & 1;
    struct mail_folder *in = mail_inbox(mail_user_find(f.store, "nadia"));
    mail_append(in, "Subject: a\r\n\r\n.x\r\n", 19, MAIL_RECENT, 0);
    mail_append(in, "Subject: b\r\n\r\nbody\r\n", 20, MAIL_SEEN, 0);
    struct pop3_session *s = pop3_session_new(&f.env);
    mfx_feeds(s, MFX_POP3, prefix);
    mfx_feed(s, MFX_POP3, (const char *)data, size);
    struct mail_buf *b = &s->out;
    FUZZ_ASSERT(b->len == 0 || (b->len >= 2 && !memcmp(b->p + b->len - 2, "\r\n", 2)));
    FUZZ_ASSERT(in->n <= 2);
    bool closed = s->close;
    size_t before = b->len;
    mfx_feeds(s, MFX_POP3, "NOOP\r\n");
    FUZZ_ASSERT(closed ? b->len == before : b->len > before);
    pop3_session_free(s);
    mfx_free(&f);
}

/* The client's dialogue never writes past its buffer and never reads past
 * what it was given; once done it reads nothing more. */
static void fuzz_starttls_client(const uint8_t *data, size_t size)
{
    struct smtp_starttls x;
    smtp_starttls_init(&x, size & 1 ? "pc1.student.test" : NULL);
    size_t i = 0;
    while (i < size) {
        size_t chunk = 1 + data[i] % 64;
        if (chunk > size - i) chunk = size - i;
        char out[300];
        size_t n;
        size_t used = smtp_starttls_input(&x, data + i, chunk, out, sizeof out, &n);
        FUZZ_ASSERT(used <= chunk && n < sizeof out);
        FUZZ_ASSERT(used == chunk || x.phase == STLS_DONE);
        i += used;
        if (x.phase == STLS_DONE) break;
    }
    if (x.phase == STLS_DONE) FUZZ_ASSERT(x.code >= 0 && x.code <= 999);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_lines(data, size);
    fuzz_dot_stuffing(data, size);
    fuzz_smtp_session(data, size, "", false);
    fuzz_smtp_session(data, size,
                      "EHLO pc1\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<nadia@harbor.test>\r\n", false);
    fuzz_smtp_session(data, size, "HELO pc1\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<omar>\r\nDATA\r\n",
                      false);
    fuzz_smtp_session(data, size, "EHLO pc1\r\n", true);
    fuzz_smtp_session(data, size, "EHLO pc1\r\nSTARTTLS\r\nEHLO pc1\r\n", true);
    fuzz_starttls_client(data, size);
    fuzz_pop3_session(data, size, "");
    fuzz_pop3_session(data, size, "USER nadia\r\nPASS pw\r\n");
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 25), 25, 40000);
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 25), 40000, 25);
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 25), 587, 40000);
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 25), 40000, 587);
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 25), 110, 40000);
    fuzz_tcp_dissector(data, size, IP(10, 0, 0, 25), 40000, 110);
    return 0;
}
