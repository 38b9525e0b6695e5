/* build.c - model -> sim. See build.h. */
#include "build.h"
#include "protocols/dhcp.h"
#include "protocols/dns.h"
#include "protocols/echo.h"
#include "protocols/stack.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

/* The node's DNS server from its "services.dns" records (checked by the
 * loader already). Returns false with a message on failure. */
static bool build_dns_server(struct netstack *st, const struct model_svc_dns *d, char *why,
                             size_t n)
{
    struct dns_db db = {0};
    for (int r = 0; r < d->n_records; r++) {
        struct dns_record rec;
        const struct model_dns_record *mr = &d->records[r];
        if (!dns_record_parse(mr->name, mr->type, mr->value, mr->ttl, &rec, why, n)) {
            dns_db_free(&db);
            return false;
        }
        dns_db_add(&db, &rec);
    }
    dns_db_finish(&db);
    if (dns_server_start(st, &db) < 0) {
        dns_db_free(&db);
        snprintf(why, n, "UDP port 53 is already taken");
        return false;
    }
    return true;
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
            /* "ip": "dhcp": no address until `dhclient IFACE` gets a lease */
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
        if (mn->dhcp_server) {
            const struct model_dhcp_server *ds = mn->dhcp_server;
            struct dhcp_server_conf c = {.pool_lo = ds->pool_lo,
                                         .pool_hi = ds->pool_hi,
                                         .gateway = ds->gateway,
                                         .n_dns = ds->n_dns,
                                         .lease_s = (uint32_t)(ds->lease / SIM_S)};
            memcpy(c.dns, ds->dns, sizeof c.dns);
            char why[200];
            struct iface *ifc = node_find_iface(n, ds->iface);
            if (!ifc || !dhcp_server_start(st, ifc, &c, why, sizeof why))
                return build_fail(sim, err, m, ds->line, "nodes[%d].dhcp_server: %s", i,
                                  ifc ? why : "no such interface");
        }
        st->n_dns = mn->n_dns;
        memcpy(st->dns, mn->dns, sizeof st->dns);
        char dns_why[300];
        if (mn->services && mn->services->has_dns &&
            !build_dns_server(st, &mn->services->dns, dns_why, sizeof dns_why))
            return build_fail(sim, err, m, mn->services->line, "nodes[%d].services.dns: %s", i,
                              dns_why);
        if (mn->services && mn->services->has_echo && echo_start(st) < 0)
            return build_fail(sim, err, m, mn->services->echo.line,
                              "nodes[%d].services.echo: port 7 is already taken", i);
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
