"""cnnlib.tutor: every exercise passes its model solution and differently written correct solutions
(cnnlib's own classes are not among them: passing one fails, see test_tutor_trust.py), recognises the
untouched starter, and its starter/solution texts are real code."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from cnnlib.im2col import col2im, im2col, window_view
from cnnlib.tutor import EXERCISES, check, hints, solution, solution_source, starter
from cnnlib.tutor import solutions as S
from cnnlib.tutor import starters as T
from cnnlib.tutor.cases import Case

SOLUTIONS = {
    "conv_single": S.my_conv_single, "conv": S.my_conv, "pool": S.my_pool, "im2col": S.my_im2col,
    "col2im": S.my_col2im, "conv_forward": S.MyConvolution, "conv_backward": S.MyConvolutionBackward,
    "pool_backward": S.MyPooling, "convnet": S.MyConvNet,
}
STARTERS = {
    "conv_single": T.my_conv_single, "conv": T.my_conv, "pool": T.my_pool, "im2col": T.my_im2col,
    "col2im": T.my_col2im, "conv_forward": T.MyConvolution, "conv_backward": T.MyConvolutionBackward,
    "pool_backward": T.MyPooling, "convnet": T.MyConvNet,
}


# ---- differently written correct solutions ---------------------------------------------------

def conv_single_vectorised(x, w, stride=1, pad=0):
    windows = sliding_window_view(np.pad(x, pad), w.shape)[::stride, ::stride]
    return np.einsum("ijab,ab->ij", windows, w)


def conv_single_filter_cells_outside(x, w, stride=1, pad=0):
    """Loops over the filter's cells outside, adding a shifted, strided slice of the input."""
    xp = np.pad(x, pad)
    OH = (xp.shape[0] - w.shape[0]) // stride + 1
    OW = (xp.shape[1] - w.shape[1]) // stride + 1
    out = np.zeros((OH, OW))
    for a in range(w.shape[0]):
        for b in range(w.shape[1]):
            out += w[a, b] * xp[a:a + stride * (OH - 1) + 1:stride, b:b + stride * (OW - 1) + 1:stride]
    return out


def conv_by_im2col(x, w, b, stride=1, pad=0):
    N, FN = x.shape[0], w.shape[0]
    col = im2col(x, w.shape[2], w.shape[3], stride, pad)
    OH = (x.shape[2] + 2 * pad - w.shape[2]) // stride + 1
    out = col @ w.reshape(FN, -1).T + b
    return out.reshape(N, OH, -1, FN).transpose(0, 3, 1, 2)


def conv_channels_outside(x, w, b, stride=1, pad=0):
    out = np.zeros((x.shape[0], w.shape[0], 1, 1))
    for c in range(x.shape[1]):
        part = np.stack([np.stack([conv_single_vectorised(x[n, c], w[f, c], stride, pad) for f in range(w.shape[0])])
                         for n in range(x.shape[0])])
        out = out + part
    return out + b[None, :, None, None]


def pool_vectorised(x, pool_h, pool_w, stride=1, pad=0, method="max"):
    windows = window_view(x, pool_h, pool_w, stride, pad)
    return windows.max(axis=(4, 5)) if method == "max" else windows.mean(axis=(4, 5))


def im2col_library(input_data, filter_h, filter_w, stride=1, pad=0):
    return im2col(input_data, filter_h, filter_w, stride, pad)


def col2im_library(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    return col2im(col, input_shape, filter_h, filter_w, stride, pad)


class ConvolutionEinsum:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        windows = window_view(x, self.W.shape[2], self.W.shape[3], self.stride, self.pad)  # (N, C, OH, OW, FH, FW)
        return np.einsum("ncijab,fcab->nfij", windows, self.W) + self.b[None, :, None, None]


class PoolingLoops(T.MyPooling):
    """Max pooling backward with loops over windows, using the forward's arg_max."""

    def backward(self, dout):
        N, C, H, W = self.x.shape
        OH, OW = dout.shape[2:]
        dx = np.zeros((N, C, H + 2 * self.pad, W + 2 * self.pad))
        winners = self.arg_max.reshape(N, OH, OW, C)
        for n in range(N):
            for i in range(OH):
                for j in range(OW):
                    for c in range(C):
                        a, b = divmod(int(winners[n, i, j, c]), self.pool_w)
                        dx[n, c, i * self.stride + a, j * self.stride + b] += dout[n, c, i, j]
        return dx[:, :, self.pad:self.pad + H, self.pad:self.pad + W]


class ConvNetGenericGradient(S.MyConvNet):
    """A gradient that numbers the parameters by itself."""

    def gradient(self, x, t):
        self.loss(x, t)
        layers = [self.last_layer] + list(self.layers.values())[::-1]
        dout = 1
        for layer in layers:
            dout = layer.backward(dout)
        with_weights = [layer for layer in self.layers.values() if hasattr(layer, "W")]
        grads = {}
        for k, layer in enumerate(with_weights, start=1):
            grads[f"W{k}"], grads[f"b{k}"] = layer.dW, layer.db
        return grads


class PoolingAddAt(T.MyPooling):
    """Max pooling backward scattering dout into the padded input with np.add.at."""

    def backward(self, dout):
        N, C, H, W = self.x.shape
        OH, OW = dout.shape[2:]
        dx = np.zeros((N, C, H + 2 * self.pad, W + 2 * self.pad))
        a, b = np.divmod(self.arg_max.reshape(N, OH, OW, C).transpose(0, 3, 1, 2), self.pool_w)
        n, c, i, j = np.indices((N, C, OH, OW))
        np.add.at(dx, (n, c, i * self.stride + a, j * self.stride + b), dout)
        return dx[:, :, self.pad:self.pad + H, self.pad:self.pad + W]


class LossWithEpsilon(S.MySoftmaxWithLoss):
    """The book's cross_entropy_error guards log(0) with + 1e-7."""

    def forward(self, x, t):
        self.t, self.y = t, T.softmax(x)
        self.loss = -np.sum(np.log(self.y[np.arange(x.shape[0]), t] + 1e-7)) / x.shape[0]
        return self.loss


class ConvNetLossWithEpsilon(S.MyConvNet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_layer = LossWithEpsilon()


OTHER_CORRECT = {
    "conv_single": [conv_single_vectorised, conv_single_filter_cells_outside],
    "conv": [conv_by_im2col, conv_channels_outside],
    "pool": [pool_vectorised],
    "im2col": [im2col_library],
    "col2im": [col2im_library],
    "conv_forward": [ConvolutionEinsum],
    "conv_backward": [S.MyConvolution],
    "pool_backward": [PoolingLoops, PoolingAddAt],
    "convnet": [ConvNetGenericGradient, ConvNetLossWithEpsilon],
}


def test_every_exercise_has_a_solution_a_starter_and_other_correct_solutions():
    assert set(SOLUTIONS) == set(STARTERS) == set(OTHER_CORRECT) == set(EXERCISES)
    assert len(EXERCISES) >= 9


@pytest.mark.parametrize("name", list(EXERCISES))
def test_model_solution_passes(name):
    result = check(name, SOLUTIONS[name])
    assert result.status == "pass", result.text
    assert result.passed and result.mistake is None
    assert result.text.startswith("✓ ") and "경우를 모두 맞혔습니다" in result.text


@pytest.mark.parametrize("name,impl", [(n, impl) for n, impls in OTHER_CORRECT.items() for impl in impls],
                         ids=lambda v: v if isinstance(v, str) else getattr(v, "__name__", "partial"))
def test_differently_written_correct_solution_passes(name, impl):
    result = check(name, impl)
    assert result.status == "pass", result.text


@pytest.mark.parametrize("name", list(EXERCISES))
def test_untouched_starter_is_not_yet(name):
    result = check(name, STARTERS[name])
    assert result.status == "todo"
    assert "아직 구현하지 않았습니다" in result.text and "힌트 1" in result.text
    assert EXERCISES[name].hints[0] in result.text


@pytest.mark.parametrize("name", list(EXERCISES))
def test_starter_text_is_runnable_code_that_gives_not_yet(name):
    """The text a notebook pastes defines the starter with every name it needs."""
    namespace = {}
    exec(compile(starter(name), f"<starter {name}>", "exec"), namespace)  # noqa: S102  (our own code)
    defined = namespace[EXERCISES[name].starter[-1].__name__]
    assert check(name, defined).status == "todo"


def test_returning_none_is_not_yet_with_a_word_about_return():
    def my_conv_single(x, w, stride=1, pad=0):
        out = np.zeros((2, 2))  # forgot "return out"
    result = check("conv_single", my_conv_single)
    assert result.status == "todo" and "return" in result.text


@pytest.mark.parametrize("name", [n for n, ex in EXERCISES.items() if ex.run.__name__ == "_call"])
def test_function_solution_text_is_the_tested_code(name):
    """solution() shows code that, pasted into a cell, passes the check."""
    namespace = {}
    code = EXERCISES[name].imports + solution_source(name)
    exec(compile(code, f"<solution {name}>", "exec"), namespace)  # noqa: S102  (our own code)
    assert check(name, namespace[SOLUTIONS[name].__name__]).status == "pass"


@pytest.mark.parametrize("name", list(EXERCISES))
def test_solution_and_hints_are_folded(name):
    shown = solution(name)
    html = shown._repr_html_()
    assert html.count("<details") == 1 and "모범 답안 보기" in html
    first_line = solution_source(name).splitlines()[1]
    assert first_line.strip()[:20] not in repr(shown)  # text/plain does not print the solution
    h = hints(name)._repr_html_()
    n = len(EXERCISES[name].hints)
    assert h.count("<details") == n >= 3
    # hint k+1 sits inside hint k: it opens only after hint k is open
    assert h.index("힌트 2") > h.index(EXERCISES[name].hints[0])


def test_book_example_comes_first():
    for name, ex in EXERCISES.items():
        if name != "convnet":
            assert ex.make_cases()[0].label.startswith(("책의 예", "col이 모두 1")), name


def test_case_describe_is_short_and_deterministic():
    case = Case({"x": np.zeros((2, 3))}, {"stride": 2, "pad": 1, "method": "max", "_seed": 4})
    assert case.describe() == "x (2, 3), stride=2, pad=1, method='max'"
