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
from dataclasses import dataclass

from . import size_messages

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
    ``dropped_input`` (a ``range``) holds the input rows (or columns, 0-based, unpadded)
    that floor mode never visits, always the last ones; ``dropped_input_indices`` is the same as a tuple.
    ``nearest_pads``/``nearest_strides`` are the closest settings that make the axis valid.
    The sentences (``message``, :meth:`equation`, :meth:`formula`) come from :mod:`cnnlib.size_messages`.
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
    dropped_input: range
    dropped_padding: int
    nearest_pads: tuple[int, ...]
    nearest_strides: tuple[int, ...]

    @property
    def valid(self) -> bool:
        """True when the book's formula gives a positive whole number."""
        return self.output_size is not None

    @property
    def padded_size(self) -> int:
        """Cells along this axis after padding: ``input_size + 2*pad`` (what explorers draw)."""
        return self.input_size + 2 * self.pad

    @property
    def dropped_input_indices(self) -> tuple[int, ...]:
        """:attr:`dropped_input` as a tuple (built when asked: it is as long as the rows it names, so for
        sizes beyond any image use the range)."""
        return tuple(self.dropped_input)

    @property
    def status(self) -> str:
        """'valid', 'remainder' (the numerator does not divide by the stride) or 'no-fit' (not even one
        window fits) — what the English message and every translation of it say."""
        if self.numerator < 0:
            return "no-fit"
        return "remainder" if self.remainder else "valid"

    @property
    def symbols(self) -> dict:
        """Symbol names for formulas: ``{'in': 'H', 'out': 'OH', 'filter': 'FH'}``."""
        return size_messages.symbols(self.kind, self.dim)

    @property
    def message(self) -> str:
        """What is wrong and how to fix it, in English ('' when valid)."""
        return size_messages.explain(self)

    def equation(self) -> str:
        """The book's formula with this axis' numbers, e.g. ``OH = (4 + 2·1 − 3)/1 + 1 = 3 + 1 = 4``."""
        return size_messages.equation(self)

    def formula(self) -> str:
        """:meth:`equation` with its status in English."""
        return size_messages.formula(self)


# Strides are suggested from this many values on each side of the current one (and 1, which always
# divides): a constant amount of work, however large the numbers (a search over every divisor of the
# numerator takes seconds for an input of 10**16).
STRIDE_SEARCH = 64


def _nearest_pads(input_size: int, eff: int, stride: int, pad: int) -> tuple[int, ...]:
    """The closest valid pad below and above ``pad``: those ``p >= 0`` with ``input_size + 2p - eff >= 0``
    and divisible by ``stride``. Solved as a congruence ``2p = eff - input_size (mod stride)``, so the
    answer is arithmetic, never a search."""
    g = math.gcd(2, stride)
    r = (eff - input_size) % stride
    if r % g:
        return ()  # an odd numerator and an even stride: padding adds 2 cells at a time
    period = stride // g
    p0 = (r // g) * pow(2 // g, -1, period) % period if period > 1 else 0  # every valid pad is p0 + k*period
    lowest = max(0, -(-(eff - input_size) // 2))  # below it not even one window fits
    above = max(pad + 1, lowest)
    above += (p0 - above) % period
    below = (pad - 1) - (pad - 1 - p0) % period
    return tuple(p for p in (below, above) if p >= lowest)


def _nearest_strides(numerator: int, span: int, stride: int) -> tuple[int, ...]:
    """Up to two strides on each side of ``stride`` that divide ``numerator`` exactly and do not skip
    input cells (stride <= the window's span ``span``), looked for within :data:`STRIDE_SEARCH` of it."""
    if numerator < 0:
        return ()
    fits = lambda s: numerator % s == 0  # noqa: E731  (numerator 0: one window, any stride)
    top = min(stride - 1, span)
    below = [s for s in range(top, max(0, top - STRIDE_SEARCH), -1) if fits(s)][:2]
    if len(below) < 2 and 1 < stride and 1 not in below:
        below.append(1)  # beyond the search, 1 always fits
    above = [s for s in range(stride + 1, min(span, stride + STRIDE_SEARCH) + 1) if fits(s)][:2]
    return tuple(sorted(below + above))


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
    Takes the same (short) time for any numbers: nothing here loops over a size.
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
    numerator = input_size + 2 * pad - eff
    remainder = numerator % stride if numerator >= 0 else 0
    exact = numerator // stride + 1 if numerator >= 0 and remainder == 0 else None
    floor = numerator // stride + 1 if numerator >= 0 else None

    # Floor mode: the last window ends `remainder` cells before the padded input's end, and those cells
    # are never visited: the last input rows, then the padding after them.
    first = min(max(0, input_size + pad - remainder), input_size)
    dropped_input = range(first, input_size) if floor is not None else range(0)
    dropped_padding = remainder - (input_size - first) if floor is not None else 0

    return SizeCheck(
        input_size=input_size, filter_size=filter_size, stride=stride, pad=pad, dilation=dilation,
        kind=kind, dim=dim, effective_filter=eff, numerator=numerator, remainder=remainder,
        output_size=exact, floor_output_size=floor, dropped_input=dropped_input,
        dropped_padding=dropped_padding,
        nearest_pads=_nearest_pads(input_size, eff, stride, pad) if exact is None else (),
        nearest_strides=_nearest_strides(numerator, eff, stride) if exact is None else (),
    )


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
