"""Every widget in a committed notebook has a static view of its default state beside it, so the
notebook reads on GitHub without a kernel."""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_each_widget_output_has_a_static_html_view_in_the_same_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        outputs = cell.get("outputs", [])
        if any(WIDGET in o.get("data", {}) for o in outputs):
            static = [o for o in outputs if "text/html" in o.get("data", {})]
            assert static, f"{path.name}, cell {i}: a widget without a static text/html view beside it"
            html = "".join(static[0]["data"]["text/html"])
            assert "static view" in html or "<table" in html, f"{path.name}, cell {i}: the static view is empty"
