"""The unit of work (one talk, carried through the stages) and what every stage is
given with it: the build session (show, options, where to stage)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PublisherError
from ..model import Episode, Plan, Render, Talk

if TYPE_CHECKING:
    from ..show import Show
    from ..speech.naming import Voices
    from ..speech.vad import Span
    from .status import Reporter


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
    no_go: list[list[Span]] = field(default_factory=list)  # where cuts may not land (tiers)
    voices: Voices | None = None  # who speaks when, named (speech/naming.py), where heard
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


@dataclass(frozen=True)
class Options:
    out: Path = Path("public")
    cache_dir: Path = Path(".cache")
    standin: bool = False  # synthesise stand-in speech instead of fetching audio
    replan: bool = False  # recompute plans, keeping GUIDs of overlapping clips
    jobs: int | None = None  # talks built at once (default: cores)
    progress: bool = False
    scheduler: str | None = None  # tcp://HOST:PORT of a Dask cluster
    wait: bool = False  # wait for another build of the same show instead of failing


@dataclass(frozen=True)
class BuildSession:
    """What every per-talk stage needs; picklable, so a talk can build in a worker."""

    show: Show
    options: Options
    staging: Path  # the show's folder being built
    encode_jobs: int | None = None  # parallel encodes within one talk
    progress: bool = False  # progress bars on the live board (talks built in this process)
    status: Reporter | None = None  # tells the live board each talk's stage
    topics: dict[str, str] = field(default_factory=dict)  # slug -> name, as published
    plan_apart: bool = False  # plan in a child process (one talk built here: see stages)

    @property
    def published(self) -> Path:
        """The show's folder as it is online."""
        return self.options.out / self.show.slug
