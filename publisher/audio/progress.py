"""Progress bars on stderr, silent off a terminal or when not asked for.

A bar is drawn by whichever display is showing: the build's live board (its
`Progress`, hosted with `hosting`, drawn under the talks' table on the board's
console), or a bar of its own. In a worker process, whose terminal belongs to
the parent, `reporting` sends each bar's "decoding 40%" to the parent instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress


class Bar(Protocol):
    def update(self, completed: float, total: float | None = None) -> None: ...

    def advance(self, amount: float) -> None: ...


class _Silent:
    def update(self, completed: float, total: float | None = None) -> None:
        pass

    def advance(self, amount: float) -> None:
        pass


class _Rich:
    def __init__(self, progress: Progress, task) -> None:
        self._progress, self._task = progress, task

    def update(self, completed: float, total: float | None = None) -> None:
        self._progress.update(self._task, completed=completed, total=total)

    def advance(self, amount: float) -> None:
        self._progress.advance(self._task, amount)


class _Reported:
    """Sends "<first word of the description> <percent>%" each time the percent changes."""

    def __init__(self, word: str, total: float | None, send: Callable[[str], None]) -> None:
        self._word, self._total, self._send = word, total, send
        self._done, self._said = 0.0, ""
        send(word)

    def update(self, completed: float, total: float | None = None) -> None:
        self._done, self._total = completed, total or self._total
        if self._total:
            said = f"{self._word} {min(100, int(100 * self._done / self._total))}%"
            if said != self._said:
                self._said = said
                self._send(said)

    def advance(self, amount: float) -> None:
        self.update(self._done + amount)


_host: tuple[Progress, Callable[[], None]] | None = None  # a live display's, and its redraw
_sink: Callable[[str], None] | None = None  # a worker's bars, reported as text


def new_progress(console: Console) -> Progress:
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
    )
    return Progress(*columns, console=console, transient=True)


@contextlib.contextmanager
def hosting(progress: Progress, redraw: Callable[[], None]) -> Iterator[None]:
    """Bars started while inside are tasks of `progress`, which a live display draws
    (`redraw` draws it now: each bar is seen at least once, however short)."""
    global _host
    _host = progress, redraw
    try:
        yield
    finally:
        _host = None


@contextlib.contextmanager
def reporting(send: Callable[[str], None] | None) -> Iterator[None]:
    """Bars started while inside are sent as text to `send` (when not None)."""
    global _sink
    _sink = send
    try:
        yield
    finally:
        _sink = None


@contextlib.contextmanager
def bar(description: str, total: float | None, enabled: bool) -> Iterator[Bar]:
    """A progress bar on stderr: on the build's live board while one hosts bars, as
    text to the parent in a worker that reports them, else when `enabled` and stderr
    is a terminal; otherwise a no-op."""
    if _sink:
        yield _Reported(description.split(" ", 1)[0], total, _sink)
        return
    if _host is not None:  # a live board shows every bar of the talk it builds here
        hosted, redraw = _host
        task = hosted.add_task(description, total=total)
        redraw()
        try:
            yield _Rich(hosted, task)
        finally:
            hosted.remove_task(task)
        return
    from rich.console import Console

    console = Console(stderr=True)
    if not (enabled and console.is_terminal):
        yield _Silent()
        return
    with new_progress(console) as progress:
        yield _Rich(progress, progress.add_task(description, total=total))
