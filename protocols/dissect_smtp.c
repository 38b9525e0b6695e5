/* dissect_smtp.c - the SMTP layer of the dissector (RFC 5321 on TCP port
 * 25), in tshark 4.0's words: "Simple Mail Transfer Protocol", a "Command
 * Line" (Command, Request parameter) per command and a "Response" (Response
 * code with its meaning, Response parameter) per reply line; Info "C: MAIL
 * FROM:<ann@example.test>" or "S: 250 2.1.0 Ok", the lines of a pipelined
 * or multi-line segment joined by " | " as tshark joins them.
 *
 * tshark follows the session and knows that the lines after DATA are the
 * message; a dissector that sees one frame alone knows it only within the
 * segment (after a DATA line) or when a client segment does not start with
 * an SMTP command: those bytes are a "DATA fragment".
 *
 * On 25 and 587 STARTTLS turns the rest of the stream into TLS; tshark
 * knows from the 220 reply it followed. One frame alone is TLS here when
 * the key log knows it or it starts with a TLS record header (no SMTP
 * line starts with bytes 20-23); a TLS record continued into a segment of
 * its own is taken for SMTP text without a key log. */
#include "dissect_priv.h"
#include "smtp_wire.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Commands a client may send (RFC 5321 and its extensions), so that a
 * message line is not taken for one. */
static bool smtp_known_verb(const char *name)
{
    static const char *const v[] = {"HELO",     "EHLO", "MAIL", "RCPT", "DATA", "RSET",
                                    "NOOP",     "QUIT", "VRFY", "EXPN", "HELP", "AUTH",
                                    "STARTTLS", "ETRN", "BDAT", "TURN"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (!strcmp(name, v[i])) return true;
    return false;
}

static void info_add(struct dissection *d, bool *first, const char *s)
{
    if (!*first) dis_info_append(d, " | ");
    dis_info_append(d, s);
    *first = false;
}

void dis_smtp(struct dis_ctx *c, size_t off, size_t n, bool from_server)
{
    struct dissection *d = c->d;
    const uint8_t *p = c->frame + off;
    dis_set_protocol(d, "SMTP");
    dis_layer_begin(c, "smtp", 7, off, n, "Simple Mail Transfer Protocol");
    dis_info(d, "%s", from_server ? "S: " : "C: ");
    bool first = true, in_data = false;
    size_t at = 0, data_at = 0, data_len = 0;
    int last_code = -1;
    while (at < n) {
        size_t next, k = dis_line_at(p + at, n - at, &next);
        char text[160];
        dis_text_copy(text, sizeof text, p + at, k);
        if (from_server) {
            struct smtp_reply r;
            if (smtp_reply_parse((const char *)p + at, k, &r)) {
                const char *meaning = smtp_reply_meaning(r.code);
                char param[160];
                dis_text_copy(param, sizeof param, (const uint8_t *)r.text, r.text_len);
                dis_field_add(c, 0, off + at, next, "Response", "%s", text);
                dis_field_add(c, 1, off + at, 3, "Response code", "%s (%d)",
                              meaning ? meaning : "Unknown", r.code);
                if (r.text_len)
                    dis_field_add(c, 1, off + at + 4, r.text_len, "Response parameter", "%s",
                                  param);
                /* tshark: "250-mail.test | PIPELINING | SIZE 10240000 | 8BITMIME" */
                info_add(d, &first, r.code == last_code ? param : text);
                last_code = r.more ? r.code : -1;
            } else {
                dis_field_add(c, 0, off + at, next, "Response", "%s", text);
                info_add(d, &first, text);
            }
            at += next;
            continue;
        }
        struct smtp_cmd cmd;
        bool is_cmd =
            !in_data && smtp_cmd_parse((const char *)p + at, k, &cmd) && smtp_known_verb(cmd.name);
        if (!in_data && !is_cmd && first) in_data = true; /* a segment of the message text */
        if (in_data) {
            if (k == 1 && p[at] == '.') { /* the end of the message */
                if (data_len) {
                    char frag[64];
                    dis_field_add(c, 0, off + data_at, data_len, "DATA fragment", "%zu bytes",
                                  data_len);
                    snprintf(frag, sizeof frag, "DATA fragment, %zu bytes", data_len);
                    info_add(d, &first, frag);
                }
                dis_field_add(c, 0, off + at, next, "End of message", ".");
                info_add(d, &first, ".");
                in_data = false;
                data_len = 0;
            } else {
                if (!data_len) data_at = at;
                data_len = at + next - data_at;
            }
            at += next;
            continue;
        }
        if (is_cmd || smtp_cmd_parse((const char *)p + at, k, &cmd)) {
            dis_field_add(c, 0, off + at, next, "Command Line", "%s", text);
            dis_field_add(c, 1, off + at, strlen(cmd.name), "Command", "%s", cmd.name);
            if (cmd.arg_len) {
                char arg[160];
                dis_text_copy(arg, sizeof arg, (const uint8_t *)cmd.arg, cmd.arg_len);
                dis_field_add(c, 1, (size_t)((const uint8_t *)cmd.arg - c->frame), cmd.arg_len,
                              "Request parameter", "%s", arg);
            }
            if (!strcmp(cmd.name, "DATA") && !cmd.arg_len) in_data = true;
        } else {
            dis_field_add(c, 0, off + at, next, "Command Line", "%s", text);
        }
        info_add(d, &first, text);
        at += next;
    }
    if (in_data && data_len) {
        char frag[64];
        dis_field_add(c, 0, off + data_at, data_len, "DATA fragment", "%zu bytes", data_len);
        snprintf(frag, sizeof frag, "DATA fragment, %zu bytes", data_len);
        info_add(d, &first, frag);
    }
}

void dis_smtp_starttls(struct dis_ctx *c, size_t off, size_t n, uint16_t port, bool from_server)
{
    if (dis_tls_segment(c, off, n))
        dis_tls(c, off, n, port, from_server);
    else
        dis_smtp(c, off, n, from_server);
}
