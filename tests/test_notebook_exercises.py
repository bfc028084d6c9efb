"""Every tutor exercise sits in the notebook of the section that teaches it: its starter cell is
exactly `cnnlib.tutor.starter(name)`, its check, hints and solution cells follow, and the committed
check output is the untouched starter's "not yet" state (so the notebook passes nbval as shipped)."""

import json
from pathlib import Path

import pytest

from cnnlib.tutor import EXERCISES, starter

ROOT = Path(__file__).resolve().parent.parent
WHERE = {"conv_single": "7.2", "conv": "7.2", "pool": "7.3", "im2col": "7.4", "col2im": "7.4",
         "conv_forward": "7.4", "conv_backward": "7.4", "pool_backward": "7.4", "convnet": "7.5"}


def code_cells(section):
    (path,) = (ROOT / "notebooks").glob(f"{section}-*.ipynb")
    cells = json.loads(path.read_text())["cells"]
    return [("".join(c["source"]), c.get("outputs", [])) for c in cells if c["cell_type"] == "code"]


def test_every_exercise_has_a_home():
    assert set(WHERE) == set(EXERCISES)


@pytest.mark.parametrize("name", sorted(WHERE))
def test_exercise_cells_in_the_notebook(name):
    cells = code_cells(WHERE[name])
    sources = [s for s, _ in cells]
    if starter(name).strip() not in sources:
        pytest.fail(f"notebook {WHERE[name]} has no cell equal to starter({name!r})")
    i = sources.index(starter(name).strip())
    following = sources[i + 1 : i + 4]
    assert following[0].startswith(f'tutor.check("{name}", ')
    assert following[1:] == [f'tutor.hints("{name}")', f'tutor.solution("{name}")']
    outputs = cells[i + 1][1]
    text = "".join("".join(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "아직 구현하지 않았습니다" in text and "힌트 1" in text
