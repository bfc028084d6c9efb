"""Running a program as an unprivileged user, to meet real permissions even when the tests run as root."""

import functools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def unprivileged_user() -> list:
    """The command prefix that runs a program as ``nobody``; skips the test when there is none."""
    import pwd

    setpriv = shutil.which("setpriv")
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        nobody = None
    if setpriv is None or nobody is None:
        pytest.skip("running as root, and setpriv or the user nobody is missing to test as a normal user")
    user = [setpriv, f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
    probe = subprocess.run([*user, sys.executable, "-c", "import cnnlib.mnist"], cwd=ROOT,
                           capture_output=True, text=True)
    if probe.returncode:
        pytest.skip(f"the user nobody cannot run this Python and cnnlib: {probe.stderr.strip()[-300:]}")
    return user
