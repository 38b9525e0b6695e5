/* shell_tcp.c - TCP in the host shell: `ss` (iproute2's socket list, TCP
 * only) and `telnet HOST [PORT]`, the client of the seeds' "telnet to port
 * 80".
 *
 * ss prints what iproute2 6.1 prints for `ss -tan`: State, Recv-Q, Send-Q,
 * Local Address:Port, Peer Address:Port, columns as wide as their longest
 * entry, the address right-aligned before its ':'. Without -a it leaves out
 * listeners, TIME-WAIT and SYN-RECV (ss's default filter); -l shows only
 * listeners; without -n ports show as service names (80 -> http).
 *
 * telnet prints what netkit telnet prints ("Trying 10.0.0.2...",
 * "Connected to web.", "Escape character is '^]'.", then what the server
 * sends, and "Connection closed by foreign host." with exit 1 when the
 * server closes, as the real one does; "telnet: Unable to connect to remote
 * host: Connection refused", exit 1, on a RST). Lines typed (a timeline
 * entry's `input`) are sent each followed by CRLF once connected, paced as
 * a person types them (shell_typist.h): each after the server's answer to
 * the one before, or all at once when pasted. telnet starts no option negotiation (as netkit
 * telnet on a port other than 23) but reads the server's IAC commands out
 * of what it shows and answers them (RFC 854): DO to a server's WILL ECHO
 * or WILL SUPPRESS-GO-AHEAD, DONT to other WILLs, WONT to every DO; a 255
 * it types is sent as IAC IAC. CR before LF is dropped from what is shown.
 * Like `telnet host port < file`, input ends after the last line: when
 * nothing has been received for 2 s of simulated time and no line waits,
 * telnet closes its side ("Connection closed.") and exits 0 once the
 * connection is closed. */
#include "shell_priv.h"
#include "shell_typist.h"
#include "protocols/ip4.h"
#include "protocols/tcp.h"
#include "protocols/telnet_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TELNET_QUIET (2 * SIM_S)

static const struct {
    const char *name;
    uint16_t port;
} services[] = {
    {"echo", 7},    {"discard", 9},      {"ftp-data", 20}, {"ftp", 21},
    {"ssh", 22},    {"telnet", 23},      {"smtp", 25},     {"whois", 43},
    {"domain", 53}, {"http", 80},        {"pop3", 110},    {"imap2", 143},
    {"https", 443}, {"submission", 587}, {"imaps", 993},   {"pop3s", 995},
};

static const char *service_name(uint16_t port)
{
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
        if (services[i].port == port) return services[i].name;
    return NULL;
}

static bool parse_port(const char *s, uint16_t *out)
{
    double v;
    if (shell_parse_num(s, 1, 65535, &v) && v == (double)(uint16_t)v) {
        *out = (uint16_t)v;
        return true;
    }
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
        if (!strcmp(services[i].name, s) || (!strcmp(s, "www") && services[i].port == 80) ||
            (!strcmp(s, "imap") && services[i].port == 143)) {
            *out = !strcmp(s, "www") ? 80 : !strcmp(s, "imap") ? 143 : services[i].port;
            return true;
        }
    return false;
}

/* ---- ss ---- */

struct ss_row {
    const char *state;
    char recv_q[12], send_q[12];
    char laddr[16], lport[12], raddr[16], rport[12];
};

static void ss_port(char *buf, size_t cap, uint16_t port, bool numeric)
{
    const char *name = numeric ? NULL : service_name(port);
    if (name)
        snprintf(buf, cap, "%s", name);
    else
        snprintf(buf, cap, "%u", port);
}

static size_t max_sz(size_t a, size_t b)
{
    return a > b ? a : b;
}

void cmd_ss(struct shell_proc *p, int argc, char **argv)
{
    bool all = false, listening = false, numeric = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0') {
            proc_printf(p, "ss: filters are not supported here; try ss -tan\n");
            proc_exit(p, 1);
            return;
        }
        for (const char *o = a + 1; *o; o++) {
            switch (*o) {
            case 'a':
                all = true;
                break;
            case 'l':
                listening = true;
                break;
            case 'n':
                numeric = true;
                break;
            case 't':
            case '4':
                break;
            default:
                proc_printf(p, "ss: invalid option -- '%c'\nUsage: ss [ -tanl ]\n", *o);
                proc_exit(p, 1);
                return;
            }
        }
    }
    struct netstack *st = node_stack(p->node);
    size_t n = tcp_sockets(st, NULL, 0);
    struct tcp_sock_info *info = calloc(n ? n : 1, sizeof *info);
    struct ss_row *rows = calloc(n ? n : 1, sizeof *rows);
    if (!info || !rows) abort();
    tcp_sockets(st, info, n);
    size_t nr = 0;
    size_t w_state = 5, w_rq = 6, w_sq = 6, w_la = 13, w_lp = 4, w_ra = 12, w_rp = 4;
    for (size_t i = 0; i < n; i++) {
        const struct tcp_sock_info *s = &info[i];
        bool is_listen = s->state == TCP_LISTEN;
        bool hidden = s->state == TCP_TIME_WAIT || s->state == TCP_SYN_RECEIVED;
        if (listening ? !is_listen : !all && (is_listen || hidden)) continue;
        struct ss_row *r = &rows[nr++];
        r->state = tcp_state_ss_name(s->state);
        snprintf(r->recv_q, sizeof r->recv_q, "%u", s->recv_q);
        snprintf(r->send_q, sizeof r->send_q, "%u", s->send_q);
        ip4_str(s->laddr, r->laddr);
        ss_port(r->lport, sizeof r->lport, s->lport, numeric);
        if (is_listen) {
            snprintf(r->raddr, sizeof r->raddr, "0.0.0.0");
            snprintf(r->rport, sizeof r->rport, "*");
        } else {
            ip4_str(s->raddr, r->raddr);
            ss_port(r->rport, sizeof r->rport, s->rport, numeric);
        }
        w_state = max_sz(w_state, strlen(r->state));
        w_rq = max_sz(w_rq, strlen(r->recv_q));
        w_sq = max_sz(w_sq, strlen(r->send_q));
        w_la = max_sz(w_la, strlen(r->laddr));
        w_lp = max_sz(w_lp, strlen(r->lport));
        w_ra = max_sz(w_ra, strlen(r->raddr));
        w_rp = max_sz(w_rp, strlen(r->rport));
    }
    proc_printf(p, "%-*s %-*s %-*s %*s:%-*s %*s:%-*sProcess\n", (int)w_state, "State", (int)w_rq,
                "Recv-Q", (int)w_sq, "Send-Q", (int)w_la, "Local Address", (int)w_lp, "Port",
                (int)w_ra, "Peer Address", (int)w_rp, "Port");
    for (size_t i = 0; i < nr; i++) {
        const struct ss_row *r = &rows[i];
        char line[256];
        snprintf(line, sizeof line, "%-*s %-*s %-*s %*s:%-*s %*s:%s", (int)w_state, r->state,
                 (int)w_rq, r->recv_q, (int)w_sq, r->send_q, (int)w_la, r->laddr, (int)w_lp,
                 r->lport, (int)w_ra, r->raddr, r->rport);
        proc_printf(p, "%s\n", line);
    }
    free(info);
    free(rows);
    proc_exit(p, 0);
}

/* ---- telnet ---- */

struct telnet {
    struct shell_proc *p;
    struct shell_lookup *lookup;
    struct tcp_conn *c;
    char host[64];
    uint16_t port;
    bool connected, closing;
    struct typist ty; /* the lines typed */
    struct sim_timer quiet;
    bool last_nl;    /* the output so far ends with a newline */
    char part[1024]; /* a line received in part, shown once complete */
    size_t part_len;
    struct telnet_decoder dec; /* IAC commands in what the server sends */
    bool remote_echo, remote_sga;
};

static void telnet_flush(struct telnet *t);

static void telnet_detach(struct telnet *t)
{
    if (!t->c) return;
    tcp_set_callbacks(t->c, NULL, NULL);
    t->c = NULL;
}

static void telnet_free(void *s)
{
    struct telnet *t = s;
    if (!t) return;
    sim_cancel(t->p->sim, &t->quiet);
    shell_lookup_cancel(t->lookup);
    if (t->c) {
        struct tcp_conn *c = t->c;
        telnet_detach(t);
        tcp_close(c);
    }
    typist_free(&t->ty);
    free(t);
}

static void telnet_finish(struct shell_proc *p)
{
    /* interrupted (the scenario ended): the kernel would close the socket */
    struct telnet *t = p->state;
    sim_cancel(p->sim, &t->quiet);
    typist_close(&t->ty);
    telnet_flush(t);
    if (t->c) {
        struct tcp_conn *c = t->c;
        telnet_detach(t);
        tcp_close(c);
    }
}

static void telnet_quiet(struct sim *sim, void *ctx, uint64_t arg);

static void telnet_arm_quiet(struct telnet *t)
{
    struct sim *sim = t->p->sim;
    sim_cancel(sim, &t->quiet);
    t->quiet = sim_schedule(sim, TELNET_QUIET, telnet_quiet, t, 0);
}

/* Shows what the server sent line by line (a line arriving in pieces is
 * shown once whole, or when telnet ends), as a terminal shows it: CR
 * before LF dropped. */
static void telnet_flush(struct telnet *t)
{
    if (!t->part_len) return;
    proc_printf(t->p, "%.*s", (int)t->part_len, t->part);
    t->last_nl = t->part[t->part_len - 1] == '\n';
    t->part_len = 0;
}

static void telnet_out(struct telnet *t, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') continue;
        if (s[i] == '\0') continue;
        t->part[t->part_len++] = s[i];
        if (s[i] == '\n' || t->part_len == sizeof t->part) telnet_flush(t);
    }
}

static void telnet_send_line(void *ctx, const char *line)
{
    struct telnet *t = ctx;
    size_t n = strlen(line);
    uint8_t *buf = malloc(2 * n + 2);
    if (!buf) abort();
    n = telnet_escape((const uint8_t *)line, n, buf);
    memcpy(buf + n, "\r\n", 2);
    tcp_send(t->c, buf, n + 2);
    free(buf);
    telnet_arm_quiet(t);
}

/* The answer to a server's option request (RFC 854: a request for the
 * state already in is not answered, so negotiation cannot loop). */
static void telnet_option(void *ctx, uint8_t cmd, uint8_t opt)
{
    struct telnet *t = ctx;
    bool *on = opt == TNO_ECHO ? &t->remote_echo : opt == TNO_SGA ? &t->remote_sga : NULL;
    uint8_t out[3] = {TN_IAC, 0, opt};
    if (cmd == TN_WILL) {
        if (on && *on) return;
        if (on) *on = true;
        out[1] = on ? TN_DO : TN_DONT;
    } else if (cmd == TN_WONT) {
        if (!on || !*on) return;
        *on = false;
        out[1] = TN_DONT;
    } else if (cmd == TN_DO) {
        out[1] = TN_WONT; /* the client offers nothing */
    } else {
        return; /* DONT: off already */
    }
    if (t->c) tcp_send(t->c, out, 3);
}

static void telnet_end(struct telnet *t, const char *msg, int code)
{
    sim_cancel(t->p->sim, &t->quiet);
    typist_close(&t->ty);
    telnet_flush(t);
    if (msg) proc_printf(t->p, "%s%s\n", t->last_nl ? "" : "\n", msg);
    proc_exit(t->p, code);
}

static void telnet_connected(void *ctx, struct tcp_conn *c)
{
    struct telnet *t = ctx;
    (void)c;
    t->connected = true;
    proc_printf(t->p, "Connected to %s.\nEscape character is '^]'.\n", t->host);
    t->last_nl = true;
    telnet_arm_quiet(t);
    typist_open(&t->ty);
}

static void telnet_recv(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    (void)c;
    struct telnet *t = ctx;
    uint8_t *plain = malloc(len ? len : 1);
    if (!plain) abort();
    size_t n = telnet_decode(&t->dec, data, len, plain, telnet_option, t);
    telnet_out(t, (const char *)plain, n);
    free(plain);
    if (!t->closing) telnet_arm_quiet(t);
    typist_heard(&t->ty);
}

static void telnet_peer_closed(void *ctx, struct tcp_conn *c)
{
    struct telnet *t = ctx;
    telnet_detach(t);
    tcp_close(c);
    telnet_end(t, t->closing ? NULL : "Connection closed by foreign host.", t->closing ? 0 : 1);
}

static void telnet_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    struct telnet *t = ctx;
    t->c = NULL;
    if (!t->connected) {
        proc_printf(t->p, "telnet: Unable to connect to remote host: %s\n", tcp_reason_str(why));
        telnet_end(t, NULL, 1);
    } else if (t->closing && why == TCP_REASON_CLOSED) {
        telnet_end(t, NULL, 0);
    } else {
        telnet_end(t, "Connection closed by foreign host.", 1);
    }
}

static const struct tcp_callbacks telnet_cb = {
    .connected = telnet_connected,
    .recv = telnet_recv,
    .peer_closed = telnet_peer_closed,
    .closed = telnet_closed,
};

static void telnet_quiet(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct telnet *t = ctx;
    t->quiet = (struct sim_timer){0, 0};
    if (!t->c || t->closing || typist_pending(&t->ty)) return;
    /* input is over and the server is silent: close our side */
    telnet_flush(t);
    t->closing = true;
    typist_close(&t->ty);
    proc_printf(t->p, "%sConnection closed.\n", t->last_nl ? "" : "\n");
    t->last_nl = true;
    tcp_close(t->c);
}

static void telnet_input(struct shell_proc *p, const char *line)
{
    struct telnet *t = p->state;
    if (t->closing) return;
    typist_push(&t->ty, line);
}

static void telnet_resolved(struct shell_proc *p, enum shell_res how, uint32_t addr)
{
    struct telnet *t = p->state;
    t->lookup = NULL;
    if (how != SHELL_RES_ADDR && how != SHELL_RES_HOSTS && how != SHELL_RES_DNS) {
        proc_printf(p, "telnet: could not resolve %s/%u: %s\n", t->host, t->port,
                    shell_res_error(how));
        proc_exit(p, 1);
        return;
    }
    char a[16];
    proc_printf(p, "Trying %s...\n", ip4_str(addr, a));
    t->c = tcp_connect(node_stack(p->node), addr, t->port, &telnet_cb, t);
    if (!t->c) {
        proc_printf(p, "telnet: Unable to connect to remote host: %s\n",
                    tcp_reason_str(TCP_REASON_NO_ROUTE));
        proc_exit(p, 1);
    }
}

void cmd_telnet(struct shell_proc *p, int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        proc_printf(p, "usage: telnet [-l user] [-a] [host-name [port]]\n");
        proc_exit(p, 1);
        return;
    }
    struct telnet *t = calloc(1, sizeof *t);
    if (!t) abort();
    t->p = p;
    t->port = 23;
    snprintf(t->host, sizeof t->host, "%s", argv[1]);
    p->state = t;
    p->free_state = telnet_free;
    p->finish = telnet_finish;
    p->input = telnet_input;
    typist_init(&t->ty, p, telnet_send_line, t);
    if (argc == 3 && !parse_port(argv[2], &t->port)) {
        proc_printf(p, "telnet: could not resolve %s/%s: Servname not supported for ai_socktype\n",
                    argv[1], argv[2]);
        proc_exit(p, 1);
        return;
    }
    t->lookup = shell_resolve_async(p, argv[1], telnet_resolved);
}
