"""Audio: stand-in speech, analysis, rendering and the render cache, on a 41 s talk.

Everything runs for real: espeak-ng, ffmpeg, and ffmpeg's ebur128 / ffprobe to
read the results back.
"""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import numpy as np
import pytest
from helpers import (
    DURATION,
    LINES,
    RATE,
    db,
    envelope_of,
    loudness,
    make_plan,
    make_talk,
    need,
    probe,
)

from publisher.audio import render_talk, silences, synthesise_standin
from publisher.audio.analyse import (
    FRAME_S,
    Analyser,
    integrated,
    k_weighting_gain,
    normalising_gain,
    sub_frame_samples,
)
from publisher.audio.decode import decode
from publisher.audio.levels import encode_span
from publisher.audio.limiter import peak_steps
from publisher.errors import AudioError
from publisher.model import WORD_SECONDS, AudioSettings, Talk


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x))))


@pytest.fixture(scope="module")
def talk() -> Talk:
    need("espeak-ng")
    return make_talk()


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("audio-cache")


@pytest.fixture(scope="module")
def source(talk, cache) -> Path:
    return synthesise_standin(talk, cache)


@pytest.fixture(scope="module")
def render(talk, source, cache):
    return render_talk(talk, make_plan(), source, AudioSettings(), cache, standin=True)


# --- stand-in speech ----------------------------------------------------------


def test_standin_lasts_as_long_as_the_captions_and_lives_outside_audio(talk, source, cache):
    assert abs(float(probe(source, "format=duration")) - DURATION) < 0.02
    assert source.parent == cache / "standin" and source.suffix == ".flac"
    assert not (cache / "audio").exists()


def test_standin_speech_sits_in_the_caption_slots(source):
    level = db(envelope_of(source))
    for start, end, _ in LINES:
        inside = level[int(start / FRAME_S) : int(end / FRAME_S)]
        assert (inside > -40).mean() > 0.3, f"no speech in {start}-{end}"
    for gap in [(0.0, 0.45), (8.55, 11.95), (25.05, 27.95), (40.05, 41.0)]:
        assert level[int(gap[0] / FRAME_S) : int(gap[1] / FRAME_S)].max() < -80, gap


def test_standin_speeds_up_a_long_line_to_fit_its_slot(tmp_path):
    long = "this caption holds far too many words to be read aloud at a normal pace here"
    talk = make_talk([(1.0, 3.0, long), (3.0, 5.0, "short")], duration=6.0)
    level = db(envelope_of(synthesise_standin(talk, tmp_path)))
    assert (level[100:300] > -40).mean() > 0.5  # the long line fills its slot...
    assert level[int(2.99 / FRAME_S)] < -40 or level[int(3.0 / FRAME_S) - 2] < -30  # ...and stops
    assert level[int(5.0 / FRAME_S) + 5 :].max() < -80  # silence after the last line


def test_standin_speaks_at_the_pace_transcripts_assume(tmp_path):
    # a cut inside a line splits its text by estimated word times (model.word_times):
    # the stand-in speaks at that pace, so the words fall on the same side in its audio
    text = "somebody complaints okay okay so let's move to a different topic I'm not gonna"
    talk = make_talk([(1.0, 13.0, text)], duration=14.0)
    level = db(envelope_of(synthesise_standin(talk, tmp_path)))
    spoken = (np.flatnonzero(level > -40)[-1] - np.flatnonzero(level > -40)[0]) * FRAME_S
    estimated = len(text.split()) * WORD_SECONDS
    assert 0.75 * estimated <= spoken <= estimated  # (175 wpm, as before: 0.71)


def test_standin_is_cached_by_transcript(talk, source, cache, monkeypatch):
    with monkeypatch.context() as m:
        m.setenv("PATH", "/nonexistent")  # no espeak-ng or ffmpeg: it must come from the cache
        assert synthesise_standin(talk, cache) == source
    changed = dataclasses.replace(talk, transcript=talk.transcript[:-1])
    assert synthesise_standin(changed, cache) != source


def test_standin_without_transcript_is_an_audio_error(tmp_path):
    talk = dataclasses.replace(make_talk(), transcript=[])
    with pytest.raises(AudioError, match="Audio Fixture Panel.*no transcript"):
        synthesise_standin(talk, tmp_path)


# --- analysis -------------------------------------------------------------------


def test_analysis_loudness_matches_ffmpeg_ebur128(source, cache):
    ours = decode(source, cache).analysis.loudness
    theirs, _ = loudness(source)
    assert abs(ours - theirs) < 0.3


@pytest.mark.parametrize("margin", [2.5, 4.0])
def test_normalising_gain_lands_the_limited_render_on_the_target(source, cache, tmp_path, margin):
    decoded = decode(source, cache)
    a = decoded.analysis
    limit = 10 ** ((-1.5 - margin) / 20)
    gain = normalising_gain(a, -16.0, limit)
    out = tmp_path / "levelled.wav"
    wav = lambda *_: ["-c:a", "pcm_f32le", "-f", "wav"]  # noqa: E731  (what the limiter made)
    encode_span(decoded, 0, a.samples, out, gain, limit, AudioSettings(), wav)
    assert gain > 6  # the fixture is quiet: the limiter works
    assert abs(loudness(out)[0] + 16.0) < 0.3
    samples = np.frombuffer(out.read_bytes()[-a.samples * 4 :], "<f4")
    assert np.abs(samples).max() <= limit * 1.0001  # no sample over the ceiling


def plain_analysis(pcm: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The analysis by its definition, in float64 on the whole signal at once:
    (K-weighted power per 100 ms block, mean square of the mix per 10 ms, and peak per
    sub-frame in int16 units)."""
    x = pcm.astype(np.float64) / 32768
    block, frame, sub = round(rate * 0.1), round(rate * FRAME_S), sub_frame_samples(rate)
    blocks = x[: len(x) // block * block].reshape(-1, block, x.shape[1])
    spectrum = np.abs(np.fft.rfft(blocks, axis=1)) ** 2 * k_weighting_gain(rate, block)[:, None]
    spectrum[:, 1 : (block + 1) // 2] *= 2  # Parseval for rfft: interior bins count twice
    power = spectrum.sum(axis=(1, 2)) / block**2
    pad = np.zeros((-len(x) % frame, x.shape[1]))
    frames = np.concatenate([x, pad]).reshape(-1, frame, x.shape[1])
    top = np.abs(pcm.astype(np.int32)).max(axis=1)
    subs = np.concatenate([top, np.zeros(-len(top) % sub, int)]).reshape(-1, sub).max(axis=1)
    return power, (frames.mean(axis=2) ** 2).mean(axis=1), peak_steps(subs)


@pytest.mark.parametrize("channels", [1, 2])
def test_streamed_analysis_matches_the_plain_formula(channels):
    rng = np.random.default_rng(7)
    rate, n = 44100, 44100 * 23 + 1234  # the last chunk holds a part block and part frame
    t = np.arange(n) / rate
    tone = 8000 * np.sin(2 * np.pi * 997 * t) * (t % 3 < 2)  # with silent stretches
    noise = rng.normal(0, 3000, (n, channels)) * (t % 5 < 4)[:, None]
    pcm = np.clip(tone[:, None] + noise, -32768, 32767).astype(np.int16)
    pcm[1000, 0] = -32768  # full scale, whose int16 absolute value overflows
    a = Analyser(rate, channels)
    for at in range(0, n, 4410 * 30):
        a.feed(pcm[at : at + 4410 * 30])
    got = a.result()
    blocks, envelope, peaks = plain_analysis(pcm, rate)
    assert got.samples == n
    np.testing.assert_allclose(got.blocks, blocks, rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(got.envelope, envelope, rtol=1e-5, atol=1e-12)
    np.testing.assert_array_equal(got.peaks, peaks)
    assert got.peaks.min() == 0  # full scale
    assert abs(got.loudness - integrated(blocks)) < 0.001


def test_an_analysis_extended_by_a_later_one_is_one_analysis():
    rng = np.random.default_rng(3)
    pcm = rng.normal(0, 4000, (44100 * 7 + 100, 2)).astype(np.int16)
    one, first, later = Analyser(44100, 2), Analyser(44100, 2), Analyser(44100, 2)
    one.feed(pcm)
    first.feed(pcm[: 4410 * 30])
    later.feed(pcm[4410 * 30 :])
    first.extend(later)
    a, b = one.result(), first.result()
    assert a.samples == b.samples == len(pcm)
    np.testing.assert_array_equal(a.envelope, b.envelope)
    np.testing.assert_array_equal(a.peaks, b.peaks)
    np.testing.assert_allclose(a.blocks, b.blocks, rtol=1e-6)
    with pytest.raises(ValueError):  # only whole blocks may be extended
        later.extend(first)


def test_silences_finds_the_planted_pauses(source, cache):
    pauses = silences(source, cache, min_len=1.0)
    for a, b in [(8.5, 12.0), (25.0, 28.0)]:
        assert any(s <= a + 0.3 and e >= b - 0.3 for s, e in pauses), (a, b, pauses)
    assert all(e - s >= 1.0 for s, e in pauses)
    assert not any(s < 14 < e for s, e in pauses)  # 14 s is speech


# --- rendering ------------------------------------------------------------------


def test_pieces_partition_the_talk_and_match_the_plan(render):
    assert render.standin
    assert [p.segment.title for p in render.pieces] == ["Part 0", "Part 1", "Part 2"]
    assert render.pieces[0].start == 0 and abs(render.pieces[-1].end - DURATION) < 0.01
    for a, b in zip(render.pieces, render.pieces[1:], strict=False):
        assert a.end == b.start
    for piece in render.pieces:
        seg = piece.segment
        assert abs(piece.duration - seg.duration) < 1.0
        assert abs(float(probe(piece.path, "format=duration")) - seg.duration) < 1.0
        assert probe(piece.path, "stream=codec_name,sample_rate,channels") == "mp3,44100,1"
    assert abs(sum(p.duration for p in render.pieces) - render.full_duration) < 0.2
    assert abs(render.full_duration - DURATION) < 0.3


def test_clips_and_full_episode_are_at_minus_16_lufs_under_minus_1_dbtp(render):
    for path in [render.full, *(p.path for p in render.pieces)]:
        lufs, peak = loudness(path)
        assert -17.0 <= lufs <= -15.0, (path.name, lufs)
        assert peak <= -1.0, (path.name, peak)


def test_stereo_setting_renders_stereo_at_the_same_loudness(talk, source, cache):
    stereo = render_talk(talk, make_plan(), source, AudioSettings(channels=2, bitrate="96k"), cache)
    assert probe(stereo.full, "stream=channels") == "2"
    lufs, peak = loudness(stereo.pieces[1].path)
    assert -17.0 <= lufs <= -15.0 and peak <= -1.0


def test_full_episode_offsets_line_up_with_the_speech(render):
    """Speech that starts at 28.0 s in the source starts at offset(piece) + 28.0 - start."""
    piece = render.pieces[2]
    expected = render.offset(piece) + 28.0 - piece.start
    level = db(envelope_of(render.full))
    frame = int((expected - 0.5) / FRAME_S)
    onset = (frame + np.argmax(level[frame:] > -50)) * FRAME_S
    assert abs(onset - expected) < 0.08


def test_a_cut_snaps_into_a_nearby_pause(talk, source, tmp_path):
    # 13.0 s is mid-sentence; the pause 8.5-12.0 is within 1.5 s of it
    r = render_talk(talk, make_plan((13.0, 26.5)), source, AudioSettings(), tmp_path)
    cut = r.pieces[1].start
    assert 11.5 <= cut <= 12.0
    # with no pause in reach the cut stays within 1.5 s of the plan
    r = render_talk(talk, make_plan((18.5, 26.5)), source, AudioSettings(), tmp_path)
    assert abs(r.pieces[1].start - 18.5) <= 1.5


def test_cuts_fade_in_and_out_so_they_do_not_click(tmp_path):
    # a steady tone has no pause to hide a cut in: only the ~10 ms fades soften it
    tone = tmp_path / "tone.wav"
    subprocess.run([need("ffmpeg"), "-v", "error", "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=20", str(tone)], check=True)  # fmt: skip
    talk = make_talk([(0.5, 19.5, "a steady tone")], duration=20.0)
    r = render_talk(talk, make_plan((10.0,), duration=20.0), tone, AudioSettings(), tmp_path)
    ms = RATE // 1000
    for piece in r.pieces:
        raw = subprocess.run(
            [need("ffmpeg"), "-nostdin", "-v", "error", "-i", str(piece.path), "-ac", "1",
             "-ar", str(RATE), "-f", "s16le", "-"], capture_output=True, check=True,
        ).stdout  # fmt: skip
        x = np.frombuffer(raw, "<i2").astype(np.float64)
        steady = rms(x[100 * ms : 200 * ms])
        assert rms(x[: 2 * ms]) < 0.3 * steady and rms(x[-2 * ms :]) < 0.3 * steady
        assert rms(x[20 * ms : 40 * ms]) > 0.8 * steady  # ...and only ~10 ms of it


def test_rumble_is_cut_and_the_loudness_still_lands(tmp_path):
    # a 440 Hz "voice" over 25 Hz rumble of the same level: the rumble goes (the decode is
    # high-passed at 70 Hz: 18 dB down at 25 Hz) and the loudness, measured on it, lands
    src = tmp_path / "rumble.wav"
    tones = (
        "sine=frequency=440:duration=20,volume=0.3[v];sine=frequency=25:duration=20,volume=0.3[r]"
    )
    subprocess.run([need("ffmpeg"), "-v", "error", "-filter_complex",
                    f"{tones};[v][r]amix=inputs=2:normalize=0", str(src)], check=True)  # fmt: skip
    talk = make_talk([(0.5, 19.5, "a voice over rumble")], duration=20.0)
    r = render_talk(talk, make_plan((10.0,), duration=20.0), src, AudioSettings(), tmp_path)

    def level(path: Path, hz: int) -> float:
        """dB of the `hz` component (band-passed) of a file's middle 8 seconds."""
        out = subprocess.run(
            [need("ffmpeg"), "-nostdin", "-v", "error", "-ss", "6", "-t", "8", "-i", str(path),
             "-af", f"bandpass=f={hz}:width_type=q:w=4", "-ac", "1", "-f", "s16le", "-"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        return 20 * np.log10(rms(np.frombuffer(out, "<i2").astype(np.float64)) + 1e-9)

    before = level(src, 25) - level(src, 440)
    after = level(r.full, 25) - level(r.full, 440)
    assert before > -3 and after < before - 15
    lufs, peak = loudness(r.full)
    assert -16.5 <= lufs <= -15.5 and peak <= -1.0


@pytest.mark.parametrize("layout", ["stereo", "mono"])
def test_a_stereo_source_decodes_to_the_mean_of_its_channels(layout, tmp_path):
    """Mono is made first (then resampled): from stereo it is (L + R) / 2, as the
    resampler's downmix made it, so a loud source does not clip; a mono source is
    only resampled."""
    src = tmp_path / f"{layout}.wav"
    tone = "sine=frequency=1000:duration=3:sample_rate=48000,volume=7.2"  # peak 0.9
    both = ["-af", "pan=stereo|c0=c0|c1=c0"] if layout == "stereo" else []
    subprocess.run([need("ffmpeg"), "-v", "error", "-f", "lavfi", "-i", tone, *both, str(src)],
                   check=True)  # fmt: skip
    decoded = decode(src, tmp_path / "cache")
    x = np.fromfile(decoded.raw, "<i2")[44100:-44100].astype(np.float64) / 32768
    assert decoded.analysis.rate == 44100 and decoded.analysis.channels == 1
    assert 0.87 < np.abs(x).max() < 0.93 and 0.62 < rms(x) < 0.65  # 0.9 / sqrt(2)


def test_long_pieces_are_encoded_in_chunks_and_joined(talk, source, tmp_path, monkeypatch):
    from publisher.audio import render as rendering

    monkeypatch.setattr(rendering, "MAX_CHUNK", 8.0)
    r = render_talk(talk, make_plan(), source, AudioSettings(), tmp_path)
    assert r.encodes == 2 + 3 + 2  # ceil(10 / 8), ceil(16.5 / 8), ceil(14.5 / 8)
    for piece in r.pieces:
        assert abs(float(probe(piece.path, "format=duration")) - piece.segment.duration) < 1.0
        lufs, peak = loudness(piece.path)
        assert -17.0 <= lufs <= -15.0 and peak <= -1.0
    assert abs(r.full_duration - DURATION) < 0.5
    again = render_talk(talk, make_plan(), source, AudioSettings(), tmp_path)
    assert again.encodes == 0 and [p.path for p in again.pieces] == [p.path for p in r.pieces]


def test_gaps_between_segments_become_pieces(talk, source, cache):
    plan = make_plan()
    plan.segments[1].end = 20.0  # leave 20.0-26.5 unplanned
    r = render_talk(talk, plan, source, AudioSettings(), cache)
    assert [p.segment.title if p.segment else None for p in r.pieces] == [
        "Part 0", "Part 1", None, "Part 2"
    ]  # fmt: skip
    assert r.pieces[2].start == r.pieces[1].end and r.pieces[3].start == r.pieces[2].end


def test_a_noop_rebuild_runs_no_encode(talk, source, cache, render):
    again = render_talk(talk, make_plan(), source, AudioSettings(), cache, standin=True)
    assert again.encodes == 0 and render.encodes == 3
    assert again.full == render.full
    assert [p.path for p in again.pieces] == [p.path for p in render.pieces]


def test_moving_one_boundary_rerenders_only_its_two_pieces(talk, source, cache, render):
    mtimes = {p.path: p.path.stat().st_mtime_ns for p in render.pieces}
    moved = render_talk(talk, make_plan((10.0, 27.0)), source, AudioSettings(), cache)
    assert moved.encodes == 2
    assert moved.pieces[0].path == render.pieces[0].path
    assert moved.pieces[0].path.stat().st_mtime_ns == mtimes[render.pieces[0].path]
    assert moved.pieces[1].path != render.pieces[1].path
    assert moved.pieces[2].path != render.pieces[2].path
    assert moved.full != render.full and render.full.exists()


# --- bad input ------------------------------------------------------------------


def _error(talk, source, cache) -> str:
    with pytest.raises(AudioError) as caught:
        render_talk(talk, make_plan(), source, AudioSettings(), cache)
    message = str(caught.value)
    assert "\n" not in message and "Audio Fixture Panel" in message and source.name in message
    return message


def test_zero_length_source(talk, tmp_path):
    empty = tmp_path / "empty.webm"
    empty.write_bytes(b"")
    assert "empty" in _error(talk, empty, tmp_path / "cache")


def test_corrupt_source(talk, tmp_path):
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(bytes(range(256)) * 400)
    assert "corrupt" in _error(talk, junk, tmp_path / "cache")


def test_truncated_source(talk, render, tmp_path):
    whole = render.full.read_bytes()
    cut = tmp_path / "truncated.mp3"
    cut.write_bytes(whole[: len(whole) // 3])
    message = _error(talk, cut, tmp_path / "cache")
    assert "captions run to 00:41" in message


def test_audio_much_shorter_than_the_captions(talk, tmp_path):
    short = tmp_path / "short.wav"
    subprocess.run([need("ffmpeg"), "-v", "error", "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=20", str(short)], check=True)  # fmt: skip
    assert "lasts 00:20" in _error(talk, short, tmp_path / "cache")


def test_a_segment_past_the_end_names_its_plan_line_and_the_talk_once(talk, source, cache):
    """The talk is named once, where render_talk catches the error; the file and line
    are the plan's, where the bad segment is written."""
    plan = make_plan()
    late = dataclasses.replace(plan.segments[-1], start=DURATION + 5, end=DURATION + 9, line=7)
    plan = dataclasses.replace(plan, segments=[*plan.segments, late], path=Path("talk.plan.toml"))
    with pytest.raises(AudioError) as caught:
        render_talk(talk, plan, source, AudioSettings(), cache)
    message = str(caught.value)
    assert message.startswith('talk.plan.toml:7: "Audio Fixture Panel": segment '), message
    assert message.count("Audio Fixture Panel") == 1 and "outside the audio" in message


def test_missing_ffmpeg(talk, source, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert "ffmpeg not found" in _error(talk, source, tmp_path / "cache")


def test_errors_leave_earlier_renders_and_no_temp_files(talk, source, render, cache, tmp_path):
    junk = tmp_path / "junk.webm"
    junk.write_bytes(b"\x1a\x45\xdf\xa3" + bytes(5000))
    _error(talk, junk, cache)
    assert render.full.exists() and all(p.path.exists() for p in render.pieces)
    leftovers = [p for p in cache.rglob("*") if ".tmp" in p.name or p.name.startswith(".")]
    assert leftovers == []


# --- the bundled 42-minute seed ------------------------------------------------


@pytest.mark.slow
def test_bundled_seed_standin_renders_and_rebuilds_without_encodes(bundled_standin, tmp_path):
    talk, source = bundled_standin
    assert abs(float(probe(source, "format=duration")) - talk.duration) < 0.05
    step = talk.duration / 6
    plan = make_plan(tuple(step * k for k in range(1, 6)), talk.video_id, talk.duration)
    first = render_talk(talk, plan, source, AudioSettings(), tmp_path)
    assert first.encodes == 12  # 7-minute pieces go in two chunks each
    assert abs(first.full_duration - talk.duration) < 1.0
    lufs, peak = loudness(first.full)
    assert -17.0 <= lufs <= -15.0 and peak <= -1.0
    again = render_talk(talk, plan, source, AudioSettings(), tmp_path)
    assert again.encodes == 0 and again.full == first.full
