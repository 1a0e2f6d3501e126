"""The wording around candidates: grams per window, their learnt weights, no leak."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from publisher.plan import wording
from publisher.plan.scorer import bundled_model
from publisher.plan.training import Wording, load_corpus, prepare

ROOT = Path(__file__).resolve().parent.parent


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
    """Six candidates 10 words apart; the last one a question start opening so."""
    norms = ["well"] * 50 + opening.split() + ["it"] * 10
    return wording.grams(norms, [0, 10, 20, 30, 40, 50]), np.array([0, 0, 0, 0, 0, 1])


def test_a_gram_weighs_only_where_enough_recordings_say_it():
    talks = []
    for k in range(wording.MIN_RECORDINGS):
        subject = "borg cube" if k < 2 else "lunch break"
        talks.append((f"r{k}", *_talk(f"next question about {subject}")))
    talks.append(("r0", *_talk("next question about borg cube")))  # r0 again: a variant
    tally = wording.Tally(talks)
    weights = dict(zip(tally.vocab, tally.weights(range(len(talks))), strict=True))
    assert weights["head:next question"] > 2 and weights["head:next"] > 2  # at every start
    assert weights["head:borg"] == 0  # two recordings, though three talks
    assert weights["head:well"] < 0  # what far candidates open with
    saved = tally.saved(tally.weights(range(len(talks))))
    assert "head:borg" not in saved and saved["head:next question"] == weights["head:next question"]


@pytest.fixture(scope="module")
def preps():
    recs = [r for r in load_corpus(ROOT / "benchmarks" / "corpus", ROOT) if not r.original]
    return [prepare(r) for r in recs[:6]]


def test_training_reads_a_recordings_wording_with_weights_it_did_not_teach(preps):
    rows = Wording.of(preps).rows(preps)
    moved = list(preps)
    rec = preps[0].recording
    questions = tuple(replace(q, start=q.start + 40) for q in rec.questions)
    moved[0] = replace(preps[0], recording=replace(rec, questions=questions))
    again = Wording.of(moved).rows(moved)
    np.testing.assert_array_equal(again[0], rows[0])  # its own labels taught it nothing
    assert any(not np.array_equal(a, b) for a, b in zip(again[1:], rows[1:], strict=True))


def test_the_model_reads_each_candidates_wording_with_its_own_weights(preps):
    model = bundled_model()
    found = preps[0].found
    rows = model.rows(found)
    np.testing.assert_array_equal(rows[:, : found.rows.shape[1]], found.rows)
    np.testing.assert_array_equal(rows[:, found.rows.shape[1] :], found.grams.columns(model.words))
    assert np.abs(rows[:, found.rows.shape[1] :]).sum() > 0
