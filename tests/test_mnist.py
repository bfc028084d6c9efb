"""The MNIST loader: downloads from loopback mirrors, rejects bad files, keeps the cache clean.

Mechanics (404s, corrupted, truncated and broken downloads, a damaged cache) run on a tiny synthetic
IDX set with its own hashes; the real data is downloaded once per module from a loopback HTTP server
and then shared by the tests of shapes, dtypes, ranges and label counts.

Shared and read-only folders: worker processes (one per student's kernel) load from one folder at the
same moment; read-only folders use real permissions (chmod, or the user nobody when run as root).
"""

import contextlib
import errno
import functools
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import numpy as np
import pytest

import cnnlib
from cnnlib import files, mnist, mnist_download, mnist_files
from unprivileged import unprivileged_user as _unprivileged_user
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
    out, err = capsys.readouterr()
    # Messages and progress bars go to stdout: in a notebook, stderr looks like an error (pink box).
    assert f"MNIST: downloading {good_mirror}train-images-idx3-ubyte.gz into {cache}" in out
    assert "train-images-idx3-ubyte.gz: 100%" in out
    assert err == ""
    # A warm cache needs no mirror at all.
    assert_same_arrays(load_arrays(cache, [dead_url()], specs), arrays)
    assert capsys.readouterr() == ("", "")


def test_a_mirror_answering_404_is_skipped_for_the_next(synthetic, good_mirror, tmp_path, capsys):
    folder, specs, arrays = synthetic
    empty = tmp_path / "empty"
    empty.mkdir()
    cache = tmp_path / "cache"
    with serve(empty) as missing:
        assert_same_arrays(load_arrays(cache, [missing, good_mirror], specs), arrays)
    assert_cache_holds_exactly_the_good_files(cache, folder)
    assert f"{missing}t10k-labels-idx1-ubyte.gz: HTTP 404 File not found; trying the next mirror" \
        in capsys.readouterr().out


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
    log = capsys.readouterr().out
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
    with pytest.raises(mnist_files.Rejected, match=re.escape(reason)):
        mnist.read_idx_gz(path, specs[2])


def test_a_dropped_connection_is_rejected_for_the_next_mirror(synthetic, good_mirror, tmp_path, capsys):
    folder, specs, arrays = synthetic
    cache = tmp_path / "cache"
    with serve(folder, _BreakingHandler) as breaking:
        assert_same_arrays(load_arrays(cache, [breaking, good_mirror], specs), arrays)
    assert_cache_holds_exactly_the_good_files(cache, folder)
    size = (folder / "train-images-idx3-ubyte.gz").stat().st_size
    assert f"train-images-idx3-ubyte.gz: the connection broke after {size // 2} of {size} bytes" \
        in capsys.readouterr().out


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


def test_a_damaged_cache_that_cannot_be_repaired_is_removed_and_listed_as_missing(synthetic, tmp_path):
    good, specs, _ = synthetic
    cache = tmp_path / "cache"
    cache.mkdir()
    for name in NAMES:
        (cache / name).write_bytes((good / name).read_bytes())
    (cache / "t10k-labels-idx1-ubyte.gz").write_bytes(b"")
    (cache / "mnist.npz").write_bytes(b"PK\3\4 not a zip file")
    with pytest.raises(MnistDownloadError) as caught:
        load_arrays(cache, [dead_url()], specs)
    assert "    t10k-labels-idx1-ubyte.gz   (missing)\n" in str(caught.value)
    assert "    t10k-images-idx3-ubyte.gz   (already there, verified)\n" in str(caught.value)
    assert listing(cache) == sorted(NAMES[:3])  # a later load does not meet the damaged files again


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
    log = capsys.readouterr().out
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
    assert f"{cache / 'mnist.npz'} failed verification" in capsys.readouterr().out
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

    monkeypatch.setattr(mnist_download, "_progress_bar", lambda total, name: InterruptedBar())
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


def test_a_folder_with_a_space_written_raw_gets_the_fix_for_that_folder(synthetic, tmp_path, monkeypatch):
    """Issue 25.5: spaces separate mirrors, so 'file:///…/교실 자료/' was read as two, and the error about
    the second piece suggested a folder under the current directory."""
    good, specs, arrays = synthetic
    folder = tmp_path / "교실 자료 2"
    shutil.copytree(good, folder)
    raw = f"file://{folder}/"
    monkeypatch.setenv("CNNLIB_MNIST_MIRRORS", f"http://127.0.0.1:9/ {raw}")
    fixed = raw.replace(" ", "%20")
    with pytest.raises(ValueError) as e:
        mnist.configured_mirrors()
    assert str(e.value) == (f"MNIST mirror '{raw}' has a space in its path, and spaces separate mirrors in "
                            f"$CNNLIB_MNIST_MIRRORS. Write each space as %20: {fixed}")
    monkeypatch.setenv("CNNLIB_MNIST_MIRRORS", fixed)  # the suggested fix works
    assert_same_arrays(load_arrays(tmp_path / "cache", mnist.configured_mirrors(), specs), arrays)


class _TricklingHandler(_QuietHandler):
    """Announces the whole file, then sends one byte every ``pause`` seconds (``limit`` bytes, then hangs
    up): a mirror that never times out but would take hours."""

    pause, limit = 0.05, 60

    def copyfile(self, source, outputfile):
        data = source.read()
        try:
            for i in range(min(self.limit, len(data))):
                outputfile.write(data[i : i + 1])
                outputfile.flush()
                time.sleep(self.pause)
        except OSError:
            pass
        self.close_connection = True


@pytest.mark.parametrize("limit, answer", [
    ("rate", "sent only {got} of {size} bytes in {seconds} s, less than 2 kB/s: too slow to wait for"),
    ("deadline", "did not finish within 0.5 s ({got} of {size} bytes arrived)"),
])
def test_a_trickling_mirror_is_left_for_the_next(synthetic, good_mirror, tmp_path, capsys, monkeypatch, limit, answer):
    """Issue 25.5: a byte every 20 s kept one download going for 652 s and the next mirror was never asked.
    Here a byte every 0.05 s, with the limits scaled down alike."""
    good, specs, arrays = synthetic
    if limit == "rate":
        monkeypatch.setattr(mnist_download, "MIN_RATE", 2000)
        monkeypatch.setattr(mnist_download, "RATE_GRACE", 0.4)
    else:
        monkeypatch.setattr(mnist_download, "MIN_RATE", 0)
        monkeypatch.setattr(mnist_download, "DEADLINE", 0.5)
    with serve(good, _TricklingHandler) as slow:
        assert_same_arrays(load_arrays(tmp_path / "cache", [slow, good_mirror], specs), arrays)
    out = capsys.readouterr().out
    first = specs[0].name
    line = next(ln for ln in out.splitlines() if ln.startswith(f"MNIST: {slow}{first}: "))
    got, seconds = re.search(r"(\d+) of \d+ bytes(?: in ([\d.]+) s)?", line).groups()
    expected = answer.format(got=got, size=(good / first).stat().st_size, seconds=seconds)
    assert line == f"MNIST: {slow}{first}: {expected}; trying the next mirror"
    assert 0 < int(got) < _TricklingHandler.limit  # left long before the mirror hung up
    for spec in specs[1:]:  # a mirror that slow is not asked again for the other files
        assert f"{slow}{spec.name}" not in out.replace(f"{slow}{spec.name}: not asked again", "")


# ----------------------------------------------------------------------------- shared and read-only folders

# A worker process: the kernel of one student. It imports the loader, says "ready", waits for a line
# on stdin (so that several start loading at the same moment), loads, and prints one RESULT line:
# the shape and SHA-256 (of the IDX header + data, computed here independently) of every array, or
# the error; when it ran; whether it could write into the folder.
WORKER = r'''
import hashlib, json, os, sys, time
from cnnlib import mnist
folder, mirror, specs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
files = tuple(mnist.IdxFile(s["key"], s["name"], tuple(s["shape"]), s["sha256"]) for s in specs) or mnist.MNIST_FILES
print("ready", flush=True)
sys.stdin.readline()
start = time.time()
try:
    arrays = mnist.load_arrays(folder, [mirror], files)
    result = {"arrays": {k: [list(a.shape), hashlib.sha256(bytes([0, 0, 8, a.ndim]) + b"".join(
        n.to_bytes(4, "big") for n in a.shape) + a.tobytes()).hexdigest()] for k, a in arrays.items()}}
except Exception as e:
    result = {"error": f"{type(e).__name__}: {e}"}
result.update(start=start, end=time.time(), writable=os.access(folder, os.W_OK))
print("RESULT " + json.dumps(result), flush=True)
'''


def start_worker(folder: Path, mirror: str, specs=(), user=(), **popen) -> subprocess.Popen:
    """Start a WORKER on ``folder``; specs: the expected files (default: the real MNIST);
    user: a command prefix that runs it as another user."""
    spec_json = json.dumps([{"key": s.key, "name": s.name, "shape": s.shape, "sha256": s.sha256} for s in specs])
    return subprocess.Popen([*user, sys.executable, "-c", WORKER, str(folder), mirror, spec_json], cwd=ROOT,
                            stdin=subprocess.PIPE, text=True, **popen)


def run_workers(n: int, folder: Path, mirror: str, specs=(), user=()) -> list[dict]:
    """Start ``n`` workers on ``folder``, release them together, return their RESULTs (+ out, err)."""
    workers = [start_worker(folder, mirror, specs, user, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for _ in range(n)]
    try:
        for worker in workers:  # the barrier: everyone has started and imported the loader
            if worker.stdout.readline() != "ready\n":
                worker.kill()
                pytest.fail(f"a worker did not start: {worker.communicate()[1]}")
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        outputs = [worker.communicate(timeout=120) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    results = []
    for worker, (out, err) in zip(workers, outputs):
        lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
        assert worker.returncode == 0 and len(lines) == 1, err
        results.append({**json.loads(lines[0][len("RESULT "):]), "out": out, "err": err})
    return results


def expected_result(specs) -> dict:
    return {s.key: [list(s.shape), s.sha256] for s in specs}


@pytest.fixture
def read_only_folder(tmp_path):
    """``make(files) -> (folder, user)``: a folder holding ``files`` ({name: bytes}) that workers
    started with the command prefix ``user`` can read but not write.

    Not as root: the folder is made read-only (chmod 555). As root, who may write anyway, the workers
    run as the unprivileged user ``nobody`` (setpriv), on a folder outside root's private tmp_path.
    These are real permissions, so the loader meets the PermissionError a student would.
    """
    made = []

    def make(files: dict) -> tuple[Path, list]:
        if os.name != "posix":
            pytest.skip("folder permissions are POSIX-only; test_a_read_only_file_system_* covers the logic")
        user = []
        if os.geteuid() == 0:
            user = _unprivileged_user()
            folder = Path(tempfile.mkdtemp(prefix="cnnlib-readonly-"))
        else:
            folder = tmp_path / "read-only"
            folder.mkdir()
        made.append(folder)
        for name, content in files.items():
            (folder / name).write_bytes(content)
            os.chmod(folder / name, 0o644)
        os.chmod(folder, 0o555)
        if not user and os.access(folder, os.W_OK):
            pytest.skip("this user may write into read-only folders (a capability such as CAP_DAC_OVERRIDE)")
        return folder, user

    yield make
    for folder in made:
        os.chmod(folder, 0o755)
        if os.geteuid() == 0:
            shutil.rmtree(folder)


def _damaged(content: bytes) -> bytes:
    flipped = bytearray(content)
    flipped[len(flipped) // 2] ^= 0xFF
    return bytes(flipped)


@pytest.mark.parametrize("case", ["four .gz files", "four .gz files and a damaged npz"])
def test_a_read_only_folder_with_the_four_gz_files_loads_without_caching(synthetic, read_only_folder, case):
    good, specs, _ = synthetic
    files = {name: (good / name).read_bytes() for name in NAMES}
    if "npz" in case:
        npz = io.BytesIO()
        np.savez(npz, **{s.key: np.zeros(s.shape, np.uint8) for s in specs})  # wrong data
        files["mnist.npz"] = npz.getvalue()
    folder, user = read_only_folder(files)
    [result] = run_workers(1, folder, dead_url(), specs, user)
    assert result.get("error") is None and result["arrays"] == expected_result(specs)
    assert result["writable"] is False and "Traceback" not in result["err"]
    assert (f"MNIST: the data is loaded, but mnist.npz could not be saved, so the next load reads the .gz files "
            f"again: cannot write mnist.npz into the MNIST cache folder {folder} (Permission denied). "
            "Set CNNLIB_MNIST_DIR to a writable folder.") in result["out"]
    assert ("mnist.npz failed verification" in result["out"]) == ("npz" in case)
    assert listing(folder) == sorted(files)  # nothing written, nothing deleted


@pytest.mark.parametrize("npz", [False, True])
def test_a_damaged_gz_in_a_read_only_folder_gives_the_usual_hint(synthetic, good_mirror, read_only_folder, npz):
    good, specs, _ = synthetic
    files = {name: (good / name).read_bytes() for name in NAMES}
    files["train-images-idx3-ubyte.gz"] = _damaged(files["train-images-idx3-ubyte.gz"])
    if npz:
        files["mnist.npz"] = b"PK\3\4 not a zip file"
    folder, user = read_only_folder(files)
    [result] = run_workers(1, folder, good_mirror, specs, user)
    assert result["error"] == (f"OSError: cannot write train-images-idx3-ubyte.gz into the MNIST cache folder "
                               f"{folder} (Permission denied). Set CNNLIB_MNIST_DIR to a writable folder.")
    assert f"MNIST: {folder / 'train-images-idx3-ubyte.gz'} failed verification (" in result["out"]
    assert result["writable"] is False and "Traceback" not in result["err"]
    assert listing(folder) == sorted(files)


def test_a_read_only_file_system_is_detected_by_the_failed_write(synthetic, good_mirror, tmp_path, monkeypatch,
                                                                 capsys):
    # Runs everywhere (also as root and on Windows): the write fails as on a read-only mount.
    good, specs, arrays = synthetic

    def read_only_mkstemp(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(files, "mkstemp", read_only_mkstemp)  # every atomic write starts there
    folder = tmp_path / "mounted"
    folder.mkdir()
    for name in NAMES:
        (folder / name).write_bytes((good / name).read_bytes())
    assert_same_arrays(load_arrays(folder, [good_mirror], specs), arrays)
    assert (f"mnist.npz could not be saved, so the next load reads the .gz files again: cannot write mnist.npz "
            f"into the MNIST cache folder {folder} ({os.strerror(errno.EROFS)}). Set CNNLIB_MNIST_DIR") \
        in capsys.readouterr().out
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(b"")  # damaged: needs a download, which cannot be kept
    with pytest.raises(OSError, match=re.escape(f"cannot write t10k-labels-idx1-ubyte.gz into the MNIST cache "
                                                f"folder {folder} ({os.strerror(errno.EROFS)}). Set CNNLIB_MNIST_DIR")):
        load_arrays(folder, [good_mirror], specs)
    assert listing(folder) == sorted(NAMES)


def test_a_file_that_vanishes_after_the_check_counts_as_missing(synthetic, good_mirror, tmp_path, monkeypatch):
    # What another kernel does between our stat() and open(): here made to happen every time.
    good, specs, arrays = synthetic
    cache = tmp_path / "cache"
    load_arrays(cache, [good_mirror], specs)

    def vanishing(read):
        def read_after_removal(path, *args):
            if Path(path).name in NAMES + ["mnist.npz"]:  # not the temporary file of a download
                Path(path).unlink()
            return read(path, *args)
        return read_after_removal

    monkeypatch.setattr(mnist, "read_npz", vanishing(mnist.read_npz))
    monkeypatch.setattr(mnist_download, "read_idx_gz", vanishing(mnist.read_idx_gz))
    assert_same_arrays(load_arrays(cache, [good_mirror], specs), arrays)
    assert_cache_holds_exactly_the_good_files(cache, good)


def test_a_damaged_file_is_deleted_only_if_no_other_kernel_replaced_it(tmp_path):
    path = tmp_path / "mnist.npz"
    path.write_bytes(b"damaged")
    seen = path.stat()
    (tmp_path / "new").write_bytes(b"another kernel's good copy")
    os.replace(tmp_path / "new", path)
    mnist_files.remove_if_unchanged(path, seen)
    assert path.read_bytes() == b"another kernel's good copy"
    mnist_files.remove_if_unchanged(path, path.stat())
    assert not path.exists()
    mnist_files.remove_if_unchanged(path, seen)  # already gone: no error


class _StallingHandler(_QuietHandler):
    """Sends half of each file, then waits for ``release`` (set per server) before sending the rest."""

    release: threading.Event

    def copyfile(self, source, outputfile):
        data = source.read()
        try:
            outputfile.write(data[: len(data) // 2])
            outputfile.flush()
            self.release.wait(30)
            outputfile.write(data[len(data) // 2:])
        except OSError:  # the client was killed
            pass


@contextlib.contextmanager
def stalling_mirror(folder):
    """(base URL, release event) of a mirror whose downloads hang half-way until released."""
    release = threading.Event()
    handler = type("Stalling", (_StallingHandler,), {"release": release})
    with serve(folder, handler) as url:
        try:
            yield url, release
        finally:
            release.set()


def part_files(folder: Path) -> list[str]:
    return [name for name in listing(folder) if name.endswith(".part")]


def wait_for_part_file(folder: Path) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        parts = [p for p in part_files(folder) if (folder / p).stat().st_size > 0]
        if parts:
            return parts[0]
        time.sleep(0.02)
    pytest.fail(f"no download started in {folder}")


def test_stale_part_files_are_deleted_and_others_kept(synthetic, good_mirror, tmp_path, capsys):
    good, specs, arrays = synthetic
    cache = tmp_path / "cache"
    load_arrays(cache, [good_mirror], specs)
    old = time.time() - mnist_files.STALE_PART_SECONDS - 60
    recent = time.time() - mnist_files.STALE_PART_SECONDS + 60
    stale = [".mnist.npz.k2j4h_9x.part", ".train-images-idx3-ubyte.gz.a1b2c3d4.part"]
    kept = [".t10k-labels-idx1-ubyte.gz.recent00.part",  # could still be written by a kernel
            ".other.npz.a1b2c3d4.part", "notes.part", ".mnist.npz.k2j4h_9x.tmp"]  # not the loader's
    for name in stale + kept:
        (cache / name).write_bytes(b"partial")
        os.utime(cache / name, (old, old) if "recent" not in name else (recent, recent))
    (cache / ".mnist.npz.folder00.part").mkdir()  # not a regular file: not ours
    os.utime(cache / ".mnist.npz.folder00.part", (old, old))
    kept.append(".mnist.npz.folder00.part")
    capsys.readouterr()
    assert_same_arrays(load_arrays(cache, [dead_url()], specs), arrays)  # a warm load cleans up too
    assert listing(cache) == sorted(NAMES + ["mnist.npz"] + kept)
    assert f"MNIST: deleted 2 temporary file(s) left in {cache} by an interrupted download" in capsys.readouterr().out


def test_a_kernel_killed_mid_download_leaves_a_part_file_that_is_cleaned_once_stale(synthetic, good_mirror,
                                                                                    tmp_path, capsys):
    good, specs, arrays = synthetic
    cache = tmp_path / "cache"
    cache.mkdir()
    with stalling_mirror(good) as (slow, _):
        kernel = start_worker(cache, slow, specs, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kernel.stdin.write("go\n")
        kernel.stdin.flush()
        part = wait_for_part_file(cache)
        kernel.kill()  # the student restarts the kernel mid-download
        kernel.wait()
    assert part_files(cache) == [part]
    # Fresh, so it may be another kernel's live download: kept while this load repairs the cache.
    assert_same_arrays(load_arrays(cache, [good_mirror], specs), arrays)
    assert part_files(cache) == [part]
    old = time.time() - mnist_files.STALE_PART_SECONDS - 1
    os.utime(cache / part, (old, old))  # an hour later
    capsys.readouterr()
    assert_same_arrays(load_arrays(cache, [dead_url()], specs), arrays)
    assert "deleted 1 temporary file(s)" in capsys.readouterr().out
    assert_cache_holds_exactly_the_good_files(cache, good)


def test_a_live_download_in_another_kernel_is_not_deleted_under_it(synthetic, good_mirror, tmp_path):
    good, specs, arrays = synthetic
    cache = tmp_path / "cache"
    cache.mkdir()
    results = {}
    with stalling_mirror(good) as (slow, release):
        def other_kernel():
            try:
                results["slow"] = load_arrays(cache, [slow], specs)
            except BaseException as e:  # reported by the assertion below
                results["slow"] = e

        thread = threading.Thread(target=other_kernel)
        thread.start()
        part = wait_for_part_file(cache)
        assert_same_arrays(load_arrays(cache, [good_mirror], specs), arrays)  # meanwhile, this kernel loads
        assert part in part_files(cache)
        release.set()
        thread.join(30)
    assert not isinstance(results["slow"], BaseException), results["slow"]
    assert_same_arrays(results["slow"], arrays)
    assert_cache_holds_exactly_the_good_files(cache, good)


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
    with serve(real_source) as url, pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(log):
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
    assert "put these 4 files into the folder" in done.stderr  # the error on stderr, once
    assert "put these" not in done.stdout and "MNIST: downloading" in done.stdout


# ----------------------------------------------------------------------------- a classroom on a shared folder

def test_three_kernels_repairing_one_damaged_folder_at_once_all_get_the_data(cold, real_source, tmp_path):
    """Three processes, released together, load from a folder with one byte flipped in mnist.npz and
    one in train-images-idx3-ubyte.gz: each finds both damaged, downloads the .gz again and rebuilds
    the npz, while the others replace the same files under it."""
    shared = tmp_path / "shared"
    shared.mkdir()
    damaged = ["mnist.npz", "train-images-idx3-ubyte.gz"]
    for name in NAMES + ["mnist.npz"]:
        content = (cold["cache"] / name).read_bytes()
        (shared / name).write_bytes(_damaged(content) if name in damaged else content)
    results = run_workers(3, shared, real_source.as_uri() + "/")
    assert [result.get("error") for result in results] == [None, None, None]
    for result in results:
        assert result["arrays"] == expected_result(MNIST_FILES)
        assert all(f"{shared / name} failed verification" in result["out"] for name in damaged)
    # They really ran at the same time: everyone started before anyone finished.
    assert max(r["start"] for r in results) < min(r["end"] for r in results)
    assert listing(shared) == sorted(NAMES + ["mnist.npz"])  # no leftover temporary file
    for name in NAMES:
        assert (shared / name).read_bytes() == (real_source / name).read_bytes(), name
    mnist_files.read_npz(shared / "mnist.npz", MNIST_FILES)  # verifies, else raises
