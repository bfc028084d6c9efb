"""Test-suite guards: with --require-all-notebooks (what `python3 tasks.py test` passes),
the run fails unless nbval collected cells from every notebook in notebooks/.

The `blas` mark: the test files whose results go through BLAS matrix products (layers, networks, their
gradients and accuracies). `python3 tasks.py test` runs everything with one OpenBLAS thread, then these
files a second time with the machine's own thread count (`pytest -m blas`), so no result depends on the
BLAS kernel or thread count. A new file of that kind is added to BLAS_TEST_FILES, the one list. (Files of
pure indexing, shape arithmetic or element-wise updates — im2col, shapes, optimizers — give the same
numbers whatever the thread count: BLAS never sees them. The shipped parameters' accuracies and the
notebooks' stored outputs were made with the machine's threads and are checked in the one-thread pass:
that crosses thread counts already.)

The `slow` mark: what `python3 tasks.py test --quick` leaves out besides the browser tests: installs into a
copy of the checkout, trainings in a subprocess, the shipped parameters on all 10,000 test images.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

BLAS_TEST_FILES = frozenset({
    "test_layers.py", "test_fast_layers.py", "test_convnet.py", "test_alexnet.py", "test_lenet.py",
    "test_twolayer.py", "test_evaluate.py", "test_filters.py", "test_receptive.py",
})
SLOW_TEST_FILES = frozenset({"test_offline_room.py", "test_shipped_params.py", "test_train.py",
                             "test_browser_harness.py", "test_live_run_kernel.py"})   # a JupyterLab, a kernel
# Single tests of 5 s or more (CPU) in files that are otherwise quick: kernels or interpreters started in
# subprocesses, trainings on MNIST, library-wide tables a notebook quotes.
SLOW_TESTS = frozenset({
    "test_mnist.py::test_three_kernels_repairing_one_damaged_folder_at_once_all_get_the_data",
    "test_project.py::test_nbval_waits_for_a_kernel_that_is_slow_to_say_idle",
    "test_tutor_display.py::test_output_is_identical_across_runs_and_processes",
    "test_notebook_7_3.py::test_robustness_tables_against_the_library",
    "test_notebook_7_6.py::test_fewer_images_give_lower_or_equal_purity",
    "test_convnet.py::test_recipes_train_with_the_fast_layers_and_alexnet_keeps_its_grouped_convolutions",
    "test_live_run.py::test_a_real_recipe_on_a_few_hundred_mnist_images",
})


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in BLAS_TEST_FILES:
            item.add_marker(pytest.mark.blas)
        name = getattr(item, "originalname", item.name)   # nbval's cells have no originalname
        if item.path.name in SLOW_TEST_FILES or f"{item.path.name}::{name}" in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)


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
