"""A talk's source audio: the file already in <cache>/audio/, else a yt-dlp download."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import FetchError
from ..model import Talk
from .progress import Bar, bar

AUDIO_EXTS = {
    ".webm",
    ".weba",
    ".opus",
    ".ogg",
    ".oga",
    ".m4a",
    ".mp4",
    ".aac",
    ".mp3",
    ".flac",
    ".wav",
    ".mka",
    ".mkv",
    ".aiff",
    ".aif",
    ".wma",
    ".3gp",
}


def find_cached_audio(video_id: str, cache_dir: Path) -> Path | None:
    """<cache_dir>/audio/<video_id>.<audio ext>, ignoring partial downloads and the archive."""
    folder = Path(cache_dir) / "audio"
    if not folder.is_dir():
        return None
    for path in sorted(folder.iterdir()):
        if path.stem == video_id and path.suffix.lower() in AUDIO_EXTS and path.is_file():
            return path
    return None


class QuietLog:
    """yt-dlp logger: keeps messages for our error text instead of printing them."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def debug(self, msg: str) -> None:
        self.messages.append(msg)

    info = warning = error = debug


def fetch_audio(talk: Talk, cache_dir: Path, *, progress: bool = False) -> Path:
    """The talk's cached audio, downloading it with yt-dlp (best audio, resumable) if needed."""
    found = find_cached_audio(talk.video_id, cache_dir)
    if found:
        return found
    import yt_dlp  # slow to import; only needed for a download

    folder = Path(cache_dir) / "audio"
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / "archive.txt"
    log = QuietLog()
    with bar(f"downloading {talk.title}", None, progress) as shown:
        opts = {
            "format": "bestaudio/best",
            "outtmpl": str(folder / f"{talk.video_id}.%(ext)s"),
            "download_archive": str(archive),
            "continuedl": True,
            "retries": 10,
            "fragment_retries": 10,
            "socket_timeout": 30,
            "noplaylist": True,
            "quiet": True,
            "noprogress": True,
            "no_warnings": True,
            "logger": log,
            "progress_hooks": [lambda d: _show(d, shown)],
        }
        try:
            with yt_dlp.YoutubeDL(opts) as ydl:
                ydl.download([talk.url])
        except yt_dlp.utils.DownloadError as e:
            raise _failed(talk, error_reason(str(e))) from None
    found = find_cached_audio(talk.video_id, cache_dir)
    if found:
        return found
    if any("already been recorded in the archive" in m for m in log.messages):
        raise _failed(
            talk,
            f"listed in {archive} as fetched, but its file is gone; "
            "delete its line there to fetch it again",
        )
    raise _failed(talk, "yt-dlp produced no audio file")


def _show(d: dict, shown: Bar) -> None:
    total = d.get("total_bytes") or d.get("total_bytes_estimate")
    shown.update(d.get("downloaded_bytes") or 0, total)


def _failed(talk: Talk, reason: str) -> FetchError:
    return FetchError(
        f'cannot fetch the audio of "{talk.title}" from {talk.url}: {reason}', talk.source
    )


def error_reason(message: str) -> str:
    """yt-dlp's error message as one plain line."""
    message = re.sub(r"\x1b\[[0-9;]*m", "", message)
    first = message.strip().splitlines()[0] if message.strip() else ""
    first = re.sub(r"\s*\(caused by .*\)$", "", first)  # yt-dlp repeats the error in it
    return re.sub(r"^ERROR:\s*", "", first)
