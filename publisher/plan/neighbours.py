"""What the scores around a candidate say of it (the model's second stage).

A moderator's lead-in ("down here at the front, hi, I'm ...") scores low on its own
words, but the question it leads to scores high a few seconds ahead; that question,
scored alone, has the lead-in's turn just behind it. So each candidate also reads
the first stage's best log-odds within WINDOWS seconds ahead of it and behind it,
and how far its own falls below the best within NEAR seconds.
"""

from __future__ import annotations

import numpy as np

WINDOWS = (10.0, 25.0, 50.0)  # seconds
NEAR = 20.0  # seconds either side
FLOOR = -8.0  # log-odds: no candidate in a window reads as this
SCALE = 4.0  # log-odds to feature units

NAMES = (
    ("first",)
    + tuple(f"{side}_{w:g}" for w in WINDOWS for side in ("ahead", "behind"))
    + ("below_best",)
)


def columns(times: np.ndarray, logits: np.ndarray) -> np.ndarray:
    """One row of NAMES per candidate; `times` in order, `logits` the first stage's."""
    t = np.asarray(times, float)
    best = _RangeMax(np.maximum(logits, FLOOR))
    cols = [logits]
    for w in WINDOWS:
        cols.append(best(np.searchsorted(t, t, "right"), np.searchsorted(t, t + w, "right")))
        cols.append(best(np.searchsorted(t, t - w, "left"), np.searchsorted(t, t, "left")))
    near = best(np.searchsorted(t, t - NEAR, "left"), np.searchsorted(t, t + NEAR, "right"))
    cols.append(logits - near)
    return np.maximum(np.column_stack(cols), FLOOR) / SCALE


class _RangeMax:
    """Maxima of `values[lo:hi]` for many ranges at once (a sparse table); FLOOR
    where a range is empty."""

    def __init__(self, values: np.ndarray):
        self.levels = [np.asarray(values, float)]
        while 2 ** len(self.levels) <= len(values):
            prev, half = self.levels[-1], 2 ** (len(self.levels) - 1)
            self.levels.append(np.maximum(prev[:-half], prev[half:]))

    def __call__(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        out = np.full(len(lo), FLOOR)
        size = hi - lo
        for k, level in enumerate(self.levels):
            pick = (size >= 2**k) & (size < 2 ** (k + 1))
            if pick.any():
                a, b = lo[pick], hi[pick] - 2**k
                out[pick] = np.maximum(level[a], level[b])
        return out
