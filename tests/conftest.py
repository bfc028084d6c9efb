"""Test-suite guards: with --require-all-notebooks (what `python3 tasks.py test` passes),
the run fails unless nbval collected cells from every notebook in notebooks/.

The `numeric` mark: the test files of cnnlib's arithmetic. `python3 tasks.py test` runs them a second
time with OPENBLAS_NUM_THREADS=1 (`pytest -m numeric`), so no result depends on the BLAS kernel or
thread count. A new file of that kind is added to NUMERIC_TEST_FILES, the one list.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

NUMERIC_TEST_FILES = frozenset({
    "test_layers.py", "test_fast_layers.py", "test_im2col.py", "test_shapes.py", "test_convnet.py",
    "test_alexnet.py", "test_lenet.py", "test_optimizers.py", "test_evaluate.py", "test_filters.py",
    "test_receptive.py", "test_images.py", "test_train.py", "test_shipped_params.py", "test_shuffled_pixels.py",
})


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in NUMERIC_TEST_FILES:
            item.add_marker(pytest.mark.numeric)


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
