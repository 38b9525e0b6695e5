/* mail.h - a node's mail servers: SMTP (TCP 25), POP3 (TCP 110) and IMAP
 * (TCP 143) over one mail store (mailstore.h), their TLS variants (SMTPS
 * 465, POP3S 995, IMAPS 993, and submission with STARTTLS on 587), as the
 * scenario's
 * "services": {"smtp": ..., "pop3": ..., "imap": ...} ask.
 *
 * Each protocol's session is a state machine that reads lines (and IMAP
 * literals) and writes its replies into a buffer (smtp.h, pop3.h, imap.h),
 * so it can be driven without a network in tests; this module runs those
 * sessions on TCP connections through textconn, and turns each session's
 * notes (every decision with its reason) into layer-7 trace steps.
 *
 * Lifetime: the servers and their store belong to the node's stack
 * (st->mail) and are freed with it by mail_free. */
#ifndef NETSTEP_MAIL_H
#define NETSTEP_MAIL_H

#include "mailstore.h"
#include "stack.h"

/* What a session needs from the server around it. */
struct mail_env {
    struct mail_store *store;
    const char *hostname; /* the server's name: greetings, Received headers */
    const char *domain;   /* mail to user@domain (or user@hostname) is delivered here */
    sim_time now;         /* set by the caller before each input */
    bool trace;           /* notes are wanted: note() is called */
    void (*note)(void *ctx, const char *proto, const char *summary, const char *why);
    void *ctx;
};

/* Calls env->note when env->trace is set; formats nothing otherwise. */
void mail_note(const struct mail_env *env, const char *proto, const char *summary,
               const char *why_fmt, ...) __attribute__((format(printf, 4, 5)));
/* The note for a reply a session wrote: the summary pairs the command (its
 * first line, cut at 80 characters; "" = none) with the reply line. Does
 * nothing without why or without env->trace. */
void mail_reply_note(const struct mail_env *env, const char *proto, const char *cmd,
                     const char *reply, const char *why);

struct tls_server_conf;
struct mail_conf {
    const char *domain; /* NULL: the node's name */
    bool smtp, pop3, imap;
    /* the TLS ports, SMTPS 465, POP3S 995, IMAPS 993 (tls.h), with conf tls */
    bool smtps, pop3s, imaps;
    const struct tls_server_conf *tls;
    /* submission on 587 (RFC 6409), which takes mail only after STARTTLS
     * (RFC 3207); with it, EHLO on 25 offers STARTTLS too (needs tls) */
    bool submission;
};

/* Starts the servers conf asks for on st's node, with an empty store
 * (fill it with mail_server_store). Returns 0, or -1 with a reason when a
 * port is taken. Called once per node. */
int mail_start(struct netstack *st, const struct mail_conf *conf, char *why, size_t n);
/* The store of the node's mail servers, NULL when none run. */
struct mail_store *mail_server_store(struct netstack *st);
/* The server's name (node name, qualified with the domain when it has no
 * dot) and the domain it takes mail for. */
const char *mail_server_hostname(struct netstack *st);
const char *mail_server_domain(struct netstack *st);
/* Puts a message in a mailbox (the scenario's "mailboxes"): composed from
 * its parts at the current simulated time, to user@domain unless `to` is
 * given, into folder (NULL = INBOX; created when missing). Returns 0, or
 * -1 when there is no such account or the folder cannot take it. */
int mail_server_prefill(struct netstack *st, const char *user, const char *folder, const char *from,
                        const char *to, const char *subject, const char *body, bool seen);
/* Closes the listeners and forgets the sessions (TCP frees its own
 * connections): part of freeing the stack. */
void mail_free(struct netstack *st);

#endif
