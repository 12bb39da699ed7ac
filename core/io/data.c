/* Data-set loading: built-in names, the dispatch to the parsers by the
 * file's first bytes, the held-out split and scaling. */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/io/data.h"
#include "core/io/fileio.h"
#include "core/io/npy_map.h"
#include "core/io/sniff.h"
#include "core/rng.h"
#include "core/safe_alloc.h"
#include "sae_config.h"

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"
enum { SPLIT_SEED = 12345 }; /* fixed, so every seed of a sweep sees the same split */

SaeDataOpts sae_data_defaults(void)
{
    return (SaeDataOpts){
        .scale = SAE_SCALE_AUTO, .label_column = SAE_LABEL_NONE, .patch = 8, .patches = 10000, .seed = 42
    };
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where the bundled data lives: --data-dir, $SAE_DATA_DIR, the source tree
 * the binary was built from, or the installed copy. */
static const char *bundled_dir(const SaeDataOpts *o)
{
    if (o->data_dir)
        return o->data_dir;
    const char *env = getenv("SAE_DATA_DIR");
    if (env && *env)
        return env;
    if (is_dir(SAE_DATA_DIR))
        return SAE_DATA_DIR;
    return SAE_INSTALLED_DATA_DIR;
}

static int gauss_set(SaeData *d, SaeError *e)
{
    memset(d, 0, sizeof *d);
    if (!(d->x = sae_alloc_array(1000 * 100, sizeof(double))))
        return sae_fail(e, "gauss: out of memory");
    d->rows = 1000;
    d->cols = 100;
    d->auto_scale = 1;
    SaeRng r;
    sae_rng_seed(&r, 42); /* np.random.seed(42); np.random.randn(1000, 100) */
    for (size_t i = 0; i < 1000 * 100; i++) d->x[i] = sae_rng_gauss(&r);
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int load_pgm_file(const char *path, SaeImage *img, SaeError *e)
{
    unsigned char *b;
    size_t len;
    if (sae_read_file(path, &b, &len, e))
        return -1;
    const int rc = sae_image_from_pgm(path, b, len, img, e);
    free(b);
    return rc;
}

/* Patches from every *.pgm in dir (sorted by name, so runs repeat). */
static int patches_from_dir(const char *dir, const SaeDataOpts *o, SaeData *d, SaeError *e)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return sae_fail(e, "%s: cannot open the image folder", dir);
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dp)) && n < 256) {
        const size_t l = strlen(de->d_name);
        if (l > 4 && !strcmp(de->d_name + l - 4, ".pgm"))
            names[n++] = strdup(de->d_name);
    }
    closedir(dp);
    if (n == 0)
        return sae_fail(e, "%s: no .npy shards and no .pgm images in the folder", dir);
    qsort(names, n, sizeof *names, cmp_str);
    SaeImage *imgs = calloc(n, sizeof *imgs);
    int rc = imgs ? 0 : sae_fail(e, "%s: out of memory", dir);
    for (size_t i = 0; i < n && !rc; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        rc = load_pgm_file(path, &imgs[i], e);
        imgs[i].name = names[i];
    }
    if (!rc)
        rc = sae_sample_patches(dir, imgs, n, o->patch, o->patches, o->seed, o->zca, d, e);
    for (size_t i = 0; i < n; i++) {
        if (imgs)
            free(imgs[i].px);
        free(names[i]);
    }
    free(imgs);
    return rc;
}

/* The IDX labels beside an images file, when the usual name exists. */
static int idx_labels_beside(const char *images_path, SaeData *d, SaeError *e)
{
    char lp[4096];
    snprintf(lp, sizeof lp, "%s", images_path);
    char *at = strstr(lp, "images-idx3");
    if (!at)
        return 0;
    memcpy(at, "labels-idx1", 11);
    FILE *f = fopen(lp, "rb");
    if (!f)
        return 0;
    fclose(f);
    unsigned char *b;
    size_t len;
    if (sae_read_file(lp, &b, &len, e))
        return -1;
    const int rc = sae_data_labels_from_idx(lp, b, len, d, e);
    free(b);
    return rc;
}

/* The bytes a data set may take in memory before it is streamed. */
static size_t memory_budget(const SaeDataOpts *o)
{
    if (o->memory_budget_mib)
        return o->memory_budget_mib > SIZE_MAX >> 20 ? SIZE_MAX : o->memory_budget_mib << 20;
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (size_t)pages / 2 * (size_t)page : SIZE_MAX;
}

/* Any file: sniffed by content. An uncompressed .npy (or a folder of
 * them) is mapped, and only rows [offset, offset + limit) are read when
 * *cut (left at 1: the caller cuts nothing more); anything else is read
 * whole (*cut set to 0). */
static int load_file(const char *path, const SaeDataOpts *o, SaeData *d, int *cut, SaeError *e)
{
    if (is_dir(path)) { /* a folder of .npy shards, else of images */
        if (*cut) {
            const int shards = sae_npy_map_folder(path, o->offset, o->limit, o->f32, memory_budget(o), d, e);
            if (shards != SAE_NPY_MAP_NOT_NPY)
                return shards;
            *cut = 0;
        }
        return patches_from_dir(path, o, d, e);
    }
    if (*cut) {
        const int streamed = sae_npy_map_stream(path, o->offset, o->limit, o->f32, memory_budget(o), d, e);
        if (streamed != SAE_NPY_MAP_FITS && streamed != SAE_NPY_MAP_NOT_NPY)
            return streamed;
        const int mapped =
            streamed == SAE_NPY_MAP_FITS ? sae_npy_map_rows(path, o->offset, o->limit, o->f32, d, e) : streamed;
        if (mapped != SAE_NPY_MAP_NOT_NPY)
            return mapped;
        *cut = 0;
    }
    unsigned char *b;
    size_t len;
    if (sae_read_file(path, &b, &len, e))
        return -1;
    /* the first bytes decide the format: a file that starts like one gets
     * that format's error, never another parser's */
    int rc;
    switch (sae_sniff(b, len)) {
    case SAE_SNIFF_NPY: rc = sae_data_from_npy(path, b, len, d, e); break;
    case SAE_SNIFF_IDX:
        rc = sae_data_from_idx_as(path, b, len, o->f32, d, e);
        if (!rc && (rc = idx_labels_beside(path, d, e)))
            sae_data_free(d);
        break;
    case SAE_SNIFF_PNM: {
        SaeImage img;
        rc = sae_image_from_pgm(path, b, len, &img, e);
        if (!rc) {
            rc = sae_sample_patches(path, &img, 1, o->patch, o->patches, o->seed, o->zca, d, e);
            free(img.px);
        }
        break;
    }
    case SAE_SNIFF_ZIP:
        rc = sae_fail(e, "%s: offset 0: a ZIP archive (.npz?); a data set is an .npy, IDX, PGM or CSV file", path);
        break;
    default: rc = sae_data_from_csv(path, (const char *)b, len, o->label_column, d, e); break;
    }
    free(b);
    return rc;
}

static int fashion_part(const char *dir, const char *prefix, const SaeDataOpts *o, SaeData *d, SaeError *e)
{
    char ip[4096];
    snprintf(ip, sizeof ip, "%s/%s-images-idx3-ubyte.gz", dir, prefix);
    FILE *f = fopen(ip, "rb");
    if (!f) {
        snprintf(ip, sizeof ip, "%s/%s-images-idx3-ubyte", dir, prefix);
        if (!(f = fopen(ip, "rb")))
            return sae_fail(e,
                            "fashion-mnist: %s/%s-images-idx3-ubyte.gz not found; install the Debian "
                            "package dataset-fashion-mnist or pass --data-dir",
                            dir, prefix);
    }
    fclose(f);
    int cut = 0;
    return load_file(ip, o, d, &cut, e); /* sniffed like any file: it may not be IDX */
}

/* Rows [offset, offset + limit) of a set read whole (limit 0: to the
 * end), moved to the front of its allocation: --limit alone keeps the
 * first rows, as UFLDL's "first 10000 images". */
static int cut_rows(const char *spec, const SaeDataOpts *o, SaeData *d, SaeError *e)
{
    if (o->offset >= d->rows && o->offset > 0)
        return sae_fail(e, "%s: --offset %zu: the data set has %zu rows", spec, o->offset, d->rows);
    const size_t rows = o->limit && o->limit < d->rows - o->offset ? o->limit : d->rows - o->offset;
    if (o->offset) {
        memmove(sae_data_row(d, 0), sae_data_row(d, o->offset), rows * d->cols * sae_data_elem(d));
        if (d->labels)
            memmove(d->labels, d->labels + o->offset, rows * sizeof(int));
    }
    d->rows = rows;
    return 0;
}

/* Reorders the rows of d in place so that row r becomes the old row
 * idx[r], one permutation cycle at a time through one row of scratch; idx
 * is used up (each placed entry is set to its own index). */
static int permute_rows(SaeData *d, size_t *idx, SaeError *e)
{
    const size_t bytes = d->cols * sae_data_elem(d);
    unsigned char *row = sae_alloc_array(bytes, 1);
    if (!row)
        return sae_fail(e, "out of memory splitting the data");
    for (size_t start = 0; start < d->rows; start++) {
        if (idx[start] == start)
            continue;
        memcpy(row, sae_data_row(d, start), bytes);
        const int label = d->labels ? d->labels[start] : 0;
        size_t r = start;
        while (idx[r] != start) { /* row r takes its source, which is read before it is overwritten */
            const size_t src = idx[r];
            memcpy(sae_data_row(d, r), sae_data_row(d, src), bytes);
            if (d->labels)
                d->labels[r] = d->labels[src];
            idx[r] = r;
            r = src;
        }
        memcpy(sae_data_row(d, r), row, bytes);
        if (d->labels)
            d->labels[r] = label;
        idx[r] = r;
    }
    free(row);
    return 0;
}

/* The held-out split without a copy: the rows of all are put in the
 * split's order in place (the training rows first), train takes over the
 * allocation and test is a view of its last n_test rows. */
static int split(const char *spec, SaeData *all, double fraction, uint32_t which, SaeData *train, SaeData *test,
                 SaeError *e)
{
    const size_t n_test = (size_t)floor(fraction * (double)all->rows + 0.5);
    if (n_test >= all->rows)
        return sae_fail(e, "%s: --test-fraction %g leaves no training rows (%zu rows)", spec, fraction, all->rows);
    if (n_test > 0 && all->map && which)
        return sae_fail(e, "%s: --split %u: a streamed data set's held-out rows are its last ones, not re-drawn", spec,
                        which);
    if (n_test > 0 && !all->map) { /* streamed: the last rows, read in place (core/MODEL.md §7 [stream]) */
        size_t *idx = sae_alloc_array(all->rows, sizeof(size_t));
        if (!idx)
            return sae_fail(e, "%s: out of memory", spec);
        for (size_t i = 0; i < all->rows; i++) idx[i] = i;
        SaeRng r;
        sae_rng_seed(&r, SPLIT_SEED + which);
        sae_rng_shuffle(&r, idx, all->rows);
        const int rc = permute_rows(all, idx, e);
        free(idx);
        if (rc)
            return -1;
    }
    const size_t n_train = all->rows - n_test;
    *train = *all;
    train->rows = n_train;
    *test = *all;
    test->rows = n_test;
    test->x = all->x ? all->x + n_train * all->cols : NULL;
    test->xf = all->xf ? all->xf + n_train * all->cols : NULL;
    test->labels = all->labels ? all->labels + n_train : NULL;
    test->view = 1;
    memset(all, 0, sizeof *all); /* train owns the rows now */
    return 0;
}

/* Scaling computes in double whichever type holds the rows, so that a
 * float set gets the bits a double one would have been rounded to. */
static void scale_data(const SaeDataOpts *o, SaeData *train, SaeData *test)
{
    const size_t n = train->cols;
    SaeData *sets[2] = { train, test };
    if (o->scale == SAE_SCALE_AUTO) {
        for (int s = 0; s < 2; s++)
            if (sets[s]->auto_scale != 1)
                for (size_t i = 0; i < sets[s]->rows * n; i++)
                    sae_data_put(sets[s], i, sae_data_at(sets[s], i) * sets[s]->auto_scale);
    } else if (o->scale == SAE_SCALE_MINMAX) { /* from the training rows, to [0, 1] */
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < train->rows * n; i++) {
            lo = fmin(lo, sae_data_at(train, i));
            hi = fmax(hi, sae_data_at(train, i));
        }
        const double span = hi > lo ? hi - lo : 1;
        for (int s = 0; s < 2; s++)
            for (size_t i = 0; i < sets[s]->rows * n; i++)
                sae_data_put(sets[s], i, (sae_data_at(sets[s], i) - lo) / span);
    } else if (o->scale == SAE_SCALE_ZSCORE) { /* per feature, from the training rows */
        for (size_t j = 0; j < n; j++) {
            double mean = 0, var = 0;
            for (size_t i = 0; i < train->rows; i++) mean += sae_data_at(train, i * n + j);
            mean /= (double)train->rows;
            for (size_t i = 0; i < train->rows; i++) {
                const double dv = sae_data_at(train, i * n + j) - mean;
                var += dv * dv;
            }
            const double sd = sqrt(var / (double)train->rows);
            const double inv = sd > 0 ? 1 / sd : 1;
            for (int s = 0; s < 2; s++)
                for (size_t i = 0; i < sets[s]->rows; i++)
                    sae_data_put(sets[s], i * n + j, (sae_data_at(sets[s], i * n + j) - mean) * inv);
        }
    }
}

int sae_data_load(const char *spec, const SaeDataOpts *o, SaeData *train, SaeData *test, SaeError *e)
{
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    if (!(o->test_fraction >= 0 && o->test_fraction < 1))
        return sae_fail(e, "--test-fraction must be in [0, 1), got %g", o->test_fraction);
    SaeData all = { 0 }, given_test = { 0 };
    char path[4096];
    int rc, have_test = 0, cut = 0;
    if (!strcmp(spec, "gauss")) {
        rc = gauss_set(&all, e);
    } else if (!strcmp(spec, "digits")) {
        snprintf(path, sizeof path, "%s/digits.csv", bundled_dir(o));
        SaeDataOpts csv = *o;
        csv.label_column = SAE_LABEL_LAST;
        int cut = 0;
        rc = load_file(path, &csv, &all, &cut, e);
        all.auto_scale = 1.0 / 16; /* grey levels 0..16 */
        all.img_h = all.img_w = 8;
    } else if (!strcmp(spec, "patches")) {
        snprintf(path, sizeof path, "%s/images", bundled_dir(o));
        rc = patches_from_dir(path, o, &all, e);
    } else if (!strcmp(spec, "fashion-mnist")) {
        const char *dir = o->data_dir ? o->data_dir : FASHION_DIR;
        rc = fashion_part(dir, "train", o, &all, e);
        if (!rc && (rc = fashion_part(dir, "t10k", o, &given_test, e)) == 0)
            have_test = 1;
    } else {
        cut = 1;
        rc = load_file(spec, o, &all, &cut, e);
        static const char *const builtins[] = { "gauss", "digits", "patches", "fashion-mnist" };
        const char *near = sae_nearest(spec, builtins, 4);
        struct stat st;
        if (rc && !strchr(spec, '/') && !strchr(spec, '.') && stat(spec, &st) != 0)
            sae_fail(e, "%s: no such file, and not a built-in data set (gauss, digits, patches, fashion-mnist)%s%s%s",
                     spec, near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
    }
    if (rc) {
        sae_data_free(&all);
        return -1;
    }
    if (!cut && cut_rows(spec, o, &all, e)) {
        sae_data_free(&all);
        sae_data_free(&given_test);
        return -1;
    }
    if (have_test && o->split) {
        sae_data_free(&all);
        sae_data_free(&given_test);
        return sae_fail(e, "%s: --split %u: the data set has its own test part, which is not re-drawn", spec, o->split);
    }
    if (have_test) {
        *train = all;
        *test = given_test;
    } else {
        if (split(spec, &all, o->test_fraction, o->split, train, test, e)) {
            sae_data_free(&all);
            return -1;
        }
    }
    if (train->map && (o->scale == SAE_SCALE_MINMAX || o->scale == SAE_SCALE_ZSCORE)) {
        sae_data_free(test);
        sae_data_free(train);
        return sae_fail(e, "%s: streamed rows are read in place, so they cannot be rescaled: --scale none or auto",
                        spec);
    }
    if (train->map) /* checked while mapped, and never scaled (float data: auto is 1) */
        return 0;
    scale_data(o, train, test);
    if (sae_data_check_finite(spec, train, e) || sae_data_check_finite(spec, test, e)) {
        sae_data_free(test);
        sae_data_free(train);
        return -1;
    }
    return 0;
}
