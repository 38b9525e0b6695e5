/* dissect_imap.c - the IMAP layer of the dissector (RFC 9051 on TCP port
 * 143), in tshark 4.0's words: "Internet Message Access Protocol", one
 * "Line" per line with its "Request Tag" and "Request Command" (client) or
 * "Response Tag" and "Response Status" (server); Info "Request: a1 LOGIN
 * nadia pw" or "Response: a1 OK Logged in", from the segment's first line.
 * The bytes of a literal ("{445}" then 445 bytes) are shown as the lines
 * they hold: a single frame cannot tell them from commands. */
#include "dissect_priv.h"
#include "imap_wire.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void dis_imap(struct dis_ctx *c, size_t off, size_t n, bool from_server)
{
    struct dissection *d = c->d;
    const uint8_t *p = c->frame + off;
    dis_set_protocol(d, "IMAP");
    dis_layer_begin(c, "imap", 7, off, n, "Internet Message Access Protocol");
    size_t at = 0, skip = 0; /* bytes of a literal still to pass over */
    bool first = true;
    while (at < n) {
        size_t next, k = dis_line_at(p + at, n - at, &next);
        char text[160];
        dis_text_copy(text, sizeof text, p + at, k);
        dis_field_add(c, 0, off + at, next, "Line", "%s", text);
        if (first) dis_info(d, "%s: %s", from_server ? "Response" : "Request", text);
        first = false;
        if (skip) {
            skip = next >= skip ? 0 : skip - next;
            at += next;
            continue;
        }
        char tag[IMAP_TAG_MAX], status[16];
        struct imap_parser ps;
        imap_parser_init(&ps, (const char *)p + at, k);
        if (from_server) {
            if (imap_resp_parse((const char *)p + at, k, tag, sizeof tag, status, sizeof status)) {
                dis_field_add(c, 1, off + at, strlen(tag), "Response Tag", "%s", tag);
                if (status[0])
                    dis_field_add(c, 1, off + at + strlen(tag) + 1, strlen(status),
                                  "Response Status", "%s", status);
            }
        } else if (imap_read_tag(&ps, tag, sizeof tag) && imap_sp(&ps)) {
            char cmd[32];
            size_t cat = ps.pos;
            dis_field_add(c, 1, off + at, strlen(tag), "Request Tag", "%s", tag);
            if (imap_read_atom(&ps, cmd, sizeof cmd, false)) {
                for (char *q = cmd; *q; q++)
                    *q = (char)toupper((unsigned char)*q);
                dis_field_add(c, 1, off + at + cat, strlen(cmd), "Request Command", "%s", cmd);
            }
        }
        uint64_t lit;
        bool nonsync;
        if (imap_line_literal((const char *)p + at, k, &lit, &nonsync))
            skip = lit > n ? n : (size_t)lit;
        at += next;
    }
}
