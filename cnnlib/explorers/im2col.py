"""The im2col explorer (7.4): from sliding windows to one matrix product, forward and backward.

Four views (the ``mode`` control), all for small seeded integers:

* ``conv`` — convolution forward: the input (per sample and channel), the im2col matrix
  ``col`` (N·OH·OW rows × C·FH·FW columns, grouped by sample), the filters as a
  (C·FH·FW, FN) matrix ``col_W``, the product ``col @ col_W + b``, and the reshape +
  transpose back to (N, FN, OH, OW);
* ``conv-backward`` — dout → ``dcol = dout @ col_W.T`` → ``col2im`` → dx, with the list of
  ``dcol`` entries one input cell receives (why col2im *adds*) and col2im(im2col(x)) =
  copy count ⊙ x (why it is not im2col's inverse);
* ``pool`` — max pooling the book's way: im2col, one row per window and channel, the max of
  each row (:class:`cnnlib.Pooling`, the book's route; tests/ check it against :class:`cnnlib.fast_layers.FastPooling`);
* ``pool-backward`` — each gradient routed to its row's argmax cell, then ``col2im``.

**Linked highlighting**: the ``position`` control is the im2col row r (Play walks through the
rows, sample by sample); the pickers *sample n / output row oy / output column ox* choose the
same thing by output cell. The window in the input, row r of every matrix and the output cell
light up together. Long matrices keep each sample's first and last row and the rows around r.

The ``memory`` part shows how many times im2col copies each (padded) input cell — the same
map as the overlap counts of col2im — and the bytes of the matrix against the input's.

Clicking an input cell, a row of a matrix or an output cell selects that window (the sliders follow).
The views are in :mod:`.im2col_conv` and :mod:`.im2col_pool`; this module holds the settings, the
controls and pickers, the shapes and the memory view.

Controls N, C, H, W, FH, FW, pad, stride and FN are the convolution explorer's (same ranges,
same labels); formulas and explanations of invalid settings come from :mod:`.explain`; every
number shown comes from cnnlib's ``im2col``, ``col2im`` and layers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..htmlkit.grid import COL_LIMIT, fitting_size, grid_html
from ..htmlkit.layout import fold, line, notice, row
from ..htmlkit.style import attrs
from ..shapes import shape_text
from .base import Explorer
from .controls import CONV_CONTROLS, Control, NumberBox
from .examples import conv_data, im2col_data
from .explain import formula_html, geometry_report_html
from .geometry import WindowGeometry, WindowSettings, nearest_window
from .im2col_conv import backward_html, conv_numbers, forward_html
from .im2col_parts import Frame, agree, inputs_html
from .im2col_pool import pool_html, pool_numbers

__all__ = ["Im2colSettings", "Im2colView", "Im2colExplorer", "MODES", "CONTROLS", "PICKERS"]

MODES = (
    ("합성곱 순전파", "conv"),
    ("합성곱 역전파", "conv-backward"),
    ("최대 풀링 순전파", "pool"),
    ("최대 풀링 역전파", "pool-backward"),
)
_CONV = {c.name: c for c in CONV_CONTROLS}
CONTROLS = (
    Control("mode", "보기", options=MODES, hint="view"),
    replace(_CONV["N"], row="basic"),
    replace(_CONV["C"], row="basic"),
    _CONV["H"], _CONV["W"], _CONV["FH"], _CONV["FW"], _CONV["pad"], _CONV["stride"],
    replace(_CONV["FN"], row="basic"),
    # the im2col row; its largest value: N*OH*OW at the largest settings (3 * 18 * 18 rows)
    Control("position", "im2col 행 r", 0, 971, row="bar", hint="im2col row", track=200),
)
_MAX = {c.name: c.hi for c in CONTROLS if not c.options}
PICKERS = (("sample", "데이터 n"), ("oy", "출력 행 oy"), ("ox", "출력 열 ox"))
# the sizes' labels in the pooling views: the window is a pooling window, not a filter
POOL_LABELS = {"FH": "풀링 높이 FH", "FW": "풀링 너비 FW"}


@dataclass(frozen=True)
class Im2colSettings(WindowSettings):
    """Every control of the im2col explorer. The defaults: two samples of the book's 그림 7-3
    setting (4x4 input, 3x3 filter: :class:`.geometry.WindowSettings`), two filters — an 8 x 9 im2col
    matrix."""

    mode: str = "conv"
    N: int = 2
    C: int = 1
    FN: int = 2
    position: int = 0


@dataclass(frozen=True)
class Im2colView:
    """What the explorer shows for one settings value: HTML parts and the numbers behind them
    (``numbers`` is :class:`.im2col_conv.ConvNumbers` or :class:`.im2col_pool.PoolNumbers`, ``None``
    when no window fits)."""

    formula: str
    shapes: str
    explanation: str
    matrix: str
    memory: str
    geometry: WindowGeometry
    input: np.ndarray            # x (N, C, H, W) of this mode
    row: int | None              # the current im2col row r
    cell: tuple | None           # (n, oy, ox) of row r
    counts: np.ndarray | None    # copies of each padded input cell (H+2P, W+2P)
    numbers: object
    window_count: int            # rows of the im2col matrix (window positions in the batch)

    def __getattr__(self, name):
        """The numbers' fields (col, col_W, product, output, dout, dcol, dx, col_pool, arg_max, focus,
        focus_terms, agrees) read as the view's own; None when this mode does not compute them."""
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.numbers, name, None)


class Im2colExplorer(Explorer):
    """Interactive im2col; see the module docstring. ``seed`` picks the data beyond the book's
    corner; settings may be passed as keyword arguments (``Im2colExplorer(mode='pool')``)."""

    Settings = Im2colSettings
    CONTROLS = CONTROLS
    PARTS = ("formula", "explanation", "matrix", "shapes", "memory")
    LAYOUT = (("formula", "explanation"), ("matrix",), ("shapes", "memory"))
    css_prefix = "cnnlib-im2col"

    def __init__(self, seed: int = 0, **settings):
        super().__init__(**settings)
        self.pickers: dict = {}
        n, c, fn = _MAX["N"], _MAX["C"], _MAX["FN"]
        self.x_all, self.W_all, self.b_all = conv_data(n, c, _MAX["H"], _MAX["W"], fn, _MAX["FH"], _MAX["FW"], seed)
        big = _MAX["H"] + 2 * _MAX["pad"]  # the most output rows (1x1 filter, stride 1)
        self.dout_all, self.xp_all, self.doutp_all = im2col_data(n, c, _MAX["H"], _MAX["W"], fn, big, seed)

    # ---- settings → numbers ---------------------------------------------------------------

    @staticmethod
    def is_pool(s) -> bool:
        return s.mode.startswith("pool")

    def geometry(self, s: Im2colSettings) -> WindowGeometry:
        return s.window_geometry("pool" if self.is_pool(s) else "conv")

    def view_window_count(self, s) -> int:
        return s.N * self.geometry(s).window_count

    def input(self, s: Im2colSettings) -> np.ndarray:
        """x (N, C, H, W): the convolution data (그림 7-3 in the corner) or the pooling data (그림 7-14)."""
        x = self.xp_all if self.is_pool(s) else self.x_all
        return x[: s.N, : s.C, : s.H, : s.W]

    def filters(self, s: Im2colSettings):
        """W (FN, C, FH, FW) and b (FN,)."""
        return self.W_all[: s.FN, : s.C, : s.FH, : s.FW], self.b_all[: s.FN]

    def row_index(self, s: Im2colSettings, n: int, oy: int, ox: int) -> int:
        """The im2col row of output cell (oy, ox) of sample n: ``n*OH*OW + oy*OW + ox``."""
        OH, OW = self.geometry(s).out_hw
        if not (0 <= n < s.N and 0 <= oy < OH and 0 <= ox < OW):
            raise ValueError(f"(n, oy, ox) = {(n, oy, ox)} is outside N = {s.N}, OH = {OH}, OW = {OW}.")
        return n * OH * OW + oy * OW + ox

    # ---- the pure view ---------------------------------------------------------------------

    def view(self, settings: Im2colSettings | None = None) -> Im2colView:
        s = settings or self.settings()
        self.check_settings(s)
        geom = self.geometry(s)
        x = self.input(s)
        formula = (f"<div{attrs(f'{self.css_prefix}-formula-lines')}>"
                   + "".join(formula_html(c) for c in geom.checks) + "</div>")
        explanation = geometry_report_html(geom, css_class=f"{self.css_prefix}-report")
        if not geom.fits:
            frame = Frame(s, geom, x, 0, None, self.css_prefix)
            matrix = (inputs_html(frame, cell=False)
                      + notice("윈도우가 들어가지 않아 im2col 행렬을 만들 수 없습니다 (행이 0개).", tone="error",
                               css_class=f"{self.css_prefix}-no-window"))
            memory = notice("윈도우가 들어가지 않아 복사되는 칸이 없습니다.", tone="info",
                            css_class=f"{self.css_prefix}-memory-panel")
            return Im2colView(formula, self._shapes_html(s, geom), explanation, matrix, memory, geom, x, None, None,
                              None, None, 0)

        OH, OW = geom.out_hw
        r = min(s.position, s.N * OH * OW - 1)
        n, rest = divmod(r, OH * OW)
        frame = Frame(s, geom, x, r, (n, *divmod(rest, OW)), self.css_prefix)
        backward = s.mode.endswith("backward")
        if self.is_pool(s):
            numbers = pool_numbers(frame, self.doutp_all, backward)
            frame = replace(frame, size=self._size(frame, numbers.col_pool, numbers.output))
            matrix = pool_html(frame, numbers, backward)
        else:
            Wt, b = self.filters(s)
            numbers = conv_numbers(frame, Wt, b, self.dout_all, backward)
            frame = replace(frame, size=self._size(frame, numbers.col, numbers.output))
            matrix = (backward_html if backward else forward_html)(frame, numbers)
        counts = geom.coverage()
        return Im2colView(formula, self._shapes_html(s, geom), explanation, matrix,
                          self._memory_html(s, geom, x, counts, numbers.col), geom, x, r, frame.cell, counts,
                          numbers, s.N * OH * OW)

    @staticmethod
    def _size(f: Frame, matrix, output) -> str:
        """One cell size for the view's grids: the largest at which a sample's input channels, the matrix
        (as many columns as it shows) and a sample's outputs each fit the page."""
        n, p = f.cell[0], f.s.pad
        inputs = [(np.pad(f.x[n, c], p), 2) for c in range(f.s.C)]
        return fitting_size(inputs, [(matrix[:2, :COL_LIMIT], 14)], [(o, 0) for o in output[n]])

    # ---- shapes and memory ------------------------------------------------------------------------

    def _shapes_html(self, s, geom) -> str:
        N, C, H, W, FH, FW, FN = s.N, s.C, s.H, s.W, s.FH, s.FW, s.FN
        x = f"x (N, C, H, W) = <b>{shape_text((N, C, H, W))}</b>"
        if not geom.fits:
            body = line(x) + line("출력 (OH, OW)와 im2col 행렬: <b>계산할 수 없음</b>")
            return (f"<div{attrs(f'{self.css_prefix}-shape-lines')}>"
                    + fold("형상: im2col 행렬을 만들 수 없음", body, data_key="shapes") + "</div>")
        OH, OW = geom.out_hw
        rows, K = N * OH * OW, C * FH * FW
        col = (f"col = im2col(x, {FH}, {FW}, stride={s.stride}, pad={s.pad}): (N·OH·OW, C·FH·FW) = "
               f"({N}·{OH}·{OW}, {C}·{FH}·{FW}) = <b>{shape_text((rows, K))}</b>")
        floor = (" — 내림 모드의 크기 (책의 식으로는 정수가 아님)" if geom.drawn_in_floor_mode else "")
        if s.mode == "conv":
            lines = [x, col + floor,
                     f"W (FN, C, FH, FW) = {shape_text((FN, C, FH, FW))} → col_W = W.reshape(FN, −1).T: "
                     f"(C·FH·FW, FN) = <b>{shape_text((K, FN))}</b>",
                     f"col @ col_W + b: <b>{shape_text((rows, FN))}</b> → reshape(N, OH, OW, FN) = {shape_text((N, OH, OW, FN))} "
                     f"→ transpose(0, 3, 1, 2) → (N, FN, OH, OW) = <b>{shape_text((N, FN, OH, OW))}</b>"]
        elif s.mode == "conv-backward":
            lines = [x + f" · 순전파가 저장한 col {shape_text((rows, K))}, col_W {shape_text((K, FN))}" + floor,
                     f"dout (N, FN, OH, OW) = {shape_text((N, FN, OH, OW))} → transpose(0, 2, 3, 1).reshape(−1, FN) = "
                     f"<b>{shape_text((rows, FN))}</b>",
                     f"dcol = dout @ col_W.T: {shape_text((rows, FN))} @ {shape_text((FN, K))} = <b>{shape_text((rows, K))}</b> "
                     "(im2col 행렬과 같은 모양)",
                     f"dx = col2im(dcol, x.shape, {FH}, {FW}, stride={s.stride}, pad={s.pad}) = <b>{shape_text((N, C, H, W))}</b>",
                     f"dW = (col.T @ dout).T.reshape(FN, C, FH, FW) = {shape_text((FN, C, FH, FW))}, "
                     f"db = dout.sum(axis=(0, 2, 3)) = {shape_text((FN,))}"]
        else:
            P = FH * FW
            lines = [x + f" · 풀링 윈도우 FH×FW = {FH}×{FW}", col + floor,
                     f"col.reshape(−1, FH·FW) = (N·OH·OW·C, FH·FW) = <b>{shape_text((rows * C, P))}</b>: 행마다 한 채널의 윈도우 하나"]
            if s.mode == "pool":
                lines.append(f"max(axis=1): {shape_text((rows * C,))} → reshape(N, OH, OW, C) = {shape_text((N, OH, OW, C))} "
                             f"→ transpose(0, 3, 1, 2) → (N, C, OH, OW) = <b>{shape_text((N, C, OH, OW))}</b>")
            else:
                lines += [f"dout (N, C, OH, OW) = {shape_text((N, C, OH, OW))} → transpose(0, 2, 3, 1) → "
                          f"dmax {shape_text((rows * C, P))}: 행마다 argmax 칸에만 기울기",
                          f"dcol = dmax.reshape(N·OH·OW, C·FH·FW) = {shape_text((rows, K))} → col2im → dx "
                          f"<b>{shape_text((N, C, H, W))}</b>"]
        body = "".join(line(t) for t in lines)
        return (f"<div{attrs(f'{self.css_prefix}-shape-lines')}>"
                + fold(f"형상: x {shape_text((N, C, H, W))} → im2col 행렬 {shape_text((rows, K))}", body,
                       data_key="shapes") + "</div>")

    def _memory_html(self, s, geom, x, counts, col) -> str:
        p = s.pad
        inner = counts[p : p + s.H, p : p + s.W]
        pad_copies = int(counts.sum() - inner.sum())
        labels_r = [""] * p + [str(i) for i in range(s.H)] + [""] * p
        labels_c = [""] * p + [str(i) for i in range(s.W)] + [""] * p
        heat = grid_html(counts, role="copy-counts", heat=counts / max(counts.max(), 1),
                         title="복사 횟수: 각 칸이 im2col 행렬에 들어간 횟수 (= col2im이 더하는 개수)",
                         row_labels=labels_r, col_labels=labels_c,
                         note="이름 없는 가장자리 줄 = 패딩. 모든 데이터·채널이 같은 지도입니다.")
        ratio = col.nbytes / x.nbytes
        lines = [
            f"입력 x {shape_text(x.shape)}: {x.size}개 × {x.itemsize}바이트 = <b>{x.nbytes:,} B</b>",
            f"im2col 행렬 {shape_text(col.shape)}: {col.size}개 × {col.itemsize}바이트 = <b>{col.nbytes:,} B</b> "
            f"→ 입력의 <b>{ratio:.2f}배</b>",
            f"입력 칸 하나는 평균 {inner.sum() / inner.size:.2f}번, 많게는 {int(inner.max())}번 복사됩니다"
            + (f"; 패딩의 0도 채널마다 {pad_copies}번 복사됩니다." if p else "."),
            f"복사 횟수의 합 × N·C = {int(counts.sum())} × {s.N * s.C} = {int(counts.sum()) * s.N * s.C} "
            f"= 행렬의 원소 수 {col.size} {agree(int(counts.sum()) * s.N * s.C == col.size)}",
        ]
        text_ = "".join(line(t, f"{self.css_prefix}-bytes" if i < 2 else "") for i, t in enumerate(lines))
        body = row(heat, f"<div>{text_}</div>", align="flex-start")
        return (f"<div{attrs(f'{self.css_prefix}-memory-panel')}>"
                + fold(f"메모리: im2col 행렬은 입력의 {ratio:.2f}배 — 겹치는 칸을 여러 번 복사합니다", body,
                       data_key="memory") + "</div>")

    # ---- widget: pickers linked to the row ---------------------------------------------------

    def _controls(self):
        """The controls, and in the bar beside Play and the row slider the output cell in three number boxes."""
        controls, bar = super()._controls()
        for name, description in PICKERS:
            self.pickers[name] = NumberBox(self.css_prefix, name, self._picked, self.looks, description=description)
            self.pickers[name].box.add_class(f"{self.css_prefix}-picker")
            self.pickers[name].box.add_class(f"{self.css_prefix}-pick-{name}")
        items = list(bar.children)
        at = items.index(self.numbers["position"].widget) + 1
        bar.children = items[:at] + [w for p in self.pickers.values() for w in p.synced] + items[at:]
        return controls, bar

    def _clear_notes(self) -> None:
        super()._clear_notes()
        for p in self.pickers.values():
            p.note.value = ""

    def _synced_widgets(self) -> list:
        return super()._synced_widgets() + [w for p in self.pickers.values() for w in p.synced]

    def _current(self) -> tuple[dict, dict]:
        parts, values = super()._current()
        return parts, values | {f"{self.css_prefix}-pick-{name}": p.value for name, p in self.pickers.items()}

    def _adjust_controls(self, s) -> None:
        """In the pooling views FH and FW are the pooling window's size, and there is no FN; the pickers
        show row r as (n, oy, ox)."""
        pool = self.is_pool(s)
        for name, label in POOL_LABELS.items():
            self.controls[name].description = label if pool else _CONV[name].description
        (self.numbers["FN"].widget.add_class if pool else self.numbers["FN"].widget.remove_class)("cnnlib-hidden")
        self._sync_pickers(s)

    def select(self, s, grid, row_, col) -> dict:
        """A click on an input cell (the window centred nearest to it), a row of a matrix, or an output
        cell selects that im2col row; a cell of a grid these settings do not draw (an older N) nothing."""
        geom = self.geometry(s)
        if not geom.fits:
            return {}
        kind, *idx = grid.split(":")
        OH, OW = geom.out_hw
        n = int(idx[0]) if idx else 0
        if kind in ("im2col", "product", "dout-matrix", "dcol"):
            r = row_
        elif kind == "pool-rows":
            r = row_ // s.C
        elif col < 0 or not 0 <= n < s.N:
            return {}
        elif kind in ("output", "dout") and 0 <= row_ < OH and 0 <= col < OW:
            r = self.row_index(s, n, row_, col)
        elif kind == "input":
            r = self.row_index(s, n, nearest_window(row_, geom.h, OH), nearest_window(col, geom.w, OW))
        else:
            return {}
        return {"position": r} if 0 <= r < s.N * OH * OW else {}

    def _sync_pickers(self, s) -> None:
        """Show row r as (n, oy, ox) on the pickers, with ranges N, OH, OW."""
        geom = self.geometry(s)
        if geom.fits:
            OH, OW = geom.out_hw
            r = min(s.position, s.N * OH * OW - 1)
            n, rest = divmod(r, OH * OW)
            state = {"sample": (s.N - 1, n), "oy": (OH - 1, rest // OW), "ox": (OW - 1, rest % OW)}
        else:
            state = {name: (0, 0) for name, _ in PICKERS}
        for name, (hi, value) in state.items():
            p = self.pickers[name]
            p.hi = hi
            p.show(value)
            p.box.disabled = hi == 0

    def _picked(self, picker, text: str) -> None:
        """A number typed into a picker: the row of that output cell (or, for a value it cannot take, the
        note beside the picker)."""
        value, note = picker.read(text)
        s = self.settings()
        with self._held():
            self._clear_notes()
            if value is not None and value != picker.value and self.geometry(s).fits:
                cell = {name: p.value for name, p in self.pickers.items()} | {picker.name: value}
                self._change({"position": self.row_index(s, cell["sample"], cell["oy"], cell["ox"])})
            picker.show(picker.value)      # the value in use (the new one, or the last valid one)
            picker.note.value = note

    def pick(self, **values) -> None:
        """Type into the pickers (``sample``, ``oy``, ``ox``) as a learner would; the row follows."""
        self.widget
        for name, value in values.items():
            if name not in self.pickers:
                raise ValueError(f"no picker named {name!r}; pickers: {', '.join(self.pickers)}.")
            self.pickers[name].box.value = str(value)

    def describe(self, s) -> str:
        return (f"mode={s.mode}, N={s.N}, C={s.C}, H={s.H}, W={s.W}, FH={s.FH}, FW={s.FW}, P={s.pad}, "
                f"S={s.stride}, FN={s.FN}, r={s.position}")
