"""Model solutions of the exercises — real, tested code (``tests/test_tutor.py`` checks each
with the tutor); ``cnnlib.tutor.solution(name)`` shows their source in a fold-out.

Learner-facing, so the comments are Korean. They follow the book's code (``common/layers.py``,
``common/util.py``, ``ch07/simple_convnet.py``) where the book has one.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from ..functions import softmax
from ..im2col import col2im, im2col
from ..layers import Affine, Convolution, Pooling, Relu
from . import starters
from .starters import init_convnet_params

__all__ = [
    "my_conv_single", "my_conv", "my_pool", "my_im2col", "my_col2im",
    "MyConvolution", "MyConvolutionBackward", "MyPooling", "MySoftmaxWithLoss", "MyConvNet",
]


def my_conv_single(x, w, stride=1, pad=0):
    H, W = x.shape
    FH, FW = w.shape
    OH = (H + 2 * pad - FH) // stride + 1  # 식 7.1
    OW = (W + 2 * pad - FW) // stride + 1
    xp = np.pad(x, pad)  # 위·아래·왼쪽·오른쪽에 0을 pad칸씩
    out = np.zeros((OH, OW))
    for i in range(OH):
        for j in range(OW):
            y0, x0 = i * stride, j * stride  # 윈도우의 왼쪽 위 칸
            out[i, j] = np.sum(xp[y0:y0 + FH, x0:x0 + FW] * w)
    return out


def my_conv(x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    FN, C, FH, FW = w.shape
    OH = (H + 2 * pad - FH) // stride + 1
    OW = (W + 2 * pad - FW) // stride + 1
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])  # H, W 축에만 패딩
    out = np.zeros((N, FN, OH, OW))
    for n in range(N):
        for f in range(FN):
            for i in range(OH):
                for j in range(OW):
                    y0, x0 = i * stride, j * stride
                    window = xp[n, :, y0:y0 + FH, x0:x0 + FW]  # (C, FH, FW): 모든 채널
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]  # 채널까지 모두 더하고, 편향은 한 번
    return out


def my_pool(x, pool_h, pool_w, stride=1, pad=0, method="max"):
    N, C, H, W = x.shape
    OH = (H + 2 * pad - pool_h) // stride + 1
    OW = (W + 2 * pad - pool_w) // stride + 1
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    out = np.zeros((N, C, OH, OW))
    for n in range(N):
        for c in range(C):  # 채널마다 따로
            for i in range(OH):
                for j in range(OW):
                    y0, x0 = i * stride, j * stride
                    window = xp[n, c, y0:y0 + pool_h, x0:x0 + pool_w]
                    out[n, c, i, j] = window.max() if method == "max" else window.mean()
    return out


def my_im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_data.shape
    OH = (H + 2 * pad - filter_h) // stride + 1
    OW = (W + 2 * pad - filter_w) // stride + 1
    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.zeros((N * OH * OW, C * filter_h * filter_w))
    row = 0
    for n in range(N):
        for i in range(OH):
            for j in range(OW):
                y0, x0 = i * stride, j * stride
                col[row] = img[n, :, y0:y0 + filter_h, x0:x0 + filter_w].reshape(-1)  # (C, FH, FW) 순서로 한 줄
                row += 1
    return col


def my_col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_shape
    OH = (H + 2 * pad - filter_h) // stride + 1
    OW = (W + 2 * pad - filter_w) // stride + 1
    img = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    row = 0
    for n in range(N):
        for i in range(OH):
            for j in range(OW):
                y0, x0 = i * stride, j * stride
                img[n, :, y0:y0 + filter_h, x0:x0 + filter_w] += col[row].reshape(C, filter_h, filter_w)  # 겹치면 더함
                row += 1
    return img[:, :, pad:pad + H, pad:pad + W]  # 패딩은 떼어 냅니다


class MyConvolutionBackward(Convolution):
    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)  # (N*OH*OW, FN): im2col의 행 순서

        self.db = np.sum(dout, axis=0)  # 편향은 모든 데이터, 모든 출력 칸에 더해졌으므로 합
        self.dW = (self.col.T @ dout).T.reshape(FN, C, FH, FW)  # (FN, C*FH*FW)로 되돌린 뒤 필터 모양으로

        dcol = dout @ self.col_W.T  # (N*OH*OW, C*FH*FW)
        return col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)  # 겹치는 칸의 기울기는 더해짐


class MyConvolution(starters.MyConvolution):
    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, C, H, W = x.shape
        out_h = (H + 2 * self.pad - FH) // self.stride + 1
        out_w = (W + 2 * self.pad - FW) // self.stride + 1

        col = im2col(x, FH, FW, self.stride, self.pad)  # (N*OH*OW, C*FH*FW)
        col_W = self.W.reshape(FN, -1).T  # (C*FH*FW, FN): 필터 하나가 열 하나
        out = col @ col_W + self.b  # (N*OH*OW, FN)
        out = out.reshape(N, out_h, out_w, FN).transpose(0, 3, 1, 2)  # (N, FN, OH, OW)

        self.x, self.col, self.col_W = x, col, col_W
        return out

    backward = MyConvolutionBackward.backward  # the same backward (one source)


class MyPooling(starters.MyPooling):
    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)  # (N, OH, OW, C): forward의 행 순서 (n, i, j, c)
        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size))
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()  # 최댓값 자리에만
        dcol = dmax.reshape(dout.shape[0] * dout.shape[1] * dout.shape[2], -1)  # (N*OH*OW, C*pool_size)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)  # 겹치면 더함


class MySoftmaxWithLoss(starters.MySoftmaxWithLoss):
    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        batch_size = x.shape[0]
        # 정답 레이블의 확률에 -log를 취해 배치의 평균을 냅니다
        self.loss = -np.sum(np.log(self.y[np.arange(batch_size), t])) / batch_size
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        dx = self.y.copy()
        dx[np.arange(batch_size), self.t] -= 1  # y - t (t를 원-핫으로 쓴 것과 같음)
        return dx * dout / batch_size  # 손실이 배치의 평균이므로 기울기도 배치 크기로 나눕니다


class MyConvNet(starters.MyConvNet):
    def __init__(self, input_dim=(1, 28, 28),
                 conv_param={"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1},
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        self.params = init_convnet_params(input_dim, conv_param, hidden_size, output_size, weight_init_std)
        # 계층은 params의 배열을 그대로 씁니다(복사하지 않음): 학습이 params를 바꾸면 계층도 바뀝니다
        self.layers = OrderedDict()
        self.layers["Conv1"] = Convolution(self.params["W1"], self.params["b1"],
                                           conv_param["stride"], conv_param["pad"])
        self.layers["Relu1"] = Relu()
        self.layers["Pool1"] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers["Affine1"] = Affine(self.params["W2"], self.params["b2"])
        self.layers["Relu2"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W3"], self.params["b3"])
        self.last_layer = MySoftmaxWithLoss()

    def gradient(self, x, t):
        self.loss(x, t)  # 순전파

        dout = self.last_layer.backward(1)  # 역전파: 마지막 계층부터
        for layer in reversed(list(self.layers.values())):  # 나머지 계층은 거꾸로
            dout = layer.backward(dout)

        grads = {}
        grads["W1"], grads["b1"] = self.layers["Conv1"].dW, self.layers["Conv1"].db
        grads["W2"], grads["b2"] = self.layers["Affine1"].dW, self.layers["Affine1"].db
        grads["W3"], grads["b3"] = self.layers["Affine2"].dW, self.layers["Affine2"].db
        return grads
