"""A talk's metadata -> a seed document, in the layout of the bundled seeds
(seeds/kvm-forum-2018/contributor-qa-panel.txt), for a person to read and fix."""

from __future__ import annotations

import re

from ..ingest.people import People
from ..model import Cue, Speaker, timestamp
from .listing import TalkInfo

_CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")
_NO_ARROW = re.compile(r"-{2,}>")  # "-->" in a caption would read as a timing line


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
    if info.cues:  # none: the build transcribes the talk's audio
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


def _time(t: float, sep: str = ",") -> str:
    ms = round(t * 1000)
    clock = f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}"
    return f"{clock}{sep}{ms % 1000:03d}"


def _cues(cues: list[Cue]) -> list[str]:
    """The captions as the seed parser reads them back with what they know: WebVTT
    with a <time> tag before each word where the captions time words, else SRT-style
    cues without index numbers; one text line each, blank-separated."""
    timed = any(c.word_times for c in cues)
    out = ["WEBVTT", ""] if timed else []
    for cue in cues:
        text = _vtt_line(cue) if timed else _plain(cue)
        if text or not timed:  # an empty cue would be no WebVTT line at all
            sep = "." if timed else ","
            out += [f"{_time(cue.start, sep)} --> {_time(cue.end, sep)}", text, ""]
    return out


def _words(cue: Cue) -> list[str]:
    return [_NO_ARROW.sub("->", w) for w in cue.text.split()]


def _plain(cue: Cue) -> str:
    return " ".join([">>"] * cue.turn + _words(cue))


def _vtt_line(cue: Cue) -> str:
    """ ">> " for a speaker change, then each word after its start time; a line whose
    words are untimed (or start after the cue) starts with the cue's time, so the
    parser takes it as a new timed line starting there."""
    words = [w.replace("&", "&amp;").replace("<", "&lt;") for w in _words(cue)]
    times = cue.word_times if len(cue.word_times) == len(words) else ()
    stamped = [f"<{_time(t, '.')}>{w}" for t, w in zip(times, words, strict=False)] or words
    starts_late = not cue.turn and times and round(times[0], 3) != round(cue.start, 3)
    lead = f"<{_time(cue.start, '.')}>" if words and (not times or starts_late) else ""
    return " ".join([">>"] * cue.turn + [lead + " ".join(stamped)]).strip()
