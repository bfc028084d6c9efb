"""Optimizers with the book's names and defaults (``common/optimizer.py``, 6.1절).

Each has ``update(params, grads)`` and changes the arrays in ``params`` **in place**
(``-=``), so the layers that hold those same arrays see the new values.
The state (momentum, running averages) is kept in the parameters' dtype, so a
float32 network stays float32.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "OPTIMIZERS"]


def _zeros_like_each(params):
    return {key: np.zeros_like(val) for key, val in params.items()}


class SGD:
    """Stochastic gradient descent: W <- W - lr * dW."""

    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params:
            params[key] -= self.lr * grads[key]


class Momentum:
    """v <- momentum * v - lr * dW;  W <- W + v."""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = _zeros_like_each(params)
        for key in params:
            self.v[key] *= self.momentum
            self.v[key] -= self.lr * grads[key]
            params[key] += self.v[key]


class Nesterov:
    """Nesterov's accelerated gradient (the book's formulation, http://arxiv.org/abs/1212.0901)."""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = _zeros_like_each(params)
        for key in params:
            self.v[key] *= self.momentum
            self.v[key] -= self.lr * grads[key]
            params[key] += self.momentum * self.momentum * self.v[key]
            params[key] -= (1 + self.momentum) * self.lr * grads[key]


class AdaGrad:
    """h <- h + dW*dW;  W <- W - lr * dW / sqrt(h)."""

    def __init__(self, lr=0.01):
        self.lr = lr
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = _zeros_like_each(params)
        for key in params:
            self.h[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


class RMSprop:
    """Like AdaGrad, but h forgets old gradients: h <- decay*h + (1-decay)*dW*dW."""

    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr = lr
        self.decay_rate = decay_rate
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = _zeros_like_each(params)
        for key in params:
            self.h[key] *= self.decay_rate
            self.h[key] += (1 - self.decay_rate) * grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


class Adam:
    """Adam (http://arxiv.org/abs/1412.6980v8), in the book's form: running averages m and v
    of the gradient and its square, with the bias correction folded into the step size."""

    # The update reads and writes whole arrays about a dozen times. SimpleConvNet's W2 has 432,000
    # numbers (1.7 MB each for the weights, gradient, m, v and scratch): too much for the CPU's cache,
    # so every pass would go to main memory. In slices of CHUNK numbers (128 KB), each slice's dozen
    # passes run in the cache. The same numbers (every step is elementwise), faster.
    CHUNK = 32768

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = _zeros_like_each(params)
            self.v = _zeros_like_each(params)
            self._scratch = _zeros_like_each(params), _zeros_like_each(params)
        self.iter += 1
        # a Python float, so float32 parameters are not promoted to float64
        lr_t = float(self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter))
        for key in params:
            arrays = params[key], grads[key], self.m[key], self.v[key], self._scratch[0][key], self._scratch[1][key]
            for p, g, m, v, tmp, step in self._slices(arrays):
                # The book's three lines, computed in the same order into two scratch arrays instead of
                # a new temporary array per operation: the same numbers, less time.
                # m += (1 - beta1) * (g - m)
                np.subtract(g, m, out=tmp)
                tmp *= 1 - self.beta1
                m += tmp
                # v += (1 - beta2) * (g**2 - v)
                np.multiply(g, g, out=tmp)
                tmp -= v
                tmp *= 1 - self.beta2
                v += tmp
                # params -= lr_t * m / (sqrt(v) + 1e-7)
                np.sqrt(v, out=tmp)
                tmp += 1e-7
                np.multiply(m, lr_t, out=step)
                step /= tmp
                p -= step

    def _slices(self, arrays):
        """The same-shape ``arrays`` cut into matching flat slices of CHUNK numbers (views, so changing
        a slice changes the array); all of them at once if one is not contiguous (a view would be a copy)."""
        if not all(a.flags.c_contiguous for a in arrays):
            return [arrays]
        flat = [a.reshape(-1) for a in arrays]
        return [[a[start : start + self.CHUNK] for a in flat] for start in range(0, flat[0].size, self.CHUNK)]


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov,
              "adagrad": AdaGrad, "rmsprop": RMSprop, "adam": Adam}
