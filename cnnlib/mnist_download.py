"""Downloading the four MNIST files from mirrors into the cache folder (:func:`fetch_files`).

Where the files come from
    The four standard ``.gz`` files are fetched from the first mirror that delivers a valid copy
    (:data:`MIRRORS`, in order). ``$CNNLIB_MNIST_MIRRORS`` replaces that list: base URLs separated
    by whitespace or commas, e.g. ``file:///srv/mnist/`` (a folder, USB stick or network share;
    write a space in a path as ``%20``) or ``http://127.0.0.1:8000/`` (a teacher's
    ``python3 -m http.server``). A mirror that cannot be reached at all is not asked again for the
    remaining files. When no mirror delivers a file, :class:`MnistDownloadError` says what each
    mirror answered and which four files to put into which folder by hand.

A mirror that answers but barely sends fails too, and the next mirror is tried: no data for
:data:`TIMEOUT` seconds, less than :data:`MIN_RATE` bytes per second on average once
:data:`RATE_GRACE` seconds have passed, or a file not finished within :data:`DEADLINE` seconds.

Each download goes to a temporary file that is renamed into place only after it verified
(:mod:`cnnlib.mnist_files`). Messages and progress bars go to stdout: in a notebook they read as
normal output, not as errors in a pink box.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from .mnist_files import (MNIST_FILES, IdxFile, Rejected, atomic_file, make_dir, mnist_dir, read_idx_gz,
                          remove_if_unchanged, stat_if_exists)

__all__ = ["fetch_files", "configured_mirrors", "parse_mirrors", "MnistDownloadError", "MIRRORS", "ENV_MIRRORS"]

ENV_MIRRORS = "CNNLIB_MNIST_MIRRORS"

#: Default mirrors, in the order well-known libraries try them today
#: (the book's http://yann.lecun.com/exdb/mnist/ answers 403/404 to scripts).
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

TIMEOUT = 30  # seconds without an answer or data before a mirror counts as unreachable
CHUNK = 1 << 16
# A mirror that trickles (a byte every few seconds keeps TIMEOUT from ever firing) fails on these, so the
# next mirror gets its turn: the average rate once RATE_GRACE seconds have passed (a connection starts
# slowly), and an overall DEADLINE per file (MNIST's largest file, 9.9 MB, takes 17 minutes at MIN_RATE).
MIN_RATE = 10_000  # bytes per second
RATE_GRACE = 20  # seconds
DEADLINE = 1800  # seconds

class MnistDownloadError(RuntimeError):
    """No mirror delivered a valid copy of one or more MNIST files."""


class _MirrorFailed(Exception):
    """A mirror did not deliver a file; ``answer`` says what happened."""

    def __init__(self, answer: str, unreachable: bool = False):
        super().__init__(answer)
        self.answer = answer
        self.unreachable = unreachable


def say(message: str) -> None:
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
    for i, item in enumerate(items):
        if not _is_base_url(item):
            if isinstance(mirrors, str) and i and urlsplit(items[i - 1]).scheme == "file":
                # A folder name with a space, split at it: name the whole path, not its last piece.
                pieces = [items[i - 1]]
                for piece in items[i:]:
                    if _is_base_url(piece):
                        break
                    pieces.append(piece)
                whole = " ".join(pieces)
                raise ValueError(
                    f"MNIST mirror {whole!r} has a space in its path, and spaces separate mirrors in "
                    f"${ENV_MIRRORS}. Write each space as %20: {whole.replace(' ', '%20')}")
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


def _is_base_url(item: str) -> bool:
    """``http(s)://host/...`` or ``file:///absolute/folder``."""
    parts = urlsplit(item)
    if parts.scheme in ("http", "https"):
        return bool(parts.netloc)
    return parts.scheme == "file" and not parts.netloc and parts.path.startswith("/")


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


def _check_pace(got: int, length: int | None, seconds: float) -> None:
    """Raise ``_MirrorFailed`` for a download too slow to wait for (:data:`MIN_RATE`, :data:`DEADLINE`):
    the mirror is then not asked again, and the next one is tried."""
    of = f" of {length}" if length is not None else ""
    if seconds > DEADLINE:
        raise _MirrorFailed(f"did not finish within {DEADLINE} s ({got}{of} bytes arrived)", unreachable=True)
    if seconds > RATE_GRACE and got < MIN_RATE * seconds:
        raise _MirrorFailed(f"sent only {got}{of} bytes in {seconds:.1f} s, less than {MIN_RATE / 1000:g} kB/s: "
                            f"too slow to wait for", unreachable=True)


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
        got, start = 0, time.monotonic()
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
                _check_pace(got, length, time.monotonic() - start)
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
                say(f"downloading {url} into {folder}")
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
            say(f"could not keep {spec.name} in {folder} ({e}); using the verified download anyway")
            return data, answers
        answers.append((url, answer))
        say(f"{url}: {answer}; trying the next mirror" if base != mirrors[-1] else f"{url}: {answer}")
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
                say(f"{path} failed verification ({e}); downloading it again")
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
