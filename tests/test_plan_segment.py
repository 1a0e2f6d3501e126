"""Segmentation accuracy against hand labels: boundary F1 at ±10 s, Pk and WindowDiff."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import SHAPES
from nltk.metrics.segmentation import pk, windowdiff

from publisher.ingest import load_talk
from publisher.model import Line, Plan, Speaker
from publisher.plan import make_plan
from publisher.plan.make import is_lecture, is_panel
from publisher.plan.planfile import parse_time
from publisher.plan.segment import intro_end, qa_start
from publisher.plan.words import words_of
from publisher.show import load_show

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "tests" / "fixtures" / "plan"
GLOSSARY = load_show(ROOT / "feeds" / "kvm-forum.toml").glossary
TOLERANCE = 10.0


def labels(name: str) -> list[float]:
    data = tomllib.loads((PLAN / f"{name}.labels.toml").read_text())
    return [parse_time(q["start"]) for q in data.get("question", [])]


def question_starts(plan: Plan) -> list[float]:
    return [s.start for s in plan.segments if s.kind == "question"]


def boundary_f1(
    ref: list[float], hyp: list[float], tol: float = TOLERANCE
) -> tuple[float, float, float]:
    """Precision, recall, F1 of hypothesised boundaries, matched one-to-one within tol."""
    unmatched = list(hyp)
    hits = 0
    for r in ref:
        near = [h for h in unmatched if abs(h - r) <= tol]
        if near:
            unmatched.remove(min(near, key=lambda h: abs(h - r)))
            hits += 1
    p = hits / len(hyp) if hyp else float(not ref)
    r = hits / len(ref) if ref else float(not hyp)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def as_string(bounds: list[float], duration: float) -> str:
    """One character per second, '1' where a segment starts (nltk's format)."""
    marks = ["0"] * int(duration + 1)
    for b in bounds:
        marks[min(int(b), len(marks) - 1)] = "1"
    return "".join(marks)


def pk_wd(ref: list[float], hyp: list[float], duration: float) -> tuple[float, float]:
    r, h = as_string(ref, duration), as_string(hyp, duration)
    k = max(int(round(len(r) / (2 * (r.count("1") + 1)))), 2)
    return pk(r, h, k=k), windowdiff(r, h, k)


CORPUS = ROOT / "benchmarks" / "corpus"


def test_the_bundled_panel_keeps_its_questions():
    """A floor for the shipped model on the one real YouTube-captioned panel it was
    trained with; the cross-validated figures are benchmarks/segmentation.py's."""
    talk = load_talk(SHAPES["kvm-forum-2018-panel"])
    plan = make_plan(talk, GLOSSARY)
    ref, hyp = labels("kvm-forum-2018-panel"), question_starts(plan)
    p, r, f1 = boundary_f1(ref, hyp)
    pk_, wd = pk_wd(ref, hyp, talk.duration)
    print(f"bundled: P={p:.2f} R={r:.2f} F1={f1:.2f} Pk={pk_:.3f} WindowDiff={wd:.3f}")
    assert r >= 0.9 and f1 >= 0.75, ([round(h) for h in hyp], [round(x) for x in ref])
    assert pk_ <= 0.2 and wd <= 0.25


@pytest.mark.parametrize("name", ["storage-panel", "held-out-panel", "talk-with-qa"])
def test_synthetic_transcripts_get_questions_where_they_were_labelled(name):
    """Written test transcripts the model never saw: every start it finds is a
    labelled one (its length prior merges the shortest questions, not more)."""
    ref, hyp = labels(name), question_starts(make_plan(load_talk(SHAPES[name]), GLOSSARY))
    p, r, _ = boundary_f1(ref, hyp)
    assert p == 1.0 and r >= 0.3, ([round(h) for h in hyp], [round(x) for x in ref])


def test_bundled_panel_has_intro_then_each_question():
    plan = make_plan(load_talk(SHAPES["kvm-forum-2018-panel"]), GLOSSARY)
    assert plan.segments[0].kind == "intro" and plan.segments[0].start == 0.0
    assert sum(s.kind == "question" for s in plan.segments) >= 10
    # contiguous from 0 to the end, in time order
    for a, b in zip(plan.segments, plan.segments[1:], strict=False):
        assert a.end == b.start
    assert plan.segments[-1].end >= plan.segments[-1].start + 30


def test_talk_with_qa_is_one_talk_clip_then_audience_questions():
    plan = make_plan(load_talk(PLAN / "talk-with-qa.txt"))
    kinds = [s.kind for s in plan.segments]
    assert kinds[0] == "talk" and "question" in kinds and set(kinds[1:]) <= {"question", "outro"}
    assert plan.segments[0].title == "Booting MicroVMs in Under 100 Milliseconds"
    assert all(s.speakers[0].role == "audience" for s in plan.segments if s.kind == "question")


def test_closing_words_after_the_last_question_are_their_own_clip():
    """A real talk whose host closes it ("please give Mark a big hand") after the last
    question, which the model does not take for a start: the closing is an outro, not
    the end of the last question's clip, nor its title."""
    plan = make_plan(load_talk(CORPUS / "marc-raibert-boston-dynamics.txt"))
    *rest, last = plan.segments
    assert (last.kind, last.title) == ("outro", "Closing")
    assert 3180.0 <= last.start <= 3188.7  # the closing's caption line starts at 53:08.6
    assert rest[-1].kind == "question" and "hand" not in rest[-1].title.lower()
    assert [s.kind for s in rest].count("outro") == 0


# the corpus's real talks that take no questions
TALKS_WITHOUT_QUESTIONS = [
    "mit-agi-artificial-general-intelligence-lex-fridman",
    "mit-6s094-deep-learning-lex-fridman-2018",
]


@pytest.mark.parametrize("name", TALKS_WITHOUT_QUESTIONS)
def test_a_real_talk_without_questions_is_exactly_one_clip(name):
    talk = load_talk(CORPUS / f"{name}.txt")
    plan = make_plan(talk)
    assert len(plan.segments) == 1
    seg = plan.segments[0]
    assert (seg.kind, seg.start) == ("talk", 0.0)
    assert talk.duration - 0.1 <= seg.end <= talk.duration


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            TALKS_WITHOUT_QUESTIONS[0],
            marks=pytest.mark.xfail(
                strict=True,
                reason="with a host named, this lecture has the context of the corpus' one "
                "hosted lecture whose floor no words open, which takes 12 questions; the "
                "announcement of the next lecture (29:34, 'on Friday we'll talk about ...') "
                "then scores 0.65 log-odds over the offset, where the talk as published "
                "stays 1.1 under it (issue 12)",
            ),
        ),
        *TALKS_WITHOUT_QUESTIONS[1:],
    ],
)
def test_a_real_talk_without_questions_stays_one_clip_when_a_host_introduces_it(name, tmp_path):
    text = (CORPUS / f"{name}.txt").read_text()
    text = text.replace("\n---\n", "\nHosted by Jane Doe\n\n---\n", 1)
    text = text.replace("\nCaptions:", "\nJane Doe\nProfessor\nMIT\n\nCaptions:", 1)
    seed = tmp_path / f"{name}.txt"
    seed.write_text(text)
    talk = load_talk(seed)
    assert talk.moderator is not None and talk.moderator.name == "Jane Doe"
    assert [s.kind for s in make_plan(talk).segments] == ["talk"]


def test_a_lecture_is_one_speaker_outside_a_hosted_show_or_panel():
    talk = load_talk(PLAN / "talk-with-qa.txt")
    assert is_lecture(talk) and not is_panel(talk)
    hosted = replace(talk, moderator=Speaker("Jane Doe", "Chair"))
    assert is_lecture(hosted) and is_panel(hosted)
    assert not is_lecture(replace(talk, playlist="The Systems Podcast"))
    assert not is_lecture(replace(talk, title="Booting MicroVMs: Q&A"))
    talked = replace(talk, description="Ana Lima in conversation with Jan Berg, then questions.")
    assert not is_lecture(talked)  # a conversation: questions from the start
    for said in ("Jan Berg talks with Ana Lima about her book.", "A podcast episode with Ana"):
        assert not is_lecture(replace(talk, description=said))  # a host's conversation
    assert not is_lecture(replace(talk, title="Jan Berg sits down with Ana Lima"))
    panel = load_talk(PLAN / "storage-panel.txt")
    assert panel.moderator and len(panel.speakers) > 1 and not is_lecture(panel)


def test_a_lecture_a_host_introduces_is_cut_as_a_talk():
    """Its body is one talk clip, however question-like its sentences: no question
    before the floor opens."""
    talk = load_talk(PLAN / "talk-with-qa.txt")
    hosted = replace(talk, moderator=Speaker("Jane Doe", "Chair"))
    plain, introduced = make_plan(talk), make_plan(hosted)
    assert introduced.segments[0].kind == "talk"
    assert introduced.segments[0].end == plain.segments[0].end
    assert question_starts(introduced)[0] == question_starts(plain)[0]


def test_a_talk_that_never_opens_the_floor_has_no_questions_in_its_body():
    talk = load_talk(PLAN / "talk-no-qa.txt")
    plan = make_plan(talk)
    assert plan.segments[0].kind == "talk"
    assert all(s.start >= 0.4 * talk.duration for s in plan.segments[1:])
    assert labels("talk-no-qa") == []


@pytest.mark.parametrize(
    "opening",
    [
        "so let me come to the floor",
        "i'll hand over to the audience now",
        "we'll open it up to the room",
        "we have time for a few questions",
    ],
)
def test_the_floor_opens_where_the_talk_hands_it_over(opening):
    body = ["the allocator keeps a free list per size class"] * 99
    lines = [
        Line(10.0 * i, 10.0 * i + 9, t) for i, t in enumerate([*body[:60], opening, *body[60:]])
    ]
    assert 600.0 <= (qa_start(words_of(lines)) or 0) < 610.0  # in the line that says it
    early = [Line(10.0 * i, 10.0 * i + 9, t) for i, t in enumerate([*body[:10], opening, *body])]
    assert qa_start(words_of(early)) is None  # in the first 30%: the talk goes on


def test_audio_pauses_move_a_start_into_the_pause_before_it():
    talk = load_talk(PLAN / "storage-panel.txt")
    plain = question_starts(make_plan(talk))
    pauses = [(t - 1.6, t - 0.4) for t in plain]
    snapped = question_starts(make_plan(talk, pauses=lambda: pauses))
    assert all(abs(s - (t - 0.5)) < 0.01 for s, t in zip(snapped, plain, strict=True))


def test_boundary_f1_counts_each_label_once():
    assert boundary_f1([100, 200], [101, 103, 199]) == pytest.approx((2 / 3, 1.0, 0.8))
    assert boundary_f1([100], [111]) == (0.0, 0.0, 0.0)
    assert boundary_f1([], []) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize("name", ["kvm-forum-2018-panel", "storage-panel"])
def test_pauses_between_all_lines_do_not_add_boundaries(name):
    """Stand-in audio has a silence before nearly every caption line: no new splits,
    each start at most the 2 s a snap may move it."""
    talk = load_talk(SHAPES[name])
    pauses = [(ln.start - 1.3, ln.start - 0.1) for ln in talk.transcript]
    plain = question_starts(make_plan(talk, GLOSSARY))
    hyp = question_starts(make_plan(talk, GLOSSARY, pauses=lambda: pauses))
    assert len(hyp) == len(plain)
    assert all(abs(a - b) <= 2.0 for a, b in zip(hyp, plain, strict=True))


def test_a_panels_introductions_are_found_however_late_its_captions_start():
    """The round must open in the talk's first tenth, counted from its first word: the
    storage panel's opens at 9% of it, and captions that start 7 or 61 s later (music,
    a trimmed lead-in) move the round by as much rather than lose it."""
    talk = load_talk(SHAPES["storage-panel"])
    words = words_of(talk.transcript)
    names = {p.name.split()[0].lower() for p in talk.speakers}
    found = intro_end(words, names)
    assert 50 < found < 70
    for late in (7.3, 61.0):
        moved = [replace(w, time=w.time + late) for w in words]
        assert intro_end(moved, names) == pytest.approx(found + late)
