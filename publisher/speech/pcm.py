"""A source file -> 16 kHz mono float32 samples (what VAD and Whisper read), and the
content hash the speech cache is keyed by."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import numpy as np

from ..audio.tools import last_line, tool
from ..errors import AudioError

RATE = 16000


def read_pcm(source: Path) -> np.ndarray:
    """Decode `source` with ffmpeg to 16 kHz mono float32 in [-1, 1] (42 minutes:
    160 MB, held once)."""
    cmd = [tool("ffmpeg", "decoding speech", source), "-nostdin", "-hide_banner", "-v", "error",
           "-i", str(source), "-ac", "1", "-ar", str(RATE), "-f", "f32le", "-"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True)
    if done.returncode:
        raise AudioError(f"ffmpeg failed decoding speech ({last_line(done.stderr)})", source)
    return np.frombuffer(done.stdout, dtype=np.float32)  # read-only, not copied


def content_hash(source: Path) -> str:
    """sha256 of the file's bytes: the same audio fetched again is found again."""
    digest = hashlib.sha256()
    with Path(source).open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
