"""What the wording around a candidate says of a question start, learnt from the corpus.

Each candidate has three windows of words (WINDOWS): the few before it, its first
few and the rest of its asking turn. Every word and word pair in a window is a
*gram*, named with its window ("head:next question"). A gram's weight is how much
more often a window holds it at a labelled question start than far from every
start: the log ratio of the two rates, smoothed (naive Bayes). A window's score is
the sum of its grams' weights, one column per window for the question model. The
same windows are weighed apart for who asks: the audience against a moderator or
host, at the labelled starts ("I was wondering", "thanks for", "hi" weigh for the
audience).

Only grams seen in at least MIN_RECORDINGS recordings get a weight, so that one
talk's subject says nothing of another's questions ("let's jump on questions",
"so you were", "my question is" do; "borg" does not); training counts a show's
recordings as one, so neither does a series' ("laureates"). `Tally` learns the weights
from a labelled corpus, `Grams.columns` reads a talk with them; they are saved
with the model (scorer.Model.words).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

WINDOWS = (("before", -8, 0), ("head", 0, 5), ("after", 5, 40))  # words from the candidate
NAMES = tuple(f"words_{name}" for name, _, _ in WINDOWS)  # weighed for a question start
ASKER_NAMES = tuple(f"asker_{name}" for name, _, _ in WINDOWS)  # weighed for the audience asking
MIN_RECORDINGS = 4  # a gram seen in fewer recordings gets no weight
SMOOTH = 1.0  # added to each count of windows holding a gram
SCALE = 10.0  # a column's sum of weights is divided by this


@dataclass(frozen=True)
class Grams:
    """The grams in each candidate's windows: `at[i]` is the candidate holding the
    gram `vocab[ids[i]]`; `window[v]` is which of WINDOWS `vocab[v]` is in."""

    at: np.ndarray
    ids: np.ndarray
    vocab: tuple[str, ...]
    window: np.ndarray
    count: int  # candidates

    def columns(self, weights: Mapping[str, float]) -> np.ndarray:
        """One column per window: the sum of its grams' weights (/ SCALE)."""
        w = np.array([weights.get(g, 0.0) for g in self.vocab]) / SCALE
        return self.sums(w)

    def sums(self, per_gram: np.ndarray) -> np.ndarray:
        """One column per window: the sum of `per_gram[id]` over each candidate's grams."""
        out = np.zeros((self.count, len(WINDOWS)))
        if not len(self.ids):
            return out
        win = self.window[self.ids]
        for k in range(len(WINDOWS)):
            on = win == k
            out[:, k] = np.bincount(self.at[on], per_gram[self.ids[on]], minlength=self.count)
        return out


def grams(norms: Sequence[str], starts: Sequence[int]) -> Grams:
    """The grams of each candidate, the one starting at each word index in `starts`."""
    vocab: dict[str, int] = {}
    window: list[int] = []  # of each vocab entry
    at: list[int] = []
    ids: list[int] = []
    n = len(norms)
    for c, k in enumerate(starts):
        for win, (name, lo, hi) in enumerate(WINDOWS):
            seg = norms[max(0, k + lo) : min(n, k + hi)]
            found = {f"{name}:{w}" for w in seg}
            found.update(f"{name}:{a} {b}" for a, b in zip(seg, seg[1:], strict=False))
            for g in found:
                if g not in vocab:
                    vocab[g] = len(vocab)
                    window.append(win)
                at.append(c)
                ids.append(vocab[g])
    return Grams(
        np.array(at, int), np.array(ids, int), tuple(vocab), np.array(window, int), len(starts)
    )


class Tally:
    """Labelled talks' grams on one vocabulary, to learn weights from any subset of
    them (training learns once per fold and per inner fold)."""

    def __init__(self, talks: Sequence[tuple[str, Grams, np.ndarray]], anywhere: bool = True):
        """`talks`: (recording, its candidates' grams, each candidate's target: 1 what
        is learnt (a question start, the audience asking), 0 its opposite, anything
        else neither). A gram counts towards MIN_RECORDINGS in the recordings that say
        it (`anywhere`) or, where few candidates have a target (the asker at labelled
        starts), those where a window with a target holds it. Talks naming the same
        recording are one (training names a recording's show: its variants and
        episodes are one)."""
        index: dict[str, int] = {}
        self.local = [
            np.array([index.setdefault(g, len(index)) for g in f.vocab], int) for _, f, _ in talks
        ]
        self.said = [
            local if anywhere else np.unique(local[f.ids[target[f.at] >= 0]])
            for local, (_, f, target) in zip(self.local, talks, strict=True)
        ]
        self.vocab = tuple(index)
        self.talks = talks

    def weights(self, chosen: Iterable[int]) -> np.ndarray:
        """Each vocabulary gram's weight, learnt from the talks at `chosen`."""
        size = len(self.vocab)
        start, other, seen = np.zeros(size), np.zeros(size), {}
        starts = others = 0
        for i in chosen:
            recording, found, target = self.talks[i]
            y = target[found.at]
            ids = self.local[i][found.ids]
            start += np.bincount(ids[y == 1], minlength=size)
            other += np.bincount(ids[y == 0], minlength=size)
            seen.setdefault(recording, set()).add(i)
            starts += int((target == 1).sum())
            others += int((target == 0).sum())
        recordings = np.zeros(size)
        for talks in seen.values():
            recordings[np.unique(np.concatenate([self.said[i] for i in talks]))] += 1
        base = np.log((others + 2 * SMOOTH) / (starts + 2 * SMOOTH))
        w = np.log((start + SMOOTH) / (other + SMOOTH)) + base
        weighed = (recordings >= MIN_RECORDINGS) & (start + other > 0)  # held where learnt
        return np.where(weighed, np.round(w, 3), 0.0)

    def columns(self, i: int, weights: np.ndarray) -> np.ndarray:
        """Talk `i`'s columns under vocabulary `weights`."""
        return self.talks[i][1].sums(weights[self.local[i]] / SCALE)

    def saved(self, weights: np.ndarray) -> dict[str, float]:
        """The weights as saved with the model: the grams that have one."""
        return {g: float(w) for g, w in zip(self.vocab, weights, strict=True) if w}
