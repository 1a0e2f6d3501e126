"""Transcript files beside each published audio file: WebVTT, SRT, Podcasting 2.0 JSON.

The lines passed in are already timed for the file (a clip's lines start at 0).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from .fsutil import write_text
from .model import Line, timestamp

MIN_CUE = 0.1  # seconds; a cue never ends before it starts


def _spans(lines: list[Line]) -> list[tuple[float, float, Line]]:
    """Each line's start and end, clamped so cues are non-negative and non-empty."""
    out = []
    for ln in lines:
        if not _flat(ln.text):
            continue  # an empty cue body would end the cue early
        start = max(0.0, ln.start)
        out.append((start, max(ln.end, start + MIN_CUE), ln))
    return out


def clock(seconds: float, sep: str) -> str:
    """HH:MM:SS.mmm (sep ".") as WebVTT writes times, or HH:MM:SS,mmm (sep ",") as SRT does."""
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _flat(text: str) -> str:
    """One line of text: a blank line or '-->' inside a cue would end or break it."""
    return " ".join(text.split()).replace("-->", "->")


def vtt_text(lines: list[Line]) -> str:
    def body(ln: Line) -> str:
        text = _escape(_flat(ln.text))
        return f"<v {_escape(_flat(ln.speaker))}>{text}" if ln.speaker else text

    return "\n".join(["WEBVTT\n", *_cues(lines, ".", body)])


def srt_text(lines: list[Line]) -> str:
    def body(ln: Line) -> str:
        return f"{_flat(ln.speaker)}: {_flat(ln.text)}" if ln.speaker else _flat(ln.text)

    return "\n".join(_cues(lines, ",", body))


def _cues(lines: list[Line], sep: str, body: Callable[[Line], str]) -> list[str]:
    """Numbered cues, as WebVTT and SRT both write them (they differ in the ms separator)."""
    return [
        f"{n}\n{clock(start, sep)} --> {clock(end, sep)}\n{body(ln)}\n"
        for n, (start, end, ln) in enumerate(_spans(lines), 1)
    ]


def json_data(lines: list[Line]) -> dict:
    segments = []
    for start, end, ln in _spans(lines):
        seg: dict = {"speaker": ln.speaker} if ln.speaker else {}
        seg |= {"startTime": round(start, 3), "endTime": round(end, 3), "body": _flat(ln.text)}
        segments.append(seg)
    return {"version": "1.0.0", "segments": segments}


def plain_text(lines: list[Line]) -> str:
    """'[mm:ss] Speaker: text' lines, as in the ID3 USLT frame."""
    out = []
    for ln in lines:
        who = f"{ln.speaker}: " if ln.speaker else ""
        out.append(f"[{timestamp(max(0.0, ln.start))}] {who}{_flat(ln.text)}")
    return "\n".join(out)


def write_vtt(lines: list[Line], path: Path) -> None:
    write_text(Path(path), vtt_text(lines))


def write_srt(lines: list[Line], path: Path) -> None:
    write_text(Path(path), srt_text(lines))


def write_json(lines: list[Line], path: Path) -> None:
    write_text(Path(path), json.dumps(json_data(lines), ensure_ascii=False, indent=1) + "\n")
