// The live view of an explorer (cnnlib/explorers/live.py): shows the explorer's HTML parts, patches them
// as the kernel sends changes, and reports clicks, Home/End and Play steps back to Python.
// Loaded by loader.js, which fetches this file from the kernel; `render` is called as anywidget would.

function render({ model, el }) {
  const prefix = model.get("prefix");
  el.replaceChildren();
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

  // Patch the DOM to the new HTML: only nodes that differ change, so a moved window repaints a few
  // cells and fold-outs stay open ('open' is the learner's, not ours).
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
  // The number boxes of the explorer show the values of the picture they belong to, in the same frame:
  // Play moves the window and its number together. (The widgets' own update follows with the same value.)
  const root = () => el.closest(".cnnlib-explorer");
  const showValues = (values) => {
    const box = root();
    if (!box || !values) return;
    for (const [cls, value] of Object.entries(values)) {
      const input = box.querySelector(`.${cls} input`);
      if (input && input !== document.activeElement && input.value !== String(value)) input.value = String(value);
    }
  };

  // Versions: the kernel numbers each update; an update for another version than the one shown (a view
  // that just opened, or one that missed a message) is not applied: the view asks for all parts instead.
  // After painting an update the view says so ('painted'): until then the kernel keeps only the newest
  // change (it never queues pictures the browser has not drawn yet).
  let version = null, asked = false, playTimer = null;
  const askAll = () => { if (!asked) { asked = true; model.send({ event: "full" }); } };
  const afterPaint = (done) => requestAnimationFrame(() => setTimeout(done, 0));
  const schedulePlay = () => {
    clearTimeout(playTimer);
    if (model.get("playing")) playTimer = setTimeout(() => model.send({ event: "step", version }), model.get("interval"));
  };
  const apply = (msg) => {
    const t0 = performance.now();
    for (const [p, html] of Object.entries(msg.parts)) if (boxes[p]) patch(p, html, msg.rows && msg.rows[p]);
    el.querySelectorAll("details[data-key]").forEach((d) => { if (opened.has(d.dataset.key)) d.open = opened.get(d.dataset.key); });
    showValues(msg.values);
    // when the update arrived and how long the patch took: kept only when the browser test has asked
    // for it (by creating the list)
    if (window.cnnlibPatches) window.cnnlibPatches.push({ start: t0, ms: performance.now() - t0, version: msg.version });
    el.dispatchEvent(new CustomEvent("cnnlib-updated", { bubbles: true }));
    const shown = msg.version;
    afterPaint(() => { if (shown === version) { model.send({ event: "painted", version: shown }); schedulePlay(); } });
  };
  const onMessage = (msg) => {
    if (!msg || msg.event !== "parts") return;
    if (msg.base === null) {          // every part, whole
      apply(msg);
      version = msg.version;
      asked = false;
    } else if (msg.base === version) {
      try {
        apply(msg);
        version = msg.version;
      } catch (err) {   // (counted for the browser test: a patch should never fail)
        (window.cnnlibResyncs = window.cnnlibResyncs || []).push(String(err));
        version = null;
        askAll();
      }
    } else askAll();
  };
  model.on("msg:custom", onMessage);
  const onPlaying = () => schedulePlay();
  model.on("change:playing", onPlaying);
  askAll();   // the kernel's current parts (a reopened page too)

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
  // A click names a cell of the picture shown: it carries that picture's version, so the kernel ignores
  // clicks on a picture that has been replaced meanwhile (a grid of an older N).
  const send = (t, how) => {
    const k = `${t.grid}|${t.row}|${t.col}`;
    if (how === "hover" && k === last) return;
    last = k;
    model.send({ event: "pick", how, version, ...t });
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
    const box = root();
    if (!handle || !box || handle.closest(".cnnlib-explorer") !== box) return;
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
    clearTimeout(playTimer);
    document.removeEventListener("keydown", onKey, true);
    el.removeEventListener("toggle", onToggle, true);
    el.removeEventListener("click", onClick);
    el.removeEventListener("mousemove", onMove);
    el.removeEventListener("mouseleave", onLeave);
    model.off("msg:custom", onMessage);
    model.off("change:playing", onPlaying);
  };
}

export default { render };
