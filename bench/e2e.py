#!/usr/bin/python3
"""End-to-end: saebench against the scripts a user would otherwise write
(PyTorch, NumPy), training the same models from the same initial weights
on the same rows in the same batch order, at 1 and 2 threads.

  bench/e2e.py [--quick] [--reps N] [--threads 1,2] [--configs a,b] [--out DIR [--replace]]

For each config, `saebench train --save-init --save-data` writes the start
(weights and rows); then saebench (`--init`) and each peer
(bench/peers/e2e_peer.py) train from it, best of N runs each (3; --quick:
1). Printed as one Markdown table and written to DIR/e2e.md (default a
new folder build/bench-results/<cpu>-<level>-<date>-<time>/, as
bench/report.py makes one; an e2e.md already in --out DIR is replaced
only with --replace) with the CPU,
its FMA peaks measured in the same run, and the versions: per config and
thread count, the training loop's seconds for each, saebench's whole
process, the speed-ups, the final objectives side by side (float64, all
rows), each tool's share of the FMA limit (the flops of the work it did,
by the formula below, over its loop's seconds times the core's FMA peak
times the threads) and peak RSS. A peer whose Python package is missing is reported as
such (python3-torch; python3-numpy, and python3-scipy for its L-BFGS).
Needs saebench built (build/experiments/saebench), Debian's python3, and
for the Fashion-MNIST configs the dataset-fashion-mnist package."""
import argparse
import functools
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from report import DRIFT, drifted, out_folder  # noqa: E402  (bench/report.py: the run folder, the drift test)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER = os.path.join(ROOT, "bench", "peers", "e2e_peer.py")

# The configs: saebench's options and the same model for the peers.
CONFIGS = {
    "seed": {"args": ["--data", "gauss", "--test-fraction", "0.2", "--encoder", "relu", "--hidden", "50",
                      "--optimizer", "adam", "--batch", "32", "--epochs", "100"],
             "what": "seed: 800 x 100 N(0,1) rows -> 50 relu/sigmoid, Adam, batch 32, 100 epochs"},
    "ufldl": {"args": ["--data", "patches", "--hidden", "25", "--beta", "3", "--rho", "0.01", "--lambda", "1e-4",
                       "--optimizer", "lbfgs", "--iters", "400"],
              "what": "UFLDL: 10000 8x8 patches -> 25 sigmoid, KL beta 3 rho 0.01, lambda 1e-4, L-BFGS 400"},
    "fmnist256": {"args": ["--data", "fashion-mnist", "--hidden", "256", "--optimizer", "adam", "--batch", "128",
                           "--epochs", "1"],
                  "what": "Fashion-MNIST: 60000 x 784 -> 256 sigmoid, Adam, batch 128, one epoch"},
    "fmnist_topk": {"args": ["--data", "fashion-mnist", "--hidden", "4096", "--encoder", "relu", "--k", "32",
                             "--decoder", "linear", "--reduction", "mean", "--pre-bias", "--unit-norm",
                             "--init-transpose", "--optimizer", "adam", "--batch", "256", "--epochs", "1"],
                    "what": "Fashion-MNIST: 60000 x 784 -> 4096 TopK k = 32 relu/linear, MSE mean, pre-encoder "
                            "bias, unit-norm decoder started as the encoder's transpose (OpenAI's recipe), Adam, "
                            "batch 256, one epoch"},
    "fmnist1024": {"args": ["--data", "fashion-mnist", "--hidden", "1024", "--optimizer", "adam", "--batch", "128",
                            "--epochs", "1"],
                   "what": "Fashion-MNIST: 60000 x 784 -> 1024 sigmoid, Adam, batch 128, one epoch"},
}


def flops_per_row(model):
    """Multiply-add flops of one row through one objective-and-gradient
    evaluation: dense, forward 2nk, decoder 2nk, hidden delta 2nk and the
    two weight gradients 2nk each (10nk, tied or not); TopK (k = K > 0),
    the dense encoder 2nk and its weight gradient, the decoder, its
    gradient and the hidden delta on the K kept units only (2nk + 8nK),
    the work a sparse step cannot avoid (a dense peer does more)."""
    n, k, K = model["input"], model["hidden"], model["k"]
    return 10.0 * n * k if not K else 2.0 * n * k + 8.0 * n * K


def row_evaluations(js, peer=None):
    """Rows through the objective and gradient during the loop: the epochs'
    rows (the same for every tool: the same batches), or for L-BFGS each
    tool's own evaluations (line searches included) times the rows."""
    rows = js["train"]["samples"]
    if js["training"]["optimizer"] == "lbfgs":
        return (peer["evaluations"] if peer else js["training"]["fevals"]) * rows
    tr = js["training"]
    return round(tr["samples_per_second"] * tr["seconds"])


def model_of(js):
    """The peer's view of a run: the model and optimiser from saebench's --json
    (L-BFGS runs have no learning rate, batch or epochs)."""
    mo, tr = js["model"], js["training"]
    return {"encoder": mo["encoder"], "decoder": mo["decoder"], "lambda": mo["lambda"], "beta": mo["beta"],
            "rho": mo["rho"], "reduction": mo["reduction"], "k": mo["k"], "pre_bias": mo["pre_bias"],
            "unit_norm": mo["unit_norm"], "optimizer": tr["optimizer"], "lr": tr.get("lr"), "batch": tr.get("batch"),
            "seed": tr["seed"], "epochs": tr.get("epochs"), "iters": tr["iterations"]}


def timed(cmd):
    """Runs cmd; its stdout and wall seconds (each tool reports its own
    peak RSS: saebench's --json, the peer's getrusage)."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True)
    wall = time.perf_counter() - t0
    if p.returncode:
        raise RuntimeError(f"{' '.join(cmd[:4])}...: exit {p.returncode}: {p.stderr.decode()[-400:]}")
    return p.stdout.decode(), wall


def saebench_cpu(exe):
    """(cpu, FMA peak line, core peak GFLOP/s, kernel level, GEMM blocking)."""
    out = subprocess.run([exe, "cpu"], capture_output=True, text=True, check=True).stdout
    cpu = re.search(r"^cpu: (.*)$", out, re.M).group(1)
    peak = re.search(r"^fma peak: (.*)$", out, re.M)
    line = peak.group(1) if peak else "not measured"
    # an emulated level's figure is the 256-bit loop's: the max is still the core's
    core = max([float(v) for v in re.findall(r"([0-9.]+) GFLOP/s", line)], default=0.0)
    level = re.search(r"^kernels built for: (.*)$", out, re.M).group(1)
    gemm = re.findall(r"^  (avx2|avx512) +(.*)$", out, re.M)
    return cpu, line, core, level, gemm


@functools.lru_cache(maxsize=None)
def peer_available(backend, optimizer):
    """Whether the peer's packages import (asked once per backend and optimizer)."""
    mods = {"torch": ["torch"], "numpy": ["numpy"] + (["scipy"] if optimizer == "lbfgs" else [])}[backend]
    r = subprocess.run(["/usr/bin/python3", "-c", "import " + ", ".join(mods)], capture_output=True)
    return r.returncode == 0, "python3-" + "/python3-".join(mods)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="one run each, the seed and UFLDL configs")
    ap.add_argument("--reps", type=int, help="runs per tool and thread count, best kept (3)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--configs", help="comma-separated: " + ",".join(CONFIGS))
    ap.add_argument("--saebench", default=os.path.join(ROOT, "build", "experiments", "saebench"))
    ap.add_argument("--out", help="folder for e2e.md (default: a new build/bench-results/<cpu>-<level>-<time>/)")
    ap.add_argument("--replace", action="store_true", help="let --out replace the e2e.md already there")
    a = ap.parse_args()
    reps = a.reps or (1 if a.quick else 3)
    names = a.configs.split(",") if a.configs else (["seed", "ufldl"] if a.quick else list(CONFIGS))
    threads = [int(t) for t in a.threads.split(",")]
    if not os.access(a.saebench, os.X_OK):
        sys.exit(f"e2e.py: {a.saebench}: not built (run the README's build command first)")
    # the folder first: a refusal should come before the hour of runs
    out_dir = str(out_folder(a.out, os.path.dirname(os.path.dirname(a.saebench)), "e2e.md", a.replace))
    cpu, peak, core0, level, gemm = saebench_cpu(a.saebench)
    rows, revision = [], "?"
    with tempfile.TemporaryDirectory(prefix="sae_e2e_") as tmp:
        for name in names:
            c = CONFIGS[name]
            init, data = os.path.join(tmp, name + "_init.npz"), os.path.join(tmp, name + "_x.npy")
            prep = c["args"] + ["--save-init", init, "--save-data", data, "--json"]
            out, _ = timed([a.saebench, "train"] + prep)
            js = json.loads(out)
            cfg, revision = model_of(js), js.get("git_revision", "?")
            for t in threads:
                row = {"config": name, "threads": t}
                best = None
                for r in range(reps):
                    print(f"\r{name}, {t} thread(s): saebench run {r + 1}/{reps}   ", end="", file=sys.stderr)
                    out, wall = timed([a.saebench, "train"] + c["args"] + ["--init", init, "--threads", str(t),
                                                                           "--json"])
                    js = json.loads(out)
                    if best is None or js["training"]["seconds"] < best[0]:
                        best = (js["training"]["seconds"], wall, js["train"]["loss"], js["peak_rss_bytes"],
                                flops_per_row(js["model"]) * row_evaluations(js))
                        ref = js
                row["saebench"] = best
                for backend in ("torch", "numpy"):
                    ok, need = peer_available(backend, cfg["optimizer"])
                    if not ok:
                        row[backend] = need
                        continue
                    best = None
                    for r in range(reps):
                        print(f"\r{name}, {t} thread(s): {backend} run {r + 1}/{reps}   ", end="", file=sys.stderr)
                        out, wall = timed(["/usr/bin/python3", PEER, "--backend", backend, "--config",
                                           json.dumps(cfg), "--data", data, "--init", init, "--threads", str(t)])
                        js = json.loads(out.strip().splitlines()[-1])
                        if best is None or js["seconds"] < best[0]:
                            best = (js["seconds"], wall, js["objective"], js["peak_rss_bytes"], js["version"],
                                    flops_per_row(ref["model"]) * row_evaluations(ref, js))
                    row[backend] = best
                rows.append(row)
    print(file=sys.stderr)
    _, peak_end, core1, _, _ = saebench_cpu(a.saebench)
    md = report(rows, names, cpu, (peak, peak_end, core0, core1), level, gemm, reps, revision)
    print(md)
    with open(os.path.join(out_dir, "e2e.md.tmp"), "w") as f:
        f.write(md)
    os.replace(os.path.join(out_dir, "e2e.md.tmp"), os.path.join(out_dir, "e2e.md"))
    print(f"wrote {os.path.join(out_dir, 'e2e.md')}", file=sys.stderr)


def share(cell, threads, core):
    """A tool's share of the FMA limit: (flops / seconds) / (core peak x threads)."""
    if not isinstance(cell, tuple) or not core or not cell[0]:
        return "–"
    return f"{100 * cell[-1] / cell[0] / 1e9 / (core * threads):.0f} %"


def report(rows, names, cpu, peaks, level, gemm, reps, revision):
    peak, peak_end, core0, core1 = peaks
    core = (core0 + core1) / 2
    vers = sorted({r[b][4] for r in rows for b in ("torch", "numpy") if isinstance(r[b], tuple)})
    moved = drifted(core0, core1)
    L = [f"# End to end: saebench vs PyTorch and NumPy on {cpu}", "",
         f"FMA peak per core, measured in this run: at the start {peak}; at the end {peak_end}"
         + (f" (**moved by more than {DRIFT:.0%}: the machine was busy; rerun before believing a share**)"
            if moved else "") + f". saebench kernels: {level}; GEMM "
         + "; ".join(f"{lv}: {' '.join(desc.split())}" for lv, desc in gemm) + ".",
         f"Peers: {', '.join(vers) or 'none installed'}. Best of {reps} run(s) each; command: `bench/e2e.py`; saebench {revision}.", "",
         "The same initial weights (`saebench train --save-init`), rows (`--save-data`) and batch order "
         "(saebench's MT19937 stream). *Loop*: the training loop alone (each tool's own clock); *process*: "
         "saebench's whole command (loading the data, training, the final evaluation); objectives in float64 "
         "over all training rows (saebench's is its own evaluation, in float).", ""]
    for n in names:
        L.append(f"- **{n}**: {CONFIGS[n]['what']}")
    L += ["", "*Share of the FMA limit*: the flops of the loop's work over its seconds, divided by the core's "
          f"FMA peak ({core:.1f} GFLOP/s, the mean of the start and end figures, the faster level) times the "
          "threads. The work: every row through every objective-and-gradient evaluation (all epochs' rows; "
          "for L-BFGS, each tool's own evaluations, line searches included, times the rows), at 10nk flops a "
          "row (forward, decoder, hidden delta and the two weight gradients, 2nk each; n inputs, k hidden), "
          "or for TopK 2nk + 8nK (the dense encoder and its weight gradient, and the decoder, its gradient and "
          "the hidden delta on the K kept units). Element-wise work and the optimizer are not counted: they "
          "are what keeps a tool from the limit.", ""]
    L += ["| config | threads | saebench loop s | saebench process s | torch loop s | numpy loop s "
          "| vs torch | vs numpy | share of FMA limit saebench / torch / numpy "
          "| objective saebench | torch | numpy | peak RSS MB saebench / torch / numpy |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        s = r["saebench"]

        def cell(b, i, fmt):
            return fmt.format(r[b][i]) if isinstance(r[b], tuple) else f"needs {r[b]}"

        def ratio(b):
            return f"{r[b][0] / s[0]:.1f}×" if isinstance(r[b], tuple) else "–"
        rss = " / ".join([f"{s[3] / 2**20:.0f}"] + [cell(b, 3, "{:.0f}") if not isinstance(r[b], tuple)
                                                      else f"{r[b][3] / 2**20:.0f}" for b in ("torch", "numpy")])
        L.append(f"| {r['config']} | {r['threads']} | {s[0]:.3f} | {s[1]:.2f} | {cell('torch', 0, '{:.3f}')} "
                 f"| {cell('numpy', 0, '{:.3f}')} | {ratio('torch')} | {ratio('numpy')} "
                 f"| {' / '.join(share(r[b], r['threads'], core) for b in ('saebench', 'torch', 'numpy'))} "
                 f"| {s[2]:.8g} "
                 f"| {cell('torch', 2, '{:.8g}')} | {cell('numpy', 2, '{:.8g}')} | {rss} |")
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    main()
