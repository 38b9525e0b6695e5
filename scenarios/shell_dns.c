/* shell_dns.c - names in the host shell: the asynchronous lookup ping and
 * traceroute use (a dotted quad, a scenario node name as /etc/hosts would
 * give, else DNS through the node's stub resolver), and the DNS tools
 * nslookup and dig, with output in the shapes BIND 9.18's tools print.
 *
 * dig here sends no EDNS option (as `dig +noedns`), so its output has no
 * OPT PSEUDOSECTION; its WHEN line is simulated time on the simulated
 * calendar (SIM_EPOCH_UNIX: time 0 is 2026-01-01 00:00:00 UTC), never the
 * wall clock. Both tools wait 5 s per
 * try and try 3 times, as BIND's tools do. */
#include "shell_priv.h"
#include "protocols/dns.h"
#include "protocols/ip4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define TOOL_TRIES 3

/* ---- name resolution for ping, traceroute, ... ---- */

struct shell_lookup {
    struct shell_proc *p;
    shell_resolved_fn fn;
    struct dns_query *q;
};

const char *shell_res_error(enum shell_res r)
{
    switch (r) {
    case SHELL_RES_NOTFOUND:
        return "Name or service not known";
    case SHELL_RES_NODATA:
        return "No address associated with hostname";
    case SHELL_RES_TEMPFAIL:
        return "Temporary failure in name resolution";
    default:
        return "Success";
    }
}

static void lookup_done(void *ctx, const struct dns_result *r)
{
    struct shell_lookup *l = ctx;
    struct shell_proc *p = l->p;
    shell_resolved_fn fn = l->fn;
    free(l);
    enum shell_res how;
    switch (r->status) {
    case DNS_ST_OK:
        how = r->n_addr ? SHELL_RES_DNS : SHELL_RES_NODATA;
        break;
    case DNS_ST_NXDOMAIN:
    case DNS_ST_BAD_NAME:
    case DNS_ST_NO_SERVER: /* no "dns": as if nsswitch said "hosts: files" */
        how = SHELL_RES_NOTFOUND;
        break;
    case DNS_ST_NODATA:
        how = SHELL_RES_NODATA;
        break;
    default:
        how = SHELL_RES_TEMPFAIL;
        break;
    }
    fn(p, how, how == SHELL_RES_DNS ? r->addr[0] : 0);
}

struct shell_lookup *shell_resolve_async(struct shell_proc *p, const char *name,
                                         shell_resolved_fn fn)
{
    uint32_t addr;
    if (ip4_parse_addr(name, &addr)) {
        fn(p, SHELL_RES_ADDR, addr);
        return NULL;
    }
    /* nsswitch's "files" before "dns": the scenario's node names play the
     * part of /etc/hosts */
    if (sim_find_node(p->sim, name)) {
        bool ok = shell_resolve(p->sim, name, &addr);
        fn(p, ok ? SHELL_RES_HOSTS : SHELL_RES_NOTFOUND, ok ? addr : 0);
        return NULL;
    }
    struct shell_lookup *l = calloc(1, sizeof *l);
    if (!l) abort();
    l->p = p;
    l->fn = fn;
    l->q = dns_query_start(node_stack(p->node), name, DNS_T_A, NULL, lookup_done, l);
    return l;
}

void shell_lookup_cancel(struct shell_lookup *l)
{
    if (!l) return;
    dns_query_cancel(l->q);
    free(l);
}

/* ---- what nslookup and dig share ---- */

/* A record's data as dig prints it ("10 mx1.galaxy.test."). */
static void rdata_text(const uint8_t *m, size_t len, const struct dns_rr *rr, char *out, size_t cap)
{
    char a[64];
    switch (rr->type) {
    case DNS_T_A:
        snprintf(out, cap, "%s", ip4_str(rr->a, a));
        break;
    case DNS_T_AAAA:
        snprintf(out, cap, "%s", dns_aaaa_str(rr->aaaa, a, sizeof a));
        break;
    case DNS_T_CNAME:
    case DNS_T_NS:
    case DNS_T_PTR:
        snprintf(out, cap, "%s.", rr->target);
        break;
    case DNS_T_MX:
        snprintf(out, cap, "%u %s.", rr->pref, rr->target);
        break;
    case DNS_T_SOA:
        snprintf(out, cap, "%s. %s. %u %u %u %u %u", rr->target, rr->rname, rr->soa[0], rr->soa[1],
                 rr->soa[2], rr->soa[3], rr->soa[4]);
        break;
    case DNS_T_TXT:
        if (dns_txt_text(m, len, rr, out, cap)) snprintf(out, cap, "\"\"");
        break;
    default: /* RFC 3597's generic form */
        snprintf(out, cap, "\\# %u", rr->rdlen);
        break;
    }
}

/* A name with its trailing dot, as the tools print it; the root is ".". */
static const char *fqdn(const char *name, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s.", name);
    return name[0] ? buf : ".";
}

/* The server a tool asks: its argument (an address or a node name), else
 * the node's first resolver. */
static bool tool_server(struct shell_proc *p, const char *arg, uint32_t *out)
{
    if (arg) return shell_resolve(p->sim, arg, out);
    struct netstack *st = node_stack(p->node);
    *out = st->n_dns ? st->dns[0] : 0;
    return true;
}

/* What dig and nslookup print as a lookup goes wrong, try by try. */
static void tool_progress(void *ctx, enum dns_progress what, uint32_t server)
{
    struct shell_proc *p = ctx;
    char a[16];
    ip4_str(server, a);
    switch (what) {
    case DNS_PR_TIMEOUT:
        proc_printf(p, ";; communications error to %s#53: timed out\n", a);
        break;
    case DNS_PR_REFUSED:
        proc_printf(p, ";; communications error to %s#53: connection refused\n", a);
        break;
    case DNS_PR_TRUNCATED:
        proc_printf(p, ";; Truncated, retrying in TCP mode.\n");
        break;
    case DNS_PR_NO_ROUTE:
        proc_printf(p, ";; UDP setup with %s#53(%s) failed: network unreachable.\n", a, a);
        break;
    case DNS_PR_UNREACH:
        proc_printf(p, ";; communications error to %s#53: host unreachable\n", a);
        break;
    }
}

/* ---- nslookup ---- */

struct nslookup {
    struct shell_proc *proc;
    char name[DNS_NAME_TEXT_MAX];
    uint16_t type;
    bool both; /* the default lookup: A, then AAAA */
    bool printed_server, any;
    uint32_t server;
    struct dns_query *q;
};

static void ns_free(void *s)
{
    struct nslookup *ns = s;
    if (!ns) return;
    dns_query_cancel(ns->q);
    free(ns);
}

static void ns_start(struct shell_proc *p, uint16_t type);

static void ns_done(void *ctx, const struct dns_result *r)
{
    struct shell_proc *p = ctx;
    struct nslookup *ns = p->state;
    ns->q = NULL;
    if (p->done) return;
    char a[16];
    if (r->status == DNS_ST_TIMEOUT || r->status == DNS_ST_NO_SERVER ||
        r->status == DNS_ST_NO_ROUTE || r->status == DNS_ST_REFUSED) {
        proc_printf(p, ";; %sno servers could be reached\n\n",
                    r->status == DNS_ST_TIMEOUT ? "connection timed out; " : "");
        proc_exit(p, 1);
        return;
    }
    if (!ns->printed_server) {
        proc_printf(p, "Server:\t\t%s\nAddress:\t%s#53\n\n", ip4_str(r->server, a), a);
        ns->printed_server = true;
    }
    if (r->status == DNS_ST_BAD_NAME) {
        proc_printf(p, "** server can't find %s: FORMERR\n\n", ns->name);
        proc_exit(p, 1);
        return;
    }
    struct dns_hdr h;
    if (!r->msg || dns_hdr_parse(r->msg, r->len, &h)) {
        proc_exit(p, 1);
        return;
    }
    unsigned rcode = h.flags & DNS_F_RCODE_MASK;
    if (rcode != DNS_R_NOERROR) {
        proc_printf(p, "** server can't find %s: %s\n\n", ns->name, dns_rcode_str(rcode));
        proc_exit(p, 1);
        return;
    }
    if (!(h.flags & DNS_F_AA) && h.an && !ns->any) proc_printf(p, "Non-authoritative answer:\n");
    size_t off = DNS_HDR_LEN;
    struct dns_question qq;
    bool bad = false;
    for (unsigned i = 0; i < h.qd && !bad; i++)
        bad = dns_question_read(r->msg, r->len, &off, &qq) != DNS_OK;
    struct dns_rr *rr = calloc(1, sizeof *rr);
    char *text = malloc(DNS_NAME_TEXT_MAX * 3);
    if (!rr || !text) abort();
    for (unsigned i = 0; i < h.an && !bad; i++) {
        if (dns_rr_read(r->msg, r->len, &off, rr)) break;
        char t[DNS_NAME_TEXT_MAX + 2];
        switch (rr->type) {
        case DNS_T_A:
        case DNS_T_AAAA:
            rdata_text(r->msg, r->len, rr, text, DNS_NAME_TEXT_MAX * 3);
            proc_printf(p, "Name:\t%s\nAddress: %s\n", rr->name, text);
            break;
        case DNS_T_CNAME:
            if (ns->type == DNS_T_AAAA && ns->both) break; /* said with the A answer */
            proc_printf(p, "%s\tcanonical name = %s\n", rr->name, fqdn(rr->target, t, sizeof t));
            break;
        case DNS_T_MX:
            proc_printf(p, "%s\tmail exchanger = %u %s\n", rr->name, rr->pref,
                        fqdn(rr->target, t, sizeof t));
            break;
        case DNS_T_NS:
            proc_printf(p, "%s\tnameserver = %s\n", rr->name, fqdn(rr->target, t, sizeof t));
            break;
        case DNS_T_PTR:
            proc_printf(p, "%s\tname = %s\n", rr->name, fqdn(rr->target, t, sizeof t));
            break;
        case DNS_T_TXT:
            rdata_text(r->msg, r->len, rr, text, DNS_NAME_TEXT_MAX * 3);
            proc_printf(p, "%s\ttext = %s\n", rr->name, text);
            break;
        case DNS_T_SOA:
            proc_printf(p,
                        "%s\n\torigin = %s\n\tmail addr = %s\n\tserial = %u\n\trefresh = %u\n"
                        "\tretry = %u\n\texpire = %u\n\tminimum = %u\n",
                        rr->name, rr->target, rr->rname, rr->soa[0], rr->soa[1], rr->soa[2],
                        rr->soa[3], rr->soa[4]);
            break;
        default:
            break;
        }
    }
    free(rr);
    free(text);
    ns->any = ns->any || r->status == DNS_ST_OK;
    if (ns->both && ns->type == DNS_T_A) {
        ns_start(p, DNS_T_AAAA); /* nslookup asks for both, like getaddrinfo */
        return;
    }
    if (!ns->any) proc_printf(p, "*** Can't find %s: No answer\n", ns->name);
    proc_printf(p, "\n");
    proc_exit(p, 0);
}

static void ns_start(struct shell_proc *p, uint16_t type)
{
    struct nslookup *ns = p->state;
    ns->type = type;
    struct dns_query_opts o = {.server = ns->server,
                               .tries = TOOL_TRIES,
                               .any_rcode = true,
                               .who = "nslookup",
                               .progress = tool_progress};
    ns->q = dns_query_start(node_stack(p->node), ns->name, type, &o, ns_done, p);
}

void cmd_nslookup(struct shell_proc *p, int argc, char **argv)
{
    struct nslookup *ns = calloc(1, sizeof *ns);
    if (!ns) abort();
    ns->proc = p;
    p->state = ns;
    p->free_state = ns_free;
    const char *name = NULL, *server = NULL;
    uint16_t type = DNS_T_A;
    bool typed = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = strchr(a, '=');
        if (a[0] == '-' && eq &&
            (!strncmp(a, "-type=", 6) || !strncmp(a, "-query=", 7) || !strncmp(a, "-q=", 3) ||
             !strncmp(a, "-t=", 3))) {
            type = dns_type_parse(eq + 1);
            typed = true;
            if (!type) {
                proc_printf(p, "unknown query type: %s\n", eq + 1);
                proc_exit(p, 1);
                return;
            }
        } else if (a[0] == '-') {
            proc_printf(p, "*** Invalid option: %s\n", a + 1);
        } else if (!name) {
            name = a;
        } else if (!server) {
            server = a;
        }
    }
    if (!name) {
        proc_printf(p, "Usage: nslookup [-type=TYPE] NAME [SERVER]   (interactive mode is not "
                       "available here)\n");
        proc_exit(p, 1);
        return;
    }
    snprintf(ns->name, sizeof ns->name, "%s", name);
    if (!tool_server(p, server, &ns->server)) {
        proc_printf(p, "nslookup: couldn't get address for '%s': not found\n", server);
        proc_exit(p, 1);
        return;
    }
    if (!ns->server) {
        proc_printf(p, ";; connection timed out; no servers could be reached\n\n");
        proc_exit(p, 1);
        return;
    }
    ns->both = !typed;
    ns_start(p, type);
}

/* ---- dig ---- */

struct dig {
    struct shell_proc *proc;
    char name[DNS_NAME_TEXT_MAX];
    char args[512];
    uint16_t type;
    bool at_server, short_out, tcp;
    uint32_t server;
    struct dns_query *q;
};

static void dig_free(void *s)
{
    struct dig *d = s;
    if (!d) return;
    dns_query_cancel(d->q);
    free(d);
}

/* A line laid out in BIND's columns; col counts characters as a terminal
 * shows them, tabs expanded to multiples of 8. */
struct col_line {
    char s[DNS_NAME_TEXT_MAX * 4];
    size_t len, col;
};

static void col_put(struct col_line *b, const char *t)
{
    int n = snprintf(b->s + b->len, sizeof b->s - b->len, "%s", t);
    if (n < 0) return;
    size_t k = (size_t)n < sizeof b->s - b->len ? (size_t)n : sizeof b->s - b->len - 1;
    b->len += k;
    b->col += k;
}

/* masterdump.c's indent(): tabs up to the column, at least one separator */
static void col_pad(struct col_line *b, size_t to)
{
    if (to < b->col + 1) to = b->col + 1;
    size_t tabs = to / 8 - b->col / 8, spaces = tabs ? to % 8 : to - b->col;
    while ((tabs || spaces) && b->len + 1 < sizeof b->s) {
        b->s[b->len++] = tabs ? '\t' : ' ';
        if (tabs)
            tabs--;
        else
            spaces--;
    }
    b->s[b->len] = 0;
    b->col = to;
}

/* "owner ttl class type rdata" in dig's columns 24, 32, 40 and 48. */
static void dig_line(struct shell_proc *p, const char *owner, const char *ttl, const char *type,
                     const char *rdata)
{
    struct col_line *b = calloc(1, sizeof *b);
    if (!b) abort();
    col_put(b, owner);
    col_pad(b, 24);
    col_put(b, ttl);
    col_pad(b, 32);
    col_put(b, "IN");
    col_pad(b, 40);
    col_put(b, type);
    if (rdata) {
        col_pad(b, 48);
        col_put(b, rdata);
    }
    proc_printf(p, "%s\n", b->s);
    free(b);
}

static void dig_print(struct shell_proc *p, struct dig *d, const struct dns_result *r)
{
    struct dns_hdr h;
    if (dns_hdr_parse(r->msg, r->len, &h)) return;
    static const char *const opnames[] = {"QUERY",      "IQUERY",     "STATUS",     "RESERVED3",
                                          "NOTIFY",     "UPDATE",     "RESERVED6",  "RESERVED7",
                                          "RESERVED8",  "RESERVED9",  "RESERVED10", "RESERVED11",
                                          "RESERVED12", "RESERVED13", "RESERVED14", "RESERVED15"};
    struct dns_rr *rr = calloc(1, sizeof *rr);
    char *text = malloc(DNS_NAME_TEXT_MAX * 3);
    if (!rr || !text) abort();
    char t[DNS_NAME_TEXT_MAX + 2], tb[16];
    if (d->short_out) {
        size_t off = DNS_HDR_LEN;
        struct dns_question qq;
        bool ok = true;
        for (unsigned i = 0; i < h.qd && ok; i++)
            ok = dns_question_read(r->msg, r->len, &off, &qq) == DNS_OK;
        for (unsigned i = 0; i < h.an && ok; i++) {
            ok = dns_rr_read(r->msg, r->len, &off, rr) == DNS_OK;
            if (!ok) break;
            rdata_text(r->msg, r->len, rr, text, DNS_NAME_TEXT_MAX * 3);
            proc_printf(p, "%s\n", text);
        }
        free(rr);
        free(text);
        return;
    }
    proc_printf(p, ";; Got answer:\n");
    proc_printf(p, ";; ->>HEADER<<- opcode: %s, status: %s, id: %u\n", opnames[dns_opcode(h.flags)],
                dns_rcode_str(h.flags & DNS_F_RCODE_MASK), h.id);
    static const struct {
        uint16_t bit;
        const char *name;
    } flags[] = {{DNS_F_QR, "qr"}, {DNS_F_AA, "aa"}, {DNS_F_TC, "tc"}, {DNS_F_RD, "rd"},
                 {DNS_F_RA, "ra"}, {DNS_F_AD, "ad"}, {DNS_F_CD, "cd"}};
    char fl[40] = "";
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (h.flags & flags[i].bit) {
            strcat(fl, " ");
            strcat(fl, flags[i].name);
        }
    proc_printf(p, ";; flags:%s; QUERY: %u, ANSWER: %u, AUTHORITY: %u, ADDITIONAL: %u\n", fl, h.qd,
                h.an, h.ns, h.ar);
    if ((h.flags & DNS_F_RD) && !(h.flags & DNS_F_RA))
        proc_printf(p, ";; WARNING: recursion requested but not available\n");
    proc_printf(p, "\n");
    size_t off = DNS_HDR_LEN;
    bool ok = true;
    if (h.qd) proc_printf(p, ";; QUESTION SECTION:\n");
    for (unsigned i = 0; i < h.qd && ok; i++) {
        struct dns_question qq;
        ok = dns_question_read(r->msg, r->len, &off, &qq) == DNS_OK;
        if (!ok) break;
        char owner[DNS_NAME_TEXT_MAX + 4];
        snprintf(owner, sizeof owner, ";%s", fqdn(qq.name, t, sizeof t));
        dig_line(p, owner, "", dns_type_str(qq.type, tb, sizeof tb), NULL);
    }
    static const char *const sections[] = {"ANSWER", "AUTHORITY", "ADDITIONAL"};
    unsigned counts[3] = {h.an, h.ns, h.ar};
    for (int s = 0; s < 3 && ok; s++) {
        if (!counts[s]) continue;
        proc_printf(p, "\n;; %s SECTION:\n", sections[s]);
        for (unsigned i = 0; i < counts[s] && ok; i++) {
            ok = dns_rr_read(r->msg, r->len, &off, rr) == DNS_OK;
            if (!ok) break;
            rdata_text(r->msg, r->len, rr, text, DNS_NAME_TEXT_MAX * 3);
            char ttl[16];
            snprintf(ttl, sizeof ttl, "%u", rr->ttl);
            dig_line(p, fqdn(rr->name, t, sizeof t), ttl, dns_type_str(rr->type, tb, sizeof tb),
                     text);
        }
    }
    if (!ok) proc_printf(p, ";; Warning: Message parser reports malformed message packet.\n");
    free(rr);
    free(text);
    char a[16], when[64];
    time_t secs = (time_t)(SIM_EPOCH_UNIX + sim_now(p->sim) / SIM_S);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(when, sizeof when, "%a %b %d %H:%M:%S UTC %Y", &tm);
    proc_printf(p,
                "\n;; Query time: %lld msec\n;; SERVER: %s#53(%s) (%s)\n;; WHEN: %s\n"
                ";; MSG SIZE  rcvd: %zu\n\n",
                (long long)(r->rtt / SIM_MS), ip4_str(r->server, a), a, r->tcp ? "TCP" : "UDP",
                when, r->len);
}

static void dig_banner(struct shell_proc *p, const struct dig *d)
{
    proc_printf(p, "\n; <<>> DiG 9.18.28-netstep <<>>%s\n", d->args);
    if (d->at_server) proc_printf(p, "; (1 server found)\n");
    proc_printf(p, ";; global options: +cmd\n");
}

static void dig_done(void *ctx, const struct dns_result *r)
{
    struct shell_proc *p = ctx;
    struct dig *d = p->state;
    d->q = NULL;
    if (p->done) return;
    if (!r->msg) {
        if (!d->short_out) {
            dig_banner(p, d);
            proc_printf(p, ";; no servers could be reached\n\n");
        }
        proc_exit(p, 9);
        return;
    }
    if (!d->short_out) dig_banner(p, d);
    dig_print(p, d, r);
    proc_exit(p, 0);
}

void cmd_dig(struct shell_proc *p, int argc, char **argv)
{
    struct dig *d = calloc(1, sizeof *d);
    if (!d) abort();
    d->proc = p;
    p->state = d;
    p->free_state = dig_free;
    const char *name = NULL, *server = NULL;
    uint16_t type = 0;
    size_t o = 0;
    for (int i = 1; i < argc; i++) {
        int n = snprintf(d->args + o, sizeof d->args - o, " %s", argv[i]);
        if (n > 0 && (size_t)n < sizeof d->args - o) o += (size_t)n;
        const char *a = argv[i];
        if (a[0] == '@') {
            server = a + 1;
        } else if (!strcmp(a, "+short")) {
            d->short_out = true;
        } else if (!strcmp(a, "+tcp") || !strcmp(a, "+vc")) {
            d->tcp = true;
        } else if (a[0] == '+') {
            /* other query options are accepted and ignored */
        } else if (!strcmp(a, "-t") && i + 1 < argc) {
            type = dns_type_parse(argv[++i]);
            if (!type) {
                proc_printf(p, "dig: invalid type %s\n", argv[i]);
                proc_exit(p, 1);
                return;
            }
        } else if (a[0] == '-') {
            proc_printf(p, "Invalid option: %s\nUsage:  dig [@server] [type] name [+short]\n", a);
            proc_exit(p, 1);
            return;
        } else if (!type && !name && dns_type_parse(a) && strncasecmp(a, "TYPE", 4) != 0) {
            type = dns_type_parse(a);
        } else if (!name) {
            name = a;
        } else if (!type && dns_type_parse(a)) {
            type = dns_type_parse(a);
        } else {
            name = a; /* dig takes the last name given */
        }
    }
    if (!name) {
        name = ".";
        if (!type) type = DNS_T_NS; /* dig with no name asks for the root servers */
    }
    if (!type) type = DNS_T_A;
    d->type = type;
    d->at_server = server != NULL;
    snprintf(d->name, sizeof d->name, "%s", name);
    if (!tool_server(p, server, &d->server)) {
        proc_printf(p, "dig: couldn't get address for '%s': not found\n", server);
        proc_exit(p, 10);
        return;
    }
    if (!d->server) {
        dig_banner(p, d);
        proc_printf(p, ";; no servers could be reached\n\n");
        proc_exit(p, 9);
        return;
    }
    struct dns_query_opts qo = {.server = d->server,
                                .tries = TOOL_TRIES,
                                .any_rcode = true,
                                .tcp = d->tcp,
                                .who = "dig",
                                .progress = tool_progress};
    d->q = dns_query_start(node_stack(p->node), d->name, type, &qo, dig_done, p);
}
