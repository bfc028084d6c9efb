"""The AlexNet input-size explorer driven headless as a learner would (every control value)."""

from __future__ import annotations

import functools
import re

import pytest

from cnnlib.alexnet import ALEXNET
from cnnlib.architecture import LayerSizeError, layer_table
from cnnlib.shapes import shape_text
from cnnlib.explorers import AlexNetExplorer, AlexNetSettings
from cnnlib.explorers.alexnet import BATCHES, COLUMNS, CONTROLS, megabytes
from cnnlib.shapes import check_output_size

from explorer_html import grids, visible_text

SIZE = CONTROLS[0]
ALL_SIZES = range(SIZE.lo, SIZE.hi + 1)


def table_or_error(size):
    try:
        return layer_table(ALEXNET, size), None
    except LayerSizeError as e:
        return e.rows, e


def number(text):
    return int(text.replace(",", ""))


@functools.cache
def brute_force_valid_sizes():
    """Every size in the control's range whose layer_table does not raise."""
    return [s for s in ALL_SIZES if table_or_error(s)[1] is None]


def assert_shows(ex, size, batch):
    """What the learner sees equals layer_table's numbers (or its error) for this size and batch."""
    shown = {part: w.value for part, w in ex.outputs.items()}
    (table,) = grids(shown["table"], role="alexnet")
    summary, explanation = visible_text(shown["summary"]), visible_text(shown["explanation"])
    rows, error = table_or_error(size)
    assert f"입력 {size}×{size}×3, 배치 {batch}" in table.title
    assert f"({batch}, 3, {size}, {size})" in summary
    for cells, r in zip(table.texts, rows):
        assert len(cells) == len(COLUMNS)
        assert cells[0] == r["name"] and cells[1] == shape_text(r["shape"], "×")
        if r["kind"] != "input":
            assert number(cells[2]) == r["params"]
            assert number(cells[4]) == r["macs"] * batch
        assert cells[6] == (megabytes(r["im2col_bytes"] * batch) if r["im2col_bytes"] else "")

    if error is None:
        params, macs = sum(r["params"] for r in rows), sum(r["macs"] for r in rows)
        assert [c[0] for c in table.texts] == ["input"] + [s.name for s in ALEXNET] + ["합계"]
        total = table.texts[-1]
        assert number(total[2]) == params and number(total[4]) == macs * batch
        assert total[6] == "최대 " + megabytes(max(r["im2col_bytes"] for r in rows) * batch)
        for col, key in ((3, "params"), (5, "macs")):
            shares = [float(c[col].rstrip("%")) for c in table.texts[1:-1] if c[col]]
            assert abs(sum(shares) - 100) <= 0.05 * len(shares)  # each share rounded to 0.1 %
            for cells, r in zip(table.texts[1:-1], rows[1:]):
                assert (cells[col] == "") == (r[key] == 0)
        most_params = max(range(len(rows)), key=lambda i: rows[i]["params"])
        most_macs = max(range(len(rows)), key=lambda i: rows[i]["macs"])
        assert table.marked("window") == {(most_params, 2), (most_macs, 4)}
        assert f"{params:,}" in summary and f"{macs * batch:,}" in summary
        spatial = [str(r["shape"][1]) for r in rows if r["kind"] in ("input", "conv", "pool")]
        assert "✓ 모든 층의 출력 크기가 정수입니다" in explanation and " → ".join(spatial) in explanation
        assert "✗" not in explanation + summary
        return

    # the table stops at the failing layer; the layers after it cannot be computed
    failing = len(rows)
    spec = error.layer
    names = [c[0] for c in table.texts]
    assert names == ["input"] + [s.name for s in ALEXNET]
    assert table.texts[failing][1] == "✗ 정수가 아님"
    assert table.marked("current") == {(failing, c) for c in range(len(COLUMNS))}
    assert all(c[1] == "—" for c in table.texts[failing + 1 :])
    assert table.marked("window") == set()
    assert f"✗ {spec.name}에서 멈춤" in summary

    # the explanation names the layer and its input and explains its formula with the numbers
    C, H, W = error.input_shape
    assert f"✗ {spec.name} (" in explanation and f"입력 {C}×{H}×{W})에서 멈춥니다" in explanation
    pad = spec.pad if spec.kind == "conv" else 0
    check = check_output_size(H, spec.size, spec.stride, pad, kind=spec.kind, dim="H")
    assert not check.valid
    if check.numerator < 0:
        assert "윈도우가 하나도 들어가지 않아" in explanation
    else:
        assert f"{check.numerator} ÷ {check.stride}의 나머지는 {check.remainder}입니다" in explanation
    layer = "Convolution" if spec.kind == "conv" else "Pooling"
    assert f"이 설정을 {layer} 계층에 주면 같은 이유로 오류(ValueError)가 납니다" in explanation   # Korean, folded
    # an input-size explorer suggests input sizes (and paddings), never another stride of the network
    assert not re.search(r"올바른 값[^.]*스트라이드", explanation)
    valid = brute_force_valid_sizes()
    nearest = sorted(sorted(valid, key=lambda v: (abs(v - size), v))[:2])
    assert f"모든 층을 통과하는 가장 가까운 입력 크기: {nearest[0]} 또는 {nearest[1]}" in explanation
    assert "빨간 칸" not in explanation  # no grid here to paint red


def test_every_input_size_as_a_learner_moves_the_slider():
    ex = AlexNetExplorer()
    ex.widget
    assert ex.play is None  # no window positions: no Play button
    for size in ALL_SIZES:
        ex.set(input_size=size)
        assert_shows(ex, size, 1)


@pytest.mark.parametrize("size", [227, 224, 231, 259, 32])
def test_every_batch_option(size):
    ex = AlexNetExplorer()
    ex.set(input_size=size)
    for _, batch in BATCHES:
        ex.set(batch=batch)
        assert_shows(ex, size, batch)


def test_default_and_static_view_match_the_published_figures():
    ex = AlexNetExplorer()
    static = ex.static_html()
    (table,) = grids(static, role="alexnet")
    rows = {c[0]: c for c in table.texts}
    assert rows["conv1"][1] == "96×55×55" and rows["pool5"][1] == "256×6×6"
    assert rows["합계"][2] == "60,965,224"
    assert 'class="cnnlib-alexnet-static"' in static
    ex.widget
    assert {p: ex.outputs[p].value for p in ex.PARTS} == ex.live_html(ex.defaults)   # the same view, live
    assert_shows(ex, 227, 1)
    text = visible_text(ex.outputs["explanation"].value)
    assert "224로 옮겨 보세요" in text


def test_224_explains_the_papers_puzzle():
    view = AlexNetExplorer().view(AlexNetSettings(input_size=224))
    assert view.error.layer.name == "conv1" and view.rows[-1]["name"] == "input"
    text = visible_text(view.explanation)
    assert "213/4 + 1" in text and "213 ÷ 4의 나머지는 1입니다" in text
    assert "패딩으로 해결할 수 없습니다" in text and "스트라이드 S = 1, 3" not in text   # (issue 28: off-topic)
    assert "모든 층을 통과하는 가장 가까운 입력 크기: 195 또는 227" in text
    assert "54.25" in text and "(227 − 11)/4 + 1 = 55" in text
    assert view.nearest_valid == (227, 195)


def test_labels_and_css_classes_for_the_browser():
    ex = AlexNetExplorer()
    ex.widget
    assert ex.controls["input_size"].description == "입력 크기"
    assert ex.controls["batch"].description == "배치 크기"
    assert [label for label, _ in BATCHES] == [str(v) for _, v in BATCHES]
    assert set(ex.live_view.names) == {"summary", "table", "explanation"}
    assert "cnnlib-alexnet" in ex.widget._dom_classes
    assert "cnnlib-alexnet-control-input_size" in ex.controls["input_size"]._dom_classes


def test_bad_settings_are_refused_clearly():
    with pytest.raises(ValueError, match="input_size must be a whole number from 32 to 323; got 500"):
        AlexNetExplorer(input_size=500)
    with pytest.raises(ValueError, match=r"batch must be one of \[1, 32, 128\]; got 7"):
        AlexNetExplorer().view(AlexNetSettings(batch=7))




def test_explanation_without_a_grid_points_at_no_red_cells():
    from cnnlib.explorers.explain import explain_html, explain_text

    c = check_output_size(224, 11, 4)
    assert "(빨간 칸)" in explain_text(c)  # the grid explorers' wording is unchanged
    assert explain_text(c, grid=False) == explain_text(c).replace("(빨간 칸)", "")
    assert "빨간 칸" not in explain_html(c, grid=False) and "223번 행" in explain_html(c, grid=False)


def test_valid_sizes_are_quick_choices_and_a_typed_size_is_clamped_and_said_so():
    ex = AlexNetExplorer()
    ex.widget
    number = ex.numbers["input_size"]
    quick = [b for b in number.widget.children if "cnnlib-alexnet-quick" in b._dom_classes]
    assert [int(b.description) for b in quick] == list(ex.valid_sizes) == brute_force_valid_sizes()
    quick[0].click()
    assert ex.controls["input_size"].value == ex.valid_sizes[0]
    number.box.value = "999"                        # typed past the end
    assert ex.controls["input_size"].value == 323 and number.box.value == "323"
    assert "999 → 323 (가장 큰 값은 323, 범위 32–323)" in number.note.value     # said beside the box
    number.box.value = "224.0"                      # not a whole number: refused, the value kept
    assert ex.controls["input_size"].value == 323 and "정수가 아닙니다: 224.0" in number.note.value
    ex.set(batch=32)                                 # the next change clears the note
    assert number.note.value == ""


def test_the_table_header_is_readable_text():
    """Column names in a readable size and colour (they were 10 px grey index labels)."""
    static = AlexNetExplorer().static_html()
    header = static.split("<tr>")[1]
    assert header.count('class="g-th g-head"') == len(COLUMNS) and "font:bold 12px/1.3 sans-serif" in header
    assert "color:#374151" in header
