"""Read back what an explorer shows: the grids (numbers and marks) and the visible text of
its HTML, parsed with the standard library — so tests check what a learner sees, not the
explorer's internals. In a grid (``table.cnnlib-grid``) data cells are ``<td>`` and labels ``<th>``."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import numpy as np


@dataclass
class Grid:
    role: str
    title: str
    texts: list = field(default_factory=list)   # rows of cell texts (labels excluded)
    marks: list = field(default_factory=list)   # rows of sets of marks ('window', 'pad', ...)
    row_labels: list = field(default_factory=list)  # the label left of each row ('' when none)

    def numbers(self) -> np.ndarray:
        return np.array([[float(t) for t in row] for row in self.texts])

    def marked(self, mark: str) -> set:
        """(row, col) of the cells carrying ``mark`` (padded coordinates for inputs)."""
        return {(r, c) for r, row in enumerate(self.marks) for c, m in enumerate(row) if mark in m}


class _GridParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.grids: list[Grid] = []
        self.text: list[str] = []
        self._block_depth = None   # div depth of the current cnnlib-block
        self._depth = 0
        self._title: list[str] = []
        self._grid = None
        self._cell = None           # (text parts, marks) of the current data cell
        self._row = None
        self._label = None          # text parts of the current row label cell
        self._row_label = ""

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div":
            self._depth += 1
            if "cnnlib-block" in classes:
                self._block_depth, self._title = self._depth, []
        elif tag == "table" and "cnnlib-grid" in classes:
            role = next((c[len("cnnlib-grid-"):] for c in classes if c.startswith("cnnlib-grid-")), "")
            self._grid = Grid(role=role, title=" ".join("".join(self._title).split()))
        elif tag == "tr" and self._grid is not None:
            self._row = ([], [])
            self._row_label = ""
        elif tag == "td" and self._grid is not None:
            self._cell = ([], {c[3:] for c in classes if c.startswith("is-")})
        elif tag == "th" and self._grid is not None and self._row is not None and not self._row[0]:
            self._label = []  # a label cell before the row's data cells

    def handle_endtag(self, tag):
        if tag == "div":
            if self._depth == self._block_depth:
                self._block_depth = None
            self._depth -= 1
        elif tag == "td" and self._cell is not None:
            self._row[0].append("".join(self._cell[0]).strip())
            self._row[1].append(self._cell[1])
            self._cell = None
        elif tag == "th" and self._label is not None:
            self._row_label = "".join(self._label).strip()
            self._label = None
        elif tag == "tr" and self._row is not None:
            if self._row[0]:
                self._grid.texts.append(self._row[0])
                self._grid.marks.append(self._row[1])
                self._grid.row_labels.append(self._row_label)
            self._row = None
        elif tag == "table" and self._grid is not None:
            self.grids.append(self._grid)
            self._grid = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell[0].append(data)
        elif self._label is not None:
            self._label.append(data)
        elif self._block_depth is not None and self._grid is None:
            self._title.append(data)


def parse(html: str) -> _GridParser:
    p = _GridParser()
    p.feed(html)
    p.close()
    return p


def grids(html: str, role: str | None = None) -> list[Grid]:
    return [g for g in parse(html).grids if role is None or g.role == role]


def visible_text(html: str) -> str:
    """The text a reader sees, whitespace collapsed (entities decoded)."""
    return " ".join("".join(parse(html).text).split())
