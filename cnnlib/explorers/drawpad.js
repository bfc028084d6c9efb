// The drawing pad of cnnlib (cnnlib/explorers/drawpad.py): the learner draws; this script sends the pad's
// ink to the kernel and paints what comes back. It computes nothing about digits or networks: the 28x28
// image, the probabilities, the maps and every word shown come from Python.
//
// Sending is throttled so a fast drawing never queues stale work: at most one drawing is on its way (the
// next leaves when the answer is in), and while the pen moves at most one every SEND_MS. A finished drawing
// (stroke end, 지우기, 되돌리기) leaves at once, even with one on its way (two at most): waiting for the older
// answer would add a whole round trip to what the learner waits for; that older answer is not painted.
const SEND_MS = 60;
const RESEND_MS = 5000;   // an answer that never came (a restarted kernel): send again

function h(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  // keys pressed on the pad's sliders and buttons are theirs (arrows move a slider), not JupyterLab's shortcuts
  if (tag === "input" || tag === "button") node.dataset.lmSuppressShortcuts = "true";
  return node;
}

function render({ model, el }) {
  const T = model.get("texts"), S = model.get("settings"), P = model.get("palettes");
  const PAD = S.pad, PEN = S.pen, GAP = S.gap, IPX = S.input_px;
  el.classList.add("cnnlib-drawpad-live");

  // ---- the page ------------------------------------------------------------------------------------
  el.append(h("div", "dp-title x-ptitle", T.title));
  const main = h("div", "dp-main");
  const padCol = h("div", "dp-padcol");
  const pad = h("canvas", "cnnlib-drawpad-pad dp-pad");
  const dpr = window.devicePixelRatio || 1;
  pad.width = Math.round(PAD * dpr);
  pad.height = Math.round(PAD * dpr);
  pad.style.width = pad.style.height = `${PAD}px`;
  const buttons = h("div", "dp-buttons cnnlib-drawpad-control");
  const clear = h("button", "cnnlib-drawpad-clear dp-button", T.clear);
  const undo = h("button", "cnnlib-drawpad-undo dp-button", T.undo);
  buttons.append(clear, undo);
  const move = h("div", "cnnlib-drawpad-move dp-move");
  const reset = h("button", "cnnlib-drawpad-reset dp-button dp-small", T.reset);
  const moveTitle = h("div", "dp-label", T.move);
  moveTitle.append(reset);
  move.append(moveTitle);
  const sliders = {};
  for (const [name, max, step] of [["dx", S.shift, 1], ["dy", S.shift, 1], ["angle", S.angle, 5]]) {
    const line = h("label", `dp-slider cnnlib-drawpad-control cnnlib-drawpad-control-${name}`);
    const range = h("input");
    Object.assign(range, { type: "range", min: -max, max, step, value: 0 });
    const shown = h("span", "dp-value", "0");
    range.addEventListener("input", () => { shown.textContent = range.value; request(true); });
    line.append(h("span", "dp-name", T[name]), range, shown);
    move.append(line);
    sliders[name] = { range, shown };
  }
  const nets = h("div", "cnnlib-drawpad-network cnnlib-drawpad-control dp-net");
  nets.append(h("span", "dp-name", T.network));
  const netButtons = {};
  for (const name of S.networks) {
    const b = h("button", `dp-button dp-small cnnlib-drawpad-net-${name}`, S.labels[name]);
    b.addEventListener("click", () => { state.network = name; state.layer = 0; state.channel = 0; markNetwork(); request(true); });
    nets.append(b);
    netButtons[name] = b;
  }
  padCol.append(pad, buttons, h("div", "dp-hint", T.hint), move, nets);

  const right = h("div", "dp-right");
  const top = h("div", "dp-top");
  const inputCol = h("div", "dp-inputcol");
  const input = h("canvas", "cnnlib-drawpad-input dp-input");
  input.width = input.height = 28;
  input.style.width = input.style.height = `${28 * IPX}px`;
  inputCol.append(h("div", "dp-label", T.input), input);
  const boxes = {};
  for (const name of ["cnn", "fc"]) boxes[name] = h("div", `cnnlib-drawpad-${name} dp-part`);
  top.append(inputCol, boxes.cnn, boxes.fc);
  boxes.status = h("div", "cnnlib-drawpad-status dp-part");
  const maps = h("div", "cnnlib-drawpad-maps dp-maps");
  boxes.filter = h("div", "cnnlib-drawpad-filter dp-part");
  boxes.legend = h("div", "cnnlib-drawpad-legend dp-part");
  right.append(top, boxes.status, h("div", "dp-hint", T.maps_hint), maps, boxes.legend);
  main.append(padCol, right);
  el.append(main);

  // ---- drawing -------------------------------------------------------------------------------------------
  const state = { network: S.networks[0], layer: 0, channel: 0 };
  const strokes = [];
  const ctx = pad.getContext("2d");
  ctx.scale(dpr, dpr);
  const ink = document.createElement("canvas");   // the pad at 1:1, whatever the screen: what is sent
  ink.width = ink.height = PAD;
  const inkCtx = ink.getContext("2d", { willReadFrequently: true });
  const pen = (c) => { c.lineWidth = PEN; c.lineCap = "round"; c.lineJoin = "round"; c.strokeStyle = c.fillStyle = "#000"; };
  const drawStroke = (c, points) => {
    pen(c);
    c.beginPath();
    if (points.length === 1) {
      c.arc(points[0][0], points[0][1], PEN / 2, 0, 2 * Math.PI);
      c.fill();
      return;
    }
    c.moveTo(points[0][0], points[0][1]);
    for (const [x, y] of points.slice(1)) c.lineTo(x, y);
    c.stroke();
  };
  const redraw = (c, size) => { c.clearRect(0, 0, size, size); for (const s of strokes) drawStroke(c, s); };
  const padPixels = () => {
    redraw(inkCtx, PAD);
    const rgba = inkCtx.getImageData(0, 0, PAD, PAD).data;
    const alpha = new Uint8Array(PAD * PAD);
    for (let i = 0; i < alpha.length; i++) alpha[i] = rgba[4 * i + 3];
    return alpha;
  };

  let active = null;   // the pointer drawing now
  const at = (e) => {
    const r = pad.getBoundingClientRect();
    return [Math.round((e.clientX - r.left) * PAD / r.width * 10) / 10, Math.round((e.clientY - r.top) * PAD / r.height * 10) / 10];
  };
  const onDown = (e) => {
    if (active !== null || (e.pointerType === "mouse" && e.button !== 0)) return;
    e.preventDefault();
    active = e.pointerId;
    try { pad.setPointerCapture(e.pointerId); } catch (err) { /* a pointer the browser no longer knows: draw anyway */ }
    strokes.push([at(e)]);
    drawStroke(ctx, strokes[strokes.length - 1]);
    request(false);
  };
  const onMove = (e) => {
    if (e.pointerId !== active) return;
    e.preventDefault();
    const stroke = strokes[strokes.length - 1];
    const events = e.getCoalescedEvents && e.getCoalescedEvents().length ? e.getCoalescedEvents() : [e];
    for (const ev of events) {
      const p = at(ev), q = stroke[stroke.length - 1];
      if (Math.hypot(p[0] - q[0], p[1] - q[1]) < 1.5) continue;
      stroke.push(p);
      pen(ctx);
      ctx.beginPath();
      ctx.moveTo(q[0], q[1]);
      ctx.lineTo(p[0], p[1]);
      ctx.stroke();
    }
    request(false);
  };
  const onUp = (e) => {
    if (e.pointerId !== active) return;
    active = null;
    ended = { t: performance.now(), after: seq };   // the first answer sent after this shows the whole stroke
    request(true, true);
  };
  pad.addEventListener("pointerdown", onDown);
  pad.addEventListener("pointermove", onMove);
  pad.addEventListener("pointerup", onUp);
  pad.addEventListener("pointercancel", onUp);
  clear.addEventListener("click", () => { strokes.length = 0; redraw(ctx, PAD); request(true, true); });
  undo.addEventListener("click", () => { strokes.pop(); redraw(ctx, PAD); request(true, true); });
  reset.addEventListener("click", () => {
    for (const s of Object.values(sliders)) { s.range.value = 0; s.shown.textContent = "0"; }
    request(true);
  });
  const markNetwork = () => { for (const [name, b] of Object.entries(netButtons)) b.classList.toggle("dp-on", name === state.network); };
  markNetwork();

  // ---- talking to the kernel -----------------------------------------------------------------------------
  // Every view of the widget (the same pad shown twice) gets every answer: each keeps to its own (id).
  const id = Math.random().toString(36).slice(2, 12);
  // inflight: the newest drawing sent and not yet answered (0: none); older: an older one is unanswered too
  let seq = 0, inflight = 0, older = false, inflightAt = 0, dirty = false, timer = null, lastSend = -1e9, ended = null;
  const request = (now, final = false) => { dirty = true; pump(now, final); };
  function pump(now, final = false) {
    if (!dirty) return;
    const t = performance.now();
    const overtake = final && !older;                              // a finished drawing does not wait
    if (inflight && t - inflightAt < RESEND_MS && !overtake) return;   // its answer comes first; then pump() again
    if (inflight) older = true;
    const wait = active !== null && !now ? SEND_MS - (t - lastSend) : 0;
    if (wait > 0) {
      if (!timer) timer = setTimeout(() => { timer = null; pump(false); }, wait);
      return;
    }
    dirty = false;
    seq += 1;
    inflight = seq;
    inflightAt = lastSend = t;
    el.dataset.busy = "1";
    el.dataset.sent = seq;
    const content = { event: "draw", id, seq, dx: +sliders.dx.range.value, dy: +sliders.dy.range.value,
                      angle: +sliders.angle.range.value, network: state.network, layer: state.layer, channel: state.channel };
    model.send(content, undefined, strokes.length ? [padPixels().buffer] : []);
  }

  // ---- painting the answer -------------------------------------------------------------------------------
  const paintInput = (steps) => {
    const c = input.getContext("2d"), img = c.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const colour = P.gray[steps ? steps[i] : 0];
      img.data.set(colour, 4 * i);
      img.data[4 * i + 3] = 255;
    }
    c.putImageData(img, 0, 0);
  };
  let layers = [], canvases = [], layerKey = "";
  const tile = (L) => [L.w * L.px + GAP, L.h * L.px + GAP];
  const buildLayers = (info) => {
    const key = JSON.stringify(info);
    if (key === layerKey) return;
    layerKey = key;
    layers = info;
    maps.replaceChildren(boxes.filter);
    canvases = info.map((L, i) => {
      const box = h("div", `dp-layer cnnlib-drawpad-layer-${i}`);
      const c = h("canvas", "dp-mapcanvas");
      const [tw, th] = tile(L), rows = Math.ceil(L.count / L.cols);
      c.width = L.cols * tw + GAP;    // a GAP-wide margin all round: room for the picked map's outline
      c.height = rows * th + GAP;
      c.dataset.layer = i;
      c.addEventListener("click", (e) => pick(i, e));
      box.append(h("div", "dp-ltitle", L.title), c);
      maps.insertBefore(box, boxes.filter);
      return c;
    });
  };
  const paintLayer = (i, steps) => {
    const L = layers[i], c = canvases[i], g = c.getContext("2d");
    const img = g.createImageData(c.width, c.height), d = img.data;
    d.fill(255);
    const [tw, th] = tile(L), zero = (P.diverging.length - 1) / 2;
    for (let m = 0; m < L.count; m++) {
      const x0 = GAP + (m % L.cols) * tw, y0 = GAP + Math.floor(m / L.cols) * th;
      for (let y = 0; y < L.h * L.px; y++) {
        for (let x = 0; x < L.w * L.px; x++) {
          const colour = P.diverging[steps ? steps[(m * L.h + Math.floor(y / L.px)) * L.w + Math.floor(x / L.px)] : zero];
          const o = 4 * ((y0 + y) * c.width + x0 + x);
          d[o] = colour[0]; d[o + 1] = colour[1]; d[o + 2] = colour[2];
        }
      }
    }
    g.putImageData(img, 0, 0);
    if (i === state.layer && state.channel < L.count) {   // the picked map, outlined in the gap around it
      const x0 = GAP + (state.channel % L.cols) * tw, y0 = GAP + Math.floor(state.channel / L.cols) * th;
      g.strokeStyle = "#f59e0b";
      g.lineWidth = GAP;
      g.strokeRect(x0 - GAP / 2, y0 - GAP / 2, L.w * L.px + GAP, L.h * L.px + GAP);
    }
  };
  const pick = (i, e) => {
    const L = layers[i], c = canvases[i], r = c.getBoundingClientRect();
    const x = (e.clientX - r.left) * c.width / r.width - GAP, y = (e.clientY - r.top) * c.height / r.height - GAP;
    const [tw, th] = tile(L), col = Math.floor(x / tw), row = Math.floor(y / th);
    const m = row * L.cols + col;
    if (x < 0 || y < 0 || col >= L.cols || m >= L.count) return;
    state.layer = i;
    state.channel = m;
    request(true);
  };
  const shown = {};
  const onMessage = (msg, buffers) => {
    if (!msg || msg.event !== "view" || msg.id !== id) return;
    if (msg.seq < inflight) { older = false; return; }   // overtaken by a finished drawing: its answer comes next
    if (msg.seq === inflight) { inflight = 0; older = false; }
    if (!inflight && !dirty) el.dataset.busy = "0";
    const bytes = (buffers || []).map((b) => new Uint8Array(b.buffer || b, b.byteOffset || 0, b.byteLength));
    for (const [name, html] of Object.entries(msg.parts)) {
      if (boxes[name] && shown[name] !== html) { boxes[name].innerHTML = html; shown[name] = html; }
    }
    state.layer = msg.request.layer;
    state.channel = msg.request.channel;
    buildLayers(msg.layers);
    const ok = msg.status === "ok";
    paintInput(ok ? bytes[0] : null);
    layers.forEach((_, i) => paintLayer(i, ok ? bytes[i + 1] : null));
    el.dataset.status = msg.status;
    el.dataset.seq = msg.seq;
    const done = ended && msg.seq > ended.after ? ended : null;
    if (done) ended = null;
    requestAnimationFrame(() => setTimeout(() => {   // painted: the frame after the change
      if (done && window.cnnlibDrawpadTimes) window.cnnlibDrawpadTimes.push(performance.now() - done.t);
      el.dispatchEvent(new CustomEvent("cnnlib-drawpad-painted", { bubbles: true, detail: { seq: msg.seq } }));
    }, 0));
    pump(false);   // what was drawn meanwhile (throttled while the pen moves)
  };
  model.on("msg:custom", onMessage);
  request(true);   // the empty pad's view: the message, empty bars, the maps' places
  return () => {
    clearTimeout(timer);
    model.off("msg:custom", onMessage);
  };
}
export default { render };
