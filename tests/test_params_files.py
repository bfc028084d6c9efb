"""Parameter files: a file loads only into the network it was saved from, loading is all or nothing,
a damaged, empty or pickle file is refused with its name and what to do, and saves are atomic: two
processes saving to one path never collide, and a reader never gets a parameter file and a record of
two different runs."""

import json
import multiprocessing
import threading
import zipfile

import numpy as np
import pytest

from cnnlib import LeNet, SimpleConvNet
from cnnlib import params_file
from cnnlib.params_file import ARCH_KEY, load_run, read_record, save_npz_params
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
    ("lenet_book.npz", {"activation": "relu", "pooling": "max"}, "activation, pooling"),
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


@pytest.mark.parametrize("record", [[1, 2], 7, "SimpleConvNet"])
def test_an_architecture_record_that_is_not_settings_is_refused(tmp_path, record):
    net = small_net()
    _save_with(tmp_path / "odd.npz", snapshot(net), record)
    with pytest.raises(ValueError, match=f"the recorded architecture is {type(record).__name__} .*not the settings"):
        net.load_params(tmp_path / "odd.npz")


def test_float64_values_beyond_float32_are_refused_with_the_parameters_name(tmp_path):
    src = small_net()
    params = {k: v.astype(np.float64) for k, v in snapshot(src).items()}
    params["W2"][3, 1] = -1e300
    _save_with(tmp_path / "huge.npz", params, src.architecture)
    net = small_net(seed=2)
    before = snapshot(net)
    with pytest.raises(ValueError, match=r"W2 holds values up to 1e\+300, more than the network's float32"):
        net.load_params(tmp_path / "huge.npz")
    assert_unchanged(net, before)
    small_net(dtype=np.float64).load_params(tmp_path / "huge.npz")  # a float64 network holds them


# ---- concurrent saves ---------------------------------------------------------------------------

SAVES = 40


def _save_many(path, seed, errors):
    net = small_net(seed=seed)
    for _ in range(SAVES):
        try:
            net.save_params(path)
        except Exception as e:  # noqa: BLE001 - every failure is the finding
            errors.put(f"save: {type(e).__name__}: {e}")


def _load_until(path, stop, errors, loads):
    net = small_net(seed=9)
    while not stop.is_set():
        try:
            net.load_params(path)
            loads.value += 1
        except Exception as e:  # noqa: BLE001
            errors.put(f"load: {type(e).__name__}: {e}")


def race(save, load, path):
    """Two processes run ``save(path, seed, errors)`` (seeds 1 and 2) while a third runs
    ``load(path, stop, errors, count)`` until they are done: (every error reported, loads counted)."""
    ctx = multiprocessing.get_context("fork")
    errors, stop, count = ctx.Queue(), ctx.Event(), ctx.Value("i", 0)
    reader = ctx.Process(target=load, args=(path, stop, errors, count))
    writers = [ctx.Process(target=save, args=(path, seed, errors)) for seed in (1, 2)]
    for p in [reader, *writers]:
        p.start()
    for p in writers:
        p.join()
    stop.set()
    reader.join()
    found = []
    while not errors.empty():
        found.append(errors.get())
    return found, count.value


def test_two_processes_saving_to_one_path_while_another_loads_it(tmp_path):
    """Issue 25.4: with one fixed temporary name, two savers deleted and overwrote each other's temporary
    file (FileNotFoundError) and a reader met a half-written zip at the final path."""
    path = tmp_path / "net.npz"
    small_net(seed=0).save_params(path)
    found, loads = race(_save_many, _load_until, path)
    assert found == [] and loads > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.npz"]  # no temporary file left behind
    with np.load(path) as final:                                       # the whole save of one of them
        assert any(np.array_equal(small_net(seed=s).params["W1"], final["W1"]) for s in (1, 2))


def _save_runs(path, seed, errors):
    net = small_net(seed=seed)
    for _ in range(SAVES):
        try:
            save_npz_params(path, net.params, net.architecture, {"seed": seed})
        except Exception as e:  # noqa: BLE001
            errors.put(f"save: {type(e).__name__}: {e}")


def _load_runs(path, stop, errors, pairs):
    net = small_net(seed=9)
    first_weight = {seed: small_net(seed=seed).params["W1"].flat[0] for seed in (1, 2)}
    while not stop.is_set():
        try:
            _, record = load_run(path, net.params, net.architecture)
        except Exception as e:  # noqa: BLE001
            errors.put(f"load: {type(e).__name__}: {e}")
            continue
        if net.params["W1"].flat[0] != first_weight[record["seed"]]:
            errors.put(f"a pair of two runs: the record of seed {record['seed']} with other weights")
        pairs.value += 1


def test_a_reader_never_gets_the_parameters_of_one_run_with_the_record_of_another(tmp_path):
    path = tmp_path / "run.npz"
    net = small_net(seed=1)
    save_npz_params(path, net.params, net.architecture, {"seed": 1})
    found, pairs = race(_save_runs, _load_runs, path)
    assert found == [] and pairs > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json", "run.npz"]


def test_a_record_waits_for_the_second_rename_and_names_a_pair_that_stays_mixed(tmp_path, monkeypatch):
    """The moment between a save's two renames, made to last: the new .npz beside the old .json."""
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    net = small_net(seed=1)
    save_npz_params(a, net.params, net.architecture, {"seed": 1})
    save_npz_params(b, net.params, net.architecture, {"seed": 2})
    b.replace(a)                                             # run 2's parameters, run 1's record
    finish = threading.Timer(0.3, lambda: (tmp_path / "b.json").replace(tmp_path / "a.json"))
    finish.start()
    assert read_record(a)["seed"] == 2                       # waited for the record of its own run
    finish.join()

    save_npz_params(b, net.params, net.architecture, {"seed": 3})
    b.replace(a)                                             # and this time the record never comes
    monkeypatch.setattr(params_file, "PAIR_WAIT_SECONDS", 0.2)
    with pytest.raises(ValueError, match="a.json belongs to another run than a.npz"):
        read_record(a)


def test_an_output_name_without_npz_gets_its_record_beside_it(tmp_path):
    net = small_net()
    written = save_npz_params(tmp_path / "f.v2", net.params, net.architecture, {"note": "x"})
    assert written == tmp_path / "f.v2.npz" and read_record(written)["note"] == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.v2.json", "f.v2.npz"]
