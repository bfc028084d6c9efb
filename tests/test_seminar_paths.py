"""Each seminar session's path fits the room (issue 27), by the reading model in reading_model.py.

The seminar meets four times: 7.1–7.3, 7.4–7.5, 7.6, 7.7. Each session's path (every notebook cell
outside 심화/숙제 sections, exercises in the room included) must take at most 90 minutes; each
notebook's first cell says its session and its path's minutes, and docs/seminar.md states the model.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import reading_model as rm

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
GUIDE = ROOT / "docs" / "seminar.md"
SESSIONS = {1: ("7.1", "7.2", "7.3"), 2: ("7.4", "7.5"), 3: ("7.6",), 4: ("7.7",)}


def notebook(section: str) -> Path:
    (path,) = NOTEBOOKS.glob(f"{section}-*.ipynb")
    return path


def first_cell(section: str) -> str:
    nb = json.loads(notebook(section).read_text(encoding="utf-8"))
    return rm._source(nb["cells"][0])


@pytest.mark.parametrize("session", sorted(SESSIONS))
def test_each_session_path_fits_ninety_minutes(session):
    minutes = {s: rm.path_minutes(notebook(s)) for s in SESSIONS[session]}
    assert sum(minutes.values()) <= rm.SESSION_LIMIT_MINUTES, (
        f"session {session}: {sum(minutes.values()):.1f} min > {rm.SESSION_LIMIT_MINUTES} "
        f"({', '.join(f'{s} {m:.1f}' for s, m in minutes.items())}); move a part under a 심화 or 숙제 heading")


@pytest.mark.parametrize("section", [s for group in SESSIONS.values() for s in group])
def test_first_cell_states_the_session_and_the_path_minutes(section):
    session = next(k for k, group in SESSIONS.items() if section in group)
    text = first_cell(section)
    assert f"세미나 {session}회차" in text, f"{section}: the first cell names its session ('세미나 {session}회차')"
    assert "../docs/seminar.md" in text, f"{section}: the first cell links the presenter's guide"
    stated = re.search(r"약\s*(\d+)\s*분", text)
    assert stated, f"{section}: the first cell states the path's minutes ('약 N분')"
    actual = rm.path_minutes(notebook(section))
    assert abs(int(stated.group(1)) - actual) <= 1, (
        f"{section}: the first cell says {stated.group(1)} min, the path takes {actual:.1f} min by the reading model")


def test_the_guide_states_the_reading_model_and_each_session():
    text = GUIDE.read_text(encoding="utf-8")
    for value in (rm.PROSE_CHARS_PER_MINUTE, rm.CODE_CHARS_PER_MINUTE, rm.SESSION_LIMIT_MINUTES):
        assert str(value) in text
    for name, minutes in rm.EXERCISE_MINUTES.items():
        assert re.search(rf"`{name}`[^|\n]*\|\s*{minutes}\b", text), f"guide: exercise {name} ({minutes} min)"
    for session, group in SESSIONS.items():
        total = sum(rm.path_minutes(notebook(s)) for s in group)
        row = re.search(rf"^\|\s*{session}\s*\|.*$", text, re.M)
        assert row, f"guide: a table row for session {session}"
        stated = re.search(r"약\s*(\d+)\s*분", row.group(0))
        assert stated and abs(int(stated.group(1)) - total) <= 1, (
            f"guide: session {session} row says {stated and stated.group(1)} min, the model gives {total:.1f}")
    for group in SESSIONS.values():
        for s in group:
            assert (ROOT / "docs" / "seminar" / f"{s}.md").exists(), f"presenter notes docs/seminar/{s}.md"
            assert f"seminar/{s}.md" in text, f"guide links the presenter notes of {s}"
    assert "docs/seminar.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def _nb(*cells):
    return {"cells": [{"cell_type": kind, "source": src} for kind, src in cells]}


def test_the_model_skips_deeper_and_homework_sections_to_the_next_heading_of_their_level():
    title = "# 7.9 제목\n" + "가" * 350
    nb = _nb(("markdown", title),
             ("markdown", "## 1. 심화: 더 깊이"), ("code", "x = 1\n" * 100),
             ("markdown", "### 1.1 아래 절"), ("code", "y = 2"),
             ("markdown", "## 2. 다시 길 위"), ("code", "z = 3"),
             ("markdown", "## 3. 숙제"), ("code", "tutor.check('conv', MyConvolution)"))
    assert rm.path_cells(nb) == [0, 5, 6]
    minutes = sum(t.minutes for t in rm.cell_times(nb))
    assert minutes == pytest.approx(len(title) / 350 + len("## 2. 다시 길 위") / 350 + len("z = 3") / 600 + rm.MINUTES_PER_RUN)


def test_the_model_counts_an_exercise_once_with_its_starter_and_folds_not_at_all():
    nb = _nb(("markdown", "<details><summary>힌트</summary>" + "나" * 700 + "</details>"),
             ("code", "class MyPooling:\n    pass\n" * 20),
             ("code", "tutor.check('pool', MyPooling)"),
             ("code", "tutor.hints('pool')"))
    kinds = [(t.kind, t.minutes) for t in rm.cell_times(nb)]
    assert kinds[1:] == [("aid", 0.0), ("exercise", rm.EXERCISE_MINUTES["pool"]), ("aid", 0.0)]
    assert kinds[0][1] == pytest.approx(0.0)
