/* shell_nat.c - NAT in the router shell:
 *   show ip nat translations [verbose]   (IOS words may be shortened:
 *                                         `show ip nat tr`)
 *   show ip nat statistics
 * The table prints as Cisco IOS prints it for PAT: Pro, Inside global,
 * Inside local, Outside local, Outside global, one row per static forward
 * (with "---" outside) and one per flow, in the order they were made, then
 * "Total number of translations: N". ICMP rows show the echo identifier
 * where the others show ports. `verbose` adds each flow's age, time left
 * and packet count, as IOS adds its timers. */
#include "shell_priv.h"
#include "protocols/nat.h"

#include <stdio.h>
#include <stdlib.h>

static const char *pro_name(uint8_t proto)
{
    return proto == 6 ? "tcp" : proto == 17 ? "udp" : "icmp";
}

static void endpoint(char *buf, size_t n, uint32_t addr, uint16_t port)
{
    char a[16];
    snprintf(buf, n, "%s:%u", ip4_str(addr, a), port);
}

static void print_translations(struct shell_proc *p, const struct nat_state *nat, bool verbose)
{
    struct netstack *st = node_stack(p->node);
    uint32_t g = nat_global_addr(nat);
    char ig[24], il[24], ol[24];
    sim_time now = sim_now(p->sim);
    proc_printf(p, "%-4s %-21s %-21s %-21s %s\n", "Pro", "Inside global", "Inside local",
                "Outside local", "Outside global");
    for (int i = 0; i < nat->n_fwd; i++) {
        const struct nat_forward *f = &nat->fwd[i];
        endpoint(ig, sizeof ig, g, f->port);
        endpoint(il, sizeof il, f->to_addr, f->to_port);
        proc_printf(p, "%-4s %-21s %-21s %-21s %s\n", pro_name(f->proto), ig, il, "---", "---");
    }
    uint32_t n = nat_entries(st, NULL, 0);
    const struct nat_entry **e = malloc((n ? n : 1) * sizeof *e);
    if (!e) abort();
    nat_entries(st, e, n);
    for (uint32_t i = 0; i < n; i++) {
        uint16_t op = e[i]->proto == 1 ? e[i]->g_port : e[i]->out_port;
        endpoint(ig, sizeof ig, g, e[i]->g_port);
        endpoint(il, sizeof il, e[i]->in_addr, e[i]->in_port);
        endpoint(ol, sizeof ol, e[i]->out_addr, op);
        proc_printf(p, "%-4s %-21s %-21s %-21s %s\n", pro_name(e[i]->proto), ig, il, ol, ol);
        if (verbose)
            proc_printf(p, "  create %.3f s ago, expires in %.3f s, %llu packets%s\n",
                        (double)(now - e[i]->created) / 1e9, (double)(e[i]->expires - now) / 1e9,
                        (unsigned long long)e[i]->packets,
                        e[i]->forwarded ? ", from a static forward" : "");
    }
    proc_printf(p, "Total number of translations: %u\n", (unsigned)(n + (uint32_t)nat->n_fwd));
    free(e);
}

static void print_statistics(struct shell_proc *p, const struct nat_state *nat)
{
    char a[16];
    uint32_t n = nat_entries(node_stack(p->node), NULL, 0);
    proc_printf(p, "Total active translations: %u (%d static, %u dynamic; %u extended)\n",
                (unsigned)(n + (uint32_t)nat->n_fwd), nat->n_fwd, n, n);
    proc_printf(p, "Outside interfaces:\n  %s\nInside interfaces:\n ", nat->outside->name);
    for (uint32_t i = 0; i < p->node->n_ifaces; i++)
        if (i < nat->n_role && nat->role[i] == NAT_INSIDE)
            proc_printf(p, " %s", p->node->ifaces[i]->name);
    proc_printf(p,
                "\nPackets translated: %llu inside to outside, %llu outside to inside\n"
                "Expired translations: %llu\nDropped (untranslatable): %llu\n",
                (unsigned long long)nat->out_pkts, (unsigned long long)nat->in_pkts,
                (unsigned long long)nat->expired, (unsigned long long)nat->drops);
    proc_printf(p, "Dynamic mappings:\n-- Inside Source\n  interface %s overload (address %s)\n",
                nat->outside->name, ip4_str(nat_global_addr(nat), a));
}

bool show_nat_cmd(struct shell_proc *p, int argc, char **argv)
{
    if (p->node->kind != NODE_ROUTER || argc < 4 || !shell_word_is(argv[1], "ip", 2) ||
        !shell_word_is(argv[2], "nat", 3))
        return false;
    bool trans = shell_word_is(argv[3], "translations", 1);
    bool stats = shell_word_is(argv[3], "statistics", 1);
    if (!trans && !stats) return false;
    if (trans && argc > 4 && !shell_word_is(argv[4], "verbose", 1)) return false;
    const struct nat_state *nat = node_stack(p->node)->nat;
    if (!nat) {
        /* IOS prints nothing at all when NAT is not configured. */
        return true;
    }
    if (trans)
        print_translations(p, nat, argc > 4);
    else
        print_statistics(p, nat);
    return true;
}
