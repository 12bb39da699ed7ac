/* .npy: the header parser and the data-set loader over it. */
#include "core/io/data.h"
#include "core/io/npy.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SaeNpy a;
    SaeError e;
    if (sae_npy_parse(data, size, "fuzz.npy", &a, &e) == 0 && a.dtype != SAE_DT_UNICODE)
        for (size_t i = 0; i < a.count && i < 64; i++) (void)sae_npy_get(&a, i);
    SaeData d;
    if (sae_data_from_npy("fuzz.npy", data, size, &d, &e) == 0)
        sae_data_free(&d);
    return 0;
}
