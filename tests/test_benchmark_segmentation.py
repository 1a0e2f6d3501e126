"""benchmarks/segmentation.py's title measure: a title keeps a key term when it has
every word of it, or writes it together or apart. benchmarks/agreement.py's
comparison of two labellings, and the second labelling's files."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

from publisher.plan.training import Question, Recording, read_labels

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up; agreement imports it
    spec.loader.exec_module(module)
    return module


segmentation = _load("segmentation")
agreement = _load("agreement")


@pytest.mark.parametrize(
    ("title", "term", "kept"),
    [
        ("How do patches reach the stable tree?", "patch", True),
        ("How do we think about time scale?", "timescale", True),
        ("Human timescales: do you agree?", "time scale", True),
        ("How do sub blocks work?", "sub-blocks", True),
        ("Have you looked at using gq n two?", "GQN", True),
        ("Is it a start?", "art", False),  # not inside another word
        ("What about the time?", "timescale", False),
        ("Do you scale time?", "timescale", False),  # its words, but not in its order
    ],
)
def test_a_title_keeps_a_term_written_together_or_apart(title, term, kept):
    assert segmentation.keeps_term(title, (term,)) is kept


def _q(start: float, asker: str = "moderator", *terms: str) -> Question:
    return Question(start, asker, terms, "")


def test_the_tolerance_profile_counts_near_misses_at_the_wider_tolerances():
    rec = Recording("r", "panel", "youtube-auto", None, (_q(100.0), _q(200.0)), (300.0,), "", "")
    rows = segmentation.within(rec, [104.0, 225.0, 301.0])  # 301 s: on the follow-up
    by = dict(zip(segmentation.TOLERANCES, rows.tolist(), strict=True))
    assert by[5.0] == [1, 2, 2]  # 225 s is 25 s late: wrong, and its label missed
    assert by[10.0] == [1, 2, 2]
    assert by[30.0] == [2, 2, 2]
    assert segmentation.within(rec, []).tolist() == [[0, 0, 2]] * len(segmentation.TOLERANCES)


def test_agreement_scores_the_second_labelling_as_the_planner_is_scored():
    first = (_q(10.0, "moderator", "live migration"), _q(100.0, "audience", "postcopy"))
    second = (
        _q(14.0, "moderator", "migration live"),  # 4 s off: the same question, terms kept
        _q(60.0, "audience", "x"),  # a first-labelled follow-up: neither right nor wrong
        _q(103.0, "moderator", "dirty pages"),  # matched, but asker and terms differ
        _q(300.0, "audience", "y"),  # labelled only by the second: wrong
    )
    c = agreement.compare(first, (62.0,), second, ())
    assert (c["hits"], c["hyps"], c["refs"]) == (2, 3, 2)
    assert (c["askers"], c["terms"]) == (1, 1)
    assert (c["hits_back"], c["hyps_back"], c["refs_back"]) == (2, 2, 4)
    assert agreement.f1(c["hits"], c["hyps"], c["refs"]) == pytest.approx(0.8)


def test_every_second_labelling_is_of_a_corpus_recording_and_in_time_order():
    folder = BENCH / "corpus" / "second"
    files = sorted(folder.glob("*.labels.toml"))
    assert len(files) >= 8
    for path in files:
        assert (BENCH / "corpus" / path.name).exists(), path.name
        questions, followups = read_labels(tomllib.loads(path.read_text()))
        starts = [q.start for q in questions]
        assert starts == sorted(starts) and followups == tuple(sorted(followups)), path.name
        assert all(q.asker in ("moderator", "audience") and q.terms for q in questions)
