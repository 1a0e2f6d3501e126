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
    later stages skip the task. Tasks are pickled to and from worker processes.
    """

    seed: Path
    talk: Talk | None = None
    seed_digest: str = ""  # of the seed text the talk was parsed from (plan.digest: the plan's)
    source: Path | None = None  # the audio the clips are cut from
    standin: bool = False  # source is synthesised stand-in speech
    plan: Plan | None = None
    render: Render | None = None
    episodes: list[Episode] = field(default_factory=list)
    error: PublisherError | None = None
    reused: bool = False  # unchanged since the last build: its published files were relinked
    kept: bool = False  # failed, and its previously published episodes were kept
    seconds: float = 0.0  # time spent building it

    @property
    def name(self) -> str:
        return self.talk.title if self.talk else str(self.seed)

    @property
    def encodes(self) -> int:
        return self.render.encodes if self.render else 0
