"""Putting blocks of HTML together: rows, stacks, titled panels, notices, lines of text and fold-outs —
the general helpers every explorer view uses (styles from :mod:`.style`).

Nothing here scrolls: rows wrap, and grids shrink (:func:`.grid.fitting_size`), so what is on the page is
all in view. A *fold-out* (:func:`fold`) is a ``<details>`` element with a ``data-key``: the live widget
keeps it open or closed across updates as the learner left it.
"""

from __future__ import annotations

from html import escape

from .style import attrs

__all__ = ["row", "stack", "stage", "panel", "symbol", "notice", "line", "text", "key", "fold", "keep_arrows", "KEY_COLOURS"]


def row(*blocks, css_class: str = "", align: str = "center", wrap: bool = True) -> str:
    """Blocks side by side, wrapping onto the next line when the page is too narrow. ``align``: 'center'
    for grids joined by symbols, 'flex-start' for panels; ``wrap=False`` keeps them on one line (only for
    a few small blocks that belong together, such as a grid and the symbol before it)."""
    if wrap:
        base = "x-row" if align == "center" else "x-row-top"
    else:
        base = "x-nowrap" if align == "center" else "x-nowrap-top"
    return f"<div{attrs(base, css_class)}>" + "".join(blocks) + "</div>"


def stack(*blocks) -> str:
    """Blocks one under another, as one block (grid blocks are inline-blocks, which would sit side by
    side)."""
    return "<div>" + "".join(f"<div>{b}</div>" for b in blocks) + "</div>"


def panel(title: str, body: str, *, css_class: str = "") -> str:
    """A titled section (``title`` is HTML)."""
    return f"<div{attrs('x-panel', css_class)}><div{attrs('x-ptitle')}>{title}</div>{body}</div>"


def symbol(text_: str) -> str:
    """A large operator between grids: ⊙, =, +, →."""
    return f"<span{attrs('x-sym')}>{escape(text_)}</span>"


def keep_arrows(html: str) -> str:
    """An arrow in running text stays with the word after it, so no line ends in '→'."""
    return html.replace(" → ", " →\u00a0")


def notice(body: str, *, tone: str = "info", css_class: str = "") -> str:
    """A coloured box (tone: ok, error, note, info) holding HTML."""
    if tone not in ("ok", "error", "note", "info"):
        raise ValueError(f"unknown tone {tone!r}; use ok, error, note or info.")
    return f"<div{attrs('cnnlib-notice', f'cnnlib-notice-{tone}', f'n-{tone}', css_class)}>{keep_arrows(body)}</div>"


def line(html: str, css_class: str = "") -> str:
    """One line of code-like text (an equation, a shape); a line wider than the page wraps at spaces."""
    return f"<div{attrs('x-line', css_class)}>{html}</div>"


def text(html: str, css_class: str = "") -> str:
    """One paragraph of explanation."""
    return f"<div{attrs('x-text', css_class)}>{keep_arrows(html)}</div>"


def key(html: str) -> str:
    """A small key under a heading: what the colours mean."""
    return f"<div{attrs('x-key')}>{keep_arrows(html)}</div>"


def fold(summary: str, body: str, *, data_key: str, open_: bool = False, css_class: str = "") -> str:
    """A fold-out the learner opens (``<details>``); ``data_key`` names it so the live widget keeps its
    state across updates."""
    opened = " open" if open_ else ""
    return (f'<details data-key="{data_key}"{opened}{attrs("x-fold", css_class)}>'
            f"<summary{attrs('x-summary')}>{summary}</summary>{body}</details>")


def stage(*items) -> str:
    """A row of steps: blocks joined by operators ('@', '=', '→' given as plain strings). Each
    operator stays with the block after it, so when the row is too wide for the page it wraps between
    whole steps and no line ends in an operator."""
    units, pending = [], None
    for item in items:
        if isinstance(item, str) and len(item) <= 2:
            pending = item
            continue
        units.append(row(symbol(pending), item, align="flex-start", wrap=False) if pending else item)
        pending = None
    return row(*units, align="flex-start")


def _colour_word(css_class: str, word: str):
    return lambda: f"<span{attrs(css_class)}>{word}</span>"


# Colour words in keys, each in its colour (functions: the style depends on the live/static mode).
KEY_COLOURS = (_colour_word("k-yellow", "노란 칸"), _colour_word("k-blue", "파란 칸"), _colour_word("k-green", "초록 칸"))
