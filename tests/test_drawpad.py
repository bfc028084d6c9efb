"""The drawing pad's kernel side (cnnlib/explorers/drawpad.py), without a browser: what it reads from a
drawing, checked against plain loops and the networks themselves; the messages it answers (any message,
however malformed, gets an answer and never an exception); the bytes it sends; its static copy."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import explorer_html
from cnnlib.augment import shift
from cnnlib.digits import PAD, render_strokes, rotate, strokes_to_mnist
from cnnlib.explorers import DrawPadExplorer
from cnnlib.explorers.drawpad import (EXAMPLE_STROKES, NETWORKS, DrawPadWidget, Request, encode, palette,
                                      parse_message)
from cnnlib.explorers.drawpad_html import GAP, STATUS, mosaic
from cnnlib.htmlkit.style import HEAT_STEPS, heat_colors
from cnnlib.functions import softmax
from cnnlib.reference import conv_forward_loops, pool_forward_loops
from cnnlib.train import load_trained

VERTICAL = [[(140, 45), (140, 235)]]
LOOP = [[(140 + 62 * math.sin(2 * math.pi * i / 48), 140 - 95 * math.cos(2 * math.pi * i / 48)) for i in range(49)]]


@pytest.fixture(scope="module")
def pad():
    return DrawPadExplorer()


def pixels(strokes) -> bytes:
    """The pad's message buffer for ``strokes``: 280×280 bytes of ink."""
    return np.round(render_strokes(strokes) * 255).astype(np.uint8).tobytes()


def message(**fields) -> dict:
    return {"event": "draw", "id": "v1", "seq": 1, "dx": 0, "dy": 0, "angle": 0, "network": "simple", "layer": 0,
            "channel": 0} | fields


# ---- what it reads ---------------------------------------------------------------------------------------

def test_a_vertical_stroke_is_a_one_and_a_loop_a_zero(pad):
    assert pad.read_strokes(VERTICAL).prediction == 1
    assert pad.read_strokes(LOOP).prediction == 0
    assert pad.example().prediction == 3         # the static copy's drawing is the 3 it is said to be


def test_maps_and_probabilities_are_the_networks_own(pad):
    """Conv1 + ReLU and Pool1 against plain loops over the shipped weights; the probabilities against
    softmax of each network's predict."""
    view = pad.read_strokes(LOOP)
    net, fc = load_trained("simple_convnet"), load_trained("two_layer_net")
    x = strokes_to_mnist(LOOP)[None, None].astype(np.float64)
    np.testing.assert_array_equal(view.image, x[0, 0])
    conv = conv_forward_loops(x, net.params["W1"].astype(np.float64), net.params["b1"].astype(np.float64))
    relu = np.maximum(conv, 0)
    pooled = pool_forward_loops(relu, 2, 2, stride=2)
    relu1, pool1 = view.layers
    np.testing.assert_allclose(relu1.maps, relu[0], atol=1e-4)
    np.testing.assert_allclose(pool1.maps, pooled[0], atol=1e-4)
    np.testing.assert_allclose(view.cnn, softmax(net.predict(x.astype(np.float32)))[0], atol=1e-6)
    np.testing.assert_allclose(view.fc, softmax(fc.predict(x.astype(np.float32)))[0], atol=1e-6)
    # shading: one scale for both (Relu1's largest value), white 0 .. red HEAT_STEPS
    assert relu1.scale == pool1.scale == pytest.approx(relu.max(), rel=1e-5)
    np.testing.assert_array_equal(relu1.steps, np.round(relu1.maps / relu1.scale * HEAT_STEPS))
    assert relu1.steps.min() == 0 and relu1.steps.max() == HEAT_STEPS


def test_moving_the_input_after_the_centring(pad):
    base = strokes_to_mnist(LOOP)
    moved = pad.read_strokes(LOOP, dy=2, dx=-3)
    np.testing.assert_array_equal(moved.image, shift(base[None, None], 2, -3)[0, 0])
    turned = pad.read_strokes(LOOP, angle=15)
    np.testing.assert_allclose(turned.image, rotate(base, 15))
    assert moved.request == Request(dy=2, dx=-3)


def test_the_deep_network_shows_its_six_convolution_layers(pad):
    view = pad.read_strokes(LOOP, network="deep", layer=5, channel=63)
    deep = load_trained("deep_convnet")
    assert [m.name for m in view.layers] == [f"Relu{i}" for i in range(1, 7)]
    assert [m.maps.shape for m in view.layers] == [(16, 28, 28), (16, 28, 28), (32, 14, 14), (32, 16, 16),
                                                    (64, 8, 8), (64, 8, 8)]
    np.testing.assert_array_equal(view.kernel, deep.layers["Conv6"].W[63])
    assert view.prediction == 0


def test_a_picked_map_shows_the_filter_that_made_it(pad):
    net = load_trained("simple_convnet")
    view = pad.read_strokes(LOOP, layer=1, channel=7)           # Pool1's map 7 comes from Conv1's filter 7
    np.testing.assert_array_equal(view.kernel, net.params["W1"][7])
    assert view.bias == pytest.approx(float(net.params["b1"][7]))
    grid = explorer_html.grids(view.parts["filter"], "filter")[0]
    np.testing.assert_allclose(grid.numbers(), net.params["W1"][7, 0], atol=0.005)
    assert "Conv1의 필터 7번 (1×5×5)" in explorer_html.visible_text(view.parts["filter"])


def test_the_bars_and_the_large_digit_say_the_probabilities(pad):
    view = pad.read_strokes(VERTICAL)
    text = explorer_html.visible_text(view.parts["cnn"])
    assert text.split()[:2] == ["CNN:", "SimpleConvNet"]
    assert f"1 {100 * view.cnn[1]:.1f}%" in text
    assert "완전연결" in explorer_html.visible_text(view.parts["fc"])


# ---- nothing to read -------------------------------------------------------------------------------------

def test_an_empty_pad_asks_for_a_digit_and_predicts_nothing(pad):
    view = pad.read(np.zeros((PAD, PAD)))
    assert view.status == "empty" and view.cnn is None and view.fc is None
    assert "숫자를 써 보세요" in view.parts["status"] and "–" in view.parts["cnn"]
    assert [m.maps.shape for m in view.layers] == [(30, 24, 24), (30, 12, 12)]   # the maps' places, blank
    content, buffers = encode(view, 4)
    assert content["status"] == "empty" and buffers == [] and len(content["layers"]) == 2


def test_a_pad_covered_in_ink_says_so(pad):
    view = pad.read(np.ones((PAD, PAD)))
    assert view.status == "full" and view.cnn is None
    assert STATUS["full"] in view.parts["status"]


# ---- messages ----------------------------------------------------------------------------------------------

def test_a_message_is_answered_with_the_view_and_its_bytes(pad):
    content, buffers = pad.handle(message(seq=7, layer=1, channel=3), [pixels(LOOP)])
    json.dumps(content)                                          # the reply travels as JSON
    assert content["seq"] == 7 and content["status"] == "ok" and content["request"]["channel"] == 3
    assert content["id"] == "v1"                                  # back to the view that sent it
    view = pad.last_view
    assert np.frombuffer(buffers[0], np.uint8).reshape(28, 28).tolist() == \
        np.round(view.image * HEAT_STEPS).astype(int).tolist()
    for info, data, layer in zip(content["layers"], buffers[1:], view.layers):
        steps = np.frombuffer(data, np.uint8).reshape(info["count"], info["h"], info["w"]).astype(int) - HEAT_STEPS
        np.testing.assert_array_equal(steps, layer.steps)
        assert (info["px"], info["cols"]) == (layer.px, layer.cols)


@pytest.mark.parametrize("sender, back", [("a1b2", "a1b2"), (7, ""), (["x"], ""), ("x" * 41, "")])
def test_the_answer_goes_back_to_the_view_that_asked(pad, sender, back):
    """Each view of the pad (the same pad shown twice) keeps to the answers carrying its id; an id that is
    not a short string is not echoed (the answer then reaches no view, and the kernel does not fail)."""
    for content in (message(id=sender), message(id=sender, dx=99)):
        assert pad.handle(content, [pixels(VERTICAL)])[0]["id"] == back


def test_pixels_sent_by_the_pad_and_the_pen_read_alike(pad):
    request, canvas = parse_message(message(), [pixels(LOOP)])
    np.testing.assert_allclose(canvas, render_strokes(LOOP), atol=0.5 / 255)
    assert pad.handle(message(), [pixels(LOOP)])[0]["status"] == "ok"
    assert pad.handle(message(), [])[0]["status"] == "empty"


@pytest.mark.parametrize("content, buffers, says", [
    ("draw", [], "a dict with event 'draw'"),
    ({"event": "other"}, [], "a dict with event 'draw'"),
    (message(dx=1.5), [], "dx must be a whole number"),
    (message(dy=99), [], "dy must be between -8 and 8"),
    (message(angle=float("nan")), [], "angle must be a whole number"),
    (message(network="vgg"), [], "network must be one of"),
    (message(layer=2), [], "layer must be between 0 and 1"),
    (message(channel=-1), [], "channel must be between 0 and 4095"),
    (message(), [b"\x00" * 100], "must be 280×280 = 78400 bytes; got 100"),
])
def test_a_malformed_message_is_answered_with_what_was_wrong(pad, content, buffers, says):
    reply, data = pad.handle(content, buffers)
    assert reply["status"] == "bad" and data == []
    assert STATUS["bad"] in reply["parts"]["status"] and says in reply["parts"]["status"]


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                        max_size=4), max_leaves=8)
fields = st.fixed_dictionaries({}, optional={k: json_values | st.integers(-10, 10) for k in
                                             ("id", "seq", "dx", "dy", "angle", "layer", "channel")}
                               | {"network": json_values | st.sampled_from(list(NETWORKS))})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(json_values, fields.map(lambda f: {"event": "draw", **f})),
       buffers=st.lists(st.binary(max_size=64) | st.just(bytes(PAD * PAD)) | st.just(b"\xff" * (PAD * PAD)),
                        max_size=2))
def test_no_message_raises_in_the_kernel(pad, content, buffers):
    reply, data = pad.handle(content, buffers)
    json.dumps(reply)
    assert reply["status"] in STATUS and reply["event"] == "view" and isinstance(reply["id"], str)
    assert (reply["status"] == "ok") == bool(data)


def test_the_widget_answers_through_its_comm(pad, monkeypatch):
    widget = DrawPadWidget(pad)
    sent = []
    monkeypatch.setattr(widget, "send", lambda content, buffers=None: sent.append((content, buffers)))
    widget._message(widget, message(seq=3), [pixels(VERTICAL)])
    widget._message(widget, {"nonsense": True}, [])
    assert [c["seq"] for c, _ in sent] == [3, 0] and [c["status"] for c, _ in sent] == ["ok", "bad"]
    assert widget.palettes["diverging"] == palette("diverging") and widget.settings["gap"] == GAP
    assert widget.texts["clear"] == "지우기" and widget.texts["undo"] == "되돌리기"


def test_the_palettes_are_the_heat_colours():
    for name, lo in (("diverging", -HEAT_STEPS), ("gray", 0)):
        colours = palette(name)
        for k, rgb in enumerate(colours):
            assert "#%02x%02x%02x" % tuple(rgb) == heat_colors((k + lo) / HEAT_STEPS, name)[0]


# ---- pictures and the static copy ------------------------------------------------------------------------

def test_mosaic_puts_each_map_in_its_tile():
    steps = np.arange(2 * 3 * 2).reshape(2, 3, 2) - 3          # two 3×2 maps
    pal = palette("diverging")
    out = mosaic(steps, cols=2, px=2, palette=pal)
    assert out.shape == (3 * 2, 2 * (2 * 2 + GAP) - GAP, 3)
    for m in range(2):
        x0 = m * (2 * 2 + GAP)
        for r in range(3):
            for c in range(2):
                assert out[2 * r, x0 + 2 * c].tolist() == pal[steps[m, r, c] + HEAT_STEPS]
    assert (out[:, 4:4 + GAP] == 255).all()                    # white between the maps


def test_the_static_copy_shows_the_example_and_says_how_to_open_the_pad(pad):
    html = pad.static_html()
    assert html == pad.static_html()                            # deterministic (nbval compares it)
    text = explorer_html.visible_text(html)
    assert "static view" in html and "<table" in html and "셀을 실행하면" in text
    view = pad.example()
    assert f"CNN: SimpleConvNet 3 {100 * view.cnn[3]:.1f}%" in text
    grid = explorer_html.grids(html, "input")[0]
    assert len(grid.texts) == 28
    assert html.count("data:image/png;base64,") == 2            # the Conv1 + ReLU and Pool1 maps
    assert len(html) < 60_000
    bundle = pad._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and bundle["text/html"] == html
    assert "셀을 실행하면" in bundle["text/plain"]


def test_the_example_strokes_are_what_the_pad_would_send():
    parse_message(message(), [pixels(EXAMPLE_STROKES)])


def test_networks_that_are_not_cnnlib_networks_are_refused():
    with pytest.raises(ValueError, match="^network must be a network of cnnlib"):
        DrawPadExplorer(network="simple_convnet")
    with pytest.raises(ValueError, match="^fc_network must be a network of cnnlib.*got str"):
        DrawPadExplorer(fc_network="two_layer_net")
