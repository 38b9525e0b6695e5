/* lua_match.c - string.find, string.match, string.gmatch and string.gsub
 * for the sandbox, with Lua 5.4's pattern language (manual section 6.4.1)
 * and its results, written here so that their work is charged to the
 * instruction budget.
 *
 * Why not Lua's own: a backtracking matcher can spend hours inside one call
 * ("a*a*a*a*b" against a long run of a's; a plain find of a long needle in
 * a long haystack), and a count hook never fires inside C. Here every step
 * of the matcher (one pattern item tried at one position, one byte compared
 * by a plain find) costs one unit of the budget, so such a call ends with
 * the budget's error in about as long as a Lua loop of the same size.
 *
 * The matcher is the classic recursive backtracking one: a pattern item is
 * a single character class with an optional quantifier (* greedy, - lazy,
 * + one or more, ? optional), %bxy (balanced), %f[set] (frontier), %n (a
 * back-reference), ( ) and () (captures, position captures), ^ and $
 * anchors. Depth is bounded (MATCH_MAX_DEPTH, "pattern too complex") so C
 * recursion stays shallow. Messages are Lua's. */
#include "lua_priv.h"

#include <lualib.h>

#include <ctype.h>
#include <string.h>

#define MAX_CAPTURES    32 /* LUA_MAXCAPTURES */
#define MATCH_MAX_DEPTH 200
#define CAP_UNFINISHED  (-1)
#define CAP_POSITION    (-2)
#define CHARGE_EVERY    4096
#define SPECIALS        "^$*+?.([%-"

struct mstate {
    lua_State *L;
    const char *src, *src_end;
    const char *pat, *pat_end;
    int depth;
    int level;
    uint64_t steps;
    struct {
        const char *init;
        ptrdiff_t len;
    } cap[MAX_CAPTURES];
};

static void step(struct mstate *ms, uint64_t n)
{
    ms->steps += n;
    if (ms->steps >= CHARGE_EVERY) {
        uint64_t s = ms->steps;
        ms->steps = 0;
        box_charge(ms->L, s);
    }
}

static bool class_match(int c, int cl)
{
    bool r;
    switch (tolower(cl)) {
    case 'a':
        r = isalpha(c);
        break;
    case 'c':
        r = iscntrl(c);
        break;
    case 'd':
        r = isdigit(c);
        break;
    case 'g':
        r = isgraph(c);
        break;
    case 'l':
        r = islower(c);
        break;
    case 'p':
        r = ispunct(c);
        break;
    case 's':
        r = isspace(c);
        break;
    case 'u':
        r = isupper(c);
        break;
    case 'w':
        r = isalnum(c);
        break;
    case 'x':
        r = isxdigit(c);
        break;
    default:
        return cl == c;
    }
    return isupper(cl) ? !r : r;
}

/* The end of the single class starting at p. */
static const char *class_end(struct mstate *ms, const char *p)
{
    char c = *p++;
    if (c == '%') {
        if (p >= ms->pat_end) luaL_error(ms->L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    if (c == '[') {
        if (p < ms->pat_end && *p == '^') p++;
        do { /* the first character of a set is itself, even ']' */
            if (p >= ms->pat_end) luaL_error(ms->L, "malformed pattern (missing ']')");
            c = *p++;
            if (c == '%' && p < ms->pat_end) p++;
        } while (p >= ms->pat_end || *p != ']');
        return p + 1;
    }
    return p;
}

/* Does c belong to the set [ ... ] from p ('[') to ec (']')? */
static bool set_match(int c, const char *p, const char *ec)
{
    bool in = true;
    p++;
    if (*p == '^') {
        in = false;
        p++;
    }
    for (; p < ec; p++) {
        if (*p == '%' && p + 1 < ec) {
            p++;
            if (class_match(c, (unsigned char)*p)) return in;
        } else if (p + 2 < ec && p[1] == '-') {
            if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2]) return in;
            p += 2;
        } else if ((unsigned char)*p == c) {
            return in;
        }
    }
    return !in;
}

static bool single_match(struct mstate *ms, const char *s, const char *p, const char *ep)
{
    if (s >= ms->src_end) return false;
    int c = (unsigned char)*s;
    switch (*p) {
    case '.':
        return true;
    case '%':
        return class_match(c, (unsigned char)p[1]);
    case '[':
        return set_match(c, p, ep - 1);
    default:
        return (unsigned char)*p == c;
    }
}

static const char *match(struct mstate *ms, const char *s, const char *p);

static const char *max_expand(struct mstate *ms, const char *s, const char *p, const char *ep)
{
    ptrdiff_t i = 0;
    while (single_match(ms, s + i, p, ep))
        i++;
    step(ms, (uint64_t)i);
    for (; i >= 0; i--) {
        step(ms, 1);
        const char *r = match(ms, s + i, ep + 1);
        if (r) return r;
    }
    return NULL;
}

static const char *min_expand(struct mstate *ms, const char *s, const char *p, const char *ep)
{
    for (;;) {
        step(ms, 1);
        const char *r = match(ms, s, ep + 1);
        if (r) return r;
        if (!single_match(ms, s, p, ep)) return NULL;
        s++;
    }
}

static const char *start_capture(struct mstate *ms, const char *s, const char *p, ptrdiff_t what)
{
    if (ms->level >= MAX_CAPTURES) luaL_error(ms->L, "too many captures");
    ms->cap[ms->level].init = s;
    ms->cap[ms->level].len = what;
    ms->level++;
    const char *r = match(ms, s, p);
    if (!r) ms->level--;
    return r;
}

static const char *end_capture(struct mstate *ms, const char *s, const char *p)
{
    int l = -1;
    for (int i = ms->level - 1; i >= 0; i--)
        if (ms->cap[i].len == CAP_UNFINISHED) {
            l = i;
            break;
        }
    if (l < 0) luaL_error(ms->L, "invalid pattern capture");
    ms->cap[l].len = s - ms->cap[l].init;
    const char *r = match(ms, s, p);
    if (!r) ms->cap[l].len = CAP_UNFINISHED;
    return r;
}

static const char *match_backref(struct mstate *ms, const char *s, int c)
{
    int l = c - '1';
    if (l < 0 || l >= ms->level || ms->cap[l].len == CAP_UNFINISHED)
        luaL_error(ms->L, "invalid capture index %%%d", l + 1);
    size_t len = (size_t)ms->cap[l].len;
    step(ms, len / 16 + 1);
    if ((size_t)(ms->src_end - s) >= len && memcmp(ms->cap[l].init, s, len) == 0) return s + len;
    return NULL;
}

static const char *match_balance(struct mstate *ms, const char *s, const char *p)
{
    if (p + 1 >= ms->pat_end) luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
    if (s >= ms->src_end || *s != *p) return NULL;
    char b = p[0], e = p[1];
    int open = 1;
    const char *start = s;
    while (++s < ms->src_end) {
        if (*s == e) {
            if (--open == 0) {
                step(ms, (uint64_t)(s - start));
                return s + 1;
            }
        } else if (*s == b) {
            open++;
        }
    }
    step(ms, (uint64_t)(s - start));
    return NULL;
}

static const char *match(struct mstate *ms, const char *s, const char *p)
{
    if (ms->depth-- == 0) luaL_error(ms->L, "pattern too complex");
    for (;;) {
        step(ms, 1);
        if (p >= ms->pat_end) break;
        if (*p == '(') {
            if (p + 1 < ms->pat_end && p[1] == ')')
                s = start_capture(ms, s, p + 2, CAP_POSITION);
            else
                s = start_capture(ms, s, p + 1, CAP_UNFINISHED);
            break;
        }
        if (*p == ')') {
            s = end_capture(ms, s, p + 1);
            break;
        }
        if (*p == '$' && p + 1 == ms->pat_end) {
            if (s != ms->src_end) s = NULL;
            break;
        }
        if (*p == '%' && p + 1 < ms->pat_end && p[1] == 'b') {
            s = match_balance(ms, s, p + 2);
            if (!s) break;
            p += 4;
            continue;
        }
        if (*p == '%' && p + 1 < ms->pat_end && p[1] == 'f') {
            p += 2;
            if (p >= ms->pat_end || *p != '[')
                luaL_error(ms->L, "missing '[' after '%%f' in pattern");
            const char *ep = class_end(ms, p);
            int prev = s == ms->src ? 0 : (unsigned char)s[-1];
            int cur = s < ms->src_end ? (unsigned char)*s : 0;
            if (!set_match(prev, p, ep - 1) && set_match(cur, p, ep - 1)) {
                p = ep;
                continue;
            }
            s = NULL;
            break;
        }
        if (*p == '%' && p + 1 < ms->pat_end && isdigit((unsigned char)p[1])) {
            s = match_backref(ms, s, (unsigned char)p[1]);
            if (!s) break;
            p += 2;
            continue;
        }
        const char *ep = class_end(ms, p);
        char q = ep < ms->pat_end ? *ep : '\0';
        if (!single_match(ms, s, p, ep)) {
            if (q == '*' || q == '?' || q == '-') { /* the item may match nothing */
                p = ep + 1;
                continue;
            }
            s = NULL;
            break;
        }
        if (q == '?') {
            const char *r = match(ms, s + 1, ep + 1);
            if (r) {
                s = r;
                break;
            }
            p = ep + 1;
            continue;
        }
        if (q == '+') {
            s = max_expand(ms, s + 1, p, ep);
            break;
        }
        if (q == '*') {
            s = max_expand(ms, s, p, ep);
            break;
        }
        if (q == '-') {
            s = min_expand(ms, s, p, ep);
            break;
        }
        s++;
        p = ep;
    }
    ms->depth++;
    return s;
}

/* ---- captures ---- */

static void push_capture(struct mstate *ms, int i, const char *s, const char *e)
{
    if (i >= ms->level) {
        if (i != 0) luaL_error(ms->L, "invalid capture index %%%d", i + 1);
        lua_pushlstring(ms->L, s, (size_t)(e - s)); /* the whole match */
        return;
    }
    ptrdiff_t l = ms->cap[i].len;
    if (l == CAP_UNFINISHED) luaL_error(ms->L, "unfinished capture");
    if (l == CAP_POSITION)
        lua_pushinteger(ms->L, (ms->cap[i].init - ms->src) + 1);
    else
        lua_pushlstring(ms->L, ms->cap[i].init, (size_t)l);
}

/* Pushes every capture (or the whole match when there is none and s is
 * given); returns how many. */
static int push_captures(struct mstate *ms, const char *s, const char *e)
{
    int n = (ms->level == 0 && s) ? 1 : ms->level;
    luaL_checkstack(ms->L, n, "too many captures");
    for (int i = 0; i < n; i++)
        push_capture(ms, i, s, e);
    return n;
}

static void ms_init(struct mstate *ms, lua_State *L, const char *s, size_t ls, const char *p,
                    size_t lp)
{
    memset(ms, 0, sizeof *ms);
    ms->L = L;
    ms->src = s;
    ms->src_end = s + ls;
    ms->pat = p;
    ms->pat_end = p + lp;
}

static void ms_reset(struct mstate *ms)
{
    ms->level = 0;
    ms->depth = MATCH_MAX_DEPTH;
}

static void ms_done(struct mstate *ms)
{
    if (ms->steps) box_charge(ms->L, ms->steps);
    ms->steps = 0;
}

/* Lua's rule for a start position: negative counts from the end. */
static size_t start_pos(lua_Integer pos, size_t len)
{
    if (pos > 0) return (size_t)pos;
    if (pos == 0) return 1;
    if (pos < -(lua_Integer)len) return 1;
    return len + (size_t)pos + 1;
}

/* A plain search, charged by the bytes compared. */
static const char *plain_find(struct mstate *ms, const char *s, size_t ls, const char *p, size_t lp)
{
    if (lp == 0) return s;
    if (lp > ls) return NULL;
    const char *end = s + (ls - lp) + 1;
    while (s < end) {
        const char *hit = memchr(s, *p, (size_t)(end - s));
        step(ms, (uint64_t)((hit ? hit : end) - s) / 64 + 1);
        if (!hit) return NULL;
        step(ms, lp / 16 + 1);
        if (memcmp(hit + 1, p + 1, lp - 1) == 0) return hit;
        s = hit + 1;
    }
    return NULL;
}

/* No magic character anywhere (zero bytes included). */
static bool no_specials(const char *p, size_t l)
{
    size_t upto = 0;
    do {
        if (strpbrk(p + upto, SPECIALS)) return false;
        upto += strlen(p + upto) + 1;
    } while (upto <= l);
    return true;
}

static int find_aux(lua_State *L, bool find)
{
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_pos(luaL_optinteger(L, 3, 1), ls);
    if (init > ls + 1) {
        luaL_pushfail(L);
        return 1;
    }
    struct mstate ms;
    ms_init(&ms, L, s, ls, p, lp);
    if (find && (lua_toboolean(L, 4) || no_specials(p, lp))) {
        const char *hit = plain_find(&ms, s + init - 1, ls - init + 1, p, lp);
        ms_done(&ms);
        if (!hit) {
            luaL_pushfail(L);
            return 1;
        }
        lua_pushinteger(L, (hit - s) + 1);
        lua_pushinteger(L, (hit - s) + (lua_Integer)lp);
        return 2;
    }
    const char *s1 = s + init - 1;
    bool anchor = lp > 0 && *p == '^';
    if (anchor) {
        ms.pat++;
    }
    do {
        ms_reset(&ms);
        const char *e = match(&ms, s1, ms.pat);
        if (e) {
            ms_done(&ms);
            if (find) {
                lua_pushinteger(L, (s1 - s) + 1);
                lua_pushinteger(L, e - s);
                return push_captures(&ms, NULL, NULL) + 2;
            }
            return push_captures(&ms, s1, e);
        }
    } while (s1++ < ms.src_end && !anchor);
    ms_done(&ms);
    luaL_pushfail(L);
    return 1;
}

static int m_find(lua_State *L)
{
    return find_aux(L, true);
}

static int m_match(lua_State *L)
{
    return find_aux(L, false);
}

/* ---- gmatch ---- */

struct gm_state {
    size_t pos;     /* next start, as an offset */
    ptrdiff_t last; /* end of the last match, -1 = none */
};

static int gmatch_next(lua_State *L)
{
    size_t ls, lp;
    const char *s = lua_tolstring(L, lua_upvalueindex(1), &ls);
    const char *p = lua_tolstring(L, lua_upvalueindex(2), &lp);
    struct gm_state *g = lua_touserdata(L, lua_upvalueindex(3));
    struct mstate ms;
    ms_init(&ms, L, s, ls, p, lp);
    for (const char *src = s + g->pos; src <= ms.src_end; src++) {
        ms_reset(&ms);
        const char *e = match(&ms, src, p);
        if (e && (g->last < 0 || e != s + g->last)) {
            g->pos = (size_t)(e - s);
            g->last = e - s;
            ms_done(&ms);
            return push_captures(&ms, src, e);
        }
    }
    ms_done(&ms);
    g->pos = ls + 1;
    return 0;
}

static int m_gmatch(lua_State *L)
{
    size_t ls;
    luaL_checklstring(L, 1, &ls);
    luaL_checkstring(L, 2);
    size_t init = start_pos(luaL_optinteger(L, 3, 1), ls);
    lua_settop(L, 2);
    struct gm_state *g = lua_newuserdatauv(L, sizeof *g, 0);
    g->pos = init > ls + 1 ? ls + 1 : init - 1;
    g->last = -1;
    lua_pushcclosure(L, gmatch_next, 3);
    return 1;
}

/* ---- gsub ---- */

static void add_value(struct mstate *ms, luaL_Buffer *b, const char *s, const char *e, int tr)
{
    lua_State *L = ms->L;
    if (tr == LUA_TSTRING || tr == LUA_TNUMBER) {
        size_t l;
        const char *r = lua_tolstring(L, 3, &l);
        step(ms, l / 16 + 1);
        for (size_t i = 0; i < l; i++) {
            if (r[i] != '%') {
                luaL_addchar(b, r[i]);
                continue;
            }
            i++;
            if (i >= l || r[i] == '%') {
                if (i >= l) luaL_error(L, "invalid use of '%%' in replacement string");
                luaL_addchar(b, '%');
            } else if (r[i] == '0') {
                luaL_addlstring(b, s, (size_t)(e - s));
            } else if (isdigit((unsigned char)r[i])) {
                push_capture(ms, r[i] - '1', s, e);
                luaL_tolstring(L, -1, NULL);
                lua_remove(L, -2);
                luaL_addvalue(b);
            } else {
                luaL_error(L, "invalid use of '%%' in replacement string");
            }
        }
        return;
    }
    if (tr == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int n = push_captures(ms, s, e);
        lua_call(L, n, 1);
    } else {
        push_capture(ms, 0, s, e);
        lua_gettable(L, 3);
    }
    if (!lua_toboolean(L, -1)) { /* nil or false: keep the original text */
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
    } else if (!lua_isstring(L, -1)) {
        luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    } else {
        luaL_addvalue(b);
    }
}

static int m_gsub(lua_State *L)
{
    size_t ls, lp;
    const char *src = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    int tr = lua_type(L, 3);
    lua_Integer max = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
    luaL_argexpected(
        L, tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION || tr == LUA_TTABLE, 3,
        "string/function/table");
    bool anchor = lp > 0 && *p == '^';
    if (anchor) {
        p++;
        lp--;
    }
    struct mstate ms;
    ms_init(&ms, L, src, ls, p, lp);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    const char *s = src, *last = NULL;
    lua_Integer n = 0;
    while (n < max) {
        ms_reset(&ms);
        const char *e = match(&ms, s, p);
        if (e && e != last) {
            n++;
            add_value(&ms, &b, s, e, tr);
            s = last = e;
        } else if (s < ms.src_end) {
            luaL_addchar(&b, *s++);
        } else {
            break;
        }
        if (anchor) break;
    }
    step(&ms, (uint64_t)(ms.src_end - s) / 64);
    luaL_addlstring(&b, s, (size_t)(ms.src_end - s));
    ms_done(&ms);
    luaL_pushresult(&b);
    lua_pushinteger(L, n);
    return 2;
}

void lua_match_register(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"find", m_find}, {"match", m_match}, {"gmatch", m_gmatch}, {"gsub", m_gsub}, {NULL, NULL}};
    lua_pushglobaltable(L);
    lua_getfield(L, -1, LUA_STRLIBNAME);
    luaL_setfuncs(L, fns, 0);
    lua_pop(L, 2);
}
