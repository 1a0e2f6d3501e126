"""Sentence embeddings of the transcript, for how new each stretch of text is.

WordLlama's 256-d static embeddings (its weights ship inside the PyPI wheel and
are loaded with downloads disabled). The talk is cut into BIN-second bins of
words; the novelty at a time is one minus the cosine of the mean embedding of
the WINDOW before it and the WINDOW after it, z-normalised over the talk.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numpy as np

from .words import Word

BIN = 10.0  # seconds
WINDOW = 6  # bins each side


# wordllama 0.4.0.post1 (MIT), pinned in pyproject.toml: the weights inside its wheel
WEIGHTS = "weights/l2_supercat_256.safetensors"
WEIGHTS_SHA256 = "64b47a2dc493cb8e85944076601189739852d7b64e0e1eedcb1937a251cd9fd5"


@functools.lru_cache(maxsize=1)
def _model():  # noqa: ANN202 - wordllama's own type
    """The model from the installed wheel, its weights checked; never downloaded."""
    import wordllama
    from wordllama import WordLlama

    home = Path(wordllama.__file__).parent
    digest = hashlib.sha256((home / WEIGHTS).read_bytes()).hexdigest()
    if digest != WEIGHTS_SHA256:
        raise RuntimeError(f"{home / WEIGHTS}: unexpected sha256 {digest}")
    return WordLlama.load(cache_dir=home, disable_download=True)


def novelty(words: list[Word], times: np.ndarray) -> np.ndarray:
    """Embedding novelty at each of `times`, in standard deviations."""
    if not words or not len(times):
        return np.zeros(len(times))
    origin = words[0].time
    nbins = int((words[-1].time - origin) // BIN) + 1
    texts: list[list[str]] = [[] for _ in range(nbins)]
    for w in words:
        texts[int((w.time - origin) // BIN)].append(w.norm)
    # small batches: wordllama pads each batch to its tokenizer's full length, so its
    # default of 64 bins holds ~33 MB of token vectors at once
    vecs = np.asarray(_model().embed([" ".join(t) or "." for t in texts], batch_size=8), float)
    vecs[[not t for t in texts]] = 0.0
    cum = np.vstack([np.zeros((1, vecs.shape[1])), np.cumsum(vecs, axis=0)])

    def at(b: np.ndarray) -> np.ndarray:
        lo, hi = np.maximum(b - WINDOW, 0), np.minimum(b + WINDOW, nbins)
        left, right = cum[b] - cum[lo], cum[hi] - cum[b]
        norm = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
        dot = (left * right).sum(axis=1)
        return np.where(norm > 0, 1.0 - dot / np.maximum(norm, 1e-12), 1.0)

    grid = at(np.arange(1, max(nbins, 2)))
    mean, std = float(grid.mean()), float(grid.std()) or 1.0
    b = np.clip(np.rint((times - origin) / BIN).astype(int), 1, max(nbins - 1, 1))
    return (at(b) - mean) / std
