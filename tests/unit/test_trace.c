/* test_trace.c - the trace bus (engine/trace.h): trace_on is false with no
 * sinks, sinks get only the levels of their mask, subscribe and unsubscribe
 * (by function and context), the sink limit, seq numbers and time stamps,
 * empty strings for missing texts, trace_note's formatting, and the kind
 * names. */
#include "check.h"
#include "fixture.h"

static void test_masks(void)
{
    struct sim *sim = sim_new(1);
    CHECK(!trace_on(sim, TRACE_FRAMES));
    CHECK(!trace_on(sim, TRACE_LAYERS));
    CHECK(!trace_on(sim, TRACE_OUTPUT));
    CHECK(!trace_on(sim, TRACE_WARN));
    CHECK(!trace_on(sim, TRACE_ALL));
    CHECK_EQ(sim_trace_mask(sim), 0);

    struct fx_log layers = {0}, frames = {0}, all = {0};
    CHECK(trace_subscribe(sim, TRACE_LAYERS, fx_log_sink, &layers));
    CHECK(trace_on(sim, TRACE_LAYERS));
    CHECK(!trace_on(sim, TRACE_FRAMES));
    CHECK(trace_on(sim, TRACE_FRAMES | TRACE_LAYERS));
    CHECK(trace_subscribe(sim, TRACE_FRAMES | TRACE_WARN, fx_log_sink, &frames));
    CHECK_EQ(sim_trace_mask(sim), TRACE_LAYERS | TRACE_FRAMES | TRACE_WARN);
    CHECK(!trace_on(sim, TRACE_OUTPUT));

    struct trace_step st = {.kind = TK_TRANSMIT, .level = TRACE_FRAMES, .summary = "f"};
    trace_emit(sim, &st);
    struct trace_step st2 = {.kind = TK_ENCAP, .level = TRACE_LAYERS, .summary = "l"};
    trace_emit(sim, &st2);
    struct trace_step st3 = {.kind = TK_WARN, .level = TRACE_WARN, .summary = "w"};
    trace_emit(sim, &st3);
    struct trace_step st4 = {.kind = TK_OUTPUT, .level = TRACE_OUTPUT, .summary = "o"};
    trace_emit(sim, &st4); /* nobody listens */
    CHECK_EQ(layers.n, 1);
    CHECK_EQ(frames.n, 2);
    if (layers.n == 1) CHECK_STR(layers.s[0].summary, "l");
    if (frames.n == 2) {
        CHECK_STR(frames.s[0].summary, "f");
        CHECK_STR(frames.s[1].summary, "w");
    }

    /* a sink on all levels sees everything, in order, with rising seq */
    CHECK(trace_subscribe(sim, TRACE_ALL, fx_log_sink, &all));
    sim_run_until(sim, 3 * SIM_MS);
    trace_emit(sim, &st);
    trace_emit(sim, &st2);
    trace_emit(sim, &st4);
    CHECK_EQ(all.n, 3);
    if (all.n == 3) {
        CHECK_EQ(all.s[0].seq, 5); /* four steps were emitted before */
        CHECK_EQ(all.s[1].seq, 6);
        CHECK_EQ(all.s[2].seq, 7);
        CHECK_EQ(all.s[2].time, 3 * SIM_MS);
        CHECK_STR(all.s[2].summary, "o");
        CHECK_STR(all.s[0].proto, ""); /* NULL texts become "" */
        CHECK_STR(all.s[0].why, "");
    }
    CHECK_EQ(st4.seq, 7); /* stamped into the caller's step */
    CHECK_EQ(st4.time, 3 * SIM_MS);
    CHECK_EQ(layers.n, 2);
    CHECK_EQ(frames.n, 3);

    /* unsubscribe removes exactly that (fn, ctx) and recomputes the mask */
    trace_unsubscribe(sim, fx_log_sink, &all);
    CHECK_EQ(sim_trace_mask(sim), TRACE_LAYERS | TRACE_FRAMES | TRACE_WARN);
    trace_unsubscribe(sim, fx_log_sink, &frames);
    CHECK(!trace_on(sim, TRACE_FRAMES));
    CHECK(trace_on(sim, TRACE_LAYERS));
    trace_unsubscribe(sim, fx_log_sink, &all); /* not subscribed: no-op */
    CHECK(trace_on(sim, TRACE_LAYERS));
    trace_emit(sim, &st);
    trace_emit(sim, &st2);
    CHECK_EQ(frames.n, 3);
    CHECK_EQ(all.n, 3);
    CHECK_EQ(layers.n, 3);
    trace_unsubscribe(sim, fx_log_sink, &layers);
    CHECK_EQ(sim_trace_mask(sim), 0);
    trace_emit(sim, &st2);
    CHECK_EQ(layers.n, 3);
    fx_log_free(&layers);
    fx_log_free(&frames);
    fx_log_free(&all);
    sim_free(sim);
}

static int calls[17];
static void counting_sink(void *ctx, const struct trace_step *st)
{
    (void)st;
    calls[(int *)ctx - calls]++;
}

static void test_limit_and_order(void)
{
    struct sim *sim = sim_new(1);
    memset(calls, 0, sizeof calls);
    for (int i = 0; i < 16; i++)
        CHECK(trace_subscribe(sim, TRACE_OUTPUT, counting_sink, &calls[i]));
    CHECK(!trace_subscribe(sim, TRACE_OUTPUT, counting_sink, &calls[16])); /* full */
    struct trace_step st = {.kind = TK_OUTPUT, .level = TRACE_OUTPUT};
    trace_emit(sim, &st);
    int once = 0;
    for (int i = 0; i < 16; i++)
        once += calls[i] == 1;
    CHECK_EQ(once, 16);
    CHECK_EQ(calls[16], 0);
    /* removing one in the middle keeps the others */
    trace_unsubscribe(sim, counting_sink, &calls[5]);
    CHECK(trace_subscribe(sim, TRACE_OUTPUT, counting_sink, &calls[16]));
    trace_emit(sim, &st);
    CHECK_EQ(calls[5], 1);
    CHECK_EQ(calls[4], 2);
    CHECK_EQ(calls[6], 2);
    CHECK_EQ(calls[15], 2);
    CHECK_EQ(calls[16], 1);
    sim_free(sim);
}

static void test_note(void)
{
    struct sim *sim = sim_new(1);
    struct fx_log log = {0};
    struct node *n = node_new(sim, "pc1", NODE_HOST);
    struct iface *e = iface_new(n, "eth0", NULL);
    trace_subscribe(sim, TRACE_OUTPUT | TRACE_LAYERS, fx_log_sink, &log);
    sim_run_until(sim, 2 * SIM_S);
    trace_note(sim, TRACE_LAYERS, TK_STATE, n, e, 3, 77, "ARP", "entry added", "%s is at %d:%s",
               "10.0.0.1", 42, "eth0");
    trace_note(sim, TRACE_OUTPUT, TK_OUTPUT, n, NULL, 7, 0, "", "hello", NULL);
    CHECK_EQ(log.n, 2);
    if (log.n == 2) {
        const struct fx_step *s = &log.s[0];
        CHECK_EQ(s->kind, TK_STATE);
        CHECK_EQ(s->level, TRACE_LAYERS);
        CHECK_EQ(s->layer, 3);
        CHECK_EQ(s->pkt_id, 77);
        CHECK_EQ(s->time, 2 * SIM_S);
        CHECK_EQ(s->seq, 1);
        CHECK_STR(s->where, "pc1:eth0");
        CHECK_STR(s->proto, "ARP");
        CHECK_STR(s->summary, "entry added");
        CHECK_STR(s->why, "10.0.0.1 is at 42:eth0");
        CHECK(s->frame == NULL);
        CHECK_EQ(s->len, 0);
        CHECK_STR(log.s[1].why, ""); /* no why format */
        CHECK_STR(log.s[1].where, "pc1");
        CHECK_EQ(log.s[1].seq, 2);
    }
    /* a long why is cut, not overflowed */
    char big[700];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    struct fx_log raw = {0};
    trace_unsubscribe(sim, fx_log_sink, &log);
    trace_subscribe(sim, TRACE_LAYERS, fx_log_sink, &raw);
    trace_note(sim, TRACE_LAYERS, TK_STATE, n, NULL, 2, 0, "", "s", "%s", big);
    CHECK_EQ(raw.n, 1);
    if (raw.n == 1) CHECK_EQ(strlen(raw.s[0].why), 511);
    fx_log_free(&raw);
    fx_log_free(&log);
    sim_free(sim);
}

static void test_kind_names(void)
{
    CHECK_STR(trace_kind_name(TK_ENCAP), "encapsulate");
    CHECK_STR(trace_kind_name(TK_DECAP), "decapsulate");
    CHECK_STR(trace_kind_name(TK_TRANSMIT), "transmit");
    CHECK_STR(trace_kind_name(TK_RECEIVE), "receive");
    CHECK_STR(trace_kind_name(TK_FORWARD), "forward");
    CHECK_STR(trace_kind_name(TK_DROP), "drop");
    CHECK_STR(trace_kind_name(TK_DELIVER), "deliver");
    CHECK_STR(trace_kind_name(TK_STATE), "state");
    CHECK_STR(trace_kind_name(TK_OUTPUT), "output");
    CHECK_STR(trace_kind_name(TK_WARN), "warning");
    CHECK_STR(trace_kind_name((enum trace_kind)99), "?");
}

int main(void)
{
    test_masks();
    test_limit_and_order();
    test_note();
    test_kind_names();
    return check_done();
}
