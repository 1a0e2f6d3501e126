"""Word error rate, for tests and benchmarks/speech.py: how far a transcript is from
a reference text, after both are normalised the same way."""

from __future__ import annotations

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
