/* echo.h - the echo service (RFC 862): whatever a client sends comes back,
 * on TCP port 7 and UDP port 7. */
#ifndef NETSTEP_ECHO_H
#define NETSTEP_ECHO_H

#include "stack.h"

/* Listens on TCP port 7 of every address of the node. Returns 0, or -1 when
 * the port is taken. */
int echo_tcp_start(struct netstack *st);
/* Answers every datagram to UDP port 7 with the same bytes. Returns 0, or -1
 * when the port is taken. */
int echo_udp_start(struct netstack *st);
/* Both of the above: the scenario's "services": {"echo": {}}. */
int echo_start(struct netstack *st);

#endif
