"""The "학습 시작" widget in a real kernel: the clicks arrive as the browser sends them (comm messages
to the buttons' widget models) while the kernel trains, and the kernel answers at once.

A headless Button.click() calls the handler directly; only a real kernel shows that a click sent while
training is received: the kernel handles messages only while no cell runs, so the training has to run
in a background thread.
"""

import json
import time

import pytest

jupyter_client = pytest.importorskip("jupyter_client")

SETUP = """
import numpy as np
from cnnlib.live_run import TrainingRun
from cnnlib.train import Recipe
rng = np.random.default_rng(0)
t = rng.integers(0, 2, 4000)
x = rng.normal(0, 0.3, (4000, 1, 8, 8)).astype(np.float32)
x[t == 0, :, :, :4] += 1
recipe = Recipe(network="SimpleConvNet", epochs=20, batch_size=20, lr=0.01, evaluate_sample_num=40,
                network_args={"input_dim": [1, 8, 8], "conv_param": {"filter_num": 4, "filter_size": 3},
                              "hidden_size": 8, "output_size": 2, "weight_init_std": "he"})
run = TrainingRun(recipe, x, t, x[:100], t[:100])
display(run)
run.wait(60)
print(json.dumps({"start": run.start_button.model_id, "stop": run.stop_button.model_id}))
"""


def execute(kc, code, timeout=60):
    """Run ``code``; returns (its stdout, seconds until the kernel replied)."""
    start = time.perf_counter()
    msg_id = kc.execute(code)
    out = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            raise AssertionError("\n".join(msg["content"]["traceback"]))
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(out), time.perf_counter() - start


def click(kc, model_id):
    """What the browser sends when a Button is clicked."""
    msg = kc.session.msg("comm_msg", {"comm_id": model_id, "data": {"method": "custom", "content": {"event": "click"}}})
    kc.shell_channel.send(msg)


def test_clicks_reach_the_kernel_while_it_trains():
    km, kc = jupyter_client.manager.start_new_kernel(kernel_name="python3")
    try:
        out, _ = execute(kc, "import json\n" + SETUP)
        ids = json.loads(out.strip().splitlines()[-1])
        click(kc, ids["start"])
        state = "ready"
        deadline = time.monotonic() + 60
        while state != "running 1" and time.monotonic() < deadline:  # training, past its first evaluation
            out, _ = execute(kc, "print(run.state, len(run.trainer.test_acc_list) if run.trainer else 0)")
            state = out.strip()
        # the kernel answers while the thread trains
        out, seconds = execute(kc, "print(run.state, run.trainer.current_iter, run.trainer.max_iter)")
        state, done, total = out.split()
        assert state == "running" and 0 < int(done) < int(total)
        print(f"an execute request answered in {seconds * 1e3:.0f} ms while training")
        click(kc, ids["start"])  # refused: already training
        click(kc, ids["stop"])
        out, _ = execute(kc, "print(run.wait(60)); print(run.note.value); "
                             "print(run.trainer.stopped, run.trainer.current_iter < run.trainer.max_iter)")
        state, note, flags = out.strip().splitlines()
        assert state == "stopped" and flags == "True True"
        assert note.startswith("이미 학습하고 있습니다.")
        out, _ = execute(kc, "import threading; print([t.name for t in threading.enumerate() "
                             "if t.name.startswith('cnnlib-')])")
        assert out.strip() == "[]"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
