"""What a training run shows and keeps: a text progress bar per epoch and the per-epoch history
(:class:`~cnnlib.trainer.Trainer` draws the one and returns the other)."""

from __future__ import annotations

import sys

__all__ = ["HISTORY_KEYS", "new_history", "add_epoch", "epoch_bar", "epoch_line"]

#: One list per key, one entry per epoch: mean loss, the accuracies at the epoch's end, learning rate, seconds.
HISTORY_KEYS = ("epoch", "train_loss", "train_acc", "test_acc", "lr", "seconds")


def new_history() -> dict:
    return {key: [] for key in HISTORY_KEYS}


def add_epoch(history: dict, **values) -> None:
    """Append one epoch's values (every key of :data:`HISTORY_KEYS`) to ``history``."""
    for key in HISTORY_KEYS:
        history[key].append(values[key])


def epoch_bar(epoch: int, epochs: int, done: int, steps: int, enabled: bool = True):
    """A text bar for the steps of one epoch (``done`` of ``steps`` already taken) on stdout.

    Text (not tqdm.auto's widget) on stdout: its final state is what a notebook stores and GitHub shows,
    and stdout is not shown as an error (stderr is, in red, in JupyterLab)."""
    from tqdm import tqdm  # imported here: `import cnnlib` stays fast

    return tqdm(total=steps, initial=done, desc=f"epoch {epoch}/{epochs}", file=sys.stdout,
                bar_format="{desc}: {percentage:3.0f}%|{bar:20}| {n_fmt}/{total_fmt}{postfix}", leave=True,
                disable=not enabled)


def epoch_line(history: dict) -> str:
    """The last epoch of ``history`` in one line, e.g. ``epoch  3: loss 0.0412, train acc 0.9921, ...``."""
    return (f"epoch {history['epoch'][-1]:2d}: loss {history['train_loss'][-1]:.4f}, "
            f"train acc {history['train_acc'][-1]:.4f}, test acc {history['test_acc'][-1]:.4f}")
