"""The environment ``.venv`` that tasks.py runs everything in: created once, checked every time, and
installed into through constraints.txt (pip's output goes to .venv/pip-install.log, one line per step on
the terminal). Standard library only: it runs before .venv exists.

Nothing here deletes an environment this run did not create: a .venv whose Python is gone, or that one
may not write into, is named with what to do; a package that went missing, or whose files went, is
installed again.
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
LOCK = ROOT / "constraints.txt"
ENVIRONMENT_YML = ROOT / "environment.yml"
ENV_OFFLINE = "CNNLIB_OFFLINE"
EXTRAS = ("test",)  # the optional-dependency groups of pyproject.toml that tasks.py installs
TASKS = ROOT / "tasks.py"  # run with .venv's Python for what needs the installed packages (`_missing`)


def say(msg: str) -> None:
    print(f"[tasks] {msg}", flush=True)


def run(*cmd, **kw) -> int:
    return subprocess.call([str(c) for c in cmd], cwd=kw.pop("cwd", ROOT), **kw)


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
    done = subprocess.run([str(PYTHON), str(TASKS), "_missing", *sorted(extras)], capture_output=True, text=True,
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
        (installing or step).failed(pip_error(), pip_advice())
    if installing:
        installing.done()
    else:
        step.done("nothing new to install")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def pip_error(lines: int = 15) -> str:
    """The end of pip's log, without the noise of this machine's pip configuration."""
    text = PIP_LOG.read_text(errors="replace").splitlines()
    keep = [ln for ln in text if not re.match(r"\s*(WARNING: Location .* is ignored|Looking in )", ln)]
    return "\n".join(keep[-lines:])


def pip_advice() -> str:
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
