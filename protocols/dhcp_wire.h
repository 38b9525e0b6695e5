/* dhcp_wire.h - DHCP messages (RFC 2131) in their BOOTP frame (RFC 951) with
 * the options of RFC 2132: a 236-byte fixed header (op, htype, hlen, hops,
 * xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr, sname, file),
 * the magic cookie 99.130.83.99, then options as code, length, value, ended
 * by option 255.
 *
 * dhcp_parse validates once: the header must be whole, the cookie present,
 * every option's length inside the buffer, the options we read of the size
 * RFC 2132 gives them, and a message type (option 53) present. Option
 * overload (52) is not supported: sname and file are read as plain fields.
 * dhcp_emit writes at least DHCP_MIN_LEN (300) bytes, padded with zeros
 * after the End option, as real clients and servers do (RFC 1542 2.1 says
 * some relay agents drop anything shorter). */
#ifndef NETSTEP_DHCP_WIRE_H
#define NETSTEP_DHCP_WIRE_H

#include "wire.h"
#include <stdbool.h>

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68

#define DHCP_FIXED_LEN 236 /* the BOOTP header up to the options */
#define DHCP_OPT_START 240 /* after the magic cookie */
#define DHCP_MIN_LEN   300 /* BOOTP's minimum message */
#define DHCP_MAX_LEN   576 /* what every client must accept (RFC 2131 2) */
#define DHCP_MAGIC     0x63825363u

/* Field offsets (RFC 2131 figure 1). */
#define DHCP_OFF_OP     0
#define DHCP_OFF_HTYPE  1
#define DHCP_OFF_HLEN   2
#define DHCP_OFF_HOPS   3
#define DHCP_OFF_XID    4
#define DHCP_OFF_SECS   8
#define DHCP_OFF_FLAGS  10
#define DHCP_OFF_CIADDR 12
#define DHCP_OFF_YIADDR 16
#define DHCP_OFF_SIADDR 20
#define DHCP_OFF_GIADDR 24
#define DHCP_OFF_CHADDR 28
#define DHCP_OFF_SNAME  44
#define DHCP_OFF_FILE   108
#define DHCP_OFF_COOKIE 236

#define DHCP_BOOTREQUEST    1
#define DHCP_BOOTREPLY      2
#define DHCP_HTYPE_ETHER    1
#define DHCP_FLAG_BROADCAST 0x8000

/* Options (RFC 2132). */
enum dhcp_opt {
    DHCP_OPT_PAD = 0,
    DHCP_OPT_SUBNET_MASK = 1,
    DHCP_OPT_ROUTER = 3,
    DHCP_OPT_DNS = 6,
    DHCP_OPT_HOSTNAME = 12,
    DHCP_OPT_REQUESTED_ADDR = 50,
    DHCP_OPT_LEASE_TIME = 51,
    DHCP_OPT_MSG_TYPE = 53,
    DHCP_OPT_SERVER_ID = 54,
    DHCP_OPT_PARAM_LIST = 55,
    DHCP_OPT_MESSAGE = 56,
    DHCP_OPT_RENEWAL_T1 = 58,
    DHCP_OPT_REBINDING_T2 = 59,
    DHCP_OPT_CLIENT_ID = 61,
    DHCP_OPT_END = 255,
};

/* Message types (option 53). */
enum dhcp_type {
    DHCPDISCOVER = 1,
    DHCPOFFER = 2,
    DHCPREQUEST = 3,
    DHCPDECLINE = 4,
    DHCPACK = 5,
    DHCPNAK = 6,
    DHCPRELEASE = 7,
    DHCPINFORM = 8,
};

#define DHCP_MAX_ADDRS 4  /* routers, DNS servers kept */
#define DHCP_MAX_PRL   32 /* parameter request list entries kept */
#define DHCP_STR_MAX   64 /* host name, message (longer ones are cut) */

/* A message as values. The `has_` flags say which options were there (or
 * are to be written). Strings are NUL-terminated copies. */
struct dhcp_msg {
    uint8_t op, htype, hlen, hops;
    uint32_t xid;
    uint16_t secs, flags;
    uint32_t ciaddr, yiaddr, siaddr, giaddr; /* host order */
    uint8_t chaddr[16];
    char sname[65], file[129];
    /* options */
    uint8_t type; /* option 53, required */
    bool has_mask, has_req_addr, has_lease, has_server_id, has_t1, has_t2;
    uint32_t mask, req_addr, server_id;
    uint32_t lease, t1, t2; /* seconds */
    uint8_t n_routers, n_dns;
    uint32_t routers[DHCP_MAX_ADDRS], dns[DHCP_MAX_ADDRS];
    char hostname[DHCP_STR_MAX + 1]; /* "" = absent */
    char message[DHCP_STR_MAX + 1];  /* option 56, "" = absent */
    uint8_t n_prl;
    uint8_t prl[DHCP_MAX_PRL];
    uint8_t client_id_len; /* 0 = absent */
    uint8_t client_id[DHCP_MAX_PRL];
};

enum dhcp_parse_err {
    DHCP_OK = 0,
    DHCP_ERR_SHORT = -1,    /* shorter than header + cookie */
    DHCP_ERR_COOKIE = -2,   /* no magic cookie: plain BOOTP or garbage */
    DHCP_ERR_OPT_LEN = -3,  /* an option runs past the end */
    DHCP_ERR_OPT_SIZE = -4, /* an option has the wrong size for its kind */
    DHCP_ERR_NO_TYPE = -5,  /* no message type option (53) */
    DHCP_ERR_BAD_TYPE = -6, /* message type outside 1..8 */
    DHCP_ERR_HW = -7,       /* hlen over 16 */
};

int dhcp_parse(const uint8_t *buf, size_t len, struct dhcp_msg *out);
/* Why dhcp_parse refused a message, as a sentence fragment. */
const char *dhcp_parse_err_str(int err);

/* Walks the options: *off starts at DHCP_OPT_START. Returns 1 with the next
 * option's code, length and value (pad has length 0 and no value; End
 * stops the walk after it is returned), 0 at the end of the buffer or
 * after End, -1 when an option's length runs past len. */
int dhcp_opt_next(const uint8_t *buf, size_t len, size_t *off, uint8_t *code, uint8_t *olen,
                  const uint8_t **val);

/* Writes m into buf (cap bytes, at least DHCP_MAX_LEN is always enough):
 * header, cookie, the options that are set (53 first), End, then zeros up
 * to DHCP_MIN_LEN. Returns the length written, or 0 when it did not fit. */
size_t dhcp_emit(const struct dhcp_msg *m, uint8_t *buf, size_t cap);

/* "Discover", "Offer", ... as tshark names them; "Unknown" otherwise. */
const char *dhcp_type_name(uint8_t type);
/* "DHCPDISCOVER", ... as ISC's dhclient and dhcpd log them. */
const char *dhcp_type_word(uint8_t type);
/* tshark's name of an option ("DHCP Message Type"), or NULL if unknown. */
const char *dhcp_opt_name(uint8_t code);

#endif
