"""Gradient check of the learner's whole network (7.5): backpropagation against central differences.

    gradient_check(MyConvNet)

builds a small MyConvNet in float64 with seeded weights, computes ``gradient(x, t)`` and the
numerical gradient of ``loss(x, t)`` for every parameter, and shows the largest relative error
per parameter. Small enough to take well under a second.
"""

from __future__ import annotations

from html import escape

import numpy as np

from ..gradient import numerical_gradient, relative_error
from ..shapes import shape_text
from . import budget
from .cases import Case
from .exercises import PARAM_KEYS, class_problem, convnet_gradient, get_exercise
from .report import Result, failure_result, notice, problem_result, stopped_result, todo_result
from .runner import Output, Stopped, run_case

__all__ = ["gradient_check", "GRADCHECK_CASE", "TOLERANCE"]

TOLERANCE = 1e-5  # float64 central differences agree with backpropagation to about 1e-9

_rng = np.random.default_rng(757)
GRADCHECK_CASE = Case(
    {"x": _rng.standard_normal((3, 1, 6, 6)), "t": np.array([0, 2, 1])},
    {"input_dim": (1, 6, 6), "conv_param": {"filter_num": 2, "filter_size": 3, "pad": 1, "stride": 1},
     "hidden_size": 4, "output_size": 3, "_seed": 758},
)
del _rng

_CELL = "border:1px solid #d1d5db;padding:2px 8px;font:13px monospace;text-align:left"


def _run(impl, a, p):
    x, t = a["x"], a["t"]
    net, grads = convnet_gradient(impl, p, x, t)
    grads = {k: (None if not isinstance(grads, dict) or grads.get(k) is None else np.array(grads[k], dtype=float))
             for k in PARAM_KEYS}
    numeric = {k: numerical_gradient(lambda _: net.loss(x, t), net.params[k]) for k in PARAM_KEYS}
    return {"backprop": grads, "numeric": numeric}


def _error_text(err):
    return "1e-8 미만" if err < 1e-8 else f"{err:.1e}"


def gradient_check(net_class) -> Result:
    """Compare ``net_class``'s backpropagation with numerical gradients on a small network."""
    ex = get_exercise("convnet")
    case = GRADCHECK_CASE
    problem = class_problem(ex, net_class)
    if problem:
        return problem_result(ex, problem)
    outcome = run_case(_run, net_class, case, budget.SECONDS)
    if isinstance(outcome, Stopped):
        return stopped_result(ex, 1, case, outcome)
    if not isinstance(outcome, Output):
        if getattr(outcome, "kind", "") == "NotImplementedError":
            return todo_result(ex, outcome)
        return failure_result(ex, 1, case, {}, outcome, [], None, getattr(net_class, "__name__", "MyConvNet"))
    rows, bad = [], []
    for key in PARAM_KEYS:
        b, n = outcome.values["backprop"][key], outcome.values["numeric"][key]
        if b is None or b.shape != n.shape:
            verdict, err_text = "✗", "형상이 다름" if b is not None else "없음 (None)"
            bad.append(key)
        else:
            err = relative_error(b, n)
            verdict, err_text = ("✓", _error_text(err)) if err < TOLERANCE else ("✗", _error_text(err))
            if err >= TOLERANCE:
                bad.append(key)
        rows.append((key, shape_text(n.shape), err_text, verdict))
    head = (f"기울기 확인: 오차역전파법의 기울기와 수치 미분의 차이 (float64, 입력 x {shape_text(case.arrays['x'].shape)}, "
            f"매개변수별 최대 상대 오차)")
    if bad:
        verdict = (f"✗ {', '.join(bad)}의 기울기가 수치 미분과 다릅니다. 그 매개변수를 가진 계층과, 그 뒤 계층들의 "
                   f"역전파를 확인하세요.")
    else:
        verdict = "✓ 모든 매개변수의 기울기가 수치 미분과 같습니다 (상대 오차 1e-5 미만)."
    text = "\n".join([head] + [f"  {k} {s}: {e} {v}" for k, s, e, v in rows] + [verdict])
    table = ("<table style=\"border-collapse:collapse;margin:4px 0\"><tr>"
             + "".join(f'<th style="{_CELL}">{h}</th>' for h in ("매개변수", "형상", "최대 상대 오차", "판정")) + "</tr>"
             + "".join("<tr>" + "".join(f'<td style="{_CELL}">{escape(v)}</td>' for v in r) + "</tr>" for r in rows)
             + "</table>")
    html = (f'<div class="cnnlib-tutor cnnlib-tutor-gradcheck">{escape(head)}{table}'
            + notice(escape(verdict), tone="error" if bad else "ok") + "</div>")
    return Result("convnet", "fail" if bad else "pass", text, html)
