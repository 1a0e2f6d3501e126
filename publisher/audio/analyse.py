"""Loudness (ITU-R BS.1770 integrated, as EBU R128 / ffmpeg ebur128 measure it) and a
10 ms energy envelope, computed in one streaming pass over 16-bit PCM chunks.

The envelope answers "where are the pauses": silences() for the planner and
quietest() for snapping cuts.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.signal import sosfilt

from ..fsutil import atomic_path

FRAME_S = 0.01  # envelope resolution
BLOCK_S = 0.1  # loudness sub-block; gating blocks are 4 of these (400 ms, 75% overlap)


def k_weighting(rate: int) -> np.ndarray:
    """BS.1770 pre-filter (high shelf) and RLB high-pass for any rate, as second-order sections."""
    k = math.tan(math.pi * 1681.974450955533 / rate)
    vh = 10 ** (3.999843853973347 / 20)
    vb = vh**0.4996667741545416
    q = 0.7071752369554196
    a0 = 1 + k / q + k * k
    shelf = [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
    shelf += [1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    k = math.tan(math.pi * 38.13547087602444 / rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    high_pass = [1.0, -2.0, 1.0, 1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    return np.array([shelf, high_pass])


@dataclass
class Analysis:
    """What one pass over a talk's audio tells us."""

    rate: int
    channels: int
    samples: int  # per channel
    loudness: float  # LUFS integrated; -inf for silence
    peak: float  # sample peak, dBFS
    blocks: np.ndarray  # K-weighted power per 100 ms sub-block, summed over channels
    envelope: np.ndarray  # mean square of the channel mix per 10 ms frame

    @property
    def duration(self) -> float:
        return self.samples / self.rate

    def save(self, path: Path) -> None:
        buf = io.BytesIO()
        np.savez(
            buf,
            meta=np.array([self.rate, self.channels, self.samples]),
            levels=np.array([self.loudness, self.peak]),
            blocks=self.blocks,
            envelope=self.envelope,
        )
        with atomic_path(path) as tmp:
            tmp.write_bytes(buf.getvalue())

    @classmethod
    def load(cls, path: Path) -> Analysis:
        with np.load(path) as data:
            rate, channels, samples = (int(v) for v in data["meta"])
            loudness, peak = (float(v) for v in data["levels"])
            return cls(rate, channels, samples, loudness, peak, data["blocks"], data["envelope"])


class Analyser:
    """Feed int16 PCM chunks of shape (n, channels); every chunk but the last must
    hold a whole number of 100 ms sub-blocks. Filter state carries across chunks."""

    def __init__(self, rate: int, channels: int) -> None:
        self.rate, self.channels = rate, channels
        self.block = round(rate * BLOCK_S)
        self.frame = round(rate * FRAME_S)
        self._sos = k_weighting(rate)
        self._zi = np.zeros((2, 2, channels))
        self._blocks: list[np.ndarray] = []
        self._envelope: list[np.ndarray] = []
        self._samples = 0
        self._peak = 0

    def feed(self, pcm: np.ndarray) -> None:
        n = len(pcm)
        if not n:
            return
        self._samples += n
        self._peak = max(self._peak, int(np.abs(pcm.astype(np.int32)).max()))
        x = pcm.astype(np.float64) / 32768.0
        y, self._zi = sosfilt(self._sos, x, axis=0, zi=self._zi)
        whole = n // self.block * self.block
        power = np.square(y[:whole]).reshape(-1, self.block, self.channels).mean(axis=1)
        self._blocks.append(power.sum(axis=1))
        mix = x.mean(axis=1) if self.channels > 1 else x[:, 0]
        frames = -(-n // self.frame)
        padded = np.zeros(frames * self.frame)
        padded[:n] = np.square(mix)
        self._envelope.append(padded.reshape(frames, self.frame).mean(axis=1).astype(np.float32))

    def result(self) -> Analysis:
        blocks = np.concatenate(self._blocks) if self._blocks else np.zeros(0)
        envelope = np.concatenate(self._envelope) if self._envelope else np.zeros(0, np.float32)
        peak = 20 * math.log10(self._peak / 32768) if self._peak else -math.inf
        return Analysis(
            self.rate, self.channels, self._samples, integrated(blocks), peak, blocks, envelope
        )


def integrated(blocks: np.ndarray) -> float:
    """Gated integrated loudness (LUFS) from 100 ms sub-block powers."""
    if len(blocks) >= 4:
        power = (blocks[:-3] + blocks[1:-2] + blocks[2:-1] + blocks[3:]) / 4
    else:
        power = blocks[:1] if len(blocks) else blocks
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10 * np.log10(power)
    above = power[loud > -70]
    if not len(above):
        return -math.inf
    relative = -0.691 + 10 * math.log10(above.mean()) - 10
    gated = power[(loud > -70) & (loud > relative)]
    return -0.691 + 10 * math.log10(gated.mean())


def _smooth_db(envelope: np.ndarray, seconds: float) -> np.ndarray:
    """Moving-average power over `seconds`, in dB with a -100 dB floor."""
    width = max(1, round(seconds / FRAME_S))
    power = np.convolve(envelope.astype(np.float64), np.ones(width) / width, mode="same")
    return 10 * np.log10(np.maximum(power, 1e-10))


def silences(analysis: Analysis, min_len: float = 0.4) -> list[tuple[float, float]]:
    """Pauses of at least `min_len` seconds: 30 dB below the loud (95th percentile) frames."""
    if not len(analysis.envelope):
        return []
    db = _smooth_db(analysis.envelope, 0.05)
    quiet = db < np.percentile(db, 95) - 30
    edges = np.flatnonzero(np.diff(np.concatenate(([0], quiet.astype(np.int8), [0]))))
    out = []
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        start, end = a * FRAME_S, min(b * FRAME_S, analysis.duration)
        if end - start >= min_len:
            out.append((round(start, 3), round(end, 3)))
    return out


def quietest(analysis: Analysis, t: float, reach: float, lo: float, hi: float) -> float:
    """The quietest moment within `reach` seconds of t (and inside [lo, hi]).

    Levels are smoothed over 150 ms so a cut lands inside a pause, not in a
    stop consonant; among equally quiet points the nearest to t wins.
    """
    a = max(0, math.ceil(max(t - reach, lo) / FRAME_S))
    b = min(len(analysis.envelope), math.floor(min(t + reach, hi) / FRAME_S) + 1)
    if b <= a:
        return min(max(t, lo), hi)
    pad = 8
    lo_i, hi_i = max(0, a - pad), min(len(analysis.envelope), b + pad)
    db = _smooth_db(analysis.envelope[lo_i:hi_i], 0.15)[a - lo_i : b - lo_i]
    times = (np.arange(a, b) + 0.5) * FRAME_S
    score = db + 2.0 * np.abs(times - t)  # 2 dB per second away
    return float(min(max(times[int(np.argmin(score))], lo), hi))
