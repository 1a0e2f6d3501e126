"""One build at a time per show output: an advisory lock the kernel drops when the
process ends, however it ends (so a killed build never leaves a stale lock)."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import PublisherError


class BusyError(PublisherError):
    """Another build is writing the same show."""

    exit_code = 75  # EX_TEMPFAIL: try again later


@contextlib.contextmanager
def show_lock(path: Path, what: str, *, wait: bool = False) -> Iterator[None]:
    """Hold the lock file `path`; if another build holds it, wait or raise BusyError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                f.seek(0)
                holder = f.read().strip() or "?"
                raise BusyError(
                    f"another build (pid {holder}) is writing {what}; "
                    "try again when it ends, or pass --wait",
                    path,
                ) from None
            fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        try:
            yield
        finally:
            f.truncate(0)
            fcntl.flock(f, fcntl.LOCK_UN)
