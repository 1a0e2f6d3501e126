"""What podcast clients show, read back from a built show by the parsers they use:
item links, chapter links, person names and tag-stripped show notes."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import urldefrag

import feedparser
import lxml.etree as ET
import lxml.html
import podcastparser
import pytest
from helpers import SHORT_SEED, build, enclosures, make_show
from mutagen.id3 import ID3

from publisher.pipeline import records

BASE = "http://127.0.0.1:8000/demo/"
PODCAST_NS = {"podcast": "https://podcastindex.org/namespace/1.0"}
BLOCK = re.compile(r"</?(?:p|ul|ol|li)\b[^>]*>")
WORD_JOIN = re.compile(r"[^\s\x00]+\x00+[^\s\x00]+")  # \x00 marks where a block tag was
PEOPLE = {  # the seed's people and organisations
    "Dana Whitfield": "Open Infrastructure Foundation",
    "Marcus Oyelaran": "Northwind Cloud",
    "Priya Raman": "Helios Systems",
    "Tomás Ferreira": "Fjordline Labs",
}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("client-view")
    assert build(root, make_show(root, [SHORT_SEED])) == 0
    return root / "public" / "demo"


def feeds(out: Path) -> list[Path]:
    return sorted(out.rglob("*.xml"))


def entries(path: Path) -> list:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed.entries


def talk_page(out: Path) -> tuple[str, set[str]]:
    """The one talk's page (relative to the show) and the ids of its elements."""
    (page,) = out.glob("episodes/*/index.html")
    ids = set(lxml.html.parse(str(page)).getroot().xpath("//@id"))
    return page.relative_to(out).as_posix(), ids


def full_mp3(out: Path) -> Path:
    (path,) = enclosures(out, "feed.xml").values()
    return path


def clip_guids(out: Path) -> list[str]:
    return [e.id for e in entries(out / "clips.xml")]


def test_every_item_links_to_its_own_place_on_the_talk_page(out):
    page, ids = talk_page(out)
    guids = clip_guids(out)
    assert len(guids) >= 3
    for path in feeds(out):
        for e in entries(path):
            url, anchor = urldefrag(e.link)
            assert url == BASE + page, (path.name, e.link)
            assert anchor == (e.id if e.id in guids else ""), e.link  # the full talk: no anchor
            assert not anchor or anchor in ids
    # the home page links to the same anchors
    home = lxml.html.parse(str(out / "index.html")).getroot()
    links = home.xpath("//a[@class='question-link']/@href")
    assert sorted(links) == sorted(f"{page}#{g}" for g in guids)


def test_chapter_links_open_the_clip_pages(out):
    page, ids = talk_page(out)
    want = [BASE + f"{page}#{g}" for g in clip_guids(out)]
    chapters = json.loads((full_mp3(out).parent / "chapters.json").read_text())["chapters"]
    assert [c["url"] for c in chapters] == want
    chaps = sorted(ID3(full_mp3(out)).getall("CHAP"), key=lambda c: c.start_time)
    assert [c.sub_frames.getall("WXXX")[0].url for c in chaps] == want
    full = next(e for e in entries(out / "feed.xml") if e.link == BASE + page)
    hrefs = re.findall(r'href="([^"]+)"', full.description)
    assert [h for h in hrefs if h.startswith(BASE)] == want  # the notes' chapter list
    assert all(urldefrag(u)[1] in ids for u in want)


def test_clip_notes_link_the_talk_page_not_its_mp3(out):
    page, _ = talk_page(out)
    for e in entries(out / "clips.xml"):
        hrefs = re.findall(r'href="([^"]+)"', e.description)
        assert BASE + page in hrefs, e.id
        assert not [h for h in hrefs if h.endswith(".mp3")], e.id


def test_persons_are_names_and_organisations_are_in_the_notes(out):
    credited = 0
    for path in feeds(out):
        root = ET.parse(str(path)).getroot()
        for item in root.iter("item"):
            names = [p.text for p in item.findall("podcast:person", PODCAST_NS)]
            assert not [n for n in names if "(" in n], (path.name, names)
            notes = item.findtext("description")
            for name in names:  # every person is credited in the notes, with their employer
                assert f"{name} (" in notes and PEOPLE[name] in notes, (path.name, name)
            credited += bool(names)
    assert credited


def stripped(notes: str) -> str:
    """What castero shows: the notes with every tag removed."""
    return html.unescape(re.sub("<[^>]+>", "", notes))


def run_together(notes: str) -> list[str]:
    """Words that touch across a block tag once tags are stripped, as 'left|right'."""
    marked = re.sub("<[^>]+>", "", BLOCK.sub("\x00", notes))
    return [re.sub("\x00+", "|", m.group(0)) for m in re.finditer(WORD_JOIN, marked)]


def test_run_together_finds_what_castero_showed():
    assert run_together("<p>post copy.</p><p>STAND-IN AUDIO</p>") == ["copy.|STAND-IN"]
    assert run_together("<ul><li>Red Hat</li><li>Answered by</li></ul>") == ["Hat|Answered"]
    assert run_together("<p>a</p>\n<ul>\n<li>b <a href='x'>c</a></li>\n</ul>") == []


def test_notes_read_well_with_tags_stripped(out):
    seen = 0
    for path in feeds(out):
        with path.open("rb") as f:
            episodes = podcastparser.parse(BASE + path.relative_to(out).as_posix(), f)["episodes"]
        for ep in episodes:
            notes = ep["description_html"]
            assert run_together(notes) == [], (path.name, ep["guid"])
            text = stripped(notes)
            assert "STAND-IN AUDIO" in text and "\nSTAND-IN AUDIO" in text
            assert "\nSpeakers:\n" in text
            assert re.search(r"\n(Asked by |Answered by |[A-Z][a-z]+ \w+ \()", text)
            seen += 1
    assert seen >= 8  # feed.xml, clips.xml, a topic and a year feed at least


@pytest.mark.parametrize("old", [False, True])
def test_published_chapters_still_name_their_clips(out, tmp_path, old):
    """Without plan or record, a talk's GUIDs come back from its chapter links: the
    page anchors now, the MP3 names in shows published before."""
    chapters = full_mp3(out).parent / "chapters.json"
    data = json.loads(chapters.read_text())
    if old:
        for c in data["chapters"]:
            c["url"] = BASE + f"episodes/{chapters.parent.name}/{urldefrag(c['url'])[1]}.mp3"
    copy = tmp_path / "episodes" / chapters.parent.name / "chapters.json"
    copy.parent.mkdir(parents=True)
    copy.write_text(json.dumps(data))
    plan = records.published_plan(tmp_path, chapters.parent.name)
    assert plan and [s.guid for s in plan.segments] == clip_guids(out)
