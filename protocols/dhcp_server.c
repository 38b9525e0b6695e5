/* dhcp_server.c - a DHCP server (RFC 2131 4.3) on one interface of a node:
 * a pool of addresses, one lease slot per address, offers held briefly,
 * leases renewed, declined addresses set aside, NAKs for requests it
 * cannot honour. See dhcp.h for the policy; dhcp_server_process decides
 * and dhcp_server_input carries it out, so tests can drive the decisions
 * without a network. */
#include "dhcp_priv.h"
#include "ip4.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void say(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t n, const char *fmt, ...)
{
    if (!why || !n) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
}

/* A slot as it is now: offers, leases and quarantines past their time are
 * turned into what they have become, so no timer is needed per lease. */
static void lease_refresh(struct dhcp_lease *l, sim_time now)
{
    if (l->expires > now) return;
    if (l->state == DL_OFFERED || l->state == DL_BOUND) l->state = DL_RELEASED;
    if (l->state == DL_DECLINED) {
        l->state = DL_FREE;
        l->has_client = false;
    }
}

static struct dhcp_lease *slot(struct dhcp_server *s, uint32_t addr, sim_time now)
{
    if (addr < s->conf.pool_lo || addr > s->conf.pool_hi) return NULL;
    struct dhcp_lease *l = &s->lease[addr - s->conf.pool_lo];
    lease_refresh(l, now);
    return l;
}

const struct dhcp_lease *dhcp_server_lease(struct dhcp_server *s, uint32_t addr, sim_time now)
{
    return slot(s, addr, now);
}

static bool is_free(const struct dhcp_lease *l)
{
    return l->state == DL_FREE || l->state == DL_RELEASED;
}

static bool owned_by(const struct dhcp_lease *l, const uint8_t *chaddr)
{
    return l->has_client && memcmp(l->chaddr, chaddr, 6) == 0;
}

/* The client's slot: its current offer or lease first, else the address
 * it had last (RFC 2131 4.3.1: "the client's current address ... or the
 * client's previous address"). */
static struct dhcp_lease *find_client(struct dhcp_server *s, const uint8_t *chaddr, sim_time now,
                                      bool current_only)
{
    struct dhcp_lease *prev = NULL;
    for (uint32_t i = 0; i < s->n; i++) {
        struct dhcp_lease *l = &s->lease[i];
        lease_refresh(l, now);
        if (!owned_by(l, chaddr)) continue;
        if (l->state == DL_OFFERED || l->state == DL_BOUND) return l;
        if (l->state == DL_RELEASED && !prev) prev = l;
    }
    return current_only ? NULL : prev;
}

static struct dhcp_lease *lowest_free(struct dhcp_server *s, sim_time now)
{
    /* never-used addresses first, so that returning clients can get
     * their old ones back for as long as possible */
    struct dhcp_lease *released = NULL;
    for (uint32_t i = 0; i < s->n; i++) {
        struct dhcp_lease *l = &s->lease[i];
        lease_refresh(l, now);
        if (l->state == DL_FREE) return l;
        if (l->state == DL_RELEASED && !released) released = l;
    }
    return released;
}

static bool on_subnet(const struct dhcp_server *s, uint32_t a)
{
    return ((a ^ s->addr) & ip4_mask(s->plen)) == 0;
}

/* The parts every reply shares: BOOTREPLY, the client's xid, chaddr and
 * flags, and the server identifier. */
static void reply_init(const struct dhcp_server *s, const struct dhcp_msg *in, struct dhcp_msg *out,
                       uint8_t type)
{
    memset(out, 0, sizeof *out);
    out->op = DHCP_BOOTREPLY;
    out->htype = DHCP_HTYPE_ETHER;
    out->hlen = 6;
    out->xid = in->xid;
    out->flags = in->flags;
    out->giaddr = in->giaddr;
    memcpy(out->chaddr, in->chaddr, 16);
    out->type = type;
    out->has_server_id = true;
    out->server_id = s->addr;
}

/* Lease time and the configuration options of an OFFER or ACK. */
static void reply_config(const struct dhcp_server *s, struct dhcp_msg *out, bool lease)
{
    if (lease) {
        uint32_t l = s->conf.lease_s;
        out->has_lease = out->has_t1 = out->has_t2 = true;
        out->lease = l;
        /* RFC 2131 4.4.5: T1 defaults to 0.5 and T2 to 0.875 of the lease */
        out->t1 = l == 0xffffffffu ? l : l / 2;
        out->t2 = l == 0xffffffffu ? l : (uint32_t)((uint64_t)l * 7 / 8);
    }
    out->has_mask = true;
    out->mask = ip4_mask(s->plen);
    if (s->conf.gateway) {
        out->n_routers = 1;
        out->routers[0] = s->conf.gateway;
    }
    out->n_dns = (uint8_t)s->conf.n_dns;
    memcpy(out->dns, s->conf.dns, sizeof out->dns);
}

static void take(struct dhcp_lease *l, const struct dhcp_msg *in, enum dhcp_lease_state state,
                 sim_time expires)
{
    l->state = state;
    l->has_client = true;
    memcpy(l->chaddr, in->chaddr, 6);
    l->expires = expires;
    if (in->hostname[0]) snprintf(l->hostname, sizeof l->hostname, "%.32s", in->hostname);
}

static sim_time lease_end(const struct dhcp_server *s, sim_time now)
{
    if (s->conf.lease_s == 0xffffffffu) return SIM_TIME_MAX;
    return now + (sim_time)s->conf.lease_s * SIM_S;
}

static bool nak(struct dhcp_server *s, const struct dhcp_msg *in, struct dhcp_msg *out,
                uint32_t *dst, const char *message)
{
    reply_init(s, in, out, DHCPNAK);
    snprintf(out->message, sizeof out->message, "%s", message);
    /* RFC 2131 4.1: without a relay, a server broadcasts any DHCPNAK */
    out->flags |= DHCP_FLAG_BROADCAST;
    *dst = 0xffffffffu;
    s->naks++;
    return true;
}

static bool ack(struct dhcp_server *s, const struct dhcp_msg *in, struct dhcp_lease *l,
                sim_time now, struct dhcp_msg *out, uint32_t *dst)
{
    take(l, in, DL_BOUND, lease_end(s, now));
    reply_init(s, in, out, DHCPACK);
    out->ciaddr = in->ciaddr;
    out->yiaddr = l->addr;
    reply_config(s, out, true);
    /* RFC 2131 4.1: a client that has an address gets a unicast */
    *dst = in->ciaddr ? in->ciaddr : 0xffffffffu;
    return true;
}

static bool on_discover(struct dhcp_server *s, const struct dhcp_msg *in, sim_time now,
                        struct dhcp_msg *out, uint32_t *dst, char *why, size_t wn)
{
    char who[40], a[16], b[16], c[16];
    dhcp_who(in, who, sizeof who);
    const char *because;
    struct dhcp_lease *l = find_client(s, in->chaddr, now, false);
    if (l) {
        because = l->state == DL_RELEASED ? "it is the address this client had before"
                                          : "this client already holds it";
    } else {
        l = in->has_req_addr ? slot(s, in->req_addr, now) : NULL;
        if (l && is_free(l)) {
            because = "the client asked for it and it is free";
        } else {
            l = lowest_free(s, now);
            because = "it is the lowest free address of the pool";
        }
    }
    if (!l) {
        say(why, wn,
            "%s asks for an address, but every address of the pool %s-%s is leased or offered, "
            "so %s cannot answer.",
            who, ip4_str(s->conf.pool_lo, a), ip4_str(s->conf.pool_hi, b), s->st->node->name);
        return false;
    }
    if (l->state != DL_BOUND) take(l, in, DL_OFFERED, now + DHCP_OFFER_HOLD);
    reply_init(s, in, out, DHCPOFFER);
    out->yiaddr = l->addr;
    reply_config(s, out, true);
    *dst = 0xffffffffu;
    say(why, wn,
        "DHCP Offer: %s offers %s to %s because %s; it holds it for %lld s while the client "
        "decides, with a lease of %u s, mask %s and router %s. The client has no address yet, "
        "so the offer is broadcast (transaction id 0x%08x).",
        s->st->node->name, ip4_str(l->addr, a), who, because, (long long)(DHCP_OFFER_HOLD / SIM_S),
        s->conf.lease_s, ip4_str(out->mask, b),
        s->conf.gateway ? ip4_str(s->conf.gateway, c) : "(none)", in->xid);
    return true;
}

static bool on_request(struct dhcp_server *s, const struct dhcp_msg *in, sim_time now,
                       struct dhcp_msg *out, uint32_t *dst, char *why, size_t wn)
{
    char who[40], a[16], b[16];
    const char *me = s->st->node->name;
    dhcp_who(in, who, sizeof who);
    if (in->has_server_id) {
        /* SELECTING: the client answers one offer, and tells every server */
        if (in->server_id != s->addr) {
            struct dhcp_lease *l = find_client(s, in->chaddr, now, true);
            if (l && l->state == DL_OFFERED) l->state = DL_RELEASED;
            say(why, wn,
                "%s chose the offer of another server (%s), so %s takes back what it offered "
                "and stays silent.",
                who, ip4_str(in->server_id, a), me);
            return false;
        }
        uint32_t want = in->has_req_addr ? in->req_addr : in->ciaddr;
        struct dhcp_lease *l = slot(s, want, now);
        if (l && owned_by(l, in->chaddr) && (l->state == DL_OFFERED || l->state == DL_BOUND)) {
            ack(s, in, l, now, out, dst);
            say(why, wn,
                "DHCP ACK: %s accepts %s's request for %s: the address is now leased to it for "
                "%u s. The client will renew at T1 = %u s (transaction id 0x%08x).",
                me, who, ip4_str(want, a), s->conf.lease_s, out->t1, in->xid);
            return true;
        }
        say(why, wn,
            "DHCP NAK: %s asks for %s, which %s did not offer to it (or has given to someone "
            "else), so the server refuses and the client must start over.",
            who, ip4_str(want, a), me);
        return nak(s, in, out, dst, "requested address not available");
    }
    if (in->has_req_addr && !in->ciaddr) {
        /* INIT-REBOOT: a client that remembers an address asks to keep it */
        uint32_t want = in->req_addr;
        if (!on_subnet(s, want)) {
            say(why, wn,
                "DHCP NAK: %s asks to keep %s, but that address is not on this network (%s/%u), "
                "so it must have moved: the server says no and the client starts over.",
                who, ip4_str(want, a), ip4_str(s->addr & ip4_mask(s->plen), b), s->plen);
            return nak(s, in, out, dst, "wrong network");
        }
        struct dhcp_lease *l = slot(s, want, now);
        if (l && owned_by(l, in->chaddr) && l->state != DL_DECLINED) {
            ack(s, in, l, now, out, dst);
            say(why, wn,
                "DHCP ACK: %s asks to keep %s, which it had before; it is still free for it, so "
                "%s leases it again for %u s.",
                who, ip4_str(want, a), me, s->conf.lease_s);
            return true;
        }
        if (l && !is_free(l)) {
            say(why, wn,
                "DHCP NAK: %s asks for %s, but that address belongs to another client now, so "
                "the server refuses.",
                who, ip4_str(want, a));
            return nak(s, in, out, dst, "address in use");
        }
        say(why, wn,
            "%s asks to keep %s, but %s has no record of that lease, so RFC 2131 4.3.2 says to "
            "stay silent.",
            who, ip4_str(want, a), me);
        return false;
    }
    if (in->ciaddr) {
        /* RENEWING (unicast) or REBINDING (broadcast): extend the lease */
        struct dhcp_lease *l = slot(s, in->ciaddr, now);
        if (l && owned_by(l, in->chaddr) && (l->state == DL_BOUND || l->state == DL_RELEASED)) {
            ack(s, in, l, now, out, dst);
            say(why, wn,
                "DHCP ACK: %s renews its lease on %s; %s extends it by %u s from now and "
                "answers by unicast, since the client has its address.",
                who, ip4_str(in->ciaddr, a), me, s->conf.lease_s);
            return true;
        }
        if (l || on_subnet(s, in->ciaddr)) {
            say(why, wn,
                "DHCP NAK: %s wants to renew %s, but %s has no lease for it on that address, so "
                "the client must give it up and start over.",
                who, ip4_str(in->ciaddr, a), me);
            return nak(s, in, out, dst, "lease not found");
        }
        say(why, wn, "%s renews %s, an address of another network: not this server's business.",
            who, ip4_str(in->ciaddr, a));
        return false;
    }
    say(why, wn,
        "The request from %s names neither a server, an address it wants, nor one it has, so "
        "it is ignored.",
        who);
    return false;
}

bool dhcp_server_process(struct dhcp_server *s, const struct dhcp_msg *in, sim_time now,
                         struct dhcp_msg *out, uint32_t *dst, char *why, size_t why_len)
{
    char who[40], a[16];
    const char *me = s->st->node->name;
    dhcp_who(in, who, sizeof who);
    if (in->op != DHCP_BOOTREQUEST || in->htype != DHCP_HTYPE_ETHER || in->hlen != 6) {
        say(why, why_len, "Only BOOTREQUESTs from Ethernet clients go to a DHCP server.");
        return false;
    }
    if (in->giaddr) {
        say(why, why_len,
            "The message came through a relay agent (giaddr %s), which %s does "
            "not support.",
            ip4_str(in->giaddr, a), me);
        return false;
    }
    switch (in->type) {
    case DHCPDISCOVER:
        return on_discover(s, in, now, out, dst, why, why_len);
    case DHCPREQUEST:
        return on_request(s, in, now, out, dst, why, why_len);
    case DHCPDECLINE: {
        struct dhcp_lease *l = in->has_req_addr ? slot(s, in->req_addr, now) : NULL;
        if (l && owned_by(l, in->chaddr)) {
            /* RFC 2131 4.3.3: mark it not available (ISC: "abandoned") */
            l->state = DL_DECLINED;
            l->has_client = false;
            l->expires = lease_end(s, now);
            say(why, why_len,
                "%s found %s already in use on the network, so %s sets the address aside "
                "and will not offer it for %u s.",
                who, ip4_str(in->req_addr, a), me, s->conf.lease_s);
        } else {
            say(why, why_len, "%s declines an address it was not given; nothing changes.", who);
        }
        return false;
    }
    case DHCPRELEASE: {
        struct dhcp_lease *l = slot(s, in->ciaddr, now);
        if (l && owned_by(l, in->chaddr) && l->state == DL_BOUND) {
            l->state = DL_RELEASED;
            say(why, why_len,
                "%s gives %s back before its lease ends, so the address is free again (the "
                "server remembers who had it).",
                who, ip4_str(in->ciaddr, a));
        } else {
            say(why, why_len, "%s releases an address it does not hold; nothing changes.", who);
        }
        return false;
    }
    case DHCPINFORM:
        if (!in->ciaddr) {
            say(why, why_len, "An INFORM must come from a client that has an address.");
            return false;
        }
        /* RFC 2131 4.3.5: options only, no lease, unicast to ciaddr */
        reply_init(s, in, out, DHCPACK);
        out->ciaddr = in->ciaddr;
        reply_config(s, out, false);
        *dst = in->ciaddr;
        say(why, why_len,
            "DHCP ACK: %s already has %s and only asks for settings, so %s answers with the "
            "options and no lease.",
            who, ip4_str(in->ciaddr, a), me);
        return true;
    }
    say(why, why_len, "A DHCP %s is a server's message; a server ignores it.",
        dhcp_type_name(in->type));
    return false;
}

/* ---- on the network ---- */

static void dhcp_server_input(void *ctx, struct udp_sock *sock, const struct udp_meta *m,
                              const uint8_t *data, size_t len)
{
    struct netstack *st = ctx;
    struct dhcp_state *d = st->dhcp;
    struct sim *sim = st->sim;
    struct dhcp_server *s = NULL;
    for (uint32_t i = 0; i < d->n_srv && !s; i++)
        if (d->srv[i]->ifc == m->in) s = d->srv[i];
    struct dhcp_msg in, out;
    int rc = dhcp_parse(data, len, &in);
    if (rc != DHCP_OK) {
        DROP_STEP(sim, st->node, m->in, 7, TK_DROP, m->p, "DHCP",
                  "invalid DHCP message\nThe datagram to port 67 is not a valid DHCP message: "
                  "%s, so the server ignores it.",
                  dhcp_parse_err_str(rc));
        return;
    }
    if (!s) {
        STEP(sim, st->node, m->in, 7, TK_DROP, m->p, "DHCP",
             "DHCP %-8s - Transaction ID 0x%08x\nThis node serves DHCP on other interfaces only, "
             "so it ignores a message that arrived on %s.",
             dhcp_type_name(in.type), in.xid, m->in->name);
        return;
    }
    s->rx++;
    bool tracing = trace_on(sim, TRACE_LAYERS);
    char why[600] = "";
    uint32_t dst = 0;
    bool reply =
        dhcp_server_process(s, &in, sim_now(sim), &out, &dst, tracing ? why : NULL, sizeof why);
    STEP(sim, st->node, m->in, 7, TK_DELIVER, m->p, "DHCP", "DHCP %-8s - Transaction ID 0x%08x\n%s",
         dhcp_type_name(in.type), in.xid,
         reply ? "The DHCP server reads the message and decides what to answer." : why);
    if (!reply) return;
    s->tx++;
    dhcp_send(st, sock, s->ifc, &out, s->addr, dst, DHCP_CLIENT_PORT, why);
}

struct dhcp_server *dhcp_server_start(struct netstack *st, struct iface *ifc,
                                      const struct dhcp_server_conf *conf, char *err,
                                      size_t err_len)
{
    char a[16], b[16];
    const struct dhcp_server_conf *c = conf;
    int k = 0;
    while (k < ifc->n_addr && (((c->pool_lo ^ ifc->addr[k]) & ip4_mask(ifc->plen[k])) ||
                               ((c->pool_hi ^ ifc->addr[k]) & ip4_mask(ifc->plen[k]))))
        k++;
    if (c->pool_lo > c->pool_hi || c->pool_hi - c->pool_lo >= DHCP_POOL_MAX) {
        say(err, err_len, "the pool %s-%s must go from low to high and hold at most %d addresses",
            ip4_str(c->pool_lo, a), ip4_str(c->pool_hi, b), DHCP_POOL_MAX);
        return NULL;
    }
    if (k == ifc->n_addr) {
        say(err, err_len, "the pool %s-%s is not on a subnet of %s (it needs an address there)",
            ip4_str(c->pool_lo, a), ip4_str(c->pool_hi, b), ifc->label);
        return NULL;
    }
    uint32_t addr = ifc->addr[k], mask = ip4_mask(ifc->plen[k]);
    if (addr >= c->pool_lo && addr <= c->pool_hi) {
        say(err, err_len, "the pool %s-%s holds %s's own address %s", ip4_str(c->pool_lo, a),
            ip4_str(c->pool_hi, b), ifc->label, ip4_str(addr, b));
        return NULL;
    }
    if (ifc->plen[k] <= 30 && (c->pool_lo == (addr & mask) || c->pool_hi == (addr | ~mask))) {
        say(err, err_len, "the pool %s-%s holds the subnet's network or broadcast address",
            ip4_str(c->pool_lo, a), ip4_str(c->pool_hi, b));
        return NULL;
    }
    struct dhcp_state *d = dhcp_state_of(st);
    for (uint32_t i = 0; i < d->n_srv; i++)
        if (d->srv[i]->ifc == ifc) {
            say(err, err_len, "%s already runs a DHCP server", ifc->label);
            return NULL;
        }
    if (!d->srv_sock) {
        d->srv_sock = udp_open(st, 0, DHCP_SERVER_PORT, dhcp_server_input, st);
        if (!d->srv_sock) {
            say(err, err_len, "UDP port 67 is already taken on %s", st->node->name);
            return NULL;
        }
    }
    struct dhcp_server *s = calloc(1, sizeof *s);
    struct dhcp_server **arr = realloc(d->srv, (d->n_srv + 1) * sizeof *arr);
    if (!s || !arr) abort();
    d->srv = arr;
    s->st = st;
    s->ifc = ifc;
    s->conf = *c;
    s->addr = addr;
    s->plen = ifc->plen[k];
    s->n = c->pool_hi - c->pool_lo + 1;
    s->lease = calloc(s->n, sizeof *s->lease);
    if (!s->lease) abort();
    for (uint32_t i = 0; i < s->n; i++)
        s->lease[i].addr = c->pool_lo + i;
    d->srv[d->n_srv++] = s;
    return s;
}
