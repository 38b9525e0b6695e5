/* mail.c - runs the SMTP, POP3 and IMAP sessions of a node on TCP through
 * textconn, over the node's one mail store. See mail.h.
 *
 * Each accepted connection gets a session; every line (and IMAP literal
 * run) goes to it with the simulated time set, and what it wrote is sent
 * at once. A session asks for the connection to close (QUIT, LOGOUT) and
 * textconn closes it once the replies have gone to TCP. When the client
 * closes first (FIN), the server closes too: a POP3 session that ends
 * this way applies no deletions, an SMTP message not ended by "." is not
 * delivered. */
#include "mail.h"
#include "imap.h"
#include "pop3.h"
#include "smtp.h"
#include "tcp.h"
#include "textconn.h"
#include "tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum mail_proto { MP_SMTP, MP_POP3, MP_IMAP };

struct mail_conn {
    struct mail_server *srv;
    struct text_conn *t;
    enum mail_proto proto;
    struct smtp_session *smtp;
    struct pop3_session *pop3;
    struct imap_session *imap;
    bool closing;
    struct mail_conn *prev, *next;
};

struct mail_server {
    struct netstack *st;
    struct mail_store *store;
    struct mail_env env;
    char hostname[128], domain[128];
    struct tcp_listener *ls[7]; /* 25, 110, 143, then 465, 995, 993 over TLS, 587 */
    const struct tls_server_conf *tls;
    bool starttls; /* SMTP offers STARTTLS (on 25 and 587) */
    struct mail_conn *conns;
};

void mail_note(const struct mail_env *env, const char *proto, const char *summary,
               const char *why_fmt, ...)
{
    if (!env->trace || !env->note) return;
    char why[1024];
    va_list ap;
    va_start(ap, why_fmt);
    vsnprintf(why, sizeof why, why_fmt, ap);
    va_end(ap);
    env->note(env->ctx, proto, summary, why);
}

void mail_reply_note(const struct mail_env *env, const char *proto, const char *cmd,
                     const char *reply, const char *why)
{
    enum { CMD_MAX = 80 }; /* how much of a command a note quotes */
    if (!why || !env->trace) return;
    char sum[256];
    size_t cl = strcspn(cmd, "\r\n");
    if (cl)
        snprintf(sum, sizeof sum, "C: %.*s%s \xe2\x86\x92 S: %s",
                 (int)(cl > CMD_MAX ? CMD_MAX : cl), cmd, cl > CMD_MAX ? "..." : "", reply);
    else
        snprintf(sum, sizeof sum, "S: %s", reply);
    mail_note(env, proto, sum, "%s", why);
}

static void server_note(void *ctx, const char *proto, const char *summary, const char *why)
{
    struct mail_server *srv = ctx;
    struct sim *sim = srv->st->sim;
    if (trace_on(sim, TRACE_LAYERS))
        trace_note(sim, TRACE_LAYERS, TK_STATE, srv->st->node, NULL, 7, 0, proto, summary, "%s",
                   why);
}

/* Before a session reads: the time, and whether anyone listens. */
static void env_now(struct mail_server *srv)
{
    srv->env.now = sim_now(srv->st->sim);
    srv->env.trace = trace_on(srv->st->sim, TRACE_LAYERS);
}

/* Sends what the session wrote, asks for its literal, closes when done. */
static void conn_flush(struct mail_conn *mc)
{
    struct mail_buf *out;
    bool close;
    switch (mc->proto) {
    case MP_SMTP:
        out = &mc->smtp->out;
        close = mc->smtp->close;
        if (mc->smtp->start_tls) { /* the 220 goes in the clear, then TLS */
            mc->smtp->start_tls = false;
            if (out->len) text_send(mc->t, out->p, out->len);
            out->len = 0;
            text_start_tls(mc->t, mc->srv->tls);
        }
        break;
    case MP_POP3:
        out = &mc->pop3->out;
        close = mc->pop3->close;
        break;
    default:
        out = &mc->imap->out;
        close = mc->imap->close;
        if (mc->imap->want_bytes) {
            text_expect_bytes(mc->t, mc->imap->want_bytes);
            mc->imap->want_bytes = 0;
        }
        break;
    }
    if (out->len) text_send(mc->t, out->p, out->len);
    out->len = 0;
    if (close && !mc->closing) {
        mc->closing = true;
        text_close(mc->t);
    }
}

static void conn_line(void *ctx, struct text_conn *t, char *line, size_t len)
{
    struct mail_conn *mc = ctx;
    bool overlong = text_line_overlong(t);
    env_now(mc->srv);
    switch (mc->proto) {
    case MP_SMTP:
        smtp_session_line(mc->smtp, line, len, overlong);
        break;
    case MP_POP3:
        pop3_session_line(mc->pop3, line, len, overlong);
        break;
    case MP_IMAP:
        imap_session_line(mc->imap, line, len, overlong);
        break;
    }
    conn_flush(mc);
}

static void conn_bytes(void *ctx, struct text_conn *t, const uint8_t *data, size_t len)
{
    (void)t;
    struct mail_conn *mc = ctx;
    if (mc->proto != MP_IMAP) return;
    env_now(mc->srv);
    imap_session_bytes(mc->imap, data, len);
    conn_flush(mc);
}

static void conn_peer_closed(void *ctx, struct text_conn *t)
{
    struct mail_conn *mc = ctx;
    if (mc->closing) return;
    if (trace_on(mc->srv->st->sim, TRACE_LAYERS)) {
        static const char *const names[] = {"SMTP", "POP", "IMAP"};
        static const char *const whys[] = {
            "The client closed the connection without QUIT; a message it had not ended with "
            "\".\" is not delivered. The server closes its side too.",
            "The client closed the connection without QUIT, so the session never reaches the "
            "UPDATE state: messages marked with DELE stay in the mailbox.",
            "The client closed the connection without LOGOUT; the server closes its side too.",
        };
        trace_note(mc->srv->st->sim, TRACE_LAYERS, TK_STATE, mc->srv->st->node, NULL, 7, 0,
                   names[mc->proto], "Client closed the connection", "%s", whys[mc->proto]);
    }
    mc->closing = true;
    text_close(t);
}

static void conn_free(struct mail_conn *mc)
{
    smtp_session_free(mc->smtp);
    pop3_session_free(mc->pop3);
    imap_session_free(mc->imap);
    free(mc);
}

static void conn_unlink(struct mail_conn *mc)
{
    if (mc->prev)
        mc->prev->next = mc->next;
    else
        mc->srv->conns = mc->next;
    if (mc->next) mc->next->prev = mc->prev;
}

static void conn_closed(void *ctx, struct text_conn *t, enum tcp_reason why)
{
    (void)t;
    (void)why;
    struct mail_conn *mc = ctx;
    conn_unlink(mc);
    conn_free(mc);
}

static const struct text_handler conn_handler = {
    .line = conn_line,
    .bytes = conn_bytes,
    .peer_closed = conn_peer_closed,
    .closed = conn_closed,
};

static void accept_proto(struct mail_server *srv, struct tcp_conn *c, enum mail_proto proto,
                         bool tls, bool submission)
{
    struct mail_conn *mc = calloc(1, sizeof *mc);
    if (!mc) abort();
    mc->srv = srv;
    mc->proto = proto;
    env_now(srv);
    switch (proto) {
    case MP_SMTP:
        mc->smtp = smtp_session_new(&srv->env, tcp_remote_addr(c));
        mc->smtp->tls = tls;
        mc->smtp->starttls_ok = srv->starttls;
        mc->smtp->tls_required = submission;
        break;
    case MP_POP3:
        mc->pop3 = pop3_session_new(&srv->env);
        break;
    case MP_IMAP:
        mc->imap = imap_session_new(&srv->env);
        break;
    }
    mc->next = srv->conns;
    if (srv->conns) srv->conns->prev = mc;
    srv->conns = mc;
    if (tls)
        mc->t = text_conn_new_tls(c, srv->tls, &conn_handler, mc);
    else
        mc->t = text_conn_new(c, &conn_handler, mc);
    conn_flush(mc);
}

static void accept_smtp(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    accept_proto(ctx, c, MP_SMTP, false, false);
}

static void accept_smtps(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    accept_proto(ctx, c, MP_SMTP, true, false);
}

static void accept_submission(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    accept_proto(ctx, c, MP_SMTP, false, true);
}

static void accept_pop3(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    accept_proto(ctx, c, MP_POP3, false, false);
}

static void accept_pop3s(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    accept_proto(ctx, c, MP_POP3, true, false);
}

static void accept_imap(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    accept_proto(ctx, c, MP_IMAP, false, false);
}

static void accept_imaps(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    accept_proto(ctx, c, MP_IMAP, true, false);
}

int mail_start(struct netstack *st, const struct mail_conf *conf, char *why, size_t n)
{
    if (st->mail) {
        snprintf(why, n, "the mail servers are already running");
        return -1;
    }
    struct mail_server *srv = calloc(1, sizeof *srv);
    if (!srv) abort();
    srv->st = st;
    srv->store = mail_store_new();
    const char *node = st->node->name;
    const char *dom = conf->domain && *conf->domain ? conf->domain : node;
    snprintf(srv->domain, sizeof srv->domain, "%s", dom);
    /* like Postfix's myhostname: the node's name, in the mail domain */
    if (strchr(node, '.') || !strcmp(node, dom))
        snprintf(srv->hostname, sizeof srv->hostname, "%s", node);
    else
        snprintf(srv->hostname, sizeof srv->hostname, "%s.%s", node, dom);
    srv->env.store = srv->store;
    srv->env.hostname = srv->hostname;
    srv->env.domain = srv->domain;
    srv->env.note = server_note;
    srv->env.ctx = srv;
    st->mail = srv;
    static const struct {
        uint16_t port;
        tcp_accept_fn fn;
    } ports[] = {{SMTP_PORT, accept_smtp},
                 {POP3_PORT, accept_pop3},
                 {IMAP_PORT, accept_imap},
                 {SMTPS_PORT, accept_smtps},
                 {POP3S_PORT, accept_pop3s},
                 {IMAPS_PORT, accept_imaps},
                 {SUBMISSION_PORT, accept_submission}};
    bool want[7] = {conf->smtp,
                    conf->pop3,
                    conf->imap,
                    conf->smtps && conf->tls,
                    conf->pop3s && conf->tls,
                    conf->imaps && conf->tls,
                    conf->submission && conf->tls};
    srv->tls = conf->tls;
    srv->starttls = conf->submission && conf->tls;
    for (int i = 0; i < 7; i++) {
        if (!want[i]) continue;
        srv->ls[i] = tcp_listen(st, 0, ports[i].port, ports[i].fn, srv);
        if (!srv->ls[i]) {
            snprintf(why, n, "TCP port %u is already taken", ports[i].port);
            return -1; /* mail_free (with the stack) undoes the rest */
        }
    }
    return 0;
}

struct mail_store *mail_server_store(struct netstack *st)
{
    return st->mail ? st->mail->store : NULL;
}

const char *mail_server_hostname(struct netstack *st)
{
    return st->mail ? st->mail->hostname : NULL;
}

const char *mail_server_domain(struct netstack *st)
{
    return st->mail ? st->mail->domain : NULL;
}

int mail_server_prefill(struct netstack *st, const char *user, const char *folder, const char *from,
                        const char *to, const char *subject, const char *body, bool seen)
{
    struct mail_server *srv = st->mail;
    struct mail_user *u = srv ? mail_user_find(srv->store, user) : NULL;
    if (!u) return -1;
    struct mail_folder *f = mail_folder_find(u, folder ? folder : "INBOX");
    if (!f) f = mail_folder_create(srv->store, u, folder);
    if (!f) return -1;
    char rcpt[MAIL_NAME_MAX + 140];
    snprintf(rcpt, sizeof rcpt, "%s@%s", u->name, srv->domain);
    size_t len;
    sim_time now = sim_now(st->sim);
    char *text = mail_compose(from, to ? to : rcpt, subject, body, now, &len);
    struct mail_msg *m = mail_append(f, text, len, seen ? MAIL_SEEN : MAIL_RECENT, now);
    free(text);
    return m ? 0 : -1;
}

void mail_free(struct netstack *st)
{
    struct mail_server *srv = st->mail;
    if (!srv) return;
    /* The stack is going away: TCP frees its own connections and
     * listeners, so the sessions and their text_conns are only forgotten. */
    while (srv->conns) {
        struct mail_conn *mc = srv->conns;
        srv->conns = mc->next;
        text_conn_release(mc->t);
        conn_free(mc);
    }
    mail_store_free(srv->store);
    free(srv);
    st->mail = NULL;
}
