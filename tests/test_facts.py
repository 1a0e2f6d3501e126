"""One fact, every output: each clip's number, times and topic name, read back from a
show built with stand-in audio by feedparser, mutagen and the site's HTML, agree
wherever a listener sees them (Render.places decides them once)."""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urldefrag

import feedparser
import lxml.etree as ET
import lxml.html
import pytest
from episode_factory import make_episodes, out_dir
from episode_factory import make_show as make_factory_show
from helpers import CLOCK, FROM, POSITION, SHORT_SEED, build, make_show, seconds, t_of
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from publisher.feed import feed_urls, write_feeds
from publisher.site import build_site

BASE = "http://127.0.0.1:8000/demo/"
SHOW = "Demo Forum"
PODCAST_NS = {"podcast": "https://podcastindex.org/namespace/1.0"}


@dataclass(frozen=True)
class Fact:
    """What a clip's own notes say about it."""

    label: str  # "Question 2", "Introduction"
    start: int
    end: int


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("facts")
    assert build(root, make_show(root, [SHORT_SEED])) == 0
    return root / "public" / "demo"


@pytest.fixture(scope="module")
def facts(out) -> dict[str, Fact]:
    """guid -> Fact, from each clip's notes in clips.xml; one per clip."""
    got = {e.id: fact_of(text(e.description)) for e in entries(out / "clips.xml")}
    assert len(got) >= 3
    return got


def entries(path: Path) -> list:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed.entries


def text(notes_html: str) -> str:
    return html.unescape(re.sub("<[^>]+>", "", notes_html))


def fact_of(notes: str) -> Fact:
    m = POSITION.search(notes)
    assert m, notes
    fact = Fact(m.group(1), seconds(m.group(2)), seconds(m.group(3)))
    watch = FROM.search(notes)
    assert watch, notes
    assert seconds(watch.group(1)) == t_of(watch.group(2)) == fact.start  # notes and link
    return fact


def local(out: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    return out / urldefrag(url)[0][len(BASE) :]


def in_order(facts: dict[str, Fact]) -> list[tuple[str, Fact]]:
    return sorted(facts.items(), key=lambda gf: gf[1].start)


def full_episode(out: Path) -> Path:
    """The one talk's full episode, where feed.xml's enclosure says it is."""
    (entry,) = feedparser.parse(str(out / "feed.xml")).entries
    return local(out, entry.enclosures[0].href)


def full_duration(out: Path) -> float:
    return MP3(full_episode(out)).info.length


def test_numbers_count_the_questions_and_ranges_never_overlap(out, facts):
    ordered = in_order(facts)
    questions = [f.label for _, f in ordered if f.label.startswith("Question")]
    assert questions == [f"Question {n}" for n in range(1, len(questions) + 1)]
    for (_, a), (_, b) in zip(ordered, ordered[1:], strict=False):
        assert a.start < a.end <= b.start, (a, b)
    assert ordered[-1][1].end <= math.floor(full_duration(out))


def test_every_feed_gives_a_clip_the_same_facts_and_no_other_number(out, facts):
    for path in sorted(out.rglob("*.xml")):
        for e in entries(path):
            if e.id not in facts:
                numbered = path.name == "feed.xml"  # whole talks, one number a season
                assert ("itunes_episode" in e) is numbered, (path.name, e.id)
                continue
            assert fact_of(text(e.description)) == facts[e.id], (path.name, e.id)
            assert "itunes_episode" not in e, (path.name, e.id)  # the label is its number


def test_full_talk_notes_chapters_and_soundbites_agree(out, facts):
    (full,) = entries(out / "feed.xml")
    listed = re.findall(rf"<li>{CLOCK} <a href=\"[^\"]*#([^\"]+)\">", full.description)
    assert {guid: seconds(at) for at, guid in listed} == {g: f.start for g, f in facts.items()}
    item = ET.parse(str(out / "feed.xml")).getroot().find("channel/item")
    bites = [float(b.get("startTime")) for b in item.findall("podcast:soundbite", PODCAST_NS)]
    questions = [f for _, f in in_order(facts) if f.label.startswith("Question")]
    assert bites == [f.start for f in questions if full_duration(out) - f.start >= 15]


def test_mp3_tags_agree(out, facts):
    for e in entries(out / "clips.xml"):
        tags = ID3(local(out, e.enclosures[0].href))
        assert t_of(tags.getall("WOAS")[0].url) == facts[e.id].start, e.id
        notes = " ".join(str(c) for c in tags.getall("COMM"))
        assert fact_of(notes) == facts[e.id], e.id
    path = full_episode(out)
    chaps = sorted(ID3(path).getall("CHAP"), key=lambda c: c.start_time)
    starts = {urldefrag(c.sub_frames.getall("WXXX")[0].url)[1]: c.start_time for c in chaps}
    assert starts.keys() == facts.keys()
    first = min(starts, key=starts.get)  # the first chapter opens the file at 0
    for guid, ms in starts.items():
        assert (0 if guid == first else facts[guid].start) == ms // 1000, guid


def test_site_shows_the_same_labels_and_times(out, facts):
    (page,) = out.glob("episodes/*/index.html")
    doc = lxml.html.parse(str(page)).getroot()
    cards = {a.get("id"): a for a in doc.xpath("//article[@class='clip']")}
    assert cards.keys() == facts.keys()
    questions = sum(f.label.startswith("Question") for f in facts.values())
    for guid, card in cards.items():
        fact = facts[guid]
        label = " ".join(card.xpath(".//p[@class='eyebrow']")[0].text_content().split())
        want = f"{fact.label} of {questions}" if fact.label.startswith("Question") else fact.label
        assert label == want, guid
        (seek,) = card.xpath(".//button[@data-seek]")
        assert float(seek.get("data-seek")) == fact.start, guid
        assert seconds(seek.text_content().split(" at ")[-1]) == fact.start, guid
        (video,) = card.xpath(".//a[contains(@href, 't=')]/@href")
        assert t_of(video) == fact.start, guid


def test_topic_names_agree(out):
    topic_feeds = sorted((out / "topics").glob("*.xml"))
    assert topic_feeds
    (page,) = out.glob("episodes/*/index.html")
    talk = lxml.html.parse(str(page)).getroot()
    for path in topic_feeds:
        parsed = feedparser.parse(path.read_bytes())
        name = parsed.feed.title.removeprefix(f"{SHOW}: ")
        site = lxml.html.parse(str(path.with_suffix(".html"))).getroot()
        assert site.xpath("string(//h1)").strip() == name
        chips = {
            c.text_content()
            for c in talk.xpath(f"//a[@class='chip'][contains(@href, '{path.stem}.html')]")
        }
        assert chips == {name}
        home = lxml.html.parse(str(out / "index.html")).getroot()
        tile = home.xpath(f"//a[@class='topic-tile'][contains(@href, '{path.stem}.html')]")
        assert tile[0].xpath("string(.//span[@class='topic-name'])") == name


def test_one_topic_name_when_clips_spell_it_differently(tmp_path):
    """The name first published wins, in the feed and on the site alike."""
    show = make_factory_show(tmp_path)
    episodes = [
        replace(e, topic="Live Migration") if e.talk.year == 2019 else e
        for e in make_episodes(tmp_path, show)
    ]
    root = out_dir(tmp_path, show)
    write_feeds(show, episodes, root)
    build_site(show, episodes, root, feed_urls(show, episodes))
    feed = feedparser.parse((root / "topics/live-migration.xml").read_bytes()).feed
    assert feed.title.endswith(": Live migration")  # 2018's spelling
    page = lxml.html.parse(str(root / "topics/live-migration.html")).getroot()
    assert page.xpath("string(//h1)").strip() == "Live migration"
    assert {c.text_content() for c in page.xpath("//a[@class='chip']")} == {"Live migration"}
