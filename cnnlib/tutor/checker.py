"""``check``: run the learner's code on every case, find the smallest wrong one, name the mistake.

    tutor.check("conv_single", my_conv_single)   # -> Result (✓, "not yet", or ✗ with grids and a diagnosis)

Steps: a class must define the methods the exercise asks for (not inherit cnnlib's); the first
case (the book's example) tells "not implemented yet" (``None`` or ``NotImplementedError``) from
an attempt; then every case runs, within one time budget for them all, and is compared with the
plain-loop values. On a failure the smallest failing case is shown, and the learner's outcomes are compared
with each catalogued mistake's: the mistake that explains the failing cases is named, with how
sure the tutor is.
"""

from __future__ import annotations

import inspect
import textwrap
import time
from dataclasses import dataclass
from functools import lru_cache

from . import budget, library
from .exercises import class_problem, get_exercise
from .mistakes import MISTAKES, Mistake
from .report import (Result, failure_result, hints_view, notice, pass_result, problem_result, solution_view,
                     stopped_result, todo_result)
from .runner import Output, Raised, Stopped, agreement, compare, input_issues, run_case, same_outcome

__all__ = ["check", "hints", "solution", "starter", "solution_source", "diagnose", "Diagnosis"]


@lru_cache(maxsize=None)
def _cases(name):
    return tuple(get_exercise(name).make_cases())


@lru_cache(maxsize=None)
def _expected(name):
    """The plain-loop values on every case: no learner's patch can reach them (see references)."""
    ex = get_exercise(name)
    return tuple(ex.expect(case) for case in _cases(name))


_MUTANT_OUTCOMES: dict = {}


def _mutant_outcomes(name):
    """Every catalogued mistake's outcome on every case. Run on cnnlib's layers, so the caller
    asks only while cnnlib is unchanged (``library.changes()`` is empty)."""
    if name not in _MUTANT_OUTCOMES:
        ex = get_exercise(name)
        found = tuple((m, tuple(run_case(ex.run, m.impl, case) for case in _cases(name)))
                      for m in MISTAKES.get(name, []))
        if any(isinstance(o, Stopped) for _, outcomes in found for o in outcomes):
            raise KeyboardInterrupt  # Ctrl-C while a mistake ran: nothing is cached
        _MUTANT_OUTCOMES[name] = found
    return _MUTANT_OUTCOMES[name]


def _issues(ex, outcome, expected):
    """The issues of one outcome ([] when it matches the expected values; None for an exception
    or a problem, which has no value issues)."""
    if not isinstance(outcome, Output):
        return None
    return input_issues(outcome.changed, ex.labels) + compare(outcome.values, expected, ex.labels, ex.attributes,
                                                             ex.rtol)


@dataclass(frozen=True)
class Diagnosis:
    """A catalogued mistake and how sure: ``everywhere``, it ends like the learner's code on every
    case; else ``share`` (0..1) is the mean over the ``failing`` cases of how much of the learner's
    wrong result it reproduces (1 on a case it ends exactly alike)."""

    mistake: Mistake
    share: float
    failing: int
    everywhere: bool


# A mistake is named when it reproduces at least this share of the wrong values and all of them in at
# least one failing case: one-line changes of the model solutions reach 0.25-0.4 by chance with an
# unrelated mistake (cells left 0 by both, say), but then reproduce no case whole; real partial ones
# (a mistake along one axis only, two mistakes at once) reach 0.5 and several whole cases.
SURE_ENOUGH = 0.35


def diagnose(name, outcomes, failing=None) -> Diagnosis | None:
    """The catalogued mistake that explains the failing cases of ``outcomes`` (one per case, in
    order; ``failing``: the indexes of the failing ones, if known): the one that ends the same way
    on every case, else the one that reproduces the most of the learner's wrong values (a mistake
    made along one axis only, or together with another), if it reproduces at least
    ``SURE_ENOUGH`` of them and every wrong value of one case; None otherwise."""
    ex, expected = get_exercise(name), _expected(name)
    if failing is None:
        failing = [i for i, (o, e) in enumerate(zip(outcomes, expected)) if _issues(ex, o, e) != []]
    if not failing:
        return None
    best = None
    for m, theirs in _mutant_outcomes(name):
        if all(same_outcome(a, b, ex.rtol) for a, b in zip(outcomes, theirs)):
            return Diagnosis(m, 1.0, len(failing), True)
        shares = [agreement(outcomes[i], theirs[i], expected[i], ex.rtol) for i in failing]
        share = sum(shares) / len(failing)
        if share >= SURE_ENOUGH and 1.0 in shares and (best is None or share > best.share):
            best = Diagnosis(m, share, len(failing), False)
    return best


def _is_todo(ex, outcome) -> bool:
    if isinstance(outcome, Raised):
        return outcome.kind == "NotImplementedError"
    return isinstance(outcome, Output) and all(outcome.values.get(k) is None for k in ex.todo_keys)


def _not_callable(ex, learner) -> Result:
    return problem_result(ex, f"check의 두 번째 인자로 함수나 클래스 자체를 넘기세요 (괄호 없이, 예: "
                              f"tutor.check({ex.name!r}, {ex.starter[-1].__name__})). 받은 것: {type(learner).__name__}")


def _signature_note(ex, learner) -> str:
    """A note when the learner's parameters differ from the starter's (the check passes arguments by
    position, in the starter's order); '' otherwise."""
    if ex.name == "convnet":  # built with keyword arguments
        return ""
    try:
        def names(f):
            return [p for p in inspect.signature(f.__init__ if isinstance(f, type) else f).parameters if p != "self"]
        mine, theirs = names(learner), names(ex.starter[-1])
    except (TypeError, ValueError):
        return ""
    if mine[:len(theirs)] == theirs:
        return ""
    return (f"매개변수가 ({', '.join(mine)})로 선언되어 있는데 시작 코드는 ({', '.join(theirs)})입니다. 검사기와 "
            f"'직접 실행해 보기'는 시작 코드의 순서대로 인자를 넘깁니다.")


def check(name: str, learner) -> Result:
    """Check the learner's function or class for exercise ``name`` (see ``cnnlib.tutor``).

    Returns a :class:`~cnnlib.tutor.report.Result` that a notebook displays. Never raises,
    except a ValueError for an unknown exercise name: a runaway loop, Ctrl-C or ``exit()`` in the
    learner's code ends the check with a sentence.
    """
    ex = get_exercise(name)
    if not callable(learner):
        return _not_callable(ex, learner)
    try:
        return _check(ex, learner)
    except KeyboardInterrupt:  # Ctrl-C while the tutor itself was working
        return stopped_result(ex, None, None, Stopped("interrupt", "", ""))
    except Exception as exc:  # a bug of the tutor itself: say so instead of a traceback
        text = f"✗ {ex.title}: 검사기에 문제가 생겼습니다 ({type(exc).__name__}: {exc}). 이 메시지를 알려 주세요."
        return Result(ex.name, "error", text, notice(text, tone="error"))


def _check(ex, learner) -> Result:
    problem = class_problem(ex, learner)
    if problem:
        return problem_result(ex, problem)
    cases, expected = _cases(ex.name), _expected(ex.name)
    outcomes, deadline = [], time.monotonic() + budget.SECONDS
    for number, case in enumerate(cases, start=1):
        outcome = run_case(ex.run, learner, case, max(deadline - time.monotonic(), 1e-3))  # the time left
        if number == 1 and _is_todo(ex, outcome):
            return todo_result(ex, outcome)
        if isinstance(outcome, Stopped):
            return stopped_result(ex, number, case, outcome)
        outcomes.append(outcome)
    failures = {}
    for i, (outcome, exp) in enumerate(zip(outcomes, expected)):
        issues = _issues(ex, outcome, exp)
        if issues is None or issues:
            failures[i] = issues or []
    if not failures:
        return pass_result(ex, cases, outcomes[0].printed)
    changed = library.changes()
    notes = [_signature_note(ex, learner)]
    if changed:
        notes.append(f"cnnlib의 {', '.join(changed[:3])}{' 등' if len(changed) > 3 else ''}이(가) 바뀌어 있습니다. "
                     f"셀에서 라이브러리를 바꿨다면 되돌리거나 커널을 다시 시작하세요.")
    diagnosis = None if changed else diagnose(ex.name, outcomes, sorted(failures))
    i = min(failures, key=lambda k: (cases[k].size, k))
    learner_name = getattr(learner, "__name__", "my_function")
    return failure_result(ex, i + 1, cases[i], expected[i], outcomes[i], failures[i], diagnosis, learner_name,
                          [n for n in notes if n])


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
