"""Where per-talk jobs run: in this process, in local worker processes, or on an
existing Dask distributed cluster. All are concurrent.futures executors."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import socket
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor

from ..errors import PublisherError


class InlineExecutor(Executor):
    """Runs each job at submit time, in this process (one worker: no pickling)."""

    def submit(self, fn: Callable, /, *args, **kwargs) -> Future:
        future: Future = Future()
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:  # noqa: BLE001 - handed to the caller via the future
            future.set_exception(e)
            if not isinstance(e, Exception):
                raise
        return future


@contextlib.contextmanager
def talk_executor(workers: int, scheduler: str | None = None) -> Iterator[Executor]:
    """An executor for per-talk jobs. With `scheduler` (tcp://HOST:PORT) the jobs go to
    that Dask cluster, whose workers must share the cache and output folders."""
    if scheduler:
        with _dask_client(scheduler) as client:
            yield client.get_executor(pure=False)
    elif workers <= 1:
        yield InlineExecutor()
    else:
        # spawn: the parent may run threads (progress display), which fork would copy
        spawn = multiprocessing.get_context("spawn")
        parent = (os.getpid(),)
        with ProcessPoolExecutor(workers, spawn, _die_with_parent, parent) as pool:
            yield pool


def _die_with_parent(parent: int) -> None:
    """Ask Linux to end this worker when the build that started it ends (even by
    SIGKILL), so a killed build leaves no worker behind."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux
    if os.getppid() != parent:  # it ended while this worker was starting
        os._exit(1)


_PR_SET_PDEATHSIG = 1


@contextlib.contextmanager
def _dask_client(address: str):
    try:
        from distributed import Client
    except ImportError:
        raise PublisherError("--scheduler needs Dask: pip install 'publisher[dask]'") from None
    host, _, port = address.removeprefix("tcp://").rpartition(":")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=10).close()
        client = Client(address, timeout=30, set_as_default=False)
    except ValueError:
        raise PublisherError(f"--scheduler {address!r}: expected tcp://HOST:PORT") from None
    except (OSError, TimeoutError) as e:
        raise PublisherError(f"cannot reach the Dask scheduler at {address} ({e})") from None
    with client:
        yield client
