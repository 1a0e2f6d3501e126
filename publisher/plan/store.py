"""Where a talk's plan comes from: its plan file while it exists, else the planner,
whose plan is saved for every later build (that is what keeps GUIDs forever)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .planfile import load_plan, replan, save_plan
from .replan import kept_starts

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from ..model import Plan, Talk
    from ..speech.naming import Voices


def plan_for(
    talk: Talk,
    path: Path,
    glossary: dict[str, str],
    *,
    again: bool = False,
    pauses: Callable[[], list[tuple[float, float]]] | None = None,
    published: Plan | None = None,
    voices: Voices | None = None,
) -> tuple[Plan | None, Plan]:
    """(the plan file as it was, or None; the plan to use). The file is used unless
    `again` (--replan) or it is gone: then the talk is planned again, from the plan
    it had or else the one `published`; every clip that overlaps an old one by half
    keeps its GUID, and a person's edits are kept. `pauses` finds the source's
    silences, called only to plan, once the planner needs them; `voices`
    (speech/naming.py), who speaks each word for the planner, and who really asks and
    answers each question of a new plan. A
    published GUID changed by hand in the file is refused; a clip without a GUID gets
    one stored, never to change."""
    old = None
    if path.exists():
        clips = published.segments if published else None
        full = published.full_file if published else ""
        old = load_plan(path, talk, glossary, write_back=True, published=clips, published_full=full)
    if old and not again:
        return old, old
    from .make import make_plan  # the planner's models: only when planning

    kept = kept_starts(old or published)
    speaking = voices.speaking if voices is not None else None
    new = make_plan(talk, glossary, pauses=pauses, kept=kept, speaking=speaking)
    if voices is not None:
        from ..speech.naming import credited  # numpy only: no model loads

        new = credited(new, voices, talk)
    save_plan(replan(old or published, new), path, talk)
    return old, load_plan(path, talk, glossary)  # exactly what later builds will read
