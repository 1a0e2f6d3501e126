"""The levels every rendered piece is given, in numpy: a constant gain, a peak
limiter and short fades, streamed as float32 PCM to the encoder's stdin.

The limiter reads the analysis's sample peak per ~1 ms sub-frame (the decode's
exact samples), so it needs no look-ahead buffer: its gain is set at the start of
every sub-frame, at most the ceiling over the peak of both sub-frames it touches,
and moves linearly in between, so no sample passes the ceiling. After a peak the
gain recovers at RELEASE dB a second. The same gains give the loudness model
(analyse.limited_loudness) the loss the render will have, frame by frame.

ffmpeg's alimiter (attack 5 ms, release 50 ms), which this replaces, took ~1.8 s of
CPU in the encoders on a 42-minute talk; this takes a few tenths. At the same gain
it leaves as much energy over 11.5 kHz (distortion, on stand-in speech that has
none: -44.6 dB of the total against alimiter's -45.0) and is 0.6 dB louder.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import AudioError

if TYPE_CHECKING:
    from .analyse import Analysis

RELEASE = 1000.0  # dB a second the gain may rise by after a peak (alimiter's loudness)
BLOCK_FRAMES = 200  # 10 ms frames streamed per write (2 s: small buffers)
CHUNK = 1 << 16  # sub-frames per step of frame_power (holds its arrays to a few MB)
# what the levels are, for render-cache keys
LEVELS = f"sub-frame limiter, release {RELEASE:g} dB/s, linear fades"


PEAK_STEP = 0.5  # dB: a peak is kept as the steps it lies under full scale (uint8)
_LOG = np.log(32768.0) - np.arange(256) * (PEAK_STEP / 20 * np.log(10))  # log of each step's peak
_SQUARE = np.exp(2 * _LOG).astype(np.float32)


def peak_steps(peaks: np.ndarray) -> np.ndarray:
    """Sample peaks (int16 units) as the whole PEAK_STEPs they lie under full scale,
    rounded down (the peak read back is never under the true one), at most 255."""
    with np.errstate(divide="ignore"):
        under = -20 / PEAK_STEP * np.log10(np.maximum(peaks, 1e-9) / 32768)
    return np.clip(np.floor(under + 1e-6), 0, 255).astype(np.uint8)


def gains(
    a: Analysis, gain_db: float, ceiling: float, first: int = 0, last: int | None = None
) -> np.ndarray:
    """The linear gain (the constant gain and the limiter's) at the start of sub-frames
    first..last of `a` (`last` included; past the end there is no cut), for a limiter
    at `ceiling` (linear full scale). Worked out from as far back as a release
    can reach, so any stretch gets the values the whole talk would."""
    return _gains(a.peaks, a.sub / a.rate, gain_db, ceiling, first, last)


def _gains(
    peaks: np.ndarray, seconds: float, gain_db: float, ceiling: float, first: int, last: int | None
) -> np.ndarray:
    """gains() over `peaks`, each `seconds` long."""
    last = len(peaks) if last is None else last
    deepest = max(0.0, gain_db - 20 * math.log10(max(ceiling, 1e-9))) + 1  # dB the most cut
    lo = max(0, first - math.ceil(deepest / (RELEASE * seconds)))
    hi = last + 1  # the sub-frame after `last` bounds it too
    room = math.log(ceiling * 32768) - gain_db / 20 * math.log(10)  # log peak the ceiling allows
    cut = np.zeros(hi - lo)  # past the end: no cut
    top = _LOG[peaks[lo : min(len(peaks), hi)]]
    np.minimum(0.0, room - top, out=cut[: len(top)])
    edge = cut.copy()  # both sub-frames a start touches
    np.minimum(edge[1:], cut[:-1], out=edge[1:])
    rise = np.arange(len(edge)) * (math.log(10) * RELEASE * seconds / 20)
    edge -= rise
    held = np.minimum.accumulate(edge, out=edge) + rise  # rising at most RELEASE
    return np.exp(held[first - lo :].astype(np.float32)) * np.float32(10 ** (gain_db / 20))


def mean_square(g: np.ndarray) -> np.ndarray:
    """Each sub-frame's mean squared gain, the gain moving linearly from one start to the next."""
    a, b = g[:-1], g[1:]
    return (a * a + a * b + b * b) / 3


def frame_power(a: Analysis, gain_db: float, ceiling: float, rough: bool = False) -> np.ndarray:
    """The limiter's mean squared gain over each 10 ms frame of `a` after `gain_db`
    (the constant gain left out), its sub-frames weighted by their squared peaks (the
    loud ones, where it cuts, carry the power), a stretch of sub-frames at a time.
    `rough`: as if each frame were one sub-frame (a tenth of the work, cutting more)."""
    ceiling /= 10 ** (gain_db / 20)
    peaks, per = (a.frame_peaks, 1) if rough else (a.peaks, a.frame // a.sub)
    n, seconds, step = len(peaks), a.frame / per / a.rate, CHUNK // per * per

    def part(at: int) -> np.ndarray:
        stop = min(n + -n % per, at + step)  # a last partial frame: the rest silent
        kept = mean_square(_gains(peaks, seconds, 0.0, ceiling, at, stop))
        if per == 1:
            return kept
        weight = np.zeros(stop - at, np.float32)
        weight[: min(n, stop) - at] = _SQUARE[peaks[at:stop]]
        weight, kept = weight.reshape(-1, per), kept.reshape(-1, per)
        total = weight.sum(axis=1)
        weighted = np.einsum("ij,ij->i", kept, weight)
        return np.divide(weighted, total, out=kept.mean(axis=1), where=total > 0)

    with ThreadPoolExecutor(min(2, os.cpu_count() or 1)) as pool:  # numpy frees the GIL
        return np.concatenate([*pool.map(part, range(0, n, step)), np.zeros(0, np.float32)])


def levelled(
    raw: Path, a: Analysis, start: int, end: int, gain_db: float, ceiling: float, fade_ms: int
) -> Iterator[bytes]:
    """Samples start..end of the raw decode (s16le, `a`'s rate and channels) with the
    gain, the limiter and fades in and out (linear, fade_ms, at most a quarter of the
    length), as float32le blocks."""
    frame, sub, channels = a.frame, a.sub, a.channels
    g = gains(a, gain_db, ceiling, start // sub, -(-end // sub))
    fade = min(round(fade_ms / 1000 * a.rate), (end - start) // 4)
    ramp = np.arange(sub, dtype=np.float32) / np.float32(sub)
    with open(raw, "rb") as pcm:
        pcm.seek(start * 2 * channels)
        at = start
        while at < end:
            stop = min(end, (at // frame + BLOCK_FRAMES) * frame)
            x = np.fromfile(pcm, "<i2", (stop - at) * channels).reshape(-1, channels)
            if len(x) < stop - at:
                raise AudioError(f"the decode ends at sample {at + len(x)}, before {end}", raw)
            first = at // sub
            g0 = g[first - start // sub : -(-stop // sub) - start // sub + 1]
            curve = (g0[:-1, None] + np.diff(g0)[:, None] * ramp).ravel()
            curve = curve[at - first * sub : stop - first * sub]
            curve *= _fades(at, stop, start, end, fade) / 32768
            yield (x * curve[:, None]).astype("<f4", copy=False).tobytes()
            at = stop


def _fades(at: int, stop: int, start: int, end: int, fade: int) -> np.ndarray | float:
    """The fade-in and fade-out gains of samples at..stop of a piece start..end."""
    if fade <= 0 or (at >= start + fade and stop <= end - fade):
        return 1.0
    i = np.arange(at, stop)
    return np.clip(np.minimum(i - start, end - 1 - i) / fade, 0.0, 1.0).astype(np.float32)
