"""Per-talk status while a show builds: a live table on a terminal; otherwise, when
several talks build, one line per talk built (errors are reported once, at the end)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

ACTIVE = ("building",)
DONE = ("built", "reused", "failed", "kept")  # kept: failed, last published episodes kept


class Board:
    def __init__(self, title: str, names: list[str], log: Callable[[str], None], live: bool):
        self.title, self.names, self.log = title, names, log
        self.states = ["queued"] * len(names)
        self.details = [""] * len(names)
        self._live = None
        self.chatty = False  # log each talk built (set when several are built)
        if live:
            from rich.console import Console
            from rich.live import Live

            self._live = Live(get_renderable=self._table, console=Console(stderr=True))

    def __enter__(self) -> Board:
        if self._live:
            self._live.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._live:
            self._live.stop()

    def set(self, i: int, state: str, detail: str = "") -> None:
        if self.states[i] == state:
            return
        self.states[i], self.details[i] = state, detail
        if not self._live and state == "built" and self.chatty:
            done = sum(s in DONE for s in self.states)
            self.log(f"[{done}/{len(self.names)}] {state}: {self.names[i]}{_tail(detail)}")

    def counts(self) -> Counter:
        return Counter(self.states)

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
            if state in ACTIVE or state in ("failed", "kept"):
                table.add_row(name, f"{state}{_tail(detail)}")
        return Group(Text(f"{self.title}: {summary}", style="bold"), table)


def _tail(detail: str) -> str:
    return f" ({detail})" if detail else ""
