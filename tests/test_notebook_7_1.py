"""Notebook 7.1 as committed (executed): every number its prose states is in an output beside it, and the
outputs agree with the library. These checks replace the asserts the notebook's cells used to carry."""

import re

import numpy as np
import pytest

from cnnlib import Affine, Convolution, SimpleConvNet
from cnnlib.images import sample_photo

from executed_notebook import find, html_text, load, output, source, stream


@pytest.fixture(scope="module")
def cells():
    return load("7.1-overall-structure.ipynb")["cells"]


def test_no_assert_left_in_code_cells(cells):
    # The notebook's guards live here now; a learner reads checks as prints, not as asserts.
    assert not [source(c) for c in cells if c["cell_type"] == "code" and re.search(r"^\s*assert ", source(c), re.M)]


def test_layer_flow_diagrams_show_flattening_and_kept_shape(cells):
    text = html_text(find(cells, "fc_steps = trace_shapes", "code"))
    assert "Affine1 (1, 100)" in text                       # the fully connected network flattens at once
    assert "Conv1 (1, 16, 28, 28)" in text                  # Conv keeps (C, H, W); pad 1 keeps 28
    assert "Pool1 (1, 16, 14, 14)" in text                  # pooling halves height and width
    prose = source(find(cells, "첫 계층에서 벌써", "markdown"))
    assert "(1, 1, 28, 28)이 (1, 100)이 됩니다" in prose


def test_simpleconvnet_shapes_in_output_prose_and_summary(cells):
    steps = SimpleConvNet(seed=0).layer_shapes((1, 1, 28, 28))
    out = output(find(cells, "net = SimpleConvNet(seed=0)", "code"))
    for name, shape in steps:
        assert re.search(rf"^{name}\s+{re.escape(str(tuple(shape)))}", out, re.M), (name, shape)
    shapes = dict(steps)
    prose = source(find(cells, "이 식(식 7.1)은 7.2절에서", "markdown"))
    assert f"Conv1의 출력 크기 {shapes['Conv1'][2]}는 (28 + 2·0 − 5)/1 + 1 = {shapes['Conv1'][2]}" in prose
    assert f"Pool1의 {shapes['Pool1'][2]}는" in prose and f"= {shapes['Pool1'][2]}입니다" in prose
    assert f"즉 {int(np.prod(shapes['Pool1'][1:]))}개의 숫자" in prose
    chain = " → ".join("×".join(map(str, shapes[k][1:])) for k in ("input", "Conv1", "Pool1", "Affine1", "Affine2"))
    assert chain in source(find(cells, "## 정리", "markdown"))


def test_photo_correlations_match_library_and_prose(cells):
    out = output(find(cells, "photo = sample_photo()", "code"))
    table = {m[1].strip(): float(m[2]) for m in re.finditer(r"^(.+?)\s+(-?\d\.\d\d)$", out, re.M)}
    R, G, B = sample_photo().astype(np.float64)

    def corr(a, b):
        return np.corrcoef(a.ravel(), b.ravel())[0, 1]

    expected = {"같은 위치의 R과 G": corr(R, G), "같은 위치의 G와 B": corr(G, B), "같은 위치의 R과 B": corr(R, B)}
    for d in (1, 5, 20, 100):
        expected[f"R 채널에서 가로로 {d}픽셀 떨어진 두 픽셀"] = corr(R[:, :-d], R[:, d:])
    assert set(table) == set(expected)
    for key, value in expected.items():
        assert table[key] == pytest.approx(value, abs=0.006), key
    same_place = [table[k] for k in table if k.startswith("같은 위치")]
    prose = source(find(cells, "같은 위치의 R, G, B 값은 함께 움직이고", "markdown"))
    assert f"(상관계수 {min(same_place):.2f}~{max(same_place):.2f})" in prose
    assert f"거의 함께 움직이지만({table['R 채널에서 가로로 1픽셀 떨어진 두 픽셀']:.2f})" in prose
    assert f"관련이 거의 없습니다({table['R 채널에서 가로로 100픽셀 떨어진 두 픽셀']:.2f})" in prose
    # the claims themselves: channels related, neighbours similar, far pixels (nearly) unrelated
    assert min(same_place) > 0.5 and table["R 채널에서 가로로 1픽셀 떨어진 두 픽셀"] > 0.9
    assert abs(table["R 채널에서 가로로 100픽셀 떨어진 두 픽셀"]) < 0.1


def test_affine_is_blind_to_a_shared_shuffle(cells):
    assert stream(find(cells, "out_shuffled = Affine(W[perm], b)", "code")).rstrip().endswith("? True")
    # the same identity on other data: shuffling pixels and weight rows together leaves the output unchanged,
    # shuffling the pixels alone does not
    rng = np.random.default_rng(1)
    x, W, b = rng.random((5, 784)), rng.standard_normal((784, 100)), rng.standard_normal(100)
    perm = rng.permutation(784)
    np.testing.assert_allclose(Affine(W[perm], b).forward(x[:, perm]), Affine(W, b).forward(x), rtol=0, atol=1e-12)
    assert not np.allclose(Affine(W, b).forward(x[:, perm]), Affine(W, b).forward(x))


def test_convolution_table_and_the_centre_only_exception(cells):
    out = output(find(cells, "def compare(w):", "code"))
    assert re.search(r"^세로 에지 필터\s+False\s+False$", out, re.M)
    assert re.search(r"^가운데 칸만 쓰는 필터\s+True\s+True$", out, re.M)
    # the claim on other images: a centre-only filter commutes with any pixel shuffle, the edge filter does not
    rng = np.random.default_rng(2)
    images = rng.random((4, 1, 28, 28))
    perm = rng.permutation(784)
    shuffled = images.reshape(4, 784)[:, perm].reshape(4, 1, 28, 28)
    centre = np.zeros((1, 1, 3, 3))
    centre[0, 0, 1, 1] = 0.7
    edge = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=float).reshape(1, 1, 3, 3)
    for w, commutes in ((centre, True), (edge, False)):
        conv = Convolution(w, np.zeros(1), pad=1)
        a = conv.forward(images).reshape(4, 784)[:, perm]
        assert np.allclose(conv.forward(shuffled).reshape(4, 784), a) == commutes


def test_null_space_is_the_centre_only_pair(cells):
    out = stream(find(cells, "def conv_by_cell(k, imgs):", "code"))
    assert "미지수 18개, 랭크 17 → 독립인 해 1개" in out
    centre = "[[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]"
    assert f"w  = {centre}" in out and f"w′ = {centre}" in out
    assert "독립인 해는 하나뿐이고" in source(find(cells, "### 심화: 뒤섞은 이미지로 새로 학습하면", "markdown"))


def test_training_on_shuffled_pixels_prose_matches_output(cells):
    out = output(find(cells, "from cnnlib.shuffled_pixels import", "code"))
    first = re.search(r"원래 (\d+\.\d\d)%, 뒤섞음 (\d+\.\d\d)% .*\? (True|False)", out)
    assert first and first[1] == first[2] and first[3] == "True"
    rows = {m[1]: (m[2], m[3]) for m in re.finditer(r"^(\S+)\s+(\d+\.\d\d)%\s+(\d+\.\d\d)%$", out, re.M)}
    assert set(rows) == {"0", "1", "2", "3", "4", "평균", "표준편차"}
    seeds = np.array([[float(v) for v in rows[str(s)]] for s in range(5)])
    np.testing.assert_allclose(seeds.mean(axis=0), [float(v) for v in rows["평균"]], atol=0.006)
    np.testing.assert_allclose(seeds.std(axis=0), [float(v) for v in rows["표준편차"]], atol=0.006)
    assert rows["0"][0] == first[1]                          # seed 0, original: the same run as case 1
    prose = source(find(cells, "가중치의 초깃값까지 뒤섞어 시작하면 두 정확도는 같습니다", "markdown"))
    assert f"같습니다({first[1]}%)" in prose
    assert f"{rows['0'][0]}%와 {rows['0'][1]}%로 서로 다르지만" in prose and rows["0"][0] != rows["0"][1]
    assert f"평균은 {rows['평균'][0]}%와 {rows['평균'][1]}%로 거의 같습니다" in prose
    assert f"(표준편차 {rows['표준편차'][0]}%, {rows['표준편차'][1]}%)" in prose
    # "훨씬 작다": the means differ by less than a quarter of the smaller spread
    mean_gap = abs(float(rows["평균"][0]) - float(rows["평균"][1]))
    assert mean_gap < 0.25 * min(float(v) for v in rows["표준편차"])


def test_exercise_solutions_match_the_library(cells):
    solutions = source(find(cells, "정답과 풀이 보기", "markdown"))
    net3 = SimpleConvNet(conv_param={"filter_size": 3}, seed=0)
    pool1 = dict(net3.layer_shapes((1, 1, 28, 28)))["Pool1"]
    assert f"1. {int(np.prod(pool1[1:]))}개." in solutions and f"30 × {pool1[2]} × {pool1[3]}" in solutions
    assert f"2. 784 × 100 = {784 * 100:,}개" in solutions
    assert "3. `False`" in solutions
    # every exercise cell is committed unanswered
    answers = [c for c in cells if c["cell_type"] == "code" and "check(my_answer" in source(c)]
    assert len(answers) == 3 and all("아직 답이 없습니다" in stream(c) for c in answers)
    # the answers the check compares with are the library's (the collapsed cell computes them)
    hidden = source(find(cells, "# 연습 문제의 정답과 힌트", "code"))
    assert 'dict(net3.layer_shapes((1, 1, 28, 28)))["Pool1"]' in hidden and ".W.size" in hidden


# ---- issue 27 ----

def test_first_cell_names_the_session_and_links_the_guide(cells):
    first = source(cells[0])
    assert "세미나 1회차 (7.1–7.3)" in first and "](../docs/seminar.md)" in first
    assert re.search(r"약 \d+분", first)


def test_korean_tables_are_html_tables(cells):
    """Issue 27: a browser's monospace font does not draw Hangul at two columns, so a table with Korean
    rows is an HTML table (its plain-text form stays aligned text for GitHub's and nbval's text view)."""
    for anchor in ("photo = sample_photo()", "def compare(w):", "net = SimpleConvNet(seed=0)", "from cnnlib.shuffled_pixels import"):
        cell = find(cells, anchor, "code")
        assert "print(text_table(" not in source(cell)
        html = "".join("".join(o.get("data", {}).get("text/html", "")) for o in cell["outputs"])
        assert '<table class="cnnlib-table"' in html and "word-break:keep-all" in html, anchor
    assert "R와" not in "".join(source(c) + (output(c) if c.get("outputs") else "") for c in cells)


def test_photo_is_said_to_be_centre_cropped_then_resized(cells):
    import matplotlib.cbook
    import matplotlib.pyplot as plt
    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as f:
        h, w, _ = plt.imread(f, format="jpeg").shape
    assert h != w                                          # the original is not square: it is cropped
    prose = source(find(cells, "그레이스 호퍼", "markdown"))
    assert "가운데 정사각형을\n잘라 낸 뒤, 227×227로 줄인" in prose
    assert "(3, 227, 227)" in output(find(cells, "photo = sample_photo()", "code"))


def test_the_filter_pair_claim_is_no_larger_than_what_was_solved(cells):
    """Issue 27: 'any filter' was claimed; 3×3 pairs on 20 digits were solved."""
    text = "".join(source(c) for c in cells if c["cell_type"] == "markdown")
    assert "어떤 필터를 대신 써도" not in text
    claim = source(find(cells, "3×3 필터의 쌍을 모두 따져 봅니다", "markdown"))
    code = source(find(cells, "def conv_by_cell(k, imgs):", "code"))
    n = int(re.search(r"^n = (\d+)$", code, re.M)[1])
    assert f"숫자 {n}개로 세운 방정식" in claim and "증명한 것은 아닙니다" in claim
    assert f"방정식 {n * 784}개" in stream(find(cells, "def conv_by_cell(k, imgs):", "code"))


def test_quiz_cells_show_only_the_answer_line(cells):
    """Issue 27: the hint and the code computing the answer sit in a collapsed cell, not beside my_answer."""
    quizzes = [c for c in cells if c["cell_type"] == "code" and "my_answer =" in source(c)]
    assert len(quizzes) == 3
    for k, c in enumerate(quizzes, 1):
        lines = source(c).strip().splitlines()
        assert lines[0].startswith("my_answer = None") and lines[1:] == [f"check(my_answer, answers[{k}], hint=hints[{k}])"]
    hidden = find(cells, "# 연습 문제의 정답과 힌트", "code")
    assert hidden["metadata"]["jupyter"]["source_hidden"] is True
    assert cells.index(hidden) < cells.index(quizzes[0])


def test_training_table_is_the_shipped_record(cells):
    """Issue 27 (Run All <= 60 s): the twelve trainings are not rerun on Run All; the cell shows the record
    written by the same code (cnnlib.shuffled_pixels), and its output is that record."""
    from cnnlib.shuffled_pixels import load_record
    cell = find(cells, "from cnnlib.shuffled_pixels import", "code")
    code = source(cell)
    assert "record = load_record()" in code and "Trainer(" not in code
    assert "#           \"seeds\": seed_table(x_train, t_train, x_test, t_test, perm)}" in code   # the rerun, one edit away
    record, out = load_record(), output(cell)
    first = record["shared_start"]
    assert f"원래 {first['original']:.2%}, 뒤섞음 {first['shuffled']:.2%}" in out and out.count("? True") == 1
    for r in record["seeds"]:
        assert re.search(rf"^{r['seed']}\s+{r['original']:.2%}\s+{r['shuffled']:.2%}$", out, re.M)
