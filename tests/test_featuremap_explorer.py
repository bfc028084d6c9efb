"""The feature-map explorer (7.6) driven headless as a learner would: set a control, read the HTML
widgets, and compare what is shown with independent references — the plain-loop convolution and
pooling of cnnlib.reference, max(0, ·), a softmax written here, and the networks' own weights."""

from __future__ import annotations

import base64
import io
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from cnnlib import SimpleConvNet, load_mnist
from cnnlib.explorers import FeatureMapExplorer, FeatureMapSettings
from cnnlib.htmlkit.style import RULES
from cnnlib.reference import conv_forward_loops, pool_forward_loops
from cnnlib.train import RECIPES, build_network

from explorer_html import grids, visible_text

N_IMAGES, SIDE, FN = 6, 12, 4   # small injected data: 12x12 images, 4 filters 3x3 -> 10x10 maps, 5x5 pooled


def small_net(seed):
    return SimpleConvNet(input_dim=(1, SIDE, SIDE), conv_param={"filter_num": FN, "filter_size": 3},
                         hidden_size=8, output_size=10, weight_init_std="he", dtype=np.float64, seed=seed)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    images = rng.random((N_IMAGES, 1, SIDE, SIDE))
    images[:, :, :3] = 0.0  # a blank band, like the border of an MNIST digit
    labels = rng.integers(0, 10, N_IMAGES)
    trained, initial = small_net(1), small_net(2)
    trained.params["b1"][:] = [0.3, -0.2, 0.0, 0.1]  # biases that matter (the initial ones are 0)
    return SimpleNamespace(images=images, labels=labels, trained=trained, initial=initial)


@pytest.fixture
def ex(data):
    return FeatureMapExplorer(network=data.trained, images=data.images, labels=data.labels,
                              initial_network=data.initial)


def softmax_ref(scores):
    e = np.exp(scores - scores.max())
    return e / e.sum()


def references(net, image, f):
    """Conv1's output for filter f (loops, bias included), ReLU, 2x2 max pooling — independent of the layers."""
    W, b = net.params["W1"], net.params["b1"]
    conv = conv_forward_loops(image[None, None], W[f : f + 1], b[f : f + 1])[0, 0]
    relu = np.maximum(conv, 0)
    pooled = pool_forward_loops(relu[None, None], 2, 2, stride=2)[0, 0]
    return conv, relu, pooled


# ---- reading the shaded squares back from the HTML -----------------------------------------------------

class _SquareParser(HTMLParser):
    """{role: rows of cell backgrounds, colspans expanded} of every table.cnnlib-grid-<role>."""

    def __init__(self):
        super().__init__()
        self.tables, self._role = {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "table" and "cnnlib-grid" in classes:
            self._role = next(c[len("cnnlib-grid-"):] for c in classes if c.startswith("cnnlib-grid-"))
            self.tables[self._role] = []
        elif tag == "tr" and self._role:
            self.tables[self._role].append([])
        elif tag == "img" and self._role:   # the live view's squares: one PNG, a pixel per cell
            self.tables[self._role] = png_colours(a["src"])
        elif tag == "td" and self._role:
            # inline (the static copy) or through a class of the live widget's stylesheet
            found = re.search(r"background:(#[0-9a-f]{3,6})", a.get("style") or "")
            bg = found.group(1) if found else next((RULES[c]["background"] for c in classes if c.startswith("h-")), None)
            if bg is not None:   # (else the cell that holds the live view's image)
                self.tables[self._role][-1].extend([bg] * int(a.get("colspan", 1)))

    def handle_endtag(self, tag):
        if tag == "table":
            self._role = None


def png_colours(src):
    """Rows of '#rrggbb' of a data-URL PNG, read by Pillow."""
    assert src.startswith("data:image/png;base64,")
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).convert("RGB"))
    return [["#%02x%02x%02x" % tuple(p) for p in row] for row in pixels]


def backgrounds(html):
    p = _SquareParser()
    p.feed(html)
    return {role: rows for role, rows in p.tables.items()}


def rgb(color):
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5)) if len(color) == 7 else (255, 255, 255)


def assert_shading(bgs, values, scale):
    """Each square's colour says the value's sign: red positive, blue negative, white (about) 0."""
    assert len(bgs) == values.shape[0] and all(len(r) == values.shape[1] for r in bgs)
    for r, row in enumerate(bgs):
        for c, color in enumerate(row):
            red, _, blue = rgb(color)
            level = values[r, c] / scale
            if level > 0.03:
                assert red > blue, (r, c, level, color)
            elif level < -0.03:
                assert blue > red, (r, c, level, color)
            elif abs(level) < 0.02:
                assert color == "#ffffff", (r, c, level, color)


def ranges(html):
    """[(min, max)] under each grid, in order: input, filter, conv, relu, pool."""
    return [(float(a), float(b)) for a, b in re.findall(r"최솟값 (-?\d+\.\d+) · 최댓값 (-?\d+\.\d+)",
                                                         visible_text(html))]


def percentages(html):
    return [float(v) for v in re.findall(r"(\d+\.\d\d)%", visible_text(html))]


def row_digits(html, mark):
    return [int(d) for d in re.findall(rf'cnnlib-featuremap-prob-(\d) {mark}', html)]


def assert_shows(ex, net, data, index, f, weights):
    """What the widgets show for (index, f) equals the references for ``net``."""
    shown = {part: w.value for part, w in ex.outputs.items()}
    image = data.images[index, 0]
    conv, relu, pooled = references(net, image, f)
    scale = np.abs(conv).max()

    # the filter's numbers (2 decimals, more for small untrained weights), its bias, the maps' shading
    (kernel,) = grids(shown["maps"], role="filter")
    W = net.params["W1"][f, 0]
    top = np.abs(W).max()
    digits = 2 if top >= 0.1 else int(1 - np.floor(np.log10(top)))    # two significant digits of the largest
    np.testing.assert_allclose(kernel.numbers(), W, atol=0.51 * 10.0 ** -digits)
    assert all(re.fullmatch(rf"-?\d+\.\d{{{digits}}}", t) for row in kernel.texts for t in row)
    assert f"W1[{f}]" in kernel.title and f"편향 b1[{f}] = " in kernel.title
    bgs = backgrounds(shown["maps"])
    for role, values in (("conv", conv), ("relu", relu), ("pool", pooled)):
        assert_shading(bgs[role], values, scale)
    assert all(c == "#ffffff" for r, row in enumerate(bgs["relu"]) for c, v in zip(row, conv[r]) if v <= 0)
    assert np.array(bgs["input"]).shape == image.shape
    shown_ranges = ranges(shown["maps"])
    assert len(shown_ranges) == 5
    for (lo, hi), ref in zip(shown_ranges, (image, net.params["W1"][f, 0], conv, relu, pooled)):
        assert abs(lo - ref.min()) <= 0.0051 and abs(hi - ref.max()) <= 0.0051
    assert f"±{scale:.2f}" in visible_text(shown["maps"])

    # probabilities: the network's prediction, ten bars summing to 100 %, label and prediction marked
    probs = softmax_ref(net.predict(data.images[index : index + 1])[0])
    predicted, label = int(np.argmax(probs)), int(data.labels[index])
    shown_p = percentages(shown["probs"])
    assert len(shown_p) == 10
    np.testing.assert_allclose(shown_p, 100 * probs, atol=0.0051)
    assert abs(sum(shown_p) - 100) <= 0.05
    assert row_digits(shown["probs"], "is-label") == [label]
    assert re.findall(r"cnnlib-featuremap-prob-(\d)[^\"]*is-predicted", shown["probs"]) == [str(predicted)]

    summary = visible_text(shown["summary"])
    assert f"시험 이미지 #{index} · 정답 {label} · 예측 {predicted} " in summary
    assert f"({100 * probs[predicted]:.2f}%)" in summary
    assert f"필터 {f} ({FN}개 중)" in summary
    assert ("가중치: 학습 후" if weights == "trained" else "가중치: 학습 전") in summary


# ---- tests ----------------------------------------------------------------------------------------------

def test_the_view_is_the_networks_own_numbers_and_equals_the_loop_references(ex, data):
    for weights, net in (("trained", data.trained), ("initial", data.initial)):
        for index in range(N_IMAGES):
            scores = net.predict(data.images[index : index + 1])[0]
            for f in range(FN):
                v = ex.view(FeatureMapSettings(index=index, filter=f, weights=weights))
                conv, relu, pooled = references(net, data.images[index, 0], f)
                np.testing.assert_allclose(v.conv, conv, rtol=1e-12, atol=1e-12)
                np.testing.assert_array_equal(v.relu, np.maximum(v.conv, 0))
                np.testing.assert_allclose(v.pooled, pooled, rtol=1e-12, atol=1e-12)
                assert v.conv.shape == (SIDE - 2, SIDE - 2) and v.pooled.shape == ((SIDE - 2) // 2,) * 2
                np.testing.assert_array_equal(v.kernel, net.params["W1"][f, 0])
                assert v.bias == net.params["b1"][f]
                np.testing.assert_allclose(v.probabilities, softmax_ref(scores), rtol=1e-12)
                assert abs(v.probabilities.sum() - 1) < 1e-12
                assert v.prediction == int(np.argmax(scores)) and v.label == data.labels[index]
    assert (ex.view().conv < 0).any() and (ex.view().conv > 0).any()  # both colours are exercised


def test_a_learner_moves_every_control(ex, data):
    ex.widget
    assert ex.play is None
    assert_shows(ex, data.trained, data, 0, 0, "trained")
    before = {p: w.value for p, w in ex.outputs.items()}
    ex.controls["filter"].value = 2
    assert_shows(ex, data.trained, data, 0, 2, "trained")
    assert ex.outputs["maps"].value != before["maps"] and ex.outputs["probs"].value == before["probs"]
    ex.controls["index"].value = 4
    assert_shows(ex, data.trained, data, 4, 2, "trained")
    ex.controls["weights"].value = "initial"
    assert_shows(ex, data.initial, data, 4, 2, "initial")
    for index in range(N_IMAGES):
        for f in range(FN):
            ex.set(index=index, filter=f)
            assert_shows(ex, data.initial, data, index, f, "initial")
            for part in ex.PARTS:  # the widgets show exactly the pure view of the controls' settings
                assert ex.outputs[part].value == ex.live_html(ex.settings())[part]


def test_initial_weights_are_the_initial_networks(ex, data):
    trained = ex.view(FeatureMapSettings(index=1, filter=3))
    initial = ex.view(FeatureMapSettings(index=1, filter=3, weights="initial"))
    np.testing.assert_array_equal(initial.kernel, data.initial.params["W1"][3, 0])
    assert not np.allclose(initial.kernel, trained.kernel)
    assert not np.allclose(initial.conv, trained.conv) and initial.maps != trained.maps
    (k_initial,) = grids(initial.maps, role="filter")
    (k_trained,) = grids(trained.maps, role="filter")
    assert k_initial.texts != k_trained.texts
    assert "가중치: 학습 전" in visible_text(initial.probs) and "cnnlib-notice-note" in initial.probs
    assert "cnnlib-notice-note" not in trained.probs


def test_ranges_follow_the_data_and_bad_settings_are_refused(data):
    ex = FeatureMapExplorer(network=data.trained, images=data.images[:3], labels=data.labels[:3],
                            initial_network=data.initial)
    ex.widget
    assert (ex.controls["index"].min, ex.controls["index"].max) == (0, 2)
    assert (ex.controls["filter"].min, ex.controls["filter"].max) == (0, FN - 1)
    assert ex.controls["index"].description == "이미지 번호"
    assert ex.controls["filter"].description == "필터 번호"
    assert ex.controls["weights"].description == "가중치"
    assert list(ex.controls["weights"].options) == [("학습 후", "trained"), ("학습 전", "initial")]
    with pytest.raises(ValueError, match="index must be a whole number from 0 to 2; got 3"):
        ex.view(FeatureMapSettings(index=3))
    with pytest.raises(ValueError, match=f"filter must be a whole number from 0 to {FN - 1}; got {FN}"):
        FeatureMapExplorer(network=data.trained, images=data.images, labels=data.labels, filter=FN)
    with pytest.raises(ValueError, match=r"weights must be one of \['trained', 'initial'\]; got 'final'"):
        ex.view(FeatureMapSettings(weights="final"))

    # another architecture and no initial network: only the trained weights can be shown
    alone = FeatureMapExplorer(network=data.trained, images=data.images, labels=data.labels)
    assert [v for _, v in alone.CONTROLS[2].options] == ["trained"]
    with pytest.raises(ValueError, match=r"weights must be one of \['trained'\]; got 'initial'"):
        alone.view(FeatureMapSettings(weights="initial"))

    with pytest.raises(ValueError, match="one label per image"):
        FeatureMapExplorer(network=data.trained, images=data.images, labels=data.labels[:2])
    with pytest.raises(ValueError, match="both images and labels"):
        FeatureMapExplorer(network=data.trained, images=data.images)
    with pytest.raises(ValueError, match="floats in"):
        FeatureMapExplorer(network=data.trained, images=(data.images * 255).astype(np.uint8), labels=data.labels)
    with pytest.raises(ValueError, match="must start with the layers Conv1, Relu1, Pool1"):
        FeatureMapExplorer(network=SimpleNamespace(layers={"Affine1": None}), images=data.images, labels=data.labels)
    # (N, H, W) images and one-hot labels are accepted
    flat = FeatureMapExplorer(network=data.trained, images=data.images[:, 0], labels=np.eye(10)[data.labels])
    assert flat.view(FeatureMapSettings(index=5)).label == data.labels[5]


def test_html_is_deterministic_and_self_contained(data):
    def make():
        return FeatureMapExplorer(network=data.trained, images=data.images, labels=data.labels,
                                  initial_network=data.initial)

    a, b = make(), make()
    for s in (FeatureMapSettings(), FeatureMapSettings(index=5, filter=3, weights="initial")):
        va, vb = a.view(s), b.view(s)
        for part in a.PARTS:
            assert getattr(va, part) == getattr(vb, part)
        html = a.static_html(s)
        assert html == b.static_html(s)
        for banned in ("<style", "<script", "<svg", " id=", "<img"):
            assert banned not in html
    assert 'class="cnnlib-featuremap-static"' in a.static_html()
    a.widget
    for part in a.PARTS:
        assert a.outputs[part].value == a.live_html(a.defaults)[part]  # the live widget starts from the default view
    assert "cnnlib-featuremap" in a.widget._dom_classes
    assert "cnnlib-featuremap-control-filter" in a.controls["filter"]._dom_classes


def test_shipped_network_on_mnist():
    _, (x_test, t_test) = load_mnist(normalize=True, flatten=False)
    ex = FeatureMapExplorer()
    assert len(ex.images) == 10000 and ex.images.shape[1:] == (1, 28, 28)
    ex.widget
    assert ex.controls["index"].max == 9999 and ex.controls["filter"].max == 29
    summary = visible_text(ex.outputs["summary"].value)
    assert "시험 이미지 #0 · 정답 7 · 예측 7" in summary
    assert "정답 <b>7</b>" in ex.static_html()
    assert len(ex.static_html().encode()) < 100_000  # the static view stays small (about 54 KB)

    # the maps are the shipped network's, checked against the loop references for one image and filter
    v = ex.view(FeatureMapSettings(index=0, filter=5))
    W1, b1 = ex.networks["trained"].params["W1"], ex.networks["trained"].params["b1"]
    conv = conv_forward_loops(x_test[:1].astype(np.float64), W1[5:6].astype(np.float64), b1[5:6].astype(np.float64))
    np.testing.assert_allclose(v.conv, conv[0, 0], atol=1e-5)
    np.testing.assert_allclose(v.pooled, pool_forward_loops(np.maximum(conv, 0), 2, 2, stride=2)[0, 0], atol=1e-5)
    assert v.conv.shape == (24, 24) and v.pooled.shape == (12, 12)

    # 'initial' is the recipe's network before training: the shipped run's starting weights
    start = build_network(RECIPES["simple_convnet"])
    np.testing.assert_array_equal(ex.networks["initial"].params["W1"], start.params["W1"])
    assert not np.allclose(start.params["W1"], W1)
    ex.controls["weights"].value = "initial"
    np.testing.assert_array_equal(grids(ex.outputs["maps"].value, role="filter")[0].numbers(),
                                  np.round(start.params["W1"][0, 0].astype(np.float64), 2))
    assert "가중치: 학습 전" in visible_text(ex.outputs["summary"].value)


def test_digits_are_white_on_black_as_everywhere_else(ex, data):
    """The input is drawn as matplotlib's gray colour map draws MNIST in the notebooks: 0 black, 1 white."""
    v = ex.view()
    bgs = backgrounds(v.maps)["input"]
    image = data.images[0, 0]
    assert {bgs[r][c] for r, c in zip(*np.nonzero(image == 0))} == {"#111827"}     # the blank band: black
    brightest = np.unravel_index(np.argmax(image), image.shape)
    assert rgb(bgs[brightest[0]][brightest[1]])[0] > 200                          # a bright pixel: near white
    assert "입력은 검은색 0 → 흰색 1" in visible_text(v.maps)


def test_next_wrong_digit(ex, data):
    """The button goes to the next test image (after the one shown, wrapping around) that the network
    of the chosen weights gets wrong; with none, it says so beside the image number."""
    wrong = [i for i in range(N_IMAGES)
             if np.argmax(data.trained.predict(data.images[i : i + 1])) != data.labels[i]]
    assert wrong, "the small test network should get some of its random images wrong"
    ex.widget
    seen = [ex.show_next_wrong() for _ in range(len(wrong) + 1)]
    expected, at = [], 0
    for _ in range(len(wrong) + 1):              # the next wrong index after `at`, wrapping around
        at = min([i for i in wrong if i > at] or wrong)
        expected.append(at)
    assert seen == expected
    assert ex.settings().index == seen[-1] and "✗ 틀림" in visible_text(ex.outputs["summary"].value)
    right = FeatureMapExplorer(network=data.trained, images=data.images[[i for i in range(N_IMAGES) if i not in wrong]],
                               labels=data.labels[[i for i in range(N_IMAGES) if i not in wrong]])
    right.widget
    assert right.show_next_wrong() is None and "틀린 숫자가 없습니다" in right.numbers["index"].note.value
    assert "cnnlib-featuremap-next-wrong" in right.next_wrong_button._dom_classes
    assert right.next_wrong_button.description == "다음 틀린 숫자 ▸"


def test_nan_images_or_weights_are_refused_and_a_diverged_network_is_said_so(data):
    """Issue 25: NaN weights or images gave 'cannot convert float NaN to integer'."""
    images = data.images.copy()
    images[3, 0, 5, 5] = np.nan
    with pytest.raises(ValueError, match=r"images hold NaN or infinite values \(1 of them, the first in image 3"):
        FeatureMapExplorer(network=data.trained, images=images, labels=data.labels)
    broken = small_net(1)
    broken.params["W1"][2, 0, 1, 1] = np.inf
    with pytest.raises(ValueError, match="the trained network's W1 hold NaN or infinite values"):
        FeatureMapExplorer(network=broken, images=data.images, labels=data.labels)
    # a network that diverges after the explorer was made (trained further in place)
    net = small_net(1)
    ex = FeatureMapExplorer(network=net, images=data.images, labels=data.labels)
    ex.widget
    net.params["W1"][0] = np.nan
    ex.controls["index"].value = 1                 # no exception: the view says what is wrong
    text = visible_text(ex.outputs["maps"].value)
    assert "그릴 수 없습니다" in text and "NaN" in text and "예측 없음" in visible_text(ex.outputs["summary"].value)
    assert ex.view().prediction is None


# ---- the grid renderer's additions ------------------------------------------------------------------------

