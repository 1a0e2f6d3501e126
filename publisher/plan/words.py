"""Words of a transcript with estimated times: the common input of every plan signal."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..model import WORD_SECONDS, Line


def wordset(text: str) -> frozenset[str]:
    """A set of words written as one space-separated string."""
    return frozenset(text.split())


STOPWORDS = wordset(
    """
    a about above actually after again against all almost also am an and any anyway are
    aren't around as at be because been before being below between both but by can can't
    cannot could couldn't did didn't do does doesn't doing don't done down during each
    either else even ever every few for from further get gets getting go goes going gonna
    got guess guys had hadn't has hasn't have haven't having he he's her here here's hers
    herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its
    itself just kind know let's like lot lots maybe me mean more most much must my myself no
    nor not now of off ok okay on once one only or other ought our ours ourselves out over
    own pretty probably quite rather really right said same say saying see she she's should
    shouldn't so some something sort still such sure than thank thanks that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've
    thing things think this those though through to too um uh under until up us very via
    want wanted was wasn't way we we'd we'll we're we've well were weren't what what's when
    when's where where's whether which while who who's whom why why's will with won't would
    wouldn't yeah yes yet you you'd you'll you're you've your yours yourself yourselves
    without within across toward towards upon per onto
    """
)

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'+./_-]*[A-Za-z0-9+]|[A-Za-z0-9]")


@dataclass(frozen=True)
class Word:
    text: str  # as in the transcript
    norm: str  # lowercase, for matching
    time: float  # start, seconds: the captions' where they time words, else estimated
    line: int  # index of its transcript line
    pause: float  # silence (or uncaptioned speech) after it, seconds
    turn: bool = False  # the first word of a Line where a new speaker starts (Line.turn)
    speaker: str = ""  # its Line's speaker, where known


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, stable stemmer (enough to match 'patches' with 'patch')."""
    w = word.lower()
    for suffix in ("ations", "ation", "ings", "ing", "ies", "es", "s", "ed", "ly"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return w


def content(norms: list[str]) -> list[str]:
    """The stems of the words that carry meaning."""
    return [stem(w) for w in norms if w not in STOPWORDS and len(w) > 2 and not w.isdigit()]


def words_of(lines: list[Line]) -> list[Word]:
    """Each line's words at the times the captions give them; the slack after a word
    (beyond WORD_SECONDS to say it) is a pause. Where they give none, the words are
    spread over the line's span and the slack after the last is the pause."""
    out: list[Word] = []
    for i, line in enumerate(lines):
        for k, (tok, at, pause) in enumerate(_timed_tokens(line)):
            first = line.turn and k == 0
            out.append(Word(tok, tok.lower(), at, i, max(pause, 0.0), first, line.speaker or ""))
    return out


def _timed_tokens(line: Line) -> list[tuple[str, float, float]]:
    """(token, start, pause after it) for each token of a line."""
    words = line.text.split()
    if not line.word_times or len(line.word_times) != len(words):
        toks = tokens(line.text)
        step = min((line.end - line.start) / len(toks), WORD_SECONDS) if toks else 0.0
        slack = (line.end - line.start) - step * len(toks)
        return [
            (tok, line.start + k * step, slack if k == len(toks) - 1 else 0.0)
            for k, tok in enumerate(toks)
        ]
    timed = [(tok, at) for w, at in zip(words, line.word_times, strict=True) for tok in tokens(w)]
    nexts = [at for _, at in timed[1:]] + [line.end]
    return [(tok, at, nxt - at - WORD_SECONDS) for (tok, at), nxt in zip(timed, nexts, strict=True)]
