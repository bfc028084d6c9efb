"""Typical wrong convolutions with loops (7.2): exercises ``conv_single`` and ``conv``.

Each function is written the way a learner gets it wrong — one mistake each, the rest right.
"""

from __future__ import annotations

import numpy as np

from .mistakes import mistake


# ---- conv_single: x (H, W), w (FH, FW) -> (OH, OW) -------------------------------------------

@mistake("conv_single", "padding_forgotten",
         "패딩을 넣지 않았습니다. pad가 있어도 원래 입력 그대로 합성곱을 했습니다.",
         "출력 크기 식에 2*pad를 넣고, np.pad(x, pad)로 둘레에 0을 채운 배열에서 윈도우를 읽으세요.")
def conv_single_padding_forgotten(x, w, stride=1, pad=0):
    H, W = x.shape
    FH, FW = w.shape
    OH = (H - FH) // stride + 1
    OW = (W - FW) // stride + 1
    out = np.zeros((OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[i, j] = np.sum(x[i * stride:i * stride + FH, j * stride:j * stride + FW] * w)
    return out


@mistake("conv_single", "pad_one_side",
         "패딩이 한쪽에만 들어갔습니다. 입력을 패딩 배열의 왼쪽 위 구석에 넣어 아래·오른쪽에만 0이 2*pad칸 생겼습니다.",
         "xp[pad:pad + H, pad:pad + W] = x처럼 위·왼쪽에도 pad칸을 비우세요(np.pad(x, pad)가 이렇게 합니다).")
def conv_single_pad_one_side(x, w, stride=1, pad=0):
    H, W = x.shape
    FH, FW = w.shape
    OH = (H + 2 * pad - FH) // stride + 1
    OW = (W + 2 * pad - FW) // stride + 1
    xp = np.zeros((H + 2 * pad, W + 2 * pad))
    xp[:H, :W] = x
    out = np.zeros((OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[i, j] = np.sum(xp[i * stride:i * stride + FH, j * stride:j * stride + FW] * w)
    return out


@mistake("conv_single", "stride_ignored",
         "스트라이드를 무시했습니다. 출력 크기는 맞지만 윈도우를 언제나 한 칸씩만 옮겼습니다.",
         "출력 칸 (i, j)의 윈도우는 패딩한 입력의 (i*stride, j*stride)에서 시작합니다.")
def conv_single_stride_ignored(x, w, stride=1, pad=0):
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


@mistake("conv_single", "size_missing_plus_one",
         "출력 크기가 한 칸씩 작습니다. 식 7.1의 '+ 1'을 빠뜨렸습니다.",
         "맨 처음 윈도우 자리도 출력 한 칸이므로 OH = (H + 2*pad - FH) // stride + 1입니다.")
def conv_single_size_missing_plus_one(x, w, stride=1, pad=0):
    H, W = x.shape
    FH, FW = w.shape
    OH = (H + 2 * pad - FH) // stride
    OW = (W + 2 * pad - FW) // stride
    xp = np.pad(x, pad)
    out = np.zeros((OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[i, j] = np.sum(xp[i * stride:i * stride + FH, j * stride:j * stride + FW] * w)
    return out


@mistake("conv_single", "size_true_division",
         "출력 크기를 / 로 나눠 실수(float)가 되었고, 실수는 배열의 크기나 range에 쓸 수 없습니다.",
         "정수 나눗셈 // 을 쓰거나 int(...)로 감싸세요(책의 코드도 int로 감쌉니다).")
def conv_single_size_true_division(x, w, stride=1, pad=0):
    H, W = x.shape
    FH, FW = w.shape
    OH = (H + 2 * pad - FH) / stride + 1
    OW = (W + 2 * pad - FW) / stride + 1
    xp = np.pad(x, pad)
    out = np.zeros((OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[i, j] = np.sum(xp[i * stride:i * stride + FH, j * stride:j * stride + FW] * w)
    return out


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
    H, W = x.shape
    FH, FW = w.shape
    OH = (H + 2 * pad - FH) // stride + 1
    OW = (W + 2 * pad - FW) // stride + 1
    xp = np.pad(x, pad)
    out = np.zeros((OH, OW))
    for i in range(OH):
        for j in range(OW):
            window = xp[i * stride:i * stride + FH, j * stride:j * stride + FW]
            for a in range(FH):
                for b in range(FW):
                    out[i, j] += window[a, b] * w[FH - 1 - a, FW - 1 - b]
    return out


# ---- conv: x (N, C, H, W), w (FN, C, FH, FW), b (FN,) -> (N, FN, OH, OW) -------------------

def _size(x, w, stride, pad):
    N, C, H, W = x.shape
    FN, _, FH, FW = w.shape
    return N, C, FN, FH, FW, (H + 2 * pad - FH) // stride + 1, (W + 2 * pad - FW) // stride + 1


@mistake("conv", "bias_missing",
         "편향을 더하지 않았습니다.",
         "출력 칸마다 그 필터의 편향 b[f]를 한 번 더하세요.")
def conv_bias_missing(x, w, b, stride=1, pad=0):
    N, C, FN, FH, FW, OH, OW = _size(x, w, stride, pad)
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    out = np.zeros((N, FN, OH, OW))
    for n in range(N):
        for f in range(FN):
            for i in range(OH):
                for j in range(OW):
                    out[n, f, i, j] = np.sum(xp[n, :, i * stride:i * stride + FH, j * stride:j * stride + FW] * w[f])
    return out


@mistake("conv", "bias_per_channel",
         "편향을 채널마다 더했습니다. 채널이 C개이면 편향이 C번 더해집니다.",
         "편향은 모든 채널의 합을 다 구한 뒤에 출력 칸마다 한 번만 더하세요.")
def conv_bias_per_channel(x, w, b, stride=1, pad=0):
    N, C, FN, FH, FW, OH, OW = _size(x, w, stride, pad)
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    out = np.zeros((N, FN, OH, OW))
    for n in range(N):
        for f in range(FN):
            for i in range(OH):
                for j in range(OW):
                    for c in range(C):
                        window = xp[n, c, i * stride:i * stride + FH, j * stride:j * stride + FW]
                        out[n, f, i, j] += np.sum(window * w[f, c]) + b[f]
    return out


@mistake("conv", "channels_not_summed",
         "채널을 더하지 않았습니다. 채널마다 구한 값을 같은 출력 칸에 덮어써서 마지막 채널의 값만 남았습니다.",
         "출력 한 칸은 모든 채널 c에 걸친 합입니다. np.sum(window * w[f])로 (C, FH, FW)를 한꺼번에 더하거나 +=로 모으세요.")
def conv_channels_not_summed(x, w, b, stride=1, pad=0):
    N, C, FN, FH, FW, OH, OW = _size(x, w, stride, pad)
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    out = np.zeros((N, FN, OH, OW))
    for n in range(N):
        for f in range(FN):
            for c in range(C):
                for i in range(OH):
                    for j in range(OW):
                        window = xp[n, c, i * stride:i * stride + FH, j * stride:j * stride + FW]
                        out[n, f, i, j] = np.sum(window * w[f, c]) + b[f]
    return out


@mistake("conv", "pad_all_axes",
         "np.pad(x, pad)가 N, C 축에도 패딩을 넣었습니다. xp[n]이 다른 데이터나 0만 있는 가짜 데이터를 가리킵니다.",
         "np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])처럼 H, W 축에만 패딩하세요.")
def conv_pad_all_axes(x, w, b, stride=1, pad=0):
    N, C, FN, FH, FW, OH, OW = _size(x, w, stride, pad)
    xp = np.pad(x, pad)
    out = np.zeros((N, FN, OH, OW))
    for n in range(N):
        for f in range(FN):
            for i in range(OH):
                for j in range(OW):
                    total = 0.0
                    for c in range(C):
                        total += np.sum(xp[n, c, i * stride:i * stride + FH, j * stride:j * stride + FW] * w[f, c])
                    out[n, f, i, j] = total + b[f]
    return out


@mistake("conv", "kernel_flipped",
         "필터를 뒤집어 곱했습니다. 그것은 신호 처리의 합성곱(convolution)이고, CNN의 합성곱 계층은 필터를 뒤집지 않고 "
         "그대로 곱합니다(교차 상관, cross-correlation).",
         "윈도우와 필터를 같은 자리끼리 곱하세요: np.sum(window * w[f]).")
def conv_kernel_flipped(x, w, b, stride=1, pad=0):
    N, C, FN, FH, FW, OH, OW = _size(x, w, stride, pad)
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    out = np.zeros((N, FN, OH, OW))
    for n in range(N):
        for f in range(FN):
            flipped = w[f, :, ::-1, ::-1]
            for i in range(OH):
                for j in range(OW):
                    window = xp[n, :, i * stride:i * stride + FH, j * stride:j * stride + FW]
                    out[n, f, i, j] = np.sum(window * flipped) + b[f]
    return out


@mistake("conv", "stride_ignored",
         "스트라이드를 무시했습니다. 출력 크기는 맞지만 윈도우를 언제나 한 칸씩만 옮겼습니다.",
         "출력 칸 (i, j)의 윈도우는 (i*stride, j*stride)에서 시작합니다.")
def conv_stride_ignored(x, w, b, stride=1, pad=0):
    N, C, FN, FH, FW, OH, OW = _size(x, w, stride, pad)
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    out = np.zeros((N, FN, OH, OW))
    for n in range(N):
        for f in range(FN):
            for i in range(OH):
                for j in range(OW):
                    out[n, f, i, j] = np.sum(xp[n, :, i:i + FH, j:j + FW] * w[f]) + b[f]
    return out


@mistake("conv", "bias_wrong_axis",
         "편향 b (FN,)를 (N, FN, OH, OW) 출력에 out += b로 더했습니다. 브로드캐스트는 마지막 축(OW)에 맞춰지므로 "
         "필터 축이 아니라 열마다 더해지거나 오류가 납니다.",
         "b[None, :, None, None]처럼 FN 축에 맞춰 더하거나, 출력 칸마다 b[f]를 더하세요.")
def conv_bias_wrong_axis(x, w, b, stride=1, pad=0):
    N, C, FN, FH, FW, OH, OW = _size(x, w, stride, pad)
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    out = np.zeros((N, FN, OH, OW))
    for n in range(N):
        for f in range(FN):
            for i in range(OH):
                for j in range(OW):
                    out[n, f, i, j] = np.sum(xp[n, :, i * stride:i * stride + FH, j * stride:j * stride + FW] * w[f])
    out += b
    return out
