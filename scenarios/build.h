/* build.h - turns a loaded scenario model into a simulation: nodes,
 * interfaces with their addresses and MACs, links, protocol stacks, routes.
 * Errors found only now (a route whose gateway is on no connected subnet)
 * name the file and line like the loader's. */
#ifndef NETSTEP_BUILD_H
#define NETSTEP_BUILD_H

#include "model.h"

/* NULL (and err filled) on error. The sim is the caller's to free. */
struct sim *scenario_build(const struct model *m, uint64_t seed, struct model_error *err);

#endif
