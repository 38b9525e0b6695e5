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

/* Appends to the process's output (and publishes each line on the trace
 * bus as TK_OUTPUT). */
void proc_write(struct shell_proc *p, const char *s, size_t n);
void proc_printf(struct shell_proc *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends the process with an exit status (runs its done callback once). */
void proc_exit(struct shell_proc *p, int code);

/* Resolves a dotted quad, or a node name of the scenario (as /etc/hosts
 * would): its first address. */
bool shell_resolve(struct sim *sim, const char *name, uint32_t *addr);
/* Hosts, servers and routers: nodes with an IP stack. */
bool shell_is_l3(const struct node *n);
/* Parses a number in [lo, hi]. */
bool shell_parse_num(const char *s, double lo, double hi, double *out);
/* Formats a duration in milliseconds as iputils does ("0.232"). */
void shell_fmt_ms(char *buf, size_t len, sim_time t);
/* True when w abbreviates full, with at least min characters (IOS style). */
bool shell_word_is(const char *w, const char *full, size_t min);

#endif
