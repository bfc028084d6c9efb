"""Trainer — the book's ``common/trainer.py``: ``train_step()``, ``train()``, ``train_loss_list``,
``train_acc_list``, ``test_acc_list``, and the same constructor arguments.

Deliberate differences from the book's ``Trainer`` (everything else is the same):

1. Real epochs: every epoch is one random permutation of the training set cut into mini-batches,
   so it sees every image exactly once (the book draws each mini-batch with replacement,
   ``np.random.choice``). ``train_step()`` still takes no arguments: it takes the next mini-batch
   of the current permutation itself. A last partial mini-batch is kept (``ceil(N / batch)`` steps).
2. ``train_loss_list[i]`` is the loss of mini-batch ``i`` from the forward pass that computed its
   gradient (before the update); the book runs one more forward pass after the update for it.
3. Evaluations come at the *end* of each epoch (or of each ``1/evaluations_per_epoch`` of an
   epoch), so the last one is the trained network; the book evaluates at the start of each epoch
   (the first before any training, none after the last step).
4. ``train()`` returns ``history`` (one entry per epoch: mean loss, last accuracies, learning rate,
   seconds) and draws a text progress bar on stdout; ``verbose`` prints one line per epoch instead
   of one per step. The final accuracy on the whole test set is ``final_test_acc`` (the book only
   prints it); with ``evaluate_sample_num_per_epoch=None`` it is the last evaluation, not a repeat.
5. Optional, off by default (the book's behaviour): a learning-rate schedule (``lr_schedule``,
   ``warmup_epochs``), random shifts of the training images (``shift``), a ``seed`` for the order
   of mini-batches, ``evaluations_per_epoch`` and a ``callback`` after each evaluation (live curves).
6. A mis-spelled optimizer name is a clear error (the book's table maps ``'rmsprpo'``, a typo, so
   ``'rmsprop'`` raises a KeyError there).
"""

from __future__ import annotations

import math
import time

import numpy as np

from .augment import random_shift
from .optimizers import OPTIMIZERS
from .progress import add_epoch, epoch_bar, epoch_line, new_history
from .schedules import LR_SCHEDULES, learning_rate
from .shapes import require_int

__all__ = ["Trainer", "learning_rate"]  # learning_rate lives in cnnlib.schedules; importable here too

# Evaluation runs forward in batches of this many images: 100 keeps every layer's arrays small enough
# for the CPU's cache (batches of 500 took a third longer per image).
EVAL_BATCH_SIZE = 100


class Trainer:
    """Train ``network`` (anything with ``params``, ``gradient``, ``last_layer.loss``, ``accuracy``).

    x_train (N, C, H, W) with labels t_train (N,) or one-hot; the same for x_test, t_test.
    optimizer: a name from the book ('SGD', 'Momentum', 'Nesterov', 'AdaGrad', 'RMSprop', 'Adam')
    with ``optimizer_param`` (e.g. ``{'lr': 0.001}``), or an optimizer object.
    evaluate_sample_num_per_epoch: evaluate on the first this-many train/test images
    (``None``: all of them). verbose: print one line per epoch.

    Keyword-only (not in the book): lr_schedule 'constant' or 'cosine' (see :func:`learning_rate`)
    with ``warmup_epochs``; shift: move every training image by a random number of pixels in
    [-shift, shift] in each direction each time it is used (data augmentation);
    evaluations_per_epoch: how many times per epoch to evaluate (evenly spaced, the last at
    the epoch's end); callback: ``callback(trainer)`` after each evaluation; seed: makes the
    order of mini-batches (and the shifts) reproducible; progress: a text progress bar on stdout.
    """

    def __init__(self, network, x_train, t_train, x_test, t_test, epochs=20, mini_batch_size=100,
                 optimizer="SGD", optimizer_param=None, evaluate_sample_num_per_epoch=None,
                 verbose=True, *, lr_schedule="constant", warmup_epochs=0.0, shift=0,
                 evaluations_per_epoch=1, callback=None, seed=0, progress=True):
        if len(x_train) != len(t_train) or len(x_test) != len(t_test):
            raise ValueError(f"Images and labels differ in number: train {len(x_train)} vs {len(t_train)}, "
                             f"test {len(x_test)} vs {len(t_test)}.")
        if len(x_train) == 0 or len(x_test) == 0:
            raise ValueError(f"A Trainer needs at least one training and one test image; got {len(x_train)} and "
                             f"{len(x_test)}.")
        epochs, mini_batch_size = require_int("epochs", epochs, 1), require_int("mini_batch_size", mini_batch_size, 1)
        if lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"lr_schedule must be one of {LR_SCHEDULES}; got {lr_schedule!r}.")
        if not 0 <= warmup_epochs < epochs:
            raise ValueError(f"warmup_epochs must be at least 0 and less than epochs ({epochs}); "
                             f"got {warmup_epochs}.")
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
        self.callback = callback
        self.rng = np.random.default_rng(seed)

        self.train_size = len(x_train)
        self.iter_per_epoch = math.ceil(self.train_size / self.batch_size)
        self.max_iter = self.epochs * self.iter_per_epoch
        self.warmup_iter = round(warmup_epochs * self.iter_per_epoch)
        per_epoch = min(int(evaluations_per_epoch), self.iter_per_epoch)
        if per_epoch < 1:
            raise ValueError(f"evaluations_per_epoch must be at least 1; got {evaluations_per_epoch}.")
        # the steps (1-based, within an epoch) after which to evaluate; the last is the epoch's end
        self._eval_steps = {round(k * self.iter_per_epoch / per_epoch) for k in range(1, per_epoch + 1)}
        self.current_iter = 0
        self.current_epoch = 0
        self._order = None  # this epoch's permutation of the training set
        self._epoch_start = None

        # the book's lists: one loss per step, one accuracy per evaluation
        self.train_loss_list = []
        self.train_acc_list = []
        self.test_acc_list = []
        self.eval_epoch_list = []  # where each evaluation happened, in epochs (0.25 = a quarter of epoch 1)
        self.final_test_acc = None
        self.stopped = False  # train() ended early because its ``stop`` function said so
        self.history = new_history()  # one entry per epoch: mean loss, the epoch-end accuracies, lr, seconds

    def lr(self, step=None):
        """The learning rate for ``step`` (default: the next one)."""
        step = self.current_iter if step is None else step
        return learning_rate(self.base_lr, step, self.max_iter, self.lr_schedule, self.warmup_iter)

    def next_batch(self):
        """The next mini-batch (x, t) of this epoch's permutation; a new permutation starts each epoch."""
        step = self.current_iter % self.iter_per_epoch
        if step == 0:
            self._order = self.rng.permutation(self.train_size)
            self._epoch_start = time.perf_counter()
        idx = self._order[step * self.batch_size : (step + 1) * self.batch_size]
        return random_shift(self.x_train[idx], self.shift, self.rng), self.t_train[idx]

    def train_step(self):
        """One update on the next mini-batch; returns its loss (computed before the update).
        Evaluates when the step ends an evaluation period, and closes the epoch at its last step."""
        x_batch, t_batch = self.next_batch()
        self.optimizer.lr = self.lr()
        grads = self.network.gradient(x_batch, t_batch)
        self.optimizer.update(self.network.params, grads)
        loss = float(self.network.last_layer.loss)
        self.train_loss_list.append(loss)
        self.current_iter += 1

        step = self.current_iter - self.current_epoch * self.iter_per_epoch  # 1 ... iter_per_epoch
        if step in self._eval_steps:
            self.evaluate_now(self.current_epoch + step / self.iter_per_epoch)
        if step == self.iter_per_epoch:
            self._end_epoch()
        return loss

    def evaluate(self):
        """(train accuracy, test accuracy) on the evaluation samples."""
        n = self.evaluate_sample_num_per_epoch
        x_tr, t_tr = (self.x_train, self.t_train) if n is None else (self.x_train[:n], self.t_train[:n])
        x_te, t_te = (self.x_test, self.t_test) if n is None else (self.x_test[:n], self.t_test[:n])
        return (self.network.accuracy(x_tr, t_tr, batch_size=EVAL_BATCH_SIZE),
                self.network.accuracy(x_te, t_te, batch_size=EVAL_BATCH_SIZE))

    def evaluate_now(self, at_epoch):
        """Evaluate, append to ``train_acc_list``/``test_acc_list``, call the callback."""
        train_acc, test_acc = self.evaluate()
        self.train_acc_list.append(train_acc)
        self.test_acc_list.append(test_acc)
        self.eval_epoch_list.append(round(at_epoch, 6))
        if self.callback is not None:
            self.callback(self)

    def _end_epoch(self):
        self.current_epoch += 1
        add_epoch(self.history, epoch=self.current_epoch,
                  train_loss=float(np.mean(self.train_loss_list[-self.iter_per_epoch :])),
                  train_acc=self.train_acc_list[-1], test_acc=self.test_acc_list[-1], lr=float(self.optimizer.lr),
                  seconds=time.perf_counter() - self._epoch_start)

    def train(self, stop=None):
        """Run the remaining steps of all epochs, then measure ``final_test_acc`` on the whole test
        set; returns ``history``. ``stop``: a function called before every step (e.g. a
        ``threading.Event``'s ``is_set``); when it returns True, training ends there, ``stopped`` is
        True and ``final_test_acc`` is the network's accuracy as it is then."""
        self.stopped = False
        while self.current_iter < self.max_iter and not self.stopped:
            done = self.current_iter % self.iter_per_epoch
            bar = epoch_bar(self.current_epoch + 1, self.epochs, done, self.iter_per_epoch, self.progress)
            for _ in range(done, self.iter_per_epoch):
                if stop is not None and stop():
                    self.stopped = True
                    break
                self.train_step()
                bar.update(1)
                if self.current_iter % 50 == 0:
                    bar.set_postfix_str(f"loss {np.mean(self.train_loss_list[-50:]):.3f}", refresh=False)
            bar.close()
            if self.verbose and not self.stopped:
                print(epoch_line(self.history))
        if not self.stopped and (self.evaluate_sample_num_per_epoch is None
                                 or self.evaluate_sample_num_per_epoch >= len(self.x_test)):
            self.final_test_acc = self.test_acc_list[-1]
        else:
            self.final_test_acc = self.network.accuracy(self.x_test, self.t_test, batch_size=EVAL_BATCH_SIZE)
        if self.verbose:
            print(f"final test acc ({len(self.x_test):,d} images): {self.final_test_acc:.4f}")
        return self.history

    def plot(self, ax=None):
        """Train and test accuracy per epoch (see :func:`cnnlib.plots.learning_curves`)."""
        from .plots import learning_curves

        return learning_curves(self.history, ax)
