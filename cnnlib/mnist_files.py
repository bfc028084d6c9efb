"""The MNIST cache folder and its files: the four files expected (:data:`MNIST_FILES`), IDX checks,
the npz cache, atomic writes, leftovers.

Used by :mod:`cnnlib.mnist_download` (the mirrors) and :mod:`cnnlib.mnist` (the loaders).

What is checked
    A file counts as MNIST only if its decompressed bytes have the expected IDX header
    (magic number ``0x0803``/``0x0801`` = unsigned bytes in 3/1 dimensions, the counts 60000/10000,
    28x28) and the expected SHA-256 (:data:`MNIST_FILES`). The hashes are of the *decompressed*
    bytes, so they hold whichever mirror gzipped the file. At most the expected number of bytes is
    ever decompressed, so a wrong file (a login page, a gzip bomb) is rejected cheaply.

Several kernels may use one folder at once (a classroom on a shared folder), so nothing here
assumes it is alone:
    - a file is written to a hidden temporary file ``.<name>.<random>.part`` beside it and renamed
      into place only when complete (:mod:`cnnlib.files`), so readers see the old file or the new one,
      never half of one;
    - a damaged file is replaced, not deleted first, and :func:`remove_if_unchanged` deletes it only
      if no other process has replaced it meanwhile; a file that vanishes counts as missing;
    - a ``.part`` file left by a killed kernel is deleted once it is *stale*: unchanged for
      :data:`STALE_PART_SECONDS` (an hour). A live download writes whatever has arrived into its
      ``.part`` file at once, so at least every 30 s (``mnist_download.TIMEOUT``, after which the
      mirror counts as failed), and an npz is written in a few seconds, so a file idle for an hour belongs
      to no running kernel. The margin is wide because early deletion would break another kernel's
      load, while late deletion only costs disk space for a while (and the clocks of machines
      sharing a network folder may differ by minutes).
A read-only folder is detected by the failed write itself (:func:`atomic_file` says how to fix it).
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import stat
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import files
from .files import PART_SUFFIX
from .paths import data_dir

ENV_DIR = "CNNLIB_MNIST_DIR"
NPZ_NAME = "mnist.npz"
STALE_PART_SECONDS = 3600


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


class Rejected(Exception):
    """A file is not exactly the expected data; the message says why."""


def cache_names(files=MNIST_FILES) -> list[str]:
    """The names of the cache folder's files: the ``.gz`` files and the npz."""
    return [spec.name for spec in files] + [NPZ_NAME]


def mnist_dir() -> Path:
    """The cache folder: ``$CNNLIB_MNIST_DIR`` when set, else ``data/mnist/`` of the checkout."""
    override = os.environ.get(ENV_DIR, "").strip()
    return Path(override).expanduser().resolve() if override else data_dir() / "mnist"


# ----------------------------------------------------------------------------- reading and checking

def sha256(header: bytes, data: np.ndarray) -> str:
    """SHA-256 of ``header`` followed by the bytes of ``data``."""
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


def stat_if_exists(path: Path) -> os.stat_result | None:
    """``path.stat()``, or None if there is no such file (or folder)."""
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        raise OSError(f"cannot read the MNIST cache folder {path.parent} ({e.strerror or e}). "
                      f"Set {ENV_DIR} to a folder you can read and write.") from e


def _open_for_reading(path):
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise  # missing (perhaps just removed by another kernel): the caller fetches it
    except OSError as e:
        raise Rejected(f"cannot be read ({e.strerror or e})") from None


def read_idx_gz(path, spec: IdxFile) -> np.ndarray:
    """Decompress and check one ``.gz`` file; return its data as a uint8 array of ``spec.shape``.

    Raises :class:`Rejected` (with the reason) unless the decompressed bytes are exactly the
    expected IDX file: header, length and SHA-256; ``FileNotFoundError`` if there is no file.
    Never decompresses more than ``spec.nbytes + 1`` bytes.
    """
    with _open_for_reading(path) as raw:
        start = raw.read(64)
        if start[:2] != b"\x1f\x8b":
            hint = " (a web page: a proxy or a Wi-Fi login page answered instead)" if b"<" in start else ""
            raise Rejected(f"not gzip data{hint}; it begins {start[:24]!r}")
        raw.seek(0)
        try:
            with gzip.GzipFile(fileobj=raw) as stream:
                header = _read_exactly(stream, len(spec.header))
                if header != spec.header:
                    raise Rejected(f"{_describe_header(header)} instead of {_describe_header(spec.header)}")
                data = np.empty(spec.shape, dtype=np.uint8)
                view, got = memoryview(data).cast("B"), 0
                while got < data.size:
                    n = stream.readinto(view[got:])
                    if not n:
                        raise Rejected(f"the data ends after {len(header) + got} of {spec.nbytes} bytes")
                    got += n
                if stream.read(1):  # also reads to the end of the gzip stream, which checks its CRC
                    raise Rejected(f"longer than the expected {spec.nbytes} bytes")
        except (OSError, EOFError, zlib.error) as e:  # gzip.BadGzipFile is an OSError
            raise Rejected(f"damaged or truncated gzip data ({e})") from None
    actual = sha256(header, data)
    if actual != spec.sha256:
        raise Rejected(f"SHA-256 of the decompressed data is {actual}, expected {spec.sha256}")
    return data


def read_npz(path: Path, files) -> dict[str, np.ndarray]:
    """The arrays of a cached ``mnist.npz``, after checking each against its file's SHA-256.

    Raises :class:`Rejected` for any other content, ``FileNotFoundError`` if there is no file.
    """
    try:
        with _open_for_reading(path) as f, np.load(f, allow_pickle=False) as npz:
            if sorted(npz.files) != sorted(spec.key for spec in files):
                raise Rejected(f"it holds {sorted(npz.files)}, expected {sorted(s.key for s in files)}")
            arrays = {spec.key: npz[spec.key] for spec in files}
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as e:
        raise Rejected(f"unreadable ({e})") from None
    for spec in files:
        a = arrays[spec.key]
        if a.dtype != np.uint8 or a.shape != spec.shape:
            raise Rejected(f"{spec.key} is {a.dtype} {a.shape}, expected uint8 {spec.shape}")
        if sha256(spec.header, a) != spec.sha256:
            raise Rejected(f"{spec.key} does not match the SHA-256 of {spec.name}")
    return arrays


# ----------------------------------------------------------------------------- writing and removing

def atomic_file(path: Path):
    """:func:`cnnlib.files.atomic_file` in the MNIST cache folder: ``with atomic_file(path) as (f, tmp)``."""
    return files.atomic_file(path, "MNIST cache folder", f"Set {ENV_DIR} to a writable folder.")


def make_dir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OSError(f"cannot create the MNIST cache folder {folder} ({e.strerror or e}). "
                      f"Set {ENV_DIR} to a writable folder.") from e


def save_npz(folder: Path, arrays: dict[str, np.ndarray]) -> None:
    with atomic_file(folder / NPZ_NAME) as (f, _):
        np.savez(f, **arrays)  # uncompressed: loading it must stay fast


def _identity(st: os.stat_result) -> tuple:
    """What tells one version of a file from another (a replacement is a new inode)."""
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def remove_if_unchanged(path: Path, seen: os.stat_result) -> None:
    """Delete the damaged file ``path`` unless another process has replaced it since ``seen``.

    Never raises: a file already gone, replaced or in a read-only folder is left as it is.
    """
    try:
        if _identity(path.stat()) == _identity(seen):
            os.unlink(path)
    except OSError:
        pass


def remove_stale_parts(folder: Path, names) -> list[str]:
    """Delete the temporary files ``.<name>.*.part`` (``name`` in ``names``) that are stale.

    Stale: a regular file not modified for :data:`STALE_PART_SECONDS`; see the module docstring.
    Returns the names of the files deleted. Never raises (a read-only folder keeps its files).
    """
    now = time.time()
    prefixes = tuple(f".{name}." for name in names)
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:  # no folder yet
        return removed
    for entry in entries:
        if not (entry.name.startswith(prefixes) and entry.name.endswith(PART_SUFFIX)):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and now - st.st_mtime > STALE_PART_SECONDS:
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError:  # removed by another kernel just now, or a read-only folder
            pass
    return removed
