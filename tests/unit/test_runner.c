/* test_runner.c - running a scenario (scenarios/runner.h) with its output
 * in a temporary file: timeline expectations (contains, not_contains,
 * matches, exit) pass and fail with their PASS/FAIL lines, the tally and
 * exit codes 0/1; expect_packets min/max (and on a node); a command whose
 * time is after the end; the event budget stopping a run with exit 1; the
 * wire log, command echo and output lines of a normal run; --layers' why
 * lines; JSON lines to a file; exit 2 when the scenario cannot be built or
 * an output file cannot be written; and a runner driven step by step. */
#include "check.h"
#include "fixture.h"
#include "scenarios/runner.h"

#include <unistd.h>

#define PAIR                                                                                       \
    "\"nodes\": [\n"                                                                               \
    " {\"name\": \"h1\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "       \
    "\"10.0.0.1/24\"}]},\n"                                                                        \
    " {\"name\": \"h2\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "       \
    "\"10.0.0.2/24\"}]}],\n"                                                                       \
    " \"links\": [{\"a\": \"h1:eth0\", \"b\": \"h2:eth0\"}],\n"

static const char pass_json[] =
    "{\"netstep\": 1, " PAIR " \"timeline\": [\n"
    "  {\"at\": \"1s\", \"node\": \"h1\", \"run\": \"ping -c 1 10.0.0.2\",\n"
    "   \"expect\": {\"contains\": \"1 received\", \"not_contains\": \"Unreachable\",\n"
    "              \"matches\": \"icmp_seq=1 ttl=[0-9]+ time=\", \"exit\": 0}},\n"
    "  {\"at\": \"3s\", \"node\": \"h2\", \"run\": \"arp -a\"}],\n"
    " \"expect_packets\": [{\"summary\": \"Who has 10.0.0.2\", \"min\": 1, \"max\": 1},\n"
    "                      {\"summary\": \"Who has\", \"on\": \"h2\", \"min\": 1, \"max\": 1}],\n"
    " \"until\": \"5s\"}\n";

static const char fail_json[] =
    "{\"netstep\": 1, " PAIR " \"timeline\": [\n"
    "  {\"at\": \"1s\", \"node\": \"h1\", \"run\": \"ping -c 1 10.0.0.2\",\n"
    "   \"expect\": {\"contains\": \"2 received\", \"not_contains\": \"1 received\",\n"
    "              \"matches\": \"^From\", \"exit\": 1}},\n"
    "  {\"at\": \"2s\", \"node\": \"h1\", \"run\": \"ping 10.0.0.2\", \"expect\": {\"exit\": "
    "0}}],\n"
    " \"expect_packets\": [{\"summary\": \"Who has 10.0.0.2\", \"min\": 2},\n"
    "                      {\"summary\": \"Who has\", \"on\": \"h1:eth0\", \"max\": 1},\n"
    "                      {\"summary\": \"no such frame\"},\n"
    "                      {\"summary\": \"Who has\", \"max\": 0}],\n"
    " \"until\": \"5s\"}\n";

/* a ping every millisecond: plenty of events */
static const char busy_json[] =
    "{\"netstep\": 1, " PAIR " \"timeline\": [{\"at\": \"1s\", \"node\": \"h1\", \"run\": "
    "\"ping -q -i 0.001 10.0.0.2\"}],\n"
    " \"until\": \"2s\"}\n";

static struct model *load(const char *json)
{
    struct model_error err = {{0}};
    struct model *m = model_load_json_text("t.json", json, strlen(json), &err);
    if (!m) fprintf(stderr, "load: %s\n", err.text);
    return m;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Everything written to f, as a string (the caller frees). */
static char *slurp(FILE *f)
{
    fflush(f);
    long n = ftell(f);
    char *s = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
    if (!s) abort();
    rewind(f);
    if (n > 0 && fread(s, 1, (size_t)n, f) != (size_t)n) s[0] = 0;
    return s;
}

/* Runs json with options o (out set here); returns the exit code and the
 * output in *text. */
static int run_json(const char *json, struct run_opts *o, char **text, struct model_error *err)
{
    struct model *m = load(json);
    if (!m) {
        *text = calloc(1, 1);
        return -1;
    }
    FILE *f = tmpfile();
    if (!f) abort();
    o->out = f;
    int code = scenario_run(m, o, err);
    *text = slurp(f);
    fclose(f);
    model_free(m);
    return code;
}

static void test_pass(void)
{
    struct run_opts o;
    run_opts_default(&o);
    CHECK_EQ(o.until, -1);
    CHECK(o.out == stdout);
    o.quiet = true;
    struct model_error err = {{0}};
    char *text;
    int code = run_json(pass_json, &o, &text, &err);
    CHECK_EQ(code, 0);
    CHECK_STR(text, "PASS timeline[0] h1$ ping -c 1 10.0.0.2: output contains \"1 received\"\n"
                    "PASS timeline[0] h1$ ping -c 1 10.0.0.2: output does not contain "
                    "\"Unreachable\"\n"
                    "PASS timeline[0] h1$ ping -c 1 10.0.0.2: output matches "
                    "/icmp_seq=1 ttl=[0-9]+ time=/\n"
                    "PASS timeline[0] h1$ ping -c 1 10.0.0.2: exit status 0 == 0\n"
                    "PASS expect_packets[0] \"Who has 10.0.0.2\": 1 frames, expected 1 to 1\n"
                    "PASS expect_packets[1] \"Who has\" on h2: 1 frames, expected 1 to 1\n"
                    "expectations: 6 passed, 0 failed\n");
    free(text);
}

static void test_fail(void)
{
    struct run_opts o;
    run_opts_default(&o);
    o.quiet = true;
    struct model_error err = {{0}};
    char *text;
    int code = run_json(fail_json, &o, &text, &err);
    CHECK_EQ(code, 1);
    /* the endless ping is interrupted at the end (like Ctrl-C): exit 0 */
    CHECK_STR(text, "FAIL timeline[0] h1$ ping -c 1 10.0.0.2: output does not contain "
                    "\"2 received\"\n"
                    "FAIL timeline[0] h1$ ping -c 1 10.0.0.2: output contains \"1 received\"\n"
                    "FAIL timeline[0] h1$ ping -c 1 10.0.0.2: output does not match /^From/\n"
                    "FAIL timeline[0] h1$ ping -c 1 10.0.0.2: exit status 0, expected 1\n"
                    "PASS timeline[1] h1$ ping 10.0.0.2: exit status 0 == 0\n"
                    "FAIL expect_packets[0] \"Who has 10.0.0.2\": 1 frames, expected at least 2\n"
                    "PASS expect_packets[1] \"Who has\" on h1:eth0: 1 frames, expected at most 1\n"
                    "FAIL expect_packets[2] \"no such frame\": 0 frames, expected at least 1\n"
                    "FAIL expect_packets[3] \"Who has\": 1 frames, expected at most 0\n"
                    "expectations: 2 passed, 7 failed\n");
    free(text);

    /* a shorter run: the commands never start */
    run_opts_default(&o);
    o.quiet = true;
    o.until = 500 * SIM_MS;
    code = run_json(pass_json, &o, &text, &err);
    CHECK_EQ(code, 1);
    CHECK(strstr(text, "FAIL ping -c 1 10.0.0.2: never ran: its time is after the end of the "
                       "run\n") != NULL);
    CHECK(
        strstr(text, "FAIL expect_packets[0] \"Who has 10.0.0.2\": 0 frames, expected 1 to 1\n") !=
        NULL);
    CHECK(strstr(text, "expectations: 0 passed, 3 failed\n") != NULL);
    free(text);
}

static void test_budget(void)
{
    struct run_opts o;
    run_opts_default(&o);
    o.quiet = true;
    o.event_budget = 20;
    struct model_error err = {{0}};
    char *text;
    int code = run_json(busy_json, &o, &text, &err);
    CHECK_EQ(code, 1);
    CHECK(strstr(text, "error: stopped at 1.0") != NULL);
    CHECK(strstr(text, " s after 20 events (the event budget): the network never went quiet - a "
                       "loop or a storm?\n") != NULL);
    free(text);
    /* the same run with room to finish (1000 pings, 3 events each) */
    o.event_budget = 3500;
    code = run_json(busy_json, &o, &text, &err);
    CHECK_EQ(code, 0);
    CHECK(strstr(text, "error:") == NULL);
    free(text);
}

static void test_normal_output(void)
{
    struct run_opts o;
    run_opts_default(&o);
    struct model_error err = {{0}};
    char *text;
    int code = run_json(pass_json, &o, &text, &err);
    CHECK_EQ(code, 0);
    /* the first frame: #1 at 1 s out of h1:eth0 */
    CHECK(starts_with(text, "h1$ ping -c 1 10.0.0.2\n"
                            "h1| PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
                            "     1 1.000000000 h1:eth0      "));
    CHECK(strstr(text, "\n     2 1.000016720 h2:eth0      ") != NULL); /* the ARP reply */
    CHECK(strstr(text, "h1| 64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.072 ms\n") != NULL);
    CHECK(strstr(text, "h1| 1 packets transmitted, 1 received, 0% packet loss, time 0ms\n") !=
          NULL);
    CHECK(strstr(text, "h2$ arp -a\nh2| ? (10.0.0.1) at 02:00:00:00:01:01 [ether] on eth0\n") !=
          NULL);
    CHECK(strstr(text, "     5 ") == NULL); /* four frames in all */
    CHECK(strstr(text, "why:") == NULL);
    free(text);
    /* --layers: every step, with its reason */
    o.layers = true;
    code = run_json(pass_json, &o, &text, &err);
    CHECK_EQ(code, 0);
    CHECK(strstr(text, "  [1.000000000] h1:eth0 L3 encapsulate ARP: Who has 10.0.0.2? Tell "
                       "10.0.0.1\n        why: ") != NULL);
    free(text);
}

static void test_files(void)
{
    char path[] = "/tmp/netstep-test-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    close(fd);
    struct run_opts o;
    run_opts_default(&o);
    o.quiet = true;
    o.trace_jsonl = path;
    struct model_error err = {{0}};
    char *text;
    CHECK_EQ(run_json(pass_json, &o, &text, &err), 0);
    free(text);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (f) {
        char line[2048];
        CHECK(fgets(line, sizeof line, f) != NULL);
        CHECK(starts_with(line, "{\"seq\":1,\"t_ns\":1000000000,\"node\":\"h1\","));
        int lines = 1, transmits = 0;
        if (strstr(line, "\"kind\":\"transmit\"")) transmits++;
        while (fgets(line, sizeof line, f)) {
            lines++;
            if (strstr(line, "\"kind\":\"transmit\"")) transmits++;
        }
        CHECK(lines > 20);
        CHECK_EQ(transmits, 4);
        fclose(f);
    }
    unlink(path);

    /* an output that cannot be written: exit 2 with the reason */
    run_opts_default(&o);
    o.trace_jsonl = "/nonexistent-dir/x.jsonl";
    memset(&err, 0, sizeof err);
    CHECK_EQ(run_json(pass_json, &o, &text, &err), 2);
    CHECK_STR(err.text, "/nonexistent-dir/x.jsonl: cannot write: No such file or directory");
    CHECK_STR(text, "");
    free(text);

    /* a scenario the builder refuses: exit 2, nothing run */
    static const char dhcp_json[] =
        "{\"netstep\": 1, \"nodes\": [\n"
        " {\"name\": \"pc\", \"type\": \"host\", \"gateway\": \"10.0.0.1\", \"interfaces\": "
        "[{\"name\": \"eth0\", \"ip\": \"dhcp\"}]}]}\n";
    run_opts_default(&o);
    memset(&err, 0, sizeof err);
    CHECK_EQ(run_json(dhcp_json, &o, &text, &err), 2);
    CHECK(starts_with(err.text, "t.json:2: nodes[0].gateway: the gateway is not on any"));
    CHECK_STR(text, "");
    free(text);
}

static void test_stepping(void)
{
    struct model *m = load(pass_json);
    CHECK(m != NULL);
    if (!m) return;
    FILE *f = tmpfile();
    struct run_opts o;
    run_opts_default(&o);
    o.quiet = true;
    o.out = f;
    o.seed = 5;
    o.has_seed = true;
    struct model_error err = {{0}};
    struct runner *r = runner_new(m, &o, &err);
    CHECK(r != NULL);
    if (r) {
        struct sim *sim = runner_sim(r);
        CHECK_EQ(sim_seed(sim), 5);
        CHECK_EQ(runner_until(r), 5 * SIM_S);
        int steps = 0;
        while (sim_next_time(sim) <= runner_until(r) && sim_step(sim))
            steps++;
        /* two commands, and four frames' arrivals (the ARP retry timer
         * was cancelled, so it is no step) */
        CHECK_EQ(steps, 6);
        CHECK_EQ(sim_now(sim), 3 * SIM_S);
        CHECK_EQ(runner_finish(r), 0);
        runner_free(r);
    }
    char *text = slurp(f);
    CHECK(strstr(text, "expectations: 6 passed, 0 failed\n") != NULL);
    free(text);
    fclose(f);
    model_free(m);
}

int main(void)
{
    test_pass();
    test_fail();
    test_budget();
    test_normal_output();
    test_files();
    test_stepping();
    return check_done();
}
