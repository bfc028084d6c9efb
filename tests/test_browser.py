"""Real-browser test: every notebook and explorer works in JupyterLab, in headless Chromium.

nbval proves the kernel side. It cannot see what a learner sees: "Error displaying widget: model not
found", or a slider that moves while nothing updates, because JupyterLab, ipywidgets and
jupyterlab_widgets do not fit together. This module starts the project's own JupyterLab and drives it
with Playwright in Chromium, as a learner would; the machinery is in ``tests/browser_harness.py``.

What is checked
---------------
The harness first checks itself on two notebooks it writes into a temporary folder served by the same
JupyterLab: a working one (slider, dropdown, text box, button, checkbox and toggle buttons whose observers set
HTML widgets) and a broken one (a widget view without a model, a callback that raises, a cell that raises).
The first must pass every check, the second must be caught by each of them.

Then, for every ``notebooks/*.ipynb`` (found automatically: a new notebook needs no change here):

1. a copy is opened in JupyterLab in a fresh workspace (``/lab/workspaces/<unique>/tree/<nb>?reset``)
   and its kernel started;
2. all outputs are cleared and all cells run (nbconvert-executed notebooks open untrusted, so their
   widgets only render after a re-run); the test waits until every code cell ran and the kernel is
   idle, and until every widget output has rendered;
3. it fails on: an error output (except in cells tagged ``raises-exception``, JupyterLab's and nbval's
   mark for a deliberate error), a code cell that did not run, "Error displaying widget", a widget
   output that rendered as plain text, a browser console error or uncaught page error (this is where
   the widget manager reports a model or version mismatch), and an error from a widget callback
   (JupyterLab sends those to the Log Console, read at the end);
4. a screenshot of the notebook's first explorer (the output area of the first cell that shows
   widgets), or of the notebook's top if it has none, goes to ``artifacts/browser/<notebook>.png``;
5. the notebook's explorer checks in ``EXPLORER_CHECKS`` run, in order. A notebook that shows
   interactive controls but has no entry there fails: every explorer gets at least one check.

For each explorer (``tests/browser_screen.py``): its layout at the default and the largest settings at
1440x900 and 1280x720 (one screen; nothing cut or scrolling inside; the one-line bar in view), two arrow
keys, two typed values and a drag timed to the final state painted (recorded), then a burst of arrow keys sent
without waiting, the final state equal to the kernel's, and Play keeping the number box on the picture's step.

Adding an explorer check
------------------------
``EXPLORER_CHECKS`` maps a notebook file name to a list of ``Step``. A step names a control by the
description label a learner reads next to it (a button by its text), says how to move it, and which
text must then appear in which output element. Output elements are named by the CSS class the explorer
gives them (``<prefix>-<part>``, see ``docs/explorers.md``). For example, for the convolution explorer of
notebook 7.2::

    EXPLORER_CHECKS = {
        "7.2-convolution-layer.ipynb": [
            # padding 0 -> 1 on the book's 4x4 input and 3x3 filter: the output becomes 4x4
            Step("패딩 P (padding)", to="1", expect={"cnnlib-conv-shapes": "(N, FN, OH, OW) = (1, 1, 4, 4)"}),
            # one step right on the stride slider leaves a remainder: the explanation appears
            Step("스트라이드 S (stride)", press="ArrowRight", expect={"cnnlib-conv-explanation": "정수가 아닙니다"}),
        ],
    }

How a step moves its control (the control is found inside one explorer, ``explorer=0`` by default,
counting the cells with widgets from the top):

- ``press="ArrowRight"`` (or a tuple of keys): focus the control and press the keys — the slider's
  handle, the dropdown's select, the text box, the button;
- ``to="1"``: a slider is moved with the arrow keys until its value (its readout, or the number box beside
  it) shows ``1``; a dropdown, toggle-buttons or radio-buttons choose the option labelled ``1``; a text box
  is filled and Enter pressed;
- ``type="99"``: the number box beside a slider is filled and Enter pressed;
- none of these: the control is clicked (a button or checkbox).

Each expected text (a substring of the element's visible text) must NOT be shown before the step (otherwise
the step would prove nothing) and must be shown after it, once the kernel is idle again. Later steps start
from the state earlier steps left.

Running it
----------
It needs Chromium: Debian's ``/usr/bin/chromium`` (``apt-get install chromium``), another Chromium or
Chrome on the PATH or named by ``CNNLIB_CHROMIUM``, or Playwright's own (``python -m playwright install
chromium``). Without one the browser tests skip with the reason; with ``CNNLIB_REQUIRE_BROWSER=1``
(set by ``.ci/run``) they fail instead. ``pytest -m "not browser"`` leaves them out.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

import browser_screen as screen
from browser_harness import ARTIFACTS, NOTEBOOK_DIR, NOTEBOOKS, Lab, Step, skip_like_nbval, write_notebook
from browser_harness import chromium, learner  # noqa: F401  (fixtures)


EXPLORER_CHECKS: dict[str, list[Step]] = {
    # "<notebook file name>": [Step("<control label>", to=... or press=..., expect={"<css class>": "<text>"}), ...],
    "7.2-convolution-layer.ipynb": [
        # the book's 4x4 input and 3x3 filter: padding 0 -> 1 makes the output 4x4 (그림 7-6)
        Step("패딩 P", to="1", expect={"cnnlib-conv-formula": "(4 + 2·1 − 3)/1 + 1 = 3 + 1 = 4",
                                      "cnnlib-conv-shapes": "출력 (1, 1, 4, 4)"}),
        # clicking output cell (2, 1) selects its window: position 2·4 + 1 = 9
        Step(click="table.cnnlib-grid-output tr:nth-child(3) td:nth-child(2)",
             expect={"cnnlib-conv-products": "출력 칸 (2, 1) 계산 — 윈도우 위치 9"}),
        # stride 2 then leaves a remainder: the explanation appears instead of a traceback
        Step("스트라이드 S", to="2", expect={"cnnlib-conv-explanation": "정수가 아닙니다",
                                          "cnnlib-conv-formula": "3/2 + 1"}),
        # a typed height past the end is clamped, and the box says so beside itself
        Step("입력 높이 H", type="99", expect={"cnnlib-conv-note-H": "99 → 12 (가장 큰 값은 12"}),
        # 2.5 keeps its dot (it is refused, not read as 25), abc is refused too: the box keeps FW = 3
        Step("필터 너비 FW", type="2.5", expect={"cnnlib-conv-note-FW": "정수가 아닙니다: 2.5"}),
        Step("입력 너비 W", type="abc", expect={"cnnlib-conv-note-W": "숫자가 아닙니다: abc"}),
        # End reaches the window position's current end: H = 12, W = 4, P = 1, S = 2 in floor mode: 6x2 windows
        Step("윈도우 위치", press="End", expect={"cnnlib-conv-products": "윈도우 위치 11 (0–11)"}),
    ],
    "7.3-pooling-layer.ipynb": [
        # the book's 그림 7-14: average pooling of the first window is (1 + 2 + 0 + 1)/4 = 1
        Step("방법", to="평균 (average)", expect={"cnnlib-pool-detail": "(1 + 2 + 0 + 1) / 4 = 4/4 = 1"}),
        # clicking input cell (3, 3) selects the window that reads it: output cell (1, 1)
        Step(click="table.cnnlib-grid-input tr:nth-child(5) td:nth-child(5)",
             expect={"cnnlib-pool-detail": "출력 칸 (1, 1) 계산"}),
        # resting the pointer on output cell (0, 1) selects its window
        Step(hover="table.cnnlib-grid-output tr:nth-child(1) td:nth-child(2)",
             expect={"cnnlib-pool-detail": "출력 칸 (0, 1) 계산"}),
        # a 5x5 input with 2x2 windows and stride 2 leaves a remainder: explained, not a traceback
        Step("입력 높이 H", to="5", expect={"cnnlib-pool-explanation": "정수가 아닙니다",
                                          "cnnlib-pool-formula": "3/2 + 1"}),
    ],
    "7.4-implementing-conv-pooling.ipynb": [
        # two 4x4 samples, 3x3 filter: padding 1 makes 2·4·4 = 32 rows, each pixel copied 9 times on average
        Step("패딩 P", to="1", expect={"cnnlib-im2col-shapes": "im2col 행렬 (32, 9)",
                                      "cnnlib-im2col-memory": "입력의 9.00배"}),
        # picking output row 2 selects im2col row r = 0·16 + 2·4 + 0 = 8
        Step("출력 행 oy", to="2", expect={"cnnlib-im2col-matrix": "im2col의 행 r = 8"}),
        # clicking a row of the im2col matrix selects it (row 16: sample 1's first row)
        Step(click='table.cnnlib-grid-im2col tr[data-r="16"] td', expect={"cnnlib-im2col-matrix": "im2col의 행 r = 16"}),
        # the backward view: dout → dcol → col2im
        Step("보기", to="합성곱 역전파", expect={"cnnlib-im2col-matrix": "dcol = dout @ col_W.T"}),
        # stride 2 leaves a remainder: explained, drawn in floor mode
        Step("스트라이드 S", to="2", expect={"cnnlib-im2col-explanation": "정수가 아닙니다",
                                          "cnnlib-im2col-formula": "3/2 + 1"}),
        # the pooling view names its sliders after the pooling window
        Step("보기", to="최대 풀링 순전파", expect={"cnnlib-im2col-matrix": "max(axis=1)"}),
    ],
    "7.5-cnn-implementation.ipynb": [
        # Run All only measured the estimate; the click (Playwright waits while the button is disabled, i.e.
        # until the estimate is shown) starts the training in the background, and "중지" is heard at once:
        # "멈추는 중입니다 ... 그때까지 학습한 신경망을 ..." and then "중지했습니다 ... 그때까지 학습한 신경망의 ..."
        Step("학습 시작", expect={"cnnlib-training-status": "학습 중: 에폭"}),
        Step("중지", expect={"cnnlib-training-status": "그때까지 학습한 신경망"}),
    ],
    "7.6-cnn-visualization.ipynb": [
        # test image 1 of MNIST is a 2; the summary and the probability rows follow the number box
        Step("이미지 번호", type="1", expect={"cnnlib-featuremap-summary": "정답 2"}),
        # the next test image the trained network gets wrong
        Step("다음 틀린 숫자 ▸", expect={"cnnlib-featuremap-summary": "✗ 틀림"}),
        # filter 0 -> 1: the summary and the filter grid's title name the new filter
        Step("필터 번호", to="1", expect={"cnnlib-featuremap-summary": "필터 1 (30개 중)",
                                        "cnnlib-featuremap-maps": "W1[1]"}),
        # the weights before training
        Step("가중치", to="학습 전", expect={"cnnlib-featuremap-summary": "가중치: 학습 전"}),
    ],
    "7.7-representative-cnns.ipynb": [
        # the paper's 224: conv1's (224 − 11)/4 + 1 leaves a remainder, explained where the table stops
        Step("입력 크기", type="224", expect={"cnnlib-alexnet-explanation": "213 ÷ 4의 나머지는 1",
                                            "cnnlib-alexnet-table": "✗ 정수가 아님"}),
        # 259 passes every layer (a quick choice): pool5 is 7x7, so fc6 holds 256·7·7·4096 + 4096 parameters
        Step(click='button.cnnlib-alexnet-quick:text-is("259")', expect={"cnnlib-alexnet-table": "51,384,320"}),
        # the paper's batch of 128 images
        Step("배치 크기", to="128", expect={"cnnlib-alexnet-summary": "× 128장"}),
    ],
}


# --------------------------------------------------------------------------- the harness's own notebooks

SELFTEST_GOOD = [
    """\
import ipywidgets as widgets

size = widgets.IntSlider(value=3, min=0, max=10, description="size")
pick = widgets.Dropdown(options=["apple", "banana"], value="apple", description="pick")
num = widgets.IntText(value=0, description="num")
go = widgets.Button(description="go")
grid = widgets.Checkbox(value=False, description="grid")
mode = widgets.ToggleButtons(options=["max", "avg"], value="max", description="mode")
shown = {name: widgets.HTML(f"{name} = {value}") for name, value in
         [("size", 3), ("pick", "apple"), ("num", 0), ("clicks", 0), ("grid", False), ("mode", "max")]}
for name, out in shown.items():
    out.add_class(f"selftest-{name}")

def show(name):
    return lambda change: setattr(shown[name], "value", f"<b>{name} = {change['new']}</b>")

size.observe(show("size"), names="value")
pick.observe(show("pick"), names="value")
num.observe(show("num"), names="value")
grid.observe(show("grid"), names="value")
mode.observe(show("mode"), names="value")
clicks = []
go.on_click(lambda button: (clicks.append(1), setattr(shown["clicks"], "value", f"clicks = {len(clicks)}")))
widgets.VBox([size, pick, num, go, grid, mode, *shown.values()])""",
    # Displayed on its own: its view's root element has no "jupyter-widgets" class.
    "widgets.RadioButtons(options=['a', 'b'], description='alone')",
    "print('the harness self-test ran to the end')",
]

SELFTEST_BROKEN = [
    # A widget view whose model does not exist: what a version mismatch looks like to a learner.
    "display({'application/vnd.jupyter.widget-view+json':"
    " {'model_id': 'no-such-model', 'version_major': 2, 'version_minor': 0},"
    " 'text/plain': 'a widget'}, raw=True)",
    """\
import ipywidgets as widgets
size = widgets.IntSlider(value=3, min=0, max=10, description="size")
def explode(change):
    if change["new"] == 4:
        raise ValueError("deliberate callback error at size 4")
size.observe(explode, names="value")
size""",
    "raise RuntimeError('deliberate cell error')",
]



# --------------------------------------------------------------------------- the server

@pytest.fixture(scope="module")
def lab(chromium, tmp_path_factory):
    """JupyterLab serving copies of notebooks/ (at notebooks/) and the harness notebooks (at harness/)."""
    workdir = tmp_path_factory.mktemp("jupyterlab")
    server = Lab(workdir)
    try:
        shutil.copytree(NOTEBOOK_DIR, server.root / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        skip_like_nbval(server.root / "notebooks")
        write_notebook(server.root / "harness" / "selftest-good.ipynb", SELFTEST_GOOD)
        write_notebook(server.root / "harness" / "selftest-broken.ipynb", SELFTEST_BROKEN)
        write_notebook(server.root / "harness" / "stale.ipynb", STALE_NOTEBOOK)
        server.wait_ready()
        yield server
    finally:
        server.stop()



# --------------------------------------------------------------------------- tests without a browser

def test_explorer_checks_name_existing_notebooks():
    unknown = sorted(set(EXPLORER_CHECKS) - set(NOTEBOOKS))
    assert not unknown, f"EXPLORER_CHECKS names notebooks that are not in notebooks/: {unknown}"


def test_a_step_must_expect_something():
    with pytest.raises(ValueError, match="expects nothing"):
        Step("padding", to="1")
    with pytest.raises(ValueError, match="either press= or to="):
        Step("padding", to="1", press="ArrowRight", expect={"cnn-shape": "4"})
    with pytest.raises(ValueError, match="names a control, or a cell"):
        Step(expect={"cnn-shape": "4"})


# --------------------------------------------------------------------------- tests in the browser

@pytest.mark.browser
def test_harness_drives_widgets_like_a_learner(learner):
    """The widget machinery of this exact JupyterLab / ipywidgets / jupyterlab_widgets works."""
    learner.open("harness/selftest-good.ipynb")
    learner.run_all()
    assert learner.notebook_problems() == []
    state = learner.state()
    assert state["widgetOutputs"] == state["renderedWidgets"] == 2, state
    assert learner.explorers().count() == 2
    learner.screenshot("harness-selftest")

    learner.do(Step("size", press=("ArrowRight", "ArrowRight"), expect={"selftest-size": "size = 5"}))
    learner.do(Step("size", to="9", expect={"selftest-size": "size = 9"}))
    learner.do(Step("size", to="1", expect={"selftest-size": "size = 1"}))
    learner.do(Step("pick", to="banana", expect={"selftest-pick": "pick = banana"}))
    learner.do(Step("num", to="42", expect={"selftest-num": "num = 42"}))
    learner.do(Step("go", expect={"selftest-clicks": "clicks = 1"}))
    learner.do(Step("go", press="Enter", expect={"selftest-clicks": "clicks = 2"}))
    learner.do(Step("grid", expect={"selftest-grid": "grid = True"}))
    learner.do(Step("mode", to="avg", expect={"selftest-mode": "mode = avg"}))

    # ... and a step cannot pass when it proves nothing, names no control, or its text never appears.
    with pytest.raises(AssertionError, match="already shows"):
        learner.do(Step("size", to="1", expect={"selftest-size": "size = 1"}))
    with pytest.raises(AssertionError, match="one control labelled 'no such control'"):
        learner.do(Step("no such control", press="ArrowRight", expect={"selftest-size": "size = 7"}))
    with pytest.raises(AssertionError, match="expected it to contain 'size = 7'"):
        learner.do(Step("size", press="ArrowRight", expect={"selftest-size": "size = 7"}), timeout_ms=1500)

    assert learner.log_console_errors() == []
    assert learner.problems == []


@pytest.mark.browser
def test_harness_catches_broken_widgets(learner):
    """Each check of the harness fails when it should: the checks below are the ones every notebook gets."""
    learner.open("harness/selftest-broken.ipynb")
    learner.run_all()
    problems = learner.notebook_problems()
    assert any("RuntimeError: deliberate cell error" in p for p in problems), problems
    assert any("Error displaying widget: model not found" in p for p in problems), problems
    assert any("widget model not found" in p for p in learner.problems), learner.problems

    learner.panel.locator(".widget-slider .noUi-handle").focus()
    learner.page.keyboard.press("ArrowRight")  # size 3 -> 4: the callback raises
    learner.wait_idle()
    errors = learner.log_console_errors()
    assert any("ValueError: deliberate callback error at size 4" in e for e in errors), errors


@pytest.mark.browser
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_works_in_jupyterlab(learner, notebook):
    learner.open(f"notebooks/{notebook}")
    learner.run_all()
    problems = learner.notebook_problems()
    shot = learner.screenshot(Path(notebook).stem)
    assert not problems + learner.problems, f"{notebook} in JupyterLab:\n" + "\n".join(problems + learner.problems)

    steps = EXPLORER_CHECKS.get(notebook, [])
    if learner.has_controls() and not steps:
        pytest.fail(f"{notebook} shows interactive controls but EXPLORER_CHECKS has no steps for it: add at "
                    f"least one Step per explorer (see the docstring of tests/test_browser.py; screenshot: {shot})",
                    pytrace=False)
    record = measure_default(learner, notebook)
    for step in steps:
        learner.do(step)
    if record is not None:
        measure_largest(learner, notebook, record)
    problems = learner.log_console_errors() + learner.notebook_problems() + learner.problems
    assert not problems, f"{notebook} after its explorer checks:\n" + "\n".join(problems)


def measure_default(learner, notebook):
    """The explorer at its default settings: layout at both screen sizes with the file browser open
    (screenshots ``<notebook>-<size>.png``); arrow keys, typed values and drags to the final state painted;
    Play keeping the number box and the picture on one step."""
    spec = screen.SCREENS.get(notebook)
    if spec is None:
        return None
    record = {}
    stem = Path(notebook).stem
    for size, viewport in screen.VIEWPORTS.items():
        learner.page.set_viewport_size(viewport)
        screen.show_file_browser(learner)
        found = record[f"default {size}"] = screen.layout(learner, spec)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        learner.page.screenshot(path=str(ARTIFACTS / f"{stem}-{size}.png"))
        # one screen: the controls and every part they drive in view together (file browser open)
        assert found["controls"] >= screen.VISIBLE, f"{notebook} at {size}: controls partly out of view: {found}"
        hidden = {k: v for k, v in found["keys"].items() if v is None or v < screen.VISIBLE}
        assert not hidden, f"{notebook} at {size}: parts out of view with the controls: {hidden} ({found})"
        assert not found["overflow"] and not found["scrolling"], f"{notebook} at {size}: {found}"
    learner.page.set_viewport_size(screen.VIEWPORTS["1440x900"])
    screen.scroll_to(learner, spec.prefix)
    timings(learner, spec, record, "default")
    if spec.step:
        sync = record["default play"] = screen.play_sync(learner, spec)
        assert sync["steps"] >= 2 and sync["differing_frames"] == 0, f"{notebook}: box and picture apart: {sync}"
    screen.run_in_kernel(learner, screen.RESET)   # the explorer checks start from the defaults
    return record


def timings(learner, spec, record, label):
    """Arrow keys, typed values and a drag, each to the final state painted (recorded, not asserted: a loaded
    machine is slow, not wrong); then a burst of arrow keys with no wait between them; then the picture and
    the number boxes must be the kernel's final state."""
    record[f"{label} arrow keys"] = screen.paint_times(learner, spec)
    record[f"{label} typing"] = screen.typing_times(learner, spec)
    record[f"{label} drag end"] = screen.drag_times(learner, spec)
    screen.burst(learner, spec)
    found = screen.differences_from_kernel(learner, spec, ARTIFACTS)
    assert found == {"differ": [], "failed_patches": []}, f"{spec.prefix} ({label}): a stale picture: {found}"


def measure_largest(learner, notebook, record):
    """The largest settings at both screen sizes: nothing cut or scrolling inside, the bar one line that stays
    in view when scrolled to the explorer's end (screenshots ``<notebook>-largest-<size>[-end].png``); the
    timings again."""
    spec = screen.SCREENS[notebook]
    stem = Path(notebook).stem
    screen.run_in_kernel(learner, screen.RESET + "\n" + spec.largest)   # (from the defaults: the checks changed some)
    for size, viewport in screen.VIEWPORTS.items():
        learner.page.set_viewport_size(viewport)
        found = record[f"largest {size}"] = screen.layout(learner, spec)
        learner.page.screenshot(path=str(ARTIFACTS / f"{stem}-largest-{size}.png"))
        end = record[f"largest {size}, scrolled to its end"] = screen.layout_at_end(learner, spec)
        learner.page.screenshot(path=str(ARTIFACTS / f"{stem}-largest-{size}-end.png"))
        for where, m in (("at its top", found), ("scrolled to its end", end)):
            assert not m["overflow"] and not m["scrolling"], f"{notebook} at {size} {where}: {m}"
            assert m["bar"] >= screen.VISIBLE and m["bar_height"] <= screen.BAR_MAX_PX, f"{notebook} at {size} {where}: {m}"
    learner.page.set_viewport_size(screen.VIEWPORTS["1440x900"])
    screen.scroll_to(learner, spec.prefix)
    timings(learner, spec, record, "largest")
    screen.save(notebook, record, ARTIFACTS)
    print(f"\n{notebook}: {record}")


# --------------------------------------------------------------------------- one picture, before and after running

STALE_NOTEBOOK = ["from cnnlib.explorers import PoolExplorer\nexplorer = PoolExplorer()\nexplorer"]


@pytest.mark.browser
def test_an_explorer_is_one_picture_and_a_stale_one_says_what_to_do(learner):
    """Opened without running (untrusted), the explorer cell shows the static view, not a repr; run, it shows
    the live explorer alone; saved and reopened with a new kernel, the widget manager's 'model not found'
    is followed by what to do."""
    path = "harness/stale.ipynb"
    learner.open(path)
    learner.run_all()
    assert learner.notebook_problems() == []
    panel = learner.panel
    assert panel.locator(".cnnlib-pool .cnnlib-pool-grids").count() == 1      # the live explorer ...
    assert panel.locator(".cnnlib-pool-static").count() == 0                  # ... alone: no static copy
    learner._command("docmanager:save")
    time.sleep(1.5)
    learner.page.evaluate("() => window.jupyterapp.commands.execute('application:close-all')")
    learner.lab.shutdown_kernels()
    learner.open(path)
    hint = learner.page.wait_for_function("""() => {
      const out = [...document.querySelectorAll('.jp-OutputArea-output.jupyter-widgets')]
        .find(el => el.textContent.includes('Error displaying widget'));
      return out && getComputedStyle(out, '::after').content;
    }""", timeout=30_000).json_value()
    assert "셀을 다시 실행하세요" in hint, hint

    learner.open("notebooks/7.3-pooling-layer.ipynb")          # committed: executed by nbconvert, untrusted
    cell = learner.panel.locator(".jp-CodeCell").filter(has_text="explorer = PoolExplorer()")
    static = cell.locator(".jp-OutputArea-output .cnnlib-pool-static")
    assert static.count() == 1
    # JupyterLab skips rendering the cells out of view (no visible text there): scrolled into view, read
    # what shows once it is painted
    cell.scroll_into_view_if_needed()
    shown = ""
    for _ in range(50):
        shown = cell.locator(".jp-Cell-outputArea").inner_text()
        if shown:
            break
        time.sleep(0.2)
    assert "이 셀을 실행하면 슬라이더로 조작할 수 있습니다" in static.inner_text()   # the static view ...
    assert cell.locator(".jupyter-widgets").count() == 0                   # ... where no widget can show
    assert "PoolExplorer(" not in shown
