"""AlexNet (Krizhevsky, Sutskever & Hinton, 2012) as a description — 7.7.2절.

From the layer list below, :func:`layer_table` computes, for any input size, every layer's
output shape, parameter count and multiply-adds, with the one shape module
(:mod:`cnnlib.shapes`). For a 227x227x3 input it gives the published figures: about 60
million parameters, 650,000 neurons and 0.72 billion multiply-adds.

The paper says its input is 224x224x3, but the first layer (96 filters 11x11, stride 4,
no padding) only gives a whole number of positions for 227: (224 - 11)/4 + 1 = 54.25, while
(227 - 11)/4 + 1 = 55, the 55x55 maps the paper draws. ``layer_table(224)`` raises the shape
module's explanation of exactly that, as a :class:`LayerSizeError` that also carries the
layer, its input and the :class:`~cnnlib.shapes.SizeCheck` behind the message (what the
input-size explorer shows) and the rows computed before it.

``groups=2`` marks the layers the paper split across its two GPUs: each half of the filters
sees only half of the input channels, which halves those layers' weights.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .layers import LRN, Affine, Convolution, Dropout, Pooling, Relu
from .shapes import SizeCheck, check_output_size, conv_output_size, pool_output_size

__all__ = ["LayerSpec", "ALEXNET", "LayerSizeError", "layer_table", "valid_input_sizes", "format_table",
           "AlexNetForward"]


@dataclass(frozen=True)
class LayerSpec:
    """One layer: kind 'conv' (filters, size, stride, pad, groups), 'pool' (size, stride),
    'lrn', 'fc' (units) or 'dropout'. ReLU follows every conv and fc layer but the last."""

    name: str
    kind: str
    filters: int = 0
    size: int = 0
    stride: int = 1
    pad: int = 0
    groups: int = 1
    units: int = 0


ALEXNET = [
    LayerSpec("conv1", "conv", filters=96, size=11, stride=4),
    LayerSpec("norm1", "lrn"),
    LayerSpec("pool1", "pool", size=3, stride=2),
    LayerSpec("conv2", "conv", filters=256, size=5, pad=2, groups=2),
    LayerSpec("norm2", "lrn"),
    LayerSpec("pool2", "pool", size=3, stride=2),
    LayerSpec("conv3", "conv", filters=384, size=3, pad=1),
    LayerSpec("conv4", "conv", filters=384, size=3, pad=1, groups=2),
    LayerSpec("conv5", "conv", filters=256, size=3, pad=1, groups=2),
    LayerSpec("pool5", "pool", size=3, stride=2),
    LayerSpec("fc6", "fc", units=4096),
    LayerSpec("drop6", "dropout"),
    LayerSpec("fc7", "fc", units=4096),
    LayerSpec("drop7", "dropout"),
    LayerSpec("fc8", "fc", units=1000),
]


class LayerSizeError(ValueError):
    """A layer whose output size is not a positive whole number, with what explains it.

    layer: the :class:`LayerSpec`; input_shape: its input (C, H, W); checks: the
    :class:`~cnnlib.shapes.SizeCheck` of each invalid axis (empty for a non-size problem such
    as groups); rows: :func:`layer_table`'s rows for the layers before it.
    """

    def __init__(self, message, layer, input_shape, checks: tuple[SizeCheck, ...] = (), rows=()):
        super().__init__(message)
        self.layer, self.input_shape, self.checks, self.rows = layer, input_shape, tuple(checks), list(rows)


def _invalid_checks(spec, H, W):
    """The SizeChecks of the axes on which ``spec`` (conv or pool) fails for an H x W input."""
    if spec.kind not in ("conv", "pool"):
        return ()
    pad = spec.pad if spec.kind == "conv" else 0
    checks = (check_output_size(H, spec.size, spec.stride, pad, kind=spec.kind, dim="H"),
              check_output_size(W, spec.size, spec.stride, pad, kind=spec.kind, dim="W"))
    return tuple(c for c in checks if not c.valid)


def layer_table(input_size=227, channels=3, layers=ALEXNET):
    """Rows ``{'name', 'kind', 'shape', 'params', 'macs', 'im2col_bytes'}`` for a square input.

    shape is the layer's output (C, H, W) or (units,); params counts weights + biases; macs
    counts multiply-adds for one image; im2col_bytes is the size (float32) of the im2col
    matrix a conv layer builds for one image. Raises :class:`LayerSizeError` (a ``ValueError``
    naming the layer, then the shape module's explanation) where a size is not a whole number.
    """
    C, H, W = channels, input_size, input_size
    rows = [{"name": "input", "kind": "input", "shape": (C, H, W), "params": 0, "macs": 0, "im2col_bytes": 0}]
    flat = None
    for spec in layers:
        params = macs = col_bytes = 0
        try:
            if spec.kind == "conv":
                OH = conv_output_size(H, spec.size, spec.stride, spec.pad, dim="H")
                OW = conv_output_size(W, spec.size, spec.stride, spec.pad, dim="W")
                if C % spec.groups or spec.filters % spec.groups:
                    raise ValueError(f"{C} channels and {spec.filters} filters must divide into {spec.groups} groups.")
                per_filter = (C // spec.groups) * spec.size * spec.size  # each filter sees C/groups channels
                params = spec.filters * per_filter + spec.filters
                macs = spec.filters * per_filter * OH * OW
                col_bytes = OH * OW * C * spec.size * spec.size * 4
                C, H, W = spec.filters, OH, OW
            elif spec.kind == "pool":
                H = pool_output_size(H, spec.size, spec.stride, dim="H")
                W = pool_output_size(W, spec.size, spec.stride, dim="W")
            elif spec.kind == "fc":
                fan_in = flat if flat is not None else C * H * W
                params = fan_in * spec.units + spec.units
                macs = fan_in * spec.units
                flat = spec.units
            elif spec.kind not in ("lrn", "dropout"):
                raise ValueError(f"unknown layer kind {spec.kind!r}")
        except ValueError as e:
            raise LayerSizeError(f"{spec.name} (input {C}x{H}x{W}): {e}", spec, (C, H, W),
                                 _invalid_checks(spec, H, W), rows) from None
        shape = (flat,) if flat is not None else (C, H, W)
        rows.append({"name": spec.name, "kind": spec.kind, "shape": shape, "params": params, "macs": macs,
                     "im2col_bytes": col_bytes})
    return rows


def valid_input_sizes(lo, hi, channels=3, layers=ALEXNET):
    """The square input sizes in ``lo..hi`` for which every layer's output size is a whole number."""
    sizes = []
    for size in range(lo, hi + 1):
        try:
            layer_table(size, channels, layers)
        except LayerSizeError:
            continue
        sizes.append(size)
    return sizes


def format_table(rows):
    """A plain-text table of :func:`layer_table`'s rows with totals."""
    lines = [f"{'layer':7s} {'output shape':>16s} {'parameters':>12s} {'multiply-adds':>15s}"]
    for r in rows:
        shape = "x".join(str(v) for v in r["shape"])
        lines.append(f"{r['name']:7s} {shape:>16s} {r['params']:>12,d} {r['macs']:>15,d}")
    lines.append(f"{'total':7s} {'':>16s} {sum(r['params'] for r in rows):>12,d} {sum(r['macs'] for r in rows):>15,d}")
    return "\n".join(lines)


class AlexNetForward:
    """AlexNet's forward pass with random weights, built from :data:`ALEXNET` out of cnnlib layers
    (a ``groups=2`` layer is two Convolution layers, each on half of the channels).
    Weights are He-scaled Gaussians; ``seed`` fixes them. After :meth:`forward`, ``outputs``
    maps each layer's name to its output (after the ReLU for conv and fc layers but the last).
    """

    def __init__(self, input_size=227, channels=3, seed=0, dtype=np.float32):
        self.table = layer_table(input_size, channels)
        rng = np.random.default_rng(seed)
        self.steps = []  # (spec, list of layers (one per group) or one layer)
        self.outputs = {}
        C = channels
        flat = None
        for spec, row in zip(ALEXNET, self.table[1:]):
            if spec.kind == "conv":
                cg, fg = C // spec.groups, spec.filters // spec.groups
                std = np.sqrt(2.0 / (cg * spec.size**2))
                convs = [Convolution((std * rng.standard_normal((fg, cg, spec.size, spec.size))).astype(dtype),
                                     np.zeros(fg, dtype=dtype), spec.stride, spec.pad) for _ in range(spec.groups)]
                self.steps.append((spec, convs))
                C = spec.filters
            elif spec.kind == "pool":
                self.steps.append((spec, Pooling(spec.size, spec.size, spec.stride)))
            elif spec.kind == "lrn":
                self.steps.append((spec, LRN()))
            elif spec.kind == "dropout":
                self.steps.append((spec, Dropout(0.5, seed=int(rng.integers(2**31)))))
            elif spec.kind == "fc":
                fan_in = flat if flat is not None else int(np.prod(row_shape))
                W = (np.sqrt(2.0 / fan_in) * rng.standard_normal((fan_in, spec.units))).astype(dtype)
                self.steps.append((spec, Affine(W, np.zeros(spec.units, dtype=dtype))))
                flat = spec.units
            row_shape = row["shape"]

    def forward(self, x, train_flg=False):
        """x (N, C, H, W) -> scores (N, 1000); also returns per-layer
        ``[(name, output shape, seconds, im2col bytes)]`` (im2col bytes: the size of the matrices
        the layer's Convolution objects built for this batch, 0 for other layers)."""
        report = []
        last = len(self.steps) - 1
        for i, (spec, layer) in enumerate(self.steps):
            start = time.perf_counter()
            col_bytes = 0
            if spec.kind == "conv":
                half = x.shape[1] // len(layer)
                outs = []
                for g, conv in enumerate(layer):
                    outs.append(conv.forward(x[:, g * half : (g + 1) * half]))
                    col_bytes += conv.col.nbytes  # the im2col matrix this layer just built
                x = np.concatenate(outs, axis=1) if len(outs) > 1 else outs[0]
            elif spec.kind == "dropout":
                x = layer.forward(x, train_flg)
            else:
                x = layer.forward(x)
            if spec.kind in ("conv", "fc") and i != last:
                x = np.maximum(x, 0)  # ReLU
            report.append((spec.name, x.shape, time.perf_counter() - start, col_bytes))
            self.outputs[spec.name] = x
        return x, report
