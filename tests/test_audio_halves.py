"""The two-halves decode (one per core) gives the same audio and analysis as one decode."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from publisher.audio import halves
from publisher.audio.analyse import silences
from publisher.audio.decode import decode


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> Path:
    """40 s of Opus/WebM 48 kHz stereo, like YouTube's: espeak-ng speech with pauses."""
    folder = tmp_path_factory.mktemp("halves")
    text = " ".join(f"Sentence number {i} is spoken here. [[_:_]]" for i in range(14))
    wav = folder / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), "-g", "30", text], check=True)
    src = folder / "speech.webm"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(wav), "-af", "apad=pad_dur=2",
         "-ac", "2", "-ar", "48000", "-c:a", "libopus", "-b:a", "96k", str(src)],
        check=True,
    )  # fmt: skip
    return src


def test_halves_match_one_decode(speech: Path, tmp_path: Path, monkeypatch):
    whole = decode(speech, tmp_path / "one")
    monkeypatch.setattr(halves, "MIN_SECONDS", 10.0)
    calls = []
    real = halves.decode_halves
    monkeypatch.setattr(halves, "decode_halves", lambda *a: calls.append(1) or real(*a))
    split = decode(speech, tmp_path / "two")
    assert calls, "the two-halves path ran"

    a = np.fromfile(whole.raw, "<i2").astype(np.float64)
    b = np.fromfile(split.raw, "<i2").astype(np.float64)
    assert len(a) == len(b) == whole.analysis.samples == split.analysis.samples
    snr = 10 * np.log10(np.sum(a**2) / max(np.sum((a - b) ** 2), 1e-9))
    assert snr > 25  # the same audio; at most a sub-sample resampler phase differs
    assert abs(whole.analysis.loudness - split.analysis.loudness) < 0.05
    quiet_a, quiet_b = silences(whole.analysis), silences(split.analysis)
    assert len(quiet_a) == len(quiet_b) > 5
    assert all(abs(x[0] - y[0]) < 0.02 for x, y in zip(quiet_a, quiet_b, strict=True))
