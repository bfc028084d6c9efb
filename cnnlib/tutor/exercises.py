"""The exercises: how each one calls the learner's code, what it is compared with (the plain-loop
values of :mod:`.references`), the hints, the starter and the model solution.

An exercise's ``run(impl, a, p)`` calls a function or builds a class the way the notebook does,
on the case's arrays ``a`` (copies) and parameters ``p``, and returns the values to compare, e.g.
``{"out": ...}`` or ``{"out", "dx", "dW", "db"}``. The same ``run`` calls the learner's code and
every catalogued mistake, so both are compared on equal terms.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..shapes import shape_text
from . import cases as C
from . import mutants_conv, mutants_im2col, mutants_layers, mutants_pool  # noqa: F401  (register the mistakes)
from . import solutions as S
from . import starters as T
from .references import EXPECT, init_convnet_weights
from .runner import LearnerProblem

__all__ = ["Exercise", "EXERCISES", "get_exercise", "PARAM_KEYS", "load_convnet", "new_convnet", "convnet_gradient",
           "library_owner", "class_problem"]


@dataclass(frozen=True)
class Exercise:
    name: str
    title: str            # Korean, shown in every result
    signature: str        # what the learner writes, with shapes
    make_cases: Callable  # () -> [Case]
    run: Callable         # (impl, arrays, params) -> {key: value}
    starter: tuple        # functions/classes whose source is the starter code
    solution: tuple       # functions/classes/methods whose source is the model solution
    imports: str          # import lines the starter code needs
    hints: tuple          # Korean: the idea, the shapes, one line of pseudo-code (revealed one at a time)
    views: Callable = None  # (case, key, index) -> [(title, 2-D array, pad)] inputs to draw
    call: str = ""        # how to rerun a case by hand (positional, as run calls it); {name}: the learner's
    methods: tuple = ()   # a class exercise: the methods the learner's class must define itself
    labels: dict = field(default_factory=lambda: {"out": "출력"})
    attributes: tuple = ()  # keys the learner sets as self.<key> instead of returning them
    todo_keys: tuple = ("out",)
    rtol: float = 1e-6
    show_grids: bool = True  # False: differences in words only (float gradients do not read well as grids)

    def expect(self, case) -> dict:
        """The values a correct solution returns on ``case`` (plain loops, no class)."""
        return EXPECT[self.name](case)


# ---- how each exercise calls the code -------------------------------------------------------

def _call(impl, a, p):
    """A function exercise: positional arguments in the case's order."""
    return {"out": impl(*a.values(), *p.values())}


def _conv_forward(impl, a, p):
    return {"out": impl(a["W"], a["b"], p["stride"], p["pad"]).forward(a["x"])}


def _conv_backward(impl, a, p):
    layer = impl(a["W"], a["b"], p["stride"], p["pad"])
    out = layer.forward(a["x"])
    dx = layer.backward(a["dout"])
    return {"out": out, "dx": dx, "dW": getattr(layer, "dW", None), "db": getattr(layer, "db", None)}


def _pool_backward(impl, a, p):
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


def library_owner(cls, method):
    """The class of cnnlib's own code (outside the tutor) from which ``cls`` takes ``method``; ``object``
    when no class defines it; None when the learner's (or the tutor's) code does."""
    for klass in cls.__mro__:
        if method in vars(klass):
            if klass is object:
                return object
            module = klass.__module__ or ""
            return klass if module.startswith("cnnlib.") and not module.startswith("cnnlib.tutor.") else None
    return object


def class_problem(ex, learner) -> str:
    """Why the learner's class does not do what the exercise asks ('' when it does): every method
    of ``ex.methods`` must come from the learner's code, not from cnnlib's own class."""
    cls = learner.func if isinstance(learner, functools.partial) else learner
    if not ex.methods or not isinstance(cls, type):
        return ""
    for method in ex.methods:
        owner = library_owner(cls, method)
        if owner is object:
            return f"{cls.__name__} 클래스에 {method} 메서드가 없습니다. def {method}(self, ...):를 클래스 안에 쓰세요."
        if owner is cls:
            return (f"cnnlib의 {cls.__name__} 클래스를 그대로 넘겼습니다. 여러분이 만든 클래스"
                    f"({ex.starter[-1].__name__})를 넘기세요.")
        if owner is not None:
            return (f"{cls.__name__} 클래스에 {method} 메서드가 없어 cnnlib의 {owner.__name__}.{method}가 대신 "
                    f"쓰였습니다. def {method}(...)가 클래스 안에 들여 쓰여 있는지 보세요.")
    return ""


def new_convnet(impl, p):
    """A fresh network of the case's sizes with the case's weights, built by the learner's class."""
    net = impl(input_dim=p["input_dim"], conv_param=dict(p["conv_param"]), hidden_size=p["hidden_size"],
               output_size=p["output_size"])
    load_convnet(net, init_convnet_weights(p))
    last = getattr(net, "last_layer", None)
    owner = library_owner(type(last), "forward") if last is not None else None
    if owner not in (None, object):
        raise LearnerProblem(f"self.last_layer가 cnnlib의 {owner.__name__}입니다. 이 연습에서는 직접 만든 "
                             f"MySoftmaxWithLoss()를 쓰세요.")
    return net


def convnet_gradient(impl, p, x, t):
    """(net, grads) of ``net.gradient(x, t)`` on a fresh network: gradient must run the forward pass
    itself (the book's gradient starts with ``self.loss(x, t)``)."""
    net = new_convnet(impl, p)
    try:
        return net, net.gradient(x, t)
    except Exception as first:
        try:
            other = new_convnet(impl, p)
            other.loss(x.copy(), t.copy())
            other.gradient(x.copy(), t.copy())
        except Exception:
            raise first from None
        raise LearnerProblem(f"gradient 안에서 순전파를 하지 않았습니다. 새 네트워크에서 gradient(x, t)만 부르면 "
                             f"{type(first).__name__}가 나고, loss(x, t)를 먼저 부르면 나지 않습니다. gradient의 "
                             f"첫 줄에서 self.loss(x, t)를 부르세요.") from None


def _convnet(impl, a, p):
    net, grads = convnet_gradient(impl, p, a["x"], a["t"])
    if not isinstance(grads, dict):
        raise LearnerProblem(f"gradient가 딕셔너리가 아니라 {type(grads).__name__}를 돌려주었습니다. "
                             f"grads = {{}}에 grads['W1'] = ... 처럼 모아 돌려주세요.")
    missing = [k for k in PARAM_KEYS if k not in grads]
    if missing:
        raise LearnerProblem(f"gradient가 돌려준 딕셔너리에 {', '.join(missing)}가 없습니다.")
    return {"loss": net.loss(a["x"], a["t"]), **{k: grads[k] for k in PARAM_KEYS}}


# ---- which inputs to draw next to a wrong output ----------------------------------------------

def _view_single(case, key, index):
    return [("x", case.arrays["x"], case.params["pad"]), ("w", case.arrays["w"], 0)]


def _channels(name, array4, n, pad):
    """Every channel of sample ``n``: the cases have at most 3."""
    return [(f"{name}[{n}, {c}]", array4[n, c], pad) for c in range(array4.shape[1])]


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
    n = index[0] if len(index) == 4 else 0
    views = _channels("x", case.arrays["x"], n, case.params["pad"])
    if "dout" in case.arrays:
        views += _channels("dout", case.arrays["dout"], n, 0)
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
# Hints go from the idea to the shapes to one line of pseudo-code; the code itself is only in
# solution(name), which the learner opens on purpose.

_NP = "import numpy as np\n"

_LIST = [
    Exercise(
        name="conv_single", title="7.2 합성곱: 채널 하나 (반복문)",
        signature="my_conv_single(x, w, stride=1, pad=0): x (H, W), w (FH, FW) → (OH, OW)",
        make_cases=C.conv_single_cases, run=_call,
        starter=(T.my_conv_single,), solution=(S.my_conv_single,), imports=_NP,
        hints=("필터를 입력 위에서 stride칸씩 옮기며, 필터가 덮은 윈도우와 필터를 같은 자리끼리 곱해 모두 더하면 출력 "
               "한 칸입니다. 패딩은 입력 둘레에 0을 pad칸씩 두르는 것이고, 필터는 뒤집지 않습니다.",
               "출력은 (OH, OW)이고 OH = (H + 2*pad - FH) // stride + 1입니다(식 7.1, OW는 W와 FW로 같은 식). "
               "패딩한 입력은 (H + 2*pad, W + 2*pad)이고, 윈도우는 그 안의 (FH, FW) 조각입니다.",
               "출력 칸 (i, j)마다: 출력[i, j] = 합(패딩한 입력의 (i*stride, j*stride)에서 시작하는 FH×FW 윈도우 × 필터)"),
        views=_view_single, call="{name}(x, w, {stride}, {pad})"),
    Exercise(
        name="conv", title="7.2 합성곱 계층의 순전파: 채널, 편향, 필터 여러 개 (반복문)",
        signature="my_conv(x, w, b, stride=1, pad=0): x (N, C, H, W), w (FN, C, FH, FW), b (FN,) → (N, FN, OH, OW)",
        make_cases=C.conv_cases, run=_call,
        starter=(T.my_conv,), solution=(S.my_conv,), imports=_NP,
        hints=("데이터 n과 필터 f마다 출력 특징 맵이 하나씩 생깁니다. 출력 한 칸은 모든 채널에 걸친 윈도우 × 필터 f의 "
               "합에 편향 b[f]를 한 번 더한 값입니다.",
               "x (N, C, H, W), w (FN, C, FH, FW) → 출력 (N, FN, OH, OW). 패딩은 H, W 축에만 넣습니다. 윈도우와 "
               "필터 w[f]는 둘 다 (C, FH, FW)입니다.",
               "n, f, i, j마다: 출력[n, f, i, j] = 합(패딩한 x[n]의 (i*stride, j*stride)에서 시작하는 (C, FH, FW) "
               "윈도우 × w[f]) + b[f]"),
        views=_view_conv, call="{name}(x, w, b, {stride}, {pad})"),
    Exercise(
        name="pool", title="7.3 풀링 계층의 순전파: 최대 풀링과 평균 풀링 (반복문)",
        signature="my_pool(x, pool_h, pool_w, stride=1, pad=0, method='max'): x (N, C, H, W) → (N, C, OH, OW)",
        make_cases=C.pool_cases, run=_call,
        starter=(T.my_pool,), solution=(S.my_pool,), imports=_NP,
        hints=("풀링은 채널마다 따로, 윈도우 하나를 값 하나로 줄입니다: 최대 풀링은 최댓값, 평균 풀링은 평균입니다. "
               "가중치는 없습니다.",
               "x (N, C, H, W) → 출력 (N, C, OH, OW). 크기는 합성곱과 같은 식이고 FH, FW 대신 pool_h, pool_w입니다. "
               "패딩 칸은 0이고, 윈도우의 칸으로 셉니다.",
               "n, c, i, j마다: 출력[n, c, i, j] = 패딩한 x[n, c]의 (i*stride, j*stride)에서 시작하는 "
               "pool_h×pool_w 윈도우의 최댓값(max) 또는 평균(average)"),
        views=_view_pool, call="{name}(x, {pool_h}, {pool_w}, {stride}, {pad}, {method!r})"),
    Exercise(
        name="im2col", title="7.4 im2col (반복문)",
        signature="my_im2col(input_data, filter_h, filter_w, stride=1, pad=0): (N, C, H, W) → (N*OH*OW, C*FH*FW)",
        make_cases=C.im2col_cases, run=_call,
        starter=(T.my_im2col,), solution=(S.my_im2col,), imports=_NP,
        hints=("합성곱의 윈도우 하나를 행 하나로 펼쳐 차례로 쌓습니다. 그러면 합성곱 전체가 행렬 곱 한 번이 됩니다.",
               "col은 (N*OH*OW, C*filter_h*filter_w)입니다. 행 순서는 데이터 n → 출력 행 i → 출력 열 j, 한 행 안의 "
               "순서는 채널 → 필터 행 → 필터 열입니다(책과 같음).",
               "행 (n*OH + i)*OW + j에: col[행] = 패딩한 입력[n]의 (i*stride, j*stride)에서 시작하는 "
               "(C, filter_h, filter_w) 윈도우를 한 줄로 펼친 것"),
        views=_view_im2col, call="{name}(input_data, {filter_h}, {filter_w}, {stride}, {pad})"),
    Exercise(
        name="col2im", title="7.4 col2im (반복문)",
        signature="my_col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0): (N*OH*OW, C*FH*FW) → (N, C, H, W)",
        make_cases=C.col2im_cases, run=_call,
        starter=(T.my_col2im,), solution=(S.my_col2im,), imports=_NP,
        hints=("im2col의 반대 방향입니다. col의 값을 im2col이 그 값을 가져온 입력 칸으로 돌려보내고, 여러 윈도우에 든 "
               "칸에는 값을 모두 더합니다(역전파에서 기울기를 모으는 것과 같습니다).",
               "col (N*OH*OW, C*filter_h*filter_w) → (N, C, H, W). 패딩을 포함한 (N, C, H + 2*pad, W + 2*pad) "
               "배열에 모은 뒤 마지막에 패딩을 떼어 냅니다. col의 한 행은 (C, filter_h, filter_w) 윈도우 하나입니다.",
               "행 (n, i, j)마다: 패딩한 배열[n]의 (i*stride, j*stride)에서 시작하는 윈도우 += col[행]을 "
               "(C, filter_h, filter_w)로 되돌린 것"),
        views=_view_col2im, call="{name}(col, {input_shape}, {filter_h}, {filter_w}, {stride}, {pad})"),
    Exercise(
        name="conv_forward", title="7.4 합성곱 계층: im2col로 구현한 forward",
        signature="MyConvolution(W, b, stride=1, pad=0).forward(x): x (N, C, H, W) → (N, FN, OH, OW)",
        make_cases=lambda: C.conv_cases(n=30, seed=7041, weight_name="W"), run=_conv_forward,
        starter=(T.MyConvolution,), solution=(S.MyConvolution.forward,), methods=("forward",),
        imports=_NP + "from cnnlib.im2col import im2col\n",
        hints=("im2col로 윈도우를 행으로, 필터를 열로 펼치면 합성곱 전체가 행렬 곱 한 번과 편향 덧셈입니다. 마지막에 "
               "결과를 (N, FN, OH, OW)로 되돌립니다.",
               "col (N*OH*OW, C*FH*FW) × 필터 행렬 (C*FH*FW, FN) → (N*OH*OW, FN). 행 순서가 (n, i, j)이므로 먼저 "
               "(N, OH, OW, FN)으로 나눈 뒤 축을 옮겨 (N, FN, OH, OW)로 만듭니다.",
               "출력 = im2col한 x × (필터마다 한 줄로 펼친 W의 전치) + b → (N, OH, OW, FN)으로 나누기 → 축을 "
               "(N, FN, OH, OW) 순서로; backward를 위해 x, col, col_W 저장"),
        views=_view_conv, call="{name}(W, b, {stride}, {pad}).forward(x)"),
    Exercise(
        name="conv_backward", title="7.4 합성곱 계층의 backward",
        signature="MyConvolutionBackward(W, b, stride=1, pad=0).backward(dout): "
                  "dout (N, FN, OH, OW) → dx (N, C, H, W); "
                  "self.dW (FN, C, FH, FW), self.db (FN,)",
        make_cases=C.conv_backward_cases, run=_conv_backward,
        starter=(T.MyConvolutionBackward,), solution=(S.MyConvolutionBackward.backward,), methods=("backward",),
        imports=_NP + "from cnnlib.im2col import col2im\nfrom cnnlib.layers import Convolution\n",
        hints=("순전파가 행렬 곱 하나와 편향 덧셈이므로, 역전파는 Affine 계층과 같은 모양입니다. 다만 dout을 먼저 "
               "행렬 곱의 결과와 같은 모양으로 펼치고, 입력 쪽 기울기는 col2im으로 입력 모양에 되돌립니다.",
               "dout (N, FN, OH, OW) → 축을 옮겨 (N, OH, OW, FN) → (N*OH*OW, FN): 이것이 im2col의 행 순서 (n, i, j)"
               "입니다. dcol은 col과 같은 (N*OH*OW, C*FH*FW), dW는 (FN, C, FH, FW), db는 (FN,)입니다.",
               "db = 펼친 dout의 열마다 합; dW = (col의 전치 × 펼친 dout)의 전치를 W 모양으로; dx = col2im(펼친 dout × "
               "col_W의 전치, x의 형상, FH, FW, stride, pad)"),
        views=_view_conv, labels={"out": "출력", "dx": "dx", "dW": "dW", "db": "db"}, attributes=("dW", "db"),
        todo_keys=("dx", "dW", "db"),
        call="layer = {name}(W, b, {stride}, {pad})\nlayer.forward(x)\ndx = layer.backward(dout)"),
    Exercise(
        name="pool_backward", title="7.4 최대 풀링 계층의 backward",
        signature="MyPooling(pool_h, pool_w, stride=1, pad=0).backward(dout): dout (N, C, OH, OW) → dx (N, C, H, W)",
        make_cases=C.pool_backward_cases, run=_pool_backward,
        starter=(T.MyPooling,), solution=(S.MyPooling.backward,), methods=("backward",),
        imports=_NP + "from cnnlib.im2col import im2col, col2im\n",
        hints=("최대 풀링의 출력은 윈도우에서 고른 칸 하나의 값이므로, 기울기도 순전파가 고른 그 한 칸으로만 갑니다. "
               "같은 최댓값이 여럿이어도 순전파의 np.argmax가 고른 첫 번째 칸 하나뿐입니다.",
               "순전파의 self.arg_max는 윈도우(한 채널의 pool_h*pool_w칸)마다 고른 칸의 번호이고, 윈도우 순서는 "
               "(n, i, j, c)입니다. dout (N, C, OH, OW)도 축을 옮겨 (N, OH, OW, C) 순서로 맞추면 윈도우와 하나씩 짝이 "
               "맞습니다.",
               "dmax = 0으로 채운 (윈도우 수, pool_h*pool_w); 윈도우 k마다 dmax[k, arg_max[k]] = 맞춘 dout의 k번째 값; "
               "dx = col2im(dmax를 (N*OH*OW, C*pool_h*pool_w)로, x의 형상, pool_h, pool_w, stride, pad)"),
        views=_view_pool, labels={"out": "출력", "dx": "dx"}, todo_keys=("dx",),
        call="layer = {name}({pool_h}, {pool_w}, {stride}, {pad})\nlayer.forward(x)\ndx = layer.backward(dout)"),
    Exercise(
        name="convnet", title="7.5 SimpleConvNet: 계층 조립과 gradient",
        signature="MyConvNet(input_dim, conv_param, hidden_size, output_size): self.layers, self.last_layer, "
                  "gradient(x, t) → {W1, b1, W2, b2, W3, b3}; MySoftmaxWithLoss.forward/backward",
        make_cases=C.convnet_cases, run=_convnet, methods=("__init__", "gradient"),
        starter=(T.MySoftmaxWithLoss, T.MyConvNet), imports=(
            "from collections import OrderedDict\nimport numpy as np\nfrom cnnlib.functions import softmax\n"
            "from cnnlib.layers import Convolution, Relu, Pooling, Affine\n"
            "from cnnlib.tutor import init_convnet_params\n"),
        solution=(S.MySoftmaxWithLoss.forward, S.MySoftmaxWithLoss.backward,
                  S.MyConvNet.__init__, S.MyConvNet.gradient),
        hints=("MySoftmaxWithLoss의 손실은 정답 레이블의 확률에 -log를 취한 값의 배치 평균이고, 점수에 대한 기울기는 "
               "(소프트맥스 출력 - 원-핫 정답) / 배치 크기입니다. MyConvNet은 책의 SimpleConvNet처럼 계층을 차례로 "
               "쌓고, gradient는 순전파를 한 뒤 마지막 계층부터 거꾸로 backward를 부릅니다.",
               "계층 순서: Conv1 (W1, b1) → Relu1 → Pool1 (2×2, 스트라이드 2) → Affine1 (W2, b2) → Relu2 → "
               "Affine2 (W3, b3), 그 뒤가 last_layer입니다. 계층에는 self.params의 배열을 복사하지 말고 그대로 넘깁니다. "
               "ReLU 계층은 저마다 따로 만듭니다. grads의 키와 형상은 params와 같습니다.",
               "gradient: 순전파(self.loss) → last_layer.backward(1)로 시작 → 계층을 거꾸로 돌며 backward → "
               "grads에 Conv1의 dW, db는 W1, b1로, Affine1의 것은 W2, b2로, Affine2의 것은 W3, b3로"),
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
