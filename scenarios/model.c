/* model.c - the scenario model's lifetime and lookups: freeing a (possibly
 * half-filled) model, finding a node by name, and model_load, which picks
 * the loader by the file's extension. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void expect_free(struct model_expect *x)
{
    free(x->contains);
    free(x->not_contains);
    free(x->matches);
}

static void services_free(struct model_services *s)
{
    if (!s) return;
    for (int k = 0; k < s->dns.n_records && s->dns.records; k++) {
        free(s->dns.records[k].name);
        free(s->dns.records[k].type);
        free(s->dns.records[k].value);
    }
    free(s->dns.records);
    free(s);
}

/* Safe on a model that a loader abandoned half-way: every count matches an
 * allocated, zero-initialised array, and absent strings are NULL. */
void model_free(struct model *m)
{
    if (!m) return;
    for (int i = 0; i < m->n_nodes && m->nodes; i++) {
        struct model_node *n = &m->nodes[i];
        free(n->name);
        for (int k = 0; k < n->n_ifaces && n->ifaces; k++)
            free(n->ifaces[k].name);
        free(n->ifaces);
        for (int k = 0; k < n->n_routes && n->routes; k++)
            free(n->routes[k].dev);
        free(n->routes);
        services_free(n->services);
        if (n->dhcp_server) free(n->dhcp_server->iface);
        free(n->dhcp_server);
    }
    free(m->nodes);
    for (int i = 0; i < m->n_links && m->links; i++) {
        struct model_link *l = &m->links[i];
        free(l->a_node);
        free(l->a_iface);
        free(l->b_node);
        free(l->b_iface);
    }
    free(m->links);
    for (int i = 0; i < m->n_events && m->events; i++) {
        struct model_event *ev = &m->events[i];
        free(ev->node);
        free(ev->run);
        for (int k = 0; k < ev->n_input && ev->input; k++)
            free(ev->input[k]);
        free(ev->input);
        expect_free(&ev->expect);
    }
    free(m->events);
    for (int i = 0; i < m->n_pexpects && m->pexpects; i++) {
        free(m->pexpects[i].summary);
        free(m->pexpects[i].on);
        free(m->pexpects[i].protocol);
    }
    free(m->pexpects);
    free(m->file);
    free(m->name);
    free(m->description);
    free(m);
}

/* Linear: callers look up a handful of names; the loader keeps its own hash
 * table for the thousands of lookups a big topology needs. */
struct model_node *model_find_node(const struct model *m, const char *name)
{
    if (!m || !name) return NULL;
    for (int i = 0; i < m->n_nodes; i++)
        if (m->nodes[i].name && strcmp(m->nodes[i].name, name) == 0) return &m->nodes[i];
    return NULL;
}

struct model *model_load(const char *path, struct model_error *err)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash) && strcasecmp(dot, ".lua") == 0) {
        snprintf(err->text, sizeof err->text,
                 "%s: Lua scenarios are not supported yet (coming in a later release); write "
                 "the scenario in JSON",
                 path);
        return NULL;
    }
    return model_load_json(path, err);
}
