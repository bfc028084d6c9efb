"""Where the project's files are, whatever the current working directory.

The book's scripts only work from inside their chapter folder (its issue #25)
because they find files relative to the working directory. Here every path
is relative to this package, so notebooks and scripts run from anywhere.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["project_root", "data_dir", "params_dir", "runs_dir"]


def project_root() -> Path:
    """The checkout that holds ``cnnlib/`` (``pip install -e .`` keeps the package there)."""
    return Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """``data/`` of the checkout, or ``$CNNLIB_DATA_DIR`` when set."""
    override = os.environ.get("CNNLIB_DATA_DIR")
    return Path(override).expanduser().resolve() if override else project_root() / "data"


def params_dir() -> Path:
    """Folder of the shipped trained parameters (``.npz``)."""
    return data_dir() / "params"


def runs_dir() -> Path:
    """Folder of training runs that are not the shipped ones (``data/runs/``, git-ignored)."""
    return data_dir() / "runs"
