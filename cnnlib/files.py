"""Writing a file so that no reader ever sees half of it: a temporary file beside it, renamed into place.

Used for the MNIST cache (:mod:`cnnlib.mnist_files`) and for parameter files and run records
(:mod:`cnnlib.params_file`). Several processes may write the same path at once (two kernels saving one
network, two training runs): each gets its own temporary file ``.<name>.<random>.part``, so they never
write into one another's, and the last rename wins — a reader sees the old file or one whole new one.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from tempfile import mkstemp

__all__ = ["atomic_file", "PART_SUFFIX"]

PART_SUFFIX = ".part"


@contextmanager
def atomic_file(path: Path, folder_name: str = "folder", fix: str = ""):
    """Yield ``(file, temp_path)``: a binary file open for writing, hidden beside ``path``.

    Only if the block finishes without an exception is the file synced and renamed to ``path``;
    otherwise it is deleted. So ``path`` is either the old file or the complete new one.
    A folder that cannot be written raises ``OSError`` at once: "cannot write NAME into the
    ``folder_name`` FOLDER (reason). ``fix``".
    """
    path = Path(path)
    try:
        fd, tmp = mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=PART_SUFFIX)
    except OSError as e:
        raise OSError(f"cannot write {path.name} into the {folder_name} {path.parent} ({e.strerror or e})."
                      + (f" {fix}" if fix else "")) from e
    tmp = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f, tmp
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; these files are meant to be copied and shared
        os.replace(tmp, path)  # atomic, also over a file another process is reading
    finally:
        tmp.unlink(missing_ok=True)  # still there only when something failed
