/* model.c - the scenario model's lifetime and lookups: freeing a (possibly
 * half-filled) model, finding a node by name, and model_load, which picks
 * the loader by the file's extension. */
#include "model.h"
#include "lua_scenario.h"

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

static void svc_files_free(struct model_svc_file *f, int n)
{
    for (int k = 0; k < n && f; k++) {
        free(f[k].path);
        free(f[k].content);
    }
    free(f);
}

static void svc_accounts_free(struct model_svc_account *a, int n)
{
    for (int k = 0; k < n && a; k++) {
        free(a[k].user);
        free(a[k].password);
    }
    free(a);
}

static void services_free(struct model_services *s)
{
    if (!s) return;
    svc_files_free(s->ftp.files, s->ftp.n_files);
    svc_accounts_free(s->ftp.accounts, s->ftp.n_accounts);
    svc_files_free(s->telnet.files, s->telnet.n_files);
    svc_accounts_free(s->telnet.accounts, s->telnet.n_accounts);
    free(s->telnet.banner);
    for (int k = 0; k < s->dns.n_records && s->dns.records; k++) {
        free(s->dns.records[k].name);
        free(s->dns.records[k].type);
        free(s->dns.records[k].value);
    }
    free(s->dns.records);
    for (int k = 0; k < s->http.n_files && s->http.files; k++) {
        free(s->http.files[k].path);
        free(s->http.files[k].content);
        free(s->http.files[k].type);
    }
    free(s->http.files);
    for (int k = 0; k < s->whois.n_records && s->whois.records; k++) {
        free(s->whois.records[k].name);
        free(s->whois.records[k].text);
    }
    free(s->whois.records);
    for (int k = 0; k < s->mail.n_accounts && s->mail.accounts; k++) {
        free(s->mail.accounts[k].user);
        free(s->mail.accounts[k].password);
    }
    free(s->mail.accounts);
    for (int k = 0; k < s->mail.n_msgs && s->mail.msgs; k++) {
        struct model_mail_msg *mm = &s->mail.msgs[k];
        free(mm->user);
        free(mm->folder);
        free(mm->from);
        free(mm->to);
        free(mm->subject);
        free(mm->body);
    }
    free(s->mail.msgs);
    free(s->mail.domain);
    free(s);
}

/* Safe on a model that a loader abandoned half-way: every count matches an
 * allocated, zero-initialised array, and absent strings are NULL. */
static void model_pki_free(struct model_pki *p)
{
    if (!p) return;
    for (int i = 0; i < p->n_signs && p->signs; i++) {
        for (int k = 0; k < p->signs[i].n_names && p->signs[i].names; k++)
            free(p->signs[i].names[k]);
        free(p->signs[i].names);
        free(p->signs[i].node);
    }
    free(p->signs);
    for (int i = 0; i < p->n_trusted_by && p->trusted_by; i++)
        free(p->trusted_by[i]);
    free(p->trusted_by);
    free(p->ca_name);
    free(p);
}

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
        if (n->nat) {
            for (int k = 0; k < n->nat->n_inside && n->nat->inside; k++)
                free(n->nat->inside[k]);
            free(n->nat->inside);
            free(n->nat->outside);
            free(n->nat->forwards);
            free(n->nat);
        }
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
    model_pki_free(m->pki);
    lua_scenario_free(m->lua);
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

struct model *model_load_with(const char *path, const struct model_load_opts *o,
                              struct model_error *err)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash) && strcasecmp(dot, ".lua") == 0)
        return lua_scenario_load(path, o, err);
    return model_load_json(path, err);
}

struct model *model_load(const char *path, struct model_error *err)
{
    return model_load_with(path, NULL, err);
}
