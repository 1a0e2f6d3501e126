"""A title's heading ("Consensus algorithms: can you talk a little bit?") names what
the clip is about: one of its terms, never a common word said once in passing
("Cool: ...", "Line: ...") nor a first name ("Stephen: ...")."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lemminflect import getAllLemmas

from publisher.ingest import load_talk
from publisher.plan import make_plan
from publisher.plan.topics import plain_noun
from publisher.plan.words import stem, words_of

CORPUS = Path(__file__).resolve().parent.parent / "benchmarks" / "corpus"


@pytest.mark.parametrize(
    "name",
    [
        "christof-koch-consciousness",  # "Free: do anything it wants?"
        "ergo-weekly-update-ama-2025-01-16-part-2",  # "Cool: what else i'll show you?"
        "lex-fridman-podcast-yoshua-bengio",  # headed titles ("Line:" said twice passes)
    ],
)
def test_a_one_word_heading_is_a_noun_its_clip_says_twice(name):
    talk = load_talk(CORPUS / f"{name}.txt")
    words = words_of(talk.transcript)  # timed as the planner times them
    headed = 0
    for seg in make_plan(talk).segments:
        head, _, rest = seg.title.partition(": ")
        if seg.kind != "question" or not rest:
            continue
        headed += 1
        if " " in head or head.isupper():
            continue  # a phrase or an acronym
        word = head.lower()
        said = Counter(stem(w.norm) for w in words if seg.start <= w.time < seg.end)
        noun = plain_noun(word) and "ADJ" not in getAllLemmas(word)
        assert noun and said[stem(word)] >= 2, (seg.title, seg.start)
    assert headed  # the recordings do head titles
