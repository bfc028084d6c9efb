"""The machinery of the browser test (tests/test_browser.py): a JupyterLab server of its own, headless
Chromium driven by Playwright, and a :class:`Learner` that opens a notebook, runs it, moves controls as a
learner would (:class:`Step`) and reports what went wrong. Nothing here knows a particular notebook.

Fixtures (import them into a test module): ``chromium`` (one browser per module) and ``learner`` (a fresh
page; needs a ``lab`` fixture, see :func:`start_lab`).
"""

from __future__ import annotations

import json
import os
import re
import secrets
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


def skip_like_nbval(folder: Path) -> None:
    """In the copies of the notebooks under ``folder``, turn each code cell that nbval skips (its first line
    is ``# NBVAL_SKIP``, e.g. 7.5's full training run of several minutes) into a markdown note, so the
    browser runs exactly what nbval runs."""
    for path in folder.glob("*.ipynb"):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code" and "".join(cell["source"]).lstrip().startswith("# NBVAL_SKIP"):
                cell.update(cell_type="markdown", source=["(skipped in the browser test, as by nbval)"])
                for key in ("outputs", "execution_count"):
                    cell.pop(key, None)
        path.write_text(json.dumps(nb))
RENDER_TIMEOUT = 30  # s: widget views appear after their outputs arrived
STEP_TIMEOUT_MS = 15_000  # expected text after a step

# Regular expressions of browser console errors known to be harmless here, each with its reason.
# None so far: JupyterLab 4.6 with ipywidgets 8.1 logs no console error on a working notebook.
HARMLESS_CONSOLE_ERRORS: tuple[str, ...] = ()

INTERACTIVE = ", ".join(f".widget-{kind}" for kind in (
    "slider", "dropdown", "toggle-buttons", "toggle-button", "radio", "button", "text", "textarea",
    "checkbox", "select", "select-multiple", "play", "upload", "colorpicker", "datepicker"))


# --------------------------------------------------------------------------- a learner's action

@dataclass(frozen=True)
class Step:
    """One learner action on an explorer and the visible text it must produce (see the module doc)."""

    control: str = ""
    expect: Mapping[str, str] = field(default_factory=dict)
    press: tuple[str, ...] | str = ()
    to: str | None = None
    type: str | None = None     # typed into the number box beside a slider
    click: str | None = None    # a CSS selector inside the explorer: that element is clicked (a grid cell)
    hover: str | None = None    # ... or the pointer rests on it
    explorer: int = 0

    def __post_init__(self):
        if isinstance(self.press, str):
            object.__setattr__(self, "press", (self.press,))
        if not self.expect:
            raise ValueError(f"Step({self.control or self.click!r}) expects nothing: give expect={{'css-class': 'text'}}")
        if sum(bool(x) for x in (self.press, self.to is not None, self.type is not None, self.click, self.hover)) > 1:
            raise ValueError(f"Step({self.control!r}): give either press= or to=, not both (nor type=/click=/hover=)")
        if not self.control and not self.click and not self.hover:
            raise ValueError("a Step names a control, or a cell to click (click=) or hover over (hover=)")

    def __str__(self):
        if self.click or self.hover:
            return f"{'click' if self.click else 'hover over'} {self.click or self.hover!r} (explorer {self.explorer})"
        how = (f"press {'+'.join(self.press)}" if self.press else f"set to {self.to!r}" if self.to is not None
               else f"type {self.type!r}" if self.type is not None else "click")
        return f"{how} on {self.control!r} (explorer {self.explorer})"


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
    # Every cell in the DOM ('full' and 'defer' attach only what is in view), painted as a learner's JupyterLab
    # paints it: 'contentVisibility', the default, skips rendering the cells out of view (with 'none' every
    # repaint of an explorer also lays out the whole notebook, and its timings are a worst case no learner sees).
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "contentVisibility"},
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
        # Only who knows the token may use the server (another local user could otherwise run code on this
        # machine while the suite runs); XSRF checks stay on. The harness's API calls send the token.
        self.token = secrets.token_hex(24)
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
            # The token goes by the environment, which only this user can read; a command line (ps) anyone can.
            "JUPYTER_TOKEN": self.token,
        })
        cmd = [
            sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.root}",
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
                with urllib.request.urlopen(self._request("GET", "/api/status"), timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"JupyterLab did not answer within {LAB_START_TIMEOUT} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def _request(self, method: str, path: str) -> urllib.request.Request:
        """A request the server accepts: token-authenticated (which also satisfies its XSRF check)."""
        return urllib.request.Request(f"{self.url}{path}", method=method,
                                      headers={"Authorization": f"token {self.token}"})

    def _api(self, method: str, path: str):
        with urllib.request.urlopen(self._request(method, path), timeout=10) as r:
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
    learner = Learner(page, lab, problems)

    def count(payload):  # bytes the server sent over WebSockets (kernel messages): see browser_screen
        learner.ws_bytes += len(payload)

    page.on("websocket", lambda ws: ws.on("framereceived", count))
    try:
        yield learner
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
        self.ws_bytes = 0  # bytes received over the page's WebSockets so far

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
        self.page.goto(f"{self.lab.url}/lab/workspaces/{uuid.uuid4().hex}/tree/{quote(path)}?reset"
                       f"&token={self.lab.token}")  # logs the page in (a cookie); XSRF as for any browser
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
            out = root.locator(f".jupyter-widgets .{css_class}")   # in the live widget, not a static copy
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
        if step.click or step.hover:
            cell = root.locator(step.click or step.hover)
            if cell.count() < 1:
                raise AssertionError(f"{step}: nothing matches {step.click or step.hover!r} in the explorer")
            if step.click:
                cell.first.click()
            else:
                cell.first.hover()
                time.sleep(0.4)   # the explorer acts on a pointer that rests 150 ms
            self.wait_idle()
            self.page.mouse.move(1, 1)   # then away, as a learner's hand goes back to the controls
            return
        control = _find_control(root, step.control)
        if step.type is not None:
            box = _number_box(control)
            box.fill(step.type)
            box.press("Enter")
            return
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


def _number_box(control):
    """The number box beside a slider (cnnlib's explorers), or fail."""
    box = control.locator("xpath=..").locator(".widget-text input")
    if box.count() != 1:
        raise AssertionError("the slider has no number box beside it")
    return box


class _BoxReadout:
    """A slider's number box read like its readout."""

    def __init__(self, box):
        self.box = box

    def inner_text(self) -> str:
        return self.box.input_value()


def _slide_to(page, control, handle, step: Step, max_presses: int = 500) -> None:
    """Move a slider with the arrow keys, as a learner would, until its readout (or the number box beside
    it) shows step.to."""
    readout = control.locator(".widget-readout")
    if not readout.is_visible():
        readout = _BoxReadout(_number_box(control))
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


