"""``check``: run the learner's code on every case, find the smallest wrong one, name the mistake.

    check("conv_single", my_conv_single)   # -> Result (✓, "not yet", or ✗ with grids and a diagnosis)

Steps: the first case (the book's example) tells "not implemented yet" (``None`` or
``NotImplementedError``) from an attempt; then every case runs and is compared with the
reference. On a failure the smallest failing case is shown, and the learner's outcomes on
all cases are compared with each mutant's: a mutant that ends the same way on every case
names the mistake.
"""

from __future__ import annotations

import inspect
import textwrap
from functools import lru_cache

from .exercises import get_exercise
from .mistakes import MISTAKES
from .report import Result, failure_result, hints_view, notice, pass_result, solution_view, todo_result
from .runner import Output, Problem, Raised, compare, run_case, same_outcome

__all__ = ["check", "hints", "solution", "starter", "solution_source", "diagnose"]


@lru_cache(maxsize=None)
def _cases(name):
    return tuple(get_exercise(name).make_cases())


@lru_cache(maxsize=None)
def _expected(name):
    """The reference's values on every case (the reference never fails: it is cnnlib's)."""
    ex = get_exercise(name)
    outcomes = [run_case(ex.run, ex.reference, case) for case in _cases(name)]
    bad = [o for o in outcomes if not isinstance(o, Output)]
    if bad:
        raise RuntimeError(f"the reference of {name!r} failed: {bad[0]}")
    return tuple(o.values for o in outcomes)


@lru_cache(maxsize=None)
def _mutant_outcomes(name):
    ex = get_exercise(name)
    return tuple((m, tuple(run_case(ex.run, m.impl, case) for case in _cases(name))) for m in MISTAKES.get(name, []))


def _failed(ex, outcome, expected):
    """The issues of one outcome ([] when it matches the reference)."""
    if isinstance(outcome, (Raised, Problem)):
        return None  # a failure without value issues
    return compare(outcome.values, expected, ex.labels, ex.attributes, ex.rtol)


def diagnose(name, outcomes):
    """The catalogued mistake whose outcomes equal ``outcomes`` on every case, or None."""
    ex = get_exercise(name)
    for mistake, theirs in _mutant_outcomes(name):
        if all(same_outcome(a, b, ex.rtol) for a, b in zip(outcomes, theirs)):
            return mistake
    return None


def _is_todo(ex, outcome) -> bool:
    if isinstance(outcome, Raised):
        return outcome.kind == "NotImplementedError"
    return isinstance(outcome, Output) and all(outcome.values.get(k) is None for k in ex.todo_keys)


def _not_callable(ex, learner) -> Result:
    text = (f"✗ {ex.title}: check의 두 번째 인자로 함수나 클래스 자체를 넘기세요 "
            f"(괄호 없이, 예: check({ex.name!r}, {ex.starter[-1].__name__})). 받은 것: {type(learner).__name__}")
    return Result(ex.name, "fail", text, notice(text, tone="error"))


def check(name: str, learner) -> Result:
    """Check the learner's function or class for exercise ``name`` (see ``cnnlib.tutor``).

    Returns a :class:`~cnnlib.tutor.report.Result` that a notebook displays. Never raises,
    except a ValueError for an unknown exercise name.
    """
    ex = get_exercise(name)
    if not callable(learner):
        return _not_callable(ex, learner)
    try:
        return _check(ex, learner)
    except Exception as exc:  # a bug of the tutor itself: say so instead of a traceback
        text = f"✗ {ex.title}: 검사기에 문제가 생겼습니다 ({type(exc).__name__}: {exc}). 이 메시지를 알려 주세요."
        return Result(ex.name, "error", text, notice(text, tone="error"))


def _check(ex, learner) -> Result:
    name = ex.name
    cases, expected = _cases(name), _expected(name)
    first = run_case(ex.run, learner, cases[0])
    if _is_todo(ex, first):
        return todo_result(ex, first)
    outcomes = [first] + [run_case(ex.run, learner, case) for case in cases[1:]]
    failures = {}
    for i, (outcome, exp) in enumerate(zip(outcomes, expected)):
        issues = _failed(ex, outcome, exp)
        if issues is None or issues:
            failures[i] = issues or []
    if not failures:
        return pass_result(ex, cases)
    i = min(failures, key=lambda k: (cases[k].size, k))
    learner_name = getattr(learner, "__name__", "my_function")
    return failure_result(ex, i + 1, cases[i], expected[i], outcomes[i], failures[i], diagnose(name, outcomes),
                          learner_name)


def hints(name: str):
    """The exercise's hints, revealed one at a time (nested fold-outs)."""
    return hints_view(get_exercise(name))


def _source(obj) -> str:
    return textwrap.dedent(inspect.getsource(obj)).rstrip() + "\n"


def solution_source(name: str) -> str:
    """The model solution's code (methods of a class under a comment naming the class)."""
    parts = []
    for obj in get_exercise(name).solution:
        owner = obj.__qualname__.rpartition(".")[0]
        parts.append((f"# {owner}의 메서드\n" if owner else "") + _source(obj))
    return "\n".join(parts)


def solution(name: str):
    """The model solution in a fold-out: hidden until the learner opens it."""
    return solution_view(get_exercise(name), solution_source(name))


def starter(name: str) -> str:
    """The starter code of exercise ``name``: its import lines and the functions/classes to fill in."""
    ex = get_exercise(name)
    return ex.imports + "\n\n" + "\n\n".join(_source(obj) for obj in ex.starter)
