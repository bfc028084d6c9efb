"""cnnlib.shuffled_pixels: notebook 7.1's shuffled-pixels experiment and its shipped record."""

import os

import numpy as np
import pytest

from cnnlib import shuffled_pixels as sp
from cnnlib.mnist import load_mnist


@pytest.fixture(scope="module")
def mnist():
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, flatten=True)
    return x_train, t_train, x_test, t_test


def test_shared_start_trains_the_shuffle_of_the_original(mnist, monkeypatch):
    """With the first weights' rows shuffled like the pixels and the same mini-batches, every update is the
    original's shuffled: same weights (rows shuffled), same accuracy. A small run: 300 images, 1 epoch."""
    monkeypatch.setitem(sp.SETTINGS, "train_images", 300)
    monkeypatch.setitem(sp.SETTINGS, "epochs", 1)
    x_train, t_train, x_test, t_test = mnist
    perm = np.random.default_rng(3).permutation(784)
    result = sp.shared_start(x_train, t_train, x_test[:500], t_test[:500], perm)
    assert result["same_weights"] is True and result["original"] == result["shuffled"]
    # the control: weights started afresh do not correspond
    fresh = sp.AffineNet(0, rows=None).params["W1"]
    assert not np.allclose(sp.AffineNet(0, rows=perm).params["W1"], fresh)


@pytest.mark.skipif(os.environ.get("OPENBLAS_NUM_THREADS") != "1",
                    reason="a full MNIST training: run in the single-threaded first pass of tasks.py test, where it takes about a second")
def test_record_matches_a_rerun_of_seed_0(mnist):
    """The shipped record is what the code gives: seed 0's original-image run, retrained (one training)."""
    record = sp.load_record()
    assert record["settings"] == sp.SETTINGS and len(record["seeds"]) == sp.SETTINGS["seeds"]
    x_train, t_train, x_test, t_test = mnist
    n = sp.SETTINGS["train_images"]
    acc = sp.trained_accuracy(sp.AffineNet(0), x_train[:n].astype(np.float64), t_train[:n],
                              x_test.astype(np.float64), t_test, seed=0)
    # BLAS kernels may flip a borderline test image or two (1 image = 0.0001)
    assert acc == pytest.approx(record["seeds"][0]["original"], abs=0.0005)
    assert record["shared_start"]["original"] == record["seeds"][0]["original"]   # the same run
    assert record["shared_start"]["same_weights"] is True


def test_missing_record_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m cnnlib.shuffled_pixels"):
        sp.load_record(tmp_path)
