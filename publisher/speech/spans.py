"""Where a cut must not land: inside a word, or (for a transcribed talk, whose audio
has been heard) inside a stretch of speech. The cutter (audio/render.py plan_cuts)
takes these as tiers, strictest first, and snaps each cut to the quietest point
outside the first tier it can satisfy."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from pathlib import Path

from ..model import Cue
from .vad import Span, cached_regions
from .words import Word

GUARD = 0.03  # seconds kept clear each side of a span (word times are not exact)
WORD_MAX = 0.6  # a caption word's end is not given: it ends by the next one, this soon


def word_spans(words: list[Word]) -> list[Span]:
    """Each word's span, in time order."""
    return sorted(Span(w.start, w.end) for w in words if w.end > w.start)


def caption_spans(cues: Sequence[Cue]) -> list[Span]:
    """Each caption word's span where the captions time words (json3, rolling WebVTT:
    starts only): from its start to the next word's, at most WORD_MAX long."""
    starts = sorted(
        {t for c in cues if c.word_times and len(c.word_times) == len(c.text.split())
         for t in c.word_times}
    )  # fmt: skip
    ends = [*starts[1:], float("inf")][: len(starts)]
    return [Span(s, min(e, s + WORD_MAX)) for s, e in zip(starts, ends, strict=True)]


def merged(spans: Sequence[Span], guard: float = GUARD) -> list[Span]:
    """Spans widened by `guard` each side, sorted, overlapping ones joined."""
    out: list[Span] = []
    for s in sorted(spans):
        lo, hi = s.start - guard, s.end + guard
        if out and lo <= out[-1].end:
            out[-1] = Span(out[-1].start, max(out[-1].end, hi))
        else:
            out.append(Span(lo, hi))
    return out


def no_go(
    cues: Sequence[Cue], source: Path, cache_dir: Path, heard: list[Word] | None
) -> list[list[Span]]:
    """The tiers of spans no cut may fall inside, strictest first. A transcribed talk
    (`heard`: its words): its speech regions with its words (a cut in a real pause),
    then its words alone. A captioned talk: its caption words where they are timed,
    else nothing (no model is loaded, no VAD run: its cuts stay as they were)."""
    if heard is None:
        words = caption_spans(cues)
        return [merged(words)] if words else []
    words, regions = word_spans(heard), cached_regions(source, cache_dir)
    tiers = [merged(words + regions), merged(words)] if words else [merged(regions)]
    return [t for t in tiers if t]


def inside(t: float, spans: list[Span]) -> Span | None:
    """The span of sorted, non-overlapping `spans` strictly containing time t, if any."""
    i = bisect.bisect_right([s.start for s in spans], t) - 1
    return spans[i] if i >= 0 and spans[i].start < t < spans[i].end else None
