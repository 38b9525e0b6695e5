/* shell.h - the host shell: the commands a student types on a node (GUI
 * console, a timeline `run`, later Lua's run()).
 *
 * A command is a process that lives in simulated time: ping sends a request
 * a second, traceroute waits for answers. Output accumulates in the
 * process's buffer and is also published line by line on the trace bus
 * (TRACE_OUTPUT), so a terminal can print it as it happens. When a command
 * finishes, its done callback runs with the exit status. Output imitates the
 * Linux tools (iputils ping, traceroute, net-tools arp, iproute2 ip) on hosts
 * and Cisco IOS `show` commands on switches and routers. */
#ifndef NETSTEP_SHELL_H
#define NETSTEP_SHELL_H

#include "engine/trace.h"
#include <stddef.h>

struct shell_proc;
typedef void (*shell_done_fn)(void *ctx, struct shell_proc *p);

struct shell_proc {
    struct sim *sim;
    struct node *node;
    char *cmdline;
    char *out;
    size_t out_len, out_cap;
    size_t out_pub; /* out[0..out_pub) is on the trace bus (TK_OUTPUT) */
    int exit_code;
    bool done;
    shell_done_fn on_done;
    void *ctx;
    void *state;                          /* the command's own state */
    void (*finish)(struct shell_proc *p); /* interrupt: print what a ^C would */
    void (*free_state)(void *state);
    /* Interactive commands (telnet, ftp) read typed lines through this;
     * NULL for commands that read nothing. The command keeps lines that
     * arrive before it is ready (not yet connected) and uses them in order. */
    void (*input)(struct shell_proc *p, const char *line);
    /* The typed lines are pasted (a timeline entry's "paste"): they go all
     * at once, not one per reply as a person types (shell_typist.h). Set
     * before the first line is typed. */
    bool paste;
};

/* Starts cmdline on node now. The process is owned by the caller (free it
 * with shell_proc_free once done, or at the end of the simulation).
 * on_done may be NULL. Never returns NULL. */
struct shell_proc *shell_run(struct sim *sim, struct node *node, const char *cmdline,
                             shell_done_fn on_done, void *ctx);
/* Ends a process that is still running, as Ctrl-C would (ping prints its
 * statistics). No-op when already done. */
void shell_interrupt(struct shell_proc *p);
void shell_proc_free(struct shell_proc *p);
/* Types one line into a running interactive command. Returns false (and
 * does nothing) when the command is done or reads no input. */
bool shell_input(struct shell_proc *p, const char *line);

/* Splits a command line into words (quotes "..." and '...' group).
 * Returns the number of words, or -1 on an unterminated quote or when more
 * than max words. The words point into buf, which is modified. */
int shell_split(char *buf, char **argv, int max);

#endif
