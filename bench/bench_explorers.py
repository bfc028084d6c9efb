"""Explorer latency: how long from setting a control to every HTML output updated, at the
largest settings (the slider callback a learner waits for). Target: median <= 30 ms. Also the bytes
one move of the window slider sends to the browser (every widget message, JSON-encoded), and how many
views a drag computes while the browser is still painting (one picture in flight: only the newest).

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
        dict(H=12, W=12, FH=4, FW=4, stride=1, pad=2, C=3),
        dict(H=12, W=12, FH=1, FW=1, stride=1, pad=2, C=3),
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


def open_view(ex) -> list:
    """A view as the browser opens one: it asks for every part, then says it painted each update at once.
    Returns the list every message of the explorer's widgets goes to."""
    sent = []
    view = ex.live_view
    for w in [view, *ex._synced_widgets()]:
        w._send = lambda msg, buffers=None: sent.append(msg)
    view._message(view, {"event": "full"}, [])
    return sent


def painted(ex) -> None:
    ex.live_view._message(ex.live_view, {"event": "painted", "version": ex.live_view.version}, [])


def message_cost(ex, control="position", moves=10):
    """(ms to JSON-encode one move's messages, median kB sent per move of ``control``): every message any
    of the explorer's widgets sends for a move to the neighbouring value, JSON-encoded."""
    sent = open_view(ex)
    w = ex.controls[control]
    sizes, enc = [], []
    for i in range(moves):
        painted(ex)
        sent.clear()
        w.value = w.value + 1 if w.value < w.max else w.min
        t = time.perf_counter()
        sizes.append(sum(len(json.dumps(m).encode()) for m in sent))
        enc.append((time.perf_counter() - t) * 1e3)
    return statistics.median(enc), statistics.median(sizes) / 1e3


def drag_views(ex, control="position", values=20) -> tuple[int, float]:
    """A drag of ``values`` steps arriving while the first picture is still being painted: (views computed,
    ms of kernel time for the whole drag). Without one picture in flight every step was computed and sent."""
    open_view(ex)
    painted(ex)
    computed = []
    real = ex.live_html
    ex.live_html = lambda s=None: computed.append(1) or real(s)
    w = ex.controls[control]
    t = time.perf_counter()
    for _ in range(values):
        w.value = w.value + 1 if w.value < w.max else w.min
    painted(ex)                       # the browser has painted the first picture: the newest state, once
    ms = (time.perf_counter() - t) * 1e3
    del ex.live_html
    return len(computed), ms


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
            fresh = cls(**settings)
            fresh.widget
            views, drag_ms = drag_views(fresh)
            label = ", ".join(f"{k}={v}" for k, v in settings.items())
            print(f"  {name}({label}): {len(times)} callbacks, median {statistics.median(times):5.1f} ms, "
                  f"max {max(times):5.1f} ms; update message {kb:5.1f} kB, JSON-encoded in {enc_ms:4.1f} ms; "
                  f"a 20-step drag while a picture paints: {views} views computed in {drag_ms:.0f} ms")
        med = statistics.median(all_times)
        q = statistics.quantiles(all_times, n=10)[-1]
        verdict = "OK" if med <= TARGET_MS else "TOO SLOW"
        print(f"{name}: median {med:.1f} ms, 90th percentile {q:.1f} ms, max {max(all_times):.1f} ms "
              f"over {len(all_times)} callbacks (target median <= {TARGET_MS:.0f} ms: {verdict})")
        ok &= med <= TARGET_MS
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
