"""The drawing pad's words and HTML (:mod:`.drawpad`): the labels the widget shows, the text parts it
paints (prediction bars, the picked map's filter, the colour key, messages) and the static copy.

Every piece is written with inline styles (:func:`.style.attrs` outside ``live()``): the widget sets them
as they are, and the static copy, where GitHub drops stylesheets, keeps its colours.
"""

from __future__ import annotations

import base64

import numpy as np

from ..images import png_bytes
from ..htmlkit.grid import grid_html
from ..htmlkit.layout import row
from .live import STALE_HINT_HTML
from ..htmlkit.style import HEAT_STEPS, attrs, heat_colors

__all__ = ["TEXTS", "STATUS", "NETWORK_LABELS", "PLAIN_TEXT", "STALE_HINT_HTML", "layer_title", "parts",
           "probs_html", "filter_html", "static_html"]

TITLE = "숫자 그리기 판: 내가 쓴 숫자를 학습된 CNN이 읽습니다"
# Labels of the widget (its JavaScript shows them; they live here, with the rest of the learner's text).
TEXTS = {
    "title": TITLE,
    "hint": ("마우스나 손가락, 펜으로 숫자 하나를 판 가득 써 보세요. 신경망이 받는 이미지는 MNIST를 만든 방법 그대로 "
             "만듭니다: 긴 변을 20픽셀로 줄이고, 무게중심을 28×28의 가운데로."),
    "clear": "지우기",
    "undo": "되돌리기",
    "input": "신경망이 받는 28×28 이미지",
    "move": "가운데 맞춘 이미지 옮기기",
    "dx": "가로",
    "dy": "세로",
    "angle": "회전",
    "reset": "처음대로",
    "network": "CNN",
    "maps_hint": "맵을 누르면 그 맵을 만든 필터가 보입니다.",
}
# What the pad says when there is nothing to read.
STATUS = {
    "ok": "",
    "empty": "숫자를 써 보세요.",
    "full": "판이 거의 다 칠해졌습니다. 지우기를 누르고 숫자 하나를 쓰세요.",
    "bad": "판이 보낸 그림을 읽지 못했습니다. 지우기를 누르고 다시 써 보세요.",
}
NETWORK_LABELS = {"simple": "SimpleConvNet", "deep": "DeepConvNet"}
FC_LABEL = "완전연결: 2층 신경망 (5장)"
PLAIN_TEXT = "셀을 실행하면 숫자 그리기 판이 나타납니다 (JupyterLab에서 이 셀을 실행하세요)."
BAR_PX = 100       # width of a 100 % probability bar
INPUT_PX = 4       # screen pixels per pixel of the 28×28 input
GAP = 2            # white pixels between two feature maps


def layer_title(label: str, shape) -> str:
    """A layer's title: its label ('Conv1 + ReLU', 'Pool1') with the maps' count and size."""
    C, H, W = shape
    return f"{label}: 특징 맵 {C}개 ({H}×{W})"


def _fixed(v: float, decimals: int = 2) -> str:
    text = f"{float(v):.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def probs_html(title: str, probs, role: str, prefix: str) -> str:
    """One network's answer: the top digit large with its probability, then ten bars (``probs`` (10,),
    or None: nothing to read yet). Spaces between the pieces: it reads as text too."""
    top = None if probs is None else int(np.argmax(probs))
    big = (f"<span{attrs(f'{prefix}-top', style='font-size:34px;font-weight:bold;line-height:38px')}>"
           f"{'–' if top is None else top}</span> "
           f"<span{attrs('x-small', style='margin-left:6px')}>"
           f"{'' if top is None else _fixed(100 * float(probs[top]), 1) + '%'}</span>")
    rows = []
    for d in range(10):
        p = 0.0 if probs is None else float(probs[d])
        colour = "#16a34a" if d == top else "#93c5fd"
        rows.append(f"<div{attrs('p-row', style='height:14px')}><span{attrs('p-digit')}>{d}</span> "
                    f"<span{attrs('p-track', style=f'width:{BAR_PX}px')}><span style=\"display:block;height:11px;"
                    f"width:{round(p * BAR_PX)}px;background:{colour}\"></span></span> "
                    f"<span{attrs('p-value')}>{_fixed(100 * p, 1)}%</span></div> ")
    return (f"<div{attrs(f'{prefix}-probs-{role}', style='min-width:190px')}>"
            f"<div{attrs('x-ptitle', style='white-space:normal')}>{title}</div> "
            f"<div>{big}</div> {''.join(rows)}</div>")


def _levels(values, scale: float):
    return np.zeros(np.shape(values)) if scale <= 0 else np.clip(np.asarray(values) / scale, -1, 1)


def filter_html(view, prefix: str) -> str:
    """The filter that made the picked map: its weights with their numbers (one input channel) or each
    input channel's slice as squares, on its own diverging scale, and its bias."""
    if view.kernel is None:
        return ""
    conv = view.layers[view.request.layer].conv
    C, FH, FW = view.kernel.shape
    scale = float(np.abs(view.kernel).max())
    title = (f"{conv}의 필터 {view.request.channel}번 ({C}×{FH}×{FW})<br>"
             f"편향 {_fixed(view.bias)}")
    if C == 1:
        k = view.kernel[0]
        body = grid_html(np.vectorize(lambda v: _fixed(v), otypes=[object])(k), role="filter", title=title,
                         heat=_levels(k, scale), heat_palette="diverging", size="compact")
    else:   # each input channel's FH×FW slice, side by side, a white line between them
        cols = min(C, 16)
        rows_ = -(-C // cols)
        mosaic = np.zeros((rows_ * (FH + 1) - 1, cols * (FW + 1) - 1))
        for c in range(C):
            r, q = divmod(c, cols)
            mosaic[r * (FH + 1) : r * (FH + 1) + FH, q * (FW + 1) : q * (FW + 1) + FW] = view.kernel[c]
        body = grid_html(mosaic, role="filter", title=title + f"<br>입력 채널마다 {FH}×{FW}", show_numbers=False,
                         heat=_levels(mosaic, scale), heat_palette="diverging", cell_px=4)
    blue, red = heat_colors(-1, "diverging")[0], heat_colors(1, "diverging")[0]
    note = (f"<div{attrs('x-key', style='max-width:220px')}>파랑 음수 · 흰색 0 · 빨강 양수 "
            f"(가장 진한 색 = ±{_fixed(scale)})</div>")
    return f"<div{attrs(f'{prefix}-filter-panel')} data-colours=\"{blue} {red}\">{body}{note}</div>"


def legend_html(view, prefix: str) -> str:
    scales = " · ".join(f"{lm.label} {_fixed(lm.scale)}" for lm in view.layers if lm.scale_of == lm.name)
    pooled = [lm.label for lm in view.layers if lm.scale_of != lm.name]
    same = f" {', '.join(pooled)}의 맵은 풀링한 ReLU 맵과 같은 눈금." if pooled else ""
    return (f"<div{attrs(f'{prefix}-legend', 'x-key')}>색: 흰색 0 → 빨간색 = 그 층에서 가장 큰 값 ({scales}).{same}</div>")


def parts(view, prefix: str = "cnnlib-drawpad") -> dict:
    """{part: HTML} the widget paints for ``view``: 'status', 'cnn', 'fc', 'filter', 'legend'."""
    ok = view.status == "ok"
    status = (f"<div{attrs(f'{prefix}-message', f'cnnlib-notice-{view.status}', 'cnnlib-notice', 'n-note')}>"
              f"{view.message}</div>") if not ok else ""
    return {
        "status": status,
        "cnn": probs_html(f"CNN: {NETWORK_LABELS[view.request.network]}", view.cnn, "cnn", prefix),
        "fc": probs_html(FC_LABEL, view.fc, "fc", prefix),
        "filter": filter_html(view, prefix) if ok else "",
        "legend": legend_html(view, prefix) if ok else "",
    }


def mosaic(steps, cols: int, px: int, palette: list) -> np.ndarray:
    """A layer's maps as one picture: ``steps`` (C, H, W) of the diverging palette (−HEAT_STEPS ..
    HEAT_STEPS), ``cols`` maps a row, each map pixel ``px``×``px`` screen pixels, ``GAP`` white pixels
    between maps (the widget paints the same). Returns (rows·(H·px + GAP) − GAP, cols·(W·px + GAP) − GAP, 3)
    uint8 RGB; ``palette`` [[r, g, b], ...] from the lowest step up."""
    C, H, W = steps.shape
    rows_ = -(-C // cols)
    th, tw = H * px + GAP, W * px + GAP
    out = np.full((rows_ * th - GAP, cols * tw - GAP, 3), 255, dtype=np.uint8)
    colours = np.asarray(palette, dtype=np.uint8)[np.asarray(steps, dtype=np.int64) + HEAT_STEPS]   # (C, H, W, 3)
    big = colours.repeat(px, axis=1).repeat(px, axis=2)
    for c in range(C):
        r, q = divmod(c, cols)
        out[r * th : r * th + H * px, q * tw : q * tw + W * px] = big[c]
    return out


def _maps_html(layer, palette: list, prefix: str) -> str:
    """One layer's maps as one PNG (the static copy)."""
    pixels = mosaic(layer.steps, layer.cols, layer.px, palette)
    src = base64.b64encode(png_bytes(pixels)).decode()
    return (f"<div{attrs(f'{prefix}-layer')}><div{attrs('g-title')}>{layer.title}</div>"
            f'<img alt="{layer.title}" width="{pixels.shape[1]}" height="{pixels.shape[0]}" '
            f'src="data:image/png;base64,{src}"></div>')


def static_html(view, palette: list, prefix: str) -> str:
    """The static copy: the example drawing's 28×28 image (a grid), both networks' answers, the maps (a
    picture per layer, colours from ``palette``, the diverging one) and the sentence that running the
    cell opens the pad."""
    p = parts(view, prefix)
    image = grid_html(np.zeros(view.image.shape, dtype=int), role="input", title=TEXTS["input"],
                      show_numbers=False, heat=np.round(view.image * HEAT_STEPS) / HEAT_STEPS, heat_palette="gray",
                      cell_px=INPUT_PX)
    head = (f"<div title=\"static view of an example drawing\"{attrs('x-static-head')}>정적 그림: 예시로 마우스로 쓴 숫자 하나를 읽은 결과입니다. "
            f"셀을 실행하면 숫자를 직접 쓰는 판이 열립니다.</div>")
    top = row(image, p["cnn"], p["fc"], align="flex-start")
    maps = "".join(_maps_html(layer, palette, prefix) for layer in view.layers)
    return (f'<div class="{prefix}-static"><div{attrs("x-ptitle")}>{TITLE}</div>{head}{top}'
            f"{p['legend']}{row(maps, p['filter'], align='flex-start')}</div>")

