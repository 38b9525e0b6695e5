/* dissect_telnet.c - Telnet on port 23 in the dissector, in tshark 4.0's
 * words: a "Telnet" layer whose items are option negotiations ("Will
 * Echo", with "Command: Will" and "Subcommand: Echo"), suboptions, other
 * commands and data line by line ("Data: login: "); the Info column is always
 * "Telnet Data ...", as tshark's is. */
#include "dissect_priv.h"
#include "telnet_wire.h"

#include <stdio.h>
#include <string.h>

static void data_text(char *out, size_t cap, const uint8_t *p, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < cap; i++) {
        if (p[i] == TN_IAC && i + 1 < n && p[i + 1] == TN_IAC) i++; /* IAC IAC: one 255 */
        if (p[i] == '\r' || p[i] == '\n') {
            out[o++] = '\\';
            out[o++] = p[i] == '\r' ? 'r' : 'n';
        } else {
            out[o++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
        }
    }
    out[o] = 0;
}

void dis_telnet(struct dis_ctx *c, size_t off, size_t n)
{
    struct dissection *d = c->d;
    const uint8_t *p = c->frame + off;
    dis_set_protocol(d, "TELNET");
    dis_layer_begin(c, "telnet", 7, off, n, "Telnet");
    dis_info(d, "Telnet Data ...");
    if (!c->tree) return;
    struct telnet_item it;
    for (size_t i = 0; telnet_item_next(p, n, i, &it); i += it.len) {
        char text[112];
        switch (it.kind) {
        case TI_DATA: /* one item per line, as tshark shows them */
            for (size_t a = it.off, end = it.off + it.len; a < end;) {
                const uint8_t *nl = memchr(p + a, '\n', end - a);
                size_t b = nl ? (size_t)(nl - p) + 1 : end;
                data_text(text, sizeof text, p + a, b - a);
                dis_field_add(c, 0, off + a, b - a, "Data", "%s", text);
                a = b;
            }
            break;
        case TI_OPTION:
            dis_field_add(c, 0, off + it.off, 3, telnet_cmd_name(it.cmd), "%s",
                          telnet_opt_name(it.opt));
            dis_field_add(c, 1, off + it.off + 1, 1, "Command", "%s", telnet_cmd_name(it.cmd));
            dis_field_add(c, 1, off + it.off + 2, 1, "Subcommand", "%s", telnet_opt_name(it.opt));
            break;
        case TI_SUBNEG:
            dis_field_add(c, 0, off + it.off, it.len, "Suboption", "%s", telnet_opt_name(it.opt));
            break;
        case TI_COMMAND:
            dis_field_add(c, 0, off + it.off, 2, "Command", "%s", telnet_cmd_name(it.cmd));
            break;
        case TI_CUT:
            dis_field_add(c, 0, off + it.off, it.len, "Command", "(continues in the next segment)");
            break;
        }
    }
}
