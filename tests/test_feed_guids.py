"""Every feed's podcast:guid is pinned in the show file when first published and
kept there: moving the base URL gives no feed a new identity."""

from __future__ import annotations

import tomllib
from pathlib import Path

import feedparser
import pytest
from helpers import SHORT_SEED, build, make_show
from lxml import etree

from publisher.errors import PublisherError, ShowError
from publisher.feed.ext import PODCAST_NS
from publisher.pipeline import stages
from publisher.show import load_show, load_shows, pin_guids, podcast_guid, save_guids

OLD_BASE, NEW_BASE = "http://127.0.0.1:8000/demo/", "https://podcasts.example.org/d/"


def feed_guids(folder: Path) -> dict[str, str]:
    """Each published feed's podcast:guid by its path in the show folder, read back."""
    found = {}
    for path in sorted(folder.rglob("*.xml")):
        channel = etree.parse(str(path)).getroot().find("channel")
        found[path.relative_to(folder).as_posix()] = channel.findtext(f"{{{PODCAST_NS}}}guid")
    return found


def pinned(toml: Path) -> dict[str, str]:
    """What the show file holds: feed.xml's as [show] guid, the others in [show.guids]."""
    show = tomllib.loads(toml.read_text())["show"]
    return {"feed.xml": show["guid"], **show["guids"]}


def test_every_feed_keeps_its_podcast_guid_when_the_base_url_moves(tmp_path: Path):
    toml = make_show(tmp_path, [SHORT_SEED])
    out = tmp_path / "public" / "demo"
    assert build(tmp_path, toml) == 0
    first = feed_guids(out)
    assert {"feed.xml", "clips.xml"} <= set(first)
    for folder in ("topics/", "years/", "tracks/"):  # a track feed is pinned like the rest
        assert any(p.startswith(folder) for p in first), folder
    assert first == {p: podcast_guid(OLD_BASE + p) for p in first}  # computed from the URL
    assert pinned(toml) == first  # ... once, and stored
    assert "[glossary]" in toml.read_text()  # the rest of the file is kept

    before = toml.read_bytes()
    assert build(tmp_path, toml) == 0
    assert toml.read_bytes() == before  # nothing new to pin: the file is not rewritten

    toml.write_text(toml.read_text().replace(OLD_BASE, NEW_BASE))
    assert build(tmp_path, toml) == 0
    assert feed_guids(out) == first
    assert len(set(first.values())) == len(first)  # every feed its own
    assert pinned(toml) == first
    for path in first:  # the feeds did move: their self links are at the new base URL
        parsed = feedparser.parse(str(out / path))
        assert not parsed.bozo
        assert {ln.href for ln in parsed.feed.links if ln.rel == "self"} == {NEW_BASE + path}


def test_a_refused_publish_leaves_the_show_file_as_it_was(tmp_path, monkeypatch):
    toml = make_show(tmp_path, [SHORT_SEED])
    before = toml.read_bytes()

    def refuse(*args, **kwargs):
        raise PublisherError("feeds refused")

    monkeypatch.setattr(stages, "_check_feeds", refuse)
    assert build(tmp_path, toml) != 0
    assert toml.read_bytes() == before
    assert not (tmp_path / "public" / "demo" / "feed.xml").exists()


def test_a_feed_that_is_gone_keeps_its_pinned_guid(tmp_path: Path):
    toml = make_show(tmp_path, [SHORT_SEED])
    show = pin_guids(load_show(toml), ["feed.xml", "clips.xml", "topics/old.xml"])
    save_guids(show)
    toml.write_text(toml.read_text().replace(OLD_BASE, NEW_BASE))
    again = pin_guids(load_show(toml), ["feed.xml", "clips.xml", "topics/new.xml"])
    save_guids(again)
    assert pinned(toml) == {
        "feed.xml": podcast_guid(OLD_BASE + "feed.xml"),
        "clips.xml": podcast_guid(OLD_BASE + "clips.xml"),
        "topics/old.xml": podcast_guid(OLD_BASE + "topics/old.xml"),  # gone, still pinned
        "topics/new.xml": podcast_guid(NEW_BASE + "topics/new.xml"),  # new: the new base URL
    }
    assert load_show(toml).guid_of("topics/old.xml") == pinned(toml)["topics/old.xml"]


def test_two_show_files_sharing_a_pinned_feed_guid_are_refused(tmp_path: Path):
    toml = make_show(tmp_path, [SHORT_SEED])
    save_guids(pin_guids(load_show(toml), ["feed.xml", "clips.xml"]))
    text = toml.read_text()
    copy = text.replace(OLD_BASE, NEW_BASE).replace("[show]\n", '[show]\nslug = "copy"\n', 1)
    copy = "\n".join(ln for ln in copy.splitlines() if not ln.startswith("guid ="))
    other = toml.with_name("copy.toml")
    other.write_text(copy + "\n")
    with pytest.raises(ShowError) as e:
        load_shows([toml])
    line = next(i for i, ln in enumerate(copy.splitlines(), 1) if ln.startswith('"clips.xml"'))
    assert str(e.value).startswith(f"{other}:{line}: podcast:guid ")
    assert str(e.value).endswith("give each show its own [show.guids] clips.xml")


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ('"clips.xml" = "not-a-uuid"', "clips.xml = 'not-a-uuid' is not a UUIDv5"),
        ('"feed.xml" = "{guid}"', "'feed.xml' is not the path of a feed other than feed.xml"),
        ('"clips" = "{guid}"', "'clips' is not the path of a feed"),
        ('"clips.xml" = "{guid}"\n"years/2018.xml" = "{guid}"', "has the podcast:guid of"),
    ],
)
def test_a_bad_pinned_guid_is_refused_at_its_line(tmp_path: Path, entry: str, says: str):
    toml = make_show(tmp_path, [SHORT_SEED])
    guid = podcast_guid(OLD_BASE + "clips.xml")
    table = f"[show.guids]\n{entry.format(guid=guid)}\n"
    text = toml.read_text().replace("[glossary]", table + "[glossary]")
    toml.write_text(text)
    with pytest.raises(ShowError) as e:
        load_show(toml)
    line = text.splitlines().index("[show.guids]") + 1 + table.count("\n") - 1  # the last
    assert str(e.value).startswith(f"{toml}:{line}: [show.guids] ")
    assert says in str(e.value)
