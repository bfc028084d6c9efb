"""The live view of an explorer: one small custom widget (anywidget; its JavaScript ships in this file,
so it works offline) that shows the explorer's HTML parts and reports clicks back to Python.

* **Parts**: the explorer's HTML parts, with class names instead of inline styles (:mod:`.style`; the
  stylesheet ``_css`` is loaded once), laid out in ``rows`` as the static copy is (:func:`layout_html`).
  They travel with the widget's state (``first``) until a view asks for them; from then on each update is
  one message with the parts that changed, in which every table row the views already show is a
  reference to it (:func:`row_delta`): moving a window over a 12×12 grid resends a few rows, not the
  tables. Updates are numbered; a view that missed one (or just opened) asks for every part again.
* **Clicks and hover**: a click on a cell of a grid that names itself (``data-pick``, see
  :func:`.grid.grid_html`) sends ``{event: 'pick', grid, row, col, how}``; resting the pointer on a cell
  for 150 ms (after it moved: a redraw under a resting pointer selects nothing) sends the same with
  ``how: 'hover'``. :meth:`LiveView.on_pick` registers the Python side;
  headless tests call the explorer's ``pick`` directly.
* **Home/End** on one of the explorer's sliders go to the ends of its current range (Python sets it:
  noUiSlider keeps its first range for these keys).
* **Small repaints**: an update patches the DOM (only nodes that differ change; kept rows stay, or move
  when rows are added above them), so moving the window repaints a few cells; fold-outs
  (``<details data-key>``) stay as the learner left them, scroll boxes keep their position, and a capped
  scroll box brings its highlighted row into view. Marks in the live stylesheet change no sizes
  (:func:`.style.stylesheet`), so a moved window needs no new layout of its tables.
* **Controls in view**: while the notebook scrolls through a tall explorer its controls stick to the top
  (``CONTROL_CSS``).

The bundle an explorer displays (``Explorer._repr_mimebundle_``) holds the widget view, the static copy
as ``text/html`` (what GitHub and an untrusted notebook show) and a sentence as ``text/plain``;
``STALE_HINT_HTML`` is shown just before it.
"""

from __future__ import annotations

import re

import anywidget
import traitlets

from ..htmlkit.style import stylesheet

__all__ = ["LiveView", "layout_html", "layout_names", "row_delta", "table_rows", "CONTROL_CSS", "STALE_HINT_HTML", "PLAIN_TEXT"]

PLAIN_TEXT = "셀을 실행하면 탐색기가 나타납니다 (JupyterLab에서 이 셀을 실행하세요)."

_ESM = r"""
function render({ model, el }) {
  const prefix = model.get("prefix");
  el.classList.add("cnnlib-live", `${prefix}-live`);
  const boxes = {};
  const place = (parent, p) => {
    const box = document.createElement("div");
    box.className = `cnnlib-part ${prefix}-${p}`;
    parent.appendChild(box);
    boxes[p] = box;
  };
  for (const items of model.get("rows")) {  // rows of parts; an inner list is a column
    const row = document.createElement("div");
    row.className = "cnnlib-live-row";
    for (const item of items) {
      if (Array.isArray(item)) {
        const column = document.createElement("div");
        column.className = "cnnlib-live-column";
        item.forEach((p) => place(column, p));
        row.appendChild(column);
      } else place(row, item);
    }
    el.appendChild(row);
  }
  const opened = new Map();  // fold-outs as the learner left them
  const onToggle = (e) => { const d = e.target; if (d.dataset && d.dataset.key) opened.set(d.dataset.key, d.open); };
  el.addEventListener("toggle", onToggle, true);

  const reveal = (box) => {  // the highlighted row of a capped box, into view inside the box only
    const cur = box.querySelector("td.is-current");
    if (!cur) return;
    const b = box.getBoundingClientRect(), c = cur.getBoundingClientRect();
    if (c.top < b.top + 18 || c.bottom > b.bottom - 4) box.scrollTop += c.top - b.top - (b.height - c.height) / 2;
  };
  // Patch the DOM to the new HTML: only nodes that differ change, so a moved window repaints a few
  // cells, scroll boxes keep their position and fold-outs stay open ('open' is the learner's, not ours).
  // A row sent as <tr data-same="k"> is row k of what the part showed before (see row_delta): that row
  // is kept (moved if rows were added above it), or copied if it is needed twice or in another table.
  // `kept` are those old rows: they are never patched into anything else.
  const morph = (from, to, old, kept) => {
    if (from.nodeType !== to.nodeType || from.nodeName !== to.nodeName) {
      from.replaceWith(to);
      return;
    }
    if (from.nodeType !== 1) {
      if (from.nodeValue !== to.nodeValue) from.nodeValue = to.nodeValue;
      return;
    }
    for (const { name, value } of to.attributes) if (from.getAttribute(name) !== value) from.setAttribute(name, value);
    for (const { name } of [...from.attributes]) if (!to.hasAttribute(name) && name !== "open") from.removeAttribute(name);
    const b = [...to.childNodes];
    if (b.some((n) => n.nodeName === "TR")) return morphRows(from, b, old, kept);
    const a = from.childNodes;
    for (let i = 0; i < b.length; i++) {
      if (i < a.length) morph(a[i], b[i], old, kept);
      else from.appendChild(b[i]);
    }
    while (a.length > b.length) from.removeChild(from.lastChild);
  };
  const morphRows = (from, b, old, kept) => {
    const spare = [...from.childNodes].filter((n) => !kept.has(n));  // old rows free to become new ones
    const used = new Set();
    const want = b.map((n) => {
      const k = n.nodeName === "TR" ? n.getAttribute("data-same") : null;
      if (k !== null) {
        const row = old[Number(k)];
        if (row.parentNode === from && !used.has(row)) { used.add(row); return row; }
        return row.cloneNode(true);
      }
      const reuse = spare.shift();
      if (reuse && reuse.nodeName === n.nodeName) { morph(reuse, n, old, kept); return reuse; }
      return n;
    });
    want.forEach((node, i) => { const at = from.childNodes[i]; if (at !== node) from.insertBefore(node, at || null); });
    while (from.childNodes.length > want.length) from.removeChild(from.lastChild);
  };
  const template = document.createElement("template");
  // One part: `rows` is how many rows the part must show now for the kept rows to be found (a delta).
  const patch = (p, html, rows) => {
    const box = boxes[p], old = [...box.getElementsByTagName("tr")];
    if (rows !== undefined && old.length !== rows) throw new Error(`part ${p}: ${old.length} rows, not ${rows}`);
    template.innerHTML = html;
    const next = document.createElement("div");
    next.append(template.content);
    const kept = new Set();
    for (const tr of next.querySelectorAll("tr[data-same]")) {
      const row = old[Number(tr.getAttribute("data-same"))];
      if (!row) throw new Error(`part ${p}: no row ${tr.getAttribute("data-same")}`);
      kept.add(row);
    }
    next.className = box.className;
    morph(box, next, old, kept);
    // rows inside a table that was new as a whole
    for (const tr of [...box.querySelectorAll("tr[data-same]")]) tr.replaceWith(old[Number(tr.getAttribute("data-same"))].cloneNode(true));
  };
  // Versions: the kernel numbers each update; an update for another version than the one shown (a view
  // that just opened, or one that missed a message) is not applied: the view asks for all parts instead.
  let version = null, asked = false;
  const askAll = () => { if (!asked) { asked = true; model.send({ event: "full" }); } };
  const apply = (parts, rows) => {
    const t0 = performance.now();
    for (const [p, html] of Object.entries(parts)) if (boxes[p]) patch(p, html, rows && rows[p]);
    el.querySelectorAll("details[data-key]").forEach((d) => { if (opened.has(d.dataset.key)) d.open = opened.get(d.dataset.key); });
    const t1 = performance.now();
    el.querySelectorAll(".cnnlib-scroll.x-cap").forEach(reveal);   // (this lays the page out)
    // when the update arrived, how long the patch and the layout for `reveal` took: kept only when the
    // browser test has asked for it (by creating the list)
    const t2 = performance.now();
    if (window.cnnlibPatches) window.cnnlibPatches.push({ start: t0, ms: t2 - t0, patch: t1 - t0, reveal: t2 - t1 });
    el.dispatchEvent(new CustomEvent("cnnlib-updated", { bubbles: true }));
  };
  const onMessage = (msg) => {
    if (!msg || msg.event !== "parts") return;
    if (msg.base === null) {          // every part, whole
      apply(msg.parts);
      version = msg.version;
      asked = false;
    } else if (msg.base === version) {
      try {
        apply(msg.parts, msg.rows);
        version = msg.version;
      } catch (err) {   // (counted for the browser test: a patch should never fail)
        (window.cnnlibResyncs = window.cnnlibResyncs || []).push(String(err));
        version = null;
        askAll();
      }
    } else askAll();
  };
  model.on("msg:custom", onMessage);
  // What the widget showed when it was displayed; then the kernel's current parts (a reopened page too).
  const onFirst = () => apply(model.get("first") || {});
  model.on("change:first", onFirst);
  onFirst();
  askAll();

  const target = (node) => {
    const cell = node && node.closest ? node.closest("td, th") : null;
    if (!cell || !el.contains(cell)) return null;
    const table = cell.closest("table[data-pick]");
    if (!table) return null;
    const tr = cell.parentElement;
    const row = tr.dataset.r !== undefined ? Number(tr.dataset.r)
      : [...table.rows].filter((r) => r.querySelector("td")).indexOf(tr);
    if (row < 0) return null;
    const col = cell.tagName === "TD" ? [...tr.querySelectorAll("td")].indexOf(cell) : -1;
    return { grid: table.dataset.pick, row, col };
  };
  let last = "", timer = null;
  const send = (t, how) => {
    const k = `${t.grid}|${t.row}|${t.col}`;
    if (how === "hover" && k === last) return;
    last = k;
    model.send({ event: "pick", how, ...t });
  };
  const onClick = (e) => { const t = target(e.target); if (t) { clearTimeout(timer); send(t, "click"); } };
  // Hover selects only when the pointer itself moved: a redraw under a resting pointer selects nothing.
  let px = null, py = null;
  const onMove = (e) => {
    if (e.clientX === px && e.clientY === py) return;
    px = e.clientX;
    py = e.clientY;
    clearTimeout(timer);
    const t = target(e.target);
    if (t) timer = setTimeout(() => send(t, "hover"), 150);
  };
  const onLeave = () => { clearTimeout(timer); last = ""; };
  // Home and End on a slider of this explorer go to the ends of its *current* range (noUiSlider keeps the
  // range it was built with for these keys when the range changes later): Python sets the value.
  const onKey = (e) => {
    if (e.key !== "End" && e.key !== "Home") return;
    const handle = e.target && e.target.closest ? e.target.closest(".noUi-handle") : null;
    const root = el.closest(".cnnlib-explorer");
    if (!handle || !root || handle.closest(".cnnlib-explorer") !== root) return;
    const control = handle.closest(`[class*="${prefix}-control-"]`);
    const cls = control && [...control.classList].find((c) => c.startsWith(`${prefix}-control-`));
    if (!cls) return;
    e.preventDefault();
    e.stopPropagation();
    model.send({ event: "end", control: cls.slice(prefix.length + 9), end: e.key === "End" ? "max" : "min" });
  };
  document.addEventListener("keydown", onKey, true);
  el.addEventListener("click", onClick);
  el.addEventListener("mousemove", onMove);
  el.addEventListener("mouseleave", onLeave);
  return () => {
    clearTimeout(timer);
    document.removeEventListener("keydown", onKey, true);
    el.removeEventListener("toggle", onToggle, true);
    el.removeEventListener("click", onClick);
    el.removeEventListener("mousemove", onMove);
    el.removeEventListener("mouseleave", onLeave);
    model.off("msg:custom", onMessage);
    model.off("change:first", onFirst);
  };
}
export default { render };
"""

# The explorer's box and its ipywidgets controls (scoped to explorers, loaded with the live view).
# The controls stay in view while the notebook scrolls through a tall explorer (position: sticky); for
# that, the output boxes around an explorer do not clip (JupyterLab's "scrolled" outputs keep theirs).
CONTROL_CSS = """
.cnnlib-explorer { max-width: 100%; min-width: 0; overflow: visible !important; }
.jp-Cell:not(.jp-mod-outputsScrolled) .jp-Cell-outputArea:has(.cnnlib-explorer),
.jp-Cell:not(.jp-mod-outputsScrolled) .jp-OutputArea-child:has(.cnnlib-explorer),
.jp-Cell:not(.jp-mod-outputsScrolled) .jp-OutputArea-output:has(> .cnnlib-explorer) { overflow: visible; min-width: 0; }
.cnnlib-explorer > .cnnlib-controls { position: sticky; top: 0; z-index: 3; }
.cnnlib-explorer .cnnlib-controls { border-bottom: 1px solid #e5e7eb; padding: 0 0 4px 0; margin: 0 0 6px 0;
  background: var(--jp-layout-color0, #fff); }
.cnnlib-explorer .cnnlib-pairs { display: grid; grid-template-columns: repeat(auto-fill, 272px); column-gap: 4px; }
.cnnlib-explorer .cnnlib-group-label { font-size: 11px; color: #6b7280; margin: 2px 0 0 2px; line-height: 14px; }
.cnnlib-explorer .widget-label { font-size: 12px; }
.cnnlib-explorer .widget-toggle-buttons { display: flex; flex-wrap: wrap; align-items: center; }
.cnnlib-explorer .widget-toggle-buttons .widget-label { width: auto !important; margin-right: 6px; white-space: nowrap; }
.cnnlib-explorer .widget-toggle-button { height: 24px; line-height: 22px; font-size: 12px; padding: 0 8px;
  margin: 1px 2px 1px 0; }
.cnnlib-explorer .widget-toggle-button.mod-active { background: #1d4ed8; color: #fff; font-weight: bold;
  box-shadow: inset 0 0 0 1px #1e3a8a; }
.cnnlib-explorer .widget-text input { padding: 0 4px; }
.cnnlib-explorer .cnnlib-im2col-picker { width: auto; }
.cnnlib-explorer .cnnlib-im2col-picker input { width: 46px; flex: 0 0 46px; }
.cnnlib-explorer .widget-play { width: auto; margin-right: 8px; }
.cnnlib-explorer .widget-play .jupyter-button { width: 34px; height: 26px; padding: 0; flex: 0 0 auto; }
.cnnlib-explorer .cnnlib-quick { background: #dcfce7; border: 1px solid #86efac; height: 24px; line-height: 22px;
  padding: 0 6px; font-size: 12px; }
.cnnlib-explorer .cnnlib-clamp { font-size: 12px; color: #b45309; min-height: 0; }
.cnnlib-live-row { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 2px 18px; }
.cnnlib-part { min-width: 0; max-width: 100%; }
.cnnlib-live .cnnlib-block { contain: layout paint; }
.cnnlib-live-column { min-width: 0; max-width: 100%; flex: 1 1 240px; }
.cnnlib-part:empty { display: none; }
.cnnlib-live table[data-pick] td { cursor: pointer; }
.cnnlib-live table[data-pick] td:hover { outline: 2px solid #1d4ed8; outline-offset: -2px; }
.cnnlib-live details > summary { cursor: pointer; }
"""

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


class LiveView(anywidget.AnyWidget):
    """The parts of one explorer, laid out in rows; see the module docstring."""

    _esm = _ESM
    _css = stylesheet() + CONTROL_CSS
    prefix = traitlets.Unicode("").tag(sync=True)
    rows = traitlets.List().tag(sync=True)   # (not 'layout': every DOM widget has a Layout of that name)
    first = traitlets.Dict().tag(sync=True)  # the parts until a view has asked for them (then: messages)

    def __init__(self, prefix: str, layout):
        names = layout_names(layout)
        super().__init__(prefix=prefix, rows=[[list(i) if isinstance(i, tuple) else i for i in r] for r in layout])
        self.names = tuple(names)
        self._html = {p: "" for p in names}   # what every view in step shows
        self._rows = {p: [] for p in names}   # ... and its table rows
        self.version = 0
        self._asked = False
        self._pick = self._end = None
        self.on_msg(self._message)

    def show(self, parts: dict) -> None:
        """Show new HTML for some parts: the changed ones go to the views in one message, each table row
        a view already shows sent as a reference to it (:func:`row_delta`)."""
        changed = {p: html for p, html in parts.items() if html != self._html[p]}
        if not changed:
            return
        if not self._asked:   # no view yet: the parts travel with the widget's state
            self._html.update(changed)
            self.first = dict(self._html)
            return
        rows = {p: len(self._rows[p]) for p in changed}
        delta = {}
        for p, html in changed.items():
            delta[p], self._rows[p] = row_delta(html, self._rows[p])
        self._html.update(changed)
        self.version += 1
        self.send({"event": "parts", "base": self.version - 1, "version": self.version, "parts": delta, "rows": rows})

    def _send_all(self) -> None:
        self._asked = True
        self._rows = {p: table_rows(html) for p, html in self._html.items()}
        self.send({"event": "parts", "base": None, "version": self.version, "parts": self._html})

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

    def _message(self, _widget, content, _buffers) -> None:
        event = content.get("event")
        if event == "full":
            self._send_all()
        elif event == "pick" and self._pick is not None:
            self._pick(str(content["grid"]), int(content["row"]), int(content["col"]), content.get("how", "click"))
        elif event == "end" and self._end is not None:
            self._end(str(content["control"]), str(content["end"]))


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
