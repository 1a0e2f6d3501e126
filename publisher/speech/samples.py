"""Real speech to test and benchmark with, installed by scripts/setup.sh (not in the
repository): Debian pocketsphinx-testdata's LibriVox clips with their transcripts,
joined with chosen pauses (whose times are then known) under a room noise."""

from __future__ import annotations

import re
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..audio.tools import tool
from .pcm import RATE, read_pcm

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
FADE = "afade=t=in:d=0.02"  # no click where a clip starts after silence
_LINE = re.compile(r"^<s>\s*(.*?)\s*</s>\s*\((\S+)\)\s*$")


@dataclass(frozen=True)
class Clip:
    path: Path
    text: str  # what is said, lower case, no punctuation


def librivox(folder: Path = LIBRIVOX) -> list[Clip]:
    """The LibriVox clips with their reference text; [] where the package is missing."""
    listing = folder / "transcription"
    if not listing.exists():
        return []
    clips = []
    for line in listing.read_text().splitlines():
        m = _LINE.match(line.strip())
        if m and (folder / f"{m.group(2)}.wav").exists():
            clips.append(Clip(folder / f"{m.group(2)}.wav", m.group(1)))
    return clips


def join(clips: list[Path], gaps: list[float], out: Path, rate: int = 16000) -> Path:
    """Concatenate clips with silences between them (gaps[i] seconds after clips[i]),
    as a mono WAV at `rate`; each clip fades in over 20 ms."""
    inputs, graph = [], []
    for i, path in enumerate(clips):
        inputs += ["-i", str(path)]
        pad = f",apad=pad_dur={gaps[i]:.3f}" if i < len(gaps) and gaps[i] > 0 else ""
        graph.append(f"[{i}:a]aresample={rate},aformat=channel_layouts=mono,{FADE}{pad}[a{i}]")
    labels = "".join(f"[a{i}]" for i in range(len(clips)))
    graph.append(f"{labels}concat=n={len(clips)}:v=0:a=1[out]")
    cmd = [tool("ffmpeg"), "-nostdin", "-v", "error", "-y", *inputs,
           "-filter_complex", ";".join(graph), "-map", "[out]", str(out)]  # fmt: skip
    subprocess.run(cmd, check=True)
    return out


def with_room_noise(source: Path, out: Path, db: float = -50.0, seed: int = 0) -> Path:
    """`source` with a steady room noise under it (white noise low-passed, `db` dBFS
    RMS, from `seed`), as a 16 kHz mono 16-bit WAV."""
    x = read_pcm(source)
    hiss = np.random.default_rng(seed).standard_normal(len(x) + 15)
    noise = np.convolve(hiss, np.ones(16) / 16, mode="valid")[: len(x)]
    noise *= 10 ** (db / 20) / np.sqrt(np.mean(noise**2))
    pcm = np.clip((x + noise) * 32767, -32768, 32767).astype("<i2")
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    return out


def spoken(clip: Path, below: float = 30.0, above: float = 10.0) -> tuple[float, float]:
    """Where speech starts and ends in a clean clip (seconds): its first and last 30 ms
    within `below` dB of its loudest 10 ms and `above` dB over its noise floor (its
    5th percentile), so a quiet reading's room tone is not taken for speech."""
    x = read_pcm(clip)
    frames = x[: len(x) // 160 * 160].reshape(-1, 160).astype(np.float64)
    db = 10 * np.log10(np.maximum((frames**2).mean(axis=1), 1e-12))
    loud = db > max(db.max() - below, np.percentile(db, 5) + above)
    held = np.flatnonzero(loud[:-2] & loud[1:-1] & loud[2:])  # 3 frames in a row
    return float(held[0]) * 0.01, float(held[-1] + 3) * 0.01


def pauses(clips: list[Path], gaps: list[float]) -> list[tuple[float, float]]:
    """The stretches of `join(clips, gaps, ...)` where no clip speaks (seconds): before
    the first clip's speech, between each clip's speech and the next's, after the last."""
    edges, at = [0.0], 0.0
    for i, clip in enumerate(clips):
        start, end = spoken(clip)
        edges += [at + start, at + end]
        at += len(read_pcm(clip)) / RATE + (gaps[i] if i < len(gaps) else 0.0)
    edges.append(at)
    return [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2)]
