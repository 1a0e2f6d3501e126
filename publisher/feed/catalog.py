"""Which feeds a show has, what each holds, and in what order.

- feed.xml: the newest full talks; episodic, newest first.
- clips.xml, topics/<slug>.xml: the newest question clips (all of them, or on one
  topic); serial, so apps play the questions in the order they were asked.
- years/<year>.xml: the archive of full talks, one year each; serial.
- tracks/<slug>.xml: the archive of clips, one track (Talk.playlist) each; serial.

Serial feeds are ordered by (season, episode number).  itunes:season is the forum
year.  itunes:episode is given only in feed.xml, where each item is a whole talk:
it counts the talks of a season in publishing order (the lead's Episode.number
when set and unique, else the feed's own count).  A clip's number is its question
number within its talk (Place), which repeats across the talks of a multi-talk
feed: Apple Podcasts and others sort a serial season by itunes:episode, so
repeated or feed-specific numbers would misorder it or contradict the notes
("Question 1" shown as episode 3).  Without itunes:episode, apps order a serial
feed by pubDate, which keeps talk and question order (a clip is published at
noon + its start), and the one number a listener sees is the clip's label.

Size budget (issue 16: every feed under 1 MB at 1,000 talks and 8,000 clips;
apps poll hourly and some time out on big feeds). No feed holds more than
[feeds] recent talks (100) or recent_clips clips (250): items are 2.5-4 KB, so
each feed stays under 1 MB.
- feed.xml, clips.xml and topic feeds carry the newest of them, and their
  description says where the rest are.  Apple Podcasts shows a new subscriber
  the feed's episodes; AntennaPod and gPodder keep every item they once saw, so
  trimming takes no episode from a subscriber.
- The archive holds every episode exactly once: years/<year>.xml the full talks
  only (a full talk already has its questions' audio, as chapters and
  soundbites: a year feed holding both played each question twice), and
  tracks/<slug>.xml every clip of one track.  A year or track with more is paged
  oldest first (_pages: <stem>.xml, <stem>.2.xml, ...; new episodes fill the
  last page, so published ones keep their page).
An item leaving feed.xml, clips.xml or a topic feed is not deleted: it stays in
its year or track feed, with the same GUID and enclosure.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..errors import PublisherError
from ..model import Episode, slugify
from ..show import Show

HOME = {"full": "feed.xml", "clip": "clips.xml"}  # the feed each kind of episode is in
OPML = "feeds.opml"  # feeds that share no episode: feed.xml and clips.xml
OPML_ALL = "feeds-all.opml"  # every feed: years, tracks and topics too
ARCHIVE = ("years", "tracks")  # the folders of the archive feeds, paged (_pages)


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


def feed_specs(
    show: Show, episodes: list[Episode], pages: dict[str, set[str]] | None = None
) -> list[FeedSpec]:
    """Every feed of the show, in a stable order: feed, clips, topics, years, tracks.
    `pages`: the GUIDs each published archive page carries, by its path (they stay)."""
    pages = pages or {}
    guids = Counter(e.guid for e in episodes)
    for e in episodes:
        if guids[e.guid] > 1:
            raise PublisherError(f"two episodes share the guid {e.guid!r}", e.talk.source)
    full = [e for e in episodes if e.kind == "full"]
    clips = [e for e in episodes if e.kind == "clip"]
    link = show.link or show.base_url
    recent_talks = _newest(_items(full, serial=False, numbered=True), show.recent.talks)
    recent_clips = _newest(_items(clips, serial=True), show.recent.clips)
    every = f"Every question from {show.title}, one short episode each, in the order asked."
    specs = [
        FeedSpec(
            "feed",
            HOME["full"],
            show.title,
            show.description + _rest(show, len(recent_talks), len(full), "talks", "year"),
            link,
            False,
            recent_talks,
        ),
        FeedSpec(
            "clips",
            HOME["clip"],
            f"{show.title}: every question",
            f"{every} {show.description}"
            + _rest(show, len(recent_clips), len(clips), "questions", "track"),
            link,
            True,
            recent_clips,
        ),
    ]
    by_topic: dict[str, list[Episode]] = {}
    for e in clips:
        by_topic.setdefault(e.topic_slug, []).append(e)
    for slug, topic in topics(episodes).items():
        on_topic = _newest(_items(by_topic[slug], serial=True), show.recent.clips)
        about = f"Every question about {topic} from {show.title}, across all years."
        about += _rest(show, len(on_topic), len(by_topic[slug]), "questions", "track")
        page = show.url(f"topics/{slug}.html")
        title = f"{show.title}: {topic}"
        specs.append(
            FeedSpec(f"topic:{slug}", f"topics/{slug}.xml", title, about, page, True, on_topic)
        )
    for year in sorted({season_of(e) for e in full}):
        of_year = [e for e in full if season_of(e) == year]
        playlists = sorted({e.talk.playlist for e in of_year if e.talk.playlist})
        title = playlists[0] if len(playlists) == 1 else f"{show.title} {year}"
        about = f"{title}: every talk in full; its questions, one episode each, are in "
        about += f"the track feeds listed in {show.url(OPML_ALL)}."
        items = _items(of_year, serial=True)
        at = (f"year:{year}", f"years/{year}")
        specs += _pages(show, at, title, about, items, pages)
    for slug, (name, of_track) in tracks(show, clips).items():
        about = f"Every question from {name}, one short episode each, in the order asked; "
        about += f"the talks in full are in the year feeds listed in {show.url(OPML_ALL)}."
        items = _items(of_track, serial=True)
        title = f"{name}: every question"
        at = (f"track:{slug}", f"tracks/{slug}")
        specs += _pages(show, at, title, about, items, pages)
    return specs


def _pages(
    show: Show,
    at: tuple[str, str],
    title: str,
    about: str,
    items: list[Item],
    published: dict[str, set[str]],
) -> list[FeedSpec]:
    """An archive feed (`at`: its name and path stem) in pages of at most [feeds] recent
    talks / recent_clips clips: stem.xml, stem.2.xml, ... An episode stays in the page
    it was `published` in; new ones fill the last page, then new pages, oldest first.
    Each page's description names the pages before and after it."""
    name, stem = at
    size = show.recent.talks if name.startswith("year:") else show.recent.clips
    order = sorted(items, key=lambda i: _published(i.episode))
    parts: list[list[Item]] = []
    taken: set[str] = set()
    while (rel := _page(stem, len(parts) + 1)) in published:
        parts.append([i for i in order if i.episode.guid in published[rel] - taken])
        taken |= published[rel]
    while parts and not parts[-1]:
        parts.pop()  # a last page whose every episode is gone
    rest = [i for i in order if i.episode.guid not in taken]
    if parts:
        room = max(size - len(parts[-1]), 0)
        parts[-1], rest = parts[-1] + rest[:room], rest[room:]
    parts += [rest[k : k + size] for k in range(0, len(rest), size)]
    parts = parts or [[]]
    where = [_page(stem, n) for n in range(1, len(parts) + 1)]
    out = []
    for n, (part, relpath) in enumerate(zip(parts, where, strict=True), 1):
        keep = {id(i) for i in part}
        text, label = about, title
        if len(parts) > 1:  # each part names only its neighbours (as RFC 5005's archives
            # link prev and next), so a new last part rewrites one other, not all of them
            label = f"{title} (part {n})"
            near = [
                f"part {k}: {show.url(where[k - 1])}" for k in (n - 1, n + 1) if 0 < k <= len(parts)
            ]
            text = f"{about} Part {n}, oldest first; {', '.join(near)}."
        page = [i for i in items if id(i) in keep]
        link = show.link or show.base_url
        out.append(
            FeedSpec(name + (f".{n}" if n > 1 else ""), relpath, label, text, link, True, page)
        )
    return out


def _page(stem: str, n: int) -> str:
    """Where page n of an archive feed is: stem.xml, then stem.2.xml, ... (a dot: no
    slug has one, so no track's page 2 is another track's feed)."""
    return f"{stem}.xml" if n == 1 else f"{stem}.{n}.xml"


def track_of(show: Show, e: Episode) -> str:
    """The track (conference playlist) an episode was recorded in, by name."""
    return e.talk.playlist or f"{show.title} {season_of(e)}"


def tracks(show: Show, clips: list[Episode]) -> dict[str, tuple[str, list[Episode]]]:
    """Track slug -> (track name as first published, its clips), sorted by slug."""
    out: dict[str, tuple[str, list[Episode]]] = {}
    for e in sorted(clips, key=_published):
        name = track_of(show, e)
        out.setdefault(slugify(name), (name, []))[1].append(e)
    return dict(sorted(out.items()))


def _newest(items: list[Item], count: int) -> list[Item]:
    """The `count` most recently published of `items`, in the feed's own order."""
    keep = {id(i) for i in sorted(items, key=lambda i: _published(i.episode))[-count:]}
    return [i for i in items if id(i) in keep]


def _rest(show: Show, shown: int, total: int, what: str, kind: str) -> str:
    """The sentence a trimmed feed's description ends with: where the rest is."""
    if shown == total:
        return ""
    return (
        f" This feed carries the newest {shown} of {total} {what}; all of them are in the "
        f"{kind} feeds ({show.url(kind + 's/')}), listed in {show.url(OPML_ALL)}."
    )


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


def retired_pages(
    show: Show, episodes: list[Episode], gone: dict[str, tuple[str, set[str]]]
) -> list[FeedSpec]:
    """Published archive pages the show no longer makes (a track renamed: its playlist
    changed in the seeds), by path -> (title, GUIDs). Each stays at its URL for its
    subscribers with those of its episodes that still exist, unlisted like a retired
    topic; one whose every episode is gone is dropped (an empty feed is invalid)."""
    out = []
    for relpath, (title, guids) in sorted(gone.items()):
        kept = [e for e in episodes if e.guid in guids]
        if kept:
            about = f"{title}: this feed is now part of others; it keeps its episodes."
            link = show.link or show.base_url
            name = f"retired:{relpath}"
            out.append(FeedSpec(name, relpath, title, about, link, True, _items(kept, True), True))
    return out
