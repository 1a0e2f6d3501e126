"""The question plan: a talk's transcript -> one segment per question.

make_plan(talk) (in .make) corrects the transcript (glossary, people's names),
finds where each question starts (.segment), then titles, tags and credits every
segment. The plan file next to the seed (.planfile) is the editable form of the
result. The planner's models load on first use of these names, not with the
package: a build whose plans exist (a no-op rebuild) never loads them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .make import corrected_transcript, is_panel, make_plan, new_guid, read_talk

__all__ = ["corrected_transcript", "make_plan", "is_panel", "new_guid", "read_talk"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module(".make", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
