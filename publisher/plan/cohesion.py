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
COLUMNS = 128  # words of the vocabulary counted at a time (a 3-hour talk: ~2,200 bins each)


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
        self.novelty = _novelty(np.array(rows, int), np.array(cols, int), len(vocab), self.nbins)
        grid = self.novelty[1 : self.nbins]
        self.mean = float(grid.mean()) if grid.size else 0.0
        self.std = float(grid.std()) if grid.size > 1 and grid.std() > 0 else 1.0

    def score(self, t: float) -> float:
        """Novelty at time t in standard deviations above the talk's mean."""
        b = min(max(int(round((t - self.origin) / BIN)), 1), max(self.nbins - 1, 1))
        return (float(self.novelty[b]) - self.mean) / self.std


def _novelty(rows: np.ndarray, cols: np.ndarray, size: int, nbins: int) -> np.ndarray:
    """1 - cosine of the IDF-weighted word counts of the WINDOW before and after each
    bin boundary b = 0..nbins (1 where either side is empty). The counts are summed a
    few COLUMNS of the vocabulary at a time: the whole bins x vocabulary matrix of a
    3-hour talk would hold ~50 MB."""
    k = int(WINDOW // BIN)
    at = np.arange(nbins + 1)
    lo, hi = np.maximum(at - k, 0), np.minimum(at + k, nbins)
    dot, left2, right2 = np.zeros(nbins + 1), np.zeros(nbins + 1), np.zeros(nbins + 1)
    for first in range(0, max(size, 1), COLUMNS):
        part = (cols >= first) & (cols < first + COLUMNS)
        counts = np.zeros((nbins + 1, COLUMNS))
        np.add.at(counts, (rows[part], cols[part] - first), 1.0)
        df = (counts > 0).sum(axis=0)
        counts *= np.log((nbins + 1) / (1.0 + df))
        cum = np.vstack([np.zeros((1, COLUMNS)), np.cumsum(counts, axis=0)])
        left, right = cum[at] - cum[lo], cum[hi] - cum[at]
        dot += np.einsum("ij,ij->i", left, right)
        left2 += np.einsum("ij,ij->i", left, left)
        right2 += np.einsum("ij,ij->i", right, right)
    norm = np.sqrt(left2) * np.sqrt(right2)
    return np.where(norm > 0, 1.0 - dot / np.where(norm > 0, norm, 1.0), 1.0)
