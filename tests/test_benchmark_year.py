"""benchmarks/year.py: its synthetic seeds (and plan files) are valid talks, and a 3-talk
run prints its figures: builds, publish step, feed sizes, what adding a talk rewrote."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from publisher.ingest import load_talk
from publisher.plan.planfile import load_plan

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "year.py"


@pytest.fixture(scope="module")
def year():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import year as module
    finally:
        sys.path.remove(str(SCRIPT.parent))
    return module


def test_seeds_are_distinct_valid_talks_of_one_year(year, tmp_path):
    seeds = year.make_seeds(12)
    assert [s.text for s in year.make_seeds(5)] == [s.text for s in seeds[:5]]  # deterministic
    talks = []
    for seed in seeds:
        path = tmp_path / seed.name
        path.write_text(seed.text, encoding="utf-8")
        talks.append(load_talk(path))
    assert len({t.video_id for t in talks}) == len({t.title for t in talks}) == 12
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{11}", t.video_id) for t in talks)
    assert {t.date.year for t in talks} == {year.YEAR}
    assert all(1 <= len(t.speakers) <= 2 for t in talks)
    panels = [t for t, s in zip(talks, seeds, strict=True) if s.panel]
    assert panels and all(t.moderator for t in panels)
    assert all(55 <= t.duration <= 135 for t in talks)


def test_short_talks_with_plans_and_tracks(year, tmp_path):
    seeds = year.make_seeds(12, clips=5, tracks=True)
    playlists = set()
    for seed in seeds:
        path = tmp_path / seed.name
        path.write_text(seed.text, encoding="utf-8")
        (plan_file := path.with_suffix(".plan.toml")).write_text(seed.plan, encoding="utf-8")
        talk = load_talk(path)
        plan = load_plan(plan_file, talk)
        assert [s.kind for s in plan.segments] == ["question"] * 5
        assert all(s.topic and s.title.endswith("?") for s in plan.segments)
        assert 10 <= talk.duration <= 40
        playlists.add(talk.playlist)
    assert len(playlists) > 3 and all(p.endswith("Track 2024") for p in playlists)


def test_shared_transcripts_give_distinct_talks_with_shared_captions(year, tmp_path):
    """--share N (quick mode): the talks of an area say one of N/12 transcripts, so
    their stand-in audio is one file; titles, video ids and plans' titles differ."""
    seeds = year.make_seeds(48, clips=5, tracks=True, share=12)
    talks = []
    for seed in seeds:
        (path := tmp_path / seed.name).write_text(seed.text, encoding="utf-8")
        talks.append(load_talk(path))
    captions = {tuple((ln.start, ln.end, ln.text) for ln in t.transcript) for t in talks}
    assert len(captions) <= 12 < len({t.title for t in talks}) == 48
    assert len({t.video_id for t in talks}) == 48 and len({s.plan for s in seeds}) == 48
    plain = year.make_seeds(48, clips=5, tracks=True)  # sharing changes nothing else
    assert [s.name for s in plain] == [s.name for s in seeds]


def test_three_talk_run_prints_figures(tmp_path):
    work = tmp_path / "year"
    cmd = [sys.executable, str(SCRIPT), "--talks", "3", "--quick", "--dir", str(work)]
    cmd += ["--clips", "5", "--tracks"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {
        m["run"]: m
        for m in re.finditer(
            r"^(?P<run>cold build|no-op rebuild) +(?P<talks>\d+) +(?P<episodes>\d+) +"
            r"(?P<wall>[\d.]+) +[\d.]+ +(?P<encodes>\d+) +(?P<rss>\d+) +\d+ +(?P<publish>[\d.]+)$",
            done.stdout,
            re.M,
        )
    }
    assert set(rows) == {"cold build", "no-op rebuild"}, done.stdout
    cold, noop = rows["cold build"], rows["no-op rebuild"]
    assert int(cold["talks"]) == 3 and int(cold["episodes"]) == 3 * 6  # full talks and clips
    assert float(cold["publish"]) > 0
    assert int(cold["encodes"]) > 0 and float(cold["wall"]) > 0 and int(cold["rss"]) > 0
    assert noop["episodes"] == cold["episodes"]
    assert re.search(r"no-op rebuild: [\d.]+ s, \d+ encodes", done.stdout)
    assert re.search(r"^  feed\.xml +[\d.]+ KB", done.stdout, re.M)  # every feed, found
    assert re.search(r"home page index\.html: [\d.]+ KB", done.stdout)
    assert re.search(r"one search \('memory'\): [\d.]+ KB", done.stdout)
    added = re.search(r"^  added *: +(\d+) of the new talk's", done.stdout, re.M)
    assert added and int(added[1]) > 6  # its audio, pages, transcripts...
    assert re.search(r"^  changed *: +0 of the new talk's, +\d+ others", done.stdout, re.M)
    assert not work.exists()  # cleared without --keep
