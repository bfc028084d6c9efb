"""The drawing pad (notebook 7.6) in a real browser: JupyterLab in headless Chromium, drawn with Playwright's
mouse as a learner draws (machinery: tests/browser_harness.py, tests/browser_screen.py).

* A vertical stroke is read as 1, a closed loop as 0; the maps change with the drawing; 되돌리기 and 지우기
  work; an empty pad says "숫자를 써 보세요".
* The browser's pixels and Python's pen agree: the 28×28 image made from what the browser sent is close
  to :func:`cnnlib.digits.strokes_to_mnist` of the same mouse path.
* The same pad shown twice: each view reads its own drawing only.
* Moving the input, switching to DeepConvNet (six layers of maps) and clicking a map (its filter) work.
* At 1440×900 and 1280×720, with the file browser open, the pad, the 28×28 image, both predictions and
  the maps are in view together (screenshots ``artifacts/browser/drawpad-<size>.png``).
* Stroke end → prediction painted: measured over a dozen strokes and recorded with the machine's load in
  ``artifacts/browser/drawpad-measurements.json`` (goal p90 <= 150 ms), never asserted (a loaded machine is
  slow, not wrong); what fails is a stroke whose prediction is never painted.
"""

from __future__ import annotations

import json
import math
import os
import time

import pytest

import browser_screen as screen
from browser_harness import ARTIFACTS, Lab, write_notebook
from browser_harness import chromium, learner  # noqa: F401  (fixtures)

NOTEBOOK = "drawpad/pad.ipynb"
TWICE = "drawpad/twice.ipynb"
PREFIX = "cnnlib-drawpad"
SOURCES = ["from cnnlib.explorers import DrawPadExplorer\npad = DrawPadExplorer()\npad"]
GOAL_MS = 150
KEYS = {"pad": ".cnnlib-drawpad-pad", "28x28 image": ".cnnlib-drawpad-input",
        "CNN prediction": ".cnnlib-drawpad-probs-cnn", "FC prediction": ".cnnlib-drawpad-probs-fc",
        "Conv1 maps": ".cnnlib-drawpad-layer-0 canvas", "Pool1 maps": ".cnnlib-drawpad-layer-1 canvas"}
VERTICAL = [(140, 45 + 5 * i) for i in range(39)]                                       # a "1"
LOOP = [(140 + 62 * math.sin(2 * math.pi * i / 48), 140 - 95 * math.cos(2 * math.pi * i / 48)) for i in range(49)]


@pytest.fixture(scope="module")
def lab(chromium, tmp_path_factory):
    """JupyterLab serving one notebook that shows the pad."""
    server = Lab(tmp_path_factory.mktemp("jupyterlab-drawpad"))
    try:
        write_notebook(server.root / NOTEBOOK, SOURCES)
        write_notebook(server.root / TWICE, SOURCES + ["pad"])      # the same pad shown again
        server.wait_ready()
        yield server
    finally:
        server.stop()


class Pad:
    """The pad on the page, used as a learner uses it."""

    def __init__(self, learner, view: int | None = None):
        self.learner, self.page = learner, learner.page
        self.root = self.page.locator(f".jp-OutputArea-output .{PREFIX}")
        if view is not None:                   # one of several views of the pad
            self.root = self.root.nth(view)

    def part(self, name: str):
        return self.root.locator(f".{PREFIX}-{name}")

    def settle(self, timeout: float = 15) -> None:
        """Until the last drawing's answer is painted and nothing is on its way."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.root.get_attribute("data-busy") == "0":
                time.sleep(0.1)   # the frame after the answer
                if self.root.get_attribute("data-busy") == "0":
                    return
            time.sleep(0.03)
        raise AssertionError(f"the pad did not settle within {timeout} s (sent {self.root.get_attribute('data-sent')})")

    def draw(self, points) -> None:
        """One stroke through ``points`` (pad pixels, 0..280), with the mouse."""
        box = self.part("pad").bounding_box()
        scale = box["width"] / 280
        xy = [(box["x"] + x * scale, box["y"] + y * scale) for x, y in points]
        self.page.mouse.move(*xy[0])
        self.page.mouse.down()
        for p in xy[1:]:
            self.page.mouse.move(*p)
        self.page.mouse.up()
        self.settle()

    def click(self, name: str) -> None:
        self.part(name).click()
        self.settle()

    def top(self, which: str = "cnn") -> str:
        return self.root.locator(f".{PREFIX}-probs-{which} .{PREFIX}-top").inner_text().strip()

    def pictures(self) -> list[str]:
        """The 28×28 image and every layer's maps as the canvases show them (data URLs)."""
        return self.page.evaluate("""(root) => [...root.querySelectorAll('canvas.dp-input, canvas.dp-mapcanvas')]
                                     .map(c => c.toDataURL())""", self.root.element_handle())


def open_pad(learner, notebook: str = NOTEBOOK, view: int | None = None) -> Pad:
    learner.open(notebook)
    learner.run_all()
    assert learner.notebook_problems() == []
    pad = Pad(learner, view)
    pad.root.wait_for()
    pad.settle()
    return pad


def kernel_value(learner, expression: str, name: str):
    """A JSON-able value computed in the notebook's kernel."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"drawpad-{name}.json"
    screen.run_in_kernel(learner, f"import json as _j; open({str(path)!r}, 'w').write(_j.dumps({expression}))")
    value = json.loads(path.read_text())
    path.unlink()
    return value


@pytest.mark.browser
def test_a_learner_draws_a_one_and_a_zero(learner):
    pad = open_pad(learner)
    assert "숫자를 써 보세요" in pad.part("status").inner_text()
    blank = pad.pictures()

    pad.draw(VERTICAL)
    assert pad.top() == "1", pad.part("cnn").inner_text()
    assert pad.part("status").inner_text().strip() == ""
    one = pad.pictures()
    assert all(a != b for a, b in zip(blank, one)), "the 28×28 image and every layer's maps change"
    # the browser's pixels and Python's pen: the same 28×28 image, up to the anti-aliasing of the edges
    diff = kernel_value(learner, "float(abs(pad.last_view.image - __import__('cnnlib.digits', fromlist=['x'])"
                                 f".strokes_to_mnist([{VERTICAL!r}])).mean())", "pen")
    assert diff < 0.02, diff

    pad.click("clear")
    assert "숫자를 써 보세요" in pad.part("status").inner_text() and pad.top() == "–"
    pad.draw(LOOP)
    assert pad.top() == "0", pad.part("cnn").inner_text()
    zero = pad.pictures()
    assert all(a != b for a, b in zip(one, zero))
    pad.draw(VERTICAL)                       # a stroke through the loop ...
    assert pad.pictures() != zero
    pad.click("undo")                        # ... taken back
    assert pad.top() == "0" and pad.pictures() == zero
    assert learner.log_console_errors() + learner.problems == []


@pytest.mark.browser
def test_the_same_pad_shown_twice_reads_each_view_alone(learner):
    """Both views get every answer the kernel sends; each paints only the answers to its own drawings."""
    first = open_pad(learner, TWICE, 0)
    second = Pad(learner, 1)
    second.root.wait_for()
    second.settle()
    first.draw(VERTICAL)
    assert first.top() == "1" and second.top() == "–", (first.top(), second.top())
    assert "숫자를 써 보세요" in second.part("status").inner_text()
    second.draw(LOOP)
    assert (first.top(), second.top()) == ("1", "0")
    assert learner.log_console_errors() + learner.problems == []


def cdp_stroke(learner, pad, points, kind: str) -> None:
    """One stroke through ``points`` (pad pixels) with a finger (``kind`` 'touch') or a pen ('pen'), sent as
    the browser's own input events (Chrome DevTools Protocol)."""
    box = pad.part("pad").bounding_box()
    xy = [(box["x"] + x * box["width"] / 280, box["y"] + y * box["height"] / 280) for x, y in points]
    cdp = learner.page.context.new_cdp_session(learner.page)
    if kind == "touch":
        cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 1})
        for i, (x, y) in enumerate(xy):
            kind_ = "touchStart" if i == 0 else "touchMove"
            cdp.send("Input.dispatchTouchEvent", {"type": kind_, "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": False})
    else:
        for i, (x, y) in enumerate(xy):
            kind_ = "mousePressed" if i == 0 else "mouseMoved"
            cdp.send("Input.dispatchMouseEvent", {"type": kind_, "x": x, "y": y, "button": "left", "buttons": 1,
                                                  "clickCount": 1, "pointerType": "pen"})
        cdp.send("Input.dispatchMouseEvent", {"type": "mouseReleased", "x": xy[-1][0], "y": xy[-1][1],
                                              "button": "left", "clickCount": 1, "pointerType": "pen"})
    cdp.detach()
    pad.settle()


@pytest.mark.browser
def test_a_finger_and_a_pen_draw_too(learner):
    pad = open_pad(learner)
    learner.page.evaluate("""() => { window.cnnlibPointerTypes = [];
      document.addEventListener('pointerdown', e => {
        if (e.target.classList.contains('cnnlib-drawpad-pad')) window.cnnlibPointerTypes.push(e.pointerType); }, true); }""")
    cdp_stroke(learner, pad, VERTICAL, "touch")
    assert pad.top() == "1", pad.part("cnn").inner_text()
    pad.click("clear")
    cdp_stroke(learner, pad, LOOP, "pen")
    assert pad.top() == "0", pad.part("cnn").inner_text()
    assert learner.page.evaluate("() => window.cnnlibPointerTypes") == ["touch", "pen"]   # on the pad
    assert learner.log_console_errors() + learner.problems == []


@pytest.mark.browser
def test_move_switch_and_pick(learner):
    pad = open_pad(learner)
    pad.draw(LOOP)
    before = pad.pictures()[0]
    slider = pad.root.locator(f".{PREFIX}-control-dx input")
    slider.focus()
    for _ in range(6):
        learner.page.keyboard.press("ArrowRight")
    pad.settle()
    assert pad.root.locator(f".{PREFIX}-control-dx .dp-value").inner_text() == "6"
    assert pad.pictures()[0] != before                                        # the 28×28 image moved
    assert kernel_value(learner, "[pad.last_view.request.dx, pad.last_view.fc_prediction, pad.last_view.prediction]",
                        "moved")[0] == 6

    pad.root.locator(f".{PREFIX}-layer-0 canvas").click(position={"x": 2 + 3 * 50 + 10, "y": 2 + 10})   # map 3
    pad.settle()
    assert "Conv1의 필터 3번 (1×5×5)" in pad.part("filter").inner_text()
    pad.click("net-deep")
    assert pad.root.locator("canvas.dp-mapcanvas").count() == 6
    assert "DeepConvNet" in pad.part("probs-cnn").inner_text()
    assert "Conv6 + ReLU: 특징 맵 64개 (8×8)" in pad.part("maps").inner_text()
    pad.root.locator(f".{PREFIX}-layer-2 canvas").click(position={"x": 2 + 5, "y": 2 + 5})   # Conv3's map 0
    pad.settle()
    assert "Conv3의 필터 0번 (16×3×3)" in pad.part("filter").inner_text()
    learner.screenshot("drawpad-deep")
    assert learner.log_console_errors() + learner.problems == []


@pytest.mark.browser
def test_one_screen_and_stroke_to_paint_time(learner):
    pad = open_pad(learner)
    pad.draw(LOOP)
    record = {}
    spec = screen.Screen(PREFIX, KEYS, slider="", typed=(), largest="")
    for size, viewport in screen.VIEWPORTS.items():
        learner.page.set_viewport_size(viewport)
        screen.show_file_browser(learner)
        found = record[f"default {size}"] = screen.layout(learner, spec)
        learner.page.screenshot(path=str(ARTIFACTS / f"drawpad-{size}.png"))
        hidden = {k: v for k, v in found["keys"].items() if v is None or v < screen.VISIBLE}
        assert found["controls"] >= screen.VISIBLE and not hidden, f"at {size}: out of view {hidden} ({found})"
        assert not found["overflow"], f"at {size}: {found['overflow']}"
    learner.page.set_viewport_size(screen.VIEWPORTS["1440x900"])
    screen.scroll_to(learner, PREFIX)

    learner.page.evaluate("() => { window.cnnlibDrawpadTimes = []; }")
    sent = int(pad.root.get_attribute("data-sent"))
    strokes = [VERTICAL, LOOP, [(80, 100), (200, 100)], [(100, 60), (180, 60), (120, 230)]]
    moves = 0
    for i in range(12):
        if i % 4 == 0:
            pad.click("clear")
        pad.draw(strokes[i % 4])
        moves += len(strokes[i % 4])
    times = sorted(learner.page.evaluate("() => window.cnnlibDrawpadTimes"))
    assert len(times) == 12, times
    p90 = times[round(0.9 * (len(times) - 1))]
    record["stroke end to prediction painted"] = {
        "p90_ms": round(p90, 1), "median_ms": round(times[len(times) // 2], 1), "strokes": len(times),
        "goal_p90_ms": GOAL_MS, "mouse_moves": moves, "drawings_sent": int(pad.root.get_attribute("data-sent")) - sent,
        "load": os.getloadavg()[0]}
    screen.save("drawpad", record, ARTIFACTS)
    print(f"\ndrawpad: {record}")
    assert learner.log_console_errors() + learner.problems == []
