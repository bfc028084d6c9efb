"""Typical wrong poolings: the forward with loops (7.3, exercise ``pool``) and the max pooling
backward of the book's ``Pooling`` class (7.4, exercise ``pool_backward``).

A mistake that the model solution makes with other arguments is written as that call; the others
are written the way a learner gets them wrong — one mistake each, the rest right. The backward
mutants keep the starter's (correct) forward, as the learner does.
"""

from __future__ import annotations

import numpy as np

from ..im2col import col2im
from .mistakes import mistake
from .solutions import my_pool
from .starters import MyPooling


# ---- pool: x (N, C, H, W) -> (N, C, OH, OW) ---------------------------------------------------

def _size(x, pool_h, pool_w, stride, pad):
    N, C, H, W = x.shape
    return N, C, (H + 2 * pad - pool_h) // stride + 1, (W + 2 * pad - pool_w) // stride + 1


def _pad(x, pad):
    return np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])


@mistake("pool", "window_end_off_by_one",
         "윈도우가 한 칸씩 작습니다. 슬라이스의 끝을 y0 + pool_h - 1로 잡았는데, 파이썬 슬라이스는 끝 칸을 포함하지 않습니다.",
         "윈도우는 xp[n, c, y0:y0 + pool_h, x0:x0 + pool_w]입니다(끝에 -1이 없습니다).")
def pool_window_end_off_by_one(x, pool_h, pool_w, stride=1, pad=0, method="max"):
    N, C, OH, OW = _size(x, pool_h, pool_w, stride, pad)
    xp = _pad(x, pad)
    out = np.zeros((N, C, OH, OW))
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    y0, x0 = i * stride, j * stride
                    window = xp[n, c, y0:y0 + pool_h - 1, x0:x0 + pool_w - 1]
                    out[n, c, i, j] = window.max() if method == "max" else window.mean()
    return out


@mistake("pool", "stride_ignored",
         "스트라이드를 무시했습니다. 출력 크기는 맞지만 윈도우를 언제나 한 칸씩만 옮겼습니다.",
         "출력 칸 (i, j)의 윈도우는 (i*stride, j*stride)에서 시작합니다.")
def pool_stride_ignored(x, pool_h, pool_w, stride=1, pad=0, method="max"):
    OH, OW = my_pool(x, pool_h, pool_w, stride, pad, method).shape[2:]
    return my_pool(x, pool_h, pool_w, 1, pad, method)[:, :, :OH, :OW]


@mistake("pool", "padding_forgotten",
         "패딩을 넣지 않았습니다. pad가 있어도 원래 입력 그대로 풀링했습니다.",
         "출력 크기 식에 2*pad를 넣고, H, W 축에만 0을 채운 배열에서 윈도우를 읽으세요.")
def pool_padding_forgotten(x, pool_h, pool_w, stride=1, pad=0, method="max"):
    return my_pool(x, pool_h, pool_w, stride, 0, method)


@mistake("pool", "padding_left_out",
         "패딩 칸을 윈도우에서 뺐습니다. 윈도우를 입력 안쪽으로 잘라 최댓값·평균을 구했는데, 책의 풀링은 패딩 칸의 0도 "
         "윈도우의 칸으로 셉니다.",
         "먼저 입력을 0으로 패딩한 뒤 언제나 pool_h × pool_w칸의 윈도우 전체를 보세요.")
def pool_padding_left_out(x, pool_h, pool_w, stride=1, pad=0, method="max"):
    N, C, H, W = x.shape
    _, _, OH, OW = _size(x, pool_h, pool_w, stride, pad)
    out = np.zeros((N, C, OH, OW))
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    y0, x0 = i * stride - pad, j * stride - pad  # window corner in the unpadded input
                    window = x[n, c, max(y0, 0):min(y0 + pool_h, H), max(x0, 0):min(x0 + pool_w, W)]
                    out[n, c, i, j] = window.max() if method == "max" else window.mean()
    return out


@mistake("pool", "method_ignored",
         "method 인자를 무시했습니다. method='average'일 때도 최댓값을 구했습니다.",
         "method == 'average'이면 윈도우의 평균 window.mean()을 쓰세요.")
def pool_method_ignored(x, pool_h, pool_w, stride=1, pad=0, method="max"):
    return my_pool(x, pool_h, pool_w, stride, pad, "max")


@mistake("pool", "average_operator_order",
         "평균을 window.sum() / pool_h * pool_w로 계산했습니다. 나눗셈과 곱셈은 왼쪽부터 계산되므로 pool_w로 나누는 대신 곱했습니다.",
         "window.sum() / (pool_h * pool_w)처럼 괄호로 묶거나 window.mean()을 쓰세요.")
def pool_average_operator_order(x, pool_h, pool_w, stride=1, pad=0, method="max"):
    N, C, OH, OW = _size(x, pool_h, pool_w, stride, pad)
    xp = _pad(x, pad)
    out = np.zeros((N, C, OH, OW))
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    window = xp[n, c, i * stride:i * stride + pool_h, j * stride:j * stride + pool_w]
                    out[n, c, i, j] = window.max() if method == "max" else window.sum() / pool_h * pool_w
    return out


@mistake("pool", "channels_mixed",
         "채널을 섞었습니다. 윈도우에 모든 채널을 함께 넣었는데, 풀링은 채널마다 따로 합니다.",
         "윈도우는 채널 하나에서만 읽습니다: xp[n, c, y0:y0 + pool_h, x0:x0 + pool_w].")
def pool_channels_mixed(x, pool_h, pool_w, stride=1, pad=0, method="max"):
    N, C, OH, OW = _size(x, pool_h, pool_w, stride, pad)
    xp = _pad(x, pad)
    out = np.zeros((N, C, OH, OW))
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    window = xp[n, :, i * stride:i * stride + pool_h, j * stride:j * stride + pool_w]
                    out[n, c, i, j] = window.max() if method == "max" else window.mean()
    return out


# ---- pool_backward: MyPooling.backward, dout (N, C, OH, OW) -> dx (N, C, H, W) ---------------

@mistake("pool_backward", "gradient_to_every_cell",
         "기울기를 윈도우의 모든 칸에 보냈습니다. 최대 풀링에서는 최댓값이었던 칸 하나만 기울기를 받습니다.",
         "self.arg_max로 최댓값의 자리를 찾아 그 칸에만 dout을 넣으세요.")
class PoolingGradientToEveryCell(MyPooling):
    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size))
        dmax[:, :] = dout.reshape(-1, 1)
        dcol = dmax.reshape(dout.shape[0] * dout.shape[1] * dout.shape[2], -1)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)


@mistake("pool_backward", "gradient_split_evenly",
         "기울기를 윈도우의 칸에 똑같이 나눠 주었습니다. 그것은 평균 풀링의 역전파이고, 최대 풀링에서는 최댓값이었던 칸만 "
         "기울기를 받습니다.",
         "나누지 말고, self.arg_max가 가리키는 칸 하나에 dout을 그대로 넣으세요.")
class PoolingGradientSplitEvenly(MyPooling):
    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size))
        dmax[:, :] = dout.reshape(-1, 1) / pool_size
        dcol = dmax.reshape(dout.shape[0] * dout.shape[1] * dout.shape[2], -1)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)


def _window_gradients(layer, dout, spread):
    """dx of a pooling backward that gives window (n, c, i, j) the gradient dout[n, c, i, j] times
    ``spread(window)`` (an array of the window's shape), window by window in the padded input."""
    N, C, H, W = layer.x.shape
    p = layer.pad
    xp = np.pad(layer.x, [(0, 0), (0, 0), (p, p), (p, p)])
    dx = np.zeros(xp.shape)
    for n in range(N):
        for c in range(C):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    y0, x0 = i * layer.stride, j * layer.stride
                    cells = (n, c, slice(y0, y0 + layer.pool_h), slice(x0, x0 + layer.pool_w))
                    dx[cells] += spread(xp[cells]) * dout[n, c, i, j]
    return dx[:, :, p:p + H, p:p + W]


def _last_maximum(window):
    """1 at the last largest cell in reading order (what a '>=' comparison keeps), 0 elsewhere."""
    flat = window.ravel()
    one = np.zeros(flat.size)
    one[flat.size - 1 - np.argmax(flat[::-1])] = 1
    return one.reshape(window.shape)


@mistake("pool_backward", "last_tied_max",
         "같은 최댓값이 여럿일 때 마지막 칸에 기울기를 보냈습니다. 순전파의 np.argmax는 첫 번째 칸을 고릅니다.",
         "비교를 >= 대신 >로 하거나, 순전파가 저장한 self.arg_max를 그대로 쓰세요.")
class PoolingLastTiedMax(MyPooling):
    def backward(self, dout):
        return _window_gradients(self, dout, _last_maximum)


@mistake("pool_backward", "every_tied_max",
         "같은 최댓값이 여럿인 윈도우에서 그 칸 모두에 기울기를 보냈습니다(ReLU처럼 마스크로). 순전파는 그중 "
         "np.argmax가 고른 첫 번째 칸 하나의 값만 출력으로 썼습니다.",
         "self.arg_max가 가리키는 칸 하나에만 dout을 넣으세요.")
class PoolingEveryTiedMax(MyPooling):
    def backward(self, dout):
        return _window_gradients(self, dout, lambda window: window == window.max())


@mistake("pool_backward", "overlaps_overwritten",
         "겹치는 윈도우의 기울기를 더하지 않고 덮어썼습니다. 한 칸이 여러 윈도우의 최댓값이면 그 기울기를 모두 더해야 합니다.",
         "dx[...] += dout[...]처럼 +=를 쓰세요(col2im은 겹치는 칸을 더합니다).")
class PoolingOverlapsOverwritten(MyPooling):
    def backward(self, dout):
        N, C, H, W = self.x.shape
        OH, OW = dout.shape[2], dout.shape[3]
        dx = np.zeros((N, C, H + 2 * self.pad, W + 2 * self.pad))
        arg_max = self.arg_max.reshape(N, OH, OW, C)  # forward's rows are (n, i, j, c)
        for n in range(N):
            for c in range(C):
                for i in range(OH):
                    for j in range(OW):
                        a, b = divmod(int(arg_max[n, i, j, c]), self.pool_w)
                        dx[n, c, i * self.stride + a, j * self.stride + b] = dout[n, c, i, j]
        return dx[:, :, self.pad:self.pad + H, self.pad:self.pad + W]


@mistake("pool_backward", "padding_not_removed",
         "패딩을 떼어 내지 않았습니다. dx가 패딩을 포함한 (H + 2*pad, W + 2*pad) 크기입니다.",
         "마지막에 dx[:, :, pad:pad + H, pad:pad + W]를 돌려주세요(col2im은 이것까지 해 줍니다).")
class PoolingPaddingNotRemoved(MyPooling):
    def backward(self, dout):
        N, C, H, W = self.x.shape
        OH, OW = dout.shape[2], dout.shape[3]
        dx = np.zeros((N, C, H + 2 * self.pad, W + 2 * self.pad))
        arg_max = self.arg_max.reshape(N, OH, OW, C)
        for n in range(N):
            for c in range(C):
                for i in range(OH):
                    for j in range(OW):
                        a, b = divmod(int(arg_max[n, i, j, c]), self.pool_w)
                        dx[n, c, i * self.stride + a, j * self.stride + b] += dout[n, c, i, j]
        return dx


@mistake("pool_backward", "dout_not_transposed",
         "dout을 (N, OH, OW, C)로 바꾸지 않고 펼쳤습니다. 순전파의 arg_max는 (n, i, j, c) 순서라 기울기가 다른 채널의 윈도우로 갑니다.",
         "dout.transpose(0, 2, 3, 1)을 한 뒤 flatten하세요.")
class PoolingDoutNotTransposed(MyPooling):
    def backward(self, dout):
        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size))
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        N, C, OH, OW = dout.shape
        dcol = dmax.reshape(N * OH * OW, -1)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)
