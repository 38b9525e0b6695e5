/* test_whois.c - WHOIS (protocols/whois.h, whois_wire.h): query lines
 * normalized, the registry (case-insensitive, no duplicates), the answer
 * for a record and for an unknown name, then the server on a node with the
 * `whois` client (default server whois.nic.<TLD>, -h, errors), a query
 * typed over telnet, the trace's why and the idle timeout. */
#include "check.h"
#include "fixture.h"
#include "protocols/tcp.h"
#include "protocols/whois.h"
#include "scenarios/shell.h"

#include <stdlib.h>

static void test_query(void)
{
    char q[WHOIS_QUERY_MAX + 1];
    CHECK(whois_query_parse("galaxy.test", 11, q, sizeof q));
    CHECK_STR(q, "galaxy.test");
    CHECK(whois_query_parse("  GALAXY.Test.\t", 15, q, sizeof q));
    CHECK_STR(q, "galaxy.test");
    CHECK(whois_query_parse("domain GALAXY.TEST", 18, q, sizeof q)); /* Verisign's keyword */
    CHECK_STR(q, "galaxy.test");
    CHECK(whois_query_parse("=x.com", 6, q, sizeof q));
    CHECK_STR(q, "x.com");
    CHECK(whois_query_parse("", 0, q, sizeof q));
    CHECK_STR(q, "");
    CHECK(!whois_query_parse("a\x01", 2, q, sizeof q));
    CHECK(!whois_query_parse("a\0b", 3, q, sizeof q));
    char big[300];
    memset(big, 'a', sizeof big);
    CHECK(!whois_query_parse(big, sizeof big, q, sizeof q));
    CHECK(whois_query_parse(big, WHOIS_QUERY_MAX, q, sizeof q));
    char b[80];
    CHECK_STR(whois_last_update(WHOIS_EPOCH + 65, b, sizeof b),
              ">>> Last update of whois database: 2026-01-01T00:01:05Z <<<");
}

static void test_registry(void)
{
    struct whois_db db = {0};
    CHECK(whois_db_add(&db, "galaxy.test", "Domain Name: GALAXY.TEST\nCreation Date: 1993-04-02"));
    CHECK(whois_db_add(&db, "Harbor.TEST", "Domain Name: HARBOR.TEST"));
    CHECK(!whois_db_add(&db, "GALAXY.test", "again"));
    CHECK(!whois_db_add(&db, "", "empty"));
    CHECK(whois_db_find(&db, "harbor.test") != NULL);
    CHECK(whois_db_find(&db, "nope.test") == NULL);
    size_t n;
    bool found;
    char *a = whois_answer(&db, " Galaxy.Test ", 13, WHOIS_EPOCH + 5, &n, &found);
    CHECK(found);
    CHECK_STR(a, "Domain Name: GALAXY.TEST\r\nCreation Date: 1993-04-02\r\n>>> Last update of "
                 "whois database: 2026-01-01T00:00:05Z <<<\r\n");
    CHECK_EQ(n, strlen(a));
    free(a);
    a = whois_answer(&db, "nope.test", 9, WHOIS_EPOCH, &n, &found);
    CHECK(!found);
    CHECK_STR(a, "No match for \"NOPE.TEST\".\r\n>>> Last update of whois database: "
                 "2026-01-01T00:00:00Z <<<\r\n");
    free(a);
    a = whois_answer(&db, "bad\x01", 4, WHOIS_EPOCH, &n, &found);
    CHECK(!found);
    CHECK(strncmp(a, "No match for \"\".", 16) == 0);
    free(a);
    whois_db_free(&db);
}

static const char *scenario =
    "{\"netstep\": 1, \"nodes\": [\n"
    " {\"name\": \"pc\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.10/24\"}]},\n"
    " {\"name\": \"whois.nic.test\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", "
    "\"ip\": \"10.0.0.43/24\"}],\n"
    "  \"services\": {\"whois\": {\"records\": {\"galaxy.test\": \"Domain Name: "
    "GALAXY.TEST\\nCreation Date: 1993-04-02\"}}}}],\n"
    " \"links\": [{\"a\": \"pc:eth0\", \"b\": \"whois.nic.test:eth0\"}]}\n";

static const char *out_of(const struct shell_proc *p)
{
    return p->out ? p->out : "";
}

static struct shell_proc *run_cmd(struct sim *sim, const char *cmd, const char *const *input)
{
    struct shell_proc *p = shell_run(sim, sim_find_node(sim, "pc"), cmd, NULL, NULL);
    for (int i = 0; input && input[i]; i++)
        shell_input(p, input[i]);
    sim_run_until(sim, sim_now(sim) + 10 * SIM_S);
    if (!p->done) shell_interrupt(p);
    return p;
}

struct cli {
    int peer_closed;
};

static void cli_peer_closed(void *ctx, struct tcp_conn *c)
{
    ((struct cli *)ctx)->peer_closed++;
    tcp_close(c);
}

static const struct tcp_callbacks cli_cb = {.peer_closed = cli_peer_closed};

static void test_on_node(void)
{
    struct sim *sim = fx_build(scenario, 1);
    CHECK(sim != NULL);
    if (!sim) return;
    struct fx_log log = {0};
    trace_subscribe(sim, TRACE_LAYERS, fx_log_sink, &log);
    CHECK(whois_server_db(node_stack(sim_find_node(sim, "whois.nic.test"))) != NULL);
    struct shell_proc *p = run_cmd(sim, "whois galaxy.test", NULL);
    CHECK_STR(out_of(p), "Domain Name: GALAXY.TEST\nCreation Date: 1993-04-02\n>>> Last update "
                         "of whois database: 2026-01-01T00:00:00Z <<<\n");
    CHECK_EQ(p->exit_code, 0);
    shell_proc_free(p);
    CHECK(fx_count(&log, TK_DELIVER, "whois.nic.test",
                   "Query: galaxy.test \xe2\x86\x92 record found") == 1);
    p = run_cmd(sim, "whois -h 10.0.0.43 NOPE.test", NULL);
    CHECK(strncmp(out_of(p), "No match for \"NOPE.TEST\".\n", 26) == 0);
    CHECK_EQ(p->exit_code, 0);
    shell_proc_free(p);
    p = run_cmd(sim, "whois localhost", NULL);
    CHECK_STR(out_of(p), "No whois server is known for this kind of object.\n");
    CHECK_EQ(p->exit_code, 1);
    shell_proc_free(p);
    p = run_cmd(sim, "whois galaxy.example", NULL); /* whois.nic.example does not exist */
    CHECK(strncmp(out_of(p), "getaddrinfo(whois.nic.example): ", 32) == 0);
    CHECK_EQ(p->exit_code, 2);
    shell_proc_free(p);
    p = run_cmd(sim, "whois -h pc galaxy.test", NULL);
    CHECK_STR(out_of(p), "connect: Connection refused\n");
    CHECK_EQ(p->exit_code, 2);
    shell_proc_free(p);
    p = run_cmd(sim, "whois -x galaxy.test", NULL);
    CHECK_EQ(p->exit_code, 2);
    shell_proc_free(p);
    /* by hand over telnet */
    static const char *const typed[] = {"galaxy.test", NULL};
    p = run_cmd(sim, "telnet whois.nic.test 43", typed);
    CHECK(strstr(out_of(p), "Domain Name: GALAXY.TEST\n") != NULL);
    CHECK(strstr(out_of(p), "Connection closed by foreign host.") != NULL);
    shell_proc_free(p);
    /* a client that says nothing is dropped after 60 s */
    struct cli k = {0};
    tcp_connect(node_stack(sim_find_node(sim, "pc")), IP(10, 0, 0, 43), 43, &cli_cb, &k);
    sim_run_until(sim, sim_now(sim) + 59 * SIM_S);
    CHECK_EQ(k.peer_closed, 0);
    sim_run_until(sim, sim_now(sim) + 2 * SIM_S);
    CHECK_EQ(k.peer_closed, 1);
    CHECK(fx_count(&log, TK_STATE, "whois.nic.test", "Idle connection closed") == 1);
    sim_free(sim);
    fx_log_free(&log);
}

int main(void)
{
    test_query();
    test_registry();
    test_on_node();
    return check_done();
}
