/* dns_priv.h - what dns.c (zone data and the server) and dns_resolver.c
 * (the stub resolver) share. Not part of the DNS module's contract. */
#ifndef NETSTEP_DNS_PRIV_H
#define NETSTEP_DNS_PRIV_H

#include "dns.h"

/* calloc that aborts when memory runs out, as the rest of the stack does. */
void *dns_xalloc(size_t n);
/* Frees the node's pending queries without running their callbacks. */
void dns_client_free(struct netstack *st);

#endif
