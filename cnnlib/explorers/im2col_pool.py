"""The im2col explorer's max-pooling views, the book's way: im2col, one row per window and channel, the
max of each row (:class:`cnnlib.Pooling`); and backward: each gradient routed to its row's argmax cell,
then ``col2im``. :func:`pool_numbers` computes everything first; the ``*_html`` functions only draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..htmlkit.grid import Gap, format_number, grid_html, matrix_html, shown_rows
from ..htmlkit.layout import key, line, panel, row, stack, stage
from ..im2col import im2col
from ..layers import Pooling
from ..shapes import shape_text
from .im2col_parts import Frame, blocks_html, colour, inputs_html

__all__ = ["PoolNumbers", "pool_numbers", "pool_html"]


@dataclass(frozen=True)
class PoolNumbers:
    """The numbers of one max-pooling setting (backward ones ``None`` in the forward view)."""

    col: np.ndarray            # im2col(x): (N*OH*OW, C*FH*FW)
    col_pool: np.ndarray       # (N*OH*OW*C, FH*FW): one row per window and channel
    arg_max: np.ndarray        # the book's flat argmax (N*OH*OW*C,)
    output: np.ndarray         # (N, C, OH, OW)
    current: tuple             # the pooling rows of the current window, one per channel
    winners: dict              # {c: padded (y, x)} of the current window's max
    win_y: np.ndarray          # padded row of every pooling row's max
    win_x: np.ndarray
    dout: np.ndarray | None = None
    dmax: np.ndarray | None = None   # (N*OH*OW*C, FH*FW): each gradient in its row's argmax cell
    dcol: np.ndarray | None = None
    dx: np.ndarray | None = None
    focus: tuple | None = None       # (n, 0, y, x): the channel-0 winner, if not padding
    focus_terms: tuple = ()          # ((row, column, value), ...) added into dx at the focus cell
    routes: tuple = ()               # per channel: (gradient, y, x, inside, terms) of the current window


def pool_numbers(f: Frame, doutp_all, backward: bool) -> PoolNumbers:
    s, geom, x = f.s, f.geom, f.x
    OH, OW = geom.out_hw
    floor = geom.drawn_in_floor_mode
    book = Pooling(s.FH, s.FW, s.stride, s.pad, floor=floor)
    out = book.forward(x)
    # padded (y, x) of the winning cell of every pooling row q = ((n*OH + oy)*OW + ox)*C + c
    rest = (np.arange(len(book.arg_max)) // s.C) % (OH * OW)
    i, j = np.divmod(book.arg_max, s.FW)
    win_y, win_x = (rest // OW) * s.stride + i, (rest % OW) * s.stride + j
    current = tuple(f.r * s.C + c for c in range(s.C))
    winners = {c: (int(win_y[q]), int(win_x[q])) for c, q in enumerate(current)}
    fields = dict(col=im2col(x, s.FH, s.FW, s.stride, s.pad, floor=floor), col_pool=book.col_pool,
                  arg_max=book.arg_max, output=out, current=current, winners=winners, win_y=win_y, win_x=win_x)
    if not backward:
        return PoolNumbers(**fields)
    dout = doutp_all[: s.N, : s.C, :OH, :OW]
    dx = book.backward(dout)
    n, oy, ox = f.cell
    p, R = s.pad, OH * OW
    routes, focus, focus_terms = [], None, ()
    for c, q in enumerate(current):
        wy, wx = winners[c]
        inside = p <= wy < p + s.H and p <= wx < p + s.W
        terms = ()
        if inside:
            same = range(n * R * s.C + c, (n + 1) * R * s.C, s.C)   # sample n, channel c
            terms = tuple((qq, int(book.arg_max[qq]), float(book.dmax[qq, book.arg_max[qq]]))
                          for qq in same if win_y[qq] == wy and win_x[qq] == wx)
            if c == 0:
                focus, focus_terms = (n, 0, wy - p, wx - p), terms
        routes.append((float(dout[n, c, oy, ox]), wy, wx, inside, terms))
    return PoolNumbers(**fields, dout=dout, dmax=book.dmax, dcol=book.dcol, dx=dx,
                       focus=focus, focus_terms=focus_terms, routes=tuple(routes))


def pool_html(f: Frame, v: PoolNumbers, backward: bool) -> str:
    s = f.s
    R, P = f.R, s.FH * s.FW
    n, oy, ox = f.cell
    OW = f.geom.out_hw[1]
    groups = shown_rows(R * s.C, s.N, v.current)
    cell_labels = [f"{i}{j}" for i in range(s.FH) for j in range(s.FW)]

    def label(q):
        rest = (q // s.C) % R
        return f"{q}:\u00a0({rest // OW},{rest % OW})\u00a0c{q % s.C}"

    def winner_marks(rows_k):
        return {q: {int(v.arg_max[q])} for q in rows_k if not isinstance(q, Gap)}

    rows_text = f"행 {v.current[0]}" + (f"–{v.current[-1]}" if s.C > 1 else "")
    pool_grids, side_grids = [], []
    for k, rows_k in enumerate(groups):
        title = f"n = {k}: 행 {k * R * s.C}–{(k + 1) * R * s.C - 1}"
        marks = {"current": {q: set(range(P)) for q in v.current}, "winner": winner_marks(rows_k)}
        if backward:
            flat = v.dout.transpose(0, 2, 3, 1).reshape(-1, 1)
            side_grids.append(matrix_html(flat, rows_k, role="dout-column", title=title, label=label,
                                          col_labels=["dout"], marks={"current": {q: {0} for q in v.current}},
                                          pick="pool-rows", size=f.size))
            pool_grids.append(matrix_html(v.dmax, rows_k, role="dmax", title=title, label=label,
                                          col_labels=cell_labels, marks=marks, pick="pool-rows", size=f.size))
        else:
            pool_grids.append(matrix_html(v.col_pool, rows_k, role="pool-col", title=title, label=label,
                                          col_labels=cell_labels, marks=marks, pick="pool-rows", size=f.size))
            side_grids.append(matrix_html(v.col_pool.max(axis=1, keepdims=True), rows_k, role="pool-max",
                                          title=title, label=label, col_labels=["max"],
                                          marks={"current": {q: {0} for q in v.current}}, pick="pool-rows",
                                          size=f.size))
    inputs = inputs_html(f, winners=v.winners)
    if not backward:
        main = stage(
            inputs,
            panel(f"col.reshape(−1, FH·FW) {shape_text(v.col_pool.shape)}", stack(*pool_grids)),
            "→", panel("max(axis=1)", stack(*side_grids)), "→",
            panel(f"출력 {shape_text(v.output.shape)}", blocks_html(f, v.output, "output", "out", pick="output")))
        lines = "".join(
            line(f"행 {q}: max({', '.join(format_number(a) for a in v.col_pool[q])}) = "
                 f"<b>{format_number(v.col_pool[q].max())}</b> (argmax = {int(v.arg_max[q])}) → out[{n}, {c}, {oy}, {ox}]",
                 f"{f.prefix}-row-max") for c, q in enumerate(v.current))
        keyline = key(f"{colour(0)}: 지금 윈도우 (데이터 n = {n}, 출력 칸 ({oy}, {ox})) ↔ {colour(1)}: 채널마다 한 행씩인 "
                      f"{rows_text}, 그리고 출력 칸. {colour(2)}: 행마다 뽑힌 최댓값 (argmax). 열 이름 ij = 윈도우 안의 "
                      f"칸 (i, j); 행 이름 q: (oy, ox) 채널. reshape(N, OH, OW, C).transpose(0, 3, 1, 2)로 출력이 됩니다.")
        # the current window's calculation first, next to the controls; then the matrices it comes from
        return f'<div class="{f.prefix}-stage">' + keyline + lines + main + "</div>"

    p = s.pad
    window = f.geom.input_marks((oy, ox))["window"][p : p + s.H, p : p + s.W]
    dx_grids, lines = [], []
    for c, (g, wy, wx, inside, terms) in enumerate(v.routes):
        marks = {"window": window}
        if inside:
            marks["winner"] = [(wy - p, wx - p)]
        dx_grids.append(grid_html(v.dx[n, c], role="dx", title=f"dx[{n}, {c}]", marks=marks, size=f.size))
        q = v.current[c]
        if not inside:
            lines.append(line(f"채널 {c}: dout[{n}, {c}, {oy}, {ox}] = {format_number(g)} → 최댓값이 패딩 칸이라 버려집니다.",
                              f"{f.prefix}-route"))
            continue
        total = format_number(v.dx[n, c, wy - p, wx - p])
        added = (f" — 이 칸을 최댓값으로 뽑은 윈도우가 {len(terms)}개라 col2im이 <b>더합니다</b>: "
                 f"{' + '.join(format_number(t[2]) for t in terms)} = <b>{total}</b>." if len(terms) > 1 else f" = <b>{total}</b>")
        lines.append(line(f"채널 {c}: dout[{n}, {c}, {oy}, {ox}] = {format_number(g)} → 행 {q}의 argmax 칸 "
                          f"{int(v.arg_max[q])} → dx[{n}, {c}, {wy - p}, {wx - p}]{added}", f"{f.prefix}-route"))
    main = stage(
        inputs, panel(f"dout {shape_text(v.dout.shape)}", blocks_html(f, v.dout, "dout", "dout", pick="dout")), "→",
        panel("dout.transpose(0, 2, 3, 1) → 열 하나", stack(*side_grids)),
        "→", panel(f"dmax {shape_text(v.dmax.shape)}: argmax 칸에만", stack(*pool_grids)),
        "→", panel(f"dcol → col2im → dx, 데이터 n = {n}", row(*dx_grids, align="flex-start")))
    keyline = key(f"{colour(1)}: 출력 칸 ({oy}, {ox})의 기울기와 {rows_text}. {colour(2)}: argmax 칸 — 기울기는 그 칸으로만 "
                  f"갑니다 (나머지는 0). {colour(0)}: 윈도우 전체. dcol = dmax.reshape(N·OH·OW, C·FH·FW).")
    # the gradients' routes first, next to the controls; then the matrices they come from
    return f'<div class="{f.prefix}-stage">' + keyline + "".join(lines) + main + "</div>"
