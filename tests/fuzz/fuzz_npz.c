/* .npz: the ZIP reader (stored and deflated members) and the model loader
 * over it (hyperparameters, shapes, weights). */
#include <stdlib.h>

#include "core/io/modelfile.h"
#include "core/io/npz.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = sae_fuzz_file(data, size);
    SaeError e;
    SaeConfig c = sae_config_default(); /* what a file without a member keeps, as in the CLI */
    double *theta = NULL;
    int f32;
    if (sae_model_load(path, &c, &theta, &f32, &e) == 0)
        free(theta);
    return 0;
}
