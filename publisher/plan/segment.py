"""Find where each question starts.

Candidates (publisher.plan.features) are scored by the trained model
(publisher.plan.scorer) and chosen over the whole talk at once
(publisher.plan.decode). Each chosen start also gets its asker's role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .cues import Text, qa_openings
from .decode import choose, roles
from .features import NAMES, Candidates, Context, announced_rate, candidates, role_rows
from .rules import GAP
from .scorer import Model, bundled_model
from .words import Word

QA_AFTER_APPLAUSE = 30.0  # seconds of speech after applause that make it a Q&A

_INTRO = re.compile(
    r"\b(?:my name is|name's|i'm \w+ (?:from|and i work|i work)|i work (?:for|at))\b"
)
_REPEAT = NAMES.index("cue_repeat")


@dataclass(frozen=True)
class Boundary:
    start: float  # seconds
    anchor: int  # first word of the asking turn
    asker: str  # "moderator" or "audience"
    score: float  # the model's log-odds
    kind: str = "question"  # or "outro": the closing words, to the end


# Closing a session: thanking everyone, the speakers or the audience, out of time.
_CLOSING = re.compile(
    r"\b(?:thanks?(?: you)? (?:(?:so|very) much )?(?:everyone|everybody|all|guys)"
    r"|thanks?(?: you)? (?:all )?for (?:coming|joining|being here|listening|watching)"
    r"|(?:let's|please|join me in|let us) (?:\w+ )?(?:thank|give)\b"
    r"|(?:a )?(?:big )?round of applause|that's all (?:the time )?we have"
    r"|(?:we're|we are) (?:out of|over) time|see you (?:all )?(?:next|tomorrow|later))"
)
INTRO_OPENS = 0.1  # of the talk: a round of introductions starts before this
INTRO_GAP = 120.0  # seconds between one introduction and the next in the round
TALK_BODY = 0.4  # of a talk with no words opening the floor: no questions before this
UNOPENED = 1.0  # log-odds more a start needs in a talk whose floor no words open
CLOSING_AFTER = 0.75  # of the talk: a closing before this is only thanks in passing
CLOSING_WORDS = 20
CLOSING_LEFT = 80  # words: closing words end a talk, with at most this much after them


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


def intro_end(words: list[Word], names: set[str] | frozenset = frozenset()) -> float:
    """When the round of self-introductions at the start of a panel ends (0 if
    there is none): introductions that follow one another, the first of them
    early in the talk (counted from its first word: captions that start late, after
    music or a trimmed lead-in, move the round, not the talk's shape). A lone "I'm
    Richard" is an answer, not a round."""
    text = Text(words)
    first, last = (words[0].time, words[-1].time) if words else (0.0, 0.0)
    times = [words[text.word_at(m.start())].time for m in _INTRO.finditer(text.text)]
    times += [
        w.time for i, w in enumerate(words[1:], 1) if w.norm in names and words[i - 1].norm == "i'm"
    ]
    times = sorted(times)
    if not times or times[0] - first > INTRO_OPENS * (last - first):
        return 0.0
    chain = times[:1]
    for t in times[1:]:
        if t - chain[-1] > INTRO_GAP:
            break
        chain.append(t)
    return chain[-1] + 1.0 if len(chain) > 1 else 0.0


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


def context(
    words: list[Word],
    panel: bool,
    names: set[str] | frozenset = frozenset(),
    applause: list[float] | None = None,
    duration: float = 0.0,
    addressed: set[str] | frozenset = frozenset(),
    hosted: bool = False,
    lecture: bool = False,
) -> Context:
    """The talk-wide facts the model reads: shape, people, introductions, Q&A.
    `names`: first names (for introductions); `addressed`: every part of the
    answering people's names, by which a question may be put to them."""
    return Context(
        panel=panel,
        names=frozenset(addressed or names),
        intro_end=intro_end(words, names) if panel else 0.0,
        qa_start=qa_start(words, applause),
        duration=max(duration, words[-1].time if words else 0.0),
        hosted=hosted,
        lecture=lecture,
        announced=announced_rate(words),
    )


def choose_starts(found: Candidates, logits: np.ndarray, model: Model, ctx: Context) -> list[int]:
    """Indices into `found` of the question starts the model chooses: in a panel
    after the self-introductions; in a talk (`ctx.talk_first`: no moderator, or one
    speaker a host introduces) only once the floor is opened, or past TALK_BODY of
    it, and with UNOPENED more evidence, when no words open it. `logits`: the
    model's, of each candidate."""
    times = np.asarray(found.times)
    gains = logits - model.offset_for(found)
    if not ctx.talk_first:  # the round of self-introductions asks nothing
        gains[times < ctx.intro_end] = -np.inf
    else:
        if ctx.qa_start is None:
            gains -= UNOPENED
            opened = TALK_BODY * ctx.duration
        else:
            opened = ctx.qa_start - 10.0
        gains[times < opened] = -np.inf
    return choose(times, gains, model.short, model.penalty)


def asked_by_audience(rows: np.ndarray, ctx: Context, model: Model) -> np.ndarray:
    """Whether each question, in time order (`rows`: what the role model reads of its
    start, Model.asking), is asked from the audience: never in a host's show (134 of
    the corpus's 136 questions in such shows are the host's); elsewhere the role
    model's, smoothed over the run."""
    if ctx.hosted:
        return np.zeros(len(rows), bool)
    return roles(model.audience_probability(role_rows(rows, ctx)), model.switch)


def find_boundaries(words: list[Word], ctx: Context, model: Model | None = None) -> list[Boundary]:
    """The question starts, in time order, each with its asker's role: in a show its
    title calls a podcast, interview, conversation or AMA, the host's (`ctx.hosted`);
    elsewhere the audience model's, smoothed over the run of questions."""
    model = model or bundled_model()
    found = candidates(words, ctx)
    if not found.words:
        return []
    logits = model.start_logits(found)
    chosen = choose_starts(found, logits, model, ctx)
    audience = asked_by_audience(model.asking(found)[chosen], ctx, model)
    out = []
    for k, asked in zip(chosen, audience, strict=True):
        anchor = found.words[k]
        start = found.times[k]
        if found.rows[k, _REPEAT]:
            start = _asked_in_gap(words, anchor) or start
        asker = "audience" if asked else "moderator"
        if _closes(words, anchor, ctx.duration):
            out.append(Boundary(start, anchor, asker, float(logits[k]), "outro"))
            break  # what follows the closing words is part of them
        out.append(Boundary(start, anchor, asker, float(logits[k])))
    closing = _closing_words(words, out[-1].anchor, ctx.duration) if out else None
    if closing is not None and out[-1].kind != "outro":
        out.append(Boundary(words[closing].time, closing, "moderator", 0.0, "outro"))
    return out


def _closing_words(words: list[Word], after: int, duration: float) -> int | None:
    """The first word of the caption line where the talk's closing words start ("please
    give Mark a big hand"), when they come after the turn at `after`, late in the talk,
    and little speech (CLOSING_LEFT words) follows them; else None."""
    first = max(after + CLOSING_WORDS + 1, len(words) - CLOSING_LEFT)
    tail = Text(words[first:])  # only the talk's last words can close it
    for m in _CLOSING.finditer(tail.text):
        k = first + tail.word_at(m.start())
        if words[k].time >= CLOSING_AFTER * duration:
            while k > after + CLOSING_WORDS and words[k - 1].line == words[k].line:
                k -= 1
            return k
    return None


def _closes(words: list[Word], anchor: int, duration: float) -> bool:
    """Does the turn at `anchor` close the session (late in the talk)?"""
    if words[anchor].time < CLOSING_AFTER * duration:
        return False
    return bool(_CLOSING.search(" ".join(w.norm for w in words[anchor : anchor + CLOSING_WORDS])))
