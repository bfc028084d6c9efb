"""Notebook 7.4 as committed (executed): every number its prose states is the one its outputs show and
the library computes, and its explorer's modes are introduced only after the idea they draw is taught.

These checks replace the asserts that only guarded the notebook's numbers; they read the stored
outputs, so they fail when the prose and an output disagree (e.g. after re-executing the timing cell)."""

import ast
import builtins
import re

import numpy as np
import pytest

from cnnlib import Pooling, col2im, im2col
from cnnlib.explorers import Im2colExplorer, Im2colSettings
from cnnlib.im2col import window_view
from cnnlib.reference import conv_forward_loops
from cnnlib.tutor import starter

import executed_notebook
import reading_model as rm
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
    text = source("74a00001")
    assert "3·5·5 = 75개" in text and "3·3 = 9개" in text and "90개" in text and "(N·OH·OW, C·FH·FW)" in text


def test_printed_checks_all_hold():
    """Cells that print a comparison instead of asserting it: the stored output says True where it should."""
    expect_true = {
        "6500a5c9": ["cnnlib의 im2col과 같다: True", "복사됨: True"],
        "217def3f": ["복사 없음): True"],
        "2a9e35ca": ["아직 복사 없음: True"],
        "a6486cfb": ["cnnlib의 2단계와 같은 배열: True", "cnnlib의 im2col과 같다: True",
                     "window_view, 패딩 0: True | 패딩 1: False | 책의 np.pad, 패딩 0: False"],
        "cfa874f3": ["반복문으로 계산한 값과 정확히 같다: True"],
        "fddf7a80": ["== 복사 횟수 ⊙ x: True"],
        "70781506": ["dx: 수치 미분과의 상대 오차 < 1e-7 → True", "dW: 수치 미분과의 상대 오차 < 1e-7 → True",
                     "db: 수치 미분과의 상대 오차 < 1e-7 → True"],
        "74c00002": ["FastPooling과 같은 출력: True", "같은 칸을 고른다: True", "반복문과 같은 출력: True"],
        "74c00006": ["FastPooling과 같은 dx: True", "반복문과 같은 dx: True"],
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
    assert "dx[0, 0, 1, 1]은 네 윈도우 모두에 들어 있으므로 dcol의 원소 네 개를" in source("74a00009")


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
    """The timing cell is not compared by nbval (tag nbval-ignore-output): its prose must quote what it printed,
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


def test_memory_prose_matches_the_shapes():
    for H in (8, 12, 16, 24, 32):
        x = np.zeros((2, 3, H, H))
        assert im2col(x, 3, 3, stride=1, pad=1).nbytes == 9 * x.nbytes
    out = output("84c9cac6")
    assert out.count("9.00배") == 5 and "(10, 1, 28, 28) (float32), 5×5 필터: 입력 31.4 kB → im2col (5760, 25) 576.0 kB (18.4배)" in out
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
    """The backward views are named only after the backward pass is taught (7.4.3's "역전파에서는 col2im"),
    the pooling views in the pooling section; the explorer's intro mentions only the forward view."""
    intro = source("dae978c9")
    assert "합성곱 순전파" in intro and "역전파" not in intro and "풀링" not in intro
    taught = markdown_index("역전파는 Affine 계층(5장)과 같은 행렬 곱")
    first_backward = min(i for i, c in enumerate(CELLS)
                         if c["cell_type"] == "markdown" and "합성곱 역전파" in "".join(c["source"]))
    assert taught < first_backward
    first_pool_view = min(i for i, c in enumerate(CELLS)
                          if c["cell_type"] == "markdown" and "**최대 풀링" in "".join(c["source"]))
    assert first_pool_view > markdown_index("## 7.4.4 풀링 계층 구현하기")


def test_no_guard_asserts_left_in_the_notebook():
    """Asserts that only guarded the notebook's numbers live here now; the one left checks that the fast
    layer agrees with the loops before it is timed (what a learner would check)."""
    asserts = [c["id"] for c in CELLS if c["cell_type"] == "code" and re.search(r"^\s*assert ", "".join(c["source"]), re.M)]
    assert asserts == ["58a1b380"]


# ---- the first half of the seminar's session 2 (issue 27) --------------------------------------------

ROOM = ("conv_forward", "pool_backward")            # done in the room: im2col-based forward, pooling
HOMEWORK = ("im2col", "conv_backward", "col2im")    # under the 숙제 heading, still checked by the tutor
# Session 2 is 7.4 + 7.5 in at most 90 minutes; 7.5's path aims at about 35, so 7.4's may take 50.
PATH_LIMIT_MINUTES = 50


def on_path():
    return set(rm.path_cells({"cells": CELLS}))


def index_of(cell_id):
    (i,) = [i for i, c in enumerate(CELLS) if c["id"] == cell_id]
    return i


def check_index(name):
    (i,) = [i for i, n in rm.exercise_cells({"cells": CELLS}).items() if n == name]
    return i


def test_first_cell_names_the_session_and_the_path_minutes():
    minutes = rm.path_minutes(executed_notebook.NOTEBOOKS / "7.4-implementing-conv-pooling.ipynb")
    assert minutes <= PATH_LIMIT_MINUTES
    text = source(CELLS[0]["id"])
    assert "세미나 2회차 (7.4–7.5)" in text and "(../docs/seminar.md)" in text
    assert abs(number(r"약\s*(\d+)\s*분", text) - minutes) <= 1


def test_room_exercises_on_the_path_and_the_others_under_homework():
    path, checks = on_path(), rm.exercise_cells({"cells": CELLS})
    assert sorted(checks.values()) == sorted(ROOM + HOMEWORK)
    assert {name for i, name in checks.items() if i in path} == set(ROOM)
    homework = markdown_index("## 숙제")
    assert "".join(CELLS[homework]["source"]).startswith("## 숙제")
    after = [i for i, c in enumerate(CELLS) if i > homework and c["cell_type"] == "markdown"
             and re.match(r"#{1,2} ", "".join(c["source"]))]
    for name in HOMEWORK:  # inside the 숙제 section: after its heading, before the next heading of its level
        assert homework < check_index(name) < min(after)
    assert "숙제" in source(CELLS[0]["id"])


def test_explanation_comes_before_the_exercise_that_uses_it():
    """Each room exercise follows, on the path, the explanation and the book's example it needs."""
    path = on_path()
    conv = check_index("conv_forward")
    # the book's 7.4.3 example with the general shape, its explorer picture (그림 7-18), the four steps
    for cell_id in ("74a00001", "79188a1d", "ed95a6d1", "07ce79e3"):
        assert index_of(cell_id) in path and index_of(cell_id) < conv, cell_id
    assert "필터 하나가 열 하나" in source("07ce79e3") and "(N, FN, OH, OW)" in source("07ce79e3")
    pool = check_index("pool_backward")
    # why col2im adds (with the copy counts), the pooling forward on 그림 7-14, the dmax worked example
    for cell_id in ("d3ee8769", "fddf7a80", "278db543", "779e4ed4", "34f00944", "74a00003", "ee1557d5", "29cbd9e6"):
        assert index_of(cell_id) in path and index_of(cell_id) < pool, cell_id
    assert "돌려보내 더합니다" in source("d3ee8769") and "dmax" in source("74a00003")
    assert "더합니다" in source("74a00003")


def _names(tree):
    """(names the code binds, names it reads)."""
    bound, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, (ast.Store, ast.Del)) else read).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
    return bound, read


def test_the_path_needs_nothing_from_the_skipped_sections():
    """A learner who skips every 심화 and 숙제 section can run the path in order: every name a path cell
    reads is bound by an earlier path cell (or the cell itself)."""
    bound = set(dir(builtins))
    for i in sorted(on_path()):
        if CELLS[i]["cell_type"] != "code":
            continue
        here, read = _names(ast.parse(source(CELLS[i]["id"])))
        bound |= here
        assert read <= bound, f"path cell {i} reads {sorted(read - bound)}, bound only off the path"


def test_one_copy_fewer_than_the_book():
    """c30 said cnnlib copies "only once"; with padding np.pad copies too. The prose now counts both."""
    x = np.arange(32.0).reshape(1, 2, 4, 4)
    assert np.shares_memory(window_view(x, 2, 2), x) and not np.shares_memory(window_view(x, 2, 2, pad=1), x)
    assert not np.shares_memory(np.pad(x, [(0, 0)] * 4), x)  # the book's np.pad copies even with pad 0
    text = source("0a1bd39d")
    assert "패딩이 있으면 책보다 복사가 한 번" in text and "패딩이 없으면 두 번 적습니다" in text
    assert not any("한 번만 복사" in "".join(c["source"]) for c in CELLS)


def test_learner_text_speaks_only_to_learners():
    for i, cell in enumerate(CELLS):
        text = "".join(cell["source"])
        for word in ("nbval", "NBVAL", "테스트", "CPU", "부하", "기록", "이 기계", "bench/"):
            assert word not in text, f"cell {i}: {word!r}"
    (timing,) = [c for c in CELLS if "perf_counter" in "".join(c["source"])]
    assert timing["metadata"].get("tags") == ["nbval-ignore-output"]


GLOSS = re.compile(r"[가-힣]\(([A-Za-z][A-Za-z \-]*)\)")


def test_each_english_gloss_once_and_no_got_as_namely():
    glosses = [m.group(1) for c in CELLS for m in GLOSS.finditer("".join(c["source"]))]
    assert len(glosses) == len(set(glosses)), glosses
    for i, cell in enumerate(CELLS):
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"])
            assert not re.search(r"곧(?!바로)", text), f"cell {i}: '곧' meaning 즉"
            assert all(len(GLOSS.findall(line)) < 3 for line in text.splitlines())


def test_quiz_cells_show_my_answer_first():
    """The hint and the code computing the answer sit in the next cell, its source folded."""
    quizzes = [i for i, c in enumerate(CELLS) if c["cell_type"] == "code" and "my_answer =" in "".join(c["source"])]
    assert len(quizzes) == 4
    for i in quizzes:
        text = source(CELLS[i]["id"])
        assert text.startswith("my_answer = None") and "check(" not in text and "hint" not in text
        nxt = CELLS[i + 1]
        assert nxt["metadata"].get("jupyter", {}).get("source_hidden") is True
        assert "check(my_answer" in source(nxt["id"]) and "아직 답이 없습니다" in output(nxt["id"])
