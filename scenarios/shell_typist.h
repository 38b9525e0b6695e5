/* shell_typist.h - the lines a person types into an interactive client
 * (telnet, openssl s_client), paced as a person types them.
 *
 * A person reads the server's answer before typing the next command, so
 * each command goes out on its own and after the reply to the one before:
 * here a line is sent once the connection has been quiet (nothing sent or
 * received) for SHELL_TYPE_PACE. Lines typed before the connection is up
 * wait for it, and the first one waits for the server's greeting, if it
 * sends one. A line typed in the GUI console long after the last reply
 * goes at once.
 *
 * "Pasted" input (a timeline entry's "paste": true, as `telnet host port <
 * file` reads a file) goes all at once instead, as fast as TCP takes it. */
#ifndef NETSTEP_SHELL_TYPIST_H
#define NETSTEP_SHELL_TYPIST_H

#include "shell.h"

#define SHELL_TYPE_PACE (50 * SIM_MS)

struct typist {
    struct shell_proc *p;
    void (*send)(void *ctx, const char *line); /* puts one line on the connection */
    void *ctx;
    char **lines; /* typed, not sent yet: lines[head..n) */
    size_t head, n, cap;
    bool open;     /* the connection takes lines */
    sim_time last; /* the last line sent or data received */
    struct sim_timer pace;
};

void typist_init(struct typist *ty, struct shell_proc *p, void (*send)(void *ctx, const char *line),
                 void *ctx);
/* A line typed: sent now, or queued until its turn. */
void typist_push(struct typist *ty, const char *line);
/* The connection is up (connected, or its TLS handshake done). */
void typist_open(struct typist *ty);
/* Data arrived: the next line waits for the connection to be quiet again. */
void typist_heard(struct typist *ty);
/* Nothing more is sent (the client closes or the connection is gone). */
void typist_close(struct typist *ty);
/* Lines still waiting. */
bool typist_pending(const struct typist *ty);
void typist_free(struct typist *ty);

#endif
