"""pytest settings for the whole checkout: the notebooks (nbval) as much as tests/ (see tests/conftest.py).

nbval waits a fixed 5 s for each of a cell's messages once the kernel has replied
(``NbCellItem.output_timeout``; no option sets it). A kernel that pauses longer between its reply and its
"idle" — swapped out or starved of CPU on a busy machine — failed that cell with "Notebook cell execution
failed" although the cell had run (issue 25, item 8: 7.3's ``tutor.solution("pool")`` at load 9 on 2 cores).
A kernel that has replied is not hung, so it gets as long as nbval gives a cell. This file is at the top so
that it applies to every run, also to `pytest --nbval notebooks/NAME.ipynb` alone.
"""

NBVAL_OUTPUT_TIMEOUT = 600  # seconds


def pytest_collection_modifyitems(items):
    for item in items:
        if hasattr(item, "output_timeout"):  # nbval's notebook cells
            item.output_timeout = NBVAL_OUTPUT_TIMEOUT
