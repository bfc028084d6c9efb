"""A time budget for the learner's code: a runaway loop is stopped, the kernel keeps running.

    call_with_budget(10.0, my_conv_single, x, w, 1, 0)   # raises TimeUp after 10 s

A check gives the learner's code ``SECONDS`` over all its cases (the checker passes each case what is
left), so a cell never runs much longer than that, however slow or stuck the code.

How it stops Python code running in the same process:

- On the main thread where ``signal.setitimer`` exists (Linux, macOS: a Jupyter kernel runs its
  cells there), an interval timer whose SIGALRM handler raises :class:`TimeUp`. The signal also
  interrupts a blocking call such as ``time.sleep``.
- Anywhere else (another thread, Windows), a watchdog thread raises :class:`TimeUp` in the calling
  thread with CPython's ``PyThreadState_SetAsyncExc``.

Either way the exception is raised again every ``REPEAT`` seconds until the call ends, so a loop
that swallows it (a bare ``except:``) still stops. ``TimeUp`` derives from ``BaseException``, so
``except Exception`` in the learner's code does not catch it. Python can raise an exception only
between two bytecodes: a single long C call (a huge numpy product) runs to its end first, and
``TimeUp`` is raised the moment it returns.
"""

from __future__ import annotations

import ctypes
import signal
import threading

__all__ = ["TimeUp", "SECONDS", "call_with_budget"]

SECONDS = 10.0  # one check: the learner's code gets this long over all its cases
REPEAT = 0.05   # then TimeUp again every REPEAT seconds until the code gives up


class TimeUp(BaseException):
    """Raised inside the learner's code when its time budget is spent."""


def call_with_budget(seconds, fn, *args):
    """``fn(*args)``, stopped by :class:`TimeUp` once ``seconds`` have passed (None: no limit)."""
    if seconds is None:
        return fn(*args)
    main = threading.current_thread() is threading.main_thread()
    limit = _Alarm(seconds) if main and hasattr(signal, "setitimer") else _Watchdog(seconds)
    try:
        limit.start()
        try:
            return fn(*args)
        finally:
            limit.stop()
    except BaseException:
        limit.stop()  # again: a TimeUp may have arrived before the first stop() finished
        raise


class _Alarm:
    """SIGALRM from an interval timer; the previous handler and timer are restored by stop()."""

    def __init__(self, seconds):
        self.seconds, self.active = seconds, False

    def _raise(self, signum, frame):
        if self.active:
            raise TimeUp

    def start(self):
        self.previous = signal.signal(signal.SIGALRM, self._raise)
        self.active = True
        self.timer = signal.setitimer(signal.ITIMER_REAL, self.seconds, REPEAT)

    def stop(self):
        if self.active:
            self.active = False
            signal.setitimer(signal.ITIMER_REAL, *self.timer)
            signal.signal(signal.SIGALRM, signal.SIG_DFL if self.previous is None else self.previous)


def _set_async_exc(thread_id, exc):
    """Raise ``exc`` (a class) in thread ``thread_id`` at its next bytecode; None clears it."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None if exc is None else ctypes.py_object(exc))


class _Watchdog:
    """A daemon thread that raises TimeUp in the calling thread until stop()."""

    def __init__(self, seconds):
        self.seconds, self.active = seconds, False
        self.lock, self.done = threading.Lock(), threading.Event()
        self.target = threading.get_ident()

    def _watch(self):
        timeout = self.seconds
        while not self.done.wait(timeout):
            with self.lock:
                if self.active:
                    _set_async_exc(self.target, TimeUp)
            timeout = REPEAT

    def start(self):
        self.active = True
        threading.Thread(target=self._watch, name="cnnlib-tutor-budget", daemon=True).start()

    def stop(self):
        with self.lock:
            if self.active:
                self.active = False
                self.done.set()
                _set_async_exc(self.target, None)  # drop a TimeUp sent but not yet raised
