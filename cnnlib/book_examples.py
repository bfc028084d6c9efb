"""The book's worked examples, written once: the explorers start from them, the tests and the
exercises check against the numbers the book prints.

* 그림 7-3/7-4 (p231): a 4x4 input and a 3x3 filter -> [[15, 16], [6, 15]];
  with the bias 3 of 그림 7-5 -> [[18, 19], [9, 18]];
* 그림 7-6 (p232): the same input with padding 1 -> a 4x4 output;
* 그림 7-14 (p240): a 4x4 input, 2x2 max pooling with stride 2 -> [[2, 3], [4, 2]].
"""

from __future__ import annotations

import numpy as np

__all__ = ["BOOK_X", "BOOK_W", "BOOK_B", "BOOK_CONV_OUT", "BOOK_CONV_PAD1_OUT", "BOOK_POOL_X", "BOOK_POOL_OUT"]

BOOK_X = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]])
BOOK_W = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]])
BOOK_B = 3
BOOK_CONV_OUT = np.array([[15, 16], [6, 15]])
BOOK_CONV_PAD1_OUT = np.array([[7, 12, 10, 2], [4, 15, 16, 10], [10, 6, 15, 6], [8, 10, 4, 3]])
BOOK_POOL_X = np.array([[1, 2, 1, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 4, 0, 1]])
BOOK_POOL_OUT = np.array([[2, 3], [4, 2]])
