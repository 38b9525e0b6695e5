/* telnet_wire.h - Telnet's in-band commands (RFC 854, options RFC 855):
 * the byte 255 (IAC, "interpret as command") starts a command inside the
 * data stream: IAC WILL/WONT/DO/DONT <option> negotiates an option, IAC SB
 * <option> ... IAC SE carries its parameters, IAC IAC is a data byte 255.
 *
 * Two readers over the same rules: a streaming decoder for the server and
 * the client (commands may be cut anywhere between segments), and an item
 * walker over one buffer for the dissector. Pure, bounded. */
#ifndef NETSTEP_TELNET_WIRE_H
#define NETSTEP_TELNET_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TELNET_PORT 23

enum telnet_cmd {
    TN_SE = 240,
    TN_NOP = 241,
    TN_DM = 242,
    TN_BRK = 243,
    TN_IP = 244,
    TN_AO = 245,
    TN_AYT = 246,
    TN_EC = 247,
    TN_EL = 248,
    TN_GA = 249,
    TN_SB = 250,
    TN_WILL = 251,
    TN_WONT = 252,
    TN_DO = 253,
    TN_DONT = 254,
    TN_IAC = 255,
};

enum telnet_opt {
    TNO_BINARY = 0,       /* RFC 856 */
    TNO_ECHO = 1,         /* RFC 857 */
    TNO_SGA = 3,          /* RFC 858: suppress go-ahead */
    TNO_STATUS = 5,       /* RFC 859 */
    TNO_TM = 6,           /* RFC 860: timing mark */
    TNO_TTYPE = 24,       /* RFC 1091: terminal type */
    TNO_NAWS = 31,        /* RFC 1073: window size */
    TNO_TSPEED = 32,      /* RFC 1079 */
    TNO_LFLOW = 33,       /* RFC 1372 */
    TNO_LINEMODE = 34,    /* RFC 1184 */
    TNO_XDISPLOC = 35,    /* RFC 1096 */
    TNO_NEW_ENVIRON = 39, /* RFC 1572 */
};

/* ---- streaming decoder ---- */

struct telnet_decoder {
    uint8_t state; /* where inside a command the last piece ended */
    uint8_t cmd;   /* WILL/WONT/DO/DONT waiting for its option */
};

/* An option request seen in the stream: cmd is TN_WILL..TN_DONT. */
typedef void (*telnet_opt_fn)(void *ctx, uint8_t cmd, uint8_t opt);

/* Takes the commands out of n bytes: the data bytes go to out (which must
 * hold n bytes) and their count is returned; option requests go to fn
 * (may be NULL); subnegotiations and the other commands are dropped.
 * Start with a zeroed decoder. */
size_t telnet_decode(struct telnet_decoder *d, const uint8_t *in, size_t n, uint8_t *out,
                     telnet_opt_fn fn, void *ctx);

/* Data as it goes on the wire: each 255 doubled. out must hold 2 * n bytes;
 * returns the length. */
size_t telnet_escape(const uint8_t *in, size_t n, uint8_t *out);

/* ---- one buffer, item by item (the dissector) ---- */

enum telnet_item_kind {
    TI_DATA,    /* a run of data bytes (off, len), IAC IAC counted as one */
    TI_OPTION,  /* IAC WILL/WONT/DO/DONT opt */
    TI_SUBNEG,  /* IAC SB opt ... IAC SE */
    TI_COMMAND, /* IAC and another command byte (NOP, GA, AYT...) */
    TI_CUT,     /* a command that the buffer ends inside */
};

struct telnet_item {
    enum telnet_item_kind kind;
    size_t off, len; /* bytes the item takes in the buffer */
    uint8_t cmd, opt;
};

/* The item at buf[off]; false at the end of the buffer. */
bool telnet_item_next(const uint8_t *buf, size_t n, size_t off, struct telnet_item *it);

/* tshark's words: "Will", "Do", "Suboption"...; "Echo", "Suppress Go
 * Ahead", "Terminal Type"... ("Unknown" for others). */
const char *telnet_cmd_name(uint8_t cmd);
const char *telnet_opt_name(uint8_t opt);

#endif
