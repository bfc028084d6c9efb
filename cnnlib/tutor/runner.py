"""Running learner code on one case and comparing what came out.

A run ends in one of four outcomes: ``Output`` (the values the exercise collects, e.g.
``{"out": array}``, and the names of input arrays the code changed in place), ``Raised`` (an
exception from the learner's code, with the learner's own line), ``Problem`` (something the
tutor explains in words, e.g. a missing ``self.params``) or ``Stopped`` (the time budget ran out,
or the learner pressed Ctrl-C or called ``exit()``). Nothing escapes: warnings are silenced and
``print`` output is kept (the first lines) to be shown with the result, so that a check prints
one deterministic result and never a traceback.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import os
import re
import sysconfig
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as np

from ..shapes import shape_text
from .budget import TimeUp, call_with_budget

__all__ = ["LearnerProblem", "Output", "Raised", "Problem", "Stopped", "Issue", "run_case", "compare",
           "input_issues", "same_outcome", "agreement", "tolerance"]


class LearnerProblem(Exception):
    """Raised by an exercise's runner for a mistake best explained in words (Korean message)."""


@dataclass(frozen=True)
class Output:
    values: dict
    printed: str = ""
    changed: tuple = ()  # names of input arrays the code changed in place


@dataclass(frozen=True)
class Raised:
    kind: str      # exception class name, e.g. "IndexError"
    message: str
    where: str     # "my_conv_single 함수의 7번째 줄" or ""
    code: str      # that line of the learner's code, or ""
    printed: str = ""

    def headline(self) -> str:
        return f"{self.kind}: {self.message}" if self.message else self.kind


@dataclass(frozen=True)
class Problem:
    message: str
    printed: str = ""


@dataclass(frozen=True)
class Stopped:
    reason: str    # "time" (the budget ran out), "interrupt" (Ctrl-C), "exit" (SystemExit)
    where: str     # where the learner's code was, as in Raised
    code: str
    printed: str = ""


@dataclass(frozen=True)
class Issue:
    """One difference between the learner's value and the expected one."""

    key: str
    kind: str      # "none", "type", "shape", "dtype", "values", "input"
    message: str
    mask: np.ndarray | None = field(default=None, compare=False)  # cells that differ ("values")


def _library_dirs() -> tuple[str, ...]:
    """Folders whose frames are not the learner's: cnnlib itself, numpy, the standard library."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the cnnlib package
    dirs = {here, os.path.dirname(os.path.abspath(np.__file__))}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            dirs.add(os.path.abspath(path))
    return tuple(d + os.sep for d in dirs)


_LIBRARY = _library_dirs()
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _learner_line(tb) -> tuple[str, str]:
    """('forward 메서드의 4번째 줄', 'out = col @ col_W') for the innermost frame of the learner's
    code; line numbers count from the function's ``def`` line (1), so they do not depend on the
    file, the notebook cell or where the function sits in it."""
    found = None
    for frame, lineno in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(_LIBRARY) and not filename.startswith("<frozen"):
            found = (frame.f_code, lineno)
    if found is None:
        return "", ""
    code, lineno = found
    kind = "메서드" if code.co_varnames[:1] == ("self",) else "함수"
    where = f"{code.co_name} {kind}의 {lineno - code.co_firstlineno + 1}번째 줄"
    return where, linecache.getline(code.co_filename, lineno).strip()


def _message(exc: BaseException) -> str:
    text = _ADDRESS.sub("", str(exc)).strip()
    return text if len(text) <= 300 else text[:297] + "..."


class _Printed(io.TextIOBase):
    """stdout while the learner's code runs: the first ``limit`` characters, the rest counted (a
    runaway loop that prints must not fill the memory)."""

    limit = 4000

    def __init__(self):
        self.parts, self.size = [], 0

    def writable(self):
        return True

    def write(self, text):
        if self.size < self.limit:
            self.parts.append(text[: self.limit - self.size])
        self.size += len(text)
        return len(text)

    def text(self) -> str:
        kept = "".join(self.parts)
        return kept + (f"\n... (이하 {self.size - len(kept)}글자 생략)" if self.size > len(kept) else "")


def _unchanged(a, b) -> bool:
    return isinstance(a, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype and \
        np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")


def run_case(run, impl, case, seconds=None) -> Output | Raised | Problem | Stopped:
    """``run(impl, inputs, params)`` on copies of the case's arrays, with every exception, warning
    and print caught; the learner's code is stopped after ``seconds`` (None: no limit)."""
    printed = _Printed()
    inputs = case.fresh()
    with warnings.catch_warnings(), np.errstate(all="ignore"), contextlib.redirect_stdout(printed):
        warnings.simplefilter("ignore")
        try:
            values = call_with_budget(seconds, run, impl, inputs, case.params)
        except (TimeUp, KeyboardInterrupt, SystemExit) as exc:
            reason = "time" if isinstance(exc, TimeUp) else "exit" if isinstance(exc, SystemExit) else "interrupt"
            return Stopped(reason, *_learner_line(exc.__traceback__), printed.text())
        except LearnerProblem as exc:
            return Problem(str(exc), printed.text())
        except Exception as exc:  # the learner's code may raise anything: show it, never re-raise
            where, code = _learner_line(exc.__traceback__)
            return Raised(type(exc).__name__, _message(exc), where, code, printed.text())
    changed = tuple(k for k, a in inputs.items() if not _unchanged(a, case.arrays[k]))
    return Output(values, printed.text(), changed)


def _as_array(value):
    """Plain numpy arrays as they are; Python and numpy scalars as 0-d arrays; anything else (lists,
    masked arrays and other ndarray subclasses) None."""
    if type(value) is np.ndarray:
        return value
    if isinstance(value, (float, int, np.generic)) and not isinstance(value, bool):
        return np.asarray(value)
    return None


def tolerance(dtype, rtol) -> float:
    """The relative tolerance for a float result of ``dtype``: ``rtol`` (set for float64), or half the
    digits of a less precise float (float32: 3.5e-4)."""
    return max(rtol, float(np.sqrt(np.finfo(dtype).eps)))


def _close(got, expected, rtol):
    """Cells within ``rtol`` of ``expected`` (and an absolute 1e-3 ``rtol`` of its largest value):
    np.isclose's rule, written out (it is the checker's innermost loop)."""
    size = np.abs(expected)
    scale = float(size.max(initial=0.0, where=np.isfinite(size)))
    return np.abs(got - expected) <= rtol * (1e-3 * max(scale, 1.0) + size)


def _kind_issue(key, label, value, arr, exp):
    """The issue of a value that is not a float array of the expected shape, or None."""
    if value is None:
        return Issue(key, "none", f"{label} 값이 None입니다.")
    if isinstance(value, np.ndarray) and arr is None:
        return Issue(key, "type", f"{label} 값이 일반 NumPy 배열(np.ndarray)이 아니라 {type(value).__name__}입니다. "
                                  f"이런 배열은 일부 칸을 비교에서 빼 버리므로, np.zeros로 만든 배열에 값을 채워 돌려주세요.")
    if arr is None or (arr.ndim == 0 and exp.ndim > 0):
        return Issue(key, "type", f"{label} 값이 NumPy 배열이 아니라 {type(value).__name__}입니다. "
                                  f"np.zeros로 만든 배열에 값을 채워 돌려주세요.")
    if arr.shape != exp.shape:
        return Issue(key, "shape", f"{label} 형상이 {shape_text(exp.shape)}여야 하는데 {shape_text(arr.shape)}입니다.")
    kind = arr.dtype.kind
    if kind == "f":
        return None
    if kind in "iub":
        return Issue(key, "dtype", f"{label} 자료형(dtype)이 실수(예: float64)여야 하는데 {arr.dtype}입니다. "
                                   f"정수 배열에 넣은 값은 소수점 아래가 잘립니다.")
    if kind == "c":
        return Issue(key, "dtype", f"{label} 자료형이 복소수({arr.dtype})입니다. 실수여야 합니다: 어느 계산에서 "
                                   f"복소수가 생겼는지 찾아보세요.")
    return Issue(key, "dtype", f"{label} 자료형이 {arr.dtype}입니다. 숫자(실수) 배열이어야 합니다.")


def compare(got: dict, expected: dict, labels: dict, attributes=(), rtol=1e-6) -> list[Issue]:
    """Issues of the learner's values against the expected ones, in the expected keys' order.
    ``labels`` names each key for the learner ("출력", "dx"); keys in ``attributes`` are set as
    ``self.<key>`` rather than returned. Any float dtype is compared with a tolerance that fits it."""
    issues = []
    for key, exp in expected.items():
        label = labels.get(key, key)
        value = got.get(key)
        arr = _as_array(value)
        issue = _kind_issue(key, label, value, arr, exp)
        if issue is not None and issue.kind == "none":
            hint = f"backward에서 self.{key}를 구했는지" if key in attributes else "마지막에 return을 빠뜨리지 않았는지"
            issue = Issue(key, "none", f"{issue.message} {hint} 보세요.")
        if issue is not None:
            issues.append(issue)
            continue
        tol = tolerance(arr.dtype, rtol)
        wrong = ~_close(arr, exp, tol)
        if wrong.any():
            if arr.ndim:
                message = f"{label}의 {int(wrong.sum())}칸이 기대값과 다릅니다.{_scaled(arr, exp, tol)}"
            else:
                message = f"{label} 값이 기대값과 다릅니다: 기대값 {float(exp):.6f}, 여러분의 값 {float(arr):.6f}."
            issues.append(Issue(key, "values", message, wrong))
    return issues


def input_issues(changed, labels) -> list[Issue]:
    """An issue for each input array the learner's code changed in place."""
    return [Issue(name, "input", f"입력 배열 {name}를 바꿨습니다. 네트워크에서는 다른 계층도 이 배열을 쓰므로 그대로 "
                                 f"두고, 결과는 새 배열(예: np.zeros_like({name}))에 담으세요.") for name in changed]


def _scaled(got, expected, rtol) -> str:
    """' (여러분의 값 = 기대값 × 3.00)' when the array ``got`` is ``expected`` times a constant (a
    factor such as the batch size shows at once), else ''. Only for arrays with at least two
    non-zero expected values: for a single number any two values have a ratio."""
    if np.count_nonzero(expected) < 2 or not np.all(np.isfinite(got)):
        return ""
    ratio = float(np.sum(got * expected)) / float(np.sum(expected * expected))
    if abs(ratio - 1) < 1e-3 or abs(ratio) < 1e-3 or not np.all(_close(got, ratio * expected, rtol)):
        return ""
    return f" (여러분의 값 = 기대값 × {ratio:.2f})"


def same_outcome(a, b, rtol=1e-6) -> bool:
    """True when two runs ended the same way: equal values (within ``rtol``) and the same inputs
    changed, or the same exception (class and message), or the same problem."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Raised):
        return (a.kind, a.message) == (b.kind, b.message)
    if isinstance(a, Problem):
        return a.message == b.message
    if isinstance(a, Stopped):
        return a.reason == b.reason
    if a.values.keys() != b.values.keys() or a.changed != b.changed:
        return False
    for key, va in a.values.items():
        vb = b.values[key]
        if va is None or vb is None:
            if va is not vb:
                return False
            continue
        xa, xb = _as_array(va), _as_array(vb)
        if xa is None or xb is None or xa.shape != xb.shape or xa.dtype.kind not in "fiu" or xb.dtype.kind not in "fiu":
            return False
        xa, xb = xa.astype(float), xb.astype(float)
        if not np.all(_close(xa, xb, rtol) | (np.isnan(xa) & np.isnan(xb))):
            return False
    return True


def agreement(mine, theirs, expected, rtol=1e-6) -> float:
    """How much of the learner's wrong values on one case another run reproduces: the share of the
    learner's wrong cells (against ``expected``) where the other run has the learner's value (1.0
    for the same values). 0.0 when either run ended without values or a value's shape or kind
    differs: the same exception (a broadcasting error, an empty window) comes from many mistakes."""
    if not (isinstance(mine, Output) and isinstance(theirs, Output)):
        return 0.0
    if same_outcome(mine, theirs, rtol):
        return 1.0
    wrong = same = 0
    for key, exp in expected.items():
        a, b = _as_array(mine.values.get(key)), _as_array(theirs.values.get(key))
        if a is None or b is None or not a.shape == b.shape == exp.shape or \
                a.dtype.kind not in "fiu" or b.dtype.kind not in "fiu":
            return 0.0
        a, b = a.astype(float), b.astype(float)
        bad = ~_close(a, exp, rtol)
        wrong += int(bad.sum())
        same += int((bad & _close(a, b, rtol)).sum())
    return same / wrong if wrong else 0.0
