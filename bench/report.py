#!/usr/bin/env python3
"""The kernel-speed report of the CPU in front of you, and the comparison of two.

    bench/report.py [--build DIR] [--quick] [--out DIR [--replace]]
        runs DIR/bench/bench_kernels (default build/) and writes a new
        folder, DIR/bench-results/<cpu>-<highest level>-<date>-<time>/,
        unless --out names one (an existing report there is replaced only
        with --replace: that is how the committed bench/results/<cpu>/ is
        updated, on purpose):
          report.md   the CPU (name, levels, FMA peaks at the run's start
                      and end, the GEMM blocking each variant ran with),
                      then per kernel and shape every variant's GFLOP/s or
                      Gelem/s, the best SIMD variant's share of the FMA
                      peak of this run (the mean of the start and end
                      rows; a warning when they differ by more than 10 %),
                      and its ratio to the peers (OpenBLAS, BLIS, SLEEF)
          gemm.svg    the GEMM figures as bars, the FMA peak as a line
          raw.json    Google Benchmark's own JSON output
        --quick runs a subset (well under a minute on 2 cores); the full
        suite takes several minutes. Progress goes to the terminal.
    bench/report.py --compare A B [--out FILE]
        the two folders' figures side by side, per row both and B/A.

Speeds are only comparable within one run on a shared machine: read the
ratios, not the absolute figures, and rerun before you believe a small
difference. Needs only Python 3's standard library.
"""
import argparse
import datetime
import html
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
VARIANTS = ["scalar", "avx2", "avx512", "omp", "openblas", "openblas_mt", "blis", "blis_mt", "sleef_u10"]
THREADED = {"omp", "openblas_mt", "blis_mt"}
DRIFT = 0.10  # start and end peaks further apart than this: the machine changed during the run
QUICK = (r"^(gemm_nn/[^/]+/(32x50x100|10000x25x64|256x1024x784|512x512x512)"
         r"|(sigmoid|tanh|exp)/[^/]+/65536|train_step/[^/]+/(seed|fmnist256)|fma_peak/.*)(/real_time)?$")


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def highest_level():
    try:
        flags = next(line for line in open("/proc/cpuinfo") if line.startswith("flags")).split()
    except (OSError, StopIteration):
        return "unknown"
    return "avx512" if "avx512f" in flags else "avx2" if "avx2" in flags else "scalar"


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def run_bench(build, quick, raw):
    exe = pathlib.Path(build) / "bench" / "bench_kernels"
    if not exe.exists():
        sys.exit(f"report.py: {exe}: not found (build with the bench option: meson compile -C {build})")
    args = [str(exe), f"--benchmark_out={raw}", "--benchmark_out_format=json",
            "--benchmark_min_time=" + ("0.25" if quick else "0.1")]
    if quick:
        args.append("--benchmark_filter=" + QUICK)
    print("report.py: " + " ".join(args), file=sys.stderr)
    # the console table goes to the terminal as it runs: that is the progress
    if subprocess.run(args, stdout=sys.stderr).returncode != 0:
        sys.exit(f"report.py: {exe} failed")


def load(raw):
    """(context, {(kernel, shape): {variant: (figure, unit, pct_peak)}}, peaks).

    peaks: {level: {"start": GFLOP/s, "end": GFLOP/s}} from the fma_peak
    rows of this run (a raw.json from before the start/end rows has one
    figure per level: it counts as both). pct_peak is the row's GFLOP/s
    over the run's core peak (the larger level's mean of start and end)
    times its threads, never bench_kernels' start-up guess."""
    data = json.loads(pathlib.Path(raw).read_text())
    ctx, rows, peaks = data["context"], {}, {}
    for b in data["benchmarks"]:
        parts = b["name"].split("/")
        if parts[-1] == "real_time":
            parts = parts[:-1]
        if parts[0] == "fma_peak":
            level = peaks.setdefault(parts[1], {})
            for when in ([parts[2]] if len(parts) > 2 else ["start", "end"]):
                level[when] = b.get("GFLOPS", 0.0)
            continue
        if parts[0] == "slot":  # slot/<slot>/<variant>/<shape>: a row per slot of the table
            parts = ["slot " + parts[1]] + parts[2:]
        kernel, variant, shape = parts[0], parts[1], "/".join(parts[2:])
        unit = "GFLOP/s" if "GFLOPS" in b else "Gelem/s"
        fig = b.get("GFLOPS", b.get("Gelem", 0.0))
        rows.setdefault((kernel, shape), {})[variant] = (fig, unit)
    core = core_peak(peaks)
    threads = int(ctx.get("threads", 1) or 1)
    for r in rows.values():
        for v, (fig, unit) in r.items():
            share = 100 * fig / (core * (threads if v in THREADED else 1)) if core and unit == "GFLOP/s" else None
            r[v] = (fig, unit, share)
    return ctx, rows, peaks


def mean_peak(level):
    vals = [v for v in level.values() if v]
    return sum(vals) / len(vals) if vals else 0.0


def core_peak(peaks):
    """What one core can do at all in this run: the larger level's mean peak."""
    return max((mean_peak(p) for p in peaks.values()), default=0.0)


def drifted(a, b):
    """Whether two measurements of one peak differ by more than DRIFT."""
    return bool(a and b and abs(a - b) / max(a, b) > DRIFT)


def drift(peaks):
    """The levels whose start and end peaks differ by more than DRIFT."""
    return [f"{k} {p['start']:.1f} → {p['end']:.1f}" for k, p in sorted(peaks.items())
            if drifted(p.get("start", 0), p.get("end", 0))]


def out_folder(out, build, written, replace):
    """Where a benchmark script writes: --out as given, else a new folder
    build/bench-results/<cpu>-<highest level>-<date>-<time>/ (never the
    committed bench/results/<cpu>/ by accident). Exits when `written`, the
    file the run would write, is there already and replace is not set."""
    folder = pathlib.Path(out) if out else (pathlib.Path(build) / "bench-results" /
                                            f"{slug(cpu_name())}-{highest_level()}-"
                                            f"{datetime.datetime.now():%Y%m%d-%H%M%S}")
    if (folder / written).exists() and not replace:
        sys.exit(f"{pathlib.Path(sys.argv[0]).name}: {folder / written} exists: pass --replace to overwrite it, "
                 "or another --out")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def order(rows):
    def key(ks):
        kernel, shape = ks
        dims = [int(v) for v in re.findall(r"\d+", shape)]
        prod = 1
        for v in dims:
            prod *= v
        return (kernel, prod, shape)
    return sorted(rows, key=key)


def fmt(v):
    return "—" if v is None else (f"{v:.3g}" if v < 10 else f"{v:.0f}")


def header(ctx, peaks, name):
    levels = [v for v in ctx.get("variants", "").split() if v != "scalar"]
    kind = "no AVX-512"
    p512, p256 = mean_peak(peaks.get("avx512", {})), mean_peak(peaks.get("avx2", {}))
    if p512 and p256:
        ratio = p512 / p256
        kind = f"512-bit FMAs at {'full' if ratio > 1.5 else 'half'} rate (avx512 / avx2 peak {ratio:.2f})"
    lines = [f"# Kernel speeds on {name}", "",
             f"- CPU: {name}; {ctx.get('num_cpus', '?')} logical CPUs; {kind}",
             f"- levels benchmarked: scalar {' '.join(levels)}; OpenMP threads: {ctx.get('threads', '?')}",
             "- FMA peak per core, measured in this run (start → end): " +
             (", ".join(f"{k} {p.get('start', 0):.1f} → {p.get('end', 0):.1f} GFLOP/s"
                        for k, p in sorted(peaks.items())) or "not measured (no fma_peak rows)"),
             "- GEMM blocking: " + "; ".join(f"{k[len('gemm_blocks_'):]} {v}" for k, v in sorted(ctx.items())
                                             if k.startswith("gemm_blocks_")),
             f"- tune file: {ctx.get('tune_file', '(not reported)')}",
             f"- peers: OpenBLAS core {ctx.get('openblas_core', 'not built')} "
             f"(OPENBLAS_CORETYPE {ctx.get('OPENBLAS_CORETYPE', '?')}); "
             f"BLIS sub-configuration {ctx.get('blis_arch', 'not built')}",
             f"- run {ctx.get('date', '?')}, {ctx.get('executable', '')}",
             ""]
    moved = drift(peaks)
    if moved:
        lines += [f"**Warning: the FMA peak moved by more than {DRIFT:.0%} during this run ({'; '.join(moved)} "
                  "GFLOP/s): the machine was busy; read the ratios of neighbouring rows, and rerun before "
                  "believing a figure.**", ""]
    return lines


def report_md(ctx, rows, peaks, name):
    lines = header(ctx, peaks, name)
    lines += ["Figures are GFLOP/s (GEMM, training steps) or Gelem/s (element-wise). `best 1T`: the faster "
              "single-thread SIMD variant; `% peak`: its share of one core's FMA peak from this run "
              "(the larger level's mean of the start and end rows); "
              "`vs peer`: it over OpenBLAS at 1 thread (SLEEF for sigmoid); `vs BLIS`: it over BLIS at 1 "
              "thread; `omp vs peer`, `omp vs BLIS`: the OpenMP variant over threaded OpenBLAS and BLIS.", ""]
    present = [v for v in VARIANTS if any(v in r for r in rows.values())]
    lines.append("| kernel | shape | " + " | ".join(present) +
                 " | best 1T | % peak | vs peer | vs BLIS | omp vs peer | omp vs BLIS |")
    lines.append("|---|---|" + "---|" * (len(present) + 6))
    for ks in order(rows):
        r = rows[ks]
        simd = [v for v in ("avx512", "avx2") if v in r]
        best = max(simd, key=lambda v: r[v][0]) if simd else None
        peer = "sleef_u10" if ks[0] == "sigmoid" else "openblas"
        def over(a, b):
            return f"{r[a][0] / r[b][0]:.2f}" if a and a in r and b in r and r[b][0] > 0 else "—"
        cells = [fmt(r[v][0]) if v in r else "" for v in present]
        lines.append(f"| {ks[0]} | {ks[1]} | " + " | ".join(cells) +
                     f" | {best or '—'} | {fmt(r[best][2] if best else None)} | {over(best, peer)} | "
                     f"{over(best, 'blis')} | {over('omp', 'openblas_mt')} | {over('omp', 'blis_mt')} |")
    lines += ["", "Regenerate: `bench/report.py` (or `--quick`); compare two CPUs: "
              "`bench/report.py --compare bench/results/A bench/results/B`."]
    return "\n".join(lines) + "\n"


COLORS = {"scalar": "#7f7f7f", "avx2": "#1f77b4", "avx512": "#d62728", "omp": "#2ca02c",
          "openblas": "#ff7f0e", "openblas_mt": "#9467bd", "blis": "#e377c2", "blis_mt": "#17becf",
          "sleef_u10": "#8c564b"}


def gemm_svg(rows, peaks, name):
    """Horizontal bars: a group per GEMM kind and shape, a bar per variant."""
    groups = [ks for ks in order(rows) if ks[0].startswith("gemm_")]
    present = [v for v in VARIANTS if any(v in rows[g] for g in groups)]
    peak = core_peak(peaks)
    top = max([peak] + [rows[g][v][0] for g in groups for v in rows[g]]) or 1
    bar, gap, left, width = 7, 8, 190, 560
    height = 60 + len(groups) * (bar * len(present) + gap) + 20 * len(present)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 40}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="20" font-size="14">GEMM GFLOP/s on {html.escape(name)}</text>']
    y = 40
    for g in groups:
        out.append(f'<text x="{left - 6}" y="{y + bar * len(present) / 2 + 4}" text-anchor="end">'
                   f'{html.escape(g[0] + " " + g[1])}</text>')
        for v in present:
            if v in rows[g]:
                w = rows[g][v][0] / top * width
                out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar - 1}" fill="{COLORS[v]}"/>'
                           f'<text x="{left + w + 3:.1f}" y="{y + bar - 1}" font-size="8">{fmt(rows[g][v][0])}</text>')
            y += bar
        y += gap
    if peak:
        x = left + peak / top * width
        out.append(f'<line x1="{x:.1f}" y1="35" x2="{x:.1f}" y2="{y}" stroke="black" stroke-dasharray="4 3"/>')
        out.append(f'<text x="{x:.1f}" y="32" text-anchor="middle">FMA peak, 1 core ({peak:.0f})</text>')
    for i, v in enumerate(present):
        out.append(f'<rect x="{left}" y="{y + 10 + 16 * i}" width="12" height="8" fill="{COLORS[v]}"/>'
                   f'<text x="{left + 18}" y="{y + 18 + 16 * i}">{v}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def compare(a, b, out):
    ca, ra, pa = load(pathlib.Path(a) / "raw.json")
    cb, rb, pb = load(pathlib.Path(b) / "raw.json")
    lines = [f"# {pathlib.Path(a).name} (A) vs {pathlib.Path(b).name} (B)", "",
             "| | A | B |", "|---|---|---|"]
    for k in sorted(set(pa) | set(pb)):
        lines.append(f"| FMA peak {k} | {fmt(mean_peak(pa.get(k, {})) or None)} | "
                     f"{fmt(mean_peak(pb.get(k, {})) or None)} |")
    lines += ["", "| kernel | shape | variant | A | B | B / A |", "|---|---|---|---|---|---|"]
    for ks in order(set(ra) | set(rb)):
        for v in VARIANTS:
            fa = ra.get(ks, {}).get(v, (None,))[0]
            fb = rb.get(ks, {}).get(v, (None,))[0]
            if fa is None and fb is None:
                continue
            ratio = f"{fb / fa:.2f}" if fa and fb else "—"
            lines.append(f"| {ks[0]} | {ks[1]} | {v} | {fmt(fa)} | {fmt(fb)} | {ratio} |")
    text = "\n".join(lines) + "\n"
    if out:
        pathlib.Path(out).write_text(text)
        print(f"report.py: wrote {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=str(ROOT / "build"))
    p.add_argument("--quick", action="store_true")
    p.add_argument("--out")
    p.add_argument("--replace", action="store_true", help="let --out replace the report already there")
    p.add_argument("--compare", nargs=2, metavar=("A", "B"))
    args = p.parse_args()
    if args.compare:
        return compare(*args.compare, args.out)
    name = cpu_name()
    out = out_folder(args.out, args.build, "report.md", args.replace)
    raw = out / "raw.json"
    run_bench(args.build, args.quick, raw)
    ctx, rows, peaks = load(raw)
    for moved in drift(peaks):
        print(f"report.py: warning: the FMA peak moved during the run: {moved} GFLOP/s", file=sys.stderr)
    (out / "report.md").write_text(report_md(ctx, rows, peaks, name))
    (out / "gemm.svg").write_text(gemm_svg(rows, peaks, name))
    print(f"report.py: wrote {out}/report.md, gemm.svg, raw.json "
          f"({datetime.datetime.now():%H:%M:%S})", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
