"""Network — what every network of the chapter shares: predict, loss, accuracy, gradient,
numerical_gradient and saving, written once.

A network is an ordered dict of layers (``self.layers``) ending in ``SoftmaxWithLoss``
(``self.last_layer``). Layers with weights hold them as ``W`` and ``b``; ``self.params``
holds the *same* arrays under the book's names ``W1, b1, W2, b2, ...`` (numbered in layer
order), so an optimizer that changes ``params`` in place changes the layers too.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path

import numpy as np

from .gradient import numerical_gradient
from .layers import Convolution, Dropout

__all__ = ["Network", "forward_layer", "trace_shapes", "init_std", "new_weights", "save_npz_params", "load_npz_params"]


def init_std(weight_init_std, fan_in):
    """Standard deviation of a layer's initial weights.

    A number is used as is (the book's 0.01); 'he' gives sqrt(2/fan_in) (suits ReLU, 6.2.3절);
    'xavier' gives sqrt(1/fan_in) (suits sigmoid/tanh).
    """
    if isinstance(weight_init_std, str):
        kind = weight_init_std.lower()
        if kind in ("he", "relu"):
            return np.sqrt(2.0 / fan_in)
        if kind in ("xavier", "sigmoid"):
            return np.sqrt(1.0 / fan_in)
        raise ValueError(f"weight_init_std must be a number, 'he' or 'xavier'; got {weight_init_std!r}.")
    return float(weight_init_std)


def new_weights(rng, shape, fan_in, weight_init_std, dtype=np.float32):
    """Gaussian initial weights of the given shape, std from :func:`init_std`."""
    return (init_std(weight_init_std, fan_in) * rng.standard_normal(shape)).astype(dtype)


def forward_layer(layer, x, train_flg=False):
    """``layer.forward(x)``; Dropout also gets ``train_flg`` (it drops units only while training)."""
    return layer.forward(x, train_flg) if isinstance(layer, Dropout) else layer.forward(x)


def trace_shapes(layers, input_shape, dtype=np.float64):
    """[('input', shape), (name, output shape), ...] by passing zeros through ``layers`` (a dict
    name → layer with ``forward``), so every shape comes from the layers themselves."""
    x = np.zeros(input_shape, dtype=dtype)
    steps = [("input", tuple(x.shape))]
    for name, layer in layers.items():
        x = forward_layer(layer, x)
        steps.append((name, tuple(x.shape)))
    return steps


class Network:
    """Base class. A subclass builds ``self.layers`` (OrderedDict), ``self.last_layer`` and
    ``self.architecture`` (a JSON-able dict of its constructor arguments), then calls
    :meth:`_collect_params`."""

    layers: OrderedDict
    architecture: dict

    def _collect_params(self):
        """Name the weights of the layers that have them W1, b1, W2, b2, ... in layer order."""
        self.params = {}
        for i, layer in enumerate(self._param_layers, start=1):
            self.params[f"W{i}"], self.params[f"b{i}"] = layer.W, layer.b

    @property
    def _param_layers(self):
        """The layers that have weights, in order. Read from ``self.layers`` each time, so a layer replaced
        there (``net.layers["Conv1"] = Convolution(net.params["W1"], net.params["b1"])``) is the one whose
        gradients ``gradient`` returns."""
        return [layer for layer in self.layers.values() if hasattr(layer, "W")]

    def predict(self, x, train_flg=False):
        """Scores before softmax, (N, output_size). ``train_flg`` switches Dropout on."""
        for layer in self.layers.values():
            x = forward_layer(layer, x, train_flg)
        return x

    def loss(self, x, t, train_flg=False):
        """Mean cross-entropy loss for images x and labels t (integers or one-hot)."""
        return self.last_layer.forward(self.predict(x, train_flg), t)

    def accuracy(self, x, t, batch_size=100):
        """Fraction of images whose highest score is the label, computed batch by batch."""
        x, t = np.asarray(x), np.asarray(t)
        if len(x) == 0 or len(x) != len(t):
            raise ValueError(f"accuracy needs as many labels as images, at least one: got {len(x)} images "
                             f"and {len(t)} labels.")
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        correct = 0
        for i in range(0, x.shape[0], batch_size):
            y = self.predict(x[i : i + batch_size])
            correct += int(np.sum(np.argmax(y, axis=1) == t[i : i + batch_size]))
        return correct / x.shape[0]

    def numerical_gradient(self, x, t):
        """Gradients by central differences (slow; use float64 and a small network)."""
        return {key: numerical_gradient(lambda _: self.loss(x, t), self.params[key]) for key in self.params}

    def gradient(self, x, t):
        """Gradients by backpropagation: a dict with the same keys as ``params``."""
        self.loss(x, t, train_flg=True)

        dout = self.last_layer.backward(1)
        layers = list(self.layers.values())
        for layer in reversed(layers[1:]):
            dout = layer.backward(dout)
        if isinstance(layers[0], Convolution):
            # The first layer's input is the image itself: no one needs its gradient, so skip col2im.
            layers[0].backward(dout, input_grad=False)
        else:
            layers[0].backward(dout)

        grads = {}
        for i, layer in enumerate(self._param_layers, start=1):
            grads[f"W{i}"], grads[f"b{i}"] = layer.dW, layer.db
        return grads

    def layer_shapes(self, input_shape):
        """[('input', shape), (layer name, output shape), ...] for an input of shape (N, C, H, W)."""
        return trace_shapes(self.layers, input_shape, dtype=self.params["W1"].dtype)

    def parameter_count(self):
        return int(sum(p.size for p in self.params.values()))

    # ---- saving and loading (.npz, no pickle) -------------------------------------------------

    def save_params(self, file_name):
        """Write the parameters and the architecture to ``file_name`` (.npz), atomically."""
        return save_npz_params(file_name, self.params, self.architecture)

    def load_params(self, file_name):
        """Load parameters saved by :meth:`save_params` into this network (in place)."""
        return load_npz_params(file_name, self.params, self.architecture)


ARCH_KEY = "__architecture__"


def save_npz_params(file_name, params, architecture):
    """Save ``params`` and a JSON record of ``architecture``; write to a temporary file and rename,
    so an interrupted save never leaves a half-written file."""
    path = Path(file_name)
    if path.suffix != ".npz":
        path = path.with_suffix(path.suffix + ".npz")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")
    try:
        np.savez(tmp, **{ARCH_KEY: np.array(json.dumps(architecture, sort_keys=True))}, **params)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _describe(architecture) -> str:
    """One line per setting, for error messages that put two architectures side by side."""
    if architecture is None:
        return "(not recorded)"
    return ", ".join(f"{k}={v}" for k, v in sorted(architecture.items()))


def _read_npz(path: Path) -> dict:
    """Every array of an .npz file, read completely (so a damaged file fails here, naming itself)."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head[:1] == b"\x80" or path.suffix in (".pkl", ".pickle"):
        raise ValueError(
            f"{path} is a pickle file (like the book's params.pkl). cnnlib never loads pickle files: "
            f"unpickling can run any code hidden in the file. Use a parameter file saved by "
            f"save_params() (.npz). To use the book's trained file, convert it once where you run the "
            f"book's own code: after network.load_params('params.pkl') there, np.savez('params.npz', "
            f"**network.params); then load_params('params.npz') here (its shapes are checked; it records "
            f"no architecture)."
        )
    if head != b"PK\x03\x04":
        reason = "it is empty" if not head else "it does not start like an .npz (zip) file"
        raise ValueError(f"Cannot read parameters from {path}: {reason}. Was it copied or downloaded "
                         f"completely? Save it again with save_params(), or re-create it (python3 tasks.py "
                         f"train NAME for the shipped files).")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
        for key, value in arrays.items():
            if not isinstance(value, np.ndarray):  # np.load hands back the raw bytes of a non-.npy member
                raise ValueError(f"its entry {key!r} is not a numpy array")
        return arrays
    except Exception as e:  # zipfile.BadZipFile, EOFError, ValueError (object arrays), OSError ...
        raise ValueError(f"Cannot read parameters from {path}: the file is damaged or incomplete "
                         f"({type(e).__name__}: {e}). Save it again with save_params(), or re-create it "
                         f"(python3 tasks.py train NAME for the shipped files).") from None


def load_npz_params(file_name, params, architecture):
    """Copy arrays saved by :func:`save_npz_params` into ``params`` (same arrays, changed in place,
    so the layers holding them see the loaded values).

    All or nothing: the whole file is read and checked first — its recorded architecture against
    ``architecture`` (every setting), every array's name, shape and dtype — and only then is any
    parameter changed. Returns the file's recorded architecture (``None`` if it has none)."""
    path = Path(file_name)
    if not path.is_file():
        raise FileNotFoundError(f"No parameter file at {path}.")
    data = _read_npz(path)
    saved_arch = None
    if ARCH_KEY in data:
        try:
            saved_arch = json.loads(str(data.pop(ARCH_KEY)))
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: the recorded architecture is not valid JSON ({e}).") from None
    both = f"\n  file:    {_describe(saved_arch)}\n  network: {_describe(architecture)}"
    # Compare after a JSON round trip, so tuples and lists (input_dim) compare equal.
    if saved_arch is not None and saved_arch != json.loads(json.dumps(architecture)):
        differ = sorted(k for k in set(saved_arch) | set(architecture)
                        if saved_arch.get(k) != json.loads(json.dumps(architecture.get(k))))
        raise ValueError(f"Cannot load {path.name}: it was saved from a different network "
                         f"({', '.join(differ)} differ).{both}\nBuild the network with the file's settings, "
                         f"e.g. {saved_arch.get('class', 'Network')}(...) with the values above.")
    missing = [k for k in params if k not in data]
    if missing:
        raise ValueError(f"{path.name} has no {', '.join(missing)}; it holds {sorted(data)}.{both}")
    for key, value in params.items():
        saved = data[key]
        if saved.shape != value.shape:
            raise ValueError(f"Cannot load {path.name} into this network: {key} has shape {saved.shape} in the "
                             f"file but {value.shape} in the network.{both}")
        if saved.dtype.kind not in "fiu" or not np.can_cast(saved.dtype, value.dtype, "same_kind"):
            raise ValueError(f"Cannot load {path.name}: {key} holds {saved.dtype} numbers, which cannot become "
                             f"the network's {value.dtype} weights. The file is not a parameter file of cnnlib.")
        if not np.all(np.isfinite(saved)):
            raise ValueError(f"Cannot load {path.name}: {key} contains NaN or infinite values (training "
                             f"diverged?). Nothing was loaded.")
    for key, value in params.items():
        value[...] = data[key]
    return saved_arch
