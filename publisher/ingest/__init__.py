"""Ingest: a seed document -> Talk with a clean transcript."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import SeedError
from ..model import Talk
from .limits import read_input
from .seed import parse_seed

__all__ = ["load_talk", "parse_seed", "refuse_copies"]


def load_talk(path: Path) -> Talk:
    """Read and parse a seed file. Raises SeedError (one line: path:line: message)."""
    path = Path(path)
    return parse_seed(read_input(path, "seed", SeedError), path)


def refuse_copies(talks: list[tuple[Path, Talk]], published: Callable[[Path], bool]) -> None:
    """Two seeds of one video would publish into one folder: refuse the copy, naming
    the line that gives its video. Of (seed, talk) pairs, in the show's seed order, the
    copy is the seed that isn't `published` already, else the later one."""
    first: dict[str, Path] = {}
    for seed, talk in sorted(talks, key=lambda pair: not published(pair[0])):  # stable
        original = first.setdefault(talk.video_id, seed)
        if original != seed:
            raise SeedError(
                f"video {talk.video_id!r} is also the video of {original}: a copied seed?"
                " Give it its own URL",
                seed,
                talk.url_line or None,
            )
