"""The live view's messages (cnnlib/explorers/live.py): what the kernel sends after a view has asked for the
parts, checked by a front end written here in Python that rebuilds each part the way the widget's
JavaScript does (the browser test compares the real DOM with the kernel's HTML); one picture in flight at
a time; clicks on a replaced picture ignored; the code sent in a message, not stored in the widget's state."""

from __future__ import annotations

import random
import re

import pytest

from cnnlib.explorers import ConvExplorer, Im2colExplorer
from cnnlib.explorers import live
from cnnlib.explorers.live import live_code, row_delta, table_rows

from test_explorer_walk import EXPLORERS, next_value

KEPT = re.compile(r'<tr data-same="(\d+)"></tr>')


class FrontEnd:
    """One view: the parts it shows and the version it is at; applies messages like the JavaScript and,
    unless ``paints=False``, says it painted each one at once."""

    def __init__(self, live_view, paints=True):
        self.view, self.paints = live_view, paints
        self.parts, self.version, self.messages = {}, None, []
        live_view.send = self.receive        # the kernel's messages come here
        live_view._message(live_view, {"event": "full"}, [])  # a view opened: it asks for every part

    def receive(self, msg, buffers=None):
        if msg["event"] == "code":
            return
        self.messages.append(msg)
        assert msg["event"] == "parts"
        if msg["base"] is None:
            assert not any(KEPT.search(html) for html in msg["parts"].values())
            self.parts.update(msg["parts"])
        else:
            assert msg["base"] == self.version and msg["version"] == self.version + 1
            for name, html in msg["parts"].items():
                shown = table_rows(self.parts[name])
                assert msg["rows"][name] == len(shown)   # what the view checks before it uses the rows
                self.parts[name] = KEPT.sub(lambda m: shown[int(m.group(1))], html)
        self.version = msg["version"]
        if self.paints:
            self.painted()

    def painted(self):
        self.view._message(self.view, {"event": "painted", "version": self.version}, [])


def test_rows_a_view_shows_are_sent_as_references():
    old = ['<tr><td class="is-window">1</td><td>2</td></tr>', "<tr><td>3</td><td>4</td></tr>",
           "<tr><td>3</td><td>4</td></tr>"]
    new = "<table>" + "<tr><td>1</td><td>2</td></tr>" + old[1] + old[1] + old[0] + "</table><tr><td>9</td></tr>"
    delta, rows = row_delta(new, old)
    # a changed row is sent; a row at the same place is that row; one that moved is the first equal one
    assert delta == ('<table><tr><td>1</td><td>2</td></tr><tr data-same="1"></tr><tr data-same="2"></tr>'
                     '<tr data-same="0"></tr></table><tr><td>9</td></tr>')
    assert rows == table_rows(new) and len(rows) == 5          # what the view shows after the update
    assert row_delta("<tr><td>1</td></tr>", ["<tr><td>1</td></tr>"])[0] == "<tr><td>1</td></tr>"  # shorter as it is
    assert row_delta(new, []) == (new, rows)
    # a part whose rows hold tables is always sent whole (its rows would not match the DOM's)
    assert table_rows("<table><tr><td><table><tr><td>1</td></tr></table></td></tr></table>") == []


def test_the_widget_state_holds_no_code_and_no_pictures():
    """A saved notebook stores the widget's state: a small loader, not the ~22 kB of JavaScript and CSS, and
    no HTML parts (the static copy beside the widget is what shows without a kernel)."""
    ex = ConvExplorer()
    view = ex.widget.children[-1]
    state = view.get_state()
    assert "_css" not in state and len(state["_esm"]) < 2000 and "event: \"code\"" in state["_esm"]
    assert not any("<table" in str(v) for v in state.values())
    code = []
    view.send = lambda msg, buffers=None: code.append(msg)
    view._message(view, {"event": "code"}, [])
    assert code == [{"event": "code", **live_code()}]
    assert "function render" in code[0]["esm"] and ".cnnlib-live .cnnlib-grid td" in code[0]["css"]
    assert ".cnnlib-explorer > .cnnlib-bar" in code[0]["css"] and len(code[0]["esm"]) + len(code[0]["css"]) > 15000


def test_before_a_view_asks_nothing_is_sent():
    ex = ConvExplorer()
    view = ex.widget.children[-1]
    sent = []
    view.send = lambda msg, buffers=None: sent.append(msg)
    ex.controls["position"].value = 1
    assert sent == [] and view.parts() == ex.live_html(ex.settings())
    front = FrontEnd(view)
    assert front.parts == ex.live_html(ex.settings()) and front.messages[0]["base"] is None
    ex.controls["position"].value = 2
    assert len(front.messages) == 2 and front.messages[1]["base"] == 0
    ex.controls["position"].value = 2                                       # nothing changed: nothing sent
    assert len(front.messages) == 2


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_a_view_rebuilt_from_the_messages_shows_the_kernels_parts(name):
    ex = EXPLORERS[name]()
    ex.widget
    front = FrontEnd(ex.live_view)
    rng = random.Random(f"live-{name}")
    sent = whole = 0
    for _ in range(80):
        enabled = [w for w in ex.controls.values() if not w.disabled]
        w = rng.choice(enabled)
        w.value = next_value(rng, w)
        assert front.parts == ex.live_html(ex.settings())
        if front.messages[-1]["base"] is not None:
            sent += sum(len(h) for h in front.messages[-1]["parts"].values())
            whole += sum(len(ex.live_view.part(p)) for p in front.messages[-1]["parts"])
    assert sent < whole


@pytest.mark.parametrize("cls, settings, most", [
    (ConvExplorer, {"H": 12, "W": 12, "pad": 3, "C": 3, "FN": 3, "N": 3}, 0.4),
    (Im2colExplorer, {"mode": "conv", "N": 3, "C": 3, "H": 12, "W": 12, "pad": 3, "FN": 3}, 0.4),
])
def test_moving_the_window_resends_a_few_rows(cls, settings, most):
    ex = cls()
    ex.set(**settings)
    front = FrontEnd(ex.live_view)
    position = ex.controls["position"]
    for _ in range(10):
        position.value += 1
        msg = front.messages[-1]
        sent = sum(len(h) for h in msg["parts"].values())
        whole = sum(len(ex.live_view.part(p)) for p in msg["parts"])
        assert sent < most * whole, (sent, whole)
    assert front.parts == ex.live_html(ex.settings())


def test_one_picture_in_flight_only_the_newest_state_is_computed(monkeypatch):
    """A drag sends a value per step; while the view has not painted the last picture, the kernel only
    notes that it is out of date. When the view has painted, the newest state is computed once and sent:
    the last value of a drag is drawn as soon as the browser is free, not after every value on the way."""
    ex = ConvExplorer(H=12, W=12)
    ex.widget
    front = FrontEnd(ex.live_view, paints=False)
    computed = []
    real = ex.live_html
    monkeypatch.setattr(ex, "live_html", lambda s=None: computed.append(s) or real(s))
    front.painted()
    for value in range(4, 1, -1):                 # a drag of FH 3 → 4 → 3 → 2 while the first picture paints
        ex.controls["FH"].value = value
        if value == 4:
            assert len(front.messages) == 2       # the first change is drawn at once ...
    assert len(front.messages) == 2 and len(computed) == 1   # ... the rest only marked out of date
    assert ex.live_view._dirty and ex.numbers["FH"].box.value == "2"   # (the controls themselves follow)
    front.painted()                               # the view painted FH = 4: the newest state, once
    assert len(front.messages) == 3 and len(computed) == 2 and computed[-1].FH == 2
    assert front.parts == real(ex.settings()) and front.messages[-1]["values"]["cnnlib-conv-box-FH"] == 2
    front.painted()
    assert len(front.messages) == 3               # nothing new: nothing sent
    # a view that never says it painted (closed) does not stop the updates for long
    ex.controls["FH"].value = 3
    assert len(front.messages) == 4
    ex.controls["FH"].value = 4
    assert len(front.messages) == 4
    monkeypatch.setattr(live.time, "monotonic", lambda: 1e12)
    ex.controls["FH"].value = 5
    assert len(front.messages) == 5 and front.parts == real(ex.settings())


def test_a_click_on_a_replaced_picture_selects_nothing():
    """Clicks carry the version of the picture they were made on: a click on the grids of an older N
    (issue: it raised in the message handler) or on a picture not yet replaced by the newest is ignored."""
    ex = Im2colExplorer(N=3)
    ex.widget
    front = FrontEnd(ex.live_view)
    old = front.version
    ex.set(N=1)
    view = ex.live_view
    view._message(view, {"event": "pick", "grid": "output:2", "row": 0, "col": 1, "how": "click", "version": old}, [])
    assert ex.settings().position == 0 and ex.settings().N == 1
    view._message(view, {"event": "pick", "grid": "output:0", "row": 1, "col": 1, "how": "hover",
                         "version": front.version}, [])
    assert ex.settings().position == 1 * 2 + 1
    # without a version (an older page) a click is not trusted either; nor is select() for a grid of
    # another N, when called directly
    view._message(view, {"event": "pick", "grid": "output:0", "row": 0, "col": 0, "how": "click"}, [])
    assert ex.settings().position == 3
    assert ex.select_cell("output:2", 0, 1) == {} and ex.select_cell("input:2:0", 1, 1) == {}
    assert ex.select_cell("im2col", 99, 0) == {} and ex.settings().position == 3


def test_the_code_files_are_packaged():
    """live.js, live.css and loader.js are read at run time: an installed cnnlib must carry them."""
    import fnmatch
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    data = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    files = sorted(p.name for p in (root / "cnnlib" / "explorers").iterdir() if p.suffix in (".js", ".css"))
    assert {"live.js", "live.css", "loader.js"} <= set(files)
    assert all(any(fnmatch.fnmatch(f, g) for g in data["cnnlib.explorers"]) for f in files)
