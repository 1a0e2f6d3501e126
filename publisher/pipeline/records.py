"""What each published talk was built from, kept with the show's output.

A record holds a talk's episodes as published, the fingerprint of what they were
built from (code, show settings, and the seed and plan text the build read), the
seed's path and text digest, and the plan's planner values. Records are named by
video id, so a talk's record outlives its seed's name: the next build relinks an
unchanged talk's published files instead of building it again; a talk that fails
keeps the episodes it had, whatever made it fail; and a talk whose plan file is
gone is planned again with its published GUIDs and file names. Listeners never
lose what was published.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from lxml import etree

from ..errors import InputError
from ..feed.catalog import HOME, topics
from ..fsutil import code_identity, link_or_copy, write_bytes
from ..ingest.limits import read_input
from ..model import Alternate, Episode, Plan, Segment, full_guid, talk_folder
from ..plan.planfile import plan_path, text_digest
from ..plan.replan import FIELDS, ROUGH, TIMES, marks
from ..show import Show

FOLDER = ".records"  # under public/<show>/; dotfiles are not served
VERSION = 2


@dataclass
class Record:
    fingerprint: str
    video_id: str
    episodes: list[Episode]  # paths relative to the show's folder
    seed: str = ""  # the seed's path relative to the show file's folder ("" before VERSION 2)
    seed_digest: str = ""  # text_digest of the seed the build read
    planned: dict[str, dict[str, str]] | None = None  # the plan's planner values
    origin: Path | None = field(default=None, compare=False, repr=False)  # file read from

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "origin"}

    @property
    def plan(self) -> Plan:
        """The talk's plan as published: its clips, with their GUIDs, times, titles and
        file names (each episode's as published: <guid>.mp3 and full.mp3 before names)."""
        clips = sorted(
            (replace(ep.segment, file=ep.path.name) for ep in self.episodes if ep.segment),
            key=lambda s: s.start,
        )
        full = next((ep.path.name for ep in self.episodes if ep.segment is None), "")
        return Plan(self.video_id, clips, planned=dict(self.planned or {}), full_file=full)


def fingerprint(show: Show, standin: bool, seed_digest: str, plan_digest: str) -> str:
    """What a talk's published files depend on, given the digests of the seed and
    plan text that were (or would be) read."""
    settings = dataclasses.replace(  # pinned guids: what a build stores, not a setting
        show, path=Path(), seeds=[], podcast_guid="", feed_guids={}
    )
    art = show.artwork.read_bytes() if show.artwork and show.artwork.is_file() else b""
    h = hashlib.sha256(f"{VERSION}\0{code_identity()}\0{settings!r}\0{standin}".encode())
    for part in (seed_digest, plan_digest, hashlib.sha256(art).hexdigest()):
        h.update(part.encode() + b"\0")
    return h.hexdigest()


def digests(seed: Path) -> tuple[str | None, str | None]:
    """The digests of a seed's text and its plan file's as they are now, each None
    if it can't be read (no plan file yet, not a regular file...)."""
    return _digest(seed), _digest(plan_path(seed))


def _digest(path: Path) -> str | None:
    try:
        return text_digest(read_input(path, "input"))
    except InputError:
        return None


def seed_key(show: Show, seed: Path) -> str:
    """A seed's path relative to the show file, as records keep it."""
    return os.path.relpath(Path(seed).resolve(), show.path.resolve().parent)


def _path(folder: Path, video_id: str) -> Path:
    return folder / FOLDER / f"{video_id}.pickle"


def save(folder: Path, record: Record) -> None:
    """Write a record (episode paths relative to `folder`) into the staged show; one
    read from a published show and unchanged is linked, byte for byte."""
    if record.origin is None:
        write_bytes(_path(folder, record.video_id), pickle.dumps(record))
        return
    (folder / FOLDER).mkdir(parents=True, exist_ok=True)
    link_or_copy(str(record.origin), str(folder / FOLDER / record.origin.name))


def load_all(folder: Path) -> dict[str, Record]:
    """Every readable record of a published show, by video id (records of older
    versions, named by seed path, too)."""
    found = (_read(p) for p in sorted((folder / FOLDER).glob("*.pickle")))
    return {r.video_id: r for r in found if r}


def find(folder: Path, video_id: str) -> Record | None:
    """The record of one talk of a published show, if there is a readable one."""
    record = _read(_path(folder, video_id))
    if record is None:  # named by seed path, by a version before 2?
        older = (folder / FOLDER).glob("*.pickle")
        found = (_read(p) for p in sorted(older) if re.fullmatch("[0-9a-f]{24}", p.stem))
        record = next((r for r in found if r and r.video_id == video_id), None)
    return record


def published_plan(folder: Path, video_id: str) -> Plan | None:
    """A talk's clips as published: from its record; without one (deleted), from its
    published chapters, which know each clip's GUID, title and times, and its home
    feed, which knows the file name of each episode's enclosure."""
    record = find(folder, video_id)
    if record:
        return record.plan
    try:
        data = json.loads((folder / talk_folder(video_id) / "chapters.json").read_text())
        clips = [
            Segment(float(c["startTime"]), float(c["endTime"]), "question", str(c["title"]),
                    "", [], [], _clip_guid(c["url"]))
            for c in data["chapters"]
        ]  # fmt: skip
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    files = _enclosure_names(folder)
    for c in clips:
        c.file = files.get(c.guid, "")
    # the title counts as a person's (kept), the times as rough, the rest as the planner's
    known = [f for f in FIELDS if f != "title"]
    rough = dict.fromkeys(TIMES, ROUGH)
    planned = {c.guid: {f: marks(c)[f] for f in known} | rough for c in clips}
    full = files.get(full_guid(video_id), "")
    return Plan(video_id, clips, planned=planned, full_file=full)


def _enclosure_names(folder: Path) -> dict[str, str]:
    """GUID -> the file name of its enclosure, by the published show's home feeds."""
    names = {}
    for feed in HOME.values():
        try:
            root = etree.parse(str(folder / feed), etree.XMLParser(resolve_entities=False))
        except (OSError, etree.XMLSyntaxError):
            continue  # unreadable: its episodes are named afresh
        for item in root.iterfind("channel/item"):
            guid, enclosure = item.findtext("guid"), item.find("enclosure")
            if guid and enclosure is not None:
                names[guid] = PurePosixPath(urlsplit(enclosure.get("url", "")).path).name
    return names


def _clip_guid(url: str) -> str:
    """The GUID of the clip a published chapter links to: the anchor of its card on
    the talk page (model.clip_page), or its MP3's name in shows published before."""
    parts = urlsplit(url)
    return parts.fragment or Path(parts.path).stem


def _read(path: Path) -> Record | None:
    try:
        record = pickle.loads(path.read_bytes())
    except Exception:  # none yet, damaged, or written by other code: build afresh
        return None
    if not isinstance(record, Record) or not isinstance(record.video_id, str):
        return None
    record.origin = path
    record.episodes = [_current(ep) for ep in record.episodes]
    names = [f.name for f in dataclasses.fields(Episode)]
    if not all(hasattr(ep, n) for ep in record.episodes for n in names):
        return None  # written before Episode gained a field: build afresh
    return record


def _current(ep: Episode) -> Episode:
    """An episode recorded when its files were named by absolute URLs (url, image_url,
    links, Alternate.url), named by its paths in the show folder, as now."""
    old = vars(ep)
    if "url" not in old:
        return ep

    def local(url: str) -> str:  # episodes/<video id>/<file>: the layout never changed
        return "/".join(urlsplit(url).path.split("/")[-3:])

    return dataclasses.replace(
        ep,
        cover=local(old.get("image_url", "")) if old.get("image_url") else "",
        links={k: local(v) for k, v in ep.links.items()},
        alternates={f: Alternate(a.size) for f, a in ep.alternates.items()},
    )


def topic_names(published: dict[str, Record]) -> dict[str, str]:
    """Topic slug -> name, as the show's published clips first named it: the rule the
    feeds name their topics by (feed.catalog.topics)."""
    return topics([ep for r in published.values() for ep in r.episodes])


def intact(record: Record, published: Path) -> bool:
    """Whether every episode file of a recorded talk is in the published show."""
    return all((published / ep.path).is_file() for ep in record.episodes)


def relink(record: Record, published: Path, staging: Path) -> list[Episode]:
    """Hard-link a recorded talk's published folder into the staged show (copying
    where links are not possible); its episodes, as published."""
    talk_dir = talk_folder(record.video_id)
    target = staging / talk_dir
    shutil.rmtree(target, ignore_errors=True)  # what a failed attempt left
    shutil.copytree(published / talk_dir, target, copy_function=link_or_copy)
    for ep in record.episodes:
        if not (staging / ep.path).is_file():
            raise FileNotFoundError(2, "published file missing", str(published / ep.path))
    return list(record.episodes)
