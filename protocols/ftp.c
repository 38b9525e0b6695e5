/* ftp.c - FTP behaviour: the file tree, the server's sessions (control
 * connection, login, commands, the data connection of each listing and
 * transfer), and the per-node state the ftp client keeps. See ftp.h for
 * the rules; replies are vsftpd 3.0's words.
 *
 * Ownership: the server owns its sessions; a session owns its control
 * text_conn until that reports closed, and its data connections until
 * they close or the session ends (then they are handed to the node's
 * orphans, which free them once closed). At stack teardown everything left
 * is released without a word to TCP, right before tcp_free. */
#include "ftp.h"
#include "tcp.h"
#include "textconn.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FTP_QUEUE_MAX 64 /* lines held while a transfer runs; more are dropped */

struct ftp_orphan {
    struct ftp_orphan *next;
    struct ftp_state *fst;
    struct text_conn *t;
};

struct ftp_server;

/* Per node: the server, the client's local files, connections closing. */
struct ftp_state {
    struct netstack *st;
    struct ftp_server *srv;
    struct ftp_fs *local;
    struct ftp_orphan *orphans;
};

static void *ftp_xalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) abort();
    return p;
}

static char *ftp_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = ftp_xalloc(n);
    memcpy(d, s, n);
    return d;
}

static struct ftp_state *ftp_state_of(struct netstack *st)
{
    if (!st->ftp) {
        st->ftp = ftp_xalloc(sizeof *st->ftp);
        st->ftp->st = st;
    }
    return st->ftp;
}

/* ======================================================================
 * The file tree
 * ====================================================================== */

void ftp_fs_init(struct ftp_fs *fs)
{
    memset(fs, 0, sizeof *fs);
    fs->cap = 8;
    fs->f = ftp_xalloc((size_t)fs->cap * sizeof *fs->f);
    fs->f[0] = (struct ftp_file){.path = ftp_strdup("/"), .dir = true};
    fs->n = 1;
}

void ftp_fs_free(struct ftp_fs *fs)
{
    for (int i = 0; i < fs->n; i++) {
        free(fs->f[i].path);
        free(fs->f[i].data);
    }
    free(fs->f);
    memset(fs, 0, sizeof *fs);
}

bool ftp_path_ok(const char *path)
{
    size_t n = strlen(path);
    if (n == 0 || n >= FTP_PATH_MAX || path[0] != '/') return false;
    if (n == 1) return true;
    if (path[n - 1] == '/') return false;
    for (const char *p = path; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x20 || ch == 0x7f) return false;
        if (ch != '/') continue;
        const char *e = p + 1;
        while (*e && *e != '/')
            e++;
        size_t k = (size_t)(e - p - 1);
        if (k == 0 || (k == 1 && p[1] == '.') || (k == 2 && p[1] == '.' && p[2] == '.'))
            return false;
    }
    return true;
}

/* Index of path, or where it would go (with *found false). */
static int fs_index(const struct ftp_fs *fs, const char *path, bool *found)
{
    int lo = 0, hi = fs->n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(fs->f[mid].path, path);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

const struct ftp_file *ftp_fs_find(const struct ftp_fs *fs, const char *path)
{
    bool found;
    int i = fs_index(fs, path, &found);
    return found ? &fs->f[i] : NULL;
}

static struct ftp_file *fs_insert(struct ftp_fs *fs, int at, const char *path)
{
    if (fs->n == fs->cap) {
        fs->cap *= 2;
        struct ftp_file *f = realloc(fs->f, (size_t)fs->cap * sizeof *f);
        if (!f) abort();
        fs->f = f;
    }
    memmove(&fs->f[at + 1], &fs->f[at], (size_t)(fs->n - at) * sizeof *fs->f);
    fs->n++;
    fs->f[at] = (struct ftp_file){.path = ftp_strdup(path)};
    return &fs->f[at];
}

/* The parent of path ("/pub/a" -> "/pub", "/a" -> "/") into out. */
static void parent_of(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash && slash != path ? (size_t)(slash - path) : 1;
    snprintf(out, cap, "%.*s", (int)n, path);
}

static bool fs_is_dir(const struct ftp_fs *fs, const char *path)
{
    const struct ftp_file *f = ftp_fs_find(fs, path);
    return f && f->dir;
}

int ftp_fs_add(struct ftp_fs *fs, const char *path, const uint8_t *data, size_t len, unsigned uid)
{
    if (!ftp_path_ok(path) || !strcmp(path, "/")) return -1;
    char part[FTP_PATH_MAX];
    /* the directories above it, outermost first */
    for (const char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
        snprintf(part, sizeof part, "%.*s", (int)(p - path), path);
        bool found;
        int i = fs_index(fs, part, &found);
        if (found && !fs->f[i].dir) return -1;
        if (!found) {
            struct ftp_file *d = fs_insert(fs, i, part);
            d->dir = true;
            d->uid = uid;
        }
    }
    bool found;
    int i = fs_index(fs, path, &found);
    if (found && fs->f[i].dir) return -1;
    struct ftp_file *f = found ? &fs->f[i] : fs_insert(fs, i, path);
    free(f->data);
    f->data = ftp_xalloc(len);
    if (len) memcpy(f->data, data, len);
    f->len = len;
    f->uid = uid;
    return 0;
}

int ftp_fs_store(struct ftp_fs *fs, const char *path, uint8_t *data, size_t len, unsigned uid)
{
    char parent[FTP_PATH_MAX];
    if (!ftp_path_ok(path) || !strcmp(path, "/")) return -1;
    parent_of(path, parent, sizeof parent);
    if (!fs_is_dir(fs, parent)) return -1;
    bool found;
    int i = fs_index(fs, path, &found);
    if (found && fs->f[i].dir) return -1;
    struct ftp_file *f = found ? &fs->f[i] : fs_insert(fs, i, path);
    free(f->data);
    f->data = data;
    f->len = len;
    f->uid = uid;
    return 0;
}

int ftp_fs_mkdir(struct ftp_fs *fs, const char *path, unsigned uid)
{
    char parent[FTP_PATH_MAX];
    if (!ftp_path_ok(path) || !strcmp(path, "/")) return -1;
    parent_of(path, parent, sizeof parent);
    bool found;
    int i = fs_index(fs, path, &found);
    if (found || !fs_is_dir(fs, parent)) return -1;
    struct ftp_file *d = fs_insert(fs, i, path);
    d->dir = true;
    d->uid = uid;
    return 0;
}

/* Whether an entry lies inside directory dir (at any depth). */
static bool inside(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (n == 1) return path[1] != 0; /* everything but "/" is inside "/" */
    return !strncmp(path, dir, n) && path[n] == '/';
}

/* The first entry inside directory dir: entries sharing the prefix "dir/"
 * sit together in sorted order (though not right after dir itself: "/pub-x"
 * sorts between "/pub" and "/pub/a"); "/" sorts first of all. */
static int first_inside(const struct ftp_fs *fs, const char *dir)
{
    if (!strcmp(dir, "/")) return 1;
    char prefix[FTP_PATH_MAX + 1];
    snprintf(prefix, sizeof prefix, "%s/", dir);
    bool found;
    return fs_index(fs, prefix, &found);
}

int ftp_fs_remove(struct ftp_fs *fs, const char *path, bool dir)
{
    bool found;
    int i = fs_index(fs, path, &found);
    if (!found || fs->f[i].dir != dir || !strcmp(path, "/")) return -1;
    if (dir) { /* only when empty */
        int k = first_inside(fs, path);
        if (k < fs->n && inside(fs->f[k].path, path)) return -1;
    }
    free(fs->f[i].path);
    free(fs->f[i].data);
    memmove(&fs->f[i], &fs->f[i + 1], (size_t)(fs->n - i - 1) * sizeof *fs->f);
    fs->n--;
    return 0;
}

/* Renames a file (not a directory): 0, or -1. */
static int fs_rename(struct ftp_fs *fs, const char *from, const char *to)
{
    const struct ftp_file *f = ftp_fs_find(fs, from);
    if (!f || f->dir) return -1;
    uint8_t *data = f->data;
    size_t len = f->len;
    unsigned uid = f->uid;
    char parent[FTP_PATH_MAX];
    if (!ftp_path_ok(to) || !strcmp(to, "/")) return -1;
    parent_of(to, parent, sizeof parent);
    const struct ftp_file *t = ftp_fs_find(fs, to);
    if (!fs_is_dir(fs, parent) || (t && t->dir)) return -1;
    /* the bytes move: detach them before the old entry goes */
    bool found;
    int i = fs_index(fs, from, &found);
    fs->f[i].data = NULL;
    ftp_fs_remove(fs, from, false);
    if (ftp_fs_store(fs, to, data, len, uid) < 0) {
        free(data);
        return -1;
    }
    return 0;
}

void ftp_fs_each(const struct ftp_fs *fs, const char *dir, ftp_fs_each_fn fn, void *ctx)
{
    const struct ftp_file *d = ftp_fs_find(fs, dir);
    if (!d || !d->dir) return;
    size_t n = strlen(dir);
    size_t skip = n == 1 ? 1 : n + 1; /* "/" or "/pub/" */
    for (int i = first_inside(fs, dir); i < fs->n && inside(fs->f[i].path, dir); i++) {
        const char *name = fs->f[i].path + skip;
        if (strchr(name, '/')) continue; /* deeper down */
        fn(ctx, &fs->f[i], name, ftp_fs_nlink(fs, &fs->f[i]));
    }
}

unsigned ftp_fs_nlink(const struct ftp_fs *fs, const struct ftp_file *f)
{
    if (!f->dir) return 1;
    unsigned n = 2;
    size_t len = strlen(f->path);
    size_t skip = len == 1 ? 1 : len + 1;
    for (int i = first_inside(fs, f->path); i < fs->n && inside(fs->f[i].path, f->path); i++)
        if (fs->f[i].dir && !strchr(fs->f[i].path + skip, '/')) n++;
    return n;
}

bool ftp_path_resolve(const char *cwd, const char *arg, size_t arg_len, char *out, size_t cap)
{
    char buf[2 * FTP_PATH_MAX + 2];
    for (size_t i = 0; i < arg_len; i++)
        if ((unsigned char)arg[i] < 0x20 || arg[i] == 0x7f) return false;
    if (arg_len >= FTP_PATH_MAX || strlen(cwd) >= FTP_PATH_MAX) return false;
    if (arg_len && arg[0] == '/')
        snprintf(buf, sizeof buf, "%.*s", (int)arg_len, arg);
    else
        snprintf(buf, sizeof buf, "%s/%.*s", cwd, (int)arg_len, arg);
    /* walk the parts, keeping a stack of where each output part starts */
    char res[2 * FTP_PATH_MAX + 2];
    size_t starts[FTP_PATH_MAX], depth = 0, o = 0;
    for (char *p = buf; *p;) {
        while (*p == '/')
            p++;
        if (!*p) break;
        char *e = p;
        while (*e && *e != '/')
            e++;
        size_t k = (size_t)(e - p);
        if (k == 1 && p[0] == '.') {
            /* stays */
        } else if (k == 2 && p[0] == '.' && p[1] == '.') {
            if (depth) o = starts[--depth];
        } else {
            starts[depth++] = o;
            res[o++] = '/';
            memcpy(res + o, p, k);
            o += k;
        }
        p = e;
    }
    if (o == 0) res[o++] = '/';
    res[o] = 0;
    if (o >= cap || o >= FTP_PATH_MAX) return false;
    memcpy(out, res, o + 1);
    return true;
}

/* ======================================================================
 * Orphans: connections closing after their owner went
 * ====================================================================== */

static void orphan_closed(void *ctx, struct text_conn *t, enum tcp_reason why)
{
    (void)t;
    (void)why;
    struct ftp_orphan *o = ctx;
    for (struct ftp_orphan **pp = &o->fst->orphans; *pp; pp = &(*pp)->next)
        if (*pp == o) {
            *pp = o->next;
            break;
        }
    free(o);
}

static void orphan_peer_closed(void *ctx, struct text_conn *t)
{
    (void)ctx;
    text_close(t);
}

static const struct text_handler orphan_h = {
    .peer_closed = orphan_peer_closed,
    .closed = orphan_closed,
};

void ftp_orphan(struct netstack *st, struct text_conn *t)
{
    struct ftp_state *fst = ftp_state_of(st);
    struct ftp_orphan *o = ftp_xalloc(sizeof *o);
    o->fst = fst;
    o->t = t;
    o->next = fst->orphans;
    fst->orphans = o;
    text_set_handler(t, &orphan_h, o);
    text_close(t);
}

struct ftp_fs *ftp_local_files(struct netstack *st)
{
    struct ftp_state *fst = ftp_state_of(st);
    if (!fst->local) {
        fst->local = ftp_xalloc(sizeof *fst->local);
        ftp_fs_init(fst->local);
    }
    return fst->local;
}

/* ======================================================================
 * The server
 * ====================================================================== */

enum ftp_auth { AUTH_USER, AUTH_PASS, AUTH_IN };
enum ftp_xkind { X_LIST, X_NLST, X_RETR, X_STOR };

/* One listing or transfer, from its command to its final reply. */
struct ftp_xfer {
    enum ftp_xkind kind;
    char path[FTP_PATH_MAX]; /* RETR/STOR: the file */
    char name[FTP_PATH_MAX]; /* as the client named it, for the 150 reply */
    uint8_t *out;            /* what goes out on the data connection */
    size_t out_len, size;
    uint8_t *in; /* STOR: what came in */
    size_t in_len, in_cap;
    bool cr, too_big, replied;
    bool active;                 /* via PORT */
    uint16_t dport;              /* the data connection's port on the other side */
    struct text_conn *d;         /* the data connection, once up */
    struct tcp_conn *connecting; /* active mode: our SYN is out */
    bool tls_wait;               /* FTPS: the data waits for the data connection's handshake */
};

struct ftp_sess {
    struct ftp_sess *next;
    struct ftp_server *srv;
    struct text_conn *t;
    uint32_t peer, local;
    enum ftp_auth auth;
    char user[64];
    bool anon;
    int fails;
    char cwd[FTP_PATH_MAX];
    bool ascii; /* TYPE A */
    bool port_set;
    uint32_t port_addr;
    uint16_t port_port;
    struct tcp_listener *pasv;
    struct text_conn *pasv_conn; /* accepted, waiting for its command */
    struct sim_timer pasv_timer;
    struct ftp_xfer *x;
    char *queue[FTP_QUEUE_MAX];
    int nq;
    bool closing;
    bool has_rnfr;
    char rnfr[FTP_PATH_MAX];
    bool tls;    /* FTPS: the control connection is TLS (port 990) */
    bool prot_p; /* PROT P: data connections are TLS too */
};

struct ftp_server {
    struct netstack *st;
    struct ftp_conf conf;
    struct tcp_listener *l, *l_tls; /* 21, 990 */
    struct ftp_sess *sess;
};

const struct ftp_fs *ftp_server_fs(const struct netstack *st)
{
    return st->ftp && st->ftp->srv ? &st->ftp->srv->conf.fs : NULL;
}

static struct sim *sess_sim(const struct ftp_sess *s)
{
    return s->srv->st->sim;
}

/* Sends a reply and publishes the server's reason for it as a layer-7
 * step: summary in tshark's words, then the why sentence. */
static void reply(struct ftp_sess *s, int code, const char *text, const char *why, ...)
    __attribute__((format(printf, 4, 5)));
static void reply(struct ftp_sess *s, int code, const char *text, const char *why, ...)
{
    char buf[FTP_REPLY_MAX];
    size_t n = ftp_reply_emit(buf, sizeof buf, code, text);
    if (n) text_send(s->t, buf, n);
    struct sim *sim = sess_sim(s);
    if (!trace_on(sim, TRACE_LAYERS)) return;
    char w[512] = "";
    if (why) {
        va_list ap;
        va_start(ap, why);
        vsnprintf(w, sizeof w, why, ap);
        va_end(ap);
    }
    const char *nl = strchr(text, '\n');
    stack_step(sim, TRACE_LAYERS, s->srv->st->node, NULL, 7, TK_DELIVER, NULL, "FTP",
               "Response: %d %.*s\n%s", code, nl ? (int)(nl - text) : 120, text, w);
}

static void sess_drain(struct ftp_sess *s);
static void sess_command(struct ftp_sess *s, char *line, size_t len);

/* ---- data connections ---- */

static void xfer_free(struct ftp_sess *s)
{
    struct ftp_xfer *x = s->x;
    if (!x) return;
    s->x = NULL;
    if (x->connecting) tcp_abort(x->connecting);
    if (x->d) ftp_orphan(s->srv->st, x->d);
    free(x->out);
    free(x->in);
    free(x);
}

/* The end of a transfer: its final reply (unless given) and the next
 * command waiting. */
static void xfer_done(struct ftp_sess *s, int code, const char *text, const char *why)
{
    if (!s->x->replied) reply(s, code, text, "%s", why);
    xfer_free(s);
    sess_drain(s);
}

static void data_bytes(void *ctx, struct text_conn *t, const uint8_t *data, size_t len)
{
    struct ftp_sess *s = ctx;
    struct ftp_xfer *x = s->x;
    if (!x || x->d != t || x->kind != X_STOR || x->too_big) return; /* nothing is wanted */
    if (x->in_len + len + 1 > FTP_FILE_MAX) {
        x->too_big = true;
        return;
    }
    if (x->in_len + len + 1 > x->in_cap) {
        size_t cap = x->in_cap ? x->in_cap : 4096;
        while (cap < x->in_len + len + 1)
            cap *= 2;
        uint8_t *b = realloc(x->in, cap);
        if (!b) abort();
        x->in = b;
        x->in_cap = cap;
    }
    if (s->ascii)
        x->in_len += ftp_ascii_decode(data, len, x->in + x->in_len, &x->cr);
    else {
        memcpy(x->in + x->in_len, data, len);
        x->in_len += len;
    }
}

static void data_peer_closed(void *ctx, struct text_conn *t)
{
    struct ftp_sess *s = ctx;
    struct ftp_xfer *x = s->x;
    if (x && x->d == t && x->kind == X_STOR && !x->replied) {
        /* the client closed its side: the upload is whole */
        x->replied = true;
        if (x->too_big) {
            reply(s, 552, "Requested file action aborted. Exceeded storage allocation.",
                  "The upload passed the %u MiB a file may hold in netstep, so nothing was "
                  "stored.",
                  FTP_FILE_MAX >> 20);
        } else {
            if (x->cr) x->in[x->in_len++] = '\r';
            uint8_t *data = x->in;
            x->in = NULL;
            if (!data) data = ftp_xalloc(1);
            if (ftp_fs_store(&s->srv->conf.fs, x->path, data, x->in_len, FTP_UID_USER) < 0) {
                free(data);
                reply(s, 553, "Could not create file.",
                      "The directory the file was to go into is gone, so it cannot be stored.");
            } else {
                reply(s, 226, "Transfer complete.",
                      "The client closed the data connection: all %zu bytes of %s are in, and "
                      "the file stays on the server for the rest of the run.",
                      x->in_len, x->path);
            }
        }
    }
    text_close(t);
}

static void data_closed(void *ctx, struct text_conn *t, enum tcp_reason why)
{
    struct ftp_sess *s = ctx;
    if (s->pasv_conn == t) {
        s->pasv_conn = NULL; /* closed before any command used it */
        return;
    }
    struct ftp_xfer *x = s->x;
    if (!x || x->d != t) return;
    x->d = NULL;
    if (x->kind == X_STOR)
        xfer_done(s, 426, "Failure reading network stream.",
                  "The data connection broke before the client finished the upload, so "
                  "nothing was stored.");
    else if (why != TCP_REASON_CLOSED)
        xfer_done(s, 426, "Failure writing network stream.",
                  "The data connection broke before everything was sent.");
    else if (x->kind == X_RETR)
        xfer_done(s, 226, "Transfer complete.",
                  "Every byte went out on the data connection and both sides closed it, so "
                  "the transfer is complete; a new PORT or PASV is needed for the next one.");
    else
        xfer_done(s, 226, "Directory send OK.",
                  "The listing went out on the data connection and both sides closed it; the "
                  "control connection stays open for more commands.");
}

static void data_tls_ready(void *ctx, struct text_conn *t);

static const struct text_handler data_h = {
    .bytes = data_bytes,
    .peer_closed = data_peer_closed,
    .closed = data_closed,
    .tls_ready = data_tls_ready,
};

static struct text_conn *data_wrap(struct ftp_sess *s, struct tcp_conn *c)
{
    /* RFC 4217 7: under PROT P the server is the TLS server of the data
     * connection, whichever side opened it */
    struct text_conn *d = s->prot_p ? text_conn_new_tls(c, s->srv->conf.tls, &data_h, s)
                                    : text_conn_new(c, &data_h, s);
    text_expect_bytes(d, SIZE_MAX); /* raw bytes, never lines */
    return d;
}

/* A listing or a file goes out on the data connection, which then closes. */
static void xfer_send(struct ftp_sess *s, struct text_conn *d)
{
    struct ftp_xfer *x = s->x;
    if (text_is_tls(d) && !text_tls_ready(d)) {
        x->tls_wait = true; /* data_tls_ready sends it */
        return;
    }
    x->tls_wait = false;
    if (x->out_len) text_send(d, x->out, x->out_len);
    text_close(d);
}

static void data_tls_ready(void *ctx, struct text_conn *t)
{
    struct ftp_sess *s = ctx;
    if (s->x && s->x->d == t && s->x->tls_wait) xfer_send(s, t);
}

/* The data connection is up: 150, then the data. */
static void xfer_go(struct ftp_sess *s, struct text_conn *d)
{
    struct ftp_xfer *x = s->x;
    x->d = d;
    x->dport = tcp_remote_port(text_tcp(d));
    char how[128];
    if (x->active)
        snprintf(how, sizeof how, "it connected from port 20 to the client's port %u (active mode)",
                 x->dport);
    else
        snprintf(how, sizeof how, "the client connected to its port %u (passive mode)",
                 tcp_local_port(text_tcp(d)));
    char text[FTP_PATH_MAX + 96];
    switch (x->kind) {
    case X_LIST:
    case X_NLST:
        reply(s, 150, "Here comes the directory listing.",
              "The data connection is up (%s), so the listing goes there; the replies stay on "
              "the control connection.",
              how);
        break;
    case X_RETR:
        snprintf(text, sizeof text, "Opening %s mode data connection for %s (%zu bytes).",
                 s->ascii ? "ASCII" : "BINARY", x->name, x->size);
        reply(s, 150, text,
              "The data connection is up (%s), so the %zu bytes of %s follow on it%s.", how,
              x->size, x->path,
              s->ascii ? ", each LF sent as CRLF because the type is ASCII" : ", byte for byte");
        break;
    case X_STOR:
        reply(s, 150, "Ok to send data.",
              "The data connection is up (%s): the server reads what comes on it until the "
              "client closes it.",
              how);
        return;
    }
    xfer_send(s, d);
}

static void active_connected(void *ctx, struct tcp_conn *c)
{
    struct ftp_sess *s = ctx;
    s->x->connecting = NULL;
    xfer_go(s, data_wrap(s, c));
}

static void active_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    struct ftp_sess *s = ctx;
    s->x->connecting = NULL;
    char w[200];
    snprintf(w, sizeof w,
             "The server's connection from port 20 to the port the client gave in PORT failed "
             "(%s), so there is no data connection.",
             tcp_reason_str(why));
    xfer_done(s, 425, "Failed to establish connection.", w);
}

static const struct tcp_callbacks active_cb = {
    .connected = active_connected,
    .closed = active_closed,
};

static void pasv_timeout(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct ftp_sess *s = ctx;
    s->pasv_timer = (struct sim_timer){0, 0};
    if (!s->x || s->x->d) return;
    xfer_done(s, 425, "Failed to establish connection.",
              "The client never connected to the passive port, so the server gives up waiting.");
}

static void pasv_close(struct ftp_sess *s)
{
    if (s->pasv) tcp_unlisten(s->pasv);
    s->pasv = NULL;
    if (s->pasv_conn) ftp_orphan(s->srv->st, s->pasv_conn);
    s->pasv_conn = NULL;
}

static void pasv_accept(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    struct ftp_sess *s = ctx;
    bool waiting = s->x && !s->x->d && !s->x->connecting;
    if (tcp_remote_addr(c) != s->peer) {
        /* vsftpd's pasv_promiscuous=NO: only the client may connect */
        tcp_abort(c);
        if (waiting) {
            sim_cancel(sess_sim(s), &s->pasv_timer);
            xfer_done(s, 425, "Security: Bad IP connecting.",
                      "The data connection came from another address than the control "
                      "connection, so the server refuses it (a stolen passive port).");
        }
        return;
    }
    tcp_unlisten(s->pasv); /* one connection per PASV */
    s->pasv = NULL;
    struct text_conn *d = data_wrap(s, c);
    if (waiting) {
        sim_cancel(sess_sim(s), &s->pasv_timer);
        xfer_go(s, d);
    } else {
        if (s->pasv_conn) ftp_orphan(s->srv->st, s->pasv_conn);
        s->pasv_conn = d;
    }
}

/* Starts x on the data channel PORT or PASV set up; 425 when neither. */
static void xfer_start(struct ftp_sess *s, struct ftp_xfer *x)
{
    s->x = x;
    /* vsftpd's data_transfer_checks_ok: after "Use PORT or PASV first" */
    if (s->tls && !s->prot_p && (s->pasv || s->pasv_conn || s->port_set)) {
        xfer_done(s, 522, "Data connections must be encrypted.",
                  "The control connection is encrypted (FTPS), and this server wants the data "
                  "encrypted too: the client must say PROT P first (RFC 4217 9), else the file "
                  "would cross the network in clear text.");
        return;
    }
    if (s->pasv || s->pasv_conn) {
        if (s->pasv_conn) {
            struct text_conn *d = s->pasv_conn;
            s->pasv_conn = NULL;
            xfer_go(s, d);
        } else {
            s->pasv_timer = sim_schedule(sess_sim(s), FTP_PASV_WAIT, pasv_timeout, s, 0);
        }
        return;
    }
    if (s->port_set) {
        s->port_set = false;
        x->active = true;
        x->connecting =
            tcp_connect_from(s->srv->st, FTP_DATA_PORT, s->port_addr, s->port_port, &active_cb, s);
        if (!x->connecting)
            xfer_done(s, 425, "Failed to establish connection.",
                      "The server cannot open a connection from port 20 to the address in "
                      "PORT (no route, or that port pair is busy).");
        return;
    }
    xfer_done(s, 425, "Use PORT or PASV first.",
              "Every listing and transfer needs its own data connection, set up by a PORT "
              "(active) or PASV (passive) command just before it; there was none.");
}

static struct ftp_xfer *xfer_new(enum ftp_xkind kind)
{
    struct ftp_xfer *x = ftp_xalloc(sizeof *x);
    x->kind = kind;
    return x;
}

/* ---- the listing ---- */

struct list_buf {
    struct ftp_xfer *x;
    size_t cap;
    bool names;
    bool dots; /* -a: names starting with "." too */
};

static void list_put(struct list_buf *b, const char *line, size_t n)
{
    struct ftp_xfer *x = b->x;
    if (x->out_len + n + 2 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < x->out_len + n + 2)
            cap *= 2;
        uint8_t *o = realloc(x->out, cap);
        if (!o) abort();
        x->out = o;
        b->cap = cap;
    }
    memcpy(x->out + x->out_len, line, n);
    memcpy(x->out + x->out_len + n, "\r\n", 2); /* listings are always CRLF */
    x->out_len += n + 2;
}

static void list_one(void *ctx, const struct ftp_file *f, const char *name, unsigned nlink)
{
    struct list_buf *b = ctx;
    if (name[0] == '.' && !b->dots) return; /* hidden, as ls hides them */
    if (b->names) {
        list_put(b, name, strlen(name));
        return;
    }
    char line[FTP_PATH_MAX + 96];
    struct ftp_stat st = {f->dir, f->dir ? 4096 : f->len, nlink, f->uid, name};
    list_put(b, line, ftp_list_line(line, sizeof line, &st));
}

/* ---- commands ---- */

static bool is_anon_name(const char *u)
{
    return !strcasecmp(u, "anonymous") || !strcasecmp(u, "ftp");
}

static void cmd_user(struct ftp_sess *s, const struct ftp_cmd *c)
{
    if (s->auth == AUTH_IN) {
        reply(s, 530, "Can't change to another user.",
              "The session is logged in already; vsftpd does not switch users on one "
              "connection.");
        return;
    }
    snprintf(s->user, sizeof s->user, "%.*s", (int)c->arg_len, c->arg);
    s->anon = is_anon_name(s->user);
    s->auth = AUTH_PASS;
    if (s->anon && s->srv->conf.anonymous)
        reply(s, 331, "Please specify the password.",
              "Anonymous login is on, so any password will do; the server asks for one all the "
              "same (by custom an e-mail address).");
    else
        reply(s, 331, "Please specify the password.",
              "The server asks for %s's password before saying whether the user exists, so a "
              "guesser learns nothing from this reply.",
              s->user);
}

static void cmd_pass(struct ftp_sess *s, const struct ftp_cmd *c)
{
    if (s->auth == AUTH_USER) {
        reply(s, 503, "Login with USER first.",
              "PASS must follow USER (RFC 959 4.1.1): there is no user name to check the "
              "password against.");
        return;
    }
    if (s->auth == AUTH_IN) {
        reply(s, 230, "Already logged in.", "The session is logged in already.");
        return;
    }
    const struct ftp_conf *cf = &s->srv->conf;
    bool ok = false;
    if (s->anon)
        ok = cf->anonymous;
    else
        for (int i = 0; i < cf->n_acc && !ok; i++)
            ok = !strcmp(cf->acc[i].user, s->user) && strlen(cf->acc[i].pass) == c->arg_len &&
                 !memcmp(cf->acc[i].pass, c->arg, c->arg_len);
    if (ok) {
        s->auth = AUTH_IN;
        snprintf(s->cwd, sizeof s->cwd, "/");
        reply(s, 230, "Login successful.",
              "%s: the session may now list and transfer files. The password crossed the "
              "network in clear text, readable by anyone who captures port 21.",
              s->anon ? "Anonymous access is on, so any password is accepted"
                      : "The password matches the account");
        return;
    }
    s->auth = AUTH_USER;
    s->fails++;
    if (s->anon)
        reply(s, 530, "Login incorrect.", "Anonymous login is off on this server.");
    else
        reply(s, 530, "Login incorrect.",
              "No account %s with that password: the same answer for a wrong user and a wrong "
              "password.%s",
              s->user,
              s->fails >= FTP_MAX_FAILS ? " That was the third failure: the server hangs up." : "");
    if (s->fails >= FTP_MAX_FAILS) {
        s->closing = true;
        text_close(s->t);
    }
}

static void cmd_quit(struct ftp_sess *s, const struct ftp_cmd *c)
{
    (void)c;
    reply(s, 221, "Goodbye.",
          "The client asked to end the session; the server closes the "
          "control connection.");
    s->closing = true;
    text_close(s->t);
}

static void cmd_syst(struct ftp_sess *s, const struct ftp_cmd *c)
{
    (void)c;
    reply(s, 215, "UNIX Type: L8",
          "The server says it is a Unix system with 8-bit bytes, so clients use binary mode "
          "for files by default.");
}

static void cmd_feat(struct ftp_sess *s, const struct ftp_cmd *c)
{
    (void)c;
    reply(s, 211, "Features:\n EPSV\n PASV\n SIZE\n UTF8\nEnd",
          "FEAT (RFC 2389) lists the extensions the server supports, one per line of a "
          "multi-line reply.");
}

static void cmd_help(struct ftp_sess *s, const struct ftp_cmd *c)
{
    (void)c;
    reply(s, 214,
          "The following commands are recognized.\n"
          " ABOR CDUP CWD  DELE EPSV FEAT HELP LIST MKD  MODE NLST NOOP OPTS PASS\n"
          " PASV PORT PWD  QUIT RETR RMD  RNFR RNTO SIZE STOR STRU SYST TYPE USER\n"
          " XCUP XCWD XMKD XPWD XRMD\n"
          "Help OK.",
          "HELP lists the commands the server knows, in a multi-line reply.");
}

static void cmd_noop(struct ftp_sess *s, const struct ftp_cmd *c)
{
    (void)c;
    reply(s, 200, "NOOP ok.", "NOOP does nothing but get a reply: it keeps the session alive.");
}

static void cmd_pwd(struct ftp_sess *s, const struct ftp_cmd *c)
{
    (void)c;
    char text[FTP_PATH_MAX + 40];
    snprintf(text, sizeof text, "\"%s\" is the current directory", s->cwd);
    reply(s, 257, text, "PWD answers with the session's working directory, in quotes.");
}

/* The path an argument names, or NULL (550 given) when it cannot be one. */
static bool arg_path(struct ftp_sess *s, const struct ftp_cmd *c, char *out)
{
    return ftp_path_resolve(s->cwd, c->arg, c->arg_len, out, FTP_PATH_MAX);
}

static void cmd_cwd(struct ftp_sess *s, const struct ftp_cmd *c)
{
    char path[FTP_PATH_MAX];
    bool up = !strcmp(c->verb, "CDUP") || !strcmp(c->verb, "XCUP");
    bool ok = up ? ftp_path_resolve(s->cwd, "..", 2, path, sizeof path) : arg_path(s, c, path);
    if (ok && fs_is_dir(&s->srv->conf.fs, path)) {
        snprintf(s->cwd, sizeof s->cwd, "%s", path);
        reply(s, 250, "Directory successfully changed.",
              "%s is a directory, so it becomes the working directory; relative names are now "
              "taken from there.",
              path);
    } else {
        reply(s, 550, "Failed to change directory.", "There is no directory %.*s here.",
              (int)c->arg_len, c->arg);
    }
}

static void cmd_type(struct ftp_sess *s, const struct ftp_cmd *c)
{
    char t = c->arg_len ? (char)(c->arg[0] & ~0x20) : 0;
    if (t == 'A' && (c->arg_len == 1 || (c->arg_len == 3 && (c->arg[2] & ~0x20) == 'N'))) {
        s->ascii = true;
        reply(s, 200, "Switching to ASCII mode.",
              "Type A: text files go out with CRLF line ends (the network's NVT form, RFC 959 "
              "3.1.1.1), and uploads are stored with LF.");
    } else if ((t == 'I' && c->arg_len == 1) ||
               (t == 'L' && c->arg_len == 3 && c->arg[1] == ' ' && c->arg[2] == '8')) {
        s->ascii = false;
        reply(s, 200, "Switching to Binary mode.",
              "Type I (image): files go out byte for byte, unchanged.");
    } else {
        reply(s, 500, "Unrecognised TYPE command.", "The server knows TYPE A and TYPE I only.");
    }
}

static void cmd_mode(struct ftp_sess *s, const struct ftp_cmd *c)
{
    bool stru = !strcmp(c->verb, "STRU");
    char want = stru ? 'F' : 'S';
    if (c->arg_len == 1 && (c->arg[0] & ~0x20) == want) {
        reply(s, 200, stru ? "Structure set to F." : "Mode set to S.",
              "File structure and stream mode are what every FTP server uses today.");
    } else {
        reply(s, 504, stru ? "Bad STRU command." : "Bad MODE command.",
              "Only stream mode and file structure are done (RFC 959's minimum, 5.1).");
    }
}

static void cmd_port(struct ftp_sess *s, const struct ftp_cmd *c)
{
    uint32_t addr;
    uint16_t port;
    char a[16];
    if (ftp_hostport_parse(c->arg, c->arg_len, &addr, &port) != FTP_OK) {
        reply(s, 500, "Illegal PORT command.",
              "PORT wants six numbers h1,h2,h3,h4,p1,p2: the address and port (p1*256+p2) "
              "the server should connect to.");
        return;
    }
    if (addr != s->peer || port < 1024) {
        reply(s, 500, "Illegal PORT command.",
              "%s:%u is not the client's own address with an unprivileged port: vsftpd refuses "
              "to connect elsewhere (the FTP bounce attack).",
              ip4_str(addr, a), port);
        return;
    }
    pasv_close(s);
    s->port_set = true;
    s->port_addr = addr;
    s->port_port = port;
    reply(s, 200, "PORT command successful. Consider using PASV.",
          "Active mode: for the next transfer the server will connect from its port 20 to "
          "%s:%u (%u*256+%u); a firewall or NAT in front of the client may block that, hence "
          "the advice.",
          ip4_str(addr, a), port, port >> 8, port & 255);
}

static void cmd_pasv(struct ftp_sess *s, const struct ftp_cmd *c)
{
    bool ext = !strcmp(c->verb, "EPSV");
    pasv_close(s);
    s->port_set = false;
    struct netstack *st = s->srv->st;
    uint16_t port = 0;
    uint32_t span = TCP_EPHEMERAL_HI - TCP_EPHEMERAL_LO + 1;
    for (int tries = 0; tries < 64 && !s->pasv; tries++) {
        port = (uint16_t)(TCP_EPHEMERAL_LO + rng_below(&st->node->rng, span));
        s->pasv = tcp_listen(st, s->local, port, pasv_accept, s);
    }
    if (!s->pasv) {
        reply(s, 425, "Failed to establish connection.", "No free port to listen on.");
        return;
    }
    char text[96], hp[32], a[16];
    if (ext) {
        snprintf(text, sizeof text, "Entering Extended Passive Mode (|||%u|)", port);
    } else {
        ftp_hostport_fmt(hp, sizeof hp, s->local, port);
        snprintf(text, sizeof text, "Entering Passive Mode (%s).", hp);
    }
    reply(s, ext ? 229 : 227, text,
          "Passive mode: the server listens on %s port %u (%u*256+%u) and the client connects "
          "there for the next transfer, so the data connection, too, goes from client to "
          "server.",
          ip4_str(s->local, a), port, port >> 8, port & 255);
}

static void cmd_list(struct ftp_sess *s, const struct ftp_cmd *c)
{
    const char *arg = c->arg;
    size_t n = c->arg_len;
    bool dots = false;
    /* `ls -la` sends LIST -la: vsftpd heeds -a and skips the rest */
    while (n && arg[0] == '-') {
        while (n && arg[0] != ' ') {
            dots |= arg[0] == 'a';
            arg++;
            n--;
        }
        while (n && arg[0] == ' ') {
            arg++;
            n--;
        }
    }
    struct ftp_xfer *x = xfer_new(!strcmp(c->verb, "NLST") ? X_NLST : X_LIST);
    char path[FTP_PATH_MAX];
    struct list_buf b = {x, 0, x->kind == X_NLST, dots};
    if (ftp_path_resolve(s->cwd, arg, n, path, sizeof path)) {
        const struct ftp_file *f = ftp_fs_find(&s->srv->conf.fs, path);
        if (f && f->dir) {
            ftp_fs_each(&s->srv->conf.fs, path, list_one, &b);
        } else if (f) { /* a file: its own line, named as asked */
            char name[FTP_PATH_MAX];
            snprintf(name, sizeof name, "%.*s", (int)n, arg);
            list_one(&b, f, name, 1);
        } /* nothing there: an empty listing, as vsftpd sends */
    }
    xfer_start(s, x);
}

static void cmd_retr(struct ftp_sess *s, const struct ftp_cmd *c)
{
    char path[FTP_PATH_MAX];
    const struct ftp_file *f = arg_path(s, c, path) ? ftp_fs_find(&s->srv->conf.fs, path) : NULL;
    if (!f || f->dir) {
        reply(s, 550, "Failed to open file.",
              "There is no file %.*s here%s, so no data connection is opened.", (int)c->arg_len,
              c->arg, f ? " (it is a directory)" : "");
        /* vsftpd drops the data channel set up for it too */
        pasv_close(s);
        s->port_set = false;
        return;
    }
    struct ftp_xfer *x = xfer_new(X_RETR);
    snprintf(x->path, sizeof x->path, "%s", path);
    snprintf(x->name, sizeof x->name, "%.*s", (int)c->arg_len, c->arg);
    x->size = f->len;
    x->out = ftp_xalloc(s->ascii ? 2 * f->len : f->len);
    if (s->ascii)
        x->out_len = ftp_ascii_encode(f->data, f->len, x->out);
    else {
        memcpy(x->out, f->data, f->len);
        x->out_len = f->len;
    }
    xfer_start(s, x);
}

static bool deny_anon(struct ftp_sess *s)
{
    if (!s->anon) return false;
    reply(s, 550, "Permission denied.",
          "Anonymous users may only read here (vsftpd's anon_upload_enable=NO): uploading, "
          "deleting and making directories need an account.");
    return true;
}

static void cmd_stor(struct ftp_sess *s, const struct ftp_cmd *c)
{
    if (deny_anon(s)) {
        pasv_close(s);
        s->port_set = false;
        return;
    }
    char path[FTP_PATH_MAX], parent[FTP_PATH_MAX];
    bool ok = arg_path(s, c, path) && strcmp(path, "/") != 0;
    if (ok) parent_of(path, parent, sizeof parent);
    const struct ftp_file *f = ok ? ftp_fs_find(&s->srv->conf.fs, path) : NULL;
    if (!ok || !fs_is_dir(&s->srv->conf.fs, parent) || (f && f->dir)) {
        reply(s, 553, "Could not create file.",
              "%.*s cannot be created: its directory does not exist, or a directory has that "
              "name.",
              (int)c->arg_len, c->arg);
        pasv_close(s);
        s->port_set = false;
        return;
    }
    struct ftp_xfer *x = xfer_new(X_STOR);
    snprintf(x->path, sizeof x->path, "%s", path);
    snprintf(x->name, sizeof x->name, "%.*s", (int)c->arg_len, c->arg);
    xfer_start(s, x);
}

static void cmd_dele(struct ftp_sess *s, const struct ftp_cmd *c)
{
    if (deny_anon(s)) return;
    char path[FTP_PATH_MAX];
    if (arg_path(s, c, path) && ftp_fs_remove(&s->srv->conf.fs, path, false) == 0)
        reply(s, 250, "Delete operation successful.", "%s is deleted from the server.", path);
    else
        reply(s, 550, "Delete operation failed.", "There is no file %.*s to delete.",
              (int)c->arg_len, c->arg);
}

static void cmd_mkd(struct ftp_sess *s, const struct ftp_cmd *c)
{
    if (deny_anon(s)) return;
    char path[FTP_PATH_MAX], text[FTP_PATH_MAX + 16];
    if (arg_path(s, c, path) && ftp_fs_mkdir(&s->srv->conf.fs, path, FTP_UID_USER) == 0) {
        snprintf(text, sizeof text, "\"%s\" created", path);
        reply(s, 257, text, "The directory %s is made.", path);
    } else {
        reply(s, 550, "Create directory operation failed.",
              "%.*s exists already, or the directory it would go in does not.", (int)c->arg_len,
              c->arg);
    }
}

static void cmd_rmd(struct ftp_sess *s, const struct ftp_cmd *c)
{
    if (deny_anon(s)) return;
    char path[FTP_PATH_MAX];
    if (arg_path(s, c, path) && ftp_fs_remove(&s->srv->conf.fs, path, true) == 0)
        reply(s, 250, "Remove directory operation successful.", "The directory %s is gone.", path);
    else
        reply(s, 550, "Remove directory operation failed.", "%.*s is not an empty directory.",
              (int)c->arg_len, c->arg);
}

static void cmd_size(struct ftp_sess *s, const struct ftp_cmd *c)
{
    char path[FTP_PATH_MAX], text[32];
    const struct ftp_file *f = arg_path(s, c, path) ? ftp_fs_find(&s->srv->conf.fs, path) : NULL;
    if (!f || f->dir) {
        reply(s, 550, "Could not get file size.", "There is no file %.*s here.", (int)c->arg_len,
              c->arg);
        return;
    }
    snprintf(text, sizeof text, "%zu", f->len);
    reply(s, 213, text, "SIZE (RFC 3659) gives the size of %s in bytes.", path);
}

static void cmd_rnfr(struct ftp_sess *s, const struct ftp_cmd *c)
{
    if (deny_anon(s)) return;
    char path[FTP_PATH_MAX];
    const struct ftp_file *f = arg_path(s, c, path) ? ftp_fs_find(&s->srv->conf.fs, path) : NULL;
    if (!f || f->dir) {
        reply(s, 550, "RNFR command failed.", "There is no file %.*s to rename.", (int)c->arg_len,
              c->arg);
        return;
    }
    s->has_rnfr = true;
    snprintf(s->rnfr, sizeof s->rnfr, "%s", path);
    reply(s, 350, "Ready for RNTO.", "The server notes %s; RNTO must follow with the new name.",
          path);
}

static void cmd_rnto(struct ftp_sess *s, const struct ftp_cmd *c)
{
    if (!s->has_rnfr) {
        reply(s, 503, "RNFR required first.",
              "RNTO names the new name of what RNFR named just before (RFC 959 4.1.3): a bad "
              "sequence of commands.");
        return;
    }
    s->has_rnfr = false;
    char path[FTP_PATH_MAX];
    if (arg_path(s, c, path) && fs_rename(&s->srv->conf.fs, s->rnfr, path) == 0)
        reply(s, 250, "Rename successful.", "%s is now %s.", s->rnfr, path);
    else
        reply(s, 550, "Rename failed.", "%.*s cannot be created.", (int)c->arg_len, c->arg);
}

static void cmd_abor(struct ftp_sess *s, const struct ftp_cmd *c)
{
    (void)c;
    reply(s, 225, "No transfer to ABOR.", "No transfer is running, so there is nothing to stop.");
}

static void cmd_opts(struct ftp_sess *s, const struct ftp_cmd *c)
{
    if (c->arg_len == 7 && !strncasecmp(c->arg, "UTF8 ON", 7))
        reply(s, 200, "Always in UTF8 mode.", "File names are UTF-8 already.");
    else
        reply(s, 501, "Option not understood.", "The only option known is UTF8 ON.");
}

/* RFC 4217 8: PBSZ 0 must come before PROT; TLS has no buffer to size. */
static void cmd_pbsz(struct ftp_sess *s, const struct ftp_cmd *c)
{
    (void)c;
    if (!s->tls)
        reply(s, 503, "PBSZ needs a secure connection.",
              "PBSZ belongs to FTP over TLS (RFC 4217); this control connection is in clear "
              "text.");
    else
        reply(s, 200, "PBSZ set to 0.",
              "PBSZ (protection buffer size) is always 0 with TLS; it must come before PROT "
              "(RFC 4217 8).");
}

/* A data connection takes its protection when it is set up: one the
 * client opened under the other level is dropped, and the next transfer
 * needs a new PASV (vsftpd decides at transfer time; the effect is the
 * same: no file goes out under a level the server no longer agreed to). */
static void prot_set(struct ftp_sess *s, bool private)
{
    if (s->prot_p != private && s->pasv_conn) {
        ftp_orphan(s->srv->st, s->pasv_conn);
        s->pasv_conn = NULL;
    }
    s->prot_p = private;
}

static void cmd_prot(struct ftp_sess *s, const struct ftp_cmd *c)
{
    char lvl = c->arg_len == 1 ? (char)toupper((unsigned char)c->arg[0]) : 0;
    if (!s->tls) {
        reply(s, 503, "PROT needs a secure connection.",
              "PROT belongs to FTP over TLS (RFC 4217); this control connection is in clear "
              "text.");
    } else if (lvl == 'P') {
        prot_set(s, true);
        reply(s, 200, "PROT now Private.",
              "PROT P: from now on every data connection starts with its own TLS handshake, "
              "so listings and files are encrypted like the commands.");
    } else if (lvl == 'C') {
        prot_set(s, false);
        reply(s, 200, "PROT now Clear.",
              "PROT C: data connections stay in clear text (this server then refuses them).");
    } else if (lvl == 'S' || lvl == 'E') {
        reply(s, 536, "PROT not supported.",
              "Only the levels C (clear) and P (private) exist "
              "with TLS.");
    } else {
        reply(s, 504, "PROT not recognized.", "PROT takes one letter: C or P.");
    }
}

static const struct {
    const char *verb;
    void (*fn)(struct ftp_sess *s, const struct ftp_cmd *c);
    bool before_login; /* allowed before login */
} commands[] = {
    {"PBSZ", cmd_pbsz, true},  {"PROT", cmd_prot, true},  {"USER", cmd_user, true},
    {"PASS", cmd_pass, true},  {"QUIT", cmd_quit, true},  {"FEAT", cmd_feat, true},
    {"HELP", cmd_help, false}, {"SYST", cmd_syst, false}, {"NOOP", cmd_noop, false},
    {"PWD", cmd_pwd, false},   {"XPWD", cmd_pwd, false},  {"CWD", cmd_cwd, false},
    {"XCWD", cmd_cwd, false},  {"CDUP", cmd_cwd, false},  {"XCUP", cmd_cwd, false},
    {"TYPE", cmd_type, false}, {"MODE", cmd_mode, false}, {"STRU", cmd_mode, false},
    {"PORT", cmd_port, false}, {"PASV", cmd_pasv, false}, {"EPSV", cmd_pasv, false},
    {"LIST", cmd_list, false}, {"NLST", cmd_list, false}, {"RETR", cmd_retr, false},
    {"STOR", cmd_stor, false}, {"DELE", cmd_dele, false}, {"MKD", cmd_mkd, false},
    {"XMKD", cmd_mkd, false},  {"RMD", cmd_rmd, false},   {"XRMD", cmd_rmd, false},
    {"SIZE", cmd_size, false}, {"RNFR", cmd_rnfr, false}, {"RNTO", cmd_rnto, false},
    {"ABOR", cmd_abor, false}, {"OPTS", cmd_opts, true},
};

static void sess_command(struct ftp_sess *s, char *line, size_t len)
{
    struct ftp_cmd c;
    int rc = ftp_cmd_parse(line, len, &c);
    if (rc != FTP_OK) {
        if (s->auth != AUTH_IN)
            reply(s, 530, "Please login with USER and PASS.",
                  "Before login the server takes only USER, PASS and QUIT.");
        else
            reply(s, 500, "Unknown command.",
                  "The line does not start with a command of letters (RFC 959 5.3).");
        return;
    }
    if (strcmp(c.verb, "RNTO") != 0) s->has_rnfr = false; /* RNTO must come right after */
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].verb, c.verb) != 0) continue;
        if (!commands[i].before_login && s->auth != AUTH_IN) {
            reply(s, 530, "Please login with USER and PASS.",
                  "%s needs a logged-in session; before login the server takes only USER, PASS "
                  "and QUIT.",
                  c.verb);
            return;
        }
        commands[i].fn(s, &c);
        return;
    }
    if (s->auth != AUTH_IN)
        reply(s, 530, "Please login with USER and PASS.",
              "Before login the server takes only USER, PASS and QUIT.");
    else if (ftp_cmd_known(c.verb))
        reply(s, 502, "Command not implemented.",
              "%s is an FTP command, but this server does not do it (RFC 959 reply 502).", c.verb);
    else
        reply(s, 500, "Unknown command.", "%s is no FTP command the server knows.", c.verb);
}

/* Runs the commands that waited for a transfer to end. */
static void sess_drain(struct ftp_sess *s)
{
    while (!s->x && s->nq && !s->closing) {
        char *line = s->queue[0];
        memmove(&s->queue[0], &s->queue[1], (size_t)(s->nq - 1) * sizeof s->queue[0]);
        s->nq--;
        sess_command(s, line, strlen(line));
        free(line);
    }
    if (!s->x && s->nq < FTP_QUEUE_MAX / 2 && s->t && text_tcp(s->t))
        tcp_recv_pause(text_tcp(s->t), false);
}

/* ---- the control connection ---- */

static void ctl_line(void *ctx, struct text_conn *t, char *line, size_t len)
{
    struct ftp_sess *s = ctx;
    if (s->closing) return;
    if (s->x || s->nq) {
        /* a transfer runs: the command waits, as it would in the socket */
        if (s->nq < FTP_QUEUE_MAX) {
            s->queue[s->nq] = ftp_xalloc(len + 1);
            memcpy(s->queue[s->nq++], line, len);
        }
        if (s->nq >= FTP_QUEUE_MAX / 2) tcp_recv_pause(text_tcp(t), true);
        return;
    }
    sess_command(s, line, len);
}

static void ctl_peer_closed(void *ctx, struct text_conn *t)
{
    struct ftp_sess *s = ctx;
    s->closing = true;
    text_close(t); /* the client hung up: so does the server */
}

static void sess_free(struct ftp_sess *s, bool teardown)
{
    struct ftp_server *srv = s->srv;
    for (struct ftp_sess **pp = &srv->sess; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    sim_cancel(srv->st->sim, &s->pasv_timer);
    if (teardown) {
        /* the stack goes: TCP frees its connections itself */
        if (s->x) {
            text_conn_release(s->x->d);
            free(s->x->out);
            free(s->x->in);
            free(s->x);
        }
        text_conn_release(s->pasv_conn);
        text_conn_release(s->t);
    } else {
        xfer_free(s);
        pasv_close(s);
    }
    for (int i = 0; i < s->nq; i++)
        free(s->queue[i]);
    free(s);
}

static void ctl_closed(void *ctx, struct text_conn *t, enum tcp_reason why)
{
    (void)t;
    (void)why;
    struct ftp_sess *s = ctx;
    s->t = NULL;
    sess_free(s, false);
}

static const struct text_handler ctl_h = {
    .line = ctl_line,
    .peer_closed = ctl_peer_closed,
    .closed = ctl_closed,
};

static void sess_accept(struct ftp_server *srv, struct tcp_conn *c, bool tls)
{
    struct ftp_sess *s = ftp_xalloc(sizeof *s);
    s->srv = srv;
    s->peer = tcp_remote_addr(c);
    s->local = tcp_local_addr(c);
    s->ascii = true; /* RFC 959 5.1: the default type is ASCII */
    snprintf(s->cwd, sizeof s->cwd, "/");
    s->next = srv->sess;
    srv->sess = s;
    s->tls = tls;
    if (tls) {
        s->t = text_conn_new_tls(c, srv->conf.tls, &ctl_h, s);
        reply(s, 220, FTP_GREETING,
              "A client connected to port 990 (implicit FTPS): after the TLS handshake the "
              "server greets it as on port 21, but every command and reply is encrypted.");
        return;
    }
    s->t = text_conn_new(c, &ctl_h, s);
    reply(s, 220, FTP_GREETING,
          "A client connected to port 21: the server greets it (220 = ready for a new user) "
          "and waits for USER.");
}

static void srv_accept(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    sess_accept(ctx, c, false);
}

static void srv_accept_tls(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    sess_accept(ctx, c, true);
}

int ftp_server_start(struct netstack *st, struct ftp_conf *conf)
{
    struct ftp_state *fst = ftp_state_of(st);
    if (fst->srv) return -1;
    struct ftp_server *srv = ftp_xalloc(sizeof *srv);
    srv->st = st;
    bool want_plain = !conf->no_plain || !conf->tls;
    if (want_plain) srv->l = tcp_listen(st, 0, FTP_PORT, srv_accept, srv);
    if (conf->tls) srv->l_tls = tcp_listen(st, 0, FTPS_PORT, srv_accept_tls, srv);
    if ((want_plain && !srv->l) || (conf->tls && !srv->l_tls)) {
        if (srv->l) tcp_unlisten(srv->l);
        if (srv->l_tls) tcp_unlisten(srv->l_tls);
        free(srv);
        return -1;
    }
    srv->conf = *conf;
    memset(conf, 0, sizeof *conf);
    if (!srv->conf.fs.f) ftp_fs_init(&srv->conf.fs);
    fst->srv = srv;
    return 0;
}

void ftp_free(struct netstack *st)
{
    struct ftp_state *fst = st->ftp;
    if (!fst) return;
    if (fst->srv) {
        struct ftp_server *srv = fst->srv;
        while (srv->sess)
            sess_free(srv->sess, true);
        for (int i = 0; i < srv->conf.n_acc; i++) {
            free(srv->conf.acc[i].user);
            free(srv->conf.acc[i].pass);
        }
        free(srv->conf.acc);
        ftp_fs_free(&srv->conf.fs);
        free(srv);
    }
    while (fst->orphans) {
        struct ftp_orphan *o = fst->orphans;
        fst->orphans = o->next;
        text_conn_release(o->t);
        free(o);
    }
    if (fst->local) {
        ftp_fs_free(fst->local);
        free(fst->local);
    }
    free(fst);
    st->ftp = NULL;
}
