/* test_ftp.c - the FTP server and client (protocols/ftp.h,
 * scenarios/shell_ftp.c) on h1 - srv built from scenario JSON.
 *
 * The file tree alone (paths, implied directories, store, mkdir, remove,
 * listing order, link counts); the server driven line by line by a raw
 * client: login and its codes (331, 230, 530, 503), commands before login
 * (530), unknown (500) and unimplemented (502) commands, RNTO without RNFR
 * (503), LIST without PORT/PASV (425), PORT to another address (500),
 * three failed logins closing the connection, FEAT's multi-line reply,
 * anonymous users refused uploads; data connections by hand: PASV + LIST
 * (exact ls -l lines, 150 before 226), PORT + RETR from port 20, TYPE A
 * turning LF into CRLF, STOR in ASCII storing LF, commands sent during a
 * transfer answered after it; and the `ftp` client end to end: login,
 * ls and get in active and passive mode, put, the 550 of a missing file,
 * ascii get, !cat, and the files kept on the client's node. */
#include "check.h"
#include "fixture.h"

#include "protocols/ftp.h"
#include "protocols/tcp.h"
#include "protocols/textconn.h"
#include "scenarios/shell.h"

static const char net_json[] =
    "{\"netstep\": 1, \"nodes\": [\n"
    " {\"name\": \"h1\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.1/24\"}]},\n"
    " {\"name\": \"h3\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.3/24\"}]},\n"
    " {\"name\": \"sw\", \"type\": \"switch\", \"ports\": 4},\n"
    " {\"name\": \"srv\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.2/24\"}],\n"
    "  \"services\": {\"ftp\": {\"anonymous\": %s, \"accounts\": {\"ann\": \"pw\"},\n"
    "   \"files\": {\"/pub/a.txt\": \"line1\\nline2\\n\", \"/pub/big.bin\": {\"size\": 300000},\n"
    "             \"/readme\": \"hi\", \"/pub/deep/x\": \"x\", \"/pub/.hidden\": \"h\"}}}}],\n"
    " \"links\": [{\"a\": \"h1:eth0\", \"b\": \"sw:1\", \"delay\": \"1ms\"},\n"
    "             {\"a\": \"h3:eth0\", \"b\": \"sw:3\", \"delay\": \"1ms\"},\n"
    "             {\"a\": \"srv:eth0\", \"b\": \"sw:2\", \"delay\": \"1ms\"}]}\n";

static struct sim *net(bool anonymous)
{
    char json[2048];
    snprintf(json, sizeof json, net_json, anonymous ? "true" : "false");
    return fx_build(json, 3);
}

static struct netstack *stack_of(struct sim *sim, const char *name)
{
    return node_stack(sim_find_node(sim, name));
}

/* ---- the file tree ---- */

static void fs_count(void *ctx, const struct ftp_file *f, const char *name, unsigned nlink)
{
    (void)f;
    char *out = ctx;
    char item[64];
    snprintf(item, sizeof item, "%s%s(%u)", *out ? " " : "", name, nlink);
    strcat(out, item);
}

static void test_fs(void)
{
    struct ftp_fs fs;
    ftp_fs_init(&fs);
    CHECK(ftp_fs_find(&fs, "/") && ftp_fs_find(&fs, "/")->dir);
    CHECK_EQ(ftp_fs_add(&fs, "/pub/b.txt", (const uint8_t *)"bb", 2, 0), 0);
    CHECK_EQ(ftp_fs_add(&fs, "/pub/a.txt", (const uint8_t *)"a", 1, 0), 0);
    CHECK_EQ(ftp_fs_add(&fs, "/pub/sub/c", (const uint8_t *)"", 0, 0), 0);
    CHECK_EQ(ftp_fs_add(&fs, "/pub-x", (const uint8_t *)"", 0, 0), 0);
    CHECK(ftp_fs_find(&fs, "/pub")->dir);                                     /* implied */
    CHECK_EQ(ftp_fs_add(&fs, "/pub/a.txt/x", (const uint8_t *)"", 0, 0), -1); /* a file above */
    CHECK_EQ(ftp_fs_add(&fs, "/pub", (const uint8_t *)"", 0, 0), -1);         /* a dir there */
    CHECK_EQ(ftp_fs_add(&fs, "pub/x", (const uint8_t *)"", 0, 0), -1);
    char out[256] = "";
    ftp_fs_each(&fs, "/pub", fs_count, out);
    CHECK_STR(out, "a.txt(1) b.txt(1) sub(2)");
    out[0] = 0;
    ftp_fs_each(&fs, "/", fs_count, out);
    CHECK_STR(out, "pub(3) pub-x(1)");
    /* store needs its directory; mkdir; remove */
    uint8_t *d = malloc(3);
    memcpy(d, "new", 3);
    CHECK_EQ(ftp_fs_store(&fs, "/nodir/f", d, 3, 1000), -1);
    CHECK_EQ(ftp_fs_store(&fs, "/pub/sub/f", d, 3, 1000), 0);
    CHECK_EQ(ftp_fs_find(&fs, "/pub/sub/f")->len, 3);
    CHECK_EQ(ftp_fs_mkdir(&fs, "/pub/sub", 0), -1);
    CHECK_EQ(ftp_fs_mkdir(&fs, "/new", 0), 0);
    CHECK_EQ(ftp_fs_remove(&fs, "/pub/sub", true), -1); /* not empty */
    CHECK_EQ(ftp_fs_remove(&fs, "/pub/sub/f", false), 0);
    CHECK_EQ(ftp_fs_remove(&fs, "/pub/sub/c", true), -1); /* a file */
    CHECK_EQ(ftp_fs_remove(&fs, "/pub/sub/c", false), 0);
    CHECK_EQ(ftp_fs_remove(&fs, "/pub/sub", true), 0);
    CHECK_EQ(ftp_fs_remove(&fs, "/", true), -1);
    ftp_fs_free(&fs);

    char p[FTP_PATH_MAX];
    CHECK(ftp_path_resolve("/pub", "a.txt", 5, p, sizeof p) && !strcmp(p, "/pub/a.txt"));
    CHECK(ftp_path_resolve("/pub", "../x/./y//z", 11, p, sizeof p) && !strcmp(p, "/x/y/z"));
    CHECK(ftp_path_resolve("/", "../../..", 8, p, sizeof p) && !strcmp(p, "/"));
    CHECK(ftp_path_resolve("/pub", "/etc", 4, p, sizeof p) && !strcmp(p, "/etc"));
    CHECK(ftp_path_resolve("/pub", "", 0, p, sizeof p) && !strcmp(p, "/pub"));
    CHECK(!ftp_path_resolve("/", "a\rb", 3, p, sizeof p));
    CHECK(ftp_path_ok("/a/b") && ftp_path_ok("/"));
    CHECK(!ftp_path_ok("/a/") && !ftp_path_ok("/a//b") && !ftp_path_ok("/a/../b") &&
          !ftp_path_ok("a") && !ftp_path_ok(""));
}

/* ---- a raw client: lines on the control connection, data by hand ---- */

struct rc {
    struct sim *sim;
    struct netstack *st;
    struct text_conn *t;
    char out[16384];
    size_t n;
    int closed;
    struct tcp_listener *l;
    struct tcp_conn *d;
    uint8_t *data;
    size_t dn;
    int d_eof;
    uint16_t d_rport;
};

static void rc_line(void *ctx, struct text_conn *t, char *line, size_t len)
{
    (void)t;
    struct rc *r = ctx;
    if (r->n + len + 2 < sizeof r->out) {
        memcpy(r->out + r->n, line, len);
        r->n += len;
        r->out[r->n++] = '\n';
        r->out[r->n] = 0;
    }
}

static void rc_closed(void *ctx, struct text_conn *t, enum tcp_reason why)
{
    (void)t;
    (void)why;
    struct rc *r = ctx;
    r->closed++;
    r->t = NULL;
}

static void rc_peer_closed(void *ctx, struct text_conn *t)
{
    (void)ctx;
    text_close(t);
}

static const struct text_handler rc_h = {
    .line = rc_line, .peer_closed = rc_peer_closed, .closed = rc_closed};

static void rc_connected(void *ctx, struct tcp_conn *c)
{
    struct rc *r = ctx;
    r->t = text_conn_new(c, &rc_h, r);
}

static const struct tcp_callbacks rc_cb = {.connected = rc_connected};

static void d_recv(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    (void)c;
    struct rc *r = ctx;
    r->data = realloc(r->data, r->dn + len);
    memcpy(r->data + r->dn, data, len);
    r->dn += len;
}

static void d_peer_closed(void *ctx, struct tcp_conn *c)
{
    ((struct rc *)ctx)->d_eof++;
    tcp_close(c);
}

static void d_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    (void)why;
    ((struct rc *)ctx)->d = NULL;
}

static void d_connected(void *ctx, struct tcp_conn *c)
{
    (void)ctx;
    (void)c;
}

static const struct tcp_callbacks d_cb = {
    .connected = d_connected, .recv = d_recv, .peer_closed = d_peer_closed, .closed = d_closed};

static void d_accept(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    struct rc *r = ctx;
    tcp_unlisten(l);
    r->l = NULL;
    r->d = c;
    r->d_rport = tcp_remote_port(c);
    tcp_set_callbacks(c, &d_cb, r);
}

static void rc_run(struct rc *r, sim_time dur)
{
    sim_run_until(r->sim, sim_now(r->sim) + dur);
}

static void rc_open(struct rc *r, struct sim *sim, const char *node)
{
    memset(r, 0, sizeof *r);
    r->sim = sim;
    r->st = stack_of(sim, node);
    CHECK(tcp_connect(r->st, IP(10, 0, 0, 2), FTP_PORT, &rc_cb, r) != NULL);
    rc_run(r, 100 * SIM_MS);
}

/* Sends lines and lets 200 ms pass. */
static void rc_send(struct rc *r, const char *line)
{
    if (r->t) text_line(r->t, "%s", line);
    rc_run(r, 200 * SIM_MS);
}

/* Before sim_free: the raw client's own text_conn goes with the stack. */
static void rc_done(struct rc *r)
{
    text_conn_release(r->t);
    r->t = NULL;
    free(r->data);
    r->data = NULL;
}

/* The output from `from` on: what the last commands got. */
static const char *since(const struct rc *r, size_t from)
{
    return r->out + from;
}

static void test_login_codes(void)
{
    struct sim *sim = net(true);
    struct rc r;
    rc_open(&r, sim, "h1");
    CHECK_STR(r.out, "220 (vsFTPd 3.0.5)\n");
    size_t m = r.n;
    rc_send(&r, "PASS pw");
    CHECK_STR(since(&r, m), "503 Login with USER first.\n");
    m = r.n;
    rc_send(&r, "LIST");
    CHECK_STR(since(&r, m), "530 Please login with USER and PASS.\n");
    m = r.n;
    rc_send(&r, "FOO");
    CHECK_STR(since(&r, m), "530 Please login with USER and PASS.\n");
    m = r.n;
    rc_send(&r, "user ann");
    rc_send(&r, "PASS wrong");
    CHECK_STR(since(&r, m), "331 Please specify the password.\n530 Login incorrect.\n");
    m = r.n;
    rc_send(&r, "USER ann");
    rc_send(&r, "PASS pw");
    CHECK_STR(since(&r, m), "331 Please specify the password.\n230 Login successful.\n");
    m = r.n;
    rc_send(&r, "SYST");
    rc_send(&r, "PWD");
    rc_send(&r, "CWD /nope");
    rc_send(&r, "CWD pub");
    rc_send(&r, "PWD");
    rc_send(&r, "CDUP");
    rc_send(&r, "PWD");
    CHECK_STR(since(&r, m), "215 UNIX Type: L8\n"
                            "257 \"/\" is the current directory\n"
                            "550 Failed to change directory.\n"
                            "250 Directory successfully changed.\n"
                            "257 \"/pub\" is the current directory\n"
                            "250 Directory successfully changed.\n"
                            "257 \"/\" is the current directory\n");
    m = r.n;
    rc_send(&r, "TYPE X");
    rc_send(&r, "TYPE I");
    rc_send(&r, "TYPE A");
    rc_send(&r, "LIST");
    rc_send(&r, "FOO bar");
    rc_send(&r, "ACCT x");
    rc_send(&r, "RNTO x");
    rc_send(&r, "PORT 10,0,0,9,200,1");
    rc_send(&r, "PORT 10,0,0,1,0,21");
    rc_send(&r, "PORT 10,0,0,1");
    rc_send(&r, "RETR /nope");
    rc_send(&r, "SIZE /pub/a.txt");
    rc_send(&r, "SIZE /pub");
    rc_send(&r, "NOOP");
    rc_send(&r, "USER other");
    CHECK_STR(since(&r, m), "500 Unrecognised TYPE command.\n"
                            "200 Switching to Binary mode.\n"
                            "200 Switching to ASCII mode.\n"
                            "425 Use PORT or PASV first.\n"
                            "500 Unknown command.\n"
                            "502 Command not implemented.\n"
                            "503 RNFR required first.\n"
                            "500 Illegal PORT command.\n"
                            "500 Illegal PORT command.\n"
                            "500 Illegal PORT command.\n"
                            "550 Failed to open file.\n"
                            "213 12\n"
                            "550 Could not get file size.\n"
                            "200 NOOP ok.\n"
                            "530 Can't change to another user.\n");
    m = r.n;
    rc_send(&r, "FEAT");
    CHECK_STR(since(&r, m), "211-Features:\n EPSV\n PASV\n SIZE\n UTF8\n211 End\n");
    /* an account may write */
    m = r.n;
    rc_send(&r, "MKD /pub/new");
    rc_send(&r, "MKD /pub/new");
    rc_send(&r, "RMD /pub/new");
    rc_send(&r, "RNFR /readme");
    rc_send(&r, "RNTO /pub/readme2");
    rc_send(&r, "DELE /pub/readme2");
    rc_send(&r, "DELE /pub/readme2");
    CHECK_STR(since(&r, m), "257 \"/pub/new\" created\n"
                            "550 Create directory operation failed.\n"
                            "250 Remove directory operation successful.\n"
                            "350 Ready for RNTO.\n"
                            "250 Rename successful.\n"
                            "250 Delete operation successful.\n"
                            "550 Delete operation failed.\n");
    const struct ftp_fs *fs = ftp_server_fs(stack_of(sim, "srv"));
    CHECK(fs && !ftp_fs_find(fs, "/readme") && !ftp_fs_find(fs, "/pub/readme2"));
    m = r.n;
    rc_send(&r, "QUIT");
    CHECK_STR(since(&r, m), "221 Goodbye.\n");
    rc_run(&r, SIM_S);
    CHECK_EQ(r.closed, 1);
    rc_done(&r);
    sim_free(sim);
}

static void test_anonymous(void)
{
    struct sim *sim = net(true);
    struct rc r;
    rc_open(&r, sim, "h1");
    size_t m = r.n;
    rc_send(&r, "USER anonymous");
    rc_send(&r, "PASS student@");
    rc_send(&r, "PASV");
    rc_send(&r, "STOR /pub/x");
    rc_send(&r, "DELE /readme");
    rc_send(&r, "MKD /up");
    rc_send(&r, "LIST");
    CHECK(strstr(since(&r, m), "230 Login successful.\n227 Entering Passive Mode (10,0,0,2,"));
    CHECK(strstr(since(&r, m), ").\n550 Permission denied.\n550 Permission denied.\n550 "
                               "Permission denied.\n425 Use PORT or PASV first.\n"));
    rc_done(&r);
    sim_free(sim);

    /* anonymous access off */
    sim = net(false);
    rc_open(&r, sim, "h1");
    m = r.n;
    rc_send(&r, "USER ftp");
    rc_send(&r, "PASS x");
    CHECK_STR(since(&r, m), "331 Please specify the password.\n530 Login incorrect.\n");
    /* the third failure hangs up */
    rc_send(&r, "USER ann");
    rc_send(&r, "PASS x");
    CHECK_EQ(r.closed, 0);
    rc_send(&r, "USER ann");
    rc_send(&r, "PASS y");
    rc_run(&r, SIM_S);
    CHECK_EQ(r.closed, 1);
    rc_done(&r);
    sim_free(sim);
}

/* The 227 reply's port, from the output since m. */
static uint16_t pasv_port(const struct rc *r, size_t m)
{
    const char *s = strstr(since(r, m), "227 ");
    uint32_t a = 0;
    uint16_t p = 0;
    CHECK(s && ftp_pasv_parse(s + 4, strcspn(s + 4, "\n"), &a, &p) == 0);
    CHECK_EQ(a, IP(10, 0, 0, 2));
    return p;
}

static void test_pasv_list(void)
{
    struct sim *sim = net(true);
    struct rc r;
    rc_open(&r, sim, "h1");
    rc_send(&r, "USER anonymous");
    rc_send(&r, "PASS x");
    size_t m = r.n;
    rc_send(&r, "PASV");
    uint16_t port = pasv_port(&r, m);
    CHECK(port >= TCP_EPHEMERAL_LO && port <= TCP_EPHEMERAL_HI);
    CHECK(tcp_connect(r.st, IP(10, 0, 0, 2), port, &d_cb, &r) != NULL);
    rc_run(&r, 100 * SIM_MS);
    m = r.n;
    rc_send(&r, "LIST /pub");
    rc_run(&r, SIM_S);
    CHECK_STR(since(&r, m), "150 Here comes the directory listing.\n226 Directory send OK.\n");
    static const char want[] = "-rw-r--r--    1 0        0              12 Mar 14  2025 a.txt\r\n"
                               "-rw-r--r--    1 0        0          300000 Mar 14  2025 big.bin\r\n"
                               "drwxr-xr-x    2 0        0            4096 Mar 14  2025 deep\r\n";
    CHECK_EQ(r.dn, strlen(want));
    CHECK(r.data && r.dn == strlen(want) && !memcmp(r.data, want, r.dn));
    CHECK_EQ(r.d_eof, 1);
    /* the data connection is used up: the next listing needs PASV again */
    m = r.n;
    rc_send(&r, "NLST /pub");
    CHECK_STR(since(&r, m), "425 Use PORT or PASV first.\n");
    /* NLST -a shows the dot file; a connection from another host is refused */
    rc_send(&r, "PASV");
    port = pasv_port(&r, m);
    struct rc other;
    memset(&other, 0, sizeof other);
    CHECK(tcp_connect(stack_of(sim, "h3"), IP(10, 0, 0, 2), port, &d_cb, &other) != NULL);
    rc_run(&r, 100 * SIM_MS);
    CHECK(tcp_connect(r.st, IP(10, 0, 0, 2), port, &d_cb, &r) != NULL);
    rc_run(&r, 100 * SIM_MS);
    r.dn = 0;
    m = r.n;
    rc_send(&r, "NLST -a /pub");
    rc_run(&r, SIM_S);
    CHECK_STR(since(&r, m), "150 Here comes the directory listing.\n226 Directory send OK.\n");
    CHECK(r.dn == 31 && !memcmp(r.data, ".hidden\r\na.txt\r\nbig.bin\r\ndeep\r\n", 31));
    CHECK_EQ(other.dn, 0);
    rc_done(&other);
    rc_done(&r);
    sim_free(sim);
}

static void test_port_retr(void)
{
    struct sim *sim = net(true);
    struct rc r;
    rc_open(&r, sim, "h1");
    rc_send(&r, "USER ann");
    rc_send(&r, "PASS pw");
    rc_send(&r, "TYPE I");
    r.l = tcp_listen(r.st, 0, 40000, d_accept, &r);
    size_t m = r.n;
    rc_send(&r, "PORT 10,0,0,1,156,64");
    rc_send(&r, "RETR pub/big.bin");
    rc_run(&r, 2 * SIM_S);
    CHECK_STR(since(&r, m), "200 PORT command successful. Consider using PASV.\n"
                            "150 Opening BINARY mode data connection for pub/big.bin (300000 "
                            "bytes).\n"
                            "226 Transfer complete.\n");
    CHECK_EQ(r.d_rport, FTP_DATA_PORT); /* active mode: from port 20 */
    CHECK_EQ(r.dn, 300000);
    uint8_t *want = malloc(300000);
    ftp_fill_text(want, 300000);
    CHECK(r.dn == 300000 && !memcmp(r.data, want, 300000));
    free(want);

    /* ASCII: LF goes out as CRLF; 150 names the size on the server */
    rc_send(&r, "TYPE A");
    r.dn = 0;
    r.l = tcp_listen(r.st, 0, 40001, d_accept, &r);
    m = r.n;
    rc_send(&r, "PORT 10,0,0,1,156,65");
    rc_send(&r, "RETR /pub/a.txt");
    rc_run(&r, SIM_S);
    CHECK(strstr(since(&r, m), "150 Opening ASCII mode data connection for /pub/a.txt (12 "
                               "bytes).\n226 Transfer complete.\n"));
    CHECK(r.dn == 14 && !memcmp(r.data, "line1\r\nline2\r\n", 14));

    /* STOR in ASCII: CRLF stored as LF; commands sent meanwhile wait */
    m = r.n;
    rc_send(&r, "PASV");
    uint16_t port = pasv_port(&r, m);
    struct tcp_conn *up = tcp_connect(r.st, IP(10, 0, 0, 2), port, &d_cb, &r);
    rc_run(&r, 100 * SIM_MS);
    m = r.n;
    text_line(r.t, "STOR /pub/up.txt");
    text_line(r.t, "NOOP");
    rc_run(&r, 200 * SIM_MS);
    CHECK_STR(since(&r, m), "150 Ok to send data.\n");
    tcp_send(up, "one\r\ntwo\r\n", 10);
    tcp_close(up);
    rc_run(&r, SIM_S);
    CHECK_STR(since(&r, m), "150 Ok to send data.\n226 Transfer complete.\n200 NOOP ok.\n");
    const struct ftp_file *f = ftp_fs_find(ftp_server_fs(stack_of(sim, "srv")), "/pub/up.txt");
    CHECK(f && f->len == 8 && !memcmp(f->data, "one\ntwo\n", 8) && f->uid == FTP_UID_USER);

    /* PORT to a port where nothing listens: 425 */
    m = r.n;
    rc_send(&r, "PORT 10,0,0,1,156,70");
    rc_send(&r, "RETR /pub/a.txt");
    rc_run(&r, SIM_S);
    CHECK_STR(since(&r, m), "200 PORT command successful. Consider using PASV.\n"
                            "425 Failed to establish connection.\n");
    rc_done(&r);
    sim_free(sim);
}

/* ---- the ftp client ---- */

static struct shell_proc *ftp_session(struct sim *sim, const char *node, const char *host,
                                      const char *const *lines, sim_time dur)
{
    char cmd[64];
    snprintf(cmd, sizeof cmd, "ftp %s", host);
    struct shell_proc *p = shell_run(sim, sim_find_node(sim, node), cmd, NULL, NULL);
    for (int i = 0; lines[i]; i++)
        shell_input(p, lines[i]);
    sim_run_until(sim, sim_now(sim) + dur);
    return p;
}

static void test_client(void)
{
    struct sim *sim = net(true);
    static const char *const s1[] = {
        "anonymous", "me@",         "ls",    "cd pub",       "get a.txt", "passive",
        "ls",        "get missing", "ascii", "get a.txt a2", "binary",    "get big.bin",
        "put a.txt", "!cat a.txt",  "!ls",   "frob",         "bye",       NULL};
    struct shell_proc *p = ftp_session(sim, "h1", "srv", s1, 20 * SIM_S);
    const char *o = p->out ? p->out : "";
    CHECK(p->done);
    CHECK_EQ(p->exit_code, 0);
    static const char head[] = "Connected to srv.\n"
                               "220 (vsFTPd 3.0.5)\n"
                               "Name (srv:root): anonymous\n"
                               "331 Please specify the password.\n"
                               "Password:\n"
                               "230 Login successful.\n"
                               "Remote system type is UNIX.\n"
                               "Using binary mode to transfer files.\n"
                               "ftp> ls\n"
                               "200 PORT command successful. Consider using PASV.\n"
                               "150 Here comes the directory listing.\n"
                               "drwxr-xr-x    3 0        0            4096 Mar 14  2025 pub\n"
                               "-rw-r--r--    1 0        0               2 Mar 14  2025 readme\n"
                               "226 Directory send OK.\n"
                               "ftp> cd pub\n"
                               "250 Directory successfully changed.\n"
                               "ftp> get a.txt\n"
                               "local: a.txt remote: a.txt\n"
                               "200 PORT command successful. Consider using PASV.\n"
                               "150 Opening BINARY mode data connection for a.txt (12 bytes).\n"
                               "226 Transfer complete.\n"
                               "12 bytes received in ";
    CHECK(!strncmp(o, head, strlen(head)));
    CHECK(strstr(o, "ftp> passive\nPassive mode on.\nftp> ls\n227 Entering Passive Mode "
                    "(10,0,0,2,"));
    CHECK(strstr(o, "ftp> get missing\nlocal: missing remote: missing\n227 Entering Passive "));
    CHECK(strstr(o, ").\n550 Failed to open file.\nftp> ascii\n200 Switching to ASCII mode.\n"));
    CHECK(strstr(o, "150 Opening ASCII mode data connection for a.txt (12 bytes).\n226 "
                    "Transfer complete.\n14 bytes received in"));
    CHECK(strstr(o, "300000 bytes received in "));
    CHECK(strstr(o, "ftp> put a.txt\nlocal: a.txt remote: a.txt\n227 Entering Passive Mode"));
    CHECK(strstr(o, "550 Permission denied.\nftp> !cat a.txt\nline1\nline2\nftp> !ls\na.txt\n"
                    "a2\nbig.bin\nftp> frob\n?Invalid command\nftp> bye\n221 Goodbye.\n"));
    /* the files the client kept, equal to the server's */
    struct ftp_fs *local = ftp_local_files(stack_of(sim, "h1"));
    const struct ftp_file *a2 = ftp_fs_find(local, "/a2");
    CHECK(a2 && a2->len == 12 && !memcmp(a2->data, "line1\nline2\n", 12));
    const struct ftp_file *big = ftp_fs_find(local, "/big.bin");
    const struct ftp_file *sbig = ftp_fs_find(ftp_server_fs(stack_of(sim, "srv")), "/pub/big.bin");
    CHECK(big && sbig && big->len == 300000 && !memcmp(big->data, sbig->data, 300000));
    shell_proc_free(p);

    /* an account uploads what it fetched, and a made-up file */
    static const char *const s2[] = {
        "ann", "pw", "get /readme r", "cd pub", "put r copied", "put fresh.txt", "ls", "bye", NULL};
    p = ftp_session(sim, "h1", "10.0.0.2", s2, 20 * SIM_S);
    o = p->out ? p->out : "";
    CHECK_EQ(p->exit_code, 0);
    CHECK(strstr(o, "Name (10.0.0.2:root): ann\n"));
    CHECK(strstr(o, "local: r remote: copied\n200 PORT command successful. Consider using "
                    "PASV.\n150 Ok to send data.\n226 Transfer complete.\n2 bytes sent in "));
    CHECK(strstr(o, "-rw-r--r--    1 1000     1000            2 Mar 14  2025 copied\n"));
    const struct ftp_fs *fs = ftp_server_fs(stack_of(sim, "srv"));
    const struct ftp_file *c = ftp_fs_find(fs, "/pub/copied");
    CHECK(c && c->len == 2 && !memcmp(c->data, "hi", 2));
    c = ftp_fs_find(fs, "/pub/fresh.txt");
    CHECK(c && c->len > 20 && !memcmp(c->data, "fresh.txt: a test file", 22));
    shell_proc_free(p);

    /* a wrong password: Login failed, then 530 to what needs a login */
    static const char *const s3[] = {"ann", "nope", "ls", NULL};
    p = ftp_session(sim, "h1", "srv", s3, 10 * SIM_S);
    o = p->out ? p->out : "";
    CHECK(strstr(o, "Password:\n530 Login incorrect.\nLogin failed.\nftp> ls\n530 Please login "
                    "with USER and PASS.\n221 Goodbye.\n"));
    CHECK(p->done && p->exit_code == 0);
    shell_proc_free(p);

    /* nothing typed: the name prompt waits, then input ends */
    static const char *const s4[] = {NULL};
    p = ftp_session(sim, "h1", "srv", s4, 10 * SIM_S);
    o = p->out ? p->out : "";
    CHECK(strstr(o, "Name (srv:root): \nLogin failed.\n221 Goodbye.\n"));
    shell_proc_free(p);

    /* no server there */
    p = ftp_session(sim, "h1", "10.0.0.3", s4, 5 * SIM_S);
    CHECK_STR(p->out, "ftp: connect: Connection refused\n");
    CHECK(p->done && p->exit_code == 1);
    shell_proc_free(p);
    p = ftp_session(sim, "h1", "nosuch", s4, 5 * SIM_S);
    CHECK(p->done && p->exit_code == 1 && strstr(p->out, "ftp: nosuch: "));
    shell_proc_free(p);
    sim_free(sim);
}

/* A session left open when the simulation ends frees cleanly. */
static void test_teardown(void)
{
    struct sim *sim = net(true);
    static const char *const s[] = {"anonymous", "x", "passive", NULL};
    struct shell_proc *p = ftp_session(sim, "h1", "srv", s, 500 * SIM_MS);
    CHECK(!p->done);
    struct rc r;
    rc_open(&r, sim, "h1");
    rc_send(&r, "USER anonymous");
    rc_send(&r, "PASS x");
    rc_send(&r, "PASV");
    shell_interrupt(p);
    shell_proc_free(p);
    rc_done(&r);
    sim_free(sim);
    CHECK(1);
}

int main(void)
{
    test_fs();
    test_login_codes();
    test_anonymous();
    test_pasv_list();
    test_port_retr();
    test_client();
    test_teardown();
    return check_done();
}
