"""Test-suite guards: with --require-all-notebooks (what `python3 tasks.py test` passes),
the run fails unless nbval collected cells from every notebook in notebooks/."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--require-all-notebooks", action="store_true",
                     help="fail unless every notebooks/*.ipynb is collected by nbval")


def pytest_collection_finish(session):
    if not session.config.getoption("--require-all-notebooks"):
        return
    expected = {p.resolve() for p in (ROOT / "notebooks").glob("*.ipynb")}
    if not expected:
        raise pytest.UsageError("no notebooks found in notebooks/")
    collected = {Path(str(item.fspath)).resolve() for item in session.items if str(item.fspath).endswith(".ipynb")}
    missing = sorted(p.name for p in expected - collected)
    if missing:
        raise pytest.UsageError(f"nbval did not collect these notebooks (is --nbval on?): {', '.join(missing)}")
