"""The wording of a :class:`~cnnlib.shapes.SizeCheck`: the book's formula with one axis' numbers plugged
in, and the English sentence an invalid axis raises (what is wrong, the nearest valid settings, what
rounding down would drop).

Every function here only *reads* a check's fields; the arithmetic behind them lives in
:mod:`cnnlib.shapes`. (The explorers say the same in Korean: ``cnnlib/explorers/explain.py``.)
"""

from __future__ import annotations

__all__ = ["symbols", "equation", "formula", "explain", "index_list"]


def symbols(kind: str, dim: str) -> dict:
    """Symbol names for formulas: ``{'in': 'H', 'out': 'OH', 'filter': 'FH'}`` (``pool_h`` for pooling)."""
    filt = "F" + dim if kind == "conv" else "pool_" + dim.lower()
    return {"in": dim, "out": "O" + dim, "filter": filt}


def index_list(rows: range) -> str:
    """Row or column numbers (a range of step 1) as text: ``4``, ``5, 6`` or, for a long run, ``5–99``
    (never written out number by number: the run may be longer than any list)."""
    if rows.stop - rows.start > 5:  # not len(): it overflows beyond 2**63
        return f"{rows.start}–{rows.stop - 1}"
    return ", ".join(str(i) for i in rows)


def equation(c) -> str:
    """The book's formula with this axis' numbers plugged in, as far as it goes, e.g.
    ``OH = (4 + 2·1 − 3)/1 + 1 = 3 + 1 = 4`` or ``OH = (5 + 2·0 − 2)/2 + 1 = 3/2 + 1``."""
    s = symbols(c.kind, c.dim)
    eff = str(c.effective_filter)
    if c.dilation != 1:
        eff = f"({c.dilation}·({c.filter_size}−1)+1)"
    head = f"{s['out']} = ({c.input_size} + 2·{c.pad} − {eff})/{c.stride} + 1"
    if c.status == "valid":
        return f"{head} = {c.numerator // c.stride} + 1 = {c.output_size}"
    return f"{head} = {c.numerator}/{c.stride} + 1"


def formula(c) -> str:
    """:func:`equation` with its status in English, e.g. ``OH = (4 + 2·1 − 3)/1 + 1 = 4`` or
    ``... = 3/2 + 1 (remainder 1: not a whole number)``."""
    if c.status == "no-fit":
        return f"{equation(c)} (window does not fit)"
    if c.status == "remainder":
        return f"{equation(c)} (remainder {c.remainder}: not a whole number)"
    return equation(c)


def explain(c) -> str:
    """A learner-readable sentence for an invalid axis ('' when valid)."""
    if c.valid:
        return ""
    s = symbols(c.kind, c.dim)
    what = "filter" if c.kind == "conv" else "pooling window"
    layer = "Convolution" if c.kind == "conv" else "Pooling"
    axis = {"H": "height", "W": "width"}[c.dim]
    span = f"{c.effective_filter}" if c.dilation == 1 else (
        f"{c.effective_filter} (size {c.filter_size} with dilation {c.dilation})")
    lines = []
    if c.numerator < 0:
        need = -(-(c.effective_filter - c.input_size) // 2)
        lines.append(
            f"{layer} output {axis} {s['out']} cannot be computed: the {what} spans {span} cells but the "
            f"padded input is only {c.input_size} + 2·{c.pad} = {c.padded_size} cells "
            f"({s['in']}={c.input_size}, pad={c.pad}), so not even one window fits."
        )
        lines.append(f"Use a smaller {what}, a larger input, or pad ≥ {need}.")
        return " ".join(lines)
    lines.append(
        f"{layer} output {axis} is not a whole number: {s['out']} = ({s['in']} + 2P − {s['filter']})/S + 1 "
        f"= ({c.input_size} + 2·{c.pad} − {c.effective_filter})/{c.stride} + 1 = {c.numerator}/{c.stride} + 1. "
        f"{c.numerator} divided by stride {c.stride} leaves remainder {c.remainder}, "
        f"and the book requires {s['out']} to be a whole number."
    )
    fixes = []
    if c.nearest_pads:
        fixes.append("pad=" + " or ".join(str(p) for p in c.nearest_pads))
    elif c.stride % 2 == 0 and c.numerator % 2 == 1:
        lines.append(
            f"No padding can fix it: padding adds 2 cells at a time, so the numerator stays odd "
            f"while stride {c.stride} is even."
        )
    if c.nearest_strides:
        fixes.append("stride=" + " or ".join(str(v) for v in c.nearest_strides))
    if fixes:
        lines.append("Nearest valid settings: " + "; ".join(fixes) + ".")
    dropped = c.dropped_input
    floor = f"Or round down (floor=True) as PyTorch/TensorFlow do: {s['out']} = {c.floor_output_size}"
    if dropped:
        row = "row" if c.dim == "H" else "column"
        which = f"input {row} {dropped.start} is" if dropped.stop - dropped.start == 1 else (
            f"input {row}s {index_list(dropped)} are")
        lines.append(f"{floor}, and {which} never visited.")
    else:
        lines.append(f"{floor}; only padding ({c.dropped_padding} cells) is left unvisited.")
    return " ".join(lines)
