"""Notebook 7.4 as committed (executed): every number its prose states is the one its outputs show and
the library computes, and its explorer's modes are introduced only after the idea they draw is taught.

These checks replace the asserts that only guarded the notebook's numbers; they read the stored
outputs, so they fail when the prose and an output disagree (e.g. after re-executing the timing cell)."""

import re

import numpy as np
import pytest

from cnnlib import Pooling, col2im, im2col
from cnnlib.explorers import Im2colExplorer, Im2colSettings
from cnnlib.reference import conv_forward_loops
from cnnlib.tutor import starter

import executed_notebook
from executed_notebook import number

NB = executed_notebook.Notebook("7.4-implementing-conv-pooling.ipynb")
CELLS = NB.cells
source, output = NB.source, NB.output


def markdown_index(text):
    """Index of the first markdown cell containing text."""
    hits = [i for i, c in enumerate(CELLS) if c["cell_type"] == "markdown" and text in "".join(c["source"])]
    assert hits, f"no markdown cell mentions {text!r}"
    return hits[0]


def code_index(text):
    hits = [i for i, c in enumerate(CELLS) if c["cell_type"] == "code" and "".join(c["source"]).strip() == text.strip()]
    assert len(hits) == 1, f"expected one code cell equal to the given text, found {len(hits)}"
    return hits[0]


def test_notebook_is_executed_without_errors():
    for cell in CELLS:
        if cell["cell_type"] == "code":
            assert cell.get("execution_count"), f"cell {cell['id']} was not executed"
            assert not [o for o in cell.get("outputs", []) if o.get("output_type") == "error"], cell["id"]


def test_figure_7_19_example_gives_the_output_of_figure_7_3():
    """The core's one-matrix-product example: printed result = 그림 7-3's output = the definition by loops."""
    x = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]], dtype=float).reshape(1, 1, 4, 4)
    W = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]], dtype=float).reshape(1, 1, 3, 3)
    expected = conv_forward_loops(x, W, np.zeros(1))[0, 0]
    assert expected.tolist() == [[15, 16], [6, 15]]  # 그림 7-3
    assert (im2col(x, 3, 3) @ W.reshape(1, -1).T).reshape(2, 2).tolist() == expected.tolist()
    assert "→ 2×2로: [[15.0, 16.0], [6.0, 15.0]]" in output("1ee214c7")
    assert "그림 7-3의 출력과 같습니다" in source("dae978c9")


def test_explorer_default_is_the_book_example_as_a_matrix_product():
    view = Im2colExplorer().view()
    assert view.col.shape == (8, 9) and view.output[0, 0].tolist() == [[18, 19], [9, 18]]  # 그림 7-5: bias 3
    explorer = Im2colExplorer()
    book_718 = explorer.view(Im2colSettings(N=1, C=3, H=7, W=7, FH=5, FW=5, FN=2, position=4))
    assert book_718.col.shape == (9, 75) and book_718.cell == (0, 1, 1)
    assert "im2col: (9, 75)" in output("ed95a6d1") and "행 4 = 출력 칸 (0, 1, 1)" in output("ed95a6d1")


def test_book_example_shapes():
    rng = np.random.default_rng(0)
    assert im2col(rng.random((1, 3, 7, 7)), 5, 5).shape == (9, 75)
    assert im2col(rng.random((10, 3, 7, 7)), 5, 5).shape == (90, 75)
    assert output("79188a1d").split() == ["(9,", "75)", "(90,", "75)"]
    text = source("9bafbb9c")
    assert "3·5·5 = 75개" in text and "3·3 = 9개" in text and "90개" in text


def test_printed_checks_all_hold():
    """Cells that print a comparison instead of asserting it: the stored output says True where it should."""
    expect_true = {
        "6500a5c9": ["cnnlib의 im2col과 같다: True", "복사됨: True"],
        "217def3f": ["복사 없음): True"],
        "2a9e35ca": ["아직 복사 없음: True"],
        "a6486cfb": ["cnnlib의 2단계와 같은 배열: True", "cnnlib의 im2col과 같다: True"],
        "cfa874f3": ["반복문으로 계산한 값과 정확히 같다: True"],
        "fddf7a80": ["== 복사 횟수 ⊙ x: True"],
        "70781506": ["dx: 수치 미분과의 상대 오차 < 1e-7 → True", "dW: 수치 미분과의 상대 오차 < 1e-7 → True",
                     "db: 수치 미분과의 상대 오차 < 1e-7 → True"],
        "34f00944": ["FastPooling과 같은 출력: True", "같은 칸을 고른다: True", "반복문과 같은 출력: True"],
        "ee1557d5": ["FastPooling과 같은 dx: True", "반복문과 같은 dx: True"],
        "0c42315d": ["FastPooling과 같은 dx: True"],
        "2b531dff": ["상대 오차 < 1e-7 → True", "dx가 같다 → True"],
    }
    for cell_id, texts in expect_true.items():
        out = output(cell_id)
        for text in texts:
            assert text in out, f"cell {cell_id}: {text!r} not in its output"
    assert "col2im(im2col(x)) == x            : False" in output("fddf7a80")


def test_copy_counts_as_stated():
    counts = col2im(np.ones((25, 27)), (1, 3, 5, 5), 3, 3, stride=1, pad=1)[0, 0]
    assert (counts[0, 0], counts[0, 2], counts[2, 2]) == (4, 6, 9)
    assert "모서리 칸은 4번, 가장자리 칸은 6번, 가운데 칸은 9번" in source("278db543")
    assert "[[4. 6. 6. 6. 4.]" in output("fddf7a80")
    # the explorer's backward picture: dx[0, 0, 1, 1] sums four dcol entries
    view = Im2colExplorer().view(Im2colSettings(mode="conv-backward", position=3))
    assert view.focus == (0, 0, 1, 1) and len(view.focus_terms) == 4
    assert np.isclose(sum(t[2] for t in view.focus_terms), view.dx[view.focus])
    assert "dx[0, 0, 1, 1]은 네 윈도우 모두에 들어 있으므로 dcol의 원소 네 개를" in source("278db543")


def test_the_tie_is_in_window_1_0_of_channel_1():
    """The prose names the one row of 그림 7-14's pooling matrix whose maximum appears twice."""
    x = np.array([[[[1, 2, 1, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 4, 0, 1]],
                   [[3, 0, 6, 5], [4, 2, 4, 3], [3, 0, 1, 0], [2, 3, 3, 1]]]], dtype=float)
    book = Pooling(2, 2, stride=2)
    out = book.forward(x)
    ties = [r for r, row in enumerate(book.col_pool) if (row == row.max()).sum() > 1]
    assert ties == [5]
    # rows are (oh, ow, c): row 5 is output cell (1, 0) of channel 1
    assert book.col_pool[5].tolist() == x[0, 1, 2:4, 0:2].ravel().tolist() == [3, 0, 2, 3] and book.arg_max[5] == 0
    assert out[0, 0].tolist() == [[2, 3], [4, 2]]  # 그림 7-14
    text = source("5a939fab")
    assert "행 5는 채널 1의 윈도우 (1, 0)인 [3, 0, 2, 3]" in text and "[[2, 3], [4, 2]]" in text
    assert "행 5: [3.0, 0.0, 2.0, 3.0]  argmax 0" in output("34f00944")


def test_overlapping_pooling_gradient_sum():
    x = np.array([[[[1, 2, 1], [3, 9, 4], [0, 5, 2]]]], dtype=float)
    book = Pooling(2, 2, stride=1)
    book.forward(x)
    dx = book.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    assert dx[0, 0, 1, 1] == 10 and dx.sum() == 10
    assert "1 + 2 + 3 + 4 = 10" in source("29cbd9e6") and "[ 0. 10.  0.]" in output("ee1557d5")


def test_speed_prose_quotes_the_timing_output():
    """The timing cell is not compared by nbval (NBVAL_IGNORE_OUTPUT): its prose must quote what it printed,
    and say the true thing about it: im2col's time grows much more slowly than the loops'."""
    out = output("58a1b380")
    rows = {int(m.group(1)): (float(m.group(2)), float(m.group(3)), float(m.group(4)))
            for m in re.finditer(r"^\s*(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)배$", out, re.M)}
    assert sorted(rows) == [8, 12, 16, 24, 32]
    cells, loop_growth, im2col_growth = (
        number(r"출력 칸 (\d+)배\)", out), number(r"반복문의 시간 ([\d.]+)배", out), number(r"im2col의 시간 ([\d.]+)배", out))
    assert cells == 16 and loop_growth == pytest.approx(rows[32][0] / rows[8][0], rel=0.02)  # the table is rounded
    assert im2col_growth == pytest.approx(rows[32][1] / rows[8][1], rel=0.02)
    text = source("8422a203")
    # "어느 크기에서든 ... 수십 배 넘게 빠릅니다"; "출력 칸이 16배 ... 반복문의 시간은 여러 배로 늘지만 im2col의 시간은
    # 그보다 훨씬 적게": the prose quotes no timing, it states what every run of this cell shows
    assert "수십 배 넘게" in text and min(ratio for _, _, ratio in rows.values()) >= 20
    assert number(r"출력 칸이\s*(\d+)배", text) == cells
    assert loop_growth >= 4 and loop_growth >= 3 * im2col_growth
    assert "CPU 2개" in text


def test_memory_prose_matches_the_shapes():
    for H in (8, 12, 16, 24, 32):
        x = np.zeros((2, 3, H, H))
        assert im2col(x, 3, 3, stride=1, pad=1).nbytes == 9 * x.nbytes
    out = output("84c9cac6")
    assert out.count("9.00배") == 5 and "im2col (5760, 25) 576.0 kB (18.4배)" in out
    assert "정확히 9배" in source("9466b1c2") and "9배를 씁니다" in source("8422a203")


def test_exercise_answers_are_the_library_s():
    answers = source("b24212b9")
    assert im2col(np.zeros((2, 3, 10, 10)), 3, 3, stride=1, pad=1).shape == (200, 27) and "1. (200, 27)" in answers
    counts = col2im(np.ones((9, 9)), (1, 1, 5, 5), 3, 3)[0, 0]
    assert (counts[2, 2], counts[0, 0]) == (9, 1) and "2. (9, 1)" in answers
    row_axes, book_axes = ("N", "OH", "OW", "C", "FH", "FW"), ("N", "C", "FH", "FW", "OH", "OW")
    back = tuple(row_axes.index(a) for a in book_axes)
    assert back == (0, 3, 4, 5, 1, 2) and "3. (0, 3, 4, 5, 1, 2)" in answers
    book = Pooling(2, 2, stride=2)
    book.forward(np.zeros((100, 30, 24, 24), dtype=np.float32))
    assert book.col_pool.shape == (432_000, 4) and "432,000행" in answers


def test_explorer_modes_come_after_their_idea():
    """The backward views are introduced after the backward pass is taught (the conv_backward exercise),
    the pooling views in the pooling section; the explorer's intro mentions only the forward view."""
    intro = source("dae978c9")
    assert "합성곱 순전파" in intro and "역전파" not in intro and "풀링" not in intro
    conv_backward = code_index(starter("conv_backward"))
    first_backward = min(i for i, c in enumerate(CELLS)
                         if c["cell_type"] == "markdown" and "합성곱 역전파" in "".join(c["source"]))
    taught = markdown_index("역전파는 Affine 계층과 같은 행렬 곱")
    assert taught <= first_backward < conv_backward + 5
    if first_backward == taught:  # the same cell: the backward pass is said first, then the view is named
        text = "".join(CELLS[taught]["source"])
        assert text.index("Affine") < text.index("col2im") < text.index("합성곱 역전파")
    first_pool_view = min(i for i, c in enumerate(CELLS)
                          if c["cell_type"] == "markdown" and "**최대 풀링**" in "".join(c["source"]))
    assert first_pool_view >= markdown_index("## 7.4.4 풀링 계층 구현하기")


def test_no_guard_asserts_left_in_the_notebook():
    """Asserts that only guarded the notebook's numbers live here now; the one left checks that the fast
    layer agrees with the loops before it is timed (what a learner would check)."""
    asserts = [c["id"] for c in CELLS if c["cell_type"] == "code" and re.search(r"^\s*assert ", "".join(c["source"]), re.M)]
    assert asserts == ["58a1b380"]
