/* shell.c - the host shell's commands, each a process in simulated time.
 * See shell.h. Output formats follow iputils ping, traceroute, net-tools
 * arp and iproute2 ip on hosts, and Cisco IOS show commands on switches and
 * routers, so that what students read here is what they meet in real labs. */
#include "shell_priv.h"
#include "shell_tls.h"
#include "protocols/arp.h"
#include "protocols/icmp.h"
#include "protocols/ip4.h"
#include "protocols/l2switch.h"
#include "protocols/udp.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- process plumbing ---- */

static void proc_append(struct shell_proc *p, const char *s, size_t n)
{
    if (p->out_len + n + 1 > p->out_cap) {
        size_t cap = p->out_cap ? p->out_cap : 256;
        while (cap < p->out_len + n + 1)
            cap *= 2;
        char *o = realloc(p->out, cap);
        if (!o) abort();
        p->out = o;
        p->out_cap = cap;
    }
    memcpy(p->out + p->out_len, s, n);
    p->out_len += n;
    p->out[p->out_len] = 0;
}

/* Publishes the output not yet on the trace bus, one TK_OUTPUT step per
 * line without its newline. A last piece without a newline goes too when
 * `partial` (printf-style output and the end of the process); raw data
 * (what a server sent, in segments that cut lines anywhere) waits for its
 * line to be complete, so a terminal shows whole lines. */
static void proc_publish(struct shell_proc *p, bool partial)
{
    size_t end = p->out_len;
    if (!partial)
        while (end > p->out_pub && p->out[end - 1] != '\n')
            end--;
    size_t from = p->out_pub;
    p->out_pub = end;
    if (end == from || !trace_on(p->sim, TRACE_OUTPUT)) return;
    char *buf = malloc(end - from + 1);
    if (!buf) abort();
    memcpy(buf, p->out + from, end - from);
    buf[end - from] = 0;
    for (size_t at = 0; at < end - from;) {
        char *nl = memchr(buf + at, '\n', end - from - at);
        size_t stop = nl ? (size_t)(nl - buf) : end - from;
        buf[stop] = 0;
        struct trace_step st = {
            .node = p->node,
            .layer = 7,
            .kind = TK_OUTPUT,
            .level = TRACE_OUTPUT,
            .proto = "",
            .summary = buf + at,
            .why = "",
        };
        trace_emit(p->sim, &st);
        at = stop + 1;
    }
    free(buf);
}

void proc_write(struct shell_proc *p, const char *s, size_t n)
{
    proc_append(p, s, n);
    proc_publish(p, false);
}

void proc_printf(struct shell_proc *p, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof buf) n = sizeof buf - 1;
    proc_append(p, buf, (size_t)n);
    proc_publish(p, true);
}

void proc_exit(struct shell_proc *p, int code)
{
    if (p->done) return;
    proc_publish(p, true);
    p->done = true;
    p->exit_code = code;
    if (p->on_done) p->on_done(p->ctx, p);
}

void shell_interrupt(struct shell_proc *p)
{
    if (!p->done && p->finish) p->finish(p);
    proc_exit(p, p->exit_code);
}

bool shell_input(struct shell_proc *p, const char *line)
{
    if (p->done || !p->input) return false;
    p->input(p, line);
    return true;
}

void shell_proc_free(struct shell_proc *p)
{
    if (!p) return;
    if (p->free_state) p->free_state(p->state);
    free(p->cmdline);
    free(p->out);
    free(p);
}

int shell_split(char *buf, char **argv, int max)
{
    int n = 0;
    char *r = buf, *w = buf;
    for (;;) {
        while (*r && isspace((unsigned char)*r))
            r++;
        if (!*r) return n;
        if (n == max) return -1;
        argv[n++] = w;
        while (*r && !isspace((unsigned char)*r)) {
            if (*r == '"' || *r == '\'') {
                char q = *r++;
                while (*r && *r != q)
                    *w++ = *r++;
                if (!*r) return -1;
                r++;
            } else {
                *w++ = *r++;
            }
        }
        if (*r) r++;
        *w++ = 0;
    }
}

bool shell_resolve(struct sim *sim, const char *name, uint32_t *addr)
{
    if (ip4_parse_addr(name, addr)) return true;
    struct node *n = sim_find_node(sim, name);
    if (!n) return false;
    for (uint32_t i = 0; i < n->n_ifaces; i++)
        if (n->ifaces[i]->n_addr) {
            *addr = n->ifaces[i]->addr[0];
            return true;
        }
    return false;
}

bool shell_is_l3(const struct node *n)
{
    return n->kind == NODE_HOST || n->kind == NODE_SERVER || n->kind == NODE_ROUTER;
}

bool shell_parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi) return false;
    *out = v;
    return true;
}

/* iputils' way of printing a time in ms with 3 significant-ish decimals */
void shell_fmt_ms(char *buf, size_t len, sim_time t)
{
    long us = (long)(t / 1000);
    if (us >= 100000)
        snprintf(buf, len, "%ld", us / 1000);
    else if (us >= 10000)
        snprintf(buf, len, "%ld.%01ld", us / 1000, us % 1000 / 100);
    else if (us >= 1000)
        snprintf(buf, len, "%ld.%02ld", us / 1000, us % 1000 / 10);
    else
        snprintf(buf, len, "%ld.%03ld", us / 1000, us % 1000);
}

static uint16_t pick_echo_id(struct netstack *st, struct node *node)
{
    for (;;) {
        uint16_t id = (uint16_t)rng_next(&node->rng);
        bool used = id == 0;
        for (int i = 0; i < st->n_subs && !used; i++)
            used = st->subs[i].id == id;
        if (!used) return id;
    }
}

/* Text of an ICMP error for ping's "From X icmp_seq=N ..." lines. */
static const char *ping_error_text(uint8_t type, uint8_t code, uint32_t rest, char *buf, size_t len)
{
    if (type == ICMP_TIME_EXCEEDED)
        return code == ICMP_EXC_TTL ? "Time to live exceeded" : "Frag reassembly time exceeded";
    switch (code) {
    case ICMP_NET_UNREACH:
        return "Destination Net Unreachable";
    case ICMP_HOST_UNREACH:
        return "Destination Host Unreachable";
    case ICMP_PROTO_UNREACH:
        return "Destination Protocol Unreachable";
    case ICMP_PORT_UNREACH:
        return "Destination Port Unreachable";
    case ICMP_FRAG_NEEDED:
        snprintf(buf, len, "Frag needed and DF set (mtu = %u)", rest & 0xffff);
        return buf;
    }
    snprintf(buf, len, "Dest Unreachable, Bad Code: %u", code);
    return buf;
}

/* The echo request an ICMP error quotes: its sequence number, or -1. */
static int quoted_echo_seq(const uint8_t *icmp, size_t len)
{
    if (len < ICMP_HDR_LEN + 28) return -1;
    const uint8_t *q = icmp + ICMP_HDR_LEN;
    size_t ihl = (size_t)(q[0] & 0x0f) * 4;
    if (ihl < 20 || len < ICMP_HDR_LEN + ihl + 8) return -1;
    return get_be16(q + ihl + 6);
}

/* ---- ping ---- */

struct ping {
    struct shell_proc *proc;
    struct netstack *st;
    char target[64];
    uint32_t dst;
    bool by_name;
    bool by_dns;                 /* resolved by DNS: no reverse lookup, the address twice */
    struct shell_lookup *lookup; /* the name being resolved */
    uint16_t id;
    uint64_t count; /* 0 = until interrupted */
    sim_time interval;
    uint32_t size;
    uint8_t ttl;
    bool quiet;
    int fixed_id; /* -e: the echo identifier to use; -1 = pick one */
    uint64_t sent, received, errors;
    sim_time start, tmin, tmax;
    double tsum, tsum2;
    sim_time *sent_at;  /* by wire sequence number, -1 once answered; grows with */
    uint32_t n_sent_at; /* the sequence numbers used (one slot per echo sent) */
    struct sim_timer timer;
    bool subscribed;
};

static void ping_free(void *s)
{
    struct ping *pg = s;
    if (!pg) return;
    sim_cancel(pg->proc->sim, &pg->timer);
    shell_lookup_cancel(pg->lookup);
    if (pg->subscribed) icmp_unsubscribe(pg->st, pg->id);
    free(pg->sent_at);
    free(pg);
}

static void ping_stats(struct shell_proc *p)
{
    struct ping *pg = p->state;
    sim_cancel(p->sim, &pg->timer);
    if (pg->subscribed) {
        icmp_unsubscribe(pg->st, pg->id);
        pg->subscribed = false;
    }
    long ms = (long)((sim_now(p->sim) - pg->start + SIM_MS / 2) / SIM_MS); /* rounded */
    proc_printf(p, "\n--- %s ping statistics ---\n", pg->target);
    char errs[48] = "";
    if (pg->errors) snprintf(errs, sizeof errs, ", +%llu errors", (unsigned long long)pg->errors);
    /* iputils prints the loss as a float with %g: "33.3333% packet loss" */
    double loss =
        pg->sent ? (float)(((double)pg->sent - (double)pg->received) * 100.0 / (double)pg->sent)
                 : 0;
    proc_printf(p, "%llu packets transmitted, %llu received%s, %g%% packet loss, time %ldms\n",
                (unsigned long long)pg->sent, (unsigned long long)pg->received, errs, loss, ms);
    if (pg->received) {
        double n = (double)pg->received;
        double avg = pg->tsum / n;
        double mdev = sqrt(fmax(pg->tsum2 / n - avg * avg, 0));
        proc_printf(p, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", (double)pg->tmin / 1e6,
                    avg / 1e6, (double)pg->tmax / 1e6, mdev / 1e6);
    }
    p->exit_code = pg->received ? 0 : 1;
}

static void ping_done(struct shell_proc *p)
{
    ping_stats(p);
    proc_exit(p, p->exit_code);
}

static void ping_linger_end(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct shell_proc *p = ctx;
    ((struct ping *)p->state)->timer = (struct sim_timer){0, 0};
    ping_done(p);
}

static void ping_send(struct sim *sim, void *ctx, uint64_t arg);

static void ping_after_send(struct shell_proc *p)
{
    struct ping *pg = p->state;
    if (!pg->count || pg->sent < pg->count) {
        pg->timer = sim_schedule(p->sim, pg->interval, ping_send, p, 0);
        return;
    }
    /* iputils: after the last request, wait twice the longest round trip
     * seen, or 10 s when nothing came back. */
    sim_time wait = pg->received ? 2 * pg->tmax : 10 * SIM_S;
    if (wait < SIM_MS) wait = SIM_MS;
    pg->timer = sim_schedule(p->sim, wait, ping_linger_end, p, 0);
}

static void ping_check_complete(struct shell_proc *p)
{
    struct ping *pg = p->state;
    if (pg->count && pg->sent == pg->count && pg->received + pg->errors >= pg->count) ping_done(p);
}

/* The send time of echo seq, or -1 (answered, or never sent). */
static sim_time ping_sent_at(const struct ping *pg, uint16_t seq)
{
    return seq < pg->n_sent_at ? pg->sent_at[seq] : -1;
}

static void ping_mark(struct ping *pg, uint16_t seq, sim_time t)
{
    if (seq >= pg->n_sent_at) {
        if (t < 0) return;
        uint32_t n = pg->n_sent_at ? pg->n_sent_at : 16;
        while (n <= seq)
            n *= 2;
        sim_time *a = realloc(pg->sent_at, n * sizeof *a);
        if (!a) abort();
        for (uint32_t i = pg->n_sent_at; i < n; i++)
            a[i] = -1;
        pg->sent_at = a;
        pg->n_sent_at = n;
    }
    pg->sent_at[seq] = t;
}

static void ping_send(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct shell_proc *p = ctx;
    struct ping *pg = p->state;
    pg->timer = (struct sim_timer){0, 0};
    uint16_t seq = (uint16_t)(pg->sent + 1);
    ping_mark(pg, seq, sim_now(sim));
    pg->sent++;
    int rc = icmp_send_echo(pg->st, pg->dst, pg->id, seq, pg->ttl, pg->size);
    if (rc == IP4_NO_ROUTE && pg->sent == 1) {
        proc_printf(p, "ping: connect: Network is unreachable\n");
        pg->sent = 0;
        if (pg->subscribed) {
            icmp_unsubscribe(pg->st, pg->id);
            pg->subscribed = false;
        }
        proc_exit(p, 2);
        return;
    }
    if (rc == IP4_TOO_BIG) {
        proc_printf(p, "ping: local error: message too long, mtu=%u\n",
                    iface_mtu(pg->st->node->ifaces[0]));
        pg->errors++;
    }
    ping_after_send(p);
}

static void ping_icmp(void *ctx, struct netstack *st, const struct pkt *pk, uint32_t src,
                      uint8_t ttl, const uint8_t *icmp, size_t len)
{
    (void)st;
    (void)pk;
    struct shell_proc *p = ctx;
    struct ping *pg = p->state;
    if (p->done) return;
    char a[16], who[96];
    ip4_str(src, a);
    if (pg->by_name && src == pg->dst)
        snprintf(who, sizeof who, "%s (%s)", pg->by_dns ? a : pg->target, a);
    else
        snprintf(who, sizeof who, "%s", a);
    if (icmp[0] == ICMP_ECHO_REPLY) {
        uint16_t seq = get_be16(icmp + 6);
        sim_time t0 = ping_sent_at(pg, seq);
        bool dup = t0 < 0;
        sim_time rtt = dup ? 0 : sim_now(p->sim) - t0;
        if (!dup) {
            pg->received++;
            ping_mark(pg, seq, -1);
            if (pg->received == 1 || rtt < pg->tmin) pg->tmin = rtt;
            if (rtt > pg->tmax) pg->tmax = rtt;
            pg->tsum += (double)rtt;
            pg->tsum2 += (double)rtt * (double)rtt;
        }
        if (!pg->quiet) {
            char ms[32];
            shell_fmt_ms(ms, sizeof ms, rtt);
            proc_printf(p, "%zu bytes from %s: icmp_seq=%u ttl=%u time=%s ms%s\n", len, who, seq,
                        ttl, ms, dup ? " (DUP!)" : "");
        }
    } else {
        int seq = quoted_echo_seq(icmp, len);
        if (seq < 0) return;
        pg->errors++;
        ping_mark(pg, (uint16_t)seq, -1);
        char buf[64];
        if (!pg->quiet)
            proc_printf(p, "From %s icmp_seq=%d %s\n", who, seq,
                        ping_error_text(icmp[0], icmp[1], get_be32(icmp + 4), buf, sizeof buf));
    }
    ping_check_complete(p);
}

static void ping_resolved(struct shell_proc *p, enum shell_res how, uint32_t addr);

static void cmd_ping(struct shell_proc *p, int argc, char **argv)
{
    struct netstack *st = node_stack(p->node);
    struct ping *pg = calloc(1, sizeof *pg);
    if (!pg) abort();
    pg->proc = p;
    pg->st = st;
    pg->interval = SIM_S;
    pg->size = 56;
    pg->fixed_id = -1;
    p->state = pg;
    p->free_state = ping_free;
    const char *target = NULL;
    for (int i = 1; i < argc; i++) {
        double v;
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (strcmp(a, "-c") == 0 && has_val && shell_parse_num(argv[i + 1], 1, 1e9, &v)) {
            pg->count = (uint64_t)v;
            i++;
        } else if (strcmp(a, "-i") == 0 && has_val &&
                   shell_parse_num(argv[i + 1], 1e-6, 3600, &v)) {
            pg->interval = (sim_time)llround(v * 1e9);
            i++;
        } else if (strcmp(a, "-s") == 0 && has_val && shell_parse_num(argv[i + 1], 0, 65507, &v)) {
            pg->size = (uint32_t)v;
            i++;
        } else if (strcmp(a, "-t") == 0 && has_val && shell_parse_num(argv[i + 1], 1, 255, &v)) {
            pg->ttl = (uint8_t)v;
            i++;
        } else if (strcmp(a, "-e") == 0 && has_val && shell_parse_num(argv[i + 1], 0, 65535, &v)) {
            pg->fixed_id = (int)v; /* iputils -e: the identifier, e.g. to test NAT */
            i++;
        } else if (strcmp(a, "-q") == 0) {
            pg->quiet = true;
        } else if (a[0] == '-') {
            proc_printf(p,
                        "ping: invalid argument: '%s'\nUsage: ping [-c count] [-i interval] "
                        "[-s packetsize] [-t ttl] [-q] destination\n",
                        has_val && strchr("ciste", a[1]) && a[1] && !a[2] ? argv[i + 1] : a);
            proc_exit(p, 2);
            return;
        } else {
            target = a;
        }
    }
    if (!target) {
        proc_printf(p, "ping: usage error: Destination address required\n");
        proc_exit(p, 2);
        return;
    }
    snprintf(pg->target, sizeof pg->target, "%s", target);
    pg->lookup = shell_resolve_async(p, pg->target, ping_resolved);
}

/* The rest of ping, once the destination's address is known. */
static void ping_resolved(struct shell_proc *p, enum shell_res how, uint32_t addr)
{
    struct ping *pg = p->state;
    struct netstack *st = pg->st;
    const char *target = pg->target;
    pg->lookup = NULL;
    if (p->done) return;
    if (how >= SHELL_RES_NOTFOUND) {
        proc_printf(p, "ping: %s: %s\n", target, shell_res_error(how));
        proc_exit(p, 2);
        return;
    }
    pg->dst = addr;
    pg->by_dns = how == SHELL_RES_DNS;
    /* iputils connects its socket first, so a missing route is reported
     * before the PING line is printed. */
    if (pg->dst != 0xffffffffu && !stack_is_local(st, pg->dst) && !route_lookup(&st->rt, pg->dst)) {
        proc_printf(p, "ping: connect: Network is unreachable\n");
        proc_exit(p, 2);
        return;
    }
    pg->by_name = !ip4_parse_addr(target, &(uint32_t){0});
    pg->id = pg->fixed_id >= 0 ? (uint16_t)pg->fixed_id : pick_echo_id(st, p->node);
    for (int i = 0; pg->fixed_id >= 0 && i < st->n_subs; i++)
        if (st->subs[i].id == pg->id) {
            proc_printf(p, "ping: identifier %d is in use by another ping\n", pg->fixed_id);
            proc_exit(p, 2);
            return;
        }
    if (icmp_subscribe(st, pg->id, ping_icmp, p) < 0) {
        proc_printf(p, "ping: socket: Too many open files\n");
        proc_exit(p, 2);
        return;
    }
    pg->subscribed = true;
    char a[16];
    proc_printf(p, "PING %s (%s) %u(%u) bytes of data.\n", target, ip4_str(pg->dst, a), pg->size,
                pg->size + 28);
    pg->start = sim_now(p->sim);
    p->finish = ping_stats;
    ping_send(p->sim, p, 0);
}

/* ---- traceroute ----
 * Like Linux traceroute: UDP probes to port 33434 and up (one port per
 * probe, so an answer says which probe it is about), 3 per hop, TTL 1, 2,
 * ...; a router that drops a probe for its TTL answers time exceeded, the
 * destination answers port unreachable. -I sends ICMP echo probes instead. */

#define TRACE_BASE_PORT 33434

struct trace {
    struct shell_proc *proc;
    struct netstack *st;
    struct udp_sock *sock; /* UDP probes; NULL with -I */
    uint32_t dst;
    uint16_t id, seq;
    int hop, probe, max_hops, nprobes;
    sim_time wait, sent_at;
    uint32_t last_addr;
    bool reached;
    char line[512];
    struct sim_timer timer;
    bool subscribed;
    bool icmp_probes;
    char target[64];
    struct shell_lookup *lookup; /* the name being resolved */
};

static void trace_free(void *s)
{
    struct trace *tr = s;
    if (!tr) return;
    sim_cancel(tr->proc->sim, &tr->timer);
    shell_lookup_cancel(tr->lookup);
    if (tr->subscribed) icmp_unsubscribe(tr->st, tr->id);
    udp_close(tr->sock);
    free(tr);
}

static void trace_probe(struct shell_proc *p);

static void trace_append(struct trace *tr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void trace_append(struct trace *tr, const char *fmt, ...)
{
    size_t n = strlen(tr->line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tr->line + n, sizeof tr->line - n, fmt, ap);
    va_end(ap);
}

static void trace_end(struct shell_proc *p)
{
    struct trace *tr = p->state;
    sim_cancel(p->sim, &tr->timer);
    if (tr->subscribed) {
        icmp_unsubscribe(tr->st, tr->id);
        tr->subscribed = false;
    }
    udp_close(tr->sock);
    tr->sock = NULL;
    proc_exit(p, 0);
}

static void trace_next(struct shell_proc *p)
{
    struct trace *tr = p->state;
    if (++tr->probe < tr->nprobes) {
        trace_probe(p);
        return;
    }
    proc_printf(p, "%s\n", tr->line);
    if (tr->reached || tr->hop >= tr->max_hops) {
        trace_end(p);
        return;
    }
    tr->hop++;
    tr->probe = 0;
    tr->last_addr = 0;
    trace_probe(p);
}

static void trace_timeout(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct shell_proc *p = ctx;
    struct trace *tr = p->state;
    tr->timer = (struct sim_timer){0, 0};
    trace_append(tr, " *");
    trace_next(p);
}

static void trace_probe(struct shell_proc *p)
{
    struct trace *tr = p->state;
    if (tr->probe == 0) snprintf(tr->line, sizeof tr->line, "%2d ", tr->hop);
    tr->seq++;
    tr->sent_at = sim_now(p->sim);
    tr->timer = sim_schedule(p->sim, tr->wait, trace_timeout, p, 0);
    if (!tr->sock) {
        icmp_send_echo(tr->st, tr->dst, tr->id, tr->seq, (uint8_t)tr->hop, 32);
        return;
    }
    /* Linux traceroute's 32 data bytes: '@', 'A', 'B', ... */
    uint8_t data[32];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(0x40 + i);
    struct udp_send_opts o = {.ttl = (uint8_t)tr->hop};
    udp_sendto(tr->sock, tr->dst, (uint16_t)(TRACE_BASE_PORT + tr->seq - 1), data, sizeof data, &o);
}

/* An answer to probe `seq`: from `src`, ICMP type and code. */
static void trace_answer(struct shell_proc *p, int seq, uint32_t src, uint8_t type, uint8_t code)
{
    struct trace *tr = p->state;
    if (p->done || seq != tr->seq || !sim_timer_pending(p->sim, tr->timer))
        return; /* a late answer to an earlier probe */
    sim_cancel(p->sim, &tr->timer);
    char a[16], ms[32];
    if (src != tr->last_addr) {
        trace_append(tr, " %s (%s)", ip4_str(src, a), a);
        tr->last_addr = src;
    }
    snprintf(ms, sizeof ms, "%.3f", (double)(sim_now(p->sim) - tr->sent_at) / 1e6);
    trace_append(tr, "  %s ms", ms);
    if (type == ICMP_ECHO_REPLY) {
        tr->reached = true;
    } else if (type == ICMP_DEST_UNREACH) {
        static const char *const marks[] = {"!N", "!H", "!P", "", "!F"};
        const char *mark = code < 5 ? marks[code] : "!X";
        if (*mark) trace_append(tr, " %s", mark);
        tr->reached = true;
    }
    trace_next(p);
}

static void trace_icmp(void *ctx, struct netstack *st, const struct pkt *pk, uint32_t src,
                       uint8_t ttl, const uint8_t *icmp, size_t len)
{
    (void)st;
    (void)pk;
    (void)ttl;
    int seq = icmp[0] == ICMP_ECHO_REPLY ? get_be16(icmp + 6) : quoted_echo_seq(icmp, len);
    trace_answer(ctx, seq, src, icmp[0], icmp[1]);
}

static void trace_udp_error(void *ctx, struct udp_sock *s, uint32_t from, uint8_t type,
                            uint8_t code, uint32_t dst, uint16_t dport, const struct pkt *icmp_pkt)
{
    (void)s;
    (void)dst;
    (void)icmp_pkt;
    trace_answer(ctx, dport - TRACE_BASE_PORT + 1, from, type, code);
}

static void trace_resolved(struct shell_proc *p, enum shell_res how, uint32_t addr);

static void cmd_traceroute(struct shell_proc *p, int argc, char **argv)
{
    struct netstack *st = node_stack(p->node);
    struct trace *tr = calloc(1, sizeof *tr);
    if (!tr) abort();
    tr->proc = p;
    tr->st = st;
    tr->max_hops = 30;
    tr->nprobes = 3;
    tr->wait = 5 * SIM_S;
    p->state = tr;
    p->free_state = trace_free;
    const char *target = NULL;
    bool icmp_probes = false;
    for (int i = 1; i < argc; i++) {
        double v;
        if (strcmp(argv[i], "-m") == 0 && i + 1 < argc &&
            shell_parse_num(argv[i + 1], 1, 255, &v)) {
            tr->max_hops = (int)v;
            i++;
        } else if (strcmp(argv[i], "-q") == 0 && i + 1 < argc &&
                   shell_parse_num(argv[i + 1], 1, 10, &v)) {
            tr->nprobes = (int)v;
            i++;
        } else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc &&
                   shell_parse_num(argv[i + 1], 0.001, 60, &v)) {
            tr->wait = (sim_time)llround(v * 1e9);
            i++;
        } else if (strcmp(argv[i], "-I") == 0) {
            icmp_probes = true;
        } else if (strcmp(argv[i], "-U") == 0 || strcmp(argv[i], "-n") == 0) {
            /* UDP probes and numeric output are what we do anyway */
        } else if (argv[i][0] == '-') {
            proc_printf(p, "Bad option `%s' (argc %d)\n", argv[i], i);
            proc_exit(p, 2);
            return;
        } else {
            target = argv[i];
        }
    }
    if (!target) {
        proc_printf(p, "Usage: traceroute [-I] [-m max_ttl] [-q nqueries] [-w waittime] host\n");
        proc_exit(p, 2);
        return;
    }
    tr->icmp_probes = icmp_probes;
    snprintf(tr->target, sizeof tr->target, "%s", target);
    tr->lookup = shell_resolve_async(p, tr->target, trace_resolved);
}

/* The rest of traceroute, once the destination's address is known. */
static void trace_resolved(struct shell_proc *p, enum shell_res how, uint32_t addr)
{
    struct trace *tr = p->state;
    struct netstack *st = tr->st;
    const char *target = tr->target;
    bool icmp_probes = tr->icmp_probes;
    tr->lookup = NULL;
    if (p->done) return;
    if (how >= SHELL_RES_NOTFOUND) {
        proc_printf(p, "%s: %s\nCannot handle \"host\" cmdline arg `%s' on position 1 (argc 1)\n",
                    target, shell_res_error(how), target);
        proc_exit(p, 2);
        return;
    }
    tr->dst = addr;
    if (!route_lookup(&st->rt, tr->dst) && !stack_is_local(st, tr->dst)) {
        proc_printf(p, "connect: Network is unreachable\n");
        proc_exit(p, 2);
        return;
    }
    if (icmp_probes) {
        tr->id = pick_echo_id(st, p->node);
        tr->subscribed = icmp_subscribe(st, tr->id, trace_icmp, p) == 0;
    } else {
        tr->sock = udp_open(st, 0, 0, NULL, p);
        if (tr->sock) udp_set_error_cb(tr->sock, trace_udp_error);
    }
    if (!tr->subscribed && !tr->sock) {
        proc_printf(p, "socket: Too many open files\n");
        proc_exit(p, 2);
        return;
    }
    char a[16];
    proc_printf(p, "traceroute to %s (%s), %d hops max, 60 byte packets\n", target,
                ip4_str(tr->dst, a), tr->max_hops);
    tr->hop = 1;
    p->finish = NULL;
    trace_probe(p);
}

/* ---- tables ---- */

static void cisco_mac(const uint8_t *m, char *buf)
{
    sprintf(buf, "%02x%02x.%02x%02x.%02x%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void cmd_arp(struct shell_proc *p, int argc, char **argv)
{
    struct netstack *st = node_stack(p->node);
    bool table = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0)
            table = true;
        else if (strcmp(argv[i], "-a") != 0 && strcmp(argv[i], "-an") != 0 &&
                 strcmp(argv[i], "-na") != 0) {
            proc_printf(p, "arp: invalid option -- '%s'\nUsage: arp [-a] [-n]\n", argv[i]);
            proc_exit(p, 2);
            return;
        }
    }
    sim_time now = sim_now(p->sim);
    if (table)
        proc_printf(p, "Address                  HWtype  HWaddress           Flags Mask      "
                       "      Iface\n");
    for (uint32_t i = 0; i < arp_count(st); i++) {
        const struct arp_entry *e = arp_entry_at(st, i);
        bool valid = e->state == ARP_REACHABLE && e->expires > now;
        if (!valid && e->state != ARP_INCOMPLETE) continue;
        char a[16], m[18];
        ip4_str(e->ip, a);
        if (table) {
            if (valid)
                proc_printf(p, "%-24s ether   %-19s C                     %s\n", a,
                            mac_str(e->mac, m), e->ifc->name);
            else
                proc_printf(p, "%-24s         (incomplete)                              %s\n", a,
                            e->ifc->name);
        } else if (valid) {
            proc_printf(p, "? (%s) at %s [ether] on %s\n", a, mac_str(e->mac, m), e->ifc->name);
        } else {
            proc_printf(p, "? (%s) at <incomplete> on %s\n", a, e->ifc->name);
        }
    }
    proc_exit(p, 0);
}

static void cmd_ip(struct shell_proc *p, int argc, char **argv)
{
    struct netstack *st = node_stack(p->node);
    const char *obj = argc > 1 ? argv[1] : "";
    char a[16], b[16], m[18];
    if (strncmp(obj, "addr", 4) == 0 || strcmp(obj, "a") == 0) {
        proc_printf(p, "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN "
                       "group default qlen 1000\n"
                       "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
                       "    inet 127.0.0.1/8 scope host lo\n"
                       "       valid_lft forever preferred_lft forever\n");
        for (uint32_t i = 0; i < p->node->n_ifaces; i++) {
            struct iface *ifc = p->node->ifaces[i];
            bool carrier = ifc->up && ifc->link && ifc->link->up;
            proc_printf(p,
                        "%u: %s: <BROADCAST,MULTICAST%s> mtu %u qdisc fq_codel state %s group "
                        "default qlen 1000\n"
                        "    link/ether %s brd ff:ff:ff:ff:ff:ff\n",
                        i + 2, ifc->name,
                        ifc->up ? (carrier ? ",UP,LOWER_UP" : ",NO-CARRIER,UP") : "",
                        iface_mtu(ifc), carrier ? "UP" : "DOWN", mac_str(ifc->mac, m));
            for (int k = 0; k < ifc->n_addr; k++) {
                uint32_t bc = ifc->addr[k] | ~ip4_mask(ifc->plen[k]);
                proc_printf(p,
                            "    inet %s/%u brd %s scope global %s\n"
                            "       valid_lft forever preferred_lft forever\n",
                            ip4_str(ifc->addr[k], a), ifc->plen[k], ip4_str(bc, b), ifc->name);
            }
        }
        proc_exit(p, 0);
        return;
    }
    if (strncmp(obj, "route", 5) == 0 || strcmp(obj, "r") == 0) {
        /* iproute2 lists the default route first, then by prefix */
        for (int pass = 0; pass < 2; pass++) {
            for (uint32_t i = 0; i < st->rt.n; i++) {
                const struct route *r = &st->rt.r[i];
                bool dflt = r->plen == 0;
                if (dflt != (pass == 0)) continue;
                char dst[24];
                if (dflt)
                    snprintf(dst, sizeof dst, "default");
                else
                    snprintf(dst, sizeof dst, "%s/%u", ip4_str(r->dst, a), r->plen);
                if (r->gw)
                    proc_printf(p, "%s via %s dev %s\n", dst, ip4_str(r->gw, b), r->ifc->name);
                else
                    proc_printf(p, "%s dev %s proto kernel scope link src %s\n", dst, r->ifc->name,
                                ip4_str(iface_addr(r->ifc), b));
            }
        }
        proc_exit(p, 0);
        return;
    }
    proc_printf(p, "Usage: ip { addr | route }\n");
    proc_exit(p, argc > 1 ? 1 : 255);
}

static void show_ip_route(struct shell_proc *p, struct netstack *st)
{
    char a[16], b[16];
    proc_printf(p, "Codes: C - connected, S - static, * - candidate default\n\n");
    const struct route *dflt = NULL;
    for (uint32_t i = 0; i < st->rt.n; i++)
        if (st->rt.r[i].plen == 0 && !dflt) dflt = &st->rt.r[i];
    if (dflt && dflt->gw)
        proc_printf(p, "Gateway of last resort is %s to network 0.0.0.0\n\n", ip4_str(dflt->gw, a));
    else
        proc_printf(p, "Gateway of last resort is not set\n\n");
    for (uint32_t i = 0; i < st->rt.n; i++) {
        const struct route *r = &st->rt.r[i];
        char dst[24];
        snprintf(dst, sizeof dst, "%s/%u", ip4_str(r->dst, a), r->plen);
        if (r->kind == ROUTE_CONNECTED)
            proc_printf(p, "C        %s is directly connected, %s\n", dst, r->ifc->name);
        else if (r->gw)
            proc_printf(p, "S%s       %s [1/0] via %s\n", r->plen == 0 ? "*" : " ", dst,
                        ip4_str(r->gw, b));
        else
            proc_printf(p, "S%s       %s is directly connected, %s\n", r->plen == 0 ? "*" : " ",
                        dst, r->ifc->name);
    }
}

static void show_arp(struct shell_proc *p, struct netstack *st)
{
    char a[16], m[16];
    sim_time now = sim_now(p->sim);
    proc_printf(p, "Protocol  Address          Age (min)  Hardware Addr   Type   Interface\n");
    for (uint32_t i = 0; i < p->node->n_ifaces; i++) {
        struct iface *ifc = p->node->ifaces[i];
        for (int k = 0; k < ifc->n_addr; k++) {
            cisco_mac(ifc->mac, m);
            proc_printf(p, "Internet  %-16s %9s  %-14s  ARPA   %s\n", ip4_str(ifc->addr[k], a), "-",
                        m, ifc->name);
        }
    }
    for (uint32_t i = 0; i < arp_count(st); i++) {
        const struct arp_entry *e = arp_entry_at(st, i);
        if (e->state == ARP_INCOMPLETE) {
            proc_printf(p, "Internet  %-16s %9s  %-14s  ARPA   %s\n", ip4_str(e->ip, a), "0",
                        "Incomplete", e->ifc->name);
            continue;
        }
        if (e->state != ARP_REACHABLE || e->expires <= now) continue;
        long age = (long)((now - (e->expires - st->arp.timeout)) / (60 * SIM_S));
        char ages[16];
        snprintf(ages, sizeof ages, "%ld", age);
        cisco_mac(e->mac, m);
        proc_printf(p, "Internet  %-16s %9s  %-14s  ARPA   %s\n", ip4_str(e->ip, a), ages, m,
                    e->ifc->name);
    }
}

static void show_mac_table(struct shell_proc *p, struct netstack *st)
{
    char m[16];
    sim_time now = sim_now(p->sim);
    proc_printf(p, "          Mac Address Table\n"
                   "-------------------------------------------\n\n"
                   "Vlan    Mac Address       Type        Ports\n"
                   "----    -----------       --------    -----\n");
    int n = 0;
    for (uint32_t i = 0; i < st->mac.n; i++) {
        const struct mac_entry *e = &st->mac.e[i];
        if (e->last_seen + st->mac.aging <= now) continue;
        cisco_mac(e->mac, m);
        proc_printf(p, "   1    %-14s    DYNAMIC     %s\n", m, p->node->ifaces[e->port]->name);
        n++;
    }
    proc_printf(p, "Total Mac Addresses for this criterion: %d\n", n);
}

bool shell_word_is(const char *w, const char *full, size_t min)
{
    size_t n = strlen(w);
    return n >= min && n <= strlen(full) && strncmp(w, full, n) == 0;
}

static bool show_mac_address_table(struct shell_proc *p, int argc, char **argv)
{
    if (p->node->kind != NODE_SWITCH || argc < 3 || !shell_word_is(argv[1], "mac", 3) ||
        !(shell_word_is(argv[2], "address-table", 3) || strcmp(argv[2], "address") == 0))
        return false;
    show_mac_table(p, node_stack(p->node));
    return true;
}

static bool show_ip_route_cmd(struct shell_proc *p, int argc, char **argv)
{
    if (p->node->kind != NODE_ROUTER || argc < 3 || !shell_word_is(argv[1], "ip", 2) ||
        !shell_word_is(argv[2], "route", 2))
        return false;
    show_ip_route(p, node_stack(p->node));
    return true;
}

static bool show_arp_cmd(struct shell_proc *p, int argc, char **argv)
{
    if (p->node->kind != NODE_ROUTER || argc < 2 || !shell_word_is(argv[1], "arp", 3)) return false;
    show_arp(p, node_stack(p->node));
    return true;
}

/* The `show` commands of switches and routers: each recognises its own
 * words (and node kind) and prints its table. Modules add theirs here. */
static bool (*const show_cmds[])(struct shell_proc *, int, char **) = {
    show_mac_address_table, show_ip_route_cmd, show_arp_cmd, show_dhcp_cmd, show_nat_cmd,
};

static void cmd_show(struct shell_proc *p, int argc, char **argv)
{
    for (size_t i = 0; i < sizeof show_cmds / sizeof show_cmds[0]; i++)
        if (show_cmds[i](p, argc, argv)) {
            proc_exit(p, 0);
            return;
        }
    proc_printf(p, "%% Invalid input detected at '^' marker.\n");
    proc_exit(p, 1);
}

static void cmd_arping(struct shell_proc *p, int argc, char **argv)
{
    struct netstack *st = node_stack(p->node);
    const char *ifname = NULL, *target = NULL;
    bool unsolicited = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-U") == 0 || strcmp(argv[i], "-A") == 0)
            unsolicited = true;
        else if (strcmp(argv[i], "-I") == 0 && i + 1 < argc)
            ifname = argv[++i];
        else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            i++; /* one announcement is all we send */
        else
            target = argv[i];
    }
    uint32_t addr;
    if (!unsolicited || !target || !ip4_parse_addr(target, &addr)) {
        proc_printf(p, "Usage: arping -U [-I interface] address   (gratuitous ARP)\n");
        proc_exit(p, 2);
        return;
    }
    struct iface *ifc = ifname ? node_find_iface(p->node, ifname) : NULL;
    for (uint32_t i = 0; !ifc && i < p->node->n_ifaces; i++)
        for (int k = 0; k < p->node->ifaces[i]->n_addr; k++)
            if (p->node->ifaces[i]->addr[k] == addr) ifc = p->node->ifaces[i];
    if (!ifc) {
        proc_printf(p, "arping: %s: no such interface or address\n", ifname ? ifname : target);
        proc_exit(p, 2);
        return;
    }
    proc_printf(p, "ARPING %s from %s %s\n", target, target, ifc->name);
    arp_announce(st, ifc, addr);
    proc_printf(p, "Sent 1 probes (1 broadcast(s))\nReceived 0 response(s)\n");
    proc_exit(p, 0);
}

static void cmd_help(struct shell_proc *p, int argc, char **argv);

/* Every command, and the kinds of node it runs on. Modules add theirs here
 * (declared in shell_priv.h). */
static const struct shell_cmd commands[] = {
    {"ping", SH_L3, cmd_ping, "ping [-c N] [-i s] [-s size] [-t ttl] [-e id] [-q] host"},
    {"traceroute", SH_L3, cmd_traceroute, "traceroute [-I] host"},
    {"arp", SH_L3, cmd_arp, "arp -a | -n"},
    {"arping", SH_L3, cmd_arping, "arping -U address"},
    {"ip", SH_L3, cmd_ip, "ip addr, ip route"},
    {"show", SH_SWITCH, cmd_show, "show mac address-table"},
    {"show", SH_ROUTER, cmd_show, "show ip route, show arp"},
    {"show", SH_ROUTER, cmd_show, "show dhcp leases"},
    {"show", SH_ROUTER, cmd_show, "show ip nat translations"},
    {"dhclient", SH_L3, cmd_dhclient, "dhclient [-r] IFACE"},
    {"dhcp-lease-list", SH_L3, cmd_dhcp_lease_list, NULL},
    {"nslookup", SH_L3, cmd_nslookup, "nslookup [-type=T] name [server]"},
    {"dig", SH_L3, cmd_dig, "dig [@server] [type] name [+short] [+tcp]"},
    {"ss", SH_L3, cmd_ss, "ss -tan"},
    {"telnet", SH_L3, cmd_telnet, "telnet host [port]"},
    {"ftp", SH_L3, cmd_ftp, "ftp host"},
    {"curl", SH_L3, cmd_curl, "curl [-i] [-I] [-v] [-L] URL..."},
    {"openssl", SH_L3, cmd_openssl, "openssl s_client -connect host:port [-crlf] [-quiet]"},
    {"whois", SH_L3, cmd_whois, "whois [-h server] name"},
    {"help", SH_ANY, cmd_help, NULL},
};

static unsigned node_where(const struct node *n)
{
    switch (n->kind) {
    case NODE_HOST:
    case NODE_SERVER:
        return SH_HOST;
    case NODE_ROUTER:
        return SH_ROUTER;
    case NODE_SWITCH:
        return SH_SWITCH;
    case NODE_HUB:
        return SH_HUB;
    }
    return 0;
}

static void cmd_help(struct shell_proc *p, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    unsigned where = node_where(p->node);
    int n = 0;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (!(commands[i].where & where) || !commands[i].usage) continue;
        proc_printf(p, "%s%s", n++ ? ", " : "Commands: ", commands[i].usage);
    }
    if (n)
        proc_printf(p, "\n");
    else
        proc_printf(p, "A hub has no commands: it only repeats bits.\n");
    proc_exit(p, 0);
}

struct shell_proc *shell_run(struct sim *sim, struct node *node, const char *cmdline,
                             shell_done_fn on_done, void *ctx)
{
    struct shell_proc *p = calloc(1, sizeof *p);
    if (!p) abort();
    p->sim = sim;
    p->node = node;
    p->cmdline = strdup(cmdline);
    p->on_done = on_done;
    p->ctx = ctx;
    if (!p->cmdline) abort();
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", cmdline);
    char *argv[SHELL_MAX_ARGS];
    int argc = shell_split(buf, argv, SHELL_MAX_ARGS);
    if (argc < 0) {
        proc_printf(p, "sh: syntax error: unterminated quoted string or too many words\n");
        proc_exit(p, 2);
        return p;
    }
    if (argc == 0) {
        proc_exit(p, 0);
        return p;
    }
    unsigned where = node_where(node);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if ((commands[i].where & where) && strcmp(commands[i].name, argv[0]) == 0) {
            commands[i].fn(p, argc, argv);
            return p;
        }
    proc_printf(p, "%s: command not found\n", argv[0]);
    proc_exit(p, 127);
    return p;
}
