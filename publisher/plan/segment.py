"""Find where each question starts: discourse cues, question form, turn changes,
caption gaps, audio pauses and lexical cohesion, combined into one score."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cohesion import Cohesion
from .cues import (
    ACK,
    CONTINUATION,
    LINKS,
    OPEN_ENDED,
    Cue,
    Text,
    find_cues,
    qa_openings,
    question_form,
)
from .words import Word

THRESHOLD = 3.0  # score a candidate needs to become a boundary
SPACING = 10.0  # seconds: closer candidates are one question start
NEAR = 20.0  # seconds: a start this close to a stronger one is a follow-up ...
NEAR_EXTRA = 1.5  # ... unless it scores this much above the threshold
LOOKBACK = 35  # words searched back from a cue for the start of the turn
GAP = 2.5  # seconds of caption silence that mark a change of speaker
QA_AFTER_APPLAUSE = 30.0  # seconds of speech after applause that make it a Q&A
PAUSE = 1.0  # seconds of audio silence that count as a turn change
QUESTION_WORDS = 45  # words after a turn start searched for a question

_OPENER = re.compile(
    r"\b(?:okay|ok|thank you|thanks|alright|all right|cool|great|right|good|perfect|wonderful|"
    r"excellent|nice|fantastic) (?:so )?"
)
_INTRO = re.compile(
    r"\b(?:my name is|name's|i'm \w+ (?:from|and i work|i work)|i work (?:for|at))\b"
)


@dataclass
class Boundary:
    start: float  # seconds
    anchor: int  # first word of the asking turn
    cue: int  # word where the cue (or the question) is
    asker: str  # "moderator" or "audience"
    score: float
    signals: dict[str, float] = field(default_factory=dict)


def _anchor(words: list[Word], cue: int) -> int:
    """The first word of the turn that holds the cue: an 'okay'/'thank you' or a pause."""
    first = max(cue - LOOKBACK, 0)
    for i in range(cue - 1, first - 1, -1):
        if _turn_gap(words[i]):
            return i + 1
        if words[i].norm in ACK or (words[i].norm == "all" and _norm(words, i + 1) == "right"):
            while (
                i > first
                and (words[i - 1].norm in ACK or words[i - 1].norm in LINKS)
                and not _turn_gap(words[i - 1])
            ):
                i -= 1
            while words[i].norm in LINKS - {"all"} and i < cue:
                i += 1
            return i
    return cue


def _turn_gap(word: Word) -> bool:
    return word.pause >= GAP and word.norm not in OPEN_ENDED


def _norm(words: list[Word], i: int) -> str:
    return words[i].norm if i < len(words) else ""


_FLOOR = re.compile(r"^(?:yes|yeah|okay|ok|thank|thanks|please|go ahead)\b|\bquestions?\b")


def _asked_in_gap(words: list[Word], anchor: int) -> float | None:
    """Start of an uncaptioned question just before its repeat, if there was one.

    Walks back over caption gaps and the short fragments the captioner caught
    between them, but not over someone giving the floor ("yes, in the back").
    """
    i, start = anchor - 1, None
    while i >= 0 and words[anchor].time - words[i].time < 40:
        if words[i].pause >= GAP:
            start = words[i].time + 0.45
            j = i - 1
            while j >= 0 and i - j <= 10 and words[j].pause < GAP:
                j -= 1
            fragment = " ".join(w.norm for w in words[j + 1 : i + 1])
            if j < 0 or i - j > 10 or _FLOOR.search(fragment):
                break
            i = j
        else:
            i -= 1
            if start is None and anchor - i > 10:
                break
    return start


def _group(cues: list[Cue]) -> list[list[Cue]]:
    groups: list[list[Cue]] = []
    for c in cues:
        if groups and c.word - groups[-1][-1].end <= 12:
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def _in_pause(t: float, pauses: list[tuple[float, float]]) -> bool:
    return any(s - 1.0 <= t <= e + 1.0 and e - s >= PAUSE for s, e in pauses)


def _addressed(words: list[Word], text: Text, names: set[str]) -> list[Cue]:
    """A panelist named after "okay"/"thanks" or with "you", then asked something."""
    found = []
    for i in range(1, len(words) - 1):
        if words[i].norm not in names:
            continue
        after = {w.norm for w in words[i + 1 : i + 8]}
        opens_turn = words[i - 1].norm in ACK | LINKS
        if (opens_turn or "you" in after) and question_form(text, i, i + 25):
            found.append(Cue("address", 2.0, i, i + 1, words[i].text))
    return found


def candidates(
    words: list[Word], pauses: list[tuple[float, float]], names: set[str] | frozenset = frozenset()
) -> list[Boundary]:
    """Every possible question start with its signals and score."""
    text = Text(words)
    cohesion = Cohesion(words)
    groups = _group(sorted(find_cues(text) + _addressed(words, text, names), key=lambda c: c.word))
    # A question asked without any cue phrase, right after an "okay"/"thank you".
    for m in re.finditer(_OPENER, text.text):
        i = text.word_at(m.end())
        if i < len(words) and question_form(text, i, i + 8):
            groups.append([Cue("form", 0.0, i, i + 1, m.group(0))])
    found = []
    for group in groups:
        best = max(group, key=lambda c: c.weight)
        weight = best.weight + 0.5 * sum(c.weight for c in group if c is not best)
        anchor = _anchor(words, group[0].word)
        start = words[anchor].time
        families = {c.family for c in group}
        asker = "audience" if families & {"repeat", "audience"} else "moderator"
        if "repeat" in families:
            start = _asked_in_gap(words, anchor) or start
        signals = {"cue": weight}
        if question_form(text, anchor, anchor + QUESTION_WORDS):
            signals["form"] = 1.0
        if words[anchor].norm in ACK | {"all"}:
            signals["ack"] = 0.5
        before = words[anchor - 1].pause if anchor else 0.0
        if before >= 1.5:
            signals["gap"] = 1.0 if before >= 4.0 else 0.5
        if _in_pause(start, pauses):
            signals["pause"] = 0.5
        signals["cohesion"] = max(-0.5, min(1.0, 0.4 * cohesion.score(start)))
        if weight < 2.5 and CONTINUATION.search(text.span(best.word, best.word + 12)):
            signals["follow-up"] = -1.0
        score = sum(signals.values())
        found.append(Boundary(start, anchor, best.word, asker, score, signals))
    return found


def intro_end(words: list[Word], names: set[str] | frozenset = frozenset()) -> float:
    """When the self-introductions at the start of a panel end (0 if there are none)."""
    text = Text(words)
    limit = words[-1].time * 0.3 if words else 0.0
    ends = [words[text.word_at(m.start())].time for m in _INTRO.finditer(text.text)]
    ends += [
        w.time for i, w in enumerate(words[1:], 1) if w.norm in names and words[i - 1].norm == "i'm"
    ]
    ends = [t for t in ends if t <= limit]
    return max(ends) + 1.0 if ends else 0.0


def qa_start(words: list[Word], applause: list[float] | None = None) -> float | None:
    """When a talk opens the floor for questions (None: no Q&A): a phrase like
    "any questions?" after the first 30% of the talk, or applause in its second
    half that more than QA_AFTER_APPLAUSE seconds of speech follow."""
    if not words:
        return None
    end = words[-1].time
    opens = [words[i].time for i in qa_openings(Text(words)) if words[i].time >= end * 0.3]
    opens += [a for a in applause or [] if a >= end * 0.5 and end - a >= QA_AFTER_APPLAUSE]
    return min(opens) if opens else None


def find_boundaries(
    words: list[Word],
    panel: bool,
    pauses: list[tuple[float, float]] | None = None,
    names: set[str] | frozenset = frozenset(),
    applause: list[float] | None = None,
) -> list[Boundary]:
    """The question starts, in time order. `names`: lowercase first names of the panel;
    `applause`: times of [Applause] caption markers."""
    if panel:
        earliest = intro_end(words, names)
    else:
        opened = qa_start(words, applause)
        if opened is None:
            return []
        earliest = opened - 10.0  # the turn that opens the floor may start just before
    chosen: list[Boundary] = []
    for b in sorted(candidates(words, pauses or [], names), key=lambda b: -b.score):
        if b.score < THRESHOLD or b.start < earliest:
            continue
        gaps = [abs(b.start - c.start) for c in chosen]
        if all(g >= SPACING for g in gaps) and (
            all(g >= NEAR for g in gaps) or b.score >= THRESHOLD + NEAR_EXTRA
        ):
            chosen.append(b)
    return sorted(chosen, key=lambda b: b.start)
