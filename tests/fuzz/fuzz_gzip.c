/* Whole-file reads: gzip (every member, bounded inflation) and the format
 * sniffing of the data loader behind it. */
#include <stdlib.h>

#include "core/io/data.h"
#include "core/io/fileio.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = sae_fuzz_file(data, size);
    unsigned char *buf;
    size_t len;
    SaeError e;
    if (sae_read_file(path, &buf, &len, &e) == 0)
        free(buf);
    SaeDataOpts o = sae_data_defaults();
    o.patches = 16;
    o.patch = 2;
    o.test_fraction = 0.25;
    SaeData train, test;
    if (sae_data_load(path, &o, &train, &test, &e) == 0) {
        sae_data_free(&test);
        sae_data_free(&train);
    }
    return 0;
}
