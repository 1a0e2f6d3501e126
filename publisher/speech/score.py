"""Word error rate, for tests and benchmarks/speech.py: how far a transcript is from
a reference text, after both are normalised the same way."""

from __future__ import annotations

import itertools
import re

_SPELLED = {"mr": "mister", "mrs": "missus", "dr": "doctor", "st": "saint"}


def normalise(text: str) -> list[str]:
    """Lower case words without punctuation; hyphens split words; "Mr." is "mister"."""
    words = re.sub(r"[^\w' ]+", " ", text.lower().replace("-", " ")).split()
    return [_SPELLED.get(w, w) for w in words]


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(substitutions + deletions + insertions, words in the reference)."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1], len(ref)


def wer(pairs: list[tuple[str, str]]) -> float:
    """Word error rate over (reference, hypothesis) pairs."""
    errors, total = map(sum, zip(*(word_errors(r, h) for r, h in pairs), strict=True))
    return errors / max(total, 1)


def speaker_time_right(
    truth: list[tuple[float, float, str]], found: list[tuple[float, float, int]], step: float = 0.01
) -> float:
    """The share of the truth's speech time (where one voice speaks alone) labelled
    with that voice, each found cluster mapped to at most one true voice so that the
    most time is right (an exact search over the mappings: a panel has few voices)."""
    import numpy as np

    end = max([e for _, e, _ in truth] + [e for _, e, _ in found] + [0.0])
    n = int(np.ceil(end / step)) + 1
    names = sorted({v for _, _, v in truth})
    who = np.full(n, -1)
    many = np.zeros(n, int)
    for a, b, v in truth:
        who[int(a / step) : int(b / step)] = names.index(v)
        many[int(a / step) : int(b / step)] += 1
    who[many > 1] = -1  # overlapped speech is not scored
    got = np.full(n, -1)
    for a, b, c in found:
        got[int(a / step) : int(b / step)] = c
    clusters = sorted({c for _, _, c in found})
    both = np.zeros((len(clusters), len(names)))
    for i, c in enumerate(clusters):
        for j in range(len(names)):
            both[i, j] = np.sum((got == c) & (who == j))
    best = 0.0
    for perm in itertools.permutations(range(max(len(names), len(clusters))), len(clusters)):
        best = max(best, sum(both[i, j] for i, j in enumerate(perm) if j < len(names)))
    return best / max(int(np.sum(who >= 0)), 1)


def changes(turns: list[tuple[float, float, object]]) -> list[float]:
    """The times the voice changes: each turn's start (start, end, voice) whose voice
    is not the one of the turn before it."""
    ordered = sorted(turns, key=lambda t: t[0])
    return [b[0] for a, b in itertools.pairwise(ordered) if a[2] != b[2]]


def changes_found(
    truth: list[tuple[float, float, str]], found: list[tuple[float, float, int]], tol: float = 1.0
) -> tuple[float, float]:
    """Recall and precision of the voice changes in `found` against those in `truth`,
    a change counting where the other has one within `tol` seconds."""
    real, got = changes(truth), changes(found)
    recall = sum(any(abs(g - r) <= tol for g in got) for r in real) / max(len(real), 1)
    precision = sum(any(abs(g - r) <= tol for r in real) for g in got) / max(len(got), 1)
    return recall, precision
