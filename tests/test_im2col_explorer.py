"""The im2col explorer, driven headless as a learner would (sliders, pickers, Play), and the book's
im2col route for max pooling. Every number the widgets show is read back from their HTML and
compared with the plain loops of cnnlib.reference, which share no code with im2col/col2im; the route
the pooling views draw is checked against FastPooling here (the view itself draws, it does not test)."""

from __future__ import annotations

import random
import re
from dataclasses import fields
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import example, given, settings

from cnnlib.explorers import Im2colExplorer, Im2colSettings
from cnnlib.explorers.conv import CONTROLS as CONV_CONTROLS
from cnnlib.explorers.im2col import CONTROLS, PICKERS
from cnnlib.fast_layers import FastPooling
from cnnlib.htmlkit.grid import ROW_LIMIT, Gap, format_number, shown_cols
from cnnlib.reference import (col2im_loops, conv_backward_loops, conv_forward_loops, im2col_loops,
                              pool_backward_loops, pool_forward_loops)
from cnnlib.shapes import check_output_size

from explorer_html import parse
from test_explorers import assert_explanation, assert_formula, settings_of

MODES = ("conv", "conv-backward", "pool", "pool-backward")


@lru_cache(maxsize=32)
def _parsed(html: str):
    """Grids and visible text of an HTML part, parsed once (the checks below read each part often)."""
    p = parse(html)
    return tuple(p.grids), " ".join("".join(p.text).split())


def G(html: str, role: str) -> list:
    """The grids of ``html`` with CSS role ``role``."""
    return [g for g in _parsed(html)[0] if g.role == role]


def T(html: str) -> str:
    """The text a reader sees."""
    return _parsed(html)[1]


def _shape(t):
    return "(" + ", ".join(str(v) for v in t) + ("," if len(t) == 1 else "") + ")"


def _index(title: str, name: str) -> tuple:
    """(k, c) from a grid title such as 'x[1, 2]'."""
    m = re.fullmatch(rf"{re.escape(name)}\[(\d+), (\d+)\]", title)
    assert m, f"unexpected title {title!r}"
    return int(m.group(1)), int(m.group(2))


def _rows_of(grid) -> list:
    """Matrix row index of each drawn row (from its label 'r: ...'), Gap for a left-out stretch."""
    out = []
    for label in grid.row_labels:
        m = re.fullmatch(r"⋮\s(\d+)행\s생략", label)
        out.append(Gap(int(m.group(1))) if m else int(label.split(":")[0]))
    return out


def shown(texts, M_row):
    """The numbers of a drawn matrix row against the matrix row: the columns it shows (a wide matrix
    leaves some out, said in the title) hold exactly those numbers."""
    cols = shown_cols(len(M_row))
    assert len(texts) == len(cols)
    for t, c in zip(texts, cols):
        if isinstance(c, Gap):
            assert t == "⋯"
        else:
            assert float(t) == pytest.approx(M_row[c], abs=1e-9)


def assert_matrix(drawn, M, block, current, n_blocks):
    """``drawn`` (one grid per sample) shows rows of ``M`` grouped by sample: right numbers, the
    first and last row of each sample and the current rows present, current rows (only) marked,
    and the left-out stretches adding up."""
    assert len(drawn) == n_blocks
    seen = set()
    for k, g in enumerate(drawn):
        rows = _rows_of(g)
        ints = [r for r in rows if not isinstance(r, Gap)]
        assert all(k * block <= r < (k + 1) * block for r in ints) and ints == sorted(ints)
        assert {k * block, (k + 1) * block - 1} <= set(ints)
        assert len(ints) + sum(r.count for r in rows if isinstance(r, Gap)) == block
        if n_blocks * block <= ROW_LIMIT:
            assert len(ints) == block
        for i, r in enumerate(rows):
            if isinstance(r, Gap):
                assert set(g.texts[i]) == {"⋮"}
                continue
            shown(g.texts[i], M[r])
            assert all(("current" in m) == (r in current) for m in g.marks[i])
            seen.add(r)
    assert set(current) <= seen


def _padded_counts(s):
    """How often im2col copies each padded cell, found by unfolding an image of cell numbers."""
    ph, pw = s.H + 2 * s.pad, s.W + 2 * s.pad
    ids = np.arange(1, ph * pw + 1, dtype=float).reshape(1, 1, ph, pw)
    col = im2col_loops(ids, s.FH, s.FW, s.stride, 0)
    return np.bincount(col.ravel().astype(int), minlength=ph * pw + 1)[1:].reshape(ph, pw)


def assert_shown(ex: Im2colExplorer, parts: dict, s: Im2colSettings):
    """What the widgets show for ``s`` agrees with the plain loops (and cnnlib's Pooling)."""
    pool = s.mode.startswith("pool")
    kind = "pool" if pool else "conv"
    checks = (check_output_size(s.H, s.FH, s.stride, s.pad, kind=kind, dim="H"),
              check_output_size(s.W, s.FW, s.stride, s.pad, kind=kind, dim="W"))
    assert_formula(parts["formula"], checks)
    assert_explanation(parts["explanation"], checks)
    x = ex.input(s)
    shapes = T(parts["shapes"])
    matrix = parts["matrix"]
    assert f"x (N, C, H, W) = {_shape(x.shape)}" in shapes
    p = s.pad
    for g in G(matrix, "input"):
        k, c = _index(g.title, "x")
        np.testing.assert_array_equal(g.numbers(), np.pad(x[k, c], p))

    if any(c.floor_output_size is None for c in checks):
        assert "계산할 수 없음" in shapes
        assert "윈도우가 들어가지 않아 im2col 행렬을 만들 수 없습니다" in T(matrix)
        assert not G(matrix, "im2col") and not G(matrix, "pool-col")
        assert "윈도우가 들어가지 않아" in T(parts["memory"])
        return

    col = im2col_loops(x, s.FH, s.FW, s.stride, s.pad)       # slides while a window fits (= floor mode)
    N, C = s.N, s.C
    R = col.shape[0] // N
    OH = len(range(0, s.H + 2 * p - s.FH + 1, s.stride))
    OW = R // OH
    r = min(s.position, N * R - 1)
    n, oy, ox = r // R, (r % R) // OW, r % OW
    assert _shape(col.shape) in shapes
    assert ("내림 모드의 크기" in shapes) == (not all(c.valid for c in checks))

    # the current window on sample n (every channel), nothing marked on the other samples
    window = {(oy * s.stride + i, ox * s.stride + j) for i in range(s.FH) for j in range(s.FW)}
    inputs = G(matrix, "input")
    if s.mode == "conv-backward":   # the backward view draws dx instead (and x beside col2im(im2col(x)))
        assert not inputs
        np.testing.assert_array_equal(G(matrix, "x-channel")[0].numbers(), x[n, 0])
    else:
        assert n in {_index(g.title, "x")[0] for g in inputs}
    for g in inputs:
        k, c = _index(g.title, "x")
        assert g.marked("window") == (window if k == n else set())
        row_part = col[r, c * s.FH * s.FW : (c + 1) * s.FH * s.FW]
        if k == n:   # the window holds exactly the numbers of its im2col row
            assert sorted(g.numbers()[i, j] for i, j in window) == sorted(row_part)

    # memory: copy counts and bytes
    counts = _padded_counts(s)
    (heat,) = G(parts["memory"], "copy-counts")
    np.testing.assert_array_equal(heat.numbers(), counts)
    memory = T(parts["memory"])
    assert f"{col.nbytes:,} B" in memory and f"{x.nbytes:,} B" in memory
    assert f"입력의 {col.nbytes / x.nbytes:.2f}배" in memory
    assert counts.sum() * N * C == col.size

    text = T(matrix)
    assert "✗" not in text and ("✓ 같음" in text) == (not pool)   # the matrix route is the layer's
    if pool:
        _assert_pool(ex, matrix, s, x, col, r, n, oy, ox, R)
    else:
        _assert_conv(ex, matrix, s, x, col, r, n, oy, ox, R, counts)


def _assert_conv(ex, matrix, s, x, col, r, n, oy, ox, R, counts):
    W, b = ex.filters(s)
    N, C, FN, p = s.N, s.C, s.FN, s.pad
    col_W = W.reshape(FN, -1).T
    K = col.shape[1]
    text = T(matrix)
    if s.mode == "conv":
        out = conv_forward_loops(x, W, b, s.stride, p)
        product = out.transpose(0, 2, 3, 1).reshape(-1, FN)
        assert_matrix(G(matrix, "im2col"), col, R, {r}, N)
        assert_matrix(G(matrix, "product"), product, R, {r}, N)
        (wg,) = G(matrix, "col-w")
        labels = [f"{c}·{i}{j}" if C > 1 else f"{i}{j}" for c in range(C) for i in range(s.FH) for j in range(s.FW)]
        for label, texts in zip(wg.row_labels, wg.texts):
            if not label.startswith("⋮"):
                np.testing.assert_array_equal([float(t) for t in texts], col_W[labels.index(label)])
        np.testing.assert_array_equal(G(matrix, "bias")[0].numbers(), [b])
        for g in G(matrix, "output"):
            k, f = _index(g.title, "out")
            np.testing.assert_allclose(g.numbers(), out[k, f])
            assert g.marked("current") == ({(oy, ox)} if k == n else set())
        (reshaped,) = G(matrix, "reshaped")
        assert reshaped.texts == [["|".join(format_number(v) for v in out[n, :, i, j]) for j in range(out.shape[3])]
                                  for i in range(out.shape[2])]
        for f in range(FN):
            assert f"= {format_number(product[r, f])} → out[{n}, {f}, {oy}, {ox}]" in text
        return

    OH = len(range(0, s.H + 2 * p - s.FH + 1, s.stride))
    OW = R // OH
    dout = ex.dout_all[:N, :FN, :OH, :OW]
    dx, _, _ = conv_backward_loops(x, W, dout, s.stride, p)
    dout_mat = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
    dcol = dout_mat @ col_W.T
    np.testing.assert_allclose(col2im_loops(dcol, x.shape, s.FH, s.FW, s.stride, p), dx)  # the route is right
    for g in G(matrix, "dout"):
        k, f = _index(g.title, "dout")
        np.testing.assert_array_equal(g.numbers(), dout[k, f])
        assert g.marked("current") == ({(oy, ox)} if k == n else set())
    assert_matrix(G(matrix, "dout-matrix"), dout_mat, R, {r}, N)
    dcol_grids = G(matrix, "dcol")
    assert_matrix(dcol_grids, dcol, R, {r}, N)
    for texts, M_row in zip(G(matrix, "col-w-t")[0].texts, col_W.T):
        shown(texts, M_row)

    window = {(oy * s.stride + i - p, ox * s.stride + j - p) for i in range(s.FH) for j in range(s.FW)}
    window = {(y, xx) for y, xx in window if 0 <= y < s.H and 0 <= xx < s.W}
    dx_grids = G(matrix, "dx")
    assert [_index(g.title, "dx") for g in dx_grids] == [(n, c) for c in range(C)]
    for c, g in enumerate(dx_grids):
        np.testing.assert_allclose(g.numbers(), dx[n, c])
        assert g.marked("window") == window
        assert g.marked("unvisited") == {(y, xx) for y in range(s.H) for xx in range(s.W) if counts[y + p, xx + p] == 0}
    # the focus cell: the window's most-copied input cell; its dcol entries are listed and marked
    inner = counts[p : p + s.H, p : p + s.W]
    focus = dx_grids[0].marked("winner")
    if not window:
        assert not focus and "이 윈도우는 패딩만 읽습니다" in text
    else:
        (fy, fx), = focus
        assert inner[fy, fx] == max(inner[y, xx] for y, xx in window)
        ids = np.arange(1, x.size + 1, dtype=float).reshape(x.shape)
        copies = {tuple(t) for t in np.argwhere(im2col_loops(ids, s.FH, s.FW, s.stride, p) == ids[n, 0, fy, fx])}
        assert len(copies) == inner[fy, fx]
        listed = " + ".join(f"dcol[{rr}, {kk}]" for rr, kk in sorted(copies))
        assert f"dx[{n}, 0, {fy}, {fx}] = {listed} = " in text
        assert f"= {format_number(dx[n, 0, fy, fx])} — 이 칸은 im2col이 {len(copies)}번 복사했으므로" in text
        for g in dcol_grids:
            for i, rr in enumerate(_rows_of(g)):
                if not isinstance(rr, Gap):
                    where = {c: j for j, c in enumerate(shown_cols(K)) if not isinstance(c, Gap)}
                    marked = {j for j, m in enumerate(g.marks[i]) if "winner" in m}
                    assert marked == {where[kk] for q, kk in copies if q == rr and kk in where}
    # col2im(im2col(x)) = counts ⊙ x: not the inverse
    roundtrip = col2im_loops(col, x.shape, s.FH, s.FW, s.stride, p)
    np.testing.assert_array_equal(G(matrix, "roundtrip")[0].numbers(), roundtrip[n, 0])
    np.testing.assert_array_equal(G(matrix, "counts")[0].numbers(), inner)
    np.testing.assert_array_equal(roundtrip, x * inner)


def _assert_pool(ex, matrix, s, x, col, r, n, oy, ox, R):
    N, C, P, p = s.N, s.C, s.FH * s.FW, s.pad
    col_pool = col.reshape(-1, P)
    winners = col_pool.argmax(axis=1)           # first largest cell of each row, as the loops
    current = {r * C + c for c in range(C)}
    out = pool_forward_loops(x, s.FH, s.FW, s.stride, p, "max")
    for g in G(matrix, "input"):
        k, c = _index(g.title, "x")
        i, j = divmod(int(winners[r * C + c]), s.FW)
        assert g.marked("winner") == ({(oy * s.stride + i, ox * s.stride + j)} if k == n else set())
    if s.mode == "pool":
        drawn = G(matrix, "pool-col")
        assert_matrix(drawn, col_pool, R * C, current, N)
        for g in drawn:
            for i, q in enumerate(_rows_of(g)):
                if not isinstance(q, Gap):
                    assert [kk for kk in range(P) if "winner" in g.marks[i][kk]] == [winners[q]]
        assert_matrix(G(matrix, "pool-max"), col_pool.max(axis=1, keepdims=True), R * C, current, N)
        for g in G(matrix, "output"):
            k, c = _index(g.title, "out")
            np.testing.assert_array_equal(g.numbers(), out[k, c])
            assert g.marked("current") == ({(oy, ox)} if k == n else set())
        return
    OH, OW = out.shape[2:]
    dout = ex.doutp_all[:N, :C, :OH, :OW]
    dx = pool_backward_loops(x, dout, s.FH, s.FW, s.stride, p, "max")
    flat = dout.transpose(0, 2, 3, 1).reshape(-1, 1)
    dmax = np.zeros_like(col_pool)
    dmax[np.arange(len(dmax)), winners] = flat[:, 0]
    assert_matrix(G(matrix, "dout-column"), flat, R * C, current, N)
    assert_matrix(G(matrix, "dmax"), dmax, R * C, current, N)
    dx_grids = G(matrix, "dx")
    assert [_index(g.title, "dx") for g in dx_grids] == [(n, c) for c in range(C)]
    for c, g in enumerate(dx_grids):
        np.testing.assert_array_equal(g.numbers(), dx[n, c])


def widget_parts(ex):
    return {part: ex.outputs[part].value for part in ex.PARTS}


# ---- the explorer ---------------------------------------------------------------------------------


def test_default_is_two_samples_of_the_books_example():
    ex = Im2colExplorer()
    v = ex.view()
    assert v.col.shape == (8, 9) and v.col_W.shape == (9, 2) and v.output.shape == (2, 2, 2, 2)
    np.testing.assert_array_equal(v.output[0, 0], [[18, 19], [9, 18]])   # 그림 7-5, now from one matrix product
    np.testing.assert_array_equal(G(v.matrix, "im2col")[0].numbers()[0], [1, 2, 3, 0, 1, 2, 3, 0, 1])
    text = T(v.matrix)
    assert "행 0 · col_W의 열 0: 1·2 + 2·0 + 3·1 + 0·0 + 1·1 + 2·2 + 3·1 + 0·0 + 1·2 + b[0] 3 = 18" in text
    assert "(N·OH·OW, C·FH·FW) = (2·2·2, 1·3·3) = (8, 9)" in T(v.shapes)
    assert "입력의 2.25배" in T(v.memory)
    assert_shown(ex, v.__dict__, ex.defaults)


@pytest.mark.parametrize("mode", MODES)
def test_the_books_shapes_in_every_mode(mode):
    """그림 7-18: one (3, 7, 7) sample with a 5x5 filter gives a (9, 75) im2col matrix."""
    ex = Im2colExplorer()
    s = Im2colSettings(mode=mode, N=1, C=3, H=7, W=7, FH=5, FW=5, FN=2, position=4)
    v = ex.view(s)
    assert v.col.shape == (9, 75)
    assert "(9, 75)" in T(v.shapes)
    assert_shown(ex, v.__dict__, s)


def test_every_control_drives_the_widgets():
    ex = Im2colExplorer()
    ex.widget
    assert_shown(ex, widget_parts(ex), ex.settings())
    modes = iter(MODES * 30)
    for control in CONTROLS:
        values = [v for _, v in control.options] if control.options else (control.hi, (control.lo + control.hi) // 2,
                                                                           control.lo)
        for value in values:
            if control.name != "mode":
                ex.set(mode=next(modes))
            ex.controls[control.name].value = value
            assert_shown(ex, widget_parts(ex), ex.settings())
        ex.set(**{control.name: getattr(Im2colSettings(), control.name)})


def test_row_pickers_and_play_are_linked():
    """Picking an output cell selects its im2col row and vice versa; ranges follow N, OH, OW."""
    ex = Im2colExplorer(H=5, W=5, N=3)          # 3x3 outputs: 27 rows
    ex.widget
    pos, play, pk = ex.controls["position"], ex.play, ex.pickers
    assert pos.max == 26 and not play.disabled
    assert [(pk[k].hi, pk[k].box.disabled) for k in ("sample", "oy", "ox")] == [(2, False), (2, False), (2, False)]
    ex.pick(sample=2, oy=1, ox=2)
    assert pos.value == 2 * 9 + 1 * 3 + 2 == 23
    assert "im2col의 행 r = 23" in T(ex.outputs["matrix"].value)
    assert_shown(ex, widget_parts(ex), ex.settings())
    ex.set(position=9)
    ex.play_step()                               # what a Play step does in the browser
    assert (pk["sample"].value, pk["oy"].value, pk["ox"].value) == (1, 0, 1)
    assert [pk[k].box.value for k in ("sample", "oy", "ox")] == ["1", "0", "1"]
    ex.pick(oy="1.5")                            # a picker says no as the sliders' boxes do
    assert pos.value == 10 and pk["oy"].box.value == "0" and "정수가 아닙니다: 1.5" in pk["oy"].note.value
    ex.pick(ox=7)                                # ... and clamps
    assert pos.value == 11 and "7 → 2" in pk["ox"].note.value and pk["oy"].note.value == ""
    ex.set(position=26)
    ex.set(N=1)                                  # 9 rows: the row is clamped, the pickers follow
    assert pos.value == pos.max == 8 and pk["sample"].box.disabled
    assert (pk["oy"].value, pk["ox"].value) == (2, 2)
    ex.set(FH=5, FW=5)                           # one window: nothing to pick
    assert pos.disabled and play.disabled and pk["oy"].box.disabled and pk["ox"].box.disabled
    ex.set(H=4, W=4, FH=6, FW=6)                 # no window fits
    assert pos.disabled and all(p.box.disabled for p in pk.values())
    ex.pick(oy=0)                                # harmless
    assert_shown(ex, widget_parts(ex), ex.settings())
    with pytest.raises(ValueError, match="no picker named 'row'"):
        ex.pick(row=1)


def test_random_walk_through_controls_and_pickers():
    rng = random.Random(74)
    ex = Im2colExplorer()
    ex.widget
    for _ in range(30):
        if rng.random() < 0.25:
            name = rng.choice(list(ex.pickers))
            ex.pick(**{name: rng.randint(0, ex.pickers[name].hi)})
        else:
            w = ex.controls[rng.choice(CONTROLS).name]
            if w.disabled:
                continue
            options = getattr(w, "options", None)
            w.value = rng.choice([v for _, v in options]) if options else rng.randint(w.min, w.max)
        assert_shown(ex, widget_parts(ex), ex.settings())


def test_invalid_stride_is_explained_and_drawn_in_floor_mode():
    ex = Im2colExplorer()
    ex.set(H=7, W=7, stride=3, mode="conv-backward")
    parts = widget_parts(ex)
    text = T(parts["explanation"])
    assert "출력 높이 OH가 정수가 아닙니다" in text and "입력의 6번 행은 어떤 윈도우도 읽지 않습니다" in text
    assert "(2·2·2, 1·3·3)" not in T(parts["shapes"])   # backward: dcol shape instead
    dropped = {(6, j) for j in range(7)} | {(i, 6) for i in range(7)}
    dx = G(parts["matrix"], "dx")[0]
    assert dx.marked("unvisited") == dropped and all(dx.numbers()[c] == 0 for c in dropped)  # no gradient there
    assert_shown(ex, parts, ex.settings())
    ex.set(mode="conv")
    assert G(ex.outputs["matrix"].value, "input")[0].marked("unvisited") == dropped
    ex.set(mode="pool", FH=2, FW=2, stride=2)   # (7 − 2)/2: the formula names the pooling window
    assert "분자 H + 2P − pool_h = 7 + 2·0 − 2 = 5" in T(ex.outputs["explanation"].value)
    assert_shown(ex, widget_parts(ex), ex.settings())


EXPLORER = Im2colExplorer()


@settings(max_examples=40, deadline=None)
@given(settings_of(CONTROLS, Im2colSettings))
@example(Im2colSettings(mode="conv-backward", N=3, C=3, H=12, W=12, FH=6, FW=6, pad=3, FN=3, position=500))  # 108 columns
@example(Im2colSettings(mode="pool-backward", N=1, C=2, H=7, W=7, FH=3, FW=3, stride=3))    # floor mode
@example(Im2colSettings(mode="pool", H=2, W=3, FH=5, FW=2))                                # no window fits
def test_any_setting_is_explained_and_drawn_from_the_loops_numbers(s):
    """Every setting (hypothesis over the whole ranges): no exception, every invalid setting explained, every
    number the view draws equal to the plain loops'."""
    v = EXPLORER.view(s)
    assert_explanation(v.explanation, v.geometry.checks)
    if not v.geometry.fits:
        assert v.col is None and "윈도우가 들어가지 않아" in v.matrix
        return
    assert v.col.shape == (v.window_count, s.C * s.FH * s.FW) and v.counts.sum() * s.N * s.C == v.col.size
    assert_shown(EXPLORER, v.__dict__, s)


@settings(max_examples=40, deadline=None)
@given(settings_of(CONTROLS, Im2colSettings, mode="pool-backward"))
def test_the_books_pooling_route_is_fast_poolings(s):
    """The pooling views draw the book's route (im2col, the max of each row, argmax routing, col2im); it
    gives FastPooling's output, argmax and gradient — checked here, not in the view."""
    v = EXPLORER.view(s)
    if not v.geometry.fits:
        return
    fast = FastPooling(s.FH, s.FW, s.stride, s.pad, floor=v.geometry.drawn_in_floor_mode)
    x = EXPLORER.input(s)
    np.testing.assert_array_equal(v.output, fast.forward(x))
    np.testing.assert_array_equal(v.arg_max, fast.arg_max.transpose(0, 2, 3, 1).ravel())
    np.testing.assert_array_equal(v.dx, fast.backward(v.dout))


def test_widgets_have_stable_labels_and_classes():
    ex = Im2colExplorer()
    box = ex.widget
    assert "cnnlib-im2col" in box._dom_classes
    assert set(ex.live_view.names) == {"formula", "shapes", "explanation", "matrix", "memory"}
    for name, w in ex.controls.items():
        assert f"cnnlib-im2col-control-{name}" in w._dom_classes
    for name, p in ex.pickers.items():
        assert f"cnnlib-im2col-pick-{name}" in p.box._dom_classes and "cnnlib-im2col-picker" in p.box._dom_classes
    descriptions = [w.description for w in ex.controls.values()] + [p.box.description for p in ex.pickers.values()]
    assert len(set(descriptions)) == len(descriptions) and all(descriptions)
    assert "cnnlib-im2col-play" in ex.play._dom_classes
    bar = next(c for c in box.children if "cnnlib-bar" in c._dom_classes)       # the line that stays in view
    assert ex.play in bar.children and ex.pickers["sample"].box in bar.children


def test_pooling_views_name_the_pooling_window_and_hide_fn():
    ex = Im2colExplorer()
    ex.widget
    hidden = lambda: "cnnlib-hidden" in ex.numbers["FN"].widget._dom_classes   # noqa: E731
    assert ex.controls["FH"].description == "필터 높이 FH" and not hidden()
    ex.set(mode="pool")
    assert ex.controls["FH"].description == "풀링 높이 FH" and ex.controls["FW"].description == "풀링 너비 FW"
    assert hidden()
    ex.set(mode="conv-backward")
    assert ex.controls["FW"].description == "필터 너비 FW" and not hidden()


def test_controls_are_the_convolution_explorers():
    conv = {c.name: c for c in CONV_CONTROLS}
    for c in CONTROLS:
        if c.name in ("mode", "position"):
            continue
        assert (c.description, c.lo, c.hi) == (conv[c.name].description, conv[c.name].lo, conv[c.name].hi)
    assert {f.name for f in fields(Im2colSettings)} == {c.name for c in CONTROLS}
    assert {name for name, _ in PICKERS} == {"sample", "oy", "ox"}
    # the largest im2col row exists: N * (H + 2P) * (W + 2P) rows with a 1x1 filter
    hi = {c.name: c.hi for c in CONTROLS if not c.options}
    assert hi["position"] == hi["N"] * (hi["H"] + 2 * hi["pad"]) * (hi["W"] + 2 * hi["pad"]) - 1


def test_static_view_and_repr():
    ex = Im2colExplorer()
    static = ex.static_html()
    assert static == Im2colExplorer().static_html()
    ex.widget
    assert {p: ex.outputs[p].value for p in ex.PARTS} == ex.live_html(ex.defaults)
    assert repr(ex) == "Im2colExplorer(mode=conv, N=2, C=1, H=4, W=4, FH=3, FW=3, P=0, S=1, FN=2, r=0)"
    assert ex._repr_mimebundle_()["text/html"] == static
    with pytest.raises(ValueError, match="mode must be one of"):
        Im2colExplorer(mode="average")
    with pytest.raises(ValueError, match=r"\(n, oy, ox\) = \(0, 2, 0\) is outside"):
        ex.row_index(ex.defaults, 0, 2, 0)


# ---- the axes drawing ------------------------------------------------------------------------------


