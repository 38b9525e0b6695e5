/* dhcp_client.c - the DHCP client of an interface (RFC 2131 4.4), as ISC
 * dhclient behaves and logs: DISCOVER, the first OFFER, REQUEST, ACK, then
 * the lease kept alive in the background (T1 renewal by unicast to the
 * server, T2 rebinding by broadcast to any server, expiry). See dhcp.h. */
#include "arp.h"
#include "dhcp_priv.h"
#include "ip4.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RETX_FIRST (4 * SIM_S)   /* RFC 2131 4.1: 4 s, doubled each time ... */
#define RETX_MAX   (64 * SIM_S)  /* ... up to 64 s */
#define RENEW_MIN  (60 * SIM_S)  /* RFC 2131 4.4.5: retransmit no faster than 60 s */
#define BG_RETRY   (300 * SIM_S) /* ISC's "retry": a daemon that got nothing tries again */

static const uint8_t default_prl[] = {1, 28, 2, 3, 15, 6, 119, 12, 26, 121, 42};

static void cl_retx(struct sim *sim, void *ctx, uint64_t arg);

/* One line of dhclient's output: to the command while one waits for it,
 * else to the trace bus as the node's own output (a daemon's syslog). */
static void cl_log(struct dhcp_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void cl_log(struct dhcp_client *c, const char *fmt, ...)
{
    struct sim *sim = c->st->sim;
    if (!c->ui.line && !trace_on(sim, TRACE_OUTPUT)) return;
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (c->ui.line) {
        c->ui.line(c->ui.ctx, buf);
        return;
    }
    struct trace_step step = {
        .node = c->st->node,
        .iface = c->ifc,
        .layer = 7,
        .kind = TK_OUTPUT,
        .level = TRACE_OUTPUT,
        .proto = "",
        .summary = buf,
        .why = "",
    };
    trace_emit(sim, &step);
}

/* The command is answered: it ends with `code`, the client goes on alone. */
static void cl_finish(struct dhcp_client *c, int code)
{
    struct dhcp_client_ui ui = c->ui;
    c->ui = (struct dhcp_client_ui){0};
    if (ui.done) ui.done(ui.ctx, code);
}

static void cl_state(struct dhcp_client *c, enum dhcp_client_state s, const char *why)
{
    if (c->state != s && why)
        STEP(c->st->sim, c->st->node, c->ifc, 7, TK_STATE, NULL, "DHCP",
             "dhclient %s: %s -> %s\n%s", c->ifc->name, dhcp_client_state_name(c->state),
             dhcp_client_state_name(s), why);
    c->state = s;
}

const char *dhcp_client_state_name(enum dhcp_client_state s)
{
    switch (s) {
    case DC_STOPPED:
        return "STOPPED";
    case DC_SELECTING:
        return "SELECTING";
    case DC_REQUESTING:
        return "REQUESTING";
    case DC_CHECKING:
        return "CHECKING";
    case DC_BOUND:
        return "BOUND";
    case DC_RENEWING:
        return "RENEWING";
    case DC_REBINDING:
        return "REBINDING";
    }
    return "?";
}

static sim_time now_of(const struct dhcp_client *c)
{
    return sim_now(c->st->sim);
}

static void cl_cancel_all(struct dhcp_client *c)
{
    struct sim *sim = c->st->sim;
    sim_cancel(sim, &c->retx);
    sim_cancel(sim, &c->t1);
    sim_cancel(sim, &c->t2);
    sim_cancel(sim, &c->expiry);
    if (c->state == DC_CHECKING) arp_probe_stop(c->st, c->ifc, c->ack.yiaddr);
}

static void cl_msg_init(struct dhcp_client *c, struct dhcp_msg *m, uint8_t type)
{
    memset(m, 0, sizeof *m);
    m->op = DHCP_BOOTREQUEST;
    m->htype = DHCP_HTYPE_ETHER;
    m->hlen = 6;
    m->xid = c->xid;
    sim_time secs = (now_of(c) - c->started) / SIM_S;
    m->secs = (uint16_t)(secs > 0xffff ? 0xffff : secs);
    memcpy(m->chaddr, c->ifc->mac, 6);
    m->type = type;
    /* RFC 2131 4.1: a client that cannot receive unicasts before it has
     * an address sets BROADCAST; ours never can */
    if (!c->addr) m->flags = DHCP_FLAG_BROADCAST;
    snprintf(m->hostname, sizeof m->hostname, "%s", c->st->node->name);
    m->client_id_len = 7;
    m->client_id[0] = DHCP_HTYPE_ETHER;
    memcpy(m->client_id + 1, c->ifc->mac, 6);
    if (type == DHCPDISCOVER || type == DHCPREQUEST) {
        m->n_prl = sizeof default_prl;
        memcpy(m->prl, default_prl, sizeof default_prl);
    }
}

static void cl_new_xid(struct dhcp_client *c)
{
    c->xid = (uint32_t)rng_next(&c->st->node->rng);
    c->started = now_of(c);
}

/* RFC 2131 4.1: the delay is randomised by a uniform -1..+1 s. */
static sim_time cl_jitter(struct dhcp_client *c, sim_time base)
{
    return base - SIM_S + (sim_time)rng_below(&c->st->node->rng, 2001) * SIM_MS;
}

/* Schedules the next retransmission of an acquisition; returns the delay. */
static sim_time cl_arm(struct dhcp_client *c)
{
    sim_time d = cl_jitter(c, c->interval);
    c->interval = c->interval * 2 > RETX_MAX ? RETX_MAX : c->interval * 2;
    sim_time at = now_of(c) + d;
    if (at > c->deadline) at = c->deadline;
    c->retx = sim_schedule_at(c->st->sim, at, cl_retx, c, 0);
    return d;
}

static int cl_send(struct dhcp_client *c, const struct dhcp_msg *m, uint32_t dst, const char *why)
{
    struct dhcp_state *d = c->st->dhcp;
    return dhcp_send(c->st, d->cli_sock, c->ifc, m, c->addr, dst, DHCP_SERVER_PORT, why);
}

static void cl_send_discover(struct dhcp_client *c)
{
    struct dhcp_msg m;
    cl_msg_init(c, &m, DHCPDISCOVER);
    char why[400] = "";
    if (trace_on(c->st->sim, TRACE_LAYERS))
        snprintf(why, sizeof why,
                 "DHCP Discover: %s has no address on %s yet, so it broadcasts from 0.0.0.0 "
                 "asking any server for one (transaction id 0x%08x); it sets the BROADCAST flag "
                 "because it cannot receive a unicast before it has an address.",
                 c->st->node->name, c->ifc->name, c->xid);
    sim_time d = cl_arm(c);
    cl_log(c, "DHCPDISCOVER on %s to 255.255.255.255 port 67 interval %lld (xid=0x%x)",
           c->ifc->name, (long long)((d + SIM_S / 2) / SIM_S), c->xid);
    cl_send(c, &m, 0xffffffffu, why);
}

static void cl_send_request(struct dhcp_client *c)
{
    struct dhcp_msg m;
    cl_msg_init(c, &m, DHCPREQUEST);
    char why[400] = "", a[16], b[16];
    uint32_t dst = 0xffffffffu;
    bool tracing = trace_on(c->st->sim, TRACE_LAYERS);
    if (c->state == DC_REQUESTING) {
        m.has_req_addr = m.has_server_id = true;
        m.req_addr = c->offered;
        m.server_id = c->server_id;
        if (tracing)
            snprintf(why, sizeof why,
                     "DHCP Request: %s takes the offer of %s from %s. It still broadcasts, "
                     "naming the server it chose, so that every server that made an offer "
                     "learns which one won (transaction id 0x%08x).",
                     c->st->node->name, ip4_str(c->offered, a), ip4_str(c->server_id, b), c->xid);
    } else {
        m.ciaddr = c->addr;
        if (c->state == DC_RENEWING) dst = c->server_id;
        if (tracing)
            snprintf(why, sizeof why,
                     c->state == DC_RENEWING
                         ? "DHCP Request: half of the lease on %s is over (T1), so %s asks the "
                           "server that gave it, %s, by unicast to extend it."
                         : "DHCP Request: the server %s did not answer the renewals and 7/8 "
                           "of the lease on %s are over (T2), so %s now broadcasts to any "
                           "server that can extend it.",
                     c->state == DC_RENEWING ? ip4_str(c->addr, a) : ip4_str(c->server_id, b),
                     c->state == DC_RENEWING ? c->st->node->name : ip4_str(c->addr, a),
                     c->state == DC_RENEWING ? ip4_str(c->server_id, b) : c->st->node->name);
    }
    cl_log(c, "DHCPREQUEST for %s on %s to %s port 67 (xid=0x%x)",
           ip4_str(c->state == DC_REQUESTING ? c->offered : c->addr, a), c->ifc->name,
           ip4_str(dst, b), c->xid);
    cl_send(c, &m, dst, why);
}

static void cl_discover(struct dhcp_client *c)
{
    cl_new_xid(c);
    c->deadline = now_of(c) + DHCP_CLIENT_TIMEOUT;
    c->interval = RETX_FIRST;
    c->offered = c->server_id = 0;
    cl_state(c, DC_SELECTING,
             "The client starts over from INIT: it broadcasts a Discover and "
             "collects offers.");
    cl_send_discover(c);
}

/* Takes everything the lease configured off the node. */
static void cl_unconfigure(struct dhcp_client *c)
{
    struct netstack *st = c->st;
    if (c->router) route_del(&st->rt, 0, 0, c->router, c->ifc);
    if (c->addr) stack_del_addr(st, c->ifc, c->addr);
    if (c->n_dns && st->n_dns == c->n_dns &&
        memcmp(st->dns, c->dns, (size_t)c->n_dns * sizeof c->dns[0]) == 0)
        st->n_dns = 0;
    c->addr = c->router = 0;
    c->n_dns = 0;
}

static void cl_giveup(struct dhcp_client *c)
{
    cl_log(c, c->state == DC_SELECTING ? "No DHCPOFFERS received." : "No DHCPACK received.");
    if (c->ui.line) {
        cl_log(c, "Unable to obtain a lease on first try.  Exiting.");
        cl_state(c, DC_STOPPED, "No server answered within 60 s, so dhclient gives up.");
        cl_finish(c, 2);
        return;
    }
    cl_log(c, "No working leases in persistent database - sleeping.");
    cl_state(c, DC_STOPPED,
             "No server answered within 60 s; the background client will try "
             "again in 300 s.");
    c->retx = sim_schedule(c->st->sim, BG_RETRY, cl_retx, c, 1);
}

static void cl_retx(struct sim *sim, void *ctx, uint64_t arg)
{
    struct dhcp_client *c = ctx;
    c->retx = (struct sim_timer){0, 0};
    sim_time now = sim_now(sim);
    if (arg == 1) { /* the background retry after giving up */
        cl_discover(c);
        return;
    }
    switch (c->state) {
    case DC_SELECTING:
    case DC_REQUESTING:
        if (now >= c->deadline) {
            cl_giveup(c);
            return;
        }
        if (c->state == DC_SELECTING) {
            cl_send_discover(c);
        } else {
            cl_send_request(c);
            cl_arm(c);
        }
        return;
    case DC_RENEWING:
    case DC_REBINDING: {
        cl_send_request(c);
        /* RFC 2131 4.4.5: wait half the time left until T2 (renewing) or
         * the end of the lease (rebinding), but at least 60 s */
        sim_time end =
            c->bound_at + (sim_time)(c->state == DC_RENEWING ? c->t2_s : c->lease_s) * SIM_S;
        sim_time wait = (end - now) / 2;
        if (wait < RENEW_MIN) wait = RENEW_MIN;
        if (now + wait < end) c->retx = sim_schedule(sim, wait, cl_retx, c, 0);
        return;
    }
    case DC_STOPPED:
    case DC_CHECKING:
    case DC_BOUND:
        return;
    }
}

static void cl_t1(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct dhcp_client *c = ctx;
    c->t1 = (struct sim_timer){0, 0};
    cl_new_xid(c);
    cl_state(c, DC_RENEWING,
             "T1 has come: half the lease is over, time to renew it with the "
             "server that gave it.");
    cl_retx(c->st->sim, c, 0);
}

static void cl_t2(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct dhcp_client *c = ctx;
    c->t2 = (struct sim_timer){0, 0};
    sim_cancel(c->st->sim, &c->retx);
    cl_new_xid(c);
    cl_state(c, DC_REBINDING,
             "T2 has come and the server never answered: any server may now "
             "extend the lease.");
    cl_retx(c->st->sim, c, 0);
}

static void cl_expire(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct dhcp_client *c = ctx;
    c->expiry = (struct sim_timer){0, 0};
    sim_cancel(c->st->sim, &c->retx);
    char a[16];
    ip4_str(c->addr, a);
    if (trace_on(c->st->sim, TRACE_LAYERS))
        STEP(c->st->sim, c->st->node, c->ifc, 7, TK_STATE, NULL, "DHCP",
             "lease of %s expired\nNo server extended the lease on %s before it ran out, so "
             "%s must stop using the address: it comes off %s with its routes, and the client "
             "starts over.",
             a, a, c->st->node->name, c->ifc->name);
    cl_log(c, "DHCPEXPIRE: lease of %s on %s expired", a, c->ifc->name);
    cl_unconfigure(c);
    cl_discover(c);
}

static void cl_bind(struct dhcp_client *c, const struct dhcp_msg *m)
{
    struct netstack *st = c->st;
    struct sim *sim = st->sim;
    char a[16], b[16], g[16];
    uint32_t lease = m->has_lease ? m->lease : 3600;
    uint32_t t1 = m->has_t1 ? m->t1 : lease / 2;
    uint32_t t2 = m->has_t2 ? m->t2 : (uint32_t)((uint64_t)lease * 7 / 8);
    if (t2 > lease || t1 > t2) {
        t1 = lease / 2;
        t2 = (uint32_t)((uint64_t)lease * 7 / 8);
    }
    int plen = m->has_mask ? dhcp_mask_plen(m->mask) : -1;
    if (plen < 0 || plen > 30) plen = 24;
    bool renewal = c->addr == m->yiaddr;
    ip4_str(m->yiaddr, a);
    if (!renewal) cl_unconfigure(c);
    if (!renewal) {
        stack_add_addr(st, c->ifc, m->yiaddr, (uint8_t)plen);
        c->addr = m->yiaddr;
        c->plen = (uint8_t)plen;
    }
    uint32_t router = m->n_routers ? m->routers[0] : 0;
    if (router && ((router ^ c->addr) & ip4_mask(c->plen))) router = 0; /* not on-link */
    if (router != c->router) {
        if (c->router) route_del(&st->rt, 0, 0, c->router, c->ifc);
        if (router) stack_add_route(st, 0, 0, router, c->ifc);
        c->router = router;
    }
    if (m->n_dns) {
        c->n_dns = m->n_dns;
        memcpy(c->dns, m->dns, sizeof c->dns);
        st->n_dns = c->n_dns;
        memcpy(st->dns, c->dns, (size_t)c->n_dns * sizeof c->dns[0]);
    }
    if (m->has_server_id) c->server_id = m->server_id;
    c->lease_s = lease;
    c->t1_s = t1;
    c->t2_s = t2;
    c->bound_at = sim_now(sim);
    cl_cancel_all(c);
    if (lease != 0xffffffffu) {
        c->t1 = sim_schedule(sim, (sim_time)t1 * SIM_S, cl_t1, c, 0);
        c->t2 = sim_schedule(sim, (sim_time)t2 * SIM_S, cl_t2, c, 0);
        c->expiry = sim_schedule(sim, (sim_time)lease * SIM_S, cl_expire, c, 0);
    }
    if (trace_on(sim, TRACE_LAYERS)) {
        char dns[80] = "";
        for (int i = 0, o = 0; i < c->n_dns && o < (int)sizeof dns; i++)
            o += snprintf(dns + o, sizeof dns - (size_t)o, "%s%s", i ? ", " : "",
                          ip4_str(c->dns[i], b));
        STEP(sim, st->node, c->ifc, 7, TK_STATE, NULL, "DHCP",
             "bound to %s/%d\n%s %s: %s takes %s/%d on %s%s%s%s%s for %u s; it will renew at "
             "T1 = %u s and rebind at T2 = %u s.",
             ip4_str(c->addr, a), c->plen, renewal ? "The lease is renewed" : "The server said yes",
             c->state == DC_CHECKING ? "(DHCP ACK) and nobody answered the ARP probe" : "",
             st->node->name, a, c->plen, c->ifc->name, router ? ", a default route via " : "",
             router ? ip4_str(router, g) : "", c->n_dns ? " and the DNS servers " : "", dns, lease,
             t1, t2);
    }
    cl_state(c, DC_BOUND, NULL);
    if (lease == 0xffffffffu)
        cl_log(c, "bound to %s -- the lease never expires.", a);
    else
        cl_log(c, "bound to %s -- renewal in %u seconds.", a, t1);
    cl_finish(c, 0);
}

static void cl_nak(struct dhcp_client *c, uint32_t from)
{
    char a[16];
    cl_log(c, "DHCPNAK from %s (xid=0x%x)", ip4_str(from, a), c->xid);
    if (trace_on(c->st->sim, TRACE_LAYERS))
        STEP(c->st->sim, c->st->node, c->ifc, 7, TK_STATE, NULL, "DHCP",
             "DHCP NAK from %s\nThe server refused: %s must drop any address it had on %s and "
             "start again from a Discover.",
             a, c->st->node->name, c->ifc->name);
    cl_cancel_all(c);
    cl_unconfigure(c);
    cl_discover(c);
}

/* Nobody answered the probe: the address is ours. */
static void cl_probe_done(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    struct dhcp_client *c = ctx;
    c->retx = (struct sim_timer){0, 0};
    cl_bind(c, &c->ack);
}

/* Another host answered for the address (or probes for it): DHCPDECLINE,
 * and a fresh start once DHCP_DECLINE_WAIT has passed. */
static void cl_conflict(void *ctx, struct iface *ifc, uint32_t addr, const uint8_t *mac)
{
    (void)ifc;
    struct dhcp_client *c = ctx;
    if (c->state != DC_CHECKING || addr != c->ack.yiaddr) return;
    cl_cancel_all(c);
    struct dhcp_msg m;
    cl_msg_init(c, &m, DHCPDECLINE);
    m.n_prl = 0;
    m.has_req_addr = m.has_server_id = true;
    m.req_addr = addr;
    m.server_id = c->server_id;
    char a[16], macs[18], why[400] = "";
    ip4_str(addr, a);
    if (trace_on(c->st->sim, TRACE_LAYERS))
        snprintf(why, sizeof why,
                 "DHCP Decline: %s is already used by %s (it answered the ARP probe), so %s "
                 "must not take it. The client tells the servers, by broadcast, so that the "
                 "address is set aside, and starts over in %lld s.",
                 a, mac_str(mac, macs), c->st->node->name, (long long)(DHCP_DECLINE_WAIT / SIM_S));
    cl_log(c, "DHCPDECLINE of %s on %s to 255.255.255.255 port 67 (xid=0x%x)", a, c->ifc->name,
           c->xid);
    cl_send(c, &m, 0xffffffffu, why);
    cl_state(c, DC_STOPPED, "The offered address is in use; the client waits, then starts over.");
    c->retx = sim_schedule(c->st->sim, DHCP_DECLINE_WAIT, cl_retx, c, 1);
}

/* RFC 2131 3.1.5: "The client SHOULD perform a check on the suggested
 * address to ensure that the address is not already in use" - by ARP. */
static void cl_check(struct dhcp_client *c, const struct dhcp_msg *ack)
{
    char a[16], why[300];
    c->ack = *ack;
    sim_cancel(c->st->sim, &c->retx);
    if (arp_probe(c->st, c->ifc, ack->yiaddr, cl_conflict, c) < 0) {
        cl_bind(c, ack);
        return;
    }
    snprintf(why, sizeof why,
             "The server said yes, but before using %s the client makes sure that no other "
             "host has it: one ARP probe, then %lld s of listening for an answer.",
             ip4_str(ack->yiaddr, a), (long long)(DHCP_PROBE_WAIT / SIM_S));
    cl_state(c, DC_CHECKING, why);
    c->retx = sim_schedule(c->st->sim, DHCP_PROBE_WAIT, cl_probe_done, c, 0);
}

static void cl_input(void *ctx, struct udp_sock *sock, const struct udp_meta *m,
                     const uint8_t *data, size_t len)
{
    (void)sock;
    struct netstack *st = ctx;
    struct sim *sim = st->sim;
    struct dhcp_client *c = NULL;
    for (uint32_t i = 0; st->dhcp && i < st->dhcp->n_cli && !c; i++)
        if (st->dhcp->cli[i]->ifc == m->in) c = st->dhcp->cli[i];
    struct dhcp_msg in;
    int rc = dhcp_parse(data, len, &in);
    if (rc != DHCP_OK) {
        DROP_STEP(sim, st->node, m->in, 7, TK_DROP, m->p, "DHCP",
                  "invalid DHCP message\nThe datagram to port 68 is not a valid DHCP message: "
                  "%s, so the client ignores it.",
                  dhcp_parse_err_str(rc));
        return;
    }
    const char *skip = NULL;
    if (!c || c->state == DC_STOPPED || c->state == DC_BOUND || c->state == DC_CHECKING)
        skip = "no client on this interface is waiting for an answer";
    else if (in.op != DHCP_BOOTREPLY)
        skip = "it is a client's message, not a server's reply";
    else if (in.xid != c->xid || memcmp(in.chaddr, c->ifc->mac, 6) != 0)
        skip = "its transaction id and hardware address are another client's: broadcast "
               "replies reach every host on the LAN";
    else if (in.type == DHCPOFFER && c->state != DC_SELECTING)
        skip = "the client already chose an offer";
    else if ((in.type == DHCPACK || in.type == DHCPNAK) && c->state == DC_SELECTING)
        skip = "the client has not sent a request yet";
    else if (in.type != DHCPOFFER && in.type != DHCPACK && in.type != DHCPNAK)
        skip = "a client only acts on OFFER, ACK and NAK";
    else if ((in.type == DHCPOFFER || in.type == DHCPACK) && !in.yiaddr)
        skip = "it gives no address";
    char a[16], b[16];
    if (skip) {
        STEP(sim, st->node, m->in, 7, TK_DROP, m->p, "DHCP",
             "DHCP %-8s - Transaction ID 0x%08x\nThe client ignores it: %s.",
             dhcp_type_name(in.type), in.xid, skip);
        return;
    }
    uint32_t server = in.has_server_id ? in.server_id : m->src;
    STEP(sim, st->node, m->in, 7, TK_DELIVER, m->p, "DHCP",
         "DHCP %-8s - Transaction ID 0x%08x\nThe reply carries %s's transaction id and hardware "
         "address, so dhclient on %s takes it.",
         dhcp_type_name(in.type), in.xid, st->node->name, m->in->name);
    if (in.type == DHCPNAK) {
        cl_nak(c, m->src);
        return;
    }
    if (in.type == DHCPOFFER) {
        cl_log(c, "DHCPOFFER of %s from %s", ip4_str(in.yiaddr, a), ip4_str(m->src, b));
        sim_cancel(sim, &c->retx);
        c->offered = in.yiaddr;
        c->server_id = server;
        c->interval = RETX_FIRST;
        cl_state(c, DC_REQUESTING, "The first offer wins: the client asks for it.");
        cl_send_request(c);
        cl_arm(c);
        return;
    }
    if (c->state == DC_REQUESTING && in.yiaddr != c->offered) {
        STEP(sim, st->node, m->in, 7, TK_DROP, m->p, "DHCP",
             "DHCP ACK - Transaction ID 0x%08x\nThe ACK is for %s, not the offered %s, so the "
             "client ignores it.",
             in.xid, ip4_str(in.yiaddr, a), ip4_str(c->offered, b));
        return;
    }
    cl_log(c, "DHCPACK of %s from %s (xid=0x%x)", ip4_str(in.yiaddr, a), ip4_str(m->src, b),
           c->xid);
    if (c->state == DC_REQUESTING)
        cl_check(c, &in);
    else
        cl_bind(c, &in);
}

static struct dhcp_client *cl_get(struct netstack *st, struct iface *ifc)
{
    struct dhcp_state *d = dhcp_state_of(st);
    for (uint32_t i = 0; i < d->n_cli; i++)
        if (d->cli[i]->ifc == ifc) return d->cli[i];
    struct dhcp_client *c = calloc(1, sizeof *c);
    struct dhcp_client **arr = realloc(d->cli, (d->n_cli + 1) * sizeof *arr);
    if (!c || !arr) abort();
    d->cli = arr;
    c->st = st;
    c->ifc = ifc;
    d->cli[d->n_cli++] = c;
    return c;
}

int dhcp_client_start(struct netstack *st, struct iface *ifc, const struct dhcp_client_ui *ui)
{
    struct dhcp_state *d = dhcp_state_of(st);
    const struct dhcp_client *old = dhcp_client_of(st, ifc);
    if (old && old->state != DC_STOPPED) return DHCP_CLIENT_BUSY;
    if (!d->cli_sock) {
        d->cli_sock = udp_open(st, 0, DHCP_CLIENT_PORT, cl_input, st);
        if (!d->cli_sock) return DHCP_CLIENT_BUSY;
    }
    struct dhcp_client *c = cl_get(st, ifc);
    cl_cancel_all(c);
    c->ui = ui ? *ui : (struct dhcp_client_ui){0};
    char mac[18];
    cl_log(c, "Listening on LPF/%s/%s", ifc->name, mac_str(ifc->mac, mac));
    cl_log(c, "Sending on   LPF/%s/%s", ifc->name, mac);
    cl_discover(c);
    return 0;
}

void dhcp_client_detach(struct netstack *st, struct iface *ifc, void *ctx)
{
    for (uint32_t i = 0; st->dhcp && i < st->dhcp->n_cli; i++) {
        struct dhcp_client *c = st->dhcp->cli[i];
        if (c->ifc == ifc && c->ui.ctx == ctx) c->ui = (struct dhcp_client_ui){0};
    }
}

bool dhcp_client_release(struct netstack *st, struct iface *ifc, const struct dhcp_client_ui *ui)
{
    struct dhcp_client *c = (struct dhcp_client *)dhcp_client_of(st, ifc);
    if (!c) return false;
    cl_cancel_all(c);
    bool had = c->addr && c->state >= DC_BOUND;
    if (had) {
        struct dhcp_client_ui keep = c->ui;
        c->ui = ui ? *ui : (struct dhcp_client_ui){0};
        cl_new_xid(c);
        struct dhcp_msg m;
        cl_msg_init(c, &m, DHCPRELEASE);
        m.ciaddr = c->addr;
        m.has_server_id = true;
        m.server_id = c->server_id;
        char a[16], b[16], why[300] = "";
        if (trace_on(st->sim, TRACE_LAYERS))
            snprintf(why, sizeof why,
                     "DHCP Release: %s gives %s back to the server %s before the lease ends, "
                     "so that it can lend the address to someone else.",
                     st->node->name, ip4_str(c->addr, a), ip4_str(c->server_id, b));
        cl_log(c, "DHCPRELEASE of %s on %s to %s port 67 (xid=0x%x)", ip4_str(c->addr, a),
               ifc->name, ip4_str(c->server_id, b), c->xid);
        cl_send(c, &m, c->server_id, why);
        c->ui = keep;
    }
    cl_unconfigure(c);
    if (c->ui.done) cl_finish(c, 0); /* a dhclient still waiting ends too */
    cl_state(c, DC_STOPPED, had ? "The lease is given back; the client stops." : NULL);
    return had;
}
