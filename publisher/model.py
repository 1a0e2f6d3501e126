"""The typed data that flows through the pipeline, in the order it is made.

seed/captions -> Talk -> transcript (Lines) -> Plan (Segments) -> source audio
-> Render (Pieces) -> Episodes -> feeds and site.

Every stage takes these and returns these; nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

# --- ingest -----------------------------------------------------------------


@dataclass(frozen=True)
class Speaker:
    """A person listed in the seed document."""

    name: str
    title: str = ""  # job title, e.g. "Software Engineer"
    organisation: str = ""
    bio: str = ""


@dataclass(frozen=True)
class Cue:
    """One raw caption cue as it sits in the seed (times in seconds)."""

    start: float
    end: float
    text: str
    line: int  # 1-based line number of the cue's timing line in the seed file
    turn: bool = False  # a ">>" speaker-change mark starts it (the mark is not in text)
    # Start of each word of text (text.split()) in seconds, where the captions time
    # words (json3, YouTube's rolling WebVTT); () when unknown.
    word_times: tuple[float, ...] = ()
    speaker: str = ""  # who speaks, as the captions label them ("MARY:", <v Mary>); "" unknown


@dataclass(frozen=True)
class Line:
    """One clean transcript line; it spans from its start to the next line's start."""

    start: float
    end: float
    text: str
    speaker: str | None = None  # a Speaker.name where known
    turn: bool = False  # a new speaker starts here (the captions' ">>" mark)
    word_times: tuple[float, ...] = ()  # start of each word of text.split(); () if unknown


@dataclass
class Talk:
    """A parsed seed document."""

    source: Path  # the seed file
    title: str
    date: dt.date
    playlist: str  # e.g. "KVM Forum 2018"
    description: str
    speakers: list[Speaker]  # the panelists / presenters (moderator excluded)
    moderator: Speaker | None
    cues: list[Cue]
    transcript: list[Line]  # cleaned, time-ordered
    url: str  # YouTube URL
    video_id: str
    url_line: int = 0  # the seed's line that gives the video (its URL or Video ID line)

    @property
    def year(self) -> int:
        m = re.search(r"\b(19|20)\d\d\b", self.playlist)
        return int(m.group(0)) if m else self.date.year

    @property
    def duration(self) -> float:
        """Caption-derived length of the talk in seconds."""
        return max((c.end for c in self.cues), default=0.0)

    @property
    def people(self) -> list[Speaker]:
        return ([self.moderator] if self.moderator else []) + self.speakers

    def speaker(self, name: str) -> Speaker | None:
        return next((s for s in self.people if s.name == name), None)

    @property
    def credits(self) -> list[Credit]:
        """Everyone in the seed, with their role in the talk."""
        return [Credit(s.name, self.role(s.name), s.organisation) for s in self.people]

    def role(self, name: str) -> Role:
        """A person's role in the talk, by the seed's structure alone: the moderator,
        else a panelist (a presenter when there is no moderator)."""
        if self.moderator and name == self.moderator.name:
            return Role.MODERATOR
        return Role.PANELIST if self.moderator else Role.PRESENTER


# --- plan -------------------------------------------------------------------

KINDS = ("intro", "talk", "question", "outro")
TOPICAL = ("talk", "question")  # the kinds with a topic (feed, page); an intro or outro has none


class Role(StrEnum):
    """What someone does in a segment: the one role vocabulary, in display order."""

    MODERATOR = "moderator"
    PRESENTER = "presenter"
    PANELIST = "panelist"  # on the panel, and shown speaking in the segment
    PANEL = "panel"  # on the panel, not shown speaking: credited once, as "the panel"
    AUDIENCE = "audience"

    @property
    def label(self) -> str:
        """The word every output shows: notes, tags, feeds and site."""
        return self.value.title()

    @property
    def asks(self) -> bool:
        """Whoever asks a question: the moderator or someone in the audience."""
        return self in (Role.MODERATOR, Role.AUDIENCE)

    @property
    def person(self) -> str:
        """The podcast:person role (Podcasting 2.0 taxonomy)."""
        return "host" if self is Role.MODERATOR else "guest"


ROLES = tuple(r.value for r in Role)
AUDIENCE = "Audience"  # the name of an unnamed audience member's credit
THE_PANEL = "the panel"


@dataclass(frozen=True)
class Credit:
    """A person credited on a segment, with their role in it."""

    name: str
    role: Role
    organisation: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))

    def __setstate__(self, state: dict) -> None:  # records pickled when roles were str
        self.__dict__.update(state, role=Role(state["role"]))

    @property
    def named(self) -> bool:
        """A real person (not the unnamed audience member)."""
        return not (self.role is Role.AUDIENCE and self.name == AUDIENCE)

    @property
    def display(self) -> str:
        """'Name (Role)', or 'a member of the audience'."""
        return f"{self.name} ({self.role.label})" if self.named else "a member of the audience"


@dataclass(frozen=True)
class Credits:
    """Who a segment credits, and how: read by notes, tags, feeds and site alike."""

    asked: tuple[Credit, ...]  # a question's asker(s)
    answered: tuple[Credit, ...]  # shown speaking: panelists, presenters, hosts of an intro
    panel: bool  # nobody on the panel is named as answering: "the panel" answers

    @property
    def people(self) -> tuple[Credit, ...]:
        """The named people credited, askers first."""
        return tuple(c for c in self.asked + self.answered if c.named)


def credits_of(seg: Segment) -> Credits:
    """Split a segment's credits into askers, answerers, and "the panel" once."""
    asked = tuple(c for c in seg.speakers if seg.kind == "question" and c.role.asks)
    rest = [c for c in seg.speakers if c not in asked]
    answered = tuple(c for c in rest if c.role is not Role.PANEL)
    panel = len(answered) < len(rest) and not any(c.role is Role.PANELIST for c in answered)
    return Credits(asked, answered, panel)


@dataclass
class Segment:
    """One planned clip of a talk: an intro, a talk body or one question."""

    start: float
    end: float
    kind: str
    title: str
    topic: str
    keywords: list[str]
    speakers: list[Credit]
    guid: str
    summary: str = ""
    line: int = 0  # where it was defined in a plan file, for error messages
    file: str = ""  # its episode's file name ("....mp3"), stored in the plan (plan.names)

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def topic_slug(self) -> str:
        return slugify(self.topic)

    @property
    def topical_slug(self) -> str:
        """The topic feed and page of this segment: a question or talk only (an intro
        or outro is no topic); "" for none."""
        return self.topic_slug if self.kind in TOPICAL else ""

    def to_json(self) -> dict:
        """The stable `publisher plan --json` contract."""
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "kind": self.kind,
            "title": self.title,
            "topic": self.topic,
            "topic_slug": self.topic_slug,
            "keywords": list(self.keywords),
            "speakers": [
                {"name": c.name, "role": c.role, "organisation": c.organisation}
                for c in self.speakers
            ],
            "guid": self.guid,
            "file": self.file,
            "summary": self.summary,
        }


@dataclass
class Plan:
    """The editable list of segments for one talk, in time order."""

    video_id: str
    segments: list[Segment]
    path: Path | None = None  # the plan file it was read from, if any
    # The talk's transcript with glossary corrections applied and speakers
    # attributed where known; recomputed from the Talk, never stored in the file.
    transcript: list[Line] = field(default_factory=list)
    # guid -> the planner's own value of each field (times as written, text as a short
    # hash), so a replan can tell what a person edited; kept in the plan file's [planner]
    planned: dict[str, dict[str, str]] = field(default_factory=dict)
    digest: str = ""  # planfile.text_digest of the file's text it was read from, if any
    full_file: str = ""  # the full talk's episode file name, stored in the plan


# --- audio ------------------------------------------------------------------


@dataclass(frozen=True)
class AudioSettings:
    """Per-show output format (feeds/<show>.toml [audio])."""

    bitrate: str = "64k"
    channels: int = 1
    sample_rate: int = 44100
    loudness: float = -16.0  # LUFS integrated
    true_peak: float = -1.5  # dBTP ceiling we aim under (Apple asks <= -1)
    fade_ms: int = 10
    formats: tuple[str, ...] = ("mp3",)  # AUDIO_FORMATS; the MP3 always, first (the enclosure)


AUDIO_FORMATS = ("mp3", "m4a")  # what a show may publish; also each file's suffix


@dataclass(frozen=True)
class Piece:
    """One rendered, untagged stretch of the talk, cut at snapped boundaries.

    Pieces partition the whole talk; each segment is one piece, and gaps
    between segments are pieces too (segment is None), so concatenating all
    pieces gives the full episode.
    """

    start: float  # snapped start in the source, seconds
    end: float  # snapped end in the source, seconds
    path: Path  # cached MP3 in the render cache
    duration: float  # measured duration of the MP3, seconds
    segment: Segment | None
    alternates: dict[str, Path] = field(default_factory=dict)  # format -> cached file ("m4a")


@dataclass(frozen=True)
class Render:
    """The rendered audio of one talk."""

    source: Path
    standin: bool  # synthesised stand-in speech, not the real recording
    pieces: list[Piece]
    full: Path  # cached, untagged full-episode MP3
    full_duration: float
    encodes: int = 0  # how many ffmpeg encodes this render ran (0 on a no-op)
    alternates: dict[str, Path] = field(default_factory=dict)  # format -> cached full episode

    def offset(self, piece: Piece) -> float:
        """Start time of a piece inside the full episode."""
        t = 0.0
        for p in self.pieces:
            if p is piece:
                return t
            t += p.duration
        raise ValueError("piece not in render")

    def places(self) -> dict[str, Place]:
        """Each segment's Place (by GUID): where its piece sits in the full episode."""
        spans = [(p.segment, self.offset(p), p.duration) for p in self.pieces if p.segment]
        return places(spans, self.full_duration)


KIND_LABELS = {"intro": "Introduction", "talk": "Talk", "outro": "Closing", "question": "Question"}


@dataclass(frozen=True)
class Place:
    """A clip's number, label and times in its talk, decided once (places) and read
    by the notes, tags, feeds and site. Times are whole seconds in the full episode,
    which follows the video from its start, so they are the video's t= too."""

    number: int  # 1-based among the talk's questions; 0 for an intro, talk or outro
    label: str  # "Question 3", "Introduction"
    start: int  # floored start
    end: int  # the next piece's start; never past the full episode's floored length

    @property
    def question(self) -> bool:
        return self.number > 0


def places(spans: list[tuple[Segment, float, float]], total: float) -> dict[str, Place]:
    """The Place of each (segment, start, duration) in time order, in a `total`-second
    talk, by segment GUID: starts floored, each end the next start (floored the same
    way, so ranges never overlap), and no end past the talk's floored length."""
    last = math.floor(total)
    out: dict[str, Place] = {}
    asked = 0
    for seg, start, duration in spans:
        asked += seg.kind == "question"
        number = asked if seg.kind == "question" else 0
        label = f"Question {number}" if number else KIND_LABELS.get(seg.kind, seg.kind.title())
        begin = min(math.floor(start), last)
        end = max(min(math.floor(start + duration), last), begin)
        out[seg.guid] = Place(number, label, begin, end)
    return out


# --- publish ----------------------------------------------------------------


@dataclass(frozen=True)
class Chapter:
    start: float  # seconds in the file
    end: float
    title: str
    url: str = ""
    kind: str = ""  # the segment kind it marks (one of KINDS), "" if unknown
    guid: str = ""  # the GUID of the segment it marks (its clip), "" if unknown


@dataclass(frozen=True)
class Alternate:
    """Another encoding of an episode, published beside its MP3 as <stem>.<format>
    (Episode.alternate_path)."""

    size: int  # bytes, as tagged


@dataclass(frozen=True)
class Episode:
    """One published audio file (a full talk or one question clip) and its metadata,
    as built: a stage that changes something (tagging: the sizes) makes a new one.

    Every published file is named by its path relative to the show folder
    (public/<show>/); Show.url makes it absolute where a feed or tag needs it."""

    kind: str  # "full" or "clip"
    guid: str
    title: str
    talk: Talk
    segment: Segment | None  # None for the full talk
    path: Path  # the published audio file, relative to the show folder
    duration: float
    size: int
    pub_date: dt.datetime  # timezone-aware
    track: int  # 1-based position among its siblings (tags carry no total: see tags/)
    notes_html: str  # show notes, Apple-safe HTML
    notes_text: str  # the same as plain text (ID3 COMM)
    summary: str
    speakers: list[Credit]
    topic: str
    keywords: list[str]
    chapters: list[Chapter]
    transcript: list[Line]  # timed relative to this file
    source_url: str  # YouTube URL, with &t= for clips
    image: Path | None = None  # the cover art the tags embed (a render-cache file)
    cover: str = ""  # the published cover art, relative to the show folder
    standin: bool = False
    # kind -> a published file beside it, relative to the show folder (vtt, srt, json, chapters)
    links: dict[str, str] = field(default_factory=dict)
    season: int = 0  # the forum year (itunes:season)
    number: int = 0  # a full talk's itunes:episode in its season (clips have none: feed/catalog)
    alternates: dict[str, Alternate] = field(default_factory=dict)  # format ("m4a") -> file
    place: Place | None = None  # a clip's number, label and times in its talk (Render.places)

    def alternate_path(self, fmt: str) -> Path:
        """Where the episode's `fmt` encoding sits: beside its MP3, same stem."""
        return self.path.with_suffix(f".{fmt}")

    @property
    def credits(self) -> Credits:
        """Who asks and who answers (a clip), or everyone in the talk (the full talk)."""
        if self.segment is None:
            return Credits((), tuple(self.talk.credits), False)
        return credits_of(self.segment)

    @property
    def page(self) -> str:
        """The episode's web page, relative to the show root: its talk page, at the
        clip's own card for a clip (make it absolute with Show.url)."""
        vid = self.talk.video_id
        return talk_page(vid) if self.kind == "full" else clip_page(vid, self.guid)

    @property
    def topic_slug(self) -> str:
        """The topic feed and page this episode belongs to: question and talk clips only
        (an intro or outro is no topic); "" for none."""
        seg = self.segment
        return seg.topical_slug if self.kind == "clip" and seg is not None else ""


# --- shared helpers ---------------------------------------------------------


def topic_names(segments: list[Segment], known: dict[str, str] | None = None) -> dict[str, str]:
    """Topic slug -> the name every output shows, for the topics of a talk's question and
    talk segments: the name the show already published for the slug (`known`), else the
    talk's first spelling of it ("Live migration" and "Live Migration" are one topic)."""
    known = known or {}
    out: dict[str, str] = {}
    for seg in sorted(segments, key=lambda s: s.start):
        if seg.topic and (slug := seg.topical_slug):
            out.setdefault(slug, known.get(slug, seg.topic))
    return out


def talk_folder(video_id: str) -> str:
    """Where a talk's files sit, relative to the show root: its episodes, transcripts,
    chapters, cover and page."""
    return f"episodes/{video_id}/"


def full_guid(video_id: str) -> str:
    """The GUID of a talk's full episode; its clips' GUIDs start with it (new_guid)."""
    return f"yt-{video_id}"


def new_guid(video_id: str, start: float, taken: set[str]) -> str:
    """ "yt-<id>-<start seconds, 5 digits>", with a suffix if that is taken."""
    base = f"{full_guid(video_id)}-{int(start):05d}"
    guid, n = base, 2
    while guid in taken:
        guid, n = f"{base}-{n}", n + 1
    return guid


def talk_page(video_id: str) -> str:
    """A talk's web page, relative to the show root: the site writes it here, and the
    feeds, notes and chapters link to it."""
    return f"{talk_folder(video_id)}index.html"


def clip_page(video_id: str, guid: str) -> str:
    """A clip's card on its talk page: the card's id is the clip's GUID."""
    return f"{talk_page(video_id)}#{guid}"


def slugify(text: str, limit: int = 60) -> str:
    """ASCII, lowercase, hyphenated; stable for the same text."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text[:limit].rstrip("-") or "untitled"


# Seconds a caption word takes at most; the rest of a long line is a pause
# (or speech the captioner missed, e.g. an audience member without a mic).
WORD_SECONDS = 0.45


def word_times(line: Line) -> list[tuple[float, str]]:
    """(estimated start, word) for each word of a line: spread evenly over its span,
    at most WORD_SECONDS apart (captions time lines, not words)."""
    words = line.text.split()
    step = min((line.end - line.start) / len(words), WORD_SECONDS) if words else 0.0
    return [(line.start + k * step, w) for k, w in enumerate(words)]


def _said_before(timed: list[tuple[float, str]], t: float) -> int:
    """How many of a line's words (word_times) are said before time t; a split never
    strands one word (estimates are off by about that much): it joins the rest."""
    k = sum(at < t - 0.001 for at, _ in timed)
    if 0 < k < len(timed) and min(k, len(timed) - k) < 2:
        k = 0 if k < len(timed) - k else len(timed)
    return k


def lines_between(lines: list[Line], start: float, end: float) -> list[Line]:
    """The transcript within [start, end), re-timed to start at 0. A line that a cut
    splits keeps the words said (_said_before) on this side of it."""
    out = []
    for ln in lines:
        if ln.start >= end or ln.end < start - 0.001:  # (all its words said before start)
            continue
        timed = word_times(ln)
        a = _said_before(timed, start) if ln.start < start - 0.001 else 0
        b = _said_before(timed, end) if ln.end > end else len(timed)
        if a == 0 and b == len(timed) and ln.start >= start - 0.001:  # wholly inside
            out.append(Line(ln.start - start, min(ln.end, end) - start, ln.text, ln.speaker))
        elif a < b:
            text = " ".join(w for _, w in timed[a:b])
            out.append(
                Line(max(timed[a][0] - start, 0.0), min(ln.end, end) - start, text, ln.speaker)
            )
    return out


def video_at(url: str, seconds: float) -> str:
    """The video URL starting at `seconds` (YouTube's t= parameter)."""
    return f"{url}{'&' if '?' in url else '?'}t={int(seconds)}"


def timestamp(seconds: float) -> str:
    """H:MM:SS or MM:SS, as podcast show notes write it."""
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
