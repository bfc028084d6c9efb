"""Self-check for the notebooks' exercises: the learner writes an answer, runs the cell, and
reads whether it matches what cnnlib computes (never a hard-coded answer).

    >>> check(None, (1, 10, 10, 11))
    아직 답이 없습니다: my_answer = ... 에 답을 적고 이 셀을 다시 실행하세요.
    >>> check((1, 10, 10, 11), (1, 10, 10, 11))
    ✓ 정답입니다: (1, 10, 10, 11)
"""

from __future__ import annotations

import numpy as np

__all__ = ["check", "is_correct"]


def is_correct(answer, expected) -> bool:
    """True when ``answer`` equals ``expected`` by value (floats and arrays with a small tolerance)."""
    return answer is not None and _same(answer, expected)


def _same(answer, expected) -> bool:
    if isinstance(expected, (tuple, list)) and isinstance(answer, (tuple, list)):
        return len(answer) == len(expected) and all(_same(a, e) for a, e in zip(answer, expected))
    if isinstance(expected, np.ndarray) or isinstance(answer, np.ndarray):
        a, e = np.asarray(answer), np.asarray(expected)
        return a.shape == e.shape and bool(np.allclose(a, e))
    if isinstance(expected, float) or isinstance(answer, float):
        try:
            return bool(np.isclose(float(answer), float(expected)))
        except (TypeError, ValueError):
            return False
    return answer == expected


def check(answer, expected, *, hint: str = "") -> None:
    """Print (in Korean) whether ``answer`` equals ``expected`` (see :func:`is_correct`).

    ``None`` means 'not answered yet'. Tuples, lists, arrays and floats are compared by value
    (floats with a small tolerance). ``hint`` is shown after a wrong answer.
    """
    if answer is None:
        print("아직 답이 없습니다: my_answer = ... 에 답을 적고 이 셀을 다시 실행하세요.")
    elif is_correct(answer, expected):
        print(f"✓ 정답입니다: {answer!r}")
    else:
        print(f"✗ 아직 아닙니다: my_answer = {answer!r}. 다시 생각해 보세요." + (f" 힌트: {hint}" if hint else ""))
