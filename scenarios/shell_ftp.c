/* shell_ftp.c - `ftp HOST`: the client of the FTP labs, as the netkit ftp
 * of Ubuntu prints a session typed at its terminal:
 *
 *   Connected to 10.0.0.21.
 *   220 (vsFTPd 3.0.5)
 *   Name (10.0.0.21:root): anonymous
 *   331 Please specify the password.
 *   Password:
 *   230 Login successful.
 *   Remote system type is UNIX.
 *   Using binary mode to transfer files.
 *   ftp> ls
 *   200 PORT command successful. Consider using PASV.
 *   150 Here comes the directory listing.
 *   -rw-r--r--    1 0        0              14 Mar 14  2025 flag.txt
 *   226 Directory send OK.
 *   ftp> bye
 *   221 Goodbye.
 *
 * Input lines (a timeline entry's `input`, or the GUI console) are what is
 * typed: the first two are the name and the password, the rest commands,
 * each shown after its "ftp> " prompt as a terminal would show it (the
 * password is not shown). Commands: ls/dir [path], nlist, cd, cdup, pwd,
 * get REMOTE [LOCAL], put LOCAL [REMOTE], delete, mkdir, rmdir, size,
 * rename, system, user, quote, passive, ascii, binary, type, verbose,
 * status, help, bye/quit/exit, and the shell escapes !ls and !cat FILE.
 * Like `ftp HOST < file`, input ends after the last line: once nothing is
 * left to do and no line has come for 2 s of simulated time, the client
 * quits (QUIT, "221 Goodbye.") and exits 0; it exits 1 when it could not
 * connect or the server hung up.
 *
 * Active mode is the default, as the notes' sessions show ("200 PORT
 * command successful"): for every listing and transfer the client listens
 * on a fresh port and sends PORT; `passive` switches to PASV, where the
 * client connects to the port the 227 reply names before sending the
 * command. Listings go in ASCII type, files in the type chosen (binary
 * after "215 UNIX Type: L8"), each TYPE change sent quietly first, as
 * netkit does.
 *
 * Files: the node keeps what `get` fetched for the rest of the run
 * (protocols/ftp.h ftp_local_files), which `!ls`, `!cat` and `put` read.
 * `put` of a name never fetched sends a small text made up on the spot
 * (two lines naming the file and the node), so uploads can be tried
 * without fetching first. "N bytes received in X secs (Y kB/s)" takes X
 * from simulated time: from the 150 reply to the end of the data. */
#include "shell_priv.h"
#include "protocols/ftp.h"
#include "protocols/ip4.h"
#include "protocols/tcp.h"
#include "protocols/textconn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FTP_QUIET     (2 * SIM_S)
#define FTP_USER_NAME "root" /* the local user the Name prompt offers */

enum cli_phase {
    PH_CONNECT,  /* resolving, connecting, waiting for 220 */
    PH_NAME,     /* waiting for the typed name */
    PH_USER,     /* USER sent */
    PH_PASSWORD, /* waiting for the typed password */
    PH_PASS,     /* PASS sent */
    PH_SYST,     /* SYST sent after login */
    PH_IDLE,     /* at the ftp> prompt */
    PH_SIMPLE,   /* one command, its reply printed */
    PH_RNFR,     /* rename: RNFR sent, RNTO next */
    PH_XFER,     /* a listing or transfer (see xstep) */
    PH_QUIT,     /* QUIT sent */
    PH_DONE,
};

enum xfer_step { XS_TYPE, XS_CHAN, XS_DCONN, XS_PRELIM, XS_DATA };
enum xfer_kind { XK_LIST, XK_NLST, XK_GET, XK_PUT };

struct cli_xfer {
    enum xfer_kind kind;
    enum xfer_step step;
    char cmd[16]; /* LIST, NLST, RETR, STOR */
    char remote[FTP_PATH_MAX], local[FTP_PATH_MAX];
    char type; /* the type it needs: 'A' or 'I' */
    struct tcp_listener *l;
    struct tcp_conn *connecting;
    struct text_conn *d;
    bool got_prelim, data_eof, data_closed, replied;
    int final_code;
    char *final;  /* the final reply's lines, printed once the data is in */
    uint8_t *buf; /* get: the file; ls: held until 150 is shown */
    size_t len, cap;
    size_t wire_bytes, bare_lfs;
    bool cr, lf_cr;
    sim_time t0;
    uint8_t *send; /* put: what goes out */
    size_t send_len;
};

struct ftp_cli {
    struct shell_proc *p;
    struct netstack *st;
    struct shell_lookup *lookup;
    char host[64];
    uint32_t addr;
    struct text_conn *t;
    bool connected;
    enum cli_phase ph;
    /* typed lines not yet used */
    char **lines;
    size_t n_lines, cap_lines;
    /* the reply being read */
    struct ftp_reply_reader rd;
    char *reply;
    size_t reply_len, reply_cap;
    /* settings */
    bool passive, verbose;
    bool prompted;      /* the Name or Password prompt is out, its answer not yet */
    char type, curtype; /* wanted / what the server has (0 = unknown) */
    char rnto[FTP_PATH_MAX];
    struct cli_xfer *x;
    struct sim_timer quiet;
};

static void cli_next(struct ftp_cli *k);
static void cli_quit(struct ftp_cli *k);

/* ---- output ---- */

/* Text to the terminal: CRs dropped, NULs shown as '.', in pieces that
 * proc_printf takes (it publishes each line on the trace bus). */
static void out_text(struct shell_proc *p, const uint8_t *s, size_t n)
{
    char buf[1000];
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r') continue;
        buf[o++] = s[i] ? (char)s[i] : '.';
        if (o == sizeof buf || (s[i] == '\n' && o > sizeof buf - 200)) {
            proc_printf(p, "%.*s", (int)o, buf);
            o = 0;
        }
    }
    if (o) proc_printf(p, "%.*s", (int)o, buf);
}

/* ---- lifetime ---- */

static void xfer_free(struct ftp_cli *k)
{
    struct cli_xfer *x = k->x;
    if (!x) return;
    k->x = NULL;
    if (x->l) tcp_unlisten(x->l);
    if (x->connecting) tcp_abort(x->connecting);
    if (x->d) ftp_orphan(k->st, x->d);
    free(x->final);
    free(x->buf);
    free(x->send);
    free(x);
}

static void cli_detach(struct ftp_cli *k)
{
    xfer_free(k);
    if (k->t) ftp_orphan(k->st, k->t);
    k->t = NULL;
}

static void cli_free(void *state)
{
    struct ftp_cli *k = state;
    if (!k) return;
    sim_cancel(k->p->sim, &k->quiet);
    shell_lookup_cancel(k->lookup);
    cli_detach(k);
    for (size_t i = 0; i < k->n_lines; i++)
        free(k->lines[i]);
    free(k->lines);
    free(k->reply);
    free(k);
}

static void cli_finish(struct shell_proc *p)
{
    /* interrupted (the scenario ended): the kernel would close the sockets */
    struct ftp_cli *k = p->state;
    sim_cancel(p->sim, &k->quiet);
    cli_detach(k);
    k->ph = PH_DONE;
}

static void cli_end(struct ftp_cli *k, int code)
{
    if (k->ph == PH_DONE) return;
    k->ph = PH_DONE;
    sim_cancel(k->p->sim, &k->quiet);
    cli_detach(k);
    proc_exit(k->p, code);
}

/* ---- typed lines ---- */

static char *line_take(struct ftp_cli *k)
{
    if (!k->n_lines) return NULL;
    char *l = k->lines[0];
    memmove(&k->lines[0], &k->lines[1], (k->n_lines - 1) * sizeof k->lines[0]);
    k->n_lines--;
    return l;
}

static void quiet_fire(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct ftp_cli *k = ctx;
    k->quiet = (struct sim_timer){0, 0};
    if (k->n_lines) return;
    /* input is over, as at the end of a script: netkit quits at EOF */
    if (k->ph == PH_NAME || k->ph == PH_PASSWORD) {
        proc_printf(k->p, "\nLogin failed.\n");
        k->ph = PH_IDLE;
    }
    if (k->ph == PH_IDLE) cli_quit(k);
}

static void arm_quiet(struct ftp_cli *k)
{
    sim_cancel(k->p->sim, &k->quiet);
    k->quiet = sim_schedule(k->p->sim, FTP_QUIET, quiet_fire, k, 0);
}

/* ---- sending ---- */

static void send_cmd(struct ftp_cli *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void send_cmd(struct ftp_cli *k, const char *fmt, ...)
{
    char buf[FTP_PATH_MAX + 64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof buf) n = sizeof buf - 1;
    text_send(k->t, buf, (size_t)n);
    text_send(k->t, "\r\n", 2);
}

/* The reply just read, shown as netkit shows it: every line when verbose,
 * errors (5xx) always. */
static void show_reply(struct ftp_cli *k, int code, bool verbose)
{
    if (verbose || code >= 500) out_text(k->p, (const uint8_t *)k->reply, k->reply_len);
}

/* ---- login ---- */

/* "Name (host:root): " - shown with the typed name in one piece when it
 * is there already (so a trace line holds both), else now and the name
 * once typed. */
static void name_prompt(struct ftp_cli *k, const char *typed)
{
    char a[16];
    if (!k->prompted)
        proc_printf(k->p, "Name (%s:%s): %s%s", k->host[0] ? k->host : ip4_str(k->addr, a),
                    FTP_USER_NAME, typed ? typed : "", typed ? "\n" : "");
    else if (typed)
        proc_printf(k->p, "%s\n", typed);
    k->prompted = !typed;
}

static void password_prompt(struct ftp_cli *k, bool typed)
{
    if (!k->prompted)
        proc_printf(k->p, "Password:%s", typed ? "\n" : "");
    else if (typed)
        proc_printf(k->p, "\n"); /* the password itself is not echoed */
    k->prompted = !typed;
}

static void ask_name(struct ftp_cli *k)
{
    k->ph = PH_NAME;
    k->prompted = false;
    cli_next(k);
}

static void reply_login(struct ftp_cli *k, int code)
{
    switch (k->ph) {
    case PH_CONNECT: /* the greeting */
        show_reply(k, code, true);
        if (code == 220) {
            ask_name(k);
        } else {
            cli_end(k, 1);
        }
        return;
    case PH_USER:
        show_reply(k, code, true);
        if (code == 331) {
            k->ph = PH_PASSWORD;
            k->prompted = false;
            cli_next(k);
            return;
        }
        if (code == 230) break;
        proc_printf(k->p, "Login failed.\n");
        k->ph = PH_IDLE;
        cli_next(k);
        return;
    case PH_PASS:
        show_reply(k, code, true);
        if (code == 230) break;
        proc_printf(k->p, "Login failed.\n");
        k->ph = PH_IDLE;
        cli_next(k);
        return;
    case PH_SYST: {
        /* "215 UNIX Type: L8": netkit says so and picks binary */
        struct ftp_reply_line r;
        if (code == 215 &&
            ftp_reply_line_parse(k->reply, strcspn(k->reply, "\r\n"), &r) == FTP_OK) {
            size_t w = strcspn(r.text, " \r\n");
            proc_printf(k->p, "Remote system type is %.*s.\n", (int)w, r.text);
            if (!strncmp(r.text, "UNIX Type: L8", 13)) {
                k->type = 'I';
                proc_printf(k->p, "Using binary mode to transfer files.\n");
            }
        } else {
            show_reply(k, code, false);
        }
        k->ph = PH_IDLE;
        cli_next(k);
        return;
    }
    default:
        return;
    }
    /* logged in: what kind of system is it? */
    k->ph = PH_SYST;
    send_cmd(k, "SYST");
}

/* ---- transfers ---- */

static void xfer_end(struct ftp_cli *k)
{
    xfer_free(k);
    k->ph = PH_IDLE;
    cli_next(k);
}

/* "N bytes received in X secs (Y kB/s)", netkit's words. */
static void print_rate(struct ftp_cli *k, const char *dir, size_t bytes)
{
    double s = (double)(sim_now(k->p->sim) - k->x->t0) / (double)SIM_S;
    double bs = bytes / (s > 0 ? s : 1);
    if (bs > 1024.0 * 1024.0)
        proc_printf(k->p, "%zu bytes %s in %.2f secs (%.4f MB/s)\n", bytes, dir, s,
                    bs / (1024.0 * 1024.0));
    else
        proc_printf(k->p, "%zu bytes %s in %.2f secs (%.4f kB/s)\n", bytes, dir, s, bs / 1024.0);
}

/* The transfer is over once the final reply is in and the data
 * connection is done with. */
static void xfer_check_done(struct ftp_cli *k)
{
    struct cli_xfer *x = k->x;
    if (!x || !x->replied) return;
    bool data_done = x->kind == XK_PUT ? x->data_closed || !x->d : x->data_eof || !x->d;
    if (!data_done) return;
    if (x->kind == XK_GET && x->got_prelim) {
        if (x->lf_cr) { /* a CR that ended the file */
            x->buf = realloc(x->buf, x->len + 1);
            if (!x->buf) abort();
            x->buf[x->len++] = '\r';
        }
        if (x->bare_lfs)
            proc_printf(k->p,
                        "WARNING! %zu bare linefeeds received in ASCII mode\nFile may not have "
                        "transferred correctly.\n",
                        x->bare_lfs);
    }
    out_text(k->p, (const uint8_t *)x->final, strlen(x->final));
    if (x->kind == XK_GET && x->got_prelim && x->final_code / 100 == 2) {
        char path[FTP_PATH_MAX];
        if (ftp_path_resolve("/", x->local, strlen(x->local), path, sizeof path))
            ftp_fs_add(ftp_local_files(k->st), path, x->buf, x->len, FTP_UID_ROOT);
        print_rate(k, "received", x->wire_bytes);
    } else if (x->kind == XK_PUT && x->got_prelim && x->final_code / 100 == 2) {
        print_rate(k, "sent", x->wire_bytes);
    }
    xfer_end(k);
}

static void xbuf_put(struct cli_xfer *x, const uint8_t *d, size_t n)
{
    if (x->len + n > x->cap) {
        size_t cap = x->cap ? x->cap : 4096;
        while (cap < x->len + n)
            cap *= 2;
        uint8_t *b = realloc(x->buf, cap);
        if (!b) abort();
        x->buf = b;
        x->cap = cap;
    }
    memcpy(x->buf + x->len, d, n);
    x->len += n;
}

/* A listing shows on the terminal once "150" is out; until then it waits. */
static void show_held(struct ftp_cli *k)
{
    struct cli_xfer *x = k->x;
    if (x->kind == XK_GET || !x->len) return;
    out_text(k->p, x->buf, x->len);
    x->len = 0;
}

static void put_go(struct ftp_cli *k)
{
    struct cli_xfer *x = k->x;
    if (x->kind != XK_PUT || !x->got_prelim || !x->d || x->step != XS_DATA) return;
    if (x->send_len) text_send(x->d, x->send, x->send_len);
    x->wire_bytes = x->send_len;
    text_close(x->d);
}

static void data_bytes(void *ctx, struct text_conn *t, const uint8_t *data, size_t len)
{
    (void)t;
    struct ftp_cli *k = ctx;
    struct cli_xfer *x = k->x;
    if (!x || x->kind == XK_PUT) return;
    x->wire_bytes += len;
    if (x->kind == XK_GET && x->type == 'I') {
        xbuf_put(x, data, len);
        return;
    }
    /* ASCII: CRLF back to LF, counting bare LFs as netkit does */
    bool c2 = x->cr;
    x->bare_lfs += ftp_bare_lfs(data, len, &c2);
    uint8_t *tmp = malloc(len + 1);
    if (!tmp) abort();
    size_t n = ftp_ascii_decode(data, len, tmp, &x->lf_cr);
    x->cr = c2;
    xbuf_put(x, tmp, n);
    free(tmp);
    if (x->step == XS_DATA && x->got_prelim) show_held(k);
}

static void data_peer_closed(void *ctx, struct text_conn *t)
{
    struct ftp_cli *k = ctx;
    struct cli_xfer *x = k->x;
    text_close(t);
    if (!x) return;
    x->data_eof = true;
    xfer_check_done(k);
}

static void data_closed(void *ctx, struct text_conn *t, enum tcp_reason why)
{
    (void)why;
    struct ftp_cli *k = ctx;
    struct cli_xfer *x = k->x;
    if (!x || x->d != t) return;
    x->d = NULL;
    x->data_closed = x->data_eof = true;
    xfer_check_done(k);
}

static const struct text_handler data_h = {
    .bytes = data_bytes,
    .peer_closed = data_peer_closed,
    .closed = data_closed,
};

static void data_up(struct ftp_cli *k, struct tcp_conn *c)
{
    struct cli_xfer *x = k->x;
    x->d = text_conn_new(c, &data_h, k);
    text_expect_bytes(x->d, SIZE_MAX);
}

static void send_xfer_cmd(struct ftp_cli *k)
{
    struct cli_xfer *x = k->x;
    x->step = XS_PRELIM;
    if (x->remote[0])
        send_cmd(k, "%s %s", x->cmd, x->remote);
    else
        send_cmd(k, "%s", x->cmd);
}

static void pasv_connected(void *ctx, struct tcp_conn *c)
{
    struct ftp_cli *k = ctx;
    k->x->connecting = NULL;
    data_up(k, c);
    send_xfer_cmd(k);
}

static void pasv_failed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    struct ftp_cli *k = ctx;
    k->x->connecting = NULL;
    proc_printf(k->p, "ftp: connect: %s\n", tcp_reason_str(why));
    xfer_end(k);
}

static const struct tcp_callbacks pasv_cb = {
    .connected = pasv_connected,
    .closed = pasv_failed,
};

static void port_accept(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    struct ftp_cli *k = ctx;
    struct cli_xfer *x = k->x;
    if (!x || x->d) {
        tcp_abort(c);
        return;
    }
    tcp_unlisten(l);
    x->l = NULL;
    data_up(k, c);
    put_go(k);
}

/* Sets up the data channel: PASV, or a listener and PORT. */
static void xfer_channel(struct ftp_cli *k)
{
    struct cli_xfer *x = k->x;
    x->step = XS_CHAN;
    if (k->passive) {
        send_cmd(k, "PASV");
        return;
    }
    uint32_t local = tcp_local_addr(text_tcp(k->t));
    uint32_t span = TCP_EPHEMERAL_HI - TCP_EPHEMERAL_LO + 1;
    uint16_t port = 0;
    for (int tries = 0; tries < 64 && !x->l; tries++) {
        port = (uint16_t)(TCP_EPHEMERAL_LO + rng_below(&k->st->node->rng, span));
        x->l = tcp_listen(k->st, local, port, port_accept, k);
    }
    if (!x->l) {
        proc_printf(k->p, "ftp: bind: Address already in use\n");
        xfer_end(k);
        return;
    }
    char hp[32];
    ftp_hostport_fmt(hp, sizeof hp, local, port);
    send_cmd(k, "PORT %s", hp);
}

static void xfer_start(struct ftp_cli *k)
{
    struct cli_xfer *x = k->x;
    if (k->curtype != x->type) {
        /* quietly, as netkit's changetype(type, 0) */
        x->step = XS_TYPE;
        send_cmd(k, "TYPE %c", x->type);
        return;
    }
    xfer_channel(k);
}

static void reply_xfer(struct ftp_cli *k, int code)
{
    struct cli_xfer *x = k->x;
    switch (x->step) {
    case XS_TYPE:
        show_reply(k, code, false);
        if (code / 100 != 2) {
            xfer_end(k);
            return;
        }
        k->curtype = x->type;
        xfer_channel(k);
        return;
    case XS_CHAN:
        show_reply(k, code, k->verbose);
        if (k->passive) {
            uint32_t a;
            uint16_t port;
            struct ftp_reply_line r;
            if (code != 227 || ftp_reply_line_parse(k->reply, strcspn(k->reply, "\r\n"), &r) ||
                ftp_pasv_parse(r.text, r.text_len, &a, &port)) {
                proc_printf(k->p, "Passive mode refused.\n");
                xfer_end(k);
                return;
            }
            x->step = XS_DCONN;
            x->connecting = tcp_connect(k->st, a, port, &pasv_cb, k);
            if (!x->connecting) {
                proc_printf(k->p, "ftp: connect: %s\n", tcp_reason_str(TCP_REASON_NO_ROUTE));
                xfer_end(k);
            }
            return;
        }
        if (code / 100 != 2) {
            xfer_end(k);
            return;
        }
        send_xfer_cmd(k);
        return;
    case XS_DCONN:
        show_reply(k, code, k->verbose); /* unasked: shown */
        return;
    case XS_PRELIM:
        show_reply(k, code, k->verbose);
        if (code / 100 != 1) {
            xfer_end(k); /* 425, 550...: no data comes */
            return;
        }
        x->step = XS_DATA;
        x->got_prelim = true;
        x->t0 = sim_now(k->p->sim);
        show_held(k);
        put_go(k);
        return;
    case XS_DATA:
        x->replied = true;
        x->final_code = code;
        x->final = malloc(k->reply_len + 1);
        if (!x->final) abort();
        if (k->verbose || code >= 500)
            memcpy(x->final, k->reply, k->reply_len + 1);
        else
            x->final[0] = 0;
        if (code / 100 != 2 && x->d) { /* a failed transfer: drop the data connection */
            ftp_orphan(k->st, x->d);
            x->d = NULL;
        }
        xfer_check_done(k);
        return;
    }
}

static void xfer_new(struct ftp_cli *k, enum xfer_kind kind, const char *remote, const char *local)
{
    struct cli_xfer *x = calloc(1, sizeof *x);
    if (!x) abort();
    x->kind = kind;
    static const char *const cmds[] = {"LIST", "NLST", "RETR", "STOR"};
    snprintf(x->cmd, sizeof x->cmd, "%s", cmds[kind]);
    snprintf(x->remote, sizeof x->remote, "%s", remote ? remote : "");
    snprintf(x->local, sizeof x->local, "%s", local ? local : "");
    x->type = kind == XK_LIST || kind == XK_NLST ? 'A' : k->type;
    k->x = x;
    k->ph = PH_XFER;
    if (kind == XK_GET || kind == XK_PUT)
        proc_printf(k->p, "local: %s remote: %s\n", x->local, x->remote);
    if (kind == XK_PUT) {
        char path[FTP_PATH_MAX];
        const struct ftp_file *f =
            ftp_path_resolve("/", x->local, strlen(x->local), path, sizeof path)
                ? ftp_fs_find(ftp_local_files(k->st), path)
                : NULL;
        uint8_t *src;
        size_t n;
        char made[512];
        if (f && !f->dir) {
            src = f->data;
            n = f->len;
        } else {
            int w = snprintf(made, sizeof made,
                             "%s: a test file the ftp client on %s made up for put,\n"
                             "since no file of that name was fetched before.\n",
                             x->local, k->p->node->name);
            src = (uint8_t *)made;
            n = w > 0 && (size_t)w < sizeof made ? (size_t)w : 0;
        }
        x->send = malloc(2 * n + 1);
        if (!x->send) abort();
        if (x->type == 'A')
            x->send_len = ftp_ascii_encode(src, n, x->send);
        else {
            memcpy(x->send, src, n);
            x->send_len = n;
        }
    }
    xfer_start(k);
}

/* ---- the ftp> commands ---- */

static void simple(struct ftp_cli *k, const char *fmt, const char *arg)
{
    k->ph = PH_SIMPLE;
    if (arg)
        send_cmd(k, fmt, arg);
    else
        send_cmd(k, "%s", fmt);
}

static bool need_conn(struct ftp_cli *k)
{
    if (k->t && k->connected) return true;
    proc_printf(k->p, "Not connected.\n");
    return false;
}

static void local_ls(struct ftp_cli *k, const char *dir, struct ftp_fs *fs);

static void local_each(void *ctx, const struct ftp_file *f, const char *name, unsigned nlink)
{
    (void)name;
    (void)nlink;
    struct ftp_cli *k = ctx;
    if (f->dir)
        local_ls(k, f->path, ftp_local_files(k->st));
    else
        proc_printf(k->p, "%s\n", f->path + 1);
}

static void local_ls(struct ftp_cli *k, const char *dir, struct ftp_fs *fs)
{
    ftp_fs_each(fs, dir, local_each, k);
}

/* "!ls", "!cat FILE...": the shell escape, on the node's own files. */
static void shell_escape(struct ftp_cli *k, int argc, char **argv)
{
    struct ftp_fs *fs = ftp_local_files(k->st);
    if (argc == 0) return;
    if (!strcmp(argv[0], "ls")) {
        local_ls(k, "/", fs);
        return;
    }
    if (!strcmp(argv[0], "cat")) {
        for (int i = 1; i < argc; i++) {
            char path[FTP_PATH_MAX];
            const struct ftp_file *f =
                ftp_path_resolve("/", argv[i], strlen(argv[i]), path, sizeof path)
                    ? ftp_fs_find(fs, path)
                    : NULL;
            if (!f || f->dir)
                proc_printf(k->p, "cat: %s: No such file or directory\n", argv[i]);
            else
                out_text(k->p, f->data, f->len);
        }
        return;
    }
    proc_printf(k->p, "sh: 1: %s: not found\n", argv[0]);
}

static void help(struct ftp_cli *k)
{
    proc_printf(k->p, "Commands may be abbreviated.  Commands are:\n\n"
                      "!\t\tcdup\t\tget\t\tnlist\t\tquote\t\tstatus\n"
                      "?\t\tdelete\t\thelp\t\tpassive\t\trename\t\tsystem\n"
                      "ascii\t\tdir\t\tls\t\tput\t\trmdir\t\ttype\n"
                      "binary\t\texit\t\tmkdir\t\tpwd\t\tsize\t\tuser\n"
                      "bye\t\tcd\t\tquit\t\tverbose\n");
}

static void run_command(struct ftp_cli *k, char *line)
{
    proc_printf(k->p, "ftp> %s\n", line);
    if (line[0] == '!') {
        char *argv[SHELL_MAX_ARGS];
        int argc = shell_split(line + 1, argv, SHELL_MAX_ARGS);
        shell_escape(k, argc < 0 ? 0 : argc, argv);
        return;
    }
    char *argv[SHELL_MAX_ARGS];
    int argc = shell_split(line, argv, SHELL_MAX_ARGS);
    if (argc <= 0) return;
    const char *c = argv[0];
    const char *a1 = argc > 1 ? argv[1] : NULL, *a2 = argc > 2 ? argv[2] : NULL;
    if (!strcmp(c, "bye") || !strcmp(c, "quit") || !strcmp(c, "exit")) {
        cli_quit(k);
    } else if (!strcmp(c, "passive")) {
        k->passive = !k->passive;
        proc_printf(k->p, "Passive mode %s.\n", k->passive ? "on" : "off");
    } else if (!strcmp(c, "verbose")) {
        k->verbose = !k->verbose;
        proc_printf(k->p, "Verbose mode %s.\n", k->verbose ? "on" : "off");
    } else if (!strcmp(c, "help") || !strcmp(c, "?")) {
        help(k);
    } else if (!strcmp(c, "status")) {
        char a[16];
        proc_printf(k->p,
                    "%s %s.\nMode: stream; Type: %s; Form: non-print; Structure: file\n"
                    "Verbose: %s; Passive: %s\n",
                    k->connected ? "Connected to" : "Not connected", ip4_str(k->addr, a),
                    k->type == 'I' ? "binary" : "ascii", k->verbose ? "on" : "off",
                    k->passive ? "on" : "off");
    } else if (!need_conn(k)) {
        /* the rest needs the server */
    } else if (!strcmp(c, "ls") || !strcmp(c, "dir")) {
        xfer_new(k, XK_LIST, a1, NULL);
    } else if (!strcmp(c, "nlist")) {
        xfer_new(k, XK_NLST, a1, NULL);
    } else if (!strcmp(c, "get") || !strcmp(c, "recv")) {
        if (!a1)
            proc_printf(k->p, "usage: get remote-file [ local-file ]\n");
        else
            xfer_new(k, XK_GET, a1, a2 ? a2 : a1);
    } else if (!strcmp(c, "put") || !strcmp(c, "send")) {
        if (!a1)
            proc_printf(k->p, "usage: put local-file [ remote-file ]\n");
        else
            xfer_new(k, XK_PUT, a2 ? a2 : a1, a1);
    } else if (!strcmp(c, "ascii") || !strcmp(c, "binary") || !strcmp(c, "type")) {
        const char *t = !strcmp(c, "type") ? a1 : c;
        if (!t) {
            proc_printf(k->p, "Using %s mode to transfer files.\n",
                        k->type == 'I' ? "binary" : "ascii");
        } else if (!strcmp(t, "ascii") || !strcmp(t, "binary") || !strcmp(t, "image")) {
            k->type = !strcmp(t, "ascii") ? 'A' : 'I';
            k->curtype = k->type;
            simple(k, k->type == 'A' ? "TYPE A" : "TYPE I", NULL);
        } else {
            proc_printf(k->p, "%s: unknown mode\n", t);
        }
    } else if (!strcmp(c, "cd") || !strcmp(c, "delete") || !strcmp(c, "mkdir") ||
               !strcmp(c, "rmdir") || !strcmp(c, "size")) {
        static const struct {
            const char *name, *cmd, *usage;
        } m[] = {{"cd", "CWD %s", "remote-directory"},
                 {"delete", "DELE %s", "remote-file"},
                 {"mkdir", "MKD %s", "directory-name"},
                 {"rmdir", "RMD %s", "directory-name"},
                 {"size", "SIZE %s", "filename"}};
        size_t i = 0;
        while (strcmp(m[i].name, c) != 0)
            i++;
        if (!a1)
            proc_printf(k->p, "usage: %s %s\n", c, m[i].usage);
        else
            simple(k, m[i].cmd, a1);
    } else if (!strcmp(c, "cdup")) {
        simple(k, "CDUP", NULL);
    } else if (!strcmp(c, "pwd")) {
        simple(k, "PWD", NULL);
    } else if (!strcmp(c, "system")) {
        simple(k, "SYST", NULL);
    } else if (!strcmp(c, "rename")) {
        if (!a1 || !a2) {
            proc_printf(k->p, "usage: rename from-name to-name\n");
        } else {
            snprintf(k->rnto, sizeof k->rnto, "%s", a2);
            k->ph = PH_RNFR;
            send_cmd(k, "RNFR %s", a1);
        }
    } else if (!strcmp(c, "quote") || !strcmp(c, "literal")) {
        if (argc < 2) {
            proc_printf(k->p, "usage: %s line-to-send\n", c);
        } else {
            char buf[FTP_PATH_MAX + 64];
            size_t o = 0;
            buf[0] = 0;
            for (int i = 1; i < argc && o < sizeof buf; i++) {
                int w = snprintf(buf + o, sizeof buf - o, "%s%s", i > 1 ? " " : "", argv[i]);
                o = w < 0 ? o : o + (size_t)w;
            }
            simple(k, "%s", buf);
        }
    } else if (!strcmp(c, "user")) {
        if (!a1) {
            proc_printf(k->p, "usage: user username [password]\n");
        } else {
            k->ph = PH_USER;
            send_cmd(k, "USER %s", a1);
            if (a2) { /* the password given: typed next, as if at the prompt */
                char *dup = strdup(a2);
                if (!dup) abort();
                k->lines = realloc(k->lines, (k->n_lines + 1) * sizeof *k->lines);
                if (!k->lines) abort();
                memmove(&k->lines[1], &k->lines[0], k->n_lines * sizeof *k->lines);
                k->lines[0] = dup;
                k->n_lines++;
            }
        }
    } else {
        proc_printf(k->p, "?Invalid command\n");
    }
}

/* Takes the next typed line when the session waits for one. */
static void cli_next(struct ftp_cli *k)
{
    while (k->ph == PH_IDLE || k->ph == PH_NAME || k->ph == PH_PASSWORD) {
        char *line = line_take(k);
        if (!line) {
            if (k->ph == PH_NAME) name_prompt(k, NULL);
            if (k->ph == PH_PASSWORD) password_prompt(k, false);
            arm_quiet(k);
            return;
        }
        sim_cancel(k->p->sim, &k->quiet);
        if (k->ph == PH_NAME) {
            name_prompt(k, line);
            k->ph = PH_USER;
            send_cmd(k, "USER %s", line[0] ? line : FTP_USER_NAME);
        } else if (k->ph == PH_PASSWORD) {
            password_prompt(k, true);
            k->ph = PH_PASS;
            send_cmd(k, "PASS %s", line);
        } else {
            run_command(k, line);
        }
        free(line);
    }
}

static void cli_quit(struct ftp_cli *k)
{
    if (k->t && k->connected) {
        k->ph = PH_QUIT;
        send_cmd(k, "QUIT");
        return;
    }
    cli_end(k, k->connected ? 0 : 1);
}

/* ---- the control connection ---- */

static void ctl_line(void *ctx, struct text_conn *t, char *line, size_t len)
{
    (void)t;
    struct ftp_cli *k = ctx;
    if (k->reply_len + len + 2 > k->reply_cap) {
        size_t cap = k->reply_cap ? k->reply_cap : 256;
        while (cap < k->reply_len + len + 2)
            cap *= 2;
        char *r = realloc(k->reply, cap);
        if (!r) abort();
        k->reply = r;
        k->reply_cap = cap;
    }
    memcpy(k->reply + k->reply_len, line, len);
    k->reply_len += len;
    k->reply[k->reply_len++] = '\n';
    k->reply[k->reply_len] = 0;
    int code;
    int rc = ftp_reply_feed(&k->rd, line, len, &code);
    if (rc == 0) return;
    if (rc < 0) { /* not a reply: show it and go on */
        out_text(k->p, (const uint8_t *)k->reply, k->reply_len);
        k->reply_len = 0;
        return;
    }
    switch (k->ph) {
    case PH_CONNECT:
    case PH_USER:
    case PH_PASS:
    case PH_SYST:
        reply_login(k, code);
        break;
    case PH_SIMPLE:
        show_reply(k, code, k->verbose);
        k->ph = PH_IDLE;
        cli_next(k);
        break;
    case PH_RNFR:
        show_reply(k, code, k->verbose);
        if (code == 350) {
            k->ph = PH_SIMPLE;
            send_cmd(k, "RNTO %s", k->rnto);
        } else {
            k->ph = PH_IDLE;
            cli_next(k);
        }
        break;
    case PH_XFER:
        reply_xfer(k, code);
        break;
    case PH_QUIT:
        show_reply(k, code, k->verbose);
        break;
    default: /* unasked (idle, waiting for input): shown */
        show_reply(k, code, true);
        break;
    }
    if (k->reply) k->reply_len = 0;
}

static void ctl_peer_closed(void *ctx, struct text_conn *t)
{
    struct ftp_cli *k = ctx;
    text_close(t);
    if (k->ph == PH_QUIT) return; /* expected: wait for the close */
    proc_printf(k->p, "421 Service not available, remote server has closed connection\n");
    cli_end(k, 1);
}

static void ctl_closed(void *ctx, struct text_conn *t, enum tcp_reason why)
{
    (void)t;
    struct ftp_cli *k = ctx;
    k->t = NULL;
    if (!k->connected) {
        proc_printf(k->p, "ftp: connect: %s\n", tcp_reason_str(why));
        cli_end(k, 1);
        return;
    }
    if (k->ph == PH_QUIT) {
        cli_end(k, 0);
        return;
    }
    if (k->ph != PH_DONE)
        proc_printf(k->p, "421 Service not available, remote server has closed connection\n");
    cli_end(k, 1);
}

static const struct text_handler ctl_h = {
    .line = ctl_line,
    .peer_closed = ctl_peer_closed,
    .closed = ctl_closed,
};

static void ctl_connected(void *ctx, struct tcp_conn *c)
{
    struct ftp_cli *k = ctx;
    k->connected = true;
    char a[16];
    proc_printf(k->p, "Connected to %s.\n", k->host[0] ? k->host : ip4_str(k->addr, a));
    k->t = text_conn_new(c, &ctl_h, k);
}

static void ctl_failed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    struct ftp_cli *k = ctx;
    k->t = NULL;
    proc_printf(k->p, "ftp: connect: %s\n", tcp_reason_str(why));
    cli_end(k, 1);
}

static const struct tcp_callbacks connect_cb = {
    .connected = ctl_connected,
    .closed = ctl_failed,
};

static void cli_resolved(struct shell_proc *p, enum shell_res how, uint32_t addr)
{
    struct ftp_cli *k = p->state;
    k->lookup = NULL;
    if (p->done) return;
    if (how >= SHELL_RES_NOTFOUND) {
        proc_printf(p, "ftp: %s: %s\n", k->host, shell_res_error(how));
        cli_end(k, 1);
        return;
    }
    k->addr = addr;
    struct tcp_conn *c = tcp_connect(k->st, addr, FTP_PORT, &connect_cb, k);
    if (!c) {
        proc_printf(p, "ftp: connect: %s\n", tcp_reason_str(TCP_REASON_NO_ROUTE));
        cli_end(k, 1);
    }
}

static void cli_input(struct shell_proc *p, const char *line)
{
    struct ftp_cli *k = p->state;
    if (k->ph == PH_DONE) return;
    if (k->n_lines == k->cap_lines) {
        k->cap_lines = k->cap_lines ? 2 * k->cap_lines : 8;
        char **a = realloc(k->lines, k->cap_lines * sizeof *a);
        if (!a) abort();
        k->lines = a;
    }
    k->lines[k->n_lines] = strdup(line);
    if (!k->lines[k->n_lines]) abort();
    k->n_lines++;
    cli_next(k);
}

void cmd_ftp(struct shell_proc *p, int argc, char **argv)
{
    if (argc != 2) {
        proc_printf(p, "usage: ftp host-name\n");
        proc_exit(p, 1);
        return;
    }
    struct ftp_cli *k = calloc(1, sizeof *k);
    if (!k) abort();
    k->p = p;
    k->st = node_stack(p->node);
    k->verbose = true;
    k->type = 'A';
    snprintf(k->host, sizeof k->host, "%s", argv[1]);
    p->state = k;
    p->free_state = cli_free;
    p->finish = cli_finish;
    p->input = cli_input;
    k->lookup = shell_resolve_async(p, argv[1], cli_resolved);
}
