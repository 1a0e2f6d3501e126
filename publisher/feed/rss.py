"""Render one FeedSpec as RSS 2.0 with Apple and Podcasting 2.0 tags (feedgen)."""

from __future__ import annotations

import math
import uuid

from feedgen.feed import FeedGenerator

from ..errors import ShowError
from ..model import Episode
from ..show import Show, bits_per_second, is_uuid5, podcast_guid
from .catalog import FeedSpec, Item
from .categories import category_problem
from .ext import AlternateEnclosure, Person, Soundbite, Transcript, register

# Podcasting 2.0: podcast:guid is UUIDv5 of the feed URL (no scheme, no trailing slashes).

ENCLOSURE_TYPE = "audio/mpeg"  # the enclosure is always the MP3 (AUDIO_FORMATS)
TRANSCRIPTS = (  # Episode.links key -> (type, rel)
    ("vtt", "text/vtt", "captions"),
    ("srt", "application/x-subrip", ""),
    ("json", "application/json", ""),
)
ALTERNATES = {"m4a": ("audio/mp4", "AAC", "mp4a.40.2")}  # format -> type, title, RFC 6381 codec
SOUNDBITE_MIN, SOUNDBITE_MAX = 15.0, 60.0


def channel_guid(show: Show, spec: FeedSpec) -> str:
    """The feed's podcast:guid as pinned in the show file (pin_guids); one not pinned
    yet (a feed rendered outside a build) derives from its URL."""
    pinned = show.guid_of(spec.relpath)
    if not pinned:
        return podcast_guid(show.url(spec.relpath))
    if not is_uuid5(pinned):
        raise ShowError(f"guid {pinned!r} is not a UUIDv5", show.path)
    return str(uuid.UUID(pinned))


def render_feed(
    show: Show,
    spec: FeedSpec,
    episodes: list[Episode],
    questions: dict[str, list[Episode]] | None = None,
) -> bytes:
    """The feed's XML bytes; the same input gives the same bytes (no clock).

    `episodes` is everything the show publishes: an empty feed takes its
    lastBuildDate from the newest of them, and full talks find their questions
    among their clips (`questions`, from `questions_of(episodes)` if not given).
    """
    problem = category_problem(show.category, show.subcategory)
    if problem:
        raise ShowError(f"category {problem}", show.path)
    fg = FeedGenerator()
    register(fg)
    fg.title(spec.title)
    fg.link(href=show.url(spec.relpath), rel="self", type="application/rss+xml")
    fg.link(href=spec.link, rel="alternate")  # feedgen takes <link> from the last one
    fg.description(spec.description)
    fg.language(show.language)
    fg.copyright(show.copyright or f"© {show.author}")
    fg.generator("publisher")
    dates = [i.episode.pub_date for i in spec.items] or [e.pub_date for e in episodes]
    fg.lastBuildDate(max(dates))
    fg.podcast.itunes_author(show.author)
    fg.podcast.itunes_owner(name=show.owner_name, email=show.owner_email)
    fg.podcast.itunes_image(show.url("artwork.jpg"))
    category = {"cat": show.category} | ({"sub": show.subcategory} if show.subcategory else {})
    fg.podcast.itunes_category(category)
    fg.podcast.itunes_type("serial" if spec.serial else "episodic")
    fg.apple.explicit = show.explicit
    fg.podcastindex.guid = channel_guid(show, spec)
    fg.podcastindex.locked_owner = show.owner_email
    fg.podcastindex.medium = "podcast"
    if questions is None:
        questions = questions_of(episodes)
    for item in spec.items:
        _add_item(fg, show, item, questions)
    return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)


def questions_of(episodes: list[Episode]) -> dict[str, list[Episode]]:
    """Each talk's question clips, by video id."""
    out: dict[str, list[Episode]] = {}
    for e in episodes:
        if e.place and e.place.question:
            out.setdefault(e.talk.video_id, []).append(e)
    return out


def _add_item(
    fg: FeedGenerator, show: Show, item: Item, questions: dict[str, list[Episode]]
) -> None:
    e = item.episode
    fe = fg.add_entry(order="append")
    fe.title(e.title)
    fe.link(href=show.url(e.page))  # the talk page; a clip's own card on it
    fe.guid(e.guid, permalink=False)
    fe.content(e.notes_html, type="CDATA")  # alone, feedgen puts it in <description>
    fe.enclosure(show.url(e.path.as_posix()), str(e.size), ENCLOSURE_TYPE)
    fe.pubDate(e.pub_date)
    fe.podcast.itunes_duration(str(round(e.duration)))
    fe.podcast.itunes_episode_type("full")
    fe.podcast.itunes_season(item.season)
    if item.number:  # a full talk in feed.xml only (feed/catalog says why)
        fe.podcast.itunes_episode(item.number)
    if e.cover.endswith((".jpg", ".png")):
        fe.podcast.itunes_image(show.url(e.cover))
    ext = fe.podcastindex
    ext.season, ext.season_name = item.season, e.talk.playlist
    ext.episode = item.number or None
    ext.persons = persons(e)
    ext.transcripts = [
        Transcript(show.url(e.links[key]), mime, show.language, rel)
        for key, mime, rel in TRANSCRIPTS
        if e.links.get(key)
    ]
    ext.chapters_url = show.url(e.links["chapters"]) if "chapters" in e.links else ""
    if e.kind == "full":
        ext.soundbites = soundbites(e, questions.get(e.talk.video_id, []))
    bitrate = bits_per_second(show.audio.bitrate)
    ext.alternates = [
        AlternateEnclosure(
            mime, alt.size, show.url(e.alternate_path(fmt).as_posix()), bitrate, title, codecs
        )
        for fmt, alt in e.alternates.items()
        for mime, title, codecs in [ALTERNATES[fmt]]
    ]


def persons(e: Episode) -> list[Person]:
    """The people the notes credit (Episode.credits), with their podcast:person role,
    the name alone (apps show it as the name: the organisation is in the notes)."""
    out: dict[str, Person] = {}
    for c in e.credits.people:  # a person credited twice: the first role
        out.setdefault(c.name, Person(c.name, c.role.person))
    return list(out.values())


def soundbites(full: Episode, questions: list[Episode]) -> list[Soundbite]:
    """One per question clip of the full talk: 15-60 s from where the question starts
    (its Place, as the notes and site show it)."""
    bites = []
    placed = [(q.place, q.title) for q in questions if q.place]
    for p, title in sorted(placed, key=lambda pt: pt[0].start):
        room = math.floor(full.duration) - p.start
        length = min(max(p.end - p.start, SOUNDBITE_MIN), SOUNDBITE_MAX, room)
        if length >= SOUNDBITE_MIN:
            bites.append(Soundbite(p.start, length, title))
    return bites
