"""Per-talk status while a show builds: a live table on a terminal (each talk's
stage, the counts, and the progress bars of a talk built here); otherwise, when
several talks build, one line per talk built (errors are reported once, at the end)."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from multiprocessing.managers import SyncManager
from typing import Literal, Protocol

from ..audio import progress
from .executor import _die_with_parent

ACTIVE = ("building",)
DONE = ("built", "reused", "failed", "kept")  # kept: failed, last published episodes kept

# What the table says a talk is doing, by the name of the stage running.
STAGE_WORDS = {
    "read_talk": "reading",
    "find_source": "finding audio",
    "plan_talk": "planning",
    "render_audio": "rendering",
    "make_episodes": "staging files",
    "tag_episodes": "tagging",
}

Where = Literal["here", "processes", "cluster"]  # where the talks build


class Reporter(Protocol):
    """Tells the board what the talk with this key (its seed path) is doing."""

    def __call__(self, key: str, text: str) -> None: ...


class Board:
    def __init__(self, title: str, names: list[str], log: Callable[[str], None], live: bool):
        self.title, self.names, self.log = title, names, log
        self.states = ["queued"] * len(names)
        self.details = [""] * len(names)
        self._live = self._bars = None
        self._stack = contextlib.ExitStack()
        self.chatty = False  # log each talk built (set when several are built)
        if live:
            from rich.console import Console
            from rich.live import Live

            console = Console(stderr=True)  # one console: the table and the bars under it
            self._bars = progress.new_progress(console)
            self._live = Live(get_renderable=self._table, console=console)

    def __enter__(self) -> Board:
        if self._live and self._bars:
            self._live.start()
            self._stack.callback(self._live.stop)
            self._stack.enter_context(progress.hosting(self._bars, self._live.refresh))
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def set(self, i: int, state: str, detail: str = "") -> None:
        if self.states[i] == state:
            return
        self.states[i], self.details[i] = state, detail
        if not self._live and state == "built" and self.chatty:
            done = sum(s in DONE for s in self.states)
            self.log(f"[{done}/{len(self.names)}] {state}: {self.names[i]}{_tail(detail)}")

    def stage(self, i: int, text: str) -> None:
        """A talk building says what it is doing ("planning", "rendering 40%")."""
        if self.states[i] not in DONE:  # a late word from a talk already done is dropped
            self.states[i], self.details[i] = "building", text
            if self._live:
                self._live.refresh()  # each word is seen, however short its stage

    def counts(self) -> Counter:
        return Counter(self.states)

    @contextlib.contextmanager
    def channel(self, keys: dict[str, int], where: Where) -> Iterator[Reporter | None]:
        """How talks (`keys`: seed path -> index) report their stages to the live
        table: directly when they build here, through a queue from worker processes;
        not at all off a terminal or from a cluster."""
        if not self._live or where == "cluster":
            yield None
        elif where == "here":
            yield lambda key, text: self.stage(keys[key], text)
        else:
            manager = SyncManager(ctx=multiprocessing.get_context("spawn"))
            manager.start(_die_with_parent, (os.getpid(),))  # a killed build leaves none
            with manager:
                q = manager.Queue()
                stop = threading.Event()
                drain = threading.Thread(target=self._drain, args=(q, keys, stop), daemon=True)
                drain.start()
                try:
                    yield _Queued(q)
                finally:
                    stop.set()
                    drain.join()

    def _drain(self, q, keys: dict[str, int], stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                key, text = q.get(timeout=0.2)
            except queue.Empty:
                continue
            except (EOFError, OSError):  # the manager ended (Ctrl-C)
                return
            self.stage(keys[key], text)

    def _table(self):
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        counts = self.counts()
        summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        table = Table(box=None)
        table.add_column("talk", overflow="ellipsis", max_width=60)
        table.add_column("status")
        for name, state, detail in zip(self.names, self.states, self.details, strict=True):
            if state in ACTIVE:
                table.add_row(name, detail or state)
            elif state in ("failed", "kept"):
                table.add_row(name, f"{state}{_tail(detail)}")
        parts = [Text(f"{self.title}: {summary}", style="bold")] + ([table] if table.rows else [])
        return Group(*parts, self._bars.get_renderable()) if self._bars else Group(*parts)


class _Queued:
    """A reporter for worker processes (picklable): a lost queue only loses words."""

    def __init__(self, q) -> None:
        self._q = q

    def __call__(self, key: str, text: str) -> None:
        with contextlib.suppress(OSError, EOFError):
            self._q.put((key, text))


@contextlib.contextmanager
def talk_status(report: Reporter | None, key: str, bars: bool) -> Iterator[Callable[[str], None]]:
    """A function telling the board that the talk `key` starts a stage (by the stage
    function's name); with `bars`, its progress bars are reported too, as text."""
    if report is None:
        yield lambda stage: None
        return

    def send(text: str) -> None:
        report(key, text)

    with progress.reporting(send if bars else None):
        yield lambda stage: send(STAGE_WORDS.get(stage, stage))


def _tail(detail: str) -> str:
    return f" ({detail})" if detail else ""
