"""Raw caption cues -> a clean, time-ordered transcript of Lines."""

from __future__ import annotations

import re

from ..model import Cue, Line

# Non-speech markers as YouTube writes them: [Music], [Applause], [Laughter], ...
# and ">>" speaker-change marks.
_MARKER = re.compile(r"\[[^\]]*\]|(?<!\S)>>(?!\S)")


def clean_text(text: str) -> str:
    """Caption text without markers, whitespace normalised; otherwise verbatim."""
    return " ".join(_MARKER.sub(" ", text).split())


def clean_transcript(cues: list[Cue]) -> list[Line]:
    """One Line per cue with speech, each spanning to the next line's start.

    YouTube cues overlap (a cue ends two cues later); Lines never do. The last
    Line ends at its cue's end, or earlier where a marker cue ([Applause]) or an
    empty cue starts. Text is kept as spoken: no casing or punctuation added.
    """
    ordered = sorted(cues, key=lambda c: c.start)
    kept = [(i, c, clean_text(c.text)) for i, c in enumerate(ordered)]
    kept = [k for k in kept if k[2]]
    lines = []
    for n, (i, cue, text) in enumerate(kept):
        if n + 1 < len(kept):
            end = kept[n + 1][1].start
        else:  # the last line: to its cue's end, or until applause/music starts
            after = [c.start for c in ordered[i + 1 :] if c.start > cue.start]
            end = min([cue.end, *after[:1]])
        lines.append(Line(cue.start, max(end, cue.start), text))
    return lines
