/* lua_api.c - what a Lua scenario can do while the simulation runs: the
 * timeline (at, after, every, at_end), commands (run, with typed input and
 * the JSON format's output checks), faults (link_down, link_up, link_set,
 * node_down, node_up), routes (route_add, route_del, route_replace), the
 * state of a node (interfaces, arp, mac_table, routes, nat, leases,
 * sockets, mailboxes), packet hooks (on_packet, with the dissected fields), now(),
 * print() and expect().
 *
 * A run (struct lua_run) owns a box whose script was run again from the top
 * (lua_load.c), and everything the script opened: timers, processes,
 * hooks, sockets. Callbacks are Lua functions kept in the registry; each is
 * called from a simulation event through lua_run_call, which stops the
 * simulation at the first error (Lua error, budget, memory): the run then
 * ends with exit status 2 and the message (lua_run_error).
 *
 * Functions that act on the network or read its state exist only once it
 * runs: at the top level of the script (which also runs when the scenario
 * is only loaded or validated) they are an error, so loading and running
 * agree. at/after/every/at_end/on_packet/expect/print/now work everywhere;
 * while only loading they check their arguments and do nothing.
 *
 * Packet hooks see every frame put on a wire (one per link crossed), as the
 * wire log does; the Lua function runs in an event of its own at the same
 * simulated time, after the event that sent the frame, so it may change
 * the network (take a link down) without pulling the ground from under the
 * code that is transmitting. */
#include "lua_priv.h"
#include "shell.h"
#include "engine/trace.h"
#include "protocols/arp.h"
#include "protocols/dhcp.h"
#include "protocols/dissect.h"
#include "protocols/mail.h"
#include "protocols/mailstore.h"
#include "protocols/nat.h"
#include "protocols/stack.h"
#include "protocols/tcp.h"

#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct owned {
    void *obj;
    void (*free_fn)(void *);
};

struct lua_hook {
    struct lua_run *lr;
    int ref;
    char *summary, *on, *protocol; /* NULL = any */
};

struct lua_pending; /* a frame waiting for its hook's event */

struct lua_proc {
    struct lua_run *lr;
    struct shell_proc *p;
    int ref;      /* callback, or LUA_NOREF */
    int self_ref; /* the handle userdata */
    bool done;
    char *node, *cmd;
    char where[96];
    bool has_expect;
    struct model_expect x;
};

struct lua_run {
    struct lua_box *box;
    struct sim *sim;
    const struct model *m;
    struct lua_run_host host;
    bool failed, finished, closing;
    char error[1024];
    struct owned *own;
    int n_own, cap_own;
    struct lua_proc **procs;
    int n_procs, cap_procs;
    int *at_end;
    int n_at_end, cap_at_end;
    struct lua_hook **hooks;
    int n_hooks, cap_hooks;
    bool sink_on;
    struct lua_pending *pending; /* frames waiting for their hook's event */
};

#define GROW(arr, n, cap)                                                                          \
    do {                                                                                           \
        if ((n) == (cap)) {                                                                        \
            (cap) = (cap) ? (cap)*2 : 8;                                                           \
            void *g_ = realloc((arr), (size_t)(cap) * sizeof *(arr));                              \
            if (!g_) abort();                                                                      \
            (arr) = g_;                                                                            \
        }                                                                                          \
    } while (0)

static char *dup_s(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d) abort();
    return d;
}

/* ---- the run ---- */

struct lua_run *lua_run_of(lua_State *L)
{
    return lua_box_of(L)->run;
}

lua_State *lua_run_box_L(struct lua_run *lr)
{
    return lr->failed || lr->closing ? NULL : lr->box->L;
}

lua_State *lua_run_state(struct lua_run *lr)
{
    return lr->box->L;
}

void lua_run_adopt(struct lua_run *lr, void *obj, void (*free_fn)(void *))
{
    GROW(lr->own, lr->n_own, lr->cap_own);
    lr->own[lr->n_own++] = (struct owned){obj, free_fn};
}

bool lua_run_call(struct lua_run *lr, int nargs)
{
    struct lua_box *b = lr->box;
    if (lr->failed || lr->closing) {
        lua_pop(b->L, nargs + 1);
        return false;
    }
    char err[sizeof lr->error - 96];
    if (box_call(b, nargs, err, sizeof err)) return true;
    if (!lr->failed) {
        char t[32];
        lr->failed = true;
        snprintf(lr->error, sizeof lr->error, "%s\n  (in a callback at %s s of simulated time)",
                 err, sim_time_format(sim_now(lr->sim), t, sizeof t));
        sim_stop(lr->sim);
        /* A Lua caller further out (this callback ran inside one of its
         * calls) stops at its next instruction. */
        b->dead = true;
        lua_sethook(b->L, lua_gethook(b->L), LUA_MASKCOUNT, 1);
    }
    return false;
}

void lua_run_print(struct lua_run *lr, const char *s, size_t len)
{
    if (lr->host.quiet) return;
    FILE *f = lr->host.out ? lr->host.out : stdout;
    fputs("lua| ", f);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n')
            fputs("\nlua| ", f);
        else
            fputc(s[i], f);
    }
    fputc('\n', f);
}

struct sim *lua_run_sim(lua_State *L, const char *fn)
{
    struct lua_box *b = lua_box_of(L);
    if (!b->run || !b->top_done)
        luaL_error(L,
                   "%s acts on the running network: call it from a callback, like "
                   "at(\"1s\", function() ... end) (the top level of the script runs before "
                   "time 0, and again when the scenario is only loaded)",
                   fn);
    return b->run->sim;
}

struct node *lua_check_node(lua_State *L, int idx, const char *fn)
{
    struct sim *sim = lua_run_sim(L, fn);
    const char *name = lua_tostring(L, idx);
    if (!name) luaL_error(L, "%s: expected a node name, got %s", fn, luaL_typename(L, idx));
    struct node *n = sim_find_node(sim, name);
    if (!n) luaL_error(L, "%s: no node named \"%s\"", fn, name);
    return n;
}

int lua_keep_fn(lua_State *L, int idx, const char *fn, bool optional)
{
    if (optional && lua_isnoneornil(L, idx)) return LUA_NOREF;
    if (!lua_isfunction(L, idx))
        luaL_error(L, "%s: expected a function, got %s", fn, luaL_typename(L, idx));
    lua_pushvalue(L, idx);
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

static void push_ip(lua_State *L, uint32_t a)
{
    char b[16];
    lua_pushstring(L, ip4_str(a, b));
}

static void set_str(lua_State *L, const char *k, const char *v)
{
    lua_pushstring(L, v);
    lua_setfield(L, -2, k);
}

static void set_int(lua_State *L, const char *k, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

static void set_num(lua_State *L, const char *k, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k);
}

static double secs(sim_time t)
{
    return (double)t / (double)SIM_S;
}

/* ---- timeline ---- */

struct lua_timer {
    struct lua_run *lr;
    int ref;
    sim_time period; /* 0 = once */
    struct sim_timer h;
    lua_Integer count;
    bool live;
};

static int timer_cancel(lua_State *L)
{
    struct lua_timer **tp = luaL_checkudata(L, 1, "netstep.timer");
    struct lua_timer *t = *tp;
    if (t && t->live && !t->lr->closing) {
        sim_cancel(t->lr->sim, &t->h);
        t->live = false;
    }
    return 0;
}

static int timer_pending(lua_State *L)
{
    struct lua_timer **tp = luaL_checkudata(L, 1, "netstep.timer");
    lua_pushboolean(L, *tp && (*tp)->live);
    return 1;
}

static void push_timer(lua_State *L, struct lua_timer *t)
{
    struct lua_timer **tp = lua_newuserdatauv(L, sizeof *tp, 0);
    *tp = t;
    if (luaL_newmetatable(L, "netstep.timer")) {
        lua_newtable(L);
        lua_pushcfunction(L, timer_cancel);
        lua_setfield(L, -2, "cancel");
        lua_pushcfunction(L, timer_pending);
        lua_setfield(L, -2, "pending");
        lua_setfield(L, -2, "__index");
    }
    lua_setmetatable(L, -2);
}

static void timer_fire(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct lua_timer *t = ctx;
    struct lua_run *lr = t->lr;
    if (!t->live || lr->failed) return;
    t->count++;
    if (t->period)
        t->h = sim_schedule(sim, t->period, timer_fire, t, 0);
    else
        t->live = false;
    lua_State *L = lr->box->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->ref);
    int nargs = 0;
    if (t->period) {
        lua_pushinteger(L, t->count);
        nargs = 1;
    }
    lua_run_call(lr, nargs);
}

/* Schedules fn (at idx) at `at`; pushes the timer handle. */
static int schedule(lua_State *L, sim_time at, sim_time period, int fn_idx, const char *fn)
{
    struct lua_box *b = lua_box_of(L);
    if (!lua_isfunction(L, fn_idx))
        return luaL_error(L, "%s: expected a function to call, got %s", fn,
                          luaL_typename(L, fn_idx));
    if (!b->run) { /* only loading */
        push_timer(L, NULL);
        return 1;
    }
    struct lua_timer *t = calloc(1, sizeof *t);
    if (!t) abort();
    lua_run_adopt(b->run, t, free);
    t->lr = b->run;
    t->ref = lua_keep_fn(L, fn_idx, fn, false);
    t->period = period;
    t->live = true;
    t->h = sim_schedule_at(b->run->sim, at, timer_fire, t, 0);
    push_timer(L, t);
    return 1;
}

static sim_time now_of(lua_State *L)
{
    struct lua_box *b = lua_box_of(L);
    return b->run ? sim_now(b->run->sim) : 0;
}

int lua_api_at(lua_State *L)
{
    sim_time t = lua_check_time(L, 1, "at()");
    sim_time now = now_of(L);
    if (t < now) {
        char a[32], n[32];
        return luaL_error(L, "at(): %s s is in the past (it is %s s now); after() takes a delay",
                          sim_time_format(t, a, sizeof a), sim_time_format(now, n, sizeof n));
    }
    return schedule(L, t, 0, 2, "at()");
}

static int l_after(lua_State *L)
{
    sim_time d = lua_check_time(L, 1, "after()");
    return schedule(L, now_of(L) + d, 0, 2, "after()");
}

static int l_every(lua_State *L)
{
    sim_time p = lua_check_time(L, 1, "every()");
    if (p <= 0) return luaL_error(L, "every(): the period must be longer than 0s");
    sim_time first = now_of(L) + p;
    if (!lua_isnoneornil(L, 3)) {
        first = lua_check_time(L, 3, "every() (start)");
        if (first < now_of(L)) return luaL_error(L, "every(): the start time is in the past");
    }
    return schedule(L, first, p, 2, "every()");
}

static int l_at_end(lua_State *L)
{
    struct lua_box *b = lua_box_of(L);
    if (!lua_isfunction(L, 1))
        return luaL_error(L, "at_end(): expected a function, got %s", luaL_typename(L, 1));
    if (!b->run) return 0;
    struct lua_run *lr = b->run;
    GROW(lr->at_end, lr->n_at_end, lr->cap_at_end);
    lr->at_end[lr->n_at_end++] = lua_keep_fn(L, 1, "at_end()", false);
    return 0;
}

static int l_now(lua_State *L)
{
    lua_pushnumber(L, secs(now_of(L)));
    return 1;
}

/* ---- expectations ---- */

static void report(struct lua_run *lr, bool ok, const char *what, const char *detail)
{
    if (lr->host.report) lr->host.report(lr->host.ctx, ok, what, detail);
}

static int l_expect(lua_State *L)
{
    struct lua_box *b = lua_box_of(L);
    luaL_checkany(L, 1);
    bool ok = lua_toboolean(L, 1);
    lua_Integer level = luaL_optinteger(L, 3, 1);
    if (level < 1 || level > 30) return luaL_error(L, "expect(): level must be 1 to 30");
    const char *msg = "expect()";
    if (!lua_isnoneornil(L, 2)) msg = box_tostring(L, 2, NULL);
    if (b->run) {
        char where[128], what[700];
        box_caller_where(L, (int)level, where, sizeof where);
        snprintf(what, sizeof what, "%s: %s", where, msg);
        report(b->run, ok, what, "");
    }
    lua_pushboolean(L, ok);
    return 1;
}

static void expect_free(struct model_expect *x)
{
    free(x->contains);
    free(x->not_contains);
    free(x->matches);
}

/* The JSON format's "expect" of a command: contains, not_contains,
 * matches, exit. */
static void check_expect(lua_State *L, int idx, struct model_expect *x, const char *fn)
{
    idx = lua_absindex(L, idx);
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_Integer n = box_sorted_keys(L, idx);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
        if (strcmp(k, "contains") && strcmp(k, "not_contains") && strcmp(k, "matches") &&
            strcmp(k, "exit"))
            luaL_error(L, "%s: expect: unknown key \"%s\" (contains, not_contains, matches, exit)",
                       fn, k);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (n == 0) luaL_error(L, "%s: expect is empty: say what the output should show", fn);
    const char *s;
    lua_getfield(L, idx, "contains");
    if ((s = lua_tostring(L, -1))) {
        x->has_contains = true;
        x->contains = dup_s(s);
    }
    lua_getfield(L, idx, "not_contains");
    if ((s = lua_tostring(L, -1))) {
        x->has_not_contains = true;
        x->not_contains = dup_s(s);
    }
    lua_getfield(L, idx, "matches");
    if ((s = lua_tostring(L, -1))) {
        regex_t re;
        if (regcomp(&re, s, REG_EXTENDED | REG_NOSUB | REG_NEWLINE) != 0)
            luaL_error(L, "%s: expect.matches: not a valid regular expression", fn);
        regfree(&re);
        x->has_matches = true;
        x->matches = dup_s(s);
    }
    lua_getfield(L, idx, "exit");
    if (!lua_isnil(L, -1)) {
        if (!lua_isinteger(L, -1)) luaL_error(L, "%s: expect.exit: expected an integer", fn);
        x->has_exit = true;
        x->exit_code = (int)lua_tointeger(L, -1);
    }
    lua_pop(L, 4);
}

/* ---- commands ---- */

static void proc_free(void *obj)
{
    struct lua_proc *lp = obj;
    shell_proc_free(lp->p);
    free(lp->node);
    free(lp->cmd);
    expect_free(&lp->x);
    free(lp);
}

static void proc_check(struct lua_proc *lp)
{
    const struct model_expect *x = &lp->x;
    const char *out = lp->p->out ? lp->p->out : "";
    char what[512], detail[512];
    snprintf(what, sizeof what, "%s %s$ %s", lp->where, lp->node, lp->cmd);
    if (x->has_contains) {
        bool ok = strstr(out, x->contains) != NULL;
        snprintf(detail, sizeof detail, "output %s \"%s\"", ok ? "contains" : "does not contain",
                 x->contains);
        report(lp->lr, ok, what, detail);
    }
    if (x->has_not_contains) {
        bool ok = strstr(out, x->not_contains) == NULL;
        snprintf(detail, sizeof detail, "output %s \"%s\"", ok ? "does not contain" : "contains",
                 x->not_contains);
        report(lp->lr, ok, what, detail);
    }
    if (x->has_matches) {
        regex_t re;
        bool ok = false;
        if (regcomp(&re, x->matches, REG_EXTENDED | REG_NOSUB | REG_NEWLINE) == 0) {
            ok = regexec(&re, out, 0, NULL, 0) == 0;
            regfree(&re);
        }
        snprintf(detail, sizeof detail, "output %s /%s/", ok ? "matches" : "does not match",
                 x->matches);
        report(lp->lr, ok, what, detail);
    }
    if (x->has_exit) {
        bool ok = lp->p->exit_code == x->exit_code;
        snprintf(detail, sizeof detail, "exit status %d%s%d", lp->p->exit_code,
                 ok ? " == " : ", expected ", x->exit_code);
        report(lp->lr, ok, what, detail);
    }
}

static void proc_done(void *ctx, struct shell_proc *p)
{
    struct lua_proc *lp = ctx;
    lp->p = p; /* a command that ends at once ends before shell_run returns */
    lp->done = true;
    struct lua_run *lr = lp->lr;
    if (lr->failed || lr->closing) return;
    if (lp->has_expect) proc_check(lp);
    if (lp->ref == LUA_NOREF) return;
    lua_State *L = lr->box->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, lp->ref);
    lua_pushlstring(L, p->out ? p->out : "", p->out_len);
    lua_pushinteger(L, p->exit_code);
    lua_rawgeti(L, LUA_REGISTRYINDEX, lp->self_ref);
    lua_run_call(lr, 3);
}

static struct lua_proc *check_proc(lua_State *L)
{
    struct lua_proc **pp = luaL_checkudata(L, 1, "netstep.proc");
    return *pp;
}

static int proc_input(lua_State *L)
{
    struct lua_proc *lp = check_proc(L);
    const char *line = luaL_checkstring(L, 2);
    lua_pushboolean(L, lp->p && !lp->lr->closing && shell_input(lp->p, line));
    return 1;
}

static int proc_interrupt(lua_State *L)
{
    struct lua_proc *lp = check_proc(L);
    if (lp->p && !lp->done && !lp->lr->closing) shell_interrupt(lp->p);
    return 0;
}

static int proc_output(lua_State *L)
{
    struct lua_proc *lp = check_proc(L);
    lua_pushlstring(L, lp->p && lp->p->out ? lp->p->out : "", lp->p ? lp->p->out_len : 0);
    return 1;
}

static int proc_is_done(lua_State *L)
{
    lua_pushboolean(L, check_proc(L)->done);
    return 1;
}

static int proc_status(lua_State *L)
{
    struct lua_proc *lp = check_proc(L);
    if (lp->done)
        lua_pushinteger(L, lp->p->exit_code);
    else
        lua_pushnil(L);
    return 1;
}

static int proc_tostring(lua_State *L)
{
    struct lua_proc *lp = check_proc(L);
    lua_pushfstring(L, "process %s$ %s", lp->node, lp->cmd);
    return 1;
}

/* run(node, cmd [, {input = {...}, paste = bool, expect = {...}}]
 *     [, function(output, status, proc)]) */
static int l_run(lua_State *L)
{
    struct node *n = lua_check_node(L, 1, "run()");
    struct lua_run *lr = lua_run_of(L);
    const char *cmd = luaL_checkstring(L, 2);
    if (!cmd[0]) return luaL_error(L, "run(): the command is empty");
    int opts = 0, fn = 0;
    if (lua_istable(L, 3)) {
        opts = 3;
        fn = 4;
    } else {
        fn = 3;
    }
    if (!lua_isnoneornil(L, fn) && !lua_isfunction(L, fn))
        return luaL_error(L,
                          "run(): expected a table of options or a function after the "
                          "command, got %s",
                          luaL_typename(L, fn));
    if (opts) {
        lua_Integer nk = box_sorted_keys(L, opts);
        for (lua_Integer i = 1; i <= nk; i++) {
            lua_rawgeti(L, -1, i);
            const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
            if (strcmp(k, "input") && strcmp(k, "expect") && strcmp(k, "paste"))
                return luaL_error(L, "run(): unknown option \"%s\" (input, paste, expect)", k);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        lua_getfield(L, opts, "input");
        if (!lua_isnil(L, -1)) {
            luaL_checktype(L, -1, LUA_TTABLE);
            lua_Integer ni = (lua_Integer)lua_rawlen(L, -1);
            for (lua_Integer i = 1; i <= ni; i++) {
                lua_rawgeti(L, -1, i);
                if (lua_type(L, -1) != LUA_TSTRING)
                    return luaL_error(L, "run(): input[%d] is not a string", (int)i);
                lua_pop(L, 1);
            }
        }
        lua_pop(L, 1);
    }
    struct lua_proc *lp = calloc(1, sizeof *lp);
    if (!lp) abort();
    lua_run_adopt(lr, lp, proc_free);
    lp->lr = lr;
    lp->node = dup_s(n->name);
    lp->cmd = dup_s(cmd);
    box_caller_where(L, 1, lp->where, sizeof lp->where);
    lp->ref = lua_keep_fn(L, fn, "run()", true);
    if (opts) {
        lua_getfield(L, opts, "expect");
        if (!lua_isnil(L, -1)) {
            lp->has_expect = true;
            check_expect(L, -1, &lp->x, "run()");
        }
        lua_pop(L, 1);
    }
    struct lua_proc **pp = lua_newuserdatauv(L, sizeof *pp, 0);
    *pp = lp;
    if (luaL_newmetatable(L, "netstep.proc")) {
        static const luaL_Reg m[] = {{"input", proc_input},   {"interrupt", proc_interrupt},
                                     {"output", proc_output}, {"done", proc_is_done},
                                     {"status", proc_status}, {NULL, NULL}};
        luaL_newlib(L, m);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, proc_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lp->self_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    GROW(lr->procs, lr->n_procs, lr->cap_procs);
    lr->procs[lr->n_procs++] = lp;
    if (!lr->host.quiet) fprintf(lr->host.out ? lr->host.out : stdout, "%s$ %s\n", n->name, cmd);
    struct shell_proc *p = shell_run(lr->sim, n, cmd, proc_done, lp);
    lp->p = p;
    if (opts) {
        lua_getfield(L, opts, "paste");
        p->paste = lua_toboolean(L, -1);
        lua_pop(L, 1);
        lua_getfield(L, opts, "input");
        if (lua_istable(L, -1)) {
            lua_Integer ni = (lua_Integer)lua_rawlen(L, -1);
            for (lua_Integer i = 1; i <= ni; i++) {
                lua_rawgeti(L, -1, i);
                shell_input(p, lua_tostring(L, -1));
                lua_pop(L, 1);
            }
        }
        lua_pop(L, 1);
    }
    return 1;
}

/* ---- faults ---- */

/* "node" or "node:iface" at idx: does end e of a link match? */
static bool end_matches(const struct iface *e, const char *spec)
{
    const char *colon = strchr(spec, ':');
    if (!colon) return strcmp(e->node->name, spec) == 0;
    return strcmp(e->label, spec) == 0;
}

/* The link named by the arguments from idx: ("node:iface"), ("node") when
 * it has one cable, or two ends ("r1", "r2:eth1"). Returns the number of
 * arguments used (1 or 2). */
static int check_link(lua_State *L, int idx, const char *fn, struct link **out)
{
    struct sim *sim = lua_run_sim(L, fn);
    const char *a = lua_tostring(L, idx);
    if (!a)
        return luaL_error(L, "%s: expected a link end like \"r1:eth0\", got %s", fn,
                          luaL_typename(L, idx));
    const char *b = lua_type(L, idx + 1) == LUA_TSTRING ? lua_tostring(L, idx + 1) : NULL;
    struct link *found = NULL;
    int n = 0;
    for (uint32_t i = 0; i < sim_link_count(sim); i++) {
        struct link *l = sim_link(sim, i);
        const struct iface *x = l->dir[0].from, *y = l->dir[0].to;
        bool hit =
            b ? (end_matches(x, a) && end_matches(y, b)) || (end_matches(x, b) && end_matches(y, a))
              : end_matches(x, a) || end_matches(y, a);
        if (hit) {
            if (!found) found = l;
            n++;
        }
    }
    if (!n) {
        if (b) return luaL_error(L, "%s: no link between %s and %s", fn, a, b);
        return luaL_error(L, "%s: no link at %s", fn, a);
    }
    if (n > 1)
        return luaL_error(L, "%s: %d links match %s%s%s; name an interface, like \"r1:eth1\"", fn,
                          n, a, b ? " and " : "", b ? b : "");
    *out = found;
    return b ? 2 : 1;
}

static int link_updown(lua_State *L, bool up, const char *fn)
{
    struct link *l;
    check_link(L, 1, fn, &l);
    link_set_up(lua_run_of(L)->sim, l, up);
    return 0;
}

static int l_link_down(lua_State *L)
{
    return link_updown(L, false, "link_down()");
}

static int l_link_up(lua_State *L)
{
    return link_updown(L, true, "link_up()");
}

static bool parse_bandwidth(const char *s, uint64_t *out)
{
    static const struct {
        const char *unit;
        double scale;
    } units[] = {{"bps", 1}, {"kbps", 1e3}, {"mbps", 1e6}, {"gbps", 1e9}};
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v)) return false;
    while (*end == ' ')
        end++;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(end, units[i].unit) == 0) {
            double bps = v * units[i].scale;
            if (bps < 1 || bps > 1e12) return false;
            *out = (uint64_t)llround(bps);
            return true;
        }
    }
    return false;
}

/* link_set(end [, end], {loss = 0.1, delay = "5ms", bandwidth = "10Mbps"}) */
static int l_link_set(lua_State *L)
{
    struct link *l;
    int used = check_link(L, 1, "link_set()", &l);
    int t = used + 1;
    luaL_checktype(L, t, LUA_TTABLE);
    struct link_params p = l->p;
    lua_Integer nk = box_sorted_keys(L, t);
    for (lua_Integer i = 1; i <= nk; i++) {
        lua_rawgeti(L, -1, i);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
        lua_pushvalue(L, -1);
        lua_rawget(L, t);
        if (strcmp(k, "loss") == 0) {
            double v = lua_tonumber(L, -1);
            if (!lua_isnumber(L, -1) || !(v >= 0 && v <= 1))
                return luaL_error(L, "link_set(): loss is a probability from 0 to 1");
            p.loss = v;
        } else if (strcmp(k, "delay") == 0) {
            p.delay = lua_check_time(L, -1, "link_set() delay");
        } else if (strcmp(k, "bandwidth") == 0) {
            const char *s = lua_tostring(L, -1);
            if (!s || !parse_bandwidth(s, &p.bandwidth_bps))
                return luaL_error(L, "link_set(): bandwidth is like \"10Mbps\"");
        } else {
            return luaL_error(L, "link_set(): unknown key \"%s\" (loss, delay, bandwidth)", k);
        }
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
    struct sim *sim = lua_run_of(L)->sim;
    l->p = p;
    if (trace_on(sim, TRACE_OUTPUT))
        trace_note(sim, TRACE_OUTPUT, TK_STATE, l->dir[0].from->node, l->dir[0].from, 1, 0, "",
                   "link changed",
                   "The cable between %s and %s now has %.0f%% loss, %.3f ms delay and %.3f "
                   "Mbit/s.",
                   l->dir[0].from->label, l->dir[0].to->label, p.loss * 100, (double)p.delay / 1e6,
                   (double)p.bandwidth_bps / 1e6);
    return 0;
}

static int node_updown(lua_State *L, bool up, const char *fn)
{
    struct node *n = lua_check_node(L, 1, fn);
    for (uint32_t i = 0; i < n->n_ifaces; i++)
        if (n->ifaces[i]->link) link_set_up(n->sim, n->ifaces[i]->link, up);
    return 0;
}

static int l_node_down(lua_State *L)
{
    return node_updown(L, false, "node_down()");
}

static int l_node_up(lua_State *L)
{
    return node_updown(L, true, "node_up()");
}

/* ---- routes ---- */

struct route_arg {
    bool has_to, has_via;
    uint32_t dst, via;
    uint8_t plen;
    struct iface *dev;
};

static void check_route(lua_State *L, struct node *n, int t, const char *fn, bool need_to,
                        struct route_arg *r)
{
    memset(r, 0, sizeof *r);
    luaL_checktype(L, t, LUA_TTABLE);
    lua_Integer nk = box_sorted_keys(L, t);
    for (lua_Integer i = 1; i <= nk; i++) {
        lua_rawgeti(L, -1, i);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
        if (strcmp(k, "to") && strcmp(k, "via") && strcmp(k, "dev"))
            luaL_error(L, "%s: unknown key \"%s\" (to, via, dev)", fn, k);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_getfield(L, t, "to");
    const char *s = lua_tostring(L, -1);
    if (s) {
        if (!ip4_parse_prefix(s, &r->dst, &r->plen))
            luaL_error(L, "%s: to: expected a network like \"10.0.2.0/24\", got %s", fn, s);
        if (r->dst & ~ip4_mask(r->plen))
            luaL_error(L, "%s: to: %s has host bits set (the network is written with them 0)", fn,
                       s);
        r->has_to = true;
    } else if (need_to) {
        luaL_error(L, "%s: a route needs to = \"network/length\"", fn);
    }
    lua_getfield(L, t, "via");
    if ((s = lua_tostring(L, -1))) {
        if (!ip4_parse_addr(s, &r->via))
            luaL_error(L, "%s: via: expected an address like \"10.0.1.254\", got %s", fn, s);
        r->has_via = true;
    }
    lua_getfield(L, t, "dev");
    if ((s = lua_tostring(L, -1))) {
        r->dev = node_find_iface(n, s);
        if (!r->dev) luaL_error(L, "%s: dev: %s has no interface %s", fn, n->name, s);
    }
    lua_pop(L, 3);
}

static struct netstack *check_ip_node(lua_State *L, struct node *n, const char *fn)
{
    struct netstack *st = node_stack(n);
    if (!st || n->kind == NODE_SWITCH || n->kind == NODE_HUB)
        luaL_error(L, "%s: %s is a %s and has no IP routing table", fn, n->name,
                   node_kind_name(n->kind));
    return st;
}

static void route_note(struct sim *sim, struct node *n, const char *what, const struct route_arg *r)
{
    if (!trace_on(sim, TRACE_OUTPUT)) return;
    char a[16], g[16];
    trace_note(sim, TRACE_OUTPUT, TK_STATE, n, NULL, 3, 0, "IPv4", what,
               "The scenario's script changed %s's routing table: %s/%u%s%s.", n->name,
               ip4_str(r->dst, a), r->plen, r->has_via ? " via " : "",
               r->has_via ? ip4_str(r->via, g) : "");
}

static int do_route_del(lua_State *L, struct node *n, struct netstack *st,
                        const struct route_arg *r)
{
    int removed = 0;
    for (uint32_t i = st->rt.n; i-- > 0;) {
        const struct route *rt = &st->rt.r[i];
        if (rt->kind != ROUTE_STATIC || rt->dst != r->dst || rt->plen != r->plen) continue;
        if (r->has_via && rt->gw != r->via) continue;
        if (r->dev && rt->ifc != r->dev) continue;
        struct route copy = *rt;
        route_del(&st->rt, copy.dst, copy.plen, copy.gw, copy.ifc);
        removed++;
    }
    if (removed) route_note(lua_run_of(L)->sim, n, "route removed", r);
    return removed;
}

static void do_route_add(lua_State *L, struct node *n, struct netstack *st,
                         const struct route_arg *r, const char *fn)
{
    char a[16];
    if (r->has_via) {
        if (stack_add_route(st, r->dst, r->plen, r->via, r->dev) != 0)
            luaL_error(L, "%s: next hop %s is not on any of %s's subnets", fn, ip4_str(r->via, a),
                       n->name);
    } else if (r->dev) {
        route_add(&st->rt, r->dst, r->plen, 0, r->dev, ROUTE_STATIC);
    } else {
        luaL_error(L, "%s: a route needs via = \"next hop\" or dev = \"interface\"", fn);
    }
    route_note(lua_run_of(L)->sim, n, "route added", r);
}

static int l_route_add(lua_State *L)
{
    struct node *n = lua_check_node(L, 1, "route_add()");
    struct netstack *st = check_ip_node(L, n, "route_add()");
    struct route_arg r;
    check_route(L, n, 2, "route_add()", true, &r);
    do_route_add(L, n, st, &r, "route_add()");
    return 0;
}

static int l_route_del(lua_State *L)
{
    struct node *n = lua_check_node(L, 1, "route_del()");
    struct netstack *st = check_ip_node(L, n, "route_del()");
    struct route_arg r;
    check_route(L, n, 2, "route_del()", true, &r);
    lua_pushinteger(L, do_route_del(L, n, st, &r));
    return 1;
}

/* route_replace(node, {to, via|dev}): the static routes to that network go,
 * this one comes (route_add alone would queue behind an existing one). */
static int l_route_replace(lua_State *L)
{
    struct node *n = lua_check_node(L, 1, "route_replace()");
    struct netstack *st = check_ip_node(L, n, "route_replace()");
    struct route_arg r, any;
    check_route(L, n, 2, "route_replace()", true, &r);
    any = r;
    any.has_via = false;
    any.dev = NULL;
    do_route_del(L, n, st, &any);
    do_route_add(L, n, st, &r, "route_replace()");
    return 0;
}

/* ---- state ---- */

static int l_interfaces(lua_State *L)
{
    struct node *n = lua_check_node(L, 1, "interfaces()");
    lua_createtable(L, (int)n->n_ifaces, 0);
    for (uint32_t i = 0; i < n->n_ifaces; i++) {
        const struct iface *f = n->ifaces[i];
        char m[18], a[16], buf[24];
        lua_createtable(L, 0, 6);
        set_str(L, "name", f->name);
        set_str(L, "mac", mac_str(f->mac, m));
        lua_createtable(L, f->n_addr, 0);
        for (int k = 0; k < f->n_addr; k++) {
            snprintf(buf, sizeof buf, "%s/%u", ip4_str(f->addr[k], a), f->plen[k]);
            lua_pushstring(L, buf);
            lua_rawseti(L, -2, k + 1);
        }
        lua_setfield(L, -2, "ip");
        lua_pushboolean(L, f->up && f->link && f->link->up);
        lua_setfield(L, -2, "up");
        if (f->link) {
            const struct link_dir *d = &f->link->dir[f->side];
            set_str(L, "peer", d->to->label);
        }
        set_int(L, "tx_frames", (lua_Integer)f->cnt.tx_frames);
        set_int(L, "rx_frames", (lua_Integer)f->cnt.rx_frames);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int l_arp(lua_State *L)
{
    struct node *n = lua_check_node(L, 1, "arp()");
    struct netstack *st = node_stack(n);
    lua_newtable(L);
    if (!st || n->kind == NODE_SWITCH || n->kind == NODE_HUB) return 1;
    sim_time now = sim_now(n->sim);
    lua_Integer k = 0;
    for (uint32_t i = 0; i < arp_count(st); i++) {
        const struct arp_entry *e = arp_entry_at(st, i);
        bool valid = e->state == ARP_REACHABLE && e->expires > now;
        if (!valid && e->state != ARP_INCOMPLETE) continue;
        char m[18];
        lua_createtable(L, 0, 4);
        push_ip(L, e->ip);
        lua_setfield(L, -2, "ip");
        if (valid) set_str(L, "mac", mac_str(e->mac, m));
        set_str(L, "iface", e->ifc->name);
        set_str(L, "state", valid ? "reachable" : "incomplete");
        lua_rawseti(L, -2, ++k);
    }
    return 1;
}

static int l_mac_table(lua_State *L)
{
    struct node *n = lua_check_node(L, 1, "mac_table()");
    struct netstack *st = node_stack(n);
    lua_newtable(L);
    if (!st || n->kind != NODE_SWITCH) return 1;
    sim_time now = sim_now(n->sim);
    lua_Integer k = 0;
    for (uint32_t i = 0; i < st->mac.n; i++) {
        const struct mac_entry *e = &st->mac.e[i];
        if (e->last_seen + st->mac.aging <= now) continue;
        char m[18];
        lua_createtable(L, 0, 3);
        set_str(L, "mac", mac_str(e->mac, m));
        set_str(L, "port", n->ifaces[e->port]->name);
        set_num(L, "age", secs(now - e->last_seen));
        lua_rawseti(L, -2, ++k);
    }
    return 1;
}

static int l_routes(lua_State *L)
{
    struct node *n = lua_check_node(L, 1, "routes()");
    struct netstack *st = node_stack(n);
    lua_newtable(L);
    if (!st || n->kind == NODE_SWITCH || n->kind == NODE_HUB) return 1;
    for (uint32_t i = 0; i < st->rt.n; i++) {
        const struct route *r = &st->rt.r[i];
        char a[16], buf[24];
        lua_createtable(L, 0, 4);
        snprintf(buf, sizeof buf, "%s/%u", ip4_str(r->dst, a), r->plen);
        set_str(L, "to", buf);
        if (r->gw) {
            push_ip(L, r->gw);
            lua_setfield(L, -2, "via");
        }
        set_str(L, "dev", r->ifc->name);
        set_str(L, "kind", r->kind == ROUTE_CONNECTED ? "connected" : "static");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static void set_endpoint(lua_State *L, const char *k, uint32_t a, uint16_t port)
{
    char ip[16], buf[24];
    snprintf(buf, sizeof buf, "%s:%u", ip4_str(a, ip), port);
    set_str(L, k, buf);
}

static int l_nat(lua_State *L)
{
    struct node *n = lua_check_node(L, 1, "nat()");
    struct netstack *st = node_stack(n);
    lua_newtable(L);
    if (!st || !st->nat) return 1;
    uint32_t g = nat_global_addr(st->nat);
    uint32_t cnt = nat_entries(st, NULL, 0);
    const struct nat_entry **e = malloc((cnt ? cnt : 1) * sizeof *e);
    if (!e) abort();
    nat_entries(st, e, cnt);
    for (uint32_t i = 0; i < cnt; i++) {
        lua_createtable(L, 0, 5);
        set_str(L, "proto", e[i]->proto == 6 ? "tcp" : e[i]->proto == 17 ? "udp" : "icmp");
        set_endpoint(L, "inside_local", e[i]->in_addr, e[i]->in_port);
        set_endpoint(L, "inside_global", g, e[i]->g_port);
        set_endpoint(L, "outside", e[i]->out_addr,
                     e[i]->proto == 1 ? e[i]->g_port : e[i]->out_port);
        set_int(L, "packets", (lua_Integer)e[i]->packets);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    free(e);
    return 1;
}

static int l_leases(lua_State *L)
{
    static const char *const words[] = {"free", "offered", "active", "free", "abandoned"};
    struct node *n = lua_check_node(L, 1, "leases()");
    struct netstack *st = node_stack(n);
    lua_newtable(L);
    if (!st || !st->dhcp) return 1;
    sim_time now = sim_now(n->sim);
    lua_Integer k = 0;
    for (uint32_t i = 0; i < dhcp_server_count(st); i++) {
        struct dhcp_server *s = dhcp_server_at(st, i);
        for (uint32_t a = 0; a < s->n; a++) {
            const struct dhcp_lease *l = dhcp_server_lease(s, s->conf.pool_lo + a, now);
            if (l->state == DL_FREE || l->state == DL_RELEASED) continue;
            char m[18];
            lua_createtable(L, 0, 5);
            push_ip(L, l->addr);
            lua_setfield(L, -2, "ip");
            if (l->has_client) set_str(L, "mac", mac_str(l->chaddr, m));
            set_str(L, "state", words[l->state]);
            if (l->expires != SIM_TIME_MAX) set_num(L, "expires", secs(l->expires));
            if (l->hostname[0]) set_str(L, "hostname", l->hostname);
            set_str(L, "iface", s->ifc->name);
            lua_rawseti(L, -2, ++k);
        }
    }
    return 1;
}

/* dhcp_clients(node): one entry per interface where dhclient runs (or
 * ran), with its state and, once bound, the lease it holds. */
static int l_dhcp_clients(lua_State *L)
{
    struct node *n = lua_check_node(L, 1, "dhcp_clients()");
    struct netstack *st = node_stack(n);
    lua_newtable(L);
    if (!st || !st->dhcp) return 1;
    lua_Integer k = 0;
    for (uint32_t i = 0; i < n->n_ifaces; i++) {
        const struct dhcp_client *c = dhcp_client_of(st, n->ifaces[i]);
        if (!c) continue;
        char state[16], a[16], buf[24];
        const char *name = dhcp_client_state_name(c->state);
        size_t j = 0;
        for (; name[j] && j + 1 < sizeof state; j++)
            state[j] = (char)(name[j] >= 'A' && name[j] <= 'Z' ? name[j] - 'A' + 'a' : name[j]);
        state[j] = 0;
        lua_createtable(L, 0, 10);
        set_str(L, "iface", n->ifaces[i]->name);
        set_str(L, "state", state);
        if (c->offered && c->state != DC_STOPPED) {
            push_ip(L, c->offered);
            lua_setfield(L, -2, "offered");
        }
        if (c->server_id) {
            push_ip(L, c->server_id);
            lua_setfield(L, -2, "server");
        }
        bool holds = c->state == DC_BOUND || c->state == DC_RENEWING || c->state == DC_REBINDING;
        if (holds && c->addr) {
            snprintf(buf, sizeof buf, "%s/%u", ip4_str(c->addr, a), c->plen);
            set_str(L, "ip", buf);
            if (c->router) {
                push_ip(L, c->router);
                lua_setfield(L, -2, "router");
            }
            lua_createtable(L, c->n_dns, 0);
            for (int d = 0; d < c->n_dns; d++) {
                push_ip(L, c->dns[d]);
                lua_rawseti(L, -2, d + 1);
            }
            lua_setfield(L, -2, "dns");
            set_int(L, "lease", c->lease_s);
            set_int(L, "t1", c->t1_s);
            set_int(L, "t2", c->t2_s);
            set_num(L, "bound_at", secs(c->bound_at));
            set_num(L, "expires", secs(c->bound_at) + (double)c->lease_s);
        }
        lua_rawseti(L, -2, ++k);
    }
    return 1;
}

/* resolvers(node): the DNS servers the node's stub resolver asks, in
 * order, and where each came from (the scenario's "dns", or DHCP). */
static int l_resolvers(lua_State *L)
{
    struct node *n = lua_check_node(L, 1, "resolvers()");
    struct netstack *st = node_stack(n);
    lua_newtable(L);
    if (!st) return 1;
    for (int i = 0; i < st->n_dns; i++) {
        bool dhcp = false;
        for (uint32_t f = 0; f < n->n_ifaces && st->dhcp && !dhcp; f++) {
            const struct dhcp_client *c = dhcp_client_of(st, n->ifaces[f]);
            for (int d = 0; c && d < c->n_dns; d++)
                dhcp = dhcp || c->dns[d] == st->dns[i];
        }
        lua_createtable(L, 0, 2);
        push_ip(L, st->dns[i]);
        lua_setfield(L, -2, "ip");
        set_str(L, "from", dhcp ? "dhcp" : "scenario");
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int l_sockets(lua_State *L)
{
    struct node *n = lua_check_node(L, 1, "sockets()");
    struct netstack *st = node_stack(n);
    lua_newtable(L);
    if (!st || !st->tcp) return 1;
    size_t cnt = tcp_sockets(st, NULL, 0);
    struct tcp_sock_info *si = calloc(cnt ? cnt : 1, sizeof *si);
    if (!si) abort();
    tcp_sockets(st, si, cnt);
    for (size_t i = 0; i < cnt; i++) {
        lua_createtable(L, 0, 8);
        set_str(L, "proto", "tcp");
        set_str(L, "state", tcp_state_ss_name(si[i].state));
        push_ip(L, si[i].laddr);
        lua_setfield(L, -2, "local_ip");
        set_int(L, "local_port", si[i].lport);
        push_ip(L, si[i].raddr);
        lua_setfield(L, -2, "remote_ip");
        set_int(L, "remote_port", si[i].rport);
        set_int(L, "recv_q", si[i].recv_q);
        set_int(L, "send_q", si[i].send_q);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    free(si);
    return 1;
}

/* mailboxes(node): one entry per user and folder of the node's mail store
 * (SMTP, POP3 and IMAP share it), each with its messages. */
static int l_mailboxes(lua_State *L)
{
    struct node *n = lua_check_node(L, 1, "mailboxes()");
    struct netstack *st = node_stack(n);
    lua_newtable(L);
    struct mail_store *ms =
        st && n->kind != NODE_SWITCH && n->kind != NODE_HUB ? mail_server_store(st) : NULL;
    if (!ms) return 1;
    lua_Integer k = 0;
    for (uint32_t u = 0; u < ms->n_users; u++) {
        const struct mail_user *mu = ms->users[u];
        for (uint32_t f = 0; f < mu->n_folders; f++) {
            const struct mail_folder *mf = mu->folders[f];
            lua_createtable(L, 0, 3);
            set_str(L, "user", mu->name);
            set_str(L, "folder", mf->name);
            lua_createtable(L, (int)mf->n, 0);
            for (uint32_t i = 0; i < mf->n; i++) {
                static const char *const hdrs[] = {"from", "to", "subject"};
                const struct mail_msg *m = &mf->msgs[i];
                char h[256];
                lua_createtable(L, 0, 8);
                set_int(L, "uid", m->uid);
                set_int(L, "size", (lua_Integer)m->len);
                for (int j = 0; j < 3; j++)
                    if (mail_header_get(m->data, m->len, hdrs[j], h, sizeof h))
                        set_str(L, hdrs[j], h);
                lua_pushboolean(L, (m->flags & MAIL_SEEN) != 0);
                lua_setfield(L, -2, "seen");
                lua_pushboolean(L, (m->flags & MAIL_DELETED) != 0);
                lua_setfield(L, -2, "deleted");
                lua_pushlstring(L, m->data, m->len);
                lua_setfield(L, -2, "text");
                lua_rawseti(L, -2, (lua_Integer)i + 1);
            }
            lua_setfield(L, -2, "messages");
            lua_rawseti(L, -2, ++k);
        }
    }
    return 1;
}

/* ---- packet hooks ---- */

struct lua_pending {
    struct lua_pending *next, *prev;
    struct lua_hook *hook;
    uint8_t *frame;
    uint32_t len;
    sim_time time;
    char from[NODE_NAME_MAX + IFACE_NAME_MAX + 2];
    char to[NODE_NAME_MAX + IFACE_NAME_MAX + 2];
};

static void hook_free(void *obj)
{
    struct lua_hook *h = obj;
    free(h->summary);
    free(h->on);
    free(h->protocol);
    free(h);
}

static bool hook_match(const struct lua_hook *h, const struct trace_step *st,
                       const struct dissection *d)
{
    if (h->protocol && strcasecmp(h->protocol, d->protocol) != 0) return false;
    if (h->on) {
        const struct iface *a = st->iface, *b = st->peer;
        bool hit = strcmp(a->label, h->on) == 0 || strcmp(a->node->name, h->on) == 0 ||
                   (b && (strcmp(b->label, h->on) == 0 || strcmp(b->node->name, h->on) == 0));
        if (!hit) return false;
    }
    if (!h->summary || strstr(d->info, h->summary)) return true;
    char both[256];
    snprintf(both, sizeof both, "%s %s", d->protocol, d->info);
    return strstr(both, h->summary) != NULL;
}

static void pending_unlink(struct lua_run *lr, struct lua_pending *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        lr->pending = p->next;
    if (p->next) p->next->prev = p->prev;
}

/* Pushes the packet table of a frame. */
static void push_packet(lua_State *L, const struct lua_pending *pd)
{
    struct dissection d;
    dissect_frame(pd->frame, pd->len, &d);
    lua_createtable(L, 0, 16);
    set_num(L, "time", secs(pd->time));
    set_str(L, "on", pd->from);
    set_str(L, "to", pd->to);
    set_int(L, "length", pd->len);
    set_str(L, "protocol", d.protocol);
    set_str(L, "src", d.src);
    set_str(L, "dst", d.dst);
    set_str(L, "info", d.info);
    lua_pushboolean(L, d.malformed);
    lua_setfield(L, -2, "malformed");
    lua_pushlstring(L, (const char *)pd->frame, pd->len);
    lua_setfield(L, -2, "bytes");
    /* the payload: the layer after UDP or TCP (empty when there is none) */
    const char *payload = "";
    size_t plen = 0;
    for (int i = 0; i + 1 < d.n_layers; i++) {
        if (strcmp(d.layers[i].abbrev, "udp") && strcmp(d.layers[i].abbrev, "tcp")) continue;
        const struct dis_layer *nx = &d.layers[i + 1];
        if (nx->off <= pd->len && nx->len <= pd->len - nx->off) {
            payload = (const char *)pd->frame + nx->off;
            plen = nx->len;
        }
    }
    lua_pushlstring(L, payload, plen);
    lua_setfield(L, -2, "payload");
    lua_createtable(L, d.n_layers, 0);
    for (int i = 0; i < d.n_layers; i++) {
        const struct dis_layer *ly = &d.layers[i];
        lua_createtable(L, 0, 4);
        set_str(L, "name", ly->name);
        set_str(L, "abbrev", ly->abbrev);
        set_int(L, "osi", ly->osi);
        lua_createtable(L, (int)ly->n_fields, 0);
        for (uint32_t f = 0; f < ly->n_fields; f++) {
            const struct dis_field *fd = &d.fields[ly->first_field + f];
            lua_createtable(L, 0, 4);
            set_str(L, "name", fd->name);
            set_str(L, "value", fd->value);
            set_int(L, "offset", fd->off);
            set_int(L, "length", fd->len);
            lua_rawseti(L, -2, (lua_Integer)f + 1);
        }
        lua_setfield(L, -2, "fields");
        lua_rawseti(L, -2, i + 1);
        /* p.ip["Time to Live"] == "64": the first field of each name */
        if (lua_getfield(L, -2, ly->abbrev) == LUA_TNIL) {
            lua_pop(L, 1);
            lua_newtable(L);
            lua_pushvalue(L, -1);
            lua_setfield(L, -4, ly->abbrev);
        }
        for (uint32_t f = 0; f < ly->n_fields; f++) {
            const struct dis_field *fd = &d.fields[ly->first_field + f];
            if (lua_getfield(L, -1, fd->name) == LUA_TNIL) {
                lua_pop(L, 1);
                lua_pushstring(L, fd->value);
                lua_setfield(L, -2, fd->name);
            } else {
                lua_pop(L, 1);
            }
        }
        lua_pop(L, 1);
    }
    lua_setfield(L, -2, "layers");
    dissect_free(&d);
}

static void pending_fire(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct lua_pending *pd = ctx;
    struct lua_run *lr = pd->hook->lr;
    pending_unlink(lr, pd);
    if (!lr->failed && !lr->closing) {
        lua_State *L = lr->box->L;
        lua_rawgeti(L, LUA_REGISTRYINDEX, pd->hook->ref);
        push_packet(L, pd);
        lua_run_call(lr, 1);
    }
    free(pd->frame);
    free(pd);
}

static void packet_sink(void *ctx, const struct trace_step *st)
{
    struct lua_run *lr = ctx;
    if (st->kind != TK_TRANSMIT || !st->frame || lr->failed || lr->closing) return;
    struct dissection d;
    dissect_summary(st->frame, st->frame_len, &d);
    for (int i = 0; i < lr->n_hooks; i++) {
        struct lua_hook *h = lr->hooks[i];
        if (!hook_match(h, st, &d)) continue;
        struct lua_pending *pd = calloc(1, sizeof *pd);
        if (!pd) abort();
        pd->hook = h;
        pd->frame = malloc(st->frame_len ? st->frame_len : 1);
        if (!pd->frame) abort();
        memcpy(pd->frame, st->frame, st->frame_len);
        pd->len = st->frame_len;
        pd->time = st->wire_time;
        snprintf(pd->from, sizeof pd->from, "%s", st->iface->label);
        snprintf(pd->to, sizeof pd->to, "%s", st->peer ? st->peer->label : "");
        pd->next = lr->pending;
        if (pd->next) pd->next->prev = pd;
        lr->pending = pd;
        sim_schedule(lr->sim, 0, pending_fire, pd, 0);
    }
}

/* on_packet([filter,] fn): filter is a summary substring or a table
 * {summary =, on =, protocol =}, as expect_packet's. */
static int l_on_packet(lua_State *L)
{
    struct lua_box *b = lua_box_of(L);
    int fn = 1;
    char *summary = NULL, *on = NULL, *protocol = NULL;
    if (lua_type(L, 1) == LUA_TSTRING) {
        fn = 2;
    } else if (lua_istable(L, 1)) {
        fn = 2;
        lua_Integer nk = box_sorted_keys(L, 1);
        for (lua_Integer i = 1; i <= nk; i++) {
            lua_rawgeti(L, -1, i);
            const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
            if (strcmp(k, "summary") && strcmp(k, "on") && strcmp(k, "protocol"))
                return luaL_error(L,
                                  "on_packet(): unknown filter key \"%s\" (summary, on, "
                                  "protocol)",
                                  k);
            lua_pushvalue(L, -1);
            lua_rawget(L, 1);
            if (lua_type(L, -1) != LUA_TSTRING)
                return luaL_error(L, "on_packet(): filter %s must be a string", k);
            lua_pop(L, 2);
        }
        lua_pop(L, 1);
    } else if (!lua_isfunction(L, 1)) {
        return luaL_error(L, "on_packet(): expected a filter or a function, got %s",
                          luaL_typename(L, 1));
    }
    if (!lua_isfunction(L, fn))
        return luaL_error(L, "on_packet(): expected a function after the filter, got %s",
                          luaL_typename(L, fn));
    if (!b->run) return 0;
    struct lua_run *lr = b->run;
    if (fn == 2 && lua_type(L, 1) == LUA_TSTRING) {
        summary = dup_s(lua_tostring(L, 1));
    } else if (fn == 2) {
        lua_getfield(L, 1, "summary");
        if (lua_isstring(L, -1)) summary = dup_s(lua_tostring(L, -1));
        lua_getfield(L, 1, "on");
        if (lua_isstring(L, -1)) on = dup_s(lua_tostring(L, -1));
        lua_getfield(L, 1, "protocol");
        if (lua_isstring(L, -1)) protocol = dup_s(lua_tostring(L, -1));
        lua_pop(L, 3);
    }
    struct lua_hook *h = calloc(1, sizeof *h);
    if (!h) abort();
    lua_run_adopt(lr, h, hook_free);
    *h = (struct lua_hook){lr, lua_keep_fn(L, fn, "on_packet()", false), summary, on, protocol};
    GROW(lr->hooks, lr->n_hooks, lr->cap_hooks);
    lr->hooks[lr->n_hooks++] = h;
    if (!lr->sink_on) {
        trace_subscribe(lr->sim, TRACE_FRAMES, packet_sink, lr);
        lr->sink_on = true;
    }
    return 0;
}

void lua_api_register(lua_State *L)
{
    static const luaL_Reg fns[] = {{"after", l_after},
                                   {"every", l_every},
                                   {"at_end", l_at_end},
                                   {"now", l_now},
                                   {"expect", l_expect},
                                   {"run", l_run},
                                   {"link_down", l_link_down},
                                   {"link_up", l_link_up},
                                   {"link_set", l_link_set},
                                   {"node_down", l_node_down},
                                   {"node_up", l_node_up},
                                   {"route_add", l_route_add},
                                   {"route_del", l_route_del},
                                   {"route_replace", l_route_replace},
                                   {"interfaces", l_interfaces},
                                   {"arp", l_arp},
                                   {"mac_table", l_mac_table},
                                   {"routes", l_routes},
                                   {"nat", l_nat},
                                   {"leases", l_leases},
                                   {"dhcp_clients", l_dhcp_clients},
                                   {"resolvers", l_resolvers},
                                   {"sockets", l_sockets},
                                   {"mailboxes", l_mailboxes},
                                   {"on_packet", l_on_packet},
                                   {NULL, NULL}};
    lua_pushglobaltable(L);
    luaL_setfuncs(L, fns, 0);
    lua_pop(L, 1);
}

/* ---- life cycle ---- */

struct lua_run *lua_run_start(const struct model *m, struct sim *sim, const struct lua_run_host *h,
                              struct model_error *err)
{
    struct lua_run *lr = calloc(1, sizeof *lr);
    if (!lr) abort();
    lr->sim = sim;
    lr->m = m;
    lr->host = *h;
    lr->box = lua_scenario_run_box(m, lr, h->has_seed, h->seed, err);
    if (!lr->box) {
        lr->closing = true;
        lua_run_free(lr);
        return NULL;
    }
    return lr;
}

void lua_run_finish(struct lua_run *lr)
{
    if (!lr || lr->finished) return;
    lr->finished = true;
    for (int i = 0; i < lr->n_procs && !lr->failed; i++)
        if (lr->procs[i]->p && !lr->procs[i]->done) shell_interrupt(lr->procs[i]->p);
    for (int i = 0; i < lr->n_at_end && !lr->failed; i++) {
        lua_rawgeti(lr->box->L, LUA_REGISTRYINDEX, lr->at_end[i]);
        lua_run_call(lr, 0);
    }
}

const char *lua_run_error(const struct lua_run *lr)
{
    return lr && lr->failed ? lr->error : "";
}

void lua_run_free(struct lua_run *lr)
{
    if (!lr) return;
    lr->closing = true;
    if (lr->sink_on) trace_unsubscribe(lr->sim, packet_sink, lr);
    box_free(lr->box); /* __gc finalizers see closing: no callback runs */
    for (struct lua_pending *p = lr->pending, *n; p; p = n) {
        n = p->next;
        free(p->frame);
        free(p);
    }
    for (int i = lr->n_own; i-- > 0;)
        lr->own[i].free_fn(lr->own[i].obj);
    free(lr->own);
    free(lr->procs);
    free(lr->at_end);
    free(lr->hooks);
    free(lr);
}
