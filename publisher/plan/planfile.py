"""The editable plan: `<seed>.plan.toml` next to the seed, one [[clip]] per segment.

Editing rules (also written at the top of every plan file):
- times are "MM:SS.s", "H:MM:SS.s" or seconds; clips must not overlap, end after
  they start, and stay inside the talk; gaps between clips are allowed;
- a [[clip]] without `guid` (a split, a new clip) gets "yt-<video>-<start seconds>"
  when loaded: deterministic, so it is stable without rewriting the file;
  load_plan(..., write_back=True) writes such GUIDs into the file (comments kept),
  so later edits of that clip's start can't change its published identity;
- GUIDs are never recomputed; replan() (publisher.plan.replan) carries them over to
  the new plan, and keeps what a person edited, told from the planner's own values
  in the file's [planner] table;
- with the talk's published clips given, a published clip's GUID changed by hand is
  refused, and a clip whose guid line was deleted gets its published GUID back;
- each clip's `file`, and the top-level `full_file` (the full talk's), name its
  episode's MP3 (publisher.plan.names): made once when missing, like a GUID, and
  written back with it; a person may set one before it is first published. A
  published episode's file name is its URL: changed by hand it is refused, deleted
  it is put back, and a talk published before names existed keeps <guid>.mp3 and
  full.mp3 (its record says so).
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from pathlib import Path

import tomlkit

from ..errors import PlanError
from ..fsutil import write_text
from ..ingest.limits import MAX_TALK, check_value, read_input
from ..model import KINDS, ROLES, Credit, Plan, Segment, Talk, new_guid, timestamp
from .names import check_file, fill_files
from .replan import file_changed, keep_files, keep_published, replan

__all__ = [
    "describe",
    "format_time",
    "load_plan",
    "parse_time",
    "plan_path",
    "replan",
    "save_plan",
    "text_digest",
]

SUFFIX = ".plan.toml"
SLACK = 1.0  # seconds a clip may run past the captions' end
MIN_CLIP = 1.0  # seconds; the audio cutter needs room to move a cut to a quiet point
_TIME = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d*)?)\s*$")
_GUID = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
_CREDIT = re.compile(r"^\s*(.+?)\s*\((\w+)\)\s*$")
CLIP_KEYS = (
    "start", "end", "kind", "title", "topic", "keywords", "speakers", "guid", "file", "summary"
)  # fmt: skip
TOP_KEYS = ("video_id", "full_file", "clip", "planner")

HEADER = """\
Question plan for "{title}" ({playlist}), video {video_id}, {duration} long.
Written by `publisher plan`; `publisher build` uses this file while it exists.

Edit, then rebuild:
- move a boundary: change start/end ("MM:SS.s", "H:MM:SS.s" or seconds);
- retitle, or change topic, keywords or speakers ("Name (role)", role one of
  {roles});
- the show notes' summary is written from these, unless a clip has its own
  summary = "...";
- merge: delete a [[clip]] and stretch its neighbour; drop: delete the [[clip]];
- split: copy a [[clip]], set both clips' times and leave out the copy's `guid`:
  it gets "yt-{video_id}-<start seconds>" (5 digits), and a file name of its
  own, when the plan is loaded.
kind is one of {kinds}.
`file` (and the talk's `full_file`) is the name podcast apps save the episode
as: one plain name ending in .mp3, unique in the talk; yours to change until
the episode is published. Never change the guid or file of a published clip:
podcast apps know the episode by its guid and download it by its file name.
`publisher plan --replan` recomputes the clips, keeps the guid and file of
every clip that keeps at least half of its time, and keeps what you edited."""
PLANNER = """\
The planner's own values of each clip above (by guid: times, and a hash of each
other field), so `publisher plan --replan` can tell your edits from its own and
keep them. Leave this table as it is."""
NO_SPEAKERS = (
    "The seed lists no speakers: add them to {seed} and run publisher plan --replan {seed}"
)


def plan_path(seed: Path) -> Path:
    """The plan file of a seed: next to it, named <seed>.plan.toml."""
    seed = Path(seed)
    return seed.with_name(seed.stem + SUFFIX)


def format_time(seconds: float) -> str:
    m, s = divmod(round(seconds, 1), 60)
    h, m = divmod(int(m), 60)
    return f"{h}:{m:02d}:{s:04.1f}" if h else f"{m:02d}:{s:04.1f}"


def parse_time(value: object) -> float:
    """Seconds from "MM:SS.s", "H:MM:SS.s", a number, or a number in a string; a
    ValueError saying why for anything else, NaN, infinity, negative or past MAX_TALK."""
    seconds = _seconds(value)
    if not math.isfinite(seconds):
        raise ValueError("not a number of seconds")
    if seconds < 0:
        raise ValueError("negative")
    if seconds > MAX_TALK:
        raise ValueError(f"past {format_time(MAX_TALK)}, longer than any recording")
    return seconds


def _seconds(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError("not a time")
    if isinstance(value, int | float):
        return round(float(value), 3)
    if isinstance(value, str) and len(value) <= 40:
        m = _TIME.match(value)
        if m:
            h, mi, s = int(m.group(1) or 0), int(m.group(2)), float(m.group(3))
            return round(h * 3600 + mi * 60 + s, 3)
        return round(float(value), 3)
    raise ValueError("not a time")


def save_plan(plan: Plan, path: Path, talk: Talk) -> None:
    """Write the plan as commented TOML, atomically, naming the episodes that have no
    file name yet (plan.names)."""
    fill_files(plan, talk)
    doc = tomlkit.document()
    header = HEADER.format(
        title=talk.title,
        playlist=talk.playlist,
        video_id=plan.video_id,
        duration=timestamp(talk.duration),
        roles=", ".join(ROLES),
        kinds=", ".join(KINDS),
    )
    for line in header.splitlines():
        doc.add(tomlkit.comment(line) if line else tomlkit.nl())
    if not talk.speakers:
        doc.add(tomlkit.nl())
        doc.add(tomlkit.comment(NO_SPEAKERS.format(seed=talk.source)))
    doc.add(tomlkit.nl())
    doc["video_id"] = plan.video_id
    doc["full_file"] = plan.full_file
    clips = tomlkit.aot()
    for seg in plan.segments:
        t = tomlkit.table()
        t["start"] = format_time(seg.start)
        t["end"] = format_time(seg.end)
        t["kind"] = seg.kind
        t["title"] = seg.title
        t["topic"] = seg.topic
        t["keywords"] = list(seg.keywords)
        t["speakers"] = [f"{c.name} ({c.role})" for c in seg.speakers]
        t["guid"] = seg.guid
        t["file"] = seg.file
        if seg.summary:
            t["summary"] = seg.summary
        clips.append(t)
    doc["clip"] = clips
    if plan.planned:
        doc.add(tomlkit.nl())
        for line in PLANNER.splitlines():
            doc.add(tomlkit.comment(line))
        planner = tomlkit.table()
        for guid, values in plan.planned.items():
            planner[guid] = tomlkit.inline_table()
            planner[guid].update(values)
        doc["planner"] = planner
    write_text(path, tomlkit.dumps(doc))


def text_digest(text: str) -> str:
    """What a build read of a seed or plan file (its text as read_input gives it)."""
    return hashlib.sha256(text.encode()).hexdigest()


def _lines(text: str) -> list[dict[str, int]]:
    """For each [[clip]] in the file: key -> line number (and "" -> the header's line)."""
    out: list[dict[str, int]] = []
    inside = False
    for n, raw in enumerate(text.splitlines(), 1):
        if re.match(r"^\s*\[\[\s*clip\s*\]\]", raw):
            out.append({"": n})
            inside = True
        elif re.match(r"^\s*\[\s*planner\s*\]", raw):
            inside = False  # the planner's own values, not a clip's
        elif inside and (m := re.match(r"^\s*([A-Za-z_]+)\s*=", raw)):
            out[-1].setdefault(m.group(1), n)
    return out


def _credits(value: object, talk: Talk, fail) -> list[Credit]:
    if not isinstance(value, list):
        fail('speakers must be a list like ["Name (role)"]')
    out = []
    for item in value:
        if isinstance(item, dict):
            name, role = str(item.get("name", "")), str(item.get("role", ""))
        elif isinstance(item, str) and (m := _CREDIT.match(item)):
            name, role = m.group(1), m.group(2)
        else:
            fail(f'speaker {item!r:.60} is not "Name (role)"')
        if role not in ROLES or not name:
            fail(f"speaker {item!r:.60}: role must be one of {', '.join(ROLES)}")
        person = talk.speaker(name)
        out.append(Credit(name, role, person.organisation if person else ""))
    return out


def _segment(clip: dict, lines: dict[str, int], talk: Talk, path: Path) -> Segment:
    def fail(message: str, key: str = "") -> None:
        raise PlanError(message, path, lines.get(key) or lines[""])

    for key in clip:
        if key not in CLIP_KEYS:
            fail(f"unknown clip key {key!r:.40}: use {', '.join(CLIP_KEYS)}", key)
        if problem := check_value(clip[key], key):
            fail(problem, key)
    times = {}
    for key in ("start", "end"):
        if key not in clip:
            fail(f"clip has no {key}")
        try:
            times[key] = parse_time(clip[key])
        except (ValueError, OverflowError) as e:
            fail(f"bad {key} time {clip[key]!r:.40} ({e}): use MM:SS.s or seconds", key)
    start, end = times["start"], times["end"]
    if end <= start:
        fail(f"end {format_time(end)} is not after start {format_time(start)}", "end")
    if end - start < MIN_CLIP:
        fail(f"clip lasts {end - start:.2f} s: a clip lasts at least {MIN_CLIP} s", "end")
    if end > talk.duration + SLACK:
        fail(f"end {format_time(end)} is beyond the talk ({format_time(talk.duration)})", "end")
    kind = clip.get("kind", "question")
    if kind not in KINDS:
        fail(f"unknown kind {kind!r:.40}: use one of {', '.join(KINDS)}", "kind")
    title = clip.get("title")
    if not isinstance(title, str) or not title.strip():
        fail("clip needs a title", "title")
    keywords = clip.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        fail("keywords must be a list of strings", "keywords")
    guid = clip.get("guid", "")
    if not isinstance(guid, str) or (guid and not _GUID.match(guid)):
        fail(f"bad guid {guid!r:.60}: up to 200 letters, digits, '-' and '_'", "guid")
    for key in ("topic", "summary"):
        if not isinstance(clip.get(key, ""), str):
            fail(f"{key} must be a string", key)
    file = clip.get("file", "")
    if file != "" and (problem := check_file(file)):
        fail(problem, "file")
    speakers = _credits(clip.get("speakers", []), talk, lambda m: fail(m, "speakers"))
    return Segment(
        start,
        end,
        kind,
        title.strip(),
        str(clip.get("topic", "")),
        keywords,
        speakers,
        guid,
        str(clip.get("summary", "")),
        lines[""],
        file=file,
    )


def load_plan(
    path: Path,
    talk: Talk,
    glossary: dict[str, str] | None = None,
    *,
    write_back: bool = False,
    published: list[Segment] | None = None,
    published_full: str = "",
) -> Plan:
    """Read and check a plan file. Every problem is a PlanError naming the file and line.
    `published`: the talk's clips as last published, whose GUIDs and file names the
    file must keep; `published_full`: the full talk's published file name, if any."""
    path = Path(path)
    text = read_input(path, "plan file", PlanError)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column \d+\)", str(e))
        msg = re.sub(r"\s*\(at line.*", "", str(e))
        raise PlanError(f"invalid TOML: {msg}", path, int(m.group(1)) if m else None) from None
    except RecursionError:
        raise PlanError("invalid TOML: nested too deeply", path) from None
    for key in data:
        if key not in TOP_KEYS:  # a deleted [[clip]] line left its keys
            raise PlanError(f"{key!r:.40} outside any [[clip]] table", path, _top_line(text, key))
    full_file = data.get("full_file", "")
    if full_file != "" and (problem := check_file(full_file)):
        raise PlanError(problem, path, _top_line(text, "full_file"))
    if published_full and full_file and full_file != published_full:
        message = file_changed(full_file, published_full, "talk's full episode")
        raise PlanError(message, path, _top_line(text, "full_file"))
    video_id = data.get("video_id", talk.video_id)
    if video_id != talk.video_id:
        raise PlanError(f"plan is for video {video_id!r:.40}, the seed is {talk.video_id!r}", path)
    clips = data.get("clip")
    if not isinstance(clips, list) or not clips or not all(isinstance(c, dict) for c in clips):
        raise PlanError("no [[clip]] tables", path)
    where = _lines(text)
    if len(where) != len(clips):  # clip = [{...}]: no [[clip]] lines to name
        raise PlanError("write each clip as a [[clip]] table", path)
    segments = [_segment(c, where[i], talk, path) for i, c in enumerate(clips)]
    key_line = {id(s): where[i] for i, s in enumerate(segments)}
    ordered = sorted(segments, key=lambda s: s.start)
    for prev, seg in zip(ordered, ordered[1:], strict=False):
        if seg.start < prev.end - 0.001:
            raise PlanError(
                f"clip {format_time(seg.start)}-{format_time(seg.end)} overlaps the clip at "
                f"line {prev.line} ({format_time(prev.start)}-{format_time(prev.end)})",
                path,
                key_line[id(seg)].get("start", seg.line),
            )
    seen: dict[str, int] = {}
    for seg in segments:
        line = key_line[id(seg)].get("guid", seg.line)
        if seg.guid in seen:
            raise PlanError(
                f"duplicate guid {seg.guid!r:.60} (also at line {seen[seg.guid]})", path, line
            )
        if seg.guid:
            seen[seg.guid] = line
    assigned = [seg for seg in ordered if not seg.guid or not seg.file]
    if published:

        def refuse(seg: Segment, message: str, key: str = "guid") -> None:
            raise PlanError(message, path, key_line[id(seg)].get(key, seg.line))

        keep_published(ordered, published, refuse)
        keep_files(ordered, published, lambda seg, message: refuse(seg, message, "file"))
    _unique_files(segments, full_file or published_full, key_line, text, path)
    taken = set(seen) | {p.guid for p in published or []}
    for seg in assigned:
        seg.guid = seg.guid or new_guid(talk.video_id, seg.start, taken)
        taken.add(seg.guid)
    plan = Plan(
        talk.video_id, ordered, path=path, planned=_planned(data.get("planner")),
        full_file=full_file or published_full,
    )  # fmt: skip
    fill_files(plan, talk, [p.file for p in published or []] + [published_full])
    if write_back and (assigned or "full_file" not in data):
        text = _write_guids(path, text, segments, plan.full_file)
    from .make import corrected_transcript  # the planner's models only when read

    plan.transcript = corrected_transcript(talk, glossary)
    plan.digest = text_digest(text)
    return plan


def _planned(table: object) -> dict[str, dict[str, str]]:
    """The [planner] table, as far as it is well-formed: it only helps a replan tell
    edits apart, and without it every text field counts as edited (kept)."""
    if not isinstance(table, dict):
        return {}
    return {
        guid: {k: v for k, v in values.items() if isinstance(v, str)}
        for guid, values in table.items()
        if isinstance(values, dict)
    }


def _top_line(text: str, key: str) -> int | None:
    """The line of the first `key = ...` in a plan file's text."""
    m = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _unique_files(
    segments: list[Segment],
    full_file: str,
    key_line: dict[int, dict[str, int]],
    text: str,
    path: Path,
) -> None:
    """Refuse two episodes of the talk with one file name (case ignored); a clip with
    no GUID yet that repeats another's name is a copy (a split): it gets its own."""
    seen = {full_file.lower(): _top_line(text, "full_file")} if full_file else {}
    for seg in sorted(segments, key=lambda s: not s.guid):
        line = key_line[id(seg)].get("file", seg.line)
        if seg.file.lower() in seen and not seg.guid:
            seg.file = ""
        elif seg.file.lower() in seen:
            also = seen[seg.file.lower()]
            raise PlanError(f"duplicate file name {seg.file!r} (also at line {also})", path, line)
        if seg.file:
            seen[seg.file.lower()] = line


def _write_guids(path: Path, text: str, segments: list[Segment], full_file: str) -> str:
    """Store assigned GUIDs and file names in the file, keeping the author's comments
    and layout; the file's new text."""
    doc = tomlkit.parse(text)
    if "full_file" not in doc:
        doc["full_file"] = full_file
    for table, seg in zip(doc["clip"], segments, strict=True):
        if "guid" not in table:
            table["guid"] = seg.guid
        if table.get("file") != seg.file:  # none, or a split's copy of its original's
            table["file"] = seg.file
    text = tomlkit.dumps(doc)
    write_text(path, text)
    return text


def describe(plan: Plan, old: Plan | None = None) -> list[str]:
    """The plan for a terminal, a line per clip: start, kind, title, topic. After a
    replan (`old` given), each clip says whether it kept an old GUID (podcast apps
    see it as the episode they know) or is new, and old clips gone are listed."""
    before = {s.guid: s for s in old.segments} if old else {}
    lines = []
    for s in plan.segments:
        mark = "" if old is None else ("  (kept)" if s.guid in before else "  (new)")
        lines.append(f"{format_time(s.start):>9}  {s.kind:<8}  {s.title}  [{s.topic}]{mark}")
    gone = sorted(set(before) - {s.guid for s in plan.segments})
    for g in gone:
        lines.append(f"  gone: {before[g].title} ({g}, was at {format_time(before[g].start)})")
    return lines
