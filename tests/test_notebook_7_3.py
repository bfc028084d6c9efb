"""Notebook 7.3 as committed (executed): every number its prose states is in an output beside it, and the
outputs agree with the library. These checks replace the asserts that only guarded the notebook's numbers; the
one assert left compares a result with the book's figure 7-14, as a learner would."""

import re

import numpy as np
import pytest

from cnnlib import Pooling, SimpleConvNet, check_output_size, load_mnist
from cnnlib.augment import shift
from cnnlib.explorers import PoolExplorer, PoolSettings

from executed_notebook import find, html_text, load, source, stream

FIG_7_14 = np.array([[1, 2, 1, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 4, 0, 1]], dtype=float).reshape(1, 1, 4, 4)
METRICS = ("(가)", "(나)", "(다)")
COLUMNS = ("풀링 전", "최대", "평균")


@pytest.fixture(scope="module")
def cells():
    return load("7.3-pooling-layer.ipynb")["cells"]


@pytest.fixture(scope="module")
def robustness(cells):
    """{metric: {direction: (pixels, max pooled, average pooled)}} as the notebook printed them (numbers)."""
    cell = find(cells, "def measures(a, b):", "code")
    tables, metric = {}, None
    for o in cell["outputs"]:          # a printed title, then the table it names (displayed)
        if o["output_type"] == "stream":
            metric = "".join(o["text"]).strip().splitlines()[-1][:3]
        elif "text/plain" in o.get("data", {}):
            assert '<table class="cnnlib-table"' in "".join(o["data"]["text/html"])   # Korean rows line up
            _, *rows = "".join(o["data"]["text/plain"]).strip().splitlines()
            tables[metric] = {}
            for row in rows:
                name, *values = row.split()
                tables[metric][name] = tuple(float(v.rstrip("%")) for v in values)
    assert set(tables) == set(METRICS) and all(set(t) == {"오른쪽", "왼쪽", "아래", "위"} for t in tables.values())
    return tables


def span(tables, metric, column, digits):
    """'lo~hi' over the four directions, as the prose writes a range."""
    values = [v[COLUMNS.index(column)] for v in tables[metric].values()]
    return f"{min(values):.{digits}f}~{max(values):.{digits}f}"


def test_only_the_book_figure_assert_is_left(cells):
    asserts = [line for c in cells if c["cell_type"] == "code"
               for line in source(c).splitlines() if line.lstrip().startswith("assert ")]
    assert len(asserts) == 1 and "책의 그림 7-14" in asserts[0]


def test_figure_7_14_and_average_pooling(cells):
    out = Pooling(2, 2, stride=2).forward(FIG_7_14)[0, 0]
    text = stream(find(cells, "pool = Pooling(pool_h=2, pool_w=2, stride=2)", "code"))
    maxima = {(int(m[1]), int(m[2])): float(m[3]) for m in re.finditer(r"출력 \((\d), (\d)\).*최댓값 (\S+)", text)}
    assert maxima == {(i, j): out[i, j] for i in range(2) for j in range(2)}
    avg = Pooling(2, 2, stride=2, method="average").forward(FIG_7_14)[0, 0]
    assert stream(find(cells, 'method="average").forward(x)', "code")) == f"{avg}\n"
    assert avg.tolist() == [[1.0, 1.5], [2.25, 1.0]]
    assert "[[1, 1.5], [2.25, 1]]" in source(find(cells, "### 해 볼 것", "markdown"))


def test_no_parameters_and_channels_kept(cells):
    text = stream(find(cells, 'print("Pooling에 가중치 W가 있나?"', "code"))
    net = SimpleConvNet(seed=0)
    assert text.startswith("Pooling에 가중치 W가 있나? False\n") and not hasattr(net.layers["Pool1"], "W")
    for name, layer in net.layers.items():
        assert re.search(rf"^{name}\s+" + (re.escape(f"W {layer.W.shape}") if hasattr(layer, "W") else "매개변수 없음"),
                         text, re.M)
    assert sorted(net.params) == ["W1", "W2", "W3", "b1", "b2", "b3"]
    channels = stream(find(cells, "one_by_one = [", "code"))
    assert channels == "(1, 3, 4, 4) → (1, 3, 2, 2)\n채널을 하나씩 풀링한 결과와 같은가? True\n"


def test_small_shift_leaves_max_pooling_unchanged(cells):
    small = np.zeros((1, 1, 4, 4))
    small[0, 0, 0, 0], small[0, 0, 3, 2] = 9, 5
    moved = shift(small, 0, 1)
    pool = Pooling(2, 2, stride=2)
    assert np.array_equal(pool.forward(small), pool.forward(moved))
    assert stream(find(cells, "small = np.zeros((1, 1, 4, 4))", "code")) == (
        f"입력이 같은 칸: {int((small == moved).sum())} / 16\n"
        f"{pool.forward(small)[0, 0].tolist()} → {pool.forward(moved)[0, 0].tolist()}\n")


def test_robustness_tables_against_the_library(robustness):
    _, (images, _) = load_mnist(normalize=True, flatten=False)
    max_pool, avg_pool = Pooling(2, 2, stride=2), Pooling(2, 2, stride=2, method="average")

    def measures(a, b):
        ink = (a != 0) | (b != 0)
        return (100 * (a == b)[ink].mean(), 100 * (a == b).mean(),
                np.abs(a.astype(np.float64) - b).sum() / np.abs(a.astype(np.float64)).sum())

    for name, (dy, dx) in {"오른쪽": (0, 1), "왼쪽": (0, -1), "아래": (1, 0), "위": (-1, 0)}.items():
        moved = shift(images, dy, dx)
        computed = [measures(images, moved), measures(max_pool.forward(images), max_pool.forward(moved)),
                    measures(avg_pool.forward(images), avg_pool.forward(moved))]
        for k, (metric, tol) in enumerate(zip(METRICS, (0.051, 0.051, 0.0051))):
            assert np.allclose(robustness[metric][name], [c[k] for c in computed], rtol=0, atol=tol), (metric, name)


def test_robustness_prose_states_the_outputs(cells, robustness):
    prose = source(find(cells, "무엇으로 재느냐에 따라 결론이 달라집니다", "markdown"))
    t = robustness
    assert f"({span(t, '(가)', '풀링 전', 1)}%에서 {span(t, '(가)', '최대', 1)}%로)" in prose
    assert f"오히려 낮습니다({span(t, '(가)', '평균', 1)}%)" in prose
    assert "최대 풀링 뒤도 평균 풀링 뒤도 풀링 전보다 덜 바뀝니다" in prose
    assert (f"상대 변화량은 풀링 전 {span(t, '(다)', '풀링 전', 2)}, 평균 풀링 뒤 {span(t, '(다)', '평균', 2)}, "
            f"최대 풀링 뒤 {span(t, '(다)', '최대', 2)}입니다") in prose
    assert "풀링 전과 최대 풀링 뒤가 비슷합니다" in prose
    assert f"풀링 전은 {span(t, '(나)', '풀링 전', 1)}%, 최대 풀링 뒤는 {span(t, '(나)', '최대', 1)}%입니다" in prose
    for name, (pixels, max_pooled, avg_pooled) in t["(가)"].items():
        assert 1.5 * pixels < max_pooled < 2.5 * pixels     # "두 배쯤"
        assert avg_pooled < pixels                           # average pooling: fewer exact matches ...
        assert max_pooled < 50                               # ... and most ink cells still change
    for name, (pixels, max_pooled, avg_pooled) in t["(다)"].items():
        assert max_pooled < avg_pooled < pixels              # ... yet a smaller relative change
    for name, (pixels, max_pooled, avg_pooled) in t["(나)"].items():
        assert abs(pixels - max_pooled) < 1                  # all cells: dominated by the background


def test_explorer_static_views(cells):
    explorer = PoolExplorer()
    assert explorer.view(PoolSettings(method="average", position=3)).output[0, 0].tolist() == [[1.0, 1.5], [2.25, 1.0]]
    odd = explorer.view(PoolSettings(H=5, W=5)).geometry
    assert not odd.valid and odd.h.dropped_input_indices == (4,)
    text = html_text(find(cells, 'PoolSettings(method="average", position=3)', "code"))
    assert "4번 행은 어떤 윈도우도 읽지 않습니다" in text
    assert re.search(r"버려지는\s+4번 행·열", source(find(cells, "### 해 볼 것", "markdown")))


def test_exercise_solutions_match_the_library(cells):
    solutions = source(find(cells, "정답과 풀이 보기", "markdown"))
    pool = Pooling(2, 2, stride=2)
    puzzle = np.array([[3, 0, 0, 0], [0, 0, 1, 0], [0, 6, 0, 0], [0, 0, 0, 2]], dtype=float).reshape(1, 1, 4, 4)
    before, after = pool.forward(puzzle)[0, 0], pool.forward(shift(puzzle, 0, 1))[0, 0]
    assert f"1. {int((before != after).sum())}칸." in solutions
    assert (before[0] == after[0]).all() and (before[1, 0], after[1, 0], before[1, 1], after[1, 1]) == (6, 0, 2, 6)
    assert "왼쪽 아래 출력은 6에서 0으로, 오른쪽 아래 출력은 2에서 6으로" in solutions
    quiz = np.array([[3, 1, 0, 2], [4, 1, 1, 1], [0, 0, 5, 6], [1, 2, 7, 0]], dtype=float).reshape(1, 1, 4, 4)
    assert f"2. {pool.forward(quiz)[0, 0].astype(int).tolist()}" in solutions
    sizes = [28]
    while check_output_size(sizes[-1], 2, stride=2, kind="pool").valid:
        sizes.append(sizes[-1] // 2)
    third = check_output_size(sizes[-1], 2, stride=2, kind="pool")
    assert len(sizes) - 1 == 2 and "3. 두 번째까지." in solutions and "28 → 14 → 7" in solutions
    assert third.floor_output_size == 3 and third.dropped_input_indices == (sizes[-1] - 1,)
    assert "(7 − 2)/2 + 1 = 3.5" in solutions and "출력은 3이고" in solutions
    answers = [c for c in cells if c["cell_type"] == "code" and "check(my_answer" in source(c)]
    assert len(answers) == 3 and all("아직 답이 없습니다" in stream(c) for c in answers)
