"""The site's view of the published episodes: talks by year and track, clips by topic.

Every URL here is relative to the site root (public/<show>/); templates
prefix it with the page's way back to the root, so the site works from any
base path and from disk.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..feed import Retired
from ..feed.catalog import topics as topic_names
from ..feed.catalog import track_of
from ..model import Chapter, Episode, Line, Role, Talk, full_guid, slugify, talk_page
from ..show import Show

PARAGRAPH_SECONDS = 40.0  # a transcript paragraph breaks at a new speaker or after this long


@dataclass(frozen=True)
class Download:
    """Another format of an episode, offered beside its MP3."""

    label: str  # "M4A"
    href: str  # site-relative URL
    name: str  # the file name it is saved as


@dataclass
class Clip:
    episode: Episode
    talk: TalkPage
    audio: str
    anchor: str  # the clip's card on its talk page
    download_name: str
    files: dict[str, str]  # label -> URL (VTT, SRT, JSON transcripts)
    downloads: list[Download] = field(default_factory=list)  # other formats than the MP3
    topic: str = ""  # its topic's display name (feed.catalog.topics), "" for none

    @property
    def is_question(self) -> bool:
        seg = self.episode.segment
        return seg is None or seg.kind == "question"

    @property
    def guid(self) -> str:
        return self.episode.guid

    @property
    def full_start(self) -> int | None:
        """Where it starts in the full episode (its Place), if known."""
        return self.episode.place.start if self.episode.place else None

    @property
    def label(self) -> str:
        """Its Place's label, with the talk's question count: "Question 3 of 11"."""
        place = self.episode.place
        if place is None:
            return ""
        return f"{place.label} of {len(self.talk.questions)}" if place.question else place.label

    @property
    def topic_slug(self) -> str:
        return self.episode.topic_slug


@dataclass
class Person:
    name: str
    role: Role
    title: str = ""
    organisation: str = ""
    bio: str = ""


@dataclass
class Paragraph:
    start: float
    speaker: str | None
    text: str
    chapter: Chapter | None = None  # the chapter this paragraph opens, if it opens one


@dataclass
class TalkPage:
    talk: Talk
    full: Episode | None
    page: str
    image: str = ""
    clips: list[Clip] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    audio: str = ""
    download_name: str = ""
    files: dict[str, str] = field(default_factory=dict)
    downloads: list[Download] = field(default_factory=list)  # other formats than the MP3
    track: str = ""  # its track's name (feed.catalog.track_of: the playlist)

    @property
    def track_slug(self) -> str:
        """Its track page's and track feed's name: tracks/<slug>.html, tracks/<slug>.xml."""
        return slugify(self.track)

    @property
    def year_page(self) -> str:
        return f"years/{self.talk.year}.html"

    @property
    def track_page(self) -> str:
        return f"tracks/{self.track_slug}.html"

    @property
    def video_id(self) -> str:
        return self.talk.video_id

    @property
    def guid(self) -> str:
        return self.full.guid if self.full else full_guid(self.talk.video_id)

    @property
    def standin(self) -> bool:
        return any(e.standin for e in [self.full, *(c.episode for c in self.clips)] if e)

    @property
    def duration(self) -> float:
        return self.full.duration if self.full else sum(c.episode.duration for c in self.clips)

    @property
    def chapters(self) -> list[Chapter]:
        return self.full.chapters if self.full else []

    @property
    def questions(self) -> list[Clip]:
        return [c for c in self.clips if c.is_question]


@dataclass
class Topic:
    name: str
    slug: str
    clips: list[Clip]
    retired: bool = False  # no clip has this topic now: its page and feed stay, unlisted

    @property
    def page(self) -> str:
        return f"topics/{self.slug}.html"

    @property
    def years(self) -> list[int]:
        return sorted({c.talk.talk.year for c in self.clips})

    def parts(self, size: int) -> list[tuple[str, list[Clip]]]:
        """Its pages of at most `size` clips, newest first: topics/<slug>.html, then
        topics/<slug>.2.html, ... (as its feed's pages are named)."""
        clips = self.clips  # newest talk first (make_catalog)
        chunks = [clips[i : i + size] for i in range(0, len(clips), size)] or [[]]
        return [
            (self.page if n == 1 else f"topics/{self.slug}.{n}.html", chunk)
            for n, chunk in enumerate(chunks, 1)
        ]


@dataclass
class Track:
    """A conference track (playlist): its talks, newest first, on tracks/<slug>.html."""

    name: str
    slug: str
    talks: list[TalkPage]

    @property
    def page(self) -> str:
        return f"tracks/{self.slug}.html"

    @property
    def years(self) -> list[int]:
        return sorted({t.talk.year for t in self.talks})


@dataclass
class Catalog:
    talks: list[TalkPage]  # newest first
    topics: list[Topic]  # by name
    retired: list[Topic] = field(default_factory=list)  # see Topic.retired

    @property
    def tracks(self) -> list[Track]:
        """Every track, by name, with its talks newest first."""
        by_slug: dict[str, Track] = {}
        for t in self.talks:
            by_slug.setdefault(t.track_slug, Track(t.track, t.track_slug, [])).talks.append(t)
        return sorted(by_slug.values(), key=lambda tr: tr.name.lower())

    def tracks_of(self, year: int) -> list[tuple[Track, list[TalkPage]]]:
        """The tracks that have talks in `year`, each with those talks."""
        return [
            (tr, talks)
            for tr in self.tracks
            if (talks := [t for t in tr.talks if t.talk.year == year])
        ]

    @property
    def years(self) -> list[tuple[int, list[TalkPage]]]:
        by_year: dict[int, list[TalkPage]] = defaultdict(list)
        for t in self.talks:
            by_year[t.talk.year].append(t)
        return sorted(by_year.items(), reverse=True)

    @property
    def clips(self) -> list[Clip]:
        return [c for t in self.talks for c in t.clips]

    @property
    def questions(self) -> list[Clip]:
        return [c for t in self.talks for c in t.questions]


def make_catalog(show: Show, episodes: list[Episode], retired: Retired | None = None) -> Catalog:
    """Group the episodes into talk pages and topics; `retired` topics (feed.Retired)
    get the clips their feed still has."""
    talks: dict[str, TalkPage] = {}
    for ep in episodes:
        vid = ep.talk.video_id
        page = talks.get(vid) or TalkPage(ep.talk, None, talk_page(vid), track=track_of(show, ep))
        talks[vid] = page
        if ep.cover and not page.image:
            page.image = ep.cover
        if ep.kind == "full":
            page.full = ep
            page.audio = ep.path.as_posix()
            page.download_name = ep.path.name
            page.files = _files(ep)
            page.downloads = _downloads(ep)
        else:
            page.clips.append(
                Clip(
                    episode=ep,
                    talk=page,
                    audio=ep.path.as_posix(),
                    anchor=ep.page,
                    download_name=ep.path.name,
                    files=_files(ep),
                    downloads=_downloads(ep),
                )
            )
    for page in talks.values():
        page.clips.sort(
            key=lambda c: (c.episode.track, c.episode.segment.start if c.episode.segment else 0)
        )
        page.people = _people(page)
        page.paragraphs = paragraphs(page.full.transcript if page.full else [], page.chapters)
    ordered = sorted(talks.values(), key=lambda t: (t.talk.date, t.talk.title), reverse=True)
    by_topic: dict[str, list[Clip]] = defaultdict(list)
    names = topic_names(episodes)  # the feeds' names too
    for page in ordered:
        for clip in page.clips:
            if clip.topic_slug:
                by_topic[clip.topic_slug].append(clip)
                clip.topic = names[clip.topic_slug]
    topics = [Topic(names[s], s, clips) for s, clips in by_topic.items()]
    topics.sort(key=lambda t: t.name.lower())
    clips = {c.episode.guid: c for page in ordered for c in page.clips}
    old = [
        Topic(_topic_name(show, title), slug, [clips[g] for g in clips if g in guids], True)
        for slug, (title, guids) in sorted((retired or {}).items())
    ]
    return Catalog(ordered, topics, old)


def _topic_name(show: Show, feed_title: str) -> str:
    """A topic's name from its feed's title ("<show>: <topic>")."""
    return feed_title.removeprefix(f"{show.title}: ")


def paragraphs(lines: list[Line], chapters: list[Chapter] = ()) -> list[Paragraph]:
    """Readable transcript paragraphs: one per speaker turn, split when long or at a chapter."""
    out: list[Paragraph] = []
    pending = sorted(chapters, key=lambda c: c.start)
    for ln in lines:
        opened = None
        while pending and pending[0].start <= ln.start + 0.001:
            opened = pending.pop(0)
        last = out[-1] if out else None
        if (
            last
            and not opened
            and ln.speaker == last.speaker
            and ln.start - last.start < PARAGRAPH_SECONDS
        ):
            last.text = f"{last.text} {ln.text}"
        else:
            out.append(Paragraph(ln.start, ln.speaker, ln.text, opened))
    return out


_TRANSCRIPTS = {"vtt": "WebVTT", "srt": "SRT", "json": "JSON"}  # Episode.links key -> label


def _files(ep: Episode) -> dict[str, str]:
    """The episode's transcripts by label, as paths in the show folder."""
    return {label: ep.links[k] for k, label in _TRANSCRIPTS.items() if ep.links.get(k)}


def _downloads(ep: Episode) -> list[Download]:
    """The episode's alternate encodings, saved under the MP3's name with their suffix."""
    return [
        Download(fmt.upper(), ep.alternate_path(fmt).as_posix(), ep.alternate_path(fmt).name)
        for fmt in ep.alternates
    ]


def _people(page: TalkPage) -> list[Person]:
    """The talk's people, each with their role in the talk (Talk.role), in Role order."""
    talk = page.talk
    people = [
        Person(s.name, talk.role(s.name), s.title, s.organisation, s.bio) for s in talk.people
    ]
    return sorted(people, key=lambda p: list(Role).index(p.role))
