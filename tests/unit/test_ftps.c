/* test_ftps.c - FTP over implicit TLS (protocols/ftp.h, port 990) with
 * curl's ftps:// client (scenarios/shell_curl_ftps.c): a file and a
 * listing fetched with the data connection under TLS too (PBSZ 0, PROT
 * P), neither in the bytes on the wire; the certificate refused without
 * -k (60), a bad password (67), a missing file (78); PBSZ and PROT on
 * the plain port (503); 522 for a transfer without PROT P and the PROT
 * levels, typed over TLS with openssl s_client; "plain": false leaves 990
 * alone; and the dissector decoding TLS on 990 and on a data port. */
#include "check.h"
#include "fixture.h"
#include "mail_fixture.h"
#include "protocols/ftp.h"
#include "scenarios/shell.h"

static const char scenario[] =
    "{\"netstep\": 1, \"name\": \"ftps\", \"nodes\": ["
    "{\"name\": \"pc\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.5/24\"}]},"
    "{\"name\": \"files\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.21/24\"}], \"services\": {\"ftp\": {\"anonymous\": true, \"accounts\": "
    "{\"ann\": \"pw\"}, \"tls\": true, %s \"files\": {\"/pub/readme.txt\": \"hello\\nworld\\n\", "
    "\"/pub/deep/code.txt\": \"SECRET-OVER-FTPS\\n\"}}}}],"
    "\"links\": [{\"a\": \"pc:eth0\", \"b\": \"files:eth0\"}]}";

static struct sim *build(bool no_plain)
{
    char json[sizeof scenario + 32];
    snprintf(json, sizeof json, scenario, no_plain ? "\"plain\": false," : "");
    return fx_build(json, 5);
}

static const char *out_of(const struct shell_proc *p)
{
    return p->out ? p->out : "";
}

/* The processes of the current test, freed before its simulation. */
static struct shell_proc *procs[16];
static int n_procs;

static void free_procs(void)
{
    for (int i = 0; i < n_procs; i++)
        shell_proc_free(procs[i]);
    n_procs = 0;
}

static struct shell_proc *run_cmd(struct sim *sim, const char *cmd, const char *const *input)
{
    struct shell_proc *p = shell_run(sim, sim_find_node(sim, "pc"), cmd, NULL, NULL);
    if (n_procs < 16) procs[n_procs++] = p;
    for (int i = 0; input && input[i]; i++)
        shell_input(p, input[i]);
    sim_run_until(sim, sim_now(sim) + 5 * SIM_S);
    if (!p->done) shell_interrupt(p);
    return p;
}

static bool out_has(const struct shell_proc *p, const char *s)
{
    bool ok = strstr(out_of(p), s) != NULL;
    if (!ok)
        fprintf(stderr, "--- output of \"%s\" lacks \"%s\":\n%s---\n", p->cmdline, s, out_of(p));
    return ok;
}

/* Whether s appears in a frame pc sent or received. */
static bool on_wire(const struct fx_log *log, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < log->n; i++) {
        const struct fx_step *st = &log->s[i];
        if (st->kind != TK_TRANSMIT || !st->len) continue;
        for (size_t k = 0; k + n <= st->len; k++)
            if (!memcmp(st->frame + k, s, n)) return true;
    }
    return false;
}

static void test_curl_ftps(void)
{
    struct sim *sim = build(false);
    CHECK(sim != NULL);
    if (!sim) return;
    struct fx_log log = {0};
    trace_subscribe(sim, TRACE_FRAMES, fx_log_sink, &log);
    struct shell_proc *p = run_cmd(sim, "curl -k ftps://files/pub/deep/code.txt", NULL);
    CHECK_STR(out_of(p), "SECRET-OVER-FTPS\n");
    CHECK_EQ(p->exit_code, 0);
    p = run_cmd(sim, "curl -k -v ftps://files/pub/", NULL);
    CHECK_EQ(p->exit_code, 0);
    /* (each command and reply with curl's "TLS header" line between) */
    CHECK(out_has(p, "> PBSZ 0\n"));
    CHECK(out_has(p, "< 200 PBSZ set to 0.\n> PROT P\n"));
    CHECK(out_has(p, "< 200 PROT now Private.\n> PWD\n"));
    CHECK(out_has(p, "> EPSV\n"));
    CHECK(out_has(p, "< 229 Entering Extended Passive Mode (|||"));
    CHECK(out_has(p, "< 150 Here comes the directory listing.\n* Doing the SSL/TLS handshake on "
                     "the data stream\n"));
    CHECK(out_has(p, " readme.txt\n"));
    CHECK(out_has(p, "< 226 Directory send OK.\n* Connection #0 to host files left intact\n> "
                     "QUIT\n"));
    CHECK(out_has(p, "< 221 Goodbye.\n* Closing connection 0\n"));
    p = run_cmd(sim, "curl -k -l -u ann:pw ftps://ann@files/pub/", NULL);
    CHECK_STR(out_of(p), "deep\nreadme.txt\n");
    /* nothing of it in clear: commands, replies, the file, the listing */
    CHECK(!on_wire(&log, "SECRET-OVER-FTPS"));
    CHECK(!on_wire(&log, "USER anonymous"));
    CHECK(!on_wire(&log, "readme.txt"));
    CHECK(on_wire(&log, "\x16\x03\x01")); /* ClientHellos */
    free_procs();
    sim_free(sim);
    fx_log_free(&log);
}

static void test_curl_ftps_errors(void)
{
    struct sim *sim = build(false);
    CHECK(sim != NULL);
    if (!sim) return;
    struct shell_proc *p = run_cmd(sim, "curl ftps://files/pub/readme.txt", NULL);
    CHECK(out_has(p, "curl: (60) SSL certificate problem: self-signed certificate\n"));
    CHECK_EQ(p->exit_code, 60);
    p = run_cmd(sim, "curl -k -u ann:nope ftps://files/pub/readme.txt", NULL);
    CHECK_STR(out_of(p), "curl: (67) Access denied: 530\n");
    CHECK_EQ(p->exit_code, 67);
    p = run_cmd(sim, "curl -k ftps://files/pub/gone.txt", NULL);
    CHECK_STR(out_of(p), "curl: (78) RETR response: 550\n");
    CHECK_EQ(p->exit_code, 78);
    p = run_cmd(sim, "curl -k ftps://files/nodir/x.txt", NULL);
    CHECK_STR(out_of(p), "curl: (9) Server denied you to change to the given directory\n");
    p = run_cmd(sim, "curl -k -s ftps://files/pub/gone.txt", NULL);
    CHECK_STR(out_of(p), "");
    CHECK_EQ(p->exit_code, 78);
    p = run_cmd(sim, "curl -k ftps://files:21/pub/readme.txt", NULL);
    CHECK_EQ(p->exit_code, 35); /* a plain FTP greeting is no TLS */
    p = run_cmd(sim, "curl -k ftps://", NULL);
    CHECK_EQ(p->exit_code, 3);
    p = run_cmd(sim, "curl -k --frob ftps://files/", NULL);
    CHECK_EQ(p->exit_code, 2);
    /* plain ftp:// stays unsupported */
    p = run_cmd(sim, "curl ftp://files/pub/readme.txt", NULL);
    CHECK(out_has(p, "curl: (1) Protocol \"ftp\" not supported or disabled in libcurl\n"));
    free_procs();
    sim_free(sim);
}

/* The server's side, typed: PBSZ/PROT need TLS; over TLS a transfer
 * without PROT P is refused. */
static void test_server_replies(void)
{
    struct sim *sim = build(false);
    CHECK(sim != NULL);
    if (!sim) return;
    static const char *const plain[] = {"USER anonymous", "PASS x", "PBSZ 0",
                                        "PROT P",         "QUIT",   NULL};
    struct shell_proc *p = run_cmd(sim, "telnet files 21", plain);
    CHECK(out_has(p, "230 Login successful.\n503 PBSZ needs a secure connection.\n503 PROT needs "
                     "a secure connection.\n221 Goodbye.\n"));
    static const char *const tls[] = {"USER anonymous", "PASS x", "PASV",   "LIST",
                                      "PROT S",         "PROT X", "PROT C", "PROT p",
                                      "PBSZ 0",         "quit",   NULL};
    p = run_cmd(sim, "openssl s_client -connect files:990 -crlf -quiet", tls);
    CHECK(out_has(p, "220 (vsFTPd 3.0.5)\n331 Please specify the password.\n230 Login "
                     "successful.\n227 Entering Passive Mode (10,0,0,21,"));
    CHECK(out_has(p, "522 Data connections must be encrypted.\n536 PROT not supported.\n504 PROT "
                     "not recognized.\n200 PROT now Clear.\n200 PROT now Private.\n200 PBSZ set "
                     "to 0.\n221 Goodbye.\n"));
    free_procs();
    sim_free(sim);

    /* "plain": false: only 990 */
    sim = build(true);
    CHECK(sim != NULL);
    if (!sim) return;
    p = run_cmd(sim, "telnet files 21", NULL);
    CHECK(out_has(p, "Connection refused"));
    p = run_cmd(sim, "curl -k ftps://files/pub/readme.txt", NULL);
    CHECK_STR(out_of(p), "hello\nworld\n");
    free_procs();
    sim_free(sim);
}

/* A data connection keeps the protection it was opened under: one the
 * client opened after PROT C is dropped when PROT P follows, so the file
 * cannot go out through it in clear (the transfer asks for a new PASV). */
static void test_prot_change_drops_data_conn(void)
{
    struct sim *sim = build(false);
    CHECK(sim != NULL);
    if (!sim) return;
    struct shell_proc *p =
        shell_run(sim, sim_find_node(sim, "pc"), "openssl s_client -connect files:990 -crlf -quiet",
                  NULL, NULL);
    static const char *const first[] = {"USER anonymous", "PASS x", "PBSZ 0", "PROT C", "PASV"};
    for (int i = 0; i < 5; i++)
        shell_input(p, first[i]);
    sim_run_until(sim, sim_now(sim) + 2 * SIM_S);
    const char *pasv = strstr(out_of(p), "227 Entering Passive Mode (");
    unsigned h1, h2, h3, h4, p1 = 0, p2 = 0;
    CHECK(pasv && sscanf(pasv, "227 Entering Passive Mode (%u,%u,%u,%u,%u,%u)", &h1, &h2, &h3, &h4,
                         &p1, &p2) == 6);
    static const struct tcp_callbacks none = {0};
    struct tcp_conn *data = tcp_connect(node_stack(sim_find_node(sim, "pc")), IP(10, 0, 0, 21),
                                        (uint16_t)(p1 * 256 + p2), &none, NULL);
    CHECK(data != NULL);
    sim_run_until(sim, sim_now(sim) + SIM_S / 10);
    shell_input(p, "PROT P");
    shell_input(p, "RETR /pub/readme.txt");
    shell_input(p, "quit");
    sim_run_until(sim, sim_now(sim) + 5 * SIM_S);
    CHECK(out_has(p, "200 PROT now Private.\n425 Use PORT or PASV first.\n221 Goodbye.\n"));
    if (!p->done) shell_interrupt(p);
    shell_proc_free(p);
    sim_free(sim);
}

static void test_dissect(void)
{
    struct dissection d;
    char rec[5 + 257 + 1];
    memcpy(rec, "\x17\x03\x03\x01\x01", 5);
    memset(rec + 5, 'x', 257);
    rec[sizeof rec - 1] = 0;
    mfx_dissect(rec, 990, 40000, &d);
    CHECK_STR(d.protocol, "TLSv1.3");
    dissect_free(&d);
    mfx_dissect(rec, 41234, 40000, &d); /* a data port: TLS found by its header */
    CHECK_STR(d.protocol, "TLSv1.3");
    CHECK(!d.malformed);
    dissect_free(&d);
    mfx_dissect("hello there\r\n", 41234, 40000, &d);
    CHECK_STR(d.protocol, "TCP");
    dissect_free(&d);
}

int main(void)
{
    test_curl_ftps();
    test_curl_ftps_errors();
    test_server_replies();
    test_prot_change_drops_data_conn();
    test_dissect();
    return check_done();
}
