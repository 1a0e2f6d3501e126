"""What every format's tags say about an episode, worked out once (mutagen-style:
the format modules only map these fields onto their own frames or atoms)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import AudioError
from ..model import THE_PANEL, Episode
from ..transcripts import plain_text

GENRE = "Podcast"


@dataclass(frozen=True)
class Fields:
    title: str
    artist: str  # every credited person, "; "-joined
    album: str  # the talk for a clip, the playlist (forum year) for a full talk
    track: int  # no total: dropping one clip must not change every other clip's bytes
    date: str  # ISO date of the talk
    notes: str  # the show notes as plain text
    description: str  # the summary, else the notes
    topic: str
    keywords: str  # comma-joined
    guid: str
    source_url: str  # the video
    feed_url: str
    transcript: str  # plain text, one "[mm:ss] Speaker: text" line each
    length_ms: int


def fields(ep: Episode, feed_url: str = "") -> Fields:
    talk = ep.talk
    credited = ep.credits  # as the notes credit them: named people, and the panel once
    names = [c.name for c in credited.people] + ([THE_PANEL] if credited.panel else [])
    return Fields(
        title=ep.title,
        artist="; ".join(dict.fromkeys(names)),
        album=talk.title if ep.kind == "clip" else talk.playlist or talk.title,
        track=ep.track,
        date=talk.date.isoformat(),
        notes=ep.notes_text,
        description=ep.summary or ep.notes_text,
        topic=ep.topic,
        keywords=",".join(ep.keywords),
        guid=ep.guid,
        source_url=ep.source_url,
        feed_url=feed_url,
        transcript=plain_text(ep.transcript) if ep.transcript else "",
        length_ms=int(round(ep.duration * 1000)),
    )


def cover(image: Path) -> tuple[bytes, str]:
    """The cover art's bytes and MIME type (JPEG unless it is a PNG)."""
    try:
        data = Path(image).read_bytes()
    except OSError as e:
        raise AudioError(f"cannot read cover art: {e.strerror}", image) from None
    return data, "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
