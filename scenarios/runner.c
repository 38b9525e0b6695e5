/* runner.c - see runner.h. */
#include "runner.h"
#include "build.h"
#include "lua_scenario.h"
#include "shell.h"
#include "engine/capture.h"
#include "protocols/dissect.h"

#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct tl_run {
    struct runner *r;
    const struct model_event *ev;
    int index;
    struct shell_proc *proc;
};

struct runner {
    const struct model *m;
    struct run_opts o;
    struct sim *sim;
    sim_time until;
    struct tl_run *tl;
    struct capture *pcapng, *pcapdir;
    FILE *jsonl;
    long *pexp_count;
    uint64_t frames;
    bool storm;
    int failed, passed;
    struct lua_run *lua; /* a Lua scenario's script, running with the sim */
    char io_error[256];
};

void run_opts_default(struct run_opts *o)
{
    memset(o, 0, sizeof *o);
    o->until = -1;
    o->out = stdout;
}

struct sim *runner_sim(struct runner *r)
{
    return r->sim;
}
sim_time runner_until(const struct runner *r)
{
    return r->until;
}

/* ---- sinks ---- */

static void print_time(FILE *f, sim_time t)
{
    fprintf(f, "%lld.%09lld", (long long)(t / SIM_S), (long long)(t % SIM_S));
}

static void wire_sink(void *ctx, const struct trace_step *st)
{
    struct runner *r = ctx;
    FILE *f = r->o.out;
    if (st->kind == TK_TRANSMIT) {
        r->frames++;
        if (r->o.quiet) return;
        struct dissection d;
        dissect_summary(st->frame, st->frame_len, &d);
        fprintf(f, "%6llu ", (unsigned long long)r->frames);
        print_time(f, st->wire_time);
        fprintf(f, " %-12s %s \xe2\x86\x92 %s %s %u %s\n", st->iface->label, d.src, d.dst,
                d.protocol, st->frame_len, d.info);
    } else if (st->kind == TK_DROP && !r->o.quiet && !r->o.layers) {
        fprintf(f, "       ");
        print_time(f, st->time);
        fprintf(f, " %-12s dropped: %s\n", st->iface ? st->iface->label : st->node->name,
                st->summary);
    }
}

static void layer_sink(void *ctx, const struct trace_step *st)
{
    struct runner *r = ctx;
    if (st->level == TRACE_OUTPUT) return;
    FILE *f = r->o.out;
    char sumbuf[256];
    const char *summary = st->summary;
    const char *proto = st->proto;
    struct dissection d; /* proto points into it until the line is printed */
    if ((st->kind == TK_TRANSMIT || st->kind == TK_RECEIVE) && st->frame) {
        /* the classroom view decrypts TLS with the key log, as Wireshark
         * does given SSLKEYLOGFILE */
        dissect_packet_keys(st->frame, st->frame_len, DIS_START_ETH, r->sim, &d, false);
        snprintf(sumbuf, sizeof sumbuf, "%s", d.info);
        summary = sumbuf;
        proto = d.protocol;
    }
    fprintf(f, "  [");
    print_time(f, st->time);
    fprintf(f, "] %s%s%s L%u %-11s %s: %s\n", st->node ? st->node->name : "-", st->iface ? ":" : "",
            st->iface ? st->iface->name : "", st->layer, trace_kind_name(st->kind),
            proto[0] ? proto : "-", summary);
    if (st->why[0]) fprintf(f, "        why: %s\n", st->why);
}

static void output_sink(void *ctx, const struct trace_step *st)
{
    struct runner *r = ctx;
    if (st->kind == TK_OUTPUT) fprintf(r->o.out, "%s| %s\n", st->node->name, st->summary);
}

static void warn_sink(void *ctx, const struct trace_step *st)
{
    struct runner *r = ctx;
    r->storm = true;
    fprintf(r->o.out, "warning: ");
    print_time(r->o.out, st->time);
    fprintf(r->o.out, " %s: %s. %s\n", st->node ? st->node->name : "-", st->summary, st->why);
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void jsonl_sink(void *ctx, const struct trace_step *st)
{
    struct runner *r = ctx;
    FILE *f = r->jsonl;
    const char *summary = st->summary, *proto = st->proto;
    struct dissection d;
    if ((st->kind == TK_TRANSMIT || st->kind == TK_RECEIVE) && st->frame) {
        dissect_summary(st->frame, st->frame_len, &d);
        summary = d.info;
        proto = d.protocol;
    }
    fprintf(f, "{\"seq\":%llu,\"t_ns\":%lld,\"node\":", (unsigned long long)st->seq,
            (long long)st->time);
    json_str(f, st->node ? st->node->name : "");
    fprintf(f, ",\"iface\":");
    json_str(f, st->iface ? st->iface->name : "");
    fprintf(f, ",\"layer\":%u,\"kind\":\"%s\",\"pkt\":%llu,\"proto\":", st->layer,
            trace_kind_name(st->kind), (unsigned long long)st->pkt_id);
    json_str(f, proto);
    fprintf(f, ",\"summary\":");
    json_str(f, summary);
    fprintf(f, ",\"why\":");
    json_str(f, st->why);
    fprintf(f, "}\n");
}

static bool pexp_match(const struct model_pexpect *pe, const struct trace_step *st,
                       const struct dissection *d)
{
    if (pe->protocol && strcasecmp(pe->protocol, d->protocol) != 0) return false;
    if (pe->on) {
        const struct iface *a = st->iface, *b = st->peer;
        bool hit = strcmp(a->label, pe->on) == 0 || strcmp(a->node->name, pe->on) == 0 ||
                   (b && (strcmp(b->label, pe->on) == 0 || strcmp(b->node->name, pe->on) == 0));
        if (!hit) return false;
    }
    if (strstr(d->info, pe->summary)) return true;
    char both[256];
    snprintf(both, sizeof both, "%s %s", d->protocol, d->info);
    return strstr(both, pe->summary) != NULL;
}

static void pexp_sink(void *ctx, const struct trace_step *st)
{
    struct runner *r = ctx;
    if (st->kind != TK_TRANSMIT) return;
    struct dissection d;
    dissect_summary(st->frame, st->frame_len, &d);
    for (int i = 0; i < r->m->n_pexpects; i++)
        if (pexp_match(&r->m->pexpects[i], st, &d)) r->pexp_count[i]++;
}

/* ---- timeline ---- */

/* Prints s on one line: newlines (a regex may hold some) become "\n". */
static void put_one_line(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
}

static void report(struct runner *r, bool ok, const char *what, const char *detail)
{
    if (ok)
        r->passed++;
    else
        r->failed++;
    fprintf(r->o.out, "%s ", ok ? "PASS" : "FAIL");
    put_one_line(r->o.out, what);
    if (detail[0]) {
        fputs(": ", r->o.out);
        put_one_line(r->o.out, detail);
    }
    fputc('\n', r->o.out);
}

static void lua_report(void *ctx, bool ok, const char *what, const char *detail)
{
    report(ctx, ok, what, detail);
}

static void tl_check(struct tl_run *t)
{
    struct runner *r = t->r;
    const struct model_event *ev = t->ev;
    if (!ev->has_expect) return;
    const struct model_expect *x = &ev->expect;
    const char *out = t->proc->out ? t->proc->out : "";
    char what[512], detail[512];
    snprintf(what, sizeof what, "timeline[%d] %s$ %s", t->index, ev->node, ev->run);
    if (x->has_contains) {
        bool ok = strstr(out, x->contains) != NULL;
        snprintf(detail, sizeof detail, "output %s \"%s\"", ok ? "contains" : "does not contain",
                 x->contains);
        report(r, ok, what, detail);
    }
    if (x->has_not_contains) {
        bool ok = strstr(out, x->not_contains) == NULL;
        snprintf(detail, sizeof detail, "output %s \"%s\"", ok ? "does not contain" : "contains",
                 x->not_contains);
        report(r, ok, what, detail);
    }
    if (x->has_matches) {
        regex_t re;
        bool ok = false;
        if (regcomp(&re, x->matches, REG_EXTENDED | REG_NOSUB | REG_NEWLINE) == 0) {
            ok = regexec(&re, out, 0, NULL, 0) == 0;
            regfree(&re);
        }
        snprintf(detail, sizeof detail, "output %s /%s/", ok ? "matches" : "does not match",
                 x->matches);
        report(r, ok, what, detail);
    }
    if (x->has_exit) {
        bool ok = t->proc->exit_code == x->exit_code;
        snprintf(detail, sizeof detail, "exit status %d%s%d", t->proc->exit_code,
                 ok ? " == " : ", expected ", x->exit_code);
        report(r, ok, what, detail);
    }
}

static void tl_done(void *ctx, struct shell_proc *p)
{
    struct tl_run *t = ctx;
    t->proc = p; /* commands that finish at once end before shell_run returns */
    tl_check(t);
}

static void tl_start(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct tl_run *t = ctx;
    struct node *n = sim_find_node(sim, t->ev->node);
    if (!t->r->o.quiet) {
        fprintf(t->r->o.out, "%s$ %s\n", t->ev->node, t->ev->run);
    }
    t->proc = shell_run(sim, n, t->ev->run, tl_done, t);
    t->proc->paste = t->ev->paste;
    /* typed lines: an interactive command keeps them until it is ready */
    for (int k = 0; k < t->ev->n_input; k++)
        shell_input(t->proc, t->ev->input[k]);
}

/* ---- life cycle ---- */

struct runner *runner_new(const struct model *m, const struct run_opts *o, struct model_error *err)
{
    struct runner *r = calloc(1, sizeof *r);
    if (!r) abort();
    r->m = m;
    r->o = *o;
    if (!r->o.out) r->o.out = stdout;
    r->sim = scenario_build(m, o->has_seed ? o->seed : m->seed, err);
    if (!r->sim) {
        free(r);
        return NULL;
    }
    r->until = o->until >= 0 ? o->until : m->until;
    sim_set_event_budget(r->sim, o->event_budget ? o->event_budget : RUNNER_DEFAULT_BUDGET);
    struct sim *sim = r->sim;
    trace_subscribe(sim, TRACE_WARN, warn_sink, r);
    if (!r->o.quiet || m->n_pexpects) trace_subscribe(sim, TRACE_FRAMES, wire_sink, r);
    if (!r->o.quiet) trace_subscribe(sim, TRACE_OUTPUT, output_sink, r);
    if (r->o.layers) trace_subscribe(sim, TRACE_LAYERS | TRACE_FRAMES, layer_sink, r);
    if (m->n_pexpects) {
        r->pexp_count = calloc((size_t)m->n_pexpects, sizeof *r->pexp_count);
        if (!r->pexp_count) abort();
        trace_subscribe(sim, TRACE_FRAMES, pexp_sink, r);
    }
    if (o->trace_jsonl) {
        r->jsonl = fopen(o->trace_jsonl, "w");
        if (!r->jsonl) {
            snprintf(err->text, sizeof err->text, "%s: cannot write: %s", o->trace_jsonl,
                     strerror(errno));
            runner_free(r);
            return NULL;
        }
        trace_subscribe(sim, TRACE_ALL, jsonl_sink, r);
    }
    if (o->pcap) {
        r->pcapng = capture_pcapng_open(sim, o->pcap);
        if (!r->pcapng) {
            snprintf(err->text, sizeof err->text, "%s: cannot write: %s", o->pcap, strerror(errno));
            runner_free(r);
            return NULL;
        }
    }
    if (o->pcap_dir) {
        r->pcapdir = capture_pcap_dir_open(sim, o->pcap_dir);
        if (!r->pcapdir) {
            snprintf(err->text, sizeof err->text, "%s: cannot write: %s", o->pcap_dir,
                     strerror(errno));
            runner_free(r);
            return NULL;
        }
    }
    r->tl = calloc((size_t)m->n_events + 1, sizeof *r->tl);
    if (!r->tl) abort();
    for (int i = 0; i < m->n_events; i++) {
        r->tl[i] = (struct tl_run){r, &m->events[i], i, NULL};
        sim_schedule_at(sim, m->events[i].at, tl_start, &r->tl[i], 0);
    }
    if (m->lua) {
        struct lua_run_host h = {lua_report, r, r->o.out, r->o.quiet, o->has_seed, o->seed};
        r->lua = lua_run_start(m, sim, &h, err);
        if (!r->lua) {
            runner_free(r);
            return NULL;
        }
    }
    return r;
}

void runner_run(struct runner *r)
{
    sim_run_until(r->sim, r->until);
}

int runner_finish(struct runner *r)
{
    FILE *f = r->o.out;
    for (int i = 0; i < r->m->n_events; i++) {
        struct tl_run *t = &r->tl[i];
        if (!t->proc) {
            if (t->ev->has_expect)
                report(r, false, t->ev->run, "never ran: its time is after the end of the run");
            continue;
        }
        if (!t->proc->done) shell_interrupt(t->proc);
    }
    lua_run_finish(r->lua);
    for (int i = 0; i < r->m->n_pexpects; i++) {
        const struct model_pexpect *pe = &r->m->pexpects[i];
        long n = r->pexp_count[i];
        bool ok = (!pe->has_min || n >= pe->min) && (!pe->has_max || n <= pe->max);
        char what[320], detail[160];
        snprintf(what, sizeof what, "expect_packets[%d] \"%s\"%s%s", i, pe->summary,
                 pe->on ? " on " : "", pe->on ? pe->on : "");
        if (pe->has_min && pe->has_max)
            snprintf(detail, sizeof detail, "%ld frames, expected %ld to %ld", n, pe->min, pe->max);
        else if (pe->has_max)
            snprintf(detail, sizeof detail, "%ld frames, expected at most %ld", n, pe->max);
        else
            snprintf(detail, sizeof detail, "%ld frames, expected at least %ld", n,
                     pe->has_min ? pe->min : 1);
        if (!pe->has_min && !pe->has_max) ok = n >= 1;
        report(r, ok, what, detail);
    }
    int code = r->failed ? 1 : 0;
    if (sim_budget_exhausted(r->sim)) {
        char t[32];
        fprintf(f,
                "error: stopped at %s s after %llu events (the event budget): the network "
                "never went quiet - a loop or a storm?\n",
                sim_time_format(sim_now(r->sim), t, sizeof t),
                (unsigned long long)sim_events_run(r->sim));
        code = 1;
    }
    if (lua_run_error(r->lua)[0]) code = 2; /* runner_error says why */
    if (r->pcapng && capture_close(r->pcapng) < 0) {
        fprintf(stderr, "netstep: %s: write error\n", r->o.pcap);
        code = code ? code : 1;
    }
    r->pcapng = NULL;
    if (r->pcapdir && capture_close(r->pcapdir) < 0) {
        fprintf(stderr, "netstep: %s: write error\n", r->o.pcap_dir);
        code = code ? code : 1;
    }
    r->pcapdir = NULL;
    if (r->jsonl) {
        if (fclose(r->jsonl) != 0) code = code ? code : 1;
        r->jsonl = NULL;
    }
    if (r->passed + r->failed)
        fprintf(f, "expectations: %d passed, %d failed\n", r->passed, r->failed);
    return code;
}

void runner_free(struct runner *r)
{
    if (!r) return;
    if (r->pcapng) capture_close(r->pcapng);
    if (r->pcapdir) capture_close(r->pcapdir);
    if (r->jsonl) fclose(r->jsonl);
    if (r->tl)
        for (int i = 0; i < r->m->n_events; i++)
            shell_proc_free(r->tl[i].proc);
    free(r->tl);
    free(r->pexp_count);
    lua_run_free(r->lua);
    sim_free(r->sim);
    free(r);
}

const char *runner_error(const struct runner *r)
{
    return lua_run_error(r->lua);
}

int scenario_run(const struct model *m, const struct run_opts *o, struct model_error *err)
{
    struct runner *r = runner_new(m, o, err);
    if (!r) return 2;
    runner_run(r);
    int code = runner_finish(r);
    if (code == 2) snprintf(err->text, sizeof err->text, "%s", runner_error(r));
    runner_free(r);
    return code;
}
