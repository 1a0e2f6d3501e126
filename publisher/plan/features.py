"""Candidate question starts and what the transcript says around each.

A candidate is a word where a new turn may begin: a caption line's first word, a
word after a caption gap, a YouTube `>>` speaker change, or the first word of a
cue phrase or of an "okay"/"thank you" opener. Each gets a row of numeric
features read off the words around it (cue phrases, question form, names
addressed, self-introductions, the chair giving the floor, the answer that
follows, lexical novelty, a change of speaking pace, where it sits in the talk,
no speaker change where the talk marks them, and what the voice speaking there
does over the talk where the captions or the heard voices say who speaks).
`publisher.plan.scorer` turns a row into a probability. Everything is computed
once per talk with prefix sums, so a 60-minute talk costs a few hundred
milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from . import embed, rules, wording
from .cohesion import Cohesion
from .cues import ACK, FAMILIES, QUESTION_FORM, Text, find_cues
from .words import Word

MERGE = 1.0  # seconds: candidates closer than this are one
AHEAD = 40  # words read after a candidate for the asking turn
FAR = 140  # words after a candidate a long lead-in may put its question at
NEAR = 12  # words right after a candidate
MARKED = 10  # speaker changes that make a talk's marks trusted: a start without one is unlikely

_SELF_INTRO = re.compile(
    r"\b(?:my name is|my name's|name's|i'm \w+ (?:\w+ )?(?:from|with|at|and i work|i work)"
    r"|i work (?:for|at|on|with)|i'm (?:a|an) (?:\w+ )?(?:student|engineer|developer|researcher)"
    r"|i'm with|i'm from)\b"
)
_THANKS_TALK = re.compile(
    r"\b(?:thanks?|thank you)(?: (?:so|very) much)? for (?:the|your|a|this|that)"
    r"(?: \w+)? (?:talk|presentation|session|panel|work|insights?)\b"
    r"|\b(?:great|nice|good|interesting|excellent|awesome|amazing) (?:talk|presentation)\b"
)
_ANSWER = re.compile(
    r"\b(?:(?:a |that's a |it's a |what a |very |really )(?:\w+ )?"
    r"(?:good|great|interesting|excellent|fantastic|tough|hard|fair) question"
    r"|thanks? (?:you )?for (?:the|that|your) question|let me (?:take|answer) th)"
)
# The chair giving the floor to someone in the room: "yes, the lady at the front", "over
# there", "on microphone two", "more views from the audience".
_FLOOR = re.compile(
    r"\b(?:(?:the|this|that) (?:young )?"
    r"(?:gentleman|gentlemen|lady|ladies|woman|man|person|student)"
    r"|(?:yes|yeah|okay|ok) (?:sir|ma'am|madam)|over (?:there|here)|(?:front|back|second|third) row"
    r"|(?:in|at|down|up|on) the (?:front|back|middle|corner|aisle|side)|microphones?|mics?"
    r"|hands? (?:up|there|here)|your hands?|(?:more|other|some|few) (?:views|voices|hands)"
    r"|(?:members? of|from|to|in) (?:the|our) (?:audience|floor|room)|stand up|your name)\b"
)
_CLOSE = re.compile(r"\b(?:thank you|thanks|cheers|great thank|okay thank|all right thank)\b")
_ASK_VERB = re.compile(
    r"\b(?:i was wondering|i'm wondering|i wonder|i'm curious|curious (?:to|about|if|whether)"
    r"|my question is|i'd like to (?:ask|know|hear)|can you (?:talk|tell|speak|say|explain|"
    r"comment|elaborate)|could you (?:talk|tell|speak|say|explain|comment|elaborate)"
    r"|tell (?:us|me) (?:about|more|a bit|a little)|talk (?:a little|a bit|more) about"
    r"|what do you think|what are your thoughts|how do you (?:see|feel|think))\b"
)
_FIRST_PERSON = frozenset({"i", "i'm", "i've", "we", "we're", "our", "my", "me", "us"})
_SECOND = frozenset({"you", "your", "you're", "you've", "yours"})
_WH = frozenset({"what", "how", "why", "which", "who", "where", "when", "whether"})
_OPENERS = ACK | {"so", "yeah", "yes", "hi", "hello", "hey", "now", "and", "alright"}
_FAMILIES = tuple(FAMILIES)

# Words whose place around a turn start says something (generic English, not one talk's):
# "okay so ...", "hi ...", "thank you ...", "do you ...", "and ..." (a turn going on).
# fmt: off
LEXICON = (
    "okay", "ok", "so", "alright", "thank", "thanks", "hi", "hello", "yeah", "yes", "um", "uh",
    "and", "but", "i", "i'm", "we", "you", "what", "how", "why", "do", "does", "is", "are",
    "can", "could", "would", "have", "there", "my", "next", "question", "another", "great",
    "cool", "well", "now", "just", "let's", "if", "that", "the", "this", "it", "in", "of",
    "to", "for", "also", "actually", "right", "no", "oh",
)
# fmt: on
_PLACES = {"w0": 0, "w1": 1, "w2": 2, "p1": -1}
# What the asker's role also reads, of the talk as a whole: in a lecture the floor asks
# (81 of 98 labelled questions in the corpus' lectures), in other talks mostly a moderator;
# and how often askers announce a question of their own ("my question is", "I was
# wondering"): the floor does, a moderator seldom
ROLE_NAMES = ("lecture", "announced")
# What the asker's role alone reads of each candidate: the share of the talk's floor-giving
# words ("the lady at the front") said by its first words (an audience asks after them)
ASKING_NAMES = ("floor_share",)

# What each turn's voice does over the talk, where the talk says who speaks (_voice_columns)
VOICE_NAMES = (
    "voices", "voice_turns", "voice_words", "voice_reply", "voice_first", "voice_rare",
    "voice_same", "voice_asker",
)  # fmt: skip

NAMES = (
    ["bias", "gap", "gap_big", "turn", "turn_near", "line_start", "ack", "opener", "closed"]
    + [f"cue_{f}" for f in _FAMILIES]
    + [f"cue_{f}_later" for f in _FAMILIES]
    + ["form_near", "form", "form_far", "wh", "you", "first_person", "ask_verb", "name_near"]
    + ["you_near", "you_before", "first_before", "form_before", "question_word"]
    + ["rule", "rule_pass", "rule_audience", "unmarked"]
    + ["intro", "thanks_talk", "floor_near", "floor_before", "answer_after"]
    + ["novelty", "novelty_pos", "meaning", "position"]
    + ["in_intro", "before_qa", "after_qa", "panel", "gap_after_q", "density", "pace_change"]
    + ["turn_rest", "turn_next", "turn_prev"]
    + list(VOICE_NAMES)
    + [f"{place}_{w}" for place in _PLACES for w in LEXICON]
)


@dataclass(frozen=True)
class Context:
    """What is known of the talk as a whole: its shape and its people."""

    panel: bool  # a moderated panel, AMA or interview (a moderator or host asks)
    names: frozenset[str]  # lowercase first names of the people answering
    intro_end: float  # when self-introductions end (0: none)
    qa_start: float | None  # when a talk opens the floor (None: it never does)
    duration: float
    hosted: bool = False  # a host's show (podcast, interview, AMA): the host asks
    lecture: bool = False  # one speaker, whom a host at most introduces
    announced: float = 0.0  # askers' own announcements of a question (announced_rate)

    @property
    def talk_first(self) -> bool:
        """A talk whose floor opens late if at all: no moderator (not a panel), or a
        lecture that a host introduces."""
        return not self.panel or self.lecture


@dataclass(frozen=True)
class Candidates:
    words: tuple[int, ...]  # index of each candidate's first word
    times: tuple[float, ...]
    rows: np.ndarray  # one row of NAMES per candidate
    grams: wording.Grams  # the words around each (the model weighs them: wording.py)
    asker_rows: np.ndarray  # one row of ASKING_NAMES per candidate

    @property
    def voiced(self) -> bool:
        """Whether the talk says who speaks (a voice is read at some candidate)."""
        return bool(self.rows[:, NAMES.index("voices")].any())


class _Marks:
    """Per-word 0/1 marks with prefix sums, for counts over word windows."""

    def __init__(self, n: int):
        self.n = n
        self._cols: dict[str, np.ndarray] = {}

    def add(self, name: str, mark: np.ndarray) -> None:
        self._cols[name] = np.concatenate([[0.0], np.cumsum(mark, dtype=float)])

    def total(self, name: str) -> float:
        return float(self._cols[name][-1])

    def count(self, name: str, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        c = self._cols[name]
        return c[np.clip(last, 0, self.n)] - c[np.clip(first, 0, self.n)]


def role_rows(rows: np.ndarray, ctx: Context) -> np.ndarray:
    """What the asker's-role model reads: `rows` (scorer.Model.asking's), then ROLE_NAMES."""
    talk = np.tile([float(ctx.lecture), ctx.announced], (len(rows), 1))
    return np.hstack([rows, talk])


_ANNOUNCE = re.compile(
    r"\b(?:my question|i was wondering|i'm wondering|i wonder|i'm curious|i'd like to ask)\b"
)


def announced_rate(words: list[Word]) -> float:
    """How often the talk's askers announce a question of their own ("my question is",
    "I was wondering"): per hour of the talk, log-scaled (1 at about 20 an hour)."""
    if not words:
        return 0.0
    hours = max(words[-1].time / 3600, 0.1)
    said = _ANNOUNCE.findall(" ".join(w.norm for w in words))
    return float(np.log1p(len(said) / hours) / 3)


def _starts(pattern: re.Pattern, text: Text, n: int) -> np.ndarray:
    mark = np.zeros(n)
    for m in pattern.finditer(text.text):
        mark[text.word_at(m.start())] = 1.0
    return mark


def _candidate_words(words: list[Word], cue_words: set[int]) -> list[int]:
    keep: list[int] = []
    for i, w in enumerate(words):
        new_line = i == 0 or words[i - 1].line != w.line
        if not (
            new_line
            or w.turn
            or i in cue_words
            or (words[i - 1].pause >= 0.5)
            or (w.norm in ACK and words[i - 1].norm not in ACK)
        ):
            continue
        if keep and w.time - words[keep[-1]].time < MERGE:
            continue
        keep.append(i)
    return keep


def candidates(words: list[Word], ctx: Context) -> Candidates:
    """Every possible question start in the talk, with its feature row."""
    n = len(words)
    if not n:
        empty = np.zeros((0, len(NAMES)))
        return Candidates((), (), empty, wording.grams([], []), np.zeros((0, len(ASKING_NAMES))))
    text = Text(words)
    marks = _Marks(n)
    cues = find_cues(text)
    for fam in _FAMILIES:
        mark = np.zeros(n)
        for c in cues:
            if c.family == fam:
                mark[c.word] = 1.0
        marks.add(fam, mark)
    norms = [w.norm for w in words]
    marks.add("form", _starts(QUESTION_FORM, text, n))
    marks.add("wh", np.array([t in _WH for t in norms], float))
    marks.add("you", np.array([t in _SECOND for t in norms], float))
    marks.add("first", np.array([t in _FIRST_PERSON for t in norms], float))
    marks.add("ask", _starts(_ASK_VERB, text, n))
    marks.add("question", np.array([t in ("question", "questions") for t in norms], float))
    marks.add("name", np.array([t in ctx.names for t in norms], float))
    marks.add("intro", _starts(_SELF_INTRO, text, n))
    marks.add("thanks", _starts(_THANKS_TALK, text, n))
    marks.add("answer", _starts(_ANSWER, text, n))
    marks.add("floor", _starts(_FLOOR, text, n))
    marks.add("close", _starts(_CLOSE, text, n))
    turns = np.array([w.turn for w in words], float)
    marks.add("turn", turns)

    cohesion = Cohesion(words)
    ruled = {r.anchor: r for r in rules.candidates(words, ctx.names, text, cues, cohesion)}
    idx = np.array(_candidate_words(words, {c.word for c in cues} | set(ruled)))
    times = np.array([words[i].time for i in idx])
    pause = np.array([w.pause for w in words])
    before = np.where(idx > 0, pause[np.maximum(idx - 1, 0)], 5.0)
    wtimes = np.array([w.time for w in words])
    line_start = np.array([i == 0 or words[i - 1].line != words[i].line for i in idx], float)

    def win(name: str, a: int, b: int) -> np.ndarray:
        return marks.count(name, idx + a, idx + b)

    cols: dict[str, np.ndarray] = {
        "bias": np.ones(len(idx)),
        "gap": np.log1p(np.minimum(before, 30.0)),
        "gap_big": (before >= 2.5).astype(float),
        "turn": win("turn", 0, 1),
        "turn_near": np.minimum(win("turn", -3, 4), 1.0),
        "line_start": line_start,
        "ack": np.array([words[i].norm in ACK for i in idx], float),
        "opener": np.array([words[i].norm in _OPENERS for i in idx], float),
        "closed": np.minimum(win("close", -8, 0), 1.0),
    }
    for fam in _FAMILIES:
        cols[f"cue_{fam}"] = np.minimum(win(fam, 0, NEAR), 1.0)
        cols[f"cue_{fam}_later"] = np.minimum(win(fam, NEAR, AHEAD), 1.0)
    cols |= {
        "form_near": np.minimum(win("form", 0, NEAR), 1.0),
        "form": np.minimum(win("form", 0, AHEAD), 2.0) / 2,
        "form_far": np.minimum(win("form", AHEAD, FAR), 2.0) / 2,
        "wh": np.minimum(win("wh", 0, AHEAD), 4.0) / 4,
        "you": win("you", 0, AHEAD) / AHEAD,
        "first_person": win("first", 0, AHEAD) / AHEAD,
        "ask_verb": np.minimum(win("ask", 0, AHEAD), 1.0),
        "name_near": np.minimum(win("name", 0, 8), 1.0),
        "you_near": np.minimum(win("you", 0, NEAR), 2.0) / 2,
        "you_before": win("you", -AHEAD, 0) / AHEAD,
        "first_before": win("first", -AHEAD, 0) / AHEAD,
        "form_before": np.minimum(win("form", -AHEAD, 0), 2.0) / 2,
        "question_word": np.minimum(win("question", 0, 25), 1.0),
        "intro": np.minimum(win("intro", 0, 30), 1.0),
        "thanks_talk": np.minimum(win("thanks", 0, 25), 1.0),
        "floor_near": np.minimum(win("floor", -12, NEAR), 1.0),
        "floor_before": np.minimum(win("floor", -AHEAD, -12), 1.0),
        "answer_after": np.minimum(win("answer", 8, 120), 1.0),
        "unmarked": float(marks.total("turn") >= MARKED) * (1 - cols["turn_near"]),
    }
    novelty = np.clip(np.array([cohesion.score(t) for t in times]), -3.0, 3.0)
    duration = max(ctx.duration, 1.0)
    qa = ctx.qa_start
    ahead_end = wtimes[np.clip(idx + AHEAD, 0, n - 1)]
    cols |= {
        "novelty": novelty / 3,
        "novelty_pos": np.maximum(novelty, 0.0) / 3,
        "meaning": np.clip(embed.novelty(words, times), -3.0, 3.0) / 3,
        "position": times / duration,
        "in_intro": (times < ctx.intro_end).astype(float),
        "before_qa": (
            times < (qa - 10 if qa is not None else np.inf if not ctx.panel else 0)
        ).astype(float),
        "after_qa": (times >= (qa - 10 if qa is not None else np.inf)).astype(float),
        "panel": np.full(len(idx), float(ctx.panel)),
        "gap_after_q": np.minimum(_longest_gap(pause, idx, AHEAD), 10.0) / 10,
        "density": np.minimum(AHEAD / np.maximum(ahead_end - times, 1.0), 5.0) / 5,
        "pace_change": _pace_change(wtimes, idx),
    }
    lex = {w: k for k, w in enumerate(LEXICON)}
    ids = np.array([lex.get(t, -1) for t in norms] + [-1, -1, -1])
    for place, off in _PLACES.items():
        at = ids[np.clip(idx + off, -1, n + 2)]
        for w, k in lex.items():
            cols[f"{place}_{w}"] = (at == k).astype(float)
    cols |= _rule_columns(ruled, idx, words)
    cols |= _turn_columns(turns, idx)
    cols |= _voice_columns(words, turns, idx)
    rows = np.column_stack([cols[k] for k in NAMES])
    found = wording.grams(norms, idx.tolist())
    share = marks.count("floor", np.zeros_like(idx), idx + NEAR) / max(marks.total("floor"), 1.0)
    return Candidates(
        tuple(int(i) for i in idx), tuple(float(t) for t in times), rows, found, share[:, None]
    )


def _rule_columns(ruled: dict[int, rules.RuleStart], idx: np.ndarray, words: list[Word]):
    """The hand-written rules' best score for a start within 2 s of each candidate."""
    score, audience = np.zeros(len(idx)), np.zeros(len(idx))
    times = np.array([words[i].time for i in idx])
    for r in ruled.values():
        near = np.flatnonzero(np.abs(times - words[r.anchor].time) <= 2.0)
        better = near[score[near] < r.score]
        score[better] = r.score
        audience[better] = float(r.asker == "audience")
    return {
        "rule": np.clip(score, 0.0, 8.0) / 8,
        "rule_pass": (score >= rules.THRESHOLD).astype(float),
        "rule_audience": audience,
    }


def _turn_columns(turn: np.ndarray, idx: np.ndarray) -> dict[str, np.ndarray]:
    """Where a talk marks its speaker changes (at least MARKED): how long, in words,
    the turn goes on from each candidate, how long the next turn is (a question's
    answer is long) and the turn before (an answer that a question ends). Log-scaled."""
    zero = np.zeros(len(idx))
    marks = np.flatnonzero(turn)
    if len(marks) < MARKED:
        return {"turn_rest": zero, "turn_next": zero, "turn_prev": zero}
    bounds = np.concatenate([[0], marks, [len(turn)]])
    k = np.searchsorted(bounds, idx, side="right")  # bounds[k-1] <= idx < bounds[k]
    nxt = np.minimum(k + 1, len(bounds) - 1)  # the last turn has none after it: 0
    scale = np.log1p(400.0)  # words: a long answer reads about 1
    return {
        "turn_rest": np.log1p(bounds[k] - idx) / scale,
        "turn_next": np.log1p(bounds[nxt] - bounds[k]) / scale,
        "turn_prev": np.log1p(bounds[k - 1] - bounds[np.maximum(k - 2, 0)]) / scale,
    }


def _voice_columns(words: list[Word], turn: np.ndarray, idx: np.ndarray) -> dict[str, np.ndarray]:
    """Where the talk names who speaks each turn (captions' labels, heard voices; at
    least MARKED turns by two or more voices), for each candidate within 3 words of a
    turn's start, what that turn's voice does over the whole talk: its share of the
    turns and of the words, how much longer the turns that answer it run than its own
    (an asker's are short and draw long replies), whether it is the talk's main asker,
    whether this is its first turn or one of its only two (a voice from the floor),
    and whether the turn before was its own too (no real change of voice)."""
    cols = {k: np.zeros(len(idx)) for k in VOICE_NAMES}
    turns = np.flatnonzero(turn)  # `turn`: 1 at each turn's first word
    voice = [words[i].speaker for i in turns]
    if sum(map(bool, voice)) < MARKED or len(set(voice) - {""}) < 2:
        return cols
    size = np.diff(np.append(turns, len(words)))
    reply = np.log((np.append(size[1:], size[-1]) + 20) / (size + 20))
    stats = {v: np.flatnonzero([u == v for u in voice]) for v in set(voice) - {""}}
    # the talk's main asker: the voice whose turns most often draw a reply twice as long
    other = np.array([v != w for v, w in zip(voice, voice[1:], strict=False)] + [False])
    drew = other & (np.append(size[1:], 0) >= 2 * size)
    asker = max(sorted(stats), key=lambda v: int(drew[stats[v]].sum()))
    # the turn each reads: the one it starts, else the one under way 3 words on
    own = np.searchsorted(turns, idx, side="right") - 1
    at = np.where(turns[own] == idx, own, np.searchsorted(turns, idx + 3, "right") - 1)
    near = np.abs(turns[at] - idx) <= 3
    for row, k in enumerate(at):
        if k < 0 or not voice[k] or not near[row]:
            continue
        mine = stats[voice[k]]
        cols["voices"][row] = 1.0
        cols["voice_turns"][row] = len(mine) / len(turns)
        cols["voice_words"][row] = size[mine].sum() / size.sum()
        cols["voice_reply"][row] = np.clip(reply[mine].mean() / 3, -1.0, 1.0)
        cols["voice_first"][row] = float(mine[0] == k)
        cols["voice_rare"][row] = float(len(mine) <= 2)
        cols["voice_same"][row] = float(k > 0 and voice[k - 1] == voice[k])
        cols["voice_asker"][row] = float(voice[k] == asker)
    return cols


def _pace_change(wtimes: np.ndarray, idx: np.ndarray, span: int = 40) -> np.ndarray:
    """How far the speaking rate after each candidate differs from the rate before it
    (another voice often speaks at another pace): |log ratio| of the seconds a word
    takes over the `span` words on each side (each word's step capped at 2 s, so a long
    pause counts as 2 s), at most 1."""
    n = len(wtimes)
    step = np.minimum(np.diff(wtimes, append=wtimes[-1]), 2.0)
    cum = np.concatenate([[0.0], np.cumsum(step)])
    lo, hi = np.maximum(idx - span, 0), np.minimum(idx + span, n - 1)
    before = (cum[idx] - cum[lo]) / np.maximum(idx - lo, 1)
    after = (cum[hi] - cum[idx]) / np.maximum(hi - idx, 1)
    ratio = np.log((after + 0.05) / (before + 0.05))
    return np.minimum(np.abs(ratio), 1.0)


def _longest_gap(pause: np.ndarray, idx: np.ndarray, span: int) -> np.ndarray:
    """The longest caption gap within `span` words after each candidate (a question
    is often followed by a beat before the answer)."""
    out = np.zeros(len(idx))
    for k, i in enumerate(idx):
        seg = pause[i + 3 : i + span]
        out[k] = float(seg.max()) if seg.size else 0.0
    return out
