/* shell_whois.c - `whois [-h HOST] [-p PORT] NAME`, the WHOIS client
 * (RFC 3912) of the host shell, imitating Debian's whois 5.5.
 *
 * It connects to TCP port 43 of the server, sends NAME and CRLF, prints
 * what comes back (CR before LF dropped) and exits 0 when the server
 * closes. Which server: -h HOST when given; otherwise the one real whois
 * uses for the new generic TLDs, "whois.nic.<TLD>" (whois.nic.test for
 * galaxy.test), looked up like any host name (a node of that name, or
 * DNS). A NAME without a dot has no TLD: "No whois server is known for
 * this kind of object." (exit 1), as whois says for what its tables do not
 * cover. Failures print whois's messages and exit 2: "getaddrinfo(HOST):
 * Name or service not known", "connect: Connection refused". */
#include "shell_priv.h"
#include "protocols/tcp.h"
#include "protocols/whois_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct whois_cli {
    struct shell_proc *p;
    struct shell_lookup *lookup;
    struct tcp_conn *c;
    char server[256];
    char query[WHOIS_QUERY_MAX + 2];
    uint16_t port;
    bool connected;
    bool cr; /* the last byte received was a CR not yet shown */
};

static void wc_drop(struct whois_cli *w)
{
    if (!w->c) return;
    struct tcp_conn *c = w->c;
    tcp_set_callbacks(c, NULL, NULL);
    w->c = NULL;
    tcp_close(c);
}

static void wc_recv(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    (void)c;
    struct whois_cli *w = ctx;
    if (w->p->done) return;
    /* shown as a terminal shows it: CR before LF dropped */
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (w->cr) {
            w->cr = false;
            if (data[i] != '\n') proc_write(w->p, "\r", 1);
        }
        if (data[i] == '\r') {
            proc_write(w->p, (const char *)data + start, i - start);
            w->cr = true;
            start = i + 1;
        }
    }
    proc_write(w->p, (const char *)data + start, len - start);
}

static void wc_peer_closed(void *ctx, struct tcp_conn *c)
{
    (void)c;
    struct whois_cli *w = ctx;
    /* RFC 3912: the server's close ends the answer */
    wc_drop(w);
    if (!w->p->done) proc_exit(w->p, 0);
}

static void wc_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    struct whois_cli *w = ctx;
    w->c = NULL;
    if (w->p->done) return;
    if (!w->connected) {
        proc_printf(w->p, "connect: %s\n", tcp_reason_str(why));
        proc_exit(w->p, 2);
    } else if (why == TCP_REASON_CLOSED) {
        proc_exit(w->p, 0);
    } else {
        proc_printf(w->p, "read: %s\n", tcp_reason_str(why));
        proc_exit(w->p, 2);
    }
}

static void wc_connected(void *ctx, struct tcp_conn *c)
{
    struct whois_cli *w = ctx;
    w->connected = true;
    tcp_send(c, w->query, strlen(w->query));
    tcp_send(c, "\r\n", 2);
}

static const struct tcp_callbacks wc_tcp = {
    .connected = wc_connected,
    .recv = wc_recv,
    .peer_closed = wc_peer_closed,
    .closed = wc_closed,
};

static void wc_resolved(struct shell_proc *p, enum shell_res how, uint32_t addr)
{
    struct whois_cli *w = p->state;
    w->lookup = NULL;
    if (p->done) return;
    if (how >= SHELL_RES_NOTFOUND) {
        proc_printf(p, "getaddrinfo(%s): %s\n", w->server, shell_res_error(how));
        proc_exit(p, 2);
        return;
    }
    w->c = tcp_connect(node_stack(p->node), addr, w->port, &wc_tcp, w);
    if (!w->c) {
        proc_printf(p, "connect: %s\n", tcp_reason_str(TCP_REASON_NO_ROUTE));
        proc_exit(p, 2);
    }
}

static void whois_free_state(void *s)
{
    struct whois_cli *w = s;
    if (!w) return;
    shell_lookup_cancel(w->lookup);
    wc_drop(w);
    free(w);
}

static void whois_finish(struct shell_proc *p)
{
    wc_drop(p->state);
}

void cmd_whois(struct shell_proc *p, int argc, char **argv)
{
    static const char usage[] = "Usage: whois [OPTION]... OBJECT...\n\n"
                                "-h HOST, --host HOST   connect to server HOST\n"
                                "-p PORT, --port PORT   connect to PORT\n";
    struct whois_cli *w = calloc(1, sizeof *w);
    if (!w) abort();
    w->p = p;
    w->port = WHOIS_PORT;
    p->state = w;
    p->free_state = whois_free_state;
    p->finish = whois_finish;
    const char *host = NULL, *name = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--host") || !strcmp(a, "-p") || !strcmp(a, "--port")) {
            if (i + 1 == argc) {
                proc_printf(p, "whois: option requires an argument -- '%s'\n%s", a + 1, usage);
                proc_exit(p, 2);
                return;
            }
            const char *v = argv[++i];
            if (a[1] == 'h' || a[2] == 'h') {
                host = v;
            } else {
                double port;
                if (!shell_parse_num(v, 1, 65535, &port) || port != (double)(uint16_t)port) {
                    proc_printf(p, "whois: portname not found\n");
                    proc_exit(p, 2);
                    return;
                }
                w->port = (uint16_t)port;
            }
        } else if (!strcmp(a, "-H")) {
            /* hide legal disclaimers: there are none here */
        } else if (a[0] == '-' && a[1]) {
            proc_printf(p, "whois: invalid option -- '%s'\n%s", a + 1, usage);
            proc_exit(p, 2);
            return;
        } else if (name) {
            proc_printf(p, "whois: one object at a time here\n");
            proc_exit(p, 2);
            return;
        } else {
            name = a;
        }
    }
    if (!name) {
        proc_printf(p, "%s", usage);
        proc_exit(p, 2);
        return;
    }
    if (strlen(name) > WHOIS_QUERY_MAX) {
        proc_printf(p, "whois: the object is too long\n");
        proc_exit(p, 2);
        return;
    }
    snprintf(w->query, sizeof w->query, "%s", name);
    if (host) {
        snprintf(w->server, sizeof w->server, "%s", host);
    } else {
        size_t n = strlen(name);
        while (n && name[n - 1] == '.')
            n--;
        const char *dot = NULL;
        for (size_t i = 0; i < n; i++)
            if (name[i] == '.') dot = name + i;
        if (!dot || dot + 1 == name + n) {
            proc_printf(p, "No whois server is known for this kind of object.\n");
            proc_exit(p, 1);
            return;
        }
        snprintf(w->server, sizeof w->server, "whois.nic.%.*s", (int)(name + n - dot - 1), dot + 1);
    }
    w->lookup = shell_resolve_async(p, w->server, wc_resolved);
}
