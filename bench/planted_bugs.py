"""Plant known bugs in a copy of cnnlib, one at a time, and list the tests that catch each (issue 26).

Each bug is one textual change to one line of cnnlib (the exact original text must be found once, so a
change in cnnlib that moves the line makes this script say so instead of planting nothing). For each, the
checkout (without .git, .venv, MNIST and artifacts) is copied to a temporary folder, the bug is planted
there, and pytest runs the unit tests (what `python3 tasks.py test --quick` runs, or the files given) on the
copy with this checkout's .venv. The copy is first tested without a bug: a test that fails there (a test
that needs .git, say) is not counted as catching anything. A bug that no test catches is reported as such
and the script exits 1.

    .venv/bin/python bench/planted_bugs.py                 # every bug, the quick unit tests (a few minutes)
    .venv/bin/python bench/planted_bugs.py --bug col2im-add tests/test_im2col.py tests/test_layers.py
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns(".git", ".venv", "artifacts", "mnist", "runs", "__pycache__", ".pytest_cache",
                              ".hypothesis", "*.egg-info", ".ipynb_checkpoints")


@dataclass(frozen=True)
class Bug:
    name: str
    path: str      # relative to the checkout
    old: str       # the exact text, found once
    new: str
    what: str


BUGS = [
    Bug("col2im-add", "cnnlib/im2col.py",
        "img[cell_slices(y, x, out_h, out_w, stride, dilation)] += col[:, :, y, x, :, :]",
        "img[cell_slices(y, x, out_h, out_w, stride, dilation)] = col[:, :, y, x, :, :]",
        "col2im writes (=) instead of adding (+=) where windows overlap"),
    Bug("im2col-column-order", "cnnlib/im2col.py",
        "windows.transpose(0, 2, 3, 1, 4, 5)", "windows.transpose(0, 2, 3, 1, 5, 4)",
        "im2col's columns in (c, fw, fh) order instead of the book's (c, fh, fw)"),
    Bug("adam-bias-correction", "cnnlib/optimizers.py",
        "lr_t = float(self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter))",
        "lr_t = float(self.lr)",
        "Adam without its bias correction"),
    Bug("affine-db", "cnnlib/layers.py",
        "self.db = np.sum(dout, axis=0)", "self.db = np.mean(dout, axis=0)",
        "Affine's db averaged over the batch instead of summed"),
    Bug("pooling-winner", "cnnlib/layers.py",
        "self.arg_max = np.argmax(col, axis=1)", "self.arg_max = np.argmin(col, axis=1)",
        "Pooling's backward sends the gradient to the smallest cell of each window"),
    Bug("fast-pooling-ties", "cnnlib/fast_layers.py",
        "return (a > b) | (np.isnan(a) & ~np.isnan(b))", "return (a >= b) | (np.isnan(a) & ~np.isnan(b))",
        "FastPooling gives a tie to the later cell (the book's argmax takes the first)"),
]


def plant(copy: Path, bug: Bug | None) -> None:
    if bug is None:
        return
    path = copy / bug.path
    text = path.read_text(encoding="utf-8")
    if text.count(bug.old) != 1:
        sys.exit(f"{bug.name}: {bug.path} holds {text.count(bug.old)} copies of {bug.old!r} (expected 1): "
                 "update BUGS in bench/planted_bugs.py to the code as it is now")
    path.write_text(text.replace(bug.old, bug.new), encoding="utf-8")


def failing(bug: Bug | None, files: list[str]) -> tuple[list[str], float]:
    """The ids of the tests that fail with ``bug`` planted (None: the copy as it is), and the seconds
    pytest took."""
    name = bug.name if bug else "none"
    with tempfile.TemporaryDirectory(prefix=f"planted-{name}-") as tmp:
        copy = Path(tmp) / "checkout"
        shutil.copytree(ROOT, copy, ignore=SKIP)
        plant(copy, bug)
        from cnnlib.mnist import mnist_dir   # the real cache: the copy has no data/mnist

        env = {**os.environ, "PYTHONPATH": str(copy), "CNNLIB_MNIST_DIR": str(mnist_dir()),
               "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1")}
        env.pop("CNNLIB_DATA_DIR", None)
        start = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider",
                               "-m", "not browser and not slow", *files],
                              cwd=copy, env=env, capture_output=True, text=True)
        seconds = time.monotonic() - start
        check = subprocess.run([sys.executable, "-c", "import cnnlib; print(cnnlib.__file__)"], cwd=copy, env=env,
                               capture_output=True, text=True)
        if not check.stdout.startswith(str(copy)):  # the run must have imported the planted copy
            sys.exit(f"{name}: the copy's cnnlib was not the one imported ({check.stdout.strip()})")
    failed = sorted(set(re.findall(r"^FAILED (\S+?)(?: - |$)", done.stdout, re.M)))
    if done.returncode not in (0, 1):
        sys.exit(f"{name}: pytest could not run (exit {done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    return failed, seconds


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bug", action="append", choices=[b.name for b in BUGS], help="only these (repeatable)")
    parser.add_argument("files", nargs="*", default=["tests"], help="test files or folders (default: tests)")
    args = parser.parse_args(argv)
    missed = []
    control, seconds = failing(None, args.files)
    print(f"no bug planted: {len(control)} failing tests, pytest {seconds:.0f} s (not counted below)", flush=True)
    for test in control:
        print(f"    {test}")
    for bug in [b for b in BUGS if not args.bug or b.name in args.bug]:
        failed, seconds = failing(bug, args.files)
        failed = [t for t in failed if t not in control]
        print(f"{bug.name}: {bug.what} ({bug.path}) — {len(failed)} failing tests, pytest {seconds:.0f} s", flush=True)
        for test in failed:
            print(f"    {test}")
        if not failed:
            print("    NOT CAUGHT")
            missed.append(bug.name)
    if missed:
        print(f"not caught: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
