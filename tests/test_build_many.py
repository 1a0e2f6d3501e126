"""Many talks: parallel builds, contained failures, incremental new years, kill safety,
the show lock, and the same per-talk jobs on a Dask cluster."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest
from helpers import ROOT, build, digest, make_show

from publisher.cli import main
from publisher.pipeline.lock import show_lock

TALK = ROOT / "tests" / "fixtures" / "seeds" / "short-talk.txt"
PANEL = ROOT / "tests" / "fixtures" / "seeds" / "short-panel.txt"


def variant(src: Path, dst: Path, video_id: str, title: str, year: int) -> Path:
    """A copy of a seed as another talk: its own video id, title and year."""
    text = src.read_text()
    text = re.sub(r"(?m)^Title: .*$", f"Title: {title}", text)
    text = re.sub(r"(?m)^Publication date: \d{4}", f"Publication date: {year}", text)
    text = re.sub(r"(?m)^Playlist: .*$", f"Playlist: Demo Forum {year}", text)
    text = re.sub(r"(?m)^YouTube URL: .*$", f"YouTube URL: https://youtu.be/{video_id}", text)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(text)
    return dst


def year_of_talks(root: Path, year: int, count: int) -> list[Path]:
    return [
        variant(TALK, root / "seeds" / str(year) / f"talk-{i}.txt", f"y{year}t{i}aaaaa"[:11],
                f"Talk {i} of {year}", year)
        for i in range(count)
    ]  # fmt: skip


def show_of_years(root: Path) -> Path:
    toml = make_show(root, [])
    toml.write_text(toml.read_text().replace('"../seeds/*.txt"', '"../seeds/*/*.txt"'))
    return toml


def identities(out: Path) -> dict[str, str]:
    """guid -> enclosure URL of every item in the show's two main feeds."""
    return {
        e.id: e.enclosures[0].href
        for name in ("feed.xml", "clips.xml")
        for e in feedparser.parse(str(out / name)).entries
    }


def summary(out: str) -> dict[str, int]:
    """The CLI's counts: episodes, encodes, and talks built/reused/failed/kept."""
    m = re.search(r"(\d+) episodes in [\d.]+ s, (\d+) encodes; talks: (.*)", out)
    assert m, out
    counts = {k: int(v) for v, k in re.findall(r"(\d+) (\w+)", m.group(3))}
    return {"episodes": int(m.group(1)), "encodes": int(m.group(2)), **counts}


def test_a_new_year_builds_only_its_talks_and_keeps_every_byte(tmp_path: Path, capsys):
    toml = show_of_years(tmp_path)
    year_of_talks(tmp_path, 2023, 2)
    assert build(tmp_path, toml, "--jobs", "2") == 0
    first = summary(capsys.readouterr().out)
    assert first["built"] == 2 and first["encodes"] > 0
    out = tmp_path / "public" / "demo"
    before_ids, before_files = identities(out), digest(out / "episodes")

    year_of_talks(tmp_path, 2024, 2)
    assert build(tmp_path, toml, "--jobs", "2") == 0
    again = summary(capsys.readouterr().out)

    assert (again["built"], again["reused"], again["failed"]) == (2, 2, 0)
    after_ids, after_files = identities(out), digest(out / "episodes")
    assert before_ids.items() < after_ids.items()  # same GUIDs, same enclosure URLs, and more
    assert {k: after_files[k] for k in before_files} == before_files  # byte for byte
    assert sorted(p.name for p in (out / "years").glob("*.xml")) == ["2023.xml", "2024.xml"]

    feeds = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*.xml")}
    assert build(tmp_path, toml) == 0  # nothing changed: nothing built, nothing encoded
    idle = summary(capsys.readouterr().out)
    assert (idle["built"], idle["reused"], idle["encodes"]) == (0, 4, 0)
    assert digest(out / "episodes") == after_files
    # ...and nothing published again: the very files online stay, not rewritten copies
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*.xml")} == feeds
    assert not list(out.parent.glob(".demo.staging*"))

    # a published file gone missing: its talk is built again, and the file comes back
    gone = next(out.glob("episodes/*/*.mp3"))
    data = gone.read_bytes()
    gone.unlink()
    assert build(tmp_path, toml) == 0
    fixed = summary(capsys.readouterr().out)
    assert (fixed["built"], fixed["reused"]) == (1, 3) and gone.read_bytes() == data


def test_a_failing_talk_keeps_its_episodes_and_the_others_publish(tmp_path: Path, capsys):
    toml = show_of_years(tmp_path)
    good, bad = year_of_talks(tmp_path, 2024, 2)
    assert build(tmp_path, toml, "--jobs", "2") == 0
    out = tmp_path / "public" / "demo"
    bad_id = "y2024t1aaaa"
    kept_files = digest(out / "episodes" / bad_id)
    before = identities(out)
    capsys.readouterr()

    bad.write_text(bad.read_text().replace("Captions:", "Captions:\n\tnot a timestamp -->", 1))
    good.write_text(good.read_text().replace("Title: Talk 0 of 2024", "Title: Retitled talk"))
    status = build(tmp_path, toml, "--jobs", "2")

    captured = capsys.readouterr()
    assert status == 2  # bad input
    errors = [ln for ln in captured.err.splitlines() if ln.startswith("publisher: error:")]
    assert len(errors) == 1 and "talk-1.txt" in errors[0] and "kept" in errors[0]
    counts = summary(captured.out)
    assert (counts["built"], counts["failed"], counts["kept"]) == (1, 1, 1)
    assert identities(out) == before  # every GUID and enclosure as published
    assert digest(out / "episodes" / bad_id) == kept_files
    titles = [e.title for e in feedparser.parse(str(out / "feed.xml")).entries]
    assert "Retitled talk" in titles and "Talk 1 of 2024" in titles


def test_a_talk_that_was_never_published_fails_alone(tmp_path: Path, capsys):
    toml = show_of_years(tmp_path)
    _, bad = year_of_talks(tmp_path, 2024, 2)
    bad.write_text(bad.read_text().replace("Publication date: 2024", "Publication date: 20x4"))
    assert build(tmp_path, toml) == 2
    out = tmp_path / "public" / "demo"
    assert [e.title for e in feedparser.parse(str(out / "feed.xml")).entries] == ["Talk 0 of 2024"]
    assert "talk-1.txt:2:" in capsys.readouterr().err


def _valid_show(out: Path) -> None:
    """Every feed validates and every enclosure it names is there."""
    feeds = sorted(out.rglob("*.xml"))
    assert feeds and main(["validate", *map(str, feeds)]) == 0
    for entry in feedparser.parse(str(out / "clips.xml")).entries:
        rel = entry.enclosures[0].href.split("/demo/", 1)[1]
        assert (out / rel).is_file()


def test_a_build_killed_at_any_point_leaves_the_published_show(tmp_path: Path, capsys):
    toml = show_of_years(tmp_path)
    year_of_talks(tmp_path, 2023, 2)
    assert build(tmp_path, toml) == 0
    out = tmp_path / "public" / "demo"
    year_of_talks(tmp_path, 2024, 2)  # the next build has work to do
    cmd = [sys.executable, "-m", "publisher", "build", str(toml), "--standin-audio",
           "--out", str(tmp_path / "public"), "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
    outcomes = set()
    published = identities(out)
    for delay in (0.2, 0.8, 1.6, 3.0, 4.5, 6.0, 8.0):
        before = digest(out)
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = digest(out)
        outcomes.add("unchanged" if after == before else "replaced")
        _valid_show(out)  # complete and valid, whichever it is
        if after != before:  # the kill came after the swap: the new show, whole
            assert published.items() < identities(out).items()
            break
    assert "unchanged" in outcomes  # at least one kill landed mid-build
    time.sleep(0.5)
    assert not _processes_in(tmp_path)  # no worker outlived its build
    capsys.readouterr()
    assert build(tmp_path, toml) == 0  # the next build recovers: leftovers are cleared
    assert not (tmp_path / "public" / ".demo.staging").exists()
    assert summary(capsys.readouterr().out)["failed"] == 0
    _valid_show(out)


def _processes_in(folder: Path) -> list[int]:
    """Processes whose working folder is `folder`."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if (proc / "cwd").resolve() == folder.resolve():
                found.append(int(proc.name))
        except OSError:
            pass
    return found


def test_a_second_build_of_the_same_show_waits_or_says_why(tmp_path: Path, capsys):
    toml = show_of_years(tmp_path)
    year_of_talks(tmp_path, 2024, 1)
    assert build(tmp_path, toml) == 0
    capsys.readouterr()
    lock = tmp_path / "public" / ".demo.lock"
    cmd = [sys.executable, "-m", "publisher", "build", str(toml), "--standin-audio",
           "--out", str(tmp_path / "public"), "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
    with show_lock(lock, "the demo show"):
        busy = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        waiting = subprocess.Popen([*cmd, "--wait"], stdout=subprocess.PIPE, text=True)
        time.sleep(2)
        assert waiting.poll() is None  # still waiting for the lock
    assert busy.returncode == 75
    assert busy.stderr.count("\n") == 1 and f"pid {os.getpid()}" in busy.stderr
    assert "another build" in busy.stderr and "--wait" in busy.stderr
    out, _ = waiting.communicate(timeout=60)
    assert waiting.returncode == 0 and summary(out)["reused"] == 1


def test_the_dask_path_gives_the_same_output(tmp_path: Path):
    distributed = pytest.importorskip("distributed")
    toml = show_of_years(tmp_path)
    year_of_talks(tmp_path, 2023, 1)
    variant(PANEL, tmp_path / "seeds" / "2024" / "panel.txt", "pAnEl2024xx", "A panel", 2024)
    common = ["build", str(toml), "--standin-audio", "--cache-dir", str(tmp_path / "cache")]
    assert main([*common, "--out", str(tmp_path / "local")]) == 0
    with distributed.LocalCluster(  # 2 worker processes, sharing the cache and output folders
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        shutil.rmtree(tmp_path / "cache" / "render")  # the cluster renders everything again
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-m", "publisher", *common, "--out", "dask", "--scheduler", address],
            cwd=tmp_path,  # relative paths: the workers must get absolute ones
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
    assert done.returncode == 0, done.stderr
    counts = summary(done.stdout)
    assert counts["built"] == 2 and counts["encodes"] > 0
    local, dask = digest(tmp_path / "local" / "demo"), digest(tmp_path / "dask" / "demo")
    records = {k for k in local if k.startswith(".records/")}
    assert records and records == {k for k in dask if k.startswith(".records/")}
    assert {k: v for k, v in local.items() if k not in records} == {
        k: v for k, v in dask.items() if k not in records
    }


def test_unreachable_scheduler_is_one_line(tmp_path: Path, capsys):
    toml = show_of_years(tmp_path)
    year_of_talks(tmp_path, 2024, 1)
    status = build(tmp_path, toml, "--scheduler", "tcp://127.0.0.1:9")
    err = capsys.readouterr().err
    assert status == 1 and err.count("\n") == 1 and "tcp://127.0.0.1:9" in err
    assert not (tmp_path / "public" / "demo").exists()
