"""The wording around candidates: grams per window, their learnt weights, no leak."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from publisher.plan import wording
from publisher.plan.scorer import bundled_model
from publisher.plan.training import Wording, prepare


def test_each_window_holds_its_words_and_word_pairs():
    norms = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]
    found = wording.grams(norms, [8])
    assert {"before:a", "before:g h", "head:i", "head:i j", "head:k"} <= set(found.vocab)
    assert "head:h" not in found.vocab and "before:i" not in found.vocab
    assert not any(g.startswith("after:") for g in found.vocab)  # nothing after k
    cols = found.columns({"head:i": 2.0, "head:i j": 0.5, "before:a": -1.0, "after:k": 9.0})
    np.testing.assert_allclose(cols, [[-1.0 / wording.SCALE, 2.5 / wording.SCALE, 0.0]])
    assert wording.grams([], []).columns({}).shape == (0, len(wording.WINDOWS))


def _talk(opening: str) -> tuple[wording.Grams, np.ndarray]:
    """Six candidates 10 words apart, the last a question start opening so; then, 40
    words on, one near a follow-up (trained on neither way)."""
    norms = ["well"] * 50 + opening.split() + ["it"] * 40 + ["limbo", "words"]
    starts = [0, 10, 20, 30, 40, 50, len(norms) - 2]
    return wording.grams(norms, starts), np.array([0, 0, 0, 0, 0, 1, -1])


def test_a_gram_weighs_only_where_enough_recordings_say_it():
    talks = []
    for k in range(wording.MIN_RECORDINGS):
        subject = "borg cube" if k < 2 else "lunch break"
        talks.append((f"r{k}", *_talk(f"next question about {subject}")))
    talks.append(("r0", *_talk("next question about borg cube")))  # r0 again: a variant
    tally = wording.Tally(talks)
    weights = dict(zip(tally.vocab, tally.weights(range(len(talks))), strict=True))
    held = wording.Tally(talks, anywhere=False)  # the floor counts trained windows only
    assert dict(zip(held.vocab, held.weights(range(len(talks))), strict=True)) == weights
    assert weights["head:next question"] > 2 and weights["head:next"] > 2  # at every start
    assert weights["head:borg"] == 0  # two recordings, though three talks
    assert weights["head:well"] < 0  # what far candidates open with
    assert weights["head:limbo"] == 0  # said in every recording, but where nothing is learnt
    saved = tally.saved(tally.weights(range(len(talks))))
    assert "head:borg" not in saved and saved["head:next question"] == weights["head:next question"]


@pytest.fixture(scope="module")
def preps(corpus):
    recs = [r for r in corpus if not r.original]
    return [prepare(r) for r in recs[:6]]


@pytest.mark.parametrize("tally", ["start", "asker"])
def test_training_reads_a_recordings_wording_with_weights_it_did_not_teach(preps, tally):
    first = Wording.of(preps)
    cols = first.held_out(getattr(first, tally), preps)
    moved = list(preps)
    rec = preps[0].recording
    flipped = {"moderator": "audience", "audience": "moderator"}
    questions = tuple(replace(q, start=q.start + 40, asker=flipped[q.asker]) for q in rec.questions)
    moved[0] = replace(preps[0], recording=replace(rec, questions=questions))
    again = Wording.of(moved)
    other = again.held_out(getattr(again, tally), moved)
    np.testing.assert_array_equal(other[0], cols[0])  # its own labels taught it nothing
    assert any(not np.array_equal(a, b) for a, b in zip(other[1:], cols[1:], strict=True))


def test_the_model_reads_each_candidates_wording_with_its_own_weights(preps):
    model = bundled_model()
    found = preps[0].found
    n = found.rows.shape[1]
    asking = model.asking(found)[:, : -found.asker_rows.shape[1]]  # its own columns follow
    read = ((model.rows(found), model.words), (asking, model.asker_words))
    for rows, weights in read:
        np.testing.assert_array_equal(rows[:, :n], found.rows)
        np.testing.assert_array_equal(rows[:, n:], found.grams.columns(weights))
        assert np.abs(rows[:, n:]).sum() > 0
    assert model.words.keys() != model.asker_words.keys()


def test_a_show_counts_as_one_recording_for_the_wording(corpus):
    """The wording's floor counts a show (its playlist, years left out) as one
    recording, so a series' own words ("laureates") teach nothing; a recording
    without a playlist is its own group."""
    recs = corpus
    nobel = {r.series for r in recs if r.name.startswith("nobel-minds-")}
    assert nobel == {"series:nobel minds"}
    assert all(
        r.series == next(o.series for o in recs if o.name == r.original) for r in recs if r.original
    )
    plain = replace(recs[0], talk=replace(recs[0].talk, playlist=""))
    assert plain.series == plain.group == recs[0].name
