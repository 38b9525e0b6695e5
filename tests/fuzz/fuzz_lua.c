/* fuzz_lua.c - libFuzzer target for the Lua scenario loader. Any bytes, run
 * as a scenario script under small limits, must either load into a model or
 * fail with an error that names the file, in bounded time and memory; never
 * crash, leak or hang. A model that loads is then run for a simulated
 * second (its callbacks too), and its JSON must load again on its own.
 * Seed corpus: tests/fuzz/corpus/lua/. */
#include "fuzz.h"
#include "scenarios/lua_scenario.h"
#include "scenarios/runner.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct model_load_opts o = {.lua_instructions = 200000, .lua_memory = 16u << 20};
    struct model_error err;
    struct model *m = lua_scenario_load_text("fuzz.lua", (const char *)data, size, &o, &err);
    if (!m) {
        FUZZ_ASSERT(strncmp(err.text, "fuzz.lua", 8) == 0);
        return 0;
    }
    /* the JSON it made is a scenario of its own */
    const char *json = lua_scenario_json(m->lua);
    FUZZ_ASSERT(json != NULL);
    struct model *again = model_load_json_text("fuzz.json", json, strlen(json), &err);
    FUZZ_ASSERT(again != NULL);
    FUZZ_ASSERT(again->n_nodes == m->n_nodes && again->n_links == m->n_links);
    model_free(again);
    /* and it runs, briefly, without output */
    struct run_opts ro;
    run_opts_default(&ro);
    ro.quiet = true;
    ro.until = SIM_S;
    ro.event_budget = 200000;
    ro.out = fopen("/dev/null", "w");
    if (ro.out) {
        struct runner *r = runner_new(m, &ro, &err);
        if (r) {
            runner_run(r);
            int code = runner_finish(r);
            FUZZ_ASSERT(code >= 0 && code <= 2);
            runner_free(r);
        }
        fclose(ro.out);
    }
    model_free(m);
    return 0;
}
