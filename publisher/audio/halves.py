"""Decode a long source as two halves at once, one per core, then join them.

ffmpeg decodes Opus on one core, so the one decode of a long talk would
otherwise run while the other core waits. The halves overlap by OVERLAP
seconds; the join is aligned by cross-correlation (a seek may land a few
samples off) and made at the quietest 100 ms block boundary in the overlap.
The result is the same raw file a single decode writes, to within the
resampler's rounding at one quiet point.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .analyse import CHUNK_BLOCKS, Analyser
from .tools import follow

OVERLAP = 3.0  # seconds each half reaches past the middle
MIN_SECONDS = 600.0  # shorter sources decode in one go
SEARCH = 2048  # samples a seek may be off by, at most


def duration(ffprobe: str, source: Path) -> float | None:
    """The source's duration by its container, or None if ffprobe can't tell."""
    cmd = [ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"]
    done = subprocess.run([*cmd, str(source)], capture_output=True, text=True)
    try:
        return float(done.stdout.strip())
    except ValueError:
        return None


def decode_halves(
    cmd: list[str],
    fmt: list[str],
    seconds: float,
    target: Path,
    analyser: Analyser,
    advance: Callable[[float], None],
    err,
) -> bool:
    """Decode into `target` (raw s16le) feeding `analyser` in order; False if the
    halves could not be joined (the caller then decodes in one go)."""
    rate, channels, block = analyser.rate, analyser.channels, analyser.block
    middle = round(seconds * rate / 2 / block) * block  # a block boundary
    reach = round(OVERLAP * rate)
    second = target.with_name(target.name + ".half")
    first_cmd = [*cmd[:-2], *cmd[-2:], "-t", f"{(middle + reach) / rate:.6f}", *fmt, str(target)]
    second_cmd = [*cmd[:-2], "-ss", f"{(middle - reach) / rate:.6f}", *cmd[-2:], *fmt]
    try:
        with (
            subprocess.Popen(first_cmd, stderr=err) as one,
            subprocess.Popen([*second_cmd, str(second)], stderr=err) as two,
            open(target, "rb") as pcm,
        ):
            # Analyse the first half as it is written, up to where the join may fall.
            safe = (middle - reach) // block * block
            fed = _feed(pcm, analyser, 0, safe, lambda: one.poll() is not None)
            advance(fed / rate)
        if one.returncode or two.returncode:
            return False
        a = np.memmap(target, "<i2", "r").reshape(-1, channels)
        b = np.memmap(second, "<i2", "r").reshape(-1, channels)
        if len(a) < middle + reach // 2 or len(b) < 2 * reach:
            return False
        lag = _lag(a[middle - reach : middle + reach], b[: 2 * reach], rate)
        join = _quiet_join(a, middle, reach // 2, block)
        start_b = join - (middle - reach) - lag  # b's sample that continues a at `join`
        del a, b
        with open(target, "rb") as pcm:
            _feed(pcm, analyser, fed, join, lambda: True)
        with open(second, "rb") as pcm:
            rest = _feed(pcm, analyser, start_b, None, lambda: True)
            advance((join - fed + rest) / rate)
            with open(target, "r+b") as out:
                out.truncate(join * 2 * channels)
                out.seek(0, os.SEEK_END)
                pcm.seek(start_b * 2 * channels)
                shutil.copyfileobj(pcm, out, 1 << 20)
        return True
    finally:
        second.unlink(missing_ok=True)


def _feed(pcm, analyser: Analyser, at: int, end: int | None, finished) -> int:
    """Feed the analyser samples `at` to `end` (None: to the end) of a file that is
    being written until `finished()`, in whole 10 s chunks; returns the samples fed."""
    frame = 2 * analyser.channels
    pcm.seek(at * frame)
    limit = None if end is None else (end - at) * frame
    fed = 0
    for data in follow(pcm, finished, analyser.block * CHUNK_BLOCKS * frame, limit):
        analyser.feed(np.frombuffer(data, "<i2").reshape(-1, analyser.channels))
        fed += len(data) // frame
    return fed


def _lag(a: np.ndarray, b: np.ndarray, rate: int) -> int:
    """The shift s (|s| <= SEARCH) for which b[i] best matches a[i + s], found on
    b's loudest half second (corr[s] = sum a[i + s] b[i], by FFT); 0 if b is silent."""
    x = a.mean(axis=1).astype(np.float64)
    y = b.mean(axis=1).astype(np.float64)
    size = rate // 2
    starts = range(SEARCH, len(y) - size - SEARCH, size // 4)
    if not starts:
        return 0
    at = max(starts, key=lambda i: float(np.sum(np.square(y[i : i + size]))))
    probe = y[at : at + size]
    if np.sqrt(np.mean(np.square(probe))) < 30:  # silence: any shift sounds the same
        return 0
    window = x[at - SEARCH : at + size + SEARCH]
    n = 1 << (len(window) + size).bit_length()
    corr = np.fft.irfft(np.fft.rfft(window, n) * np.conj(np.fft.rfft(probe, n)), n)
    return int(np.argmax(corr[: 2 * SEARCH + 1])) - SEARCH


def _quiet_join(a: np.ndarray, middle: int, reach: int, block: int) -> int:
    """The block boundary within `reach` of the middle with the least energy around it."""
    best, quietest = middle, np.inf
    for at in range(middle - reach // block * block, middle + reach, block):
        energy = float(np.mean(np.square(a[at - block // 4 : at + block // 4].astype(np.float64))))
        if energy < quietest:
            best, quietest = at, energy
    return best
