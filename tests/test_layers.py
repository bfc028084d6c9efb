"""Layers: the book's worked numbers, loops as reference (float64 and float32),
numerical gradient checks of every input and parameter, and clear errors."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st, reject

from cnnlib import (
    LRN, Affine, Convolution, Dropout, Pooling, Relu, Sigmoid, SoftmaxWithLoss, Tanh, numerical_gradient,
    relative_error,
)
from cnnlib.fast_layers import FastPooling
from cnnlib.reference import (
    conv_backward_loops, conv_forward_loops, lrn_forward_loops, pool_backward_loops, pool_forward_loops,
    window_starts,
)

BOOK_X = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]], dtype=float).reshape(1, 1, 4, 4)
BOOK_W = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]], dtype=float).reshape(1, 1, 3, 3)


# ---- the book's worked numbers (그림 7-3, 7-5, 7-6, 7-14) ------------------------------------

def test_book_convolution_example():
    out = Convolution(BOOK_W, np.zeros(1)).forward(BOOK_X)
    assert out[0, 0].tolist() == [[15, 16], [6, 15]]


def test_book_convolution_with_bias():
    out = Convolution(BOOK_W, np.array([3.0])).forward(BOOK_X)
    assert out[0, 0].tolist() == [[18, 19], [9, 18]]


def test_book_convolution_with_padding():
    out = Convolution(BOOK_W, np.zeros(1), pad=1).forward(BOOK_X)
    assert out.shape == (1, 1, 4, 4)
    assert out[0, 0].tolist() == [[7, 12, 10, 2], [4, 15, 16, 10], [10, 6, 15, 6], [8, 10, 4, 3]]


def test_book_max_pooling_example():
    x = np.array([[1, 2, 1, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 4, 0, 1]], dtype=float).reshape(1, 1, 4, 4)
    assert Pooling(2, 2, stride=2).forward(x)[0, 0].tolist() == [[2, 3], [4, 2]]
    assert Pooling(2, 2, stride=2, method="average").forward(x)[0, 0].tolist() == [[1, 1.5], [2.25, 1]]


# ---- against the loops, random shapes ----------------------------------------------------------

@st.composite
def conv_cases(draw):
    n, c, fn = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    fh, fw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride, pad, dil = draw(st.integers(1, 3)), draw(st.integers(0, 2)), draw(st.integers(1, 2))
    sh, sw = dil * (fh - 1) + 1, dil * (fw - 1) + 1
    if not window_starts(h + 2 * pad, sh, stride) or not window_starts(w + 2 * pad, sw, stride):
        reject()
    if (h + 2 * pad - sh) % stride or (w + 2 * pad - sw) % stride:
        reject()  # the book's exact mode; floor mode is covered by the im2col tests
    return (n, c, h, w), (fn, c, fh, fw), stride, pad, dil


TOL = {np.float64: dict(rtol=1e-10, atol=1e-10), np.float32: dict(rtol=2e-4, atol=2e-4)}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@settings(max_examples=60, deadline=None)
@given(case=conv_cases(), seed=st.integers(0, 2**32 - 1))
def test_convolution_forward_backward_match_loops(dtype, case, seed):
    xs, ws, stride, pad, dil = case
    rng = np.random.default_rng(seed)
    x, W = rng.standard_normal(xs).astype(dtype), rng.standard_normal(ws).astype(dtype)
    b = rng.standard_normal(ws[0]).astype(dtype)
    layer = Convolution(W, b, stride, pad, dil)
    out = layer.forward(x)
    assert out.dtype == dtype
    ref = conv_forward_loops(x.astype(float), W.astype(float), b.astype(float), stride, pad, dil)
    np.testing.assert_allclose(out, ref, **TOL[dtype])
    dout = rng.standard_normal(out.shape).astype(dtype)
    dx = layer.backward(dout)
    rdx, rdW, rdb = conv_backward_loops(x.astype(float), W.astype(float), dout.astype(float), stride, pad, dil)
    assert dx.dtype == dtype and layer.dW.dtype == dtype
    np.testing.assert_allclose(dx, rdx, **TOL[dtype])
    np.testing.assert_allclose(layer.dW, rdW, **TOL[dtype])
    np.testing.assert_allclose(layer.db, rdb, **TOL[dtype])


@st.composite
def pool_cases(draw):
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    ph, pw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride, pad = draw(st.integers(1, 3)), draw(st.integers(0, 1))
    if not window_starts(h + 2 * pad, ph, stride) or not window_starts(w + 2 * pad, pw, stride):
        reject()
    if (h + 2 * pad - ph) % stride or (w + 2 * pad - pw) % stride:
        reject()
    return (n, c, h, w), ph, pw, stride, pad


@pytest.mark.parametrize("Layer", [Pooling, FastPooling])
@pytest.mark.parametrize("method", ["max", "average"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@settings(max_examples=40, deadline=None)
@given(case=pool_cases(), seed=st.integers(0, 2**32 - 1))
def test_pooling_forward_backward_match_loops(Layer, method, dtype, case, seed):
    xs, ph, pw, stride, pad = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(xs).astype(dtype)
    layer = Layer(ph, pw, stride, pad, method=method)
    out = layer.forward(x)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, pool_forward_loops(x, ph, pw, stride, pad, method), **TOL[dtype])
    dout = rng.standard_normal(out.shape).astype(dtype)
    dx = layer.backward(dout)
    assert dx.dtype == dtype
    np.testing.assert_allclose(dx, pool_backward_loops(x, dout, ph, pw, stride, pad, method), **TOL[dtype])


# ---- numerical gradient checks (float64) ------------------------------------------------------

def check_gradients(forward_loss, analytic, arrays, tol=1e-6):
    """Compare analytic gradients with central differences for every named array."""
    for name, arr in arrays.items():
        num = numerical_gradient(lambda _: forward_loss(), arr)
        err = relative_error(analytic()[name], num)
        assert err < tol, f"gradient of {name}: relative error {err:.2e}"


@pytest.mark.parametrize("stride, pad, dil", [(1, 0, 1), (2, 1, 1), (1, 1, 2)])
def test_convolution_gradient_check(stride, pad, dil):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 7, 7))
    layer = Convolution(rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4), stride, pad, dil)
    proj = rng.standard_normal(layer.forward(x).shape)  # loss = sum(out * proj), so dout = proj

    def loss():
        return np.sum(layer.forward(x) * proj)

    def grads():
        dx = layer.backward(proj)
        return {"x": dx, "W": layer.dW, "b": layer.db}

    loss()
    check_gradients(loss, grads, {"x": x, "W": layer.W, "b": layer.b})


@pytest.mark.parametrize("Layer", [Pooling, FastPooling])
@pytest.mark.parametrize("method", ["max", "average"])
def test_pooling_gradient_check(Layer, method):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 2, 6, 6))
    layer = Layer(2, 2, stride=2, method=method)
    proj = rng.standard_normal((2, 2, 3, 3))

    def loss():
        return np.sum(layer.forward(x) * proj)

    check_gradients(loss, lambda: (loss(), {"x": layer.backward(proj)})[1], {"x": x})


def test_affine_accepts_4d_and_gradient_check():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 2, 4, 4))
    layer = Affine(rng.standard_normal((32, 5)), rng.standard_normal(5))
    proj = rng.standard_normal((3, 5))

    def loss():
        return np.sum(layer.forward(x) * proj)

    def grads():
        loss()
        dx = layer.backward(proj)
        assert dx.shape == x.shape  # the 4-D shape comes back
        return {"x": dx, "W": layer.dW, "b": layer.db}

    check_gradients(loss, grads, {"x": x, "W": layer.W, "b": layer.b})


@pytest.mark.parametrize("layer_cls", [Relu, Sigmoid, Tanh])
def test_activation_gradient_check(layer_cls):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4, 6))
    x[np.abs(x) < 1e-3] = 0.5  # keep ReLU's kink away from the difference step
    layer = layer_cls()
    proj = rng.standard_normal(x.shape)
    check_gradients(lambda: np.sum(layer.forward(x) * proj),
                    lambda: (layer.forward(x), {"x": layer.backward(proj)})[1], {"x": x})


@pytest.mark.parametrize("one_hot_labels", [False, True])
def test_softmax_with_loss_gradient_check(one_hot_labels):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 10))
    t = rng.integers(0, 10, 4)
    if one_hot_labels:
        t = np.eye(10)[t]
    layer = SoftmaxWithLoss()
    check_gradients(lambda: layer.forward(x, t), lambda: (layer.forward(x, t), {"x": layer.backward()})[1], {"x": x})
    y = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    labels = t.argmax(axis=1) if one_hot_labels else t
    assert layer.forward(x, t) == pytest.approx(-np.mean(np.log(y[np.arange(4), labels])), rel=1e-12)


def test_softmax_with_loss_is_exact_for_confident_mistakes():
    # y_t = e^-50: the book's -log(y_t + 1e-7) would give 16.1; the true loss is 50
    layer = SoftmaxWithLoss()
    assert layer.forward(np.array([[50.0, 0.0]]), np.array([1])) == pytest.approx(50.0, rel=1e-12)


def test_dropout_masks_and_gradient():
    x = np.random.default_rng(6).standard_normal((50, 40))
    layer = Dropout(0.3, seed=0)
    out = layer.forward(x)
    kept = layer.mask.mean()
    assert 0.65 < kept < 0.75
    np.testing.assert_array_equal(out, x * layer.mask)
    proj = np.random.default_rng(7).standard_normal(x.shape)
    mask = layer.mask.copy()
    layer.mask = mask

    def loss():  # the same mask every time: differentiate the masked function
        return np.sum(x * mask * proj)

    check_gradients(loss, lambda: {"x": layer.backward(proj)}, {"x": x})
    np.testing.assert_allclose(layer.forward(x, train_flg=False), x * 0.7)
    assert np.array_equal(Dropout(0.3, seed=0).forward(x), out)  # seeded: reproducible


@pytest.mark.parametrize("n, channels", [(5, 7), (3, 2), (1, 4), (5, 12), (4, 7), (2, 3), (6, 4)])
def test_lrn_matches_loops_and_gradient_check(n, channels):
    rng = np.random.default_rng(10)
    # activations of AlexNet's size (tens) so the normalisation really changes them
    x = 30 * rng.standard_normal((2, channels, 3, 3))
    layer = LRN(n=n)
    out = layer.forward(x)
    np.testing.assert_allclose(out, lrn_forward_loops(x, n=n), rtol=1e-12)
    assert not np.allclose(out, x / 2**0.75)  # the neighbours matter
    proj = rng.standard_normal(x.shape)
    check_gradients(lambda: np.sum(layer.forward(x) * proj),
                    lambda: (layer.forward(x), {"x": layer.backward(proj)})[1], {"x": x})


def test_lrn_float32_and_constants():
    layer = LRN()
    assert (layer.k, layer.n, layer.alpha, layer.beta) == (2.0, 5, 1e-4, 0.75)  # AlexNet's constants
    x = np.ones((1, 3, 2, 2), dtype=np.float32)
    assert layer.forward(x).dtype == np.float32 and layer.backward(x).dtype == np.float32


# ---- clear errors -------------------------------------------------------------------------------

def test_errors_are_clear():
    W, b = np.zeros((2, 3, 3, 3)), np.zeros(2)
    with pytest.raises(ValueError, match=r"4-D input \(N, C, H, W\); got shape \(7, 7\).*reshape\(1, 1, 7, 7\)"):
        Convolution(W, b).forward(np.zeros((7, 7)))
    with pytest.raises(ValueError, match="Channel mismatch: the input has C=1 channels"):
        Convolution(W, b).forward(np.zeros((1, 1, 7, 7)))
    with pytest.raises(ValueError, match="remainder"):
        Convolution(W, b, stride=3).forward(np.zeros((1, 3, 7, 7)))
    with pytest.raises(ValueError, match="stride must be at least 1"):
        Convolution(W, b, stride=0)
    with pytest.raises(ValueError, match="pad must be 0 or more"):
        Convolution(W, b, pad=-1)
    with pytest.raises(ValueError, match="larger than the padded input"):
        Convolution(W, b).forward(np.zeros((1, 3, 2, 2)))
    with pytest.raises(ValueError, match="one bias per filter"):
        Convolution(W, np.zeros(3))
    with pytest.raises(ValueError, match="expects 12 input features"):
        Affine(np.zeros((12, 2)), np.zeros(2)).forward(np.zeros((2, 3, 2, 3)))
    with pytest.raises(ValueError, match="method must be 'max' or 'average'"):
        Pooling(2, 2, method="min")
    with pytest.raises(ValueError, match="Pooling output height is not a whole number"):
        Pooling(2, 2, stride=2).forward(np.zeros((1, 1, 5, 4)))


def test_floor_mode_layers_match_frameworks_convention():
    x = np.random.default_rng(8).standard_normal((1, 1, 7, 7))
    W = np.random.default_rng(9).standard_normal((1, 1, 3, 3))
    out = Convolution(W, np.zeros(1), stride=3, floor=True).forward(x)
    assert out.shape == (1, 1, 2, 2)
    np.testing.assert_allclose(out, conv_forward_loops(x, W, np.zeros(1), stride=3))


# ---- what a learner types: integers, nested lists, empty batches

def test_integer_inputs_as_in_the_books_figures_are_computed_in_float():
    x = np.arange(16).reshape(1, 1, 4, 4)                      # integers, as in 그림 7-14
    avg = Pooling(2, 2, 2, method="average").forward(x)
    assert avg.dtype == np.float64 and avg[0, 0].tolist() == [[2.5, 4.5], [10.5, 12.5]]
    mx = Pooling(2, 2, 2)
    assert mx.forward(x)[0, 0].tolist() == [[5, 7], [13, 15]]
    assert mx.backward(np.ones((1, 1, 2, 2)))[0, 0].tolist() == [[0, 0, 0, 0], [0, 1, 0, 1]] * 2
    W = BOOK_W.astype(int)                                     # integer filter, float bias
    conv = Convolution(W, np.array([0.5]))
    out = conv.forward(BOOK_X.astype(int))
    assert out.dtype == np.float64 and out[0, 0].tolist() == [[15.5, 16.5], [6.5, 15.5]]
    dx = conv.backward(np.ones_like(out))
    np.testing.assert_allclose(dx, conv_backward_loops(BOOK_X, BOOK_W, np.ones((1, 1, 2, 2)))[0])
    assert Sigmoid().forward(np.array([0, 1]))[0] == 0.5       # not cast back to integer zeros


def test_nested_lists_are_accepted_like_arrays():
    x = BOOK_X[0, 0].tolist()
    out = Convolution(BOOK_W, np.zeros(1)).forward([[x]])
    assert out[0, 0].tolist() == [[15, 16], [6, 15]]
    assert Pooling(2, 2, 2).forward([[x]]).shape == (1, 1, 2, 2)
    assert Relu().forward([[-1.0, 2.0]]).tolist() == [[0.0, 2.0]]
    assert Affine(np.ones((2, 3)), np.zeros(3)).forward([[1.0, 2.0]]).tolist() == [[3.0, 3.0, 3.0]]


def test_empty_batches_flow_through_and_the_loss_refuses_them_clearly():
    conv = Convolution(np.ones((2, 1, 3, 3)), np.zeros(2))
    affine = Affine(np.ones((8, 3)), np.zeros(3))
    h = conv.forward(np.zeros((0, 1, 4, 4)))
    assert h.shape == (0, 2, 2, 2)
    for pool in (Pooling(2, 2, stride=2), Pooling(2, 2, stride=1, method="average")):  # issue 25.6
        p = pool.forward(np.zeros((0, 3, 4, 4)))
        assert pool.backward(np.zeros_like(p)).shape == (0, 3, 4, 4)
    y = affine.forward(h)
    assert y.shape == (0, 3)
    assert affine.backward(np.zeros((0, 3))).shape == (0, 2, 2, 2)
    with pytest.raises(ValueError, match="N >= 1.*empty batch"):
        SoftmaxWithLoss().forward(y, np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match=r"Labels t must be integers of shape \(2,\)"):
        SoftmaxWithLoss().forward(np.zeros((2, 3)), np.zeros(3, dtype=int))


@pytest.mark.parametrize("shape, hint", [
    ((100, 784), "load_mnist(flatten=False) or use x.reshape(-1, 1, 28, 28)"),
    ((28, 28), "x.reshape(1, 1, 28, 28)"),
    ((3, 28, 28), "x[np.newaxis]"),
])
def test_wrong_dimension_hints_lead_somewhere_that_works(shape, hint):
    conv = Convolution(np.ones((2, 1, 5, 5)), np.zeros(2))
    with pytest.raises(ValueError, match="4-D input") as e:
        conv.forward(np.zeros(shape))
    assert hint in str(e.value)
    if shape == (100, 784):  # following the hint works
        assert conv.forward(np.zeros(shape).reshape(-1, 1, 28, 28)).shape == (100, 2, 24, 24)


@pytest.mark.parametrize("labels, wrong", [([0, -1], "-1"), ([3, 1], "3"), ([0, 10], "10")])
def test_labels_outside_the_classes_are_refused(labels, wrong):
    """-1 would silently be the last class (numpy's negative index); 3 of 3 classes an IndexError."""
    with pytest.raises(ValueError, match=f"class numbers 0 to 2 for 3 scores per sample; got {wrong}"):
        SoftmaxWithLoss().forward(np.zeros((2, 3)), np.array(labels))
    with pytest.raises(ValueError, match="whole class numbers .int.; got float64. Use t.astype.int."):
        SoftmaxWithLoss().forward(np.zeros((2, 3)), np.array([0.0, 1.0]))
    assert SoftmaxWithLoss().forward(np.zeros((2, 3)), np.array([2, 0], dtype=np.uint8)) == pytest.approx(np.log(3))


@pytest.mark.parametrize("Layer", [Pooling, FastPooling])
@pytest.mark.parametrize("geometry", [(2, 2, 2), (3, 3, 2), (2, 2, 1), (3, 2, 3)])
def test_a_nan_in_a_max_pooling_window_wins_it(Layer, geometry):
    """One rule for the book's layer and the fast one (np.argmax's): a window with a NaN outputs NaN and
    sends its gradient to its first NaN in reading order, the other windows as before."""
    ph, pw, stride = geometry
    rng = np.random.default_rng(sum(geometry))
    x = rng.standard_normal((2, 3, 7, 8))
    x[rng.random(x.shape) < 0.08] = np.nan
    layer = Layer(ph, pw, stride=stride, floor=True)
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout.copy())
    expected = np.zeros_like(x)
    for n, c, i, j in np.ndindex(out.shape):
        window = x[n, c, i * stride : i * stride + ph, j * stride : j * stride + pw]
        nans = np.flatnonzero(np.isnan(window))
        k = nans[0] if nans.size else np.argmax(window)
        assert np.isnan(out[n, c, i, j]) == bool(nans.size)
        expected[n, c, i * stride + k // pw, j * stride + k % pw] += dout[n, c, i, j]
    assert np.isnan(x).any() and np.isnan(out).any()
    np.testing.assert_allclose(dx, expected, rtol=1e-12)
