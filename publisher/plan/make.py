"""make_plan: a talk's transcript -> one segment per question.

It corrects the transcript (glossary, people's names), finds where each question
starts (.segment), then titles, tags and credits every segment. The plan file next
to the seed (.planfile) is the editable form of the result. Imported on first use
(publisher.plan), as it loads the planner's models.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..ingest.people import CONVERSATION
from ..model import Line, Plan, Segment, Talk, new_guid
from .features import Context
from .glossary import apply_glossary, talk_glossary
from .replan import NEAR
from .scorer import Model
from .segment import Boundary, context, find_boundaries, intro_end
from .speakers import attribute, segment_credits
from .titles import announced_topic, case_word, clean, is_pleasantry, question_title
from .topics import STOP, Topics, normalise_topic, plain_noun
from .words import Word, stem, words_of

__all__ = [
    "corrected_transcript",
    "make_plan",
    "is_hosted",
    "is_lecture",
    "is_panel",
    "new_guid",
    "read_talk",
]

_PANEL = re.compile(
    r"\b(?:panel|q\s*&\s*a|q and a|ask me anything|ama|fireside|discussion)\b", re.I
)
# A show its title or series calls a podcast, interview, conversation or AMA: the host asks
# (segment.find_boundaries).
_HOSTED = re.compile(
    r"\b(?:podcast|interview|conversation|fireside|chat|ask me anything|ama)\b", re.I
)
# A talk its title or description calls a conversation ("A talks with B") or a show's
# episode: its host asks along the way, not a speaker's floor at the end (is_lecture)
_CONVERSED = re.compile(r"\b(?:(?:talks|speaks|chats|sits down) with|episodes?)\b", re.I)
TURN_WORDS = 100  # words of the asking turn searched for the question's title
# words after a start searched for a question before it is dropped (_asking): a lead-in
# can run long before the question (cross-validated: 70 words lost 1 in 5 labelled ones)
ASK_WORDS = 140
QUESTION_WORDS = 30  # of those, the ones most likely still the asker's (for the topic)


def is_panel(talk: Talk) -> bool:
    return talk.moderator is not None or bool(_PANEL.search(talk.title))


def is_hosted(talk: Talk) -> bool:
    return bool(_HOSTED.search(f"{talk.title} {talk.playlist}"))


def is_lecture(talk: Talk) -> bool:
    """One speaker, whom a host at most introduces, neither in a host's show nor in a
    talk its title calls a panel or Q&A, nor one its title or description calls a
    conversation or an episode: a talk first, whose floor opens late if at all."""
    return (
        len(talk.speakers) <= 1
        and not is_hosted(talk)
        and not _PANEL.search(talk.title)
        and not CONVERSATION.search(talk.description)
        and not _CONVERSED.search(f"{talk.title} {talk.description}")
    )


def first_names(talk: Talk) -> set[str]:
    """Lowercase first names of the panel or presenters (not the moderator)."""
    return {p.name.split()[0].lower() for p in talk.speakers if p.name.split()}


def corrected_transcript(talk: Talk, glossary: dict[str, str] | None = None) -> list[Line]:
    """The transcript with glossary terms and people's names corrected, speakers filled in."""
    return _corrected(talk, talk_glossary(talk, glossary))


def _corrected(talk: Talk, full_glossary: dict[str, str]) -> list[Line]:
    lines = apply_glossary(talk.transcript, full_glossary)
    end = intro_end(words_of(lines), first_names(talk)) if is_panel(talk) else 0.0
    return attribute(lines, talk, end)


def read_talk(
    talk: Talk, full_glossary: dict[str, str], speaking: Callable[[float], str] | None = None
) -> tuple[list[Line], list[Word], Context]:
    """The corrected transcript, its words, and what the question model reads of the talk.
    `speaking`: who speaks at a time, where the voices were heard (speech/naming.py); it
    says who speaks each word, in place of the captions' labels."""
    lines = _corrected(talk, full_glossary)
    words = words_of(lines)
    if speaking is not None:
        words = [replace(w, speaker=speaking(w.time)) for w in words]
    applause = [c.start for c in talk.cues if "applause" in c.text.lower()]
    addressed = {part.lower() for p in talk.speakers for part in p.name.split() if len(part) > 2}
    ctx = context(
        words, is_panel(talk), first_names(talk), applause, talk.duration, addressed,
        is_hosted(talk), is_lecture(talk),
    )  # fmt: skip
    return lines, words, ctx


def _known_casing(lines: list[Line], talk: Talk, glossary: dict[str, str]) -> dict[str, str]:
    """Spellings with capitals that the captions, the glossary or the speaker list use."""
    seen: dict[str, Counter] = {}
    for ln in lines:
        for tok in ln.text.split():
            seen.setdefault(tok.lower(), Counter())[tok] += 1
    known = {
        low: forms.most_common(1)[0][0]
        for low, forms in seen.items()
        if not forms.most_common(1)[0][0].islower() and low != "i"
    }
    for term in [v for v in glossary.values() if " " not in v] + [p.name for p in talk.people]:
        known.update({t.lower(): t for t in term.split()})
    return known


def _snap(t: float, pauses: list[tuple[float, float]]) -> float:
    """Move a start into the pause just before it, if there is one within 2 s."""
    near = [(s, e) for s, e in pauses if s <= t + 0.5 and e >= t - 2.0]
    return max(near, key=lambda p: p[1])[1] - 0.1 if near else t


def _stick(starts: list[float], kept: list[tuple[float, float]]) -> list[float]:
    """Each start the old plan had within NEAR of where its planner put it, where
    that old start is (unless that would put two starts out of order)."""

    def moved(t: float) -> float:
        near = min(kept, key=lambda k: abs(t - k[0]), default=None)
        return near[1] if near and abs(t - near[0]) <= NEAR else t

    out = [moved(t) for t in starts]
    return out if all(a < b for a, b in zip([0.0, *out], out, strict=False)) else starts


def make_plan(
    talk: Talk,
    glossary: dict[str, str] | None = None,
    pauses: Callable[[], list[tuple[float, float]]] | None = None,
    model: Model | None = None,
    kept: list[tuple[float, float]] | None = None,
    speaking: Callable[[float], str] | None = None,
) -> Plan:
    """A first plan: intro (panel) or talk body, then one segment per question.

    Segments run contiguously from 0 to the end of the talk, at 0.1 s (the plan
    file's resolution, so a saved and reloaded plan cuts at the same times).
    `kept` (replan.kept_starts): an old plan's starts, where a start found again
    stays, so each clip's title, keywords and speakers describe it as it is cut.
    `pauses` gives the audio's silences; it is called only once the starts are found
    (a build decodes the audio meanwhile: pipeline.stages.plan_talk). `speaking`: who
    speaks at a time, where the voices were heard (read_talk).
    """
    full_glossary = talk_glossary(talk, glossary)
    lines, words, ctx = read_talk(talk, full_glossary, speaking)
    reader = Asking.of(talk, lines, words, full_glossary)
    known, pairs, names = reader.known, reader.pairs, reader.names
    bounds = _asking(find_boundaries(words, ctx, model), reader)
    end = math.floor(max(talk.duration, lines[-1].end if lines else 0.0) * 10) / 10
    quiet = pauses() if pauses else []
    found = _stick([round(_snap(b.start, quiet), 1) for b in bounds], kept or [])
    starts = [0.0, *found, end]
    spans = list(zip(starts, starts[1:], strict=False))
    clips = [[w.norm for w in words if a <= w.time < b] for a, b in spans]
    topics = Topics(clips, set(known), names)
    segments: list[Segment] = []
    for i, (a, b) in enumerate(spans):
        bound = bounds[i - 1] if i else None
        stop = bounds[i].anchor if i < len(bounds) else len(words)
        turn = _turn(words, bound, stop)
        ranked = topics.ranked(i, clean(" ".join(w.norm for w in turn)).split())
        # its terms: keywords, and what a title may be headed by (not "cool" said once)
        terms = [k for k in ranked if topics.distinct(i, k)]
        if bound is None:
            kind = "talk" if ctx.talk_first or not bounds else "intro"
            title = "Welcome and introductions" if kind == "intro" else talk.title
            title_words = re.findall(r"[\w'-]+", title.lower())
            topic = (
                "Introductions"
                if kind == "intro"
                else (topics.best_in(i, title_words, multi=True) or (ranked or ["General"])[0])
            )
        elif bound.kind == "outro":
            kind, title, topic = "outro", "Closing", "Closing"
        else:
            kind = "question"
            kw_words = {w for k in ranked[:5] for w in k.split()}
            turn_text = " ".join(w.text for w in turn)
            title = question_title(turn_text, kw_words, known, pairs, names=names, about=terms[:5])
            if not asks(title, names):  # the title _asking found a question in
                title = reader.title(bound.anchor, stop)
            topic = _topic(topics, i, ranked, title, turn)
        credits = segment_credits(kind, bound.asker if bound else "", talk, " ".join(clips[i]))
        keywords = _keywords(terms, clips[i], known)
        guid = new_guid(talk.video_id, a, {s.guid for s in segments})
        topic = normalise_topic(topic, known)  # summary: the notes write it from these
        segments.append(Segment(a, b, kind, title, topic, keywords, credits, guid))
    return Plan(talk.video_id, segments, transcript=lines)


def _asking(bounds: list[Boundary], reader: Asking) -> list[Boundary]:
    """The starts whose turn asks something: one whose title finds no question in
    it, or could only be a pleasantry (thanks, a greeting, a name), stays part of
    the clip before it (`asks`); closing words always stay."""
    anchors = [b.anchor for b in bounds]
    return [bounds[i] for i in reader.kept(anchors, [b.kind != "question" for b in bounds])]


@dataclass(frozen=True)
class Asking:
    """Whether a turn asks a question, read as its title would be: the talk's words,
    casings (`known`), two-word terms (`pairs`) and people's lowercase names. Each
    turn's title is read once (make_plan titles a kept start whose own title asks
    nothing with it; training asks about the same turns for every setting it tries)."""

    words: list[Word]
    known: dict[str, str]
    pairs: set[tuple[str, str]]
    names: set[str]
    _titles: dict[tuple[int, int], str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, talk: Talk, lines: list[Line], words: list[Word], glossary: dict[str, str]):
        known = _known_casing(lines, talk, glossary)
        names = {part.lower() for p in talk.people for part in p.name.split()}
        return cls(words, known, _pairs([w.norm for w in words], known), names)

    def title(self, anchor: int, stop: int) -> str:
        """The keyword-free title of the turn from `anchor`, at most ASK_WORDS words
        and never past `stop`."""
        span = (anchor, min(anchor + ASK_WORDS, stop))
        if span not in self._titles:
            text = " ".join(w.text for w in self.words[slice(*span)])
            self._titles[span] = question_title(
                text, set(), self.known, self.pairs, names=self.names
            )
        return self._titles[span]

    def asks(self, anchor: int, stop: int) -> bool:
        return asks(self.title(anchor, stop), self.names)

    def kept(self, anchors: list[int], sure: list[bool] | None = None) -> list[int]:
        """Indices of the starts at `anchors` (in order) that ask, or are `sure`. Read
        from the last: each turn runs to the next start kept, as its clip will."""
        out: list[int] = []
        for i in range(len(anchors) - 1, -1, -1):
            stop = anchors[out[-1]] if out else len(self.words)
            if (sure and sure[i]) or self.asks(anchors[i], stop):
                out.append(i)
        return out[::-1]


def asks(title: str, names: set[str]) -> bool:
    """A title that puts a question: not a pleasantry, nor one word ("Train?")."""
    return title.endswith("?") and len(title.split()) > 1 and not is_pleasantry(title, names)


def _pairs(norms: list[str], known: dict[str, str]) -> set[tuple[str, str]]:
    """Two-word terms naming something the talk capitalises ("kvm api"), said more
    often without an 'and' between them than with one (a misheard 'KVM and API')."""
    two = Counter(zip(norms, norms[1:], strict=False))
    joined = Counter(
        (a, c) for a, b, c in zip(norms, norms[1:], norms[2:], strict=False) if b == "and"
    )
    return {
        (a, b)
        for (a, b), n in two.items()
        if n >= 2 and n > joined[(a, b)] and a in known and b in known and a != b
    }


def _keywords(ranked: list[str], clip: list[str], known: dict[str, str]) -> list[str]:
    """3-8 keywords: the clip's best phrases, topped up with its most frequent words;
    none inside another, none a filler, cased as the talk and glossary spell them."""
    common = Counter(w for w in clip if w not in STOP and len(w) > 3 and plain_noun(w))
    out: list[str] = []
    for k in list(ranked[:8]) + [w for w, _ in common.most_common(8)]:
        stems = f" {' '.join(stem(w) for w in k.lower().split())} "
        if any(stems in f" {o} " or o in stems for o in out) or set(k.split()) <= STOP:
            continue
        out.append(stems.strip())
        if len(out) == 8 or (len(out) >= 3 and k not in ranked):
            break
    surface = {" ".join(stem(w) for w in k.lower().split()): k for k in ranked + list(common)}
    return [" ".join(case_word(w, known) for w in surface[o].split()) for o in out]


def _topic(topics: Topics, index: int, ranked: list[str], title: str, turn: list[Word]) -> str:
    """The subject the asker names, else the phrase of the title (or the asker's words)
    that best names the clip, longer phrases first, else the clip's best phrase."""
    named = announced_topic(" ".join(w.norm for w in turn[:QUESTION_WORDS]))
    if named:
        return named
    title_words = re.findall(r"[\w'-]+", title.lower())
    asked = [w.norm for w in turn[:QUESTION_WORDS]]
    return (
        topics.best_in(index, title_words, multi=True)
        or topics.best_in(index, asked, multi=True)
        or topics.best_in(index, title_words)
        or (ranked or ["General"])[0]
    )


def _turn(words: list[Word], bound: Boundary | None, stop: int) -> list[Word]:
    if bound is None:
        return []
    return words[bound.anchor : min(bound.anchor + TURN_WORDS, stop)]
