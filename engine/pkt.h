/* pkt.h - packet buffers: one contiguous buffer with headroom.
 *
 * As in lwIP's pbuf and Linux's sk_buff, a header is added by moving the data
 * start back into the headroom (pkt_push) and removed by moving it forward
 * (pkt_pull): encapsulation and decapsulation never copy the payload.
 * Buffers come from a free list held by the sim.
 *
 * A packet carries an id that stays the same for one datagram across hops
 * (the GUI follows it) and the offsets of its L2/L3/L4/L7 headers inside buf
 * (PKT_NO_OFF when absent).
 */
#ifndef NETSTEP_PKT_H
#define NETSTEP_PKT_H

#include "sim.h"

#define PKT_HEADROOM 128u
#define PKT_NO_OFF   UINT32_MAX

struct iface;

struct pkt {
    struct pkt *next; /* free list, queues: whoever owns the packet */
    uint8_t *buf;
    uint32_t cap;
    uint32_t head; /* data starts at buf + head */
    uint32_t len;  /* bytes of data */
    uint64_t id;
    sim_time created;
    uint32_t l2, l3, l4, l7;
    struct iface *in_iface;            /* set on receive */
    uint32_t next_hop;                 /* scratch for the IP layer (host order) */
    struct pkt *live_prev, *live_next; /* engine-private: every live packet */
};

/* A packet with `headroom` free bytes in front and `len` bytes of data
 * (zeroed). Gets a fresh id. */
struct pkt *pkt_new(struct sim *sim, uint32_t headroom, uint32_t len);
/* A deep copy with the same id (a flooded frame is the same frame). */
struct pkt *pkt_clone(struct sim *sim, const struct pkt *p);
void pkt_free(struct sim *sim, struct pkt *p);

static inline uint8_t *pkt_data(const struct pkt *p)
{
    return p->buf + p->head;
}
/* Prepends n bytes; returns the new start. Grows the headroom if needed. */
uint8_t *pkt_push(struct sim *sim, struct pkt *p, uint32_t n);
/* Strips n bytes from the front; returns the new start, NULL if len < n. */
uint8_t *pkt_pull(struct pkt *p, uint32_t n);
/* Appends n bytes (zeroed) at the tail; returns a pointer to them. */
uint8_t *pkt_put(struct sim *sim, struct pkt *p, uint32_t n);
/* Shortens to n bytes (no-op if already shorter). */
void pkt_trim(struct pkt *p, uint32_t n);
/* Offset of the current data start inside buf (for the l2/l3/... marks). */
static inline uint32_t pkt_off(const struct pkt *p)
{
    return p->head;
}

#endif
