"""The render cache: content-addressed files under <cache_dir>/render/.

A file's name is a hash of everything that determines its bytes, so a
changed input gets a new name and an unchanged one is found again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

VERSION = 1  # bump when the rendering code changes what it writes


def key(*parts: object) -> str:
    """A short stable hash of JSON-able parts (plus the cache version)."""
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
