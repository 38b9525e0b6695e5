/* trace.h - the trace bus: everything observable is a step.
 *
 * Producers check trace_on() before formatting anything, so a run with no
 * sink listening at a level pays one load and one branch per step site.
 * Levels:
 *   TRACE_FRAMES  every frame put on or taken off a wire (L1), with its bytes
 *                 (pcap writers and the wire log listen here)
 *   TRACE_LAYERS  per-layer steps inside devices (encapsulate, forward, ...),
 *                 with a *why* sentence (the classroom view)
 *   TRACE_OUTPUT  command output and state changes
 *   TRACE_WARN    warnings (storms, budgets)
 * Step strings and frame bytes are valid only during the sink callback.
 */
#ifndef NETSTEP_TRACE_H
#define NETSTEP_TRACE_H

#include "net.h"

enum trace_level {
    TRACE_FRAMES = 1u << 0,
    TRACE_LAYERS = 1u << 1,
    TRACE_OUTPUT = 1u << 2,
    TRACE_WARN = 1u << 3,
    TRACE_ALL = 0xfu,
};

enum trace_kind {
    TK_ENCAP,
    TK_DECAP,
    TK_TRANSMIT,
    TK_RECEIVE,
    TK_FORWARD,
    TK_DROP,
    TK_DELIVER,
    TK_STATE,
    TK_OUTPUT,
    TK_WARN,
};

struct trace_step {
    uint64_t seq;
    sim_time time;
    sim_time wire_time;   /* TK_TRANSMIT: when the first bit leaves */
    sim_time arrive_time; /* TK_TRANSMIT: when the last bit arrives */
    const struct node *node;
    const struct iface *iface;
    const struct iface *peer; /* TK_TRANSMIT: the receiving interface */
    uint8_t layer;            /* OSI 1..7 */
    enum trace_kind kind;
    unsigned level; /* one of enum trace_level */
    uint64_t pkt_id;
    const char *proto;   /* "ARP", "ICMP", ... or "" */
    const char *summary; /* tshark-like one-liner */
    const char *why;     /* one sentence for a student, may be "" */
    const uint8_t *frame;
    uint32_t frame_len;
};

typedef void (*trace_sink_fn)(void *ctx, const struct trace_step *st);

/* Subscribes fn to the levels in mask. Returns false when full. */
bool trace_subscribe(struct sim *sim, unsigned mask, trace_sink_fn fn, void *ctx);
void trace_unsubscribe(struct sim *sim, trace_sink_fn fn, void *ctx);

unsigned sim_trace_mask(const struct sim *sim);
static inline bool trace_on(const struct sim *sim, unsigned level)
{
    return (sim_trace_mask(sim) & level) != 0;
}

/* Stamps seq and time and hands the step to every sink of st->level. */
void trace_emit(struct sim *sim, struct trace_step *st);
/* Convenience for steps without a frame: formats summary and why. Call only
 * under trace_on(). why_fmt may be NULL. */
void trace_note(struct sim *sim, unsigned level, enum trace_kind kind, const struct node *node,
                const struct iface *ifc, uint8_t layer, uint64_t pkt_id, const char *proto,
                const char *summary, const char *why_fmt, ...)
    __attribute__((format(printf, 10, 11)));

const char *trace_kind_name(enum trace_kind k);

#endif
