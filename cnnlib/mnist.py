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
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import math
import os
import sys
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from .functions import one_hot
from .paths import data_dir

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

ENV_DIR = "CNNLIB_MNIST_DIR"
ENV_MIRRORS = "CNNLIB_MNIST_MIRRORS"

#: Default mirrors, in the order well-known libraries try them today
#: (the book's http://yann.lecun.com/exdb/mnist/ answers 403/404 to scripts).
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

NPZ_NAME = "mnist.npz"
TIMEOUT = 30  # seconds without an answer or data before a mirror counts as unreachable
CHUNK = 1 << 16


@dataclass(frozen=True)
class IdxFile:
    """One gzip-compressed IDX file of unsigned bytes, and what its content must be."""

    key: str                # name of the array in load_arrays()'s result and in mnist.npz
    name: str               # file name on the mirrors and in the cache folder
    shape: tuple[int, ...]  # (N, 28, 28) for images, (N,) for labels
    sha256: str             # of the decompressed IDX bytes: header + data

    @property
    def header(self) -> bytes:
        """The IDX header: 0, 0, type 0x08 (unsigned byte), ndim; then each size as big-endian uint32."""
        return bytes([0, 0, 0x08, len(self.shape)]) + b"".join(n.to_bytes(4, "big") for n in self.shape)

    @property
    def nbytes(self) -> int:
        """Size of the decompressed file."""
        return len(self.header) + math.prod(self.shape)


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


class _Rejected(Exception):
    """A file is not exactly the expected data; the message says why."""


class _MirrorFailed(Exception):
    """A mirror did not deliver a file; ``answer`` says what happened."""

    def __init__(self, answer: str, unreachable: bool = False):
        super().__init__(answer)
        self.answer = answer
        self.unreachable = unreachable


def _say(message: str) -> None:
    # stderr, beside tqdm's bar: stdout stays for results (python -m cnnlib.mnist prints the folder).
    print(f"MNIST: {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- configuration

def mnist_dir() -> Path:
    """The cache folder: ``$CNNLIB_MNIST_DIR`` when set, else ``data/mnist/`` of the checkout."""
    override = os.environ.get(ENV_DIR, "").strip()
    return Path(override).expanduser().resolve() if override else data_dir() / "mnist"


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


# ----------------------------------------------------------------------------- verification

def _sha256(header: bytes, data: np.ndarray) -> str:
    digest = hashlib.sha256(header)
    digest.update(np.ascontiguousarray(data))
    return digest.hexdigest()


def _read_exactly(stream, size: int) -> bytes:
    chunks, got = [], 0
    while got < size:
        chunk = stream.read(size - got)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _describe_header(header: bytes) -> str:
    if len(header) < 4 or header[:2] != b"\0\0":
        return f"no IDX header (it begins {header[:8]!r})"
    ndim = header[3]
    sizes = tuple(int.from_bytes(header[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return f"IDX magic 0x{int.from_bytes(header[:4], 'big'):04x}, shape {sizes}"


def read_idx_gz(path, spec: IdxFile) -> np.ndarray:
    """Decompress and check one ``.gz`` file; return its data as a uint8 array of ``spec.shape``.

    Raises ``_Rejected`` (with the reason) unless the decompressed bytes are exactly the expected
    IDX file: header, length and SHA-256. Never decompresses more than ``spec.nbytes + 1`` bytes.
    """
    with open(path, "rb") as raw:
        start = raw.read(64)
        if start[:2] != b"\x1f\x8b":
            hint = " (a web page: a proxy or a Wi-Fi login page answered instead)" if b"<" in start else ""
            raise _Rejected(f"not gzip data{hint}; it begins {start[:24]!r}")
        raw.seek(0)
        try:
            with gzip.GzipFile(fileobj=raw) as stream:
                header = _read_exactly(stream, len(spec.header))
                if header != spec.header:
                    raise _Rejected(f"{_describe_header(header)} instead of "
                                    f"{_describe_header(spec.header)}")
                data = np.empty(spec.shape, dtype=np.uint8)
                view, got = memoryview(data).cast("B"), 0
                while got < data.size:
                    n = stream.readinto(view[got:])
                    if not n:
                        raise _Rejected(f"the data ends after {len(header) + got} of {spec.nbytes} bytes")
                    got += n
                if stream.read(1):  # also reads to the end of the gzip stream, which checks its CRC
                    raise _Rejected(f"longer than the expected {spec.nbytes} bytes")
        except (OSError, EOFError, zlib.error) as e:  # gzip.BadGzipFile is an OSError
            raise _Rejected(f"damaged or truncated gzip data ({e})") from None
    actual = _sha256(header, data)
    if actual != spec.sha256:
        raise _Rejected(f"SHA-256 of the decompressed data is {actual}, expected {spec.sha256}")
    return data


def _read_npz(path: Path, files) -> dict[str, np.ndarray]:
    """The arrays of a cached ``mnist.npz``, after checking each against its file's SHA-256."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            if sorted(npz.files) != sorted(spec.key for spec in files):
                raise _Rejected(f"it holds {sorted(npz.files)}, expected {sorted(s.key for s in files)}")
            arrays = {spec.key: npz[spec.key] for spec in files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as e:
        raise _Rejected(f"unreadable ({e})") from None
    for spec in files:
        a = arrays[spec.key]
        if a.dtype != np.uint8 or a.shape != spec.shape:
            raise _Rejected(f"{spec.key} is {a.dtype} {a.shape}, expected uint8 {spec.shape}")
        if _sha256(spec.header, a) != spec.sha256:
            raise _Rejected(f"{spec.key} does not match the SHA-256 of {spec.name}")
    return arrays


# ----------------------------------------------------------------------------- writing files

@contextmanager
def _atomic_file(path: Path):
    """Yield ``(file, temp_path)`` for a temporary file beside ``path``.

    Only if the block finishes without an exception is the file synced and renamed to ``path``;
    otherwise it is deleted. So ``path`` is either the old file or the complete new one.
    """
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as e:
        raise OSError(f"cannot write into the MNIST cache folder {path.parent} ({e}). "
                      f"Set {ENV_DIR} to a writable folder.") from e
    tmp = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f, tmp
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the cache is meant to be copied and shared
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # still there only when something failed


def _make_dir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OSError(f"cannot create the MNIST cache folder {folder} ({e}). "
                      f"Set {ENV_DIR} to a writable folder.") from e


def _save_npz(folder: Path, arrays: dict[str, np.ndarray]) -> None:
    with _atomic_file(folder / NPZ_NAME) as (f, _):
        np.savez(f, **arrays)  # uncompressed: loading it must stay fast


# ----------------------------------------------------------------------------- downloading

def _progress_bar(total, name: str):
    from tqdm import tqdm  # imported here: `import cnnlib` stays fast

    return tqdm(total=total, desc=name, unit="B", unit_scale=True, file=sys.stderr)


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

    from . import __version__

    request = urllib.request.Request(url, headers={"User-Agent": f"cnnlib/{__version__} (MNIST loader)"})
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
                    chunk = response.read(CHUNK)
                except (OSError, http.client.HTTPException) as e:
                    of = f" of {length}" if length is not None else ""
                    raise _MirrorFailed(f"the connection broke after {got}{of} bytes ({e!r})") from None
                if not chunk:
                    break
                out.write(chunk)
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
        _say(f"downloading {url} into {folder}")
        try:
            with _atomic_file(folder / spec.name) as (f, tmp):
                _download(url, f, spec)
                f.flush()
                data = read_idx_gz(tmp, spec)
            return data, answers
        except _MirrorFailed as e:
            answer = e.answer
            if e.unreachable:
                unreachable[base] = answer
        except _Rejected as e:
            answer = f"sent a file that failed verification: {e}"
        answers.append((url, answer))
        _say(f"{url}: {answer}; trying the next mirror" if base != mirrors[-1] else f"{url}: {answer}")
    return None, answers


def fetch_files(folder=None, mirrors=None, files=MNIST_FILES) -> dict[str, np.ndarray]:
    """Make sure ``folder`` holds verified copies of ``files``; return their data as uint8 arrays.

    A ``.gz`` already in the folder is verified; a missing one, or one that fails, is (re)downloaded
    from ``mirrors`` in order. Raises :class:`MnistDownloadError` (after trying every file) when a
    file could not be obtained.

    folder: default :func:`mnist_dir`; mirrors: default :func:`configured_mirrors`;
    files: the expected files (tests pass a small synthetic set with its own hashes).
    Returns: ``{spec.key: array of spec.shape}``.
    """
    folder = Path(folder) if folder is not None else mnist_dir()
    mirrors = parse_mirrors(mirrors) if mirrors is not None else configured_mirrors()
    _make_dir(folder)
    arrays, failures, unreachable = {}, {}, {}
    for spec in files:
        path = folder / spec.name
        if path.exists():
            try:
                arrays[spec.key] = read_idx_gz(path, spec)
                continue
            except _Rejected as e:
                _say(f"{path} failed verification ({e}); deleting it and downloading it again")
                path.unlink()
        data, answers = _fetch_one(spec, folder, mirrors, unreachable)
        if data is None:
            failures[spec.name] = answers
        else:
            arrays[spec.key] = data
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

def load_arrays(folder=None, mirrors=None, files=MNIST_FILES) -> dict[str, np.ndarray]:
    """The verified uint8 arrays ``{x_train (60000, 28, 28), t_train (60000,), x_test, t_test}``.

    Reads ``mnist.npz`` from the cache folder if it verifies; otherwise builds it from the ``.gz``
    files (downloading what is missing, see :func:`fetch_files`). Arguments as in :func:`fetch_files`.
    """
    folder = Path(folder) if folder is not None else mnist_dir()
    npz = folder / NPZ_NAME
    if npz.exists():
        try:
            return _read_npz(npz, files)
        except _Rejected as e:
            _say(f"{npz} failed verification ({e}); rebuilding it from the .gz files")
            npz.unlink()
    arrays = fetch_files(folder, mirrors, files)
    _save_npz(folder, arrays)
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
        arrays = fetch_files(folder, configured_mirrors())
        _save_npz(folder, arrays)
    except (MnistDownloadError, OSError, ValueError) as e:
        print(e, file=sys.stderr)
        return 1
    print(f"MNIST is ready and verified in {folder}")
    for spec in MNIST_FILES:
        size = (folder / spec.name).stat().st_size
        print(f"  {spec.name:<28} {size / 1e6:5.1f} MB  {spec.shape}")
    print(f"  {NPZ_NAME:<28} {(folder / NPZ_NAME).stat().st_size / 1e6:5.1f} MB  (the same arrays, "
          "for fast loading; rebuilt when missing)")
    print(f"""
To set up laptops without internet, do one of:
  - copy the four .gz files into data/mnist/ of each laptop's checkout;
  - put them on a USB stick or shared folder and set {ENV_MIRRORS}=file:///path/to/that/folder/
  - serve them from this machine:  python3 -m http.server 8000 --directory {folder}
    and set {ENV_MIRRORS}=http://<this machine's address>:8000/ on the laptops.""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
