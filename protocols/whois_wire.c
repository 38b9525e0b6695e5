/* whois_wire.c - WHOIS query lines and the answer's last line. See
 * whois_wire.h. */
#include "whois_wire.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

bool whois_query_parse(const char *line, size_t len, char *out, size_t cap)
{
    out[0] = 0;
    if (cap < WHOIS_QUERY_MAX + 1) return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)line[i] < 0x20 && line[i] != '\t') return false;
    size_t a = 0, b = len;
    while (a < b && (line[a] == ' ' || line[a] == '\t'))
        a++;
    while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t'))
        b--;
    if (b - a > 7 && strncasecmp(line + a, "domain ", 7) == 0) {
        a += 7;
        while (a < b && (line[a] == ' ' || line[a] == '\t'))
            a++;
    } else if (b - a > 1 && line[a] == '=') {
        a++;
        while (a < b && (line[a] == ' ' || line[a] == '\t'))
            a++;
    }
    if (b - a > 1 && line[b - 1] == '.') b--;
    if (b - a > WHOIS_QUERY_MAX) return false;
    for (size_t i = a; i < b; i++)
        out[i - a] = (char)tolower((unsigned char)line[i]);
    out[b - a] = 0;
    return true;
}

char *whois_last_update(int64_t unix_seconds, char *buf, size_t cap)
{
    time_t t = (time_t)(unix_seconds < 0 ? 0 : unix_seconds);
    struct tm tm;
    gmtime_r(&t, &tm);
    char iso[32];
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(buf, cap, ">>> Last update of whois database: %s <<<", iso);
    return buf;
}
