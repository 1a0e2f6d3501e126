"""ID3v2.3 tags for a published MP3 (mutagen): metadata, cover, notes, transcript, chapters."""

from __future__ import annotations

import shutil
from pathlib import Path

from mutagen import MutagenError
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    PCST,
    SYLT,
    TALB,
    TCAT,
    TCON,
    TDES,
    TDRC,
    TGID,
    TIT2,
    TKWD,
    TLEN,
    TPE1,
    TRCK,
    USLT,
    WFED,
    WOAS,
    WXXX,
    CTOCFlags,
    PictureType,
)
from mutagen.id3._tags import save_frame

from ..errors import AudioError
from ..fsutil import atomic_path
from ..model import Chapter, Episode
from .fields import GENRE, cover, fields

PADDING = 1024  # fixed, so re-tagging with the same data gives the same bytes


class _OrderedID3(ID3):
    """Writes frames in the order they were added.

    mutagen sorts frames by their size, which scrambles CHAP frames, and ffprobe
    and several apps list chapters in file order.
    """

    def _write(self, config):
        return bytearray().join(save_frame(frame, config=config) for frame in self.values())


def tag_mp3(episode: Episode, path: Path, *, feed_url: str = "") -> None:
    """Replace all tags of the MP3 at `path` with ones built from the episode; written
    as a copy and renamed into place."""
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"cannot tag {episode.guid}: audio file missing", path)
    tags = _OrderedID3()
    for frame in _frames(episode, feed_url):
        tags.add(frame)
    tags.update_to_v23()
    try:
        with atomic_path(path) as tmp:
            shutil.copyfile(path, tmp)
            tags.save(tmp, v1=0, v2_version=3, padding=lambda info: PADDING)
    except (MutagenError, OSError) as e:
        raise AudioError(f"cannot tag {episode.guid}: {e}", path) from None


def _frames(ep: Episode, feed_url: str) -> list:
    f = fields(ep, feed_url)
    frames = [
        TIT2(encoding=3, text=[f.title]),
        TPE1(encoding=3, text=[f.artist]),
        TALB(encoding=3, text=[f.album]),
        TRCK(encoding=3, text=[str(f.track)]),
        TDRC(encoding=3, text=[f.date]),
        TCON(encoding=3, text=[GENRE]),
        TLEN(encoding=3, text=[str(f.length_ms)]),
        COMM(encoding=3, lang="eng", desc="", text=[f.notes]),
        TDES(encoding=3, text=[f.description]),
        PCST(value=1),
        TGID(encoding=3, text=[f.guid]),
    ]
    if f.topic:
        frames.append(TCAT(encoding=3, text=[f.topic]))
    if f.keywords:
        frames.append(TKWD(encoding=3, text=[f.keywords]))
    if f.source_url:
        frames.append(WOAS(url=f.source_url))
    if f.feed_url:
        frames.append(WFED(url=f.feed_url))
    if ep.transcript:
        frames += _transcript(ep, f.transcript)
    if ep.chapters:
        frames += _chapters(ep.chapters, ep.title)
    if ep.image:
        data, mime = cover(Path(ep.image))
        frames.append(
            APIC(encoding=3, mime=mime, type=PictureType.COVER_FRONT, desc="Cover", data=data)
        )
    return frames


def _transcript(ep: Episode, text: str) -> list:
    timed = [
        (f"{ln.speaker}: {ln.text}" if ln.speaker else ln.text, int(max(0.0, ln.start) * 1000))
        for ln in ep.transcript
    ]
    return [
        USLT(encoding=3, lang="eng", desc="", text=text),
        SYLT(encoding=3, lang="eng", format=2, type=1, desc="", text=timed),
    ]


def _chapters(chapters: list[Chapter], title: str) -> list:
    width = max(2, len(str(len(chapters) - 1)))
    ids = [f"chp{i:0{width}d}" for i in range(len(chapters))]
    toc = CTOC(
        element_id="toc",
        flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
        child_element_ids=ids,
        sub_frames=[TIT2(encoding=3, text=[title or "Chapters"])],
    )
    frames = [toc]
    for eid, ch in zip(ids, chapters, strict=True):
        sub = [TIT2(encoding=3, text=[ch.title])]
        if ch.url:
            sub.append(WXXX(encoding=3, desc="", url=ch.url))
        start, end = int(round(ch.start * 1000)), int(round(ch.end * 1000))
        frames.append(
            CHAP(element_id=eid, start_time=start, end_time=max(end, start), sub_frames=sub)
        )
    return frames
