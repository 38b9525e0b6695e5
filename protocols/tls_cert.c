/* tls_cert.c - the TLS stand-in's toy certificates: encoding, parsing,
 * signing and verifying (see tls_cert.h). NOT SECURE, for teaching. */
#include "tls_cert.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CERT_MAGIC "netstep toy certificate (NOT SECURE, for teaching)"

bool tls_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > TLS_NAME_MAX) return false;
    for (const char *c = s; *c; c++) {
        unsigned char u = (unsigned char)*c;
        if (u < 0x20 || u >= 0x7f || u == ',') return false;
    }
    return s[0] != ' ' && s[n - 1] != ' ';
}

/* ---- encoding ---- */

struct tbuf {
    char *p;
    size_t cap, len;
    bool over;
};

static void tb_printf(struct tbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tb_printf(struct tbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= b->cap - b->len)
        b->over = true;
    else
        b->len += (size_t)n;
}

bool tls_cert_make(struct tls_cert *c, const char *subject, const char *issuer, uint64_t serial,
                   int64_t not_before, int64_t not_after, const char *const *san, int n_san,
                   bool ca, uint64_t pubkey, uint64_t issuer_priv)
{
    memset(c, 0, sizeof *c);
    if (!tls_name_ok(subject) || !tls_name_ok(issuer) || n_san < 0 || n_san > TLS_CERT_SAN_MAX)
        return false;
    for (int i = 0; i < n_san; i++)
        if (!tls_name_ok(san[i])) return false;
    c->serial = serial;
    snprintf(c->subject, sizeof c->subject, "%s", subject);
    snprintf(c->issuer, sizeof c->issuer, "%s", issuer);
    c->not_before = not_before;
    c->not_after = not_after;
    for (int i = 0; i < n_san; i++)
        snprintf(c->san[i], sizeof c->san[i], "%s", san[i]);
    c->n_san = n_san;
    c->ca = ca;
    c->pubkey = pubkey;
    struct tbuf b = {c->text, sizeof c->text, 0, false};
    tb_printf(&b, "%s\nSerial Number: 0x%08" PRIx64 "\nSubject: CN=%s\nIssuer: CN=%s\n", CERT_MAGIC,
              serial, subject, issuer);
    tb_printf(&b, "Not Before: %" PRId64 "\nNot After: %" PRId64 "\n", not_before, not_after);
    if (n_san) {
        tb_printf(&b, "Subject Alternative Name: ");
        for (int i = 0; i < n_san; i++)
            tb_printf(&b, "%s%s", i ? ", " : "", san[i]);
        tb_printf(&b, "\n");
    }
    tb_printf(&b, "CA: %s\nPublic Key: toy-group-61 0x%016" PRIx64 "\n", ca ? "TRUE" : "FALSE",
              pubkey);
    c->tbs_len = b.len;
    toy_sign(issuer_priv, (const uint8_t *)c->text, c->tbs_len, &c->sig);
    tb_printf(&b, "Signature: toy-schnorr-61 e=0x%016" PRIx64 " s=0x%016" PRIx64 "\n", c->sig.e,
              c->sig.s);
    c->len = b.len;
    return !b.over;
}

/* ---- parsing ---- */

struct lines {
    const char *p, *end;
};

/* The next line (without its LF) when it starts with prefix: its value
 * into val (NUL-terminated, at most cap - 1 bytes). */
static bool take(struct lines *l, const char *prefix, char *val, size_t cap)
{
    const char *nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
    if (!nl) return false;
    size_t pl = strlen(prefix), n = (size_t)(nl - l->p);
    if (n < pl || memcmp(l->p, prefix, pl) != 0 || n - pl >= cap) return false;
    memcpy(val, l->p + pl, n - pl);
    val[n - pl] = 0;
    if (memchr(val, 0, n - pl)) return false;
    l->p = nl + 1;
    return true;
}

static bool peek(const struct lines *l, const char *prefix)
{
    size_t pl = strlen(prefix);
    return (size_t)(l->end - l->p) >= pl && memcmp(l->p, prefix, pl) == 0;
}

static bool parse_hex64(const char *s, uint64_t *out)
{
    if (s[0] != '0' || s[1] != 'x' || !s[2]) return false;
    uint64_t v = 0;
    int digits = 0;
    for (const char *c = s + 2; *c; c++) {
        int d = *c >= '0' && *c <= '9' ? *c - '0' : *c >= 'a' && *c <= 'f' ? *c - 'a' + 10 : -1;
        if (d < 0 || ++digits > 16) return false;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return true;
}

static bool parse_i64(const char *s, int64_t *out)
{
    bool neg = *s == '-';
    if (neg) s++;
    if (!*s || strlen(s) > 15) return false;
    int64_t v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9') return false;
        v = v * 10 + (*c - '0');
    }
    *out = neg ? -v : v;
    return true;
}

const char *tls_cert_parse(const uint8_t *buf, size_t len, struct tls_cert *out)
{
    memset(out, 0, sizeof *out);
    if (len >= sizeof out->text) return "a certificate is at most 1535 bytes here";
    struct lines l = {(const char *)buf, (const char *)buf + len};
    char v[TLS_CERT_TEXT_MAX];
    if (!take(&l, CERT_MAGIC, v, sizeof v) || v[0]) return "not a netstep toy certificate";
    if (!take(&l, "Serial Number: ", v, sizeof v) || !parse_hex64(v, &out->serial))
        return "bad Serial Number line";
    if (!take(&l, "Subject: CN=", out->subject, sizeof out->subject) || !tls_name_ok(out->subject))
        return "bad Subject line";
    if (!take(&l, "Issuer: CN=", out->issuer, sizeof out->issuer) || !tls_name_ok(out->issuer))
        return "bad Issuer line";
    if (!take(&l, "Not Before: ", v, sizeof v) || !parse_i64(v, &out->not_before))
        return "bad Not Before line";
    if (!take(&l, "Not After: ", v, sizeof v) || !parse_i64(v, &out->not_after))
        return "bad Not After line";
    if (peek(&l, "Subject Alternative Name: ")) {
        if (!take(&l, "Subject Alternative Name: ", v, sizeof v)) return "bad name line";
        for (char *s = v; s;) {
            char *comma = strstr(s, ", ");
            if (comma) *comma = 0;
            if (out->n_san == TLS_CERT_SAN_MAX || !tls_name_ok(s))
                return "bad Subject Alternative Name line";
            memcpy(out->san[out->n_san++], s, strlen(s) + 1); /* tls_name_ok: fits */
            s = comma ? comma + 2 : NULL;
        }
    }
    if (!take(&l, "CA: ", v, sizeof v) || (strcmp(v, "TRUE") && strcmp(v, "FALSE")))
        return "bad CA line";
    out->ca = !strcmp(v, "TRUE");
    if (!take(&l, "Public Key: toy-group-61 ", v, sizeof v) || !parse_hex64(v, &out->pubkey))
        return "bad Public Key line";
    out->tbs_len = (size_t)(l.p - (const char *)buf);
    if (!take(&l, "Signature: toy-schnorr-61 e=", v, sizeof v)) return "bad Signature line";
    char *sp = strstr(v, " s=");
    if (!sp) return "bad Signature line";
    *sp = 0;
    if (!parse_hex64(v, &out->sig.e) || !parse_hex64(sp + 3, &out->sig.s))
        return "bad Signature line";
    if (l.p != l.end) return "bytes after the signature";
    memcpy(out->text, buf, len);
    out->len = len;
    return NULL;
}

/* ---- verifying ---- */

bool tls_cert_signed_by(const struct tls_cert *c, uint64_t issuer_pub)
{
    return toy_verify(issuer_pub, (const uint8_t *)c->text, c->tbs_len, &c->sig);
}

bool tls_cert_self_issued(const struct tls_cert *c)
{
    return strcmp(c->subject, c->issuer) == 0;
}

const char *tls_verify_str(int v)
{
    switch (v) {
    case TLS_V_OK:
        return "ok";
    case TLS_V_SIGNATURE:
        return "certificate signature failure";
    case TLS_V_NOT_YET_VALID:
        return "certificate is not yet valid";
    case TLS_V_EXPIRED:
        return "certificate has expired";
    case TLS_V_SELF_SIGNED:
        return "self-signed certificate";
    case TLS_V_SELF_SIGNED_IN_CHAIN:
        return "self-signed certificate in certificate chain";
    case TLS_V_NO_LOCAL_ISSUER:
        return "unable to get local issuer certificate";
    case TLS_V_NOT_CA:
        return "invalid CA certificate";
    case TLS_V_HOSTNAME:
        return "hostname mismatch";
    default:
        return "certificate verify failed";
    }
}

static int time_check(const struct tls_cert *c, int64_t now)
{
    if (now < c->not_before) return TLS_V_NOT_YET_VALID;
    if (now > c->not_after) return TLS_V_EXPIRED;
    return TLS_V_OK;
}

static const struct tls_cert *find_subject(const struct tls_cert *set, int n, const char *subject)
{
    for (int i = 0; i < n; i++)
        if (strcmp(set[i].subject, subject) == 0) return &set[i];
    return NULL;
}

int tls_cert_verify(const struct tls_cert *chain, int n, const struct tls_cert *trusted,
                    int n_trusted, int64_t now)
{
    if (n < 1) return TLS_V_NO_LOCAL_ISSUER;
    const struct tls_cert *cur = &chain[0];
    for (int depth = 0; depth <= n; depth++) {
        /* a trust anchor: the certificate itself, or its issuer */
        for (int i = 0; i < n_trusted; i++) {
            const struct tls_cert *t = &trusted[i];
            if (strcmp(t->subject, cur->subject) == 0 && t->pubkey == cur->pubkey)
                return time_check(cur, now);
        }
        const struct tls_cert *up = find_subject(trusted, n_trusted, cur->issuer);
        if (up) {
            if (!up->ca) return TLS_V_NOT_CA;
            if (!tls_cert_signed_by(cur, up->pubkey)) return TLS_V_SIGNATURE;
            int v = time_check(cur, now);
            return v ? v : time_check(up, now);
        }
        if (tls_cert_self_issued(cur)) {
            if (!tls_cert_signed_by(cur, cur->pubkey)) return TLS_V_SIGNATURE;
            return depth == 0 ? TLS_V_SELF_SIGNED : TLS_V_SELF_SIGNED_IN_CHAIN;
        }
        /* an intermediate sent along */
        const struct tls_cert *next = n > 1 ? find_subject(chain + 1, n - 1, cur->issuer) : NULL;
        if (!next || next == cur) return TLS_V_NO_LOCAL_ISSUER;
        if (!next->ca) return TLS_V_NOT_CA;
        if (!tls_cert_signed_by(cur, next->pubkey)) return TLS_V_SIGNATURE;
        int v = time_check(cur, now);
        if (v) return v;
        cur = next;
    }
    return TLS_V_NO_LOCAL_ISSUER;
}

static bool name_match(const char *pattern, const char *host)
{
    if (strcasecmp(pattern, host) == 0) return true;
    /* RFC 6125 6.4.3: "*." matches exactly one leftmost label */
    if (pattern[0] != '*' || pattern[1] != '.') return false;
    const char *dot = strchr(host, '.');
    return dot && dot != host && strcasecmp(pattern + 1, dot) == 0;
}

const char *tls_cert_host_match(const struct tls_cert *c, const char *host)
{
    if (!c->n_san) return name_match(c->subject, host) ? c->subject : NULL;
    for (int i = 0; i < c->n_san; i++)
        if (name_match(c->san[i], host)) return c->san[i];
    return NULL;
}

char *tls_time_str(int64_t t, char *buf, size_t n)
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t secs = t - days * 86400;
    /* Howard Hinnant's civil_from_days */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) y++;
    snprintf(buf, n, "%s %2d %02d:%02d:%02d %lld GMT", mon[m - 1], (int)d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60), (long long)y);
    return buf;
}
