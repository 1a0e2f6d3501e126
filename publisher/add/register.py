"""The show file's side of `add`: which seeds it lists, and listing a new folder in
its `[show] seeds` (comments and layout kept, written atomically)."""

from __future__ import annotations

import glob
import os
import tomllib
from pathlib import Path

import tomlkit

from ..errors import ShowError
from ..fsutil import write_text


def _show_table(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ShowError("show file not found", path) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ShowError(f"cannot read the show file: {e}", path) from None
    return data.get("show", data)


def show_title(path: Path) -> str:
    return str(_show_table(path).get("title") or "")


def listed_seeds(path: Path) -> list[Path]:
    """The seed files the show's patterns match now (a pattern matching nothing is
    no error here: the folder `add` is about to fill may be what it waits for)."""
    patterns = _show_table(path).get("seeds") or []
    found: list[Path] = []
    for pattern in [patterns] if isinstance(patterns, str) else patterns:
        found += [Path(m) for m in sorted(glob.glob(str(path.parent / pattern), recursive=True))]
    return found


def register(path: Path, folder: Path) -> str | None:
    """Add "<folder>/*.txt" (relative to the show file) to `[show] seeds`, unless the
    show's patterns already match every seed in `folder`. Returns the pattern added."""
    listed = {p.resolve() for p in listed_seeds(path)}
    if all(p.resolve() in listed for p in folder.glob("*.txt")):
        return None
    pattern = Path(os.path.relpath(folder, path.parent)).as_posix() + "/*.txt"
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    table = doc.get("show", doc)
    seeds = table.get("seeds")
    if isinstance(seeds, list):
        seeds.append(pattern)
    else:
        table["seeds"] = [str(seeds), pattern] if seeds else [pattern]
    write_text(path, tomlkit.dumps(doc))
    return pattern
