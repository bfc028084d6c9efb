"""Plain-text tables whose columns line up with Korean text.

A Hangul syllable takes two columns in a monospace font, so Python's ``f"{s:10s}"`` (which counts
characters) misaligns every table with a Korean header. :func:`text_table` pads by display width.

    >>> print(text_table([["conv1", 96], ["합계", 1234]], headers=["층", "매개변수"], align="<>"))
    층     매개변수
    conv1        96
    합계       1234
"""

from __future__ import annotations

import unicodedata

__all__ = ["display_width", "pad", "text_table"]


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
