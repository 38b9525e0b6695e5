/* dissect_ftp.c - FTP in the dissector: the control connection on port 21
 * line by line, in tshark 4.0's words ("File Transfer Protocol (FTP)",
 * "Request command: USER", "Response code: User name okay, need password
 * (331)", the addresses of PORT and of the 227 reply, Info "Request: USER
 * anonymous" / "Response: 331 Please specify the password."), and data
 * connections from port 20 as FTP-DATA.
 *
 * tshark also labels passive-mode data connections FTP-DATA, because it
 * remembers the 227 reply that announced their port; a dissector that sees
 * one frame alone cannot, so those show as TCP payload here. */
#include "dissect_priv.h"
#include "ftp_wire.h"

#include <stdio.h>
#include <string.h>

/* tshark's names of the reply codes it knows. */
static const char *code_name(int code)
{
    static const struct {
        int code;
        const char *name;
    } names[] = {
        {110, "Restart marker reply"},
        {120, "Service ready in nnn minutes"},
        {125, "Data connection already open; transfer starting"},
        {150, "File status okay; about to open data connection"},
        {200, "Command okay"},
        {202, "Command not implemented, superfluous at this site"},
        {211, "System status, or system help reply"},
        {212, "Directory status"},
        {213, "File status"},
        {214, "Help message"},
        {215, "NAME system type"},
        {220, "Service ready for new user"},
        {221, "Service closing control connection"},
        {225, "Data connection open; no transfer in progress"},
        {226, "Closing data connection"},
        {227, "Entering Passive Mode"},
        {229, "Entering Extended Passive Mode"},
        {230, "User logged in, proceed"},
        {250, "Requested file action okay, completed"},
        {257, "PATHNAME created"},
        {331, "User name okay, need password"},
        {332, "Need account for login"},
        {350, "Requested file action pending further information"},
        {421, "Service not available, closing control connection"},
        {425, "Can't open data connection"},
        {426, "Connection closed; transfer aborted"},
        {450, "Requested file action not taken"},
        {451, "Requested action aborted: local error in processing"},
        {452, "Requested action not taken. Insufficient storage space in system"},
        {500, "Syntax error, command unrecognized"},
        {501, "Syntax error in parameters or arguments"},
        {502, "Command not implemented"},
        {503, "Bad sequence of commands"},
        {504, "Command not implemented for that parameter"},
        {530, "Not logged in"},
        {532, "Need account for storing files"},
        {550, "Requested action not taken: File unavailable"},
        {551, "Requested action aborted: page type unknown"},
        {552, "Requested file action aborted: Exceeded storage allocation"},
        {553, "Requested action not taken: File name not allowed"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].code == code) return names[i].name;
    return "Unknown";
}

/* A line shown as tshark shows it: printable, CR and LF as \r and \n. */
static void line_text(char *out, size_t cap, const uint8_t *p, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 3 < cap; i++) {
        if (p[i] == '\r' || p[i] == '\n') {
            out[o++] = '\\';
            out[o++] = p[i] == '\r' ? 'r' : 'n';
        } else {
            out[o++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
        }
    }
    out[o] = 0;
}

static void dis_ftp_request(struct dis_ctx *c, size_t off, const char *s, size_t n)
{
    struct ftp_cmd cmd;
    if (ftp_cmd_parse(s, n, &cmd) != FTP_OK) return;
    dis_field_add(c, 1, off, strlen(cmd.verb), "Request command", "%s", cmd.verb);
    if (!cmd.arg_len) return;
    size_t aoff = off + (size_t)(cmd.arg - s);
    dis_field_add(c, 1, aoff, cmd.arg_len, "Request arg", "%.*s", (int)cmd.arg_len, cmd.arg);
    uint32_t a;
    uint16_t port;
    if (!strcmp(cmd.verb, "PORT") && ftp_hostport_parse(cmd.arg, cmd.arg_len, &a, &port) == 0) {
        char b[16];
        dis_field_add(c, 1, aoff, cmd.arg_len, "Active IP address", "%s", ip4_str(a, b));
        dis_field_add(c, 1, aoff, cmd.arg_len, "Active port", "%u", port);
    }
}

static void dis_ftp_response(struct dis_ctx *c, size_t off, const char *s, size_t n)
{
    struct ftp_reply_line r;
    if (ftp_reply_line_parse(s, n, &r) != FTP_OK) return; /* a middle line of a multi-line reply */
    dis_field_add(c, 1, off, 3, "Response code", "%s (%d)", code_name(r.code), r.code);
    if (!r.text_len) return;
    size_t aoff = off + 4;
    dis_field_add(c, 1, aoff, r.text_len, "Response arg", "%.*s", (int)r.text_len, r.text);
    uint32_t a;
    uint16_t port;
    if (r.code == 227 && ftp_pasv_parse(r.text, r.text_len, &a, &port) == 0) {
        char b[16];
        dis_field_add(c, 1, aoff, r.text_len, "Passive IP address", "%s", ip4_str(a, b));
        dis_field_add(c, 1, aoff, r.text_len, "Passive port", "%u", port);
    }
}

void dis_ftp(struct dis_ctx *c, size_t off, size_t n, bool from_server)
{
    struct dissection *d = c->d;
    const uint8_t *p = c->frame + off;
    dis_set_protocol(d, "FTP");
    dis_layer_begin(c, "ftp", 7, off, n, "File Transfer Protocol (FTP)");
    bool first = true;
    for (size_t i = 0; i < n;) {
        const uint8_t *nl = memchr(p + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - p) + 1 : n; /* the line with its end */
        size_t len = end - i;
        while (len && (p[i + len - 1] == '\n' || p[i + len - 1] == '\r'))
            len--;
        char text[FTP_REPLY_MAX];
        size_t k = len < sizeof text - 1 ? len : sizeof text - 1;
        memcpy(text, p + i, k);
        text[k] = 0;
        for (size_t j = 0; j < k; j++)
            if (!text[j]) text[j] = '.';
        if (first) {
            dis_info(d, "%s: %.*s", from_server ? "Response" : "Request", (int)(k < 150 ? k : 150),
                     text);
            first = false;
        }
        if (c->tree) {
            char shown[112];
            line_text(shown, sizeof shown, p + i, end - i);
            dis_field_add(c, 0, off + i, end - i, from_server ? "Response" : "Request", "%s",
                          shown);
            if (from_server)
                dis_ftp_response(c, off + i, text, k);
            else
                dis_ftp_request(c, off + i, text, k);
        }
        i = end;
    }
}

void dis_ftp_data(struct dis_ctx *c, size_t off, size_t n)
{
    struct dissection *d = c->d;
    dis_set_protocol(d, "FTP-DATA");
    dis_layer_begin(c, "ftp-data", 7, off, n, "FTP Data (%zu bytes data)", n);
    dis_info(d, "FTP Data: %zu bytes", n);
    if (!c->tree) return;
    char shown[112];
    line_text(shown, sizeof shown, c->frame + off, n < 40 ? n : 40);
    dis_field_add(c, 0, off, n, "Data", "%s%s", shown, n > 40 ? "..." : "");
}
