#!/usr/bin/env python3
"""The reference vectors of tests/vectors, from PyTorch autograd in float64.

An implementation of core/MODEL.md independent of the C code: the forward
pass and every term are written as tensors, and autograd, not a hand
derivation, gives the gradients. test_vectors.c holds the C objective to
these files in float and double.

    make_vectors.py check        recompute every file's expected values from
                                 its inputs; print the largest difference;
                                 exit 1 when one exceeds 1e-12 + 1e-10 |v|
    make_vectors.py regen        rewrite the expected values in place
    make_vectors.py new FILE --comment TEXT [--seed N] [key=value ...]
                                 a new case: 7 inputs, 5 hidden, batch 6,
                                 W ~ U(-r, r) (r = sqrt(6 / (n + k + 1))),
                                 biases U(-0.1, 0.1), X U(0.1, 0.9); keys
                                 are the config keys below

Needs Debian's python3-torch (1.13 made the committed files). Format, line
by line: '# comment'; 'config KEY VALUE'; 'array NAME ROWS COLS' then ROWS
lines of COLS numbers (%.17g); 'scalar NAME VALUE' (Python's repr). Inputs
W1, b1, W2 (untied only), b2, X; expected loss, term_*, gW1, gb1, gW2
(untied only), gb2, H, Xh, rhohat.
"""
import argparse
import math
import pathlib
import sys

import torch

torch.set_default_dtype(torch.float64)

HERE = pathlib.Path(__file__).resolve().parent
CONFIG_KEYS = ["input_dim", "hidden_dim", "encoder", "decoder", "loss", "tied", "lambda", "l1_weight",
               "l1_activity", "beta", "rho", "gamma", "kl_eps", "kl_tanh", "reduction", "k", "batch_topk", "pre_bias", "l0_penalty", "bandwidth", "aux_k",
               "aux_weight", "l1_dec_norm", "batch"]
DEFAULTS = {"input_dim": 7, "hidden_dim": 5, "encoder": "sigmoid", "decoder": "sigmoid", "loss": "mse",
            "tied": 0, "lambda": 0.0, "l1_weight": 0.0, "l1_activity": 0.0, "beta": 0.0, "rho": 0.05,
            "gamma": 0.0, "kl_eps": 1e-6, "kl_tanh": "rescale", "reduction": "sum", "k": 0, "batch_topk": 0, "pre_bias": 0,
            "l0_penalty": 0.0, "bandwidth": 1e-3, "aux_k": 0, "aux_weight": 0.03125,
            "l1_dec_norm": 0,
            "batch": 6}
INPUTS = ["W1", "b1", "W2", "b2", "log_threshold", "dead", "X"]
PARAMS = ["W1", "b1", "W2", "b2", "log_threshold"]


def parse(path):
    """(comment, config dict, ordered {name: value}) of one vector file."""
    lines = path.read_text().splitlines()
    # files from before a key: sum, no TopK, no pre-encoder bias
    comment, config, values = lines[0], {"reduction": "sum", "k": "0", "batch_topk": "0", "pre_bias": "0",
                                         "l0_penalty": "0", "bandwidth": "1e-3", "aux_k": "0",
                                         "aux_weight": "0.03125", "l1_dec_norm": "0"}, {}
    i = 1
    while i < len(lines):
        f = lines[i].split()
        if f[0] == "config":
            config[f[1]] = f[2]
            i += 1
        elif f[0] == "scalar":
            values[f[1]] = float(f[2])
            i += 1
        elif f[0] == "array":
            rows, cols = int(f[2]), int(f[3])
            data = [[float(v) for v in lines[i + 1 + r].split()] for r in range(rows)]
            values[f[1]] = torch.tensor(data).reshape(rows, cols)
            i += 1 + rows
        else:
            raise SystemExit(f"{path}:{i + 1}: expected config, array or scalar, got {f[0]!r}")
    return comment, config, values


def rectangle(u):
    return ((u > -0.5) & (u < 0.5)).to(u.dtype)


class JumpReLU(torch.autograd.Function):
    """h = z [z > th]; the straight-through estimate of dh/dth (MODEL.md [jumprelu], the Gemma Scope paper):
    -(th / eps) K((z - th) / eps), K the unit rectangle; dh/dz = [z > th]."""

    @staticmethod
    def forward(ctx, z, th, eps):
        ctx.save_for_backward(z, th)
        ctx.eps = eps
        return z * (z > th).to(z.dtype)

    @staticmethod
    def backward(ctx, g):
        z, th = ctx.saved_tensors
        gz = (z > th).to(z.dtype) * g
        gth = (-(th / ctx.eps) * rectangle((z - th) / ctx.eps) * g).sum(0)
        return gz, gth, None


class Step(torch.autograd.Function):
    """[z > th], with d/dth := -(1/eps) K((z - th) / eps) and no gradient for z (the l0 penalty)."""

    @staticmethod
    def forward(ctx, z, th, eps):
        ctx.save_for_backward(z, th)
        ctx.eps = eps
        return (z > th).to(z.dtype)

    @staticmethod
    def backward(ctx, g):
        z, th = ctx.saved_tensors
        return torch.zeros_like(z), (-(1 / ctx.eps) * rectangle((z - th) / ctx.eps) * g).sum(0), None


def activation(name, z):
    return {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda v: v}[name](z)


def derivative_through_h(name, h, z):
    """f'(z) written through h = f(z) (MODEL.md section 4)."""
    if name == "sigmoid":
        return h * (1 - h)
    if name == "tanh":
        return 1 - h * h
    return (h > 0).to(h.dtype)  # relu: f'(0) = 0; TopK: 0 for the units a row drops


def objective(cfg, W1, b1, W2, b2, X, T=None, dead=None):
    """Every term of J (MODEL.md section 3) and the activations."""
    m = X.shape[0]
    tied = int(cfg["tied"]) == 1
    lam, l1w, l1a = float(cfg["lambda"]), float(cfg["l1_weight"]), float(cfg["l1_activity"])
    beta, rho, gamma, eps = float(cfg["beta"]), float(cfg["rho"]), float(cfg["gamma"]), float(cfg["kl_eps"])
    Xe = X - b2.reshape(-1) if int(cfg["pre_bias"]) else X  # the encoder's input; autograd reaches b2 through it
    Z1 = Xe @ W1.T + b1.reshape(-1)
    bw = float(cfg["bandwidth"])
    if cfg["encoder"] == "jumprelu":
        th = torch.exp(T.reshape(-1))
        H = JumpReLU.apply(Z1, th, bw)
        active = Step.apply(Z1, th, bw)
    else:
        H = activation(cfg["encoder"], Z1)
        active = (H != 0).to(H.dtype)
    K = int(cfg["k"])
    Hpre = H
    if 0 < K < H.shape[1] and int(cfg["batch_topk"]):  # BatchTopK in training: the K m largest of the batch
        values, index = H.flatten().topk(K * m)
        H = torch.zeros_like(H).flatten().scatter(0, index, values).reshape(H.shape)
    elif 0 < K < H.shape[1]:  # TopK: each row's K largest, scattered into zeros (autograd through the values)
        values, index = H.topk(K, dim=1)
        H = torch.zeros_like(H).scatter(1, index, values)
    Wd = W1.T if tied else W2
    Z2 = H @ Wd.T + b2.reshape(-1)
    Xh = activation(cfg["decoder"], Z2)
    weights = [W1] if tied else [W1, W2]
    if cfg["reduction"] == "mean":
        # the frameworks' own definitions: MSELoss() / BCEWithLogitsLoss() (mean over
        # every entry) and Keras's l2(lambda) = lambda * sum W^2
        F = torch.nn.functional
        recon = F.binary_cross_entropy_with_logits(Z2, X) if cfg["loss"] == "bce" else F.mse_loss(Xh, X)
        l2 = lam * sum((W ** 2).sum() for W in weights)
    else:
        if cfg["loss"] == "bce":
            recon = (torch.nn.functional.softplus(Z2) - X * Z2).sum() / m
        else:
            recon = 0.5 * ((Xh - X) ** 2).sum() / m
        l2 = 0.5 * lam * sum((W ** 2).sum() for W in weights)
    if cfg["loss"] == "nmse":  # the TopK papers' normalised MSE, per sample, whatever the reduction
        recon = (((Xh - X) ** 2).sum(1) / (X ** 2).sum(1)).mean()
    l1 = l1w * sum(W.abs().sum() for W in weights)
    act = l1a * H.abs().sum() / m
    if int(cfg["l1_dec_norm"]):  # each unit's |h| weighted by its decoder column's norm
        act = l1a * (H.abs() * Wd.norm(dim=0)).sum() / m
    a = (H + 1) / 2 if cfg["encoder"] == "tanh" and cfg["kl_tanh"] == "rescale" else H
    rhohat = a.mean(dim=0)
    r = rhohat.clamp(eps, 1 - eps)
    kl = beta * (rho * torch.log(rho / r) + (1 - rho) * torch.log((1 - rho) / (1 - r))).sum()
    D = derivative_through_h(cfg["encoder"], H, Z1)
    cae = gamma * ((D ** 2) * (W1 ** 2).sum(dim=1)).sum() / m
    l0 = float(cfg["l0_penalty"]) * active.sum() / m
    aux = torch.zeros(())
    if int(cfg["aux_k"]) and dead is not None and dead.sum() > 0:  # AuxK: the residual, held fixed, from dead units
        mask = dead.reshape(-1) > 0
        ka = min(int(cfg["aux_k"]), int(mask.sum()))
        values, index = Hpre.masked_fill(~mask, -1.0).topk(ka, dim=1)
        Zaux = torch.zeros_like(Hpre).scatter(1, index, values)
        e = (X - Xh).detach()
        ehat = Zaux @ Wd.T
        aux = float(cfg["aux_weight"]) * (((ehat - e) ** 2).sum(1) / (e ** 2).sum(1)).mean()
    terms = {"term_recon": recon, "term_l2": l2, "term_l1w": l1, "term_l1a": act, "term_kl": kl, "term_cae": cae,
             "term_l0": l0, "term_aux": aux}
    return terms, H, Xh, rhohat


def expected(cfg, values):
    """The expected part of a file, in order, from its inputs."""
    tied = int(cfg["tied"]) == 1
    params = {k: values[k].clone().requires_grad_(True) for k in PARAMS if k in values}
    terms, H, Xh, rhohat = objective(cfg, params["W1"], params["b1"], params.get("W2"), params["b2"], values["X"],
                                     params.get("log_threshold"), values.get("dead"))
    loss = sum(terms.values())
    loss.backward()
    out = {"loss": float(loss)}
    out.update({k: float(v) for k, v in terms.items()})
    out["gW1"] = params["W1"].grad
    out["gb1"] = params["b1"].grad
    if not tied:
        out["gW2"] = params["W2"].grad
    out["gb2"] = params["b2"].grad
    if "log_threshold" in params:
        out["glog_threshold"] = params["log_threshold"].grad
    out["H"], out["Xh"], out["rhohat"] = H.detach(), Xh.detach(), rhohat.detach().reshape(-1, 1)
    return out


def write(path, comment, cfg, values, out):
    lines = [comment] + [f"config {k} {cfg[k]}" for k in CONFIG_KEYS]
    for name, v in list((k, values[k]) for k in INPUTS if k in values) + list(out.items()):
        if isinstance(v, float):
            lines.append(f"scalar {name} {v!r}")
        else:
            lines.append(f"array {name} {v.shape[0]} {v.shape[1]}")
            lines += [" ".join("%.17g" % x for x in row.tolist()) for row in v]
    path.write_text("\n".join(lines) + "\n")


def worst_difference(values, out):
    worst, where = 0.0, ""
    for name, v in out.items():
        got = torch.tensor(v) if isinstance(v, float) else v
        want = torch.tensor(values[name]) if isinstance(values[name], float) else values[name]
        err = ((got - want).abs() / (1e-12 + 1e-10 * want.abs())).max().item()
        if err > worst:
            worst, where = err, name
    return worst, where


def new_case(args):
    cfg = dict(DEFAULTS)
    for kv in args.settings:
        key, _, value = kv.partition("=")
        if key not in cfg:
            raise SystemExit(f"unknown config key {key!r}; one of {', '.join(CONFIG_KEYS)}")
        cfg[key] = type(DEFAULTS[key])(value)
    g = torch.Generator().manual_seed(args.seed)
    n, k, m = int(cfg["input_dim"]), int(cfg["hidden_dim"]), int(cfg["batch"])
    r = math.sqrt(6 / (n + k + 1))

    def uniform(rows, cols, lo, hi):
        return lo + (hi - lo) * torch.rand(rows, cols, generator=g)

    values = {"W1": uniform(k, n, -r, r), "b1": uniform(k, 1, -0.1, 0.1)}
    if int(cfg["tied"]) == 0:
        values["W2"] = uniform(n, k, -r, r)
    values["b2"] = uniform(n, 1, -0.1, 0.1)
    if int(cfg["aux_k"]):  # AuxK: units 1 and 3 dead
        values["dead"] = torch.tensor([[float(j in (1, 3))] for j in range(k)])
    if cfg["encoder"] == "jumprelu":  # thresholds spread over the pre-activations' range, some near an entry
        values["log_threshold"] = torch.log(uniform(k, 1, 0.05, 0.4))
    values["X"] = uniform(m, n, 0.1, 0.9)
    path = pathlib.Path(args.file)
    write(path, f"# sparse-autoencoder test vector {path.stem}: {args.comment}", cfg, values, expected(cfg, values))
    print(f"wrote {path}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("check")
    sub.add_parser("regen")
    n = sub.add_parser("new")
    n.add_argument("file")
    n.add_argument("--comment", required=True)
    n.add_argument("--seed", type=int, default=1)
    n.add_argument("settings", nargs="*")
    # key=value settings may follow the options (as tests/vectors/README.md shows), which
    # argparse leaves over once the positionals are taken
    args, extra = p.parse_known_args()
    if extra and (args.cmd != "new" or any("=" not in x or x.startswith("-") for x in extra)):
        p.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.cmd == "new":
        args.settings += extra
        return new_case(args)
    bad = 0
    for path in sorted(HERE.glob("v*.txt")):
        comment, cfg, values = parse(path)
        out = expected(cfg, values)
        if args.cmd == "regen":
            write(path, comment, cfg, values, out)
            print(f"wrote {path.name}")
            continue
        worst, where = worst_difference(values, out)
        print(f"{path.name}: largest difference {worst:.3g} x (1e-12 + 1e-10 |v|), in {where or '-'}")
        bad += worst > 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
