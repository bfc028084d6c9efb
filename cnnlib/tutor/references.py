"""The expected values of every exercise, from cnnlib.reference's plain loops and numpy alone.

``EXPECT[name](case) -> {key: array}`` gives what the learner's run must return on ``case``
(the same keys as the exercise's runner). No class is involved, and the loop functions are bound
here when the tutor is imported: a learner's cell that patches a layer (``Relu.backward = ...``)
can neither make a wrong answer pass nor poison the expected values of a later check.
"""

from __future__ import annotations

import numpy as np

from ..reference import (col2im_loops, conv_backward_loops, conv_forward_loops, im2col_loops, pool_backward_loops,
                         pool_forward_loops)
from .starters import init_convnet_params

__all__ = ["EXPECT", "init_convnet_weights"]


def init_convnet_weights(p):
    """The weights of a case with parameters ``p``: the book's shapes, std 0.1 (larger than the
    book's 0.01, so every gradient is far from 0), seeded."""
    return init_convnet_params(p["input_dim"], p["conv_param"], p["hidden_size"], p["output_size"],
                               weight_init_std=0.1, seed=p["_seed"])


def _conv_single(case):
    a, p = case.fresh(), case.params
    return {"out": conv_forward_loops(a["x"][None, None], a["w"][None, None], np.zeros(1), p["stride"], p["pad"])[0, 0]}


def _conv(case):
    a, p = case.fresh(), case.params
    w = a["W"] if "W" in a else a["w"]
    return {"out": conv_forward_loops(a["x"], w, a["b"], p["stride"], p["pad"])}


def _pool(case):
    a, p = case.fresh(), case.params
    return {"out": pool_forward_loops(a["x"], p["pool_h"], p["pool_w"], p["stride"], p["pad"], p["method"])}


def _im2col(case):
    a, p = case.fresh(), case.params
    return {"out": im2col_loops(a["input_data"], p["filter_h"], p["filter_w"], p["stride"], p["pad"])}


def _col2im(case):
    a, p = case.fresh(), case.params
    return {"out": col2im_loops(a["col"], p["input_shape"], p["filter_h"], p["filter_w"], p["stride"], p["pad"])}


def _conv_backward(case):
    a, p = case.fresh(), case.params
    dx, dW, db = conv_backward_loops(a["x"], a["W"], a["dout"], p["stride"], p["pad"])
    return {"out": _conv(case)["out"], "dx": dx, "dW": dW, "db": db}


def _pool_backward(case):
    a, p = case.fresh(), case.params
    args = (p["pool_h"], p["pool_w"], p["stride"], p["pad"])
    return {"out": pool_forward_loops(a["x"], *args), "dx": pool_backward_loops(a["x"], a["dout"], *args)}


def _convnet(case):
    """SimpleConvNet's loss and gradients (conv - relu - pool 2x2 - affine - relu - affine -
    softmax with loss), layer by layer with the loops and numpy."""
    a, cp = case.fresh(), case.params["conv_param"]
    x, t = a["x"], a["t"]
    w = init_convnet_weights(case.params)
    conv = conv_forward_loops(x, w["W1"], w["b1"], cp["stride"], cp["pad"])
    relu1 = np.maximum(conv, 0)
    pooled = pool_forward_loops(relu1, 2, 2, 2)
    flat = pooled.reshape(len(x), -1)
    hidden = flat @ w["W2"] + w["b2"]
    relu2 = np.maximum(hidden, 0)
    score = relu2 @ w["W3"] + w["b3"]
    shifted = score - score.max(axis=1, keepdims=True)
    log_y = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(x))
    loss = -np.mean(log_y[rows, t])

    dscore = np.exp(log_y)
    dscore[rows, t] -= 1
    dscore /= len(x)
    dhidden = (dscore @ w["W3"].T) * (hidden > 0)
    dpooled = (dhidden @ w["W2"].T).reshape(pooled.shape)
    dconv = pool_backward_loops(relu1, dpooled, 2, 2, 2) * (conv > 0)
    _, dW1, db1 = conv_backward_loops(x, w["W1"], dconv, cp["stride"], cp["pad"])
    return {"loss": loss, "W1": dW1, "b1": db1, "W2": flat.T @ dhidden, "b2": dhidden.sum(axis=0),
            "W3": relu2.T @ dscore, "b3": dscore.sum(axis=0)}


EXPECT = {"conv_single": _conv_single, "conv": _conv, "pool": _pool, "im2col": _im2col, "col2im": _col2im,
          "conv_forward": _conv, "conv_backward": _conv_backward, "pool_backward": _pool_backward,
          "convnet": _convnet}
