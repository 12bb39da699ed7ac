/*
 * The scalar half of the topk slot (kernels.h), shared by the reference
 * (scalar_tmpl.c) and the SIMD levels (sparse_tmpl.c), written over the
 * element type T of kernels/template.h: a min-heap of the K largest values
 * seen, and the rule that turns the K-th largest value into the kept set.
 * The SIMD levels only decide faster which values reach these.
 */
#ifndef SAE_KERNELS_TOPK_TMPL_H
#define SAE_KERNELS_TOPK_TMPL_H

#include <stdint.h>

/* Offers v to the min-heap heap[0..*len) of at most K values: it grows
 * until K, then v replaces the root (the smallest) when it is larger. */
static inline void topk_offer(T *heap, size_t *len, size_t K, T v)
{
    size_t at;
    if (*len < K) { /* grow: sift the new value up */
        at = (*len)++;
        while (at > 0 && v < heap[(at - 1) / 2]) {
            heap[at] = heap[(at - 1) / 2];
            at = (at - 1) / 2;
        }
    } else if (v > heap[0]) { /* replace the smallest: sift down */
        at = 0;
        for (size_t child; (child = 2 * at + 1) < K; at = child) {
            if (child + 1 < K && heap[child + 1] < heap[child])
                child++;
            if (!(heap[child] < v))
                break;
            heap[at] = heap[child];
        }
    } else {
        return;
    }
    heap[at] = v;
}

/* How many entries equal to the K-th largest value thr stay: K less those
 * above it (0 when NaN in the row has left more than K above). */
static inline size_t topk_ties(const T *h, size_t k, size_t K, T thr)
{
    size_t above = 0;
    for (size_t j = 0; j < k; j++) above += h[j] > thr;
    return above < K ? K - above : 0;
}

/* Entry j of a row is kept: above thr, or equal to it while ties remain;
 * never more than K in all (the NaN guard). Records it in idx/val. */
static inline int topk_keep(T v, T thr, size_t *ties, uint32_t j, size_t K, size_t *cnt, uint32_t *idx, T *val)
{
    int keep = v > thr;
    if (!keep && v == thr && *ties) {
        (*ties)--;
        keep = 1;
    }
    if (!keep || *cnt == K)
        return 0;
    idx[*cnt] = j;
    val[*cnt] = v;
    (*cnt)++;
    return 1;
}

/* Only with NaN in the row can fewer than K have been kept: the lowest
 * indices not yet kept fill the list (value 0, as in h), which is then
 * put back in increasing order, so idx always holds K distinct indices. */
static void topk_pad(size_t k, size_t K, size_t cnt, uint32_t *idx, T *val)
{
    size_t have = cnt, at = 0;
    for (uint32_t j = 0; cnt < K && j < k; j++) {
        while (at < have && idx[at] < j) at++;
        if (at < have && idx[at] == j)
            continue;
        idx[cnt] = j;
        val[cnt++] = 0;
    }
    for (size_t a = 1; a < K; a++) /* insertion sort: only ever after a NaN */
        for (size_t b = a; b > 0 && idx[b - 1] > idx[b]; b--) {
            const uint32_t ti = idx[b];
            idx[b] = idx[b - 1];
            idx[b - 1] = ti;
            const T tv = val[b];
            val[b] = val[b - 1];
            val[b - 1] = tv;
        }
}

#endif
