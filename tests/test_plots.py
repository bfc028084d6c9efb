"""Plot helpers the notebooks call (cnnlib.plots)."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from cnnlib.plots import before_after, compare_curves, image_grid  # noqa: E402


def test_compare_curves_and_rgb_images():
    import matplotlib.pyplot as plt

    h1 = {"epoch": [1, 2], "test_acc": [0.5, 0.9]}
    ax = compare_curves({"a": h1, "b": {"epoch": [1, 2], "test_acc": [0.1, 0.2]}}, "test_acc")
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    assert list(ax.get_lines()[0].get_ydata()) == [0.5, 0.9]
    with pytest.raises(ValueError, match="has no 'train_loss'"):
        compare_curves({"a": h1}, "train_loss")
    fig = image_grid([np.zeros((4, 4, 3)), np.zeros((4, 4))])
    assert len(fig.axes) == 2
    with pytest.raises(ValueError, match="RGB images"):
        image_grid([np.zeros((3, 4, 4))])
    plt.close("all")


def test_before_after_scatter():
    import matplotlib.pyplot as plt

    x = np.arange(50.0).reshape(2, 25)
    ax = before_after(x, x / 2, lines={"half": 0.5}, max_points=30)
    (points,) = ax.collections
    offsets = points.get_offsets()
    assert len(offsets) == 30 and np.allclose(offsets[:, 1], offsets[:, 0] / 2)
    assert list(ax.get_lines()[0].get_ydata()) == [0, 24.5]
    with pytest.raises(ValueError, match="same number of values"):
        before_after(x, x[0])
    plt.close("all")


def test_image_grid_layouts():
    import matplotlib.pyplot as plt
    fig = image_grid(np.zeros((2, 3, 5, 5)), row_labels=["a", "b"])
    assert len(fig.axes) == 6
    fig2 = image_grid([np.zeros((4, 4))] * 5, titles=list("abcde"), ncols=3)
    assert len(fig2.axes) == 6 and fig2.axes[5].axison is False
    with pytest.raises(ValueError, match="2-D images"):
        image_grid([np.zeros((1, 4, 4))])
    plt.close("all")


def test_text_table_aligns_korean_by_display_width():
    from cnnlib.tables import display_width, pad, text_table

    assert display_width("합계") == 4 and display_width("conv1") == 5 and display_width("1에폭") == 5
    assert pad("합계", 6) == "합계  " and pad("7", 3, ">") == "  7"
    lines = text_table([["conv1", "96"], ["합계", "1,234"]], headers=["층", "매개변수"]).splitlines()
    assert lines == ["층     매개변수", "conv1        96", "합계      1,234"]
    assert len({display_width(line) for line in lines}) == 1  # every line ends in the same column
    with pytest.raises(ValueError, match="one of '<' or '>' per column"):
        text_table([["a", "b"]], align="<")


# ---- Korean in figures ------------------------------------------------------------------------------

import logging  # noqa: E402
import re  # noqa: E402
import warnings  # noqa: E402
from contextlib import contextmanager  # noqa: E402

from cnnlib import plots  # noqa: E402

HANGUL = re.compile("[\uac00-\ud7a3]")


@contextmanager
def font_problems(caplog):
    """Collects what matplotlib says about the fonts it draws with: Agg warns (UserWarning 'Glyph ...
    missing from font(s)'), mathtext and findfont log ('Font ... does not have a glyph', 'Failed to find
    font weight bold ...')."""
    found = []
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING, logger="matplotlib"):
        warnings.simplefilter("always")
        yield found
    found += [str(w.message) for w in caught if re.search("glyph|font", str(w.message), re.I)]
    found += [r.getMessage() for r in caplog.records if r.name.startswith("matplotlib")]


def render(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def text_figure(**font):
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(3, 0.6), dpi=100)
    FigureCanvasAgg(fig)
    fig.text(0.05, 0.3, "훈련정확도", **font)  # Hangul only: a space would come from DejaVu Sans
    return fig


def test_korean_text_is_drawn_with_the_shipped_font(caplog):
    from matplotlib import font_manager, rcParams

    assert plots.KOREAN_FONT_FILE.is_file() and (plots.KOREAN_FONT_FILE.parent / "OFL.txt").is_file()
    assert rcParams["font.family"][-1] == plots.KOREAN_FONT_FAMILY
    found = font_manager.findfont(font_manager.FontProperties(family=plots.KOREAN_FONT_FAMILY),
                                  fallback_to_default=False)
    assert found == str(plots.KOREAN_FONT_FILE)  # the family name means the shipped file
    with font_problems(caplog) as problems:
        default = render(text_figure())
        shipped = render(text_figure(fontproperties=font_manager.FontProperties(fname=plots.KOREAN_FONT_FILE)))
    assert problems == []
    np.testing.assert_array_equal(default, shipped)  # the default text is the shipped font's, pixel for pixel
    # bold text: the shipped bold file, no "Failed to find font weight bold" warning
    with font_problems(caplog) as problems:
        bold = render(text_figure(fontweight="bold"))
        bold_file = render(text_figure(fontproperties=font_manager.FontProperties(fname=plots.KOREAN_FONT_FILES[1])))
    assert problems == []
    np.testing.assert_array_equal(bold, bold_file)
    assert not np.array_equal(bold, shipped)
    # the checks can fail: without the Korean font, matplotlib says so and draws something else
    with font_problems(caplog) as problems:
        latin_only = render(text_figure(family="DejaVu Sans"))
    assert any("HANGUL SYLLABLE" in p for p in problems) and not np.array_equal(latin_only, shipped)


def test_registering_the_font_twice_changes_nothing():
    from matplotlib import font_manager, rcParams

    before = list(rcParams["font.family"])
    plots.use_korean_font()
    assert list(rcParams["font.family"]) == before
    assert sum(e.name == plots.KOREAN_FONT_FAMILY for e in font_manager.fontManager.ttflist) == 2  # regular, bold


def figure_texts(fig):
    """Every title, axis label, legend entry and tick label of a figure."""
    texts = [fig._suptitle.get_text()] if fig._suptitle else []
    for ax in fig.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        texts += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        if ax.get_legend():
            texts += [t.get_text() for t in ax.get_legend().get_texts()]
    return [t for t in texts if t]


def test_every_figure_cnnlib_draws_is_korean_and_draws_cleanly(caplog):
    """The words cnnlib itself puts in figures (axis labels, legends, ticks) are Korean; with a log
    axis and negative numbers (U+2212 minus) nothing is missing."""
    import matplotlib.pyplot as plt

    h = {"epoch": [1, 2], "train_acc": [0.9, 0.95], "test_acc": [0.89, 0.94], "train_loss": [0.3, 0.1]}
    trainer = type("T", (), {"iter_per_epoch": 2, "train_loss_list": [2.0, 1.0, 0.5, 0.2],
                             "eval_epoch_list": [1.0, 2.0], "train_acc_list": [0.9, 0.95],
                             "test_acc_list": [0.89, 0.94]})()
    with font_problems(caplog) as problems:
        figures = [plots.learning_curves(h).figure, plots.compare_curves({"학습률 0.1": h}, "train_loss").figure,
                   plots.before_after(np.arange(-5.0, 5.0), np.arange(-5.0, 5.0) / 2).figure,
                   plots.confusion_matrix_figure(np.eye(3, dtype=int)),
                   plots.tuning_curves([0, 90, 180], [[-1.0, 0.5, -1.0]], ["필터 1"]).figure,
                   plots.bar_with_reference(["층 1"], [0.3], 0.29).figure]
        curves = plots.LiveCurves(2, references={"책 98.96%": 0.9896}, title="학습", show=False)
        curves(trainer)
        figures.append(curves.fig)
        for fig in figures:
            fig.savefig(__import__("io").BytesIO(), format="png")
    assert problems == []
    for fig in figures:
        texts = figure_texts(fig)
        words = [t for t in texts if re.search("[A-Za-z]{2,}", t) and not t.startswith("$")]  # $: a number
        assert words == [], f"English words in a figure: {words}"
        assert any(HANGUL.search(t) for t in texts)
    assert [t for t in figure_texts(figures[0]) if HANGUL.search(t)] == ["에폭", "정확도", "훈련 데이터", "시험 데이터"]
    assert "에폭 2.00/2" in curves.fig._suptitle.get_text()
    plt.close("all")


def test_the_font_and_its_licence_are_package_data():
    try:
        import tomllib
    except ModuleNotFoundError:
        import tomli as tomllib
    from fnmatch import fnmatch
    from pathlib import Path

    root = Path(plots.__file__).resolve().parent
    patterns = tomllib.loads((root.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    shipped = [p.relative_to(root).as_posix() for p in (root / "fonts").iterdir()]
    assert {"fonts/NanumSquareR.ttf", "fonts/NanumSquareB.ttf", "fonts/OFL.txt"} <= {f for f in shipped
                                                          if any(fnmatch(f, p) for p in patterns["cnnlib"])}
    assert "SIL Open Font License" in (root / "fonts" / "OFL.txt").read_text()
