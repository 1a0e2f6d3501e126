"""End to end: seed -> plan -> stand-in audio -> tagged clips -> feeds, through the CLI."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import feedparser
import podcastparser
import pytest
from helpers import BUNDLED_SEED, SHORT_SEED, SHORT_TALK, build, digest, enclosures, make_show
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from publisher.cli import main
from publisher.show import podcast_guid


def plan_json(seed: Path) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "publisher", "plan", str(seed), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("build")
    toml = make_show(root, [SHORT_SEED])
    assert build(root, toml) == 0
    return root


def test_build_writes_clips_matching_the_plan(built: Path):
    out = built / "public" / "demo"
    plan = plan_json(built / "seeds" / SHORT_SEED.name)
    assert len(plan) >= 3
    for seg in plan:
        clip = enclosures(out, "clips.xml")[seg["guid"]]
        assert clip.exists(), clip
        audio = MP3(clip)
        assert abs(audio.info.length - (seg["end"] - seg["start"])) < 1.0
        tags = ID3(clip)
        assert str(tags["TIT2"]) == seg["title"]
        assert str(tags["TPE1"])
        assert tags.getall("APIC") and tags.getall("APIC")[0].data[:2] == b"\xff\xd8"


def test_full_episode_has_one_chapter_per_segment(built: Path):
    out = built / "public" / "demo"
    (full,) = enclosures(out, "feed.xml").values()
    plan = list(built.glob("seeds/*.plan.toml"))
    assert plan, "the first build saves the plan next to the seed"
    seeds = plan_json(built / "seeds" / SHORT_SEED.name)
    chaps = ID3(full).getall("CHAP")
    assert [str(c.sub_frames["TIT2"]) for c in sorted(chaps, key=lambda c: c.start_time)] == [
        s["title"] for s in seeds
    ]


def test_feeds_parse_in_real_clients(built: Path):
    out = built / "public" / "demo"
    for name in ("feed.xml", "clips.xml"):
        parsed = feedparser.parse(str(out / name))
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.entries
        for entry in parsed.entries:
            enc = entry.enclosures[0]
            local = out / enc.href.removeprefix("http://127.0.0.1:8000/demo/")
            assert int(enc.length) == local.stat().st_size
            assert enc.type == "audio/mpeg"
        with open(out / name, "rb") as f:
            pod = podcastparser.parse("http://127.0.0.1:8000/demo/" + name, f)
        assert len(pod["episodes"]) == len(parsed.entries)
        assert all(e["total_time"] > 0 for e in pod["episodes"])


def test_standin_is_labelled(built: Path):
    feed = (built / "public" / "demo" / "feed.xml").read_text()
    assert "stand-in" in feed.lower()


def test_rebuild_is_a_no_op_with_stable_identity(built: Path, capsys):
    out = built / "public" / "demo"
    before = feedparser.parse(str(out / "clips.xml"))
    capsys.readouterr()
    assert build(built, built / "feeds" / "demo.toml") == 0
    assert ", 0 encodes" in capsys.readouterr().out
    after = feedparser.parse(str(out / "clips.xml"))
    assert [(e.id, e.enclosures[0].href) for e in after.entries] == [
        (e.id, e.enclosures[0].href) for e in before.entries
    ]


def test_bad_seed_fails_without_touching_published_files(built: Path, capsys):
    out = built / "public" / "demo"
    before = digest(out)
    bad = built / "seeds" / "zz-broken.txt"
    bad.write_text(SHORT_SEED.read_text().replace("00:00:", "00:0x:", 1))
    try:
        status = build(built, built / "feeds" / "demo.toml")
    finally:
        bad.unlink()
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert any("zz-broken.txt" in line for line in err)
    assert "Traceback" not in "\n".join(err)
    assert digest(out) == before


def test_malformed_seed_via_cli_is_one_line_exit_2(tmp_path: Path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(SHORT_SEED.read_bytes().replace(b"-->", b"->", 1))
    proc = subprocess.run(
        [sys.executable, "-m", "publisher", "plan", str(bad), "--json"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "bad.txt:" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_bundled_seed_builds_at_least_eight_question_clips(tmp_path: Path):
    toml = make_show(tmp_path, [BUNDLED_SEED])
    assert build(tmp_path, toml) == 0
    out = tmp_path / "public" / "demo"
    clips = feedparser.parse(str(out / "clips.xml"))
    assert not clips.bozo
    plan = plan_json(tmp_path / "seeds" / BUNDLED_SEED.name)
    assert sum(s["kind"] == "question" for s in plan) >= 8
    assert len(clips.entries) == len(plan)
    (full,) = enclosures(out, "feed.xml").values()
    assert abs(MP3(full).info.length - 42 * 60) < 60
    assert len(ID3(full).getall("CHAP")) == len(clips.entries)


def _ctrl_c_as_in_a_terminal() -> None:
    """SIGINT as a shell leaves it: an ignored SIGINT (inherited from whatever the test
    process ran before) would let the build finish instead of being interrupted."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_interrupted_build_leaves_published_files(built: Path, tmp_path: Path, sig):
    built = shutil.copytree(built, tmp_path / "copy", symlinks=True)
    with (built / "feeds" / "demo.toml").open("a") as f:
        f.write('"zzq" = "ZZQ"\n')  # a new glossary entry: every talk is built again
    out = built / "public" / "demo"
    before = digest(out)
    cmd = [
        sys.executable,
        "-m",
        "publisher",
        "build",
        str(built / "feeds" / "demo.toml"),
        "--out",
        str(built / "public"),
        "--cache-dir",
        str(tmp_path / "cold"),
        "--standin-audio",
    ]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    staging = built / "public" / ".demo.staging"
    deadline = time.monotonic() + 20
    while not staging.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # the build is under way, with a cold cache: synthesising or rendering
    assert proc.poll() is None, "the build ended before it could be interrupted"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert digest(out) == before, (proc.returncode, err[-500:])
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert "Traceback" not in err and "interrupted" in err
        assert not (built / "public" / ".demo.staging").exists()
    assert build(built, built / "feeds" / "demo.toml") == 0  # the next build recovers


def test_a_new_year_keeps_every_published_identity(tmp_path: Path, capsys):
    toml = make_show(tmp_path, [SHORT_SEED])
    assert build(tmp_path, toml) == 0
    out = tmp_path / "public" / "demo"

    def identities() -> set[tuple[str, str]]:
        return {
            (e.id, e.enclosures[0].href)
            for name in ("feed.xml", "clips.xml")
            for e in feedparser.parse(str(out / name)).entries
        }

    before = identities()
    shutil.copy(SHORT_TALK, tmp_path / "seeds")
    capsys.readouterr()
    assert build(tmp_path, toml) == 0
    new_clips = len(plan_json(tmp_path / "seeds" / "short-talk.txt"))
    encodes = int(capsys.readouterr().out.split(" encodes")[0].rsplit(", ", 1)[1])
    assert 0 < encodes <= new_clips + 1  # only the new talk was rendered
    after = identities()
    assert before < after
    assert len(after - before) == new_clips + 1  # its clips and its full episode
    years = sorted(p.name for p in (out / "years").glob("*.xml"))
    assert years == ["2023.xml", "2024.xml"]


def test_every_feed_the_build_writes_validates(built: Path, capsys):
    out = built / "public" / "demo"
    feeds = sorted(out.rglob("*.xml"))
    assert {"feed.xml", "clips.xml"} <= {f.name for f in feeds}
    assert any(f.parent.name == "topics" for f in feeds)
    assert any(f.parent.name == "years" for f in feeds)
    capsys.readouterr()
    assert main(["validate", *map(str, feeds)]) == 0, capsys.readouterr().out
    opml = (out / "feeds-all.opml").read_text()  # every feed (feeds.opml: two apart)
    assert all(f"demo/{f.relative_to(out)}" in opml for f in feeds)


def test_topic_feeds_hold_questions_not_the_intro(built: Path):
    out = built / "public" / "demo"
    plan = plan_json(built / "seeds" / SHORT_SEED.name)
    kinds = {s["guid"]: s["kind"] for s in plan}
    in_topics = {
        e.id for f in (out / "topics").glob("*.xml") for e in feedparser.parse(str(f)).entries
    }
    assert in_topics == {g for g, k in kinds.items() if k not in ("intro", "outro")}
    assert "intro" in kinds.values()


def test_podcast_guid_is_assigned_once_and_kept(tmp_path: Path):
    toml = make_show(tmp_path, [SHORT_SEED])
    assert build(tmp_path, toml) == 0
    pinned = tomllib.loads(toml.read_text())["show"]["guid"]
    assert pinned == podcast_guid("http://127.0.0.1:8000/demo/feed.xml")
    assert "[glossary]" in toml.read_text()  # the rest of the file is kept
    toml.write_text(toml.read_text().replace("127.0.0.1:8000/demo/", "podcasts.example.org/d/"))
    assert build(tmp_path, toml) == 0
    feed = (tmp_path / "public" / "demo" / "feed.xml").read_text()
    assert f"<podcast:guid>{pinned}</podcast:guid>" in feed
    assert "https://podcasts.example.org/d/feed.xml" not in feed  # http, as written
    assert "http://podcasts.example.org/d/feed.xml" in feed


def test_a_topic_feed_outlives_its_topic(tmp_path: Path):
    toml = make_show(tmp_path, [SHORT_SEED])
    assert build(tmp_path, toml) == 0
    out = tmp_path / "public" / "demo"
    plan = plan_json(tmp_path / "seeds" / SHORT_SEED.name)
    topics = [s["topic"] for s in plan if s["kind"] == "question"]
    lone = next(t for t in topics if topics.count(t) == 1)
    clip = next(s for s in plan if s["topic"] == lone)
    old_feed = next(
        f for f in (out / "topics").glob("*.xml")
        if [e.id for e in feedparser.parse(str(f)).entries] == [clip["guid"]]
    )  # fmt: skip
    plan_file = tmp_path / "seeds" / (SHORT_SEED.stem + ".plan.toml")
    text = plan_file.read_text()
    plan_file.write_text(text.replace(f'topic = "{lone}"', 'topic = "Renamed topic"', 1))

    for _ in range(2):  # the retired feed stays, build after build
        assert build(tmp_path, toml) == 0
        kept = feedparser.parse(str(old_feed))
        assert not kept.bozo and [e.id for e in kept.entries] == [clip["guid"]]
        assert (out / "topics" / "renamed-topic.xml").exists()
        assert old_feed.name not in (out / "feeds-all.opml").read_text()  # not offered anew
        assert main(["validate", str(old_feed)]) == 0
        page = old_feed.with_suffix(".html")  # its web page stays too, saying why
        assert kept.feed.link.endswith(f"topics/{page.name}")
        html = page.read_text()
        assert "now part of others" in html and clip["guid"] in html and old_feed.name in html
        assert f"topics/{page.name}" not in (out / "index.html").read_text()
