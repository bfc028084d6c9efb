"""Seminar session 1 (notebooks 7.1-7.3) as a learner reads it (issue 27): which session and how long in the
first cell, few glosses and parentheses, the book's words, quiz answers folded away."""

import re

import pytest

from executed_notebook import load, source

NOTEBOOKS = ("7.1-overall-structure.ipynb", "7.2-convolution-layer.ipynb", "7.3-pooling-layer.ipynb")


@pytest.fixture(scope="module", params=NOTEBOOKS)
def cells(request):
    return load(request.param)["cells"]


def markdown(cells):
    return [source(c) for c in cells if c["cell_type"] == "markdown"]


def test_first_cell_names_session_1_and_links_the_guide(cells):
    first = source(cells[0])
    assert "세미나 1회차 (7.1–7.3)" in first and "](../docs/seminar.md)" in first
    assert re.search(r"기본 경로는 약 \d+분입니다", first)


def test_no_prose_line_carries_three_parentheses(cells):
    crowded = [line for text in markdown(cells) for line in text.splitlines() if line.count("(") >= 3]
    assert crowded == []


def test_no_got_for_jeuk_and_glosses_once(cells):
    text = "\n".join(markdown(cells))
    assert "곧" not in text                                   # "곧" meant 즉
    glosses = re.findall(r"\(([a-z][a-z -]+)(?:,[^)]*)?\)", text)   # lower-case English in parentheses
    assert len(glosses) == len(set(glosses)), glosses          # each term glossed at most once


def test_quiz_cells_show_only_the_answer_line(cells):
    quizzes = [c for c in cells if c["cell_type"] == "code" and "my_answer =" in source(c)]
    assert len(quizzes) == 3
    for k, c in enumerate(quizzes, 1):
        lines = source(c).strip().splitlines()
        assert lines[0].startswith("my_answer = None")
        assert lines[1:] == [f"check(my_answer, answers[{k}], hint=hints[{k}])"]
    (hidden,) = [c for c in cells if "quiz-answers" in c["metadata"].get("tags", [])]
    assert hidden["metadata"]["jupyter"]["source_hidden"] is True
    assert cells.index(hidden) < cells.index(quizzes[0]) and "hints = {" in source(hidden)


def test_figure_titles_are_korean(cells):
    for c in cells:
        if c["cell_type"] == "code":
            for m in re.finditer(r"(?:titles|row_labels)=\[([^\]]*)\]", source(c)):
                words = re.findall(r'"([^"]*)"', m[1])
                assert all(re.search("[가-힣]", w) or re.fullmatch(r"[A-Z]{1,3}", w) for w in words), words
