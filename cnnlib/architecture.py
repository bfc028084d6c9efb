"""A network described as a list of layers (:class:`LayerSpec`) — computed without building it.

:func:`layer_table` gives, for any square input size, every layer's output shape, parameter count,
multiply-adds and im2col memory, with the one shape module (:mod:`cnnlib.shapes`). Where a
layer's output size is not a whole number it raises :class:`LayerSizeError`, which carries the
layer, its input, the :class:`~cnnlib.shapes.SizeCheck` behind the message and the rows computed
before it (what the AlexNet explorer shows). AlexNet (:data:`cnnlib.alexnet.ALEXNET`) and
LeNet-5 (:data:`cnnlib.lenet.LENET5`) are written this way.
"""

from __future__ import annotations

from dataclasses import dataclass

from .shapes import SizeCheck, check_output_size, conv_output_size, pool_output_size
from .tables import text_table

__all__ = ["LayerSpec", "LayerSizeError", "layer_table", "valid_input_sizes", "format_table"]


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


def layer_table(layers, input_size, channels=3):
    """Rows ``{'name', 'kind', 'shape', 'params', 'macs', 'im2col_bytes'}`` for a list of
    :class:`LayerSpec` and a square input_size x input_size image with ``channels`` channels.

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


def valid_input_sizes(layers, lo, hi, channels=3):
    """The square input sizes in ``lo..hi`` for which every layer's output size is a whole number."""
    sizes = []
    for size in range(lo, hi + 1):
        try:
            layer_table(layers, size, channels)
        except LayerSizeError:
            continue
        sizes.append(size)
    return sizes


def format_table(rows):
    """A plain-text table of :func:`layer_table`'s rows with totals."""
    body = [[r["name"], "x".join(str(v) for v in r["shape"]), f"{r['params']:,d}", f"{r['macs']:,d}"] for r in rows]
    total = ["total", "", f"{sum(r['params'] for r in rows):,d}", f"{sum(r['macs'] for r in rows):,d}"]
    return text_table(body + [total], headers=["layer", "output shape", "parameters", "multiply-adds"])
