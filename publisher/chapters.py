"""Chapters of a full-talk episode, and the JSON Chapters 1.2.0 file beside it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .fsutil import write_text
from .model import Chapter, Render, Segment


def chapters_from_render(
    render: Render,
    url_of: Callable[[Segment], str] = lambda seg: "",
) -> list[Chapter]:
    """One chapter per segment, timed in the full episode.

    Chapters cover the whole file: a gap piece belongs to the chapter before it,
    and a leading gap to the first chapter, so the first chapter starts at 0.
    """
    chapters: list[Chapter] = []
    t = 0.0
    for piece in render.pieces:
        if piece.segment is not None:
            start = t if chapters else 0.0
            if chapters:
                chapters[-1] = _ending(chapters[-1], start)
            seg = piece.segment
            chapters.append(
                Chapter(start, t + piece.duration, seg.title, url_of(seg), seg.kind, seg.guid)
            )
        t += piece.duration
    if chapters:
        chapters[-1] = _ending(chapters[-1], max(t, chapters[-1].start))
    return chapters


def _ending(ch: Chapter, end: float) -> Chapter:
    return replace(ch, end=end)


def chapters_json(chapters: list[Chapter], *, title: str = "") -> dict:
    data: dict = {"version": "1.2.0"}
    if title:
        data["title"] = title
    data["chapters"] = []
    for ch in chapters:
        item: dict = {"startTime": round(ch.start, 3), "title": ch.title}
        if ch.end > ch.start:
            item["endTime"] = round(ch.end, 3)
        if ch.url:
            item["url"] = ch.url
        data["chapters"].append(item)
    return data


def write_chapters_json(chapters: list[Chapter], path: Path, *, title: str = "") -> None:
    text = json.dumps(chapters_json(chapters, title=title), ensure_ascii=False, indent=1)
    write_text(Path(path), text + "\n")
