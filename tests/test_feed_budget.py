"""Feeds with a size budget (issue 16): feed.xml and clips.xml carry the newest items,
the year and track feeds the whole archive, each episode in exactly one of them."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import feedparser
import podcastparser
import pytest
from episode_factory import make_episodes, make_show, out_dir
from helpers import SHORT_SEED
from helpers import make_show as make_show_file

from publisher.errors import ShowError
from publisher.feed import lineup, validate_feed, write_feeds
from publisher.show import FeedLimits, load_show

ROOT = Path(__file__).resolve().parent.parent


def read(show, root: Path, relpath: str) -> dict:
    """A written feed as gPodder reads it (podcastparser)."""
    with (root / relpath).open("rb") as f:
        return podcastparser.parse(show.url(relpath), f)


def enclosures(show, root: Path, relpaths) -> dict[str, tuple[str, int]]:
    """GUID -> (enclosure URL, length) over the feeds at `relpaths`."""
    return {
        e["guid"]: (e["enclosures"][0]["url"], e["enclosures"][0]["file_size"])
        for p in relpaths
        for e in read(show, root, p)["episodes"]
    }


@pytest.fixture
def trimmed(tmp_path):
    """The factory's show (2 talks, 6 clips) with room for 1 talk and 2 clips."""
    show = make_show(tmp_path)
    episodes = make_episodes(tmp_path, show)
    root = out_dir(tmp_path, show)
    full = lineup(show, episodes)
    write_feeds(show, episodes, root, full)
    before = enclosures(show, root, full.paths.values())
    small = dataclasses.replace(show, recent=FeedLimits(talks=1, clips=2))
    feeds = lineup(small, episodes)
    write_feeds(small, episodes, root, feeds)
    return small, episodes, root, feeds, before


def test_trimmed_feeds_carry_the_newest_and_say_where_the_rest_is(trimmed):
    show, _, root, _, _ = trimmed
    talks = feedparser.parse(str(root / "feed.xml"))
    assert not talks.bozo
    assert [e.id for e in talks.entries] == ["yt-ZyXwVuTs019"]  # the newest talk
    about = talks.feed.description
    assert "newest 1 of 2 talks" in about and show.url("feeds-all.opml") in about
    assert show.url("years/") in about
    clips = read(show, root, "clips.xml")
    newest = {"yt-ZyXwVuTs019-00032", "yt-ZyXwVuTs019-00056"}
    assert {e["guid"] for e in clips["episodes"]} == newest
    assert "newest 2 of 6 questions" in clips["description"]
    assert show.url("tracks/") in clips["description"]


def test_every_episode_stays_published_once_with_its_enclosure(trimmed):
    """Leaving feed.xml is not a deletion: the archive feeds hold every episode, each in
    one of them, with the GUID and enclosure it was published with."""
    show, episodes, root, feeds, before = trimmed
    archive = [p for n, p in feeds.paths.items() if n.startswith(("year:", "track:"))]
    seen = [e["guid"] for p in archive for e in read(show, root, p)["episodes"]]
    assert sorted(seen) == sorted(e.guid for e in episodes)  # all, and none twice
    assert enclosures(show, root, feeds.paths.values()) == before


def test_archive_feeds_are_paged_oldest_first(trimmed):
    """A track of 3 clips with room for 2: two pages, each naming the other."""
    show, _, root, feeds, _ = trimmed
    first, second = "tracks/kvm-forum-2018.xml", "tracks/kvm-forum-2018.2.xml"
    assert feeds.paths["track:kvm-forum-2018.2"] == second
    one, two = read(show, root, first), read(show, root, second)
    assert {e["guid"] for e in one["episodes"]} == {"yt-AbCdEfGh018-00010", "yt-AbCdEfGh018-00030"}
    assert [e["guid"] for e in two["episodes"]] == ["yt-AbCdEfGh018-00055"]
    assert show.url(second) in one["description"] and show.url(first) in two["description"]
    assert two["title"].endswith("(part 2)")


def test_untrimmed_feed_keeps_its_description(tmp_path):
    show = make_show(tmp_path)
    root = out_dir(tmp_path, show)
    write_feeds(show, make_episodes(tmp_path, show), root)
    assert read(show, root, "feed.xml")["description"] == show.description


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ("recent = 0", "[feeds] recent must be from 1 to 5000, not 0"),
        ('recent_clips = "all"', "recent_clips must be a whole number, not 'all'"),
        ("recent = true", "recent must be a whole number, not True"),
    ],
)
def test_a_bad_feeds_setting_is_refused_at_its_line(tmp_path, setting, says):
    toml = make_show_file(tmp_path, [SHORT_SEED])
    text = toml.read_text() + f"[feeds]\nrecent = 50\n{setting}\n".replace(
        "recent = 50\nrecent =", "recent ="
    )
    toml.write_text(text)
    with pytest.raises(ShowError) as e:
        load_show(toml)
    line = len(text.splitlines())
    assert str(e.value) == f"{toml}:{line}: {says}"


def test_feeds_settings_are_read(tmp_path):
    toml = make_show_file(tmp_path, [SHORT_SEED])
    toml.write_text(toml.read_text() + "[feeds]\nrecent = 20\nrecent_clips = 60\n")
    assert load_show(toml).recent == FeedLimits(talks=20, clips=60)
    assert load_show(make_show_file(tmp_path / "b", [SHORT_SEED])).recent == FeedLimits(100, 250)


def test_feed_size_benchmark_prints_each_feed(tmp_path):
    """benchmarks/feeds.py at a small size: every feed listed, under the budget."""
    run = subprocess.run(
        [sys.executable, "benchmarks/feeds.py", "--talks", "30", "--tracks", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = run.stdout.splitlines()
    assert any(ln.split()[0] == "feed.xml" for ln in lines if ln.strip())
    assert any(ln.startswith("tracks/") for ln in lines)
    assert "over budget" not in run.stdout


def test_a_backfilled_talk_moves_no_published_episode_to_another_page(tmp_path):
    """The 2018 talk published after the 2019 one, in the same track: the pages already
    published keep their clips, and the older talk's clips fill the last page onward."""
    show = dataclasses.replace(make_show(tmp_path), recent=FeedLimits(talks=1, clips=2))
    episodes = make_episodes(tmp_path, show)
    for e in episodes:
        e.talk.playlist = "KVM Forum"  # one track
    root = out_dir(tmp_path, show)
    later = [e for e in episodes if e.talk.year == 2019]
    write_feeds(show, later, root, lineup(show, later, root))
    track = ["tracks/kvm-forum.xml", "tracks/kvm-forum.2.xml", "tracks/kvm-forum.3.xml"]
    before = {p: {e["guid"] for e in read(show, root, p)["episodes"]} for p in track[:2]}
    first = (root / track[0]).read_bytes()
    assert before == {
        track[0]: {"yt-ZyXwVuTs019-00010", "yt-ZyXwVuTs019-00032"},
        track[1]: {"yt-ZyXwVuTs019-00056"},
    }
    feeds = lineup(show, episodes, root)
    write_feeds(show, episodes, root, feeds)
    after = {p: {e["guid"] for e in read(show, root, p)["episodes"]} for p in track}
    assert after == {
        track[0]: before[track[0]],
        track[1]: before[track[1]] | {"yt-AbCdEfGh018-00010"},
        track[2]: {"yt-AbCdEfGh018-00030", "yt-AbCdEfGh018-00055"},
    }
    assert read(show, root, track[2])["title"].endswith("(part 3)")
    # a new last part names its neighbour only: the first part's bytes stay as published
    assert (root / track[0]).read_bytes() == first


def test_a_renamed_track_keeps_its_feed_for_its_subscribers(tmp_path):
    show = make_show(tmp_path)
    episodes = make_episodes(tmp_path, show)
    root = out_dir(tmp_path, show)
    write_feeds(show, episodes, root, lineup(show, episodes, root))
    old = "tracks/kvm-forum-2018.xml"
    published = {e["guid"] for e in read(show, root, old)["episodes"]}
    for e in episodes:
        if e.talk.year == 2018:
            e.talk.playlist = "KVM Forum 2018, Edinburgh"
    feeds = lineup(show, episodes, root)
    write_feeds(show, episodes, root, feeds)
    assert {e["guid"] for e in read(show, root, old)["episodes"]} == published
    assert "now part of others" in read(show, root, old)["description"]
    assert validate_feed(root / old) == []
    renamed = "tracks/kvm-forum-2018-edinburgh.xml"
    assert {e["guid"] for e in read(show, root, renamed)["episodes"]} == published
    listed = (root / "feeds-all.opml").read_text()
    assert show.url(renamed) in listed and show.url(old) not in listed  # not offered anew
