"""cnnlib.live_run: the training run behind the "학습 시작" button, and the Trainer's stop hook it uses.

Headless: the buttons are clicked with Button.click() (what a click from the browser calls), the
training runs in its background thread on a few hundred images. tests/test_live_run_kernel.py sends the
same clicks to a real kernel while it trains.
"""

import threading
import time
from dataclasses import replace

import numpy as np
import pytest

from cnnlib import live_run
from cnnlib.convnet import SimpleConvNet
from cnnlib.live_run import TrainingRun, run_counts
from cnnlib.train import RECIPES, Recipe
from cnnlib.trainer import Trainer
from test_trainer import toy_data  # the same two-class 8x8 images

# A small SimpleConvNet on 8x8 images: a step takes about a millisecond.
TOY = Recipe(network="SimpleConvNet",
             network_args={"input_dim": [1, 8, 8], "conv_param": {"filter_num": 4, "filter_size": 3, "pad": 0,
                                                                  "stride": 1},
                           "hidden_size": 8, "output_size": 2, "weight_init_std": "he"},
             epochs=3, batch_size=20, lr=0.01, evaluate_sample_num=40)


def our_threads():
    return [t for t in threading.enumerate() if t.name.startswith("cnnlib-") and t.is_alive()]


@pytest.fixture
def toy_run():
    runs = []

    def make(n_train=1000, recipe=TOY, **kw):
        x, t = toy_data(n_train, 0)
        xt, tt = toy_data(100, 1)
        run = TrainingRun(recipe, x, t, xt, tt, **kw)
        runs.append(run)
        return run

    yield make
    for run in runs:  # never leave a thread behind, even when a test fails
        run._stop.set()
        run.wait(60)
    assert our_threads() == []


# ---- the Trainer's hook ---------------------------------------------------------------------------

def test_trainer_stops_when_asked_and_measures_the_network_as_it_is():
    x, t = toy_data(200, 0)
    xt, tt = toy_data(60, 1)
    net = SimpleConvNet(input_dim=(1, 8, 8), conv_param={"filter_num": 4, "filter_size": 3}, hidden_size=8,
                        output_size=2, weight_init_std="he", seed=0)
    tr = Trainer(net, x, t, xt, tt, epochs=3, mini_batch_size=20, optimizer="Adam", optimizer_param={"lr": 0.01},
                 verbose=True, progress=False, seed=0)
    calls = []

    def stop():
        calls.append(tr.current_iter)
        return tr.current_iter == 13  # in epoch 2, after one evaluation

    history = tr.train(stop=stop)
    assert tr.stopped and tr.current_iter == 13 and calls == list(range(14))  # checked before every step
    assert len(tr.train_loss_list) == 13 and tr.eval_epoch_list == [1.0] and history["epoch"] == [1]
    assert tr.final_test_acc == net.accuracy(xt, tt)  # the network as it is, on the whole test set
    # train() again goes on from step 13 to the end; no stop: the last evaluation is the final accuracy
    tr.train()
    assert not tr.stopped and tr.current_iter == tr.max_iter == 30 and history["epoch"] == [1, 2, 3]
    assert tr.final_test_acc == tr.test_acc_list[-1]


def test_trainer_stopped_before_any_evaluation():
    x, t = toy_data(100, 0)
    net = SimpleConvNet(input_dim=(1, 8, 8), conv_param={"filter_num": 4, "filter_size": 3}, hidden_size=8,
                        output_size=2, seed=0)
    tr = Trainer(net, x, t, x, t, epochs=2, mini_batch_size=20, verbose=True, progress=False)
    tr.train(stop=lambda: True)
    assert tr.stopped and tr.current_iter == 0 and tr.test_acc_list == [] and tr.history["epoch"] == []
    assert tr.final_test_acc == net.accuracy(x, t)


# ---- what a run costs ------------------------------------------------------------------------------

class Counting:
    """Wraps a network; counts the images its ``accuracy`` sees."""

    def __init__(self, network):
        self.network, self.images = network, 0

    def __getattr__(self, name):
        return getattr(self.network, name)

    def accuracy(self, x, t, batch_size=100):
        self.images += len(x)
        return self.network.accuracy(x, t, batch_size=batch_size)


@pytest.mark.parametrize("changes,n_train,n_test", [
    ({}, 1000, 100),                                            # sampled evaluations, then all 100 at the end
    ({"evaluate_sample_num": None}, 210, 30),                    # every image each time; a partial last batch
    ({"evaluations_per_epoch": 50, "evaluate_sample_num": 500}, 90, 70),  # more evaluations asked than steps
    ({"evaluations_per_epoch": 2}, 300, 50),
])
def test_run_counts_are_what_a_real_run_does(changes, n_train, n_test):
    from cnnlib.plots import LiveCurves
    from cnnlib.train import build_network, make_trainer

    recipe = replace(TOY, **changes)
    x, t = toy_data(n_train, 0)
    xt, tt = toy_data(n_test, 1)
    net = Counting(build_network(recipe))
    curves = LiveCurves(recipe.epochs, show=False)
    tr = make_trainer(recipe, net, x, t, xt, tt, callback=curves, verbose=False, progress=False)
    tr.train()
    counts = run_counts(recipe, n_train, n_test)
    assert counts == {"steps": len(tr.train_loss_list), "evaluations": len(tr.test_acc_list),
                      "eval_images": net.images, "draws": curves.updates + 1}


def test_estimate_arithmetic_and_wording():
    e = live_run.Estimate(steps=1800, epochs=3, step_seconds=0.025, eval_images=34000, seconds_per_image=1e-4,
                          draws=13, draw_seconds=0.05)
    assert e.seconds == pytest.approx(1800 * 0.025 + 3.4 + 0.65)
    assert e.text() == "이 컴퓨터에서 약 49초 (3 에폭, 갱신 1,800번, 한 번에 약 25 ms; 평가와 그리기 포함)"
    assert [live_run._duration(s) for s in (0.2, 45.4, 99, 104, 190, 3600)] == [
        "1초", "45초", "99초", "1분 40초", "3분 10초", "60분"]


def test_the_recipe_of_notebook_7_5_is_read_not_written_here():
    recipe = RECIPES["simple_convnet_fast"]
    counts = run_counts(recipe, 60000, 10000)
    per_epoch = 60000 // recipe.batch_size
    assert counts["steps"] == recipe.epochs * per_epoch
    assert counts["eval_images"] == (recipe.epochs * recipe.evaluations_per_epoch * 2 * recipe.evaluate_sample_num
                                     + 10000)
    x = np.zeros((60000, 1, 28, 28), np.float32)
    run = TrainingRun("simple_convnet_fast", x, np.zeros(60000, int), x[:10000], np.zeros(10000, int))
    assert (f"SimpleConvNet을 훈련 데이터 60,000장으로 {recipe.epochs} 에폭(갱신 {counts['steps']:,}번) 학습합니다"
            in run.static_text())


# ---- the widget ---------------------------------------------------------------------------------------

def test_display_starts_nothing_long_and_then_shows_the_estimate(toy_run):
    run = toy_run()
    start = time.perf_counter()
    bundle = run._repr_mimebundle_()
    shown = time.perf_counter() - start
    # what GitHub and a notebook opened without running show: what the button does
    assert "'학습 시작'을 누르면 SimpleConvNet을 훈련 데이터 1,000장으로 3 에폭(갱신 150번) 학습합니다" in bundle["text/plain"]
    assert "'중지'를 누르면 그때까지의 곡선과 신경망을 남기고 멈춥니다" in bundle["text/html"]
    assert "application/vnd.jupyter.widget-view+json" in bundle
    # nothing trains: no network, no trainer, no training thread; only the estimate's few steps
    assert run.trainer is None and run.network is None
    assert [t.name for t in our_threads()] in ([], ["cnnlib-estimate"])
    assert run.wait(60) == "ready"
    e = run.estimate
    assert (e.steps, e.epochs, e.draws) == (150, 3, 3 + 1) and e.eval_images == 3 * 80 + 100
    assert e.step_seconds > 0 and e.seconds_per_image > 0 and e.draw_seconds > 0
    assert run.status.value == f"'학습 시작'을 누르면 학습합니다. 걸리는 시간: {e.text()}."
    assert run.image.value[:8] == b"\x89PNG\r\n\x1a\n"  # the empty axes, before any training
    assert not run.start_button.disabled and run.stop_button.disabled
    print(f"displaying took {shown * 1e3:.1f} ms")


def test_start_then_stop_keeps_the_curves_and_the_network(toy_run):
    run = toy_run()
    run.widget
    run.start_button.click()
    assert run.state == "running" and run.start_button.disabled and not run.stop_button.disabled
    deadline = time.monotonic() + 60
    while len(run.trainer.test_acc_list) < 1 and time.monotonic() < deadline:  # one evaluation drawn
        time.sleep(0.002)
    run.stop_button.click()
    # said at once, before the thread notices (it may be in the middle of an evaluation)
    assert run.state in ("stopping", "stopped") and run.status.value.startswith(("멈추는 중입니다.", "중지했습니다"))
    assert run.wait(60) == "stopped" and our_threads() == []
    tr = run.trainer
    assert tr.stopped and 0 < tr.current_iter < tr.max_iter
    # the curves so far are kept: every loss, every evaluation
    steps, loss = run.curves.loss_line.get_data()
    np.testing.assert_allclose(loss, tr.train_loss_list)
    assert list(run.curves.test_line.get_data()[1]) == tr.test_acc_list and tr.test_acc_list
    assert run.image.value[:8] == b"\x89PNG\r\n\x1a\n" and "중지" in run.curves.fig._suptitle.get_text()
    # the network so far is kept, and the accuracy shown is its own on the whole test set
    x_test, t_test = run.data[2], run.data[3]
    assert run.network is tr.network and tr.final_test_acc == run.network.accuracy(x_test, t_test)
    assert run.status.value.startswith(f"중지했습니다: 에폭 {tr.current_iter / tr.iter_per_epoch:.2f}/3 "
                                       f"(갱신 {tr.current_iter}/150번)")
    assert f"시험 정확도 {tr.final_test_acc:.2%} (시험 데이터 100장)" in run.status.value
    assert not run.start_button.disabled and run.stop_button.disabled
    # a stopped run can start again: a new network from the recipe's seed, trained to the end
    first = run.network
    assert run.start() and run.wait(60) == "done" and run.network is not first
    assert run.trainer.current_iter == 150 and not run.trainer.stopped
    assert run.status.value.startswith("끝났습니다: 3 에폭 (갱신 150번), ")
    assert f"시험 정확도 {run.trainer.final_test_acc:.2%} (시험 데이터 100장)." in run.status.value
    assert our_threads() == []


def test_a_second_start_while_running_is_refused_with_a_sentence(toy_run):
    run = toy_run(n_train=4000)
    other = toy_run()
    run.widget
    other.widget
    assert run.start()
    thread = run._thread
    run.start_button.click()
    assert run._thread is thread and run.state in ("running", "stopping")
    assert run.note.value == "이미 학습하고 있습니다. 처음부터 다시 하려면 '중지'를 누른 뒤 '학습 시작'을 누르세요."
    # one run at a time in a kernel: another widget refuses too, and its stop button stops the first run
    assert not other.start() and other.trainer is None
    assert other.note.value.startswith("앞에서 시작한 다른 학습이 아직 진행 중입니다.")
    assert not other.stop_button.disabled
    other.stop_button.click()
    assert run.wait(60) == "stopped" and our_threads() == []
    assert other.start() and other.wait(60) == "done"


def test_stop_with_nothing_running_says_so(toy_run):
    run = toy_run()
    run.widget
    assert not run.stop()
    assert run.note.value == "지금 진행 중인 학습이 없습니다."


def test_an_error_while_training_is_shown_and_the_widget_keeps_working(toy_run, monkeypatch):
    run = toy_run()
    run.widget

    def broken_drawing(trainer):
        raise RuntimeError("the drawing failed")

    monkeypatch.setattr(run, "_on_evaluation", broken_drawing)
    assert run.start() and run.wait(60) == "failed"
    assert run.status.value == "학습하다가 오류가 나서 멈췄습니다: RuntimeError: the drawing failed"
    assert not run.start_button.disabled and run.stop_button.disabled and live_run._active is None
    monkeypatch.undo()
    assert run.start() and run.wait(60) == "done"  # the next start works

    # a recipe the Trainer refuses: said in the note line, nothing left running
    bad = toy_run(recipe=replace(TOY, optimizer="AdamW"))
    bad.widget
    assert not bad.start()
    assert bad.note.value.startswith("학습을 시작하지 못했습니다: ValueError: Unknown optimizer 'AdamW'")
    assert live_run._active is None and bad.state in ("measuring", "ready")


def test_data_the_network_cannot_take_is_a_clear_error():
    x, t = toy_data(50, 0)
    with pytest.raises(ValueError, match=r"x_train must be images shaped \(N, 1, 8, 8\); got shape \(50, 64\)"):
        TrainingRun(TOY, x.reshape(50, -1), t, x, t)
    with pytest.raises(ValueError, match="x_test has 50 images but t_test has 49 labels"):
        TrainingRun(TOY, x, t, x, t[:49])
    with pytest.raises(ValueError, match="Unknown recipe 'fast'"):
        TrainingRun("fast", x, t, x, t)
    with pytest.raises(ValueError, match=r"t_train must hold class numbers 0 to 1 \(or one-hot rows\); "
                                         r"its values run from 0 to 7"):
        TrainingRun(TOY, x, np.where(t == 1, 7, 0), x, t)


def test_a_real_recipe_on_a_few_hundred_mnist_images():
    from cnnlib import load_mnist

    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, flatten=False)
    recipe = replace(RECIPES["simple_convnet_fast"], epochs=1)  # 2 steps of 100 images
    run = TrainingRun(recipe, x_train[:200], t_train[:200], x_test[:200], t_test[:200],
                      references={"99%": 0.99})
    run.widget
    assert run.start() and run.wait(120) == "done"
    tr = run.trainer
    assert tr.current_iter == 2 and len(tr.test_acc_list) == min(recipe.evaluations_per_epoch, 2)
    assert tr.final_test_acc == run.network.accuracy(x_test[:200], t_test[:200])
    assert run.estimate.steps == 2 and our_threads() == []


# ---- the settings table of notebook 7.5 -----------------------------------------------------------------

def test_settings_table_is_written_from_the_recipes_and_records(monkeypatch):
    """Each cell comes from the recipe (and the accuracy from its record), so a changed recipe changes
    the table: here two made-up recipes that differ in every row."""
    a = replace(TOY, epochs=2, batch_size=50, lr=0.003, lr_schedule="cosine", warmup_epochs=0.5, shift=2,
                evaluate_sample_num=300, evaluations_per_epoch=4)
    b = replace(TOY, network_args={**TOY.network_args, "weight_init_std": 0.02}, epochs=7, shift=0,
                evaluate_sample_num=None)
    monkeypatch.setitem(RECIPES, "toy_a", a)
    monkeypatch.setitem(RECIPES, "toy_b", b)
    monkeypatch.setattr(live_run, "load_record", lambda name: {"toy_a": {"test_accuracy": 0.98765},
                                                               "toy_b": {"test_accuracy": 0.5}}[name])
    table = live_run.settings_table("toy_a", "toy_b", n_train=1000, n_test=200)
    lines = str(table).splitlines()
    assert lines[0] == "| 설정 | `toy_a` | `toy_b` |" and lines[1] == "| --- | --- | --- |"
    assert table._repr_markdown_() == str(table) == repr(table)
    rows = {r[0]: r[1:] for r in table.rows[1:]}
    assert rows["가중치 초깃값"] == ["He 초깃값 (표준편차 √(2/n))", "표준편차 0.02의 정규분포"]
    assert rows["에폭 수"] == ["2", "7"]
    assert rows["갱신 횟수"] == ["40", "350"]  # 1000/50 per epoch x 2; 1000/20 x 7
    assert rows["미니배치 크기"] == ["50", "20"]
    assert rows["학습률"] == ["Adam, 0.003에서 시작해 코사인 모양으로 0까지 감소 (처음 0.5 에폭은 워밍업: 0 근처에서 0.003까지 늘림)",
                            "Adam, 0.01 고정"]
    assert rows["데이터 확장"] == ["이미지마다 위아래·좌우로 최대 2픽셀 무작위 이동", "없음"]
    assert rows["학습 중 평가"] == ["1/4 에폭마다 훈련·시험 데이터 300장씩, 끝에 시험 데이터 200장 전체",
                               "에폭마다 훈련·시험 데이터 전체"]
    assert rows["시험 정확도 (저장된 기록)"] == ["98.77%", "50.00%"]


def test_settings_table_names_the_optimizer_s_other_arguments():
    """A recipe's optimizer arguments beside the learning rate (e.g. Adam's beta2) appear in its row."""
    from types import SimpleNamespace

    r = SimpleNamespace(optimizer="Adam", lr=0.002, lr_schedule="constant", warmup_epochs=0.0,
                        optimizer_args={"beta2": 0.99})
    assert live_run._lr_text(r) == "Adam, 0.002 고정, beta2 0.99"
