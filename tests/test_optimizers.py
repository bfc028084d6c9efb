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


def _book_adam(params, grads, steps, lr=0.001, beta1=0.9, beta2=0.999):
    """The book's Adam (common/optimizer.py), with lr_t a Python float as in cnnlib."""
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(val) for k, val in params.items()}
    for it in range(1, steps + 1):
        lr_t = float(lr * np.sqrt(1.0 - beta2**it) / (1.0 - beta1**it))
        for key in params:
            m[key] += (1 - beta1) * (grads[key] - m[key])
            v[key] += (1 - beta2) * (grads[key] ** 2 - v[key])
            params[key] -= lr_t * m[key] / (np.sqrt(v[key]) + 1e-7)


@pytest.mark.parametrize("chunk", [1, 7, 32768])
def test_adam_in_slices_gives_the_books_numbers_exactly(chunk):
    rng = np.random.default_rng(0)
    shapes = {"W": (37, 11), "b": (11,), "T": (5, 9)}
    params = {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}
    grads = {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}
    params["T"] = np.asfortranarray(params["T"])  # not C-contiguous: updated whole, still in place
    expected = {k: v.copy() for k, v in params.items()}
    arrays = dict(params)
    opt = Adam(lr=0.01)
    opt.CHUNK = chunk
    for _ in range(3):
        opt.update(params, grads)
    _book_adam(expected, grads, 3, lr=0.01)
    for key in params:
        assert params[key] is arrays[key] and params[key].dtype == np.float32  # changed in place
        np.testing.assert_array_equal(params[key], expected[key])
