#!/usr/bin/python3
"""PyTorch timing peer of one Fashion-MNIST epoch: `saebench train --data
fashion-mnist --hidden 256 --epochs 1 --batch 128 --threads 1` (784 -> 256
sigmoid/sigmoid, Adam 1e-3, 1 thread). The same shapes, optimiser and
batches, not the same initial weights or batch order: compare the training
loop's seconds. Needs python3-torch, python3-numpy and
dataset-fashion-mnist."""
import gzip
import time

import numpy as np
import torch

torch.set_num_threads(1)
with gzip.open("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") as f:
    X = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255
x = torch.from_numpy(X)
enc, dec = torch.nn.Linear(784, 256), torch.nn.Linear(256, 784)
opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=1e-3)
g = torch.Generator().manual_seed(43)
t0 = time.perf_counter()
perm = torch.randperm(60000, generator=g)
for i in range(0, 60000, 128):
    xb = x[perm[i:i + 128]]
    xh = torch.sigmoid(dec(torch.sigmoid(enc(xb))))
    loss = 0.5 * ((xh - xb) ** 2).sum() / xb.shape[0]
    opt.zero_grad()
    loss.backward()
    opt.step()
t = time.perf_counter() - t0
print(f"torch {torch.__version__} Fashion-MNIST 784->256 epoch: {t:.3f} s, last batch loss {loss.item():.3f}")
