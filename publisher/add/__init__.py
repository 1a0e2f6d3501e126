"""`publisher add`: bring a playlist (or one video) into a show as seed documents.

yt-dlp lists the playlist flat, then reads each new talk's metadata and English
captions (publisher.add.listing, no media downloaded; a talk without captions gets a
seed without them, which the build transcribes); each talk becomes
seeds/<playlist-slug>/<title-slug>.txt (publisher.add.seedtext), checked by the
seed parser before it is written; the show file then lists the folder
(publisher.add.register). Talks whose video id a seed of the show or the folder
already has are skipped, so a re-run adds only what is new.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PublisherError
from ..fsutil import write_text
from ..ingest import load_talk, parse_seed
from ..ingest.people import find_people
from ..model import slugify
from .listing import TalkInfo, entry_id, entry_url, list_talks, open_ydl, talk_info
from .register import listed_seeds, register, show_title
from .seedtext import seed_text

__all__ = ["AddResult", "add_talks"]

Report = Callable[[str | PublisherError], None]  # progress lines, and each talk that failed


@dataclass
class AddResult:
    url: str
    playlist: str  # the Playlist: title given to the talks ("" if none was written)
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why, one line each
    failed: list[PublisherError] = field(default_factory=list)
    registered: list[str] = field(default_factory=list)  # patterns added to the show

    def summary(self) -> str:
        counts = (
            f"written {len(self.written)}, skipped {len(self.skipped)}, failed {len(self.failed)}"
        )
        nothing = "" if self.written or self.failed else " (nothing new)"
        return f"{self.playlist or self.url}: {counts}{nothing}"


class _Known:
    """Video id (and URL) -> seed, from the show's seeds and each target folder's. The
    URL catches a page that a site's playlist and the page itself give different ids."""

    def __init__(self, seeds: list[Path]) -> None:
        self.seeds: dict[str, Path] = {}
        self.folders: set[Path] = set()
        for seed in seeds:
            self.add(seed)

    def add(self, seed: Path) -> None:
        talk = load_talk(Path(os.path.normpath(seed)))
        self.seeds.setdefault(talk.video_id, talk.source)
        self.seeds.setdefault(talk.url, talk.source)

    def folder(self, folder: Path) -> None:
        if folder not in self.folders:
            self.folders.add(folder)
            for seed in sorted(folder.glob("*.txt")):
                self.add(seed)

    def find(self, *keys: str) -> Path | None:
        return next((self.seeds[k] for k in keys if k in self.seeds), None)


def add_talks(
    url: str,
    show_path: Path,
    seeds_dir: Path,
    *,
    playlist: str | None = None,
    report: Report = lambda line: None,
) -> AddResult:
    """Write a seed for each talk at `url` that the show lacks, then list the new
    folder in the show file. `playlist` overrides the Playlist: title (default: the
    playlist's own, else "<show title> <year>"). Each talk that fails is in
    `failed` and the others are still written; a URL that lists nothing raises
    PublisherError and writes nothing."""
    show_path, seeds_dir = Path(show_path), Path(seeds_dir)
    known = _Known(listed_seeds(show_path))
    fallback = show_title(show_path)
    with open_ydl() as ydl:
        listing = list_talks(ydl, url)
        result = AddResult(url, playlist or listing.title)
        if result.playlist:  # its folder's seeds are known before any talk is read
            known.folder(seeds_dir / slugify(result.playlist))
        for entry in listing.entries:
            name, where = str(entry.get("title") or entry_url(entry)), entry_url(entry) or url
            if seed := known.find(entry_id(entry)):
                _skip(result, report, name, entry_id(entry), seed)
                continue
            try:
                info = talk_info(ydl, entry)
            except PublisherError as e:
                _fail(result, report, f'"{name}" ({where}): {e.message}')
                continue
            title = playlist or listing.title or f"{fallback} {info.date.year}".strip()
            folder = seeds_dir / slugify(title)
            known.folder(folder)
            if seed := known.find(info.video_id, info.url):
                _skip(result, report, info.title, info.video_id, seed)
                continue
            if path := _write(result, report, info, title, folder):
                known.add(path)
                result.playlist = title
    for folder in sorted(known.folders):
        if any(folder.glob("*.txt")) and (pattern := register(show_path, folder)):
            result.registered.append(pattern)
            report(f"listed {pattern} in {show_path}")
    return result


def _write(
    result: AddResult, report: Report, info: TalkInfo, title: str, folder: Path
) -> Path | None:
    """Write one talk's seed, checked by the seed parser first (temp file + rename)."""
    slug = slugify(info.title)
    path = folder / f"{slug}.txt"
    if path.exists():
        path = folder / f"{slug}-{info.video_id}.txt"
    try:
        if path.exists():
            raise PublisherError(f"{path} already exists")
        text = seed_text(info, title, find_people(info.description))
        parse_seed(text, path)
        write_text(path, text)
    except PublisherError as e:
        _fail(result, report, f'"{info.title}" ({info.url}): {e}')
        return None
    result.written.append(path)
    report(f"wrote {path}" + ("" if info.cues else " (no captions: the build transcribes it)"))
    return path


def _skip(result: AddResult, report: Report, name: str, vid: str, seed: Path) -> None:
    result.skipped.append(f'"{name}" ({vid}) is already in {seed}')
    report(f"skipped {result.skipped[-1]}")


def _fail(result: AddResult, report: Report, message: str) -> None:
    result.failed.append(PublisherError(message))
    report(result.failed[-1])
