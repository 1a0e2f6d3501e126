"""Tags inside each published audio file; one module per container format, sharing
what the tags say (fields.py)."""

from __future__ import annotations

from pathlib import Path

from ..errors import AudioError
from ..model import Episode
from .id3 import tag_mp3
from .mp4 import tag_m4a

_TAGGERS = {".mp3": tag_mp3, ".m4a": tag_m4a}


def tag_episode(episode: Episode, *, feed_url: str = "") -> None:
    """Write every tag for `episode` into episode.path and into each of its alternate
    encodings, replacing any old ones; their sizes are updated."""
    episode.size = _tag(episode, Path(episode.path), feed_url)
    for fmt, alternate in episode.alternates.items():
        alternate.size = _tag(episode, episode.alternate_path(fmt), feed_url)


def _tag(episode: Episode, path: Path, feed_url: str) -> int:
    suffix = path.suffix.lower()
    tagger = _TAGGERS.get(suffix)
    if tagger is None:
        raise AudioError(f"cannot tag {episode.guid}: unsupported format {suffix!r}", path)
    tagger(episode, path, feed_url=feed_url)
    return path.stat().st_size


__all__ = ["tag_episode"]
