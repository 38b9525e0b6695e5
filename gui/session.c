/* session.c - a scenario opened in the GUI: its model, a runner driving the
 * sim, and the history of every trace step, kept so the event list and the
 * inspector can show any past moment. Going back in time is a replay from
 * time 0 (same seed, same steps), as `netstep step` does; commands typed on
 * a device console are typed again during the replay at the simulated time
 * they were first typed, after every event up to that time, so the replayed
 * history is the same. */
#include "gui.h"

#include <stdlib.h>
#include <string.h>

static char *dup_str(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d) abort();
    return d;
}

static void grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return;
    size_t c = *cap ? *cap * 2 : 1024;
    while (c < need)
        c *= 2;
    void *n = realloc(*p, c * size);
    if (!n) abort();
    *p = n;
    *cap = c;
}

bool step_is_event(const struct gui_step *st)
{
    return (st->kind == TK_TRANSMIT && st->frame) || st->kind == TK_DROP;
}

static void session_sink(void *ctx, const struct trace_step *st)
{
    struct gui_session *s = ctx;
    if (s->muted) return;
    grow((void **)&s->steps, &s->cap_steps, s->n_steps + 1, sizeof *s->steps);
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
    /* Steps above layer 2 carry their own layer's bytes, not a frame. */
    g->is_frame =
        st->frame && (st->kind == TK_TRANSMIT || st->kind == TK_RECEIVE || st->layer <= 2);
    if (g->is_frame && (st->kind == TK_TRANSMIT || st->kind == TK_RECEIVE || st->kind == TK_DROP)) {
        /* The event list speaks tshark: highest protocol and its Info. A
         * drop keeps its own summary (the reason). */
        struct dissection d;
        dissect_summary(st->frame, st->frame_len, &d);
        snprintf(g->proto, sizeof g->proto, "%s", d.protocol);
        g->summary = dup_str(st->kind == TK_DROP ? st->summary : d.info);
    } else {
        g->summary = dup_str(st->summary);
    }
    static const uint8_t bcast[6] = {255, 255, 255, 255, 255, 255};
    g->broadcast = g->is_frame && st->frame_len >= 6 && memcmp(st->frame, bcast, 6) == 0;
    g->gp = (uint8_t)proto_index(g->proto);
    if (step_is_event(g)) {
        grow((void **)&s->events, &s->cap_events, s->n_events + 1, sizeof *s->events);
        s->events[s->n_events++] = (long)s->n_steps - 1;
        s->protos_seen |= 1u << g->gp;
    }
    if (g->kind == TK_TRANSMIT && g->arrive_time - g->time > s->max_flight)
        s->max_flight = g->arrive_time - g->time;
}

static void steps_clear(struct gui_session *s)
{
    for (size_t i = 0; i < s->n_steps; i++) {
        free(s->steps[i].summary);
        free(s->steps[i].why);
        free(s->steps[i].frame);
    }
    s->n_steps = 0;
    s->n_events = 0;
    s->max_flight = 0;
    s->protos_seen = 0;
    s->generation++;
}

/* Console processes belong to the run that started them. */
static void cmds_stop(struct gui_session *s)
{
    for (int i = 0; i < s->n_cmds; i++) {
        shell_proc_free(s->cmds[i].proc);
        s->cmds[i].proc = NULL;
    }
    s->next_cmd = 0;
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

bool session_open_model(struct gui_session *s, struct model *m, const char *path, char *err,
                        size_t errlen)
{
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

bool session_open(struct gui_session *s, const char *path, char *err, size_t errlen)
{
    struct model_error me;
    struct model *m = model_load(path, &me);
    if (!m) {
        snprintf(err, errlen, "%s", me.text);
        return false;
    }
    return session_open_model(s, m, path, err, errlen);
}

void session_close(struct gui_session *s)
{
    unsigned gen = s->generation;
    cmds_stop(s);
    for (int i = 0; i < s->n_cmds; i++)
        free(s->cmds[i].line);
    free(s->cmds);
    if (s->runner) runner_free(s->runner);
    steps_clear(s);
    free(s->steps);
    free(s->events);
    if (s->model) model_free(s->model);
    if (s->devnull && s->devnull != stderr) fclose(s->devnull);
    free(s->path);
    memset(s, 0, sizeof *s);
    s->generation = gen + 1; /* views built on the old history are stale */
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
    cmds_stop(s);
    runner_free(s->runner);
    s->runner = NULL;
    if (!session_start(s, NULL, 0)) s->ended = true;
}

static void cmd_inject(struct gui_session *s, struct gui_cmd *c)
{
    struct sim *sim = runner_sim(s->runner);
    if (c->node < 0 || (uint32_t)c->node >= sim_node_count(sim)) return;
    c->proc = shell_run(sim, sim_node(sim, (uint32_t)c->node), c->line, NULL, NULL);
}

/* Runs every event up to time t, typing the console commands due on the
 * way. */
static void run_until_injecting(struct gui_session *s, sim_time t)
{
    struct sim *sim = runner_sim(s->runner);
    while (s->next_cmd < s->n_cmds && s->cmds[s->next_cmd].at <= t && !sim_stopped(sim)) {
        struct gui_cmd *c = &s->cmds[s->next_cmd++];
        sim_run_until(sim, c->at);
        cmd_inject(s, c);
    }
    sim_run_until(sim, t);
}

void session_run_to_time(struct gui_session *s, sim_time t)
{
    if (!s->runner) return;
    if (t < s->now) session_restart(s);
    if (!s->runner) return;
    sim_time until = runner_until(s->runner);
    if (t > until) t = until;
    struct sim *sim = runner_sim(s->runner);
    run_until_injecting(s, t);
    s->now = t;
    s->ended = (sim_next_time(sim) > until && s->next_cmd >= s->n_cmds) || sim_stopped(sim);
}

bool session_fill_steps(struct gui_session *s, size_t n)
{
    if (!s->runner) return false;
    struct sim *sim = runner_sim(s->runner);
    sim_time until = runner_until(s->runner);
    while (s->n_steps < n) {
        sim_time next = sim_next_time(sim);
        if (s->next_cmd < s->n_cmds && s->cmds[s->next_cmd].at < next) {
            /* Every event up to the command's time has run: type it. */
            struct gui_cmd *c = &s->cmds[s->next_cmd++];
            sim_run_until(sim, c->at);
            cmd_inject(s, c);
            continue;
        }
        if (next > until || !sim_step(sim)) {
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
    if (!s->runner) return SIM_TIME_MAX;
    sim_time t = sim_next_time(runner_sim(s->runner));
    if (s->next_cmd < s->n_cmds && s->cmds[s->next_cmd].at < t) t = s->cmds[s->next_cmd].at;
    return t;
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

size_t session_type_command(struct gui_session *s, int node, const char *line)
{
    if (!s->runner) return s->n_steps;
    struct sim *sim = runner_sim(s->runner);
    sim_time at = s->now > sim_now(sim) ? s->now : sim_now(sim);
    run_until_injecting(s, at);
    /* Commands typed for a later moment belonged to a future that is now
     * rewritten: forget them. */
    for (int i = s->next_cmd; i < s->n_cmds; i++) {
        shell_proc_free(s->cmds[i].proc);
        free(s->cmds[i].line);
    }
    s->n_cmds = s->next_cmd;
    if (s->n_cmds == s->cap_cmds) {
        s->cap_cmds = s->cap_cmds ? s->cap_cmds * 2 : 8;
        s->cmds = realloc(s->cmds, (size_t)s->cap_cmds * sizeof *s->cmds);
        if (!s->cmds) abort();
    }
    size_t before = s->n_steps;
    struct gui_cmd *c = &s->cmds[s->n_cmds++];
    *c = (struct gui_cmd){at, node, dup_str(line), before, NULL};
    s->next_cmd = s->n_cmds;
    cmd_inject(s, c);
    s->now = at;
    s->ended = false;
    return before;
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

size_t session_steps_upto(const struct gui_session *s, sim_time t)
{
    size_t lo = 0, hi = s->n_steps;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->steps[mid].time <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool session_in_flight(const struct gui_session *s)
{
    /* Only transmits sent within the longest flight time can still be on a
     * wire: scan that window, not the whole history. */
    for (size_t i = session_steps_upto(s, s->now); i-- > 0;) {
        const struct gui_step *st = &s->steps[i];
        if (st->time + s->max_flight < s->now) break;
        if (st->kind == TK_TRANSMIT && st->arrive_time > s->now) return true;
    }
    return false;
}
