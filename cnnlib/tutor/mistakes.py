"""The catalogue of typical wrong implementations ("mutants") and what to tell the learner.

Each mutant is a real function or class written the way a learner gets it wrong (see
``mutants_*.py``), registered with :func:`mistake` under its exercise together with a
one-sentence Korean diagnosis and a hint. The checker runs every mutant of an exercise
on the same cases as the learner; when the learner's results equal a mutant's on every
case, that mutant's diagnosis names the learner's mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

__all__ = ["Mistake", "MISTAKES", "mistake"]


@dataclass(frozen=True)
class Mistake:
    exercise: str    # exercise name, e.g. "conv_single"
    key: str         # stable English id, e.g. "stride_ignored"
    impl: Callable   # the wrong function or class
    diagnosis: str   # one Korean sentence: what went wrong
    hint: str        # one Korean sentence: how to fix it


MISTAKES: dict[str, list[Mistake]] = {}


def mistake(exercise: str, key: str, diagnosis: str, hint: str):
    """Decorator: register the decorated wrong implementation under ``exercise``."""
    def register(impl):
        known = MISTAKES.setdefault(exercise, [])
        if any(m.key == key for m in known):
            raise ValueError(f"mistake {key!r} is registered twice for {exercise!r}")
        known.append(Mistake(exercise, key, impl, diagnosis, hint))
        return impl
    return register
