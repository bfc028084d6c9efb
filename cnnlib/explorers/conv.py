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

from ..book_examples import BOOK_B, BOOK_W, BOOK_X
from ..layers import Convolution
from ..shapes import shape_text
from .base import Control, Explorer
from .explain import formula_html, geometry_report_html
from .geometry import WindowGeometry, window_geometry
from .grid import grid_html, legend_html, notice, panel, row, symbol, format_number

__all__ = ["ConvSettings", "ConvView", "ConvExplorer", "conv_data"]

CONTROLS = (
    Control("H", "입력 높이 H", 1, 12),
    Control("W", "입력 너비 W", 1, 12),
    Control("FH", "필터 높이 FH", 1, 6),
    Control("FW", "필터 너비 FW", 1, 6),
    Control("pad", "패딩 P (padding)", 0, 3),
    Control("stride", "스트라이드 S (stride)", 1, 4),
    Control("dilation", "팽창 D (dilation)", 1, 3, row="advanced"),
    Control("C", "입력 채널 C", 1, 3, row="advanced"),
    Control("FN", "필터 개수 FN", 1, 3, row="advanced"),
    Control("N", "배치 N (batch)", 1, 3, row="advanced"),
    Control("sample", "보는 데이터 n", 0, 2, row="advanced"),
    Control("filter", "보는 필터 f", 0, 2, row="advanced"),
    Control("position", "창 위치 (window)", 0, 324, row="window"),
)
_RANGE = {c.name: (c.lo, c.hi) for c in CONTROLS}


@dataclass(frozen=True)
class ConvSettings:
    """Every control of the convolution explorer; the defaults are the book's 그림 7-3."""

    H: int = 4
    W: int = 4
    FH: int = 3
    FW: int = 3
    pad: int = 0
    stride: int = 1
    dilation: int = 1
    C: int = 1
    FN: int = 1
    N: int = 1
    sample: int = 0
    filter: int = 0
    position: int = 0


def conv_data(seed: int = 0):
    """Seeded small integers at the largest sizes, with the book's example in the corner.

    Returns x (N, C, H, W) in 0..3, W (FN, C, FH, FW) in -1..2 and b (FN,) in -2..3 (floats);
    slicing them keeps the numbers in place when a slider grows or shrinks the arrays.
    """
    rng = np.random.default_rng(seed)
    n, c, h, w = (_RANGE[k][1] for k in ("N", "C", "H", "W"))
    fn, fh, fw = (_RANGE[k][1] for k in ("FN", "FH", "FW"))
    x = rng.integers(0, 4, size=(n, c, h, w)).astype(float)
    W = rng.integers(-1, 3, size=(fn, c, fh, fw)).astype(float)
    b = rng.integers(-2, 4, size=fn).astype(float)
    x[0, 0, :4, :4] = BOOK_X
    W[0, 0, :3, :3] = BOOK_W
    b[0] = BOOK_B
    return x, W, b


@dataclass(frozen=True)
class ConvView:
    """What the explorer shows for one settings value: HTML parts and the numbers behind them."""

    formula: str
    shapes: str
    explanation: str
    grids: str
    products: str
    geometry: WindowGeometry
    input_shape: tuple
    weight_shape: tuple
    out_shape: tuple | None        # (N, FN, OH, OW), None when no window fits
    output: np.ndarray | None      # the layer's output, (N, FN, OH, OW)
    cell: tuple | None             # (n, f, oy, ox) of the current output cell
    window_sum: float | None       # sum of the products + bias, as shown
    window_count: int



def _padded(img: np.ndarray, pad: int) -> np.ndarray:
    return np.pad(img, pad) if pad else img


class ConvExplorer(Explorer):
    """Interactive convolution; see the module docstring. ``seed`` picks the data beyond the
    book's corner; settings may be passed as keyword arguments (``ConvExplorer(pad=1)``)."""

    Settings = ConvSettings
    CONTROLS = CONTROLS
    PARTS = ("formula", "shapes", "explanation", "grids", "products")
    css_prefix = "cnnlib-conv"

    def __init__(self, seed: int = 0, **settings):
        super().__init__(**settings)
        self.x_all, self.W_all, self.b_all = conv_data(seed)

    def arrays(self, s: ConvSettings):
        """x (N, C, H, W), W (FN, C, FH, FW), b (FN,) for these settings."""
        return (self.x_all[: s.N, : s.C, : s.H, : s.W], self.W_all[: s.FN, : s.C, : s.FH, : s.FW],
                self.b_all[: s.FN])

    def geometry(self, s: ConvSettings) -> WindowGeometry:
        return window_geometry(s.H, s.W, s.FH, s.FW, s.stride, s.pad, s.dilation, kind="conv")

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

        out_shape = output = cell = None
        if geom.fits:
            layer = Convolution(Wt, b, s.stride, s.pad, s.dilation, floor=geom.drawn_in_floor_mode)
            out_shape = layer.output_shape(x.shape)
            output = layer.forward(x)
            oy, ox = geom.position(min(s.position, geom.window_count - 1))
            cell = (n, f, oy, ox)

        formula = (f'<div class="{self.css_prefix}-formula-lines">'
                   + "".join(formula_html(c) for c in geom.checks) + "</div>")
        shapes = self._shapes_html(x.shape, Wt.shape, out_shape, geom.drawn_in_floor_mode)
        explanation = geometry_report_html(geom, css_class=f"{self.css_prefix}-report")
        grids = self._grids_html(s, geom, x, Wt, output, cell)
        products, window_sum = self._products_html(s, geom, x, Wt, b, output, cell)
        return ConvView(formula=formula, shapes=shapes, explanation=explanation, grids=grids, products=products,
                        geometry=geom, input_shape=x.shape, weight_shape=Wt.shape, out_shape=out_shape,
                        output=output, cell=cell, window_sum=window_sum, window_count=geom.window_count)

    def _shapes_html(self, x_shape, w_shape, out_shape, floor=False) -> str:
        N, C, H, W = x_shape
        FN, _, FH, FW = w_shape
        out = shape_text(out_shape) if out_shape else "계산할 수 없음"
        suffix = " — 내림(floor) 모드의 크기 (책의 식으로는 정수가 아님)" if out_shape and floor else ""
        block = (f"({C}, {H}, {W}) ⊛ ({FN}, {C}, {FH}, {FW}) → ({FN}, {out_shape[2]}, {out_shape[3]})"
                 if out_shape else "")
        lines = [
            f"입력 x (N, C, H, W) = <b>{shape_text(x_shape)}</b>",
            f"필터 W (FN, C, FH, FW) = <b>{shape_text(w_shape)}</b>, 편향 b (FN,) = <b>{shape_text((FN,))}</b>",
            f"출력 (N, FN, OH, OW) = <b>{out}</b>{suffix}",
        ]
        if block:
            lines.append(f"데이터 하나를 블록으로 보면 (C, H, W) ⊛ (FN, C, FH, FW) → (FN, OH, OW): {block}")
        body = "".join(f'<div style="font-family:monospace;font-size:13px">{line}</div>' for line in lines)
        return f'<div class="{self.css_prefix}-shape-lines" style="margin:4px 0 6px 0">{body}</div>'

    def _input_marks(self, geom: WindowGeometry, cell) -> dict:
        return geom.input_marks(cell[2:] if cell is not None else None)

    def _grids_html(self, s, geom, x, Wt, output, cell) -> str:
        n, f = (cell[0], cell[1]) if cell else (min(s.sample, s.N - 1), min(s.filter, s.FN - 1))
        p = s.pad
        marks = self._input_marks(geom, cell)
        row_labels = [""] * p + [str(i) for i in range(s.H)] + [""] * p
        col_labels = [""] * p + [str(i) for i in range(s.W)] + [""] * p
        inputs = "".join(
            grid_html(_padded(x[n, c], p), marks=marks, role="input", title=f"x[{n}, {c}] (채널 {c})",
                      row_labels=row_labels, col_labels=col_labels)
            for c in range(s.C))
        batch = f" — 배치의 {s.N}개 중 데이터 n = {n}" if s.N > 1 else ""
        input_panel = panel(f"입력 (패딩 P = {p}){batch}", row(inputs))

        filters = []
        for fi in range(s.FN):
            current = fi == f
            grids = "".join(grid_html(Wt[fi, c], role="filter", title=f"W[{fi}, {c}]") for c in range(s.C))
            label = f"필터 {fi}" + (" ← 지금 계산 중" if current and s.FN > 1 else "")
            filters.append(panel(f'<span style="font-weight:{"bold" if current else "normal"}">{label}</span>',
                                 row(grids)))
        filter_panel = panel(f"필터 W (FN = {s.FN}개, 각 채널 C = {s.C}개)", "".join(filters))

        parts = [input_panel, filter_panel]
        if output is not None:
            outs = []
            for fi in range(s.FN):
                m = {"current": [cell[2:]]} if fi == f else {}
                outs.append(grid_html(output[n, fi], marks=m, role="output",
                                      title=f"출력 채널 {fi} = 필터 {fi}의 결과"))
            note = "필터 하나가 출력 채널 하나를 만듭니다." if s.FN > 1 else ""
            parts.append(panel("출력 (output)", row("".join(outs)) + (f'<div style="font-size:12px">{note}</div>'
                                                                    if note else "")))
        legend_marks = ["window", "pad", "current", "unvisited"] + (["span"] if s.dilation > 1 else [])
        return (f'<div class="{self.css_prefix}-grid-panels">' + legend_html(legend_marks)
                + row(*parts, align="flex-start") + "</div>")

    def _products_html(self, s, geom, x, Wt, b, output, cell):
        if cell is None:
            return (notice("창이 들어가지 않아 계산할 출력 칸이 없습니다.", tone="error",
                           css_class=f"{self.css_prefix}-no-window"), None)
        n, f, oy, ox = cell
        rows, cols = geom.window_rows(oy), geom.window_cols(ox)
        channel_sums = []
        lines = []
        for c in range(s.C):
            window = _padded(x[n, c], s.pad)[np.ix_(rows, cols)]
            prod = window * Wt[f, c]
            total = float(prod.sum())
            channel_sums.append(total)
            lines.append(row(
                grid_html(window, role="window", title=f"창 (채널 {c})", marks={"window": np.ones_like(window, bool)}),
                symbol("⊙"),
                grid_html(Wt[f, c], role="filter-used", title=f"W[{f}, {c}]"),
                symbol("="),
                grid_html(prod, role="products", title="원소별 곱 (element-wise)"),
                f'<span class="{self.css_prefix}-channel-sum" style="font-size:14px">합 = <b>{format_number(total)}</b></span>',
            ))
        window_sum = float(sum(channel_sums) + b[f])
        layer_value = float(output[n, f, oy, ox])
        channel_total = sum(channel_sums)
        if s.C > 1:
            summed = f"채널별 합 {' + '.join(format_number(v) for v in channel_sums)} = {format_number(channel_total)}"
        else:
            summed = f"합 {format_number(channel_total)}"
        agree = "✓ 같음" if np.isclose(window_sum, layer_value) else "✗ 다름"
        total_line = (f'<div class="{self.css_prefix}-sum-line" style="font-size:14px;margin:2px 0">'
                      f"{summed}; 편향(bias) b[{f}] = {format_number(b[f])} → "
                      f"{format_number(channel_total)} + ({format_number(b[f])}) = <b>{format_number(window_sum)}</b>"
                      f" &nbsp;|&nbsp; Convolution 계층의 out[{n}, {f}, {oy}, {ox}] = "
                      f"<b>{format_number(layer_value)}</b> ({agree})</div>")
        title = (f"출력 칸 ({oy}, {ox}) 계산 — 창 위치 {min(s.position, geom.window_count - 1)}"
                 f" (0–{geom.window_count - 1})"
                 + (f", 데이터 n = {n}, 필터 f = {f}" if s.N > 1 or s.FN > 1 else ""))
        return panel(title, "".join(lines) + total_line, css_class=f"{self.css_prefix}-products-panel"), window_sum

    def describe(self, s) -> str:
        return (f"H={s.H}, W={s.W}, FH={s.FH}, FW={s.FW}, P={s.pad}, S={s.stride}, D={s.dilation}, "
                f"C={s.C}, FN={s.FN}, N={s.N}, n={s.sample}, f={s.filter}, position={s.position}")
