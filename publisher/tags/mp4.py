"""MP4 tags for a published M4A (mutagen.mp4): metadata, podcast atoms, cover, notes,
transcript; chapters, which mutagen can't write, go in first with ffmpeg."""

from __future__ import annotations

import tempfile
from pathlib import Path

from mutagen import MutagenError
from mutagen.mp4 import MP4, MP4Cover

from ..audio.tools import run_ffmpeg
from ..errors import AudioError
from ..fsutil import atomic_path
from ..model import Chapter, Episode
from .fields import GENRE, cover, fields

PADDING = 1024  # fixed, so re-tagging with the same data gives the same bytes
PODCAST_KIND = 21  # stik: the media kind iTunes calls Podcast


def tag_m4a(episode: Episode, path: Path, *, feed_url: str = "") -> None:
    """Replace all tags and chapters of the M4A at `path` with ones built from the
    episode; written as a copy and renamed into place."""
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"cannot tag {episode.guid}: audio file missing", path)
    atoms = _atoms(episode, feed_url)
    try:
        with atomic_path(path) as tmp:
            _copy_with_chapters(path, tmp, episode.chapters, episode.guid)
            audio = MP4(tmp)
            if audio.tags is None:
                audio.add_tags()
            audio.tags.clear()
            audio.tags.update(atoms)
            audio.save(padding=lambda info: PADDING)
    except (MutagenError, OSError) as e:
        raise AudioError(f"cannot tag {episode.guid}: {e}", path) from None


def _atoms(ep: Episode, feed_url: str) -> dict:
    f = fields(ep, feed_url)
    atoms = {
        "©nam": [f.title],
        "©ART": [f.artist],
        "©alb": [f.album],
        "trkn": [(f.track, 0)],  # 0: no total
        "©day": [f.date],
        "©gen": [GENRE],
        "©cmt": [f.notes],
        "desc": [f.description],
        "ldes": [f.notes],
        "pcst": True,
        "stik": [PODCAST_KIND],
        "egid": [f.guid],
    }
    optional = {
        "catg": f.topic,
        "keyw": f.keywords,
        "purl": f.feed_url,
        "©lyr": f.transcript,
    }
    atoms.update({k: [v] for k, v in optional.items() if v})
    if ep.image:
        data, mime = cover(Path(ep.image))
        kind = MP4Cover.FORMAT_PNG if mime == "image/png" else MP4Cover.FORMAT_JPEG
        atoms["covr"] = [MP4Cover(data, imageformat=kind)]
    return atoms


def _copy_with_chapters(path: Path, target: Path, chapters: list[Chapter], guid: str) -> None:
    """Copy the audio stream (no re-encode) into `target`, with these chapters only."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as meta:
        meta.write(ffmetadata(chapters))
        meta.flush()
        args = ["-i", str(path), "-f", "ffmetadata", "-i", meta.name, "-map", "0:a"]
        args += ["-map_metadata", "1", "-map_chapters", "1", "-c", "copy"]
        args += ["-movflags", "+faststart", "-fflags", "+bitexact", "-f", "ipod", str(target)]
        run_ffmpeg(args, f"cannot tag {guid}", path)


def ffmetadata(chapters: list[Chapter]) -> str:
    """ffmpeg's FFMETADATA text for these chapters (times in ms)."""
    out = [";FFMETADATA1"]
    for ch in chapters:
        start = int(round(ch.start * 1000))
        end = max(int(round(ch.end * 1000)), start + 1)
        out += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={start}", f"END={end}"]
        out.append(f"title={_escape(ch.title)}")
    return "\n".join(out) + "\n"


def _escape(text: str) -> str:
    """FFMETADATA values escape = ; # \\ and newlines with a backslash."""
    text = " ".join(text.split())
    for ch in "\\=;#":
        text = text.replace(ch, "\\" + ch)
    return text
