/* wire.c - the Internet checksum (RFC 1071) and the text forms of IPv4 and
 * MAC addresses, shared by every wire format, the scenario loader and the
 * host shell.
 *
 * The text parsers are strict on purpose: scenario files come from other
 * people, and "10.0.0.01" or "10.0.0.1 " is more likely a typo than a wish,
 * so they are refused rather than guessed at. */
#include "wire.h"

#include <stdbool.h>

uint32_t inet_sum(const uint8_t *p, size_t len, uint32_t acc)
{
    /* RFC 1071 section 4.1: add 16-bit words into a wider accumulator and
     * fold the carries back in at the end. A trailing odd byte is padded
     * with a zero on the right, so only the last chunk of a chain may have
     * an odd length. */
    uint64_t sum = acc;
    size_t i = 0;
    for (; i + 1 < len; i += 2)
        sum += get_be16(p + i);
    if (i < len) sum += (uint32_t)p[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint32_t)sum;
}

uint16_t inet_checksum(const uint8_t *p, size_t len)
{
    return (uint16_t)~inet_sum(p, len, 0);
}

uint16_t inet_csum_update16(uint16_t csum, uint16_t old, uint16_t new_)
{
    uint32_t sum = (uint16_t)~csum;
    sum += (uint16_t)~old;
    sum += new_;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint16_t inet_csum_update32(uint16_t csum, uint32_t old32, uint32_t new32)
{
    csum = inet_csum_update16(csum, (uint16_t)(old32 >> 16), (uint16_t)(new32 >> 16));
    return inet_csum_update16(csum, (uint16_t)old32, (uint16_t)new32);
}

/* Writes the decimal form of v (0..255) at out; returns the position after. */
static char *wire_put_dec8(char *out, unsigned v)
{
    if (v >= 100) *out++ = (char)('0' + v / 100);
    if (v >= 10) *out++ = (char)('0' + v / 10 % 10);
    *out++ = (char)('0' + v % 10);
    return out;
}

/* By hand rather than snprintf: the wire log formats two addresses per
 * frame in batch runs. */
char *ip4_str(uint32_t addr, char *buf)
{
    char *o = buf;
    for (int shift = 24; shift >= 0; shift -= 8) {
        o = wire_put_dec8(o, (addr >> shift) & 0xff);
        if (shift) *o++ = '.';
    }
    *o = '\0';
    return buf;
}

char *mac_str(const uint8_t *mac, char *buf)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 6; i++) {
        buf[i * 3] = hex[mac[i] >> 4];
        buf[i * 3 + 1] = hex[mac[i] & 15];
        buf[i * 3 + 2] = i < 5 ? ':' : '\0';
    }
    return buf;
}

/* Reads one decimal part of 1..3 digits, no leading zero, value <= max.
 * Returns the position after it, or NULL. */
static const char *wire_read_dec(const char *s, unsigned max, unsigned *out)
{
    unsigned v = 0;
    int n = 0;
    while (s[n] >= '0' && s[n] <= '9') {
        if (n == 3) return NULL;
        v = v * 10 + (unsigned)(s[n] - '0');
        n++;
    }
    if (n == 0 || v > max) return NULL;
    /* "010" is octal to inet_aton and decimal to a person: refuse it, as
     * glibc's inet_pton does. */
    if (n > 1 && s[0] == '0') return NULL;
    *out = v;
    return s + n;
}

/* Parses a dotted quad at s; returns the position after it, or NULL. */
static const char *wire_read_ip4(const char *s, uint32_t *out)
{
    uint32_t addr = 0;
    for (int i = 0; i < 4; i++) {
        unsigned part;
        if (i > 0) {
            if (*s != '.') return NULL;
            s++;
        }
        s = wire_read_dec(s, 255, &part);
        if (!s) return NULL;
        addr = addr << 8 | part;
    }
    *out = addr;
    return s;
}

int ip4_parse_addr(const char *s, uint32_t *out)
{
    uint32_t addr;
    if (!s) return 0;
    s = wire_read_ip4(s, &addr);
    if (!s || *s != '\0') return 0;
    *out = addr;
    return 1;
}

int ip4_parse_prefix(const char *s, uint32_t *addr, uint8_t *plen)
{
    uint32_t a;
    unsigned len;
    if (!s) return 0;
    s = wire_read_ip4(s, &a);
    if (!s || *s != '/') return 0;
    s = wire_read_dec(s + 1, 32, &len);
    if (!s || *s != '\0') return 0;
    *addr = a;
    *plen = (uint8_t)len;
    return 1;
}

static int wire_hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int mac_parse(const char *s, uint8_t mac[6])
{
    uint8_t m[6];
    if (!s) return 0;
    for (int i = 0; i < 6; i++) {
        int hi = wire_hex_digit(s[0]);
        int lo = hi < 0 ? -1 : wire_hex_digit(s[1]);
        if (lo < 0) return 0;
        m[i] = (uint8_t)(hi << 4 | lo);
        s += 2;
        if (*s != (i < 5 ? ':' : '\0')) return 0;
        if (i < 5) s++;
    }
    for (int i = 0; i < 6; i++)
        mac[i] = m[i];
    return 1;
}
