/* PGM images (P2, P5; the other PNM kinds are refused) and patch sampling. */
#include <stdlib.h>

#include "core/io/data.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SaeImage img;
    SaeError e;
    if (sae_image_from_pgm("fuzz.pgm", data, size, &img, &e))
        return 0;
    SaeData d;
    if (sae_sample_patches("fuzz.pgm", &img, 1, 2, 8, 1, 0, &d, &e) == 0)
        sae_data_free(&d);
    free(img.px);
    return 0;
}
