/* sim.h - the simulation kernel: time, the event queue, the run loop, the RNG.
 *
 * Time is int64 nanoseconds. Events run in (time, insertion sequence) order,
 * so events scheduled for the same instant run in the order they were
 * scheduled (FIFO), as ns-3's scheduler contract also promises. The queue is
 * a 4-ary min-heap of 16-byte entries; the event records (callback, context,
 * argument) live in a pool indexed by slot, so scheduling never mallocs once
 * the pool has grown to the working set. Cancel is O(1): the record is marked
 * dead and skipped when its heap entry surfaces.
 *
 * Ownership: the sim owns its nodes, links, packets and trace sinks; freeing
 * the sim frees them all. No globals: several sims can live in one process.
 */
#ifndef NETSTEP_SIM_H
#define NETSTEP_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t sim_time;

#define SIM_NS       ((sim_time)1)
#define SIM_US       ((sim_time)1000)
#define SIM_MS       ((sim_time)1000000)
#define SIM_S        ((sim_time)1000000000)
#define SIM_TIME_MAX INT64_MAX
/* The calendar of the simulated world: time 0 is 2026-01-01T00:00:00Z, in
 * seconds since 1970 (UTC). Every date a program prints (HTTP's Date, mail
 * headers, certificates, dig's WHEN, whois) counts from it, never from the
 * wall clock. */
#define SIM_EPOCH_UNIX INT64_C(1767225600)

struct sim;
struct node;
struct link;
struct pkt;

typedef void (*sim_event_fn)(struct sim *sim, void *ctx, uint64_t arg);

/* A handle on a scheduled event. {0, 0} means "no timer". */
struct sim_timer {
    uint32_t slot;
    uint32_t gen;
};

/* Parses "10us", "1.5ms", "2s", "1h", "500ns", "3m" (minutes) or a bare number
 * of seconds. Returns false on syntax errors and negative values. */
bool sim_time_parse(const char *text, sim_time *out);
/* Formats as seconds with 6 decimals ("1.000250"). Returns buf. */
char *sim_time_format(sim_time t, char *buf, size_t len);

struct sim *sim_new(uint64_t seed);
void sim_free(struct sim *sim);

sim_time sim_now(const struct sim *sim);
uint64_t sim_seed(const struct sim *sim);
uint64_t sim_events_run(const struct sim *sim);

struct sim_timer sim_schedule(struct sim *sim, sim_time delay, sim_event_fn fn, void *ctx,
                              uint64_t arg);
struct sim_timer sim_schedule_at(struct sim *sim, sim_time at, sim_event_fn fn, void *ctx,
                                 uint64_t arg);
/* Cancels a pending timer and clears the handle. Stale or empty handles are
 * ignored. Returns true if an event was cancelled. */
bool sim_cancel(struct sim *sim, struct sim_timer *t);
bool sim_timer_pending(const struct sim *sim, struct sim_timer t);

/* Runs exactly one (live) event. Returns false if the queue is empty or the
 * sim was stopped. */
bool sim_step(struct sim *sim);
/* Runs every event with time <= t, then advances the clock to t (unless
 * stopped or the event budget ran out). */
void sim_run_until(struct sim *sim, sim_time t);
void sim_stop(struct sim *sim);
bool sim_stopped(const struct sim *sim);
/* Time of the next live event, or SIM_TIME_MAX. */
sim_time sim_next_time(struct sim *sim);

/* Bound on the events one run may execute (a broadcast storm must not spin
 * forever). 0 = unlimited. When exceeded the sim stops and
 * sim_budget_exhausted() turns true. */
void sim_set_event_budget(struct sim *sim, uint64_t max_events);
bool sim_budget_exhausted(const struct sim *sim);

/* ---- deterministic RNG (xoshiro256**) ---- */
struct rng {
    uint64_t s[4];
};
void rng_seed(struct rng *r, uint64_t seed);
/* A sub-stream derived from the seed and a name (a node's name, a link's
 * endpoints), so streams do not depend on creation order. */
void rng_derive(struct rng *r, uint64_t seed, const char *name);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n). n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform in [0, 1). */
double rng_double(struct rng *r);
/* The sim's own stream. */
struct rng *sim_rng(struct sim *sim);

#endif
