"""Who the voices are: diarized clusters (voices.py) named from the words said in
them, and those names put where a talk shows who speaks.

- Names: a self-introduction ("my name is X", "I'm X") names the voice that says it;
  a hand-over ("X, what do you think?") names the next voice X; failing those, the
  seed's people: the first voice of a moderated panel is its moderator, the most
  heard voice of a one-presenter talk its presenter. A voice left unnamed stays so.
- Marks: a change of voice starts a new cue, marked as a ">>" turn would be.
- Lines: each transcript line gets its voice's name, where the voice is named and
  sure (CONFIDENT).
- Credits: a new plan's question clips credit who really asks (the moderator, else
  "a member of the audience") and who really answers; where the voices are unsure
  or unnamed the planner's credits ("the panel") stay.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from ..ingest.transcript import clean_transcript
from ..model import AUDIENCE, Credit, Cue, Line, Plan, Role, Segment, Speaker, Talk
from ..plan.speakers import mentioned
from .vad import cached_regions
from .voices import Turn, cached_turns

CONFIDENT = 0.5  # a turn this sure of its voice or more is named in lines and credits
ASKED = 1.0  # seconds: a question clip's first voice speaking this long is its asker
ANSWERED = 3.0  # seconds: a voice speaking this long in a question clip answers it
HAND_OVER = 12  # words at the end of a turn searched for the name of who speaks next
_SELF = re.compile(r"\b(?:my name is|my name's|i'm|i am)\s+", re.I)
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Voices:
    """A talk's turns with the names found for their clusters."""

    turns: list[Turn]
    names: dict[int, str]  # cluster -> a seed person's name

    @functools.cached_property
    def _starts(self) -> list[float]:
        return [u.start for u in self.turns]

    def at(self, t: float) -> Turn | None:
        """The turn at time t, or the one just before (a pause keeps its voice)."""
        i = bisect.bisect_right(self._starts, t) - 1
        return self.turns[i] if i >= 0 else None

    def over(self, start: float, end: float) -> Turn | None:
        """The turn most of start..end is in (the one at `start` if none overlaps):
        a turn's edges are only as exact as its windows."""
        i = bisect.bisect_left(self._starts, end)
        near = [u for u in self.turns[max(0, i - 8) : i] if u.end > start]
        best = max(near, key=lambda u: min(u.end, end) - max(u.start, start), default=None)
        return best or self.at(start)

    def speaking(self, t: float) -> str:
        """Which voice speaks at time t ("voice 2"; "" before the first turn), for the
        planner (plan.features reads who speaks each turn)."""
        turn = self.at(t)
        return f"voice {turn.cluster + 1}" if turn else ""

    def name(self, turn: Turn | None) -> str | None:
        sure = turn is not None and turn.confidence >= CONFIDENT
        return self.names.get(turn.cluster) if sure and turn else None


def voice_count(talk: Talk) -> int | None:
    """The most voices a talk has: its people, and an audience; None if none listed."""
    return len(talk.people) + 1 if talk.people else None


def _timed_words(lines: list[Line]) -> list[tuple[str, float]]:
    """Each word of the lines with its time (spread over its line where not given)."""
    out = []
    for ln in lines:
        words = _WORD.findall(ln.text)
        if ln.word_times and len(ln.word_times) == len(words):
            out += list(zip(words, ln.word_times, strict=True))
        else:
            step = (ln.end - ln.start) / max(len(words), 1)
            out += [(w, ln.start + k * step) for k, w in enumerate(words)]
    return out


def _introduced(after: str, people: list[Speaker]) -> list[Speaker]:
    """The person whose name (full, or a first name no one else has) `after` starts
    with: "my name is X", not "I'm joined by X"."""
    low = " ".join(after.lower().split()[:3])
    return [p for p in mentioned(low, people)
            if low.startswith((p.name.lower(), p.name.split()[0].lower()))][:1]  # fmt: skip


def _thanked(text: str, person: Speaker) -> bool:
    first = re.escape(person.name.split()[0].lower())
    return bool(re.search(rf"\bthanks?\b(?:[ ,]+\w+){{0,2}}[ ,]+{first}\b", text.lower()))


def name_clusters(turns: list[Turn], lines: list[Line], talk: Talk) -> dict[int, str]:
    """cluster -> name, each person naming at most one cluster (strongest first)."""
    votes: dict[tuple[int, str], float] = {}

    def vote(cluster: int, person: Speaker, weight: float) -> None:
        votes[cluster, person.name] = votes.get((cluster, person.name), 0.0) + weight

    if not turns:
        return {}
    words = _timed_words(lines)
    starts = [u.start for u in turns]
    said: list[list[str]] = [[] for _ in turns]
    for w, t in words:
        said[max(bisect.bisect_right(starts, t) - 1, 0)].append(w)
    for i, turn in enumerate(turns):
        text = " ".join(said[i])
        for m in _SELF.finditer(text):
            for p in _introduced(text[m.end() :], talk.people):
                vote(turn.cluster, p, 3.0)  # "my name is X": this voice is X
        nxt = turns[i + 1] if i + 1 < len(turns) else None
        if nxt and nxt.cluster != turn.cluster:
            tail = " ".join(said[i][-HAND_OVER:])
            for p in mentioned(tail, talk.speakers):
                if _thanked(tail, p):
                    continue  # "thank you, X": X spoke before, not next
                vote(nxt.cluster, p, 1.0)  # "X, what do you think?": the next voice
                if talk.moderator:
                    vote(turn.cluster, talk.moderator, 0.5)  # who hands over moderates
    if turns and talk.moderator:
        vote(turns[0].cluster, talk.moderator, 0.5)  # a panel opens with its moderator
    if turns and not talk.moderator and len(talk.speakers) == 1:
        heard: dict[int, float] = {}
        for u in turns:
            heard[u.cluster] = heard.get(u.cluster, 0.0) + u.end - u.start
        vote(max(heard, key=lambda c: heard[c]), talk.speakers[0], 0.5)
    names: dict[int, str] = {}
    for (cluster, name), _ in sorted(votes.items(), key=lambda kv: -kv[1]):
        if cluster not in names and name not in names.values():
            names[cluster] = name
    return names


def mark_turns(cues: list[Cue], voices: Voices) -> list[Cue]:
    """The cues split where the voice changes, each new voice's first cue marked as
    a turn (as a ">>" mark would); a cue without word times changes at its start."""
    out: list[Cue] = []
    last: int | None = None
    for cue in cues:
        words = cue.text.split()
        times = cue.word_times if words and len(cue.word_times) == len(words) else ()
        at, turn = 0, cue.turn
        ends = [*times[1:], cue.end] if times else [cue.end]
        for k, t in enumerate(times or (cue.start,)):
            here = voices.over(t, ends[k])
            now = here.cluster if here else last
            if last is not None and now != last:
                if k > at:
                    out.append(_piece(cue, words, at, k, turn))
                at, turn = k, True
            last = now
        out.append(_piece(cue, words, at, len(words), turn) if times else
                   dataclasses.replace(cue, turn=turn))  # fmt: skip
    return out


def _piece(cue: Cue, words: list[str], a: int, b: int, turn: bool) -> Cue:
    """Words a..b of a cue with word times, as a cue of their own."""
    start = cue.start if a == 0 else cue.word_times[a]
    end = cue.end if b == len(words) else cue.word_times[b]
    return Cue(start, end, " ".join(words[a:b]), cue.line, turn, cue.word_times[a:b])


def named_lines(lines: list[Line], voices: Voices) -> list[Line]:
    """Each line with its voice's name where that voice is named and sure."""
    out = []
    for ln in lines:
        name = voices.name(voices.over(ln.start, ln.end))
        out.append(dataclasses.replace(ln, speaker=name or ln.speaker))
    return out


def voiced_talk(talk: Talk, source: Path, cache_dir: Path) -> tuple[Talk, Voices]:
    """`talk` with its voices heard in `source`: turn marks on its cues, names on its
    transcript lines; and the voices, for its plan's credits."""
    regions = cached_regions(source, cache_dir)
    turns = cached_turns(source, cache_dir, regions, voice_count(talk))
    lines = clean_transcript(talk.cues)
    voices = Voices(turns, name_clusters(turns, lines, talk))
    cues = mark_turns(talk.cues, voices)
    transcript = named_lines(clean_transcript(cues), voices)
    return dataclasses.replace(talk, cues=cues, transcript=transcript), voices


def _spoken(seg: Segment, voices: Voices) -> list[tuple[Turn, float]]:
    """The sure turns inside a segment, with their seconds in it, in time order."""
    out = []
    for u in voices.turns:
        seconds = min(u.end, seg.end) - max(u.start, seg.start)
        if seconds > 0 and u.confidence >= CONFIDENT:
            out.append((u, seconds))
    return out


def _person(talk: Talk, name: str, role: Role) -> Credit:
    who = talk.speaker(name)
    return Credit(name, role, who.organisation if who else "")


def question_credits(seg: Segment, voices: Voices, talk: Talk) -> list[Credit]:
    """Who asks and who answers in a question clip, by voice; its planned credits
    where no voice is sure."""
    spoken = [(u, s) for u, s in _spoken(seg, voices) if s >= ASKED]
    if not spoken:
        return seg.speakers
    asker = spoken[0][0].cluster
    asked_by = voices.names.get(asker)
    if asked_by and talk.moderator and asked_by == talk.moderator.name:
        asks = [_person(talk, asked_by, Role.MODERATOR)]
    elif asked_by:
        asks = [_person(talk, asked_by, talk.role(asked_by))]
    else:
        asks = [Credit(AUDIENCE, Role.AUDIENCE)]
    heard: dict[int, float] = {}
    for u, s in spoken[1:]:
        if u.cluster != asker:
            heard[u.cluster] = heard.get(u.cluster, 0.0) + s
    answered = [voices.names[c] for c in sorted(heard, key=lambda c: -heard[c])
                if heard[c] >= ANSWERED and c in voices.names]  # fmt: skip
    role = Role.PANELIST if talk.moderator else Role.PRESENTER
    answers = [_person(talk, n, role) for n in answered if n not in {c.name for c in asks}]
    if not answers:  # nobody sure answers: the planner's answer credits ("the panel")
        planned = [c for c in seg.speakers if not c.role.asks]
        return asks + planned
    return asks + answers


def credited(plan: Plan, voices: Voices, talk: Talk) -> Plan:
    """A new plan whose question clips credit the voices that really ask and answer."""
    segments = [
        dataclasses.replace(seg, speakers=question_credits(seg, voices, talk))
        if seg.kind == "question" else seg
        for seg in plan.segments
    ]  # fmt: skip
    return dataclasses.replace(plan, segments=segments)
