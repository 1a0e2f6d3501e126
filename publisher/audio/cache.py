"""The render cache: content-addressed files under <cache_dir>/render/.

A file's name is a hash of everything that determines its bytes, so a
changed input gets a new name and an unchanged one is found again.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

VERSION = 3  # of the cache's layout; what a file is made by is in its key's parts


def key(*parts: object) -> str:
    """A short stable hash of JSON-able parts: the recipe a file is made by (the ffmpeg
    arguments and filter graph it runs, the tool's version), so changing any of them
    makes the file again and changing none finds it."""
    text = json.dumps([VERSION, *parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def source_identity(source: Path) -> list[object]:
    """What identifies a source file cheaply: where it is, its size and mtime."""
    st = source.stat()
    return [str(source.resolve()), st.st_size, st.st_mtime_ns]


def folder(cache_dir: Path, kind: str) -> Path:
    path = Path(cache_dir) / "render" / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


DECODED_BUDGET = 2 << 30  # bytes of decoded PCM kept for quick re-cuts (~9 hours of mono)
MIN_AGE = 600.0  # seconds: a file used this recently may be in use by another build


def prune_decoded(cache_dir: Path, budget: int = DECODED_BUDGET) -> int:
    """Delete the least recently used decoded PCM beyond `budget` bytes; returns the
    bytes freed. Analyses and rendered pieces stay, so nothing is encoded again; a
    re-cut of a pruned talk decodes its source once more."""
    where = Path(cache_dir) / "render" / "decoded"
    files = []
    for path in where.glob("[!.]*.s16le"):  # not the temporary files of a decode
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        files.append((st.st_mtime, st.st_size, path))
    kept = freed = 0
    now = time.time()
    for mtime, size, path in sorted(files, reverse=True):  # newest first
        if kept + size > budget and now - mtime > MIN_AGE:
            path.unlink(missing_ok=True)
            freed += size
        else:
            kept += size
    return freed
