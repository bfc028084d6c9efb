"""Notebook 7.6's drawing-pad section (6절) and 7.5's pointer to it: each number its prose states is in the
output beside it and equal to what cnnlib computes now; the pad is shown with its static copy."""

from __future__ import annotations

import re

import numpy as np
import pytest

from cnnlib import load_mnist
from cnnlib.augment import shift
from cnnlib.explorers import DrawPadExplorer
from cnnlib.train import load_record, load_trained

import executed_notebook
from executed_notebook import table_rows


@pytest.fixture(scope="module")
def nb():
    return executed_notebook.Notebook("7.6-cnn-visualization.ipynb")


def test_the_pad_is_shown_and_its_static_copy_says_how_to_open_it(nb):
    html = executed_notebook.html_text(nb.cell("b7e2f3a1"))
    assert "정적 그림: 예시로" in html and "(static view)" not in html and "셀을 실행하면 숫자를 직접 쓰는 판이 열립니다" in html
    assert "DeepConvNet" in nb.source("a6d1e2f0") and "5×5 필터" in nb.source("a6d1e2f0")


def test_the_maps_that_see_vertical_and_horizontal_strokes(nb):
    pad = DrawPadExplorer()
    v = pad.read_strokes([[(140, 40), (140, 240)]]).layers[0].maps.max(axis=(1, 2))
    h = pad.read_strokes([[(40, 140), (240, 140)]]).layers[0].maps.max(axis=(1, 2))
    most_v, most_h = int(np.argmax(v - h)), int(np.argmax(h - v))
    assert (most_v, most_h) == (18, 25)
    out = nb.output("d9a4b5c3")
    rows = {r[0]: r[1:] for r in table_rows(out) if re.fullmatch(r"맵 \d+", r[0])}
    assert rows == {f"맵 {c}": [f"{v[c]:.2f}", f"{h[c]:.2f}"] for c in (18, 25)}
    assert v[18] > h[18] and h[25] > v[25]
    # "맵 18의 필터는 왼쪽 두 열이 음수, 오른쪽 두 열이 양수 ... 맵 25의 필터는 가운데 행이 양수, 맨 위와 아래 행이 음수"
    W1 = load_trained("simple_convnet").params["W1"][:, 0]
    columns, rows_ = W1[18].mean(axis=0), W1[25].mean(axis=1)
    assert (columns[:2] < 0).all() and (columns[3:] > 0).all()
    assert rows_[2] > 0 and rows_[0] < 0 and rows_[4] < 0 and np.argmax(rows_) == 2
    assert f"{np.round(columns, 2)}" in out and f"{np.round(rows_, 2)}" in out
    prose = nb.source("eab5c6d4")
    assert "맵 18은 세로획에, 맵 25는 가로획에" in prose
    assert "왼쪽 두 열이 음수, 오른쪽 두 열이 양수" in prose and "가운데 행이 양수, 맨 위와 아래 행이 음수" in prose


def test_shifted_test_digits_as_the_prose_says(nb):
    _, (x_test, t_test) = load_mnist(normalize=True, flatten=False)
    x, t = x_test[:1000], t_test[:1000]
    names = ("simple_convnet", "two_layer_net", "simple_convnet_book")
    nets = [load_trained(n) for n in names]
    table = {r[0]: r[1:] for r in table_rows(nb.output("fbc6d7e5"))}
    for k in (0, 2, 4):
        assert table[f"{k}픽셀"] == [f"{net.accuracy(shift(x, 0, k), t):.1%}" for net in nets]
    assert table["훈련 때 이동"] == ["±2픽셀", "±2픽셀", "±0픽셀"]
    prose = nb.source("acd7e8f6")
    cnn4, fc4, book2, book4 = table["4픽셀"][0], table["4픽셀"][1], table["2픽셀"][2], table["4픽셀"][2]
    assert f"완전연결 신경망은 {fc4}로, CNN은 {cnn4}로" in prose
    assert f"2픽셀에서 이미 {book2}, 4픽셀에서 {book4}" in prose
    # "그 범위 안(2픽셀)에서는 둘 다 버티고": within 2 points of their unshifted accuracy
    for column in (0, 1):
        assert float(table["0픽셀"][column][:-1]) - float(table["2픽셀"][column][:-1]) < 2
    assert float(fc4[:-1]) < float(cnn4[:-1]) and float(book4[:-1]) < float(fc4[:-1])
    # "같은 이동으로 학습한 두 신경망 ... 최적화 방법과 에폭 수도 다르므로": not all of the gap is the architecture's
    cnn, fc = (load_record(n)["settings"] for n in ("simple_convnet", "two_layer_net"))
    assert cnn["shift"] == fc["shift"] == 2
    assert cnn["optimizer"] != fc["optimizer"] and cnn["epochs"] != fc["epochs"]
    assert "최적화 방법과\n에폭 수도 다르므로" in prose and "같은 조건으로 학습했을 때" not in prose


def test_7_5_points_to_the_pad():
    cells = executed_notebook.load("7.5-cnn-implementation.ipynb")["cells"]
    last = executed_notebook.source(cells[-1])
    assert re.search(r"7\.6절 노트북 6절의 숫자 그리기 판", last)
    nb6 = executed_notebook.load("7.6-cnn-visualization.ipynb")["cells"]
    assert any(executed_notebook.source(c).startswith("## 6. 직접 써 보기") for c in nb6)
