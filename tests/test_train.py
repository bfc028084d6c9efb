"""The reproducible training command, end to end on a small configuration."""

import json
import subprocess
import sys

import numpy as np

from cnnlib.train import RECIPES, build_network


def test_training_command_small_run(tmp_path):
    out = tmp_path / "s.npz"
    cmd = [sys.executable, "-m", "cnnlib.train", "simple_convnet", "--epochs", "2", "--train-size", "2000",
           "--test-size", "500", "--out", str(out), "--no-progress"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["settings"]["epochs"] == 2 and record["train_size"] == 2000 and record["test_size"] == 500
    assert record["history"]["epoch"] == [1, 2]
    assert record["test_accuracy"] > 0.8  # 2,000 images, 2 epochs: well above chance (0.1)
    net = build_network(RECIPES["simple_convnet"])
    net.load_params(out)
    assert np.any(net.params["W1"] != build_network(RECIPES["simple_convnet"]).params["W1"])


def test_unknown_recipe_is_a_clear_error():
    done = subprocess.run([sys.executable, "-m", "cnnlib.train", "resnet"], capture_output=True, text=True)
    assert done.returncode != 0 and "invalid choice: 'resnet'" in done.stderr


def test_training_command_runs_the_deep_network_end_to_end(tmp_path):
    """7.6's deeper network: the same command, a tiny run (its shipped run takes about an hour)."""
    out = tmp_path / "d.npz"
    cmd = [sys.executable, "-m", "cnnlib.train", "deep_convnet", "--epochs", "1", "--train-size", "300",
           "--test-size", "100", "--out", str(out), "--no-progress"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["recipe"] == "deep_convnet" and record["train_size"] == 300 and record["history"]["epoch"] == [1]
    assert np.isfinite(record["history"]["train_loss"]).all()
    net, start = build_network(RECIPES["deep_convnet"]), build_network(RECIPES["deep_convnet"])
    net.load_params(out)
    # every layer's weights moved away from the recipe's initial weights
    assert all(np.any(net.params[k] != start.params[k]) for k in net.params if k.startswith("W"))
