"""The site's view of the published episodes: talks by year, clips by topic, the search index.

Every URL here is relative to the site root (public/<show>/); templates
prefix it with the page's way back to the root, so the site works from any
base path and from disk.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..feed import Retired
from ..feed.catalog import topics as topic_names
from ..model import Chapter, Episode, Line, Talk, slugify, talk_page
from ..show import Show

ROLE_ORDER = ("moderator", "presenter", "panelist", "panel", "audience")
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
    role: str
    title: str = ""
    organisation: str = ""
    bio: str = ""


@dataclass
class Paragraph:
    start: float
    speaker: str | None
    text: str
    chapter: str = ""  # the title of the chapter this paragraph opens, if it opens one


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

    @property
    def video_id(self) -> str:
        return self.talk.video_id

    @property
    def guid(self) -> str:
        return self.full.guid if self.full else f"yt-{self.talk.video_id}"

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


@dataclass
class Catalog:
    talks: list[TalkPage]  # newest first
    topics: list[Topic]  # by name
    retired: list[Topic] = field(default_factory=list)  # see Topic.retired

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


def make_catalog(
    show: Show, episodes: list[Episode], out_dir: Path, retired: Retired | None = None
) -> Catalog:
    """Group the episodes into talk pages and topics; `retired` topics (feed.Retired)
    get the clips their feed still has."""
    link = _Linker(show, out_dir)
    talks: dict[str, TalkPage] = {}
    for ep in episodes:
        vid = ep.talk.video_id
        page = talks.get(vid) or TalkPage(ep.talk, None, talk_page(vid))
        talks[vid] = page
        if ep.image and not page.image:
            page.image = link.path(ep.image, ep.image_url)
        if ep.kind == "full":
            page.full = ep
            page.audio = link.path(ep.path, ep.url)
            page.download_name = _download_name(ep.talk, ep.talk.title)
            page.files = link.files(ep)
            page.downloads = link.downloads(ep, page.download_name)
        else:
            page.clips.append(
                Clip(
                    episode=ep,
                    talk=page,
                    audio=link.path(ep.path, ep.url),
                    anchor=ep.page,
                    download_name=_download_name(ep.talk, ep.title),
                    files=link.files(ep),
                    downloads=link.downloads(ep, _download_name(ep.talk, ep.title)),
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
        opened = ""
        while pending and pending[0].start <= ln.start + 0.001:
            opened = pending.pop(0).title
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


def search_index(catalog: Catalog) -> dict:
    """The JSON the search box loads: one item per talk and per clip."""
    items = []
    for t in catalog.talks:
        names = [p.name for p in t.people]
        orgs = [p.organisation for p in t.people if p.organisation]
        text = " ".join(ln.text for ln in (t.full.transcript if t.full else []))
        items.append(
            {
                "id": t.guid,
                "kind": "talk",
                "title": t.talk.title,
                "talk": t.talk.title,
                "year": t.talk.year,
                "topic": "",
                "speakers": names + orgs,
                "url": t.page,
                "text": f"{t.talk.playlist} {t.talk.description} {text}",
            }
        )
        for c in t.clips:
            ep = c.episode
            items.append(
                {
                    "id": ep.guid,
                    "kind": "clip",
                    "title": ep.title,
                    "talk": t.talk.title,
                    "year": t.talk.year,
                    "topic": c.topic,
                    "speakers": [s.name for s in ep.speakers]
                    + [s.organisation for s in ep.speakers if s.organisation],
                    "url": c.anchor,
                    "text": " ".join(
                        [ep.summary, *ep.keywords, *(ln.text for ln in ep.transcript)]
                    ),
                }
            )
    return {"version": 1, "items": items}


class _Linker:
    """Turns published files and absolute URLs into site-relative URLs."""

    def __init__(self, show: Show, out_dir: Path):
        self.base = show.base_url
        self.root = Path(os.path.abspath(out_dir))

    def path(self, path: Path, url: str = "") -> str:
        p = Path(os.path.abspath(path))
        if p.is_relative_to(self.root):
            return p.relative_to(self.root).as_posix()
        return self.url(url) if url else p.as_uri()

    def url(self, url: str) -> str:
        return url[len(self.base) :] if url.startswith(self.base) else url

    def files(self, ep: Episode) -> dict[str, str]:
        labels = {"vtt": "WebVTT", "srt": "SRT", "json": "JSON"}
        return {label: self.url(ep.links[k]) for k, label in labels.items() if ep.links.get(k)}

    def downloads(self, ep: Episode, mp3_name: str) -> list[Download]:
        """The episode's alternate encodings, saved under the MP3's name with their suffix."""
        return [
            Download(
                fmt.upper(), self.path(ep.alternate_path(fmt), alt.url), f"{mp3_name[:-4]}.{fmt}"
            )
            for fmt, alt in ep.alternates.items()
        ]


def _download_name(talk: Talk, title: str) -> str:
    return slugify(f"{talk.playlist or talk.year} {title}", limit=90) + ".mp3"


def _people(page: TalkPage) -> list[Person]:
    """The talk's people with their roles: the credits where given, else the seed's structure."""
    roles: dict[str, str] = {}
    for ep in [page.full, *(c.episode for c in page.clips)]:
        for credit in ep.speakers if ep else []:
            old = roles.get(credit.name)
            if old is None or _rank(credit.role) < _rank(old):
                roles[credit.name] = credit.role
    talk = page.talk
    people = [
        Person(
            s.name,
            roles.get(s.name) or talk.role(s.name),
            s.title,
            s.organisation,
            s.bio,
        )
        for s in talk.people
    ]
    return sorted(people, key=lambda p: _rank(p.role))


def _rank(role: str) -> int:
    return ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)
