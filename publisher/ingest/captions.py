"""The Captions section of a seed: SRT-style cues, YouTube WebVTT or json3 -> Cues."""

from __future__ import annotations

import html
import json
import math
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

from ..errors import SeedError
from ..model import WORD_SECONDS, Cue, timestamp
from .limits import MAX_CUE, MAX_GAP, MAX_TALK, bad_char, strip_bad

_TS = r"(?:(\d{1,6}):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TS}\s*-->\s*{_TS}(?:\s+.*)?$")
_TAG = re.compile(r"<[^>]*>")
_WORD_TIME = re.compile(r"<(?:(\d{1,6}):)?(\d{1,2}):(\d{1,2})\.(\d{1,3})>")
_LEADING_TS = re.compile(rf"^\s*{_WORD_TIME.pattern}")
_WORD = re.compile(r"\S+")
TURN = ">>"  # YouTube's speaker-change mark, a word of its own
# A speaker label opening a turn, as human captions write them: "MARY SMITH:", "Dr. Lee:",
# "SPEAKER 2:" (one to five capitalised words or numbers, then a colon)
_NAME = r"(?:[A-Z][\w.'()\[\]?/-]*|\d+)"
_LABEL = re.compile(rf"^({_NAME}(?: {_NAME}){{0,4}}):(?:\s+|$)")
_VOICE = re.compile(r"^\s*<v(?:\.[^\s>]*)?\s+([^>]+)>")  # WebVTT's voice span
_BLOCKS_TO_SKIP = ("NOTE", "STYLE", "REGION")
OUT_OF_ORDER = 2.0  # seconds a cue may start before the previous one (YouTube overlaps)


def parse_captions(
    lines: list[str], first_line: int, path: Path, *, machine: bool = False
) -> list[Cue]:
    """Parse a Captions section body; `first_line` is the file line of `lines[0]`.
    Control characters are refused, or dropped if the captions are `machine`-made
    (fetched by `publisher add`, not in a seed a person edits).

    Accepts SRT-style cues (index numbers optional), YouTube's rolling WebVTT
    and YouTube json3; the latter two time words too (Cue.word_times). A ">>" mark
    starts a cue of its own with turn=True. Raises SeedError naming the offending line.
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
            cues = [_voiced(c) for c in cues]
    if machine:
        cues = [replace(c, text=strip_bad(c.text)) for c in cues]
    _check_bounds(cues, path)
    cues = _speakers(_turns(cues))
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


def _voiced(cue: Cue) -> Cue:
    """A WebVTT cue's clean text, and its voice span's name (<v Mary>) as its speaker."""
    m = _VOICE.match(cue.text)
    return Cue(cue.start, cue.end, _clean(cue.text), cue.line, speaker=_clean(m[1]) if m else "")


def _speakers(cues: list[Cue]) -> list[Cue]:
    """Who speaks each cue, where the captions say: a voice span, or a label that opens
    a cue after a ">>" mark or opens cues at least twice (so a lone "Note:" is not a
    speaker). Labels leave the text. A new speaker starts a turn, and speaks every cue
    after it up to the next turn."""
    opened = [_LABEL.match(c.text) for c in cues]
    seen = Counter(m[1] for c, m in zip(cues, opened, strict=True) if m and not c.turn)
    out, speaker = [], ""
    for c, m in zip(cues, opened, strict=True):
        if m and not c.speaker and (c.turn or seen[m[1]] >= 2):
            times = c.word_times[len(m[1].split()) :]  # the label's words aren't said
            c = replace(c, text=c.text[m.end() :], speaker=m[1], word_times=times)
        if c.speaker:
            c = replace(c, turn=c.turn or c.speaker != speaker)
            speaker = c.speaker
        elif c.turn:
            speaker = ""
        out.append(replace(c, speaker=speaker))
    return out


def _rolling_to_lines(cues: list[Cue]) -> list[Cue]:
    """De-duplicate YouTube's rolling WebVTT: one Cue per new caption line.

    Each rolling cue repeats the line before it and adds one; 10 ms "hold"
    cues repeat only. A line with inline word timings is always new; untagged
    lines are new unless they repeat the last line shown.
    """
    out: list[Cue] = []  # with the end of each still to be set
    for cue in cues:
        shown = out[-1].text if out else None
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
            start = cue.start if start is None else start
            out.append(Cue(start, cue.end, text, cue.line, word_times=_vtt_times(raw, start, text)))
            shown = None
    return [
        replace(c, end=max(c.start, out[i + 1].start)) if i + 1 < len(out) else c
        for i, c in enumerate(out)
    ]


def _vtt_times(raw: str, start: float, text: str) -> tuple[float, ...]:
    """Word times of a rolling line: its first word at `start`, later ones at the
    <hh:mm:ss.mmm> tag before them; () unless they give every word of `text`."""
    pieces: list[tuple[float, str]] = []
    at, pos = start, 0
    for m in _WORD_TIME.finditer(raw):
        pieces.append((at, raw[pos : m.start()]))
        t = _seconds(m.groups())
        at, pos = math.nan if t is None else t, m.end()  # 0:61:00 is no time
    pieces.append((at, raw[pos:]))
    words, times = _timed_words([(t, html.unescape(_TAG.sub("", p))) for t, p in pieces])
    return times if words == text else ()


def _timed_words(pieces: list[tuple[float, str]]) -> tuple[str, tuple[float, ...]]:
    """Text from (start time, text) pieces, and each word's start: the time of the
    piece it starts in. The times are () unless each piece starts at most one word
    (a ">>" mark aside) and every time is a number."""
    words: list[str] = []
    times: list[float] = []
    known, glued = True, False  # glued: the text so far ends inside a word
    for at, piece in pieces:
        started = False
        for m in _WORD.finditer(piece):
            if m.start() == 0 and glued:
                words[-1] += m.group()  # a word split across pieces
                continue
            known = known and not (started and m.group() != TURN) and math.isfinite(at)
            started = started or m.group() != TURN
            words.append(m.group())
            times.append(at)
        if piece:
            glued = bool(words) and not piece[-1].isspace()
    return " ".join(words), tuple(times) if known else ()


def _ms(value: object) -> float:
    """json3 milliseconds -> seconds; NaN if not a number."""
    try:
        return float(value) / 1000  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return math.nan


def _parse_json3(text: str, first_line: int, path: Path) -> list[Cue]:
    """YouTube json3: each event with words is a caption line; a seg's words start
    at tStartMs + its tOffsetMs (0 if none)."""
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
        start = _ms(ev.get("tStartMs", 0))
        end = start + _ms(ev.get("dDurationMs", 0))
        if not (math.isfinite(start) and math.isfinite(end) and 0 <= start <= end):
            raise SeedError("bad json3 caption event timing", path, first_line)
        pieces = []
        for seg in (s for s in ev["segs"] if isinstance(s, dict)):
            offset = _ms(seg.get("tOffsetMs", 0))
            if not (math.isfinite(offset) and offset >= 0):
                bad = f"{seg.get('tOffsetMs')!r:.40}"
                raise SeedError(f"bad json3 word time: tOffsetMs {bad}", path, first_line)
            pieces.append((start + offset, str(seg.get("utf8", ""))))
        words, times = _timed_words(pieces)
        if words:
            cues.append(Cue(start, end, words, first_line, word_times=times))
    return cues


def _turns(cues: list[Cue]) -> list[Cue]:
    """Cut cues at their ">>" marks: the words after one are a cue of their own with
    turn=True, starting at the first one's time (estimated as model.word_times does
    where the captions time no words). A mark with no words after it turns the next
    cue; a cue that is only a mark stays, empty, for its timing."""
    out: list[Cue] = []
    pending = False  # a mark ended the cue before
    for cue in cues:
        words = cue.text.split()
        if TURN not in words:
            out.append(replace(cue, turn=cue.turn or pending))
            pending = False
            continue
        labels = _label_words(words)
        said = [k for k, w in enumerate(words) if w != TURN and k not in labels]
        timed = len(cue.word_times) == len(words)
        step = min((cue.end - cue.start) / len(said), WORD_SECONDS) if said else 0.0
        guess = {k: cue.start + n * step for n, k in enumerate(said)}
        for k in sorted(labels, reverse=True):  # a label takes the time of what follows it
            guess[k] = guess.get(k + 1, cue.start + len(said) * step)
        at = cue.word_times if timed else tuple(guess.get(k, 0.0) for k in range(len(words)))
        parts: list[tuple[bool, list[int]]] = [(cue.turn, [])]  # (turn, indices of words)
        for k, w in enumerate(words):
            if w == TURN:
                parts.append((True, []))
            else:
                parts[-1][1].append(k)
        pieces: list[Cue] = []
        for turn, idx in parts:
            turn = turn or pending
            pending = turn and not idx
            if idx:
                first = cue.start if idx[0] == said[0] else at[idx[0]]
                text = " ".join(words[k] for k in idx)
                times = tuple(at[k] for k in idx) if timed else ()
                pieces.append(Cue(first, cue.end, text, cue.line, turn, times))
        if not pieces:
            pieces, pending = [Cue(cue.start, cue.end, "", cue.line, turn=True)], True
        ends = [max(c.start, n.start) for c, n in zip(pieces, pieces[1:], strict=False)]
        out += [replace(c, end=e) for c, e in zip(pieces, [*ends, cue.end], strict=True)]
    return out


def _label_words(words: list[str]) -> set[int]:
    """Indices of the words of speaker labels right after ">>" marks (not said)."""
    out: set[int] = set()
    for k, w in enumerate(words):
        if w == TURN and (m := _LABEL.match(" ".join(words[k + 1 : k + 7]))):
            out.update(range(k + 1, k + 1 + len(m[1].split())))
    return out


def _check_bounds(cues: list[Cue], path: Path) -> None:
    """Refuse what no real recording has (see ingest.limits): text XML can't carry,
    a cue of more than MAX_CUE characters, times past MAX_TALK or after a gap of
    more than MAX_GAP."""
    ended = 0.0
    for cue in cues:
        if bad := bad_char(cue.text):
            raise SeedError(f"{bad} in a caption cue: delete it", path, cue.line)
        if len(cue.text) > MAX_CUE:
            raise SeedError(
                f"caption cue is {len(cue.text):,} characters long (at most {MAX_CUE:,})",
                path,
                cue.line,
            )
        last = max([cue.end, *cue.word_times])
        if last > MAX_TALK:
            raise SeedError(
                f"caption time {_clock(last)} is past {timestamp(MAX_TALK)}, longer than any"
                " recording: a typo?",
                path,
                cue.line,
            )
        if cue.start > ended + MAX_GAP:
            raise SeedError(
                f"caption cue at {_clock(cue.start)} starts {timestamp(cue.start - ended)}"
                f" after the captions before it end ({_clock(ended)}): a typo?",
                path,
                cue.line,
            )
        ended = max(ended, cue.end)


def _clock(seconds: float) -> str:
    """A time for a message, to the millisecond, however large ("1e308" is no clock)."""
    if not seconds < 1e7:
        return f"{seconds:.3g} s"
    h, ms = divmod(round(seconds * 1000), 3_600_000)
    return f"{h}:{ms // 60_000:02d}:{ms % 60_000 / 1000:06.3f}"


def _check_order(cues: list[Cue], path: Path) -> None:
    for prev, cue in zip(cues, cues[1:], strict=False):
        if cue.start < prev.start - OUT_OF_ORDER:
            raise SeedError(
                f"caption cue out of order: starts at {cue.start:.3f} s,"
                f" before the previous cue at {prev.start:.3f} s",
                path,
                cue.line,
            )
