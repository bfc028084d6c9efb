"""The reproducible training command, end to end on small configurations; the one-minute recipe
(simple_convnet_fast) is what notebook 7.5 and the README say it is."""

import json
import subprocess
import sys
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pytest

from cnnlib.train import RECIPES, build_network, load_record, make_trainer

ROOT = Path(__file__).resolve().parent.parent


def run_training_command(tmp_path, name, epochs, train_size, test_size, *extra):
    """Run ``python -m cnnlib.train NAME`` on a small configuration; return (record, trained, initial)."""
    out = tmp_path / f"{name}.npz"
    cmd = [sys.executable, "-m", "cnnlib.train", name, "--epochs", str(epochs), "--train-size", str(train_size),
           "--test-size", str(test_size), "--out", str(out), "--no-progress", *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["recipe"] == name and record["settings"]["epochs"] == epochs
    assert record["train_size"] == train_size and record["test_size"] == test_size
    assert record["history"]["epoch"] == list(range(1, epochs + 1))
    trained = build_network(RECIPES[name])
    trained.load_params(out)
    return record, trained, build_network(RECIPES[name])


def test_training_command_small_run(tmp_path):
    record, trained, initial = run_training_command(tmp_path, "simple_convnet", 2, 2000, 500)
    assert record["test_accuracy"] > 0.8  # 2,000 images, 2 epochs: well above chance (0.1)
    assert np.any(trained.params["W1"] != initial.params["W1"])


def test_training_command_runs_the_deep_network_end_to_end(tmp_path):
    """7.6's deeper network: the same command, a tiny run (its shipped run took 53 minutes)."""
    record, trained, initial = run_training_command(tmp_path, "deep_convnet", 1, 300, 100)
    assert np.isfinite(record["history"]["train_loss"]).all()
    # every layer's weights moved away from the recipe's initial weights
    assert all(np.any(trained.params[k] != initial.params[k]) for k in trained.params if k.startswith("W"))


def test_unknown_recipe_is_a_clear_error():
    done = subprocess.run([sys.executable, "-m", "cnnlib.train", "resnet"], capture_output=True, text=True)
    assert done.returncode != 0 and "invalid choice: 'resnet'" in done.stderr


def test_fast_recipe_runs_end_to_end_on_a_tenth_of_an_epoch(tmp_path):
    """The one-minute recipe through the same command: one epoch of the first 6,000 training images
    (a tenth of a real epoch), evaluated on samples during training and on all given test images
    at the end."""
    from cnnlib import load_mnist

    recipe = RECIPES["simple_convnet_fast"]
    record, trained, _ = run_training_command(tmp_path, "simple_convnet_fast", 1, 6000, 2000, "--seed", "3")
    settings = record["settings"]
    assert settings["seed"] == 3 and settings["lr"] == recipe.lr and settings["warmup_epochs"] == recipe.warmup_epochs
    assert settings["evaluate_sample_num"] == recipe.evaluate_sample_num == 1000
    n = recipe.evaluations_per_epoch
    assert record["evaluations"]["epoch"] == pytest.approx([k / n for k in range(1, n + 1)])
    assert len(record["train_loss_per_step"]) == 60 and record["load_seconds"] < record["wall_seconds"]
    assert record["history"]["lr"][-1] < 0.01 * recipe.lr  # the cosine schedule ends near 0
    # the final accuracy is on all 2,000 test images, the evaluations during training on the first 1,000
    _, (x_test, t_test) = load_mnist(normalize=True, flatten=False)
    assert record["test_accuracy"] == trained.accuracy(x_test[:2000], t_test[:2000], batch_size=500) > 0.8
    assert record["evaluations"]["test_acc"][-1] == trained.accuracy(x_test[:1000], t_test[:1000], batch_size=500)
    assert record["machine"]["load_average_before"] is not None


def test_a_recipe_s_optimizer_args_reach_the_optimizer():
    """Recipe.optimizer_args (here Adam's beta2) go to the optimizer beside the recipe's lr; an lr among
    them is refused, since it would silently replace Recipe.lr."""
    recipe = replace(RECIPES["simple_convnet"], optimizer_args={"beta2": 0.99})
    x, t = np.zeros((10, 1, 28, 28), np.float32), np.zeros(10, np.int64)
    optimizer = make_trainer(recipe, build_network(recipe), x, t, x, t, progress=False).optimizer
    assert (type(optimizer).__name__, optimizer.lr, optimizer.beta1, optimizer.beta2) == ("Adam", recipe.lr, 0.9, 0.99)
    assert make_trainer(RECIPES["simple_convnet"], build_network(recipe), x, t, x, t).optimizer.beta2 == 0.999
    with pytest.raises(ValueError, match=r"must not hold 'lr'.*Recipe\(lr=\.\.\.\)"):
        replace(recipe, optimizer_args={"lr": 0.1})


def test_make_trainer_gives_the_optimizer_the_recipe_s_arguments():
    recipe = replace(RECIPES["simple_convnet_fast"], lr=0.003, optimizer_args={"beta1": 0.8, "beta2": 0.95})
    x, t = np.zeros((4, 1, 28, 28), dtype=np.float32), np.zeros(4, dtype=int)
    trainer = make_trainer(recipe, build_network(recipe), x, t, x, t, verbose=False, progress=False)
    adam = trainer.optimizer
    assert (type(adam).__name__, adam.lr, adam.beta1, adam.beta2) == ("Adam", 0.003, 0.8, 0.95)
    default = make_trainer(RECIPES["simple_convnet"], build_network(RECIPES["simple_convnet"]), x, t, x, t,
                           verbose=False, progress=False).optimizer
    assert (default.beta1, default.beta2) == (0.9, 0.999)  # no optimizer_args: the book's Adam


def markdown_of(notebook):
    cells = json.loads((ROOT / "notebooks" / notebook).read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def table_row(text, label):
    rows = [line for line in text.splitlines() if line.startswith(f"| {label} |")]
    assert len(rows) == 1, f"expected one table row starting with '| {label} |', found {rows}"
    return rows[0]


def test_fast_recipe_is_what_notebook_and_readme_state():
    """Notebook 7.5's table of choices and the README's row say what RECIPES['simple_convnet_fast'] and
    its shipped records hold (the notebook's printed settings come from RECIPES itself)."""
    r = RECIPES["simple_convnet_fast"]
    text = markdown_of("7.5-cnn-implementation.ipynb")
    assert r.network_args["weight_init_std"] == "he" and "He 초깃값" in table_row(text, "가중치 초깃값")
    assert table_row(text, "에폭 수").split("|")[3].strip() == str(r.epochs)
    assert table_row(text, "미니배치 크기").split("|")[3].strip() == str(r.batch_size)
    lr_row = table_row(text, "학습률").split("|")[3]
    assert r.optimizer in lr_row and f"{r.lr:g}" in lr_row
    assert ("코사인" in lr_row) == (r.lr_schedule == "cosine") and ("워밍업" in lr_row) == (r.warmup_epochs > 0)
    assert all(f"{value:g}" in lr_row for value in (r.optimizer_args or {}).values())  # e.g. Adam's beta2
    assert f"최대 {r.shift}픽셀" in table_row(text, "데이터 확장").split("|")[3]
    evaluation = table_row(text, "학습 중 평가").split("|")[3]
    assert f"{r.evaluate_sample_num:,d}장씩" in evaluation and f"1/{r.evaluations_per_epoch} 에폭마다" in evaluation
    assert f"전체 학습: 훈련 데이터 60,000장, {r.epochs} 에폭" in text

    readme = (ROOT / "README.md").read_text()
    row = table_row(readme, "`simple_convnet_fast`")
    record = load_record("simple_convnet_fast")
    runs = load_record("simple_convnet_fast_seeds")["runs"]
    assert record["settings"] == json.loads(json.dumps(asdict(r))) and record["test_accuracy"] >= 0.99
    assert f"{record['test_accuracy']:.2%}" in row and f"{r.epochs} 에폭" in row
    accuracies = [run["test_accuracy"] for run in runs]
    seconds = [run["process_seconds"] for run in runs]
    assert len(runs) >= 5 and min(accuracies) >= 0.99  # the time is bench_time_to_99.py's to judge
    spread = (f"시드 {len(runs)}개: {min(accuracies):.2%}–{max(accuracies):.2%}, "
              f"{min(seconds):.0f}–{max(seconds):.0f}초")
    assert spread in readme, spread
