"""Pieces both im2col views draw (:mod:`.im2col_conv`, :mod:`.im2col_pool`): the frame of one setting
(:class:`Frame`), the input grids with the current window, per-sample blocks of small grids, row and
column labels, and the colour key.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..htmlkit.grid import grid_html
from ..htmlkit.layout import KEY_COLOURS, panel, row, stack, text
from ..shapes import shape_text
from .geometry import WindowGeometry

__all__ = ["Frame", "INPUT_CELLS", "inputs_html", "blocks_html", "agree", "colour"]

INPUT_CELLS = 900    # draw every sample's grids while they hold at most this many cells, else sample n only


@dataclass(frozen=True)
class Frame:
    """One setting of the im2col explorer as both views need it: settings ``s``, geometry, input x
    (N, C, H, W), the current im2col row ``r`` and its output cell ``cell`` = (n, oy, ox), the CSS
    ``prefix`` and the grids' cell ``size`` (see :func:`cnnlib.htmlkit.grid.fitting_size`)."""

    s: object
    geom: WindowGeometry
    x: np.ndarray
    r: int
    cell: tuple
    prefix: str
    size: str = "normal"

    @property
    def R(self) -> int:
        """Rows of one sample: OH·OW."""
        OH, OW = self.geom.out_hw
        return OH * OW

    def col_labels(self) -> list[str]:
        """Columns of the im2col matrix: 'c·ij' = channel c, window cell (i, j) ('ij' for one channel)."""
        s = self.s
        return [f"{c}·{i}{j}" if s.C > 1 else f"{i}{j}" for c in range(s.C) for i in range(s.FH) for j in range(s.FW)]

    def row_label(self):
        OW = self.geom.out_hw[1]
        R = self.R
        return lambda r: f"{r}:\u00a0({(r % R) // OW},{r % OW})"

    def samples_shown(self, cells_per_sample: int) -> list[int]:
        s = self.s
        return list(range(s.N)) if s.N * cells_per_sample <= INPUT_CELLS else [self.cell[0]]


def colour(i: int) -> str:
    """'노란 칸', '파란 칸' or '초록 칸' in its colour."""
    return KEY_COLOURS[i]()


def agree(ok: bool) -> str:
    return "✓ 같음" if ok else "✗ 다름"


def inputs_html(f: Frame, winners=None, title="입력 x", cell=True) -> str:
    """Every sample's channels (or sample n's alone when they are many), one sample under another, the
    window of the current cell marked on sample n; ``winners`` {c: padded (y, x)} marked too."""
    s, geom, x = f.s, f.geom, f.x
    p = s.pad
    ph, pw = geom.padded_hw
    n = f.cell[0] if cell and f.cell else 0
    base = geom.input_marks()
    current = geom.input_marks(f.cell[1:]) if cell and f.cell else base
    row_labels = [""] * p + [str(i) for i in range(s.H)] + [""] * p
    col_labels = [""] * p + [str(i) for i in range(s.W)] + [""] * p
    samples = f.samples_shown(s.C * ph * pw) if f.cell else list(range(s.N))
    blocks = []
    for k in samples:
        grids = []
        for c in range(s.C):
            marks = dict(current if k == n else base)
            if k == n and winners is not None:
                marks["winner"] = [winners[c]]
            grids.append(grid_html(np.pad(x[k, c], p) if p else x[k, c], marks=marks, role="input",
                                   title=f"x[{k}, {c}]", row_labels=row_labels, col_labels=col_labels,
                                   pick=f"input:{k}:{c}", size=f.size))
        blocks.append(row("".join(grids), align="flex-start"))
    hidden = "" if len(samples) == s.N else text(
        f"(데이터 {s.N}개 중 n = {n}만 그립니다. 다른 데이터는 '데이터 n'으로 고르세요.)", "x-small")
    return panel(f"{title} {shape_text(x.shape)}", stack(*blocks) + hidden)


def blocks_html(f: Frame, arrays, role: str, name: str, pick: str = "") -> str:
    """Per shown sample k, a row of grids ``arrays[k, j]`` titled ``name[k, j]``, the current cell marked
    on sample n; one sample under another."""
    n, oy, ox = f.cell
    per = arrays.shape[1] * arrays.shape[2] * arrays.shape[3]
    out = []
    for k in f.samples_shown(per):
        grids = "".join(grid_html(arrays[k, j], role=role, title=f"{name}[{k}, {j}]",
                                  marks={"current": [(oy, ox)]} if k == n else None,
                                  pick=f"{pick}:{k}" if pick else "", size=f.size)
                        for j in range(arrays.shape[1]))
        out.append(row(grids, align="flex-start"))
    hidden = "" if len(out) == len(arrays) else text(f"(데이터 {len(arrays)}개 중 n = {n}만 그립니다.)", "x-small")
    return stack(*out) + hidden
