"""The feature-map explorer (7.6): pick a test digit and a filter, see what the first layers make of it.

For the chosen MNIST test image and filter of the shipped, trained SimpleConvNet (or of the same
network *before training*), it shows

* a summary line: the image's number, its true label, the predicted digit with its probability,
  the filter and which weights;
* side by side, at one pixel scale: the input digit (28×28, white on black as everywhere else in the
  notebooks); the filter (5×5, with its numbers) and its bias; the feature map after the convolution (24×24, bias included), after ReLU (24×24)
  and after 2×2 max pooling (12×12), each with its minimum and maximum — the three maps shaded on
  one diverging scale (blue negative, white 0, red positive), so ReLU visibly turns blue to white;
* the network's prediction: softmax probabilities of the ten digits as bars, the true label and
  the predicted digit marked.

Every number comes from the network itself: ``layers['Conv1'].forward``, ``layers['Relu1']`` and
``layers['Pool1']`` on the one image, and ``softmax(network.predict(x))`` — nothing is
re-implemented here. The initial network is the shipped recipe's network as
:func:`cnnlib.train.build_network` makes it (same seed), i.e. exactly the weights the shipped
training run started from.

    >>> ex = FeatureMapExplorer()                 # shipped network, MNIST test set (loaded once)
    >>> ex.view(FeatureMapSettings(index=0)).label
    7
    >>> ex                                         # in a notebook: the widget

Smaller data or another network can be injected (``images``, ``labels``, ``network``,
``initial_network``); the control ranges follow their sizes. Images or weights that are not finite numbers
(NaN, inf) are refused with the name of what holds them; a network that becomes so later (trained
further until it diverged) is said to be so instead of drawn.

The "다음 틀린 숫자" button moves to the next test image (after the one shown) that the network
misclassifies.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from ..evaluate import layer_outputs
from ..functions import softmax
from ..htmlkit.grid import grid_html
from ..htmlkit.layout import notice, panel, stage
from ..htmlkit.style import HEAT_STEPS, attrs, heat_colors
from .base import Explorer
from .controls import Control

__all__ = ["FeatureMapSettings", "FeatureMapView", "FeatureMapExplorer", "WEIGHTS", "RECIPE",
           "default_network", "default_initial_network", "default_test_set"]

RECIPE = "simple_convnet"
WEIGHTS = (("학습 후", "trained"), ("학습 전", "initial"))
_WEIGHT_LABEL = dict((v, k) for k, v in WEIGHTS)
LAYERS = ("Conv1", "Relu1", "Pool1")   # the first three layers, in this order
CELL_PX = 4        # one pixel of a map, on screen: the five maps fit one row of the notebook at 1280 px
# Shading in 1/HEAT_STEPS (5 %) steps: coarse enough that float32 noise of another BLAS does not change a
# colour (nbval compares the static view byte for byte).
BAR_PX = 200       # width of a 100 % probability bar


# ---- default data, loaded on first use and once per kernel -------------------------------------------

@functools.cache
def default_network():
    """The shipped, trained SimpleConvNet (``load_trained('simple_convnet')``)."""
    from ..train import load_trained

    return load_trained(RECIPE)


@functools.cache
def default_initial_network():
    """The same recipe's network before training: ``build_network(RECIPES['simple_convnet'])`` with
    the recipe's seed, as :func:`cnnlib.train.train` builds it — the shipped run's initial weights."""
    from ..train import RECIPES, build_network

    return build_network(RECIPES[RECIPE])


@functools.cache
def default_test_set():
    """MNIST test images (10000, 1, 28, 28) float32 in [0, 1] and labels (10000,)."""
    from ..mnist import load_mnist

    _, (x_test, t_test) = load_mnist(normalize=True, flatten=False)
    return x_test, t_test


# ---- settings and view ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeatureMapSettings:
    """The explorer's controls: test image ``index``, ``filter`` number, ``weights`` ('trained' or
    'initial')."""

    index: int = 0
    filter: int = 0
    weights: str = "trained"


@dataclass(frozen=True)
class FeatureMapView:
    """HTML parts and the numbers behind them (read-only arrays)."""

    summary: str
    maps: str
    probs: str
    image: np.ndarray          # (H, W) the input digit
    kernel: np.ndarray         # (FH, FW) the filter, W1[filter, 0]
    bias: float                # b1[filter]
    conv: np.ndarray           # (OH, OW) Conv1's output for this filter (bias included)
    relu: np.ndarray           # (OH, OW) Relu1's output
    pooled: np.ndarray         # (OH/2, OW/2) Pool1's output
    probabilities: np.ndarray  # (classes,) softmax(network.predict(x))
    label: int                 # the true label
    prediction: int            # argmax of the probabilities
    scale: float               # max |conv|: the shading's ±1 of the three maps
    window_count: int = 0


def _frozen(a) -> np.ndarray:
    """A read-only copy (the view's arrays never change with the network or the data)."""
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


def _fixed(v: float, decimals: int = 2) -> str:
    """Fixed decimals, never '-0.00'."""
    text = f"{float(v):.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _decimals(values) -> int:
    """Decimals that show the largest |value| with two significant digits (at least 2): untrained
    filters of ±0.01 are readable as 0.012, not 0.01."""
    top = float(np.abs(values).max()) if np.size(values) else 0.0
    return 2 if top == 0 or top >= 0.1 else min(6, 1 - int(np.floor(np.log10(top))))


def _levels(values: np.ndarray, scale: float) -> np.ndarray:
    """values / scale in [-1, 1], rounded to 1/HEAT_STEPS (0 everywhere when scale is 0)."""
    if scale <= 0:
        return np.zeros(values.shape)
    return np.clip(np.round(np.asarray(values, dtype=np.float64) / scale * HEAT_STEPS) / HEAT_STEPS, -1, 1)


def _swatch(color: str) -> str:
    return (f'<span style="display:inline-block;width:11px;height:11px;background:{color};'
            f'border:1px solid #9ca3af;vertical-align:middle;margin:0 3px 0 8px"></span>')


def _probability_row(d, p, label, prediction, prefix) -> str:
    """One digit's row: the digit, a bar of its probability, the percentage and its tags."""
    is_label, is_pred = d == label, d == prediction
    classes = [f"{prefix}-prob", f"{prefix}-prob-{d}"] + ["is-label"] * is_label + ["is-predicted"] * is_pred
    color = ("#16a34a" if prediction == label else "#dc2626") if is_pred else "#93c5fd"
    tags = (["정답"] if is_label else []) + (["예측"] if is_pred else [])
    tag = f" <b{attrs('p-tag')}>← {' · '.join(tags)}</b>" if tags else ""
    digit = f"<b>{d}</b>" if is_label else str(d)
    bar = f'<span style="display:block;height:11px;width:{round(float(p) * BAR_PX)}px;background:{color}"></span>'
    # spaces between the parts: readable as text too
    return (f"<div{attrs('p-row', *classes)}><span{attrs('p-digit')}>{digit}</span> "
            f"<span{attrs('p-track')}>{bar}</span> <span{attrs('p-value')}>{_fixed(100 * float(p))}%</span>{tag}</div>")


class FeatureMapExplorer(Explorer):
    """Feature maps of one test digit and one filter of SimpleConvNet; see the module docstring."""

    Settings = FeatureMapSettings
    PARTS = ("summary", "maps", "probs")
    LAYOUT = (("summary",), ("maps", "probs"))
    css_prefix = "cnnlib-featuremap"
    title = "특징 맵 탐색기: 시험 이미지 하나, 필터 하나"

    def __init__(self, network=None, images=None, labels=None, initial_network=None, **settings):
        if (images is None) != (labels is None):
            raise ValueError("give both images and labels, or neither (then the MNIST test set is used).")
        if network is None:
            network = default_network()
            if initial_network is None:
                initial_network = default_initial_network()
        elif initial_network is None and _same_architecture(network, default_initial_network()):
            initial_network = default_initial_network()
        if images is None:
            images, labels = default_test_set()
        self.networks = {"trained": network}
        if initial_network is not None:
            self.networks["initial"] = initial_network
        for name, net in self.networks.items():
            _check_network(name, net)
        self.images = _as_images(images, network)
        _check_finite(self.images, "images", "image")
        self.labels = _as_labels(labels, len(self.images))
        conv = network.layers["Conv1"]
        self.filter_count = int(conv.W.shape[0])
        if "initial" in self.networks and self.networks["initial"].layers["Conv1"].W.shape != conv.W.shape:
            raise ValueError(f"the initial network's Conv1 weights have shape "
                             f"{self.networks['initial'].layers['Conv1'].W.shape}, the trained one's {conv.W.shape}.")
        options = tuple(o for o in WEIGHTS if o[1] in self.networks)
        # Ranges follow the data: an instance attribute, read by the base class's checks and widgets.
        self.CONTROLS = (
            Control("index", "이미지 번호", 0, len(self.images) - 1, row="bar", hint="test image"),
            Control("filter", "필터 번호", 0, self.filter_count - 1, row="bar", hint="filter"),
            Control("weights", "가중치", row="bar", options=options, hint="weights"),
        )
        super().__init__(**settings)
        self.next_wrong_button = None

    def view_window_count(self, settings) -> int:
        return 0

    def _controls(self):
        """The controls, and in the bar a button to the next misclassified test image."""
        controls, bar = super()._controls()
        self.next_wrong_button = widgets.Button(description="다음 틀린 숫자 ▸", tooltip="next misclassified image",
                                                layout=self.looks.layout(width="auto", margin="1px 8px 1px 0"),
                                                style=self.looks.style(widgets.Button))
        self.next_wrong_button.add_class(f"{self.css_prefix}-next-wrong")
        self.next_wrong_button.on_click(lambda _b: self.show_next_wrong())
        bar.children = tuple(bar.children) + (self.next_wrong_button,)
        return controls, bar

    def show_next_wrong(self) -> int | None:
        """What the button does: the next misclassified image, or a note beside the image number that
        there is none."""
        self.widget
        found = self.next_wrong()
        if found is None:
            self._clear_notes()
            self.numbers["index"].note.value = "이 가중치로는 틀린 숫자가 없습니다"
        else:
            self._change({"index": found})
        return found

    # ---- the numbers: the network's own layers --------------------------------------------------------

    def forward(self, index: int, weights: str):
        """(conv, relu, pooled, probabilities) of image ``index`` through the ``weights`` network, from
        one pass through its own layers (:func:`cnnlib.evaluate.layer_outputs`): conv/relu (FN, OH, OW)
        and pooled (FN, OH/2, OW/2) for every filter from Conv1, Relu1 and Pool1; probabilities =
        softmax of the last layer's scores. Recomputed on every call (a few milliseconds), so a network
        changed in place (trained further) is shown as it is now."""
        outputs = layer_outputs(self.networks[weights], self.images[index : index + 1])
        scores = list(outputs.values())[-1]
        return outputs["Conv1"][0], outputs["Relu1"][0], outputs["Pool1"][0], softmax(scores)[0]

    def next_wrong(self, settings=None) -> int | None:
        """The next test image after ``settings.index`` (wrapping around) that the network of
        ``settings.weights`` misclassifies, or None when it gets every image right. Predicts in batches
        from there on, so the next one is found in a batch or two."""
        s = settings or self.settings()
        net, count, batch = self.networks[s.weights], len(self.images), 256
        order = np.roll(np.arange(count), -(s.index + 1))
        for start in range(0, count, batch):
            idx = order[start : start + batch]
            wrong = idx[np.argmax(net.predict(self.images[idx]), axis=1) != self.labels[idx]]
            if len(wrong):
                return int(wrong[0])
        return None

    def view(self, settings: FeatureMapSettings | None = None) -> FeatureMapView:
        s = settings or self.settings()
        self.check_settings(s)
        net = self.networks[s.weights]
        conv_all, relu_all, pooled_all, probabilities = self.forward(s.index, s.weights)
        f = s.filter
        conv, relu, pooled = (_frozen(a[f]) for a in (conv_all, relu_all, pooled_all))
        probabilities = _frozen(probabilities)
        kernel = _frozen(net.layers["Conv1"].W[f, 0])
        bias = float(net.layers["Conv1"].b[f])
        image = _frozen(self.images[s.index, 0])
        label = int(self.labels[s.index])
        finite = all(np.isfinite(a).all() for a in (conv, relu, pooled, probabilities, kernel, [bias]))
        prediction = int(np.argmax(probabilities)) if finite else None
        scale = float(np.abs(conv).max()) if finite else float("nan")
        if not finite:   # the network changed in place (trained until it diverged): say so, draw nothing
            return FeatureMapView(
                summary=self._summary_html(s, label, None, probabilities), maps=self._not_finite_html(s), probs="",
                image=image, kernel=kernel, bias=bias, conv=conv, relu=relu, pooled=pooled,
                probabilities=probabilities, label=label, prediction=None, scale=scale)
        return FeatureMapView(
            summary=self._summary_html(s, label, prediction, probabilities),
            maps=self._maps_html(s, image, kernel, bias, conv, relu, pooled, scale),
            probs=self._probs_html(s, label, prediction, probabilities),
            image=image, kernel=kernel, bias=bias, conv=conv, relu=relu, pooled=pooled,
            probabilities=probabilities, label=label, prediction=prediction, scale=scale)

    # ---- parts ------------------------------------------------------------------------------------------

    def _summary_html(self, s, label, prediction, probabilities) -> str:
        if prediction is None:
            predicted = "예측 <b>없음</b>"
        else:
            verdict = "✓ 맞음" if prediction == label else "✗ 틀림"
            predicted = f"예측 <b>{prediction}</b> ({_fixed(100 * probabilities[prediction])}%) {verdict}"
        line = (f"시험 이미지 <b>#{s.index}</b> · 정답 <b>{label}</b> · {predicted} · "
                f"필터 <b>{s.filter}</b> ({self.filter_count}개 중) · 가중치: <b>{_WEIGHT_LABEL[s.weights]}</b>")
        return f"<div{attrs(f'{self.css_prefix}-summary-line', 'x-text')}>{line}</div>"

    def _not_finite_html(self, s) -> str:
        return notice(f"<b>그릴 수 없습니다</b>: '{_WEIGHT_LABEL[s.weights]}' 네트워크의 가중치나 출력에 수가 아닌 값(NaN)이나 "
                      "무한대가 있습니다. 학습을 더 하다가 발산했을 수 있습니다. 저장된 가중치를 다시 불러오세요.",
                      tone="error", css_class=f"{self.css_prefix}-not-finite")

    def _map_block(self, values, *, role, title, heat, palette, show_numbers=False, numbers=None) -> str:
        d = _decimals(values)
        nb = "\u00a0"   # the note breaks only between its two halves
        note = (f"<span{attrs(f'{self.css_prefix}-range')}>최솟값{nb}{_fixed(values.min(), d)} · "
                f"최댓값{nb}{_fixed(values.max(), d)}</span>")
        return grid_html(values if numbers is None else numbers, role=role, title=title, note=note, heat=heat,
                         heat_palette=palette, show_numbers=show_numbers, cell_px=CELL_PX,
                         size="compact" if show_numbers else "normal")

    def _maps_html(self, s, image, kernel, bias, conv, relu, pooled, scale) -> str:
        f = s.filter
        H, W = image.shape
        OH, OW = conv.shape
        PH, PW = pooled.shape
        pool = self.networks[s.weights].layers["Pool1"]
        k_scale = float(np.abs(kernel).max())
        blocks = [
            self._map_block(image, role="input", title=f"입력 x {H}×{W}", palette="gray",   # white digit on black
                            heat=np.clip(np.round(np.asarray(image, float) * HEAT_STEPS) / HEAT_STEPS, 0, 1)),
            "⊛",
            self._map_block(kernel, role="filter", palette="diverging", heat=_levels(kernel, k_scale),
                            show_numbers=True,
                            numbers=np.vectorize(lambda v: _fixed(v, _decimals(kernel)), otypes=[object])(kernel),
                            title=f"필터 W1[{f}] {kernel.shape[0]}×{kernel.shape[1]}<br>"
                                  f"편향 b1[{f}] = {_fixed(bias, _decimals([bias]))}"),
            "→",
            self._map_block(conv, role="conv", palette="diverging", heat=_levels(conv, scale),
                            title=f"합성곱 후 {OH}×{OW}<br>(Conv1, 편향 포함)"),
            "→",
            self._map_block(relu, role="relu", palette="diverging", heat=_levels(relu, scale),
                            title=f"ReLU 후 {OH}×{OW}<br>(Relu1)"),
            "→",
            self._map_block(pooled, role="pool", palette="diverging", heat=_levels(pooled, scale),
                            title=f"풀링 후 {PH}×{PW}<br>(Pool1, {pool.pool_h}×{pool.pool_w} 최대)"),
        ]
        blue, red = heat_colors(-1, "diverging")[0], heat_colors(1, "diverging")[0]
        legend = (f"<div{attrs(f'{self.css_prefix}-legend', 'x-key')}>"
                  f"색:{_swatch(blue)}음수{_swatch('#ffffff')}0{_swatch(red)}양수"
                  f" — 세 특징 맵은 같은 눈금: 가장 진한 색 = ±{_fixed(scale)} "
                  f"(합성곱 결과의 최대 |값|); 필터는 자기 최대 |값| ±{_fixed(k_scale)} 기준. "
                  f"입력은 검은색 0 → 흰색 1.</div>")
        return (f"<div{attrs(f'{self.css_prefix}-map-panels')}>" + legend
                + f"<div{attrs(f'{self.css_prefix}-map-row')}>" + stage(*blocks) + "</div></div>")

    def _probs_html(self, s, label, prediction, probabilities) -> str:
        rows = [_probability_row(d, p, label, prediction, self.css_prefix) for d, p in enumerate(probabilities)]
        head = f"예측 확률 (소프트맥스) — 가중치: {_WEIGHT_LABEL[s.weights]}"
        body = "".join(rows)
        note = ""
        if s.weights == "initial":
            note = notice("학습 전 가중치는 무작위 초깃값이라서 확률이 어느 숫자에도 뚜렷하게 몰리지 않습니다. "
                          "'학습 후'로 바꿔 비교해 보세요.", tone="note")
        return panel(head, f"<div{attrs(f'{self.css_prefix}-prob-bars')}>{body}</div>" + note,
                     css_class=f"{self.css_prefix}-probs-panel")

    def describe(self, s) -> str:
        return f"시험 이미지 {s.index}, 필터 {s.filter}, 가중치 {_WEIGHT_LABEL[s.weights]}"


# ---- checks of injected data -------------------------------------------------------------------------

def _same_architecture(network, other) -> bool:
    """Whether two networks record the same architecture (then ``other``'s initial weights fit)."""
    arch = getattr(network, "architecture", None)
    return arch is not None and arch == getattr(other, "architecture", None)


def _check_network(name, network) -> None:
    layers = getattr(network, "layers", None)
    names = list(layers)[:3] if layers is not None else []
    if names != list(LAYERS):
        raise ValueError(f"the {name} network must start with the layers {', '.join(LAYERS)} (like SimpleConvNet); "
                         f"its first layers are {names}.")
    for key, value in getattr(network, "params", {}).items():
        _check_finite(value, f"the {name} network's {key}", "row")   # (row: the first axis)
    W = layers["Conv1"].W
    if W.shape[1] != 1:
        raise ValueError(f"the explorer draws one-channel (grayscale) images; the {name} network's Conv1 "
                         f"expects {W.shape[1]} channels.")


def _as_images(images, network) -> np.ndarray:
    """(N, 1, H, W) images; (N, H, W) or flattened (N, H*W) are reshaped to the network's input."""
    x = np.asarray(images)
    if x.ndim == 4:
        pass
    elif x.ndim == 3:
        x = x[:, None]
    elif x.ndim == 2 and hasattr(network, "architecture"):
        C, H, W = network.architecture["input_dim"]
        if x.shape[1] != C * H * W:
            raise ValueError(f"flattened images must have {C * H * W} values each; got {x.shape[1]}.")
        x = x.reshape(len(x), C, H, W)
    else:
        raise ValueError(f"images must be (N, 1, H, W), (N, H, W) or (N, H*W); got shape {x.shape}.")
    if x.shape[1] != 1:
        raise ValueError(f"images must have one channel; got shape {x.shape}.")
    if len(x) == 0:
        raise ValueError("images is empty.")
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"images must be floats in [0, 1] (load_mnist(normalize=True)); got dtype {x.dtype}.")
    return x


def _check_finite(values, what: str, item: str) -> None:
    """A clear ValueError when ``values`` hold NaN or infinity (numbers the explorer cannot draw)."""
    bad = ~np.isfinite(np.asarray(values, dtype=np.float64))
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{what} hold NaN or infinite values ({int(bad.sum())} of them, the first in {item} "
                         f"{first[0]}, at index {first}); give finite numbers, e.g. load_mnist(normalize=True) "
                         f"images or weights from a training run that did not diverge.")


def _as_labels(labels, count) -> np.ndarray:
    t = np.asarray(labels)
    if t.ndim == 2:  # one-hot
        t = t.argmax(axis=1)
    if t.shape != (count,):
        raise ValueError(f"labels must have one label per image ({count}); got shape {np.asarray(labels).shape}.")
    return t
