"""Where the windows of a convolution or pooling fall — the layout every explorer draws.

A :class:`WindowGeometry` holds the two :class:`~cnnlib.shapes.SizeCheck` objects (height
and width) and answers the drawing questions: how many windows (from the checks, never
recomputed), which padded rows/columns window ``(oy, ox)`` reads, and how many windows
read each padded cell (``coverage``; the im2col explorer's copy-count heatmap is the same
map).

When the book's formula is not a whole number but a window still fits, the geometry is
drawn in the frameworks' floor mode (``drawn_in_floor_mode``): the last partial window is
dropped and the rows/columns it would have needed are never visited.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..shapes import SizeCheck, check_output_size

__all__ = ["WindowGeometry", "WindowSettings", "window_geometry", "nearest_window"]


@dataclass(frozen=True)
class WindowGeometry:
    """Both axes of one convolution (``kind='conv'``) or pooling (``kind='pool'``)."""

    h: SizeCheck
    w: SizeCheck

    @property
    def checks(self) -> tuple[SizeCheck, SizeCheck]:
        return (self.h, self.w)

    @property
    def valid(self) -> bool:
        """The book's formula gives whole numbers on both axes."""
        return self.h.valid and self.w.valid

    @property
    def fits(self) -> bool:
        """At least one window fits on both axes (so there is something to draw)."""
        return self.h.floor_output_size is not None and self.w.floor_output_size is not None

    @property
    def drawn_in_floor_mode(self) -> bool:
        """Invalid for the book, but drawable by rounding down as PyTorch/TensorFlow do."""
        return self.fits and not self.valid

    @property
    def out_hw(self) -> tuple[int, int] | None:
        """(OH, OW) as drawn: exact when valid, floor mode when only that works, else None."""
        if self.valid:
            return (self.h.output_size, self.w.output_size)
        if self.fits:
            return (self.h.floor_output_size, self.w.floor_output_size)
        return None

    @property
    def window_count(self) -> int:
        """Number of window positions drawn (OH*OW), 0 when no window fits."""
        hw = self.out_hw
        return hw[0] * hw[1] if hw else 0

    @property
    def padded_hw(self) -> tuple[int, int]:
        return (self.h.padded_size, self.w.padded_size)

    @property
    def pad(self) -> int:
        return self.h.pad

    def position(self, index: int) -> tuple[int, int]:
        """Output cell (oy, ox) of the ``index``-th window in reading order."""
        out_w = self.out_hw[1]
        return divmod(index, out_w)

    @staticmethod
    def _cells(check: SizeCheck, o: int) -> list[int]:
        start = o * check.stride
        return [start + i * check.dilation for i in range(check.filter_size)]

    def window_rows(self, oy: int) -> list[int]:
        """Padded row indices read by the windows of output row ``oy`` (dilation skips rows)."""
        return self._cells(self.h, oy)

    def window_cols(self, ox: int) -> list[int]:
        return self._cells(self.w, ox)

    def span_rows(self, oy: int) -> range:
        """Every padded row between the window's first and last read row (its footprint)."""
        rows = self.window_rows(oy)
        return range(rows[0], rows[-1] + 1)

    def span_cols(self, ox: int) -> range:
        cols = self.window_cols(ox)
        return range(cols[0], cols[-1] + 1)

    def _axis_coverage(self, check: SizeCheck, count: int) -> np.ndarray:
        hits = np.zeros(check.padded_size, dtype=int)
        for o in range(count):
            hits[self._cells(check, o)] += 1
        return hits

    def coverage(self) -> np.ndarray:
        """(H+2P, W+2P) int array: how many windows read each padded cell.

        Windows form a grid, so a cell's count is (windows reading its row) x (windows
        reading its column).
        """
        hw = self.out_hw
        if hw is None:
            return np.zeros(self.padded_hw, dtype=int)
        return np.outer(self._axis_coverage(self.h, hw[0]), self._axis_coverage(self.w, hw[1]))

    def padding_only_windows(self) -> int:
        """How many drawn windows read padding only (possible when the padding is as wide as the window)."""
        hw = self.out_hw
        if hw is None:
            return 0

        def inside(check: SizeCheck, count: int) -> np.ndarray:
            lo, hi = check.pad, check.pad + check.input_size
            return np.array([any(lo <= i < hi for i in self._cells(check, o)) for o in range(count)])

        rows, cols = inside(self.h, hw[0]), inside(self.w, hw[1])
        return int(hw[0] * hw[1] - rows.sum() * cols.sum())

    def unvisited_input_indices(self, dim: str) -> tuple[int, ...]:
        """Input rows (``dim='H'``) or columns (``'W'``) that no window reads, 0-based, unpadded.

        Includes the rows floor mode drops (``SizeCheck.dropped_input_indices``) and rows a
        stride larger than the window (or dilation) skips in between.
        """
        check = self.h if dim == "H" else self.w
        hw = self.out_hw
        if hw is None:
            return tuple(range(check.input_size))
        hits = self._axis_coverage(check, hw[0] if dim == "H" else hw[1])
        p = check.pad
        return tuple(i for i in range(check.input_size) if hits[p + i] == 0)

    def unvisited_input(self) -> np.ndarray:
        """(H, W) bool array: input cells (not padding) that no window reads."""
        p, (H, W) = self.pad, (self.h.input_size, self.w.input_size)
        return self.coverage()[p : p + H, p : p + W] == 0

    def input_marks(self, cell=None) -> dict:
        """Marks for a grid of the padded input (see :mod:`.grid`): 'pad', 'unvisited' (when a
        window fits) and, for output cell ``cell = (oy, ox)``, 'window' (the cells it reads) and
        'span' (cells a dilated window skips)."""
        ph, pw = self.padded_hw
        p = self.pad
        pad = np.ones((ph, pw), dtype=bool)
        pad[p : ph - p, p : pw - p] = False
        marks = {"pad": pad}
        if self.fits:
            unvisited = np.zeros((ph, pw), dtype=bool)
            unvisited[p : ph - p, p : pw - p] = self.unvisited_input()
            marks["unvisited"] = unvisited
        if cell is not None:
            oy, ox = cell
            window = np.zeros((ph, pw), dtype=bool)
            window[np.ix_(self.window_rows(oy), self.window_cols(ox))] = True
            marks["window"] = window
            if self.h.dilation > 1:
                span = np.zeros((ph, pw), dtype=bool)
                span[np.ix_(self.span_rows(oy), self.span_cols(ox))] = True
                marks["span"] = span & ~window
        return marks


@dataclass(frozen=True)
class WindowSettings:
    """The sizes of every window explorer (its controls: :data:`.controls.GEOMETRY`): input ``H`` × ``W``,
    window ``FH`` × ``FW`` (a filter, or a pooling window), padding and stride. The explorers' Settings
    add their own fields (and may change the defaults)."""

    H: int = 4
    W: int = 4
    FH: int = 3
    FW: int = 3
    pad: int = 0
    stride: int = 1

    def window_geometry(self, kind: str = "conv", dilation: int = 1) -> WindowGeometry:
        return window_geometry(self.H, self.W, self.FH, self.FW, self.stride, self.pad, dilation, kind=kind)


def window_geometry(H, W, FH, FW, stride=1, pad=0, dilation=1, *, kind="conv") -> WindowGeometry:
    """Check both axes with :func:`cnnlib.shapes.check_output_size` (never raises for a merely
    invalid geometry; raises for nonsense such as ``stride=0``)."""
    return WindowGeometry(
        h=check_output_size(H, FH, stride, pad, dilation, kind=kind, dim="H"),
        w=check_output_size(W, FW, stride, pad, dilation, kind=kind, dim="W"),
    )


def nearest_window(i: int, check: SizeCheck, count: int) -> int:
    """Along one axis: the window (0..count-1) whose span is centred nearest to padded cell ``i`` — the
    window a click on an input cell selects."""
    centre = (check.effective_filter - 1) / 2
    return int(min(max(round((i - centre) / check.stride), 0), count - 1))
