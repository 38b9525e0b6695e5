/* telnet_wire.c - Telnet's IAC commands in a byte stream (RFC 854/855).
 * See telnet_wire.h. */
#include "telnet_wire.h"

enum { D_DATA, D_IAC, D_OPT, D_SB, D_SB_IAC };

size_t telnet_decode(struct telnet_decoder *d, const uint8_t *in, size_t n, uint8_t *out,
                     telnet_opt_fn fn, void *ctx)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = in[i];
        switch (d->state) {
        case D_DATA:
            if (b == TN_IAC)
                d->state = D_IAC;
            else
                out[o++] = b;
            break;
        case D_IAC:
            if (b == TN_IAC) { /* an escaped 255 is data */
                out[o++] = b;
                d->state = D_DATA;
            } else if (b >= TN_WILL) {
                d->cmd = b;
                d->state = D_OPT;
            } else if (b == TN_SB) {
                d->state = D_SB;
            } else {
                d->state = D_DATA; /* NOP, GA, AYT...: nothing to do here */
            }
            break;
        case D_OPT:
            if (fn) fn(ctx, d->cmd, b);
            d->state = D_DATA;
            break;
        case D_SB: /* RFC 855: parameters run to IAC SE */
            if (b == TN_IAC) d->state = D_SB_IAC;
            break;
        case D_SB_IAC:
            d->state = b == TN_SE ? D_DATA : D_SB;
            break;
        }
    }
    return o;
}

size_t telnet_escape(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        out[o++] = in[i];
        if (in[i] == TN_IAC) out[o++] = TN_IAC;
    }
    return o;
}

bool telnet_item_next(const uint8_t *buf, size_t n, size_t off, struct telnet_item *it)
{
    if (off >= n) return false;
    it->off = off;
    it->cmd = it->opt = 0;
    if (buf[off] != TN_IAC || (off + 1 < n && buf[off + 1] == TN_IAC)) {
        /* data runs to the next IAC that is not an escaped 255 */
        size_t i = off;
        while (i < n) {
            if (buf[i] != TN_IAC) {
                i++;
            } else if (i + 1 < n && buf[i + 1] == TN_IAC) {
                i += 2;
            } else {
                break;
            }
        }
        it->kind = TI_DATA;
        it->len = i - off;
        return true;
    }
    if (off + 1 >= n) {
        it->kind = TI_CUT;
        it->len = n - off;
        return true;
    }
    uint8_t c = buf[off + 1];
    it->cmd = c;
    if (c >= TN_WILL && c <= TN_DONT) {
        if (off + 2 >= n) {
            it->kind = TI_CUT;
            it->len = n - off;
            return true;
        }
        it->kind = TI_OPTION;
        it->opt = buf[off + 2];
        it->len = 3;
        return true;
    }
    if (c == TN_SB) {
        if (off + 2 < n) it->opt = buf[off + 2];
        for (size_t i = off + 2; i + 1 < n; i++)
            if (buf[i] == TN_IAC) {
                if (buf[i + 1] == TN_SE) {
                    it->kind = TI_SUBNEG;
                    it->len = i + 2 - off;
                    return true;
                }
                i++; /* IAC IAC inside the parameters */
            }
        it->kind = TI_CUT;
        it->len = n - off;
        return true;
    }
    it->kind = TI_COMMAND;
    it->len = 2;
    return true;
}

const char *telnet_cmd_name(uint8_t cmd)
{
    switch (cmd) {
    case TN_SE:
        return "Suboption End";
    case TN_NOP:
        return "No Operation";
    case TN_DM:
        return "Data Mark";
    case TN_BRK:
        return "Break";
    case TN_IP:
        return "Interrupt Process";
    case TN_AO:
        return "Abort Output";
    case TN_AYT:
        return "Are You There?";
    case TN_EC:
        return "Escape Character";
    case TN_EL:
        return "Erase Line";
    case TN_GA:
        return "Go Ahead";
    case TN_SB:
        return "Suboption";
    case TN_WILL:
        return "Will";
    case TN_WONT:
        return "Won't";
    case TN_DO:
        return "Do";
    case TN_DONT:
        return "Don't";
    }
    return "Unknown";
}

const char *telnet_opt_name(uint8_t opt)
{
    switch (opt) {
    case TNO_BINARY:
        return "Binary Transmission";
    case TNO_ECHO:
        return "Echo";
    case TNO_SGA:
        return "Suppress Go Ahead";
    case TNO_STATUS:
        return "Status";
    case TNO_TM:
        return "Timing Mark";
    case TNO_TTYPE:
        return "Terminal Type";
    case TNO_NAWS:
        return "Negotiate About Window Size";
    case TNO_TSPEED:
        return "Terminal Speed";
    case TNO_LFLOW:
        return "Remote Flow Control";
    case TNO_LINEMODE:
        return "Linemode";
    case TNO_XDISPLOC:
        return "X Display Location";
    case TNO_NEW_ENVIRON:
        return "New Environment Option";
    }
    return "Unknown";
}
