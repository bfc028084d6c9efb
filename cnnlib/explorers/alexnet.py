"""The AlexNet input-size explorer (7.7): change the input size, watch the layer table.

For the input size and batch chosen, it shows what :func:`cnnlib.architecture.layer_table`
computes (every number comes from there, every size from :mod:`cnnlib.shapes`):

* a summary: input and output shapes, total parameters, multiply-adds for the batch, the
  largest im2col matrix;
* the layer table: output shape, parameters, multiply-adds and im2col memory per layer, with
  each layer's share of the parameters and of the multiply-adds;
* for a size where some layer's output is not a whole number (224, the size the paper
  states, is one), the table up to that layer and the explanation of that layer's formula
  (:mod:`cnnlib.explorers.explain`), with the nearest input sizes that pass every layer.

    >>> ex = AlexNetExplorer()
    >>> ex.view(AlexNetSettings(input_size=224)).error.layer.name
    'conv1'
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..alexnet import ALEXNET
from ..architecture import LayerSizeError, layer_table, valid_input_sizes
from ..htmlkit.grid import grid_html
from ..htmlkit.layout import notice, text
from ..htmlkit.style import attrs
from ..shapes import shape_text
from .base import Explorer
from .controls import Control
from .explain import explain_html, explanations_html

__all__ = ["AlexNetSettings", "AlexNetView", "AlexNetExplorer", "COLUMNS", "CONTROLS", "BATCHES", "megabytes"]

LO, HI = 32, 323
VALID_SIZES = tuple(valid_input_sizes(ALEXNET, LO, HI))   # every layer's output a whole number
BATCHES = (("1", 1), ("32", 32), ("128", 128))  # 128: the paper's batch size
CONTROLS = (
    Control("input_size", "입력 크기", LO, HI, row="bar", hint="input size", quick=VALID_SIZES, track=230),
    Control("batch", "배치 크기", row="bar", options=BATCHES, hint="batch"),
)
COLUMNS = ("층", "출력 형상", "매개변수", "비율", "곱셈-누산", "비율", "im2col 메모리")
_KIND = {"conv": "합성곱", "pool": "최대 풀링"}


@dataclass(frozen=True)
class AlexNetSettings:
    """The explorer's controls: a square input_size x input_size x 3 image, ``batch`` images."""

    input_size: int = 227
    batch: int = 1


@dataclass(frozen=True)
class AlexNetView:
    """HTML parts and the numbers behind them."""

    summary: str
    table: str
    explanation: str
    rows: list                       # layer_table's rows (all, or those before the failing layer)
    error: LayerSizeError | None     # where and why the sizes stop being whole numbers
    nearest_valid: tuple             # input sizes in the control's range that pass every layer, nearest first
    window_count: int = 0


def megabytes(nbytes: int) -> str:
    """Bytes as megabytes (10^6 bytes) with one decimal: '4.4 MB'."""
    return f"{nbytes / 1e6:,.1f} MB"


def _percent(part: int, total: int) -> str:
    """'14.6%'; blank for a layer without any (pooling, LRN, dropout) or without a total."""
    return f"{100 * part / total:.1f}%" if total and part else ""


class AlexNetExplorer(Explorer):
    """AlexNet's layer table for any input size; see the module docstring."""

    Settings = AlexNetSettings
    CONTROLS = CONTROLS
    PARTS = ("summary", "table", "explanation")
    LAYOUT = (("table", ("summary", "explanation")),)
    css_prefix = "cnnlib-alexnet"
    title = "AlexNet 입력 크기 탐색기: 초록 버튼은 모든 층을 통과하는 크기입니다"

    def __init__(self, **settings):
        super().__init__(**settings)
        self.valid_sizes = VALID_SIZES

    def view_window_count(self, settings) -> int:
        return 0

    def view(self, settings: AlexNetSettings | None = None) -> AlexNetView:
        s = settings or self.settings()
        self.check_settings(s)
        try:
            rows, error = layer_table(ALEXNET, s.input_size), None
        except LayerSizeError as e:
            rows, error = e.rows, e
        nearest = tuple(sorted(self.valid_sizes, key=lambda v: (abs(v - s.input_size), v))[:2])
        return AlexNetView(summary=self._summary_html(s, rows, error), table=self._table_html(s, rows, error),
                           explanation=self._explanation_html(s, rows, error, nearest), rows=rows, error=error,
                           nearest_valid=nearest)

    # ---- parts ---------------------------------------------------------------------------------

    def _summary_html(self, s, rows, error) -> str:
        lines = [f"입력 (N, C, H, W) = <b>({s.batch}, 3, {s.input_size}, {s.input_size})</b>"]
        if error is None:
            params = sum(r["params"] for r in rows)
            macs = sum(r["macs"] for r in rows)
            biggest = max(rows, key=lambda r: r["im2col_bytes"])
            lines += [
                f"출력 (N, 1000) = <b>({s.batch}, 1000)</b> · 매개변수 <b>{params:,}</b>개 "
                f"(약 {params / 1e4:,.0f}만)",
                f"곱셈-누산 <b>{macs * s.batch:,}</b>회 = 이미지 한 장에 {macs:,}회 × {s.batch}장",
                f"가장 큰 im2col 행렬: {biggest['name']}, <b>{megabytes(biggest['im2col_bytes'] * s.batch)}</b> "
                f"(float32, {s.batch}장)",
            ]
        else:
            lines.append(f"<b>✗ {escape(error.layer.name)}에서 멈춤</b>: 출력 크기가 정수가 아니어서 그 뒤의 층은 "
                         f"계산할 수 없습니다")
        return f"<div{attrs(f'{self.css_prefix}-summary-lines')}>" + "".join(text(t) for t in lines) + "</div>"

    def _table_html(self, s, rows, error) -> str:
        total_params = sum(r["params"] for r in rows) if error is None else 0
        total_macs = sum(r["macs"] for r in rows) if error is None else 0
        values = []
        for r in rows:
            is_layer = r["kind"] != "input"
            values.append([
                r["name"], shape_text(r["shape"], "×"),
                f"{r['params']:,}" if is_layer else "", _percent(r["params"], total_params) if is_layer else "",
                f"{r['macs'] * s.batch:,}" if is_layer else "", _percent(r["macs"], total_macs) if is_layer else "",
                megabytes(r["im2col_bytes"] * s.batch) if r["im2col_bytes"] else "",
            ])
        marks = {}
        note = ""
        if error is None:
            values.append(["합계", "", f"{total_params:,}", "100%", f"{total_macs * s.batch:,}", "100%",
                           "최대 " + megabytes(max(r["im2col_bytes"] for r in rows) * s.batch)])
            # the layer holding most parameters and the one doing most multiply-adds
            marks["window"] = [(max(range(len(rows)), key=lambda i: rows[i]["params"]), 2),
                               (max(range(len(rows)), key=lambda i: rows[i]["macs"]), 4)]
            note = ("노란 칸: 매개변수가 가장 많은 층과 곱셈-누산이 가장 많은 층. "
                    "곱셈-누산과 im2col 메모리는 배치 전체(이미지 " f"{s.batch}장), 1 MB = 10⁶ 바이트.")
        else:
            names = [spec.name for spec in ALEXNET[ALEXNET.index(error.layer) + 1:]]
            failing = len(values)
            values.append([error.layer.name, "✗ 정수가 아님", "—", "", "—", "", "—"])
            values += [[name, "—", "—", "", "—", "", "—"] for name in names]
            marks["current"] = [(failing, c) for c in range(len(COLUMNS))]
            marks["pad"] = [(i, c) for i in range(failing + 1, len(values)) for c in range(len(COLUMNS))]
            note = (f"파란 줄: 출력 크기가 정수가 아니어서 멈춘 층 ({escape(error.layer.name)}). "
                    "회색 줄: 그 뒤라서 계산할 수 없는 층.")
        title = f"AlexNet 층별 표 — 입력 {s.input_size}×{s.input_size}×3, 배치 {s.batch}"
        return (f"<div{attrs(f'{self.css_prefix}-table-panel')}>"
                + grid_html(values, marks=marks, role="alexnet", title=f"<b>{title}</b>", note=note,
                            col_labels=COLUMNS, header=True) + "</div>")

    def _explanation_html(self, s, rows, error, nearest) -> str:
        near = " 또는 ".join(str(v) for v in sorted(nearest))
        parts = []
        if error is None:
            spatial = [str(r["shape"][1]) for r in rows if r["kind"] in ("input", "conv", "pool")]
            parts.append(notice(
                "<b>✓ 모든 층의 출력 크기가 정수입니다</b>: 공간 크기 " + " → ".join(spatial)
                + f" → 완전연결 계층 {rows[-1]['shape'][0]}개 출력.", tone="ok"))
            if s.input_size == 227:
                parts.append(notice("논문은 입력을 224×224×3이라고 적었지만, 첫 층에서 논문 그림의 55×55가 나오는 크기는 227입니다. "
                                    "입력 크기를 224로 옮겨 보세요.", tone="info"))
        else:
            C, H, W = error.input_shape
            what = _KIND.get(error.layer.kind, error.layer.kind)
            head = (f"<b>✗ {escape(error.layer.name)} ({what}, 입력 {C}×{H}×{W})에서 멈춥니다.</b> "
                    f"필터·윈도우 {error.layer.size}×{error.layer.size}, 스트라이드 {error.layer.stride}, "
                    f"패딩 {error.layer.pad}.")
            checks = tuple(error.checks)
            # the fixes of an input-size explorer: input sizes (below) and paddings, not another stride
            body = (explanations_html(checks, grid=False, strides=False) if len(checks) == 2
                    else "".join(explain_html(c, grid=False, strides=False) for c in checks)
                    or f"<div>{escape(str(error))}</div>")
            body += (f"<div>모든 층을 통과하는 가장 가까운 입력 크기: <b>{near}</b> "
                     f"(이 탐색기의 범위에서는 {', '.join(map(str, self.valid_sizes))}).</div>")
            parts.append(notice(f"<div>{head}</div>{body}", tone="error"))
            if s.input_size == 224:
                parts.append(notice(
                    "논문(2012)은 입력을 224×224×3이라고 적었습니다. 위 계산대로 224에서는 첫 합성곱의 출력이 "
                    "54.25가 되어 논문 그림의 55×55가 나오지 않습니다. 227이면 (227 − 11)/4 + 1 = 55입니다.",
                    tone="note"))
        return f"<div{attrs(f'{self.css_prefix}-report')}>" + "".join(parts) + "</div>"

    def describe(self, s) -> str:
        return f"입력 {s.input_size}×{s.input_size}×3, 배치 {s.batch}"
