"""Topic labels and keywords: the phrases that set a clip apart from the rest of the talk.

Candidate phrases are runs of 1-3 content words (YAKE's English stopwords
and a few caption fillers excluded) that end in a noun. A phrase scores by how
often the clip uses it, how rare it is in the talk's other clips (IDF), whether
the asker used it and whether it holds a name or acronym. Topic labels are
normalised (casing, plural, leading articles) so the same subject gets the
same slug in every talk.
"""

from __future__ import annotations

import functools
import math
from collections import Counter

from lemminflect import getAllLemmas

from ..fsutil import package_file
from .titles import ACRONYMS, case_word
from .words import STOPWORDS, stem, wordset

_FILLERS = wordset(
    "lot thing things stuff people way time kind sort bit question questions answer topic "
    "thought thoughts opinion opinions comment comments guys everyone everybody anything "
    "sir madam gentleman gentlemen ladies "
    "something okay yeah point case good "
    "great sure actually really probably maybe different same certain whole first second last "
    "next also still much many ah oh eh hmm huh wow part alright gonna wanna um uh"
)


def _yake_stopwords() -> frozenset[str]:
    path = package_file("yake", "core", "StopwordsList", "stopwords_en.txt")
    if path is None:
        return frozenset()
    try:
        return frozenset(path.read_text(encoding="utf-8", errors="ignore").split())
    except OSError:
        return frozenset()


# Nouns too general to name a subject, and verbs a caption run often ends on.
_GENERIC = wordset(
    "advantage advantages disadvantage disadvantages pros cons couple half piece amount number "
    "class category type bunch example week weeks year years day days minute minutes hour hours "
    "make get take keep start pick give find run use need want say see know think go come look "
    "try put set read hit send write bother handle run runs measure tell start work works "
    "decide matter matters quick biggest challenge challenges opener obvious chat stream slido "
    "etherpad microphone mic basically literally obviously honestly hundred thousand million "
    "billion two three four five six seven eight nine ten twenty thirty fifty"
)

STOP = STOPWORDS | _yake_stopwords() | _FILLERS | _GENERIC


@functools.lru_cache(maxsize=65536)
def _pos(word: str) -> frozenset[str]:
    return frozenset(getAllLemmas(word))


@functools.lru_cache(maxsize=65536)
def _stop(word: str) -> bool:
    """A stopword, or a form of a generic word ('takes', 'years')."""
    lemmas = {x for forms in getAllLemmas(word).values() for x in forms}
    return word in STOP or bool(lemmas & _GENERIC)


def _nounish(word: str) -> bool:
    """A noun, or a word the dictionary doesn't know (names, acronyms, jargon)."""
    pos = _pos(word)
    return not pos or "NOUN" in pos or "PROPN" in pos


def plain_noun(word: str) -> bool:
    """A noun as it stands, not an inflected verb ('adds', 'developed', 'left')."""
    pos = _pos(word)
    verb = getAllLemmas(word).get("VERB", (word,))
    return "NOUN" in pos and word in verb


def _starts_phrase(word: str) -> bool:
    pos = _pos(word)
    return not pos or bool(pos & {"NOUN", "PROPN", "ADJ"})


def _grams(words: list[str]):
    for n in (1, 2, 3):
        for i in range(len(words) - n + 1):
            gram = words[i : i + n]
            if _stop(gram[0]) or _stop(gram[-1]) or any(len(w) < 2 for w in gram):
                continue
            if any(w.isdigit() for w in gram) or (n > 1 and gram[0] == gram[-1]):
                continue
            if n == 3 and gram[1] == "and":
                continue  # "bare metal and containers": two subjects, not one
            if n == 3 and gram[1] in STOP and gram[1] not in {"and", "of"}:
                continue
            if n == 3 and gram[1] not in {"and", "of"} and gram[1] in STOPWORDS:
                continue
            if not _nounish(gram[-1]) or not _starts_phrase(gram[0]):
                continue
            yield gram


def _key(gram: list[str]) -> str:
    return " ".join(stem(w) for w in gram)


class Topics:
    """Scores phrases of one clip against all clips of the talk."""

    def __init__(
        self,
        clips: list[list[str]],
        proper: set[str] | frozenset = frozenset(),
        people: set[str] | frozenset = frozenset(),
    ):
        """`proper`: the talk's capitalised words; `people`: the lowercase parts of its
        people's names, which a phrase names whole or not at all ("moral compass
        Conrad" is a question put to Conrad, not a subject)."""
        self.proper = {stem(w) for w in proper} | {stem(w) for w in ACRONYMS}
        self.counts: list[Counter] = []
        self.surface: dict[str, Counter] = {}
        for words in clips:
            counts: Counter = Counter()
            for gram in _grams(words):
                if people and len(gram) > 1:
                    named = {w.removesuffix("'s") for w in gram}
                    if named & people and not named <= people:
                        continue
                key = _key(gram)
                counts[key] += 1
                self.surface.setdefault(key, Counter())[" ".join(gram)] += 1
            self.counts.append(counts)
        df: Counter = Counter()
        for c in self.counts:
            df.update(c.keys())
        n = len(clips)
        self.idf = {p: math.log((1 + n) / (1 + d)) + 0.2 for p, d in df.items()}

    def ranked(self, index: int, asked: list[str]) -> list[str]:
        """The clip's phrases, best first (at most 8, none inside another)."""
        asked_keys = {_key(g) for g in _grams(asked)}
        scores = {}
        for phrase, tf in self.counts[index].items():
            n = phrase.count(" ") + 1
            words = phrase.split()
            special = bool(set(words) & self.proper)
            named = words[0] in self.proper and words[-1] in self.proper  # "Conrad Black"
            if n > 1 and tf < 2 and phrase not in asked_keys and not named:
                continue  # a one-off run of words ("minds Nobel laureates"), not a term
            boost = (3.0 if phrase in asked_keys else 1.0) * (1.5 if special else 1.0)
            scores[phrase] = (1 + math.log(tf)) * self.idf[phrase] * boost * (1 + 0.5 * (n - 1))
        best = sorted(scores, key=lambda p: (-scores[p], p))
        chosen: list[str] = []
        for p in best:
            if not any(p in c or c in p for c in chosen):
                chosen.append(p)
            if len(chosen) == 8:
                break
        return [self.surface[p].most_common(1)[0][0] for p in chosen]

    def score(self, index: int, gram: list[str]) -> float:
        """How well a phrase sets clip `index` apart (0 if the clip doesn't use it)."""
        key = _key(gram)
        tf = self.counts[index].get(key, 0)
        return (1 + math.log(tf)) * self.idf[key] * (1 + 0.5 * len(gram)) if tf else 0.0

    def distinct(self, index: int, phrase: str) -> bool:
        """Worth listing as a keyword: several words, a name or acronym, or said twice."""
        words = phrase.lower().split()
        key = _key(words)
        named = bool({stem(w) for w in words} & self.proper)
        if len(words) > 1 or named:
            return True
        noun = plain_noun(words[0]) and "ADJ" not in _pos(words[0])  # not "real", "long"
        return noun and self.counts[index].get(key, 0) >= 2

    def best_in(self, index: int, words: list[str], multi: bool = False) -> str:
        """The phrase of `words` (e.g. a title) that best names clip `index`, "" if none;
        phrases with a name or acronym first; only phrases of 2+ words if `multi`."""
        grams = [g for g in _grams(words) if self.score(index, g) > 0 and len(g) > multi]

        def rank(g: list[str]) -> float:
            return self.score(index, g) * (1.5 if {stem(w) for w in g} & self.proper else 1.0)

        best = max(grams, key=rank, default=None)
        return " ".join(best) if best else ""


def singular(word: str) -> str:
    if word.endswith("s") and word[:-1] in ACRONYMS:
        return word[:-1]
    lemmas = getAllLemmas(word).get("NOUN")
    return lemmas[0] if lemmas else word


_WHEN = {"today", "tomorrow", "now", "nowadays", "currently", "anymore", "again", "yet"}


def normalise_topic(label: str, known: dict[str, str]) -> str:
    """'the KVM apis' -> 'KVM API': the same subject reads (and slugs) the same everywhere."""
    words = [w for w in label.lower().split() if w]
    while words and words[0] in {"the", "a", "an", "our", "your", "this", "these"}:
        words.pop(0)
    while len(words) > 1 and words[-1] in _WHEN:
        words.pop()  # "live migration today": the subject is live migration
    if words and not known.get(words[-1], "").istitle():  # "United States" is a name
        words[-1] = singular(words[-1])
    out = [case_word(w, known) for w in words[:4]]
    if out:
        out[0] = out[0][0].upper() + out[0][1:]
    return " ".join(out) or "General"
