"""publisher.feed.validate_feed on hand-made broken feeds and on feeds we write."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from episode_factory import make_episodes, make_show, out_dir
from helpers import FIXTURES
from PIL import Image

from publisher.feed import validate_feed, write_feeds

FEEDS = FIXTURES / "feeds"

# Each broken fixture differs from good.xml in one place and must give exactly this problem.
BROKEN = {
    "missing-enclosure.xml": "missing enclosure",
    "wrong-length.xml": "enclosure length 999 but ep1.mp3 has",
    "missing-file.xml": "episodes/gone.mp3 does not exist",
    "relative-enclosure.xml": "enclosure url 'episodes/ep1.mp3' is not an absolute http(s) URL",
    "wrong-type.xml": "enclosure type 'audio/mp3' is not one Apple accepts",
    "explicit-yes.xml": "itunes:explicit 'yes' must be true or false",
    "duration-clock.xml": "itunes:duration '00:00:01' is not whole seconds",
    "iso-pubdate.xml": "pubDate '2018-10-25T12:01:00Z' is not an RFC 2822 date",
    "wrong-weekday.xml": "pubDate 'Mon, 25 Oct 2018 12:01:00 +0000' is not an RFC 2822 date",
    "duplicate-guid.xml": "guid 'yt-AbCdEfGh018-00010' is used twice",
    "long-description.xml": "description is 4257 bytes; Apple allows 4000",
    "bad-html.xml": "description uses HTML <b> <img>",
    "bad-category.xml": "itunes:category 'Tech' is not one of Apple's categories",
    "bad-subcategory.xml": "'Podcasting' is not a subcategory of 'Technology'",
    "small-image.xml": "small.jpg: 100x100 px; Apple needs a square 1400-3000 px",
    "alpha-image.xml": "alpha.png: colour mode RGBA; Apple needs RGB without alpha",
    "bad-podcast-guid.xml": "is not a lowercase UUIDv5",
    "zero-episode.xml": "itunes:episode '0' is not a positive integer",
    "bad-episode-type.xml": "itunes:episodeType 'normal' must be full, trailer or bonus",
    "missing-owner.xml": "missing itunes:owner",
    "missing-language.xml": "missing language",
    "permalink-guid.xml": "is not a URL but isPermaLink is 'true'",
    "bad-guid-chars.xml": "has characters outside [A-Za-z0-9_-]",
    "bad-transcript-type.xml": "podcast:transcript type 'text/srt' is not a transcript type",
    "long-soundbite.xml": "podcast:soundbite 0.0+200.0 s",
    "soundbite-past-end.xml": "runs past the 1 s episode",
    "bad-chapters-json.xml": "chapters file ep1.vtt is not JSON Chapters",
    "missing-transcript.xml": "podcast:transcript file",
    "bad-chapters-type.xml": "podcast:chapters type 'application/json' must be",
    "missing-item-title.xml": "missing title",
    "bad-itunes-type.xml": "itunes:type 'weekly' must be episodic or serial",
    "bad-person-role.xml": "podcast:person role 'moderator' is not in the taxonomy",
    "locked-maybe.xml": "podcast:locked 'maybe' must be yes or no",
    "no-items.xml": "channel has no <item>",
    "not-xml.xml": "not well-formed XML",
    "alternate-no-source.xml": "podcast:alternateEnclosure has no podcast:source",
    "alternate-missing-file.xml": "podcast:alternateEnclosure file",
    "alternate-wrong-length.xml": "podcast:alternateEnclosure length 999 but ep1.mp3 has",
    "alternate-bad-type.xml": "type 'mp4' is not an audio or video media type",
}


def test_the_good_fixture_is_clean():
    assert validate_feed(FEEDS / "good.xml") == []


def test_every_fixture_is_covered():
    assert {p.name for p in FEEDS.glob("*.xml")} == set(BROKEN) | {"good.xml"}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_feed_is_caught_with_one_line(name):
    problems = validate_feed(FEEDS / name)
    assert len(problems) == 1, problems
    [problem] = problems
    assert BROKEN[name] in problem
    assert problem.startswith(f"{FEEDS / name}:")  # path:line: problem
    assert "\n" not in problem


def test_local_checks_follow_explicit_root_and_base_url(tmp_path):
    # Served elsewhere: the self link no longer names these files, so only the
    # given root/base_url can map URLs to them.
    feed = tmp_path / "copy.xml"
    feed.write_text(
        (FEEDS / "wrong-length.xml")
        .read_text()
        .replace("https://example.org/show/", "https://cdn.example.net/x/")
    )
    assert validate_feed(feed) == []  # nothing local to check
    problems = validate_feed(feed, root=FEEDS, base_url="https://cdn.example.net/x/")
    assert len(problems) == 1 and "enclosure length 999" in problems[0]


def test_missing_feed_file_is_one_line(tmp_path):
    [problem] = validate_feed(tmp_path / "nope.xml")
    assert problem.startswith(f"{tmp_path / 'nope.xml'}: cannot read")


def test_every_written_feed_validates(tmp_path):
    show = make_show(tmp_path)
    paths = write_feeds(show, make_episodes(tmp_path, show), out_dir(tmp_path, show))
    feeds = [p for p in paths if p.suffix == ".xml"]
    assert len(feeds) == 9
    for path in feeds:
        assert validate_feed(path) == [], path


def test_written_feed_goes_stale_when_a_file_changes(tmp_path):
    show = make_show(tmp_path)
    episodes = make_episodes(tmp_path, show)
    root = out_dir(tmp_path, show)
    write_feeds(show, episodes, root)
    clip = next(e for e in episodes if e.kind == "clip")
    with (root / clip.path).open("ab") as f:
        f.write(b"\0" * 10)
    Image.new("RGB", (800, 600)).save(root / "artwork.jpg", "JPEG")
    problems = validate_feed(root / "clips.xml")
    assert any(f"{clip.path.name} has {clip.size + 10} bytes" in p for p in problems)
    assert any("800x600 px" in p for p in problems)
    # the image problem is reported once for the channel, not per item
    assert sum("artwork.jpg" in p for p in problems) == 1


def test_guesses_root_for_nested_feeds(tmp_path):
    show = make_show(tmp_path)
    episodes = make_episodes(tmp_path, show)
    root = out_dir(tmp_path, show)
    write_feeds(show, episodes, root)
    shutil.rmtree(root / "episodes" / "AbCdEfGh018")  # the 2018 files are gone
    problems = validate_feed(root / "topics" / "security.xml")
    gone = next(e for e in episodes if e.topic_slug == "security" and e.talk.year == 2018)
    assert any(f"{gone.path.name} does not exist" in p for p in problems)
    assert not any("ZyXwVuTs019" in p for p in problems)


def test_relative_root_path_works(tmp_path, monkeypatch):
    monkeypatch.chdir(FEEDS.parent)
    problems = validate_feed(Path("feeds/wrong-length.xml"))
    assert len(problems) == 1 and "enclosure length 999" in problems[0]
