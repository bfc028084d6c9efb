"""Learner-facing words for the output-size formula: the numbers plugged in, and why a
setting is invalid — shared by every explorer (convolution, pooling, im2col).

Everything here *reads* :class:`~cnnlib.shapes.SizeCheck` fields (numerator, remainder,
nearest valid pad/stride, floor-mode size, never-visited rows); no size is computed
again. The text is Korean with English terms in parentheses, like the notebooks; the
library's own English ``ValueError`` message is kept beside it (``check.message``) so a
learner recognises it when a layer raises it.
"""

from __future__ import annotations

import re
from html import escape

from ..shapes import SizeCheck
from .geometry import WindowGeometry
from .grid import notice

__all__ = ["formula_text", "formula_html", "explain_text", "explain_html", "geometry_report_html"]

_AXIS = {"H": "높이(height)", "W": "너비(width)"}
_LINE = {"H": "행(row)", "W": "열(column)"}
_WHAT = {"conv": "필터(filter)", "pool": "풀링 창(pooling window)"}
_WHAT_SUBJECT = {"conv": "필터(filter)가", "pool": "풀링 창(pooling window)이"}  # Korean subject particle


def _numbers(values) -> str:
    return ", ".join(str(v) for v in values)


def formula_text(check: SizeCheck) -> str:
    """``check.formula()`` (the book's formula with this axis' numbers) with its status in Korean."""
    text = check.formula()
    text = re.sub(r" \(remainder (\d+): not a whole number\)$",
                  r" → 나머지(remainder) \1: 정수가 아님", text)
    text = text.replace(" (window does not fit)", " → 창이 들어가지 않음")
    return text


def formula_html(check: SizeCheck) -> str:
    """One line: 'output height: OH = (4 + 2·0 − 3)/1 + 1 = 1 + 1 = 2 ✓'."""
    ok = check.valid
    mark = ('<b style="color:#047857">✓</b>' if ok else '<b style="color:#b91c1c">✗</b>')
    return (f'<div class="cnnlib-formula-{check.dim}" style="font-family:monospace;font-size:14px;margin:1px 0">'
            f'<span style="font-family:sans-serif;font-size:12px;color:#374151">출력 {_AXIS[check.dim]}</span> '
            f'{escape(formula_text(check))} {mark}</div>')


def _sentences(check: SizeCheck) -> tuple[str, list[str]]:
    """(headline, sentences) explaining one invalid axis; plain text."""
    s = check.symbols
    out, axis, what = s["out"], _AXIS[check.dim], _WHAT[check.kind]
    if check.numerator < 0:
        head = f"창이 하나도 들어가지 않아 출력 {axis} {out}를 계산할 수 없습니다."
        span = (f"{_WHAT_SUBJECT[check.kind]} 차지하는 칸은 {check.effective_filter}개" if check.dilation == 1 else
                f"크기 {check.filter_size}, 팽창(dilation) {check.dilation}인 {_WHAT_SUBJECT[check.kind]} 차지하는 칸은 "
                f"{check.effective_filter}개")
        lines = [f"{span}인데, 패딩한 입력은 {s['in']} + 2P = {check.input_size} + 2·{check.pad} = "
                 f"{check.padded_size}칸뿐입니다."]
        fix = f"고치는 방법: 더 작은 {what}, 더 큰 입력"
        if check.nearest_pads:
            fix += f", 또는 패딩 P = {_numbers(check.nearest_pads)}"
        lines.append(fix + ".")
        return head, lines

    head = f"출력 {axis} {out}가 정수가 아닙니다 (not a whole number)."
    lines = [
        f"분자 {s['in']} + 2P − {s['filter']} = {check.input_size} + 2·{check.pad} − {check.effective_filter} "
        f"= {check.numerator}, 스트라이드(stride) S = {check.stride}: "
        f"{check.numerator} ÷ {check.stride}의 나머지(remainder)는 {check.remainder}입니다.",
        f"책의 식 7.1(234쪽)에서 {out}는 정수여야 합니다.",
    ]
    fixes = []
    if check.nearest_pads:
        fixes.append(f"패딩 P = {_numbers(check.nearest_pads)}")
    if check.nearest_strides:
        fixes.append(f"스트라이드 S = {_numbers(check.nearest_strides)}")
    if fixes:
        lines.append("가장 가까운 올바른 값(이 축 기준): " + ", 또는 ".join(fixes) + ".")
    if not check.nearest_pads and check.stride % 2 == 0 and check.numerator % 2 == 1:
        lines.append(f"패딩은 분자를 2씩 바꾸므로 분자가 계속 홀수입니다: 짝수 스트라이드 {check.stride}에서는 "
                     f"패딩으로 해결할 수 없습니다.")
    if check.dropped_input_indices:
        lines.append(
            f"PyTorch·TensorFlow처럼 내림(floor)하면 {out} = {check.floor_output_size}이고, 입력의 "
            f"{_numbers(check.dropped_input_indices)}번 {_LINE[check.dim]}은 어떤 창도 읽지 않습니다(빨간 칸).")
    else:
        lines.append(
            f"PyTorch·TensorFlow처럼 내림(floor)하면 {out} = {check.floor_output_size}이고, 읽히지 않는 칸은 "
            f"패딩 {check.dropped_padding}칸뿐입니다.")
    return head, lines


def explain_text(check: SizeCheck) -> str:
    """Korean explanation of one invalid axis as plain text ('' when the axis is valid)."""
    if check.valid:
        return ""
    head, lines = _sentences(check)
    return " ".join([head] + lines)


def explain_html(check: SizeCheck) -> str:
    """Korean explanation of one invalid axis, with the library's English message folded
    underneath ('' when the axis is valid)."""
    if check.valid:
        return ""
    head, lines = _sentences(check)
    body = "".join(f"<div>{escape(line)}</div>" for line in lines)
    english = (f'<details style="margin-top:2px"><summary style="font-size:12px;color:#6b7280">'
               f"cnnlib 오류 메시지 (ValueError, English)</summary>"
               f'<div style="font-family:monospace;font-size:12px">{escape(check.message)}</div></details>')
    return (f'<div class="cnnlib-invalid-{check.dim}"><div><b>✗ {escape(head)}</b></div>'
            f"<div>{formula_html(check)}</div>{body}{english}</div>")


def geometry_report_html(geom: WindowGeometry, *, css_class="") -> str:
    """Everything to say about a geometry: an explanation per invalid axis (or a short
    'valid' line), a note when floor mode is drawn, and a note when a stride larger than the
    window (or dilation) leaves input rows/columns unread."""
    parts = []
    if geom.valid:
        parts.append(notice("<b>✓ 올바른 설정 (valid)</b>: 책의 식 7.1로 출력 크기가 정수로 나옵니다.", tone="ok"))
    else:
        parts.append(notice("".join(explain_html(c) for c in geom.checks if not c.valid), tone="error"))
        if geom.drawn_in_floor_mode:
            parts.append(notice(
                "아래 그림은 책의 방식으로는 계산할 수 없는 설정을 <b>내림(floor) 모드</b>"
                "(PyTorch·TensorFlow 방식)로 그린 것입니다: 마지막에 덜 들어가는 창은 버립니다.", tone="note"))
    if geom.fits:
        skipped = []
        for check in geom.checks:
            extra = [i for i in geom.unvisited_input_indices(check.dim) if i not in check.dropped_input_indices]
            if extra:
                skipped.append(f"{_numbers(extra)}번 {_LINE[check.dim]}")
        if skipped:
            why = "스트라이드(stride)가 창보다 크거나 팽창(dilation)으로 창에 틈이 있어"
            parts.append(notice(f"{why} 어떤 창도 읽지 않는 입력이 있습니다(빨간 칸): "
                                f"{escape(', '.join(skipped))}.", tone="note"))
    cls = f' class="{css_class}"' if css_class else ""
    return f"<div{cls}>" + "".join(parts) + "</div>"
