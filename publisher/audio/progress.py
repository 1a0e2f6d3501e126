"""Rich progress bars that stay silent off a terminal or when not asked for."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Protocol


class Bar(Protocol):
    def update(self, completed: float, total: float | None = None) -> None: ...

    def advance(self, amount: float) -> None: ...


class _Silent:
    def update(self, completed: float, total: float | None = None) -> None:
        pass

    def advance(self, amount: float) -> None:
        pass


class _Rich:
    def __init__(self, progress, task) -> None:
        self._progress, self._task = progress, task

    def update(self, completed: float, total: float | None = None) -> None:
        self._progress.update(self._task, completed=completed, total=total)

    def advance(self, amount: float) -> None:
        self._progress.advance(self._task, amount)


@contextlib.contextmanager
def bar(description: str, total: float | None, enabled: bool) -> Iterator[Bar]:
    """A progress bar on stdout when `enabled` and stdout is a terminal; otherwise a no-op."""
    if not (enabled and sys.stdout.isatty()):
        yield _Silent()
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True) as progress:
        yield _Rich(progress, progress.add_task(description, total=total))
