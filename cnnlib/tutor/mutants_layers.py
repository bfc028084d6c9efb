"""Typical wrong layers with im2col (7.4) and wrong network assembly (7.5): exercises
``conv_forward``, ``conv_backward`` and ``convnet``.

A mistake whose result is the model solution's rearranged is written as that (the mistake in one
line); the others are written the way a learner gets them wrong — one mistake each; what the
learner is given (the starter's ``__init__``, cnnlib's forward) stays as it is.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from ..functions import softmax
from ..im2col import col2im, im2col
from ..layers import Affine, Convolution, Pooling, Relu
from . import solutions
from .mistakes import mistake
from .starters import MyConvolution, init_convnet_params


# ---- conv_forward: MyConvolution.forward ------------------------------------------------------

@mistake("conv_forward", "reshape_without_transpose",
         "마지막 reshape에서 transpose를 빠뜨렸습니다. 행렬 곱의 결과 (N*OH*OW, FN)를 바로 (N, FN, OH, OW)로 "
         "바꾸면 값의 순서가 섞입니다.",
         "out.reshape(N, out_h, out_w, FN).transpose(0, 3, 1, 2)처럼 먼저 (N, OH, OW, FN)으로 나눈 뒤 축을 옮기세요.")
class ConvolutionReshapeWithoutTranspose(solutions.MyConvolution):
    def forward(self, x):
        out = super().forward(x)  # made from the (N*OH*OW, FN) rows, in (n, i, j) order
        return out.transpose(0, 2, 3, 1).reshape(out.shape)  # those rows read straight as (N, FN, OH, OW)


@mistake("conv_forward", "wrong_transpose_axes",
         "transpose의 축 순서가 틀렸습니다. (N, OH, OW, FN)에서 transpose(0, 3, 2, 1)을 하면 OH와 OW가 뒤바뀝니다.",
         "(N, OH, OW, FN) → (N, FN, OH, OW)는 transpose(0, 3, 1, 2)입니다.")
class ConvolutionWrongTransposeAxes(solutions.MyConvolution):
    def forward(self, x):
        return super().forward(x).transpose(0, 1, 3, 2)  # OH and OW swapped


@mistake("conv_forward", "filters_reshaped_without_transpose",
         "필터를 W.reshape(-1, FN)으로 펼쳤습니다. 형상은 (C*FH*FW, FN)으로 맞지만 필터의 값이 여러 열에 흩어집니다.",
         "필터 하나가 열 하나가 되도록 col_W = self.W.reshape(FN, -1).T로 펼치세요.")
class ConvolutionFiltersReshapedWithoutTranspose(MyConvolution):
    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, C, H, W = x.shape
        out_h = (H + 2 * self.pad - FH) // self.stride + 1
        out_w = (W + 2 * self.pad - FW) // self.stride + 1
        col = im2col(x, FH, FW, self.stride, self.pad)
        col_W = self.W.reshape(-1, FN)
        out = col @ col_W + self.b
        out = out.reshape(N, out_h, out_w, FN).transpose(0, 3, 1, 2)
        self.x, self.col, self.col_W = x, col, col_W
        return out


@mistake("conv_forward", "size_true_division",
         "출력 크기를 / 로 나눠 실수(float)가 되었고, reshape에는 실수를 쓸 수 없습니다.",
         "정수 나눗셈 // 을 쓰거나 int(...)로 감싸세요(책: int(1 + (H + 2*pad - FH) / stride)).")
class ConvolutionSizeTrueDivision(MyConvolution):
    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, C, H, W = x.shape
        out_h = 1 + (H + 2 * self.pad - FH) / self.stride
        out_w = 1 + (W + 2 * self.pad - FW) / self.stride
        col = im2col(x, FH, FW, self.stride, self.pad)
        col_W = self.W.reshape(FN, -1).T
        out = col @ col_W + self.b
        out = out.reshape(N, out_h, out_w, FN).transpose(0, 3, 1, 2)
        self.x, self.col, self.col_W = x, col, col_W
        return out


@mistake("conv_forward", "bias_missing",
         "편향을 더하지 않았습니다.",
         "행렬 곱 뒤에 + self.b를 하세요: (N*OH*OW, FN)의 각 열(필터)에 그 필터의 편향이 더해집니다.")
class ConvolutionBiasMissing(solutions.MyConvolution):
    def forward(self, x):
        return super().forward(x) - self.b.reshape(1, -1, 1, 1)  # without "+ self.b"


# ---- conv_backward: Convolution.backward (cnnlib's forward) -----------------------------------

@mistake("conv_backward", "dout_not_transposed",
         "dout을 transpose 없이 (N*OH*OW, FN)으로 reshape했습니다. dout의 행이 im2col의 행 순서 (n, i, j)와 맞지 않습니다.",
         "dout.transpose(0, 2, 3, 1).reshape(-1, FN)으로 먼저 (N, OH, OW, FN)으로 바꾸세요.")
class ConvolutionDoutNotTransposed(Convolution):
    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        dout = dout.reshape(-1, FN)
        self.db = np.sum(dout, axis=0)
        self.dW = (self.col.T @ dout).T.reshape(FN, C, FH, FW)
        dcol = dout @ self.col_W.T
        return col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)


@mistake("conv_backward", "dW_not_transposed",
         "dW를 되돌릴 때 transpose를 빠뜨렸습니다. col.T @ dout은 (C*FH*FW, FN)이라 바로 (FN, C, FH, FW)로 바꾸면 값이 섞입니다.",
         "self.dW = (self.col.T @ dout).T.reshape(FN, C, FH, FW)처럼 먼저 (FN, C*FH*FW)로 뒤집으세요.")
class ConvolutionDWNotTransposed(Convolution):
    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
        self.db = np.sum(dout, axis=0)
        self.dW = (self.col.T @ dout).reshape(FN, C, FH, FW)
        dcol = dout @ self.col_W.T
        return col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)


@mistake("conv_backward", "db_before_reshape",
         "db를 4차원 dout에서 axis=0으로만 더했습니다. 편향의 기울기는 데이터와 모든 출력 칸 (N, OH, OW)에 걸친 합이라 형상이 (FN,)입니다.",
         "dout을 (N*OH*OW, FN)으로 바꾼 뒤 np.sum(dout, axis=0)을 하거나, 4차원에서 np.sum(dout, axis=(0, 2, 3))을 쓰세요.")
class ConvolutionDbBeforeReshape(Convolution):
    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        self.db = np.sum(dout, axis=0)
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
        self.dW = (self.col.T @ dout).T.reshape(FN, C, FH, FW)
        dcol = dout @ self.col_W.T
        return col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)


@mistake("conv_backward", "dcol_without_transpose",
         "dcol을 dout @ self.col_W로 구했습니다. 순전파가 col @ col_W이므로 col에 대한 기울기는 dout @ col_W.T입니다.",
         "Affine 계층과 같습니다: dcol = dout @ self.col_W.T.")
class ConvolutionDcolWithoutTranspose(Convolution):
    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
        self.db = np.sum(dout, axis=0)
        self.dW = (self.col.T @ dout).T.reshape(FN, C, FH, FW)
        dcol = dout @ self.col_W
        return col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)


# ---- convnet: MySoftmaxWithLoss and MyConvNet -------------------------------------------------

class _SummedLoss(solutions.MySoftmaxWithLoss):
    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = -np.sum(np.log(self.y[np.arange(x.shape[0]), t]))
        return self.loss

    def backward(self, dout=1):
        dx = self.y.copy()
        dx[np.arange(self.t.shape[0]), self.t] -= 1
        return dx * dout


class _BackwardNotAveraged(solutions.MySoftmaxWithLoss):
    def backward(self, dout=1):
        dx = self.y.copy()
        dx[np.arange(self.t.shape[0]), self.t] -= 1
        return dx * dout


@mistake("convnet", "loss_not_batch_mean",
         "손실을 배치 크기로 나누지 않았습니다. 손실이 N개 데이터의 합이라 손실도 기울기도 N배 큽니다.",
         "교차 엔트로피 오차는 배치의 평균입니다. 합을 batch_size로 나누고, backward에서도 (y - t)를 batch_size로 나누세요.")
class ConvNetLossNotBatchMean(solutions.MyConvNet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_layer = _SummedLoss()


@mistake("convnet", "backward_not_batch_mean",
         "역전파에서 배치 크기로 나누지 않았습니다. 손실은 배치의 평균인데 기울기는 합이라 N배 큽니다.",
         "MySoftmaxWithLoss.backward에서 dx를 batch_size로 나누세요(gradient_check로도 드러납니다).")
class ConvNetBackwardNotBatchMean(solutions.MyConvNet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_layer = _BackwardNotAveraged()


@mistake("convnet", "layers_not_reversed",
         "역전파에서 계층을 거꾸로 돌지 않았습니다. 역전파는 마지막 계층(Affine2)에서 첫 계층(Conv1) 쪽으로 갑니다.",
         "for layer in reversed(list(self.layers.values())):로 거꾸로 도세요.")
class ConvNetLayersNotReversed(solutions.MyConvNet):
    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in self.layers.values():
            dout = layer.backward(dout)
        grads = {}
        grads["W1"], grads["b1"] = self.layers["Conv1"].dW, self.layers["Conv1"].db
        grads["W2"], grads["b2"] = self.layers["Affine1"].dW, self.layers["Affine1"].db
        grads["W3"], grads["b3"] = self.layers["Affine2"].dW, self.layers["Affine2"].db
        return grads


@mistake("convnet", "last_layer_skipped",
         "역전파를 SoftmaxWithLoss에서 시작하지 않았습니다. dout = 1을 바로 Affine2에 넘겼습니다.",
         "dout = self.last_layer.backward(1)로 시작하세요: 점수에 대한 기울기 (N, K)가 Affine2로 갑니다.")
class ConvNetLastLayerSkipped(solutions.MyConvNet):
    def gradient(self, x, t):
        self.loss(x, t)
        dout = 1
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        grads["W1"], grads["b1"] = self.layers["Conv1"].dW, self.layers["Conv1"].db
        grads["W2"], grads["b2"] = self.layers["Affine1"].dW, self.layers["Affine1"].db
        grads["W3"], grads["b3"] = self.layers["Affine2"].dW, self.layers["Affine2"].db
        return grads


@mistake("convnet", "grads_misnumbered",
         "기울기에 이름을 잘못 붙였습니다. W2, b2는 Affine1의, W3, b3는 Affine2의 매개변수입니다.",
         "번호는 가중치가 있는 계층의 순서입니다: Conv1 → W1, b1, Affine1 → W2, b2, Affine2 → W3, b3.")
class ConvNetGradsMisnumbered(solutions.MyConvNet):
    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        grads["W1"], grads["b1"] = self.layers["Conv1"].dW, self.layers["Conv1"].db
        grads["W2"], grads["b2"] = self.layers["Affine2"].dW, self.layers["Affine2"].db
        grads["W3"], grads["b3"] = self.layers["Affine1"].dW, self.layers["Affine1"].db
        return grads


@mistake("convnet", "params_copied",
         "계층이 self.params의 배열을 복사해서 씁니다. 학습이 params를 바꿔도 계층은 처음 가중치로 계산합니다.",
         "Convolution(self.params['W1'], self.params['b1'], ...)처럼 params의 배열을 .copy() 없이 그대로 넘기세요.")
class ConvNetParamsCopied(solutions.MyConvNet):
    def __init__(self, input_dim=(1, 28, 28),
                 conv_param={"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1},
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        self.params = init_convnet_params(input_dim, conv_param, hidden_size, output_size, weight_init_std)
        self.layers = OrderedDict()
        self.layers["Conv1"] = Convolution(self.params["W1"].copy(), self.params["b1"].copy(),
                                           conv_param["stride"], conv_param["pad"])
        self.layers["Relu1"] = Relu()
        self.layers["Pool1"] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers["Affine1"] = Affine(self.params["W2"].copy(), self.params["b2"].copy())
        self.layers["Relu2"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W3"].copy(), self.params["b3"].copy())
        self.last_layer = solutions.MySoftmaxWithLoss()


@mistake("convnet", "relu_shared",
         "ReLU 계층 하나를 Relu1과 Relu2에 함께 썼습니다. 두 번째 순전파가 첫 번째의 마스크를 덮어써서, Relu1의 "
         "역전파가 Relu2의 마스크를 씁니다.",
         "self.layers['Relu1'] = Relu()와 self.layers['Relu2'] = Relu()처럼 계층마다 따로 만드세요.")
class ConvNetReluShared(solutions.MyConvNet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.layers["Relu2"] = self.layers["Relu1"]  # one object in two places
