"""The pooling explorer (7.3): max or average pooling, window by window.

Shown live, for seeded small integers whose top-left corner is the book's example
(그림 7-14: 4x4 input, 2x2 max pooling with stride 2 → [[2, 3], [4, 2]]):

* per channel, the padded input with the current window, and — for max pooling — the cell
  that won (the one :class:`cnnlib.Pooling` records in ``arg_max``, so backward sends the
  gradient there); the output with the current cell;
* the window's numbers and their max or average next to the layer's output value;
* the shapes (N, C, H, W) → (N, C, OH, OW): no parameters, channels unchanged;
* the book's formula with the current numbers and, for an invalid setting, the same
  explanation as the convolution explorer (:mod:`cnnlib.explorers.explain`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..htmlkit.grid import fitting_size, format_number, grid_html, legend_html
from ..htmlkit.layout import fold, line, notice, panel, row, stage, text
from ..htmlkit.style import attrs
from ..layers import Pooling
from ..shapes import shape_text
from .base import Explorer
from .controls import GEOMETRY, POOL_WINDOW, Control
from .examples import pool_data
from .explain import formula_html, geometry_report_html
from .geometry import WindowGeometry, WindowSettings, nearest_window

__all__ = ["PoolSettings", "PoolView", "PoolExplorer", "CONTROLS"]


METHODS = (("최대 (max)", "max"), ("평균 (average)", "average"))
_G = {c.name: c for c in GEOMETRY}
CONTROLS = (
    _G["H"], _G["W"], *POOL_WINDOW,     # the input sizes of the convolution explorer; the book's pool_h, pool_w
    replace(_G["pad"], hi=2), _G["stride"],
    Control("method", "방법", options=METHODS, hint="pooling method"),    # (max or average: what 7.3 is about)
    Control("C", "채널 C", 1, 3, row="advanced", hint="channels"),
    # the largest window count: 12x12 input, padding 2, 1x1 window, stride 1 -> 16*16 positions
    Control("position", "윈도우 위치", 0, 255, row="bar", hint="window position"),
)
_MAX = {c.name: c.hi for c in CONTROLS}


@dataclass(frozen=True)
class PoolSettings(WindowSettings):
    """Every control of the pooling explorer; the defaults are the book's 그림 7-14. The pooling window
    is ``FH`` × ``FW`` (the book's ``pool_h``, ``pool_w``, as the controls say)."""

    FH: int = 2
    FW: int = 2
    stride: int = 2
    method: str = "max"
    C: int = 1
    position: int = 0


@dataclass(frozen=True)
class PoolView:
    """What the explorer shows for one settings value: HTML parts and the numbers behind them."""

    formula: str
    shapes: str
    explanation: str
    grids: str
    legend: str
    detail: str
    geometry: WindowGeometry
    input_shape: tuple
    out_shape: tuple | None       # (N, C, OH, OW), None when no window fits
    output: np.ndarray | None     # the layer's output
    cell: tuple | None            # (oy, ox) of the current output cell
    winners: tuple | None         # per channel: padded (row, col) of the max, or None (average)
    window_values: tuple | None   # the layer-independent value per channel, as shown
    window_count: int



class PoolExplorer(Explorer):
    """Interactive pooling; see the module docstring."""

    Settings = PoolSettings
    CONTROLS = CONTROLS
    PARTS = ("formula", "explanation", "grids", "detail", "legend", "shapes")
    # the window's calculation first, next to the controls; then the grids it comes from
    LAYOUT = (("formula", "explanation"), ("detail",), ("grids",), ("legend", "shapes"))
    css_prefix = "cnnlib-pool"

    def __init__(self, seed: int = 0, **settings):
        super().__init__(**settings)
        self.x_all = pool_data(1, _MAX["C"], _MAX["H"], _MAX["W"], seed)

    def arrays(self, s: PoolSettings) -> np.ndarray:
        return self.x_all[:, : s.C, : s.H, : s.W]

    def geometry(self, s: PoolSettings) -> WindowGeometry:
        return s.window_geometry("pool")

    def view_window_count(self, s) -> int:
        return self.geometry(s).window_count

    def view(self, settings: PoolSettings | None = None) -> PoolView:
        s = settings or self.settings()
        self.check_settings(s)
        geom = self.geometry(s)
        x = self.arrays(s)

        out_shape = output = cell = arg_max = None
        if geom.fits:
            layer = Pooling(s.FH, s.FW, s.stride, s.pad, method=s.method, floor=geom.drawn_in_floor_mode)
            out_shape = layer.output_shape(x.shape)
            output = layer.forward(x)
            if s.method == "max":  # the book's flat arg_max has one row per (n, oh, ow, c)
                arg_max = layer.arg_max.reshape(out_shape[0], out_shape[2], out_shape[3], out_shape[1])
            cell = geom.position(min(s.position, geom.window_count - 1))

        winners = windows = window_values = None
        if cell is not None:
            oy, ox = cell
            rows, cols = geom.window_rows(oy), geom.window_cols(ox)
            windows = [(np.pad(x[0, c], s.pad) if s.pad else x[0, c])[np.ix_(rows, cols)].ravel() for c in range(s.C)]
            window_values = tuple(float(w.max()) if s.method == "max" else float(w.sum() / w.size) for w in windows)
            if s.method == "max":
                # the layer's choice (arg_max: index of the winning cell in reading order)
                winners = tuple((rows[0] + k // s.FW, cols[0] + k % s.FW)
                                for k in (int(arg_max[0, oy, ox, c]) for c in range(s.C)))

        formula = (f"<div{attrs(f'{self.css_prefix}-formula-lines')}>"
                   + "".join(formula_html(c) for c in geom.checks) + "</div>")
        legend = ["window", "pad", "current", "unvisited"] + (["winner"] if s.method == "max" else [])
        return PoolView(formula=formula, shapes=self._shapes_html(x.shape, out_shape, geom.drawn_in_floor_mode),
                        explanation=geometry_report_html(geom, css_class=f"{self.css_prefix}-report"),
                        grids=self._grids_html(s, geom, x, output, cell, winners), legend=legend_html(legend),
                        detail=self._detail_html(s, geom, output, cell, windows, window_values),
                        geometry=geom, input_shape=x.shape, out_shape=out_shape, output=output, cell=cell,
                        winners=winners, window_values=window_values, window_count=geom.window_count)

    def _shapes_html(self, x_shape, out_shape, floor=False) -> str:
        out = f"<b>{shape_text(out_shape)}</b>" if out_shape else "<b>계산할 수 없음</b>"
        if out_shape and floor:
            out += " — 내림 모드의 크기 (책의 식으로는 정수가 아님)"
        lines = [
            f"입력 (N, C, H, W) = <b>{shape_text(x_shape)}</b> → 출력 (N, C, OH, OW) = {out}",
            "학습할 매개변수: <b>없음</b> · 채널 수 C는 그대로 (채널마다 따로 풀링)",
        ]
        summary = f"형상: {shape_text(x_shape)} → {shape_text(out_shape) if out_shape else '계산할 수 없음'}"
        return (f"<div{attrs(f'{self.css_prefix}-shape-lines')}>"
                + fold(summary, "".join(line(t) for t in lines), data_key="shapes") + "</div>")

    def _grids_html(self, s, geom, x, output, cell, winners) -> str:
        p = s.pad
        base = geom.input_marks(cell)  # pad, never-visited and window cells (pooling has no dilation)
        row_labels = [""] * p + [str(i) for i in range(s.H)] + [""] * p
        col_labels = [""] * p + [str(i) for i in range(s.W)] + [""] * p
        padded = [np.pad(x[0, c], p) if p else x[0, c] for c in range(s.C)]
        # one cell size: the largest at which the channels' inputs (and outputs) fit the page side by side
        size = fitting_size([(v, 2) for v in padded], [(output[0, c], 0) for c in range(s.C)] if output is not None else [])
        inputs, outputs = [], []
        for c in range(s.C):
            marks = dict(base)
            if winners is not None:
                marks["winner"] = [winners[c]]
            inputs.append(grid_html(padded[c], marks=marks, role="input", title=f"입력 채널 {c}", row_labels=row_labels,
                                    col_labels=col_labels, pick=f"input:{c}", size=size))
            if output is not None:
                outputs.append(grid_html(output[0, c], marks={"current": [cell]}, role="output",
                                         title=f"출력 채널 {c}", pick=f"output:{c}", size=size))
        # inputs, then outputs: side by side when they fit, the outputs under the inputs when not
        body = stage(row(*inputs, align="flex-start"), *(["→", row(*outputs, align="flex-start")] if outputs else []))
        name = "최대 풀링" if s.method == "max" else "평균 풀링"
        title = f"{name}: {s.FH}×{s.FW} 윈도우, 스트라이드 {s.stride}, 패딩 {p}"
        return f"<div{attrs(f'{self.css_prefix}-grid-panels')}>" + panel(title, body) + "</div>"

    def _detail_html(self, s, geom, output, cell, windows, window_values) -> str:
        if cell is None:
            return notice("윈도우가 들어가지 않아 계산할 출력 칸이 없습니다.", tone="error",
                          css_class=f"{self.css_prefix}-no-window")
        oy, ox = cell
        lines = []
        for c, (window, value) in enumerate(zip(windows, window_values)):
            numbers = ", ".join(format_number(v) for v in window)
            if s.method == "max":
                shown = f"max({numbers}) = <b>{format_number(value)}</b>"
            else:
                shown = (f"({' + '.join(format_number(v) for v in window)}) / {window.size} = "
                         f"{format_number(window.sum())}/{window.size} = <b>{format_number(value)}</b>")
            layer_value = float(output[0, c, oy, ox])
            agree = "✓ 같음" if np.isclose(value, layer_value) else "✗ 다름"
            lines.append(line(f"채널 {c}: {shown} &nbsp;|&nbsp; Pooling 계층의 out[0, {c}, {oy}, {ox}] = "
                              f"<b>{format_number(layer_value)}</b> ({agree})", f"{self.css_prefix}-detail-line"))
        rows, cols = geom.window_rows(oy), geom.window_cols(ox)
        p = s.pad
        only_pad = not any(p <= r < p + s.H for r in rows) or not any(p <= c < p + s.W for c in cols)
        note = ""
        if only_pad:
            note = notice("이 윈도우는 <b>패딩만</b> 읽으므로, 출력은 패딩의 0이고 입력과는 관계가 없습니다.", tone="note",
                          css_class=f"{self.css_prefix}-padding-only")
        elif s.method == "max":
            note = text("같은 최댓값이 여러 개면 읽는 순서(행 우선)로 첫 칸이 뽑히고, 역전파 때 기울기는 "
                        "이 칸으로만 갑니다.", "x-small")
        title = (f"출력 칸 ({oy}, {ox}) 계산 — 윈도우 위치 {min(s.position, geom.window_count - 1)} "
                 f"(0–{geom.window_count - 1})")
        return panel(title, "".join(lines) + note, css_class=f"{self.css_prefix}-detail-panel")

    def select(self, s, grid, row_, col) -> dict:
        """A click on an output cell or an input cell (the window centred nearest to it)."""
        kind = grid.split(":")[0]
        geom = self.geometry(s)
        if not geom.fits or col < 0 or kind not in ("input", "output") or int(grid.split(":")[1]) >= s.C:
            return {}
        OH, OW = geom.out_hw
        if kind == "output":
            if not (row_ < OH and col < OW):
                return {}   # (a cell of a grid drawn for other settings)
            oy, ox = row_, col
        else:
            oy, ox = (nearest_window(v, chk, count) for v, chk, count in ((row_, geom.h, OH), (col, geom.w, OW)))
        return {"position": oy * OW + ox}

    def describe(self, s) -> str:
        return (f"H={s.H}, W={s.W}, pool_h={s.FH}, pool_w={s.FW}, S={s.stride}, P={s.pad}, "
                f"method={s.method}, C={s.C}, position={s.position}")
