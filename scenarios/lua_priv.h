/* lua_priv.h - what the Lua scenario modules share: one sandboxed state (a
 * "box": lua_sandbox.c), the build functions and their JSON (lua_load.c),
 * the run-time API (lua_api.c), sockets for toy protocols (lua_sock.c) and
 * the bounded pattern matcher (lua_match.c). Not for use outside
 * scenarios/lua_*.c: the public side is lua_scenario.h. */
#ifndef NETSTEP_LUA_PRIV_H
#define NETSTEP_LUA_PRIV_H

#include "lua_scenario.h"

#include <lauxlib.h>
#include <lua.h>

/* One build call's JSON (an entry of nodes, links, timeline, expect_packets,
 * or a top-level value) and the line of the Lua call that made it. */
struct lua_entry {
    char *json;
    int line;
};

struct lua_section {
    struct lua_entry *e;
    int n, cap;
};

/* Top-level keys: the first four come from scenario{...}, "pki" from
 * pki{...}. */
enum lua_top { LT_NAME, LT_DESCRIPTION, LT_SEED, LT_UNTIL, LT_PKI, LT_COUNT };
#define LT_SCENARIO_KEYS LT_PKI

struct lua_box {
    lua_State *L;
    const char *file;           /* the path, for messages (not owned) */
    char short_src[LUA_IDSIZE]; /* Lua's name for the chunk, replaced by file */
    bool top_done;              /* the top level has returned: the run is on */
    struct lua_run *run;        /* NULL while loading */
    /* limits */
    uint64_t max_instr, instr;
    uint64_t max_mem, mem;
    bool instr_out;                      /* the budget ran out */
    bool mem_refused;                    /* the allocator refused a block */
    int where_line;                      /* last known line of the script (hook, allocator) */
    int call_depth;                      /* box_call nesting */
    double cpu_start, cpu_used, cpu_max; /* CPU seconds inside Lua (the backstop) */
    bool cpu_out;
    bool dead; /* the run failed: stop at the next instruction */
    /* math.random: seeded at first use (see lua_sandbox.c) */
    struct rng rng;
    bool rng_ready;
    bool has_seed_override;
    uint64_t seed_override;
    bool has_declared_seed;
    uint64_t declared_seed;
    /* deterministic tostring() of tables and functions */
    lua_Integer next_id;
    /* what the build functions made */
    struct lua_section nodes, links, timeline, pexpects;
    struct lua_entry top[LT_COUNT];
};

/* The box of a state (stored in the state's extra space). */
static inline struct lua_box *lua_box_of(lua_State *L)
{
    return *(struct lua_box **)lua_getextraspace(L);
}

/* ---- lua_sandbox.c ---- */
struct lua_box *box_new(const char *file, uint64_t max_instr, uint64_t max_mem);
void box_free(struct lua_box *b);
/* Loads the script as the main chunk (text only). Returns false with the
 * message in err. */
bool box_load(struct lua_box *b, const char *text, size_t len, char *err, size_t n);
/* lua_pcall with a traceback; the function and nargs arguments are on the
 * stack. Returns false with a message in err (file and line first). */
bool box_call(struct lua_box *b, int nargs, char *err, size_t n);
/* Charges C-side work (sorting, copying) to the instruction budget; raises
 * the budget error when it runs out. */
void box_charge(lua_State *L, uint64_t units);
/* The line of the script that called the C function running now (level 1),
 * or of the nearest Lua caller; 0 when none. */
int box_caller_line(lua_State *L);
/* "FILE:LINE" of the caller (level 1: the function calling the C function
 * running now, 2: its caller...), for what an expectation reports. */
void box_caller_where(lua_State *L, int level, char *buf, size_t n);
/* Deterministic tostring (no addresses): pushes the string. */
const char *box_tostring(lua_State *L, int idx, size_t *len);
/* Compares two keys in the order pairs() uses (numbers, strings, booleans,
 * then others by first-seen id). */
int box_key_cmp(lua_State *L, int a, int b);
/* Pushes the keys of the table at idx, sorted, as a new array; returns n. */
lua_Integer box_sorted_keys(lua_State *L, int idx);

/* ---- lua_load.c ---- */
void lua_build_register(lua_State *L);
/* The JSON text of what was built, and the JSON-line -> Lua-line map.
 * Returns false with err filled when it is not a scenario yet. */
bool lua_build_json(struct lua_box *b, char **json, size_t *len, int **map, int *n_lines,
                    struct model_error *err);
/* Runs the script of m again for a run (b->run = run) and checks it builds
 * the model's network. NULL with err filled on failure. */
struct lua_box *lua_scenario_run_box(const struct model *m, struct lua_run *run, bool has_seed,
                                     uint64_t seed, struct model_error *err);
/* Time from a duration argument ("1.5s" or seconds); raises an error. */
sim_time lua_check_time(lua_State *L, int idx, const char *fn);

/* ---- lua_api.c ---- */
void lua_api_register(lua_State *L);
/* at(time, fn): the callback form (at{...} is lua_load.c's). */
int lua_api_at(lua_State *L);
/* Calls the function under nargs arguments in a callback of the run; on an
 * error the run fails and the sim stops. Returns false then. */
bool lua_run_call(struct lua_run *lr, int nargs);
struct sim *lua_run_sim(lua_State *L, const char *fn); /* raises outside the run */
struct lua_run *lua_run_of(lua_State *L);
/* The run's state while callbacks may run; NULL once it failed or closes. */
lua_State *lua_run_box_L(struct lua_run *lr);
lua_State *lua_run_state(struct lua_run *lr); /* always the run's state */
struct node *lua_check_node(lua_State *L, int idx, const char *fn);
/* A Lua function argument kept in the registry; LUA_NOREF for nil. */
int lua_keep_fn(lua_State *L, int idx, const char *fn, bool optional);
/* The run's object lists, freed in lua_run_free. */
void lua_run_adopt(struct lua_run *lr, void *obj, void (*free_fn)(void *));
/* print() during the run. */
void lua_run_print(struct lua_run *lr, const char *s, size_t len);

/* ---- lua_sock.c ---- */
void lua_sock_register(lua_State *L);

/* ---- lua_match.c ---- */
/* Replaces string.find, match, gmatch and gsub with versions whose work is
 * charged to the instruction budget. */
void lua_match_register(lua_State *L);

#endif
