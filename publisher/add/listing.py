"""yt-dlp without downloading media: the talks a URL lists, each talk's metadata,
and its English captions as Cues (none where the talk has none: the build then
transcribes it)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..audio.fetch import QuietLog, error_reason
from ..errors import InputError, PublisherError, SeedError
from ..ingest.captions import parse_captions
from ..ingest.limits import strip_bad
from ..model import Cue

_ENGLISH = re.compile(r"^en(?:[-_]|$)", re.I)
_FORMATS = ("json3", "vtt", "srt")  # what the caption parser reads, best first
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Listing:
    """What a URL lists: a playlist's flat entries, or one video's full metadata."""

    title: str  # the playlist's title; "" for a single video or an untitled playlist
    entries: list[dict[str, Any]]


@dataclass(frozen=True)
class TalkInfo:
    """One talk's metadata and captions, as a seed needs them."""

    video_id: str  # [A-Za-z0-9_-] only
    url: str  # a YouTube watch URL, or the talk's page elsewhere
    youtube: bool  # the URL itself carries the video id
    title: str
    date: dt.date
    description: str
    uploader: str
    duration: float | None
    cues: list[Cue]
    captions: str  # which track, e.g. "en-orig (automatic, json3)"; "" if it has none
    chapters: list[tuple[float, str]] = field(default_factory=list)


@contextlib.contextmanager
def open_ydl() -> Iterator[Any]:
    """A quiet YoutubeDL that lists playlists flat and never downloads media."""
    import yt_dlp  # slow to import

    opts = {
        "extract_flat": "in_playlist",
        "skip_download": True,
        "ignore_no_formats_error": True,  # metadata is all we want
        "quiet": True,
        "noprogress": True,
        "no_warnings": True,
        "logger": QuietLog(),
        "socket_timeout": 30,
        "retries": 3,
    }
    with yt_dlp.YoutubeDL(opts) as ydl:
        yield ydl


def list_talks(ydl: Any, url: str) -> Listing:
    """The talks at `url`. Raises a one-line PublisherError naming the URL."""
    from yt_dlp.utils import DownloadError, UnsupportedError

    try:
        info = ydl.extract_info(url, download=False)
    except DownloadError as e:
        unsupported = isinstance((e.exc_info or (None, None))[1], UnsupportedError)
        kind = InputError if unsupported else PublisherError
        reason = "no playlist or video there" if unsupported else error_reason(str(e))
        reason = re.sub(r"^\[[\w:]+\] [^:]*: ", "", reason)  # yt-dlp's "[generic] x: "
        raise kind(f"cannot list {url}: {reason}") from None
    if info.get("_type", "video") != "playlist":
        return Listing("", [info])
    entries = [e for e in info.get("entries") or [] if e]
    if not entries:
        raise PublisherError(f"cannot list {url}: the playlist has no videos")
    return Listing(str(info.get("title") or "").strip(), entries)


def entry_id(entry: dict[str, Any]) -> str:
    """A listed entry's video id, cleaned as seeds store it ("" if the listing has none)."""
    return _NOT_ID.sub("-", str(entry.get("id") or "")).strip("-")[:64]


def entry_url(entry: dict[str, Any]) -> str:
    """A listed entry's URL as a person would open it (yt-dlp's smuggled data dropped)."""
    from yt_dlp.utils import unsmuggle_url

    url = unsmuggle_url(str(entry.get("webpage_url") or entry.get("url") or ""))[0]
    return urllib.parse.urldefrag(url)[0]


def talk_info(ydl: Any, entry: dict[str, Any]) -> TalkInfo:
    """Full metadata and English captions of one listed talk (nothing downloaded but
    pages and captions). Raises PublisherError with the reason only."""
    from yt_dlp.utils import DownloadError

    info = entry
    if entry.get("_type") in ("url", "url_transparent"):
        try:
            info = ydl.process_ie_result(dict(entry), download=False)
        except DownloadError as e:
            raise PublisherError(error_reason(str(e))) from None
    if info.get("_type", "video") != "video":
        raise PublisherError("not a single video")
    video_id = entry_id(info)
    if not video_id:
        raise PublisherError("yt-dlp gave no video id")
    youtube = info.get("extractor_key") == "Youtube"
    cues, which = _captions(ydl, info)
    return TalkInfo(
        video_id=video_id,
        url=f"https://www.youtube.com/watch?v={video_id}" if youtube else entry_url(info),
        youtube=youtube,
        title=" ".join(_text(info.get("title")).split()) or video_id,
        date=_date(info),
        description=_text(info.get("description")).strip(),
        uploader=_text(info.get("uploader")),
        duration=info.get("duration"),
        cues=cues,
        captions=which,
        chapters=[
            (float(c.get("start_time") or 0), _text(c.get("title")))
            for c in info.get("chapters") or []
        ],
    )


def _text(value: object) -> str:
    """Text from YouTube as a seed may hold it: machine-made, so control characters
    are dropped, not refused (ingest.limits)."""
    return strip_bad(str(value or ""))


def _date(info: dict[str, Any]) -> dt.date:
    for key in ("upload_date", "release_date"):
        value = str(info.get(key) or "")
        if re.fullmatch(r"\d{8}", value):
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    for key in ("timestamp", "release_timestamp"):
        if isinstance(info.get(key), int | float):
            return dt.datetime.fromtimestamp(info[key], dt.UTC).date()
    raise PublisherError("no upload date")


def _tracks(info: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """English caption tracks, best first: manual before automatic; "en-orig" (YouTube's
    untranslated speech recognition), then "en", then other English; json3, vtt, srt."""
    for kind, key in (("manual", "subtitles"), ("automatic", "automatic_captions")):
        tracks = info.get(key) or {}
        langs = sorted(
            (lang for lang in tracks if _ENGLISH.match(lang)),
            key=lambda lang: (lang != "en-orig", lang != "en", lang),
        )
        for lang in langs:
            usable = [t for t in tracks[lang] or [] if t.get("ext") in _FORMATS]
            for track in sorted(usable, key=lambda t: _FORMATS.index(t["ext"])):
                yield f"{lang} ({kind}, {track['ext']})", track


def _captions(ydl: Any, info: dict[str, Any]) -> tuple[list[Cue], str]:
    """The first English track that can be fetched and parsed, as Cues; ([], "") for a
    talk with no English track (its seed has no captions: the build transcribes it).
    Tracks that all fail to fetch or parse fail the talk: it has captions."""
    from yt_dlp.networking.exceptions import RequestError

    problem = ""
    for which, track in _tracks(info):
        url = track.get("url", "")
        try:
            if track.get("data"):
                text = str(track["data"])
            else:
                with ydl.urlopen(url) as response:
                    text = response.read().decode("utf-8-sig")
            return parse_captions(strip_bad(text).splitlines(), 1, Path(url), machine=True), which
        except (RequestError, OSError, UnicodeDecodeError) as e:
            problem = f"cannot fetch the {which} captions: {e}"
        except SeedError as e:
            problem = f"unreadable {which} captions: {e.message} (line {e.line})"
    if problem:
        raise PublisherError(problem)
    return [], ""
