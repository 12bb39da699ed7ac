/* `saebench sweep`: train every point of a hyperparameter grid, measure it
 * on held-out data, append each finished run to the result files, and
 * rebuild the report (summary.md, plots). Resumable; Ctrl-C keeps every
 * finished run. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/io/fileio.h"
#include "experiments/common/errors.h"
#include "experiments/common/machine.h"
#include "experiments/sweep/commands.h"
#include "experiments/sweep/mpi_sweep.h"
#include "experiments/sweep/results.h"
#include "experiments/sweep/run.h"
#include "experiments/sweep/summary.h"
#include "experiments/sweep/sweep_config.h"
#include "sae_config.h"

#if SAE_HAVE_OPENMP
#include <omp.h>
#endif

static volatile sig_atomic_t interrupted; /* the signal that stops the sweep (SIGINT, SIGTERM), or 0 */

static void on_signal(int sig)
{
    interrupted = sig;
    signal(sig, SIG_DFL); /* a second one ends at once; the files stay valid */
}

/* This process's place among the ranks of mpirun (0 of 1 without it), and
 * whether rank 0 has shared out the runs (else it releases the others). */
static int mpi_rank, mpi_size = 1, mpi_coordinated;

static const char usage[] =
    "usage: saebench sweep CONFIG.ini [--set key=v1,v2,...]... [--seeds N] [--splits N] [--out DIR] [--resume]\n"
    "                      [--shard I/N] [--cpumask LEVEL] [--threads N] [--dry-run] [--force]\n"
    "Trains every point of the grid in CONFIG.ini ([base]: train options; [sweep]: axes as\n"
    "comma lists, logspace(a,b,n) or linspace(a,b,n)) times the seeds (and --splits: re-drawn\n"
    "held-out splits), and writes DIR\n"
    "(default results/<config name>): results.csv, results.jsonl, summary.md, SVG plots,\n"
    "runs/<run id>/*.png for image data, sweep.ini, sweep.resolved.ini and grid.tsv.\n"
    "--resume skips the runs already in DIR/results.csv. Ctrl-C keeps every finished run.\n"
    "--dry-run prints the resolved grid (index, run id, axis values, seed) and runs nothing.\n"
    "A grid of more than 100000 runs is refused unless --force (at most 1000000).\n"
    "--shard I/N runs every N-th run from the I-th into DIR/shards/I (alone: I and N from a\n"
    "Slurm array job); `saebench merge DIR` then makes DIR's files from the shards.";

static int mkdirs(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0755) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

/* The command line after the config file. */
typedef struct SweepArgs {
    const char *config_path, *out_dir;
    int resume, dry_run, force;
    unsigned shard_i, shard_n; /* --shard I/N (shard_n 0: the whole grid) */
} SweepArgs;

/* Every run of the grid, resolved: index, run id, axis values, seed. */
static int print_grid(FILE *f, const SaeSweepConfig *c, size_t n, SaeError *e)
{
    fputs("index\trun_id", f);
    for (size_t a = 0; a < c->n_axes; a++) fprintf(f, "\t%s", c->axes[a].key);
    fputs("\tseed\tsplit\n", f);
    for (size_t i = 0; i < n; i++) {
        SaeRunSpec s;
        unsigned na;
        const int rc = sae_sweep_point(c, i, &s, &na, e);
        if (rc < 0)
            return -1;
        if (rc) /* not a run: an axis that does not apply */
            continue;
        char id[17], v[512];
        sae_run_id(&s, id);
        fprintf(f, "%zu\t%s", i, id);
        for (size_t a = 0; a < c->n_axes; a++) {
            sae_option_format(&s, (size_t)sae_option_index(c->axes[a].key), v, sizeof v);
            fprintf(f, "\t%s", na >> a & 1 ? "n/a" : v);
        }
        fprintf(f, "\t%u\t%u\n", s.train.seed, s.data.split);
    }
    return 0;
}

/* sweep.ini (the file as given), sweep.resolved.ini (the sweep as run),
 * grid.tsv (every run, resolved) and, for a shard, shard.txt ("I N"). */
static int write_grid(const char *dir, const SweepArgs *a, const SaeSweepConfig *c, size_t n, SaeError *e)
{
    unsigned char *buf;
    size_t len;
    if (sae_read_file(a->config_path, &buf, &len, e))
        return -1;
    char path[8192];
    snprintf(path, sizeof path, "%s/sweep.ini", dir);
    const int rc = sae_atomic_write(path, buf, len, e);
    free(buf);
    if (rc)
        return -1;
    SaeAtomicFile af;
    snprintf(path, sizeof path, "%s/sweep.resolved.ini", dir);
    if (sae_atomic_open(&af, path, e))
        return -1;
    if (sae_sweep_config_write(c, af.f)) {
        sae_atomic_abort(&af);
        return sae_fail(e, "%s: write failed", path);
    }
    if (sae_atomic_commit(&af, e))
        return -1;
    if (a->shard_n) {
        snprintf(path, sizeof path, "%s/shard.txt", dir);
        if (sae_atomic_open(&af, path, e))
            return -1;
        fprintf(af.f, "%u %u\n", a->shard_i, a->shard_n);
        if (sae_atomic_commit(&af, e))
            return -1;
    }
    snprintf(path, sizeof path, "%s/grid.tsv", dir);
    if (sae_atomic_open(&af, path, e))
        return -1;
    if (print_grid(af.f, c, n, e)) {
        sae_atomic_abort(&af);
        return -1;
    }
    return sae_atomic_commit(&af, e);
}

/* --shard I/N, or --shard alone: I and N from a Slurm array job
 * (SLURM_ARRAY_TASK_ID less SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT). */
static int parse_shard(const char *v, SweepArgs *a)
{
    char tail;
    if (v) {
        if (sscanf(v, "%u/%u%c", &a->shard_i, &a->shard_n, &tail) != 2 || a->shard_n == 0 || a->shard_i >= a->shard_n)
            return sae_cli_error("sweep", SAE_EXIT_USAGE, "--shard expects I/N with 0 <= I < N, got '%s'", v);
        return -1;
    }
    const char *id = getenv("SLURM_ARRAY_TASK_ID"), *count = getenv("SLURM_ARRAY_TASK_COUNT");
    const char *min = getenv("SLURM_ARRAY_TASK_MIN");
    if (!id || !count)
        return sae_cli_error("sweep", SAE_EXIT_USAGE,
                             "--shard without I/N takes them from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, "
                             "which are not set");
    const long i = strtol(id, NULL, 10) - (min ? strtol(min, NULL, 10) : 0), n = strtol(count, NULL, 10);
    if (n < 1 || i < 0 || i >= n)
        return sae_cli_error("sweep", SAE_EXIT_USAGE, "Slurm array task %s of %s (min %s) is not a shard 0 <= I < N",
                             id, count, min ? min : "0");
    a->shard_i = (unsigned)i;
    a->shard_n = (unsigned)n;
    return -1;
}

/* Reads the config and the flags into cfg and a. Returns -1 to go on, or
 * the exit status (--help, an error). */
static int parse_args(int argc, char **argv, SaeSweepConfig *cfg, SweepArgs *a)
{
    SaeError e;
    if (argc >= 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
        puts(usage);
        return SAE_EXIT_OK;
    }
    if (argc < 3 || !strncmp(argv[2], "--", 2))
        return sae_cli_error("sweep", SAE_EXIT_USAGE, "expected a sweep file first (see --help)");
    a->config_path = argv[2];
    const int read = sae_sweep_config_read(a->config_path, cfg, &e);
    if (read) /* unreadable or not text: bad input; not a valid sweep: usage */
        return sae_cli_error("sweep", read > 0 ? SAE_EXIT_INPUT : SAE_EXIT_USAGE, "%s", e.msg);
    for (int i = 3; i < argc; i++) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = 0;
        if (!strcmp(arg, "--resume")) {
            a->resume = 1;
            continue;
        }
        if (!strcmp(arg, "--dry-run")) {
            a->dry_run = 1;
            continue;
        }
        if (!strcmp(arg, "--force")) {
            a->force = 1;
            continue;
        }
        if (!strcmp(arg, "--help")) {
            puts(usage);
            return SAE_EXIT_OK;
        }
        if (!strcmp(arg, "--shard")) {
            const int explicit_value = val && strncmp(val, "--", 2);
            const int code = parse_shard(explicit_value ? val : NULL, a);
            if (code >= 0)
                return code;
            i += explicit_value;
            continue;
        }
        if (!val || (strcmp(arg, "--set") && strcmp(arg, "--seeds") && strcmp(arg, "--splits") &&
                     strcmp(arg, "--out") && strcmp(arg, "--cpumask") && strcmp(arg, "--threads")))
            return sae_cli_error("sweep", SAE_EXIT_USAGE, val ? "unknown option %s (see --help)" : "%s expects a value",
                                 arg);
        i++;
        if (!strcmp(arg, "--set"))
            rc = sae_sweep_config_set(cfg, val, &e);
        else if (!strcmp(arg, "--out"))
            a->out_dir = val;
        else if (!strcmp(arg, "--seeds"))
            rc = sae_sweep_config_base(cfg, "seeds", val, "--seeds", &e);
        else if (!strcmp(arg, "--splits"))
            rc = sae_sweep_config_base(cfg, "splits", val, "--splits", &e);
        else
            rc = sae_sweep_config_base(cfg, arg + 2, val, arg, &e);
        if (rc)
            return sae_cli_error("sweep", SAE_EXIT_USAGE, "%s", e.msg);
    }
    return -1;
}

/* Every point is checked before anything runs; *runs gets the number of
 * points that are runs (not skipped by [only-if]). Returns -1 when all are
 * good, or the exit status. */
static int check_grid(const SaeSweepConfig *cfg, const SweepArgs *a, size_t n, size_t *runs)
{
    SaeError e;
    const char *config_path = a->config_path;
    if (n == 0)
        return sae_cli_error("sweep", SAE_EXIT_USAGE, "%s: the grid has more than %d runs", config_path,
                             SAE_MAX_GRID_RUNS);
    if (n > SAE_GRID_RUNS_UNFORCED && !a->force)
        return sae_cli_error("sweep", SAE_EXIT_USAGE,
                             "%s: the grid has %zu runs, more than %d: is that meant? (--force runs it)", config_path,
                             n, SAE_GRID_RUNS_UNFORCED);
    if (n > 10000) /* checking a large grid takes seconds: say what is going on */
        fprintf(stderr, "saebench sweep: checking %zu grid points...\n", n);
    *runs = 0;
    for (size_t i = 0; i < n; i++) {
        SaeRunSpec s;
        char err[256];
        const int rc = sae_sweep_point(cfg, i, &s, NULL, &e);
        if (rc < 0)
            return sae_cli_error("sweep", SAE_EXIT_USAGE, "%s", e.msg);
        if (rc)
            continue;
        ++*runs;
        SaeConfig c = s.model;
        c.n_in = 1; /* known once the data is loaded */
        if (sae_config_check(&c, err, sizeof err))
            return sae_cli_error("sweep", SAE_EXIT_USAGE, "%s: grid point %zu: %s", config_path, i + 1, err);
        const char *untrainable = sae_train_problem(&c, &s.train);
        if (untrainable)
            return sae_cli_error("sweep", SAE_EXIT_USAGE, "%s: grid point %zu: %s", config_path, i + 1, untrainable);
    }
    return -1;
}

/* The output folder: --out, or results/<config name>; a shard's is its
 * shards/I below that. */
static void out_dir(const SweepArgs *a, char *dir, size_t len)
{
    if (a->out_dir) {
        snprintf(dir, len, "%s", a->out_dir);
    } else {
        const char *base = strrchr(a->config_path, '/') ? strrchr(a->config_path, '/') + 1 : a->config_path;
        snprintf(dir, len, "results/%.*s", (int)(strcspn(base, ".")), base);
    }
    if (a->shard_n)
        snprintf(dir + strlen(dir), len - strlen(dir), "/shards/%u", a->shard_i);
}

/* The progress label of a run: its axis values and seed. */
static void run_label(const SaeSweepConfig *cfg, const SaeRunSpec *s, char *label, size_t len)
{
    char v[512];
    label[0] = 0;
    for (size_t a = 0; a < cfg->n_axes; a++) {
        sae_option_format(s, (size_t)sae_option_index(cfg->axes[a].key), v, sizeof v);
        snprintf(label + strlen(label), len - strlen(label), "%.40s=%.60s ", cfg->axes[a].key, v);
    }
    snprintf(label + strlen(label), len - strlen(label), "seed=%u", s->train.seed);
    if (cfg->splits > 1)
        snprintf(label + strlen(label), len - strlen(label), " split=%u", s->data.split);
}

/* The runs of the grid not yet in rows (and, with --shard, this shard's),
 * in grid order: what one process runs, or the ranks share out. *skipped
 * counts those already done. NULL when out of memory. */
static size_t *pending_runs(const SaeSweepConfig *cfg, const SweepArgs *a, const SaeRows *rows, size_t n, size_t *count,
                            size_t *skipped)
{
    size_t *at = sae_sweep_row_index(cfg, rows), *out = malloc((n ? n : 1) * sizeof *out);
    *count = 0;
    for (size_t i = 0, j = 0; at && out && i < n; i++) {
        if (at[i] == SAE_ROW_SKIPPED || (a->shard_n && j++ % a->shard_n != a->shard_i))
            continue; /* an [only-if] point, or another shard's run */
        if (at[i] == SAE_ROW_NONE)
            out[(*count)++] = i;
        else
            (*skipped)++;
    }
    if (!at) {
        free(out);
        out = NULL;
    }
    free(at);
    return out;
}

/* Runs grid points pending[0..n) in this process, appending each finished
 * one to the files and to rows; *ran counts them. Returns the exit status
 * so far. */
/* What every run of this process's share of the sweep shares. */
static SaeSweep sweep_of(const SaeSweepConfig *cfg, const char *dir, const SaeRows *rows, SaeProgress *prog)
{
    SaeSweep sw = { .cfg = cfg,
                    .dir = dir,
                    .rows = rows,
                    .prog = prog,
                    .stop = &interrupted,
                    .default_threads = 1,
                    .rank = sae_mpi_rank() };
#if SAE_HAVE_OPENMP
    sw.default_threads = sae_cli_default_threads();
#endif
    return sw;
}

static int run_all(SaeSweep *sw, SaeRows *rows, const size_t *pending, size_t n, SaeRow *row, size_t *ran)
{
    SaeError e;
    SaeProgress *prog = sw->prog;
    for (size_t p = 0; p < n && !*sw->stop; p++) {
        SaeRunSpec s;
        sae_sweep_point(sw->cfg, pending[p], &s, NULL, &e); /* checked before anything ran */
        char id[17];
        sae_run_id(&s, id);
        prog->run = prog->done_before + *ran;
        run_label(sw->cfg, &s, prog->label, sizeof prog->label);
        memset(row, 0, sizeof *row);
        int stopped = 0;
        const int rc = sae_sweep_run(sw, pending[p], &s, id, row, &stopped, &e);
        sae_progress_done(prog);
        if (rc)
            return sae_cli_error("sweep", SAE_EXIT_INPUT, "%s", e.msg);
        if (stopped)
            break;
        char *vals[SAE_MAX_COLS];
        for (size_t c = 0; c < rows->n_cols; c++) vals[c] = row->vals[c];
        if (sae_rows_append(sw->dir, rows, vals, &e) || sae_rows_add(rows, vals))
            return sae_cli_error("sweep", SAE_EXIT_INPUT, "%s", e.msg);
        (*ran)++;
        const int rc_col = sae_rows_col(rows, "recon_per_sample"), st = sae_rows_col(rows, "status");
        const int pc = sae_rows_col(rows, "probe_acc"), sc = sae_rows_col(rows, "seconds");
        fprintf(stderr, "run %zu/%zu %s: %s recon %s%s%s (%s s)\n", prog->done_before + *ran, prog->runs, prog->label,
                vals[st], *vals[rc_col] ? vals[rc_col] : "-", *vals[pc] ? " probe " : "", vals[pc], vals[sc]);
    }
    return SAE_EXIT_OK;
}

/* The rows of an MPI sweep, which arrive in the order runs finish, put in
 * grid order (rows of other grids after them), as one process writes them. */
static int grid_order(const SaeSweepConfig *cfg, SaeRows *rows, size_t n)
{
    size_t *at = sae_sweep_row_index(cfg, rows);
    char ***sorted = malloc((rows->n_rows ? rows->n_rows : 1) * sizeof *sorted);
    unsigned char *placed = calloc(rows->n_rows ? rows->n_rows : 1, 1);
    const int ok = at && sorted && placed;
    size_t k = 0;
    for (size_t i = 0; ok && i < n; i++)
        if (at[i] < rows->n_rows && !placed[at[i]]) {
            placed[at[i]] = 1;
            sorted[k++] = rows->rows[at[i]];
        }
    for (size_t r = 0; ok && r < rows->n_rows; r++)
        if (!placed[r])
            sorted[k++] = rows->rows[r];
    if (ok)
        memcpy(rows->rows, sorted, rows->n_rows * sizeof *sorted);
    free(at);
    free(sorted);
    free(placed);
    return ok ? 0 : -1;
}

/* Rank 0 of an MPI sweep: the pending runs across every rank. */
static int run_ranks(SaeSweep *sw, SaeRows *rows, const size_t *pending, size_t count, size_t n, size_t *ran)
{
    SaeError e;
    int code = SAE_EXIT_OK;
    mpi_coordinated = 1;
    if (sae_mpi_sweep(sw, rows, pending, count, ran, &e))
        code = sae_cli_error("sweep", SAE_EXIT_INPUT, "%s", e.msg);
    if (grid_order(sw->cfg, rows, n) || sae_rows_write(sw->dir, rows, &e)) /* the finished rows stay on file */
        code = sae_cli_error("sweep", SAE_EXIT_INPUT, "reordering %s/results.csv: %s", sw->dir, e.msg);
    return code;
}

/* Ranks 1.. of an MPI sweep: train what rank 0 sends, into the folder it
 * owns (for the per-run images). */
static int sweep_worker(const SaeSweepConfig *cfg, const SweepArgs *a)
{
    char dir[4096];
    out_dir(a, dir, sizeof dir);
    SaeRows header;
    sae_rows_init(&header);
    SaeProgress prog;
    sae_progress_init(&prog, "epoch");
    SaeSweep sw = sweep_of(cfg, dir, &header, &prog);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    SaeError e;
    size_t ran = 0;
    const int code = sae_mpi_sweep(&sw, &header, NULL, 0, &ran, &e)
                         ? sae_cli_error("sweep", SAE_EXIT_INPUT, "%s", e.msg)
                         : SAE_EXIT_OK;
    sae_sweep_free(&sw);
    sae_rows_free(&header);
    return code;
}

/* Opens the output folder (refusing to overwrite a sweep without
 * --resume), reads the rows already there and writes the grid files, runs
 * what is missing, and writes the report. */
static int sweep(const SaeSweepConfig *cfg, const SweepArgs *a, size_t n, size_t runs)
{
    char dir[4096], csv[4200];
    out_dir(a, dir, sizeof dir);
    snprintf(csv, sizeof csv, "%s/results.csv", dir);
    if (!a->resume && access(csv, F_OK) == 0)
        return sae_cli_error("sweep", SAE_EXIT_USAGE,
                             "%s exists: add --resume to continue that sweep, or choose "
                             "another --out",
                             csv);
    if (mkdirs(dir))
        return sae_cli_error("sweep", SAE_EXIT_INPUT, "%s: cannot create the folder: %s", dir, strerror(errno));
    SaeError e;
    SaeRows rows;
    sae_rows_init(&rows);
    SaeRow *row = malloc(sizeof *row);
    SaeProgress prog;
    sae_progress_init(&prog, "epoch");
    const size_t skipped_points = (n - runs) / sae_sweep_replicates(cfg);
    if (a->shard_n) /* runs j with j % N == I */
        runs = runs / a->shard_n + (a->shard_i < runs % a->shard_n);
    prog.runs = runs; /* a sweep's display: the run and the sweep's ETA */
    SaeSweep sw = sweep_of(cfg, dir, &rows, &prog);
    int code = SAE_EXIT_OK;
    size_t skipped = 0, count = 0, *pending = NULL;
    /* on resume: an older table in the current format, or results.jsonl
     * again from results.csv (a kill between the two appends) */
    if (!row || sae_rows_load(csv, &rows, &e) ||
        (a->resume && (rows.migrated ? sae_rows_write : sae_rows_rewrite_jsonl)(dir, &rows, &e)) ||
        write_grid(dir, a, cfg, n, &e)) {
        code = sae_cli_error("sweep", SAE_EXIT_INPUT, "%s", row ? e.msg : "out of memory");
    } else if (!(pending = pending_runs(cfg, a, &rows, n, &count, &skipped))) {
        code = sae_cli_error("sweep", SAE_EXIT_INPUT, "out of memory");
    } else if (rows.n_cols > SAE_MAX_COLS) { /* the option table grew past the row buffer */
        code = sae_cli_error("sweep", SAE_EXIT_INPUT, "internal: %zu result columns", rows.n_cols);
    } else {
        size_t ran = 0;
        prog.done_before = skipped;
        interrupted = 0;
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal); /* a batch system's time limit */
        printf("saebench sweep %s: %zu runs -> %s", a->config_path, runs, dir);
        if (skipped_points)
            printf(" (%zu grid points skipped: an [only-if] axis does not apply there)", skipped_points);
        putchar('\n');
        fflush(stdout);
        code = mpi_size > 1 ? run_ranks(&sw, &rows, pending, count, n, &ran)
                            : run_all(&sw, &rows, pending, count, row, &ran);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        if (sae_report_write(dir, a->config_path, cfg, &rows, &e) && code == SAE_EXIT_OK)
            code = sae_cli_error("sweep", SAE_EXIT_INPUT, "%s", e.msg);
        if (interrupted) {
            fprintf(stderr,
                    "saebench sweep: interrupted after %zu new runs; %zu runs are in %s (continue with --resume)\n",
                    ran, rows.n_rows, csv);
            code = interrupted == SIGTERM ? 128 + SIGTERM : SAE_EXIT_INTERRUPTED;
        } else if (code == SAE_EXIT_OK) {
            printf("%zu runs done (%zu new, %zu already there). Tables: %s/summary.md, %s; plots: %s/*.svg\n",
                   rows.n_rows, ran, skipped, dir, csv, dir);
        }
    }
    sae_sweep_free(&sw);
    free(pending);
    free(row);
    sae_rows_free(&rows);
    return code;
}

int sae_cmd_sweep(int argc, char **argv)
{
    SaeError me;
    if (sae_mpi_start(&argc, &argv, &mpi_rank, &mpi_size, &me))
        return sae_cli_error("sweep", SAE_EXIT_USAGE, "%s", me.msg);
    SaeSweepConfig *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return sae_cli_error("sweep", SAE_EXIT_INPUT, "out of memory");
    SweepArgs a = { 0 };
    int code = parse_args(argc, argv, cfg, &a);
    const size_t n = code < 0 ? sae_sweep_size(cfg) : 0;
    size_t runs = 0;
    if (code < 0)
        code = check_grid(cfg, &a, n, &runs);
    if (code < 0 && a.dry_run) { /* the resolved grid, nothing run or written */
        SaeError e;
        code = mpi_rank                         ? SAE_EXIT_OK
               : print_grid(stdout, cfg, n, &e) ? sae_cli_error("sweep", SAE_EXIT_USAGE, "%s", e.msg)
                                                : SAE_EXIT_OK;
    }
    if (code < 0) { /* every rank gets here, or none: the checks above are the same on each */
        code = mpi_rank ? sweep_worker(cfg, &a) : sweep(cfg, &a, n, runs);
        if (mpi_rank == 0 && mpi_size > 1 && !mpi_coordinated)
            sae_mpi_release();
    }
    free(cfg);
    sae_mpi_stop();
    return code;
}
