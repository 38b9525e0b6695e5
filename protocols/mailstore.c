/* mailstore.c - accounts, folders and messages of a node's mail servers.
 * See mailstore.h. Users and folders are few (a scenario declares them), so
 * they are found by a linear search; messages are found by UID with a
 * binary search, since a folder can grow by SMTP deliveries. */
#include "mailstore.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static void *mail_xalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) abort();
    return p;
}

static char *mail_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = mail_xalloc(n);
    memcpy(d, s, n);
    return d;
}

/* ---- output buffer ---- */

void mbuf_put(struct mail_buf *b, const void *data, size_t n)
{
    if (!n) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) abort();
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = 0;
}

void mbuf_puts(struct mail_buf *b, const char *s)
{
    mbuf_put(b, s, strlen(s));
}

void mbuf_vprintf(struct mail_buf *b, const char *fmt, va_list ap)
{
    char small[512];
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        mbuf_put(b, small, (size_t)n);
        return;
    }
    char *big = mail_xalloc((size_t)n + 1);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    mbuf_put(b, big, (size_t)n);
    free(big);
}

void mbuf_printf(struct mail_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

void mbuf_free(struct mail_buf *b)
{
    free(b->p);
    *b = (struct mail_buf){0};
}

bool mail_contains_ci(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    if (k == 0) return true;
    for (size_t i = 0; i + k <= n; i++) {
        size_t j = 0;
        while (j < k && tolower((unsigned char)hay[i + j]) == tolower((unsigned char)needle[j]))
            j++;
        if (j == k) return true;
    }
    return false;
}

/* ---- the store ---- */

struct mail_store *mail_store_new(void)
{
    struct mail_store *st = mail_xalloc(sizeof *st);
    st->next_uidvalidity = (uint32_t)MAIL_EPOCH;
    return st;
}

static void folder_free(struct mail_folder *f)
{
    for (uint32_t i = 0; i < f->n; i++)
        free(f->msgs[i].data);
    free(f->msgs);
    free(f->name);
    free(f);
}

void mail_store_free(struct mail_store *st)
{
    if (!st) return;
    for (uint32_t i = 0; i < st->n_users; i++) {
        struct mail_user *u = st->users[i];
        for (uint32_t k = 0; k < u->n_folders; k++)
            folder_free(u->folders[k]);
        free(u->folders);
        free(u->name);
        free(u->password);
        free(u);
    }
    free(st->users);
    free(st);
}

bool mail_user_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > MAIL_NAME_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c) && c != '.' && c != '_' && c != '-') return false;
    }
    return true;
}

struct mail_user *mail_user_find(const struct mail_store *st, const char *name)
{
    for (uint32_t i = 0; i < st->n_users; i++)
        if (!strcasecmp(st->users[i]->name, name)) return st->users[i];
    return NULL;
}

struct mail_user *mail_login(const struct mail_store *st, const char *name, const char *pw)
{
    struct mail_user *u = mail_user_find(st, name);
    return u && !strcmp(u->password, pw) ? u : NULL;
}

static struct mail_folder *folder_new(struct mail_store *st, const char *name)
{
    struct mail_folder *f = mail_xalloc(sizeof *f);
    f->name = mail_strdup(name);
    f->uidvalidity = st->next_uidvalidity++;
    f->uidnext = 1;
    f->subscribed = true;
    return f;
}

enum mail_acc_result mail_account_add(struct mail_store *st, const char *user, const char *pw)
{
    if (!mail_user_name_ok(user) || strlen(pw) > 256) return MAIL_ACC_BAD;
    struct mail_user *u = mail_user_find(st, user);
    if (u) return strcmp(u->password, pw) ? MAIL_ACC_CONFLICT : MAIL_ACC_SAME;
    u = mail_xalloc(sizeof *u);
    u->name = mail_strdup(user);
    u->password = mail_strdup(pw);
    u->folders = mail_xalloc(sizeof *u->folders);
    u->folders[0] = folder_new(st, "INBOX");
    u->n_folders = 1;
    struct mail_user **a = realloc(st->users, (st->n_users + 1) * sizeof *a);
    if (!a) abort();
    st->users = a;
    st->users[st->n_users++] = u;
    return MAIL_ACC_ADDED;
}

/* ---- folders ---- */

struct mail_folder *mail_inbox(const struct mail_user *u)
{
    return u->folders[0];
}

struct mail_folder *mail_folder_find(const struct mail_user *u, const char *name)
{
    if (!strcasecmp(name, "INBOX")) return u->folders[0];
    for (uint32_t i = 1; i < u->n_folders; i++)
        if (!strcmp(u->folders[i]->name, name)) return u->folders[i];
    return NULL;
}

bool mail_folder_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > MAIL_NAME_MAX || name[0] == '/' || name[n - 1] == '/') return false;
    if (strstr(name, "//")) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f || c == '*' || c == '%' || c == '"' || c == '\\') return false;
    }
    return true;
}

struct mail_folder *mail_folder_create(struct mail_store *st, struct mail_user *u, const char *name)
{
    if (!mail_folder_name_ok(name) || mail_folder_find(u, name) || u->n_folders >= MAIL_FOLDER_MAX)
        return NULL;
    struct mail_folder **a = realloc(u->folders, (u->n_folders + 1) * sizeof *a);
    if (!a) abort();
    u->folders = a;
    u->folders[u->n_folders] = folder_new(st, name);
    return u->folders[u->n_folders++];
}

int mail_folder_delete(struct mail_user *u, const char *name)
{
    for (uint32_t i = 1; i < u->n_folders; i++) {
        if (strcmp(u->folders[i]->name, name) != 0) continue;
        if (u->folders[i]->open) return -1;
        folder_free(u->folders[i]);
        memmove(u->folders + i, u->folders + i + 1, (u->n_folders - i - 1) * sizeof *u->folders);
        u->n_folders--;
        return 0;
    }
    return -1;
}

int mail_folder_rename(struct mail_user *u, const char *old, const char *name)
{
    if (!strcasecmp(old, "INBOX") || !mail_folder_name_ok(name) || mail_folder_find(u, name))
        return -1;
    struct mail_folder *f = mail_folder_find(u, old);
    if (!f) return -1;
    free(f->name);
    f->name = mail_strdup(name);
    return 0;
}

long mail_folder_index(const struct mail_folder *f, uint32_t uid)
{
    uint32_t lo = 0, hi = f->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (f->msgs[mid].uid < uid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < f->n && f->msgs[lo].uid == uid ? (long)lo : -1;
}

struct mail_msg *mail_append(struct mail_folder *f, const char *data, size_t len, uint32_t flags,
                             sim_time date)
{
    if (f->n >= MAIL_MSG_MAX || f->uidnext == UINT32_MAX) return NULL;
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        struct mail_msg *m = realloc(f->msgs, f->cap * sizeof *m);
        if (!m) abort();
        f->msgs = m;
    }
    struct mail_msg *m = &f->msgs[f->n++];
    m->uid = f->uidnext++;
    m->flags = flags;
    m->date = date;
    m->data = mail_xalloc(len + 1);
    memcpy(m->data, data, len);
    m->len = len;
    return m;
}

void mail_remove(struct mail_folder *f, uint32_t i)
{
    if (i >= f->n) return;
    free(f->msgs[i].data);
    memmove(f->msgs + i, f->msgs + i + 1, (f->n - i - 1) * sizeof *f->msgs);
    f->n--;
}

/* ---- messages ---- */

/* Appends text with every line end (LF, CRLF or a lone CR) made CRLF. */
static void put_crlf(struct mail_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\r') {
            if (s[1] == '\n') s++;
            mbuf_put(b, "\r\n", 2);
        } else if (*s == '\n') {
            mbuf_put(b, "\r\n", 2);
        } else {
            mbuf_put(b, s, 1);
        }
    }
}

char *mail_compose(const char *from, const char *to, const char *subject, const char *body,
                   sim_time date, size_t *len)
{
    struct mail_buf b = {0};
    char d[64];
    mail_date_rfc5322(date, d, sizeof d);
    mbuf_puts(&b, "From: ");
    put_crlf(&b, from);
    mbuf_puts(&b, "\r\nTo: ");
    put_crlf(&b, to);
    mbuf_puts(&b, "\r\nSubject: ");
    put_crlf(&b, subject);
    mbuf_printf(&b, "\r\nDate: %s\r\n\r\n", d);
    put_crlf(&b, body);
    if (b.len < 2 || memcmp(b.p + b.len - 2, "\r\n", 2) != 0) mbuf_put(&b, "\r\n", 2);
    *len = b.len;
    return b.p;
}

size_t mail_header_len(const char *data, size_t len)
{
    if (len >= 2 && data[0] == '\r' && data[1] == '\n') return 2;
    for (size_t i = 0; i + 3 < len; i++)
        if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n')
            return i + 4;
    return len;
}

bool mail_header_get(const char *data, size_t len, const char *name, char *out, size_t cap)
{
    size_t hl = mail_header_len(data, len), k = strlen(name), i = 0;
    if (cap) out[0] = 0;
    while (i < hl) {
        size_t e = i;
        while (e < hl && data[e] != '\n')
            e++;
        if (e - i > k && data[i + k] == ':' && !strncasecmp(data + i, name, k)) {
            size_t o = 0, p = i + k + 1;
            bool space = false;
            /* the field and its continuation lines, whitespace runs made one space */
            for (;;) {
                for (; p < e; p++) {
                    char c = data[p];
                    if (c == '\r') continue;
                    if (c == ' ' || c == '\t') {
                        space = o > 0;
                        continue;
                    }
                    if (space && o + 1 < cap) out[o++] = ' ';
                    space = false;
                    if (o + 1 < cap) out[o++] = c;
                }
                if (e + 1 < hl && (data[e + 1] == ' ' || data[e + 1] == '\t')) {
                    p = e + 1;
                    e = p;
                    while (e < hl && data[e] != '\n')
                        e++;
                    space = o > 0;
                    continue;
                }
                break;
            }
            if (cap) out[o < cap ? o : cap - 1] = 0;
            return true;
        }
        i = e + 1;
    }
    return false;
}

uint32_t mail_count_lines(const char *data, size_t len)
{
    uint32_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += data[i] == '\n';
    if (len && data[len - 1] != '\n') n++;
    return n;
}

/* ---- dates ---- */

static const char *const wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int64_t mail_unix_time(sim_time t)
{
    return MAIL_EPOCH + t / SIM_S;
}

static void to_tm(sim_time t, struct tm *tm)
{
    time_t s = (time_t)mail_unix_time(t);
    gmtime_r(&s, tm);
}

void mail_date_rfc5322(sim_time t, char *buf, size_t cap)
{
    struct tm tm;
    to_tm(t, &tm);
    snprintf(buf, cap, "%s, %d %s %d %02d:%02d:%02d +0000", wdays[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void mail_date_imap(sim_time t, char *buf, size_t cap)
{
    struct tm tm;
    to_tm(t, &tm);
    snprintf(buf, cap, "%02d-%s-%d %02d:%02d:%02d +0000", tm.tm_mday, months[tm.tm_mon],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's
 * days_from_civil). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

long mail_parse_imap_date(const char *s)
{
    /* date-day "-" date-month "-" date-year: 1*2DIGIT "-" 3ALPHA "-" 4DIGIT */
    int d = 0, n = 0;
    while (isdigit((unsigned char)*s) && n < 2) {
        d = d * 10 + (*s++ - '0');
        n++;
    }
    if (n == 0 || d < 1 || d > 31 || *s++ != '-') return -1;
    int m = -1;
    for (int i = 0; i < 12; i++)
        if (!strncasecmp(s, months[i], 3)) m = i;
    if (m < 0 || s[3] != '-') return -1;
    s += 4;
    long y = 0;
    for (n = 0; n < 4; n++) {
        if (!isdigit((unsigned char)s[n])) return -1;
        y = y * 10 + (s[n] - '0');
    }
    if (s[4]) return -1;
    return days_from_civil(y, (unsigned)m + 1, (unsigned)d);
}

/* ---- base64 ---- */

static int b64_val(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

long mail_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap)
{
    if (n % 4) return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4], pad = 0;
        for (int k = 0; k < 4; k++) {
            if (in[i + k] == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            if (pad) return -1; /* data after padding */
            v[k] = b64_val(in[i + k]);
            if (v[k] < 0) return -1;
        }
        uint32_t w =
            (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        uint8_t b[3] = {(uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w};
        for (int k = 0; k < 3 - pad; k++) {
            if (o == cap) return -1;
            out[o++] = b[k];
        }
    }
    return (long)o;
}
