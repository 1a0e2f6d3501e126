"""feedgen extensions for what its podcast extension lacks or gets wrong.

- "apple": channel `itunes:explicit` as true/false (feedgen only writes yes/no/clean).
- "podcastindex": Podcasting 2.0 tags (https://podcastindex.org/namespace/1.0).

Register both with `register(fg)` before adding entries; set values through
`fg.apple`, `fg.podcastindex` and `entry.podcastindex`.
"""

from __future__ import annotations

from dataclasses import dataclass

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"


def _tag(name: str) -> str:
    return f"{{{PODCAST_NS}}}{name}"


def number(value: float) -> str:
    """Seconds as the shortest exact-enough decimal: 12, 12.5, 12.345."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


class AppleExtension(BaseExtension):
    """Channel-level `itunes:explicit` with Apple's true/false values."""

    def __init__(self):
        self.explicit: bool | None = None

    def extend_ns(self):
        return {"itunes": ITUNES_NS}

    def extend_rss(self, rss_feed):
        if self.explicit is not None:
            elem = xml_elem(f"{{{ITUNES_NS}}}explicit", rss_feed[0])
            elem.text = "true" if self.explicit else "false"
        return rss_feed


class PodcastIndexExtension(BaseExtension):
    """Channel tags: podcast:guid, podcast:locked, podcast:medium."""

    def __init__(self):
        self.guid = ""
        self.locked_owner = ""
        self.locked = False
        self.medium = ""

    def extend_ns(self):
        return {"podcast": PODCAST_NS}

    def extend_rss(self, rss_feed):
        channel = rss_feed[0]
        if self.locked_owner:
            locked = xml_elem(_tag("locked"), channel, owner=self.locked_owner)
            locked.text = "yes" if self.locked else "no"
        if self.guid:
            xml_elem(_tag("guid"), channel).text = self.guid
        if self.medium:
            xml_elem(_tag("medium"), channel).text = self.medium
        return rss_feed


@dataclass(frozen=True)
class Person:
    name: str
    role: str  # host, guest, ...
    group: str = "cast"


@dataclass(frozen=True)
class Transcript:
    url: str
    type: str
    language: str = ""
    rel: str = ""


@dataclass(frozen=True)
class Soundbite:
    start: float
    duration: float
    title: str = ""


@dataclass(frozen=True)
class AlternateEnclosure:
    """Another encoding of the item's enclosure, at one source URI."""

    type: str  # MIME type
    length: int  # bytes
    uri: str
    bitrate: int = 0  # bits per second; 0 leaves it out
    title: str = ""  # short, for a picker in the app
    codecs: str = ""  # RFC 6381, e.g. mp4a.40.2


class PodcastIndexEntryExtension(BaseEntryExtension):
    """Item tags: season, episode, person, transcript, chapters, soundbite, alternateEnclosure."""

    def __init__(self):
        self.season: int | None = None
        self.season_name = ""
        self.episode: int | None = None
        self.persons: list[Person] = []
        self.transcripts: list[Transcript] = []
        self.chapters_url = ""
        self.soundbites: list[Soundbite] = []
        self.alternates: list[AlternateEnclosure] = []

    def extend_ns(self):
        return {"podcast": PODCAST_NS}

    def extend_rss(self, item):
        if self.season is not None:
            season = xml_elem(_tag("season"), item)
            season.text = str(self.season)
            if self.season_name:
                season.attrib["name"] = self.season_name
        if self.episode is not None:
            xml_elem(_tag("episode"), item).text = str(self.episode)
        for p in self.persons:
            xml_elem(_tag("person"), item, role=p.role, group=p.group).text = p.name
        for t in self.transcripts:
            attrs = {"url": t.url, "type": t.type}
            attrs.update({k: v for k, v in (("language", t.language), ("rel", t.rel)) if v})
            xml_elem(_tag("transcript"), item, **attrs)
        if self.chapters_url:
            xml_elem(
                _tag("chapters"), item, url=self.chapters_url, type="application/json+chapters"
            )
        for s in self.soundbites:
            bite = xml_elem(
                _tag("soundbite"), item, startTime=number(s.start), duration=number(s.duration)
            )
            bite.text = s.title
        for a in self.alternates:
            attrs = {"type": a.type, "length": str(a.length)}
            extra = {"bitrate": str(a.bitrate or ""), "title": a.title, "codecs": a.codecs}
            attrs.update({k: v for k, v in extra.items() if v})
            alternate = xml_elem(_tag("alternateEnclosure"), item, **attrs)
            xml_elem(_tag("source"), alternate, uri=a.uri)
        return item


def register(fg) -> None:
    """Add both extensions (and feedgen's iTunes one) to a FeedGenerator."""
    fg.load_extension("podcast")
    fg.register_extension("apple", AppleExtension, None)
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension)
