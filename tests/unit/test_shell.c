/* test_shell.c - the host shell (scenarios/shell.h) on a built scenario:
 * h1 and h2 on a switch with router r1, which leads to h3; a host "lone"
 * with no cable and no route. Checks the exact text where it is stable
 * (simulated time makes round trips exact): iputils ping lines, statistics
 * and exit codes (0 replies, 1 none, 2 unknown host or no route), -c -i -s
 * -t, ping by node name, Ctrl-C, traceroute's hop lines and timeouts,
 * arp -a / -n, ip addr, ip route (default first), the Cisco-style show
 * commands on the right kinds of node only, command not found, quoting in
 * shell_split, and output published on the trace bus line by line. */
#include "check.h"
#include "fixture.h"

#include "scenarios/shell.h"

static const char net_json[] =
    "{\"netstep\": 1, \"nodes\": [\n"
    " {\"name\": \"h1\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.1/24\"}], \"gateway\": \"10.0.0.254\"},\n"
    " {\"name\": \"h2\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.2/24\"}]},\n"
    " {\"name\": \"sw\", \"type\": \"switch\", \"ports\": 4},\n"
    " {\"name\": \"r1\", \"type\": \"router\", \"interfaces\": [\n"
    "   {\"name\": \"eth0\", \"ip\": \"10.0.0.254/24\"}, {\"name\": \"eth1\", \"ip\": "
    "\"10.1.0.1/24\"}],\n"
    "  \"routes\": [{\"to\": \"172.16.0.0/12\", \"via\": \"10.1.0.3\"}]},\n"
    " {\"name\": \"h3\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.1.0.3/24\"}], \"gateway\": \"10.1.0.1\"},\n"
    " {\"name\": \"lone\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.5.0.1/24\"}]},\n"
    " {\"name\": \"hub\", \"type\": \"hub\", \"ports\": 2}],\n"
    " \"links\": [{\"a\": \"h1:eth0\", \"b\": \"sw:1\"}, {\"a\": \"h2:eth0\", \"b\": \"sw:2\"},\n"
    "             {\"a\": \"r1:eth0\", \"b\": \"sw:3\"}, {\"a\": \"r1:eth1\", \"b\": "
    "\"h3:eth0\"}]}\n";

struct done_rec {
    int calls, code;
};

static void on_done(void *ctx, struct shell_proc *p)
{
    struct done_rec *d = ctx;
    d->calls++;
    d->code = p->exit_code;
}

/* Runs cmd on node and lets `dur` of simulated time pass. */
static struct shell_proc *run(struct sim *sim, const char *node, const char *cmd, sim_time dur)
{
    struct shell_proc *p = shell_run(sim, sim_find_node(sim, node), cmd, NULL, NULL);
    sim_run_until(sim, sim_now(sim) + dur);
    return p;
}

static const char *out_of(const struct shell_proc *p)
{
    return p->out ? p->out : "";
}

/* run, check the whole output and the exit status, free */
static void expect(struct sim *sim, const char *node, const char *cmd, sim_time dur,
                   const char *want, int code)
{
    struct shell_proc *p = run(sim, node, cmd, dur);
    CHECK(p->done);
    CHECK_STR(out_of(p), want);
    CHECK_EQ(p->exit_code, code);
    if (strcmp(out_of(p), want) != 0) fprintf(stderr, "  (command: %s)\n", cmd);
    shell_proc_free(p);
}

static void test_ping(void)
{
    struct sim *sim = fx_build(net_json, 1);
    if (!sim) {
        CHECK(0);
        return;
    }
    /* first round trip: ARP over two 16.72 us hops each way, then the
     * 98-byte echo over two 19.76 us hops each way: 145.92 us; then 79.04 */
    struct done_rec d = {0, -1};
    struct shell_proc *p =
        shell_run(sim, sim_find_node(sim, "h1"), "ping -c 3 10.0.0.2", on_done, &d);
    sim_run_until(sim, 5 * SIM_S);
    CHECK(p->done);
    CHECK_EQ(d.calls, 1);
    CHECK_EQ(d.code, 0);
    CHECK_STR(out_of(p), "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
                         "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.145 ms\n"
                         "64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=0.079 ms\n"
                         "64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=0.079 ms\n"
                         "\n"
                         "--- 10.0.0.2 ping statistics ---\n"
                         "3 packets transmitted, 3 received, 0% packet loss, time 2000ms\n"
                         "rtt min/avg/max/mdev = 0.079/0.101/0.146/0.032 ms\n");
    CHECK_EQ(p->exit_code, 0);
    CHECK_EQ(node_stack(sim_find_node(sim, "h1"))->n_subs, 0); /* unsubscribed at the end */
    shell_proc_free(p);

    /* -i: three requests 0.2 s apart; the last answer ends it */
    expect(sim, "h1", "ping -c 3 -i 0.2 10.0.0.2", SIM_S,
           "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
           "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.079 ms\n"
           "64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=0.079 ms\n"
           "64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=0.079 ms\n"
           "\n"
           "--- 10.0.0.2 ping statistics ---\n"
           "3 packets transmitted, 3 received, 0% packet loss, time 400ms\n"
           "rtt min/avg/max/mdev = 0.079/0.079/0.079/0.000 ms\n",
           0);
    /* one of three lost (h2 unplugged for the second): iputils' %g loss, and
     * the 1 ms it waits after the last request when one is missing */
    struct iface *h2eth = fx_iface(sim, "h2", "eth0");
    p = shell_run(sim, sim_find_node(sim, "h1"), "ping -c 3 10.0.0.2", NULL, NULL);
    sim_run_until(sim, sim_now(sim) + 500 * SIM_MS);
    h2eth->up = false;
    sim_run_until(sim, sim_now(sim) + SIM_S);
    h2eth->up = true;
    sim_run_until(sim, sim_now(sim) + 2 * SIM_S);
    CHECK_STR(out_of(p), "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
                         "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.079 ms\n"
                         "64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=0.079 ms\n"
                         "\n"
                         "--- 10.0.0.2 ping statistics ---\n"
                         "3 packets transmitted, 2 received, 33.3333% packet loss, time 2001ms\n"
                         "rtt min/avg/max/mdev = 0.079/0.079/0.079/0.000 ms\n");
    CHECK_EQ(p->exit_code, 0);
    shell_proc_free(p);
    /* -s: 100 data bytes, 108 bytes of ICMP back; 142-byte frames */
    expect(sim, "h1", "ping -c 1 -s 100 10.0.0.2", SIM_S,
           "PING 10.0.0.2 (10.0.0.2) 100(128) bytes of data.\n"
           "108 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.093 ms\n"
           "\n"
           "--- 10.0.0.2 ping statistics ---\n"
           "1 packets transmitted, 1 received, 0% packet loss, time 0ms\n"
           "rtt min/avg/max/mdev = 0.093/0.093/0.093/0.000 ms\n",
           0);
    /* by name, as /etc/hosts would resolve it */
    expect(sim, "h1", "ping -c 1 h2", SIM_S,
           "PING h2 (10.0.0.2) 56(84) bytes of data.\n"
           "64 bytes from h2 (10.0.0.2): icmp_seq=1 ttl=64 time=0.079 ms\n"
           "\n"
           "--- h2 ping statistics ---\n"
           "1 packets transmitted, 1 received, 0% packet loss, time 0ms\n"
           "rtt min/avg/max/mdev = 0.079/0.079/0.079/0.000 ms\n",
           0);
    /* -t 1 through the router */
    expect(sim, "h1", "ping -c 1 -t 1 10.1.0.3", SIM_S,
           "PING 10.1.0.3 (10.1.0.3) 56(84) bytes of data.\n"
           "From 10.0.0.254 icmp_seq=1 Time to live exceeded\n"
           "\n"
           "--- 10.1.0.3 ping statistics ---\n"
           "1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n",
           1);
    /* across the router: TTL 63 */
    p = run(sim, "h1", "ping -c 1 10.1.0.3", SIM_S);
    CHECK(strstr(out_of(p), "64 bytes from 10.1.0.3: icmp_seq=1 ttl=63 time=") != NULL);
    CHECK_EQ(p->exit_code, 0);
    shell_proc_free(p);
    /* nobody has the address: three ARP requests, then host unreachable */
    expect(sim, "h1", "ping -c 1 10.0.0.99", 5 * SIM_S,
           "PING 10.0.0.99 (10.0.0.99) 56(84) bytes of data.\n"
           "From 10.0.0.1 icmp_seq=1 Destination Host Unreachable\n"
           "\n"
           "--- 10.0.0.99 ping statistics ---\n"
           "1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 3000ms\n",
           1);
    /* no route at the router */
    expect(sim, "h1", "ping -c 1 192.168.1.1", SIM_S,
           "PING 192.168.1.1 (192.168.1.1) 56(84) bytes of data.\n"
           "From 10.0.0.254 icmp_seq=1 Destination Net Unreachable\n"
           "\n"
           "--- 192.168.1.1 ping statistics ---\n"
           "1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n",
           1);
    /* silence: h2 is unplugged after its MAC is known; iputils waits 10 s */
    struct iface *h2e = fx_iface(sim, "h2", "eth0");
    h2e->up = false;
    p = run(sim, "h1", "ping -c 1 10.0.0.2", 9 * SIM_S);
    CHECK(!p->done);
    sim_run_until(sim, sim_now(sim) + 2 * SIM_S);
    CHECK(p->done);
    CHECK_STR(out_of(p), "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"
                         "\n"
                         "--- 10.0.0.2 ping statistics ---\n"
                         "1 packets transmitted, 0 received, 100% packet loss, time 10000ms\n");
    CHECK_EQ(p->exit_code, 1);
    shell_proc_free(p);
    h2e->up = true;
    /* unknown names and missing routes: exit 2 at once */
    expect(sim, "h1", "ping nosuchhost", 0, "ping: nosuchhost: Name or service not known\n", 2);
    expect(sim, "lone", "ping -c 1 10.0.0.2", 0, "ping: connect: Network is unreachable\n", 2);
    expect(sim, "lone", "ping sw", 0, "ping: sw: Name or service not known\n", 2); /* no address */
    expect(sim, "h1", "ping", 0, "ping: usage error: Destination address required\n", 2);
    expect(sim, "h1", "ping -c 0 h2", 0,
           "ping: invalid argument: '0'\n"
           "Usage: ping [-c count] [-i interval] [-s packetsize] [-t ttl] [-q] destination\n",
           2);
    expect(sim, "h1", "ping -x h2", 0,
           "ping: invalid argument: '-x'\n"
           "Usage: ping [-c count] [-i interval] [-s packetsize] [-t ttl] [-q] destination\n",
           2);
    /* own address: loopback, no cable */
    p = run(sim, "h1", "ping -c 1 10.0.0.1", SIM_S);
    CHECK(strstr(out_of(p), "64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.000 ms\n") != NULL);
    shell_proc_free(p);
    sim_free(sim);
}

static void test_ping_interrupt(void)
{
    struct sim *sim = fx_build(net_json, 1);
    if (!sim) {
        CHECK(0);
        return;
    }
    struct done_rec d = {0, -1};
    struct shell_proc *p = shell_run(sim, sim_find_node(sim, "h1"), "ping -q h2", on_done, &d);
    sim_run_until(sim, 2500 * SIM_MS);
    CHECK(!p->done);
    shell_interrupt(p);
    CHECK(p->done);
    CHECK_EQ(d.calls, 1);
    CHECK_STR(out_of(p), "PING h2 (10.0.0.2) 56(84) bytes of data.\n"
                         "\n"
                         "--- h2 ping statistics ---\n"
                         "3 packets transmitted, 3 received, 0% packet loss, time 2500ms\n"
                         "rtt min/avg/max/mdev = 0.079/0.101/0.146/0.032 ms\n");
    CHECK_EQ(p->exit_code, 0);
    shell_interrupt(p); /* already done: nothing more */
    CHECK_EQ(d.calls, 1);
    size_t len = p->out_len;
    sim_run_until(sim, 10 * SIM_S); /* no more requests */
    CHECK_EQ(p->out_len, len);
    shell_proc_free(p);
    sim_free(sim);
}

static void test_traceroute(void)
{
    struct sim *sim = fx_build(net_json, 1);
    if (!sim) {
        CHECK(0);
        return;
    }
    shell_proc_free(run(sim, "h1", "ping -c 1 10.1.0.3", SIM_S)); /* warm the ARP caches */
    /* 74-byte UDP probes take 17.84 us a cable, 70-byte errors (time
     * exceeded, port unreachable) 17.52 */
    expect(sim, "h1", "traceroute 10.1.0.3", SIM_S,
           "traceroute to 10.1.0.3 (10.1.0.3), 30 hops max, 60 byte packets\n"
           " 1  10.0.0.254 (10.0.0.254)  0.071 ms  0.071 ms  0.071 ms\n"
           " 2  10.1.0.3 (10.1.0.3)  0.106 ms  0.106 ms  0.106 ms\n",
           0);
    expect(sim, "h1", "traceroute -q 1 h3", SIM_S,
           "traceroute to h3 (10.1.0.3), 30 hops max, 60 byte packets\n"
           " 1  10.0.0.254 (10.0.0.254)  0.071 ms\n"
           " 2  10.1.0.3 (10.1.0.3)  0.106 ms\n",
           0);
    /* -I: ICMP echo probes; the 74-byte echo reply comes back at the end */
    expect(sim, "h1", "traceroute -I -q 1 h3", SIM_S,
           "traceroute to h3 (10.1.0.3), 30 hops max, 60 byte packets\n"
           " 1  10.0.0.254 (10.0.0.254)  0.071 ms\n"
           " 2  10.1.0.3 (10.1.0.3)  0.107 ms\n",
           0);
    /* nobody answers beyond r1: stars, one second each */
    expect(sim, "h1", "traceroute -m 2 -w 1 10.1.0.99", 5 * SIM_S,
           "traceroute to 10.1.0.99 (10.1.0.99), 2 hops max, 60 byte packets\n"
           " 1  10.0.0.254 (10.0.0.254)  0.071 ms  0.071 ms  0.071 ms\n"
           " 2  * * *\n",
           0);
    expect(sim, "lone", "traceroute 10.0.0.2", 0, "connect: Network is unreachable\n", 2);
    expect(sim, "h1", "traceroute", 0,
           "Usage: traceroute [-I] [-m max_ttl] [-q nqueries] [-w waittime] host\n", 2);
    sim_free(sim);
}

static void test_tables(void)
{
    struct sim *sim = fx_build(net_json, 1);
    if (!sim) {
        CHECK(0);
        return;
    }
    expect(sim, "h1", "arp -a", 0, "", 0);
    shell_proc_free(run(sim, "h1", "ping -c 1 10.0.0.2", SIM_S));
    shell_proc_free(run(sim, "h1", "ping -c 1 10.1.0.3", SIM_S));
    struct shell_proc *pend = run(sim, "h1", "ping -c 1 10.0.0.77", SIM_MS);
    expect(sim, "h1", "arp -a", 0,
           "? (10.0.0.2) at 02:00:00:00:02:01 [ether] on eth0\n"
           "? (10.0.0.254) at 02:00:00:00:04:01 [ether] on eth0\n"
           "? (10.0.0.77) at <incomplete> on eth0\n",
           0);
    expect(sim, "h1", "arp -n", 0,
           "Address                  HWtype  HWaddress           Flags Mask            Iface\n"
           "10.0.0.2                 ether   02:00:00:00:02:01   C                     eth0\n"
           "10.0.0.254               ether   02:00:00:00:04:01   C                     eth0\n"
           "10.0.0.77                        (incomplete)                              eth0\n",
           0);
    expect(sim, "h1", "arp -z", 0, "arp: invalid option -- '-z'\nUsage: arp [-a] [-n]\n", 2);
    sim_run_until(sim, sim_now(sim) + 5 * SIM_S);
    CHECK(pend->done);
    shell_proc_free(pend);
    /* the failed one is gone again */
    expect(sim, "h1", "arp -a", 0,
           "? (10.0.0.2) at 02:00:00:00:02:01 [ether] on eth0\n"
           "? (10.0.0.254) at 02:00:00:00:04:01 [ether] on eth0\n",
           0);
    expect(sim, "h2", "arp -a", 0, "? (10.0.0.1) at 02:00:00:00:01:01 [ether] on eth0\n", 0);

    expect(sim, "h1", "ip addr", 0,
           "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default "
           "qlen 1000\n"
           "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
           "    inet 127.0.0.1/8 scope host lo\n"
           "       valid_lft forever preferred_lft forever\n"
           "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group "
           "default qlen 1000\n"
           "    link/ether 02:00:00:00:01:01 brd ff:ff:ff:ff:ff:ff\n"
           "    inet 10.0.0.1/24 brd 10.0.0.255 scope global eth0\n"
           "       valid_lft forever preferred_lft forever\n",
           0);
    struct shell_proc *p = run(sim, "lone", "ip a", 0);
    CHECK(strstr(out_of(p), "2: eth0: <BROADCAST,MULTICAST,NO-CARRIER,UP> mtu 1500 qdisc "
                            "fq_codel state DOWN group default qlen 1000\n") != NULL);
    shell_proc_free(p);
    expect(sim, "h1", "ip route", 0,
           "default via 10.0.0.254 dev eth0\n"
           "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1\n",
           0);
    struct netstack *r1 = node_stack(sim_find_node(sim, "r1"));
    p = run(sim, "r1", "show ip route", 0);
    CHECK(strstr(out_of(p), "\nGateway of last resort is not set\n\n") != NULL);
    CHECK(strstr(out_of(p), "S*") == NULL);
    shell_proc_free(p);
    CHECK_EQ(stack_add_route(r1, 0, 0, IP(10, 0, 0, 2), NULL), 0);
    expect(sim, "r1", "ip r", 0,
           "default via 10.0.0.2 dev eth0\n"
           "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.254\n"
           "10.1.0.0/24 dev eth1 proto kernel scope link src 10.1.0.1\n"
           "172.16.0.0/12 via 10.1.0.3 dev eth1\n",
           0);
    expect(sim, "h1", "ip link", 0, "Usage: ip { addr | route }\n", 1);

    expect(sim, "r1", "show ip route", 0,
           "Codes: C - connected, S - static, * - candidate default\n"
           "\n"
           "Gateway of last resort is 10.0.0.2 to network 0.0.0.0\n"
           "\n"
           "C        10.0.0.0/24 is directly connected, eth0\n"
           "C        10.1.0.0/24 is directly connected, eth1\n"
           "S        172.16.0.0/12 [1/0] via 10.1.0.3\n"
           "S*       0.0.0.0/0 [1/0] via 10.0.0.2\n",
           0);
    expect(sim, "r1", "show arp", 0,
           "Protocol  Address          Age (min)  Hardware Addr   Type   Interface\n"
           "Internet  10.0.0.254               -  0200.0000.0401  ARPA   eth0\n"
           "Internet  10.1.0.1                 -  0200.0000.0402  ARPA   eth1\n"
           "Internet  10.0.0.1                 0  0200.0000.0101  ARPA   eth0\n"
           "Internet  10.1.0.3                 0  0200.0000.0501  ARPA   eth1\n",
           0);
    expect(sim, "sw", "show mac address-table", 0,
           "          Mac Address Table\n"
           "-------------------------------------------\n"
           "\n"
           "Vlan    Mac Address       Type        Ports\n"
           "----    -----------       --------    -----\n"
           "   1    0200.0000.0101    DYNAMIC     1\n"
           "   1    0200.0000.0201    DYNAMIC     2\n"
           "   1    0200.0000.0401    DYNAMIC     3\n"
           "Total Mac Addresses for this criterion: 3\n",
           0);
    /* each on its own kind of node only */
    expect(sim, "r1", "show mac address-table", 0, "% Invalid input detected at '^' marker.\n", 1);
    expect(sim, "sw", "show ip route", 0, "% Invalid input detected at '^' marker.\n", 1);
    expect(sim, "sw", "show arp", 0, "% Invalid input detected at '^' marker.\n", 1);
    expect(sim, "h1", "show ip route", 0, "show: command not found\n", 127);
    expect(sim, "sw", "ping h1", 0, "ping: command not found\n", 127);
    expect(sim, "hub", "arp -a", 0, "arp: command not found\n", 127);
    expect(sim, "h1", "frobnicate --now", 0, "frobnicate: command not found\n", 127);
    expect(sim, "h1", "", 0, "", 0);
    expect(sim, "h1", "echo \"oops", 0,
           "sh: syntax error: unterminated quoted string or too many words\n", 2);
    expect(sim, "hub", "help", 0, "A hub has no commands: it only repeats bits.\n", 0);
    /* aging: after 300 s the switch has forgotten everyone */
    sim_run_until(sim, sim_now(sim) + 301 * SIM_S);
    p = run(sim, "sw", "show mac add", 0);
    CHECK(strstr(out_of(p), "Total Mac Addresses for this criterion: 0\n") != NULL);
    shell_proc_free(p);
    sim_free(sim);
}

static void test_output_on_bus(void)
{
    struct sim *sim = fx_build(net_json, 1);
    if (!sim) {
        CHECK(0);
        return;
    }
    struct fx_log log = {0};
    trace_subscribe(sim, TRACE_OUTPUT, fx_log_sink, &log);
    struct shell_proc *p = run(sim, "h1", "ip route", 0);
    CHECK_EQ(log.n, 2); /* one step per line, without the newline */
    if (log.n == 2) {
        CHECK_STR(log.s[0].summary, "default via 10.0.0.254 dev eth0");
        CHECK_STR(log.s[1].summary, "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1");
        CHECK_EQ(log.s[0].kind, TK_OUTPUT);
        CHECK_EQ(log.s[0].layer, 7);
        CHECK_STR(log.s[0].where, "h1");
    }
    shell_proc_free(p);
    fx_log_free(&log);
    sim_free(sim);
}

static void test_split(void)
{
    char buf[128], *argv[8];
    snprintf(buf, sizeof buf, "  ping   -c 3\th2  ");
    CHECK_EQ(shell_split(buf, argv, 8), 4);
    CHECK_STR(argv[0], "ping");
    CHECK_STR(argv[1], "-c");
    CHECK_STR(argv[2], "3");
    CHECK_STR(argv[3], "h2");
    snprintf(buf, sizeof buf, "a \"b c\" 'd e' f\"g h\"i \"\" 'x\"y'");
    CHECK_EQ(shell_split(buf, argv, 8), 6);
    CHECK_STR(argv[0], "a");
    CHECK_STR(argv[1], "b c");
    CHECK_STR(argv[2], "d e");
    CHECK_STR(argv[3], "fg hi");
    CHECK_STR(argv[4], "");
    CHECK_STR(argv[5], "x\"y");
    snprintf(buf, sizeof buf, "   ");
    CHECK_EQ(shell_split(buf, argv, 8), 0);
    snprintf(buf, sizeof buf, "echo 'unterminated");
    CHECK_EQ(shell_split(buf, argv, 8), -1);
    snprintf(buf, sizeof buf, "1 2 3 4 5 6 7 8 9");
    CHECK_EQ(shell_split(buf, argv, 8), -1);
    snprintf(buf, sizeof buf, "1 2 3 4 5 6 7 8");
    CHECK_EQ(shell_split(buf, argv, 8), 8);
    CHECK_STR(argv[7], "8");
}

int main(void)
{
    test_ping();
    test_ping_interrupt();
    test_traceroute();
    test_tables();
    test_output_on_bus();
    test_split();
    return check_done();
}
