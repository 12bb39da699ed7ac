/* IDX images and labels (MNIST's format). */
#include "core/io/data.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SaeData d;
    SaeError e;
    if (sae_data_from_idx("fuzz-images-idx3-ubyte", data, size, &d, &e) == 0)
        sae_data_free(&d);
    /* labels for a data set of as many rows as the labels file claims */
    if (size >= 8) {
        d = (SaeData){ .rows = (size_t)data[4] << 24 | (size_t)data[5] << 16 | (size_t)data[6] << 8 | data[7] };
        if (sae_data_labels_from_idx("fuzz-labels-idx1-ubyte", data, size, &d, &e) == 0)
            sae_data_free(&d);
    }
    return 0;
}
