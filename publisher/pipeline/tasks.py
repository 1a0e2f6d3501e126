"""The unit of work: one talk, carried through the stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PublisherError
from ..model import Episode, Plan, Render, Talk


@dataclass
class TalkTask:
    """Everything known about one seed as it moves through the build.

    Each stage fills in one more field; a stage that fails sets `error` and
    later stages skip the task.
    """

    seed: Path
    talk: Talk | None = None
    source: Path | None = None  # the audio the clips are cut from
    standin: bool = False  # source is synthesised stand-in speech
    plan: Plan | None = None
    render: Render | None = None
    episodes: list[Episode] = field(default_factory=list)
    error: PublisherError | None = None

    @property
    def name(self) -> str:
        return self.talk.title if self.talk else str(self.seed)
