#!/usr/bin/env python3
"""The project's commands. Needs only Python >= 3.10; creates ./.venv on first use.

    python3 tasks.py lab        open JupyterLab on notebooks/ (installs the runtime packages only)
    python3 tasks.py test       run every test: unit tests, every notebook through nbval and in
                                JupyterLab in headless Chromium (tests/test_browser.py), with one BLAS
                                thread; then the BLAS-sensitive tests again with the machine's BLAS
                                threads (adds the test packages)
    python3 tasks.py test --quick   the unit tests only (no notebooks, browser, installs): a developer's loop
    python3 tasks.py execute    re-execute every notebook in place (then commit them)
    python3 tasks.py bench [SCRIPT.py ...] [OPTIONS]   run the benchmarks in bench/ (options go to each script)
    python3 tasks.py train NAME train a network with the reproducible settings (see cnnlib/train.py)
    python3 tasks.py download FOLDER [--test] [pip download options]
                                put into FOLDER what a room without internet needs: the wheels
                                (versions from constraints.txt) and the four MNIST files
    python3 tasks.py upgrade    replace .venv by the newest versions pyproject.toml allows and write
                                them into constraints.txt and environment.yml (then execute, test, commit)

Every install goes through constraints.txt, the exact versions the notebooks were executed and tested
with. CNNLIB_OFFLINE=FOLDER (a folder made by `download`) installs from that folder only, no internet.
Extra arguments after `test` go to pytest, e.g. `python3 tasks.py test -x tests/test_shapes.py`;
after `lab`, to JupyterLab.

This file holds the commands; creating, checking and installing into .venv is tasks_env.py, and
constraints.txt and environment.yml are written by tasks_lock.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import tasks_env as env
from tasks_env import ROOT, Step, run, say
from tasks_lock import damaged_distributions, dependency_closure, lock_text, pin_environment_yml, read_lock

NOTEBOOKS = ROOT / "notebooks"
# Tests whose results go through BLAS (matrix products): run a second time with the machine's own BLAS
# thread count; see tests/conftest.py.
BLAS_MARK = "blas"
# Left out of `test --quick`: nbval, the browser, installs into a copy, subprocess trainings.
SLOW_MARKS = "not browser and not slow"


# ----------------------------------------------------------------------------- MNIST

def ensure_mnist(required: bool) -> bool:
    """Download and verify MNIST into its cache (quick when it is there)."""
    environ = dict(os.environ)
    folder = env.offline_folder()
    if folder and not environ.get("CNNLIB_MNIST_MIRRORS"):
        environ["CNNLIB_MNIST_MIRRORS"] = (folder / "mnist").as_uri() + "/"
    step = Step("MNIST")
    # `python -m cnnlib.mnist` (download if needed, verify), with its report replaced by the folder
    code = ("import contextlib, io, sys\nfrom cnnlib import mnist\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    code = mnist.main([])\n"
            "print(mnist.mnist_dir())\nsys.exit(code)\n")
    done = subprocess.run([str(env.PYTHON), "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True)
    if done.returncode == 0:
        step.done(f"ready in {done.stdout.strip()}")
        return True
    advice = ("the notebooks need MNIST. Fix what the message above says (or set CNNLIB_MNIST_MIRRORS to a "
              "folder or server that has the four files, see the README) and run the command again.")
    if required:
        step.failed(done.stderr, advice)
    print(" failed", flush=True)
    print(done.stderr.rstrip(), file=sys.stderr)
    say("JupyterLab opens anyway; " + advice)
    return False


# ----------------------------------------------------------------------------- commands

def notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def cmd_lab(args) -> int:
    env.ensure_env()
    ensure_mnist(required=False)
    return run(env.BIN / "jupyter", "lab", *args, cwd=NOTEBOOKS)


def cmd_test(args) -> int:
    quick = "--quick" in args
    args = [a for a in args if a != "--quick"]
    env.ensure_env(env.EXTRAS)
    # Notebooks call load_mnist(). Fill its cache first, so download messages never end up in a
    # notebook's output (nbval compares outputs) and a missing network fails here, clearly.
    ensure_mnist(required=True)
    # One BLAS thread for the whole run: on a 2-core machine that others share, OpenBLAS's threads wait
    # for each other on every small product (a DeepConvNet forward pass took ten times the CPU time with
    # two threads at load 12). The BLAS-sensitive tests then run again with the machine's own thread count.
    single = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    if quick:
        # without nbval's plugin (it imports nbformat, jsonschema and coverage: seconds before any test runs)
        return run(env.PYTHON, "-m", "pytest", "-q", "-p", "no:nbval", "-m", SLOW_MARKS, *(args or ["tests"]),
                   env=single)
    nbval = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"]
    # Strict nbval: stored outputs must equal a re-execution (only tests/nbval_sanitize.cfg is masked).
    code = run(env.PYTHON, "-m", "pytest", *nbval, *(args or ["tests", "notebooks", "--require-all-notebooks"]),
               env=single)
    if args or code:
        return code
    # Results must not depend on the BLAS kernel or thread count: the BLAS-sensitive tests once more with
    # the thread count OpenBLAS picks here (OPENBLAS_NUM_THREADS and OPENBLAS_CORETYPE as the machine sets them).
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "OpenBLAS's default")
    say(f"the BLAS-sensitive tests again with the machine's BLAS threads ({threads}; pytest -m {BLAS_MARK}) ...")
    return run(env.PYTHON, "-m", "pytest", "-q", "-p", "no:nbval", "-m", BLAS_MARK, "tests")


def cmd_execute(args) -> int:
    env.ensure_env()
    # MNIST first, so a download's messages never end up in a notebook's stored outputs.
    ensure_mnist(required=True)
    paths = [Path(a).resolve() for a in args] or notebooks()
    for nb in paths:
        say(f"executing {nb.relative_to(ROOT)} ...")
        # After running, merge consecutive stream outputs and keep only what a carriage return leaves
        # (a progress bar's last state), so the stored notebook reads as JupyterLab shows it.
        # A cell tagged skip-execution (7.5's full training run, several minutes) is not run and keeps
        # its stored output from a real run; run it in JupyterLab to renew that output.
        code = run(env.PYTHON, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
                   "--ExecutePreprocessor.timeout=600",
                   "--NotebookExporter.preprocessors=nbconvert.preprocessors.CoalesceStreamsPreprocessor",
                   nb, cwd=nb.parent)
        if code:
            return code
        tidy_executed(nb)
    return 0


def tidy_executed(path: Path) -> None:
    """Give the code cells execution counts 1, 2, 3, ... in order, and drop each cell's run metadata
    (nbconvert's ``metadata.execution`` timestamps: every re-run would be a diff of every cell). A
    skip-execution cell keeps the output of the run that made it, where it ran in this same place;
    without renumbering it keeps that run's count and reads on GitHub as if it ran out of order."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    count = 0
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)
        if cell["cell_type"] == "code":
            count += 1
            cell["execution_count"] = count
            for out in cell.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = count
    path.write_text(json.dumps(nb, sort_keys=True, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")  # as nbformat writes


def cmd_bench(args) -> int:
    env.ensure_env()
    # bench [SCRIPT.py ...] [OPTIONS]: the options after the scripts go to each of them (e.g. --record)
    n = next((i for i, a in enumerate(args) if not a.endswith(".py")), len(args))
    scripts, options = [ROOT / a for a in args[:n]], args[n:]
    scripts = scripts or sorted((ROOT / "bench").glob("bench_*.py"))
    for script in scripts:
        say(f"running {script.relative_to(ROOT)} ...")
        code = run(env.PYTHON, script, *options)
        if code:
            return code
    return 0


def cmd_train(args) -> int:
    env.ensure_env()
    return run(env.PYTHON, "-m", "cnnlib.train", *args)


def cmd_download(args) -> int:
    """Fill FOLDER/wheels and FOLDER/mnist for machines without internet (same OS and Python as here,
    unless pip download options such as --platform/--python-version/--only-binary=:all: say otherwise)."""
    if not args or args[0].startswith("-"):
        sys.exit("usage: python3 tasks.py download FOLDER [--test] [pip download options]")
    folder = Path(args[0]).expanduser().resolve()
    groups = [g for g in env.EXTRAS if f"--{g}" in args[1:]]
    pip_options = [a for a in args[1:] if a.lstrip("-") not in groups]
    env.ensure_env()
    wheels = folder / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    requirements = env.extra_requirements(()) + (env.extra_requirements(groups) if groups else [])
    # setuptools builds cnnlib's editable install on each machine (pyproject.toml's build-system).
    step = Step(f"downloading the wheels{' with the ' + ', '.join(groups) + ' packages' if groups else ''} "
                f"into {wheels}")
    with open(env.PIP_LOG, "w") as log:
        code = subprocess.call([str(env.PYTHON), "-m", "pip", "download", "--progress-bar", "off", "--no-color",
                                "--disable-pip-version-check", "-d", str(wheels), *env.pip_source_args(),
                                "-c", str(env.LOCK), *requirements, "setuptools>=64", *pip_options],
                               cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    if code:
        step.failed(env.pip_error(), env.pip_advice())
    files = list(wheels.iterdir())
    step.done(f"{len(files)} files, {sum(f.stat().st_size for f in files) / 1e6:.0f} MB")
    if not ensure_mnist(required=True):
        return 1
    step = Step(f"copying the MNIST files into {folder / 'mnist'}")
    code = ("import json; from cnnlib.mnist import mnist_dir, MNIST_FILES; "
            "print(json.dumps([str(mnist_dir() / s.name) for s in MNIST_FILES]))")
    sources = json.loads(subprocess.run([str(env.PYTHON), "-c", code], cwd=ROOT, capture_output=True, text=True,
                                        check=True).stdout)
    (folder / "mnist").mkdir(exist_ok=True)
    for src in sources:
        shutil.copy2(src, folder / "mnist" / Path(src).name)
    step.done()
    say(f"on each machine without internet: {env.ENV_OFFLINE}={folder} python3 tasks.py "
        f"{'test' if groups else 'lab'} (copy the folder there first; the path may differ)")
    return 0


# ----------------------------------------------------------------------------- the lock file

def cmd_upgrade(args) -> int:
    if args:
        sys.exit("usage: python3 tasks.py upgrade")
    env.refuse_linked_env()
    previous = env.PREVIOUS_VENV.name
    if env.PREVIOUS_VENV.exists():
        sys.exit(f"[tasks] {previous} is there: an earlier upgrade was cut off before it could put it back as "
                 f".venv. Look which one to keep: rm -rf .venv && mv {previous} .venv gives the earlier environment "
                 f"back; rm -rf {previous} keeps the new one. Then run the command again.")
    say("a new .venv with the newest versions pyproject.toml allows; constraints.txt and environment.yml "
        "are rewritten")
    if env.VENV.exists():  # kept until the new one works: an upgrade that fails (no internet) gives it back
        env.VENV.rename(env.PREVIOUS_VENV)
    try:
        env.create_env()
        env.pip_install(["-e", f".[{','.join(env.EXTRAS)}]"], "cnnlib with the test packages", constraints=None)
        step = Step("writing constraints.txt and environment.yml")
        done = subprocess.run([str(env.PYTHON), __file__, "_lock"], capture_output=True, text=True, cwd=ROOT)
        if done.returncode:
            step.failed(done.stderr, "could not write constraints.txt from the new environment.")
    except BaseException:  # SystemExit from a failed step, Ctrl-C: the new .venv is this run's own
        shutil.rmtree(env.VENV, ignore_errors=True)
        if env.PREVIOUS_VENV.exists():
            env.PREVIOUS_VENV.rename(env.VENV)
            say("the earlier .venv is back as it was")
        raise
    shutil.rmtree(env.PREVIOUS_VENV, ignore_errors=True)  # replaced, as `upgrade` says
    env.LOCK.write_text(done.stdout)
    python = "{}.{}".format(*sys.version_info[:2])  # .venv's Python is this one
    env.ENVIRONMENT_YML.write_text(pin_environment_yml(env.ENVIRONMENT_YML.read_text(), read_lock(env.LOCK), python))
    env.write_stamp(env.EXTRAS)
    step.done()
    say("now: python3 tasks.py execute; python3 tasks.py test; git diff constraints.txt; commit the lock, "
        "environment.yml and the notebooks together (or `git checkout constraints.txt environment.yml` to go back)")
    return 0


def _cmd_missing(args) -> int:
    """(internal, run with .venv's Python by tasks_env.ensure_env) print the missing and the damaged distributions of
    cnnlib[args] as JSON: {"missing": [...], "damaged": [...]}."""
    missing = []
    closure = dependency_closure(args, missing)
    print(json.dumps({"missing": sorted(set(missing)), "damaged": damaged_distributions(closure)}))
    return 0


def _cmd_lock(args) -> int:
    """(internal, run with .venv's Python by `upgrade`) print constraints.txt for this environment."""
    sys.stdout.write(lock_text())
    return 0


COMMANDS = {"lab": cmd_lab, "test": cmd_test, "execute": cmd_execute, "bench": cmd_bench, "train": cmd_train,
            "download": cmd_download, "upgrade": cmd_upgrade, "_lock": _cmd_lock, "_missing": _cmd_missing}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
