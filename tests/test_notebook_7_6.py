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


RELU = [f"Relu{i}" for i in range(1, 7)]


@pytest.fixture(scope="module")
def test_images():
    from cnnlib import load_mnist

    _, (x_test, t_test) = load_mnist(normalize=True, flatten=False)
    return x_test, t_test


def mean_purity(network, images, labels):
    return np.array([p.mean() for p in receptive.purity_by_layer(network, images, labels, RELU, k=9).values()])


def test_training_makes_the_filters_orderly(nb, weights):
    before, after = (filters.neighbour_correlation(W).mean() for W in weights)
    out = nb.output("671dd69f")
    assert f"학습 전 {before:+.3f}, 학습 후 {after:+.3f}" in out
    assert abs(before) < 0.1 < 0.3 < after        # "0 근처" before, clearly positive after


def test_filters_each_on_its_own_scale_and_the_shared_scale_as_the_comparison(nb, weights):
    """Issue 27: the book's figure scales each filter on its own; one shared scale is shown after it, and
    the prose's count of nearly grey filters is the output's."""
    own = nb.source("5b5e2223")
    assert "image_grid(" in own and "vmin" not in own and "vmax" not in own     # per image: its own scale
    assert "필터마다 각자의 눈금" in own and "각자의 눈금" in nb.source("cf97641a")
    shared = nb.source("8c2f1d63")
    assert "vmin=-m, vmax=m" in shared
    after = weights[1]
    m = np.abs(after).max()
    faint = int((np.abs(after).max(axis=(1, 2, 3)) < m / 2).sum())
    assert f"m = {m:.2f}의 절반이 안 되는 필터: {faint}개 (30개 중)" in nb.output("8c2f1d63")
    assert f"필터 {faint}개가 거의 회색" in nb.source("9d3a2e74") and faint > 10


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
    # 대비 is max − min over the 36 orientations (issue 27: say so)
    assert len(edges.angles) == 36
    np.testing.assert_allclose(edges.contrast, edges.responses.max(axis=1) - edges.responses.min(axis=1))
    assert "36개 각도의 반응 중 최댓값 − 최솟값" in nb.source("d1bab27b")
    assert "대비는 각도에 따른 반응의 최댓값 − 최솟값" in nb.source("b3e5f0a1")


def test_blobs_have_their_own_demonstration(nb, weights):
    """A spot against an edge: LoG prefers the spot, Sobel the edge; the learned filter that prefers the spot
    most (15) is a horizontal dark clump and still prefers edges; random filters score lower."""
    before, after = weights
    hand = dict(zip(filters.HAND_MADE, filters.blob_preference(np.stack(list(filters.HAND_MADE.values())))))
    learned, random = filters.blob_preference(after), filters.blob_preference(before)
    b = int(np.argmax(learned))
    assert b == 15
    rows = {r[0]: r[1] for r in table_rows(nb.output("c5d6e7f8")) if len(r) == 2}
    assert rows["LoG (블롭)"] == f"{hand['LoG (블롭)']:.2f}" == "1.77"
    assert rows["소벨 x (세로 에지)"] == f"{hand['소벨 x (세로 에지)']:.2f}" == "0.54"
    assert rows["학습된 필터 15 (점을 가장 좋아함)"] == f"{learned[15]:.2f}" == "0.92"
    assert rows["학습 전 필터 30개 중 최고"] == f"{random.max():.2f}" == "0.73"
    assert rows["학습된 필터 18 (세로 에지)"] == f"{learned[18]:.2f}"
    assert "1보다 큰 학습된 필터: 0개" in nb.output("c5d6e7f8") and (learned < 1).all()
    prose = nb.source("d6e7f8a9")
    for s in ("1.77배", "0.54배", "필터 15도 0.92로", "(0.73)", "하나도 없습니다"):
        assert s in prose, s
    # "가운데 줄 왼쪽에 큰 음수 ... 가로로 뭉쳐 있고, 맨 윗줄과 맨 아랫줄의 왼쪽은 양수"
    f = after[15, 0]
    assert (f[2, :3] < -0.3).all() and np.unravel_index(np.argmin(f), f.shape) == (2, 1)
    assert (f[0, :3] > 0.1).all() and (f[4, :2] > 0.3).all()
    assert f"{np.round(f, 2)}" in nb.output("c5d6e7f8")
    assert nb.source("b4c5d6e7").startswith("### 블롭")          # its own section, on the path (not 심화)


def test_photo_correlations_do_not_prove_learning(nb, weights):
    """The prose: random filters also correlate strongly with Sobel, one more than filter 29 with Sobel y."""
    photo = filters.gray_photo(160)
    sobel = np.stack([filters.HAND_MADE["소벨 x (세로 에지)"], filters.HAND_MADE["소벨 y (가로 에지)"]])
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
    assert "(80°와 100°)" in prose and "2.65와 2.96" in prose and "0.77과 0.75" in prose
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


def test_purity_beside_its_untrained_control(nb, deep, test_images):
    """Issue 27: the untrained DeepConvNet (the trained run's starting weights) on the same 2,000 images is the
    control: its rise to Conv3 comes from the architecture; from Conv4 on, the trained column pulls away."""
    x_test, t_test = test_images
    images, labels = x_test[:2000], t_test[:2000]
    trained = mean_purity(deep, images, labels)
    untrained = mean_purity(build_network(RECIPES["deep_convnet"]), images, labels)
    out = nb.output("bbb8f5b6")
    rows = [r for r in table_rows(out) if r[0].startswith("Conv")]
    assert [r[0] for r in rows] == [f"Conv{i}" for i in range(1, 7)]
    assert [r[3] for r in rows] == [f"{v:.2f}" for v in untrained] == ["0.30", "0.39", "0.39", "0.42", "0.46", "0.47"]
    assert [r[4] for r in rows] == [f"{v:.2f}" for v in trained] == ["0.31", "0.40", "0.42", "0.55", "0.67", "0.84"]
    all_before, all_after = [int(r[5]) for r in rows], [int(r[6]) for r in rows]
    assert all_before == [0] * 6 and all_after[-1] == 28 and rows[-1][1] == "64"
    chance = float(re.search(r"우연 수준\): ([\d.]+)", out).group(1))
    assert chance == 0.29
    # what each column shows
    assert np.all(np.abs(trained[:3] - untrained[:3]) <= 0.05)             # to Conv3: about the same
    assert untrained[1] - untrained[0] > 0.05                              # the architecture's rise
    assert np.all(trained[3:] - untrained[3:] > 0.1) and trained[5] - untrained[5] > 0.3
    assert list(trained) == sorted(trained)
    assert abs(trained[0] - chance) < 0.05 and abs(untrained[0] - chance) < 0.05   # "첫 층은 학습 전후 모두 우연 수준"
    prose = nb.source("43540304")
    for s in ("Conv1의 0.30에서 Conv2와 Conv3의 0.39로", "넓어지는 수용 영역", "Conv6까지 0.47에 그치고",
              "Conv3까지(0.31, 0.40, 0.42)", "Conv6에서는 0.84(학습 전 0.47)", "64개 채널 중 28개", "우연 수준(0.29)",
              "학습이 만든 결과"):
        assert s in prose, s
    assert "층이 깊어질수록 비율이 오르고" not in prose
    share = int(re.search(r"가운데 2×2의 비율: (\d+)%", nb.output("c46a6dcc")).group(1))
    assert 40 <= share <= 60                              # "절반쯤은 숫자 전체를 보는 가운데 뉴런에서"


def test_deeper_layers_have_more_zeros(nb):
    ratios = [float(v) for v in re.findall(r"0인 값의 비율 ([\d.]+)", nb.output("b4d9df9f"))]
    assert len(ratios) == 3 and ratios == sorted(ratios)


def test_fewer_images_give_lower_or_equal_purity(deep, test_images):
    """The 심화 exercise's answer: with 500 images instead of 2,000 the purity is mostly lower or equal,
    and it still rises with depth."""
    x_test, t_test = test_images
    small, large = (mean_purity(deep, x_test[:n], t_test[:n]) for n in (500, 2000))
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
