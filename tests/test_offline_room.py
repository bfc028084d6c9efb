"""A room without internet, end to end: the README's steps with a local folder as the only package source.

The teacher's machine runs `python3 tasks.py download FOLDER` (here: this checkout, with its usual
package index); a copy of the checkout then plays a learner's laptop: pip's configuration files are
switched off, its index and every proxy point at a closed port, and `CNNLIB_OFFLINE=FOLDER` is all it
gets. It checks what a learner sees (one line per step, a failed step that says what to do), that `lab`
installs the runtime packages only, that `test` then adds only the test packages, that switching back
installs nothing, and that cnnlib works there with the shipped parameters and MNIST from the folder.

The teacher's folder is kept in the user's cache ($XDG_CACHE_HOME or ~/.cache, cnnlib-tests/offline-room/)
under the fingerprint of pyproject.toml and constraints.txt (what decides its contents), as pip keeps its
downloads. The first run on a machine, and the first after either file changes, downloads it from the
package index; later runs (other clones too, as CI's) make the teacher's folder with the same command from
that copy, as a teacher in a room already offline does (150 MB and most of a minute less here; the index
itself is then not asked). Delete the cache folder to test the download from the index again.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.markers import Marker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import tasks_env  # noqa: E402
import tasks_lock  # noqa: E402

CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens, so any network use fails at once
SKIP_COPY = shutil.ignore_patterns(".git", ".venv", "artifacts", "mnist", "__pycache__", ".pytest_cache",
                                   ".hypothesis", "*.egg-info", ".ipynb_checkpoints", "build", "dist")


def _tasks(checkout: Path, *args, env: dict, timeout=900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(checkout / "tasks.py"), *map(str, args)], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _learner_env(folder: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.upper().startswith(("PIP_", "CNNLIB_", "VIRTUAL_ENV")) and k.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
    return {**env, "PIP_CONFIG_FILE": os.devnull, "PIP_INDEX_URL": f"{CLOSED}/simple",
            "http_proxy": CLOSED, "https_proxy": CLOSED, "HTTP_PROXY": CLOSED, "HTTPS_PROXY": CLOSED,
            tasks_env.ENV_OFFLINE: str(folder)}


def _steps(out: str) -> list[str]:
    """The '[tasks] ...' lines, with the timings taken out."""
    return [re.sub(r" \(\d+ s\)$", "", ln) for ln in out.splitlines() if ln.startswith("[tasks]")]


def _installed(checkout: Path) -> dict[str, str]:
    code = "import importlib.metadata as md, json; print(json.dumps({d.metadata['Name']: d.version for d in md.distributions()}))"
    out = subprocess.run([str(checkout / ".venv/bin/python"), "-c", code], capture_output=True, text=True, check=True)
    return {re.sub(r"[-_.]+", "-", k).lower(): v for k, v in json.loads(out.stdout).items()}


def _download(folder: Path, *options, env: dict) -> list[str]:
    """The teacher's `python3 tasks.py download FOLDER`; the names of the wheels it left there."""
    done = _tasks(ROOT, "download", folder, *options, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in (folder / "mnist").iterdir()) == sorted(
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz"])
    return sorted(p.name for p in (folder / "wheels").iterdir())


def _keep(folder: Path, kept: Path) -> None:
    """Copy ``folder`` to ``kept``, whole or not at all (other checkouts on this machine may run this test at
    the same time); folders of other fingerprints go."""
    kept.parent.mkdir(parents=True, exist_ok=True)
    for other in kept.parent.iterdir():
        if other.name != kept.name and not other.name.endswith(".part"):
            shutil.rmtree(other, ignore_errors=True)
    part = kept.with_name(f"{kept.name}.{os.getpid()}.part")
    shutil.copytree(folder, part)
    try:
        part.rename(kept)
    except OSError:  # another run kept it first
        shutil.rmtree(part, ignore_errors=True)


@pytest.mark.skipif(sys.platform == "win32", reason="the README's commands are for Linux and macOS")
def test_a_room_without_internet_installs_from_the_teachers_folder(tmp_path):
    # The teacher, with internet (or, in a room already offline, from its $CNNLIB_OFFLINE folder):
    # wheels of the runtime and test packages at constraints.txt's versions, and MNIST.
    full, room = tmp_path / "full", tmp_path / "room"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    kept = cache / "cnnlib-tests" / "offline-room" / tasks_env.install_fingerprint()[:16]
    if (kept / "wheels").is_dir():
        wheels = _download(full, "--test", env=_learner_env(kept))
    else:
        wheels = _download(full, "--test", env=dict(os.environ))
        _keep(full, kept)
    assert {"numpy", "setuptools", "pytest", "playwright"} <= {w.split("-")[0].lower() for w in wheels}
    # What the README tells a teacher (no --test): the runtime packages only. From `full` alone, so it
    # needs no network a second time.
    wheels = _download(room, env=_learner_env(full))
    assert {"numpy", "matplotlib", "jupyterlab", "setuptools"} <= {w.split("-")[0].lower() for w in wheels}
    assert not {"pytest", "playwright", "nbval", "hypothesis"} & {w.split("-")[0].lower() for w in wheels}

    laptop = tmp_path / "laptop"
    shutil.copytree(ROOT, laptop, ignore=SKIP_COPY)

    # A wrong folder: the step fails in a few lines that say what to do, not pip's wall of text.
    empty = tmp_path / "empty"
    (empty / "wheels").mkdir(parents=True)
    done = _tasks(laptop, "lab", "--version", env=_learner_env(empty))
    assert done.returncode != 0
    assert _steps(done.stdout) == [
        f"[tasks] creating the environment .venv (Python {sys.version.split()[0]}) ... done",
        f"[tasks] fetching cnnlib (versions from constraints.txt, from {empty}) ... failed"]
    assert "lacks a package" in done.stderr and "tasks.py download" in done.stderr
    assert len(done.stderr.splitlines()) <= 20, done.stderr

    # The learner's `lab`: the runtime packages from the folder only, MNIST from the folder.
    done = _tasks(laptop, "lab", "--version", env=_learner_env(room))
    assert done.returncode == 0, done.stdout + done.stderr
    steps = _steps(done.stdout)
    assert re.fullmatch(rf"\[tasks\] fetching cnnlib \(versions from constraints.txt, from {re.escape(str(room))}\) "
                        r"\.\.\. \d+ packages", steps[0]), steps
    assert re.fullmatch(r"\[tasks\] installing \d+ packages \.\.\. done", steps[1]), steps
    assert steps[2:] == [f"[tasks] MNIST ... ready in {laptop / 'data' / 'mnist'}"]
    assert done.stdout.splitlines()[-1] == tasks_lock.read_lock()["jupyterlab"][0]  # `jupyter lab --version`
    installed = _installed(laptop)
    pins = {k: v for k, (v, marker) in tasks_lock.read_lock().items() if not marker or Marker(marker).evaluate()}
    assert "pytest" not in installed and "playwright" not in installed  # lab installs no test packages
    assert {k: (v, pins[k]) for k, v in installed.items() if k in pins and pins[k] != v} == {}

    # cnnlib works there: the shipped parameters on MNIST test images read from the folder.
    check = ("from cnnlib import load_mnist; from cnnlib.train import load_trained\n"
             "(_, _), (x, t) = load_mnist(flatten=False)\n"
             "print(load_trained('simple_convnet').accuracy(x[:500], t[:500]))\n")
    done = subprocess.run([str(laptop / ".venv/bin/python"), "-c", check], cwd=laptop, env=_learner_env(room),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) >= 0.97  # 99.30% on all 10,000 test images

    # `test` adds the test packages only (from a `download --test` folder); `lab` then installs nothing.
    done = _tasks(laptop, "test", "--version", env=_learner_env(full))
    assert done.returncode == 0, done.stdout + done.stderr
    steps = _steps(done.stdout)
    assert re.fullmatch(r"\[tasks\] fetching the test packages \(.*\) \.\.\. \d+ packages", steps[0]), steps
    assert re.fullmatch(r"\[tasks\] installing \d+ packages \.\.\. done", steps[1]), steps
    added = set(_installed(laptop)) - set(installed)
    assert {"pytest", "nbval", "hypothesis", "playwright"} <= added and "numpy" not in added
    assert re.search(r"\bUninstalling|Building editable", (laptop / ".venv/pip-install.log").read_text()) is None
    done = _tasks(laptop, "lab", "--version", env=_learner_env(room))
    assert done.returncode == 0 and _steps(done.stdout) == [f"[tasks] MNIST ... ready in {laptop / 'data' / 'mnist'}"]
