/* results.csv as --resume reads it: header mapping, quoting, migration. */
#include "experiments/sweep/results.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SaeRows r;
    SaeError e;
    sae_rows_init(&r);
    (void)sae_rows_parse("results.csv", (const char *)data, size, &r, &e);
    sae_rows_free(&r);
    return 0;
}
