/* dhcp.c - what DHCP's server and client share on a node: the state that
 * hangs on the stack, sending a message with its layer-7 step, teardown.
 * The behaviour lives in dhcp_server.c and dhcp_client.c. */
#include "dhcp_priv.h"
#include "ip4.h"

#include <stdio.h>
#include <stdlib.h>

struct dhcp_state *dhcp_state_of(struct netstack *st)
{
    if (!st->dhcp) {
        st->dhcp = calloc(1, sizeof *st->dhcp);
        if (!st->dhcp) abort();
    }
    return st->dhcp;
}

int dhcp_send(struct netstack *st, struct udp_sock *s, struct iface *ifc, const struct dhcp_msg *m,
              uint32_t src, uint32_t dst, uint16_t dport, const char *why)
{
    uint8_t buf[DHCP_MAX_LEN];
    size_t n = dhcp_emit(m, buf, sizeof buf);
    if (!n) return IP4_TOO_BIG;
    STEP(st->sim, st->node, ifc, 7, TK_ENCAP, NULL, "DHCP", "DHCP %-8s - Transaction ID 0x%08x\n%s",
         dhcp_type_name(m->type), m->xid, why ? why : "");
    struct udp_send_opts o = {.src = src, .ifc = dst == 0xffffffffu ? ifc : NULL};
    return udp_sendto(s, dst, dport, buf, n, &o);
}

int dhcp_mask_plen(uint32_t mask)
{
    int plen = 0;
    while (plen < 32 && (mask & (0x80000000u >> plen)))
        plen++;
    return ip4_mask((uint8_t)plen) == mask ? plen : -1;
}

const char *dhcp_who(const struct dhcp_msg *m, char *buf, size_t len)
{
    if (m->hostname[0])
        snprintf(buf, len, "%s", m->hostname);
    else
        mac_str(m->chaddr, buf);
    return buf;
}

uint32_t dhcp_server_count(const struct netstack *st)
{
    return st->dhcp ? st->dhcp->n_srv : 0;
}

struct dhcp_server *dhcp_server_at(const struct netstack *st, uint32_t i)
{
    return st->dhcp && i < st->dhcp->n_srv ? st->dhcp->srv[i] : NULL;
}

const struct dhcp_client *dhcp_client_of(const struct netstack *st, const struct iface *ifc)
{
    for (uint32_t i = 0; st->dhcp && i < st->dhcp->n_cli; i++)
        if (st->dhcp->cli[i]->ifc == ifc) return st->dhcp->cli[i];
    return NULL;
}

void dhcp_free(struct netstack *st)
{
    struct dhcp_state *d = st->dhcp;
    if (!d) return;
    for (uint32_t i = 0; i < d->n_srv; i++) {
        free(d->srv[i]->lease);
        free(d->srv[i]);
    }
    for (uint32_t i = 0; i < d->n_cli; i++) {
        struct dhcp_client *c = d->cli[i];
        sim_cancel(st->sim, &c->retx);
        sim_cancel(st->sim, &c->t1);
        sim_cancel(st->sim, &c->t2);
        sim_cancel(st->sim, &c->expiry);
        free(c);
    }
    free(d->srv);
    free(d->cli);
    /* the sockets belong to UDP's table, which udp_free releases */
    free(d);
    st->dhcp = NULL;
}
