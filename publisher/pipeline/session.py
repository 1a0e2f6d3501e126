"""A build session: one show, its options, and the driver that runs the stages.

The driver (beets-style) holds the show's lock, relinks talks that have not
changed since the last build, sends the others through the per-talk stages on
an executor (this process, local processes, or a Dask cluster), keeps the last
published episodes of a talk that fails, then publishes the whole show by
swapping a staged copy in.

A published talk leaves the show only when its seed is gone on purpose: in a
build where every seed could be read, no seed is that talk (by video id) and
no failing seed was it (by path or text). While any seed can't be read, we
can't tell whose its talk was, so every published talk no seed claims is kept.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..audio.cache import prune_decoded
from ..errors import PublisherError
from ..fsutil import full_folder, replace_dir, restore_dir
from ..ingest import refuse_copies
from ..show import Show, save_guids
from . import records, stages
from .executor import talk_executor
from .lock import show_lock
from .status import Board, Where, talk_status
from .tasks import BuildSession, Options, TalkTask


@dataclass
class BuildResult:
    show: Show
    out_dir: Path
    tasks: list[TalkTask]
    seconds: float
    encodes: int = 0
    errors: list[PublisherError] = field(default_factory=list)
    published: bool = False  # the show online is this build's: swapped in, or unchanged

    @property
    def feeds(self) -> list[Path]:
        return sorted(self.out_dir.glob("*.xml"))

    def count(self, what: str) -> int:
        """Talks that were "built", "reused", "failed", or "kept" (failed, old episodes kept)."""
        states = {
            "built": lambda t: not t.error and not t.reused,
            "reused": lambda t: t.reused,
            "failed": lambda t: bool(t.error),
            "kept": lambda t: t.kept,
        }
        return sum(1 for t in self.tasks if states[what](t))


Stage = Callable[[BuildSession, TalkTask], None]

# Per-talk stages, in order (beets-style: each a documented function of (session, task)).
TALK_STAGES: tuple[Stage, ...] = (
    stages.read_talk,
    stages.find_source,
    stages.plan_talk,
    stages.render_audio,
    stages.make_episodes,
    stages.tag_episodes,
)


def build_talk(session: BuildSession, task: TalkTask) -> TalkTask:
    """Run one talk through the stages (in whatever process the executor chose)."""
    t0 = time.monotonic()
    with talk_status(session.status, str(task.seed), bars=not session.progress) as starting:
        for stage in TALK_STAGES:
            starting(stage.__name__)
            try:
                stage(session, task)
            except (PublisherError, OSError) as e:
                task.error = as_error(e, f"building {task.name!r}", task.seed, session.options)
                break
    task.seconds = time.monotonic() - t0
    return task


class Build:
    """Drives one show's build; see the module docstring."""

    def __init__(self, show: Show, options: Options, log: Callable[[str], None]):
        self.show, self.options, self.log = show, options, log
        self.out_dir = options.out / show.slug
        self.staging = options.out / f".{show.slug}.staging"

    def run(self) -> BuildResult:
        lock = self.options.out / f".{self.show.slug}.lock"
        with show_lock(lock, str(self.out_dir), wait=self.options.wait):
            restore_dir(self.out_dir)  # a swap killed between its renames: the show back
            return self._run()

    def _run(self) -> BuildResult:
        t0 = time.monotonic()
        if self.staging.exists():
            shutil.rmtree(self.staging)  # left over from an interrupted build
        self.staging.mkdir(parents=True)
        try:
            result = self._build(t0)
        except BaseException:
            shutil.rmtree(self.staging, ignore_errors=True)
            raise
        prune_decoded(self.options.cache_dir)
        return result

    def _build(self, t0: float) -> BuildResult:
        tasks = [TalkTask(seed) for seed in self.show.seeds]
        published = published_records = records.load_all(self.out_dir)
        self.topics = records.topic_names(published)
        self.carried: dict[Path, list[records.Record]] = {}  # seed -> records relinked
        self.relinked: set[str] = set()  # video ids of the talks relinked so far
        self.unstaged: list[records.Record] = []  # relinked, staged only if publishing
        self.by_seed = _index(published, lambda r: r.seed)  # looked up once per talk, not
        self.by_text = _index(published, lambda r: r.seed_digest)  # searched: N talks, N records
        board = Board(self.show.title, [t.seed.stem for t in tasks], self.log, self._live())
        with board:
            for i, task in enumerate(tasks):
                if self._reuse(task):
                    board.set(i, "reused")
            self._run_tasks(tasks, board)
            keys = {r.seed for r in published.values()}  # a copied seed is refused
            refuse_copies(
                [(t.seed, t.talk) for t in tasks if t.talk],
                lambda seed: records.seed_key(self.show, seed) in keys,
            )
            for i in self._keep_failed(tasks, published):
                board.set(i, "kept", str(tasks[i].error))
        for task in tasks:
            if task.error:
                kept = " (its last published episodes were kept)" if task.kept else ""
                self.log(f"publisher: error: {task.error}{kept}")
        lost = [t for t in tasks if t.error and not t.kept and self._was_published(t, tasks)]
        published = not lost and any(t.episodes for t in tasks)
        if lost:
            self.log(
                f"publisher: nothing published: {len(lost)} failed talk(s) had published "
                f"episodes that could not be kept; {self.out_dir} left as it was"
            )
        if published and not self._unchanged(tasks, published_records):
            self._publish([t for t in tasks if t.episodes])
        else:  # nothing to publish, or exactly what is published already
            shutil.rmtree(self.staging, ignore_errors=True)
        return BuildResult(
            self.show,
            self.out_dir,
            tasks,
            time.monotonic() - t0,
            sum(t.encodes for t in tasks),
            [t.error for t in tasks if t.error],
            published,
        )

    def _unchanged(self, tasks: list[TalkTask], published: dict[str, records.Record]) -> bool:
        """Every talk was relinked as its record has it, and every published talk was
        relinked: publishing again would write the show that is online, so it stays
        (a no-op rebuild of a thousand talks need not write their feeds and site)."""
        carried = [r for t in tasks for r in self.carried.get(t.seed, [])]
        return (
            all(t.reused for t in tasks)
            and all(r.origin is not None for r in carried)  # none renamed: records as they are
            and {r.video_id for r in carried} == set(published)
            and (self.out_dir / "feed.xml").is_file()
        )

    def _live(self) -> bool:
        return self.options.progress and sys.stderr.isatty()

    def _reuse(self, task: TalkTask) -> bool:
        """Relink a talk unchanged since it was published (its seed found by path, or
        by text if it was renamed), unless another talk relinked that record."""
        now = records.digests(task.seed)
        if self.options.replan or None in now:
            return False
        key = records.seed_key(self.show, task.seed)

        def free(found: list[records.Record]) -> records.Record | None:
            return next((r for r in found if r.video_id not in self.relinked), None)

        record = free(self.by_seed.get(key, [])) or free(self.by_text.get(now[0] or "", []))
        fp = records.fingerprint(self.show, self.options.standin, *now)
        if record is None or record.fingerprint != fp:
            return False
        if not records.intact(record, self.out_dir):
            return False  # a published file went missing: build it again
        # staged in _publish: a no-op rebuild of 1,000 talks links no 27,000 files
        self.unstaged.append(record)
        task.episodes = list(record.episodes)
        task.talk, task.reused = task.episodes[0].talk, True
        self.relinked.add(task.talk.video_id)
        moved = record.seed != key  # a renamed seed: its record notes the new path
        self.carried[task.seed] = [replace(record, seed=key, origin=None) if moved else record]
        return True

    def _keep_failed(
        self, tasks: list[TalkTask], published: dict[str, records.Record]
    ) -> list[int]:
        """Keep the last published episodes of every talk that failed, found by its
        video id, or by its seed's path or text if the seed could not be read; while
        any seed could not be read, published talks no seed claims are kept too.
        The failed talks kept, by index."""
        owned = {t.talk.video_id for t in tasks if t.talk and not t.error}
        free = {vid: r for vid, r in published.items() if vid not in owned}
        failed = [i for i, t in enumerate(tasks) if t.error]
        mine = {i: self._published_of(tasks[i], free) for i in failed}
        unread = [i for i in failed if not tasks[i].talk]
        if unread and free:  # can't tell whose these are: the first unread seed keeps them
            mine[unread[0]] += free.values()
        return [i for i in failed if self._keep(tasks[i], mine[i], owned)]

    def _published_of(
        self, task: TalkTask, free: dict[str, records.Record]
    ) -> list[records.Record]:
        """The published talks a failed seed was, taken out of `free`: by video id if
        it was read, and by path or by text (renamed) as records remember the seed."""
        now = records.digests(task.seed)
        key = records.seed_key(self.show, task.seed)
        vid = task.talk.video_id if task.talk else None
        found = [
            r for r in free.values()
            if r.video_id == vid or r.seed == key or r.seed_digest == now[0]
        ]  # fmt: skip
        for r in found:
            del free[r.video_id]
        return found

    def _keep(self, task: TalkTask, kept: list[records.Record], owned: set[str]) -> bool:
        """Keep a failed talk's last published episodes, unchanged."""
        task.episodes = []  # whatever the failed attempt staged is dropped
        if task.talk and task.talk.video_id not in owned:
            shutil.rmtree(self.staging / "episodes" / task.talk.video_id, ignore_errors=True)
        try:
            for record in kept:
                task.episodes += records.relink(record, self.out_dir, self.staging)
        except OSError:
            task.episodes = []
            return False
        task.kept = bool(kept)
        self.carried[task.seed] = kept
        return task.kept

    def _run_tasks(self, tasks: list[TalkTask], board: Board) -> None:
        """Build the talks that were not reused, several at once."""
        todo = [i for i, t in enumerate(tasks) if not t.reused]
        if not todo:
            return
        board.chatty = len(todo) > 1
        cores = os.cpu_count() or 1
        workers = max(1, min(self.options.jobs or cores, len(todo)))
        where: Where = "here" if workers == 1 else "processes"
        if self.options.scheduler:
            workers, where = len(todo), "cluster"
        keys = {str(tasks[i].seed): i for i in todo}
        with (
            board.channel(keys, where) as status,
            talk_executor(workers, self.options.scheduler) as executor,
        ):
            # the session is pickled with every task: without the show's seeds (each task
            # has its own), or N talks would pickle N^2 paths
            session = BuildSession(
                replace(self.show, seeds=[]),
                self.options,
                self.staging,
                encode_jobs=max(1, cores // workers),
                progress=self._live() and where == "here",
                status=status,
                topics=self.topics,
                plan_apart=len(todo) == 1 and where == "here",
            )
            if self.options.scheduler:  # cluster workers run in folders of their own
                session = _absolute(session)
            running: dict[Future, int] = {}
            for i in todo:
                task = tasks[i]
                if self.options.scheduler:
                    task = replace(task, seed=task.seed.resolve())
                running[executor.submit(build_talk, session, task)] = i
            pending = set(running)
            while pending:
                for f in pending:
                    if f.running():
                        board.set(running[f], "building")
                done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                for f in done:
                    self._finish(tasks, running[f], f, board)

    def _finish(self, tasks: list[TalkTask], i: int, future: Future, board: Board) -> None:
        seed = tasks[i].seed
        try:
            task = future.result()
        except (PublisherError, OSError) as e:
            task = TalkTask(seed, error=as_error(e, f"building {seed.name!r}", seed))
        except Exception as e:  # a worker died (killed, out of memory, lost from the cluster)
            if os.environ.get("PUBLISHER_DEBUG"):
                raise
            crash = PublisherError(f"building this talk crashed ({type(e).__name__}: {e})", seed)
            task = TalkTask(seed, error=crash)
        task.seed = seed
        tasks[i] = task
        if task.error:
            board.set(i, "failed", str(task.error))
        else:
            detail = f"{len(task.episodes)} episodes, {task.encodes} encodes, {task.seconds:.1f} s"
            board.set(i, "built", detail)

    def _was_published(self, task: TalkTask, tasks: list[TalkTask]) -> bool:
        """Whether a failed talk may have episodes online: its folder, if its seed was
        read; if not, any published talk's folder that no talk staged now."""
        folders = self.out_dir / "episodes"
        if task.talk:
            return (folders / task.talk.video_id).exists()
        staged = {ep.path.parent.name for t in tasks for ep in t.episodes}
        return folders.is_dir() and any(p.name not in staged for p in folders.iterdir())

    def _publish(self, tasks: list[TalkTask]) -> None:
        try:
            for record in self.unstaged:
                records.relink(record, self.out_dir, self.staging)
            for task in tasks:
                self._record(task)
            self.show = stages.publish_show(
                self.show, self.staging, self.out_dir, self.options.cache_dir, tasks
            )
            save_guids(self.show)  # each feed's, once; not if the build failed before here
            replace_dir(self.staging, self.out_dir)
            shutil.rmtree(self.staging, ignore_errors=True)  # now the old show
        except (PublisherError, OSError) as e:
            doing = f"publishing {self.show.title!r}"
            raise as_error(e, doing, self.show.path, self.options) from e

    def _record(self, task: TalkTask) -> None:
        """Write the record of a talk into the staged show: a relinked or kept talk's
        as it was (a renamed seed's new path noted), a talk built now from what its
        stages read."""
        if task.reused or task.kept:
            for record in self.carried.get(task.seed, []):
                records.save(self.staging, record)
            return
        assert task.talk and task.plan
        fp = records.fingerprint(
            self.show, self.options.standin, task.seed_digest, task.plan.digest
        )
        key = records.seed_key(self.show, task.seed)
        record = records.Record(
            fp, task.talk.video_id, task.episodes, key, task.seed_digest, task.plan.planned
        )
        records.save(self.staging, record)


def _index(
    published: dict[str, records.Record], key: Callable[[records.Record], str]
) -> dict[str, list[records.Record]]:
    """The published records by `key`, each list in the order of `published`."""
    out: dict[str, list[records.Record]] = {}
    for r in published.values():
        out.setdefault(key(r), []).append(r)
    return out


def _absolute(session: BuildSession) -> BuildSession:
    """The session with absolute paths, for workers whose working folder may differ."""
    show, options = session.show, session.options
    art = show.artwork.resolve() if show.artwork else None
    seeds = [s.resolve() for s in show.seeds]
    return replace(
        session,
        show=replace(show, path=show.path.resolve(), seeds=seeds, artwork=art),
        options=replace(options, out=options.out.resolve(), cache_dir=options.cache_dir.resolve()),
        staging=session.staging.resolve(),
    )


def as_error(
    e: PublisherError | OSError, doing: str, path: Path, options: Options | None = None
) -> PublisherError:
    """An OS error (permissions) as a one-line error naming what was being done; a
    full disk names the folder that is full (--out or --cache-dir), not a file."""
    folders = {"--out": options.out, "--cache-dir": options.cache_dir} if options else {}
    if folders and (full := full_folder(e, folders)):
        flag, folder = full
        full_text = "Disk quota exceeded" if "quota" in str(e) else "No space left on device"
        return PublisherError(f"{full_text}: the {flag} folder is full, while {doing}", folder)
    if isinstance(e, PublisherError):
        return e
    return PublisherError(f"{e.strerror or e} while {doing}", e.filename or path)


def build(show: Show, options: Options, log: Callable[[str], None] | None = None) -> BuildResult:
    return Build(show, options, log or (lambda msg: print(msg, file=sys.stderr))).run()
