"""Putting blocks of HTML together: rows, stacks, titled panels, notices, lines of text, fold-outs and
scroll boxes — the general helpers every explorer view uses (styles from :mod:`.style`).

A *fold-out* (:func:`fold`) is a ``<details>`` element with a ``data-key``: the live widget keeps it
open or closed across updates as the learner left it; a *scroll box* (:func:`scroll`) with a ``data-key``
keeps its scroll position, and a capped one (``cap=True``) scrolls its highlighted row into view.
"""

from __future__ import annotations

from html import escape

from .style import attrs

__all__ = ["row", "stack", "panel", "symbol", "notice", "line", "text", "key", "fold", "scroll", "keep_arrows",
           "KEY_COLOURS"]


def row(*blocks, css_class: str = "", align: str = "center", wrap: bool = True) -> str:
    """Blocks side by side. ``align``: 'center' for grids joined by symbols, 'flex-start' for panels;
    ``wrap=False`` keeps them on one line (the caller puts the row in a :func:`scroll` box)."""
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
    """One line of code-like text (an equation, a shape) that never wraps: put it in a :func:`scroll`
    box when it may be wider than the page."""
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


def scroll(body: str, *, data_key: str = "", cap: bool = False, css_class: str = "") -> str:
    """A box that scrolls instead of overflowing: sideways always, and when ``cap`` also downwards past
    a fixed height (a long matrix). The live widget keeps its position and, when ``cap``, scrolls the
    row marked ``is-current`` into view after each update."""
    names = ("x-scroll", "x-cap") if cap else ("x-hscroll",)
    dk = f' data-key="{data_key}"' if data_key else ""
    return f"<div{dk}{attrs('cnnlib-scroll', *names, css_class)}>{body}</div>"


def _colour_word(css_class: str, word: str):
    return lambda: f"<span{attrs(css_class)}>{word}</span>"


# Colour words in keys, each in its colour (functions: the style depends on the live/static mode).
KEY_COLOURS = (_colour_word("k-yellow", "노란 칸"), _colour_word("k-blue", "파란 칸"), _colour_word("k-green", "초록 칸"))
