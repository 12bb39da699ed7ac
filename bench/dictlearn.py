#!/usr/bin/python3
"""saebench's TopK autoencoder against scikit-learn's MiniBatchDictionaryLearning
at the same L0, on the same rows: the classic sparse-coding peer the issue
asks for (python3-sklearn; reported as missing otherwise).

  bench/dictlearn.py [--data patches] [--hidden 256] [--k 8] [--epochs 20] [--out FILE]

Both learn a dictionary of --hidden atoms from the same training rows
(`saebench train --save-data`, 90 % of the rows; the last 10 % are held
out) and code the held-out rows with exactly --k atoms each: saebench
with its TopK encoder (relu, pre-encoder bias, unit-norm decoder, Adam),
sklearn with orthogonal matching pursuit on its dictionary (fitted by
minibatch lasso on the centred rows). Printed and written as Markdown:
each one's fit seconds (one thread) and the held-out fraction of
variance unexplained (centred, core/MODEL.md §8), with the FMA peak
measured in the same run."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
import numpy as np  # noqa: E402  (after the thread settings)


def fvu(x, xh):
    return float(((xh - x) ** 2).sum() / ((x - x.mean(0)) ** 2).sum())


def topk_forward(z, x, k):
    """The saved model's TopK reconstruction (core/MODEL.md §2 [topk], [pre-bias])."""
    W1, b1, W2, b2 = (z[name].astype(np.float64) for name in ("W1", "b1", "W2", "b2"))
    h = np.maximum((x - b2 if int(z["pre_bias"]) else x) @ W1.T + b1, 0)
    keep = np.argsort(-h, axis=1, kind="stable")[:, :k]
    top = np.zeros_like(h)
    np.put_along_axis(top, keep, np.take_along_axis(h, keep, 1), 1)
    return top @ W2.T + b2


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default="patches")
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--saebench", default=os.path.join(ROOT, "build", "experiments", "saebench"))
    ap.add_argument("--out")
    a = ap.parse_args()
    try:
        import sklearn
        from sklearn.decomposition import MiniBatchDictionaryLearning
    except ImportError:
        sys.exit("dictlearn.py: needs python3-sklearn (apt-get install python3-sklearn)")
    peak = subprocess.run([a.saebench, "cpu"], capture_output=True, text=True, check=True).stdout
    peak = [line for line in peak.splitlines() if line.startswith("fma peak")][0]
    with tempfile.TemporaryDirectory(prefix="sae_dl_") as tmp:
        rows = os.path.join(tmp, "rows.npy")
        subprocess.run([a.saebench, "train", "--data", a.data, "--hidden", "1", "--epochs", "1", "--save-data", rows],
                       check=True, capture_output=True)
        x = np.load(rows)
        cut = len(x) * 9 // 10
        train, test = os.path.join(tmp, "train.npy"), x[cut:]
        np.save(train, x[:cut])
        model = os.path.join(tmp, "m.npz")
        args = ["--data", train, "--hidden", str(a.hidden), "--encoder", "relu", "--k", str(a.k), "--decoder", "linear",
                "--reduction", "mean", "--pre-bias", "--unit-norm", "--init-transpose", "--bdec-init", "mean",
                "--batch", "256", "--epochs", str(a.epochs), "--threads", "1", "--save", model, "--json"]
        js = json.loads(subprocess.run([a.saebench, "train"] + args, capture_output=True, text=True,
                                       check=True).stdout)
        sae_s, sae_fvu = js["training"]["seconds"], fvu(test, topk_forward(np.load(model), test, a.k))
        mean = x[:cut].mean(0)
        t0 = time.perf_counter()
        dl = MiniBatchDictionaryLearning(n_components=a.hidden, batch_size=256, max_iter=a.epochs, random_state=1,
                                         transform_algorithm="omp", transform_n_nonzero_coefs=a.k)
        dl.fit(x[:cut] - mean)
        skl_s = time.perf_counter() - t0
        code = dl.transform(test - mean)
        skl_fvu = fvu(test, code @ dl.components_ + mean)
    lines = [f"# TopK SAE against MiniBatchDictionaryLearning: {a.data}, {a.hidden} atoms, L0 = {a.k}", "",
             f"{peak} (measured in this run). One thread each; {len(x) - cut} held-out rows of {len(x)} "
             f"(`--data {a.data}`), {a.epochs} passes over the training rows each; command: "
             f"`bench/dictlearn.py --data {a.data} --hidden {a.hidden} --k {a.k} --epochs {a.epochs}`; "
             f"scikit-learn {sklearn.__version__}, saebench {js.get('git_revision', '?')}.", "",
             "| | fit seconds | held-out FVU (centred) |", "|---|---|---|",
             f"| saebench TopK (relu, pre-bias, unit-norm decoder, Adam) | {sae_s:.2f} | {sae_fvu:.4f} |",
             f"| sklearn MiniBatchDictionaryLearning (lasso fit, OMP code) | {skl_s:.2f} | {skl_fvu:.4f} |"]
    md = "\n".join(lines) + "\n"
    print(md)
    if a.out:
        with open(a.out + ".tmp", "w") as f:
            f.write(md)
        os.replace(a.out + ".tmp", a.out)


if __name__ == "__main__":
    main()
