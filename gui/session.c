/* session.c - a scenario opened in the GUI: its model, a runner driving the
 * sim, and the history of every trace step, kept so the event list and the
 * inspector can show any past moment. Going back in time is a replay from
 * time 0 (same seed, same steps), as `netstep step` does. */
#include "gui.h"
#include "scenarios/shell.h"

#include <stdlib.h>
#include <string.h>

static char *dup_str(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d) abort();
    return d;
}

static void session_sink(void *ctx, const struct trace_step *st)
{
    struct gui_session *s = ctx;
    if (s->muted) return;
    if (s->n_steps == s->cap_steps) {
        s->cap_steps = s->cap_steps ? s->cap_steps * 2 : 1024;
        s->steps = realloc(s->steps, s->cap_steps * sizeof *s->steps);
        if (!s->steps) abort();
    }
    struct gui_step *g = &s->steps[s->n_steps++];
    memset(g, 0, sizeof *g);
    g->seq = st->seq;
    g->time = st->time;
    g->wire_time = st->wire_time;
    g->arrive_time = st->arrive_time;
    g->node = st->node ? (int)st->node->index : -1;
    g->iface = st->iface ? (int)st->iface->index : -1;
    g->peer_node = st->peer ? (int)st->peer->node->index : -1;
    g->peer_iface = st->peer ? (int)st->peer->index : -1;
    g->layer = st->layer;
    g->kind = st->kind;
    g->pkt_id = st->pkt_id;
    snprintf(g->proto, sizeof g->proto, "%s", st->proto ? st->proto : "");
    g->why = dup_str(st->why);
    if (st->frame && st->frame_len) {
        g->frame = malloc(st->frame_len);
        if (!g->frame) abort();
        memcpy(g->frame, st->frame, st->frame_len);
        g->frame_len = st->frame_len;
    }
    if ((st->kind == TK_TRANSMIT || st->kind == TK_RECEIVE) && st->frame) {
        /* The event list speaks tshark: highest protocol and its Info. */
        struct dissection d;
        dissect_summary(st->frame, st->frame_len, &d);
        snprintf(g->proto, sizeof g->proto, "%s", d.protocol);
        g->summary = dup_str(d.info);
    } else {
        g->summary = dup_str(st->summary);
    }
}

static void steps_clear(struct gui_session *s)
{
    for (size_t i = 0; i < s->n_steps; i++) {
        free(s->steps[i].summary);
        free(s->steps[i].why);
        free(s->steps[i].frame);
    }
    s->n_steps = 0;
}

static bool session_start(struct gui_session *s, char *err, size_t errlen)
{
    struct run_opts o;
    run_opts_default(&o);
    o.quiet = true;
    o.out = s->devnull;
    struct model_error me;
    steps_clear(s);
    s->runner = runner_new(s->model, &o, &me);
    if (!s->runner) {
        if (err) snprintf(err, errlen, "%s", me.text);
        return false;
    }
    trace_subscribe(runner_sim(s->runner), TRACE_ALL, session_sink, s);
    s->now = 0;
    s->ended = false;
    return true;
}

bool session_open(struct gui_session *s, const char *path, char *err, size_t errlen)
{
    struct model_error me;
    struct model *m = model_load(path, &me);
    if (!m) {
        snprintf(err, errlen, "%s", me.text);
        return false;
    }
    struct gui_session n = {0};
    n.model = m;
    n.path = dup_str(path);
    n.devnull = fopen("/dev/null", "w");
    if (!n.devnull) n.devnull = stderr;
    if (!session_start(&n, err, errlen)) {
        session_close(&n);
        return false;
    }
    session_close(s);
    *s = n;
    /* The sink's context must be the session's final address. */
    trace_unsubscribe(runner_sim(s->runner), session_sink, &n);
    trace_subscribe(runner_sim(s->runner), TRACE_ALL, session_sink, s);
    return true;
}

void session_close(struct gui_session *s)
{
    if (s->runner) runner_free(s->runner);
    steps_clear(s);
    free(s->steps);
    if (s->model) model_free(s->model);
    if (s->devnull && s->devnull != stderr) fclose(s->devnull);
    free(s->path);
    memset(s, 0, sizeof *s);
}

struct sim *session_sim(const struct gui_session *s)
{
    return s->runner ? runner_sim(s->runner) : NULL;
}

sim_time session_until(const struct gui_session *s)
{
    return s->runner ? runner_until(s->runner) : 0;
}

static void session_restart(struct gui_session *s)
{
    runner_free(s->runner);
    s->runner = NULL;
    if (!session_start(s, NULL, 0)) s->ended = true;
}

void session_run_to_time(struct gui_session *s, sim_time t)
{
    if (!s->runner) return;
    if (t < s->now) session_restart(s);
    if (!s->runner) return;
    sim_time until = runner_until(s->runner);
    if (t > until) t = until;
    struct sim *sim = runner_sim(s->runner);
    sim_run_until(sim, t);
    s->now = t;
    s->ended = sim_next_time(sim) > until || sim_stopped(sim);
}

bool session_fill_steps(struct gui_session *s, size_t n)
{
    if (!s->runner) return false;
    struct sim *sim = runner_sim(s->runner);
    while (s->n_steps < n) {
        if (sim_next_time(sim) > runner_until(s->runner) || !sim_step(sim)) {
            s->ended = true;
            return false;
        }
    }
    return true;
}

void session_replay_steps(struct gui_session *s, size_t n)
{
    if (!s->runner) return;
    session_restart(s);
    if (!s->runner) return;
    session_fill_steps(s, n);
    s->now = n && s->n_steps >= n ? s->steps[n - 1].time : 0;
}

sim_time session_next_time(const struct gui_session *s)
{
    return s->runner ? sim_next_time(runner_sim(s->runner)) : SIM_TIME_MAX;
}

char *session_node_command(struct gui_session *s, int node, const char *cmd)
{
    struct sim *sim = session_sim(s);
    if (!sim || node < 0 || (uint32_t)node >= sim_node_count(sim)) return dup_str("");
    s->muted = true;
    struct shell_proc *p = shell_run(sim, sim_node(sim, (uint32_t)node), cmd, NULL, NULL);
    if (!p->done) shell_interrupt(p);
    char *out = dup_str(p->out ? p->out : "");
    shell_proc_free(p);
    s->muted = false;
    return out;
}

sim_time session_auto_time(struct gui_session *s)
{
    session_run_to_time(s, session_until(s));
    const struct gui_step *any = NULL, *icmp = NULL;
    for (size_t i = 0; i < s->n_steps && !icmp; i++) {
        const struct gui_step *st = &s->steps[i];
        if (st->kind != TK_TRANSMIT || st->arrive_time <= st->wire_time) continue;
        if (!any) any = st;
        if (strcmp(st->proto, "ICMP") == 0) icmp = st;
    }
    const struct gui_step *pick = icmp ? icmp : any;
    if (!pick) return 0;
    return pick->wire_time + (pick->arrive_time - pick->wire_time) / 2;
}
