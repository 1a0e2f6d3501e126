"""Read an MP3's length from its headers, without decoding it."""

from __future__ import annotations

import struct
from pathlib import Path

from mutagen.mp3 import MP3

from .mp3join import Header, NotOurs


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
    try:
        h = Header.read(head[sync : sync + 4])
    except NotOurs:  # not Layer III, or a reserved header
        return MP3(path).info.length
    per_frame = 1152 if h.mpeg1 else 576
    for tag in (b"Xing", b"Info"):
        at = head.find(tag, sync, sync + 64)
        if at >= 0:
            flags, frames = struct.unpack(">II", head[at + 4 : at + 12])
            if flags & 1:
                return frames * per_frame / h.rate
    return MP3(path).info.length


def gapless_duration(path: Path) -> float:
    """What a gapless player plays: mutagen's length (LAME delay and padding removed)."""
    return MP3(path).info.length
