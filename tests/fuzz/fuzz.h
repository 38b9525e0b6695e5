/* fuzz.h - what every libFuzzer target here shares: the entry point's
 * prototype and FUZZ_ASSERT, a property check that aborts (so libFuzzer and
 * the replay driver both report it) with the file, line and condition. */
#ifndef NETSTEP_FUZZ_H
#define NETSTEP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond);            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
