/* sim.c - time, the event queue, the run loop and the RNG.
 *
 * The queue is a 4-ary min-heap: half the depth of a binary heap, and the
 * four children of a node share a cache line (16-byte entries), which is
 * what makes it beat a binary heap on sift-down. Cancelled events stay in the
 * heap until they surface (lazy deletion); that keeps cancel O(1) at the
 * price of a heap that can hold dead entries, which is fine for timers that
 * are mostly not cancelled. */
#include "sim_priv.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "netstep: out of memory\n");
        abort();
    }
    return q;
}

void *xcalloc(size_t n, size_t size)
{
    void *q = calloc(n ? n : 1, size ? size : 1);
    if (!q) {
        fprintf(stderr, "netstep: out of memory\n");
        abort();
    }
    return q;
}

/* ---- time ---- */

bool sim_time_parse(const char *text, sim_time *out)
{
    if (!text) return false;
    while (isspace((unsigned char)*text))
        text++;
    if (*text == '-' || *text == '+') return false;
    /* Plain decimals only: strtod would also take hex and exponents. */
    const char *q = text;
    size_t digits = 0;
    while (isdigit((unsigned char)*q))
        q++, digits++;
    if (*q == '.')
        for (q++; isdigit((unsigned char)*q); q++)
            digits++;
    if (digits == 0 || *q == 'e' || *q == 'E' || *q == 'x' || *q == 'X') return false;
    errno = 0;
    char *end;
    double v = strtod(text, &end);
    if (errno || end == text || !isfinite(v) || v < 0) return false;
    while (isspace((unsigned char)*end))
        end++;
    double scale;
    if (*end == 0 || strcmp(end, "s") == 0 || strcmp(end, "sec") == 0)
        scale = 1e9;
    else if (strcmp(end, "ms") == 0)
        scale = 1e6;
    else if (strcmp(end, "us") == 0 || strcmp(end, "\xc2\xb5s") == 0)
        scale = 1e3;
    else if (strcmp(end, "ns") == 0)
        scale = 1;
    else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
        scale = 60e9;
    else if (strcmp(end, "h") == 0)
        scale = 3600e9;
    else
        return false;
    double ns = v * scale;
    if (ns > 9.2e18) return false;
    *out = (sim_time)llround(ns);
    return true;
}

char *sim_time_format(sim_time t, char *buf, size_t len)
{
    int neg = t < 0;
    uint64_t a = neg ? (uint64_t)(-(t + 1)) + 1 : (uint64_t)t;
    snprintf(buf, len, "%s%llu.%06llu", neg ? "-" : "", (unsigned long long)(a / 1000000000u),
             (unsigned long long)(a % 1000000000u / 1000u));
    return buf;
}

/* ---- RNG: xoshiro256** seeded through splitmix64 ---- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

void rng_derive(struct rng *r, uint64_t seed, const char *name)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    rng_seed(r, seed ^ splitmix64(&h));
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
    /* Lemire's multiply-shift with rejection: unbiased, and no division on
     * the common path (a 64-bit division costs more than the generator). */
    unsigned __int128 m = (unsigned __int128)rng_next(r) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            m = (unsigned __int128)rng_next(r) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double rng_double(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* ---- the simulator ---- */

struct sim *sim_new(uint64_t seed)
{
    struct sim *sim = xcalloc(1, sizeof *sim);
    sim->seed = seed;
    rng_derive(&sim->rng, seed, "sim");
    sim->free_head = EV_NONE;
    sim->next_pkt_id = 1;
    return sim;
}

sim_time sim_now(const struct sim *sim)
{
    return sim->now;
}
uint64_t sim_seed(const struct sim *sim)
{
    return sim->seed;
}
uint64_t sim_events_run(const struct sim *sim)
{
    return sim->events_run;
}
struct rng *sim_rng(struct sim *sim)
{
    return &sim->rng;
}
void sim_stop(struct sim *sim)
{
    sim->stopped = true;
}
bool sim_stopped(const struct sim *sim)
{
    return sim->stopped;
}
void sim_set_event_budget(struct sim *sim, uint64_t max_events)
{
    sim->event_budget = max_events;
}
bool sim_budget_exhausted(const struct sim *sim)
{
    return sim->budget_exhausted;
}

static uint32_t rec_alloc(struct sim *sim)
{
    if (sim->free_head != EV_NONE) {
        uint32_t s = sim->free_head;
        sim->free_head = sim->recs[s].next_free;
        return s;
    }
    if (sim->recs_len == sim->recs_cap) {
        sim->recs_cap = sim->recs_cap ? sim->recs_cap * 2 : 256;
        if (sim->recs_cap > EV_SLOT_MASK + 1) {
            fprintf(stderr, "netstep: more than 2^28 pending events\n");
            abort();
        }
        sim->recs = xrealloc(sim->recs, sim->recs_cap * sizeof *sim->recs);
    }
    struct ev_rec *r = &sim->recs[sim->recs_len];
    r->gen = 1;
    return sim->recs_len++;
}

static inline void rec_release(struct sim *sim, uint32_t s)
{
    struct ev_rec *r = &sim->recs[s];
    r->fn = NULL;
    r->gen++;
    r->next_free = sim->free_head;
    sim->free_head = s;
}

#define KEY_TIME(k) ((sim_time)(uint64_t)((k) >> 64))
#define KEY_SLOT(k) ((uint32_t)((uint64_t)(k)&EV_SLOT_MASK))

static void heap_push(struct sim *sim, heap_key k)
{
    if (sim->heap_len == sim->heap_cap) {
        sim->heap_cap = sim->heap_cap ? sim->heap_cap * 2 : 256;
        sim->heap = xrealloc(sim->heap, sim->heap_cap * sizeof *sim->heap);
    }
    struct heap_ent *h = sim->heap;
    uint32_t i = sim->heap_len++;
    while (i > 0) {
        uint32_t parent = (i - 1) >> 2;
        if (k >= h[parent].k) break;
        h[i] = h[parent];
        i = parent;
    }
    h[i].k = k;
}

/* Removes the minimum. Floyd's bottom-up variant: walk the hole down to a
 * leaf along the smallest children (no compare against the moved element on
 * the way), then sift the last element up from there; it usually belongs
 * near the bottom, so this saves a compare per level. */
static void heap_pop(struct sim *sim)
{
    struct heap_ent *h = sim->heap;
    uint32_t n = --sim->heap_len;
    if (n == 0) return;
    heap_key last = h[n].k;
    uint32_t i = 0;
    for (;;) {
        uint32_t c = (i << 2) + 1;
        if (c + 3 < n) {
            uint32_t a = h[c].k <= h[c + 1].k ? c : c + 1;
            uint32_t b = h[c + 2].k <= h[c + 3].k ? c + 2 : c + 3;
            uint32_t best = h[a].k <= h[b].k ? a : b;
            h[i] = h[best];
            i = best;
        } else if (c < n) {
            uint32_t best = c;
            for (uint32_t k = c + 1; k < n; k++)
                if (h[k].k < h[best].k) best = k;
            h[i] = h[best];
            i = best;
        } else {
            break;
        }
    }
    while (i > 0) {
        uint32_t parent = (i - 1) >> 2;
        if (last >= h[parent].k) break;
        h[i] = h[parent];
        i = parent;
    }
    h[i].k = last;
}

struct sim_timer sim_schedule_at(struct sim *sim, sim_time at, sim_event_fn fn, void *ctx,
                                 uint64_t arg)
{
    if (at < sim->now) at = sim->now;
    uint32_t s = rec_alloc(sim);
    struct ev_rec *r = &sim->recs[s];
    r->fn = fn;
    r->ctx = ctx;
    r->arg = arg;
    heap_push(sim, (heap_key)(uint64_t)at << 64 | (sim->next_seq++ << EV_SLOT_BITS) | s);
    return (struct sim_timer){s, r->gen};
}

struct sim_timer sim_schedule(struct sim *sim, sim_time delay, sim_event_fn fn, void *ctx,
                              uint64_t arg)
{
    return sim_schedule_at(sim, sim->now + (delay > 0 ? delay : 0), fn, ctx, arg);
}

bool sim_timer_pending(const struct sim *sim, struct sim_timer t)
{
    return t.gen != 0 && t.slot < sim->recs_len && sim->recs[t.slot].gen == t.gen &&
           sim->recs[t.slot].fn != NULL;
}

bool sim_cancel(struct sim *sim, struct sim_timer *t)
{
    bool live = sim_timer_pending(sim, *t);
    if (live) sim->recs[t->slot].fn = NULL; /* released when its heap entry surfaces */
    *t = (struct sim_timer){0, 0};
    return live;
}

/* Pops dead entries off the top; returns false when the queue is empty. */
static bool heap_skip_dead(struct sim *sim)
{
    while (sim->heap_len > 0) {
        uint32_t s = KEY_SLOT(sim->heap[0].k);
        if (sim->recs[s].fn) return true;
        heap_pop(sim);
        rec_release(sim, s);
    }
    return false;
}

sim_time sim_next_time(struct sim *sim)
{
    return heap_skip_dead(sim) ? KEY_TIME(sim->heap[0].k) : SIM_TIME_MAX;
}

static inline void run_top(struct sim *sim)
{
    heap_key k = sim->heap[0].k;
    heap_pop(sim);
    uint32_t s = KEY_SLOT(k);
    struct ev_rec r = sim->recs[s];
    rec_release(sim, s);
    sim->now = KEY_TIME(k);
    sim->events_run++;
    r.fn(sim, r.ctx, r.arg);
}

bool sim_step(struct sim *sim)
{
    if (sim->stopped || !heap_skip_dead(sim)) return false;
    run_top(sim);
    return true;
}

void sim_run_until(struct sim *sim, sim_time t)
{
    uint64_t budget = sim->event_budget;
    while (!sim->stopped && sim->heap_len > 0) {
        heap_key top = sim->heap[0].k;
        if (KEY_TIME(top) > t) break;
        uint32_t s = KEY_SLOT(top);
        if (!sim->recs[s].fn) {
            heap_pop(sim);
            rec_release(sim, s);
            continue;
        }
        if (budget && sim->events_run >= budget) {
            sim->budget_exhausted = true;
            sim->stopped = true;
            break;
        }
        run_top(sim);
    }
    if (!sim->stopped && sim->now < t) sim->now = t;
}

void sim_free(struct sim *sim)
{
    if (!sim) return;
    for (uint32_t i = 0; i < sim->n_nodes; i++) {
        struct node *n = sim->nodes[i];
        if (n->stack_free) n->stack_free(n->stack);
        for (uint32_t k = 0; k < n->n_ifaces; k++)
            free(n->ifaces[k]);
        free(n->ifaces);
        free(n);
    }
    free(sim->nodes);
    free(sim->node_index);
    free(sim->ifaces);
    for (uint32_t i = 0; i < sim->n_links; i++) {
        free(sim->links[i]->dir[0].starts);
        free(sim->links[i]->dir[1].starts);
        free(sim->links[i]);
    }
    free(sim->links);
    /* Packets still referenced by pending events (frames in flight) are
     * reclaimed here: event args that are packets are tagged by their
     * owners, so we cannot see them; instead every packet is allocated from
     * a chunk list the pool owns. */
    pkt_pool_free(sim);
    free(sim->heap);
    free(sim->recs);
    free(sim);
}
