"""Running learner code on one case and comparing what came out.

A run ends in one of three outcomes: ``Output`` (the values the exercise collects, e.g.
``{"out": array}``), ``Raised`` (an exception from the learner's code, with the learner's own
line) or ``Problem`` (something the tutor explains in words, e.g. a missing ``self.params``).
Nothing escapes: warnings are silenced and ``print`` output is captured, so that a check
prints one deterministic result and never a traceback.
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

__all__ = ["LearnerProblem", "Output", "Raised", "Problem", "Issue", "run_case", "compare", "same_outcome"]


class LearnerProblem(Exception):
    """Raised by an exercise's runner for a mistake best explained in words (Korean message)."""


@dataclass(frozen=True)
class Output:
    values: dict
    printed: str = ""


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
class Issue:
    """One difference between the learner's value and the expected one."""

    key: str
    kind: str      # "none", "type", "shape", "dtype", "values"
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


def run_case(run, impl, case) -> Output | Raised | Problem:
    """``run(impl, case)`` with every exception, warning and print caught."""
    printed = io.StringIO()
    with warnings.catch_warnings(), np.errstate(all="ignore"), contextlib.redirect_stdout(printed):
        warnings.simplefilter("ignore")
        try:
            values = run(impl, case)
        except LearnerProblem as exc:
            return Problem(str(exc), printed.getvalue())
        except Exception as exc:  # the learner's code may raise anything: show it, never re-raise
            where, code = _learner_line(exc.__traceback__)
            return Raised(type(exc).__name__, _message(exc), where, code, printed.getvalue())
    return Output(values, printed.getvalue())


def _as_array(value):
    """numpy arrays as they are; Python and numpy scalars as 0-d arrays; anything else None."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (float, int, np.generic)) and not isinstance(value, bool):
        return np.asarray(value)
    return None


def _close(got, expected, rtol):
    finite = np.abs(expected[np.isfinite(expected)])
    scale = float(finite.max(initial=0.0))
    return np.isclose(got, expected, rtol=rtol, atol=rtol * 1e-3 * max(scale, 1.0))


def compare(got: dict, expected: dict, labels: dict, attributes=(), rtol=1e-6) -> list[Issue]:
    """Issues of the learner's values against the expected ones, in the expected keys' order.
    ``labels`` names each key for the learner ("출력", "dx"); keys in ``attributes`` are set as
    ``self.<key>`` rather than returned."""
    issues = []
    for key, exp in expected.items():
        label = labels.get(key, key)
        value = got.get(key)
        arr = _as_array(value)
        if value is None:
            hint = f"backward에서 self.{key}를 구했는지" if key in attributes else "마지막에 return을 빠뜨리지 않았는지"
            issues.append(Issue(key, "none", f"{label} 값이 None입니다. {hint} 보세요."))
        elif arr is None or (arr.ndim == 0 and exp.ndim > 0):
            issues.append(Issue(key, "type", f"{label} 값이 NumPy 배열이 아니라 {type(value).__name__}입니다. "
                                             f"np.zeros로 만든 배열에 값을 채워 돌려주세요."))
        elif arr.shape != exp.shape:
            issues.append(Issue(key, "shape", f"{label} 형상이 {shape_text(exp.shape)}여야 하는데 "
                                              f"{shape_text(arr.shape)}입니다."))
        elif arr.dtype != exp.dtype:
            extra = " 정수 배열에 넣은 값은 소수점 아래가 잘립니다." if arr.dtype.kind in "iub" else ""
            issues.append(Issue(key, "dtype", f"{label} 자료형(dtype)이 {exp.dtype}여야 하는데 {arr.dtype}입니다.{extra}"))
        else:
            wrong = ~_close(arr, exp, rtol)
            if wrong.any():
                if arr.ndim:
                    message = f"{label}의 {int(wrong.sum())}칸이 기대값과 다릅니다.{_scaled(arr, exp, rtol)}"
                else:
                    message = (f"{label} 값이 기대값과 다릅니다: 기대값 {float(exp):.6f}, 여러분의 값 {float(arr):.6f}."
                               f"{_scaled(arr, exp, rtol)}")
                issues.append(Issue(key, "values", message, wrong))
    return issues


def _scaled(got, expected, rtol) -> str:
    """' (여러분의 값 = 기대값 × 3.00)' when ``got`` is ``expected`` times a constant (a factor
    such as the batch size shows at once), else ''."""
    norm = float(np.sum(expected * expected))
    if not np.all(np.isfinite(got)) or norm == 0:
        return ""
    ratio = float(np.sum(got * expected)) / norm
    if abs(ratio - 1) < 1e-3 or abs(ratio) < 1e-3 or not np.all(_close(got, ratio * expected, rtol)):
        return ""
    return f" (여러분의 값 = 기대값 × {ratio:.2f})"


def same_outcome(a, b, rtol=1e-6) -> bool:
    """True when two runs ended the same way: equal values (within ``rtol``), or the same exception
    (class and message), or the same problem."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Raised):
        return (a.kind, a.message) == (b.kind, b.message)
    if isinstance(a, Problem):
        return a.message == b.message
    if a.values.keys() != b.values.keys():
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
