"""Tables whose columns line up with Korean text: as plain text, and as HTML in a notebook.

A Hangul syllable takes two columns in a monospace font, so Python's ``f"{s:10s}"`` (which counts
characters) misaligns every table with a Korean header. :func:`text_table` pads by display width.
A browser's monospace font rarely draws Hangul at exactly two columns, though, so in a notebook a
:class:`Table` shows itself as an HTML table (its plain-text form stays the aligned text).

    >>> print(text_table([["conv1", 96], ["합계", 1234]], headers=["층", "매개변수"], align="<>"))
    층     매개변수
    conv1        96
    합계       1234
"""

from __future__ import annotations

import html
import unicodedata

__all__ = ["Table", "display_width", "pad", "text_table"]


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospace font: 2 for wide (Hangul, CJK) characters, else 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


def pad(text, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` display columns, left (``<``) or right (``>``) aligned."""
    text = str(text)
    fill = " " * max(width - display_width(text), 0)
    return text + fill if align == "<" else fill + text


def text_table(rows, headers=None, align=None, sep: str = "  ") -> str:
    """Rows (lists of cells; numbers already formatted or not) as aligned text lines.

    ``align``: one character per column, ``<`` left or ``>`` right (default: the first column left, the
    others right, as for a name followed by numbers)."""
    rows = [[str(c) for c in r] for r in rows]
    if headers is not None:
        rows = [[str(h) for h in headers]] + rows
    n = max(len(r) for r in rows)
    align = align or "<" + ">" * (n - 1)
    if len(align) != n:
        raise ValueError(f"align needs one of '<' or '>' per column ({n}); got {align!r}.")
    widths = [max(display_width(r[i]) for r in rows if i < len(r)) for i in range(n)]
    lines = [sep.join(pad(c, widths[i], align[i]) for i, c in enumerate(r)).rstrip() for r in rows]
    return "\n".join(lines)


class Table:
    """A table a notebook displays: ``display(Table(rows, headers=...))`` shows an HTML table in
    JupyterLab and on GitHub; its plain-text form (``str``, ``repr``) is :func:`text_table`'s.

    ``rows``, ``headers`` and ``align`` as for :func:`text_table`."""

    def __init__(self, rows, headers=None, align=None):
        self.rows = [[str(c) for c in r] for r in rows]
        self.headers = None if headers is None else [str(h) for h in headers]
        self.text = text_table(self.rows, self.headers, align)   # validates align
        n = max(len(r) for r in self.rows + ([self.headers] if self.headers else []))
        self.align = align or "<" + ">" * (n - 1)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        def cell(tag, text, i):
            side = "left" if self.align[i] == "<" else "right"
            return (f'<{tag} style="text-align:{side};padding:1px 10px;word-break:keep-all;'
                    f'white-space:nowrap">{html.escape(text)}</{tag}>')

        head = ("<thead><tr>" + "".join(cell("th", h, i) for i, h in enumerate(self.headers)) + "</tr></thead>"
                if self.headers else "")
        body = "".join("<tr>" + "".join(cell("td", c, i) for i, c in enumerate(r)) + "</tr>" for r in self.rows)
        return (f'<table class="cnnlib-table" style="border-collapse:collapse;'
                f'font-variant-numeric:tabular-nums">{head}<tbody>{body}</tbody></table>')
