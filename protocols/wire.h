/* wire.h - byte-order helpers and the Internet checksum, shared by every
 * wire format. Never cast bytes to packed structs: read and write fields
 * through these helpers over a bounded buffer. */
#ifndef NETSTEP_WIRE_H
#define NETSTEP_WIRE_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t get_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* RFC 1071 one's-complement sum, folded, not inverted; chain with `acc`. */
uint32_t inet_sum(const uint8_t *p, size_t len, uint32_t acc);
/* The Internet checksum of a buffer (inverted, ready to store). */
uint16_t inet_checksum(const uint8_t *p, size_t len);
/* RFC 1624 eqn. 3 incremental update, HC' = ~(~HC + ~m + m'): the checksum
 * csum (as stored) after a 16-bit word of the data it covers changed from
 * old to new, or a 32-bit field (an address) from old32 to new32. Gives what
 * a full recomputation would (NAT rewrites addresses and ports with it). */
uint16_t inet_csum_update16(uint16_t csum, uint16_t old, uint16_t new_);
uint16_t inet_csum_update32(uint16_t csum, uint32_t old32, uint32_t new32);

/* "a.b.c.d" for a host-order address, into buf (>= 16 bytes). */
char *ip4_str(uint32_t addr, char *buf);
/* "aa:bb:cc:dd:ee:ff" into buf (>= 18 bytes). */
char *mac_str(const uint8_t *mac, char *buf);
/* Parses a strict dotted quad ("10.0.0.1": four decimal parts 0..255, no
 * leading zeros, nothing before or after); 0 on any error. */
int ip4_parse_addr(const char *s, uint32_t *out);
/* Parses "a.b.c.d/len" (len 0..32, host bits may be set: it is an
 * interface address); 0 on any error. */
int ip4_parse_prefix(const char *s, uint32_t *addr, uint8_t *plen);
/* Parses "aa:bb:cc:dd:ee:ff" (hex digits in either case); 0 on any error. */
int mac_parse(const char *s, uint8_t mac[6]);
static inline uint32_t ip4_mask(uint8_t plen)
{
    return plen == 0 ? 0 : (uint32_t)(0xffffffffu << (32 - plen));
}

#endif
