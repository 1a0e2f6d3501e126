"""Choose question starts over the whole talk at once.

Dynamic programming over the candidates in time order: each chosen start earns
its log-odds above the model's offset, and a question shorter than `short`
seconds costs up to `penalty` (so an answer's rhetorical question is not cut
out as a question of its own). Starts closer than MIN_GAP are never both taken.
Then who asks each chosen question (`roles`).
"""

from __future__ import annotations

import numpy as np

MIN_GAP = 20.0  # seconds: 1 in 222 labelled questions in the corpus is shorter


def choose(times: np.ndarray, gains: np.ndarray, short: float, penalty: float) -> list[int]:
    """Indices of the chosen candidates, in time order. `gains`: log-odds minus offset.

    Each start's best predecessor is the best of those at least `short` seconds
    before it (a running maximum: no penalty there) or of the few within `short`
    seconds, each less its penalty; ties go to the earliest."""
    keep = np.flatnonzero(gains > 0)  # a start that earns nothing never helps
    if not keep.size:
        return []
    t, g = times[keep], gains[keep]
    reach = short if penalty > 0 else 0.0  # before this, no penalty applies
    gap_at = np.searchsorted(t, t - MIN_GAP, side="right")  # [gap_at, j): too close
    far_at = np.searchsorted(t, t - max(reach, MIN_GAP), side="right")  # [0, far_at): free
    best = np.empty(len(keep))
    back = np.full(len(keep), -1)
    top, top_at = -np.inf, -1  # the best of best[:far_at[j]], and where
    seen = 0
    for j in range(len(keep)):
        while seen < far_at[j]:
            if best[seen] > top:
                top, top_at = best[seen], seen
            seen += 1
        k, total = top_at, top
        lo, hi = far_at[j], gap_at[j]
        if hi > lo:
            near = best[lo:hi] - penalty * np.minimum((short - (t[j] - t[lo:hi])) / short, 1.0)
            i = int(np.argmax(near))
            if near[i] > total:
                k, total = lo + i, near[i]
        if k >= 0 and total > 0:
            best[j], back[j] = g[j] + total, k
        else:
            best[j] = g[j]
    j = int(np.argmax(best))
    chosen = []
    while j >= 0:
        chosen.append(int(keep[j]))
        j = int(back[j])
    return chosen[::-1]


def roles(audience: np.ndarray, switch: float) -> np.ndarray:
    """Whether each question, in time order, is asked from the audience: each one's
    own probability (`audience`), and `switch` log-odds for every change of asker
    from one question to the next (a moderator asks a run of questions, then the
    floor asks a run). Viterbi over the two roles."""
    if not len(audience):
        return np.zeros(0, bool)
    p = np.clip(np.asarray(audience, float), 1e-6, 1 - 1e-6)
    logp = np.log(np.column_stack([1 - p, p]))  # moderator, audience
    best = logp[0].copy()
    back = np.zeros((len(p), 2), int)
    for i in range(1, len(p)):
        came = best[::-1] - switch > best  # each role reached best from the other
        back[i] = np.where(came, [1, 0], [0, 1])
        best = np.where(came, best[::-1] - switch, best) + logp[i]
    path = [int(np.argmax(best))]
    for i in range(len(p) - 1, 0, -1):
        path.append(int(back[i][path[-1]]))
    return np.array(path[::-1]) == 1
