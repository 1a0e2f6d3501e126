"""Hostile input against published identity (issue 13, items 1, 2, 6, 9, 10).

A two-talk show is built once; each case copies it, does what a careless or unlucky
organiser would (rename, break or delete seeds, plans and records; edit a plan during
a build; change a GUID by hand; replan), rebuilds through main(), and checks the exit
code, the one-line message, and that every published GUID, enclosure URL and MP3 byte
is as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tomllib
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from publisher.cli import main
from publisher.model import Plan, Segment
from publisher.pipeline import session, stages
from publisher.plan import new_guid
from publisher.plan.planfile import replan

ROOT = Path(__file__).resolve().parent.parent
PANEL = ROOT / "tests" / "fixtures" / "seeds" / "short-panel.txt"
TALK = ROOT / "tests" / "fixtures" / "seeds" / "short-talk.txt"
SHOW = (
    '[show]\ntitle = "Demo Forum"\ndescription = "Talks from the demo forum."\n'
    'author = "Demo Forum"\nowner_name = "Organisers"\nowner_email = "o@example.org"\n'
    'base_url = "http://127.0.0.1:8000/demo/"\nseeds = ["../seeds/*.txt"]\n'
)
EDITED = "Testing storage patches, by hand"


class Show:
    """A copy of the built show, and what it published."""

    def __init__(self, root: Path, cache: Path):
        self.root, self.cache = root, cache
        self.out = root / "public" / "demo"
        self.seeds = root / "seeds"

    def build(self, capsys, *extra: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(
            ["build", str(self.root / "feeds" / "demo.toml"), "--out", str(self.root / "public")]
            + ["--cache-dir", str(self.cache), "--standin-audio", "--jobs", "1", *extra]
        )
        out, err = capsys.readouterr()
        return code, out, err

    def identity(self) -> dict[str, object]:
        """Every published GUID and enclosure URL, and the bytes of every episode file."""
        feeds = {}
        for name in ("feed.xml", "clips.xml"):
            entries = feedparser.parse(str(self.out / name)).entries
            feeds[name] = [(e.id, e.enclosures[0].href) for e in entries]
        files = {
            str(p.relative_to(self.out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((self.out / "episodes").rglob("*"))
            if p.is_file()
        }
        return {"feeds": feeds, "files": files}

    def everything(self) -> dict[str, str]:
        """The bytes of every published file (records included)."""
        return {
            str(p.relative_to(self.out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(self.out.rglob("*"))
            if p.is_file()
        }

    def plan(self, stem: str = "short-panel") -> Path:
        return self.seeds / f"{stem}.plan.toml"

    def clips(self, stem: str = "short-panel") -> list[dict]:
        return tomllib.loads(self.plan(stem).read_text())["clip"]

    def titles(self) -> list[str]:
        return [e.title for e in feedparser.parse(str(self.out / "clips.xml")).entries]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    return next(n for n, ln in enumerate(path.read_text().splitlines(), 1) if needle in ln)


def one_error(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.startswith("publisher: error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The show built once, with one clip's title edited by hand and published."""
    root = tmp_path_factory.mktemp("identity")
    (root / "seeds").mkdir()
    (root / "feeds").mkdir()
    for seed in (PANEL, TALK):
        shutil.copy(seed, root / "seeds" / seed.name)
    (root / "feeds" / "demo.toml").write_text(SHOW)
    args = ["build", str(root / "feeds" / "demo.toml"), "--out", str(root / "public")]
    args += ["--cache-dir", str(root / "cache"), "--standin-audio", "--jobs", "1"]
    assert main(args) == 0
    plan = root / "seeds" / "short-panel.plan.toml"
    second = tomllib.loads(plan.read_text())["clip"][1]["title"]
    edit(plan, f'title = "{second}"', f'title = "{EDITED}"')
    assert main(args) == 0
    return root


@pytest.fixture
def show(built: Path, tmp_path: Path) -> Show:
    root = tmp_path / "show"
    shutil.copytree(built, root, symlinks=True, ignore=shutil.ignore_patterns("cache"))
    return Show(root, built / "cache")


# --- 1: a seed that stops parsing keeps its talk's published episodes ---------------


def break_title(seed: Path) -> None:
    text = seed.read_text()
    seed.write_text(re.sub(r"^Title:.*\n", "", text, count=1, flags=re.M))


def test_renamed_and_broken_seed_keeps_its_episodes(show: Show, capsys):
    before = show.identity()
    (show.seeds / "short-panel.txt").rename(show.seeds / "panel-2023.txt")
    show.plan().rename(show.seeds / "panel-2023.plan.toml")
    break_title(show.seeds / "panel-2023.txt")
    code, out, err = show.build(capsys)
    assert code == 2
    line = one_error(err)
    assert "panel-2023.txt" in line and "last published episodes were kept" in line
    assert "1 kept" in out
    assert show.identity() == before
    assert EDITED in show.titles()
    code, out, err = show.build(capsys)  # and again: still kept
    assert code == 2 and show.identity() == before


def test_broken_seed_without_records_publishes_nothing(show: Show, capsys):
    before = show.everything()
    shutil.rmtree(show.out / ".records")
    before = show.everything()
    break_title(show.seeds / "short-panel.txt")
    code, out, err = show.build(capsys)
    assert code == 2 and "nothing published" in out
    assert "short-panel.txt" in one_error(err)
    assert show.everything() == before


@pytest.mark.parametrize(
    "damage",
    ["empty", "fifo", "directory", "no-url", "other-video", "legacy-records", "garbled-record"],
)
def test_a_seed_that_fails_in_any_way_keeps_its_episodes(show: Show, capsys, damage):
    before = show.identity()
    seed = show.seeds / "short-panel.txt"
    if damage == "empty":
        seed.write_text("")
    elif damage == "fifo":
        seed.unlink()
        os.mkfifo(seed)
    elif damage == "directory":
        seed.unlink()
        seed.mkdir()
    elif damage == "other-video":  # a wrong URL pasted: the plan is for another video now
        edit(seed, "Xq3v9LpT0aB", "Zz9v9LpT0aB")
    elif damage == "no-url":
        seed.write_text(re.sub(r"YouTube URL:.*", "YouTube URL: on the website", seed.read_text()))
    else:  # records as an older version named them (by seed path), then the seed breaks
        for record in (show.out / ".records").glob("*.pickle"):
            legacy = record.with_name(hashlib.sha256(record.name.encode()).hexdigest()[:24])
            record.rename(legacy.with_suffix(".pickle"))
            if damage == "garbled-record" and record.stem == "bT7nQ2xLk9Z":  # the other talk's
                legacy.with_suffix(".pickle").write_bytes(b"\x80junk")
        break_title(seed)
    code, out, err = show.build(capsys)
    assert code == 2, (out, err)
    assert "Traceback" not in err and show.identity() == before
    if damage in ("fifo", "directory"):  # refused with the show file, before any build
        assert err.count("\n") == 1 and f"{seed}: seed is not a regular file" in err
    else:
        assert "1 kept" in out and "kept" in one_error(err)


def test_both_seeds_broken_keep_everything(show: Show, capsys):
    before = show.identity()
    break_title(show.seeds / "short-panel.txt")
    (show.seeds / "short-talk.txt").write_text("Title: nothing else\n")
    code, out, err = show.build(capsys)
    assert code == 2 and "2 kept" in out and err.count("publisher: error:") == 2
    assert show.identity() == before


def test_a_failing_plan_keeps_the_talk(show: Show, capsys):
    before = show.identity()
    edit(show.plan(), 'kind = "question"', 'kind = "sermon"')
    code, out, err = show.build(capsys)
    assert code == 2 and "1 kept" in out
    assert f"{show.plan()}:" in one_error(err)
    assert show.identity() == before


def test_a_seed_removed_on_purpose_leaves_the_show(show: Show, capsys):
    """The choice: a talk leaves when a build where every seed is read has no seed for
    it; while another seed can't be read, it stays (that seed may have been it)."""
    talk_guids = {g for g, _ in show.identity()["feeds"]["feed.xml"] if "bT7nQ2xLk9Z" in g}
    assert talk_guids
    (show.seeds / "short-talk.txt").unlink()
    break_title(show.seeds / "short-panel.txt")
    code, out, _ = show.build(capsys)
    assert code == 2 and "1 kept" in out
    published = {g for g, _ in show.identity()["feeds"]["feed.xml"]}
    assert talk_guids <= published  # kept: the broken seed might be that talk
    shutil.copy(PANEL, show.seeds / "short-panel.txt")
    code, out, err = show.build(capsys)
    assert code == 0, err
    published = {g for g, _ in show.identity()["feeds"]["feed.xml"]}
    assert not talk_guids & published and not (show.out / "episodes" / "bT7nQ2xLk9Z").exists()


# --- 2: renaming a seed, or deleting its plan file, changes no published identity ----


@pytest.mark.parametrize(
    "change",
    ["rename-seed", "delete-plan", "rename-both", "move-folder", "delete-plan-and-records"],
)
def test_identity_survives_renames_and_a_lost_plan(show: Show, capsys, change):
    before = show.identity()
    seed = show.seeds / "short-panel.txt"
    if change == "rename-seed":
        seed.rename(show.seeds / "panel-2023.txt")
    elif change == "delete-plan":
        show.plan().unlink()
    elif change == "delete-plan-and-records":  # the published chapters still know the clips
        show.plan().unlink()
        shutil.rmtree(show.out / ".records")
    elif change == "rename-both":
        seed.rename(show.seeds / "panel-2023.txt")
        show.plan().rename(show.seeds / "panel-2023.plan.toml")
    else:  # into a folder of its own, matched by a new glob; the plan left behind
        (show.seeds / "2023").mkdir()
        seed.rename(show.seeds / "2023" / "short-panel.txt")
        edit(show.root / "feeds" / "demo.toml", '"../seeds/*.txt"', '"../seeds/**/*.txt"')
    code, out, err = show.build(capsys)
    assert code == 0, err
    assert show.identity() == before
    assert EDITED in show.titles()
    if change == "rename-both":
        assert "2 reused" in out
    stem = "panel-2023" if change.startswith("rename") else "short-panel"
    folder = show.seeds / ("2023" if change == "move-folder" else "")
    titles = [c["title"] for c in tomllib.loads((folder / f"{stem}.plan.toml").read_text())["clip"]]
    assert EDITED in titles  # the new plan file keeps the hand-edited title


# --- 6: a plan edited during a build ----------------------------------------------------


def test_a_plan_edited_during_a_build_is_published_next_time(show: Show, capsys, monkeypatch):
    plan = show.plan()

    def organiser_edits(_session, task):
        if task.seed.name == "short-panel.txt":
            edit(plan, f'title = "{EDITED}"', 'title = "Edited while building"')

    at = session.TALK_STAGES.index(stages.plan_talk) + 1
    edit(plan, 'kind = "intro"', 'kind = "talk"')  # something to build
    stages_then = (*session.TALK_STAGES[:at], organiser_edits, *session.TALK_STAGES[at:])
    monkeypatch.setattr(session, "TALK_STAGES", stages_then)
    code, _, err = show.build(capsys)
    assert code == 0, err
    assert EDITED in show.titles()  # what the build read
    monkeypatch.undo()
    code, out, err = show.build(capsys)
    assert code == 0 and "1 built" in out, (out, err)
    assert "Edited while building" in show.titles() and EDITED not in show.titles()


# --- 9: --replan keeps what a person edited ---------------------------------------------


def test_replan_of_an_unchanged_seed_keeps_edits_and_boundaries(show: Show, capsys):
    clips = show.clips()
    k = len(clips) - 1  # the last clip (the second's title is the edited one)
    assert k > 1 and sum(c["topic"] == clips[k]["topic"] for c in clips) == 1
    moved = clips[k]["start"]  # a boundary moved by hand, 2 s later
    seconds = 60 * int(moved[:2]) + float(moved[3:]) + 2
    new_time = f"{int(seconds // 60):02d}:{seconds % 60:04.1f}"
    edit(show.plan(), f'end = "{moved}"', f'end = "{new_time}"')
    edit(show.plan(), f'start = "{moved}"', f'start = "{new_time}"')
    edit(show.plan(), f'topic = "{clips[k]["topic"]}"', 'topic = "Reviewing patches"')
    code, _, err = show.build(capsys)
    assert code == 0, err
    before, plan = show.identity(), show.clips()
    code, out, err = show.build(capsys, "--replan")
    assert code == 0 and ", 0 encodes" in out, (out, err)
    after = show.clips()
    assert [(c["start"], c["end"], c["guid"], c["title"]) for c in after] == [
        (c["start"], c["end"], c["guid"], c["title"]) for c in plan
    ]
    assert after[k]["start"] == new_time and after[k]["topic"] == "Reviewing patches"
    assert after[1]["title"] == EDITED
    assert show.identity() == before


def test_replan_of_a_plan_written_by_publisher_plan_moves_nothing(show: Show, capsys):
    """`publisher plan` plans without the audio's pauses, a build with them: a replan
    finds the same boundaries within a second or two and leaves them where they are."""
    shutil.rmtree(show.out.parent)
    show.plan().unlink()
    show.plan("short-talk").unlink()
    capsys.readouterr()
    assert main(["plan", str(show.seeds / "short-panel.txt")]) == 0
    code, _, err = show.build(capsys)
    assert code == 0, err
    before, plan = show.identity(), show.plan().read_text()
    code, out, _ = show.build(capsys, "--replan")
    assert code == 0 and ", 0 encodes" in out
    assert [c["start"] for c in show.clips()] == [c["start"] for c in tomllib.loads(plan)["clip"]]
    assert show.identity() == before


def test_replan_of_a_plan_without_planner_values_keeps_its_text(show: Show, capsys):
    """A plan written before the planner's values were kept (the bundled one): every
    title, topic and speaker list in it counts as a person's."""
    text = show.plan().read_text()
    show.plan().write_text(text[: text.index("# The planner's own values")])
    before = show.identity()
    code, out, err = show.build(capsys, "--replan")
    assert code == 0, err
    assert EDITED in [c["title"] for c in show.clips()]
    assert "[planner]" in show.plan().read_text()
    assert show.identity() == before


def test_replan_keeps_a_merge_made_by_hand(show: Show, capsys):
    clips = show.clips()
    text = show.plan().read_text()
    last = text.rindex("[[clip]]")
    merged = text[:last].replace(f'end = "{clips[-2]["end"]}"', f'end = "{clips[-1]["end"]}"')
    show.plan().write_text(merged + text[text.index("# The planner's own values") :])
    code, _, err = show.build(capsys)
    assert code == 0, err
    code, _, err = show.build(capsys, "--replan")
    assert code == 0, err
    after = show.clips()
    assert len(after) == len(clips) - 1 and after[-1]["end"] == clips[-1]["end"]
    assert after[-1]["guid"] == clips[-2]["guid"]


# --- 10: a hand-changed published GUID is refused ---------------------------------------


def test_a_hand_changed_published_guid_is_refused(show: Show, capsys):
    before = show.everything()
    guid = show.clips()[1]["guid"]
    edit(show.plan(), f'guid = "{guid}"', 'guid = "my-own-guid"')
    code, out, err = show.build(capsys)
    assert code == 2
    line = one_error(err)
    where = f"{show.plan()}:{line_of(show.plan(), 'my-own-guid')}:"
    assert where in line and f"{guid!r}" in line and "1 kept" in out
    assert show.everything() == before


def test_a_deleted_guid_line_gets_the_published_guid_back(show: Show, capsys):
    before = show.identity()
    clip = show.clips()[1]
    edit(show.plan(), f'guid = "{clip["guid"]}"\n', "")
    code, _, err = show.build(capsys)
    assert code == 0, err
    assert show.clips()[1]["guid"] == clip["guid"]  # written back
    assert show.identity() == before
    code, out, _ = show.build(capsys)
    assert code == 0 and "2 reused" in out  # the record knows the plan as written back


def test_replan_takes_speakers_added_to_the_seed(tmp_path: Path, capsys):
    """The plan file's advice when a seed lists no speakers: add them, replan. The new
    speakers replace the planner's old ones; a title edited by hand stays."""
    seed = tmp_path / "talk.txt"
    text = TALK.read_text()
    bare = re.sub(r"Presented by.*?\n---\n.*?(?=Captions:)", "", text, flags=re.S)
    seed.write_text(bare)
    assert main(["plan", str(seed)]) == 0
    plan = seed.with_name("talk.plan.toml")
    assert "The seed lists no speakers" in plan.read_text()
    assert "Lena Okafor" not in plan.read_text()
    title = tomllib.loads(plan.read_text())["clip"][0]["title"]
    edit(plan, f'title = "{title}"', 'title = "Half the boot time"')
    seed.write_text(text)
    capsys.readouterr()
    assert main(["plan", str(seed), "--replan"]) == 0
    assert "(kept)" in capsys.readouterr().out
    clip = tomllib.loads(plan.read_text())["clip"][0]
    assert clip["title"] == "Half the boot time"
    assert any("Lena Okafor" in s for s in clip["speakers"])


# --- replan, on any plans ----------------------------------------------------------------


def contiguous(cuts: list[float], tag: str) -> list[Segment]:
    times = [0.0, *sorted(set(cuts)), 600.0]
    return [
        Segment(a, b, "question", f"{tag} {a}", "topic", [], [], new_guid("vid", a, set()))
        for a, b in zip(times, times[1:], strict=False)
        if b - a >= 1.0
    ]


cut_lists = st.lists(st.floats(1.0, 599.0).map(lambda t: round(t, 1)), max_size=12)


@settings(max_examples=300, deadline=None)
@given(cut_lists, cut_lists, st.integers(0, 11), st.booleans())
def test_replan_always_gives_a_plan_that_loads(old_cuts, new_cuts, edited, legacy):
    """Any old plan (a title edited, with or without planner values) against any new
    one: clips in order, none overlapping or under a second, GUIDs unique and never an
    old one on a clip that doesn't share half its time; a replan against the planner's
    own plan again changes nothing."""
    first = replan(None, Plan("vid", contiguous(old_cuts, "old")))
    old = Plan("vid", [replace(s) for s in first.segments], planned=first.planned)
    if edited < len(old.segments):
        old.segments[edited].title = "By hand"
    if legacy:
        old.planned = {}
    out = replan(old, Plan("vid", contiguous(new_cuts, "new")))
    segs = out.segments
    assert all(b.start >= a.end for a, b in zip(segs, segs[1:], strict=False))
    assert all(s.end - s.start >= 1.0 for s in segs)
    assert len({s.guid for s in segs}) == len(segs)
    before = {s.guid: s for s in old.segments}
    for s in segs:  # a kept clip has its edited title, or all its old ones if legacy
        if s.guid in before and (legacy or before[s.guid].title == "By hand"):
            assert s.title == before[s.guid].title
        else:
            assert s.title.startswith("new ")
    again = replan(old, Plan("vid", contiguous(old_cuts, "old")))
    assert [(s.start, s.end, s.guid, s.title) for s in again.segments] == [
        (s.start, s.end, s.guid, s.title) for s in old.segments
    ]


@settings(max_examples=200, deadline=None)
@given(cut_lists, st.lists(st.floats(-2.5, 2.5), min_size=12, max_size=12))
@example([53.0, 44.5], [2.5, -2.0, *[0.0] * 10])  # an 8.5 s clip found again as 4 s
def test_replan_leaves_boundaries_found_again_where_they_were(cuts, jitter):
    """The new plan finds every boundary again, each up to 2.5 s away (pauses found
    in the audio, a retrained planner): no clip moves, so no audio is cut again."""
    spaced: list[float] = []
    for c in sorted(cuts):
        if c - (spaced[-1] if spaced else 0.0) > 8 and c < 592:
            spaced.append(c)
    old = replan(None, Plan("vid", contiguous(spaced, "old")))
    moved = [round(c + j, 1) for c, j in zip(spaced, jitter, strict=False)]
    out = replan(old, Plan("vid", contiguous(moved, "new")))
    assert [(s.start, s.end, s.guid) for s in out.segments] == [
        (s.start, s.end, s.guid) for s in old.segments
    ]
