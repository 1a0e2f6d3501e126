"""Audio: fetch or synthesise a talk's source, analyse it once, render clips and
the full episode through a content-addressed render cache.

Public API (the pipeline uses only these):
    find_cached_audio, fetch_audio, synthesise_standin, silences, render_talk
"""

from __future__ import annotations

from pathlib import Path

from . import analyse
from .decode import cached_analysis, decode
from .fetch import fetch_audio, find_cached_audio
from .render import render_talk
from .standin import synthesise_standin
from .tools import about


def silences(source: Path, cache_dir: Path, min_len: float = 0.4) -> list[tuple[float, float]]:
    """Pauses of at least `min_len` seconds in `source`, as (start, end) seconds.

    Uses the cached analysis (decoding and analysing the source once if needed).
    """
    with about(source.name, source):
        found = cached_analysis(source, cache_dir)
        if found is None:
            found = decode(source, cache_dir, need_raw=True).analysis
    return analyse.silences(found, min_len)


__all__ = ["fetch_audio", "find_cached_audio", "render_talk", "silences", "synthesise_standin"]
