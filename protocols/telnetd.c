/* telnetd.c - the telnet server: option negotiation, login and a small
 * shell. See telnetd.h for what it does and why.
 *
 * Ownership: the server owns its sessions; a session owns its text_conn
 * (used for the send queue and the graceful close; what arrives is taken
 * as raw bytes) until that reports closed. At stack teardown sessions still
 * open are released without a word to TCP, right before tcp_free. */
#include "telnetd.h"
#include "tcp.h"
#include "textconn.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum tn_state { TS_LOGIN, TS_PASS, TS_SHELL, TS_DONE };

struct tn_sess {
    struct tn_sess *next;
    struct telnetd *srv;
    struct text_conn *t;
    struct telnet_decoder dec;
    bool echo; /* WILL ECHO stands: the server echoes what is typed */
    bool sga;
    char line[TELNETD_LINE_MAX + 1];
    size_t len;
    bool after_cr; /* the last byte was CR: a LF or NUL after it is part of the end */
    enum tn_state state;
    char user[33];
    int fails;
};

struct telnetd {
    struct netstack *st;
    struct telnetd_conf conf;
    struct tcp_listener *l;
    struct tn_sess *sess;
};

static void *tn_xalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) abort();
    return p;
}

void telnetd_conf_clear(struct telnetd_conf *c)
{
    for (int i = 0; i < c->n_acc; i++) {
        free(c->acc[i].user);
        free(c->acc[i].pass);
    }
    free(c->acc);
    for (int i = 0; i < c->n_files; i++) {
        free(c->files[i].name);
        free(c->files[i].data);
    }
    free(c->files);
    free(c->banner);
    memset(c, 0, sizeof *c);
}

static const char *host_of(const struct tn_sess *s)
{
    return s->srv->st->node->name;
}

/* A layer-7 step: what the server decided, and why. */
static void tn_step(struct tn_sess *s, const char *summary, const char *why, ...)
    __attribute__((format(printf, 3, 4)));
static void tn_step(struct tn_sess *s, const char *summary, const char *why, ...)
{
    struct sim *sim = s->srv->st->sim;
    if (!trace_on(sim, TRACE_LAYERS)) return;
    char w[512];
    va_list ap;
    va_start(ap, why);
    vsnprintf(w, sizeof w, why, ap);
    va_end(ap);
    stack_step(sim, TRACE_LAYERS, s->srv->st->node, NULL, 7, TK_DELIVER, NULL, "TELNET", "%s\n%s",
               summary, w);
}

/* Text for the terminal: each LF goes out as CRLF (the NVT's end of line)
 * and a 255 byte as IAC IAC. */
static void tn_write(struct tn_sess *s, const char *text, size_t n)
{
    uint8_t buf[512];
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (o + 4 > sizeof buf) {
            text_send(s->t, buf, o);
            o = 0;
        }
        uint8_t b = (uint8_t)text[i];
        if (b == '\n' && (i == 0 || text[i - 1] != '\r')) buf[o++] = '\r';
        buf[o++] = b;
        if (b == TN_IAC) buf[o++] = TN_IAC;
    }
    if (o) text_send(s->t, buf, o);
}

static void tn_printf(struct tn_sess *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void tn_printf(struct tn_sess *s, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    tn_write(s, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void tn_option(struct tn_sess *s, uint8_t cmd, uint8_t opt)
{
    uint8_t out[3] = {TN_IAC, 0, opt};
    switch (cmd) {
    case TN_DO:
        /* RFC 854: a request to enter a mode already in is not answered */
        if ((opt == TNO_ECHO && s->echo) || (opt == TNO_SGA && s->sga)) return;
        if (opt == TNO_ECHO || opt == TNO_SGA) {
            out[1] = TN_WILL;
            if (opt == TNO_ECHO) s->echo = true;
            if (opt == TNO_SGA) s->sga = true;
        } else {
            out[1] = TN_WONT;
        }
        break;
    case TN_DONT:
        if (opt == TNO_ECHO && s->echo)
            s->echo = false;
        else if (opt == TNO_SGA && s->sga)
            s->sga = false;
        else
            return; /* off already */
        out[1] = TN_WONT;
        break;
    case TN_WILL:
        out[1] = TN_DONT; /* the server wants nothing from the client */
        break;
    default: /* WONT: off already */
        return;
    }
    text_send(s->t, out, 3);
}

static void opt_cb(void *ctx, uint8_t cmd, uint8_t opt)
{
    tn_option(ctx, cmd, opt);
}

static void prompt_login(struct tn_sess *s)
{
    tn_printf(s, "%s login: ", host_of(s));
}

static void prompt_shell(struct tn_sess *s)
{
    bool root = !strcmp(s->user, "root");
    tn_printf(s, "%s@%s:~%c ", s->user, host_of(s), root ? '#' : '$');
}

static const struct telnetd_file *file_find(const struct tn_sess *s, const char *arg)
{
    char home[64];
    if (!strcmp(s->user, "root"))
        snprintf(home, sizeof home, "/root/");
    else
        snprintf(home, sizeof home, "/home/%s/", s->user);
    if (!strncmp(arg, "./", 2))
        arg += 2;
    else if (!strncmp(arg, "~/", 2))
        arg += 2;
    else if (!strncmp(arg, home, strlen(home)))
        arg += strlen(home);
    for (int i = 0; i < s->srv->conf.n_files; i++)
        if (!strcmp(s->srv->conf.files[i].name, arg)) return &s->srv->conf.files[i];
    return NULL;
}

/* ---- the shell ---- */

static void sh_uname(struct tn_sess *s, int argc, char **argv)
{
    const char *host = host_of(s);
    if (argc == 1 || !strcmp(argv[1], "-s")) {
        tn_printf(s, "Linux\n");
    } else if (!strcmp(argv[1], "-a")) {
        tn_printf(s, "Linux %s %s %s\n", host, TELNETD_KERNEL, TELNETD_UNAME);
    } else if (!strcmp(argv[1], "-r")) {
        tn_printf(s, "%s\n", TELNETD_KERNEL);
    } else if (!strcmp(argv[1], "-n")) {
        tn_printf(s, "%s\n", host);
    } else if (!strcmp(argv[1], "-m")) {
        tn_printf(s, "x86_64\n");
    } else {
        tn_printf(s, "uname: invalid option -- '%s'\nTry 'uname --help' for more information.\n",
                  argv[1][0] == '-' && argv[1][1] ? argv[1] + 1 : argv[1]);
    }
}

static void sh_ls(struct tn_sess *s, int argc, char **argv)
{
    const struct telnetd_conf *c = &s->srv->conf;
    int shown = 0;
    bool named = false;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') continue; /* -l, -a: the short form is all there is */
        named = true;
        const struct telnetd_file *f = file_find(s, argv[i]);
        if (!f)
            tn_printf(s, "ls: cannot access '%s': No such file or directory\n", argv[i]);
        else
            tn_printf(s, "%s%s", shown++ ? "  " : "", argv[i]);
    }
    if (!named) {
        /* sorted by name, as ls does */
        const char *last = "";
        for (int k = 0; k < c->n_files; k++) {
            const char *next = NULL;
            for (int i = 0; i < c->n_files; i++)
                if (strcmp(c->files[i].name, last) > 0 &&
                    (!next || strcmp(c->files[i].name, next) < 0))
                    next = c->files[i].name;
            if (!next) break;
            tn_printf(s, "%s%s", shown++ ? "  " : "", next);
            last = next;
        }
    }
    if (shown) tn_printf(s, "\n");
}

static void sh_cat(struct tn_sess *s, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const struct telnetd_file *f = file_find(s, argv[i]);
        if (!f) {
            tn_printf(s, "cat: %s: No such file or directory\n", argv[i]);
            continue;
        }
        tn_write(s, (const char *)f->data, f->len);
    }
}

static void sh_run(struct tn_sess *s, char *line)
{
    char *argv[32];
    int argc = 0;
    for (char *p = line; *p && argc < 32;) {
        while (*p == ' ' || *p == '\t')
            *p++ = 0;
        if (!*p) break;
        char q = *p == '"' || *p == '\'' ? *p : 0;
        if (q) p++;
        argv[argc++] = p;
        while (*p && (q ? *p != q : (*p != ' ' && *p != '\t')))
            p++;
        if (q && *p) *p++ = 0;
    }
    if (argc == 0) {
        prompt_shell(s);
        return;
    }
    const char *cmd = argv[0];
    bool root = !strcmp(s->user, "root");
    tn_step(s, "Shell command",
            "The shell of %s on %s runs \"%s\"; its output goes back over the "
            "same connection, in clear text.",
            s->user, host_of(s), cmd);
    if (!strcmp(cmd, "exit") || !strcmp(cmd, "logout")) {
        tn_printf(s, "logout\n");
        s->state = TS_DONE;
        text_close(s->t);
        return;
    }
    if (!strcmp(cmd, "whoami")) {
        tn_printf(s, "%s\n", s->user);
    } else if (!strcmp(cmd, "id")) {
        unsigned id = root ? 0 : 1000;
        tn_printf(s, "uid=%u(%s) gid=%u(%s) groups=%u(%s)\n", id, s->user, id, s->user, id,
                  s->user);
    } else if (!strcmp(cmd, "hostname")) {
        tn_printf(s, "%s\n", host_of(s));
    } else if (!strcmp(cmd, "uname")) {
        sh_uname(s, argc, argv);
    } else if (!strcmp(cmd, "pwd")) {
        if (root)
            tn_printf(s, "/root\n");
        else
            tn_printf(s, "/home/%s\n", s->user);
    } else if (!strcmp(cmd, "ls")) {
        sh_ls(s, argc, argv);
    } else if (!strcmp(cmd, "cat")) {
        sh_cat(s, argc, argv);
    } else if (!strcmp(cmd, "echo")) {
        for (int i = 1; i < argc; i++)
            tn_printf(s, "%s%s", i > 1 ? " " : "", argv[i]);
        tn_printf(s, "\n");
    } else {
        tn_printf(s, "-bash: %s: command not found\n", cmd);
    }
    prompt_shell(s);
}

/* ---- login ---- */

static void tn_line(struct tn_sess *s, char *line, size_t len)
{
    /* the echo of the line (not of a password), then the answer */
    if (s->echo) {
        if (s->state != TS_PASS) tn_write(s, line, len);
        tn_write(s, "\n", 1);
    }
    switch (s->state) {
    case TS_LOGIN:
        if (!len) {
            prompt_login(s);
            return;
        }
        snprintf(s->user, sizeof s->user, "%.32s", line);
        s->state = TS_PASS;
        tn_printf(s, "Password: ");
        tn_step(s, "Login: user name",
                "login(1) asks for the password of \"%s\" whether or not the user exists, so the "
                "prompt tells an attacker nothing.",
                s->user);
        return;
    case TS_PASS: {
        const struct telnetd_conf *c = &s->srv->conf;
        bool ok = false;
        for (int i = 0; i < c->n_acc && !ok; i++)
            ok = !strcmp(c->acc[i].user, s->user) && !strcmp(c->acc[i].pass, line);
        if (ok) {
            s->state = TS_SHELL;
            tn_step(s, "Login: accepted",
                    "The password of %s matches, so a shell starts. Telnet sent it in clear "
                    "text: anyone capturing port 23 can read it.",
                    s->user);
            if (c->banner) tn_printf(s, "Welcome to %s\n\n", c->banner);
            prompt_shell(s);
            return;
        }
        s->fails++;
        tn_step(s, "Login: incorrect",
                "No account %s with that password; login(1) gives the same answer for a wrong "
                "user and a wrong password.%s",
                s->user,
                s->fails >= TELNETD_MAX_FAILS ? " Third failure: the server hangs up." : "");
        tn_printf(s, "\nLogin incorrect\n");
        if (s->fails >= TELNETD_MAX_FAILS) {
            s->state = TS_DONE;
            text_close(s->t);
            return;
        }
        s->state = TS_LOGIN;
        prompt_login(s);
        return;
    }
    case TS_SHELL:
        sh_run(s, line);
        return;
    case TS_DONE:
        return;
    }
}

/* The terminal's line discipline over the decoded data bytes. */
static void tn_data(struct tn_sess *s, const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n && s->state != TS_DONE; i++) {
        uint8_t b = d[i];
        if (s->after_cr && (b == '\n' || b == 0)) { /* CR LF or CR NUL: one end */
            s->after_cr = false;
            continue;
        }
        s->after_cr = b == '\r';
        if (b == '\r' || b == '\n') {
            s->line[s->len] = 0;
            size_t len = s->len;
            s->len = 0;
            tn_line(s, s->line, len);
        } else if (b == 0x7f || b == 0x08) {
            if (s->len) s->len--;
        } else if (s->len < TELNETD_LINE_MAX && b >= 0x20) {
            s->line[s->len++] = (char)b;
        }
    }
}

static void tn_bytes(void *ctx, struct text_conn *t, const uint8_t *data, size_t len)
{
    (void)t;
    struct tn_sess *s = ctx;
    uint8_t buf[1024];
    while (len && s->state != TS_DONE) {
        size_t k = len < sizeof buf ? len : sizeof buf;
        size_t n = telnet_decode(&s->dec, data, k, buf, opt_cb, s);
        tn_data(s, buf, n);
        data += k;
        len -= k;
    }
}

static void tn_peer_closed(void *ctx, struct text_conn *t)
{
    struct tn_sess *s = ctx;
    s->state = TS_DONE;
    text_close(t);
}

static void sess_unlink(struct tn_sess *s)
{
    for (struct tn_sess **pp = &s->srv->sess; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            break;
        }
}

static void tn_closed(void *ctx, struct text_conn *t, enum tcp_reason why)
{
    (void)t;
    (void)why;
    struct tn_sess *s = ctx;
    sess_unlink(s);
    free(s);
}

static const struct text_handler tn_h = {
    .bytes = tn_bytes,
    .peer_closed = tn_peer_closed,
    .closed = tn_closed,
};

static void tn_accept(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    struct telnetd *srv = ctx;
    struct tn_sess *s = tn_xalloc(sizeof *s);
    s->srv = srv;
    s->next = srv->sess;
    srv->sess = s;
    s->t = text_conn_new(c, &tn_h, s);
    text_expect_bytes(s->t, SIZE_MAX); /* raw: IAC commands come out before lines */
    /* the server echoes and needs no go-ahead: offer both (RFC 857, 858) */
    static const uint8_t offer[] = {TN_IAC, TN_WILL, TNO_ECHO, TN_IAC, TN_WILL, TNO_SGA};
    text_send(s->t, offer, sizeof offer);
    s->echo = s->sga = true;
    tn_step(s, "Telnet: will echo, will suppress go-ahead",
            "A client connected to port 23: the server offers to echo what is typed and to "
            "drop go-aheads, then shows the banner and the login prompt.");
    if (srv->conf.banner) tn_printf(s, "%s\n", srv->conf.banner);
    prompt_login(s);
}

int telnetd_start(struct netstack *st, struct telnetd_conf *conf)
{
    if (st->telnetd) return -1;
    struct telnetd *srv = tn_xalloc(sizeof *srv);
    srv->st = st;
    srv->l = tcp_listen(st, 0, TELNET_PORT, tn_accept, srv);
    if (!srv->l) {
        free(srv);
        return -1;
    }
    srv->conf = *conf;
    memset(conf, 0, sizeof *conf);
    st->telnetd = srv;
    return 0;
}

void telnetd_free(struct netstack *st)
{
    struct telnetd *srv = st->telnetd;
    if (!srv) return;
    while (srv->sess) {
        struct tn_sess *s = srv->sess;
        srv->sess = s->next;
        text_conn_release(s->t);
        free(s);
    }
    telnetd_conf_clear(&srv->conf);
    free(srv);
    st->telnetd = NULL;
}
