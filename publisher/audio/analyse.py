"""Loudness (ITU-R BS.1770 integrated, as EBU R128 / ffmpeg ebur128 measure it) and a
10 ms energy envelope, computed in one streaming pass over 16-bit PCM chunks.

The envelope answers "where are the pauses": silences() for the planner and
quietest() for snapping cuts.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..fsutil import atomic_path
from .limiter import frame_power, peak_steps

FRAME_S = 0.01  # envelope resolution
BLOCK_S = 0.1  # loudness sub-block; gating blocks are 4 of these (400 ms, 75% overlap)
# dB the gain may go over what would reach the loudness target unlimited: a talk
# whose peaks need more is left quieter, as more would mostly raise its noise
MOST_LIMITED = 16.0
VERSION = 2  # of what an Analysis holds: 2, peak steps per sub-frame (a decode-cache key part)


def _biquads(rate: int) -> list[tuple[list[float], list[float]]]:
    """BS.1770 pre-filter (high shelf) and RLB high-pass for any rate, as (b, a) pairs."""
    k = math.tan(math.pi * 1681.974450955533 / rate)
    vh = 10 ** (3.999843853973347 / 20)
    vb = vh**0.4996667741545416
    q = 0.7071752369554196
    a0 = 1 + k / q + k * k
    shelf_b = [
        (vh + vb * k / q + k * k) / a0,
        2 * (k * k - vh) / a0,
        (vh - vb * k / q + k * k) / a0,
    ]
    shelf_a = [1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    k = math.tan(math.pi * 38.13547087602444 / rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    return [
        (shelf_b, shelf_a),
        ([1.0, -2.0, 1.0], [1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]),
    ]


def k_weighting_gain(rate: int, size: int) -> np.ndarray:
    """|H(f)|^2 of the K-weighting filter at the bins of an rfft of `size` samples."""
    z = np.exp(-1j * 2 * np.pi * np.fft.rfftfreq(size, 1 / rate) / rate)
    gain = np.ones(len(z))
    for b, a in _biquads(rate):
        gain *= np.abs(np.polyval(b[::-1], z) / np.polyval(a[::-1], z)) ** 2
    return gain


@dataclass
class Analysis:
    """What one pass over a talk's audio tells us."""

    rate: int
    channels: int
    samples: int  # per channel
    loudness: float  # LUFS integrated; -inf for silence
    blocks: np.ndarray  # K-weighted power per 100 ms sub-block, summed over channels
    envelope: np.ndarray  # mean square of the channel mix per 10 ms frame
    peaks: np.ndarray  # sample peak per ~1 ms sub-frame over channels, as limiter.peak_steps

    @property
    def duration(self) -> float:
        return self.samples / self.rate

    @property
    def frame(self) -> int:
        """Samples per envelope frame."""
        return frame_samples(self.rate)

    @property
    def sub(self) -> int:
        """Samples per sub-frame of `peaks`."""
        return sub_frame_samples(self.rate)

    @functools.cached_property
    def frame_peaks(self) -> np.ndarray:
        """The sample peak of each 10 ms frame, as limiter.peak_steps."""
        per = self.frame // self.sub
        padded = np.concatenate((self.peaks, np.full(-len(self.peaks) % per, 255, np.uint8)))
        return padded.reshape(-1, per).min(axis=1)

    def save(self, path: Path) -> None:
        with atomic_path(path) as tmp, open(tmp, "wb") as out:
            np.savez(
                out,
                meta=np.array([self.rate, self.channels, self.samples]),
                loudness=np.array(self.loudness),
                blocks=self.blocks,
                envelope=self.envelope,
                peaks=self.peaks,
            )

    @classmethod
    def load(cls, path: Path) -> Analysis:
        with np.load(path) as data:
            rate, channels, samples = (int(v) for v in data["meta"])
            return cls(rate, channels, samples, float(data["loudness"]), data["blocks"],
                       data["envelope"], data["peaks"])  # fmt: skip


def frame_samples(rate: int) -> int:
    return round(rate * FRAME_S)


def sub_frame_samples(rate: int) -> int:
    """Samples per peak sub-frame: the whole part of a frame nearest a tenth (~1 ms)."""
    frame = frame_samples(rate)
    parts = min((n for n in range(1, frame + 1) if frame % n == 0), key=lambda n: abs(n - 10))
    return frame // parts


CHUNK_BLOCKS = 50  # blocks (5 s of audio) fed per read while decoding


class Analyser:
    """Feed int16 PCM chunks of shape (n, channels); every chunk but the last must
    hold a whole number of 100 ms sub-blocks.

    K-weighting is applied per 100 ms sub-block in the frequency domain
    (Parseval: the block's K-weighted power is the sum of |X|^2 |H|^2), which
    needs only numpy; scipy.signal alone would add ~75 MB of resident memory.
    """

    def __init__(self, rate: int, channels: int) -> None:
        self.rate, self.channels = rate, channels
        self.block = round(rate * BLOCK_S)
        self.frame, self.sub = frame_samples(rate), sub_frame_samples(rate)
        # |H|^2 per rfft bin, twice over interior bins (Parseval for rfft), repeated for
        # the (re, im) pairs of a complex spectrum seen as floats, scaled for int16
        gain = k_weighting_gain(self.rate, self.block)
        gain[1 : (self.block + 1) // 2] *= 2
        gain /= (32768.0 * self.block) ** 2
        self._weights = np.repeat(gain, 2)
        self._blocks: list[np.ndarray] = []
        self._envelope: list[np.ndarray] = []
        self._peaks: list[np.ndarray] = []
        self._samples = 0

    def feed(self, pcm: np.ndarray) -> None:
        n = len(pcm)
        if not n:
            return
        self._samples += n
        x = pcm.T.astype(np.float32, order="C")  # (channels, n), in int16 units: scaled at the end
        self._blocks.append(self._block_powers(x[:, : n // self.block * self.block]))
        mix = x.mean(axis=0) if self.channels > 1 else x[0]
        self._envelope.append(self._per_frame(np.square(mix), np.mean) * 2.0**-30)
        del mix  # (stereo) freed before the peaks need as much
        top = np.abs(x, out=x).max(axis=0) if self.channels > 1 else np.abs(x[0], out=x[0])
        self._peaks.append(peak_steps(self._per_frame(top, np.max, self.sub)))

    def _block_powers(self, x: np.ndarray) -> np.ndarray:
        """K-weighted power of each whole block of x (channels, n), summed over channels."""
        blocks = x.reshape(self.channels, -1, self.block).astype(np.float64)  # numpy's float64
        squares = np.fft.rfft(blocks, axis=-1).view(np.float64)  # FFT is 2x its float32 one
        np.square(squares, out=squares)  # re^2, im^2, re^2, im^2, ...
        return (squares @ self._weights).sum(axis=0)

    def _per_frame(self, values: np.ndarray, reduce, frame: int = 0) -> np.ndarray:
        """`reduce` over each 10 ms frame (or `frame` samples); a last partial frame is
        padded with zeros."""
        frame = frame or self.frame
        whole = len(values) // frame * frame
        out = reduce(values[:whole].reshape(-1, frame), axis=1)
        if whole < len(values):
            tail = np.zeros(frame, np.float32)
            tail[: len(values) - whole] = values[whole:]
            out = np.append(out, reduce(tail))
        return out.astype(np.float32, copy=False)

    @property
    def samples(self) -> int:
        """Samples (per channel) fed so far."""
        return self._samples

    def extend(self, later: Analyser) -> None:
        """Take on what `later` was fed, as if it had been fed here next; what was fed
        here so far must be whole blocks."""
        if self._samples % self.block:
            raise ValueError("extend() after a partial block")
        self._blocks += later._blocks
        self._envelope += later._envelope
        self._peaks += later._peaks
        self._samples += later._samples

    def result(self) -> Analysis:
        blocks = np.concatenate(self._blocks) if self._blocks else np.zeros(0)
        envelope = np.concatenate(self._envelope) if self._envelope else np.zeros(0, np.float32)
        peaks = np.concatenate(self._peaks) if self._peaks else np.zeros(0, np.uint8)
        loudness = integrated(blocks)
        return Analysis(self.rate, self.channels, self._samples, loudness, blocks, envelope, peaks)


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


def limited_loudness(a: Analysis, gain_db: float, ceiling: float, rough: bool = False) -> float:
    """Integrated loudness after `gain_db` and the limiter at `ceiling` (linear full
    scale), from the gains the render applies (limiter.frame_power; `rough`, from
    10 ms frames): each 100 ms block's K-weighted power is shared out over its 10 ms
    frames by their energy, and each frame's share scaled by its mean squared gain."""
    kept = frame_power(a, gain_db, ceiling, rough)
    per_block = round(BLOCK_S / FRAME_S)
    n = len(a.blocks) * per_block
    energy, kept = a.envelope[:n].reshape(-1, per_block), kept[:n].reshape(-1, per_block)
    total = energy.sum(axis=1)
    shared = np.divide(np.einsum("ij,ij->i", energy, kept), total, where=total > 0,
                       out=kept.mean(axis=1))  # fmt: skip
    return integrated(a.blocks * shared) + gain_db


def normalising_gain(a: Analysis, target: float, ceiling: float) -> float:
    """The gain (dB) that brings the talk to `target` LUFS through the limiter, at most
    MOST_LIMITED dB over the gain that would without a limiter: found by secant steps
    on the rough model (a hard-limited talk gains only ~0.2 LU per dB), then on the
    exact one from there, with the rough model's slope."""
    g0 = target - a.loudness
    if not math.isfinite(g0):
        return 0.0
    top = g0 + MOST_LIMITED

    def solve(rough: bool, g: float, slope: float) -> tuple[float, float]:
        def error(gain: float) -> float:
            return limited_loudness(a, gain, ceiling, rough) - target

        e0 = error(g)
        g1 = min(top, g - e0 / slope)
        if g1 == g:  # at the most gain already
            return g, slope
        for _ in range(12):
            e1 = error(g1)
            if abs(e1) < 0.02 or e1 == e0 or (g1 == top and e1 < 0):
                break
            slope = (e1 - e0) / (g1 - g)
            g, e0, g1 = g1, e1, min(top, g1 - max(-12.0, min(12.0, e1 / slope)))
        return g1, slope

    return solve(False, *solve(True, g0, 1.0))[0]


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
            out.append((round(float(start), 3), round(float(end), 3)))
    return out


def quietest(analysis: Analysis, t: float, reach: float, lo: float, hi: float) -> float:
    """The quietest moment within `reach` seconds of t (and inside [lo, hi]).

    Levels are smoothed over 150 ms so a cut lands inside a pause, not in a
    stop consonant; among equally quiet points the nearest to t wins.
    """
    return quietest_scored(analysis, t, reach, lo, hi)[0]


def quietest_scored(
    analysis: Analysis, t: float, reach: float, lo: float, hi: float
) -> tuple[float, float]:
    """quietest()'s moment and its score (smoothed dB, plus 2 dB per second away from
    t): lower is better, comparable between calls for the same t."""
    a = max(0, math.ceil(max(t - reach, lo) / FRAME_S))
    b = min(len(analysis.envelope), math.floor(min(t + reach, hi) / FRAME_S) + 1)
    if b <= a:
        return min(max(t, lo), hi), math.inf
    pad = 8
    lo_i, hi_i = max(0, a - pad), min(len(analysis.envelope), b + pad)
    db = _smooth_db(analysis.envelope[lo_i:hi_i], 0.15)[a - lo_i : b - lo_i]
    times = (np.arange(a, b) + 0.5) * FRAME_S
    score = db + 2.0 * np.abs(times - t)  # 2 dB per second away
    best = int(np.argmin(score))
    return float(min(max(times[best], lo), hi)), float(score[best])
