"""Notebook 7.2 as committed (executed): every number its prose states is in an output beside it, and the
outputs agree with the library. These checks replace the asserts that only guarded the notebook's numbers; the
two asserts left compare a result with the book's figure, as a learner would."""

import re

import numpy as np
import pytest

from cnnlib import Convolution, check_output_size, col2im, conv_output_shape, conv_output_size
from cnnlib.explorers import ConvExplorer, ConvSettings
from cnnlib.explorers.explain import explain_text

from executed_notebook import find, html_text, load, source, stream

FIG_7_3_X = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]], dtype=float).reshape(1, 1, 4, 4)
FIG_7_3_W = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]], dtype=float).reshape(1, 1, 3, 3)


@pytest.fixture(scope="module")
def cells():
    return load("7.2-convolution-layer.ipynb")["cells"]


def test_only_book_figure_asserts_are_left(cells):
    asserts = [line for c in cells if c["cell_type"] == "code"
               for line in source(c).splitlines() if line.lstrip().startswith("assert ")]
    assert len(asserts) == 2 and all("책의 그림 7-" in line for line in asserts)


def test_figure_7_3_window_sums(cells):
    out = Convolution(FIG_7_3_W, np.zeros(1)).forward(FIG_7_3_X)[0, 0]
    text = stream(find(cells, "원소별 곱의 합 {(window * W[0, 0]).sum():g}", "code"))
    sums = {(int(m[1]), int(m[2])): float(m[3]) for m in re.finditer(r"출력 \((\d), (\d)\).*원소별 곱의 합 (\S+)", text)}
    assert sums == {(i, j): out[i, j] for i in range(2) for j in range(2)}
    assert f"합 = {out[0, 0]}" in text
    assert f"왼쪽 위 출력 {out[0, 0]:g}는" in source(find(cells, "**윈도우**라고 합니다", "markdown"))


def test_padding_keeps_the_size(cells):
    prose = source(find(cells, "## 7.2.3 패딩", "markdown"))
    assert conv_output_shape((4, 4), (3, 3)) == (2, 2) and "출력은 2×2가 되어 입력보다\n2만큼 줄어듭니다" in prose
    assert conv_output_shape((4, 4), (3, 3), pad=1) == (4, 4) and "출력도 4×4가 됩니다" in prose
    assert stream(find(cells, "pad=1).forward(x)", "code")).startswith("(1, 1, 4, 4)\n")


def test_stacked_convolutions_without_padding(cells):
    sizes = [28]
    while check_output_size(sizes[-1], 3).valid:
        sizes.append(conv_output_size(sizes[-1], 3))
    text = stream(find(cells, "size, sizes = 28, [28]", "code"))
    assert " → ".join(map(str, sizes)) in text
    assert f"{len(sizes) - 1}개 층을 지나면 크기 {sizes[-1]}에서 멈춥니다" in text
    assert "28 → 28 → 28" in text and conv_output_size(28, 3, pad=1) == 28


def test_window_counts_agree_with_col2im_and_prose(cells):
    text = stream(find(cells, "def window_count(", "code"))
    printed = [np.array([[int(v) for v in row.split()] for row in re.findall(r"\[+([\d ]+)\]", block)])
               for block in text.split("각 픽셀이 들어가는 윈도우의 수")[1:]]
    counts = {}
    for pad, shown in zip((0, 1), printed):
        oh = conv_output_size(5, 3, pad=pad)
        # col2im adds each column back into the pixel it was copied from: ones count the windows per pixel
        counts[pad] = col2im(np.ones((oh * oh, 9)), (1, 1, 5, 5), 3, 3, 1, pad)[0, 0].astype(int)
        np.testing.assert_array_equal(shown, counts[pad])
    c0, c1 = counts[0], counts[1]
    prose = source(find(cells, "패딩이 없으면 모서리 픽셀은", "markdown"))
    assert f"모서리 픽셀은 윈도우 {c0[0, 0]}개에만 들어가고, 가운데 픽셀은 {c0[2, 2]}개" in prose
    assert f"모서리 픽셀은 {c1[0, 0]}개,\n나머지 가장자리 픽셀은 {c1[0, 2]}개" in prose
    assert f"가운데 픽셀({c1[2, 2]}개)만큼 되지는 않습니다" in prose
    # the claims: padding raises every border count, yet every border pixel stays below the centre
    assert (c1 >= c0).all() and (c1[0] > c0[0]).all()
    border = np.ones((5, 5), bool)
    border[1:-1, 1:-1] = False
    assert set(c1[border]) == {4, 6} and c1[border].max() < c1[2, 2]


def test_the_books_three_examples(cells):
    text = stream(find(cells, 'print("예 1:"', "code"))
    book = {"예 1": ((4, 4), (3, 3), 1, 1, (4, 4)), "예 2": ((7, 7), (3, 3), 2, 0, (3, 3)),
            "예 3": ((28, 31), (5, 5), 3, 2, (10, 11))}
    for name, (hw, f, stride, pad, answer) in book.items():
        assert conv_output_shape(hw, f, stride=stride, pad=pad) == answer
        assert f"{name}: {answer}" in text
    assert "4×4, 3×3, 10×11" in source(find(cells, "## 7.2.4 스트라이드", "markdown"))


def test_padding_stride_table(cells):
    text = stream(find(cells, "sizes_for_P", "code"))
    rows = {int(m[1]): m[2].split() for m in re.finditer(r"^P = (\d)\s+(.+)$", text, re.M)}
    for P, cells_ in rows.items():
        for S, shown in zip((1, 2, 3), cells_):
            c = check_output_size(7, 3, stride=S, pad=P)
            assert shown == (str(c.output_size) if c.valid else "—"), (P, S)
    # 234쪽: more padding → larger output (S = 1); larger stride → smaller output (P = 0)
    assert [int(rows[P][0]) for P in range(4)] == sorted(int(rows[P][0]) for P in range(4))
    assert int(rows[0][0]) > int(rows[0][1])


def test_non_integer_output_in_the_deeper_part(cells):
    text = stream(find(cells, "conv_output_size(7, 3, stride=3)\nexcept", "code"))
    with pytest.raises(ValueError):
        conv_output_size(7, 3, stride=3)
    # issue 27: the learner reads the library's error explained in Korean, not the English message
    assert text == f"{explain_text(check_output_size(7, 3, stride=3), grid=False)}\n"
    assert "whole number" not in text and "TensorFlow" not in text
    assert "빨간 칸" not in text  # no grid is shown there
    assert stream(find(cells, "floor=True))", "code")) == f"{conv_output_size(7, 3, stride=3, floor=True)}\n"


def test_three_channels_add_up(cells):
    text = stream(find(cells, "per_channel = [", "code"))
    total = re.search(r"세 채널의 합:\s+(.+)", text)[1]
    assert re.search(r"3채널 합성곱 결과:\s+(.+)", text)[1] == total
    # issue 27: the mismatch the library raises is explained in Korean with the two shapes
    with pytest.raises(ValueError, match="Channel mismatch"):
        Convolution(np.zeros((1, 2, 3, 3)), np.zeros(1)).forward(np.zeros((1, 3, 4, 4)))
    assert "채널 수가 맞지 않습니다: 입력 x3 (1, 3, 4, 4)의 채널 C는 3개인데, 필터 W (1, 2, 3, 3)의 채널 C는 2개입니다." in text
    assert "Channel mismatch" not in text


def test_block_and_batch_shapes(cells):
    text = stream(find(cells, "for FN in (1, 2, 10):", "code"))
    for FN in (1, 2, 10):
        shape = Convolution(np.zeros((FN, 3, 5, 5)), np.zeros(FN)).forward(np.zeros((1, 3, 7, 7))).shape[1:]
        assert f"→ {shape}" in text
    batch = Convolution(np.zeros((2, 3, 5, 5)), np.zeros(2)).forward(np.zeros((10, 3, 7, 7))).shape
    assert f"→ {batch}" in stream(find(cells, "x = np.zeros((10, 3, 7, 7))", "code"))


def test_explorer_things_to_try(cells):
    todo = source(find(cells, "### 해 볼 것", "markdown"))
    assert conv_output_shape((4, 4), (3, 3)) == (2, 2) and conv_output_shape((4, 4), (3, 3), pad=1) == (4, 4)
    assert "출력이 2×2에서 4×4로 커집니다" in todo
    c = check_output_size(7, 3, stride=3)
    assert c.nearest_pads == (1,) and c.nearest_strides == (1, 2) and c.dropped_input_indices == (6,)
    assert "(P = 1, 또는 S = 1, 2)" in todo and "6번 행과 열" in todo
    explorer = ConvExplorer()
    skipping = explorer.view(ConvSettings(H=8, W=8, FH=2, FW=2, stride=3)).geometry
    assert skipping.valid and skipping.unvisited_input_indices("H") == (2, 5) == skipping.unvisited_input_indices("W")
    assert "2번과 5번 행·열은 어떤 윈도우도 읽지 않습니다" in todo
    # the static views below it: the invalid setting (row 6 painted red) and the multi-channel one
    cell = find(cells, "multi = ConvSettings(", "code")
    assert "6번 행은 어떤 윈도우도 읽지 않습니다" in html_text(cell)
    view = explorer.view(ConvSettings(H=5, W=5, C=3, FN=2, filter=1, position=4))
    assert view.window_sum == view.output[view.cell]
    assert stream(cell) == (f"출력 형상: {view.out_shape} | 지금 칸 (n, f, oy, ox): {view.cell} | "
                            f"원소별 곱의 합 + 편향 = {view.window_sum}\n")


def test_exercise_solutions_match_the_library(cells):
    solutions = source(find(cells, "정답과 풀이 보기", "markdown"))
    same = next(P for P in range(10) if conv_output_shape((32, 32), (5, 5), pad=P) == (32, 32))
    smallest = next(P for P in range(10) if check_output_size(9, 3, stride=4, pad=P).valid)
    layer = Convolution(np.zeros((30, 1, 5, 5)), np.zeros(30))
    assert f"1. P = {same}." in solutions and same == (5 - 1) // 2
    assert f"2. P = {smallest}." in solutions and check_output_size(9, 3, stride=4).remainder == 2
    assert f"모두 {layer.W.size + layer.b.size}개" in solutions
    answers = [c for c in cells if c["cell_type"] == "code" and "check(my_answer" in source(c)]
    assert len(answers) == 3 and all("아직 답이 없습니다" in stream(c) for c in answers)


def test_prose_says_cnn_convolution_is_cross_correlation(cells):
    """Issue 27: the operation CNNs call convolution does not flip the filter; the flipped filter gives
    another result on the book's example (so the difference is real, not only a word)."""
    prose = source(find(cells, "정확히는 **교차 상관**(cross-correlation)", "markdown"))
    assert "필터를 뒤집지 않습니다" in prose
    out = stream(find(cells, "flipped = W[:, :, ::-1, ::-1]", "code"))
    x = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]], dtype=float).reshape(1, 1, 4, 4)
    W = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]], dtype=float).reshape(1, 1, 3, 3)
    plain = Convolution(W, np.zeros(1)).forward(x)[0, 0]
    flipped = Convolution(W[:, :, ::-1, ::-1].copy(), np.zeros(1)).forward(x)[0, 0]
    assert f"교차 상관): {plain.tolist()}" in out and f"합성곱):            {flipped.tolist()}" in out
    assert not np.array_equal(plain, flipped)


def test_floor_and_ceil_are_credited_correctly(cells):
    """Issue 27: TensorFlow's 'SAME' rounds up and PyTorch's pooling has ceil_mode."""
    prose = source(find(cells, "### 심화: 출력 크기가 정수가 아닐 때", "markdown"))
    assert "PyTorch의 합성곱과 TensorFlow의 `padding='VALID'`는 내림을" in prose
    assert "`ceil_mode=True`로 올림을" in prose and "`padding='SAME'`은 출력 크기를\nH ÷ S의 올림으로" in prose
    assert "PyTorch·TensorFlow" not in "".join(source(c) for c in cells)
