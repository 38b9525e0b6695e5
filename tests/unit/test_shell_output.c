/* test_shell_output.c - a command's output on the trace bus (TK_OUTPUT) when
 * it comes from a server's bytes (proc_write) rather than from printf: curl
 * prints a body that TCP delivers in segments cutting lines anywhere, yet the
 * bus (what `netstep run` prints as "node| line") carries every line once,
 * whole, in order, and a last line without a newline when the command ends.
 * Before, such output never reached the bus: `netstep run` showed no curl
 * body, no whois answer and nothing an `openssl s_client` server said. */
#include "check.h"
#include "fixture.h"

#include "scenarios/shell.h"

static const char net_json[] =
    "{\"netstep\": 1, \"nodes\": [\n"
    " {\"name\": \"h1\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.1/24\"}]},\n"
    " {\"name\": \"web\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.80/24\"}],\n"
    "  \"services\": {\"http\": {\"files\": {\"/lines.txt\": {\"size\": 5000},\n"
    "                                       \"/tail.txt\": \"one\\ntwo without newline\"}}}}],\n"
    " \"links\": [{\"a\": \"h1:eth0\", \"b\": \"web:eth0\"}]}\n";

/* The TK_OUTPUT steps of node h1 joined by newlines. */
static char *joined(const struct fx_log *log)
{
    size_t cap = 1, len = 0;
    for (size_t i = 0; i < log->n; i++)
        cap += strlen(log->s[i].summary) + 1;
    char *s = calloc(1, cap);
    if (!s) abort();
    for (size_t i = 0; i < log->n; i++) {
        if (log->s[i].kind != TK_OUTPUT || strcmp(log->s[i].node, "h1") != 0) continue;
        if (len) s[len++] = '\n';
        size_t k = strlen(log->s[i].summary);
        memcpy(s + len, log->s[i].summary, k);
        len += k;
    }
    s[len] = 0;
    return s;
}

static void check_curl(const char *cmd, size_t min_steps)
{
    struct sim *sim = fx_build(net_json, 1);
    if (!sim) {
        CHECK(0);
        return;
    }
    struct fx_log log = {0};
    trace_subscribe(sim, TRACE_OUTPUT, fx_log_sink, &log);
    struct shell_proc *p = shell_run(sim, sim_find_node(sim, "h1"), cmd, NULL, NULL);
    sim_run_until(sim, 5 * SIM_S);
    CHECK(p->done);
    CHECK_EQ(p->exit_code, 0);
    CHECK(log.n >= min_steps);
    char *bus = joined(&log);
    /* the output, less a final newline, is exactly the lines on the bus */
    size_t n = p->out_len;
    if (n && p->out[n - 1] == '\n') n--;
    CHECK_EQ(strlen(bus), n);
    CHECK(p->out && strncmp(bus, p->out, n) == 0);
    if (!p->out || strlen(bus) != n || strncmp(bus, p->out, n) != 0)
        fprintf(stderr, "  (command: %s)\n", cmd);
    free(bus);
    shell_proc_free(p);
    fx_log_free(&log);
    sim_free(sim);
}

int main(void)
{
    /* 5000 bytes of 64-byte lines arrive in 1460-byte segments */
    check_curl("curl http://web/lines.txt", 5000 / 64);
    /* the last line has no newline: published when curl ends */
    check_curl("curl http://web/tail.txt", 2);
    return check_done();
}
