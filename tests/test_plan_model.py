"""The question model: candidates and their features, the fit, the decoding, the corpus."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from publisher.model import Line
from publisher.plan import neighbours, wording
from publisher.plan.decode import MIN_GAP, choose, roles
from publisher.plan.features import (
    ASKING_NAMES,
    MARKED,
    MERGE,
    NAMES,
    ROLE_NAMES,
    Candidates,
    Context,
    announced_rate,
    candidates,
    role_rows,
)
from publisher.plan.scorer import MODEL_PATH, Model, bundled_model, fit
from publisher.plan.segment import asked_by_audience
from publisher.plan.training import (
    cross_validated,
    match,
    prepare,
    steadiest,
)
from publisher.plan.words import words_of

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "benchmarks" / "corpus"


# --- decoding ------------------------------------------------------------------


def test_nothing_worth_taking_gives_no_starts():
    assert choose(np.array([10.0, 50.0]), np.array([-0.1, -3.0]), 60, 2) == []


def test_two_starts_closer_than_the_minimum_gap_are_one():
    times = np.array([100.0, 100.0 + MIN_GAP - 1])
    assert choose(times, np.array([1.0, 2.0]), 30, 0) == [1]


def test_a_short_question_costs_its_penalty():
    times, gains = np.array([0.0, 20.0]), np.array([1.0, 1.5])
    assert choose(times, gains, short=60, penalty=0) == [0, 1]
    assert choose(times, gains, short=60, penalty=5) == [1]


def test_decoding_is_global_not_greedy():
    """A greedy pick of the best start (B) would block both of its neighbours."""
    times, gains = np.array([0.0, 20.0, 40.0]), np.array([2.0, 3.0, 2.0])
    assert choose(times, gains, short=30, penalty=10) == [0, 2]


def test_a_lone_doubtful_change_of_asker_is_smoothed_but_a_clear_one_is_kept():
    audience = np.array([0.1, 0.2, 0.6, 0.1, 0.95, 0.9, 0.99])
    assert roles(audience, 0.0).tolist() == [False, False, True, False, True, True, True]
    assert roles(audience, 2.0).tolist() == [False] * 4 + [True] * 3
    assert roles(np.array([0.01, 0.99, 0.01]), 2.0).tolist() == [False, True, False]
    assert roles(np.zeros(0), 2.0).tolist() == []


def test_decoding_settings_are_chosen_on_a_plateau_not_a_spike():
    """A lone best offset whose neighbours do badly loses to a setting whose
    neighbours do nearly as well; a setting left out (`allowed`) is never chosen, but
    its F1 still counts for its neighbours; one at the edge of the offsets tried is
    not chosen; ties go to the higher offset."""
    spike = {-1.25: 0.3, -1.0: 0.40, -0.75: 0.56, -0.5: 0.41, -0.25: 0.3}  # one lucky offset
    plateau = {-1.25: 0.4, -1.0: 0.53, -0.75: 0.54, -0.5: 0.53, -0.25: 0.4}  # steady
    f1 = {Model((), (), o, 30.0, 1.0): f for o, f in spike.items()}
    f1 |= {Model((), (), o, 90.0, 1.0): f for o, f in plateau.items()}
    assert steadiest(f1, list(f1)) == Model((), (), -0.75, 90.0, 1.0)
    rising = {Model((), (), o, 90.0, 1.0): 0.5 - o / 10 for o in (-1.0, -0.75, -0.5, -0.25)}
    assert steadiest(rising, list(rising)).offset == -0.75  # best inside, not -1.0
    allowed = [m for m in rising if m.offset > -0.6]
    assert steadiest(rising, allowed).offset == -0.5  # -0.75 not allowed, but counted for -0.5
    flat = {Model((), (), o, 90.0, 1.0): 0.5 for o in (-1.0, -0.75, -0.5)}
    assert steadiest(flat, list(flat)).offset == -0.75  # the one inside
    voiced = {replace(m, voiced=m.offset): f for m, f in f1.items() if m.short == 30.0}
    assert steadiest(voiced, list(voiced)).voiced == -0.75  # the voiced offset moves


# --- the fit -------------------------------------------------------------------


def test_fit_separates_what_is_separable_and_leaves_the_bias_free():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] > 0.5).astype(float)
    rows = np.column_stack([np.ones(len(x)), x])
    w = fit(rows, y, l2=1.0)
    p = 1 / (1 + np.exp(-(rows @ w)))
    assert ((p > 0.5) == (y == 1)).mean() > 0.95
    assert w[0] < -1  # the bias takes the 30% base rate, unpenalised


# --- features ------------------------------------------------------------------


def _words(texts: list[tuple[float, str]], turn_at: float | None = None, turns=frozenset()):
    lines = [
        Line(t, texts[i + 1][0] if i + 1 < len(texts) else t + 4, text, turn=t in turns | {turn_at})
        for i, (t, text) in enumerate(texts)
    ]
    return words_of(lines)


TALK = [
    (0.0, "welcome everyone to the panel"),
    (4.0, "we will talk about storage today"),
    (9.0, "okay thanks so alice are you proposing"),
    (13.0, "that we drop the old block layer"),
    (20.0, "yes we should drop it because nobody uses it"),
    (40.0, "hi thank you for the talk my name is bob"),
    (44.0, "i work at acme how do you test it"),
    (50.0, "that's a great question we test it in ci every night"),
]


@pytest.fixture(scope="module")
def found():
    words = _words(TALK, turn_at=40.0)
    ctx = Context(panel=True, names=frozenset({"alice"}), intro_end=0, qa_start=None, duration=60)
    return words, candidates(words, ctx)


def _row(found, t: float) -> dict[str, float]:
    words, c = found
    k = c.times.index(t)
    return dict(zip(NAMES, c.rows[k], strict=True))


def test_every_line_start_is_a_candidate_and_rows_are_finite(found):
    words, c = found
    assert {0.0, 4.0, 9.0, 40.0, 44.0} <= set(c.times)
    assert all(b - a >= MERGE for a, b in zip(c.times, c.times[1:], strict=False))
    assert c.rows.shape == (len(c.times), len(NAMES)) and np.isfinite(c.rows).all()


def test_features_read_names_turns_introductions_and_answers(found):
    moderator, audience, answer = _row(found, 9.0), _row(found, 40.0), _row(found, 50.0)
    assert moderator["name_near"] == 1 and moderator["ack"] == 1 and moderator["form"] > 0
    assert audience["turn"] == 1 and audience["intro"] == 1 and audience["thanks_talk"] == 1
    assert audience["answer_after"] == 1
    assert answer["turn"] == 0 and answer["intro"] == 0
    assert audience["gap"] > moderator["gap"] > 0 and audience["gap_big"] == 1  # 15 s silence


def test_the_chair_giving_the_floor_marks_the_start_near_it():
    texts = [
        (0.0, "that is why we built it that way"),
        (4.0, "let me get some more views please"),
        (8.0, "yes the gentleman at the front"),
        (12.0, "how do you test the new scheduler"),
        (16.0, "well we run it in ci every night"),
        *((20.0 + 4 * k, f"and the nightly run {k} catches regressions early") for k in range(12)),
    ]
    ctx = Context(panel=True, names=frozenset(), intro_end=0, qa_start=None, duration=80)
    c = candidates(_words(texts), ctx)
    floor = dict(zip(c.times, c.rows[:, NAMES.index("floor_near")], strict=True))
    before = dict(zip(c.times, c.rows[:, NAMES.index("floor_before")], strict=True))
    assert floor[8.0] == floor[12.0] == 1  # the call, and the question right after it
    assert floor[60.0] == 0 and before[60.0] == 0  # an answer far from any call
    assert before[20.0] == 1 and floor[20.0] == 0


def test_a_change_of_speaking_pace_is_read_at_the_start_it_falls_on():
    slow = [(2.5 * k, "we measured it on the old") for k in range(12)]  # 0.5 s a word
    fast = [(30.0 + 1.0 * k, "so how does it compare now") for k in range(16)]  # 0.2 s
    ctx = Context(panel=True, names=frozenset(), intro_end=0, qa_start=None, duration=46)
    c = candidates(_words(slow + fast), ctx)
    pace = dict(zip(c.times, c.rows[:, NAMES.index("pace_change")], strict=True))
    assert pace[30.0] > 0.6  # |log(0.25 / 0.55)| = 0.79
    assert pace[2.5 * 4] < 0.1 and pace[30.0] > pace[27.5] > pace[20.0]


def test_where_a_talk_marks_speaker_changes_a_start_without_one_is_unmarked():
    texts = [(10.0 * k, f"and then point {k} of the talk goes on") for k in range(MARKED + 2)]
    ctx = Context(panel=True, names=frozenset(), intro_end=0, qa_start=None, duration=200)

    def unmarked(turns: set[float]) -> dict[float, float]:
        c = candidates(_words(texts, turns=frozenset(turns)), ctx)
        return dict(zip(c.times, c.rows[:, NAMES.index("unmarked")], strict=True))

    every_but_one = {t for t, _ in texts} - {50.0}
    assert unmarked(every_but_one)[50.0] == 1 and unmarked(every_but_one)[40.0] == 0
    assert set(unmarked(set()).values()) == {0.0}  # captions with no marks: nothing to trust
    assert set(unmarked({0.0, 10.0, 20.0}).values()) == {0.0}  # too few marks to trust


def test_turn_lengths_tell_a_short_question_from_its_long_answer():
    answer = "well " + "we tried that and it worked " * 4  # 25 words
    texts = []
    for k in range(MARKED):
        texts += [(60.0 * k, "what about storage"), (60.0 * k + 3, answer), (60.0 * k + 30, answer)]
    turns = frozenset(t for t, _ in texts if t % 60 in (0.0, 3.0))  # a second answer line goes on
    ctx = Context(panel=True, names=frozenset(), intro_end=0, qa_start=None, duration=600)
    c = candidates(_words(texts, turns=turns), ctx)
    rows = {t: dict(zip(NAMES, r, strict=True)) for t, r in zip(c.times, c.rows, strict=True)}
    question, answer_start, answer_more = rows[120.0], rows[123.0], rows[150.0]
    assert question["turn_rest"] < answer_start["turn_rest"]  # 3 words, then 50
    assert question["turn_next"] > answer_start["turn_next"]  # its answer is long
    assert answer_start["turn_prev"] > 0 and question["turn_prev"] > answer_start["turn_prev"]
    assert answer_more["turn_rest"] < answer_start["turn_rest"]  # half the turn is behind it
    plain = candidates(_words(texts), ctx)
    cols = [NAMES.index(n) for n in ("turn_rest", "turn_next", "turn_prev")]
    assert not plain.rows[:, cols].any()  # no marks: nothing to measure


def test_voices_tell_the_asker_the_answerer_and_the_floor():
    """A host's short turns draw a guest's long answers; a voice from the floor speaks
    once; only turns whose voice is known are read, and only where enough are."""
    answer = "well " + "we tried that and it worked " * 4
    lines = []
    for k in range(MARKED):
        t = 60.0 * k
        lines += [Line(t, t + 3, "what about storage", "HOST", True),
                  Line(t + 3, t + 30, answer, "GUEST", True),
                  Line(t + 30, t + 60, answer, "GUEST")]  # fmt: skip
    lines[-3] = replace(lines[-3], speaker="ANA")  # the last question is asked from the floor
    ctx = Context(panel=True, names=frozenset(), intro_end=0, qa_start=None, duration=60 * MARKED)
    c = candidates(words_of(lines), ctx)
    rows = {t: dict(zip(NAMES, r, strict=True)) for t, r in zip(c.times, c.rows, strict=True)}
    host, guest, more, floor = rows[0.0], rows[3.0], rows[30.0], rows[60.0 * (MARKED - 1)]
    assert host["voices"] == guest["voices"] == 1
    assert host["voice_reply"] > 0 > guest["voice_reply"]  # short turns, long replies
    assert host["voice_words"] < guest["voice_words"]
    assert host["voice_turns"] == pytest.approx((MARKED - 1) / (2 * MARKED))
    assert host["voice_first"] == 1 and rows[60.0]["voice_first"] == 0
    assert floor["voice_first"] == floor["voice_rare"] == 1 and host["voice_rare"] == 0
    assert host["voice_asker"] == 1 and guest["voice_asker"] == floor["voice_asker"] == 0
    assert guest["voice_same"] == 0 and more["voices"] == 0  # read only where a turn starts
    unnamed = [replace(ln, speaker=None) for ln in lines]
    cols = [NAMES.index(n) for n in NAMES if n.startswith("voice")]
    assert not candidates(words_of(unnamed), ctx).rows[:, cols].any()  # no names: no reading
    few = [replace(ln, speaker=None) if ln.start >= 180 else ln for ln in lines]
    assert not candidates(words_of(few), ctx).rows[:, cols].any()  # too few named turns


# --- corpus and model ----------------------------------------------------------


def test_neighbour_columns_are_the_best_scores_ahead_behind_and_near():
    rng = np.random.default_rng(7)
    times = np.cumsum(rng.uniform(1.0, 12.0, 300))
    logits = rng.normal(-3.0, 3.0, 300)
    got = neighbours.columns(times, logits) * neighbours.SCALE
    floor = neighbours.FLOOR

    def best(pick: np.ndarray) -> float:
        return max(float(np.maximum(logits[pick], floor).max()), floor) if pick.any() else floor

    for i in range(0, 300, 7):
        d = times - times[i]
        want = [logits[i]]
        for w in neighbours.WINDOWS:
            want += [best((d > 0) & (d <= w)), best((d < 0) & (d >= -w))]
        want.append(logits[i] - best(np.abs(d) <= neighbours.NEAR))
        assert np.allclose(got[i], np.maximum(want, floor)), i


def test_matching_is_one_to_one_and_follow_ups_are_neutral():
    m = match([100.0, 200.0], [101.0, 103.0, 199.0, 300.0, 405.0], neutral=[300.0])
    assert m.pairs == [(0, 0), (1, 2)]
    assert m.hypotheses == 4  # 103 and 405 are wrong, 300 is a follow-up


def test_in_a_lecture_the_asker_is_more_likely_the_audience():
    """The role model reads the talk's shape (features.ROLE_NAMES): the same words
    asked in a lecture, whose floor asks, are likelier the audience's."""
    words = words_of([Line(0.0, 4.0, "so what do you think about the future of this field")])
    ctx = Context(panel=True, names=frozenset(), intro_end=0.0, qa_start=None, duration=60.0)
    model = bundled_model()
    rows = model.asking(candidates(words, ctx))
    plain = model.audience_probability(role_rows(rows, ctx))
    lecture = model.audience_probability(role_rows(rows, replace(ctx, lecture=True)))
    assert (lecture > plain + 0.1).all()
    # in a host's show the host asks, whatever the role model reads
    lecture_only = tuple(9.0 * (name == "lecture") for name in ROLE_NAMES)
    floor = replace(model, audience=(0.0,) * rows.shape[1] + lecture_only)  # a lecture: the floor
    lectured = replace(ctx, lecture=True)
    assert asked_by_audience(rows, lectured, floor).all()
    assert not asked_by_audience(rows, replace(lectured, hosted=True), floor).any()


def test_a_talk_whose_askers_announce_their_questions_reads_as_the_floor_asking():
    """features.announced_rate: how often askers announce a question of their own, per
    hour (log-scaled); the role model reads it as the floor asking (ROLE_NAMES)."""
    said = [
        "thanks for the talk my question is about the cost",
        "what about the future of this field",
        "hi i was wondering how you test it",
        "and i'm curious whether it scales",
    ]
    lines = [Line(150.0 * k, 150.0 * k + 4, text) for k, text in enumerate(said)]
    words = words_of(lines)
    rate = announced_rate(words)
    assert rate == pytest.approx(math.log1p(3 / (words[-1].time / 3600)) / 3)
    assert announced_rate(words_of(lines[1:2])) == 0.0 == announced_rate([])
    ctx = Context(panel=True, names=frozenset(), intro_end=0.0, qa_start=None, duration=460.0)
    model = bundled_model()
    rows = model.asking(candidates(words_of(lines[1:2]), ctx))
    quiet = model.audience_probability(role_rows(rows, ctx))
    loud = model.audience_probability(role_rows(rows, replace(ctx, announced=rate)))
    assert (loud > quiet + 0.1).all()


def test_the_role_model_reads_how_much_of_the_floor_giving_is_said():
    """features.ASKING_NAMES: the share of the talk's floor-giving words said by a
    candidate's first words, 0 before the chair first gives the floor, 1 after the last."""
    said = [
        "so let me start with the panel what do you think of the future",
        "okay let's go to the lady please",
        "thank you my question is about the cost of all of this",
        "and now the gentleman please go ahead",
        "hi i was wondering how you test it",
    ]
    words = words_of([Line(20.0 * i, 20.0 * i + 8, t) for i, t in enumerate(said)])
    ctx = Context(panel=True, names=frozenset(), intro_end=0.0, qa_start=None, duration=100.0)
    found = candidates(words, ctx)
    shares = found.asker_rows[:, ASKING_NAMES.index("floor_share")]
    share = dict(zip(found.times, shares, strict=True))
    assert (share[0.0], share[40.0], share[80.0]) == (0.0, 0.5, 1.0)
    read = bundled_model().asking(found)  # the model reads it after the wording's columns
    assert read.shape[1] == len(NAMES) + len(wording.ASKER_NAMES) + len(ASKING_NAMES)
    assert (read[:, -len(ASKING_NAMES) :] == found.asker_rows).all()


def test_the_shipped_model_reads_these_features_and_names_its_corpus():
    data = json.loads(MODEL_PATH.read_text())
    first = tuple(NAMES) + wording.NAMES
    asking = wording.ASKER_NAMES + ASKING_NAMES + ROLE_NAMES  # what the role model adds
    assert tuple(data["names"]) == first + neighbours.NAMES + asking
    model = bundled_model()
    assert len(model.start) == len(first)
    assert len(model.audience) == len(NAMES) + len(asking)
    # past the chair's floor-giving words, the audience asks
    assert model.audience[len(NAMES) + asking.index("floor_share")] > 0
    assert len(model.second) == len(first) + len(neighbours.NAMES)
    # the second stage reads the first stage's score of the candidate itself
    assert model.second[len(first) + neighbours.NAMES.index("first")] > 0
    # the wording of a question start weighs for one, and the model reads it
    assert model.words["head:next question"] > 0 and model.words["head:question"] > 0
    assert model.start[len(NAMES) + wording.NAMES.index("words_head")] > 0
    # and the wording of who asks: the floor thanks, then wonders
    assert model.asker_words.get("head:thanks for", 0) > 0
    assert model.asker_words.get("after:was wondering", 0) > 0
    labelled = {p.name.removesuffix(".labels.toml") for p in CORPUS.glob("*.labels.toml")}
    marked = {p.name.removesuffix(".turns.tsv") + "+turns" for p in CORPUS.glob("*.turns.tsv")}
    assert set(model.trained_on) == labelled | marked and len(labelled) >= 12
    # the speaker-change marks and who speaks were seen in training, so they carry weight:
    # a turn's first word, and more so the main asker's
    weight = dict(zip(NAMES, model.start[: len(NAMES)], strict=True))
    assert marked and weight["turn"] + weight["turn_near"] > 0 and weight["voice_asker"] > 0
    assert model.voiced is not None  # talks that say who speak decode at their own offset


def test_a_talk_that_says_who_speaks_decodes_at_its_own_offset():
    model = replace(bundled_model(), offset=-1.0, voiced=0.5)
    rows = np.zeros((3, len(NAMES)))
    grams = wording.grams(["so"] * 12, [0, 5, 9])
    plain = Candidates((0, 5, 9), (0.0, 30.0, 60.0), rows, grams, np.zeros((3, 1)))
    heard = replace(plain, rows=rows.copy())
    heard.rows[1, NAMES.index("voices")] = 1.0
    assert (model.offset_for(plain), model.offset_for(heard)) == (-1.0, 0.5)
    assert replace(model, voiced=None).offset_for(heard) == -1.0
    moved = model.moved(0.25)
    assert (moved.offset, moved.voiced) == (-0.75, 0.75)


def test_corpus_is_labelled_with_sources_and_licences(corpus):
    recs = corpus
    shapes = {r.shape for r in recs}
    assert {"panel", "talk-qa", "ama", "interview", "talk"} <= shapes
    for r in recs:
        assert r.source and r.licence, r.name
        assert all(q.asker in ("moderator", "audience") for q in r.questions), r.name
        assert all(0 <= q.start <= r.talk.duration for q in r.questions), r.name
    assert any(r.shape == "talk" and not r.questions for r in recs)
    size = sum(p.stat().st_size for p in CORPUS.iterdir())
    assert size < 20_000_000


def test_cross_validation_never_scores_a_recording_with_a_model_that_saw_it(corpus):
    recs = list(corpus[:4])
    for prep, model in cross_validated([prepare(r) for r in recs]):
        assert prep.recording.name not in model.trained_on
        others = [r for r in recs if r.group != prep.recording.group]
        assert len(model.trained_on) == len(others) < len(recs)
