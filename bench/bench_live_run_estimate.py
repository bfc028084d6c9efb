"""How close the "학습 시작" widget's estimate comes to the run it estimates (cnnlib.live_run).

    python3 tasks.py bench bench/bench_live_run_estimate.py [--train-size N] [--epochs E]

Builds a TrainingRun of the seminar recipe (simple_convnet_fast, settings from cnnlib.train.RECIPES)
as a notebook does, waits for its estimate (a few steps timed on a throwaway network), then presses
"학습 시작" and waits for the end. Prints the estimate, the run's own time and their ratio; the
display time is how long showing the widget takes (it must start nothing long). With --train-size the
run uses the first N training images (the estimate scales its step count accordingly); all 10,000 test
images are evaluated at the end as in the notebook.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace

from cnnlib.live_run import TrainingRun
from cnnlib.train import RECIPES

RECIPE = "simple_convnet_fast"


def main(argv=None):
    from cnnlib import load_mnist

    parser = argparse.ArgumentParser()
    parser.add_argument("--train-size", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=None)
    args = parser.parse_args(argv)
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, flatten=False)
    x_train, t_train = x_train[: args.train_size], t_train[: args.train_size]
    recipe = RECIPES[RECIPE] if args.epochs is None else replace(RECIPES[RECIPE], epochs=args.epochs)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    run = TrainingRun(recipe, x_train, t_train, x_test, t_test, references={"99%": 0.99})
    start = time.perf_counter()
    run._repr_mimebundle_()  # what displaying the widget does
    display_ms = (time.perf_counter() - start) * 1e3
    run.wait()
    measured = time.perf_counter() - start
    e = run.estimate
    run.start()
    run.wait()
    print(f"{RECIPE}: {recipe.epochs} epochs, {len(x_train):,} training images, {len(x_test):,} test images "
          f"(load average before: {load:.2f})")
    print(f"display: {display_ms:.1f} ms; the estimate was ready {measured:.2f} s after display")
    print(f"estimate: {e.seconds:.1f} s = {e.steps} steps x {e.step_seconds * 1e3:.1f} ms + {e.eval_images:,} images "
          f"evaluated x {e.seconds_per_image * 1e6:.0f} us + {e.draws} drawings x {e.draw_seconds * 1e3:.0f} ms")
    print(f"run: {run.seconds:.1f} s, test accuracy {run.trainer.final_test_acc:.2%}; "
          f"run / estimate = {run.seconds / e.seconds:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
