#!/usr/bin/env python3
"""The project's commands. Needs only Python >= 3.10; creates ./.venv on first use.

    python3 tasks.py lab        open JupyterLab on notebooks/ (installs the runtime packages only)
    python3 tasks.py test       run every test: unit tests, every notebook through nbval and in
                                JupyterLab in headless Chromium (tests/test_browser.py), then the
                                numeric tests again with OPENBLAS_NUM_THREADS=1 (adds the test packages)
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
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / "cnnlib-installed.json"
PREVIOUS_VENV = ROOT / ".venv-before-upgrade"  # `upgrade` keeps the old environment here until the new one works
PIP_LOG = VENV / "pip-install.log"
NOTEBOOKS = ROOT / "notebooks"
LOCK = ROOT / "constraints.txt"
ENVIRONMENT_YML = ROOT / "environment.yml"
ENV_OFFLINE = "CNNLIB_OFFLINE"
EXTRAS = ("test",)  # the optional-dependency groups of pyproject.toml that tasks.py installs
# Test files of cnnlib's arithmetic, run a second time with one BLAS thread: see tests/conftest.py.
NUMERIC_MARK = "numeric"


def say(msg: str) -> None:
    print(f"[tasks] {msg}", flush=True)


def run(*cmd, **kw) -> int:
    return subprocess.call([str(c) for c in cmd], cwd=kw.pop("cwd", ROOT), **kw)


# ----------------------------------------------------------------------------- one line per step

class Step:
    """One line on the terminal: '[tasks] what ... result (time)'."""

    def __init__(self, what: str):
        self.start = time.monotonic()
        print(f"[tasks] {what} ...", end="", flush=True)

    def done(self, result: str = "done") -> None:
        print(f" {result} ({time.monotonic() - self.start:.0f} s)", flush=True)

    def failed(self, details: str, advice: str) -> None:
        print(" failed", flush=True)
        if details.strip():
            print(details.rstrip(), file=sys.stderr)
        sys.exit(f"[tasks] {advice}")


# ----------------------------------------------------------------------------- the environment

def install_fingerprint() -> str:
    """Changes whenever the declared dependencies or the pinned versions change."""
    h = hashlib.sha256()
    for path in (ROOT / "pyproject.toml", LOCK):
        h.update(path.read_bytes())
    return h.hexdigest()


def read_stamp() -> dict | None:
    """What tasks.py installed last time: {"fingerprint": ..., "extras": [...]}, or None."""
    try:
        state = json.loads(STAMP.read_text())
        return state if isinstance(state, dict) and isinstance(state.get("extras"), list) else None
    except (OSError, ValueError):
        return None


def write_stamp(extras) -> None:
    STAMP.write_text(json.dumps({"fingerprint": install_fingerprint(), "extras": sorted(extras)}) + "\n")


def read_only(e: OSError, folder: Path) -> str | None:
    """The advice for a folder one may not write into, when ``e`` says so; else None."""
    if e.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
        return None
    return (f"cannot write into {folder} ({e.strerror}): it is read-only for you. Copy the project folder to one "
            "you can write (e.g. your home folder) and run the command there.")


def create_env() -> None:
    """Create .venv, which does not exist yet (so a failure removes only what this run made)."""
    step = Step(f"creating the environment .venv (Python {platform.python_version()})")
    try:
        venv.EnvBuilder(with_pip=True).create(VENV)
    except (OSError, subprocess.CalledProcessError) as e:
        shutil.rmtree(VENV, ignore_errors=True)  # made by this run: never leave half an environment behind
        if isinstance(e, OSError) and read_only(e, ROOT):
            step.failed(str(e), read_only(e, ROOT))
        if isinstance(e, subprocess.CalledProcessError):  # venv itself worked, ensurepip did not
            step.failed(str(e), "Python could not install pip into the new environment. On Debian/Ubuntu install "
                                "the venv module (sudo apt-get install python3-venv), then run the command again.")
        step.failed(str(e), "Python could not create a virtual environment (see above); fix that, then run the "
                            "command again.")
    step.done()


def broken_python() -> str | None:
    """What is wrong with an existing .venv's Python, or None when it runs."""
    if PYTHON.is_symlink() and not PYTHON.exists():
        return (f"{PYTHON.relative_to(ROOT)} is a link to {os.readlink(PYTHON)}, which does not exist (the Python "
                "it was made with was upgraded or removed, e.g. by pyenv or Homebrew)")
    if not PYTHON.exists():
        return f"{PYTHON.relative_to(ROOT)} is missing (an interrupted set-up?)"
    try:
        done = subprocess.run([str(PYTHON), "-c", "import sys"], capture_output=True, text=True, timeout=120)
    except OSError as e:
        return f"{PYTHON.relative_to(ROOT)} cannot run ({e.strerror or e})"
    if done.returncode:
        return f"{PYTHON.relative_to(ROOT)} does not start ({done.stderr.strip().splitlines()[-1:] or 'no message'})"
    return None


def incomplete_packages(extras) -> tuple[list[str], list[str]]:
    """``(missing, damaged)``: the distributions that cnnlib with ``extras`` needs and .venv lacks (e.g.
    ``pip uninstall numpy``), and those whose record is there but whose package folder is gone
    (e.g. ``rm -rf .../site-packages/numpy``)."""
    done = subprocess.run([str(PYTHON), __file__, "_missing", *sorted(extras)], capture_output=True, text=True,
                          cwd=ROOT)
    if done.returncode:  # cnnlib's own record, or packaging that reads it, is gone: install everything again
        return ["cnnlib's record or packaging"], []
    found = json.loads(done.stdout)
    return found["missing"], found["damaged"]


def offline_folder() -> Path | None:
    """The folder named by $CNNLIB_OFFLINE (made by `tasks.py download`), or None."""
    value = os.environ.get(ENV_OFFLINE, "").strip()
    if not value:
        return None
    folder = Path(value).expanduser().resolve()
    if not (folder / "wheels").is_dir():
        sys.exit(f"[tasks] {ENV_OFFLINE}={value}: {folder / 'wheels'} is missing. Point it at the folder "
                 "made by `python3 tasks.py download FOLDER` on a machine with internet.")
    return folder


def refuse_linked_env() -> None:
    if VENV.is_symlink():  # installing would change the environment of whatever checkout it points at
        sys.exit(f"[tasks] .venv is a link to {os.readlink(VENV)}, not this checkout's own environment. "
                 "Remove the link (rm .venv) and run the command again.")


def ensure_env(extras=()) -> None:
    """Create .venv and install cnnlib with the given extras ("test"), pinned by constraints.txt.

    Runs pip only when something is missing: the runtime packages, one of `extras`, or the whole set
    after pyproject.toml or constraints.txt changed. What is installed stays (pip keeps what fits).
    """
    if sys.version_info < (3, 10):
        sys.exit(f"Python 3.10 or newer is needed; this is {sys.version.split()[0]}.")
    refuse_linked_env()
    wanted = set(extras)
    if VENV.exists():
        problem = broken_python()
        if problem:  # never deleted here: it may hold hours of work, and it is not this run's to delete
            sys.exit(f"[tasks] the environment .venv cannot be used: {problem}. Rebuild it: move it aside "
                     f"(mv .venv .venv-old) or delete it (rm -rf .venv), then run the command again; tasks.py "
                     f"then creates a new one (about a minute, from {os.environ.get(ENV_OFFLINE) or 'the internet'}).")
    else:
        create_env()
    state = read_stamp()
    if state and state.get("fingerprint") == install_fingerprint():
        missing = wanted - set(state["extras"])
        lacking, damaged = incomplete_packages(state["extras"])
        if damaged:  # pip counts them as installed: only a forced reinstall brings their files back
            say(f"the environment .venv has lost the files of {_names(damaged)}: installing them again")
            pip_install(["--force-reinstall", "--no-deps", *damaged], "the damaged packages")
        if lacking:  # installed once, then a package went missing: install what the stamp says again
            say(f"the environment .venv lacks {_names(lacking)}: installing again what is missing")
            groups = sorted(wanted | set(state["extras"]))
            pip_install(["-e", f".[{','.join(groups)}]" if groups else "."], "the missing packages")
            write_stamp(groups)
            return
        if not missing:
            return
        # cnnlib itself is installed and current: add only the missing groups' packages.
        pip_install(extra_requirements(missing), f"the {' and '.join(sorted(missing))} packages")
        write_stamp(wanted | set(state["extras"]))
        return
    # New, or pyproject.toml / constraints.txt changed: (re)install, keeping the groups already there.
    keep = set(state["extras"]) if state else set()
    if state is None and PYTHON.exists() and STAMP.with_suffix(".txt").exists():
        keep = {"test"}  # a .venv made by the earlier tasks.py, which always installed the test extras
    groups = sorted(wanted | keep)
    pip_install(["-e", f".[{','.join(groups)}]" if groups else "."],
                "cnnlib" + (f" with the {' and '.join(groups)} packages" if groups else ""))
    write_stamp(groups)


def _names(names: list[str]) -> str:
    return ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")


def pip_source_args() -> list[str]:
    folder = offline_folder()
    return ["--no-index", "--find-links", str(folder / "wheels")] if folder else []


def pip_install(requirements: list[str], what: str, constraints: Path | None = LOCK) -> None:
    """pip install with one line per step; pip's own output goes to .venv/pip-install.log."""
    # --no-compile: pip would byte-compile every installed module up front (a third of the install time);
    # Python compiles what is imported, when it is first imported, and keeps the result.
    cmd = [PYTHON, "-m", "pip", "install", "--progress-bar", "off", "--no-color", "--disable-pip-version-check",
           "--no-compile", *pip_source_args(), *(["-c", constraints] if constraints else []), *requirements]
    pinned = "versions from constraints.txt" if constraints else "newest versions"
    step = Step(f"fetching {what} ({pinned}{', from ' + os.environ[ENV_OFFLINE] if offline_folder() else ''})")
    found, megabytes, installing = 0, 0.0, None
    try:
        log = open(PIP_LOG, "w")
    except OSError as e:  # a checkout (and its .venv) that one may only read
        step.failed(str(e), read_only(e, VENV) or f"cannot write {PIP_LOG} ({e.strerror or e}).")
    with log:
        log.write(" ".join(map(str, cmd)) + "\n")
        proc = subprocess.Popen([str(c) for c in cmd], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, errors="replace")
        for line in proc.stdout:
            log.write(line)
            if line.startswith(("Collecting ", "Processing /")):  # from an index / from a folder
                found += 1
            if m := re.search(r"Downloading \S+ \(([\d.]+) (kB|MB|GB)\)", line):
                megabytes += float(m.group(1)) * {"kB": 1e-3, "MB": 1, "GB": 1e3}[m.group(2)]
            if line.startswith("Installing collected packages:"):
                names = [n for n in line.split(":", 1)[1].split(",") if n.strip()]
                step.done(_count(found, "package") + (f", {megabytes:.0f} MB downloaded" if megabytes >= 1 else ""))
                installing = Step(f"installing {_count(len(names), 'package')}")
        code = proc.wait()
    if code:
        (installing or step).failed(_pip_error(), _pip_advice())
    if installing:
        installing.done()
    else:
        step.done("nothing new to install")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _pip_error(lines: int = 15) -> str:
    """The end of pip's log, without the noise of this machine's pip configuration."""
    text = PIP_LOG.read_text(errors="replace").splitlines()
    keep = [ln for ln in text if not re.match(r"\s*(WARNING: Location .* is ignored|Looking in )", ln)]
    return "\n".join(keep[-lines:])


def _pip_advice() -> str:
    log = PIP_LOG.relative_to(ROOT)
    folder = offline_folder()
    built = re.search(r"Failed (?:building wheel for|to build) ([\w.\-]+)", PIP_LOG.read_text(errors="replace"))
    if built:
        return (f"pip found no ready-made wheel of {built.group(1)} for this computer and could not compile it "
                f"(whole log: {log}). Install a C compiler (macOS: xcode-select --install; Debian/Ubuntu: "
                "sudo apt-get install build-essential python3-dev) and run the command again.")
    if folder:
        return (f"the folder {folder} lacks a package this step needs (see above; whole log: {log}). On the "
                "machine that made it, run `python3 tasks.py download FOLDER` again (add --test for `tasks.py "
                "test`) with the same operating system and Python version as here, copy it again, and "
                "repeat the command. What is installed already is kept.")
    return (f"pip could not install the packages (see above; whole log: {log}). Check the internet connection "
            f"and run the command again; what is installed already is kept. In a room without internet, set "
            f"{ENV_OFFLINE} to the folder a teacher made with `python3 tasks.py download` (README).")


def extra_requirements(extras) -> list[str]:
    """The requirement strings of the given extras, read from the installed cnnlib's metadata."""
    code = ("import importlib.metadata as md, json, sys\n"
            "from packaging.requirements import Requirement\n"
            "groups = set(sys.argv[1:])\n"
            "out = []\n"
            "for r in md.requires('cnnlib') or []:\n"
            "    req = Requirement(r)\n"
            "    m = req.marker\n"
            "    is_extra = m is not None and not m.evaluate({'extra': ''})\n"
            "    if (not groups and not is_extra) or any(m is not None and m.evaluate({'extra': g}) for g in groups):\n"
            "        req.marker = None\n"
            "        out.append(str(req))\n"
            "print(json.dumps(out))\n")
    done = subprocess.run([str(PYTHON), "-c", code, *sorted(extras)], capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.exit(f"[tasks] cannot read cnnlib's requirements ({done.stderr.strip()}). Delete .venv and run "
                 "the command again.")
    return json.loads(done.stdout)


# ----------------------------------------------------------------------------- MNIST

def ensure_mnist(required: bool) -> bool:
    """Download and verify MNIST into its cache (quick when it is there)."""
    env = dict(os.environ)
    folder = offline_folder()
    if folder and not env.get("CNNLIB_MNIST_MIRRORS"):
        env["CNNLIB_MNIST_MIRRORS"] = (folder / "mnist").as_uri() + "/"
    step = Step("MNIST")
    # `python -m cnnlib.mnist` (download if needed, verify), with its report replaced by the folder
    code = ("import contextlib, io, sys\nfrom cnnlib import mnist\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    code = mnist.main([])\n"
            "print(mnist.mnist_dir())\nsys.exit(code)\n")
    done = subprocess.run([str(PYTHON), "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
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
    ensure_env()
    ensure_mnist(required=False)
    return run(BIN / "jupyter", "lab", *args, cwd=NOTEBOOKS)


def cmd_test(args) -> int:
    ensure_env(EXTRAS)
    # Notebooks call load_mnist(). Fill its cache first, so download messages never end up in a
    # notebook's output (nbval compares outputs) and a missing network fails here, clearly.
    ensure_mnist(required=True)
    nbval = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"]
    # Strict nbval: stored outputs must equal a re-execution (only tests/nbval_sanitize.cfg is masked).
    code = run(PYTHON, "-m", "pytest", *nbval, *(args or ["tests", "notebooks", "--require-all-notebooks"]))
    if args or code:
        return code
    # Results must not depend on the BLAS kernel or thread count: the numeric unit tests once more with
    # one OpenBLAS thread (OPENBLAS_CORETYPE, if set, stays as it is).
    say(f"the numeric tests again with OPENBLAS_NUM_THREADS=1 (pytest -m {NUMERIC_MARK}) ...")
    return run(PYTHON, "-m", "pytest", "-q", "-m", NUMERIC_MARK, "tests",
               env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})


def cmd_execute(args) -> int:
    ensure_env()
    # MNIST first, so a download's messages never end up in a notebook's stored outputs.
    ensure_mnist(required=True)
    paths = [Path(a).resolve() for a in args] or notebooks()
    for nb in paths:
        say(f"executing {nb.relative_to(ROOT)} ...")
        # After running, merge consecutive stream outputs and keep only what a carriage return leaves
        # (a progress bar's last state), so the stored notebook reads as JupyterLab shows it.
        # A cell tagged skip-execution (7.5's full training run, several minutes) is not run and keeps
        # its stored output from a real run; run it in JupyterLab to renew that output.
        code = run(PYTHON, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
                   "--ExecutePreprocessor.timeout=600",
                   "--NotebookExporter.preprocessors=nbconvert.preprocessors.CoalesceStreamsPreprocessor",
                   nb, cwd=nb.parent)
        if code:
            return code
        number_cells_in_order(nb)
    return 0


def number_cells_in_order(path: Path) -> None:
    """Give the code cells execution counts 1, 2, 3, ... in order. A skip-execution cell keeps the output
    of the run that made it, where it ran in this same place; without this it keeps that run's count and
    reads on GitHub as if it ran out of order."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    count = 0
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            count += 1
            cell["execution_count"] = count
            for out in cell.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = count
    path.write_text(json.dumps(nb, sort_keys=True, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")  # as nbformat writes


def cmd_bench(args) -> int:
    ensure_env()
    # bench [SCRIPT.py ...] [OPTIONS]: the options after the scripts go to each of them (e.g. --record)
    n = next((i for i, a in enumerate(args) if not a.endswith(".py")), len(args))
    scripts, options = [ROOT / a for a in args[:n]], args[n:]
    scripts = scripts or sorted((ROOT / "bench").glob("bench_*.py"))
    for script in scripts:
        say(f"running {script.relative_to(ROOT)} ...")
        code = run(PYTHON, script, *options)
        if code:
            return code
    return 0


def cmd_train(args) -> int:
    ensure_env()
    return run(PYTHON, "-m", "cnnlib.train", *args)


def cmd_download(args) -> int:
    """Fill FOLDER/wheels and FOLDER/mnist for machines without internet (same OS and Python as here,
    unless pip download options such as --platform/--python-version/--only-binary=:all: say otherwise)."""
    if not args or args[0].startswith("-"):
        sys.exit("usage: python3 tasks.py download FOLDER [--test] [pip download options]")
    folder = Path(args[0]).expanduser().resolve()
    groups = [g for g in EXTRAS if f"--{g}" in args[1:]]
    pip_options = [a for a in args[1:] if a.lstrip("-") not in groups]
    ensure_env()
    wheels = folder / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    requirements = extra_requirements(()) + (extra_requirements(groups) if groups else [])
    # setuptools builds cnnlib's editable install on each machine (pyproject.toml's build-system).
    step = Step(f"downloading the wheels{' with the ' + ', '.join(groups) + ' packages' if groups else ''} "
                f"into {wheels}")
    with open(PIP_LOG, "w") as log:
        code = subprocess.call([str(PYTHON), "-m", "pip", "download", "--progress-bar", "off", "--no-color",
                                "--disable-pip-version-check", "-d", str(wheels), *pip_source_args(), "-c", str(LOCK),
                                *requirements, "setuptools>=64", *pip_options],
                               cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    if code:
        step.failed(_pip_error(), _pip_advice())
    files = list(wheels.iterdir())
    step.done(f"{len(files)} files, {sum(f.stat().st_size for f in files) / 1e6:.0f} MB")
    if not ensure_mnist(required=True):
        return 1
    step = Step(f"copying the MNIST files into {folder / 'mnist'}")
    code = ("import json; from cnnlib.mnist import mnist_dir, MNIST_FILES; "
            "print(json.dumps([str(mnist_dir() / s.name) for s in MNIST_FILES]))")
    sources = json.loads(subprocess.run([str(PYTHON), "-c", code], cwd=ROOT, capture_output=True, text=True,
                                        check=True).stdout)
    (folder / "mnist").mkdir(exist_ok=True)
    for src in sources:
        shutil.copy2(src, folder / "mnist" / Path(src).name)
    step.done()
    say(f"on each machine without internet: {ENV_OFFLINE}={folder} python3 tasks.py "
        f"{'test' if groups else 'lab'} (copy the folder there first; the path may differ)")
    return 0


# ----------------------------------------------------------------------------- the lock file

def dependency_closure(extras=EXTRAS, missing=None) -> dict[str, tuple[str, str, str]]:
    """Every installed distribution cnnlib[extras] needs here: {normalised name: (name, version,
    Requires-Python)}. A distribution that is not installed raises, or with a list ``missing`` is added to
    it. Runs in .venv (it needs `packaging`)."""
    import importlib.metadata as md

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    closure, seen, todo = {}, set(), [("cnnlib", frozenset(extras))]
    while todo:
        name, groups = todo.pop()
        if (canonicalize_name(name), groups) in seen:
            continue
        seen.add((canonicalize_name(name), groups))
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            if missing is None or name == "cnnlib":
                raise
            missing.append(name)
            continue
        key = canonicalize_name(dist.metadata["Name"])
        if key != "cnnlib":
            closure[key] = (dist.metadata["Name"], dist.version, dist.metadata.get("Requires-Python") or "")
        for r in dist.requires or []:
            req = Requirement(r)
            if req.marker is None or any(req.marker.evaluate({"extra": g}) for g in (*groups, "")):
                todo.append((req.name, frozenset(req.extras)))
    return closure


def python_marker(requires_python: str, floor=(3, 10)) -> str:
    """The part of Requires-Python that excludes a Python this project supports, as a PEP 508 marker
    ('>=3.11' -> 'python_full_version >= "3.11"'), or ''. Elsewhere the package stays unpinned."""
    from packaging.specifiers import SpecifierSet

    candidates = [f"3.{minor}.{patch}" for minor in range(floor[1], 20) for patch in range(25)]
    clauses = [s for s in SpecifierSet(requires_python) if not all(s.contains(v) for v in candidates)]
    return " and ".join(f'python_full_version {s.operator} "{s.version}"' for s in clauses)


def lock_text() -> str:
    """constraints.txt for what is installed in this environment (run in .venv)."""
    lines = []
    for name, version, requires_python in sorted(dependency_closure().values(), key=lambda t: t[0].lower()):
        marker = python_marker(requires_python)
        lines.append(f"{name}=={version}" + (f" ; {marker}" if marker else ""))
    tested_on = f"{platform.system()} {platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    return f"""\
# The exact versions the committed notebooks were executed and tested with: every package that
# cnnlib and its test extras need. `python3 tasks.py lab` and `test` install through this file
# (pip install -c constraints.txt), CI tests exactly this set, environment.yml names the same versions.
# Written by `python3 tasks.py upgrade` (the newest versions pyproject.toml allows); after an upgrade,
# re-execute the notebooks (`python3 tasks.py execute`), run `python3 tasks.py test`, commit together.
# A constraint pins only what gets installed: a package needed only on another platform stays free.
# A line with a python_full_version marker pins that package only on the Pythons its release
# supports; on an older Python pip picks the newest release that supports it (not tested).
# tested-on: {tested_on}
{chr(10).join(lines)}
"""


def read_lock(path: Path = LOCK) -> dict[str, tuple[str, str]]:
    """constraints.txt as {normalised name: (version, marker)}."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            spec, _, marker = line.partition(";")
            name, _, version = spec.partition("==")
            pins[re.sub(r"[-_.]+", "-", name.strip()).lower()] = (version.strip(), marker.strip())
    return pins


def pin_environment_yml(text: str, pins: dict[str, tuple[str, str]], python: str) -> str:
    """environment.yml with each `- name==version` line set to the lock's version."""
    def repin(m):
        key = re.sub(r"[-_.]+", "-", m.group(2)).lower()
        return f"{m.group(1)}{m.group(2)}=={pins[key][0]}" if key in pins else m.group(0)
    text = re.sub(r"^(  - )([A-Za-z0-9_.\-]+)==(\S+)", repin, text, flags=re.M)
    return re.sub(r"^(  - python)=\S+", rf"\g<1>={python}", text, flags=re.M)


def cmd_upgrade(args) -> int:
    if args:
        sys.exit("usage: python3 tasks.py upgrade")
    refuse_linked_env()
    if PREVIOUS_VENV.exists():
        sys.exit(f"[tasks] {PREVIOUS_VENV.name} is there: an earlier upgrade was cut off before it could put it back "
                 f"as .venv. Look which one to keep: rm -rf .venv && mv {PREVIOUS_VENV.name} .venv gives the "
                 f"earlier environment back; rm -rf {PREVIOUS_VENV.name} keeps the new one. Then run the "
                 "command again.")
    say("a new .venv with the newest versions pyproject.toml allows; constraints.txt and environment.yml "
        "are rewritten")
    if VENV.exists():  # kept until the new one works: an upgrade that fails (no internet) gives it back
        VENV.rename(PREVIOUS_VENV)
    try:
        create_env()
        pip_install(["-e", f".[{','.join(EXTRAS)}]"], "cnnlib with the test packages", constraints=None)
        step = Step("writing constraints.txt and environment.yml")
        done = subprocess.run([str(PYTHON), __file__, "_lock"], capture_output=True, text=True, cwd=ROOT)
        if done.returncode:
            step.failed(done.stderr, "could not write constraints.txt from the new environment.")
    except BaseException:  # SystemExit from a failed step, Ctrl-C: the new .venv is this run's own
        shutil.rmtree(VENV, ignore_errors=True)
        if PREVIOUS_VENV.exists():
            PREVIOUS_VENV.rename(VENV)
            say("the earlier .venv is back as it was")
        raise
    shutil.rmtree(PREVIOUS_VENV, ignore_errors=True)  # replaced, as `upgrade` says
    LOCK.write_text(done.stdout)
    python = "{}.{}".format(*sys.version_info[:2])  # .venv's Python is this one
    ENVIRONMENT_YML.write_text(pin_environment_yml(ENVIRONMENT_YML.read_text(), read_lock(), python))
    write_stamp(EXTRAS)
    step.done()
    say("now: python3 tasks.py execute; python3 tasks.py test; git diff constraints.txt; commit the lock, "
        "environment.yml and the notebooks together (or `git checkout constraints.txt environment.yml` to go back)")
    return 0


def damaged_distributions(closure) -> list[str]:
    """The distributions of ``closure`` (see :func:`dependency_closure`) whose record lists a top-level
    package or module that is no longer on disk. Runs in .venv."""
    import importlib.metadata as md

    damaged = []
    for name, _, _ in closure.values():
        dist = md.distribution(name)
        tops = [f for f in dist.files or [] if (len(f.parts) == 2 and f.name == "__init__.py")
                or (len(f.parts) == 1 and f.suffix == ".py")]
        if any(not Path(dist.locate_file(f)).exists() for f in tops):
            damaged.append(name)
    return sorted(damaged)


def _cmd_missing(args) -> int:
    """(internal, run with .venv's Python by ensure_env) print the missing and the damaged distributions of
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
