"""Optimizers (cnnlib.optimizers): the book's defaults, Adam's formula, and minimising a quadratic."""

import numpy as np
import pytest

from cnnlib.optimizers import OPTIMIZERS, SGD, Adam, AdaGrad, Momentum, Nesterov, RMSprop


def test_optimizer_defaults_are_the_books():
    assert SGD().lr == 0.01 and Momentum().momentum == 0.9 and Nesterov().lr == 0.01
    assert AdaGrad().lr == 0.01 and RMSprop().decay_rate == 0.99
    a = Adam()
    assert (a.lr, a.beta1, a.beta2) == (0.001, 0.9, 0.999)


def test_adam_matches_the_formula():
    p = {"w": np.array([1.0, -2.0])}
    opt = Adam(lr=0.1)
    g1, g2 = np.array([0.5, -1.0]), np.array([0.2, 0.3])
    m = v = np.zeros(2)
    w = p["w"].copy()
    for it, g in enumerate([g1, g2], start=1):
        opt.update(p, {"w": g})
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        lr_t = 0.1 * np.sqrt(1 - 0.999**it) / (1 - 0.9**it)
        w = w - lr_t * m / (np.sqrt(v) + 1e-7)
        np.testing.assert_allclose(p["w"], w, rtol=1e-12)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_minimises_a_quadratic_and_keeps_float32(name):
    target = np.array([3.0, -1.0], dtype=np.float32)
    p = {"w": np.zeros(2, dtype=np.float32)}
    opt = OPTIMIZERS[name](lr=0.5 if name == "adagrad" else 0.05)  # AdaGrad's steps shrink as 1/sqrt(t)
    start = float(np.sum((p["w"] - target) ** 2))
    for _ in range(300):
        opt.update(p, {"w": 2 * (p["w"] - target)})
    assert p["w"].dtype == np.float32
    assert float(np.sum((p["w"] - target) ** 2)) < 0.05 * start
