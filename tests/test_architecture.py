"""The package's layering (docs/architecture.md) holds in the code: every cnnlib module imports only
modules on a lower level, and no explorer imports another explorer's module."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cnnlib"
SUBPACKAGES = ("explorers", "htmlkit", "tutor")


def documented_levels() -> dict[str, int]:
    """{top-level module or subpackage: level} from the table in docs/architecture.md."""
    levels = {}
    for line in (ROOT / "docs" / "architecture.md").read_text().splitlines():
        m = re.match(r"^\| (\d+) \| (.+?) \|", line)
        if m:
            for name in re.findall(r"`(\w+)`", m.group(2)):
                levels[name] = int(m.group(1))
    return levels


def unit_of(path: Path) -> str:
    """'layers' for cnnlib/layers.py, 'explorers' for cnnlib/explorers/conv.py."""
    rel = path.relative_to(PACKAGE).with_suffix("")
    return rel.parts[0]


def cnnlib_imports(path: Path) -> list[tuple[str, int]]:
    """(imported unit, line) for every import of a cnnlib module in ``path`` (relative or absolute)."""
    tree = ast.parse(path.read_text())
    package = ["cnnlib", *path.relative_to(PACKAGE).parent.parts]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1] + (node.module.split(".") if node.module else [])
            else:
                base = node.module.split(".")
            if base[0] != "cnnlib":
                continue
            if len(base) == 1:  # from cnnlib import x / from . import x: the units are the names
                found += [(alias.name, node.lineno) for alias in node.names]
            else:
                found.append((base[1], node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "cnnlib" and len(parts) > 1:
                    found.append((parts[1], node.lineno))
    return found


def test_every_module_is_in_the_documented_table():
    levels = documented_levels()
    units = {unit_of(p) for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE}
    assert units - set(levels) == set(), "add these modules to docs/architecture.md's table"
    assert set(levels) - units == set(), "docs/architecture.md names modules that do not exist"


def test_imports_only_run_downward():
    levels = documented_levels()
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "__init__.py":
            continue  # the package's front door re-exports from every level
        unit = unit_of(path)
        for imported, line in cnnlib_imports(path):
            if imported == unit and unit in SUBPACKAGES:
                continue  # inside a subpackage (its own rule below)
            if imported not in levels or levels[imported] >= levels[unit]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} ({unit}, level {levels.get(unit)}) imports "
                             f"{imported} (level {levels.get(imported)})")
    assert not wrong, "imports that do not run downward:\n" + "\n".join(wrong)
def test_no_explorer_imports_another_explorers_module():
    folder = PACKAGE / "explorers"
    defines_explorer = {p.stem for p in folder.glob("*.py")
                        if re.search(r"^class \w+\((\w+\.)?Explorer\):", p.read_text(), re.M)}
    assert len(defines_explorer) >= 5
    wrong = []
    for path in folder.glob("*.py"):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                sibling = node.module.split(".")[0]
                if sibling in defines_explorer and sibling != path.stem:
                    wrong.append(f"{path.name}:{node.lineno} imports the {sibling} explorer's module")
    assert not wrong, "\n".join(wrong)
