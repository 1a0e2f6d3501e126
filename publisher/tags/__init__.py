"""Tags inside each published audio file; one module per container format."""

from __future__ import annotations

from pathlib import Path

from ..errors import AudioError
from ..model import Episode
from .id3 import tag_mp3

_TAGGERS = {".mp3": tag_mp3}


def tag_episode(episode: Episode, *, feed_url: str = "") -> None:
    """Write every tag for `episode` into episode.path, replacing any old ones."""
    suffix = Path(episode.path).suffix.lower()
    tagger = _TAGGERS.get(suffix)
    if tagger is None:
        raise AudioError(f"cannot tag {episode.guid}: unsupported format {suffix!r}", episode.path)
    tagger(episode, feed_url=feed_url)


__all__ = ["tag_episode"]
