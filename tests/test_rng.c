/* The RNG against NumPy's legacy RandomState (fixtures/rng_numpy.txt, made
 * by fixtures/make_fixtures.py), and the shuffle and bounded draws. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/rng.h"
#include "tests/common.h"

Test(rng, matches_numpy_seed_42)
{
    FILE *f = fopen(SAE_TEST_FIXTURES "/rng_numpy.txt", "r");
    cr_assert_not_null(f);
    char line[256];
    cr_assert_not_null(fgets(line, sizeof line, f)); /* comment */
    double want[8];
    for (int i = 0; i < 8; i++) cr_assert_eq(fscanf(f, "%lf", &want[i]), 1);
    fclose(f);
    SaeRng r;
    sae_rng_seed(&r, 42);
    for (int i = 0; i < 5; i++) {
        const double g = sae_rng_gauss(&r);
        cr_expect(close_enough(g, want[i], 0, 1e-15), "randn[%d] = %.17g, numpy %.17g", i, g, want[i]);
    }
    /* randn(5) used three pairs, one cached value is left unused by numpy's
     * random_sample, which draws fresh doubles */
    for (int i = 0; i < 3; i++) {
        const double u = sae_rng_uniform(&r);
        cr_expect(close_enough(u, want[5 + i], 0, 1e-15), "random_sample[%d] = %.17g, numpy %.17g", i, u, want[5 + i]);
    }
}

Test(rng, shuffle_is_a_permutation_and_below_is_in_range)
{
    SaeRng r;
    sae_rng_seed(&r, 9);
    size_t idx[101], seen[101] = { 0 };
    for (size_t i = 0; i < 101; i++) idx[i] = i;
    sae_rng_shuffle(&r, idx, 101);
    size_t moved = 0;
    for (size_t i = 0; i < 101; i++) {
        seen[idx[i]]++;
        moved += idx[i] != i;
    }
    for (size_t i = 0; i < 101; i++) cr_expect_eq(seen[i], 1u);
    cr_expect_gt(moved, 50u);
    size_t counts[3] = { 0 };
    for (int i = 0; i < 3000; i++) {
        const size_t v = sae_rng_below(&r, 3);
        cr_assert_lt(v, 3u);
        counts[v]++;
    }
    for (int i = 0; i < 3; i++) cr_expect(counts[i] > 850 && counts[i] < 1150, "counts[%d] = %zu", i, counts[i]);
}
