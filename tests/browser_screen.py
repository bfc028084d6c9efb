"""Measuring an explorer in the browser (issues 16, 28): does it fit one screen, does anything stick out or
scroll inside it, how fast is the final state painted after an arrow key, a typed value or a mouse drag,
and do the number boxes show the picture's step while Play runs.

Used by tests/test_browser.py after a notebook has run. Everything is measured on the explorer as a
learner sees it: JupyterLab's own chrome and the file browser open, the explorer's output area scrolled to
the top of the notebook's visible area.

* :func:`layout` — the explorer's height; for its controls, its one-line bar and each key part, the
  fraction visible in the notebook's viewport; the bar's height; elements that stick out of the explorer
  without a scroll box of their own, and the explorer itself sticking out of the notebook; boxes inside
  the explorer that scroll (there should be none); :func:`layout_at_end` — the same, scrolled to the
  explorer's end (the bar sticks to the top of the notebook's visible area);
* :func:`paint_times`, :func:`typing_times`, :func:`drag_times` — from the key press (arrow key; Enter
  after a typed value) or the mouse button's release (the end of a drag) to the first animation frame
  after the last change of the explorer's DOM (``requestAnimationFrame``, then a task, so the frame has
  been painted): when the final state is on the screen. Recorded, never asserted (a loaded machine is
  slow, not wrong); what is asserted is that the final state is the kernel's (``differences_from_kernel``);
* :func:`play_sync` — while Play runs, every painted frame's number box and picture show the same step.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from statistics import median

VIEWPORTS = {"1440x900": {"width": 1440, "height": 900}, "1280x720": {"width": 1280, "height": 720}}
VISIBLE = 0.98          # a part counts as in view when this fraction of it is
PAINT_GOAL_MS = 150     # the final state painted this soon after the key or the drag's end (recorded)
BAR_MAX_PX = 100        # the one-line bar that stays in view while the notebook scrolls


@dataclass(frozen=True)
class Screen:
    """What to measure for one explorer: ``prefix`` (its CSS prefix), ``keys`` {name: CSS selector} of the
    parts the controls drive, ``slider`` (the control moved by arrow keys and drags), ``typed`` (a control
    and the values typed into its number box), ``largest`` (Python run in the kernel to reach the largest
    settings; ``explorer`` is the notebook's variable) and ``step`` (a regular expression for the window
    position in the picture's text, for explorers with Play)."""

    prefix: str
    keys: dict
    slider: str
    typed: tuple
    largest: str
    step: str = ""
    extra: dict = field(default_factory=dict)


SCREENS = {
    "7.2-convolution-layer.ipynb": Screen(
        "cnnlib-conv",
        {"input": "table.cnnlib-grid-input", "output": "table.cnnlib-grid-output",
         "products": "table.cnnlib-grid-products", "formula": ".cnnlib-formula-H"},
        "position", ("H", ("7", "12", "5")), "explorer.set(H=12, W=12, pad=3, C=3, FN=3, N=3)",
        step=r"윈도우 위치 (\d+)"),
    "7.3-pooling-layer.ipynb": Screen(
        "cnnlib-pool",
        {"input": "table.cnnlib-grid-input", "output": "table.cnnlib-grid-output",
         "detail": ".cnnlib-pool-detail-line", "formula": ".cnnlib-formula-H"},
        "position", ("H", ("7", "12", "5")), "explorer.set(H=12, W=12, FH=1, FW=1, stride=1, pad=2, C=3)",
        step=r"윈도우 위치 (\d+)"),
    "7.4-implementing-conv-pooling.ipynb": Screen(
        "cnnlib-im2col",
        {"input": "table.cnnlib-grid-input", "im2col row": "table.cnnlib-grid-im2col tr:has(td.is-current)",
         "product row": "table.cnnlib-grid-product tr:has(td.is-current)", "row terms": ".cnnlib-im2col-row-product"},
        "position", ("W", ("7", "12", "5")), "explorer.set(mode='conv', N=3, C=3, H=12, W=12, pad=3, FN=3)",
        step=r"im2col의 행 r = (\d+)"),
    "7.6-cnn-visualization.ipynb": Screen(
        "cnnlib-featuremap",
        {"input": "table.cnnlib-grid-input", "filter": "table.cnnlib-grid-filter", "pool": "table.cnnlib-grid-pool",
         "probabilities": ".cnnlib-featuremap-prob-bars"},
        "index", ("index", ("17", "2130", "5")), "explorer.set(index=9999)"),
    "7.7-representative-cnns.ipynb": Screen(
        "cnnlib-alexnet",
        {"table": "table.cnnlib-grid-alexnet", "summary": ".cnnlib-alexnet-summary"},
        "input_size", ("input_size", ("224", "259", "100")), "explorer.set(input_size=323, batch=128)"),
}

# Python that puts the notebook's explorer back to its default settings (in order: ranges before positions).
RESET = ("import dataclasses as _dc\nif explorer.play is not None: explorer.play.value = False\n"
         "explorer.set(**{_f.name: getattr(explorer.defaults, _f.name) for _f in _dc.fields(explorer.defaults)})")

# The explorer's root (the widget box carrying the prefix class), its controls, and the measurements.
LAYOUT_JS = """([prefix, keys]) => {
  const root = document.querySelector(`.jp-OutputArea-output .${prefix}`);
  if (!root) return null;
  const scroller = root.closest('.jp-WindowedPanel-outer') || document.scrollingElement;
  const sr = scroller.getBoundingClientRect();
  const view = {top: Math.max(sr.top, 0), bottom: Math.min(sr.bottom, innerHeight),
                left: Math.max(sr.left, 0), right: Math.min(sr.right, innerWidth)};
  const visible = (els) => {
    let area = 0, seen = 0;
    for (const el of els) {
      const r = el.getBoundingClientRect();
      area += r.width * r.height;
      const w = Math.max(0, Math.min(r.right, view.right) - Math.max(r.left, view.left));
      const h = Math.max(0, Math.min(r.bottom, view.bottom) - Math.max(r.top, view.top));
      seen += w * h;
    }
    return area ? seen / area : null;
  };
  const rr = root.getBoundingClientRect();
  const shown = (el) => el.offsetParent;
  const controls = [...root.querySelectorAll(`.${prefix}-control`)].filter(shown);
  const bar = root.querySelector(':scope > .cnnlib-bar');
  const out = {height: Math.round(rr.height), width: Math.round(rr.width), view_height: Math.round(view.bottom - view.top),
               view_width: Math.round(view.right - view.left), controls: visible(controls),
               bar: bar ? visible([bar]) : null, bar_height: bar ? Math.round(bar.getBoundingClientRect().height) : null,
               keys: {}, overflow: [], scrolling: []};
  for (const [name, sel] of Object.entries(keys)) {
    const els = [...root.querySelectorAll(sel)].filter(shown);
    out.keys[name] = els.length ? visible(els.slice(0, 1)) : null;
  }
  if (rr.right > view.right + 1) out.overflow.push(`the explorer ends ${Math.round(rr.right - view.right)} px past the notebook`);
  // Elements sticking out of the explorer's box, not inside a scroll box of their own (a closed fold-out's
  // content is not shown).
  const folded = (el) => { const d = el.closest('details'); return d && !d.open && !el.closest('summary'); };
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== root; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (['auto', 'scroll', 'hidden'].includes(s.overflowX)) return true;
    }
    return false;
  };
  for (const el of root.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > rr.right + 1 && !clipped(el) && !folded(el)) {
      out.overflow.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} ends ${Math.round(r.right - rr.right)} px past the explorer`);
      if (out.overflow.length > 5) break;
    }
  }
  // Boxes in the live view that scroll their content (nested scroll boxes: there should be none)
  for (const el of root.querySelectorAll('.cnnlib-live *')) {
    const s = getComputedStyle(el);
    const sx = ['auto', 'scroll'].includes(s.overflowX) && el.scrollWidth > el.clientWidth + 1;
    const sy = ['auto', 'scroll'].includes(s.overflowY) && el.scrollHeight > el.clientHeight + 1;
    if ((sx || sy) && !folded(el)) out.scrolling.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`);
  }
  return out;
}"""

# Scroll the notebook so the explorer's top is `past` px above the top of the notebook's visible area.
SCROLL_TO_JS = """([prefix, past]) => {
  const root = document.querySelector(`.jp-OutputArea-output .${prefix}`);
  const scroller = root.closest('.jp-WindowedPanel-outer');
  scroller.scrollTop += root.getBoundingClientRect().top - scroller.getBoundingClientRect().top + past;
}"""

# Install once per page: the time of the last key press and mouse release, and the time of the first painted
# frame after each DOM change of the explorer's root.
WATCH_JS = """(prefix) => {
  const root = document.querySelector(`.jp-OutputArea-output .${prefix}`);
  if (window.__cnnlibWatch) { window.__cnnlibWatch.observer.disconnect(); window.__cnnlibWatch.stop(); }
  const w = {key: 0, up: 0, painted: 0, mutations: 0};
  w.observer = new MutationObserver(() => {
    w.mutations++;
    requestAnimationFrame(() => setTimeout(() => { w.painted = performance.now(); }, 0));
  });
  w.observer.observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
  const onKey = () => { w.key = performance.now(); }, onUp = () => { w.up = performance.now(); };
  document.addEventListener('keydown', onKey, true);
  document.addEventListener('mouseup', onUp, true);
  w.stop = () => { document.removeEventListener('keydown', onKey, true); document.removeEventListener('mouseup', onUp, true); };
  window.__cnnlibWatch = w;
}"""


def scroll_to(learner, prefix: str, past: int = 0) -> None:
    learner.page.evaluate(SCROLL_TO_JS, [prefix, past])
    time.sleep(0.2)


def show_file_browser(learner, show: bool = True) -> None:
    if show:
        learner.page.evaluate("() => window.jupyterapp.shell.activateById('filebrowser')")
    else:
        learner.page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    time.sleep(0.4)


def layout(learner, screen: Screen, past: int = 0) -> dict:
    """The explorer measured with its top ``past`` px above the notebook's visible area (0: at its top)."""
    scroll_to(learner, screen.prefix, past)
    return learner.page.evaluate(LAYOUT_JS, [screen.prefix, screen.keys])


def layout_at_end(learner, screen: Screen) -> dict:
    """The explorer scrolled to its end (its last pixel at the bottom of the visible area): the bar stays in
    view (it sticks to the top), with whatever key parts fit below it."""
    found = layout(learner, screen)
    return layout(learner, screen, max(found["height"] - found["view_height"], 0))


def run_in_kernel(learner, code: str) -> None:
    """Run ``code`` in the notebook's kernel (as a learner would in a new cell) and wait until idle."""
    learner.page.evaluate("""([path, code]) => {
      const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path === path);
      panel.sessionContext.session.kernel.requestExecute({code, silent: true});
    }""", [learner.path, code])
    learner.wait_idle()
    time.sleep(0.5)


def _root(learner, screen: Screen):
    return learner.page.locator(f".jp-OutputArea-output .{screen.prefix}")


def slider_handle(learner, screen: Screen):
    return _root(learner, screen).locator(f".{screen.prefix}-control-{screen.slider} .noUi-handle").first


# Resolves once a frame newer than ``before`` was painted and none followed for ``quiet`` ms (checked in the
# page every 50 ms: no round trip to Python per check).
QUIET_JS = """([before, quiet]) => {
  const w = window.__cnnlibWatch;
  return w.painted !== before && performance.now() - w.painted >= quiet;
}"""
QUIET_MS = 200


def _settle(learner, before: float) -> None:
    """Wait until the kernel is idle and no new frame has been painted for QUIET_MS (5 s at most: a change
    that paints nothing is timed as 0 and caught by :func:`differences_from_kernel` if it was lost)."""
    learner.wait_idle()
    try:
        learner.page.wait_for_function(QUIET_JS, arg=[before, QUIET_MS], polling=50, timeout=5_000)
    except Exception as error:  # playwright's TimeoutError: nothing newer painted
        if "Timeout" not in type(error).__name__:
            raise


# Where one change's time went: from the event (key press or mouse release, ``since``) to the first update's
# arrival from the kernel (``kernel``), applying the updates to the DOM (``patch``, see live.js), and the
# rest until the final frame was painted (``layout_paint``), with the number of updates painted.
SPLIT_JS = """(since) => {
  const w = window.__cnnlibWatch, p = (window.cnnlibPatches || []).filter(q => q.start >= since);
  if (!p.length) return null;
  const last = p[p.length - 1];
  return {kernel: p[0].start - since, patch: p.reduce((s, q) => s + q.ms, 0),
          layout_paint: w.painted - (last.start + last.ms), updates: p.length};
}"""


def _start(learner) -> float:
    """Before a change: the frame painted last (see :func:`_settle`); the patch log emptied."""
    return learner.page.evaluate("() => { window.cnnlibPatches = []; return window.__cnnlibWatch.painted; }")


def _split(learner, event: str) -> dict | None:
    return learner.page.evaluate(f"() => ({SPLIT_JS})(window.__cnnlibWatch.{event})")


def _summary(times: list, splits: list, sizes: list | None = None) -> dict:
    times = sorted(times)
    p90 = times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))] if times else None
    out = {"p90_ms": round(p90, 1) if p90 is not None else None,
           "median_ms": round(median(times), 1) if times else None, "n": len(times), "load": os.getloadavg()[0]}
    splits = [q for q in splits if q]
    if splits:
        out["median_split_ms"] = {k: round(median(q[k] for q in splits), 1) for k in ("kernel", "patch", "layout_paint")}
        out["updates"] = max(q["updates"] for q in splits)
    if sizes:
        out["bytes"] = sorted(sizes)[len(sizes) // 2]
    return out


def paint_times(learner, screen: Screen, moves: int = 2) -> dict:
    """Move the slider with arrow keys ``moves`` times (one step one way, one back; left first at its end):
    key press to the final state painted, and the WebSocket bytes the kernel sent for one move."""
    page = learner.page
    page.evaluate(WATCH_JS, screen.prefix)
    handle = slider_handle(learner, screen)
    handle.focus()
    times, splits, sizes = [], [], []
    now, end = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
    key = "ArrowLeft" if now and end and float(now) >= float(end) else "ArrowRight"  # a slider at its end
    for i in range(moves):
        before = _start(learner)
        bytes_before = learner.ws_bytes
        page.keyboard.press(key)
        _settle(learner, before)
        t = page.evaluate("() => window.__cnnlibWatch.painted - window.__cnnlibWatch.key")
        if t > 0:
            times.append(t)
            splits.append(_split(learner, "key"))
        sizes.append(learner.ws_bytes - bytes_before)
        key = "ArrowLeft" if key == "ArrowRight" else "ArrowRight"
    return _summary(times, splits, sizes)


def typing_times(learner, screen: Screen, count: int = 2) -> dict:
    """Type the first ``count`` of ``screen.typed``'s values into its number box and press Enter: Enter to
    the final state painted."""
    page = learner.page
    page.evaluate(WATCH_JS, screen.prefix)
    name, values = screen.typed[0], screen.typed[1][:count]
    box = _root(learner, screen).locator(f".{screen.prefix}-box-{name} input")
    times, splits = [], []
    for value in values:
        box.fill(value)
        before = _start(learner)
        box.press("Enter")
        _settle(learner, before)
        t = page.evaluate("() => window.__cnnlibWatch.painted - window.__cnnlibWatch.key")
        if t > 0:
            times.append(t)
            splits.append(_split(learner, "key"))
    return _summary(times, splits)


def drag_times(learner, screen: Screen, drags: int = 1) -> dict:
    """Drag the slider's handle with the mouse, as a learner does (12 moves over about 0.4 s), to the right
    (then left, and so on): release to the final state painted (0 when it was already painted as the mouse
    let go)."""
    page = learner.page
    page.evaluate(WATCH_JS, screen.prefix)
    handle = slider_handle(learner, screen)
    track = _root(learner, screen).locator(f".{screen.prefix}-control-{screen.slider} .noUi-target").first
    box, t = handle.bounding_box(), track.bounding_box()
    times, splits = [], []
    for i in range(drags):
        before = _start(learner)
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        target = t["x"] + t["width"] * (0.7 if i % 2 == 0 else 0.2)
        page.mouse.move(x, y)
        page.mouse.down()
        for k in range(1, 13):
            page.mouse.move(x + (target - x) * k / 12, y)
            time.sleep(0.035)
        page.mouse.up()
        _settle(learner, before)
        times.append(max(0.0, page.evaluate("() => window.__cnnlibWatch.painted - window.__cnnlibWatch.up")))
        splits.append(_split(learner, "up"))
        box = handle.bounding_box()
    return _summary(times, splits)


def burst(learner, screen: Screen, presses: int = 5) -> None:
    """Arrow keys on the slider as fast as a held key sends them (no wait between presses), back and forth,
    then until everything is painted: many updates in flight at once, which the explorer coalesces; what
    follows (:func:`differences_from_kernel`) checks that the picture ends as the kernel's final state."""
    page = learner.page
    page.evaluate(WATCH_JS, screen.prefix)
    handle = slider_handle(learner, screen)
    handle.focus()
    before = _start(learner)
    now, end = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
    key = "ArrowLeft" if now and end and float(now) >= float(end) else "ArrowRight"
    for _ in range(presses):
        page.keyboard.press(key)
    page.keyboard.press("ArrowLeft" if key == "ArrowRight" else "ArrowRight")
    _settle(learner, before)


# While Play runs: at every animation frame (before it is painted), the number box of the window position
# and the step the picture shows.
PLAY_SAMPLES_JS = """([prefix, pattern, ms]) => new Promise((resolve) => {
  const root = document.querySelector(`.jp-OutputArea-output .${prefix}`);
  const box = root.querySelector(`.${prefix}-box-position input`);
  const live = root.querySelector('.cnnlib-live');
  const re = new RegExp(pattern);
  const frames = [];
  const end = performance.now() + ms;
  const sample = () => {
    const m = live.textContent.match(re);
    frames.push([box.value, m ? m[1] : null]);
    if (performance.now() < end) requestAnimationFrame(sample); else resolve(frames);
  };
  requestAnimationFrame(sample);
})"""


def play_sync(learner, screen: Screen, seconds: float = 2.6) -> dict:
    """Press Play, sample every frame for ``seconds``, press it again: the frames where the number box and
    the picture show different steps (there should be none), and how many steps were painted."""
    root = _root(learner, screen)
    play = root.locator(f".{screen.prefix}-play")
    play.click()
    frames = learner.page.evaluate(PLAY_SAMPLES_JS, [screen.prefix, screen.step, int(seconds * 1000)])
    play.click()
    learner.wait_idle()
    differ = [f for f in frames if f[0] != f[1]]
    return {"frames": len(frames), "steps": len({f[1] for f in frames}), "differ": differ[:5],
            "differing_frames": len(differ)}


# Each part of the explorer's live view as the browser shows it, compared with the kernel's HTML of that
# part parsed by the same browser (fold-outs' 'open' is the learner's); the number boxes against the
# kernel's values; and the patches that failed.
SAME_AS_KERNEL_JS = """([prefix, parts, values]) => {
  const root = document.querySelector(`.jp-OutputArea-output .${prefix}`);
  const t = document.createElement('template');
  const differ = [];
  const closed = (node) => { node.querySelectorAll('[open]').forEach(d => d.removeAttribute('open')); return node; };
  for (const [name, html] of Object.entries(parts)) {
    const box = root.querySelector(`.cnnlib-part.${prefix}-${name}`);
    t.innerHTML = html;
    const sent = document.createElement('div');
    sent.append(t.content);
    const shown = document.createElement('div');   // the box's children, in a plain div like `sent`
    if (box) shown.append(...closed(box.cloneNode(true)).childNodes);
    if (!box || !shown.isEqualNode(closed(sent))) {   // (attributes in any order) where they part: 200 characters of each
      const a = shown.innerHTML, b = sent.innerHTML;
      let i = 0;
      while (i < a.length && a[i] === b[i]) i++;
      differ.push({name, shown: a.slice(Math.max(0, i - 100), i + 100), sent: b.slice(Math.max(0, i - 100), i + 100)});
    }
  }
  for (const [cls, value] of Object.entries(values)) {
    const input = root.querySelector(`.${cls} input`);
    if (input && input.value !== String(value)) differ.push({name: cls, shown: input.value, sent: String(value)});
  }
  return {differ, failed_patches: window.cnnlibResyncs || []};
}"""


def differences_from_kernel(learner, screen: Screen, folder) -> dict:
    """The parts whose DOM is not the kernel's HTML, and the number boxes that do not show the kernel's
    values (after many updates there must be none: a stale picture), and failed patches."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{screen.prefix}-parts.json"
    run_in_kernel(learner, f"import json as _j; open({str(path)!r}, 'w').write(_j.dumps(explorer._current()))")
    parts, values = json.loads(path.read_text())
    path.unlink()
    return learner.page.evaluate(SAME_AS_KERNEL_JS, [screen.prefix, parts, values])


def save(name: str, record: dict, folder) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "screen-measurements.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = record
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False))
