"""Lexical cohesion, TextTiling-style: how much the words change at a moment.

The talk is cut into short bins of content-word counts (IDF-weighted); at a
boundary time we compare the window before with the window after. A new
question usually brings new words, an answer keeps the old ones. Scores are
z-normalised over the whole talk so they mean the same in every talk.
"""

from __future__ import annotations

import numpy as np

from .words import Word, content

BIN = 5.0  # seconds
WINDOW = 60.0  # seconds each side


class Cohesion:
    def __init__(self, words: list[Word]):
        # bins start at the first word, so shifting every caption changes nothing
        self.origin = min((w.time for w in words), default=0.0)
        end = max((w.time for w in words), default=0.0) - self.origin
        self.nbins = int(end // BIN) + 1
        vocab: dict[str, int] = {}
        rows, cols = [], []
        for w in words:
            for s in content([w.norm]):
                rows.append(int((w.time - self.origin) // BIN))
                cols.append(vocab.setdefault(s, len(vocab)))
        counts = np.zeros((self.nbins + 1, max(len(vocab), 1)))
        np.add.at(counts, (rows, cols), 1.0)
        df = (counts > 0).sum(axis=0)
        counts *= np.log((self.nbins + 1) / (1.0 + df))
        self.cum = np.vstack([np.zeros((1, counts.shape[1])), np.cumsum(counts, axis=0)])
        grid = np.array([self._novelty(b) for b in range(1, self.nbins)])
        self.mean = float(grid.mean()) if grid.size else 0.0
        self.std = float(grid.std()) if grid.size > 1 and grid.std() > 0 else 1.0

    def _novelty(self, b: int) -> float:
        k = int(WINDOW // BIN)
        lo, hi = max(b - k, 0), min(b + k, self.nbins)
        left = self.cum[b] - self.cum[lo]
        right = self.cum[hi] - self.cum[b]
        norm = float(np.linalg.norm(left) * np.linalg.norm(right))
        return 1.0 - float(left @ right) / norm if norm else 1.0

    def score(self, t: float) -> float:
        """Novelty at time t in standard deviations above the talk's mean."""
        b = min(max(int(round((t - self.origin) / BIN)), 1), max(self.nbins - 1, 1))
        return (self._novelty(b) - self.mean) / self.std
