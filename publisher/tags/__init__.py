"""Tags inside each published audio file; one module per container format, sharing
what the tags say (fields.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..errors import AudioError
from ..model import Episode
from .id3 import tag_mp3
from .mp4 import tag_m4a

_TAGGERS = {".mp3": tag_mp3, ".m4a": tag_m4a}


def tag_episode(episode: Episode, root: Path, *, feed_url: str = "") -> Episode:
    """Write every tag for `episode` into its file in the show folder `root`, and into
    each of its alternate encodings, replacing any old ones; returns the episode with
    their tagged sizes."""
    size = _tag(episode, Path(root) / episode.path, feed_url)
    alternates = {
        fmt: replace(alt, size=_tag(episode, Path(root) / episode.alternate_path(fmt), feed_url))
        for fmt, alt in episode.alternates.items()
    }
    return replace(episode, size=size, alternates=alternates)


def _tag(episode: Episode, path: Path, feed_url: str) -> int:
    suffix = path.suffix.lower()
    tagger = _TAGGERS.get(suffix)
    if tagger is None:
        raise AudioError(f"cannot tag {episode.guid}: unsupported format {suffix!r}", path)
    tagger(episode, path, feed_url=feed_url)
    return path.stat().st_size


__all__ = ["tag_episode"]
