// The Google Benchmark suite: a thin driver over the C kernel table.
//
// Names: <kernel>/<variant>/<shape>, e.g. gemm_nn/avx512/256x196x784,
// slot/hid_delta/avx2/256x1024 (a row per slot of the kernel table, every
// variant, on one shape: bench/slots.h),
// sigmoid/avx2/65536, train_step/omp/fmnist256 (train_step/avx2/ufldl/rows250: the same step on blocks of
// 250 rows), topk_step/avx2/784x4096/K32/sparse. Variants: scalar, avx2,
// avx512, omp (the levels this CPU and build have), and the peers openblas
// (one thread) and openblas_mt (all threads) when OpenBLAS was found, blis
// and blis_mt (BLIS's bli_sgemm, bench/blis_peer.c) when BLIS was found, and
// sigmoid/sleef_u10 (SLEEF's AVX-512 expf) when SLEEF was found.
// Counters: GFLOPS (GEMM, train_step), pct_peak (of the core's FMA peak,
// the larger of the avx2 and avx512 peaks measured in a 0.2 s start-up
// probe, times the threads of a threaded variant: a quick guide only;
// bench/report.py recomputes the share from the fma_peak rows), Gelem
// (element-wise). omp and openblas_mt use real time. The fma_peak/<level>/
// start and /end rows run first and last, so that a report can use the
// peak of the same run and see whether the machine changed during it.
//
//   build/bench/bench_kernels --benchmark_filter='gemm_nn/.*/256x196x784'
//   build/bench/bench_kernels --benchmark_format=json > results.json
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/model.h"
#include "kernels/cpu.h"
#include "kernels/kernels.h"
#include "kernels/tuning.h"
#include "core/io/tunefile.h"
#include "sae_config.h"
#include "bench/bench_config.h"

extern "C" {
#include "bench/peers.h"
#include "bench/slots.h"
#if SAE_HAVE_OPENBLAS
#include <cblas.h>
char *openblas_get_corename(void);
void openblas_set_num_threads(int);
#endif
}

namespace
{

struct Variant {
    std::string name;
    SaeKernels k;
    bool threaded;
    double peak; // GFLOP/s the variant could reach: the core peak times its threads
};

std::vector<Variant> variants;
double peak_avx2, peak_avx512;
double core_peak; // the larger of the two: what one core can do at all

std::vector<float> random_floats(size_t n, float lo, float hi, unsigned seed)
{
    std::vector<float> v(n);
    sae_bench_fill(v.data(), n, lo, hi, seed);
    return v;
}

struct Shape {
    size_t m, n, k;
    std::string name() const { return std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k); }
};

// The autoencoder shapes (m x n x k of C = op(A) op(B)) and squares: the
// seed (100 -> 50, batch 32), UFLDL (64 -> 25, 10000 rows), Fashion-MNIST
// (784 -> 196/256/1024, batch 128/256). Weight gradients are hidden x input
// (both weights are held k x n), over the batch.
const Shape ae_shapes[] = {
    { 32, 50, 100 }, { 128, 25, 64 },   { 10000, 25, 64 }, { 256, 196, 784 },  { 256, 1024, 784 }, // forward
    { 32, 100, 50 }, { 10000, 64, 25 }, { 256, 784, 196 },                                         // decoder
    { 50, 100, 32 }, { 25, 64, 10000 }, { 256, 784, 128 }, { 1024, 784, 128 },                     // weight grads
    { 100, 50, 32 }, { 64, 25, 10000 }, { 784, 196, 256 },                                         // transposed
};
const size_t squares[] = { 64, 128, 256, 512, 1024, 2048 };

using GemmFn = decltype(SaeKernelsF32::gemm_nn);

// GFLOP/s and the share of peak (GFLOP/s) of a row doing `flops` an iteration.
void set_flop_counters(benchmark::State &st, double flops, double peak)
{
    st.counters["GFLOPS"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    st.counters["pct_peak"] =
        benchmark::Counter(100.0 * flops * 1e-9 / peak, benchmark::Counter::kIsIterationInvariantRate);
}

// C = op(A) op(B) of shape s by call(a, lda, b, ldb, c), ours or a peer's;
// kind: 0 nn, 1 nt, 2 tn (leading dimensions are the widths).
template <class F>
void time_gemm(benchmark::State &st, int kind, Shape s, double peak, F call)
{
    auto a = random_floats(s.m * s.k, -1, 1, 1), b = random_floats(s.k * s.n, -1, 1, 2);
    std::vector<float> c(s.m * s.n);
    const size_t lda = kind == 2 ? s.m : s.k, ldb = kind == 1 ? s.k : s.n;
    for (auto _ : st) {
        call(a.data(), lda, b.data(), ldb, c.data());
        benchmark::DoNotOptimize(c.data());
        benchmark::ClobberMemory();
    }
    set_flop_counters(st, 2.0 * (double)s.m * (double)s.n * (double)s.k, peak);
}

void bm_gemm(benchmark::State &st, GemmFn fn, int kind, Shape s, double peak)
{
    time_gemm(st, kind, s, peak, [&](const float *a, size_t lda, const float *b, size_t ldb, float *c) {
        fn(s.m, s.n, s.k, 1.0f, a, lda, b, ldb, 0.0f, c, s.n);
    });
}

#if SAE_HAVE_OPENBLAS
void bm_openblas(benchmark::State &st, int kind, Shape s, int threads)
{
    openblas_set_num_threads(threads);
    const CBLAS_TRANSPOSE ta = kind == 2 ? CblasTrans : CblasNoTrans, tb = kind == 1 ? CblasTrans : CblasNoTrans;
    time_gemm(st, kind, s, threads * core_peak, [&](const float *a, size_t lda, const float *b, size_t ldb, float *c) {
        cblas_sgemm(CblasRowMajor, ta, tb, (int)s.m, (int)s.n, (int)s.k, 1.0f, a, (int)lda, b, (int)ldb, 0.0f, c,
                    (int)s.n);
    });
}
#endif

#if SAE_HAVE_BLIS
void bm_blis(benchmark::State &st, int kind, Shape s, int threads)
{
    time_gemm(st, kind, s, threads * core_peak, [&](const float *a, size_t lda, const float *b, size_t ldb, float *c) {
        sae_bench_sgemm_blis(kind, s.m, s.n, s.k, a, lda, b, ldb, c, s.n, threads);
    });
}
#endif

void set_elem_counter(benchmark::State &st, size_t n)
{
    st.counters["Gelem"] = benchmark::Counter((double)n * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void bm_activation(benchmark::State &st, const SaeKernelsF32 *k, int which, size_t n)
{
    auto z = random_floats(n, -8, 8, 3), bias = std::vector<float>(n, 0.0f);
    std::vector<float> h(n), zz(z);
    for (auto _ : st) {
        // z is updated in place by the bias add (bias 0 keeps it unchanged)
        switch (which) {
        case 0: k->bias_sigmoid(1, n, bias.data(), zz.data(), h.data()); break;
        case 1: k->bias_tanh(1, n, bias.data(), zz.data(), h.data()); break;
        case 2: k->bias_relu(1, n, bias.data(), zz.data(), h.data()); break;
        case 3: k->exp(n, z.data(), h.data()); break;
        case 4: k->dsigmoid(n, z.data(), h.data()); break;
        }
        benchmark::DoNotOptimize(h.data());
        benchmark::ClobberMemory();
    }
    set_elem_counter(st, n);
}

// Any slot on the 256 x 1024 problem of bench/slots.h (32 kept units a row
// for the sparse family), the buffers shared by every row.
const SaeSlotArgs *slot_args()
{
    static SaeSlotArgs s;
    static bool ready = sae_slot_args_init(&s, 256, 1024, 32) == 0;
    return ready ? &s : nullptr;
}

void bm_slot(benchmark::State &st, const SaeKernelsF32 *k, size_t slot, double peak)
{
    const SaeSlotArgs *s = slot_args();
    if (!s) {
        st.SkipWithError("out of memory");
        return;
    }
    const unsigned fp = sae_slot_flush_denormals(); // the in-place slots, called again on their output
    for (auto _ : st) {
        sae_slot_call(k, slot, s);
        benchmark::ClobberMemory();
    }
    sae_slot_restore_fp(fp); // the other rows run as training does
    if (sae_slot_counts_flops(slot))
        set_flop_counters(st, sae_slot_work(slot, s), peak);
    else
        set_elem_counter(st, (size_t)sae_slot_work(slot, s));
}

#if SAE_HAVE_SLEEF
void bm_sigmoid_sleef(benchmark::State &st, size_t n)
{
    auto z = random_floats(n, -8, 8, 3);
    std::vector<float> h(n);
    for (auto _ : st) {
        sae_bench_sigmoid_sleef(n, z.data(), h.data());
        benchmark::DoNotOptimize(h.data());
        benchmark::ClobberMemory();
    }
    set_elem_counter(st, n);
}
#endif

void bm_adam(benchmark::State &st, const SaeKernelsF32 *k, size_t n)
{
    auto g = random_floats(n, -1, 1, 4), th = random_floats(n, -1, 1, 5);
    std::vector<float> m(n), v(n);
    for (auto _ : st) {
        k->adam_step(n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.1f, 0.001f, 0, 0, g.data(), m.data(), v.data(), th.data());
        benchmark::ClobberMemory();
    }
    set_elem_counter(st, n);
}

// One training step: forward, backward (every gradient) and the Adam update.
struct TrainConfig {
    const char *name;
    size_t batch, n_in, hidden;
    double beta;
};
const TrainConfig train_configs[] = {
    { "seed", 32, 100, 50, 0 },        // the seed article: relu, batch 32, 100 -> 50
    { "ufldl", 10000, 64, 25, 3 },     // UFLDL patches, full batch
    { "fmnist256", 128, 784, 256, 3 }, // Fashion-MNIST, batch 128
    { "fmnist1024", 128, 784, 1024, 3 },
};

// block: the objective over the batch in calls of that many rows (the
// batch when 0), each block's passes and products then in L2; ufldl/rows250
// against ufldl is what a fused step could gain from cache alone (the
// KL row, per block here, is the batch's in a real one: the cost is the same).
void bm_train_step(benchmark::State &st, const SaeKernels *k, TrainConfig tc, double peak, size_t block)
{
    SaeConfig c = sae_config_default();
    c.n_in = tc.n_in;
    c.n_hidden = tc.hidden;
    c.beta = tc.beta;
    c.rho = 0.05;
    c.lambda = 1e-4;
    if (!strcmp(tc.name, "seed"))
        c.encoder = SAE_ACT_RELU;
    SaeLayout l;
    sae_layout(&c, &l);
    std::vector<double> th_d(l.total);
    sae_init_params(&c, 1, th_d.data());
    std::vector<float> th(th_d.begin(), th_d.end()), g(l.total), m(l.total), v(l.total);
    auto x = random_floats(tc.batch * tc.n_in, 0, 1, 7);
    const size_t rows = block ? block : tc.batch;
    SaeWorkF32 *w = sae_work_new_f32(&c, rows);
    w->wpen_in_step = sae_step_takes_wpen(&c); // as the trainer: lambda's gradient in Adam's pass over the weights
    const float lambda = w->wpen_in_step ? (float)sae_l2_grad_scale(&c) : 0;
    for (auto _ : st) {
        for (size_t lo = 0; lo < tc.batch; lo += rows)
            sae_objective_f32(&c, &k->f32, w, th.data(), x.data() + lo * tc.n_in, std::min(rows, tc.batch - lo),
                              g.data(), nullptr);
        k->f32.adam_step(l.b1, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.1f, 0.001f, lambda, 0, g.data(), m.data(), v.data(),
                         th.data());
        k->f32.adam_step(l.total - l.b1, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.1f, 0.001f, 0, 0, g.data() + l.b1,
                         m.data() + l.b1, v.data() + l.b1, th.data() + l.b1);
        benchmark::ClobberMemory();
    }
    sae_work_free_f32(w);
    // forward 2 GEMMs, backward 3 (4 when tied): 2 m n k flops each
    const double flops = 5 * 2.0 * (double)tc.batch * (double)tc.n_in * (double)tc.hidden;
    st.counters["GFLOPS"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    st.counters["pct_peak"] =
        benchmark::Counter(100.0 * flops * 1e-9 / peak, benchmark::Counter::kIsIterationInvariantRate);
    st.counters["samples_per_s"] = benchmark::Counter((double)tc.batch, benchmark::Counter::kIsIterationInvariantRate);
}

// A TopK SAE step (untied, linear decoder, MSE mean, no penalties, batch
// 256) of n_in inputs and n_hidden latents: the objective and every
// gradient, plus the Adam update when adam, on the dense path or the
// sparse one (core/MODEL.md §6 [sparse]). The cut-over between them
// (SAE_SPARSE_RATIO, core/model.c) is read off these.
void bm_topk_step(benchmark::State &st, const SaeKernels *k, size_t n_in, size_t n_hidden, size_t K, int sparse,
                  bool adam)
{
    const size_t batch = 256;
    SaeConfig c = sae_config_default();
    c.n_in = n_in;
    c.n_hidden = n_hidden;
    c.encoder = SAE_ACT_RELU;
    c.decoder = SAE_ACT_LINEAR;
    c.reduction = SAE_RED_MEAN;
    c.topk = K;
    SaeLayout l;
    sae_layout(&c, &l);
    std::vector<double> th_d(l.total);
    sae_init_params(&c, 1, th_d.data());
    std::vector<float> th(th_d.begin(), th_d.end()), g(l.total), m(l.total), v(l.total);
    auto x = random_floats(batch * c.n_in, 0, 1, 8);
    SaeWorkF32 *w = sae_work_new_f32(&c, batch);
    w->sparse = sparse;
    for (auto _ : st) {
        sae_objective_f32(&c, &k->f32, w, th.data(), x.data(), batch, g.data(), nullptr);
        if (adam)
            k->f32.adam_step(l.total, 1e-4f, 0.9f, 0.999f, 1e-8f, 0.1f, 0.001f, 0, 0, g.data(), m.data(), v.data(),
                             th.data());
        benchmark::ClobberMemory();
    }
    sae_work_free_f32(w);
    st.counters["samples_per_s"] = benchmark::Counter((double)batch, benchmark::Counter::kIsIterationInvariantRate);
}

// A variant built from the CPU's flags under `flags`, kept when the table
// got all of them; omp needs only the driver (it runs over whatever level
// is there).
void add_variant(const char *name, unsigned flags, const SaeTuning *tuning)
{
    Variant v;
    v.name = name;
    sae_kernels_init_tuned(&v.k, sae_cpu_detect() & flags, tuning);
    const unsigned need = (flags & SAE_CPU_OMP) ? (unsigned)SAE_CPU_OMP : flags;
    if ((v.k.flags & need) != need)
        return; // a level this CPU or build lacks
    v.threaded = (flags & SAE_CPU_OMP) != 0;
    v.peak = core_peak * (v.threaded ? sae_bench_threads() : 1);
    variants.push_back(v);
}

template <class F>
benchmark::internal::Benchmark *reg(const std::string &name, bool threaded, F f)
{
    auto *b = benchmark::RegisterBenchmark(name.c_str(), f);
    if (threaded)
        b->UseRealTime();
    return b;
}

void time_fma_peak(benchmark::State &st, unsigned level)
{
    for (auto _ : st) benchmark::DoNotOptimize(sae_fma_peak(level, 0.02));
    st.counters["GFLOPS"] = sae_fma_peak(level, 0.05);
}

void register_all()
{
    static const char *const kinds[] = { "gemm_nn", "gemm_nt", "gemm_tn" };
    std::vector<Shape> shapes(std::begin(ae_shapes), std::end(ae_shapes));
    for (size_t s : squares) shapes.push_back({ s, s, s });
    for (int kind = 0; kind < 3; kind++)
        for (const Shape &s : shapes) {
            for (const Variant &v : variants) {
                if (v.name == "scalar" && (double)s.m * s.n * s.k > 6e7)
                    continue; // the reference would take seconds an iteration
                GemmFn fn = kind == 0 ? v.k.f32.gemm_nn : kind == 1 ? v.k.f32.gemm_nt : v.k.f32.gemm_tn;
                const double peak = v.peak;
                reg(std::string(kinds[kind]) + "/" + v.name + "/" + s.name(), v.threaded,
                    [fn, kind, s, peak](benchmark::State &st) { bm_gemm(st, fn, kind, s, peak); });
            }
#if SAE_HAVE_OPENBLAS
            reg(std::string(kinds[kind]) + "/openblas/" + s.name(), false,
                [kind, s](benchmark::State &st) { bm_openblas(st, kind, s, 1); });
            reg(std::string(kinds[kind]) + "/openblas_mt/" + s.name(), true,
                [kind, s](benchmark::State &st) { bm_openblas(st, kind, s, sae_bench_threads()); });
#endif
#if SAE_HAVE_BLIS
            reg(std::string(kinds[kind]) + "/blis/" + s.name(), false,
                [kind, s](benchmark::State &st) { bm_blis(st, kind, s, 1); });
            reg(std::string(kinds[kind]) + "/blis_mt/" + s.name(), true,
                [kind, s](benchmark::State &st) { bm_blis(st, kind, s, sae_bench_threads()); });
#endif
        }
    static const char *const acts[] = { "sigmoid", "tanh", "relu", "exp", "dsigmoid" };
    for (int a = 0; a < 5; a++)
        for (size_t n : { (size_t)4096, (size_t)65536, (size_t)1 << 22 })
            for (const Variant &v : variants) {
                const SaeKernelsF32 *k = &v.k.f32;
                reg(std::string(acts[a]) + "/" + v.name + "/" + std::to_string(n), v.threaded,
                    [k, a, n](benchmark::State &st) { bm_activation(st, k, a, n); });
            }
#if SAE_HAVE_SLEEF
    if (sae_cpu_detect() & SAE_CPU_AVX512)
        for (size_t n : { (size_t)4096, (size_t)65536, (size_t)1 << 22 })
            reg("sigmoid/sleef_u10/" + std::to_string(n), false,
                [n](benchmark::State &st) { bm_sigmoid_sleef(st, n); });
#endif
    for (const Variant &v : variants) {
        const SaeKernelsF32 *k = &v.k.f32;
        reg("adam_step/" + v.name + "/1606416", v.threaded, [k](benchmark::State &st) { bm_adam(st, k, 1606416); });
    }
    for (size_t i = 0; i < sae_kernel_slot_count(); i++)
        for (const Variant &v : variants) {
            const SaeKernelsF32 *k = &v.k.f32;
            const double peak = v.peak;
            reg(std::string("slot/") + sae_kernel_slot_name(i) + "/" + v.name + "/256x1024", v.threaded,
                [k, i, peak](benchmark::State &st) { bm_slot(st, k, i, peak); });
        }
    for (const TrainConfig &tc : train_configs)
        for (const Variant &v : variants) {
            const SaeKernels *k = &v.k;
            const double peak = v.peak;
            for (size_t block : std::initializer_list<size_t>{ 0, 1000, 250, 64 }) {
                if (block && (tc.batch < 4 * block || v.name == "scalar"))
                    continue;
                const std::string rows = block ? "/rows" + std::to_string(block) : "";
                reg("train_step/" + v.name + "/" + tc.name + rows, v.threaded,
                    [k, tc, peak, block](benchmark::State &st) { bm_train_step(st, k, tc, peak, block); })
                    ->Unit(benchmark::kMillisecond);
            }
        }
    // the interpretability papers' shape (784 -> 4096) and image patches (64 -> 256)
    const struct {
        size_t n_in, n_hidden;
        std::vector<size_t> ks;
    } topk_shapes[] = { { 784, 4096, { 8, 32, 128, 256, 512, 1024 } }, { 64, 256, { 4, 8, 16, 32, 64 } } };
    for (const Variant &v : variants) {
        if (v.name == "scalar")
            continue; // the dense 784 -> 4096 step is 8 GFLOP: seconds an iteration
        const SaeKernels *k = &v.k;
        for (const auto &sh : topk_shapes)
            for (size_t K : sh.ks)
                for (int sparse = 0; sparse < 2; sparse++)
                    for (bool adam : { false, true }) {
                        const size_t n = sh.n_in, h = sh.n_hidden;
                        reg(std::string(adam ? "topk_step/" : "topk_grad/") + v.name + "/" + std::to_string(n) + "x" +
                                std::to_string(h) + "/K" + std::to_string(K) + "/" + (sparse ? "sparse" : "dense"),
                            v.threaded,
                            [k, n, h, K, sparse, adam](benchmark::State &st) {
                                bm_topk_step(st, k, n, h, K, sparse, adam);
                            })
                            ->Unit(benchmark::kMillisecond);
                    }
    }
}

// Whether this CPU has a peak of its own at level: it runs the level
// (another would be SIGILL) and not under emulation (-Davx512_emulation).
bool has_peak(unsigned level) { return (sae_cpu_detect() & level) && !(sae_cpu_emulated() & level); }

// fma_peak/<level>/<when>: the level's FMA peak, one core.
void register_fma_peaks(const char *when)
{
    const std::string tail = std::string("/") + when;
    if (has_peak(SAE_CPU_AVX2))
        reg("fma_peak/avx2" + tail, false, [](benchmark::State &st) { time_fma_peak(st, SAE_CPU_AVX2); });
    if (has_peak(SAE_CPU_AVX512))
        reg("fma_peak/avx512" + tail, false, [](benchmark::State &st) { time_fma_peak(st, SAE_CPU_AVX512); });
}

} // namespace

int main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    peak_avx2 = has_peak(SAE_CPU_AVX2) ? sae_fma_peak(SAE_CPU_AVX2, 0.2) : 0;
    peak_avx512 = has_peak(SAE_CPU_AVX512) ? sae_fma_peak(SAE_CPU_AVX512, 0.2) : 0;
    core_peak = peak_avx2 > peak_avx512 ? peak_avx2 : peak_avx512;
    if (core_peak <= 0)
        core_peak = 1; // no SIMD: pct_peak is then GFLOP/s
    benchmark::AddCustomContext("fma_peak_avx2_gflops", std::to_string(peak_avx2));
    benchmark::AddCustomContext("fma_peak_avx512_gflops", std::to_string(peak_avx512));
    if (sae_cpu_emulated() & SAE_CPU_AVX512)
        benchmark::AddCustomContext("avx512", "emulated by SIMDe on AVX2: its rows time the emulation, not the CPU");
    benchmark::AddCustomContext("threads", std::to_string(sae_bench_threads()));
#if SAE_HAVE_BLIS
    benchmark::AddCustomContext("blis_arch", sae_bench_blis_arch());
#endif
#if SAE_HAVE_OPENBLAS
    benchmark::AddCustomContext("openblas_core", openblas_get_corename());
    const char *ct = getenv("OPENBLAS_CORETYPE");
    benchmark::AddCustomContext("OPENBLAS_CORETYPE", ct ? ct : "(unset)");
#endif
    // the GEMM tuning saebench would use: the probe's, or this CPU's tune file
    SaeTuning tuning;
    sae_tuning_probe(&tuning, sae_cpu_detect());
    char path[4096];
    SaeError e{};
    std::string tune_state = "ignored (SAE_TUNE_FILE=off)";
    if (sae_tunefile_enabled() && !sae_tunefile_path(path, sizeof path, &e)) {
        const int rc = sae_tunefile_load(path, &tuning, &e);
        tune_state = std::string(path) + (rc > 0 ? ": read" : rc == 0 ? ": none" : ": ignored, " + std::string(e.msg));
    }
    benchmark::AddCustomContext("tune_file", tune_state);
    add_variant("scalar", 0, &tuning);
    add_variant("avx2", SAE_CPU_AVX2, &tuning);
    add_variant("avx512", SAE_CPU_AVX2 | SAE_CPU_AVX512, &tuning);
    add_variant("omp", SAE_CPU_ALL, &tuning);
    std::string chosen;
    for (const Variant &v : variants) {
        chosen += v.name + " ";
        const SaeGemmBlocks &b = v.k.blocks;
        benchmark::AddCustomContext("gemm_blocks_" + v.name,
                                    b.mr ? std::string(v.k.name32.gemm_nn) + ": " + std::to_string(b.mr) + "x" +
                                               std::to_string(b.nr) + " KC " + std::to_string(b.kc) + " MC " +
                                               std::to_string(b.mc) + " NC " + std::to_string(b.nc) + " (" +
                                               v.k.gemm_source + ")"
                                         : "none");
    }
    benchmark::AddCustomContext("variants", chosen);
    register_fma_peaks("start");
    register_all();
    register_fma_peaks("end");
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
