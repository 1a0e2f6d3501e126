"""Where a planned cut lands: the quietest point near it outside every no-go span
(speech/spans.py: words, speech regions), the reach widened step by step while none
is found, and only then the quietest point by energy alone."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .analyse import Analysis, quietest, quietest_scored

if TYPE_CHECKING:
    from ..speech.vad import Span

WIDEN = (1, 2, 4)  # reaches tried in turn, in multiples of the cutter's REACH


def snap(
    a: Analysis, t: float, reach: float, lo: float, hi: float, tiers: Sequence[Sequence[Span]]
) -> tuple[float, bool]:
    """The cut for planned time t inside [lo, hi], and whether it kept clear of the
    spans: outside the first tier (strictest first) with room within a widened reach;
    with no tiers, or none with room, the quietest point within `reach`."""
    for spans in tiers:
        for k in WIDEN:
            found = quietest_outside(a, t, reach * k, lo, hi, spans)
            if found is not None:
                return found, True
    return quietest(a, t, reach, lo, hi), not tiers


def quietest_outside(
    a: Analysis, t: float, reach: float, lo: float, hi: float, spans: Sequence[Span]
) -> float | None:
    """The quietest point within `reach` of t inside [lo, hi] and outside the sorted,
    non-overlapping `spans`; None if every such point is inside one."""
    lo, hi = max(lo, t - reach), min(hi, t + reach)
    gaps, at = [], lo
    first = bisect.bisect_right([s.end for s in spans], lo)
    for s in spans[first:]:
        if s.start >= hi:
            break
        if s.start > at:
            gaps.append((at, s.start))
        at = max(at, s.end)
    if at < hi:
        gaps.append((at, hi))
    found = [quietest_scored(a, t, reach, g0, g1) for g0, g1 in gaps]
    return min(found, key=lambda cut: cut[1], default=(None, 0.0))[0]
