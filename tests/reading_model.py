"""The reading model behind docs/seminar.md: how many minutes a notebook's path takes in the room.

A notebook's *path* is every cell outside the sections a learner may skip: a section whose heading
contains "심화" (deeper) or "숙제" (homework) runs to the next heading of the same or a higher level.
On the path:

* prose (markdown) is read at PROSE_CHARS_PER_MINUTE characters a minute (spaces included, HTML
  fold-outs that stay closed excluded);
* a code cell is read at CODE_CHARS_PER_MINUTE, then run and its output looked at (MINUTES_PER_RUN);
* a tutor exercise (a cell calling ``tutor.check("name", ...)``) takes EXERCISE_MINUTES[name] in all:
  reading its starter, writing, checking, a hint; its starter, hint and solution cells count no more;
* an explorer (a code cell that makes one: ``...Explorer(``) takes MINUTES_PER_EXPLORER to play with;
* a short question (a cell with ``my_answer =``) takes MINUTES_PER_QUIZ;
* a live training run (a cell that makes a ``TrainingRun``) takes MINUTES_PER_TRAINING: pressing the
  button, watching the curves for about a minute, reading the result.

The figures come from a cold read of the notebooks as a Korean learner and a lecturer (issue 27:
~350 characters a minute) and from learners' attempts at the exercises; docs/seminar.md states them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

PROSE_CHARS_PER_MINUTE = 350
CODE_CHARS_PER_MINUTE = 600
MINUTES_PER_RUN = 0.25
MINUTES_PER_EXPLORER = 5.0
MINUTES_PER_QUIZ = 1.5
MINUTES_PER_TRAINING = 3.0
EXERCISE_MINUTES = {
    "conv_single": 12, "conv": 15, "pool": 12, "im2col": 15, "col2im": 15, "conv_forward": 10,
    "conv_backward": 15, "pool_backward": 15, "convnet": 20,
}
SESSION_LIMIT_MINUTES = 90
SKIP_WORDS = ("심화", "숙제")

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$", re.M)
_CHECK = re.compile(r"""tutor\.check\(\s*["'](\w+)["']""")
_TUTOR_AID = re.compile(r"""^\s*(tutor\.(hints|solution)\(|from cnnlib\.tutor|import)""")
_FOLD = re.compile(r"<details>.*?</details>", re.S)


@dataclass
class CellTime:
    index: int
    kind: str        # "prose", "code", "exercise", "explorer", "quiz", "aid"
    minutes: float
    detail: str = ""


def _source(cell) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def path_cells(nb: dict) -> list[int]:
    """Indices of the cells on the path (outside 심화/숙제 sections)."""
    keep, skip_level = [], None
    for i, cell in enumerate(nb["cells"]):
        text = _source(cell)
        if cell["cell_type"] == "markdown":
            for hashes, title in _HEADING.findall(text):
                level = len(hashes)
                if skip_level is not None and level <= skip_level:
                    skip_level = None
                if skip_level is None and any(w in title for w in SKIP_WORDS):
                    skip_level = level
        if skip_level is None:
            keep.append(i)
    return keep


def exercise_cells(nb: dict) -> dict[int, str]:
    """{index of a tutor.check cell: exercise name} on the whole notebook."""
    return {i: m.group(1) for i, c in enumerate(nb["cells"])
            if c["cell_type"] == "code" and (m := _CHECK.search(_source(c)))}


def cell_times(nb: dict) -> list[CellTime]:
    """The minutes of each cell on the path."""
    cells = nb["cells"]
    checks = exercise_cells(nb)
    # The starter cell just before a check is part of the exercise.
    starters = {i - 1 for i in checks}
    times = []
    for i in path_cells(nb):
        cell, text = cells[i], _source(cells[i])
        if cell["cell_type"] == "markdown":
            prose = _FOLD.sub("", text)
            times.append(CellTime(i, "prose", len(prose) / PROSE_CHARS_PER_MINUTE))
        elif i in checks:
            times.append(CellTime(i, "exercise", float(EXERCISE_MINUTES[checks[i]]), checks[i]))
        elif i in starters or (text.strip() and all(_TUTOR_AID.match(ln) or not ln.strip()
                                                     for ln in text.splitlines()) and "tutor." in text):
            times.append(CellTime(i, "aid", 0.0))
        elif "TrainingRun(" in text:
            times.append(CellTime(i, "training", MINUTES_PER_TRAINING))
        elif re.search(r"\b\w*Explorer\(", text):
            times.append(CellTime(i, "explorer", MINUTES_PER_EXPLORER))
        elif "my_answer =" in text:
            times.append(CellTime(i, "quiz", MINUTES_PER_QUIZ))
        elif text.strip():
            times.append(CellTime(i, "code", len(text) / CODE_CHARS_PER_MINUTE + MINUTES_PER_RUN))
    return times


def path_minutes(path: Path) -> float:
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return sum(t.minutes for t in cell_times(nb))


if __name__ == "__main__":  # python tests/reading_model.py: the minutes of each notebook's path
    import sys
    root = Path(__file__).resolve().parent.parent / "notebooks"
    for p in sorted(root.glob("*.ipynb")):
        nb = json.loads(p.read_text(encoding="utf-8"))
        ts = cell_times(nb)
        kinds = {}
        for t in ts:
            kinds[t.kind] = kinds.get(t.kind, 0) + t.minutes
        print(f"{p.name:40s} {sum(t.minutes for t in ts):6.1f} min  " +
              "  ".join(f"{k} {v:.1f}" for k, v in sorted(kinds.items())))
        if "-v" in sys.argv:
            for t in ts:
                print(f"    cell {t.index:3d} {t.kind:9s} {t.minutes:5.1f} {t.detail}")
