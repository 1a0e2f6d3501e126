"""Read an MP3's length from its headers, without decoding it."""

from __future__ import annotations

import struct
from pathlib import Path

from mutagen.mp3 import MP3

RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}  # by version


def stream_duration(path: Path) -> float:
    """Seconds of audio the file's frames hold, encoder delay and padding included.

    That is what a piece occupies once it is concatenated into the full episode
    (only gapless players trim the delay, and only at the file's start).
    Uses the Xing/Info frame count; falls back to mutagen's estimate.
    """
    with open(path, "rb") as f:
        head = f.read(8192)
    start = 0
    if head[:3] == b"ID3":
        size = head[6:10]
        start = 10 + (size[0] << 21 | size[1] << 14 | size[2] << 7 | size[3])
        with open(path, "rb") as f:
            f.seek(start)
            head = f.read(8192)
        start = 0
    sync = head.find(b"\xff", start)
    while sync >= 0 and sync + 4 <= len(head) and (head[sync + 1] & 0xE0) != 0xE0:
        sync = head.find(b"\xff", sync + 1)
    if sync < 0 or sync + 4 > len(head):
        return MP3(path).info.length
    version = (head[sync + 1] >> 3) & 3
    rate_index = (head[sync + 2] >> 2) & 3
    if version not in RATES or rate_index == 3:
        return MP3(path).info.length
    rate = RATES[version][rate_index]
    per_frame = 1152 if version == 3 else 576
    for tag in (b"Xing", b"Info"):
        at = head.find(tag, sync, sync + 64)
        if at >= 0:
            flags, frames = struct.unpack(">II", head[at + 4 : at + 12])
            if flags & 1:
                return frames * per_frame / rate
    return MP3(path).info.length


def gapless_duration(path: Path) -> float:
    """What a gapless player plays: mutagen's length (LAME delay and padding removed)."""
    return MP3(path).info.length
