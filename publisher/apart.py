"""One call run in a fresh Python process, so that what it loads leaves with it.

The planner's models (wordllama, lemminflect: ~130 MB) would otherwise stay in a
one-talk build's memory through its encodes. The child starts, reads the call and
imports its function's module at once, and makes the call when the caller first
gives (give() or result()). An argument the caller has not computed by then is
passed as Later(name), a callable the call asks only when it needs the value: a
build lets the planner find the questions once the decode's first half is done (in
a long talk, once all of it is), and hands over the audio's pauses, which the
planner needs last, when the decode is. Arguments and result travel pickled (the
model's frozen dataclasses); a PublisherError comes back as itself, with its path
and line.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import PublisherError

_CHILD = "from publisher.apart import _serve; _serve()"


@dataclass(frozen=True)
class Later:
    """In the child, a callable that returns the value given as `name` by Apart.give
    or Apart.result, waiting for it if it has not come yet."""

    name: str

    def __call__(self) -> Any:
        while self.name not in _GIVEN:
            _take()
        return _GIVEN[self.name]


_GIVEN: dict[str, Any] = {}  # in the child: what the caller gave so far


def _take() -> None:
    """Wait for the caller's next give() (in the child)."""
    try:
        _GIVEN.update(pickle.load(sys.stdin.buffer))
    except EOFError:  # the caller gave up: so does the child
        raise _GaveUp from None


class _GaveUp(BaseException):
    """The caller went away before giving what a Later asked for."""


class Apart:
    """fn(*args, **kwargs) in a child process, called at the first give() or at
    result(); any Later(name) among the arguments returns what give(name=...) or
    result(name=...) hands over."""

    def __init__(self, fn: Callable, *args: Any, **kwargs: Any) -> None:
        home = str(Path(__file__).resolve().parent.parent)  # where `publisher` is imported from
        path = os.pathsep.join(filter(None, [home, os.environ.get("PYTHONPATH")]))
        env = dict(os.environ, PYTHONPATH=path)
        self.child = subprocess.Popen(
            [sys.executable, "-c", _CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        assert self.child.stdin
        pickle.dump((fn.__module__, fn.__qualname__, args, kwargs), self.child.stdin)
        self.child.stdin.flush()

    def give(self, **more: Any) -> None:
        """Start the call if it waits, and hand the child values its Later arguments
        ask for; this process goes on working (on the other core) until result()."""
        assert self.child.stdin
        with contextlib.suppress(BrokenPipeError):  # the child failed: result() says so
            pickle.dump(more, self.child.stdin)
            self.child.stdin.flush()

    def result(self, **more: Any) -> Any:
        """The call's value (its Later values `more`, unless give() gave them), or its
        PublisherError raised here. While the child works, this process gives the heap
        it freed back to the system (both count at once)."""
        assert self.child.stdin and self.child.stdout
        self.give(**more)
        with contextlib.suppress(BrokenPipeError):
            self.child.stdin.close()
        _trim()
        with self.child.stdout as answer:
            out = answer.read()
        self.child.wait()
        if self.child.returncode or not out:
            raise RuntimeError(f"{_CHILD!r} failed (exit {self.child.returncode}): see above")
        ok, value = pickle.loads(out)
        if ok:
            return value
        kind, message, path, line = value
        raise kind(message, path, line)

    def __enter__(self) -> Apart:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.child.poll() is None:  # the caller failed before result(): no call wanted
            self.child.kill()
            self.child.wait()


def _trim() -> None:
    """glibc's malloc_trim: free heap pages back to the system (~6 MB after a decode)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL(None).malloc_trim(0)


def _serve() -> None:
    """The child: read the call, import its function, wait to be given, answer."""
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever the call prints goes to stderr, not into the answer
    module, name, args, kwargs = pickle.load(sys.stdin.buffer)
    fn = getattr(importlib.import_module(module), name)
    try:
        _take()
        value: tuple = (True, fn(*args, **kwargs))
    except _GaveUp:
        return
    except PublisherError as e:
        value = (False, (type(e), e.message, e.path, e.line))
    except BaseException:
        traceback.print_exc()
        sys.exit(1)
    pickle.dump(value, answer)
    answer.close()
