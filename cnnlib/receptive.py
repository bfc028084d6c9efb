"""Which input a unit sees, and which inputs excite it most (7.6, depth).

* :func:`receptive_fields` — the input square each unit of every convolution and pooling layer
  can see;
* :func:`top_activations` and :func:`receptive_patches` — the images (and their patches) that
  excite each channel of a layer most;
* :func:`class_purity` and :func:`chance_purity` — how much those images share one class, against
  what a unit with no preference would score; :func:`purity_by_layer` — both steps for several layers.

Images are (N, C, H, W); layers are looked up by name in ``network.layers``.

The control for "deeper layers pick images of one digit": the same measurement on the *untrained*
network. ``cnnlib.train.build_network(RECIPES[name])`` builds it with the recipe's seed, so its weights
are the ones the shipped run of that recipe started from; what it scores comes from the architecture
(wider receptive fields) and the images, not from learning.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layers import Convolution, Pooling
from .network import forward_layer

__all__ = ["ReceptiveField", "receptive_fields", "top_activations", "TopActivations", "receptive_patches",
           "class_purity", "chance_purity", "purity_by_layer"]


@dataclass(frozen=True)
class ReceptiveField:
    """Which input pixels a unit of layer ``name`` can see: output cell (i, j) reads the input rows
    ``start + i·jump`` .. ``start + i·jump + size − 1`` (and the same for columns). ``start`` is
    negative where the window reaches into the zero padding."""

    name: str
    size: int
    jump: int
    start: int

    def rows(self, i: int) -> tuple[int, int]:
        """(first, last + 1) input row seen by output row i (may extend past the image)."""
        first = self.start + i * self.jump
        return first, first + self.size


def _window(layer):
    """(filter size, stride, pad) of a square Convolution or Pooling layer, or None for layers
    that look at one position only (ReLU, ...)."""
    if isinstance(layer, Convolution):
        FN, C, FH, FW = layer.W.shape
        if FH != FW or layer.dilation != 1:
            raise ValueError("receptive_fields handles square, undilated filters only.")
        return FH, layer.stride, layer.pad
    if isinstance(layer, Pooling):
        if layer.pool_h != layer.pool_w:
            raise ValueError("receptive_fields handles square pooling windows only.")
        return layer.pool_h, layer.stride, layer.pad
    return None


def receptive_fields(network) -> list[ReceptiveField]:
    """The receptive field of every Convolution and Pooling layer of ``network.layers``, in order,
    up to the first layer that is neither (Affine: it sees the whole image).

    Each window of size k, stride s, padding p widens what one unit sees by (k − 1) steps of the
    previous layer's spacing (``jump``) and multiplies the spacing by s."""
    size, jump, start = 1, 1, 0
    out = []
    for name, layer in network.layers.items():
        window = _window(layer)
        if window is None:
            if hasattr(layer, "W"):          # Affine: every unit sees everything
                break
            continue
        k, s, p = window
        size, start, jump = size + (k - 1) * jump, start - p * jump, jump * s
        out.append(ReceptiveField(name, size, jump, start))
    return out


@dataclass(frozen=True)
class TopActivations:
    """For each channel c of a layer, the k images that excite it most (at their best position):
    ``value``, ``image`` (index into the images), ``y``, ``x`` (output cell), each (C, k), strongest first."""

    layer: str
    value: np.ndarray
    image: np.ndarray
    y: np.ndarray
    x: np.ndarray


def top_activations(network, images, layer_names, k=9, batch_size=250):
    """Run ``images`` (N, C, H, W) through ``network`` once and, for every channel of each layer in
    ``layer_names`` (a name or a list of names), keep the k images with the highest activation
    anywhere in its feature map (one entry per image, so a unit's strongest images are k different
    images; ties go to the earlier image). Returns a :class:`TopActivations`, or a dict
    name → TopActivations when given a list."""
    names = [layer_names] if isinstance(layer_names, str) else list(layer_names)
    for name in names:
        if name not in network.layers:
            raise ValueError(f"No layer {name!r}; layers: {', '.join(network.layers)}.")
    order_of = list(network.layers)
    needed = order_of[: max(order_of.index(n) for n in names) + 1]     # deeper layers are not needed
    best_val = {name: [] for name in names}
    best_pos = {name: [] for name in names}
    width = {}
    for i in range(0, len(images), batch_size):
        a = images[i : i + batch_size]
        for name in needed:
            a = forward_layer(network.layers[name], a)
            if name in best_val:                                  # a: (n, C, OH, OW)
                flat = a.reshape(a.shape[0], a.shape[1], -1)
                pos = flat.argmax(axis=2)
                best_pos[name].append(pos)
                best_val[name].append(np.take_along_axis(flat, pos[..., None], axis=2)[..., 0])
                width[name] = a.shape[3]
    result = {}
    for name in names:
        val = np.concatenate(best_val[name]).T                    # (C, N)
        pos = np.concatenate(best_pos[name]).T
        order = np.argsort(-val, axis=1, kind="stable")[:, :k]   # strongest first; earlier image on ties
        where = np.take_along_axis(pos, order, axis=1)
        result[name] = TopActivations(name, np.take_along_axis(val, order, axis=1), order,
                                      where // width[name], where % width[name])
    return result[names[0]] if isinstance(layer_names, str) else result


def receptive_patches(images, field: ReceptiveField, image_index, y, x) -> np.ndarray:
    """The input patch a unit sees: for each (image, y, x) the ``field.size`` × ``field.size``
    square of ``images`` (N, C, H, W) at output cell (y, x), zeros where it reaches past the image
    (the padding the network saw). Returns (len, C, size, size); the arguments are broadcast together."""
    image_index, y, x = np.broadcast_arrays(np.asarray(image_index), np.asarray(y), np.asarray(x))
    N, C, H, W = images.shape
    size = field.size
    out = np.zeros((image_index.size, C, size, size), dtype=images.dtype)
    for n, (i, yy, xx) in enumerate(zip(image_index.ravel(), y.ravel(), x.ravel())):
        top, _ = field.rows(int(yy))
        left, _ = field.rows(int(xx))
        y0, y1 = max(top, 0), min(top + size, H)
        x0, x1 = max(left, 0), min(left + size, W)
        out[n, :, y0 - top : y1 - top, x0 - left : x1 - left] = images[i, :, y0:y1, x0:x1]
    return out


def class_purity(labels_of_top) -> np.ndarray:
    """(units,) for labels (units, k) of each unit's top images: the share of the k that carry the
    unit's most common label (1.0: all k are the same digit; 0.1-ish: no preference)."""
    labels_of_top = np.asarray(labels_of_top)
    counts = np.stack([np.bincount(row, minlength=10) for row in labels_of_top])
    return counts.max(axis=1) / labels_of_top.shape[1]


def chance_purity(labels, k, trials=2000, seed=0) -> float:
    """The mean :func:`class_purity` of ``k`` images drawn at random (without replacement) from
    ``labels`` — what a unit with no preference at all would score."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    draws = np.stack([rng.choice(labels, size=k, replace=False) for _ in range(trials)])
    return float(class_purity(draws).mean())


def purity_by_layer(network, images, labels, layer_names, k=9, batch_size=250) -> dict:
    """{layer name: (channels,) class purity of each channel's k top images} for every layer in
    ``layer_names``: :func:`top_activations` on ``images`` (N, C, H, W) with their ``labels`` (N,),
    then :func:`class_purity`. ``.mean()`` of a value is the layer's "같은 숫자의 비율"; run it on the
    trained and on the untrained network with the same images to see what training added."""
    labels = np.asarray(labels)
    if labels.shape != (len(images),):
        raise ValueError(f"labels must be one class number per image, shape ({len(images)},); "
                         f"got shape {labels.shape} (one-hot labels: pass labels.argmax(axis=1)).")
    if not 1 <= k <= len(images):
        raise ValueError(f"k must be between 1 and the number of images ({len(images)}); got {k}.")
    names = [layer_names] if isinstance(layer_names, str) else list(layer_names)
    tops = top_activations(network, images, names, k=k, batch_size=batch_size)
    return {name: class_purity(labels[tops[name].image]) for name in names}
