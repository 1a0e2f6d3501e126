"""Issue 14's consistency test: one show built through the CLI, and the same facts read
back from every output by the parsers clients use (feedparser, and podcast-partytime
run with node, for the feeds; mutagen and ffprobe for the MP3s; Chromium for the site's
DOM): each clip's number, label and times, its topic's name, who asked and who
answered, where its links go, and every feed's podcast:guid after a base-URL move.

The expected facts (CLIPS, TOPICS) are written out by hand from the plan (PLANNED), not computed by
publisher: a disagreement between two outputs, or with the plan, fails."""

from __future__ import annotations

import json
import math
import re
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import feedparser
import lxml.html
import pytest
from helpers import CLOCK, FROM, POSITION, ROOT, SHORT_SEED, build, make_show, need, seconds, t_of
from mutagen.id3 import ID3

from publisher.serve import serving

VID = "Xq3v9LpT0aB"  # the short panel's video
BASE = "http://127.0.0.1:8000/demo/"  # make_show's base_url
MOVED = "https://podcasts.example.net/moved/"
PAGE = f"episodes/{VID}/index.html"  # the talk page, relative to the show
READER = ROOT / "tests" / "node" / "read-feed.js"
PODCAST_NS = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")  # Podcasting 2.0 podcast:guid
DANA, MARCUS, PRIYA, TOMAS = "Dana Whitfield", "Marcus Oyelaran", "Priya Raman", "Tomás Ferreira"

# A moderator, three panelists, an audience question, four questions on three topics (one
# spelled two ways), an intro and an outro: the short panel's captions, cut by hand.
CLIP = """
[[clip]]
start = {start}
end = {end}
kind = "{kind}"
title = "{title}"
topic = "{topic}"
speakers = [{speakers}]
guid = "{guid}"
"""
PLANNED = [  # start, end, kind, title, topic as planned, speakers "Name (role)"
    (0, 26.3, "intro", "Welcome", "Introduction",
     [f"{DANA} (moderator)", f"{MARCUS} (panelist)", f"{PRIYA} (panelist)",
      f"{TOMAS} (panelist)"]),
    (26.3, 58.5, "question", "How do you test storage changes?", "Storage layer",
     [f"{DANA} (moderator)", f"{TOMAS} (panelist)", f"{MARCUS} (panel)", f"{PRIYA} (panel)"]),
    (58.5, 77.5, "question", "How do you catch slow regressions?", "Storage Layer",
     [f"{DANA} (moderator)", f"{MARCUS} (panelist)"]),
    (77.5, 125.5, "question", "What slows live migration down?", "Live migration",
     [f"{DANA} (moderator)", f"{PRIYA} (panelist)", f"{MARCUS} (panelist)"]),
    (125.5, 169.5, "question", "How do newcomers start reviewing?", "Patch review workflow",
     ["Audience (audience)", f"{MARCUS} (panel)", f"{PRIYA} (panel)", f"{TOMAS} (panel)"]),
    (169.5, 179.1, "outro", "Thanks and goodbye", "Closing", [f"{DANA} (moderator)"]),
]  # fmt: skip


@dataclass(frozen=True)
class Clip:
    """What every output must say about one clip."""

    guid: str
    label: str  # "Question 2", "Introduction", "Closing"
    start: int  # whole seconds in the full talk (= the video's t=)
    end: int
    topic: str  # its topic's display name; "" for none (an intro or outro)
    credits: tuple[str, ...]  # the notes' credit lines, organisations left out
    persons: tuple[tuple[str, str], ...]  # podcast:person (name, role), in order

    @property
    def link(self) -> str:
        return f"{BASE}{PAGE}#{self.guid}"


def _g(start: int) -> str:
    return f"yt-{VID}-{start:05d}"


ASK, ANS = f"Asked by {DANA} (Moderator)", "Answered by {} (Panelist)"
HOST = (DANA, "host")
CLIPS = [
    Clip(_g(0), "Introduction", 0, 26, "",
         (f"{DANA} (Moderator)", f"{MARCUS} (Panelist)", f"{PRIYA} (Panelist)",
          f"{TOMAS} (Panelist)"),
         (HOST, (MARCUS, "guest"), (PRIYA, "guest"), (TOMAS, "guest"))),
    Clip(_g(26), "Question 1", 26, 58, "Storage layer", (ASK, ANS.format(TOMAS)),
         (HOST, (TOMAS, "guest"))),
    Clip(_g(58), "Question 2", 58, 77, "Storage layer",  # the name first published
         (ASK, ANS.format(MARCUS)), (HOST, (MARCUS, "guest"))),
    Clip(_g(77), "Question 3", 77, 125, "Live migration",
         (ASK, ANS.format(PRIYA), ANS.format(MARCUS)), (HOST, (PRIYA, "guest"), (MARCUS, "guest"))),
    Clip(_g(125), "Question 4", 125, 169, "Patch review workflow",
         ("Asked by a member of the audience", "Answered by the panel"), ()),
    Clip(_g(169), "Closing", 169, 179, "", (f"{DANA} (Moderator)",), (HOST,)),
]  # fmt: skip
BY_GUID = {c.guid: c for c in CLIPS}
QUESTIONS = sum(c.label.startswith("Question") for c in CLIPS)
TOPICS = {"storage-layer": "Storage layer", "live-migration": "Live migration",
          "patch-review-workflow": "Patch review workflow"}  # fmt: skip
TRACK = "tracks/open-infra-summit-2023.xml"  # the clips' archive: the talk is in years/
FEEDS = {"feed.xml", "clips.xml", "years/2023.xml", TRACK, *(f"topics/{t}.xml" for t in TOPICS)}


def plan_text() -> str:
    """The plan file beside the seed: `publisher build` cuts the talk by it."""
    clips = "".join(
        CLIP.format(
            start=a, end=b, kind=k, title=t, topic=topic, guid=_g(math.floor(a)),
            speakers=", ".join(json.dumps(s, ensure_ascii=False) for s in who),
        )
        for a, b, k, t, topic, who in PLANNED
    )  # fmt: skip
    return f'video_id = "{VID}"\n{clips}'


@dataclass(frozen=True)
class Built:
    out: Path  # public/demo, published at BASE
    moved: Path  # the same show rebuilt with --base-url MOVED
    rebased: Path  # ... and with MOVED as the show file's base_url


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("consistency")
    toml = make_show(root, [SHORT_SEED])
    (root / "seeds" / "short-panel.plan.toml").write_text(plan_text())
    assert build(root, toml) == 0
    assert build(root, toml, "--base-url", MOVED, "--out", str(root / "moved")) == 0
    other = root / "other" / toml.name  # the pinned show file, base_url moved
    other.parent.mkdir()
    other.write_text(toml.read_text().replace(f'base_url = "{BASE}"', f'base_url = "{MOVED}"'))
    assert MOVED in other.read_text()
    assert build(root, other, "--out", str(root / "rebased")) == 0
    return Built(root / "public" / "demo", root / "moved" / "demo", root / "rebased" / "demo")


@pytest.fixture(scope="module")
def partytime(built) -> dict[str, dict[str, dict]]:
    """out folder name -> feed path relative to it -> the feed as podcast-partytime reads it."""
    if not (READER.parent / "node_modules" / "podcast-partytime").is_dir():
        pytest.fail("podcast-partytime is not installed; run scripts/setup.sh test")
    got: dict[str, dict[str, dict]] = {}
    for out in (built.out, built.moved, built.rebased):
        paths = sorted(out.rglob("*.xml"))
        res = subprocess.run(
            [need("node"), str(READER), *map(str, paths)], capture_output=True, text=True
        )
        assert res.returncode == 0, res.stderr
        parsed = json.loads(res.stdout)
        got[out.parent.name] = {p.relative_to(out).as_posix(): parsed[str(p)] for p in paths}
    return got


def parsed(path: Path):
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, (path, feed.get("bozo_exception"))
    return feed


def feedparser_items(out: Path) -> dict[str, list]:
    return {p.relative_to(out).as_posix(): parsed(p).entries for p in sorted(out.rglob("*.xml"))}


def enclosures(out: Path) -> dict[str, Path]:
    """guid -> the MP3 file its item's enclosure names (clips.xml, and feed.xml's talk)."""
    got = {}
    for path in ("clips.xml", "feed.xml"):
        for e in parsed(out / path).entries:
            (enc,) = e.enclosures
            assert enc.href.startswith(BASE), enc.href
            got[e.id] = out / enc.href.removeprefix(BASE)
    assert got.keys() == {*BY_GUID, f"yt-{VID}"}
    return got


# --- reading the notes: what a listener sees, tags stripped ------------------------------


def blocks(notes_html: str) -> str:
    """The notes as text, one paragraph or list item a line."""
    doc = lxml.html.fromstring(f"<div>{notes_html}</div>")
    return "\n".join(" ".join(e.text_content().split()) for e in doc.iter("p", "li"))


def said(notes: str) -> tuple[str, int, int, int, tuple[str, ...]]:
    """(label, start, end, the video link's t=, credit lines) as the notes give them."""
    m, watch = POSITION.search(notes), FROM.search(notes)
    assert m and watch, notes
    assert seconds(watch.group(1)) == t_of(watch.group(2)), notes  # "(from 01:17)" is t=77
    people = notes[notes.index("Speakers:") : notes.index("\nWatch ")].splitlines()[1:]
    credits = tuple(ln.split(" — ")[0].strip() for ln in people if ln.strip())
    return m.group(1), seconds(m.group(2)), seconds(m.group(3)), t_of(watch.group(2)), credits


def want(clip: Clip) -> tuple[str, int, int, int, tuple[str, ...]]:
    return clip.label, clip.start, clip.end, clip.start, clip.credits


def ffprobe(path: Path) -> dict:
    res = subprocess.run(
        [need("ffprobe"), "-v", "error", "-show_format", "-show_chapters", "-of", "json",
         str(path)], capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(res.stdout)


# --- the tests ---------------------------------------------------------------------------


def test_every_feed_gives_each_clip_the_same_facts(built, partytime):
    """Number, times, credits, link and topic of each clip item, in every feed, as
    feedparser and podcast-partytime read them."""
    fp = feedparser_items(built.out)
    pt = {path: feed["items"] for path, feed in partytime["public"].items()}
    assert fp.keys() == pt.keys() == FEEDS
    seen: dict[str, set[str]] = {c.guid: set() for c in CLIPS}
    for path in sorted(FEEDS):
        assert [e.id for e in fp[path]] == [i["guid"] for i in pt[path]], path
        for entry, item in zip(fp[path], pt[path], strict=True):
            clip = BY_GUID.get(entry.id)
            if clip is None:  # the full talk, in feed.xml and the year's feed
                assert entry.id == f"yt-{VID}" and entry.link == item["link"] == BASE + PAGE
                assert item.get("itunesEpisode") == (1 if path == "feed.xml" else None), path
                continue
            seen[clip.guid].add(path)
            assert said(blocks(entry.description)) == want(clip), (path, clip.guid)
            assert said(blocks(item["description"])) == want(clip), (path, clip.guid)
            assert entry.link == item["link"] == clip.link, (path, clip.guid)
            people = [(p["name"], p["role"].lower()) for p in item.get("podcastPeople", [])]
            assert tuple(people) == clip.persons, (path, clip.guid)
            assert "itunesEpisode" not in item and "podcastEpisode" not in item  # label only
    for clip in CLIPS:  # and the topic: every clip in its topic's feed, and in no other
        topic = {f"topics/{s}.xml" for s, name in TOPICS.items() if name == clip.topic}
        assert seen[clip.guid] == {"clips.xml", TRACK, *topic}, clip.guid


def test_topic_feeds_are_named_as_first_published(built, partytime):
    for slug, name in TOPICS.items():
        path = f"topics/{slug}.xml"
        assert parsed(built.out / path).feed.title == f"Demo Forum: {name}"
        assert partytime["public"][path]["title"] == f"Demo Forum: {name}"


ON_TOPICS = re.compile(r"(\d+) questions, on (.+?)\.\n")


def topics_named(notes: str) -> tuple[int, list[str]]:
    """The full talk's notes: 'N questions, on A, B and C.' -> (N, [A, B, C])."""
    m = ON_TOPICS.search(notes)
    assert m, notes
    return int(m.group(1)), re.split(r", | and ", m.group(2))


def test_full_talk_notes_name_each_topic_once(built, partytime):
    """In feed.xml and the year's feed, as feedparser and podcast-partytime read them."""
    want = (QUESTIONS, list(TOPICS.values()))
    for path in ("feed.xml", "years/2023.xml"):
        (entry,) = [e for e in parsed(built.out / path).entries if e.id == f"yt-{VID}"]
        assert topics_named(blocks(entry.description)) == want, path
        (item,) = [i for i in partytime["public"][path]["items"] if i["guid"] == f"yt-{VID}"]
        assert topics_named(blocks(item["description"])) == want, path


def test_mp3_topic_tags_use_the_published_names(built):
    """TCAT, as mutagen and ffprobe read it: the topic's name as its feed and page give
    it, and none on an intro or outro (which belong to no topic)."""
    got, want = {}, {}
    for clip in CLIPS:
        mp3 = enclosures(built.out)[clip.guid]
        frames = [str(f) for f in ID3(mp3).getall("TCAT")]
        got[clip.guid] = (frames, ffprobe(mp3)["format"]["tags"].get("TCAT"))
        want[clip.guid] = ([clip.topic], clip.topic) if clip.topic else ([], None)
    assert got == want


def test_mp3_tags_and_chapters_agree(built):
    """mutagen and ffprobe read the clips' notes and video links, and the full talk's
    chapters: the same times, credits and page anchors as the feeds."""
    files = enclosures(built.out)
    for clip in CLIPS:
        mp3 = files[clip.guid]
        if clip.label.startswith("Question"):  # a new show's file names number as the notes
            assert f"-q{int(clip.label.split()[1]):02d}-" in mp3.name, (clip.guid, mp3.name)
        tags = ID3(mp3)
        (comm,) = tags.getall("COMM")
        assert said(str(comm)) == want(clip), clip.guid
        assert ffprobe(mp3)["format"]["tags"]["comment"] == str(comm), clip.guid
        assert t_of(tags.getall("WOAS")[0].url) == clip.start, clip.guid
        panel = ["the panel"] if "Answered by the panel" in clip.credits else []
        artist = "; ".join([name for name, _ in clip.persons] + panel)  # whom the notes credit
        assert tags["TPE1"].text == [artist], clip.guid
    full = files[f"yt-{VID}"]
    probed = ffprobe(full)
    assert math.floor(float(probed["format"]["duration"])) == CLIPS[-1].end
    chaps = sorted(ID3(full).getall("CHAP"), key=lambda c: c.start_time)
    urls = [c.sub_frames.getall("WXXX")[0].url for c in chaps]
    assert urls == [c.link for c in CLIPS]  # a web page, never an .mp3
    assert [c.start_time // 1000 for c in chaps] == [c.start for c in CLIPS]
    assert [c.end_time // 1000 for c in chaps[:-1]] == [c.end for c in CLIPS[:-1]]
    starts = [math.floor(float(c["start_time"])) for c in probed["chapters"]]
    assert starts == [c.start for c in CLIPS]
    titles = [c.sub_frames.getall("TIT2")[0].text[0] for c in chaps]
    assert [c["tags"]["title"] for c in probed["chapters"]] == titles


def test_full_talk_chapters_soundbites_and_notes_agree(built, partytime):
    chapters = json.loads((built.out / "episodes" / VID / "chapters.json").read_text())
    assert [c["url"] for c in chapters["chapters"]] == [c.link for c in CLIPS]
    assert [math.floor(c["startTime"]) for c in chapters["chapters"]] == [c.start for c in CLIPS]
    (item,) = partytime["public"]["feed.xml"]["items"]
    assert item["podcastChapters"]["url"] == f"{BASE}episodes/{VID}/chapters.json"
    bites = [b["startTime"] for b in item["podcastSoundbites"]]
    assert bites == [c.start for c in CLIPS if c.label.startswith("Question")]
    (entry,) = parsed(built.out / "feed.xml").entries
    listed = re.findall(rf"<li>{CLOCK} <a href=\"([^\"]+)\">", entry.description)
    assert [(seconds(at), url) for at, url in listed] == [(c.start, c.link) for c in CLIPS]
    people = [(p["name"], p["role"].lower()) for p in item["podcastPeople"]]
    assert people == [(DANA, "host"), (MARCUS, "guest"), (PRIYA, "guest"), (TOMAS, "guest")]


def test_podcast_guids_stay_when_the_base_url_moves(built, partytime):
    for moved in ("moved", "rebased"):
        feeds = partytime[moved]
        assert feeds.keys() == partytime["public"].keys() == FEEDS
        for path, feed in feeds.items():
            assert feed["pubsub"]["self"] == MOVED + path, (moved, path)  # it did move
            first = str(uuid.uuid5(PODCAST_NS, (BASE + path).split("://", 1)[1]))
            assert feed["guid"] == partytime["public"][path]["guid"] == first, (moved, path)
            out = getattr(built, moved)
            assert parsed(out / path).feed.podcast_guid == first, (moved, path)
    assert len({f["guid"] for f in partytime["public"].values()}) == len(FEEDS)


def card_facts(page, guid: str) -> dict:
    """One clip card as Chromium shows it (textContent, before CSS changes the case)."""
    return page.evaluate(
        """guid => {
          const card = document.getElementById(guid);
          if (!card) return null;
          const text = e => e ? e.textContent.replace(/\\s+/g, ' ').trim() : null;
          const credit = li => [li.querySelector('.credit-lead'), li.querySelector('.credit-name'),
                                li.querySelector('.role')];
          return {
            tag: card.tagName, hash: location.hash.slice(1),
            label: text(card.querySelector('.eyebrow')),
            chip: text(card.querySelector('a.chip')),
            seek: card.querySelector('button[data-seek]').dataset.seek,
            seekText: text(card.querySelector('button[data-seek]')),
            video: card.querySelector('a[href*="t="]').href,
            credits: [...card.querySelectorAll('.credits li')].map(li => credit(li).map(text)),
          };
        }""",
        guid,
    )


def credit_line(lead: str | None, name: str, role: str | None) -> str:
    return " ".join(filter(None, [lead, name])) + (f" ({role})" if role else "")


@pytest.mark.browser
def test_site_shows_the_same_facts_in_chromium(built, browser):
    """Each clip's feed link opens its card on the talk page, and the card gives the
    same label, times, topic and credits; topic pages and tiles use the same names."""
    page = browser.new_page()
    try:
        with serving(built.out.parent) as url:
            site = url + "demo/"
            for clip in CLIPS:
                page.goto(clip.link.replace(BASE, site))
                card = card_facts(page, clip.guid)
                assert card is not None and card["tag"] == "ARTICLE", clip.guid
                assert card["hash"] == clip.guid
                q = clip.label.startswith("Question")
                assert card["label"] == (f"{clip.label} of {QUESTIONS}" if q else clip.label)
                assert float(card["seek"]) == clip.start, clip.guid
                assert seconds(card["seekText"].split(" at ")[-1]) == clip.start, clip.guid
                assert t_of(card["video"]) == clip.start, clip.guid
                assert card["chip"] == (clip.topic or None), clip.guid
                assert tuple(credit_line(*c) for c in card["credits"]) == clip.credits, clip.guid
            for slug, name in TOPICS.items():
                page.goto(f"{site}topics/{slug}.html")
                assert page.locator("h1").text_content().strip() == name
                cards = page.locator("article.clip")  # each with its topic's chip
                assert cards.count() == sum(c.topic == name for c in CLIPS), slug
                assert set(page.locator("article.clip a.chip").all_text_contents()) == {name}
            page.goto(site)
            tiles = page.locator(".topic-tile .topic-name").all_text_contents()
            assert sorted(t.strip() for t in tiles) == sorted(TOPICS.values())
            page.goto(site + PAGE)
            notes = page.evaluate(  # the full talk's notes on its page, a line a block
                """[...document.querySelectorAll('.notes p, .notes li')]
                   .map(e => e.textContent.replace(/\\s+/g, ' ').trim()).join('\\n')"""
            )
            assert topics_named(notes + "\n") == (QUESTIONS, list(TOPICS.values()))
    finally:
        page.close()


def test_node_reader_fails_on_what_is_not_a_feed(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<html><body>not a feed</body></html>")
    res = subprocess.run([need("node"), str(READER), str(bad)], capture_output=True, text=True)
    assert res.returncode == 1 and "bad.xml" in res.stderr
