"""Typical wrong ``im2col`` and ``col2im`` written with loops (7.4): exercises ``im2col`` and
``col2im``. A mistake that the model solution makes with other arguments, or whose result is the
solution's rearranged, is written as that call; the others are written the way a learner gets
them wrong — one mistake each, the rest right.
"""

from __future__ import annotations

import numpy as np

from .mistakes import mistake
from .solutions import my_col2im, my_im2col


def _size(H, W, filter_h, filter_w, stride, pad):
    return (H + 2 * pad - filter_h) // stride + 1, (W + 2 * pad - filter_w) // stride + 1


def _pad(x, pad):
    return np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])


# ---- im2col: (N, C, H, W) -> (N*OH*OW, C*FH*FW) ----------------------------------------------

@mistake("im2col", "columns_fh_fw_c",
         "열이 (FH, FW, C) 순서입니다. 책의 im2col은 채널 c가 가장 바깥인 (C, FH, FW) 순서로 윈도우를 펼칩니다.",
         "윈도우 img[n, :, y0:y0 + filter_h, x0:x0 + filter_w] (C, FH, FW)를 transpose 없이 reshape(-1)하세요.")
def im2col_columns_fh_fw_c(input_data, filter_h, filter_w, stride=1, pad=0):
    col = my_im2col(input_data, filter_h, filter_w, stride, pad)
    C = input_data.shape[1]
    return col.reshape(len(col), C, filter_h, filter_w).transpose(0, 2, 3, 1).reshape(len(col), -1)


@mistake("im2col", "rows_oh_ow_n",
         "행이 (OH, OW, N) 순서입니다. 책은 데이터 n을 가장 바깥 반복으로 두어 한 데이터의 윈도우들이 이어지게 합니다.",
         "for n → for i → for j 순서로 행을 채우세요(행 번호 = (n*OH + i)*OW + j).")
def im2col_rows_oh_ow_n(input_data, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_data.shape
    OH, OW = _size(H, W, filter_h, filter_w, stride, pad)
    img = _pad(input_data, pad)
    col = np.zeros((N * OH * OW, C * filter_h * filter_w))
    row = 0
    for i in range(OH):
        for j in range(OW):
            for n in range(N):
                col[row] = img[n, :, i * stride:i * stride + filter_h, j * stride:j * stride + filter_w].reshape(-1)
                row += 1
    return col


@mistake("im2col", "transposed",
         "행과 열이 바뀌었습니다. 윈도우 하나를 열 하나에 넣었는데, 책의 im2col은 윈도우 하나가 행 하나인 "
         "(N*OH*OW, C*FH*FW)입니다.",
         "col = np.zeros((N * OH * OW, C * filter_h * filter_w))로 만들고 col[row] = ...로 행을 채우세요.")
def im2col_transposed(input_data, filter_h, filter_w, stride=1, pad=0):
    return my_im2col(input_data, filter_h, filter_w, stride, pad).T


@mistake("im2col", "stride_ignored",
         "스트라이드를 무시했습니다. 행의 수는 맞지만 윈도우를 언제나 한 칸씩만 옮겼습니다.",
         "출력 칸 (i, j)의 윈도우는 (i*stride, j*stride)에서 시작합니다.")
def im2col_stride_ignored(input_data, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_data.shape
    OH, OW = _size(H, W, filter_h, filter_w, stride, pad)
    img = _pad(input_data, pad)
    col = np.zeros((N * OH * OW, C * filter_h * filter_w))
    row = 0
    for n in range(N):
        for i in range(OH):
            for j in range(OW):
                col[row] = img[n, :, i:i + filter_h, j:j + filter_w].reshape(-1)
                row += 1
    return col


@mistake("im2col", "pad_all_axes",
         "np.pad(input_data, pad)가 N, C 축에도 패딩을 넣었습니다. img[n, c]가 다른 데이터·채널이나 0만 있는 가짜 채널을 가리킵니다.",
         "np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)])처럼 H, W 축에만 패딩하세요.")
def im2col_pad_all_axes(input_data, filter_h, filter_w, stride=1, pad=0):
    N, C = input_data.shape[:2]
    img = np.pad(input_data, pad)[:N, :C]  # img[n, c] for n < N, c < C, as the loops read it
    return my_im2col(img, filter_h, filter_w, stride, 0)


# ---- col2im: (N*OH*OW, C*FH*FW) -> (N, C, H, W) ----------------------------------------------

@mistake("col2im", "overlaps_overwritten",
         "겹치는 칸을 더하지 않고 덮어썼습니다. 여러 윈도우에 들어간 칸은 그 윈도우들의 값(역전파에서는 기울기)을 모두 더해야 합니다.",
         "img[n, :, y0:y0 + filter_h, x0:x0 + filter_w] += ...처럼 +=를 쓰세요.")
def col2im_overlaps_overwritten(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_shape
    OH, OW = _size(H, W, filter_h, filter_w, stride, pad)
    img = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    row = 0
    for n in range(N):
        for i in range(OH):
            for j in range(OW):
                img[n, :, i * stride:i * stride + filter_h, j * stride:j * stride + filter_w] = \
                    col[row].reshape(C, filter_h, filter_w)
                row += 1
    return img[:, :, pad:pad + H, pad:pad + W]


@mistake("col2im", "padding_not_removed",
         "패딩을 떼어 내지 않았습니다. 출력이 패딩을 포함한 (H + 2*pad, W + 2*pad) 크기입니다.",
         "마지막에 img[:, :, pad:pad + H, pad:pad + W]를 돌려주세요.")
def col2im_padding_not_removed(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_shape
    return my_col2im(col, (N, C, H + 2 * pad, W + 2 * pad), filter_h, filter_w, stride, 0)


@mistake("col2im", "crop_minus_pad",
         "패딩을 img[:, :, pad:-pad, pad:-pad]로 떼어 냈습니다. pad가 0이면 -0은 0이라 빈 배열이 됩니다.",
         "끝을 H, W로 적으세요: img[:, :, pad:pad + H, pad:pad + W].")
def col2im_crop_minus_pad(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_shape
    img = my_col2im(col, (N, C, H + 2 * pad, W + 2 * pad), filter_h, filter_w, stride, 0)  # still padded
    return img[:, :, pad:-pad, pad:-pad]


@mistake("col2im", "columns_fh_fw_c",
         "col의 열을 (FH, FW, C) 순서로 읽었습니다. im2col의 열은 (C, FH, FW) 순서입니다.",
         "col[row].reshape(C, filter_h, filter_w)로 윈도우 모양을 되찾으세요.")
def col2im_columns_fh_fw_c(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    C = input_shape[1]
    as_c_fh_fw = col.reshape(len(col), filter_h, filter_w, C).transpose(0, 3, 1, 2).reshape(len(col), -1)
    return my_col2im(as_c_fh_fw, input_shape, filter_h, filter_w, stride, pad)


@mistake("col2im", "stride_ignored",
         "스트라이드를 무시했습니다. 윈도우를 언제나 한 칸씩만 옮겨 값을 엉뚱한 칸에 돌려보냈습니다.",
         "col의 (n, i, j)번째 행은 (i*stride, j*stride)에서 시작하는 윈도우입니다.")
def col2im_stride_ignored(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_shape
    OH, OW = _size(H, W, filter_h, filter_w, stride, pad)
    img = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    row = 0
    for n in range(N):
        for i in range(OH):
            for j in range(OW):
                img[n, :, i:i + filter_h, j:j + filter_w] += col[row].reshape(C, filter_h, filter_w)
                row += 1
    return img[:, :, pad:pad + H, pad:pad + W]


@mistake("col2im", "overlaps_averaged",
         "겹치는 칸의 값을 평균 냈습니다. col2im은 여러 윈도우에 든 칸의 값을 모두 더합니다(역전파에서 기울기는 더해집니다).",
         "겹친 횟수로 나누지 말고 +=로 더하기만 하세요.")
def col2im_overlaps_averaged(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    total = my_col2im(col, input_shape, filter_h, filter_w, stride, pad)
    count = my_col2im(np.ones_like(col), input_shape, filter_h, filter_w, stride, pad)  # windows per cell
    return total / count
