/* bench.c - netstep's benchmark workloads, defined in DESIGN.md so that
 * other simulators can run the same. `scripts/bench` runs one workload per
 * process (so peak RSS is per workload) and prints the key=value line.
 *
 *   W1 engine:     1,000 self-rescheduling timers, delays uniform in
 *                  [1, 1000] us, stop after 10,000,000 events.
 *   W2 chain-ping: A - R1 - ... - R16 - B, 1 Gbit/s, 10 us links, static
 *                  routes; A pings B every 10 us for 1 simulated second.
 *   W3 lan-udp:    one switch, 256 clients + 1 server, 1 Gbit/s links with
 *                  10 us delay (as W2); each client sends 1,000 UDP echo
 *                  requests (RFC 862, port 7) of 64 bytes, one every 1 ms,
 *                  starts staggered over 10 ms.
 *   W4 tcp-bulk:   A - R1 - R2 - B, 1 Gbit/s, 100 us links; one TCP
 *                  connection carries 100 MB (10^8 bytes) from A to B,
 *                  which discards them; ends when B has them all.
 *   W5 scale:      W3 with 4,096 clients sending 10 echoes each, one every
 *                  10 ms (starts staggered over 10 ms).
 *   Both also take a client count: `netstep-bench W5 1024` (for scaling).
 *
 * Wall time covers the run itself, not building the topology. No trace sink
 * is attached: this is the batch path. */
#include "engine/net.h"
#include "protocols/echo.h"
#include "protocols/stack.h"
#include "protocols/tcp.h"
#include "protocols/udp.h"
#include "scenarios/shell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

/* One line of key=value pairs; `extra` (may be "") adds the workload's own. */
static void report(const char *w, double wall, uint64_t events, uint64_t delivered,
                   const char *extra)
{
    printf("workload=%s wall_s=%.3f events=%llu events_per_s=%.0f delivered=%llu "
           "peak_rss_mib=%.1f%s\n",
           w, wall, (unsigned long long)events, wall > 0 ? (double)events / wall : 0,
           (unsigned long long)delivered, peak_rss_mib(), extra);
}

/* ---- W1 ---- */

struct w1 {
    struct rng rng;
};

static void w1_tick(struct sim *sim, void *ctx, uint64_t arg)
{
    struct w1 *w = ctx;
    (void)arg;
    sim_schedule(sim, (sim_time)(1 + rng_below(&w->rng, 1000)) * SIM_US, w1_tick, w, 0);
}

static int run_w1(void)
{
    struct sim *sim = sim_new(1);
    struct w1 w;
    rng_derive(&w.rng, 1, "w1");
    for (int i = 0; i < 1000; i++)
        sim_schedule(sim, (sim_time)(1 + rng_below(&w.rng, 1000)) * SIM_US, w1_tick, &w, 0);
    sim_set_event_budget(sim, 10000000);
    double t0 = now_s();
    sim_run_until(sim, SIM_TIME_MAX - 1);
    double wall = now_s() - t0;
    report("W1", wall, sim_events_run(sim), 0, "");
    sim_free(sim);
    return 0;
}

/* ---- W2 ---- */

static struct iface *w2_iface(struct node *n, const char *name, const char *addr)
{
    struct iface *ifc = iface_new(n, name, NULL);
    uint32_t a;
    uint8_t plen;
    if (!ip4_parse_prefix(addr, &a, &plen)) abort();
    iface_add_addr(ifc, a, plen);
    return ifc;
}

static uint32_t ip(const char *s)
{
    uint32_t a;
    if (!ip4_parse_addr(s, &a)) abort();
    return a;
}

static int run_w2(void)
{
    enum { ROUTERS = 16 };
    struct sim *sim = sim_new(1);
    struct link_params lp;
    link_params_default(&lp);
    lp.bandwidth_bps = 1000000000ull;
    lp.delay = 10 * SIM_US;
    char name[64], addr[32];
    struct node *a = node_new(sim, "A", NODE_HOST);
    struct iface *prev = w2_iface(a, "eth0", "10.0.0.1/24");
    stack_install(a);
    stack_add_route(node_stack(a), 0, 0, ip("10.0.0.2"), NULL);
    for (int k = 1; k <= ROUTERS; k++) {
        snprintf(name, sizeof name, "R%d", k);
        struct node *r = node_new(sim, name, NODE_ROUTER);
        snprintf(addr, sizeof addr, "10.0.%d.2/24", k - 1);
        struct iface *left = w2_iface(r, "eth0", addr);
        snprintf(addr, sizeof addr, "10.0.%d.1/24", k);
        struct iface *right = w2_iface(r, "eth1", addr);
        stack_install(r);
        link_connect(sim, prev, left, &lp);
        snprintf(addr, sizeof addr, "10.0.%d.1", k - 1);
        if (k > 1) stack_add_route(node_stack(r), ip("10.0.0.0"), 24, ip(addr), NULL);
        snprintf(addr, sizeof addr, "10.0.%d.2", k);
        if (k < ROUTERS) stack_add_route(node_stack(r), 0, 0, ip(addr), NULL);
        prev = right;
    }
    struct node *b = node_new(sim, "B", NODE_HOST);
    snprintf(addr, sizeof addr, "10.0.%d.2/24", ROUTERS);
    struct iface *bi = w2_iface(b, "eth0", addr);
    stack_install(b);
    snprintf(addr, sizeof addr, "10.0.%d.1", ROUTERS);
    stack_add_route(node_stack(b), 0, 0, ip(addr), NULL);
    link_connect(sim, prev, bi, &lp);

    snprintf(name, sizeof name, "ping -q -c 100000 -i 0.00001 10.0.%d.2", ROUTERS);
    struct shell_proc *p = shell_run(sim, a, name, NULL, NULL);
    double t0 = now_s();
    sim_run_until(sim, 2 * SIM_S);
    double wall = now_s() - t0;
    unsigned long long received = 0;
    const char *s = p->out ? strstr(p->out, "transmitted, ") : NULL;
    if (s) received = strtoull(s + strlen("transmitted, "), NULL, 10);
    report("W2", wall, sim_events_run(sim), received, "");
    shell_proc_free(p);
    sim_free(sim);
    return received > 0 ? 0 : 1;
}

/* ---- W4: one TCP connection, 100 MB ---- */

struct w4 {
    uint64_t to_send, sent, received;
    uint8_t chunk[65536];
};

static void w4_fill(void *ctx, struct tcp_conn *c)
{
    struct w4 *w = ctx;
    while (w->sent < w->to_send) {
        size_t n = sizeof w->chunk;
        if (n > w->to_send - w->sent) n = (size_t)(w->to_send - w->sent);
        size_t took = tcp_send(c, w->chunk, n);
        w->sent += took;
        if (took < n) return;
    }
    tcp_close(c);
}

static void w4_writable(void *ctx, struct tcp_conn *c, size_t space)
{
    (void)space;
    w4_fill(ctx, c);
}

static void w4_recv(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    (void)c;
    (void)data;
    ((struct w4 *)ctx)->received += len;
}

static void w4_peer_closed(void *ctx, struct tcp_conn *c)
{
    (void)ctx;
    tcp_close(c);
}

static void w4_accept(void *ctx, struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    static const struct tcp_callbacks cb = {.recv = w4_recv, .peer_closed = w4_peer_closed};
    tcp_set_callbacks(c, &cb, ctx);
}

static int run_w4(void)
{
    struct sim *sim = sim_new(1);
    struct link_params lp;
    link_params_default(&lp);
    lp.bandwidth_bps = 1000000000ull;
    lp.delay = 100 * SIM_US;
    struct node *a = node_new(sim, "A", NODE_HOST);
    struct iface *ai = w2_iface(a, "eth0", "10.0.0.1/24");
    stack_install(a);
    stack_add_route(node_stack(a), 0, 0, ip("10.0.0.2"), NULL);
    struct node *r1 = node_new(sim, "R1", NODE_ROUTER);
    struct iface *r1a = w2_iface(r1, "eth0", "10.0.0.2/24");
    struct iface *r1b = w2_iface(r1, "eth1", "10.0.1.1/24");
    stack_install(r1);
    stack_add_route(node_stack(r1), ip("10.0.2.0"), 24, ip("10.0.1.2"), NULL);
    struct node *r2 = node_new(sim, "R2", NODE_ROUTER);
    struct iface *r2a = w2_iface(r2, "eth0", "10.0.1.2/24");
    struct iface *r2b = w2_iface(r2, "eth1", "10.0.2.1/24");
    stack_install(r2);
    stack_add_route(node_stack(r2), ip("10.0.0.0"), 24, ip("10.0.1.1"), NULL);
    struct node *b = node_new(sim, "B", NODE_HOST);
    struct iface *bi = w2_iface(b, "eth0", "10.0.2.2/24");
    stack_install(b);
    stack_add_route(node_stack(b), 0, 0, ip("10.0.2.1"), NULL);
    link_connect(sim, ai, r1a, &lp);
    link_connect(sim, r1b, r2a, &lp);
    link_connect(sim, r2b, bi, &lp);

    static struct w4 w = {.to_send = 100000000ull};
    tcp_listen(node_stack(b), 0, 5001, w4_accept, &w);
    static const struct tcp_callbacks cb = {.connected = w4_fill, .writable = w4_writable};
    double t0 = now_s();
    if (!tcp_connect(node_stack(a), ip("10.0.2.2"), 5001, &cb, &w)) return 1;
    sim_time t = 0;
    while (w.received < w.to_send && t < 60 * SIM_S) {
        t += 10 * SIM_MS;
        sim_run_until(sim, t);
    }
    double wall = now_s() - t0;
    char extra[96];
    snprintf(extra, sizeof extra, " sim_s=%.3f goodput_mbps=%.1f", (double)t / SIM_S,
             (double)w.received * 8 / ((double)t / SIM_S) / 1e6);
    report("W4", wall, sim_events_run(sim), w.received, extra);
    sim_free(sim);
    return w.received == w.to_send ? 0 : 1;
}

/* ---- W3 / W5: UDP echo on one switch ---- */

struct lan_client {
    struct sim *sim;
    struct udp_sock *sock;
    uint32_t server;
    int left;
    sim_time interval;
    uint64_t *answered;
};

static void lan_reply(void *ctx, struct udp_sock *s, const struct udp_meta *m, const uint8_t *data,
                      size_t len)
{
    (void)s;
    (void)m;
    (void)data;
    struct lan_client *c = ctx;
    if (len == 64) (*c->answered)++;
}

static void lan_send(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct lan_client *c = ctx;
    uint8_t payload[64];
    memset(payload, 'e', sizeof payload);
    udp_sendto(c->sock, c->server, 7, payload, sizeof payload, NULL);
    if (--c->left > 0) sim_schedule(sim, c->interval, lan_send, c, 0);
}

static int run_lan(const char *name, int clients, int echoes, sim_time interval)
{
    struct sim *sim = sim_new(1);
    struct link_params lp;
    link_params_default(&lp);
    lp.bandwidth_bps = 1000000000ull;
    struct node *sw = node_new(sim, "sw", NODE_SWITCH);
    char nm[32];
    for (int p = 0; p <= clients; p++) {
        snprintf(nm, sizeof nm, "%d", p + 1);
        iface_new(sw, nm, NULL);
    }
    stack_install(sw);
    struct node *srv = node_new(sim, "server", NODE_SERVER);
    struct iface *si = w2_iface(srv, "eth0", "10.0.0.1/16");
    stack_install(srv);
    link_connect(sim, si, sw->ifaces[0], &lp);
    echo_udp_start(node_stack(srv));
    struct lan_client *cs = calloc((size_t)clients, sizeof *cs);
    if (!cs) abort();
    uint64_t answered = 0;
    struct rng stagger;
    rng_derive(&stagger, 1, "stagger");
    for (int i = 0; i < clients; i++) {
        snprintf(nm, sizeof nm, "c%d", i + 1);
        struct node *c = node_new(sim, nm, NODE_HOST);
        snprintf(nm, sizeof nm, "10.0.%d.%d/16", (i + 2) / 256, (i + 2) % 256);
        struct iface *ci = w2_iface(c, "eth0", nm);
        stack_install(c);
        link_connect(sim, ci, sw->ifaces[i + 1], &lp);
        struct lan_client *lc = &cs[i];
        *lc = (struct lan_client){.sim = sim,
                                  .server = ip("10.0.0.1"),
                                  .left = echoes,
                                  .interval = interval,
                                  .answered = &answered};
        lc->sock = udp_open(node_stack(c), 0, 0, lan_reply, lc);
        sim_schedule(sim, (sim_time)rng_below(&stagger, 10 * SIM_MS), lan_send, lc, 0);
    }
    double t0 = now_s();
    sim_run_until(sim, 10 * SIM_MS + (sim_time)echoes * interval + SIM_S);
    double wall = now_s() - t0;
    char extra[64];
    snprintf(extra, sizeof extra, " clients=%d sent=%llu", clients,
             (unsigned long long)clients * (unsigned long long)echoes);
    report(name, wall, sim_events_run(sim), answered, extra);
    sim_free(sim);
    free(cs);
    return answered == (uint64_t)clients * echoes ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--list") == 0) {
        printf("W1 W2 W3 W4 W5\n");
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "W1") == 0) return run_w1();
    if (strcmp(argv[1], "W2") == 0) return run_w2();
    if (strcmp(argv[1], "W4") == 0) return run_w4();
    int clients = argc > 2 ? atoi(argv[2]) : 0;
    if (strcmp(argv[1], "W3") == 0) return run_lan("W3", clients > 0 ? clients : 256, 1000, SIM_MS);
    if (strcmp(argv[1], "W5") == 0)
        return run_lan("W5", clients > 0 ? clients : 4096, 10, 10 * SIM_MS);
    fprintf(stderr, "netstep-bench: unknown workload %s (try --list)\n", argv[1]);
    return 2;
}
