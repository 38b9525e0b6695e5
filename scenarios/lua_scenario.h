/* lua_scenario.h - Lua 5.4 scenarios: loading a .lua file into the same
 * model a JSON file gives, and running its programmable part (callbacks at
 * simulated times, commands, faults, packet hooks, expectations, toy
 * protocols over UDP and TCP) alongside the simulation.
 *
 * How it fits (docs/lua.md is the teacher's side, docs/decisions.md the
 * why): the script runs twice, each time in a fresh sandboxed state.
 *
 *   1. Loading (model_load -> lua_scenario_load): the top level of the
 *      script runs. host{...}, link{...}, at{...} and the other build
 *      functions take the same tables as the JSON entries; each call is
 *      serialized to one line of JSON text, and that text goes through the
 *      JSON loader (model_load_json_text_mapped) with a map from JSON lines
 *      to the lines of the Lua calls. So validation, defaults, error
 *      messages and the model are the JSON loader's, with the Lua file and
 *      line. The model keeps the script (struct lua_scenario).
 *   2. Running (runner_new -> lua_run_start, after scenario_build): the
 *      script runs again from the top in a new state, now bound to the
 *      simulation, so the callbacks it registers live for the run. The
 *      network it builds must be the one loaded (it is, unless the build
 *      depends on something else than the seed). A fresh state per run is
 *      what makes the GUI's step back (a replay from time 0) exact.
 *
 * Limits (an instruction budget and a memory cap per state) come from the
 * command line through struct model_load_opts, never from the script. */
#ifndef NETSTEP_LUA_SCENARIO_H
#define NETSTEP_LUA_SCENARIO_H

#include "model.h"

#include <stdio.h>

#define LUA_DEFAULT_INSTRUCTIONS 200000000ull /* about a second or two of Lua */
#define LUA_DEFAULT_MEMORY       (256ull << 20)
#define LUA_MAX_SOURCE_BYTES     (16u << 20)
#define LUA_MAX_JSON_BYTES       (64u << 20) /* as for a JSON scenario file */

struct lua_scenario;
struct lua_run;

/* Loads a Lua scenario file / text. o may be NULL (defaults). */
struct model *lua_scenario_load(const char *path, const struct model_load_opts *o,
                                struct model_error *err);
struct model *lua_scenario_load_text(const char *file_label, const char *text, size_t len,
                                     const struct model_load_opts *o, struct model_error *err);
void lua_scenario_free(struct lua_scenario *ls);
/* The JSON the build functions produced (`netstep validate --json`). */
const char *lua_scenario_json(const struct lua_scenario *ls);

/* What the runner lends a running script. */
struct lua_run_host {
    /* An expectation's result, printed and counted with the JSON ones. */
    void (*report)(void *ctx, bool ok, const char *what, const char *detail);
    void *ctx;
    FILE *out;  /* print() and command echo; NULL = stdout */
    bool quiet; /* print() and echoes are not shown */
    bool has_seed;
    uint64_t seed; /* --seed */
};

/* Runs the script of m (m->lua) against sim, which scenario_build made from
 * m. NULL (err filled) when its top level fails. */
struct lua_run *lua_run_start(const struct model *m, struct sim *sim, const struct lua_run_host *h,
                              struct model_error *err);
/* The end of the run: commands still running are interrupted (their
 * callbacks run), then the at_end() callbacks. */
void lua_run_finish(struct lua_run *lr);
/* The error that stopped the script during the run ("" if none): a Lua
 * error in a callback, the instruction budget or the memory cap. The sim
 * was stopped when it happened. */
const char *lua_run_error(const struct lua_run *lr);
/* Before sim_free: the state and everything the script opened. */
void lua_run_free(struct lua_run *lr);

#endif
