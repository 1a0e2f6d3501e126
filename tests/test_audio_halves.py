"""The two-halves decode (one per core) gives the same audio and analysis as one decode."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from publisher.audio import halves
from publisher.audio.analyse import Analyser, silences
from publisher.audio.decode import decode

# codec options for the fixture; a seek into Opus/WebM lands ~8 ms early, M4A 0.5 ms
FORMATS = {
    "webm": ["-ac", "2", "-ar", "48000", "-c:a", "libopus", "-b:a", "96k"],
    "m4a": ["-ac", "2", "-ar", "48000", "-c:a", "aac", "-b:a", "96k"],
    "mp3": ["-ac", "1", "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "64k"],
}


@pytest.fixture(scope="module")
def wav(tmp_path_factory) -> Path:
    """40 s of espeak-ng speech with pauses."""
    folder = tmp_path_factory.mktemp("halves")
    text = " ".join(f"Sentence number {i} is spoken here. [[_:_]]" for i in range(14))
    wav = folder / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), "-g", "30", text], check=True)
    return wav


@pytest.fixture(scope="module", params=list(FORMATS))
def speech(request, wav: Path) -> Path:
    """The speech as a source file, e.g. Opus/WebM 48 kHz stereo like YouTube's."""
    src = wav.with_name(f"speech.{request.param}")
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(wav), "-af", "apad=pad_dur=2",
         *FORMATS[request.param], str(src)],
        check=True,
    )  # fmt: skip
    return src


@pytest.fixture(scope="module")
def whole(speech: Path, tmp_path_factory):
    """The source decoded in one go (it is shorter than halves.MIN_SECONDS)."""
    return decode(speech, tmp_path_factory.mktemp("one"))


@pytest.fixture
def split(monkeypatch):
    """Decode as two halves however short the source; records what the join did."""
    monkeypatch.setattr(halves, "MIN_SECONDS", 10.0)
    seen = {"halves": 0, "extend": 0, "offsets": []}
    real_halves, real_extend, real_offset = (
        halves.decode_halves,
        Analyser.extend,
        halves._seek_offset,
    )

    def counted(*args):
        seen["halves"] += 1
        return real_halves(*args)

    def extend(self, later):
        seen["extend"] += 1
        return real_extend(self, later)

    def offset(*args):
        found = real_offset(*args)  # None until the first half has reached the probe's place
        seen["offsets"] += [] if found is None else [found]
        return found

    monkeypatch.setattr(halves, "_seek_offset", offset)
    monkeypatch.setattr(halves, "decode_halves", counted)
    monkeypatch.setattr(Analyser, "extend", extend)
    return seen


def assert_same(whole, split) -> None:
    a = np.fromfile(whole.raw, "<i2").astype(np.float64)
    b = np.fromfile(split.raw, "<i2").astype(np.float64)
    assert len(a) == len(b) == whole.analysis.samples * whole.analysis.channels
    assert split.analysis.samples == whole.analysis.samples
    snr = 10 * np.log10(np.sum(a**2) / max(np.sum((a - b) ** 2), 1e-9))
    assert snr > 25  # the same audio; at most a sub-sample resampler phase differs
    assert abs(whole.analysis.loudness - split.analysis.loudness) < 0.05
    quiet_a, quiet_b = silences(whole.analysis), silences(split.analysis)
    assert len(quiet_a) == len(quiet_b) > 5
    assert all(abs(x[0] - y[0]) < 0.02 for x, y in zip(quiet_a, quiet_b, strict=True))
    # the analysis follows the joined file frame by frame: re-analyse that file
    again = Analyser(split.analysis.rate, split.analysis.channels)
    raw = np.fromfile(split.raw, "<i2").reshape(-1, split.analysis.channels)
    block = again.block * 100
    for at in range(0, len(raw), block):
        again.feed(raw[at : at + block])
    redone = again.result()
    np.testing.assert_array_equal(redone.envelope, split.analysis.envelope)
    np.testing.assert_array_equal(redone.peaks, split.analysis.peaks)
    np.testing.assert_allclose(redone.blocks, split.analysis.blocks, rtol=1e-6, atol=1e-12)


def test_halves_match_one_decode(speech: Path, whole, tmp_path: Path, split):
    cache, freed = tmp_path / "two", []
    halved = decode(speech, cache, freed=lambda: freed.append(list(cache.rglob("*.npz"))))
    assert split["halves"] == 1, "the two-halves path ran"
    assert freed == [[]], "a core was said to be free once, before the decode was done"
    decode(speech, cache, freed=lambda: freed.append("cached"))
    assert freed[1:] == ["cached"]
    # the probe foresaw where the second half's seek landed, so its analysis while
    # decoding was kept and nothing after the join was analysed again
    assert split["extend"] == 1
    if speech.suffix == ".webm":  # lands early (353 samples with ffmpeg 5.1): not by luck
        assert -600 < split["offsets"][0] < 0
    assert_same(whole, halved)


def test_a_seek_offset_foreseen_wrong_is_analysed_again(
    speech: Path, whole, tmp_path: Path, split, monkeypatch
):
    monkeypatch.setattr(halves, "_seek_offset", lambda *args: 7)  # after `split`: replaces its spy
    halved = decode(speech, tmp_path / "two")
    assert split["halves"] == 1 and split["extend"] == 0
    assert_same(whole, halved)


def test_a_silent_overlap_tells_no_lag():
    """Then the join trusts the probe's offset rather than guessing 0."""
    silent = np.zeros((6 * 44100, 1), np.int16)
    assert halves._lag(silent, silent, 44100) is None
    loud = (np.random.default_rng(1).normal(0, 3000, (6 * 44100, 1))).astype(np.int16)
    assert halves._lag(loud[100:], loud[:-100], 44100) == -100


@pytest.mark.parametrize("begin_s", [1272.6, 1275.0, 300.0, 18.0, 12.3])
def test_the_probe_seeks_to_where_the_second_half_does_in_a_cycle(begin_s):
    """Seeks into a container land relative to its index grid (WebM clusters every
    few seconds): the probe lands as the second half does if it is at the same place
    in a 10 s cycle, and ends before the second half starts."""
    a = Analyser(44100, 1)
    begin = round(begin_s * 10) * a.block
    at, size = halves._probe_place(begin, a)
    cycle = round(halves.CYCLE * 44100)
    assert at % cycle == begin % cycle and at % a.block == 0
    assert at >= 0 and at + size + 44100 <= begin and size >= 44100 * 5


def test_halves_that_cannot_be_joined_decode_in_one_go(
    speech: Path, whole, tmp_path, split, monkeypatch
):
    """E.g. a half came out short: the build starts over in one go, analysis and all."""
    real, tried = halves._join, []
    monkeypatch.setattr(halves, "_join", lambda *args: tried.append(real(*args)) and False)
    again = decode(speech, tmp_path / "again")
    assert tried == [True] and split["halves"] == 1
    assert np.array_equal(np.fromfile(again.raw, "<i2"), np.fromfile(whole.raw, "<i2"))
    np.testing.assert_array_equal(again.analysis.envelope, whole.analysis.envelope)
    assert again.analysis.samples == whole.analysis.samples
