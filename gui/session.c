/* session.c - a scenario opened in the GUI: its model, a runner driving the
 * sim, and the history of every trace step, kept so the event list and the
 * inspector can show any past moment. Going back in time is a replay from
 * time 0 (same seed, same steps), as `netstep step` does; commands typed on
 * a device console are typed again during the replay at the simulated time
 * they were first typed, after every event up to that time, so the replayed
 * history is the same. Because it is the same, a replay takes back the
 * steps it had already recorded instead of copying and dissecting them
 * again (a sixth of the cost: what is left is mostly the simulation
 * itself), until something typed changes the future.
 *
 * The sim is kept at the moment shown (or just past it: one event can make
 * several steps), so the device tables and console read the live nodes. */
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

/* Where a step's bytes begin. A step carries the packet as its layer sees
 * it: a whole Ethernet frame on the wire and at layer 2, except right after
 * Ethernet was taken off (decapsulate), when the ARP message or IPv4
 * datagram is left; IPv4 and ARP steps at layer 3 carry their own header
 * first (an IPv4 drop may happen before any Ethernet header exists); above
 * that only the payload is left, which the inspector does not start from:
 * it shows the same packet at the last step that had its IPv4 header. */
static int step_start(const struct trace_step *st)
{
    if (!st->frame || !st->frame_len) return -1;
    if (st->kind == TK_TRANSMIT || st->kind == TK_RECEIVE || st->layer <= 1) return DIS_START_ETH;
    if (st->layer == 2 && st->kind != TK_DECAP) return DIS_START_ETH;
    if (st->layer > 3 || !st->proto) return -1;
    if (strcmp(st->proto, "IPv4") != 0 && strcmp(st->proto, "ARP") != 0) return -1;
    /* An ARP step may carry the IPv4 datagram that waited for the answer
     * (dropped when none came): the bytes say which. */
    const uint8_t *b = st->frame;
    if (st->frame_len >= 20 && (b[0] >> 4) == 4) return DIS_START_IPV4;
    if (st->frame_len >= 8 && b[0] == 0 && b[1] == 1 && b[2] == 8 && b[3] == 0)
        return DIS_START_ARP;
    return -1;
}

/* What the history's bookkeeping learns from one more step. */
static void step_account(struct gui_session *s, const struct gui_step *g)
{
    if (step_is_event(g)) {
        grow((void **)&s->events, &s->cap_events, s->n_events + 1, sizeof *s->events);
        s->events[s->n_events++] = (long)s->n_steps - 1;
        s->protos_seen |= 1u << g->gp;
    }
    if (g->kind == TK_TRANSMIT && g->arrive_time - g->time > s->max_flight)
        s->max_flight = g->arrive_time - g->time;
}

/* Frees the steps from index i on, kept ones included. */
static void steps_free_from(struct gui_session *s, size_t i)
{
    size_t end = s->n_kept > s->n_steps ? s->n_kept : s->n_steps;
    for (size_t k = i; k < end; k++) {
        free(s->steps[k].summary);
        free(s->steps[k].why);
        free(s->steps[k].frame);
    }
    s->n_kept = 0;
    if (s->n_steps > i) s->n_steps = i;
}

static void session_sink(void *ctx, const struct trace_step *st)
{
    struct gui_session *s = ctx;
    if (s->muted) return;
    if (s->n_steps < s->n_kept) {
        /* A replay makes the same steps again: take the kept copy. */
        struct gui_step *k = &s->steps[s->n_steps];
        if (k->seq == st->seq && k->time == st->time && k->kind == st->kind &&
            k->layer == st->layer && k->node == (st->node ? (int)st->node->index : -1)) {
            s->n_steps++;
            step_account(s, k);
            return;
        }
        /* Not the same run after all: what was kept is another future. */
        size_t n = s->n_steps;
        steps_free_from(s, n);
    }
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
    g->start = (int8_t)step_start(st);
    g->is_frame = g->start == DIS_START_ETH;
    if (g->start >= 0 &&
        (st->kind == TK_TRANSMIT || st->kind == TK_RECEIVE || st->kind == TK_DROP)) {
        /* The event list speaks tshark: highest protocol and its Info. A
         * drop keeps its own summary (the reason). */
        struct dissection d;
        dissect_packet(st->frame, st->frame_len, (enum dis_start)g->start, &d, false);
        snprintf(g->proto, sizeof g->proto, "%s", d.protocol);
        g->summary = dup_str(st->kind == TK_DROP ? st->summary : d.info);
    } else {
        g->summary = dup_str(st->summary);
    }
    static const uint8_t bcast[6] = {255, 255, 255, 255, 255, 255};
    g->broadcast = g->is_frame && st->frame_len >= 6 && memcmp(st->frame, bcast, 6) == 0;
    g->gp = (uint8_t)proto_index(g->proto);
    step_account(s, g);
}

static void steps_clear(struct gui_session *s)
{
    steps_free_from(s, 0);
    s->n_events = 0;
    s->max_flight = 0;
    s->protos_seen = 0;
    s->generation++;
}

/* Back to time 0 for a replay: the steps are kept, since the replay makes
 * them again (same model, seed and typed lines), and are taken back one by
 * one as it does (session_sink), without copying or dissecting anything. */
static void steps_rewind(struct gui_session *s)
{
    if (s->n_steps > s->n_kept) s->n_kept = s->n_steps;
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
        s->cmds[i].injected = false;
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
    steps_rewind(s);
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
    n.load_opts = s->load_opts;
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
    struct model *m = model_load_with(path, &s->load_opts, &me);
    if (!m) {
        snprintf(err, errlen, "%s", me.text);
        return false;
    }
    return session_open_model(s, m, path, err, errlen);
}

void session_close(struct gui_session *s)
{
    struct model_load_opts lo = s->load_opts;
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
    s->load_opts = lo;
}

struct sim *session_sim(const struct gui_session *s)
{
    return s->runner ? runner_sim(s->runner) : NULL;
}

sim_time session_until(const struct gui_session *s)
{
    return s->runner ? runner_until(s->runner) : 0;
}

const char *session_error(const struct gui_session *s)
{
    return s->runner ? runner_error(s->runner) : "";
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
    c->injected = true;
    if (c->kind == GC_RUN) {
        c->proc = shell_run(sim, sim_node(sim, (uint32_t)c->node), c->line, NULL, NULL);
        return;
    }
    struct shell_proc *p = c->target >= 0 && c->target < s->n_cmds ? s->cmds[c->target].proc : NULL;
    if (!p) return;
    c->out_at = p->out_len;
    if (c->kind == GC_INPUT)
        shell_input(p, c->line);
    else
        shell_interrupt(p);
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

/* Types the console lines whose moment has come: every event up to their
 * time has run, or the history has as many steps as when the line was
 * typed (then the events left up to its time make no steps: when it was
 * typed they had run, and the count was the same). Done right after each
 * event, so a line lands at the same place in the history however the run
 * got there (typed live, replayed step by step, or by time) and its steps
 * exist as soon as the step before them is shown, as when it was typed. */
static void inject_due(struct gui_session *s)
{
    struct sim *sim = runner_sim(s->runner);
    while (s->next_cmd < s->n_cmds && !sim_stopped(sim) &&
           (s->cmds[s->next_cmd].at < sim_next_time(sim) ||
            s->n_steps >= s->cmds[s->next_cmd].at_step)) {
        struct gui_cmd *c = &s->cmds[s->next_cmd++];
        sim_run_until(sim, c->at);
        cmd_inject(s, c);
    }
}

bool session_fill_steps(struct gui_session *s, size_t n)
{
    if (!s->runner) return false;
    struct sim *sim = runner_sim(s->runner);
    sim_time until = runner_until(s->runner);
    inject_due(s);
    while (s->n_steps < n) {
        if (sim_next_time(sim) > until || !sim_step(sim)) {
            s->ended = true;
            return false;
        }
        inject_due(s);
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

int session_running(const struct gui_session *s, int node, bool reads_input)
{
    for (int i = s->next_cmd; i-- > 0;) {
        const struct gui_cmd *c = &s->cmds[i];
        if (c->node != node || c->kind != GC_RUN || !c->proc || c->proc->done) continue;
        if (!reads_input || c->proc->input) return i;
    }
    return -1;
}

/* Runs every event up to the shown moment, forgets what was typed for a
 * later moment, and returns the time a line typed now is recorded at. */
static sim_time type_prepare(struct gui_session *s)
{
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
    /* So does a history kept from before a replay, past this moment. */
    if (s->n_kept > s->n_steps) steps_free_from(s, s->n_steps);
    return at;
}

static size_t type_record(struct gui_session *s, sim_time at, int node, enum gui_cmd_kind kind,
                          int target, const char *line)
{
    if (s->n_cmds == s->cap_cmds) {
        s->cap_cmds = s->cap_cmds ? s->cap_cmds * 2 : 8;
        s->cmds = realloc(s->cmds, (size_t)s->cap_cmds * sizeof *s->cmds);
        if (!s->cmds) abort();
    }
    size_t before = s->n_steps;
    struct gui_cmd *c = &s->cmds[s->n_cmds++];
    *c = (struct gui_cmd){.at = at,
                          .node = node,
                          .kind = kind,
                          .target = target,
                          .line = dup_str(line),
                          .at_step = before};
    s->next_cmd = s->n_cmds;
    cmd_inject(s, c);
    s->now = at;
    s->ended = false;
    return before;
}

size_t session_type_command(struct gui_session *s, int node, const char *line)
{
    if (!s->runner) return s->n_steps;
    sim_time at = type_prepare(s);
    int target = session_running(s, node, true);
    return type_record(s, at, node, target >= 0 ? GC_INPUT : GC_RUN, target, line);
}

bool session_interrupt(struct gui_session *s, int node)
{
    if (!s->runner) return false;
    sim_time at = type_prepare(s);
    int target = session_running(s, node, false);
    if (target < 0) return false;
    type_record(s, at, node, GC_INTERRUPT, target, "^C");
    return true;
}

sim_time session_auto_time(struct gui_session *s)
{
    session_run_to_time(s, session_until(s));
    /* The ARP that opens most scenarios is the least interesting frame: the
     * first IPv4 one (a ping, a DNS query, a SYN, a DHCP discover) shows
     * what the scenario is about. */
    const struct gui_step *any = NULL, *ip = NULL;
    for (size_t i = 0; i < s->n_steps && !ip; i++) {
        const struct gui_step *st = &s->steps[i];
        if (st->kind != TK_TRANSMIT || st->arrive_time <= st->wire_time) continue;
        if (!any) any = st;
        if (st->is_frame && st->frame_len > 14 && st->frame[12] == 0x08 && st->frame[13] == 0x00)
            ip = st;
    }
    const struct gui_step *pick = ip ? ip : any;
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
