"""Reading a committed, executed notebook in a test: its cells, their sources and stored outputs.

The tests/test_notebook_7_N.py files check that each number a notebook's prose states is in an output
beside it (or a shipped record) and equal to what cnnlib computes; these are the few readers they share."""

import json
import re
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def load(name):
    """The notebook ``notebooks/<name>`` as a dict (its ``"cells"`` as stored)."""
    return json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))


def by_id(cells, cell_id):
    (found,) = [c for c in cells if c["id"] == cell_id]
    return found


def source(cell):
    return "".join(cell["source"])


class Notebook:
    """A committed notebook's cells, and a cell's source and outputs by its id."""

    def __init__(self, name):
        self.cells = load(name)["cells"]
        self._by_id = {c["id"]: c for c in self.cells}

    def cell(self, cell_id):
        return self._by_id[cell_id]

    def source(self, cell_id):
        return source(self.cell(cell_id))

    def output(self, cell_id, mime="text/plain"):
        return output(self.cell(cell_id), mime)


def find(cells, text, kind):
    """The one cell of type ``kind`` ("code" or "markdown") whose source contains ``text``."""
    found = [c for c in cells if c["cell_type"] == kind and text in source(c)]
    assert len(found) == 1, f"expected one {kind} cell containing {text!r}, found {len(found)}"
    return found[0]


def stream(cell):
    """What the cell printed."""
    return "".join("".join(o["text"]) for o in cell["outputs"] if o["output_type"] == "stream")


def output(cell, mime="text/plain"):
    """What the cell printed and its ``mime`` results, one string."""
    assert cell["cell_type"] == "code" and cell.get("outputs"), \
        f"cell {cell['id']} has no stored output (run tasks.py execute)"
    return "".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get(mime, "")) for o in cell["outputs"])


def html_text(cell):
    """The text of the cell's HTML outputs, tags removed, whitespace collapsed."""
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for o in cell["outputs"])
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def number(pattern, text):
    """The number captured by ``pattern``'s first group in ``text`` (thousands commas allowed)."""
    m = re.search(pattern, text)
    assert m, f"{pattern!r} not found in {text[:300]!r}"
    return float(m.group(1).replace(",", ""))


def table_rows(text):
    """The rows of a text table in an output, split on runs of two or more spaces."""
    return [re.split(r"\s{2,}", line.strip()) for line in text.splitlines() if line.strip()]
