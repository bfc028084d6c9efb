"""Plotting helpers for the notebooks (matplotlib), written once.

Each function draws into a new figure and returns it; the notebook cell ends with
``plt.show()`` so no figure repr is left as text output. Titles and axis labels are Korean, in the
Korean edition's words. Importing this module registers the Korean font shipped in
``cnnlib/fonts`` (:func:`use_korean_font`), so they draw on any machine without installing a font.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

__all__ = ["KOREAN_FONT_FILE", "KOREAN_FONT_FILES", "KOREAN_FONT_FAMILY", "use_korean_font", "image_grid", "learning_curves",
           "compare_curves", "before_after", "confusion_matrix_figure", "misclassified_figure", "tuning_curves",
           "bar_with_reference", "LiveCurves"]

# NanumSquare Regular and Bold (NAVER, SIL Open Font License 1.1, cnnlib/fonts/OFL.txt), unmodified:
# every modern Hangul syllable in 0.7 MB per weight (NanumGothic: 4.7 MB). Bold, so that bold text
# (fontweight="bold") draws bold instead of matplotlib warning that it found no bold.
FONT_DIR = Path(__file__).resolve().parent / "fonts"
KOREAN_FONT_FILE = FONT_DIR / "NanumSquareR.ttf"
KOREAN_FONT_FILES = (KOREAN_FONT_FILE, FONT_DIR / "NanumSquareB.ttf")
# The family name the shipped files are registered under as well as their own, "NanumSquare": a
# NanumSquare installed on the machine (another version, perhaps) would otherwise be found first.
KOREAN_FONT_FAMILY = "NanumSquare (cnnlib)"


def use_korean_font():
    """Register the shipped Korean font with matplotlib and append it to ``font.family``.

    It comes *after* the families already there (``sans-serif``: DejaVu Sans, which ships with
    matplotlib), and matplotlib takes each character from the first font that has it: Latin letters,
    digits and the minus sign U+2212 (which the Korean font lacks; ``axes.unicode_minus`` stays on)
    from DejaVu Sans, Hangul from the Korean font. Mathematical text (a log axis' 10^-1) uses the first
    family only, so it keeps a font with the minus sign. Calling it again changes nothing.
    """
    import dataclasses

    from matplotlib import font_manager, rcParams

    manager = font_manager.fontManager
    if not any(entry.name == KOREAN_FONT_FAMILY for entry in manager.ttflist):
        for path in KOREAN_FONT_FILES:
            if not path.is_file():
                raise FileNotFoundError(f"The Korean font {path} is missing: restore it "
                                        "(git checkout -- cnnlib/fonts) or reinstall cnnlib.")
            manager.addfont(str(path))
            entry = next(e for e in manager.ttflist if e.fname == str(path))
            manager.ttflist.append(dataclasses.replace(entry, name=KOREAN_FONT_FAMILY))  # as addfont adds alt names
    families = [f for f in rcParams["font.family"] if f != KOREAN_FONT_FAMILY]
    rcParams["font.family"] = families + [KOREAN_FONT_FAMILY]


use_korean_font()

# the axis label of each key of a Trainer's ``history``
HISTORY_LABELS = {"train_acc": "훈련 정확도", "test_acc": "시험 정확도", "train_loss": "훈련 손실 (에폭 평균)",
                  "lr": "학습률"}


def image_grid(images, titles=None, *, ncols=None, cmap="gray", vmin=None, vmax=None, size=1.5,
               row_labels=None, suptitle=None):
    """Show 2-D images in a grid.

    images: sequence of (H, W) arrays (or (H, W, 3) RGB images with values in 0..1), or an array
    (K, H, W) or (R, K, H, W) (R rows of K).
    titles: one string per image (or None); row_labels: one string per row (left of it).
    vmin/vmax: shared colour limits (None: per image). Returns the figure.
    """
    import matplotlib.pyplot as plt

    arr = [np.asarray(im) for im in images] if not isinstance(images, np.ndarray) else images
    if isinstance(arr, np.ndarray) and arr.ndim == 4:
        rows, ncols = arr.shape[:2]
        flat = list(arr.reshape(-1, *arr.shape[2:]))
    else:
        flat = list(arr)
        ncols = ncols or len(flat)
        rows = -(-len(flat) // ncols)
    if any(np.ndim(im) != 2 and np.shape(im)[-1:] != (3,) for im in flat):
        raise ValueError("image_grid needs 2-D images (H, W) or RGB images (H, W, 3); "
                         "for (C, H, W) pass one channel at a time or transpose(1, 2, 0).")
    fig, axes = plt.subplots(rows, ncols, figsize=(size * ncols, size * rows + (0.3 if suptitle else 0)),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= len(flat):
            ax.axis("off")
            continue
        ax.imshow(flat[i], cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        if titles is not None and titles[i]:
            ax.set_title(titles[i], fontsize=9)
    if row_labels is not None:
        for r, label in enumerate(row_labels):
            axes[r, 0].set_ylabel(label, fontsize=9)
    if suptitle:
        fig.suptitle(suptitle, fontsize=11)
    fig.tight_layout()
    return fig


def learning_curves(history, ax=None, *, title=None):
    """Train/test accuracy per epoch from a Trainer ``history`` (or a shipped run's record)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(history["epoch"], history["train_acc"], "o-", label="훈련 데이터")
    ax.plot(history["epoch"], history["test_acc"], "s--", label="시험 데이터")
    ax.set_xlabel("에폭")
    ax.set_ylabel("정확도")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def compare_curves(histories, key="test_acc", ax=None, *, ylabel=None, title=None):
    """One metric per epoch for several runs on one axis: ``histories`` maps a label to a
    Trainer ``history`` (or a shipped record's ``history``); ``key`` is 'test_acc',
    'train_acc' or 'train_loss' (any key a history has; ``ylabel`` names it, default: its Korean name)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    for (label, history), marker in zip(histories.items(), "osd^v<>"):
        if key not in history:
            raise ValueError(f"history {label!r} has no {key!r}; it has {sorted(history)}.")
        ax.plot(history["epoch"], history[key], marker + "-", label=label)
    ax.set_xlabel("에폭")
    ax.set_ylabel(ylabel or HISTORY_LABELS.get(key, key))
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def before_after(before, after, ax=None, *, lines=None, max_points=20000, seed=0, xlabel="계층의 입력",
                 ylabel="계층의 출력", title=None):
    """Scatter of what a layer did to each value: ``after`` against ``before`` (arrays of one
    shape; at most ``max_points`` pairs, drawn with a fixed ``seed``). ``lines`` maps a label to
    a slope, drawn as reference lines y = slope * x."""
    import matplotlib.pyplot as plt

    before, after = np.asarray(before).ravel(), np.asarray(after).ravel()
    if before.shape != after.shape:
        raise ValueError(f"before and after must have the same number of values; got {before.size} and {after.size}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3.4))
    pick = np.random.default_rng(seed).permutation(before.size)[:max_points]
    ax.scatter(before[pick], after[pick], s=2, alpha=0.3, color="#1d4ed8", linewidths=0)
    top = float(before.max())
    for (label, slope), style in zip((lines or {}).items(), ("--", ":", "-.")):
        ax.plot([0, top], [0, slope * top], style, color="#b91c1c", label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    if lines:
        ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def confusion_matrix_figure(counts, *, size=4.2):
    """Heatmap of a confusion matrix (rows: true class, columns: predicted), counts written in."""
    import matplotlib.pyplot as plt

    counts = np.asarray(counts)
    k = counts.shape[0]
    fig, ax = plt.subplots(figsize=(size, size))
    off = counts.copy()
    np.fill_diagonal(off, 0)  # colour the mistakes; the diagonal would swamp the scale
    ax.imshow(off, cmap="Reds")
    dark = 0.6 * max(off.max(), 1)  # white numbers on the darkest cells, so they stay readable
    for i in range(k):
        for j in range(k):
            color = "#1d4ed8" if i == j else ("white" if off[i, j] > dark else "black")
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=7,
                    color=color, fontweight="bold" if i == j else "normal")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xlabel("예측한 숫자")
    ax.set_ylabel("정답 숫자")
    fig.tight_layout()
    return fig


def misclassified_figure(images, true_labels, probabilities, indices, *, ncols=8, size=1.3):
    """The images at ``indices`` titled 'true→predicted (p)', e.g. '7→2 (0.93)' (p = the predicted class'
    probability)."""
    titles = []
    for i in indices:
        p = probabilities[i]
        titles.append(f"{true_labels[i]}→{int(np.argmax(p))} ({p.max():.2f})")
    return image_grid([np.asarray(images[i]).reshape(28, 28) if np.size(images[i]) == 784 else images[i][0]
                       for i in indices], titles, ncols=ncols, size=size)


def tuning_curves(angles_deg, responses, labels, ax=None, *, title=None):
    """Response amplitude against grating angle, one line per filter: ``responses`` (K, len(angles))
    as from :func:`cnnlib.filters.grating_response`. 0° and 180° are vertical edges, 90° horizontal."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    for r, label, style in zip(responses, labels, ("o-", "s--", "d-.", "^:")):
        ax.plot(angles_deg, r, style, markersize=3, label=label)
    ax.set_xticks([0, 45, 90, 135, 180])
    ax.set_xticklabels(["0\n(세로 에지)", "45", "90\n(가로 에지)", "135", "180"])
    ax.set_xlabel("줄무늬의 각도 (°)")
    ax.set_ylabel("반응의 진폭")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def bar_with_reference(labels, values, reference, ax=None, *, reference_label="우연 수준", ylabel=None,
                       title=None):
    """Bars of ``values`` (one per label) with a dashed horizontal line at ``reference``."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    ax.bar(labels, values, color="#60a5fa", edgecolor="#1d4ed8")
    for i, v in enumerate(values):
        ax.text(i, v + 0.01, f"{v:.2f}", ha="center", va="bottom", fontsize=8)
    ax.axhline(reference, linestyle="--", color="#b91c1c", label=f"{reference_label} ({reference:.2f})")
    ax.set_ylim(0, 1.05)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    return ax


class LiveCurves:
    """Loss and accuracy curves that redraw while a :class:`~cnnlib.trainer.Trainer` trains.

    Pass it as the trainer's ``callback``: after every evaluation it redraws the loss of each
    mini-batch (thin) with its running mean over ``smooth`` steps (default: a tenth of an epoch,
    at least 5), and the train/test accuracy
    of each evaluation, against epochs (x from 0 to ``epochs``). ``references`` maps a label to an
    accuracy drawn as a dotted line (e.g. the book's 98.96 %). In a notebook the figure is one
    output that is replaced in place (``display(..., display_id=True)``); the lines are made once
    and only their data change, and the figure is drawn to PNG here, once per update, so an
    update costs little time. The title shows the seconds since ``start`` (a ``time.perf_counter()``
    value; default: when the object is made). ``show=False`` only draws (for tests, and for a widget
    that shows :meth:`png` itself, as :class:`cnnlib.live_run.TrainingRun` does).
    """

    def __init__(self, epochs, *, references=None, smooth=None, title="", start=None, show=True, size=(9.0, 3.2),
                 dpi=80):
        from matplotlib.figure import Figure  # not pyplot: the notebook must not show it a second time

        self.epochs = epochs
        self.smooth = smooth
        self.title = title
        self.start = time.perf_counter() if start is None else start
        self.updates = 0
        self.fig = Figure(figsize=size, dpi=dpi)
        self.ax_loss, self.ax_acc = self.fig.subplots(1, 2)
        self.fig.subplots_adjust(left=0.085, right=0.98, bottom=0.16, top=0.86, wspace=0.24)

        ax = self.ax_loss
        (self.loss_line,) = ax.plot([], [], color="#93c5fd", linewidth=0.5, label="미니배치마다")
        (self.mean_line,) = ax.plot([], [], color="#1d4ed8", linewidth=1.5, label="이동 평균")
        ax.set_yscale("log")
        ax.set_ylim(0.01, 3)
        ax.set_ylabel("훈련 손실")
        ax.legend(fontsize=8, loc="upper right")
        ax = self.ax_acc
        (self.train_line,) = ax.plot([], [], "o-", markersize=3, label="훈련 데이터")
        (self.test_line,) = ax.plot([], [], "s--", markersize=3, label="시험 데이터")
        for (label, value), color in zip((references or {}).items(), ("#b91c1c", "#6b7280", "#15803d")):
            ax.axhline(value, linestyle=":", color=color, linewidth=1.2, label=label)
        ax.set_ylabel("정확도 (평가에 쓴 이미지)")
        ax.legend(fontsize=8, loc="lower right")
        for ax in (self.ax_loss, self.ax_acc):
            ax.set_xlim(0, epochs)
            ax.set_xlabel("에폭")
            ax.grid(alpha=0.3)
        self.ax_acc.set_ylim(0.95, 1.0)
        self.fig.suptitle(title, fontsize=10)
        self.handle = None
        if show:
            from IPython.display import display

            self.handle = display(self._image(), display_id=True)

    def png(self) -> bytes:
        """The figure as it is now, drawn to PNG."""
        import io

        buf = io.BytesIO()
        self.fig.savefig(buf, format="png")
        return buf.getvalue()

    def _image(self):
        from IPython.display import Image

        return Image(data=self.png(), format="png")

    def draw(self, trainer, status=""):
        """Set the lines from the trainer's lists; ``status`` goes into the title."""
        loss = np.asarray(trainer.train_loss_list, dtype=np.float64)
        steps = np.arange(1, len(loss) + 1) / trainer.iter_per_epoch
        self.loss_line.set_data(steps, loss)
        k = min(self.smooth or max(5, trainer.iter_per_epoch // 10), len(loss))
        if k:
            self.mean_line.set_data(steps[k - 1 :], np.convolve(loss, np.ones(k) / k, mode="valid"))
        at = trainer.eval_epoch_list
        self.train_line.set_data(at, trainer.train_acc_list)
        self.test_line.set_data(at, trainer.test_acc_list)
        low = min([*trainer.train_acc_list, *trainer.test_acc_list, 0.96]) - 0.01
        self.ax_acc.set_ylim(max(low, 0.0), 1.0)
        self.fig.suptitle(f"{self.title}  {status}".strip(), fontsize=10)

    def __call__(self, trainer):
        self.draw(trainer, f"에폭 {trainer.eval_epoch_list[-1]:.2f}/{self.epochs}, "
                           f"{time.perf_counter() - self.start:.0f}초")
        self.updates += 1
        if self.handle is not None:
            self.handle.update(self._image())

    def finish(self, trainer, status):
        """The last drawing, with ``status`` (e.g. final test accuracy and time) in the title.
        Returns nothing, so a notebook cell ending with it shows no second figure."""
        self.draw(trainer, status)
        if self.handle is not None:
            self.handle.update(self._image())
