"""MNIST for the book's code: ``load_mnist(normalize, flatten, one_hot_label)``, downloaded once,
verified, and cached as npz (no pickle).

The first load downloads the four ``.gz`` files from a mirror (:mod:`cnnlib.mnist_download`, where
``$CNNLIB_MNIST_MIRRORS`` is explained) and verifies them (:mod:`cnnlib.mnist_files`: IDX header and
SHA-256 of every file).

Cache folder: ``data/mnist/`` of the checkout (git-ignored), or ``$CNNLIB_MNIST_DIR``
    ``*-ubyte.gz``  the four files as downloaded — what to copy to another machine;
    ``mnist.npz``   the four arrays as uint8 in their IDX shapes (no pickle; read with
                    ``allow_pickle=False``), so a warm load needs no decompression.
    Every file is written to a temporary file in the same folder and renamed into place only after
    it verified, so an interrupted download or a full disk never leaves a file a later run trusts.
    Several kernels may load from one folder at once, also while repairing a damaged file; leftover
    temporary files of killed kernels are cleaned up (see :mod:`cnnlib.mnist_files`). A read-only
    folder holding the four ``.gz`` files works too: the data loads from them, without an npz.

Trust: re-hash on every load, no stamp
    A warm load reads ``mnist.npz`` and re-computes the SHA-256 of each array *with its IDX header
    in front*, i.e. the very hashes of the original files. ``bench/bench_mnist.py`` on the project's
    2-core machine: re-hashing the 55 MB costs ~40 ms of a ~85 ms ``load_arrays()`` (~175 ms for
    ``load_mnist()`` with the float32 conversion); a stamp (stat + a small file) would cost ~0.02 ms,
    re-verifying the ``.gz`` files instead of keeping an npz ~350 ms. The 40 ms buy a check that
    catches any change to the cache (bit rot, a hand-edited or half-copied folder, a stamp copied
    along with the wrong file) and need no extra state, so the folder can be copied to other
    laptops as it is. The ``.gz`` files are verified whenever they are read: when ``mnist.npz`` is
    (re)built and by ``python -m cnnlib.mnist`` (:mod:`cnnlib.mnist_cli`), which downloads and
    verifies everything and prints where it is, so a teacher can copy it to laptops without internet.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from .functions import one_hot
from .mnist_cli import main
from .mnist_download import (ENV_MIRRORS, MIRRORS, MnistDownloadError, configured_mirrors,  # noqa: F401
                             fetch_files, parse_mirrors, say)
from .mnist_files import (ENV_DIR, MNIST_FILES, NPZ_NAME, IdxFile, Rejected, cache_names, mnist_dir,  # noqa: F401
                          read_idx_gz, read_npz, remove_if_unchanged, remove_stale_parts, save_npz, stat_if_exists)

__all__ = [
    "load_mnist",
    "load_arrays",
    "fetch_files",
    "read_idx_gz",
    "mnist_dir",
    "configured_mirrors",
    "parse_mirrors",
    "MnistDownloadError",
    "IdxFile",
    "MNIST_FILES",
    "MIRRORS",
    "main",
]

def load_arrays(folder=None, mirrors=None, files=MNIST_FILES) -> dict[str, np.ndarray]:
    """The verified uint8 arrays ``{x_train (60000, 28, 28), t_train (60000,), x_test, t_test}``.

    Reads ``mnist.npz`` from the cache folder if it verifies; otherwise builds it from the ``.gz``
    files (downloading what is missing, see :func:`fetch_files`). If the folder is read-only, the
    data is returned without saving the npz. Arguments as in :func:`fetch_files`.
    """
    folder = Path(folder) if folder is not None else mnist_dir()
    removed = remove_stale_parts(folder, cache_names(files))
    if removed:
        say(f"deleted {len(removed)} temporary file(s) left in {folder} by an interrupted download")
    npz = folder / NPZ_NAME
    seen = stat_if_exists(npz)
    if seen is not None:
        try:
            return read_npz(npz, files)
        except FileNotFoundError:
            pass  # just removed by another kernel
        except Rejected as e:
            say(f"{npz} failed verification ({e}); rebuilding it from the .gz files")
    try:
        arrays = fetch_files(folder, mirrors, files)
    except MnistDownloadError:
        if seen is not None:
            remove_if_unchanged(npz, seen)
        raise
    try:
        save_npz(folder, arrays)  # replaces a damaged one, whichever kernel gets there last
    except OSError as e:
        say(f"the data is loaded, but {NPZ_NAME} could not be saved, so the next load reads the .gz "
             f"files again: {e}")
    return arrays


def load_mnist(normalize=True, flatten=True, one_hot_label=False):
    """MNIST as in the book: ``(x_train, t_train), (x_test, t_test)``.

    normalize: pixels as float32 in [0, 1] (value / 255); if False, uint8 0..255.
    flatten: images as (N, 784); if False, (N, 1, 28, 28) — ready for a Convolution layer.
    one_hot_label: labels as float32 (N, 10) one-hot rows; if False, uint8 (N,) digits 0..9.
    N is 60000 for training and 10000 for testing.

    The first call downloads the files into the cache folder (``data/mnist/``, see the module
    docstring for the environment variables); later calls read the cache (about 0.2 s).
    """
    arrays = load_arrays()

    def images(x):
        x = x.reshape(x.shape[0], -1) if flatten else x.reshape(x.shape[0], 1, *x.shape[1:])
        return np.divide(x, np.float32(255), dtype=np.float32) if normalize else x

    def labels(t):
        return one_hot(t, 10) if one_hot_label else t

    return ((images(arrays["x_train"]), labels(arrays["t_train"])),
            (images(arrays["x_test"]), labels(arrays["t_test"])))


if __name__ == "__main__":
    sys.exit(main())
