/* main.c - the `netstep` command line: run, step, check, validate.
 *
 *   netstep run FILE [--until T] [--seed N] [--pcap OUT.pcapng] [--pcap-dir DIR]
 *                    [--trace OUT.jsonl] [--layers] [--quiet]
 *   netstep step FILE [--until T] [--seed N]
 *   netstep check FILE... [--jobs N] [--junit OUT.xml]
 *   netstep validate FILE... [--json]
 * Each also takes --lua-instructions N and --lua-memory MIB, the limits of
 * a Lua scenario's sandbox (lua_scenario.h).
 *
 * Exit status: 0 every expectation held, 1 one failed, 2 the scenario or the
 * command line is invalid (the message names file, line and field). */
#include "engine/trace.h"
#include "protocols/dissect.h"
#include "scenarios/build.h"
#include "scenarios/lua_scenario.h"
#include "scenarios/runner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "netstep " NETSTEP_VERSION " - a network simulator for teaching\n"
    "\n"
    "usage:\n"
    "  netstep run FILE [--until T] [--seed N] [--pcap OUT.pcapng] [--pcap-dir DIR]\n"
    "                   [--trace OUT.jsonl] [--layers] [--quiet]\n"
    "      run a scenario: prints one line per frame (like tshark), every command's\n"
    "      output and each expectation's result; --layers adds every step inside\n"
    "      every device with a sentence on why it happened\n"
    "  netstep step FILE [--until T] [--seed N]\n"
    "      step through a scenario one layer at a time:\n"
    "      Enter = next step, b = back one step, q = quit\n"
    "  netstep check FILE... [--jobs N] [--junit OUT.xml]\n"
    "      run many scenarios in parallel and check their expectations (for CI)\n"
    "  netstep validate FILE... [--json]\n"
    "      check scenario files without running them; --json prints a Lua\n"
    "      scenario's network as the JSON its build functions made\n"
    "  netstep --help | --version\n"
    "\n"
    "Lua scenarios (FILE.lua) run sandboxed; every command above takes\n"
    "  --lua-instructions N   the script's instruction budget (default 200000000)\n"
    "  --lua-memory MIB       its memory cap in MiB (default 256)\n"
    "\n"
    "exit status: 0 all expectations held, 1 an expectation failed,\n"
    "             2 the scenario or the command line is invalid\n"
    "\n"
    "Durations: \"10us\", \"1.5ms\", \"2s\", \"1h\" or a number of seconds.\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "netstep: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'netstep --help'.\n");
    return 2;
}

static struct model *load_or_report(const char *path, const struct model_load_opts *lo)
{
    struct model_error err;
    struct model *m = model_load_with(path, lo, &err);
    if (!m) fprintf(stderr, "%s\n", err.text);
    return m;
}

/* --lua-instructions N and --lua-memory MIB, which every command takes.
 * Returns 1 when argv[*i] is one (its value taken), 0 when it is not, 2
 * (after the message) on a bad value. */
static int lua_limit_opt(int argc, char **argv, int *i, struct model_load_opts *lo)
{
    const char *a = argv[*i];
    bool instr = strcmp(a, "--lua-instructions") == 0;
    if (!instr && strcmp(a, "--lua-memory") != 0) return 0;
    if (*i + 1 >= argc) return usage_error("%s needs a value", a);
    const char *v = argv[++*i];
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || *end || end == v || v[0] == '-' || n == 0 ||
        (!instr && n > (1ull << 20))) /* a MiB count up to 1 TiB */
        return usage_error(instr ? "--lua-instructions: expected a positive number, got \"%s\""
                                 : "--lua-memory: expected a number of MiB, got \"%s\"",
                           v);
    if (instr)
        lo->lua_instructions = n;
    else
        lo->lua_memory = (uint64_t)n << 20;
    return 1;
}

/* Parses the options shared by run and step. Returns 0, or 2 on error;
 * *file gets the scenario path. */
static int parse_run_opts(int argc, char **argv, struct run_opts *o, const char **file,
                          bool allow_outputs, struct model_load_opts *lo)
{
    *file = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        int lua = lua_limit_opt(argc, argv, &i, lo);
        if (lua == 2) return 2;
        if (lua) continue;
        if (strcmp(a, "--until") == 0) {
            if (!more) return usage_error("%s needs a value", a);
            if (!sim_time_parse(argv[++i], &o->until))
                return usage_error("--until: expected a duration like \"30s\", got \"%s\"",
                                   argv[i]);
        } else if (strcmp(a, "--seed") == 0) {
            if (!more) return usage_error("%s needs a value", a);
            char *end;
            errno = 0;
            unsigned long long v = strtoull(argv[++i], &end, 10);
            if (errno || *end || end == argv[i] || argv[i][0] == '-')
                return usage_error("--seed: expected a non-negative integer, got \"%s\"", argv[i]);
            o->seed = v;
            o->has_seed = true;
            lo->has_seed = true; /* math.random while a Lua script builds */
            lo->seed = v;
        } else if (allow_outputs && strcmp(a, "--pcap") == 0) {
            if (!more) return usage_error("%s needs a file name", a);
            o->pcap = argv[++i];
        } else if (allow_outputs && strcmp(a, "--pcap-dir") == 0) {
            if (!more) return usage_error("%s needs a directory", a);
            o->pcap_dir = argv[++i];
        } else if (allow_outputs && strcmp(a, "--trace") == 0) {
            if (!more) return usage_error("%s needs a file name", a);
            o->trace_jsonl = argv[++i];
        } else if (allow_outputs && strcmp(a, "--layers") == 0) {
            o->layers = true;
        } else if (allow_outputs && strcmp(a, "--quiet") == 0) {
            o->quiet = true;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option %s", a);
        } else if (*file) {
            return usage_error("one scenario at a time (extra argument \"%s\")", a);
        } else {
            *file = a;
        }
    }
    if (!*file) return usage_error("%s", "which scenario? (netstep run FILE)");
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    struct run_opts o;
    run_opts_default(&o);
    const char *file;
    struct model_load_opts lo = {0};
    int rc = parse_run_opts(argc, argv, &o, &file, true, &lo);
    if (rc) return rc;
    struct model *m = load_or_report(file, &lo);
    if (!m) return 2;
    if (!o.quiet) {
        printf("netstep: %s", m->name ? m->name : file);
        printf("\n");
        if (m->description && m->description[0]) printf("%s\n", m->description);
        printf("\n");
    }
    struct model_error err;
    int code = scenario_run(m, &o, &err);
    if (code == 2) fprintf(stderr, "%s\n", err.text);
    model_free(m);
    return code;
}

/* Copies a file to stdout (validate --json of a JSON scenario). */
static void print_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return;
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stdout);
    fclose(f);
}

static int cmd_validate(int argc, char **argv)
{
    struct model_load_opts lo = {0};
    bool json = false;
    int n_files = 0;
    for (int i = 0; i < argc; i++) {
        int lua = lua_limit_opt(argc, argv, &i, &lo);
        if (lua == 2) return 2;
        if (lua) continue;
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (argv[i][0] == '-' && argv[i][1] == '-')
            return usage_error("unknown option %s", argv[i]);
        else
            n_files++;
    }
    if (n_files == 0) return usage_error("%s", "which scenario? (netstep validate FILE...)");
    int code = 0;
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] == '-') {
            if (strncmp(argv[i], "--lua-", 6) == 0) i++; /* its value */
            continue;
        }
        struct model *m = load_or_report(argv[i], &lo);
        if (!m) {
            code = 2;
            continue;
        }
        struct model_error err;
        struct sim *sim = scenario_build(m, m->seed, &err);
        if (!sim) {
            fprintf(stderr, "%s\n", err.text);
            code = 2;
        } else if (json) {
            const char *text = lua_scenario_json(m->lua);
            if (text)
                fputs(text, stdout);
            else
                print_file(argv[i]);
            sim_free(sim);
        } else {
            printf("%s: ok (%d nodes, %d links, %d timeline entries)\n", argv[i], m->n_nodes,
                   m->n_links, m->n_events);
            sim_free(sim);
        }
        model_free(m);
    }
    return code;
}

/* ---- step ---- */

struct step_log {
    char **text;
    size_t n, cap;
};

static void step_sink(void *ctx, const struct trace_step *st)
{
    struct step_log *log = ctx;
    char buf[2048];
    char t[32];
    sim_time_format(st->time, t, sizeof t);
    const char *summary = st->summary, *proto = st->proto;
    struct dissection d;
    if ((st->kind == TK_TRANSMIT || st->kind == TK_RECEIVE) && st->frame) {
        dissect_summary(st->frame, st->frame_len, &d);
        summary = d.info;
        proto = d.protocol;
    }
    if (st->kind == TK_OUTPUT)
        snprintf(buf, sizeof buf, "[%s] %s| %s", t, st->node->name, st->summary);
    else
        snprintf(buf, sizeof buf, "[%s] %s%s%s  L%u %s  %s  %s%s%s", t,
                 st->node ? st->node->name : "-", st->iface ? ":" : "",
                 st->iface ? st->iface->name : "", st->layer, trace_kind_name(st->kind),
                 proto[0] ? proto : "-", summary, st->why[0] ? "\n    why: " : "", st->why);
    if (log->n == log->cap) {
        log->cap = log->cap ? log->cap * 2 : 256;
        log->text = realloc(log->text, log->cap * sizeof *log->text);
        if (!log->text) abort();
    }
    log->text[log->n++] = strdup(buf);
}

static void step_log_clear(struct step_log *log)
{
    for (size_t i = 0; i < log->n; i++)
        free(log->text[i]);
    log->n = 0;
}

/* Builds the scenario afresh and runs it until `want` steps exist
 * (deterministic replay). */
static struct runner *step_start(const struct model *m, const struct run_opts *o,
                                 struct step_log *log)
{
    struct model_error err;
    step_log_clear(log);
    struct runner *r = runner_new(m, o, &err);
    if (!r) {
        fprintf(stderr, "%s\n", err.text);
        return NULL;
    }
    trace_subscribe(runner_sim(r), TRACE_ALL, step_sink, log);
    return r;
}

static bool step_fill(struct runner *r, struct step_log *log, size_t want)
{
    struct sim *sim = runner_sim(r);
    while (log->n < want) {
        if (sim_next_time(sim) > runner_until(r) || !sim_step(sim)) return false;
    }
    return true;
}

static int cmd_step(int argc, char **argv)
{
    struct run_opts o;
    run_opts_default(&o);
    const char *file;
    struct model_load_opts lo = {0};
    int rc = parse_run_opts(argc, argv, &o, &file, false, &lo);
    if (rc) return rc;
    struct model *m = load_or_report(file, &lo);
    if (!m) return 2;
    o.quiet = true;
    o.out = fopen("/dev/null", "w");
    if (!o.out) o.out = stderr;
    struct step_log log = {0};
    struct runner *r = step_start(m, &o, &log);
    if (!r) {
        model_free(m);
        return 2;
    }
    printf("netstep step: %s\nEnter = next step, b = back, q = quit\n\n", m->name ? m->name : file);
    size_t cur = 0;
    bool have = step_fill(r, &log, 1);
    if (have) printf("step %zu %s\n", cur + 1, log.text[cur]);
    char line[64];
    while (have && fgets(line, sizeof line, stdin)) {
        if (line[0] == 'q') break;
        if (line[0] == 'b') {
            if (cur == 0) {
                printf("(already at the first step)\n");
                continue;
            }
            cur--;
            /* Step back is a replay from time 0: same seed, same steps. */
            runner_free(r);
            r = step_start(m, &o, &log);
            if (!r || !step_fill(r, &log, cur + 1)) break;
            printf("step %zu %s\n", cur + 1, log.text[cur]);
            continue;
        }
        if (!step_fill(r, &log, cur + 2)) {
            printf("(end of the scenario)\n");
            continue;
        }
        cur++;
        printf("step %zu %s\n", cur + 1, log.text[cur]);
    }
    if (!have) printf("(nothing happens in this scenario)\n");
    runner_free(r);
    step_log_clear(&log);
    free(log.text);
    if (o.out != stderr) fclose(o.out);
    model_free(m);
    return 0;
}

/* ---- check ---- */

struct job {
    const char *file;
    const struct model_load_opts *lo;
    pid_t pid;
    FILE *out;
    int code;
    double secs;
    struct timespec t0;
};

static void xml_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t') fputc(*s, f);
        }
    }
}

static char *slurp(FILE *f)
{
    if (!f) return strdup("");
    fflush(f);
    long n = ftell(f);
    if (n < 0) n = 0;
    char *s = malloc((size_t)n + 1);
    if (!s) abort();
    rewind(f);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = 0;
    return s;
}

static void job_start(struct job *j)
{
    j->out = tmpfile();
    clock_gettime(CLOCK_MONOTONIC, &j->t0);
    fflush(stdout);
    fflush(stderr);
    j->pid = fork();
    if (j->pid == 0) {
        if (j->out) {
            dup2(fileno(j->out), 1);
            dup2(fileno(j->out), 2);
        }
        struct model *m = load_or_report(j->file, j->lo);
        int code = 2;
        if (m) {
            struct run_opts o;
            run_opts_default(&o);
            o.quiet = true;
            struct model_error err;
            code = scenario_run(m, &o, &err);
            if (code == 2) fprintf(stderr, "%s\n", err.text);
            model_free(m);
        }
        fflush(stdout);
        fflush(stderr);
        _exit(code);
    }
}

static int cmd_check(int argc, char **argv)
{
    int jobs = 2;
    const char *junit = NULL;
    struct model_load_opts lo = {0};
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    int nf = 0;
    if (!files) abort();
    for (int i = 0; i < argc; i++) {
        int lua = lua_limit_opt(argc, argv, &i, &lo);
        if (lua == 2) {
            free(files);
            return 2;
        }
        if (lua) continue;
        if (strcmp(argv[i], "--jobs") == 0 || strcmp(argv[i], "-j") == 0) {
            char *end;
            long v = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : 0;
            if (i + 1 >= argc || *end || v < 1 || v > 256) {
                free(files);
                return usage_error("--jobs: expected a number from 1 to 256, got \"%s\"",
                                   i + 1 < argc ? argv[i + 1] : "");
            }
            jobs = (int)v;
            i++;
        } else if (strcmp(argv[i], "--junit") == 0) {
            if (i + 1 >= argc) {
                free(files);
                return usage_error("%s needs a file name", argv[i]);
            }
            junit = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            free(files);
            return usage_error("unknown option %s", argv[i]);
        } else {
            files[nf++] = argv[i];
        }
    }
    if (nf == 0) {
        free(files);
        return usage_error("%s", "which scenarios? (netstep check FILE...)");
    }
    struct job *js = calloc((size_t)nf, sizeof *js);
    if (!js) abort();
    int next = 0, running = 0, finished = 0;
    while (finished < nf) {
        while (running < jobs && next < nf) {
            js[next].file = files[next];
            js[next].lo = &lo;
            job_start(&js[next]);
            if (js[next].pid < 0) {
                js[next].code = 2;
                finished++;
            } else {
                running++;
            }
            next++;
        }
        int status;
        pid_t pid = wait(&status);
        if (pid < 0) break;
        for (int i = 0; i < next; i++) {
            if (js[i].pid != pid) continue;
            struct timespec t1;
            clock_gettime(CLOCK_MONOTONIC, &t1);
            js[i].secs = (double)(t1.tv_sec - js[i].t0.tv_sec) +
                         (double)(t1.tv_nsec - js[i].t0.tv_nsec) / 1e9;
            js[i].code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            running--;
            finished++;
        }
    }
    int passed = 0, failed = 0, invalid = 0;
    for (int i = 0; i < nf; i++) {
        char *out = slurp(js[i].out);
        if (js[i].code == 0) {
            passed++;
            printf("PASS %s (%.2f s)\n", js[i].file, js[i].secs);
        } else {
            failed++;
            invalid += js[i].code != 1;
            printf("FAIL %s (exit %d)\n", js[i].file, js[i].code);
            for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
                if (strncmp(line, "PASS ", 5) != 0) printf("    %s\n", line);
        }
        free(out);
    }
    if (junit) {
        FILE *f = fopen(junit, "w");
        if (!f) {
            fprintf(stderr, "netstep: %s: cannot write: %s\n", junit, strerror(errno));
            invalid++;
        } else {
            fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            fprintf(f,
                    "<testsuites>\n  <testsuite name=\"netstep\" tests=\"%d\" failures=\"%d\" "
                    "errors=\"%d\">\n",
                    nf, failed - invalid, invalid);
            for (int i = 0; i < nf; i++) {
                char *out = slurp(js[i].out);
                fprintf(f, "    <testcase classname=\"netstep.scenario\" name=\"");
                xml_escape(f, js[i].file);
                fprintf(f, "\" time=\"%.3f\">\n", js[i].secs);
                if (js[i].code != 0) {
                    const char *tag = js[i].code == 1 ? "failure" : "error";
                    fprintf(f, "      <%s message=\"exit status %d\">", tag, js[i].code);
                    xml_escape(f, out);
                    fprintf(f, "</%s>\n", tag);
                }
                fprintf(f, "      <system-out>");
                xml_escape(f, out);
                fprintf(f, "</system-out>\n    </testcase>\n");
                free(out);
            }
            fprintf(f, "  </testsuite>\n</testsuites>\n");
            if (fclose(f) != 0) invalid++;
        }
    }
    for (int i = 0; i < nf; i++)
        if (js[i].out) fclose(js[i].out);
    free(js);
    free(files);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? (invalid && failed == invalid ? 2 : 1) : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage_error("%s", "what should I do? (netstep run FILE)");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("netstep %s\n", NETSTEP_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "step") == 0) return cmd_step(argc - 2, argv + 2);
    if (strcmp(cmd, "check") == 0) return cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "validate") == 0) return cmd_validate(argc - 2, argv + 2);
    return usage_error("unknown command \"%s\"", cmd);
}
