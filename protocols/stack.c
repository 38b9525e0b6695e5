/* stack.c - installs the protocol stack a node's kind calls for, keeps its
 * routing table, and formats trace steps for every protocol module. */
#include "stack.h"
#include "arp.h"
#include "dns.h"
#include "dhcp.h"
#include "eth.h"
#include "ftp.h"
#include "http.h"
#include "ip4.h"
#include "l2switch.h"
#include "mail.h"
#include "nat.h"
#include "tcp.h"
#include "telnetd.h"
#include "tls.h"
#include "udp.h"
#include "whois.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void stack_free(void *p)
{
    struct netstack *st = p;
    if (!st) return;
    arp_free(&st->arp, st->sim);
    ip4_free(st);
    dns_free(st); /* closes its UDP sockets: before udp_free */
    udp_free(st);
    http_free(st); /* forget their text_conns: before tcp_free */
    whois_free(st);
    ftp_free(st);
    telnetd_free(st);
    mail_free(st);
    tls_free(st); /* TLS connections the apps left: before tcp_free */
    tcp_free(st);
    dhcp_free(st);
    nat_free(st);
    free(st->rt.r);
    mac_table_free(&st->mac);
    free(st);
}

struct netstack *stack_install(struct node *node)
{
    struct netstack *st = calloc(1, sizeof *st);
    if (!st) abort();
    st->node = node;
    st->sim = node->sim;
    st->default_ttl = IP4_DEFAULT_TTL;
    st->ip_id = (uint16_t)rng_next(&node->rng);
    node->stack = st;
    node->stack_free = stack_free;
    switch (node->kind) {
    case NODE_SWITCH:
        mac_table_init(&st->mac);
        node->input = switch_input;
        break;
    case NODE_HUB:
        mac_table_init(&st->mac); /* only its storm counters are used */
        node->input = hub_input;
        break;
    case NODE_ROUTER:
        st->forwarding = true;
        /* fall through */
    case NODE_HOST:
    case NODE_SERVER:
        arp_init(&st->arp);
        node->input = eth_input;
        for (uint32_t i = 0; i < node->n_ifaces; i++) {
            struct iface *ifc = node->ifaces[i];
            for (int k = 0; k < ifc->n_addr; k++)
                route_add(&st->rt, ifc->addr[k] & ip4_mask(ifc->plen[k]), ifc->plen[k], 0, ifc,
                          ROUTE_CONNECTED);
        }
        break;
    }
    return st;
}

int route_add(struct route_table *rt, uint32_t dst, uint8_t plen, uint32_t gw, struct iface *ifc,
              enum route_kind kind)
{
    if (plen > 32 || !ifc) return -1;
    if (rt->n == rt->cap) {
        rt->cap = rt->cap ? rt->cap * 2 : 8;
        struct route *nr = realloc(rt->r, rt->cap * sizeof *nr);
        if (!nr) abort();
        rt->r = nr;
    }
    uint32_t i = rt->n;
    while (i > 0 && rt->r[i - 1].plen < plen) {
        rt->r[i] = rt->r[i - 1];
        i--;
    }
    rt->r[i] = (struct route){dst & ip4_mask(plen), plen, gw, ifc, kind};
    rt->n++;
    return 0;
}

const struct route *route_lookup(const struct route_table *rt, uint32_t dst)
{
    /* Sorted longest prefix first, so the first match is the longest. A
     * linear scan is right for the handful of routes a teaching topology
     * has; a trie would pay off only past hundreds. */
    for (uint32_t i = 0; i < rt->n; i++) {
        const struct route *r = &rt->r[i];
        if ((dst & ip4_mask(r->plen)) == r->dst && r->ifc->up) return r;
    }
    return NULL;
}

int stack_add_route(struct netstack *st, uint32_t dst, uint8_t plen, uint32_t gw, struct iface *ifc)
{
    if (!ifc && gw) {
        const struct route *r = route_lookup(&st->rt, gw);
        if (!r || r->kind != ROUTE_CONNECTED) return -1;
        ifc = r->ifc;
    }
    return route_add(&st->rt, dst, plen, gw, ifc, ROUTE_STATIC);
}

int stack_add_addr(struct netstack *st, struct iface *ifc, uint32_t addr, uint8_t plen)
{
    if (iface_add_addr(ifc, addr, plen) < 0) return -1;
    return route_add(&st->rt, addr & ip4_mask(plen), plen, 0, ifc, ROUTE_CONNECTED);
}

int route_del(struct route_table *rt, uint32_t dst, uint8_t plen, uint32_t gw,
              const struct iface *ifc)
{
    for (uint32_t i = 0; i < rt->n; i++) {
        const struct route *r = &rt->r[i];
        if (r->dst == (dst & ip4_mask(plen)) && r->plen == plen && r->gw == gw && r->ifc == ifc) {
            memmove(&rt->r[i], &rt->r[i + 1], (rt->n - i - 1) * sizeof rt->r[0]);
            rt->n--;
            return 0;
        }
    }
    return -1;
}

int stack_del_addr(struct netstack *st, struct iface *ifc, uint32_t addr)
{
    for (int k = 0; k < ifc->n_addr; k++) {
        if (ifc->addr[k] != addr) continue;
        uint8_t plen = ifc->plen[k];
        size_t rest = (size_t)(ifc->n_addr - k - 1);
        memmove(&ifc->addr[k], &ifc->addr[k + 1], rest * sizeof ifc->addr[0]);
        memmove(&ifc->plen[k], &ifc->plen[k + 1], rest * sizeof ifc->plen[0]);
        ifc->n_addr--;
        /* the connected route goes unless another address keeps the subnet */
        bool kept = false;
        for (int j = 0; j < ifc->n_addr; j++)
            kept |= ifc->plen[j] == plen && ((ifc->addr[j] ^ addr) & ip4_mask(plen)) == 0;
        if (!kept) route_del(&st->rt, addr, plen, 0, ifc);
        return 0;
    }
    return -1;
}

bool stack_is_local(const struct netstack *st, uint32_t addr)
{
    const struct node *n = st->node;
    for (uint32_t i = 0; i < n->n_ifaces; i++) {
        const struct iface *ifc = n->ifaces[i];
        for (int k = 0; k < ifc->n_addr; k++)
            if (ifc->addr[k] == addr) return true;
    }
    return false;
}

uint32_t stack_source_addr(const struct netstack *st, uint32_t dst)
{
    if (stack_is_local(st, dst)) return dst;
    const struct route *r = route_lookup(&st->rt, dst);
    return r ? iface_addr(r->ifc) : 0;
}

uint32_t iface_addr(const struct iface *ifc)
{
    return ifc->n_addr ? ifc->addr[0] : 0;
}

void stack_step(struct sim *sim, unsigned level, const struct node *node, const struct iface *ifc,
                uint8_t layer, enum trace_kind kind, const struct pkt *p, const char *proto,
                const char *fmt, ...)
{
    char text[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    char *why = strchr(text, '\n');
    if (why) *why++ = 0;
    struct trace_step step = {
        .node = node,
        .iface = ifc,
        .layer = layer,
        .kind = kind,
        .level = level,
        .pkt_id = p ? p->id : 0,
        .proto = proto,
        .summary = text,
        .why = why ? why : "",
        .frame = p ? pkt_data(p) : NULL,
        .frame_len = p ? p->len : 0,
    };
    trace_emit(sim, &step);
}
