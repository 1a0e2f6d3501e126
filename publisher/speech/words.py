"""Timed words -> the Cues a seed's captions would give (with word_times)."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Cue

MAX_WORDS = 14  # a cue's words at most, about a caption line's worth
PAUSE = 0.6  # seconds between words that end a cue


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float


def to_cues(words: list[Word]) -> list[Cue]:
    """Group words into cues: a cue ends at a sentence end, a pause or MAX_WORDS."""
    cues: list[Cue] = []
    group: list[Word] = []

    def flush() -> None:
        if group:
            text = " ".join(w.text for w in group)
            times = tuple(w.start for w in group)
            cues.append(Cue(group[0].start, group[-1].end, text, 0, word_times=times))
            group.clear()

    for w in words:
        if group and (w.start - group[-1].end >= PAUSE or len(group) >= MAX_WORDS):
            flush()
        group.append(w)
        if w.text.endswith((".", "?", "!")):
            flush()
    flush()
    return cues
