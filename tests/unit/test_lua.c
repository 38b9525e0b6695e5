/* test_lua.c - Lua scenarios (scenarios/lua_*.c), function by function.
 *
 * Loading: every build function gives the model the JSON entry would, with
 * the Lua line; errors from the JSON rules, from turning tables into JSON
 * and from Lua itself name the file and line; empty tables, key order,
 * tostring, pairs, next and math.random are deterministic; --seed reaches
 * math.random. The sandbox: what is missing, what is replaced, the budget
 * and the memory cap. The pattern functions (lua_match.c) against Lua's
 * documented results. Running: at, after, every (and cancel), at_end,
 * now, print, run (callback, input, expect, the process handle),
 * link_down/up/set, node_down/up, route_add/del/replace, the state readers
 * (interfaces, arp, mac_table, routes, nat, leases, sockets, mailboxes),
 * on_packet
 * with its filters and fields, expect with its level, UDP and TCP sockets,
 * errors during the run (exit 2, the message), a replay giving the same
 * output, and a script whose network depends on --seed. */
#include "check.h"
#include "scenarios/lua_scenario.h"
#include "scenarios/runner.h"

#include <stdlib.h>
#include <string.h>

/* Two hosts on a cable, the start of most scripts here. */
#define PAIR                                                                                       \
    "host{name = 'h1', interfaces = {{name = 'eth0', ip = '10.0.0.1/24'}}}\n"                      \
    "host{name = 'h2', interfaces = {{name = 'eth0', ip = '10.0.0.2/24'}}}\n"                      \
    "link{a = 'h1:eth0', b = 'h2:eth0'}\n"

static struct model *load_opts(const char *lua, const struct model_load_opts *o,
                               struct model_error *err)
{
    return lua_scenario_load_text("t.lua", lua, strlen(lua), o, err);
}

static struct model *load(const char *lua)
{
    struct model_error err = {{0}};
    struct model *m = load_opts(lua, NULL, &err);
    if (!m) fprintf(stderr, "load: %s\n", err.text);
    return m;
}

/* The load error of a script (static buffer), or "(loaded)". */
static const char *load_error(const char *lua)
{
    static struct model_error err;
    struct model *m = load_opts(lua, NULL, &err);
    if (m) {
        model_free(m);
        return "(loaded)";
    }
    return err.text;
}

static bool has(const char *text, const char *part)
{
    bool ok = text && strstr(text, part) != NULL;
    if (!ok) fprintf(stderr, "  missing \"%s\" in:\n%s\n", part, text ? text : "(null)");
    return ok;
}

static char *slurp(FILE *f)
{
    fflush(f);
    long n = ftell(f);
    char *s = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
    if (!s) abort();
    rewind(f);
    if (n > 0 && fread(s, 1, (size_t)n, f) != (size_t)n) s[0] = 0;
    return s;
}

/* Loads and runs a script; returns the exit code, the output in *text and
 * why it failed (runner_error, or the start error) in *why. */
static int run_lua_opts(const char *lua, struct run_opts *o, char **text, char *why, size_t n)
{
    struct model *m = load(lua);
    *text = NULL;
    if (why) why[0] = 0;
    if (!m) return -1;
    FILE *f = tmpfile();
    o->out = f;
    struct model_error err = {{0}};
    struct runner *r = runner_new(m, o, &err);
    int code = 2;
    if (r) {
        runner_run(r);
        code = runner_finish(r);
        if (why) snprintf(why, n, "%s", runner_error(r));
        runner_free(r);
    } else if (why) {
        snprintf(why, n, "%s", err.text);
    }
    *text = slurp(f);
    fclose(f);
    model_free(m);
    return code;
}

static int run_lua(const char *lua, char **text)
{
    struct run_opts o;
    run_opts_default(&o);
    char why[1024];
    int code = run_lua_opts(lua, &o, text, why, sizeof why);
    if (code == 2) fprintf(stderr, "  run failed: %s\n", why);
    return code;
}

/* ---- loading ---- */

static void test_build_functions(void)
{
    struct model *m = load("scenario{name = 'Lab', description = 'd', seed = 9, duration = '7s'}\n"
                           "host{name = 'h1', interfaces = {{name = 'eth0', ip = '10.0.0.1/24'}},\n"
                           "     gateway = '10.0.0.254'}\n"
                           "server{name = 'srv', interfaces = {{name = 'eth0', ip = "
                           "'10.0.0.2/24'}}}\n"
                           "local sw = switch{name = 'sw1', ports = 4}\n"
                           "hub{name = 'hub1', ports = 3}\n"
                           "router{name = 'r1', interfaces = {{name = 'eth0', ip = "
                           "'10.0.0.254/24'}},\n"
                           "       routes = {}}\n"
                           "node{name = 'h3', type = 'host', interfaces = {{name = 'eth0', ip = "
                           "'dhcp'}}}\n"
                           "link{a = 'h1:eth0', b = sw .. ':1', delay = '1ms', loss = 0.25}\n"
                           "link{a = 'srv:eth0', b = 'sw1:2'}\n"
                           "at{at = '1s', node = 'h1', run = 'ping -c 1 10.0.0.2', input = {},\n"
                           "   expect = {contains = '1 received', exit = 0}}\n"
                           "expect_packet{summary = 'Who has', min = 1, max = 3}\n");
    CHECK(m != NULL);
    if (!m) return;
    CHECK_STR(m->file, "t.lua");
    CHECK_STR(m->name, "Lab");
    CHECK_STR(m->description, "d");
    CHECK_EQ(m->seed, 9);
    CHECK_EQ(m->until, 7 * SIM_S);
    CHECK_EQ(m->n_nodes, 6);
    CHECK_EQ(m->nodes[0].kind, NODE_HOST);
    CHECK_EQ(m->nodes[1].kind, NODE_SERVER);
    CHECK_EQ(m->nodes[2].kind, NODE_SWITCH);
    CHECK_EQ(m->nodes[3].kind, NODE_HUB);
    CHECK_EQ(m->nodes[4].kind, NODE_ROUTER);
    CHECK_EQ(m->nodes[5].kind, NODE_HOST);
    CHECK(m->nodes[5].ifaces[0].dhcp);
    CHECK_EQ(m->nodes[0].line, 2);
    CHECK_EQ(m->nodes[0].ifaces[0].line, 2);
    CHECK_EQ(m->nodes[4].line, 7);
    CHECK_EQ(m->nodes[4].n_routes, 0);
    CHECK_EQ(m->n_links, 2);
    CHECK_STR(m->links[0].b_node, "sw1");
    CHECK_EQ(m->links[0].p.delay, SIM_MS);
    CHECK(m->links[0].p.loss == 0.25);
    CHECK_EQ(m->links[0].line, 10);
    CHECK_EQ(m->n_events, 1);
    CHECK_EQ(m->events[0].at, SIM_S);
    CHECK_EQ(m->events[0].line, 12);
    CHECK(m->events[0].has_expect && m->events[0].expect.has_exit);
    CHECK_EQ(m->n_pexpects, 1);
    CHECK_EQ(m->pexpects[0].max, 3);
    CHECK_EQ(m->pexpects[0].line, 14);
    const char *json = lua_scenario_json(m->lua);
    CHECK(has(json, "{\"netstep\": 1,\n \"name\": \"Lab\","));
    CHECK(has(json, "  {\"name\": \"h1\", \"type\": \"host\", \"gateway\": \"10.0.0.254\", "
                    "\"interfaces\": [{\"name\": \"eth0\", \"ip\": \"10.0.0.1/24\"}]},"));
    CHECK(has(json, "\"routes\": []"));
    CHECK(has(json, "\"input\": []"));
    CHECK(has(json, "\"loss\": 0.25"));
    model_free(m);

    /* the JSON format's own spelling of "until" works too */
    m = load("scenario{['until'] = 3}\n" PAIR);
    CHECK(m && m->until == 3 * SIM_S);
    model_free(m);
    /* a JSON scenario has no Lua part */
    CHECK(lua_scenario_json(NULL) == NULL);
}

static void test_load_errors(void)
{
    CHECK(has(load_error(PAIR "host{name = 'h3', interfaces = {{name = 'eth0', ip = "
                              "'10.0.0.1/33'}}}\n"),
              "t.lua:4: nodes[2].interfaces[0].ip: "));
    CHECK(has(load_error(PAIR "\n\nlink{a = 'h1:eth0', b = 'h9:eth0'}\n"),
              "t.lua:6: links[1].b: there is no node named \"h9\""));
    CHECK(has(load_error(PAIR "at{at = '1s', node = 'h1'}\n"), "t.lua:4: timeline[0]"));
    CHECK(has(load_error(PAIR "expect_packet{min = 1}\n"), "t.lua:4: expect_packets[0]"));
    CHECK(has(load_error("host{name = 'x', type = 'router'}\n"),
              "t.lua:1: host{...}: nodes[0].type: host{...} makes a host"));
    CHECK(has(load_error("host('pc1')\n"), "t.lua:1: host{...} takes one table"));
    CHECK(has(load_error("-- nothing\n"), "t.lua: the scenario has no nodes"));
    CHECK(has(load_error("host{name = 'a', interfaces = {{name = 'eth0'}, [3] = {}}}\n"),
              "nodes[0].interfaces: a list must be numbered 1, 2, 3"));
    CHECK(has(load_error("host{name = 'a', [true] = 1}\n"), "keys must be names"));
    CHECK(has(load_error("host{name = 'a\\0b'}\n"), "a string holds a zero byte"));
    CHECK(has(load_error("host{name = 'a', position = {x = 0/0, y = 1}}\n"),
              "nodes[0].position.x: not a finite number"));
    CHECK(has(load_error("scenario{speed = 2}\n" PAIR), "t.lua:1: scenario{...}: unknown key"));
    CHECK(has(load_error("scenario{duration = 1, ['until'] = 2}\n" PAIR), "not both"));
    CHECK(has(load_error(PAIR "scenario{duration = 0}\n"), "t.lua:4: until: must be longer"));
    CHECK(has(load_error(PAIR "local x = = 1\n"), "t.lua:4: unexpected symbol near '='"));
    CHECK(has(load_error(PAIR "error('stop here')\n"), "t.lua:4: stop here"));
    CHECK(has(load_error(PAIR "error({})\n"), "t.lua:4: (error object is a table value)"));
    CHECK(has(load_error(PAIR "local function f() error('deep') end\nlocal function g() f() "
                              "end\ng()\n"),
              "stack traceback (innermost first):\n    t.lua:4: in "));
    CHECK(has(load_error(PAIR "at('-1s', function() end)\n"), "at(): expected a time"));
    CHECK(has(load_error(PAIR "at('1s', 5)\n"), "at(): expected a function to call"));
    CHECK(has(load_error(PAIR "every(0, function() end)\n"), "period must be longer than 0s"));
    CHECK(has(load_error(PAIR "on_packet({colour = 'red'}, print)\n"), "unknown filter key"));
    CHECK(has(load_error(PAIR "arp('h1')\n"), "t.lua:4: arp() acts on the running network"));
    CHECK(has(load_error(PAIR "udp_open('h1', 7)\n"), "udp_open() acts on the running network"));
    /* a binary file is not a script */
    struct model_error err;
    CHECK(load_opts("\033Lua\x54", NULL, &err) == NULL);
    CHECK(has(err.text, "t.lua"));
}

static void test_determinism(void)
{
    /* pairs: numbers, then strings (byte order), then booleans */
    struct model *m = load(PAIR "local t = {b = 1, a = 2, [10] = 3, [2] = 4, [true] = 5, "
                                "Z = 6}\n"
                                "local order = {}\n"
                                "for k in pairs(t) do order[#order + 1] = tostring(k) end\n"
                                "assert(table.concat(order, ' ') == '2 10 Z a b true', "
                                "table.concat(order, ' '))\n"
                                "local k, seen = next(t), 0\n"
                                "while k ~= nil do seen = seen + 1; k = next(t, k) end\n"
                                "assert(seen == 6)\n"
                                "assert(next({}) == nil)\n"
                                "assert(next(t) == 2)\n"
                                "assert(tostring({}) == 'table: #1')\n"
                                "local f = function() end\n"
                                "assert(tostring(f) == 'function: #2' and tostring(f) == "
                                "'function: #2')\n"
                                "assert(tostring(setmetatable({}, {__tostring = function() "
                                "return 'me' end})) == 'me')\n"
                                "assert(select('#', print('x')) == 0)\n");
    CHECK(m != NULL);
    model_free(m);

    /* math.random: the same numbers for the same seed, other ones for another */
    const char *draw = PAIR "scenario{seed = SEED}\n"
                            "local r = {}\n"
                            "for i = 1, 5 do r[i] = math.random(1000) end\n"
                            "local f = math.random()\n"
                            "assert(f >= 0 and f < 1)\n"
                            "local w = math.random(-3, 3)\n"
                            "assert(w >= -3 and w <= 3)\n"
                            "assert(math.type(math.random(0)) == 'integer')\n"
                            "scenario{name = table.concat(r, ',')}\n";
    char script[1024];
    const char *at = strstr(draw, "SEED");
    snprintf(script, sizeof script, "%.*s7%s", (int)(at - draw), draw, at + 4);
    struct model *a = load(script), *b = load(script);
    snprintf(script, sizeof script, "%.*s8%s", (int)(at - draw), draw, at + 4);
    struct model *c = load(script);
    struct model_load_opts o = {.has_seed = true, .seed = 8};
    snprintf(script, sizeof script, "%.*s7%s", (int)(at - draw), draw, at + 4);
    struct model_error err;
    struct model *d = load_opts(script, &o, &err);
    CHECK(a && b && c && d);
    if (a && b && c && d) {
        CHECK_STR(a->name, b->name);
        CHECK(strcmp(a->name, c->name) != 0);
        CHECK_STR(c->name, d->name); /* --seed 8 wins over seed = 7 */
    }
    model_free(a);
    model_free(b);
    model_free(c);
    model_free(d);
    /* randomseed: a fixed stream; without an argument, back to the scenario's */
    m = load(PAIR "math.randomseed(42)\nlocal x = math.random(1 << 40)\n"
                  "math.randomseed(42)\nassert(math.random(1 << 40) == x)\n"
                  "math.randomseed()\nlocal y = math.random(1 << 40)\n"
                  "math.randomseed()\nassert(math.random(1 << 40) == y)\n");
    CHECK(m != NULL);
    model_free(m);
}

static void test_sandbox(void)
{
    struct model *m = load(PAIR "for _, name in ipairs({'os', 'io', 'debug', 'package', "
                                "'require', 'dofile', 'loadfile', 'warn'}) do\n"
                                "  assert(_G[name] == nil, name)\n"
                                "end\n"
                                "assert(string.dump == nil)\n"
                                "assert(('x').dump == nil)\n"
                                "assert(load('return 1 + 1')() == 2)\n"
                                "local env = {v = 5}\n"
                                "assert(load('return v', 'chunk', 't', env)() == 5)\n"
                                "local f, why = load('\\27Lua')\n"
                                "assert(f == nil and why:find('binary'))\n"
                                "assert(not pcall(load, 'return 1', 'x', 'bt'))\n"
                                "assert(collectgarbage() == 0)\n"
                                "assert(not pcall(collectgarbage, 'count'))\n"
                                "assert(not pcall(setmetatable, {}, {__gc = print}))\n"
                                "assert(setmetatable({}, {__index = {a = 1}}).a == 1)\n"
                                "assert(not pcall(string.format, '%p', {}))\n"
                                "assert(string.format('%5.1f|%%p|%s', 1.25, 'x') == "
                                "'  1.2|%p|x')\n"
                                "assert(string.rep('', 1 << 60) == '')\n"
                                "assert(string.rep('ab', 3, '-') == 'ab-ab-ab')\n"
                                "assert(table.concat(table.move({1, 2, 3}, 1, 3, 2), ',') == "
                                "'1,1,2,3')\n"
                                "local t = {3, 1, 2}\ntable.sort(t)\n"
                                "assert(t[1] == 1 and t[3] == 3)\n"
                                "table.insert(t, 1, 0)\nassert(table.remove(t, 1) == 0)\n"
                                "assert(utf8.len('h\\u{e9}') == 2)\n"
                                "assert(tonumber('0x10') == 16)\n"
                                "assert(coroutine.wrap(function() coroutine.yield(4) end)() "
                                "== 4)\n");
    CHECK(m != NULL);
    model_free(m);

    /* the budget: an endless loop, even inside pcall, ends with the line */
    struct model_load_opts o = {.lua_instructions = 100000};
    struct model_error err;
    CHECK(load_opts(PAIR "\nwhile true do end\n", &o, &err) == NULL);
    CHECK(has(err.text, "t.lua:5: instruction budget exhausted (100000 instructions; raise it "
                        "with --lua-instructions)"));
    CHECK(load_opts(PAIR "while true do pcall(function() while true do end end) end\n", &o, &err) ==
          NULL);
    CHECK(has(err.text, "instruction budget exhausted"));
    /* C work is charged too: a pattern that backtracks, a sort, copying */
    CHECK(load_opts(PAIR "local s = ('a'):rep(3000)\ns:find(('a*'):rep(6) .. 'b')\n", &o, &err) ==
          NULL);
    CHECK(has(err.text, "t.lua:5: instruction budget exhausted"));
    CHECK(load_opts(PAIR "local s = ('a'):rep(1 << 24)\n", &o, &err) == NULL);
    CHECK(has(err.text, "instruction budget exhausted"));
    CHECK(load_opts(PAIR "table.move({}, 1, 1 << 62, 2)\n", &o, &err) == NULL);
    CHECK(has(err.text, "instruction budget exhausted"));
    /* the memory cap */
    o = (struct model_load_opts){.lua_memory = 4u << 20};
    CHECK(load_opts(PAIR "local t = {}\nfor i = 1, 1e7 do t[i] = {} end\n", &o, &err) == NULL);
    CHECK(has(err.text, "t.lua:5: memory limit exceeded (4 MiB; raise it with --lua-memory)"));
    CHECK(load_opts(PAIR "local s = ('x'):rep(8 << 20)\n", &o, &err) == NULL);
    CHECK(has(err.text, "memory limit exceeded (4 MiB"));
    /* a memory error caught by pcall is not fatal */
    m = load_opts(PAIR "assert(not pcall(string.rep, 'x', 8 << 20))\n", &o, &err);
    CHECK(m != NULL);
    model_free(m);
    /* deep recursion */
    CHECK(has(load_error(PAIR "local function f() return 1 + f() end\nf()\n"), "stack overflow"));
    CHECK(has(load_error(PAIR "local function f() return pcall(f) end\nprint(f())\nerror('x')\n"),
              "t.lua:6: x"));
}

/* Lua's pattern functions, reimplemented in lua_match.c: results as the
 * manual and Lua 5.4 give them. */
static void test_patterns(void)
{
    struct model *m = load(
        PAIR "local function eq(a, b) assert(a == b, tostring(a) .. ' ~= ' .. tostring(b)) end\n"
             "eq(('hello world'):find('o w'), 5)\n"
             "eq(select(2, ('hello world'):find('o w')), 7)\n"
             "eq(('hello'):find('l'), 3)\n"
             "eq(('hello'):find('xyz'), nil)\n"
             "eq(('a.b'):find('.', 1, true), 2)\n"
             "eq(('a+b'):find('+', 1, true), 2)\n"
             "eq(('hello'):find(''), 1)\n"
             "eq(('hello'):find('', 10), nil)\n"
             "eq(('hello'):find('l', -2), 4)\n"
             "eq(('hello'):match('^(h)(e)'), 'h')\n"
             "eq(select(2, ('hello'):match('^(h)(e)')), 'e')\n"
             "eq(('key = value'):match('^(%w+)%s*=%s*(%w+)$'), 'key')\n"
             "eq(select(2, ('key = value'):match('^(%w+)%s*=%s*(%w+)$')), 'value')\n"
             "eq(('  trim  '):match('^%s*(.-)%s*$'), 'trim')\n"
             "eq(('10.0.2.0/24'):match('^(%d+)%.(%d+)%.(%d+)%.(%d+)/(%d+)$'), '10')\n"
             "eq(('abc'):match('()b()'), 2)\n"
             "eq(select(2, ('abc'):match('()b()')), 3)\n"
             "eq(('THE (quick) fox'):find('%((%a+)%)'), 5)\n"
             "eq(('f(a(b)c)d'):match('%b()'), '(a(b)c)')\n"
             "eq(('THE (quick) fox'):gsub('%f[%a]%a+', 'W'), 'W (W) W')\n"
             "eq(('hello world'):gsub('o', '0'), 'hell0 w0rld')\n"
             "eq(select(2, ('hello world'):gsub('o', '0')), 2)\n"
             "eq(('hello world'):gsub('(%w+)', '<%1>'), '<hello> <world>')\n"
             "eq(('hello world'):gsub('%w+', '%0 %0', 1), 'hello hello world')\n"
             "eq(('abc'):gsub('', '-'), '-a-b-c-')\n"
             "eq(('hello world'):gsub('%w+', {hello = 'HI'}), 'HI world')\n"
             "eq(('$x $y'):gsub('%$(%w+)', function(v) return v == 'x' and 1 or nil end), "
             "'1 $y')\n"
             "eq(('abc'):gsub('^a', 'A'), 'Abc')\n"
             "eq(('aaa'):gsub('^a', 'A'), 'Aaa')\n"
             "eq(('x'):gsub('x', '%%'), '%')\n"
             "assert(not pcall(string.gsub, 'x', 'x', '%2'))\n"
             "assert(not pcall(string.gsub, 'x', 'x', '%z'))\n"
             "assert(not pcall(string.gsub, 'x', 'x', true))\n"
             "local words = {}\n"
             "for w in ('one two  three'):gmatch('%a+') do words[#words + 1] = w end\n"
             "eq(table.concat(words, ','), 'one,two,three')\n"
             "local kv = {}\n"
             "for k, v in ('a=1, b=2'):gmatch('(%w+)=(%w+)') do kv[k] = v end\n"
             "eq(kv.a, '1') eq(kv.b, '2')\n"
             "local n = 0\n"
             "for _ in ('abc'):gmatch('') do n = n + 1 end\n"
             "eq(n, 4)\n"
             "local from2 = {}\n"
             "for c in ('abc'):gmatch('.', 2) do from2[#from2 + 1] = c end\n"
             "eq(table.concat(from2), 'bc')\n"
             "eq(('[x]'):match('[]]'), ']')\n"
             "eq(('a-b'):match('[a%-]+'), 'a-')\n"
             "eq(('A1b2'):gsub('[^%d]', ''), '12')\n"
             "eq(('abab'):match('(ab)%1'), 'ab')\n"
             "eq(('x=1'):match('x=(%d?)'), '1')\n"
             "eq(('aaab'):match('a-b'), 'aaab')\n"
             "eq(('aaab'):match('a+'), 'aaa')\n"
             "eq(('end$'):match('d%$$'), 'd$')\n"
             "eq(('a$b'):find('$b'), 2)\n"
             "eq(('ping: 3 received'):match('(%d+) received'), '3')\n"
             "eq(string.find('a\\0b', '\\0', 1, true), 2)\n"
             "eq(string.find('a\\0b', '%z'), nil)\n"
             "eq(('a)'):find('a)'), 1)\n" /* no magic character: a plain search */
             "for _, bad in ipairs({'%', '[a', '(()', '%b', '%f', '%1', 'a)'}) do\n"
             "  assert(not pcall(string.match, 'abc', bad), bad)\n"
             "end\n");
    CHECK(m != NULL);
    model_free(m);
}

/* ---- running ---- */

static void test_timeline(void)
{
    char *out;
    int code = run_lua(PAIR "scenario{duration = '3s'}\n"
                            "at('1s', function() print('at', now()) end)\n"
                            "at(1.5, function() after('250ms', function() print('after', now()) "
                            "end) end)\n"
                            "local t = every('0.5s', function(n) print('every', n, now()) end)\n"
                            "at('2.1s', function() t:cancel(); print('pending', t:pending()) end)\n"
                            "local gone = at('2.5s', function() print('never') end)\n"
                            "gone:cancel()\n"
                            "every(1, function(n) print('second', n) end, '0s')\n"
                            "at_end(function() print('end', now()) end)\n"
                            "at('1s', function()\n"
                            "  assert(not pcall(at, '0.5s', print))\n"
                            "end)\n",
                       &out);
    CHECK_EQ(code, 0);
    CHECK(has(out, "lua| second\t1\nlua| every\t1\t0.5\n"));
    CHECK(has(out, "lua| at\t1.0\n"));
    CHECK(has(out, "lua| after\t1.75\n"));
    CHECK(has(out, "lua| every\t4\t2.0\nlua| pending\tfalse\n"));
    CHECK(!strstr(out, "every\t5") && !strstr(out, "never"));
    CHECK(has(out, "lua| second\t4\nlua| end\t3.0\n"));
    free(out);
}

static void test_run(void)
{
    char *out;
    int code =
        run_lua(PAIR "scenario{duration = '4s'}\n"
                     "at('1s', function()\n"
                     "  local p = run('h1', 'ping -c 1 10.0.0.2', {expect = {contains = "
                     "'1 received', exit = 0}},\n"
                     "    function(output, status, proc)\n"
                     "      print('status', status, proc:status(), proc:done())\n"
                     "      print('found', output:find('1 received', 1, true) ~= nil)\n"
                     "    end)\n"
                     "  print('running', p:done(), p:status(), tostring(p))\n"
                     "end)\n"
                     "at('2s', function()\n"
                     "  run('h1', 'arp -a', {expect = {not_contains = 'incomplete', "
                     "matches = '10\\\\.0\\\\.0\\\\.2'}})\n"
                     "  local p = run('h2', 'ping 10.0.0.1')\n"
                     "  after('1.5s', function() p:interrupt(); print('out', #p:output() > 0, "
                     "p:status()) end)\n"
                     "  run('h1', 'frobnicate', function(o, s) print('nf', s) end)\n"
                     "end)\n",
                &out);
    CHECK_EQ(code, 0);
    CHECK(has(out, "lua| running\tfalse\tnil\tprocess h1$ ping -c 1 10.0.0.2\n"));
    CHECK(has(out, "h1$ ping -c 1 10.0.0.2\n"));
    CHECK(has(out, "lua| status\t0\t0\ttrue\nlua| found\ttrue\n"));
    CHECK(has(out, "PASS t.lua:6 h1$ ping -c 1 10.0.0.2: output contains \"1 received\"\n"));
    CHECK(has(out, "PASS t.lua:6 h1$ ping -c 1 10.0.0.2: exit status 0 == 0\n"));
    CHECK(has(out, "PASS t.lua:14 h1$ arp -a: output does not contain \"incomplete\"\n"));
    CHECK(has(out, "PASS t.lua:14 h1$ arp -a: output matches /10\\.0\\.0\\.2/\n"));
    CHECK(has(out, "lua| nf\t127\n"));
    CHECK(has(out, "lua| out\ttrue\t0\n"));
    free(out);

    /* a failing check makes exit status 1; bad options are errors */
    code = run_lua(PAIR "at('1s', function() run('h1', 'ping -c 1 10.0.0.9', {expect = {exit = "
                        "0}}) end)\n",
                   &out);
    CHECK_EQ(code, 1);
    CHECK(has(out, "FAIL t.lua:4 h1$ ping -c 1 10.0.0.9: exit status 1, expected 0\n"));
    free(out);
    struct run_opts o;
    run_opts_default(&o);
    char why[1024];
    code = run_lua_opts(PAIR "at('1s', function() run('h1', 'ls', {colour = 1}) end)\n", &o, &out,
                        why, sizeof why);
    CHECK_EQ(code, 2);
    CHECK(has(why, "t.lua:4: run(): unknown option \"colour\""));
    CHECK(has(why, "(in a callback at 1.000000 s of simulated time)"));
    free(out);
    code =
        run_lua_opts(PAIR "at('1s', function() run('h7', 'ls') end)\n", &o, &out, why, sizeof why);
    CHECK_EQ(code, 2);
    CHECK(has(why, "run(): no node named \"h7\""));
    free(out);
}

static void test_input(void)
{
    /* typed lines reach an interactive command (telnet to a TCP listener) */
    char *out;
    int code = run_lua(PAIR "at(0, function()\n"
                            "  tcp_listen('h2', 7, function(c)\n"
                            "    c:on{line = function(c, l) c:send('echo ' .. l .. '\\r\\n') end}\n"
                            "  end)\n"
                            "end)\n"
                            "at('1s', function()\n"
                            "  local p = run('h1', 'telnet 10.0.0.2 7', {input = {'hello', "
                            "'again'}})\n"
                            "  after('1s', function() p:input('third'); print(p:input('x') ~= "
                            "nil) end)\n"
                            "  after('2s', function() p:interrupt(); print(p:output()) end)\n"
                            "end)\n",
                       &out);
    CHECK_EQ(code, 0);
    CHECK(has(out, "echo hello"));
    CHECK(has(out, "echo again"));
    CHECK(has(out, "echo third"));
    free(out);
}

static const char routed[] =
    "host{name = 'a', interfaces = {{name = 'eth0', ip = '10.0.1.10/24'}}, gateway = "
    "'10.0.1.1'}\n"
    "router{name = 'r1', interfaces = {{name = 'eth0', ip = '10.0.1.1/24'}, {name = 'eth1', ip = "
    "'10.0.9.1/30'}, {name = 'eth2', ip = '10.0.8.1/30'}}}\n"
    "router{name = 'r2', interfaces = {{name = 'eth0', ip = '10.0.2.1/24'}, {name = 'eth1', ip = "
    "'10.0.9.2/30'}, {name = 'eth2', ip = '10.0.8.2/30'}},\n"
    "       routes = {{to = '10.0.1.0/24', via = '10.0.9.1'}}}\n"
    "host{name = 'b', interfaces = {{name = 'eth0', ip = '10.0.2.10/24'}}, gateway = "
    "'10.0.2.1'}\n"
    "link{a = 'a:eth0', b = 'r1:eth0'}\n"
    "link{a = 'r1:eth1', b = 'r2:eth1'}\n"
    "link{a = 'r1:eth2', b = 'r2:eth2'}\n"
    "link{a = 'r2:eth0', b = 'b:eth0'}\n";

static void test_routes_and_faults(void)
{
    char script[4096], *out;
    snprintf(script, sizeof script,
             "%s"
             "scenario{duration = '12s'}\n"
             "local function ping(at_s, tag)\n"
             "  at(at_s, function() run('a', 'ping -c 1 10.0.2.10', function(o, s) print(tag, "
             "s) end) end)\n"
             "end\n"
             "ping(1, 'no route')\n"
             "at('2s', function()\n"
             "  route_add('r1', {to = '10.0.2.0/24', via = '10.0.9.2'})\n"
             "  local rs = routes('r1')\n"
             "  local last = rs[#rs]\n"
             "  print('route', last.to, last.via, last.dev, last.kind, rs[1].kind)\n"
             "end)\n"
             "ping(3, 'routed')\n"
             "at('4s', function() link_down('r1', 'r2:eth1') end)\n"
             "ping(5, 'cut')\n"
             "at('6s', function()\n"
             "  route_replace('r1', {to = '10.0.2.0/24', via = '10.0.8.2'})\n"
             "  route_replace('r2', {to = '10.0.1.0/24', dev = 'eth2'})\n"
             "  print('deleted', route_del('r2', {to = '10.0.1.0/24'}), route_del('r2', {to = "
             "'10.0.1.0/24'}))\n"
             "  route_add('r2', {to = '10.0.1.0/24', via = '10.0.8.1', dev = 'eth2'})\n"
             "end)\n"
             "ping(7, 'detour')\n"
             "at('8s', function() node_down('r2') end)\n"
             "ping(8.5, 'node down')\n"
             "at('9s', function() node_up('r2'); link_set('b:eth0', {loss = 1}) end)\n"
             "ping(9.5, 'lossy')\n"
             "at('10s', function() link_set('r2', 'b', {loss = 0, delay = '5ms', bandwidth = "
             "'1Mbps'}); link_up('r1:eth1') end)\n"
             "ping(10.5, 'slow')\n"
             "at('11s', function()\n"
             "  for _, e in ipairs(interfaces('r1')) do print('if', e.name, e.ip[1], e.up, "
             "e.peer) end\n"
             "  assert(not pcall(route_add, 'r1', {to = '10.5.0.0/16', via = '10.7.7.7'}))\n"
             "  assert(not pcall(route_add, 'r1', {to = '10.5.0.1/16', via = '10.0.9.2'}))\n"
             "  assert(not pcall(route_add, 'r1', {to = '10.5.0.0/16'}))\n"
             "  assert(not pcall(link_down, 'r1'))\n"
             "  assert(not pcall(link_down, 'a', 'b'))\n"
             "end)\n",
             routed);
    int code = run_lua(script, &out);
    CHECK_EQ(code, 0);
    CHECK(has(out, "lua| no route\t1\n"));
    CHECK(has(out, "lua| route\t10.0.2.0/24\t10.0.9.2\teth1\tstatic\tconnected\n"));
    CHECK(has(out, "lua| routed\t0\n"));
    CHECK(has(out, "lua| cut\t1\n"));
    CHECK(has(out, "lua| deleted\t1\t0\n"));
    CHECK(has(out, "lua| detour\t0\n"));
    CHECK(has(out, "lua| node down\t1\n"));
    CHECK(has(out, "lua| lossy\t1\n"));
    CHECK(has(out, "lua| slow\t0\n"));
    CHECK(has(out, "lua| if\teth1\t10.0.9.1/30\ttrue\tr2:eth1\n"));
    free(out);
}

static void test_state(void)
{
    char *out;
    /* arp, mac_table, leases, nat, sockets, interfaces */
    int code = run_lua(
        "host{name = 'pc', interfaces = {{name = 'eth0', ip = 'dhcp'}}}\n"
        "switch{name = 'sw', ports = 4}\n"
        "router{name = 'gw', interfaces = {{name = 'eth0', ip = '192.168.1.1/24'}, {name = "
        "'eth1', ip = '203.0.113.2/30'}},\n"
        "  nat = {inside = {'eth0'}, outside = 'eth1'},\n"
        "  dhcp_server = {interface = 'eth0', pool = '192.168.1.100-192.168.1.110', gateway = "
        "'192.168.1.1', lease = '1h'}}\n"
        "host{name = 'web', interfaces = {{name = 'eth0', ip = '203.0.113.1/30'}}}\n"
        "link{a = 'pc:eth0', b = 'sw:1'}\n"
        "link{a = 'gw:eth0', b = 'sw:4'}\n"
        "link{a = 'gw:eth1', b = 'web:eth0'}\n"
        "at{at = '0s', node = 'pc', run = 'dhclient eth0'}\n"
        "at('3s', function()\n"
        "  tcp_listen('web', 80, function(c) end)\n"
        "  run('pc', 'ping -c 1 203.0.113.1')\n"
        "  tcp_connect('pc', '203.0.113.1', 80, {})\n"
        "end)\n"
        "at('5s', function()\n"
        "  local l = leases('gw')[1]\n"
        "  print('lease', l.ip, l.state, l.mac, l.iface, l.expires > 3600)\n"
        "  local a = arp('pc')[1]\n"
        "  print('arp', a.ip, a.mac, a.iface, a.state)\n"
        "  local m = mac_table('sw')\n"
        "  print('mac', #m, m[1].port, m[1].age >= 0)\n"
        "  local n = nat('gw')\n"
        "  print('nat', #n, n[1].proto, n[1].inside_local, n[1].inside_global, n[1].outside)\n"
        "  local s = sockets('web')\n"
        "  print('sockets', #s, s[1].state, s[1].local_port, s[2].state, s[2].remote_ip)\n"
        "  print('pc', interfaces('pc')[1].ip[1])\n"
        "  print('empty', #arp('sw'), #mac_table('pc'), #nat('pc'), #leases('pc'), "
        "#sockets('sw'))\n"
        "end)\n",
        &out);
    CHECK_EQ(code, 0);
    CHECK(has(out, "lua| lease\t192.168.1.100\tactive\t02:00:00:00:01:01\teth0\ttrue\n"));
    CHECK(has(out, "lua| arp\t192.168.1.1\t02:00:00:00:03:01\teth0\treachable\n"));
    CHECK(has(out, "lua| mac\t2\t1\ttrue\n"));
    CHECK(has(out, "lua| nat\t2\ticmp\t192.168.1.100:"));
    CHECK(has(out, "lua| sockets\t2\tLISTEN\t80\tESTAB\t203.0.113.2\n"));
    CHECK(has(out, "lua| pc\t192.168.1.100/24\n"));
    CHECK(has(out, "lua| empty\t0\t0\t0\t0\t0\n"));
    free(out);
}

/* dhcp_clients and resolvers: the client side of DHCP and DNS. */
static void test_client_state(void)
{
    char *out;
    int code = run_lua(
        "host{name = 'pc', interfaces = {{name = 'eth0', ip = 'dhcp'}}}\n"
        "host{name = 'fixed', interfaces = {{name = 'eth0', ip = '192.168.1.9/24'}},\n"
        "  dns = {'192.168.1.53', '192.168.1.54'}}\n"
        "switch{name = 'sw', ports = 4}\n"
        "router{name = 'gw', interfaces = {{name = 'eth0', ip = '192.168.1.1/24'}},\n"
        "  dhcp_server = {interface = 'eth0', pool = '192.168.1.100-192.168.1.110', gateway = "
        "'192.168.1.1', dns = {'192.168.1.53'}, lease = '1h'}}\n"
        "link{a = 'pc:eth0', b = 'sw:1'}\n"
        "link{a = 'fixed:eth0', b = 'sw:2'}\n"
        "link{a = 'gw:eth0', b = 'sw:4'}\n"
        "at{at = '1s', node = 'pc', run = 'dhclient eth0'}\n"
        "at('0.5s', function()\n"
        "  print('before', #dhcp_clients('pc'), #resolvers('pc'))\n"
        "end)\n"
        "at('1.0001s', function()\n"
        "  local c = dhcp_clients('pc')[1]\n"
        "  print('early', c.iface, c.state, c.ip)\n"
        "end)\n"
        "at('5s', function()\n"
        "  local c = dhcp_clients('pc')[1]\n"
        "  print('client', c.iface, c.state, c.ip, c.router, c.server, #c.dns, c.dns[1])\n"
        "  print('times', c.lease, c.t1, c.t2, c.expires - c.bound_at)\n"
        "  local r = resolvers('pc')\n"
        "  print('resolvers', #r, r[1].ip, r[1].from)\n"
        "  local f = resolvers('fixed')\n"
        "  print('fixed', #f, f[1].ip, f[2].ip, f[2].from, #dhcp_clients('fixed'))\n"
        "  print('switch', #resolvers('sw'), #dhcp_clients('sw'))\n"
        "end)\n",
        &out);
    CHECK_EQ(code, 0);
    CHECK(has(out, "lua| before\t0\t0\n"));
    CHECK(has(out, "lua| early\teth0\tselecting\tnil\n"));
    CHECK(has(out, "lua| client\teth0\tbound\t192.168.1.100/24\t192.168.1.1\t192.168.1.1\t1\t"
                   "192.168.1.53\n"));
    CHECK(has(out, "lua| times\t3600\t1800\t3150\t3600.0\n"));
    CHECK(has(out, "lua| resolvers\t1\t192.168.1.53\tdhcp\n"));
    CHECK(has(out, "lua| fixed\t2\t192.168.1.53\t192.168.1.54\tscenario\t0\n"));
    CHECK(has(out, "lua| switch\t0\t0\n"));
    free(out);
}

static void test_mailboxes(void)
{
    char *out;
    int code = run_lua(
        "host{name = 'pc', interfaces = {{name = 'eth0', ip = '10.0.0.1/24'}}}\n"
        "server{name = 'mail', interfaces = {{name = 'eth0', ip = '10.0.0.25/24'}},\n"
        "  services = {smtp = {domain = 'harbor.test', accounts = {nadia = 'pw'}},\n"
        "              pop3 = {mailboxes = {nadia = {{from = 'boss@harbor.test', subject = "
        "'hi', body = 'first'}}}}}}\n"
        "link{a = 'pc:eth0', b = 'mail:eth0'}\n"
        "at('1s', function()\n"
        "  run('pc', 'telnet 10.0.0.25 25', {input = {'HELO pc', 'MAIL FROM:<s@pc.test>',\n"
        "      'RCPT TO:<nadia@harbor.test>', 'DATA', 'Subject: second', '', 'body', '.', "
        "'QUIT'}})\n"
        "end)\n"
        "at('5s', function()\n"
        "  local b = mailboxes('mail')[1]\n"
        "  print('box', b.user, b.folder, #b.messages)\n"
        "  local m1, m2 = b.messages[1], b.messages[2]\n"
        "  print('m1', m1.uid, m1.from, m1.subject, m1.seen, m1.text:find('first') ~= nil)\n"
        "  print('m2', m2.subject, m2.size == #m2.text, m2.deleted)\n"
        "  print('none', #mailboxes('pc'))\n"
        "end)\n",
        &out);
    CHECK_EQ(code, 0);
    CHECK(has(out, "lua| box\tnadia\tINBOX\t2\n"));
    CHECK(has(out, "lua| m1\t1\tboss@harbor.test\thi\tfalse\ttrue\n"));
    CHECK(has(out, "lua| m2\tsecond\ttrue\tfalse\n"));
    CHECK(has(out, "lua| none\t0\n"));
    free(out);
}

static void test_on_packet(void)
{
    char *out;
    int code = run_lua(PAIR "scenario{duration = '3s'}\n"
                            "local all, arp_on_h2, echo = 0, 0, 0\n"
                            "on_packet(function(p) all = all + 1 end)\n"
                            "on_packet({protocol = 'ARP', on = 'h2'}, function(p) arp_on_h2 = "
                            "arp_on_h2 + 1 end)\n"
                            "on_packet('Echo (ping) request', function(p)\n"
                            "  echo = echo + 1\n"
                            "  print(p.on, p.to, p.protocol, p.src, p.dst, p.length, #p.bytes, "
                            "p.malformed)\n"
                            "  print(p.ip['Time to Live'], p.layers[1].abbrev, "
                            "p.layers[2].fields[1].name, #p.payload)\n"
                            "  print(p.time > 1 and p.time < 1.1, p.info:sub(1, 19))\n"
                            "end)\n"
                            "at('1s', function() run('h1', 'ping -c 1 10.0.0.2') end)\n"
                            "at_end(function() print('counts', all, arp_on_h2, echo) end)\n",
                       &out);
    CHECK_EQ(code, 0);
    CHECK(has(out, "lua| h1:eth0\th2:eth0\tICMP\t10.0.0.1\t10.0.0.2\t98\t98\tfalse\n"));
    CHECK(has(out, "lua| 64\teth\tVersion\t0\n"));
    CHECK(has(out, "lua| true\tEcho (ping) request\n"));
    CHECK(has(out, "lua| counts\t4\t2\t1\n"));
    free(out);
}

static void test_expect(void)
{
    char *out;
    int code = run_lua(PAIR "local function check(ok, what) expect(ok, what, 2) end\n"
                            "expect(true, 'at the top')\n"
                            "at('1s', function()\n"
                            "  expect(1 + 1 == 2, 'arithmetic')\n"
                            "  check(false, 'a helper failed')\n"
                            "  assert(expect(true) == true)\n"
                            "  expect(nil, {})\n"
                            "end)\n",
                       &out);
    CHECK_EQ(code, 1);
    CHECK(has(out, "PASS t.lua:5: at the top\n"));
    CHECK(has(out, "PASS t.lua:7: arithmetic\n"));
    CHECK(has(out, "FAIL t.lua:8: a helper failed\n"));
    CHECK(has(out, "PASS t.lua:9: expect()\n"));
    CHECK(has(out, "FAIL t.lua:10: table: #"));
    CHECK(has(out, "expectations: 3 passed, 2 failed\n"));
    free(out);
}

static void test_sockets(void)
{
    char *out;
    int code = run_lua(PAIR "scenario{duration = '5s'}\n"
                            "at(0, function()\n"
                            "  udp_open('h2', 9000, function(data, ip, port, s)\n"
                            "    s:sendto(ip, port, data:upper())\n"
                            "  end)\n"
                            "  tcp_listen('h2', 9001, function(c)\n"
                            "    print('accepted', c:peer())\n"
                            "    c:on{data = function(c, d) print('data', #d) end,\n"
                            "         line = function(c, l) c:send(l:reverse() .. '\\n') end,\n"
                            "         peer_closed = function(c) c:close() end}\n"
                            "  end)\n"
                            "end)\n"
                            "at('1s', function()\n"
                            "  local s\n"
                            "  s = udp_open('h1', 0, function(data, ip, port)\n"
                            "    print('udp', data, ip, port, s:port() > 32767)\n"
                            "    s:close()\n"
                            "  end)\n"
                            "  print(s:sendto('10.0.0.2', 9000, 'hello'))\n"
                            "  print(s:sendto('10.9.9.9', 9000, 'x'))\n"
                            "end)\n"
                            "at('2s', function()\n"
                            "  local big = ('x'):rep(50000)\n"
                            "  local c = tcp_connect('h1', '10.0.0.2', 9001, {\n"
                            "    connected = function(c) c:send('abc\\r\\n' .. big .. '\\n'); "
                            "c:close() end,\n"
                            "    line = function(c, l) print('line', #l, l:sub(1, 3)) end,\n"
                            "    closed = function(c, why) print('closed', why, c:state()) end})\n"
                            "  print('state', c:state())\n"
                            "  print(tcp_connect('h1', '10.9.9.9', 1))\n"
                            "end)\n",
                       &out);
    CHECK_EQ(code, 0);
    CHECK(has(out, "lua| true\n"));
    CHECK(has(out, "lua| nil\tNetwork is unreachable\n"));
    CHECK(has(out, "lua| udp\tHELLO\t10.0.0.2\t9000\ttrue\n"));
    CHECK(has(out, "lua| state\tSYN-SENT\n"));
    CHECK(has(out, "lua| accepted\t10.0.0.1\t"));
    CHECK(has(out, "lua| line\t3\tcba\n"));
    CHECK(has(out, "lua| line\t50000\txxx\n"));
    CHECK(has(out, "lua| closed\tclosed\tCLOSED\n"));
    free(out);
}

static void test_run_errors(void)
{
    struct run_opts o;
    run_opts_default(&o);
    char why[1024], *out;
    int code = run_lua_opts(PAIR "scenario{duration = '5s'}\n"
                                 "at('1s', function() print('one') end)\n"
                                 "at('2s', function() local t; t.x = 1 end)\n"
                                 "at('3s', function() print('never') end)\n",
                            &o, &out, why, sizeof why);
    CHECK_EQ(code, 2);
    CHECK(has(why, "t.lua:6: attempt to index a nil value (local 't')\n"));
    CHECK(has(why, "(in a callback at 2.000000 s of simulated time)"));
    CHECK(has(out, "lua| one\n"));
    CHECK(!strstr(out, "never"));
    free(out);
    /* the budget during the run: the same message, the run stops */
    code = run_lua_opts(PAIR "every(1, function() for i = 1, 1e9 do end end)\n", &o, &out, why,
                        sizeof why);
    CHECK_EQ(code, 2);
    CHECK(has(why, "t.lua:4: instruction budget exhausted"));
    free(out);
    /* an error in a callback that runs inside another one stops both */
    code = run_lua_opts(PAIR "at('1s', function()\n"
                             "  run('h1', 'arp -a', function() error('inner') end)\n"
                             "  print('outer goes on')\n"
                             "  for i = 1, 1e6 do end\n"
                             "  print('not this far')\n"
                             "end)\n",
                        &o, &out, why, sizeof why);
    CHECK_EQ(code, 2);
    CHECK(has(why, "t.lua:5: inner"));
    CHECK(!strstr(out, "not this far"));
    free(out);
    /* an error at the top level during the run's start (it passed loading) */
    code = run_lua_opts(PAIR "if now() == 0 and expect(true) and arp == nil then end\n", &o, &out,
                        why, sizeof why);
    CHECK_EQ(code, 0);
    free(out);
}

/* The GUI's step back runs the scenario again from time 0: a second
 * runner on the same model must print the same. */
static void test_replay(void)
{
    struct model *m = load(PAIR "scenario{duration = '2s'}\n"
                                "local count = 0\n"
                                "every('100ms', function() count = count + 1 end)\n"
                                "on_packet(function(p) print(p.info, math.random(100)) end)\n"
                                "at('1s', function() run('h1', 'ping -c 2 -i 0.2 10.0.0.2') end)\n"
                                "at_end(function() print('count', count) end)\n");
    CHECK(m != NULL);
    if (!m) return;
    char *text[2];
    for (int i = 0; i < 2; i++) {
        struct run_opts o;
        run_opts_default(&o);
        FILE *f = tmpfile();
        o.out = f;
        struct model_error err;
        struct runner *r = runner_new(m, &o, &err);
        CHECK(r != NULL);
        if (r) {
            runner_run(r);
            CHECK_EQ(runner_finish(r), 0);
            runner_free(r);
        }
        text[i] = slurp(f);
        fclose(f);
    }
    CHECK_STR(text[0], text[1]);
    CHECK(has(text[0], "lua| count\t20\n"));
    free(text[0]);
    free(text[1]);
    model_free(m);
}

/* A network built from math.random differs with another --seed: the run
 * must not use a model the script would not build. */
static void test_seed_mismatch(void)
{
    struct model *m = load("host{name = 'h' .. math.random(1000), interfaces = {{name = 'eth0', "
                           "ip = '10.0.0.1/24'}}}\n");
    CHECK(m != NULL);
    if (!m) return;
    struct run_opts o;
    run_opts_default(&o);
    o.has_seed = true;
    o.seed = 12345;
    o.out = tmpfile();
    struct model_error err;
    struct runner *r = runner_new(m, &o, &err);
    CHECK(r == NULL);
    CHECK(has(err.text, "t.lua: the script built a different network when it ran"));
    runner_free(r);
    fclose(o.out);
    /* the same --seed at load and run: fine */
    struct model_load_opts lo = {.has_seed = true, .seed = 12345};
    struct model *m2 = load_opts("host{name = 'h' .. math.random(1000), interfaces = {{name = "
                                 "'eth0', ip = '10.0.0.1/24'}}}\n",
                                 &lo, &err);
    CHECK(m2 != NULL);
    if (m2) {
        o.out = tmpfile();
        r = runner_new(m2, &o, &err);
        CHECK(r != NULL);
        runner_free(r);
        fclose(o.out);
    }
    model_free(m2);
    model_free(m);
}

int main(void)
{
    test_build_functions();
    test_load_errors();
    test_determinism();
    test_sandbox();
    test_patterns();
    test_timeline();
    test_run();
    test_input();
    test_routes_and_faults();
    test_state();
    test_client_state();
    test_mailboxes();
    test_on_packet();
    test_expect();
    test_sockets();
    test_run_errors();
    test_replay();
    test_seed_mismatch();
    return check_done();
}
