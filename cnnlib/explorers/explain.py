"""Learner-facing words for the output-size formula: the numbers plugged in, and why a
setting is invalid — shared by every explorer (convolution, pooling, im2col).

Everything here *reads* :class:`~cnnlib.shapes.SizeCheck` fields (``status``, ``equation()``,
numerator, remainder, nearest valid pad/stride, floor-mode size, never-visited rows) — the same fields
the library's English message is made from, so rewording one cannot break the other; no size is
computed again. The text is Korean in the book's words; the terms were introduced (with their English
names) in the notebooks' prose, so they are not glossed again here.
"""

from __future__ import annotations

from html import escape

from ..htmlkit.layout import fold, notice
from ..htmlkit.style import attrs
from ..shapes import SizeCheck
from .geometry import WindowGeometry

__all__ = ["formula_text", "formula_html", "explain_text", "explain_html", "explanations_html", "geometry_report_html",
           "subject_particle"]

_AXIS = {"H": "높이", "W": "너비"}
_LINE = {"H": "행", "W": "열"}
_WHAT = {"conv": "필터", "pool": "풀링 윈도우"}
_LAYER = {"conv": "Convolution", "pool": "Pooling"}
_FIX_STARTS = ("고치는 방법", "가장 가까운 올바른 값")
_STATUS = {"valid": "", "remainder": " → 나머지 {r}: 정수가 아님", "no-fit": " → 윈도우가 들어가지 않음"}


def subject_particle(n: int) -> str:
    """'이' or '가' after the number ``n`` read aloud in Korean (1 일이, 2 이가, 10 십이): '가' after the
    digits read without a final consonant (2 이, 4 사, 5 오, 9 구); every other last digit, and 0 (영,
    십, 백, 천, 만), ends in one."""
    return "가" if abs(n) % 10 in (2, 4, 5, 9) else "이"


def _numbers(values) -> str:
    return ", ".join(str(v) for v in values)


def formula_text(check: SizeCheck) -> str:
    """``check.equation()`` (the book's formula with this axis' numbers) with its status in Korean."""
    return check.equation() + _STATUS[check.status].format(r=check.remainder)


def formula_html(check: SizeCheck) -> str:
    """One line: '출력 높이 OH = (4 + 2·0 − 3)/1 + 1 = 1 + 1 = 2 ✓' (never wraps)."""
    mark = f"<b{attrs('f-ok' if check.valid else 'f-bad')}>{'✓' if check.valid else '✗'}</b>"
    return (f"<div{attrs(f'cnnlib-formula-{check.dim}', 'x-line')}><span{attrs('f-axis')}>출력 {_AXIS[check.dim]}</span> "
            f"{escape(formula_text(check))} {mark}</div>")


def _sentences(check: SizeCheck, grid: bool = True, strides: bool = True) -> tuple[str, list[str]]:
    """(headline, sentences) explaining one invalid axis; plain text. ``grid``: the reader sees
    the input grid, where never-read cells are painted red (say so); ``strides``: suggest other strides
    (not in an explorer whose question is the input size)."""
    s = check.symbols
    out, axis, what = s["out"], _AXIS[check.dim], _WHAT[check.kind]
    if check.numerator < 0:
        head = f"윈도우가 하나도 들어가지 않아 출력 {axis} {out}를 계산할 수 없습니다."
        span = (f"{what}가 차지하는 칸은 {check.effective_filter}개" if check.dilation == 1 else
                f"크기 {check.filter_size}, 팽창 {check.dilation}인 {what}가 차지하는 칸은 {check.effective_filter}개")
        lines = [f"{span}인데, 패딩한 입력은 {s['in']} + 2P = {check.input_size} + 2·{check.pad} = "
                 f"{check.padded_size}칸뿐입니다."]
        fix = f"고치는 방법: 더 작은 {what}, 더 큰 입력"
        if check.nearest_pads:
            fix += f", 또는 패딩 P = {_numbers(check.nearest_pads)}"
        lines.append(fix + ".")
        return head, lines

    head = f"출력 {axis} {out}가 정수가 아닙니다."
    lines = [
        f"분자 {s['in']} + 2P − {s['filter']} = {check.input_size} + 2·{check.pad} − {check.effective_filter} "
        f"= {check.numerator}, 스트라이드 S = {check.stride}: "
        f"{check.numerator} ÷ {check.stride}의 나머지는 {check.remainder}입니다.",
        f"책의 식 7.1(234쪽)에서 {out}는 정수여야 합니다.",
    ]
    fixes = []
    if check.nearest_pads:
        fixes.append(f"패딩 P = {_numbers(check.nearest_pads)}")
    if check.nearest_strides and strides:
        fixes.append(f"스트라이드 S = {_numbers(check.nearest_strides)}")
    if fixes:
        lines.append("가장 가까운 올바른 값(이 축 기준): " + ", 또는 ".join(fixes) + ".")
    if not check.nearest_pads and check.stride % 2 == 0 and check.numerator % 2 == 1:
        lines.append(f"패딩은 분자를 2씩 바꾸므로 분자가 계속 홀수입니다: 짝수 스트라이드 {check.stride}에서는 "
                     f"패딩으로 해결할 수 없습니다.")
    if check.dropped_input_indices:
        lines.append(
            f"PyTorch의 합성곱처럼 내림하면 {out} = {check.floor_output_size}이고, 입력의 "
            f"{_numbers(check.dropped_input_indices)}번 {_LINE[check.dim]}은 어떤 윈도우도 읽지 않습니다"
            + ("(빨간 칸)." if grid else "."))
    else:
        lines.append(
            f"PyTorch의 합성곱처럼 내림하면 {out} = {check.floor_output_size}이고, 읽히지 않는 칸은 "
            f"패딩 {check.dropped_padding}칸뿐입니다.")
    return head, lines


def explain_text(check: SizeCheck, *, grid: bool = True, strides: bool = True) -> str:
    """Korean explanation of one invalid axis as plain text ('' when the axis is valid).
    ``grid=False`` for a reader who sees no input grid (no pointer to red cells)."""
    if check.valid:
        return ""
    head, lines = _sentences(check, grid, strides)
    return " ".join([head] + lines)


def explain_html(check: SizeCheck, *, grid: bool = True, both: bool = False, strides: bool = True) -> str:
    """Korean explanation of one invalid axis: the headline and the fix in view, the reasons folded
    underneath ('' when the axis is valid). ``both``: the other axis fails for the same reason with the
    same numbers, so this one explanation stands for both (height and width)."""
    if check.valid:
        return ""
    head, lines = _sentences(check, grid, strides)
    if both:
        other = "너비 OW" if check.dim == "H" else "높이 OH"
        head += f" 너비와 높이가 같아서 출력 {other}도 같은 이유로 정수가 아닙니다." if check.status == "remainder" else (
            f" 너비와 높이가 같아서 출력 {other}도 마찬가지입니다.")
    # the fix stays in view; the reasons and the formula fold away, with what a layer does with this setting
    fixes = [t for t in lines if t.startswith(_FIX_STARTS)]
    reasons = [t for t in lines if not t.startswith(_FIX_STARTS)]
    body = (f"<div>{formula_html(check)}</div>" + "".join(f"<div>{escape(t)}</div>" for t in reasons)
            + f"<div{attrs('x-small', 'cnnlib-layer-error')}>이 설정을 {_LAYER[check.kind]} 계층에 주면 같은 이유로 "
              f"오류(ValueError)가 납니다.</div>")
    dims = "H W" if both else check.dim
    classes = " ".join(f"cnnlib-invalid-{d}" for d in dims.split())
    return (f'<div class="{classes}"><div><b>✗ {escape(head)}</b></div>'
            + "".join(f"<div>{escape(t)}</div>" for t in fixes)
            + fold("이유", body, data_key=f"why-{check.dim}") + "</div>")


def _same_reason(h: SizeCheck, w: SizeCheck) -> bool:
    """Height and width fail with the same numbers (a square input and a square filter or window)."""
    keys = ("input_size", "filter_size", "stride", "pad", "dilation", "status")
    return not h.valid and all(getattr(h, k) == getattr(w, k) for k in keys)


def explanations_html(checks, *, grid: bool = True, strides: bool = True) -> str:
    """The explanation of every invalid axis of (height, width) checks — one when both fail alike."""
    h, w = checks
    if _same_reason(h, w):
        return explain_html(h, grid=grid, both=True, strides=strides)
    return "".join(explain_html(c, grid=grid, strides=strides) for c in checks if not c.valid)


def geometry_report_html(geom: WindowGeometry, *, css_class="") -> str:
    """Everything to say about a geometry: an explanation per invalid axis (one when both fail alike),
    or a short 'valid' line; a note when floor mode is drawn; a note when a stride larger than the window
    (or, for a convolution, dilation) leaves input rows/columns unread; for pooling, a warning when some
    window reads padding only."""
    parts = []
    if geom.valid:
        parts.append(notice("<b>✓ 올바른 설정</b>: 책의 식 7.1로 출력 크기가 정수로 나옵니다.", tone="ok"))
    else:
        parts.append(notice(explanations_html(geom.checks), tone="error"))
        if geom.drawn_in_floor_mode:
            parts.append(notice(
                "책의 식으로는 계산할 수 없는 설정이어서, 그림은 <b>내림 모드</b>"
                "(PyTorch 합성곱의 기본 방식)로 그렸습니다. 끝에서 다 들어가지 않는 윈도우는 버립니다.", tone="note"))
    if geom.fits:
        skipped = []
        for check in geom.checks:
            extra = [i for i in geom.unvisited_input_indices(check.dim) if i not in check.dropped_input_indices]
            if extra:
                skipped.append(f"{_numbers(extra)}번 {_LINE[check.dim]}")
        if skipped:
            dilated = geom.h.kind == "conv" and geom.h.dilation > 1
            why = ("스트라이드가 윈도우보다 크거나 팽창으로 윈도우에 틈이 있어" if dilated
                   else "스트라이드가 윈도우보다 커서")
            parts.append(notice(f"{why} 어떤 윈도우도 읽지 않는 입력이 있습니다(빨간 칸): "
                                f"{escape(', '.join(skipped))}.", tone="note"))
        if geom.h.kind == "pool" and geom.padding_only_windows():
            count = geom.padding_only_windows()
            parts.append(notice(
                f"패딩 P = {geom.pad}{subject_particle(geom.pad)} 풀링 윈도우보다 커서 <b>패딩만 읽는 윈도우가 {count}개</b> 있습니다. 그 출력은 "
                f"패딩의 0일 뿐 입력과는 관계가 없습니다. 패딩을 윈도우 크기보다 작게 하세요.", tone="note",
                css_class="cnnlib-padding-only"))
    cls = f' class="{css_class}"' if css_class else ""
    return f"<div{cls}>" + "".join(parts) + "</div>"
