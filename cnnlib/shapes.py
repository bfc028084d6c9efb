"""Output-size arithmetic for convolution and pooling — the one place it is done.

The book's rule (식 7.1, p234):

    OH = (H + 2P - FH) / S + 1

must be a positive whole number.  Every layer, ``im2col``/``col2im`` and every
explorer asks this module, so a size is never computed twice in two ways (the
book uses ``/`` in one file and ``//`` in another, which breaks SimpleConvNet
with a 4x4 filter).

Two rounding rules are offered:

* exact (the book, default): a remainder is an error that says what to change;
* ``floor=True`` (PyTorch, TensorFlow "VALID"): the last partial window is
  dropped, and :func:`check_output_size` says which input rows/columns are then
  never visited.

With dilation ``D`` a filter of size ``F`` covers ``D*(F-1)+1`` input cells.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

__all__ = [
    "SizeCheck",
    "check_output_size",
    "conv_output_size",
    "pool_output_size",
    "conv_output_shape",
    "pool_output_shape",
    "effective_filter_size",
    "shape_text",
]


def require_int(name: str, value, minimum: int) -> int:
    """`value` as an int, or a clear TypeError/ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        fix = f" Write {int(value)} instead." if isinstance(value, numbers.Real) and float(value).is_integer() else ""
        raise TypeError(f"{name} must be a whole number (int); got {value!r} of type {type(value).__name__}.{fix}")
    value = int(value)
    if value < minimum:
        if name == "pad":
            raise ValueError(f"pad must be 0 or more; got {value}. Padding adds rows/columns, it cannot remove them.")
        raise ValueError(f"{name} must be at least {minimum}; got {value}.")
    return value


def effective_filter_size(filter_size: int, dilation: int = 1) -> int:
    """Number of input cells a dilated filter spans: ``dilation*(filter_size-1) + 1``."""
    return dilation * (filter_size - 1) + 1


@dataclass(frozen=True)
class SizeCheck:
    """Everything there is to say about one axis of a convolution or pooling.

    ``numerator`` is ``input_size + 2*pad - effective_filter``; the book's output
    size is ``numerator/stride + 1``.  ``output_size`` is that number when it is
    a positive whole number (exact), else ``None``; ``floor_output_size`` is what
    PyTorch/TensorFlow use (``None`` when even one window does not fit).
    Indices in ``dropped_input_indices`` are input rows (or columns, 0-based,
    unpadded) that floor mode never visits.
    """

    input_size: int
    filter_size: int
    stride: int
    pad: int
    dilation: int
    kind: str  # "conv" or "pool"
    dim: str  # "H" or "W"
    effective_filter: int
    numerator: int
    remainder: int
    output_size: int | None
    floor_output_size: int | None
    dropped_input_indices: tuple[int, ...]
    dropped_padding: int
    nearest_pads: tuple[int, ...]
    nearest_strides: tuple[int, ...]
    message: str = field(repr=False)

    @property
    def valid(self) -> bool:
        """True when the book's formula gives a positive whole number."""
        return self.output_size is not None

    @property
    def padded_size(self) -> int:
        """Cells along this axis after padding: ``input_size + 2*pad`` (what explorers draw)."""
        return self.input_size + 2 * self.pad

    @property
    def symbols(self) -> dict:
        """Symbol names for formulas: ``{'in': 'H', 'out': 'OH', 'filter': 'FH'}``."""
        return _symbols(self.kind, self.dim)

    @property
    def status(self) -> str:
        """'valid', 'remainder' (the numerator does not divide by the stride) or 'no-fit' (not even one
        window fits) — what the English message and every translation of it say."""
        if self.numerator < 0:
            return "no-fit"
        return "remainder" if self.remainder else "valid"

    def equation(self) -> str:
        """The book's formula with this axis' numbers plugged in, as far as it goes, e.g.
        ``OH = (4 + 2·1 − 3)/1 + 1 = 3 + 1 = 4`` or ``OH = (5 + 2·0 − 2)/2 + 1 = 3/2 + 1``."""
        s = self.symbols
        eff = str(self.effective_filter)
        if self.dilation != 1:
            eff = f"({self.dilation}·({self.filter_size}−1)+1)"
        head = f"{s['out']} = ({self.input_size} + 2·{self.pad} − {eff})/{self.stride} + 1"
        if self.status == "valid":
            return f"{head} = {self.numerator // self.stride} + 1 = {self.output_size}"
        return f"{head} = {self.numerator}/{self.stride} + 1"

    def formula(self) -> str:
        """:meth:`equation` with its status in English, e.g.
        ``OH = (4 + 2·1 − 3)/1 + 1 = 4`` or ``... = 3/2 + 1 (remainder 1: not a whole number)``."""
        if self.status == "no-fit":
            return f"{self.equation()} (window does not fit)"
        if self.status == "remainder":
            return f"{self.equation()} (remainder {self.remainder}: not a whole number)"
        return self.equation()


def _symbols(kind: str, dim: str) -> dict:
    filt = "F" + dim if kind == "conv" else "pool_" + dim.lower()
    return {"in": dim, "out": "O" + dim, "filter": filt}


def _nearest(candidates, target, count=2):
    """Up to ``count`` candidates closest to ``target`` on each side, sorted."""
    below = sorted((c for c in candidates if c < target), reverse=True)[:count]
    above = sorted(c for c in candidates if c > target)[:count]
    return tuple(sorted(below + above))


def _useful_strides(numerator: int, span: int) -> list[int]:
    """Strides that divide ``numerator`` exactly and do not skip input cells (stride <= the window's
    span ``span``): the ones worth suggesting. Found from the divisors of ``numerator``, so the time
    grows with its square root, not with the input size."""
    if numerator < 0:
        return []
    if numerator == 0:
        return list(range(1, span + 1))  # one window: any stride gives OH = 1
    divisors = set()
    for d in range(1, math.isqrt(numerator) + 1):
        if numerator % d == 0:
            divisors |= {d, numerator // d}
    return sorted(d for d in divisors if d <= span)


def check_output_size(
    input_size: int,
    filter_size: int,
    stride: int = 1,
    pad: int = 0,
    dilation: int = 1,
    *,
    kind: str = "conv",
    dim: str = "H",
) -> SizeCheck:
    """Examine one axis of a convolution (``kind='conv'``) or pooling (``kind='pool'``).

    Never raises for a geometry that is merely invalid (that is what explorers
    show); raises ``TypeError``/``ValueError`` only for arguments that make no
    sense at all (non-integers, ``stride < 1``, ``pad < 0``, sizes < 1).
    """
    if kind not in ("conv", "pool"):
        raise ValueError(f"kind must be 'conv' or 'pool'; got {kind!r}.")
    if dim not in ("H", "W"):
        raise ValueError(f"dim must be 'H' or 'W'; got {dim!r}.")
    input_size = require_int("input_size", input_size, 1)
    filter_size = require_int("filter_size" if kind == "conv" else "pool_size", filter_size, 1)
    stride = require_int("stride", stride, 1)
    pad = require_int("pad", pad, 0)
    dilation = require_int("dilation", dilation, 1)

    eff = effective_filter_size(filter_size, dilation)
    padded = input_size + 2 * pad
    numerator = padded - eff
    remainder = numerator % stride if numerator >= 0 else 0
    exact = numerator // stride + 1 if numerator >= 0 and remainder == 0 else None
    floor = numerator // stride + 1 if numerator >= 0 else None

    # Floor mode: the last window ends at (floor-1)*stride + eff - 1 (padded
    # coordinates); the `remainder` padded cells after it are never visited.
    dropped_input: tuple[int, ...] = ()
    dropped_padding = 0
    if floor is not None and remainder:
        never = range(padded - remainder, padded)
        dropped_input = tuple(i - pad for i in never if pad <= i < pad + input_size)
        dropped_padding = remainder - len(dropped_input)

    # Paddings that give a whole number (search a window around the current one).
    valid_pads = [
        p for p in range(0, pad + 2 * stride + eff + 1)
        if input_size + 2 * p - eff >= 0 and (input_size + 2 * p - eff) % stride == 0
    ]
    nearest_pads = _nearest(valid_pads, pad, 1) if exact is None else ()
    nearest_strides = _nearest(_useful_strides(numerator, eff), stride, 2) if exact is None else ()

    fields = dict(
        input_size=input_size, filter_size=filter_size, stride=stride, pad=pad, dilation=dilation,
        kind=kind, dim=dim, effective_filter=eff, numerator=numerator, remainder=remainder,
        output_size=exact, floor_output_size=floor, dropped_input_indices=dropped_input,
        dropped_padding=dropped_padding, nearest_pads=nearest_pads, nearest_strides=nearest_strides,
    )
    probe = SizeCheck(**fields, message="")
    return SizeCheck(**fields, message=_explain(probe))


def _explain(c: SizeCheck) -> str:
    """A learner-readable sentence for an invalid axis ('' when valid)."""
    if c.valid:
        return ""
    s = c.symbols
    what = "filter" if c.kind == "conv" else "pooling window"
    layer = "Convolution" if c.kind == "conv" else "Pooling"
    axis = {"H": "height", "W": "width"}[c.dim]
    span = f"{c.effective_filter}" if c.dilation == 1 else (
        f"{c.effective_filter} (size {c.filter_size} with dilation {c.dilation})")
    lines = []
    if c.numerator < 0:
        need = -(-(c.effective_filter - c.input_size) // 2)
        lines.append(
            f"{layer} output {axis} {s['out']} cannot be computed: the {what} spans {span} cells but the "
            f"padded input is only {c.input_size} + 2·{c.pad} = {c.input_size + 2 * c.pad} cells "
            f"({s['in']}={c.input_size}, pad={c.pad}), so not even one window fits."
        )
        lines.append(f"Use a smaller {what}, a larger input, or pad ≥ {need}.")
    else:
        lines.append(
            f"{layer} output {axis} is not a whole number: {s['out']} = ({s['in']} + 2P − {s['filter']})/S + 1 "
            f"= ({c.input_size} + 2·{c.pad} − {c.effective_filter})/{c.stride} + 1 = {c.numerator}/{c.stride} + 1. "
            f"{c.numerator} divided by stride {c.stride} leaves remainder {c.remainder}, "
            f"and the book requires {s['out']} to be a whole number."
        )
        fixes = []
        if c.nearest_pads:
            fixes.append("pad=" + " or ".join(str(p) for p in c.nearest_pads))
        elif c.stride % 2 == 0 and c.numerator % 2 == 1:
            lines.append(
                f"No padding can fix it: padding adds 2 cells at a time, so the numerator stays odd "
                f"while stride {c.stride} is even."
            )
        if c.nearest_strides:
            fixes.append("stride=" + " or ".join(str(v) for v in c.nearest_strides))
        if fixes:
            lines.append("Nearest valid settings: " + "; ".join(fixes) + ".")
        dropped = c.dropped_input_indices
        if dropped:
            row = "row" if c.dim == "H" else "column"
            which = f"input {row} {dropped[0]} is" if len(dropped) == 1 else (
                f"input {row}s {', '.join(str(i) for i in dropped)} are")
            lines.append(
                f"Or round down (floor=True) as PyTorch/TensorFlow do: {s['out']} = {c.floor_output_size}, "
                f"and {which} never visited."
            )
        else:
            lines.append(
                f"Or round down (floor=True) as PyTorch/TensorFlow do: {s['out']} = {c.floor_output_size}; "
                f"only padding ({c.dropped_padding} cells) is left unvisited."
            )
    return " ".join(lines)


def _size(kind, input_size, filter_size, stride, pad, dilation, floor, dim) -> int:
    c = check_output_size(input_size, filter_size, stride, pad, dilation, kind=kind, dim=dim)
    if c.valid:
        return c.output_size
    if floor and c.floor_output_size is not None:
        return c.floor_output_size
    raise ValueError(c.message)


def conv_output_size(input_size, filter_size, stride=1, pad=0, dilation=1, *, floor=False, dim="H") -> int:
    """Output size of a convolution along one axis: ``(H + 2P - FH)/S + 1``.

    Raises ``ValueError`` explaining the numbers, the remainder and the nearest
    valid pad/stride when the result is not a positive whole number (unless
    ``floor=True``, which rounds down like PyTorch and TensorFlow).

    >>> conv_output_size(4, 3, stride=1, pad=1)
    4
    >>> conv_output_size(7, 3, stride=2)
    3
    """
    return _size("conv", input_size, filter_size, stride, pad, dilation, floor, dim)


def pool_output_size(input_size, pool_size, stride=1, pad=0, *, floor=False, dim="H") -> int:
    """Output size of a pooling window along one axis — the same formula as
    :func:`conv_output_size`, with the pooling window in place of the filter.
    ``stride`` defaults to 1 as in the book's ``Pooling``; the usual 2x2 pooling
    uses ``stride=2``.

    >>> pool_output_size(4, 2, stride=2)
    2
    """
    return _size("pool", input_size, pool_size, stride, pad, 1, floor, dim)


def conv_output_shape(input_hw, filter_hw, stride=1, pad=0, dilation=1, *, floor=False) -> tuple[int, int]:
    """``(OH, OW)`` for input ``(H, W)`` and filter ``(FH, FW)``; see :func:`conv_output_size`."""
    (h, w), (fh, fw) = input_hw, filter_hw
    return (
        conv_output_size(h, fh, stride, pad, dilation, floor=floor, dim="H"),
        conv_output_size(w, fw, stride, pad, dilation, floor=floor, dim="W"),
    )


def pool_output_shape(input_hw, pool_hw, stride=1, pad=0, *, floor=False) -> tuple[int, int]:
    """``(OH, OW)`` for input ``(H, W)`` and pooling window ``(pool_h, pool_w)``."""
    (h, w), (ph, pw) = input_hw, pool_hw
    return (
        pool_output_size(h, ph, stride, pad, floor=floor, dim="H"),
        pool_output_size(w, pw, stride, pad, floor=floor, dim="W"),
    )


def shape_text(shape, sep: str = ", ") -> str:
    """An array shape as text, the one way every view writes it: ``(1, 30, 24, 24)`` as Python prints
    it (``(100,)`` for one axis), or with ``sep='×'`` the table style ``96×55×55`` (``4096``)."""
    dims = tuple(int(v) for v in shape)
    if sep == ", ":
        return str(dims)
    return sep.join(str(v) for v in dims)
