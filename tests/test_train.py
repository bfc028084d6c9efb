"""The reproducible training command, end to end on small configurations; the one-minute recipe
(simple_convnet_fast) is what notebook 7.5 and the README say it is."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnnlib.train import RECIPES, build_network, load_record

ROOT = Path(__file__).resolve().parent.parent


def run_training_command(tmp_path, name, epochs, train_size, test_size, *extra):
    """Run ``python -m cnnlib.train NAME`` on a small configuration; return (record, trained, initial)."""
    out = tmp_path / f"{name}.npz"
    cmd = [sys.executable, "-m", "cnnlib.train", name, "--epochs", str(epochs), "--train-size", str(train_size),
           "--test-size", str(test_size), "--out", str(out), "--no-progress", *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["recipe"] == name and record["settings"]["epochs"] == epochs
    assert record["train_size"] == train_size and record["test_size"] == test_size
    assert record["history"]["epoch"] == list(range(1, epochs + 1))
    trained = build_network(RECIPES[name])
    trained.load_params(out)
    return record, trained, build_network(RECIPES[name])


def test_training_command_small_run(tmp_path):
    record, trained, initial = run_training_command(tmp_path, "simple_convnet", 2, 2000, 500)
    assert record["test_accuracy"] > 0.8  # 2,000 images, 2 epochs: well above chance (0.1)
    assert np.any(trained.params["W1"] != initial.params["W1"])


def test_training_command_runs_the_deep_network_end_to_end(tmp_path):
    """7.6's deeper network: the same command, a tiny run (its shipped run took 53 minutes)."""
    record, trained, initial = run_training_command(tmp_path, "deep_convnet", 1, 300, 100)
    assert np.isfinite(record["history"]["train_loss"]).all()
    # every layer's weights moved away from the recipe's initial weights
    assert all(np.any(trained.params[k] != initial.params[k]) for k in trained.params if k.startswith("W"))


def test_unknown_recipe_is_a_clear_error():
    done = subprocess.run([sys.executable, "-m", "cnnlib.train", "resnet"], capture_output=True, text=True)
    assert done.returncode != 0 and "invalid choice: 'resnet'" in done.stderr


def test_fast_recipe_runs_end_to_end_on_a_tenth_of_an_epoch(tmp_path):
    """The one-minute recipe through the same command: one epoch of the first 6,000 training images
    (a tenth of a real epoch), evaluated on samples during training and on all given test images
    at the end."""
    from cnnlib import load_mnist

    recipe = RECIPES["simple_convnet_fast"]
    record, trained, _ = run_training_command(tmp_path, "simple_convnet_fast", 1, 6000, 2000, "--seed", "3")
    settings = record["settings"]
    assert settings["seed"] == 3 and settings["lr"] == recipe.lr and settings["warmup_epochs"] == recipe.warmup_epochs
    assert settings["evaluate_sample_num"] == recipe.evaluate_sample_num == 1000
    n = recipe.evaluations_per_epoch
    assert record["evaluations"]["epoch"] == pytest.approx([k / n for k in range(1, n + 1)])
    assert len(record["train_loss_per_step"]) == 60 and record["load_seconds"] < record["wall_seconds"]
    assert record["history"]["lr"][-1] < 0.01 * recipe.lr  # the cosine schedule ends near 0
    # the final accuracy is on all 2,000 test images, the evaluations during training on the first 1,000
    _, (x_test, t_test) = load_mnist(normalize=True, flatten=False)
    assert record["test_accuracy"] == trained.accuracy(x_test[:2000], t_test[:2000], batch_size=500) > 0.8
    assert record["evaluations"]["test_acc"][-1] == trained.accuracy(x_test[:1000], t_test[:1000], batch_size=500)
    assert record["machine"]["load_average_before"] is not None
