"""Who speaks (issue 17 item 3) on real speech: a panel of four real voices built at
test time (speech/panel.py: LibriVox, Asterisk's prompts, linphone, moonshine's
two_cities, installed by scripts/setup.sh test) with known turns under a room noise,
and pyannote's two-speaker sample call with its reference turns."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from publisher.errors import PublisherError
from publisher.speech import encoder
from publisher.speech.panel import Turn, build_panel, pyannote_sample
from publisher.speech.pcm import RATE, read_pcm
from publisher.speech.score import changes, changes_found, speaker_time_right
from publisher.speech.vad import Span, speech_in
from publisher.speech.voices import cached_turns, diarize, smooth, windows

RIGHT = 0.9  # issue 17's target: speaker time labelled right


def _score(truth: list[Turn], found) -> float:
    return speaker_time_right(
        [(t.start, t.end, t.voice) for t in truth], [(t.start, t.end, t.cluster) for t in found]
    )


@pytest.fixture(scope="module")
def panel(tmp_path_factory) -> tuple[Path, list[Turn]]:
    built = build_panel(tmp_path_factory.mktemp("panel"))
    assert built, "panel voices missing: run scripts/setup.sh test"
    return built


@pytest.fixture(scope="module")
def sample() -> tuple[Path, list[Turn]]:
    found = pyannote_sample()
    assert found, "pyannote's sample missing: run scripts/setup.sh test"
    return found


def test_the_built_panel_is_labelled_right_with_the_seeds_count(panel) -> None:
    wav, truth = panel
    samples = read_pcm(wav)
    found = diarize(samples, speech_in(samples), 4)
    assert _score(truth, found) >= RIGHT
    assert len({t.cluster for t in found}) == 4
    # the panel's changes of voice are found within half a second, all but one (a
    # 0.6 s tail of a line, alone in its speech region, goes to the next voice)
    real = [(t.start, t.end, t.voice) for t in truth]
    recall, _ = changes_found(real, [(t.start, t.end, t.cluster) for t in found], tol=0.5)
    assert len(changes(real)) == 15 and recall >= 14 / 15, recall


def test_voice_changes_are_scored_where_the_voice_changes() -> None:
    truth = [(0.0, 5.0, "a"), (5.0, 8.0, "b"), (8.0, 9.0, "b"), (10.0, 15.0, "a")]
    assert changes(truth) == [5.0, 10.0]  # b's second turn is no change
    found = [(0.0, 5.5, 0), (5.5, 12.0, 1), (12.0, 13.0, 0), (13.0, 15.0, 1)]
    assert changes_found(truth, found) == (0.5, 1 / 3)  # 5.5 is 5's; 12 and 13 are no one's
    assert changes_found(truth, found, tol=2.0) == (1.0, 2 / 3)
    assert changes_found(truth, truth[:1]) == (0.0, 0.0)


def test_an_unknown_count_and_a_count_too_high_find_the_four_voices(panel, tmp_path) -> None:
    wav, truth = panel
    samples = read_pcm(wav)
    regions = speech_in(samples)
    for count in (None, 7):
        found = cached_turns(wav, tmp_path, regions, count)
        assert len({t.cluster for t in found}) == 4, count
        assert _score(truth, found) >= RIGHT
    # cached by content: the same audio finds its turns without the encoder
    cached = list((tmp_path / "speech").glob("*-voices-*"))
    assert len(cached) == 2
    assert cached_turns(wav, tmp_path, [], None) == cached_turns(wav, tmp_path, regions, None)


def test_the_pyannote_sample_call_is_labelled_right(sample) -> None:
    wav, truth = sample
    samples = read_pcm(wav)
    found = diarize(samples, speech_in(samples), 2)
    assert _score(truth, found) >= RIGHT
    assert all(0.0 <= t.confidence <= 1.0 for t in found)


def test_one_voice_is_one_cluster(panel) -> None:
    wav, truth = panel
    samples = read_pcm(wav)
    pause = np.zeros(RATE // 2, np.float32)
    lines = [samples[int(t.start * RATE) : int(t.end * RATE)] for t in truth if t.voice == "c"]
    alone = np.concatenate([x for line in lines for x in (line, pause)])  # the cities reader
    found = diarize(alone, speech_in(alone), 4)
    assert len(alone) > 25 * RATE and {t.cluster for t in found} == {0}


def test_short_flips_are_smoothed_and_windows_cover_speech() -> None:
    label = np.array([0] * 30 + [-1] * 5 + [1] * 4 + [0] * 20 + [1] * 30)
    assert list(smooth(label)) == [0] * 30 + [-1] * 5 + [0] * 24 + [1] * 30
    spans = windows([Span(0.2, 0.9), Span(2.0, 6.0)], 10.0)
    assert spans[0] == Span(0.2, 0.9)  # a short region: one window
    assert spans[1].start == 2.0 and spans[-1].end == pytest.approx(6.0)
    assert all(b.start - a.start <= 0.75 + 1e-9 for a, b in zip(spans[1:], spans[2:], strict=False))


def test_the_encoder_weights_are_pinned_and_read_without_torch(tmp_path) -> None:
    state = encoder.read_state(encoder.weights_path())
    assert state["lstm.weight_hh_l2"].shape == (1024, 256)
    assert state["linear.weight"].dtype == np.float32
    # a checkpoint that would build anything else is refused
    bad = tmp_path / "bad.pt"
    with bad.open("wb") as f:
        for head in (0x1950A86A20F9469CFC6C, 1001, {}):
            pickle.dump(head, f, protocol=2)
        pickle.dump({"model_state": print}, f, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="print is not allowed"):
        encoder.read_state(bad)
    with pytest.raises(PublisherError, match="sha256"):
        encoder._check(bad, encoder.SHA256)


def test_the_mel_frames_match_librosas_layout() -> None:
    tone = np.sin(2 * np.pi * 1000 * np.arange(RATE) / RATE).astype(np.float32)
    mel = encoder.mel_frames(tone)
    assert mel.shape == (1 + RATE // encoder.HOP, encoder.MELS)
    # a 1 kHz tone lands in the mel band around 1 kHz (band 14 of 40 on Slaney's scale)
    assert int(np.argmax(mel[50])) in (13, 14)
