/* runner.h - runs a scenario: builds it, schedules its timeline, attaches
 * the sinks the user asked for (wire log, per-layer steps, JSON lines,
 * pcapng, per-interface pcap), checks expectations and reports.
 *
 * `netstep run` is runner_new + runner_run + runner_finish; `netstep step`
 * and the GUI drive the sim themselves between runner_new and
 * runner_finish. Exit codes: 0 every expectation held, 1 one failed (or the
 * event budget ran out), 2 the scenario could not be built. */
#ifndef NETSTEP_RUNNER_H
#define NETSTEP_RUNNER_H

#include "model.h"
#include <stdio.h>

struct run_opts {
    sim_time until; /* < 0: the scenario's own */
    bool has_seed;
    uint64_t seed;
    const char *pcap;        /* pcapng path */
    const char *pcap_dir;    /* per-interface classic pcap */
    const char *trace_jsonl; /* every step as JSON lines */
    bool layers;             /* print every per-layer step with its why */
    bool quiet;              /* only expectation results and warnings */
    FILE *out;               /* default stdout */
    uint64_t event_budget;   /* 0: RUNNER_DEFAULT_BUDGET */
};
#define RUNNER_DEFAULT_BUDGET 50000000ull

void run_opts_default(struct run_opts *o);

struct runner;

struct runner *runner_new(const struct model *m, const struct run_opts *o, struct model_error *err);
struct sim *runner_sim(struct runner *r);
sim_time runner_until(const struct runner *r);
/* Runs to the end time. */
void runner_run(struct runner *r);
/* Interrupts commands still running, checks every expectation, prints the
 * results, closes captures. Returns the exit code. */
int runner_finish(struct runner *r);
void runner_free(struct runner *r);
/* Why runner_finish returned 2 (a Lua scenario's script failed during the
 * run: an error in a callback, its instruction budget or memory cap), or "". */
const char *runner_error(const struct runner *r);

/* Convenience for `netstep run`: all of the above. err is filled on exit 2. */
int scenario_run(const struct model *m, const struct run_opts *o, struct model_error *err);

#endif
