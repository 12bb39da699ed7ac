/* Sweep files: the INI parser, the grid's size and its first points (each
 * point goes through every option's setter). */
#include <stdlib.h>

#include "experiments/sweep/sweep_config.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SaeSweepConfig *c = malloc(sizeof *c);
    SaeError e;
    if (c && sae_sweep_config_parse("fuzz.ini", (const char *)data, size, c, &e) == 0) {
        const size_t n = sae_sweep_size(c);
        for (size_t i = 0; i < n && i < 16; i++) {
            SaeRunSpec s;
            (void)sae_sweep_point(c, i, &s, NULL, &e);
        }
    }
    free(c);
    return 0;
}
