"""What each published talk was built from, kept with the show's output.

A record holds the talk's fingerprint (code, show settings, seed and plan
file) and its episodes. The next build relinks an unchanged talk's published
files instead of building it again, and a talk that fails keeps the episodes
it had: listeners never lose what was published.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..fsutil import write_bytes
from ..model import Episode
from ..plan.planfile import plan_path
from ..show import Show

FOLDER = ".records"  # under public/<show>/; dotfiles are not served
VERSION = 1


@dataclass
class Record:
    fingerprint: str
    video_id: str
    episodes: list[Episode]  # paths relative to the show's folder


@cache
def code_identity() -> str:
    """A hash of the package's code and templates: new code rebuilds every talk."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix not in (".pyc",) and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def fingerprint(show: Show, seed: Path, standin: bool) -> str | None:
    """What a talk's published files depend on; None if its plan file is not written yet."""
    plan = plan_path(seed)
    try:
        inputs = [seed.read_bytes(), plan.read_bytes()]
    except OSError:
        return None
    settings = dataclasses.replace(show, path=Path(), seeds=[], podcast_guid="")
    art = show.artwork.read_bytes() if show.artwork and show.artwork.is_file() else b""
    h = hashlib.sha256(f"{VERSION}\0{code_identity()}\0{settings!r}\0{standin}".encode())
    for data in (*inputs, art):
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def _path(folder: Path, show: Show, seed: Path) -> Path:
    """One record per seed, named by the seed's path relative to the show file."""
    rel = os.path.relpath(seed.resolve(), show.path.resolve().parent)
    return folder / FOLDER / f"{hashlib.sha256(rel.encode()).hexdigest()[:24]}.pickle"


def save(folder: Path, show: Show, seed: Path, fp: str, video_id: str, episodes: list[Episode]):
    """Record a talk built into `folder` (the staged show)."""
    rel = [dataclasses.replace(ep, path=ep.path.relative_to(folder)) for ep in episodes]
    write_bytes(_path(folder, show, seed), pickle.dumps(Record(fp, video_id, rel)))


def load(folder: Path, show: Show, seed: Path) -> Record | None:
    """The record of a seed in a published show, if there is a readable one."""
    try:
        record = pickle.loads(_path(folder, show, seed).read_bytes())
    except (OSError, pickle.UnpicklingError, AttributeError, EOFError, TypeError, ImportError):
        return None  # none yet, or written by other code: build afresh
    if not isinstance(record, Record):
        return None
    names = [f.name for f in dataclasses.fields(Episode)]
    if not all(hasattr(ep, n) for ep in record.episodes for n in names):
        return None  # written before Episode gained a field: build afresh
    return record


def carry(published: Path, staging: Path, show: Show, seed: Path) -> None:
    """Link a seed's record, unchanged, from the published show into the staged one."""
    src, dst = _path(published, show, seed), _path(staging, show, seed)
    dst.parent.mkdir(parents=True, exist_ok=True)
    _link_or_copy(str(src), str(dst))


def relink(record: Record, published: Path, staging: Path) -> list[Episode]:
    """Hard-link a recorded talk's published folder into the staged show (copying
    where links are not possible); its episodes, pointing into the staging tree."""
    talk_dir = f"episodes/{record.video_id}"
    target = staging / talk_dir
    shutil.rmtree(target, ignore_errors=True)  # what a failed attempt left
    shutil.copytree(published / talk_dir, target, copy_function=_link_or_copy)
    episodes = [dataclasses.replace(ep, path=staging / ep.path) for ep in record.episodes]
    for ep in episodes:
        if not ep.path.is_file():
            raise FileNotFoundError(2, "published file missing", str(published / ep.path))
    return episodes


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
