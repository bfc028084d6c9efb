"""Parameter files: a file loads only into the network it was saved from, loading is all or nothing,
and a damaged, empty or pickle file is refused with its name and what to do."""

import json
import zipfile

import numpy as np
import pytest

from cnnlib import LeNet, SimpleConvNet
from cnnlib.network import ARCH_KEY
from cnnlib.paths import params_dir


def small_net(seed=0, **kw):
    args = dict(input_dim=(1, 8, 8), conv_param={"filter_num": 3, "filter_size": 3}, hidden_size=6, seed=seed)
    return SimpleConvNet(**{**args, **kw})


def snapshot(net):
    return {k: v.copy() for k, v in net.params.items()}


def assert_unchanged(net, before):
    for k, v in before.items():
        np.testing.assert_array_equal(net.params[k], v, err_msg=f"{k} was changed by a failed load")


@pytest.mark.parametrize("file, network_args, differ", [
    ("lenet_modern.npz", {"activation": "sigmoid", "pooling": "average"}, "activation, pooling"),
    ("lenet_1998.npz", {"activation": "relu", "pooling": "max"}, "activation, pooling"),
    ("lenet_modern.npz", {"activation": "relu", "pooling": "average"}, "pooling"),
])
def test_a_shipped_file_refuses_a_network_of_the_same_shapes_but_another_architecture(file, network_args, differ):
    net = LeNet(**network_args, seed=0)
    before = snapshot(net)
    with pytest.raises(ValueError, match="saved from a different network") as e:
        net.load_params(params_dir() / file)
    msg = str(e.value)
    assert f"({differ} differ)" in msg
    assert "file:    activation=" in msg and "network: activation=" in msg  # both descriptions
    assert_unchanged(net, before)


def test_the_matching_network_loads_the_shipped_file():
    net = LeNet("relu", "max")
    arch = net.load_params(params_dir() / "lenet_modern.npz")
    assert arch["activation"] == "relu" and arch["pooling"] == "max"


def _save_with(path, params, architecture=None):
    extra = {} if architecture is None else {ARCH_KEY: np.array(json.dumps(architecture))}
    np.savez(path, **extra, **params)


def test_a_bad_array_half_way_leaves_every_parameter_untouched(tmp_path):
    src = small_net(seed=1)
    params = snapshot(src)
    params["W3"] = params["W3"].astype(np.complex64)            # a bad dtype in W3, after W1, b1, W2, b2
    _save_with(tmp_path / "bad.npz", params, src.architecture)
    net = small_net(seed=2)
    before = snapshot(net)
    with pytest.raises(ValueError, match="W3 holds complex64 numbers"):
        net.load_params(tmp_path / "bad.npz")
    assert_unchanged(net, before)

    params = snapshot(src)
    params["b3"] = np.full_like(params["b3"], np.nan)
    _save_with(tmp_path / "nan.npz", params, src.architecture)
    with pytest.raises(ValueError, match="b3 contains NaN"):
        net.load_params(tmp_path / "nan.npz")
    assert_unchanged(net, before)


def test_a_file_without_architecture_is_checked_by_shapes(tmp_path):
    src = small_net(seed=1)
    _save_with(tmp_path / "arrays.npz", snapshot(src))
    net = small_net(seed=2)
    assert net.load_params(tmp_path / "arrays.npz") is None
    np.testing.assert_array_equal(net.params["W2"], src.params["W2"])
    with pytest.raises(ValueError, match=r"W2 has shape \(27, 6\) in the file but \(27, 7\)"):
        small_net(hidden_size=7).load_params(tmp_path / "arrays.npz")


@pytest.mark.parametrize("damage", ["empty", "truncated", "not_zip", "zip_without_arrays"])
def test_a_damaged_file_is_named_with_what_to_do(tmp_path, damage):
    good = tmp_path / "good.npz"
    small_net(seed=1).save_params(good)
    path = tmp_path / f"{damage}.npz"
    data = good.read_bytes()
    if damage == "empty":
        path.write_bytes(b"")
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "not_zip":
        path.write_bytes(b"<html>404 Not Found</html>")
    else:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("W1.npy", b"garbage")
    net = small_net(seed=2)
    before = snapshot(net)
    with pytest.raises(ValueError) as e:
        net.load_params(path)
    msg = str(e.value)
    assert str(path) in msg and "Cannot read parameters" in msg
    assert "save_params()" in msg and "tasks.py train" in msg
    assert_unchanged(net, before)


def test_the_books_pickle_file_gets_an_explanation_not_an_unpickling(tmp_path):
    path = tmp_path / "params.pkl"
    path.write_bytes(b"\x80\x04\x95" + b"\x00" * 20)             # a pickle's first bytes; never unpickled
    with pytest.raises(ValueError) as e:
        small_net().load_params(path)
    msg = str(e.value)
    assert "pickle file" in msg and "never loads pickle" in msg and "np.savez('params.npz'" in msg
