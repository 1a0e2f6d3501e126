"""Hostile input, end to end through `publisher.cli.main`: seeds and plan files as a
careless or unlucky organiser leaves them. Each case edits a copy of a published
two-talk show, runs the command, and asserts the exit code, ONE error line that
names the file and line, and (for builds) that the published show is byte-identical."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import Case, add, digest, error_lines, project, run

from publisher.cli import main
from publisher.ingest import load_talk

SEED = "seeds/short-panel.txt"
PLAN = "seeds/short-panel.plan.toml"


def replace(root: Path, rel: str, old: str, new: str) -> int:
    """Replace the first `old` in root/rel with `new`; the line number it starts on."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return text.count("\n", 0, at) + 1


def edit(rel: str, old: str, new: str) -> Callable[[Path], int]:
    return lambda root: replace(root, rel, old, new)


def raw_bytes(root: Path) -> int:
    path = root / SEED
    data = path.read_bytes()
    at = data.index(b"Open Infra")
    path.write_bytes(data[:at] + b"Open \xff" + data[at:])
    return data.count(b"\n", 0, at) + 1


def json3_captions(event: dict) -> Callable[[Path], int]:
    """The panel's captions replaced by json3 with `event` among good ones."""

    def apply(root: Path) -> int:
        path = root / SEED
        text = path.read_text()
        good = {"tStartMs": 0, "dDurationMs": 1000, "segs": [{"utf8": "hello"}]}
        body = json.dumps({"events": [good, event]}, indent=1)
        head, _, rest = text.partition("Captions: \n")
        tail = rest[rest.index("YouTube URL") :]
        path.write_text(f"{head}Captions: \n{body}\n{tail}")
        return head.count("\n") + 2  # json3 errors name its first line

    return apply


def copied(name: str) -> Callable[[Path], int]:
    def apply(root: Path) -> int:
        shutil.copy(root / SEED, root / "seeds" / name)
        return (root / SEED).read_text().split("\n").index(
            "YouTube URL: https://www.youtube.com/watch?v=Xq3v9LpT0aB"
        ) + 1

    return apply


def with_bom(rel: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    return apply


# Plan values, each on the first clip's `end` line (the first [[clip]] starts at 00:00.0).
END = re.compile(r'^end = "[^"]*"', re.M)


def edit_end(new: str) -> Callable[[Path], int]:
    def apply(root: Path) -> int:
        found = END.search((root / PLAN).read_text(encoding="utf-8"))
        assert found, "the plan has no clip end"
        return replace(root, PLAN, found.group(), new)

    return apply


PLAN_END = [
    ("nan", "end = nan", "bad end time nan (not a number of seconds)"),
    ("inf-string", 'end = "inf"', "bad end time 'inf' (not a number of seconds)"),
    ("-inf", "end = -inf", "(not a number of seconds)"),
    ("1e308", "end = 1e308", "bad end time 1e+308 (past 24:00:00.0"),
    ("huge-string", 'end = "99999999999999999999"', "(past 24:00:00.0"),
    ("99h", 'end = "99:59:59"', "bad end time '99:59:59' (past 24:00:00.0"),
    ("negative", "end = -5", "bad end time -5 (negative)"),
    ("bool", "end = true", "bad end time True (not a time)"),
    ("garbage", 'end = "soon"', "bad end time 'soon'"),
    ("inverted", 'end = "00:00.0"', "end 00:00.0 is not after start 00:00.0"),
    ("too-short", 'end = "00:00.05"', "clip lasts 0.05 s: a clip lasts at least 1.0 s"),
    ("past-talk", 'end = "1:00:00"', "end 1:00:00.0 is beyond the talk (02:59.1)"),
]
PLAN_TEXT = [
    ("nul-title", 'title = "Welcome', 'title = "\\u0000Welcome', "U+0000 in title"),
    ("esc-topic", 'topic = "Introduction"', 'topic = "\\u001b[31mIntro"', "U+001B in topic"),
    ("bell-keyword", 'keywords = ["', 'keywords = ["\\u0007', "U+0007 in keywords"),
    ("del-speaker", '"Dana Whitfield (moderator)"', '"Dana\\u007f (moderator)"', "U+007F in"),
    (
        "long-title",
        'title = "Welcome',
        'title = "' + "W" * 20_000,
        "title is 20,018 characters long (at most 10,000)",
    ),
    ("nonchar", 'topic = "Introduction"', 'topic = "\\uffff"', "U+FFFF in topic"),
]
SEED_TEXT = [
    ("nul-title", "Title: Infra", "Title: \x00Infra", "U+0000 in the text"),
    ("esc-description", "Maintainers of", "Maintainers \x1b[1mof", "U+001B in the text"),
    ("bell-bio", "Marcus runs", "Marcus\x07 runs", "U+0007 in the text"),
    ("c1-name", "Priya Raman\nKernel", "Priya\x9b Raman\nKernel", "U+009B in the text"),
    ("esc-caption", "okay welcome", "okay \x1b welcome", "U+001B in the text"),
    ("cr-inside", "okay welcome", "okay\rwelcome", "U+000D in the text"),
    (
        "long-caption",
        "okay welcome",
        "okay " + "word " * 200_000,
        "line is 1,000,029 characters long (at most 10,000)",
    ),
    ("long-title", "Title: Infra", "Title: " + "T" * 20_000, "at most 10,000"),
    (
        "cue-99h",
        "00:02:56,876 --> 00:02:59,116",
        "00:02:56,876 --> 99:59:59,999",
        "caption time 99:59:59.999 is past 24:00:00",
    ),
    (
        "cue-far-beyond",
        "00:02:56,876 --> 00:02:59,116",
        "10:02:56,876 --> 10:02:59,116",
        "caption cue at 10:02:56.876 starts 9:59:58 after the captions before it end",
    ),
]


def _cases() -> list[Case]:
    cases = [Case(f"plan-end-{n}", edit_end(new), PLAN, says) for n, new, says in PLAN_END]
    cases += [Case(f"plan-{n}", edit(PLAN, o, new), PLAN, s) for n, o, new, s in PLAN_TEXT]
    cases += [Case(f"seed-{n}", edit(SEED, o, new), SEED, s) for n, o, new, s in SEED_TEXT]
    cases += [
        Case("seed-not-utf8", raw_bytes, SEED, "not UTF-8 text (bad byte 0xff)"),
        Case(
            "json3-esc",
            json3_captions({"tStartMs": 1000, "segs": [{"utf8": "a\u001bb"}]}),
            SEED,
            "control character U+001B in a caption cue",
        ),
        Case(
            "json3-huge-time",
            json3_captions({"tStartMs": 1e12, "segs": [{"utf8": "late"}]}),
            SEED,
            "caption time 1e+09 s is past 24:00:00",
        ),
        Case(
            "json3-huge-offset",
            json3_captions({"tStartMs": 1000, "segs": [{"utf8": "a", "tOffsetMs": 1e300}]}),
            SEED,
            "caption time 1e+297 s is past 24:00:00",
        ),
        Case("copy-after", copied("zz-copy.txt"), "seeds/zz-copy.txt", "also the video of"),
        Case("copy-before", copied("aa-copy.txt"), "seeds/aa-copy.txt", "also the video of"),
    ]
    return cases


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c.name)
def test_hostile_build(case: Case, show: Path, published: Path, capsys) -> None:
    before = digest(show / "public")
    line = case.change(show)
    capsys.readouterr()
    code = run(show, published, "build", "feeds/demo.toml", "--standin-audio")
    errors = error_lines(capsys.readouterr().err)
    assert code == case.code
    assert len(errors) == 1, errors
    where = f"{case.names}:{line}: " if line else f"{case.names}: "
    assert errors[0].startswith(f"publisher: error: {where}"), errors[0]
    assert case.says in errors[0], errors[0]
    assert len(errors[0]) < 400
    assert digest(show / "public") == before


@pytest.mark.parametrize("rel", [SEED, PLAN])
def test_a_bom_is_accepted_and_changes_nothing_published(
    rel: str, show: Path, published: Path, capsys
) -> None:
    before = digest(show / "public")
    with_bom(rel)(show)
    assert run(show, published, "build", "feeds/demo.toml", "--standin-audio") == 0
    assert not error_lines(capsys.readouterr().err)
    assert digest(show / "public") == before


def _loop(root: Path) -> Path:
    (root / "seeds" / "loop.txt").symlink_to("loop.txt")
    return Path("seeds/loop.txt")


def _fifo(root: Path) -> Path:
    os.mkfifo(root / "seeds" / "fifo.txt")
    return Path("seeds/fifo.txt")


def _folder(root: Path) -> Path:
    (root / "seeds" / "folder.txt").mkdir()
    return Path("seeds/folder.txt")


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (_loop, "cannot read seed: Too many levels of symbolic links"),
        (_fifo, "cannot read seed: not a regular file"),
        (_folder, "cannot read seed: not a regular file"),
    ],
    ids=["symlink-loop", "fifo", "folder"],
)
def test_plan_refuses_a_seed_that_is_no_file(make, says, show: Path, capsys) -> None:
    seed = make(show)
    cwd = Path.cwd()
    os.chdir(show)
    try:
        code = main(["plan", str(seed)])  # a FIFO must not block
    finally:
        os.chdir(cwd)
    assert code == 2
    assert error_lines(capsys.readouterr().err) == [f"publisher: error: {seed}: {says}"]


def test_add_strips_control_characters_from_what_youtube_sends(site, tmp_path) -> None:
    """Titles, descriptions and captions fetched by `publisher add` are machine-made:
    their control characters are dropped (a seed holding one would be refused)."""
    www, base = site
    page = www / "talks" / "live-migration.html"
    html = page.read_text().replace("Live Migration at", "Live&#x1b; Migration\x07 at")
    page.write_text(html.replace("thousands of guests", "thousands\x0b of\x00 guests"))
    events = [{"tStartMs": 0, "dDurationMs": 1374, "segs": [{"utf8": "thanks\u001b for\x7f"}]}]
    (www / "talks" / "live-migration.json3").write_text(json.dumps({"events": events}))
    show = project(tmp_path / "p")
    assert add(f"{base}/talks/live-migration.html", show) == 0
    (seed,) = (tmp_path / "p" / "seeds").rglob("live-migration*.txt")
    talk = load_talk(seed)  # the seed as written loads: nothing left to refuse
    assert talk.title == "Live Migration at Scale"
    assert "thousands of guests" in talk.description
    assert [c.text for c in talk.cues] == ["thanks for"]
