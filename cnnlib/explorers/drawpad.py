"""The drawing pad (7.6): the learner writes a digit and the trained networks read it live, layer by layer.

The pad (280×280, mouse, touch or pen; 지우기, 되돌리기) is drawn by the widget's JavaScript
(``drawpad.js``), which sends the pad's pixels (280×280 bytes of ink) whenever the drawing changed,
throttled: at most one drawing is on its way to the kernel, and while the learner draws a new one leaves
at most every 60 ms; whatever was drawn in the meantime goes with the next one, so nothing stale
queues up (a finished drawing, at a stroke's end, leaves at once and its answer replaces the older one).
Everything else happens here, in :meth:`DrawPadExplorer.read`:

* the 28×28 image the networks get, made as MNIST made its digits (:func:`cnnlib.digits.to_mnist`),
  then, if the learner asks, turned a few degrees and shifted by whole pixels (:func:`cnnlib.digits.move`);
* the ten softmax probabilities of the CNN (the shipped SimpleConvNet, or DeepConvNet) and, beside it,
  of the book's two-layer fully connected net (chapter 5), on the same image;
* the CNN's feature maps: SimpleConvNet's 30 maps after Conv1 + ReLU and after Pool1, or DeepConvNet's
  six convolution layers after their ReLU, shaded on the feature-map explorer's diverging scale
  (:mod:`.style`; 0 white, the layer's largest value red), and the filter of the map the learner clicked.

The widget paints what comes back: the images as pixels (quantised heat steps, sent as bytes), the
probability bars, the filter and the messages as HTML written here (:mod:`.drawpad_html`). Where no
widget can show (GitHub, a notebook not run), the static copy shows one drawn example
(:data:`EXAMPLE_STROKES`) with its prediction and maps.

    >>> pad = DrawPadExplorer()
    >>> pad.read_strokes([[(140, 40), (140, 240)]]).prediction     # a vertical stroke
    1
    >>> pad                                                      # in a notebook: the pad

Nothing the pad sends raises in the kernel: :meth:`DrawPadExplorer.handle` answers a malformed message
with a view that says what was wrong (``status`` 'bad'), an empty pad with "숫자를 써 보세요".
"""

from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass, field
from pathlib import Path

import anywidget
import numpy as np
import traitlets
from IPython.display import display

from ..digits import PAD, PEN, DigitError, move, to_mnist, render_strokes
from ..evaluate import layer_outputs
from ..functions import softmax
from . import drawpad_html as html
from ..htmlkit.style import HEAT_STEPS, PALETTES, heat_colors, heat_steps

__all__ = ["DrawPadExplorer", "DrawPadView", "LayerMaps", "Request", "Shown", "EXAMPLE_STROKES", "NETWORKS"]

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Shown:
    """A layer whose maps the pad shows: ``layer`` (its name in ``network.layers``) under ``label``, made
    by the filters of ``conv``, shaded relative to the largest value of ``scale_of``, ``px`` screen pixels
    per map pixel."""

    layer: str
    label: str
    conv: str
    scale_of: str
    px: int


# The CNNs the switch offers: name → (shipped recipe, the layers shown, maps per row).
NETWORKS = {
    "simple": ("simple_convnet", (Shown("Relu1", "Conv1 + ReLU", "Conv1", "Relu1", 2),
                                  # the same values as Relu1, fewer of them: the same scale
                                  Shown("Pool1", "Pool1", "Conv1", "Relu1", 2)), 10),
    "deep": ("deep_convnet", tuple(Shown(f"Relu{i}", f"Conv{i} + ReLU", f"Conv{i}", f"Relu{i}", px)
                                   for i, px in zip(range(1, 7), (1, 1, 2, 2, 3, 3))), 16),
}
FC_RECIPE = "two_layer_net"
SHIFT_MAX = 8        # whole pixels each way
ANGLE_MAX = 45       # degrees each way
# A "3" written with the mouse on the pad (pad pixels): the static copy's example.
EXAMPLE_STROKES = (
    ((92, 62), (118, 46), (152, 42), (182, 54), (192, 78), (184, 104), (160, 124), (132, 134), (164, 138),
     (190, 154), (198, 182), (186, 212), (156, 230), (122, 232), (92, 218)),
)


@dataclass(frozen=True)
class Request:
    """What the pad asks for besides its pixels: shift (``dy`` rows down, ``dx`` columns right), turn
    ``angle`` degrees, which CNN (``network``: 'simple' or 'deep'), and the picked map (``layer`` index
    into the CNN's shown layers, ``channel``)."""

    dy: int = 0
    dx: int = 0
    angle: int = 0
    network: str = "simple"
    layer: int = 0
    channel: int = 0


@dataclass(frozen=True)
class LayerMaps:
    """One shown layer (see :class:`Shown`): ``maps`` (C, H, W) as the layer output them, shaded in
    ``steps`` (C, H, W) of the diverging palette (0 .. HEAT_STEPS: the maps follow a ReLU, so none is
    negative) relative to ``scale``, drawn ``px`` screen pixels per map pixel, ``cols`` maps a row."""

    name: str
    label: str
    title: str
    conv: str
    scale_of: str
    maps: np.ndarray
    steps: np.ndarray
    scale: float
    px: int
    cols: int


@dataclass(frozen=True)
class DrawPadView:
    """What the pad shows for one drawing. ``status``: 'ok', 'empty' (no ink), 'full' (ink almost
    everywhere) or 'bad' (a malformed message); ``message`` says it in Korean. With 'ok': ``image``
    (28, 28) the networks' input, ``cnn`` and ``fc`` (10,) softmax probabilities, ``layers``, and the
    picked map's filter ``kernel`` (C_in, FH, FW) with its ``bias``."""

    status: str
    message: str
    request: Request
    image: np.ndarray | None = None
    cnn: np.ndarray | None = None
    fc: np.ndarray | None = None
    layers: tuple = ()
    kernel: np.ndarray | None = None
    bias: float = 0.0
    seq: int = 0
    parts: dict = field(default_factory=dict)   # {name: HTML} of the text parts

    @property
    def prediction(self) -> int | None:
        return None if self.cnn is None else int(np.argmax(self.cnn))

    @property
    def fc_prediction(self) -> int | None:
        return None if self.fc is None else int(np.argmax(self.fc))


@functools.cache
def _shipped(recipe: str):
    from ..train import load_trained

    return load_trained(recipe)


class DrawPadExplorer:
    """The drawing pad; see the module docstring. ``network``, ``deep_network`` and ``fc_network`` replace
    the shipped SimpleConvNet, DeepConvNet and two-layer net (e.g. the network just trained in 7.5)."""

    css_prefix = "cnnlib-drawpad"

    def __init__(self, network=None, deep_network=None, fc_network=None):
        self._given = {"simple": network, "deep": deep_network, "fc": fc_network}
        for argument, net in zip(("network", "deep_network", "fc_network"), self._given.values()):
            if net is not None and not (hasattr(net, "layers") and hasattr(net, "predict")):
                raise ValueError(f"{argument} must be a network of cnnlib (with .layers and .predict), e.g. "
                                 f"load_trained('simple_convnet'); got {type(net).__name__}.")
        self._widget = None
        self._shapes = {}
        self.last_view = None

    def network(self, name: str):
        """The CNN ``name`` ('simple' or 'deep'), or 'fc', the fully connected net (loaded on first use)."""
        if self._given.get(name) is None:
            self._given[name] = _shipped(FC_RECIPE if name == "fc" else NETWORKS[name][0])
        return self._given[name]

    # ---- the numbers -----------------------------------------------------------------------------------

    def read(self, canvas, request: Request | None = None, **settings) -> DrawPadView:
        """What the networks make of the ink image ``canvas`` (the pad's (280, 280) ink in [0, 1], or any
        (H, W) ink image): see :class:`DrawPadView`. ``settings`` are :class:`Request` fields."""
        request = check_request(request or Request(**settings))
        try:
            image = move(to_mnist(canvas), request.dy, request.dx, request.angle)
        except DigitError as e:
            if e.kind == "strokes":
                raise
            return self._message_view(e.kind, request)
        net = self.network(request.network)
        x = image[None, None]                                   # (1, 1, 28, 28)
        outputs = layer_outputs(net, x)
        cnn = softmax(list(outputs.values())[-1])[0]
        fc = softmax(self.network("fc").predict(x))[0]
        layers = self._layers(request.network, outputs)
        layer = min(request.layer, len(layers) - 1)
        conv = net.layers[layers[layer].conv]
        channel = min(request.channel, conv.W.shape[0] - 1)
        request = Request(request.dy, request.dx, request.angle, request.network, layer, channel)
        view = DrawPadView("ok", "", request, image=image, cnn=cnn, fc=fc, layers=layers,
                           kernel=np.array(conv.W[channel], dtype=np.float64), bias=float(conv.b[channel]))
        return self._with_parts(view)

    def read_strokes(self, strokes, request: Request | None = None, **settings) -> DrawPadView:
        """:meth:`read` of the strokes drawn as the pad draws them (:func:`cnnlib.digits.render_strokes`)."""
        return self.read(render_strokes(strokes), request, **settings)

    def _layers(self, network: str, outputs) -> tuple:
        _, shown, cols = NETWORKS[network]
        layers = []
        for spec in shown:
            maps = np.asarray(outputs[spec.layer][0], dtype=np.float64)          # (C, H, W)
            scale = float(np.asarray(outputs[spec.scale_of][0]).max())
            level = maps / scale if scale > 0 else np.zeros_like(maps)
            layers.append(LayerMaps(spec.layer, spec.label, html.layer_title(spec.label, maps.shape), spec.conv,
                                    spec.scale_of, maps, heat_steps(level, "diverging").astype(np.int8), scale,
                                    spec.px, min(cols, maps.shape[0])))
        return tuple(layers)

    def _message_view(self, status: str, request: Request, detail: str = "") -> DrawPadView:
        """A view with nothing to read: the message, and the shown layers' places (blank maps, so the pad's
        page keeps its layout)."""
        blank = self._layers(request.network, self._zeros(request.network))
        message = html.STATUS[status] + (f" ({detail})" if detail else "")
        return self._with_parts(DrawPadView(status, message, request, layers=blank))

    def _zeros(self, network: str) -> dict:
        """{layer: zeros of its output's shape} of the CNN ``network`` for one 28×28 image."""
        if network not in self._shapes:
            shapes = self.network(network).layer_shapes((1, 1, 28, 28))
            self._shapes[network] = {name: np.zeros(shape) for name, shape in shapes}
        return self._shapes[network]

    def _with_parts(self, view: DrawPadView) -> DrawPadView:
        return DrawPadView(**{**view.__dict__, "parts": html.parts(view, self.css_prefix)})

    # ---- the widget's messages -------------------------------------------------------------------------

    def handle(self, content, buffers=()) -> tuple[dict, list]:
        """The answer to one message of the pad: ``content`` {'event': 'draw', 'id', 'seq', 'dy', 'dx', 'angle',
        'network', 'layer', 'channel'} and ``buffers`` [the pad's 280×280 ink bytes] (none: an empty pad).
        Returns (content, buffers) of the reply, which carries the message's ``id`` (the view that sent it)
        and ``seq`` back; never raises: a malformed message gets a view that says what was wrong."""
        given = content if isinstance(content, dict) else {}
        seq, sender = given.get("seq", 0), given.get("id", "")
        seq = seq if isinstance(seq, int) and not isinstance(seq, bool) else 0
        sender = sender if isinstance(sender, str) and len(sender) <= 40 else ""
        try:
            request, canvas = parse_message(content, buffers)
            view = self.read(canvas, request)
        except (ValueError, TypeError) as e:   # a message the pad would never send: say so, stay alive
            view = self._message_view("bad", Request(), str(e)[:200])
        except Exception as e:  # noqa: BLE001 - the widget must answer whatever happened
            view = self._message_view("bad", Request(), f"{type(e).__name__}: {e}"[:200])
        self.last_view = view
        return encode(view, seq, sender)

    # ---- display -----------------------------------------------------------------------------------------

    @property
    def widget(self):
        if self._widget is None:
            self._widget = DrawPadWidget(self)
        return self._widget

    def example(self) -> DrawPadView:
        """The static copy's drawing: :data:`EXAMPLE_STROKES` read at the default settings."""
        return self.read_strokes(EXAMPLE_STROKES)

    def static_html(self) -> str:
        return html.static_html(self.example(), palette("diverging"), self.css_prefix)

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        data = dict(bundle[0] if isinstance(bundle, tuple) else bundle)
        data["text/html"] = self.static_html()
        data["text/plain"] = html.PLAIN_TEXT
        return data

    def _ipython_display_(self):
        display({"text/html": html.STALE_HINT_HTML, "text/plain": ""}, raw=True)
        display(self._repr_mimebundle_(), raw=True)

    def __repr__(self) -> str:
        return "DrawPadExplorer()"


# ---- checking and encoding messages ------------------------------------------------------------------------

def _whole(name, value, lo, hi) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) \
            or value != int(value):
        raise ValueError(f"{name} must be a whole number; got {value!r:.40}.")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be between {lo} and {hi}; got {value}.")
    return int(value)


def check_request(r: Request) -> Request:
    """``r`` with every field checked (a ValueError that names the field otherwise)."""
    if not isinstance(r.network, str) or r.network not in NETWORKS:
        raise ValueError(f"network must be one of {sorted(NETWORKS)}; got {r.network!r:.40}.")
    return Request(_whole("dy", r.dy, -SHIFT_MAX, SHIFT_MAX), _whole("dx", r.dx, -SHIFT_MAX, SHIFT_MAX),
                   _whole("angle", r.angle, -ANGLE_MAX, ANGLE_MAX), r.network,
                   _whole("layer", r.layer, 0, len(NETWORKS[r.network][1]) - 1), _whole("channel", r.channel, 0, 4095))


def parse_message(content, buffers) -> tuple[Request, np.ndarray]:
    """(request, canvas) from a pad message, or a ValueError saying what was wrong."""
    if not isinstance(content, dict) or content.get("event") != "draw":
        raise ValueError("a pad message is a dict with event 'draw'.")
    fields_ = {k: content[k] for k in ("dy", "dx", "angle", "network", "layer", "channel") if k in content}
    request = check_request(Request(**fields_))
    buffers = list(buffers or [])
    if not buffers:
        return request, np.zeros((PAD, PAD))
    ink = bytes(buffers[0])
    if len(ink) != PAD * PAD:
        raise ValueError(f"the pad's pixels must be {PAD}×{PAD} = {PAD * PAD} bytes; got {len(ink)}.")
    return request, np.frombuffer(ink, dtype=np.uint8).reshape(PAD, PAD) / 255.0


def encode(view: DrawPadView, seq: int, sender: str = "") -> tuple[dict, list]:
    """The reply to the pad's view ``sender`` (its ``id``): JSON with the text parts and the layers'
    geometry, and the images as bytes (the 28×28 input as grey steps 0..HEAT_STEPS, then each layer's maps
    as diverging steps, offset by HEAT_STEPS so they are 0..2·HEAT_STEPS)."""
    layers = [{"name": m.name, "title": m.title, "count": m.maps.shape[0], "h": m.maps.shape[1], "w": m.maps.shape[2],
               "px": m.px, "cols": m.cols} for m in view.layers]
    content = {"event": "view", "id": sender, "seq": seq, "status": view.status, "parts": view.parts,
               "request": view.request.__dict__, "layers": layers}
    if view.status != "ok":
        return content, []
    buffers = [heat_steps(view.image, "gray").astype(np.uint8).tobytes()]
    buffers += [(m.steps.astype(np.int16) + HEAT_STEPS).astype(np.uint8).tobytes() for m in view.layers]
    return content, buffers


def palette(name: str) -> list:
    """[[r, g, b], ...] of the heat steps of palette ``name`` from its lowest step up (the widget's colours)."""
    lo, hi = PALETTES[name]
    colours = [heat_colors(k / HEAT_STEPS, name)[0] for k in range(lo, hi + 1)]
    return [[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in colours]


class DrawPadWidget(anywidget.AnyWidget):
    """The pad in the browser (``drawpad.js``, ``drawpad.css``); Python answers each drawing it sends."""

    _esm = (HERE / "drawpad.js").read_text(encoding="utf-8")
    _css = (HERE / "drawpad.css").read_text(encoding="utf-8")
    texts = traitlets.Dict().tag(sync=True)        # every label the pad shows (Korean)
    palettes = traitlets.Dict().tag(sync=True)     # heat steps → colour, as the static copy colours them
    settings = traitlets.Dict().tag(sync=True)     # pad size, pen width, the sliders' ranges

    def __init__(self, explorer: DrawPadExplorer):
        super().__init__(texts=html.TEXTS, palettes={"gray": palette("gray"), "diverging": palette("diverging")},
                         settings={"pad": PAD, "pen": PEN, "gap": html.GAP, "input_px": html.INPUT_PX, "shift": SHIFT_MAX, "angle": ANGLE_MAX,
                                   "networks": list(NETWORKS), "labels": dict(html.NETWORK_LABELS)})
        self.explorer = explorer
        self.add_class(explorer.css_prefix)
        self.add_class("cnnlib-explorer")
        self.on_msg(self._message)

    def _message(self, _widget, content, buffers) -> None:
        reply, data = self.explorer.handle(content, buffers)
        self.send(reply, buffers=data)
