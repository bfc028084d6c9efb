"""The starter code of every exercise, as the learner gets it in the notebook.

``cnnlib.tutor.starter(name)`` returns the source of these functions and classes (after the
import lines the exercise needs), so the notebook's starter cell and this file are one text.
They are learner-facing, so their docstrings and comments are Korean. Each unfinished body
raises ``NotImplementedError``: ``check`` then reports "아직 구현하지 않았습니다".

``init_convnet_params`` is given code (not an exercise): the book's initial weights of
SimpleConvNet, for the network exercise of 7.5.
"""

from __future__ import annotations

from collections import OrderedDict  # noqa: F401  (the network starter's namespace)

import numpy as np

from ..functions import softmax
from ..im2col import im2col
from ..layers import Affine, Convolution, Pooling, Relu  # noqa: F401

__all__ = [
    "my_conv_single", "my_conv", "my_pool", "my_im2col", "my_col2im",
    "MyConvolution", "MyConvolutionBackward", "MyPooling", "MySoftmaxWithLoss", "MyConvNet",
    "init_convnet_params",
]


def my_conv_single(x, w, stride=1, pad=0):
    """한 채널의 합성곱: x (H, W), w (FH, FW) -> 출력 (OH, OW). 편향은 없습니다."""
    # 1) 출력 크기 OH, OW를 식 7.1로 구합니다.
    # 2) x의 위·아래·왼쪽·오른쪽에 0을 pad칸씩 채웁니다.
    # 3) 출력의 칸 (i, j)마다 윈도우와 필터의 원소별 곱을 모두 더합니다.
    raise NotImplementedError("여기에 코드를 작성하세요")


def my_conv(x, w, b, stride=1, pad=0):
    """합성곱 계층의 순전파: x (N, C, H, W), w (FN, C, FH, FW), b (FN,) -> 출력 (N, FN, OH, OW)."""
    # 데이터 n, 필터 f, 출력 칸 (i, j)마다: 모든 채널의 윈도우 × 필터 f를 더하고 편향 b[f]를 더합니다.
    raise NotImplementedError("여기에 코드를 작성하세요")


def my_pool(x, pool_h, pool_w, stride=1, pad=0, method="max"):
    """풀링 계층의 순전파: x (N, C, H, W) -> 출력 (N, C, OH, OW).

    method="max"는 윈도우의 최댓값, method="average"는 평균입니다. 패딩 칸은 0입니다(책과 같음).
    """
    # 채널마다 따로: 데이터 n, 채널 c, 출력 칸 (i, j)마다 윈도우 하나를 봅니다.
    raise NotImplementedError("여기에 코드를 작성하세요")


def my_im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    """input_data (N, C, H, W) -> col (N*OH*OW, C*FH*FW).

    행 하나 = 윈도우 하나 (데이터 n, 출력 행 i, 출력 열 j 순서),
    열 = 그 윈도우의 값 (채널 c, 필터 행, 필터 열 순서: 책과 같음).
    """
    raise NotImplementedError("여기에 코드를 작성하세요")


def my_col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """im2col의 반대 방향: col (N*OH*OW, C*FH*FW) -> (N, C, H, W).

    col의 각 값을 im2col이 그 값을 가져온 입력 칸으로 돌려보냅니다.
    윈도우가 겹치는 칸에는 값을 더합니다(역전파에서 기울기를 모으는 것과 같음).
    """
    raise NotImplementedError("여기에 코드를 작성하세요")


class MyConvolution:
    """합성곱 계층 (책의 Convolution): W (FN, C, FH, FW), b (FN,)."""

    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad
        # 역전파에서 쓸 중간 데이터
        self.x = None
        self.col = None
        self.col_W = None

    def forward(self, x):
        """x (N, C, H, W) -> 출력 (N, FN, OH, OW): im2col로 펼친 뒤 행렬 곱 한 번으로 계산합니다."""
        raise NotImplementedError("여기에 코드를 작성하세요")


class MyConvolutionBackward(Convolution):
    """순전파(forward)는 cnnlib의 Convolution을 그대로 씁니다(책과 같은 코드). forward가 남겨 두는 것:
    self.x (N, C, H, W), self.col = im2col(x) (N*OH*OW, C*FH*FW), self.col_W = W.reshape(FN, -1).T."""

    def backward(self, dout):
        """dout (N, FN, OH, OW) -> dx (N, C, H, W). self.dW (FN, C, FH, FW)와 self.db (FN,)도 구합니다."""
        raise NotImplementedError("여기에 코드를 작성하세요")


class MyPooling:
    """최대 풀링 계층 (책의 Pooling). 순전파는 완성되어 있습니다."""

    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad
        self.x = None
        self.arg_max = None

    def forward(self, x):
        N, C, H, W = x.shape
        out_h = (H + 2 * self.pad - self.pool_h) // self.stride + 1
        out_w = (W + 2 * self.pad - self.pool_w) // self.stride + 1
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)  # 한 행 = 한 채널의 윈도우 하나 (n, i, j, c 순서)
        self.arg_max = np.argmax(col, axis=1)             # 윈도우 안 최댓값의 자리 (같은 값이 여럿이면 첫 번째)
        out = np.max(col, axis=1)
        self.x = x
        return out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)

    def backward(self, dout):
        """dout (N, C, OH, OW) -> dx (N, C, H, W): 기울기는 윈도우마다 최댓값이었던 칸으로만 갑니다."""
        raise NotImplementedError("여기에 코드를 작성하세요")


class MySoftmaxWithLoss:
    """소프트맥스와 교차 엔트로피 오차. 정답 t는 레이블 (N,) (정수)입니다."""

    def __init__(self):
        self.loss = None
        self.y = None  # 소프트맥스의 출력 (N, K)
        self.t = None  # 정답 레이블 (N,)

    def forward(self, x, t):
        """x (N, K) 점수, t (N,) -> 손실 (배치의 평균, 스칼라)."""
        self.t = t
        self.y = softmax(x)
        raise NotImplementedError("교차 엔트로피 오차를 계산하세요")

    def backward(self, dout=1):
        """-> 점수 x에 대한 기울기 (N, K)."""
        raise NotImplementedError("여기에 코드를 작성하세요")


class MyConvNet:
    """책의 SimpleConvNet: conv - relu - pool - affine - relu - affine - softmax."""

    def __init__(self, input_dim=(1, 28, 28),
                 conv_param={"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1},
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        # 가중치 W1, b1 (합성곱), W2, b2 (Affine1), W3, b3 (Affine2): 책과 같은 초깃값 (주어진 코드)
        self.params = init_convnet_params(input_dim, conv_param, hidden_size, output_size, weight_init_std)
        # 여기에 계층을 만드세요: self.layers (OrderedDict: Conv1, Relu1, Pool1, Affine1, Relu2, Affine2)
        # 와 self.last_layer. 풀링은 2×2, 스트라이드 2입니다.
        raise NotImplementedError("계층을 만드세요")

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x), t)

    def gradient(self, x, t):
        """오차역전파법으로 구한 기울기: params와 같은 키 (W1, b1, ..., W3, b3)의 딕셔너리."""
        raise NotImplementedError("여기에 코드를 작성하세요")


def init_convnet_params(input_dim, conv_param, hidden_size, output_size, weight_init_std=0.01, seed=None):
    """The book's initial weights of SimpleConvNet (float64): W1 (FN, C, F, F), b1 (FN,),
    W2 (FN*PH*PW, hidden), b2 (hidden,), W3 (hidden, output), b3 (output,) — PH, PW being the
    2x2 pooling's output size."""
    C, H, W = input_dim
    filter_num, filter_size = conv_param["filter_num"], conv_param["filter_size"]
    pad, stride = conv_param["pad"], conv_param["stride"]
    conv_h = (H + 2 * pad - filter_size) // stride + 1
    conv_w = (W + 2 * pad - filter_size) // stride + 1
    pool_output_size = filter_num * (conv_h // 2) * (conv_w // 2)
    rng = np.random.default_rng(seed)
    return {
        "W1": weight_init_std * rng.standard_normal((filter_num, C, filter_size, filter_size)),
        "b1": np.zeros(filter_num),
        "W2": weight_init_std * rng.standard_normal((pool_output_size, hidden_size)),
        "b2": np.zeros(hidden_size),
        "W3": weight_init_std * rng.standard_normal((hidden_size, output_size)),
        "b3": np.zeros(output_size),
    }
