/* lua_sock.c - sockets for a scenario's own toy protocols, so a teacher can
 * write a protocol in Lua and watch it on the wire:
 *
 *   s = udp_open(node, port, function(data, ip, port, s) ... end)
 *   s:sendto(ip, port, data)   s:port()   s:close()
 *
 *   l = tcp_listen(node, port, function(conn) conn:on{...} end)   l:close()
 *   c = tcp_connect(node, ip, port, {connected = fn, data = fn, line = fn,
 *                                    peer_closed = fn, closed = fn})
 *   c:send(text)  c:close()  c:abort()  c:on{...}  c:peer()  c:state()
 *
 * Built on protocols/udp.h and tcp.h: the datagrams and segments are the
 * stack's own, byte-exact, and every step is traced as for any other
 * application. A TCP connection keeps what the send buffer cannot take yet
 * and feeds it as acknowledgements free space, so c:send takes any amount;
 * c:close sends FIN after it. With a `line` handler what arrives is cut
 * into lines (CRLF or LF, ends removed), with `data` it comes as it
 * arrives; both may be set. Handlers get the connection first. */
#include "lua_priv.h"
#include "protocols/tcp.h"
#include "protocols/udp.h"

#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES 65536 /* a longer line is handed over in pieces */

/* ---- UDP ---- */

struct lua_udp {
    struct lua_run *lr;
    struct udp_sock *s;
    int h_recv, self_ref;
};

static void udp_obj_free(void *obj)
{
    free(obj); /* the socket itself goes with the node's stack */
}

static struct lua_udp *check_udp(lua_State *L)
{
    struct lua_udp **u = luaL_checkudata(L, 1, "netstep.udp");
    return *u;
}

static void udp_recv_cb(void *ctx, struct udp_sock *s, const struct udp_meta *m,
                        const uint8_t *data, size_t len)
{
    (void)s;
    struct lua_udp *u = ctx;
    if (u->h_recv == LUA_NOREF) return;
    lua_State *L = lua_run_box_L(u->lr);
    if (!L) return;
    char a[16];
    lua_rawgeti(L, LUA_REGISTRYINDEX, u->h_recv);
    lua_pushlstring(L, (const char *)data, len);
    lua_pushstring(L, ip4_str(m->src, a));
    lua_pushinteger(L, m->sport);
    lua_rawgeti(L, LUA_REGISTRYINDEX, u->self_ref);
    lua_run_call(u->lr, 4);
}

static int udp_m_sendto(lua_State *L)
{
    struct lua_udp *u = check_udp(L);
    const char *ip = luaL_checkstring(L, 2);
    lua_Integer port = luaL_checkinteger(L, 3);
    size_t len;
    const char *data = luaL_checklstring(L, 4, &len);
    uint32_t dst;
    if (!ip4_parse_addr(ip, &dst))
        return luaL_error(L, "sendto(): expected an address like \"10.0.0.2\", got %s", ip);
    if (port < 1 || port > 65535) return luaL_error(L, "sendto(): port must be 1 to 65535");
    if (len > 65507) return luaL_error(L, "sendto(): a UDP datagram holds at most 65507 bytes");
    if (!u->s) return luaL_error(L, "sendto(): the socket is closed");
    int rc = udp_sendto(u->s, dst, (uint16_t)port, data, len, NULL);
    if (rc < 0) {
        luaL_pushfail(L);
        lua_pushliteral(L, "Network is unreachable");
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int udp_m_port(lua_State *L)
{
    struct lua_udp *u = check_udp(L);
    if (!u->s) return 0;
    lua_pushinteger(L, udp_local_port(u->s));
    return 1;
}

static int udp_m_close(lua_State *L)
{
    struct lua_udp *u = check_udp(L);
    if (u->s) udp_close(u->s);
    u->s = NULL;
    return 0;
}

/* udp_open(node, port, on_recv): port 0 = an ephemeral one. */
static int l_udp_open(lua_State *L)
{
    struct node *n = lua_check_node(L, 1, "udp_open()");
    struct lua_run *lr = lua_run_of(L);
    lua_Integer port = luaL_optinteger(L, 2, 0);
    if (port < 0 || port > 65535) return luaL_error(L, "udp_open(): port must be 0 to 65535");
    struct netstack *st = node_stack(n);
    if (!st || n->kind == NODE_SWITCH || n->kind == NODE_HUB)
        return luaL_error(L, "udp_open(): %s is a %s and has no IP stack", n->name,
                          node_kind_name(n->kind));
    struct lua_udp *u = calloc(1, sizeof *u);
    if (!u) abort();
    lua_run_adopt(lr, u, udp_obj_free);
    u->lr = lr;
    u->h_recv = lua_keep_fn(L, 3, "udp_open()", true);
    u->s = udp_open(st, 0, (uint16_t)port, udp_recv_cb, u);
    if (!u->s) return luaL_error(L, "udp_open(): port %d on %s is taken", (int)port, n->name);
    struct lua_udp **h = lua_newuserdatauv(L, sizeof *h, 0);
    *h = u;
    if (luaL_newmetatable(L, "netstep.udp")) {
        static const luaL_Reg m[] = {
            {"sendto", udp_m_sendto}, {"port", udp_m_port}, {"close", udp_m_close}, {NULL, NULL}};
        luaL_newlib(L, m);
        lua_setfield(L, -2, "__index");
    }
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    u->self_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 1;
}

/* ---- TCP ---- */

enum { H_CONNECTED, H_DATA, H_LINE, H_PEER_CLOSED, H_CLOSED, H_COUNT };
static const char *const handler_names[H_COUNT] = {"connected", "data", "line", "peer_closed",
                                                   "closed"};

struct lua_conn {
    struct lua_run *lr;
    struct tcp_conn *c; /* NULL once closed for the app */
    int h[H_COUNT];
    int self_ref;
    char *out; /* not yet taken by TCP */
    size_t out_len, out_off, out_cap;
    bool close_pending;
    char *line;
    size_t line_len, line_cap;
};

struct lua_listener {
    struct lua_run *lr;
    struct tcp_listener *l;
    struct node *node;
    int h_accept;
};

static void conn_free(void *obj)
{
    struct lua_conn *k = obj;
    free(k->out);
    free(k->line);
    free(k);
}

static void flush(struct lua_conn *k)
{
    if (!k->c) return;
    while (k->out_off < k->out_len) {
        size_t n = tcp_send(k->c, k->out + k->out_off, k->out_len - k->out_off);
        if (n == 0) break;
        k->out_off += n;
    }
    if (k->out_off < k->out_len) {
        tcp_want_writable(k->c);
        return;
    }
    k->out_off = k->out_len = 0;
    if (k->close_pending) {
        k->close_pending = false;
        tcp_close(k->c);
    }
}

/* Calls handler h of k with the connection and `extra` values pushed
 * already (they sit on the stack top). */
static void conn_call(struct lua_conn *k, int h, int extra)
{
    lua_State *L = lua_run_state(k->lr);
    if (k->h[h] == LUA_NOREF) {
        lua_pop(L, extra);
        return;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, k->h[h]);
    lua_rawgeti(L, LUA_REGISTRYINDEX, k->self_ref);
    if (extra) {
        lua_rotate(L, -(extra + 2), 2);
    }
    lua_run_call(k->lr, 1 + extra);
}

static void deliver_line(struct lua_conn *k)
{
    lua_State *L = lua_run_box_L(k->lr);
    if (!L) return;
    size_t n = k->line_len;
    if (n && k->line[n - 1] == '\r') n--;
    lua_pushlstring(L, k->line, n);
    k->line_len = 0;
    conn_call(k, H_LINE, 1);
}

static void cb_connected(void *ctx, struct tcp_conn *c)
{
    (void)c;
    struct lua_conn *k = ctx;
    conn_call(k, H_CONNECTED, 0);
    flush(k);
}

static void cb_recv(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    (void)c;
    struct lua_conn *k = ctx;
    lua_State *L = lua_run_box_L(k->lr);
    if (!L) return;
    if (k->h[H_DATA] != LUA_NOREF) {
        lua_pushlstring(L, (const char *)data, len);
        conn_call(k, H_DATA, 1);
    }
    if (k->h[H_LINE] == LUA_NOREF) return;
    for (size_t i = 0; i < len && k->c; i++) {
        if (data[i] == '\n' || k->line_len == LINE_MAX_BYTES) {
            deliver_line(k);
            if (data[i] == '\n') continue;
        }
        if (k->line_len == k->line_cap) {
            k->line_cap = k->line_cap ? k->line_cap * 2 : 256;
            k->line = realloc(k->line, k->line_cap);
            if (!k->line) abort();
        }
        k->line[k->line_len++] = (char)data[i];
    }
}

static void cb_peer_closed(void *ctx, struct tcp_conn *c)
{
    (void)c;
    struct lua_conn *k = ctx;
    if (k->line_len && k->h[H_LINE] != LUA_NOREF) deliver_line(k);
    conn_call(k, H_PEER_CLOSED, 0);
}

static void cb_writable(void *ctx, struct tcp_conn *c, size_t space)
{
    (void)c;
    (void)space;
    flush(ctx);
}

static void cb_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    struct lua_conn *k = ctx;
    k->c = NULL;
    lua_State *L = lua_run_box_L(k->lr);
    if (!L) return;
    lua_pushstring(L, why == TCP_REASON_CLOSED ? "closed" : tcp_reason_str(why));
    conn_call(k, H_CLOSED, 1);
}

static const struct tcp_callbacks conn_cbs = {cb_connected, cb_recv, cb_peer_closed, cb_writable,
                                              cb_closed};

static struct lua_conn *check_conn(lua_State *L)
{
    struct lua_conn **k = luaL_checkudata(L, 1, "netstep.tcp");
    return *k;
}

/* Sets the handlers named in the table at idx (unknown names are errors). */
static void set_handlers(lua_State *L, struct lua_conn *k, int idx, const char *fn)
{
    idx = lua_absindex(L, idx);
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_Integer n = box_sorted_keys(L, idx);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
        int h = -1;
        for (int j = 0; j < H_COUNT; j++)
            if (strcmp(key, handler_names[j]) == 0) h = j;
        if (h < 0)
            luaL_error(L, "%s: unknown handler \"%s\" (connected, data, line, peer_closed, closed)",
                       fn, key);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    for (int j = 0; j < H_COUNT; j++) {
        lua_getfield(L, idx, handler_names[j]);
        if (!lua_isnil(L, -1)) {
            if (k->h[j] != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, k->h[j]);
            k->h[j] = lua_keep_fn(L, -1, fn, false);
        }
        lua_pop(L, 1);
    }
}

static int conn_m_send(lua_State *L)
{
    struct lua_conn *k = check_conn(L);
    size_t len;
    const char *s = luaL_checklstring(L, 2, &len);
    if (!k->c || k->close_pending) {
        luaL_pushfail(L);
        lua_pushliteral(L, "the connection is closed");
        return 2;
    }
    if (k->out_len + len > k->out_cap) {
        size_t cap = k->out_cap ? k->out_cap : 1024;
        while (cap < k->out_len + len)
            cap *= 2;
        if (cap > (64u << 20)) return luaL_error(L, "send(): more than 64 MiB waiting to be sent");
        k->out = realloc(k->out, cap);
        if (!k->out) abort();
        k->out_cap = cap;
    }
    memcpy(k->out + k->out_len, s, len);
    k->out_len += len;
    box_charge(L, len / 64);
    flush(k);
    lua_pushboolean(L, 1);
    return 1;
}

static int conn_m_close(lua_State *L)
{
    struct lua_conn *k = check_conn(L);
    if (!k->c) return 0;
    k->close_pending = true;
    flush(k);
    return 0;
}

static int conn_m_abort(lua_State *L)
{
    struct lua_conn *k = check_conn(L);
    if (!k->c) return 0;
    struct tcp_conn *c = k->c;
    k->c = NULL;
    tcp_abort(c); /* no callback follows */
    return 0;
}

static int conn_m_on(lua_State *L)
{
    struct lua_conn *k = check_conn(L);
    set_handlers(L, k, 2, "on()");
    lua_settop(L, 1);
    return 1;
}

static int conn_m_peer(lua_State *L)
{
    struct lua_conn *k = check_conn(L);
    if (!k->c) return 0;
    char a[16];
    lua_pushstring(L, ip4_str(tcp_remote_addr(k->c), a));
    lua_pushinteger(L, tcp_remote_port(k->c));
    return 2;
}

static int conn_m_state(lua_State *L)
{
    struct lua_conn *k = check_conn(L);
    lua_pushstring(L, k->c ? tcp_state_name(tcp_get_state(k->c)) : "CLOSED");
    return 1;
}

static struct lua_conn *conn_new(lua_State *L, struct lua_run *lr)
{
    struct lua_conn *k = calloc(1, sizeof *k);
    if (!k) abort();
    lua_run_adopt(lr, k, conn_free);
    k->lr = lr;
    for (int j = 0; j < H_COUNT; j++)
        k->h[j] = LUA_NOREF;
    struct lua_conn **h = lua_newuserdatauv(L, sizeof *h, 0);
    *h = k;
    if (luaL_newmetatable(L, "netstep.tcp")) {
        static const luaL_Reg m[] = {
            {"send", conn_m_send}, {"close", conn_m_close}, {"abort", conn_m_abort},
            {"on", conn_m_on},     {"peer", conn_m_peer},   {"state", conn_m_state},
            {NULL, NULL}};
        luaL_newlib(L, m);
        lua_setfield(L, -2, "__index");
    }
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    k->self_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return k;
}

static void cb_accept(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    struct lua_listener *ls = ctx;
    lua_State *L = lua_run_box_L(ls->lr);
    if (!L) {
        tcp_abort(c);
        return;
    }
    struct lua_conn *k = conn_new(L, ls->lr); /* pushes the handle */
    k->c = c;
    tcp_set_callbacks(c, &conn_cbs, k);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ls->h_accept);
    lua_insert(L, -2);
    lua_run_call(ls->lr, 1);
    flush(k);
}

static int listener_m_close(lua_State *L)
{
    struct lua_listener **p = luaL_checkudata(L, 1, "netstep.listener");
    if ((*p)->l) tcp_unlisten((*p)->l);
    (*p)->l = NULL;
    return 0;
}

/* tcp_listen(node, port, on_accept) */
static int l_tcp_listen(lua_State *L)
{
    struct node *n = lua_check_node(L, 1, "tcp_listen()");
    struct lua_run *lr = lua_run_of(L);
    lua_Integer port = luaL_checkinteger(L, 2);
    if (port < 1 || port > 65535) return luaL_error(L, "tcp_listen(): port must be 1 to 65535");
    struct netstack *st = node_stack(n);
    if (!st || n->kind == NODE_SWITCH || n->kind == NODE_HUB)
        return luaL_error(L, "tcp_listen(): %s is a %s and has no IP stack", n->name,
                          node_kind_name(n->kind));
    struct lua_listener *ls = calloc(1, sizeof *ls);
    if (!ls) abort();
    lua_run_adopt(lr, ls, free);
    ls->lr = lr;
    ls->node = n;
    ls->h_accept = lua_keep_fn(L, 3, "tcp_listen()", false);
    ls->l = tcp_listen(st, 0, (uint16_t)port, cb_accept, ls);
    if (!ls->l) return luaL_error(L, "tcp_listen(): port %d on %s is taken", (int)port, n->name);
    struct lua_listener **h = lua_newuserdatauv(L, sizeof *h, 0);
    *h = ls;
    if (luaL_newmetatable(L, "netstep.listener")) {
        static const luaL_Reg m[] = {{"close", listener_m_close}, {NULL, NULL}};
        luaL_newlib(L, m);
        lua_setfield(L, -2, "__index");
    }
    lua_setmetatable(L, -2);
    return 1;
}

/* tcp_connect(node, ip, port [, handlers]) */
static int l_tcp_connect(lua_State *L)
{
    lua_settop(L, 4); /* the handlers (or nil) at 4, whatever was given */
    struct node *n = lua_check_node(L, 1, "tcp_connect()");
    struct lua_run *lr = lua_run_of(L);
    const char *ip = luaL_checkstring(L, 2);
    lua_Integer port = luaL_checkinteger(L, 3);
    uint32_t dst;
    if (!ip4_parse_addr(ip, &dst))
        return luaL_error(L, "tcp_connect(): expected an address like \"10.0.0.2\", got %s", ip);
    if (port < 1 || port > 65535) return luaL_error(L, "tcp_connect(): port must be 1 to 65535");
    struct netstack *st = node_stack(n);
    if (!st || n->kind == NODE_SWITCH || n->kind == NODE_HUB)
        return luaL_error(L, "tcp_connect(): %s is a %s and has no IP stack", n->name,
                          node_kind_name(n->kind));
    struct lua_conn *k = conn_new(L, lr);
    int handle = lua_gettop(L);
    if (!lua_isnoneornil(L, 4)) set_handlers(L, k, 4, "tcp_connect()");
    k->c = tcp_connect(st, dst, (uint16_t)port, &conn_cbs, k);
    if (!k->c) {
        luaL_pushfail(L);
        lua_pushliteral(L, "Network is unreachable");
        return 2;
    }
    lua_pushvalue(L, handle);
    return 1;
}

void lua_sock_register(lua_State *L)
{
    static const luaL_Reg fns[] = {{"udp_open", l_udp_open},
                                   {"tcp_listen", l_tcp_listen},
                                   {"tcp_connect", l_tcp_connect},
                                   {NULL, NULL}};
    lua_pushglobaltable(L);
    luaL_setfuncs(L, fns, 0);
    lua_pop(L, 1);
}
