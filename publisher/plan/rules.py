"""The hand-written cue rules: a score for each possible question start.

Discourse cues, question form, turn openers, caption gaps and lexical cohesion,
weighted by hand. The question model (publisher.plan.features) reads this
score as one of its features, next to what it learns from the corpus.
"""

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
    question_form,
)
from .words import Word

THRESHOLD = 3.0  # a score the hand-tuned rules took as a question start
LOOKBACK = 35  # words searched back from a cue for the start of the turn
GAP = 2.5  # seconds of caption silence that mark a change of speaker
QUESTION_WORDS = 45  # words after a turn start searched for a question

_OPENER = re.compile(
    r"\b(?:okay|ok|thank you|thanks|alright|all right|cool|great|right|good|perfect|wonderful|"
    r"excellent|nice|fantastic) (?:so )?"
)


@dataclass
class RuleStart:
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


def _group(cues: list[Cue]) -> list[list[Cue]]:
    groups: list[list[Cue]] = []
    for c in cues:
        if groups and c.word - groups[-1][-1].end <= 12:
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


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
    words: list[Word],
    names: set[str] | frozenset,
    text: Text,
    cues: list[Cue],
    cohesion: Cohesion,
) -> list[RuleStart]:
    """Every possible question start with its signals and score; `text`, `cues`
    (find_cues of it) and `cohesion` are the talk's, computed once by the caller."""
    groups = _group(sorted(cues + _addressed(words, text, names), key=lambda c: c.word))
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
        signals = {"cue": weight}
        if question_form(text, anchor, anchor + QUESTION_WORDS):
            signals["form"] = 1.0
        if words[anchor].norm in ACK | {"all"}:
            signals["ack"] = 0.5
        before = words[anchor - 1].pause if anchor else 0.0
        if before >= 1.5:
            signals["gap"] = 1.0 if before >= 4.0 else 0.5
        signals["cohesion"] = max(-0.5, min(1.0, 0.4 * cohesion.score(start)))
        if weight < 2.5 and CONTINUATION.search(text.span(best.word, best.word + 12)):
            signals["follow-up"] = -1.0
        score = sum(signals.values())
        found.append(RuleStart(start, anchor, best.word, asker, score, signals))
    return found
