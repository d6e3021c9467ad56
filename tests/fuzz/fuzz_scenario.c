/* libFuzzer target: the scenario parser must never crash, leak or accept-and-misreport. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct rg_scenario_opts opts = {.check_files = false};
    struct rg_errors errs = {0};
    struct rg_scenario *sc = NULL;
    int rc;

    setenv("RINGGATE_CATALOG", "/nonexistent/catalog.json", 1);
    rc = rg_scenario_parse("fuzz.yaml", (const char *)data, size, &opts, &sc, &errs);
    /* Success and failure are exclusive: a scenario with errors, or a failure without one,
     * is a bug. */
    if ((rc == 0) != (errs.n == 0) || (rc == 0) != (sc != NULL))
        __builtin_trap();
    if (sc && (sc->ncells == 0 || !sc->name || !sc->update.package))
        __builtin_trap();
    for (size_t i = 0; i < errs.n; i++)
        if (errs.v[i].msg[0] == '\0')
            __builtin_trap();
    rg_scenario_free(sc);
    rg_errors_free(&errs);
    return 0;
}
