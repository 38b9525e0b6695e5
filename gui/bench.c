/* bench.c - `netstep-gui --bench`: how long one frame takes to draw on a
 * large network, for scripts/bench (workload GUI).
 *
 * The scenario is generated here, not read from a file: 10 switches with 49
 * hosts each (500 nodes), 240 host pairs pinging each other every 2 ms over
 * 2.2 ms cables, so that about a thousand frames are on the wires at once.
 * It is run to the moment with the most frames in flight past 1,000 (or the
 * most there are), then frames are drawn with the headless software
 * renderer while the simulated time moves on by 1 us per frame, as while
 * playing. Prints one line:
 *   workload=GUI gui_frame_ms=... nodes=500 packets=... width=... height=...
 *
 * A second line measures a long history (issue 3: "the event history of a
 * 10,000-step scenario must not make the GUI sluggish"): one host pings
 * another through a switch 2,000 times, about 44,000 steps; the history is
 * run to the end, then the keys a user presses are fed to the same input
 * handler as the window: End, a frame, Left (step back = replay from time
 * 0), a filter toggled (the filtered list is rebuilt), P (previous event),
 * PgUp (scroll), J to the middle (replay). Each is timed with the frame it
 * causes:
 *   workload=GUI-history steps=... events=... run_ms=... frame_ms=...
 *   step_back_ms=... filter_ms=... prev_event_ms=... scroll_ms=... jump_back_ms=...
 * Benchmarks measure wall time; tests never do. */
#include "gui.h"

#include <stdlib.h>
#include <string.h>

#define BENCH_SWITCHES 10
#define BENCH_HOSTS    49 /* per switch */
#define BENCH_FRAMES   60

struct sbuf {
    char *p;
    size_t len, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap * 2 + (size_t)(n > 0 ? n : 0) + 1024;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
}

static char *bench_scenario(size_t *len)
{
    struct sbuf b = {malloc(65536), 0, 65536};
    if (!b.p) abort();
    sb_printf(&b, "{\"netstep\": 1, \"name\": \"GUI benchmark: 500 nodes\", \"seed\": 1,\n"
                  " \"until\": \"1.1s\",\n \"nodes\": [\n");
    for (int s = 0; s < BENCH_SWITCHES; s++) {
        sb_printf(&b, "  {\"name\": \"sw%d\", \"type\": \"switch\", \"ports\": %d},\n", s,
                  BENCH_HOSTS);
        for (int h = 0; h < BENCH_HOSTS; h++)
            sb_printf(&b,
                      "  {\"name\": \"h%d-%d\", \"type\": \"host\", \"interfaces\": [{\"name\": "
                      "\"eth0\", \"ip\": \"10.%d.0.%d/16\"}]}%s\n",
                      s, h, s, h + 1, s == BENCH_SWITCHES - 1 && h == BENCH_HOSTS - 1 ? "" : ",");
    }
    sb_printf(&b, " ],\n \"links\": [\n");
    for (int s = 0; s < BENCH_SWITCHES; s++)
        for (int h = 0; h < BENCH_HOSTS; h++)
            sb_printf(&b,
                      "  {\"a\": \"h%d-%d:eth0\", \"b\": \"sw%d:%d\", \"delay\": \"2.2ms\", "
                      "\"bandwidth\": \"1Gbps\"}%s\n",
                      s, h, s, h + 1, s == BENCH_SWITCHES - 1 && h == BENCH_HOSTS - 1 ? "" : ",");
    sb_printf(&b, " ],\n \"timeline\": [\n");
    bool first = true;
    for (int s = 0; s < BENCH_SWITCHES; s++)
        for (int h = 0; h + 1 < BENCH_HOSTS; h += 2) {
            sb_printf(&b,
                      "%s  {\"at\": \"1s\", \"node\": \"h%d-%d\", \"run\": \"ping -c 40 -i 0.002 "
                      "10.%d.0.%d\"}",
                      first ? "" : ",\n", s, h, s, h + 2);
            first = false;
        }
    sb_printf(&b, "\n ]\n}\n");
    *len = b.len;
    return b.p;
}

static int in_flight(const struct gui_session *s, sim_time t)
{
    int n = 0;
    for (size_t i = session_steps_upto(s, t); i-- > 0;) {
        const struct gui_step *st = &s->steps[i];
        if (st->time + s->max_flight < t) break;
        if (st->kind == TK_TRANSMIT && st->wire_time <= t && st->arrive_time > t) n++;
    }
    return n;
}

static double ms_since(Uint64 t0)
{
    return (double)(SDL_GetPerformanceCounter() - t0) * 1e3 / (double)SDL_GetPerformanceFrequency();
}

static void bench_key(struct gui *g, SDL_Keycode k)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_KEYDOWN;
    ev.key.keysym.sym = k;
    gui_handle_event(g, &ev);
}

static void bench_text(struct gui *g, const char *t)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_TEXTINPUT;
    snprintf(ev.text.text, sizeof ev.text.text, "%s", t);
    gui_handle_event(g, &ev);
}

/* Time of a key (or keys) and the frame drawn after it, in ms. */
static double bench_keys_frame(struct gui *g, const SDL_Keycode *keys, int n)
{
    Uint64 t0 = SDL_GetPerformanceCounter();
    for (int i = 0; i < n; i++)
        bench_key(g, keys[i]);
    render_frame(g);
    SDL_RenderPresent(g->ren);
    return ms_since(t0);
}

static int bench_history(struct gui *g)
{
    static const char scn[] =
        "{\"netstep\": 1, \"name\": \"GUI benchmark: a long history\", \"seed\": 1,\n"
        " \"nodes\": [{\"name\": \"a\", \"type\": \"host\", \"interfaces\": [{\"name\": "
        "\"eth0\", \"ip\": \"10.0.0.1/24\"}]},\n"
        "  {\"name\": \"b\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", "
        "\"ip\": \"10.0.0.2/24\"}]},\n"
        "  {\"name\": \"sw\", \"type\": \"switch\", \"ports\": 4}],\n"
        " \"links\": [{\"a\": \"a:eth0\", \"b\": \"sw:1\"}, {\"a\": \"b:eth0\", \"b\": "
        "\"sw:2\"}],\n"
        " \"timeline\": [{\"at\": \"1s\", \"node\": \"a\", \"run\": \"ping -c 2000 -i 0.002 "
        "10.0.0.2\"}],\n"
        " \"until\": \"7s\"}\n";
    struct model_error me;
    struct model *m = model_load_json_text("gui-history.json", scn, strlen(scn), &me);
    if (!m) {
        fprintf(stderr, "netstep-gui: history bench scenario: %s\n", me.text);
        return 1;
    }
    char err[600];
    if (!session_open_model(&g->s, m, "gui-history.json", err, sizeof err)) {
        fprintf(stderr, "netstep-gui: history bench scenario: %s\n", err);
        return 1;
    }
    g->cur = -1;
    g->relayout = true;
    render_frame(g);
    static const SDL_Keycode end[] = {SDLK_END}, left[] = {SDLK_LEFT}, icmp[] = {SDLK_2},
                             prev[] = {SDLK_p}, pgup[] = {SDLK_PAGEUP};
    double run_ms = bench_keys_frame(g, end, 1);
    size_t steps = g->s.n_steps, events = g->s.n_events;
    double frame_ms = 0;
    for (int f = 0; f < 20; f++)
        frame_ms += bench_keys_frame(g, NULL, 0) / 20;
    double back_ms = bench_keys_frame(g, left, 1);
    double filter_ms = bench_keys_frame(g, icmp, 1);
    double prev_ms = bench_keys_frame(g, prev, 1);
    double scroll_ms = bench_keys_frame(g, pgup, 1);
    char mid[32];
    sim_time_format(session_until(&g->s) / 2, mid, sizeof mid);
    Uint64 t0 = SDL_GetPerformanceCounter();
    bench_key(g, SDLK_j);
    bench_text(g, mid);
    bench_key(g, SDLK_RETURN);
    render_frame(g);
    SDL_RenderPresent(g->ren);
    double jump_ms = ms_since(t0);
    printf("workload=GUI-history steps=%zu events=%zu run_ms=%.1f frame_ms=%.2f step_back_ms=%.1f "
           "filter_ms=%.2f prev_event_ms=%.1f scroll_ms=%.2f jump_back_ms=%.1f\n",
           steps, events, run_ms, frame_ms, back_ms, filter_ms, prev_ms, scroll_ms, jump_ms);
    return 0;
}

int gui_bench(struct gui *g, int w, int h)
{
    size_t len;
    char *text = bench_scenario(&len);
    struct model_error me;
    struct model *m = model_load_json_text("gui-bench.json", text, len, &me);
    free(text);
    if (!m) {
        fprintf(stderr, "netstep-gui: bench scenario: %s\n", me.text);
        return 1;
    }
    char err[600];
    if (!session_open_model(&g->s, m, "gui-bench.json", err, sizeof err)) {
        fprintf(stderr, "netstep-gui: bench scenario: %s\n", err);
        return 1;
    }
    /* Find the moment: sample every 100 us once the first ARP floods (one
     * broadcast per pair, 11,520 copies) are over and the pings run. */
    sim_time best_t = 0;
    int best = -1;
    for (sim_time t = SIM_S + 12 * SIM_MS; t <= SIM_S + 40 * SIM_MS; t += 100 * SIM_US) {
        session_run_to_time(&g->s, t);
        int n = in_flight(&g->s, t);
        if (n > best) {
            best = n;
            best_t = t;
        }
        if (n >= 1000) break;
    }
    session_run_to_time(&g->s, best_t);
    g->cur = (long)g->s.n_steps - 1;
    g->w = w;
    g->h = h;
    g->surface = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    g->ren = g->surface ? SDL_CreateSoftwareRenderer(g->surface) : NULL;
    if (!g->ren) {
        fprintf(stderr, "netstep-gui: %s\n", SDL_GetError());
        return 1;
    }
    SDL_SetRenderDrawBlendMode(g->ren, SDL_BLENDMODE_BLEND);
    render_frame(g); /* the first frame fills the text cache */
    SDL_RenderPresent(g->ren);
    double total = 0, worst = 0;
    Uint64 freq = SDL_GetPerformanceFrequency();
    for (int f = 0; f < BENCH_FRAMES; f++) {
        Uint64 t0 = SDL_GetPerformanceCounter();
        session_run_to_time(&g->s, g->s.now + SIM_US);
        g->cur = (long)g->s.n_steps - 1;
        render_frame(g);
        SDL_RenderPresent(g->ren);
        double ms = (double)(SDL_GetPerformanceCounter() - t0) * 1e3 / (double)freq;
        total += ms;
        if (ms > worst) worst = ms;
    }
    printf("workload=GUI gui_frame_ms=%.2f gui_frame_max_ms=%.2f fps=%.0f nodes=%d packets=%d "
           "steps=%zu width=%d height=%d\n",
           total / BENCH_FRAMES, worst, 1e3 * BENCH_FRAMES / total, m->n_nodes,
           in_flight(&g->s, g->s.now), g->s.n_steps, w, h);
    fflush(stdout);
    return bench_history(g);
}
