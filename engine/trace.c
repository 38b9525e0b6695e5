/* trace.c - the trace bus: sinks subscribe to levels, producers emit steps.
 * The subscribed levels are kept as one mask so producers can test
 * trace_on() with a single load before they format anything. */
#include "sim_priv.h"

#include <stdarg.h>
#include <stdio.h>

static void trace_recompute(struct sim *sim)
{
    unsigned m = 0;
    for (int i = 0; i < sim->n_sinks; i++)
        m |= sim->sinks[i].mask;
    sim->trace_mask = m;
}

bool trace_subscribe(struct sim *sim, unsigned mask, trace_sink_fn fn, void *ctx)
{
    if (sim->n_sinks == TRACE_MAX_SINKS) return false;
    sim->sinks[sim->n_sinks++] = (struct trace_sink){mask, fn, ctx};
    trace_recompute(sim);
    return true;
}

void trace_unsubscribe(struct sim *sim, trace_sink_fn fn, void *ctx)
{
    for (int i = 0; i < sim->n_sinks; i++) {
        if (sim->sinks[i].fn == fn && sim->sinks[i].ctx == ctx) {
            for (int k = i; k + 1 < sim->n_sinks; k++)
                sim->sinks[k] = sim->sinks[k + 1];
            sim->n_sinks--;
            break;
        }
    }
    trace_recompute(sim);
}

unsigned sim_trace_mask(const struct sim *sim)
{
    return sim->trace_mask;
}

void trace_emit(struct sim *sim, struct trace_step *st)
{
    st->seq = ++sim->trace_seq;
    st->time = sim->now;
    if (!st->proto) st->proto = "";
    if (!st->summary) st->summary = "";
    if (!st->why) st->why = "";
    for (int i = 0; i < sim->n_sinks; i++)
        if (sim->sinks[i].mask & st->level) sim->sinks[i].fn(sim->sinks[i].ctx, st);
}

void trace_note(struct sim *sim, unsigned level, enum trace_kind kind, const struct node *node,
                const struct iface *ifc, uint8_t layer, uint64_t pkt_id, const char *proto,
                const char *summary, const char *why_fmt, ...)
{
    char why[512] = "";
    if (why_fmt) {
        va_list ap;
        va_start(ap, why_fmt);
        vsnprintf(why, sizeof why, why_fmt, ap);
        va_end(ap);
    }
    struct trace_step st = {
        .node = node,
        .iface = ifc,
        .layer = layer,
        .kind = kind,
        .level = level,
        .pkt_id = pkt_id,
        .proto = proto,
        .summary = summary,
        .why = why,
    };
    trace_emit(sim, &st);
}

const char *trace_kind_name(enum trace_kind k)
{
    static const char *const names[] = {
        [TK_ENCAP] = "encapsulate", [TK_DECAP] = "decapsulate", [TK_TRANSMIT] = "transmit",
        [TK_RECEIVE] = "receive",   [TK_FORWARD] = "forward",   [TK_DROP] = "drop",
        [TK_DELIVER] = "deliver",   [TK_STATE] = "state",       [TK_OUTPUT] = "output",
        [TK_WARN] = "warning",
    };
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}
