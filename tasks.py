#!/usr/bin/env python3
"""The project's commands. Needs only Python >= 3.10; creates ./.venv on first use.

    python3 tasks.py lab        open JupyterLab on notebooks/
    python3 tasks.py test       run every test: unit tests, every notebook through nbval and in
                                JupyterLab in headless Chromium (tests/test_browser.py)
    python3 tasks.py execute    re-execute every notebook in place (then commit them)
    python3 tasks.py bench      run the benchmarks in bench/
    python3 tasks.py train NAME train a network with the reproducible settings (see cnnlib/train.py)

Extra arguments after `test` go to pytest, e.g. `python3 tasks.py test -x tests/test_shapes.py`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / "cnnlib-installed.txt"
NOTEBOOKS = ROOT / "notebooks"


def say(msg: str) -> None:
    print(f"[tasks] {msg}", flush=True)


def run(*cmd, **kw) -> int:
    return subprocess.call([str(c) for c in cmd], cwd=kw.pop("cwd", ROOT), **kw)


def install_fingerprint() -> str:
    """Changes whenever the declared dependencies change, so the venv is updated."""
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_env() -> None:
    """Create .venv and install cnnlib with its test dependencies, if not done already."""
    if sys.version_info < (3, 10):
        sys.exit(f"Python 3.10 or newer is needed; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        say(f"creating a virtual environment in {VENV} ...")
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text().strip() == install_fingerprint():
        return
    say("installing cnnlib and its dependencies (first time: about a minute) ...")
    code = run(PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", ".[test]")
    if code:
        sys.exit(f"pip install failed (exit code {code}); see the messages above.")
    STAMP.write_text(install_fingerprint())


def notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def cmd_lab(args) -> int:
    ensure_env()
    return run(BIN / "jupyter", "lab", *args, cwd=NOTEBOOKS)


def cmd_test(args) -> int:
    ensure_env()
    # Notebooks call load_mnist(). Fill its cache first, so download messages never end up in a
    # notebook's output (nbval compares outputs) and a missing network fails here, clearly.
    code = run(PYTHON, "-m", "cnnlib.mnist", stdout=subprocess.DEVNULL)
    if code:
        return code
    pytest_args = args or ["tests", "notebooks", "--require-all-notebooks"]
    # Strict nbval: stored outputs must equal a re-execution (only tests/nbval_sanitize.cfg is masked).
    return run(PYTHON, "-m", "pytest", "--nbval", "--nbval-current-env",
               "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", *pytest_args)


def cmd_execute(args) -> int:
    ensure_env()
    paths = [Path(a).resolve() for a in args] or notebooks()
    for nb in paths:
        say(f"executing {nb.relative_to(ROOT)} ...")
        # After running, merge consecutive stream outputs and keep only what a carriage return leaves
        # (a progress bar's last state), so the stored notebook reads as JupyterLab shows it.
        code = run(PYTHON, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
                   "--ExecutePreprocessor.timeout=600",
                   "--NotebookExporter.preprocessors=nbconvert.preprocessors.CoalesceStreamsPreprocessor",
                   nb, cwd=nb.parent)
        if code:
            return code
    return 0


def cmd_bench(args) -> int:
    ensure_env()
    scripts = [ROOT / a for a in args] or sorted((ROOT / "bench").glob("bench_*.py"))
    for script in scripts:
        say(f"running {script.relative_to(ROOT)} ...")
        code = run(PYTHON, script)
        if code:
            return code
    return 0


def cmd_train(args) -> int:
    ensure_env()
    return run(PYTHON, "-m", "cnnlib.train", *args)


COMMANDS = {"lab": cmd_lab, "test": cmd_test, "execute": cmd_execute, "bench": cmd_bench, "train": cmd_train}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
