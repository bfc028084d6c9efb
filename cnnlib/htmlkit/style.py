"""Every style of the explorers' (and the tutor's) HTML, written once, used two ways.

* **Static** (the default: the copy for GitHub, notebooks opened without a kernel, any HTML a notebook
  displays itself): each element's declarations are written into its ``style`` attribute, because GitHub
  and JupyterLab's sanitizer drop ``<style>`` blocks but keep inline styles. It needs no stylesheet.
* **Live** (the widget, inside ``with live():``): elements carry class names only; one stylesheet
  (:func:`stylesheet`, scoped under ``.cnnlib-live``) is loaded once with the widget, so a slider move
  sends a few bytes per cell instead of ~250 bytes of inline style.

:func:`attrs` is the one way a helper writes ``class``/``style``: ``f'<div{attrs("panel")}>'``.
Table cells are written by :mod:`.grid` through :func:`cell_attrs` (marks and heat levels).
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from functools import lru_cache

import numpy as np

__all__ = ["RULES", "MARKS", "MARK_STYLE", "HEAT_STEPS", "PALETTES", "live", "is_live", "attrs", "cell_attrs",
           "heat_class", "heat_colors", "stylesheet", "css"]

_LIVE = contextvars.ContextVar("cnnlib_live_html", default=False)


@contextmanager
def live():
    """Within this block every helper writes class names only (the live widget's HTML)."""
    token = _LIVE.set(True)
    try:
        yield
    finally:
        _LIVE.reset(token)


def is_live() -> bool:
    return _LIVE.get()


def css(props: dict) -> str:
    return ";".join(f"{k}:{v}" for k, v in props.items())


# ---- the rules: class name -> declarations -----------------------------------------------------------

_MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"
RULES = {
    # grids (see grid.py): the table, its label cells (th) and data cells (td)
    "cnnlib-grid": {"border-collapse": "collapse", "margin": "0", "background": "#fff"},
    "g-th": {"border": "none", "padding": "0 3px", "font": f"10px/1.3 {_MONO}", "color": "#6b7280",
             "background": "#fff", "text-align": "center", "white-space": "nowrap"},
    "g-td": {"border": "1px solid #9ca3af", "padding": "1px 3px", "text-align": "center", "min-width": "1.3em",
             "font": f"12px/1.25 {_MONO}", "color": "#111", "background": "#fff"},
    # smaller cells (see grid.SIZES): a grid of long decimals, and grids shrunk to fit the page side by side
    "g-td-compact": {"font-size": "11px", "padding": "0 2px"},
    "g-td-small": {"font-size": "10px", "line-height": "1.2", "padding": "0 2px", "min-width": "1.2em"},
    "g-td-tiny": {"font-size": "9px", "line-height": "1.15", "padding": "0 1px", "min-width": "1.1em"},
    "g-th-small": {"font-size": "9px", "padding": "0 2px"},
    "g-th-tiny": {"font-size": "8px", "padding": "0 1px"},
    "g-head": {"font": "bold 12px/1.3 sans-serif", "color": "#374151", "padding": "1px 4px"},   # a table's column names
    "g-sq": {"padding": "0", "border": "0", "min-width": "0", "font-size": "0", "line-height": "0"},
    "cnnlib-squares": {"border": "1px solid #9ca3af"},
    "cnnlib-block": {"display": "inline-block", "vertical-align": "top", "margin": "0 6px 6px 0"},
    "g-title": {"font-size": "12px", "margin": "0 0 2px 0", "color": "#111827", "white-space": "nowrap"},
    # a note never widens its grid: it wraps at the table's width, between words (Korean breaks
    # anywhere unless keep-all; a long English token still wraps rather than overflow)
    "g-note": {"font-size": "12px", "margin": "2px 0 0 0", "color": "#374151", "width": "0", "min-width": "100%",
               "word-break": "keep-all", "overflow-wrap": "break-word"},
    # layout (see layout.py)
    "x-row": {"display": "flex", "flex-wrap": "wrap", "align-items": "center", "gap": "4px 12px", "margin": "0 0 6px 0"},
    "x-row-top": {"display": "flex", "flex-wrap": "wrap", "align-items": "flex-start", "gap": "4px 12px",
                  "margin": "0 0 6px 0"},
    "x-nowrap": {"display": "flex", "flex-wrap": "nowrap", "align-items": "center", "gap": "4px 8px",
                 "margin": "0 0 4px 0"},
    "x-nowrap-top": {"display": "flex", "flex-wrap": "nowrap", "align-items": "flex-start", "gap": "4px 8px",
                     "margin": "0 0 4px 0"},
    "x-panel": {"margin": "0 0 6px 0"},
    "x-ptitle": {"font-weight": "bold", "font-size": "13px", "margin": "0 0 3px 0", "color": "#111827",
                 "white-space": "nowrap"},
    "x-sym": {"font-size": "20px", "padding": "0 2px", "color": "#374151"},
    "x-line": {"font-family": _MONO, "font-size": "13px", "margin": "2px 0"},
    "x-text": {"font-size": "13px", "margin": "2px 0", "color": "#111827",
               "word-break": "keep-all", "overflow-wrap": "break-word"},
    "x-key": {"font-size": "12px", "color": "#374151", "margin": "0 0 4px 0",
              "word-break": "keep-all", "overflow-wrap": "break-word"},
    "x-small": {"font-size": "12px", "color": "#6b7280",
                "word-break": "keep-all", "overflow-wrap": "break-word"},
    "x-fold": {"margin": "2px 0 6px 0"},
    "x-summary": {"cursor": "pointer", "font-size": "13px", "color": "#1d4ed8"},
    "x-legend": {"margin": "0 0 4px 0"},
    "x-swatch": {"display": "inline-block", "margin": "0 10px 2px 0", "vertical-align": "middle", "font-size": "12px",
                 "white-space": "nowrap"},   # a sample cell and its meaning stay on one line
    # where the sliders will be: what to do before the cell runs (the static copy)
    "x-static-head": {"font-size": "13px", "color": "#111827", "margin": "0 0 6px 0", "padding": "4px 8px",
                      "background": "#eff6ff", "border-left": "4px solid #1d4ed8"},
    "n-ok": {"background": "#ecfdf5", "border-left": "4px solid #047857"},
    "n-error": {"background": "#fef2f2", "border-left": "4px solid #b91c1c"},
    "n-note": {"background": "#fffbeb", "border-left": "4px solid #b45309"},
    "n-info": {"background": "#f8fafc", "border-left": "4px solid #64748b"},
    "cnnlib-notice": {"padding": "3px 8px", "margin": "0 0 6px 0", "font-size": "13px", "color": "#111827",
                      "word-break": "keep-all", "overflow-wrap": "break-word"},
    "f-ok": {"color": "#047857"},
    "f-bad": {"color": "#b91c1c"},
    "f-axis": {"font-family": "sans-serif", "font-size": "12px", "color": "#374151"},
    # the feature-map explorer's probability bars
    "p-row": {"display": "flex", "align-items": "center", "height": "16px", "font-size": "12px"},
    "p-digit": {"display": "inline-block", "width": "16px", "text-align": "right", "margin-right": "6px",
                "font-family": _MONO},
    "p-track": {"display": "inline-block", "width": "200px", "height": "11px", "background": "#f3f4f6"},
    "p-value": {"display": "inline-block", "margin-left": "6px", "font-family": _MONO},
    "p-tag": {"margin-left": "6px"},
    "k-yellow": {"background": "#fde047", "padding": "0 3px"},
    "k-blue": {"background": "#93c5fd", "padding": "0 3px"},
    "k-green": {"background": "#86efac", "padding": "0 3px"},
}

# Marks of grid cells, in increasing priority: a later mark's colours win when a cell has several.
MARKS = ("pad", "span", "window", "unvisited", "current", "winner")
MARK_STYLE = {
    "pad": {"background": "#eceff3", "color": "#6b7280", "border": "1px dashed #9ca3af"},
    "span": {"background": "#fef9c3"},
    "window": {"background": "#fde047", "font-weight": "bold", "border": "1px solid #a16207"},
    "unvisited": {"background": "#fecaca", "color": "#991b1b", "text-decoration": "line-through"},
    "current": {"background": "#93c5fd", "font-weight": "bold", "border": "2px solid #1d4ed8"},
    "winner": {"background": "#86efac", "font-weight": "bold", "border": "2px solid #15803d"},
}
for _mark in MARKS:
    RULES[f"is-{_mark}"] = MARK_STYLE[_mark]


# ---- heat levels: quantised so a level is a class (h-b7, h-d-12, h-g20) -----------------------------------

HEAT_STEPS = 20
_RED, _BLUE, _BLACK, _HEAT = (220, 38, 38), (37, 99, 235), (17, 24, 39), (59, 130, 246)


def _blend(level: float, target: tuple) -> str:
    """White (level 0) to ``target`` (level 1) as #rrggbb."""
    r, g, b = (round(255 + (t - 255) * level) for t in target)
    return f"#{r:02x}{g:02x}{b:02x}"


@lru_cache(maxsize=None)
def _colors(palette: str, step: int) -> tuple[str, str]:
    level = step / HEAT_STEPS
    if palette == "blue":
        return _blend(level, _HEAT), ("#fff" if level > 0.6 else "#111")
    if palette == "diverging":
        return _blend(abs(level), _RED if level > 0 else _BLUE), ("#fff" if abs(level) > 0.6 else "#111")
    return _blend(1 - level, _BLACK), ("#fff" if level < 0.5 else "#111")   # gray: 0 black -> 1 white


PALETTES = {"blue": (0, HEAT_STEPS), "diverging": (-HEAT_STEPS, HEAT_STEPS), "gray": (0, HEAT_STEPS)}
_CODE = {"blue": "b", "diverging": "d", "gray": "g"}


def heat_colors(level: float, palette: str = "blue") -> tuple[str, str]:
    """(background, text colour) of a heatmap cell of ``level`` in ``palette``: 'blue' 0 white → 1 blue;
    'diverging' −1 blue → 0 white → 1 red; 'gray' 0 black → 1 white (an MNIST digit, as matplotlib's
    gray colour map shows it). Levels are rounded to 1/HEAT_STEPS
    and clipped to the palette's range."""
    if palette not in PALETTES:
        raise ValueError(f"unknown heat palette {palette!r}; use one of {tuple(PALETTES)}.")
    return _colors(palette, int(heat_steps(level, palette)))


def heat_class(level: float, palette: str) -> str:
    return step_class(int(heat_steps(level, palette)), palette)


def heat_steps(levels, palette: str):
    """The integer step of each level (a number or an array): level × HEAT_STEPS rounded, clipped to the
    palette's range."""
    lo, hi = PALETTES[palette]
    return np.clip(np.round(np.asarray(levels, dtype=float) * HEAT_STEPS), lo, hi).astype(np.int64)


def step_class(step: int, palette: str) -> str:
    return f"h-{_CODE[palette]}{step}"


for _p, (_lo, _hi) in PALETTES.items():
    for _s in range(_lo, _hi + 1):
        _bg, _fg = _colors(_p, _s)
        RULES[f"h-{_CODE[_p]}{_s}"] = {"background": _bg, "color": _fg}


# ---- writing attributes ------------------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def _attrs(names: tuple, inline_: bool, extra: str) -> str:
    shown = " ".join(n for n in names if n)
    if not inline_:
        return f' class="{shown}"' if shown else ""
    props = {}
    for n in names:
        props.update(RULES.get(n, {}))
    if extra:
        props.update(dict(p.split(":", 1) for p in extra.split(";") if p))
    style = f' style="{css(props)}"' if props else ""
    return (f' class="{shown}"' if shown else "") + style


def attrs(*names: str, style: str = "") -> str:
    """`` class="..." style="..."`` with the classes' declarations inline (in order; later classes win),
    or in :func:`live` mode `` class="..."`` alone. ``style``: extra declarations ('width:7px') written
    inline in both modes (numbers not worth a class)."""
    live_ = _LIVE.get()
    out = _attrs(tuple(names), not live_, "" if live_ else style)
    if style and live_:
        out += f' style="{style}"'
    return out


@lru_cache(maxsize=8192)
def cell_attrs(marks: frozenset, heat: str | None, inline_: bool, size: str = "normal") -> tuple[str, str, str]:
    """The opening ``<td ...>`` of a grid cell with ``marks`` (a frozenset of MARKS) and heat class, and
    the tags wrapping its number: in the static copy marked numbers are bold (``<b>``), padding italic
    (``<i>``), never-read cells struck through (``<s>``), so the meaning survives where styles are
    stripped."""
    classes = [f"is-{m}" for m in MARKS if m in marks]
    if heat and not marks:
        classes.insert(0, heat)
    if inline_:
        props = dict(RULES["g-td"])
        if size != "normal":
            props.update(RULES[f"g-td-{size}"])
        for c in classes:
            props.update(RULES[c])
        cls = f' class="{" ".join(classes)}"' if classes else ""
        td = f'<td{cls} style="{css(props)}">'
    else:
        td = f'<td class="{" ".join(classes)}">' if classes else "<td>"
    if not inline_:   # live: the stylesheet carries the meaning; fewer nodes to patch
        return td, "", ""
    tags = list(dict.fromkeys(t for m, t in (("pad", "i"), ("window", "b"), ("unvisited", "s"), ("current", "b"),
                                             ("winner", "b")) if m in marks))
    return td, "".join(f"<{t}>" for t in tags), "".join(f"</{t}>" for t in reversed(tags))


def stylesheet() -> str:
    """The live widget's stylesheet: every rule scoped under ``.cnnlib-live`` (grid cells by tag)."""
    scope = ".cnnlib-live"
    lines = [f"{scope} .cnnlib-grid td{{{css(RULES['g-td'])}}}",
             f"{scope} .cnnlib-grid th{{{css(RULES['g-th'])}}}",
             *(f"{scope} .cnnlib-{size} td{{{css(RULES[f'g-td-{size}'])}}}" for size in ("compact", "small", "tiny")),
             *(f"{scope} .cnnlib-{size} th{{{css(RULES[f'g-th-{size}'])}}}" for size in ("small", "tiny")),
             f"{scope} .cnnlib-grid th.g-head{{{css(RULES['g-head'])}}}",
             f"{scope} .cnnlib-squares td{{{css(RULES['g-sq'])}}}",
             f"{scope} .cnnlib-squares img{{display:block;image-rendering:pixelated}}"]
    for name, props in RULES.items():
        if name.startswith("is-"):
            lines.append(f"{scope} .cnnlib-grid td.{name}{{{css(_paint_only(props))}}}")
        elif name.startswith("h-"):
            lines.append(f"{scope} .cnnlib-grid td.{name}{{{css(props)}}}")
        elif name.startswith(("g-td", "g-th")) or name in ("g-sq", "g-head"):   # written above, by tag
            continue
        else:
            lines.append(f"{scope} .{name}{{{css(props)}}}")
    # squares keep only colours and borders of a mark
    for m in MARKS:
        keep = {k: v for k, v in MARK_STYLE[m].items() if k in ("background", "border")}
        lines.append(f"{scope} .cnnlib-squares td.is-{m}{{{css(_paint_only(keep))}}}")
    return "\n".join(lines)


def _paint_only(props: dict) -> dict:
    """A mark's declarations as the live view writes them: nothing that changes a cell's size, so moving a
    window repaints cells without laying the tables out again. A solid border becomes an inset shadow
    and bold a text shadow; padding's dashed border stays (padding cells do not move with the window)."""
    out = {}
    for name, value in props.items():
        if name == "border" and " solid " in value:
            width, _, color = value.split()
            out["box-shadow"] = f"inset 0 0 0 {width} {color}"
        elif name == "font-weight":
            out["text-shadow"] = "0.6px 0 0 currentColor"
        else:
            out[name] = value
    return out
