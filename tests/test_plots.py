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
