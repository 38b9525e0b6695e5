/* test_sim.c - the simulation kernel (engine/sim.h): duration parsing and
 * formatting, the event queue's order (FIFO among equal times, by time
 * otherwise, checked against a sorted reference), cancellation through
 * handles (including a stale handle whose slot was reused), sim_step,
 * sim_run_until, sim_stop, the event budget, and the RNG (same seed same
 * sequence, per-name sub-streams that do not depend on creation order,
 * rng_below and rng_double ranges). */
#include "check.h"
#include "engine/net.h"

#include <stdlib.h>

/* ---- durations ---- */

static void test_time_parse(void)
{
    static const struct {
        const char *text;
        sim_time want;
    } good[] = {
        {"10us", 10 * SIM_US}, {"1.5ms", 1500 * SIM_US}, {"2s", 2 * SIM_S},
        {"1h", 3600 * SIM_S},  {"3m", 180 * SIM_S},      {"3min", 180 * SIM_S},
        {"500ns", 500},        {"2.5", 2500 * SIM_MS},   {"0", 0},
        {"0.000000001", 1},    {"  7ms", 7 * SIM_MS},    {"7 ms", 7 * SIM_MS},
        {".5s", 500 * SIM_MS}, {"2sec", 2 * SIM_S},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        sim_time t = -42;
        bool ok = sim_time_parse(good[i].text, &t);
        if (!ok) fprintf(stderr, "  rejected \"%s\"\n", good[i].text);
        CHECK(ok);
        CHECK_EQ(t, good[i].want);
    }
    static const char *const bad[] = {"-1s", "5 parsecs", "",    "abc", "+2s",   "1s2",
                                      "ms",  "1e30h",     "nan", "inf", "2 s s", "."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sim_time t = -42;
        bool ok = sim_time_parse(bad[i], &t);
        if (ok) fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
        CHECK(!ok);
        CHECK_EQ(t, -42); /* untouched on error */
    }
    sim_time t = 0;
    CHECK(!sim_time_parse(NULL, &t));
}

static void test_time_format(void)
{
    char buf[32];
    CHECK_STR(sim_time_format(1000250000, buf, sizeof buf), "1.000250");
    CHECK_STR(sim_time_format(0, buf, sizeof buf), "0.000000");
    CHECK_STR(sim_time_format(999, buf, sizeof buf), "0.000000"); /* below a microsecond */
    CHECK_STR(sim_time_format(3600 * SIM_S + 1500, buf, sizeof buf), "3600.000001");
    CHECK_STR(sim_time_format(-1500 * SIM_MS, buf, sizeof buf), "-1.500000");
    CHECK_STR(sim_time_format(SIM_TIME_MAX, buf, sizeof buf), "9223372036.854775");
    CHECK_STR(sim_time_format(INT64_MIN, buf, sizeof buf), "-9223372036.854775");
}

/* ---- event order ---- */

struct order_log {
    uint64_t got[1000];
    sim_time at[1000];
    int n;
};

static void record_ev(struct sim *sim, void *ctx, uint64_t arg)
{
    struct order_log *log = ctx;
    if (log->n < 1000) {
        log->got[log->n] = arg;
        log->at[log->n] = sim_now(sim);
        log->n++;
    }
}

static void test_fifo_equal_times(void)
{
    struct sim *sim = sim_new(1);
    struct order_log log = {.n = 0};
    for (uint64_t i = 0; i < 100; i++)
        sim_schedule_at(sim, 5 * SIM_MS, record_ev, &log, i);
    sim_run_until(sim, SIM_S);
    CHECK_EQ(log.n, 100);
    int in_order = 0;
    for (int i = 0; i < log.n; i++)
        in_order += log.got[i] == (uint64_t)i && log.at[i] == 5 * SIM_MS;
    CHECK_EQ(in_order, 100);
    CHECK_EQ(sim_events_run(sim), 100);
    /* again, now that the pool hands slots back last-freed first: the
     * order must come from the insertion sequence, not the slot number */
    log.n = 0;
    for (uint64_t i = 0; i < 100; i++)
        sim_schedule_at(sim, 2 * SIM_S, record_ev, &log, i);
    sim_run_until(sim, 3 * SIM_S);
    CHECK_EQ(log.n, 100);
    in_order = 0;
    for (int i = 0; i < log.n; i++)
        in_order += log.got[i] == (uint64_t)i;
    CHECK_EQ(in_order, 100);
    sim_free(sim);
}

static int cmp_key(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_random_order(void)
{
    /* 1000 events at random times from a small range (so many share a
     * time); the expected order sorts by (time, insertion index). */
    struct sim *sim = sim_new(99);
    struct rng r;
    rng_seed(&r, 12345);
    static uint64_t key[1000];
    static struct order_log log;
    log.n = 0;
    for (uint64_t i = 0; i < 1000; i++) {
        sim_time t = (sim_time)rng_below(&r, 200) * SIM_US;
        key[i] = (uint64_t)t << 20 | i; /* time, then index */
        sim_schedule_at(sim, t, record_ev, &log, i);
    }
    qsort(key, 1000, sizeof key[0], cmp_key);
    sim_run_until(sim, SIM_S);
    CHECK_EQ(log.n, 1000);
    int match = 0, times_ok = 0;
    for (int i = 0; i < 1000; i++) {
        match += log.got[i] == (key[i] & 0xfffff);
        times_ok += log.at[i] == (sim_time)(key[i] >> 20);
    }
    CHECK_EQ(match, 1000);
    CHECK_EQ(times_ok, 1000);
    sim_free(sim);
}

/* Events scheduled from inside events, relative delays, and a time in the
 * past (runs now, after what is already due now). */
static void chain_ev(struct sim *sim, void *ctx, uint64_t arg)
{
    struct order_log *log = ctx;
    record_ev(sim, ctx, arg);
    if (arg == 1) {
        sim_schedule(sim, 3 * SIM_US, record_ev, log, 3);
        sim_schedule(sim, 0, record_ev, log, 2);
        sim_schedule_at(sim, 0, record_ev, log, 22); /* in the past: clamped to now */
        sim_schedule(sim, -5, record_ev, log, 23);   /* negative delay: now */
    }
}

static void test_nested_schedule(void)
{
    struct sim *sim = sim_new(1);
    struct order_log log = {.n = 0};
    sim_schedule(sim, 10 * SIM_US, chain_ev, &log, 1);
    sim_schedule(sim, 10 * SIM_US, record_ev, &log, 11);
    sim_run_until(sim, SIM_MS);
    CHECK_EQ(log.n, 6);
    static const uint64_t want[] = {1, 11, 2, 22, 23, 3};
    static const sim_time want_t[] = {10000, 10000, 10000, 10000, 10000, 13000};
    for (int i = 0; i < 6 && i < log.n; i++) {
        CHECK_EQ(log.got[i], want[i]);
        CHECK_EQ(log.at[i], want_t[i]);
    }
    sim_free(sim);
}

/* ---- cancel ---- */

static void test_cancel(void)
{
    struct sim *sim = sim_new(1);
    struct order_log log = {.n = 0};
    struct sim_timer a = sim_schedule(sim, 1 * SIM_MS, record_ev, &log, 1);
    struct sim_timer b = sim_schedule(sim, 2 * SIM_MS, record_ev, &log, 2);
    struct sim_timer c = sim_schedule(sim, 3 * SIM_MS, record_ev, &log, 3);
    CHECK(a.gen != 0);
    CHECK(sim_timer_pending(sim, b));
    CHECK(sim_cancel(sim, &b));
    CHECK_EQ(b.gen, 0); /* the handle is cleared */
    CHECK_EQ(b.slot, 0);
    CHECK(!sim_cancel(sim, &b)); /* a cleared handle does nothing */
    struct sim_timer none = {0, 0};
    CHECK(!sim_cancel(sim, &none));
    CHECK(!sim_timer_pending(sim, none));
    CHECK_EQ(sim_next_time(sim), 1 * SIM_MS);
    CHECK(sim_cancel(sim, &a));
    CHECK_EQ(sim_next_time(sim), 3 * SIM_MS); /* dead entries are skipped */
    sim_run_until(sim, SIM_S);
    CHECK_EQ(log.n, 1);
    CHECK_EQ(log.got[0], 3);
    CHECK(!sim_timer_pending(sim, c)); /* it ran */
    CHECK_EQ(sim_next_time(sim), SIM_TIME_MAX);
    sim_free(sim);
}

static void test_cancel_stale_handle(void)
{
    /* An event runs; its slot is reused by a new event; cancelling through
     * the old handle must not touch the new one (generation check). */
    struct sim *sim = sim_new(1);
    struct order_log log = {.n = 0};
    struct sim_timer old = sim_schedule(sim, SIM_MS, record_ev, &log, 1);
    CHECK(sim_step(sim));
    CHECK_EQ(log.n, 1);
    CHECK(!sim_timer_pending(sim, old));
    struct sim_timer fresh = sim_schedule(sim, SIM_MS, record_ev, &log, 2);
    CHECK_EQ(fresh.slot, old.slot); /* the slot came back from the free list */
    CHECK(fresh.gen != old.gen);
    struct sim_timer stale = old;
    CHECK(!sim_cancel(sim, &stale));
    CHECK(sim_timer_pending(sim, fresh));
    sim_run_until(sim, SIM_S);
    CHECK_EQ(log.n, 2);
    CHECK_EQ(log.got[1], 2);

    /* Same with a cancelled event: its slot is recycled once its heap
     * entry surfaces, and the cancelled handle stays dead. */
    struct sim_timer dead = sim_schedule(sim, SIM_MS, record_ev, &log, 3);
    struct sim_timer copy = dead;
    CHECK(sim_cancel(sim, &dead));
    sim_run_until(sim, 2 * SIM_S);
    struct sim_timer reuse = sim_schedule(sim, SIM_MS, record_ev, &log, 4);
    CHECK_EQ(reuse.slot, copy.slot);
    CHECK(!sim_timer_pending(sim, copy));
    CHECK(!sim_cancel(sim, &copy));
    sim_run_until(sim, 3 * SIM_S);
    CHECK_EQ(log.n, 3);
    CHECK_EQ(log.got[2], 4);
    sim_free(sim);
}

/* ---- run loop ---- */

static void test_step_and_run_until(void)
{
    struct sim *sim = sim_new(1);
    struct order_log log = {.n = 0};
    CHECK(!sim_step(sim)); /* empty queue */
    sim_schedule_at(sim, 10 * SIM_MS, record_ev, &log, 1);
    sim_schedule_at(sim, 20 * SIM_MS, record_ev, &log, 2);
    sim_schedule_at(sim, 20 * SIM_MS, record_ev, &log, 3);
    sim_schedule_at(sim, 30 * SIM_MS, record_ev, &log, 4);
    CHECK(sim_step(sim));
    CHECK_EQ(log.n, 1);
    CHECK_EQ(sim_now(sim), 10 * SIM_MS);
    CHECK(sim_step(sim));
    CHECK_EQ(log.n, 2);
    CHECK_EQ(sim_now(sim), 20 * SIM_MS);
    /* run_until includes events at exactly t, stops before later ones and
     * leaves the clock at t */
    sim_run_until(sim, 25 * SIM_MS);
    CHECK_EQ(log.n, 3);
    CHECK_EQ(log.got[2], 3);
    CHECK_EQ(sim_now(sim), 25 * SIM_MS);
    sim_run_until(sim, 30 * SIM_MS);
    CHECK_EQ(log.n, 4);
    CHECK_EQ(sim_now(sim), 30 * SIM_MS);
    /* nothing left: the clock still advances */
    sim_run_until(sim, 5 * SIM_S);
    CHECK_EQ(sim_now(sim), 5 * SIM_S);
    CHECK_EQ(sim_events_run(sim), 4);
    /* relative scheduling counts from the advanced clock */
    sim_schedule(sim, SIM_MS, record_ev, &log, 5);
    CHECK_EQ(sim_next_time(sim), 5 * SIM_S + SIM_MS);
    CHECK(sim_step(sim));
    CHECK_EQ(sim_now(sim), 5 * SIM_S + SIM_MS);
    CHECK(!sim_step(sim));
    sim_free(sim);
}

static void stop_ev(struct sim *sim, void *ctx, uint64_t arg)
{
    record_ev(sim, ctx, arg);
    sim_stop(sim);
}

static void test_stop(void)
{
    struct sim *sim = sim_new(1);
    struct order_log log = {.n = 0};
    sim_schedule_at(sim, 1 * SIM_MS, record_ev, &log, 1);
    sim_schedule_at(sim, 2 * SIM_MS, stop_ev, &log, 2);
    sim_schedule_at(sim, 2 * SIM_MS, record_ev, &log, 3);
    sim_schedule_at(sim, 3 * SIM_MS, record_ev, &log, 4);
    CHECK(!sim_stopped(sim));
    sim_run_until(sim, SIM_S);
    CHECK(sim_stopped(sim));
    CHECK_EQ(log.n, 2);
    CHECK_EQ(sim_now(sim), 2 * SIM_MS); /* a stopped run does not advance to t */
    CHECK(!sim_step(sim));              /* stopped: no more steps */
    CHECK_EQ(log.n, 2);
    CHECK(!sim_budget_exhausted(sim));
    sim_free(sim);
}

static void tick_ev(struct sim *sim, void *ctx, uint64_t arg)
{
    uint64_t *n = ctx;
    (*n)++;
    sim_schedule(sim, SIM_US, tick_ev, ctx, arg);
}

static void test_budget(void)
{
    struct sim *sim = sim_new(1);
    uint64_t ticks = 0;
    sim_set_event_budget(sim, 250);
    sim_schedule(sim, 0, tick_ev, &ticks, 0);
    sim_run_until(sim, 10 * SIM_MS); /* 10001 events without the budget */
    CHECK_EQ(ticks, 250);
    CHECK_EQ(sim_events_run(sim), 250);
    CHECK(sim_budget_exhausted(sim));
    CHECK(sim_stopped(sim));
    CHECK_EQ(sim_now(sim), 249 * SIM_US);
    sim_free(sim);

    /* without a budget, the same event runs until the horizon */
    sim = sim_new(1);
    ticks = 0;
    sim_schedule(sim, 0, tick_ev, &ticks, 0);
    sim_run_until(sim, 999 * SIM_US);
    CHECK_EQ(ticks, 1000);
    CHECK(!sim_budget_exhausted(sim));
    CHECK(!sim_stopped(sim));
    sim_free(sim);
}

/* ---- RNG ---- */

static void test_rng(void)
{
    struct rng a, b, c;
    rng_seed(&a, 7);
    rng_seed(&b, 7);
    rng_seed(&c, 8);
    int same = 0, diff = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = rng_next(&a), y = rng_next(&b), z = rng_next(&c);
        same += x == y;
        diff += x != z;
    }
    CHECK_EQ(same, 100);
    CHECK_EQ(diff, 100);

    /* derive: a function of (seed, name) only */
    struct rng d1, d2, e1;
    rng_derive(&d1, 7, "alice");
    rng_derive(&e1, 7, "bob");
    rng_derive(&d2, 7, "alice");
    CHECK_EQ(rng_next(&d1), rng_next(&d2));
    CHECK(rng_next(&d1) != rng_next(&e1));
    struct rng f1, f2;
    rng_derive(&f1, 7, "alice");
    rng_derive(&f2, 8, "alice");
    CHECK(rng_next(&f1) != rng_next(&f2));

    /* nodes: their streams come from their names, not creation order */
    struct sim *s1 = sim_new(42), *s2 = sim_new(42);
    struct node *a1 = node_new(s1, "alice", NODE_HOST);
    struct node *b1 = node_new(s1, "bob", NODE_HOST);
    struct node *b2 = node_new(s2, "bob", NODE_HOST);
    struct node *a2 = node_new(s2, "alice", NODE_HOST);
    CHECK(a1->index != a2->index);
    int eq_a = 0, eq_b = 0, eq_ab = 0;
    for (int i = 0; i < 50; i++) {
        uint64_t x1 = rng_next(&a1->rng), x2 = rng_next(&a2->rng);
        uint64_t y1 = rng_next(&b1->rng), y2 = rng_next(&b2->rng);
        eq_a += x1 == x2;
        eq_b += y1 == y2;
        eq_ab += x1 == y1;
    }
    CHECK_EQ(eq_a, 50);
    CHECK_EQ(eq_b, 50);
    CHECK_EQ(eq_ab, 0);
    CHECK_EQ(sim_seed(s1), 42);
    CHECK_EQ(rng_next(sim_rng(s1)), rng_next(sim_rng(s2)));
    sim_free(s1);
    sim_free(s2);

    /* rng_below: in range, every value reached */
    struct rng r;
    rng_seed(&r, 3);
    int hits[7] = {0}, out_of_range = 0;
    for (int i = 0; i < 7000; i++) {
        uint64_t v = rng_below(&r, 7);
        if (v >= 7)
            out_of_range++;
        else
            hits[v]++;
    }
    CHECK_EQ(out_of_range, 0);
    int all_hit = 0;
    for (int i = 0; i < 7; i++)
        all_hit += hits[i] > 800 && hits[i] < 1200;
    CHECK_EQ(all_hit, 7);
    int zeros = 0;
    for (int i = 0; i < 100; i++)
        zeros += rng_below(&r, 1) == 0;
    CHECK_EQ(zeros, 100);
    uint64_t big = UINT64_MAX / 2 + 2, bad_big = 0;
    for (int i = 0; i < 1000; i++)
        bad_big += rng_below(&r, big) >= big;
    CHECK_EQ(bad_big, 0);

    /* rng_double: [0, 1), mean near 1/2 */
    double sum = 0, lo = 1, hi = 0;
    int outside = 0;
    for (int i = 0; i < 10000; i++) {
        double v = rng_double(&r);
        outside += v < 0 || v >= 1;
        sum += v;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    CHECK_EQ(outside, 0);
    CHECK(sum / 10000 > 0.48 && sum / 10000 < 0.52);
    CHECK(lo < 0.001);
    CHECK(hi > 0.999);
}

int main(void)
{
    test_time_parse();
    test_time_format();
    test_fifo_equal_times();
    test_random_order();
    test_nested_schedule();
    test_cancel();
    test_cancel_stale_handle();
    test_step_and_run_until();
    test_stop();
    test_budget();
    test_rng();
    return check_done();
}
