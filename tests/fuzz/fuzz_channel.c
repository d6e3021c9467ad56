/* libFuzzer target: the channel file validator on untrusted content. */
#include <stddef.h>
#include <stdint.h>

#include "package/channel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rg_channel_info info;
    struct rg_errors errs = {0};
    int rc = rg_channel_validate("fuzz.rgc", (const char *)data, size, 20, &info, &errs);

    /* Accepted content never reads past the 20 inputs: that is the validator's job. */
    if (rc == 0 && (errs.n != 0 || info.max_field > 20 || info.inputs > 20))
        __builtin_trap();
    if (rc < 0 && errs.n == 0)
        __builtin_trap();
    rg_errors_free(&errs);
    return 0;
}
