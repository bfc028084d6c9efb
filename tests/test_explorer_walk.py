"""A learner's random walk through every explorer.

Seeded random sequences of control changes, each value drawn from the control's *current* range (its
minimum, its maximum — after ranges that depend on other settings have followed — a value inside, or a
value typed past the end, which the number box clamps), Play run to its end, and numbers typed into the
im2col explorer's row pickers. After every change: no exception, dependent ranges agree with the
geometry, the outputs show the current settings, and an invalid setting shows its explanation. The
counts are printed (pytest -s).
"""

from __future__ import annotations

import random
from html.parser import HTMLParser

import numpy as np
import pytest

from cnnlib import SimpleConvNet
from cnnlib.explorers import AlexNetExplorer, ConvExplorer, FeatureMapExplorer, Im2colExplorer, PoolExplorer

from test_explorers import _checks, assert_explanation

STEPS = 200


def feature_map_explorer():
    rng = np.random.default_rng(3)
    net = SimpleConvNet(input_dim=(1, 12, 12), conv_param={"filter_num": 4, "filter_size": 3},
                        hidden_size=5, seed=1)
    return FeatureMapExplorer(network=net, images=rng.random((30, 1, 12, 12)), labels=rng.integers(0, 10, 30),
                              initial_network=SimpleConvNet(input_dim=(1, 12, 12),
                                                            conv_param={"filter_num": 4, "filter_size": 3},
                                                            hidden_size=5, seed=2))


EXPLORERS = {
    "conv": ConvExplorer,
    "pool": PoolExplorer,
    "im2col": Im2colExplorer,
    "alexnet": AlexNetExplorer,
    "featuremap": feature_map_explorer,
}


def geometry_checks(name, s):
    """The size checks of a setting, computed here from the formula (not by the explorer)."""
    if name == "conv":
        return _checks(s.H, s.W, s.FH, s.FW, s.stride, s.pad, s.dilation)
    if name == "pool":
        return _checks(s.H, s.W, s.FH, s.FW, s.stride, s.pad, kind="pool")
    if name == "im2col":
        if s.mode.startswith("pool"):  # the pooling modes use FH x FW as the pooling window
            return _checks(s.H, s.W, s.FH, s.FW, s.stride, s.pad, kind="pool")
        return _checks(s.H, s.W, s.FH, s.FW, s.stride, s.pad)
    return None


def window_count(checks, s, name):
    if not all(c.floor_output_size for c in checks):
        return 0
    count = checks[0].floor_output_size * checks[1].floor_output_size
    return count * s.N if name == "im2col" else count


def next_value(rng, w):
    """What a learner does with one control: its current ends, a value inside, or past the end."""
    if hasattr(w, "options") and not hasattr(w, "min"):
        return rng.choice([v for _, v in w.options])
    kind = rng.random()
    if kind < 0.3:
        return w.min
    if kind < 0.6:
        return w.max
    if kind < 0.9:
        return rng.randint(w.min, w.max)
    return w.max + rng.randint(1, 50)  # typed past the end: the slider clamps it


def assert_state(name, ex, stats):
    s = ex.settings()
    parts = {p: ex.outputs[p].value for p in ex.PARTS}
    assert all(isinstance(v, str) for v in parts.values()) and any(parts.values())
    checks = geometry_checks(name, s)
    if checks is not None:
        count = window_count(checks, s, name)
        pos = ex.controls["position"]
        assert pos.max == max(count - 1, 0) and pos.disabled == (count <= 1)
        assert ex.play.disabled == pos.disabled and 0 <= pos.value <= pos.max
        assert_explanation(parts["explanation"], checks)
        stats["invalid"] += not all(c.valid for c in checks)
        stats["states"].add(s)
    elif name == "alexnet":
        v = ex.view(s)
        stats["invalid"] += v.error is not None
        if v.error is not None:
            assert v.error.layer.name in parts["explanation"] and "✗" in parts["explanation"]
        stats["states"].add(s)
    else:
        stats["states"].add(s)
    if stats["changes"] % 11 == 0:  # the outputs are the pure view of the current settings
        assert parts == ex.live_html(s)


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_random_walk_with_current_ends_play_and_invalid_settings(name):
    ex = EXPLORERS[name]()
    ex.widget
    rng = random.Random(f"walk-{name}")
    stats = {"changes": 0, "invalid": 0, "plays": 0, "states": set()}
    pickers = getattr(ex, "pickers", {})
    for _ in range(STEPS):
        enabled = [w for w in ex.controls.values() if not w.disabled]
        boxes = [p for p in pickers.values() if not p.box.disabled]
        if ex.play is not None and not ex.play.disabled and rng.random() < 0.1:
            play_to_the_end(ex)
            stats["plays"] += 1
        elif boxes and rng.random() < 0.15:
            p = rng.choice(boxes)
            p.box.value = str(rng.randint(-1, p.hi + 2))     # typed, possibly past either end
        else:
            w = rng.choice(enabled)
            w.value = next_value(rng, w)
        stats["changes"] += 1
        assert_state(name, ex, stats)
    print(f"\n{name}: {stats['changes']} changes, {len(stats['states'])} distinct states, "
          f"{stats['invalid']} invalid, {stats['plays']} plays to the end, 0 errors")
    assert len(stats["states"]) > 40


def play_to_the_end(ex):
    """Play as the browser runs it, for its last steps: started, a step each time the view asks, until it
    stops at the end (the window set near the end first: hundreds of steps would only repeat themselves)."""
    ex.play.value = True
    ex.set(position=max(ex.controls["position"].max - 2, ex.controls["position"].value))
    while ex.play.value:
        ex.play_step()
    assert ex.controls["position"].value == ex.controls["position"].max


def test_pool_window_position_reaches_its_end_after_padding_grows_the_range():
    """The reported freeze: 12x12, stride 1, pad 1 gives 13x13 = 169 windows; position 150 and the end
    must work, and so must every later change."""
    ex = PoolExplorer()
    ex.set(H=12, W=12, stride=1, pad=1)
    pos = ex.controls["position"]
    assert pos.max == 168
    ex.set(position=150)
    assert "윈도우 위치 150 (0–168)" in ex.outputs["detail"].value
    play_to_the_end(ex)
    assert "출력 칸 (12, 12)" in ex.outputs["detail"].value
    ex.set(pad=2, FH=1, FW=1)  # the largest range: 16 x 16 windows
    assert pos.max == 255
    ex.set(position=255)
    ex.set(C=3, method="average")
    assert pos.value == 255


def test_numpy_integers_are_whole_numbers():
    assert ConvExplorer(H=np.int64(5)).settings().H == 5
    assert type(PoolExplorer(pad=np.int32(1)).settings().pad) is int
    with pytest.raises(ValueError, match="position must be a whole number from 0 to 3; got 4"):
        ConvExplorer(position=4)  # the book's 4x4 example has 2x2 = 4 window positions


# ---- clicks: what a click on a cell selects (the browser sends (grid, row, col) as computed here) ----------

class _Pickable(HTMLParser):
    """[(grid, row, col)] of every data cell of every table with ``data-pick``: ``row`` is the row's
    ``data-r`` or its index among the rows with data cells, ``col`` the cell's index among them — the way
    the live widget's script reports a click (cnnlib/explorers/live.py)."""

    def __init__(self):
        super().__init__()
        self.cells, self._grid, self._row, self._rows, self._col = [], None, None, 0, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("data-pick"):
            self._grid, self._rows = a["data-pick"], 0
        elif tag == "tr" and self._grid:
            self._row, self._col, self._data_r, self._has_td = self._rows, 0, a.get("data-r"), False
        elif tag == "td" and self._grid:
            row = int(self._data_r) if self._data_r is not None else self._row
            self.cells.append((self._grid, row, self._col))
            self._col += 1
            self._has_td = True

    def handle_endtag(self, tag):
        if tag == "table":
            self._grid = None
        elif tag == "tr" and self._grid and self._has_td:
            self._rows += 1


def pickable(html: str) -> list:
    p = _Pickable()
    p.feed(html)
    return p.cells


def assert_click_selected(name, ex, grid, row, col):
    s = ex.settings()
    kind, *idx = grid.split(":")
    view = ex.view(s)
    if view.geometry.out_hw is None:   # no window fits: a click selects nothing (and breaks nothing)
        return
    if name in ("conv", "pool"):
        geom = view.geometry
        if kind == "output":
            oy, ox = divmod(s.position, geom.out_hw[1])
            assert (oy, ox) == (row, col)
            if name == "conv":
                assert (s.sample, s.filter) == (int(idx[0]), int(idx[1]))
        elif kind == "input":
            oy, ox = divmod(s.position, geom.out_hw[1])
            for i, o, check, count in ((row, oy, geom.h, geom.out_hw[0]), (col, ox, geom.w, geom.out_hw[1])):
                spans = [range(k * check.stride, k * check.stride + check.effective_filter) for k in range(count)]
                if any(i in sp for sp in spans):   # a window reads the clicked cell: the chosen one does
                    assert i in spans[o], (grid, row, col, s)
        elif kind == "filter":
            assert s.filter == int(idx[0])
    elif name == "im2col":
        if kind in ("im2col", "product", "dout-matrix", "dcol"):
            assert s.position == row
        elif kind == "pool-rows":
            assert s.position == row // s.C
        elif kind in ("output", "dout"):
            assert view.cell == (int(idx[0]), row, col)
        elif kind == "input":
            assert view.cell[0] == int(idx[0])


@pytest.mark.parametrize("name", ["conv", "pool", "im2col"])
def test_random_clicks_select_the_window_and_move_the_sliders(name):
    ex = EXPLORERS[name]()
    ex.widget
    rng = random.Random(f"clicks-{name}")
    stats = {"changes": 0, "invalid": 0, "plays": 0, "states": set()}
    clicks = kinds = 0
    seen = set()
    for _ in range(100):
        cells = [c for p in ex.PARTS for c in pickable(ex.outputs[p].value)]
        if cells and rng.random() < 0.6:
            grid, row, col = rng.choice(cells)
            ex.select_cell(grid, row, col, how=rng.choice(["click", "hover"]))
            assert_click_selected(name, ex, grid, row, col)
            clicks += 1
            seen.add(grid.split(":")[0])
        else:
            w = rng.choice([w for w in ex.controls.values() if not w.disabled])
            w.value = next_value(rng, w)
        stats["changes"] += 1
        assert_state(name, ex, stats)     # the sliders, ranges and views agree after every click
    print(f"\n{name}: {clicks} clicks on {sorted(seen)}")
    assert clicks > 40 and {"input", "output"} <= seen


def test_end_and_home_reach_the_current_ends_of_a_range_that_follows_other_settings():
    """End on the window slider (what the browser's End key asks for) after padding has grown the range."""
    ex = ConvExplorer()
    ex.set(pad=1)                         # 4 -> 16 windows
    ex.to_end("position")
    assert ex.controls["position"].value == 15 and "윈도우 위치 15 (0–15)" in ex.outputs["products"].value
    ex.set(H=12, stride=2)                # floor mode: 6 x 2 windows
    ex.to_end("position", "max")
    assert ex.controls["position"].value == ex.controls["position"].max == 11
    ex.to_end("position", "min")
    assert ex.controls["position"].value == 0
    play_to_the_end(ex)                   # Play run to its end reaches the same end
    assert ex.controls["position"].value == 11
