/* test_shell_typist.c - lines typed into telnet and openssl s_client go one
 * at a time, each after the server's answer to the one before (the greeting
 * first), in a segment of their own; pasted lines go all at once; a line
 * typed long after the last answer goes at once. */
#include "check.h"
#include "fixture.h"
#include "scenarios/shell.h"

static const char *scenario =
    "{\"netstep\": 1, \"nodes\": [\n"
    " {\"name\": \"pc\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.10/24\"}]},\n"
    " {\"name\": \"mail\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", "
    "\"ip\": \"10.0.0.25/24\"}],\n"
    "  \"services\": {\"smtp\": {\"domain\": \"harbor.test\", \"accounts\": {\"nadia\": \"pw\"}, "
    "\"tls\": true}}}],\n"
    " \"links\": [{\"a\": \"pc:eth0\", \"b\": \"mail:eth0\"}]}\n";

/* The frames pc sent and mail sent, in order, with their times. */
struct seen {
    int n;
    char who[32][32];
    char what[32][80];
    sim_time at[32];
};

static void frames_of(const struct fx_log *l, struct seen *s)
{
    s->n = 0;
    for (size_t i = 0; i < l->n && s->n < 32; i++) {
        const struct fx_step *st = &l->s[i];
        if (st->kind != TK_TRANSMIT || !st->frame || st->len <= 54) continue;
        /* TCP payload after Ethernet, a 20-byte IPv4 header and the TCP header */
        const uint8_t *f = st->frame;
        if (f[12] != 0x08 || f[13] != 0x00 || f[23] != 6) continue;
        size_t ip_len = (size_t)f[16] << 8 | f[17];
        size_t off = 14 + 20 + (size_t)(f[14 + 20 + 12] >> 4) * 4;
        if (14 + ip_len <= off) continue;
        size_t n = 14 + ip_len - off;
        snprintf(s->who[s->n], sizeof s->who[0], "%s", st->node);
        snprintf(s->what[s->n], sizeof s->what[0], "%.*s", (int)(n < 79 ? n : 79),
                 (const char *)f + off);
        s->at[s->n++] = st->time;
    }
}

static struct shell_proc *type(struct sim *sim, const char *cmd, bool paste,
                               const char *const *lines)
{
    struct shell_proc *p = shell_run(sim, sim_find_node(sim, "pc"), cmd, NULL, NULL);
    p->paste = paste;
    for (int i = 0; lines[i]; i++)
        shell_input(p, lines[i]);
    return p;
}

static const char *const smtp_lines[] = {"HELO pc", "NOOP", "QUIT", NULL};

static void test_typed(void)
{
    struct sim *sim = fx_build(scenario, 1);
    struct fx_log log = {0};
    trace_subscribe(sim, TRACE_ALL, fx_log_sink, &log);
    struct shell_proc *p = type(sim, "telnet 10.0.0.25 25", false, smtp_lines);
    sim_run_until(sim, 10 * SIM_S);
    CHECK(p->done);
    struct seen s;
    frames_of(&log, &s);
    /* greeting, then each command after the answer to the one before */
    CHECK_EQ(s.n, 7);
    if (s.n == 7) {
        CHECK_STR(s.who[0], "mail");
        CHECK(strncmp(s.what[0], "220 ", 4) == 0);
        CHECK_STR(s.what[1], "HELO pc\r\n");
        CHECK(strncmp(s.what[2], "250 ", 4) == 0);
        CHECK_STR(s.what[3], "NOOP\r\n");
        CHECK(strncmp(s.what[4], "250 ", 4) == 0);
        CHECK_STR(s.what[5], "QUIT\r\n");
        CHECK(strncmp(s.what[6], "221 ", 4) == 0);
        /* each line 50 ms after the connection went quiet */
        CHECK_EQ(s.at[1] - s.at[0] >= 50 * SIM_MS, 1);
        CHECK_EQ(s.at[3] - s.at[1] > 50 * SIM_MS, 1);
    }
    CHECK(strstr(p->out, "221 2.0.0 Bye") != NULL);
    shell_proc_free(p);

    /* a line typed long after the last answer goes at once */
    fx_log_clear(&log);
    p = shell_run(sim, sim_find_node(sim, "pc"), "telnet 10.0.0.25 25", NULL, NULL);
    sim_run_until(sim, sim_now(sim) + SIM_S / 2);
    sim_time typed_at = sim_now(sim);
    shell_input(p, "NOOP");
    sim_run_until(sim, sim_now(sim) + SIM_MS);
    frames_of(&log, &s);
    CHECK(s.n >= 2 && strcmp(s.what[1], "NOOP\r\n") == 0 && s.at[1] == typed_at);
    shell_interrupt(p);
    shell_proc_free(p);
    trace_unsubscribe(sim, fx_log_sink, &log);
    fx_log_free(&log);
    sim_free(sim);
}

static void test_pasted(void)
{
    struct sim *sim = fx_build(scenario, 1);
    struct fx_log log = {0};
    trace_subscribe(sim, TRACE_ALL, fx_log_sink, &log);
    struct shell_proc *p = type(sim, "telnet 10.0.0.25 25", true, smtp_lines);
    sim_run_until(sim, 10 * SIM_S);
    struct seen s;
    frames_of(&log, &s);
    /* all three lines in one segment, as soon as connected: before the
     * greeting is even read */
    CHECK(s.n >= 1);
    if (s.n >= 1) {
        CHECK_STR(s.who[0], "pc");
        CHECK_STR(s.what[0], "HELO pc\r\nNOOP\r\nQUIT\r\n");
    }
    CHECK(strstr(p->out, "221 2.0.0 Bye") != NULL);
    shell_proc_free(p);
    trace_unsubscribe(sim, fx_log_sink, &log);
    fx_log_free(&log);
    sim_free(sim);
}

static void test_s_client(void)
{
    struct sim *sim = fx_build(scenario, 1);
    static const char *const lines[] = {"ehlo pc", "noop", "quit", NULL};
    struct shell_proc *p =
        type(sim, "openssl s_client -connect 10.0.0.25:465 -crlf -quiet", false, lines);
    sim_run_until(sim, 10 * SIM_S);
    CHECK(p->done);
    /* each answer follows its command: the greeting, EHLO's lines, NOOP's
     * 250, QUIT's 221 */
    const char *g = strstr(p->out, "220 "), *e = strstr(p->out, "250-");
    const char *n = e ? strstr(e, "250 2.0.0 Ok") : NULL, *q = strstr(p->out, "221 2.0.0 Bye");
    CHECK(g && e && n && q && g < e && e < n && n < q);
    shell_proc_free(p);
    sim_free(sim);
}

int main(void)
{
    test_typed();
    test_pasted();
    test_s_client();
    return check_done();
}
