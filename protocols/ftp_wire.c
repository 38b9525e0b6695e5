/* ftp_wire.c - FTP commands, replies, host-ports, LIST lines and ASCII line
 * ends (RFC 959). See ftp_wire.h. */
#include "ftp_wire.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ---- commands ---- */

int ftp_cmd_parse(const char *line, size_t len, struct ftp_cmd *c)
{
    memset(c, 0, sizeof *c);
    c->arg = "";
    size_t i = 0;
    while (i < len && line[i] != ' ')
        i++;
    if (i == 0) return len == 0 ? FTP_ERR_EMPTY : FTP_ERR_VERB;
    bool alpha = i <= 4;
    for (size_t k = 0; k < i && k < 4; k++) {
        unsigned char ch = (unsigned char)line[k];
        c->verb[k] = (char)toupper(ch);
        alpha = alpha && isalpha(ch);
    }
    if (!alpha) return FTP_ERR_VERB;
    if (i < len) { /* RFC 959 5.3: <SP> then the argument */
        c->arg = line + i + 1;
        c->arg_len = len - i - 1;
    }
    return FTP_OK;
}

bool ftp_cmd_known(const char *verb)
{
    static const char *const known[] = {
        "USER", "PASS", "ACCT", "CWD",  "CDUP", "SMNT", "QUIT", "REIN", "PORT", "PASV", "TYPE",
        "STRU", "MODE", "RETR", "STOR", "STOU", "APPE", "ALLO", "REST", "RNFR", "RNTO", "ABOR",
        "DELE", "RMD",  "MKD",  "PWD",  "LIST", "NLST", "SITE", "SYST", "STAT", "HELP", "NOOP",
        "FEAT", "OPTS", "SIZE", "MDTM", "EPSV", "EPRT", "XPWD", "XCWD", "XCUP", "XMKD", "XRMD",
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(known[i], verb)) return true;
    return false;
}

/* ---- replies ---- */

static bool code_at(const char *line, size_t len, int *code)
{
    if (len < 3) return false;
    for (int i = 0; i < 3; i++)
        if (!isdigit((unsigned char)line[i])) return false;
    /* RFC 959 4.2.1: the first digit is 1..5 */
    if (line[0] < '1' || line[0] > '5') return false;
    *code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    return true;
}

int ftp_reply_line_parse(const char *line, size_t len, struct ftp_reply_line *r)
{
    memset(r, 0, sizeof *r);
    r->text = "";
    if (!code_at(line, len, &r->code)) return FTP_ERR_CODE;
    if (len == 3) return FTP_OK; /* a bare code: lenient, as clients are */
    if (line[3] != ' ' && line[3] != '-') return FTP_ERR_CODE;
    r->more = line[3] == '-';
    r->text = line + 4;
    r->text_len = len - 4;
    return FTP_OK;
}

int ftp_reply_feed(struct ftp_reply_reader *rd, const char *line, size_t len, int *code)
{
    int c;
    if (rd->multi) {
        /* the end: the same code followed by a space (or nothing) */
        if (code_at(line, len, &c) && c == rd->code && (len == 3 || line[3] == ' ')) {
            rd->multi = false;
            *code = c;
            return 1;
        }
        return 0;
    }
    struct ftp_reply_line r;
    if (ftp_reply_line_parse(line, len, &r) != FTP_OK) return FTP_ERR_CODE;
    rd->code = r.code;
    if (r.more) {
        rd->multi = true;
        return 0;
    }
    *code = r.code;
    return 1;
}

/* Appends n bytes; false when they do not fit (one byte stays for NUL). */
static bool put(char *buf, size_t cap, size_t *o, const char *s, size_t n)
{
    if (*o + n + 1 > cap) return false;
    memcpy(buf + *o, s, n);
    *o += n;
    buf[*o] = 0;
    return true;
}

size_t ftp_reply_emit(char *buf, size_t cap, int code, const char *text)
{
    if (code < 100 || code > 599 || cap == 0) return 0;
    char num[4];
    snprintf(num, sizeof num, "%03d", code);
    size_t o = 0;
    const char *nl = strchr(text, '\n');
    if (!nl) {
        bool ok = put(buf, cap, &o, num, 3) && put(buf, cap, &o, " ", 1) &&
                  put(buf, cap, &o, text, strlen(text)) && put(buf, cap, &o, "\r\n", 2);
        return ok ? o : 0;
    }
    if (!put(buf, cap, &o, num, 3) || !put(buf, cap, &o, "-", 1) ||
        !put(buf, cap, &o, text, (size_t)(nl - text)) || !put(buf, cap, &o, "\r\n", 2))
        return 0;
    const char *p = nl + 1;
    for (;;) {
        nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (!nl) {
            bool ok = put(buf, cap, &o, num, 3) && put(buf, cap, &o, " ", 1) &&
                      put(buf, cap, &o, p, n) && put(buf, cap, &o, "\r\n", 2);
            return ok ? o : 0;
        }
        /* RFC 959 4.2: a middle line starting like the end is padded */
        int c;
        if (code_at(p, n, &c) && (n == 3 || p[3] == ' ') && !put(buf, cap, &o, " ", 1)) return 0;
        if (!put(buf, cap, &o, p, n) || !put(buf, cap, &o, "\r\n", 2)) return 0;
        p = nl + 1;
    }
}

/* ---- host-port ---- */

int ftp_hostport_parse(const char *s, size_t len, uint32_t *addr, uint16_t *port)
{
    unsigned v[6];
    size_t i = 0;
    for (int k = 0; k < 6; k++) {
        while (i < len && s[i] == ' ')
            i++;
        if (i == len || !isdigit((unsigned char)s[i])) return FTP_ERR_SYNTAX;
        unsigned n = 0;
        int digits = 0;
        while (i < len && isdigit((unsigned char)s[i])) {
            n = n * 10 + (unsigned)(s[i++] - '0');
            if (++digits > 3) return FTP_ERR_SYNTAX;
        }
        if (n > 255) return FTP_ERR_SYNTAX;
        v[k] = n;
        while (i < len && s[i] == ' ')
            i++;
        if (k < 5) {
            if (i == len || s[i] != ',') return FTP_ERR_SYNTAX;
            i++;
        }
    }
    if (i != len) return FTP_ERR_SYNTAX;
    *addr = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
    *port = (uint16_t)(v[4] << 8 | v[5]);
    return FTP_OK;
}

size_t ftp_hostport_fmt(char *buf, size_t cap, uint32_t addr, uint16_t port)
{
    int n = snprintf(buf, cap, "%u,%u,%u,%u,%u,%u", addr >> 24, (addr >> 16) & 255,
                     (addr >> 8) & 255, addr & 255, (unsigned)port >> 8, (unsigned)port & 255);
    if (n < 0) return 0;
    return (size_t)n < cap ? (size_t)n : cap ? cap - 1 : 0;
}

int ftp_pasv_parse(const char *text, size_t len, uint32_t *addr, uint16_t *port)
{
    size_t i = 0;
    while (i < len && !isdigit((unsigned char)text[i]))
        i++;
    /* the six numbers run to the first character that is not part of them */
    size_t end = i;
    while (end < len && (isdigit((unsigned char)text[end]) || text[end] == ',' || text[end] == ' '))
        end++;
    while (end > i && text[end - 1] == ' ')
        end--;
    if (i == len) return FTP_ERR_SYNTAX;
    return ftp_hostport_parse(text + i, end - i, addr, port);
}

/* ---- LIST ---- */

size_t ftp_list_line(char *buf, size_t cap, const struct ftp_stat *s)
{
    /* vsftpd's ls.c: mode, " %4u" links, owner and group padded to 8,
     * the size right-aligned in 8, the date, the name */
    int n = snprintf(buf, cap, "%s %4u %-8u %-8u %8llu %s %s", s->dir ? "drwxr-xr-x" : "-rw-r--r--",
                     s->nlink, s->uid, s->uid, (unsigned long long)s->size, FTP_LIST_DATE, s->name);
    if (n < 0) return 0;
    return (size_t)n < cap ? (size_t)n : cap ? cap - 1 : 0;
}

/* ---- ASCII ---- */

size_t ftp_ascii_encode(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) out[o++] = '\r';
        out[o++] = in[i];
    }
    return o;
}

size_t ftp_ascii_decode(const uint8_t *in, size_t n, uint8_t *out, bool *cr)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (*cr) {
            *cr = false;
            if (in[i] != '\n') out[o++] = '\r'; /* a CR on its own stays */
        }
        if (in[i] == '\r')
            *cr = true;
        else
            out[o++] = in[i];
    }
    return o;
}

size_t ftp_bare_lfs(const uint8_t *in, size_t n, bool *cr)
{
    size_t bare = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '\n' && !*cr) bare++;
        *cr = in[i] == '\r';
    }
    return bare;
}

/* ---- generated contents ---- */

void ftp_fill_text(uint8_t *buf, size_t n)
{
    static const char words[] = "netstep sample data, the same on every run: abcdefghijklmno";
    char line[80];
    for (size_t off = 0, k = 1; off < n; k++) {
        /* "000001 " + 56 characters + "\n" = 64 bytes */
        int w = snprintf(line, sizeof line, "%06zu %.56s\n", k % 1000000, words);
        size_t m = (size_t)w < n - off ? (size_t)w : n - off;
        memcpy(buf + off, line, m);
        off += m;
    }
}
