"""publisher.audio.limiter: the gain, limiter and fades every piece is given, on
synthetic PCM whose peaks are known."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from publisher.audio import limiter
from publisher.audio.analyse import Analyser, Analysis, limited_loudness
from publisher.audio.tools import run_ffmpeg
from publisher.errors import AudioError

RATE = 44100


def analysed(pcm: np.ndarray, tmp_path: Path) -> tuple[Path, Analysis]:
    """`pcm` (n, channels) int16 written as a raw decode, and its analysis."""
    raw = tmp_path / "talk.s16le"
    raw.write_bytes(pcm.astype("<i2").tobytes())
    a = Analyser(RATE, pcm.shape[1])
    for at in range(0, len(pcm), 4410 * 50):
        a.feed(pcm[at : at + 4410 * 50])
    return raw, a.result()


def speechy(seconds: float, channels: int = 1, seed: int = 1) -> np.ndarray:
    """Noise in bursts with sharp peaks, as speech has: loud enough to be limited."""
    rng = np.random.default_rng(seed)
    n = round(seconds * RATE)
    bursts = (np.sin(2 * np.pi * 3 * np.arange(n) / RATE) > 0.2) * rng.uniform(0.2, 1.0, n)
    x = rng.normal(0, 3000, (n, channels)) * bursts[:, None]
    x[rng.integers(0, n, 40)] = 30000  # clicks
    return np.clip(x, -32768, 32767).astype(np.int16)


def levelled(raw: Path, a: Analysis, start: int, end: int, gain: float, ceiling: float, fade=0):
    data = b"".join(limiter.levelled(raw, a, start, end, gain, ceiling, fade))
    return np.frombuffer(data, "<f4").reshape(-1, a.channels)


@pytest.mark.parametrize("channels", [1, 2])
def test_no_sample_passes_the_ceiling_wherever_a_piece_starts(tmp_path, channels):
    raw, a = analysed(speechy(25, channels), tmp_path)
    ceiling = 10 ** (-5.5 / 20)
    for start, end in [(0, a.samples), (12345, 600001), (441 * 700 - 1, a.samples - 7)]:
        out = levelled(raw, a, start, end, 18.0, ceiling)
        assert out.shape == (end - start, channels)
        assert np.abs(out).max() <= ceiling * (1 + 1e-6)
        assert np.abs(out).max() > ceiling * 10 ** (-1 / 20)  # it limits, not mutes


def test_a_stretch_gets_the_gains_the_whole_talk_would(tmp_path):
    raw, a = analysed(speechy(20), tmp_path)
    whole = limiter.gains(a, 20.0, 0.4)
    for first, last in [(0, 100), (5000, 9000), (len(a.peaks) - 50, len(a.peaks))]:
        np.testing.assert_array_equal(
            limiter.gains(a, 20.0, 0.4, first, last), whole[first : last + 1]
        )
    whole_piece = levelled(raw, a, 0, a.samples, 20.0, 0.4)
    np.testing.assert_array_equal(
        levelled(raw, a, 300000, 500000, 20.0, 0.4), whole_piece[300000:500000]
    )


def test_quiet_audio_is_only_gained_and_faded(tmp_path):
    t = np.arange(3 * RATE) / RATE
    pcm = (1000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)[:, None]
    raw, a = analysed(pcm, tmp_path)
    out = levelled(raw, a, 0, a.samples, 6.0, 0.9, fade=10)[:, 0]
    want = pcm[:, 0] / 32768 * 10 ** (6 / 20)
    fade = 441
    np.testing.assert_allclose(out[fade:-fade], want[fade:-fade], rtol=1e-5, atol=1e-7)
    assert out[0] == 0 and out[-1] == 0  # fades in from and out to silence, linearly
    np.testing.assert_allclose(out[:fade], want[:fade] * np.arange(fade) / fade, atol=1e-6)


def test_after_a_peak_the_gain_recovers_at_the_release_rate(tmp_path):
    pcm = np.full((2 * RATE, 1), 1000, np.int16)
    pcm[RATE] = 32000  # one click a second in
    raw, a = analysed(pcm, tmp_path)
    g = limiter.gains(a, 20.0, 0.5)
    db = 20 * np.log10(g / 10)
    click = RATE // a.sub
    assert db[0] == pytest.approx(0) and db[click] < -15  # cut at the click...
    step = limiter.RELEASE * a.sub / RATE
    rising = np.diff(db[click + 1 : click + 10])
    np.testing.assert_allclose(rising[rising > 1e-9], step, rtol=1e-4)  # ...then back
    assert db[click + 40] == pytest.approx(0)


def test_peak_steps_never_read_a_peak_under_the_true_one():
    peaks = np.array([0, 1, 7, 100, 1000, 16384, 20000, 32767, 32768])
    steps = limiter.peak_steps(peaks)
    back = np.exp(limiter._LOG[steps])
    assert (back >= peaks - 1e-6).all()
    assert (back <= np.maximum(peaks, 1) * 10 ** (limiter.PEAK_STEP / 20) + 1e-6).all()
    assert steps[-1] == 0 and steps[0] == 255


def test_the_loudness_model_reads_the_limiters_loss(tmp_path):
    raw, a = analysed(speechy(30, seed=4), tmp_path)
    for gain in (6.0, 14.0, 22.0):
        out = levelled(raw, a, 0, a.samples, gain, 10 ** (-5.5 / 20))
        pcm = np.clip(np.round(out * 32768), -32768, 32767).astype(np.int16)
        rendered = Analyser(RATE, 1)
        rendered.feed(pcm)
        measured = rendered.result().loudness
        model = limited_loudness(a, gain, 10 ** (-5.5 / 20))
        assert measured < a.loudness + gain - (0.1 if gain < 10 else 2)  # the limiter takes off
        assert abs(model - measured) < 0.3
    rough = limited_loudness(a, 22.0, 10 ** (-5.5 / 20), rough=True)
    assert rough < measured and math.isfinite(rough)  # the rough model cuts more


def test_an_encoder_that_stops_reading_is_an_audio_error_and_is_fed_no_more(tmp_path):
    fed = []

    def feed():
        for _ in range(200):
            fed.append(1)
            yield bytes(1 << 20)

    pcm = ["-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0"]
    with pytest.raises(AudioError, match="ffmpeg failed"):
        run_ffmpeg([*pcm, str(tmp_path / "no" / "such" / "clip.mp3")], feed=feed())
    assert len(fed) < 200

    def broken():
        yield bytes(4 * RATE)
        raise AudioError("the decode ends at sample 44100, before 88200", tmp_path / "x.s16le")

    with pytest.raises(AudioError, match="the decode ends"):
        run_ffmpeg([*pcm, str(tmp_path / "clip.mp3")], feed=broken())
