"""The shipped trained parameters load into their networks and score what their records say."""

import json
from dataclasses import asdict

import pytest

from cnnlib import load_mnist
from cnnlib.paths import params_dir
from cnnlib.train import RECIPES, load_record, load_trained

SHIPPED = sorted(p.stem for p in params_dir().glob("*.npz"))
# What each shipped file must reach on the full 10,000-image test set (the issues' bars).
REQUIRED = {"simple_convnet": 0.990, "simple_convnet_fast": 0.990, "deep_convnet": 0.990, "lenet_book": 0.98,
            "lenet_modern": 0.99, "simple_convnet_book": 0.985}   # the book's own settings; the book reports 98.96 %

@pytest.fixture(scope="module")
def test_set():
    _, (x_test, t_test) = load_mnist(normalize=True, flatten=False)
    return x_test, t_test

def test_simple_convnet_is_shipped():
    assert "simple_convnet" in SHIPPED

@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_parameters_score_their_recorded_accuracy(name, test_set):
    x_test, t_test = test_set
    record = load_record(name)
    assert record["recipe"] == name and record["test_size"] == 10_000 and record["train_size"] == 60_000
    assert record["settings"]["network"] == RECIPES[name].network
    net = load_trained(name)   # float32 with the fast layers, as the training run evaluated it
    # All 10,000 images. Batches of 100: DeepConvNet's im2col matrices of a 500-image batch (227 MB for one
    # layer) do not fit any cache, and took 2.4 times the CPU time of batches of 100 here.
    accuracy = net.accuracy(x_test, t_test, batch_size=100)
    # the same arrays and data give the same predictions; allow 2 images of float-order difference (the record
    # was measured with the training machine's BLAS threads and batching, this with whatever runs the test)
    assert abs(accuracy - record["test_accuracy"]) <= 2e-4, (accuracy, record["test_accuracy"])
    assert accuracy >= REQUIRED.get(name, 0.0)

def test_fast_recipe_reaches_99_percent_within_3_epochs_for_every_recorded_seed():
    """Issue 30: simple_convnet_fast, as the recipe stands, gave >= 99.0 % of all 10,000 test images after at
    most 3 epochs for each of at least 5 seeds (bench/bench_time_to_99.py --record); the shipped files are
    that record's run of the recipe's own seed."""
    recipe = RECIPES["simple_convnet_fast"]
    seeds = load_record("simple_convnet_fast_seeds")
    runs = seeds["runs"]
    assert (seeds["goal_accuracy"], seeds["goal_epochs"]) == (0.99, 3) and recipe.epochs <= 3
    assert len({r["seed"] for r in runs}) == len(runs) >= 5
    for r in runs:
        assert r["epochs"] == recipe.epochs and r["steps"] == recipe.epochs * 60_000 // recipe.batch_size, r
        assert r["test_accuracy"] >= 0.99, r
    shipped = load_record("simple_convnet_fast")
    assert shipped["settings"] == json.loads(json.dumps(asdict(recipe)))  # trained with today's recipe
    own = next(r for r in runs if r["seed"] == recipe.seed)
    assert (own["test_accuracy"], own["training_seconds"]) == (shipped["test_accuracy"], shipped["wall_seconds"])

def test_loading_into_the_wrong_network_names_both_architectures(tmp_path):
    from cnnlib import SimpleConvNet

    small = SimpleConvNet(hidden_size=50)
    with pytest.raises(ValueError, match=r"(?s)\(hidden_size differ\).*file: .*hidden_size=100.*network: .*hidden_size=50"):
        small.load_params(params_dir() / "simple_convnet.npz")
