"""Fuzzing the input parsers: seeds, captions (SRT, WebVTT, json3), plan files, show
files. Each document is a real fixture mutated (lines deleted, duplicated, swapped or
garbled; control characters, huge or bad numbers and times, random unicode, broken
UTF-8). Whatever comes in, a parser gives a result that is safe to publish or raises
PublisherError as one line naming the file; nothing else.

FUZZ_EXAMPLES=20000 runs each parser that many times instead of the default."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publisher.errors import PublisherError
from publisher.ingest import load_talk
from publisher.ingest.captions import parse_captions
from publisher.ingest.limits import MAX_CUE, MAX_TALK, bad_char
from publisher.plan.planfile import MIN_CLIP, load_plan
from publisher.show import load_show

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEEDS = FIXTURES / "seeds"
PLAN = FIXTURES / "hostile" / "short-panel.plan.toml"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))
T = TypeVar("T")


def fuzz(default: int):
    return settings(
        max_examples=EXAMPLES or default,
        deadline=None,
        derandomize=not EXAMPLES,  # the suite's run is the same every time
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )


def _json3_seed() -> str:
    """short-panel.txt with its captions as YouTube json3 (pretty-printed, as YouTube
    sends it), words timed by tOffsetMs."""
    talk = load_talk(SEEDS / "short-panel.txt")
    events = []
    for cue in talk.cues:
        words = cue.text.split()
        step = (cue.end - cue.start) / max(len(words), 1)
        segs = [{"utf8": (" " if k else "") + w, "tOffsetMs": round(k * step * 1000)}
                for k, w in enumerate(words)]
        events.append({"tStartMs": round(cue.start * 1000),
                       "dDurationMs": round((cue.end - cue.start) * 1000), "segs": segs})
    body = json.dumps({"wireMagic": "pb3", "events": events}, indent=1)
    text = (SEEDS / "short-panel.txt").read_text()
    head = text[: text.index("Captions:")]
    return f"{head}Captions:\n{body}\nYouTube URL: https://www.youtube.com/watch?v=Xq3v9LpT0aB\n"


SHOW = """\
# The demo forum's show
[show]
title = "Demo Forum"
description = "Talks from the demo forum."
author = "Demo Forum"
owner_name = "Organisers"
owner_email = "o@example.org"
base_url = "http://127.0.0.1:8000/demo/"
seeds = ["../seeds/*.txt"]
language = "en"
category = "Technology"
subcategory = "Software How-To"
explicit = false
copyright = "CC BY 4.0"

[audio]
bitrate = "64k"
channels = 1
sample_rate = 44100
formats = ["mp3", "m4a"]

[glossary]
"kmu" = "QEMU"
"""

DOCS = {
    "srt": (SEEDS / "short-panel.txt").read_text(),
    "vtt": (SEEDS / "short-panel.vtt.txt").read_text(),
    "talk": (SEEDS / "short-talk.txt").read_text(),
    "json3": _json3_seed(),
}
TALK = load_talk(SEEDS / "short-panel.txt")

# Bits of hostile text: control characters, numbers too big or not numbers, bad
# times, the syntax of each format, and any unicode.
NUMBERS = [
    "nan", "inf", "-inf", "-1", "0", "1e308", "-1e308", "99999999999999999999", "0.05",
    "99:59:59,999", "25:61:61.5", "1:00:00:00.0", '"01:00.0"', '"nan"', '"inf"', "1_000",
]
NASTY = NUMBERS + [
    "\x00", "\x1b[31m", "\x07", "\x0b", "\x0c", "\r", "\x7f", "\x85", "\ufeff", "\ufffe",
    "\u2028", "\u202e", "\U0001f600", "Ω≈ç√", "ﬁ", "\t", " ", "", "-->", ">>", "<", "&amp;",
    "&#27;", "<00:00:01.000>", ":", "=", "[[clip]]", "[show]", "[audio]", '"', "'", "\\",
    "{", "}", "[", "]", ",", "---", "Captions:", "Title:", "WEBVTT", "NOTE", "true", "[]", "{}",
    "00:00:00,000 --> 99:59:59,999", "00:01:00,000 --> 00:00:01,000", '"\\u0000"',
    '"\\u001b"', '"\\ud800"', '"\\uffff"', '"tStartMs": 1e308', '"tOffsetMs": -5',
    '"utf8": "\\u001b"', '"dDurationMs": "x"', "x" * 12_000,
]
nasty = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))
# A TOML value of another type or shape where a plan or show file has a value.
VALUES = [
    "42", "-1", "0", "1e308", "nan", "inf", "true", "[]", "{}", "[1, 2]", '["a", 3]', '""',
    '"x"', '"\\u001b"', '"."', '"../x"', '"/"', "{a = 1}", "1979-05-27", "12:00:00",
    '"""\nmany\nlines"""', '"' + "v" * 11_000 + '"', '"' + "w" * 5_000 + '"',
    '[{name = "X", role = "panel"}]',
]


@st.composite
def mutated(draw, text: str) -> bytes:
    """`text` with a few of its lines deleted, duplicated, swapped, cut, replaced or
    garbled, as UTF-8 bytes, sometimes with a BOM or a broken byte."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 5))):
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        op = draw(st.integers(0, 9))
        line = lines[i]
        if op == 0 and len(lines) > 1:
            del lines[i]
        elif op == 1:
            lines.insert(j, line)
        elif op == 2:
            lines[i], lines[j] = lines[j], line
        elif op == 3:
            lines[i] = line[: draw(st.integers(0, len(line)))]
        elif op == 4:
            lines[i] = draw(nasty)
        elif op == 5:  # something hostile inside the line
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + draw(nasty) + line[at:]
        elif op == 6:  # a number replaced: times, durations, offsets
            digits = [k for k, ch in enumerate(line) if ch.isdigit()]
            if digits:
                k = draw(st.sampled_from(digits))
                lines[i] = line[:k] + draw(st.sampled_from(NUMBERS)) + line[k + 1 :]
        elif op == 7:  # a line from another document
            other = draw(st.sampled_from(sorted(DOCS))).split("\n")
            lines.insert(j, other[draw(st.integers(0, len(other) - 1))])
        elif op == 8 and " = " in line:  # a value of another type
            lines[i] = line[: line.index(" = ") + 3] + draw(st.sampled_from(VALUES))
        else:
            lines[i] = draw(st.text(min_size=1, max_size=80))
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    extra = draw(st.integers(0, 9))
    if extra == 0:
        data = b"\xef\xbb\xbf" + data
    elif extra == 1:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"])) + data[at:]
    return data


def parsed(parse: Callable[[], T], path: Path) -> T | None:
    """What `parse` gives, or None if it refuses: PublisherError, one line naming `path`."""
    try:
        return parse()
    except PublisherError as e:
        one_line_naming(e, path)
        return None


def one_line_naming(e: PublisherError, path: Path) -> None:
    message = str(e)
    assert "\n" not in message and "\r" not in message, message
    assert message.startswith(f"{path}:"), message
    assert len(message) < 600, message  # a value is quoted, not dumped
    assert bad_char(message) is None, repr(message)


def safe_text(*texts: str) -> None:
    for text in texts:
        assert bad_char(text) is None, repr(text)


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """One folder for every example (tmp_path is per test, not per example)."""
    return tmp_path_factory.mktemp("fuzz")


def _write(work: Path, name: str, data: bytes) -> Path:
    path = work / name
    path.write_bytes(data)
    return path


@fuzz(1200)
@given(st.sampled_from(sorted(DOCS)).flatmap(lambda k: mutated(DOCS[k])))
def test_seed_parser(work: Path, data: bytes) -> None:
    path = _write(work, "seed.txt", data)
    talk = parsed(lambda: load_talk(path), path)
    if talk is None:
        return
    safe_text(talk.title, talk.description, talk.playlist, talk.url, talk.video_id)
    for person in talk.people:
        safe_text(person.name, person.title, person.organisation, person.bio)
    for cue in talk.cues:
        safe_text(cue.text)
        assert len(cue.text) <= MAX_CUE
        assert 0 <= cue.start <= cue.end <= MAX_TALK
        assert all(math.isfinite(t) and t <= MAX_TALK for t in cue.word_times)


def _captions(text: str) -> str:
    return text[text.index("Captions:") + len("Captions:") : text.index("YouTube URL")]


CAPTIONS = {k: _captions(v) for k, v in DOCS.items() if k != "talk"}


@fuzz(1200)
@given(st.sampled_from(sorted(CAPTIONS)).flatmap(lambda k: mutated(CAPTIONS[k])))
def test_caption_parsers(data: bytes) -> None:
    path = Path("captions.txt")
    text = data.decode("utf-8", "replace")
    cues = parsed(lambda: parse_captions(text.split("\n"), 40, path), path)
    if cues is None:
        return
    assert cues
    for cue in cues:
        safe_text(cue.text)
        assert 0 <= cue.start <= cue.end <= MAX_TALK


PLAN_TEXT = PLAN.read_text()


PUBLISHED = load_plan(PLAN, TALK).segments  # a published plan's GUIDs must stay


@fuzz(1000)
@given(mutated(PLAN_TEXT), st.booleans())
def test_plan_parser(work: Path, data: bytes, published: bool) -> None:
    path = _write(work, "seed.plan.toml", data)
    plan = parsed(lambda: load_plan(path, TALK, published=PUBLISHED if published else None), path)
    if plan is None:
        return
    assert plan.segments
    for prev, seg in zip(plan.segments, plan.segments[1:], strict=False):
        assert prev.end <= seg.start + 0.001
    for seg in plan.segments:
        assert seg.start >= 0 and seg.end - seg.start >= MIN_CLIP
        assert seg.end <= TALK.duration + 1.0
        safe_text(seg.title, seg.topic, seg.summary, seg.guid, *seg.keywords)
        safe_text(*(c.name for c in seg.speakers))


@fuzz(800)
@given(mutated(SHOW))
def test_show_loader(work: Path, data: bytes) -> None:
    folder = work / "show"
    (folder / "seeds").mkdir(parents=True, exist_ok=True)
    (folder / "seeds" / "a.txt").write_text(DOCS["talk"])
    (folder / "feeds").mkdir(exist_ok=True)
    path = folder / "feeds" / "demo.toml"
    path.write_bytes(data)
    show = parsed(lambda: load_show(path), path)
    if show is None:
        return
    safe_text(show.title, show.description, show.author, show.owner_name, show.owner_email)
    safe_text(show.slug, show.base_url, show.language, show.copyright, show.link)
    safe_text(*show.glossary, *show.glossary.values())


@pytest.mark.parametrize("kind", sorted(DOCS))
def test_the_fixtures_themselves_parse(work: Path, kind: str) -> None:
    """The fuzzing starts from documents that are good."""
    assert load_talk(_write(work, f"{kind}.txt", DOCS[kind].encode())).cues
