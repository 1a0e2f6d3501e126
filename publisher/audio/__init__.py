"""Audio: fetch or synthesise a talk's source, analyse it once, render clips and
the full episode through a content-addressed render cache.

Public API (the pipeline uses only these):
    find_cached_audio, fetch_audio, synthesise_standin, silences, render_talk

They are imported when first used (PEP 562), so what imports a light part of
the package (the cache, progress bars) does not load numpy, mutagen and the
renderer: a no-op rebuild never needs them.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from .fetch import fetch_audio, find_cached_audio
    from .render import render_talk
    from .standin import synthesise_standin

_LAZY = {
    "fetch_audio": "fetch",
    "find_cached_audio": "fetch",
    "render_talk": "render",
    "synthesise_standin": "standin",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def silences(
    source: Path, cache_dir: Path, min_len: float = 0.4, freed: Callable[[], None] | None = None
) -> list[tuple[float, float]]:
    """Pauses of at least `min_len` seconds in `source`, as (start, end) seconds.

    Uses the cached analysis (decoding and analysing the source once if needed);
    freed() is called once the decode leaves a core free (decode.decode).
    """
    from . import analyse
    from .decode import cached_analysis, decode
    from .tools import about

    with about(source.name, source):
        found = cached_analysis(source, cache_dir)
        if found is None:
            found = decode(source, cache_dir, need_raw=True, freed=freed).analysis
        elif freed:
            freed()
    return analyse.silences(found, min_len)


__all__ = ["fetch_audio", "find_cached_audio", "render_talk", "silences", "synthesise_standin"]
