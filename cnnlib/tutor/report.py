"""What the tutor shows: a result with a short Korean ``text/plain`` and rich HTML.

Everything here is a pure function of the exercise, its seeded cases and the learner's
outcomes — no timings, addresses or paths — so a notebook's committed output is the same on
every run and machine. The HTML uses :mod:`cnnlib.explorers.grid` (inline styles, plain
tables, ``<details>`` fold-outs), which GitHub and JupyterLab both show.
"""

from __future__ import annotations

from html import escape

import numpy as np

from ..htmlkit.grid import grid_html
from ..htmlkit.layout import notice, panel, row
from ..shapes import shape_text
from .runner import Output, Problem, Raised

__all__ = ["Shown", "Result", "pass_result", "todo_result", "failure_result", "hints_view", "solution_view"]

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

    def __init__(self, exercise: str, status: str, text: str, html: str, mistake: str | None = None):
        super().__init__(text, html)
        self.exercise, self.status, self.mistake = exercise, status, mistake

    @property
    def passed(self) -> bool:
        return self.status == "pass"


def _wrap(status: str, body: str) -> str:
    return f'<div class="cnnlib-tutor cnnlib-tutor-{status}">{body}</div>'


def _pre(text: str) -> str:
    return f'<pre style="{_PRE}">{escape(text)}</pre>'


# ---- passed and not yet ----------------------------------------------------------------------

def _range(values) -> str:
    values = sorted(set(values))
    return str(values[0]) if len(values) == 1 else f"{values[0]}~{values[-1]}"


def pass_result(ex, cases) -> Result:
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
    return Result(ex.name, "pass", text, _wrap("pass", notice(escape(text), tone="ok")))


def todo_result(ex, outcome) -> Result:
    returned_none = isinstance(outcome, Output)
    extra = (" (None을 돌려받았습니다. 이미 작성했다면 마지막에 return을 빠뜨리지 않았는지 보세요.)"
             if returned_none else "")
    text = f"… {ex.title}: 아직 구현하지 않았습니다.{extra}\n  힌트 1: {ex.hints[0]}"
    body = (f"<b>… {escape(ex.title)}</b>: 아직 구현하지 않았습니다.{escape(extra)}<br>"
            f"<b>힌트 1</b>: {escape(ex.hints[0])}")
    return Result(ex.name, "todo", text, _wrap("todo", notice(body, tone="note")))


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


def _issue_html(ex, issue, expected, got) -> str:
    exp = np.asarray(expected)
    label = ex.labels.get(issue.key, issue.key)
    if not ex.show_grids:
        return panel(escape(issue.message), "")
    if issue.kind in ("none", "type") or exp.ndim == 0:
        return panel(escape(issue.message), "")
    got = np.asarray(got)
    if issue.kind == "values":
        index = tuple(int(i) for i in np.argwhere(issue.mask)[0])
        suffix, e2, rc = _two_d(exp, index)
        _, g2, _ = _two_d(got, index)
        _, m2, _ = _two_d(issue.mask, index)
        body = row(_grid(f"기대값 {label}{suffix}", e2, rc, "winner", m2, "tutor-expected"),
                   _grid(f"여러분의 {label}{suffix}", g2, rc, "unvisited", m2, "tutor-got"))
        return panel(escape(issue.message), body + f'<div style="{_NOTE}">초록 칸: 기대값, 빨간 칸: 기대값과 다른 칸.</div>')
    if got.ndim != exp.ndim or got.ndim == 0:
        return panel(escape(issue.message), "")
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
    if not ex.call or case.size > 300:
        return ""
    lines = [_literal(k, a) for k, a in case.arrays.items()]
    lines.append(ex.call.format(name=learner_name, **case.params))
    return "\n".join(lines)


def failure_result(ex, number, case, expected, outcome, issues, mistake, learner_name) -> Result:
    where = f"{number}번째 경우 ({case.label + ': ' if case.label else ''}{case.describe()})"
    lines = [f"✗ {ex.title}: {where}"]
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
        blocks += [_issue_html(ex, issue, expected[issue.key], outcome.values.get(issue.key)) for issue in issues]
    if mistake is not None:
        lines += [f"  진단: {mistake.diagnosis}", f"  힌트: {mistake.hint}"]
        diagnosis = notice(f"<b>진단</b>: {escape(mistake.diagnosis)}<br><b>힌트</b>: {escape(mistake.hint)}", tone="note")
    else:
        lines.append(f"  hints({ex.name!r})에 힌트가 있습니다.")
        diagnosis = notice(f"알려진 실수와는 다릅니다. 아래 값을 보고, 막히면 <code>hints({ex.name!r})</code>를 펼쳐 보세요.",
                           tone="info")
    views = ex.views(case, *_focus(issues)) if ex.views else []
    inputs = panel("이 경우의 입력", row(*(_input_grid(t, v, p) for t, v, p in views))) if views else ""
    rerun = _rerun(ex, case, learner_name)
    printed = outcome.printed.strip()
    html = (notice(f"<b>✗ {escape(ex.title)}</b><br>{escape(where)}: {head}", tone="error") + diagnosis
            + inputs + "".join(blocks)
            + (panel("직접 실행해 보기", _pre(rerun)) if rerun else "")
            + (panel("함수가 print한 내용", _pre("\n".join(printed.splitlines()[:20]))) if printed else ""))
    return Result(ex.name, "fail", "\n".join(lines), _wrap("fail", html), mistake.key if mistake else None)


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
