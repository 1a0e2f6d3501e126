"""publisher.feed: the feeds we write, read back by real podcast clients."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

import feedparser
import podcastparser
import pytest
from episode_factory import make_episodes, make_show, out_dir
from lxml import etree

from publisher.errors import PublisherError, ShowError
from publisher.feed import feed_urls, podcast_guid, write_feeds
from publisher.feed.ext import ITUNES_NS, PODCAST_NS
from publisher.feed.rss import soundbites
from publisher.model import Place

NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": "http://www.w3.org/2005/Atom"}
OLD_PODCAST_NS = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"


@pytest.fixture
def built(tmp_path):
    show = make_show(tmp_path)
    episodes = make_episodes(tmp_path, show)
    root = out_dir(tmp_path, show)
    paths = write_feeds(show, episodes, root)
    return show, episodes, root, paths


def items(path: Path) -> list:
    return etree.parse(str(path)).getroot().findall("channel/item")


def channel(path: Path):
    return etree.parse(str(path)).getroot().find("channel")


def test_podcast_guid_matches_the_spec_example():
    expected = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    ns = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
    assert str(uuid.uuid5(ns, "mp3s.nashownotes.com/pc20rss.xml")) == expected
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == expected
    assert podcast_guid("http://mp3s.nashownotes.com/pc20rss.xml//") == expected


def test_writes_every_feed_and_names_its_url(built):
    show, episodes, root, paths = built
    rel = sorted(p.relative_to(root).as_posix() for p in paths)
    assert rel == sorted(
        [
            "feed.xml",
            "clips.xml",
            "feeds.opml",
            "feeds-all.opml",
            "years/2018.xml",
            "years/2019.xml",
            "tracks/kvm-forum-2018.xml",
            "tracks/kvm-forum-2019.xml",
            "topics/live-migration.xml",
            "topics/security.xml",
            "topics/testing.xml",
        ]
    )
    urls = feed_urls(show, episodes)
    assert set(urls) == {
        "feed",
        "clips",
        "opml",
        "opml-all",
        "year:2018",
        "year:2019",
        "track:kvm-forum-2018",
        "track:kvm-forum-2019",
        "topic:live-migration",
        "topic:security",
        "topic:testing",
    }
    assert urls["topic:security"] == show.base_url + "topics/security.xml"
    assert sorted(u.removeprefix(show.base_url) for u in urls.values()) == rel
    assert not list(root.rglob(".*.tmp*"))  # no temporary files left behind


def test_opml_lists_every_feed(built):
    show, episodes, root, _ = built
    outlines = etree.parse(str(root / "feeds-all.opml")).getroot().findall("body/outline")
    urls = feed_urls(show, episodes)
    feeds = [u for k, u in urls.items() if not k.startswith("opml")]
    assert [o.get("xmlUrl") for o in outlines] == feeds
    assert all(o.get("type") == "rss" and o.get("text") for o in outlines)


def test_default_opml_lists_feeds_that_share_no_episode(built):
    """gPodder subscribes to each outline: every episode it then lists is there once."""
    show, episodes, root, _ = built
    outlines = etree.parse(str(root / "feeds.opml")).getroot().findall("body/outline")
    assert [o.get("xmlUrl") for o in outlines] == [show.url("feed.xml"), show.url("clips.xml")]
    guids = [e["guid"] for o in outlines for e in parsed(show, root, o.get("xmlUrl"))["episodes"]]
    assert sorted(guids) == sorted(e.guid for e in episodes)  # each once


def parsed(show, root: Path, url: str) -> dict:
    """The feed at `url` (published under root) as gPodder reads it."""
    with (root / url.removeprefix(show.base_url)).open("rb") as f:
        return podcastparser.parse(url, f)


def test_channel_has_apple_and_podcasting20_tags(built):
    show, _, root, _ = built
    ch = channel(root / "feed.xml")
    assert ch.findtext("link") == show.link
    assert ch.find("atom:link[@rel='self']", NS).get("href") == show.url("feed.xml")
    assert ch.find("itunes:image", NS).get("href") == show.url("artwork.jpg")
    assert ch.find("itunes:category", NS).get("text") == "Technology"
    assert ch.findtext("itunes:explicit", namespaces=NS) == "false"
    assert ch.findtext("itunes:owner/itunes:email", namespaces=NS) == show.owner_email
    assert ch.findtext("itunes:type", namespaces=NS) == "episodic"
    assert ch.findtext("copyright") == show.copyright
    assert ch.findtext("podcast:guid", namespaces=NS) == podcast_guid(show.url("feed.xml"))
    assert ch.findtext("podcast:medium", namespaces=NS) == "podcast"
    locked = ch.find("podcast:locked", NS)
    assert (locked.text, locked.get("owner")) == ("no", show.owner_email)
    for name in ("clips.xml", "topics/security.xml", "years/2018.xml"):
        assert channel(root / name).findtext("itunes:type", namespaces=NS) == "serial"


def test_explicit_true_and_pinned_guid(tmp_path):
    pinned = "1b5f0a2c-3d4e-5f60-8a7b-9c0d1e2f3a4b"
    show = make_show(tmp_path, explicit=True, podcast_guid=pinned, subcategory="")
    episodes = make_episodes(tmp_path, show)
    root = out_dir(tmp_path, show)
    write_feeds(show, episodes, root)
    assert channel(root / "feed.xml").findtext("itunes:explicit", namespaces=NS) == "true"
    assert channel(root / "feed.xml").findtext("podcast:guid", namespaces=NS) == pinned
    # other feeds keep their own URL-derived guids
    clips_guid = channel(root / "clips.xml").findtext("podcast:guid", namespaces=NS)
    assert clips_guid == podcast_guid(show.url("clips.xml"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"category": "Tech"}, "category 'Tech' is not one of Apple's categories"),
        (
            {"subcategory": "Podcasting"},
            "category 'Podcasting' is not a subcategory of 'Technology'",
        ),
        ({"podcast_guid": "not-a-uuid"}, "guid 'not-a-uuid' is not a UUIDv5"),
        ({"podcast_guid": str(uuid.uuid4())}, "is not a UUIDv5"),
    ],
)
def test_bad_show_settings_are_one_line_errors_and_write_nothing(tmp_path, fields, message):
    good = make_show(tmp_path)
    episodes = make_episodes(tmp_path, good)
    root = out_dir(tmp_path, good)
    write_feeds(good, episodes, root)
    before = {p: p.read_bytes() for p in root.rglob("*.xml")}
    bad = replace(good, **fields)
    with pytest.raises(ShowError) as err:
        write_feeds(bad, episodes, root)
    assert str(err.value).startswith(f"{bad.path}: ") and str(err.value).endswith(message)
    assert {p: p.read_bytes() for p in root.rglob("*.xml")} == before


def test_duplicate_episode_guid_is_refused(tmp_path):
    show = make_show(tmp_path)
    episodes = make_episodes(tmp_path, show)
    twin = replace(episodes[2], guid=episodes[1].guid)
    with pytest.raises(PublisherError, match="two episodes share the guid 'yt-AbCdEfGh018-00010'"):
        write_feeds(show, [*episodes[:2], twin], out_dir(tmp_path, show))


def test_items_carry_enclosure_guid_dates_and_numbers(built):
    show, episodes, root, _ = built
    by_guid = {e.guid: e for e in episodes}
    for item in items(root / "clips.xml") + items(root / "feed.xml"):
        e = by_guid[item.findtext("guid")]
        assert item.find("guid").get("isPermaLink") == "false"
        enc = item.find("enclosure")
        assert enc.get("url") == show.url(e.path.as_posix()) and enc.get("type") == "audio/mpeg"
        assert int(enc.get("length")) == (root / e.path).stat().st_size == e.size
        assert item.findtext("itunes:duration", namespaces=NS) == str(round(e.duration))
        assert item.findtext("itunes:season", namespaces=NS) == str(e.talk.year)
        season = item.find("podcast:season", NS)
        assert (season.text, season.get("name")) == (str(e.talk.year), e.talk.playlist)
        assert item.find("itunes:image", NS).get("href") == show.url(e.cover)
        assert item.findtext("description") == e.notes_html
    raw = (root / "clips.xml").read_bytes()
    assert raw.count(b"<description><![CDATA[<p>") == 6  # show notes as CDATA HTML


def test_feed_order_newest_first_and_serial_in_question_order(built):
    _, _, root, _ = built
    assert [i.findtext("guid") for i in items(root / "feed.xml")] == [
        "yt-ZyXwVuTs019",
        "yt-AbCdEfGh018",
    ]
    clips = [
        (
            i.findtext("guid"),
            i.findtext("itunes:season", namespaces=NS),
            i.findtext("itunes:episode", namespaces=NS),
        )
        for i in items(root / "clips.xml")
    ]
    assert clips == [  # no itunes:episode for clips: feed/catalog says why
        ("yt-AbCdEfGh018-00010", "2018", None),
        ("yt-AbCdEfGh018-00030", "2018", None),
        ("yt-AbCdEfGh018-00055", "2018", None),
        ("yt-ZyXwVuTs019-00010", "2019", None),
        ("yt-ZyXwVuTs019-00032", "2019", None),
        ("yt-ZyXwVuTs019-00056", "2019", None),
    ]
    year = [i.findtext("guid") for i in items(root / "years/2018.xml")]
    assert year == ["yt-AbCdEfGh018"]  # the talk in full only: its clips are in its track
    track = [i.findtext("guid") for i in items(root / "tracks/kvm-forum-2018.xml")]
    assert track == ["yt-AbCdEfGh018-00010", "yt-AbCdEfGh018-00030", "yt-AbCdEfGh018-00055"]
    topic = [i.findtext("guid") for i in items(root / "topics/live-migration.xml")]
    assert topic == ["yt-AbCdEfGh018-00010", "yt-AbCdEfGh018-00055", "yt-ZyXwVuTs019-00056"]


def test_only_whole_talks_are_numbered_and_lead_numbers_are_used(tmp_path):
    show = make_show(tmp_path)
    episodes = make_episodes(tmp_path, show)
    numbered = [replace(e, number=7) if e.kind == "full" else e for e in episodes]
    root = out_dir(tmp_path, show)
    write_feeds(show, numbered, root)
    got = [i.findtext("itunes:episode", namespaces=NS) for i in items(root / "feed.xml")]
    assert got == ["7", "7"]  # one per season
    for feed in ("clips.xml", "years/2019.xml", "topics/live-migration.xml"):
        for i in items(root / feed):
            assert i.find("itunes:episode", NS) is None and i.find("podcast:episode", NS) is None


def test_persons_transcripts_chapters_and_soundbites(built):
    _, episodes, root, _ = built
    full = next(i for i in items(root / "feed.xml") if i.findtext("guid") == "yt-AbCdEfGh018")
    persons = [(p.get("role"), p.text) for p in full.findall("podcast:person", NS)]
    assert persons == [
        ("host", "Alice Moderator"),
        ("guest", "Bob Panelist"),
        ("guest", "Carol Panelist"),
    ]
    transcripts = {t.get("type"): t for t in full.findall("podcast:transcript", NS)}
    assert set(transcripts) == {"text/vtt", "application/x-subrip", "application/json"}
    assert transcripts["text/vtt"].get("rel") == "captions"
    assert transcripts["text/vtt"].get("url").endswith("/episodes/AbCdEfGh018/full.vtt")
    assert full.find("podcast:chapters", NS).get("url").endswith("/AbCdEfGh018/chapters.json")
    bites = [
        (b.get("startTime"), b.get("duration"), b.text)
        for b in full.findall("podcast:soundbite", NS)
    ]
    assert bites == [
        ("10", "20", "How do we make live migration faster?"),
        ("30", "25", "Are Spectre and Meltdown hype or real?"),
        ("55", "25", "What about post-copy migration?"),
    ]
    clip = items(root / "clips.xml")[0]
    assert clip.find("podcast:soundbite", NS) is None
    assert clip.find("podcast:chapters", NS) is None
    assert (
        clip.find("podcast:transcript[@type='text/vtt']", NS)
        .get("url")
        .endswith("/yt-AbCdEfGh018-00010.vtt")
    )


def test_soundbites_are_15_to_60_seconds_inside_the_episode(tmp_path):
    show = make_show(tmp_path)
    full, clip = make_episodes(tmp_path, show)[:2]
    spans = [("Short question", 30, 35), ("Long question", 35, 200), ("Too near the end", 240, 250)]
    questions = [
        replace(clip, title=title, place=Place(n, f"Question {n}", start, end))
        for n, (title, start, end) in enumerate(spans, 1)
    ]
    bites = soundbites(replace(full, duration=250.9), questions)
    assert [(b.start, b.duration, b.title) for b in bites] == [
        (30, 15, "Short question"),  # at least 15 s
        (35, 60, "Long question"),  # at most 60 s
    ]  # and none with less than 15 s left


def test_same_input_gives_identical_bytes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    outputs = []
    for where in (a, b, a):
        show = make_show(where)
        paths = write_feeds(show, make_episodes(where, show), out_dir(where, show))
        outputs.append({p.relative_to(where).as_posix(): p.read_bytes() for p in paths})
    assert outputs[0] == outputs[1] == outputs[2]
    ch = channel(out_dir(a, make_show(a)) / "clips.xml")
    assert ch.findtext("lastBuildDate") == "Wed, 30 Oct 2019 12:03:00 +0000"


def test_feedparser_reads_the_feeds_without_complaint(built):
    show, episodes, root, _ = built
    by_guid = {e.guid: e for e in episodes}
    for name in ("feed.xml", "clips.xml", "topics/security.xml", "years/2019.xml"):
        parsed = feedparser.parse(str(root / name))
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert parsed.feed.podcast_guid == channel(root / name).findtext(
            "podcast:guid", namespaces=NS
        )
        for entry in parsed.entries:
            e = by_guid[entry.id]
            assert entry.title == e.title
            assert not entry.guidislink
            [enc] = entry.enclosures
            url = show.url(e.path.as_posix())
            assert (enc.href, int(enc.length), enc.type) == (url, e.size, "audio/mpeg")
            assert int(entry.itunes_duration) == round(e.duration)
            assert entry.published_parsed[:6] == e.pub_date.utctimetuple()[:6]
            assert entry.podcast_season["name"] == e.talk.playlist


def test_podcastparser_reads_the_basics_but_not_podcast_tags(built):
    show, episodes, root, _ = built
    by_guid = {e.guid: e for e in episodes}
    raw = (root / "feed.xml").read_bytes()
    assert OLD_PODCAST_NS.encode() not in raw  # we don't emit deprecated markup
    with (root / "feed.xml").open("rb") as f:
        parsed = podcastparser.parse(show.url("feed.xml"), f)
    assert parsed["title"] == show.title and parsed["explicit"] is False
    assert parsed["cover_url"] == show.url("artwork.jpg")
    assert len(parsed["episodes"]) == 2
    for ep in parsed["episodes"]:
        e = by_guid[ep["guid"]]
        assert ep["title"] == e.title
        assert ep["total_time"] == round(e.duration)
        url = show.url(e.path.as_posix())
        assert ep["enclosures"] == [{"url": url, "file_size": e.size, "mime_type": "audio/mpeg"}]
        assert (ep["season"], ep["number"], ep["type"]) == (e.talk.year, 1, "full")
        assert ep["episode_art_url"] == show.url(e.cover)
        assert ep["published"] == int(e.pub_date.timestamp())
        # The gap: podcastparser knows podcast: tags only under the old GitHub
        # namespace URI, so transcripts, chapters and persons are not seen.
        assert "transcript_url" not in ep and "chapters_json_url" not in ep
        assert "persons" not in ep


def test_yt_dlp_downloads_an_episode_from_the_served_clips_feed(tmp_path):
    import functools
    import http.server
    import threading

    import yt_dlp

    public = tmp_path / "public" / "test-show"
    public.mkdir(parents=True)
    handler = functools.partial(
        type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *a: None}),
        directory=str(public),
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        show = make_show(tmp_path, base_url=f"http://127.0.0.1:{server.server_port}/")
        episodes = make_episodes(tmp_path, show)
        write_feeds(show, episodes, public)
        downloads = tmp_path / "downloads"
        opts = {
            "outtmpl": str(downloads / "%(id)s.%(ext)s"),
            "playlist_items": "2",
            "quiet": True,
            "noprogress": True,
        }
        with yt_dlp.YoutubeDL(opts) as ydl:
            info = ydl.extract_info(show.url("clips.xml"), download=True)
    finally:
        server.shutdown()
        server.server_close()
    clips = [e for e in episodes if e.kind == "clip"]
    assert [(x["id"], x["title"]) for x in info["entries"]] == [(clips[1].guid, clips[1].title)]
    [got] = list(downloads.iterdir())
    assert got.read_bytes() == (public / clips[1].path).read_bytes()
