"""The live view's update messages (cnnlib/explorers/live.py): what the kernel sends after a view has asked
for the parts, checked by a front end written here in Python that rebuilds each part the way the
widget's JavaScript does (the browser test compares the real DOM with the kernel's HTML)."""

from __future__ import annotations

import random
import re

import pytest

from cnnlib.explorers import ConvExplorer, Im2colExplorer
from cnnlib.explorers.live import row_delta, table_rows

from test_explorer_walk import EXPLORERS, next_value

KEPT = re.compile(r'<tr data-same="(\d+)"></tr>')


class FrontEnd:
    """One view: the parts it shows and the version it is at; applies messages like the JavaScript."""

    def __init__(self, live_view):
        self.parts, self.version, self.messages = dict(live_view.first), None, []
        live_view.send = self.receive        # the kernel's messages come here
        live_view._message(live_view, {"event": "full"}, [])  # a view opened: it asks for every part

    def receive(self, msg, buffers=None):
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


def test_before_a_view_asks_the_parts_travel_with_the_state():
    ex = ConvExplorer()
    view = ex.widget.children[-1]
    sent = []
    view.send = lambda msg, buffers=None: sent.append(msg)
    ex.controls["position"].value = 1
    assert sent == [] and view.first == ex.live_html(ex.settings())
    front = FrontEnd(view)
    assert front.parts == ex.live_html(ex.settings()) and front.messages[0]["base"] is None
    ex.controls["position"].value = 2
    assert len(front.messages) == 2 and front.messages[1]["base"] == 0
    assert view.first["inputs"] != ex.live_html(ex.settings())["inputs"]   # no longer synced: messages instead
    ex.controls["position"].value = 2                                       # nothing changed: nothing sent
    assert len(front.messages) == 2


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_a_view_rebuilt_from_the_messages_shows_the_kernels_parts(name):
    ex = EXPLORERS[name]()
    ex.widget
    front = FrontEnd(ex.live_view)
    rng = random.Random(f"live-{name}")
    sent = whole = 0
    for _ in range(150):
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
