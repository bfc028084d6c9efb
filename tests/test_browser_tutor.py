"""The tutor in a real browser, played as a learner: in JupyterLab the learner types a solution into an
exercise's starter cell (notebook 7.2, `conv_single`), runs it and the check cell below, and reads the
tutor's answer — ✓ for a correct solution, the named mistake for a typical wrong one (the padding left
out of the windows, as a learner typed it), and the untouched starter's "not yet" state before either. The machinery (JupyterLab, Chromium) is tests/browser_harness.py.
"""

from __future__ import annotations

import inspect
import re

import pytest

from browser_harness import chromium, learner  # noqa: F401  (fixtures)
from cnnlib.tutor import MISTAKES, solution_source, starter
from test_browser import lab  # noqa: F401  (fixture: JupyterLab serving copies of notebooks/)

NOTEBOOK = "notebooks/7.2-convolution-layer.ipynb"
EXERCISE = "conv_single"

# JavaScript: the index of the first code cell whose source starts with `prefix`, in the open notebook.
FIND_CELL_JS = """([path, prefix]) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path === path);
  const cells = panel.content.model.cells;
  for (let i = 0; i < cells.length; i++) {
    if (cells.get(i).type === 'code' && cells.get(i).sharedModel.getSource().startsWith(prefix)) return i;
  }
  return -1;
}"""

# JavaScript: make cell `index` the active one and scroll it into view (command mode).
ACTIVATE_JS = """([path, index]) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path === path);
  panel.content.mode = 'command';
  panel.content.activeCellIndex = index;
  return panel.content.scrollToItem(index, 'center');
}"""

# JavaScript: the text a learner reads in cell `index`'s output area.
OUTPUT_TEXT_JS = """([path, index]) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path === path);
  const cell = panel.content.widgets[index];
  return cell.outputArea ? cell.outputArea.node.innerText : '';
}"""


def learner_code(body: str) -> str:
    """What a learner's finished cell holds: the starter's imports, then the function."""
    head = starter(EXERCISE).split("def ", 1)[0]
    return head + body


def mistake_code(key: str) -> str:
    """A catalogued mistake written as the learner's own function (named as the starter names it)."""
    (mistake,) = [m for m in MISTAKES[EXERCISE] if m.key == key]
    source = inspect.getsource(mistake.impl)
    source = source[source.index("def "):]  # without the catalogue's decorator
    return learner_code(re.sub(r"^def \w+\(", "def my_conv_single(", source, count=1))


class Notebook:
    """One open notebook, cell by cell, as a learner works in it."""

    def __init__(self, learner):
        self.learner, self.page, self.path = learner, learner.page, learner.path

    def index_of(self, prefix: str) -> int:
        i = self.page.evaluate(FIND_CELL_JS, [self.path, prefix])
        assert i >= 0, f"no code cell starting with {prefix!r} in {self.path}"
        return i

    def run(self, index: int) -> None:
        """Select the cell and press Shift+Enter, as a learner runs it."""
        self.page.evaluate(ACTIVATE_JS, [self.path, index])
        self.learner.panel.locator(".jp-Cell.jp-mod-active").first.click(position={"x": 5, "y": 5})
        self.page.keyboard.press("Escape")
        self.page.keyboard.press("Shift+Enter")
        self.learner.wait_idle()

    def type_into(self, index: int, text: str) -> None:
        """Select everything in the cell's editor and type `text` over it."""
        self.page.evaluate(ACTIVATE_JS, [self.path, index])
        self.learner.panel.locator(".jp-Cell.jp-mod-active").first.click(position={"x": 5, "y": 5})
        self.page.keyboard.press("Enter")                     # edit mode: the cell's editor has the focus
        self.learner.panel.locator(".jp-Cell.jp-mod-active .cm-editor.cm-focused").wait_for()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.press("Delete")
        self.page.keyboard.insert_text(text)
        self.page.keyboard.press("Escape")

    def output(self, index: int) -> str:
        return self.page.evaluate(OUTPUT_TEXT_JS, [self.path, index])


@pytest.mark.browser
def test_a_learner_types_a_solution_and_a_mistake_and_reads_the_tutor(learner):
    learner.open(NOTEBOOK)
    nb = Notebook(learner)
    nb.run(nb.index_of("import numpy as np\nfrom IPython.display"))      # the notebook's imports
    starter_cell = nb.index_of(starter(EXERCISE).strip().split("\n\n\n")[0] + "\n\n\ndef my_conv_single")
    check_cell = starter_cell + 1

    nb.run(starter_cell)                                                   # untouched: "not yet"
    nb.run(check_cell)
    assert "아직 구현하지 않았습니다" in nb.output(check_cell)

    nb.type_into(starter_cell, mistake_code("padding_not_applied"))        # a typical mistake ...
    nb.run(starter_cell)
    nb.run(check_cell)
    text = nb.output(check_cell)
    (mistake,) = [m for m in MISTAKES[EXERCISE] if m.key == "padding_not_applied"]
    assert "✗" in text and mistake.diagnosis in text, text                 # ... named in one sentence

    nb.type_into(starter_cell, learner_code(solution_source(EXERCISE)))    # a correct solution
    nb.run(starter_cell)
    nb.run(check_cell)
    text = nb.output(check_cell)
    assert "✓" in text and "모두 맞혔습니다" in text, text

    learner.screenshot("tutor-7.2-conv_single")
    assert not [e for e in learner.state()["errors"] if e.startswith((f"cell {starter_cell + 1}:", f"cell {check_cell + 1}:"))]
    assert learner.log_console_errors() == []
    assert learner.problems == []
