"""Gradient spot checks for whole networks, shared by the network tests."""

import numpy as np


def spot_check_gradients(net, x, t, entries=6, seed=0, h=1e-5):
    """Central differences on a few random entries of every parameter (float64 networks)."""
    grads = net.gradient(x, t)
    rng = np.random.default_rng(seed)
    for key, p in net.params.items():
        for flat in rng.choice(p.size, size=min(entries, p.size), replace=False):
            idx = np.unravel_index(flat, p.shape)
            old = p[idx]
            p[idx] = old + h
            plus = net.loss(x, t)
            p[idx] = old - h
            minus = net.loss(x, t)
            p[idx] = old
            num = (plus - minus) / (2 * h)
            assert abs(num - grads[key][idx]) <= 1e-5 * max(1.0, abs(num)), (key, idx, num, grads[key][idx])
