"""Ingest: a seed document -> Talk with a clean transcript."""

from __future__ import annotations

from pathlib import Path

from ..errors import SeedError
from ..model import Talk
from .seed import parse_seed

__all__ = ["load_talk", "parse_seed"]


def load_talk(path: Path) -> Talk:
    """Read and parse a seed file. Raises SeedError (one line: path:line: message)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SeedError(f"cannot read seed: {e.strerror or e}", path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise SeedError(f"not UTF-8 text (bad byte 0x{data[e.start]:02x})", path, line) from None
    return parse_seed(text, path)
