"""Speaker-change marks for corpus recordings whose source names its speakers.

Most corpus transcripts carry no ">>" marks, yet diarization (`--voices`) and some
caption tracks give them, so the question model must learn what they mean. Where the
source transcript names each speaker, `<name>.turns.tsv` beside the recording lists
its turns: `time<TAB>speaker<TAB>first words` (time as the source gives it). This
module puts a ">>" and the speaker's label ("SPEAKER 2:", as human captions name
speakers) before the first word of each turn in the seed's captions, found by its
words near its time, and parses the marked seed with the seed parser itself.
Used by plan.training only (a variant recording, in its original's fold), and by
benchmarks/marks.py, which spoils the turns as heard voices err (`spoiled`).
"""

from __future__ import annotations

import random
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from pathlib import Path

from ..ingest import parse_seed
from ..ingest.captions import TURN
from ..model import Talk
from .planfile import parse_time

BEFORE = 3.0  # seconds a turn's first word may sit before the time the source gives
AFTER = 15.0  # ... and after it (a label inside a long source cue)
MATCH = 3  # leading words that must match (fewer only if the turn says fewer)


@dataclass(frozen=True)
class Turn:
    time: float
    speaker: str
    words: tuple[str, ...]


def read_turns(path: Path) -> list[Turn]:
    out = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        time, speaker, words = (line.split("\t") + ["", ""])[:3]
        out.append(Turn(parse_time(time.strip().replace(",", ".")), speaker, tuple(words.split())))
    return out


def _norm(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


def label(speaker: str) -> str:
    """A source's speaker as a caption label: "1" -> "SPEAKER 1:", "Dan Friedman" ->
    "DAN FRIEDMAN:" (at most four words); "" for none."""
    name = " ".join(re.sub(r"[^A-Za-z0-9]+", " ", speaker).upper().split()[:4])
    return "" if not name else f"SPEAKER {name}:" if name.isdigit() else f"{name}:"


def marked_talk(seed: Path, talk: Talk, turns: list[Turn]) -> tuple[Talk, int]:
    """The seed's `talk` (as parsed from it) with a ">>" before each turn found; and
    how many were found. A cue's words are read from its first text line."""
    lines = seed.read_text().split("\n")
    words: list[tuple[float, int, int]] = []  # (time, text line index, word index)
    norms: list[str] = []
    for cue in talk.cues:
        said = lines[cue.line].split()  # the text line right after the timing line
        step = (cue.end - cue.start) / max(len(said), 1)
        words += [(cue.start + k * step, cue.line, k) for k in range(len(said))]
        norms += [_norm(w) for w in said]
    order = sorted(range(len(words)), key=lambda n: words[n][0])  # stable: ties by index
    times = [words[n][0] for n in order]
    marks: dict[tuple[int, int], str] = {}
    for turn in turns:
        want = [_norm(w) for w in turn.words][:MATCH]
        lo, hi = bisect_left(times, turn.time - BEFORE), bisect_right(times, turn.time + AFTER)
        near = order[lo:hi]
        # the earliest word in the window where the turn's first words begin
        found = next((n for n in near if want and norms[n : n + len(want)] == want), None)
        if found is not None:
            marks[words[found][1:]] = label(turn.speaker)
    for (i, k), name in sorted(marks.items(), reverse=True):
        said = lines[i].split()
        lines[i] = lines[i][: len(lines[i]) - len(lines[i].lstrip())] + " ".join(
            said[:k] + [TURN, *name.split()] + said[k:]
        )
    return parse_seed("\n".join(lines), seed), len(marks)


def spoiled(
    turns: list[Turn], lines: list[str], talk: Talk, error: tuple, seed: int = 0
) -> list[Turn]:
    """`turns` with `error` made at random: (share of turns missed, false turns per
    minute, share given another of the speakers' voices); the same each time for the
    same talk and seed. A false turn starts at a caption line (`lines`: the seed's)."""
    missed, false, wrong = error
    rnd = random.Random(f"{talk.title}/{error}/{seed}")
    speakers = sorted({t.speaker for t in turns})
    out = [t for t in turns if rnd.random() >= missed]
    said = [c for c in talk.cues if lines[c.line].split()]
    for _ in range(round(false * talk.duration / 60) if said else 0):
        cue = rnd.choice(said)
        out.append(Turn(cue.start, rnd.choice(speakers), tuple(lines[cue.line].split()[:MATCH])))
    others = {s: [o for o in speakers if o != s] for s in speakers}
    out = [
        replace(t, speaker=rnd.choice(others[t.speaker]))
        if others[t.speaker] and rnd.random() < wrong
        else t
        for t in out
    ]
    return sorted(out, key=lambda t: t.time)
