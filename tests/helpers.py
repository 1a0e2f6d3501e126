"""Helpers and constants shared by test modules: paths, a show built through the CLI,
the audio fixture talk and its read-back tools, `publisher add` against a loopback site,
runs of a published show, and reading show notes' times. Shared fixtures are in
conftest.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import feedparser
import numpy as np
import pytest
from episode_factory import make_talk as factory_talk

from publisher.audio.analyse import Analyser
from publisher.cli import main
from publisher.model import Cue, Line, Plan, Segment, Speaker, Talk

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
BUNDLED_SEED = ROOT / "seeds" / "kvm-forum-2018" / "contributor-qa-panel.txt"
SHORT_SEED = FIXTURES / "seeds" / "short-panel.txt"
SHORT_TALK = FIXTURES / "seeds" / "short-talk.txt"
PLAN_FIXTURES = FIXTURES / "plan"
# name: seed file of the hand-labelled transcripts
SHAPES = {
    "kvm-forum-2018-panel": BUNDLED_SEED,
    "storage-panel": PLAN_FIXTURES / "storage-panel.txt",
    "talk-with-qa": PLAN_FIXTURES / "talk-with-qa.txt",
    "held-out-panel": PLAN_FIXTURES / "held-out-panel.txt",
    "chaired-talk": PLAN_FIXTURES / "chaired-talk.txt",
}


def need(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        pytest.fail(f"{tool} is not installed; .ci/run installs it")
    return path


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- a show built through the CLI ---------------------------------------------------


def make_show(root: Path, seeds: list[Path], slug: str = "demo") -> Path:
    """A show toml in `root` whose seeds are copies of `seeds` under root/seeds/."""
    (root / "seeds").mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        shutil.copy(seed, root / "seeds" / seed.name)
    toml = root / "feeds" / f"{slug}.toml"
    toml.parent.mkdir(exist_ok=True)
    toml.write_text(
        '[show]\ntitle = "Demo Forum"\ndescription = "Talks from the demo forum."\n'
        'author = "Demo Forum"\nowner_name = "Organisers"\nowner_email = "o@example.org"\n'
        'base_url = "http://127.0.0.1:8000/demo/"\nseeds = ["../seeds/*.txt"]\n'
        '[glossary]\n"kmu" = "QEMU"\n'
    )
    return toml


def build(root: Path, toml: Path, *extra: str) -> int:
    return main(
        [
            "build",
            str(toml),
            "--out",
            str(root / "public"),
            "--cache-dir",
            str(root / "cache"),
            "--standin-audio",
            *extra,
        ]
    )


def run(root: Path, published: Path, *argv: str) -> int:
    """`publisher *argv` in `root`, sharing the cache of the `published` show."""
    cwd = Path.cwd()
    os.chdir(root)  # errors name paths as given: relative ones read as in the table
    try:
        return main([*argv, "--out", "public", "--cache-dir", str(published / "cache")])
    finally:
        os.chdir(cwd)


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace `old` (which must be there) by `new` in a text file, `count` times."""
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, count))


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """The number of the `nth` line of a text file that holds `needle`."""
    hits = [n for n, ln in enumerate(path.read_text().splitlines(), 1) if needle in ln]
    return hits[nth - 1]


def enclosures(out: Path, feed: str) -> dict[str, Path]:
    """GUID -> published file of each episode in a built show's feed (`out` is
    public/<show>, `feed` "feed.xml" or "clips.xml"): files are named by the plan."""
    entries = feedparser.parse(str(out / feed)).entries
    return {e.id: out / "episodes" / e.enclosures[0].href.split("/episodes/")[1] for e in entries}


def error_lines(err: str) -> list[str]:
    assert "Traceback" not in err, err
    return [ln for ln in err.splitlines() if ln.startswith("publisher: error:")]


# --- the 41 s audio fixture talk and ffmpeg's read-back --------------------------------

# (start, end, text): speech with planted pauses at 8.5-12.0 and 25.0-28.0
LINES = [
    (0.5, 4.0, "welcome everyone to the contributor panel today"),
    (4.5, 8.5, "we will take questions from the audience"),
    (12.0, 16.0, "the first question is about memory management"),
    (16.5, 20.5, "how do you scale guests to many gigabytes"),
    (21.0, 25.0, "we use huge pages and careful accounting"),
    (28.0, 32.0, "next question concerns the block layer"),
    (32.5, 36.5, "io uring support landed in the last release"),
    (37.0, 40.0, "thank you all for coming"),
]
DURATION = 41.0
RATE = 44100


def make_talk(lines=LINES, duration=DURATION, title="Audio Fixture Panel") -> Talk:
    cues = [Cue(s, e, t, i + 10) for i, (s, e, t) in enumerate(lines)]
    cues.append(Cue(duration - 0.5, duration, "", 99))
    return Talk(
        source=Path("tests/fixtures/audio/fixture-panel.txt"),
        title=title,
        date=dt.date(2018, 11, 14),
        playlist="KVM Forum 2018",
        description="A fixture.",
        speakers=[],
        moderator=None,
        cues=cues,
        transcript=[
            Line(s, e, t, "Stefan" if i % 2 else None) for i, (s, e, t) in enumerate(lines)
        ],
        url="https://www.youtube.com/watch?v=fixture0001",
        video_id="fixture0001",
    )


def make_plan(bounds=(10.0, 26.5), video_id="fixture0001", duration=DURATION) -> Plan:
    edges = [0.0, *bounds, duration]
    kinds = ["intro"] + ["question"] * (len(edges) - 2)
    segs = [
        Segment(a, b, k, f"Part {i}", "panel", [], [], f"yt-{video_id}-{int(a):05d}")
        for i, (a, b, k) in enumerate(zip(edges, edges[1:], kinds, strict=False))
    ]
    return Plan(video_id, segs)


def loudness(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) as ffmpeg's ebur128 filter measures them."""
    out = subprocess.run(
        [need("ffmpeg"), "-nostdin", "-hide_banner", "-i", str(path), "-af",
         "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    summary = out[out.rindex("Summary:") :]
    lufs = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return lufs, peak


def probe(path: Path, entry: str) -> str:
    return subprocess.run(
        [need("ffprobe"), "-v", "error", "-show_entries", entry, "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def envelope_of(path: Path) -> np.ndarray:
    """10 ms mean-square envelope of any audio file, decoded by ffmpeg (short files only)."""
    raw = subprocess.run(
        [need("ffmpeg"), "-nostdin", "-v", "error", "-i", str(path), "-ac", "1", "-ar",
         str(RATE), "-f", "s16le", "-"], capture_output=True, check=True,
    ).stdout  # fmt: skip
    a = Analyser(RATE, 1)
    a.feed(np.frombuffer(raw, "<i2").reshape(-1, 1))
    return a.result().envelope


def db(x: np.ndarray) -> np.ndarray:
    return 10 * np.log10(np.maximum(x, 1e-10))


# --- a talk from lines of text (plan tests) ----------------------------------------------


def talk_of(texts: list[str], people: list[str], moderator: str | None = None) -> Talk:
    return factory_talk(
        source=Path("x.txt"),
        speakers=[Speaker(p, organisation="Org") for p in people],
        moderator=Speaker(moderator) if moderator else None,
        transcript=[Line(4.0 * i, 4.0 * (i + 1), t) for i, t in enumerate(texts)],
    )


# --- `publisher add` against a loopback site (the `site` fixture serves it) ---------------

WWW = FIXTURES / "add" / "www"
SHOW = """\
# The forum's podcast.

[show]
title = "KVM Forum"
description = "Talks from the forum."
author = "KVM Forum"
owner_name = "Organisers"
owner_email = "podcast@example.org"
base_url = "http://127.0.0.1:8000/forum/"
# every year's talks
seeds = [{seeds}]  # the years so far
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass


def project(root: Path, *patterns: str) -> Path:
    """feeds/forum.toml with one older talk in seeds/base/; returns the show file."""
    (root / "seeds" / "base").mkdir(parents=True)
    shutil.copy(SHORT_TALK, root / "seeds" / "base" / "short-talk.txt")
    show = root / "feeds" / "forum.toml"
    show.parent.mkdir()
    pats = patterns or ("../seeds/base/*.txt",)
    show.write_text(SHOW.format(seeds=", ".join(f'"{p}"' for p in pats)))
    return show


def add(url: str, show: Path, *more: str) -> int:
    return main(
        ["add", url, "--show", str(show), "--seeds-dir", str(show.parent.parent / "seeds"), *more]
    )


@dataclass(frozen=True)
class Case:
    """A hostile change to a published show's copy, and the error it must give."""

    name: str
    change: Callable[[Path], int | None]  # edits the show's copy; the line the error names
    names: str  # the file the error names, relative to the show's folder
    says: str  # in the message
    code: int = 2  # the exit code
    argv: tuple[str, ...] = ()  # more command-line options


# --- reading show notes and video links --------------------------------------------------

CLOCK = r"(\d\d:\d\d(?::\d\d)?)"  # "MM:SS" or "H:MM:SS"
POSITION = re.compile(rf"^(.+?), at {CLOCK}–{CLOCK} of the full talk", re.M)  # label, range
FROM = re.compile(rf"\(from {CLOCK}\): (\S+)")  # "(from MM:SS): <video URL with t=>"


def seconds(clock: str) -> int:
    """Seconds in a clock: "MM:SS" or "H:MM:SS"."""
    total = 0
    for part in clock.split(":"):
        total = total * 60 + int(part)
    return total


def t_of(url: str) -> int:
    """The t= of a video URL, in seconds."""
    return int(parse_qs(urlsplit(url).query)["t"][0])
