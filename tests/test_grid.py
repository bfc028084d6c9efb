"""The HTML kit every explorer is drawn with (cnnlib/htmlkit/grid.py, layout.py, style.py; explorers/tensor.py):
numbers shown as they are, marks, heat shading, cell sizes that fit the page, large matrices, the static
(inline) and live (class) styles."""

import re

import numpy as np
import pytest

from cnnlib.htmlkit.grid import (COL_LIMIT, FIT_PX, HEAT_PALETTES, MARKS, ROW_LIMIT, Gap, fitting_size, format_number,
                                 grid_html, grid_px, heat_colors, legend_html, matrix_html, shown_cols, shown_rows)
from cnnlib.htmlkit.layout import fold, keep_arrows, notice, stage, text
from cnnlib.htmlkit.style import RULES, attrs, live, stylesheet
from cnnlib.explorers.tensor import axes_html
from cnnlib.im2col import window_view

from explorer_html import grids, visible_text
from test_featuremap_explorer import backgrounds


def test_grid_renderer():
    h = grid_html([[1, 2.5], [-0.0, 3]], marks={"window": [(0, 0)], "pad": np.array([[0, 0], [1, 1]], bool)},
                  role="demo", title="t<i>", row_labels=["a", "b"], col_labels=["0", "1"])
    (g,) = grids(h, "demo")
    assert g.texts == [["1", "2.5"], ["0", "3"]]
    assert g.marked("window") == {(0, 0)} and g.marked("pad") == {(1, 0), (1, 1)}
    assert "<b>1</b>" in h and "<i>0</i>" in h          # meaning survives if styles are stripped
    assert "<style" not in h and "<script" not in h and "<svg" not in h
    assert format_number(1 / 3) == "0.33" and format_number(2.0) == "2" and format_number(-1e-9) == "0"
    assert all(m in legend_html(MARKS) for m in ("padding", "window"))
    with pytest.raises(ValueError, match="unknown mark"):
        grid_html([[1]], marks={"glow": [(0, 0)]})
    with pytest.raises(ValueError, match="2-D"):
        grid_html([1, 2])
    assert "&lt;x&gt;" in grid_html([["<x>"]])
    counts = np.array([[0, 1], [2, 4]])
    heat = grid_html(counts, heat=counts / counts.max(), marks={"window": [(0, 1)]})
    assert "color:#fff;background:#3b82f6" in heat                  # count 4: full blue, white text
    assert heat.count("background:#3b82f6") == 1 and "background:#fde047" in heat  # the mark wins at (0, 1)
    assert "color:#111;background:#ffffff" in heat                  # count 0: white
    with pytest.raises(ValueError, match="heat must have"):
        grid_html(counts, heat=np.zeros(3))



def test_grid_square_cells_and_palettes():
    values = np.array([[0.0, 0.0, 0.5], [0.0, 0.0, -1.0]])
    html = grid_html(values, heat=values, heat_palette="diverging", show_numbers=False, cell_px=5, role="m")
    assert backgrounds(html)["m"] == [["#ffffff", "#ffffff", heat_colors(0.5, "diverging")[0]],
                                      ["#ffffff", "#ffffff", "#2563eb"]]
    assert 'colspan="2"' in html and html.count("width:5px") == 3  # first row fixes the widths, unmerged
    assert "0.5" not in visible_text(html)
    assert heat_colors(1, "diverging")[0] == "#dc2626" and heat_colors(0, "diverging")[0] == "#ffffff"
    # gray: a digit as everywhere else in the notebooks (matplotlib's gray): 0 black, 1 white
    assert heat_colors(0, "gray")[0] == "#111827" and heat_colors(1, "gray")[0] == "#ffffff"
    assert set(HEAT_PALETTES) == {"blue", "diverging", "gray"}
    # the default is the old white-to-blue heatmap, with numbers
    assert grid_html(values, heat=abs(values)) == grid_html(values, heat=abs(values), heat_palette="blue")
    with pytest.raises(ValueError, match="unknown heat palette"):
        grid_html(values, heat=values, heat_palette="rainbow")
    with pytest.raises(ValueError, match="need show_numbers=True"):
        grid_html(values, show_numbers=False, row_labels=["a", "b"])
    with pytest.raises(ValueError, match="cell_px"):
        grid_html(values, show_numbers=False, cell_px=0)


def test_shown_rows_keeps_each_samples_ends_and_the_current_rows():
    assert shown_rows(4, 2, [5]) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    groups = shown_rows(100, 3, [150])
    assert groups[0] == [0, Gap(98), 99]
    assert groups[1] == [100, Gap(48), 149, 150, 151, Gap(47), 199]
    assert groups[2] == [200, Gap(98), 299]


def test_axes_html_draws_every_number_in_order_with_axis_names():
    x = np.arange(1, 33, dtype=float).reshape(1, 2, 4, 4)
    view = window_view(x, 2, 2)                                  # (N, C, OH, OW, FH, FW) = (1, 2, 3, 3, 2, 2)
    html = axes_html(view, ["N", "C", "OH", "OW", "FH", "FW"], role="view")
    drawn = grids(html, "view")
    assert len(drawn) == 18
    for g, (idx, expected) in zip(drawn, np.ndenumerate(np.empty(view.shape[:4]))):
        np.testing.assert_array_equal(g.numbers(), view[idx])
        assert g.title == f"[{idx[0]}, {idx[1]}, {idx[2]}, {idx[3]}]"
    text = visible_text(html)
    assert "축 2 OH ↓, 축 3 OW →" in text and "N=0, C=1" in text and "OW=2" in text
    with pytest.raises(ValueError, match="6-D array"):
        axes_html(x, ["N", "C", "H", "W"])
    with pytest.raises(ValueError, match="too large to draw"):
        axes_html(np.zeros((2, 3, 10, 10, 3, 3)), list("abcdef"))


def test_live_html_has_classes_only_and_the_stylesheet_has_every_class_it_uses():
    values = np.array([[1, 2, 3], [4, 5, 6]])
    marks = {"window": [(0, 0)], "current": [(1, 2)], "pad": [(0, 2)]}
    static = grid_html(values, marks=marks, role="demo", col_labels=list("abc"), heat=values / 6)
    with live():
        html = grid_html(values, marks=marks, role="demo", col_labels=list("abc"), heat=values / 6)
        boxed = notice(text("a → b"), tone="note") + fold("more", "x", data_key="k")
        small = grid_html(values, size="small") + grid_html(values, size="tiny", col_labels=list("abc"), header=True)
    assert "style=" not in html + boxed + small and 'style="' in static
    assert grids(html, "demo")[0].texts == grids(static, "demo")[0].texts      # the same numbers and marks
    assert grids(html, "demo")[0].marks == grids(static, "demo")[0].marks
    css = stylesheet()
    for cls in set(re.findall(r'class="([^"]+)"', html + boxed + small)):
        for name in cls.split():
            if name in RULES:
                assert f".{name}" in css, name
    assert "td.is-window" in css and ".cnnlib-grid th" in css and ".cnnlib-tiny td" in css and "th.g-head" in css
    assert attrs("x-line") == ' class="x-line" style="' + ";".join(f"{k}:{v}" for k, v in RULES["x-line"].items()) + '"'


def test_matrix_rows_name_themselves_for_clicks_and_gaps_say_how_many_rows_are_left_out():
    M = np.arange(60).reshape(30, 2)
    rows = [0, Gap(13), 14, 15, Gap(13), 29]
    html = matrix_html(M, rows, role="m", title="", label=lambda r: f"r{r}", marks={"current": {15: {0, 1}}},
                       pick="im2col")
    (g,) = grids(html, "m")
    assert [r for r in g.row_labels] == ["r0", "⋮\u00a013행\u00a0생략", "r14", "r15", "⋮\u00a013행\u00a0생략", "r29"]
    assert re.findall(r'data-r="(\d+)"', html) == ["0", "14", "15", "29"] and 'data-pick="im2col"' in html
    assert g.marked("current") == {(3, 0), (3, 1)}
    assert ROW_LIMIT == 24 and shown_rows(12, 2, [3]) == [list(range(12)), list(range(12, 24))]


def test_arrows_never_end_a_line_and_fold_outs_keep_a_name():
    assert keep_arrows("3 → 5 → 7") == "3 →\u00a05 →\u00a07"
    assert "→\u00a0b" in text("a → b")
    assert 'data-key="why"' in fold("why", "body", data_key="why") and "<details" in fold("s", "b", data_key="k")
    with pytest.raises(ValueError, match="unknown tone"):
        notice("x", tone="loud")


def test_live_squares_are_one_image_with_the_colours_of_the_static_cells():
    rng = np.random.default_rng(7)
    for palette, values in (("diverging", rng.uniform(-1, 1, (24, 24))), ("gray", rng.random((28, 28))),
                            ("blue", np.zeros((3, 5)))):
        static = grid_html(values, heat=values, heat_palette=palette, show_numbers=False, cell_px=5, role="m")
        with live():
            shown = grid_html(values, heat=values, heat_palette=palette, show_numbers=False, cell_px=5, role="m")
        assert shown.count("<img") == 1 and "<td" in static and static.count("<td") > 1
        assert f'width="{values.shape[1] * 5}" height="{values.shape[0] * 5}"' in shown
        assert backgrounds(shown)["m"] == [[c.replace("#fff", "#ffffff") if c == "#fff" else c for c in row]
                                          for row in backgrounds(static)["m"]]
    # marked squares stay cells (a mark is drawn on its cell)
    with live():
        marked = grid_html(np.zeros((4, 4)), heat=np.zeros((4, 4)), show_numbers=False, marks={"window": [(0, 0)]})
    assert "<img" not in marked and 'class="is-window"' in marked


def test_cells_shrink_before_a_row_of_grids_is_wider_than_the_page():
    """fitting_size picks the largest cell size at which each row of grids fits FIT_PX (the notebook's width at
    1280 px with the file browser open; the browser test checks that nothing sticks out at the largest
    settings)."""
    small, big = np.zeros((4, 4)), np.zeros((18, 18))
    assert fitting_size([(small, 2)]) == "normal"
    assert fitting_size([(big, 2)] * 3) == "tiny" and fitting_size([(big, 2)]) == "normal"
    assert fitting_size([(np.zeros((13, 13)), 2)] * 3) == "small"
    assert 3 * (grid_px(big, "tiny", 2) + 14) <= FIT_PX < 3 * (grid_px(big, "small", 2) + 14)
    # wider numbers, wider cells: three-digit outputs do not fit where one digit does
    assert grid_px(np.full((4, 16), 165), "tiny") > grid_px(np.ones((4, 16)), "tiny")
    # sizes are classes live and inline styles in the static copy; an unknown size is refused
    assert 'class="cnnlib-grid cnnlib-tiny' in grid_html(small, size="tiny") and "font-size:9px" in grid_html(small, size="tiny")
    with pytest.raises(ValueError, match="unknown cell size"):
        grid_html(small, size="huge")


def test_a_wide_matrix_says_how_many_columns_it_shows():
    M = np.arange(2 * 108).reshape(2, 108)
    cols = shown_cols(108)
    assert len(shown_cols(COL_LIMIT)) == COL_LIMIT and cols[-2:] == [106, 107] and isinstance(cols[-3], Gap)
    html = matrix_html(M, [0, 1], role="m", title="col", label=str, col_labels=[f"c{j}" for j in range(108)],
                       marks={"current": {1: set(range(108))}})
    (g,) = grids(html, "m")
    kept = len(cols) - 1
    assert f"col — 108열 중 {kept}열" in visible_text(html) and len(g.texts[0]) == len(cols)
    assert g.texts[0][:3] == ["0", "1", "2"] and g.texts[0][-3:] == ["⋯", "106", "107"]
    assert g.marked("current") == {(1, j) for j in range(len(cols))}     # the gap of a marked row is marked too
    assert "108열" not in matrix_html(M[:, :COL_LIMIT], [0], role="m", title="col", label=str)


def test_a_row_of_steps_wraps_between_whole_steps():
    html = stage("<b>A</b>", "→", "<b>B</b>", "=", "<b>C</b>")   # (operators: strings of at most two characters)
    # each operator sits in one unbreakable row with the block after it
    assert re.search(r'flex-wrap:nowrap[^>]*><span[^>]*>→</span><b>B</b>', html)
    assert visible_text(html) == "A→B=C"
