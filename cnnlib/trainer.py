"""Trainer — the book's ``common/trainer.py``, with real epochs.

The book samples each mini-batch with replacement (``np.random.choice``), so an
"epoch" does not see every image once. Here every epoch is one permutation of the
training set cut into mini-batches. After every epoch the accuracy on the train and
test sets (all of them, or a stated number of samples) is recorded in ``history``.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .augment import random_shift
from .optimizers import OPTIMIZERS

__all__ = ["Trainer"]


class Trainer:
    """Train ``network`` (anything with ``params``, ``gradient``, ``loss``, ``accuracy``).

    optimizer: a name from the book ('SGD', 'Momentum', 'Nesterov', 'AdaGrad', 'RMSprop', 'Adam')
    with ``optimizer_param`` (e.g. ``{'lr': 0.001}``), or an optimizer object.
    evaluate_sample_num_per_epoch: evaluate on the first this-many train/test images
    (``None``: all of them). lr_schedule: ``'constant'`` (the book) or ``'cosine'``
    (the learning rate falls smoothly from lr to 0 over all steps).
    shift: if > 0, every training image is moved by a random number of pixels in
    [-shift, shift] in each direction each time it is used (data augmentation).
    seed: makes the order of mini-batches (and the shifts) reproducible.
    """

    def __init__(self, network, x_train, t_train, x_test, t_test, epochs=20, mini_batch_size=100,
                 optimizer="SGD", optimizer_param=None, evaluate_sample_num_per_epoch=None,
                 verbose=True, *, lr_schedule="constant", shift=0, seed=0, progress=True):
        if len(x_train) != len(t_train) or len(x_test) != len(t_test):
            raise ValueError(f"Images and labels differ in number: train {len(x_train)} vs {len(t_train)}, "
                             f"test {len(x_test)} vs {len(t_test)}.")
        if lr_schedule not in ("constant", "cosine"):
            raise ValueError(f"lr_schedule must be 'constant' or 'cosine'; got {lr_schedule!r}.")
        self.network = network
        self.x_train, self.t_train, self.x_test, self.t_test = x_train, t_train, x_test, t_test
        self.epochs = int(epochs)
        self.batch_size = int(mini_batch_size)
        if isinstance(optimizer, str):
            name = optimizer.lower()
            if name not in OPTIMIZERS:
                raise ValueError(f"Unknown optimizer {optimizer!r}; choose one of {sorted(OPTIMIZERS)}.")
            optimizer = OPTIMIZERS[name](**(optimizer_param or {}))
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch
        self.verbose = verbose
        self.progress = progress
        self.lr_schedule = lr_schedule
        self.shift = int(shift)
        self.rng = np.random.default_rng(seed)

        self.iter_per_epoch = math.ceil(len(x_train) / self.batch_size)
        self.max_iter = self.epochs * self.iter_per_epoch
        self.current_iter = 0
        self.current_epoch = 0
        self.history = {"epoch": [], "train_loss": [], "train_acc": [], "test_acc": [], "lr": [], "seconds": []}
        self.train_loss_list = self.history["train_loss"]  # the book's names
        self.train_acc_list = self.history["train_acc"]
        self.test_acc_list = self.history["test_acc"]

    def _lr(self):
        if self.lr_schedule == "cosine":
            return 0.5 * self.base_lr * (1 + math.cos(math.pi * self.current_iter / self.max_iter))
        return self.base_lr

    def train_step(self, x_batch, t_batch):
        """One update on one mini-batch; returns its loss (before the update)."""
        self.optimizer.lr = self._lr()
        grads = self.network.gradient(x_batch, t_batch)
        self.optimizer.update(self.network.params, grads)
        self.current_iter += 1
        return float(self.network.last_layer.loss)

    def evaluate(self):
        """(train accuracy, test accuracy) on the evaluation samples."""
        n = self.evaluate_sample_num_per_epoch
        x_tr, t_tr = (self.x_train, self.t_train) if n is None else (self.x_train[:n], self.t_train[:n])
        x_te, t_te = (self.x_test, self.t_test) if n is None else (self.x_test[:n], self.t_test[:n])
        return self.network.accuracy(x_tr, t_tr, batch_size=500), self.network.accuracy(x_te, t_te, batch_size=500)

    def train_epoch(self):
        """One pass over a fresh permutation of the training set, then an evaluation."""
        # Text bar (not tqdm.auto's widget): its final state is what a notebook stores and GitHub shows.
        from tqdm import tqdm

        start = time.perf_counter()
        order = self.rng.permutation(len(self.x_train))
        losses = []
        batches = range(0, len(order), self.batch_size)
        bar = tqdm(batches, desc=f"epoch {self.current_epoch + 1}/{self.epochs}", leave=True,
                   disable=not self.progress)
        for i in bar:
            idx = order[i : i + self.batch_size]
            x_batch = random_shift(self.x_train[idx], self.shift, self.rng)
            losses.append(self.train_step(x_batch, self.t_train[idx]))
            if len(losses) % 50 == 0:
                bar.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}")
        bar.close()
        self.current_epoch += 1
        train_acc, test_acc = self.evaluate()
        h = self.history
        h["epoch"].append(self.current_epoch)
        h["train_loss"].append(float(np.mean(losses)))
        h["train_acc"].append(train_acc)
        h["test_acc"].append(test_acc)
        h["lr"].append(float(self.optimizer.lr))
        h["seconds"].append(time.perf_counter() - start)
        if self.verbose:
            print(f"epoch {self.current_epoch:2d}: loss {h['train_loss'][-1]:.4f}, "
                  f"train acc {train_acc:.4f}, test acc {test_acc:.4f}")

    def train(self):
        """Run all epochs; returns ``history``."""
        while self.current_epoch < self.epochs:
            self.train_epoch()
        return self.history

    def plot(self, ax=None):
        """Train and test accuracy per epoch (see :func:`cnnlib.plots.learning_curves`)."""
        from .plots import learning_curves

        return learning_curves(self.history, ax)
