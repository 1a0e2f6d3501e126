"""Raw caption cues -> a clean, time-ordered transcript of Lines."""

from __future__ import annotations

import re

from ..model import Cue, Line

# Non-speech markers as YouTube writes them: [Music], [Applause], [Laughter], ...
# and ">>" speaker-change marks.
_MARKER = re.compile(r"\[[^\]]*\]|(?<!\S)>>(?!\S)")
_TURN = re.compile(r"^\s*(?:\[[^\]]*\]\s*)*>>(?!\S)")  # a mark before any word
_WORD = re.compile(r"\S+")


def _clean_cue(cue: Cue) -> tuple[str, tuple[float, ...]]:
    """A cue's text without markers, whitespace normalised, otherwise verbatim; and
    the times of the words kept (a marker's go with it), () if unknown or a word
    splits in two ("so[Music]on")."""
    blanked = _MARKER.sub(lambda m: " " * len(m.group()), cue.text)  # same positions
    spans = [m.span() for m in _WORD.finditer(cue.text)]
    kept = [blanked[a:b].split() for a, b in spans]
    text = " ".join(w for words in kept for w in words)
    if len(cue.word_times) != len(spans) or any(len(words) > 1 for words in kept):
        return text, ()
    return text, tuple(t for t, words in zip(cue.word_times, kept, strict=True) if words)


def clean_transcript(cues: list[Cue]) -> list[Line]:
    """One Line per cue with speech, each spanning to the next line's start.

    YouTube cues overlap (a cue ends two cues later); Lines never do. The last
    Line ends at its cue's end, or earlier where a marker cue ([Applause]) or an
    empty cue starts. Text is kept as spoken: no casing or punctuation added.
    A cue's turn (a ">>" mark) goes to its Line, or to the next Line where the
    cue has no speech; its speaker label (Cue.speaker) is the Line's speaker.
    """
    ordered = sorted(cues, key=lambda c: c.start)
    kept = []
    turn = False
    for i, cue in enumerate(ordered):
        text, times = _clean_cue(cue)
        turn = turn or cue.turn or bool(_TURN.match(cue.text))
        if text:
            kept.append((i, cue, text, times, turn))
            turn = False
    lines = []
    for n, (i, cue, text, times, turn) in enumerate(kept):
        if n + 1 < len(kept):
            end = kept[n + 1][1].start
        else:  # the last line: to its cue's end, or until applause/music starts
            after = [c.start for c in ordered[i + 1 :] if c.start > cue.start]
            end = min([cue.end, *after[:1]])
        lines.append(Line(cue.start, max(end, cue.start), text, cue.speaker or None, turn, times))
    return lines
