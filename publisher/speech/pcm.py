"""A source file -> 16 kHz mono float32 samples (what VAD and Whisper read), and the
content hash the speech cache is keyed by."""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from ..audio.tools import last_line, tool
from ..errors import AudioError

RATE = 16000


def read_pcm(source: Path) -> np.ndarray:
    """Decode `source` with ffmpeg to 16 kHz mono float32 in [-1, 1] (42 minutes:
    160 MB, held once: read block by block into one growing buffer, not collected
    and then joined)."""
    cmd = [tool("ffmpeg", "decoding speech", source), "-nostdin", "-hide_banner", "-v", "error",
           "-i", str(source), "-ac", "1", "-ar", str(RATE), "-f", "f32le", "-"]  # fmt: skip
    samples = bytearray()
    with tempfile.TemporaryFile() as err:
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err) as proc:
            assert proc.stdout
            while block := proc.stdout.read(1 << 20):
                samples += block
        if proc.returncode:
            err.seek(0)
            raise AudioError(f"ffmpeg failed decoding speech ({last_line(err.read())})", source)
    return np.frombuffer(samples, dtype=np.float32)  # the buffer itself, not a copy


def content_hash(source: Path) -> str:
    """sha256 of the file's bytes: the same audio fetched again is found again."""
    digest = hashlib.sha256()
    with Path(source).open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
