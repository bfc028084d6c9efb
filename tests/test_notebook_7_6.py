"""What notebook 7.6 states, checked against its executed outputs and against the library.

The notebook's prose cites numbers printed by the cell beside it (filter numbers, angles, contrasts,
cosines, the Conv6 receptive fields, the class purities). Each test reads the committed, executed
notebook: the number must be in the prose, in the stored output, and equal to what cnnlib computes now,
so a re-trained network, a changed library or an edited sentence that no longer agree fail here.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from cnnlib import filters, receptive
from cnnlib.convnet import DeepConvNet
from cnnlib.shapes import check_output_size, conv_output_size
from cnnlib.train import RECIPES, build_network, load_trained

import executed_notebook
from executed_notebook import table_rows


@pytest.fixture(scope="module")
def nb():
    return executed_notebook.Notebook("7.6-cnn-visualization.ipynb")


@pytest.fixture(scope="module")
def weights():
    return build_network(RECIPES["simple_convnet_book"]).params["W1"], load_trained("simple_convnet_book").params["W1"]


@pytest.fixture(scope="module")
def deep():
    return load_trained("deep_convnet")


def test_training_makes_the_filters_orderly(nb, weights):
    before, after = (filters.neighbour_correlation(W).mean() for W in weights)
    out = nb.output("671dd69f")
    assert f"학습 전 {before:+.3f}, 학습 후 {after:+.3f}" in out
    assert abs(before) < 0.1 < 0.3 < after        # "0 근처" before, clearly positive after


def test_he_start_leaves_its_random_pattern(nb):
    out = nb.output("899c8259")
    change = float(re.search(r"‖W전‖ = ([\d.]+)", out).group(1))
    after, added = (float(v) for v in re.search(r"학습 후 ([+-][\d.]+), 학습이 더한 것 ([+-][\d.]+)", out).groups())
    assert change < 1            # "학습이 가중치를 바꾼 양이 처음 가중치보다 작아서"
    assert added > after         # "규칙적인 무늬는 세 번째 줄에 있습니다"


def test_edge_filters_and_the_angles_the_prose_names(nb, weights):
    edges = filters.edge_orientation(weights[1])
    v, h = edges.most_vertical, edges.most_horizontal
    assert (v, h) == (18, 29)
    out = nb.output("1ad5ae3b")
    assert f"세로 에지 필터: {v}, 가로 에지 필터: {h}" in out
    rows = {int(r[1]): r for r in table_rows(out) if len(r) == 5 and r[1].isdigit()}
    # 170° is stated as -10°, 10° from vertical; the table shows that offset
    assert edges.preferred[v] == 170 and rows[v][2:4] == ["170°", "10°"]
    # filters 29 and 11 are the two horizontal candidates with contrasts 2.96 and 2.65
    assert [f"{edges.contrast[i]:.2f}" for i in (29, 11)] == [rows[29][4], rows[11][4]] == ["2.96", "2.65"]
    horizontal = [int(r[1]) for r in table_rows(out) if r[0].startswith("가로")]
    assert horizontal[:2] == [29, 11]
    prose = nb.source("a7c0e1d2")
    assert "필터 18의 선호 각도는 170°" in prose and "−10°" in prose and "세로에서 10°" in prose
    assert "필터 29와 11의 대비가 2.96과 2.65" in prose
    assert f"필터 {v}, {h}를 넣어 보고" in nb.source("34d24a73")


def test_photo_correlations_do_not_prove_learning(nb, weights):
    """The prose: random filters also correlate strongly with Sobel, one more than filter 29 with Sobel y."""
    photo = filters.gray_photo(160)
    sobel = np.stack([filters.HAND_MADE["Sobel x (vertical edge)"], filters.HAND_MADE["Sobel y (horizontal edge)"]])
    sobel_maps = filters.filter_maps(sobel[:, None], photo)[0]

    def corr(a, b):
        return np.corrcoef(a.ravel(), b.ravel())[0, 1]

    learned = filters.filter_maps(weights[1][[18, 29]], photo)[0]
    random_maps = filters.filter_maps(weights[0], photo)[0]
    best = [max(abs(corr(m, s)) for m in random_maps) for s in sobel_maps]
    out = nb.output("d0434eeb")
    assert f"소벨 x와 {best[0]:.2f}, 소벨 y와 {best[1]:.2f}" in out
    assert f"필터 29: 소벨 x(세로 에지)와의 상관 {corr(learned[1], sobel_maps[0]):+.2f}" in out
    assert best[1] > abs(corr(learned[1], sobel_maps[1])) and min(best) > 0.5
    assert "소벨 y와는 필터 29보다 더 강한 것도 있습니다" in nb.source("3339f7fd")


def test_hand_made_comparison(nb, weights):
    before, after = weights
    kernels = list(filters.HAND_MADE.values())
    cos_after = filters.cosine_similarity(after, kernels)
    best_before = np.abs(filters.cosine_similarity(before, kernels)).max(axis=0)
    closest = np.abs(cos_after).argmax(axis=0)
    best_after = np.abs(cos_after[closest, np.arange(len(kernels))])
    out = nb.output("0d8d0e1f")
    rows = {r[0]: r for r in table_rows(out) if len(r) == 4}
    for j, name in enumerate(filters.HAND_MADE):
        assert rows[name][1:] == [str(closest[j]), f"{cos_after[closest[j], j]:+.2f}", f"{best_before[j]:.2f}"]
    # Sobel y: filter 11, not 29; both near horizontal, cosines of size 0.77 and 0.75
    assert closest[1] == 11
    assert f"{abs(cos_after[11, 1]):.2f}, {abs(cos_after[29, 1]):.2f}" == "0.77, 0.75"
    edges = filters.edge_orientation(after)
    assert (edges.preferred[11], edges.preferred[29]) == (80, 100)
    prose = nb.source("b3e5f0a1")
    assert "(80°, 100°)" in prose and "(2.65, 2.96)" in prose and "(0.77, 0.75)" in prose
    # "소벨 x·y와 LoG에서는 학습 전 필터의 최고값보다 분명히 높지만 1에는 멀고, 가우시안과는 무작위 필터만큼만"
    for j in (0, 1, 3):
        assert best_after[j] - best_before[j] > 0.1 and best_after[j] < 0.9
    assert abs(best_after[4] - best_before[4]) < 0.05


def test_conv4_padding_and_the_pool3_remainder(nb, deep):
    shapes = dict(deep.layer_shapes((1, 1, 28, 28)))
    assert shapes["Conv3"][2:] == (14, 14) and shapes["Conv4"][2:] == (16, 16)
    assert DeepConvNet.CONV_PARAMS[3]["pad"] == 2 and conv_output_size(14, 3, pad=1) == 14
    assert check_output_size(7, 2, 2, kind="pool").output_size is None           # (7 − 2)/2 + 1 = 3.5
    assert [shapes[n][2] for n in ("Conv4", "Pool2", "Pool3")] == [16, 8, 4]
    assert "(7 − 2)/2 + 1 = 3.5" in nb.source("d4b26293")


def test_not_every_conv6_unit_sees_the_whole_digit(nb, deep):
    fields = {rf.name: rf for rf in receptive.receptive_fields(deep)}
    conv6 = fields["Conv6"]
    assert (conv6.size, conv6.jump) == (32, 4)
    seen = [min(conv6.rows(i)[1], 28) - max(conv6.rows(i)[0], 0) for i in range(8)]
    whole = [i for i, n in enumerate(seen) if n == 28]
    assert whole == [3, 4] and seen[0] == seen[7] == 16
    assert "행과 열이 모두 [3, 4] 중 하나인 4개 (64개 중)" in nb.output("c6a1f7e0")
    prose = nb.source("e2d4a9b6")
    assert "가운데 2×2, 64개 중 4개" in prose and "16×16" in prose
    assert "**모든** Conv6 뉴런이 숫자 전체를 보지는 않습니다" in nb.source("d4b26293")


def test_purity_grows_with_depth_as_stated(nb):
    out = nb.output("bbb8f5b6")
    rows = [r for r in table_rows(out) if r[0].startswith("Conv")]
    purity = [float(r[3]) for r in rows]
    all_same = [int(r[4]) for r in rows]
    chance = float(re.search(r"우연 수준\): ([\d.]+)", out).group(1))
    assert purity == sorted(purity)                       # "층이 깊어질수록 비율이 오르고"
    assert abs(purity[0] - chance) < 0.05                 # "첫 층은 우연 수준에 가깝습니다"
    assert purity[-1] > 0.8 and all_same[-1] == 28 and rows[-1][1] == "64"
    prose = nb.source("43540304")
    assert "평균이 0.8을 넘고 64개 채널 중 28개" in prose
    share = int(re.search(r"가운데 2×2의 비율: (\d+)%", nb.output("c46a6dcc")).group(1))
    assert 40 <= share <= 60                              # "절반쯤은 숫자 전체를 보는 가운데 뉴런에서"


def test_deeper_layers_have_more_zeros(nb):
    ratios = [float(v) for v in re.findall(r"0인 값의 비율 ([\d.]+)", nb.output("b4d9df9f"))]
    assert len(ratios) == 3 and ratios == sorted(ratios)


def test_fewer_images_give_lower_or_equal_purity(deep):
    """The 심화 exercise's answer: with 500 images instead of 2,000 the purity is mostly lower or equal,
    and it still rises with depth."""
    from cnnlib import load_mnist

    _, (x_test, t_test) = load_mnist(normalize=True, flatten=False)
    names = [f"Relu{i}" for i in range(1, 7)]

    def purity(n):
        tops = receptive.top_activations(deep, x_test[:n], names, k=9)
        return np.array([receptive.class_purity(t_test[:n][tops[name].image]).mean() for name in names])

    small, large = purity(500), purity(2000)
    assert np.all(small <= large + 0.01) and small.mean() < large.mean()
    assert np.all(np.diff(small) >= 0)


def test_exercise_answers(nb, weights, deep):
    pool3 = {rf.name: rf for rf in receptive.receptive_fields(deep)}["Pool3"]
    assert (pool3.start, pool3.size, pool3.jump) == (-16, 36, 8)           # rows −16 + 8i … 19 + 8i
    covers = [i for i in range(4) if pool3.rows(i)[0] <= 0 and pool3.rows(i)[1] >= 28]
    assert covers == [1, 2]
    assert filters.edge_orientation(-weights[1]).preferred[18] == 170
    answers = nb.source("4e96cf2e")
    assert "1. 4개" in answers and "−16 + 8i … 19 + 8i" in answers and "그대로 170°" in answers
    for cell_id in ("81178e2a", "392ac35d"):                               # committed unanswered
        assert "아직 답이 없습니다" in nb.output(cell_id)
