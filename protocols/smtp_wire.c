/* smtp_wire.c - SMTP command and reply lines, envelope paths and
 * dot-stuffing. See smtp_wire.h. */
#include "smtp_wire.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    enum smtp_verb verb;
} verbs[] = {
    {"HELO", SMTP_HELO}, {"EHLO", SMTP_EHLO}, {"MAIL", SMTP_MAIL},         {"RCPT", SMTP_RCPT},
    {"DATA", SMTP_DATA}, {"RSET", SMTP_RSET}, {"NOOP", SMTP_NOOP},         {"QUIT", SMTP_QUIT},
    {"VRFY", SMTP_VRFY}, {"AUTH", SMTP_AUTH}, {"STARTTLS", SMTP_STARTTLS},
};

static bool is_sp(char c)
{
    return c == ' ' || c == '\t';
}

bool smtp_cmd_parse(const char *line, size_t len, struct smtp_cmd *out)
{
    size_t i = 0;
    while (i < len && is_sp(line[i]))
        i++;
    size_t v = i;
    while (i < len && !is_sp(line[i]))
        i++;
    memset(out, 0, sizeof *out);
    out->arg = "";
    if (i == v) return false;
    size_t k = 0;
    for (size_t j = v; j < i && k + 1 < sizeof out->name; j++)
        out->name[k++] = (char)toupper((unsigned char)line[j]);
    out->verb = SMTP_UNKNOWN;
    for (size_t j = 0; j < sizeof verbs / sizeof verbs[0]; j++)
        if (i - v == strlen(verbs[j].name) && !strncasecmp(line + v, verbs[j].name, i - v))
            out->verb = verbs[j].verb;
    while (i < len && is_sp(line[i]))
        i++;
    size_t e = len;
    while (e > i && is_sp(line[e - 1]))
        e--;
    out->arg = line + i;
    out->arg_len = e - i;
    return true;
}

/* A mailbox as Postfix would take it: printable, no spaces or specials,
 * at most one '@' with something on both sides. */
static bool address_ok(const char *a, size_t n)
{
    if (n == 0) return true;
    size_t at = n;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)a[i];
        if (c <= ' ' || c >= 0x7f || strchr("<>()[],;:\\\"", c)) return false;
        if (c == '@') {
            if (at != n) return false;
            at = i;
        }
    }
    return at != 0 && at != n - 1;
}

int smtp_path_parse(const char *arg, size_t len, const char *key, char *addr, size_t cap,
                    const char **params, size_t *params_len)
{
    size_t k = strlen(key), i = k;
    *params = "";
    *params_len = 0;
    if (cap) addr[0] = 0;
    if (len < k || strncasecmp(arg, key, k) != 0) return SMTP_PATH_SYNTAX;
    while (i < len && is_sp(arg[i]))
        i++;
    size_t a, e;
    if (i < len && arg[i] == '<') {
        a = ++i;
        while (i < len && arg[i] != '>')
            i++;
        if (i == len) return SMTP_PATH_ADDRESS;
        e = i++;
    } else {
        a = i;
        while (i < len && !is_sp(arg[i]))
            i++;
        e = i;
        if (a == e) return SMTP_PATH_SYNTAX;
    }
    /* RFC 5321 4.1.2: a source route "@one,@two:" is accepted and ignored */
    if (a < e && arg[a] == '@') {
        size_t c = a;
        while (c < e && arg[c] != ':')
            c++;
        if (c == e) return SMTP_PATH_ADDRESS;
        a = c + 1;
    }
    if (e - a >= cap || e - a > SMTP_PATH_MAX - 2 || !address_ok(arg + a, e - a))
        return SMTP_PATH_ADDRESS;
    memcpy(addr, arg + a, e - a);
    addr[e - a] = 0;
    if (i < len && !is_sp(arg[i])) return SMTP_PATH_ADDRESS; /* "<a@b>x" */
    while (i < len && is_sp(arg[i]))
        i++;
    *params = arg + i;
    *params_len = len - i;
    return SMTP_PATH_OK;
}

bool smtp_reply_parse(const char *line, size_t len, struct smtp_reply *out)
{
    memset(out, 0, sizeof *out);
    out->text = "";
    if (len < 3) return false;
    for (int i = 0; i < 3; i++)
        if (!isdigit((unsigned char)line[i])) return false;
    if (len > 3 && line[3] != ' ' && line[3] != '-') return false;
    out->code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    out->more = len > 3 && line[3] == '-';
    out->text = len > 4 ? line + 4 : "";
    out->text_len = len > 4 ? len - 4 : 0;
    return true;
}

const char *smtp_reply_meaning(int code)
{
    switch (code) {
    case 211:
        return "System status, or system help reply";
    case 214:
        return "Help message";
    case 220:
        return "<domain> Service ready";
    case 221:
        return "<domain> Service closing transmission channel";
    case 235:
        return "Authentication succeeded";
    case 250:
        return "Requested mail action okay, completed";
    case 251:
        return "User not local; will forward to <forward-path>";
    case 252:
        return "Cannot VRFY user, but will accept message and attempt delivery";
    case 354:
        return "Start mail input; end with <CRLF>.<CRLF>";
    case 421:
        return "<domain> Service not available, closing transmission channel";
    case 450:
        return "Requested mail action not taken: mailbox unavailable";
    case 451:
        return "Requested action aborted: local error in processing";
    case 452:
        return "Requested action not taken: insufficient system storage";
    case 500:
        return "Syntax error, command unrecognized";
    case 501:
        return "Syntax error in parameters or arguments";
    case 502:
        return "Command not implemented";
    case 503:
        return "Bad sequence of commands";
    case 504:
        return "Command parameter not implemented";
    case 550:
        return "Requested action not taken: mailbox unavailable";
    case 551:
        return "User not local; please try <forward-path>";
    case 552:
        return "Requested mail action aborted: exceeded storage allocation";
    case 553:
        return "Requested action not taken: mailbox name not allowed";
    case 554:
        return "Transaction failed";
    case 555:
        return "MAIL FROM/RCPT TO parameters not recognized or not implemented";
    }
    return NULL;
}

void smtp_dot_stuff(struct mail_buf *out, const char *data, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - data) + 1 : len;
        if (data[i] == '.') mbuf_put(out, ".", 1);
        mbuf_put(out, data + i, e - i);
        i = e;
    }
    if (len && data[len - 1] != '\n') mbuf_put(out, "\r\n", 2);
    mbuf_put(out, ".\r\n", 3);
}

bool smtp_dot_unstuff(const char **line, size_t *len)
{
    if (*len == 0 || (*line)[0] != '.') return false;
    if (*len == 1) return true;
    (*line)++;
    (*len)--;
    return false;
}
