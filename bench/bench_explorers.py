"""Explorer latency: how long from setting a control to every HTML output updated, at the
largest settings (the slider callback a learner waits for). Target: median <= 30 ms. Also the bytes
one move of the window slider sends to the browser (every widget message, JSON-encoded).

For each explorer, starting from its largest settings, every control is moved back and forth
to a neighbouring value, and the window position is stepped through as Play does. Each
timing covers the whole synchronous callback (observers, range updates, the pure view, the
assignment of each HTML widget's value). The JSON encoding of the message the kernel then
sends to the browser is timed separately; network and browser rendering are not included
(the browser test in tests/ sees those).

Run: python3 tasks.py bench bench/bench_explorers.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from cnnlib.explorers import ConvExplorer, PoolExplorer

TARGET_MS = 30.0

CASES = {
    "ConvExplorer": (ConvExplorer, [
        dict(H=12, W=12, FH=6, FW=6, pad=3, stride=1, dilation=1, C=3, FN=3, N=3),   # largest filters
        dict(H=12, W=12, FH=1, FW=1, pad=3, stride=1, dilation=1, C=3, FN=3, N=3),   # largest output
    ]),
    "PoolExplorer": (PoolExplorer, [
        dict(H=12, W=12, pool_h=4, pool_w=4, stride=1, pad=2, C=3),
        dict(H=12, W=12, pool_h=1, pool_w=1, stride=1, pad=2, C=3),
    ]),
}


def timed_moves(ex, rounds=3):
    """Milliseconds per callback, for every control moved to a neighbour and back, and for
    stepping the window position (as Play does)."""
    times = []
    for _ in range(rounds):
        for name, w in ex.controls.items():
            if name == "position" or w.disabled:
                continue
            original = w.value
            if hasattr(w, "options") and w.options:
                values = [v for _, v in w.options if v != original] + [original]
            else:
                values = [original - 1 if original > w.min else original + 1, original]
            for value in values:
                t = time.perf_counter()
                w.value = value
                times.append((time.perf_counter() - t) * 1e3)
        pos = ex.controls["position"]
        for value in list(range(1, min(pos.max, 40) + 1)) + [0]:
            t = time.perf_counter()
            pos.value = value
            times.append((time.perf_counter() - t) * 1e3)
    return times


def _widgets(ex):
    yield ex.live_view
    yield from ex.controls.values()
    yield from (n.box for n in ex.numbers.values())
    yield from getattr(ex, "pickers", {}).values()
    if ex.play is not None:
        yield ex.play
    yield ex.clamp_note


def message_cost(ex, control="position", moves=10):
    """(ms to JSON-encode one move's messages, median kB sent per move of ``control``): every message any
    of the explorer's widgets sends for a move to the neighbouring value, JSON-encoded."""
    sent = []
    for w in _widgets(ex):
        w._send = lambda msg, buffers=None: sent.append(msg)
    w = ex.controls[control]
    sizes, enc = [], []
    for i in range(moves):
        sent.clear()
        w.value = w.value + 1 if w.value < w.max else w.min
        t = time.perf_counter()
        sizes.append(sum(len(json.dumps(m).encode()) for m in sent))
        enc.append((time.perf_counter() - t) * 1e3)
    return statistics.median(enc), statistics.median(sizes) / 1e3


def main() -> int:
    print(__doc__.split("\n\n")[0])
    ok = True
    for name, (cls, settings_list) in CASES.items():
        all_times = []
        for settings in settings_list:
            ex = cls(**settings)
            ex.widget  # build the widgets (outside the timing)
            times = timed_moves(ex)
            all_times += times
            enc_ms, kb = message_cost(ex)
            label = ", ".join(f"{k}={v}" for k, v in settings.items())
            print(f"  {name}({label}): {len(times)} callbacks, median {statistics.median(times):5.1f} ms, "
                  f"max {max(times):5.1f} ms; update message {kb:5.0f} kB, JSON-encoded in {enc_ms:4.1f} ms")
        med = statistics.median(all_times)
        q = statistics.quantiles(all_times, n=10)[-1]
        verdict = "OK" if med <= TARGET_MS else "TOO SLOW"
        print(f"{name}: median {med:.1f} ms, 90th percentile {q:.1f} ms, max {max(all_times):.1f} ms "
              f"over {len(all_times)} callbacks (target median <= {TARGET_MS:.0f} ms: {verdict})")
        ok &= med <= TARGET_MS
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
