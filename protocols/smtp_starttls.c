/* smtp_starttls.c - the client's STARTTLS dialogue before the TLS
 * handshake, as OpenSSL's s_client does it (apps/s_client.c, PROTO_SMTP):
 * a reply ends at its first line whose fourth character is not '-'. See
 * smtp_starttls.h. */
#include "smtp_starttls.h"

#include <stdio.h>
#include <string.h>

void smtp_starttls_init(struct smtp_starttls *x, const char *name)
{
    memset(x, 0, sizeof *x);
    snprintf(x->name, sizeof x->name, "%s", name && *name ? name : "mail.example.com");
}

/* One whole line of a reply (without its end); true when it ends it. */
static bool reply_line(struct smtp_starttls *x, const char *l, size_t n)
{
    if (x->phase == STLS_EHLO && strstr(l, "STARTTLS")) x->offered = true;
    bool last = !(n > 3 && l[3] == '-');
    if (last && x->phase == STLS_STARTTLS) {
        int code = 0;
        for (size_t i = 0; i < 3 && i < n && l[i] >= '0' && l[i] <= '9'; i++)
            code = code * 10 + (l[i] - '0');
        x->code = code;
    }
    return last;
}

size_t smtp_starttls_input(struct smtp_starttls *x, const uint8_t *data, size_t len, char *out,
                           size_t cap, size_t *out_len)
{
    *out_len = 0;
    size_t i = 0;
    while (i < len && x->phase != STLS_DONE) {
        uint8_t b = data[i++];
        if (b != '\n') {
            if (x->llen < SMTP_STARTTLS_LINE_MAX) x->line[x->llen++] = (char)(b ? b : ' ');
            continue;
        }
        size_t n = x->llen;
        if (n && x->line[n - 1] == '\r') n--;
        x->line[n] = 0;
        x->llen = 0;
        if (!reply_line(x, x->line, n)) continue;
        int k = 0;
        switch (x->phase) {
        case STLS_GREETING:
            k = snprintf(out + *out_len, cap - *out_len, "EHLO %s\r\n", x->name);
            x->phase = STLS_EHLO;
            break;
        case STLS_EHLO:
            k = snprintf(out + *out_len, cap - *out_len, "STARTTLS\r\n");
            x->phase = STLS_STARTTLS;
            break;
        default:
            x->phase = STLS_DONE;
            break;
        }
        if (k > 0 && *out_len < cap)
            *out_len += (size_t)k < cap - *out_len ? (size_t)k : cap - *out_len - 1;
    }
    return i;
}
