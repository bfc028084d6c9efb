"""Where one epoch of the seminar recipe (simple_convnet_fast) spends its time: loading MNIST,
taking mini-batches (shuffle, gather, shifts), forward + backward, the optimizer's update, the
evaluations during the epoch, drawing the live curves, and the final evaluation on all 10,000
test images.

    python3 tasks.py bench bench/bench_epoch_profile.py

It runs the real code path (``Trainer.train_step``) for one epoch, with the trainer's own methods
wrapped in timers; "rest" is what the step loop spends outside them (learning rate, bookkeeping).
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np

from cnnlib.plots import LiveCurves
from cnnlib.train import RECIPES, build_network, make_trainer

RECIPE = "simple_convnet_fast"


def timed(totals, name, fn):
    def wrapper(*args, **kw):
        start = time.perf_counter()
        try:
            return fn(*args, **kw)
        finally:
            totals[name] += time.perf_counter() - start
    return wrapper


def main():
    from cnnlib import load_mnist

    totals = defaultdict(float)
    start = time.perf_counter()
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, flatten=False)
    totals["load MNIST (cached)"] = time.perf_counter() - start

    recipe = RECIPES[RECIPE]
    net = build_network(recipe)
    curves = LiveCurves(recipe.epochs, references={"99%": 0.99}, show=False)

    def draw(trainer):
        curves(trainer)
        curves._image()  # what the notebook does: draw to PNG

    trainer = make_trainer(recipe, net, x_train, t_train, x_test, t_test, verbose=False, progress=False,
                           callback=timed(totals, "live curves (draw + PNG)", draw))
    trainer.next_batch = timed(totals, "mini-batch (shuffle, gather, shift)", trainer.next_batch)
    net.gradient = timed(totals, "forward + backward", net.gradient)
    trainer.optimizer.update = timed(totals, f"{type(trainer.optimizer).__name__} update", trainer.optimizer.update)
    trainer.evaluate = timed(totals, f"evaluations ({recipe.evaluations_per_epoch} x 2 x "
                                     f"{recipe.evaluate_sample_num} images)", trainer.evaluate)
    for _ in range(3):  # warm-up, not counted
        trainer.train_step()
    for key in list(totals)[1:]:
        totals[key] = 0.0
    trainer.current_iter = 0
    trainer.train_loss_list.clear()

    start = time.perf_counter()
    for _ in range(trainer.iter_per_epoch):
        trainer.train_step()
    epoch = time.perf_counter() - start
    inside = sum(v for k, v in totals.items() if k != "load MNIST (cached)")
    totals["rest of the step loop"] = epoch - inside

    start = time.perf_counter()
    net.accuracy(x_test, t_test, batch_size=500)
    totals["final evaluation (10,000 test images)"] = time.perf_counter() - start

    print(f"{RECIPE}: one epoch = {trainer.iter_per_epoch} steps of {recipe.batch_size} images, "
          f"{epoch:.2f} s ({epoch / trainer.iter_per_epoch * 1e3:.1f} ms per step)")
    for name, seconds in totals.items():
        share = f"{seconds / epoch:6.1%} of the epoch" if name not in (
            "load MNIST (cached)", "final evaluation (10,000 test images)") else "once per run"
        print(f"  {name:40s} {seconds:7.3f} s  {share}")
    print(f"whole run estimate: {recipe.epochs} epochs x {epoch:.1f} s + load + final evaluation = "
          f"{recipe.epochs * epoch + totals['load MNIST (cached)'] + totals['final evaluation (10,000 test images)']:.0f} s"
          " (plus starting Python and importing)")


if __name__ == "__main__":
    main()
