"""A training run that starts only when the learner asks: the "학습 시작" widget of notebook 7.5.

Displaying a :class:`TrainingRun` (what Run All does) builds the widget and starts nothing long: a
background thread times a few training steps, one evaluation and one drawing of the curves on a
throwaway network of the recipe (:func:`measure`), and the status line then says how long the whole
run should take on this computer ("이 컴퓨터에서 약 N초"). The full run starts at the "학습 시작" button.

Why a thread: a button click reaches the kernel as a message that the kernel handles only while it
is not running a cell. "학습 시작" therefore starts the training in a background thread and returns at
once; the kernel stays free, so the "중지" click arrives and sets a flag that the
:class:`~cnnlib.trainer.Trainer` checks before every step (``train(stop=...)``). The thread updates the
widgets itself (status, progress bar, the curves as a PNG image), which ipywidgets sends to the
browser from any thread. At most one run trains at a time in a kernel.

Where widgets cannot be shown (GitHub, a notebook opened without running it) the output is a
sentence saying what the button does.

In a notebook::

    run = TrainingRun("simple_convnet_fast", x_train, t_train, x_test, t_test,
                      references={"99%": 0.99, "책 98.96%": 0.9896})
    run          # the widget; later cells may use run.network, run.trainer.history, ...

CSS classes (for browser tests): ``cnnlib-training`` on the box, ``cnnlib-training-start``, ``-stop``,
``-progress``, ``-status``, ``-note`` and ``-curves`` on its parts; ``cnnlib-training-static`` on the
static copy.
"""

from __future__ import annotations

import html
import statistics
import threading
import time
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from IPython.display import display

from .plots import LiveCurves
from .train import RECIPES, Recipe, build_network, load_record, make_trainer
from .trainer import EVAL_BATCH_SIZE

__all__ = ["Estimate", "SettingsTable", "TrainingRun", "measure", "run_counts", "settings_table"]

PROBE_STEPS = 5  # timed training steps (after one warm-up step) for the estimate
PROBE_EVAL_IMAGES = 200  # images timed through the network for the cost of evaluating one image
UPDATE_SECONDS = 0.5  # how often the progress bar and status line move while training
CURVES_SIZE, CURVES_DPI = (9.0, 3.2), 100  # the curves' PNG: 900 x 320 pixels, shown at that size

_lock = threading.Lock()
_active = None  # the TrainingRun that is training in this kernel, if any


@dataclass(frozen=True)
class Estimate:
    """What a whole run costs, from times measured on this computer: ``steps`` training steps of
    ``step_seconds`` (the median of the timed steps), ``eval_images`` images evaluated at
    ``seconds_per_image`` and ``draws`` drawings of the curves at ``draw_seconds``."""

    steps: int
    epochs: int
    step_seconds: float
    eval_images: int
    seconds_per_image: float
    draws: int
    draw_seconds: float

    @property
    def seconds(self) -> float:
        return (self.steps * self.step_seconds + self.eval_images * self.seconds_per_image
                + self.draws * self.draw_seconds)

    def text(self) -> str:
        """'이 컴퓨터에서 약 52초 (3 에폭, 갱신 1,800번, 한 번에 약 24 ms; 평가와 그리기 포함)'."""
        return (f"이 컴퓨터에서 약 {_duration(self.seconds)} ({self.epochs} 에폭, 갱신 {self.steps:,}번, "
                f"한 번에 약 {self.step_seconds * 1e3:.0f} ms; 평가와 그리기 포함)")


def _duration(seconds: float) -> str:
    """'45초', '3분 10초' (to the nearest 10 s from 100 s on)."""
    if seconds < 100:
        return f"{max(1, round(seconds))}초"
    seconds = round(seconds / 10) * 10
    return f"{seconds // 60}분 {seconds % 60}초" if seconds % 60 else f"{seconds // 60}분"


def run_counts(recipe: Recipe, n_train: int, n_test: int) -> dict:
    """How much work a whole run of ``recipe`` on ``n_train`` training and ``n_test`` test images
    does: training steps, evaluations, images evaluated (during training and at the end) and
    drawings of the live curves (one per evaluation and a last one)."""
    iter_per_epoch = -(-n_train // recipe.batch_size)  # a last partial mini-batch is a step too
    evaluations = recipe.epochs * min(recipe.evaluations_per_epoch, iter_per_epoch)
    n = recipe.evaluate_sample_num
    per_evaluation = n_train + n_test if n is None else min(n, n_train) + min(n, n_test)
    final = 0 if n is None or n >= n_test else n_test  # the whole test set once at the end
    return {"steps": recipe.epochs * iter_per_epoch, "evaluations": evaluations,
            "eval_images": evaluations * per_evaluation + final, "draws": evaluations + 1}


def measure(recipe: Recipe, x_train, t_train, x_test, t_test, *, steps=PROBE_STEPS, curves=None) -> Estimate:
    """Time ``steps`` training steps (after one warm-up step), one evaluation and one drawing (after
    a first one) of ``curves`` (a :class:`~cnnlib.plots.LiveCurves`; default a new one) on a new network of
    ``recipe``, and scale them to the whole run. The run's own network is not touched."""
    trainer = make_trainer(recipe, build_network(recipe), x_train, t_train, x_test, t_test,
                           verbose=False, progress=False)
    trainer.train_step()  # the first step also allocates every buffer
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        trainer.train_step()
        times.append(time.perf_counter() - start)
    m = min(PROBE_EVAL_IMAGES, len(x_test))
    start = time.perf_counter()
    trainer.network.accuracy(x_test[:m], t_test[:m], batch_size=EVAL_BATCH_SIZE)
    per_image = (time.perf_counter() - start) / m
    curves = curves or LiveCurves(recipe.epochs, show=False)
    curves.png()  # the first drawing also loads the fonts
    start = time.perf_counter()
    curves.png()
    draw = time.perf_counter() - start
    counts = run_counts(recipe, len(x_train), len(x_test))
    return Estimate(counts["steps"], recipe.epochs, statistics.median(times), counts["eval_images"], per_image,
                    counts["draws"], draw)


class SettingsTable:
    """A Markdown table (rows of cells, the first row the header), shown rendered in JupyterLab and as
    its Markdown text where only text is shown."""

    def __init__(self, rows):
        self.rows = rows

    def __str__(self) -> str:
        head, *body = self.rows
        lines = [head, ["---"] * len(head)] + body
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return str(self)


def settings_table(*names, n_train=60000, n_test=10000) -> SettingsTable:
    """The settings of the recipes ``names`` (keys of RECIPES) side by side, in a learner's words,
    with the test accuracy of each one's shipped record: one column per recipe. Written from the
    recipes and records themselves, so the table stays true when a recipe changes."""
    recipes = [RECIPES[name] for name in names]
    rows = [["설정"] + [f"`{name}`" for name in names]]
    for label, describe in _SETTING_ROWS:
        rows.append([label] + [describe(r, n_train, n_test) for r in recipes])
    rows.append(["시험 정확도 (저장된 기록)"] + [f"{load_record(name)['test_accuracy']:.2%}" for name in names])
    return SettingsTable(rows)


def _init_text(r, *_):
    std = r.network_args.get("weight_init_std", 0.01)
    return "He 초깃값 (표준편차 √(2/n))" if std == "he" else f"표준편차 {std:g}의 정규분포"


def _lr_text(r, *_):
    text = f"{r.optimizer}, {r.lr:g}"
    text += "에서 시작해 코사인 모양으로 0까지 감소" if r.lr_schedule == "cosine" else " 고정"
    if r.warmup_epochs > 0:
        text += f" (처음 {r.warmup_epochs:g} 에폭은 워밍업: 0 근처에서 {r.lr:g}까지 늘림)"
    extra = getattr(r, "optimizer_args", None) or {}  # the optimizer's other arguments, e.g. Adam's beta2
    return text + "".join(f", {key} {value:g}" for key, value in extra.items())


def _evaluation_text(r, n_train, n_test):
    k, n = r.evaluations_per_epoch, r.evaluate_sample_num
    when = "에폭마다" if k == 1 else f"1/{k} 에폭마다"
    if n is None:
        return f"{when} 훈련·시험 데이터 전체"
    return f"{when} 훈련·시험 데이터 {n:,d}장씩, 끝에 시험 데이터 {n_test:,d}장 전체"


_SETTING_ROWS = (
    ("가중치 초깃값", _init_text),
    ("에폭 수", lambda r, *_: str(r.epochs)),
    ("갱신 횟수", lambda r, n_train, n_test: f"{run_counts(r, n_train, n_test)['steps']:,}"),
    ("미니배치 크기", lambda r, *_: str(r.batch_size)),
    ("학습률", _lr_text),
    ("데이터 확장", lambda r, *_: f"이미지마다 위아래·좌우로 최대 {r.shift}픽셀 무작위 이동" if r.shift else "없음"),
    ("학습 중 평가", _evaluation_text),
)


class TrainingRun:
    """Train ``recipe`` (a name in :data:`cnnlib.train.RECIPES` or a :class:`~cnnlib.train.Recipe`) on
    x_train (N, C, H, W) with labels t_train (N,), evaluating on x_test, t_test, when the learner
    presses "학습 시작". ``references`` maps a label to an accuracy drawn as a dotted line;
    ``title`` goes above the curves.

    After a run: ``network`` (trained so far), ``trainer`` (``history``, ``final_test_acc``,
    ``stopped``), ``curves``, ``seconds``; ``state`` is 'measuring', 'ready', 'running', 'stopping',
    'done', 'stopped' or 'failed'. :meth:`start` and :meth:`stop` are what the buttons do;
    :meth:`wait` blocks until the background threads have ended (for scripts and tests).
    """

    def __init__(self, recipe, x_train, t_train, x_test, t_test, *, references=None, title=None):
        if isinstance(recipe, str):
            if recipe not in RECIPES:
                raise ValueError(f"Unknown recipe {recipe!r}; choose one of {sorted(RECIPES)}.")
            recipe = RECIPES[recipe]
        _check_data(recipe, x_train, t_train, "x_train", "t_train")
        _check_data(recipe, x_test, t_test, "x_test", "t_test")
        self.recipe = recipe
        self.data = (x_train, t_train, x_test, t_test)
        self.references = references or {}
        self.title = title if title is not None else f"{recipe.network}, 훈련 데이터 {len(x_train):,}장"
        self.state = "measuring"
        self.estimate = None
        self.network = self.trainer = self.curves = None
        self.seconds = None
        self._stop = threading.Event()
        self._probe = self._thread = None
        self._widget = None

    # ---- what the widget says -----------------------------------------------------------------

    def plan_text(self) -> str:
        """'SimpleConvNet을 훈련 데이터 60,000장으로 3 에폭(갱신 1,800번) 학습합니다' — from the recipe
        (every network name in RECIPES ends in 'Net', hence 을)."""
        r, n = self.recipe, len(self.data[0])
        steps = run_counts(r, n, len(self.data[2]))["steps"]
        return f"{r.network}을 훈련 데이터 {n:,}장으로 {r.epochs} 에폭(갱신 {steps:,}번) 학습합니다"

    def static_text(self) -> str:
        """What the buttons do, for where the widget cannot be shown."""
        return (f"노트북을 실행하면 여기에 '학습 시작'과 '중지' 버튼이 나타납니다. '학습 시작'을 누르면 "
                f"{self.plan_text()}. 학습하는 동안 손실과 정확도의 곡선을 그리고, 끝나면 시험 데이터 "
                f"{len(self.data[2]):,}장의 정확도를 보여 줍니다. 누르기 전에 이 컴퓨터에서 걸릴 시간을 재어 "
                f"알려 주고, '중지'를 누르면 그때까지의 곡선과 신경망을 남기고 멈춥니다.")

    # ---- widget ----------------------------------------------------------------------------------

    @property
    def widget(self) -> widgets.VBox:
        """The widget; building it starts the background measurement of the estimate."""
        if self._widget is None:
            self.start_button = widgets.Button(description="학습 시작", button_style="primary", disabled=True,
                                               tooltip="전체 학습을 시작합니다")
            self.stop_button = widgets.Button(description="중지", disabled=True, tooltip="학습을 멈춥니다")
            self.progress = widgets.IntProgress(value=0, min=0, max=1, layout=widgets.Layout(width="240px"))
            self.status = widgets.HTML("이 컴퓨터에서 걸릴 시간을 재는 중입니다…")
            self.note = widgets.HTML("")
            # a fixed width: in the column of widgets an image would otherwise stretch to the full width
            self.image = widgets.Image(format="png", layout=widgets.Layout(
                display="none", width=f"{CURVES_SIZE[0] * CURVES_DPI:.0f}px", max_width="100%"))
            self.start_button.on_click(lambda _: self.start())
            self.stop_button.on_click(lambda _: self.stop())
            for w, name in [(self.start_button, "start"), (self.stop_button, "stop"), (self.progress, "progress"),
                            (self.status, "status"), (self.note, "note"), (self.image, "curves")]:
                w.add_class(f"cnnlib-training-{name}")
            head = widgets.HTML(f"<b>{html.escape(self.plan_text(), quote=False)}.</b>")
            buttons = widgets.HBox([self.start_button, self.stop_button, self.progress],
                                   layout=widgets.Layout(align_items="center"))
            self._widget = widgets.VBox([head, buttons, self.status, self.note, self.image])
            self._widget.add_class("cnnlib-training")
            self._probe = threading.Thread(target=self._measure, name="cnnlib-estimate", daemon=True)
            self._probe.start()
        return self._widget

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        data = dict(bundle[0] if isinstance(bundle, tuple) else bundle)
        plan, text = html.escape(self.plan_text(), quote=False), html.escape(self.static_text(), quote=False)
        data["text/html"] = f'<div class="cnnlib-training-static"><p><b>{plan}.</b></p><p>{text}</p></div>'
        data["text/plain"] = self.static_text()
        return data

    def _ipython_display_(self):
        display(self._repr_mimebundle_(), raw=True)

    def __repr__(self) -> str:
        return f"TrainingRun({self.recipe.network}, {self.recipe.epochs} epochs, state={self.state!r})"

    # ---- the buttons -------------------------------------------------------------------------------

    def start(self) -> bool:
        """What "학습 시작" does: a new network of the recipe trains in a background thread. Refused,
        with a sentence in the note line, while a run is training. Returns whether it started."""
        global _active
        self.widget
        with _lock:
            if _active is self:
                self.note.value = ("이미 학습하고 있습니다. 처음부터 다시 하려면 '중지'를 누른 뒤 "
                                   "'학습 시작'을 누르세요.")
                return False
            if _active is not None:
                self.note.value = ("앞에서 시작한 다른 학습이 아직 진행 중입니다. 여기의 '중지'를 누르면 그 학습을 "
                                   "멈춥니다. 그다음 '학습 시작'을 누르세요.")
                self.stop_button.disabled = False
                return False
            _active = self
        x_train, t_train, x_test, t_test = self.data
        self._stop.clear()
        try:
            self.network = build_network(self.recipe)
            self.curves = self._new_curves()
            self.trainer = make_trainer(self.recipe, self.network, x_train, t_train, x_test, t_test,
                                        callback=self._on_evaluation, verbose=False, progress=False)
        except Exception as e:
            with _lock:
                _active = None
            self.note.value = f"학습을 시작하지 못했습니다: {_error_text(e)}"
            return False
        self.seconds = None
        self.state = "running"
        self.status.value = "학습을 시작합니다…"
        self.note.value = ""
        self.start_button.disabled, self.stop_button.disabled = True, False
        self.progress.max, self.progress.value = self.trainer.max_iter, 0
        self._thread = threading.Thread(target=self._train, name="cnnlib-training", daemon=True)
        self._thread.start()
        return True

    def stop(self) -> bool:
        """What "중지" does: the training thread ends after its current step, keeping the curves and
        the network so far. Stops another widget's run if that one is training. Returns whether a run
        was asked to stop."""
        run = _active
        if run is None:
            self.note.value = "지금 진행 중인 학습이 없습니다."
            self.stop_button.disabled = True
            return False
        run._stop.set()
        if run.state == "running":  # said at once: the thread may be in the middle of an evaluation
            run.state = "stopping"
            run.status.value = (f"멈추는 중입니다. 하던 계산을 마치고, 그때까지 학습한 신경망을 시험 데이터 "
                                f"{len(run.data[2]):,}장으로 평가합니다…")
        if run is not self:
            self.note.value = "앞에서 시작한 학습을 멈추라고 했습니다. 잠시 뒤 '학습 시작'을 누르세요."
            self.stop_button.disabled = True
        return True

    def wait(self, timeout=None) -> str:
        """Block until the estimate and the training thread have ended (``timeout`` seconds each at
        most); returns ``state``. Not for a notebook cell: the kernel could not take a click meanwhile."""
        for thread in (self._probe, self._thread):
            if thread is not None:
                thread.join(timeout)
        return self.state

    # ---- background threads ------------------------------------------------------------------------

    def _new_curves(self) -> LiveCurves:
        return LiveCurves(self.recipe.epochs, references=self.references, title=self.title, show=False,
                          size=CURVES_SIZE, dpi=CURVES_DPI)

    def _measure(self):
        try:
            curves = self._new_curves()
            self.estimate = measure(self.recipe, *self.data, curves=curves)
            self.image.value = curves.png()
            self.image.layout.display = ""
            if self.state == "measuring":
                self.state = "ready"
                self.status.value = f"'학습 시작'을 누르면 학습합니다. 걸리는 시간: {self.estimate.text()}."
        except Exception as e:  # the widget must keep working; say what went wrong
            if self.state == "measuring":
                self.state = "ready"
                self.status.value = f"걸릴 시간을 재지 못했습니다 ({_error_text(e)}). '학습 시작'은 누를 수 있습니다."
        finally:
            self.start_button.disabled = self.state not in ("ready", "done", "stopped", "failed")

    def _train(self):
        global _active
        try:
            if self._probe is not None:
                self._probe.join()  # the estimate first: it would slow the run down
            self.image.value = self.curves.png()  # the new run's empty axes, not the last run's curves
            self.curves.start = self._shown = time.perf_counter()
            self.trainer.train(stop=self._should_stop)
            self.seconds = time.perf_counter() - self.curves.start
            self._finish()
        except Exception as e:
            self.state = "failed"
            self.status.value = f"학습하다가 오류가 나서 멈췄습니다: {_error_text(e)}"
        finally:
            self.start_button.disabled, self.stop_button.disabled = False, True
            with _lock:
                _active = None

    def _should_stop(self) -> bool:
        """The Trainer's check before every step; also moves the progress bar now and then."""
        if self._stop.is_set():
            return True
        now = time.perf_counter()
        if now - self._shown >= UPDATE_SECONDS and self.state == "running":
            self._shown = now
            tr = self.trainer
            self.progress.value = tr.current_iter
            elapsed = now - self.curves.start
            left = elapsed / max(tr.current_iter, 1) * (tr.max_iter - tr.current_iter)
            self.status.value = (f"학습 중: 에폭 {tr.current_iter / tr.iter_per_epoch:.2f}/{tr.epochs} "
                                 f"(갱신 {tr.current_iter:,}/{tr.max_iter:,}번), {elapsed:.0f}초 지남, "
                                 f"약 {_duration(left)} 남음.")
        return False

    def _on_evaluation(self, trainer):
        self.curves(trainer)
        self.image.value = self.curves.png()

    def _finish(self):
        tr, n_test = self.trainer, len(self.data[2])
        self.progress.value = tr.current_iter
        accuracy = f"시험 정확도 {tr.final_test_acc:.2%} (시험 데이터 {n_test:,}장)"
        if tr.stopped:
            self.state = "stopped"
            at = f"에폭 {tr.current_iter / tr.iter_per_epoch:.2f}/{tr.epochs}"
            self.status.value = (f"중지했습니다: {at} (갱신 {tr.current_iter:,}/{tr.max_iter:,}번), "
                                 f"{self.seconds:.0f}초. 그때까지 학습한 신경망의 {accuracy}. "
                                 f"곡선과 신경망은 그대로 남아 있습니다.")
            self.curves.finish(tr, f"중지: {at}, {accuracy}")
        else:
            self.state = "done"
            expected = f" (예상 약 {_duration(self.estimate.seconds)})" if self.estimate else ""
            self.status.value = (f"끝났습니다: {tr.epochs} 에폭 (갱신 {tr.max_iter:,}번), "
                                 f"{_duration(self.seconds)}{expected}. {accuracy}.")
            self.curves.finish(tr, f"{accuracy}, {tr.epochs} 에폭, {self.seconds:.0f}초")
        self.image.value = self.curves.png()


def _error_text(e: Exception) -> str:
    """'ValueError: ...' as HTML text."""
    return html.escape(f"{type(e).__name__}: {e}", quote=False)


def _check_data(recipe, x, t, x_name, t_name):
    """A clear error for data the recipe's network cannot take (before anything trains)."""
    shape = getattr(x, "shape", None)
    want = tuple(recipe.network_args.get("input_dim", (1, 28, 28)))
    if shape is None or len(shape) != 4 or tuple(shape[1:]) != want:
        raise ValueError(f"{x_name} must be images shaped (N, {', '.join(map(str, want))}); got shape {shape}. "
                         "Load MNIST with load_mnist(normalize=True, flatten=False).")
    if len(t) != len(x):
        raise ValueError(f"{x_name} has {len(x)} images but {t_name} has {len(t)} labels.")
    if len(x) == 0:
        raise ValueError(f"{x_name} holds no images.")
    classes = recipe.network_args.get("output_size", 10)
    t = np.asarray(t)
    if t.ndim == 1 and not (0 <= t.min() and t.max() < classes):
        raise ValueError(f"{t_name} must hold class numbers 0 to {classes - 1} (or one-hot rows); its values run "
                         f"from {t.min()} to {t.max()}.")
