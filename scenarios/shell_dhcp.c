/* shell_dhcp.c - the DHCP commands of the host shell:
 *   dhclient [-r] [IFACE]   ISC dhclient: gets a lease (exit 0 once bound,
 *                           2 when no server answers within 60 s); -r
 *                           releases it. The lease then lives on in the
 *                           background (renewal, rebinding, expiry), its
 *                           messages shown as the node's output.
 *   show dhcp leases        on routers (also `show ip dhcp binding`)
 *   dhcp-lease-list         on any node that runs a DHCP server (ISC's
 *                           tool of that name)
 * The lease table lists every address the server has handed out, with the
 * words ISC dhcpd uses for binding states: active, offered, free (given
 * back or expired; the server remembers who had it), abandoned (declined). */
#include "shell_priv.h"
#include "protocols/dhcp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dhclient {
    struct netstack *st;
    struct iface *ifc;
    struct shell_proc *proc;
};

static void dhclient_line(void *ctx, const char *text)
{
    proc_printf(ctx, "%s\n", text);
}

static void dhclient_done(void *ctx, int code)
{
    proc_exit(ctx, code);
}

/* Once the process is gone nothing may call back into it. Processes are
 * freed before their simulation, so the stack is still there. */
static void dhclient_free(void *state)
{
    struct dhclient *d = state;
    dhcp_client_detach(d->st, d->ifc, d->proc);
    free(d);
}

/* Ctrl-C (or the end of the run): the client goes on in the background,
 * as dhclient does once it forks into a daemon. */
static void dhclient_interrupt(struct shell_proc *p)
{
    struct dhclient *d = p->state;
    dhcp_client_detach(d->st, d->ifc, p);
}

void cmd_dhclient(struct shell_proc *p, int argc, char **argv)
{
    struct netstack *st = node_stack(p->node);
    bool release = false;
    const char *ifname = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-r") == 0 || strcmp(argv[i], "-x") == 0)
            release = true;
        else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "-1") == 0 ||
                 strcmp(argv[i], "-d") == 0 || strcmp(argv[i], "-4") == 0)
            continue; /* verbose, once, foreground, IPv4: what we do anyway */
        else if (argv[i][0] == '-') {
            proc_printf(p, "Unknown command: %s\nUsage: dhclient [-r] [interface]\n", argv[i]);
            proc_exit(p, 1);
            return;
        } else if (!ifname) {
            ifname = argv[i];
        } else {
            proc_printf(p, "dhclient: one interface at a time, please\n");
            proc_exit(p, 1);
            return;
        }
    }
    struct iface *ifc =
        ifname ? node_find_iface(p->node, ifname) : (p->node->n_ifaces ? p->node->ifaces[0] : NULL);
    if (!ifc) {
        proc_printf(p, "Error getting hardware address for \"%s\": No such device\n",
                    ifname ? ifname : "eth0");
        proc_exit(p, 1);
        return;
    }
    struct dhcp_client_ui ui = {dhclient_line, dhclient_done, p};
    if (release) {
        dhcp_client_release(st, ifc, &ui);
        proc_exit(p, 0);
        return;
    }
    struct dhclient *d = calloc(1, sizeof *d);
    if (!d) abort();
    d->st = st;
    d->ifc = ifc;
    d->proc = p;
    p->state = d;
    p->free_state = dhclient_free;
    p->finish = dhclient_interrupt;
    if (dhcp_client_start(st, ifc, &ui) == DHCP_CLIENT_BUSY) {
        proc_printf(p, "dhclient is already running on %s - exiting.\n", ifc->name);
        proc_exit(p, 1);
    }
}

static void print_leases(struct shell_proc *p, struct netstack *st)
{
    sim_time now = sim_now(p->sim);
    for (uint32_t i = 0; i < dhcp_server_count(st); i++) {
        struct dhcp_server *s = dhcp_server_at(st, i);
        char a[16], b[16], m[18];
        uint32_t counts[5] = {0};
        for (uint32_t k = 0; k < s->n; k++)
            counts[dhcp_server_lease(s, s->conf.pool_lo + k, now)->state]++;
        proc_printf(p,
                    "Pool on %s: %s-%s (%u addresses), lease %u s: %u active, %u offered, "
                    "%u abandoned\n",
                    s->ifc->name, ip4_str(s->conf.pool_lo, a), ip4_str(s->conf.pool_hi, b), s->n,
                    s->conf.lease_s, counts[DL_BOUND], counts[DL_OFFERED], counts[DL_DECLINED]);
        proc_printf(p, "IP address       Hardware address   Expires (sim time)  State      "
                       "Hostname\n");
        for (uint32_t k = 0; k < s->n; k++) {
            const struct dhcp_lease *l = dhcp_server_lease(s, s->conf.pool_lo + k, now);
            if (l->state == DL_FREE) continue;
            static const char *const words[] = {"free", "offered", "active", "free", "abandoned"};
            char exp[32] = "-";
            if (l->state != DL_RELEASED) {
                if (l->expires == SIM_TIME_MAX)
                    snprintf(exp, sizeof exp, "never");
                else
                    sim_time_format(l->expires, exp, sizeof exp);
            }
            proc_printf(p, "%-16s %-18s %-19s %-10s %s\n", ip4_str(l->addr, a),
                        l->has_client ? mac_str(l->chaddr, m) : "-", exp, words[l->state],
                        l->hostname[0] ? l->hostname : "-");
        }
    }
}

bool show_dhcp_cmd(struct shell_proc *p, int argc, char **argv)
{
    if (p->node->kind != NODE_ROUTER || argc < 3) return false;
    bool leases = shell_word_is(argv[1], "dhcp", 4) && shell_word_is(argv[2], "leases", 1);
    bool binding = argc >= 4 && shell_word_is(argv[1], "ip", 2) &&
                   shell_word_is(argv[2], "dhcp", 4) && shell_word_is(argv[3], "binding", 1);
    if (!leases && !binding) return false;
    struct netstack *st = node_stack(p->node);
    if (!dhcp_server_count(st)) {
        proc_printf(p, "%% No DHCP server runs on %s\n", p->node->name);
        return true;
    }
    print_leases(p, st);
    return true;
}

void cmd_dhcp_lease_list(struct shell_proc *p, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    struct netstack *st = node_stack(p->node);
    if (!dhcp_server_count(st)) {
        proc_printf(p, "dhcp-lease-list: no DHCP server runs on %s\n", p->node->name);
        proc_exit(p, 1);
        return;
    }
    print_leases(p, st);
    proc_exit(p, 0);
}
