"""The Captions section of a seed: SRT-style cues, YouTube WebVTT or json3 -> Cues."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

from ..errors import SeedError
from ..model import Cue

_TS = r"(?:(\d{1,6}):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TS}\s*-->\s*{_TS}(?:\s+.*)?$")
_TAG = re.compile(r"<[^>]*>")
_WORD_TIME = re.compile(r"<(?:\d{1,6}:)?\d{1,2}:\d{1,2}\.\d{1,3}>")
_LEADING_TS = re.compile(r"^\s*<(?:(\d{1,6}):)?(\d{1,2}):(\d{1,2})\.(\d{1,3})>")
_BLOCKS_TO_SKIP = ("NOTE", "STYLE", "REGION")
OUT_OF_ORDER = 2.0  # seconds a cue may start before the previous one (YouTube overlaps)


def parse_captions(lines: list[str], first_line: int, path: Path) -> list[Cue]:
    """Parse a Captions section body; `first_line` is the file line of `lines[0]`.

    Accepts SRT-style cues (index numbers optional), YouTube's rolling WebVTT
    and YouTube json3. Raises SeedError naming the offending line.
    """
    body = [ln.rstrip("\r") for ln in lines]
    head = next((ln.strip() for ln in body if ln.strip()), "")
    if not head:
        raise SeedError("no caption cues", path, first_line)
    if head.startswith("{"):
        cues = _parse_json3("\n".join(body), first_line, path)
    elif not head.startswith("WEBVTT"):
        cues = _parse_cues(body, first_line, path, vtt=False)
        cues = [Cue(c.start, c.end, " ".join(c.text.split()), c.line) for c in cues]
    else:
        cues = _parse_cues(body, first_line, path, vtt=True)
        if any(_WORD_TIME.search(c.text) for c in cues):  # YouTube's rolling captions
            cues = _rolling_to_lines(cues)
        else:
            cues = [Cue(c.start, c.end, _clean(c.text), c.line) for c in cues]
    if not cues:
        raise SeedError("no caption cues", path, first_line)
    _check_order(cues, path)
    return cues


def _seconds(groups: tuple[str | None, ...]) -> float | None:
    h, m, s, frac = groups
    if int(m) >= 60 or int(s) >= 60:
        return None
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(frac.ljust(3, "0")) / 1000


def _timing(text: str, lineno: int, path: Path) -> tuple[float, float]:
    m = _TIMING.match(text)
    start = _seconds(m.groups()[:4]) if m else None
    end = _seconds(m.groups()[4:8]) if m else None
    if start is None or end is None:
        raise SeedError(f"bad caption timestamp {text.strip()[:60]!r}", path, lineno)
    if end < start:
        raise SeedError("caption cue ends before it starts", path, lineno)
    return start, end


def _parse_cues(body: list[str], first_line: int, path: Path, vtt: bool) -> list[Cue]:
    """Cues with their raw text lines joined by newlines (tags kept for WebVTT)."""
    cues: list[Cue] = []
    start = end = 0.0
    cue_line = 0
    text: list[str] = []
    after_blank = True
    skipping = vtt  # the WEBVTT header block, then NOTE/STYLE blocks

    def flush() -> None:
        if cue_line:
            cues.append(Cue(start, end, "\n".join(text), cue_line))

    for i, raw in enumerate(body):
        lineno = first_line + i
        line = raw[1:] if raw.startswith("\t") else raw
        if not line.strip() and (not vtt or not line):
            after_blank, skipping = True, False
            continue
        if "-->" in line:
            flush()
            start, end = _timing(line, lineno, path)
            cue_line, text, after_blank, skipping = lineno, [], False, False
            continue
        if skipping:
            continue
        if after_blank and vtt and line.strip().startswith(_BLOCKS_TO_SKIP):
            skipping = True
            continue
        nxt = body[i + 1] if i + 1 < len(body) else ""
        if after_blank and "-->" in nxt:
            continue  # a cue index (SRT) or identifier (WebVTT)
        if not cue_line:
            raise SeedError(
                f"expected a caption timestamp, got {line.strip()[:40]!r}", path, lineno
            )
        text.append(line)
        after_blank = False
    flush()
    return cues


def _clean(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def _rolling_to_lines(cues: list[Cue]) -> list[Cue]:
    """De-duplicate YouTube's rolling WebVTT: one Cue per new caption line.

    Each rolling cue repeats the line before it and adds one; 10 ms "hold"
    cues repeat only. A line with inline word timings is always new; untagged
    lines are new unless they repeat the last line shown.
    """
    out: list[tuple[float, float, str, int]] = []  # start, end, text, line
    for cue in cues:
        shown = out[-1][2] if out else None
        for raw in cue.text.split("\n"):
            text = _clean(raw)
            if not text:
                continue
            tagged = _TAG.search(raw) is not None
            if not tagged and text == shown:
                shown = None  # a repeat; a second identical line is new
                continue
            m = _LEADING_TS.match(raw)
            start = _seconds(m.groups()) if m else None
            out.append((cue.start if start is None else start, cue.end, text, cue.line))
            shown = None
    result = []
    for i, (start, end, text, line) in enumerate(out):
        if i + 1 < len(out):
            end = max(start, out[i + 1][0])
        result.append(Cue(start, end, text, line))
    return result


def _parse_json3(text: str, first_line: int, path: Path) -> list[Cue]:
    """YouTube json3: each event with words is a caption line."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SeedError(f"bad json3 captions: {e.msg}", path, first_line + e.lineno - 1) from None
    except (RecursionError, ValueError) as e:  # nesting too deep, numbers too long
        raise SeedError(f"bad json3 captions: {e}", path, first_line) from None
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list):
        raise SeedError("json3 captions have no 'events' list", path, first_line)
    cues = []
    for ev in events:
        if not isinstance(ev, dict) or ev.get("aAppend") or not isinstance(ev.get("segs"), list):
            continue
        try:
            start = float(ev.get("tStartMs", 0)) / 1000
            end = start + float(ev.get("dDurationMs", 0)) / 1000
            words = "".join(str(s.get("utf8", "")) for s in ev["segs"] if isinstance(s, dict))
        except (TypeError, ValueError):
            start = end = math.nan
        if not (math.isfinite(start) and math.isfinite(end) and 0 <= start <= end):
            raise SeedError("bad json3 caption event timing", path, first_line)
        if words.strip():
            cues.append(Cue(start, end, " ".join(words.split()), first_line))
    return cues


def _check_order(cues: list[Cue], path: Path) -> None:
    for prev, cue in zip(cues, cues[1:], strict=False):
        if cue.start < prev.start - OUT_OF_ORDER:
            raise SeedError(
                f"caption cue out of order: starts at {cue.start:.3f} s,"
                f" before the previous cue at {prev.start:.3f} s",
                path,
                cue.line,
            )
