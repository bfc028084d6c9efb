"""The reproducible training command, end to end on small configurations."""

import json
import subprocess
import sys

import numpy as np

from cnnlib.train import RECIPES, build_network


def run_training_command(tmp_path, name, epochs, train_size, test_size):
    """Run ``python -m cnnlib.train NAME`` on a small configuration; return (record, trained, initial)."""
    out = tmp_path / f"{name}.npz"
    cmd = [sys.executable, "-m", "cnnlib.train", name, "--epochs", str(epochs), "--train-size", str(train_size),
           "--test-size", str(test_size), "--out", str(out), "--no-progress"]
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
