"""What notebook 7.7 states, checked against its executed outputs and against the library.

The notebook keeps only the asserts a learner would write (the layer list's shapes equal the network's,
the measured accuracy equals the record, the paper's filter sizes give the table's parameters, the
im2col matrices have the computed size). The checks that guard the notebook's own numbers live here:
each number the prose states must be in the prose, in the stored output beside it, and equal to what
cnnlib computes now.
"""

from __future__ import annotations

from dataclasses import asdict, replace

import numpy as np
import pytest

from cnnlib import LRN, Dropout, LeNet, conv_output_size, load_mnist
from cnnlib.alexnet import ALEXNET, AlexNet
from cnnlib.architecture import LayerSizeError, layer_table, valid_input_sizes
from cnnlib.evaluate import input_spread, layer_outputs
from cnnlib.explorers import AlexNetExplorer, AlexNetSettings
from cnnlib.images import sample_photo
from cnnlib.lenet import LENET5
from cnnlib.network import trace_shapes
from cnnlib.shapes import check_output_size
from cnnlib.train import RECIPES, load_record

import executed_notebook
from executed_notebook import table_rows


@pytest.fixture(scope="module")
def nb():
    return executed_notebook.Notebook("7.7-representative-cnns.ipynb")


@pytest.fixture(scope="module")
def alexnet_rows():
    return layer_table(ALEXNET, 227)


# ---- 7.7.1 LeNet -----------------------------------------------------------------------------------

def test_lenet_shapes_parameters_and_shares(nb):
    shapes = dict(trace_shapes(LeNet("sigmoid", "average", seed=0).layers, (1, 1, 28, 28)))
    assert shapes["C1"] == (1, 6, 28, 28) and shapes["S2"] == (1, 6, 14, 14)      # C1's pad 2: the paper's 32x32
    assert shapes["C3"] == (1, 16, 10, 10) and shapes["S4"] == (1, 16, 5, 5)
    assert shapes["C5"] == (1, 120, 1, 1) and shapes["F6"] == (1, 84) and shapes["Output"] == (1, 10)
    rows = layer_table(LENET5, 28, channels=1)
    params, macs = sum(r["params"] for r in rows), sum(r["macs"] for r in rows)
    assert params == LeNet(seed=0).parameter_count() == 61_706 and macs == 416_520
    by = {r["name"]: r for r in rows}
    c5, c1c3 = by["C5"]["params"] / params, (by["C1"]["macs"] + by["C3"]["macs"]) / macs
    out = nb.output("c7f1fa74")
    assert f"C5의 매개변수: 전체의 {c5:.0%}, C1과 C3의 곱셈-누산: 전체의 {c1c3:.0%}" in out
    assert "61,706" in out and "416,520" in out
    assert c5 > 0.5 and c1c3 > 0.5                        # "대부분 C5에 ... 대부분 C1과 C3가"
    assert "매개변수는 대부분 C5에 있고, 계산은 대부분 C1과 C3가 합니다" in nb.source("d5771470")


def test_the_two_recipes_differ_only_in_activation_and_pooling(nb):
    a, b = asdict(RECIPES["lenet_book"]), asdict(RECIPES["lenet_modern"])
    assert {k for k in a if a[k] != b[k]} == {"network_args", "note"}
    assert a["network_args"] == {"activation": "sigmoid", "pooling": "average"}
    assert b["network_args"] == {"activation": "relu", "pooling": "max"}
    assert "**활성화 함수와 풀링만** 다르고" in nb.source("9c68a520")
    # the shipped records were trained so: every setting but the two switches is the same
    old, new = (load_record(n)["settings"] for n in ("lenet_book", "lenet_modern"))
    assert {k for k in old if old[k] != new[k]} == {"network_args", "note"}
    s = old
    stated = (f"학습 설정 (두 변형이 같음): {s['epochs']} 에폭, 배치 {s['batch_size']}, {s['optimizer']} 학습률 {s['lr']}, "
              f"시드 {s['seed']}, 시험 이미지 10,000장")
    assert stated in nb.output("ef37d751")


def test_no_record_name_needs_explaining_and_no_recipe_dict_is_printed(nb):
    """Issue 27: the record's name is true (the book's LeNet is lenet_book), so the notebook explains no
    name; the settings are a sentence, not a printed recipe dict; nothing says how the project is tested."""
    text = "\n".join(executed_notebook.source(c) for c in nb.cells)
    outputs = "\n".join(executed_notebook.output(c) for c in nb.cells if c["cell_type"] == "code" and c.get("outputs"))
    assert "lenet_1998" not in text and "이름과 달리" not in text
    assert "lenet_1998" not in RECIPES and RECIPES["lenet_book"].network_args["activation"] == "sigmoid"
    for word in ("network_args", "evaluations_per_epoch", "lr_schedule"):
        assert word not in outputs, word
    for word in ("NBVAL", "nbval", "테스트에서", "CPU"):
        assert word not in text, word


def test_the_timing_cell_is_tagged_not_commented(nb):
    cell = nb.cell("e50bc5ba")
    assert "nbval-ignore-output" in cell["metadata"].get("tags", [])
    assert "profile_forward" in executed_notebook.source(cell)


def first_epoch_at(history, level):
    return next((e for e, acc in zip(history["epoch"], history["test_acc"]) if acc >= level), None)


def test_the_measured_differences_are_the_records(nb):
    old, new = (load_record(n) for n in ("lenet_book", "lenet_modern"))
    ho, hn = old["history"], new["history"]
    assert [first_epoch_at(ho, v) for v in (0.97, 0.98, 0.99)] == [5, 9, None]
    assert [first_epoch_at(hn, v) for v in (0.97, 0.98, 0.99)] == [1, 2, 9]
    assert (round(ho["train_loss"][0], 2), round(hn["train_loss"][0], 2)) == (1.23, 0.22)
    assert (old["test_accuracy"], new["test_accuracy"]) == (0.9812, 0.9902)
    errors = [round((1 - r["test_accuracy"]) * 10_000) for r in (old, new)]
    assert errors == [188, 98]
    assert f"{ho['train_acc'][-1]:.2%}" == "98.54%" and f"{hn['train_acc'][-1]:.2%}" == "99.73%"
    assert ho["train_loss"][-1] < ho["train_loss"][-2]                      # "훈련 손실이 아직 줄고 있어"
    late = hn["test_acc"][4:]                                               # from epoch 5 on
    assert f"{min(late):.1%}–{max(late):.1%}" == "98.7%–99.0%"
    assert hn["train_acc"][-1] - hn["test_acc"][-1] > hn["train_acc"][4] - hn["test_acc"][4]   # the gap widens

    out = nb.output("7ff586c2")
    book, modern = [r for r in table_rows(out) if r[0].startswith(("책의", "오늘날식"))]
    assert book[1:] == ["1.23", "89.59%", "5", "9", "—", "98.54%", "98.12%", "188"]
    assert modern[1:] == ["0.22", "97.73%", "1", "2", "9", "99.73%", "99.02%", "98"]
    prose = nb.source("845645db")
    for stated in ("책의 LeNet 1.23, 오늘날식 0.22", "ln 10 ≈ 2.30", "책의 LeNet은 9에폭, 오늘날식은 2에폭",
                   "188장 대 98장", "(98.54%, 98.12%)", "98.7–99.0%", "(99.73%)", "오버피팅"):
        assert stated in prose, stated
    assert f"{np.log(10):.2f}" == "2.30"


def test_input_spread_before_training(nb):
    """The measure without an offset (issue 27): sigmoid's spread falls layer by layer, tanh's (the same
    weights) and ReLU's do not; the prose's numbers are the table's."""
    (x_train, t_train), _ = load_mnist(normalize=True, flatten=False)
    x100, t100 = x_train[:100], t_train[:100]
    points = ("Act1", "Act3", "Act5", "Act6", "Output")
    spread = {}
    for act in ("sigmoid", "tanh", "relu"):
        for pool in ("average", "max"):
            outs = layer_outputs(LeNet(act, pool, seed=0), x100)
            spread[act, pool] = [input_spread(outs[k]) for k in points]
    rows = {(r[0], r[1]): r[2:] for r in table_rows(nb.output("a4f1c3e7")) if r[0] in ("sigmoid", "tanh", "relu")}
    assert rows == {k: [f"{d:.4f}" for d in v] for k, v in spread.items()}
    two = {r[0]: r[1:] for r in table_rows(nb.output("c92d88f5")) if r[0].startswith(("책의", "오늘날식"))}
    assert list(two.values()) == [[f"{d:.4f}" for d in spread[k]] for k in (("sigmoid", "average"), ("relu", "max"))]
    # sigmoid and tanh LeNets start from the same weights ("초기 가중치는 시그모이드의 LeNet과 똑같습니다")
    sig, tanh = LeNet("sigmoid", "average", seed=0), LeNet("tanh", "average", seed=0)
    for key in sig.params:
        np.testing.assert_array_equal(sig.params[key], tanh.params[key])
    assert "초기 가중치는 시그모이드의 LeNet과 똑같습니다" in nb.source("9eb14f09")
    for pool in ("average", "max"):
        s = spread["sigmoid", pool][:4]
        assert all(b < a / 2 for a, b in zip(s, s[1:]))                     # "층을 지날 때마다 몇 분의 1로"
        assert all(0.12 <= v <= 0.21 for v in spread["tanh", pool])          # "tanh는 0.12–0.20에 머뭅니다"
    modern = spread["relu", "max"]
    assert all(v >= modern[0] for v in modern)                               # "줄지 않습니다"
    sig = spread["sigmoid", "average"]
    prose = nb.source("9eb14f09")
    assert f"C1의 {sig[0]:.4f}이 F6에서는 {sig[3]:.4f}" in prose
    assert f"C1의 {modern[0]:.4f}에서\n출력층의 {modern[4]:.4f}까지" in prose
    ratio = spread["tanh", "average"][0] / sig[0]
    assert f"tanh가 시그모이드의 {ratio:.1f}배" in nb.output("a4f1c3e7")
    after = nb.source("b7e2d5f9")
    assert f"tanh가 시그모이드의 {ratio:.1f}배" in after and 3 < ratio < 4         # "0 근처 기울기의 비(4배)에 가깝습니다"
    assert f"F6에서 {sig[3]:.4f}" in after and "0.12–0.20" in after
    # σ(z) = (1 + tanh(z/2))/2, and the slopes at 0 are 1/4 and 1
    z = np.linspace(-5, 5, 101)
    np.testing.assert_allclose(1 / (1 + np.exp(-z)), (1 + np.tanh(z / 2)) / 2, atol=1e-12)
    assert r"$$\sigma(z) = \frac{1 + \tanh(z/2)}{2}$$" in prose
    # "시그모이드의 출력은 0.5 언저리": the offset the spread ignores
    outs = layer_outputs(LeNet("sigmoid", "average", seed=0), x100)
    for k in ("Act1", "Act3", "Act5", "Act6"):
        assert abs(outs[k].mean() - 0.5) < 0.1
    # the book's LeNet's first-layer gradient is hundreds of times smaller relative to its weights
    ratio = {}
    for name in ("lenet_book", "lenet_modern"):
        net = LeNet(**RECIPES[name].network_args, seed=0)
        ratio[name] = np.linalg.norm(net.gradient(x100, t100)["W1"]) / np.linalg.norm(net.params["W1"])
    assert ratio["lenet_modern"] > 100 * ratio["lenet_book"]
    out = nb.output("c5d8e2a6")
    assert f"{ratio['lenet_book']:.1e}" in out and f"{ratio['lenet_modern']:.1e}" in out
    assert "Adam" in nb.source("d6a9f0b8")


# ---- 7.7.2 AlexNet ---------------------------------------------------------------------------------

def test_alexnet_table_and_the_stated_shares(nb, alexnet_rows):
    table = {r["name"]: r for r in alexnet_rows}
    total_params = sum(r["params"] for r in alexnet_rows)
    total_macs = sum(r["macs"] for r in alexnet_rows)
    assert total_params == 60_965_224 and total_macs == 724_406_816
    assert table["conv1"]["shape"] == (96, 55, 55) and table["pool5"]["shape"] == (256, 6, 6)
    assert [table[n]["shape"] for n in ("fc6", "fc7", "fc8")] == [(4096,), (4096,), (1000,)]
    conv_params = sum(r["params"] for r in alexnet_rows if r["kind"] == "conv")
    conv_macs = sum(r["macs"] for r in alexnet_rows if r["kind"] == "conv")
    out = nb.output("7bd0f244")
    assert f"완전연결 계층 {1 - conv_params / total_params:.1%} (그중 fc6 하나가 전체의 " \
           f"{table['fc6']['params'] / total_params:.0%})" in out
    assert f"합성곱 계층 {conv_macs / total_macs:.1%}" in out and "(약 7.2억)" in out
    assert f"float32로 {4 * total_params / 1e6:.0f} MB" in out and f"{4 * total_params / 1e6:.0f}" == "244"
    lenet = layer_table(LENET5, 28, channels=1)
    ratio_p = total_params / sum(r["params"] for r in lenet)
    ratio_m = total_macs / sum(r["macs"] for r in lenet)
    assert f"매개변수 {ratio_p:,.0f}배, 곱셈-누산 {ratio_m:,.0f}배" in out
    prose = nb.source("4e192d4b")
    assert "약 6,100만 개" in prose and round(total_params, -6) == 61_000_000      # 60,965,224 ≈ 6,100만
    assert "6,000만 개(60 million)" in prose
    assert "96%" in prose and "62%" in prose and "92%" in prose and "약 7.2억 회" in prose and "약 1,700배" in prose
    assert round(conv_macs / total_macs, 2) == 0.92 and round(1 - conv_params / total_params, 2) == 0.96
    assert round(ratio_m, -2) == 1700 and round(ratio_p, -3) == 1000
    assert "244 MB" in nb.source("cf0416fc")
    # every mention of the parameter count in the prose uses the table's figure
    markdown = "\n".join("".join(c["source"]) for c in nb.cells if c["cell_type"] == "markdown")
    assert "6,000만" not in markdown.replace("6,000만 개(60 million)", "")


def test_224_cannot_work_and_pad_2_skips_only_padding(nb):
    with pytest.raises(LayerSizeError) as info:
        layer_table(ALEXNET, 224)
    error = info.value
    assert error.layer.name == "conv1" and error.input_shape == (3, 224, 224)
    assert error.checks[0].numerator == 213 and error.checks[0].remainder == 1
    assert conv_output_size(227, 11, stride=4) == 55
    c = check_output_size(224, 11, stride=4, pad=2)
    assert c.floor_output_size == 55 and c.dropped_input_indices == () and c.dropped_padding == 1
    last = (c.floor_output_size - 1) * 4
    assert (224 + 4, last + 10) == (228, 226)
    out = nb.output("e98f07d5")
    assert "228칸 중 마지막 윈도우는 216번 칸에서 시작해 226번 칸에서 끝남" in out
    assert "실제 픽셀 0줄, 패딩 1줄" in out
    html = nb.output("e98f07d5", "text/html")
    assert "213 ÷ 4의 나머지는 1" in html and "54.25" in html
    prose = nb.source("7c6b11a6")
    assert "패딩한 228칸" in prose and "226번 칸에서" in prose and "**패딩 한 줄**뿐" in prose
    assert "실제 픽셀은 모두" in prose and "마지막 행·열 일부" not in prose


def test_explorer_and_the_sizes_it_names(alexnet_rows):
    explorer = AlexNetExplorer()
    assert explorer.view().rows == alexnet_rows
    view = explorer.view(AlexNetSettings(input_size=224))
    assert view.error.layer.name == "conv1" and view.nearest_valid == (227, 195)
    sizes = valid_input_sizes(ALEXNET, 11, 400)
    assert {67, 99, 131, 227, 259} <= set(sizes) and set(np.diff(sizes)) == {32}
    with pytest.raises(LayerSizeError) as info:                     # 231: conv1 passes, pool1 stops
        layer_table(ALEXNET, 231)
    assert info.value.layer.name == "pool1"


def photo_outputs():
    photo = sample_photo(227)
    x = (photo - photo.mean(axis=(1, 2), keepdims=True))[np.newaxis]
    return layer_outputs(AlexNet(input_size=227, seed=0), x)


@pytest.fixture(scope="module")
def outputs():
    return photo_outputs()


def test_forward_pass_layers(outputs):
    assert outputs["fc8"].shape == (1, 1000)
    assert [name for name in outputs if not name.startswith("relu")] == [spec.name for spec in ALEXNET]


def test_lrn_divides_a_lone_value_by_its_own_square_too(nb, outputs):
    a = outputs["relu1"]
    lrn = LRN()
    b = lrn.forward(a)
    divisor = lrn.scale ** lrn.beta
    alone = (lrn.k + lrn.alpha * a.astype(np.float64) ** 2) ** lrn.beta
    # the self term alone: the curve a / (2 + 1e-4 a²)^0.75 peaks at a = 200 with about 52
    grid = np.linspace(0, 400, 40_001)
    curve = grid / (2 + 1e-4 * grid ** 2) ** 0.75
    assert grid[curve.argmax()] == pytest.approx(200) and round(curve.max()) == 52
    # a lone value in a channel stack: divided by (2 + 1e-4·a²)^0.75, not 2^0.75
    lone = np.zeros((1, 5, 1, 1))
    lone[0, 2] = 100.0
    assert LRN().forward(lone)[0, 2, 0, 0] == pytest.approx(100 / 3 ** 0.75)
    # every value lies on or under the lone curve; the largest output sits on it, at a ≈ 200
    assert np.all(b <= a / alone * (1 + 1e-5) + 1e-6)
    assert b.max() == pytest.approx(curve.max(), rel=1e-3) and a.ravel()[b.argmax()] == pytest.approx(200, abs=1)
    positive = a > 0
    strong = a >= np.quantile(a[positive], 0.99)
    weak = positive & (a <= np.median(a[positive]))
    assert np.isclose(divisor.min(), 2 ** 0.75) and divisor[strong].mean() > 2 * divisor[weak].mean()
    spread_before = a.max() / np.median(a[positive])
    spread_after = b.max() / np.median(b[positive])
    assert spread_after < spread_before / 2 and b.max() < a.max() / 10
    out = nb.output("739a9992")
    stated = (f"가장 강한 1% {divisor[strong].mean():.1f} (이웃이 모두 0이었다면 {alone[strong].mean():.1f})",
              f"LRN 뒤의 최댓값 {b.max():.1f} (그때의 a = {a.ravel()[b.argmax()]:.0f})",
              f"LRN 전 {spread_before:.1f}배 → LRN 뒤 {spread_after:.1f}배")
    for s in stated:
        assert s in out, s
    prose = nb.source("a739fa5e")
    for s in ("a = 200에서 가장 높고(약 52)", "평균 9.8로 나뉘는데 이웃이 모두 0이었어도\n7.9로", "9.9배에서 2.4배로"):
        assert s in prose, s
    assert f"{divisor[strong].mean():.1f}, {alone[strong].mean():.1f}" == "9.8, 7.9"
    assert f"{spread_before:.1f}, {spread_after:.1f}" == "9.9, 2.4"
    formula = nb.source("f2a2bc96")
    assert "**c 자신도 포함**" in formula and "(2 + 10⁻⁴a_c²)^0.75" in formula
    assert "2^0.75 ≈ 1.68" in formula and f"{2 ** 0.75:.2f}" == "1.68"


def test_dropout_test_mode_is_the_average(nb, outputs):
    fc6 = outputs["relu6"]
    dropout = Dropout(dropout_ratio=0.5, seed=0)
    dropout.forward(fc6, train_flg=True)
    test_out = dropout.forward(fc6, train_flg=False)
    mean = np.mean([dropout.forward(fc6, train_flg=True) for _ in range(1000)], axis=0)
    gap = np.abs(mean - test_out).sum() / test_out.sum()
    assert np.allclose(test_out, 0.5 * fc6) and gap < 0.05
    assert f"차이: {gap:.1%}" in nb.output("92590e83")


def test_im2col_memory_for_a_batch_of_128(nb, alexnet_rows):
    table = {r["name"]: r for r in alexnet_rows}
    assert 128 * table["conv2"]["im2col_bytes"] == 895_795_200
    rows = {r[0]: r for r in table_rows(nb.output("d3deb8da")) if r[0].startswith("conv")}
    assert rows["conv2"][1:] == ["729 × 2,400", "7.0", "895.8"]


def test_the_papers_figures(nb, alexnet_rows):
    table = {r["name"]: r for r in alexnet_rows}
    paper = [253_440, 186_624, 64_896, 64_896, 43_264, 4096, 4096, 1000]
    ours = [int(np.prod(table[n]["shape"])) for n in ("conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8")]
    assert ours[1:] == paper[1:] and ours[0] == 96 * 55 * 55 == 290_400 and sum(ours) == 659_272
    assert 253_440 // 96 == 2640 and 253_440 % 96 == 0 and int(np.sqrt(2640)) ** 2 != 2640
    assert 224 * 224 * 3 == 150_528
    prose = nb.source("0c45ed41")
    for s in ("659,272", "2,640", "290,400", "150,528"):
        assert s in prose and s in nb.output("4d772e4b"), s


def test_comparison_figures(nb):
    out = nb.output("425911bd")
    assert "매개변수 988배, 이미지 한 장의 계산 1,739배" in out
    assert "ILSVRC 약 1,200,000장 (20배)" in out and "픽셀 값 197배" in out
    prose = nb.source("5df0db95")
    assert "매개변수 약 1,000배, 이미지 한 장의 계산 약 1,700배" in prose
    assert "MNIST의 20배" in prose and "약 200배" in prose and "약 6,100만 개" in prose


def test_exercise_answers(nb):
    no_pad = [replace(LENET5[0], pad=0), *LENET5[1:4]]
    assert layer_table(no_pad, 28, channels=1)[-1]["shape"] == (16, 4, 4)
    with pytest.raises(LayerSizeError) as info:                    # C5's 5x5 filter does not fit a 4x4 map
        layer_table([replace(LENET5[0], pad=0), *LENET5[1:]], 28, channels=1)
    assert info.value.layer.name == "C5"
    answers = nb.source("7d833971")
    assert "1. (16, 4, 4)" in answers and "100 / 3^0.75 ≈ 43.9" in answers
    assert f"{100 / 3 ** 0.75:.1f}" == "43.9"
    for cell_id in ("3f37fcfa", "bc7b37b6"):
        assert "아직 답이 없습니다" in nb.output(cell_id)


def test_explorer_questions_answers_are_the_library_s(nb):
    """The fold-out answers under the AlexNet explorer's three questions (231, 259, batch 128)."""
    text = nb.source("7c6b11a6")
    conv1 = conv_output_size(231, 11, stride=4)
    assert conv1 == 56 and (conv1 - 3) / 2 + 1 == 27.5 and "(56 − 3)/2 + 1 = 27.5" in text
    at_227, at_259 = layer_table(ALEXNET, 227, 3), layer_table(ALEXNET, 259, 3)
    conv = [sum(r["params"] for r in t if r["kind"] == "conv") for t in (at_227, at_259)]
    fc6 = [next(r["params"] for r in t if r["name"] == "fc6") for t in (at_227, at_259)]
    assert conv[0] == conv[1] and f"그대로({conv[0]:,d}개)" in text
    assert f"{fc6[0]:,d}개에서 {fc6[1]:,d}개로" in text
    biggest = max(at_227, key=lambda r: r["im2col_bytes"])
    assert biggest["name"] == "conv2" and f"약 {biggest['im2col_bytes'] * 128 / 1e6:,.1f} MB" in text
    assert f"한 장에 {biggest['im2col_bytes'] / 1e6:.1f} MB" in text
