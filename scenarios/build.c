/* build.c - model -> sim. See build.h. */
#include "build.h"
#include "protocols/stack.h"

#include <stdarg.h>
#include <stdio.h>

static struct sim *build_fail(struct sim *sim, struct model_error *err, const struct model *m,
                              int line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static struct sim *build_fail(struct sim *sim, struct model_error *err, const struct model *m,
                              int line, const char *fmt, ...)
{
    int n = snprintf(err->text, sizeof err->text, "%s:%d: ", m->file ? m->file : "-", line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->text + n, sizeof err->text - (size_t)n, fmt, ap);
    va_end(ap);
    sim_free(sim);
    return NULL;
}

static enum node_kind kind_of(const struct model_node *mn)
{
    return mn->kind;
}

struct sim *scenario_build(const struct model *m, uint64_t seed, struct model_error *err)
{
    struct sim *sim = sim_new(seed);
    for (int i = 0; i < m->n_nodes; i++) {
        const struct model_node *mn = &m->nodes[i];
        struct node *n = node_new(sim, mn->name, kind_of(mn));
        n->has_pos = mn->has_pos;
        n->x = mn->x;
        n->y = mn->y;
        if (mn->kind == NODE_SWITCH || mn->kind == NODE_HUB) {
            for (int p = 1; p <= mn->ports; p++) {
                char name[16];
                snprintf(name, sizeof name, "%d", p);
                iface_new(n, name, NULL);
            }
        }
        for (int k = 0; k < mn->n_ifaces; k++) {
            const struct model_iface *mi = &mn->ifaces[k];
            if (mi->dhcp)
                return build_fail(sim, err, m, mi->line,
                                  "nodes[%d].interfaces[%d].ip: \"dhcp\" needs DHCP, which this "
                                  "version of netstep does not implement yet; give an address "
                                  "like \"10.0.0.1/24\"",
                                  i, k);
            struct iface *ifc = iface_new(n, mi->name, mi->has_mac ? mi->mac : NULL);
            for (int a = 0; a < mi->n_addr; a++)
                iface_add_addr(ifc, mi->addr[a], mi->plen[a]);
        }
        stack_install(n);
    }
    for (int i = 0; i < m->n_nodes; i++) {
        const struct model_node *mn = &m->nodes[i];
        struct node *n = sim_node(sim, (uint32_t)i);
        struct netstack *st = node_stack(n);
        if (mn->gateway && stack_add_route(st, 0, 0, mn->gateway, NULL) < 0)
            return build_fail(sim, err, m, mn->line,
                              "nodes[%d].gateway: the gateway is not on any of %s's subnets", i,
                              mn->name);
        for (int r = 0; r < mn->n_routes; r++) {
            const struct model_route *mr = &mn->routes[r];
            struct iface *dev = NULL;
            if (mr->dev) {
                dev = node_find_iface(n, mr->dev);
                if (!dev)
                    return build_fail(sim, err, m, mr->line,
                                      "nodes[%d].routes[%d].dev: %s has no interface \"%s\"", i, r,
                                      mn->name, mr->dev);
            }
            if (stack_add_route(st, mr->dst, mr->plen, mr->via, dev) < 0) {
                char a[16];
                return build_fail(sim, err, m, mr->line,
                                  "nodes[%d].routes[%d].via: %s is not on any subnet of %s, so "
                                  "it cannot be a next hop",
                                  i, r, ip4_str(mr->via, a), mn->name);
            }
        }
    }
    for (int i = 0; i < m->n_links; i++) {
        const struct model_link *ml = &m->links[i];
        struct node *a = sim_find_node(sim, ml->a_node), *b = sim_find_node(sim, ml->b_node);
        struct iface *ia = a ? node_find_iface(a, ml->a_iface) : NULL;
        struct iface *ib = b ? node_find_iface(b, ml->b_iface) : NULL;
        if (!ia || !ib) return build_fail(sim, err, m, ml->line, "links[%d]: unknown endpoint", i);
        struct link *l = link_connect(sim, ia, ib, &ml->p);
        if (!l)
            return build_fail(sim, err, m, ml->line,
                              "links[%d]: an interface can take only one cable", i);
        if (ml->down) l->up = false;
    }
    return sim;
}
