"""99 % in at most 3 epochs: the recipe ``simple_convnet_fast`` trained from scratch, once per seed,
beside the shipped records of the book's settings (``simple_convnet_book``) and of ``simple_convnet``.

    python3 tasks.py bench bench/bench_time_to_99.py            # seeds 0-4, about 6 minutes on a quiet machine
    python3 tasks.py bench bench/bench_time_to_99.py --seeds 0 1 --record

The goal is stated in steps, which every machine shares: at least 99.0 % of all 10,000 test images
right after at most 3 epochs (1,800 steps of batch 100), for every seed. The seconds are this
machine's: each seed is a fresh ``python -m cnnlib.train simple_convnet_fast --seed S`` process, and
its wall time counts everything a learner waits for (starting Python, importing, loading MNIST,
training, the final evaluation on all 10,000 test images, saving). How fast the machine was is measured
in the same run, before and after the seeds: the median training step (batch 100, Adam) of cnnlib and,
if installed, of PyTorch (``pip install torch==2.13.0``; never a dependency of the project). The
1-minute load average is read before each run, and the share of the machine's CPU time that other
processes took during it (other work on the machine slows training). ``--record`` writes the results
to ``data/params/simple_convnet_fast_seeds.json`` (notebook 7.5 and the README quote it) and ships the
run with the recipe's own seed as ``data/params/simple_convnet_fast.npz``/``.json`` (that seed's process
is the recipe's own run, ``python -m cnnlib.train simple_convnet_fast --replace-shipped``). The seconds
of a record are only comparable from a quiet machine (load average below about 0.3 before each run);
the step-time ratio cnnlib / PyTorch, measured in the same run, holds on a busy one too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from cnnlib.paths import params_dir
from cnnlib.train import RECIPES, load_record

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_training_step import cnnlib_step_fn, torch_step_fn  # noqa: E402  (the same step as that bench)

RECIPE = "simple_convnet_fast"
GOAL = 0.99        # test accuracy on all 10,000 test images ...
GOAL_EPOCHS = 3    # ... after at most this many epochs (600 steps each)


def step_milliseconds() -> dict:
    """How fast the machine is right now: the median training step (batch 100, Adam) of cnnlib and,
    if installed, PyTorch, in alternating blocks (the method of bench_training_step.py, shorter)."""
    rng = np.random.default_rng(0)
    x, t = rng.random((100, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, 100)
    steps = {"cnnlib": cnnlib_step_fn(x, t)}
    try:
        steps["pytorch"] = torch_step_fn(x, t)[0]
    except ImportError:
        pass
    times = {name: [] for name in steps}
    for block in range(6):
        for name, step in steps.items():
            for i in range(6):
                start = time.perf_counter()
                step()
                if block and i:  # the first block and the first step of each block warm up
                    times[name].append(time.perf_counter() - start)
    return {name: round(statistics.median(v) * 1e3, 1) for name, v in times.items()}


def busy_cpu_seconds() -> float:
    """CPU seconds all processes on this machine have spent working since boot (Linux /proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, idle, iowait, irq, softirq = (int(v) for v in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def run_seed(seed: int, folder: Path, ship: bool = False) -> dict:
    """Train the recipe with ``seed`` in a fresh process. ``ship``: this is the recipe's own run (its own
    seed), written to data/params/ with --replace-shipped; any other run goes to ``folder``."""
    if ship:
        out, where = params_dir() / f"{RECIPE}.npz", ["--replace-shipped"]
    else:
        out = folder / f"seed{seed}.npz"
        where = ["--seed", str(seed), "--out", str(out)]
    load = os.getloadavg()[0]
    busy, ours = busy_cpu_seconds(), resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cnnlib.train", RECIPE, *where, "--no-progress"],
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"training seed {seed} failed:\n{done.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU time other processes took during the run (the load average before a run also counts the
    # previous seed's own run, so it cannot tell whether anything else was running)
    ours = (after.ru_utime + after.ru_stime) - (ours.ru_utime + ours.ru_stime)
    others = max(0.0, busy_cpu_seconds() - busy - ours)
    record = json.loads(out.with_suffix(".json").read_text())
    if record["settings"]["seed"] != seed or record["test_size"] != 10000:
        sys.exit(f"{out.with_suffix('.json')} is not the run of seed {seed} on all 10,000 test images")
    steps = len(record["train_loss_per_step"])
    return {"seed": seed, "test_accuracy": record["test_accuracy"], "epochs": record["settings"]["epochs"],
            "steps": steps, "process_seconds": round(wall, 1), "training_seconds": record["wall_seconds"],
            # the run's own pace: its seconds after loading the data (evaluations included) per step
            "ms_per_step": round((record["wall_seconds"] - record["load_seconds"]) / steps * 1e3, 1),
            "load_average_before": round(load, 2),
            "other_processes_cpu_share": round(others / (wall * (os.cpu_count() or 1)), 3)}


def torch_version() -> str | None:
    try:
        import torch
    except ImportError:
        return None
    return torch.__version__


def speed_line(when: str, speed: dict) -> str:
    line = f"one training step (batch 100, Adam), {when}: " + ", ".join(f"{n} {ms:.1f} ms" for n, ms in speed.items())
    if "pytorch" in speed:
        line += f"; cnnlib / PyTorch = {speed['cnnlib'] / speed['pytorch']:.2f}"
    return line


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--record", action="store_true", help=f"write data/params/{RECIPE}_seeds.json")
    args = parser.parse_args(argv)

    recipe = RECIPES[RECIPE]
    print(f"{RECIPE}: {recipe.note}")
    print(f"goal: test accuracy >= {GOAL:.1%} on all 10,000 test images after <= {GOAL_EPOCHS} epochs, every seed")
    load_before = os.getloadavg()[0]
    speed = step_milliseconds()
    print(speed_line("before the seeds", speed))
    print(f"{'seed':>4}  {'test acc':>8}  {'epochs':>6}  {'steps':>5}  {'wall s':>6}  {'(recorded s)':>12}  "
          f"{'ms/step':>7}  {'load before':>11}  {'others CPU':>10}")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            r = run_seed(seed, Path(tmp), ship=args.record and seed == recipe.seed)
            runs.append(r)
            print(f"{r['seed']:>4}  {r['test_accuracy']:8.2%}  {r['epochs']:>6}  {r['steps']:>5}  "
                  f"{r['process_seconds']:6.1f}  {r['training_seconds']:12.1f}  {r['ms_per_step']:7.1f}  "
                  f"{r['load_average_before']:11.2f}  "
                  f"{r['other_processes_cpu_share']:10.1%}", flush=True)
        if args.record and recipe.seed in args.seeds:
            print(f"the seed-{recipe.seed} run is the recipe's own: shipped as data/params/{RECIPE}.npz and .json")
    speed_after = step_milliseconds()
    print(speed_line("after the seeds", speed_after))
    accs = [r["test_accuracy"] for r in runs]
    walls = [r["process_seconds"] for r in runs]
    ok = sum(r["test_accuracy"] >= GOAL and r["epochs"] <= GOAL_EPOCHS for r in runs)
    print(f"accuracy {min(accs):.2%} .. {max(accs):.2%} (mean {statistics.mean(accs):.2%}); "
          f"wall {min(walls):.1f} .. {max(walls):.1f} s; {ok} of {len(runs)} seeds reach {GOAL:.0%} "
          f"within {GOAL_EPOCHS} epochs")
    for name in ("simple_convnet_book", "simple_convnet"):
        ref = load_record(name)
        print(f"shipped {name}: {ref['settings']['epochs']} epochs, {ref['wall_seconds']:.0f} s of training, "
              f"{ref['test_accuracy']:.2%}  ({RECIPES[name].note})")
    if args.record:
        path = params_dir() / f"{RECIPE}_seeds.json"
        result = {"recipe": RECIPE, "goal_accuracy": GOAL, "goal_epochs": GOAL_EPOCHS, "runs": runs,
                  "load_average_before_bench": round(load_before, 2), "load_average_after_bench":
                  round(os.getloadavg()[0], 2), "step_ms_before": speed, "step_ms_after": speed_after,
                  "machine": {"python": platform.python_version(), "numpy": np.__version__,
                              "pytorch": torch_version(), "cpus": os.cpu_count()},
                  "how": "python3 tasks.py bench bench/bench_time_to_99.py --record (one fresh process per seed)"}
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(result, indent=1) + "\n")
        tmp.replace(path)
        print(f"wrote {path}")
    return 0 if ok == len(runs) else 1


if __name__ == "__main__":
    sys.exit(main())
