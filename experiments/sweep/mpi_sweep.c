#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/io/fileio.h"
#include "experiments/sweep/mpi_sweep.h"
#include "sae_config.h"

#if SAE_HAVE_MPI
#include <mpi.h>
#endif

int sae_mpi_launched_size(void)
{
    static const char *const vars[] = { "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MPI_LOCALNRANKS" };
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v && atoi(v) > 1)
            return atoi(v);
    }
    return 1;
}

static int my_rank;

int sae_mpi_rank(void) { return my_rank; }

#if !SAE_HAVE_MPI

int sae_mpi_start(int *argc, char ***argv, int *rank, int *size, SaeError *e)
{
    (void)argc;
    (void)argv;
    *rank = 0;
    *size = 1;
    const int launched = sae_mpi_launched_size();
    if (launched > 1)
        return sae_fail(e,
                        "started as %d ranks, but this saebench was built without MPI (meson option mpi); run "
                        "it once, or rebuild with libopenmpi-dev or libmpich-dev installed",
                        launched);
    return 0;
}

void sae_mpi_stop(void) {}

void sae_mpi_release(void) {}

int sae_mpi_sweep(SaeSweep *sw, SaeRows *rows, const size_t *pending, size_t n, size_t *ran, SaeError *e)
{
    (void)sw;
    (void)rows;
    (void)pending;
    (void)n;
    (void)ran;
    return sae_fail(e, "internal: an MPI sweep in a build without MPI");
}

#else

enum { TAG_ROW = 1, TAG_TASK = 2, TAG_IMAGE = 3 };

static const char *const run_images[] = { "filters.png", "reconstructions.png" };
static int started;

int sae_mpi_start(int *argc, char ***argv, int *rank, int *size, SaeError *e)
{
    *rank = 0;
    *size = 1;
    if (sae_mpi_launched_size() <= 1)
        return 0; /* a plain process: no MPI_Init, no launcher needed */
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
        return sae_fail(e, "MPI_Init_thread failed");
    started = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    my_rank = *rank;
    if (provided<MPI_THREAD_SERIALIZED && * size> 1)
        return sae_fail(e, "the MPI library gives thread level %d; rank 0 needs MPI_THREAD_SERIALIZED", provided);
    return 0;
}

void sae_mpi_stop(void)
{
    if (started)
        MPI_Finalize();
    started = 0;
}

void sae_mpi_release(void)
{
    int size = 1;
    if (started)
        MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (int i = 1; i < size && my_rank == 0; i++) {
        MPI_Status st;
        char buf[1024];
        MPI_Recv(buf, sizeof buf, MPI_CHAR, MPI_ANY_SOURCE, TAG_ROW, MPI_COMM_WORLD, &st);
        const long long stop = -1;
        MPI_Send(&stop, 1, MPI_LONG_LONG, st.MPI_SOURCE, TAG_TASK, MPI_COMM_WORLD);
    }
}

/* Rank 0's state, shared by its coordinator thread and its own trainings. */
typedef struct Coord {
    pthread_mutex_t mu;
    SaeSweep *sw;
    SaeRows *rows;
    const size_t *pending;
    size_t n, next, ran;
    int size, failed;
    SaeError err;
} Coord;

/* The next pending grid point, or -1 when there is none or the sweep stops. */
static long long take(Coord *c)
{
    pthread_mutex_lock(&c->mu);
    const long long idx = !*c->sw->stop && !c->failed && c->next < c->n ? (long long)c->pending[c->next++] : -1;
    pthread_mutex_unlock(&c->mu);
    return idx;
}

/* A finished row (vals, n_cols of them) into the files and the table. */
static void record(Coord *c, char *const *vals, int rank)
{
    pthread_mutex_lock(&c->mu);
    if (!c->failed && (sae_rows_append(c->sw->dir, c->rows, vals, &c->err) || sae_rows_add(c->rows, vals)))
        c->failed = 1;
    if (!c->failed) {
        c->ran++;
        const SaeRows *r = c->rows;
        fprintf(stderr, "run %zu/%zu %s (rank %d): %s recon %s\n", c->ran, c->n, vals[sae_rows_col(r, "run_id")], rank,
                vals[sae_rows_col(r, "status")], vals[sae_rows_col(r, "recon_per_sample")]);
    }
    pthread_mutex_unlock(&c->mu);
}

static void fail(Coord *c, const char *msg)
{
    pthread_mutex_lock(&c->mu);
    if (!c->failed)
        snprintf(c->err.msg, sizeof c->err.msg, "%s", msg);
    c->failed = 1;
    pthread_mutex_unlock(&c->mu);
}

/* A row as one message: 'R' then its values, each ended by NUL. */
static char *pack(const SaeRow *row, size_t n_cols, int *len)
{
    size_t total = 1;
    for (size_t c = 0; c < n_cols; c++) total += strlen(row->vals[c]) + 1;
    char *buf = malloc(total), *p = buf;
    if (!buf)
        return NULL;
    *p++ = 'R';
    for (size_t c = 0; c < n_cols; c++) p = stpcpy(p, row->vals[c]) + 1;
    *len = (int)total;
    return buf;
}

/* An image a rank made: "<run id>/<file name>" NUL, then the PNG bytes,
 * written into rank 0's DIR/runs/ (so DIR needs no shared file system). */
static void save_image(Coord *c, const char *msg, int len)
{
    const size_t name_len = strlen(msg);
    if ((int)name_len + 1 > len || strstr(msg, "..") || !strchr(msg, '/'))
        return;
    char path[8192];
    snprintf(path, sizeof path, "%.4000s/runs", c->sw->dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%.4000s/runs/%.*s", c->sw->dir, (int)(strchr(msg, '/') - msg), msg);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%.4000s/runs/%.200s", c->sw->dir, msg);
    SaeError e;
    if (sae_atomic_write(path, msg + name_len + 1, (size_t)len - name_len - 1, &e))
        fail(c, e.msg);
}

/* A worker's images of run id (those it wrote into its own DIR/runs/id)
 * to rank 0, each one message ahead of the row. */
static void send_images(const SaeSweep *sw, const char *id)
{
    for (size_t f = 0; f < 2; f++) {
        char path[8192];
        snprintf(path, sizeof path, "%.4000s/runs/%s/%s", sw->dir, id, run_images[f]);
        unsigned char *png;
        size_t len;
        SaeError e;
        if (access(path, R_OK) || sae_read_file(path, &png, &len, &e))
            continue;
        char name[64];
        const int nl = snprintf(name, sizeof name, "%s/%s", id, run_images[f]) + 1;
        char *msg = malloc((size_t)nl + len);
        if (msg) {
            memcpy(msg, name, (size_t)nl);
            memcpy(msg + nl, png, len);
            MPI_Send(msg, (int)((size_t)nl + len), MPI_CHAR, 0, TAG_IMAGE, MPI_COMM_WORLD);
            free(msg);
        }
        free(png);
    }
}

/* The coordinator (rank 0's thread): answers every other rank's message
 * (a finished row, or a first request) with the next grid point, until
 * each has been told to stop. Polls between short sleeps: a blocking
 * receive would spin a core rank 0 trains on. */
static void *coordinate(void *arg)
{
    Coord *c = arg;
    int active = c->size - 1;
    const size_t n_cols = c->rows->n_cols;
    char **vals = calloc(n_cols, sizeof *vals);
    while (active > 0) {
        int flag = 0;
        MPI_Status st;
        /* any tag: a rank's images arrive before its row (messages from one
         * rank do not overtake one another) */
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (!flag) {
            nanosleep(&(struct timespec){ .tv_nsec = 200000 }, NULL);
            continue;
        }
        int len;
        MPI_Get_count(&st, MPI_CHAR, &len);
        char *buf = malloc((size_t)len + 1);
        MPI_Recv(buf, len, MPI_CHAR, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        buf[len] = 0;
        if (st.MPI_TAG == TAG_IMAGE) {
            save_image(c, buf, len);
            free(buf);
            continue;
        }
        if (len > 0 && buf[0] == 'R' && vals) {
            const char *p = buf + 1;
            for (size_t k = 0; k < n_cols; k++, p += strlen(p) + 1) vals[k] = (char *)p;
            record(c, vals, st.MPI_SOURCE);
        } else if (len > 0 && buf[0] == 'E') {
            fail(c, buf + 1);
        }
        free(buf);
        const long long idx = take(c);
        MPI_Send(&idx, 1, MPI_LONG_LONG, st.MPI_SOURCE, TAG_TASK, MPI_COMM_WORLD);
        active -= idx < 0;
    }
    free(vals);
    return NULL;
}

/* Trains grid point idx into row. 1 when it was interrupted, -1 on error. */
static int train_point(SaeSweep *sw, long long idx, SaeRow *row, SaeError *e)
{
    SaeRunSpec s;
    if (sae_sweep_point(sw->cfg, (size_t)idx, &s, NULL, e))
        return -1;
    char id[17];
    sae_run_id(&s, id);
    memset(row, 0, sizeof *row);
    int stopped = 0;
    if (sae_sweep_run(sw, (size_t)idx, &s, id, row, &stopped, e))
        return -1;
    return stopped;
}

/* Ranks 1..: ask, train, send the row back, until told to stop. */
static int work(SaeSweep *sw, SaeError *e)
{
    SaeRow *row = malloc(sizeof *row);
    int rc = row ? 0 : sae_fail(e, "out of memory");
    char hello = 'Q';
    char *msg = &hello;
    int len = 1, owned = 0;
    for (;;) {
        MPI_Send(msg, len, MPI_CHAR, 0, TAG_ROW, MPI_COMM_WORLD);
        if (owned)
            free(msg);
        msg = &hello;
        len = 1;
        owned = 0;
        long long idx;
        MPI_Recv(&idx, 1, MPI_LONG_LONG, 0, TAG_TASK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (idx < 0)
            break;
        const int t = rc ? -1 : train_point(sw, idx, row, e);
        if (t < 0) { /* the error goes to rank 0, which stops the sweep */
            char buf[sizeof e->msg + 1];
            snprintf(buf, sizeof buf, "E%s", rc ? "out of memory" : e->msg);
            msg = strdup(buf);
            owned = msg != NULL;
            msg = owned ? msg : &hello;
            len = (int)strlen(msg) + 1;
            rc = -1;
        } else if (t == 0 && (msg = pack(row, sw->rows->n_cols, &len)) != NULL) {
            owned = 1;
            send_images(sw, row->vals[sae_rows_col(sw->rows, "run_id")]);
        } else {
            msg = &hello; /* interrupted: no row; rank 0 then says stop */
            len = 1;
        }
    }
    free(row);
    return rc;
}

int sae_mpi_sweep(SaeSweep *sw, SaeRows *rows, const size_t *pending, size_t n, size_t *ran, SaeError *e)
{
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rank != 0)
        return work(sw, e);
    Coord c = { .sw = sw, .rows = rows, .pending = pending, .n = n, .size = size };
    pthread_mutex_init(&c.mu, NULL);
    pthread_t th;
    const int threaded = size > 1 && pthread_create(&th, NULL, coordinate, &c) == 0;
    if (size > 1 && !threaded)
        c.failed = sae_fail(&c.err, "cannot start rank 0's coordinator thread") != 0;
    SaeRow *row = malloc(sizeof *row);
    for (long long idx; row && (idx = take(&c)) >= 0;) {
        SaeError re;
        const int t = train_point(sw, idx, row, &re);
        if (t < 0) {
            fail(&c, re.msg);
            break;
        }
        if (t > 0)
            break;
        char *vals[SAE_MAX_COLS];
        for (size_t k = 0; k < rows->n_cols; k++) vals[k] = row->vals[k];
        record(&c, vals, 0);
    }
    if (!row)
        fail(&c, "out of memory");
    free(row);
    if (threaded)
        pthread_join(th, NULL);
    pthread_mutex_destroy(&c.mu);
    *ran = c.ran;
    if (c.failed) {
        *e = c.err;
        return -1;
    }
    return 0;
}

#endif
