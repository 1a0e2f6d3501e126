"""Human file names for a talk's episodes: what podcast apps save the enclosures as.

A name is made once, for a clip (or the full talk) that has none, and is stored in
the plan file beside the GUID: it never changes after (a retitle does not rename).
The full talk is "<playlist>-<title>.mp3"; a clip "<playlist>-q<NN>-<title>.mp3"
(NN its question number, by model.places's rule) or "<playlist>-<kind>-<title>.mp3"
for an intro, talk or outro. Names are ASCII, at most MAX characters, and unique
in the talk's folder (case ignored: download folders may be case-insensitive).
Episodes published before names existed keep theirs (<guid>.mp3, full.mp3): the
talk's record says so (pipeline.records), and planfile.load_plan puts them back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import Plan, Segment, Talk, places, slugify

MAX = 80  # characters, ".mp3" included
_JOINED = re.compile(r"(?<=\w)[&'’](?=\w)")  # "Q&A", "don't": one word
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,195}\.mp3$")


def check_file(name: object) -> str | None:
    """Why `name` can't be an episode's file name (a plan file's `file`), or None."""
    if isinstance(name, str) and _FILE.match(name) and ".." not in name:
        return None
    return (
        f"bad file name {name!r:.60}: one plain file name ending in .mp3 "
        "(letters, digits, '-', '_' and '.', no '/' or '..', up to 200 characters)"
    )


def fill_files(plan: Plan, talk: Talk, taken: Iterable[str] = ()) -> bool:
    """Name the full talk and every clip of a plan (GUIDs assigned) that has no file
    name yet, avoiding the names `taken` (published ones); whether any was named."""
    used = {n.lower() for n in taken}
    used |= {s.file.lower() for s in plan.segments if s.file}
    used |= {plan.full_file.lower()} if plan.full_file else set()
    named = False
    if not plan.full_file:
        plan.full_file = _unique(full_name(talk), used)
        named = True
    numbers = places([(s, s.start, s.duration) for s in plan.segments], talk.duration)
    for seg in plan.segments:
        if not seg.file:
            seg.file = _unique(clip_name(talk, seg, numbers[seg.guid].number), used)
            named = True
    return named


def full_name(talk: Talk) -> str:
    """A full talk's file stem: playlist and title, as slugs."""
    return _name([talk.playlist], talk.title)


def clip_name(talk: Talk, seg: Segment, number: int) -> str:
    """A clip's file stem: playlist, "qNN" (or its kind) and title, as slugs."""
    return _name([talk.playlist, f"q{number:02d}" if number else seg.kind], seg.title)


def _name(head: list[str], title: str) -> str:
    """The stem "<head parts>-<title>", the title's slug cut at a word to fit MAX."""
    lead = "-".join(slugify(p, MAX) for p in head if p.strip())[: MAX // 2].strip("-")
    title = _JOINED.sub("", title)  # "Q&A" -> "qa", not "q-a"
    room = MAX - len(".mp3") - len(lead) - 1
    return f"{lead}-{_cut(slugify(title, MAX), room)}" if lead else _cut(slugify(title), room)


def _cut(slug: str, limit: int) -> str:
    if len(slug) <= limit:
        return slug
    words = slug[: limit + 1]
    return words[: words.rindex("-")] if "-" in words else slug[:limit]


def _unique(stem: str, used: set[str]) -> str:
    """stem.mp3, or stem-2.mp3, stem-3.mp3... the first not in `used` (which it joins)."""
    n = 1
    name = f"{stem}.mp3"
    while name.lower() in used:
        n += 1
        name = f"{_cut(stem, MAX - len('.mp3') - len(str(n)) - 1)}-{n}.mp3"
    used.add(name.lower())
    return name
