"""Real speech to test and benchmark with, installed by scripts/setup.sh (not in the
repository): Debian pocketsphinx-testdata's LibriVox clips with their transcripts."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..audio.tools import tool

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
