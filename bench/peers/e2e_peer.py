#!/usr/bin/python3
"""One end-to-end peer run for bench/e2e.py: trains the model of a config
the way a PyTorch or a NumPy user would write it, from saebench's initial
weights (--init, written by `saebench train --save-init`) on saebench's
training rows (--data, from `--save-data`), with saebench's batch order
(the same MT19937 stream, seeded --seed + 1, core/MODEL.md §7), and prints
one JSON line: the training loop's seconds, the final objective (float64,
all rows, core/MODEL.md §3) and the peak RSS.

  e2e_peer.py --backend torch|numpy --config JSON --data X.npy --init M.npz
              --threads N [--save W.npz]

The config may set "reduction": "mean" (the frameworks' scale: MSELoss()
and Keras's 'mse', core/MODEL.md §3 [reduction]) and "l1_activity" (Keras's
activity_regularizer=l1(w): w * sum|h| / batch); the torch backend then
uses torch's own mse_loss. It may also ask for a TopK SAE: "k" (relu,
then each row's k largest: torch.topk scattered into zeros; numpy's
argpartition),
"decoder": "linear", "pre_bias" (the encoder sees x - b2) and "unit_norm"
(W2's columns at norm 1 from the start and after every Adam step, the
gradient along each column removed before it), as in OpenAI's reference
TopK autoencoder, with the decoder dense: what PyTorch offers on a CPU
(numpy: the same by hand, the products dense). --save writes the trained
weights as an .npz that `saebench eval --model` reads.

Backends: torch (python3-torch: autograd, torch.optim.Adam / LBFGS with a
strong-Wolfe line search) and numpy (python3-numpy: the gradient by hand,
Adam by hand, L-BFGS from python3-scipy's L-BFGS-B). Thread counts must be
set before numpy/torch load: OPENBLAS_NUM_THREADS / OMP_NUM_THREADS are
set here from --threads."""
import argparse
import json
import os
import random
import resource
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--backend", choices=["torch", "numpy"], required=True)
ap.add_argument("--config", required=True)
ap.add_argument("--data", required=True)
ap.add_argument("--init", required=True)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--save")
args = ap.parse_args()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)
import numpy as np  # noqa: E402  (after the thread settings)

cfg = json.loads(args.config)


def mt_stream(seed):
    """saebench's MT19937 (init_genrand seeding) as a Python Random."""
    mt = [seed & 0xFFFFFFFF]
    for i in range(1, 624):
        mt.append((1812433253 * (mt[-1] ^ (mt[-1] >> 30)) + i) & 0xFFFFFFFF)
    r = random.Random()
    r.setstate((3, tuple(mt) + (624,), None))
    return r


def below(r, n):
    """sae_rng_below: 64-bit draws, rejection above the last multiple of n."""
    top = (1 << 64) - 1
    limit = top - top % n
    while True:
        v = (r.getrandbits(32) << 32) | r.getrandbits(32)
        if v < limit:
            return v % n


def shuffle(r, idx):
    """sae_rng_shuffle: Fisher-Yates from the top."""
    for i in range(len(idx), 1, -1):
        j = below(r, i)
        idx[i - 1], idx[j] = idx[j], idx[i - 1]


def objective64(W1, b1, W2, b2, X):
    """J of core/MODEL.md §3 in float64 (sigmoid decoder, squared error,
    L2 and KL as the config sets them)."""
    W1, b1, W2, b2, X = (np.asarray(a, np.float64) for a in (W1, b1, W2, b2, X))
    z1 = (X - b2 if cfg.get("pre_bias") else X) @ W1.T + b1
    h = 1 / (1 + np.exp(-z1)) if cfg["encoder"] == "sigmoid" else np.maximum(z1, 0)
    if cfg.get("k"):  # each row's k largest (ties: any; equal values give the same h)
        h = np.where(h >= np.partition(h, -cfg["k"], axis=1)[:, -cfg["k"]:-cfg["k"] + 1], h, 0)
    z2 = h @ W2.T + b2
    xh = z2 if cfg.get("decoder") == "linear" else 1 / (1 + np.exp(-z2))
    mean = cfg.get("reduction") == "mean"
    recon = ((xh - X) ** 2).mean() if mean else 0.5 * ((xh - X) ** 2).sum() / len(X)
    J = recon + cfg["lambda"] / (1 if mean else 2) * ((W1**2).sum() + (W2**2).sum())
    J += cfg.get("l1_activity", 0) * np.abs(h).sum() / len(X)
    if cfg["beta"]:
        rho, q = cfg["rho"], np.clip(h.mean(0), 1e-6, 1 - 1e-6)
        J += cfg["beta"] * (rho * np.log(rho / q) + (1 - rho) * np.log((1 - rho) / (1 - q))).sum()
    return float(J)


X = np.load(args.data).astype(np.float32)
z = np.load(args.init)
params0 = [z[k].astype(np.float32) for k in ("W1", "b1", "W2", "b2")]
m = len(X)


def batches():
    """Every step's row indices, epoch by epoch, in saebench's order."""
    r, idx = mt_stream(cfg["seed"] + 1), list(range(m))
    for _ in range(cfg["epochs"]):
        shuffle(r, idx)
        order = np.array(idx)
        for s in range(0, m, cfg["batch"]):
            yield order[s:s + cfg["batch"]]


def run_torch():
    import torch
    torch.set_num_threads(args.threads)
    P = [torch.tensor(p, requires_grad=True) for p in params0]
    x = torch.from_numpy(X)
    enc = torch.sigmoid if cfg["encoder"] == "sigmoid" else torch.relu

    def J(xb):
        W1, b1, W2, b2 = P
        h = enc((xb - b2 if cfg.get("pre_bias") else xb) @ W1.T + b1)
        if cfg.get("k"):
            values, index = h.topk(cfg["k"], dim=1)
            h = torch.zeros_like(h).scatter(1, index, values)
        z2 = h @ W2.T + b2
        xh = z2 if cfg.get("decoder") == "linear" else torch.sigmoid(z2)
        mean = cfg.get("reduction") == "mean"
        loss = torch.nn.functional.mse_loss(xh, xb) if mean else 0.5 * ((xh - xb) ** 2).sum() / xb.shape[0]
        if cfg["lambda"]:
            loss = loss + cfg["lambda"] / (1 if mean else 2) * ((W1**2).sum() + (W2**2).sum())
        if cfg.get("l1_activity"):
            loss = loss + cfg["l1_activity"] * h.abs().sum() / xb.shape[0]
        if cfg["beta"]:
            rho, q = cfg["rho"], torch.clamp(h.mean(0), 1e-6, 1 - 1e-6)
            loss = loss + cfg["beta"] * (rho * torch.log(rho / q) + (1 - rho) * torch.log((1 - rho) / (1 - q))).sum()
        return loss

    steps = list(batches()) if cfg["optimizer"] == "adam" else None
    t0 = time.perf_counter()
    if cfg["optimizer"] == "adam":
        opt = torch.optim.Adam(P, lr=cfg["lr"])
        W2 = P[2]
        with torch.no_grad():
            if cfg.get("unit_norm"):
                W2 /= W2.norm(dim=0, keepdim=True)
        for b in steps:
            opt.zero_grad()
            J(x[b]).backward()
            if cfg.get("unit_norm"):  # the gradient along each unit column, removed
                with torch.no_grad():
                    W2.grad -= (W2.grad * W2).sum(0, keepdim=True) * W2
            opt.step()
            if cfg.get("unit_norm"):
                with torch.no_grad():
                    W2 /= W2.norm(dim=0, keepdim=True)
    else:
        opt = torch.optim.LBFGS(P, lr=1, max_iter=cfg["iters"], max_eval=1000, history_size=100,
                                tolerance_grad=1e-5, tolerance_change=1e-9, line_search_fn="strong_wolfe")

        def closure():
            evaluations[0] += 1
            opt.zero_grad()
            loss = J(x)
            loss.backward()
            return loss
        opt.step(closure)
    t = time.perf_counter() - t0
    return t, [p.detach().numpy() for p in P], f"torch {torch.__version__}"


def grad_np(W1, b1, W2, b2, xb):
    """J and its gradient by hand (core/MODEL.md §5), in the arrays' dtype."""
    n = xb.shape[0]
    z1 = xb @ W1.T + b1
    h = 1 / (1 + np.exp(-z1)) if cfg["encoder"] == "sigmoid" else np.maximum(z1, 0)
    xh = 1 / (1 + np.exp(-(h @ W2.T + b2)))
    diff = xh - xb
    J = 0.5 * (diff**2).sum() / n + cfg["lambda"] / 2 * ((W1**2).sum() + (W2**2).sum())
    d2 = diff * (xh * (1 - xh)) / n
    dh = d2 @ W2
    if cfg["beta"]:
        rho, rh = cfg["rho"], h.mean(0)
        q = np.clip(rh, 1e-6, 1 - 1e-6)
        J += cfg["beta"] * (rho * np.log(rho / q) + (1 - rho) * np.log((1 - rho) / (1 - q))).sum()
        live = (rh >= 1e-6) & (rh <= 1 - 1e-6)
        dh = dh + (cfg["beta"] * (-rho / q + (1 - rho) / (1 - q)) * live / n).astype(dh.dtype)
    d1 = dh * (h * (1 - h) if cfg["encoder"] == "sigmoid" else (h > 0))
    lam = cfg["lambda"]
    return J, [d1.T @ xb + lam * W1, d1.sum(0), d2.T @ h + lam * W2, d2.sum(0)]


def grad_topk_np(W1, b1, W2, b2, xb):
    """The TopK SAE's J and gradient by hand: relu, each row's k largest,
    the linear decoder, F.mse_loss's mean, the pre-encoder bias if set."""
    xe = xb - b2 if cfg.get("pre_bias") else xb
    h = np.maximum(xe @ W1.T + b1, 0)
    rows, keep = np.arange(len(xb))[:, None], np.argpartition(h, -cfg["k"], axis=1)[:, -cfg["k"]:]
    hk = np.zeros_like(h)
    hk[rows, keep] = h[rows, keep]
    diff = hk @ W2.T + b2 - xb
    d2 = diff * (2 / diff.size)  # a Python float: keeps the arrays' dtype
    d1 = (d2 @ W2) * (hk > 0)
    gb1, gb2 = d1.sum(0), d2.sum(0)
    if cfg.get("pre_bias"):
        gb2 -= W1.T @ gb1
    return (diff**2).mean(), [d1.T @ xe, gb1, d2.T @ hk, gb2]


def run_numpy():
    topk = cfg.get("k") and cfg.get("decoder") == "linear" and cfg.get("reduction") == "mean"
    if not topk and (cfg.get("reduction") == "mean" or cfg.get("l1_activity") or cfg.get("k")
                     or cfg.get("decoder") == "linear"):
        sys.exit("e2e_peer.py: the numpy backend's gradients are the sum-reduction one without L1 activity "
                 "and the TopK one (linear decoder, mean)")
    P = [p.copy() for p in params0]
    if cfg["optimizer"] == "adam":
        steps = list(batches())
        M = [np.zeros_like(p) for p in P]
        V = [np.zeros_like(p) for p in P]
        lr, b1, b2, eps = np.float32(cfg["lr"]), np.float32(0.9), np.float32(0.999), np.float32(1e-8)
        W2, unit = P[2], cfg.get("unit_norm")
        t0 = time.perf_counter()
        if unit:
            W2 /= np.linalg.norm(W2, axis=0, keepdims=True)
        for t, b in enumerate(steps, 1):
            _, G = (grad_topk_np if topk else grad_np)(*P, X[b])
            if unit:  # the gradient along each unit column, removed
                G[2] -= (G[2] * W2).sum(0, keepdims=True) * W2
            bc1, bc2 = np.float32(1 - 0.9**t), np.float32(1 - 0.999**t)
            for p, g, mm, vv in zip(P, G, M, V):
                mm *= b1
                mm += (1 - b1) * g
                vv *= b2
                vv += (1 - b2) * g * g
                p -= lr * (mm / bc1) / (np.sqrt(vv / bc2) + eps)
            if unit:
                W2 /= np.linalg.norm(W2, axis=0, keepdims=True)
        return time.perf_counter() - t0, P, f"numpy {np.__version__}"
    from scipy.optimize import minimize
    import scipy
    shapes = [p.shape for p in P]
    sizes = [p.size for p in P]
    X64 = X.astype(np.float64)

    def fg(theta):
        parts, o = [], 0
        for s, n in zip(shapes, sizes):
            parts.append(theta[o:o + n].reshape(s))
            o += n
        evaluations[0] += 1
        J, G = grad_np(*parts, X64)
        return J, np.concatenate([g.ravel() for g in G])
    theta0 = np.concatenate([p.ravel() for p in P]).astype(np.float64)
    t0 = time.perf_counter()
    res = minimize(fg, theta0, jac=True, method="L-BFGS-B",
                   options={"maxiter": cfg["iters"], "maxfun": 1000, "maxcor": 100, "gtol": 1e-5, "ftol": 1e-12})
    t = time.perf_counter() - t0
    out, o = [], 0
    for s, n in zip(shapes, sizes):
        out.append(res.x[o:o + n].reshape(s))
        o += n
    return t, out, f"numpy {np.__version__} + scipy {scipy.__version__} L-BFGS-B"


evaluations = [0]  # L-BFGS: objective-and-gradient evaluations over all rows (the line search's included)
seconds, final, version = run_torch() if args.backend == "torch" else run_numpy()
if args.save:
    np.savez(args.save, **dict(zip(("W1", "b1", "W2", "b2"), final)))
print(json.dumps({"seconds": seconds, "objective": objective64(*final, X), "version": version,
                  "evaluations": evaluations[0],
                  "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
sys.stdout.flush()
