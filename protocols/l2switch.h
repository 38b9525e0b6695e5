/* l2switch.h - a learning bridge (IEEE 802.1D without spanning tree) and a
 * hub.
 *
 * The switch learns the source MAC of every frame on the port it came in
 * on, forwards frames to a known destination out of that one port, and
 * floods broadcasts and unknown destinations out of every other port.
 * Entries age out after 300 s. Without STP a loop would multiply broadcasts
 * forever, so like a real switch's storm control it counts floods per
 * second and, past the limit, warns once and stops flooding for the rest of
 * that second. The hub repeats every frame out of every other port. */
#ifndef NETSTEP_L2SWITCH_H
#define NETSTEP_L2SWITCH_H

#include "stack.h"

#define SWITCH_AGING       (300 * SIM_S)
#define SWITCH_STORM_LIMIT 20000 /* floods per second */

void switch_input(struct node *node, struct iface *in, struct pkt *p);
void hub_input(struct node *node, struct iface *in, struct pkt *p);
void mac_table_init(struct mac_table *t);
void mac_table_free(struct mac_table *t);
/* The live entry for mac, or NULL (aged-out entries are not returned). */
const struct mac_entry *mac_table_lookup(const struct netstack *st, const uint8_t *mac);

#endif
