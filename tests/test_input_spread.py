"""cnnlib.evaluate.input_spread: how much a layer's output changes across images, with no offset in it
(7.7's control for input_dependence, which divides by the mean |output| and so penalises sigmoid's 0.5)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cnnlib import LeNet
from cnnlib.evaluate import input_dependence, input_spread, layer_outputs


def spread_by_loops(outputs):
    """The definition written out: per unit, the population standard deviation over the images; mean."""
    a = np.asarray(outputs, dtype=np.float64).reshape(len(outputs), -1)
    n, units = a.shape
    total = 0.0
    for u in range(units):
        mean = sum(a[i, u] for i in range(n)) / n
        total += (sum((a[i, u] - mean) ** 2 for i in range(n)) / n) ** 0.5
    return total / units


outputs = arrays(np.float64, st.tuples(st.integers(2, 6), st.integers(1, 4), st.integers(1, 3)),
                 elements=st.floats(-50, 50))


@settings(max_examples=40, deadline=None)
@given(outputs, st.floats(-100, 100), st.floats(-4, 4))
def test_matches_the_definition_ignores_offsets_and_scales_with_the_outputs(a, offset, scale):
    s = input_spread(a)
    assert s == pytest.approx(spread_by_loops(a), rel=1e-9, abs=1e-9)
    assert input_spread(a + offset) == pytest.approx(s, rel=1e-7, abs=1e-7)
    assert input_spread(scale * a) == pytest.approx(abs(scale) * s, rel=1e-7, abs=1e-7)


def test_sigmoid_and_its_tanh_form_give_the_same_spread_where_input_dependence_does_not():
    z = np.random.default_rng(0).normal(0, 0.3, (100, 6, 24, 24))  # near 0, as in an untrained layer
    sigmoid = 1 / (1 + np.exp(-z))
    tanh_form = (1 + np.tanh(z / 2)) / 2  # the same function, computed another way
    assert input_spread(sigmoid) == pytest.approx(input_spread(tanh_form), rel=1e-12)
    # 2σ − 1 carries the same information: twice the spread; the old measure jumps instead
    assert input_spread(2 * sigmoid - 1) == pytest.approx(2 * input_spread(sigmoid), rel=1e-12)
    assert input_dependence(2 * sigmoid - 1) > 3 * input_dependence(sigmoid)


def test_lenet_before_training_sigmoid_falls_off_tanh_does_not():
    """7.7's measurement with this control, on images of noise instead of MNIST digits: every
    sigmoid layer spreads less than the one before it and far less than tanh's."""
    x = np.random.default_rng(1).uniform(0, 1, (40, 1, 28, 28)).astype(np.float32)
    points = ("Act1", "Act3", "Act5", "Act6")
    sigmoid = [input_spread(layer_outputs(LeNet("sigmoid", "average", seed=0), x)[k]) for k in points]
    tanh = [input_spread(layer_outputs(LeNet("tanh", "average", seed=0), x)[k]) for k in points]
    assert all(a > b for a, b in zip(sigmoid, sigmoid[1:]))
    assert all(s < t / 2 for s, t in zip(sigmoid, tanh))


def test_one_image_is_a_clear_error():
    with pytest.raises(ValueError, match=r"at least 2 images, shaped \(N, \.\.\.\); got shape \(1, 5\)"):
        input_spread(np.zeros((1, 5)))
    with pytest.raises(ValueError, match=r"got shape \(5,\)"):
        input_spread(np.zeros(5))
