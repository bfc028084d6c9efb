"""Learner-facing text uses the Korean edition's terms (docs/glossary.md): no notebook cell, explorer
label, error message or tutor text a learner reads contains a word from the glossary's "쓰지 않는 말" column."""

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def wrong_variants() -> dict[str, str]:
    """{wrong word: the Korean edition's term} from the glossary's table."""
    wrong = {}
    for line in (ROOT / "docs" / "glossary.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("한국어판 용어", "---"):
            continue
        for variant in filter(None, (v.strip() for v in re.split(r",", re.sub(r"\(.*?\)", "", cells[3])))):
            if len(variant) > 1:  # a one-syllable word (창) is part of other words: WINDOW below finds it alone
                wrong[variant] = cells[0]
    return wrong


def learner_texts():
    """(where, text) for every notebook cell (markdown, code comments and strings, text outputs) and every
    Korean string literal in cnnlib."""
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for i, cell in enumerate(json.loads(nb.read_text())["cells"]):
            yield f"{nb.name} cell {i}", "".join(cell["source"])
            for out in cell.get("outputs", []):
                text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
                html = "".join(out.get("data", {}).get("text/html", ""))
                yield f"{nb.name} cell {i} output", text + re.sub(r"<[^>]+>", " ", html)
    for path in sorted((ROOT / "cnnlib").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search("[가-힣]", node.value):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node.value


def test_the_glossary_lists_wrong_variants():
    wrong = wrong_variants()
    assert {"에포크", "학습 데이터", "테스트 데이터", "과대적합", "데이터 증강", "모서리"} <= set(wrong)
    assert "| 윈도우 | window |" in (ROOT / "docs" / "glossary.md").read_text()  # 창 is found by WINDOW


def test_the_window_pattern_finds_the_calque_alone_and_not_inside_other_words():
    assert WINDOW.search("창을 한 칸 옮긴다") and WINDOW.search("3×3 창")
    assert not WINDOW.search("팽창 D") and not WINDOW.search("창문")


# A word's wrong variant, unless the text around it shows the allowed use (모서리 = a corner).
ALLOWED = {"모서리": re.compile(r"모서리\s*(칸|픽셀|\(corner\))")}
# 창 alone (not inside another word) is the calque of "window"; the book writes 윈도우.
WINDOW = re.compile(r"(?<![가-힣])창(?=[ 이을의에은는과와도만으로,.·)(\]]|$)")


def test_learner_facing_text_uses_the_korean_editions_terms():
    wrong = wrong_variants()
    found = []
    for where, text in learner_texts():
        for variant, term in wrong.items():
            for m in re.finditer(re.escape(variant), text):
                allowed = ALLOWED.get(variant)
                if allowed and allowed.match(text, m.start()):
                    continue
                found.append(f"{where}: '{variant}' → '{term}': …{text[max(0, m.start() - 20): m.end() + 20]}…")
        for m in WINDOW.finditer(text):
            found.append(f"{where}: '창' → '윈도우': …{text[max(0, m.start() - 20): m.end() + 20]}…")
    assert not found, f"{len(found)} uses of words the Korean edition does not use:\n" + "\n".join(found[:60])
