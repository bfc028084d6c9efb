"""Trainer: the book's interface (train_step() without arguments, one loss per step, one accuracy
per evaluation), real epochs, schedules, evaluations within an epoch, progress on stdout."""

import numpy as np
import pytest

from cnnlib.convnet import SimpleConvNet
from cnnlib.trainer import Trainer, learning_rate


def toy_data(n, seed):
    """Two classes of 8x8 images: a bright left half or a bright right half, plus noise."""
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 2, n)
    x = rng.normal(0, 0.3, (n, 1, 8, 8)).astype(np.float32)
    x[t == 0, :, :, :4] += 1
    x[t == 1, :, :, 4:] += 1
    return x, t


def toy_net(seed=0):
    return SimpleConvNet(input_dim=(1, 8, 8), conv_param={"filter_num": 4, "filter_size": 3},
                         hidden_size=8, output_size=2, weight_init_std="he", seed=seed)


def toy_trainer(x_tr, t_tr, x_te, t_te, **kw):
    kw = {"epochs": 3, "mini_batch_size": 32, "optimizer": "Adam", "optimizer_param": {"lr": 0.01},
          "verbose": False, "progress": False, "seed": 0, **kw}
    return Trainer(toy_net(), x_tr, t_tr, x_te, t_te, **kw)


class Spy:
    """A 'network' that records the first pixel of every image it is trained on."""

    def __init__(self):
        self.params = {"w": np.zeros(1)}
        self.seen = []

    class last_layer:
        loss = 0.0

    def gradient(self, x, t):
        self.seen.extend(x[:, 0, 0, 0].tolist())
        return {"w": np.zeros(1)}

    def accuracy(self, x, t, batch_size=100):
        return 0.0


def test_trainer_learns_and_is_reproducible():
    x_tr, t_tr = toy_data(300, 0)
    x_te, t_te = toy_data(100, 1)
    tr = toy_trainer(x_tr, t_tr, x_te, t_te)
    h = tr.train()
    assert h["epoch"] == [1, 2, 3] and tr.current_iter == 3 * 10  # ceil(300/32) = 10 batches per epoch
    assert len(tr.train_loss_list) == 30 and len(tr.test_acc_list) == len(tr.train_acc_list) == 3
    assert h["train_loss"][0] == pytest.approx(np.mean(tr.train_loss_list[:10]))
    assert h["test_acc"] == tr.test_acc_list and tr.final_test_acc == tr.test_acc_list[-1] >= 0.95
    again = toy_trainer(x_tr, t_tr, x_te, t_te)
    again.train()
    assert again.train_loss_list == tr.train_loss_list and again.test_acc_list == tr.test_acc_list


def test_train_step_takes_no_arguments_like_the_book():
    """The book's loop, `for i in range(max_iter): trainer.train_step()`, gives what train() gives;
    so does stopping part-way and calling train()."""
    x_tr, t_tr = toy_data(300, 0)
    x_te, t_te = toy_data(100, 1)
    reference = toy_trainer(x_tr, t_tr, x_te, t_te)
    reference.train()

    by_hand = toy_trainer(x_tr, t_tr, x_te, t_te)
    for _ in range(by_hand.max_iter):
        by_hand.train_step()
    resumed = toy_trainer(x_tr, t_tr, x_te, t_te)
    for _ in range(13):  # into the middle of epoch 2
        resumed.train_step()
    resumed.train()
    for other in (by_hand, resumed):
        assert other.train_loss_list == reference.train_loss_list
        assert other.test_acc_list == reference.test_acc_list
        assert other.history["epoch"] == [1, 2, 3]


def test_each_loss_is_its_mini_batch_before_the_update():
    x_tr, t_tr = toy_data(100, 0)
    tr = toy_trainer(x_tr, t_tr, x_tr, t_tr, mini_batch_size=25, seed=7)
    first = np.random.default_rng(7).permutation(100)[:25]  # the trainer's first mini-batch
    expected = toy_net().loss(x_tr[first], t_tr[first])
    assert tr.train_step() == pytest.approx(float(expected), rel=1e-6)
    assert tr.train_loss_list == [pytest.approx(float(expected), rel=1e-6)]


def test_trainer_sees_every_image_once_per_epoch():
    x_tr, t_tr = toy_data(50, 0)
    spy = Spy()
    Trainer(spy, x_tr, t_tr, x_tr, t_tr, epochs=2, mini_batch_size=16, verbose=False, progress=False).train()
    first, second = spy.seen[:50], spy.seen[50:]
    assert sorted(first) == sorted(x_tr[:, 0, 0, 0].tolist()) == sorted(second)
    assert first != second  # a new permutation each epoch


def test_evaluations_within_an_epoch_and_the_callback():
    x_tr, t_tr = toy_data(300, 0)
    x_te, t_te = toy_data(100, 1)
    calls = []
    tr = toy_trainer(x_tr, t_tr, x_te, t_te, epochs=2, evaluations_per_epoch=4,
                     callback=lambda trainer: calls.append((trainer.current_iter, trainer.test_acc_list[-1])))
    tr.train()
    # 10 steps per epoch: after steps 2 (2.5 rounds to even), 5, 8 (7.5) and 10 of each epoch
    assert tr.eval_epoch_list == [0.2, 0.5, 0.8, 1.0, 1.2, 1.5, 1.8, 2.0]
    assert [c[0] for c in calls] == [2, 5, 8, 10, 12, 15, 18, 20]
    assert [c[1] for c in calls] == tr.test_acc_list and len(tr.train_acc_list) == 8
    assert tr.history["test_acc"] == [tr.test_acc_list[3], tr.test_acc_list[7]]  # the epoch ends


def test_sampled_evaluation_then_the_whole_test_set_at_the_end():
    x_tr, t_tr = toy_data(200, 0)
    x_te, t_te = toy_data(120, 1)
    x_te[:40] = x_te[40:80]  # the first 40 test images are copies of the next 40, labelled 1 - t:
    t_te[:40] = 1 - t_te[40:80]  # at most 40 of the first 80 can be right, so the sample rate differs
    tr = toy_trainer(x_tr, t_tr, x_te, t_te, evaluate_sample_num_per_epoch=80)
    tr.train()
    assert tr.final_test_acc == tr.network.accuracy(x_te, t_te)
    assert tr.test_acc_list[-1] == tr.network.accuracy(x_te[:80], t_te[:80]) <= 0.5
    assert tr.final_test_acc > tr.test_acc_list[-1]


def test_learning_rate_schedules():
    assert learning_rate(0.1, 5, 10) == 0.1
    assert learning_rate(0.1, 0, 10, "cosine") == pytest.approx(0.1)
    assert learning_rate(0.1, 5, 10, "cosine") == pytest.approx(0.05)
    # warm-up: 1/4, 2/4, 3/4, 4/4 of lr, then the cosine over the remaining 6 steps, falling towards 0
    warm = [learning_rate(0.1, s, 10, "cosine", warmup_steps=4) for s in range(10)]
    assert warm[:5] == pytest.approx([0.025, 0.05, 0.075, 0.1, 0.1])
    assert warm[7] == pytest.approx(0.05) and warm[9] == pytest.approx(0.05 * (1 + np.cos(np.pi * 5 / 6)))
    assert all(a >= b for a, b in zip(warm[4:], warm[5:]))


def test_cosine_steps_past_the_end_keep_its_last_value():
    """live_run.measure times 6 steps of any run; on a 2-step run whose warm-up took both steps (the
    3-epoch recipe's 0.9-epoch warm-up, 1 epoch of 200 images) the cosine divided by zero."""
    assert learning_rate(0.1, 2, 2, "cosine", warmup_steps=2) == pytest.approx(0.0, abs=1e-12)
    past = [learning_rate(0.1, s, 10, "cosine", warmup_steps=4) for s in (10, 12, 15)]
    assert past == pytest.approx([0.0, 0.0, 0.0], abs=1e-12)  # was rising again along the cosine


def test_trainer_cosine_schedule_and_errors():
    x, t = toy_data(40, 0)
    net = toy_net()
    tr = Trainer(net, x, t, x, t, epochs=2, mini_batch_size=20, optimizer="sgd", optimizer_param={"lr": 0.1},
                 lr_schedule="cosine", verbose=False, progress=False)
    tr.train()
    assert tr.history["lr"][0] == pytest.approx(0.05 * (1 + np.cos(np.pi * 1 / 4)))  # the lr of step 2 of 4
    with pytest.raises(ValueError, match="Unknown optimizer 'adamw'"):
        Trainer(net, x, t, x, t, optimizer="adamw")
    with pytest.raises(ValueError, match="differ in number"):
        Trainer(net, x, t[:5], x, t)
    with pytest.raises(ValueError, match="lr_schedule must be one of"):
        Trainer(net, x, t, x, t, lr_schedule="onecycle")
    with pytest.raises(ValueError, match="warmup_epochs must be at least 0 and less than epochs"):
        Trainer(net, x, t, x, t, epochs=2, warmup_epochs=2)
    with pytest.raises(ValueError, match="evaluations_per_epoch must be at least 1"):
        Trainer(net, x, t, x, t, evaluations_per_epoch=0)


@pytest.mark.parametrize("settings, message", [
    ({"epochs": 0}, "epochs must be at least 1; got 0"),
    ({"epochs": -1}, "epochs must be at least 1; got -1"),
    ({"epochs": 1.5}, "epochs must be a whole number"),
    ({"mini_batch_size": 0}, "mini_batch_size must be at least 1; got 0"),
    ({"train": 0}, "at least one training and one test image; got 0 and 40"),
])
def test_settings_that_cannot_train_say_which_setting_is_wrong(settings, message):
    """Issue 25.1: epochs=-1 blamed warmup_epochs, an empty training set evaluations_per_epoch."""
    x, t = toy_data(40, 0)
    n = settings.pop("train", len(x))
    with pytest.raises((ValueError, TypeError), match=message):
        Trainer(toy_net(), x[:n], t[:n], x, t, **settings)


def test_progress_bar_and_messages_go_to_stdout(capsys):
    x, t = toy_data(60, 0)
    Trainer(toy_net(), x, t, x, t, epochs=2, mini_batch_size=20, optimizer="adam", verbose=True,
            progress=True).train()
    out, err = capsys.readouterr()
    assert err == ""  # stderr shows as an error box in JupyterLab
    assert "epoch 1/2: 100%|" in out and "3/3" in out and "epoch  2: loss" in out and "final test acc" in out


@pytest.mark.parametrize("max_shift", [1, 2])
def test_random_shift_moves_each_image_by_its_own_offset(max_shift):
    from cnnlib.augment import random_shift, shift

    x = np.random.default_rng(0).random((6, 2, 7, 9), dtype=np.float32)
    out = random_shift(x, max_shift, np.random.default_rng(4))
    offsets = np.random.default_rng(4).integers(0, 2 * max_shift + 1, size=(6, 2))  # the same draws
    for i, (dy, dx) in enumerate(offsets - max_shift):
        # window (dy, dx) of the padded image = the image moved by (-dy, -dx)
        np.testing.assert_array_equal(out[i], shift(x[i : i + 1], -dy, -dx)[0])
    assert out.dtype == x.dtype and random_shift(x, 0, np.random.default_rng(0)) is x


def test_live_curves_follow_the_trainer():
    from cnnlib.plots import LiveCurves

    x_tr, t_tr = toy_data(300, 0)
    x_te, t_te = toy_data(100, 1)
    curves = LiveCurves(2, references={"99%": 0.99}, title="toy", show=False)
    tr = toy_trainer(x_tr, t_tr, x_te, t_te, epochs=2, evaluations_per_epoch=2, callback=curves)
    tr.train()
    assert curves.updates == len(tr.test_acc_list) == 4
    steps, loss = curves.loss_line.get_data()
    np.testing.assert_allclose(loss, tr.train_loss_list)
    np.testing.assert_allclose(steps, np.arange(1, 21) / 10)  # in epochs: 10 steps per epoch
    at, test = curves.test_line.get_data()
    assert list(at) == tr.eval_epoch_list == [0.5, 1.0, 1.5, 2.0] and list(test) == tr.test_acc_list
    assert "에폭 2.00/2" in curves.fig._suptitle.get_text()
    assert curves.finish(tr, "done in 1 s") is None
    assert curves.fig._suptitle.get_text() == "toy  done in 1 s"
    assert curves._image().data[:8] == b"\x89PNG\r\n\x1a\n"
