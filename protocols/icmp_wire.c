/* icmp_wire.c - parse and emit ICMP messages (RFC 792), and the names
 * tshark gives their types and codes, so that the wire log, the inspector
 * and a Wireshark window opened on our pcap all say the same words. */
#include "icmp_wire.h"

#include <string.h>

int icmp_parse(const uint8_t *buf, size_t len, struct icmp_msg *out)
{
    if (len < ICMP_HDR_LEN) return -1;
    out->type = buf[ICMP_OFF_TYPE];
    out->code = buf[ICMP_OFF_CODE];
    out->checksum = get_be16(buf + ICMP_OFF_CHECKSUM);
    out->id = get_be16(buf + ICMP_OFF_ID);
    out->seq = get_be16(buf + ICMP_OFF_SEQ);
    out->rest = get_be32(buf + ICMP_OFF_ID);
    out->body = buf + ICMP_HDR_LEN;
    out->body_len = len - ICMP_HDR_LEN;
    /* RFC 792: "The checksum is the 16-bit ones's complement of the one's
     * complement sum of the ICMP message starting with the ICMP Type." */
    if (inet_sum(buf, len, 0) != 0xffff) return -2;
    return 0;
}

uint16_t icmp_checksum_compute(const uint8_t *buf, size_t len)
{
    if (len <= ICMP_OFF_CHECKSUM) return inet_checksum(buf, len);
    uint32_t sum = inet_sum(buf, ICMP_OFF_CHECKSUM, 0);
    if (len > ICMP_OFF_CHECKSUM + 2)
        sum = inet_sum(buf + ICMP_OFF_CHECKSUM + 2, len - ICMP_OFF_CHECKSUM - 2, sum);
    return (uint16_t)~sum;
}

static bool icmp_has_id_seq(uint8_t type)
{
    return type == ICMP_ECHO_REQUEST || type == ICMP_ECHO_REPLY || type == 13 || type == 14;
}

size_t icmp_emit(const struct icmp_msg *m, uint8_t *buf)
{
    /* The body first: it may alias buf + 8, and must not be overwritten by
     * the header before it is moved (memmove copes with any overlap). */
    if (m->body_len && m->body != buf + ICMP_HDR_LEN)
        memmove(buf + ICMP_HDR_LEN, m->body, m->body_len);
    buf[ICMP_OFF_TYPE] = m->type;
    buf[ICMP_OFF_CODE] = m->code;
    if (icmp_has_id_seq(m->type)) {
        put_be16(buf + ICMP_OFF_ID, m->id);
        put_be16(buf + ICMP_OFF_SEQ, m->seq);
    } else {
        put_be32(buf + ICMP_OFF_ID, m->rest);
    }
    size_t len = ICMP_HDR_LEN + m->body_len;
    put_be16(buf + ICMP_OFF_CHECKSUM, icmp_checksum_compute(buf, len));
    return len;
}

/* tshark's words (epan/dissectors/packet-icmp.c). `full` is the Info
 * column; `code` the Code field. */
struct icmp_name {
    uint8_t type, code;
    const char *full, *code_name;
};

static const struct icmp_name icmp_names[] = {
    {3, 0, "Destination unreachable (Network unreachable)", "Network unreachable"},
    {3, 1, "Destination unreachable (Host unreachable)", "Host unreachable"},
    {3, 2, "Destination unreachable (Protocol unreachable)", "Protocol unreachable"},
    {3, 3, "Destination unreachable (Port unreachable)", "Port unreachable"},
    {3, 4, "Destination unreachable (Fragmentation needed)", "Fragmentation needed"},
    {3, 5, "Destination unreachable (Source route failed)", "Source route failed"},
    {3, 6, "Destination unreachable (Destination network unknown)", "Destination network unknown"},
    {3, 7, "Destination unreachable (Destination host unknown)", "Destination host unknown"},
    {3, 8, "Destination unreachable (Source host isolated)", "Source host isolated"},
    {3, 9, "Destination unreachable (Network administratively prohibited)",
     "Network administratively prohibited"},
    {3, 10, "Destination unreachable (Host administratively prohibited)",
     "Host administratively prohibited"},
    {3, 11, "Destination unreachable (Network unreachable for TOS)", "Network unreachable for TOS"},
    {3, 12, "Destination unreachable (Host unreachable for TOS)", "Host unreachable for TOS"},
    {3, 13, "Destination unreachable (Communication administratively filtered)",
     "Communication administratively filtered"},
    {3, 14, "Destination unreachable (Host precedence violation)", "Host precedence violation"},
    {3, 15, "Destination unreachable (Precedence cutoff in effect)", "Precedence cutoff in effect"},
    {5, 0, "Redirect (Redirect for network)", "Redirect for network"},
    {5, 1, "Redirect (Redirect for host)", "Redirect for host"},
    {5, 2, "Redirect (Redirect for TOS and network)", "Redirect for TOS and network"},
    {5, 3, "Redirect (Redirect for TOS and host)", "Redirect for TOS and host"},
    {11, 0, "Time-to-live exceeded (Time to live exceeded in transit)",
     "Time to live exceeded in transit"},
    {11, 1, "Time-to-live exceeded (Fragment reassembly time exceeded)",
     "Fragment reassembly time exceeded"},
    {12, 0, "Parameter problem (Pointer indicates the error)", "Pointer indicates the error"},
    {12, 1, "Parameter problem (Required option missing)", "Required option missing"},
    {12, 2, "Parameter problem (Bad length)", "Bad length"},
};

/* Type alone, and the Info text when the code has no name of its own. */
struct icmp_type_entry {
    uint8_t type;
    const char *label, *fallback;
};

static const struct icmp_type_entry icmp_types[] = {
    {0, "Echo (ping) reply", "Echo (ping) reply"},
    {3, "Destination unreachable", "Destination unreachable (Unknown code)"},
    {4, "Source quench (flow control)", "Source quench (flow control)"},
    {5, "Redirect", "Redirect (Unknown code)"},
    {8, "Echo (ping) request", "Echo (ping) request"},
    {9, "Router advertisement", "Router advertisement"},
    {10, "Router solicitation", "Router solicitation"},
    {11, "Time-to-live exceeded", "Time-to-live exceeded (Unknown code)"},
    {12, "Parameter problem", "Parameter problem (Unknown code)"},
    {13, "Timestamp request", "Timestamp request"},
    {14, "Timestamp reply", "Timestamp reply"},
};

static const struct icmp_type_entry *icmp_type_find(uint8_t type)
{
    for (size_t i = 0; i < sizeof icmp_types / sizeof icmp_types[0]; i++)
        if (icmp_types[i].type == type) return &icmp_types[i];
    return NULL;
}

static const struct icmp_name *icmp_name_find(uint8_t type, uint8_t code)
{
    for (size_t i = 0; i < sizeof icmp_names / sizeof icmp_names[0]; i++)
        if (icmp_names[i].type == type && icmp_names[i].code == code) return &icmp_names[i];
    return NULL;
}

const char *icmp_type_name(uint8_t type, uint8_t code)
{
    const struct icmp_name *n = icmp_name_find(type, code);
    if (n) return n->full;
    const struct icmp_type_entry *t = icmp_type_find(type);
    return t ? t->fallback : "Unknown ICMP (obsolete or malformed?)";
}

const char *icmp_type_label(uint8_t type)
{
    const struct icmp_type_entry *t = icmp_type_find(type);
    return t ? t->label : "Unknown ICMP (obsolete or malformed?)";
}

const char *icmp_code_name(uint8_t type, uint8_t code)
{
    const struct icmp_name *n = icmp_name_find(type, code);
    if (n) return n->code_name;
    if (type == 3 || type == 5 || type == 11 || type == 12) return "Unknown code";
    return NULL;
}

bool icmp_type_is_error(uint8_t type)
{
    return type == ICMP_DEST_UNREACH || type == 4 || type == 5 || type == ICMP_TIME_EXCEEDED ||
           type == 12;
}
