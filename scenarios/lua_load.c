/* lua_load.c - a Lua scenario's build functions and its way into the model.
 *
 * host{...}, server{...}, switch{...}, hub{...}, router{...}, node{...},
 * link{...}, at{...} (a timeline entry), expect_packet{...} and
 * scenario{name=, description=, seed=, until=} take the tables the JSON
 * format has at those places. Each call turns its table into one line of
 * JSON at once (so later changes to the table do not count), remembering
 * the line of the call. lua_build_json then writes the whole scenario, one
 * entry per line, and the JSON loader checks and loads it with a map from
 * its lines to the script's: the same rules, defaults and messages as a
 * JSON file, naming the .lua file and the line of the call.
 *
 * Turning a table into JSON: a table whose keys are 1..n is a list, one
 * whose keys are strings an object (keys in byte order, "name" and "type"
 * first, so the text never depends on Lua's hash order); an empty table is
 * a list where the format has lists (interfaces, routes, dns, input,
 * inside, forwards, records) and an object elsewhere. Integers stay
 * integers, other numbers get 17 significant digits. Anything else (a
 * function, a table mixing list items and names, a zero byte in a string)
 * is an error at the call, with the entry's path as the JSON loader would
 * write it.
 *
 * The model keeps the script (struct lua_scenario) for the runner, which
 * runs it again (lua_api.c). */
#include "lua_priv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 24

struct lua_scenario {
    char *file;
    char *source;
    size_t source_len;
    char *json;
    size_t json_len;
    uint64_t max_instr, max_mem;
    bool has_seed;
    uint64_t seed;
};

/* ---- a growing buffer owned by a userdata, so a Lua error frees it ---- */

struct jbuf {
    char *s;
    size_t len, cap;
};

static int jbuf_gc(lua_State *L)
{
    struct jbuf *j = lua_touserdata(L, 1);
    free(j->s);
    j->s = NULL;
    return 0;
}

static struct jbuf *jbuf_push(lua_State *L)
{
    struct jbuf *j = lua_newuserdatauv(L, sizeof *j, 0);
    memset(j, 0, sizeof *j);
    if (luaL_newmetatable(L, "netstep.jbuf")) {
        lua_pushcfunction(L, jbuf_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return j;
}

static void jb_put(lua_State *L, struct jbuf *j, const char *s, size_t n)
{
    if (j->len + n + 1 > j->cap) {
        size_t cap = j->cap ? j->cap : 256;
        while (cap < j->len + n + 1)
            cap *= 2;
        if (cap > LUA_MAX_JSON_BYTES + 1024u)
            luaL_error(L, "the scenario would be larger than %d MiB of JSON",
                       (int)(LUA_MAX_JSON_BYTES >> 20));
        char *ns = realloc(j->s, cap);
        if (!ns) luaL_error(L, "not enough memory");
        j->s = ns;
        j->cap = cap;
    }
    memcpy(j->s + j->len, s, n);
    j->len += n;
    j->s[j->len] = '\0';
}

static void jb_str(lua_State *L, struct jbuf *j, const char *s)
{
    jb_put(L, j, s, strlen(s));
}

/* ---- Lua value -> JSON ---- */

struct jctx {
    lua_State *L;
    struct jbuf *j;
    const char *fn;   /* "host{...}" */
    char path[256];   /* "nodes[3].interfaces[0]" */
    const char *type; /* injected "type" of a node, or NULL */
};

static int jfail(struct jctx *c, const char *what)
{
    return luaL_error(c->L, "%s: %s%s%s", c->fn, c->path, c->path[0] ? ": " : "", what);
}

static bool list_key(const char *key)
{
    static const char *const keys[] = {"interfaces", "routes",   "dns",     "input",
                                       "inside",     "forwards", "records", NULL};
    for (int i = 0; key && keys[i]; i++)
        if (strcmp(key, keys[i]) == 0) return true;
    return false;
}

static void json_string(struct jctx *c, const char *s, size_t len)
{
    jb_put(c->L, c->j, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != '"' && ch != '\\') continue;
        jb_put(c->L, c->j, s + run, i - run);
        run = i + 1;
        char esc[8];
        if (ch == 0) jfail(c, "a string holds a zero byte, which a scenario cannot carry");
        if (ch == '"' || ch == '\\')
            snprintf(esc, sizeof esc, "\\%c", ch);
        else if (ch == '\n')
            snprintf(esc, sizeof esc, "\\n");
        else if (ch == '\t')
            snprintf(esc, sizeof esc, "\\t");
        else if (ch == '\r')
            snprintf(esc, sizeof esc, "\\r");
        else
            snprintf(esc, sizeof esc, "\\u%04x", ch);
        jb_str(c->L, c->j, esc);
    }
    jb_put(c->L, c->j, s + run, len - run);
    jb_put(c->L, c->j, "\"", 1);
}

static void json_value(struct jctx *c, int idx, int depth, const char *key);

/* Appends ".key" or "[i]" to the path; returns the old length. */
static size_t path_push(struct jctx *c, const char *key, lua_Integer index)
{
    size_t old = strlen(c->path);
    if (key)
        snprintf(c->path + old, sizeof c->path - old, "%s%s", old ? "." : "", key);
    else
        snprintf(c->path + old, sizeof c->path - old, "[%lld", (long long)index);
    if (!key) {
        size_t l = strlen(c->path);
        if (l + 1 < sizeof c->path) {
            c->path[l] = ']';
            c->path[l + 1] = '\0';
        }
    }
    return old;
}

static void json_member(struct jctx *c, int t, int key_idx, bool *first, int depth)
{
    lua_State *L = c->L;
    size_t klen;
    const char *k = lua_tolstring(L, key_idx, &klen);
    if (!*first) jb_str(L, c->j, ", ");
    *first = false;
    json_string(c, k, klen);
    jb_str(L, c->j, ": ");
    size_t old = path_push(c, k, 0);
    lua_pushvalue(L, key_idx);
    lua_rawget(L, t);
    json_value(c, -1, depth + 1, k);
    lua_pop(L, 1);
    c->path[old] = '\0';
}

static void json_table(struct jctx *c, int t, int depth, const char *key)
{
    lua_State *L = c->L;
    if (depth > JSON_MAX_DEPTH) jfail(c, "tables nested too deeply for a scenario");
    luaL_checkstack(L, 8, "scenario entry");
    lua_Integer count = 0, max_int = 0;
    bool has_str = false, has_other = false;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        count++;
        if (lua_type(L, -1) == LUA_TSTRING)
            has_str = true;
        else if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1)
            max_int = lua_tointeger(L, -1) > max_int ? lua_tointeger(L, -1) : max_int;
        else
            has_other = true;
    }
    box_charge(L, (uint64_t)count);
    if (has_other) jfail(c, "keys must be names (name = ...) or list positions 1, 2, 3 ...");
    if (has_str && max_int)
        jfail(c, "this table mixes list items and named keys; a scenario entry is one or the "
                 "other");
    bool inject = depth == 0 && c->type;
    if (count == 0 && !inject) {
        jb_str(L, c->j, list_key(key) ? "[]" : "{}");
        return;
    }
    if (!has_str && !inject) {
        if (max_int != count)
            jfail(c, "a list must be numbered 1, 2, 3 ... without gaps (a nil in the middle?)");
        jb_str(L, c->j, "[");
        for (lua_Integer i = 1; i <= count; i++) {
            if (i > 1) jb_str(L, c->j, ", ");
            size_t old = path_push(c, NULL, i - 1);
            lua_rawgeti(L, t, i);
            json_value(c, -1, depth + 1, NULL);
            lua_pop(L, 1);
            c->path[old] = '\0';
        }
        jb_str(L, c->j, "]");
        return;
    }
    if (max_int) jfail(c, "expected named keys (name = ...), got a list");
    jb_str(L, c->j, "{");
    bool first = true;
    static const char *const lead[] = {"name", "type", NULL};
    for (int i = 0; lead[i]; i++) {
        lua_pushstring(L, lead[i]);
        if (lua_rawget(L, t) != LUA_TNIL) {
            lua_pop(L, 1);
            lua_pushstring(L, lead[i]);
            json_member(c, t, lua_gettop(L), &first, depth);
            lua_pop(L, 1);
        } else {
            lua_pop(L, 1);
            if (inject && strcmp(lead[i], "type") == 0) {
                if (!first) jb_str(L, c->j, ", ");
                first = false;
                jb_str(L, c->j, "\"type\": ");
                json_string(c, c->type, strlen(c->type));
            }
        }
    }
    lua_Integer n = box_sorted_keys(L, t);
    int keys = lua_gettop(L);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, keys, i);
        const char *k = lua_tostring(L, -1);
        if (strcmp(k, "name") != 0 && strcmp(k, "type") != 0)
            json_member(c, t, lua_gettop(L), &first, depth);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    jb_str(L, c->j, "}");
}

static void json_value(struct jctx *c, int idx, int depth, const char *key)
{
    lua_State *L = c->L;
    idx = lua_absindex(L, idx);
    char num[64];
    switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        json_string(c, s, len);
        break;
    }
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            snprintf(num, sizeof num, "%lld", (long long)lua_tointeger(L, idx));
        } else {
            double d = lua_tonumber(L, idx);
            if (!isfinite(d)) jfail(c, "not a finite number");
            snprintf(num, sizeof num, "%.17g", d);
        }
        jb_str(L, c->j, num);
        break;
    case LUA_TBOOLEAN:
        jb_str(L, c->j, lua_toboolean(L, idx) ? "true" : "false");
        break;
    case LUA_TTABLE:
        json_table(c, idx, depth, key);
        break;
    default: {
        char what[96];
        snprintf(what, sizeof what, "a %s cannot be part of a scenario entry",
                 luaL_typename(L, idx));
        jfail(c, what);
    }
    }
}

/* The JSON of the value at idx, as a C string the caller frees. */
static char *to_json(lua_State *L, int idx, const char *fn, const char *path, const char *type)
{
    idx = lua_absindex(L, idx);
    struct jctx c = {.L = L, .fn = fn, .type = type};
    snprintf(c.path, sizeof c.path, "%s", path);
    c.j = jbuf_push(L);
    json_value(&c, idx, 0, NULL);
    char *s = strdup(c.j->s ? c.j->s : "null");
    if (!s) abort();
    lua_pop(L, 1);
    return s;
}

/* ---- the build functions ---- */

static void build_time_only(lua_State *L, const char *fn)
{
    if (lua_box_of(L)->top_done)
        luaL_error(L,
                   "%s builds the network: call it at the top level of the script, not from a "
                   "callback",
                   fn);
}

static void section_add(struct lua_section *s, char *json, int line)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->e = realloc(s->e, (size_t)s->cap * sizeof *s->e);
        if (!s->e) abort();
    }
    s->e[s->n++] = (struct lua_entry){json, line};
}

static int build_entry(lua_State *L, struct lua_section *s, const char *fn, const char *section,
                       const char *type)
{
    build_time_only(L, fn);
    if (lua_gettop(L) != 1 || !lua_istable(L, 1))
        return luaL_error(L, "%s takes one table, in braces: %s", fn, fn);
    char path[64];
    snprintf(path, sizeof path, "%s[%d]", section, s->n);
    if (type) {
        lua_getfield(L, 1, "type");
        if (!lua_isnil(L, -1) &&
            (lua_type(L, -1) != LUA_TSTRING || strcmp(lua_tostring(L, -1), type) != 0))
            return luaL_error(L,
                              "%s: %s.type: %s{...} makes a %s; leave \"type\" out (or use "
                              "node{type = ...})",
                              fn, path, type, type);
        lua_pop(L, 1);
    }
    int line = box_caller_line(L);
    char *json = to_json(L, 1, fn, path, type);
    section_add(s, json, line);
    lua_getfield(L, 1, "name");
    return 1; /* the node's name, for link{} and run() */
}

static int l_host(lua_State *L)
{
    return build_entry(L, &lua_box_of(L)->nodes, "host{...}", "nodes", "host");
}
static int l_server(lua_State *L)
{
    return build_entry(L, &lua_box_of(L)->nodes, "server{...}", "nodes", "server");
}
static int l_switch(lua_State *L)
{
    return build_entry(L, &lua_box_of(L)->nodes, "switch{...}", "nodes", "switch");
}
static int l_hub(lua_State *L)
{
    return build_entry(L, &lua_box_of(L)->nodes, "hub{...}", "nodes", "hub");
}
static int l_router(lua_State *L)
{
    return build_entry(L, &lua_box_of(L)->nodes, "router{...}", "nodes", "router");
}
static int l_node(lua_State *L)
{
    return build_entry(L, &lua_box_of(L)->nodes, "node{...}", "nodes", NULL);
}
static int l_link(lua_State *L)
{
    build_entry(L, &lua_box_of(L)->links, "link{...}", "links", NULL);
    return 0;
}
static int l_expect_packet(lua_State *L)
{
    build_entry(L, &lua_box_of(L)->pexpects, "expect_packet{...}", "expect_packets", NULL);
    return 0;
}

/* at{at=, node=, run=, ...}: a timeline entry; at(time, fn): a callback. */
static int l_at(lua_State *L)
{
    if (lua_gettop(L) == 1 && lua_istable(L, 1)) {
        build_entry(L, &lua_box_of(L)->timeline, "at{...}", "timeline", NULL);
        return 0;
    }
    return lua_api_at(L);
}

static int l_scenario(lua_State *L)
{
    static const char *const keys[LT_COUNT] = {"name", "description", "seed", "until", "pki"};
    struct lua_box *b = lua_box_of(L);
    build_time_only(L, "scenario{...}");
    luaL_checktype(L, 1, LUA_TTABLE);
    int line = box_caller_line(L);
    lua_Integer n = box_sorted_keys(L, 1);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        const char *k = lua_tostring(L, -1);
        int which = -1;
        for (int t = 0; k && t < LT_SCENARIO_KEYS; t++)
            if (strcmp(k, keys[t]) == 0) which = t;
        if (k && strcmp(k, "duration") == 0) which = LT_UNTIL;
        if (which < 0) {
            char shown[48];
            snprintf(shown, sizeof shown, "%s", k ? k : luaL_typename(L, -1));
            return luaL_error(L,
                              "scenario{...}: unknown key \"%s\" (it takes name, description, "
                              "seed and duration, or [\"until\"] as in JSON)",
                              shown);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_getfield(L, 1, "until");
    lua_getfield(L, 1, "duration");
    if (!lua_isnil(L, -1) && !lua_isnil(L, -2))
        return luaL_error(L, "scenario{...}: give duration or [\"until\"], not both");
    bool duration = !lua_isnil(L, -1);
    lua_pop(L, 2);
    for (int t = 0; t < LT_SCENARIO_KEYS; t++) {
        lua_getfield(L, 1, t == LT_UNTIL && duration ? "duration" : keys[t]);
        if (!lua_isnil(L, -1)) {
            char *json = to_json(L, -1, "scenario{...}", keys[t], NULL);
            free(b->top[t].json);
            b->top[t] = (struct lua_entry){json, line};
            if (t == LT_SEED && lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 0) {
                b->has_declared_seed = true;
                b->declared_seed = (uint64_t)lua_tointeger(L, -1);
            }
        }
        lua_pop(L, 1);
    }
    return 0;
}

/* pki{ca = {...}, signs = {...}, trusted_by = {...}}: the scenario's
 * certificate authority, as JSON's top-level "pki". */
static int l_pki(lua_State *L)
{
    struct lua_box *b = lua_box_of(L);
    build_time_only(L, "pki{...}");
    if (lua_gettop(L) != 1 || !lua_istable(L, 1))
        return luaL_error(L, "pki{...} takes one table, in braces: pki{ca = {name = \"...\"}, "
                             "signs = {...}}");
    if (b->top[LT_PKI].json)
        return luaL_error(L, "pki{...} is given twice (first on line %d): a scenario has one CA",
                          b->top[LT_PKI].line);
    int line = box_caller_line(L);
    b->top[LT_PKI] = (struct lua_entry){to_json(L, 1, "pki{...}", "pki", NULL), line};
    return 0;
}

sim_time lua_check_time(lua_State *L, int idx, const char *fn)
{
    sim_time t = 0; /* luaL_error does not return, but clang cannot tell */
    if (lua_type(L, idx) == LUA_TNUMBER) {
        double s = lua_tonumber(L, idx);
        if (!isfinite(s) || s < 0 || s > 9e9)
            luaL_error(L, "%s: expected a time like \"2s\" or a number of seconds, got %f", fn, s);
        return (sim_time)llround(s * (double)SIM_S);
    }
    const char *s = lua_tostring(L, idx);
    if (!s || !sim_time_parse(s, &t))
        luaL_error(L, "%s: expected a time like \"1.5s\", \"250ms\" or a number of seconds, got %s",
                   fn, s ? s : luaL_typename(L, idx));
    return t;
}

void lua_build_register(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"host", l_host},         {"server", l_server}, {"switch", l_switch},
        {"hub", l_hub},           {"router", l_router}, {"node", l_node},
        {"link", l_link},         {"at", l_at},         {"expect_packet", l_expect_packet},
        {"scenario", l_scenario}, {"pki", l_pki},       {NULL, NULL}};
    lua_pushglobaltable(L);
    luaL_setfuncs(L, fns, 0);
    lua_pop(L, 1);
}

/* ---- the whole scenario as JSON ---- */

struct jtext {
    char *s;
    size_t len, cap;
    int *map;
    int n_lines, cap_lines;
};

static void jt_put(struct jtext *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        t->s = realloc(t->s, cap);
        if (!t->s) abort();
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n + 1);
    t->len += n;
}

/* Starts a new JSON line that came from Lua line `line`. */
static void jt_line(struct jtext *t, int line)
{
    if (t->n_lines) jt_put(t, "\n");
    if (t->n_lines == t->cap_lines) {
        t->cap_lines = t->cap_lines ? t->cap_lines * 2 : 64;
        t->map = realloc(t->map, (size_t)t->cap_lines * sizeof *t->map);
        if (!t->map) abort();
    }
    t->map[t->n_lines++] = line > 0 ? line : 1;
}

static void jt_section(struct jtext *t, const char *key, const struct lua_section *s, bool more)
{
    char head[64];
    jt_line(t, s->n ? s->e[0].line : 1);
    snprintf(head, sizeof head, " \"%s\": [", key);
    jt_put(t, head);
    if (!s->n) {
        jt_put(t, more ? "]," : "]");
        return;
    }
    for (int i = 0; i < s->n; i++) {
        jt_line(t, s->e[i].line);
        jt_put(t, "  ");
        jt_put(t, s->e[i].json);
        if (i + 1 < s->n) jt_put(t, ",");
    }
    jt_line(t, s->e[s->n - 1].line);
    jt_put(t, more ? " ]," : " ]");
}

bool lua_build_json(struct lua_box *b, char **json, size_t *len, int **map, int *n_lines,
                    struct model_error *err)
{
    static const char *const keys[LT_COUNT] = {"name", "description", "seed", "until", "pki"};
    if (b->nodes.n == 0) {
        snprintf(err->text, sizeof err->text,
                 "%s: the scenario has no nodes: build them with host{...}, server{...}, "
                 "switch{...}, hub{...} or router{...}",
                 b->file);
        return false;
    }
    struct jtext t = {0};
    jt_line(&t, 1);
    jt_put(&t, "{\"netstep\": 1,");
    for (int k = 0; k < LT_COUNT; k++) {
        if (!b->top[k].json) continue;
        jt_line(&t, b->top[k].line);
        jt_put(&t, " \"");
        jt_put(&t, keys[k]);
        jt_put(&t, "\": ");
        jt_put(&t, b->top[k].json);
        jt_put(&t, ",");
    }
    const struct lua_section *rest[] = {&b->links, &b->timeline, &b->pexpects};
    const char *names[] = {"links", "timeline", "expect_packets"};
    int last = -1;
    for (int i = 0; i < 3; i++)
        if (rest[i]->n) last = i;
    jt_section(&t, "nodes", &b->nodes, last >= 0);
    for (int i = 0; i < 3; i++)
        if (rest[i]->n) jt_section(&t, names[i], rest[i], i < last);
    jt_line(&t, t.map[t.n_lines - 1]);
    jt_put(&t, "}\n");
    if (t.len > LUA_MAX_JSON_BYTES) {
        snprintf(err->text, sizeof err->text,
                 "%s: the scenario is too large (more than %u MiB as JSON)", b->file,
                 LUA_MAX_JSON_BYTES >> 20);
        free(t.s);
        free(t.map);
        return false;
    }
    *json = t.s;
    *len = t.len;
    *map = t.map;
    *n_lines = t.n_lines;
    return true;
}

/* ---- loading ---- */

static char *dup_mem(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d) abort();
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* Runs the top level of the script in a new box. Returns the box (NULL and
 * err filled on failure). */
static struct lua_box *run_top(const char *file, const char *text, size_t len, uint64_t max_instr,
                               uint64_t max_mem, bool has_seed, uint64_t seed, struct lua_run *run,
                               struct model_error *err)
{
    struct lua_box *b = box_new(file, max_instr, max_mem);
    if (!b) {
        snprintf(err->text, sizeof err->text, "%s: cannot start Lua (out of memory)", file);
        return NULL;
    }
    b->has_seed_override = has_seed;
    b->seed_override = seed;
    b->run = run;
    if (!box_load(b, text, len, err->text, sizeof err->text) ||
        !box_call(b, 0, err->text, sizeof err->text)) {
        box_free(b);
        return NULL;
    }
    b->top_done = true;
    return b;
}

struct model *lua_scenario_load_text(const char *file_label, const char *text, size_t len,
                                     const struct model_load_opts *o, struct model_error *err)
{
    const char *file = file_label ? file_label : "(scenario).lua";
    struct model_load_opts def = {0};
    if (!o) o = &def;
    err->text[0] = '\0';
    if (len > LUA_MAX_SOURCE_BYTES) {
        snprintf(err->text, sizeof err->text, "%s: too large for a scenario (more than %u MiB)",
                 file, LUA_MAX_SOURCE_BYTES >> 20);
        return NULL;
    }
    struct lua_box *b = run_top(file, text ? text : "", text ? len : 0, o->lua_instructions,
                                o->lua_memory, o->has_seed, o->seed, NULL, err);
    if (!b) return NULL;
    char *json;
    size_t jlen;
    int *map, n_lines;
    bool ok = lua_build_json(b, &json, &jlen, &map, &n_lines, err);
    box_free(b);
    if (!ok) return NULL;
    struct model *m = model_load_json_text_mapped(file, json, jlen, map, n_lines, err);
    free(map);
    if (!m) {
        free(json);
        return NULL;
    }
    struct lua_scenario *ls = calloc(1, sizeof *ls);
    if (!ls) abort();
    ls->file = dup_mem(file, strlen(file));
    ls->source = dup_mem(text ? text : "", text ? len : 0);
    ls->source_len = text ? len : 0;
    ls->json = json;
    ls->json_len = jlen;
    ls->max_instr = o->lua_instructions;
    ls->max_mem = o->lua_memory;
    ls->has_seed = o->has_seed;
    ls->seed = o->seed;
    m->lua = ls;
    return m;
}

struct model *lua_scenario_load(const char *path, const struct model_load_opts *o,
                                struct model_error *err)
{
    err->text[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err->text, sizeof err->text, "%s: cannot read: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    if (!buf) abort();
    for (;;) {
        if (len == cap) {
            if (cap > LUA_MAX_SOURCE_BYTES) break;
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf) abort();
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    bool bad = ferror(f);
    int e = errno;
    fclose(f);
    if (bad) {
        snprintf(err->text, sizeof err->text, "%s: cannot read: %s", path, strerror(e ? e : EIO));
        free(buf);
        return NULL;
    }
    struct model *m = lua_scenario_load_text(path, buf, len, o, err);
    free(buf);
    return m;
}

void lua_scenario_free(struct lua_scenario *ls)
{
    if (!ls) return;
    free(ls->file);
    free(ls->source);
    free(ls->json);
    free(ls);
}

const char *lua_scenario_json(const struct lua_scenario *ls)
{
    return ls ? ls->json : NULL;
}

/* ---- the run's box (lua_api.c) ---- */

struct lua_box *lua_scenario_run_box(const struct model *m, struct lua_run *run, bool has_seed,
                                     uint64_t seed, struct model_error *err)
{
    const struct lua_scenario *ls = m->lua;
    bool hs = has_seed || ls->has_seed;
    uint64_t sd = has_seed ? seed : ls->seed;
    struct lua_box *b =
        run_top(ls->file, ls->source, ls->source_len, ls->max_instr, ls->max_mem, hs, sd, run, err);
    if (!b) return NULL;
    char *json;
    size_t jlen;
    int *map, n_lines;
    if (!lua_build_json(b, &json, &jlen, &map, &n_lines, err)) {
        box_free(b);
        return NULL;
    }
    bool same = jlen == ls->json_len && memcmp(json, ls->json, jlen) == 0;
    free(json);
    free(map);
    if (!same) {
        snprintf(err->text, sizeof err->text,
                 "%s: the script built a different network when it ran than when it was loaded "
                 "(does the network depend on math.random with another --seed?)",
                 ls->file);
        box_free(b);
        return NULL;
    }
    return b;
}
