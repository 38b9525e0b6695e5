/* fuzz_scenario.c - libFuzzer target for the JSON scenario loader. Any bytes
 * must either load into a model or fail with one line of error that names
 * the file; never crash, leak or hang. The line scanner that places errors
 * is also driven directly over the same bytes, valid JSON or not.
 * Seed corpus: tests/fuzz/corpus/scenario/. */
#include "fuzz.h"
#include "scenarios/model.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct model_error err;
    struct model *m = model_load_json_text("fuzz.json", text, size, &err);
    if (m) {
        /* a loaded model is consistent: every link end names a node */
        for (int i = 0; i < m->n_links; i++)
            if (!model_find_node(m, m->links[i].a_node) || !model_find_node(m, m->links[i].b_node))
                __builtin_trap();
        model_free(m);
    } else if (strncmp(err.text, "fuzz.json", 9) != 0 || strchr(err.text, '\n')) {
        __builtin_trap();
    }
    int line = model_json_line(text, size, "nodes[1].interfaces[0].ip[2]");
    if (line < 1 || (size_t)line > size + 1) __builtin_trap();
    return 0;
}
