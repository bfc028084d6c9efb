"""Mutation tests of cnnlib.tutor: every catalogued mistake fails with its own diagnosis, the
cases are able to tell the mistakes apart, and a mistake written differently is still named."""

from __future__ import annotations

import re

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from cnnlib.tutor import EXERCISES, MISTAKES, check
from cnnlib.tutor import solutions as S

ALL = [(m.exercise, m) for ms in MISTAKES.values() for m in ms]

# The mistakes the issue asks for, by exercise (more are catalogued).
REQUIRED = {
    "conv_single": {"padding_forgotten", "stride_ignored", "size_missing_plus_one", "size_true_division",
                    "kernel_flipped"},
    "conv": {"bias_missing", "bias_per_channel", "channels_not_summed"},
    "pool": {"window_end_off_by_one", "padding_left_out", "average_operator_order"},
    "im2col": {"columns_fh_fw_c"},
    "col2im": {"overlaps_overwritten", "padding_not_removed"},
    "conv_forward": {"reshape_without_transpose"},
    "pool_backward": {"gradient_to_every_cell", "last_tied_max"},
    "convnet": {"loss_not_batch_mean", "backward_not_batch_mean", "layers_not_reversed"},
}


def test_catalogue_covers_the_issue_and_every_exercise():
    for name, keys in REQUIRED.items():
        assert keys <= {m.key for m in MISTAKES[name]}, name
    assert set(MISTAKES) == set(EXERCISES)
    assert len(ALL) >= 45


@pytest.mark.parametrize("name,mistake", ALL, ids=[f"{n}-{m.key}" for n, m in ALL])
def test_mutant_fails_with_its_own_diagnosis(name, mistake):
    result = check(name, mistake.impl)
    assert result.status == "fail"
    assert result.mistake == mistake.key, result.text
    assert f"진단: {mistake.diagnosis}" in result.text and f"힌트: {mistake.hint}" in result.text
    assert mistake.diagnosis in result._repr_html_().replace("&#x27;", "'")


@pytest.mark.parametrize("name,mistake", ALL, ids=[f"{n}-{m.key}" for n, m in ALL])
def test_diagnosis_is_one_korean_sentence_with_a_hint(name, mistake):
    for text in (mistake.diagnosis, mistake.hint):
        assert any("\uac00" <= ch <= "\ud7a3" for ch in text)
        assert "\n" not in text and len(text) < 200


def _cases_of(name):
    return EXERCISES[name].make_cases()


@pytest.mark.parametrize("name", ["conv", "conv_forward", "conv_backward", "im2col", "pool", "pool_backward"])
def test_cases_cover_the_hard_parts(name):
    cases = _cases_of(name)
    x = [c.arrays.get("x", c.arrays.get("input_data")) for c in cases]
    assert any(c.params["pad"] > 0 for c in cases)
    assert any(c.params["stride"] > 1 for c in cases)
    assert any(a.shape[2] != a.shape[3] for a in x)  # non-square inputs
    assert any(a.shape[0] > 1 for a in x) and any(a.shape[1] > 1 for a in x)  # N > 1, C > 1
    if name.startswith("conv"):
        w = [c.arrays.get("W", c.arrays.get("w")) for c in cases]
        assert any(a.shape[0] > 1 for a in w)  # FN > 1
        assert any(a.shape[2] != a.shape[3] for a in w)  # non-square filters
        assert any(np.any(c.arrays["b"] != 0) for c in cases)
    sizes = [c.size for c in cases if not c.label]  # after the book's examples
    assert sizes == sorted(sizes) and sizes[-1] >= 20 * sizes[0]  # from tiny to realistic


def test_pooling_cases_have_ties_and_overlapping_windows():
    cases = _cases_of("pool_backward")
    overlapping = [c for c in cases if c.params["stride"] < max(c.params["pool_h"], c.params["pool_w"])]
    assert overlapping
    tied = 0
    for c in cases:
        p = c.params
        xp = np.pad(c.arrays["x"], [(0, 0), (0, 0), (p["pad"], p["pad"]), (p["pad"], p["pad"])])
        win = sliding_window_view(xp, (p["pool_h"], p["pool_w"]), axis=(2, 3))[:, :, ::p["stride"], ::p["stride"]]
        flat = win.reshape(*win.shape[:4], -1)
        tied += int(np.sum((flat == flat.max(axis=-1, keepdims=True)).sum(axis=-1) > 1))
    assert tied > 10


# ---- the diagnosis depends on what the code does, not on how it is written -------------------

def flipped_vectorised(x, w, stride=1, pad=0):
    windows = sliding_window_view(np.pad(x, pad), w.shape)[::stride, ::stride]
    return np.einsum("ijab,ab->ij", windows, np.flip(w))


def overwrite_col2im_other_loops(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_shape
    OH = (H + 2 * pad - filter_h) // stride + 1
    OW = (W + 2 * pad - filter_w) // stride + 1
    img = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    blocks = col.reshape(N, OH, OW, C, filter_h, filter_w)
    for n in range(N):
        for i in range(OH):
            for j in range(OW):
                for c in range(C):
                    img[n, c, i * stride:i * stride + filter_h, j * stride:j * stride + filter_w] = blocks[n, i, j, c]
    return img[:, :, pad:pad + H, pad:pad + W]


class NotReversedOtherWay(S.MyConvNet):
    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for name in list(self.layers):
            dout = self.layers[name].backward(dout)
        return {"W1": self.layers["Conv1"].dW}


# Catalogued mistakes written as a call of the model solution, here as a learner writes them.

def stride_ignored_loops(x, w, stride=1, pad=0):
    H, W = x.shape
    FH, FW = w.shape
    OH = (H + 2 * pad - FH) // stride + 1
    OW = (W + 2 * pad - FW) // stride + 1
    xp = np.pad(x, pad)
    out = np.zeros((OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[i, j] = np.sum(xp[i:i + FH, j:j + FW] * w)
    return out


def conv_pad_all_axes_loops(x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    FN, _, FH, FW = w.shape
    OH, OW = (H + 2 * pad - FH) // stride + 1, (W + 2 * pad - FW) // stride + 1
    xp = np.pad(x, pad)
    out = np.zeros((N, FN, OH, OW))
    for n in range(N):
        for f in range(FN):
            for i in range(OH):
                for j in range(OW):
                    out[n, f, i, j] = np.sum(xp[n, :C, i * stride:i * stride + FH, j * stride:j * stride + FW] * w[f]) + b[f]
    return out


def im2col_fh_fw_c_loops(input_data, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_data.shape
    OH, OW = (H + 2 * pad - filter_h) // stride + 1, (W + 2 * pad - filter_w) // stride + 1
    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.zeros((N * OH * OW, C * filter_h * filter_w))
    row = 0
    for n in range(N):
        for i in range(OH):
            for j in range(OW):
                window = img[n, :, i * stride:i * stride + filter_h, j * stride:j * stride + filter_w]
                col[row] = window.transpose(1, 2, 0).reshape(-1)
                row += 1
    return col


def col2im_crop_minus_pad_loops(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_shape
    OH, OW = (H + 2 * pad - filter_h) // stride + 1, (W + 2 * pad - filter_w) // stride + 1
    img = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    row = 0
    for n in range(N):
        for i in range(OH):
            for j in range(OW):
                img[n, :, i * stride:i * stride + filter_h, j * stride:j * stride + filter_w] += \
                    col[row].reshape(C, filter_h, filter_w)
                row += 1
    return img[:, :, pad:-pad, pad:-pad]


@pytest.mark.parametrize("name,impl,key", [
    ("conv_single", flipped_vectorised, "kernel_flipped"),
    ("col2im", overwrite_col2im_other_loops, "overlaps_overwritten"),
    ("convnet", NotReversedOtherWay, "layers_not_reversed"),
    ("conv_single", stride_ignored_loops, "stride_ignored"),
    ("conv", conv_pad_all_axes_loops, "pad_all_axes"),
    ("im2col", im2col_fh_fw_c_loops, "columns_fh_fw_c"),
    ("col2im", col2im_crop_minus_pad_loops, "crop_minus_pad"),
])
def test_mistake_written_differently_is_still_named(name, impl, key):
    result = check(name, impl)
    assert result.mistake == key and "진단: " in result.text  # the same outcome on every case


def test_two_mistakes_at_once_name_the_one_seen_alone_and_say_there_is_more():
    """The flipped filter shows alone in the stride-1 cases: it is named, with how much of the wrong
    values it explains, and the rest is left to another mistake (not claimed)."""
    def my_conv_single(x, w, stride=1, pad=0):  # stride ignored AND kernel flipped
        windows = sliding_window_view(np.pad(x, pad), w.shape)
        OH = (x.shape[0] + 2 * pad - w.shape[0]) // stride + 1
        OW = (x.shape[1] + 2 * pad - w.shape[1]) // stride + 1
        return np.einsum("ijab,ab->ij", windows[:OH, :OW], np.flip(w))
    result = check("conv_single", my_conv_single)
    assert result.status == "fail" and result.mistake == "kernel_flipped"
    found = re.search(r"진단 \(틀린 값의 약 (\d+)%가 이 실수와 같습니다\)", result.text)
    assert found and 35 <= int(found[1]) < 100
    assert "나머지 틀린 값에는 다른 실수도 있는 것 같습니다." in result.text
