"""One training step of SimpleConvNet (forward + backward + Adam, batch 100): cnnlib vs PyTorch.

The two are timed in alternating blocks in one run (so a busy machine slows both alike) and
the ratio of the medians is printed. Blocks, not single steps: right after a step, the other
library's worker threads still spin for a moment (OpenBLAS, OpenMP) and would slow the next
step; the first step of each block is therefore not counted. PyTorch is a benchmark aid only, never a dependency:
without it, only cnnlib's time is printed. (Here: `pip install torch==2.13.0` installs a
CPU build from the local disk; elsewhere plain `pip install torch` pulls gigabytes.)

Run: python3 tasks.py bench bench/bench_training_step.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from cnnlib.convnet import SimpleConvNet
from cnnlib.optimizers import Adam

BATCH = 100
ROUNDS = 12        # alternating blocks per library
BLOCK = 6          # steps per block; the first one is not counted
WARMUP = 5


def cnnlib_step_fn(x, t):
    net = SimpleConvNet(seed=0, fast=True)  # the layers every training recipe uses (cnnlib.train.build_network)
    optimizer = Adam(lr=0.001)

    def step():
        grads = net.gradient(x, t)
        optimizer.update(net.params, grads)

    return step


def torch_step_fn(x, t):
    import torch
    from torch import nn

    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
        nn.Linear(30 * 12 * 12, 100), nn.ReLU(), nn.Linear(100, 10),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.CrossEntropyLoss()
    xt, tt = torch.from_numpy(x), torch.from_numpy(t)

    def step():
        optimizer.zero_grad()
        loss_fn(model(xt), tt).backward()
        optimizer.step()

    return step, torch


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main():
    rng = np.random.default_rng(0)
    x = rng.random((BATCH, 1, 28, 28), dtype=np.float32)
    t = rng.integers(0, 10, BATCH)
    ours = cnnlib_step_fn(x, t)
    try:
        theirs, torch = torch_step_fn(x, t)
        label = f"PyTorch {torch.__version__} ({torch.get_num_threads()} threads)"
    except ImportError:
        theirs, label = None, None

    for _ in range(WARMUP):
        ours()
        if theirs:
            theirs()
    t_ours, t_theirs = [], []
    for _ in range(ROUNDS):
        t_ours += [timed(ours) for _ in range(BLOCK)][1:]
        if theirs:
            t_theirs += [timed(theirs) for _ in range(BLOCK)][1:]

    m_ours = statistics.median(t_ours) * 1e3
    print(f"SimpleConvNet training step, batch {BATCH}, median of {ROUNDS * (BLOCK - 1)} steps "
          f"in {ROUNDS} alternating blocks")
    print(f"  cnnlib (numpy {np.__version__}, float32): {m_ours:7.2f} ms")
    if theirs:
        m_theirs = statistics.median(t_theirs) * 1e3
        print(f"  {label}: {m_theirs:7.2f} ms")
        print(f"  ratio cnnlib / PyTorch: {m_ours / m_theirs:.2f}x   (target <= 1.3x; moonshot <= 1.0x)")
    else:
        print("  PyTorch not importable: no ratio (pip install torch==2.13.0 to compare)")


if __name__ == "__main__":
    main()
