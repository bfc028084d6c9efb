"""HTML grids with visible numbers — the one renderer every explorer uses.

``grid_html`` draws a 2-D array as a ``<table>``; each cell can carry *marks* (see
``MARKS``) such as the current window, padding, never-visited cells or the max-pooling
winner, and unmarked cells can be shaded as a heatmap (``heat``, in the palette ``heat_palette``:
white→blue, diverging blue–white–red for signed values, or white→black for images). A large map
(an MNIST digit, a feature map) can be drawn as small shaded squares without numbers
(``show_numbers=False``, ``cell_px``). Layout helpers (``row``, ``column``, ``panel``, ``symbol``,
``notice``) put grids side by side.

Why inline styles and plain tables: the same HTML is shown live (ipywidgets ``HTML``)
and stored as the static view of a notebook, and GitHub's notebook viewer drops
``<style>`` blocks, scripts and SVG-in-HTML from outputs, while inline ``style``
attributes on ordinary elements survive (as does JupyterLab's sanitizer for untrusted
notebooks). Every cell therefore carries its own style, and the meaning is doubled in
markup that survives even a sanitizer that strips styles: marked numbers are bold
(``<b>``), padding is italic (``<i>``), never-visited cells are struck through (``<s>``).
Cells and tables also get ``class`` names (``cnnlib-grid-<role>``, ``is-<mark>``) so
tests and a browser can find them; nothing depends on a stylesheet.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

import numpy as np

__all__ = [
    "MARKS", "MARK_LEGEND", "format_number", "grid_html", "legend_html",
    "row", "column", "panel", "symbol", "notice", "mark_mask", "HEAT_PALETTES", "heat_colors",
]

# Marks in increasing priority: a later mark's colours win when a cell has several.
MARKS = ("pad", "span", "window", "unvisited", "current", "winner")

_BASE = {
    "border": "1px solid #9ca3af", "padding": "1px 4px", "text-align": "center", "min-width": "1.4em",
    "font": "13px/1.3 monospace", "color": "#111", "background": "#fff",
}
_MARK_STYLE = {
    "pad": {"background": "#eceff3", "color": "#6b7280", "border": "1px dashed #9ca3af"},
    "span": {"background": "#fef9c3"},
    "window": {"background": "#fde047", "font-weight": "bold", "border": "1px solid #a16207"},
    "unvisited": {"background": "#fecaca", "color": "#991b1b", "text-decoration": "line-through"},
    "current": {"background": "#93c5fd", "font-weight": "bold", "border": "2px solid #1d4ed8"},
    "winner": {"background": "#86efac", "font-weight": "bold", "border": "2px solid #15803d"},
}
_TAG = {"pad": "i", "window": "b", "current": "b", "winner": "b", "unvisited": "s"}

# Learner-facing meaning of each mark (Korean, English term in parentheses).
MARK_LEGEND = {
    "pad": "패딩(padding): 0으로 채운 칸",
    "span": "팽창(dilation)한 창이 건너뛰는 칸",
    "window": "지금 창(window)이 읽는 칸",
    "unvisited": "어떤 창도 읽지 않는 입력 칸 (never visited)",
    "current": "지금 계산하는 출력 칸",
    "winner": "최댓값으로 뽑힌 칸 (max)",
}

_LABEL_STYLE = ("border:none;padding:0 3px;font-size:10px;color:#6b7280;background:#ffffff;"
                "text-align:center;font-family:monospace")
_TABLE_STYLE = "border-collapse:collapse;margin:0;table-layout:auto;background:#ffffff"


def _css(props: dict) -> str:
    return ";".join(f"{k}:{v}" for k, v in props.items())


@lru_cache(maxsize=None)
def _cell_open(marks: frozenset, heat_colors: tuple | None = None) -> tuple[str, str, str]:
    """Opening <td ...> and the tag pair wrapping the number, for a set of marks (and, for an
    unmarked heatmap cell, its (background, text colour))."""
    props = dict(_BASE)
    if heat_colors is not None:
        props["background"], props["color"] = heat_colors
    for mark in MARKS:
        if mark in marks:
            props.update(_MARK_STYLE[mark])
    classes = " ".join(["cnnlib-cell"] + [f"is-{m}" for m in MARKS if m in marks])
    tags = [_TAG[m] for m in MARKS if m in marks and m in _TAG]
    # innermost tag: the highest-priority mark's
    inner = "".join(f"<{t}>" for t in dict.fromkeys(tags))
    outer = "".join(f"</{t}>" for t in reversed(list(dict.fromkeys(tags))))
    return f'<td class="{classes}" style="{_css(props)}">', inner, outer


@lru_cache(maxsize=4096)
def _square_td(background: str, marks: frozenset, span: int, width_px: int | None, height_px: int | None) -> str:
    """An empty square cell of a number-less grid (see ``grid_html(show_numbers=False)``):
    ``width_px`` on the first row's cells fixes each column's width, ``height_px`` on a row's
    first cell its height; ``span`` unmarked cells of one colour in a row become one cell."""
    props = {"padding": "0", "border": "0", "background": background}
    if width_px:
        props["width"] = f"{width_px}px"
    if height_px:
        props["height"] = f"{height_px}px"
    for mark in MARKS:
        if mark in marks:
            props.update({k: v for k, v in _MARK_STYLE[mark].items() if k in ("background", "border")})
    cls = (' class="' + " ".join(["cnnlib-cell"] + [f"is-{m}" for m in MARKS if m in marks]) + '"') if marks else ""
    colspan = f' colspan="{span}"' if span > 1 else ""
    return f'<td{cls}{colspan} style="{_css(props)}"></td>'


def format_number(v) -> str:
    """Whole numbers without a decimal point, others with at most 2 decimals (``1.25``, ``0.33``)."""
    if isinstance(v, str):
        return v
    f = float(v)
    if f.is_integer():
        return str(int(f))
    text = f"{f:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def mark_mask(shape, cells) -> np.ndarray:
    """Bool array of ``shape`` that is True at ``cells`` (an iterable of (row, col)) or a mask."""
    if isinstance(cells, np.ndarray) and cells.dtype == bool:
        return cells
    mask = np.zeros(shape, dtype=bool)
    for r, c in cells:
        mask[r, c] = True
    return mask


def _heat_colors(level: float) -> tuple[str, str]:
    """(background, text colour) of a heatmap cell: white (0) to blue (1)."""
    level = min(max(float(level), 0.0), 1.0)
    r, g, b = (round(255 + (t - 255) * level) for t in (59, 130, 246))
    return f"#{r:02x}{g:02x}{b:02x}", ("#fff" if level > 0.6 else "#111")


def _blend(level: float, target: tuple) -> str:
    """White (level 0) to ``target`` (level 1) as #rrggbb."""
    r, g, b = (round(255 + (t - 255) * level) for t in target)
    return f"#{r:02x}{g:02x}{b:02x}"


_RED, _BLUE, _BLACK = (220, 38, 38), (37, 99, 235), (17, 24, 39)


@lru_cache(maxsize=4096)  # levels repeat (a map's shading is usually quantised): cheap redraws
def _diverging_colors(level: float) -> tuple[str, str]:
    """Signed level in [-1, 1]: blue (negative), white (0), red (positive)."""
    level = min(max(float(level), -1.0), 1.0)
    strength = abs(level)
    return _blend(strength, _RED if level > 0 else _BLUE), ("#fff" if strength > 0.6 else "#111")


@lru_cache(maxsize=4096)
def _gray_colors(level: float) -> tuple[str, str]:
    """Level in [0, 1]: white (0) to near-black (1), like ink on paper (an MNIST digit)."""
    level = min(max(float(level), 0.0), 1.0)
    return _blend(level, _BLACK), ("#fff" if level > 0.5 else "#111")


# Palettes of ``grid_html(heat=..., heat_palette=...)``: name -> colour function of a level.
_PALETTES = {"blue": _heat_colors, "diverging": _diverging_colors, "gray": _gray_colors}
HEAT_PALETTES = tuple(_PALETTES)


def heat_colors(level: float, palette: str = "blue") -> tuple[str, str]:
    """(background, text colour) of a heatmap cell of ``level`` in ``palette`` (see ``HEAT_PALETTES``):
    'blue' 0 white → 1 blue; 'diverging' −1 blue → 0 white → 1 red; 'gray' 0 white → 1 black.
    Levels outside the palette's range are clipped."""
    if palette not in _PALETTES:
        raise ValueError(f"unknown heat palette {palette!r}; use one of {HEAT_PALETTES}.")
    return _PALETTES[palette](level)


def grid_html(values, *, marks=None, role="", title="", note="", row_labels=None, col_labels=None,
              heat=None, heat_palette="blue", show_numbers=True, cell_px=7) -> str:
    """One 2-D array as an HTML table with every number visible (or, ``show_numbers=False``, as
    small shaded squares).

    values: 2-D array (numbers or preformatted strings).
    marks: {mark: bool mask of values' shape, or iterable of (row, col)}; mark in ``MARKS``.
    role: names the grid for tests and browsers (table class ``cnnlib-grid-<role>``).
    title, note: HTML shown above and below the table.
    row_labels, col_labels: optional index labels (strings) along the left and the top.
    heat: optional array of values' shape in [0, 1]; unmarked cells get a blue background of that
        strength (a heatmap, e.g. how often im2col copies each input cell).
    heat_palette: the heatmap's colours (see :func:`heat_colors`): 'blue' (default), 'diverging'
        (heat in [-1, 1]: blue negative, white 0, red positive) or 'gray' (white 0 to black 1).
    show_numbers: False draws every cell as an empty ``cell_px``-pixel square (no number, no padding,
        no cell border; the table gets a thin outline) — for maps too large to read number by
        number; the shading (``heat``) carries the values, so give the numbers elsewhere.
    """
    vals = np.asarray(values, dtype=object)
    if vals.ndim != 2:
        raise ValueError(f"grid_html needs a 2-D array; got shape {vals.shape}.")
    rows, cols = vals.shape
    if heat is not None:
        heat = np.asarray(heat, dtype=float)
        if heat.shape != vals.shape:
            raise ValueError(f"heat must have the values' shape {vals.shape}; got {heat.shape}.")
    if heat_palette not in _PALETTES:
        raise ValueError(f"unknown heat palette {heat_palette!r}; use one of {HEAT_PALETTES}.")
    colors_of = _PALETTES[heat_palette]
    if not show_numbers:
        if not (isinstance(cell_px, int) and cell_px >= 1):
            raise ValueError(f"cell_px must be a whole number of pixels >= 1; got {cell_px!r}.")
        if row_labels is not None or col_labels is not None:
            raise ValueError("row_labels and col_labels need show_numbers=True.")
    masks = {}
    for mark, cells in (marks or {}).items():
        if mark not in _MARK_STYLE:
            raise ValueError(f"unknown mark {mark!r}; use one of {MARKS}.")
        masks[mark] = mark_mask((rows, cols), cells)

    out = [f'<div class="cnnlib-block" style="display:inline-block;vertical-align:top;margin:0 6px 6px 0">']
    if title:
        out.append(f'<div style="font-size:12px;margin:0 0 2px 0;color:#111827">{title}</div>')
    role_class = f" cnnlib-grid-{role}" if role else ""
    table_style = _TABLE_STYLE if show_numbers else _TABLE_STYLE + ";border:1px solid #9ca3af"
    out.append(f'<table class="cnnlib-grid{role_class}" style="{table_style}">')
    if not show_numbers:
        out.extend(_square_rows(rows, cols, masks, heat, colors_of, cell_px))
    else:
        if col_labels is not None:
            out.append("<tr>")
            if row_labels is not None:
                out.append(f'<td style="{_LABEL_STYLE}"></td>')
            out.extend(f'<td style="{_LABEL_STYLE}">{escape(str(lab))}</td>' for lab in col_labels)
            out.append("</tr>")
        empty = frozenset()
        for r in range(rows):
            out.append("<tr>")
            if row_labels is not None:
                out.append(f'<td style="{_LABEL_STYLE}">{escape(str(row_labels[r]))}</td>')
            for c in range(cols):
                cell_marks = frozenset(m for m, mask in masks.items() if mask[r, c]) if masks else empty
                colors = colors_of(heat[r, c]) if heat is not None and not cell_marks else None
                td, inner, outer = _cell_open(cell_marks, colors)
                out.append(f"{td}{inner}{escape(format_number(vals[r, c]))}{outer}</td>")
            out.append("</tr>")
    out.append("</table>")
    if note:
        out.append(f'<div style="font-size:12px;margin:2px 0 0 0;color:#374151">{note}</div>')
    out.append("</div>")
    return "".join(out)


def _square_rows(rows, cols, masks, heat, colors_of, px) -> list[str]:
    """The <tr>s of a number-less grid: empty px-square cells, a row's neighbouring unmarked cells of
    one colour merged into one cell (colspan) — a 28×28 digit is mostly white, so this keeps the
    HTML small. The first row is never merged: its cells fix the columns' widths."""
    out = []
    levels = heat.tolist() if heat is not None else None  # Python floats: faster per cell, same colours
    for r in range(rows):
        cells = []
        for c in range(cols):
            marks = frozenset(m for m, mask in masks.items() if mask[r, c]) if masks else frozenset()
            background = colors_of(levels[r][c])[0] if levels is not None and not marks else "#fff"
            if r > 0 and cells and not marks and not cells[-1][1] and cells[-1][0] == background:
                cells[-1][2] += 1
            else:
                cells.append([background, marks, 1])
        out.append("<tr>")
        for i, (background, marks, span) in enumerate(cells):
            out.append(_square_td(background, marks, span, px if r == 0 else None, px if i == 0 else None))
        out.append("</tr>")
    return out


def legend_html(marks) -> str:
    """A one-line key: a sample cell for each mark and what it means."""
    items = []
    for mark in marks:
        td, inner, outer = _cell_open(frozenset([mark]))
        items.append(
            f'<span style="display:inline-block;margin:0 10px 2px 0;vertical-align:middle">'
            f'<table style="{_TABLE_STYLE};display:inline-table;vertical-align:middle"><tr>{td}{inner}7{outer}</td>'
            f'</tr></table> <span style="font-size:12px">{escape(MARK_LEGEND[mark])}</span></span>'
        )
    return f'<div class="cnnlib-legend" style="margin:2px 0 6px 0">{"".join(items)}</div>'


def row(*blocks, css_class="", align="center") -> str:
    """Blocks side by side, wrapping on narrow screens (stacked where styles are stripped).
    ``align``: 'center' for grids joined by symbols, 'flex-start' for panels."""
    cls = f' class="{css_class}"' if css_class else ""
    return (f'<div{cls} style="display:flex;flex-wrap:wrap;align-items:{align};gap:4px 12px;margin:0 0 6px 0">'
            + "".join(blocks) + "</div>")


def column(*blocks, css_class="") -> str:
    cls = f' class="{css_class}"' if css_class else ""
    return f'<div{cls}>' + "".join(blocks) + "</div>"


def panel(title: str, body: str, *, css_class="") -> str:
    """A titled section (title is HTML)."""
    cls = f' class="{css_class}"' if css_class else ""
    return (f'<div{cls} style="margin:0 0 8px 0"><div style="font-weight:bold;font-size:13px;'
            f'margin:0 0 4px 0;color:#111827">{title}</div>{body}</div>')


def symbol(text: str) -> str:
    """A large operator between grids: ⊙, =, +, →."""
    return f'<span style="font-size:20px;padding:0 4px;color:#374151">{escape(text)}</span>'


_TONES = {
    "ok": ("#ecfdf5", "#047857"),
    "error": ("#fef2f2", "#b91c1c"),
    "note": ("#fffbeb", "#b45309"),
    "info": ("#f8fafc", "#64748b"),
}


def notice(body: str, *, tone="info", css_class="") -> str:
    """A coloured box (tone: ok, error, note, info) holding HTML."""
    bg, border = _TONES[tone]
    extra = f" {css_class}" if css_class else ""
    cls = f' class="cnnlib-notice cnnlib-notice-{tone}{extra}"'
    return (f'<div{cls} style="background:{bg};border-left:4px solid {border};padding:4px 8px;'
            f'margin:0 0 6px 0;font-size:13px;color:#111827">{body}</div>')
