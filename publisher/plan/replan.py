"""A plan's identity: GUIDs that never change, and edits a replan keeps.

A plan remembers the planner's own value of each field of each clip (the plan
file's [planner] table: times as written, other fields as a short hash), so a
field that differs from it is a person's edit. `replan(old, new)`:
- gives each new clip the GUID of the old clip with which it shares at least half
  of the longer one's time, once its boundaries found again (within NEAR) are
  where they were (one-to-one, best overlap first), and its file name;
  the others get fresh GUIDs that collide with no old or new one, and no file
  name (plan.names gives them one when the plan is saved); the talk keeps its
  full episode's file name;
- keeps every field a person edited (kind, title, topic, keywords, speakers,
  summary, a boundary they moved) of the old clip whose GUID it keeps. Where the
  old plan has no planner values (written before they were kept), its text
  fields are kept as they are;
- leaves an unedited boundary where it was when the new plan finds it again
  within NEAR seconds, so its clips' audio is not cut again (`make_plan` puts it
  there too, given `kept_starts(old)`, so a clip's fields describe the clip as cut);
- drops a clip the kept boundaries leave no time (the person merged it away).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace

from ..model import Plan, Segment, new_guid

NEAR = 3.0  # seconds: a new boundary this near an old one is the same boundary, found again
TIMES = ("start", "end")
FIELDS = ("kind", "title", "topic", "keywords", "speakers", "summary")
ROUGH = "~"  # a planner time known only roughly (a published chapter's): matched, never kept


def marks(seg: Segment) -> dict[str, str]:
    """The values the planner gave a clip, as the plan file's [planner] table keeps them."""
    return {f: _mark(seg, f) for f in TIMES + FIELDS}


def _mark(seg: Segment, f: str) -> str:
    if f in TIMES:
        return f"{getattr(seg, f):.1f}"
    value = getattr(seg, f)
    if f == "speakers":
        value = [f"{c.name} ({c.role})" for c in value]
    data = json.dumps(value, ensure_ascii=False).encode()
    return hashlib.sha256(data).hexdigest()[:8]


def shared(a: Segment, b: Segment) -> float:
    """The time two clips share when it is at least half of the longer one's, else 0."""
    both = overlap(a, b)
    return both if both > 0 and both >= 0.5 * max(a.duration, b.duration) else 0.0


def matches(
    new: list[Segment], old: list[Segment], stretched: frozenset[int] | set[int] = frozenset()
) -> dict[int, int]:
    """Index of a new clip -> index of the old clip whose GUID it keeps, by time
    shared. An old clip a person stretched over the next one (`stretched`: its end
    edited) goes first to the new clip that starts where it starts, however short:
    the merge made by hand is kept, and the GUID stays with its question."""
    pairs = [
        (j in stretched and abs(n.start - o.start) <= NEAR, overlap(n, o), i, j)
        for i, n in enumerate(new)
        for j, o in enumerate(old)
    ]
    kept: dict[int, int] = {}
    for same, both, i, j in sorted(pairs, reverse=True):
        close = (same and both > 0) or shared(new[i], old[j])
        if close and i not in kept and j not in kept.values():
            kept[i] = j
    return kept


def overlap(a: Segment, b: Segment) -> float:
    return max(0.0, min(a.end, b.end) - max(a.start, b.start))


def keep_published(
    segments: list[Segment], published: list[Segment], fail: Callable[[Segment, str], None]
) -> None:
    """Check a plan file's clips against the talk's published ones: a clip holding
    most of a published clip's time, whose GUID is not in the file, may not carry
    another GUID (`fail`); if its guid line was deleted, it gets the GUID back."""
    here = {s.guid for s in segments}
    known = {p.guid for p in published}
    for p in published:
        seg = next((s for s in segments if s.guid not in known and shared(s, p)), None)
        if p.guid in here or seg is None:
            continue
        if seg.guid:
            fail(
                seg,
                f"guid {seg.guid!r} replaces {p.guid!r}, the published guid of this clip "
                f"(podcast apps know the episode by it): put {p.guid!r} back",
            )
        seg.guid = p.guid
        here.add(p.guid)


def keep_files(
    segments: list[Segment], published: list[Segment], fail: Callable[[Segment, str], None]
) -> None:
    """Check a plan file's clips (published GUIDs kept: keep_published) against the
    talk's published ones: a published clip's file name (its enclosure URL) changed
    by hand is refused (`fail`), and so is another clip taking it (one with no GUID
    yet, a split's copy, is named afresh); one deleted from the file is put back."""
    names = {p.guid: p.file for p in published if p.file}
    owners = {p.file.lower(): p.guid for p in published if p.file}
    for seg in segments:
        name = names.get(seg.guid, "")
        if name and seg.file and seg.file != name:
            fail(seg, file_changed(seg.file, name, "clip"))
        seg.file = name or seg.file
        owner = owners.get(seg.file.lower(), seg.guid)
        if owner != seg.guid and seg.guid:
            fail(seg, f"file {seg.file!r} is the published file of {owner!r}: choose another")
        seg.file = seg.file if owner == seg.guid else ""


def file_changed(new: str, old: str, what: str) -> str:
    """The message refusing a published episode's file name changed by hand."""
    return (
        f"file {new!r} replaces {old!r}, the published file name of this {what} "
        f"(podcast apps download the episode from it): put {old!r} back"
    )


def replan(old: Plan | None, new: Plan) -> Plan:
    """The new plan, keeping the old one's GUIDs and a person's edits (see the module)."""
    from .planfile import MIN_CLIP  # (planfile imports this module)

    if old is None:
        return replace(new, planned={s.guid: marks(s) for s in new.segments}, digest="")
    stretched = {j for j, o in enumerate(old.segments) if _edited(o, "end", old.planned)}
    match = matches([_found_again(n, old) for n in new.segments], old.segments, stretched)
    olds = [old.segments[match[i]] if i in match else None for i in range(len(new.segments))]
    pairs = list(zip(new.segments, olds, strict=True))
    times = {t: [_time(n, o, t, old) for n, o in pairs] for t in TIMES}
    _join(new.segments, times["start"], times["end"])
    made: list[tuple[Segment, Segment, Segment | None]] = []  # (kept, planner's, old)
    taken = {s.guid for s in old.segments}
    end = 0.0
    for i, (n, o) in enumerate(pairs):
        start = max(end, _pick(times["start"][i], n.start))
        end = max(start, _pick(times["end"][i], n.end))
        if end - start < MIN_CLIP:  # merged away, or too short to cut: the clip before
            if made and made[-1][0].end == start:  # takes its time
                made[-1][0].end = end
            continue
        keep = {f: getattr(o, f) for f in FIELDS if o and _edited(o, f, old.planned)}
        guid = o.guid if o else new_guid(new.video_id, start, taken)
        taken.add(guid)
        file = o.file if o else ""
        made.append((replace(n, start=start, end=end, guid=guid, file=file, line=0, **keep), n, o))
    segments = [seg for seg, _, _ in made]
    planned = {
        seg.guid: marks(n)
        | {t: _mark(seg, t) for t in TIMES if not (o and _edited(o, t, old.planned))}
        for seg, n, o in made
    }
    return Plan(
        new.video_id, segments, new.path, list(new.transcript), planned, full_file=old.full_file
    )


def _edited(o: Segment, f: str, planned: dict[str, dict[str, str]]) -> bool:
    """Whether a person changed field `f` of old clip `o` from the planner's value.
    Unknown planner values: text fields count as edited (kept), times as not."""
    mine = planned.get(o.guid, {})
    if f not in mine:
        return f not in TIMES
    return mine[f] != ROUGH and _mark(o, f) != mine[f]


def _time(n: Segment, o: Segment | None, t: str, old: Plan) -> float | None:
    """The old clip's time `t` when a person set it, or when the new plan finds it
    again: within NEAR of where the planner put it, and nearer than any other old
    clip's `t`."""
    if o is None or old.planned.get(o.guid, {}).get(t) == ROUGH:
        return None
    if _edited(o, t, old.planned):
        return getattr(o, t)
    away = {id(x): abs(getattr(n, t) - _planned_time(x, t, old.planned)) for x in old.segments}
    near = away[id(o)] <= NEAR and away[id(o)] == min(away.values())
    return getattr(o, t) if near else None


def _found_again(n: Segment, old: Plan) -> Segment:
    """The new clip with each time that the planner put within NEAR of an old clip's
    same time moved there, as found again: clips match by the time they will share
    (a short clip's boundaries found again 2-3 s off may share under half of it)."""
    moved = {}
    for t in TIMES:
        near = [(abs(getattr(n, t) - _planned_time(o, t, old.planned)), o) for o in old.segments]
        away, o = min(near, key=lambda pair: pair[0], default=(NEAR + 1, None))
        if o is not None and away <= NEAR:
            moved[t] = getattr(o, t)
    found = replace(n, **moved)
    return found if found.end > found.start else n


def kept_starts(old: Plan | None) -> list[tuple[float, float]]:
    """(where the planner put it, where it is) for each old clip start a replan
    leaves where it was when the new plan finds it again within NEAR (see _time):
    not a start a person moved (kept anyway, and known as theirs by the planner's
    own time), nor a rough one."""
    if old is None:
        return []
    rough = {o.guid for o in old.segments if old.planned.get(o.guid, {}).get("start") == ROUGH}
    return [
        (_planned_time(o, "start", old.planned), o.start)
        for o in old.segments
        if o.guid not in rough and not _edited(o, "start", old.planned)
    ]


def _planned_time(o: Segment, t: str, planned: dict[str, dict[str, str]]) -> float:
    """Where the planner put an old clip's time `t` (where it is, if not known)."""
    try:
        return float(planned[o.guid][t])
    except (KeyError, TypeError, ValueError):
        return getattr(o, t)


def _join(new: list[Segment], starts: list[float | None], ends: list[float | None]) -> None:
    """A boundary two new clips share stays shared: where one side keeps an old
    time and the other has none, both take it."""
    for i in range(1, len(new)):
        if new[i - 1].end == new[i].start:
            if ends[i - 1] is None:
                ends[i - 1] = starts[i]
            elif starts[i] is None:
                starts[i] = ends[i - 1]


def _pick(kept: float | None, fresh: float) -> float:
    return fresh if kept is None else kept
