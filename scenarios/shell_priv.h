/* shell_priv.h - what the host shell's command modules share: output and
 * exit of a process, argument helpers, name resolution, and the command
 * table's entry type. Each protocol's commands may live in its own
 * scenarios/shell_*.c file; shell.c's tables list them all. */
#ifndef NETSTEP_SHELL_PRIV_H
#define NETSTEP_SHELL_PRIV_H

#include "shell.h"
#include "protocols/stack.h"

#include <stdbool.h>
#include <stdint.h>

#define SHELL_MAX_ARGS 32

/* Which nodes a command runs on. */
enum {
    SH_HOST = 1u << 0, /* hosts and servers */
    SH_ROUTER = 1u << 1,
    SH_SWITCH = 1u << 2,
    SH_HUB = 1u << 3,
    SH_L3 = SH_HOST | SH_ROUTER,
    SH_ANY = SH_L3 | SH_SWITCH | SH_HUB,
};

struct shell_cmd {
    const char *name;
    unsigned where;
    void (*fn)(struct shell_proc *p, int argc, char **argv);
    const char *usage; /* for `help`; NULL = not listed */
};

/* Append to the process's output and publish it on the trace bus as
 * TK_OUTPUT steps, one per line. proc_write is for raw data (a server's
 * bytes): a line cut between two writes is published once whole, or when
 * the process exits; proc_printf publishes at once, a partial line too. */
void proc_write(struct shell_proc *p, const char *s, size_t n);
void proc_printf(struct shell_proc *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends the process with an exit status (runs its done callback once). */
void proc_exit(struct shell_proc *p, int code);

/* Resolves a dotted quad, or a node name of the scenario (as /etc/hosts
 * would): its first address. */
bool shell_resolve(struct sim *sim, const char *name, uint32_t *addr);
/* How an asynchronous lookup ended. */
enum shell_res {
    SHELL_RES_ADDR,     /* the name was a dotted quad */
    SHELL_RES_HOSTS,    /* a node name of the scenario (as /etc/hosts would) */
    SHELL_RES_DNS,      /* answered by DNS */
    SHELL_RES_NOTFOUND, /* NXDOMAIN or not a valid name */
    SHELL_RES_NODATA,   /* the name exists without an address */
    SHELL_RES_TEMPFAIL, /* no server answered, or it failed */
};
/* glibc's words for a failure: "Name or service not known", ... */
const char *shell_res_error(enum shell_res r);
struct shell_lookup;
typedef void (*shell_resolved_fn)(struct shell_proc *p, enum shell_res how, uint32_t addr);
/* Resolves name like getaddrinfo: a dotted quad or a scenario node name at
 * once (fn runs before this returns, which returns NULL); any other name
 * through the node's DNS resolver, later in simulated time: the returned
 * lookup is freed before fn runs, and must be cancelled with
 * shell_lookup_cancel if the process ends first. */
struct shell_lookup *shell_resolve_async(struct shell_proc *p, const char *name,
                                         shell_resolved_fn fn);
void shell_lookup_cancel(struct shell_lookup *l);
/* Hosts, servers and routers: nodes with an IP stack. */
bool shell_is_l3(const struct node *n);
/* Parses a number in [lo, hi]. */
bool shell_parse_num(const char *s, double lo, double hi, double *out);
/* Formats a duration in milliseconds as iputils does ("0.232"). */
void shell_fmt_ms(char *buf, size_t len, sim_time t);
/* True when w abbreviates full, with at least min characters (IOS style). */
bool shell_word_is(const char *w, const char *full, size_t min);

/* DNS (shell_dns.c) */
void cmd_nslookup(struct shell_proc *p, int argc, char **argv);
void cmd_dig(struct shell_proc *p, int argc, char **argv);

/* TCP (shell_tcp.c) */
void cmd_ss(struct shell_proc *p, int argc, char **argv);
void cmd_telnet(struct shell_proc *p, int argc, char **argv);

/* FTP (shell_ftp.c) */
void cmd_ftp(struct shell_proc *p, int argc, char **argv);

/* HTTP and WHOIS (shell_http.c, shell_whois.c) */
void cmd_curl(struct shell_proc *p, int argc, char **argv);
void cmd_whois(struct shell_proc *p, int argc, char **argv);

/* DHCP (shell_dhcp.c) */
void cmd_dhclient(struct shell_proc *p, int argc, char **argv);
void cmd_dhcp_lease_list(struct shell_proc *p, int argc, char **argv);
bool show_dhcp_cmd(struct shell_proc *p, int argc, char **argv);

/* NAT (shell_nat.c) */
bool show_nat_cmd(struct shell_proc *p, int argc, char **argv);

#endif
