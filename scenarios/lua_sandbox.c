/* lua_sandbox.c - one sandboxed Lua 5.4 state for a scenario script (a
 * "box"): which libraries it gets, what it costs, and how its errors read.
 *
 * A scenario is code from someone else, so the state gets only what cannot
 * reach outside it: the base library without dofile, loadfile and warn
 * (load takes text only), string without dump, table, math, utf8 and
 * coroutine. No io, os, package/require or debug. What could tell one run
 * from another is replaced: math.random draws from the scenario's seeded
 * RNG; pairs() and next() visit keys in a fixed order (numbers, strings,
 * booleans, then other values in the order the script first showed them),
 * since Lua's own order follows string hashes that are randomised per
 * process; tostring() of a table or function prints "table: #3", never an
 * address, and string.format refuses %p; collectgarbage only collects.
 *
 * Limits, set from the command line only:
 *  - an instruction budget: a count hook every HOOK_STEP VM instructions.
 *    Work a single instruction or library call does in C is charged too:
 *    every byte allocated (1 unit per ALLOC_UNIT bytes: copying a big
 *    string costs what it copies), and the table and string functions
 *    whose loops do not allocate (sort, insert, remove, move, utf8 scans,
 *    pattern matching in lua_match.c). Once spent, the hook fires at every
 *    instruction, so a pcall cannot swallow the error for long.
 *  - a memory cap: the allocator refuses blocks beyond it (Lua then
 *    collects garbage and retries once, as it always does).
 *  - as a last resort, the CPU time spent inside Lua (CPU_BACKSTOP_S per
 *    default budget) for the few operations that cost more than their
 *    instruction and are not charged (comparing two huge equal-length
 *    strings in a loop). It never triggers for a script the budget allows.
 * Deep recursion ends with Lua's own "stack overflow" (LUAI_MAXSTACK slots,
 * well under the memory cap), C recursion with its "C stack overflow"
 * (LUAI_MAXCCALLS).
 *
 * Errors: the chunk is named after the file, so Lua's messages start with
 * "FILE:LINE:"; the message handler replaces Lua's shortened name by the
 * full path and adds the script's frames when there are several. */
#include "lua_priv.h"

#include <lualib.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOOK_STEP        1000
#define ALLOC_UNIT       64 /* bytes per budget unit */
#define CPU_BACKSTOP_S   60.0
#define TRACE_FRAMES_MAX 6

static const char ids_key = 0; /* registry: object -> first-seen id (weak keys) */

/* ---- limits ---- */

static double cpu_seconds(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The first frame of the script itself (not a C function, not a chunk
 * given to load()). */
static int script_line(lua_State *L, const struct lua_box *b)
{
    lua_Debug ar;
    for (int level = 0; level < 64 && lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar)) break;
        if (ar.currentline > 0 && strcmp(ar.short_src, b->short_src) == 0) return ar.currentline;
    }
    return 0;
}

static void budget_out(lua_State *L, struct lua_box *b)
{
    if (!b->instr_out) {
        b->instr_out = true;
        int line = script_line(L, b);
        if (line) b->where_line = line;
    }
    /* from now on every instruction fails, whoever catches the error */
    lua_sethook(L, lua_gethook(L), LUA_MASKCOUNT, 1);
    luaL_error(L, "instruction budget exhausted");
}

static void box_hook(lua_State *L, lua_Debug *ar)
{
    struct lua_box *b = lua_box_of(L);
    if (b->dead) luaL_error(L, "stopped: the scenario has failed already");
    b->instr += HOOK_STEP;
    if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0 && strcmp(ar->short_src, b->short_src) == 0)
        b->where_line = ar->currentline;
    if (b->instr > b->max_instr) budget_out(L, b);
    if ((b->instr / HOOK_STEP) % 256 == 0 && b->call_depth > 0 &&
        b->cpu_used + (cpu_seconds() - b->cpu_start) > b->cpu_max) {
        b->cpu_out = true;
        budget_out(L, b);
    }
}

void box_charge(lua_State *L, uint64_t units)
{
    struct lua_box *b = lua_box_of(L);
    b->instr += units;
    if (b->instr > b->max_instr) budget_out(L, b);
}

static void *box_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct lua_box *b = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        b->mem -= old;
        return NULL;
    }
    if (nsize > old) {
        bool over_mem = b->mem - old + nsize > b->max_mem;
        if (over_mem || b->instr > b->max_instr) {
            if (over_mem)
                b->mem_refused = true;
            else
                b->instr_out = true; /* the hook raises it at the next instruction */
#if LUA_VERSION_RELEASE_NUM < 50406
            /* Up to 5.4.5 the stack and call-info list stay consistent while
             * Lua allocates, so the line of the allocation can be read. */
            if (b->L && b->mem_refused) {
                int line = script_line(b->L, b);
                if (line) b->where_line = line;
            }
#endif
            return NULL;
        }
        b->instr += (nsize - old) / ALLOC_UNIT;
    }
    void *n = realloc(ptr, nsize);
    if (!n) return NULL;
    b->mem = b->mem - old + nsize;
    return n;
}

/* ---- deterministic identity, order and text ---- */

static lua_Integer object_id(lua_State *L, int idx)
{
    struct lua_box *b = lua_box_of(L);
    idx = lua_absindex(L, idx);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &ids_key);
    lua_pushvalue(L, idx);
    lua_rawget(L, -2);
    lua_Integer id;
    if (lua_isinteger(L, -1)) {
        id = lua_tointeger(L, -1);
    } else {
        id = ++b->next_id;
        lua_pushvalue(L, idx);
        lua_pushinteger(L, id);
        lua_rawset(L, -4);
    }
    lua_pop(L, 2);
    return id;
}

const char *box_tostring(lua_State *L, int idx, size_t *len)
{
    idx = lua_absindex(L, idx);
    int t = lua_type(L, idx);
    if (luaL_getmetafield(L, idx, "__tostring") != LUA_TNIL) {
        lua_pop(L, 1);
        return luaL_tolstring(L, idx, len);
    }
    if (t == LUA_TNIL || t == LUA_TBOOLEAN || t == LUA_TNUMBER || t == LUA_TSTRING)
        return luaL_tolstring(L, idx, len);
    const char *kind = lua_typename(L, t);
    int mt = luaL_getmetafield(L, idx, "__name"); /* pushes nothing when absent */
    if (mt == LUA_TSTRING) kind = lua_tostring(L, -1);
    lua_Integer id = object_id(L, idx);
    lua_pushfstring(L, "%s: #%I", kind, (LUAI_UACINT)id);
    if (mt != LUA_TNIL) lua_remove(L, -2);
    return lua_tolstring(L, -1, len);
}

/* A key reduced to what orders it. Strings point into the Lua value, which
 * the caller keeps on the stack or in a table. */
struct skey {
    int rank; /* 0 number, 1 string, 2 boolean, 3 other */
    bool isint;
    lua_Integer i;
    double d;
    const char *s;
    size_t len;
    lua_Integer id;
    lua_Integer slot;
};

static void skey_of(lua_State *L, int idx, struct skey *k)
{
    memset(k, 0, sizeof *k);
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
        k->rank = 0;
        k->isint = lua_isinteger(L, idx);
        if (k->isint)
            k->i = lua_tointeger(L, idx);
        else
            k->d = lua_tonumber(L, idx);
        break;
    case LUA_TSTRING:
        k->rank = 1;
        k->s = lua_tolstring(L, idx, &k->len);
        break;
    case LUA_TBOOLEAN:
        k->rank = 2;
        k->i = lua_toboolean(L, idx);
        break;
    default:
        k->rank = 3;
        k->id = object_id(L, idx);
    }
}

static int skey_cmp(const struct skey *a, const struct skey *b)
{
    if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
    switch (a->rank) {
    case 0:
        if (a->isint && b->isint) return a->i < b->i ? -1 : a->i > b->i;
        {
            double x = a->isint ? (double)a->i : a->d, y = b->isint ? (double)b->i : b->d;
            if (x != y) return x < y ? -1 : 1;
            return a->isint == b->isint ? 0 : a->isint ? -1 : 1;
        }
    case 1: {
        size_t n = a->len < b->len ? a->len : b->len;
        int c = memcmp(a->s, b->s, n);
        if (c) return c < 0 ? -1 : 1;
        return a->len < b->len ? -1 : a->len > b->len;
    }
    case 2:
        return a->i < b->i ? -1 : a->i > b->i;
    default:
        return a->id < b->id ? -1 : a->id > b->id;
    }
}

static int skey_qcmp(const void *x, const void *y)
{
    return skey_cmp(x, y);
}

int box_key_cmp(lua_State *L, int a, int b)
{
    struct skey x, y;
    skey_of(L, a, &x);
    skey_of(L, b, &y);
    return skey_cmp(&x, &y);
}

lua_Integer box_sorted_keys(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_newtable(L); /* keys in Lua's order, anchoring strings */
    int raw = lua_gettop(L);
    lua_Integer n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, raw, ++n);
    }
    box_charge(L, (uint64_t)n * 2);
    struct skey *k = malloc(((size_t)n + 1) * sizeof *k);
    if (!k) luaL_error(L, "not enough memory");
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, raw, i);
        skey_of(L, -1, &k[i - 1]);
        k[i - 1].slot = i;
        lua_pop(L, 1); /* the string stays alive in raw */
    }
    qsort(k, (size_t)n, sizeof *k, skey_qcmp);
    lua_createtable(L, (int)(n < 1 << 20 ? n : 1 << 20), 0);
    for (lua_Integer i = 0; i < n; i++) {
        lua_rawgeti(L, raw, k[i].slot);
        lua_rawseti(L, -2, i + 1);
    }
    free(k);
    lua_remove(L, raw);
    return n;
}

/* ---- replaced base functions ---- */

static int call_original(lua_State *L, uint64_t units);

static int sorted_iter(lua_State *L)
{
    lua_Integer pos = lua_tointeger(L, lua_upvalueindex(2));
    for (;;) {
        lua_rawgeti(L, lua_upvalueindex(1), ++pos);
        if (lua_isnil(L, -1)) {
            lua_pushinteger(L, pos - 1);
            lua_replace(L, lua_upvalueindex(2));
            return 1;
        }
        lua_pushvalue(L, -1);
        if (lua_rawget(L, 1) != LUA_TNIL) { /* a key removed meanwhile is skipped */
            lua_pushinteger(L, pos);
            lua_replace(L, lua_upvalueindex(2));
            return 2;
        }
        lua_pop(L, 2);
    }
}

static int sb_pairs(lua_State *L)
{
    if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
        lua_pushvalue(L, 1);
        lua_call(L, 1, 3);
        return 3;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    box_sorted_keys(L, 1);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, sorted_iter, 2);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* next(t, k): the smallest key after k in pairs() order. O(n) a call. */
static int sb_next(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    bool have_prev = !lua_isnil(L, 2);
    struct skey prev, best, cur;
    if (have_prev) skey_of(L, 2, &prev);
    bool found = false;
    uint64_t n = 0;
    lua_pushnil(L); /* 3: best key */
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        n++;
        lua_pop(L, 1);
        skey_of(L, -1, &cur);
        if ((!have_prev || skey_cmp(&cur, &prev) > 0) && (!found || skey_cmp(&cur, &best) < 0)) {
            lua_pushvalue(L, -1);
            lua_replace(L, 3);
            skey_of(L, 3, &best);
            found = true;
        }
    }
    box_charge(L, n);
    if (!found) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushvalue(L, 3);
    lua_pushvalue(L, 3);
    lua_rawget(L, 1);
    return 2;
}

static int sb_tostring(lua_State *L)
{
    luaL_checkany(L, 1);
    box_tostring(L, 1, NULL);
    return 1;
}

static int sb_print(lua_State *L)
{
    struct lua_box *b = lua_box_of(L);
    int n = lua_gettop(L);
    luaL_Buffer buf;
    luaL_buffinit(L, &buf);
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s = box_tostring(L, i, &len);
        if (i > 1) luaL_addchar(&buf, '\t');
        luaL_addvalue(&buf);
        (void)s;
        (void)len;
    }
    luaL_pushresult(&buf);
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (b->run) lua_run_print(b->run, s, len);
    return 0;
}

/* Lua runs __gc finalizers with hooks off, so one could loop forever out
 * of the budget's reach: a scenario cannot set them. */
static int sb_setmetatable(lua_State *L)
{
    if (lua_istable(L, 2)) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "setmetatable: __gc finalizers are not available in a scenario");
        lua_pop(L, 1);
    }
    return call_original(L, 1);
}

static int sb_collectgarbage(lua_State *L)
{
    const char *opt = luaL_optstring(L, 1, "collect");
    if (strcmp(opt, "collect") != 0)
        return luaL_error(L, "collectgarbage(\"%s\") is not available in a scenario", opt);
    lua_gc(L, LUA_GCCOLLECT);
    lua_pushinteger(L, 0);
    return 1;
}

static int sb_load(lua_State *L)
{
    size_t len;
    const char *s = lua_tolstring(L, 1, &len);
    if (!s) return luaL_error(L, "load() in a scenario takes the code as a string");
    const char *name = luaL_optstring(L, 2, s);
    const char *mode = luaL_optstring(L, 3, "t");
    if (strchr(mode, 'b'))
        return luaL_error(L, "load(): binary chunks cannot be loaded in a scenario (mode \"t\" "
                             "only)");
    bool has_env = !lua_isnone(L, 4);
    box_charge(L, len / 16);
    int st = luaL_loadbufferx(L, s, len, name, "t");
    if (st != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    if (has_env) {
        lua_pushvalue(L, 4);
        if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
    }
    return 1;
}

/* ---- replaced library functions ---- */

static int sb_random(lua_State *L)
{
    struct lua_box *b = lua_box_of(L);
    if (!b->rng_ready) {
        uint64_t seed = b->has_seed_override   ? b->seed_override
                        : b->has_declared_seed ? b->declared_seed
                                               : 1;
        rng_derive(&b->rng, seed, "lua");
        b->rng_ready = true;
    }
    lua_Integer lo, up;
    switch (lua_gettop(L)) {
    case 0:
        lua_pushnumber(L, (lua_Number)rng_double(&b->rng));
        return 1;
    case 1:
        lo = 1;
        up = luaL_checkinteger(L, 1);
        if (up == 0) { /* math.random(0): a whole random integer */
            lua_pushinteger(L, (lua_Integer)rng_next(&b->rng));
            return 1;
        }
        break;
    case 2:
        lo = luaL_checkinteger(L, 1);
        up = luaL_checkinteger(L, 2);
        break;
    default:
        return luaL_error(L, "wrong number of arguments");
    }
    luaL_argcheck(L, lo <= up, lua_gettop(L), "interval is empty");
    uint64_t width = (uint64_t)up - (uint64_t)lo;
    uint64_t r = width == UINT64_MAX ? rng_next(&b->rng) : rng_below(&b->rng, width + 1);
    lua_pushinteger(L, (lua_Integer)((uint64_t)lo + r));
    return 1;
}

static int sb_randomseed(lua_State *L)
{
    struct lua_box *b = lua_box_of(L);
    if (lua_isnoneornil(L, 1)) {
        b->rng_ready = false; /* back to the scenario's seed at the next draw */
        return 0;
    }
    lua_Integer n = lua_isinteger(L, 1) ? lua_tointeger(L, 1) : (lua_Integer)luaL_checknumber(L, 1);
    rng_derive(&b->rng, (uint64_t)n, "lua");
    b->rng_ready = true;
    return 0;
}

static int sb_format(lua_State *L)
{
    size_t len;
    const char *f = luaL_checklstring(L, 1, &len);
    for (size_t i = 0; i < len; i++) {
        if (f[i] != '%') continue;
        i++;
        if (i < len && f[i] == '%') continue;
        while (i < len && strchr("-+ #0123456789.", f[i]))
            i++;
        if (i < len && f[i] == 'p')
            return luaL_error(L, "string.format: %%p shows an address, which differs from run "
                                 "to run; it is not available in a scenario");
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int sb_rep(lua_State *L)
{
    size_t l, lsep = 0;
    luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);
    if (n <= 0 || l + lsep == 0) { /* nothing to repeat: no loop of n empty copies */
        lua_pushliteral(L, "");
        return 1;
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* Calls the original (upvalue 1) after charging `units`. */
static int call_original(lua_State *L, uint64_t units)
{
    box_charge(L, units);
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

static uint64_t len_of(lua_State *L, int idx)
{
    if (lua_type(L, idx) == LUA_TSTRING) return (uint64_t)lua_rawlen(L, idx);
    if (lua_type(L, idx) == LUA_TTABLE) return (uint64_t)lua_rawlen(L, idx);
    return 0;
}

static int sb_table_sort(lua_State *L)
{
    uint64_t n = len_of(L, 1), lg = 1;
    while ((1ull << lg) < n && lg < 63)
        lg++;
    return call_original(L, n * lg);
}

static int sb_table_shift(lua_State *L) /* insert, remove: they move the tail */
{
    return call_original(L, len_of(L, 1));
}

static int sb_table_move(lua_State *L)
{
    lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
    uint64_t n = e >= f ? (uint64_t)e - (uint64_t)f + 1 : 0;
    return call_original(L, n);
}

static int sb_string_scan(lua_State *L) /* utf8.len, codepoint, offset; tonumber */
{
    return call_original(L, len_of(L, 1) / 8);
}

/* Wraps lib[name] (the table at -1) with fn, the original as upvalue 1. */
static void wrap(lua_State *L, const char *name, lua_CFunction fn)
{
    lua_getfield(L, -1, name);
    lua_pushcclosure(L, fn, 1);
    lua_setfield(L, -2, name);
}

static void drop(lua_State *L, const char *name)
{
    lua_pushnil(L);
    lua_setfield(L, -2, name);
}

static void open_libs(lua_State *L)
{
    static const struct {
        const char *name;
        lua_CFunction open;
    } libs[] = {{LUA_GNAME, luaopen_base},       {LUA_STRLIBNAME, luaopen_string},
                {LUA_TABLIBNAME, luaopen_table}, {LUA_MATHLIBNAME, luaopen_math},
                {LUA_UTF8LIBNAME, luaopen_utf8}, {LUA_COLIBNAME, luaopen_coroutine}};
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        luaL_requiref(L, libs[i].name, libs[i].open, 1);
        lua_pop(L, 1);
    }
    lua_pushglobaltable(L);
    drop(L, "dofile");
    drop(L, "loadfile");
    drop(L, "warn");
    lua_pushcfunction(L, sb_load);
    lua_setfield(L, -2, "load");
    lua_pushcfunction(L, sb_collectgarbage);
    lua_setfield(L, -2, "collectgarbage");
    lua_pushcfunction(L, sb_print);
    lua_setfield(L, -2, "print");
    lua_pushcfunction(L, sb_tostring);
    lua_setfield(L, -2, "tostring");
    lua_pushcfunction(L, sb_pairs);
    lua_setfield(L, -2, "pairs");
    lua_pushcfunction(L, sb_next);
    lua_setfield(L, -2, "next");
    wrap(L, "tonumber", sb_string_scan);
    wrap(L, "setmetatable", sb_setmetatable);

    lua_getfield(L, -1, LUA_STRLIBNAME);
    drop(L, "dump");
    wrap(L, "format", sb_format);
    wrap(L, "rep", sb_rep);
    lua_pop(L, 1);

    lua_getfield(L, -1, LUA_TABLIBNAME);
    wrap(L, "sort", sb_table_sort);
    wrap(L, "insert", sb_table_shift);
    wrap(L, "remove", sb_table_shift);
    wrap(L, "move", sb_table_move);
    lua_pop(L, 1);

    lua_getfield(L, -1, LUA_UTF8LIBNAME);
    wrap(L, "len", sb_string_scan);
    wrap(L, "codepoint", sb_string_scan);
    wrap(L, "offset", sb_string_scan);
    lua_pop(L, 1);

    lua_getfield(L, -1, LUA_MATHLIBNAME);
    lua_pushcfunction(L, sb_random);
    lua_setfield(L, -2, "random");
    lua_pushcfunction(L, sb_randomseed);
    lua_setfield(L, -2, "randomseed");
    lua_pop(L, 1);
    lua_pop(L, 1); /* globals */

    lua_match_register(L);
}

/* ---- life cycle ---- */

static int box_init(lua_State *L)
{
    open_libs(L);
    lua_newtable(L);
    lua_newtable(L);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &ids_key);
    lua_build_register(L);
    lua_api_register(L);
    lua_sock_register(L);
    return 0;
}

struct lua_box *box_new(const char *file, uint64_t max_instr, uint64_t max_mem)
{
    struct lua_box *b = calloc(1, sizeof *b);
    if (!b) abort();
    b->file = file;
    b->max_instr = max_instr ? max_instr : LUA_DEFAULT_INSTRUCTIONS;
    b->max_mem = max_mem ? max_mem : LUA_DEFAULT_MEMORY;
    double scale = (double)b->max_instr / (double)LUA_DEFAULT_INSTRUCTIONS;
    b->cpu_max = CPU_BACKSTOP_S * (scale > 1 ? scale : 1);
    lua_State *L = lua_newstate(box_alloc, b);
    if (!L) {
        free(b);
        return NULL;
    }
    b->L = L;
    *(struct lua_box **)lua_getextraspace(L) = b;
    snprintf(b->short_src, sizeof b->short_src, "?");
    lua_sethook(L, box_hook, LUA_MASKCOUNT, HOOK_STEP);
    lua_pushcfunction(L, box_init);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        lua_close(L);
        free(b);
        return NULL;
    }
    return b;
}

static void section_free(struct lua_section *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->e[i].json);
    free(s->e);
    memset(s, 0, sizeof *s);
}

void box_free(struct lua_box *b)
{
    if (!b) return;
    if (b->L) {
        /* finalizers the script set (__gc) run now, on what is left of the
         * budget */
        lua_close(b->L);
    }
    section_free(&b->nodes);
    section_free(&b->links);
    section_free(&b->timeline);
    section_free(&b->pexpects);
    for (int i = 0; i < LT_COUNT; i++)
        free(b->top[i].json);
    free(b);
}

bool box_load(struct lua_box *b, const char *text, size_t len, char *err, size_t n)
{
    lua_State *L = b->L;
    size_t flen = strlen(b->file);
    char *chunk = malloc(flen + 2);
    if (!chunk) abort();
    chunk[0] = '@';
    memcpy(chunk + 1, b->file, flen + 1);
    int st = luaL_loadbufferx(L, text, len, chunk, "t");
    free(chunk);
    /* Lua's short name for the file, which messages start with. */
    lua_Debug ar;
    if (st == LUA_OK) {
        lua_pushvalue(L, -1);
        if (lua_getinfo(L, ">S", &ar))
            snprintf(b->short_src, sizeof b->short_src, "%s", ar.short_src);
        return true;
    }
    const char *msg = lua_tostring(L, -1);
    if (!msg) msg = "cannot load the script";
    if (st == LUA_ERRMEM)
        snprintf(err, n,
                 "%s: memory limit exceeded while reading the script (%llu MiB; raise it "
                 "with --lua-memory)",
                 b->file, (unsigned long long)(b->max_mem >> 20));
    else {
        /* "SHORT:LINE: message" (Lua's short name for the file) ->
         * "FILE:LINE: message" */
        const char *tail = msg;
        for (const char *p = strchr(msg, ':'); p; p = strchr(p + 1, ':')) {
            const char *q = p + 1;
            while (*q >= '0' && *q <= '9')
                q++;
            if (q > p + 1 && *q == ':') {
                tail = p;
                break;
            }
        }
        if (tail != msg)
            snprintf(err, n, "%s%s", b->file, tail);
        else
            snprintf(err, n, "%s: %s", b->file, msg);
    }
    lua_pop(L, 1);
    return false;
}

/* Appends s to buf (bounded). */
static void buf_add(char *buf, size_t n, const char *s)
{
    size_t l = strlen(buf);
    if (l + 1 < n) snprintf(buf + l, n - l, "%s", s);
}

/* Message handler: the message with the full file name, then the script's
 * frames when there are several. */
static int box_msgh(lua_State *L)
{
    struct lua_box *b = lua_box_of(L);
    char out[900];
    const char *msg = NULL;
    if (lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER)
        msg = lua_tostring(L, 1);
    else if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
        msg = lua_tostring(L, -1);
    char tmp[96];
    if (!msg) {
        snprintf(tmp, sizeof tmp, "(error object is a %s value)", luaL_typename(L, 1));
        msg = tmp;
    }
    size_t sl = strlen(b->short_src);
    if (strncmp(msg, b->short_src, sl) == 0 && msg[sl] == ':')
        snprintf(out, sizeof out, "%s%s", b->file, msg + sl);
    else if (strchr(msg, ':') && msg[0] != '(')
        snprintf(out, sizeof out, "%s", msg);
    else {
        int line = script_line(L, b);
        snprintf(out, sizeof out, "%s:%d: %s", b->file, line, msg);
    }
    /* the script's frames, innermost first */
    char frames[600] = "", prev[160] = "";
    int n_frames = 0, repeats = 0;
    lua_Debug ar;
    /* lua_getstack walks from the top: a bounded look keeps a stack
     * overflow's message quick */
    for (int level = 1;
         level < 64 && lua_getstack(L, level, &ar) && n_frames < TRACE_FRAMES_MAX + 1; level++) {
        if (!lua_getinfo(L, "Sln", &ar) || ar.currentline <= 0) continue;
        char line[160];
        const char *src = strcmp(ar.short_src, b->short_src) == 0 ? b->file : ar.short_src;
        if (*ar.what == 'm')
            snprintf(line, sizeof line, "\n    %s:%d: in the main chunk", src, ar.currentline);
        else if (ar.name)
            snprintf(line, sizeof line, "\n    %s:%d: in function '%s'", src, ar.currentline,
                     ar.name);
        else
            snprintf(line, sizeof line, "\n    %s:%d: in the function of line %d", src,
                     ar.currentline, ar.linedefined);
        if (strcmp(line, prev) == 0) { /* deep recursion: one line, counted */
            repeats++;
            continue;
        }
        if (repeats) {
            char r[64];
            snprintf(r, sizeof r, "\n    (the same, %d more times)", repeats);
            buf_add(frames, sizeof frames, r);
            repeats = 0;
        }
        snprintf(prev, sizeof prev, "%s", line);
        if (n_frames < TRACE_FRAMES_MAX) buf_add(frames, sizeof frames, line);
        n_frames++;
    }
    if (repeats) {
        char r[64];
        bool deeper = lua_getstack(L, 64, &ar);
        snprintf(r, sizeof r, "\n    (the same, %s%d more times)", deeper ? "at least " : "",
                 repeats);
        buf_add(frames, sizeof frames, r);
        n_frames += repeats > 0;
    }
    if (n_frames > 1) {
        buf_add(out, sizeof out, "\n  stack traceback (innermost first):");
        buf_add(out, sizeof out, frames);
    }
    lua_pushstring(L, out);
    return 1;
}

bool box_call(struct lua_box *b, int nargs, char *err, size_t n)
{
    lua_State *L = b->L;
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, box_msgh);
    lua_insert(L, base);
    if (b->call_depth++ == 0) b->cpu_start = cpu_seconds();
    int st = lua_pcall(L, nargs, 0, base);
    if (--b->call_depth == 0) b->cpu_used += cpu_seconds() - b->cpu_start;
    if (st == LUA_OK && !b->instr_out) {
        lua_remove(L, base);
        return true;
    }
    char where[64] = "";
    if (b->where_line > 0) snprintf(where, sizeof where, ":%d", b->where_line);
    if (b->cpu_out)
        snprintf(err, n,
                 "%s%s: the script ran for more than %.0f s of CPU time in operations the "
                 "instruction budget does not see (raise it with --lua-instructions)",
                 b->file, where, b->cpu_max);
    else if (b->instr_out)
        snprintf(err, n,
                 "%s%s: instruction budget exhausted (%llu instructions; raise it with "
                 "--lua-instructions)",
                 b->file, where, (unsigned long long)b->max_instr);
    else if (st == LUA_ERRMEM || (b->mem_refused && lua_isstring(L, -1) &&
                                  strstr(lua_tostring(L, -1), "not enough memory")))
        snprintf(err, n, "%s%s: memory limit exceeded (%llu MiB; raise it with --lua-memory)",
                 b->file, where, (unsigned long long)(b->max_mem >> 20));
    else {
        const char *msg = lua_tostring(L, -1);
        snprintf(err, n, "%s", msg ? msg : "error");
    }
    lua_settop(L, base - 1);
    return false;
}

int box_caller_line(lua_State *L)
{
    lua_Debug ar;
    for (int level = 1; level < 32 && lua_getstack(L, level, &ar); level++)
        if (lua_getinfo(L, "l", &ar) && ar.currentline > 0) return ar.currentline;
    return 0;
}

void box_caller_where(lua_State *L, int from, char *buf, size_t n)
{
    struct lua_box *b = lua_box_of(L);
    lua_Debug ar;
    for (int level = from; level < from + 32 && lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0) continue;
        const char *src = strcmp(ar.short_src, b->short_src) == 0 ? b->file : ar.short_src;
        snprintf(buf, n, "%s:%d", src, ar.currentline);
        return;
    }
    snprintf(buf, n, "%s", b->file);
}
