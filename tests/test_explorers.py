"""The convolution and pooling explorers, driven headless as a learner would: set a control, type into a
number box, press Play, read the HTML parts, and compare what is shown with the plain-loop references
(cnnlib.reference), cnnlib's layers and cnnlib.shapes. Settings over the whole ranges come from
hypothesis (the edges it finds), not from sweeps of thousands of views."""

from __future__ import annotations

import random
import re
from dataclasses import fields

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cnnlib import Convolution, Pooling
from cnnlib.explorers import ConvExplorer, ConvSettings, PoolExplorer, PoolSettings
from cnnlib.explorers.conv import CONTROLS as CONV_CONTROLS
from cnnlib.explorers.explain import subject_particle
from cnnlib.explorers.live import live_code
from cnnlib.explorers.pool import CONTROLS as POOL_CONTROLS
from cnnlib.htmlkit.grid import format_number
from cnnlib.reference import conv_forward_loops, im2col_loops, pool_backward_loops, pool_forward_loops
from cnnlib.shapes import check_output_size

from explorer_html import grids, visible_text


def _shape(t):
    return "(" + ", ".join(str(v) for v in t) + ")"


def _border(ph, pw, p):
    return {(r, c) for r in range(ph) for c in range(pw) if not (p <= r < ph - p and p <= c < pw - p)}


def _checks(H, W, FH, FW, S, P, D=1, kind="conv"):
    return (check_output_size(H, FH, S, P, D, kind=kind, dim="H"),
            check_output_size(W, FW, S, P, D, kind=kind, dim="W"))


def _same_reason(h, w):
    return not h.valid and all(getattr(h, k) == getattr(w, k) for k in
                               ("input_size", "filter_size", "stride", "pad", "dilation", "numerator"))


def assert_explanation(report_html, checks):
    """Every invalid axis is explained with its own numbers (once, when height and width fail alike); a
    valid geometry says so."""
    text = visible_text(report_html)
    assert "(remainder)" not in text and "(height)" not in text and "English" not in text   # glossed in the prose
    if all(c.valid for c in checks):
        assert "올바른 설정" in text
        assert "✗" not in text
        return
    merged = _same_reason(*checks)
    if merged:
        assert "너비와 높이가 같아서" in text and text.count("✗ 출력") + text.count("✗ 윈도우") == 1
    for c in checks:
        marker = re.compile(f'class="[^"]*cnnlib-invalid-{c.dim}')
        if c.valid:
            assert not marker.search(report_html)
            continue
        assert marker.search(report_html)
        if merged and c.dim == "W":
            continue   # explained once, with the height's numbers (the same)
        layer = "Convolution" if c.kind == "conv" else "Pooling"
        assert f"이 설정을 {layer} 계층에 주면 같은 이유로 오류(ValueError)가 납니다" in text   # in Korean, folded underneath
        if c.numerator < 0:
            assert f"출력 {'높이' if c.dim == 'H' else '너비'}" in text and "윈도우가 하나도 들어가지 않아" in text
            assert f"{c.input_size} + 2·{c.pad} = {c.padded_size}칸" in text
            if c.nearest_pads:
                assert f"패딩 P = {', '.join(map(str, c.nearest_pads))}" in text
        else:
            assert f"{c.numerator} ÷ {c.stride}의 나머지는 {c.remainder}입니다" in text
            if c.nearest_strides:
                assert f"스트라이드 S = {', '.join(map(str, c.nearest_strides))}" in text
            if c.nearest_pads:
                assert f"패딩 P = {', '.join(map(str, c.nearest_pads))}" in text
            assert f"{c.symbols['out']} = {c.floor_output_size}" in text
            if c.dropped_input_indices:
                assert f"{', '.join(map(str, c.dropped_input_indices))}번" in text


def assert_formula(formula_html_text, checks):
    text = visible_text(formula_html_text)
    for c in checks:
        s = c.symbols
        assert f"{s['out']} = ({c.input_size} + 2·{c.pad} − " in text
        if c.valid:
            assert f"= {c.numerator // c.stride} + 1 = {c.output_size} ✓" in text
        elif c.numerator < 0:
            assert f"= {c.numerator}/{c.stride} + 1 → 윈도우가 들어가지 않음 ✗" in text
        else:
            assert f"= {c.numerator}/{c.stride} + 1 → 나머지 {c.remainder}: 정수가 아님 ✗" in text


# ---- the convolution explorer ---------------------------------------------------------------------


def assert_conv_shown(ex: ConvExplorer, parts: dict, s: ConvSettings, *, reference=True):
    """What the widgets show for settings ``s`` agrees with independent computations."""
    parts = dict(parts, grids=parts["inputs"] + parts["filters"] + parts["outputs"])
    x, W, b = ex.arrays(s)
    checks = _checks(s.H, s.W, s.FH, s.FW, s.stride, s.pad, s.dilation)
    assert_formula(parts["formula"], checks)
    assert_explanation(parts["explanation"], checks)

    shapes = visible_text(parts["shapes"])
    assert f"입력 x (N, C, H, W) = {_shape((s.N, s.C, s.H, s.W))}" in shapes
    assert f"필터 W (FN, C, FH, FW) = {_shape((s.FN, s.C, s.FH, s.FW))}" in shapes

    fits = all(c.floor_output_size is not None for c in checks)
    inputs = grids(parts["grids"], "input")
    assert len(inputs) == s.C
    ph, pw = s.H + 2 * s.pad, s.W + 2 * s.pad
    for c, g in enumerate(inputs):
        np.testing.assert_array_equal(g.numbers(), np.pad(x[s.sample, c], s.pad))
        assert g.marked("pad") == _border(ph, pw, s.pad)
    filters = grids(parts["grids"], "filter")
    np.testing.assert_array_equal(np.array([g.numbers() for g in filters]), W.reshape(-1, s.FH, s.FW))

    if not fits:
        assert "계산할 수 없음" in shapes
        assert grids(parts["grids"], "output") == []
        assert "계산할 출력 칸이 없습니다" in visible_text(parts["products"])
        return

    floor = not all(c.valid for c in checks)
    layer_shape = Convolution(W, b, s.stride, s.pad, s.dilation, floor=floor).output_shape(x.shape)
    assert f"출력 (N, FN, OH, OW) = {_shape(layer_shape)}" in shapes
    assert ("내림 모드의 크기" in shapes) == floor
    OH, OW = layer_shape[2:]
    oy, ox = divmod(s.position, OW)
    n, f = s.sample, s.filter

    # the output grids against the plain loops (which slide until the window no longer fits)
    outputs = grids(parts["grids"], "output")
    assert len(outputs) == s.FN
    if reference:
        ref = conv_forward_loops(x, W, b, s.stride, s.pad, s.dilation)
        assert ref.shape == layer_shape
        for fi, g in enumerate(outputs):
            np.testing.assert_allclose(g.numbers(), ref[n, fi])
    assert outputs[f].marked("current") == {(oy, ox)}
    assert all(not g.marked("current") for fi, g in enumerate(outputs) if fi != f)

    # the current window: the same cells im2col copies into row (n, oy, ox)
    col = im2col_loops(x[n : n + 1], s.FH, s.FW, s.stride, s.pad, s.dilation)
    row = col[oy * OW + ox].reshape(s.C, s.FH, s.FW)
    windows = grids(parts["products"], "window")
    products = grids(parts["products"], "products")
    assert len(windows) == len(products) == s.C
    for c in range(s.C):
        np.testing.assert_array_equal(windows[c].numbers(), row[c])
        np.testing.assert_array_equal(products[c].numbers(), row[c] * W[f, c])
        marked = inputs[c].marked("window")
        assert len(marked) == s.FH * s.FW
        assert sorted(np.pad(x[n, c], s.pad)[r, cc] for r, cc in marked) == sorted(row[c].ravel())
    expected = float((row * W[f]).sum() + b[f])
    text = visible_text(parts["products"])
    assert f"= {format_number(expected)} | Convolution 계층의 out[{n}, {f}, {oy}, {ox}] = {format_number(expected)} (✓ 같음)" in text

    # never-visited input rows/columns (floor mode and strides larger than the window) are marked
    unvisited = inputs[0].marked("unvisited")
    for c in checks:
        for i in c.dropped_input_indices:
            line = [(s.pad + i, s.pad + j) for j in range(s.W)] if c.dim == "H" else \
                   [(s.pad + j, s.pad + i) for j in range(s.H)]
            assert set(line) <= unvisited


def widget_parts(ex):
    return {part: ex.outputs[part].value for part in ex.PARTS}


def test_conv_default_is_the_books_example():
    ex = ConvExplorer()
    v = ex.view()
    assert v.out_shape == (1, 1, 2, 2)
    np.testing.assert_array_equal(grids(v.grids, "output")[0].numbers(), [[18, 19], [9, 18]])   # 그림 7-5
    np.testing.assert_array_equal(grids(v.products, "products")[0].numbers(), [[2, 0, 3], [0, 1, 4], [3, 0, 2]])
    assert "합 15; 편향 b[0] = 3 → 15 + (3) = 18" in visible_text(v.products)
    assert "OH = (4 + 2·0 − 3)/1 + 1 = 1 + 1 = 2 ✓" in visible_text(v.formula)
    assert_conv_shown(ex, v.__dict__, ex.defaults)


def test_conv_every_control_drives_the_widgets():
    ex = ConvExplorer()
    ex.widget
    assert_conv_shown(ex, widget_parts(ex), ex.settings())
    for control in CONV_CONTROLS:
        for value in (control.hi, (control.lo + control.hi) // 2, control.lo):
            ex.controls[control.name].value = value
            s = ex.settings()
            assert_conv_shown(ex, widget_parts(ex), s)
        ex.set(**{control.name: getattr(ConvSettings(), control.name)})


def test_conv_random_walk_through_the_controls():
    """A learner moving sliders at random: every intermediate state is shown consistently."""
    rng = random.Random(7)
    ex = ConvExplorer()
    ex.widget
    for step in range(60):
        control = rng.choice(CONV_CONTROLS)
        w = ex.controls[control.name]
        if w.disabled:
            continue
        w.value = rng.randint(w.min, w.max)
        assert_conv_shown(ex, widget_parts(ex), ex.settings(), reference=step % 4 == 0)


def test_conv_dependent_ranges_and_play():
    ex = ConvExplorer()
    ex.widget
    pos, play = ex.controls["position"], ex.play
    assert pos.max == 3 and not play.disabled
    assert ex.controls["sample"].disabled and ex.controls["filter"].disabled
    ex.play_step()                       # what a Play step does in the browser: the window moves on by one ...
    ex.play_step()
    assert pos.value == 2
    assert "출력 칸 (1, 0) 계산 — 윈도우 위치 2 (0–3)" in visible_text(ex.outputs["products"].value)
    ex.set(pad=1)                        # 4x4 output: 16 positions, the window stays at 2
    assert (pos.max, pos.value) == (15, 2)
    ex.set(position=15, stride=2)        # (4 + 2 − 3)/2: floor mode, 2x2 positions; clamped, not lost
    assert pos.value == pos.max == 3
    ex.set(H=5, W=5)                     # 3x3 positions again
    assert (pos.max, pos.value) == (8, 3)
    ex.set(FH=6, FW=6, pad=0)            # no window fits: the position control and Play are disabled
    assert pos.disabled and play.disabled
    assert "윈도우가 하나도 들어가지 않아" in visible_text(ex.outputs["explanation"].value)
    ex.set(N=3, FN=2)
    assert not ex.controls["sample"].disabled and ex.controls["sample"].max == 2
    assert ex.controls["filter"].max == 1
    ex.set(filter=1, N=1)
    assert ex.controls["sample"].value == 0 and ex.controls["sample"].disabled


def test_play_runs_to_the_end_one_painted_step_at_a_time():
    """Play is paced by the view: the kernel moves the window only when a view asks for the next step
    (after it painted the last), so the picture never falls behind; at the end Play stops, and pressed
    there it starts again from the first window."""
    ex = ConvExplorer(pad=1)
    ex.widget
    pos, play, view = ex.controls["position"], ex.play, ex.live_view
    play.value = True
    assert view.playing and play.description == "⏸ 멈춤"
    view._message(view, {"event": "step"}, [])            # a view asks for the next step
    assert pos.value == 1
    steps = 1
    while play.value:
        ex.play_step()
        steps += 1
    assert pos.value == pos.max == 15 and steps == 15 and not view.playing and play.description == "▶ 재생"
    view._message(view, {"event": "step"}, [])            # a late step after Play stopped does nothing
    assert pos.value == 15
    play.value = True                                      # at the end: from the first window again
    assert pos.value == 0 and view.playing
    ex.set(FH=6, FW=6, pad=0)                             # no window: Play stops and cannot start
    assert play.disabled and not play.value and not view.playing


def test_conv_invalid_stride_is_explained_and_floor_rows_are_marked():
    ex = ConvExplorer()
    ex.set(H=7, W=7, stride=3)
    parts = widget_parts(ex)
    text = visible_text(parts["explanation"])
    assert "출력 높이 OH가 정수가 아닙니다" in text
    assert "4 ÷ 3의 나머지는 1입니다" in text
    assert "패딩 P = 1, 또는 스트라이드 S = 1, 2" in text
    assert "입력의 6번 행은 어떤 윈도우도 읽지 않습니다" in text
    assert "내림 모드" in text
    unvisited = grids(parts["inputs"], "input")[0].marked("unvisited")
    assert unvisited == {(6, j) for j in range(7)} | {(i, 6) for i in range(7)}
    assert_conv_shown(ex, parts, ex.settings())


def test_conv_multichannel_sums_add_up_and_each_filter_makes_one_channel():
    ex = ConvExplorer(H=5, W=5, C=3, FN=2, N=2, sample=1, filter=1, position=4)
    v = ex.view(ex.defaults)
    assert v.out_shape == (2, 2, 3, 3)
    text = visible_text(v.products)
    sums = [grids(v.products, "products")[c].numbers().sum() for c in range(3)]
    assert "채널별 합 " + " + ".join(format_number(s) for s in sums) in text
    assert [g.title for g in grids(v.grids, "output")] == ["출력 채널 0 (필터 0)", "출력 채널 1 (필터 1)"]
    assert_conv_shown(ex, v.__dict__, ex.defaults)


def test_conv_dilation_marks_the_skipped_cells():
    ex = ConvExplorer()
    v = ex.view(ConvSettings(H=7, W=7, FH=3, FW=3, dilation=2, position=1))   # span 5, output 3x3
    g = grids(v.grids, "input")[0]
    assert g.marked("window") == {(r, c) for r in (0, 2, 4) for c in (1, 3, 5)}
    assert g.marked("span") == {(r, c) for r in range(5) for c in range(1, 6)} - g.marked("window")


def test_stride_larger_than_the_window_is_noted():
    ex = ConvExplorer()
    v = ex.view(ConvSettings(H=8, W=8, FH=2, FW=2, stride=3))   # valid: windows at rows 0, 3, 6
    text = visible_text(v.explanation)
    assert "올바른 설정" in text and "2, 5번 행" in text and "2, 5번 열" in text
    assert grids(v.grids, "input")[0].marked("unvisited") == {(r, c) for r in range(8) for c in range(8)
                                                             if r in (2, 5) or c in (2, 5)}


def settings_of(controls, settings_type, **fixed):
    """Settings with every control drawn from its whole range (a window position past the current end is
    shown at the end, as the slider does); ``fixed`` values are kept."""
    return st.builds(settings_type, **{c.name: st.sampled_from([v for _, v in c.options]) if c.options
                                       else st.integers(c.lo, c.hi) for c in controls if c.name not in fixed},
                     **{k: st.just(v) for k, v in fixed.items()})


@settings(max_examples=60, deadline=None)
@given(settings_of(CONV_CONTROLS, ConvSettings))
@example(ConvSettings(H=7, W=7, stride=3))                              # floor mode: row and column 6 unread
@example(ConvSettings(H=2, W=5, FH=4, FW=2, dilation=2))               # no window fits in height
@example(ConvSettings(H=12, W=12, FH=1, FW=1, pad=3, C=3, FN=3, N=3, sample=2, filter=2, position=324))
def test_conv_any_setting_is_explained_and_adds_up(s):
    """Every setting: no exception, every invalid axis explained with its own numbers, and where a window
    fits, the products plus bias are the layer's output, which is the plain loops' convolution."""
    v = EXPLORER_CACHE["conv"].view(s)
    assert_explanation(v.explanation, v.geometry.checks)
    if not v.geometry.fits:
        assert v.output is None and "계산할 출력 칸이 없습니다" in v.products
        return
    n, f, oy, ox = v.cell
    assert v.output.shape == v.out_shape and np.isclose(v.window_sum, v.output[n, f, oy, ox])
    x, W, b = EXPLORER_CACHE["conv"].arrays(s)
    np.testing.assert_allclose(v.output, conv_forward_loops(x, W, b, s.stride, s.pad, s.dilation))
    assert "x-scroll" not in v.inputs + v.outputs + v.products   # nothing scrolls: rows wrap, cells shrink


EXPLORER_CACHE = {"conv": ConvExplorer(), "pool": PoolExplorer()}


# ---- the pooling explorer -------------------------------------------------------------------------


def assert_pool_shown(ex: PoolExplorer, parts: dict, s: PoolSettings):
    x = ex.arrays(s)
    checks = _checks(s.H, s.W, s.FH, s.FW, s.stride, s.pad, kind="pool")
    assert_formula(parts["formula"], checks)
    assert_explanation(parts["explanation"], checks)
    shapes = visible_text(parts["shapes"])
    inputs = grids(parts["grids"], "input")
    assert len(inputs) == s.C
    for c, g in enumerate(inputs):
        np.testing.assert_array_equal(g.numbers(), np.pad(x[0, c], s.pad))
    if not all(c.floor_output_size is not None for c in checks):
        assert "계산할 수 없음" in shapes and not grids(parts["grids"], "output")
        return
    ref = pool_forward_loops(x, s.FH, s.FW, s.stride, s.pad, s.method)
    floor = not all(c.valid for c in checks)
    layer = Pooling(s.FH, s.FW, s.stride, s.pad, method=s.method, floor=floor)
    assert layer.output_shape(x.shape) == ref.shape
    assert f"출력 (N, C, OH, OW) = {_shape(ref.shape)}" in shapes
    outputs = grids(parts["grids"], "output")
    OW = ref.shape[3]
    oy, ox = divmod(s.position, OW)
    for c, g in enumerate(outputs):
        np.testing.assert_allclose(g.numbers(), ref[0, c], atol=0.006)   # shown with 2 decimals
        assert g.marked("current") == {(oy, ox)}
        window = inputs[c].marked("window")
        assert len(window) == s.FH * s.FW
        if s.method == "max":
            # the winner is where backward sends the gradient (plain loops: first max in reading order)
            dout = np.zeros(ref.shape)
            dout[0, c, oy, ox] = 1
            dx = np.pad(pool_backward_loops(x, dout, s.FH, s.FW, s.stride, s.pad, "max")[0, c], s.pad)
            winner = inputs[c].marked("winner")
            assert len(winner) == 1 and winner <= window
            (r, cc), = winner
            if s.pad <= r < s.pad + s.H and s.pad <= cc < s.pad + s.W:   # dx has no padding cells
                assert dx[r, cc] == 1
            else:
                assert dx.sum() == 0
        else:
            assert not inputs[c].marked("winner")
        value = format_number(ref[0, c, oy, ox])
        assert f"Pooling 계층의 out[0, {c}, {oy}, {ox}] = {value} (✓ 같음)" in visible_text(parts["detail"])


def test_pool_window_that_does_not_fit_is_explained():
    v = PoolExplorer().view(PoolSettings(H=2, W=2, FH=4, FW=4, stride=1))
    text = visible_text(v.explanation)
    assert "풀링 윈도우가 차지하는 칸은 4개인데, 패딩한 입력은 H + 2P = 2 + 2·0 = 2칸뿐입니다." in text
    assert "고치는 방법: 더 작은 풀링 윈도우, 더 큰 입력, 또는 패딩 P = 1." in text
    assert v.output is None and "계산할 출력 칸이 없습니다" in visible_text(v.detail)


def test_pool_default_is_the_books_example():
    ex = PoolExplorer()
    v = ex.view()
    np.testing.assert_array_equal(v.output[0, 0], [[2, 3], [4, 2]])   # 그림 7-14
    np.testing.assert_array_equal(grids(v.grids, "output")[0].numbers(), [[2, 3], [4, 2]])
    assert grids(v.grids, "input")[0].marked("winner") == {(0, 1)}
    assert "max(1, 2, 0, 1) = 2" in visible_text(v.detail)
    assert "학습할 매개변수: 없음" in visible_text(v.shapes)
    assert_pool_shown(ex, v.__dict__, ex.defaults)


def test_pool_every_control_drives_the_widgets():
    ex = PoolExplorer()
    ex.widget
    for control in POOL_CONTROLS:
        values = [v for _, v in control.options] if control.options else (control.hi, (control.lo + control.hi) // 2,
                                                                           control.lo)
        for value in values:
            ex.controls[control.name].value = value
            assert_pool_shown(ex, widget_parts(ex), ex.settings())
        ex.set(**{control.name: getattr(PoolSettings(), control.name)})


def test_pool_average_and_play():
    ex = PoolExplorer()
    ex.set(method="average")
    for _ in range(3):
        ex.play_step()
    text = visible_text(ex.outputs["detail"].value)
    assert "(1 + 2 + 0 + 1) / 4 = 4/4 = 1" in text
    assert "출력 칸 (1, 1) 계산" in text
    assert_pool_shown(ex, widget_parts(ex), ex.settings())


def test_pool_windows_are_named_as_the_books_pooling_and_particles_follow_the_number():
    """The window sliders carry the book's symbols (Pooling(pool_h, pool_w), the formula's pool_h); 'P = 2가'
    reads right aloud (이 → 가 after 2)."""
    ex = PoolExplorer()
    ex.widget
    assert (ex.controls["FH"].description, ex.controls["FW"].description) == ("풀링 높이 pool_h", "풀링 너비 pool_w")
    assert "H + 2P − pool_h" in visible_text(ex.view(PoolSettings(H=5, W=5)).explanation)
    text = visible_text(ex.view(PoolSettings(FH=1, FW=1, stride=1, pad=2)).explanation)
    assert "패딩 P = 2가 풀링 윈도우보다 커서" in text and "2이" not in text
    text = visible_text(ex.view(PoolSettings(FH=1, FW=1, stride=1, pad=1, H=3, W=3)).explanation)
    assert "패딩 P = 1이 풀링 윈도우보다" in text
    assert [subject_particle(n) for n in (0, 1, 2, 3, 4, 5, 6, 9, 10, 12, 15, 100)] == \
        ["이", "이", "가", "이", "가", "가", "이", "가", "이", "가", "가", "이"]


def test_pool_random_walk():
    ex = PoolExplorer()
    ex.widget
    rng = random.Random(11)
    for _ in range(60):
        control = rng.choice(POOL_CONTROLS)
        w = ex.controls[control.name]
        if w.disabled:
            continue
        w.value = rng.choice([v for _, v in control.options]) if control.options else rng.randint(w.min, w.max)
        assert_pool_shown(ex, widget_parts(ex), ex.settings())


@settings(max_examples=60, deadline=None)
@given(settings_of(POOL_CONTROLS, PoolSettings))
@example(PoolSettings(H=5, W=5))                                        # floor mode: row and column 4 unread
@example(PoolSettings(H=12, W=12, FH=1, FW=1, stride=1, pad=2, C=3, position=255))   # padding-only windows
def test_pool_any_setting_is_explained_and_is_the_loops_pooling(s):
    v = EXPLORER_CACHE["pool"].view(s)
    assert_explanation(v.explanation, v.geometry.checks)
    if v.geometry.fits:
        oy, ox = v.cell
        np.testing.assert_allclose(v.window_values, v.output[0, :, oy, ox])
        x = EXPLORER_CACHE["pool"].arrays(s)
        np.testing.assert_allclose(v.output, pool_forward_loops(x, s.FH, s.FW, s.stride, s.pad, s.method))


# ---- shared pieces ----------------------------------------------------------------------------------


def test_widgets_have_stable_labels_and_classes():
    for ex, prefix in ((ConvExplorer(), "cnnlib-conv"), (PoolExplorer(), "cnnlib-pool")):
        box = ex.widget
        assert prefix in box._dom_classes and "cnnlib-explorer" in box._dom_classes
        assert ex.live_view.prefix == prefix and set(ex.live_view.names) == set(ex.PARTS)
        descriptions = [w.description for w in ex.controls.values()]
        assert len(set(descriptions)) == len(descriptions) and all(descriptions)
        for name, w in ex.controls.items():
            assert f"{prefix}-control-{name}" in w._dom_classes
        for name, number in ex.numbers.items():   # every range has a number box beside its slider
            assert f"{prefix}-box-{name}" in number.box._dom_classes and number.box.value == str(number.slider.value)
        assert f"{prefix}-play" in ex.play._dom_classes
    assert ConvExplorer().widget.children  # builds without a kernel


def test_controls_pair_height_with_width():
    """H sits above W, FH above FW, P above S in one column each: the pairs never break apart."""
    ex = ConvExplorer()
    ex.widget
    pairs = [tuple(c.children[0].description for c in pair.children) for grid in _grids_of(ex.widget)
             for pair in grid.children]
    assert pairs[:3] == [("입력 높이 H", "입력 너비 W"), ("필터 높이 FH", "필터 너비 FW"), ("패딩 P", "스트라이드 S")]


def _grids_of(box):
    import ipywidgets as widgets

    for child in getattr(box, "children", ()):
        if isinstance(child, widgets.Box) and "cnnlib-pairs" in child._dom_classes:
            yield child
        else:
            yield from _grids_of(child)


def test_static_view_is_the_default_view_and_the_display_is_one_picture():
    ex = ConvExplorer()
    static = ex.static_html()
    assert static == ConvExplorer().static_html() and 'style="' in static and "<style" not in static
    ex.widget
    assert {p: ex.outputs[p].value for p in ex.PARTS} == ex.live_html(ex.defaults)
    assert "style=" not in ex.outputs["inputs"].value          # live: class names, one stylesheet
    bundle = ex._repr_mimebundle_()
    assert set(bundle) == {"application/vnd.jupyter.widget-view+json", "text/html", "text/plain"}
    assert bundle["text/html"] == static and bundle["text/plain"] == "셀을 실행하면 탐색기가 나타납니다 (JupyterLab에서 이 셀을 실행하세요)."
    # where the sliders will be, the static copy says what to do (and which settings it shows)
    assert "▶ 이 셀을 실행하면 슬라이더로 조작할 수 있습니다" in visible_text(static).split("출력 높이")[0]
    assert "word-break:keep-all" in static and "word-break: keep-all" in live_code()["css"]   # no '최댓/값'
    ex.set(pad=2, stride=2)
    assert ex.static_html() == static                    # the static view stays the default state
    assert repr(ex).startswith("ConvExplorer(H=4, W=4, FH=3, FW=3, P=2, S=2,")   # repr follows the controls
    assert repr(PoolExplorer()) == "PoolExplorer(H=4, W=4, pool_h=2, pool_w=2, S=2, P=0, method=max, C=1, position=0)"


def test_settings_outside_the_ranges_are_refused_clearly():
    with pytest.raises(ValueError, match="H must be a whole number from 1 to 12; got 13"):
        ConvExplorer(H=13)
    with pytest.raises(ValueError, match="method must be one of"):
        PoolExplorer(method="min")
    with pytest.raises(ValueError, match="no control named 'padding'"):
        ConvExplorer().set(padding=1)


def test_settings_dataclasses_match_the_controls():
    assert {f.name for f in fields(ConvSettings)} == {c.name for c in CONV_CONTROLS}
    assert {f.name for f in fields(PoolSettings)} == {c.name for c in POOL_CONTROLS}


def test_settings_share_one_geometry():
    """H, W, FH, FW, pad and stride are declared once (geometry.WindowSettings, controls.GEOMETRY) for the
    convolution, pooling and im2col explorers."""
    from cnnlib.explorers import Im2colSettings
    from cnnlib.explorers.controls import GEOMETRY
    from cnnlib.explorers.geometry import WindowSettings
    from cnnlib.explorers.im2col import CONTROLS as IM2COL_CONTROLS

    names = [c.name for c in GEOMETRY]
    assert [f.name for f in fields(WindowSettings)] == names
    for settings_type, controls in ((ConvSettings, CONV_CONTROLS), (PoolSettings, POOL_CONTROLS),
                                    (Im2colSettings, IM2COL_CONTROLS)):
        assert issubclass(settings_type, WindowSettings)
        assert [c.name for c in controls if c.name in names] == names
    assert (PoolSettings().FH, PoolSettings().stride) == (2, 2)    # the book's 2x2 pooling, stride 2


# ---- number boxes: what a learner types -------------------------------------------------------------------

def typed(ex, name, text):
    """Type ``text`` into the number box of control ``name`` and press Enter."""
    ex.numbers[name].box.value = text


@pytest.mark.parametrize("text, note, kept", [
    ("2.5", "정수가 아닙니다: 2.5 — 1–6 사이의 정수를 넣으세요", 3),
    ("abc", "숫자가 아닙니다: abc — 1–6 사이의 정수를 넣으세요", 3),
    ("1e3", "정수가 아닙니다: 1e3", 3),
    ("<b>", "숫자가 아닙니다: &lt;b&gt;", 3),
    ("99", "99 → 6 (가장 큰 값은 6, 범위 1–6)", 6),
    ("-2", "-2 → 1 (가장 작은 값은 1, 범위 1–6)", 1),
    (" 5 ", "", 5),
    ("", "", 3),
])
def test_a_number_box_takes_whole_numbers_and_says_beside_itself_what_it_did(text, note, kept):
    ex = ConvExplorer()
    ex.widget
    typed(ex, "FW", text)
    number = ex.numbers["FW"]
    assert number.slider.value == kept and number.box.value == str(kept)    # the box keeps a valid value
    assert note in number.note.value and (note or number.note.value == "")
    assert "FW=" + str(kept) in repr(ex) and f"= ({4} + 2·0 − {kept})" in visible_text(ex.outputs["formula"].value)
    assert all(n.note.value == "" for name, n in ex.numbers.items() if name != "FW")   # said beside that box only


def test_a_note_belongs_to_the_latest_change():
    ex = ConvExplorer()
    ex.widget
    typed(ex, "H", "99")
    assert "99 → 12" in ex.numbers["H"].note.value
    typed(ex, "W", "abc")                                  # the H note goes; the W box says why it kept 4
    assert ex.numbers["H"].note.value == "" and "숫자가 아닙니다: abc" in ex.numbers["W"].note.value
    assert ex.settings().W == 4 and ex.numbers["W"].box.value == "4"
    ex.controls["pad"].value = 1                           # any other change: no note is left over
    assert all(n.note.value == "" for n in ex.numbers.values())
    typed(ex, "position", "7")                             # a valid number: taken, nothing to say
    assert ex.settings().position == 7 and all(n.note.value == "" for n in ex.numbers.values())


def test_the_number_boxes_follow_the_picture_they_belong_to():
    """The widgets' updates go out after the picture (one burst, picture first), and the picture carries
    the boxes' values: a box never shows a step its picture does not (Play, clicks, typed values)."""
    ex = ConvExplorer(pad=1)
    ex.widget
    view = ex.live_view
    sent = []
    for w in [view, *ex._synced_widgets()]:
        w._send = lambda msg, buffers=None, w=w: sent.append((w, msg))
    view._message(view, {"event": "full"}, [])
    view._message(view, {"event": "painted", "version": view.version}, [])
    sent.clear()
    ex.play.value = True
    view._message(view, {"event": "step"}, [])
    pictures = [i for i, (w, m) in enumerate(sent) if w is view and m["method"] == "custom"]
    boxes = [i for i, (w, m) in enumerate(sent) if w is ex.numbers["position"].box and m["method"] == "update"]
    assert len(pictures) == len(boxes) == 1 and pictures[0] < boxes[0]   # the picture first, then the box
    parts = sent[pictures[0]][1]["content"]
    assert parts["values"]["cnnlib-conv-box-position"] == 1 == ex.settings().position
    assert "윈도우 위치 1 (0–15)" in visible_text(ex.outputs["products"].value)


def test_rarely_used_controls_are_folded_and_widgets_that_look_alike_share_their_looks():
    """The pinned bar is one line: Play, the window and the fold-out button; the rarely used controls open
    under it. A saved notebook stores each widget model's state: widgets that look alike share one Layout
    and one style (a Layout alone is 40 keys)."""
    import ipywidgets as widgets

    ex = ConvExplorer()
    box = ex.widget
    bar = next(c for c in box.children if "cnnlib-bar" in c._dom_classes)
    fold = bar.children[-1]
    assert bar.children[0] is ex.play and ex.numbers["position"].widget in bar.children
    assert "cnnlib-hidden" in ex.advanced._dom_classes and ex.numbers["dilation"].widget in _descendants(ex.advanced)
    fold.value = True
    assert "cnnlib-hidden" not in ex.advanced._dom_classes and fold.description == "고급 설정 ▾"
    fold.value = False
    assert "cnnlib-hidden" in ex.advanced._dom_classes
    all_widgets = list(_descendants(box))
    layouts = {id(w.layout) for w in all_widgets}
    styles = {id(w.style) for w in all_widgets if hasattr(w, "style")}
    assert len(all_widgets) > 50 and len(layouts) <= 12 and len(styles) <= 8


def _descendants(w):
    yield w
    for child in getattr(w, "children", ()):
        yield from _descendants(child)


def test_floor_mode_is_credited_to_pytorch_convolution_only():
    """Issue 27: TensorFlow's 'SAME' rounds up and PyTorch's pooling can (ceil_mode), so the explanation
    credits rounding down to PyTorch's convolution alone; the layer's error is not called English."""
    from cnnlib.explorers.explain import explain_html, explain_text
    from cnnlib.shapes import check_output_size
    check = check_output_size(7, 3, stride=3)
    text = explain_text(check, grid=False) + explain_html(check)
    assert "PyTorch의 합성곱처럼 내림하면 OH = 2" in text
    assert "TensorFlow" not in text and "영어" not in text


def test_captions_and_notices_break_between_words():
    """Issue 27: Korean captions must not break inside a word (keep-all), static and live."""
    from cnnlib.htmlkit.style import RULES, stylesheet
    for name in ("g-note", "x-text", "x-key", "x-small", "cnnlib-notice"):
        assert RULES[name]["word-break"] == "keep-all", name
    assert "word-break:keep-all" in stylesheet()
    html = ConvExplorer().static_html(ConvSettings(H=7, W=7, stride=3))
    assert re.search(r'class="[^"]*cnnlib-notice[^"]*"[^>]*style="[^"]*word-break:keep-all', html) or \
        re.search(r'style="[^"]*word-break:keep-all[^"]*"[^>]*class="[^"]*cnnlib-notice', html)
