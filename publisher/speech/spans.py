"""Where a cut must not land: inside a word (where word times exist) or inside a VAD
speech region. A hook for the cutter (audio/render.py), which today snaps each cut to
the quietest nearby point by energy alone."""

from __future__ import annotations

import bisect
import json
from pathlib import Path

from ..fsutil import atomic_path
from .pcm import content_hash
from .vad import VERSION as VAD_VERSION
from .vad import Span, speech_regions
from .words import Word


def word_spans(words: list[Word]) -> list[Span]:
    """Each word's span, in time order."""
    return sorted(Span(w.start, w.end) for w in words if w.end > w.start)


def cached_regions(source: Path, cache_dir: Path) -> list[Span]:
    """The VAD speech regions of `source`, once per audio content."""
    path = Path(cache_dir) / "speech" / f"{content_hash(source)[:32]}-vad-v{VAD_VERSION}.json"
    if path.exists():
        return [Span(*r) for r in json.loads(path.read_text())]
    found = speech_regions(source)
    with atomic_path(path) as tmp:
        Path(tmp).write_text(json.dumps([[r.start, r.end] for r in found]))
    return found


def forbidden_spans(source: Path, cache_dir: Path, words: list[Word] | None = None) -> list[Span]:
    """The spans no cut may fall inside: the words where their times are known, else
    the speech regions (which also cover words Whisper did not time)."""
    return word_spans(words) if words else cached_regions(source, cache_dir)


def inside(t: float, spans: list[Span]) -> Span | None:
    """The span of sorted, non-overlapping `spans` strictly containing time t, if any."""
    i = bisect.bisect_right([s.start for s in spans], t) - 1
    return spans[i] if i >= 0 and spans[i].start < t < spans[i].end else None
