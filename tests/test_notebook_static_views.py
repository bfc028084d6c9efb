"""Every widget in a committed notebook is one picture: its output bundle carries the static view of its
default state as text/html (what GitHub and a notebook opened without running show) and a sentence as
text/plain instead of a Python repr, and no second copy of that view sits beside it in the same cell."""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_each_widget_output_carries_its_static_view_and_a_sentence(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        outputs = cell.get("outputs", [])
        widgets = [o for o in outputs if WIDGET in o.get("data", {})]
        for out in widgets:
            html = "".join(out["data"].get("text/html", ""))
            if "cnnlib-training-static" in html:  # 7.5's TrainingRun: what its buttons will do, in sentences
                plain = "".join(out["data"].get("text/plain", ""))
                assert "'학습 시작'을 누르면" in html and "노트북을 실행하면" in plain, f"{path.name}, cell {i}"
                continue
            assert "static view" in html and "<table" in html, f"{path.name}, cell {i}: no static view in the bundle"
            plain = "".join(out["data"].get("text/plain", ""))
            assert "Explorer(" not in plain and "셀을 실행하면" in plain, f"{path.name}, cell {i}: text/plain {plain!r}"
        if widgets:
            others = [o for o in outputs if o not in widgets and "static view" in "".join(o.get("data", {}).get("text/html", ""))]
            assert not others, f"{path.name}, cell {i}: a second static copy beside the widget (two pictures)"
