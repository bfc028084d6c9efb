"""The live view of an explorer: one small custom widget (anywidget) that shows the explorer's HTML parts
and reports clicks, keys and Play steps back to Python. Its code is in ``live.js`` and ``live.css`` beside
this file (works offline).

* **Code**: the widget's own module is ``loader.js``, which asks the kernel for ``live.js`` and the
  stylesheet (``live.css`` and the grid styles of :func:`cnnlib.htmlkit.style.stylesheet`) in a message.
  A notebook saves a widget's state, not its messages: the ~22 kB of code is not stored in every
  notebook that shows an explorer (the static copy is what shows without a kernel).
* **Parts**: the explorer's HTML parts, with class names instead of inline styles, laid out in ``rows``
  as the static copy is (:func:`layout_html`). A view asks for every part when it opens; from then on each
  update is one message with the parts that changed, in which every table row the views already show is
  a reference to it (:func:`row_delta`): moving a window over a 12×12 grid resends a few rows, not the
  tables. Updates are numbered; a view that missed one asks for every part again.
* **One picture at a time**: a view says when it has painted an update. Until then a change only marks
  the view out of date; when the view has painted, the newest state is computed and sent — so a drag or a
  typed value is drawn once, as it ends, instead of every value on the way queueing in the browser.
  The message carries the values of the explorer's number boxes too: the view writes them into the boxes
  as it paints, so a box and its picture always show the same step.
* **Clicks and hover**: a click on a cell of a grid that names itself (``data-pick``, see
  :func:`cnnlib.htmlkit.grid.grid_html`) sends ``{event: 'pick', grid, row, col, how, version}``; resting
  the pointer on a cell for 150 ms sends the same with ``how: 'hover'``. A click on a picture that is no
  longer the newest (its ``version``) is ignored. :meth:`LiveView.on_pick` registers the Python side.
* **Home/End** on one of the explorer's sliders go to the ends of its current range (Python sets it:
  noUiSlider keeps its first range for these keys).
* **Play**: while ``playing``, the view asks for the next step (``step``) ``interval`` ms after it painted
  the last one, so Play never runs ahead of the picture.

The bundle an explorer displays (``Explorer._repr_mimebundle_``) holds the widget view, the static copy
as ``text/html`` (what GitHub and an untrusted notebook show) and a sentence as ``text/plain``;
``STALE_HINT_HTML`` is shown just before it.
"""

from __future__ import annotations

import re
import time
from functools import cache
from pathlib import Path

import anywidget
import traitlets

from ..htmlkit.style import stylesheet

__all__ = ["LiveView", "layout_html", "layout_names", "row_delta", "table_rows", "live_code", "STALE_HINT_HTML",
           "PLAIN_TEXT"]

HERE = Path(__file__).resolve().parent
PLAIN_TEXT = "셀을 실행하면 탐색기가 나타납니다 (JupyterLab에서 이 셀을 실행하세요)."
STALL_S = 2.0   # an update not painted after this long (a view that closed): the next one is sent anyway

# Shown before a live explorer: invisible itself, it makes the widget manager's "Error displaying widget:
# model not found" (a notebook reopened after its kernel was replaced) say what to do.
STALE_HINT_HTML = (
    '<style class="cnnlib-stale-hint">'
    ".jp-OutputArea-child:has(style.cnnlib-stale-hint){display:none}"
    ".jp-OutputArea-output.jupyter-widgets:not(:has(*))::after{display:block;margin-top:4px;padding:4px 8px;"
    "background:#fffbeb;border-left:4px solid #b45309;color:#111827;font-size:13px;white-space:normal;"
    "content:'이 탐색기는 이전 실행의 것이라 다시 그릴 수 없습니다. 셀을 다시 실행하세요 "
    "(Shift+Enter, 또는 Run ▸ Run All Cells).'}"
    "</style>")


@cache
def live_code() -> dict:
    """{'esm': live.js, 'css': the stylesheet}: what a view asks for when it opens (read once per kernel)."""
    return {"esm": (HERE / "live.js").read_text(encoding="utf-8"),
            "css": stylesheet() + "\n" + (HERE / "live.css").read_text(encoding="utf-8")}


class LiveView(anywidget.AnyWidget):
    """The parts of one explorer, laid out in rows; see the module docstring. ``source()`` gives the
    explorer's current ``({part: HTML}, {number box class: value})``."""

    _esm = HERE / "loader.js"
    prefix = traitlets.Unicode("").tag(sync=True)
    rows = traitlets.List().tag(sync=True)   # (not 'layout': every DOM widget has a Layout of that name)
    playing = traitlets.Bool(False).tag(sync=True)
    interval = traitlets.Int(700).tag(sync=True)   # ms between a painted Play step and the next

    def __init__(self, prefix: str, arrangement, source, **kwargs):
        """``arrangement``: the explorer's LAYOUT (rows of part names); ``kwargs`` go to the widget (its Layout)."""
        names = layout_names(arrangement)
        super().__init__(prefix=prefix, rows=[[list(i) if isinstance(i, tuple) else i for i in r] for r in arrangement],
                         **kwargs)
        self.names = tuple(names)
        self._source = source
        self._html = {p: "" for p in names}   # what every view in step shows
        self._rows = {p: [] for p in names}   # ... and its table rows
        self.version = 0
        self._asked = False
        self._in_flight = None   # when the newest update was sent, until a view has painted it
        self._dirty = False      # the explorer changed since the newest update was computed
        self._pick = self._end = self._step = None
        self.on_msg(self._message)

    def refresh(self) -> None:
        """The explorer changed: show its newest state now or, while the views still paint the last
        update, as soon as they have (what changes meanwhile is never computed)."""
        if self._asked and self._in_flight is not None and time.monotonic() - self._in_flight < STALL_S:
            self._dirty = True
            return
        self._dirty = False
        self.show(*self._source())

    def show(self, parts: dict, values: dict | None = None) -> None:
        """Show new HTML for some parts: the changed ones go to the views in one message, each table row
        a view already shows sent as a reference to it (:func:`row_delta`)."""
        changed = {p: html for p, html in parts.items() if html != self._html[p]}
        if not self._asked:   # no view yet: kept until one asks
            self._html.update(changed)
            return
        if not changed:
            return
        rows = {p: len(self._rows[p]) for p in changed}
        delta = {}
        for p, html in changed.items():
            delta[p], self._rows[p] = row_delta(html, self._rows[p])
        self._html.update(changed)
        self.version += 1
        self._in_flight = time.monotonic()
        self.send({"event": "parts", "base": self.version - 1, "version": self.version, "parts": delta,
                   "rows": rows, "values": values or {}})

    def _send_all(self) -> None:
        self._asked = True
        self._dirty = False
        parts, values = self._source()
        self._html.update(parts)
        self._rows = {p: table_rows(html) for p, html in self._html.items()}
        self._in_flight = time.monotonic()
        self.send({"event": "parts", "base": None, "version": self.version, "parts": self._html, "values": values})

    def part(self, name: str) -> str:
        return self._html[name]

    def parts(self) -> dict:
        """{part: HTML} as every view in step shows it."""
        return dict(self._html)

    def on_pick(self, callback) -> None:
        """``callback(grid, row, col, how)`` for each click or hover on a pickable grid."""
        self._pick = callback

    def on_end(self, callback) -> None:
        """``callback(control name, 'max' or 'min')`` for End or Home pressed on one of the explorer's sliders."""
        self._end = callback

    def on_step(self, callback) -> None:
        """``callback()`` for each Play step a view asks for."""
        self._step = callback

    def _message(self, _widget, content, _buffers) -> None:
        event = content.get("event")
        if event == "code":
            self.send({"event": "code", **live_code()})
        elif event == "full":
            self._send_all()
        elif event == "painted":
            if content.get("version") == self.version:
                self._in_flight = None
                if self._dirty:
                    self.refresh()
        elif event == "pick" and self._pick is not None:
            # a click on a picture that is not the newest (or that the explorer has left) selects nothing
            if content.get("version") == self.version and not self._dirty:
                self._pick(str(content["grid"]), int(content["row"]), int(content["col"]), content.get("how", "click"))
        elif event == "end" and self._end is not None:
            self._end(str(content["control"]), str(content["end"]))
        elif event == "step" and self._step is not None and self.playing:
            self._step()


# A table row of an explorer's HTML (grids hold no tables inside cells: checked where rows are read).
_ROW = re.compile(r"<tr\b[^>]*>.*?</tr>", re.S)


def table_rows(html: str) -> list[str]:
    """The ``<tr>…</tr>`` texts of ``html`` in document order (the order of the DOM's rows), or [] when a
    row holds a table of its own (the rows would not match the DOM's: such a part is sent whole)."""
    return row_delta(html, [])[1]


def row_delta(html: str, shown: list[str]) -> tuple[str, list[str]]:
    """``html`` with each row that is also in ``shown`` (the rows a view shows now) replaced by
    ``<tr data-same="k"></tr>``, k its index there (the same place if the row is there, else its first
    place): a moved window resends a few rows, not the tables. Also ``html``'s own rows (see
    :func:`table_rows`): what the view shows after this update."""
    index = {}
    for k, row in enumerate(shown):
        index.setdefault(row, k)
    rows, pieces, end = [], [], 0
    for j, match in enumerate(_ROW.finditer(html)):
        row = match.group(0)
        rows.append(row)
        k = j if j < len(shown) and shown[j] == row else index.get(row)
        same = f'<tr data-same="{k}"></tr>'
        pieces += [html[end : match.start()], same if k is not None and len(same) < len(row) else row]
        end = match.end()
    if any("<table" in row for row in rows):   # rows that hold tables: sent whole, never referred to
        return html, []
    return "".join(pieces) + html[end:], rows


def layout_names(layout) -> list[str]:
    """The part names of a layout (rows of names; a tuple inside a row is a column), in order."""
    return [p for items in layout for item in items for p in (item if isinstance(item, tuple) else (item,))]


def layout_html(prefix: str, layout, parts: dict) -> str:
    """The parts in rows, as the live view lays them out, with inline styles (the static copy)."""
    def part(p):
        return f'<div class="cnnlib-part {prefix}-{p}" style="min-width:0;max-width:100%">{parts[p]}</div>' if parts[p] else ""

    rows = []
    for items in layout:
        cells = "".join(f'<div class="cnnlib-live-column">{"".join(part(p) for p in item)}</div>'
                        if isinstance(item, tuple) else part(item) for item in items)
        rows.append('<div class="cnnlib-live-row" style="display:flex;flex-wrap:wrap;align-items:flex-start;'
                    f'gap:2px 18px">{cells}</div>')
    return "".join(rows)
