"""A talk's metadata -> a seed document, in the layout of the bundled seeds
(seeds/kvm-forum-2018/contributor-qa-panel.txt), for a person to read and fix."""

from __future__ import annotations

import re

from ..model import Cue, Speaker, timestamp
from .listing import TalkInfo
from .speakers import People

_CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")


def seed_text(info: TalkInfo, playlist: str, people: People) -> str:
    lines = [
        f"Title: {info.title}",
        f"Publication date: {info.date.isoformat()}",
        f"Playlist: {playlist}",
    ]
    if not info.youtube:  # the seed's URL is a page: its id must be stated
        lines.append(f"Video ID: {info.video_id}")
    lines.append("Description: ")
    lines += [f"\t{ln}" if ln else "" for ln in _description(info)]
    lines.append("")
    if credits := credits_line(people):
        lines += [credits, ""]
    lines += ["---", ""]
    blocks = people.speakers + ([people.moderator] if people.moderator else [])
    for n, person in enumerate(blocks):
        lines += _block(person) + ([""] if n < len(blocks) - 1 else [])
    lines.append("Captions: ")
    cues = _cues(info.cues)
    lines += [f"\t{cues[0]}", *cues[1:]]
    lines += [f"YouTube URL: {info.url}", ""]
    return "\n".join(lines)


def credits_line(people: People) -> str:
    """ "Presented by A, B and C moderated by D", as the seed grammar reads it."""
    names = [p.name for p in people.speakers]
    listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
    mod = people.moderator.name if people.moderator else ""
    if listed:
        return f"Presented by {listed}" + (f" moderated by {mod}" if mod else "")
    return f"Moderated by {mod}" if mod else ""


def _description(info: TalkInfo) -> list[str]:
    lines = [ln.strip() for ln in info.description.splitlines()]
    if info.chapters and not _CLOCK.search(info.description):
        lines += ["", "Chapters:"] + [f"{timestamp(t)} {title}" for t, title in info.chapters]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text.split("\n") if text else []


def _block(person: Speaker) -> list[str]:
    """Name, then the organisation alone (the grammar reads a lone line as one)."""
    return [person.name] + ([person.organisation] if person.organisation else [])


def _time(t: float) -> str:
    ms = round(t * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def _cues(cues: list[Cue]) -> list[str]:
    """SRT-style cues without index numbers, one text line each, blank-separated."""
    out = []
    for cue in cues:
        text = " ".join(cue.text.split()).replace("-->", "->")
        out += [f"{_time(cue.start)} --> {_time(cue.end)}", text, ""]
    return out
