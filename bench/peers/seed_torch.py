#!/usr/bin/python3
"""PyTorch timing peer of the seed config: `saebench train --data gauss
--test-fraction 0.2 --encoder relu --decoder sigmoid --hidden 50 --epochs 100
--threads 1` (Adam 1e-3, batch 32, 800 training rows, 1 thread). The same
shapes, optimiser and batches, not the same initial weights or batch order:
compare the training loop's seconds, and the losses only roughly. Needs
Debian's python3-torch and python3-numpy."""
import time

import numpy as np
import torch

torch.set_num_threads(1)
np.random.seed(42)
X = np.random.randn(1000, 100).astype(np.float32)
xtr = torch.from_numpy(X[:800])
enc, dec = torch.nn.Linear(100, 50), torch.nn.Linear(50, 100)
opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=1e-3)
g = torch.Generator().manual_seed(43)
t0 = time.perf_counter()
for epoch in range(100):
    perm = torch.randperm(800, generator=g)
    for i in range(0, 800, 32):
        xb = xtr[perm[i:i + 32]]
        xh = torch.sigmoid(dec(torch.relu(enc(xb))))
        loss = 0.5 * ((xh - xb) ** 2).sum() / xb.shape[0]  # saebench's reconstruction term
        opt.zero_grad()
        loss.backward()
        opt.step()
t = time.perf_counter() - t0
print(f"torch {torch.__version__} seed training loop: {t:.3f} s ({t / 2500 * 1e6:.0f} us/step), "
      f"last batch loss {loss.item():.4f}")
