/* build_tls.h - the TLS part of building a scenario (build_tls.c): the
 * scenario CA from "pki", each TLS server's certificate, each node's
 * trusted CAs. Private to scenarios/. */
#ifndef NETSTEP_BUILD_TLS_H
#define NETSTEP_BUILD_TLS_H

#include "model.h"

#include <stdbool.h>
#include <stddef.h>

/* Gives every node that runs a service with "tls": true its identity
 * (signed by the pki CA when "signs" names it, else self-signed) and every
 * node its trusted CAs. Call after the stacks exist, before the services
 * start. False with a message (and the model line in *line) on failure. */
bool build_tls(struct sim *sim, const struct model *m, char *why, size_t n, int *line);

#endif
