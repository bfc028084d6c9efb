"""Parameter files (``.npz``, never pickle) and the record of the run that wrote them (``.json`` beside).

``NAME.npz`` holds every parameter array under its name (``W1, b1, ...``), the network's
architecture as JSON (:data:`ARCH_KEY`) and the id of the run that wrote it (:data:`RUN_KEY`).
``NAME.json``, when a training run writes one, holds the same id as ``run_id``.

Writing: both files go to temporary files with unique names beside them (:mod:`cnnlib.files`) and
are renamed into place only when both are complete, so two processes saving to one path never
write into each other's files, and a reader sees whole files only. Two renames are not one, so a
reader could meet the new ``.npz`` with the old ``.json`` for a moment: :func:`read_record` and
:func:`load_run` compare the ids and read again until the pair belongs to one run.

Reading is all or nothing: the whole file is read and checked (architecture, names, shapes, dtypes,
finite values that fit the network's dtype) before any parameter changes. A pickle file (the book's
``params.pkl``) is refused with how to convert it: unpickling can run any code hidden in the file.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import numpy as np

from .files import atomic_file

__all__ = ["ARCH_KEY", "RUN_KEY", "npz_path", "record_path", "save_npz_params", "load_npz_params",
           "read_record", "load_run"]

ARCH_KEY = "__architecture__"
RUN_KEY = "__run__"
# How long a reader waits for the second rename of a save that is under way before it gives up.
PAIR_WAIT_SECONDS = 10.0


def npz_path(file_name) -> Path:
    """``file_name`` with ``.npz`` added unless it ends so (``f.v2`` -> ``f.v2.npz``), as np.savez names it;
    a record's name stands for its parameter file (``f.json`` -> ``f.npz``)."""
    path = Path(file_name)
    if path.suffix == ".json":
        return path.with_suffix(".npz")
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def record_path(file_name) -> Path:
    """The run record beside a parameter file: ``f.v2.npz`` -> ``f.v2.json``."""
    return npz_path(file_name).with_suffix(".json")


def save_npz_params(file_name, params, architecture, record=None) -> Path:
    """Write ``params`` and ``architecture`` to ``file_name`` (.npz added if missing) and, if given,
    ``record`` (a JSON-able dict) to the ``.json`` beside it, both under one new run id.
    Returns the ``.npz`` path. See the module docstring for why no reader sees half a save."""
    path = npz_path(file_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    run_id = uuid.uuid4().hex
    fix = "Choose another path (--out for a training run)."
    with atomic_file(path, "folder", fix) as (npz, _):
        np.savez(npz, **{ARCH_KEY: np.array(json.dumps(architecture, sort_keys=True)),
                         RUN_KEY: np.array(run_id)}, **params)
        if record is not None:
            with atomic_file(record_path(path), "folder", fix) as (js, _):
                js.write((json.dumps({**record, "run_id": run_id}, indent=1) + "\n").encode())
    return path


# ----------------------------------------------------------------------------- reading

def _read_npz(path: Path) -> dict:
    """Every array of an .npz file, read completely (so a damaged file fails here, naming itself)."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head[:1] == b"\x80" or path.suffix in (".pkl", ".pickle"):
        raise ValueError(
            f"{path} is a pickle file (like the book's params.pkl). cnnlib never loads pickle files: "
            f"unpickling can run any code hidden in the file. Use a parameter file saved by "
            f"save_params() (.npz). To use the book's trained file, convert it once where you run the "
            f"book's own code: after network.load_params('params.pkl') there, np.savez('params.npz', "
            f"**network.params); then load_params('params.npz') here (its shapes are checked; it records "
            f"no architecture)."
        )
    if head != b"PK\x03\x04":
        reason = "it is empty" if not head else "it does not start like an .npz (zip) file"
        raise ValueError(f"Cannot read parameters from {path}: {reason}. Was it copied or downloaded "
                         f"completely? Save it again with save_params(), or re-create it (python3 tasks.py "
                         f"train NAME for the shipped files).")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
        for key, value in arrays.items():
            if not isinstance(value, np.ndarray):  # np.load hands back the raw bytes of a non-.npy member
                raise ValueError(f"its entry {key!r} is not a numpy array")
        return arrays
    except Exception as e:  # zipfile.BadZipFile, EOFError, ValueError (object arrays), OSError ...
        raise ValueError(f"Cannot read parameters from {path}: the file is damaged or incomplete "
                         f"({type(e).__name__}: {e}). Save it again with save_params(), or re-create it "
                         f"(python3 tasks.py train NAME for the shipped files).") from None


def _describe(architecture) -> str:
    """One line per setting, for error messages that put two architectures side by side."""
    if architecture is None:
        return "(not recorded)"
    return ", ".join(f"{k}={v}" for k, v in sorted(architecture.items()))


def _recorded_architecture(path: Path, data: dict):
    """The architecture recorded in the file (a dict), ``None`` when there is none, else a clear error."""
    if ARCH_KEY not in data:
        return None
    try:
        saved = json.loads(str(data[ARCH_KEY]))
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: the recorded architecture is not valid JSON ({e}).") from None
    if not isinstance(saved, dict):
        raise ValueError(f"{path}: the recorded architecture is {type(saved).__name__} {str(saved)[:60]!r}, not "
                         f"the settings of a network; the file was not written by save_params().")
    return saved


def _check(path: Path, data: dict, saved_arch, params: dict, architecture: dict) -> None:
    """Raise a ValueError unless every array of ``params`` can be replaced by the file's."""
    both = f"\n  file:    {_describe(saved_arch)}\n  network: {_describe(architecture)}"
    # Compare after a JSON round trip, so tuples and lists (input_dim) compare equal.
    if saved_arch is not None and saved_arch != json.loads(json.dumps(architecture)):
        differ = sorted(k for k in set(saved_arch) | set(architecture)
                        if saved_arch.get(k) != json.loads(json.dumps(architecture.get(k))))
        raise ValueError(f"Cannot load {path.name}: it was saved from a different network "
                         f"({', '.join(differ)} differ).{both}\nBuild the network with the file's settings, "
                         f"e.g. {saved_arch.get('class', 'Network')}(...) with the values above.")
    missing = [k for k in params if k not in data]
    if missing:
        held = sorted(k for k in data if k not in (ARCH_KEY, RUN_KEY))
        raise ValueError(f"{path.name} has no {', '.join(missing)}; it holds {held}.{both}")
    for key, value in params.items():
        saved = data[key]
        if saved.shape != value.shape:
            raise ValueError(f"Cannot load {path.name} into this network: {key} has shape {saved.shape} in the "
                             f"file but {value.shape} in the network.{both}")
        if saved.dtype.kind not in "fiu" or not np.can_cast(saved.dtype, value.dtype, "same_kind"):
            raise ValueError(f"Cannot load {path.name}: {key} holds {saved.dtype} numbers, which cannot become "
                             f"the network's {value.dtype} weights. The file is not a parameter file of cnnlib.")
        if not np.all(np.isfinite(saved)):
            raise ValueError(f"Cannot load {path.name}: {key} contains NaN or infinite values (training "
                             f"diverged?). Nothing was loaded.")
        largest = float(np.max(np.abs(saved))) if saved.size else 0.0
        if value.dtype.kind == "f" and largest > float(np.finfo(value.dtype).max):
            raise ValueError(f"Cannot load {path.name}: {key} holds values up to {largest:.3g}, more than the "
                             f"network's {value.dtype} can hold ({np.finfo(value.dtype).max:.3g}): they would "
                             f"become infinite. Nothing was loaded.")


def _run_id(data: dict):
    return str(data[RUN_KEY]) if RUN_KEY in data else None


def _existing(file_name) -> Path:
    path = Path(file_name)
    if not path.is_file():
        raise FileNotFoundError(f"No parameter file at {path}.")
    return path


def _read_checked(path: Path, params, architecture):
    """The file's arrays and recorded architecture, after every check against ``params``."""
    data = _read_npz(path)
    saved_arch = _recorded_architecture(path, data)
    _check(path, data, saved_arch, params, architecture)
    return data, saved_arch


def _copy(data: dict, params: dict) -> None:
    for key, value in params.items():
        value[...] = data[key]


def load_npz_params(file_name, params, architecture):
    """Copy arrays saved by :func:`save_npz_params` into ``params`` (same arrays, changed in place,
    so the layers holding them see the loaded values).

    All or nothing: the whole file is read and checked first — its recorded architecture against
    ``architecture`` (every setting), every array's name, shape and dtype, and that its values are
    finite and fit ``params``' dtype — and only then is any parameter changed. Returns the file's
    recorded architecture (``None`` if it has none)."""
    data, saved_arch = _read_checked(_existing(file_name), params, architecture)
    _copy(data, params)
    return saved_arch


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise ValueError(f"{path} is not a valid run record ({e}).") from None


def _paired(path: Path) -> tuple[dict, dict]:
    """The arrays of ``path`` and its record, of one run: read both, compare the run ids, read again while
    a save is between its two renames. Files without run ids (written before they existed) count as a pair."""
    deadline = time.monotonic() + PAIR_WAIT_SECONDS
    while True:
        data = _read_npz(path)
        record = _read_json(record_path(path))
        if _run_id(data) is None or record.get("run_id") in (None, _run_id(data)):
            return data, record
        if time.monotonic() > deadline:
            raise ValueError(f"{record_path(path).name} belongs to another run than {path.name} (run ids "
                             f"{record.get('run_id')} and {_run_id(data)}): a save is under way, or the "
                             f"parameters were saved without their record. Train again to write both.")
        time.sleep(0.05)


def read_record(file_name) -> dict:
    """The ``.json`` record of the run that wrote the parameter file ``file_name``."""
    return _paired(_existing(npz_path(file_name)))[1]


def load_run(file_name, params, architecture):
    """:func:`load_npz_params` and :func:`read_record` of one and the same run: ``(architecture, record)``."""
    path = _existing(npz_path(file_name))
    data, record = _paired(path)
    saved_arch = _recorded_architecture(path, data)
    _check(path, data, saved_arch, params, architecture)
    _copy(data, params)
    return saved_arch, record
