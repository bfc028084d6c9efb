"""Real-browser test: every notebook and explorer works in JupyterLab, in headless Chromium.

nbval proves the kernel side. It cannot see what a learner sees: "Error displaying widget: model not
found", or a slider that moves while nothing updates, because JupyterLab, ipywidgets and
jupyterlab_widgets do not fit together. This module starts the project's own JupyterLab and drives it
with Playwright in Chromium, as a learner would.

What is checked
---------------
The harness first checks itself on two notebooks it writes into a temporary folder served by the same
JupyterLab: a working one (slider, dropdown, text box, button, checkbox and toggle buttons whose observers set
HTML widgets) and
a broken one (a widget view without a model, a callback that raises, a cell that raises). The first
must pass every check, the second must be caught by each of them.

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

Adding an explorer check
------------------------
``EXPLORER_CHECKS`` maps a notebook file name to a list of ``Step``. A step names a control by the
description label a learner reads next to it (a button by its text), says how to move it, and which
text must then appear in which output element. Output elements are named by a CSS class the explorer
gives them in cnnlib with ``widget.add_class("cnn-...")``. For example::

    EXPLORER_CHECKS = {
        "7.3-convolution-explorer.ipynb": [
            # padding 0 -> 1 on the default explorer (7x7 input, 3x3 filter): 5x5 becomes 7x7
            Step("padding", to="1", expect={"cnn-conv-shape": "7 × 7", "cnn-conv-formula": "(7 + 2·1 − 3)"}),
            # a stride that does not fit shows the explanation
            Step("stride", press="ArrowRight", expect={"cnn-conv-message": "나누어떨어지지"}),
        ],
    }

How a step moves its control (the control is found inside one explorer, ``explorer=0`` by default,
counting the cells with widgets from the top):

- ``press="ArrowRight"`` (or a tuple of keys): focus the control and press the keys — the slider's
  handle, the dropdown's select, the text box, the button;
- ``to="1"``: a slider is moved with the arrow keys until its readout shows ``1``; a dropdown,
  toggle-buttons or radio-buttons choose the option labelled ``1``; a text box is filled and Enter
  pressed;
- neither: the control is clicked (a button or checkbox).

Each expected text (a substring of the element's visible text) must NOT be shown before the step (otherwise the step would prove nothing) and must
be shown after it, once the kernel is idle again. Later steps start from the state earlier steps left.

Running it
----------
It needs Chromium: Debian's ``/usr/bin/chromium`` (``apt-get install chromium``), another Chromium or
Chrome on the PATH or named by ``CNNLIB_CHROMIUM``, or Playwright's own (``python -m playwright install
chromium``). Without one the browser tests skip with the reason; with ``CNNLIB_REQUIRE_BROWSER=1``
(set by ``.ci/run``) they fail instead. ``pytest -m "not browser"`` leaves them out.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))
ARTIFACTS = ROOT / "artifacts" / "browser"

REQUIRE_BROWSER = "CNNLIB_REQUIRE_BROWSER"
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu",
    # Without these Chromium keeps trying to reach Google's services from this offline network.
    "--disable-background-networking", "--disable-quic", "--no-first-run",
    "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}

LAB_START_TIMEOUT = 90  # s
OPEN_TIMEOUT = 90  # s: JupyterLab loads and the kernel starts
RUN_TIMEOUT = 300  # s: one notebook, all cells
RENDER_TIMEOUT = 30  # s: widget views appear after their outputs arrived
STEP_TIMEOUT_MS = 15_000  # expected text after a step

# Regular expressions of browser console errors known to be harmless here, each with its reason.
# None so far: JupyterLab 4.6 with ipywidgets 8.1 logs no console error on a working notebook.
HARMLESS_CONSOLE_ERRORS: tuple[str, ...] = ()

INTERACTIVE = ", ".join(f".widget-{kind}" for kind in (
    "slider", "dropdown", "toggle-buttons", "toggle-button", "radio", "button", "text", "textarea",
    "checkbox", "select", "select-multiple", "play", "upload", "colorpicker", "datepicker"))


# --------------------------------------------------------------------------- the registry

@dataclass(frozen=True)
class Step:
    """One learner action on an explorer and the visible text it must produce (see the module doc)."""

    control: str
    expect: Mapping[str, str] = field(default_factory=dict)
    press: tuple[str, ...] | str = ()
    to: str | None = None
    explorer: int = 0

    def __post_init__(self):
        if isinstance(self.press, str):
            object.__setattr__(self, "press", (self.press,))
        if not self.expect:
            raise ValueError(f"Step({self.control!r}) expects nothing: give expect={{'css-class': 'text'}}")
        if self.press and self.to is not None:
            raise ValueError(f"Step({self.control!r}): give either press= or to=, not both")

    def __str__(self):
        how = f"press {'+'.join(self.press)}" if self.press else f"set to {self.to!r}" if self.to is not None else "click"
        return f"{how} on {self.control!r} (explorer {self.explorer})"


EXPLORER_CHECKS: dict[str, list[Step]] = {
    # "<notebook file name>": [Step("<control label>", to=... or press=..., expect={"<css class>": "<text>"}), ...],
    "7.2-convolution-layer.ipynb": [
        # the book's 4x4 input and 3x3 filter: padding 0 -> 1 makes the output 4x4 (그림 7-6)
        Step("패딩 P (padding)", to="1", expect={"cnnlib-conv-formula": "(4 + 2·1 − 3)/1 + 1 = 3 + 1 = 4",
                                                 "cnnlib-conv-shapes": "(N, FN, OH, OW) = (1, 1, 4, 4)"}),
        # stride 2 then leaves a remainder: the explanation appears instead of a traceback
        Step("스트라이드 S (stride)", to="2", expect={"cnnlib-conv-explanation": "정수가 아닙니다",
                                                   "cnnlib-conv-formula": "3/2 + 1"}),
    ],
    "7.3-pooling-layer.ipynb": [
        # the book's 그림 7-14: average pooling of the first window is (1 + 2 + 0 + 1)/4 = 1
        Step("방법 (method)", to="평균 (average)", expect={"cnnlib-pool-detail": "(1 + 2 + 0 + 1) / 4 = 4/4 = 1"}),
        # a 5x5 input with 2x2 windows and stride 2 leaves a remainder: explained, not a traceback
        Step("입력 높이 H", to="5", expect={"cnnlib-pool-explanation": "정수가 아닙니다",
                                          "cnnlib-pool-formula": "3/2 + 1"}),
    ],
    "7.4-implementing-conv-pooling.ipynb": [
        # two 4x4 samples, 3x3 filter: padding 1 makes 2·4·4 = 32 rows, each pixel copied 9 times on average
        Step("패딩 P (padding)", to="1", expect={"cnnlib-im2col-shapes": "(2·4·4, 1·3·3) = (32, 9)",
                                                 "cnnlib-im2col-memory": "입력의 9.00배"}),
        # picking output row 2 selects im2col row r = 0·16 + 2·4 + 0 = 8
        Step("출력 행 oy", to="2", expect={"cnnlib-im2col-matrix": "im2col의 행 r = 8"}),
        # the backward view: dout → dcol → col2im
        Step("보기 (view)", to="합성곱 역전파 (conv backward)", expect={"cnnlib-im2col-matrix": "dcol = dout @ col_W.T"}),
        # stride 2 leaves a remainder: explained, drawn in floor mode
        Step("스트라이드 S (stride)", to="2", expect={"cnnlib-im2col-explanation": "정수가 아닙니다",
                                                   "cnnlib-im2col-formula": "3/2 + 1"}),
    ],
    "7.6-cnn-visualization.ipynb": [
        # test image 1 of MNIST is a 2; the summary and the probability rows follow the slider
        Step("이미지 번호 (image)", to="1", expect={"cnnlib-featuremap-summary": "정답 (label) 2"}),
        # filter 0 -> 1: the summary and the filter grid's title name the new filter
        Step("필터 번호 (filter)", to="1", expect={"cnnlib-featuremap-summary": "필터 (filter) 1 (30개 중)",
                                                 "cnnlib-featuremap-maps": "W1[1]"}),
        # the weights before training
        Step("가중치 (weights)", to="학습 전 (initial)",
             expect={"cnnlib-featuremap-summary": "가중치 (weights): 학습 전 (initial)"}),
    ],
    "7.7-representative-cnns.ipynb": [
        # the paper's 224: conv1's (224 − 11)/4 + 1 leaves a remainder, explained where the table stops
        Step("입력 크기 (input size)", to="224", expect={"cnnlib-alexnet-explanation": "213 ÷ 4의 나머지(remainder)는 1",
                                                       "cnnlib-alexnet-table": "✗ 정수가 아님"}),
        # 259 passes every layer: pool5 is 7x7, so fc6 holds 256·7·7·4096 + 4096 parameters
        Step("입력 크기 (input size)", to="259", expect={"cnnlib-alexnet-table": "51,384,320"}),
        # the paper's batch of 128 images
        Step("배치 크기 (batch)", to="128", expect={"cnnlib-alexnet-summary": "× 128장"}),
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


def write_notebook(path: Path, sources: list[str]) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


# --------------------------------------------------------------------------- JupyterLab

# User settings of the temporary JupyterLab (JSON5 files in its user-settings folder).
LAB_SETTINGS = {
    # Attach every cell to the DOM (JupyterLab 4 otherwise renders only what is in view).
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    # No "Would you like to receive official Jupyter news?" pop-up, no update check.
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    # Never write the executed copies back (they are copies, but keep the run side-effect free).
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A JupyterLab server on a free loopback port with its own temporary settings, workspaces,
    runtime and config folders; :meth:`stop` ends it and every kernel it started."""

    def __init__(self, workdir: Path):
        self.root = workdir / "root"
        self.marker = uuid.uuid4().hex  # in the environment of the server and of every kernel it starts
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "jupyterlab.log"
        dirs = {name: workdir / name for name in ("settings", "workspaces", "runtime", "config", "data", "ipython")}
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True)
        for plugin, values in LAB_SETTINGS.items():
            path = dirs["settings"] / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = dict(os.environ)
        env.update({
            # Isolated from the user's Jupyter setup: e.g. a user-level "python3" kernelspec pointing
            # to another Python. The venv's own kernel and lab extensions are found via sys.prefix.
            "JUPYTER_CONFIG_DIR": str(dirs["config"]), "JUPYTER_DATA_DIR": str(dirs["data"]),
            "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]), "IPYTHONDIR": str(dirs["ipython"]),
            "CNNLIB_BROWSER_TEST": self.marker,
        })
        cmd = [
            sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            # No token; no XSRF check either, so shutdown_kernels() can DELETE without a browser cookie.
            "--IdentityProvider.token=", "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={self.root}",
            f"--LabApp.user_settings_dir={dirs['settings']}", f"--LabApp.workspaces_dir={dirs['workspaces']}",
            "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: commands, notebook model, kernel status
            "--LabApp.extension_manager=readonly",  # no PyPI queries
            "--ServerApp.terminals_enabled=False",
        ]
        self._log = open(self.log_path, "w")
        # Own process group, so stop() reaches the server and anything it spawned in its group.
        self.proc = subprocess.Popen(cmd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True,
                                     preexec_fn=_terminate_with_parent if sys.platform == "linux" else None)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + LAB_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"JupyterLab did not answer within {LAB_START_TIMEOUT} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def _api(self, method: str, path: str):
        req = urllib.request.Request(f"{self.url}{path}", method=method)
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every session and kernel (between notebooks: each starts from a fresh kernel)."""
        for session in self._api("GET", "/api/sessions"):
            self._api("DELETE", f"/api/sessions/{session['id']}")
        for kernel in self._api("GET", "/api/kernels"):
            self._api("DELETE", f"/api/kernels/{kernel['id']}")

    def stop(self) -> None:
        try:
            if self.proc.poll() is None:
                self.shutdown_kernels()
        except Exception:  # noqa: BLE001 - stopping must go on whatever state the server is in
            pass
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            if self.proc.poll() is not None:
                break
            try:
                os.killpg(self.proc.pid, sig)  # the server and its process group
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                pass
        # Kernels run in their own sessions (jupyter_client starts them so); they normally end with the
        # server. Anything still carrying this server's marker is ended here.
        _kill_marked_processes(self.marker)
        self._log.close()


def _terminate_with_parent() -> None:
    """In the server's process, before exec (Linux): SIGTERM it if pytest dies without its finalizers
    (killed, or a CI timeout); the server then shuts its kernels down, and kernels also exit by
    themselves when their server is gone."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _kill_marked_processes(marker: str) -> None:
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: the server's own shutdown and the kernels' parent check remain
        return
    needle = f"CNNLIB_BROWSER_TEST={marker}".encode()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGKILL)
        except OSError:  # gone meanwhile, or not ours to read
            continue


# --------------------------------------------------------------------------- fixtures

def _browser_unavailable(reason: str):
    if os.environ.get(REQUIRE_BROWSER) == "1":
        pytest.fail(f"{reason} ({REQUIRE_BROWSER}=1: the browser test must run here)", pytrace=False)
    pytest.skip(f"{reason}; the browser test needs it (see tests/test_browser.py)")


def _find_chromium(playwright) -> str | None:
    candidates = [os.environ.get("CNNLIB_CHROMIUM"), "/usr/bin/chromium",
                  shutil.which("chromium"), shutil.which("chromium-browser"), shutil.which("google-chrome"),
                  "/Applications/Chromium.app/Contents/MacOS/Chromium",
                  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    bundled = playwright.chromium.executable_path  # `python -m playwright install chromium`
    return bundled if bundled and os.access(bundled, os.X_OK) else None


@pytest.fixture(scope="module")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable("the Python package 'playwright' is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        executable = _find_chromium(p)
        if executable is None:
            _browser_unavailable("no Chromium found (apt-get install chromium, or set CNNLIB_CHROMIUM)")
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def lab(chromium, tmp_path_factory):
    """JupyterLab serving copies of notebooks/ (at notebooks/) and the harness notebooks (at harness/)."""
    workdir = tmp_path_factory.mktemp("jupyterlab")
    server = Lab(workdir)
    try:
        shutil.copytree(NOTEBOOK_DIR, server.root / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        write_notebook(server.root / "harness" / "selftest-good.ipynb", SELFTEST_GOOD)
        write_notebook(server.root / "harness" / "selftest-broken.ipynb", SELFTEST_BROKEN)
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture
def learner(chromium, lab):
    """A fresh browser page; collects console errors and uncaught page errors while it lives."""
    context = chromium.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    problems: list[str] = []

    def on_console(msg):
        source = (msg.location or {}).get("url", "")
        if any(re.search(pattern, msg.text) for pattern in HARMLESS_CONSOLE_ERRORS):
            return
        if msg.type == "error" or (msg.type == "warning" and "@jupyter-widgets" in source):
            problems.append(f"browser console {msg.type}: {msg.text.splitlines()[0] if msg.text else ''}"
                            f"{f' ({source})' if source else ''}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught page error: {error}"))
    try:
        yield Learner(page, lab, problems)
    finally:
        context.close()
        lab.shutdown_kernels()


# --------------------------------------------------------------------------- driving a notebook

# JavaScript run in the page: the state of the open notebook at `path`, from JupyterLab's own model.
NOTEBOOK_STATE_JS = """(path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  const panel = [...app.shell.widgets('main')].find(w => w.context && w.context.path === path);
  if (!panel || !panel.context.isReady) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const state = {id: panel.id, kernel: kernel ? kernel.status : 'none', codeCells: 0, running: [], unrun: [],
                 errors: [], widgetOutputs: 0, renderedWidgets: 0, displayErrors: []};
  const cells = panel.content.model.cells;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    if (cell.executionState === 'running') state.running.push(i + 1);
    if (!cell.sharedModel.getSource().trim()) continue;  // JupyterLab does not run empty cells
    state.codeCells++;
    if (cell.executionCount === null) state.unrun.push(i + 1);
    const tags = cell.getMetadata('tags') || [];
    for (const out of cell.outputs.toJSON()) {
      if (out.output_type === 'error' && !tags.includes('raises-exception'))
        state.errors.push(`cell ${i + 1}: ${out.ename}: ${out.evalue}`);
      if (out.data && out.data['application/vnd.jupyter.widget-view+json']) state.widgetOutputs++;
    }
  }
  const top = panel.node.querySelectorAll('.jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output');
  for (const out of top) {
    // A widget view is a Lumino widget inside the output (text, images and HTML are not).
    if (out.classList.contains('jupyter-widgets') || out.querySelector(':scope > .lm-Widget')) state.renderedWidgets++;
  }
  for (const out of panel.node.querySelectorAll('.jp-OutputArea-output')) {
    if (out.textContent.includes('Error displaying widget')) state.displayErrors.push(out.textContent.trim().slice(0, 200));
  }
  return state;
}"""


class Learner:
    """What a learner does in JupyterLab, plus the problems seen on the way."""

    def __init__(self, page, lab: Lab, problems: list[str]):
        self.page, self.lab, self.problems = page, lab, problems
        self.path = None

    def state(self):
        return self.page.evaluate(NOTEBOOK_STATE_JS, self.path)

    def _wait(self, what: str, done, timeout: float):
        deadline, state = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            state = self.state()
            if state is not None and done(state):
                return state
            time.sleep(0.25)
        raise AssertionError(f"{self.path}: {what} not within {timeout:.0f} s; last state: {state}\n"
                             f"problems so far: {self.problems}")

    def open(self, path: str) -> None:
        """Open `path` (relative to the server root) in a fresh workspace and wait for an idle kernel."""
        self.path = path
        self.page.goto(f"{self.lab.url}/lab/workspaces/{uuid.uuid4().hex}/tree/{quote(path)}?reset")
        self._wait("notebook open with an idle kernel", lambda s: s["kernel"] == "idle", OPEN_TIMEOUT)
        self.page.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # the notebook gets the width

    @property
    def panel(self):
        return self.page.locator(f'[id="{self.state()["id"]}"]')

    def run_all(self) -> dict:
        """Clear every output and run all cells (as Run > Run All Cells); wait until done and rendered."""
        # Commands are fired, not awaited: awaiting them inside page.evaluate can hang. Seeing every cell
        # cleared first proves the execution counts waited for below come from this run, not from the file.
        self._command("notebook:clear-all-cell-outputs")
        self._wait("all outputs cleared",
                   lambda s: s["widgetOutputs"] == 0 and not s["errors"] and len(s["unrun"]) == s["codeCells"],
                   RENDER_TIMEOUT)
        self._command("notebook:run-all-cells")
        state = self._wait(
            "all cells run and kernel idle",
            lambda s: s["kernel"] == "idle" and not s["running"] and (not s["unrun"] or s["errors"]),
            RUN_TIMEOUT)
        try:
            state = self._wait("every widget output rendered",
                               lambda s: s["renderedWidgets"] >= s["widgetOutputs"], RENDER_TIMEOUT)
        except AssertionError:
            pass  # reported by notebook_problems()
        return state

    def _command(self, command: str) -> None:
        self.page.evaluate("""([path, command]) => {
          const app = window.jupyterapp;
          const panel = [...app.shell.widgets('main')].find(w => w.context && w.context.path === path);
          app.shell.activateById(panel.id);
          app.commands.execute(command);
        }""", [self.path, command])

    def wait_idle(self) -> None:
        time.sleep(0.3)  # let a just-sent widget update reach the kernel
        self._wait("kernel idle", lambda s: s["kernel"] == "idle", RUN_TIMEOUT)

    def notebook_problems(self) -> list[str]:
        s = self.state()
        found = [f"error output in {e}" for e in s["errors"]]
        if s["unrun"] and not s["errors"]:
            found.append(f"code cells that did not run: {s['unrun']}")
        found += [f"'Error displaying widget' shown: {text!r}" for text in s["displayErrors"]]
        if s["renderedWidgets"] < s["widgetOutputs"]:
            found.append(f"only {s['renderedWidgets']} of {s['widgetOutputs']} widget outputs rendered as widgets "
                         "(the rest show as plain text: is the widget manager extension loaded?)")
        return found

    def log_console_errors(self) -> list[str]:
        """Errors from widget callbacks: JupyterLab logs kernel output of comm messages to the Log Console."""
        self.page.evaluate("() => { window.jupyterapp.commands.execute('logconsole:open'); }")
        self.page.locator(".jp-LogConsole").first.wait_for(state="attached", timeout=10_000)
        # Wait until the console shows as many entries as the status bar counts ("3 log entries for ...").
        self.page.wait_for_function("""() => {
          const item = document.querySelector('.jp-LogConsoleStatusItem [title]');
          const match = item && item.getAttribute('title').match(/(\\d+) log entr/);
          const logged = match ? Number(match[1]) : 0;
          return document.querySelectorAll('.jp-LogConsole .jp-OutputArea-child').length >= logged;
        }""", polling=100, timeout=10_000)
        return self.page.evaluate("""() => [...document.querySelectorAll('.jp-LogConsole .jp-OutputArea-child')]
          .filter(child => ['error', 'critical'].includes(
              child.querySelector('[data-log-level]')?.getAttribute('data-log-level')))
          .map(child => 'widget callback error (Log Console): ' +
              child.querySelector('.jp-OutputArea-output').innerText.trim().split('\\n').slice(-1)[0])""")

    def explorers(self):
        """Output areas of the cells that show widgets, top to bottom."""
        return self.panel.locator(".jp-Cell-outputArea").filter(
            has=self.page.locator(".jp-OutputArea-output > .lm-Widget"))

    def has_controls(self) -> bool:
        return self.panel.locator(INTERACTIVE).count() > 0

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        explorers = self.explorers()
        if explorers.count():
            explorers.first.screenshot(path=str(path))
        else:  # the notebook's top
            self.panel.evaluate("panel => panel.querySelectorAll('.jp-WindowedPanel-outer')"
                                ".forEach(scroller => { scroller.scrollTop = 0; })")
            self.page.screenshot(path=str(path))
        return path

    def do(self, step: Step, timeout_ms: int = STEP_TIMEOUT_MS) -> None:
        """Perform one Step and assert its expected texts appear (and were not shown before)."""
        from playwright.sync_api import expect

        explorers = self.explorers()
        if step.explorer >= explorers.count():
            raise AssertionError(f"{step}: the notebook shows only {explorers.count()} explorer(s)")
        root = explorers.nth(step.explorer)
        outputs = {}
        for css_class, text in step.expect.items():
            out = root.locator(f".{css_class}")
            if out.count() != 1:
                raise AssertionError(f"{step}: expected one element with class {css_class!r} in the explorer, "
                                     f"found {out.count()}")
            before = out.inner_text()
            if text in before:
                raise AssertionError(f"{step}: .{css_class} already shows {text!r} before the step "
                                     f"({before!r}), so the step would prove nothing")
            outputs[css_class] = out
        self._act(root, step)
        self.wait_idle()
        for css_class, text in step.expect.items():
            try:
                expect(outputs[css_class]).to_contain_text(text, timeout=timeout_ms)
            except AssertionError:
                raise AssertionError(f"{step}: .{css_class} shows {outputs[css_class].inner_text()!r}, "
                                     f"expected it to contain {text!r}") from None

    def _act(self, root, step: Step) -> None:
        control = _find_control(root, step.control)
        kind = control.get_attribute("class") or ""
        if "widget-slider" in kind:
            target = control.locator(".noUi-handle").first
        elif "widget-dropdown" in kind or "widget-select" in kind:
            target = control.locator("select")
        elif "widget-checkbox" in kind:
            target = control.locator("input")
        elif control.locator("input, textarea").count() == 1:
            target = control.locator("input, textarea")
        else:
            target = control
        if step.press:
            target.focus()
            for key in step.press:
                self.page.keyboard.press(key)
        elif step.to is None:
            target.click()
        elif "widget-slider" in kind:
            _slide_to(self.page, control, target, step)
        elif "widget-dropdown" in kind or "widget-select" in kind:
            target.select_option(label=step.to)
        elif "widget-toggle-buttons" in kind or "widget-radio" in kind:
            option = control.locator("button, label").filter(has_text=_exactly(step.to))
            if option.count() != 1:
                raise AssertionError(f"{step}: no single option labelled {step.to!r}")
            option.click()
        elif target is not control:  # a text box
            target.fill(step.to)
            target.press("Enter")
        else:
            raise AssertionError(f"{step}: do not know how to set a control of class {kind!r}; use press=")


def _exactly(text: str):
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def _find_control(root, label: str):
    """The widget whose description label reads `label` (a button: its text), inside `root`."""
    page = root.page
    labelled = root.locator(".lm-Widget").filter(
        has=page.locator(":scope > label.widget-label, :scope > label.widget-label-basic", has_text=_exactly(label)))
    buttons = root.locator("button.widget-button, button.widget-toggle-button").filter(has_text=_exactly(label))
    checkboxes = root.locator(".widget-checkbox").filter(
        has=page.locator("label.widget-label-basic", has_text=_exactly(label)))
    found = labelled.or_(buttons).or_(checkboxes)
    if found.count() != 1:
        names = root.locator("label.widget-label, label.widget-label-basic, button").all_inner_texts()
        raise AssertionError(f"expected one control labelled {label!r} in the explorer, found {found.count()}; "
                             f"labels shown: {[n for n in names if n.strip()]}")
    return found


def _slide_to(page, control, handle, step: Step, max_presses: int = 500) -> None:
    """Move a slider with the arrow keys, as a learner would, until its readout shows step.to."""
    readout = control.locator(".widget-readout")
    handle.focus()
    key = None
    for _ in range(max_presses):
        shown = readout.inner_text().strip()
        if shown == step.to:
            return
        if key is None:
            try:
                key = "ArrowRight" if float(step.to) > float(shown) else "ArrowLeft"
            except ValueError:  # a selection slider: try to the right first
                key = "ArrowRight"
        page.keyboard.press(key)
        deadline = time.monotonic() + 2
        while readout.inner_text().strip() == shown and time.monotonic() < deadline:
            time.sleep(0.02)
        if readout.inner_text().strip() == shown:  # at the end of the track
            if key == "ArrowRight" and not _is_number(step.to):
                key = "ArrowLeft"
                continue
            break
    raise AssertionError(f"{step}: the slider's readout stays at {readout.inner_text().strip()!r}")


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


# --------------------------------------------------------------------------- tests without a browser

def test_explorer_checks_name_existing_notebooks():
    unknown = sorted(set(EXPLORER_CHECKS) - set(NOTEBOOKS))
    assert not unknown, f"EXPLORER_CHECKS names notebooks that are not in notebooks/: {unknown}"


def test_a_step_must_expect_something():
    with pytest.raises(ValueError, match="expects nothing"):
        Step("padding", to="1")
    with pytest.raises(ValueError, match="either press= or to="):
        Step("padding", to="1", press="ArrowRight", expect={"cnn-shape": "4"})


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
    for step in steps:
        learner.do(step)
    problems = learner.log_console_errors() + learner.notebook_problems() + learner.problems
    assert not problems, f"{notebook} after its explorer checks:\n" + "\n".join(problems)
