"""What the tutor shows: a result with a short Korean ``text/plain`` and rich HTML.

Everything here is a pure function of the exercise, its seeded cases and the learner's
outcomes — no timings, addresses or paths — so a notebook's committed output is the same on
every run and machine. The HTML uses :mod:`cnnlib.htmlkit.grid` (inline styles, plain
tables, ``<details>`` fold-outs), which GitHub and JupyterLab both show.
"""

from __future__ import annotations

from html import escape

import numpy as np

from ..htmlkit.grid import grid_html
from ..htmlkit.layout import notice, panel, row
from ..shapes import shape_text
from . import budget
from .runner import Output, Problem, Raised

__all__ = ["Shown", "Result", "pass_result", "todo_result", "problem_result", "stopped_result", "failure_result",
           "hints_view", "solution_view", "hints_call"]

_PRE = ("font:12px/1.4 monospace;background:#f8fafc;border:1px solid #e5e7eb;padding:4px 8px;"
        "margin:2px 0 6px 0;white-space:pre-wrap;color:#111827")
_DETAILS = "margin:2px 0 2px 0"
_SUMMARY = "cursor:pointer;font-weight:bold;font-size:13px;color:#1d4ed8"
_BODY = "margin:2px 0 4px 14px;font-size:13px;color:#111827"
_NOTE = "font-size:12px;color:#374151;margin:0 0 4px 0"
_MAX_ROWS, _MAX_COLS = 12, 16


class Shown:
    """Something a notebook cell displays: ``text`` as text/plain, ``html`` as text/html."""

    def __init__(self, text: str, html: str):
        self.text, self.html = text, html

    def __repr__(self):
        return self.text

    def _repr_html_(self):
        return self.html


class Result(Shown):
    """The outcome of ``check``: ``status`` is "pass", "todo" or "fail"; ``mistake`` is the key of
    the diagnosed mistake (or None)."""

    def __init__(self, exercise: str, status: str, text: str, html: str, mistake: str | None = None,
                 rerun: str = ""):
        super().__init__(text, html)
        self.exercise, self.status, self.mistake, self.rerun = exercise, status, mistake, rerun

    @property
    def passed(self) -> bool:
        return self.status == "pass"


def _wrap(status: str, body: str) -> str:
    return f'<div class="cnnlib-tutor cnnlib-tutor-{status}">{body}</div>'


def _pre(text: str) -> str:
    return f'<pre style="{_PRE}">{escape(text)}</pre>'


# ---- passed, not yet, stopped ---------------------------------------------------------------

def hints_call(ex) -> str:
    """The call that opens the hints where the learner is (the notebooks import ``from cnnlib import tutor``)."""
    return f'tutor.hints("{ex.name}")'


def _printed(printed: str, where: str) -> tuple[list[str], str]:
    """The learner's print output (at most 20 lines) as text lines and an HTML panel; nothing when empty."""
    lines = printed.strip("\n").splitlines()
    if not lines:
        return [], ""
    shown = lines[:20] + ([f"... ({len(lines) - 20}줄 더)"] if len(lines) > 20 else [])
    title = f"{where} print한 내용"
    return [f"  {title}:"] + [f"    {t}" for t in shown], panel(escape(title), _pre("\n".join(shown)))


def _range(values) -> str:
    values = sorted(set(values))
    return str(values[0]) if len(values) == 1 else f"{values[0]}~{values[-1]}"


def pass_result(ex, cases, printed="") -> Result:
    largest = max(cases, key=lambda c: c.size)
    name, array = next(iter(largest.arrays.items()))
    parts = []
    if any(c.label for c in cases):
        parts.append("책의 예 포함")
    pads = [c.params["pad"] for c in cases if "pad" in c.params]
    strides = [c.params["stride"] for c in cases if "stride" in c.params]
    if pads:
        parts.append(f"패딩 {_range(pads)}, 스트라이드 {_range(strides)}")
    parts.append(f"가장 큰 입력 {name} {shape_text(array.shape)}")
    text = f"✓ {ex.title}: {len(cases)}개 경우를 모두 맞혔습니다 ({'; '.join(parts)})."
    lines, shown = _printed(printed, "1번째 경우에서")
    return Result(ex.name, "pass", "\n".join([text] + lines), _wrap("pass", notice(escape(text), tone="ok") + shown))


def todo_result(ex, outcome) -> Result:
    returned_none = isinstance(outcome, Output)
    extra = (" (None을 돌려받았습니다. 이미 작성했다면 마지막에 return을 빠뜨리지 않았는지 보세요.)"
             if returned_none else "")
    lines, shown = _printed(outcome.printed, "1번째 경우에서")
    text = "\n".join([f"… {ex.title}: 아직 구현하지 않았습니다.{extra}", f"  힌트 1: {ex.hints[0]}"] + lines)
    body = (f"<b>… {escape(ex.title)}</b>: 아직 구현하지 않았습니다.{escape(extra)}<br>"
            f"<b>힌트 1</b>: {escape(ex.hints[0])}")
    return Result(ex.name, "todo", text, _wrap("todo", notice(body, tone="note") + shown))


def problem_result(ex, message) -> Result:
    """✗ with one sentence, before any case ran (e.g. a class that inherits cnnlib's method)."""
    text = f"✗ {ex.title}: {message}"
    return Result(ex.name, "fail", text, _wrap("fail", notice(escape(text), tone="error")))


_STOPPED = {
    "time": "{number}번째 경우에서 멈췄습니다: 검사 시간 {seconds}초(모든 경우를 합한 시간)가 다 되었습니다. 반복문이 "
            "끝나는지 확인하세요: while 문이라면 반복 변수를 늘리는지(j += 1), range라면 끝 값이 맞는지 보세요.",
    "interrupt": "검사가 중단(KeyboardInterrupt)되었습니다{during}.",
    "exit": "함수가 exit()나 sys.exit()로 끝나려 해서 검사를 멈췄습니다{during}. 함수 안에서는 return을 쓰세요.",
}


def stopped_result(ex, number, case, outcome) -> Result:
    """✗ for a check stopped by the time budget, Ctrl-C or exit() (``number`` None: while the tutor
    itself was working)."""
    during = f" ({number}번째 경우를 실행하던 중)" if number else ""
    message = _STOPPED[outcome.reason].format(number=number, seconds=f"{budget.SECONDS:g}", during=during)
    lines = [f"✗ {ex.title}: {message}"]
    if case is not None:
        lines.append(f"  그 경우: {case.label + ': ' if case.label else ''}{case.describe()}")
    html = notice(escape(lines[0]) + ("<br>" + escape(lines[1].strip()) if case is not None else ""), tone="error")
    if outcome.where:
        lines.append(f"  멈춘 곳: {outcome.where}: {outcome.code}")
        html += panel(escape(f"멈춘 곳: {outcome.where}"), _pre(outcome.code))
    printed, shown = _printed(outcome.printed, "이 경우에서")
    return Result(ex.name, "fail", "\n".join(lines + printed), _wrap("fail", html + shown))


# ---- a failure -------------------------------------------------------------------------------

def _two_d(array, index):
    """(suffix, 2-D array, (row, col) of ``index`` in it) of the 2-D slice of ``array`` that holds
    ``index``; 1-D arrays become one row."""
    if array.ndim == 1:
        return "", array.reshape(1, -1), (0, index[0] if index else 0)
    if array.ndim == 2:
        return "", array, tuple(index) if index else (0, 0)
    lead = tuple(index[:-2]) if index else (0,) * (array.ndim - 2)
    rc = tuple(index[-2:]) if index else (0, 0)
    return "[" + ", ".join(str(int(i)) for i in lead) + "]", array[lead], rc


def _crop(values, rc):
    """At most _MAX_ROWS x _MAX_COLS cells around ``rc``: (values, row labels, col labels, note)."""
    rows, cols = values.shape
    if rows <= _MAX_ROWS and cols <= _MAX_COLS:
        return values, None, None, ""
    r0 = min(max(rc[0] - _MAX_ROWS // 2, 0), max(rows - _MAX_ROWS, 0))
    c0 = min(max(rc[1] - _MAX_COLS // 2, 0), max(cols - _MAX_COLS, 0))
    r1, c1 = min(r0 + _MAX_ROWS, rows), min(c0 + _MAX_COLS, cols)
    note = f"일부만: 행 {r0}~{r1 - 1}, 열 {c0}~{c1 - 1} (전체 {rows}×{cols})"
    return values[r0:r1, c0:c1], list(range(r0, r1)), list(range(c0, c1)), note


def _grid(title, values, rc=(0, 0), mark=None, mask=None, role=""):
    shown, rlab, clab, note = _crop(np.asarray(values), rc)
    marks = {}
    if mask is not None and mark:
        sub = mask if rlab is None else mask[rlab[0]:rlab[-1] + 1, clab[0]:clab[-1] + 1]
        marks[mark] = sub
    return grid_html(shown, marks=marks, role=role, title=escape(title), note=escape(note),
                     row_labels=rlab, col_labels=clab)


def _input_grid(title, values, pad):
    values = np.asarray(values)
    if values.ndim == 1:
        values = values.reshape(1, -1)
    if not pad:
        return _grid(title, values, role="tutor-input")
    padded = np.pad(values, pad)
    mask = np.ones(padded.shape, dtype=bool)
    mask[pad:-pad, pad:-pad] = False
    return _grid(f"{title} (패딩 {pad})", padded, mark="pad", mask=mask, role="tutor-input")


def _slices(exp, index):
    """The indexes of the 2-D slices to draw around the first wrong cell ``index``: of a 4-D array
    every channel of that sample (mixed channels show), else the one slice."""
    if exp.ndim != 4:
        return [index]
    n = index[0]
    return [(n, c) + tuple(index[2:]) if c == index[1] else (n, c, 0, 0) for c in range(exp.shape[1])]


def _issue_html(ex, issue, expected, got) -> str:
    exp = np.asarray(expected)
    label = ex.labels.get(issue.key, issue.key)
    if not ex.show_grids or issue.kind in ("none", "type", "input") or exp.ndim == 0:
        return panel(escape(issue.message), "")
    got = np.asarray(got)
    if issue.kind == "values":
        pairs = []
        for index in _slices(exp, tuple(int(i) for i in np.argwhere(issue.mask)[0])):
            suffix, e2, rc = _two_d(exp, index)
            _, g2, _ = _two_d(got, index)
            _, m2, _ = _two_d(issue.mask, index)
            pairs.append(row(_grid(f"기대값 {label}{suffix}", e2, rc, "winner", m2, "tutor-expected"),
                             _grid(f"여러분의 {label}{suffix}", g2, rc, "current", m2, "tutor-got")))
        note = f'<div style="{_NOTE}">초록 칸: 기대값, 파란 칸: 같은 자리의 여러분의 값 (기대값과 다른 칸).</div>'
        return panel(escape(issue.message), "".join(pairs) + note)
    if got.ndim != exp.ndim or got.size == 0 or issue.kind == "dtype" and got.dtype.kind not in "biuf":
        return panel(escape(issue.message), "")  # nothing a grid could show
    e_suffix, e2, _ = _two_d(exp, None)
    g_suffix, g2, _ = _two_d(got, None)
    return panel(escape(issue.message), row(_grid(f"기대값 {label}{e_suffix}", e2, role="tutor-expected"),
                                            _grid(f"여러분의 {label}{g_suffix}", g2, role="tutor-got")))


def _literal(name, array) -> str:
    if array.dtype.kind in "iu":
        return f"{name} = np.array({array.tolist()!r})"
    if np.all(array == np.round(array)):
        return f"{name} = np.array({array.astype(int).tolist()!r}, dtype=float)"
    return f"{name} = np.array({array.tolist()!r})"


def _rerun(ex, case, learner_name) -> str:
    """The case as code: its arrays, then the call the checker makes (positional, in the same order),
    with the parameters named in a comment."""
    if not ex.call or case.size > 300:
        return ""
    lines = [_literal(k, a) for k, a in case.arrays.items()]
    named = ", ".join(f"{k}={v!r}" for k, v in case.params.items())
    call = ex.call.format(name=learner_name, **case.params).split("\n")
    lines += [call[0] + f"  # {named}"] + call[1:]
    return "\n".join(lines)


def _failure_hint(ex, outcome, issues) -> tuple[str, str]:
    """(label, text) of the hint that fits an undiagnosed failure: the shapes for an exception or a
    wrong shape, type or None; the pseudo-code for wrong values."""
    if isinstance(outcome, Raised) or any(i.kind in ("none", "type", "shape") for i in issues):
        return "힌트 2 (형상)", ex.hints[1]
    if any(i.kind == "values" for i in issues):
        return "힌트 3", ex.hints[2]
    return "", ""


def _diagnosis_html(d) -> tuple[list[str], str]:
    """The diagnosis as text lines and a notice, saying how sure it is."""
    if d.everywhere:
        head = "진단"
    elif d.share == 1:
        head = f"진단 (틀린 {d.failing}개 경우가 모두 이 실수와 똑같이 틀렸습니다)"
    else:
        head = f"진단 (틀린 값의 약 {round(100 * d.share)}%가 이 실수와 같습니다)"
    lines = [f"  {head}: {d.mistake.diagnosis}", f"  힌트: {d.mistake.hint}"]
    html = f"<b>{escape(head)}</b>: {escape(d.mistake.diagnosis)}<br><b>힌트</b>: {escape(d.mistake.hint)}"
    if d.share < 1:
        lines.append("  나머지 틀린 값에는 다른 실수도 있는 것 같습니다.")
        html += "<br>나머지 틀린 값에는 다른 실수도 있는 것 같습니다."
    return lines, notice(html, tone="note")


def failure_result(ex, number, case, expected, outcome, issues, diagnosis, learner_name, notes=()) -> Result:
    where = f"{number}번째 경우 ({case.label + ': ' if case.label else ''}{case.describe()})"
    lines = [f"✗ {ex.title}: {where}"] + [f"  {n}" for n in notes]
    blocks = []
    if isinstance(outcome, Raised):
        lines.append(f"  함수가 예외를 일으켰습니다: {outcome.headline()}")
        head = f"함수가 예외를 일으켰습니다: <code>{escape(outcome.headline())}</code>"
        if outcome.where:
            lines.append(f"  → {outcome.where}: {outcome.code}")
            blocks.append(panel(escape(outcome.where), _pre(outcome.code)))
    elif isinstance(outcome, Problem):
        lines.append(f"  {outcome.message}")
        head = escape(outcome.message)
    else:
        lines += [f"  {issue.message}" for issue in issues]
        head = "틀린 값이 있습니다."
        blocks += [_issue_html(ex, issue, expected.get(issue.key), outcome.values.get(issue.key)) for issue in issues]
    if diagnosis is not None:
        more, shown_diagnosis = _diagnosis_html(diagnosis)
        lines += more
    else:
        label, hint = _failure_hint(ex, outcome, issues)
        if hint:
            lines.append(f"  {label}: {hint}")
        lines.append(f"  힌트를 모두 보려면: {hints_call(ex)}")
        shown_diagnosis = notice((f"<b>{escape(label)}</b>: {escape(hint)}<br>" if hint else "")
                           + f"알려진 실수와는 다릅니다. 아래 값을 보고, 막히면 <code>{escape(hints_call(ex))}</code>를 "
                             f"실행해 힌트를 펼쳐 보세요.", tone="info")
    views = ex.views(case, *_focus(issues)) if ex.views else []
    inputs = panel("이 경우의 입력", row(*(_input_grid(t, v, p) for t, v, p in views))) if views else ""
    rerun = _rerun(ex, case, learner_name)
    printed, shown = _printed(outcome.printed, "이 경우에서")
    html = (notice(f"<b>✗ {escape(ex.title)}</b><br>{escape(where)}: {head}"
                   + "".join(f"<br>{escape(n)}" for n in notes), tone="error") + shown_diagnosis
            + inputs + "".join(blocks)
            + (panel("직접 실행해 보기", _pre(rerun)) if rerun else "") + shown)
    mistake = diagnosis.mistake.key if diagnosis is not None else None
    return Result(ex.name, "fail", "\n".join(lines + printed), _wrap("fail", html), mistake, rerun)


def _focus(issues):
    """(key, index) of the first wrong cell, for choosing which inputs to draw; (key, ()) when no
    cell is wrong (a shape, dtype or None issue) and ("", ()) after an exception."""
    for issue in issues:
        if issue.kind == "values" and issue.mask is not None and issue.mask.ndim:
            return issue.key, tuple(int(i) for i in np.argwhere(issue.mask)[0])
    return (issues[0].key if issues else ""), ()


# ---- hints and the model solution ------------------------------------------------------------

def hints_view(ex) -> Shown:
    """Nested ``<details>``: hint k+1 sits inside hint k, so they open one at a time."""
    html = ""
    for k in range(len(ex.hints), 0, -1):
        html = (f'<details style="{_DETAILS}"><summary style="{_SUMMARY}">힌트 {k}</summary>'
                f'<div style="{_BODY}">{escape(ex.hints[k - 1])}{html}</div></details>')
    text = f"{ex.title} — 힌트 {len(ex.hints)}개: '힌트 1'을 누르면 하나씩 펼쳐집니다."
    return Shown(text, _wrap("hints", html))


def solution_view(ex, source: str) -> Shown:
    html = (f'<details style="{_DETAILS}"><summary style="{_SUMMARY}">모범 답안 보기 (먼저 직접 풀어 보세요)</summary>'
            f"{_pre(source)}</details>")
    text = f"{ex.title} — 모범 답안: '모범 답안 보기'를 누르면 펼쳐집니다 (먼저 직접 풀어 보세요)."
    return Shown(text, _wrap("solution", html))
