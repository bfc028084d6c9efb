"""The convolution explorer (7.2): move sliders, watch the window slide and the numbers add up.

Shown live, for small seeded integer data whose top-left corner is the book's example
(그림 7-3/7-5: 4x4 input, 3x3 filter, bias 3):

* the padded input (one grid per channel) with the current window, padding and
  never-visited cells marked; the filters (FN x C grids); the output (one grid per filter);
* the element-wise products of the current window, each channel's sum, and the total plus
  bias, next to the layer's own output value;
* the shapes (N, C, H, W) → (N, FN, OH, OW) and W (FN, C, FH, FW), and the book's formula
  with the current numbers;
* for an invalid setting the explanation (see :mod:`cnnlib.explorers.explain`); when a
  window still fits, the grids are drawn in floor mode with the unread rows marked.

The output grid comes from :class:`cnnlib.Convolution`; sizes from :mod:`cnnlib.shapes`.

    >>> ex = ConvExplorer()
    >>> ex            # in a notebook: the widget
    >>> ex.view(ConvSettings(pad=1)).out_shape
    (1, 1, 4, 4)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..htmlkit.grid import fitting_size, format_number, grid_html, legend_html
from ..htmlkit.layout import fold, line, notice, panel, row, symbol, text
from ..htmlkit.style import attrs
from ..layers import Convolution
from ..shapes import shape_text
from .base import Explorer
from .controls import CONV_CONTROLS, Control
from .examples import conv_data
from .explain import formula_html, geometry_report_html
from .geometry import WindowGeometry, WindowSettings, nearest_window

__all__ = ["ConvSettings", "ConvView", "ConvExplorer", "CONTROLS"]

CONTROLS = CONV_CONTROLS + (
    Control("sample", "보는 데이터 n", 0, 2, row="advanced", hint="sample shown"),
    Control("filter", "보는 필터 f", 0, 2, row="advanced", hint="filter shown"),
    # the largest window count: 12x12 input, padding 3, 1x1 filter, stride 1 -> 18*18 positions
    Control("position", "윈도우 위치", 0, 324, row="bar", hint="window position"),
)
_MAX = {c.name: c.hi for c in CONTROLS}


@dataclass(frozen=True)
class ConvSettings(WindowSettings):
    """Every control of the convolution explorer; the defaults (H, W, FH, FW, pad, stride from
    :class:`.geometry.WindowSettings`) are the book's 그림 7-3."""

    dilation: int = 1
    C: int = 1
    FN: int = 1
    N: int = 1
    sample: int = 0
    filter: int = 0
    position: int = 0


@dataclass(frozen=True)
class ConvView:
    """What the explorer shows for one settings value: HTML parts and the numbers behind them."""

    formula: str
    shapes: str
    explanation: str
    inputs: str
    filters: str
    outputs: str
    legend: str
    products: str
    geometry: WindowGeometry
    input_shape: tuple
    weight_shape: tuple
    out_shape: tuple | None        # (N, FN, OH, OW), None when no window fits
    output: np.ndarray | None      # the layer's output, (N, FN, OH, OW)
    cell: tuple | None             # (n, f, oy, ox) of the current output cell
    window_sum: float | None       # sum of the products + bias, as shown
    window_count: int

    @property
    def grids(self) -> str:
        """The input, filter and output grids together."""
        return self.inputs + self.filters + self.outputs



def _padded(img: np.ndarray, pad: int) -> np.ndarray:
    return np.pad(img, pad) if pad else img


def fold_shapes(summary: str, body: str, css_class: str) -> str:
    """The shapes, folded under a one-line summary."""
    return f"<div{attrs(css_class)}>" + fold(summary, body, data_key="shapes") + "</div>"


class ConvExplorer(Explorer):
    """Interactive convolution; see the module docstring. ``seed`` picks the data beyond the
    book's corner; settings may be passed as keyword arguments (``ConvExplorer(pad=1)``)."""

    Settings = ConvSettings
    CONTROLS = CONTROLS
    PARTS = ("formula", "explanation", "inputs", "filters", "outputs", "products", "legend", "shapes")
    # the window's calculation first, next to the controls; then the grids it comes from
    LAYOUT = (("formula", "explanation"), ("products",), ("inputs", "filters", "outputs"), ("legend", "shapes"))
    css_prefix = "cnnlib-conv"

    def __init__(self, seed: int = 0, **settings):
        super().__init__(**settings)
        self.x_all, self.W_all, self.b_all = conv_data(_MAX["N"], _MAX["C"], _MAX["H"], _MAX["W"], _MAX["FN"],
                                                       _MAX["FH"], _MAX["FW"], seed)

    def arrays(self, s: ConvSettings):
        """x (N, C, H, W), W (FN, C, FH, FW), b (FN,) for these settings."""
        return (self.x_all[: s.N, : s.C, : s.H, : s.W], self.W_all[: s.FN, : s.C, : s.FH, : s.FW],
                self.b_all[: s.FN])

    def geometry(self, s: ConvSettings) -> WindowGeometry:
        return s.window_geometry("conv", s.dilation)

    def view_window_count(self, s) -> int:
        return self.geometry(s).window_count

    def limits(self, s) -> dict:
        lim = super().limits(s)
        lim["sample"] = (s.N - 1, s.N == 1)
        lim["filter"] = (s.FN - 1, s.FN == 1)
        return lim

    # ---- the pure view ---------------------------------------------------------------------

    def view(self, settings: ConvSettings | None = None) -> ConvView:
        s = settings or self.settings()
        self.check_settings(s)
        geom = self.geometry(s)
        x, Wt, b = self.arrays(s)
        n, f = min(s.sample, s.N - 1), min(s.filter, s.FN - 1)

        # the numbers first: the layer's output, the current cell and its window's products
        out_shape = output = cell = None
        if geom.fits:
            layer = Convolution(Wt, b, s.stride, s.pad, s.dilation, floor=geom.drawn_in_floor_mode)
            out_shape = layer.output_shape(x.shape)
            output = layer.forward(x)
            oy, ox = geom.position(min(s.position, geom.window_count - 1))
            cell = (n, f, oy, ox)
        windows = products = window_sum = None
        if cell is not None:
            rows, cols = geom.window_rows(cell[2]), geom.window_cols(cell[3])
            windows = [_padded(x[n, c], s.pad)[np.ix_(rows, cols)] for c in range(s.C)]
            products = [w * Wt[f, c] for c, w in enumerate(windows)]
            window_sum = float(sum(float(p.sum()) for p in products) + b[f])

        # then the drawing
        formula = (f"<div{attrs(f'{self.css_prefix}-formula-lines')}>"
                   + "".join(formula_html(c) for c in geom.checks) + "</div>")
        legend_marks = ["window", "pad", "current", "unvisited"] + (["span"] if s.dilation > 1 else [])
        # one cell size for the input and output grids: the largest at which each row of them fits the page
        size = fitting_size([(np.pad(x[n, 0], s.pad), 2)] * s.C, [(output[n, 0], 0)] * s.FN if output is not None else [])
        return ConvView(
            formula=formula, shapes=self._shapes_html(x.shape, Wt.shape, out_shape, geom.drawn_in_floor_mode),
            explanation=geometry_report_html(geom, css_class=f"{self.css_prefix}-report"),
            inputs=self._inputs_html(s, geom, x, n, cell, size), filters=self._filters_html(s, Wt, f, size),
            outputs=self._outputs_html(s, output, n, f, cell, size), legend=legend_html(legend_marks),
            products=self._products_html(s, geom, Wt, b, output, cell, windows, products, window_sum),
            geometry=geom, input_shape=x.shape, weight_shape=Wt.shape, out_shape=out_shape,
            output=output, cell=cell, window_sum=window_sum, window_count=geom.window_count)

    def _shapes_html(self, x_shape, w_shape, out_shape, floor=False) -> str:
        N, C, H, W = x_shape
        FN, _, FH, FW = w_shape
        out = shape_text(out_shape) if out_shape else "계산할 수 없음"
        suffix = " — 내림 모드의 크기 (책의 식으로는 정수가 아님)" if out_shape and floor else ""
        lines = [
            f"입력 x (N, C, H, W) = <b>{shape_text(x_shape)}</b>",
            f"필터 W (FN, C, FH, FW) = <b>{shape_text(w_shape)}</b>, 편향 b (FN,) = <b>{shape_text((FN,))}</b>",
            f"출력 (N, FN, OH, OW) = <b>{out}</b>{suffix}",
        ]
        if out_shape:
            lines.append(f"데이터 하나를 블록으로 보면 (C, H, W) ⊛ (FN, C, FH, FW) → (FN, OH, OW): "
                         f"({C}, {H}, {W}) ⊛ ({FN}, {C}, {FH}, {FW}) → ({FN}, {out_shape[2]}, {out_shape[3]})")
        body = "".join(line(t) for t in lines)
        return fold_shapes(f"형상: 입력 {shape_text(x_shape)} → 출력 {out}", body,
                           f"{self.css_prefix}-shape-lines")

    def _inputs_html(self, s, geom, x, n, cell, size) -> str:
        p = s.pad
        marks = geom.input_marks(cell[2:] if cell is not None else None)
        row_labels = [""] * p + [str(i) for i in range(s.H)] + [""] * p
        col_labels = [""] * p + [str(i) for i in range(s.W)] + [""] * p
        inputs = "".join(
            grid_html(_padded(x[n, c], p), marks=marks, role="input", title=f"x[{n}, {c}] (채널 {c})",
                      row_labels=row_labels, col_labels=col_labels, pick=f"input:{n}:{c}", size=size)
            for c in range(s.C))
        batch = f" — 배치 {s.N}개 중 데이터 n = {n}" if s.N > 1 else ""
        return panel(f"입력 (패딩 P = {p}){batch}", row(inputs, align="flex-start"))

    def _filters_html(self, s, Wt, f, size) -> str:
        filters = []
        for fi in range(s.FN):
            grids = "".join(grid_html(Wt[fi, c], role="filter", title=f"W[{fi}, {c}]", pick=f"filter:{fi}", size=size)
                            for c in range(s.C))
            label = f"필터 {fi}" + (" ← 지금" if fi == f and s.FN > 1 else "")
            filters.append(f"<div{attrs('g-title')}>{label}</div>" + row(grids, align="flex-start"))
        return panel(f"필터 W ({s.FN}개 × 채널 {s.C})", "".join(filters))

    def _outputs_html(self, s, output, n, f, cell, size) -> str:
        if output is None:
            return ""
        outs = "".join(grid_html(output[n, fi], marks={"current": [cell[2:]]} if fi == f else {}, role="output",
                                 title=f"출력 채널 {fi} (필터 {fi})", pick=f"output:{n}:{fi}", size=size)
                       for fi in range(s.FN))
        return panel("출력", row(outs, align="flex-start"))

    def _products_html(self, s, geom, Wt, b, output, cell, windows, products, window_sum) -> str:
        if cell is None:
            return notice("윈도우가 들어가지 않아 계산할 출력 칸이 없습니다.", tone="error",
                          css_class=f"{self.css_prefix}-no-window")
        n, f, oy, ox = cell
        lines, channel_sums = [], []
        for c in range(s.C):
            total = float(products[c].sum())
            channel_sums.append(total)
            lines.append(row(
                grid_html(windows[c], role="window", title=f"윈도우 (채널 {c})",
                          marks={"window": np.ones_like(windows[c], bool)}),
                symbol("⊙"), grid_html(Wt[f, c], role="filter-used", title=f"W[{f}, {c}]"), symbol("="),
                grid_html(products[c], role="products", title="원소별 곱"),
                f"<span{attrs(f'{self.css_prefix}-channel-sum', 'x-text')}>합 = <b>{format_number(total)}</b></span>",
                wrap=False))   # one channel's calculation stays together; channels sit side by side when they fit
        layer_value = float(output[n, f, oy, ox])
        channel_total = sum(channel_sums)
        summed = (f"채널별 합 {' + '.join(format_number(v) for v in channel_sums)} = {format_number(channel_total)}"
                  if s.C > 1 else f"합 {format_number(channel_total)}")
        agree = "✓ 같음" if np.isclose(window_sum, layer_value) else "✗ 다름"
        total_line = text(f"{summed}; 편향 b[{f}] = {format_number(b[f])} → "
                          f"{format_number(channel_total)} + ({format_number(b[f])}) = <b>{format_number(window_sum)}</b>"
                          f" &nbsp;|&nbsp; Convolution 계층의 out[{n}, {f}, {oy}, {ox}] = "
                          f"<b>{format_number(layer_value)}</b> ({agree})", f"{self.css_prefix}-sum-line")
        title = (f"출력 칸 ({oy}, {ox}) 계산 — 윈도우 위치 {min(s.position, geom.window_count - 1)}"
                 f" (0–{geom.window_count - 1})"
                 + (f", 데이터 n = {n}, 필터 f = {f}" if s.N > 1 or s.FN > 1 else ""))
        return panel(title, row(*lines, align="flex-start") + total_line, css_class=f"{self.css_prefix}-products-panel")

    def select(self, s, grid, row_, col) -> dict:
        """A click on an output cell, an input cell (the window centred nearest to it) or a filter."""
        kind, *idx = grid.split(":")
        geom = self.geometry(s)
        if kind == "filter":
            return {"filter": int(idx[0])} if int(idx[0]) < s.FN else {}
        if not geom.fits or col < 0 or int(idx[0]) >= s.N or (kind == "output" and int(idx[1]) >= s.FN):
            return {}   # (a cell of a grid drawn for other settings)
        OH, OW = geom.out_hw
        if kind == "output":
            if not (row_ < OH and col < OW):
                return {}
            oy, ox = row_, col
        elif kind == "input":
            oy, ox = (nearest_window(v, chk, count) for v, chk, count in ((row_, geom.h, OH), (col, geom.w, OW)))
        else:
            return {}
        changes = {"sample": int(idx[0]), "position": oy * OW + ox}
        if kind == "output":
            changes["filter"] = int(idx[1])
        return changes

    def describe(self, s) -> str:
        return (f"H={s.H}, W={s.W}, FH={s.FH}, FW={s.FW}, P={s.pad}, S={s.stride}, D={s.dilation}, "
                f"C={s.C}, FN={s.FN}, N={s.N}, n={s.sample}, f={s.filter}, position={s.position}")
