"""The im2col explorer's convolution views: forward (input → im2col matrix ``col`` → ``col @ col_W + b`` →
output) and backward (dout → ``dcol = dout @ col_W.T`` → ``col2im`` → dx). :func:`conv_numbers` computes
everything first with cnnlib's own layer; the ``*_html`` functions only draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..htmlkit.grid import Gap, fitting_size, format_number, format_numbers, grid_html, matrix_html, shown_rows, signed
from ..htmlkit.layout import fold, key, line, panel, row, stack, stage, symbol, text
from ..im2col import col2im
from ..layers import Convolution
from ..shapes import shape_text
from .im2col_parts import Frame, agree, blocks_html, colour, inputs_html

__all__ = ["ConvNumbers", "conv_numbers", "forward_html", "backward_html"]


@dataclass(frozen=True)
class ConvNumbers:
    """The numbers of one convolution setting (backward ones ``None`` in the forward view)."""

    col: np.ndarray          # im2col(x): (N*OH*OW, C*FH*FW)
    col_W: np.ndarray        # (C*FH*FW, FN)
    b: np.ndarray            # (FN,)
    product: np.ndarray      # col @ col_W + b: (N*OH*OW, FN)
    output: np.ndarray       # Convolution.forward: (N, FN, OH, OW)
    agrees: bool             # the matrix product's way equals the layer's
    dout: np.ndarray | None = None    # (N, FN, OH, OW)
    dcol: np.ndarray | None = None    # dout @ col_W.T: (N*OH*OW, C*FH*FW)
    dx: np.ndarray | None = None      # Convolution.backward: (N, C, H, W)
    focus: tuple | None = None        # (n, c, y, x): the input cell whose received gradients are listed
    focus_terms: tuple = ()           # ((row, column, value), ...) that col2im adds into dx at the focus cell
    roundtrip: np.ndarray | None = None  # col2im(im2col(x))


def conv_numbers(f: Frame, Wt, b, dout_all, backward: bool) -> ConvNumbers:
    s, geom, x = f.s, f.geom, f.x
    OH, OW = geom.out_hw
    floor = geom.drawn_in_floor_mode
    layer = Convolution(Wt, b, s.stride, s.pad, floor=floor)
    out = layer.forward(x)
    col, col_W = layer.col, layer.col_W
    product = col @ col_W + b
    if not backward:
        ok = bool(np.array_equal(product.reshape(s.N, OH, OW, s.FN).transpose(0, 3, 1, 2), out))
        return ConvNumbers(col, col_W, b, product, out, ok)
    dout = dout_all[: s.N, : s.FN, :OH, :OW]
    dx = layer.backward(dout)
    dcol = dout.transpose(0, 2, 3, 1).reshape(-1, s.FN) @ col_W.T
    ok = bool(np.allclose(col2im(dcol, x.shape, s.FH, s.FW, s.stride, s.pad, floor=floor), dx))
    focus, terms = _focus(f, dcol)
    roundtrip = col2im(col, x.shape, s.FH, s.FW, s.stride, s.pad, floor=floor)
    return ConvNumbers(col, col_W, b, product, out, ok, dout, dcol, dx, focus, terms, roundtrip)


def _focus(f: Frame, dcol):
    """In the current window, the input cell (not padding) copied most often, and every dcol entry
    col2im adds into it: (focus (n, 0, y, x) or None, ((row, column, value), ...))."""
    s, geom = f.s, f.geom
    n, oy, ox = f.cell
    p, (OH, OW) = s.pad, geom.out_hw
    counts = geom.coverage()
    inside = [(py, px) for py in geom.window_rows(oy) for px in geom.window_cols(ox)
              if p <= py < p + s.H and p <= px < p + s.W]
    if not inside:
        return None, ()
    py, px = max(inside, key=lambda t: (counts[t], -t[0], -t[1]))
    terms = []
    for wy in range(OH):
        i = py - wy * s.stride
        if not 0 <= i < s.FH:
            continue
        for wx in range(OW):
            j = px - wx * s.stride
            if 0 <= j < s.FW:
                rr, cc = n * OH * OW + wy * OW + wx, i * s.FW + j   # channel 0
                terms.append((rr, cc, float(dcol[rr, cc])))
    return (n, 0, py - p, px - p), tuple(terms)


def forward_html(f: Frame, v: ConvNumbers) -> str:
    s = f.s
    R, r, (n, oy, ox) = f.R, f.r, f.cell
    K = v.col.shape[1]
    label, cols = f.row_label(), f.col_labels()
    fn_labels = [f"f{j}" for j in range(s.FN)]
    groups = shown_rows(R, s.N, [r])
    im2col_grids, product_grids = [], []
    for k, rows in enumerate(groups):
        title = f"n = {k}: 행 {k * R}–{(k + 1) * R - 1}"
        im2col_grids.append(matrix_html(v.col, rows, role="im2col", title=title, label=label, col_labels=cols,
                                        marks={"current": {r: set(range(K))}}, pick="im2col", size=f.size))
        product_grids.append(matrix_html(v.product, rows, role="product", title=title, label=label,
                                         col_labels=fn_labels, marks={"current": {r: set(range(s.FN))}},
                                         pick="product", size=f.size))
    w_rows = list(range(K)) if K <= 12 else list(range(6)) + [Gap(K - 8), K - 2, K - 1]   # (short: beside col)
    w_grid = matrix_html(v.col_W, w_rows, role="col-w", title=f"col_W {shape_text(v.col_W.shape)}",
                         label=lambda i: cols[i], col_labels=fn_labels, size=f.size)
    b_grid = grid_html(v.b.reshape(1, -1), role="bias", title=f"+ b {shape_text(v.b.shape)}", col_labels=fn_labels,
                       size=f.size)
    main = stage(
        inputs_html(f),
        panel(f"im2col 행렬 col {shape_text(v.col.shape)}", stack(*im2col_grids)),
        "@", stack(w_grid, b_grid), "=",
        panel(f"곱 {shape_text(v.product.shape)}", stack(*product_grids)),
        "→", panel(f"출력 {shape_text(v.output.shape)}", blocks_html(f, v.output, "output", "out", pick="output")))

    terms = []
    for j in range(s.FN):
        body = (" + ".join(f"{signed(a)}·{signed(w)}" for a, w in zip(v.col[r], v.col_W[:, j])) if K <= 9
                else f"{K}개 곱의 합 {format_number(float(v.col[r] @ v.col_W[:, j]))}")
        terms.append(line(f"행 {r} · col_W의 열 {j}: {body} + b[{j}] {signed(v.b[j])} = "
                          f"<b>{format_number(v.product[r, j])}</b> → out[{n}, {j}, {oy}, {ox}]",
                          f"{f.prefix}-row-product"))
    OH, OW = f.geom.out_hw
    block = v.product[n * R : (n + 1) * R].reshape(OH, OW, s.FN)
    texts = format_numbers(block).tolist()
    reshaped = np.array([["|".join(texts[i][j]) for j in range(OW)] for i in range(OH)], dtype=object)
    back = row(grid_html(reshaped, role="reshaped", marks={"current": [(oy, ox)]}, size=fitting_size([(reshaped, 0)]),
                         title=f"데이터 n = {n}의 행들 → reshape (OH, OW, FN): 칸마다 필터 FN개의 값"),
               symbol("→"), text("transpose(0, 3, 1, 2) → (N, FN, OH, OW): 필터마다 한 장 (위의 출력)"))
    keyline = key(f"{colour(0)}: 지금 윈도우 (데이터 n = {n}, 출력 칸 ({oy}, {ox})) ↔ {colour(1)}: im2col의 행 r = {r}, "
                  f"그 행이 만든 곱 col @ col_W + b의 행, 출력 칸 · 칸을 누르면 그 윈도우로 · 열 "
                  + ("c·ij = 채널 c, " if s.C > 1 else "ij = ") + "윈도우 안의 칸 (i, j)")
    # the current row's calculation first, next to the controls; then the matrices it comes from
    return (f'<div class="{f.prefix}-stage">' + keyline + "".join(terms) + main
            + fold("reshape + transpose로 4차원 출력으로", back, data_key="reshape")
            + line(f"행렬 곱으로 구한 출력과 Convolution.forward의 출력 {shape_text(v.output.shape)}: {agree(v.agrees)}",
                   f"{f.prefix}-agree") + "</div>")


def backward_html(f: Frame, v: ConvNumbers) -> str:
    s, geom = f.s, f.geom
    R, r, (n, oy, ox), p = f.R, f.r, f.cell, s.pad
    K = v.dcol.shape[1]
    label, cols = f.row_label(), f.col_labels()
    dout_mat = v.dout.transpose(0, 2, 3, 1).reshape(-1, s.FN)
    focus_cells = {}
    for rr, cc, _ in v.focus_terms:
        focus_cells.setdefault(rr, set()).add(cc)
    groups = shown_rows(R, s.N, [r])
    dout_grids, dcol_grids = [], []
    for k, rows_k in enumerate(groups):
        title = f"n = {k}: 행 {k * R}–{(k + 1) * R - 1}"
        dout_grids.append(matrix_html(dout_mat, rows_k, role="dout-matrix", title=title, label=label,
                                      col_labels=[f"f{j}" for j in range(s.FN)],
                                      marks={"current": {r: set(range(s.FN))}}, pick="dout-matrix", size=f.size))
        dcol_grids.append(matrix_html(v.dcol, rows_k, role="dcol", title=title, label=label, col_labels=cols,
                                      marks={"current": {r: set(range(K))}, "winner": focus_cells}, pick="dcol",
                                      size=f.size))
    wt = matrix_html(v.col_W.T, list(range(s.FN)), role="col-w-t", title=f"col_W.T {shape_text(v.col_W.T.shape)}",
                     label=lambda j: f"f{j}", col_labels=cols, size=f.size)

    if v.focus is not None:
        _, _, fy, fx = v.focus
        total = v.dx[n, 0, fy, fx]
        summands = " + ".join(f"dcol[{rr}, {cc}]" for rr, cc, _ in v.focus_terms)
        values = " + ".join(signed(val) for _, _, val in v.focus_terms)
        focus_html = line(f"{colour(2)} dx[{n}, 0, {fy}, {fx}] = {summands} = {values} = <b>{format_number(total)}</b>"
                          f" — 이 칸은 im2col이 <b>{len(v.focus_terms)}번</b> 복사했으므로 기울기 "
                          f"{len(v.focus_terms)}개를 <b>더합니다</b>.", f"{f.prefix}-focus")
    else:
        focus_html = line("이 윈도우는 패딩만 읽습니다. 패딩 칸의 기울기는 col2im이 잘라 버립니다.", f"{f.prefix}-focus")

    marks_here = geom.input_marks((oy, ox))
    window = marks_here["window"][p : p + s.H, p : p + s.W]
    unvisited = marks_here["unvisited"][p : p + s.H, p : p + s.W]   # never copied: no gradient
    dx_grids = []
    for c in range(s.C):
        marks = {"window": window, "unvisited": unvisited}
        if v.focus is not None and c == 0:
            marks["winner"] = [(v.focus[2], v.focus[3])]
        dx_grids.append(grid_html(v.dx[n, c], role="dx", title=f"dx[{n}, {c}]", marks=marks, pick=f"dx:{n}:{c}",
                                  size=f.size))
    counts = geom.coverage()[p : p + s.H, p : p + s.W]
    same = bool(np.array_equal(v.roundtrip, f.x * counts))
    not_inverse = row(
        grid_html(f.x[n, 0], role="x-channel", title=f"x[{n}, 0]"), symbol("⊙"),
        grid_html(counts, role="counts", title="복사 횟수 (패딩 제외)", heat=counts / max(counts.max(), 1)),
        symbol("="), grid_html(v.roundtrip[n, 0], role="roundtrip", title=f"col2im(im2col(x))[{n}, 0]"),
        align="flex-start")
    main = stage(
        panel(f"dout {shape_text(v.dout.shape)}", blocks_html(f, v.dout, "dout", "dout", pick="dout")), "→",
        panel(f"dout 행렬 {shape_text(dout_mat.shape)}", stack(*dout_grids)),
        "@", wt, "=",
        panel(f"dcol {shape_text(v.dcol.shape)}", stack(*dcol_grids)),
        "→", panel(f"col2im → dx, 데이터 n = {n}", row(*dx_grids, align="flex-start")))
    keyline = key(f"{colour(1)}: 출력 칸 ({oy}, {ox})의 기울기와 행 r = {r}. {colour(0)}: 행 r의 값이 col2im으로 "
                  f"돌아가는 윈도우. {colour(2)}: 입력 칸 하나와 그 칸으로 더해지는 dcol 원소들.")
    steps = text("dout (N, FN, OH, OW) → transpose(0, 2, 3, 1).reshape(−1, FN): im2col의 행 순서로 · "
                 "dcol = dout @ col_W.T: im2col 행렬과 같은 모양 · col2im(dcol) → dx", "x-small")
    inverse = fold("col2im은 im2col의 역함수가 아닙니다",
                   text(f"col2im(im2col(x))는 x가 아니라 복사 횟수 ⊙ x입니다 ({agree(same)}). col2im은 im2col을 되돌리지 않고 "
                        f"복사본의 값을 모두 더합니다(수학에서는 adjoint). 역전파에 필요한 것이 바로 이것입니다.",
                        f"{f.prefix}-not-inverse")
                   + not_inverse, data_key="inverse")
    # the calculation at the focus cell first, next to the controls; then the matrices it comes from
    return (f'<div class="{f.prefix}-stage">' + keyline + steps + focus_html + main + inverse + line(f"이 길로 구한 dx와 Convolution.backward의 dx {shape_text(v.dx.shape)}: {agree(v.agrees)}",
                             f"{f.prefix}-agree") + "</div>")
