"""One error type, printed as one line that names the file and line or the talk."""

from __future__ import annotations

from pathlib import Path


class PublisherError(Exception):
    """A problem the user can fix. `str()` is the one-line message the CLI prints.

    exit_code 2 is bad input (seed, plan, show file); 1 is a failed step
    (download, audio, disk).
    """

    exit_code = 1

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{' '.join(self.message.split())}"


class InputError(PublisherError):
    """Malformed input document: seed, plan, show definition."""

    exit_code = 2


class SeedError(InputError):
    pass


class PlanError(InputError):
    pass


class ShowError(InputError):
    pass


class AudioError(PublisherError):
    """Fetching, decoding or encoding audio failed for a talk."""


class FetchError(AudioError):
    pass
