"""Where a planned cut lands: the quietest point near it outside every no-go span
(speech/spans.py: words, speech regions), the reach widened step by step while none
is found, and only then the quietest point by energy alone."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .analyse import FRAME_S, Analysis, quietest

if TYPE_CHECKING:
    from ..speech.vad import Span

WIDEN = (1, 2, 4)  # reaches tried in turn, in multiples of the cutter's REACH
SMOOTH = 0.15  # seconds: levels compared as quietest() smooths them
PER_SECOND = 2.0  # dB a point loses per second away from the planned time, as quietest()


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
    found = [quietest(a, t, reach, g0, g1) for g0, g1 in gaps]
    return min(found, key=lambda c: _level(a, c) + PER_SECOND * abs(c - t), default=None)


def _level(a: Analysis, t: float) -> float:
    """The level at t in dB, the envelope averaged over SMOOTH seconds around it."""
    half = round(SMOOTH / FRAME_S) // 2
    i = min(max(0, math.floor(t / FRAME_S)), len(a.envelope) - 1)
    power = float(np.mean(a.envelope[max(0, i - half) : i + half + 1])) if len(a.envelope) else 0
    return 10 * math.log10(max(power, 1e-10))
