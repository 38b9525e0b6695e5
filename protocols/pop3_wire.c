/* pop3_wire.c - POP3 command and status lines. See pop3_wire.h. */
#include "pop3_wire.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    enum pop3_verb verb;
} verbs[] = {
    {"USER", POP3_USER}, {"PASS", POP3_PASS}, {"AUTH", POP3_AUTH}, {"CAPA", POP3_CAPA},
    {"STAT", POP3_STAT}, {"LIST", POP3_LIST}, {"RETR", POP3_RETR}, {"DELE", POP3_DELE},
    {"NOOP", POP3_NOOP}, {"RSET", POP3_RSET}, {"TOP", POP3_TOP},   {"UIDL", POP3_UIDL},
    {"QUIT", POP3_QUIT}, {"STLS", POP3_STLS},
};

static bool is_sp(char c)
{
    return c == ' ' || c == '\t';
}

bool pop3_cmd_parse(const char *line, size_t len, struct pop3_cmd *out)
{
    memset(out, 0, sizeof *out);
    out->rest = "";
    size_t i = 0;
    while (i < len && is_sp(line[i]))
        i++;
    size_t v = i;
    while (i < len && !is_sp(line[i]))
        i++;
    if (i == v) return false;
    size_t k = 0;
    for (size_t j = v; j < i && k + 1 < sizeof out->name; j++)
        out->name[k++] = (char)toupper((unsigned char)line[j]);
    out->verb = POP3_UNKNOWN;
    for (size_t j = 0; j < sizeof verbs / sizeof verbs[0]; j++)
        if (i - v == strlen(verbs[j].name) && !strncasecmp(line + v, verbs[j].name, i - v))
            out->verb = verbs[j].verb;
    if (i < len) i++; /* one separating space: PASS may start with another */
    out->rest = line + i;
    out->rest_len = len - i;
    while (i < len) {
        while (i < len && is_sp(line[i]))
            i++;
        if (i == len) break;
        size_t a = i;
        while (i < len && !is_sp(line[i]))
            i++;
        if (out->argc < 2) {
            out->argv[out->argc] = line + a;
            out->argl[out->argc] = i - a;
        }
        out->argc++;
    }
    return true;
}

bool pop3_resp_parse(const char *line, size_t len, bool *ok, const char **text, size_t *text_len)
{
    size_t k;
    if (len >= 3 && !memcmp(line, "+OK", 3)) {
        *ok = true;
        k = 3;
    } else if (len >= 4 && !memcmp(line, "-ERR", 4)) {
        *ok = false;
        k = 4;
    } else {
        return false;
    }
    if (len > k && line[k] != ' ') return false;
    *text = len > k ? line + k + 1 : "";
    *text_len = len > k ? len - k - 1 : 0;
    return true;
}
