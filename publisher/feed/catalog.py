"""Which feeds a show has, what each holds, and in what order.

- feed.xml: every full talk; episodic, newest first.
- clips.xml, topics/<slug>.xml, years/<year>.xml: serial, so apps play the
  questions in the order they were asked: ordered by (season, episode number).

itunes:season is the forum year.  itunes:episode is given only in feed.xml,
where each item is a whole talk: it counts the talks of a season in publishing
order (the lead's Episode.number when set and unique, else the feed's own
count).  A clip's number is its question number within its talk (Place), which
repeats across the talks of a multi-talk feed: Apple Podcasts and others sort a
serial season by itunes:episode, so repeated or feed-specific numbers would
misorder it or contradict the notes ("Question 1" shown as episode 3).  Without
itunes:episode, apps order a serial feed by pubDate, which keeps talk and question
order (a clip is published at noon + its start), and the one number a listener
sees is the clip's label, in its notes and on the site.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..errors import PublisherError
from ..model import Episode
from ..show import Show

HOME = {"full": "feed.xml", "clip": "clips.xml"}  # the feed each kind of episode is in


@dataclass(frozen=True)
class Item:
    episode: Episode
    season: int
    number: int


@dataclass(frozen=True)
class FeedSpec:
    name: str  # "feed", "clips", "topic:<slug>", "year:<year>"
    relpath: str  # under public/<show>/
    title: str
    description: str
    link: str  # the web page the feed belongs to
    serial: bool
    items: list[Item]
    retired: bool = False  # a topic no clip has any more: kept for its subscribers, not listed


def season_of(episode: Episode) -> int:
    return episode.season or episode.talk.year


def _published(e: Episode) -> tuple:
    """Chronological key: publishing time, then talk, full before its clips, question order."""
    return (e.pub_date, e.talk.date, e.talk.video_id, e.kind != "full", e.track, e.guid)


def _items(episodes: list[Episode], serial: bool, numbered: bool = False) -> list[Item]:
    """The feed's items; numbered feeds give each an itunes:episode, others 0 (none)."""
    episodes = sorted(episodes, key=_published)
    keys = [(season_of(e), e.number if numbered else 0) for e in episodes]
    if not numbered or (all(n > 0 for _, n in keys) and len(set(keys)) == len(keys)):
        items = [Item(e, s, n) for e, (s, n) in zip(episodes, keys, strict=True)]
    else:
        counts: dict[int, int] = {}
        items = []
        for e in episodes:
            s = season_of(e)
            counts[s] = counts.get(s, 0) + 1
            items.append(Item(e, s, counts[s]))
    if serial:
        return sorted(items, key=lambda i: (i.season, i.number))
    return items[::-1]  # newest first


def topics(episodes: list[Episode]) -> dict[str, str]:
    """Topic slug -> topic name (as first published), for every clip, sorted by slug."""
    names: dict[str, str] = {}
    for e in sorted(episodes, key=_published):
        if e.topic_slug:
            names.setdefault(e.topic_slug, e.topic)
    return dict(sorted(names.items()))


def feed_specs(show: Show, episodes: list[Episode]) -> list[FeedSpec]:
    """Every feed of the show, in a stable order: feed, clips, topics, years."""
    guids = Counter(e.guid for e in episodes)
    for e in episodes:
        if guids[e.guid] > 1:
            raise PublisherError(f"two episodes share the guid {e.guid!r}", e.talk.source)
    full = [e for e in episodes if e.kind == "full"]
    clips = [e for e in episodes if e.kind == "clip"]
    specs = [
        FeedSpec(
            "feed",
            HOME["full"],
            show.title,
            show.description,
            show.link or show.base_url,
            False,
            _items(full, serial=False, numbered=True),
        ),
        FeedSpec(
            "clips",
            HOME["clip"],
            f"{show.title}: every question",
            f"Every question from {show.title}, one short episode each, in the order "
            f"asked. {show.description}",
            show.link or show.base_url,
            True,
            _items(clips, serial=True),
        ),
    ]
    by_topic: dict[str, list[Episode]] = {}
    for e in clips:
        by_topic.setdefault(e.topic_slug, []).append(e)
    for slug, topic in topics(episodes).items():
        on_topic = by_topic[slug]
        specs.append(
            FeedSpec(
                f"topic:{slug}",
                f"topics/{slug}.xml",
                f"{show.title}: {topic}",
                f"Every question about {topic} from {show.title}, across all years.",
                show.url(f"topics/{slug}.html"),
                True,
                _items(on_topic, serial=True),
            )
        )
    for year in sorted({season_of(e) for e in episodes}):
        of_year = [e for e in episodes if season_of(e) == year]
        playlists = sorted({e.talk.playlist for e in of_year if e.talk.playlist})
        title = playlists[0] if len(playlists) == 1 else f"{show.title} {year}"
        specs.append(
            FeedSpec(
                f"year:{year}",
                f"years/{year}.xml",
                title,
                f"{title}: every talk in full, each followed by its questions.",
                show.link or show.base_url,
                True,
                _items(of_year, serial=True),
            )
        )
    return specs


def retired_specs(
    show: Show, episodes: list[Episode], retired: dict[str, tuple[str, set[str]]]
) -> list[FeedSpec]:
    """Feeds of topics no clip has now: `retired` maps each slug to its published feed's
    title and GUIDs. Each stays at its URL, serving those of its clips that still exist."""
    clips = [e for e in episodes if e.kind == "clip"]
    out = []
    for slug, (title, guids) in sorted(retired.items()):
        kept = [e for e in clips if e.guid in guids]
        about = f"{title}: this topic is now part of others; the feed keeps its questions."
        relpath, link = f"topics/{slug}.xml", show.url(f"topics/{slug}.html")
        out.append(
            FeedSpec(f"topic:{slug}", relpath, title, about, link, True, _items(kept, True), True)
        )
    return out
