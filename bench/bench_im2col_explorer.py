"""im2col explorer latency: from setting a control to every HTML output updated, at the largest
settings (N = C = FN = 3, 12x12 input, padding 3), in each of the four views. Target: median <= 30 ms.

Same method as bench_explorers.py (whose timing helpers this reuses): every control moved to a
neighbouring value and back, the im2col row stepped as Play does — plus the three output-cell
pickers (sample n, oy, ox) moved and back. Each timing covers the whole synchronous callback
(observers, range updates, picker sync, the pure view, the assignment of each HTML widget).

Run: python3 tasks.py bench bench/bench_im2col_explorer.py
"""

from __future__ import annotations

import statistics
import sys
import time

from bench_explorers import TARGET_MS, drag_views, message_cost, timed_moves
from cnnlib.explorers import Im2colExplorer

LARGEST = dict(N=3, C=3, H=12, W=12, pad=3, stride=1, FN=3)
CASES = [dict(LARGEST, mode=mode, FH=f, FW=f) for mode in ("conv", "conv-backward", "pool", "pool-backward")
         for f in (6, 1)]   # largest windows (108 columns) and most rows (3 * 18 * 18 = 972)


def timed_picks(ex, rounds=2):
    """Milliseconds per callback for each picker typed to a neighbour and back."""
    times = []
    for _ in range(rounds):
        for name, p in ex.pickers.items():
            if p.box.disabled:
                continue
            original = p.value
            for value in (original - 1 if original > 0 else original + 1, original):
                t = time.perf_counter()
                ex.pick(**{name: value})
                times.append((time.perf_counter() - t) * 1e3)
    return times


def main() -> int:
    print(__doc__.split("\n\n")[0])
    all_times = []
    for settings in CASES:
        ex = Im2colExplorer(**settings)
        ex.widget                     # build the widgets (outside the timing)
        ex.set(position=100)          # a row inside the second sample: both ends of the matrix are elided
        times = timed_moves(ex, rounds=2) + timed_picks(ex)
        all_times += times
        enc_ms, kb = message_cost(ex)
        fresh = Im2colExplorer(**settings)
        fresh.widget
        views, drag_ms = drag_views(fresh)
        label = ", ".join(f"{k}={v}" for k, v in settings.items() if k not in LARGEST)
        print(f"  Im2colExplorer({label}; largest N, C, FN, H, W, pad): {len(times)} callbacks, "
              f"median {statistics.median(times):5.1f} ms, max {max(times):5.1f} ms; "
              f"update message {kb:5.1f} kB, JSON-encoded in {enc_ms:4.1f} ms; "
              f"a 20-step drag while a picture paints: {views} views in {drag_ms:.0f} ms")
    med = statistics.median(all_times)
    q = statistics.quantiles(all_times, n=10)[-1]
    verdict = "OK" if med <= TARGET_MS else "TOO SLOW"
    print(f"Im2colExplorer: median {med:.1f} ms, 90th percentile {q:.1f} ms, max {max(all_times):.1f} ms "
          f"over {len(all_times)} callbacks (target median <= {TARGET_MS:.0f} ms: {verdict})")
    return 0 if med <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
