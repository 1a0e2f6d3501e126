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
    """Indices of the chosen candidates, in time order. `gains`: log-odds minus offset."""
    keep = np.flatnonzero(gains > 0)  # a start that earns nothing never helps
    if not keep.size:
        return []
    t, g = times[keep], gains[keep]
    best = np.empty(len(keep))
    back = np.full(len(keep), -1)
    for j in range(len(keep)):
        d = t[j] - t[:j]
        total = best[:j] - penalty * np.clip((short - d) / short, 0.0, 1.0)
        total[d < MIN_GAP] = -np.inf
        k = int(np.argmax(total)) if j else -1
        if k >= 0 and total[k] > 0:
            best[j], back[j] = g[j] + total[k], k
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
