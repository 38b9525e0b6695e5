/* capture.h - packet capture sinks on the trace bus.
 *
 * pcapng: one file for the whole network, one Interface Description Block
 * per node interface named "node:iface" (if_name option), linktype Ethernet,
 * nanosecond timestamps (if_tsresol = 9). Every frame is recorded once, on
 * the interface that sent it, at the time its first bit left.
 * Classic pcap: one file per interface (DIR/node_iface.pcap) holding what
 * that interface sent and received, as a capture on it would.
 * Timestamps are simulated time since the epoch 0.
 */
#ifndef NETSTEP_CAPTURE_H
#define NETSTEP_CAPTURE_H

#include "trace.h"
#include <stdio.h>

struct capture;

/* Opens path and writes the section header and one IDB per interface that
 * exists now (create the topology first). NULL on I/O error (errno set). */
struct capture *capture_pcapng_open(struct sim *sim, const char *path);
/* Per-interface classic pcap files in dir (created if missing). */
struct capture *capture_pcap_dir_open(struct sim *sim, const char *dir);
/* Flushes, closes, unsubscribes. Returns 0 or -1 on a write error. */
int capture_close(struct capture *c);

#endif
