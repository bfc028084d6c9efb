"""The MNIST loader: downloads from loopback mirrors, rejects bad files, keeps the cache clean.

Mechanics (404s, corrupted, truncated and broken downloads, a damaged cache) run on a tiny synthetic
IDX set with its own hashes; the real data is downloaded once per module from a loopback HTTP server
and then shared by the tests of shapes, dtypes, ranges and label counts.
"""

import contextlib
import functools
import gzip
import hashlib
import io
import os
import re
import socket
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import numpy as np
import pytest

import cnnlib
from cnnlib import mnist
from cnnlib.mnist import IdxFile, MNIST_FILES, MnistDownloadError, load_arrays

ROOT = Path(__file__).resolve().parent.parent
NAMES = [spec.name for spec in MNIST_FILES]
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


# ----------------------------------------------------------------------------- loopback mirrors

class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


class _BreakingHandler(_QuietHandler):
    """Announces the full Content-Length, sends half the body and hangs up (a dropped connection)."""

    def copyfile(self, source, outputfile):
        data = source.read()
        outputfile.write(data[: len(data) // 2])
        self.close_connection = True


@contextlib.contextmanager
def serve(folder, handler=_QuietHandler):
    """Serve ``folder`` on a free loopback port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def dead_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def listing(folder: Path) -> list[str]:
    """Every entry of the folder, hidden temporary files included."""
    return sorted(p.name for p in folder.iterdir())


# ----------------------------------------------------------------------------- a synthetic IDX set

def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of a uint8 array (written here independently of the loader)."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + array.tobytes()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory):
    """A tiny dataset with MNIST's file names and layout: (folder of good .gz files, specs, arrays)."""
    rng = np.random.default_rng(3)
    arrays = {"x_train": rng.integers(0, 256, (7, 28, 28), dtype=np.uint8),
              "t_train": rng.integers(0, 10, 7, dtype=np.uint8),
              "x_test": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
              "t_test": rng.integers(0, 10, 3, dtype=np.uint8)}
    folder = tmp_path_factory.mktemp("synthetic-good")
    specs = []
    for real in MNIST_FILES:
        data = idx_bytes(arrays[real.key])
        (folder / real.name).write_bytes(gz(data))
        specs.append(IdxFile(real.key, real.name, arrays[real.key].shape, hashlib.sha256(data).hexdigest()))
    return folder, tuple(specs), arrays


@pytest.fixture(scope="session")
def good_mirror(synthetic):
    with serve(synthetic[0]) as url:
        yield url


def assert_same_arrays(got, expected):
    assert sorted(got) == sorted(expected)
    for key in expected:
        assert got[key].dtype == np.uint8 and np.array_equal(got[key], expected[key]), key


def assert_cache_holds_exactly_the_good_files(cache: Path, good_folder: Path):
    assert listing(cache) == sorted(NAMES + ["mnist.npz"])  # no temporary or rejected file left
    for name in NAMES:
        assert (cache / name).read_bytes() == (good_folder / name).read_bytes(), name


# ----------------------------------------------------------------------------- mechanics

def test_download_into_an_empty_cache_then_load_from_it_offline(synthetic, good_mirror, tmp_path, capsys):
    folder, specs, arrays = synthetic
    cache = tmp_path / "cache"  # does not exist yet
    assert_same_arrays(load_arrays(cache, [good_mirror], specs), arrays)
    assert_cache_holds_exactly_the_good_files(cache, folder)
    log = capsys.readouterr().err
    assert f"downloading {good_mirror}train-images-idx3-ubyte.gz into {cache}" in log
    # A warm cache needs no mirror at all.
    assert_same_arrays(load_arrays(cache, [dead_url()], specs), arrays)
    assert capsys.readouterr().err == ""


def test_a_mirror_answering_404_is_skipped_for_the_next(synthetic, good_mirror, tmp_path, capsys):
    folder, specs, arrays = synthetic
    empty = tmp_path / "empty"
    empty.mkdir()
    cache = tmp_path / "cache"
    with serve(empty) as missing:
        assert_same_arrays(load_arrays(cache, [missing, good_mirror], specs), arrays)
    assert_cache_holds_exactly_the_good_files(cache, folder)
    assert f"{missing}t10k-labels-idx1-ubyte.gz: HTTP 404 File not found; trying the next mirror" \
        in capsys.readouterr().err


def test_corrupted_truncated_and_mixed_up_files_are_rejected(synthetic, good_mirror, tmp_path, capsys):
    folder, specs, arrays = synthetic
    x_train = idx_bytes(arrays["x_train"])
    bad = tmp_path / "bad"  # every file wrong, each in its own way
    bad.mkdir()
    (bad / "train-images-idx3-ubyte.gz").write_bytes(gz(x_train[:-1] + bytes([x_train[-1] ^ 1])))
    good_labels = (folder / "train-labels-idx1-ubyte.gz").read_bytes()
    (bad / "train-labels-idx1-ubyte.gz").write_bytes(good_labels[: len(good_labels) // 2])
    flipped = bytearray((folder / "t10k-images-idx3-ubyte.gz").read_bytes())
    flipped[len(flipped) // 2] ^= 0xFF
    (bad / "t10k-images-idx3-ubyte.gz").write_bytes(bytes(flipped))
    (bad / "t10k-labels-idx1-ubyte.gz").write_bytes(b"<html><body>Wi-Fi login</body></html>")
    mixed = tmp_path / "mixed"  # valid IDX files, but train and test swapped
    mixed.mkdir()
    for a, b in [("train-images", "t10k-images"), ("train-labels", "t10k-labels")]:
        ext = "-idx3-ubyte.gz" if "images" in a else "-idx1-ubyte.gz"
        (mixed / (a + ext)).write_bytes((folder / (b + ext)).read_bytes())
        (mixed / (b + ext)).write_bytes((folder / (a + ext)).read_bytes())

    cache = tmp_path / "cache"
    with serve(bad) as bad_url, serve(mixed) as mixed_url:
        assert_same_arrays(load_arrays(cache, [bad_url, mixed_url, good_mirror], specs), arrays)
    assert_cache_holds_exactly_the_good_files(cache, folder)
    log = capsys.readouterr().err
    assert "train-images-idx3-ubyte.gz: sent a file that failed verification: SHA-256 of the decompressed " \
           "data is" in log
    assert "train-labels-idx1-ubyte.gz: sent a file that failed verification: damaged or truncated" in log
    assert "t10k-labels-idx1-ubyte.gz: sent a file that failed verification: not gzip data (a web page" in log
    assert f"{mixed_url}train-images-idx3-ubyte.gz: sent a file that failed verification: IDX magic " \
           "0x0803, shape (3, 28, 28) instead of IDX magic 0x0803, shape (7, 28, 28)" in log
    assert log.count("failed verification") == 8  # each of the 4 files from both bad mirrors


@pytest.mark.parametrize("content, reason", [
    (lambda idx: gz(idx + b"\0"), "longer than the expected 2368 bytes"),
    (lambda idx: gz(idx[:-5]), "the data ends after 2363 of 2368 bytes"),
    (lambda idx: gz(idx[:2] + b"\x0d" + idx[3:]), "IDX magic 0x0d03, shape (3, 28, 28) instead of IDX magic 0x0803"),
    (lambda idx: b"", "not gzip data; it begins b''"),
])
def test_each_kind_of_wrong_file_is_rejected_with_its_reason(synthetic, tmp_path, content, reason):
    _, specs, arrays = synthetic
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(content(idx_bytes(arrays["x_test"])))
    with pytest.raises(mnist._Rejected, match=re.escape(reason)):
        mnist.read_idx_gz(path, specs[2])


def test_a_dropped_connection_is_rejected_for_the_next_mirror(synthetic, good_mirror, tmp_path, capsys):
    folder, specs, arrays = synthetic
    cache = tmp_path / "cache"
    with serve(folder, _BreakingHandler) as breaking:
        assert_same_arrays(load_arrays(cache, [breaking, good_mirror], specs), arrays)
    assert_cache_holds_exactly_the_good_files(cache, folder)
    size = (folder / "train-images-idx3-ubyte.gz").stat().st_size
    assert f"train-images-idx3-ubyte.gz: the connection broke after {size // 2} of {size} bytes" \
        in capsys.readouterr().err


def test_every_mirror_failing_gives_one_clear_error_and_a_clean_cache(synthetic, tmp_path):
    _, specs, _ = synthetic
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = dead_url()
    no_folder = (tmp_path / "no-such-folder").as_uri() + "/"
    cache = tmp_path / "cache"
    with serve(empty) as missing, pytest.raises(MnistDownloadError) as caught:
        load_arrays(cache, [refused, missing, no_folder], specs)
    message = str(caught.value)
    for name in NAMES:
        assert f"  {name}\n    {refused}{name}: " in message  # what each mirror answered, per file
        assert f"{missing}{name}: HTTP 404 File not found" in message
        assert f"{no_folder}{name}: no such file" in message
        assert f"    {name:<26}  (missing)" in message  # the list of files to place by hand
    assert f"{refused}train-images-idx3-ubyte.gz: connection refused" in message
    assert f"{refused}t10k-labels-idx1-ubyte.gz: not asked again: connection refused" in message
    assert f"put these 4 files into the folder\n  {cache}\n" in message
    assert listing(cache) == []


def test_the_public_loader_raises_the_same_error_without_internet(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNLIB_MNIST_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CNNLIB_MNIST_MIRRORS", dead_url())
    with pytest.raises(MnistDownloadError, match="put these 4 files into the folder"):
        cnnlib.load_mnist()
    assert listing(tmp_path / "cache") == []


def test_a_corrupted_file_in_the_cache_is_detected_and_fetched_again(synthetic, good_mirror, tmp_path, capsys):
    folder, specs, arrays = synthetic
    cache = tmp_path / "cache"
    cache.mkdir()
    for name in NAMES:
        (cache / name).write_bytes((folder / name).read_bytes())
    x_test = bytearray(idx_bytes(arrays["x_test"]))
    x_test[500] ^= 0x10  # one changed pixel in an otherwise valid gzip file
    (cache / "t10k-images-idx3-ubyte.gz").write_bytes(gz(bytes(x_test)))
    assert_same_arrays(load_arrays(cache, [good_mirror], specs), arrays)
    assert_cache_holds_exactly_the_good_files(cache, folder)
    log = capsys.readouterr().err
    assert f"{cache / 't10k-images-idx3-ubyte.gz'} failed verification (SHA-256" in log
    assert log.count("MNIST: downloading") == 1  # only the bad file was fetched again


def _changed_pixel(path, arrays):
    changed = dict(arrays)
    changed["x_train"] = arrays["x_train"].copy()
    changed["x_train"][0, 0, 0] ^= 1
    np.savez(path, **changed)


def _other_shape(path, arrays):
    np.savez(path, **{**arrays, "t_test": arrays["t_test"].astype(np.int64)})


def _truncated(path, arrays):
    path.write_bytes(path.read_bytes()[:1000])


def _pickled_object(path, arrays):
    np.savez(path, **{**arrays, "t_test": np.array([{"not": "data"}], dtype=object)})


@pytest.mark.parametrize("damage", [_changed_pixel, _other_shape, _truncated, _pickled_object])
def test_a_damaged_npz_is_detected_and_rebuilt_from_the_cached_gz_files(synthetic, good_mirror, tmp_path,
                                                                        capsys, damage):
    folder, specs, arrays = synthetic
    cache = tmp_path / "cache"
    load_arrays(cache, [good_mirror], specs)
    damage(cache / "mnist.npz", arrays)
    capsys.readouterr()
    assert_same_arrays(load_arrays(cache, [dead_url()], specs), arrays)  # no download needed
    assert f"{cache / 'mnist.npz'} failed verification" in capsys.readouterr().err
    assert_cache_holds_exactly_the_good_files(cache, folder)
    with np.load(cache / "mnist.npz", allow_pickle=False) as npz:
        assert_same_arrays(dict(npz), arrays)


def test_an_interrupted_download_leaves_nothing_behind(synthetic, good_mirror, tmp_path, monkeypatch):
    _, specs, _ = synthetic

    class InterruptedBar:  # Ctrl+C while the first chunk arrives
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n):
            raise KeyboardInterrupt

    monkeypatch.setattr(mnist, "_progress_bar", lambda total, name: InterruptedBar())
    cache = tmp_path / "cache"
    with pytest.raises(KeyboardInterrupt):
        load_arrays(cache, [good_mirror], specs)
    assert listing(cache) == []


def test_an_unwritable_cache_folder_gets_a_clear_error(synthetic, good_mirror, tmp_path):
    _, specs, _ = synthetic
    (tmp_path / "a-file").write_text("")
    with pytest.raises(OSError, match="cannot create the MNIST cache folder .* Set CNNLIB_MNIST_DIR"):
        load_arrays(tmp_path / "a-file" / "mnist", [good_mirror], specs)


def test_mirror_list_and_cache_folder_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("CNNLIB_MNIST_MIRRORS", raising=False)
    monkeypatch.delenv("CNNLIB_MNIST_DIR", raising=False)
    monkeypatch.delenv("CNNLIB_DATA_DIR", raising=False)
    assert mnist.configured_mirrors() == ("https://ossci-datasets.s3.amazonaws.com/mnist/",
                                          "https://storage.googleapis.com/cvdf-datasets/mnist/")
    assert mnist.mnist_dir() == ROOT / "data" / "mnist"
    monkeypatch.setenv("CNNLIB_MNIST_MIRRORS", " file:///srv/mnist, http://127.0.0.1:8000/a\nhttps://x.org/m/ ")
    assert mnist.configured_mirrors() == ("file:///srv/mnist/", "http://127.0.0.1:8000/a/", "https://x.org/m/")
    monkeypatch.setenv("CNNLIB_MNIST_MIRRORS", "  ")
    assert mnist.configured_mirrors() == mnist.MIRRORS
    monkeypatch.setenv("CNNLIB_MNIST_DIR", str(tmp_path))
    assert mnist.mnist_dir() == tmp_path.resolve()
    for bad in ["/srv/mnist/", "ftp://host/mnist/", "file://srv/mnist/", "http:///mnist/"]:
        monkeypatch.setenv("CNNLIB_MNIST_MIRRORS", bad)
        with pytest.raises(ValueError, match=f"MNIST mirror '{bad}' is not a usable base URL.*file:///"):
            mnist.configured_mirrors()


# ----------------------------------------------------------------------------- the real data

def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in NAMES)


@pytest.fixture(scope="session")
def real_source():
    """A folder holding the four real MNIST .gz files: the file:// mirror of $CNNLIB_MNIST_MIRRORS,
    else ../shared/data/mnist beside the checkout, else the default cache (downloaded if needed)."""
    for base in os.environ.get("CNNLIB_MNIST_MIRRORS", "").replace(",", " ").split():
        parts = urlsplit(base)
        if parts.scheme == "file" and _complete(Path(url2pathname(parts.path))):
            return Path(url2pathname(parts.path))
    shared = ROOT.parent / "shared" / "data" / "mnist"
    if _complete(shared):
        return shared
    try:
        mnist.fetch_files(mnist.mnist_dir(), mnist.MIRRORS)
    except (MnistDownloadError, OSError) as e:
        pytest.fail(
            "These tests need the four real MNIST .gz files and found none. Provide them in one of these "
            "ways: set CNNLIB_MNIST_MIRRORS=file:///folder/with/the/files/ ; put them in "
            f"{shared} ; or run once with internet so they download into {mnist.mnist_dir()}.\n\n{e}",
            pytrace=False)
    return mnist.mnist_dir()


@pytest.fixture(scope="module")
def cold(real_source, tmp_path_factory):
    """load_mnist(normalize=False, flatten=False) into an empty cache from a loopback mirror."""
    cache = tmp_path_factory.mktemp("mnist-cache")
    log = io.StringIO()
    with serve(real_source) as url, pytest.MonkeyPatch.context() as mp, contextlib.redirect_stderr(log):
        mp.setenv("CNNLIB_MNIST_DIR", str(cache))
        mp.setenv("CNNLIB_MNIST_MIRRORS", url)
        data = cnnlib.load_mnist(normalize=False, flatten=False)
    return {"cache": cache, "url": url, "log": log.getvalue(), "data": data, "source": real_source}


def test_real_download_into_an_empty_cache(cold):
    cache = cold["cache"]
    assert listing(cache) == sorted(NAMES + ["mnist.npz"])
    for name in NAMES:
        assert (cache / name).read_bytes() == (cold["source"] / name).read_bytes(), name
        assert f"MNIST: downloading {cold['url']}{name} into {cache}" in cold["log"]
    (x_train, t_train), (x_test, t_test) = cold["data"]
    assert x_train.shape == (60000, 1, 28, 28) and x_test.shape == (10000, 1, 28, 28)
    assert t_train.shape == (60000,) and t_test.shape == (10000,)


def test_real_label_counts_and_pixel_statistics(cold):
    (x_train, t_train), (_, t_test) = cold["data"]
    assert np.bincount(t_train, minlength=10).tolist() == TRAIN_COUNTS
    assert np.bincount(t_test, minlength=10).tolist() == TEST_COUNTS
    mean = x_train.mean(dtype=np.float64) / 255  # no 47M-float temporary: this runs in chunks
    mean_square = np.square(x_train, dtype=np.uint16).mean(dtype=np.float64) / 255**2  # 255**2 fits uint16
    std = np.sqrt(mean_square - mean**2)
    assert round(mean, 4) == 0.1307 and round(std, 4) == 0.3081


@pytest.mark.parametrize("normalize, flatten, one_hot_label",
                         [(True, True, False), (False, False, False), (True, False, True), (False, True, True)])
def test_load_mnist_options(cold, monkeypatch, normalize, flatten, one_hot_label):
    monkeypatch.setenv("CNNLIB_MNIST_DIR", str(cold["cache"]))
    monkeypatch.setenv("CNNLIB_MNIST_MIRRORS", dead_url())  # the warm cache must suffice
    raw = cold["data"]
    loaded = cnnlib.load_mnist(normalize=normalize, flatten=flatten, one_hot_label=one_hot_label)
    for (x, t), (x_raw, t_raw), n in zip(loaded, raw, (60000, 10000)):
        assert x.shape == ((n, 784) if flatten else (n, 1, 28, 28))
        if normalize:
            assert x.dtype == np.float32 and x.min() == 0.0 and x.max() == 1.0
            assert np.array_equal(np.rint(x * 255).astype(np.uint8), x_raw.reshape(x.shape))
        else:
            assert x.dtype == np.uint8 and x.min() == 0 and x.max() == 255
            assert np.array_equal(x, x_raw.reshape(x.shape))
        if one_hot_label:
            assert t.shape == (n, 10) and t.dtype == np.float32
            assert set(np.unique(t)) == {0.0, 1.0} and np.all(t.sum(axis=1) == 1)
            assert np.array_equal(t.argmax(axis=1), t_raw)
        else:
            assert t.shape == (n,) and t.dtype == np.uint8 and np.array_equal(t, t_raw)


def test_command_line_downloads_verifies_and_says_where(real_source, tmp_path):
    cache = tmp_path / "classroom"
    env = {**os.environ, "CNNLIB_MNIST_DIR": str(cache), "CNNLIB_MNIST_MIRRORS": real_source.as_uri() + "/"}
    done = subprocess.run([sys.executable, "-m", "cnnlib.mnist"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"MNIST is ready and verified in {cache}" in done.stdout
    assert all(name in done.stdout for name in NAMES)
    assert "RuntimeWarning" not in done.stderr
    assert listing(cache) == sorted(NAMES + ["mnist.npz"])


def test_command_line_failure_exits_non_zero_with_the_clear_error(tmp_path):
    env = {**os.environ, "CNNLIB_MNIST_DIR": str(tmp_path / "c"), "CNNLIB_MNIST_MIRRORS": dead_url()}
    done = subprocess.run([sys.executable, "-m", "cnnlib.mnist"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "put these 4 files into the folder" in done.stderr and done.stdout == ""
