"""cnnlib — the shared library of the chapter-7 (CNN) companion notebooks.

It keeps the book's names so its code maps 1:1 (``im2col``, ``col2im``,
``Convolution``, ``Pooling``, ...), computes every size in one place
(:mod:`cnnlib.shapes`) and is checked against plain loops (:mod:`cnnlib.reference`).
"""

from .shapes import (
    SizeCheck,
    check_output_size,
    conv_output_size,
    pool_output_size,
    conv_output_shape,
    pool_output_shape,
)
from .im2col import im2col, col2im
from .functions import sigmoid, relu, softmax, cross_entropy_error, one_hot
from .gradient import numerical_gradient, relative_error
from .layers import Relu, Sigmoid, Tanh, Affine, SoftmaxWithLoss, Dropout, LRN, Convolution, Pooling
from .paths import project_root, data_dir, params_dir

from .optimizers import SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam
from .network import Network
from .convnet import SimpleConvNet, DeepConvNet
from .lenet import LeNet
from .trainer import Trainer

__version__ = "0.1.0"


def __getattr__(name):  # load_mnist is imported on first use, so `python -m cnnlib.mnist` runs it only once
    if name == "load_mnist":
        from .mnist import load_mnist
        return load_mnist
    raise AttributeError(f"module 'cnnlib' has no attribute {name!r}")
