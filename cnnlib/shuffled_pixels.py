"""Notebook 7.1's deeper experiment: does a fully connected network learn shuffled MNIST as well as MNIST?

The network is Affine(784 -> 100) - ReLU - Affine(100 -> 10) - Softmax (:class:`AffineNet`), trained
with SGD (lr 0.1, mini-batch 100) for 2 epochs on the first 10,000 training images and measured on all
10,000 test images. Two comparisons:

1. :func:`shared_start`: the shuffled network starts from the original's first weights with their rows
   shuffled the same way and sees the same mini-batches, so every update is the original's, shuffled;
2. :func:`seed_table`: both networks start afresh from the same seed (their weights do not correspond),
   for several seeds.

Ten trainings take seconds with one BLAS thread but minutes on a busy machine with several, so the
notebook's Run All shows the table recorded in ``data/params/shuffled_pixels.json`` (:func:`load_record`,
written by ``python -m cnnlib.shuffled_pixels`` with OPENBLAS_NUM_THREADS=1) and the learner can rerun it
with :func:`seed_table`. A numeric test reruns seed 0 and compares it with the record.
"""

from __future__ import annotations

import json
from collections import OrderedDict

import numpy as np

from .files import atomic_file
from .layers import Affine, Relu, SoftmaxWithLoss
from .network import Network
from .paths import params_dir
from .trainer import Trainer

__all__ = ["AffineNet", "RECORD", "SETTINGS", "trained_accuracy", "shared_start", "seed_table", "load_record"]

RECORD = "shuffled_pixels.json"
SETTINGS = {"train_images": 10000, "epochs": 2, "mini_batch_size": 100, "lr": 0.1, "seeds": 5, "perm_seed": 0}


class AffineNet(Network):
    """Affine(784 -> 100) - ReLU - Affine(100 -> 10) - Softmax. ``rows``: start with the first weight
    W1 (784, 100)'s rows in this order."""

    def __init__(self, seed, rows=None):
        rng = np.random.default_rng(seed)
        W1, W2 = 0.01 * rng.standard_normal((784, 100)), 0.01 * rng.standard_normal((100, 10))
        if rows is not None:
            W1 = W1[rows]
        self.layers = OrderedDict(Affine1=Affine(W1, np.zeros(100)), Relu1=Relu(), Affine2=Affine(W2, np.zeros(10)))
        self.last_layer = SoftmaxWithLoss()
        self._collect_params()


def trained_accuracy(network, x_train, t_train, x_test, t_test, seed) -> float:
    """Train ``network`` with SETTINGS on x_train (N, 784); its accuracy on all of x_test (M, 784).
    Epoch-end accuracies are measured on 1,000 images only: they do not change the training."""
    trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=SETTINGS["epochs"],
                      mini_batch_size=SETTINGS["mini_batch_size"], optimizer="SGD",
                      optimizer_param={"lr": SETTINGS["lr"]}, seed=seed, verbose=False, progress=False,
                      evaluate_sample_num_per_epoch=1000)
    trainer.train()
    return trainer.final_test_acc


def _data(x_train, t_train, x_test, t_test):
    n = SETTINGS["train_images"]
    return x_train[:n].astype(np.float64), t_train[:n], x_test.astype(np.float64), t_test


def shared_start(x_train, t_train, x_test, t_test, perm) -> dict:
    """Comparison 1: {"original", "shuffled"} accuracies and "same_weights" (the trained W1's agree,
    rows shuffled, within 1e-9). Images (N, 784) flattened, ``perm`` a permutation of 784."""
    x_tr, t_tr, x_te, t_te = _data(x_train, t_train, x_test, t_test)
    original, shuffled = AffineNet(0), AffineNet(0, rows=perm)
    acc_original = trained_accuracy(original, x_tr, t_tr, x_te, t_te, seed=0)
    acc_shuffled = trained_accuracy(shuffled, x_tr[:, perm], t_tr, x_te[:, perm], t_te, seed=0)
    same = bool(np.allclose(shuffled.params["W1"], original.params["W1"][perm], rtol=0, atol=1e-9))
    return {"original": acc_original, "shuffled": acc_shuffled, "same_weights": same}


def seed_table(x_train, t_train, x_test, t_test, perm, seeds=None) -> list[dict]:
    """Comparison 2: one {"seed", "original", "shuffled"} per seed, both networks started afresh."""
    x_tr, t_tr, x_te, t_te = _data(x_train, t_train, x_test, t_test)
    seeds = range(SETTINGS["seeds"]) if seeds is None else seeds
    return [{"seed": int(s),
             "original": trained_accuracy(AffineNet(s), x_tr, t_tr, x_te, t_te, s),
             "shuffled": trained_accuracy(AffineNet(s), x_tr[:, perm], t_tr, x_te[:, perm], t_te, s)}
            for s in seeds]


def load_record(folder=None) -> dict:
    """The recorded run: {"settings", "shared_start", "seeds"} (see :func:`write_record`)."""
    path = (params_dir() if folder is None else folder) / RECORD
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise FileNotFoundError(f"{path} is missing: run `python -m cnnlib.shuffled_pixels` to record it.") from e


def write_record(folder=None) -> dict:
    """Run both comparisons on MNIST with SETTINGS and write them to ``data/params/shuffled_pixels.json``."""
    from .mnist import load_mnist
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, flatten=True)
    perm = np.random.default_rng(SETTINGS["perm_seed"]).permutation(784)
    record = {"settings": SETTINGS, "shared_start": shared_start(x_train, t_train, x_test, t_test, perm),
              "seeds": seed_table(x_train, t_train, x_test, t_test, perm)}
    path = (params_dir() if folder is None else folder) / RECORD
    with atomic_file(path, "parameters") as (f, _):
        f.write((json.dumps(record, indent=1) + "\n").encode("utf-8"))
    return record


if __name__ == "__main__":  # python -m cnnlib.shuffled_pixels (with OPENBLAS_NUM_THREADS=1: seconds)
    print(json.dumps(write_record(), indent=1))
