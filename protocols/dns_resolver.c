/* dns_resolver.c - the stub resolver (see dns.h): queries over UDP from a
 * fresh port with an id from the node's RNG, timeouts and retries over the
 * configured servers, ICMP errors, the checks that keep forged answers out
 * (RFC 5452), and what an answer says (addresses, CNAMEs followed). */
#include "dns_priv.h"
#include "icmp.h"
#include "ip4.h"
#include "tcp.h"
#include "udp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dns_query {
    struct dns_query *next;
    struct netstack *st;
    char name[DNS_NAME_TEXT_MAX];
    uint16_t type;
    struct dns_query_opts o;
    uint32_t servers[4];
    int n_servers, si, round;
    uint16_t id;
    uint8_t qbuf[DNS_UDP_MAX];
    int qlen;
    struct udp_sock *sock;
    struct tcp_conn *tcp; /* asking over TCP (after TC, or dig +tcp) */
    uint8_t *tbuf;        /* the answer over TCP, gathered: length + message */
    size_t thave;
    struct sim_timer timer;
    sim_time sent_at;
    dns_done_fn fn;
    void *ctx;
    int timeouts, refused, noroute, failed; /* what went wrong so far */
    uint8_t last_rcode;
    bool finishing;
    enum dns_status bad; /* set before the first send: fail with this */
};

struct dns_client {
    struct dns_query *head;
};

static const char *q_who(const struct dns_query *q)
{
    return q->o.who ? q->o.who : "the resolver";
}

static void q_unlink(struct dns_query *q)
{
    struct dns_client *c = q->st->dns_cli;
    for (struct dns_query **pp = &c->head; *pp; pp = &(*pp)->next)
        if (*pp == q) {
            *pp = q->next;
            break;
        }
}

/* Drops the TCP connection, if any; its callbacks will not run. */
static void q_tcp_drop(struct dns_query *q, bool graceful)
{
    if (!q->tcp) return;
    if (graceful) {
        static const struct tcp_callbacks none;
        tcp_set_callbacks(q->tcp, &none, NULL);
        tcp_close(q->tcp); /* RFC 7766 6.2.1: the client closes */
    } else {
        tcp_abort(q->tcp);
    }
    q->tcp = NULL;
    q->thave = 0;
}

/* teardown: the stack is going away, and TCP frees its own connections. */
static void q_release(struct dns_query *q, bool teardown)
{
    sim_cancel(q->st->sim, &q->timer);
    if (!teardown) q_tcp_drop(q, false);
    if (q->sock) udp_close(q->sock);
    q->sock = NULL;
    free(q->tbuf);
    free(q);
}

/* Collects the addresses of the name the answer is about, following the
 * CNAME records in it. */
static void result_addrs(const uint8_t *m, size_t len, const struct dns_query *q,
                         struct dns_result *r, bool *found)
{
    struct dns_hdr h;
    *found = false;
    snprintf(r->canon, sizeof r->canon, "%s", q->name);
    if (dns_hdr_parse(m, len, &h)) return;
    size_t off = DNS_HDR_LEN;
    struct dns_question qq;
    for (unsigned i = 0; i < h.qd; i++)
        if (dns_question_read(m, len, &off, &qq)) return;
    size_t ans = off;
    struct dns_rr *rr = dns_xalloc(sizeof *rr);
    for (int hop = 0; hop <= DNS_CNAME_MAX; hop++) {
        bool moved = false;
        off = ans;
        for (unsigned i = 0; i < h.an && !moved; i++) {
            if (dns_rr_read(m, len, &off, rr)) break;
            if (!dns_name_eq(rr->name, r->canon)) continue;
            if (rr->type == DNS_T_CNAME && q->type != DNS_T_CNAME) {
                snprintf(r->canon, sizeof r->canon, "%s", rr->target);
                moved = true;
            }
        }
        if (!moved) break;
    }
    off = ans;
    for (unsigned i = 0; i < h.an; i++) {
        if (dns_rr_read(m, len, &off, rr)) break;
        if (!dns_name_eq(rr->name, r->canon)) continue;
        if (rr->type == q->type || q->type == DNS_T_ANY) *found = true;
        if (rr->type == DNS_T_A && q->type == DNS_T_A && r->n_addr < DNS_RESULT_ADDRS)
            r->addr[r->n_addr++] = rr->a;
    }
    free(rr);
}

static void q_finish(struct dns_query *q, enum dns_status status, const uint8_t *msg, size_t len,
                     bool tcp)
{
    struct dns_result *r = dns_xalloc(sizeof *r);
    r->status = status;
    r->server = q->n_servers ? q->servers[q->si < q->n_servers ? q->si : 0] : 0;
    r->tcp = tcp;
    r->id = q->id;
    r->msg = msg;
    r->len = len;
    r->rcode = q->last_rcode;
    r->rtt = sim_now(q->st->sim) - q->sent_at;
    snprintf(r->canon, sizeof r->canon, "%s", q->name);
    if (msg) {
        bool found;
        result_addrs(msg, len, q, r, &found);
    }
    q_unlink(q);
    sim_cancel(q->st->sim, &q->timer);
    q_tcp_drop(q, true);
    q->finishing = true;
    if (q->fn) q->fn(q->ctx, r);
    free(r);
    q_release(q, false);
}

static void q_send(struct dns_query *q);

/* On to the next server, or the next round, or give up. */
static void q_advance(struct dns_query *q)
{
    sim_cancel(q->st->sim, &q->timer);
    q_tcp_drop(q, false);
    if (++q->si >= q->n_servers) {
        q->si = 0;
        if (++q->round >= q->o.tries) {
            q->si = q->n_servers - 1;
            enum dns_status st = q->failed     ? DNS_ST_SERVFAIL
                                 : q->timeouts ? DNS_ST_TIMEOUT
                                 : q->refused  ? DNS_ST_REFUSED
                                               : DNS_ST_NO_ROUTE;
            if (trace_on(q->st->sim, TRACE_LAYERS))
                trace_note(q->st->sim, TRACE_LAYERS, TK_STATE, q->st->node, NULL, 7, 0, "DNS",
                           "DNS lookup failed",
                           "%s asked every server it knows %d time%s for %s and got no usable "
                           "answer, so the lookup fails.",
                           q_who(q), q->o.tries, q->o.tries == 1 ? "" : "s", q->name);
            q_finish(q, st, NULL, 0, false);
            return;
        }
    }
    q_send(q);
}

static void q_timeout(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct dns_query *q = ctx;
    q->timer = (struct sim_timer){0, 0};
    q->timeouts++;
    uint32_t srv = q->servers[q->si];
    if (trace_on(sim, TRACE_LAYERS)) {
        char a[16];
        trace_note(sim, TRACE_LAYERS, TK_STATE, q->st->node, NULL, 7, 0, "DNS",
                   "DNS query timed out",
                   "No answer from %s within %lld s (id 0x%04x): the query or the answer may be "
                   "lost, so %s tries again, with the next server if there is one.",
                   ip4_str(srv, a), (long long)(q->o.timeout / SIM_S), q->id, q_who(q));
    }
    if (q->o.progress) q->o.progress(q->ctx, DNS_PR_TIMEOUT, srv);
    q_advance(q); /* drops a TCP connection that got no answer */
}

static void q_tcp_start(struct dns_query *q, bool after_tc);

static void q_send(struct dns_query *q)
{
    if (q->o.tcp) {
        q_tcp_start(q, false);
        return;
    }
    struct sim *sim = q->st->sim;
    uint32_t srv = q->servers[q->si];
    char a[16], tb[16];
    if (trace_on(sim, TRACE_LAYERS))
        stack_step(sim, TRACE_LAYERS, q->st->node, NULL, 7, TK_ENCAP, NULL, "DNS",
                   "DNS query: %s asks %s for the %s record of %s (id 0x%04x)\nTo learn it, %s "
                   "sends a DNS query over UDP to port 53 of %s%s, and waits %lld s for the "
                   "answer before it tries again.",
                   q->st->node->name, ip4_str(srv, a), dns_type_str(q->type, tb, sizeof tb),
                   q->name, q->id, q_who(q),
                   q->o.server ? "the server it was given" : "a configured name server",
                   q->round || q->si ? " (a new try: the last one got no usable answer)" : "",
                   (long long)(q->o.timeout / SIM_S));
    q->sent_at = sim_now(sim);
    int rc = udp_sendto(q->sock, srv, DNS_PORT, q->qbuf, (size_t)q->qlen, NULL);
    if (rc == IP4_NO_ROUTE) {
        q->noroute++;
        if (q->o.progress) q->o.progress(q->ctx, DNS_PR_NO_ROUTE, srv);
        q_advance(q);
        return;
    }
    q->timer = sim_schedule(sim, q->o.timeout, q_timeout, q, 0);
}

/* The server could not be reached: nothing listens on its port 53
 * (refused), or it or the way to it is gone. */
static void q_unreachable(struct dns_query *q, bool refused, uint32_t srv)
{
    if (refused)
        q->refused++;
    else
        q->noroute++;
    if (q->o.progress) q->o.progress(q->ctx, refused ? DNS_PR_REFUSED : DNS_PR_UNREACH, srv);
}

/* An answer (over UDP or TCP) from the server asked: checked, then taken. */
static void q_response(struct dns_query *q, const uint8_t *data, size_t len, const struct iface *in,
                       const struct pkt *p, bool tcp)
{
    struct sim *sim = q->st->sim;
    uint32_t srv = q->servers[q->si];
    struct dns_hdr h;
    struct dns_question qq;
    size_t off = DNS_HDR_LEN;
    const char *bad = NULL;
    if (dns_hdr_parse(data, len, &h) || !(h.flags & DNS_F_QR))
        bad = "it is not a DNS response";
    else if (h.id != q->id)
        bad = "its id does not match the query's";
    else if (h.qd != 1 || dns_question_read(data, len, &off, &qq) || qq.type != q->type ||
             !dns_name_eq(qq.name, q->name))
        bad = "its question is not the one asked";
    if (bad) {
        if (trace_on(sim, TRACE_LAYERS))
            stack_step(sim, TRACE_LAYERS, q->st->node, in, 7, TK_DROP, p, "DNS",
                       "DNS reply ignored\nThe resolver drops this message because %s: "
                       "checking address, port, id and question is what keeps forged answers "
                       "out (RFC 5452).",
                       bad);
        return;
    }
    sim_cancel(sim, &q->timer);
    unsigned rcode = h.flags & DNS_F_RCODE_MASK;
    q->last_rcode = (uint8_t)rcode;
    if ((h.flags & DNS_F_TC) && !tcp) {
        if (q->o.progress) q->o.progress(q->ctx, DNS_PR_TRUNCATED, srv);
        q_tcp_start(q, true);
        return;
    }
    if (rcode != DNS_R_NOERROR && rcode != DNS_R_NXDOMAIN && !q->o.any_rcode) {
        if (trace_on(sim, TRACE_LAYERS)) {
            char a[16];
            stack_step(sim, TRACE_LAYERS, q->st->node, in, 7, TK_DELIVER, p, "DNS",
                       "DNS answer %s\n%s answered %s, which says nothing about the name, so %s "
                       "tries the next server, if there is one.",
                       dns_rcode_str(rcode), ip4_str(srv, a), dns_rcode_str(rcode), q_who(q));
        }
        q->failed++;
        q_advance(q);
        return;
    }
    struct dns_result *probe = dns_xalloc(sizeof *probe);
    bool found = false;
    result_addrs(data, len, q, probe, &found);
    enum dns_status st = rcode == DNS_R_NXDOMAIN  ? DNS_ST_NXDOMAIN
                         : rcode != DNS_R_NOERROR ? DNS_ST_SERVFAIL
                         : found                  ? DNS_ST_OK
                                                  : DNS_ST_NODATA;
    if (trace_on(sim, TRACE_LAYERS)) {
        char a[16], what[DNS_NAME_TEXT_MAX + 64];
        if (st == DNS_ST_OK && probe->n_addr)
            snprintf(what, sizeof what, "%s has address %s%s", probe->canon,
                     ip4_str(probe->addr[0], a), probe->n_addr > 1 ? " and more" : "");
        else if (st == DNS_ST_OK)
            snprintf(what, sizeof what, "the records asked for %s", q->name);
        else if (st == DNS_ST_NXDOMAIN)
            snprintf(what, sizeof what, "%s does not exist (NXDOMAIN)", q->name);
        else if (st == DNS_ST_NODATA)
            snprintf(what, sizeof what, "%s has no record of that type", q->name);
        else
            snprintf(what, sizeof what, "%s", dns_rcode_str(rcode));
        stack_step(sim, TRACE_LAYERS, q->st->node, in, 7, TK_DELIVER, p, "DNS",
                   "DNS answer: %s\nThe reply comes from port 53 of the server asked%s, with "
                   "the query's id 0x%04x and its question, so %s accepts it.",
                   what, tcp ? " over TCP" : "", q->id, q_who(q));
    }
    free(probe);
    q_finish(q, st, data, len, tcp);
}

static void q_udp_input(void *ctx, struct udp_sock *s, const struct udp_meta *m,
                        const uint8_t *data, size_t len)
{
    (void)s;
    struct dns_query *q = ctx;
    struct sim *sim = q->st->sim;
    if (q->tcp || m->src != q->servers[q->si] || m->sport != DNS_PORT) {
        if (trace_on(sim, TRACE_LAYERS))
            stack_step(sim, TRACE_LAYERS, q->st->node, m->in, 7, TK_DROP, m->p, "DNS",
                       "DNS reply ignored\nThe resolver drops this datagram because it does "
                       "not come from port 53 of the server it is waiting for: checking "
                       "address, port, id and question is what keeps forged answers out (RFC "
                       "5452).");
        return;
    }
    q_response(q, data, len, m->in, m->p, false);
}

/* ---- over TCP (RFC 1035 4.2.2, RFC 7766): each message behind a 2-byte
 * length; used when a UDP answer comes back truncated (TC). ---- */

static void q_tcp_connected(void *ctx, struct tcp_conn *c)
{
    struct dns_query *q = ctx;
    uint8_t len[2];
    put_be16(len, (uint16_t)q->qlen);
    tcp_send(c, len, 2);
    tcp_send(c, q->qbuf, (size_t)q->qlen); /* both leave in one segment */
}

static void q_tcp_recv(void *ctx, struct tcp_conn *c, const uint8_t *data, size_t len)
{
    (void)c;
    struct dns_query *q = ctx;
    if (!q->tbuf) q->tbuf = dns_xalloc(2 + DNS_TCP_MAX);
    size_t room = 2 + DNS_TCP_MAX - q->thave, k = len < room ? len : room;
    memcpy(q->tbuf + q->thave, data, k);
    q->thave += k;
    if (q->thave < 2 || q->thave < 2 + (size_t)get_be16(q->tbuf)) return; /* more to come */
    size_t mlen = get_be16(q->tbuf);
    uint8_t *msg = q->tbuf;
    q->tbuf = NULL; /* q_response may finish and free q */
    q->thave = 0;
    q_response(q, msg + 2, mlen, NULL, NULL, true);
    free(msg);
}

static void q_tcp_closed(void *ctx, struct tcp_conn *c, enum tcp_reason why)
{
    (void)c;
    struct dns_query *q = ctx;
    uint32_t srv = q->servers[q->si];
    q->tcp = NULL; /* no longer ours */
    q_unreachable(q, why == TCP_REASON_REFUSED, srv);
    if (trace_on(q->st->sim, TRACE_LAYERS)) {
        char a[16];
        trace_note(q->st->sim, TRACE_LAYERS, TK_STATE, q->st->node, NULL, 7, 0, "DNS",
                   "DNS over TCP failed",
                   "The TCP connection to %s ended before an answer came (%s), so %s moves on.",
                   ip4_str(srv, a), tcp_reason_str(why), q_who(q));
    }
    q_advance(q);
}

static void q_tcp_start(struct dns_query *q, bool after_tc)
{
    static const struct tcp_callbacks cb = {
        .connected = q_tcp_connected, .recv = q_tcp_recv, .closed = q_tcp_closed};
    struct sim *sim = q->st->sim;
    uint32_t srv = q->servers[q->si];
    char a[16], tb[16];
    if (trace_on(sim, TRACE_LAYERS))
        stack_step(sim, TRACE_LAYERS, q->st->node, NULL, 7, TK_ENCAP, NULL, "DNS",
                   "DNS query over TCP: %s asks %s for the %s record of %s (id 0x%04x)\n%s, so "
                   "%s opens a TCP connection to port 53 of %s and sends the query there with "
                   "a 2-byte length in front; over TCP an answer may take up to 65535 bytes.",
                   q->st->node->name, ip4_str(srv, a), dns_type_str(q->type, tb, sizeof tb),
                   q->name, q->id,
                   after_tc ? "The answer over UDP came back truncated (TC set): it did not "
                              "fit in 512 bytes"
                            : "It was told to use TCP",
                   q_who(q), a);
    q->sent_at = sim_now(sim);
    q->thave = 0;
    q->tcp = tcp_connect(q->st, srv, DNS_PORT, &cb, q);
    if (!q->tcp) {
        q->noroute++;
        if (q->o.progress) q->o.progress(q->ctx, DNS_PR_NO_ROUTE, srv);
        q_advance(q);
        return;
    }
    q->timer = sim_schedule(sim, q->o.timeout, q_timeout, q, 0);
}

static void q_udp_error(void *ctx, struct udp_sock *s, uint32_t from, uint8_t type, uint8_t code,
                        uint32_t dst, uint16_t dport, const struct pkt *icmp_pkt)
{
    (void)s;
    (void)from;
    (void)icmp_pkt;
    struct dns_query *q = ctx;
    if (dst != q->servers[q->si] || dport != DNS_PORT || type != ICMP_DEST_UNREACH) return;
    q_unreachable(q, code == ICMP_PORT_UNREACH, dst);
    if (trace_on(q->st->sim, TRACE_LAYERS)) {
        char a[16];
        trace_note(q->st->sim, TRACE_LAYERS, TK_STATE, q->st->node, NULL, 7, 0, "DNS",
                   "DNS server unreachable",
                   "An ICMP error says %s cannot take the query (%s), so %s moves on without "
                   "waiting for the timeout.",
                   ip4_str(dst, a),
                   code == ICMP_PORT_UNREACH ? "nothing listens on its port 53"
                                             : "it cannot be reached",
                   q_who(q));
    }
    q_advance(q);
}

static void q_kick(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct dns_query *q = ctx;
    q->timer = (struct sim_timer){0, 0};
    if (q->bad != DNS_ST_OK) {
        q_finish(q, q->bad, NULL, 0, false);
        return;
    }
    q_send(q);
}

struct dns_query *dns_query_start(struct netstack *st, const char *name, uint16_t type,
                                  const struct dns_query_opts *o, dns_done_fn fn, void *ctx)
{
    struct dns_query *q = dns_xalloc(sizeof *q);
    q->st = st;
    q->type = type;
    q->fn = fn;
    q->ctx = ctx;
    if (o) q->o = *o;
    if (!q->o.timeout) q->o.timeout = DNS_TIMEOUT;
    if (q->o.tries <= 0) q->o.tries = DNS_TRIES;
    snprintf(q->name, sizeof q->name, "%s", name);
    size_t n = strlen(q->name);
    if (n > 1 && q->name[n - 1] == '.' && q->name[n - 2] != '\\') q->name[n - 1] = 0;
    q->id = (uint16_t)rng_next(&st->node->rng);
    if (q->o.server) {
        q->servers[q->n_servers++] = q->o.server;
    } else {
        for (int i = 0; i < st->n_dns && i < 4; i++)
            q->servers[q->n_servers++] = st->dns[i];
    }
    q->qlen = dns_query_build(q->qbuf, sizeof q->qbuf, q->id, true, q->name, type);
    if (q->qlen < 0)
        q->bad = DNS_ST_BAD_NAME;
    else if (!q->n_servers)
        q->bad = DNS_ST_NO_SERVER;
    else {
        q->sock = udp_open(st, 0, 0, q_udp_input, q);
        if (q->sock)
            udp_set_error_cb(q->sock, q_udp_error);
        else
            q->bad = DNS_ST_NO_ROUTE;
    }
    if (!st->dns_cli) st->dns_cli = dns_xalloc(sizeof *st->dns_cli);
    q->next = st->dns_cli->head;
    st->dns_cli->head = q;
    q->timer = sim_schedule(st->sim, 0, q_kick, q, 0);
    return q;
}

void dns_query_cancel(struct dns_query *q)
{
    if (!q || q->finishing) return;
    q_unlink(q);
    q_release(q, false);
}

void dns_client_free(struct netstack *st)
{
    if (!st->dns_cli) return;
    while (st->dns_cli->head) {
        struct dns_query *q = st->dns_cli->head;
        st->dns_cli->head = q->next;
        q_release(q, true);
    }
    free(st->dns_cli);
    st->dns_cli = NULL;
}
