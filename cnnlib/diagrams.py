"""Network diagrams as HTML: a row of layer boxes with the tensor shape after each (the idea of
the book's 그림 7-1 and 7-2), drawn from a list of layers so the picture is the code.

Inline styles and plain elements only, like :mod:`cnnlib.htmlkit.grid`, so the diagram
reads the same live and in a notebook stored on GitHub.
"""

from __future__ import annotations

from html import escape


from .shapes import shape_text

__all__ = ["layer_kind", "layer_flow_html"]

_COLORS = {
    "conv": ("#fed7aa", "#c2410c"),
    "pool": ("#bfdbfe", "#1d4ed8"),
    "affine": ("#e5e7eb", "#374151"),
    "activation": ("#fef9c3", "#a16207"),
    "softmax": ("#ddd6fe", "#6d28d9"),
    "other": ("#f3f4f6", "#6b7280"),
    "input": ("#ffffff", "#6b7280"),
}


def layer_kind(name: str) -> str:
    """'conv', 'pool', 'affine', 'activation', 'softmax', 'input' or 'other', from a layer name
    such as 'Conv1', 'Pool1', 'Affine2', 'Relu1', 'Softmax' — or LeNet-5's paper names 'C1',
    'S2' (subsampling), 'F6', 'Output' and 'Act1'."""
    n = name.lower()
    if len(n) >= 2 and n[0] in "csf" and n[1:].isdigit():
        return {"c": "conv", "s": "pool", "f": "affine"}[n[0]]
    if n == "output":
        return "affine"
    if n.startswith("act"):
        return "activation"
    for prefix, kind in (("conv", "conv"), ("pool", "pool"), ("affine", "affine"), ("relu", "activation"),
                         ("sigmoid", "activation"), ("tanh", "activation"), ("softmax", "softmax"),
                         ("input", "input")):
        if n.startswith(prefix):
            return kind
    return "other"



def layer_flow_html(steps, *, title: str = "", css_class: str = "cnnlib-layer-flow") -> str:
    """Boxes for [(layer name, shape after it or None), ...] joined by arrows."""
    items = []
    for i, (name, shape) in enumerate(steps):
        bg, border = _COLORS[layer_kind(name)]
        label = "입력" if name == "input" else name
        under = f'<div style="font:11px monospace;color:#374151;margin-top:2px">{escape(shape_text(shape))}</div>' \
            if shape is not None else ""
        items.append(
            f'<div class="cnnlib-layer cnnlib-layer-{layer_kind(name)}" style="display:inline-block;'
            f'vertical-align:top;text-align:center;margin:2px 0">'
            f'<div style="background:{bg};border:1px solid {border};border-radius:4px;padding:4px 8px;'
            f'font:bold 13px sans-serif;color:#111">{escape(label)}</div>{under}</div>')
        if i < len(steps) - 1:
            items.append('<div style="display:inline-block;vertical-align:top;padding:4px 3px;'
                         'color:#6b7280;font-size:14px">→</div>')
    head = f'<div style="font-weight:bold;font-size:13px;margin:0 0 4px 0">{title}</div>' if title else ""
    return (f'<div class="{css_class}" style="margin:0 0 8px 0">{head}'
            f'<div style="display:flex;flex-wrap:wrap;align-items:flex-start;gap:2px">{"".join(items)}</div></div>')
