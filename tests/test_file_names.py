"""Human enclosure file names (issue 14): made once, stored in the plan beside the
GUID, validated when edited by hand, never changed once published; a show published
before names existed keeps <guid>.mp3 and full.mp3."""

from __future__ import annotations

import pickle
import re
import shutil
import tomllib
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest
from helpers import SHORT_SEED, SHORT_TALK, build, edit, error_lines, line_of, make_show

from publisher.errors import PlanError
from publisher.model import Plan, Segment, places, slugify
from publisher.plan import make_plan
from publisher.plan.names import MAX, fill_files
from publisher.plan.planfile import load_plan, replan


def names_of(path: Path) -> tuple[str, list[str]]:
    data = tomllib.loads(path.read_text())
    return data.get("full_file", ""), [c.get("file", "") for c in data["clip"]]


# --- names made and stored --------------------------------------------------------------


def test_a_saved_plan_names_the_talk_and_every_clip(saved, talk):
    plan, path = saved
    full, files = names_of(path)
    head = slugify(talk.playlist)  # open-storage-days-2024
    assert full == f"{head}-storage-maintainers-panel.mp3"
    spans = [(s, s.start, s.duration) for s in plan.segments]
    numbers = places(spans, talk.duration)
    for seg, name in zip(plan.segments, files, strict=True):
        n = numbers[seg.guid].number
        assert name.startswith(f"{head}-{f'q{n:02d}' if n else seg.kind}-"), name
        assert re.fullmatch(r"[a-z0-9-]+\.mp3", name) and len(name) <= MAX, name
    assert files[1] == f"{head}-q01-how-does-each-of-you-decide-what-makes-it-into-a.mp3"
    assert len({f.lower() for f in [full, *files]}) == len(files) + 1
    loaded = load_plan(path, talk)
    assert [s.file for s in loaded.segments] == files and loaded.full_file == full


def test_a_retitle_does_not_rename(saved, talk):
    plan, path = saved
    _, files = names_of(path)
    edit(path, f'title = "{plan.segments[2].title}"', 'title = "Sleepless nights"')
    loaded = load_plan(path, talk, write_back=True)
    assert loaded.segments[2].title == "Sleepless nights"
    assert [s.file for s in loaded.segments] == files == names_of(path)[1]


def test_names_stay_short_unique_and_ascii(talk):
    plan = make_plan(talk)
    for seg in plan.segments[1:3]:
        seg.title = "Ünïcode — " + "very long words " * 12
        seg.kind = "talk"  # no question number: the same name twice
    fill_files(plan, talk)
    a, b = plan.segments[1].file, plan.segments[2].file
    assert a.startswith("open-storage-days-2024-talk-unicode-very-long-words-very-")
    assert a.isascii() and len(a) <= MAX and len(b) <= MAX
    assert a.removesuffix(".mp3").rsplit("-", 1)[1] in ("very", "long", "words")  # at a word
    assert b.endswith("-2.mp3") and a != b


def test_lines_missing_a_name_get_one_written_back(saved, talk):
    _, path = saved
    full, files = names_of(path)
    path.write_text(re.sub(r'^(file|full_file) = ".*"\n', "", path.read_text(), flags=re.M))
    assert names_of(path) == ("", [""] * len(files))
    load_plan(path, talk, write_back=True)
    assert names_of(path) == (full, files)  # the same rule, from the same plan
    assert "# Question plan for" in path.read_text()  # comments kept


def test_a_split_copy_gets_its_own_name(saved, talk):
    plan, path = saved
    last = plan.segments[-1]
    text = path.read_text()
    block = re.findall(r"^\[\[clip\]\]\n(?:.+\n)+", text, flags=re.M)[-1]
    mid = round((last.start + last.end) / 2, 1)
    copy = re.sub(r'guid = "[^"]*"\n', "", block).replace('start = "', f'start = "{mid}" #', 1)
    path.write_text(text.replace(block, block.replace('end = "', f'end = "{mid}" #', 1) + copy))
    loaded = load_plan(path, talk, write_back=True)
    assert loaded.segments[-2].file == last.file  # the original keeps its name
    assert loaded.segments[-1].file not in (last.file, "")
    assert names_of(path)[1][-2:] == [last.file, loaded.segments[-1].file]
    again = load_plan(path, talk)
    assert [s.file for s in again.segments] == [s.file for s in loaded.segments]


def test_a_hand_set_name_is_used(saved, talk):
    plan, path = saved
    edit(path, f'file = "{plan.segments[1].file}"', 'file = "What_to.release-2024.mp3"')
    edit(path, f'full_file = "{plan.full_file}"', 'full_file = "storage-panel.mp3"')
    loaded = load_plan(path, talk)
    assert loaded.segments[1].file == "What_to.release-2024.mp3"
    assert loaded.full_file == "storage-panel.mp3"


@pytest.mark.parametrize(
    "name",
    ["sub/q1.mp3", "../q1.mp3", "q1..mp3", "q1.wav", "q1", ".mp3", "-q1.mp3", "q 1.mp3", 3],
)
def test_a_bad_name_is_refused_at_its_line(saved, talk, name):
    plan, path = saved
    value = f'"{name}"' if isinstance(name, str) else str(name)
    edit(path, f'file = "{plan.segments[2].file}"', f"file = {value}")
    with pytest.raises(PlanError) as e:
        load_plan(path, talk)
    assert e.value.path == path and e.value.line == line_of(path, f"file = {value}")
    assert "bad file name" in str(e.value) and ".mp3" in str(e.value)


def test_a_bad_full_name_and_a_repeated_name_are_refused(saved, talk):
    plan, path = saved
    edit(path, f'full_file = "{plan.full_file}"', 'full_file = "x/full.mp3"')
    with pytest.raises(PlanError) as e:
        load_plan(path, talk)
    assert e.value.line == line_of(path, "full_file =") and "bad file name" in str(e.value)
    edit(path, 'full_file = "x/full.mp3"', f'full_file = "{plan.full_file}"')
    first = line_of(path, f'file = "{plan.segments[1].file}"')
    same = plan.segments[1].file.removesuffix(".mp3").upper() + ".mp3"  # case ignored
    edit(path, f'file = "{plan.segments[3].file}"', f'file = "{same}"')
    with pytest.raises(PlanError) as e:
        load_plan(path, talk)
    assert e.value.line == line_of(path, same)
    assert "duplicate file name" in str(e.value) and f"also at line {first}" in str(e.value)


# --- published names ----------------------------------------------------------------


def published(plan: Plan) -> list[Segment]:
    """The plan's clips as a show published before names existed has them."""
    return [replace(s, file=f"{s.guid}.mp3") for s in plan.segments]


def test_published_names_come_back_and_a_changed_one_is_refused(saved, talk):
    plan, path = saved
    old = published(plan)
    path.write_text(re.sub(r'^(file|full_file) = ".*"\n', "", path.read_text(), flags=re.M))
    loaded = load_plan(path, talk, write_back=True, published=old, published_full="full.mp3")
    assert loaded.full_file == "full.mp3"
    assert names_of(path) == ("full.mp3", [f"{s.guid}.mp3" for s in plan.segments])
    edit(path, f'file = "{old[2].file}"', 'file = "better.mp3"')
    with pytest.raises(PlanError) as e:
        load_plan(path, talk, published=old, published_full="full.mp3")
    assert e.value.line == line_of(path, "better.mp3")
    assert f"replaces {old[2].file!r}" in str(e.value) and "put" in str(e.value)
    edit(path, 'file = "better.mp3"', f'file = "{old[2].file}"')
    edit(path, 'full_file = "full.mp3"', 'full_file = "panel.mp3"')
    with pytest.raises(PlanError) as e:
        load_plan(path, talk, published=old, published_full="full.mp3")
    assert e.value.line == line_of(path, "panel.mp3") and "'full.mp3'" in str(e.value)


def test_a_dropped_clips_published_name_is_not_taken_by_another(saved, talk):
    plan, path = saved
    old = published(plan)
    del old[3]  # a clip added since: not published yet
    path.write_text(re.sub(r'^(file|full_file) = ".*"\n', "", path.read_text(), flags=re.M))
    load_plan(path, talk, write_back=True, published=old, published_full="full.mp3")
    block = re.findall(r"^\[\[clip\]\]\n(?:.+\n)+", path.read_text(), flags=re.M)[2]
    path.write_text(path.read_text().replace(block, ""))  # dropped
    edit(path, f'file = "{plan.segments[3].file}"', f'file = "{old[2].file}"')
    with pytest.raises(PlanError) as e:
        load_plan(path, talk, published=old, published_full="full.mp3")
    assert e.value.line == line_of(path, old[2].file)
    assert f"{old[2].file!r} is the published file of {old[2].guid!r}" in str(e.value)


def test_a_replan_keeps_the_names(saved, talk):
    plan, path = saved
    edit(path, f'title = "{plan.segments[2].title}"', 'title = "Sleepless nights"')
    old = load_plan(path, talk)
    new = replan(old, make_plan(talk))
    kept = {s.guid: s.file for s in old.segments}
    assert new.full_file == old.full_file
    assert [s.file for s in new.segments] == [kept[s.guid] for s in new.segments]


# --- a show published before names existed -------------------------------------------


def identity(out: Path) -> dict[str, list[tuple[str, str]]]:
    """Every GUID and enclosure URL of the show's home feeds."""
    return {
        name: [(e.id, e.enclosures[0].href) for e in feedparser.parse(str(out / name)).entries]
        for name in ("feed.xml", "clips.xml")
    }


@pytest.fixture(scope="module")
def old_show(tmp_path_factory) -> Path:
    """A one-talk show published the old way (<guid>.mp3, full.mp3) with plans that
    have no names, as before this change; the cache and a template kept beside it."""
    root = tmp_path_factory.mktemp("old") / "show"
    toml = make_show(root, [SHORT_SEED])
    assert build(root, toml, "--jobs", "1") == 0
    plan = root / "seeds" / "short-panel.plan.toml"
    text = plan.read_text()
    guids = re.findall(r'^guid = "(.*)"$', text, flags=re.M)
    text = re.sub(r'^full_file = ".*"$', 'full_file = "full.mp3"', text, flags=re.M)
    for guid, name in zip(guids, re.findall(r'^file = ".*"$', text, flags=re.M), strict=True):
        text = text.replace(name, f'file = "{guid}.mp3"', 1)
    plan.write_text(text)
    shutil.rmtree(root / "public")  # published afresh, the old way
    assert build(root, toml, "--jobs", "1") == 0
    plan.write_text(re.sub(r'^(file|full_file) = ".*"\n', "", plan.read_text(), flags=re.M))
    for path in (root / "public" / "demo" / ".records").glob("*.pickle"):
        record = pickle.loads(path.read_bytes())  # records of old code: clips have no file
        for ep in record.episodes:
            if ep.segment:
                del ep.segment.__dict__["file"]
        path.write_bytes(pickle.dumps(record))
    return root


@pytest.fixture
def show(old_show: Path, tmp_path: Path) -> Path:
    root = tmp_path / "show"
    shutil.copytree(old_show, root, symlinks=True, ignore=shutil.ignore_patterns("cache"))
    (root / "cache").symlink_to(old_show / "cache")
    return root


def mp3s(root: Path) -> set[str]:
    return {p.name for p in (root / "public" / "demo" / "episodes").rglob("*.mp3")}


@pytest.mark.parametrize("lose", ["nothing", "plan", "plan-and-records"])
def test_an_old_show_keeps_its_urls_and_a_new_talk_gets_names(show: Path, lose: str):
    out = show / "public" / "demo"
    before = identity(out)
    guids = [g for feed in before.values() for g, _ in feed]
    assert mp3s(show) == {f"{g}.mp3" for g, _ in before["clips.xml"]} | {"full.mp3"}
    plan = show / "seeds" / "short-panel.plan.toml"
    if lose != "nothing":
        plan.unlink()
    if lose == "plan-and-records":  # the published feeds still know every enclosure
        shutil.rmtree(out / ".records")
    toml = show / "feeds" / "demo.toml"
    assert build(show, toml, "--jobs", "1") == 0
    assert identity(out) == before
    full, files = names_of(plan)
    assert full == "full.mp3" and set(files) <= mp3s(show)  # stored, never to change
    shutil.copy(SHORT_TALK, show / "seeds" / SHORT_TALK.name)
    assert build(show, toml, "--jobs", "1") == 0
    after = identity(out)
    assert {k: [i for i in v if i in after[k]] for k, v in before.items()} == before
    new = [url for feed in after.values() for g, url in feed if g not in guids]
    head = "http://127.0.0.1:8000/demo/episodes/bT7nQ2xLk9Z/virt-dev-days-2024-"
    assert new and all(url.startswith(head) for url in new), new
    assert f"{head}booting-guests-in-half-the-time.mp3" in new


def test_a_published_name_changed_by_hand_is_refused(show: Path, capsys):
    toml = show / "feeds" / "demo.toml"
    assert build(show, toml, "--jobs", "1") == 0  # names written back
    before = identity(show / "public" / "demo")
    plan = show / "seeds" / "short-panel.plan.toml"
    old = names_of(plan)[1][1]
    edit(plan, f'file = "{old}"', 'file = "a-better-name.mp3"')
    capsys.readouterr()
    assert build(show, toml, "--jobs", "1") == 2
    (line,) = error_lines(capsys.readouterr().err)
    assert f"{plan}:{line_of(plan, 'a-better-name.mp3')}:" in line and repr(old) in line
    assert identity(show / "public" / "demo") == before
