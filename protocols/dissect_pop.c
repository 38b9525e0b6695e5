/* dissect_pop.c - the POP3 layer of the dissector (RFC 1939 on TCP port
 * 110), in tshark 4.0's words: "Post Office Protocol", a request line with
 * "Request command" and "Request parameter", a response with "Response
 * indicator" and "Response description"; Info "C: USER nadia" or "S: +OK
 * Dovecot ready.". The lines of a multi-line response (LIST, RETR) that
 * follow the status line are "Response line"s; a server segment that does
 * not start with +OK or -ERR is the rest of one ("S: DATA fragment, N
 * bytes", as tshark calls it). */
#include "dissect_priv.h"
#include "pop3_wire.h"

#include <stdio.h>
#include <string.h>

void dis_pop(struct dis_ctx *c, size_t off, size_t n, bool from_server)
{
    struct dissection *d = c->d;
    const uint8_t *p = c->frame + off;
    dis_set_protocol(d, "POP");
    dis_layer_begin(c, "pop", 7, off, n, "Post Office Protocol");
    bool first = true;
    size_t at = 0;
    while (at < n) {
        size_t next, k = dis_line_at(p + at, n - at, &next);
        char text[160];
        dis_text_copy(text, sizeof text, p + at, k);
        bool ok;
        const char *rt;
        size_t rl;
        if (from_server && pop3_resp_parse((const char *)p + at, k, &ok, &rt, &rl)) {
            char desc[160];
            dis_text_copy(desc, sizeof desc, (const uint8_t *)rt, rl);
            dis_field_add(c, 0, off + at, next, "Response", "%s", text);
            dis_field_add(c, 1, off + at, ok ? 3 : 4, "Response indicator", "%s",
                          ok ? "+OK" : "-ERR");
            if (rl)
                dis_field_add(c, 1, (size_t)((const uint8_t *)rt - c->frame), rl,
                              "Response description", "%s", desc);
            if (first) dis_info(d, "S: %s", text);
        } else if (from_server) {
            if (first) dis_info(d, "S: DATA fragment, %zu bytes", n);
            dis_field_add(c, 0, off + at, next, "Response line", "%s", text);
        } else {
            struct pop3_cmd cmd;
            dis_field_add(c, 0, off + at, next, "Request", "%s", text);
            if (pop3_cmd_parse((const char *)p + at, k, &cmd)) {
                dis_field_add(c, 1, off + at, strlen(cmd.name), "Request command", "%s", cmd.name);
                if (cmd.rest_len) {
                    char arg[160];
                    dis_text_copy(arg, sizeof arg, (const uint8_t *)cmd.rest, cmd.rest_len);
                    dis_field_add(c, 1, (size_t)((const uint8_t *)cmd.rest - c->frame),
                                  cmd.rest_len, "Request parameter", "%s", arg);
                }
            }
            if (first) {
                dis_info(d, "C: %s", text);
            } else {
                dis_info_append(d, " | ");
                dis_info_append(d, text);
            }
        }
        first = false;
        at += next;
    }
}
