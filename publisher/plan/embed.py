"""Sentence embeddings of the transcript, for how new each stretch of text is.

WordLlama's 256-d static embeddings: the mean of a text's token rows. Its weights
and tokenizer ship inside the PyPI wheel and are read from there, never
downloaded; the table stays float16 as on disk (memory-mapped, 16 MB), and only the
rows a text looks up are widened to float32, where wordllama itself would hold a
float32 copy of all of it (31 MB). The sums are wordllama's, bit for bit. The talk
is cut into BIN-second bins of words; the novelty at a time is one minus the cosine
of the mean embedding of the WINDOW before it and the WINDOW after it,
z-normalised over the talk.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .words import Word

BIN = 10.0  # seconds
WINDOW = 6  # bins each side


# wordllama 0.4.0.post1 (MIT), pinned in pyproject.toml: the weights inside its wheel
WEIGHTS = "weights/l2_supercat_256.safetensors"
WEIGHTS_SHA256 = "64b47a2dc493cb8e85944076601189739852d7b64e0e1eedcb1937a251cd9fd5"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
TENSOR = "embedding.weight"


@dataclass(frozen=True)
class Table:
    """WordLlama's token embeddings (float16, one row per token id) and its tokenizer."""

    rows: np.ndarray
    tokenizer: Any  # tokenizers.Tokenizer

    def embed(self, texts: list[str]) -> np.ndarray:
        """The mean token row of each text (float32; zeros for a text without tokens)."""
        out = np.zeros((len(texts), self.rows.shape[1]), np.float32)
        last = self.rows.shape[0] - 1
        for i, enc in enumerate(self.tokenizer.encode_batch(texts, add_special_tokens=False)):
            ids = np.minimum(np.asarray(enc.ids, np.int64), last)
            if len(ids):
                summed = self.rows[ids].astype(np.float32).sum(axis=0, dtype=np.float32)
                out[i] = summed / np.float32(len(ids))
        return out


@functools.lru_cache(maxsize=1)
def _model() -> Table:
    """The table from the installed wheel, its weights checked (the package itself is
    not imported: its inference class would widen the whole table to float32)."""
    from tokenizers import Tokenizer

    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("wordllama is not installed")
    home = Path(next(iter(spec.submodule_search_locations)))
    with open(home / WEIGHTS, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    if digest != WEIGHTS_SHA256:
        raise RuntimeError(f"{home / WEIGHTS}: unexpected sha256 {digest}")
    tokenizer = Tokenizer.from_file(str(home / TOKENIZER))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return Table(_tensor(home / WEIGHTS, TENSOR), tokenizer)


def _tensor(path: Path, name: str) -> np.ndarray:
    """A float16 tensor of a safetensors file, memory-mapped (read-only)."""
    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        entry = json.loads(f.read(size))[name]
    if entry["dtype"] != "F16":
        raise RuntimeError(f"{path}: {name} is {entry['dtype']}, not F16")
    start, _ = entry["data_offsets"]
    shape = tuple(entry["shape"])
    return np.memmap(path, "<f2", mode="r", offset=8 + size + start, shape=shape)


def novelty(words: list[Word], times: np.ndarray) -> np.ndarray:
    """Embedding novelty at each of `times`, in standard deviations."""
    if not words or not len(times):
        return np.zeros(len(times))
    origin = words[0].time
    nbins = int((words[-1].time - origin) // BIN) + 1
    texts: list[list[str]] = [[] for _ in range(nbins)]
    for w in words:
        texts[int((w.time - origin) // BIN)].append(w.norm)
    vecs = np.asarray(_model().embed([" ".join(t) or "." for t in texts]), float)
    vecs[[not t for t in texts]] = 0.0
    cum = np.vstack([np.zeros((1, vecs.shape[1])), np.cumsum(vecs, axis=0)])

    def at(b: np.ndarray) -> np.ndarray:
        lo, hi = np.maximum(b - WINDOW, 0), np.minimum(b + WINDOW, nbins)
        left, right = cum[b] - cum[lo], cum[hi] - cum[b]
        norm = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
        dot = (left * right).sum(axis=1)
        return np.where(norm > 0, 1.0 - dot / np.maximum(norm, 1e-12), 1.0)

    grid = at(np.arange(1, max(nbins, 2)))  # at each inner bin boundary: grid[b - 1]
    mean, std = float(grid.mean()), float(grid.std()) or 1.0
    b = np.clip(np.rint((times - origin) / BIN).astype(int), 1, max(nbins - 1, 1))
    return (grid[b - 1] - mean) / std
