/* CSV data, with each label-column choice (the first byte picks it). */
#include "core/io/data.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const SaeLabelColumn lc = data[0] % 3 == 0 ? SAE_LABEL_NONE : data[0] % 3 == 1 ? SAE_LABEL_FIRST : SAE_LABEL_LAST;
    SaeData d;
    SaeError e;
    if (sae_data_from_csv("fuzz.csv", (const char *)data + 1, size - 1, lc, &d, &e) == 0)
        sae_data_free(&d);
    return 0;
}
