"""Interactive explorers (ipywidgets) for chapter 7, built from shared pieces:

* :mod:`.grid` — the HTML grid renderer (numbers visible, marked cells), written once;
* :mod:`.geometry` — where the windows fall (sizes from :mod:`cnnlib.shapes`);
* :mod:`.explain` — the formula with numbers and the explanation of an invalid setting;
* :mod:`.base` — settings → pure HTML view → widget front (sliders, Play, HTML outputs);
* :mod:`.conv`, :mod:`.pool` — the convolution (7.2) and pooling (7.3) explorers.
* :mod:`.im2col` — the im2col explorer (7.4), forward and backward; :mod:`.tensor` draws a 6-D
  array with labelled axes (im2col's intermediate).
* :mod:`.alexnet` — AlexNet's layer table for any input size (7.7).
* :mod:`.featuremap` — one MNIST test digit and one filter of the shipped SimpleConvNet: the maps
  after Conv1, Relu1 and Pool1 and the predicted probabilities (7.6).

    from cnnlib.explorers import ConvExplorer
    ex = ConvExplorer()
    display(HTML(ex.static_html()))   # the static view (GitHub, no kernel)
    ex                                # the live widget

For tests and browsers (stable names; ``<p>`` is ``cnnlib-conv`` or ``cnnlib-pool``):

* the widget box has class ``<p>``; each control ``<p>-control`` and ``<p>-control-<name>``
  (names as in ``ConvSettings``/``PoolSettings``: H, W, FH, FW, pad, stride, dilation, C, FN, N,
  sample, filter, position; pool_h, pool_w, method) with a fixed Korean ``description`` (e.g.
  '패딩 P (padding)', '스트라이드 S (stride)', '창 위치 (window)'); the Play button ``<p>-play``;
* each output is an ``HTML`` widget with class ``<p>-<part>``: conv parts formula, shapes,
  explanation, grids, products; pool parts formula, shapes, explanation, grids, detail;
* inside them: ``.cnnlib-formula-H``/``-W`` (formula lines, ✓ or ✗), ``.cnnlib-invalid-H``/``-W``
  (the explanation of an invalid axis), ``.cnnlib-notice-ok``/``-error``/``-note``;
  ``table.cnnlib-grid-<role>`` (roles input, filter, output, window, products, filter-used)
  whose cells ``td.cnnlib-cell`` carry ``is-window``, ``is-pad``, ``is-span``, ``is-unvisited``,
  ``is-current``, ``is-winner``.

The im2col explorer (``<p>`` = ``cnnlib-im2col``) follows the same scheme: controls mode
('보기 (view)', options '합성곱 순전파 (conv forward)', '합성곱 역전파 (conv backward)',
'최대 풀링 순전파 (max-pool forward)', '최대 풀링 역전파 (max-pool backward)'), N, C, H, W, FH, FW,
pad, stride, FN (the convolution explorer's labels) and position ('im2col 행 r (row)'); three
pickers with classes ``cnnlib-im2col-picker`` and ``cnnlib-im2col-pick-<name>`` (sample
'데이터 n (sample)', oy '출력 행 oy', ox '출력 열 ox'); outputs
formula, shapes, explanation, matrix, memory; grid roles input, im2col, col-w, bias, product,
reshaped, output, dout, dout-matrix, col-w-t, dcol, dx, x-channel, counts, roundtrip, pool-col,
pool-max, dout-column, dmax, copy-counts.

The AlexNet explorer (``<p>`` = ``cnnlib-alexnet``, no Play button): controls input_size
('입력 크기 (input size)', 32–323) and batch ('배치 크기 (batch)', options '1', '32', '128');
outputs summary, table (``table.cnnlib-grid-alexnet``: one row per layer, the failing layer's
row ``is-current``, the rows after it ``is-pad``), explanation.

The feature-map explorer (``<p>`` = ``cnnlib-featuremap``, no Play button; ranges follow the data):
controls index ('이미지 번호 (image)', 0 to the number of images − 1), filter
('필터 번호 (filter)', 0 to FN − 1) and weights ('가중치 (weights)', options '학습 후 (trained)',
'학습 전 (initial)'); outputs (``HTML`` widgets of class ``cnnlib-featuremap-<part>``)

* summary (``.cnnlib-featuremap-summary-line``): '시험 이미지 (test image) #<index> · 정답 (label) <t> ·
  예측 (prediction) <p> (<probability>%) ✓ 맞음 (correct)' (or '✗ 틀림 (wrong)') ' · 필터 (filter) <f>
  (<FN>개 중) · 가중치 (weights): 학습 후 (trained)' (or '학습 전 (initial)');
* maps (``.cnnlib-featuremap-map-panels``): a colour legend (``.cnnlib-featuremap-legend``, with the
  scale '±<max |conv|>'), then ``table.cnnlib-grid-<role>`` for roles input (gray, no numbers),
  filter (numbers with 2 decimals; its title names 'W1[<f>]' and '편향 b1[<f>] (bias) = <b>'),
  conv, relu, pool (shaded squares, no numbers; blue negative, white 0, red positive, one scale);
  under each grid ``.cnnlib-featuremap-range``: '최솟값 min <v> · 최댓값 max <v>' (2 decimals);
* probs (``.cnnlib-featuremap-probs-panel``): ten rows ``.cnnlib-featuremap-prob`` and
  ``.cnnlib-featuremap-prob-<digit>`` with the digit, a bar and '<p>%' (2 decimals); the true
  label's row has ``is-label`` ('← 정답 (label)'), the predicted digit's ``is-predicted``
  ('← 예측 (prediction)'); with initial weights a note (``.cnnlib-notice-note``).
"""

from .conv import ConvExplorer, ConvSettings
from .pool import PoolExplorer, PoolSettings
from .im2col import Im2colExplorer, Im2colSettings
from .alexnet import AlexNetExplorer, AlexNetSettings
from .featuremap import FeatureMapExplorer, FeatureMapSettings

__all__ = ["ConvExplorer", "ConvSettings", "PoolExplorer", "PoolSettings"]
__all__ += ["Im2colExplorer", "Im2colSettings"]
__all__ += ["AlexNetExplorer", "AlexNetSettings"]
__all__ += ["FeatureMapExplorer", "FeatureMapSettings"]
