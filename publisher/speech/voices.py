"""Who speaks when (diarization): windows over the VAD speech, a voice embedding for
each (encoder.py), clustering into voices, short flips smoothed away.

The number of voices is taken from the seed when known (its people, +1 for an
audience when the talk has questions): that many clusters at most, fewer where two
clusters are plainly one voice. Unknown, it is estimated from how far apart the
voices are. Cached by the audio's content hash, like the VAD regions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..fsutil import atomic_path
from .encoder import BATCH, FRAMES, PARTIAL, encoder, mel_frames
from .pcm import RATE, content_hash, read_pcm
from .vad import Span

VERSION = 1  # of the recipe below, in cache names
STEP = 0.4  # seconds between windows (0.75 and 0.5 label the pyannote call worse)
WINDOW = PARTIAL / RATE  # 1.6 s, the encoder's partial
LOUDNESS = 10 ** (-30 / 20)  # every window scaled to -30 dBFS RMS (as resemblyzer's)
GRID = 0.1  # seconds: speech is labelled at this step
MIN_TURN = 1.0  # seconds: a shorter run of one voice between others is a flip, smoothed
# Two clusters whose members' mean cosine is this or more are one voice (measured: the
# built panel's 4 voices are 0.61 and below apart, its voices' parts 0.71 and above;
# pyannote's sample call: its 2 voices 0.69, their parts 0.73).
SAME_VOICE = 0.70
MAX_VOICES = 8  # unknown count: at most
MIN_WINDOWS = 3  # a cluster of fewer windows is strays, not a voice
MICRO = 24  # clusters found first, then merged by average linkage
FULL_MARGIN = 0.12  # a window's best centre this much nearer than the next: confidence 1


@dataclass(frozen=True)
class Turn:
    """A stretch where one voice speaks: its cluster (0, 1, ... in order of first
    speaking) and how sure the clustering is of it (0..1)."""

    start: float
    end: float
    cluster: int
    confidence: float


def windows(regions: list[Span], duration: float) -> list[Span]:
    """Windows of WINDOW seconds every STEP over each speech region; a region shorter
    than a window is one window (its audio repeated to fill it)."""
    out = []
    for r in regions:
        lo, hi = max(0.0, r.start), min(duration, r.end)
        if hi - lo <= WINDOW:
            out += [Span(lo, hi)] if hi > lo else []
            continue
        n = int(np.ceil((hi - lo - WINDOW) / STEP)) + 1
        starts = np.linspace(lo, hi - WINDOW, n)
        out += [Span(float(s), float(s) + WINDOW) for s in starts]
    return out


def embeddings(samples: np.ndarray, spans: list[Span]) -> np.ndarray:
    """Each window's voice embedding (n x 256, unit length)."""
    enc, batch, out = encoder(), [], []
    for i, s in enumerate(spans):
        x = np.asarray(samples[int(s.start * RATE) : int(s.end * RATE)], np.float32)
        x = np.resize(x, PARTIAL) if len(x) else np.zeros(PARTIAL, np.float32)
        rms = float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))
        x = x * (LOUDNESS / rms) if rms > 1e-6 else x
        batch.append(mel_frames(x[:PARTIAL])[:FRAMES])
        if len(batch) == BATCH or i == len(spans) - 1:
            out.append(enc.embed_mels(np.stack(batch)))
            batch = []
    return np.concatenate(out) if out else np.zeros((0, 256), np.float32)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def _kmeans(emb: np.ndarray, centres: np.ndarray, rounds: int = 20) -> np.ndarray:
    """Spherical k-means from `centres`: the refined centres."""
    for _ in range(rounds):
        label = np.argmax(emb @ centres.T, axis=1)
        new = np.stack([emb[label == k].sum(0) if np.any(label == k) else centres[k]
                        for k in range(len(centres))])  # fmt: skip
        new = _unit(new)
        if np.allclose(new, centres):
            break
        centres = new
    return centres


def _seeds(emb: np.ndarray, k: int) -> np.ndarray:
    """k-means++ seeds, deterministic: the first is the window nearest the mean, each
    next the window farthest from those chosen."""
    chosen = [int(np.argmax(emb @ _unit(emb.mean(0))))]
    near = emb @ emb[chosen[0]]
    while len(chosen) < k:
        chosen.append(int(np.argmin(near)))
        near = np.maximum(near, emb @ emb[chosen[-1]])
    return emb[chosen]


def cluster(emb: np.ndarray, n_voices: int | None) -> np.ndarray:
    """Voice centres (k x 256): many small clusters first, merged by Ward's criterion
    (the least growth in spread: small clusters go first, two big ones last). Of the
    merge levels where no two clusters are one voice (their members' mean cosine is
    below SAME_VOICE), the one with the most clusters of MIN_WINDOWS or more, at most
    `n_voices` (the seed's count is a most: not everyone listed speaks), is taken (the
    latest such); smaller clusters are strays, not voices. Then refined by k-means."""
    micro = _kmeans(emb, _seeds(emb, min(MICRO, len(emb))))
    label = np.argmax(emb @ micro.T, axis=1)
    groups = [emb[label == k] for k in range(len(micro)) if np.any(label == k)]
    sums = np.stack([g.sum(0) for g in groups])
    sizes = np.array([len(g) for g in groups], float)
    limit = n_voices or MAX_VOICES
    best, best_count = sums[sizes.argmax()][None], 1
    while True:
        link = (sums @ sums.T) / np.outer(sizes, sizes)  # mean cosine between members
        np.fill_diagonal(link, -np.inf)
        means = sums / sizes[:, None]
        gap = ((means[:, None, :] - means[None, :, :]) ** 2).sum(-1)
        ward = gap * np.outer(sizes, sizes) / (sizes[:, None] + sizes[None, :])
        np.fill_diagonal(ward, np.inf)
        a, b = np.unravel_index(int(np.argmin(ward)), ward.shape)
        big = sizes >= MIN_WINDOWS
        if (len(sums) == 1 or link.max() < SAME_VOICE) and best_count <= int(big.sum()) <= limit:
            best, best_count = sums[big], int(big.sum())
        if len(sums) == 1:
            return _kmeans(emb, _unit(best))
        sums[a] += sums[b]
        sizes[a] += sizes[b]
        sums, sizes = np.delete(sums, b, 0), np.delete(sizes, b)


def label_grid(
    spans: list[Span], emb: np.ndarray, centres: np.ndarray, duration: float
) -> tuple[np.ndarray, np.ndarray]:
    """(cluster per GRID step, -1 where no window covers it; confidence per step):
    each step takes the mean similarity to each centre of the windows over it, each
    window weighted most at its middle."""
    n = int(np.ceil(duration / GRID)) + 1
    score = np.zeros((n, len(centres)))
    count = np.zeros(n)
    sims = emb @ centres.T
    for s, sim in zip(spans, sims, strict=True):
        a, b = int(round(s.start / GRID)), int(round(s.end / GRID))
        if b <= a:
            continue
        # a window speaks most for its middle: weights fall linearly to its edges
        weight = 1.0 - np.abs(np.linspace(-1, 1, b - a + 2)[1:-1]) + 0.1
        score[a:b] += weight[:, None] * sim
        count[a:b] += weight
    covered = count > 0
    score[covered] /= count[covered, None]
    label = np.where(covered, np.argmax(score, axis=1), -1)
    top = np.sort(score, axis=1)
    margin = top[:, -1] - (top[:, -2] if len(centres) > 1 else top[:, -1] - FULL_MARGIN)
    return label, np.clip(margin / FULL_MARGIN, 0.0, 1.0)


def smooth(label: np.ndarray, steps: int = int(MIN_TURN / GRID)) -> np.ndarray:
    """Runs of one voice shorter than `steps` between other voices (not counting
    silence) take the voice of their longer neighbour."""
    label = label.copy()
    while True:
        spoken = np.flatnonzero(label >= 0)
        if not len(spoken):
            return label
        seq = label[spoken]
        cuts = np.flatnonzero(np.diff(seq)) + 1
        starts, ends = np.r_[0, cuts], np.r_[cuts, len(seq)]
        if len(starts) < 2:
            return label
        lengths = ends - starts
        i = int(np.argmin(lengths))
        if lengths[i] >= steps:
            return label
        left = lengths[i - 1] if i > 0 else -1
        right = lengths[i + 1] if i + 1 < len(starts) else -1
        take = seq[starts[i] - 1] if left >= right else seq[ends[i]]
        label[spoken[starts[i] : ends[i]]] = take


def turns_of(label: np.ndarray, confidence: np.ndarray) -> list[Turn]:
    """Runs of one voice across the grid (joined over silence), clusters renumbered
    in order of first speaking."""
    order: dict[int, int] = {}
    out: list[Turn] = []
    runs: list[list[int]] = []  # [cluster, first step, last step]
    for i in np.flatnonzero(label >= 0):
        c = int(label[i])
        if runs and runs[-1][0] == c:
            runs[-1][2] = int(i)
        else:
            runs.append([c, int(i), int(i)])
    for c, a, b in runs:
        steps = np.arange(a, b + 1)
        steps = steps[label[steps] >= 0]
        k = order.setdefault(c, len(order))
        conf = round(float(confidence[steps].mean()), 3)
        out.append(Turn(round(a * GRID, 2), round((b + 1) * GRID, 2), k, conf))
    return out


def diarize(samples: np.ndarray, regions: list[Span], n_voices: int | None) -> list[Turn]:
    """Who speaks when in 16 kHz mono `samples`, over its speech `regions`."""
    duration = len(samples) / RATE
    spans = windows(regions, duration)
    if not spans:
        return []
    emb = embeddings(samples, spans)
    centres = cluster(emb, n_voices)
    label, confidence = label_grid(spans, emb, centres, duration)
    return turns_of(smooth(label), confidence)


def cached_turns(
    source: Path, cache_dir: Path, regions: list[Span], n_voices: int | None
) -> list[Turn]:
    """diarize(), once per audio content and voice count."""
    count = n_voices or "n"
    name = f"{content_hash(source)[:32]}-voices-{count}-v{VERSION}.json"
    path = Path(cache_dir) / "speech" / name
    if path.exists():
        return [Turn(*t) for t in json.loads(path.read_text())]
    found = diarize(read_pcm(source), regions, n_voices)
    with atomic_path(path) as tmp:
        Path(tmp).write_text(json.dumps([[t.start, t.end, t.cluster, t.confidence] for t in found]))
    return found
