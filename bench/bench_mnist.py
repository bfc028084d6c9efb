"""MNIST loader: cold load, warm load, and what trusting the cache costs (re-hash vs a stamp).

    python3 tasks.py bench bench/bench_mnist.py

Source of the files: the file:// mirror in $CNNLIB_MNIST_MIRRORS (as .ci/run sets it), else
../shared/data/mnist beside the checkout. Every cache is a fresh temporary folder; the project's
data/mnist/ is not touched. Figures are medians of several runs in this one process (the machine is shared, so single runs
vary); cold loads also show their fastest run.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import numpy as np

from cnnlib import mnist

ROOT = Path(__file__).resolve().parent.parent


def source_folder() -> Path:
    candidates = [Path(url2pathname(urlsplit(base).path))
                  for base in os.environ.get(mnist.ENV_MIRRORS, "").replace(",", " ").split()
                  if base.startswith("file:")]
    candidates.append(ROOT.parent / "shared" / "data" / "mnist")
    for folder in candidates:
        if all((folder / spec.name).is_file() for spec in mnist.MNIST_FILES):
            return folder
    sys.exit("No local MNIST copy: set CNNLIB_MNIST_MIRRORS=file:///folder/with/the/four/gz/files/")


def timings(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def median_time(fn, repeat: int) -> float:
    return statistics.median(timings(fn, repeat))


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def loopback_mirror(folder: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def cold_load(mirror: str) -> None:
    with tempfile.TemporaryDirectory() as cache, open(os.devnull, "w") as quiet, \
            contextlib.redirect_stdout(quiet):  # no messages or progress bars in the figures
        mnist.load_arrays(cache, [mirror])


# What the stamp alternative would do on every load: stat the npz and compare with a small
# JSON file written when it verified. (Not in the library: re-hashing was chosen, see below.)
def write_stamp(npz: Path, stamp: Path) -> None:
    st = npz.stat()
    stamp.write_text(json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns, "ino": st.st_ino}))


def stamp_matches(npz: Path, stamp: Path) -> bool:
    st = npz.stat()
    return json.loads(stamp.read_text()) == {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "ino": st.st_ino}


def rehash(arrays) -> None:
    for spec in mnist.MNIST_FILES:
        digest = hashlib.sha256(spec.header)
        digest.update(arrays[spec.key])
        assert digest.hexdigest() == spec.sha256


def main() -> None:
    source = source_folder()
    print(f"MNIST loader benchmark — source {source}, {os.cpu_count()} CPUs, numpy {np.__version__}")

    with loopback_mirror(source) as http_url:
        cold_load(http_url)  # first use imports urllib and tqdm: not part of the figures
        cold = {"file": [], "http": []}
        for _ in range(5):  # alternating, so a busy moment of the machine hits both
            cold["file"] += timings(lambda: cold_load(source.as_uri() + "/"), 1)
            cold["http"] += timings(lambda: cold_load(http_url), 1)
    cold_http = statistics.median(cold["http"])
    print("\nCold load into an empty cache (download + gunzip + verify header and SHA-256 + write and")
    print("fsync the files), median (fastest) of 5:")
    for kind, label in [("file", "a file:// mirror"), ("http", "a loopback http mirror")]:
        print(f"  from {label:<24} {statistics.median(cold[kind]) * 1e3:7.0f} ms  ({min(cold[kind]) * 1e3:.0f} ms)")

    with tempfile.TemporaryDirectory() as tmp, open(os.devnull, "w") as quiet:
        cache = Path(tmp)
        with contextlib.redirect_stdout(quiet):
            arrays = mnist.load_arrays(cache, [source.as_uri() + "/"])
        os.environ[mnist.ENV_DIR] = str(cache)  # load_mnist() reads this cache; no download from here on
        os.environ[mnist.ENV_MIRRORS] = "http://127.0.0.1:9/"  # a dead mirror: proves nothing is fetched
        npz = cache / mnist.NPZ_NAME

        def read_npz_only():
            with np.load(npz, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}

        warm_arrays = median_time(lambda: mnist.load_arrays(cache), 7)
        warm_npz = median_time(read_npz_only, 7)
        warm_uint8 = median_time(lambda: mnist.load_mnist(normalize=False), 7)
        warm_default = median_time(mnist.load_mnist, 7)
        warm_conv = median_time(lambda: mnist.load_mnist(flatten=False, one_hot_label=True), 7)
        hash_cost = median_time(lambda: rehash(arrays), 7)
        stamp = cache / "stamp.json"
        write_stamp(npz, stamp)
        stamp_cost = median_time(lambda: stamp_matches(npz, stamp), 101)
        gz_cost = median_time(lambda: [mnist.read_idx_gz(cache / s.name, s) for s in mnist.MNIST_FILES], 3)

    print("\nWarm load from the filled cache (read mnist.npz, re-hash every array):")
    print(f"  load_arrays()  uint8 arrays                     {warm_arrays * 1e3:7.0f} ms")
    print(f"  load_mnist(normalize=False)                     {warm_uint8 * 1e3:7.0f} ms")
    print(f"  load_mnist()   float32 (N, 784)                 {warm_default * 1e3:7.0f} ms")
    print(f"  load_mnist(flatten=False, one_hot_label=True)   {warm_conv * 1e3:7.0f} ms")
    print("\nTrusting the cache on each warm load — the options:")
    print(f"  re-hash the 4 arrays (SHA-256, 55 MB; chosen)   {hash_cost * 1e3:7.1f} ms"
          f"   = {hash_cost / warm_arrays:.0%} of load_arrays(), {hash_cost / warm_default:.0%} of load_mnist()")
    print(f"  stamp: stat + read a small JSON file            {stamp_cost * 1e3:7.3f} ms"
          f"   npz read alone: {warm_npz * 1e3:.0f} ms")
    print(f"  no npz: gunzip + verify the 4 .gz files         {gz_cost * 1e3:7.0f} ms"
          f"   = {gz_cost / warm_arrays:.1f}x load_arrays()")
    print(f"\nWarm load_mnist() is {1 / warm_default:.1f}x faster than the 1-second budget; "
          f"a cold load is {cold_http / warm_default:.1f}x a warm one.")


if __name__ == "__main__":
    main()
