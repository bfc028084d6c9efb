"""MNIST for the book's code: ``load_mnist(normalize, flatten, one_hot_label)``, downloaded once,
verified, and cached as npz (no pickle).

Where the files come from
    The four standard ``.gz`` files are fetched from the first mirror that delivers a valid copy
    (:data:`MIRRORS`, in order). ``$CNNLIB_MNIST_MIRRORS`` replaces that list: base URLs separated
    by whitespace or commas, e.g. ``file:///srv/mnist/`` (a folder, USB stick or network share;
    write a space in a path as ``%20``) or ``http://127.0.0.1:8000/`` (a teacher's
    ``python3 -m http.server``). A mirror that cannot be reached at all is not asked again for the
    remaining files. When no mirror delivers a file, :class:`MnistDownloadError` says what each
    mirror answered and which four files to put into which folder by hand.

What is checked
    A file counts as MNIST only if its decompressed bytes have the expected IDX header
    (magic number ``0x0803``/``0x0801`` = unsigned bytes in 3/1 dimensions, the counts 60000/10000,
    28x28) and the expected SHA-256 (:data:`MNIST_FILES`). The hashes are of the *decompressed*
    bytes, so they hold whichever mirror gzipped the file. At most the expected number of bytes is
    ever decompressed, so a wrong file (a login page, a gzip bomb) is rejected cheaply.

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
    (re)built and by ``python -m cnnlib.mnist``.

``python -m cnnlib.mnist`` downloads and verifies everything into the cache folder and prints where
it is, so a teacher can copy it to laptops without internet.

Messages and download progress bars go to stdout: in a notebook they read as normal output, not
as errors in a pink box.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from .functions import one_hot
from .mnist_files import (ENV_DIR, NPZ_NAME, IdxFile, Rejected, atomic_file, make_dir, mnist_dir,
                          read_idx_gz, read_npz, remove_if_unchanged, remove_stale_parts, save_npz,
                          stat_if_exists)

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
]

ENV_MIRRORS = "CNNLIB_MNIST_MIRRORS"

#: Default mirrors, in the order well-known libraries try them today
#: (the book's http://yann.lecun.com/exdb/mnist/ answers 403/404 to scripts).
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

TIMEOUT = 30  # seconds without an answer or data before a mirror counts as unreachable
CHUNK = 1 << 16

#: The four MNIST files (SHA-256 of the decompressed bytes, as in ../shared/data/mnist/README.md).
MNIST_FILES = (
    IdxFile("x_train", "train-images-idx3-ubyte.gz", (60000, 28, 28),
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    IdxFile("t_train", "train-labels-idx1-ubyte.gz", (60000,),
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    IdxFile("x_test", "t10k-images-idx3-ubyte.gz", (10000, 28, 28),
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    IdxFile("t_test", "t10k-labels-idx1-ubyte.gz", (10000,),
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
)


class MnistDownloadError(RuntimeError):
    """No mirror delivered a valid copy of one or more MNIST files."""


class _MirrorFailed(Exception):
    """A mirror did not deliver a file; ``answer`` says what happened."""

    def __init__(self, answer: str, unreachable: bool = False):
        super().__init__(answer)
        self.answer = answer
        self.unreachable = unreachable


def _say(message: str) -> None:
    # stdout: in a notebook stderr shows as a pink box, and these are not errors.
    print(f"MNIST: {message}", file=sys.stdout, flush=True)


# ----------------------------------------------------------------------------- configuration

def parse_mirrors(mirrors) -> tuple[str, ...]:
    """Base URLs from a string (separated by whitespace or commas) or a sequence of strings.

    Each must be ``http://``, ``https://`` or ``file:///absolute/folder``; a missing trailing ``/``
    is added (the file name is appended to it).
    """
    items = mirrors.replace(",", " ").split() if isinstance(mirrors, str) else [str(m).strip() for m in mirrors]
    bases = []
    for item in items:
        parts = urlsplit(item)
        if parts.scheme in ("http", "https") and parts.netloc:
            pass
        elif parts.scheme == "file" and not parts.netloc and parts.path.startswith("/"):
            pass
        else:
            example = Path(item).expanduser().absolute().as_uri() + "/"
            raise ValueError(
                f"MNIST mirror {item!r} is not a usable base URL. Use http://host/folder/ or "
                f"https://host/folder/, or for a folder on this machine a file URL with an absolute "
                f"path such as {example} (in ${ENV_MIRRORS}, separate several with spaces or commas)."
            )
        bases.append(item if item.endswith("/") else item + "/")
    if not bases:
        raise ValueError(f"no MNIST mirror given; leave ${ENV_MIRRORS} unset to use the defaults {MIRRORS}.")
    return tuple(bases)


def configured_mirrors() -> tuple[str, ...]:
    """``$CNNLIB_MNIST_MIRRORS`` when set (and not blank), else :data:`MIRRORS`."""
    override = os.environ.get(ENV_MIRRORS, "")
    return parse_mirrors(override) if override.strip() else MIRRORS


# ----------------------------------------------------------------------------- downloading

def _progress_bar(total, name: str):
    from tqdm import tqdm  # imported here: `import cnnlib` stays fast

    return tqdm(total=total, desc=name, unit="B", unit_scale=True, file=sys.stdout)


def _explain_url_error(reason) -> tuple[str, bool]:
    """(answer, unreachable) for the reason of a urllib URLError."""
    import socket
    import ssl

    if isinstance(reason, FileNotFoundError):
        return "no such file", False
    if isinstance(reason, ssl.SSLCertVerificationError):
        return (f"its TLS certificate could not be verified ({reason.verify_message}); on macOS run "
                "'Install Certificates.command' in your Python folder", True)
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (nothing listens there)", True
    if isinstance(reason, socket.gaierror):
        return f"host not found ({reason.strerror}; no internet, or a typo in the address?)", True
    if isinstance(reason, TimeoutError):
        return f"no answer within {TIMEOUT} s", True
    if isinstance(reason, OSError):
        return f"{reason.strerror or reason}", True
    return str(reason), True


def _download(url: str, out, spec: IdxFile) -> None:
    """Write the file at ``url`` into the open binary file ``out``, with a progress bar.

    Raises ``_MirrorFailed`` when the mirror does not deliver it completely. Errors writing ``out``
    (a full disk) are not the mirror's fault and propagate.
    """
    import http.client
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "cnnlib (MNIST loader)"})
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as e:
        raise _MirrorFailed(f"HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        raise _MirrorFailed(*_explain_url_error(e.reason)) from None
    except (OSError, http.client.HTTPException) as e:
        raise _MirrorFailed(f"connection failed ({e!r})", unreachable=True) from None
    limit = spec.nbytes + spec.nbytes // 100 + CHUNK  # gzip never makes MNIST this much larger
    with response:
        length = response.headers.get("Content-Length")
        length = int(length) if length and length.isdigit() else None
        if length is not None and length > limit:
            raise _MirrorFailed(f"offers {length} bytes, far more than {spec.name} can be")
        got = 0
        with _progress_bar(length, spec.name) as bar:
            while True:
                try:
                    chunk = response.read1(CHUNK)  # what has arrived: written below at once
                except (OSError, http.client.HTTPException) as e:
                    of = f" of {length}" if length is not None else ""
                    raise _MirrorFailed(f"the connection broke after {got}{of} bytes ({e!r})") from None
                if not chunk:
                    break
                out.write(chunk)
                out.flush()  # the .part file's mtime shows a live download (see mnist_files)
                got += len(chunk)
                bar.update(len(chunk))
                if got > limit:
                    raise _MirrorFailed(f"sent more than {limit} bytes, far more than {spec.name} can be")
    if length is not None and got != length:
        raise _MirrorFailed(f"the connection broke after {got} of {length} bytes")


def _fetch_one(spec: IdxFile, folder: Path, mirrors, unreachable: dict) -> tuple[np.ndarray | None, list]:
    """Download ``spec`` from the first mirror that delivers a valid copy into ``folder``.

    Returns ``(array or None, [(url, answer), ...] of the mirrors that failed)``. ``unreachable``
    maps a mirror to its answer once it could not be reached, so it is not asked again.
    """
    answers = []
    for base in mirrors:
        url = base + spec.name
        if base in unreachable:
            answers.append((url, f"not asked again: {unreachable[base]}"))
            continue
        data = None
        try:
            with atomic_file(folder / spec.name) as (f, tmp):  # a read-only folder fails here, clearly
                _say(f"downloading {url} into {folder}")
                _download(url, f, spec)
                f.flush()
                data = read_idx_gz(tmp, spec)
            return data, answers
        except _MirrorFailed as e:
            answer = e.answer
            if e.unreachable:
                unreachable[base] = answer
        except Rejected as e:
            answer = f"sent a file that failed verification: {e}"
        except OSError as e:
            if data is None:  # writing failed before the file verified (a full disk): not the mirror's fault
                raise
            _say(f"could not keep {spec.name} in {folder} ({e}); using the verified download anyway")
            return data, answers
        answers.append((url, answer))
        _say(f"{url}: {answer}; trying the next mirror" if base != mirrors[-1] else f"{url}: {answer}")
    return None, answers


def fetch_files(folder=None, mirrors=None, files=MNIST_FILES) -> dict[str, np.ndarray]:
    """Make sure ``folder`` holds verified copies of ``files``; return their data as uint8 arrays.

    A ``.gz`` already in the folder is verified; a missing one, or one that fails, is (re)downloaded
    from ``mirrors`` in order and replaces it. Raises :class:`MnistDownloadError` (after trying every
    file) when a file could not be obtained; a damaged file that could not be replaced is deleted.

    folder: default :func:`mnist_dir`; mirrors: default :func:`configured_mirrors`;
    files: the expected files (tests pass a small synthetic set with its own hashes).
    Returns: ``{spec.key: array of spec.shape}``.
    """
    folder = Path(folder) if folder is not None else mnist_dir()
    mirrors = parse_mirrors(mirrors) if mirrors is not None else configured_mirrors()
    make_dir(folder)
    arrays, failures, unreachable = {}, {}, {}
    for spec in files:
        path = folder / spec.name
        seen = stat_if_exists(path)
        if seen is not None:
            try:
                arrays[spec.key] = read_idx_gz(path, spec)
                continue
            except FileNotFoundError:
                pass  # just removed by another kernel
            except Rejected as e:
                _say(f"{path} failed verification ({e}); downloading it again")
        data, answers = _fetch_one(spec, folder, mirrors, unreachable)
        if data is not None:
            arrays[spec.key] = data
            continue
        failures[spec.name] = answers
        if seen is not None:
            remove_if_unchanged(path, seen)  # not another kernel's good copy
    if failures:
        raise MnistDownloadError(_failure_message(folder, files, failures, arrays))
    return arrays


def _failure_message(folder: Path, files, failures: dict, arrays: dict) -> str:
    lines = [f"MNIST could not be downloaded: no mirror delivered a valid copy of "
             f"{', '.join(failures)}.", "What each mirror answered:"]
    for name, answers in failures.items():
        lines.append(f"  {name}")
        lines += [f"    {url}: {answer}" for url, answer in answers]
    lines.append(f"To continue without downloading, put these {len(files)} files into the folder")
    lines.append(f"  {folder}")
    width = max(len(spec.name) for spec in files)
    for spec in files:
        state = "already there, verified" if spec.key in arrays else "missing"
        lines.append(f"    {spec.name:<{width}}  ({state})")
    lines += [
        "(copy them from a machine where `python -m cnnlib.mnist` has run, or download them in a",
        f"browser from {MIRRORS[0]}), then load again. Or set {ENV_MIRRORS} to a folder or server",
        "that has them, e.g. file:///path/to/folder/ or http://192.168.0.10:8000/ .",
    ]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- loading

def _cache_names(files) -> list[str]:
    return [spec.name for spec in files] + [NPZ_NAME]


def load_arrays(folder=None, mirrors=None, files=MNIST_FILES) -> dict[str, np.ndarray]:
    """The verified uint8 arrays ``{x_train (60000, 28, 28), t_train (60000,), x_test, t_test}``.

    Reads ``mnist.npz`` from the cache folder if it verifies; otherwise builds it from the ``.gz``
    files (downloading what is missing, see :func:`fetch_files`). If the folder is read-only, the
    data is returned without saving the npz. Arguments as in :func:`fetch_files`.
    """
    folder = Path(folder) if folder is not None else mnist_dir()
    removed = remove_stale_parts(folder, _cache_names(files))
    if removed:
        _say(f"deleted {len(removed)} temporary file(s) left in {folder} by an interrupted download")
    npz = folder / NPZ_NAME
    seen = stat_if_exists(npz)
    if seen is not None:
        try:
            return read_npz(npz, files)
        except FileNotFoundError:
            pass  # just removed by another kernel
        except Rejected as e:
            _say(f"{npz} failed verification ({e}); rebuilding it from the .gz files")
    try:
        arrays = fetch_files(folder, mirrors, files)
    except MnistDownloadError:
        if seen is not None:
            remove_if_unchanged(npz, seen)
        raise
    try:
        save_npz(folder, arrays)  # replaces a damaged one, whichever kernel gets there last
    except OSError as e:
        _say(f"the data is loaded, but {NPZ_NAME} could not be saved, so the next load reads the .gz "
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


# ----------------------------------------------------------------------------- command line

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cnnlib.mnist",
        description="Download MNIST into the cache folder if needed, verify every file and print "
                    f"where they are. Folder: ${ENV_DIR} or data/mnist/; mirrors: ${ENV_MIRRORS}.")
    parser.parse_args(argv)
    try:
        folder = mnist_dir()
        remove_stale_parts(folder, _cache_names(MNIST_FILES))
        arrays = fetch_files(folder, configured_mirrors())
        save_npz(folder, arrays)
        sizes = {name: (folder / name).stat().st_size / 1e6 for name in _cache_names(MNIST_FILES)}
    except (MnistDownloadError, OSError, ValueError) as e:
        print(e, file=sys.stderr)
        return 1
    print(f"MNIST is ready and verified in {folder}")
    for spec in MNIST_FILES:
        print(f"  {spec.name:<28} {sizes[spec.name]:5.1f} MB  {spec.shape}")
    print(f"  {NPZ_NAME:<28} {sizes[NPZ_NAME]:5.1f} MB  (the same arrays, for fast loading; rebuilt when missing)")
    print(f"""
To set up laptops without internet, do one of:
  - copy the four .gz files into data/mnist/ of each laptop's checkout;
  - put them on a USB stick or shared folder and set {ENV_MIRRORS}=file:///path/to/that/folder/
  - serve them from this machine:  python3 -m http.server 8000 --directory {folder}
    and set {ENV_MIRRORS}=http://<this machine's address>:8000/ on the laptops.""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
