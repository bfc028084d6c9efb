"""constraints.txt and environment.yml: every package cnnlib and its test extras need, at the version
installed here. Run in .venv (it needs `packaging`): by `tasks.py upgrade` (writes both files), by
`tasks.py _missing` (what .venv lacks) and by tests/test_project.py.
"""

from __future__ import annotations

import platform
import re
from pathlib import Path

from tasks_env import EXTRAS, LOCK


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
