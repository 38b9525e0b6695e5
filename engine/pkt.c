/* pkt.c - packet buffers with headroom, recycled through a free list.
 *
 * Every packet handed out is also on the sim's live list, so sim_free can
 * reclaim frames still in flight or queued inside protocols without each
 * owner having to be told. The cost is two pointer writes per alloc/free. */
#include "sim_priv.h"

#include <stdlib.h>
#include <string.h>

static void live_link(struct sim *sim, struct pkt *p)
{
    p->live_prev = NULL;
    p->live_next = sim->pkt_live;
    if (sim->pkt_live) sim->pkt_live->live_prev = p;
    sim->pkt_live = p;
    sim->pkts_live++;
}

static void live_unlink(struct sim *sim, struct pkt *p)
{
    if (p->live_prev)
        p->live_prev->live_next = p->live_next;
    else
        sim->pkt_live = p->live_next;
    if (p->live_next) p->live_next->live_prev = p->live_prev;
    sim->pkts_live--;
}

static struct pkt *pkt_get(struct sim *sim, uint32_t need)
{
    struct pkt *p;
    if (need <= PKT_TINY_CAP && sim->pkt_free_tiny) {
        p = sim->pkt_free_tiny;
        sim->pkt_free_tiny = p->next;
    } else if (need > PKT_TINY_CAP && need <= PKT_SMALL_CAP && sim->pkt_free_small) {
        p = sim->pkt_free_small;
        sim->pkt_free_small = p->next;
    } else {
        p = xcalloc(1, sizeof *p);
        p->cap = need <= PKT_TINY_CAP ? PKT_TINY_CAP : need <= PKT_SMALL_CAP ? PKT_SMALL_CAP : need;
        p->buf = xrealloc(NULL, p->cap);
    }
    live_link(sim, p);
    p->next = NULL;
    p->l2 = p->l3 = p->l4 = p->l7 = PKT_NO_OFF;
    p->in_iface = NULL;
    p->next_hop = 0;
    p->created = sim->now;
    return p;
}

struct pkt *pkt_new(struct sim *sim, uint32_t headroom, uint32_t len)
{
    struct pkt *p = pkt_get(sim, headroom + len);
    p->head = headroom;
    p->len = len;
    memset(p->buf + headroom, 0, len);
    p->id = sim->next_pkt_id++;
    return p;
}

struct pkt *pkt_clone(struct sim *sim, const struct pkt *src)
{
    struct pkt *p = pkt_get(sim, src->head + src->len);
    p->head = src->head;
    p->len = src->len;
    memcpy(p->buf + p->head, src->buf + src->head, src->len);
    p->id = src->id;
    p->created = src->created;
    p->l2 = src->l2;
    p->l3 = src->l3;
    p->l4 = src->l4;
    p->l7 = src->l7;
    p->in_iface = src->in_iface;
    p->next_hop = src->next_hop;
    return p;
}

void pkt_free(struct sim *sim, struct pkt *p)
{
    if (!p) return;
    live_unlink(sim, p);
    struct pkt **list = p->cap == PKT_TINY_CAP    ? &sim->pkt_free_tiny
                        : p->cap == PKT_SMALL_CAP ? &sim->pkt_free_small
                                                  : NULL;
    if (!list) {
        free(p->buf);
        free(p);
        return;
    }
    p->next = *list;
    *list = p;
}

/* Moves the data so there are at least `headroom` bytes in front and `tail`
 * bytes behind. Header offsets shift with the data. */
static void pkt_regrow(struct pkt *p, uint32_t headroom, uint32_t tail)
{
    uint32_t cap = headroom + p->len + tail;
    uint8_t *nb = xrealloc(NULL, cap);
    memcpy(nb + headroom, p->buf + p->head, p->len);
    int64_t shift = (int64_t)headroom - (int64_t)p->head;
    uint32_t *offs[] = {&p->l2, &p->l3, &p->l4, &p->l7};
    for (int i = 0; i < 4; i++)
        if (*offs[i] != PKT_NO_OFF) *offs[i] = (uint32_t)((int64_t)*offs[i] + shift);
    free(p->buf);
    p->buf = nb;
    p->cap = cap;
    p->head = headroom;
}

uint8_t *pkt_push(struct sim *sim, struct pkt *p, uint32_t n)
{
    (void)sim;
    if (p->head < n) pkt_regrow(p, n + PKT_HEADROOM, p->cap - p->head - p->len);
    p->head -= n;
    p->len += n;
    return p->buf + p->head;
}

uint8_t *pkt_pull(struct pkt *p, uint32_t n)
{
    if (p->len < n) return NULL;
    p->head += n;
    p->len -= n;
    return p->buf + p->head;
}

uint8_t *pkt_put(struct sim *sim, struct pkt *p, uint32_t n)
{
    (void)sim;
    if (p->cap - p->head - p->len < n) pkt_regrow(p, p->head, n + 256);
    uint8_t *t = p->buf + p->head + p->len;
    memset(t, 0, n);
    p->len += n;
    return t;
}

void pkt_trim(struct pkt *p, uint32_t n)
{
    if (n < p->len) p->len = n;
}

void pkt_pool_free(struct sim *sim)
{
    struct pkt *p = sim->pkt_live;
    while (p) {
        struct pkt *nx = p->live_next;
        free(p->buf);
        free(p);
        p = nx;
    }
    struct pkt *lists[] = {sim->pkt_free_tiny, sim->pkt_free_small};
    for (int i = 0; i < 2; i++) {
        for (p = lists[i]; p;) {
            struct pkt *nx = p->next;
            free(p->buf);
            free(p);
            p = nx;
        }
    }
    sim->pkt_live = sim->pkt_free_tiny = sim->pkt_free_small = NULL;
}
