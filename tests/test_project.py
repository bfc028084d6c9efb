"""Project wiring: dependency lists in step, paths independent of the working directory."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    """'numpy>=2' -> 'numpy' (lower case, '_' == '-')."""
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _normalise(requirements) -> set[str]:
    return {re.sub(r"\s+", "", r).lower().replace("_", "-") for r in requirements}


def test_environment_yml_names_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = _normalise(project["dependencies"]) | _normalise(
        r for reqs in project["optional-dependencies"].values() for r in reqs)
    conda, section = set(), None
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if re.match(r"^\S", line):  # a top-level key: channels, dependencies, ...
            section = line.split(":")[0]
            continue
        m = re.match(r"^  -\s+([^#\s][^#]*?)\s*(#.*)?$", line)  # a direct item (not under `- pip:`)
        if section == "dependencies" and m and m.group(1) != "pip:":
            conda.add(m.group(1))
    conda = {c for c in _normalise(conda) if c != "pip" and not c.startswith("python")}
    assert conda == declared, f"only in environment.yml: {conda - declared}; only in pyproject: {declared - conda}"


def test_runtime_requirements_are_what_the_issue_names():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert {_name(d) for d in deps} >= {"numpy", "matplotlib", "ipywidgets", "jupyterlab", "tqdm"}
    assert "numpy>=2" in deps and "ipywidgets>=8" in deps and "jupyterlab>=4" in deps


def test_cnnlib_finds_its_data_folder_from_any_working_directory(tmp_path):
    code = "import cnnlib; print(cnnlib.data_dir())"
    env = {k: v for k, v in os.environ.items() if k != "CNNLIB_DATA_DIR"}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env=env, check=True).stdout.strip()
    assert Path(out) == ROOT / "data"


def test_no_pickle_or_eval_in_the_library():
    for path in (ROOT / "cnnlib").rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"^\s*(import|from) pickle|\bpickle\.(loads?|dumps?)\(|\beval\(|allow_pickle\s*=\s*True", text, re.M), path
