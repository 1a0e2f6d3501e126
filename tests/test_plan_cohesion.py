"""Lexical cohesion (plan/cohesion.py) sums its word counts a few columns of the
vocabulary at a time, to hold little memory on long talks: the scores must not
depend on how the vocabulary is cut, and must be the cosine the module describes."""

from __future__ import annotations

import numpy as np
from helpers import BUNDLED_SEED

from publisher.ingest import load_talk
from publisher.plan import cohesion
from publisher.plan.cohesion import BIN, WINDOW, Cohesion
from publisher.plan.make import read_talk
from publisher.plan.words import Word, content


def _words() -> list[Word]:
    return read_talk(load_talk(BUNDLED_SEED), {})[1][:3000]  # ~20 minutes


def _cosine_novelty(words: list[Word], t: float) -> float:
    """1 - cosine of the IDF-weighted content-word counts of the WINDOW before and
    after the bin boundary nearest t, counted straight from the words."""
    origin = words[0].time
    nbins = int((words[-1].time - origin) // BIN) + 1
    b = min(max(round((t - origin) / BIN), 1), nbins - 1)
    k = int(WINDOW // BIN)
    lo, hi = max(b - k, 0), min(b + k, nbins)
    bins: list[set[str]] = [set() for _ in range(nbins)]
    for w in words:
        for s in content([w.norm]):
            bins[int((w.time - origin) // BIN)].add(s)

    def side(first: int, last: int) -> dict[str, float]:
        counts: dict[str, float] = {}
        for w in words:
            at = int((w.time - origin) // BIN)
            if first <= at < last:
                for s in content([w.norm]):
                    df = sum(s in found for found in bins)
                    counts[s] = counts.get(s, 0.0) + np.log((nbins + 1) / (1.0 + df))
        return counts

    left, right = side(lo, b), side(b, hi)
    dot = sum(v * right.get(s, 0.0) for s, v in left.items())
    norm = np.sqrt(sum(v * v for v in left.values())) * np.sqrt(sum(v * v for v in right.values()))
    return 1.0 - dot / norm if norm else 1.0


def test_scores_do_not_depend_on_how_the_vocabulary_is_cut(monkeypatch):
    words = _words()
    whole = Cohesion(words)
    monkeypatch.setattr(cohesion, "COLUMNS", 7)  # many cuts, the last one short
    cut = Cohesion(words)
    times = np.linspace(words[0].time - 10, words[-1].time + 10, 400)
    assert np.allclose([cut.score(t) for t in times], [whole.score(t) for t in times], atol=1e-9)
    assert np.std([whole.score(t) for t in times]) > 0.5  # scores that vary, not all zero


def test_novelty_is_the_cosine_of_the_counts_either_side():
    words = _words()
    found = Cohesion(words)
    for t in (words[0].time + 300.0, words[0].time + 600.0, words[-1].time - 200.0):
        expected = (_cosine_novelty(words, t) - found.mean) / found.std
        assert abs(found.score(t) - expected) < 1e-9


def test_a_talk_of_one_bin_is_all_new():
    """No words, or all in one bin: one side of every boundary is empty (novelty 1),
    and there is no grid to normalise by."""
    assert Cohesion([]).score(5.0) == 1.0
    one = Cohesion([Word("Hello", "hello", 3.0, 0, 0.0), Word("world", "world", 4.0, 0, 0.0)])
    assert one.score(0.0) == one.score(100.0) == 1.0
