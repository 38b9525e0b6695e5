/* bench.c - netstep's benchmark workloads, defined in DESIGN.md so that
 * other simulators can run the same. `scripts/bench` runs one workload per
 * process (so peak RSS is per workload) and prints the key=value line.
 *
 *   W1 engine:     1,000 self-rescheduling timers, delays uniform in
 *                  [1, 1000] us, stop after 10,000,000 events.
 *   W2 chain-ping: A - R1 - ... - R16 - B, 1 Gbit/s, 10 us links, static
 *                  routes; A pings B every 10 us for 1 simulated second.
 *
 * Wall time covers the run itself, not building the topology. No trace sink
 * is attached: this is the batch path. */
#include "engine/net.h"
#include "protocols/stack.h"
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

static void report(const char *w, double wall, uint64_t events, uint64_t delivered)
{
    printf("workload=%s wall_s=%.3f events=%llu events_per_s=%.0f delivered=%llu "
           "peak_rss_mib=%.1f\n",
           w, wall, (unsigned long long)events, wall > 0 ? (double)events / wall : 0,
           (unsigned long long)delivered, peak_rss_mib());
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
    report("W1", wall, sim_events_run(sim), 0);
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
    report("W2", wall, sim_events_run(sim), received);
    shell_proc_free(p);
    sim_free(sim);
    return received > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--list") == 0) {
        printf("W1 W2\n");
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "W1") == 0) return run_w1();
    if (strcmp(argv[1], "W2") == 0) return run_w2();
    fprintf(stderr, "netstep-bench: unknown workload %s (try --list)\n", argv[1]);
    return 2;
}
