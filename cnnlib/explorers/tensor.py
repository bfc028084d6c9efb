"""A 6-D array drawn with labelled axes — how notebook 7.4 shows what im2col's intermediate
arrays and their transposes are.

:func:`axes_html` lays a 6-D array out in three nested levels, each naming its axes:

* axes 0 and 1 → one titled *panel* per index pair (``N=0, C=1``);
* axes 2 and 3 → a *table* inside each panel, rows ↓ axis 2, columns → axis 3;
* axes 4 and 5 → a small *grid* (:func:`.grid.grid_html`) in each table cell, rows ↓ axis 4,
  columns → axis 5.

So ``window_view(x, ...)`` of shape (N, C, OH, OW, FH, FW) shows, per sample and channel, an
OH × OW table of FH × FW windows; the book's ``col`` (N, C, FH, FW, OH, OW) shows an FH × FW
table of OH × OW maps (one per filter cell); and after ``transpose(0, 2, 3, 1, 4, 5)`` —
(N, OH, OW, C, FH, FW) — one table row per (n, oh, ow) holds exactly the numbers of one
row of the im2col matrix, in order.
"""

from __future__ import annotations

from html import escape

import numpy as np

from ..htmlkit.grid import format_number, grid_html
from ..htmlkit.layout import panel, row

__all__ = ["axes_html"]

_LABEL = "font:11px monospace;color:#6b7280;padding:0 4px;text-align:center;border:none"


def axes_html(a, names, *, title: str = "", role: str = "axes", max_cells: int = 4000) -> str:
    """HTML drawing of the 6-D array ``a`` whose axes are called ``names`` (6 strings).

    Each small grid has CSS role ``role`` (class ``cnnlib-grid-<role>``) and the title
    ``[i0, i1, i2, i3]`` (its index on the first four axes); grids come in C order, so the
    k-th grid is ``a.reshape(-1, *a.shape[4:])[k]``.
    """
    a = np.asarray(a)
    if a.ndim != 6 or len(names) != 6:
        raise ValueError(f"axes_html draws a 6-D array with 6 axis names; got shape {a.shape} and {len(names)} names.")
    if a.size > max_cells:
        raise ValueError(f"an array of {a.size} numbers is too large to draw (at most {max_cells}); "
                         f"use a smaller example, e.g. x of shape (1, 2, 4, 4) with a 2x2 filter.")
    names = [escape(str(n)) for n in names]
    d0, d1, d2, d3 = a.shape[:4]
    texts = np.vectorize(format_number, otypes=[object])(a) if a.size else a.astype(object)
    panels = []
    for i0 in range(d0):
        for i1 in range(d1):
            head = f'<tr><td style="{_LABEL}"></td>' + "".join(
                f'<td style="{_LABEL}">{names[3]}={i3}</td>' for i3 in range(d3)) + "</tr>"
            rows = []
            for i2 in range(d2):
                cells = "".join(
                    f'<td style="border:none;padding:2px;vertical-align:top">'
                    f'{grid_html(texts[i0, i1, i2, i3], role=role, title=f"[{i0}, {i1}, {i2}, {i3}]")}</td>'
                    for i3 in range(d3))
                rows.append(f'<tr><td style="{_LABEL}">{names[2]}={i2}</td>{cells}</tr>')
            table = (f'<table class="cnnlib-axes-table" style="border-collapse:collapse;background:#fafafa">'
                     f'{head}{"".join(rows)}</table>')
            panels.append(panel(f"{names[0]}={i0}, {names[1]}={i1}", table))
    key = (f'<div style="font-size:12px;color:#374151;margin:0 0 4px 0">형상 {escape(str(a.shape))} — '
           f"축 0 <b>{names[0]}</b>, 축 1 <b>{names[1]}</b>: 판마다 하나 · "
           f"축 2 <b>{names[2]}</b> ↓, 축 3 <b>{names[3]}</b> →: 판 안의 표 · "
           f"축 4 <b>{names[4]}</b> ↓, 축 5 <b>{names[5]}</b> →: 표 칸마다 작은 격자</div>")
    head = f'<div style="font-weight:bold;font-size:13px;margin:0 0 2px 0">{title}</div>' if title else ""
    return f'<div class="cnnlib-axes">{head}{key}{row(*panels, align="flex-start")}</div>'
