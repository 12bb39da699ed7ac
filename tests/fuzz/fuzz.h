/*
 * libFuzzer harnesses, one per parser (meson -Dfuzz=enabled, clang):
 * each takes the fuzzer's bytes as a whole input file and must return
 * (accept or refuse with an error) without a crash, a leak, a hang or an
 * allocation over the limit .ci/run sets. Seeds: tests/fuzz/corpus/NAME.
 */
#ifndef SAE_TESTS_FUZZ_FUZZ_H
#define SAE_TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* The bytes as a file: a path (in /proc/self/fd) to a memory file that
 * holds them, for the loaders that take paths. Valid until the next call. */
const char *sae_fuzz_file(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
