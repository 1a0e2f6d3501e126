"""Correct misheard names and terms in the captions.

Two sources: the show's glossary (misheard -> right, matched as whole words,
case-insensitively, also across caption line breaks) and the talk's own
people, found by first name plus a surname that sounds alike ("Peter finer"
-> "Peter Feiner") or after a self-introduction ("my name is Cornelia Luke").
"""

from __future__ import annotations

import re
from dataclasses import replace

import jellyfish
from lemminflect import getAllLemmas
from rapidfuzz.distance import JaroWinkler

from ..model import Line, Speaker, Talk
from .words import STOPWORDS

_EDGE = re.compile(r"^\W+|\W+$")
_INTRO = (("my", "name", "is"), ("name", "is"), ("i'm",), ("i", "am"), ("this", "is"))


def key(token: str) -> str:
    return _EDGE.sub("", token.lower())


def _sounds_like(heard: str, name: str) -> bool:
    heard, name = heard.lower(), name.lower()
    if heard in STOPWORDS or len(heard) < 3:
        return False
    if heard not in getAllLemmas(heard).get("VERB", (heard,)):
        return False  # an inflected verb ("finished"), not a misheard name
    if jellyfish.metaphone(heard) == jellyfish.metaphone(name):
        return True
    return bool(jellyfish.match_rating_comparison(heard, name)) and (
        JaroWinkler.similarity(heard, name) >= 0.6
    )


def _name_at(keys: list[str], i: int, person: Speaker, introduced: bool) -> int:
    """How many tokens at keys[i:] are a (misheard) mention of person; 0 if none."""
    parts = person.name.split()
    if len(parts) < 2 or i + len(parts) > len(keys):
        return 0
    whole = _whole_name(keys[i : i + 3], person, introduced)
    if whole:
        return whole
    heard = keys[i : i + len(parts)]
    first_ok = heard[0] == parts[0].lower()
    if not first_ok and introduced:
        first_ok = (
            heard[0] not in STOPWORDS and JaroWinkler.similarity(heard[0], parts[0].lower()) >= 0.85
        )
    if first_ok and all(_sounds_like(h, p) for h, p in zip(heard[1:], parts[1:], strict=True)):
        return len(parts)
    if introduced and len(parts) == 2 and len(parts[-1]) <= 3 and heard[0] not in STOPWORDS:
        # "my name is the wampum" -> Wanpeng Li: one heard word for a short name
        same = jellyfish.soundex(heard[0]) == jellyfish.soundex(parts[0])
        return 1 if same and _sounds_like(heard[0], parts[0]) else 0
    return 0


def _whole_name(heard: list[str], person: Speaker, introduced: bool) -> int:
    """How many heard words spell the person's whole name by sound, however the
    captions split it ("Peter fine er", "corneliahuck"); after a self-introduction
    also a looser match ("I'm Christa Monica" -> Christian Borntraeger). 0 if none.
    Words a dictionary knows are never taken for a surname."""
    name = "".join(person.name.lower().split())
    for n in (3, 2, 1):
        words = heard[:n]
        if len(words) < n or any(w in STOPWORDS or not w.isalpha() for w in words):
            continue
        said = "".join(words)
        if said[0] != name[0] or len(said) < 6 or n == len(person.name.split()) == 1:
            continue
        if getAllLemmas(words[-1]) or (
            n > 1 and words[0] != person.name.split()[0].lower() and not introduced
        ):
            continue  # "Peter said", "Christian and": a word, not a surname
        if jellyfish.metaphone(said) == jellyfish.metaphone(name):
            return n
        first = JaroWinkler.similarity(words[0], person.name.split()[0].lower())
        if introduced and n > 1 and first >= 0.85 and JaroWinkler.similarity(said, name) >= 0.85:
            return n
    return 0


def _after_intro(keys: list[str], i: int) -> bool:
    if i == 0 or keys[i - 1] not in {"is", "i'm", "am", "the", "uh", "um"}:
        return False
    for phrase in _INTRO:
        n = len(phrase)
        for skip in (0, 1, 2):  # "my name is the the wampum"
            j = i - n - skip
            if (
                j >= 0
                and tuple(keys[j : j + n]) == phrase
                and all(k in ("the", "uh", "um") for k in keys[j + n : i])
            ):
                return True
    return False


def people_glossary(talk: Talk, lines: list[Line]) -> dict[str, str]:
    """Misheard -> right for the talk's people, as they occur in these lines."""
    toks = [t for ln in lines for t in ln.text.split()]
    keys = [key(t) for t in toks]
    firsts = {p.name.split()[0].lower() for p in talk.people if p.name.split()}
    found: dict[str, str] = {}
    for i in range(len(keys)):
        introduced = _after_intro(keys, i)
        if not introduced and keys[i] not in firsts:
            continue
        for person in talk.people:
            n = _name_at(keys, i, person, introduced)
            if n:
                heard = " ".join(toks[i : i + n])
                if heard != person.name:
                    found[heard] = person.name
                break
    return found


def apply_glossary(lines: list[Line], glossary: dict[str, str]) -> list[Line]:
    """Replace every glossary term, longest first; terms may span line breaks. Word
    times stay: the right words take the heard ones' times in order (a merged term
    its first word's); a line whose right words outnumber the heard loses its times."""
    terms: dict[str, list[tuple[tuple[str, ...], str]]] = {}  # first word -> terms
    for k, v in glossary.items():
        words = tuple(key(t) for t in k.split())
        if words:
            terms.setdefault(words[0], []).append((words, v))
    if not terms:
        return list(lines)
    for options in terms.values():
        options.sort(key=lambda kv: -len(kv[0]))
    toks = [(i, t, [at]) for i, ln in enumerate(lines) for t, at in _timed(ln)]
    keys = [key(t) for _, t, _ in toks]
    out: list[tuple[int, str, list[float | None]]] = []  # (line, text, its words' times)
    i = 0
    while i < len(toks):
        for term, right in terms.get(keys[i], ()):
            if tuple(keys[i : i + len(term)]) == term:
                tail = re.sub(r"^.*?(\W*)$", r"\1", toks[i + len(term) - 1][1])
                said = len((right + tail).split())
                heard = [at for _, _, (at,) in toks[i : i + len(term)]]
                out.append((toks[i][0], right + tail, (heard + [None] * said)[:said]))
                i += len(term)
                break
        else:
            out.append(toks[i])
            i += 1
    texts: dict[int, list[tuple[str, list[float | None]]]] = {}
    for li, t, times in out:
        texts.setdefault(li, []).append((t, times))
    fixed: list[Line] = []
    for i, ln in enumerate(lines):
        if i in texts:
            times = [at for _, ats in texts[i] for at in ats]
            known = () if None in times else tuple(t for t in times if t is not None)
            fixed.append(replace(ln, text=" ".join(t for t, _ in texts[i]), word_times=known))
        elif fixed:  # every word moved to the previous line: it absorbs the span
            fixed[-1] = replace(fixed[-1], end=ln.end)
    return fixed


def _timed(line: Line) -> list[tuple[str, float | None]]:
    """A line's words, each with its time (None where unknown)."""
    words = line.text.split()
    times = line.word_times if len(line.word_times) == len(words) else [None] * len(words)
    return list(zip(words, times, strict=True))


def talk_glossary(talk: Talk, show_glossary: dict[str, str] | None = None) -> dict[str, str]:
    """The full glossary for a talk: the show's terms plus its people's names."""
    merged = dict(show_glossary or {})
    merged.update(people_glossary(talk, apply_glossary(talk.transcript, merged)))
    return merged
