"""HTML grids with visible numbers — the one table renderer of the explorers and the tutor's reports.

``grid_html`` draws a 2-D array as a ``<table class="cnnlib-grid cnnlib-grid-<role>">``: label cells are
``<th>``, data cells ``<td>``. A cell can carry *marks* (``MARKS``: the current window, padding, never-read
cells, the max-pooling winner, …, as ``class="is-<mark>"``), and unmarked cells can be shaded as a heatmap
(``heat`` in a palette of :mod:`.style`). The meaning is doubled in markup that survives a sanitizer that
strips styles: marked numbers are bold (``<b>``), padding italic (``<i>``), never-read cells struck
through (``<s>``). A large map (an MNIST digit, a feature map) is drawn as small shaded squares without
numbers (``show_numbers=False``).

Cells come in sizes (:data:`SIZES`): :func:`fitting_size` picks the largest at which grids placed side
by side fit the narrowest page an explorer is shown on, so cells shrink before anything is cut.

``matrix_html`` draws chosen rows (and, when they are many, columns) of a large matrix (``shown_rows``: each sample's first and last row and
the rows around the current one, :class:`Gap` for the rows left out), each row carrying ``data-r``.

A grid that a learner can click names itself with ``pick`` (``data-pick`` on the table): the live
widget reports the clicked cell's row and column in that grid (see :mod:`.live`).

Styles come from :mod:`.style`: inline by default (the static copy), class names in live mode.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache
from html import escape

import numpy as np

from ..images import png_bytes
from .style import MARK_STYLE, MARKS, PALETTES, RULES, attrs, cell_attrs, heat_colors, heat_steps, is_live, step_class

__all__ = ["MARKS", "MARK_LEGEND", "HEAT_PALETTES", "SIZES", "format_number", "format_numbers", "signed", "grid_html",
           "legend_html", "mark_mask", "heat_colors", "matrix_html", "shown_rows", "shown_cols", "fitting_size", "Gap",
           "ROW_LIMIT", "COL_LIMIT"]

HEAT_PALETTES = tuple(PALETTES)

# Learner-facing meaning of each mark.
MARK_LEGEND = {
    "pad": "패딩: 0으로 채운 칸",
    "span": "팽창한 윈도우가 건너뛰는 칸",
    "window": "지금 윈도우가 읽는 칸",
    "unvisited": "어떤 윈도우도 읽지 않는 입력 칸",
    "current": "지금 계산하는 출력 칸",
    "winner": "최댓값으로 뽑힌 칸",
}


def format_number(v) -> str:
    """Whole numbers without a decimal point, others with at most 2 decimals (``1.25``, ``0.33``)."""
    if isinstance(v, str):
        return v
    f = float(v)
    if f.is_integer():
        return str(int(f))
    text = f"{f:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_numbers(values) -> np.ndarray:
    """An array of display strings (:func:`format_number`), formatted once per distinct value — large
    grids repeat a few small integers, and formatting is most of the drawing time."""
    a = np.asarray(values)
    if a.dtype == object:
        return a
    if a.size == 0:
        return a.astype(object)
    uniq, inverse = np.unique(a, return_inverse=True)
    texts = np.array([format_number(u) for u in uniq], dtype=object)
    return texts[inverse.reshape(a.shape)]


def signed(v) -> str:
    """A number in a sum written out: negative ones in parentheses, ``(−1)``."""
    text = format_number(v)
    return f"(−{text[1:]})" if text.startswith("-") else text


def mark_mask(shape, cells) -> np.ndarray:
    """Bool array of ``shape`` that is True at ``cells`` (an iterable of (row, col)) or a mask."""
    if isinstance(cells, np.ndarray) and cells.dtype == bool:
        return cells
    mask = np.zeros(shape, dtype=bool)
    for r, c in cells:
        mask[r, c] = True
    return mask


def grid_html(values, *, marks=None, role="", title="", note="", row_labels=None, col_labels=None,
              heat=None, heat_palette="blue", show_numbers=True, cell_px=7, pick="", row_ids=None,
              size="normal", header=False) -> str:
    """One 2-D array as an HTML table with every number visible (or, ``show_numbers=False``, as small
    shaded squares).

    values: 2-D array (numbers or preformatted strings).
    marks: {mark: bool mask of values' shape, or iterable of (row, col)}; mark in ``MARKS``.
    role: names the grid for tests and browsers (table class ``cnnlib-grid-<role>``).
    title, note: HTML shown above and below the table.
    row_labels, col_labels: optional index labels (strings) along the left and the top.
    heat: optional array of values' shape; unmarked cells are shaded by it in ``heat_palette``
        (see :func:`heat_colors`: 'blue' 0..1, 'diverging' −1..1, 'gray' 0 black..1 white).
    show_numbers: False draws every cell as an empty ``cell_px``-pixel square (the shading carries the
        values, so give the numbers elsewhere).
    pick: the name a click on this grid reports (``data-pick``); row_ids: ``data-r`` of each row.
    size: the cells' size, one of :data:`SIZES` ('compact': a grid of long decimals; see :func:`fitting_size`).
    header: ``col_labels`` are a table's column names (readable text), not indices.
    """
    raw = np.asarray(values)
    vals = raw if raw.dtype == object else raw.astype(object)
    if vals.ndim != 2:
        raise ValueError(f"grid_html needs a 2-D array; got shape {vals.shape}.")
    rows, cols = vals.shape
    if heat is not None:
        heat = np.asarray(heat, dtype=float)
        if heat.shape != vals.shape:
            raise ValueError(f"heat must have the values' shape {vals.shape}; got {heat.shape}.")
    if heat_palette not in PALETTES:
        raise ValueError(f"unknown heat palette {heat_palette!r}; use one of {HEAT_PALETTES}.")
    if size not in SIZES:
        raise ValueError(f"unknown cell size {size!r}; use one of {tuple(SIZES)}.")
    if not show_numbers:
        if not (isinstance(cell_px, int) and cell_px >= 1):
            raise ValueError(f"cell_px must be a whole number of pixels >= 1; got {cell_px!r}.")
        if row_labels is not None or col_labels is not None:
            raise ValueError("row_labels and col_labels need show_numbers=True.")
    masks = {}
    for mark, cells in (marks or {}).items():
        if mark not in MARKS:
            raise ValueError(f"unknown mark {mark!r}; use one of {MARKS}.")
        mask = mark_mask((rows, cols), cells)
        if mask.any():
            masks[mark] = mask

    out = [f"<div{attrs('cnnlib-block')}>"]
    if title:
        out.append(f"<div{attrs('g-title')}>{title}</div>")
    role_class = f"cnnlib-grid-{role}" if role else ""
    data = f' data-pick="{pick}"' if pick else ""
    if not show_numbers:
        out.append(f"<table{data}{attrs('cnnlib-grid', 'cnnlib-squares', role_class)}>")
        if is_live() and not masks and not pick:   # one picture instead of hundreds of cells to patch
            out.append(f"<tr><td>{_square_image(rows, cols, heat, heat_palette, cell_px)}</td></tr>")
        else:
            out.extend(_square_rows(rows, cols, masks, heat, heat_palette, cell_px))
    else:
        live = is_live()
        sized = f"cnnlib-{size}" if size != "normal" else ""
        out.append(f"<table{data}{attrs('cnnlib-grid', sized, role_class)}>")
        th_size = f"g-th-{size}" if size in ("small", "tiny") else ""
        th = "<th>" if live else f"<th{attrs('g-th', th_size)}>"   # live: the stylesheet styles th
        if col_labels is not None:
            head = (' class="g-head"' if live else attrs("g-th", "g-head")) if header else ""
            out.append("<tr>" + (th + "</th>" if row_labels is not None else "")
                       + "".join(f"<th{head}>{escape(str(lab))}</th>" if header else f"{th}{escape(str(lab))}</th>"
                                 for lab in col_labels) + "</tr>")
        if raw.dtype.kind not in "biuf":   # strings, objects: escape each (once per distinct value)
            memo = {}
            texts = [memo[v] if v in memo else memo.setdefault(v, escape(format_number(v))) for v in vals.ravel().tolist()]
        else:
            texts = format_numbers(raw)
        opens, closes = _cell_tags((rows, cols), masks, heat, heat_palette, not live, size)
        cells = (opens + np.array(texts, dtype=object).reshape(rows, cols) + closes).tolist()
        for r in range(rows):
            rid = f' data-r="{row_ids[r]}"' if row_ids is not None and row_ids[r] is not None else ""
            label = f"{th}{escape(str(row_labels[r]))}</th>" if row_labels is not None else ""
            out.append(f"<tr{rid}>{label}{''.join(cells[r])}</tr>")
    out.append("</table>")
    if note:
        out.append(f"<div{attrs('g-note')}>{note}</div>")
    out.append("</div>")
    return "".join(out)


def _mark_bits(shape, masks, names) -> np.ndarray:
    """An int per cell: bit i is set when the cell has mark ``names[i]``."""
    bits = np.zeros(shape, dtype=np.int64)
    for i, m in enumerate(names):
        bits |= masks[m].astype(np.int64) << i
    return bits


def _marks_of(bits: int, names) -> tuple:
    return tuple(m for i, m in enumerate(names) if bits >> i & 1)


def _cell_tags(shape, masks, heat, palette, inline_, size):
    """Two object arrays of ``shape``: each cell's opening (``<td ...>`` and the tags around its number)
    and closing text. A large grid has few kinds of cell (marks × heat level): each kind's tags are
    written once."""
    names = [m for m in MARKS if m in masks]
    bits = _mark_bits(shape, masks, names)
    lo, hi = PALETTES[palette]
    steps = heat_steps(heat, palette) - lo if heat is not None else np.zeros(shape, dtype=np.int64)
    kinds, inverse = np.unique(bits * (hi - lo + 1) + steps, return_inverse=True)   # one number per kind
    opens, closes = [], []
    for kind in kinds.tolist():
        b, step = divmod(kind, hi - lo + 1)
        hc = step_class(step + lo, palette) if heat is not None else None
        td, inner, outer = cell_attrs(frozenset(_marks_of(b, names)), hc, inline_, size)
        opens.append(td + inner)
        closes.append(outer + "</td>")
    inverse = inverse.reshape(shape)
    return np.array(opens, dtype=object)[inverse], np.array(closes, dtype=object)[inverse]


def _square_image(rows, cols, heat, palette, px) -> str:
    """The squares of an unmarked grid as one PNG (the live view: a new image moves 1–2 kB and repaints
    one element): each pixel the colour its cell would have, shown ``px`` times larger, unsmoothed."""
    if heat is None:
        pixels = np.full((rows, cols, 3), 255, dtype=np.uint8)
    else:
        lo, hi = PALETTES[palette]
        table = np.array([_rgb(RULES[step_class(k, palette)]["background"]) for k in range(lo, hi + 1)], dtype=np.uint8)
        pixels = table[heat_steps(heat, palette) - lo]
    return (f'<img alt="" width="{cols * px}" height="{rows * px}" '
            f'src="data:image/png;base64,{base64.b64encode(png_bytes(pixels)).decode()}">')


def _rgb(color: str) -> tuple:
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))


def _square_rows(rows, cols, masks, heat, palette, px) -> list[str]:
    """The <tr>s of a number-less grid: empty px-square cells, a row's neighbouring unmarked cells of one
    shade merged into one cell (colspan) — a 28×28 digit is mostly white, so this keeps the HTML small.
    The first row is never merged: its cells fix the columns' widths."""
    live = is_live()
    names = [m for m in MARKS if m in masks]
    kind = _mark_bits((rows, cols), masks, names)
    if heat is not None:
        lo, hi = PALETTES[palette]
        shades = np.array([step_class(k, palette) for k in range(lo, hi + 1)], dtype=object)[heat_steps(heat, palette) - lo]
        shades = np.where(kind == 0, shades, "").tolist()
    else:
        shades = [[""] * cols for _ in range(rows)]
    kind = kind.tolist()
    out = []
    for r in range(rows):
        cells = []
        for c in range(cols):
            shade, k = shades[r][c], kind[r][c]
            if r > 0 and cells and not k and not cells[-1][1] and cells[-1][0] == shade:
                cells[-1][2] += 1
            else:
                cells.append([shade, k, 1])
        out.append("<tr>")
        for i, (shade, k, span) in enumerate(cells):
            size = (f"width:{px}px;" if r == 0 else "") + (f"height:{px}px" if i == 0 else "")
            out.append(_square_cell(shade, _marks_of(k, names), span, size, live))
        out.append("</tr>")
    return out


@lru_cache(maxsize=4096)
def _square_cell(shade: str, marks: tuple, span: int, size: str, live: bool) -> str:
    """One square cell: live, class names; static, only what a square needs (a digit is 784 of them)."""
    colspan = f' colspan="{span}"' if span > 1 else ""
    marked = [f"is-{m}" for m in marks]
    if live:
        cls = " ".join(n for n in [shade] + marked if n)
        return (f'<td{colspan}{f" class={chr(34)}{cls}{chr(34)}" if cls else ""}'
                f'{f" style={chr(34)}{size}{chr(34)}" if size else ""}></td>')
    bg = next((MARK_STYLE[m]["background"] for m in reversed(MARKS) if m in marks), None)
    bg = bg or (RULES[shade]["background"] if shade else "#fff")
    border = next((MARK_STYLE[m]["border"] for m in reversed(MARKS) if m in marks and "border" in MARK_STYLE[m]), "0")
    cls = f' class="{" ".join(marked)}"' if marked else ""
    return (f'<td{colspan}{cls} style="padding:0;border:{border};background:{bg}'
            f'{";" + size.rstrip(";") if size else ""}"></td>')


# ---- cell sizes ----------------------------------------------------------------------------------------

# Per size: (px per character of a number, a cell's horizontal padding and borders, its least width) — as
# the styles in style.py draw them (monospace digits are 0.6 em wide).
SIZES = {"normal": (7.2, 8, 22), "compact": (6.6, 6, 20), "small": (6.0, 6, 16), "tiny": (5.4, 4, 12)}
FIT_PX = 800   # the page an explorer must fit: JupyterLab at 1280 px wide with the file browser open
GAP_PX = 14    # between two grids side by side


def _extent(values) -> tuple[int, int]:
    """(columns, characters of the longest number) of a 2-D array as :func:`grid_html` writes it."""
    a = np.asarray(values)
    if a.dtype == object or a.size == 0:
        longest = max((len(str(t)) for t in a.ravel()), default=1)
    else:   # the longest text is the one of the smallest or the largest value (or a fraction): few values
        longest = max(len(format_number(v)) for v in np.unique(a))
    return (a.shape[1] if a.ndim == 2 else 1), longest


def _px(extent, size: str, row_labels: int) -> int:
    cols, longest = extent
    char, pad, least = SIZES[size]
    label = row_labels * char * 0.85 + pad if row_labels else 0
    return int(cols * max(least, longest * char + pad) + label)


def grid_px(values, size: str, row_labels: int = 0) -> int:
    """About how wide ``grid_html`` draws ``values`` (2-D) in ``size``, with a row label column of
    ``row_labels`` characters (0: none)."""
    return _px(_extent(values), size, row_labels)


def fitting_size(*rows, width: int = FIT_PX) -> str:
    """The largest size at which each row fits ``width`` px; ``rows``: lists of (values, row-label
    characters) of grids shown side by side. 'tiny' when none fits (the rows then wrap)."""
    seen = {}
    extents = [[(seen.setdefault(id(v), _extent(v)), lab) for v, lab in grids] for grids in rows if grids]
    for size in ("normal", "small"):
        if all(sum(_px(e, size, lab) + GAP_PX for e, lab in grids) <= width for grids in extents):
            return size
    return "tiny"


def legend_html(marks) -> str:
    """A one-line key: a sample cell for each mark and what it means."""
    items = []
    live = is_live()
    for mark in marks:
        td, inner, outer = cell_attrs(frozenset([mark]), None, not live)
        items.append(f"<span{attrs('x-swatch')}><table{attrs('cnnlib-grid')} style=\"display:inline-table;"
                     f"vertical-align:middle\"><tr>{td}{inner}7{outer}</td></tr></table> "
                     f"{escape(MARK_LEGEND[mark])}</span>")
    return f"<div{attrs('cnnlib-legend', 'x-legend')}>{''.join(items)}</div>"


# ---- tall matrices -------------------------------------------------------------------------------------

ROW_LIMIT = 24       # matrices with at most this many rows are drawn whole
COL_LIMIT = 36       # ... and with at most this many columns (more would not fit the page)


@dataclass(frozen=True)
class Gap:
    """``count`` matrix rows left out of a drawing."""

    count: int


def shown_rows(block: int, blocks: int, current=()) -> list[list]:
    """Which rows of a matrix of ``blocks`` groups of ``block`` rows to draw, group by group: every row
    when there are at most ``ROW_LIMIT``, else each group's first and last row and the rows next to the
    ``current`` ones, with :class:`Gap` where rows are left out."""
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


def shown_cols(count: int) -> list:
    """Which of ``count`` columns a matrix draws: all up to ``COL_LIMIT``, else the first ones, a
    :class:`Gap` and the last two."""
    if count <= COL_LIMIT:
        return list(range(count))
    return list(range(COL_LIMIT - 3)) + [Gap(count - COL_LIMIT + 1), count - 2, count - 1]


def matrix_html(M, rows, *, role, title, label, col_labels=None, marks=None, note="", pick="", size="normal") -> str:
    """Rows ``rows`` (ints and :class:`Gap`) of the 2-D array ``M`` as one grid; ``label(r)`` names row r;
    ``marks`` {mark: {row index in M: set of columns}}. Each drawn row carries ``data-r`` (its index in
    ``M``), so a click on it reports that row. A matrix of more than ``COL_LIMIT`` columns shows some of
    them (:func:`shown_cols`) and says how many in its title."""
    cols = shown_cols(M.shape[1])
    where = {c: j for j, c in enumerate(cols) if not isinstance(c, Gap)}
    values = np.empty((len(rows), len(cols)), dtype=object)
    picked = [r for r in rows if not isinstance(r, Gap)]
    kept = [c for c in cols if not isinstance(c, Gap)]
    texts = dict(zip(picked, format_numbers(M[np.ix_(picked, kept)]))) if picked else {}
    gap_cols = [j for j, c in enumerate(cols) if isinstance(c, Gap)]
    labels, ids = [], []
    masks = {m: np.zeros((len(rows), len(cols)), dtype=bool) for m in (marks or {})}
    for i, r in enumerate(rows):
        if isinstance(r, Gap):
            values[i] = "⋮"
            labels.append(f"⋮\u00a0{r.count}행\u00a0생략")  # no-break spaces: labels stay on one line
            ids.append(None)
            continue
        values[i, [where[c] for c in kept]] = texts[r]
        values[i, gap_cols] = "⋯"
        labels.append(label(r))
        ids.append(r)
        for m, cells in (marks or {}).items():
            for cc in cells.get(r, ()):
                if cc in where:
                    masks[m][i, where[cc]] = True
                elif gap_cols and m == "current":
                    masks[m][i, gap_cols[0]] = True
    if col_labels is not None:
        col_labels = [col_labels[c] if not isinstance(c, Gap) else f"⋯{c.count}" for c in cols]
    if len(kept) < M.shape[1]:
        title += f" — {M.shape[1]}열 중 {len(kept)}열"
    return grid_html(values, marks=masks, role=role, title=title, note=note, row_labels=labels,
                     col_labels=col_labels, pick=pick, row_ids=ids, size=size)
