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
  each row (:class:`cnnlib.Pooling`, the book's route), checked against :class:`cnnlib.fast_layers.FastPooling`;
* ``pool-backward`` — each gradient routed to its row's argmax cell, then ``col2im``.

**Linked highlighting**: the ``position`` control is the im2col row r (Play walks through the
rows, sample by sample); the pickers *sample n / output row oy / output column ox* choose the
same thing by output cell. The window in the input, row r of every matrix and the output cell
light up together. Long matrices keep each sample's first and last row and the rows around r.

The ``memory`` part shows how many times im2col copies each (padded) input cell — the same
map as the overlap counts of col2im — and the bytes of the matrix against the input's.

Controls N, C, H, W, FH, FW, pad, stride and FN are the convolution explorer's (same ranges,
same labels); formulas and explanations of invalid settings come from :mod:`.explain`; every
number shown comes from cnnlib's ``im2col``, ``col2im`` and layers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import ipywidgets as widgets
import numpy as np

from ..book_examples import BOOK_POOL_X
from ..im2col import col2im, im2col
from ..fast_layers import FastPooling
from ..layers import Convolution, Pooling
from ..shapes import shape_text
from .base import Control, Explorer
from .conv import CONTROLS as CONV_CONTROLS, conv_data
from .explain import formula_html, geometry_report_html
from .geometry import WindowGeometry, window_geometry
from .grid import format_number, grid_html, notice, panel, row, symbol

__all__ = ["Im2colSettings", "Im2colView", "Im2colExplorer", "MODES", "shown_rows", "Gap"]

MODES = (
    ("합성곱 순전파 (conv forward)", "conv"),
    ("합성곱 역전파 (conv backward)", "conv-backward"),
    ("최대 풀링 순전파 (max-pool forward)", "pool"),
    ("최대 풀링 역전파 (max-pool backward)", "pool-backward"),
)
_CONV = {c.name: c for c in CONV_CONTROLS}
CONTROLS = (
    Control("mode", "보기 (view)", options=MODES),
    replace(_CONV["N"], row="basic"),
    replace(_CONV["C"], row="basic"),
    _CONV["H"], _CONV["W"], _CONV["FH"], _CONV["FW"], _CONV["pad"], _CONV["stride"],
    _CONV["FN"],
    # the im2col row; its largest value: N*OH*OW at the largest settings (3 * 18 * 18 rows)
    Control("position", "im2col 행 r (row)", 0, 971, row="window"),
)
_MAX = {c.name: c.hi for c in CONTROLS if not c.options}
PICKERS = (("sample", "데이터 n (sample)"), ("oy", "출력 행 oy"), ("ox", "출력 열 ox"))

ROW_LIMIT = 24       # matrices with at most this many rows are drawn whole
INPUT_CELLS = 900    # draw every sample's grids while they hold at most this many cells, else sample n only


@dataclass(frozen=True)
class Im2colSettings:
    """Every control of the im2col explorer. The defaults: two samples of the book's 그림 7-3
    setting (4x4 input, 3x3 filter), two filters — an 8 x 9 im2col matrix."""

    mode: str = "conv"
    N: int = 2
    C: int = 1
    H: int = 4
    W: int = 4
    FH: int = 3
    FW: int = 3
    pad: int = 0
    stride: int = 1
    FN: int = 2
    position: int = 0


@dataclass(frozen=True)
class Gap:
    """``count`` matrix rows left out of a drawing."""

    count: int


def shown_rows(block: int, blocks: int, current=()) -> list[list]:
    """Which rows of a matrix of ``blocks`` groups of ``block`` rows to draw, group by group:
    every row when there are at most ``ROW_LIMIT``, else each group's first and last row
    and the rows next to the ``current`` ones, with :class:`Gap` where rows are left out."""
    total = block * blocks
    if total <= ROW_LIMIT:
        return [list(range(b * block, (b + 1) * block)) for b in range(blocks)]
    keep = set()
    for b in range(blocks):
        keep |= {b * block, (b + 1) * block - 1}
    for r in current:
        keep |= {r - 1, r, r + 1}
    groups = []
    for b in range(blocks):
        lo, hi = b * block, (b + 1) * block
        rows, prev = [], lo - 1
        for r in sorted(k for k in keep if lo <= k < hi):
            if r > prev + 1:
                rows.append(Gap(r - prev - 1))
            rows.append(r)
            prev = r
        groups.append(rows)
    return groups


def matrix_html(M, rows, *, role, title, label, col_labels=None, marks=None, note="") -> str:
    """Rows ``rows`` (ints and :class:`Gap`) of the 2-D array ``M`` as one grid; ``label(r)`` names
    row r; ``marks`` {mark: set of (row index in M, column)}."""
    cols = M.shape[1]
    values = np.empty((len(rows), cols), dtype=object)
    picked = [r for r in rows if not isinstance(r, Gap)]
    texts = dict(zip(picked, _fmt(M[picked]))) if picked else {}
    labels = []
    masks = {m: np.zeros((len(rows), cols), dtype=bool) for m in (marks or {})}
    for i, r in enumerate(rows):
        if isinstance(r, Gap):
            values[i] = "⋮"
            labels.append(f"⋮\u00a0{r.count}행\u00a0생략")  # no-break spaces: labels stay on one line
            continue
        values[i] = texts[r]
        labels.append(label(r))
        for m, cells in (marks or {}).items():
            for cc in cells.get(r, ()):
                masks[m][i, cc] = True
    return grid_html(values, marks=_used(masks), role=role, title=title, note=note, row_labels=labels,
                     col_labels=col_labels)


def _fmt(values) -> np.ndarray:
    """Numbers as display strings (:func:`.grid.format_number`), formatted once per distinct value
    — large grids repeat a few small integers, and formatting is most of the drawing time."""
    a = np.asarray(values)
    if a.dtype == object:
        return a
    uniq, inverse = np.unique(a, return_inverse=True)
    texts = np.array([format_number(u) for u in uniq], dtype=object)
    return texts[inverse.reshape(a.shape)]


def _used(marks):
    """The marks that mark at least one cell: an empty mask still costs a lookup per cell."""
    if not marks:
        return None
    return {m: cells for m, cells in marks.items()
            if (cells.any() if isinstance(cells, np.ndarray) else len(cells))} or None


def _grid(values, marks=None, **kwargs) -> str:
    return grid_html(_fmt(values), marks=_used(marks), **kwargs)



def _signed(v) -> str:
    """A number for a sum written out: negative ones in parentheses, ``(−1)``."""
    text = format_number(v)
    return f"(−{text[1:]})" if text.startswith("-") else text


def _stack(*blocks) -> str:
    """Blocks one under another (grid blocks are inline-blocks, which would sit side by side)."""
    return "".join(f"<div>{b}</div>" for b in blocks)


def _scroll(block: str) -> str:
    """A block that scrolls sideways instead of overflowing when it is wider than the page
    (an im2col matrix with C·FH·FW = 108 columns)."""
    return f'<div style="max-width:100%;min-width:0;overflow-x:auto">{block}</div>'


def _line(text: str, css_class: str = "") -> str:
    cls = f' class="{css_class}"' if css_class else ""
    return f'<div{cls} style="font-family:monospace;font-size:13px;margin:2px 0">{text}</div>'


def _key(text: str) -> str:
    return f'<div style="font-size:12px;color:#374151;margin:0 0 6px 0">{text}</div>'


def _agree(ok: bool) -> str:
    return "✓ 같음" if ok else "✗ 다름"


_KEY_COLOURS = ('<span style="background:#fde047;padding:0 3px">노란 칸</span>',
                '<span style="background:#93c5fd;padding:0 3px">파란 칸</span>',
                '<span style="background:#86efac;padding:0 3px">초록 칸</span>')


@dataclass(frozen=True)
class Im2colView:
    """What the explorer shows for one settings value: HTML parts and the numbers behind them
    (``None`` where a mode does not compute it or no window fits)."""

    formula: str
    shapes: str
    explanation: str
    matrix: str
    memory: str
    geometry: WindowGeometry
    input: np.ndarray            # x (N, C, H, W) of this mode
    row: int | None              # the current im2col row r
    cell: tuple | None           # (n, oy, ox) of row r
    col: np.ndarray | None       # im2col(x): (N*OH*OW, C*FH*FW)
    col_W: np.ndarray | None     # (C*FH*FW, FN)
    product: np.ndarray | None   # col @ col_W + b: (N*OH*OW, FN)
    output: np.ndarray | None    # the layer's forward output
    dout: np.ndarray | None
    dcol: np.ndarray | None      # conv: dout @ col_W.T; pool: dmax reshaped to im2col's layout
    dx: np.ndarray | None        # the layer's backward result
    col_pool: np.ndarray | None  # pool: (N*OH*OW*C, FH*FW)
    arg_max: np.ndarray | None   # pool: the book's flat argmax (N*OH*OW*C,)
    counts: np.ndarray | None    # copies of each padded input cell (H+2P, W+2P)
    focus: tuple | None          # (n, c, y, x) input cell whose received gradients are listed
    focus_terms: tuple | None    # ((row, column, value), ...) added into dx at the focus cell
    agrees: bool | None          # the book's route equals cnnlib's layer
    window_count: int            # rows of the im2col matrix (window positions in the batch)


class Im2colExplorer(Explorer):
    """Interactive im2col; see the module docstring. ``seed`` picks the data beyond the book's
    corner; settings may be passed as keyword arguments (``Im2colExplorer(mode='pool')``)."""

    Settings = Im2colSettings
    CONTROLS = CONTROLS
    PARTS = ("formula", "shapes", "explanation", "matrix", "memory")
    css_prefix = "cnnlib-im2col"

    def __init__(self, seed: int = 0, **settings):
        super().__init__(**settings)
        self.pickers: dict = {}
        self.x_all, self.W_all, self.b_all = conv_data(seed)
        rng = np.random.default_rng([seed, 74])
        n, c, fn = _MAX["N"], _MAX["C"], _MAX["FN"]
        big = _MAX["H"] + 2 * _MAX["pad"]  # the most output rows (1x1 filter, stride 1)
        self.dout_all = rng.integers(-1, 3, size=(n, fn, big, big)).astype(float)
        self.xp_all = rng.integers(0, 10, size=(n, c, _MAX["H"], _MAX["W"])).astype(float)
        self.xp_all[0, 0, :4, :4] = BOOK_POOL_X   # 그림 7-14 in the corner
        self.doutp_all = rng.integers(1, 6, size=(n, c, big, big)).astype(float)

    # ---- settings → numbers ---------------------------------------------------------------

    @staticmethod
    def is_pool(s) -> bool:
        return s.mode.startswith("pool")

    def geometry(self, s: Im2colSettings) -> WindowGeometry:
        return window_geometry(s.H, s.W, s.FH, s.FW, s.stride, s.pad, kind="pool" if self.is_pool(s) else "conv")

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
        v = dict(formula=(f'<div class="{self.css_prefix}-formula-lines">'
                          + "".join(formula_html(c) for c in geom.checks) + "</div>"),
                 explanation=geometry_report_html(geom, css_class=f"{self.css_prefix}-report"),
                 geometry=geom, input=x, row=None, cell=None, col=None, col_W=None, product=None, output=None,
                 dout=None, dcol=None, dx=None, col_pool=None, arg_max=None, counts=None, focus=None,
                 focus_terms=None, agrees=None, window_count=self.view_window_count(s))
        if not geom.fits:
            v["shapes"] = self._shapes_html(s, geom)
            v["matrix"] = (self._inputs_html(s, geom, x, None, None)
                           + notice("창이 들어가지 않아 im2col 행렬을 만들 수 없습니다 (행이 0개).", tone="error",
                                    css_class=f"{self.css_prefix}-no-window"))
            v["memory"] = notice("창이 들어가지 않아 복사되는 칸이 없습니다.", tone="info",
                                 css_class=f"{self.css_prefix}-memory-panel")
            return Im2colView(**v)

        OH, OW = geom.out_hw
        r = min(s.position, s.N * OH * OW - 1)
        n, rest = divmod(r, OH * OW)
        v.update(row=r, cell=(n, *divmod(rest, OW)), counts=geom.coverage())
        if self.is_pool(s):
            self._pool(s, geom, x, v)
        else:
            self._conv(s, geom, x, v)
        v["shapes"] = self._shapes_html(s, geom)
        v["memory"] = self._memory_html(s, geom, x, v)
        return Im2colView(**v)

    # ---- convolution ------------------------------------------------------------------------

    def _conv(self, s, geom, x, v):
        Wt, b = self.filters(s)
        OH, OW = geom.out_hw
        layer = Convolution(Wt, b, s.stride, s.pad, floor=geom.drawn_in_floor_mode)
        out = layer.forward(x)
        col, col_W = layer.col, layer.col_W
        product = col @ col_W + b
        v.update(col=col, col_W=col_W, product=product, output=out)
        if s.mode == "conv":
            v["agrees"] = bool(np.array_equal(product.reshape(s.N, OH, OW, s.FN).transpose(0, 3, 1, 2), out))
            v["matrix"] = self._conv_forward_html(s, geom, x, v, Wt, b)
            return
        dout = self.dout_all[: s.N, : s.FN, :OH, :OW]
        dx = layer.backward(dout)
        dcol = dout.transpose(0, 2, 3, 1).reshape(-1, s.FN) @ col_W.T
        v.update(dout=dout, dcol=dcol, dx=dx)
        v["agrees"] = bool(np.allclose(col2im(dcol, x.shape, s.FH, s.FW, s.stride, s.pad,
                                              floor=geom.drawn_in_floor_mode), dx))
        v["matrix"] = self._conv_backward_html(s, geom, x, v)

    def _col_labels(self, s) -> list[str]:
        return [f"{c}·{i}{j}" for c in range(s.C) for i in range(s.FH) for j in range(s.FW)]

    def _row_label(self, geom):
        OH, OW = geom.out_hw
        return lambda r: f"{r}:\u00a0({(r % (OH * OW)) // OW},{r % OW})"

    def _samples_shown(self, s, cells_per_sample, n) -> list[int]:
        return list(range(s.N)) if s.N * cells_per_sample <= INPUT_CELLS else [n]

    def _inputs_html(self, s, geom, x, cell, winners, title="입력 x") -> str:
        """Every sample's channels (or sample n's alone when they are many), the window of
        ``cell`` = (n, oy, ox) marked on sample n; ``winners`` {c: padded (y, x)} marked too."""
        p = s.pad
        ph, pw = geom.padded_hw
        n = cell[0] if cell else 0
        base = geom.input_marks()
        current = geom.input_marks(cell[1:]) if cell else base
        row_labels = [""] * p + [str(i) for i in range(s.H)] + [""] * p
        col_labels = [""] * p + [str(i) for i in range(s.W)] + [""] * p
        samples = self._samples_shown(s, s.C * ph * pw, n)
        blocks = []
        for k in samples:
            grids = []
            for c in range(s.C):
                marks = dict(current if k == n else base)
                if k == n and winners is not None:
                    marks["winner"] = [winners[c]]
                grids.append(_grid(np.pad(x[k, c], p) if p else x[k, c], marks=marks, role="input",
                                       title=f"x[{k}, {c}]", row_labels=row_labels, col_labels=col_labels))
            here = " ← 지금 행의 데이터" if k == n and cell else ""
            blocks.append(panel(f"데이터 n = {k}{here}", row("".join(grids))))
        hidden = "" if len(samples) == s.N else (
            f'<div style="font-size:12px;color:#6b7280">(칸이 많아 데이터 n = {n}만 그립니다. '
            f"다른 데이터는 '데이터 n' 슬라이더로 고르세요.)</div>")
        return panel(f"{title} (N, C, H, W) = {shape_text(x.shape)}, 패딩 P = {p}",
                     row(*blocks, align="flex-start") + hidden)

    def _conv_forward_html(self, s, geom, x, v, Wt, b) -> str:
        OH, OW = geom.out_hw
        R = OH * OW
        r, (n, oy, ox) = v["row"], v["cell"]
        col, col_W, product, out = v["col"], v["col_W"], v["product"], v["output"]
        K = col.shape[1]
        groups = shown_rows(R, s.N, [r])
        label = self._row_label(geom)
        all_cols = set(range(K))
        im2col_grids, product_grids = [], []
        for k, rows in enumerate(groups):
            title = f"데이터 n = {k}: 행 {k * R}–{(k + 1) * R - 1}"
            im2col_grids.append(matrix_html(col, rows, role="im2col", title=title, label=label,
                                            col_labels=self._col_labels(s), marks={"current": {r: all_cols}}))
            product_grids.append(matrix_html(product, rows, role="product", title=title, label=label,
                                             col_labels=[f"f{f}" for f in range(s.FN)],
                                             marks={"current": {r: set(range(s.FN))}}))
        w_rows = list(range(K)) if K <= 27 else list(range(6)) + [Gap(K - 8), K - 2, K - 1]
        col_labels = self._col_labels(s)
        w_grid = matrix_html(col_W, w_rows, role="col-w", title=f"col_W = W.reshape(FN, −1).T {shape_text(col_W.shape)}",
                             label=lambda i: col_labels[i], col_labels=[f"f{f}" for f in range(s.FN)])
        b_grid = _grid(b.reshape(1, -1), role="bias", title=f"b {shape_text(b.shape)}",
                           col_labels=[f"f{f}" for f in range(s.FN)])
        stage = row(_scroll(panel(f"im2col 행렬 col {shape_text(col.shape)} — 창 하나가 행 하나", _stack(*im2col_grids))),
                    symbol("@"), w_grid, symbol("+"), b_grid, symbol("="),
                    panel(f"col @ col_W + b {shape_text(product.shape)}", _stack(*product_grids)), align="flex-start")

        terms = []
        for f in range(s.FN):
            pairs = list(zip(col[r], col_W[:, f]))
            body = (" + ".join(f"{_signed(a)}·{_signed(w)}" for a, w in pairs) if K <= 9
                    else f"{K}개 곱의 합 {format_number(float(col[r] @ col_W[:, f]))}")
            terms.append(_line(f"행 {r} · col_W의 열 {f}: {body} + b[{f}] {_signed(b[f])} = "
                               f"<b>{format_number(product[r, f])}</b> → out[{n}, {f}, {oy}, {ox}]",
                               f"{self.css_prefix}-row-product"))

        reshaped = np.empty((OH, OW), dtype=object)
        block = product[n * R : (n + 1) * R].reshape(OH, OW, s.FN)
        for i in range(OH):
            for j in range(OW):
                reshaped[i, j] = "|".join(format_number(val) for val in block[i, j])
        out_blocks = []
        for k in self._samples_shown(s, s.FN * R, n):
            grids = "".join(_grid(out[k, f], role="output", title=f"out[{k}, {f}]",
                                      marks={"current": [(oy, ox)]} if k == n else None) for f in range(s.FN))
            out_blocks.append(panel(f"데이터 n = {k}", row(grids)))
        back = row(_grid(reshaped, role="reshaped", marks={"current": [(oy, ox)]},
                             title=f"데이터 n = {n}의 행들 → reshape (OH, OW, FN): 칸마다 필터 FN개의 값"),
                   symbol("→"), panel("transpose(0, 3, 1, 2) → (N, FN, OH, OW): 필터마다 한 장", row(*out_blocks)),
                   align="flex-start")
        agree = _line(f"행렬 곱으로 구한 출력과 Convolution.forward의 출력 {shape_text(out.shape)}: {_agree(v['agrees'])}",
                      f"{self.css_prefix}-agree")
        key = _key(f"{_KEY_COLOURS[0]}: 지금 창 (데이터 n = {n}, 출력 칸 ({oy}, {ox})) ↔ {_KEY_COLOURS[1]}: "
                   f"im2col의 행 r = {r}, 그 행이 만든 곱의 행, 출력 칸. 열 이름 c·ij = 채널 c, 창 안의 칸 (i, j). "
                   f"행 이름 r: (oy, ox).")
        return (f'<div class="{self.css_prefix}-stage">' + key + self._inputs_html(s, geom, x, v["cell"], None)
                + panel("im2col → 행렬 곱 하나 (one matrix product)", stage + "".join(terms))
                + panel("reshape + transpose로 4차원 출력으로", back) + agree + "</div>")

    def _focus_terms(self, s, geom, n, c, py, px, M, where):
        """(row, column, value) of every entry of ``M`` that col2im adds into padded cell (py, px)
        of sample n, channel c; ``where(n, oy, ox, c, i, j)`` gives the (row, column) of window
        (oy, ox)'s cell (i, j)."""
        OH, OW = geom.out_hw
        terms = []
        for oy in range(OH):
            i = py - oy * s.stride
            if not 0 <= i < s.FH:
                continue
            for ox in range(OW):
                j = px - ox * s.stride
                if 0 <= j < s.FW:
                    rr, cc = where(n, oy, ox, c, i, j)
                    terms.append((rr, cc, float(M[rr, cc])))
        return tuple(terms)

    def _conv_backward_html(self, s, geom, x, v) -> str:
        OH, OW = geom.out_hw
        R, p = OH * OW, s.pad
        r, (n, oy, ox) = v["row"], v["cell"]
        dout, dcol, dx, col_W, counts = v["dout"], v["dcol"], v["dx"], v["col_W"], v["counts"]
        K = dcol.shape[1]
        dout_mat = dout.transpose(0, 2, 3, 1).reshape(-1, s.FN)

        # the focus cell: in the current window, the input cell (not padding) copied most often
        rows, cols = geom.window_rows(oy), geom.window_cols(ox)
        inside = [(py, px) for py in rows for px in cols if p <= py < p + s.H and p <= px < p + s.W]
        focus_html, focus_cells = "", {}
        if inside:
            py, px = max(inside, key=lambda t: (counts[t], -t[0], -t[1]))
            terms = self._focus_terms(s, geom, n, 0, py, px, dcol,
                                      lambda n_, oy_, ox_, c_, i, j: (n_ * R + oy_ * OW + ox_,
                                                                      c_ * s.FH * s.FW + i * s.FW + j))
            v.update(focus=(n, 0, py - p, px - p), focus_terms=terms)
            for rr, cc, _ in terms:
                focus_cells.setdefault(rr, set()).add(cc)
            total = dx[n, 0, py - p, px - p]
            summands = " + ".join(f"dcol[{rr}, {cc}]" for rr, cc, _ in terms)
            values = " + ".join(_signed(val) for _, _, val in terms)
            focus_html = _line(
                f"{_KEY_COLOURS[2]} dx[{n}, 0, {py - p}, {px - p}] = {summands} = {values} = <b>{format_number(total)}</b>"
                f" — 이 칸은 im2col이 <b>{len(terms)}번</b> 복사했으므로 기울기 {len(terms)}개를 <b>더합니다</b>.",
                f"{self.css_prefix}-focus")
        else:
            focus_html = _line("이 창은 패딩만 읽습니다: 패딩 칸의 기울기는 col2im이 잘라 버립니다.",
                               f"{self.css_prefix}-focus")

        groups = shown_rows(R, s.N, [r])
        label = self._row_label(geom)
        dout_grids, dcol_grids = [], []
        for k, rows_k in enumerate(groups):
            title = f"데이터 n = {k}: 행 {k * R}–{(k + 1) * R - 1}"
            dout_grids.append(matrix_html(dout_mat, rows_k, role="dout-matrix", title=title, label=label,
                                          col_labels=[f"f{f}" for f in range(s.FN)],
                                          marks={"current": {r: set(range(s.FN))}}))
            dcol_grids.append(matrix_html(dcol, rows_k, role="dcol", title=title, label=label,
                                          col_labels=self._col_labels(s),
                                          marks={"current": {r: set(range(K))}, "winner": focus_cells}))
        wt = _grid(col_W.T, role="col-w-t", title=f"col_W.T {shape_text(col_W.T.shape)}",
                       row_labels=[f"f{f}" for f in range(s.FN)], col_labels=self._col_labels(s))

        dout_blocks = []
        for k in self._samples_shown(s, s.FN * R, n):
            grids = "".join(_grid(dout[k, f], role="dout", title=f"dout[{k}, {f}]",
                                      marks={"current": [(oy, ox)]} if k == n else None) for f in range(s.FN))
            dout_blocks.append(panel(f"데이터 n = {k}", row(grids)))
        first = row(*dout_blocks, align="flex-start")
        second = row(panel(f"dout {shape_text(dout_mat.shape)}", _stack(*dout_grids)), symbol("@"), _scroll(wt), symbol("="),
                     _scroll(panel(f"dcol {shape_text(dcol.shape)}", _stack(*dcol_grids))), align="flex-start")

        # col2im: every dcol entry goes back to the cell it was copied from; copies add up
        marks_here = geom.input_marks((oy, ox))
        window = marks_here["window"][p : p + s.H, p : p + s.W]
        unvisited = marks_here["unvisited"][p : p + s.H, p : p + s.W]   # never copied: no gradient
        dx_grids = []
        for c in range(s.C):
            marks = {"window": window, "unvisited": unvisited}
            if inside and c == 0:
                marks["winner"] = [(v["focus"][2], v["focus"][3])]
            dx_grids.append(_grid(dx[n, c], role="dx", title=f"dx[{n}, {c}]", marks=marks))
        inner = counts[p : p + s.H, p : p + s.W]
        roundtrip = col2im(v["col"], x.shape, s.FH, s.FW, s.stride, s.pad, floor=geom.drawn_in_floor_mode)
        same = bool(np.array_equal(roundtrip, x * inner))
        not_inverse = row(
            _grid(x[n, 0], role="x-channel", title=f"x[{n}, 0]"), symbol("⊙"),
            _grid(inner, role="counts", title="복사 횟수 (padding 제외)", heat=inner / max(inner.max(), 1)),
            symbol("="),
            _grid(roundtrip[n, 0], role="roundtrip", title=f"col2im(im2col(x))[{n}, 0]"),
        )
        third = (row(*dx_grids)
                 + focus_html
                 + _line(f"col2im은 im2col의 역함수(inverse)가 아닙니다: col2im(im2col(x)) = 복사 횟수 ⊙ x "
                         f"({_agree(same)}), x가 아닙니다. 되돌리는 것이 아니라 복사본을 모두 더하는 것 "
                         f"(adjoint) — 그래서 역전파에 딱 맞습니다.", f"{self.css_prefix}-not-inverse")
                 + not_inverse)
        agree = _line(f"이 길로 구한 dx와 Convolution.backward의 dx {shape_text(dx.shape)}: {_agree(v['agrees'])}",
                      f"{self.css_prefix}-agree")
        key = _key(f"{_KEY_COLOURS[1]}: 출력 칸 ({oy}, {ox})의 기울기와 행 r = {r}. {_KEY_COLOURS[0]}: 행 r의 값이 "
                   f"col2im으로 돌아가는 창. {_KEY_COLOURS[2]}: 입력 칸 하나와 그 칸으로 더해지는 dcol 원소들.")
        return (f'<div class="{self.css_prefix}-stage">' + key
                + panel(f"1. dout (N, FN, OH, OW) = {shape_text(dout.shape)} → transpose(0, 2, 3, 1).reshape(−1, FN): "
                        f"im2col의 행 순서로", first)
                + panel("2. dcol = dout @ col_W.T — im2col 행렬과 같은 모양", second)
                + panel(f"3. col2im(dcol) → dx (N, C, H, W) = {shape_text(dx.shape)}, 데이터 n = {n}", third)
                + agree + "</div>")

    # ---- max pooling ------------------------------------------------------------------------

    def _pool(self, s, geom, x, v):
        OH, OW = geom.out_hw
        floor = geom.drawn_in_floor_mode
        book = Pooling(s.FH, s.FW, s.stride, s.pad, floor=floor)
        fast = FastPooling(s.FH, s.FW, s.stride, s.pad, floor=floor)
        out = book.forward(x)
        fast_out = fast.forward(x)
        agrees = np.array_equal(out, fast_out) and np.array_equal(
            book.arg_max, fast.arg_max.transpose(0, 2, 3, 1).ravel())
        v.update(col=im2col(x, s.FH, s.FW, s.stride, s.pad, floor=floor), col_pool=book.col_pool,
                 arg_max=book.arg_max, output=out)
        if s.mode == "pool-backward":
            dout = self.doutp_all[: s.N, : s.C, :OH, :OW]
            dx = book.backward(dout)
            agrees = agrees and np.array_equal(dx, fast.backward(dout))
            v.update(dout=dout, dcol=book.dcol, dx=dx)
        v["agrees"] = bool(agrees)
        v["matrix"] = self._pool_html(s, geom, x, v, book)

    def _winner_cells(self, s, geom, arg_max):
        """Padded (y, x) of the winning cell of every pooling row q = ((n*OH + oy)*OW + ox)*C + c,
        as two int arrays (no dilation here: cell (i, j) of window (oy, ox) is (oy*S + i, ox*S + j))."""
        OH, OW = geom.out_hw
        rest = (np.arange(len(arg_max)) // s.C) % (OH * OW)
        i, j = np.divmod(arg_max, s.FW)
        return (rest // OW) * s.stride + i, (rest % OW) * s.stride + j

    def _pool_html(self, s, geom, x, v, book) -> str:
        OH, OW = geom.out_hw
        R, p, P = OH * OW, s.pad, s.FH * s.FW
        r, (n, oy, ox) = v["row"], v["cell"]
        col_pool, arg_max, out = v["col_pool"], v["arg_max"], v["output"]
        current = [r * s.C + c for c in range(s.C)]
        win_y, win_x = self._winner_cells(s, geom, arg_max)
        winners = {c: (int(win_y[q]), int(win_x[q])) for c, q in enumerate(current)}
        groups = shown_rows(R * s.C, s.N, current)
        cell_labels = [f"{i}{j}" for i in range(s.FH) for j in range(s.FW)]

        def label(q):
            rest = (q // s.C) % R
            return f"{q}:\u00a0({rest // OW},{rest % OW})\u00a0c{q % s.C}"

        def win_marks(rows_k):
            return {q: {int(arg_max[q])} for q in rows_k if not isinstance(q, Gap)}

        backward = s.mode == "pool-backward"
        pool_grids, side_grids = [], []
        for k, rows_k in enumerate(groups):
            title = f"데이터 n = {k}: 행 {k * R * s.C}–{(k + 1) * R * s.C - 1}"
            marks = {"current": {q: set(range(P)) for q in current}, "winner": win_marks(rows_k)}
            if backward:
                flat = v["dout"].transpose(0, 2, 3, 1).reshape(-1, 1)
                side_grids.append(matrix_html(flat, rows_k, role="dout-column", title=title, label=label,
                                              col_labels=["dout"], marks={"current": {q: {0} for q in current}}))
                side_grids.append(matrix_html(book.dmax, rows_k, role="dmax", title=title, label=label,
                                              col_labels=cell_labels, marks=marks))
            else:
                pool_grids.append(matrix_html(col_pool, rows_k, role="pool-col", title=title, label=label,
                                              col_labels=cell_labels, marks=marks))
                side_grids.append(matrix_html(col_pool.max(axis=1, keepdims=True), rows_k, role="pool-max",
                                              title=title, label=label, col_labels=["max"],
                                              marks={"current": {q: {0} for q in current}}))
        inputs = self._inputs_html(s, geom, x, v["cell"], winners)
        rows_text = f"행 {current[0]}" + (f"–{current[-1]}" if s.C > 1 else "")
        if not backward:
            out_blocks = []
            for k in self._samples_shown(s, s.C * R, n):
                grids = "".join(_grid(out[k, c], role="output", title=f"out[{k}, {c}]",
                                          marks={"current": [(oy, ox)]} if k == n else None) for c in range(s.C))
                out_blocks.append(panel(f"데이터 n = {k}", row(grids)))
            pool_panel = panel(f"col.reshape(−1, FH·FW) {shape_text(col_pool.shape)} — 창 하나·채널 하나가 행 하나",
                               _stack(*pool_grids))
            stage = row(pool_panel, symbol("→"), panel("max(axis=1)", _stack(*side_grids)), symbol("→"),
                        panel("reshape(N, OH, OW, C).transpose(0, 3, 1, 2)", row(*out_blocks)), align="flex-start")
            lines = "".join(
                _line(f"행 {q}: max({', '.join(format_number(a) for a in col_pool[q])}) = "
                      f"<b>{format_number(col_pool[q].max())}</b> (argmax = {int(arg_max[q])}) → out[{n}, {c}, {oy}, {ox}]",
                      f"{self.css_prefix}-row-max") for c, q in enumerate(current))
            agree = _line(f"이 길로 구한 출력·argmax와 FastPooling.forward의 출력 {shape_text(out.shape)}·arg_max: "
                          f"{_agree(v['agrees'])}",
                          f"{self.css_prefix}-agree")
            key = _key(f"{_KEY_COLOURS[0]}: 지금 창 (데이터 n = {n}, 출력 칸 ({oy}, {ox})) ↔ {_KEY_COLOURS[1]}: "
                       f"채널마다 한 행씩인 {rows_text}, 그리고 출력 칸. {_KEY_COLOURS[2]}: 행마다 뽑힌 최댓값 (argmax). "
                       f"열 이름 ij = 창 안의 칸 (i, j). 행 이름 q: (oy, ox) 채널.")
            return (f'<div class="{self.css_prefix}-stage">' + key + inputs
                    + panel("im2col → 행마다 최댓값 (max per row)", stage + lines) + agree + "</div>")

        dout, dx = v["dout"], v["dx"]
        dout_blocks = []
        for k in self._samples_shown(s, s.C * R, n):
            grids = "".join(_grid(dout[k, c], role="dout", title=f"dout[{k}, {c}]",
                                      marks={"current": [(oy, ox)]} if k == n else None) for c in range(s.C))
            dout_blocks.append(panel(f"데이터 n = {k}", row(grids)))
        stage = row(panel(f"dout {shape_text(dout.shape)}", row(*dout_blocks)), symbol("→"),
                    panel("dout.transpose(0, 2, 3, 1) → 열 하나 / dmax: argmax 칸에만", row(*side_grids)),
                    align="flex-start")
        window = geom.input_marks((oy, ox))["window"][p : p + s.H, p : p + s.W]
        dx_grids = []
        for c in range(s.C):
            marks = {"window": window}
            wy, wx = winners[c]
            if p <= wy < p + s.H and p <= wx < p + s.W:
                marks["winner"] = [(wy - p, wx - p)]
            dx_grids.append(_grid(dx[n, c], role="dx", title=f"dx[{n}, {c}]", marks=marks))
        lines = []
        for c, q in enumerate(current):
            wy, wx = winners[c]
            g = format_number(dout[n, c, oy, ox])
            if not (p <= wy < p + s.H and p <= wx < p + s.W):
                lines.append(_line(f"채널 {c}: dout[{n}, {c}, {oy}, {ox}] = {g} → 최댓값이 패딩 칸이라 버려집니다.",
                                   f"{self.css_prefix}-route"))
                continue
            same = range(n * R * s.C + c, (n + 1) * R * s.C, s.C)   # sample n, channel c
            terms = [(qq, int(arg_max[qq]), float(book.dmax[qq, arg_max[qq]]))
                     for qq in same if win_y[qq] == wy and win_x[qq] == wx]
            if c == 0:
                v["focus"], v["focus_terms"] = (n, 0, wy - p, wx - p), tuple(terms)
            total = format_number(dx[n, c, wy - p, wx - p])
            added = (f" — 이 칸을 최댓값으로 뽑은 창이 {len(terms)}개라 col2im이 <b>더합니다</b>: "
                     f"{' + '.join(format_number(t[2]) for t in terms)} = <b>{total}</b>."
                     if len(terms) > 1 else f" = <b>{total}</b>")
            lines.append(_line(f"채널 {c}: dout[{n}, {c}, {oy}, {ox}] = {g} → 행 {q}의 argmax 칸 {int(arg_max[q])} → "
                               f"dx[{n}, {c}, {wy - p}, {wx - p}]{added}", f"{self.css_prefix}-route"))
        agree = _line(f"이 길로 구한 dx와 FastPooling.backward의 dx {shape_text(dx.shape)}: {_agree(v['agrees'])}",
                      f"{self.css_prefix}-agree")
        key = _key(f"{_KEY_COLOURS[1]}: 출력 칸 ({oy}, {ox})의 기울기와 {rows_text}. {_KEY_COLOURS[2]}: argmax 칸 — "
                   f"기울기는 그 칸으로만 갑니다 (나머지는 0). {_KEY_COLOURS[0]}: 창 전체.")
        return (f'<div class="{self.css_prefix}-stage">' + key + inputs
                + panel("1. 기울기를 argmax 칸으로 (dmax)", stage)
                + panel(f"2. dcol = dmax.reshape(N·OH·OW, C·FH·FW) → col2im → dx, 데이터 n = {n}",
                        row(*dx_grids) + "".join(lines))
                + agree + "</div>")

    # ---- shapes and memory ------------------------------------------------------------------------

    def _shapes_html(self, s, geom) -> str:
        N, C, H, W, FH, FW, FN = s.N, s.C, s.H, s.W, s.FH, s.FW, s.FN
        x = f"x (N, C, H, W) = <b>{shape_text((N, C, H, W))}</b>"
        if not geom.fits:
            body = _line(x) + _line("출력 (OH, OW)와 im2col 행렬: <b>계산할 수 없음</b>")
            return f'<div class="{self.css_prefix}-shape-lines">{body}</div>'
        OH, OW = geom.out_hw
        rows, K = N * OH * OW, C * FH * FW
        col = (f"col = im2col(x, {FH}, {FW}, stride={s.stride}, pad={s.pad}): (N·OH·OW, C·FH·FW) = "
               f"({N}·{OH}·{OW}, {C}·{FH}·{FW}) = <b>{shape_text((rows, K))}</b>")
        floor = (" — 내림(floor) 모드의 크기 (책의 식으로는 정수가 아님)" if geom.drawn_in_floor_mode else "")
        if s.mode == "conv":
            lines = [x, col + floor,
                     f"W (FN, C, FH, FW) = {shape_text((FN, C, FH, FW))} → col_W = W.reshape(FN, −1).T: "
                     f"(C·FH·FW, FN) = <b>{shape_text((K, FN))}</b>",
                     f"col @ col_W + b: <b>{shape_text((rows, FN))}</b> → reshape(N, OH, OW, FN) = {shape_text((N, OH, OW, FN))} "
                     f"→ transpose(0, 3, 1, 2) → (N, FN, OH, OW) = <b>{shape_text((N, FN, OH, OW))}</b>"]
        elif s.mode == "conv-backward":
            lines = [x + f" · 순전파(forward)가 저장한 col {shape_text((rows, K))}, col_W {shape_text((K, FN))}" + floor,
                     f"dout (N, FN, OH, OW) = {shape_text((N, FN, OH, OW))} → transpose(0, 2, 3, 1).reshape(−1, FN) = "
                     f"<b>{shape_text((rows, FN))}</b>",
                     f"dcol = dout @ col_W.T: {shape_text((rows, FN))} @ {shape_text((FN, K))} = <b>{shape_text((rows, K))}</b> "
                     "(im2col 행렬과 같은 모양)",
                     f"dx = col2im(dcol, x.shape, {FH}, {FW}, stride={s.stride}, pad={s.pad}) = <b>{shape_text((N, C, H, W))}</b>",
                     f"dW = (col.T @ dout).T.reshape(FN, C, FH, FW) = {shape_text((FN, C, FH, FW))}, "
                     f"db = dout.sum(axis=(0, 2, 3)) = {shape_text((FN,))}"]
        else:
            P = FH * FW
            lines = [x + f" · 풀링 창 FH×FW = {FH}×{FW}", col + floor,
                     f"col.reshape(−1, FH·FW) = (N·OH·OW·C, FH·FW) = <b>{shape_text((rows * C, P))}</b>: 행마다 창 하나의 채널 하나"]
            if s.mode == "pool":
                lines.append(f"max(axis=1): {shape_text((rows * C,))} → reshape(N, OH, OW, C) = {shape_text((N, OH, OW, C))} "
                             f"→ transpose(0, 3, 1, 2) → (N, C, OH, OW) = <b>{shape_text((N, C, OH, OW))}</b>")
            else:
                lines += [f"dout (N, C, OH, OW) = {shape_text((N, C, OH, OW))} → transpose(0, 2, 3, 1) → "
                          f"dmax {shape_text((rows * C, P))}: 행마다 argmax 칸에만 기울기",
                          f"dcol = dmax.reshape(N·OH·OW, C·FH·FW) = {shape_text((rows, K))} → col2im → dx "
                          f"<b>{shape_text((N, C, H, W))}</b>"]
        body = "".join(_line(t) for t in lines)
        return f'<div class="{self.css_prefix}-shape-lines" style="margin:4px 0 6px 0">{body}</div>'

    def _memory_html(self, s, geom, x, v) -> str:
        counts, col = v["counts"], v["col"]
        p = s.pad
        ph, pw = geom.padded_hw
        inner = counts[p : p + s.H, p : p + s.W]
        pad_copies = int(counts.sum() - inner.sum())
        labels_r = [""] * p + [str(i) for i in range(s.H)] + [""] * p
        labels_c = [""] * p + [str(i) for i in range(s.W)] + [""] * p
        heat = _grid(counts, role="copy-counts", heat=counts / max(counts.max(), 1),
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
            f"= 행렬의 원소 수 {col.size} {_agree(int(counts.sum()) * s.N * s.C == col.size)}",
        ]
        text = "".join(_line(t, f"{self.css_prefix}-bytes" if i < 2 else "") for i, t in enumerate(lines))
        return panel("메모리 (memory): im2col은 겹치는 칸을 여러 번 복사합니다", row(heat, f"<div>{text}</div>",
                                                                              align="flex-start"),
                     css_class=f"{self.css_prefix}-memory-panel")

    # ---- widget: pickers linked to the row ---------------------------------------------------

    def _build(self) -> widgets.VBox:
        for name, description in PICKERS:
            # styled as the base's sliders (fixed label width, so they line up)
            w = widgets.IntSlider(value=0, min=0, max=0, step=1, description=description,
                                  style={"description_width": "150px"},
                                  layout=widgets.Layout(width="330px", margin="2px 12px 2px 0"))
            w.add_class(f"{self.css_prefix}-picker")
            w.add_class(f"{self.css_prefix}-pick-{name}")
            w.observe(self._on_pick, names="value")
            self.pickers[name] = w
        box = super()._build()
        for child in box.children:  # the pickers sit beside Play and the row slider
            if isinstance(child, widgets.HBox) and self.play in child.children:
                child.children = tuple(child.children) + tuple(self.pickers.values())
        return box

    def _refresh(self) -> None:
        super()._refresh()
        self._sync_pickers()

    def _sync_pickers(self) -> None:
        """Show row r as (n, oy, ox) on the pickers, with ranges N, OH, OW."""
        if not self.pickers:
            return
        s = self.settings()
        geom = self.geometry(s)
        if geom.fits:
            OH, OW = geom.out_hw
            r = min(s.position, s.N * OH * OW - 1)
            n, rest = divmod(r, OH * OW)
            state = {"sample": (s.N - 1, n), "oy": (OH - 1, rest // OW), "ox": (OW - 1, rest % OW)}
        else:
            state = {name: (0, 0) for name, _ in PICKERS}
        self._syncing = True
        try:
            for name, (hi, value) in state.items():
                w = self.pickers[name]
                w.max = hi
                w.value = value
                w.disabled = hi == 0
        finally:
            self._syncing = False

    def _on_pick(self, change) -> None:
        if self._syncing:
            return
        s = self.settings()
        if not self.geometry(s).fits:
            return
        p = self.pickers
        self.controls["position"].value = self.row_index(s, p["sample"].value, p["oy"].value, p["ox"].value)

    def pick(self, **values) -> None:
        """Set pickers (``sample``, ``oy``, ``ox``) as a learner would; the row follows."""
        self.widget
        for name, value in values.items():
            if name not in self.pickers:
                raise ValueError(f"no picker named {name!r}; pickers: {', '.join(self.pickers)}.")
            self.pickers[name].value = value

    def describe(self, s) -> str:
        return (f"mode={s.mode}, N={s.N}, C={s.C}, H={s.H}, W={s.W}, FH={s.FH}, FW={s.FW}, P={s.pad}, "
                f"S={s.stride}, FN={s.FN}, r={s.position}")
