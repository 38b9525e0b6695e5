/* build_tls.c - certificates and trust for a scenario's TLS services (see
 * build_tls.h and docs/scenario-format.md, "pki").
 *
 * A server's certificate names the node and every DNS name that points at
 * it: the A records of any DNS server in the scenario whose address is one
 * of the node's, then the "names" its "signs" entry adds (at most 8 in
 * all), so `curl https://www.harbor.test/` checks out without listing
 * names twice. Keys derive from the scenario's seed and the names, so a
 * run repeats byte for byte. */
#include "build_tls.h"
#include "protocols/stack.h"
#include "protocols/tls.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool node_has_addr(const struct model_node *mn, uint32_t a)
{
    for (int i = 0; i < mn->n_ifaces; i++)
        for (int k = 0; k < mn->ifaces[i].n_addr; k++)
            if (mn->ifaces[i].addr[k] == a) return true;
    return false;
}

static bool node_runs_tls(const struct model_node *mn)
{
    const struct model_services *sv = mn->services;
    return sv && ((sv->has_http && sv->http.tls) || sv->mail.smtp_tls || sv->mail.pop3_tls ||
                  sv->mail.imap_tls || (sv->has_ftp && sv->ftp.tls));
}

/* DNS names of the scenario that lead to mn, then extra. */
static int collect_names(const struct model *m, const struct model_node *mn, char **extra,
                         int n_extra, const char **out, int max)
{
    int n = 0;
    for (int i = 0; i < m->n_nodes; i++) {
        const struct model_services *sv = m->nodes[i].services;
        if (!sv || !sv->has_dns) continue;
        for (int k = 0; k < sv->dns.n_records && n < max; k++) {
            const struct model_dns_record *r = &sv->dns.records[k];
            uint32_t a;
            if (strcasecmp(r->type, "A") != 0 || !ip4_parse_addr(r->value, &a) ||
                !node_has_addr(mn, a))
                continue;
            size_t len = strlen(r->name);
            if (!tls_name_ok(r->name) || r->name[len - 1] == '.') continue;
            bool dup = false;
            for (int j = 0; j < n; j++)
                dup |= strcasecmp(out[j], r->name) == 0;
            if (!dup) out[n++] = r->name;
        }
    }
    for (int i = 0; i < n_extra && n < max; i++)
        out[n++] = extra[i];
    return n;
}

bool build_tls(struct sim *sim, const struct model *m, char *why, size_t n, int *line)
{
    const struct model_pki *pki = m->pki;
    struct tls_identity ca;
    uint64_t seed = sim_seed(sim);
    if (pki) {
        if (!tls_ca_make(&ca, seed, pki->ca_name, pki->ca_valid_days)) {
            snprintf(why, n, "pki.ca: cannot make a CA named \"%s\"", pki->ca_name);
            *line = pki->line;
            return false;
        }
        for (int i = 0; i < m->n_nodes; i++) {
            bool trusts = !pki->has_trusted_by;
            for (int k = 0; !trusts && k < pki->n_trusted_by; k++)
                trusts = strcmp(pki->trusted_by[k], m->nodes[i].name) == 0;
            struct netstack *st = node_stack(sim_node(sim, (uint32_t)i));
            if (trusts && st) tls_node_trust(st, &ca.cert);
        }
    }
    for (int i = 0; i < m->n_nodes; i++) {
        const struct model_node *mn = &m->nodes[i];
        struct netstack *st = node_stack(sim_node(sim, (uint32_t)i));
        if (!st || !node_runs_tls(mn)) continue;
        const struct model_pki_sign *sg = NULL;
        for (int k = 0; pki && k < pki->n_signs; k++)
            if (strcmp(pki->signs[k].node, mn->name) == 0) sg = &pki->signs[k];
        const char *names[TLS_CERT_SAN_MAX];
        int nn = collect_names(m, mn, sg ? sg->names : NULL, sg ? sg->n_names : 0, names,
                               TLS_CERT_SAN_MAX - 1);
        struct tls_identity id;
        if (!tls_identity_make(&id, seed, mn->name, names, nn, sg ? &ca : NULL,
                               sg ? sg->valid_days : 397)) {
            snprintf(why, n,
                     "nodes[%d]: \"%s\" cannot be a certificate's name (at most 64 characters, "
                     "no ',')",
                     i, mn->name);
            *line = mn->line;
            return false;
        }
        tls_node_set_identity(st, &id);
    }
    return true;
}
