"""A build session: one show, its options, and the driver that runs the stages."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PublisherError
from ..show import Show, pin_guid, podcast_guid
from . import stages
from .tasks import TalkTask


@dataclass(frozen=True)
class Options:
    out: Path = Path("public")
    cache_dir: Path = Path(".cache")
    standin: bool = False  # synthesise stand-in speech instead of fetching audio
    replan: bool = False  # recompute plans, keeping GUIDs of overlapping clips
    jobs: int | None = None
    progress: bool = False


@dataclass
class BuildResult:
    show: Show
    out_dir: Path
    tasks: list[TalkTask]
    seconds: float
    encodes: int = 0
    errors: list[PublisherError] = field(default_factory=list)
    published: bool = False  # the staged show replaced the published one

    @property
    def feeds(self) -> list[Path]:
        return sorted(self.out_dir.glob("*.xml"))


Stage = Callable[["BuildSession", TalkTask], None]

# Per-talk stages, in order (beets-style: each a documented function of (session, task)).
TALK_STAGES: tuple[Stage, ...] = (
    stages.read_talk,
    stages.find_source,
    stages.plan_talk,
    stages.render_audio,
    stages.make_episodes,
)


@dataclass
class BuildSession:
    show: Show
    options: Options
    log: Callable[[str], None] = lambda msg: print(msg, file=sys.stderr)

    @property
    def out_dir(self) -> Path:
        return self.options.out / self.show.slug

    @property
    def staging(self) -> Path:
        return self.options.out / f".{self.show.slug}.staging"

    def run(self) -> BuildResult:
        """Run every talk through the stages, then publish the show atomically.

        A talk that fails is reported and skipped. If it had been published
        before, nothing is published, so earlier feeds and files stay intact.
        """
        t0 = time.monotonic()
        if self.staging.exists():
            shutil.rmtree(self.staging)  # left over from an interrupted build
        self.staging.mkdir(parents=True)
        tasks = [TalkTask(seed) for seed in self.show.seeds]
        try:
            for task in tasks:
                for stage in TALK_STAGES:
                    try:
                        stage(self, task)
                    except (PublisherError, OSError) as e:
                        task.error = as_error(e, f"building {task.name!r}", task.seed)
                        self.log(f"publisher: error: {task.error}")
                        break
            errors = [t.error for t in tasks if t.error]
            lost = [t for t in tasks if t.error and self._was_published(t)]
            published = not lost and any(t.episodes for t in tasks)
            if not published:
                shutil.rmtree(self.staging, ignore_errors=True)
            else:
                try:
                    self.show = pin_guid(self.show)  # assigned once, then kept in the file
                    stages.publish_show(self, [t for t in tasks if not t.error])
                    self._swap()
                except OSError as e:
                    raise as_error(e, f"publishing {self.show.title!r}", self.show.path) from e
        except BaseException:
            shutil.rmtree(self.staging, ignore_errors=True)
            raise
        encodes = sum(t.render.encodes for t in tasks if t.render)
        seconds = time.monotonic() - t0
        return BuildResult(self.show, self.out_dir, tasks, seconds, encodes, errors, published)

    def _was_published(self, task: TalkTask) -> bool:
        video_id = task.talk.video_id if task.talk else None
        return bool(video_id) and (self.out_dir / "episodes" / video_id).exists()

    def _swap(self) -> None:
        """Replace the published show with the staged one in two renames."""
        old = self.options.out / f".{self.show.slug}.old"
        if old.exists():
            shutil.rmtree(old)
        if self.out_dir.exists():
            os.replace(self.out_dir, old)
        os.replace(self.staging, self.out_dir)
        shutil.rmtree(old, ignore_errors=True)


def as_error(e: PublisherError | OSError, doing: str, path: Path) -> PublisherError:
    """An OS error (disk full, permissions) as a one-line error naming what was being done."""
    if isinstance(e, PublisherError):
        return e
    return PublisherError(f"{e.strerror or e} while {doing}", e.filename or path)


def build(show: Show, options: Options, log: Callable[[str], None] | None = None) -> BuildResult:
    session = BuildSession(show, options) if log is None else BuildSession(show, options, log)
    return session.run()


def build_talk_for_benchmark(seed: Path, source: Path, cache_dir: Path, out: Path) -> BuildResult:
    """The whole build (plan, audio, tags, feeds, site) of one seed from a local source file.

    The source is linked in as the talk's cached download; the seed is copied
    into `out` so its plan file is written there, not beside the original.
    """
    from ..ingest import load_talk

    talk = load_talk(seed)
    cached = cache_dir / "audio" / f"{talk.video_id}{source.suffix}"
    cached.parent.mkdir(parents=True, exist_ok=True)
    if not cached.exists():
        os.symlink(source.resolve(), cached)
    work = out / "seeds"
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(seed, work / seed.name)
    show = Show(
        path=out / "bench.toml",
        slug="bench",
        title="Benchmark",
        description="Benchmark build",
        author="publisher",
        owner_name="publisher",
        owner_email="bench@example.org",
        language="en",
        category="Technology",
        subcategory="",
        base_url="http://localhost/bench/",
        seeds=[work / seed.name],
        podcast_guid=podcast_guid("localhost/bench/feed.xml"),
    )
    result = build(show, Options(out=out / "public", cache_dir=cache_dir))
    if result.errors:
        raise result.errors[0]
    return result
