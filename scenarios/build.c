/* build.c - model -> sim. See build.h. */
#include "build.h"
#include "protocols/dhcp.h"
#include "protocols/dns.h"
#include "protocols/echo.h"
#include "protocols/ftp.h"
#include "protocols/http.h"
#include "protocols/mail.h"
#include "protocols/nat.h"
#include "protocols/stack.h"
#include "protocols/telnetd.h"
#include "protocols/tls.h"
#include "protocols/whois.h"
#include "build_tls.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The node's web server from "services.http" (paths checked by the
 * loader). False when port 80 is taken. */
/* Contents of a service's file: its text, or generated text of its size. */
static uint8_t *svc_file_bytes(const struct model_svc_file *f)
{
    uint8_t *b = malloc(f->size ? f->size : 1);
    if (!b) abort();
    if (f->content)
        memcpy(b, f->content, f->size);
    else
        ftp_fill_text(b, f->size);
    return b;
}

/* The FTP server from "services.ftp" (checked by the loader). */
static bool build_ftp_server(struct netstack *st, const struct model_svc_ftp *f)
{
    struct ftp_conf c = {.anonymous = f->anonymous,
                         .n_acc = f->n_accounts,
                         .tls = f->tls ? tls_node_server_conf(st, NULL) : NULL, /* FTPS, 990 */
                         .no_plain = f->no_plain};
    c.acc = calloc((size_t)(f->n_accounts ? f->n_accounts : 1), sizeof *c.acc);
    if (!c.acc) abort();
    for (int k = 0; k < f->n_accounts; k++) {
        c.acc[k].user = strdup(f->accounts[k].user);
        c.acc[k].pass = strdup(f->accounts[k].password);
        if (!c.acc[k].user || !c.acc[k].pass) abort();
    }
    ftp_fs_init(&c.fs);
    for (int k = 0; k < f->n_files; k++) {
        uint8_t *b = svc_file_bytes(&f->files[k]);
        ftp_fs_add(&c.fs, f->files[k].path, b, f->files[k].size, FTP_UID_ROOT);
        free(b);
    }
    if (ftp_server_start(st, &c) == 0) return true;
    for (int k = 0; k < c.n_acc; k++) {
        free(c.acc[k].user);
        free(c.acc[k].pass);
    }
    free(c.acc);
    ftp_fs_free(&c.fs);
    return false;
}

/* The telnet server from "services.telnet" (checked by the loader). */
static bool build_telnetd(struct netstack *st, const struct model_svc_telnet *t)
{
    struct telnetd_conf c = {.n_acc = t->n_accounts, .n_files = t->n_files};
    c.acc = calloc((size_t)(t->n_accounts ? t->n_accounts : 1), sizeof *c.acc);
    c.files = calloc((size_t)(t->n_files ? t->n_files : 1), sizeof *c.files);
    if (!c.acc || !c.files) abort();
    for (int k = 0; k < t->n_accounts; k++) {
        c.acc[k].user = strdup(t->accounts[k].user);
        c.acc[k].pass = strdup(t->accounts[k].password);
        if (!c.acc[k].user || !c.acc[k].pass) abort();
    }
    for (int k = 0; k < t->n_files; k++) {
        c.files[k].name = strdup(t->files[k].path);
        if (!c.files[k].name) abort();
        c.files[k].data = svc_file_bytes(&t->files[k]);
        c.files[k].len = t->files[k].size;
    }
    if (t->banner) {
        c.banner = strdup(t->banner);
        if (!c.banner) abort();
    }
    if (telnetd_start(st, &c) == 0) return true;
    telnetd_conf_clear(&c);
    return false;
}

static bool build_http_server(struct netstack *st, const struct model_svc_http *h)
{
    struct http_site site = {0};
    for (int k = 0; k < h->n_files; k++) {
        const struct model_http_file *f = &h->files[k];
        if (f->content)
            http_site_add(&site, f->path, f->content, f->size, f->type, f->chunked);
        else
            http_site_add_sized(&site, f->path, f->size, f->type, f->chunked);
    }
    site.idle_timeout = h->idle_timeout;
    http_site_finish(&site);
    if (http_server_start(st, &site) < 0) {
        http_site_free(&site);
        return false;
    }
    /* HTTPS on 443 (tls.h), the node's certificate set by build_tls */
    if (h->tls && http_server_tls(st, tls_node_server_conf(st, "http/1.1"), !h->no_plain) < 0)
        return false;
    return true;
}

/* The node's WHOIS registry from "services.whois". False when port 43 is
 * taken. */
static bool build_whois_server(struct netstack *st, const struct model_svc_whois *w)
{
    struct whois_db db = {0};
    for (int k = 0; k < w->n_records; k++)
        whois_db_add(&db, w->records[k].name, w->records[k].text);
    if (whois_server_start(st, &db) < 0) {
        whois_db_free(&db);
        return false;
    }
    return true;
}

/* The node's SMTP, POP3 and IMAP servers over one store, with the
 * accounts and messages of all three entries (merged and checked by the
 * loader). Returns false with a message on failure. */
static bool build_mail_server(struct netstack *st, const struct model_svc_mail *ml, char *why,
                              size_t n)
{
    struct mail_conf conf = {ml->domain,
                             ml->smtp && !ml->smtp_no_plain,
                             ml->pop3 && !ml->pop3_no_plain,
                             ml->imap && !ml->imap_no_plain,
                             ml->smtp && ml->smtp_tls,
                             ml->pop3 && ml->pop3_tls,
                             ml->imap && ml->imap_tls,
                             tls_node_server_conf(st, NULL),
                             ml->smtp && ml->smtp_tls}; /* 587 with STARTTLS beside 465 */
    if (mail_start(st, &conf, why, n) < 0) return false;
    struct mail_store *store = mail_server_store(st);
    for (int k = 0; k < ml->n_accounts; k++)
        mail_account_add(store, ml->accounts[k].user, ml->accounts[k].password);
    for (int k = 0; k < ml->n_msgs; k++) {
        const struct model_mail_msg *mm = &ml->msgs[k];
        if (mail_server_prefill(st, mm->user, mm->folder, mm->from, mm->to, mm->subject, mm->body,
                                mm->seen) < 0) {
            snprintf(why, n, "mailboxes.%s: the mailbox cannot take message %d", mm->user, k);
            return false;
        }
    }
    return true;
}

/* NAT from the model's "nat" (names and addresses checked by the loader).
 * Returns NULL, or why it failed. */
static const char *build_nat(struct netstack *st, const struct model_nat *mn)
{
    struct iface *inside[256];
    struct iface *out = node_find_iface(st->node, mn->outside);
    int n_in = 0;
    for (int k = 0; k < mn->n_inside && n_in < 256; k++) {
        struct iface *ifc = node_find_iface(st->node, mn->inside[k]);
        if (ifc) inside[n_in++] = ifc;
    }
    struct nat_timeouts to;
    nat_default_timeouts(&to);
    if (mn->tcp) to.tcp = mn->tcp;
    if (mn->tcp_transitory) to.tcp_transitory = mn->tcp_transitory;
    if (mn->udp) to.udp = mn->udp;
    if (mn->icmp) to.icmp = mn->icmp;
    const char *why = NULL;
    if (n_in != mn->n_inside || !nat_start(st, out, inside, n_in, &to))
        why = "unknown or overlapping interfaces";
    for (int k = 0; !why && k < mn->n_forwards; k++) {
        const struct model_nat_forward *f = &mn->forwards[k];
        struct nat_forward nf = {f->proto, f->port, f->to_addr, f->to_port};
        if (nat_add_forward(st, &nf) < 0) why = "a forward is repeated, or there are too many";
    }
    return why;
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
    char tls_why[300];
    int tls_line = 0;
    if (!build_tls(sim, m, tls_why, sizeof tls_why, &tls_line))
        return build_fail(sim, err, m, tls_line, "%s", tls_why);
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
        const char *nat_why = mn->nat ? build_nat(st, mn->nat) : NULL;
        if (nat_why) return build_fail(sim, err, m, mn->nat->line, "nodes[%d].nat: %s", i, nat_why);
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
        if (mn->services && mn->services->has_http && !build_http_server(st, &mn->services->http))
            return build_fail(sim, err, m, mn->services->http.line,
                              "nodes[%d].services.http: TCP port 80 (or 443) is already taken", i);
        if (mn->services && mn->services->has_whois &&
            !build_whois_server(st, &mn->services->whois))
            return build_fail(sim, err, m, mn->services->whois.line,
                              "nodes[%d].services.whois: TCP port 43 is already taken", i);
        if (mn->services && mn->services->has_ftp && !build_ftp_server(st, &mn->services->ftp))
            return build_fail(sim, err, m, mn->services->ftp.line,
                              "nodes[%d].services.ftp: TCP port 21 is already taken", i);
        if (mn->services && mn->services->has_telnet && !build_telnetd(st, &mn->services->telnet))
            return build_fail(sim, err, m, mn->services->telnet.line,
                              "nodes[%d].services.telnet: TCP port 23 is already taken", i);
        char mail_why[300];
        if (mn->services &&
            (mn->services->mail.smtp || mn->services->mail.pop3 || mn->services->mail.imap) &&
            !build_mail_server(st, &mn->services->mail, mail_why, sizeof mail_why)) {
            const struct model_svc_mail *ml = &mn->services->mail;
            return build_fail(sim, err, m,
                              ml->smtp   ? ml->smtp_line
                              : ml->pop3 ? ml->pop3_line
                                         : ml->imap_line,
                              "nodes[%d].services.%s: %s", i,
                              ml->smtp   ? "smtp"
                              : ml->pop3 ? "pop3"
                                         : "imap",
                              mail_why);
        }
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
