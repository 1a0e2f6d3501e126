"""Naming the voices (speech/naming.py) of the built real-voice panel (speech/panel.py):
its moderator introduces the talk and hands over by name, one panelist introduces
herself, one voice is never named (the audience). The words are written for the
known turns; the voices are heard in the real audio."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from helpers import SHORT_TALK, make_show
from test_speech_build import VIDEO_ID, build_in

from publisher.errors import ShowError
from publisher.model import (
    AUDIENCE,
    Credit,
    Cue,
    Line,
    Plan,
    Role,
    Segment,
    Speaker,
    Talk,
    credits_of,
)
from publisher.plan.make import read_talk
from publisher.show import load_show
from publisher.speech.naming import Voices, credited, mark_turns, name_clusters, voiced_talk
from publisher.speech.panel import Turn, build_panel
from publisher.speech.samples import join, librivox
from publisher.speech.voices import Turn as Heard

MODERATOR, READER, CITIES = "Alice Moderator", "Rita Reader", "Charles Darnay"
SAID = {  # what each voice says in its turns, by turn index (else FILLER)
    0: "welcome to the panel on virtual machines. rita, what do you think?",
    1: "hello my name is rita reader and i think the answer is caching",
    2: "thank you. charles, what do you think?",
    4: "can i ask a question about that please?",
}
FILLER = "well it depends on the workload and the kernel version we run"
WHO = {"m": MODERATOR, "r": READER, "c": CITIES, "h": None}  # h: never named


def _talk(turns: list[Turn]) -> Talk:
    cues = [Cue(t.start, t.end, SAID.get(i, FILLER), i + 1) for i, t in enumerate(turns)]
    return Talk(
        source=Path("panel.txt"), title="A Real Panel", date=dt.date(2026, 1, 1),
        playlist="Voices 2026", description="", moderator=Speaker(MODERATOR),
        speakers=[Speaker(READER, organisation="Library"), Speaker(CITIES)],
        cues=cues, transcript=[], url="https://example.org/v", video_id="voices0001",
    )  # fmt: skip


@pytest.fixture(scope="module")
def heard(tmp_path_factory) -> tuple[Talk, Voices, list[Turn]]:
    tmp = tmp_path_factory.mktemp("named")
    built = build_panel(tmp)
    assert built, "panel voices missing: run scripts/setup.sh test"
    wav, truth = built
    talk, voices = voiced_talk(_talk(truth), wav, tmp / "cache")
    return talk, voices, truth


def test_the_voices_are_named_from_words_and_the_seed(heard) -> None:
    talk, voices, truth = heard
    by_voice = {}
    for t in truth:
        u = voices.at((t.start + t.end) / 2)
        assert u is not None
        by_voice.setdefault(t.voice, set()).add(voices.names.get(u.cluster))
    assert by_voice == {v: {WHO[v]} for v in "mrch"}


def test_lines_carry_names_and_turns(heard) -> None:
    talk, _, truth = heard
    lines = talk.transcript
    assert len(lines) == len(truth)  # each turn a line: no cue split inside a turn
    for ln, t in zip(lines, truth, strict=True):
        assert ln.speaker == WHO[t.voice], (ln, t)
    turns = [i for i, ln in enumerate(lines) if ln.turn]
    changes = [i for i in range(1, len(truth)) if truth[i].voice != truth[i - 1].voice]
    assert turns == changes


def test_question_clips_credit_who_asks_and_answers(heard) -> None:
    talk, voices, truth = heard
    planned = [Credit(MODERATOR, Role.MODERATOR), Credit(READER, Role.PANEL),
               Credit(CITIES, Role.PANEL)]  # fmt: skip
    segs = [
        Segment(truth[2].start, truth[3].end, "question", "Q1", "t", [], planned, "g1"),
        Segment(truth[4].start, truth[5].end, "question", "Q2", "t", [], planned, "g2"),
        Segment(truth[0].start, truth[1].end, "intro", "Hi", "", [], planned, "g0"),
    ]
    plan = credited(Plan(talk.video_id, segs), voices, talk)
    first, second = (credits_of(s) for s in plan.segments[:2])
    assert first.asked == (Credit(MODERATOR, Role.MODERATOR),)
    assert first.answered == (Credit(CITIES, Role.PANELIST),) and not first.panel
    assert second.asked == (Credit(AUDIENCE, Role.AUDIENCE),)
    assert [c.name for c in second.answered] == [CITIES]
    assert plan.segments[2].speakers == planned  # only questions change


def test_unsure_voices_keep_the_panel_and_no_words_name_nobody() -> None:
    talk = _talk([Turn(0.0, 5.0, "m"), Turn(5.0, 12.0, "r")])
    unsure = Voices([Heard(0.0, 5.0, 0, 0.2), Heard(5.0, 12.0, 1, 0.3)], {0: MODERATOR})
    planned = [Credit(MODERATOR, Role.MODERATOR), Credit(READER, Role.PANEL)]
    seg = Segment(0.0, 12.0, "question", "Q", "t", [], planned, "g")
    assert credited(Plan("v", [seg]), unsure, talk).segments[0].speakers == planned
    no_moderator = _talk([])
    no_moderator.moderator = None
    assert name_clusters([Heard(0.0, 5.0, 0, 1.0)], [], no_moderator) == {}
    assert name_clusters([], [Line(0.0, 2.0, "i'm rita")], talk) == {}  # nothing heard


def test_a_voice_change_inside_a_cue_splits_it() -> None:
    cue = Cue(0.0, 4.0, "so that is all. thanks", 7, word_times=(0.0, 0.5, 1.0, 1.5, 3.0))
    voices = Voices([Heard(0.0, 2.5, 0, 1.0), Heard(2.8, 4.0, 1, 1.0)], {})
    a, b = mark_turns([cue], voices)
    assert (a.text, a.end, a.turn) == ("so that is all.", 3.0, False)
    assert (b.text, b.start, b.turn, b.word_times) == ("thanks", 3.0, True, (3.0,))


def test_a_build_hears_voices_only_when_asked(tmp_path: Path) -> None:
    """short-talk.txt has captions and one presenter ("I'm Lena"): built on real
    speech without --voices, no VAD runs and no voice is heard; with it, its VTT
    transcripts name her, and nothing is transcribed (its captions are kept)."""
    clips = librivox()
    assert clips, "LibriVox clips missing: run scripts/setup.sh test"
    cache = tmp_path / "cache"
    (cache / "audio").mkdir(parents=True)
    twice = [c.path for c in clips * 2]  # as long as the captions run (55 s)
    join(twice, [1.0] * (len(twice) - 1), cache / "audio" / f"{VIDEO_ID}.wav")
    build_in(tmp_path / "plain", cache, None)
    assert not list(cache.glob("speech/*"))  # no VAD, no voices, no transcript
    build_in(tmp_path / "voiced", cache, None, "--voices")
    assert sorted(p.name.split("-")[1] for p in cache.glob("speech/*")) == ["vad", "voices"]
    vtts = list((tmp_path / "voiced" / "public").rglob("*.vtt"))
    assert vtts and all("<v Lena Okafor>" in p.read_text() for p in vtts)


def test_the_voices_setting_is_read_and_checked(tmp_path: Path) -> None:
    toml = make_show(tmp_path, [SHORT_TALK])
    base = toml.read_text()
    toml.write_text(base + "[transcribe]\nvoices = true\n")
    wanted = load_show(toml).transcribe
    assert wanted.voices and not wanted.enabled
    captioned = _talk([Turn(0.0, 1.0, "m")])
    assert wanted.hears_voices(captioned) and not wanted.applies(captioned)
    assert not dataclasses.replace(wanted, voices=False).hears_voices(captioned)
    toml.write_text(base + "[transcribe]\nvoice = true\n")
    with pytest.raises(ShowError, match="no setting 'voice' \\(enabled, model, voices\\)"):
        load_show(toml)


def test_only_a_name_said_as_ones_own_or_handed_to_names_a_voice() -> None:
    talk = _talk([])
    lines = [
        Line(0.0, 4.0, "today i'm joined by rita reader. thank you rita"),  # neither
        Line(4.0, 8.0, "i'm charles and i work on storage"),  # his own
    ]
    turns = [Heard(0.0, 4.0, 0, 1.0), Heard(4.0, 8.0, 1, 1.0), Heard(8.0, 9.0, 2, 1.0)]
    assert name_clusters(turns, lines, talk) == {1: CITIES, 0: MODERATOR}


def test_the_planner_hears_which_voice_says_each_word(heard) -> None:
    talk, voices, truth = heard
    _, words, _ = read_talk(talk, {}, voices.speaking)
    said: dict[str, Counter] = {}
    for w in words:
        t = [u for u in truth if u.start <= w.time][-1]  # the turn under way
        said.setdefault(t.voice, Counter())[w.speaker] += 1
    labels = {v: c.most_common(1)[0][0] for v, c in said.items()}
    assert len(set(labels.values())) == len(said) == 4  # one label per voice
    right = sum(c[labels[v]] for v, c in said.items())
    assert right >= 0.9 * len(words)
    plain = read_talk(talk, {})[1]
    assert {w.speaker for w in plain} <= set(WHO.values()) | {""}  # the lines' names only
