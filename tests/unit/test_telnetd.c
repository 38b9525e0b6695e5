/* test_telnetd.c - the telnet server (protocols/telnetd.h) and Telnet's
 * IAC commands (protocols/telnet_wire.h): the decoder with commands cut
 * anywhere, escaping, the dissector's item walk and its Telnet layer
 * (options, data line by line); on h1 - srv, the `telnet`
 * client against the server (banner, login, echo, the shell's commands,
 * Login incorrect, three failures hanging up, exit), the exact option
 * bytes on the wire and the client's answers, and a raw client sending CR
 * NUL line ends, backspaces and an unknown option. */
#include "check.h"
#include "fixture.h"

#include "protocols/dissect.h"
#include "protocols/tcp.h"
#include "protocols/tcp_wire.h"
#include "protocols/telnet_wire.h"
#include "protocols/telnetd.h"
#include "scenarios/shell.h"

/* ---- the wire ---- */

struct opts {
    int n;
    uint8_t cmd[8], opt[8];
};

static void on_opt(void *ctx, uint8_t cmd, uint8_t opt)
{
    struct opts *o = ctx;
    if (o->n < 8) {
        o->cmd[o->n] = cmd;
        o->opt[o->n++] = opt;
    }
}

static void test_wire(void)
{
    static const uint8_t in[] = {'h',    'i',    TN_IAC, TN_WILL,   TNO_ECHO, TN_IAC, TN_IAC,
                                 'x',    TN_IAC, TN_SB,  TNO_TTYPE, 1,        TN_IAC, TN_IAC,
                                 TN_IAC, TN_SE,  TN_IAC, TN_NOP,    '!'};
    /* every way of cutting it in two gives the same result */
    for (size_t cut = 0; cut <= sizeof in; cut++) {
        struct telnet_decoder d = {0};
        struct opts o = {0};
        uint8_t out[32];
        size_t n = telnet_decode(&d, in, cut, out, on_opt, &o);
        n += telnet_decode(&d, in + cut, sizeof in - cut, out + n, on_opt, &o);
        CHECK_EQ(n, 5);
        CHECK(!memcmp(out, "hi\xffx!", 5));
        CHECK_EQ(o.n, 1);
        CHECK(o.cmd[0] == TN_WILL && o.opt[0] == TNO_ECHO);
    }
    uint8_t esc[8];
    CHECK_EQ(telnet_escape((const uint8_t *)"a\xff"
                                            "b",
                           3, esc),
             4);
    CHECK(!memcmp(esc,
                  "a\xff\xff"
                  "b",
                  4));

    /* the dissector's walk */
    struct telnet_item it;
    size_t off = 0;
    int kinds[8], k = 0;
    while (k < 8 && telnet_item_next(in, sizeof in, off, &it)) {
        kinds[k++] = it.kind;
        off += it.len;
    }
    CHECK_EQ(k, 6);
    int want[] = {TI_DATA, TI_OPTION, TI_DATA, TI_SUBNEG, TI_COMMAND, TI_DATA};
    for (int i = 0; i < 6 && i < k; i++)
        CHECK_EQ(kinds[i], want[i]);
    CHECK(telnet_item_next(in, 4, 2, &it) && it.kind == TI_CUT && it.len == 2);
    CHECK(!telnet_item_next(in, 4, 4, &it));
    CHECK_STR(telnet_opt_name(TNO_SGA), "Suppress Go Ahead");
    CHECK_STR(telnet_cmd_name(TN_DONT), "Don't");
}

/* The dissector on a segment from port 23. */
static void test_dissector(void)
{
    static const uint8_t pl[] = {TN_IAC, TN_WILL, TNO_ECHO, 'l', 'o', 'g',
                                 '\r',   '\n',    'i',      'n', ':', ' '};
    size_t len = ETH_HDR_LEN + IP4_HDR_LEN + TCP_HDR_LEN + sizeof pl;
    uint8_t f[128] = {0};
    struct eth_hdr e = {.type = ETH_TYPE_IPV4};
    eth_emit(&e, f);
    struct ip4_hdr ip = {.ihl = 20,
                         .total_len = (uint16_t)(len - ETH_HDR_LEN),
                         .ttl = 64,
                         .proto = IP4_PROTO_TCP,
                         .src = IP(10, 0, 0, 2),
                         .dst = IP(10, 0, 0, 1)};
    ip4_emit(&ip, f + ETH_HDR_LEN);
    uint8_t *seg = f + ETH_HDR_LEN + IP4_HDR_LEN;
    memcpy(seg + TCP_HDR_LEN, pl, sizeof pl);
    struct tcp_hdr t = {.sport = 23,
                        .dport = 40000,
                        .seq = 1,
                        .ack = 1,
                        .hlen = 20,
                        .flags = TCP_ACK | TCP_PSH,
                        .window = 512};
    tcp_emit(seg, &t);
    tcp_checksum_fill(seg, TCP_HDR_LEN + sizeof pl, ip.src, ip.dst);
    struct dissection d;
    dissect_frame(f, len, &d);
    CHECK_STR(d.protocol, "TELNET");
    CHECK_STR(d.info, "Telnet Data ...");
    CHECK(!d.malformed);
    const char *want[][2] = {{"Will", "Echo"},
                             {"Command", "Will"},
                             {"Subcommand", "Echo"},
                             {"Data", "log\\r\\n"},
                             {"Data", "in: "}};
    uint32_t k = 0;
    for (uint32_t i = 0; i < d.n_fields && k < 5; i++)
        if (!strcmp(d.fields[i].name, want[k][0]) && !strcmp(d.fields[i].value, want[k][1])) k++;
    CHECK_EQ(k, 5);
    dissect_free(&d);
}

/* ---- the server ---- */

static const char net_json[] =
    "{\"netstep\": 1, \"nodes\": [\n"
    " {\"name\": \"h1\", \"type\": \"host\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.1/24\"}]},\n"
    " {\"name\": \"srv\", \"type\": \"server\", \"interfaces\": [{\"name\": \"eth0\", \"ip\": "
    "\"10.0.0.2/24\"}],\n"
    "  \"services\": {\"telnet\": {\"accounts\": {\"root\": \"toor\", \"ann\": \"pw\"},\n"
    "   \"banner\": \"Ubuntu 22.04 LTS\",\n"
    "   \"files\": {\"flag.txt\": \"FLAG{T}\\n\", \"notes\": \"a\\nb\\n\"}}}}],\n"
    " \"links\": [{\"a\": \"h1:eth0\", \"b\": \"srv:eth0\", \"delay\": \"1ms\"}]}\n";

static struct shell_proc *telnet(struct sim *sim, const char *const *lines, sim_time dur)
{
    struct shell_proc *p = shell_run(sim, sim_find_node(sim, "h1"), "telnet srv", NULL, NULL);
    for (int i = 0; lines[i]; i++)
        shell_input(p, lines[i]);
    sim_run_until(sim, sim_now(sim) + dur);
    return p;
}

static void test_session(void)
{
    struct sim *sim = fx_build(net_json, 1);
    struct fx_log log = {0};
    trace_subscribe(sim, TRACE_ALL, fx_log_sink, &log);
    static const char *const s1[] = {"root",
                                     "bad",
                                     "root",
                                     "toor",
                                     "whoami",
                                     "id",
                                     "hostname",
                                     "uname -a",
                                     "pwd",
                                     "ls",
                                     "cat flag.txt ~/notes nope",
                                     "echo 'two  words' x",
                                     "frob",
                                     "",
                                     "exit",
                                     NULL};
    struct shell_proc *p = telnet(sim, s1, 5 * SIM_S);
    CHECK(p->done);
    CHECK_EQ(p->exit_code, 1);
    CHECK_STR(p->out, "Trying 10.0.0.2...\n"
                      "Connected to srv.\n"
                      "Escape character is '^]'.\n"
                      "Ubuntu 22.04 LTS\n"
                      "srv login: root\n"
                      "Password: \n"
                      "\n"
                      "Login incorrect\n"
                      "srv login: root\n"
                      "Password: \n"
                      "Welcome to Ubuntu 22.04 LTS\n"
                      "\n"
                      "root@srv:~# whoami\n"
                      "root\n"
                      "root@srv:~# id\n"
                      "uid=0(root) gid=0(root) groups=0(root)\n"
                      "root@srv:~# hostname\n"
                      "srv\n"
                      "root@srv:~# uname -a\n"
                      "Linux srv " TELNETD_KERNEL " " TELNETD_UNAME "\n"
                      "root@srv:~# pwd\n"
                      "/root\n"
                      "root@srv:~# ls\n"
                      "flag.txt  notes\n"
                      "root@srv:~# cat flag.txt ~/notes nope\n"
                      "FLAG{T}\n"
                      "a\n"
                      "b\n"
                      "cat: nope: No such file or directory\n"
                      "root@srv:~# echo 'two  words' x\n"
                      "two  words x\n"
                      "root@srv:~# frob\n"
                      "-bash: frob: command not found\n"
                      "root@srv:~# \n"
                      "root@srv:~# exit\n"
                      "logout\n"
                      "Connection closed by foreign host.\n");
    /* the server's offer and the client's answers, as sent on the wire */
    static const uint8_t offer[] = {TN_IAC, TN_WILL, TNO_ECHO, TN_IAC, TN_WILL, TNO_SGA};
    static const uint8_t answer[] = {TN_IAC, TN_DO, TNO_ECHO, TN_IAC, TN_DO, TNO_SGA};
    bool seen_offer = false, seen_answer = false;
    for (size_t i = 0; i < log.n; i++) {
        const struct fx_step *s = &log.s[i];
        if (s->kind != TK_TRANSMIT || s->len < 54 + 6) continue;
        const uint8_t *pl = s->frame + 54; /* Ethernet, IPv4, TCP without options */
        if (!memcmp(pl, offer, 6)) seen_offer = true;
        if (!memcmp(pl, answer, 6)) seen_answer = true;
    }
    CHECK(seen_offer);
    CHECK(seen_answer);
    CHECK(fx_count(&log, TK_DELIVER, "srv", "Login: accepted") == 1);
    shell_proc_free(p);

    /* another user's prompt; three failures hang up */
    static const char *const s2[] = {"ann", "pw", "whoami", "pwd", "exit", NULL};
    p = telnet(sim, s2, 5 * SIM_S);
    CHECK(strstr(p->out, "ann@srv:~$ whoami\nann\nann@srv:~$ pwd\n/home/ann\nann@srv:~$ exit\n"));
    shell_proc_free(p);
    static const char *const s3[] = {"a", "1", "b", "2", "c", "3", "whoami", NULL};
    p = telnet(sim, s3, 5 * SIM_S);
    CHECK(strstr(p->out, "srv login: c\nPassword: \n\nLogin incorrect\nConnection closed by "
                         "foreign host.\n"));
    CHECK(!strstr(p->out, "whoami"));
    shell_proc_free(p);
    fx_log_free(&log);
    sim_free(sim);
}

/* ---- a raw client: CR NUL, backspace, an option the server refuses ---- */

struct raw {
    uint8_t in[4096];
    size_t n;
};

static void raw_recv(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    (void)c;
    struct raw *r = ctx;
    if (r->n + len <= sizeof r->in) {
        memcpy(r->in + r->n, data, len);
        r->n += len;
    }
}

static const struct tcp_callbacks raw_cb = {.recv = raw_recv};

#define HAS(r, lit) has((r), (lit), sizeof(lit) - 1)
static bool has(const struct raw *r, const void *what, size_t n)
{
    for (size_t i = 0; i + n <= r->n; i++)
        if (!memcmp(r->in + i, what, n)) return true;
    return false;
}

static void test_raw(void)
{
    struct sim *sim = fx_build(net_json, 1);
    struct raw r = {0};
    struct netstack *h1 = node_stack(sim_find_node(sim, "h1"));
    struct tcp_conn *c = tcp_connect(h1, IP(10, 0, 0, 2), TELNET_PORT, &raw_cb, &r);
    sim_run_until(sim, sim_now(sim) + 100 * SIM_MS);
    static const uint8_t msg[] = {
        TN_IAC, TN_DO, TNO_TTYPE, TN_IAC, TN_WILL, TNO_NAWS, TN_IAC, TN_DO, TNO_ECHO, 'r',
        'o',    'x',   0x7f,      'o',    't',     '\r',     0,      't',   'o',      'o',
        'r',    '\r',  '\n',      'w',    'h',     'o',      'a',    'm',   'i',      '\n'};
    tcp_send(c, msg, sizeof msg);
    sim_run_until(sim, sim_now(sim) + 500 * SIM_MS);
    static const uint8_t refuse[] = {TN_IAC, TN_WONT, TNO_TTYPE, TN_IAC, TN_DONT, TNO_NAWS};
    CHECK(has(&r, refuse, sizeof refuse));
    /* the refusals come right after the prompt, before the echo */
    CHECK(HAS(&r, "srv login: \xff\xfc\x18\xff\xfe\x1froot\r\nPassword: \r\nWelcome"));
    CHECK(HAS(&r, "root@srv:~# whoami\r\nroot\r\n"));
    /* DO ECHO when echoing already: no answer (RFC 854), so one WILL ECHO only */
    static const uint8_t will_echo[] = {TN_IAC, TN_WILL, TNO_ECHO};
    size_t count = 0;
    for (size_t i = 0; i + 3 <= r.n; i++)
        count += !memcmp(r.in + i, will_echo, 3);
    CHECK_EQ(count, 1);
    /* DONT ECHO: the server stops echoing and says so */
    static const uint8_t dont_echo[] = {TN_IAC, TN_DONT, TNO_ECHO, 'i', 'd', '\r', '\n'};
    r.n = 0;
    tcp_send(c, dont_echo, sizeof dont_echo);
    sim_run_until(sim, sim_now(sim) + 500 * SIM_MS);
    CHECK(r.n > 3 && r.in[0] == TN_IAC && r.in[1] == TN_WONT && r.in[2] == TNO_ECHO);
    CHECK(HAS(&r, "uid=0(root)") && !HAS(&r, "id\r\n"));
    sim_free(sim); /* the session is still open: freed with the stack */
}

int main(void)
{
    test_wire();
    test_dissector();
    test_session();
    test_raw();
    return check_done();
}
