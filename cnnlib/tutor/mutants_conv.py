"""Typical wrong convolutions with loops (7.2): exercises ``conv_single`` and ``conv``.

A mistake that the model solution makes when it is called with other arguments, or whose result
is the solution's cut to another size, is written as that call: the mistake is the one line. A
mistake inside the loops is written out the way a learner gets it wrong — one mistake, the rest
right.
"""

from __future__ import annotations

import numpy as np

from .mistakes import mistake
from .solutions import my_conv, my_conv_single


# ---- conv_single: x (H, W), w (FH, FW) -> (OH, OW) -------------------------------------------

@mistake("conv_single", "padding_forgotten",
         "패딩을 넣지 않았습니다. pad가 있어도 원래 입력 그대로 합성곱을 했습니다.",
         "출력 크기 식에 2*pad를 넣고, np.pad(x, pad)로 둘레에 0을 채운 배열에서 윈도우를 읽으세요.")
def conv_single_padding_forgotten(x, w, stride=1, pad=0):
    return my_conv_single(x, w, stride, 0)


@mistake("conv_single", "size_without_padding",
         "출력 크기 식에 패딩을 넣지 않았습니다. 입력은 패딩했지만 OH, OW를 (H - FH) // stride + 1로 구해 출력이 작습니다.",
         "식 7.1대로 패딩까지 넣으세요: OH = (H + 2*pad - FH) // stride + 1.")
def conv_single_size_without_padding(x, w, stride=1, pad=0):
    (H, W), (FH, FW) = x.shape, w.shape
    return my_conv_single(x, w, stride, pad)[:(H - FH) // stride + 1, :(W - FW) // stride + 1]


@mistake("conv_single", "padding_not_applied",
         "패딩한 입력을 만들지 않았습니다. 출력 크기에는 2*pad를 넣었지만 윈도우를 원래 입력에서 읽어, 가장자리의 "
         "윈도우가 잘리거나 자리가 어긋났습니다.",
         "np.pad(x, pad)로 둘레에 0을 채운 배열을 만들고, 윈도우를 그 배열에서 읽으세요.")
def conv_single_padding_not_applied(x, w, stride=1, pad=0):
    H, W = x.shape
    FH, FW = w.shape
    OH = (H + 2 * pad - FH) // stride + 1
    OW = (W + 2 * pad - FW) // stride + 1
    out = np.zeros((OH, OW))
    for i in range(OH):
        for j in range(OW):
            y0, x0 = i * stride, j * stride
            out[i, j] = np.sum(x[y0:y0 + FH, x0:x0 + FW] * w)
    return out


@mistake("conv_single", "pad_one_side",
         "패딩이 한쪽에만 들어갔습니다. 입력을 패딩 배열의 왼쪽 위 구석에 넣어 아래·오른쪽에만 0이 2*pad칸 생겼습니다.",
         "xp[pad:pad + H, pad:pad + W] = x처럼 위·왼쪽에도 pad칸을 비우세요(np.pad(x, pad)가 이렇게 합니다).")
def conv_single_pad_one_side(x, w, stride=1, pad=0):
    return my_conv_single(np.pad(x, [(0, 2 * pad), (0, 2 * pad)]), w, stride, 0)


@mistake("conv_single", "stride_ignored",
         "스트라이드를 무시했습니다. 출력 크기는 맞지만 윈도우를 언제나 한 칸씩만 옮겼습니다.",
         "출력 칸 (i, j)의 윈도우는 패딩한 입력의 (i*stride, j*stride)에서 시작합니다.")
def conv_single_stride_ignored(x, w, stride=1, pad=0):
    OH, OW = my_conv_single(x, w, stride, pad).shape
    return my_conv_single(x, w, 1, pad)[:OH, :OW]


@mistake("conv_single", "size_missing_plus_one",
         "출력 크기가 한 칸씩 작습니다. 식 7.1의 '+ 1'을 빠뜨렸습니다.",
         "맨 처음 윈도우 자리도 출력 한 칸이므로 OH = (H + 2*pad - FH) // stride + 1입니다.")
def conv_single_size_missing_plus_one(x, w, stride=1, pad=0):
    return my_conv_single(x, w, stride, pad)[:-1, :-1]


@mistake("conv_single", "size_true_division",
         "출력 크기를 / 로 나눠 실수(float)가 되었고, 실수는 배열의 크기나 range에 쓸 수 없습니다.",
         "정수 나눗셈 // 을 쓰거나 int(...)로 감싸세요(책의 코드도 int로 감쌉니다).")
def conv_single_size_true_division(x, w, stride=1, pad=0):
    H, W = x.shape
    FH, FW = w.shape
    OH = (H + 2 * pad - FH) / stride + 1
    OW = (W + 2 * pad - FW) / stride + 1
    return np.zeros((OH, OW))  # TypeError: a float is not a size


@mistake("conv_single", "width_from_height",
         "출력 너비 OW를 H로 계산했습니다. 입력이 정사각형이 아니면 너비가 틀립니다.",
         "OW = (W + 2*pad - FW) // stride + 1: 너비에는 W와 FW를 씁니다.")
def conv_single_width_from_height(x, w, stride=1, pad=0):
    H, W = x.shape
    FH, FW = w.shape
    OH = (H + 2 * pad - FH) // stride + 1
    OW = (H + 2 * pad - FW) // stride + 1
    xp = np.pad(x, pad)
    out = np.zeros((OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[i, j] = np.sum(xp[i * stride:i * stride + FH, j * stride:j * stride + FW] * w)
    return out


@mistake("conv_single", "kernel_flipped",
         "필터를 뒤집어 곱했습니다. 그것은 신호 처리의 합성곱(convolution)이고, CNN의 합성곱 계층은 필터를 뒤집지 않고 "
         "그대로 곱합니다(교차 상관, cross-correlation).",
         "윈도우의 (a, b) 칸에는 필터의 같은 (a, b) 칸을 곱하세요: np.sum(window * w).")
def conv_single_kernel_flipped(x, w, stride=1, pad=0):
    return my_conv_single(x, w[::-1, ::-1], stride, pad)


# ---- conv: x (N, C, H, W), w (FN, C, FH, FW), b (FN,) -> (N, FN, OH, OW) -------------------

@mistake("conv", "bias_missing",
         "편향을 더하지 않았습니다.",
         "출력 칸마다 그 필터의 편향 b[f]를 한 번 더하세요.")
def conv_bias_missing(x, w, b, stride=1, pad=0):
    return my_conv(x, w, np.zeros_like(b), stride, pad)


@mistake("conv", "bias_per_channel",
         "편향을 채널마다 더했습니다. 채널이 C개이면 편향이 C번 더해집니다.",
         "편향은 모든 채널의 합을 다 구한 뒤에 출력 칸마다 한 번만 더하세요.")
def conv_bias_per_channel(x, w, b, stride=1, pad=0):
    return my_conv(x, w, x.shape[1] * b, stride, pad)


@mistake("conv", "channels_not_summed",
         "채널을 더하지 않았습니다. 채널마다 구한 값을 같은 출력 칸에 덮어써서 마지막 채널의 값만 남았습니다.",
         "출력 한 칸은 모든 채널 c에 걸친 합입니다. np.sum(window * w[f])로 (C, FH, FW)를 한꺼번에 더하거나 +=로 모으세요.")
def conv_channels_not_summed(x, w, b, stride=1, pad=0):
    return my_conv(x[:, -1:], w[:, -1:], b, stride, pad)


@mistake("conv", "pad_all_axes",
         "np.pad(x, pad)가 N, C 축에도 패딩을 넣었습니다. xp[n]이 다른 데이터나 0만 있는 가짜 데이터를 가리킵니다.",
         "np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])처럼 H, W 축에만 패딩하세요.")
def conv_pad_all_axes(x, w, b, stride=1, pad=0):
    N, C = x.shape[:2]
    return my_conv(np.pad(x, pad)[:N, :C], w, b, stride, 0)  # xp[n, c] for n < N, c < C, as the loops read it


@mistake("conv", "kernel_flipped",
         "필터를 뒤집어 곱했습니다. 그것은 신호 처리의 합성곱(convolution)이고, CNN의 합성곱 계층은 필터를 뒤집지 않고 "
         "그대로 곱합니다(교차 상관, cross-correlation).",
         "윈도우와 필터를 같은 자리끼리 곱하세요: np.sum(window * w[f]).")
def conv_kernel_flipped(x, w, b, stride=1, pad=0):
    return my_conv(x, w[:, :, ::-1, ::-1], b, stride, pad)


@mistake("conv", "stride_ignored",
         "스트라이드를 무시했습니다. 출력 크기는 맞지만 윈도우를 언제나 한 칸씩만 옮겼습니다.",
         "출력 칸 (i, j)의 윈도우는 (i*stride, j*stride)에서 시작합니다.")
def conv_stride_ignored(x, w, b, stride=1, pad=0):
    OH, OW = my_conv(x, w, b, stride, pad).shape[2:]
    return my_conv(x, w, b, 1, pad)[:, :, :OH, :OW]


@mistake("conv", "bias_wrong_axis",
         "편향 b (FN,)를 (N, FN, OH, OW) 출력에 out += b로 더했습니다. 브로드캐스트는 마지막 축(OW)에 맞춰지므로 "
         "필터 축이 아니라 열마다 더해지거나 오류가 납니다.",
         "b[None, :, None, None]처럼 FN 축에 맞춰 더하거나, 출력 칸마다 b[f]를 더하세요.")
def conv_bias_wrong_axis(x, w, b, stride=1, pad=0):
    out = my_conv(x, w, np.zeros_like(b), stride, pad)
    out += b
    return out


@mistake("conv", "bias_on_batch_axis",
         "편향을 b.reshape(FN, 1, 1, 1)처럼 맨 앞 축에 세워 더했습니다. 브로드캐스트가 그 축을 데이터 축(N)에 맞춰, "
         "출력에 축이 하나 더 생기거나 데이터마다 다른 편향이 더해졌습니다.",
         "필터 축에 맞춰 b.reshape(1, FN, 1, 1)로 더하거나, 출력 칸마다 b[f]를 더하세요.")
def conv_bias_on_batch_axis(x, w, b, stride=1, pad=0):
    return my_conv(x, w, np.zeros_like(b), stride, pad) + b.reshape(-1, 1, 1, 1)
