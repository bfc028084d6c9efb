"""The live view of an explorer: one small custom widget (anywidget; its JavaScript ships in this file,
so it works offline) that shows the explorer's HTML parts and reports clicks back to Python.

* **Parts**: one synced string trait per part (``part_<name>``): a slider move sends only the parts that
  changed, with class names instead of inline styles (:mod:`.style`); the stylesheet (``_css``) is
  loaded once. Parts are laid out in ``rows`` as the static copy is (:func:`layout_html`).
* **Clicks and hover**: a click on a cell of a grid that names itself (``data-pick``, see
  :func:`.grid.grid_html`) sends ``{event: 'pick', grid, row, col, how}``; resting the pointer on a cell
  for 150 ms (after it moved: a redraw under a resting pointer selects nothing) sends the same with
  ``how: 'hover'``. :meth:`LiveView.on_pick` registers the Python side;
  headless tests call the explorer's ``pick`` directly.
* **Home/End** on one of the explorer's sliders go to the ends of its current range (Python sets it:
  noUiSlider keeps its first range for these keys).
* **Small repaints**: an update patches the DOM (only nodes that differ change), so moving the window
  repaints a few cells; fold-outs (``<details data-key>``) stay as the learner left them, scroll boxes
  keep their position, and a capped scroll box brings its highlighted row into view.

The bundle an explorer displays (``Explorer._repr_mimebundle_``) holds the widget view, the static copy
as ``text/html`` (what GitHub and an untrusted notebook show) and a sentence as ``text/plain``;
``STALE_HINT_HTML`` is shown just before it.
"""

from __future__ import annotations

import anywidget
import traitlets

from .style import stylesheet

__all__ = ["LiveView", "layout_html", "layout_names", "CONTROL_CSS", "STALE_HINT_HTML", "PLAIN_TEXT"]

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
  const morph = (from, to) => {
    if (from.nodeType !== to.nodeType || from.nodeName !== to.nodeName) {
      from.replaceWith(to.cloneNode(true));
      return;
    }
    if (from.nodeType !== 1) {
      if (from.nodeValue !== to.nodeValue) from.nodeValue = to.nodeValue;
      return;
    }
    for (const { name, value } of to.attributes) if (from.getAttribute(name) !== value) from.setAttribute(name, value);
    for (const { name } of [...from.attributes]) if (!to.hasAttribute(name) && name !== "open") from.removeAttribute(name);
    const a = from.childNodes, b = [...to.childNodes];
    for (let i = 0; i < b.length; i++) {
      if (i < a.length) morph(a[i], b[i]);
      else from.appendChild(b[i]);
    }
    while (a.length > b.length) from.removeChild(from.lastChild);
  };
  const template = document.createElement("template");
  let pending = new Set();
  const apply = () => {
    const t0 = performance.now();
    const names = [...pending];
    pending = new Set();
    for (const p of names) {
      template.innerHTML = model.get(`part_${p}`);
      const next = document.createElement("div");
      next.append(template.content);
      morph(boxes[p], Object.assign(next, { className: boxes[p].className }));
    }
    el.querySelectorAll("details[data-key]").forEach((d) => { if (opened.has(d.dataset.key)) d.open = opened.get(d.dataset.key); });
    el.querySelectorAll(".cnnlib-scroll.x-cap").forEach(reveal);
    // how long the patch took (read by the browser test)
    (window.cnnlibPatchMs = window.cnnlibPatchMs || []).push(performance.now() - t0);
    el.dispatchEvent(new CustomEvent("cnnlib-updated", { bubbles: true }));
  };
  const changed = (p) => () => { if (!pending.size) queueMicrotask(apply); pending.add(p); };
  const names = Object.keys(boxes);
  for (const p of names) model.on(`change:part_${p}`, changed(p));
  pending = new Set(names);
  apply();

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
  };
}
export default { render };
"""

# The explorer's box and its ipywidgets controls (scoped to explorers, loaded with the live view).
CONTROL_CSS = """
.cnnlib-explorer { max-width: 100%; }
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

    def __init__(self, prefix: str, layout):
        names = layout_names(layout)
        self.add_traits(**{f"part_{p}": traitlets.Unicode("").tag(sync=True) for p in names})
        super().__init__(prefix=prefix, rows=[[list(i) if isinstance(i, tuple) else i for i in r] for r in layout])
        self.names = tuple(names)
        self._pick = self._end = None
        self.on_msg(self._message)

    def show(self, parts: dict) -> None:
        """Set the parts' HTML in one message (only the changed ones are sent)."""
        with self.hold_sync():
            for name, html in parts.items():
                setattr(self, f"part_{name}", html)

    def part(self, name: str) -> str:
        return getattr(self, f"part_{name}")

    def on_pick(self, callback) -> None:
        """``callback(grid, row, col, how)`` for each click or hover on a pickable grid."""
        self._pick = callback

    def on_end(self, callback) -> None:
        """``callback(control name, 'max' or 'min')`` for End or Home pressed on one of the explorer's sliders."""
        self._end = callback

    def _message(self, _widget, content, _buffers) -> None:
        if content.get("event") == "pick" and self._pick is not None:
            self._pick(str(content["grid"]), int(content["row"]), int(content["col"]), content.get("how", "click"))
        elif content.get("event") == "end" and self._end is not None:
            self._end(str(content["control"]), str(content["end"]))


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
