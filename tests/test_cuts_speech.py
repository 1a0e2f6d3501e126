"""Cuts at real pauses (issue 17, item 2) on real speech: Debian pocketsphinx-testdata's
LibriVox clips (scripts/setup.sh test) joined with chosen pauses under a room noise, so
where the clips speak is known. Cuts planned in the middle of words are moved out of
every word (Whisper's word times) into a pause (the join's known times); without the
no-go spans the same cuts land inside words, so each check can fail."""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import SHORT_TALK, make_plan, make_show, make_talk

from publisher.audio.analyse import Analysis
from publisher.audio.decode import decode
from publisher.audio.render import REACH, plan_cuts, render_talk
from publisher.audio.snap import WIDEN
from publisher.ingest import load_talk
from publisher.model import AudioSettings, Cue
from publisher.pipeline import stages
from publisher.pipeline.tasks import BuildSession, Options, TalkTask
from publisher.show import load_show
from publisher.speech.samples import join, librivox, pauses, with_room_noise
from publisher.speech.spans import caption_spans, inside, no_go, word_spans
from publisher.speech.transcribe import transcribe
from publisher.speech.vad import Span
from publisher.speech.words import Word

GAPS = [0.8, 1.2, 0.6, 1.0]  # seconds of silence after each clip but the last


@dataclass(frozen=True)
class Speech:
    source: Path
    cache: Path
    analysis: Analysis
    heard: list[Word]  # Whisper's words, timed
    pauses: list[tuple[float, float]]  # where no clip speaks, from the join
    tiers: list[list[Span]]  # what the build gives the cutter for a transcribed talk

    def in_pause(self, t: float) -> bool:
        return any(lo < t < hi for lo, hi in self.pauses)

    def in_word(self, t: float) -> bool:
        return inside(t, word_spans(self.heard)) is not None

    def cuts(self, bounds: tuple[float, ...], tiers: list[list[Span]]) -> list[float]:
        plan = make_plan(bounds, duration=self.analysis.duration)
        a = self.analysis
        return [c.start / a.rate for c in plan_cuts(plan, a, self.source, tiers)[1:]]


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> Speech:
    clips = [c.path for c in librivox()]
    assert len(clips) == 5, "LibriVox clips missing: run scripts/setup.sh test"
    out = tmp_path_factory.mktemp("cuts")
    source = with_room_noise(join(clips, GAPS, out / "clean.wav"), out / "room.wav", -50.0)
    cache = out / "cache"
    heard = transcribe(source, cache)
    analysis = decode(source, cache).analysis
    tiers = no_go([], source, cache, heard)
    return Speech(source, cache, analysis, heard, pauses(clips, GAPS), tiers)


def middle(w: Word) -> float:
    return (w.start + w.end) / 2


def test_cuts_planned_mid_word_are_rendered_in_pauses(speech: Speech) -> None:
    """One cut planned in the middle of each clip's middle word: the render puts each in
    a pause between clips, some further than REACH (the reach widened); energy alone
    leaves most inside words. The pieces' cache names follow the cuts."""
    clip_words = _by_clip(speech)
    bounds = tuple(middle(ws[len(ws) // 2]) for ws in clip_words)
    assert all(speech.in_word(b) for b in bounds)
    talk = make_talk(lines=[(0.3, speech.analysis.duration - 0.1, "speech")],
                     duration=speech.analysis.duration)  # fmt: skip
    plan = make_plan(bounds, duration=speech.analysis.duration)
    settings = AudioSettings()
    render = render_talk(talk, plan, speech.source, settings, speech.cache, no_go=speech.tiers)
    cuts = [p.start for p in render.pieces[1:]]
    assert len(cuts) == len(bounds)
    assert [t for t in cuts if speech.in_word(t)] == []
    assert [t for t in cuts if not speech.in_pause(t)] == []
    assert max(abs(c - b) for c, b in zip(cuts, bounds, strict=True)) > REACH  # widened
    energy = speech.cuts(bounds, [])
    assert len([t for t in energy if speech.in_word(t)]) >= 3
    plain = render_talk(talk, plan, speech.source, settings, speech.cache)
    for old, new in zip(plain.pieces, render.pieces, strict=True):  # a piece's name: its span
        assert (old.path == new.path) == ((old.start, old.end) == (new.start, new.end))
    assert plain.full != render.full
    again = render_talk(talk, plan, speech.source, settings, speech.cache, no_go=speech.tiers)
    assert again.encodes == 0 and [p.path for p in again.pieces] == [p.path for p in render.pieces]


def test_a_cut_planned_in_any_word_lands_in_a_pause(speech: Speech) -> None:
    """Every word's middle, one cut at a time: none stays inside a word, all in pauses."""
    bounds = [middle(w) for w in speech.heard if middle(w) > 0.5]
    cuts = [speech.cuts((b,), speech.tiers)[0] for b in bounds]
    assert len(cuts) > 60
    assert [t for t in cuts if speech.in_word(t)] == []
    assert [t for t in cuts if not speech.in_pause(t)] == []


def test_no_pause_within_the_widest_reach_falls_back_and_says_so(speech: Speech, capsys):
    everywhere = [[Span(0.0, speech.analysis.duration)]]
    bound = middle(speech.heard[len(speech.heard) // 2])
    assert speech.cuts((bound,), everywhere) == speech.cuts((bound,), [])
    assert f"no pause within {REACH * WIDEN[-1]:g} s" in capsys.readouterr().err


def test_the_build_stages_cut_a_transcribed_talk_in_pauses(speech: Speech, tmp_path: Path):
    """find_source transcribes a talk without captions (its audio in the cache, as a
    fetch leaves it) and notes its no-go spans; render_audio cuts outside them."""
    talk = dataclasses.replace(load_talk(SHORT_TALK), cues=[], transcript=[])
    (speech.cache / "audio").mkdir(exist_ok=True)
    shutil.copy(speech.source, speech.cache / "audio" / f"{talk.video_id}.wav")
    show = load_show(make_show(tmp_path, [SHORT_TALK]))
    session = BuildSession(show, Options(cache_dir=speech.cache), tmp_path / "staging")
    task = TalkTask(SHORT_TALK, talk=talk)
    stages.find_source(session, task)
    assert task.no_go == speech.tiers and task.talk and task.talk.cues
    bounds = tuple(middle(ws[len(ws) // 2]) for ws in _by_clip(speech))
    task.plan = make_plan(bounds, video_id=talk.video_id, duration=speech.analysis.duration)
    stages.render_audio(session, task)
    assert task.render
    cuts = [p.start for p in task.render.pieces[1:]]
    assert len(cuts) == len(bounds) and all(map(speech.in_pause, cuts)), cuts


def test_caption_word_times_are_no_go_spans(tmp_path: Path) -> None:
    """Captions time word starts only: a word lasts to the next one, 0.6 s at most;
    captions without word times give no spans (their cuts are as before)."""
    cues = [Cue(1.0, 3.0, "so the question", 5, word_times=(1.0, 1.2, 1.5)),
            Cue(4.0, 5.0, "is", 8, word_times=(4.0,)),
            Cue(6.0, 7.0, "untimed words here", 11)]  # fmt: skip
    assert caption_spans(cues) == [Span(1.0, 1.2), Span(1.2, 1.5), Span(1.5, 2.1), Span(4.0, 4.6)]
    assert no_go(cues[2:], tmp_path / "unread.wav", tmp_path, None) == []  # nothing read


def _by_clip(speech: Speech) -> list[list[Word]]:
    """The heard words of each clip, by the pauses between clips."""
    groups: list[list[Word]] = [[] for _ in speech.pauses[1:]]
    for w in speech.heard:
        i = sum(1 for lo, _ in speech.pauses[1:] if lo <= w.start)
        groups[min(i, len(groups) - 1)].append(w)
    return groups
