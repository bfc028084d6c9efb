"""The exercises: how each one calls the learner's code, what it is compared with (cnnlib's
loop references and layers), the hints, the starter and the model solution.

An exercise's ``run(impl, case)`` calls a function or builds a class the way the notebook
does and returns the values to compare, e.g. ``{"out": ...}`` or ``{"out", "dx", "dW", "db"}``.
The same ``run`` calls the learner's code, the reference and every mutant, so all three are
compared on equal terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Callable

import numpy as np

from .. import reference as ref
from ..convnet import SimpleConvNet
from ..shapes import shape_text
from . import cases as C
from . import mutants_conv, mutants_im2col, mutants_layers, mutants_pool  # noqa: F401  (register the mistakes)
from . import solutions as S
from . import starters as T
from .runner import LearnerProblem

__all__ = ["Exercise", "EXERCISES", "get_exercise", "PARAM_KEYS", "load_convnet"]


@dataclass(frozen=True)
class Exercise:
    name: str
    title: str            # Korean, shown in every result
    signature: str        # what the learner writes, with shapes
    make_cases: Callable  # () -> [Case]
    run: Callable         # (impl, case) -> {key: value}
    reference: Callable   # an impl with the learner's interface, built on cnnlib
    starter: tuple        # functions/classes whose source is the starter code
    solution: tuple       # functions/classes/methods whose source is the model solution
    imports: str          # import lines the starter code needs
    hints: tuple          # Korean, revealed one at a time
    views: Callable = None  # (case, key, index) -> [(title, 2-D array, pad)] inputs to draw
    call: str = ""        # how to rerun a case by hand; {name} is the learner's function or class
    labels: dict = field(default_factory=lambda: {"out": "출력"})
    attributes: tuple = ()  # keys the learner sets as self.<key> instead of returning them
    todo_keys: tuple = ("out",)
    rtol: float = 1e-6
    show_grids: bool = True  # False: differences in words only (float gradients do not read well as grids)


# ---- how each exercise calls the code -------------------------------------------------------

def _call(impl, case):
    """A function exercise: positional arguments in the case's order."""
    return {"out": impl(*case.fresh().values(), *case.params.values())}


def _conv_forward(impl, case):
    a, p = case.fresh(), case.params
    return {"out": impl(a["W"], a["b"], p["stride"], p["pad"]).forward(a["x"])}


def _conv_backward(impl, case):
    a, p = case.fresh(), case.params
    layer = impl(a["W"], a["b"], p["stride"], p["pad"])
    out = layer.forward(a["x"])
    dx = layer.backward(a["dout"])
    return {"out": out, "dx": dx, "dW": getattr(layer, "dW", None), "db": getattr(layer, "db", None)}


def _pool_backward(impl, case):
    a, p = case.fresh(), case.params
    layer = impl(p["pool_h"], p["pool_w"], p["stride"], p["pad"])
    return {"out": layer.forward(a["x"]), "dx": layer.backward(a["dout"])}


PARAM_KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")


def load_convnet(net, values):
    """Copy ``values`` (W1 ... b3) into ``net.params`` in place, after checking that the network
    has them with the right shapes and that its layers use these very arrays (as the book's
    SimpleConvNet does, so that an optimizer updating ``params`` updates the layers)."""
    params = getattr(net, "params", None)
    if not isinstance(params, dict):
        raise LearnerProblem("self.params가 딕셔너리가 아닙니다. __init__에서 self.params = {...}로 가중치를 담으세요.")
    for key in PARAM_KEYS:
        if key not in params:
            raise LearnerProblem(f"self.params에 '{key}'가 없습니다. 키는 W1, b1, W2, b2, W3, b3입니다.")
        if np.shape(params[key]) != values[key].shape:
            raise LearnerProblem(f"self.params['{key}'] 형상이 {shape_text(values[key].shape)}여야 하는데 "
                                 f"{shape_text(np.shape(params[key]))}입니다.")
    layers = getattr(net, "layers", None)
    if not hasattr(layers, "values"):
        raise LearnerProblem("self.layers가 없습니다. __init__에서 self.layers = OrderedDict()에 계층을 넣으세요.")
    held = [getattr(layer, name, None) for layer in layers.values() for name in ("W", "b")]
    for key in PARAM_KEYS:
        if not any(array is params[key] for array in held):
            raise LearnerProblem(f"self.params['{key}'] 배열을 그대로 쓰는 계층이 없습니다. 계층을 만들 때 "
                                 f"self.params['{key}']를 복사하지 말고 그대로 넘기세요.")
    for key in PARAM_KEYS:
        params[key][...] = values[key]


def _convnet(impl, case):
    p = case.params
    net = impl(input_dim=p["input_dim"], conv_param=dict(p["conv_param"]), hidden_size=p["hidden_size"],
               output_size=p["output_size"])
    load_convnet(net, init_convnet_weights(case))
    a = case.fresh()
    loss = net.loss(a["x"], a["t"])
    grads = net.gradient(a["x"], a["t"])
    if not isinstance(grads, dict):
        raise LearnerProblem(f"gradient가 딕셔너리가 아니라 {type(grads).__name__}를 돌려주었습니다. "
                             f"grads = {{}}에 grads['W1'] = ... 처럼 모아 돌려주세요.")
    missing = [k for k in PARAM_KEYS if k not in grads]
    if missing:
        raise LearnerProblem(f"gradient가 돌려준 딕셔너리에 {', '.join(missing)}가 없습니다.")
    return {"loss": loss, **{k: grads[k] for k in PARAM_KEYS}}


def init_convnet_weights(case):
    """The case's weights: the book's shapes, std 0.1 (larger than the book's 0.01, so every
    gradient is far from 0), seeded."""
    p = case.params
    return T.init_convnet_params(p["input_dim"], p["conv_param"], p["hidden_size"], p["output_size"],
                                 weight_init_std=0.1, seed=p["_seed"])


# ---- the references, with the learner's interface, built on cnnlib --------------------------

def _conv_single_ref(x, w, stride=1, pad=0):
    return ref.conv_forward_loops(x[None, None], w[None, None], np.zeros(1), stride, pad)[0, 0]


class _LoopConvolution:
    """Convolution by cnnlib.reference's loops."""

    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        self.x = x
        return ref.conv_forward_loops(x, self.W, self.b, self.stride, self.pad)

    def backward(self, dout):
        dx, self.dW, self.db = ref.conv_backward_loops(self.x, self.W, dout, self.stride, self.pad)
        return dx


class _LoopPooling:
    """Max pooling by cnnlib.reference's loops."""

    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad

    def forward(self, x):
        self.x = x
        return ref.pool_forward_loops(x, self.pool_h, self.pool_w, self.stride, self.pad)

    def backward(self, dout):
        return ref.pool_backward_loops(self.x, dout, self.pool_h, self.pool_w, self.stride, self.pad)


# ---- which inputs to draw next to a wrong output ----------------------------------------------

def _view_single(case, key, index):
    return [("x", case.arrays["x"], case.params["pad"]), ("w", case.arrays["w"], 0)]


def _channels(name, array4, n, pad, limit=3):
    return [(f"{name}[{n}, {c}]", array4[n, c], pad) for c in range(min(array4.shape[1], limit))]


def _view_conv(case, key, index):
    n, f = (index[0], index[1]) if key == "out" and len(index) == 4 else (0, 0)
    if key in ("dW", "db") and index:
        f = index[0]
    elif key == "dx" and index:
        n = index[0]
    a, pad = case.arrays, case.params["pad"]
    w = a["W"] if "W" in a else a["w"]
    wname = "W" if "W" in a else "w"
    views = _channels("x", a["x"], n, pad) + _channels(wname, w, f, 0)
    views.append(("b", a["b"].reshape(1, -1), 0))
    if "dout" in a:
        views.append((f"dout[{n}, {f}]", a["dout"][n, f], 0))
    return views


def _view_pool(case, key, index):
    n, c = (index[0], index[1]) if len(index) == 4 else (0, 0)
    views = [(f"x[{n}, {c}]", case.arrays["x"][n, c], case.params["pad"])]
    if "dout" in case.arrays:
        views.append((f"dout[{n}, {c}]", case.arrays["dout"][n, c], 0))
    return views


def _view_im2col(case, key, index):
    x, p = case.arrays["input_data"], case.params
    N, Cn, H, W = x.shape
    OH = (H + 2 * p["pad"] - p["filter_h"]) // p["stride"] + 1
    OW = (W + 2 * p["pad"] - p["filter_w"]) // p["stride"] + 1
    n = index[0] // (OH * OW) if len(index) == 2 and index[0] < N * OH * OW else 0
    return _channels("input_data", x, n, p["pad"])


def _view_col2im(case, key, index):
    return [("col", case.arrays["col"], 0)]


def _view_none(case, key, index):
    return []


# ---- the exercises ---------------------------------------------------------------------------

_NP = "import numpy as np\n"

_LIST = [
    Exercise(
        name="conv_single", title="7.2 합성곱: 채널 하나 (반복문)",
        signature="my_conv_single(x, w, stride=1, pad=0): x (H, W), w (FH, FW) → (OH, OW)",
        make_cases=C.conv_single_cases, run=_call, reference=_conv_single_ref,
        starter=(T.my_conv_single,), solution=(S.my_conv_single,), imports=_NP,
        hints=("출력 크기는 식 7.1입니다: OH = (H + 2*pad - FH) // stride + 1. OW는 W와 FW로 같은 식입니다.",
               "np.pad(x, pad)는 둘레에 0을 pad칸씩 채웁니다. 출력 칸 (i, j)의 윈도우는 패딩한 배열의 "
               "[i*stride : i*stride + FH, j*stride : j*stride + FW]입니다.",
               "윈도우와 필터를 같은 자리끼리 곱해 모두 더하면 출력 한 칸입니다: np.sum(window * w). 필터는 뒤집지 않습니다."),
        views=_view_single, call="{name}(x, w, stride={stride}, pad={pad})"),
    Exercise(
        name="conv", title="7.2 합성곱 계층의 순전파: 채널, 편향, 필터 여러 개 (반복문)",
        signature="my_conv(x, w, b, stride=1, pad=0): x (N, C, H, W), w (FN, C, FH, FW), b (FN,) → (N, FN, OH, OW)",
        make_cases=C.conv_cases, run=_call, reference=ref.conv_forward_loops,
        starter=(T.my_conv,), solution=(S.my_conv,), imports=_NP,
        hints=("출력의 형상은 (N, FN, OH, OW)입니다. 반복문은 데이터 n, 필터 f, 출력 칸 i, j의 네 겹입니다.",
               "4차원 배열은 H, W 축에만 패딩합니다: np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)]).",
               "윈도우 xp[n, :, y0:y0 + FH, x0:x0 + FW]와 필터 w[f]는 둘 다 (C, FH, FW)입니다: "
               "np.sum(window * w[f]) + b[f]로 채널까지 모두 더하고, 편향은 한 번 더합니다."),
        views=_view_conv, call="{name}(x, w, b, stride={stride}, pad={pad})"),
    Exercise(
        name="pool", title="7.3 풀링 계층의 순전파: 최대 풀링과 평균 풀링 (반복문)",
        signature="my_pool(x, pool_h, pool_w, stride=1, pad=0, method='max'): x (N, C, H, W) → (N, C, OH, OW)",
        make_cases=C.pool_cases, run=_call, reference=ref.pool_forward_loops,
        starter=(T.my_pool,), solution=(S.my_pool,), imports=_NP,
        hints=("풀링은 채널마다 따로 합니다: 출력은 (N, C, OH, OW)이고, 크기는 합성곱과 같은 식(FH, FW 대신 pool_h, pool_w)입니다.",
               "윈도우는 xp[n, c, i*stride : i*stride + pool_h, j*stride : j*stride + pool_w]입니다. 패딩 칸은 0입니다.",
               "method == 'max'이면 window.max(), 'average'이면 window.mean()입니다(패딩 칸도 윈도우의 칸으로 셉니다)."),
        views=_view_pool,
        call="{name}(x, pool_h={pool_h}, pool_w={pool_w}, stride={stride}, pad={pad}, method={method!r})"),
    Exercise(
        name="im2col", title="7.4 im2col (반복문)",
        signature="my_im2col(input_data, filter_h, filter_w, stride=1, pad=0): (N, C, H, W) → (N*OH*OW, C*FH*FW)",
        make_cases=C.im2col_cases, run=_call, reference=ref.im2col_loops,
        starter=(T.my_im2col,), solution=(S.my_im2col,), imports=_NP,
        hints=("출력의 형상은 (N*OH*OW, C*filter_h*filter_w)입니다. np.zeros로 만들고 행을 하나씩 채웁니다.",
               "행의 순서는 for n → for i → for j입니다(행 번호 = (n*OH + i)*OW + j). 행 하나가 윈도우 "
               "img[n, :, y0:y0 + filter_h, x0:x0 + filter_w] 하나입니다.",
               "그 윈도우 (C, FH, FW)를 reshape(-1)하면 책의 열 순서 (C, FH, FW)가 됩니다. 패딩은 H, W 축에만 넣습니다."),
        views=_view_im2col, call="{name}(input_data, {filter_h}, {filter_w}, stride={stride}, pad={pad})"),
    Exercise(
        name="col2im", title="7.4 col2im (반복문)",
        signature="my_col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0): (N*OH*OW, C*FH*FW) → (N, C, H, W)",
        make_cases=C.col2im_cases, run=_call, reference=ref.col2im_loops,
        starter=(T.my_col2im,), solution=(S.my_col2im,), imports=_NP,
        hints=("먼저 패딩을 포함한 0 배열 (N, C, H + 2*pad, W + 2*pad)를 만들고, im2col과 같은 순서(n → i → j)로 col의 행을 읽습니다.",
               "행 하나를 reshape(C, filter_h, filter_w)해 그 윈도우 자리에 더합니다(+=): 겹치는 칸에는 여러 윈도우의 값이 모입니다.",
               "마지막에 패딩을 떼어 냅니다: img[:, :, pad:pad + H, pad:pad + W]."),
        views=_view_col2im,
        call="{name}(col, {input_shape}, {filter_h}, {filter_w}, stride={stride}, pad={pad})"),
    Exercise(
        name="conv_forward", title="7.4 합성곱 계층: im2col로 구현한 forward",
        signature="MyConvolution(W, b, stride=1, pad=0).forward(x): x (N, C, H, W) → (N, FN, OH, OW)",
        make_cases=partial(C.conv_cases, n=30, seed=7041, weight_name="W"), run=_conv_forward,
        reference=_LoopConvolution, starter=(T.MyConvolution,), solution=(S.MyConvolution.forward,),
        imports=_NP + "from cnnlib.im2col import im2col\n",
        hints=("col = im2col(x, FH, FW, self.stride, self.pad)는 (N*OH*OW, C*FH*FW)입니다. 필터는 "
               "self.W.reshape(FN, -1).T로 펼쳐 (C*FH*FW, FN)을 만듭니다.",
               "out = col @ col_W + self.b는 (N*OH*OW, FN)입니다. 행은 (n, i, j) 순서, 열 하나가 필터 하나입니다.",
               "out.reshape(N, OH, OW, FN).transpose(0, 3, 1, 2)로 (N, FN, OH, OW)를 만듭니다. backward를 위해 "
               "self.x, self.col, self.col_W도 저장하세요."),
        views=_view_conv, call="{name}(W, b, stride={stride}, pad={pad}).forward(x)"),
    Exercise(
        name="conv_backward", title="7.4 합성곱 계층의 backward",
        signature="MyConvolutionBackward(W, b, stride=1, pad=0).backward(dout): "
                  "dout (N, FN, OH, OW) → dx (N, C, H, W); "
                  "self.dW (FN, C, FH, FW), self.db (FN,)",
        make_cases=C.conv_backward_cases, run=_conv_backward, reference=_LoopConvolution,
        starter=(T.MyConvolutionBackward,), solution=(S.MyConvolutionBackward.backward,),
        imports=_NP + "from cnnlib.im2col import col2im\nfrom cnnlib.layers import Convolution\n",
        hints=("순전파가 out = col @ col_W + b이므로 역전파는 Affine 계층과 같습니다. dcol = dout @ col_W.T, "
               "dcol_W = col.T @ dout이고, db는 dout의 합입니다. 먼저 dout을 (N*OH*OW, FN)으로 바꿉니다.",
               "dout.transpose(0, 2, 3, 1).reshape(-1, FN)은 im2col의 행 순서 (n, i, j)를 따릅니다. "
               "그다음 db = np.sum(dout, axis=0).",
               "self.dW = (self.col.T @ dout).T.reshape(FN, C, FH, FW), "
               "dx = col2im(dout @ self.col_W.T, self.x.shape, FH, FW, self.stride, self.pad)."),
        views=_view_conv, labels={"out": "출력", "dx": "dx", "dW": "dW", "db": "db"}, attributes=("dW", "db"),
        todo_keys=("dx", "dW", "db"),
        call="layer = {name}(W, b, stride={stride}, pad={pad})\nlayer.forward(x)\ndx = layer.backward(dout)"),
    Exercise(
        name="pool_backward", title="7.4 최대 풀링 계층의 backward",
        signature="MyPooling(pool_h, pool_w, stride=1, pad=0).backward(dout): dout (N, C, OH, OW) → dx (N, C, H, W)",
        make_cases=C.pool_backward_cases, run=_pool_backward, reference=_LoopPooling,
        starter=(T.MyPooling,), solution=(S.MyPooling.backward,),
        imports=_NP + "from cnnlib.im2col import im2col, col2im\n",
        hints=("최대 풀링의 역전파는 ReLU와 비슷합니다. 윈도우마다 최댓값이었던 칸만 dout을 받고 나머지는 0입니다. "
               "그 자리는 순전파가 self.arg_max에 저장해 두었습니다.",
               "self.arg_max는 im2col 행을 pool_h*pool_w개씩 자른 행(순서 n, i, j, c)마다 최댓값의 위치입니다. "
               "dout도 transpose(0, 2, 3, 1)로 같은 순서로 만드세요.",
               "dmax = np.zeros((dout.size, pool_h*pool_w))에 "
               "dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] "
               "= dout.flatten()으로 넣고, (N*OH*OW, C*pool_h*pool_w)로 reshape해 col2im으로 돌려보냅니다(겹치는 칸은 더해집니다)."),
        views=_view_pool, labels={"out": "출력", "dx": "dx"}, todo_keys=("dx",),
        call="layer = {name}({pool_h}, {pool_w}, stride={stride}, pad={pad})\n"
             "layer.forward(x)\ndx = layer.backward(dout)"),
    Exercise(
        name="convnet", title="7.5 SimpleConvNet: 계층 조립과 gradient",
        signature="MyConvNet(input_dim, conv_param, hidden_size, output_size): self.layers, self.last_layer, "
                  "gradient(x, t) → {W1, b1, W2, b2, W3, b3}; MySoftmaxWithLoss.forward/backward",
        make_cases=C.convnet_cases, run=_convnet, reference=partial(SimpleConvNet, dtype=np.float64),
        starter=(T.MySoftmaxWithLoss, T.MyConvNet), imports=(
            "from collections import OrderedDict\nimport numpy as np\nfrom cnnlib.functions import softmax\n"
            "from cnnlib.layers import Convolution, Relu, Pooling, Affine\n"
            "from cnnlib.tutor import init_convnet_params\n"),
        solution=(S.MySoftmaxWithLoss.forward, S.MySoftmaxWithLoss.backward,
                  S.MyConvNet.__init__, S.MyConvNet.gradient),
        hints=("MySoftmaxWithLoss: 손실은 정답 레이블의 확률에 -log를 취한 값의 배치 평균, 기울기는 (y - t) / batch_size입니다"
               "(t는 정답 자리만 1인 원-핫으로 생각합니다).",
               "계층은 OrderedDict에 순서대로 넣습니다: Conv1 = Convolution(self.params['W1'], self.params['b1'], stride, pad), "
               "Relu1, Pool1 = Pooling(2, 2, stride=2), Affine1 (W2, b2), Relu2, Affine2 (W3, b3). "
               "params의 배열은 복사하지 말고 그대로 넘기세요.",
               "gradient: self.loss(x, t)로 순전파 → dout = self.last_layer.backward(1) → "
               "reversed(list(self.layers.values()))로 거꾸로 backward → 계층마다 dW, db를 grads['W1'] ... grads['b3']에 모읍니다."),
        views=_view_none,
        labels={"loss": "손실", **{k: f"grads['{k}']" for k in PARAM_KEYS}},
        todo_keys=("loss",) + PARAM_KEYS, rtol=1e-5, show_grids=False),
]

EXERCISES = {ex.name: ex for ex in _LIST}


def get_exercise(name) -> Exercise:
    """The exercise called ``name``, or a ValueError listing the names."""
    if name not in EXERCISES:
        raise ValueError(f"연습 문제 {name!r}가 없습니다. 이름은 다음 중 하나입니다: {', '.join(EXERCISES)}")
    return EXERCISES[name]
