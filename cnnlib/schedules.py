"""Learning-rate schedules for :class:`~cnnlib.trainer.Trainer` (not in the book, whose rate is constant)."""

from __future__ import annotations

import math

__all__ = ["LR_SCHEDULES", "learning_rate"]

LR_SCHEDULES = ("constant", "cosine")


def learning_rate(base_lr, step, total_steps, schedule="constant", warmup_steps=0):
    """The learning rate of step ``step`` (0-based) of ``total_steps``.

    'constant': ``base_lr`` (the book). 'cosine': falls from ``base_lr`` to 0 along half a cosine.
    ``warmup_steps`` > 0: first rises linearly from ``base_lr / warmup_steps`` to ``base_lr`` (large steps
    from random weights can throw training off), then follows the schedule over the remaining steps.
    Steps past the end (e.g. timing probes on a tiny run whose warm-up takes every step) keep the
    schedule's last value: 0 for 'cosine'.
    """
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    if schedule == "cosine":
        progress = 1.0 if step >= total_steps else (step - warmup_steps) / (total_steps - warmup_steps)
        return 0.5 * base_lr * (1 + math.cos(math.pi * progress))
    return base_lr
